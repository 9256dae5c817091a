#!/usr/bin/env bash
# Copies the queue of a finished run (fuzz/findings by default) into fuzz/corpus, one file per distinct content,
# named by its SHA-1, so that the next run starts where this one ended. Commit fuzz/corpus afterwards.
set -euo pipefail
cd "$(dirname "$0")"
queue=${1:-findings}/default/queue
mkdir -p corpus
for file in "$queue"/id:*; do
  cp "$file" "corpus/$(sha1sum "$file" | cut -c1-40)"
done
echo "fuzz/corpus: $(ls corpus | wc -l) inputs"
