#!/bin/sh
# scripts/bench-work-debian.sh - the Debian workload set of scripts/bench.sh.
# Runs as the run.sh of a TX86-CHECKS disk inside the full Debian 12 i386
# system of tests/boot/debian-image.sh (its tx86-check.service runs it as
# root after the boot reached `running`, each output line becoming
# "TX86-OUT <line>" on the console), and natively on the host in a chroot
# of the same image's file tree.  Each workload prints
#   BENCH-BEGIN NAME
#   BENCH-END NAME GUEST_SECONDS CHECK
# bench.sh times it by the host's clock between the arrival of the two
# lines; GUEST_SECONDS is the system's own clock (date +%s.%N); CHECK is
# what the work computed (a checksum, a count), which must be the same on
# every engine.  Scratch space: $BENCH_TMP (default /tmp/tx86-bench).
#
# The workloads: 300 fork+exec of the dynamic /bin/true from dash; a
# python3 integer loop; python3 -m compileall -f of a copy of six stdlib
# packages; three sorts of 300,000 generated lines; tar c | gzip of
# /usr/lib/python3.11 (no __pycache__); apt: the package cache built anew
# from the image's bookworm i386 index (about 60,000 packages) and
# `apt-get -s install build-essential` resolved against it (offline);
# sse2: tests/bench/sse2work.c (glibc's SSE2 string and memory functions
# and a gcc -msse2 loop), when bench.sh could build it (gcc -m32) next to
# this script.  BENCH_ONLY (names, set by bench.sh from BENCH_DEBIAN_WORK
# in a line it puts before this script) runs only those workloads.
#
#   sh bench-work-debian.sh
t() { date +%s.%N; }
w() {   # NAME COMMAND...: one timed workload; COMMAND prints the check
    case " ${BENCH_ONLY:-$1} " in *" $1 "*) ;; *) return ;; esac
    echo "BENCH-BEGIN $1"
    name=$1; shift
    t0=$(t)
    chk=$("$@" | tr -s ' \n' '  ')
    t1=$(t)
    echo "BENCH-END $name $(echo "$t0 $t1" | awk '{ printf "%.2f", $2 - $1 }') ${chk% }"
}
first() { cut -d' ' -f1; }
d=${BENCH_TMP:-/tmp/tx86-bench}
rm -rf "$d" && mkdir -p "$d" || exit 1
export LC_ALL=C

# not timed: the inputs
awk 'BEGIN { x = 12345; for (i = 0; i < 300000; i++) { x = (x * 1103515245 + 12345) % 2147483648;
    printf "%010d %s\n", x % 1000000007, substr("abcdefghijklmnopqrstuvwxyz", x % 26 + 1, 8) } }' > "$d/lines"
mkdir -p "$d/py"
for p in email asyncio json http xml unittest; do cp -r "/usr/lib/python3.11/$p" "$d/py/"; done
find "$d/py" -name __pycache__ -prune -exec rm -rf {} +
mkdir -p "$d/apt/archives/partial"

forkexec() { i=0; while [ $i -lt 300 ]; do /bin/true; i=$((i + 1)); done; echo $i; }
pyloop() {
    python3 -B -c '
s = 0
for i in range(3000000):
    s = (s * 31 + i) % 1000003
print(s)'
}
compileall() { python3 -m compileall -q -f "$d/py" > /dev/null; find "$d/py" -name '*.pyc' | wc -l; }
sorting() { { sort "$d/lines"; sort -r "$d/lines"; sort -k2,2 -k1,1n "$d/lines"; } | md5sum | first; }
targz() {
    tar -C /usr/lib -c --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner \
        --exclude=__pycache__ python3.11 | gzip -n -6 | md5sum | first
}
here=$(cd "$(dirname "$0")" && pwd)
sse2() { "$here/sse2work" 1500; }
apt() {
    apt-get -s -o Dir::Cache="$d/apt" install build-essential 2>&1 | grep '^Inst' > "$d/apt.out"
    echo "$(wc -l < "$d/apt.out") $(md5sum < "$d/apt.out" | first)"
}

w forkexec forkexec
w pyloop pyloop
w compileall compileall
w sort sorting
w targz targz
w apt apt
[ -x "$here/sse2work" ] && w sse2 sse2
rm -rf "$d"
echo "BENCH-DONE"
