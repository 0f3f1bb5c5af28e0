#!/usr/bin/env python3
# tests/debug/gdb_robust.py - a gdb client that misbehaves, against tx86's
# gdb stub (src/debug/gdbstub.c): nothing it does may hurt tx86.
#
#   gdb_robust.py ./tx86 build/tests/debug/debug_rom.bin
#
# Checks (each runs tx86 afresh, in a temporary directory):
#   sigpipe      many packets, then close at once: tx86 must not die of
#                SIGPIPE; the debug ROM runs to its end (exit status 1)
#   malformed    a table of malformed packets (overflowing lengths, bad hex,
#                an endless packet, garbage): each gets its error reply
#                (E01...), tx86 keeps serving and exits 0 on "k"
#   disconnect   a typical session cut after every byte offset (mid-packet,
#                mid-ack, while the reply is on its way, while running,
#                the first one during -S); after each cut a fresh client
#                must be served
#   unix path    -gdb unix:PATH refuses a regular file (left intact), takes
#                over a stale socket, and at exit removes only its own socket
# Uses a 64 KiB ROM of "jmp $" (it never ends) besides the debug ROM.
# Only the Python standard library.  Last line: "gdb_robust: N passed, N failed".
import os
import socket
import subprocess
import sys
import tempfile
import time

TX86, DEBUG_ROM = sys.argv[1], sys.argv[2]
TX86 = os.path.abspath(TX86)
DEBUG_ROM = os.path.abspath(DEBUG_ROM)
passed = failed = 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print("PASS gdb_robust: " + name)
    else:
        failed += 1
        print("FAIL gdb_robust: " + name + (": " + detail if detail else ""))
    sys.stdout.flush()


def pkt(payload):
    data = payload.encode("latin-1") if isinstance(payload, str) else payload
    return b"$" + data + b"#%02x" % (sum(data) & 0xFF)


class Tx86:
    """tx86 with a gdb stub on a free local port, in directory d"""

    def __init__(self, d, rom, extra=(), gdb=None):
        self.port = None
        if gdb is None:
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
            s.close()
            gdb = "tcp::%d" % self.port
        self.err = open(os.path.join(d, "tx86.err"), "w+b")
        self.out = open(os.path.join(d, "tx86.out"), "w+b")
        self.p = subprocess.Popen(
            [TX86, "-bios", rom, "-nographic", "-debugcon", "stdio",
             "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04", "-gdb", gdb] + list(extra),
            cwd=d, stdin=subprocess.DEVNULL, stdout=self.out, stderr=self.err)

    def connect(self, timeout=10.0):
        end = time.time() + timeout
        while True:
            try:
                return socket.create_connection(("127.0.0.1", self.port), timeout=timeout)
            except OSError:
                if time.time() > end or self.p.poll() is not None:
                    raise
                time.sleep(0.02)

    def wait(self, timeout=30):
        try:
            return self.p.wait(timeout)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
            return "timeout"

    def stderr(self):
        self.err.seek(0)
        return self.err.read().decode("latin-1")

    def stdout(self):
        self.out.seek(0)
        return self.out.read().decode("latin-1")


def recv_packet(s, timeout=10.0):
    """the next $...#xx packet's payload (acks skipped); None on EOF/timeout"""
    s.settimeout(timeout)
    buf = b""
    try:
        while True:
            i = buf.find(b"$")
            j = buf.find(b"#", i + 1) if i >= 0 else -1
            if i >= 0 and j >= 0 and len(buf) >= j + 3:
                return buf[i + 1:j].decode("latin-1")
            b = s.recv(65536)
            if not b:
                return None
            buf += b
    except OSError:
        return None


def request(s, payload, timeout=10.0):
    s.sendall(pkt(payload))
    return recv_packet(s, timeout)


def loop_rom(d):
    path = os.path.join(d, "loop.bin")
    with open(path, "wb") as f:
        f.write(b"\xeb\xfe" * 32768)        # jmp $ everywhere, the reset vector too
    return path


