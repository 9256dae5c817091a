#!/usr/bin/env bash
# Cache hits: Gatehouse with its route cached, against nginx's proxy_cache and Varnish (Debian packages), in one run.
#
# This is bench/run.sh with the caching contenders and the cached scenarios; everything else (alternation, warm-up,
# metrics, retries of disturbed runs, bench/results/) is the same. The backend marks /cached-small (13 bytes) and
# /cached-100k (102,400 bytes) "Cache-Control: public, max-age=3600". Before measuring, the script checks that the
# second request is a hit by each cache's own account (Gatehouse: "Cache-Status: Gatehouse; hit", nginx:
# "X-Cache-Status: HIT", Varnish: two ids in X-Varnish), and a measured run fails if more than 0.1 % of its requests
# reached the backend (the table's raw TSV records the count in the column backend_requests).
#
#   bench/cache.sh                                 # about 4 minutes on an idle machine
#   QUICK=1 bench/cache.sh                         # smoke test
#   ROUNDS=5 bench/cache.sh
#   CONTENDERS="gatehouse-cache nginx-cache varnish gatehouse" bench/cache.sh   # plus uncached Gatehouse for scale
#
# Any setting of bench/run.sh applies; CONTENDERS and SCENARIOS default to the ones below.
set -euo pipefail
export CONTENDERS=${CONTENDERS:-"gatehouse-cache nginx-cache varnish"}
export SCENARIOS=${SCENARIOS:-"cached-small-64 cached-100k-64"}
exec "$(dirname "${BASH_SOURCE[0]}")/run.sh" "$@"
