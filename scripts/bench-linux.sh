#!/bin/sh
# bench-linux.sh - the busybox set of scripts/bench.sh alone: Debian's i386
# kernel with the busybox initramfs (tests/boot/get-guests.sh) running
# scripts/bench-work-busybox.sh under tx86 and qemu-system-i386 -accel tcg,
# alternating, and natively in a chroot; see scripts/bench.sh.
#
#   scripts/bench-linux.sh [RUNS]      (default 2)
BENCH_SETS=busybox BENCH_ROUNDS=${1:-2} exec sh "$(dirname "$0")/bench.sh"
