#!/usr/bin/env bash
# Rewrites iam/data/unmapped.txt, the operations of the SDK models (iam/data/operations.tsv) that
# map to no action of the catalog, grouped by reason, from what iam/tests/operations.rs finds.
# Run it after a refresh of the catalog or of the operations, or a change of the mapping's
# rules, and read the difference before committing: a line that goes is an operation that now
# maps; one that comes needs a rule, or is a service newer than the catalog.
#   scripts/write-unmapped.sh [BOTOCORE_VERSION]
# BOTOCORE_VERSION, the SDK release of the catalog's date (1.43.103 for the catalog of
# 2026-09-26), splits the operations without an action into those the SDK added after the
# catalog and the older ones, which a rule should cover. Needs pip for it, like the refresh.
set -euo pipefail
cd "$(dirname "$0")/.."
raw=$(mktemp)
then=$(mktemp)
work=$(mktemp -d)
trap 'rm -rf "$raw" "$then" "$work"' EXIT
CT_UNMAPPED_OUT="$raw" cargo test -q -p ct-iam --test operations every_operation > /dev/null 2>&1 || true
if [ -n "${1:-}" ]; then
  python3 -m pip download --quiet --no-deps --only-binary=:all: "botocore==$1" -d "$work" > /dev/null
  python3 -m zipfile -e "$work"/botocore-*.whl "$work/wheel"
  python3 scripts/aws-operations.py "$work/wheel/botocore/data" > "$then"
fi
python3 - "$raw" "$then" "${1:-}" <<'PY'
import collections, sys, textwrap
prefixes, total, updated = set(), collections.Counter(), ""
with open("iam/data/catalog.tsv", encoding="utf-8") as f:
    for line in f:
        if line.startswith("#") and "updatedAt " in line and not updated:
            updated = line.split("updatedAt ")[1].split("T")[0]
        fields = line.rstrip("\n").split("\t")
        if fields[0] == "S":
            prefixes.add(fields[1])
with open("iam/data/operations.tsv", encoding="utf-8") as f:
    for line in f:
        fields = line.rstrip("\n").split("\t")
        if fields[0] == "O":
            total[fields[1]] += 1
older = set()
with open(sys.argv[2], encoding="utf-8") as f:
    for line in f:
        fields = line.rstrip("\n").split("\t")
        if fields[0] == "O":
            older.add((fields[1], fields[2]))
no_prefix, no_action, newer, by_request, new_service = (collections.defaultdict(set) for _ in range(5))
with open(sys.argv[1], encoding="utf-8") as f:
    for line in f:
        source, op, _, actions = line.strip().split(" ", 3)
        prefix = actions.split(", ")[0].split(":")[0]
        if actions.endswith(" (by request)"):
            by_request[source].add(op)
        elif prefix not in prefixes and older and not any(s == source for s, _ in older):
            new_service[source].add(op)
        elif prefix not in prefixes:
            no_prefix[source].add(op)
        elif older and (source, op) not in older:
            newer[source].add(op)
        else:
            no_action[source].add(op)
out = []
def group(reason, groups):
    out.extend(textwrap.wrap(reason, 96))
    for source in sorted(groups):
        ops = sorted(groups[source])
        if (groups is no_prefix or groups is new_service) and len(ops) == total[source]:
            out.append(f"  {source}")
            continue
        out.append(f"  {source}:")
        out.extend("    " + l for l in textwrap.wrap(", ".join(ops), 92, break_on_hyphens=False, break_long_words=False))
if older:
    group(f"Services the SDK added after the catalog's date ({updated}; botocore {sys.argv[3]} did not have "
          "them), whose IAM prefix the catalog does not know yet; every operation of a source named alone:",
          new_service)
group("Event sources with no IAM service prefix in the catalog (a service that authorises its calls "
      "otherwise, or whose prefix is not yet in the catalog); every operation of a source named alone:", no_prefix)
group("Operations whose actions follow from the request (iam/src/renames.rs, BY_REQUEST: DynamoDB's "
      "PartiQL statements by their verbs, a transaction's items by their kinds); unknown only when the logged "
      "request does not show them, as here, where it is empty:", by_request)
if older:
    group(f"Operations the SDK added after the catalog's date ({updated}; botocore {sys.argv[3]} did not have "
          "them): the catalog does not list their actions yet; refresh it with scripts/refresh-iam-catalog.sh:", newer)
group(f"Operations older than the catalog (of {updated}) whose action it does not list under the operation's "
      "name and that no rule renames: authorised by an action neither the Service Authorization Reference "
      "nor the SDK documentation ties to them, or not yet in the catalog:", no_action)
with open("iam/data/unmapped.txt", "w", encoding="utf-8") as f:
    f.write("\n".join(out) + "\n")
n = lambda g: sum(map(len, g.values()))
print(f"{n(new_service) + n(no_prefix) + n(by_request) + n(newer) + n(no_action)} operations unmapped: "
      f"{n(new_service)} of new services, {n(no_prefix)} of older services without a prefix, {n(by_request)} "
      f"by request, {n(newer)} newer than the catalog, {n(no_action)} older")
PY
