#!/usr/bin/env python3
"""A pivot of stability.csv for a README: rows = one setting, columns = combinations of others, cells = a metric's
mean ± sample SD (and p_collapsed when > 0). Standard library only.

    python3 experiments/pivot.py OUT_DIR ROW_SETTING COLUMN_SETTING[,COLUMN_SETTING...] [METRIC] [--filter key=value ...]
"""
import csv, os, sys

args = [a for a in sys.argv[1:] if not a.startswith("--filter")]
filters = [a.split("=", 1) for a in sys.argv[sys.argv.index("--filter") + 1:]] if "--filter" in sys.argv else []
out, row_key, col_keys = args[0], args[1], args[2].split(",")
metric = args[3] if len(args) > 3 and "=" not in args[3] else "split_ratio"
rows = [r for r in csv.DictReader(open(os.path.join(out, "stability.csv")))
        if all(r[k] == v for k, v in filters)]
SHORT = {"batch_size_per_class": "batch", "learning_rate_half_life_iterations": "half-life", "target_resolution_angstrom": "res",
         "learning_rate_init": "lr", "hard_classification": "", "similarity_model": "", "class_similarity": "s0"}
num = lambda v: float(v) if v not in ("", "NaN") else float("nan")
row_values = sorted({r[row_key] for r in rows}, key=num)
col_values = sorted({tuple(r[k] for k in col_keys) for r in rows}, key=lambda t: tuple(num(x) if x.replace('.', '', 1).isdigit() else x for x in t))
label = lambda k, v: f"{SHORT.get(k, k)} {v}".strip()
print(f"| {SHORT.get(row_key, row_key)} \\ {metric} | " + " | ".join(", ".join(label(k, v) for k, v in zip(col_keys, c)) for c in col_values) + " |")
print("|---|" + "---|" * len(col_values))
for rv in row_values:
    cells = []
    for c in col_values:
        match = [r for r in rows if r[row_key] == rv and tuple(r[k] for k in col_keys) == c]
        if not match:
            cells.append("")
            continue
        r = match[0]
        cell = f"{num(r[metric + '_mean']):.3f} ± {num(r[metric + '_std']):.3f}"
        if num(r["p_collapsed"]) > 0:
            cell += f" (p_c {num(r['p_collapsed']):.2f})"
        cells.append(cell)
    print(f"| {rv} | " + " | ".join(cells) + " |")
