#!/bin/sh
# tests/boot/tap.sh - the TAP back end (-netdev tap; make check-net,
# docs/net.md): in a network namespace of its own (unshare -n: nothing
# changes on the host's network), tx86 creates a TAP interface for an
# e1000, tests/boot/net_check.py gives the host side 192.168.76.1/24, and
# the guest (192.168.76.2) pings it, fetches a file from the host's HTTP
# server and serves one back that the host fetches.  Skipped (77) where
# the host does not allow it: not root (CAP_NET_ADMIN), no /dev/net/tun,
# no unshare or ip(8).
#   TAP_MODELS="e1000 virtio-net-pci"   the NIC models to test
. "$(dirname "$0")/lib.sh"
skip() { echo "  $1: the TAP test needs it, skipped"; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "not root (creating a TAP interface needs CAP_NET_ADMIN)"
[ -c /dev/net/tun ] || skip "no /dev/net/tun (TUN/TAP driver)"
command -v unshare >/dev/null 2>&1 || skip "no unshare(1)"
command -v ip >/dev/null 2>&1 || skip "no ip(8)"
command -v python3 >/dev/null 2>&1 || skip "no python3"
unshare -n true 2>/dev/null || skip "unshare -n refused (no network namespaces here)"
boot_guests
TX86_GUESTS=$G sh "$boot_top/tests/boot/get-net-guests.sh" > "$BOOT_LOG_DIR/get-net-guests.log" 2>&1 || {
    echo "  cannot build the network initramfs (see $BOOT_LOG_DIR/get-net-guests.log)"
    exit 1
}
NG=${TX86_NET_GUESTS:-$boot_top/build/net-guests}
boot_t0=$(date +%s)
for model in ${TAP_MODELS:-e1000 virtio-net-pci}; do
    TX86_NET_TAP=tx86tap0 unshare -n python3 "$boot_top/tests/boot/net_check.py" "$TX86" "$G" \
        "$NG" "$model" "$BOOT_LOG_DIR/tap-$model.log" || boot_failures=$((boot_failures + 1))
done
boot_secs=$(( $(date +%s) - boot_t0 ))
[ $boot_failures -eq 0 ] || { echo "  logs: $BOOT_LOG_DIR/tap-MODEL.log"; exit 1; }
echo "  ok (${boot_secs}s)"
