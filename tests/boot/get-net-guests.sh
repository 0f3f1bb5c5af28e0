#!/bin/sh
# tests/boot/get-net-guests.sh - the initramfs of the network boot test
# (tests/boot/net.sh), built into build/net-guests/initrd-net.gz from the
# kernel modules and busybox that tests/boot/get-guests.sh extracted into
# build/guests (read only: build/guests may be shared between trees).
#
# Its /init (tx86.mode=net on the kernel command line) loads the NIC driver
# named by tx86.nic= (e1000, ne2k_pci, ne2k_isa at 0x300 and IRQ tx86.irq=,
# default 9; rtl8139; virtio: virtio_pci and virtio_net), asks DHCP for an
# address (udhcpc), fetches http://GATEWAY:tx86.port=/host.bin (the host's
# HTTP server through slirp) and prints its md5, then serves /www/guest.bin
# on port 80 (busybox httpd, reached from the host through hostfwd) until
# the host puts a file named "done" on its server, and powers off.
# Markers: TX86-NET-UP, TX86-DHCP ADDR, TX86-NET-MD5 HASH, TX86-SERVING
# HASH, TX86-NET-DONE; TX86-FAIL ... on errors.
#
# tx86.mode=up (tests/boot/pxe.sh) powers off after the first marker.
# tx86.ip=ADDR tx86.peer=ADDR (tests/boot/tap.sh): no DHCP but ADDR/24,
# a ping of the peer (TX86-PING-OK PEER), and the peer is the HTTP host.
#
# tx86.mode=netbench (scripts/bench-net.sh) instead fetches tx86.url= into
# /tmp (RAM: give the guest memory for the file) between the markers
# TX86-NETBENCH-START and TX86-NETBENCH-END, timed by /proc/uptime,
# prints "TX86-NETBENCH SECONDS BYTES MD5" (the md5 taken after the timed
# fetch) and powers off.
#
# Cached: rebuilt when this script changes (initrd-net.key) or the guests
# are rebuilt.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
G=${TX86_GUESTS:-$top/build/guests}
out=${TX86_NET_GUESTS:-$top/build/net-guests}
sh "$top/tests/boot/get-guests.sh" >/dev/null
mkdir -p "$out"
last() { for a in "$@"; do :; done; echo "$a"; }
moddir=$(last "$G"/kernel/lib/modules/*)
key=$( { grep -v '^[[:space:]]*#' "$top/tests/boot/get-net-guests.sh"; ls -l "$G/vmlinuz"; } |
       sha256sum | cut -c1-16)
if [ -f "$out/initrd-net.gz" ] && [ "$(cat "$out/initrd-net.key" 2>/dev/null)" = "$key" ]; then
    echo "get-net-guests: ready in $out"
    exit 0
fi
echo "get-net-guests: building initrd-net.gz"
root=$out/root
rm -rf "$root"
mkdir -p "$root/bin" "$root/dev" "$root/proc" "$root/sys" "$root/tmp" "$root/modules" \
         "$root/etc" "$root/www"
cp "$G/busybox/bin/busybox" "$root/bin/busybox"
for m in e1000 8390 8390p ne2k-pci ne 8139too mii virtio_ring virtio virtio_pci_modern_dev \
         virtio_pci_legacy_dev virtio_pci failover net_failover virtio_net; do
    f=$(find "$moddir" -name "$m.ko" | head -n 1)
    [ -n "$f" ] || { echo "get-net-guests: module $m not found" >&2; exit 1; }
    cp "$f" "$root/modules/$m.ko"
done
cat > "$root/etc/udhcpc.script" <<'DHCP'
#!/bin/sh
# udhcpc's hook: configure the interface with the lease
case "$1" in
bound|renew)
    ifconfig "$interface" "$ip" netmask "${subnet:-255.255.255.0}" up
    [ -n "$router" ] && route add default gw "$router" dev "$interface"
    echo "TX86-DHCP $ip router $router dns $dns"
    ;;
esac
DHCP
chmod 755 "$root/etc/udhcpc.script"
cat > "$root/init" <<'INIT'
#!/bin/busybox sh
# /init of tx86's network test initramfs (tests/boot/get-net-guests.sh)
/bin/busybox mount -t devtmpfs dev /dev 2>/dev/null
exec </dev/console >/dev/console 2>&1
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
nic=e1000 port=8000 irq=9 mode=net url= ip= peer=
for a in $(cat /proc/cmdline); do
    case "$a" in
    tx86.mode=*) mode=${a#tx86.mode=};;
    tx86.url=*) url=${a#tx86.url=};;
    tx86.nic=*) nic=${a#tx86.nic=};;
    tx86.irq=*) irq=${a#tx86.irq=};;
    tx86.port=*) port=${a#tx86.port=};;
    tx86.ip=*) ip=${a#tx86.ip=};;
    tx86.peer=*) peer=${a#tx86.peer=};;
    esac
done
echo "TX86-USERSPACE-UP mode=$mode nic=$nic"
[ "$mode" = up ] && poweroff -f
case "$nic" in
e1000) insmod /modules/e1000.ko ;;
ne2k_pci) insmod /modules/8390.ko && insmod /modules/ne2k-pci.ko ;;
ne2k_isa) insmod /modules/8390p.ko && insmod /modules/ne.ko io=0x300 irq=$irq ;;
rtl8139) insmod /modules/mii.ko && insmod /modules/8139too.ko ;;
virtio) for m in virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci \
                 failover net_failover virtio_net; do insmod /modules/$m.ko || break; done ;;
esac || echo "TX86-FAIL insmod $nic"
i=0
while [ ! -e /sys/class/net/eth0 ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done
ip link set lo up
if ! ip link set eth0 up; then
    echo "TX86-FAIL no eth0"
    poweroff -f
fi
echo "TX86-NET-UP"
if [ -n "$ip" ]; then
    # a TAP network (tests/boot/tap.sh): a fixed address, the host is the peer
    ifconfig eth0 "$ip" netmask 255.255.255.0 up
    gw=$peer
    echo "TX86-STATIC $ip"
    if ping -c 2 -w 30 "$peer" >/dev/null 2>&1; then echo "TX86-PING-OK $peer"
    else echo "TX86-FAIL ping $peer"; fi
else
    udhcpc -i eth0 -n -q -t 10 -T 1 -s /etc/udhcpc.script || echo "TX86-FAIL dhcp"
    gw=$(route -n | awk '$1 == "0.0.0.0" { print $2 }')
fi
if [ "$mode" = netbench ]; then
    echo "TX86-NETBENCH-START"
    t0=$(cut -d' ' -f1 /proc/uptime)
    wget -q -O /tmp/bench.bin "$url" || echo "TX86-FAIL wget $url"
    t1=$(cut -d' ' -f1 /proc/uptime)
    echo "TX86-NETBENCH-END"
    size=$(wc -c < /tmp/bench.bin)
    echo "TX86-NETBENCH $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') $size $(md5sum /tmp/bench.bin | cut -d' ' -f1)"
    poweroff -f
fi
if wget -q -O /tmp/host.bin "http://$gw:$port/host.bin"; then
    echo "TX86-NET-MD5 $(md5sum /tmp/host.bin | cut -d' ' -f1)"
else
    echo "TX86-FAIL wget"
fi
# a file for the host to fetch: the host's file reversed in blocks, so
# its hash differs from the one the guest received
dd if=/tmp/host.bin of=/www/guest.bin bs=4096 skip=1 2>/dev/null
dd if=/tmp/host.bin bs=4096 count=1 2>/dev/null >> /www/guest.bin
httpd -p 80 -h /www && echo "TX86-SERVING $(md5sum /www/guest.bin | cut -d' ' -f1)"
i=0
while [ $i -lt 120 ]; do
    wget -q -O /tmp/done "http://$gw:$port/done" 2>/dev/null && break
    sleep 1; i=$((i+1))
done
dmesg | grep -E 'WARNING|BUG|Call Trace|NETDEV WATCHDOG' | sed 's/^/TX86-BAD /'
echo "TX86-NET-DONE"
poweroff -f
INIT
chmod 755 "$root/init"
cpio_entry() {  # name mode(octal) rdevmajor rdevminor
    ns=$(( ${#1} + 1 ))
    printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X' \
        0 "$(printf '%d' "0$2")" 0 0 1 0 0 0 0 "$3" "$4" "$ns" 0
    printf '%s\0' "$1"
    pad=$(( (4 - (110 + ns) % 4) % 4 ))
    [ $pad -eq 0 ] || head -c $pad /dev/zero
}
{ (cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0)
  { cpio_entry dev/console 020600 5 1; cpio_entry TRAILER!!! 0 0 0; }
} | gzip -9n > "$out/initrd-net.gz.tmp"
mv "$out/initrd-net.gz.tmp" "$out/initrd-net.gz"
rm -rf "$root"
echo "$key" > "$out/initrd-net.key"
echo "get-net-guests: ready in $out"
