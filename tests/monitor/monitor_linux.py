#!/usr/bin/env python3
# tests/monitor/monitor_linux.py - the monitor and QMP against Linux: the
# guest of tests/boot (build/guests/: Debian's 686 kernel and the busybox
# initramfs) with an extra initramfs archive of our own on top, whose /init
# loads the ACPI button and evdev modules, runs busybox acpid (the power
# button runs "poweroff -f"), copies lines typed on the VGA console (tty1)
# to the serial port, and starts a shell on the serial port.
#
#   monitor_linux.py ./tx86
#
# It also reads the CD-ROM's id.txt every second.
# Checks: eject and blockdev-change-medium are seen by Linux (no disc, then
# the new disc's file), send-key typing "echo" + Enter reaches tty1 (the line comes back
# on the serial port), HMP sendkey the same, the serial shell answers
# through the serial port while the monitor watches, stop/cont with a
# running Linux, system_powerdown -> POWERDOWN, the guest powers off ->
# SHUTDOWN (guest: true), tx86 exits 0.  Skipped (0 passed, 0 failed, a
# SKIP line) when the guest files are missing and cannot be built.
# Only the Python standard library.  Last line: "monitor_linux: N passed, N failed".
import glob
import gzip
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from monitor_test import Qmp, check, wait_for, hmc  # noqa: E402
import monitor_test  # noqa: E402

TX86 = os.path.abspath(sys.argv[1])
TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
G = os.environ.get("TX86_GUESTS", os.path.join(TOP, "build", "guests"))

INIT = r"""#!/bin/busybox sh
# /init of the monitor test (tests/monitor/monitor_linux.py)
/bin/busybox mount -t devtmpfs dev /dev 2>/dev/null
exec </dev/console >/dev/console 2>&1
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
insmod /mon/evdev.ko
insmod /mon/button.ko
for m in scsi_common scsi_mod libata ata_piix; do insmod /modules/$m.ko; done
for m in cdrom sr_mod isofs; do insmod /mon/$m.ko; done
# the CD's id.txt whenever it changes ("none": no disc)
(last=
 while true; do
     id=none
     if mount -t iso9660 -o ro /dev/sr0 /mnt 2>/dev/null; then
         id=$(cat /mnt/id.txt)
         umount /mnt
     fi
     [ "$id" != "$last" ] && echo "TX86-MON-CD $id" >/dev/console
     last=$id
     sleep 1
 done) &
mkdir -p /etc/acpi/PWRF
printf '#!/bin/sh\necho TX86-MON-POWERBUTTON >/dev/console\npoweroff -f\n' > /etc/acpi/PWRF/00000080
chmod 755 /etc/acpi/PWRF/00000080
mkdir -p /var/log /var/run
acpid -c /etc/acpi -l /tmp/acpid.log
(while read -r line; do echo "TX86-MON-TTY1 $line"; done < /dev/tty1) &
sleep 1
echo TX86-MON-READY
exec sh
"""


def newc(entries):
    """a cpio newc archive of (name, mode, data) entries"""
    out = b""
    ino = 1000
    for name, mode, data in entries + [("TRAILER!!!", 0, b"")]:
        nb = name.encode() + b"\0"
        hdr = "070701" + "".join("%08X" % v for v in (
            ino, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(nb), 0))
        ino += 1
        rec = hdr.encode() + nb
        rec += b"\0" * ((4 - len(rec) % 4) % 4)
        rec += data + b"\0" * ((4 - len(data) % 4) % 4)
        out += rec
    return out


def skip(msg):
    print("monitor_linux: SKIP: " + msg)
    print("monitor_linux: 0 passed, 0 failed")
    sys.exit(0)


