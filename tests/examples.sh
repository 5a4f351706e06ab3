#!/usr/bin/env bash
# Every command the documentation shows, run against the sample trail (make test, after the
# cargo tests), so that an example cannot go stale: the ```sh blocks of README.md and the
# Examples of each tool's --help (which are also its man page's EXAMPLES).
#
# Each command runs under bash -o pipefail, the commands of one block (a ```sh block of the
# README, a tool's --help) one after the other in a fresh copy of a folder that holds what the
# examples name, so that a command can use what the one before it wrote: logs/ (the sample trail, tests/data/bucket), events.ndjson (its events),
# day-*.actions, a few *.json.gz, policy.json (generated from the deploy-agent's events), and
# the policies of tests/examples/ (allowed.json, role.json, org-root.json, ou-ci.json,
# account.json, policies/). s3://trail-bucket and s3://cloudtrail-111122223333 (the bucket
# the sample's signed digests name) are the sample trail served by the tests' S3
# server (reached through AWS_ENDPOINT_URL_S3, as a user of MinIO would), with a copy under
# prefix/; the event history of `ct-fetch --lookup` is the sample's events served by the tests'
# LookupEvents server (AWS_ENDPOINT_URL_CLOUDTRAIL); `aws` is tests/examples/aws, which prints
# saved output; CT_NOW puts "now" just after
# the sample day, so that -1d and -30d mean what they would have then; TZ is
# Australia/Melbourne, for --local; /var/lib/ct is a folder of the copy.
#
# A command passes when it exits 0, or 1 with something on stdout (the answer scripts test
# for: findings, unused grants), and no tool panicked. Not run: `make` and tests/ lines (the
# targets CI runs itself). A command that needs jq is reported as skipped when jq is missing,
# and the summary counts it apart.
# Usage: tests/examples.sh [BINDIR]   (default target/debug; the servers are BINDIR/examples/s3-server
# and BINDIR/examples/lookup-server, as cargo test builds them)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BIN=$(cd "${1:-target/debug}" && pwd)
TOOLS="ct-fetch ct-unzip ct-filter ct-actions ct-policy ct-show ct-verify"
WORK=$(mktemp -d)
server= lookup=
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2> /dev/null || true; fi
  if [ -n "$lookup" ]; then kill "$lookup" 2> /dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# The commands, one per line as "PLACE<TAB>COMMAND", continuation lines joined.
commands='
  function emit(line) {
    if (buf == "") place = where
    if (line ~ /\\$/) { sub(/\\$/, "", line); buf = buf line " "; return }
    print place "\t" block "\t" buf line; buf = ""
  }'
{
  awk "$commands"' /^```sh$/ { on = 1; block = FNR; next } /^```/ { on = 0 } on { where = FILENAME ":" FNR; emit($0) }' README.md
  for tool in $TOOLS; do
    COLUMNS=80 "$BIN/$tool" --help \
      | awk -v t="$tool" "$commands"' /^Examples:$/ { on = 1; block = t; next } on && /^  / { sub(/^  /, ""); where = t " --help"; emit($0); next } on { exit }'
  done
} | awk -F'\t' '$3 !~ /^(make|tests\/)/' > "$WORK/commands"

# What the examples name.
T=$WORK/template
mkdir -p "$T/logs" "$T/policies" "$T/tests/data" "$T/var/lib/ct" "$WORK/s3/trail-bucket/prefix" "$WORK/home"
cp -R tests/data/bucket/AWSLogs "$T/logs/"
ln -s "$ROOT/tests/data/bucket" "$T/tests/data/bucket"
cp -R tests/data/bucket/AWSLogs "$WORK/s3/trail-bucket/"
cp -R tests/data/bucket/AWSLogs "$WORK/s3/trail-bucket/prefix/"
# The bucket the sample's digests name, for ct-verify (digests read from elsewhere are moved).
mkdir -p "$WORK/s3/cloudtrail-111122223333"
cp -R tests/data/bucket/AWSLogs "$WORK/s3/cloudtrail-111122223333/"
find tests/data/bucket -path '*/CloudTrail/ap-southeast-2/2017/06/01/*.json.gz' | sort | head -2 | xargs -I{} cp {} "$T/"
"$BIN/ct-unzip" -q "$T/logs" > "$T/events.ndjson"
for day in 2017-06-01 2017-06-02; do
  "$BIN/ct-filter" --start "$day" --end "$day" "$T/events.ndjson" | "$BIN/ct-actions" -q > "$T/day-$day.actions"
