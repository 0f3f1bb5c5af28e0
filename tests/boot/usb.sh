#!/bin/sh
# tests/boot/usb.sh - the UHCI and the USB HID devices with Linux:
# Debian's i386 kernel boots with -usb -device usb-tablet -device usb-kbd
# and a small initramfs of our own on top of the test one, whose /init
# loads usbcore, uhci-hcd, usbhid, hid-generic and evdev from the kernel
# package, then reports what Linux found: the UHCI bound to 00:01.2, the
# two devices on root ports 1 and 2 with QEMU's names ("QEMU USB Tablet",
# "QEMU USB Keyboard"), and their input devices.  It then reads the
# tablet's and the keyboard's /dev/input/eventN while this script sends,
# over QMP, an absolute pointer event (x 0x4000, y 0x2000, left button)
# and a key (send-key "a"): the guest must see EV_ABS ABS_X 0x4000,
# ABS_Y 0x2000, EV_KEY BTN_LEFT 1 and EV_KEY KEY_A 1; and the UHCI's
# interrupt line must have fired (/proc/interrupts).
# TX86=qemu-system-i386 runs the same guest under QEMU (the oracle; it
# passes too, with the same events: QEMU puts a usb-hub on the last free
# root port, so its keyboard is 1-2.1 where tx86's is 1-2).  ~12 s.
. "$(dirname "$0")/lib.sh"
command -v cpio > /dev/null || { echo "  cpio missing"; exit 77; }
command -v python3 > /dev/null || { echo "  python3 missing"; exit 77; }
boot_guests
moddir=$(ls -d "$G"/kernel/lib/modules/* | tail -n 1)
work=$(mktemp -d "${TMPDIR:-/tmp}/tx86-usb.XXXXXX")
trap 'rm -rf "$work"' EXIT
modfile() { find "$moddir" -name "$1.ko" -o -name "$(echo "$1" | tr _ -).ko" | head -n 1; }
order=
resolve() {
    case " $order " in *" $1 "*) return;; esac
    f=$(modfile "$1")
    [ -n "$f" ] || { echo "  module $1 not in $moddir"; exit 1; }
    for d in $(tr '\0' '\n' < "$f" | sed -n 's/^depends=//p' | tr ',' ' '); do
        resolve "$d"
    done
    case " $order " in *" $1 "*) ;; *) order="$order $1";; esac
}
for m in uhci_hcd usbhid hid_generic evdev; do resolve $m; done
mkdir -p "$work/root/usb"
for m in $order; do cp "$(modfile "$m")" "$work/root/usb/$m.ko"; done
echo "$order" > "$work/root/usb/order"
cat > "$work/root/init" <<'INITEND'
#!/bin/busybox sh
/bin/busybox mount -t devtmpfs dev /dev 2>/dev/null
exec </dev/console >/dev/console 2>&1
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
echo "TX86-USERSPACE-UP mode=usb"
for m in $(cat /usb/order); do
    insmod /usb/$m.ko || echo "TX86-FAIL insmod $m"
done
i=0
while [ $i -lt 100 ]; do
    [ -e /sys/bus/usb/devices/1-1/product ] && [ -e /sys/bus/usb/devices/1-2/product ] &&
        grep -q 'QEMU USB Keyboard' /proc/bus/input/devices &&
        grep -q 'QEMU USB Tablet' /proc/bus/input/devices && break
    sleep 0.1
    i=$((i+1))
done
for d in /sys/bus/usb/devices/*; do
    [ -e $d/product ] && echo "TX86-USBDEV ${d##*/} $(cat $d/idVendor):$(cat $d/idProduct) $(cat $d/product)"
done
readlink /sys/bus/usb/devices/usb1 | sed 's/^/TX86-USBBUS /'
dmesg | grep -i -E 'uhci|usb|hid' | sed 's/^/TX86-LOG /'
grep '^N: Name=' /proc/bus/input/devices | sed 's/^/TX86-INPUT /'
# the event node of an input device, by its name
evnode() {
    awk -v n="$1" '/^N: Name=/ { hit = index($0, n) > 0 }
                   /^H: Handlers=/ && hit { for (i = 1; i <= NF; i++) if ($i ~ /^event/) print $i; hit = 0 }' \
        /proc/bus/input/devices | head -n 1
}
tab=$(evnode 'QEMU USB Tablet')
kbd=$(evnode 'QEMU USB Keyboard')
echo "TX86-EVNODES tablet=$tab kbd=$kbd"
if [ -n "$tab" ] && [ -n "$kbd" ]; then
    dd if=/dev/input/$tab of=/tab.bin bs=16 count=4 2>/dev/null &
    tpid=$!
    dd if=/dev/input/$kbd of=/kbd.bin bs=16 count=3 2>/dev/null &
    kpid=$!
    sleep 1
    echo "TX86-USB-READY"
    i=0
    while [ $i -lt 100 ] && { kill -0 $tpid 2>/dev/null || kill -0 $kpid 2>/dev/null; }; do
        sleep 0.1
        i=$((i+1))
    done
    hexdump -v -e '16/1 "%02x " "\n"' /tab.bin | sed 's/^/TX86-TABEV /'
    hexdump -v -e '16/1 "%02x " "\n"' /kbd.bin | sed 's/^/TX86-KBDEV /'
