#!/usr/bin/env bash
# Refreshes iam/data/operations.tsv, every operation of every AWS service, from the service
# models in the PyPI package botocore (the AWS SDK for Python's data). Needs pip (the package
# registry) and python3; the tests and builds never need Python or the network.
#   scripts/refresh-aws-operations.sh            # the newest version
#   scripts/refresh-aws-operations.sh 1.44.18
set -euo pipefail
cd "$(dirname "$0")/.."
version=${1:-}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 -m pip download --quiet --no-deps --only-binary=:all: "botocore${version:+==$version}" -d "$work" > /dev/null
wheel=$(ls "$work"/botocore-*.whl)
python3 -m zipfile -e "$wheel" "$work/wheel"
version=$(basename "$wheel" | cut -d- -f2)
sha=$(sha256sum "$wheel" | cut -d' ' -f1)
python3 scripts/aws-operations.py "$work/wheel/botocore/data" > iam/data/operations.tsv.new
mv iam/data/operations.tsv.new iam/data/operations.tsv
python3 scripts/aws-sources.py > iam/data/sources.tsv
python3 scripts/aws-documented-actions.py "$work/wheel/botocore/data" > iam/data/documented.tsv
python3 scripts/aws-unsigned.py "$work/wheel/botocore/data" > iam/data/unsigned.tsv
# NOTICE: the catalog's part stays as it is (cargo xtask catalog rewrites the whole file, so
# run this script again after a catalog refresh); the operations part is written anew.
sed -i '/^----- operations.tsv -----$/,$d' iam/data/NOTICE
# botocore's own notice, up to its first separator (the rest is about vendored code, not data)
botocore_notice=$(sed '/^----/,$d' "$work"/wheel/botocore-*.dist-info/NOTICE)
cat >> iam/data/NOTICE <<NOTICE
----- operations.tsv -----
The list of AWS operations in operations.tsv is derived from the service models
(botocore/data/*/*/service-2.json) of the PyPI package botocore version $version
(wheel $(basename "$wheel"), sha256 $sha)
by scripts/aws-operations.py: it keeps each
service's endpoint prefix, signing name, service id and API version, its operation names and
the names of the request members that hold an IAM role; documentation was dropped and the
layout changed. sources.tsv (signing names) and documented.tsv (the one action an operation's
documentation names) are derived from the same models by scripts/aws-sources.py and
scripts/aws-documented-actions.py; unsigned.tsv (calls sent without SigV4) by scripts/aws-unsigned.py. botocore is distributed under the Apache License, Version 2.0
(https://www.apache.org/licenses/LICENSE-2.0); its NOTICE reads:

$botocore_notice
NOTICE
echo "refreshed iam/data/operations.tsv from botocore $version"
