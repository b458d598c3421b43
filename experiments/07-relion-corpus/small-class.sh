#!/usr/bin/env bash
# Issue 12/14: does a default run find a 10% class? SweepLab's multiclass preset (fractions 0.5/0.4/0.1, SNR 0.1,
# 4,000 particles, box 40 at 3.5 A/px), K = 3, seeds 1-6, the defaults before and after issue 14 and the variants
# that separated the factors (similarity model, s0, anneal length, O-EM length). Prints "label seed accuracy
# iterations seconds" per run and writes out/small-class/table.md.
#   experiments/07-relion-corpus/small-class.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
dotnet build src/SweepLab.Cli -c Release --nologo -v q
S=(dotnet src/SweepLab.Cli/bin/Release/net10.0/sweeplab.dll)
D=experiments/07-relion-corpus/out/small-class
mkdir -p $D
[ -f $D/data/particles.star ] || "${S[@]}" simulate --out $D/data --preset multiclass --particles 4000 --box 40 --pixel-size 3.5 --snr 0.1 --seed 4
# the defaults before issue 14, written out
OLD="--similarity-model tempered --class-similarity 0.5 --min-oem-iterations 0 --anneal-end 6"
declare -a VARIANTS=(
  "before issue 14 (tempered 0.5, 5 epochs = 7 O-EM iterations, anneal end 6)|$OLD"
  "tempered 0.8, 10 epochs, anneal end 12|--similarity-model tempered --class-similarity 0.8 --min-oem-iterations 0 --epochs 10 --anneal-end 12"
  "mixture 0.5, 10 epochs, anneal end 12|--class-similarity 0.5 --min-oem-iterations 0 --epochs 10 --anneal-end 12"
  "mixture 0.8, 5 epochs, anneal end 6|--min-oem-iterations 0 --anneal-end 6"
  "mixture 0.8, 10 epochs, anneal end 10|--min-oem-iterations 0 --epochs 10 --anneal-end 10"
  "defaults (mixture 0.8, min_oem_iterations 16: 12 epochs, anneal end 12)|"
)
echo "| settings | accuracy, seeds 1-6 | s per run |" > $D/table.md
echo "|---|---|---|" >> $D/table.md
for v in "${VARIANTS[@]}"; do
  label=${v%%|*}; opts=${v#*|}; accs=(); secs=0
  for seed in 1 2 3 4 5 6; do
    out=$D/$(echo "$label" | tr -c 'a-z0-9' '_')-$seed
    [ -f $out/result.json ] || "${S[@]}" classify --particles $D/data/particles.star --truth $D/data/truth.csv --classes 3 --seed $seed $opts --out $out > $out.log 2>&1
    read acc it wall < <(python3 -c "import json;m=json.load(open('$out/result.json'))['metrics'];print(round(m['accuracy'],4), int(m['iterations']), m['wall_seconds'])")
    echo "$label $seed $acc $it $wall"; accs+=($acc); secs=$(python3 -c "print($secs+$wall)")
  done
  echo "| $label | $(IFS=/; echo "${accs[*]}" | sed 's#/# / #g') | $(python3 -c "print(round($secs/6,1))") |" >> $D/table.md
done
cat $D/table.md
