# Pools several bench/run.sh runs into one verdict on contender a against contender b (POSIX awk; mawk is enough).
# Usage: awk -F'\t' -v a=gatehouse -v b=yarp [-v max_other=10] -f pool.awk run1.tsv run2.tsv ...   (or bench/pool.sh)
#
# Why runs, not rounds: every contender stays up for a whole run, and two processes of the same build differ by a few
# percent for the length of a run (the tiered JIT with dynamic PGO compiles each one from its own warm-up profile; an
# A/A run of one build against itself has shown 0.89 at small-64, docs/performance.md). Rounds within a run are
# therefore not independent samples of "a against b"; runs are. For each run and scenario this takes the geometric
# mean of the paired per-round ratios a/b (the two ran within a minute of each other), then pools the runs: the
# geometric mean over runs with a 95 % confidence interval from Student's t over the runs' log ratios.
# Columns of the raw TSV: scenario contender round req_s p99_ms requests proxy_cpu_us_per_req peak_rss_mb
#                         backend_cpu_us_per_req wrk_cpu_us_per_req other_cpu_pct errors

FNR == 1 { run++; next }
max_other != "" && $11 + 0 > max_other + 0 { next }
$2 != a && $2 != b { next }

{
    if (!($1 in seen)) { seen[$1] = 1; scenarios[++nscenarios] = $1 }
    side = ($2 == a) ? "a" : "b"
    v[run, $1, $3, side, "rps"] = $4
    v[run, $1, $3, side, "p99"] = $5
    v[run, $1, $3, side, "cpu"] = $7
    rounds[run, $1, $3] = 1
    if ($3 + 0 > maxround) maxround = $3 + 0
}

# Two-sided 95 % quantile of Student's t with df degrees of freedom (the table's values to df 30; above, df 30's,
# which is larger than the true value, so the interval errs wide rather than narrow).
function tq(df,    t) {
    if (df <= 0) return 0
    split("12.706 4.303 3.182 2.776 2.571 2.447 2.365 2.306 2.262 2.228 2.201 2.179 2.160 2.145 2.131 2.120 2.110 2.101 2.093 2.086 2.080 2.074 2.069 2.064 2.060 2.056 2.052 2.048 2.045 2.042", t, " ")
    return df <= 30 ? t[df] + 0 : t[30] + 0
}

# Fills per-run log ratios lr[1..n] of metric m in scenario s; returns n. Also counts rounds a won (wins, total).
function runratios(s, m,    r, k, sum, cnt, x, n) {
    n = 0; wins = 0; total = 0
    for (r = 1; r <= run; r++) {
        sum = 0; cnt = 0
        for (k = 1; k <= maxround; k++) {
            if (!((r, s, k) in rounds)) continue
            if (v[r, s, k, "a", m] + 0 <= 0 || v[r, s, k, "b", m] + 0 <= 0) continue
            x = log(v[r, s, k, "a", m] / v[r, s, k, "b", m])
            sum += x; cnt++
            total++
            if ((m == "rps" && x >= 0) || (m != "rps" && x <= 0)) wins++
        }
        if (cnt > 0) lr[++n] = sum / cnt
    }
    return n
}

function pooled(s, m,    n, i, mean, sd, h) {
    n = runratios(s, m)
    if (n == 0) return "| n/a | |"
    mean = 0
    for (i = 1; i <= n; i++) mean += lr[i]
    mean /= n
    sd = 0
    for (i = 1; i <= n; i++) sd += (lr[i] - mean) ^ 2
    sd = n > 1 ? sqrt(sd / (n - 1)) : 0
    h = n > 1 ? tq(n - 1) * sd / sqrt(n) : 0
    return sprintf("| %.3f | %s |", exp(mean), n > 1 ? sprintf("%.3f–%.3f", exp(mean - h), exp(mean + h)) : "one run")
}

function perrun(s, m,    n, i, out) {
    n = runratios(s, m)
    out = ""
    for (i = 1; i <= n; i++) out = out (i > 1 ? " " : "") sprintf("%.2f", exp(lr[i]))
    return out
}

END {
    printf "%s/%s over %d runs (each run: fresh processes; per run, the geometric mean of its paired rounds)\n\n", a, b, run
    print "| scenario | metric | pooled | 95 % CI | rounds " a " ahead | per run |"
    print "| --- | --- | ---: | ---: | ---: | --- |"
    for (i = 1; i <= nscenarios; i++) {
        s = scenarios[i]
        split("rps p99 cpu", metrics, " ")
        split("req/s;p99;CPU/req", names, ";")
        for (j = 1; j <= 3; j++) {
            line = pooled(s, metrics[j])
            printf "| %s | %s %s %d of %d | %s |\n", s, names[j], line, wins, total, perrun(s, metrics[j])
        }
    }
    print ""
    print "req/s: above 1 means " a " served more; p99 and CPU/req: below 1 means " a " was lower. A CI that contains 1 means"
    print "these runs cannot tell the two apart."
}
