#!/usr/bin/env python3
"""Writes iam/data/documented.tsv: operations whose name is not an IAM action of their service
but whose documentation in the SDK model (the API Reference text: "Required permissions:
dms:ListDataProviders", "requires the lambda:InvokeFunction permission") names exactly one
action of the service that iam/data/catalog.tsv holds. ct's mapping uses that action for
them, after its own renames (iam/src/renames.rs).

An operation whose documentation names several of the service's actions (Neptune's queries:
read, write or delete by the query) or only other services' actions is left out: which of them
a call needs is not the name's to tell.

Usage: scripts/aws-documented-actions.py BOTOCORE_DATA_DIR > iam/data/documented.tsv
"""
import importlib.util
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("aws_operations", os.path.join(HERE, "aws-operations.py"))
ops_module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(ops_module)

# `prefix:Action` in running text.
ACTION = re.compile(r"\b([a-z][a-z0-9-]+):([A-Z][A-Za-z0-9]+)\b")
# Markup of the documentation, and its sentences.
TAG = re.compile(r"<[^>]+>")
SENTENCE = re.compile(r"(?<=[.!?])\s+")
# The words with which the documentation says that a call needs an action ...
GRANTS = re.compile(r"permission|IAM action|authoriz|requires|must have|derived from|\buses?\b", re.I)
# ... and those of a mention that is not the call's own need.
ASIDE = re.compile(
    r"\balso\b|in addition|resource policy|endpoint policy|key policy|bucket policy|role polic|no separate|"
    r"there is no|\bto deny\b|\bdeny access\b",
    re.I,
)
# An API version suffix as CloudTrail logs it (CreateFunction20150331, ...2020_05_31).
VERSION = re.compile(r"(\d{8}(v\d+)?|\d{4}_\d{2}_\d{2})$")


def catalog_actions(path):
    actions = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            fields = line.rstrip("\n").split("\t")
            if fields[0] == "A":
                # IAM compares action names without case (GetBucketCors is s3:GetBucketCORS).
                actions.setdefault(fields[1], set()).add(fields[2].lower())
    return actions


def main(argv):
    if len(argv) != 2:
        sys.exit("usage: aws-documented-actions.py BOTOCORE_DATA_DIR > iam/data/documented.tsv")
    data_dir = argv[1]
    catalog = catalog_actions(os.path.join(HERE, "..", "iam", "data", "catalog.tsv"))
    # (prefix, operation) -> what each service of that prefix with the operation names: an
    # action, or None.
    outcomes = {}
    for name in sorted(os.listdir(data_dir)):
        service_dir = os.path.join(data_dir, name)
        if not os.path.isdir(service_dir):
            continue
        found = ops_module.newest_model(service_dir)
        if found is None:
            continue
        meta = found[1]["metadata"]
        endpoint = meta["endpointPrefix"]
        # The prefixes IAM may know the service by: its signing name, its endpoint's labels.
        prefixes = {meta.get("signingName") or endpoint, endpoint.split(".")[-1], endpoint.split(".")[0]}
        prefixes &= set(catalog)
        for op_name, op in found[1]["operations"].items():
            wire = VERSION.sub("", op.get("name", op_name))
            if any(wire.lower() in catalog[p] for p in prefixes):
                continue
            named = set()
            for sentence in SENTENCE.split(TAG.sub(" ", op.get("documentation", ""))):
                mentioned = {(p, a) for p, a in ACTION.findall(sentence) if p in prefixes}
                if not mentioned or ASIDE.search(sentence):
                    # Not the call's own need: a resource policy's statement, a permission
                    # needed "also", what to deny, an action that does not exist.
                    continue
                if not GRANTS.search(sentence):
                    # A mention whose sense is not read: nothing can be told.
                    named = None
                    break
                named |= mentioned
            # Exactly one of the service's actions, which the catalog holds (a second one, or
            # the operation's own name as a newer action, means the call needs more than it).
            one = None
            if named and len(named) == 1:
                prefix, action = next(iter(named))
                if action.lower() in catalog[prefix]:
                    one = (prefix, action)
            for p in prefixes:
                outcomes.setdefault((p, wire), []).append(one[1] if one and one[0] == p else None)
    # Two services of one prefix with one operation name (S3's and S3 Control's
    # PutPublicAccessBlock, on a bucket and on the account) must name the same action, or the
    # name is ambiguous and left out.
    rows = sorted(
        (p, o, names[0]) for (p, o), names in outcomes.items() if names[0] is not None and len(set(names)) == 1
    )
    out = sys.stdout
    out.write("# IAM prefix, operation (as CloudTrail logs it, without a version suffix), the one action of the\n")
    out.write("# service its SDK documentation names (scripts/aws-documented-actions.py; see iam/data/NOTICE)\n")
    for row in rows:
        out.write("\t".join(row) + "\n")


if __name__ == "__main__":
    main(sys.argv)
