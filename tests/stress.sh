#!/usr/bin/env bash
# Memory under hostile volume (not part of make test: minutes, release build): a 5 GB NDJSON
# stream (11.8 million lines of 424 bytes) through a pipe into ct-unzip, ct-filter and
# ct-actions, and a gzip bomb that inflates to 2 GiB inside one document. Prints the peak RSS
# of each tool (GNU time).
# Usage: tests/stress.sh [BINDIR]   (default target/release)
set -eu  # no pipefail: `yes` ends on SIGPIPE by design
cd "$(dirname "$0")/.."
BIN=$(cd "${1:-target/release}" && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
LINE='{"eventVersion":"1.08","userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::111122223333:assumed-role/deploy-agent/s"},"eventTime":"2017-06-01T13:05:42Z","eventSource":"ec2.amazonaws.com","eventName":"DescribeInstances","awsRegion":"ap-southeast-2","sourceIPAddress":"198.51.100.20","requestParameters":{"instancesSet":{"items":[{"instanceId":"i-0123456789abcdef0"}]}},"eventID":"e","recipientAccountId":"111122223333"}'
peak() { awk -F': ' '/Maximum resident/ {printf "%.0f MiB", $2 / 1024}' "$1"; }

yes "$LINE" | head -n 11800000 | /usr/bin/time -v "$BIN/ct-unzip" -q 2> "$WORK/unzip.time" | wc -l > "$WORK/unzip.count"
echo "5 GB NDJSON stream | ct-unzip: $(cat "$WORK/unzip.count") events, peak RSS $(peak "$WORK/unzip.time")"
yes "$LINE" | head -n 11800000 | /usr/bin/time -v "$BIN/ct-filter" --event-name DescribeInstances --start 2017-06-01 2> "$WORK/filter.time" | wc -l > "$WORK/filter.count"
echo "5 GB NDJSON stream | ct-filter: $(cat "$WORK/filter.count") events, peak RSS $(peak "$WORK/filter.time")"
yes "$LINE" | head -n 11800000 | /usr/bin/time -v "$BIN/ct-actions" -q -j 1 2> "$WORK/actions.time" > /dev/null
echo "5 GB NDJSON stream | ct-actions -j 1: peak RSS $(peak "$WORK/actions.time")"

# A gzip bomb: a delivery file whose one document inflates to 2 GiB of spaces.
{ printf '{"Records":[%s,' "$LINE"; head -c 2147483648 /dev/zero | tr '\0' ' '; printf '%s]}' "$LINE"; } | gzip -1 > "$WORK/bomb.json.gz"
set +e
/usr/bin/time -v "$BIN/ct-unzip" "$WORK/bomb.json.gz" > "$WORK/bomb.out" 2> "$WORK/bomb.err"
status=$?
set -e
echo "gzip bomb ($(wc -c < "$WORK/bomb.json.gz") bytes -> 2 GiB): status $status, $(wc -l < "$WORK/bomb.out") event(s) out, peak RSS $(peak "$WORK/bomb.err")"
grep -v '^\s' "$WORK/bomb.err" | grep 'ct-unzip' | head -3
