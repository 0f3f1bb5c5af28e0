#!/bin/sh
# bench-micro.sh - micro-benchmarks of the paths real guests take thousands
# of times per second (tests/bench/{int80,sysenter,pagefault,cr3,repmovs,
# x87,sse2,sse2shuf,transl}.asm), each under tx86 --backend=native, tx86 --backend=interp
# and qemu-system-i386 -accel tcg (when installed), for docs/PERFORMANCE.md.
# A benchmark, not a test: it prints figures; it fails (exit 1) only when
# an engine's checksum differs from the others' or a run did not finish.
#
#   scripts/bench-micro.sh [RUNS] [NAME...]      (make bench-micro)
#
# RUNS (default 3) rounds; in each round every engine runs every ROM once,
# the engines alternating, each pinned to one core (BENCH_CPU, default 1:
# `taskset -c 1`); the best wall time of the rounds is kept.  NAME limits
# the run to those rows (e.g. "x87 transl").  TX86=path picks another
# binary (to compare builds), ENGINES="native interp qemu" fewer engines.
# Columns: seconds per engine, tx86/QEMU time ratios (below 1: tx86 is
# faster), and native nanoseconds per operation (one system call, fault,
# flush + touches, 4 KiB string instruction, loop of 7 x87 instructions,
# or, for transl, one translated guest instruction).
set -u
cd "$(dirname "$0")/.." || exit 1
runs=${1:-3}
[ $# -gt 0 ] && shift
only=$*
tx86=${TX86:-./tx86}
cpu=${BENCH_CPU:-1}
engines=${ENGINES:-native interp qemu}
out=${TMPDIR:-/tmp}/tx86-bench-micro.$$
mkdir -p "$out"
trap 'rm -rf "$out"' EXIT

[ -x "$tx86" ] || { echo "bench-micro: build tx86 first (./configure && make)"; exit 1; }
grep -q 'NATIVE_BACKEND := 1' config.mk 2>/dev/null || engines=$(echo "$engines" | sed 's/native//')
command -v qemu-system-i386 >/dev/null 2>&1 || engines=$(echo "$engines" | sed 's/qemu//')
pin=""
command -v taskset >/dev/null 2>&1 && pin="taskset -c $cpu"

# name  source  nasm defines  iterations  operations per iteration
# (iterations: about 1 s under QEMU 7.2 TCG on the project's machine)
rows="int80     int80.asm     -         3000000  1
sysenter  sysenter.asm  -         8000000  1
pagefault pagefault.asm -         400000   1
cr3       cr3.asm       -         100000   1
invlpg    cr3.asm       -DINVLPG  150000   1
repmovsd  repmovs.asm   -         200000   1
repstosd  repmovs.asm   -DSTOSD   200000   1
repmovsb  repmovs.asm   -DMOVSB   40000    1
x87       x87.asm       -         1500000  1
sse2      sse2.asm      -         10000000 1
sse2shuf  sse2shuf.asm  -         5000000  1
transl    transl.asm    -         16       16384"

echo "$rows" | while read -r name src defs iter ops; do
    [ -n "$only" ] && ! echo " $only " | grep -q " $name " && continue
    [ "$defs" = "-" ] && defs=""
    # shellcheck disable=SC2086
    nasm -f bin -DITER="$iter" $defs -o "$out/$name.bin" "tests/bench/$src" || exit 1
    echo "$name $iter $ops" >>"$out/list"
done
[ -f "$out/list" ] || { echo "bench-micro: no such row: $only"; exit 1; }

args="-nographic -debugcon stdio -device isa-debug-exit,iobase=0xf4,iosize=0x04 -no-reboot"
now() { date +%s.%N; }

# run ENGINE ROM: prints "seconds output" (output is the checksum line)
# shellcheck disable=SC2086
run() {
    # the SSE rows run on a model with SSE2 (both engines), the others on
    # the P6 models
    case $(basename "$2") in
    sse*) qcpu=n270 tcpu="-cpu n270" ;;
    *)    qcpu=pentium2 tcpu="" ;;
    esac
    case $1 in
    qemu) set -- qemu-system-i386 -accel tcg -cpu $qcpu -display none -monitor none \
              -serial none -bios "$2" $args ;;
    *)    set -- "$tx86" --backend="$1" $tcpu -bios "$2" $args ;;
    esac
    t0=$(now)
    # shellcheck disable=SC2086
    $pin "$@" </dev/null >"$out/stdout" 2>"$out/stderr"
    t1=$(now)
    awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f ", b - a }'
    tr -d '\n' <"$out/stdout"
    echo
}

r=1
while [ "$r" -le "$runs" ]; do
    while read -r name iter ops; do
        for e in $engines; do
            run "$e" "$out/$name.bin" >>"$out/$name.$e"
        done
    done <"$out/list"
    r=$((r + 1))
done

echo "bench-micro: best of $runs rounds, pinned to cpu $cpu ($(date -u '+%Y-%m-%d %H:%M UTC'))"
echo "host: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores"
printf '%-10s %9s %8s %8s %8s %8s %8s %8s  %s\n' name iter native interp qemu nat/qemu int/qemu "ns/op" checksum
bad=0
while read -r name iter ops; do
    line="" sum="" ok=1 t_native=- t_interp=- t_qemu=-
    for e in native interp qemu; do
        f=$out/$name.$e
        [ -f "$f" ] || continue
        # every run must print the same line "NAME sum=XXXXXXXX"
        sums=$(cut -d' ' -f2- "$f" | sort -u)
        if [ "$(echo "$sums" | wc -l)" -ne 1 ] || ! echo "$sums" | grep -q "^$name sum="; then ok=0; fi
        [ -z "$sum" ] && sum=$sums
        [ "$sums" = "$sum" ] || ok=0
        eval "t_$e=$(cut -d' ' -f1 "$f" | sort -n | head -n 1)"
    done
    ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-") print "-"; else printf "%.2f", a / b }'; }
    nsop=$(awk -v t="$t_native" -v n="$iter" -v o="$ops" 'BEGIN { if (t == "-") print "-"; else printf "%.1f", t * 1e9 / n / o }')
    if [ "$ok" -eq 1 ]; then line=${sum#* sum=}; else line="MISMATCH"; bad=1; fi
    printf '%-10s %9s %8s %8s %8s %8s %8s %8s  %s\n' "$name" "$iter" "$t_native" "$t_interp" "$t_qemu" \
        "$(ratio "$t_native" "$t_qemu")" "$(ratio "$t_interp" "$t_qemu")" "$nsop" "$line"
done <"$out/list"
if [ "$bad" -ne 0 ]; then
    echo "bench-micro: checksums differ between engines or runs (outputs below)"
    for f in "$out"/*.native "$out"/*.interp "$out"/*.qemu; do
        [ -f "$f" ] && sed "s|^|$(basename "$f"): |" "$f"
    done
    exit 1
fi
