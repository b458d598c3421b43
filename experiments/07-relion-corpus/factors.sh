#!/usr/bin/env bash
# The factor table of issue 12: the engine's defaults on the RELION-made medium level (7% extra density, SNR 0.095,
# 4,000 particles); then one setting at a time changed back to what the engine did before issue 12 (consensus tau^2,
# simple initialisation, no mask, 2 full-batch iterations) or to RELION's way (per-iteration noise, growing
# resolution); then the engine before issue 12 (plus the gridding correction); then RELION's full-batch EM.
# Seeds 1-3 each; RELION's rows come from run.sh (marked †).
#   experiments/07-relion-corpus/factors.sh [--level NAME]...     (default: --level medium)
set -euo pipefail
cd "$(dirname "$0")/../.."
dotnet build tests/SweepLab.Accuracy -c Release --nologo -v q
D=experiments/07-relion-corpus
mkdir -p $D/out
levels=("$@"); [ ${#levels[@]} -eq 0 ] && levels=(--level medium)
A=(dotnet tests/SweepLab.Accuracy/bin/Release/net10.0/SweepLab.Accuracy.dll table --out $D/out --seeds 1,2,3 "${levels[@]}")
run() { label=$1; shift; echo "### $label"; "${A[@]}" --label "$label" "$@" | grep -E '^\| [a-z]' | grep -v '^| level'; }
{
run "defaults"
run "noise_update per_iteration (RELION)" --set noise_update=per_iteration
run "tau2_source consensus" --set tau2_source=consensus
run "resolution_schedule grow (RELION)" --set resolution_schedule=grow
run "noise_update per_iteration and resolution_schedule grow (RELION)" --set noise_update=per_iteration --set resolution_schedule=grow
run "initialisation simple, 20 A" --set initialisation=simple --set init_lowpass_resolution_angstrom=20
run "mask none" --set mask_radius_angstrom=none
run "full_batch_iterations 2" --set full_batch_iterations=2
run "class_similarity 0" --set class_similarity=0
run "the engine before issue 12 (static noise, consensus tau^2, fixed resolution, simple 20 A start, no mask, 2 full-batch iterations), gridding-corrected" --set noise_update=static --set tau2_source=consensus \
  --set resolution_schedule=fixed --set initialisation=simple --set init_lowpass_resolution_angstrom=20 --set mask_radius_angstrom=none --set full_batch_iterations=2
run "algorithm relion_em" --set algorithm=relion_em
run "algorithm relion_em, class_similarity 0.5 annealed 2-8" --set algorithm=relion_em --set class_similarity=0.5 --set similarity_anneal_start=2 --set similarity_anneal_end=8
} | tee $D/out/factors.md
