#!/bin/sh
# tests/boot/seabios_vga.sh - SeaBIOS runs the VGA BIOS (SeaVGABIOS,
# vgabios-stdvga.bin, the option ROM of our PCI VGA 1234:1111) and prints
# on the VGA text screen: its banner "SeaBIOS (version ...)" and, with no
# disk at all, "No bootable device".  The screen is read through tx86's
# --screendump-text FILE, which follows the text screen while tx86 runs;
# tx86 is stopped once the message is there.
. "$(dirname "$0")/lib.sh"
bios=/usr/share/seabios/bios-256k.bin
vgabios=/usr/share/seabios/vgabios-stdvga.bin
if [ ! -f $bios ] || [ ! -f $vgabios ]; then
    echo "  $bios or $vgabios missing (apt-get install seabios)"
    exit 77
fi
case $(basename "$TX86") in
*qemu*) echo "  needs tx86's --screendump-text"; exit 77 ;;
esac
secs=${BOOT_TIMEOUT:-90}
log=$BOOT_LOG_DIR/seabios_vga.log
screen=$BOOT_LOG_DIR/seabios_vga.screen
rm -f "$screen"
: > "$log"
timeout -k 5 "$secs" "$TX86" -m 64 -bios $bios -display none \
    --screendump-text "$screen" < /dev/null > "$log" 2>&1 &
pid=$!
t=0
while [ $t -lt "$secs" ] && kill -0 $pid 2>/dev/null; do
    [ -f "$screen" ] && grep -a -q -F 'No bootable device' "$screen" && break
    sleep 1
    t=$((t + 1))
done
kill $pid 2>/dev/null          # timeout passes the signal on to tx86
wait $pid 2>/dev/null
[ -f "$screen" ] || : > "$screen"
boot_log=$screen boot_secs=$t boot_status=0
boot_expect "SeaBIOS (version" "No bootable device"
if [ $boot_failures -ne 0 ]; then
    echo "  tx86's output ($log):"
    tail -n 5 "$log" | sed 's/^/    | /'
fi
boot_done
