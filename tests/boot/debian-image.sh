#!/bin/sh
# tests/boot/debian-image.sh - build (once) and print the path of a raw disk
# image holding a full Debian 12 i386 system, for tests/boot/debian.sh:
#
#   debian-image.sh            build the image if it is not cached, print its path
#   debian-image.sh --key      print the cache key only
#
# Exit status 77 (skip) when the image is not cached and cannot be built
# here (not root, a tool missing).
# The system: debootstrap --variant=minbase bookworm with systemd-sysv, udev,
# kmod, linux-image-686, python3 (ctypes, libffi), openssh-server; root's
# password is "tx86"; a serial getty on ttyS0; GRUB 2 (i386-pc) in the MBR
# and the gap after it, root on the first partition (ext4, label tx86-debian,
# mounted by label), kernel console on ttyS0.
# The unit tx86-check.service (after multi-user.target) waits for the end
# of the boot, writes these lines to /dev/kmsg (the kernel console, which
# agetty's vhangup() on ttyS0 cannot cut off):
#   TX86-DEBIAN-STATE <systemctl is-system-running>
#   TX86-DEBIAN-FAILED <count> [<failed units>]
# then, if a disk labelled TX86-CHECKS is attached (tests/boot/debian.sh
# makes one), mounts it, runs its run.sh with every output line written as
#   TX86-OUT <line>
# prints TX86-DEBIAN-CHECKS-DONE, waits at most the seconds in its
# login-wait file for /run/tx86-login-done (the console login test touches
# it) and powers off.  Without that disk the system just stays up.
#
# No loop mounts: the tree is made by debootstrap, the filesystem by
# mkfs.ext4 -d, the partition table by sfdisk, the boot loader by
# grub-mkimage (boot.img's first 440 bytes into the MBR, core.img from
# sector 1 on, modules and grub.cfg in /boot/grub on the ext4 partition).
# The mirror is the one apt uses on this machine (its sources), or
# $TX86_DEBIAN_MIRROR.  Needs root (debootstrap, chroot).
#
# Cache: ${XDG_CACHE_HOME:-$HOME/.cache}/tx86/debian12-KEY.img (with .manifest:
# the package versions inside, and .log), KEY hashing this script (less its
# comment lines) and the bookworm i386 package index apt last fetched from
# that mirror (so a new point release or an edited script builds a new
# image).  Each use touches the image; a build deletes the images of other
# keys that were not used for two days (work trees of different script
# versions on one machine would otherwise delete each other's image, even
# under a running test).  flock serialises builders.  Boot it with -snapshot
# to keep it pristine.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
self="$here/$(basename "$0")"
cache=${XDG_CACHE_HOME:-$HOME/.cache}/tx86
suite=bookworm
packages=systemd-sysv,udev,kmod,linux-image-686,python3,openssh-server
password=tx86

log() { echo "debian-image: $*" >&2; }
die() { log "$*"; exit 1; }

# ---- the mirror apt uses: the first deb source serving $suite ----
apt_mirror() {
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -f "$f" ] || continue
        awk -v s="$suite" '$1 == "deb" {
            i = 2; if ($i ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
            if ($(i + 1) == s) { print $i; exit } }' "$f"
    done
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        # deb822 stanzas, separated by blank lines
        awk -v s="$suite" '
            function flush() {
                if (types ~ /(^| )deb( |$)/ && enabled != "no" && (" " suites " ") ~ (" " s " ") && uris != "") {
                    split(uris, u, " "); print u[1]; exit
                }
                types = uris = suites = enabled = ""
            }
            /^[ \t]*$/ { flush(); next }
            /^#/ { next }
            tolower($1) == "types:" { $1 = ""; types = $0 }
            tolower($1) == "uris:" { $1 = ""; uris = $0 }
            tolower($1) == "suites:" { $1 = ""; suites = $0 }
            tolower($1) == "enabled:" { enabled = tolower($2) }
            END { flush() }' "$f"
    done
}
mirror=${TX86_DEBIAN_MIRROR:-$(apt_mirror | head -n 1)}
mirror=${mirror%/}
[ -n "$mirror" ] || die "no apt source for $suite found in /etc/apt (set TX86_DEBIAN_MIRROR)"

# ---- cache key: this script + apt's index of the suite's i386 packages ----
cache_key() {
    lists=/var/lib/apt/lists
    rel=$lists/$(echo "$mirror" | sed 's|^[a-z+]*://||; s|/|_|g')_dists_${suite}_InRelease
    [ -f "$rel" ] || rel=${rel%InRelease}Release
    {
        grep -v '^[[:space:]]*#' "$self"      # comment edits need no new image
        echo "$packages"
        if [ -f "$rel" ]; then
            grep -E '^ [0-9a-f]+ +[0-9]+ main/binary-i386/Packages' "$rel" || echo "no i386 index"
        else
            echo "no apt lists"
        fi
    } | sha256sum | cut -c1-16
}
key=$(cache_key)
if [ "${1:-}" = --key ]; then
    echo "$key"
    exit 0
