#!/bin/sh
# bench-linux.sh - boots guest (a) of the boot tests (Debian's i386 kernel,
# busybox initramfs; tests/boot/get-guests.sh) under tx86 and under
# qemu-system-i386 -accel tcg, alternating, RUNS times each, and prints per
# engine the best time to the first userspace line and the in-guest
# workloads the initramfs's bench mode times itself (/proc/uptime): md5sum,
# sha256sum and gzip of a few MB, a 30000-iteration shell loop, 200 execs;
# then the tx86/QEMU ratio.  A benchmark, not a test: it never fails on
# the figures (docs/PERFORMANCE.md records them).
#
#   scripts/bench-linux.sh [RUNS]      (default 2)
set -u
cd "$(dirname "$0")/.." || exit 1
runs=${1:-2}
[ -x ./tx86 ] || { echo "bench-linux: build tx86 first (./configure && make)"; exit 1; }
sh tests/boot/get-guests.sh > /dev/null || { echo "bench-linux: cannot build the guests"; exit 1; }
G=build/guests
out=${TMPDIR:-/tmp}/tx86-bench-linux.$$
mkdir -p "$out"
args="-m 256 -kernel $G/vmlinuz -initrd $G/initrd.gz -append"
cmdline="console=ttyS0 nokaslr tx86.mode=bench"
qemu=$(command -v qemu-system-i386 || true)
engines="tx86"
[ -n "$qemu" ] && engines="tx86 qemu"
items="boot md5sum sha256sum gzip loop exec"

# run ENGINE N: the guest's output with a host timestamp on each line
run() {
    case $1 in
    tx86) cmd="./tx86" ;;
    qemu) cmd="$qemu -M pc -accel tcg" ;;
    esac
    t0=$(date +%s.%N)
    timeout 600 $cmd $args "$cmdline" -nographic -no-reboot < /dev/null 2>&1 |
        while IFS= read -r line; do
            printf '%s %s\n' "$(date +%s.%N)" "$line"
        done > "$out/$1.$2.log"
    # boot = host time to the first userspace line
    awk -v t0="$t0" '/TX86-USERSPACE-UP/ { printf "boot %.2f\n", $1 - t0; exit }' \
        "$out/$1.$2.log" > "$out/$1.$2.fig"
    awk '$2 == "TX86-BENCH" { printf "%s %s\n", $3, $4 }' "$out/$1.$2.log" | tr -d '\r' \
        >> "$out/$1.$2.fig"
}

i=1
while [ $i -le "$runs" ]; do
    for e in $engines; do
        echo "bench-linux: run $i, $e" >&2
        run "$e" "$i"
    done
    i=$((i + 1))
done

# best (smallest) figure of each item per engine
best() {
    cat "$out"/"$1".*.fig 2>/dev/null | awk -v k="$2" '$1 == k && (b == "" || $2 < b) { b = $2 }
        END { print (b == "" ? "-" : b) }'
}
printf '%-10s %10s %10s %8s\n' item tx86/s qemu/s ratio
for it in $items; do
    a=$(best tx86 "$it")
    b=$( [ -n "$qemu" ] && best qemu "$it" || echo -)
    r=$(awk -v a="$a" -v b="$b" 'BEGIN { if (a == "-" || b == "-" || b == 0) print "-";
        else printf "%.2f", a / b }')
    printf '%-10s %10s %10s %8s\n' "$it" "$a" "$b" "$r"
done
echo "(logs in $out; boot = host seconds to the first userspace line, the rest in-guest seconds)"
