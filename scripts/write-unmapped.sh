#!/usr/bin/env bash
# Rewrites iam/data/unmapped.txt, the operations of the SDK models (iam/data/operations.tsv) that
# map to no action of the catalog, grouped by reason, from what iam/tests/operations.rs finds.
# Run it after a refresh of the catalog or of the operations, or a change of the mapping's
# rules, and read the difference before committing: a line that goes is an operation that now
# maps; one that comes needs a rule, or is a service newer than the catalog.
set -euo pipefail
cd "$(dirname "$0")/.."
raw=$(mktemp)
trap 'rm -f "$raw"' EXIT
CT_UNMAPPED_OUT="$raw" cargo test -q -p ct-iam --test operations every_operation > /dev/null 2>&1 || true
python3 - "$raw" <<'PY'
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
no_prefix, no_action = collections.defaultdict(set), collections.defaultdict(set)
with open(sys.argv[1], encoding="utf-8") as f:
    for line in f:
        source, op, _, actions = line.strip().split(" ", 3)
        prefix = actions.split(", ")[0].split(":")[0]
        (no_prefix if prefix not in prefixes else no_action)[source].add(op)
out = []
def group(reason, groups):
    out.extend(textwrap.wrap(reason, 96))
    for source in sorted(groups):
        ops = sorted(groups[source])
        if groups is no_prefix and len(ops) == total[source]:
            out.append(f"  {source}")
            continue
        out.append(f"  {source}:")
        out.extend("    " + l for l in textwrap.wrap(", ".join(ops), 92, break_on_hyphens=False, break_long_words=False))
group("Event sources with no IAM service prefix in the catalog (the service is newer than the catalog, "
      "or authorises its calls otherwise); every operation of a source named alone:", no_prefix)
group(f"Operations whose action the catalog (of {updated}) does not list under the operation's name and "
      "that no rule renames: added to the service after the catalog, or authorised by an action neither the "
      "Service Authorization Reference nor the SDK documentation ties to them; refresh the catalog with "
      "scripts/refresh-iam-catalog.sh:", no_action)
with open("iam/data/unmapped.txt", "w", encoding="utf-8") as f:
    f.write("\n".join(out) + "\n")
print(f"{sum(map(len, no_prefix.values())) + sum(map(len, no_action.values()))} operations unmapped")
PY
