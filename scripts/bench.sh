#!/bin/sh
# scripts/bench.sh - `make bench`: the Linux workloads under tx86 and QEMU
# TCG, alternating in one run, each run pinned to one host core, several
# rounds, and natively on the host as the physical limit; prints markdown
# tables (best host seconds per workload and engine, tx86/other ratios and
# their geometric mean per set, whether every engine computed the same
# checks) ready for docs/PERFORMANCE.md, with date, CPU, commit and QEMU
# version.  A benchmark, not a test: it fails (exit 1) only when two
# engines' workloads computed different results, or nothing ran.
#
# Sets (BENCH_SETS, default "intloop busybox debian net"):
#   intloop  scripts/bench-intloop.sh (its own output, not in the tables)
#   busybox  Debian's i386 kernel + the busybox initramfs of
#            tests/boot/get-guests.sh with scripts/bench-work-busybox.sh as
#            its /init's work (-m 256, -kernel); natively: that script in a
#            chroot of the unpacked initramfs
#   debian   the full Debian 12 system of tests/boot/debian-image.sh booted
#            through GRUB to `running`, then scripts/bench-work-debian.sh
#            from a TX86-CHECKS disk (-m 512); natively: the script in a
#            chroot of the image's file tree (debugfs rdump, no loop mount);
#            its sse2 workload is tests/bench/sse2work.c, built here with
#            gcc -m32 -O2 -msse2 (left out without gcc -m32);
#            BENCH_DEBIAN_WORK="sse2 sort" runs only those workloads
#   net      scripts/bench-net.sh (NIC=e1000; its own output)
# Engines (BENCH_ENGINES, default "tx86 qemu native"): tx86 (native
# backend), interp (tx86 --backend=interp), qemu (qemu-system-i386 -accel
# tcg; skipped with a note when absent), native (needs root for chroot).
# BENCH_ROUNDS (3), BENCH_CPU (the host core, 1), BENCH_DIR (work files and
# logs, build/bench).  Besides the host's wall clock, each workload gets the
# CPU seconds the engine's process used meanwhile (/proc/PID/stat), which
# other jobs on a shared machine move much less; the host instructions of
# each whole run come from `perf stat -e instructions:u` where the host's
# counters work.
#
#   make bench
#   BENCH_SETS=busybox BENCH_ROUNDS=2 sh scripts/bench.sh
#   sh scripts/bench.sh --table RESULTS [ENGINES]   # tables of a results file
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/bench-lib.sh"

if [ "${1:-}" = --table ]; then
    bench_table "${3:-tx86 interp qemu native}" < "$2"
    exit
fi

cd "$top" || exit 1
sets=${BENCH_SETS:-intloop busybox debian net}
engines=${BENCH_ENGINES:-tx86 qemu native}
rounds=${BENCH_ROUNDS:-3}
cpu=${BENCH_CPU:-1}
dir=${BENCH_DIR:-$top/build/bench}
rm -rf "$dir/logs" && mkdir -p "$dir/logs" || exit 1
results=$dir/results.txt
: > "$results"
notes=""
note() { notes="$notes
- $*"; echo "bench: $*" >&2; }

[ -x ./tx86 ] || { echo "bench: build tx86 first (./configure && make)" >&2; exit 1; }
qemu=$(command -v qemu-system-i386 || true)
case " $engines " in *" qemu "*)
    [ -n "$qemu" ] || { note "qemu-system-i386 not installed: no QEMU column"; engines=$(echo "$engines" | sed 's/qemu//'); } ;;
esac
case " $engines " in *" native "*)
    [ "$(id -u)" = 0 ] || { note "not root: no native runs (chroot)"; engines=$(echo "$engines" | sed 's/native//'); } ;;
esac

# host instructions where the counters work (not in every container)
if perf stat -x, -e instructions:u true 2>&1 | grep -q '^[0-9]*,,instructions'; then
    export BENCH_PERF=1
else
    export BENCH_PERF=0
    note "perf stat cannot count instructions:u here (<not supported>): CPU seconds only"
fi

