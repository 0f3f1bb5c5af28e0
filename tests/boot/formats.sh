#!/bin/sh
# tests/boot/formats.sh - the image formats (src/block/, docs/block.md) under
# a real guest: the Linux test disk of linux_disk.sh (build/guests/disk.img)
# converted by qemu-img
#   - to vmdk (monolithicSparse), vdi (dynamic) and vpc (dynamic), each
#     booted with -snapshot (format probed) through SeaBIOS and syslinux,
#     with the initramfs's test-mode checks (boot_check_linux_test);
#   - to qcow2 (v3, 4 KiB clusters) with its own syslinux.cfg and /init
#     (an extra initramfs archive): the guest mounts the FAT partition
#     read-write, writes a text file and a 1 MiB copy, unmounts, reads the
#     copy's md5 back and powers off.  Then `qemu-img check` must be clean
#     (no errors, no leaks) and the files, read from qemu-img's conversion
#     of the image back to raw (mtools), must be what the guest wrote.
# About 45 s.  Skipped (77) without qemu-img, mtools or cpio.
. "$(dirname "$0")/lib.sh"
for t in qemu-img mcopy cpio gzip; do
    command -v $t >/dev/null 2>&1 ||
        { echo "  $t missing (scripts/setup-debian.sh installs it)"; exit 77; }
done
boot_guests
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tx86-formats.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM
fail() { echo "  $*"; boot_failures=$((boot_failures + 1)); }
t0=$(date +%s)
off=$((2048 * 512))                     # the FAT partition (get-guests.sh)

# ---- read-only formats, -snapshot, probed ----
for spec in vmdk:subformat=monolithicSparse vdi:static=off vpc:subformat=dynamic; do
    fmt=${spec%%:*}
    qemu-img convert -O "$fmt" -o "${spec#*:}" "$G/disk.img" "$tmp/disk.$fmt" ||
        { fail "qemu-img convert to $fmt"; continue; }
    boot_run "${BOOT_TIMEOUT:-180}" "formats_$fmt" -m 256 \
        -drive "file=$tmp/disk.$fmt,if=ide,index=0" -snapshot -boot order=c \
        -nographic -no-reboot
    boot_check_linux_test
    rm -f "$tmp/disk.$fmt"
done

# ---- qcow2, written by the guest ----
cp "$G/disk.img" "$tmp/w.raw"
mkdir "$tmp/over"
cat > "$tmp/over/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox mount -t devtmpfs dev /dev 2>/dev/null
exec </dev/console >/dev/console 2>&1
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
for m in $(cat /modules/order); do insmod /modules/$m.ko; done
i=0
while [ ! -b /dev/sda1 ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
mount -t vfat /dev/sda1 /mnt && echo "TX86-FMT mounted"
i=0
while [ $i -lt 3000 ]; do echo "tx86 qcow2 line $i"; i=$((i+1)); done > /mnt/written.txt
cp /mnt/hello.txt /mnt/hello2.txt
sync
umount /mnt && echo "TX86-FMT unmounted"
mount -t vfat -o ro /dev/sda1 /mnt && echo "TX86-FMT-MD5 $(md5sum /mnt/hello2.txt | cut -d' ' -f1)"
umount /mnt
poweroff -f
INIT
chmod 755 "$tmp/over/init"
(cd "$tmp/over" && echo init | cpio -o -H newc --quiet -R 0:0) | gzip -9n > "$tmp/extra.gz"
cat "$G/initrd.gz" "$tmp/extra.gz" > "$tmp/initrdw.gz"
printf '%s\n' 'SERIAL 0 115200' 'DEFAULT linux' 'PROMPT 0' 'TIMEOUT 0' 'LABEL linux' \
    '  LINUX /vmlinuz' '  INITRD /initrdw.gz' '  APPEND console=ttyS0 nokaslr' \
    > "$tmp/syslinux.cfg"
if mcopy -o -i "$tmp/w.raw@@$off" "$tmp/syslinux.cfg" "$tmp/initrdw.gz" ::/ &&
   qemu-img convert -O qcow2 -o compat=1.1,cluster_size=4096 "$tmp/w.raw" "$tmp/w.qcow2"; then
    rm -f "$tmp/w.raw"
    boot_run "${BOOT_TIMEOUT:-180}" formats_qcow2 -m 256 -hda "$tmp/w.qcow2" -boot order=c \
        -nographic -no-reboot
    boot_status_is 0
    boot_expect "TX86-FMT mounted" "TX86-FMT unmounted" "TX86-FMT-MD5 $(cat "$G/hello.md5")"
    boot_refuse "Kernel panic" "I/O error" "FAT-fs (sda1): error"
    if ! qemu-img check "$tmp/w.qcow2" > "$tmp/check.txt" 2>&1 ||
       ! grep -q "No errors were found" "$tmp/check.txt" || grep -q leaked "$tmp/check.txt"; then
        fail "qemu-img check:"
        sed 's/^/    /' "$tmp/check.txt" | head -n 10
    fi
    i=0
    while [ $i -lt 3000 ]; do echo "tx86 qcow2 line $i"; i=$((i+1)); done > "$tmp/want.txt"
    if qemu-img convert -O raw "$tmp/w.qcow2" "$tmp/out.raw" &&
       mcopy -n -i "$tmp/out.raw@@$off" ::/written.txt ::/hello2.txt "$tmp/"; then
        cmp -s "$tmp/want.txt" "$tmp/written.txt" || fail "written.txt differs in the image"
        [ "$(md5sum < "$tmp/hello2.txt" | cut -d' ' -f1)" = "$(cat "$G/hello.md5")" ] ||
            fail "hello2.txt differs in the image"
    else
        fail "the guest's files are not in the image"
    fi
else
    fail "preparing the qcow2 disk"
fi
boot_secs=$(( $(date +%s) - t0 ))
boot_done
