#!/bin/sh
# bench-intloop.sh - guest integer-loop speed of each backend (and of
# qemu-system-i386 -accel tcg when it is installed), for docs/PERFORMANCE.md.
# A benchmark, not a test: it prints figures and never fails on them.
#
#   scripts/bench-intloop.sh [ITER] [RUNS]
#
# Builds tests/bench/intloop.asm with ITER iterations (default 200000000;
# 10 guest instructions each), runs every engine RUNS times (default 3) and
# prints the best wall time and guest instructions per second.
set -u
cd "$(dirname "$0")/.." || exit 1
iter=${1:-200000000}
runs=${2:-3}
out=${TMPDIR:-/tmp}/tx86-bench.$$
mkdir -p "$out"
rom=$out/intloop.bin
nasm -f bin -DITER="$iter" -o "$rom" tests/bench/intloop.asm || exit 1
[ -x ./tx86 ] || { echo "bench: build tx86 first (./configure && make)"; exit 1; }
insns=$((iter * 10))
args="-bios $rom -nographic -debugcon stdio -device isa-debug-exit,iobase=0xf4,iosize=0x04"

now() { date +%s.%N; }

# bench NAME COMMAND...: best of $runs wall-clock times
bench() {
    name=$1; shift
    best=""
    i=0
    while [ "$i" -lt "$runs" ]; do
        t0=$(now)
        "$@" </dev/null >"$out/stdout" 2>"$out/stderr"
        t1=$(now)
        if ! grep -q "intloop sum=" "$out/stdout"; then
            echo "$name: did not finish correctly"; cat "$out/stderr"; return
        fi
        t=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", b - a }')
        if [ -z "$best" ] || awk -v t="$t" -v b="$best" 'BEGIN { exit !(t < b) }'; then best=$t; fi
        i=$((i + 1))
    done
    mips=$(awk -v n="$insns" -v t="$best" 'BEGIN { printf "%.0f", n / t / 1000000 }')
    printf '%-28s %8.3f s  %8.0f M guest insns/s  (%s)\n' "$name" "$best" "$mips" "$(cat "$out/stdout")"
}

echo "intloop: $iter iterations = $insns guest instructions, best of $runs runs"
echo "host: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores"
if grep -q 'NATIVE_BACKEND := 1' config.mk 2>/dev/null; then
    bench "tx86 --backend=native" ./tx86 --backend=native $args
fi
bench "tx86 --backend=interp" ./tx86 --backend=interp $args
if command -v qemu-system-i386 >/dev/null 2>&1; then
    bench "qemu-system-i386 -accel tcg" qemu-system-i386 -accel tcg $args -display none -monitor none -serial none
fi
rm -rf "$out"
