# Issue 14's goals from bench/run.sh's raw per-run TSV: one row per goal with Gatehouse's median, the reference's,
# their ratio, the target and whether it holds, and Gatehouse against the minimal YARP app where YARP ran the scenario.
# Usage: awk -F'\t' [-v max_other=10] -f goals.awk raw.tsv   (POSIX awk; mawk is enough). bench/goals.sh runs it.
# Columns: scenario contender round req_s p99_ms requests proxy_cpu_us_per_req peak_rss_mb backend_cpu_us_per_req
#          wrk_cpu_us_per_req other_cpu_pct errors backend_requests alloc_b_per_req

NR == 1 { next }
max_other != "" && $11 + 0 > max_other + 0 { next }
{
    key = $1 SUBSEP $2
    have[key] = 1
    for (col = 4; col <= 14; col++) if ($col != "") values[key, col] = values[key, col] (values[key, col] != "" ? " " : "") $col
}

function median(list,    a, n, i, j, t) {
    n = split(list, a, " ")
    if (n == 0) return ""
    for (i = 2; i <= n; i++) {
        t = a[i] + 0
        for (j = i - 1; j >= 1 && a[j] + 0 > t; j--) a[j + 1] = a[j]
        a[j + 1] = t
    }
    return n % 2 ? a[(n + 1) / 2] + 0 : (a[n / 2] + a[n / 2 + 1]) / 2
}

function value(scenario, contender, col) {
    return ((scenario, contender) in have) ? median(values[scenario, contender, col]) : ""
}

function fmt(v, col) {
    if (v == "") return "–"
    if (col == 4 || col == 14) return sprintf("%.0f", v)
    return sprintf("%.1f", v)
}

function ratio(a, b) { return (a == "" || b == "" || b + 0 == 0) ? "" : a / b }

# row GOAL SCENARIO COLUMN GATEHOUSE REFERENCE YARP KIND TARGET
#   KIND "min": ratio to the reference must be at least TARGET; "max": at most TARGET; "above": above TARGET;
#   "abs": Gatehouse's own value must be under TARGET (MiB); "info": no target.
function row(goal, scenario, col, g, ref, y, kind, target,    gv, rv, yv, r, ry, verdict, tgt) {
    gv = value(scenario, g, col); rv = ref == "" ? "" : value(scenario, ref, col); yv = y == "" ? "" : value(scenario, y, col)
    r = ratio(gv, rv); ry = ratio(gv, yv)
    if (kind == "min") { tgt = sprintf("≥ %.2f × %s", target, ref); verdict = r == "" ? "n/a" : (r >= target ? "yes" : "NO") }
    else if (kind == "max") { tgt = sprintf("≤ %.2f × %s", target, ref); verdict = r == "" ? "n/a" : (r <= target ? "yes" : "NO") }
    else if (kind == "above") { tgt = sprintf("> %s", ref); verdict = r == "" ? "n/a" : (r > target ? "yes" : "NO") }
    else if (kind == "abs") { tgt = sprintf("< %d MiB", target); verdict = gv == "" ? "n/a" : (gv < target ? "yes" : "NO") }
    else { tgt = "report"; verdict = "" }
    if (verdict == "yes") held++
    if (verdict != "" && verdict != "n/a") judged++
    if (verdict == "n/a") missing++
    printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", goal, scenario, g, fmt(gv, col),
        (ref == "" ? "–" : ref " " fmt(rv, col)), (r == "" ? "–" : sprintf("%.2f", r)),
        (y == "" ? "–" : y " " fmt(yv, col)), (ry == "" ? "–" : sprintf("%.2f", ry)), tgt, (verdict == "" ? "–" : verdict)
}

END {
    print "| goal | scenario | Gatehouse | value | reference | ÷ reference | YARP | ÷ YARP | target | holds |"
    print "| --- | --- | --- | ---: | --- | ---: | --- | ---: | --- | --- |"
    row("small, req/s", "small-64", 4, "gatehouse", "nginx", "yarp", "min", 1)
    row("small, p99 ms", "small-64", 5, "gatehouse", "nginx", "yarp", "max", 2)
    row("small, 1,000 conn., req/s", "small-1000", 4, "gatehouse", "nginx", "yarp", "min", 1)
    row("small, 1,000 conn., p99 ms", "small-1000", 5, "gatehouse", "nginx", "yarp", "max", 2)
    row("round robin, req/s", "rr-small-64", 4, "gatehouse", "nginx", "yarp", "min", 1)
    row("round robin, p99 ms", "rr-small-64", 5, "gatehouse", "nginx", "yarp", "max", 2)
    row("100 KiB, req/s", "100k-64", 4, "gatehouse", "nginx", "yarp", "min", 0.9)
    row("cache hit small, req/s", "cached-small-64", 4, "gatehouse-cache", "nginx-cache", "", "above", 1)
    row("cache hit small, req/s", "cached-small-64", 4, "gatehouse-cache", "varnish", "", "above", 1)
    row("cache hit 100 KiB, req/s", "cached-100k-64", 4, "gatehouse-cache", "nginx-cache", "", "above", 1)
    row("cache hit 100 KiB, req/s", "cached-100k-64", 4, "gatehouse-cache", "varnish", "", "above", 1)
    row("HTTPS keep-alive, req/s", "tls-small-64", 4, "gatehouse-tls", "nginx-tls", "yarp-tls", "min", 0.8)
    row("HTTP/2, req/s", "h2-small-64", 4, "gatehouse-tls", "nginx-tls", "yarp-tls", "min", 0.8)
    row("peak RSS MiB, 64 conn.", "small-64", 8, "gatehouse", "nginx", "yarp", "abs", 90)
    row("peak RSS MiB, 1,000 conn.", "small-1000", 8, "gatehouse", "nginx", "yarp", "abs", 150)
    row("CPU µs/req", "small-64", 7, "gatehouse", "nginx", "yarp", "info", 0)
    row("CPU µs/req", "rr-small-64", 7, "gatehouse", "nginx", "yarp", "info", 0)
    row("CPU µs/req", "cached-small-64", 7, "gatehouse-cache", "nginx-cache", "", "info", 0)
    row("CPU µs/req", "h2-small-64", 7, "gatehouse-tls", "nginx-tls", "yarp-tls", "info", 0)
    row("alloc B/req", "small-64", 14, "gatehouse", "", "yarp", "info", 0)
    row("alloc B/req", "rr-small-64", 14, "gatehouse", "", "yarp", "info", 0)
    row("alloc B/req", "100k-64", 14, "gatehouse", "", "yarp", "info", 0)
    row("alloc B/req", "cached-small-64", 14, "gatehouse-cache", "", "", "info", 0)
    row("alloc B/req", "tls-small-64", 14, "gatehouse-tls", "", "yarp-tls", "info", 0)
    row("alloc B/req", "h2-small-64", 14, "gatehouse-tls", "", "yarp-tls", "info", 0)
    print ""
    printf "Goals held: %d of %d judged%s.\n", held, judged, (missing ? sprintf(" (%d not measured in this run)", missing) : "")
}
