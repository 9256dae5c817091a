# Turns bench/run.sh's raw per-run TSV into markdown: medians per scenario and contender, then the ratios.
# Usage: awk -F'\t' -v order="gatehouse nginx yarp" [-v max_other=10] -f summarize.awk raw.tsv   (POSIX awk; mawk is enough)
# With max_other, runs in which other processes took more than that share of the machine (column 11) are left out.
# Columns: scenario contender round req_s p99_ms requests proxy_cpu_us_per_req peak_rss_mb backend_cpu_us_per_req
#          wrk_cpu_us_per_req other_cpu_pct errors backend_requests alloc_b_per_req (empty but for .NET contenders)

NR == 1 { next }
max_other != "" && $11 + 0 > max_other + 0 { next }

{
    if (!($1 in seen)) { seen[$1] = 1; scenarios[++nscenarios] = $1 }
    key = $1 SUBSEP $2
    runs[key]++
    for (col = 4; col <= 11; col++) values[key, col] = values[key, col] (runs[key] > 1 ? " " : "") $col
    errors[key] += $12
    if ($14 != "") allocs[key] = allocs[key] (allocs[key] != "" ? " " : "") $14
    # Kept per round too, for the paired ratios: the contenders of one round ran within a minute of each other.
    rps[key, $3] = $4
    cpu[key, $3] = $7
    if ($3 + 0 > maxround) maxround = $3 + 0
}

function median(list,    a, n, i, j, t) {
    n = split(list, a, " ")
    for (i = 2; i <= n; i++) {
        t = a[i] + 0
        for (j = i - 1; j >= 1 && a[j] + 0 > t; j--) a[j + 1] = a[j]
        a[j + 1] = t
    }
    if (n == 0) return ""
    return n % 2 ? a[(n + 1) / 2] + 0 : (a[n / 2] + a[n / 2 + 1]) / 2
}

function minmax(list,    a, n, i, lo, hi) {
    n = split(list, a, " ")
    lo = hi = a[1] + 0
    for (i = 2; i <= n; i++) { if (a[i] + 0 < lo) lo = a[i] + 0; if (a[i] + 0 > hi) hi = a[i] + 0 }
    return sprintf("%.2f–%.2f", lo, hi)
}

function ratio(a, b) { return (b + 0 == 0) ? "n/a" : sprintf("%.2f", a / b) }

END {
    ncontenders = split(order, contenders, " ")
    print "| scenario | contender | req/s | p99 ms | proxy CPU µs/req | alloc B/req | peak RSS MB | backend CPU µs/req | wrk CPU µs/req | other CPU % | errors | runs |"
    print "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    for (s = 1; s <= nscenarios; s++) {
        for (c = 1; c <= ncontenders; c++) {
            key = scenarios[s] SUBSEP contenders[c]
            if (!(key in runs)) continue
            for (col = 4; col <= 11; col++) m[key, col] = median(values[key, col])
            m[key, 14] = (key in allocs) ? median(allocs[key]) : ""
            printf "| %s | %s | %.0f | %.2f | %.1f | %s | %.1f | %.1f | %.1f | %.0f | %d | %d |\n", scenarios[s], contenders[c],
                m[key, 4], m[key, 5], m[key, 7], (m[key, 14] == "" ? "" : sprintf("%.0f", m[key, 14])), m[key, 8], m[key, 9], m[key, 10], m[key, 11], errors[key], runs[key]
        }
    }

    # Pairs to compare, when both sides ran. req/s: above 1 is better for the first; the others: below 1 is better.
    npairs = split("gatehouse/nginx gatehouse/yarp gatehouse-log/nginx-log gatehouse-log/gatehouse gatehouse-cache/nginx-cache gatehouse-cache/varnish gatehouse-tls/nginx-tls gatehouse-tls/yarp-tls gatehouse/gatehouse-bare gatehouse-env/gatehouse gatehouse-env/yarp gatehouse-gzip/nginx-gzip gatehouse-gzip-cache/nginx-gzip-cache", pairs, " ")
    # Each pair gives two rows: the ratio of the two sides' medians, and the same pair round by round (each round's
    # ratio, then their median and range, and how many rounds the first side was at least as fast). Slow drift of the
    # machine cancels within a round, so the paired ratios scatter less than the medians of each side taken apart.
    medians = ""; paired = ""
    for (s = 1; s <= nscenarios; s++) {
        for (p = 1; p <= npairs; p++) {
            split(pairs[p], side, "/")
            a = scenarios[s] SUBSEP side[1]
            b = scenarios[s] SUBSEP side[2]
            if (!(a in runs) || !(b in runs)) continue
            medians = medians sprintf("| %s | %s | %s | %s | %s | %s |\n", scenarios[s], pairs[p],
                ratio(m[a, 4], m[b, 4]), ratio(m[a, 5], m[b, 5]), ratio(m[a, 7], m[b, 7]), ratio(m[a, 8], m[b, 8]))
            rl = ""; cl = ""; won = 0; n = 0
            for (r = 1; r <= maxround; r++) {
                if (!((a, r) in rps) || !((b, r) in rps) || rps[b, r] + 0 == 0 || cpu[b, r] + 0 == 0) continue
                q = rps[a, r] / rps[b, r]
                rl = rl (n ? " " : "") q
                cl = cl (n ? " " : "") cpu[a, r] / cpu[b, r]
                if (q >= 1) won++
                n++
            }
            if (n > 0) paired = paired sprintf("| %s | %s | %.2f | %s | %d of %d | %.2f | %s |\n", scenarios[s], pairs[p], median(rl), minmax(rl), won, n, median(cl), minmax(cl))
        }
    }

    print ""
    print "Ratios of medians (req/s: higher is better for the first; p99, CPU and RSS: lower is better):"
    print ""
    print "| scenario | ratio | req/s | p99 | proxy CPU/req | peak RSS |"
    print "| --- | --- | ---: | ---: | ---: | ---: |"
    printf "%s", medians
    print ""
    print "Paired by round (req/s and proxy CPU/req ratios of the two sides in the same round):"
    print ""
    print "| scenario | ratio | req/s median | req/s range | rounds ≥ 1 | CPU/req median | CPU/req range |"
    print "| --- | --- | ---: | ---: | ---: | ---: | ---: |"
    printf "%s", paired
}
