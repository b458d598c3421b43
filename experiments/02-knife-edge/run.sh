#!/usr/bin/env bash
# Reproduces this folder's tables (about 10 minutes on 2 shared cores): two sweeps, then the summary tables.
set -euo pipefail
cd "$(dirname "$0")/../.."
CLI=src/SweepLab.Cli/bin/Release/net10.0/sweeplab.dll
[ -f "$CLI" ] || dotnet build src/SweepLab.Cli -c Release
D=experiments/02-knife-edge
dotnet "$CLI" run $D/sweep.yaml --out $D/out/main
dotnet "$CLI" run $D/sweep-resolution.yaml --out $D/out/resolution
python3 experiments/summarise.py $D/out/main --columns iterations > $D/out/main/summary-table.md
python3 experiments/summarise.py $D/out/resolution --columns iterations > $D/out/resolution/summary-table.md
