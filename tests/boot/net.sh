#!/bin/sh
# tests/boot/net.sh - user-mode networking with each NIC model (make
# check-net; docs/net.md): Debian's kernel and the network initramfs
# (tests/boot/get-net-guests.sh) get an address from slirp's DHCP server,
# fetch a file from an HTTP server on the host's 127.0.0.1 through the
# gateway 10.0.2.2, and serve one back that the host fetches through a
# hostfwd port (tests/boot/net_check.py does one run).  Then the e1000 run
# again, recorded (-icount rr=record) and replayed without the network: the
# same serial output (docs/replay.md).
#   NET_MODELS="e1000 ne2k_pci ne2k_isa rtl8139 virtio-net-pci virtio-legacy virtio-modern"   the NIC models to test (default: all)
. "$(dirname "$0")/lib.sh"
boot_guests
TX86_GUESTS=$G sh "$boot_top/tests/boot/get-net-guests.sh" > "$BOOT_LOG_DIR/get-net-guests.log" 2>&1 || {
    echo "  cannot build the network initramfs (see $BOOT_LOG_DIR/get-net-guests.log)"
    exit 1
}
NG=${TX86_NET_GUESTS:-$boot_top/build/net-guests}
command -v python3 >/dev/null 2>&1 || { echo "  no python3"; exit 77; }
boot_t0=$(date +%s)
for model in ${NET_MODELS:-e1000 ne2k_pci ne2k_isa rtl8139 virtio-net-pci virtio-legacy virtio-modern}; do
    python3 "$boot_top/tests/boot/net_check.py" "$TX86" "$G" "$NG" "$model" \
        "$BOOT_LOG_DIR/net-$model.log" || boot_failures=$((boot_failures + 1))
done
TX86_NET_RR=1 python3 "$boot_top/tests/boot/net_check.py" "$TX86" "$G" "$NG" e1000 \
    "$BOOT_LOG_DIR/net-replay.log" || boot_failures=$((boot_failures + 1))
boot_secs=$(( $(date +%s) - boot_t0 ))
[ $boot_failures -eq 0 ] || { echo "  logs: $BOOT_LOG_DIR/net-MODEL.log"; exit 1; }
echo "  ok (${boot_secs}s)"
