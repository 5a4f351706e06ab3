#!/usr/bin/env bash
# bench/run.sh [SIZE]: time ct-unzip against the tools people use today (zcat | jq).
#
# Generates (once) a realistic CloudTrail tree of SIZE uncompressed JSON (default 1G) with
# ct-synth into bench/out/tree-SIZE, then times every case in CASES below: median wall time of
# BENCH_RUNS runs (default 3), throughput in MB/s of uncompressed JSON and events/s (totals from
# the tree's manifest.json), the peak RSS of the largest single process, and the speed-up over
# the jq baseline (the first case). Finally it checks once that ct-unzip prints exactly what
# `zcat | jq -c '.Records[]'` prints.
#
# Environment:
#   BENCH_RUNS=N        runs per case (default 3)
#   CT_UNZIP=path       use this ct-unzip instead of building one (e.g. a stand-in script)
#   CT_SYNTH=path       use this ct-synth instead of the one built here
#   CARGO_TARGET_DIR    where cargo builds (default ./target)
#
# Needs only local tools: cargo, zcat, jq, /usr/bin/time (GNU time, for RSS); pigz is used
# when installed. Nothing here touches the network (the build must already resolve offline
# if the machine has no network).
set -euo pipefail
export LC_ALL=C

SIZE=${1:-1G}
RUNS=${BENCH_RUNS:-3}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

# Variables the case commands use:
#   $FILES     the log files (digests excluded), sorted, space-separated (paths have no spaces)
#   $TREE      the tree root handed to ct-unzip: OUT/AWSLogs, so that manifest.json next to
#              it is not mistaken for input; digest files inside must be skipped by the reader
#   $CT_UNZIP  the ct-unzip binary
#   $NDJSON    the same events as NDJSON (ct-unzip's output, made once), for the filter rows
# Prefix every process of a pipeline with T: it records that process's peak RSS.
# A label starting with "[base] " makes that case the baseline of the rows after it (the
# "vs" column); a label starting with "# " only prints a heading.
# ct-filter exits 1 when nothing matched; "|| [ $? = 1 ]" keeps that from failing a case.
CASES=(
    "# unzip: .json.gz tree to NDJSON"   ''
    "[base] zcat | jq -c .Records[]"     'T zcat $FILES | T jq -c ".Records[]" > /dev/null'

    "zcat (floor)"                       'T zcat $FILES > /dev/null'
    "pigz -dc (floor)"                   'T pigz -dc $FILES > /dev/null'
    "ct-unzip -j 1"                      'T "$CT_UNZIP" -j 1 "$TREE" > /dev/null'
    "ct-unzip (all cores)"               'T "$CT_UNZIP" "$TREE" > /dev/null'
    "ct-unzip -j 1 | cat"                'T "$CT_UNZIP" -j 1 "$TREE" | T cat > /dev/null'
    "ct-unzip (all cores) | cat"         'T "$CT_UNZIP" "$TREE" | T cat > /dev/null'

    "# filter: NDJSON in, one core"      ''
    "[base] jq: one event name"          'T jq -c "select(.eventName == \"RunInstances\")" $NDJSON > /dev/null'
    "ct-filter --event-name"             'T "$CT_FILTER" --event-name RunInstances $NDJSON > /dev/null'
    "[base] jq: console logins since"    'T jq -c "select(.eventName == \"ConsoleLogin\" and .eventTime >= \"2024-03-01T00:00:00Z\")" $NDJSON > /dev/null'
    "ct-filter (same query)"             'T "$CT_FILTER" --event-name ConsoleLogin --start "2024-03-01 12:00 AM" $NDJSON > /dev/null || [ $? = 1 ]'
    "[base] jq: what alice did"          'T jq -c "select((.userIdentity.userName == \"alice\" or ((.userIdentity.arn // \"\") | split(\"/\") | last) == \"alice\") and .eventTime >= \"2024-03-01T00:00:00Z\")" $NDJSON > /dev/null'
    "ct-filter (same query)"             'T "$CT_FILTER" --user alice --start "2024-03-01 12:00 AM" $NDJSON > /dev/null || [ $? = 1 ]'
    "[base] jq: stacks in a window"      'T jq -c "select(.eventName == \"CreateStack\" and .eventTime >= \"2024-03-01T13:00:00Z\" and .eventTime <= \"2024-03-02T17:00:00Z\")" $NDJSON > /dev/null'
    "ct-filter (same query)"             'T "$CT_FILTER" --event-name CreateStack --start "2024-03-01 1:00 pm" --end "2024-03-02 5:00 pm" $NDJSON > /dev/null || [ $? = 1 ]'
    "[base] jq: a 6-hour window"         'T jq -c "select(.eventTime >= \"2024-03-01T06:00:00Z\" and .eventTime <= \"2024-03-01T12:00:00Z\")" $NDJSON > /dev/null'
    "ct-filter --start --end"            'T "$CT_FILTER" --start 2024-03-01T06:00:00Z --end 2024-03-01T12:00:00Z $NDJSON > /dev/null || [ $? = 1 ]'

    "# actions: NDJSON in"               ''
    "[base] jq: distinct service:name"   'T jq -r "(.eventSource | split(\".\")[0]) + \":\" + .eventName" $NDJSON | T sort -u > /dev/null'
    "ct-actions -j 1 --text"             'T "$CT_ACTIONS" -q -j 1 --text $NDJSON > /dev/null'
    "ct-actions -j 1 (records)"          'T "$CT_ACTIONS" -q -j 1 $NDJSON > /dev/null'
    "ct-actions (records, all cores)"    'T "$CT_ACTIONS" -q $NDJSON > /dev/null'
    "[base] trailscraper generate (1/8)" 'T trailscraper generate < $TS_INPUT > /dev/null'
    "ct-actions | ct-policy (same 1/8)"  'T "$CT_ACTIONS" -q $TS_NDJSON | T "$CT_POLICY" --resources wildcard --split-dir bench/out/policies > /dev/null 2>&1'

    "# pipeline: .json.gz tree to the events of one name"  ''
    "[base] zcat | jq select"            'T zcat $FILES | T jq -c ".Records[] | select(.eventName == \"RunInstances\")" > /dev/null'
    "ct-unzip -j 1 | ct-filter"          'T "$CT_UNZIP" -j 1 "$TREE" | T "$CT_FILTER" --event-name RunInstances > /dev/null'
    "ct-unzip | ct-filter"               'T "$CT_UNZIP" "$TREE" | T "$CT_FILTER" --event-name RunInstances > /dev/null'
    "ct-filter on the tree"              'T "$CT_FILTER" --event-name RunInstances "$TREE" > /dev/null'
)

