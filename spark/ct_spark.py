"""ct on Apache Spark: the units of `ct-fetch --plan` run on the executors, merged by ct-actions.

    spark-submit --master yarn --archives s3://BUCKET/ct.tar.gz#ct ct_spark.py \
        --specs s3://BUCKET/plan.ndjson --out s3://BUCKET/actions.ndjson [--filter '--role deploy-agent']

Each unit (one line of the plan) is one task, which runs the shell pipeline
`ct-fetch --spec - | [ct-filter ARGS |] ct-actions` with RDD.pipe; one last task merges the
action records of every unit with `ct-actions` (its records merge exactly, whatever the split),
and the driver writes the result to --out as one NDJSON file. With --events the filtered events
are written instead, as they come (a distributed ct-filter). The README's section "When one
machine is not enough" tells how to run it on EMR and on Glue.
"""

import argparse
import os
import shlex
import sys

from pyspark import SparkFiles
from pyspark.sql import SparkSession

# Where the binaries are when the tarball of `make dist` (ct/bin/...) is shipped with
# `--archives ct.tar.gz#ct` or --archive: each executor unpacks it into a folder `ct` of its
# working directory (the same path on YARN, EMR and Glue).
ARCHIVED_BIN = "ct/ct/bin"

# What the ct tools read from the environment. RDD.pipe gives its command only the variables
# it is handed (none by default), so the executors' commands get these, taken from the driver:
# credentials and endpoints (AWS_*; on EMR and Glue usually none, the instance profile or the
# job role answers through the instance metadata service), CT_* settings, proxies, certificates.
FORWARDED = ("PATH", "HOME", "TZ", "LANG", "LC_ALL", "SSL_CERT_FILE", "SSL_CERT_DIR",
             "HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY", "https_proxy", "http_proxy", "no_proxy")


def flag(value):
    """A switch given bare (`--events`, spark-submit) or with a value (`--events true`, Glue)."""
    return str(value).lower() in ("1", "true", "yes", "on")


def arguments(argv):
    p = argparse.ArgumentParser(prog="ct_spark.py", description=__doc__.split("\n\n")[0])
    p.add_argument("--specs", required=True, help="the units of ct-fetch --plan, one JSON line each (any path Spark reads)")
    p.add_argument("--out", required=True, help="the action records (one NDJSON file); with --events, a folder of part files")
    p.add_argument("--bin", help=f"the folder of the ct binaries on the executors (default: {ARCHIVED_BIN} "
                                 "from the shipped archive, else PATH)")
    p.add_argument("--archive", help="ship this ct tarball to the executors (SparkContext.addArchive; for Glue)")
    p.add_argument("--filter", default="", help="ct-filter options applied on the executors, e.g. '--role deploy-agent'")
    p.add_argument("--fetch", default="", help="more ct-fetch options for every unit, e.g. '--no-sign-request -j 32'")
    p.add_argument("--events", nargs="?", const="true", default="false", type=flag,
                   help="write the filtered events instead of action records")
    p.add_argument("--policy", nargs="?", const="true", default="false", type=flag,
                   help="also write OUT.policy.json: ct-policy over the merged records")
    p.add_argument("--partitions", type=int, help="tasks of the map stage (default: one per unit)")
    # Glue hands the script its own arguments too (--JOB_NAME ...): leave what is not ours.
    args, _ = p.parse_known_args(argv)
    return args


def quoted(options):
    """Options given as one string, re-quoted word by word for the shell."""
    return " ".join(shlex.quote(word) for word in shlex.split(options))


def command(script, bindirs, explicit):
    """RDD.pipe splits its command like a shell but runs no shell: bash runs the pipeline, with
    pipefail so that a failing ct-fetch (exit 2) fails the task, then the job."""
    if explicit:
        find = f'[ -x {bindirs[0]}/ct-fetch ] || {{ echo "ct_spark: no ct-fetch in {bindirs[0]}" >&2; exit 2; }}; PATH={bindirs[0]}:$PATH'
    else:
        find = f'for d in {" ".join(bindirs)}; do if [ -x "$d/ct-fetch" ]; then PATH=$d:$PATH; break; fi; done'
    return "bash -o pipefail -c " + shlex.quote(f"{find}; {script}")


