"""Small helpers the Python notebooks share: read a sweep folder's tables, summarise configurations over seeds the
way SweepLab's report does, and write figures as one self-contained HTML page (plotly.js inlined once, so it renders
offline). Needs pandas, plotly and (for class maps) mrcfile: Debian's python3-pandas, python3-plotly, python3-mrcfile.
"""
import html
import json
import os

import numpy as np
import pandas as pd
import plotly
import plotly.offline

SHORT = {"batch_size_per_class": "batch", "learning_rate_half_life_iterations": "half-life",
         "hard_classification": "hard", "class_similarity": "s0"}


def read_table(sweep, name):
    """A culture-invariant CSV table of a sweep folder (results.csv, stability.csv, iterations.csv, ...)."""
    path = os.path.join(sweep, name)
    if not os.path.exists(path):
        raise FileNotFoundError(f"{path} does not exist; is {sweep} a sweep output folder?")
    return pd.read_csv(path, keep_default_na=True, na_values=["NaN"])


def settings_of(stability):
    """The setting columns: stability.csv's columns between config_id and runs."""
    columns = list(stability.columns)
    return columns[1:columns.index("runs")]


def varying_settings(results, settings):
    return [s for s in settings if s in results.columns and results[s].nunique(dropna=False) > 1]


def line_axes(results, axes):
    """The axes that split runs into more lines; a setting zipped with one already kept adds none and is dropped."""
    kept = []
    for axis in axes:
        if results[kept + [axis]].drop_duplicates().shape[0] > (results[kept].drop_duplicates().shape[0] if kept else 1):
            kept.append(axis)
    return kept


def line_name(row, axes):
    if not axes:
        return "all runs"
    return ", ".join(f"{SHORT.get(a, a)} {fmt(row[a])}" for a in axes)


def fmt(value):
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value)


def config_stats(results):
    """Per configuration over its finished (complete or pruned) runs: split ratio mean and sample SD (n - 1) of the
    finite values, and the collapse probability; the definitions of SweepLab.Reports and stability.csv."""
    finished = results[results["status"] != "failed"]
    rows = []
    for config_id, runs in finished.groupby("config_id", sort=False):
        split = runs["split_ratio"].dropna()
        collapsed = runs["collapsed"].dropna()
        rows.append({
            "config_id": config_id,
            "runs": len(runs),
            "split_ratio_mean": split.mean() if len(split) else np.nan,
            "split_ratio_std": split.std(ddof=1) if len(split) > 1 else np.nan,
            "p_collapsed": (collapsed == 1).mean() if len(collapsed) else np.nan,
        })
    return pd.DataFrame(rows)


def save_page(path, title, figures, tables=()):
    """Writes figures [(plotly figure, caption)] and tables [(DataFrame, caption)] to one HTML page. Each figure sits
    in a div id="figure-N" data-traces="T"; once plotly.js has drawn it the page sets data-rendered-traces, so a reader
    or a test can see what rendered. Written to a temporary name and renamed."""
    parts = []
    for i, (figure, caption) in enumerate(figures, 1):
        fid = f"figure-{i}"
        done = ("var gd = document.getElementById('{plot_id}'); "
                "gd.closest('.figure').setAttribute('data-rendered-traces', String(gd._fullData.length));")
        body = figure.to_html(full_html=False, include_plotlyjs=False, post_script=done,
                              config={"displaylogo": False, "toImageButtonOptions": {"format": "svg"}})
        parts.append(f'<div class="figure" id="{fid}" data-traces="{len(figure.data)}">{body}</div>\n'
                     f'<p class="caption">{html.escape(caption)}</p>\n')
    for table, caption in tables:
        parts.append(f'<p class="caption">{html.escape(caption)}</p>\n' + table.to_html(index=False, na_rep="n/a"))
    page = ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{html.escape(title)}</title>\n"
            "<style>body{font-family:sans-serif;max-width:1200px;margin:0 auto;padding:16px;color:#1f2937}"
            "p.caption{color:#4b5563;font-size:.92em}table{border-collapse:collapse;font-size:.88em}"
            "th,td{border:1px solid #d1d5db;padding:3px 8px;text-align:right}th{background:#f3f4f6}</style>\n"
            f"<script>{plotly.offline.get_plotlyjs()}</script>\n</head><body><h1>{html.escape(title)}</h1>\n"
            + "".join(parts) + "</body></html>\n")
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    temporary = path + ".tmp"
    with open(temporary, "w", encoding="utf-8") as f:
        f.write(page)
    os.replace(temporary, path)
    return path


def save_csv(frame, path):
    """A culture-invariant CSV (full precision, NaN written as NaN), written to a temporary name and renamed."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    temporary = path + ".tmp"
    frame.to_csv(temporary, index=False, na_rep="NaN", float_format="%.17g")
    os.replace(temporary, path)
    return path


def run_detail(sweep, run_id):
    """runs/<id>/result.json of a run, or None."""
    path = os.path.join(sweep, "runs", run_id, "result.json")
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def class_maps(sweep, run_id):
    """Paths of a run's class maps (class_001.mrc, ...) in class order."""
    maps, k = [], 1
    while os.path.exists(p := os.path.join(sweep, "runs", run_id, f"class_{k:03d}.mrc")):
        maps.append(p)
        k += 1
    return maps
