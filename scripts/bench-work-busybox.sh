#!/bin/sh
# scripts/bench-work-busybox.sh - the busybox workload set of scripts/bench.sh.
# Runs with busybox's sh in the initramfs of tests/boot/get-guests.sh, both
# in the guest (bench.sh adds it, with its own /init, to that initramfs)
# and natively on the host in a chroot of the unpacked initramfs (the i386
# busybox runs on the x86-64 kernel).  Each workload prints
#   BENCH-BEGIN NAME
#   BENCH-END NAME GUEST_SECONDS CHECK
# bench.sh times it by the host's clock between the arrival of the two
# lines; GUEST_SECONDS is the system's own /proc/uptime difference ("-"
# without /proc); CHECK is what the work computed (a checksum, a count),
# which must be the same on every engine.  Needs /dev/null, /dev/zero and
# a writable /tmp; about 40 MB of it.
#
#   busybox sh bench-work-busybox.sh
t() { up=-; read -r up rest 2>/dev/null < /proc/uptime; echo "$up"; }
el() { [ "$1" = - ] || [ "$2" = - ] && { echo -; return; }; echo "$1 $2" | awk '{ printf "%.2f", $2 - $1 }'; }
w() {   # NAME COMMAND...: one timed workload; COMMAND prints the check
    echo "BENCH-BEGIN $1"
    name=$1; shift
    t0=$(t)
    chk=$("$@" | tr -s ' \n' '  ')
    t1=$(t)
    echo "BENCH-END $name $(el "$t0" "$t1") ${chk% }"
}
first() { cut -d' ' -f1; }

# 16 MB of data: eight copies of busybox itself (not timed)
for i in 1 2 3 4 5 6 7 8; do cat /bin/busybox; done > /tmp/data
ls -l /tmp/data | awk '{ print "BENCH-INFO data", $5, "bytes" }'

md5() { for i in 1 2 3 4; do md5sum /tmp/data | first; done | tail -n 1; }
sha() { for i in 1 2; do sha256sum /tmp/data | first; done | tail -n 1; }
gz() { gzip -c /tmp/data | md5sum | first; }
loop() { i=0; while [ $i -lt 100000 ]; do i=$((i + 1)); done; echo $i; }
execs() { i=0; while [ $i -lt 500 ]; do /bin/busybox true; i=$((i + 1)); done; echo $i; }
# busybox's awk has no math library: a series of divisions (x87 on i386)
fpu() { awk 'BEGIN { s = 0; for (i = 0; i < 200000; i++) s += (i % 2 ? -4 : 4) / (2 * i + 1); printf "%.12f\n", s }'; }
sys() { dd if=/dev/zero bs=1 count=300000 2>/dev/null | wc -c; }

w md5sum md5
w sha256sum sha
w gzip gz
w shloop loop
w exec execs
w awkfp fpu
w syscalls sys
rm -f /tmp/data
echo "BENCH-DONE"