# measure SET ENGINE ROUND LIMIT COMMAND...: run COMMAND pinned, its output
# stamped, and add its results to $results
measure() {
    log=$dir/logs/$1.$2.$3.log
    echo "bench: $1 round $3, $2" >&2
    set_=$1 eng=$2 round=$3 lim=$4; shift 4
    bench_run "$lim" "$cpu" "$@" > "$log" 2>&1
    bench_parse "$set_" "$eng" "$round" < "$log" >> "$results"
    grep -q 'BENCH-DONE' "$log" || note "$set_ $eng round $round did not finish (see $log)"
}

# the command of ENGINE for a guest: the emulator's words
emulator() {
    case $1 in
    tx86) echo "$top/tx86 --backend=native" ;;
    interp) echo "$top/tx86 --backend=interp" ;;
    qemu) echo "$qemu -M pc -accel tcg" ;;
    esac
}

# ---- busybox set: the initramfs with bench-work-busybox.sh as /init's work ----
prepare_busybox() {
    sh tests/boot/get-guests.sh > /dev/null || { note "cannot build the busybox guests"; return 1; }
    g=$top/build/guests b=$dir/busybox
    rm -rf "$b" && mkdir -p "$b/over" || return 1
    cp scripts/bench-work-busybox.sh "$b/over/bench-work.sh"
    cat > "$b/over/init" <<'EOF'
#!/bin/busybox sh
# /init of scripts/bench.sh's busybox set: its workloads, then poweroff
/bin/busybox mount -t devtmpfs dev /dev 2>/dev/null
exec </dev/console >/dev/console 2>&1
/bin/busybox --install -s /bin
mount -t proc proc /proc
echo "TX86-USERSPACE-UP mode=bench"
sh /bench-work.sh
poweroff -f
EOF
    chmod 755 "$b/over/init"
    # a later archive in the initramfs overrides the files of the first
    { gzip -dc "$g/initrd.gz"; (cd "$b/over" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0); } |
        gzip -1 > "$b/initrd.gz" || return 1
    if case " $engines " in *" native "*) true ;; *) false ;; esac; then
        mkdir -p "$b/root" && (cd "$b/root" && gzip -dc "$g/initrd.gz" | cpio -id --quiet 2>/dev/null)
        cp "$b/over/bench-work.sh" "$b/root/bench-work.sh"
        [ -e "$b/root/dev/null" ] || mknod -m 666 "$b/root/dev/null" c 1 3
        [ -e "$b/root/dev/zero" ] || mknod -m 666 "$b/root/dev/zero" c 1 5
        chroot "$b/root" /bin/busybox --install -s /bin ||
            { note "the i386 busybox does not run on this host: no native busybox column"; rm -rf "$b/root"; }
    fi
}

run_busybox() {  # ENGINE ROUND
    b=$dir/busybox
    if [ "$1" = native ]; then
        [ -d "$b/root" ] && measure busybox native "$2" 600 chroot "$b/root" /bin/busybox sh /bench-work.sh
        return
    fi
    # shellcheck disable=SC2046 # the emulator's words
    measure busybox "$1" "$2" 1200 $(emulator "$1") -m 256 -kernel build/guests/vmlinuz -initrd "$b/initrd.gz" \
        -append "console=ttyS0 nokaslr tx86.mode=bench" -nographic -no-reboot
}

