#!/bin/sh
# tests/boot/cdrom.sh - SeaBIOS boots a CD: an El Torito no-emulation ISO
# made with xorriso and ISOLINUX (isolinux.bin, ldlinux.c32), whose
# isolinux.cfg prints a line on the BIOS console and chain loads payload.bs
# (payload_bs.asm: prints TX86-BOOT-PAYLOAD-OK, exits with status 33
# through isa-debug-exit).  A blank hard disk is attached too, so the CD
# is found through the boot order, not by elimination.
. "$(dirname "$0")/lib.sh"
bios=/usr/share/seabios/bios-256k.bin
isolinux=/usr/lib/ISOLINUX/isolinux.bin
ldlinux=/usr/lib/syslinux/modules/bios/ldlinux.c32
for tool in xorriso nasm; do
    command -v $tool > /dev/null 2>&1 || { echo "  $tool missing (apt-get install \
xorriso nasm)"; exit 77; }
done
for f in $bios $isolinux $ldlinux; do
    [ -f $f ] || { echo "  $f missing (apt-get install seabios isolinux syslinux-common)"; \
        exit 77; }
done
work=$BOOT_LOG_DIR/cdrom.d
rm -rf "$work"
mkdir -p "$work/iso"
nasm -f bin -o "$work/iso/payload.bs" "$boot_top/tests/boot/payload_bs.asm" || exit 1
cp $isolinux $ldlinux "$work/iso/"
cat > "$work/iso/isolinux.cfg" <<CFG
SAY TX86-ISOLINUX-CD
DEFAULT payload
PROMPT 0
TIMEOUT 0
LABEL payload
  KERNEL payload.bs
CFG
xorriso -as mkisofs -quiet -o "$work/cd.iso" -b isolinux.bin -c boot.cat \
    -no-emul-boot -boot-load-size 4 -boot-info-table "$work/iso" \
    > "$work/xorriso.log" 2>&1 || { echo "  xorriso failed"; cat "$work/xorriso.log"; exit 1; }
dd if=/dev/zero of="$work/blank.img" bs=1M count=4 2> /dev/null
secs=${BOOT_TIMEOUT:-120}
exitdev="isa-debug-exit,iobase=0xf4,iosize=0x04"

boot_run $secs cdrom -m 32 -bios $bios -nographic -no-reboot -device $exitdev \
    -hda "$work/blank.img" -cdrom "$work/cd.iso" -boot order=d
boot_status_is 33
boot_expect TX86-BOOT-PAYLOAD-OK
boot_done
