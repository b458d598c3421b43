#!/usr/bin/env bash
# Reproduces this folder's tables: one sweep per dataset (hard: SNR 0.05; high-SNR: SNR 0.3 with a small subunit),
# then their summary tables (out/<dataset>/summary-table.md).
set -euo pipefail
cd "$(dirname "$0")/../.."
CLI=src/SweepLab.Cli/bin/Release/net10.0/sweeplab.dll
[ -f "$CLI" ] || dotnet build src/SweepLab.Cli -c Release
D=experiments/03-batch-size
for d in hard high-snr; do
  dotnet "$CLI" run $D/sweep-$d.yaml --out $D/out/$d
  python3 experiments/summarise.py $D/out/$d --columns iterations > $D/out/$d/summary-table.md
done
