#!/usr/bin/env bash
# SweepLab's benchmarks (issue 8), side by side in one process: kernels against an in-process roofline, one
# classification against RELION 3.1, sweeps of 1-256 configurations, preprocessing and STAR reading against disk
# speed, the report's build and Chromium rendering (the speed expectations the unit tests no longer assert, issue 17).
#   bash scripts/bench.sh [all|kernels|relion|sweep|preprocess|report|scale]... [--quick] [--out DIR] [--keep] [--harness bdn|stopwatch]
#       [--scale-particles N] [--scale-data DIR]
# scale (issue 13: 100,000 particles of 256 px simulated to disk, preprocessing and the particle cache, one K = 4
# classification at 6 A, 16 configurations together, peak memory) runs only when named: hours on 2 cores.
# Writes DIR/bench.csv and DIR/bench.md (default bench-results/). A full run takes ~40 minutes on 2 cores
# (256 lockstep configurations dominate); --quick (~6 minutes) uses 1,000 particles for RELION and stops the
# sweep at 64 configurations.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
dotnet build tests/SweepLab.Bench -c Release --nologo -v q
args=("$@")
[ ${#args[@]} -eq 0 ] && args=(all)
dotnet tests/SweepLab.Bench/bin/Release/net10.0/SweepLab.Bench.dll "${args[@]}"
