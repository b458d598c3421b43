#!/usr/bin/env python3
"""Paired comparison mixture - tempered: repeat r uses the same seed in every configuration, so the difference of a
metric between the two models is taken seed by seed. Prints a Markdown table: per (batch, s0) the three per-seed
differences and their mean. Usage: paired.py OUT_DIR [METRIC ...]"""
import csv, os, sys

out = sys.argv[1]
metrics = sys.argv[2:] or ["accuracy", "split_ratio"]
rows = [r for r in csv.DictReader(open(os.path.join(out, "results.csv"))) if r["status"] == "complete"]
key = lambda r: (int(r["batch_size_per_class"]), float(r["class_similarity"]), int(r["repeat"]))
by = {(r["similarity_model"],) + key(r): r for r in rows}
print("| batch | s0 | " + " | ".join(f"{m}: mixture − tempered per seed | mean" for m in metrics) + " |")
print("|---|---|" + "---|---|" * len(metrics))
positive = {m: 0 for m in metrics}
total = 0
for batch, s in sorted({key(r)[:2] for r in rows}):
    cells = []
    for m in metrics:
        d = [float(by[("mixture", batch, s, k)][m]) - float(by[("tempered", batch, s, k)][m]) for k in range(3)]
        positive[m] += sum(x > 0 for x in d)
        cells += ["/".join(f"{x:+.3f}" for x in d), f"{sum(d) / 3:+.3f}"]
    total += 3
    print(f"| {batch} | {s:g} | " + " | ".join(cells) + " |")
print()
print("Seed pairs where mixture is higher: " + ", ".join(f"{m} {positive[m]} of {total}" for m in metrics))
