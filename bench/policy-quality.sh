#!/usr/bin/env bash
# Policy quality: how well a policy generated from a role's first days fits its last day.
#
# For each role of the `ct-synth roles` scenario and each ct-policy configuration below, the
# policy is generated from days 1..N-1 and judged against bench/out/roles/judge.ndjson: the
# share of the last day's legitimate requests it allows, and the share of never-needed
# requests (attacks, mistakes) it refuses. A request is allowed iff every one of its checks
# (one per resource AWS authorizes) is Allow in `ct-policy simulate`. Hand-written oracle
# policies (bench/roles/oracle-ROLE.json) show the scenario is satisfiable at 100/100, and
# trailscraper, when installed, is a baseline. See bench/README.md, "Policy quality".
#
# Usage: bench/policy-quality.sh            (make bench-policy)
# Env:   OUT (default bench/out), SEED (42), TRAILSCRAPER (path; default: on PATH or
#        /tmp/tsvenv/bin/trailscraper), KEEP=1 to keep an existing scenario of another seed.
set -euo pipefail
cd "$(dirname "$0")/.."

OUT=${OUT:-bench/out}
SEED=${SEED:-42}
SCEN=$OUT/roles
WORK=$OUT/policy-quality
BIN=${CARGO_TARGET_DIR:-target}/release
ROLES=(build-agent data-pipeline ci-role)
CONFIGS=(
  ""
  "--restrict-region --restrict ec2:InstanceType"
  "--restrict-region --restrict ec2:InstanceType --generalize"
  "--restrict-region --restrict ec2:InstanceType --trail DAYS"
)

command -v jq >/dev/null || { echo "policy-quality.sh: needs jq" >&2; exit 2; }
cargo build --release --locked -q -p ct-synth -p ct-unzip -p ct-filter -p ct-actions -p ct-policy
if [ ! -f "$SCEN/judge.ndjson" ]; then
  "$BIN/ct-synth" roles "$SCEN" --seed "$SEED"
fi
ndays=$(find "$SCEN/days" -name 'day-*.ndjson' | wc -l)
learn=()
for ((i = 1; i < ndays; i++)); do learn+=("$SCEN/days/day-$i.ndjson"); done
rm -rf "$WORK" && mkdir -p "$WORK"

# One line per judged request: kind TAB what TAB check TAB check..., each check being the
# arguments of `ct-policy simulate` (no value in the scenario holds a space).
for role in "${ROLES[@]}"; do
  jq -r --arg r "$role" 'select(.role == $r)
    | [.kind, .what] + [.checks[] | (["--action", .action, "--resource", .resource]
        + [.context | to_entries[] | .key as $k | .value[] | "--context", "\($k)=\(.)"]) | join(" ")]
    | @tsv' "$SCEN/judge.ndjson" > "$WORK/$role.requests"
done

# judge ROLE NAME POLICY...: prints "legit_ok legit_n never_ok never_n" and writes
# WORK/NAME.ROLE.misses, the requests judged wrongly with the first check that decided it.
judge() {
  local role=$1 name=$2; shift 2
  local pol=() p
  for p in "$@"; do pol+=(--policy "$p"); done
  local lok=0 ln=0 nok=0 nn=0 kind what allowed check rest miss=$WORK/$name.$role.misses
  : > "$miss"
  while IFS=$'\t' read -r kind what rest; do
    allowed=1 check=
    IFS=$'\t' read -ra checks <<< "$rest"
    for check in "${checks[@]}"; do
      read -ra args <<< "$check"
      if ! "$BIN/ct-policy" simulate "${pol[@]}" "${args[@]}" > /dev/null 2>> "$WORK/simulate.err"; then
        allowed=0
        break
      fi
    done
    if [ "$kind" = legit ]; then
      ln=$((ln + 1))
      if [ $allowed = 1 ]; then lok=$((lok + 1)); else printf 'refused legit\t%s\t%s\n' "$what" "$check" >> "$miss"; fi
    else
      nn=$((nn + 1))
      if [ $allowed = 0 ]; then nok=$((nok + 1)); else printf 'allowed never\t%s\n' "$what" >> "$miss"; fi
    fi
  done < "$WORK/$role.requests"
  echo "$lok $ln $nok $nn"
}

pct() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "-"; else printf "%.1f", 100 * a / b }'; }
size() { cat "$@" | tr -d ' \t\r\n' | wc -c | tr -d ' '; }

TS=${TRAILSCRAPER:-$(command -v trailscraper || echo /tmp/tsvenv/bin/trailscraper)}
[ -x "$TS" ] || TS=

