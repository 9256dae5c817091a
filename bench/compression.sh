#!/usr/bin/env bash
# Compression: Gatehouse against nginx with "gzip on", the same coding, level (GZIP_LEVEL, default 5), types (text/html)
# and minimum size (1 KB), on a 100 KB HTML page (bench/Backend's /html-100k, about 3:1 with gzip), uncached and cached.
#
# This is bench/run.sh with the compressing contenders and the gzip scenarios (wrk sends "Accept-Encoding: gzip");
# everything else (alternation, warm-up, metrics, retries of disturbed runs, bench/results/) is the same. Before
# measuring, each contender must answer the page gzipped, decoding to the backend's 102,400 bytes, and each cached one
# must answer the second request from its cache. nginx's proxy_cache stores the backend's identity response and gzips
# it again on every hit; Gatehouse stores the gzip variant and serves it (docs/compression.md).
#
#   bench/compression.sh                  # about 4 minutes on an idle machine
#   QUICK=1 bench/compression.sh          # smoke test
#   GZIP_LEVEL=1 bench/compression.sh     # nginx's default level
set -euo pipefail
export CONTENDERS=${CONTENDERS:-"gatehouse-gzip nginx-gzip gatehouse-gzip-cache nginx-gzip-cache"}
export SCENARIOS=${SCENARIOS:-"html-100k-gzip-64 cached-html-100k-gzip-64"}
export MATCH_CONTENDERS=${MATCH_CONTENDERS:-1}
exec "$(dirname "${BASH_SOURCE[0]}")/run.sh" "$@"
