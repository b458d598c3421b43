#!/usr/bin/env bash
# The README's main command on a fresh machine: installs what it needs, builds, simulates a small two-class dataset
# with ground truth and runs SweepLab's main job on it, ending with the output folder's contents.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-demo-out}
bash scripts/install-deps.sh
dotnet build src/SweepLab.Cli -c Release --nologo -v q
sweeplab() { dotnet src/SweepLab.Cli/bin/Release/net10.0/sweeplab.dll "$@"; }
rm -rf "$out"
sweeplab simulate --out "$out/data" --preset compositional --particles 2000 --box 64 --pixel-size 3.5 --snr 0.1 --seed 7
sweeplab inspect "$out/data/particles.star" --target-resolution 10
echo "outputs in $out:"; find "$out" -maxdepth 2 -type f | sort
