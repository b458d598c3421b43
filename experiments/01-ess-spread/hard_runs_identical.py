#!/usr/bin/env python3
"""For each seed, compare the force-hard runs of every class similarity: identical particle assignments
(rlnClassNumber in particles.star), identical class maps (SHA-256 of class_00k.mrc) and identical metrics
(result.json, except the wall time and initial_similarity, which echoes the configured s0)? Prints a Markdown table. Usage: hard_runs_identical.py OUT_DIR"""
import csv, hashlib, json, os, sys

out = sys.argv[1]
rows = [r for r in csv.DictReader(open(os.path.join(out, "results.csv"))) if r["hard_classification"] == "hard"]

def classes(run):
    lines = open(os.path.join(out, "runs", run, "particles.star")).read().split("data_particles")[1].splitlines()
    cols = [l.split()[0] for l in lines if l.startswith("_rln") or l.startswith("_sl")]
    i = cols.index("_rlnClassNumber")
    return [l.split()[i] for l in lines if l and not l.startswith(("_", "loop_", "#"))]

def maps(run):
    d = os.path.join(out, "runs", run)
    return [hashlib.sha256(open(os.path.join(d, f), "rb").read()).hexdigest() for f in sorted(os.listdir(d)) if f.endswith(".mrc")]

def metrics(run):
    m = json.load(open(os.path.join(out, "runs", run, "result.json")))["metrics"]
    m.pop("wall_seconds", None)
    m.pop("initial_similarity", None)  # the configured s0 itself, echoed
    return m

print("| repeat | class similarities compared | assignments identical | maps identical (bytes) | metrics identical |")
print("|---|---|---|---|---|")
for rep in sorted({r["repeat"] for r in rows}):
    runs = sorted((r for r in rows if r["repeat"] == rep), key=lambda r: float(r["class_similarity"]))
    first = runs[0]["run_id"]
    same = lambda f: all(f(r["run_id"]) == f(first) for r in runs[1:])
    print(f"| {rep} | {', '.join(r['class_similarity'] for r in runs)} | {same(classes)} | {same(maps)} | {same(metrics)} |")
