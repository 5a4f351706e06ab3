#!/usr/bin/env bash
# Gate quality: does `ct-policy check --policy P` pass a role's real job when P is a correct
# least-privilege policy, and fail every call the role must never make?
#
# For each role of the `ct-synth roles` scenarios (bench/out/roles, and its more/ for the roles
# outside the policy-quality figures), with the hand-written oracle policy
# bench/roles/oracle-ROLE.json:
#   1. the role's successful calls of the last day, each event checked alone, in events mode
#      (`ct-policy check`) and in records mode (`ct-actions | ct-policy check`): every one the
#      gate refuses is a false failure; the whole day at once in both modes, as a CI step runs it;
#   2. the never-needed requests of judge.ndjson written as CloudTrail events of the role
#      (attacks/ROLE.ndjson, one per line, named in attacks/ROLE.what), each checked alone in
#      both modes: every one the gate passes is a missed attack; also with --unknown allow, to
#      count the attacks caught only because a decision was Unknown;
#   3. the oracle itself asked of `ct-policy simulate` on every check of judge.ndjson, as
#      bench/policy-quality.sh does: it must allow every legit request and refuse every never
#      one, or a false failure or a miss is the policy's and not the gate's.
# Exit status of check: 0 pass, 1 fail, 2 error (counted apart: an error fails a CI step, but
# is no verdict). After the table: the findings of the false failures (decision, action, the
# keys the logs did not show, the resources), the missed attacks with the actions and resources
# the gate allowed, and the attacks caught only as Unknown; all kept in bench/out/gate-quality/
# (false-failures.tsv, attacks.tsv). See bench/README.md, "Gate quality".
#
# Usage: bench/gate-quality.sh            (make bench-gate)
# Env:   OUT (default bench/out), SEED (42, for a scenario written here), UNKNOWN (deny, the
#        default of check; or allow). An existing scenario is used as it is.
set -euo pipefail
cd "$(dirname "$0")/.."

OUT=${OUT:-bench/out}
SEED=${SEED:-42}
UNKNOWN=${UNKNOWN:-deny}
SCEN=$OUT/roles
WORK=$OUT/gate-quality
BIN=${CARGO_TARGET_DIR:-target}/release
ROLES=(build-agent data-pipeline ci-role deployer)
# The scenario folder of each role: deployer is one of the more/ scenarios.
scen_of() { if [ "$1" = deployer ]; then echo "$SCEN/more"; else echo "$SCEN"; fi; }

command -v jq >/dev/null || { echo "gate-quality.sh: needs jq" >&2; exit 2; }
cargo build --release --locked -q -p ct-synth -p ct-unzip -p ct-filter -p ct-actions -p ct-policy
# A scenario written before the attack events existed lacks them: write it again (the same
# seed gives the same day files, so policy-quality's figures do not move).
if [ ! -f "$SCEN/attacks/deployer.ndjson" ] || [ ! -f "$SCEN/more/judge.ndjson" ]; then
  "$BIN/ct-synth" roles "$SCEN" --seed "$SEED"
fi
rm -rf "$WORK" && mkdir -p "$WORK"

# gate MODE POLICY FINDINGS [--unknown X]: checks standard input; prints the exit status.
gate() {
  local mode=$1 pol=$2 out=$3 rc=0; shift 3
  if [ "$mode" = events ]; then
    # The whole trail, as a CI step gives it, for the tags other calls set on the resources.
    "$BIN/ct-policy" check -q --policy "$pol" --trail "$TRAIL" "$@" > "$out" 2>> "$WORK/check.err" || rc=$?
  else
    { "$BIN/ct-actions" -q | "$BIN/ct-policy" check -q --policy "$pol" "$@" > "$out"; } 2>> "$WORK/check.err" || rc=$?
  fi
  echo "$rc"
}

# The findings of FILE, one per line: "decision action[ (unknown: keys)]<TAB>resources".
findings() {
  jq -r '"\(.decision) \(.action)" + (if (.unknown // []) == [] then "" else " (unknown: \(.unknown | join(", ")))" end)
         + "\t" + (.resources | if length == 0 then "(none)" else join(" ") end)' "$1"
}

