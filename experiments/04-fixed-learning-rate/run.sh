#!/usr/bin/env bash
# Reproduces this folder's tables: the hard-dataset sweep (120 runs, about 3 minutes on 2 shared cores) and the
# easy-dataset sweep (60 runs), then the summary tables and the pivots pasted into the README.
set -euo pipefail
cd "$(dirname "$0")/../.."
CLI=src/SweepLab.Cli/bin/Release/net10.0/sweeplab.dll
[ -f "$CLI" ] || dotnet build src/SweepLab.Cli -c Release
D=experiments/04-fixed-learning-rate
for d in hard easy; do
  dotnet "$CLI" run $D/sweep-$d.yaml --out $D/out/$d
  python3 experiments/summarise.py $D/out/$d > $D/out/$d/summary-table.md
done
python3 experiments/pivot.py $D/out/hard learning_rate_init batch_size_per_class,hard_classification,learning_rate_half_life_iterations split_ratio > $D/out/hard/pivot-split.md
python3 experiments/pivot.py $D/out/hard learning_rate_init batch_size_per_class,hard_classification,learning_rate_half_life_iterations accuracy > $D/out/hard/pivot-accuracy.md
python3 experiments/pivot.py $D/out/easy learning_rate_init hard_classification,learning_rate_half_life_iterations split_ratio > $D/out/easy/pivot-split.md
python3 experiments/pivot.py $D/out/easy learning_rate_init hard_classification,learning_rate_half_life_iterations accuracy > $D/out/easy/pivot-accuracy.md
