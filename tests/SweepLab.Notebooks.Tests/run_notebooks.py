#!/usr/bin/python3
"""Executes Jupyter notebooks top to bottom with nbclient, each in its own folder, on the kernel named in its
metadata (Debian's python3-ipykernel registers "python3" for /usr/bin/python3). Prints one JSON line per notebook
({"notebook", "ok", "cell", "error", "seconds"}) and exits 1 when any failed. Used by tests/SweepLab.Notebooks.Tests;
a user runs the same with `jupyter nbconvert --to notebook --execute --output-dir notebooks/out notebooks/*.ipynb`.

    /usr/bin/python3 run_notebooks.py NOTEBOOK.ipynb... (the notebooks write to $OUT, default out/ beside them)
"""
import json
import os
import re
import sys
import time

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

failed = 0
for path in sys.argv[1:]:
    notebook = nbformat.read(path, as_version=4)
    kernel = notebook.metadata.get("kernelspec", {}).get("name", "")
    start = time.monotonic()
    record = {"notebook": os.path.basename(path), "kernel": kernel, "ok": True, "cell": None, "error": None}
    client = NotebookClient(notebook, timeout=600, kernel_name=kernel,
                            resources={"metadata": {"path": os.path.dirname(os.path.abspath(path))}})
    try:
        client.execute()
    except CellExecutionError as e:
        record.update(ok=False, error=re.sub(r"\x1b\[[0-9;]*m", "", str(e))[-4000:])
        code_cells = [i for i, c in enumerate(notebook.cells) if c.cell_type == "code"]
        record["cell"] = next((i for i in code_cells
                               if any(o.get("output_type") == "error" for o in notebook.cells[i].get("outputs", []))), None)
    except Exception as e:  # no kernel, kernel died, timeout
        record.update(ok=False, error=f"{type(e).__name__}: {e}")
    record["seconds"] = round(time.monotonic() - start, 1)
    failed += not record["ok"]
    print(json.dumps(record), flush=True)
sys.exit(1 if failed else 0)