def test_sigpipe():
    with tempfile.TemporaryDirectory() as d:
        t = Tx86(d, DEBUG_ROM, ["-S"])
        s = t.connect()
        s.sendall(b"+" + pkt("qSupported:multiprocess+;swbreak+;hwbreak+") +
                  (pkt("g") + b"+") * 300 + (pkt("m0,800") + b"+") * 100)
        s.close()
        st = t.wait()
        check("sigpipe: client closes with replies pending; exit status 1", st == 1,
              "status %s, stderr %r" % (st, t.stderr()[-300:]))
        check("sigpipe: the ROM ran to its end", "ticks counter tsc pit" in t.stdout())


MALFORMED = [
    # packet, expected reply (a prefix when it ends with "*")
    ("M0,8000000000000000:00", "E01"),
    ("M0,ffffffffffffffff:00", "E01"),
    ("M0,2:00", "E01"),                     # fewer data bytes than the length
    ("M0,1:0g", "E01"),                     # not hex
    ("M100000000,1:00", "E01"),             # address beyond 32 bits
    ("M0,1", "E01"),
    ("Mzz,1:00", "E01"),
    ("m0,8000000000000000", "E01"),
    ("m0,10000000000000001", "E01"),        # more than 64 bits
    ("m,4", "E01"),
    ("m0", "E01"),
    ("m0,4x", "E01"),
    ("m-1,4", "E01"),
    ("pffffffffffffffffff", "E01"),
    ("p", "E01"),
    ("p8x", "E01"),
    ("P8", "E01"),
    ("P8=12", "E01"),
    ("Pffffffffffffffff=00000000", "E01"),
    ("P0=zz000000", "E01"),
    ("G0", "E01"),
    ("Gzz", "E01"),
    ("Z0,zz,1", "E01"),
    ("Z0,100000000,1", "E01"),
    ("Z0,1000", "E01"),
    ("Z2,1000,ffffffffffffffffff", "E01"),
    ("Z9,1000,1", ""),                      # unknown type: not supported
    ("z1", "E01"),
    ("qRcmd,6", "E01"),
    ("qRcmd,6g", "E01"),
    ("qXfer:features:read:target.xml:ffffffffffffffffffff,10", "E01"),
    ("qXfer:features:read:target.xml:0,ffffffffffffffffffff", "E01"),
    ("qXfer:features:read:target.xml:0", "E01"),
    ("qXfer:features:read:target.xml:ffffffff,10", "l"),
    ("qXfer:features:read:target.xml:0,8000000000000000", "l<?xml*"),
    ("cfffffffffffffffff", "E01"),
    ("sxyz", "E01"),
    ("m0,4", "*"),                          # still serving
    ("?", "T05*"),                         # -S: stopped at the start
]


def test_malformed():
    with tempfile.TemporaryDirectory() as d:
        t = Tx86(d, loop_rom(d), ["-S"])
        s = t.connect()
        bad = []
        for p, want in MALFORMED:
            r = request(s, p)
            ok = r is not None and (r.startswith(want[:-1]) if want.endswith("*") else r == want)
            if not ok:
                bad.append("%s -> %r (want %r)" % (p, r, want))
                if r is None:
                    break
        check("malformed: %d packets get their error replies" % len(MALFORMED), not bad,
              "; ".join(bad[:5]))
        # a packet longer than the stub takes, an endless one cut short by
        # a new '$', and garbage between packets
        r = request(s, "m" + "0" * 100000 + ",4") if not bad else None
        check("malformed: an overlong packet gets E01", r == "E01", repr(r))
        if r is not None:
            s.sendall(b"$" + b"a" * 300000)                 # never ends...
            s.sendall(bytes(range(256)) * 400)             # ...garbage...
            r = request(s, "?")                            # ...and a packet
            check("malformed: served after an endless packet and garbage",
                  r is not None and r.startswith("T05"), repr(r))
            s.sendall(pkt("k"))
        s.close()
        st = t.wait()
        check("malformed: exit status 0 after kill", st == 0,
              "status %s, stderr %r" % (st, t.stderr()[-300:]))


