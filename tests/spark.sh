#!/usr/bin/env bash
# The Spark job (spark/ct_spark.py) in local mode (local[2]) gives exactly the single-machine
# result: for a generated tree of three accounts (one of them alone, two under an organization
# trail's folder), seven regions and duplicate deliveries across unit boundaries, over a window
# cut inside days, the action records it writes for the units of `ct-fetch --plan N`, N = 1, 4,
# 13 and 40 (the plan's floor is a unit per account and region: 40 cuts inside days), are byte
# for byte those of
#   ct-fetch TREE --start S --end E --stdout | ct-unzip --dedupe | ct-filter --start S --end E | ct-actions
# With --events and a filter it writes the same events as that pipeline with the filter (as
# sorted lines); with --policy, the policy ct-policy writes from the same records; a unit that
# fails fails the job, which then writes nothing. tests/units.sh proves the same without Spark.
#
# Usage: tests/spark.sh [BINDIR]   (default ${CARGO_TARGET_DIR:-target}/debug; needs ct-fetch,
# ct-unzip, ct-filter, ct-actions, ct-policy and ct-synth there, as cargo test builds them).
# PySpark (pinned in spark/env.sh) is installed once into a virtualenv under
# ${CARGO_TARGET_DIR:-target}/venv-spark (about 320 MB); Java 17 is $JAVA_HOME, or
# /usr/lib/jvm/java-17-openjdk-*, or java on PATH.
# Without Java 17, python3 or PyPI this prints SKIP and exits 0. KEEP=1 keeps the work folder.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
TARGET=${CARGO_TARGET_DIR:-target}
BIN=$(cd "${1:-$TARGET/debug}" && pwd)
VENV=$TARGET/venv-spark

skip() {
  echo "SKIP spark: $1"
  exit 0
}

for tool in ct-fetch ct-unzip ct-filter ct-actions ct-policy ct-synth; do
  [ -x "$BIN/$tool" ] || { echo "FAIL spark: $BIN/$tool is missing (run cargo test first)"; exit 1; }
done

# Java 17 and PySpark (spark/env.sh), or SKIP.
# shellcheck source=../spark/env.sh
. spark/env.sh
spark_env "$VENV" || skip "$SPARK_WHY"

# No ct tool on PATH: the job must find the binaries it is given (--bin, --archives).
clean=
IFS=: read -ra dirs <<< "$PATH"
for d in "${dirs[@]}"; do [ -x "$d/ct-fetch" ] || clean=${clean:+$clean:}$d; done
export PATH=$clean

WORK=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$WORK"' EXIT
[ -z "${KEEP:-}" ] || echo "work in $WORK"
fails=0
pass() { echo "ok   spark: $1"; }
fail() {
  echo "FAIL spark: $1"
  fails=$((fails + 1))
}

# The tree: three accounts of two days each, with seeds of their own (unique event IDs); the
# first alone under AWSLogs/, the others under an organization's folder. Then every fourth log
# file delivered again 20 minutes later under another name (a duplicate delivery, inside the
# lag, often in the next unit's window), kept within the day folder its name says.
TREE=$WORK/tree
mkdir -p "$TREE/AWSLogs/o-a1b2c3d4e5"
for gen in 111122223333:AWSLogs 444455556666:AWSLogs/o-a1b2c3d4e5 777788889999:AWSLogs/o-a1b2c3d4e5; do
  account=${gen%%:*}
  "$BIN/ct-synth" tree "$WORK/gen-$account" --size 8M --days 2 --start 2024-03-01 --account "$account" \
    --seed "${account:0:4}" > /dev/null 2>&1
  mv "$WORK/gen-$account/AWSLogs/$account" "$TREE/${gen#*:}/"
