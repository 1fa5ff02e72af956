#!/usr/bin/env python3
"""Compare `peil results --format jsonl` with `peil lab truth --json` (a twin's ground truth).

Every column both have is compared per domain; prints agreement per column, the totals, and
every disagreement grouped by column and (truth → measured), with both causes.
Usage: compare-truth.py TRUTH.json RESULTS.jsonl [--max-examples N]
"""
import collections
import json
import sys

truth_path, results_path = sys.argv[1], sys.argv[2]
max_examples = int(sys.argv[sys.argv.index("--max-examples") + 1]) if "--max-examples" in sys.argv else 5
truth = {d["domain"]: d for d in json.load(open(truth_path))}
results = [json.loads(line) for line in open(results_path) if line.strip()]

agree = collections.Counter()
total = collections.Counter()
differ = collections.defaultdict(list)
for measured in results:
    expected = truth.get(measured["domain"])
    if expected is None:
        continue
    for part in ("web", "mail"):
        for column, cell in measured.get(part, {}).items():
            want = expected.get(part, {}).get(column)
            if want is None:
                continue
            key = f"{part}.{column}"
            total[key] += 1
            # The truth keeps a few March 2021 quirks as reported; `derived` is the rule's status.
            if cell["status"] in (want["status"], want.get("derived")):
                agree[key] += 1
            else:
                differ[(key, want["status"], cell["status"])].append((measured["domain"], want["because"], cell.get("because", "")))

cells = sum(total.values())
matched = sum(agree.values())
print(f"{'column':26}{'agree':>8}{'cells':>8}{'%':>9}")
for key in sorted(total):
    print(f"{key:26}{agree[key]:>8}{total[key]:>8}{100.0 * agree[key] / total[key]:>8.2f}%")
print(f"{'all':26}{matched:>8}{cells:>8}{(100.0 * matched / cells if cells else 0):>8.2f}%  ({len(results)} domains)")
for (key, want, got), cases in sorted(differ.items(), key=lambda item: -len(item[1])):
    print(f"\n{key}: truth {want} → measured {got}: {len(cases)} domains")
    for domain, because_truth, because_measured in cases[:max_examples]:
        print(f"  {domain}\n    truth:    {because_truth}\n    measured: {because_measured[:300]}")
