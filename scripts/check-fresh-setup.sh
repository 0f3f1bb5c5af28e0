#!/bin/sh
# check-fresh-setup.sh - the README's main command on a fresh Debian 12
# (make check-fresh; a step of scripts/run-tests.sh when TX86_CHECK_FRESH=1
# or CI=true).
#
#   scripts/check-fresh-setup.sh
#
# 1. A minimal Debian 12 root file system: debootstrap --variant=minbase
#    bookworm from the mirror apt uses here (TX86_DEBIAN_MIRROR overrides),
#    made once and kept as a pristine tarball in the cache directory
#    (TX86_FRESH_CACHE, default /var/tmp/tx86-fresh, outside the checkout).
# 2. Each run unpacks it into a new directory under the cache, mounts
#    /proc there (unmounted on every way out), copies in the host's
#    resolv.conf, the .deb files earlier runs downloaded (apt checks them;
#    only the download is saved) and a `git clone` of this checkout: the
#    committed HEAD, not the working tree.
# 3. Inside, as root on a system without the i386 architecture, each step
#    timed: scripts/setup-debian.sh, ./configure, make -j2,
#    tests/boot/get-guests.sh, then the README's boot command with
#    tx86.mode=test added to -append (the initramfs then runs its checks
#    and powers off instead of starting a shell) and the disk image
#    attached (-hda, -snapshot), so the markers of tests/boot/lib.sh's
#    boot_check_linux_test can be checked, and the exit status 0.
#
# Without root, debootstrap or the mirror it prints "check-fresh: skipped:
# REASON" and succeeds.  Ends with "check-fresh: N passed, N failed" and
# exits 1 on a failure; the run's directory is deleted either way.
# Measured times: docs/testing.md.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cache=${TX86_FRESH_CACHE:-/var/tmp/tx86-fresh}
suite=bookworm
t_start=$(date +%s)

log() { echo "check-fresh: $*"; }
skip() { log "skipped: $*"; log "0 passed, 0 failed"; exit 0; }
fail() { log "FAILED: $*"; log "0 passed, 1 failed"; exit 1; }

[ "$(id -u)" = 0 ] || skip "not root (debootstrap and chroot need root)"
command -v debootstrap >/dev/null 2>&1 || skip "debootstrap is not installed"
command -v git >/dev/null 2>&1 || skip "git is not installed"
git -C "$top" rev-parse --verify -q HEAD >/dev/null || skip "$top is not a git checkout"
# shellcheck disable=SC2016 # apt's own $(FIELD) syntax
mirror=${TX86_DEBIAN_MIRROR:-$(apt-get indextargets --format '$(REPO_URI) $(RELEASE)' 2>/dev/null |
                              awk -v s="$suite" '$2 == s { print $1; exit }')}
