#!/bin/sh
# tests/boot/debian_formats.sh - the full Debian 12 system of debian.sh
# (tests/boot/debian-image.sh) converted by qemu-img to qcow2, vmdk
# (monolithicSparse), vdi (dynamic) and vpc (dynamic), booted from each
# through SeaBIOS and GRUB (the build's default backend) to systemd's `running`
# with no failed unit (issue "A machine people can live in": images from
# QEMU, VMware, VirtualBox and Virtual PC boot directly).  vmdk, vdi and
# vpc are read-only in tx86 and boot with -snapshot; the qcow2 is written:
# the guest writes 4 MiB to its root file system, prints its sha256 and
# syncs, and after the poweroff `qemu-img check` must find no error and no
# leak and the file read back by qemu-img's raw conversion (debugfs) must
# have that hash.  About 2-3 minutes; skipped (77) without qemu-img,
# debugfs or the image.
. "$(dirname "$0")/lib.sh"
here=$boot_top/tests/boot
for t in qemu-img debugfs mkfs.ext4 sha256sum; do
    command -v $t >/dev/null 2>&1 ||
        { echo "  $t missing (scripts/setup-debian.sh installs it)"; exit 77; }
done
img=$(sh "$here/debian-image.sh" 2> "$BOOT_LOG_DIR/debian-image.log")
case $? in
0) ;;
77) echo "  $(tail -n 1 "$BOOT_LOG_DIR/debian-image.log")"; exit 77 ;;
*)  echo "  cannot build the Debian image (see $BOOT_LOG_DIR/debian-image.log)"; exit 1 ;;
esac
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tx86-debfmt.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM
fail() { echo "  $*"; boot_failures=$((boot_failures + 1)); }

mkdir "$tmp/checks"
echo 0 > "$tmp/checks/login-wait"       # power off right after the checks
cat > "$tmp/checks/run.sh" <<'EOF'
if [ -w / ] && touch /tx86-fmt-probe 2>/dev/null; then
    rm -f /tx86-fmt-probe
    dd if=/dev/urandom of=/root/tx86-fmt.bin bs=1M count=4 2>/dev/null
    sync
    echo "fmt-hash $(sha256sum /root/tx86-fmt.bin | cut -d' ' -f1)"
fi
echo "fmt-ok"
EOF
mkfs.ext4 -q -F -L TX86-CHECKS -d "$tmp/checks" "$tmp/checks.img" 8M > /dev/null ||
    { echo "  mkfs.ext4 failed"; exit 1; }

for spec in qcow2:compat=1.1 vmdk:subformat=monolithicSparse vdi:static=off \
            vpc:subformat=dynamic,force_size=on; do
    fmt=${spec%%:*}
    disk=$tmp/debian.$fmt
    qemu-img convert -O "$fmt" -o "${spec#*:}" "$img" "$disk" ||
        { fail "qemu-img convert to $fmt"; continue; }
    snap=-snapshot
    [ "$fmt" = qcow2 ] && snap=
    failures_before=$boot_failures
    # shellcheck disable=SC2086
    boot_run "${DEBIAN_TIMEOUT_NATIVE:-600}" "debian_$fmt" -m 512 \
        -drive "file=$disk,format=$fmt,if=ide,index=0" -hdb "$tmp/checks.img" $snap \
        -boot order=c -nographic -no-reboot
    boot_status_is 0
    boot_expect "TX86-GRUB loading Linux" "TX86-DEBIAN-STATE running" "TX86-DEBIAN-FAILED 0 []" \
        "TX86-OUT fmt-ok" "TX86-DEBIAN-POWEROFF"
    boot_refuse "Kernel panic" "Oops" "BUG:" "EXT4-fs error"
    if [ "$fmt" = qcow2 ]; then
        hash=$(sed -n 's/^.*TX86-OUT fmt-hash \([0-9a-f]*\).*/\1/p' "$boot_log" | head -n 1)
        [ -n "$hash" ] || fail "qcow2: the guest printed no hash (root not writable?)"
        qemu-img check "$disk" > "$tmp/check.txt" 2>&1 ||
            { fail "qemu-img check of the written qcow2:"; sed 's/^/    | /' "$tmp/check.txt"; }
        # the file, read from the root partition of qemu-img's raw copy
        qemu-img convert -O raw "$disk" "$tmp/back.raw" || fail "qemu-img convert back"
        start=$(sfdisk -d "$tmp/back.raw" 2>/dev/null | sed -n 's/.*start= *\([0-9]*\).*/\1/p' | head -n 1)
        if [ -n "$start" ] && dd if="$tmp/back.raw" of="$tmp/root.ext4" bs=512 skip="$start" \
                status=none 2>/dev/null; then
            rm -f "$tmp/back.raw"
            debugfs -R "dump /root/tx86-fmt.bin $tmp/fmt.bin" "$tmp/root.ext4" > /dev/null 2>&1
            got=$(sha256sum "$tmp/fmt.bin" 2>/dev/null | cut -d' ' -f1)
            [ -n "$hash" ] && [ "$got" = "$hash" ] ||
                fail "qcow2: the file read back has sha256 '${got:-none}', the guest wrote '$hash'"
            rm -f "$tmp/root.ext4" "$tmp/fmt.bin"
        else
            fail "qcow2: cannot find the root partition in the raw copy"
        fi
    fi
    [ $boot_failures -eq "$failures_before" ] && echo "  $fmt ok (${boot_secs}s)"
    rm -f "$disk" "$tmp/back.raw"
done
boot_done
