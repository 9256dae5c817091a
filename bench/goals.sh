#!/usr/bin/env bash
# Issue 14's goals in one run: Gatehouse against nginx (Debian's package) and the minimal YARP app, plus nginx
# proxy_cache and Varnish for cache hits, all started together and measured in alternation by bench/run.sh. Prints
# run.sh's tables and then one table of the goals: each one's Gatehouse median, the reference's, their ratio, the
# target, whether it holds, and the ratio to YARP (docs/performance.md, "How to run the goals").
#
#   bench/goals.sh               # about 20 minutes on 2 idle cores (3 rounds of 8 s, 30 s JIT warm-up)
#   QUICK=1 bench/goals.sh       # about 4 minutes: smoke test, one round of 3 s, numbers are rough
# On a busy machine both take up to 3 minutes more: up to QUIET_WAIT (60 s) waiting for quiet before the run, and up
# to EXTRA_TIME (120 s) on waits before runs and on measuring disturbed runs again.
#
# Scenarios, each on the contenders it is meant for (MATCH_CONTENDERS=1):
#   small-64 small-1000 rr-small-64 100k-64   gatehouse nginx yarp
#   cached-small-64 cached-100k-64            gatehouse-cache nginx-cache varnish
#   tls-small-64 (wrk, HTTPS/1.1 keep-alive) h2-small-64 (h2load, HTTP/2)   gatehouse-tls nginx-tls yarp-tls
# Any setting of bench/run.sh applies.
set -euo pipefail
export CONTENDERS=${CONTENDERS:-"gatehouse nginx yarp gatehouse-cache nginx-cache varnish gatehouse-tls nginx-tls yarp-tls"}
export SCENARIOS=${SCENARIOS:-"small-64 small-1000 rr-small-64 100k-64 cached-small-64 cached-100k-64 tls-small-64 h2-small-64"}
export MATCH_CONTENDERS=1 GOALS=1
exec "$(dirname "${BASH_SOURCE[0]}")/run.sh" "$@"