mirror=${mirror:-http://deb.debian.org/debian/}
release_ok() {
    if command -v curl >/dev/null 2>&1; then
        curl -fsSI --max-time 20 "$1" >/dev/null
    elif command -v wget >/dev/null 2>&1; then
        wget -q --spider -T 20 "$1"
    else
        return 0                        # debootstrap will tell
    fi
}
release_ok "${mirror%/}/dists/$suite/Release" || skip "the mirror $mirror cannot be reached"

mkdir -p "$cache/archives"
exec 9> "$cache/lock"
flock 9                                 # one run at a time per cache

# ---- 1. the pristine tarball (key: this step's parameters) ----
variant=minbase
key=$(printf '%s %s %s\n' "$suite" "$variant" "$mirror" | sha256sum | cut -c1-12)
tarball=$cache/$suite-$variant-$key.tar
if [ ! -f "$tarball" ]; then
    t0=$(date +%s)
    work=$cache/debootstrap.$$
    rm -rf "$work"
    log "debootstrap --variant=$variant $suite from $mirror"
    if ! debootstrap --variant="$variant" "$suite" "$work" "$mirror" > "$cache/debootstrap.log" 2>&1; then
        tail -n 20 "$cache/debootstrap.log"
        for m in proc sys; do umount "$work/$m" 2>/dev/null || true; done
        rm -rf "$work"
        fail "debootstrap (log: $cache/debootstrap.log)"
    fi
    tar -C "$work" -cf "$tarball.tmp" . && mv "$tarball.tmp" "$tarball"
    rm -rf "$work"
    rm -f "$cache"/*-"$variant"-*.tar.tmp
    log "tarball made in $(( $(date +%s) - t0 )) s: $tarball"
fi

# ---- 2. a fresh root for this run ----
root=$(mktemp -d "$cache/run.XXXXXX")
proc_mounted=0
cleanup() {
    if [ "$proc_mounted" = 1 ]; then
        umount "$root/proc" 2>/dev/null || umount -l "$root/proc" 2>/dev/null || true
    fi
    if grep -q " $root/" /proc/mounts; then
        log "still mounted under $root, not deleted:"
        grep " $root/" /proc/mounts
        return
    fi
    rm -rf "$root"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

tar -C "$root" -xf "$tarball"
mount -t proc proc "$root/proc"
proc_mounted=1
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
find "$cache/archives" -maxdepth 1 -name '*.deb' -exec cp {} "$root/var/cache/apt/archives/" \;
git clone -q "$top" "$root/root/tx86"
log "HEAD $(git -C "$root/root/tx86" log -1 --format='%h %s' | cut -c1-70)"
dpkg --root="$root" --print-foreign-architectures | grep -q . &&
    fail "the fresh system has foreign architectures already"

# run STEP COMMAND: COMMAND in the checkout inside the fresh system, timed
times=""
run() {
    step=$1; shift
    t0=$(date +%s)
    log "$step: $*"
    if env -i HOME=/root LANG=C.UTF-8 TERM=dumb PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
           chroot "$root" /bin/sh -c 'cd /root/tx86 && exec "$@"' sh "$@" > "$root/step.log" 2>&1; then
        rc=0
    else
        rc=$?
    fi
    secs=$(( $(date +%s) - t0 ))
    times="$times $step=${secs}s"
    if [ "$rc" -ne 0 ]; then
        tail -n 30 "$root/step.log" | sed 's/^/    | /'
        fail "$step exited with status $rc after $secs s"
    fi
    tail -n 3 "$root/step.log" | sed 's/^/    | /'
}

# ---- 3. the README's main command ----
run setup scripts/setup-debian.sh
find "$root/var/cache/apt/archives" -maxdepth 1 -name '*.deb' -newer "$cache/lock" \
    -exec cp -n {} "$cache/archives/" \;       # for the next run's download
run configure ./configure
run build make -j2
run guests tests/boot/get-guests.sh
run boot timeout -k 5 600 ./tx86 -m 256 -kernel build/guests/vmlinuz \
    -initrd build/guests/initrd-interactive.gz \
    -append "console=ttyS0 nokaslr tx86.mode=test" -nographic \
    -hda build/guests/disk.img -snapshot
boot_log=$root/step.log
md5=$(cat "$root/root/tx86/build/guests/hello.md5")
missing=""
for p in "TX86-USERSPACE-UP mode=test" "TX86-STEP insmod" "TX86-STEP mount" "TX86-STEP ls" \
         "TX86-MD5 $md5" "TX86-DMESG serial" "TX86-DMESG ata_piix" TX86-TESTS-DONE; do
    grep -a -q -F -- "$p" "$boot_log" || missing="$missing [$p]"
done
for p in TX86-FAIL TX86-BAD "Kernel panic"; do
    grep -a -q -F -- "$p" "$boot_log" && missing="$missing [unexpected: $p]"
done
[ -z "$missing" ] || { tail -n 20 "$boot_log" | sed 's/^/    | /'; fail "boot output:$missing"; }
log "times:$times, total $(( $(date +%s) - t_start )) s"
log "1 passed, 0 failed"
