#!/bin/sh
# tests/boot/cirrus.sh - the CL-GD5446 of -vga cirrus with real guests:
# (1) SeaBIOS runs vgabios-cirrus.bin (the option ROM of our PCI 1013:00B8)
#     and prints its banner and "No bootable device" on the VGA text
#     screen, read through --screendump-text;
# (2) Debian's i386 kernel loads its cirrus DRM driver (drm, drm_kms_helper,
#     drm_shmem_helper, cirrus, from the kernel package) from a small
#     initramfs appended to the test one; the kernel log must show the
#     driver bound to the device with a framebuffer (fb0), and the screen
#     --screenshot saves at exit must have the size of the mode the driver
#     set (/sys/class/graphics/fb0/virtual_size; PNG IHDR width, height);
# (3) the fbdev driver cirrusfb, whose console is drawn by the BitBLT
#     engine (glyphs by colour expansion from system memory, fills; 6.1's
#     fbcon scrolls by redrawing, so copies are left to the unit tests): after
#     one line is printed 40 times, every text row must hold the same
#     pixels, and not black.
. "$(dirname "$0")/lib.sh"
bios=/usr/share/seabios/bios-256k.bin
vgabios=/usr/share/seabios/vgabios-cirrus.bin
if [ ! -f $bios ] || [ ! -f $vgabios ]; then
    echo "  $bios or $vgabios missing (apt-get install seabios)"
    exit 77
fi
case $(basename "$TX86") in
*qemu*) echo "  needs tx86's --screendump-text"; exit 77 ;;
esac
command -v cpio > /dev/null || { echo "  cpio missing"; exit 77; }
secs=${BOOT_TIMEOUT:-90}

# ---- (1) SeaBIOS + SeaVGABIOS (cirrus) in text mode ----
log=$BOOT_LOG_DIR/cirrus_bios.log
screen=$BOOT_LOG_DIR/cirrus_bios.screen
rm -f "$screen"
: > "$log"
timeout -k 5 "$secs" "$TX86" -m 64 -bios $bios -vga cirrus -display none \
    --screendump-text "$screen" < /dev/null > "$log" 2>&1 &
pid=$!
t=0
while [ $t -lt "$secs" ] && kill -0 $pid 2>/dev/null; do
    [ -f "$screen" ] && grep -a -q -F 'No bootable device' "$screen" && break
    sleep 1
    t=$((t + 1))
done
kill $pid 2>/dev/null
wait $pid 2>/dev/null
[ -f "$screen" ] || : > "$screen"
boot_log=$screen
boot_expect "SeaBIOS (version" "No bootable device"
boot_refuse "no Cirrus VGA BIOS"

