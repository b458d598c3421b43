#!/usr/bin/env python3
"""Copies the small tables of a sweep folder into a notebook data folder (Python standard library only).

    python3 experiments/export_notebook_data.py OUT_DIR DEST_DIR [--iteration-metrics mean_ess,median_ess] [--runs]

Writes DEST_DIR/results.csv and stability.csv (verbatim copies; also boundary.csv or halving.csv of an adaptive
search, and sweep.json, which names the searched axis), ess_histograms.csv (one row per run and bin:
run_id, bin, ess_low, ess_high, count; the 20-bin histogram over [1, K] of the final per-particle ESS from each
run's result.json) and, with --iteration-metrics, iterations.csv restricted to those metrics (the full long table is
megabytes). With --runs, DEST_DIR becomes a small sweep folder that the report and the notebooks read like the
original: also sweep.json, sweep.yaml, the whole iterations.csv, every run's result.json, and the class maps
(class_00k.mrc) of each configuration's first repeat (particles.star and the other repeats' maps are left out: size)."""
import csv, json, os, shutil, sys

out, dest = sys.argv[1], sys.argv[2]
metrics = sys.argv[sys.argv.index("--iteration-metrics") + 1].split(",") if "--iteration-metrics" in sys.argv else []
whole = "--runs" in sys.argv
os.makedirs(dest, exist_ok=True)
for name in ("results.csv", "stability.csv") + (("sweep.json", "sweep.yaml", "iterations.csv") if whole else ()):
    shutil.copyfile(os.path.join(out, name), os.path.join(dest, name))
for name in ("boundary.csv", "halving.csv", "sweep.json"):
    if os.path.exists(os.path.join(out, "boundary.csv")) or os.path.exists(os.path.join(out, "halving.csv")):
        if os.path.exists(os.path.join(out, name)):
            shutil.copyfile(os.path.join(out, name), os.path.join(dest, name))
with open(os.path.join(out, "results.csv"), newline="") as f:
    runs = [r for r in csv.DictReader(f) if r["status"] == "complete"]
if not whole:  # with --runs, each run's result.json holds its histogram
  with open(os.path.join(dest, "ess_histograms.csv"), "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["run_id", "bin", "ess_low", "ess_high", "count"])
    for r in runs:
        result = json.load(open(os.path.join(out, "runs", r["run_id"], "result.json")))
        counts, k = result["ess_histogram"], int(r["classes"])
        width = (k - 1) / len(counts)
        for b, c in enumerate(counts):
            w.writerow([r["run_id"], b, repr(round(1 + b * width, 12)), repr(round(1 + (b + 1) * width, 12)), c])
if whole:
    for r in runs:
        src, dst = os.path.join(out, "runs", r["run_id"]), os.path.join(dest, "runs", r["run_id"])
        os.makedirs(dst, exist_ok=True)
        shutil.copyfile(os.path.join(src, "result.json"), os.path.join(dst, "result.json"))
        if r["repeat"] == "0":
            for name in sorted(os.listdir(src)):
                if name.startswith("class_") and name.endswith(".mrc"):
                    shutil.copyfile(os.path.join(src, name), os.path.join(dst, name))
elif metrics:
    with open(os.path.join(out, "iterations.csv"), newline="") as src, \
         open(os.path.join(dest, "iterations.csv"), "w", newline="") as dst:
        reader, writer = csv.reader(src), csv.writer(dst, lineterminator="\n")
        header = next(reader)
        writer.writerow(header)
        m = header.index("metric")
        for row in reader:
            if row[m] in metrics:
                writer.writerow(row)
