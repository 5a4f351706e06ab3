#!/usr/bin/env python3
"""Writes iam/data/sources.tsv: the event sources of iam/data/operations.tsv whose first label
is not an IAM service prefix of iam/data/catalog.tsv but whose signing name is (the name
SigV4 signs requests with, which IAM authorises them under: bedrock-agentcore-control signs as
bedrock-agentcore, chime-sdk-messaging as chime, mail-manager as ses). ct's mapping reads it
after its own table of documented sources (iam/src/mapping/mod.rs, PREFIXES).

Usage: scripts/aws-sources.py > iam/data/sources.tsv   (run by refresh-aws-operations.sh)
"""
import sys

def main():
    prefixes = set()
    with open("iam/data/catalog.tsv", encoding="utf-8") as f:
        for line in f:
            fields = line.rstrip("\n").split("\t")
            if fields[0] == "S":
                prefixes.add(fields[1])
    rows = set()
    with open("iam/data/operations.tsv", encoding="utf-8") as f:
        for line in f:
            fields = line.rstrip("\n").split("\t")
            if fields[0] != "S":
                continue
            source, signing = fields[1], fields[3]
            first = source.split(".")[0]
            if first not in prefixes and signing in prefixes:
                rows.add((source, signing))
    out = sys.stdout
    out.write("# eventSource -> IAM prefix, from the SDK models' signing names where the source's first label\n")
    out.write("# is no IAM prefix (scripts/aws-sources.py; see iam/data/NOTICE)\n")
    for source, prefix in sorted(rows):
        out.write(f"{source}\t{prefix}\n")

if __name__ == "__main__":
    main()