done
while read -r f; do
  name=$(basename "$f")
  stamp=$(sed -E 's/.*_([0-9]{8}T[0-9]{4}Z)_.*/\1/' <<< "$name")
  [ "${stamp:9:2}" -lt 23 ] || continue
  at=$(date -u -d "${stamp:0:4}-${stamp:4:2}-${stamp:6:2} ${stamp:9:2}:${stamp:11:2}:00Z" +%s)
  cp "$f" "$(dirname "$f")/${name/_${stamp}_/_$(date -u -d "@$((at + 1200))" +%Y%m%dT%H%MZ)_}"
done < <(find "$TREE" -path '*/CloudTrail/*' -name '*.json.gz' | sort | awk 'NR % 4 == 0')

# The window, cut inside both days; the single-machine results.
S=2024-03-01T05:17:00Z E=2024-03-02T19:43:59Z
FILTER=(--event-name 'Describe*' --event-name 'Get*')
POLICY_FILTER=(--role terraform-apply --event-source s3.amazonaws.com)
fetch() { "$BIN/ct-fetch" "$TREE" --start "$S" --end "$E" -q "$@"; }
# ct-filter exits 1 when nothing matched; every filter here matches something.
fetch --stdout | "$BIN/ct-unzip" -q --dedupe | "$BIN/ct-filter" --start "$S" --end "$E" > "$WORK/events"
"$BIN/ct-actions" -q "$WORK/events" > "$WORK/want.actions"
"$BIN/ct-filter" "${FILTER[@]}" "$WORK/events" | LC_ALL=C sort > "$WORK/want.events"
"$BIN/ct-filter" "${POLICY_FILTER[@]}" "$WORK/events" | "$BIN/ct-actions" -q > "$WORK/want.policy.actions"
"$BIN/ct-policy" "$WORK/want.policy.actions" > "$WORK/want.policy.json" 2> /dev/null

# The tree is what this test claims: duplicates that matter, accounts of both kinds.
files=$(find "$TREE" -path '*/CloudTrail/*' -name '*.json.gz' | wc -l)
all=$(fetch --stdout | "$BIN/ct-unzip" -q | "$BIN/ct-filter" --start "$S" --end "$E" | wc -l)
events=$(wc -l < "$WORK/events")
if [ "$all" -gt "$events" ] && [ "$(wc -l < "$WORK/want.actions")" -gt 100 ] && [ -s "$WORK/want.events" ] \
    && [ -s "$WORK/want.policy.json" ]; then
  pass "the tree: $files log files, $events events in the window, $((all - events)) more delivered twice"
else
  fail "the tree is not what the test needs: $files files, $events events, $all with duplicates"
fi

# submit NAME SPECS OUT [JOB OPTIONS]: the job in local mode, with the binaries of BINDIR
# (--bin), or with --archives and the job's default --bin when SHIP names a tarball; its log
# in $WORK/NAME.log.
submit() {
  local name=$1 specs=$2 out=$3 ship=()
  shift 3
  if [ -n "${SHIP:-}" ]; then ship=(--archives "$SHIP#ct"); else set -- --bin "$BIN" "$@"; fi
  timeout 300 spark-submit --master 'local[2]' --conf spark.ui.enabled=false "${ship[@]}" \
    "$ROOT/spark/ct_spark.py" --specs "$specs" --out "$out" "$@" > "$WORK/$name.log" 2>&1
}
# The job's reason for failing, from its log: the first lines of a ct tool or of the Python error.
why() { grep -m3 -E '^ct-|Error|error' "$WORK/$1.log" | cut -c1-300; }

plan() { fetch --plan "$1" > "$WORK/plan-$1"; }
for n in 1 4 13 40; do
  plan "$n"
  units=$(wc -l < "$WORK/plan-$n")
  start=$(date +%s%N)
  if ! submit "actions-$n" "$WORK/plan-$n" "$WORK/actions-$n"; then
    fail "N=$n ($units units): the job failed: $(why "actions-$n")"
  elif ! cmp -s "$WORK/want.actions" "$WORK/actions-$n"; then
    fail "N=$n ($units units): the action records differ from the single run's: $(cmp "$WORK/want.actions" "$WORK/actions-$n" 2>&1)"
  else
    pass "N=$n: $units units, $(wc -l < "$WORK/actions-$n") action records equal byte for byte ($(( ($(date +%s%N) - start) / 1000000 )) ms)"
  fi