fi
# the controller interrupts (not only the root hub's polling timer)
awk '/uhci_hcd/ { n = 0; for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) n += $i;
                  print (n > 0 ? "TX86-IRQ uhci interrupts" : "TX86-FAIL no uhci interrupts") }' \
    /proc/interrupts
dmesg | grep -E 'WARNING|BUG|Call Trace' | sed 's/^/TX86-BAD /'
echo "TX86-TESTS-DONE"
poweroff -f
INITEND
chmod +x "$work/root/init"
(cd "$work/root" && find . | cpio -o -H newc 2>/dev/null) | gzip > "$work/usb.cpio.gz"
cat "$G/initrd.gz" "$work/usb.cpio.gz" > "$work/initrd.gz"

# QMP: when the guest is ready, a tablet event and a key
qmp=$work/qmp.sock
boot_log=$BOOT_LOG_DIR/usb.log
boot_t0=$(date +%s)
timeout -k 5 "${BOOT_TIMEOUT:-120}" "$TX86" -m 256 -usb -device usb-tablet -device usb-kbd \
    -kernel "$G/vmlinuz" -initrd "$work/initrd.gz" \
    -append "console=ttyS0 nokaslr" -nographic -no-reboot \
    -qmp "unix:$qmp,server,nowait" < /dev/null > "$boot_log" 2>&1 &
pid=$!
python3 - "$qmp" "$boot_log" "${BOOT_TIMEOUT:-120}" 2> "$BOOT_LOG_DIR/usb_qmp.log" <<'PYEND'
import json, socket, sys, time
path, log, secs = sys.argv[1], sys.argv[2], float(sys.argv[3])
end = time.time() + secs
def ready():
    try:
        with open(log, errors="replace") as f:
            return "TX86-USB-READY" in f.read()
    except OSError:
        return False
while time.time() < end and not ready():
    time.sleep(0.2)
if not ready():
    sys.exit(0)
s = socket.socket(socket.AF_UNIX)
s.connect(path)
f = s.makefile("rw")
f.readline()                                    # greeting
def cmd(name, args=None):
    f.write(json.dumps({"execute": name, "arguments": args or {}}) + "\n")
    f.flush()
    while True:
        r = json.loads(f.readline())
        if "return" in r or "error" in r:
            return r
cmd("qmp_capabilities")
print("qmp abs:", cmd("input-send-event", {"events": [
    {"type": "abs", "data": {"axis": "x", "value": 0x4000}},
    {"type": "abs", "data": {"axis": "y", "value": 0x2000}},
    {"type": "btn", "data": {"down": True, "button": "left"}}]}), file=sys.stderr)
time.sleep(0.3)
print("qmp key:", cmd("send-key", {"keys": [{"type": "qcode", "data": "a"}]}), file=sys.stderr)
PYEND
wait $pid
boot_status=$?
boot_secs=$(( $(date +%s) - boot_t0 ))
boot_status_is 0
boot_expect TX86-USERSPACE-UP "TX86-USBDEV 1-1 0627:0001 QEMU USB Tablet" \
    "0627:0001 QEMU USB Keyboard" "TX86-USBBUS ../../../devices/pci0000:00/0000:00:01.2/usb1" \
    "TX86-INPUT N: Name=\"QEMU QEMU USB Tablet\"" "TX86-INPUT N: Name=\"QEMU QEMU USB Keyboard\"" \
    "03 00 00 00 00 40 00 00" "03 00 01 00 00 20 00 00" "01 00 10 01 01 00 00 00" \
    "01 00 1e 00 01 00 00 00" "TX86-IRQ uhci interrupts" TX86-TESTS-DONE
boot_refuse TX86-BAD TX86-FAIL "Kernel panic"
boot_done
