#!/usr/bin/env python3
"""Compares `peil resolve --mail-columns` lines with the twin's ground truth (ops/mail-columns).

Usage: mail-columns-compare.py truth.json columns.jsonl
Prints agreement per column (cells agreeing / total) and every disagreement with Peil's and
the truth's cause, grouped by (column, truth status, Peil status)."""
import collections, json, sys

COLUMNS = ["dmarc", "dkim", "spf", "dmarc_policy", "spf_policy", "dnssec_mx"]
truth = {d["domain"]: d["mail"] for d in json.load(open(sys.argv[1]))}
everything = len(truth)
peil = {}
for line in open(sys.argv[2]):
    line = line.strip()
    if line.startswith("{"):
        row = json.loads(line)
        peil[row["domain"]] = row
# A partial run (interrupted) is compared over the domains it measured.
truth = {domain: columns for domain, columns in truth.items() if domain in peil}
agree = collections.Counter()
groups = collections.defaultdict(list)
for domain, expected in sorted(truth.items()):
    got = peil.get(domain)
    for column in COLUMNS:
        want = expected[column]["status"]
        have = "missing" if got is None or got.get("failed") else got[column]
        if have == want:
            agree[column] += 1
        else:
            because = "" if got is None or got.get("failed") else got["because"].get(column, "")
            groups[(column, want, have)].append((domain, expected[column]["because"], because))
total = len(truth)
print(f"{len(peil)} of {everything} domains measured; agreement over those")
for column in COLUMNS:
    print(f"{column:13} {agree[column]:5} / {total}  ({100.0 * agree[column] / total:.2f}%)")
cells = sum(agree.values())
print(f"{'all six':13} {cells:5} / {total * len(COLUMNS)}  ({100.0 * cells / (total * len(COLUMNS)):.2f}%)")
for (column, want, have), rows in sorted(groups.items()):
    print(f"\n{column}: truth {want}, Peil {have}: {len(rows)}")
    for domain, why_truth, why_peil in rows:
        print(f"  {domain}\n    truth: {why_truth}\n    peil:  {why_peil}")
