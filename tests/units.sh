#!/usr/bin/env bash
# The work units of ct-fetch --plan N, run one by one with --spec and merged with ct-actions,
# equal the single-machine run byte for byte (make test; the Spark job is checked the same way
# by make test-spark). Over the sample bucket (one late delivery, one duplicate) and over a
# generated tree of two accounts and many regions, to which this adds duplicate deliveries
# across unit boundaries and deliveries later than the lag; windows cut inside days.
# Usage: tests/units.sh [BINDIR]   (default target/debug)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$(cd "${1:-target/debug}" && pwd)
WORK=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$WORK"' EXIT; [ -z "${KEEP:-}" ] || echo "work in $WORK"
fails=0

# A generated tree: two accounts, a day each (seeds of their own: event IDs are unique), then
# some log files delivered again 20 minutes later (duplicates, often across a unit boundary)
# and some delivered only 90 minutes later (past the one-hour lag: their events are kept by a
# later unit). A file delivered both on time and late is the one case units cannot match
# (man ct-fetch, UNITS).
TREE=$WORK/tree
for account in 111122223333 444455556666; do
  "$BIN/ct-synth" tree "$WORK/gen-$account" --size 40M --days 1 --start 2024-03-01 --account "$account" --seed "${account:0:4}" --force > /dev/null 2>&1
  mkdir -p "$TREE/AWSLogs"
  cp -R "$WORK/gen-$account/AWSLogs/$account" "$TREE/AWSLogs/"
done
n=0
while read -r f; do
  n=$((n + 1))
  name=$(basename "$f")
  stamp=$(sed -E 's/.*_([0-9]{8}T[0-9]{4}Z)_.*/\1/' <<< "$name")
  # Odd files delivered again 20 minutes later; even ones moved 90 minutes later.
  delay=$((n % 2 == 1 ? 20 : 90))
  # Within the day folder the name says (ct-fetch takes a file only there).
  [ "${stamp:9:2}" -lt 22 ] || continue
  at=$(date -u -d "${stamp:0:4}-${stamp:4:2}-${stamp:6:2} ${stamp:9:2}:${stamp:11:2}:00Z" +%s)
  later=$(date -u -d "@$((at + delay * 60))" +%Y%m%dT%H%MZ)
  if [ "$delay" = 20 ]; then
    cp "$f" "$(dirname "$f")/${name/_${stamp}_/_${later}_}"
  else
    mv "$f" "$(dirname "$f")/${name/_${stamp}_/_${later}_}"
  fi
done < <(find "$TREE" -path '*/CloudTrail/*' -name '*.json.gz' | sort | awk 'NR % 37 == 0')

check() { # NAME SOURCE START END N...
  local name=$1 src=$2 start=$3 end=$4
  shift 4
  "$BIN/ct-fetch" "$src" --start "$start" --end "$end" --stdout -q \
    | "$BIN/ct-unzip" -q --dedupe | "$BIN/ct-filter" --start "$start" --end "$end" > "$WORK/ref.ndjson" || true
  "$BIN/ct-actions" -q "$WORK/ref.ndjson" > "$WORK/ref.actions"
  sort "$WORK/ref.ndjson" > "$WORK/ref.sorted"
  for n in "$@"; do
    "$BIN/ct-fetch" "$src" --start "$start" --end "$end" --plan "$n" -q > "$WORK/units"
    : > "$WORK/parts"
    : > "$WORK/events"
    while read -r unit; do
      printf '%s\n' "$unit" | "$BIN/ct-fetch" --spec - -q > "$WORK/unit.ndjson"
      cat "$WORK/unit.ndjson" >> "$WORK/events"
      "$BIN/ct-actions" -q "$WORK/unit.ndjson" >> "$WORK/parts"
    done < "$WORK/units"
    "$BIN/ct-actions" -q "$WORK/parts" > "$WORK/merged"
    local units events
    units=$(wc -l < "$WORK/units")
    events=$(wc -l < "$WORK/ref.ndjson")
    if ! cmp -s "$WORK/ref.actions" "$WORK/merged"; then
      echo "FAIL $name, N=$n ($units units): the merged action records differ from the single run's"
      fails=$((fails + 1))
    elif ! sort "$WORK/events" | cmp -s - "$WORK/ref.sorted"; then
      echo "FAIL $name, N=$n ($units units): the units' events are not the single run's $events"
      fails=$((fails + 1))
    else
      echo "ok   $name, N=$n: $units units, $events events, records equal byte for byte"
    fi
  done
}

check "sample bucket, a day and a half" tests/data/bucket 2017-06-01T05:00:00Z 2017-06-02T11:00:00Z 1 3 7 20
check "sample bucket, from midday" tests/data/bucket '2017-06-01 12:30' 2017-06-02 2 11
check "two accounts, many regions" "$TREE" 2024-03-01T03:17:00Z 2024-03-01T21:00:00Z 1 5 24 80

[ "$fails" = 0 ] || { echo "$fails units case(s) failed"; exit 1; }