# simulate_all ROLE SCEN POLICY: prints "legit_ok legit_n never_ok never_n" (policy-quality's judge).
simulate_all() {
  local role=$1 scen=$2 pol=$3 lok=0 ln=0 nok=0 nn=0 kind rest allowed check
  while IFS=$'\t' read -r kind rest; do
    allowed=1
    IFS=$'\t' read -ra checks <<< "$rest"
    for check in "${checks[@]}"; do
      read -ra args <<< "$check"
      if ! "$BIN/ct-policy" simulate --policy "$pol" "${args[@]}" > /dev/null 2>> "$WORK/simulate.err"; then
        allowed=0
        break
      fi
    done
    if [ "$kind" = legit ]; then
      ln=$((ln + 1)); [ $allowed = 0 ] || lok=$((lok + 1))
    else
      nn=$((nn + 1)); [ $allowed = 1 ] || nok=$((nok + 1))
    fi
  done < <(jq -r --arg r "$role" 'select(.role == $r)
    | [.kind] + [.checks[] | (["--action", .action, "--resource", .resource]
        + [.context | to_entries[] | .key as $k | .value[] | "--context", "\($k)=\(.)"]) | join(" ")]
    | @tsv' "$scen/judge.ndjson")
  echo "$lok $ln $nok $nn"
}

rows=()
declare -A tot
add() { tot[$1]=$(( ${tot[$1]:-0} + $2 )); }
# role TAB mode TAB eventName TAB finding TAB resources, one line per finding of a false failure.
: > "$WORK/false-failures.tsv"
# role TAB n TAB what TAB eventName TAB exit (events) TAB exit (records) TAB exit (events,
# --unknown allow) TAB the events-mode findings, one line per attack.
: > "$WORK/attacks.tsv"
for role in "${ROLES[@]}"; do
  scen=$(scen_of "$role")
  pol=bench/roles/oracle-$role.json
  TRAIL=$scen/days
  last=$(find "$scen/days" -name 'day-*.ndjson' | sed 's/.*day-\([0-9]*\)\.ndjson/\1/' | sort -n | tail -1)
  "$BIN/ct-filter" --role "$role" --no-error "$scen/days/day-$last.ndjson" > "$WORK/$role.legit"

  # 1. The legit calls, one at a time, then the whole day.
  n=0 ffe=0 ffr=0 errs=0
  while IFS= read -r ev; do
    n=$((n + 1))
    name=$(jq -r .eventName <<< "$ev")
    for mode in events records; do
      f=$WORK/$role.legit.$n.$mode.json
      rc=$(gate "$mode" "$pol" "$f" --unknown "$UNKNOWN" <<< "$ev")
      case $rc in
        0) rm -f "$f"; continue ;;
        1) if [ "$mode" = events ]; then ffe=$((ffe + 1)); else ffr=$((ffr + 1)); fi ;;
        *) errs=$((errs + 1)); echo "error (exit $rc): $(tail -1 "$WORK/check.err")" > "$f" ;;
      esac
      if [ "$rc" = 1 ]; then findings "$f"; else cat "$f"; fi | sed "s|^|$role\t$mode\t$name\t|" >> "$WORK/false-failures.tsv"
    done
  done < "$WORK/$role.legit"
  we=$(gate events "$pol" "$WORK/$role.day.events.json" --unknown "$UNKNOWN" < "$WORK/$role.legit")
  wr=$(gate records "$pol" "$WORK/$role.day.records.json" --unknown "$UNKNOWN" < "$WORK/$role.legit")
  day="exit $we/$wr, $(wc -l < "$WORK/$role.day.events.json")/$(wc -l < "$WORK/$role.day.records.json") findings"

  # 2. The attacks, one at a time.
  a=0 ce=0 cr=0 cu=0
  exec 3< "$SCEN/attacks/$role.what"
  while IFS= read -r ev && IFS= read -r what <&3; do
    a=$((a + 1))
    name=$(jq -r .eventName <<< "$ev")
    f=$WORK/$role.attack.$a.events.json
    rce=$(gate events "$pol" "$f" --unknown "$UNKNOWN" <<< "$ev")
    rcr=$(gate records "$pol" "$WORK/$role.attack.$a.records.json" --unknown "$UNKNOWN" <<< "$ev")
    rca=$(gate events "$pol" /dev/null --unknown allow <<< "$ev")
    [ "$rce" != 1 ] || ce=$((ce + 1))
    [ "$rcr" != 1 ] || cr=$((cr + 1))
    # Caught only because a decision was Unknown: --unknown allow lets it through.
    [ "$rce" != 1 ] || [ "$rca" != 0 ] || cu=$((cu + 1))
    [ "$rce" != 2 ] && [ "$rcr" != 2 ] || errs=$((errs + 1))
    if [ "$rce" = 1 ]; then
      why=$(findings "$f" | cut -f1 | paste -sd';' -)
    else
      # Nothing refused: what the gate saw, from the call's action records.
      why="allowed: $("$BIN/ct-actions" -q <<< "$ev" | jq -r '"\(.action) on \(.resources // [] | join(" "))"' | paste -sd';' -)"
    fi
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$role" "$a" "$what" "$name" "$rce" "$rcr" "$rca" "$why" >> "$WORK/attacks.tsv"
  done < "$SCEN/attacks/$role.ndjson"
  exec 3<&-

  # 3. The oracle under the simulator.
  read -r lok ln nok nn <<< "$(simulate_all "$role" "$scen" "$pol")"

  rows+=("$(printf '%-14s %5s %9s %9s   %-28s %7s %9s %9s %9s   %s' "$role" "$n" "$ffe" "$ffr" "$day" "$a" "$ce" "$cr" "$cu" \
    "$lok/$ln $nok/$nn")")
  [ "$errs" = 0 ] || rows+=("$(printf '%-14s %s checks ended in an error (exit 2), see %s' "" "$errs" "$WORK/check.err")")
  add n "$n"; add ffe "$ffe"; add ffr "$ffr"; add a "$a"; add ce "$ce"; add cr "$cr"; add cu "$cu"
done

echo
echo "Gate quality: ct-policy check --unknown $UNKNOWN with bench/roles/oracle-ROLE.json (scenario $SCEN, work files in $WORK)"
printf '%-14s %5s %19s   %-28s %7s %19s %9s   %s\n' '' legit 'false failures' 'whole day (events/records)' attacks 'caught' 'only as' 'oracle simulate'
printf '%-14s %5s %9s %9s   %-28s %7s %9s %9s %9s   %s\n' role calls events records '' '' events records Unknown 'legit never'
printf '%s\n' "${rows[@]}"
printf '%-14s %5s %9s %9s   %-28s %7s %9s %9s %9s\n' all "${tot[n]}" "${tot[ffe]}" "${tot[ffr]}" '' "${tot[a]}" "${tot[ce]}" "${tot[cr]}" "${tot[cu]}"

echo
echo "False failures: calls x finding (mode, event name, the finding; resources of the first such call)"
awk -F'\t' '{ k = $1 "\t" $2 "\t" $3 "\t" $4; if (!(k in n)) { order[++m] = k; res[k] = $5 } n[k]++ }
  END { for (i = 1; i <= m; i++) { split(order[i], f, "\t");
          printf "  %-13s %-7s %3d x %-38s %s\n        on %s\n", f[1], f[2], n[order[i]], f[3], f[4], res[order[i]] } }' \
  "$WORK/false-failures.tsv"
echo
echo "Missed attacks (passed in events or records mode) and errors:"
awk -F'\t' '$5 != 1 || $6 != 1 { printf "  %-13s %2d %-50s %-28s events %s records %s: %s\n", $1, $2, $3, $4, $5, $6, $8; k++ }
  END { if (!k) print "  none" }' "$WORK/attacks.tsv"
echo
echo "Attacks caught only as Unknown (passed with --unknown allow):"
awk -F'\t' '$5 == 1 && $7 == 0 { printf "  %-13s %2d %-50s %-28s %s\n", $1, $2, $3, $4, $8; k++ }
  END { if (!k) print "  none" }' "$WORK/attacks.tsv"