done
"$BIN/ct-filter" --role deploy-agent "$T/events.ndjson" | "$BIN/ct-actions" -q | "$BIN/ct-policy" > "$T/policy.json" 2> /dev/null
cp tests/examples/*.json "$T/"
cp tests/examples/allowed.json tests/examples/role.json "$T/policies/"


"$BIN/examples/s3-server" "$WORK/s3" > "$WORK/url" &
server=$!
for _ in $(seq 100); do [ -s "$WORK/url" ] && break; sleep 0.1; done
url=$(head -1 "$WORK/url")
case "$url" in http://*) ;; *) echo "the S3 server did not start"; exit 2 ;; esac
"$BIN/examples/lookup-server" --now 2017-06-03T00:00:00Z "$T/events.ndjson" > "$WORK/lookup-url" &
lookup=$!
for _ in $(seq 100); do [ -s "$WORK/lookup-url" ] && break; sleep 0.1; done
lookup_url=$(head -1 "$WORK/lookup-url")
case "$lookup_url" in http://*) ;; *) echo "the LookupEvents server did not start"; exit 2 ;; esac

export PATH="$ROOT/tests/examples:$BIN:$PATH" HOME="$WORK/home" CT_NOW=2017-06-02T18:00:00Z TZ=Australia/Melbourne
export AWS_ENDPOINT_URL_S3="$url" AWS_ENDPOINT_URL_CLOUDTRAIL="$lookup_url" AWS_ACCESS_KEY_ID=AKIACTTESTKEY0000001 AWS_SECRET_ACCESS_KEY=ct-test-secret-key-not-a-real-one
export AWS_REGION=us-east-1 AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true
unset COLUMNS AWS_PROFILE AWS_ENDPOINT_URL AWS_IGNORE_CONFIGURED_ENDPOINT_URLS

passed=0 failed=0 skipped=0 n=0
block_seen=
while IFS=$'\t' read -r place block cmd; do
  n=$((n + 1))
  case "$cmd" in '' | '#'*) continue ;; esac
  if [[ $cmd == *jq\ * ]] && ! command -v jq > /dev/null; then
    echo "SKIP $place: needs jq: $cmd"
    skipped=$((skipped + 1))
    continue
  fi
  if [ "$block" != "$block_seen" ]; then
    [ -z "${run:-}" ] || rm -rf "$run"
    run=$WORK/run-$n
    cp -R "$T" "$run"
    block_seen=$block
  fi
  set +e
  (cd "$run" && timeout 120 bash -o pipefail -c "${cmd//\/var\/lib\/ct/$run/var/lib/ct}" \
    > "$WORK/out" 2> "$WORK/err" < /dev/null)
  status=$?
  set -e
  why=
  if grep -q 'panicked' "$WORK/err"; then
    why="a tool panicked"
  elif [ "$status" = 1 ] && [ ! -s "$WORK/out" ]; then
    why="exit 1 with nothing on stdout (nothing matched?)"
  elif [ "$status" != 0 ] && [ "$status" != 1 ]; then
    why="exit $status"
  fi
  if [ -z "$why" ]; then
    echo "ok   $place: $cmd  (exit $status, $(wc -l < "$WORK/out") lines)"
    passed=$((passed + 1))
  else
    echo "FAIL $place: $cmd"
    echo "     $why; stderr:"
    sed -n '1,12s/^/       /p' "$WORK/err"
    failed=$((failed + 1))
  fi
done < "$WORK/commands"

echo "examples: $passed passed, $failed failed, $skipped skipped (they need jq)"
[ "$failed" = 0 ] && [ "$passed" -gt 0 ]