# a typical session, as Debian's gdb sends it (acks included)
SESSION = (b"+" + pkt("qSupported:multiprocess+;swbreak+;hwbreak+;qRelocInsn+") +
           b"+" + pkt("qXfer:features:read:target.xml:0,ffb") +
           b"+" + pkt("?") + b"+" + pkt("qAttached") + b"+" + pkt("g") +
           b"+" + pkt("m0,40") + b"+" + pkt("M2000,4:01020304") +
           b"+" + pkt("Z0,fffffff0,1") + b"+" + pkt("p8") +
           b"+" + pkt("s") + b"+" + pkt("z0,fffffff0,1") + b"+" + pkt("Z2,2000,4") +
           b"+" + pkt("qRcmd,696e666f") + b"+" + pkt("c") + b"\x03" +
           b"+" + pkt("QStartNoAckMode") + b"+" + pkt("g") + pkt("D"))


def test_disconnect():
    with tempfile.TemporaryDirectory() as d:
        t = Tx86(d, loop_rom(d), ["-S"])
        bad = []
        for k in range(len(SESSION) + 1):
            try:
                s = t.connect()
                s.sendall(SESSION[:k])
                s.close()
                s = t.connect()                 # a fresh client is served
                r = request(s, "?")
                s.close()
            except OSError as e:
                r = "error " + str(e)
            if r is None or not r.startswith("T"):
                bad.append("cut at byte %d: probe got %r" % (k, r))
                if t.p.poll() is not None:
                    break
        check("disconnect: cut at each of %d byte offsets, then served" % (len(SESSION) + 1),
              not bad, "; ".join(bad[:3]))
        alive = t.p.poll() is None
        check("disconnect: tx86 still running", alive, "status %s" % t.p.poll())
        if alive:
            s = t.connect()
            s.sendall(pkt("k"))
            s.close()
        st = t.wait()
        check("disconnect: exit status 0 after kill", st == 0,
              "status %s, stderr %r" % (st, t.stderr()[-300:]))


def test_unix_path():
    with tempfile.TemporaryDirectory() as d:
        victim = os.path.join(d, "victim")
        with open(victim, "w") as f:
            f.write("precious\n")
        t = Tx86(d, DEBUG_ROM, gdb="unix:" + victim)
        st = t.wait()
        with open(victim) as f:
            intact = f.read() == "precious\n"
        check("unix path: a regular file is left intact", intact)
        err = t.stderr().strip().splitlines()
        check("unix path: refused with one line naming the path",
              st not in (0, "timeout") and len(err) == 1 and victim in err[0],
              "status %s, stderr %r" % (st, err))

        # a stale socket (nobody listens) is taken over; at exit ours is removed
        sock = os.path.join(d, "gdb.sock")
        s = socket.socket(socket.AF_UNIX)
        s.bind(sock)
        s.close()
        t = Tx86(d, loop_rom(d), ["-S"], gdb="unix:" + sock)
        c = None
        for _ in range(500):
            try:
                c = socket.socket(socket.AF_UNIX)
                c.connect(sock)
                break
            except OSError:
                c.close()
                c = None
                time.sleep(0.02)
        r = request(c, "?") if c else None
        check("unix path: a stale socket is taken over", r is not None and r.startswith("T"),
              "reply %r, stderr %r" % (r, t.stderr()[-300:]))
        if c:
            c.sendall(pkt("k"))
            c.close()
        st = t.wait()
        check("unix path: our socket is removed at exit", st == 0 and not os.path.exists(sock),
              "status %s" % st)

        # someone replaced our socket by a file: it stays
        t = Tx86(d, loop_rom(d), ["-S"], gdb="unix:" + sock)
        for _ in range(500):
            if os.path.exists(sock):
                break
            time.sleep(0.02)
        moved = os.path.join(d, "moved.sock")
        os.rename(sock, moved)
        with open(sock, "w") as f:
            f.write("not yours\n")
        c = socket.socket(socket.AF_UNIX)
        c.connect(moved)
        request(c, "?")
        c.sendall(pkt("k"))
        c.close()
        t.wait()
        check("unix path: a file put in place of our socket is not removed",
              os.path.exists(sock))


for test in (test_sigpipe, test_malformed, test_disconnect, test_unix_path):
    try:
        test()
    except Exception as e:         # a test that cannot go on is one failure
        check(test.__name__, False, "%s: %s" % (type(e).__name__, e))
print("gdb_robust: %d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
