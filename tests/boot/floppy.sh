#!/bin/sh
# tests/boot/floppy.sh - SeaBIOS boots a floppy: a 1.44 MB FAT12 image made
# with mkfs.fat and mtools, made bootable by the mtools-based SYSLINUX
# installer (no root, no loop mount), whose syslinux.cfg prints a line on
# the BIOS console (SAY) and chain loads payload.bs
# (payload_bs.asm), which prints TX86-BOOT-PAYLOAD-OK and exits through
# isa-debug-exit with status 33.  Also checks the floppy through -drive
# if=floppy and a 720 KB image.
. "$(dirname "$0")/lib.sh"
bios=/usr/share/seabios/bios-256k.bin
for tool in mkfs.fat mcopy syslinux nasm; do
    command -v $tool > /dev/null 2>&1 || { echo "  $tool missing (apt-get install \
dosfstools mtools syslinux nasm)"; exit 77; }
done
[ -f $bios ] || { echo "  $bios missing (apt-get install seabios)"; exit 77; }
work=$BOOT_LOG_DIR/floppy.d
rm -rf "$work"
mkdir -p "$work"
nasm -f bin -o "$work/payload.bs" "$boot_top/tests/boot/payload_bs.asm" || exit 1
cat > "$work/syslinux.cfg" <<CFG
SAY TX86-SYSLINUX-FLOPPY
DEFAULT payload
PROMPT 0
TIMEOUT 0
LABEL payload
  KERNEL payload.bs
CFG
make_floppy() {     # $1 image, $2 size in KiB
    rm -f "$1"
    mkfs.fat -C "$1" "$2" > /dev/null &&
    syslinux --install "$1" &&
    mcopy -i "$1" "$work/syslinux.cfg" ::syslinux.cfg &&
    mcopy -i "$1" "$work/payload.bs" ::payload.bs
}
make_floppy "$work/fd144.img" 1440 || { echo "  cannot build the floppy image"; exit 1; }
make_floppy "$work/fd720.img" 720 || { echo "  cannot build the 720 KB image"; exit 1; }
secs=${BOOT_TIMEOUT:-120}
exitdev="isa-debug-exit,iobase=0xf4,iosize=0x04"

boot_run $secs floppy -m 32 -bios $bios -nographic -no-reboot -device $exitdev \
    -fda "$work/fd144.img" -boot order=a
boot_status_is 33
boot_expect TX86-BOOT-PAYLOAD-OK

boot_run $secs floppy720 -m 32 -bios $bios -nographic -no-reboot -device $exitdev \
    -drive file="$work/fd720.img",if=floppy,format=raw -snapshot -boot a
boot_status_is 33
boot_expect TX86-BOOT-PAYLOAD-OK
boot_done
