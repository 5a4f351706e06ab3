#!/usr/bin/env bash
# ct-verify on a day of a busy trail: `ct-synth tree --days 1 --size SIZE` (default 1G of JSON,
# signed digests and their sidecars, as ct-fetch --digests -o leaves a mirror), verified from
# the local folder with the test key (its validity widened to the tree's dates: the key signs
# whatever ct-synth writes). Prints the time against the file count, median of 3 runs.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE=${1:-1G}
OUT=bench/out/verify-$SIZE
TARGET_DIR=${CARGO_TARGET_DIR:-target}
cargo build --release -q -p ct-verify -p ct-synth
if [ ! -d "$OUT/tree/AWSLogs" ]; then
  "$TARGET_DIR/release/ct-synth" tree "$OUT/tree" --size "$SIZE" --days 1 --start 2024-03-01 --force > /dev/null
fi
sed -e 's/"ValidityStartTime": "[^"]*"/"ValidityStartTime": "2024-01-01T00:00:00+00:00"/' \
    -e 's/"ValidityEndTime": "[^"]*"/"ValidityEndTime": "2024-12-31T00:00:00+00:00"/' \
    tests/data/digest-key/public-keys.json > "$OUT/keys.json"
files=$(find "$OUT/tree" -name '*.json.gz' | wc -l)
bytes=$(find "$OUT/tree" -name '*.json.gz' -printf '%s\n' | awk '{s += $1} END {print s}')
times=()
for _ in 1 2 3; do
  start=$(date +%s.%N)
  "$TARGET_DIR/release/ct-verify" "$OUT/tree" --start 2024-03-01 --end 2024-03-01 --public-keys "$OUT/keys.json" \
    > "$OUT/records.ndjson" 2> "$OUT/summary"
  end=$(date +%s.%N)
  times+=("$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.3f", e - s }')")
done
median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 2p)
echo "a day of one trail: $files files ($bytes bytes gzip, $SIZE of JSON), $(nproc) CPUs"
awk -v f="$files" -v b="$bytes" -v t="$median" 'BEGIN { printf "ct-verify: %.2f s (median of 3), %.0f files/s, %.0f MB/s of gzip\n", t, f / t, b / t / 1e6 }'
cat "$OUT/summary"
grep -q '"status":"valid"' "$OUT/records.ndjson" && ! grep -qv '"status":"valid"' "$OUT/records.ndjson" \
  || { echo "not every file verified"; exit 1; }
