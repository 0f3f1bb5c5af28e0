#!/bin/bash
# tests/boot/kill_writer.sh - the guest side of tests/boot/kill.py: run as
# init (init=/tx86-kill-writer) by the Debian image's own kernel, with its
# root file system mounted read-only, it mounts the ext4 disk /dev/sdb and
# writes files with random content until tx86 is killed:
#   - a "synced" file: written, fsync()ed with its directory (coreutils
#     sync FILE DIR), or written as NAME.tmp, fsync()ed, renamed to NAME
#     and the directory fsync()ed; only then "TX86-SYNCED NAME SHA256" is
#     printed on the console, so every name printed must survive the kill
#   - noise the host does not check: files never synced, deleted three
#     rounds later, and now and then a whole-system sync(2)
# "TX86-KILL-READY" says the disk is mounted; "TX86-KILL-FULL" that it
# stopped after $max files (the host should have killed it by then).
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc
if ! mount -t ext4 /dev/sdb /mnt; then
    echo TX86-KILL-NOMOUNT
    sleep 100000
fi
mkdir -p /mnt/d0 /mnt/d1 /mnt/d2 /mnt/d3
echo TX86-KILL-READY
max=1000
for ((i = 1; i <= max; i++)); do
    d=/mnt/d$((i % 4))
    size=$(( (RANDOM * 32768 + RANDOM) % 262144 + 1 ))
    f=$d/f$i
    if ((i % 2)); then
        head -c $size /dev/urandom > $f
        sync $f $d
    else
        head -c $size /dev/urandom > $f.tmp
        sync $f.tmp
        mv $f.tmp $f
        sync $d
    fi
    read -r sum _ < <(sha256sum < $f)
    echo "TX86-SYNCED ${f#/mnt} $sum"
    head -c $(( RANDOM * 4 )) /dev/urandom > $d/noise$i
    ((i % 4)) || rm -f /mnt/d*/noise$((i - 4)) /mnt/d*/noise$((i - 5)) /mnt/d*/noise$((i - 6)) \
        /mnt/d*/noise$((i - 7))
    ((i % 10)) || sync
done
echo TX86-KILL-FULL
sleep 100000
