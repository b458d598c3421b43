#!/usr/bin/env bash
# Installs the Debian packages SweepLab uses (idempotent). Needs root, as on the project machines.
#   bash scripts/install-deps.sh runtime   what running SweepLab needs (the demo):
#     pocl-opencl-icd   PoCL, the OpenCL CPU device the ILGPU kernels run on without a GPU
#     ocl-icd-libopencl1, clinfo  the OpenCL loader (libOpenCL.so.1) and a probe
#   bash scripts/install-deps.sh [EXTRA...]  also what the tests and benchmarks check against:
#     relion            independent reference: relion_project / relion_refine (checks CTF, Euler, files, results)
#     chromium          renders the HTML reports headless in the report tests
#     python3-pandas, python3-plotly, python3-mrcfile, python3-ipykernel, python3-nbclient, jupyter-nbconvert
#                       the Jupyter notebooks (notebooks/*.ipynb) and what executes them in the notebook tests
set -euo pipefail
packages=(pocl-opencl-icd ocl-icd-libopencl1 clinfo)
if [ "${1:-}" = runtime ]; then shift; else packages+=(relion chromium python3-pandas python3-plotly python3-mrcfile python3-ipykernel python3-nbclient jupyter-nbconvert); fi
packages+=("$@")
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing Debian packages: ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