def main():
    if not (os.path.isfile(os.path.join(G, "vmlinuz")) and
            os.path.isfile(os.path.join(G, "initrd.gz"))):
        r = subprocess.run(["sh", os.path.join(TOP, "tests/boot/get-guests.sh")],
                           capture_output=True)
        if r.returncode:
            skip("cannot build the Linux guest (tests/boot/get-guests.sh)")
    mods = {}
    for name, rel in (("evdev.ko", "drivers/input/evdev.ko"),
                      ("button.ko", "drivers/acpi/button.ko"),
                      ("cdrom.ko", "drivers/cdrom/cdrom.ko"),
                      ("sr_mod.ko", "drivers/scsi/sr_mod.ko"),
                      ("isofs.ko", "fs/isofs/isofs.ko")):
        found = sorted(glob.glob(os.path.join(G, "kernel/lib/modules/*/kernel", rel)))
        if not found:
            skip("no %s in %s/kernel" % (name, G))
        with open(found[-1], "rb") as f:
            mods[name] = f.read()
    d = tempfile.mkdtemp(prefix="tx86-monlinux-")
    p = None
    try:
        with gzip.open(os.path.join(G, "initrd.gz"), "rb") as f:
            base = f.read()
        over = newc([("mon", 0o040755, b"")] +
                    [("mon/" + n, 0o100644, data) for n, data in sorted(mods.items())] +
                    [("init", 0o100755, INIT.encode())])
        isos = {}
        for name in ("one", "two"):         # CDs whose id.txt says their name
            src = os.path.join(d, name)
            os.mkdir(src)
            with open(os.path.join(src, "id.txt"), "w") as f:
                f.write(name + "\n")
            isos[name] = os.path.join(d, name + ".iso")
            r = subprocess.run(["xorriso", "-as", "mkisofs", "-quiet", "-o", isos[name], src],
                               capture_output=True)
            if r.returncode:
                skip("xorriso cannot make a CD image: " + r.stderr.decode()[-200:])
        initrd = os.path.join(d, "initrd")
        with gzip.open(initrd, "wb") as f:
            f.write(base + over)            # a later archive overrides /init
        ser = os.path.join(d, "serial.txt")
        qsock = os.path.join(d, "q.sock")
        msock = os.path.join(d, "m.sock")
        p = subprocess.Popen([TX86, "-m", "128", "-kernel", os.path.join(G, "vmlinuz"),
                              "-initrd", initrd, "-append", "console=ttyS0 nokaslr",
                              "-display", "none", "-serial", "file:" + ser,
                              "-cdrom", isos["one"],
                              "-qmp", "unix:%s,server,nowait" % qsock,
                              "-monitor", "unix:%s,server,nowait" % msock],
                             cwd=d, stdout=subprocess.PIPE, stderr=subprocess.PIPE)

        def serial():
            try:
                with open(ser, "rb") as f:
                    return f.read().decode("latin-1")
            except OSError:
                return ""
        q = Qmp(qsock)
        ok = wait_for(lambda: "TX86-MON-READY" in serial() or p.poll() is not None, 240)
        ok = ok and p.poll() is None
        check("linux: boots to the test's shell", ok, serial()[-500:])
        if not ok:
            return
        check("linux: reads the first CD", wait_for(lambda: "TX86-MON-CD one" in serial(), 60),
              serial()[-300:])
        r = q.cmd("eject", {"device": "ide1-cd0"})
        check("linux: eject: the guest finds no disc",
              r == {"return": {}} and wait_for(lambda: "TX86-MON-CD none" in serial(), 60),
              (r, serial()[-300:]))
        r = q.cmd("blockdev-change-medium", {"device": "ide1-cd0", "filename": isos["two"]})
        check("linux: blockdev-change-medium: the guest reads the new CD",
              r == {"return": {}} and wait_for(lambda: "TX86-MON-CD two" in serial(), 60),
              (r, serial()[-300:]))
        keys = [{"type": "qcode", "data": k} for k in "hello"]
        for k in keys + [{"type": "qcode", "data": "ret"}]:
            r = q.cmd("send-key", {"keys": [k]})
        check("linux: send-key reaches the console (tty1)",
              wait_for(lambda: "TX86-MON-TTY1 hello" in serial(), 30), serial()[-300:])
        out = hmc(q, "sendkey shift-w")
        for k in "orld":
            hmc(q, "sendkey " + k)
        hmc(q, "sendkey ret")
        check("linux: HMP sendkey with shift",
              wait_for(lambda: "TX86-MON-TTY1 World" in serial(), 30), (out, serial()[-300:]))
        q.cmd("stop")
        check("linux: stop", q.event("STOP") is not None and
              q.cmd("query-status")["return"]["status"] == "paused")
        time.sleep(0.5)
        q.cmd("cont")
        check("linux: cont", q.event("RESUME") is not None)
        # -nographic (COM1 = mon:stdio): a long line typed at once reaches
        # the shell whole, then the monitor takes over with Ctrl-A c
        p2 = subprocess.Popen([TX86, "-m", "128", "-kernel", os.path.join(G, "vmlinuz"),
                               "-initrd", initrd, "-append", "console=ttyS0 nokaslr",
                               "-nographic", "-no-reboot"], cwd=d, stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            out = monitor_test.read_until(p2, b"TX86-MON-READY", 240)
            p2.stdin.write(b"echo " + b"x" * 300 + b" | wc -c\n")
            p2.stdin.flush()
            out = monitor_test.read_until(p2, b"\n301", 60)
            check("linux -nographic: a 300-byte line typed at once arrives whole",
                  "\n301" in out, out[-300:])
            p2.stdin.write(b"\x01cinfo status\n")
            p2.stdin.flush()
            out = monitor_test.read_until(p2, b"VM status", 30)
            check("linux -nographic: Ctrl-A c, info status", "VM status: running" in out,
                  out[-300:])
            p2.stdin.write(b"quit\n")
            p2.stdin.flush()
            check("linux -nographic: quit", p2.wait(timeout=30) == 0)
        finally:
            if p2.poll() is None:
                p2.kill()
                p2.wait()
        r = q.cmd("system_powerdown")
        ev = q.event("POWERDOWN")
        check("linux: system_powerdown -> POWERDOWN", r == {"return": {}} and ev is not None,
              (r, ev))
        check("linux: the guest sees the power button",
              wait_for(lambda: "TX86-MON-POWERBUTTON" in serial(), 60), serial()[-300:])
        ev = q.event("SHUTDOWN", 60)
        check("linux: SHUTDOWN from the guest", ev is not None and
              ev.get("data", {}).get("guest") is True, ev)
        try:
            rc = p.wait(timeout=60)
        except subprocess.TimeoutExpired:
            rc = None
        check("linux: tx86 exits 0 after the guest powered off", rc == 0, rc)
    finally:
        if p and p.poll() is None:
            p.kill()
            p.wait()
        subprocess.call(["rm", "-rf", d])


try:
    main()
except Exception as e:
    check("monitor_linux ran to its end", False, repr(e))
print("monitor_linux: %d passed, %d failed" % (monitor_test.passed, monitor_test.failed))
sys.exit(1 if monitor_test.failed else 0)
