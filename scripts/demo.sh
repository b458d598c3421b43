#!/usr/bin/env bash
# The README's main command on a fresh machine: installs what it needs, builds, and runs the built-in example sweep
# (sweeps.yaml: a simulated two-class set, 32 classifications), ending with tables and an HTML report.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-demo-out}
bash scripts/install-deps.sh runtime
dotnet build src/SweepLab.Cli -c Release --nologo -v q
dotnet src/SweepLab.Cli/bin/Release/net10.0/sweeplab.dll run sweeps.yaml --out "$out"
echo
echo "outputs in $out:"; ls "$out"
