# scripts/bench-lib.sh - shell functions shared by scripts/bench.sh and its
# self-test (tests/bench/harness_test.sh); sourced, never run.
#
#   bench_run LIMIT CPU COMMAND...
#                          runs COMMAND pinned to host core CPU (taskset),
#                          stdin /dev/null, killed after LIMIT seconds, and
#                          prints its output (stdout and stderr) with each
#                          line prefixed by the host's time and the CPU
#                          seconds (user + system, all threads and waited-for
#                          children) the command's process had used when
#                          the line arrived:  "TIME CPU LINE".  The first
#                          line is "TIME 0 BENCH-START", the last
#                          "TIME CPU BENCH-EXIT STATUS" (CPU from the exit's
#                          rusage); with BENCH_PERF=1 also "TIME CPU
#                          BENCH-INSNS N" (perf stat -e instructions:u
#                          attached to the process)
#   bench_parse SET ENGINE ROUND < LOG
#                          the result lines of one run (below) from the
#                          log bench_run wrote
#   bench_table ENGINES < RESULTS
#                          markdown tables: per set, best host seconds and
#                          best CPU seconds per workload and engine,
#                          tx86/OTHER ratios and their geometric means,
#                          whether the checks agree; exit status 1 when
#                          two engines (or rounds) computed different checks
#
# A result line is
#   SET ENGINE ROUND WORKLOAD HOST_SECONDS CPU_SECONDS GUEST_SECONDS CHECK
# with "-" for a figure that is not there; the pseudo-workloads "=run" (the
# whole run: host and CPU seconds) and "=insns" (host instructions:u of the
# whole run, in the host column) describe the run itself.  A workload's
# figures are differences between the arrival of its BENCH-BEGIN and
# BENCH-END lines; "boot" is the time from the start to the first
# userspace line (busybox) or to the Debian system's TX86-DEBIAN-STATE
# line, whose guest uptime and state go in the guest and check columns.
# shellcheck shell=sh

