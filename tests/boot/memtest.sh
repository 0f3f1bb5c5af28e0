#!/bin/sh
# tests/boot/memtest.sh - guest (c): memtest86+ (Debian's memtest86+ia32.bin,
# a Linux-protocol image) booted with -kernel and a serial console, until it
# has finished its first test of the first pass (test #1 begins); then it is
# stopped: reaching the marker is success.
. "$(dirname "$0")/lib.sh"
mt=/boot/memtest86+ia32.bin
if [ ! -f $mt ]; then
    if [ "$(id -u)" = 0 ]; then
        flock /tmp/apt.lock apt-get install -y memtest86+ > "$BOOT_LOG_DIR/memtest-apt.log" 2>&1
    fi
    [ -f $mt ] || { echo "  $mt missing (apt-get install memtest86+)"; exit 77; }
fi
secs=${BOOT_TIMEOUT:-150}
log=$BOOT_LOG_DIR/memtest.log
: > "$log"
# stop as soon as the marker shows up
timeout -k 5 "$secs" "$TX86" -m 32 -kernel $mt -append "console=ttyS0,115200" \
    -nographic -no-reboot < /dev/null > "$log" 2>&1 &
pid=$!
t=0
while [ $t -lt "$secs" ] && kill -0 $pid 2>/dev/null; do
    grep -a -q -E '#([1-9]|1[0-9]) +\[' "$log" && break
    sleep 1
    t=$((t + 1))
done
kill $pid 2>/dev/null          # timeout passes the signal on to the emulator
wait $pid 2>/dev/null
boot_log=$log boot_secs=$t boot_status=0
boot_expect "[Address test, walking ones"
if ! grep -a -q -E '#([1-9]|1[0-9]) +\[' "$log"; then
    echo "  memtest86+ did not get past its first test"
    boot_failures=$((boot_failures + 1))
fi
boot_done
