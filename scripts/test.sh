#!/usr/bin/env bash
# The test command of the README: installs what the tests need, builds, runs every test project outside the
# Expensive category, and ends with one plain line "N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh || { echo "dependency install failed"; echo "0 passed, 1 failed"; exit 1; }
dotnet restore SweepLab.sln --nologo -v q || { echo "restore failed"; echo "0 passed, 1 failed"; exit 1; }
dotnet build SweepLab.sln -c Release --no-restore --nologo -v q || { echo "build failed"; echo "0 passed, 1 failed"; exit 1; }
results=$(mktemp -d)
filter="Category!=Expensive${SWEEPLAB_TEST_FILTER:+&$SWEEPLAB_TEST_FILTER}"
dotnet test SweepLab.sln -c Release --no-build --nologo --filter "$filter" \
  --logger "trx" --logger "console;verbosity=normal" --results-directory "$results"
rc=$?
passed=0; failed=0; skipped=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  get() { echo "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*' || echo 0; }
  passed=$((passed + $(get passed)))
  failed=$((failed + $(get failed) + $(get error) + $(get timeout) + $(get aborted)))
  skipped=$((skipped + $(get notExecuted)))
done
[ "$rc" -ne 0 ] && [ "$failed" -eq 0 ] && failed=1
# Name every failed test once more at the end, so a log cut to its tail still says what failed and why.
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  /usr/bin/python3 - "$trx" <<'PY' 2>/dev/null || grep -o '<UnitTestResult [^>]*outcome="Failed"' "$trx" | grep -o 'testName="[^"]*"'
import sys, xml.etree.ElementTree as ET
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
for r in ET.parse(sys.argv[1]).getroot().iterfind(".//t:UnitTestResult", ns):
    if r.get("outcome") != "Failed":
        continue
    message = r.find("t:Output/t:ErrorInfo/t:Message", ns)
    text = (message.text or "").strip().replace("\n", " | ") if message is not None else ""
    print(f"FAILED {r.get('testName')}: {text[:1500]}")
PY
done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ "$rc" -eq 0 ]
