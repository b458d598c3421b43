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
for d in hard high-snr; do
  python3 experiments/pivot.py $D/out/$d batch_size_per_class target_resolution_angstrom,class_similarity split_ratio > $D/out/$d/pivot-split.md
  python3 experiments/pivot.py $D/out/$d batch_size_per_class target_resolution_angstrom,class_similarity accuracy > $D/out/$d/pivot-accuracy.md
done
