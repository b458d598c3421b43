#!/usr/bin/env bash
# Builds the RELION corpus (every standard level, 4,000 particles each) and prints the accuracy table: the oracle,
# RELION 3.1 (relion_refine --skip_align, 3 seeds) and SweepLab with its default settings (3 seeds).
# Writes out/<level>/ (the corpus and RELION's runs), out/accuracy.csv (one row per run, appended), out/table.log
# (everything printed) and out/table.md (the table). Extra arguments go to the table command, e.g.
#   ./run.sh --level easy --level medium        or        ./run.sh --set class_similarity=0.3 --label s0.3
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v relion_project >/dev/null || bash scripts/install-deps.sh
dotnet build tests/SweepLab.Accuracy -c Release --nologo -v q
D=experiments/07-relion-corpus
mkdir -p $D/out
dotnet tests/SweepLab.Accuracy/bin/Release/net10.0/SweepLab.Accuracy.dll table --out $D/out --relion --seeds 1,2,3 "$@" | tee $D/out/table.log
sed -n '/^| level /,$p' $D/out/table.log > $D/out/table.md
