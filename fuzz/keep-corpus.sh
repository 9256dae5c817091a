#!/usr/bin/env bash
# Keeps what a finished run of TARGET found (fuzz/findings/TARGET by default) as fuzz/corpus/TARGET, small: afl-cmin -e
# picks, from the run's queue (which began with the seeds and the previous corpus), the fewest inputs that reach every
# edge any of them reaches; hit counts are ignored, so the corpus stays at tens of files, not hundreds. The result
# replaces fuzz/corpus/TARGET, one file per content named by its SHA-1, the hand-written seeds left out (they are in
# fuzz/seeds). It replays the queue with the instrumented harness fuzz/run.sh left in fuzz/bin/publish-TARGET, so run it
# right after fuzz/run.sh TARGET; then commit fuzz/corpus.
# Usage: fuzz/keep-corpus.sh [TARGET=http1] [FINDINGS_DIR=fuzz/findings/TARGET]
set -euo pipefail
cd "$(dirname "$0")"
target=${1:-http1}
findings=${2:-findings/$target}
minimised=$findings/minimised # afl-cmin refuses to work under /tmp
rm -rf "$minimised"
# afl-cmin wants the real path of the program it runs; dotnet is not AFL-instrumented (SharpFuzz talks to AFL itself).
AFL_SKIP_BIN_CHECK=1 AFL_NO_AFFINITY=1 afl-cmin -e -i "$findings/default/queue" -o "$minimised" -t 5000 -m none \
  -- "$(readlink -f "$(command -v dotnet)")" "bin/publish-$target/Gatehouse.Fuzz.dll" "$target" >/dev/null
declare -A seeds=()
for file in "seeds/$target"/*; do seeds[$(sha1sum "$file" | cut -c1-40)]=1; done
rm -rf "corpus/$target"
mkdir -p "corpus/$target"
for file in "$minimised"/*; do
  hash=$(sha1sum "$file" | cut -c1-40)
  if [[ -z ${seeds[$hash]:-} ]]; then cp "$file" "corpus/$target/$hash"; fi
done
echo "fuzz/corpus/$target: $(ls "corpus/$target" | wc -l) inputs (from $(ls "$findings/default/queue" | wc -l) in the queue)"
