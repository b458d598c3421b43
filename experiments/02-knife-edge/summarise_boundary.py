#!/usr/bin/env python3
"""Edge table of boundary-search folders (Python standard library only).

    python3 experiments/02-knife-edge/summarise_boundary.py OUT_DIR [OUT_DIR ...] --csv edges.csv > edges.md

One row per (folder, configuration) of each folder's boundary.csv: the settings that differ between its
configurations, the lines (seeds), how many found an edge, the edge estimate (midpoint of the final bracket) as
mean +- sample SD across seeds, min, max and spread (max - min), the widest final bracket, every seed's estimate,
and for lines without an edge the outcome they had at both ends. The split ratio at both ends of the range (mean
over seeds, from results.csv) shows what the outcome looked like where no line flipped. It arranges what
boundary.csv and results.csv hold and computes nothing else.
"""
import csv
import json
import os
import statistics
import sys

RESULT_COLUMNS = {"config_id", "repeat", "seed", "status", "axis", "low", "high", "estimate", "outcome_at_low",
                  "outcome_at_high", "evaluations", "low_run_id", "high_run_id"}


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def num(x, digits=4):
    return "n/a" if x is None or x != x else f"{x:.{digits}f}"


def summarise(folder):
    lines = read_csv(os.path.join(folder, "boundary.csv"))
    runs = {r["run_id"]: r for r in read_csv(os.path.join(folder, "results.csv"))}
    with open(os.path.join(folder, "sweep.json")) as f:
        info = json.load(f)
    search = info.get("search", {})
    axis = search.get("axis", lines[0].get("axis", "")) if lines else ""
    settings = [c for c in lines[0].keys() if c not in RESULT_COLUMNS] if lines else []
    varying = [s for s in settings if len({l[s] for l in lines}) > 1]
    configs = {}
    for line in lines:
        configs.setdefault(line["config_id"], []).append(line)
    rows = []
    for config_id, group in configs.items():
        group.sort(key=lambda l: int(l["repeat"]))
        found = [float(l["estimate"]) for l in group if l["status"] == "found"]
        no_flip = [l for l in group if l["status"] == "no_flip"]
        low_split = [float(runs[l["low_run_id"]]["split_ratio"]) for l in no_flip if l["low_run_id"] in runs]
        high_split = [float(runs[l["high_run_id"]]["split_ratio"]) for l in no_flip if l["high_run_id"] in runs]
        outcomes = {}
        for l in no_flip:
            outcomes[l["outcome_at_low"]] = outcomes.get(l["outcome_at_low"], 0) + 1
        rows.append({
            "sweep": info.get("name", os.path.basename(folder)),
            "configuration": ", ".join(f"{s}={group[0][s]}" for s in varying) or "all",
            "axis": axis,
            "outcome": search.get("outcome", ""),
            "tolerance": search.get("tolerance", ""),
            "lines": len(group),
            "found": len(found),
            "edge_mean": statistics.mean(found) if found else None,
            "edge_sd": statistics.stdev(found) if len(found) > 1 else None,
            "edge_min": min(found) if found else None,
            "edge_max": max(found) if found else None,
            "spread": max(found) - min(found) if len(found) > 1 else None,
            "widest_bracket": max(float(l["high"]) - float(l["low"]) for l in group if l["status"] == "found") if found else None,
            "per_seed": " / ".join(num(float(l["estimate"])) if l["status"] == "found" else l["status"] for l in group),
            "no_flip": "; ".join(f"{k} at both ends: {v}" for k, v in sorted(outcomes.items())),
            "split_at_low_no_flip": statistics.mean(low_split) if low_split else None,
            "split_at_high_no_flip": statistics.mean(high_split) if high_split else None,
            "evaluations": sum(int(l["evaluations"]) for l in group),
        })
    return rows


def main(argv):
    csv_path = None
    if "--csv" in argv:
        i = argv.index("--csv")
        csv_path = argv[i + 1]
        argv = argv[:i] + argv[i + 2:]
    if not argv:
        sys.exit(__doc__)
    rows = [r for folder in argv for r in summarise(folder)]
    header = ["sweep", "configuration", "lines", "found", "edge mean ± SD", "min", "max", "spread", "widest bracket",
              "per seed", "no flip", "split at low / high end (no-flip lines)", "evaluations"]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for r in rows:
        edge = "n/a" if r["edge_mean"] is None else num(r["edge_mean"]) + ("" if r["edge_sd"] is None else f" ± {num(r['edge_sd'])}")
        ends = "" if r["split_at_low_no_flip"] is None else f"{num(r['split_at_low_no_flip'], 3)} / {num(r['split_at_high_no_flip'], 3)}"
        print("| " + " | ".join(str(c) for c in [r["sweep"], r["configuration"], r["lines"], r["found"], edge, num(r["edge_min"]),
                                                 num(r["edge_max"]), num(r["spread"]), num(r["widest_bracket"]), r["per_seed"],
                                                 r["no_flip"], ends, r["evaluations"]]) + " |")
    if csv_path:
        with open(csv_path, "w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(rows[0].keys()), lineterminator="\n")
            writer.writeheader()
            for r in rows:
                writer.writerow({k: ("" if v is None else v) for k, v in r.items()})


if __name__ == "__main__":
    main(sys.argv[1:])
