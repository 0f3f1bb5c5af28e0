#!/usr/bin/env python3
"""tests/boot/net_check.py - one network boot test run (tests/boot/net.sh).

    net_check.py TX86 GUESTS NET_GUESTS MODEL LOG

Serves a random file on 127.0.0.1 (an HTTP server in this process, on a
free port, in a temporary directory), boots Debian's kernel with the
network initramfs (tests/boot/get-net-guests.sh) on -netdev user with a
hostfwd from a free 127.0.0.1 port to the guest's port 80 and a MODEL NIC,
then checks: the guest got an address by DHCP, fetched the file through
the slirp gateway with the right md5, and served a file back which this
script fetches through the hostfwd (its md5 must match the one the guest
printed).  Then it puts "done" on its server, which lets the guest power
off.  The guest's serial output goes to LOG.  Exit 0 on success, 1 on
failure (the reasons on stdout).

With TX86_NET_RR=1 the run is recorded (-icount shift=0,rr=record) and
then replayed without the network: the replay's serial output must equal
the recording's byte for byte (the frames come from the log).

With TX86_NET_TAP=IFNAME (tests/boot/tap.sh, in a network namespace of
its own) the NIC is on -netdev tap instead: once tx86 has created IFNAME
this script gives it 192.168.76.1/24 and brings it up; the guest takes
192.168.76.2 (no DHCP), pings the host, fetches the file from the host's
server on the TAP network, and the host fetches the guest's file from
192.168.76.2:80 directly.
"""
import hashlib
import http.server
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

TIMEOUT = 100                    # seconds for the whole run
TAP_HOST, TAP_GUEST = "192.168.76.1", "192.168.76.2"