die() { echo "bench: $*" >&2; exit 1; }

# --- build ---------------------------------------------------------------------------------
TARGET_DIR=${CARGO_TARGET_DIR:-target}
if [[ -n ${CT_UNZIP:-} ]]; then
    cargo build --release -p ct-synth
else
    cargo build --release -p ct-synth -p ct-unzip -p ct-filter -p ct-actions -p ct-policy
    CT_UNZIP=$TARGET_DIR/release/ct-unzip
fi
CT_SYNTH=${CT_SYNTH:-$TARGET_DIR/release/ct-synth}
CT_FILTER=${CT_FILTER:-$TARGET_DIR/release/ct-filter}
CT_ACTIONS=$(cd "$TARGET_DIR/release" && pwd)/ct-actions
CT_POLICY=$(cd "$TARGET_DIR/release" && pwd)/ct-policy
CT_FILTER=$(cd "$(dirname "$CT_FILTER")" && pwd)/$(basename "$CT_FILTER")
[[ -x $CT_SYNTH ]] || die "no ct-synth at $CT_SYNTH"
[[ -x $CT_UNZIP ]] || die "no ct-unzip at $CT_UNZIP"
CT_UNZIP=$(cd "$(dirname "$CT_UNZIP")" && pwd)/$(basename "$CT_UNZIP")
command -v jq > /dev/null || die "jq is needed for the baseline and the manifest"

# --- data ----------------------------------------------------------------------------------
OUT=bench/out/tree-$SIZE
if [[ ! -f $OUT/manifest.json ]]; then
    echo "generating $OUT ..." >&2
    "$CT_SYNTH" tree "$OUT" --size "$SIZE" --force
fi
TREE=$OUT/AWSLogs
manifest() { jq -r ".$1" "$OUT/manifest.json"; }
JSON_BYTES=$(manifest json_bytes)
RECORDS=$(manifest records)

