#!/usr/bin/env python3
"""One table across the difficulty ladder: rows = hard-classification schedule, columns = dataset, cells = a metric's
mean ± sample SD over seeds from each sweep's stability.csv (p_c = fraction of seeds collapsed, when > 0).
The "hard iterations" column counts the iterations (of 26) run with force-hard, from the schedule's definition.
Usage: ladder.py OUT_ROOT METRIC"""
import csv, os, sys

root, metric = sys.argv[1], sys.argv[2]
rungs = sorted(d for d in os.listdir(root) if os.path.isfile(os.path.join(root, d, "stability.csv")))
total = 26  # 24 online-EM + 2 full-batch iterations (sweep files: 3000 particles, batch 250 x 2 classes, 4 epochs)

def label(r):
    return r["hard_classification"] + (f":{r['hard_switch_iteration']}" if r.get("hard_switch_iteration") else "")

def hard_iterations(name):
    kind, _, n = name.partition(":")
    return {"soft": 0, "hard": total}.get(kind, total - int(n) if kind == "soft_then_hard" else int(n or 0))

tables = {d: {label(r): r for r in csv.DictReader(open(os.path.join(root, d, "stability.csv")))} for d in rungs}
names = list(tables[rungs[0]].keys())
print(f"| schedule | hard iterations | " + " | ".join(rungs) + " |")
print("|---|---|" + "---|" * len(rungs))
for name in sorted(names, key=hard_iterations):
    cells = []
    for d in rungs:
        r = tables[d][name]
        cell = f"{float(r[metric + '_mean']):.3f} ± {float(r[metric + '_std']):.3f}"
        if float(r["p_collapsed"]) > 0:
            cell += f" (p_c {float(r['p_collapsed']):.2f})"
        cells.append(cell)
    print(f"| {name} | {hard_iterations(name)} | " + " | ".join(cells) + " |")
