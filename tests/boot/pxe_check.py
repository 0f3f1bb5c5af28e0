#!/usr/bin/env python3
"""tests/boot/pxe_check.py - one network boot through iPXE (tests/boot/pxe.sh).

Usage: pxe_check.py TX86 GUESTS NET_GUESTS LOG

A temporary TFTP root gets the kernel, the network initramfs and boot.ipxe
(an iPXE script: kernel, initrd, boot); tx86 runs with -boot n, an e1000
on -netdev user,tftp=ROOT,bootfile=boot.ipxe, no disk.  Passes when the
kernel's userspace prints TX86-USERSPACE-UP and tx86 exits 0 (poweroff).
Exit 77 (skipped) when Debian's ipxe-qemu ROM is missing.  The default CPU
model: iPXE's real/protected mode switch saves the FPU with FXSAVE, which
needs a model claiming FXSR (the default does; pentium2 and older do not:
docs/net.md).
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time

TIMEOUT = 240         # seconds for the whole boot (TFTP of ~7 MB included)
STUCK = 30            # seconds after "Booting from ROM..." without iPXE's start

ROM = "/usr/lib/ipxe/qemu/pxe-e1000.rom"


def main():
    tx86, guests, net_guests, log_path = map(os.path.abspath, sys.argv[1:5])
    if not os.path.exists(ROM):
        print("  no %s (Debian: apt-get install ipxe-qemu)" % ROM)
        return 77
    with tempfile.TemporaryDirectory(prefix="tx86-pxe.") as root:
        shutil.copy(os.path.join(guests, "vmlinuz"), root)
        shutil.copy(os.path.join(net_guests, "initrd-net.gz"), root)
        with open(os.path.join(root, "boot.ipxe"), "w") as f:
            f.write("#!ipxe\nkernel vmlinuz console=ttyS0 nokaslr tx86.mode=up\n"
                    "initrd initrd-net.gz\nboot\n")
        cmd = [tx86, "-m", "256", "-boot", "n",
               "-netdev", "user,id=n0,tftp=%s,bootfile=boot.ipxe" % root,
               "-device", "e1000,netdev=n0", "-nographic", "-no-reboot"]
        log = open(log_path, "wb")
        t0 = time.time()
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log,
                                stderr=subprocess.STDOUT, cwd=root)
        rom_at = None
        stuck = False
        while time.time() - t0 < TIMEOUT and proc.poll() is None:
            time.sleep(0.5)
            with open(log_path, "rb") as f:
                text = f.read().decode("latin-1")
            if "Booting from ROM" in text and rom_at is None:
                rom_at = time.time()
            if (rom_at and "starting execution" not in text and
                    time.time() - rom_at > STUCK):
                stuck = True
                break
        timed_out = proc.poll() is None
        if timed_out:
            proc.kill()
        proc.wait()
        log.close()
    with open(log_path, "rb") as f:
        text = f.read().decode("latin-1")
    secs = time.time() - t0
    failures = []
    if stuck:
        failures.append("iPXE did not start within %ds of SeaBIOS running its ROM" % STUCK)
    if "iPXE" not in text:
        failures.append("SeaBIOS did not run the iPXE ROM")
    for want in ["boot.ipxe", "TX86-USERSPACE-UP mode=up"]:
        if want not in text:
            failures.append("missing from the log: " + want)
    if timed_out:
        failures.append("timed out after %ds" % TIMEOUT)
    elif proc.returncode != 0:
        failures.append("tx86 exited with status %d" % proc.returncode)
    for f in failures:
        print("  pxe: " + f)
    if failures:
        print("  log: " + log_path)
        return 1
    print("  pxe: ok (%.0fs)" % secs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
