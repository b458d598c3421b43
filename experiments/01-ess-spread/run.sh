#!/usr/bin/env bash
# Reproduces this folder's tables (about 2 minutes on 2 shared cores): two sweeps, the summaries with per-particle
# ESS, and the check that force-hard runs do not depend on the class similarity.
set -euo pipefail
cd "$(dirname "$0")/../.."
CLI=src/SweepLab.Cli/bin/Release/net10.0/sweeplab.dll
[ -f "$CLI" ] || dotnet build src/SweepLab.Cli -c Release
D=experiments/01-ess-spread
for d in easy hard; do
  dotnet "$CLI" run $D/sweep-$d.yaml --out $D/out/$d
  python3 experiments/summarise.py $D/out/$d --ess > $D/out/$d/summary-table.md
  python3 $D/hard_runs_identical.py $D/out/$d > $D/out/$d/hard-identical.md
done
