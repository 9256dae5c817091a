#!/usr/bin/env bash
# Fuzzes Gatehouse's HTTP/1.1 response head parser and chunked decoder (src/Gatehouse.Http1) with AFL++ and SharpFuzz.
# Usage: fuzz/run.sh [SECONDS=1200] [FINDINGS_DIR=fuzz/findings]
# Installs afl++ (Debian) and the SharpFuzz.CommandLine tool when missing, publishes the harness, instruments
# Gatehouse.Http1.dll (only the parser's assembly: coverage of the harness and the runtime would be noise), replays
# the inputs once without AFL, then runs afl-fuzz for SECONDS. Keep what a run found with fuzz/keep-corpus.sh.
# Findings land in FINDINGS_DIR/default/crashes (a previous run's directory is moved to FINDINGS_DIR.previous); replay one
# with the uninstrumented harness: dotnet run --project fuzz/Gatehouse.Fuzz -c Release -- --replay FILE
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-1200}
findings=${2:-findings}

if ! command -v afl-fuzz >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq afl++ >/dev/null
fi
export PATH="$PATH:$HOME/.dotnet/tools"
if ! command -v sharpfuzz >/dev/null; then
  dotnet tool install --global SharpFuzz.CommandLine --version 2.3.0
fi

# A fresh publish each time: sharpfuzz rewrites the dll in place and must see it uninstrumented.
rm -rf bin/publish
dotnet publish Gatehouse.Fuzz/Gatehouse.Fuzz.csproj -c Release -o bin/publish -v quiet -nologo
# AFL starts from the hand-written seeds plus the corpus earlier runs found (fuzz/corpus, named by content hash).
inputs=bin/inputs
rm -rf "$inputs"
mkdir -p "$inputs"
cp seeds/* "$inputs"/
if [[ -d corpus ]]; then cp corpus/* "$inputs"/; fi

# The inputs must pass before fuzzing; instrumented code needs AFL's shared memory, so replay before instrumenting.
dotnet bin/publish/Gatehouse.Fuzz.dll --replay "$inputs"
sharpfuzz bin/publish/Gatehouse.Http1.dll

if [[ -d $findings ]]; then
  rm -rf "$findings.previous"
  mv "$findings" "$findings.previous"
fi

# dotnet is not an AFL-instrumented binary (SharpFuzz talks to AFL itself); a core_pattern that pipes to a crash
# handler and CPU frequency scaling are the machine's business, not the fuzzer's.
export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1
exec afl-fuzz -i "$inputs" -o "$findings" -x http.dict -t 5000 -m none -V "$seconds" -- dotnet bin/publish/Gatehouse.Fuzz.dll