fi
img=$cache/debian12-$key.img
if [ -f "$img" ]; then
    touch "$img" 2>/dev/null || true     # in use: see the cleanup below
    echo "$img"
    exit 0
fi

mkdir -p "$cache"
exec 9> "$cache/debian12.lock"
flock 9                                 # another run may be building it
if [ -f "$img" ]; then
    echo "$img"
    exit 0
fi

# what cannot be built here is skipped (status 77), not failed
skip() { log "$*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "building the image needs root (debootstrap, chroot)"
for t in debootstrap:debootstrap mkfs.ext4:e2fsprogs sfdisk:fdisk grub-mkimage:grub-common; do
    command -v "${t%%:*}" >/dev/null 2>&1 ||
        skip "${t%%:*} is missing (apt-get install ${t#*:}; scripts/setup-debian.sh)"
done
grubdir=/usr/lib/grub/i386-pc
[ -f $grubdir/boot.img ] || skip "$grubdir is missing (apt-get install grub-pc-bin)"

work=$(mktemp -d "$cache/build.XXXXXX")
# a failed debootstrap may leave proc or sys mounted in the tree: stay on
# this filesystem when cleaning up
trap 'rm -rf --one-file-system "$work"' EXIT
buildlog=$cache/debian12-$key.log
root=$work/root
t0=$(date +%s)
log "building $img (log: $buildlog) from $mirror"

# ---- the system ----
log "debootstrap $suite i386 (a few minutes)"
debootstrap --arch=i386 --variant=minbase --include="$packages" \
    "$suite" "$root" "$mirror" > "$buildlog" 2>&1 ||
    { tail -n 20 "$buildlog" >&2; die "debootstrap failed"; }
kver=$(ls "$root/boot" | sed -n 's/^vmlinuz-//p' | sort -V | tail -n 1)
[ -n "$kver" ] && [ -f "$root/boot/initrd.img-$kver" ] || die "no kernel or initrd in the tree"

echo tx86-debian > "$root/etc/hostname"
printf '127.0.0.1\tlocalhost\n127.0.1.1\ttx86-debian\n::1\t\tlocalhost ip6-localhost ip6-loopback\n' \
    > "$root/etc/hosts"
# the root by its label: with a second disk (-hdb: the checks disk) Linux's
# asynchronous SCSI probing may name either disk sda
echo 'LABEL=tx86-debian / ext4 errors=remount-ro 0 1' > "$root/etc/fstab"
echo "root:$password" | chroot "$root" chpasswd
# a targeted initramfs (debian-installer's "targeted" choice, MODULES=dep,
# cannot look at the target's hardware from a chroot, so list it): the
# default MODULES=most makes a 26 MB initrd whose loading and unpacking
# takes minutes on the interpreter
echo MODULES=list > "$root/etc/initramfs-tools/conf.d/tx86-modules"
printf '%s\n' ata_piix ata_generic sd_mod ext4 crc32c_generic >> "$root/etc/initramfs-tools/modules"
chroot "$root" update-initramfs -u -k "$kver" >> "$buildlog" 2>&1 || die "update-initramfs failed"
# a slow machine: the interpreter runs the guest 20-30 times slower than a
# PC, and systemd's default 90 s for a start job is then too short, for
# services (ssh) and devices (the serial getty waits for dev-ttyS0.device,
# which udev's coldplug announces)
mkdir -p "$root/etc/systemd/system.conf.d"
printf '%s\n' '# tx86 boot test (tests/boot/debian-image.sh): slow emulated machines' \
    '[Manager]' DefaultTimeoutStartSec=1200s DefaultDeviceTimeoutSec=1200s \
    'DefaultEnvironment=SYSTEMD_BUS_TIMEOUT=1200' \
    > "$root/etc/systemd/system.conf.d/tx86-slow-machine.conf"
# getty-static starts VT gettys through systemctl when dbus and logind are
# missing; under a loaded interpreter its systemctl call timed out and the
# unit failed.  This machine is used over its serial console: no VT gettys.
ln -sf /dev/null "$root/etc/systemd/system/getty-static.service"
# login(1) gives up after LOGIN_TIMEOUT (60 s): too short on the interpreter
sed -i 's/^LOGIN_TIMEOUT.*/LOGIN_TIMEOUT\t\t1200/' "$root/etc/login.defs"
# the serial getty (the generator adds it for console=ttyS0 too)
ln -sf /lib/systemd/system/serial-getty@.service \
    "$root/etc/systemd/system/getty.target.wants/serial-getty@ttyS0.service"

cat > "$root/usr/local/sbin/tx86-check" <<'EOF'
#!/bin/sh
# /usr/local/sbin/tx86-check - tx86's boot test report (tx86-check.service,
# made by tests/boot/debian-image.sh): boot state, failed units, the checks
# of a TX86-CHECKS disk, then poweroff when that disk asks for it.  Output
# goes to /dev/kmsg: the kernel console survives agetty's vhangup().
echo on > /proc/sys/kernel/printk_devkmsg 2>/dev/null
say() { printf '%s\n' "$*" > /dev/kmsg; }
say "TX86-DEBIAN-CHECK started"
state=$(systemctl is-system-running --wait 2>&1)
say "TX86-DEBIAN-STATE $state"
failed=$(systemctl --failed --no-legend --plain 2>&1 | awk '{ print $1 }')
say "TX86-DEBIAN-FAILED $(echo "$failed" | grep -c .) [$(echo $failed)]"
login_wait=0
disk=/dev/disk/by-label/TX86-CHECKS
udevadm settle --timeout=30 2>/dev/null
if [ -b $disk ] && mkdir -p /run/tx86-checks && mount -o ro $disk /run/tx86-checks; then
    say "TX86-DEBIAN-CHECKS found"
    (cd /run/tx86-checks && sh ./run.sh 2>&1) | while IFS= read -r line; do
        say "TX86-OUT $line"
    done
    [ -f /run/tx86-checks/login-wait ] && login_wait=$(cat /run/tx86-checks/login-wait)
    umount /run/tx86-checks
    say "TX86-DEBIAN-CHECKS-DONE"
    i=0
    while [ ! -e /run/tx86-login-done ] && [ $i -lt "$login_wait" ]; do
        sleep 1
        i=$((i + 1))
    done
    say "TX86-DEBIAN-POWEROFF"
    systemctl poweroff
fi
EOF
chmod 755 "$root/usr/local/sbin/tx86-check"
cat > "$root/etc/systemd/system/tx86-check.service" <<'EOF'
# tx86's boot test report (tests/boot/debian-image.sh)
[Unit]
Description=tx86 boot test report
After=multi-user.target

[Service]
Type=simple
ExecStart=/usr/local/sbin/tx86-check

[Install]
WantedBy=multi-user.target
EOF
ln -sf /etc/systemd/system/tx86-check.service \
    "$root/etc/systemd/system/multi-user.target.wants/tx86-check.service"

# what is inside, for the record; then no package cache in the image
chroot "$root" dpkg-query -W -f '${Package} ${Version} ${Architecture}\n' > "$work/manifest"
rm -f "$root"/var/cache/apt/archives/*.deb "$root"/var/cache/apt/*.bin

# ---- GRUB ----
cmdline="root=LABEL=tx86-debian ro console=ttyS0,115200"
mkdir -p "$root/boot/grub/i386-pc"
cp $grubdir/*.mod $grubdir/*.lst "$root/boot/grub/i386-pc/"
cat > "$root/boot/grub/grub.cfg" <<EOF
# grub.cfg of tx86's Debian boot test image (tests/boot/debian-image.sh)
serial --unit=0 --speed=115200
terminal_input serial console
terminal_output serial console
set timeout=0
menuentry 'Debian GNU/Linux 12, Linux $kver' {
    echo 'TX86-GRUB loading Linux $kver'
    linux /boot/vmlinuz-$kver $cmdline
    initrd /boot/initrd.img-$kver
}
EOF
grub-mkimage -O i386-pc -d $grubdir -p '(hd0,msdos1)/boot/grub' -o "$work/core.img" \
    biosdisk part_msdos ext2 linux normal serial terminal configfile echo search \
    >> "$buildlog" 2>&1 || die "grub-mkimage failed"
[ "$(stat -c %s "$work/core.img")" -le $(( 2047 * 512 )) ] || die "core.img does not fit before the partition"

# ---- filesystem and disk ----
part_mb=2048
log "mkfs.ext4 -d (${part_mb} MiB partition)"
mkfs.ext4 -q -F -L tx86-debian -d "$root" "$work/part.img" ${part_mb}M >> "$buildlog" 2>&1 ||
    die "mkfs.ext4 failed"
truncate -s $(( part_mb + 1 ))M "$work/disk.img"
echo 'start=2048, type=83, bootable' | sfdisk -q "$work/disk.img" >> "$buildlog" 2>&1
dd if="$work/part.img" of="$work/disk.img" bs=1M seek=1 conv=notrunc,sparse status=none
dd if=$grubdir/boot.img of="$work/disk.img" bs=440 count=1 conv=notrunc status=none
dd if="$work/core.img" of="$work/disk.img" bs=512 seek=1 conv=notrunc status=none

# ---- publish; images unused for two days go ----
find "$cache" -maxdepth 1 -name 'debian12-*.img' -mtime +1 | while IFS= read -r old; do
    rm -f "$old" "${old%.img}.manifest" "${old%.img}.log"
done
mv "$work/manifest" "${img%.img}.manifest"
mv "$work/disk.img" "$img"
log "built in $(( $(date +%s) - t0 ))s: $img ($(wc -l < "${img%.img}.manifest") packages, Linux $kver)"
echo "$img"
