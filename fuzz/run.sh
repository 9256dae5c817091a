#!/usr/bin/env bash
# Fuzzes one of Gatehouse's parsers of untrusted bytes with AFL++ and SharpFuzz.
# Usage: fuzz/run.sh [TARGET=http1] [SECONDS=1200] [FINDINGS_DIR=fuzz/findings/TARGET]
# Targets (fuzz/Gatehouse.Fuzz/FuzzTargets.cs): http1, client-hello, proxy-protocol, cache-control, vary, range,
# http-date, config, acme-json. Installs afl++ (Debian) and the SharpFuzz.CommandLine tool when missing, publishes the
# harness, instruments only the assembly holding the target's parser (coverage of the harness and the runtime would be
# noise), replays the inputs once without AFL, then runs afl-fuzz for SECONDS. Keep what a run found with
# fuzz/keep-corpus.sh TARGET. To stop at a plateau instead, set AFL_EXIT_ON_TIME=SECONDS_WITHOUT_A_NEW_PATH.
# Findings land in FINDINGS_DIR/default/crashes (a previous run's directory is moved to FINDINGS_DIR.previous); replay
# one with the uninstrumented harness: dotnet run --project fuzz/Gatehouse.Fuzz -c Release -- --replay TARGET FILE
set -euo pipefail
cd "$(dirname "$0")"
target=${1:-http1}
seconds=${2:-1200}
findings=${3:-findings/$target}

case $target in
  http1) assembly=Gatehouse.Http1.dll ;;
  client-hello | acme-json) assembly=Gatehouse.Acme.dll ;;
  cache-control | vary | range | http-date) assembly=Gatehouse.Caching.dll ;;
  proxy-protocol) assembly=Gatehouse.ProxyProtocol.dll ;;
  config | http2-frames) assembly=gatehouse.dll ;; # the main assembly is named for the command
  *) echo "fuzz/run.sh: unknown target '$target'" >&2; exit 2 ;;
esac

if ! command -v afl-fuzz >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq afl++ >/dev/null
fi
export PATH="$PATH:$HOME/.dotnet/tools"
if ! command -v sharpfuzz >/dev/null; then
  dotnet tool install --global SharpFuzz.CommandLine --version 2.3.0
fi

# One publish (incremental, never instrumented), copied per run and target: sharpfuzz rewrites the dll in place and
# must see it uninstrumented.
dotnet publish Gatehouse.Fuzz/Gatehouse.Fuzz.csproj -c Release -o bin/publish -v quiet -nologo
publish=bin/publish-$target
rm -rf "$publish"
cp -r bin/publish "$publish"
# AFL starts from the hand-written seeds plus the corpus earlier runs found (fuzz/corpus/TARGET, named by content hash).
inputs=bin/inputs-$target
rm -rf "$inputs"
mkdir -p "$inputs"
cp "seeds/$target"/* "$inputs"/
if [[ -d corpus/$target ]]; then cp "corpus/$target"/* "$inputs"/; fi

# The inputs must pass before fuzzing; instrumented code needs AFL's shared memory, so replay before instrumenting.
dotnet "$publish/Gatehouse.Fuzz.dll" --replay "$target" "$inputs"
sharpfuzz "$publish/$assembly"

if [[ -d $findings ]]; then
  rm -rf "$findings.previous"
  mv "$findings" "$findings.previous"
fi
mkdir -p "$(dirname "$findings")"

dictionary=()
if [[ -e dict/$target.dict ]]; then dictionary=(-x "dict/$target.dict"); fi

# dotnet is not an AFL-instrumented binary (SharpFuzz talks to AFL itself); a core_pattern that pipes to a crash
# handler and CPU frequency scaling are the machine's business, not the fuzzer's.
export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1
exec afl-fuzz -i "$inputs" -o "$findings" "${dictionary[@]}" -t 5000 -m none -V "$seconds" -- dotnet "$publish/Gatehouse.Fuzz.dll" "$target"
