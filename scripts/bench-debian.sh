#!/bin/sh
# scripts/bench-debian.sh - time a full Debian 12 i386 boot (the image of
# tests/boot/debian-image.sh) to `systemctl is-system-running` = running,
# under tx86 (native and interp backends) and qemu-system-i386 -accel tcg
# (when installed; an oracle, never a dependency), alternating, each pinned
# to one core with taskset.  The guest gets a TX86-CHECKS disk with no
# checks, so it powers off right after its report.  Prints, per run, the
# host seconds to GRUB's first line, to the kernel's first line, to the
# state line and to the emulator's exit, and the guest's uptime at the
# state line.
#
#   sh scripts/bench-debian.sh [ROUNDS [RUNS]]    # default: 2 "native interp qemu"
#   BENCH_CPU=1 (the core), BENCH_MEM=512 (MiB)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
rounds=${1:-2}
runs=${2:-native interp qemu}
cpu=${BENCH_CPU:-1}
mem=${BENCH_MEM:-512}
PYTHON=python3
[ -x /usr/bin/python3 ] && PYTHON=/usr/bin/python3
img=$(sh "$top/tests/boot/debian-image.sh")
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tx86-bench-debian.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM
mkdir "$tmp/checks"
echo 0 > "$tmp/checks/login-wait"
echo ': no checks' > "$tmp/checks/run.sh"
mkfs.ext4 -q -F -L TX86-CHECKS -d "$tmp/checks" "$tmp/checks.img" 8M > /dev/null
qemu=$(command -v qemu-system-i386 || true)

echo "image: $img"
printf '%-7s %5s %7s %8s %10s %7s %9s\n' run round grub_s linux_s running_s exit_s uptime_s
r=1
while [ $r -le "$rounds" ]; do
    for run in $runs; do
        case $run in
        native|interp) cmd="$top/tx86 --backend=$run" ;;
        qemu) [ -n "$qemu" ] || continue; cmd="$qemu -accel tcg" ;;
        esac
        # shellcheck disable=SC2086
        taskset -c "$cpu" $PYTHON "$top/tests/boot/serial_login.py" --no-login \
            --log "$tmp/serial.log" --timeout 3000 --time TX86-GRUB --time "Linux version" --time TX86-DEBIAN-STATE \
            -- $cmd -m "$mem" -hda "$img" -hdb "$tmp/checks.img" -snapshot -boot order=c \
            -nographic -no-reboot > "$tmp/out" 2>&1 || true
        grub=$(sed -n 's/.*marker TX86-GRUB at \([0-9.]*\)s.*/\1/p' "$tmp/out")
        linux=$(sed -n 's/.*marker Linux version at \([0-9.]*\)s.*/\1/p' "$tmp/out")
        state=$(sed -n 's/.*marker TX86-DEBIAN-STATE at \([0-9.]*\)s.*/\1/p' "$tmp/out")
        ex=$(sed -n 's/.*emulator exited with status 0 (\([0-9]*\)s).*/\1/p' "$tmp/out")
        up=$(sed -n 's/.*\[ *\([0-9.]*\)\] TX86-DEBIAN-STATE .*/\1/p' "$tmp/serial.log" | tr -d '\r')
        line=$(grep -a -o 'TX86-DEBIAN-STATE [a-z-]*' "$tmp/serial.log" | head -n 1)
        printf '%-7s %5s %7s %8s %10s %7s %9s  %s\n' "$run" "$r" "${grub:--}" "${linux:--}" "${state:--}" \
            "${ex:--}" "${up:--}" "${line:-no state line}"
    done
    r=$((r + 1))
done
