#!/usr/bin/env bash
# Reproduces this folder's tables: the sweep, then the summary table (out/summary-table.md).
set -euo pipefail
cd "$(dirname "$0")/../.."
CLI=src/SweepLab.Cli/bin/Release/net10.0/sweeplab.dll
[ -f "$CLI" ] || dotnet build src/SweepLab.Cli -c Release
D=experiments/06-similarity-model
dotnet "$CLI" run $D/sweep.yaml --out $D/out
python3 experiments/summarise.py $D/out --ess > $D/out/summary-table.md
python3 experiments/pivot.py $D/out class_similarity batch_size_per_class,similarity_model split_ratio > $D/out/pivot-split.md
python3 experiments/pivot.py $D/out class_similarity batch_size_per_class,similarity_model accuracy > $D/out/pivot-accuracy.md
python3 experiments/pivot.py $D/out class_similarity batch_size_per_class,similarity_model mean_ess > $D/out/pivot-mean-ess.md
python3 $D/paired.py $D/out > $D/out/paired.md
