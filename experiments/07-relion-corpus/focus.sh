#!/usr/bin/env bash
# Focused classification on the corpus (README, "Focused classification"): the hard and medium levels with a focus
# mask drawn where the true maps differ, SweepLab (defaults) and RELION focused (signal subtraction + --solvent_mask),
# 3 seeds each; then the sweeps hard-focused.yaml (the defaults' similarity x hard schedule) and hard-focused-em.yaml
# (relion_em: iterations x tau^2 source) over the hard level with RELION's focused run as their baseline.
# Writes out/<level>/focus_mask.mrc, out/<level>/relion_focus_s*/, rows in out/accuracy.csv, out/hard-focused/ (the
# sweep folder: report.html, summary.md), out/hard-focused-em/, out/hard-sphere-*/. About 70 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")"
./run.sh --level hard --level medium --focus-from-truth --label focus
cd ../..
dotnet build src/SweepLab.Cli -c Release --nologo -v q
dotnet src/SweepLab.Cli/bin/Release/net10.0/sweeplab.dll run experiments/07-relion-corpus/hard-focused.yaml --out experiments/07-relion-corpus/out/hard-focused
dotnet src/SweepLab.Cli/bin/Release/net10.0/sweeplab.dll run experiments/07-relion-corpus/hard-focused-em.yaml --out experiments/07-relion-corpus/out/hard-focused-em
# The same level with a looser mask, a soft sphere around the region (what a user draws without the answer).
/usr/bin/python3 -c 'import numpy' 2>/dev/null || { apt-get update -qq && apt-get install -y -qq --no-install-recommends python3-numpy >/dev/null; }
/usr/bin/python3 experiments/07-relion-corpus/sphere-mask.py experiments/07-relion-corpus/out/hard/focus_mask.mrc experiments/07-relion-corpus/out/hard/focus_sphere.mrc
dotnet src/SweepLab.Cli/bin/Release/net10.0/sweeplab.dll run experiments/07-relion-corpus/hard-sphere-em.yaml --out experiments/07-relion-corpus/out/hard-sphere-em
dotnet src/SweepLab.Cli/bin/Release/net10.0/sweeplab.dll run experiments/07-relion-corpus/hard-sphere-defaults.yaml --out experiments/07-relion-corpus/out/hard-sphere-defaults
