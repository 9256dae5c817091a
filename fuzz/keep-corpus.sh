#!/usr/bin/env bash
# Copies the queue of a finished run of TARGET (fuzz/findings/TARGET by default) into fuzz/corpus/TARGET, one file per
# distinct content, named by its SHA-1, so that the next run starts where this one ended. Commit fuzz/corpus afterwards.
# Usage: fuzz/keep-corpus.sh [TARGET=http1] [FINDINGS_DIR=fuzz/findings/TARGET]
set -euo pipefail
cd "$(dirname "$0")"
target=${1:-http1}
queue=${2:-findings/$target}/default/queue
mkdir -p "corpus/$target"
for file in "$queue"/id:*; do
  cp "$file" "corpus/$target/$(sha1sum "$file" | cut -c1-40)"
done
echo "fuzz/corpus/$target: $(ls "corpus/$target" | wc -l) inputs"