def write_file(sc, path, text):
    """One file at PATH through Hadoop's file systems, as Spark reads --specs: a local path,
    hdfs://, s3:// (EMRFS on EMR and Glue); no .crc checksum files beside it."""
    jpath = sc._jvm.org.apache.hadoop.fs.Path(path)
    fs = jpath.getFileSystem(sc._jsc.hadoopConfiguration())
    fs.setWriteChecksum(False)
    out = fs.create(jpath, True)
    out.write(bytearray(text.encode("utf-8")))
    out.close()


def main(argv):
    args = arguments(argv)
    spark = SparkSession.builder.appName("ct").getOrCreate()
    sc = spark.sparkContext
    if args.archive:
        sc.addArchive(args.archive if "#" in args.archive else args.archive + "#ct")

    # The binaries: --bin, else the unpacked archive in the executor's working directory (a
    # cluster) or in the driver's SparkFiles folder (local mode, where the driver executes).
    if args.bin:
        bindirs, explicit = [shlex.quote(args.bin)], True
    else:
        local = os.path.join(SparkFiles.getRootDirectory(), ARCHIVED_BIN)
        bindirs, explicit = [ARCHIVED_BIN, shlex.quote(local)], False
    env = {k: v for k, v in os.environ.items() if k in FORWARDED or k.startswith(("AWS_", "CT_"))}
    env.setdefault("PATH", "/usr/local/bin:/usr/bin:/bin")

    # The units are a few lines: read them on the driver and hand each to its own task
    # (parallelize with as many slices as units puts exactly one in each; a hash repartition
    # could put two in one task and leave another empty).
    units = [line for line in sc.textFile(args.specs).collect() if line.strip()]
    tasks = args.partitions or len(units)
    print(f"ct_spark: {len(units)} units in {tasks} tasks", file=sys.stderr)

    # The map stage. ct-filter exits 1 when a unit holds no match: that is an answer, not an error.
    stages = [f"ct-fetch --spec - {quoted(args.fetch)}"]
    if args.filter:
        stages.append(f"{{ ct-filter {quoted(args.filter)} || [ $? = 1 ]; }}")
    if not args.events:
        stages.append("ct-actions -q")
    mapped = sc.parallelize(units, max(1, tasks)).pipe(command(" | ".join(stages), bindirs, explicit),
                                                      env=env, checkCode=True)

    if args.events:
        # Events can be many: each task writes its own part file (OUT/part-NNNNN), unchanged.
        mapped.saveAsTextFile(args.out)
        print(f"ct_spark: events written to {args.out}/part-*", file=sys.stderr)
        spark.stop()
        return

    # The reduce: every unit's records to one task (a shuffle; coalesce(1) would instead run
    # all the units one after the other in that task), merged by ct-actions there, where the
    # binaries are. Its output is sorted, so the same whatever order the records come in.
    merged = mapped.repartition(1).pipe(command("ct-actions -q", bindirs, explicit), env=env, checkCode=True).cache()
    records = merged.collect()
    write_file(sc, args.out, "".join(line + "\n" for line in records))
    print(f"ct_spark: {len(records)} action records written to {args.out}", file=sys.stderr)
    if args.policy:
        # ct-policy over the merged records: one more small task on the cached result.
        policy = merged.pipe(command("ct-policy", bindirs, explicit), env=env, checkCode=True).collect()
        write_file(sc, args.out + ".policy.json", "".join(line + "\n" for line in policy))
        print(f"ct_spark: policy written to {args.out}.policy.json", file=sys.stderr)
    spark.stop()


if __name__ == "__main__":
    main(sys.argv[1:])
