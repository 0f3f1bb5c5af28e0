#!/bin/sh
# tests/boot/linux_kernel.sh - guest (a): Debian's i386 kernel and the busybox
# initramfs booted with -kernel/-initrd/-append (SeaBIOS runs our
# firmware/linuxboot.asm option ROM), the raw disk attached so ata_piix finds
# a disk.  The initramfs's test mode loads the modules, mounts the FAT
# partition, checks a file's md5 and the kernel log, and powers off.
. "$(dirname "$0")/lib.sh"
boot_guests
boot_run "${BOOT_TIMEOUT:-180}" linux_kernel -m 256 -kernel "$G/vmlinuz" -initrd "$G/initrd.gz" \
    -append "console=ttyS0 nokaslr tx86.mode=test" \
    -drive "file=$G/disk.img,format=raw,if=ide,index=0" -snapshot -nographic -no-reboot
boot_check_linux_test
boot_done
