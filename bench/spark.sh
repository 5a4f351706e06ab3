#!/usr/bin/env bash
# bench/spark.sh [SIZE]: the Spark job (spark/ct_spark.py) in local mode against the single
# pipeline, on the tree of make bench (bench/out/tree-SIZE, default 1G), and how the plan balances.
#
# For the whole tree (two days, 7 regions of one account), times (median of BENCH_RUNS, default 3):
#   single   ct-fetch TREE --start S --end E --stdout | ct-unzip --dedupe | ct-filter --start S --end E | ct-actions
#   spark    spark-submit --master local[2] spark/ct_spark.py --specs PLAN --out OUT, for the plan
#            of ct-fetch --plan N, N = 4, 16 and 64 (its records compared byte for byte with single's)
#   start-up the same job on a plan of no unit: what the engine costs before any work
# and, for each plan, its units and its balance: the largest unit's bytes over the mean unit's
# (1.00 is perfect; the job takes at least as long as its largest unit).
#
# Environment: BENCH_RUNS=N; SPARK_MASTER (default local[2]); CARGO_TARGET_DIR. Needs Java 17
# and PyPI once (spark/env.sh: the virtualenv of make test-spark, under the build directory).
set -euo pipefail
export LC_ALL=C

SIZE=${1:-1G}
RUNS=${BENCH_RUNS:-3}
MASTER=${SPARK_MASTER:-local[2]}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
TARGET_DIR=${CARGO_TARGET_DIR:-target}

die() { echo "bench-spark: $*" >&2; exit 1; }

# --- build, Spark, data ----------------------------------------------------------------------
cargo build --release --locked -p ct-synth -p ct-fetch -p ct-unzip -p ct-filter -p ct-actions
BIN=$(cd "$TARGET_DIR/release" && pwd)
# shellcheck source=../spark/env.sh
. spark/env.sh
spark_env "$TARGET_DIR/venv-spark" || die "$SPARK_WHY"

# The tree of make bench (bench/run.sh makes the same one: same generator, size and seed).
OUT=bench/out/tree-$SIZE
if [[ ! -f $OUT/manifest.json ]]; then
    echo "generating $OUT ..." >&2
    "$BIN/ct-synth" tree "$OUT" --size "$SIZE" --force
fi
TREE=$(cd "$OUT" && pwd)
S=2024-03-01T00:00:00Z E=2024-03-02T23:59:59Z
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

now() { echo "$EPOCHREALTIME"; }
median() { sort -g | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
# timed CMD...: runs it RUNS times, prints the median wall seconds.
timed() {
    local r t0
    for ((r = 0; r < RUNS; r++)); do
        t0=$(now)
        "$@"
        awk -v a="$t0" -v b="$(now)" 'BEGIN {printf "%.2f\n", b - a}'
    done | median
}

single() {
    "$BIN/ct-fetch" "$TREE" --start "$S" --end "$E" --stdout -q | "$BIN/ct-unzip" -q --dedupe \
        | "$BIN/ct-filter" --start "$S" --end "$E" | "$BIN/ct-actions" -q > "$WORK/single.actions"
}
spark() { # PLAN
    rm -f "$WORK/spark.actions"
    spark-submit --master "$MASTER" --conf spark.ui.enabled=false "$ROOT/spark/ct_spark.py" \
        --specs "$1" --out "$WORK/spark.actions" --bin "$BIN" > "$WORK/spark.log" 2>&1 \
        || { tail -20 "$WORK/spark.log" >&2; die "the Spark job failed on $1"; }
}

# --- measure ---------------------------------------------------------------------------------
find "$TREE/AWSLogs" -type f -exec cat {} + > /dev/null   # the page cache, warm for every row
CPU=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2> /dev/null | head -1)
echo "# ct bench-spark, $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
echo "machine: $(nproc) CPUs, ${CPU:-unknown CPU}; Spark $MASTER, pyspark $PYSPARK_VERSION, Java $("$JAVA_HOME/bin/java" -version 2>&1 | head -1 | cut -d'"' -f2)"
echo "tree:    $OUT: $(find "$TREE" -path '*/CloudTrail/*' -name '*.json.gz' | wc -l) log files, $(du -sh "$TREE/AWSLogs" | cut -f1) on disk, window $S .. $E"
echo "runs:    $RUNS per row, median wall"
echo
printf '%-34s %6s %9s %9s %10s\n' "case" "units" "balance" "wall s" "vs single"
printf '%-34s %6s %9s %9s %10s\n' "----" "-----" "-------" "------" "---------"
base=$(timed single)
printf '%-34s %6s %9s %9s %10s\n' "single pipeline" "-" "-" "$base" "-"
: > "$WORK/plan-0"
t=$(timed spark "$WORK/plan-0")
printf '%-34s %6s %9s %9s %10s\n' "spark, no unit (start-up)" 0 "-" "$t" "-"
for n in 4 16 64; do
    "$BIN/ct-fetch" "$TREE" --start "$S" --end "$E" --plan "$n" -q > "$WORK/plan-$n"
    units=$(wc -l < "$WORK/plan-$n")
    balance=$(grep -o '"bytes":[0-9]*' "$WORK/plan-$n" | cut -d: -f2 \
        | awk '{s += $1; if ($1 > m) m = $1} END {printf "%.2f", m / (s / NR)}')
    t=$(timed spark "$WORK/plan-$n")
    cmp -s "$WORK/single.actions" "$WORK/spark.actions" || die "N=$n: the job's records differ from the single run's"
    printf '%-34s %6s %9s %9s %10s\n' "spark, --plan $n" "$units" "$balance" "$t" "$(awk -v a="$t" -v b="$base" 'BEGIN {printf "%+.1f s", a - b}')"
done
echo
echo "check: the job's action records equal the single run's, byte for byte, for every plan"
