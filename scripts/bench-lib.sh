# scripts/bench-lib.sh - shell functions shared by scripts/bench.sh and its
# self-test (tests/bench/bench_report_test.sh); sourced, never run.
#
#   bench_stamp            stdin to stdout, each line prefixed with the
#                          host's time (seconds, 3 decimals); the first
#                          line is "T BENCH-START", written when it starts
#   bench_parse SET ENGINE ROUND < STAMPED_LOG
#                          the result lines of one run (below) from the
#                          stamped output of a workload script
#   bench_table ENGINES < RESULTS
#                          markdown tables: per set, best time per workload
#                          and engine, tx86/OTHER ratios, their geometric
#                          means, whether the checks agree; exit status 1
#                          when two engines (or rounds) computed different
#                          checks
#
# A result line is
#   SET ENGINE ROUND WORKLOAD HOST_SECONDS GUEST_SECONDS CHECK
# with "-" for a figure that is not there; the pseudo-workloads "=cpu" (CPU
# seconds, user + system, of the whole run) and "=insns" (host
# instructions:u of the whole run, from perf stat) describe the run itself.
# Workload times are the host's clock between the arrival of the
# workload's BENCH-BEGIN and BENCH-END lines; "boot" is the time from the
# start to the first userspace line (busybox) or to the Debian system's
# TX86-DEBIAN-STATE line, whose guest uptime and state go in the guest and
# check columns.

bench_stamp() {
    python3 -u -c '
import sys, time
out = sys.stdout
out.write("%.3f BENCH-START\n" % time.time())
for line in sys.stdin.buffer:
    out.write("%.3f %s\n" % (time.time(), line.decode("latin-1").rstrip("\r\n")))
'
}

bench_parse() {
    tr -d '\r' | awk -v set="$1" -v eng="$2" -v round="$3" '
    function out(w, s, g, c) { printf "%s %s %s %s %s %s %s\n", set, eng, round, w, s, g, c }
    $2 == "BENCH-START" && t0 == "" { t0 = $1; next }
    /TX86-USERSPACE-UP/ && !booted { booted = 1; out("boot", sprintf("%.2f", $1 - t0), "-", "-") }
    / TX86-DEBIAN-STATE / && !booted {
        booted = 1; up = "-"
        if (match($0, /\[ *[0-9.]+\] TX86-DEBIAN-STATE/)) {
            up = substr($0, RSTART + 1, RLENGTH); sub(/\].*/, "", up); gsub(/ /, "", up)
            up = sprintf("%.2f", up)
        }
        out("boot", sprintf("%.2f", $1 - t0), up, $NF)
    }
    {
        for (i = 2; i <= NF; i++) {
            if ($i == "BENCH-BEGIN") { begin[$(i + 1)] = $1; break }
            if ($i == "BENCH-END" && ($(i + 1) in begin)) {
                c = ""
                for (j = i + 3; j <= NF; j++) c = c (c == "" ? "" : ",") $j
                out($(i + 1), sprintf("%.2f", $1 - begin[$(i + 1)]), $(i + 2), c == "" ? "-" : c)
                break
            }
        }
    }'
}

bench_table() {
    awk -v engines="$1" '
    function fmt(x) { return x == "" ? "-" : sprintf("%.2f", x) }
    {
        set = $1; e = $2; w = $4
        if (!(set in seen_set)) { seen_set[set] = 1; sets[++nsets] = set }
        if (!((set, w) in seen_w)) {
            seen_w[set, w] = 1
            if (w !~ /^=/) wl[set, ++nw[set]] = w
        }
        has_eng[set, e] = 1
        if (w == "boot" && $6 != "-" && (!((set, e) in up) || $6 + 0 < up[set, e] + 0)) up[set, e] = $6
        if ($5 != "-" && (!((set, w, e) in best) || $5 + 0 < best[set, w, e] + 0)) best[set, w, e] = $5
        if ($7 != "-" && w !~ /^=/) {
            k = set SUBSEP w
            if (!(k in chk)) { chk[k] = $7; chk_by[k] = e " round " $3 }
            else if (chk[k] != $7) bad[k] = bad[k] sprintf("; %s round %s got %s", e, $3, $7)
        }
    }
    END {
        ne = split(engines, eng, " ")
        status = 0
        for (s = 1; s <= nsets; s++) {
            set = sets[s]
            n = 0
            for (i = 1; i <= ne; i++) if ((set, eng[i]) in has_eng) col[++n] = eng[i]
            # ratios: tx86 (or the first engine) against each other engine
            base = col[1]
            printf "\n%s set: best host seconds per workload\n\n", set
            hdr = "| workload |"; sep = "|---|"
            for (i = 1; i <= n; i++) { hdr = hdr " " col[i] " |"; sep = sep "---|" }
            for (i = 2; i <= n; i++) { hdr = hdr " " base "/" col[i] " |"; sep = sep "---|" }
            print hdr " check |"; print sep "---|"
            for (i = 2; i <= n; i++) { lsum[i] = 0; cnt[i] = 0 }
            for (j = 1; j <= nw[set]; j++) {
                w = wl[set, j]; line = "| " w " |"
                for (i = 1; i <= n; i++) line = line " " fmt(best[set, w, col[i]]) " |"
                for (i = 2; i <= n; i++) {
                    a = best[set, w, base]; b = best[set, w, col[i]]
                    if (a != "" && b != "" && a > 0 && b > 0) {
                        line = line " " sprintf("%.2f", a / b) " |"; lsum[i] += log(a / b); cnt[i]++
                    } else line = line " - |"
                }
                k = set SUBSEP w
                if (k in bad) {
                    msg = chk_by[k] " got " chk[k] bad[k]
                    line = line " **MISMATCH**: " msg " |"; status = 1
                    printf "bench: MISMATCH in %s %s: %s\n", set, w, msg > "/dev/stderr"
                } else line = line " " ((k in chk) ? "ok" : "-") " |"
                print line
            }
            line = "| geometric mean |"
            for (i = 1; i <= n; i++) line = line " |"
            for (i = 2; i <= n; i++) line = line " " (cnt[i] ? sprintf("**%.2f**", exp(lsum[i] / cnt[i])) : "-") " |"
            print line " |"
            line = ""
            for (i = 1; i <= n; i++) if ((set, col[i]) in up) line = line sprintf(", %s %.2f s", col[i], up[set, col[i]])
            if (line != "") printf "\nGuest uptime at the end of the boot, best: %s\n", substr(line, 3)
            if (((set, "=cpu") in seen_w) || ((set, "=insns") in seen_w)) {
                printf "\n%s set: the whole run per engine (boot and all workloads), best round\n\n", set
                print "| engine | CPU seconds (user + system) | host instructions:u |"
                print "|---|---|---|"
                for (i = 1; i <= n; i++) {
                    ins = best[set, "=insns", col[i]]
                    printf "| %s | %s | %s |\n", col[i], fmt(best[set, "=cpu", col[i]]),
                        ins == "" ? "not counted" : sprintf("%.3f G", ins / 1e9)
                }
            }
        }
        exit status
    }'
}
