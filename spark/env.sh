# Sourced by tests/spark.sh and bench/spark.sh (bash): Java 17 and PySpark, pinned, for running
# spark/ct_spark.py in local mode.
#
# spark_env VENV: finds a Java 17 runtime ($JAVA_HOME, /usr/lib/jvm/java-17-openjdk-*, java on
# PATH), makes (once) a virtualenv VENV with pyspark==$PYSPARK_VERSION from PyPI (about 320 MB),
# and exports JAVA_HOME, PATH (spark-submit), PYSPARK_PYTHON and a loopback-only Spark. Returns
# 1 with the reason in SPARK_WHY when Java 17, python3 or PyPI is missing.

# What EMR 7 and Glue 5 run: Spark 3.5 on Java 17 (Spark 3.5 runs on 8, 11 or 17, not on the
# newer Java a machine may default to).
PYSPARK_VERSION=3.5.7

spark_env() {
  local venv=$1 candidate java17= out
  SPARK_WHY=
  for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/java-17-openjdk-* \
      "$(dirname "$(dirname "$(readlink -f "$(command -v java || echo /nonexistent)")")")"; do
    if [ -n "$candidate" ] && [ -x "$candidate/bin/java" ] \
        && "$candidate/bin/java" -version 2>&1 | grep 'version "17[."]' > /dev/null; then
      java17=$candidate
      break
    fi
  done
  if [ -z "$java17" ]; then
    SPARK_WHY="no Java 17 runtime (JAVA_HOME, /usr/lib/jvm/java-17-openjdk-*, java on PATH)"
    return 1
  fi
  export JAVA_HOME=$java17

  # The virtualenv, once; one whose install did not finish is made again.
  if ! command -v python3 > /dev/null; then
    SPARK_WHY="python3 is not installed"
    return 1
  fi
  if ! "$venv/bin/python" -c "import pyspark, sys; sys.exit(pyspark.__version__ != '$PYSPARK_VERSION')" 2> /dev/null; then
    rm -rf "$venv"
    if ! python3 -m venv "$venv" > /dev/null 2>&1; then
      rm -rf "$venv"
      SPARK_WHY="python3 -m venv does not work here"
      return 1
    fi
    echo "installing pyspark==$PYSPARK_VERSION into $venv (about 320 MB, once)" >&2
    if ! out=$("$venv/bin/pip" install --disable-pip-version-check -q --timeout 60 --retries 2 \
        "pyspark==$PYSPARK_VERSION" 2>&1); then
      rm -rf "$venv"
      SPARK_WHY="pip cannot install pyspark==$PYSPARK_VERSION: $(echo "$out" | tail -1)"
      return 1
    fi
  fi
  venv=$(cd "$venv" && pwd)
  # spark-submit finds its home beside the virtualenv's Python and runs the Python workers with
  # it; Spark binds to loopback only.
  export PATH="$venv/bin:$PATH" PYSPARK_PYTHON="$venv/bin/python" PYSPARK_DRIVER_PYTHON="$venv/bin/python"
  export SPARK_LOCAL_IP=127.0.0.1 SPARK_LOCAL_HOSTNAME=localhost
  unset SPARK_HOME PYTHONPATH
}
