#!/usr/bin/env bash
# Reproduces this folder's tables. The two boundary searches (the current engine's answer, about 25 minutes on 2
# shared cores together) run by default; `bash run.sh grid` also reruns the grid sweeps of the pre-issue-12 section
# (about 10 minutes with that engine; the current engine gives different numbers, see the README).
set -euo pipefail
cd "$(dirname "$0")/../.."
CLI=src/SweepLab.Cli/bin/Release/net10.0/sweeplab.dll
[ -f "$CLI" ] || dotnet build src/SweepLab.Cli -c Release
D=experiments/02-knife-edge
dotnet "$CLI" run $D/sweep-boundary.yaml --out $D/out/boundary
dotnet "$CLI" run $D/sweep-boundary-legacy.yaml --out $D/out/boundary-legacy
python3 $D/summarise_boundary.py $D/out/boundary $D/out/boundary-legacy --csv $D/edges.csv > $D/edges.md
if [ "${1:-}" = grid ]; then
  dotnet "$CLI" run $D/sweep.yaml --out $D/out/main
  dotnet "$CLI" run $D/sweep-resolution.yaml --out $D/out/resolution
  python3 experiments/summarise.py $D/out/main --columns iterations > $D/out/main/summary-table.md
  python3 experiments/summarise.py $D/out/resolution --columns iterations > $D/out/resolution/summary-table.md
  python3 experiments/pivot.py $D/out/main class_similarity batch_size_per_class,learning_rate_half_life_iterations split_ratio > $D/out/main/pivot-split.md
  python3 experiments/pivot.py $D/out/main class_similarity batch_size_per_class,learning_rate_half_life_iterations accuracy > $D/out/main/pivot-accuracy.md
  python3 experiments/pivot.py $D/out/main class_similarity batch_size_per_class,learning_rate_half_life_iterations split_ratio --filter batch_size_per_class=100 learning_rate_half_life_iterations=50 > $D/out/main/pivot-10A.md
  python3 experiments/pivot.py $D/out/resolution class_similarity target_resolution_angstrom split_ratio > $D/out/resolution/pivot-split.md
fi
