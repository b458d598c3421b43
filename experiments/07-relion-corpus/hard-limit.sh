#!/usr/bin/env bash
# Issue 12: is the hard level (3.5% extra density, SNR 0.05) limited by the engine or by the data? The same level at
# 4,000, 8,000 and 16,000 particles with the defaults (seeds 1-3), and at 4,000 particles EM started from the TRUE maps
# (class similarity 0): where full EM settles when it does not have to find the split. RELION=1 adds relion_refine at
# 16,000 particles (seed 1; about 15 minutes on 2 cores). Writes out/hard-limit/table.md.
#   experiments/07-relion-corpus/hard-limit.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
dotnet build SweepLab.sln -c Release --nologo -v q
A=(dotnet tests/SweepLab.Accuracy/bin/Release/net10.0/SweepLab.Accuracy.dll)
S=(dotnet src/SweepLab.Cli/bin/Release/net10.0/sweeplab.dll)
D=experiments/07-relion-corpus/out/hard-limit
mkdir -p $D
echo "| particles | oracle | SweepLab defaults, seeds 1 / 2 / 3 |" > $D/table.md
echo "|---|---|---|" >> $D/table.md
for n in 4000 8000 16000; do
  "${A[@]}" corpus --out $D/n$n --level hard --particles $n > $D/corpus-$n.log 2>&1
  "${A[@]}" table --out $D/n$n --level hard --particles $n --seeds 1,2,3 --label "defaults, $n particles" > $D/table-$n.log 2>&1
  row=$(grep '^| hard' $D/table-$n.log | tail -1)
  oracle=$(echo "$row" | cut -d'|' -f4 | xargs); sweeplab=$(echo "$row" | cut -d'|' -f6 | xargs)
  echo "| $n | $oracle | $sweeplab |" | tee -a $D/table.md
done
H=$(ls -d $D/n4000/hard*/ | head -1)
accs=()
for seed in 1 2 3; do
  out=$D/from-truth-$seed
  [ -f $out/result.json ] || "${S[@]}" classify --particles $H/particles.star --truth $H/truth.csv --quiet --seed $seed \
    --initialisation input_volumes --input-volumes $H/truth_class_001.mrc,$H/truth_class_002.mrc --class-similarity 0 --out $out > $out.log 2>&1
  accs+=($(python3 -c "import json;print(round(json.load(open('$out/result.json'))['metrics']['accuracy'],4))"))
done
echo "| 4000, EM from the true maps (similarity 0) | | $(IFS=/; echo "${accs[*]}" | sed 's#/# / #g') |" | tee -a $D/table.md
if [ "${RELION:-0}" = 1 ]; then
  H16=$(ls -d $D/n16000/hard*/ | head -1)
  "${A[@]}" table --out $D/n16000 --level hard --particles 16000 --seeds 1 --relion --label "RELION at 16000" > $D/relion-16000.log 2>&1
  grep '^| hard' $D/relion-16000.log | tail -1 | tee -a $D/table.md
fi
cat $D/table.md