# ---- debian set: the image, a TX86-CHECKS disk, the file tree ----
prepare_debian() {
    img=$(sh tests/boot/debian-image.sh) || { note "no Debian image (tests/boot/debian-image.sh failed)"; return 1; }
    d=$dir/debian
    mkdir -p "$d/checks" || return 1
    rm -f "$d/checks/sse2work"
    gcc -m32 -O2 -msse2 -o "$d/checks/sse2work" tests/bench/sse2work.c > /dev/null 2>&1 ||
        { rm -f "$d/checks/sse2work"; note "no gcc -m32: no sse2 workload in the debian set"; }
    { [ -n "${BENCH_DEBIAN_WORK:-}" ] && echo "BENCH_ONLY='$BENCH_DEBIAN_WORK'"
      cat scripts/bench-work-debian.sh; } > "$d/checks/run.sh"
    echo 0 > "$d/checks/login-wait"
    rm -f "$d/checks.img"
    mkfs.ext4 -q -F -L TX86-CHECKS -d "$d/checks" "$d/checks.img" 8M > /dev/null || return 1
    if case " $engines " in *" native "*) true ;; *) false ;; esac; then
        if [ "$(cat "$d/root.img" 2>/dev/null)" != "$img" ]; then
            rm -rf "$d/root" "$d/root.img"
            off=$(sfdisk -d "$img" | sed -n 's/.*start= *\([0-9]*\).*/\1/p' | head -n 1)
            mkdir -p "$d/root" && debugfs -R "rdump / $d/root" "$img?offset=$((off * 512))" > /dev/null 2>&1 &&
                echo "$img" > "$d/root.img"
        fi
        for n in null:3 zero:5 random:8 urandom:9; do
            [ -e "$d/root/dev/${n%:*}" ] || mknod -m 666 "$d/root/dev/${n%:*}" c 1 "${n#*:}"
        done
        chroot "$d/root" /bin/true ||
            { note "the image's i386 programs do not run on this host: no native Debian column"; rm -rf "$d/root" "$d/root.img"; }
    fi
}

run_debian() {  # ENGINE ROUND
    d=$dir/debian
    if [ "$1" = native ]; then
        [ -d "$d/root" ] || return
        cp "$d/checks/run.sh" "$d/root/tmp/tx86-bench-run.sh"
        rm -f "$d/root/tmp/sse2work"
        [ -f "$d/checks/sse2work" ] && cp "$d/checks/sse2work" "$d/root/tmp/sse2work"
        measure debian native "$2" 1200 chroot "$d/root" /bin/sh /tmp/tx86-bench-run.sh
        return
    fi
    limit=1800
    [ "$1" = interp ] && limit=7200
    # shellcheck disable=SC2046 # the emulator's words
    measure debian "$1" "$2" $limit $(emulator "$1") -m 512 -hda "$img" -hdb "$d/checks.img" -snapshot \
        -boot order=c -nographic -no-reboot
}

start_load=$(cut -d' ' -f1-3 /proc/loadavg)
for s in $sets; do
    case $s in
    intloop) sh scripts/bench-intloop.sh 200000000 "$rounds" ;;
    net) NIC=${NIC:-e1000} sh scripts/bench-net.sh "$rounds" ;;
    busybox|debian)
        "prepare_$s" || { note "set $s skipped"; continue; }
        r=1
        while [ $r -le "$rounds" ]; do
            for e in $engines; do "run_$s" "$e" $r; done
            r=$((r + 1))
        done ;;
    *) note "unknown set $s" ;;
    esac
done

case " $sets " in
*" busybox "*|*" debian "*) [ -s "$results" ] || { echo "bench: no results" >&2; exit 1; } ;;
*) exit 0 ;;
esac
{
    echo "## Linux workloads, $(date -u +%Y-%m-%d) (scripts/bench.sh)"
    echo
    echo "Machine: $(lscpu | sed -n 's/^Model name: *//p' | head -n 1), $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo);"
    echo "commit $(git rev-parse --short HEAD 2>/dev/null)$(git diff --quiet HEAD 2>/dev/null || echo ' (modified)'); gcc $(gcc -dumpfullversion 2>/dev/null);"
    echo "QEMU: $([ -n "$qemu" ] && "$qemu" --version | head -n 1 || echo 'not installed');"
    echo "best of $rounds rounds, engines alternating, each run pinned to core $cpu (taskset);"
    echo "load average at the start $start_load, at the end $(cut -d' ' -f1-3 /proc/loadavg)."
    echo "Seconds between a workload's begin and end lines, host wall clock and CPU time of"
    echo "the engine's process (boot: from the start to the first userspace line, or to the"
    echo "Debian system's \`running\`); native: the same script in a chroot on the host (no boot)."
    [ -n "$notes" ] && printf '%s\n' "$notes"
    bench_table "$engines" < "$results"
} > "$dir/report.md"
status=$?
cat "$dir/report.md"
echo
echo "(results: $results; logs: $dir/logs)"
exit $status
