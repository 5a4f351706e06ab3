#!/usr/bin/env bash
# The LookupEvents fake of the tests (tools/ct-fetch/tests/support/lookup.rs) driven by an
# independent client, the AWS CLI v1 from PyPI: what it signs the fake accepts, what the fake
# answers it parses, and each lookup returns exactly the events ct-filter selects from the
# sample trail (same region, window and attribute, management events, each eventID once),
# and the same events as `ct-fetch --lookup` with the same question.
# https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html
#
# Usage: tests/lookup-cli.sh [BINDIR]   (default target/debug; needs ct-unzip, ct-filter and
# examples/lookup-server there, as `cargo test` builds them). The CLI is installed once into a
# virtualenv under ${CARGO_TARGET_DIR:-target}/venv-awscli; without python3 or PyPI this prints
# SKIP and exits 0.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$(cd "${1:-target/debug}" && pwd)
AWSCLI_VERSION=1.46.3
VENV=${CARGO_TARGET_DIR:-target}/venv-awscli

skip() {
  echo "SKIP lookup-cli: $1"
  exit 0
}

for tool in ct-fetch ct-unzip ct-filter examples/lookup-server; do
  [ -x "$BIN/$tool" ] || { echo "FAIL lookup-cli: $BIN/$tool is missing (run cargo test first)"; exit 1; }
done
command -v python3 > /dev/null || skip "python3 is not installed"
if ! "$VENV/bin/aws" --version 2>&1 | grep -q "^aws-cli/$AWSCLI_VERSION "; then
  rm -rf "$VENV"
  python3 -m venv "$VENV" > /dev/null 2>&1 || { rm -rf "$VENV"; skip "python3 -m venv does not work here"; }
  if ! out=$("$VENV/bin/pip" install --disable-pip-version-check -q --timeout 30 --retries 2 \
      "awscli==$AWSCLI_VERSION" 2>&1); then
    rm -rf "$VENV"
    skip "pip cannot install awscli==$AWSCLI_VERSION: $(echo "$out" | tail -1)"
  fi
fi
AWS=$(cd "$VENV/bin" && pwd)/aws

WORK=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill "$server" 2> /dev/null; rm -rf "$WORK"' EXIT
fails=0
pass() { echo "ok   $1"; }
fail() { echo "FAIL $1"; fails=$((fails + 1)); }

"$BIN/ct-unzip" -q tests/data/bucket > "$WORK/events.ndjson"
"$BIN/examples/lookup-server" --now 2017-06-03T00:00:00Z "$WORK/events.ndjson" > "$WORK/url" &
server=$!
for _ in $(seq 100); do
  [ -s "$WORK/url" ] && break
  sleep 0.1
done
URL=$(head -1 "$WORK/url")
[ -n "$URL" ] || { echo "FAIL lookup-cli: lookup-server printed no address"; exit 1; }

# The test key, nothing of the machine's: no profile, no instance metadata. The config file
# asks the CLI to parse timestamps (v1 prints them as received unless told), and TZ=UTC makes
# it print EventTime as 2017-06-01T09:30:41+00:00.
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_DEFAULT_REGION AWS_REGION AWS_ENDPOINT_URL AWS_CA_BUNDLE
printf '[default]\ncli_timestamp_format = iso8601\n' > "$WORK/config"
export AWS_ACCESS_KEY_ID=AKIACTTESTKEY0000001 AWS_SECRET_ACCESS_KEY=ct-test-secret-key-not-a-real-one
export AWS_CONFIG_FILE=$WORK/config AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true
export TZ=UTC
# The CLI retries ThrottlingException itself (legacy mode: 5 attempts, random backoff); more
# attempts make a run of unlucky backoffs under the fake's 2 requests a second impossible.
export AWS_MAX_ATTEMPTS=10

lookup() {
  "$AWS" cloudtrail lookup-events --endpoint-url "$URL" "$@"
}

# The eventIDs of events (NDJSON on stdin), sorted.
ids() {
  python3 -c 'import json, sys
for line in sys.stdin:
    print(json.loads(line)["eventID"])' | sort
}