def tap_setup(ifname, proc):
    """wait for tx86 to create the interface, then address it and bring it up"""
    t0 = time.time()
    # (ip(8), not /sys/class/net: sysfs shows the namespace it was mounted in)
    while subprocess.call(["ip", "link", "show", ifname], stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL) != 0:
        if proc.poll() is not None or time.time() - t0 > 20:
            return "tx86 did not create the TAP interface " + ifname
        time.sleep(0.1)
    for cmd in (["ip", "addr", "add", TAP_HOST + "/24", "dev", ifname],
                ["ip", "link", "set", ifname, "up"]):
        if subprocess.call(cmd) != 0:
            return "'%s' failed" % " ".join(cmd)
    return None


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    tx86, guests, net_guests, model, log_path = map(os.path.abspath, sys.argv[1:6])
    model = os.path.basename(model)
    failures = []
    with tempfile.TemporaryDirectory(prefix="tx86-net.") as tmp:
        data = os.urandom(256 * 1024 + 123)
        with open(os.path.join(tmp, "host.bin"), "wb") as f:
            f.write(data)
        host_md5 = hashlib.md5(data).hexdigest()

        handler = lambda *a, **k: http.server.SimpleHTTPRequestHandler(
            *a, directory=tmp, **k)
        http.server.SimpleHTTPRequestHandler.log_message = lambda *a: None
        tap = os.environ.get("TX86_NET_TAP")
        server = http.server.ThreadingHTTPServer(("0.0.0.0" if tap else "127.0.0.1", 0),
                                                 handler)
        port = server.server_address[1]
        threading.Thread(target=server.serve_forever, daemon=True).start()
        fwd = free_port()
        # ne2k_isa: QEMU's IRQ 9 is the ACPI SCI's, which Linux will not
        # share with the ne driver; IRQ 5 is free on the PC
        extra_dev, extra_append = "", ""
        if model == "ne2k_isa":
            extra_dev, extra_append = ",irq=5", " tx86.irq=5"
        # virtio-net-pci is transitional (Linux takes the modern interface);
        # virtio-legacy and virtio-modern force one interface each
        device, nic = model, model
        if model.startswith("virtio"):
            device, nic = "virtio-net-pci", "virtio"
            extra_dev = {"virtio-legacy": ",disable-modern=on",
                         "virtio-modern": ",disable-legacy=on"}.get(model, "")

        netdev = "user,id=n0,hostfwd=tcp:127.0.0.1:%d-:80" % fwd
        if tap:
            netdev = "tap,id=n0,ifname=%s,script=no,downscript=no" % tap
            extra_append += " tx86.ip=%s tx86.peer=%s" % (TAP_GUEST, TAP_HOST)
        cmd = [tx86, "-m", "128", "-kernel", os.path.join(guests, "vmlinuz"),
               "-initrd", os.path.join(net_guests, "initrd-net.gz"),
               "-append", "console=ttyS0 nokaslr tx86.mode=net tx86.nic=%s tx86.port=%d%s"
               % (nic, port, extra_append),
               "-netdev", netdev,
               "-device", "%s,netdev=n0%s" % (device, extra_dev),
               "-nographic", "-no-reboot"]
        rr = os.environ.get("TX86_NET_RR") == "1"
        rr_log = os.path.join(tmp, "net.rr")
        log = open(log_path, "wb")
        if rr:
            proc = subprocess.Popen(cmd + ["-icount", "shift=0,rr=record,rrfile=" + rr_log],
                                    stdin=subprocess.DEVNULL, stdout=log,
                                    stderr=open(os.path.join(tmp, "rec.err"), "wb"), cwd=tmp)
        else:
            proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log,
                                    stderr=subprocess.STDOUT, cwd=tmp)
        t0 = time.time()
        served = None
        if tap:
            err = tap_setup(tap, proc)
            if err:
                failures.append(err)
        while time.time() - t0 < TIMEOUT and proc.poll() is None:
            time.sleep(0.5)
            with open(log_path, "rb") as f:
                text = f.read().decode("latin-1")
            m = re.search(r"TX86-SERVING ([0-9a-f]{32})", text)
            if m:
                served = m.group(1)
                break
        if served:
            try:
                url = ("http://%s:80/guest.bin" % TAP_GUEST if tap else
                       "http://127.0.0.1:%d/guest.bin" % fwd)
                got = urllib.request.urlopen(url, timeout=30).read()
                if hashlib.md5(got).hexdigest() != served:
                    failures.append("the file fetched through hostfwd has md5 %s, the guest "
                                    "served %s" % (hashlib.md5(got).hexdigest(), served))
            except OSError as e:
                failures.append("fetching %s: %s" % (url, e))
        else:
            failures.append("the guest never served its file (TX86-SERVING)")
        open(os.path.join(tmp, "done"), "w").close()
        try:
            proc.wait(timeout=max(5, TIMEOUT - (time.time() - t0)))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            failures.append("timed out after %ds" % TIMEOUT)
        log.close()
        server.shutdown()
        with open(log_path, "rb") as f:
            text = f.read().decode("latin-1")
        for want in ["TX86-USERSPACE-UP", "TX86-NET-UP",
                     "TX86-PING-OK " + TAP_HOST if tap else "TX86-DHCP 10.0.2.15",
                     "TX86-NET-MD5 " + host_md5, "TX86-NET-DONE"]:
            if want not in text:
                failures.append("missing from the log: " + want)
        for bad in ["TX86-FAIL", "TX86-BAD"]:
            for line in text.splitlines():
                if bad in line:
                    failures.append("in the log: " + line.strip())
        if proc.returncode != 0:
            failures.append("tx86 exited with status %d" % proc.returncode)
        if rr and not failures:
            r = subprocess.run(cmd + ["-icount", "shift=0,rr=replay,rrfile=" + rr_log],
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, cwd=tmp, timeout=TIMEOUT)
            if r.stdout.decode("latin-1") != text or r.returncode != proc.returncode:
                failures.append("the replay's output (%d bytes, status %d) differs from the "
                                "recording's (%d bytes): %s" % (
                                    len(r.stdout), r.returncode, len(text),
                                    r.stderr.decode(errors="replace")[-300:]))
        secs = time.time() - t0
    for f in failures:
        print("  " + model + ": " + f)
    if not failures:
        print("  %s: ok (%.0fs)" % (model, secs))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
