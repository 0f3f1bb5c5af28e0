#!/bin/sh
# setup-debian.sh - install the Debian packages tx86 needs to build and
# test (Debian 12; Ubuntu works too).  Idempotent: packages already
# installed are skipped, and nothing is run when all are present.  Uses
# sudo only when not root.
set -eu

pkgs="build-essential pkg-config libcapstone-dev libglib2.0-dev libffi-dev
      zlib1g-dev libcunit1-dev nasm libncurses-dev libjson-glib-dev libslirp-dev
      libsdl2-dev libvncserver-dev"
# firmware tx86 runs by default, and what the boot and debug tests use to
# build guest images (tests/boot, tests/debug)
pkgs="$pkgs seabios syslinux syslinux-common isolinux mtools dosfstools xorriso
      fdisk cpio memtest86+ gdb"
# the NICs' iPXE boot ROMs of -boot n (machine/pc_net.c, tests/boot/pxe.sh)
pkgs="$pkgs ipxe-qemu"
# the full Debian system of tests/boot/debian.sh (debian-image.sh builds it;
# serial_login.py drives its console)
pkgs="$pkgs debootstrap debian-archive-keyring grub-pc-bin grub-common e2fsprogs
      python3"
# make check-display (tests/display): a virtual X server for the SDL window,
# xdotool to type and click, xwd for its picture, a VNC client and netpbm's
# jpegtopnm for that client's JPEG
pkgs="$pkgs xvfb xdotool x11-apps vncsnapshot netpbm"
# test oracles, never run by tx86 itself: qemu-img and qemu-system-i386
# (tests/boot/image_lock.sh's cross-locking checks, make bench's comparison)
pkgs="$pkgs qemu-system-x86 qemu-utils"
# clang's libFuzzer with ASan/UBSan runtimes (make fuzz-smoke, tests/fuzz/);
# the linter of make check-shell, and git (make check-fresh clones the tree)
pkgs="$pkgs clang-14 libclang-rt-14-dev shellcheck git"
case "$(uname -m)" in
    x86_64|amd64) pkgs="$pkgs gcc-multilib" ;;   # 32-bit differential tester
esac

missing=""
for p in $pkgs; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done

if [ -z "$missing" ]; then
    echo "setup-debian: all packages already installed"
    exit 0
fi

if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
echo "setup-debian: installing$missing"
$sudo apt-get update
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends $missing