# The log files, once: CloudTrail/ folders only (not CloudTrail-Digest/), in byte order.
mapfile -t FILE_ARR < <(find "$TREE" -type f -name '*.json.gz' -path '*/CloudTrail/*' | sort)
((${#FILE_ARR[@]} > 0)) || die "no log files under $TREE"
FILES="${FILE_ARR[*]}"
for f in "${FILE_ARR[@]}"; do [[ $f != *[[:space:]]* ]] || die "path with spaces: $f"; done
NDJSON=bench/out/events-$SIZE.ndjson
if [[ ! -s $NDJSON ]]; then
    echo "writing $NDJSON ..." >&2
    "$CT_UNZIP" -q "$TREE" > "$NDJSON"
fi
# trailscraper reads one {"Records":[...]} document: every 8th event, which it takes in time.
TS_NDJSON=bench/out/events-$SIZE.every8.ndjson
TS_INPUT=bench/out/events-$SIZE.every8.records.json
if [[ ! -s $TS_INPUT ]]; then
    awk 'NR % 8 == 1' "$NDJSON" > "$TS_NDJSON"
    { printf '{"Records":['; paste -sd, "$TS_NDJSON"; printf ']}'; } > "$TS_INPUT"
fi
ARG_MAX=$(getconf ARG_MAX)
((${#FILES} < ARG_MAX / 2)) || die "file list too long for one command line (${#FILES} bytes); use a smaller SIZE"

# --- measuring -----------------------------------------------------------------------------
RSS_LOG=$(mktemp)
ERR_LOG=$(mktemp)
trap 'rm -f "$RSS_LOG" "$ERR_LOG"' EXIT
if [[ -x /usr/bin/time ]]; then
    T() { /usr/bin/time -f %M -a -o "$RSS_LOG" "$@"; }
else
    T() { "$@"; }
fi

now() { echo "${EPOCHREALTIME:-$(date +%s.%N)}"; }

# Programs a case runs (the words after each T), for skipping cases whose tool is missing.
missing_tool() {
    local cmd=$1 word prog
    for word in $(grep -oE '(^| )T [^ ]+' <<< "$cmd" | awk '{print $2}'); do
        prog=$(eval "echo $word")
        command -v "$prog" > /dev/null || { echo "$prog"; return 0; }
    done
    return 1
}

# Peak RSS in MiB of the last run (largest single process), or "-" without GNU time.
peak_rss() {
    if [[ -s $RSS_LOG ]]; then
        sort -n "$RSS_LOG" | tail -1 | awk '{printf "%.0f", $1 / 1024}'
    else
        echo "-"
    fi
}

median() { sort -g | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

# --- header --------------------------------------------------------------------------------
CPU=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -1)
echo "# ct bench, $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
echo "machine: $(nproc) CPUs, ${CPU:-unknown CPU}, $(awk '/MemTotal/ {printf "%.0f GiB RAM", $2 / 1048576}' /proc/meminfo), $(uname -sr)"
echo "tools:   $(jq --version), $(zcat --version | head -1)$(command -v pigz > /dev/null && echo ", $(pigz --version 2>&1)")"
echo "ct:      $(git describe --always --dirty 2>/dev/null || echo '?'), ct-unzip=$CT_UNZIP"
printf 'tree:    %s: %d log files, %d records, %d B JSON, %d B gz (%.2f:1), %s .. %s\n' \
    "$OUT" "${#FILE_ARR[@]}" "$RECORDS" "$JSON_BYTES" "$(manifest gz_bytes)" \
    "$(awk -v a="$JSON_BYTES" -v b="$(manifest gz_bytes)" 'BEGIN {print a / b}')" "$(manifest start)" "$(manifest end)"
echo "runs:    $RUNS per case, median wall (min-max); RSS = largest single process, MiB"
echo

# Warm the page cache so the first case is not penalised.
cat "${FILE_ARR[@]}" > /dev/null

printf '%-36s %22s %9s %12s %8s %9s\n' "case" "wall s (min-max)" "MB/s" "events/s" "RSS MiB" "vs base"
printf '%-36s %22s %9s %12s %8s %9s\n' "----" "----------------" "----" "--------" "-------" "-----"
BASE=""
for ((i = 0; i < ${#CASES[@]}; i += 2)); do
    label=${CASES[i]}
    cmd=${CASES[i + 1]}
    if [[ $label == "# "* ]]; then
        echo "${label#\# }"
        continue
    fi
    if [[ -n ${BENCH_CASES:-} && ! $label =~ $BENCH_CASES ]]; then
        continue
    fi
    is_base=""
    if [[ $label == "[base] "* ]]; then
        label=${label#\[base\] }
        is_base=1
    fi
    if tool=$(missing_tool "$cmd"); then
        printf '%-36s %s\n' "$label" "skipped ($tool not installed)"
        continue
    fi
    times=()
    rss_max=0
    failed=""
    for ((r = 0; r < RUNS; r++)); do
        : > "$RSS_LOG"
        t0=$(now)
        # stderr (ct-unzip's summary line) goes to a log, shown only if the case fails.
        if ! eval "$cmd" 2> "$ERR_LOG"; then
            failed=1
            break
        fi
        t1=$(now)
        times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", b - a}')")
        rss=$(peak_rss)
        [[ $rss == "-" ]] && rss_max="-"
        [[ $rss_max != "-" ]] && ((rss > rss_max)) && rss_max=$rss
    done
    if [[ -n $failed ]]; then
        printf '%-36s %s\n' "$label" "FAILED (non-zero exit status); stderr:"
        tail -5 "$ERR_LOG" | sed 's/^/    /'
        continue
    fi
    med=$(printf '%s\n' "${times[@]}" | median)
    lo=$(printf '%s\n' "${times[@]}" | sort -g | head -1)
    hi=$(printf '%s\n' "${times[@]}" | sort -g | tail -1)
    [[ -z $BASE || -n $is_base ]] && BASE=$med
    awk -v l="$label" -v m="$med" -v lo="$lo" -v hi="$hi" -v j="$JSON_BYTES" -v n="$RECORDS" \
        -v rss="$rss_max" -v base="$BASE" 'BEGIN {
            printf "%-36s %22s %9.1f %12.0f %8s %8.2fx\n", l, sprintf("%.2f (%.2f-%.2f)", m, lo, hi),
                j / 1e6 / m, n / m, rss, base / m }'
done
echo

# --- correctness ---------------------------------------------------------------------------
echo "check: ct-filter vs jq select on the same NDJSON ..."
check_filter() {
    local want got
    want=$(jq -c "select($1)" "$NDJSON" | md5sum | cut -d' ' -f1)
    got=$("$CT_FILTER" "${@:2}" "$NDJSON" | md5sum | cut -d' ' -f1)
    if [[ $want == "$got" ]]; then echo "check: OK   ${*:2}"; else echo "check: MISMATCH ${*:2}"; exit 1; fi
}
if [[ -z ${BENCH_CASES:-} || filter =~ $BENCH_CASES ]]; then
    check_filter '.eventName == "RunInstances"' --event-name RunInstances
    check_filter '.eventTime >= "2024-03-01T06:00:00Z" and .eventTime <= "2024-03-01T12:00:00Z"' --start 2024-03-01T06:00:00Z --end 2024-03-01T12:00:00Z
    check_filter '(.userIdentity.userName == "alice" or ((.userIdentity.arn // "") | split("/") | last) == "alice") and .eventTime >= "2024-03-01T00:00:00Z"' --user alice --start '2024-03-01 12:00 AM'
fi

echo "check: ct-unzip -j 1 output vs zcat | jq -c '.Records[]' (same file order) ..."
want=$(zcat $FILES | jq -c '.Records[]' | md5sum | cut -d' ' -f1)
got=$("$CT_UNZIP" -j 1 "$TREE" 2> "$ERR_LOG" | md5sum | cut -d' ' -f1)
if [[ $want == "$got" ]]; then
    echo "check: OK ($got)"
else
    # Same events in another order is a weaker, but still useful, answer.
    want_sorted=$(zcat $FILES | jq -c '.Records[]' | sort | md5sum | cut -d' ' -f1)
    got_sorted=$("$CT_UNZIP" -j 1 "$TREE" 2> "$ERR_LOG" | sort | md5sum | cut -d' ' -f1)
    if [[ $want_sorted == "$got_sorted" ]]; then
        echo "check: MISMATCH (same lines, different order: $got vs $want)"
    else
        echo "check: MISMATCH (jq $want, ct-unzip $got)"
    fi
    tail -3 "$ERR_LOG" | sed 's/^/    /'
    exit 1
fi
