#!/usr/bin/env bash
# ct-fetch --lookup against the tests' LookupEvents server on loopback, which enforces the
# API's two requests a second per region: N events (default 2000) in each of two regions,
# read at once. The goal is the limit itself: 100 events a second per region (two full pages
# a second) and no request throttled. Then the AWS CLI v1 (the venv tests/lookup-cli.sh
# makes, when it is there) pages through one region as a user of `aws cloudtrail
# lookup-events` would. Prints events/s per region, requests and throttled requests.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-2000}
OUT=bench/out/lookup-$N
TARGET_DIR=${CARGO_TARGET_DIR:-target}
cargo build --release -q -p ct-fetch --bin ct-fetch --example lookup-server
cargo build --release -q -p ct-unzip
mkdir -p "$OUT"
if [ ! -s "$OUT/events.ndjson" ]; then
  python3 - "$N" > "$OUT/events.ndjson" <<'PY'
import datetime, json, sys
n = int(sys.argv[1])
end = datetime.datetime(2017, 6, 2, tzinfo=datetime.timezone.utc)
for region in ("us-east-1", "eu-west-1"):
    for i in range(n):
        t = (end - datetime.timedelta(seconds=20 * i)).strftime("%Y-%m-%dT%H:%M:%SZ")
        print(json.dumps({"eventVersion": "1.08", "userIdentity": {"type": "IAMUser", "userName": "alice",
              "arn": "arn:aws:iam::111122223333:user/alice", "accessKeyId": "AKIAJ7QALICE2XK5M3PW"},
              "eventTime": t, "eventSource": "ec2.amazonaws.com", "eventName": "DescribeInstances",
              "awsRegion": region, "sourceIPAddress": "203.0.113.24", "userAgent": "aws-cli/2.15.0",
              "requestParameters": {"instancesSet": {}, "filterSet": {}}, "responseElements": None,
              "eventID": f"{region}-{i:06d}", "readOnly": True, "eventType": "AwsApiCall",
              "managementEvent": True, "recipientAccountId": "111122223333", "eventCategory": "Management"},
              separators=(",", ":")))
PY
fi
rm -f "$OUT/url"
"$TARGET_DIR/release/examples/lookup-server" --now 2017-06-03T00:00:00Z "$OUT/events.ndjson" > "$OUT/url" &
SERVER=$!
trap 'kill $SERVER' EXIT
while [ ! -s "$OUT/url" ]; do sleep 0.1; done
URL=$(head -1 "$OUT/url")
export AWS_ACCESS_KEY_ID=AKIACTTESTKEY0000001 AWS_SECRET_ACCESS_KEY=ct-test-secret-key-not-a-real-one
export AWS_REGION=us-east-1 AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true
echo "$N events in each of 2 regions, server $URL (2 requests a second per region)"

start=$(date +%s.%N)
"$TARGET_DIR/release/ct-fetch" --lookup --endpoint-url "$URL" --region us-east-1 --region eu-west-1 \
  --start 2017-06-01 --end 2017-06-03 > "$OUT/ct.ndjson" 2> "$OUT/ct.err"
end=$(date +%s.%N)
got=$(wc -l < "$OUT/ct.ndjson")
requests=$(grep -o '[0-9]* requests' "$OUT/ct.err" | head -1 | cut -d' ' -f1)
throttled=$({ grep -o '[0-9]* throttled' "$OUT/ct.err" || true; } | head -1 | cut -d' ' -f1)
awk -v n="$N" -v got="$got" -v s="$start" -v e="$end" -v r="$requests" -v th="${throttled:-0}" 'BEGIN {
  t = e - s
  printf "ct-fetch --lookup, 2 regions at once: %d events in %.1f s, %.1f events/s per region, %d requests, %d throttled\n", got, t, got / 2 / t, r, th
}'
[ "$got" = $((2 * N)) ] || { echo "ct-fetch returned $got events, not $((2 * N))"; exit 1; }

AWS=$TARGET_DIR/venv-awscli/bin/aws
if [ -x "$AWS" ]; then
  start=$(date +%s.%N)
  "$AWS" cloudtrail lookup-events --endpoint-url "$URL" --region us-east-1 \
    --start-time 2017-06-01T00:00:00Z --end-time 2017-06-03T00:00:00Z > "$OUT/cli.json" 2> "$OUT/cli.err" || true
  end=$(date +%s.%N)
  got=$("$TARGET_DIR/release/ct-unzip" -q "$OUT/cli.json" 2> /dev/null | wc -l || true)
  awk -v got="$got" -v s="$start" -v e="$end" -v v="$("$AWS" --version 2>&1 | cut -d' ' -f1)" 'BEGIN {
    t = e - s
    printf "%s lookup-events, 1 region: %d events in %.1f s, %.1f events/s\n", v, got, t, got / t
  }'
  if [ -s "$OUT/cli.err" ]; then sed -n '1,3s/^/  aws: /p' "$OUT/cli.err"; fi
else
  echo "(no AWS CLI at $AWS: tests/lookup-cli.sh makes it)"
fi