bench_run() {
    python3 -u -c '
import os, signal, subprocess, sys, time
limit, cpu, cmd = float(sys.argv[1]), sys.argv[2], sys.argv[3:]
tick = os.sysconf("SC_CLK_TCK")
out = sys.stdout
t0 = time.time()
out.write("%.3f 0 BENCH-START\n" % t0)
p = subprocess.Popen(["taskset", "-c", cpu] + cmd, stdin=subprocess.DEVNULL,
                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
perf = None
if os.environ.get("BENCH_PERF") == "1":
    perf_out = "/tmp/tx86-bench-perf.%d" % p.pid
    perf = subprocess.Popen(["perf", "stat", "-x,", "-e", "instructions:u", "-p", str(p.pid), "-o", perf_out],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
def cpu_used():
    try:
        f = open("/proc/%d/stat" % p.pid).read().rsplit(")", 1)[1].split()
        return sum(int(x) for x in f[11:15]) / tick
    except (OSError, IndexError, ValueError):
        return -1
def timeout(*_):
    os.killpg(p.pid, signal.SIGKILL)
signal.signal(signal.SIGALRM, timeout)
signal.setitimer(signal.ITIMER_REAL, limit)
for line in p.stdout:
    out.write("%.3f %.2f %s\n" % (time.time(), cpu_used(), line.decode("latin-1").rstrip("\r\n")))
pid, status, ru = os.wait4(p.pid, 0)
now = time.time()
signal.setitimer(signal.ITIMER_REAL, 0)
status = os.waitstatus_to_exitcode(status)
out.write("%.3f %.2f BENCH-EXIT %d\n" % (now, ru.ru_utime + ru.ru_stime, status))
if perf:
    perf.send_signal(signal.SIGINT)
    perf.wait()
    try:
        for l in open(perf_out):
            f = l.split(",")
            if len(f) > 2 and f[2].startswith("instructions") and f[0].isdigit():
                out.write("%.3f - BENCH-INSNS %s\n" % (now, f[0]))
        os.unlink(perf_out)
    except OSError:
        pass
' "$@"
}

bench_parse() {
    tr -d '\r' | awk -v set="$1" -v eng="$2" -v round="$3" '
    function out(w, s, c, g, k) { printf "%s %s %s %s %s %s %s %s\n", set, eng, round, w, s, c, g, k }
    function d(a, b) { return (a == "-" || b == "-" || a < 0 || b < 0) ? "-" : sprintf("%.2f", b - a) }
    $3 == "BENCH-START" && t0 == "" { t0 = $1; c0 = $2; next }
    $3 == "BENCH-EXIT" { out("=run", d(t0, $1), d(c0, $2), "-", "-"); next }
    $3 == "BENCH-INSNS" { out("=insns", $4, "-", "-", "-"); next }
    /TX86-USERSPACE-UP/ && !booted { booted = 1; out("boot", d(t0, $1), d(c0, $2), "-", "-") }
    / TX86-DEBIAN-STATE / && !booted {
        booted = 1; up = "-"
        if (match($0, /\[ *[0-9.]+\] TX86-DEBIAN-STATE/)) {
            up = substr($0, RSTART + 1, RLENGTH); sub(/\].*/, "", up); gsub(/ /, "", up)
            up = sprintf("%.2f", up)
        }
        out("boot", d(t0, $1), d(c0, $2), up, $NF)
    }
    {
        for (i = 3; i <= NF; i++) {
            if ($i == "BENCH-BEGIN") { bt[$(i + 1)] = $1; bc[$(i + 1)] = $2; break }
            if ($i == "BENCH-END" && ($(i + 1) in bt)) {
                k = ""
                for (j = i + 3; j <= NF; j++) k = k (k == "" ? "" : ",") $j
                out($(i + 1), d(bt[$(i + 1)], $1), d(bc[$(i + 1)], $2), $(i + 2), k == "" ? "-" : k)
                break
            }
        }
    }'
}

bench_table() {
    awk -v engines="$1" '
    function fmt(x) { return x == "" ? "-" : sprintf("%.2f", x) }
    function keep(m, v) {   # the best (smallest) figure m of set, w, e
        if (v != "-" && (!((m, set, w, e) in best) || v + 0 < best[m, set, w, e] + 0)) best[m, set, w, e] = v
    }
    {
        set = $1; e = $2; w = $4
        if (!(set in seen_set)) { seen_set[set] = 1; sets[++nsets] = set }
        if (!((set, w) in seen_w)) { seen_w[set, w] = 1; if (w !~ /^=/) wl[set, ++nw[set]] = w }
        has_eng[set, e] = 1
        keep("host", $5); keep("cpu", $6)
        if (w == "boot" && $7 != "-" && (!((set, e) in up) || $7 + 0 < up[set, e] + 0)) up[set, e] = $7
        if ($8 != "-" && w !~ /^=/) {
            k = set SUBSEP w
            if (!(k in chk)) { chk[k] = $8; chk_by[k] = e " round " $3 }
            else if (chk[k] != $8) bad[k] = bad[k] sprintf("; %s round %s got %s", e, $3, $8)
        }
    }
    # table M TITLE: the best figure M per workload and engine, ratios of
    # the first engine (tx86) to each other one, their geometric means
    function table(m, title,    i, j, w, k, a, b, line, hdr, sep) {
        printf "\n%s set: %s\n\n", set, title
        hdr = "| workload |"; sep = "|---|"
        for (i = 1; i <= n; i++) { hdr = hdr " " col[i] " |"; sep = sep "---|" }
        for (i = 2; i <= n; i++) { hdr = hdr " " col[1] "/" col[i] " |"; sep = sep "---|" }
        print hdr " check |"; print sep "---|"
        for (i = 2; i <= n; i++) { lsum[i] = 0; cnt[i] = 0 }
        for (j = 1; j <= nw[set]; j++) {
            w = wl[set, j]; line = "| " w " |"
            for (i = 1; i <= n; i++) line = line " " fmt(best[m, set, w, col[i]]) " |"
            for (i = 2; i <= n; i++) {
                a = best[m, set, w, col[1]]; b = best[m, set, w, col[i]]
                if (a != "" && b != "" && a > 0 && b > 0) {
                    line = line " " sprintf("%.2f", a / b) " |"; lsum[i] += log(a / b); cnt[i]++
                } else line = line " - |"
            }
            k = set SUBSEP w
            if (k in bad) line = line " **MISMATCH**: " chk_by[k] " got " chk[k] bad[k] " |"
            else line = line " " ((k in chk) ? "ok" : "-") " |"
            print line
        }
        line = "| geometric mean |"
        for (i = 1; i <= n; i++) line = line " |"
        for (i = 2; i <= n; i++) line = line " " (cnt[i] ? sprintf("**%.2f**", exp(lsum[i] / cnt[i])) : "-") " |"
        print line " |"
    }
    END {
        ne = split(engines, eng, " ")
        status = 0
        for (s = 1; s <= nsets; s++) {
            set = sets[s]
            n = 0
            for (i = 1; i <= ne; i++) if ((set, eng[i]) in has_eng) col[++n] = eng[i]
            table("host", "best host seconds per workload (wall clock)")
            line = ""
            for (i = 1; i <= n; i++) if ((set, col[i]) in up) line = line sprintf(", %s %.2f s", col[i], up[set, col[i]])
            if (line != "") printf "\nGuest uptime at the end of the boot, best: %s\n", substr(line, 3)
            table("cpu", "best CPU seconds of the engine process per workload (user + system)")
            printf "\n%s set: the whole run per engine (boot and all workloads), best round\n\n", set
            print "| engine | host seconds | CPU seconds | host instructions:u |"
            print "|---|---|---|---|"
            for (i = 1; i <= n; i++) {
                ins = best["host", set, "=insns", col[i]]
                printf "| %s | %s | %s | %s |\n", col[i], fmt(best["host", set, "=run", col[i]]),
                    fmt(best["cpu", set, "=run", col[i]]), ins == "" ? "not counted" : sprintf("%.3f G", ins / 1e9)
            }
            for (j = 1; j <= nw[set]; j++) {
                k = set SUBSEP wl[set, j]
                if (k in bad) {
                    printf "bench: MISMATCH in %s %s: %s got %s%s\n", set, wl[set, j], chk_by[k], chk[k], bad[k] > "/dev/stderr"
                    status = 1
                }
            }
        }
        exit status
    }'
}
