#!/usr/bin/env bash
# Pools several bench/run.sh runs (their raw .tsv files in bench/results/) into one comparison of two contenders, with
# a 95 % confidence interval over runs. See bench/pool.awk for why runs, not rounds, are the unit.
#
#   bench/pool.sh gatehouse yarp bench/results/20261128-1*.tsv
#   MAX_OTHER_CPU=10 bench/pool.sh gatehouse nginx run1.tsv run2.tsv run3.tsv
set -euo pipefail
if [[ $# -lt 3 ]]; then
    echo "usage: bench/pool.sh CONTENDER_A CONTENDER_B RAW.tsv [RAW.tsv ...]" >&2
    exit 2
fi
a=$1 b=$2
shift 2
awk -F'\t' -v a="$a" -v b="$b" -v max_other="${MAX_OTHER_CPU:-10}" -f "$(dirname "${BASH_SOURCE[0]}")/pool.awk" "$@"