done

# Units cut inside days, as well as by account, organization and region.
cuts=$(grep -v "\"start\":\"$S\"" "$WORK/plan-40" | grep -vc '"start":"[0-9-]*T00:00:00Z"' || true)
if grep -q '"org":"o-a1b2c3d4e5"' "$WORK/plan-40" && [ "$cuts" -gt 5 ]; then
  pass "N=40: units of both kinds of account, $cuts of them starting inside a day"
else
  fail "N=40: the plan has $cuts units starting inside a day, or lacks the organization's accounts"
fi

# --events: a distributed ct-filter, its part files the single run's events.
if ! submit events "$WORK/plan-40" "$WORK/events-out" --events --filter "${FILTER[*]@Q}"; then
  fail "--events: the job failed: $(why events)"
elif ! cat "$WORK/events-out"/part-* | LC_ALL=C sort | cmp -s - "$WORK/want.events"; then
  fail "--events: $(cat "$WORK/events-out"/part-* | wc -l) events, the single run has $(wc -l < "$WORK/want.events")"
else
  pass "--events --filter ${FILTER[*]}: the $(wc -l < "$WORK/want.events") events of the single run"
fi

# --policy: the policy of the merged records, as ct-policy writes it on one machine. The
# binaries reach the job as they would on a cluster: a tarball laid out as make dist makes it
# (ct/bin/; links to BINDIR here), shipped with --archives ct.tar.gz#ct, found by the default --bin.
mkdir -p "$WORK/dist/ct/bin"
for tool in ct-fetch ct-filter ct-actions ct-policy; do ln -s "$BIN/$tool" "$WORK/dist/ct/bin/"; done
tar -C "$WORK/dist" -czf "$WORK/ct.tar.gz" ct
if ! SHIP=$WORK/ct.tar.gz submit policy "$WORK/plan-13" "$WORK/policy" --policy --filter "${POLICY_FILTER[*]}"; then
  fail "--policy: the job failed: $(why policy)"
elif ! cmp -s "$WORK/want.policy.actions" "$WORK/policy" || ! cmp -s "$WORK/want.policy.json" "$WORK/policy.policy.json"; then
  fail "--policy: the records or the policy differ from the single run's"
else
  pass "--policy --filter ${POLICY_FILTER[*]}: records and policy ($(wc -c < "$WORK/policy.policy.json") bytes) equal, binaries from --archives"
fi

# A unit that fails (its source is gone: ct-fetch exits 2) fails the job, and nothing is written.
{ head -2 "$WORK/plan-4"; head -1 "$WORK/plan-4" | sed "s|\"source\":\"[^\"]*\"|\"source\":\"$WORK/gone\"|"; } > "$WORK/plan-bad"
if submit bad "$WORK/plan-bad" "$WORK/bad"; then
  fail "a failing unit: the job succeeded"
elif [ -e "$WORK/bad" ]; then
  fail "a failing unit: the job failed but wrote $WORK/bad"
elif ! grep -q "ct-fetch: $WORK/gone" "$WORK/bad.log"; then
  fail "a failing unit: the job failed, but not for ct-fetch's reason: $(why bad)"
else
  pass "a failing unit (ct-fetch exit 2) fails the job, which writes nothing"
fi

if [ "$fails" -gt 0 ]; then
  echo "$fails spark case(s) failed"
  exit 1
fi
echo "all spark cases passed (pyspark $PYSPARK_VERSION, local[2], Java $("$JAVA_HOME/bin/java" -version 2>&1 | head -1 | cut -d'"' -f2))"