# ---- (2) Linux's cirrus DRM driver, (3) cirrusfb ----
boot_guests
moddir=$(ls -d "$G"/kernel/lib/modules/* | tail -n 1)
work=$(mktemp -d "${TMPDIR:-/tmp}/tx86-cirrus.XXXXXX")
trap 'rm -rf "$work"' EXIT
modfile() { find "$moddir" -name "$1.ko" -o -name "$(echo "$1" | tr _ -).ko" | head -n 1; }
resolve() {
    case " $order " in *" $1 "*) return;; esac
    f=$(modfile "$1")
    [ -n "$f" ] || { echo "  module $1 not in $moddir"; exit 1; }
    for d in $(tr '\0' '\n' < "$f" | sed -n 's/^depends=//p' | tr ',' ' '); do
        resolve "$d"
    done
    case " $order " in *" $1 "*) ;; *) order="$order $1";; esac
}
for drv in cirrus:drm cirrusfb:fb; do
    order=
    resolve "${drv%%:*}"
    mkdir -p "$work/root/cirrus/${drv#*:}"
    for m in $order; do cp "$(modfile "$m")" "$work/root/cirrus/${drv#*:}/$m.ko"; done
    echo "$order" > "$work/root/cirrus/${drv#*:}/order"
done
# an /init of our own (later cpio archives win): load the driver that
# tx86.cirrus=drm|fb names and report
cat > "$work/root/init" <<'INITEND'
#!/bin/busybox sh
/bin/busybox mount -t devtmpfs dev /dev 2>/dev/null
exec </dev/console >/dev/console 2>&1
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
drv=drm
for a in $(cat /proc/cmdline); do
    case "$a" in tx86.cirrus=*) drv=${a#tx86.cirrus=};; esac
done
echo "TX86-USERSPACE-UP mode=cirrus-$drv"
for m in $(cat /cirrus/$drv/order); do
    insmod /cirrus/$drv/$m.ko || echo "TX86-FAIL insmod $m"
done
echo "TX86-STEP insmod"
i=0
while [ ! -e /dev/fb0 ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done
[ -e /dev/fb0 ] && echo "TX86-STEP fb0"
dmesg | grep -i -E 'cirrus|fb0' | sed 's/^/TX86-LOG /'
dmesg | grep -q 'Initialized cirrus' && echo "TX86-DMESG cirrus"
dmesg | grep -q 'Cirrus Logic chipset on PCI bus, RAM (4096 kB)' && echo "TX86-DMESG cirrusfb"
cat /sys/class/graphics/fb0/virtual_size 2>/dev/null | sed 's/^/TX86-FBSIZE /'
if [ $drv = drm ]; then
    # something on the screen: fill the framebuffer's first rows with white
    dd if=/dev/zero bs=1024 count=64 2>/dev/null | tr '\0' '\377' > /dev/fb0 2>/dev/null
else
    # cirrusfb draws the console with the BitBLT engine: glyphs by colour
    # expansion from system memory, clearing by solid fills.  The same line
    # 40 times: after the scrolling every text row (16 scan lines) must hold
    # the same pixels, and not black.
    for i in $(seq 40); do echo "tx86 cirrus blitter 0123456789" > /dev/tty0; done
    sleep 1
    rb=$(( $(cat /sys/class/graphics/fb0/stride) * 16 ))
    black=$(dd if=/dev/zero bs=$rb count=1 2>/dev/null | md5sum)
    first=$(dd if=/dev/fb0 bs=$rb count=1 2>/dev/null | md5sum)
    same=0
    for r in $(seq 0 27); do
        [ "$(dd if=/dev/fb0 bs=$rb skip=$r count=1 2>/dev/null | md5sum)" = "$first" ] &&
            same=$((same + 1))
    done
    echo "TX86-FBROWS $same of 28 equal"
    [ "$first" != "$black" ] && echo "TX86-FBROWS not black"
fi
sleep 1
dmesg | grep -E 'WARNING|BUG|Call Trace' | sed 's/^/TX86-BAD /'
echo "TX86-TESTS-DONE"
poweroff -f
INITEND
chmod +x "$work/root/init"
(cd "$work/root" && find . | cpio -o -H newc 2>/dev/null) | gzip > "$work/cirrus.cpio.gz"
cat "$G/initrd.gz" "$work/cirrus.cpio.gz" > "$work/initrd.gz"

# (2) the DRM driver
shot=$BOOT_LOG_DIR/cirrus_linux.png
rm -f "$shot"
boot_run "${BOOT_TIMEOUT:-180}" cirrus_linux -m 256 -vga cirrus -kernel "$G/vmlinuz" \
    -initrd "$work/initrd.gz" -append "console=ttyS0 nokaslr tx86.cirrus=drm" \
    -nographic -no-reboot --screenshot "$shot"
boot_status_is 0
boot_expect TX86-USERSPACE-UP "TX86-STEP insmod" "TX86-STEP fb0" "TX86-DMESG cirrus" \
    TX86-TESTS-DONE
boot_refuse TX86-BAD TX86-FAIL "Kernel panic"
size=$(sed -n 's/^TX86-FBSIZE \([0-9]*\),\([0-9]*\).*/\1 \2/p' "$boot_log" | head -n 1)
png=$(od -An -tu1 -j16 -N8 "$shot" 2>/dev/null |
      awk '{ printf "%d %d", $1 * 16777216 + $2 * 65536 + $3 * 256 + $4,
                                $5 * 16777216 + $6 * 65536 + $7 * 256 + $8 }')
if [ -z "$size" ] || [ "$size" != "$png" ]; then
    echo "  screenshot $shot is '$png', the driver's mode '$size'"
    boot_failures=$((boot_failures + 1))
fi

# (3) cirrusfb, the fbdev driver that uses the BitBLT engine
boot_run "${BOOT_TIMEOUT:-180}" cirrus_fb -m 256 -vga cirrus -kernel "$G/vmlinuz" \
    -initrd "$work/initrd.gz" -append "console=ttyS0 nokaslr tx86.cirrus=fb" \
    -nographic -no-reboot --screenshot "$BOOT_LOG_DIR/cirrus_fb.png"
boot_status_is 0
boot_expect TX86-USERSPACE-UP "TX86-STEP fb0" "TX86-DMESG cirrusfb" "TX86-FBSIZE 640,480" \
    "TX86-FBROWS 28 of 28 equal" "TX86-FBROWS not black" TX86-TESTS-DONE
boot_refuse TX86-BAD TX86-FAIL "Kernel panic"
boot_done
