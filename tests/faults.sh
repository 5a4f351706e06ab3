#!/usr/bin/env bash
# The whole pipeline under faults (run by `make test` after the cargo tests):
#   a middle stage killed, a reader fed a cut stream, a full disk under ct-fetch -o.
# Each case checks the exit statuses (with pipefail), that errors name what broke, that no
# tool panics, and that nothing is left half-written under a final name.
# Usage: tests/faults.sh [BINDIR]   (default target/debug)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$(cd "${1:-target/debug}" && pwd)
BUCKET=tests/data/bucket
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
fails=0
pass() { echo "ok   $1"; }
fail() { echo "FAIL $1"; fails=$((fails + 1)); }
no_panic() { ! grep -q 'panicked' "$@"; }

# The sample trail as one gzip stream, for the cases below.
"$BIN/ct-fetch" "$BUCKET" --start 2017-06-01 --end '2017-06-02 11:59 pm' --stdout -q > "$WORK/trail.gz"
all=$("$BIN/ct-unzip" -q < "$WORK/trail.gz" | wc -l)

# 1. A middle stage dies after 5,000 bytes, cutting a line: the first stage ends quietly
#    (closed pipe, status 0), the last reports the cut line, and pipefail fails the pipeline.
set +e
"$BIN/ct-unzip" "$BUCKET" 2> "$WORK/1.unzip" \
  | sh -c 'head -c 5000; kill -9 $$' \
  | "$BIN/ct-actions" > "$WORK/1.out" 2> "$WORK/1.actions"
status=("${PIPESTATUS[@]}")
set -e
if [ "${status[0]}" = 0 ] && [ "${status[2]}" = 2 ] && grep -q 'line [0-9]*: invalid JSON' "$WORK/1.actions" \
   && no_panic "$WORK/1.unzip" "$WORK/1.actions"; then
  pass "middle stage killed: first stage exits 0, last names the cut line (statuses ${status[*]})"
else
  fail "middle stage killed: statuses ${status[*]}; $(cat "$WORK/1.unzip" "$WORK/1.actions")"
fi

# 2. A reader fed a stream cut in the middle of a gzip member: the events before the cut come
#    out, one error says so, status 2.
size=$(wc -c < "$WORK/trail.gz")
set +e
head -c $((size / 2)) "$WORK/trail.gz" | "$BIN/ct-unzip" > "$WORK/2.out" 2> "$WORK/2.err"
status=$?
set -e
got=$(wc -l < "$WORK/2.out")
if [ $status = 2 ] && [ "$got" -gt 0 ] && [ "$got" -lt "$all" ] && grep -qi 'truncated\|unexpected end' "$WORK/2.err" \
   && no_panic "$WORK/2.err"; then
  pass "truncated stream: $got of $all events before the cut, status 2"
else
  fail "truncated stream: status $status, $got of $all events; $(cat "$WORK/2.err")"
fi

# 3. The same cut stream through the whole pipeline with pipefail: the pipeline fails (the
#    reader's 2), while what was read is still filtered and mapped.
set +e
(set -o pipefail; head -c $((size / 2)) "$WORK/trail.gz" | "$BIN/ct-unzip" -q 2>/dev/null \
  | "$BIN/ct-filter" --role deploy-agent | "$BIN/ct-actions" -q > "$WORK/3.out")
status=$?
set -e
if [ $status = 2 ] && [ -s "$WORK/3.out" ]; then
  pass "cut stream through the pipeline: status 2 with pipefail, partial results written"
else
  fail "cut stream through the pipeline: status $status"
fi

# 4. A full disk under ct-fetch -o (a file-size limit stands in for it: writes past it fail
#    with EFBIG): status 2, the error names the key, and no file sits under its final name
#    unless it is whole.
mkdir -p "$WORK/mirror"
set +e
(ulimit -f 2; trap '' XFSZ; exec "$BIN/ct-fetch" "$BUCKET" --start 2017-06-01 --end '2017-06-02 11:59 pm' \
  -o "$WORK/mirror") 2> "$WORK/4.err"
status=$?
set -e
partial=$(find "$WORK/mirror" -name '.*.partial' | wc -l)
bad=0
while IFS= read -r f; do
  rel=${f#"$WORK/mirror/"}
  cmp -s "$f" "$BUCKET/$rel" || bad=$((bad + 1))
done < <(find "$WORK/mirror" -type f ! -name '.*')
if [ $status = 2 ] && grep -q 'cannot write' "$WORK/4.err" && [ "$partial" = 0 ] && [ $bad = 0 ] \
   && no_panic "$WORK/4.err"; then
  pass "full disk under -o: status 2, errors name the keys, no partial or short file left"
else
  fail "full disk under -o: status $status, $partial partial and $bad short files; $(head -3 "$WORK/4.err")"
fi
# ... and once there is room again, a second run finishes the mirror.
"$BIN/ct-fetch" "$BUCKET" --start 2017-06-01 --end '2017-06-02 11:59 pm' -o "$WORK/mirror" -q
if diff -r -x '.*' <(cd "$WORK/mirror" && find . -type f ! -name '.*' | sort) \
     <(cd "$BUCKET" && find ./AWSLogs -type f -path '*CloudTrail/*' | sort) > /dev/null; then
  pass "full disk, then room again: the second run completes the mirror"
else
  fail "full disk, then room again: the mirror differs"
fi

# 5. ct-unzip writing into a pipe whose reader is gone at once, many times: always status 0,
#    never a panic.
for _ in 1 2 3; do
  set +e
  "$BIN/ct-unzip" "$BUCKET" 2> "$WORK/5.err" | true
  status=${PIPESTATUS[0]}
  set -e
  if [ "$status" != 0 ] || ! no_panic "$WORK/5.err"; then
    fail "closed reader: ct-unzip status $status"
    break
  fi
done
pass "closed reader: ct-unzip exits 0 quietly"

if [ $fails -gt 0 ]; then
  echo "$fails fault case(s) failed"
  exit 1
fi
echo "all fault cases passed"
