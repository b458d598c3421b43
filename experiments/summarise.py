#!/usr/bin/env python3
"""Markdown summary of a SweepLab sweep folder (Python standard library only).

    python3 experiments/summarise.py OUT_DIR [--ess] [--columns a,b,c] > OUT_DIR/summary-table.md

One row per configuration (stability.csv's config_id): the settings that vary between configurations, then
mean +- sample standard deviation across seeds (taken from stability.csv as the sweep wrote it), the per-seed split
ratios and accuracies in seed order (from results.csv), p_collapsed and agreement. With --ess it adds per-particle
effective-class-count (ESS) statistics read from every run's particles.star (column slEffectiveClassCount):
the fraction of particles with ESS > 1.1 and > 1.5, and the 90th and 99th percentiles, each as mean +- sample std
across seeds. Nothing here is computed that the tables do not hold; it only arranges them.
"""
import csv
import os
import statistics
import sys

SETTING_SKIP = {"config_id", "runs", "failed"}


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def fmt(x, digits=3):
    if x == "" or x is None:
        return ""
    v = float(x)
    if v != v:
        return "NaN"
    return f"{v:.{digits}f}"


def mean_std(values, digits=3):
    vals = [v for v in values if v == v]
    if not vals:
        return "NaN"
    if len(vals) == 1:
        return fmt(vals[0], digits)
    return f"{statistics.fmean(vals):.{digits}f} ± {statistics.stdev(vals):.{digits}f}"


def star_column(path, name):
    """Values of one column of the data_particles loop of a RELION 3.1 STAR file."""
    values, columns, in_particles, in_loop = [], [], False, False
    with open(path) as f:
        for raw in f:
            line = raw.strip()
            if line.startswith("data_"):
                in_particles, in_loop, columns = line == "data_particles", False, []
                continue
            if not in_particles or not line or line.startswith("#"):
                continue
            if line == "loop_":
                in_loop = True
                continue
            if in_loop and line.startswith("_"):
                columns.append(line.split()[0][1:])
                continue
            if in_loop and columns:
                values.append(float(line.split()[columns.index(name)]))
    return values


def quantile(sorted_values, q):
    i = q * (len(sorted_values) - 1)
    lo = int(i)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (i - lo)


def ess_stats(run_dir):
    ess = sorted(star_column(os.path.join(run_dir, "particles.star"), "slEffectiveClassCount"))
    n = len(ess)
    return {
        "gt1.1": sum(e > 1.1 for e in ess) / n,
        "gt1.5": sum(e > 1.5 for e in ess) / n,
        "p90": quantile(ess, 0.90),
        "p99": quantile(ess, 0.99),
    }


def main(argv):
    out = argv[1]
    with_ess = "--ess" in argv
    extra = []
    if "--columns" in argv:
        extra = argv[argv.index("--columns") + 1].split(",")
    stability = read_csv(os.path.join(out, "stability.csv"))
    results = read_csv(os.path.join(out, "results.csv"))
    settings = [c for c in stability[0].keys() if c not in SETTING_SKIP and not c.endswith(("_mean", "_std"))
                and not c.startswith("p_") and c != "agreement"]
    varying = [c for c in settings if len({r[c] for r in stability}) > 1]
    by_config = {}
    for r in results:
        if r["status"] == "complete":
            by_config.setdefault(r["config_id"], []).append(r)
    for runs in by_config.values():
        runs.sort(key=lambda r: int(r["repeat"]))

    header = varying + ["runs", "split ratio", "per-seed split", "smallest class", "mean ESS", "accuracy",
                        "per-seed accuracy", "p_collapsed", "agreement"]
    header += extra
    if with_ess:
        header += ["ESS>1.1", "ESS>1.5", "ESS p90", "ESS p99"]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for s in stability:
        runs = by_config.get(s["config_id"], [])
        row = [s[c] for c in varying]
        row.append(s["runs"])
        row.append(f"{fmt(s['split_ratio_mean'])} ± {fmt(s['split_ratio_std'])}")
        row.append("/".join(fmt(r["split_ratio"], 2) for r in runs))
        row.append(f"{fmt(s['smallest_class_fraction_mean'])} ± {fmt(s['smallest_class_fraction_std'])}")
        row.append(f"{fmt(s['mean_ess_mean'])} ± {fmt(s['mean_ess_std'])}")
        row.append(f"{fmt(s['accuracy_mean'])} ± {fmt(s['accuracy_std'])}")
        row.append("/".join(fmt(r["accuracy"], 2) for r in runs))
        row.append(fmt(s["p_collapsed"], 2))
        row.append(fmt(s["agreement"], 2))
        for c in extra:
            row.append(mean_std([float(r[c]) for r in runs], 2))
        if with_ess:
            stats = [ess_stats(os.path.join(out, "runs", r["run_id"])) for r in runs]
            for key in ("gt1.1", "gt1.5", "p90", "p99"):
                row.append(mean_std([st[key] for st in stats]))
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main(sys.argv)
