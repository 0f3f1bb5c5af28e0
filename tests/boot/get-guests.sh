#!/bin/sh
# tests/boot/get-guests.sh - fetch and build the real guests the boot tests,
# make bench and the README's main command use, into build/guests/:
#
#   vmlinuz                 Debian's linux-image-6.1.0-*-686 (i386) kernel
#   initrd.gz               busybox-static:i386 initramfs; its /init runs the
#                           boot-test command script (tx86.mode=test, default)
#   initrd-interactive.gz   the same with an interactive shell by default
#   disk.img                raw disk: MBR (syslinux mbr.bin), one FAT16
#                           partition with syslinux, the kernel, initrd.gz
#                           and hello.txt (its md5 in hello.md5)
#
# The /init of the initramfs reads tx86.mode= from the kernel command line:
# test (load ata_piix & co., mount the disk, md5sum, dmesg checks, print
# markers, poweroff -f), bench (timed workloads for scripts/bench-linux.sh,
# then poweroff -f) or shell.
#
# Packages come from apt (dpkg --add-architecture i386; apt-get download),
# serialised with flock /tmp/apt.lock; nothing needs root except apt-get
# update and the architecture, no loop mounts: the cpio archive is made by
# cpio (the /dev/console node is written as a cpio header by hand), the disk
# with sfdisk, mkfs.fat --offset, mcopy and the mtools-based syslinux.
# Everything is cached: delete build/guests to start over.  The initramfs
# and the disk are made again when this script changes (initrd.key holds a
# hash of its non-comment lines); files are replaced by rename, and
# hello.txt is kept, so a test reading them meanwhile sees old or new ones.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
out=${TX86_GUESTS:-$top/build/guests}
mkdir -p "$out/deb"
cd "$out"

log() { echo "get-guests: $*"; }
locked() { flock /tmp/apt.lock "$@"; }
# flock runs a command, not a shell function: sudo is part of the command
locked_root() { if [ "$(id -u)" = 0 ]; then locked "$@"; else locked sudo "$@"; fi; }
# the last of its arguments (of a glob: the highest version)
last() { for a in "$@"; do :; done; echo "$a"; }

# ---- host tools ----
need=""
for t in cpio:cpio gzip:gzip sfdisk:fdisk mkfs.fat:dosfstools mcopy:mtools syslinux:syslinux; do
    command -v "${t%%:*}" >/dev/null 2>&1 || need="$need ${t#*:}"
done
[ -f /usr/lib/syslinux/mbr/mbr.bin ] || need="$need syslinux-common"
if [ -n "$need" ]; then
    log "installing$need"
    # shellcheck disable=SC2086 # one word per package
    locked_root apt-get install -y $need
fi

# ---- packages ----
if ! ls deb/linux-image-*-686_*.deb >/dev/null 2>&1 || ! ls deb/busybox-static_*.deb >/dev/null 2>&1; then
    if ! dpkg --print-foreign-architectures | grep -qx i386; then
        locked_root dpkg --add-architecture i386
        locked_root apt-get update
    fi
    kpkg=$(apt-cache depends linux-image-686:i386 2>/dev/null |
           sed -n 's/^ *Depends: \(linux-image-[0-9].*-686\)\(:i386\)\{0,1\}$/\1/p' | head -n 1)
    if [ -z "$kpkg" ]; then
        locked_root apt-get update
        kpkg=$(apt-cache depends linux-image-686:i386 |
               sed -n 's/^ *Depends: \(linux-image-[0-9].*-686\)\(:i386\)\{0,1\}$/\1/p' | head -n 1)
    fi
    [ -n "$kpkg" ] || { echo "get-guests: cannot find the linux-image-686:i386 kernel package" >&2; exit 1; }
    log "downloading $kpkg:i386 busybox-static:i386"
    (cd deb && locked apt-get download "$kpkg:i386" busybox-static:i386)
fi

# ---- extract ----
if [ ! -f vmlinuz ]; then
    rm -rf kernel busybox
    dpkg-deb -x "$(last deb/linux-image-*-686_*.deb)" kernel
    dpkg-deb -x "$(last deb/busybox-static_*.deb)" busybox
    cp "$(last kernel/boot/vmlinuz-*)" vmlinuz.tmp
    mv vmlinuz.tmp vmlinuz
