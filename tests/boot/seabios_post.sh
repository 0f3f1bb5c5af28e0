#!/bin/sh
# tests/boot/seabios_post.sh - tx86 with no -bios runs the default SeaBIOS
# (bios-256k.bin, configure --with-seabios) on the PCI platform: SeaBIOS
# must recognise QEMU's i440FX (host bridge subsystem 1AF4:1100), find
# fw_cfg with DMA, take RAM from etc/e820, enumerate the PCI functions,
# program the PIIX4 PM base and use its PM timer, load our ACPI tables
# through the table-loader (it then finds the FADT via the RSDT and parses
# the DSDT), and with no disk end in "No bootable device".  Its debug log
# (port 0x402, --seabios-log) goes to stdout; its text reaches COM1 through
# sercon (fw_cfg etc/sercon-port, given with -nographic), here a file.
. "$(dirname "$0")/lib.sh"
case $(basename "$TX86") in
*qemu*) echo "  needs tx86's --seabios-log"; exit 77 ;;
esac
[ -f /usr/share/seabios/bios-256k.bin ] || { echo "  apt-get install seabios"; exit 77; }
secs=${BOOT_TIMEOUT:-60}
log=$BOOT_LOG_DIR/seabios_post.log
serial=$BOOT_LOG_DIR/seabios_post.serial
rm -f "$serial"
: > "$log"
timeout -k 5 "$secs" "$TX86" -m 64 -nographic -serial "file:$serial" \
    --seabios-log stdio < /dev/null > "$log" 2>&1 &
pid=$!
t=0
while [ $t -lt "$secs" ] && kill -0 $pid 2>/dev/null; do
    [ -f "$serial" ] && grep -a -q -F 'No bootable device' "$serial" && break
    sleep 1
    t=$((t + 1))
done
kill $pid 2>/dev/null
wait $pid 2>/dev/null
boot_log=$log boot_secs=$t boot_status=0
boot_expect "Running on QEMU (i440fx)" "Found QEMU fw_cfg" \
    "QEMU fw_cfg DMA interface supported" \
    "qemu/e820: addr 0x0000000000000000 len 0x0000000004000000 [RAM]" \
    "Moving pm_base to 0x600" \
    "PCI: init bdf=00:00.0 id=8086:1237" "PCI: init bdf=00:01.0 id=8086:7000" \
    "PCI: init bdf=00:01.3 id=8086:7113" "Using pmtimer, ioport 0x608" \
    "table(50434146)=" "ACPI: parse DSDT" "No bootable device"
boot_refuse "WARNING" "internal error" "ACPI: no PS/2 keyboard present"
[ -f "$serial" ] || : > "$serial"
boot_log=$serial
boot_expect "SeaBIOS (version" "No bootable device"
boot_done
