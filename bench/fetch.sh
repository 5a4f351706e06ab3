#!/usr/bin/env bash
# ct-fetch on loopback: N small log files (default 2000) in one bucket, served by the
# in-process S3 server of the tests (s3s + s3s-fs), fetched with -j 1 and -j 16, to a
# directory and to stdout. Prints files/s and MB/s per case.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-2000}
OUT=bench/out/fetch-$N
TARGET_DIR=${CARGO_TARGET_DIR:-target}
cargo build --release -q -p ct-fetch --bin ct-fetch --example s3-server
if [ ! -d "$OUT/bucket" ]; then
  mkdir -p "$OUT/bucket"
  python3 - "$OUT/bucket" "$N" <<'PY'
import gzip, json, os, sys
root, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    h, m = divmod(i, 60)
    d = 1 + h // 24
    h = h % 24
    stamp = f"201706{d:02d}T{h:02d}{m:02d}Z"
    key = f"AWSLogs/111122223333/CloudTrail/us-east-1/2017/06/{d:02d}/111122223333_CloudTrail_us-east-1_{stamp}_{i:016d}.json.gz"
    recs = [{"eventVersion": "1.08", "eventTime": f"2017-06-{d:02d}T{h:02d}:{m:02d}:00Z", "eventSource": "ec2.amazonaws.com",
             "eventName": "DescribeInstances", "awsRegion": "us-east-1", "eventID": f"{i}-{j}", "recipientAccountId": "111122223333",
             "requestParameters": {"instancesSet": {"items": [{"instanceId": f"i-{i:08x}{j:04x}"}]}}} for j in range(20)]
    path = os.path.join(root, key)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with gzip.open(path, "wb") as f:
        f.write(json.dumps({"Records": recs}).encode())
PY
fi
BYTES=$(find "$OUT/bucket" -type f -name '*.json.gz' -printf '%s\n' | awk '{s+=$1} END {print s}')
rm -f "$OUT/url"
"$TARGET_DIR/release/examples/s3-server" "$OUT" > "$OUT/url" &
SERVER=$!
trap 'kill $SERVER' EXIT
while [ ! -s "$OUT/url" ]; do sleep 0.1; done
URL=$(cat "$OUT/url")
export AWS_ACCESS_KEY_ID=AKIACTTESTKEY0000001 AWS_SECRET_ACCESS_KEY=ct-test-secret-key-not-a-real-one
export AWS_REGION=us-east-1 AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true
echo "$N files, $BYTES bytes, server $URL"
for j in 1 16; do
  for mode in stdout dir; do
    rm -rf "$OUT/dst"
    if [ $mode = stdout ]; then args=(--stdout); else args=(-o "$OUT/dst"); fi
    start=$(date +%s.%N)
    "$TARGET_DIR/release/ct-fetch" "s3://bucket" --endpoint-url "$URL" --start 2017-06-01 --end 2017-06-03 \
      -j $j -q "${args[@]}" > /dev/null
    end=$(date +%s.%N)
    awk -v n="$N" -v b="$BYTES" -v s="$start" -v e="$end" -v j=$j -v m=$mode \
      'BEGIN { t = e - s; printf "-j %-2d %-6s %6.2f s  %7.0f files/s  %6.2f MB/s\n", j, m, t, n / t, b / t / 1e6 }'
  done
done
