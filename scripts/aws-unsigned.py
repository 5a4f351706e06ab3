#!/usr/bin/env python3
"""Writes iam/data/unsigned.tsv: the operations the SDK models send unsigned (`"authtype":
"none"`: the call carries a token of its own, a user pool's access token, a SAML assertion, an
Identity Center bearer token) and the services whose calls are signed with a bearer token rather
than SigV4 (`"signatureVersion": "bearer"`). IAM authorises none of these calls by the caller's
policies, so ct maps them to no action (iam/src/mapping/mod.rs, as its NO_PERMISSION table).

Usage: scripts/aws-unsigned.py BOTOCORE_DATA_DIR > iam/data/unsigned.tsv
Rows: eventSource, operation (`*` for every operation of a bearer-token service), why.
"""
import importlib.util
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("aws_documented", os.path.join(HERE, "aws-documented-actions.py"))
documented = importlib.util.module_from_spec(spec)
spec.loader.exec_module(documented)


def main(argv):
    if len(argv) != 2:
        sys.exit("usage: aws-unsigned.py BOTOCORE_DATA_DIR > iam/data/unsigned.tsv")
    data_dir = argv[1]
    rows = set()
    for name in sorted(os.listdir(data_dir)):
        service_dir = os.path.join(data_dir, name)
        if not os.path.isdir(service_dir):
            continue
        found = documented.ops_module.newest_model(service_dir)
        if found is None:
            continue
        meta = found[1]["metadata"]
        source = documented.ops_module.event_source(name, meta["endpointPrefix"])
        # Bearer only: some services take a bearer token besides SigV4 (Bedrock's API keys),
        # and then IAM still authorises the signed calls.
        auth = meta.get("auth", [])
        bearer = meta.get("signatureVersion") == "bearer" or (
            any("httpBearerAuth" in a for a in auth) and not any("sigv4" in a for a in auth)
        )
        if bearer:
            rows.add((source, "*", "a bearer-token API (the SDK model signs it with a token, not SigV4)"))
            continue
        for op_name, op in found[1]["operations"].items():
            op_auth = op.get("authtype") or op.get("auth")
            if op_auth == "none" or op_auth == ["smithy.api#noAuth"]:
                rows.add((source, op.get("name", op_name), "unsigned (the SDK model sends it without SigV4)"))
    out = sys.stdout
    out.write("# eventSource, operation (* for all), why the caller's IAM policies do not authorise it\n")
    out.write("# (scripts/aws-unsigned.py; see iam/data/NOTICE)\n")
    for row in sorted(rows):
        out.write("\t".join(row) + "\n")


if __name__ == "__main__":
    main(sys.argv)
