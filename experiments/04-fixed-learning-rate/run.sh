#!/usr/bin/env bash
# Reproduces this folder's tables: the sweep, then the summary table (out/summary-table.md).
set -euo pipefail
cd "$(dirname "$0")/../.."
CLI=src/SweepLab.Cli/bin/Release/net10.0/sweeplab.dll
[ -f "$CLI" ] || dotnet build src/SweepLab.Cli -c Release
D=experiments/04-fixed-learning-rate
dotnet "$CLI" run $D/sweep.yaml --out $D/out
python3 experiments/summarise.py $D/out  > $D/out/summary-table.md
