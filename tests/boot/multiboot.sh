#!/bin/sh
# tests/boot/multiboot.sh - -kernel with a multiboot v1 kernel
# (tests/boot/mbkernel.asm, assembled here): firmware/multiboot.asm must
# load it, fill in the information block (command line, E820 memory map) and
# enter it in protected mode with EAX = 0x2BADB002.
. "$(dirname "$0")/lib.sh"
case "$TX86" in *qemu*) echo "  (tx86's multiboot ROM only)"; exit 77;; esac
k=$BOOT_LOG_DIR/mbkernel.bin
nasm -f bin -o "$k" "$boot_top/tests/boot/mbkernel.asm" || exit 1
boot_run 60 multiboot -m 64 -kernel "$k" -append "hello multiboot" -nographic -no-reboot \
    -debugcon stdio -device isa-debug-exit,iobase=0xf4,iosize=4
boot_status_is 1
boot_expect "MB-OK cmdline=$k hello multiboot" "MB-MMAP-OK"
boot_refuse MB-BAD
# the same kernel loaded in conventional memory (0x7000-0x17000, over the
# ROM's usual stack and information block): GRUB and QEMU accept it
lk=$BOOT_LOG_DIR/mbkernel-low.bin
nasm -f bin -DORG=0x7000 -DBSS=0x10000 -o "$lk" "$boot_top/tests/boot/mbkernel.asm" || exit 1
boot_run 60 multiboot-low -m 64 -kernel "$lk" -append "low" -nographic -no-reboot \
    -debugcon stdio -device isa-debug-exit,iobase=0xf4,iosize=4
boot_status_is 1
boot_expect "MB-OK cmdline=$lk low" "MB-MMAP-OK"
boot_refuse MB-BAD
boot_done
