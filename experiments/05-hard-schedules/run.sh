#!/usr/bin/env bash
# Reproduces this folder's tables: one sweep per dataset (five rungs of difficulty), then their summary tables.
set -euo pipefail
cd "$(dirname "$0")/../.."
CLI=src/SweepLab.Cli/bin/Release/net10.0/sweeplab.dll
[ -f "$CLI" ] || dotnet build src/SweepLab.Cli -c Release
D=experiments/05-hard-schedules
for d in 1-easy 2-medium 3-hard 4-harder 5-hardest; do
  dotnet "$CLI" run $D/sweep-$d.yaml --out $D/out/$d
  python3 experiments/summarise.py $D/out/$d --columns convergence_iteration,ari > $D/out/$d/summary-table.md
done
for m in accuracy ari split_ratio; do python3 $D/ladder.py $D/out $m > $D/out/ladder-$m.md; done