fi
moddir=$(last kernel/lib/modules/*)

# ---- initramfs ----
# a cpio newc entry with no data (directory or device node), by hand
cpio_entry() {  # name mode(octal) rdevmajor rdevminor
    ns=$(( ${#1} + 1 ))
    printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X' \
        0 "$(printf '%d' "0$2")" 0 0 1 0 0 0 0 "$3" "$4" "$ns" 0
    printf '%s\0' "$1"
    pad=$(( (4 - (110 + ns) % 4) % 4 ))
    [ $pad -eq 0 ] || head -c $pad /dev/zero
}

# module file for a module name (names use _, files may use -)
modfile() { find "$moddir" -name "$1.ko" -o -name "$(echo "$1" | tr _ -).ko" | head -n 1; }
# dependency order (from the .modinfo "depends=" strings)
resolve() {
    case " $order " in *" $1 "*) return;; esac
    f=$(modfile "$1")
    [ -n "$f" ] || { echo "get-guests: module $1 not found" >&2; exit 1; }
    for d in $(tr '\0' '\n' < "$f" | sed -n 's/^depends=//p' | tr ',' ' '); do
        resolve "$d"
    done
    case " $order " in *" $1 "*) ;; *) order="$order $1";; esac
}

key=$(grep -v '^[[:space:]]*#' "$top/tests/boot/get-guests.sh" | sha256sum | cut -c1-16)
disk_stale=0
if [ ! -f initrd.gz ] || [ ! -f initrd-interactive.gz ] || [ "$(cat initrd.key 2>/dev/null)" != "$key" ]; then
    log "building the initramfs"
    rm -rf root && mkdir -p root/bin root/dev root/proc root/sys root/mnt root/tmp root/modules root/etc
    cp busybox/bin/busybox root/bin/busybox
    order=""
    for m in ata_piix sd_mod vfat nls_cp437 nls_ascii; do resolve "$m"; done
    for m in $order; do cp "$(modfile "$m")" "root/modules/$m.ko"; done
    echo "$order" > root/modules/order
    cat > root/init <<'INIT'
#!/bin/busybox sh
# /init of tx86's test initramfs (tests/boot/get-guests.sh)
/bin/busybox mount -t devtmpfs dev /dev 2>/dev/null
exec </dev/console >/dev/console 2>&1
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mode=$(cat /etc/tx86-mode 2>/dev/null)
for a in $(cat /proc/cmdline); do
    case "$a" in tx86.mode=*) mode=${a#tx86.mode=};; esac
done
echo "TX86-USERSPACE-UP mode=$mode"
case "$mode" in
test)
    for m in $(cat /modules/order); do
        insmod /modules/$m.ko || echo "TX86-FAIL insmod $m"
    done
    echo "TX86-STEP insmod"
    i=0
    while [ ! -b /dev/sda1 ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
    mount -t vfat -o ro /dev/sda1 /mnt && echo "TX86-STEP mount"
    ls /mnt && echo "TX86-STEP ls"
    echo "TX86-MD5 $(md5sum /mnt/hello.txt | cut -d' ' -f1)"
    umount /mnt
    dmesg | grep -q 'ttyS0 at I/O 0x3f8' && echo "TX86-DMESG serial"
    dmesg | grep -q 'i8042 KBD port at 0x60,0x64' && echo "TX86-DMESG i8042"
    dmesg | grep -q 'ata_piix' && echo "TX86-DMESG ata_piix"
    dmesg | grep -q 'rtc_cmos.*registered as rtc0' && echo "TX86-DMESG rtc_cmos"
    dmesg | grep -E 'WARNING|BUG|Call Trace' | sed 's/^/TX86-BAD /'
    echo "TX86-TESTS-DONE"
    poweroff -f
    ;;
bench)
    t() { read up rest < /proc/uptime; echo $up; }
    cat /bin/busybox /bin/busybox /bin/busybox > /tmp/data   # a few MB
    for w in md5sum sha256sum gzip loop exec; do
        t0=$(t)
        case $w in
        md5sum) md5sum /tmp/data > /dev/null ;;
        sha256sum) sha256sum /tmp/data > /dev/null ;;
        gzip) gzip -c /tmp/data > /dev/null ;;
        loop) i=0; while [ $i -lt 30000 ]; do i=$((i+1)); done ;;
        exec) for i in $(seq 200); do /bin/busybox true; done ;;
        esac
        t1=$(t)
        echo "TX86-BENCH $w $(echo "$t0 $t1" | awk '{printf "%.2f", $2 - $1}')"
    done
    echo "TX86-BENCH-DONE"
    poweroff -f
    ;;
*)
    echo "tx86 test guest: busybox shell (poweroff -f to leave)"
    setsid cttyhack sh
    poweroff -f
    ;;
esac
INIT
    chmod 755 root/init
    echo test > root/etc/tx86-mode
    { (cd root && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0)
      { cpio_entry dev/console 020600 5 1; cpio_entry TRAILER!!! 0 0 0; }
    } > initrd.cpio
    gzip -9n < initrd.cpio > initrd.gz.tmp && mv initrd.gz.tmp initrd.gz
    # the interactive variant: a later archive overrides /etc/tx86-mode
    mkdir -p over/etc && echo shell > over/etc/tx86-mode
    { cat initrd.cpio; (cd over && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0); } |
        gzip -9n > initrd-interactive.gz.tmp && mv initrd-interactive.gz.tmp initrd-interactive.gz
    rm -rf over initrd.cpio
    echo "$key" > initrd.key
    disk_stale=1
fi

# ---- disk image for SeaBIOS + syslinux ----
if [ ! -f disk.img ] || [ "$disk_stale" = 1 ]; then
    log "building disk.img"
    if [ ! -f hello.txt ] || [ ! -f hello.md5 ]; then
        head -c 1M /dev/urandom > hello.tmp 2>/dev/null || dd if=/dev/urandom of=hello.tmp bs=1M count=1 2>/dev/null
        mv hello.tmp hello.txt
        md5sum hello.txt | cut -d' ' -f1 > hello.md5.tmp && mv hello.md5.tmp hello.md5
    fi
    rm -f disk.tmp
    truncate -s 32M disk.tmp
    echo 'start=2048, type=6, bootable' | sfdisk -q disk.tmp
    mkfs.fat -F 16 --offset 2048 -n TX86 disk.tmp $(( (32 - 1) * 1024 )) >/dev/null
    cat > syslinux.cfg <<'CFG'
SERIAL 0 115200
DEFAULT linux
PROMPT 0
TIMEOUT 0
LABEL linux
  LINUX /vmlinuz
  INITRD /initrd.gz
  APPEND console=ttyS0 nokaslr tx86.mode=test
CFG
    off=$((2048 * 512))
    mcopy -i "disk.tmp@@$off" vmlinuz initrd.gz hello.txt syslinux.cfg ::/
    syslinux --offset $off --install disk.tmp
    dd if=/usr/lib/syslinux/mbr/mbr.bin of=disk.tmp bs=440 count=1 conv=notrunc 2>/dev/null
    mv disk.tmp disk.img
fi
log "ready in $out"