# Each entry of lookup-events output ($1) agrees with its own CloudTrailEvent; prints the
# first disagreement.
consistent() {
  python3 - "$1" << 'EOF'
import json, sys
for e in json.load(open(sys.argv[1]))["Events"]:
    ev = json.loads(e["CloudTrailEvent"])
    pairs = [("EventId", ev.get("eventID")), ("EventName", ev.get("eventName")),
             ("EventSource", ev.get("eventSource")),
             ("EventTime", ev["eventTime"].replace("Z", "+00:00"))]
    for key, want in pairs:
        if e.get(key) != want:
            print(f"{ev.get('eventID')}: {key} is {e.get(key)!r}, its event says {want!r}")
            sys.exit(1)
EOF
}

# check NAME REGION START END [KEY VALUE CT-FILTER-OPTION]: lookup-events through every page
# against ct-filter over the same events.
n=0
check() {
  local name=$1 region=$2 start=$3 end=$4 attr=() filter=()
  if [ $# -gt 4 ]; then
    attr=(--lookup-attributes "AttributeKey=$5,AttributeValue=$6")
    filter=("$7" "$6")
  fi
  n=$((n + 1))
  if ! lookup --region "$region" --start-time "$start" --end-time "$end" "${attr[@]}" --debug \
      > "$WORK/$n.json" 2> "$WORK/$n.err"; then
    fail "$name: aws exited with an error: $(grep -v ' - DEBUG - ' "$WORK/$n.err" | tail -2)"
    return
  fi
  "$BIN/ct-unzip" -q "$WORK/$n.json" | ids > "$WORK/$n.got"
  { "$BIN/ct-filter" --region "$region" --start "$start" --end "$end" --category management "${filter[@]}" \
      "$WORK/events.ndjson" || [ $? = 1 ]; } | "$BIN/ct-unzip" -q --dedupe | ids > "$WORK/$n.want"
  local got want why requests throttled
  got=$(wc -l < "$WORK/$n.got")
  requests=$(grep -c 'Sending http request' "$WORK/$n.err" || true)
  throttled=$(grep -c 'retry needed: .* ThrottlingException' "$WORK/$n.err" || true)
  want=$(wc -l < "$WORK/$n.want")
  if [ "$want" = 0 ]; then
    fail "$name: ct-filter selects nothing, so this case proves nothing"
  elif ! diff -q "$WORK/$n.want" "$WORK/$n.got" > /dev/null; then
    fail "$name: $got events, ct-filter selects $want; first differences:
$(diff "$WORK/$n.want" "$WORK/$n.got" | head -5)"
  elif ! why=$(consistent "$WORK/$n.json"); then
    fail "$name: $why"
  elif ! CT_NOW=2017-06-03T00:00:00Z "$BIN/ct-fetch" --lookup --endpoint-url "$URL" --region "$region" \
      --start "$start" --end "$end" "${filter[@]}" > "$WORK/$n.ct" 2> "$WORK/$n.cterr"; then
    fail "$name: ct-fetch --lookup failed: $(tail -2 "$WORK/$n.cterr")"
  elif ! ids < "$WORK/$n.ct" | diff -q "$WORK/$n.got" - > /dev/null; then
    fail "$name: ct-fetch --lookup gives $(wc -l < "$WORK/$n.ct") events, the CLI $got"
  else
    pass "$name: $got events, as ct-filter selects and ct-fetch --lookup gives ($requests requests, $throttled throttled and retried)"
  fi
}

WHOLE=(2017-06-01T00:00:00Z 2017-06-03T00:00:00Z)
check "us-east-1, 1 June, EventName=ConsoleLogin" us-east-1 2017-06-01T00:00:00Z 2017-06-01T23:59:59Z \
  EventName ConsoleLogin --event-name
check "ap-southeast-2, whole trail, no attribute (many pages)" ap-southeast-2 "${WHOLE[@]}"
check "us-east-1, Username=alice" us-east-1 "${WHOLE[@]}" Username alice --user
check "ap-southeast-2, EventSource=cloudformation.amazonaws.com" ap-southeast-2 "${WHOLE[@]}" \
  EventSource cloudformation.amazonaws.com --event-source
check "ap-southeast-2, ReadOnly=false" ap-southeast-2 "${WHOLE[@]}" ReadOnly false --read-only
check "us-east-1, AccessKeyId=ASIAJ2WALICECON5OLE8" us-east-1 "${WHOLE[@]}" \
  AccessKeyId ASIAJ2WALICECON5OLE8 --access-key-id
id=$(python3 -c 'import json, sys
print(next(json.loads(l)["eventID"] for l in sys.stdin if json.loads(l)["awsRegion"] == "eu-west-1"))' \
  < "$WORK/events.ndjson")
check "eu-west-1, EventId=$id" eu-west-1 "${WHOLE[@]}" EventId "$id" --event-id

# The CLI's own paging, resumed in a second process: its token carries the fake's NextToken,
# sent again with the same parameters.
if lookup --region us-east-1 --start-time "${WHOLE[0]}" --end-time "${WHOLE[1]}" --max-items 60 \
      > "$WORK/first.json" 2> "$WORK/first.err" \
   && token=$(python3 -c 'import json, sys; print(json.load(sys.stdin)["NextToken"])' < "$WORK/first.json") \
   && lookup --region us-east-1 --start-time "${WHOLE[0]}" --end-time "${WHOLE[1]}" --starting-token "$token" \
      > "$WORK/rest.json" 2> "$WORK/rest.err"; then
  cat "$WORK/first.json" "$WORK/rest.json" | "$BIN/ct-unzip" -q | ids > "$WORK/resumed.got"
  "$BIN/ct-filter" --region us-east-1 --category management "$WORK/events.ndjson" \
    | "$BIN/ct-unzip" -q --dedupe | ids > "$WORK/resumed.want"
  if diff -q "$WORK/resumed.want" "$WORK/resumed.got" > /dev/null; then
    pass "us-east-1 in two runs (--max-items 60, --starting-token): $(wc -l < "$WORK/resumed.got") events"
  else
    fail "us-east-1 in two runs: $(wc -l < "$WORK/resumed.got") events, want $(wc -l < "$WORK/resumed.want")"
  fi
else
  fail "us-east-1 in two runs: $(tail -2 "$WORK/first.err" "$WORK/rest.err" 2> /dev/null)"
fi

# Refusals reach the CLI as the service's errors, by name (`An error occurred (NAME) ...`).
refused() {
  local name=$1 want=$2
  shift 2
  if lookup --region us-east-1 "$@" > "$WORK/refused.out" 2> "$WORK/refused.err"; then
    fail "$name: the CLI succeeded"
  elif grep -q "An error occurred ($want)" "$WORK/refused.err"; then
    pass "$name: $want"
  else
    fail "$name: want $want, the CLI says: $(tail -2 "$WORK/refused.err")"
  fi
}
refused "--page-size 51 (MaxResults)" InvalidMaxResultsException --page-size 51
refused "two lookup attributes" InvalidLookupAttributesException \
  --lookup-attributes AttributeKey=EventName,AttributeValue=ConsoleLogin AttributeKey=Username,AttributeValue=alice
refused "unknown attribute key" InvalidLookupAttributesException \
  --lookup-attributes AttributeKey=UserName,AttributeValue=alice
refused "start after end" InvalidTimeRangeException --start-time 2017-06-02 --end-time 2017-06-01
refused "--event-category management" InvalidEventCategoryException --event-category management
AWS_SECRET_ACCESS_KEY=not-the-secret refused "another secret" InvalidSignatureException
AWS_ACCESS_KEY_ID=AKIAOTHERKEY00000000 refused "another key id" UnrecognizedClientException

if [ $fails -gt 0 ]; then
  echo "$fails lookup-cli case(s) failed"
  exit 1
fi
echo "all lookup-cli cases passed (aws-cli $AWSCLI_VERSION against the LookupEvents fake)"