declare -A tot_lok tot_ln tot_nok tot_nn
rows=()
row() { # label config role result...
  rows+=("$(printf '%-14s %-70s %7s %6s%% %7s %6s%% %6s' "$@")")
}
record() { # label role config lok ln nok nn size
  local label=$1 role=$2 config=$3 lok=$4 ln=$5 nok=$6 nn=$7 sz=$8
  row "$role" "$config" "$lok/$ln" "$(pct "$lok" "$ln")" "$nok/$nn" "$(pct "$nok" "$nn")" "$sz"
  tot_lok[$label]=$(( ${tot_lok[$label]:-0} + lok )); tot_ln[$label]=$(( ${tot_ln[$label]:-0} + ln ))
  tot_nok[$label]=$(( ${tot_nok[$label]:-0} + nok )); tot_nn[$label]=$(( ${tot_nn[$label]:-0} + nn ))
}

labels=()
# --trail DAYS: the learning days' events of every principal, to resolve instance profiles.
cat "${learn[@]}" > "$WORK/trail.ndjson"
for role in "${ROLES[@]}"; do
  cat "${learn[@]}" | "$BIN/ct-filter" --role "$role" > "$WORK/$role.events" || true
  "$BIN/ct-actions" < "$WORK/$role.events" > "$WORK/$role.actions"
  for i in "${!CONFIGS[@]}"; do
    label="ct-policy ${CONFIGS[$i]:-(defaults)}"
    flags=${CONFIGS[$i]//DAYS/$WORK/trail.ndjson}
    [ "$role" = "${ROLES[0]}" ] && labels+=("$label")
    pol=$WORK/ct$i.$role.json split=$WORK/ct$i.$role.split
    # shellcheck disable=SC2086 # flags are words
    if ! "$BIN/ct-policy" $flags --split-dir "$split" < "$WORK/$role.actions" > "$pol" 2> "$WORK/ct$i.$role.err"; then
      if grep -q "unexpected argument\|invalid value\|error: the argument" "$WORK/ct$i.$role.err"; then
        row "$role" "$label" unsupported - - - -
      else
        row "$role" "$label" "error: $(head -c 60 "$WORK/ct$i.$role.err")" - - - -
      fi
      continue
    fi
    files=("$pol")
    [ -s "$pol" ] || files=("$split"/*.json)
    read -r lok ln nok nn <<< "$(judge "$role" "ct$i" "${files[@]}")"
    record "$label" "$role" "$label" "$lok" "$ln" "$nok" "$nn" "$(size "${files[@]}")"
  done
  oracle=bench/roles/oracle-$role.json
  read -r lok ln nok nn <<< "$(judge "$role" oracle "$oracle")"
  [ "$role" = "${ROLES[0]}" ] && labels+=(oracle)
  record oracle "$role" "oracle (bench/roles/oracle-$role.json)" "$lok" "$ln" "$nok" "$nn" "$(size "$oracle")"
  if [ -n "$TS" ]; then
    [ "$role" = "${ROLES[0]}" ] && labels+=(trailscraper)
    pol=$WORK/trailscraper.$role.json
    if jq -s '{Records: .}' "$WORK/$role.events" | "$TS" generate > "$pol" 2> "$WORK/trailscraper.$role.err"; then
      read -r lok ln nok nn <<< "$(judge "$role" trailscraper "$pol")"
      record trailscraper "$role" "trailscraper $("$TS" --version | awk '{print $NF}')" "$lok" "$ln" "$nok" "$nn" "$(size "$pol")"
    else
      row "$role" trailscraper "error" - - - -
    fi
  fi
done

echo
echo "Policy quality: ${#learn[@]} days learnt, day $ndays judged (scenario $SCEN, work files in $WORK)"
printf '%-14s %-70s %7s %7s %7s %7s %6s\n' role config legit '' never '' size
printf '%-14s %-70s %15s %15s %6s\n' '' '' '(allowed)' '(refused)' '(chars)'
printf '%s\n' "${rows[@]}"
echo
echo "Overall (all roles):"
for label in "${labels[@]}"; do
  [ -n "${tot_ln[$label]:-}" ] || { printf '  %-66s unsupported\n' "$label"; continue; }
  printf '  %-66s legit allowed %5s%%  never refused %5s%%\n' "$label" \
    "$(pct "${tot_lok[$label]}" "${tot_ln[$label]}")" "$(pct "${tot_nok[$label]}" "${tot_nn[$label]}")"
done
[ -n "$TS" ] || echo "  trailscraper: not installed (python3 -m venv /tmp/tsvenv && /tmp/tsvenv/bin/pip install trailscraper), skipped"
if [ -s "$WORK/simulate.err" ]; then
  echo "note: ct-policy simulate wrote errors, see $WORK/simulate.err" >&2
fi
