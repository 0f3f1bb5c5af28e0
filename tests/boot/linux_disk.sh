#!/bin/sh
# tests/boot/linux_disk.sh - guest (b): the same kernel and initramfs on a raw
# disk image (MBR, FAT16 partition, syslinux), booted by SeaBIOS from the
# hard disk; syslinux.cfg passes console=ttyS0 nokaslr tx86.mode=test.
. "$(dirname "$0")/lib.sh"
boot_guests
boot_run "${BOOT_TIMEOUT:-180}" linux_disk -m 256 \
    -drive "file=$G/disk.img,format=raw,if=ide,index=0" -snapshot -boot order=c \
    -nographic -no-reboot
boot_expect "SYSLINUX"
boot_check_linux_test
boot_done
