#!/bin/sh
# tests/boot/image_lock.sh - disk image locks between processes
# (src/devices/block.c): a first tx86 holds a blank disk (SeaBIOS finds
# nothing to boot and waits), then a second tx86, and QEMU's tools when
# installed, try the same file:
#   holder writes (-hda):        a second writer, readonly=on, -snapshot and
#                                qemu-img convert / qemu-system-i386 are
#                                refused; locking=off runs
#   holder reads (-snapshot):    another reader runs; a writer and
#                                qemu-system-i386 are refused; qemu-img
#                                convert (a reader) runs
#   holder killed (SIGKILL):     a writer runs (the kernel dropped the locks)
#   one process, two drives:     -hda X -hdb X and -hda X -hdb LINK-TO-X refused,
#                                with -snapshot both run
# A "run" is tx86 --max-insns 2000000 exiting 0.
. "$(dirname "$0")/lib.sh"
bios=/usr/share/seabios/bios-256k.bin
[ -f $bios ] || { echo "  $bios missing (apt-get install seabios)"; exit 77; }
boot_t0=$(date +%s)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tx86-lock.XXXXXX")
holder=
trap '[ -n "$holder" ] && kill -9 "$holder" 2>/dev/null; rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM
img=$tmp/disk.img
truncate -s 4M "$img"
ln -s "$img" "$tmp/link.img"
boot_log=$tmp/last.log

fail() { echo "  $*"; boot_failures=$((boot_failures + 1)); }

# start the holder and wait until it holds byte 100 (QEMU's "read" byte)
hold() {
    "$TX86" -m 16 -bios $bios -nographic -display none "$@" < /dev/null > "$tmp/holder.log" 2>&1 &
    holder=$!
    ino=$(stat -c %i "$img")
    for _ in $(seq 50); do
        grep -q "OFDLCK.*:$ino 100 10[01]\$" /proc/locks && return 0
        sleep 0.1
    done
    fail "the holder ($*) took no lock"
}
release() { kill -9 "$holder"; wait "$holder" 2>/dev/null; holder=; }

# the command ARGS..., where "tx86" stands for a short tx86 run
cmd() {
    case $1 in
    tx86) shift
          set -- "$TX86" -m 16 -bios $bios -nographic -display none --max-insns 2000000 "$@" ;;
    esac
    timeout 20 "$@"
}
# refused WHAT PATTERN ARGS...: the command fails and says PATTERN
refused() {
    what=$1 pat=$2
    shift 2
    cmd "$@" < /dev/null > "$boot_log" 2>&1
    s=$?
    if [ $s -eq 0 ] || [ $s -eq 124 ] || ! grep -q -F -- "$pat" "$boot_log"; then
        fail "$what: expected a failure saying '$pat', got status $s: $(head -c 300 "$boot_log")"
    fi
}
# runs WHAT ARGS...: the command succeeds
runs() {
    what=$1
    shift
    cmd "$@" < /dev/null > "$boot_log" 2>&1 ||
        fail "$what: status $?: $(head -c 300 "$boot_log")"
}
qimg=$(command -v qemu-img)
qsys=$(command -v qemu-system-i386)
# the QEMU cross-checks are the oracle: a missing QEMU is a failure under
# CI (scripts/setup-debian.sh installs it), a note elsewhere
for q in qemu-img:"$qimg" qemu-system-i386:"$qsys"; do
    [ -n "${q#*:}" ] && continue
    if [ -n "${CI:-}" ]; then fail "${q%%:*} not installed (scripts/setup-debian.sh)"
    else echo " note: ${q%%:*} not installed: its lock checks are skipped"; fi
done
busy="locked for writing by another process"

echo " holder writes:"
hold -hda "$img"
refused "second writer" "$busy" tx86 -hda "$img"
refused "readonly=on" "$busy" tx86 -drive file="$img",readonly=on
refused "-snapshot" "$busy" tx86 -hda "$tmp/link.img" -snapshot
refused "-cdrom" "$busy" tx86 -cdrom "$img"
runs "locking=off" tx86 -drive file="$img",locking=off
[ -n "$qimg" ] && refused "qemu-img convert" 'Failed to get shared "write" lock' \
    "$qimg" convert -f raw -O raw "$img" "$tmp/copy.img"
[ -n "$qsys" ] && refused "qemu-system-i386" 'Failed to get "write" lock' \
    "$qsys" -display none -S -drive file="$img",format=raw
release

echo " holder reads:"
hold -hda "$img" -snapshot
runs "another -snapshot" tx86 -hda "$img" -snapshot
runs "readonly=on" tx86 -drive file="$img",readonly=on
refused "a writer" "does not allow writers" tx86 -hda "$img"
[ -n "$qimg" ] && runs "qemu-img convert" "$qimg" convert -f raw -O raw "$img" "$tmp/copy.img"
[ -n "$qsys" ] && refused "qemu-system-i386" 'Failed to get "write" lock' \
    "$qsys" -display none -S -drive file="$img",format=raw
release

echo " holder killed:"
runs "a writer after SIGKILL" tx86 -hda "$img"

echo " one process, two drives:"
refused "-hda X -hdb X" "on two drives (hda and hdb)" tx86 -hda "$img" -hdb "$img"
refused "-hda X -hdb LINK" "are the same file on two drives" tx86 -hda "$img" -hdb "$tmp/link.img"
refused "-hda X -cdrom X" "on two drives (hda and hdc)" tx86 -hda "$img" -cdrom "$img"
runs "-snapshot -hda X -hdb X" tx86 -hda "$img" -hdb "$img" -snapshot
runs "readonly=on twice" tx86 -drive file="$img",readonly=on -drive file="$img",readonly=on
boot_secs=$(( $(date +%s) - boot_t0 ))
boot_done
