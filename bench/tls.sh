#!/usr/bin/env bash
# HTTPS: Gatehouse against nginx (Debian's package), both terminating TLS with the same ECDSA P-256 certificate, in one
# run. Scenarios: keep-alive (small-64: 64 connections, many requests each) and a new connection with a full TLS
# handshake for every request (close-64: "Connection: close"; wrk does not resume sessions). nginx gets Mozilla's
# "intermediate" protocols and ciphers, like Gatehouse's defaults.
#
# This is bench/run.sh with the TLS contenders; everything else (alternation, warm-up, metrics, bench/results/) is
# the same.
#
#   bench/tls.sh                 # about 3 minutes on an idle machine
#   QUICK=1 bench/tls.sh         # smoke test
set -euo pipefail
export CONTENDERS=${CONTENDERS:-"gatehouse-tls nginx-tls"}
export SCENARIOS=${SCENARIOS:-"small-64 close-64"}
exec "$(dirname "${BASH_SOURCE[0]}")/run.sh" "$@"
