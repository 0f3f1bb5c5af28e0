#!/bin/sh
# determinism_linux.sh - two boots of the Linux guest (tests/boot) under
# -icount shift=0 -rtc base=2020-01-01 behave identically.
#
#   tests/debug/determinism_linux.sh    (TX86=./tx86 by default)
#
# 1. Two whole boots (tx86.mode=test: the command script, then poweroff):
#    byte-identical serial output (the kernel's [timestamps] included) and
#    exit status.
# 2. Two runs of the first DET_INSNS instructions (default 200 million:
#    SeaBIOS, the boot loader and the start of the kernel) with -d exec and
#    --trace: identical logs and traces.  A whole traced boot is billions
#    of instructions and tens of GB (docs/PERFORMANCE.md), too much for CI;
#    DET_INSNS=0 traces the whole boot.  The log and the trace go through
#    fifos into md5sum, so nothing big is written.
# Skips with a message while the guest does not reach userspace in tx86.
set -u
name=determinism_linux
. "$(dirname "$0")/linux_lib.sh"
linux_guests
n=${DET_INSNS:-200000000}
limit=""
[ "$n" != 0 ] && limit="--max-insns $n"
run() {     # run NAME ARGS...: output to $tmp/NAME.out, status to $tmp/NAME.status
    out=$1; shift
    timeout 1800 "$TX86" -M pc -m 256 -kernel "$G/vmlinuz" -initrd "$G/initrd.gz" \
        -append "console=ttyS0 nokaslr tx86.mode=test" -nographic -no-reboot \
        -icount shift=0 -rtc base=2020-01-01 "$@" </dev/null >"$tmp/$out.out" 2>"$tmp/$out.err"
    echo "$?" >"$tmp/$out.status"
}
for r in 1 2; do
    run boot$r
done
grep -a -q "TX86-USERSPACE-UP" "$tmp/boot1.out" ||
    linux_skip "the Linux guest does not reach userspace in tx86 yet"
for f in out status; do
    if cmp -s "$tmp/boot1.$f" "$tmp/boot2.$f"; then
        pass=$((pass + 1)); echo "PASS $name: whole boot, $f identical"
    else
        fail=$((fail + 1)); echo "FAIL $name: whole boot, $f differs"
        diff "$tmp/boot1.$f" "$tmp/boot2.$f" | head -n 6
    fi
done
for r in 1 2; do
    mkfifo "$tmp/exec.fifo" "$tmp/trace.fifo"
    md5sum <"$tmp/exec.fifo" | cut -d' ' -f1 >"$tmp/exec.$r" &
    md5sum <"$tmp/trace.fifo" | cut -d' ' -f1 >"$tmp/trace.$r" &
    run win$r $limit -d exec -D "$tmp/exec.fifo" --trace "$tmp/trace.fifo"
    wait
    rm -f "$tmp/exec.fifo" "$tmp/trace.fifo"
done
for f in exec trace; do
    if [ -s "$tmp/$f.1" ] && cmp -s "$tmp/$f.1" "$tmp/$f.2"; then
        pass=$((pass + 1)); echo "PASS $name: -d exec/--trace run, $f identical ($(cat "$tmp/$f.1"))"
    else
        fail=$((fail + 1)); echo "FAIL $name: -d exec/--trace run, $f differs"
    fi
done
if cmp -s "$tmp/win1.out" "$tmp/win2.out"; then
    pass=$((pass + 1)); echo "PASS $name: -d exec/--trace run, output identical"
else
    fail=$((fail + 1)); echo "FAIL $name: -d exec/--trace run, output differs"
fi
echo "$name: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
