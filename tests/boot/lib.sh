# tests/boot/lib.sh - helpers for the boot tests (sourced by tests/boot/*.sh).
#
#   TX86            the emulator to run (default: ./tx86 in the top directory;
#                   qemu-system-i386 works too, for checking a test itself)
#   BOOT_LOG_DIR    where each run's serial output goes [build/boot-logs]
#   boot_guests     build/fetch the guests (tests/boot/get-guests.sh, cached)
#   boot_run SECS NAME ARGS...   run $TX86 ARGS with a time limit; the output
#                   goes to $BOOT_LOG_DIR/NAME.log, the status to $boot_status
#   boot_expect PATTERN...       each fixed string must be in the log
#   boot_refuse PATTERN...       none may be
#   boot_done       print the verdict; exit 0 (pass) or 1
# A script exits 77 to say "skipped" (a missing host tool, say).
boot_top=$(cd "$(dirname "$0")/../.." && pwd)
TX86=${TX86:-$boot_top/tx86}
BOOT_LOG_DIR=${BOOT_LOG_DIR:-$boot_top/build/boot-logs}
G=${TX86_GUESTS:-$boot_top/build/guests}
boot_failures=0
mkdir -p "$BOOT_LOG_DIR"

boot_guests() {
    sh "$boot_top/tests/boot/get-guests.sh" > "$BOOT_LOG_DIR/get-guests.log" 2>&1 || {
        echo "  cannot build the guests (see $BOOT_LOG_DIR/get-guests.log)"
        tail -n 5 "$BOOT_LOG_DIR/get-guests.log"
        exit 1
    }
}

boot_run() {
    secs=$1 name=$2
    shift 2
    boot_log=$BOOT_LOG_DIR/$name.log
    boot_t0=$(date +%s)
    timeout -k 5 "$secs" "$TX86" "$@" < /dev/null > "$boot_log" 2>&1
    boot_status=$?
    boot_secs=$(( $(date +%s) - boot_t0 ))
    if [ $boot_status -eq 124 ]; then
        echo "  $name: timed out after ${secs}s"
    fi
}

boot_expect() {
    for p in "$@"; do
        if ! grep -a -q -F -- "$p" "$boot_log"; then
            echo "  missing from $boot_log: $p"
            boot_failures=$((boot_failures + 1))
        fi
    done
}

boot_refuse() {
    for p in "$@"; do
        if grep -a -q -F -- "$p" "$boot_log"; then
            echo "  unexpected in $boot_log: $(grep -a -F -- "$p" "$boot_log" | head -n 3)"
            boot_failures=$((boot_failures + 1))
        fi
    done
}

boot_status_is() {
    if [ "$boot_status" != "$1" ]; then
        echo "  exit status $boot_status, expected $1"
        boot_failures=$((boot_failures + 1))
    fi
}

boot_done() {
    if [ $boot_failures -eq 0 ]; then
        echo "  ok (${boot_secs}s)"
        exit 0
    fi
    echo "  last lines of $boot_log:"
    tail -n 15 "$boot_log" | tail -c 1500 | sed 's/^/    | /'
    exit 1
}

# the markers of the initramfs's test mode (get-guests.sh), shared by (a), (b)
boot_check_linux_test() {
    boot_status_is 0
    boot_expect TX86-USERSPACE-UP TX86-STEP\ insmod TX86-STEP\ mount TX86-STEP\ ls \
        "TX86-MD5 $(cat "$G/hello.md5")" "TX86-DMESG serial" "TX86-DMESG i8042" \
        "TX86-DMESG ata_piix" "TX86-DMESG rtc_cmos" TX86-TESTS-DONE
    boot_refuse TX86-BAD TX86-FAIL "Kernel panic"
}
