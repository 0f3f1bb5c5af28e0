#!/bin/sh
# tests/boot/pxe.sh - network boot (-boot n; make check-net, docs/net.md):
# SeaBIOS runs the e1000's iPXE ROM (Debian's ipxe-qemu, in the NIC's
# expansion ROM BAR), iPXE gets an address and the boot file name from
# slirp's DHCP, fetches an iPXE script from slirp's TFTP server (a
# temporary tftp= directory with Debian's kernel and the network
# initramfs), and boots the kernel, whose userspace prints its marker on
# ttyS0 and powers off (tests/boot/pxe_check.py does the run).
. "$(dirname "$0")/lib.sh"
boot_guests
TX86_GUESTS=$G sh "$boot_top/tests/boot/get-net-guests.sh" > "$BOOT_LOG_DIR/get-net-guests.log" 2>&1 || {
    echo "  cannot build the network initramfs (see $BOOT_LOG_DIR/get-net-guests.log)"
    exit 1
}
NG=${TX86_NET_GUESTS:-$boot_top/build/net-guests}
command -v python3 >/dev/null 2>&1 || { echo "  no python3"; exit 77; }
python3 "$boot_top/tests/boot/pxe_check.py" "$TX86" "$G" "$NG" "$BOOT_LOG_DIR/pxe.log"
