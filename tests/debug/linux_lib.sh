# linux_lib.sh - shared by gdb_linux.sh and determinism_linux.sh (sourced).
#
# Uses the Linux guest of tests/boot (get-guests.sh builds build/guests/:
# Debian's 686 kernel and the busybox initramfs).  linux_skip MESSAGE ends
# the test as skipped (exit 0 with a SKIP line and "N: 0 passed, 0 failed")
# so make check-debug stays green while Linux does not boot in tx86 yet.
top=$(cd "$(dirname "$0")/../.." && pwd)
TX86=${TX86:-$top/tx86}
G=${TX86_GUESTS:-$top/build/guests}
tmp=${TMPDIR:-/tmp}/tx86-dbglinux.$$
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT

linux_skip() {
    echo "$name: SKIP: $*"
    echo "$name: 0 passed, 0 failed"
    exit 0
}

linux_guests() {
    if [ ! -f "$G/vmlinuz" ] || [ ! -f "$G/initrd.gz" ]; then
        sh "$top/tests/boot/get-guests.sh" >"$tmp/get-guests.log" 2>&1 ||
            linux_skip "cannot build the Linux guest (tests/boot/get-guests.sh)"
    fi
}

pass=0; fail=0
check() {   # check DESCRIPTION PATTERN FILE
    if grep -a -q -- "$2" "$3"; then
        pass=$((pass + 1)); echo "PASS $name: $1"
    else
        fail=$((fail + 1)); echo "FAIL $name: $1 (no '$2' in $(basename "$3"))"
    fi
}
