#!/usr/bin/env python3
# tests/monitor/monitor_test.py - the human monitor and QMP over real
# sockets and stdio (src/monitor/, docs/monitor.md), with a small client of
# our own.
#
#   monitor_test.py ./tx86 build/tests/monitor/keys_rom.bin
#
# Each part runs tx86 afresh in its own temporary directory:
#   chardev    -chardev socket (path= and host=/port=) with -mon mode=control
#              and mode=readline: QMP and the HMP answer
#   rom        the keys ROM (keys_rom.asm) with -qmp unix: and -monitor tcp:
#              -name: the greeting, capabilities negotiation, "id" echo,
#              every query-*, stop/cont with STOP/RESUME (and a stopped CPU
#              that does not move), send-key / input-send-event reaching the
#              guest's keyboard port, human-monitor-command (x, xp, info
#              registers), HMP over tcp, two QMP clients at once, garbage
#              and oversized input (errors, client stays), a client closing
#              mid-message, eight clients at once and a ninth refused,
#              system_reset (RESET, the ROM starts again),
#              quit (SHUTDOWN, exit status 0)
#   seabios    SeaBIOS with -cdrom, -qmp tcp:...,server=on,wait=off:
#              query-block, eject, blockdev-change-medium, errors
#              (DeviceNotFound, not removable), screendump as PPM and PNG
#              whose size matches the text mode (720x400)
#   stdio      -monitor stdio and -serial mon:stdio (Ctrl-A c, Ctrl-A x)
#              through pipes and a pty (echo, Backspace); -nographic's
#              default mux; -S without -gdb starts stopped (prelaunch);
#              -qmp without nowait waits for its client; command-line
#              errors
# Only the Python standard library.  Last line: "monitor: N passed, N failed".
import json
import os
import pty
import select
import socket
import struct
import shutil
import subprocess
import sys
import tempfile
import threading
import time

TX86 = ROM = None                  # from the command line (main)
passed = failed = 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print("PASS monitor: " + name)
    else:
        failed += 1
        print("FAIL monitor: " + name + (": " + str(detail)[:300] if detail else ""))
    sys.stdout.flush()


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_for(pred, timeout=20.0):
    end = time.time() + timeout
    while time.time() < end:
        v = pred()
        if v:
            return v
        time.sleep(0.05)
    return pred()


def connect(addr, timeout=20.0):
    """a socket connected to addr (a unix path or a (host, port) pair),
    retried while tx86 is still starting; replies time out after 20 s"""
    fam = socket.AF_UNIX if isinstance(addr, str) else socket.AF_INET
    end = time.time() + timeout
    while True:
        sock = socket.socket(fam)
        try:
            sock.connect(addr)
            break
        except OSError:
            sock.close()
            if time.time() > end:
                raise
            time.sleep(0.1)
    sock.settimeout(20)
    return sock


class Qmp:
    """a QMP client: replies and events, in order"""

    def __init__(self, addr, negotiate=True):
        self.sock = connect(addr)
        self.buf = b""
        self.events = []
        self.greeting = self.read()
        if negotiate:
            self.cmd("qmp_capabilities")

    def read(self):
        while b"\n" not in self.buf:
            data = self.sock.recv(65536)
            if not data:
                raise EOFError("QMP connection closed")
            self.buf += data
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def send_raw(self, data):
        self.sock.sendall(data)

    def reply(self):
        """the next reply; events met on the way are kept"""
        while True:
            m = self.read()
            if "event" in m:
                self.events.append(m)
            else:
                return m

    def cmd(self, name, args=None, **kw):
        m = {"execute": name}
        if args is not None:
            m["arguments"] = args
        m.update(kw)
        self.send_raw(json.dumps(m).encode() + b"\n")
        return self.reply()

    def event(self, name, timeout=20):
        end = time.time() + timeout
        while True:
            for i, e in enumerate(self.events):
                if e["event"] == name:
                    return self.events.pop(i)
            self.sock.settimeout(max(0.1, end - time.time()))
            try:
                m = self.read()
            except (socket.timeout, EOFError):
                return None
            finally:
                self.sock.settimeout(20)
            if "event" in m:
                self.events.append(m)
            if time.time() > end:
                return None

    def close(self):
        self.sock.close()


class Hmp:
    """a human-monitor client over a socket"""

    def __init__(self, addr):
        self.sock = connect(addr)
        self.banner = self.until_prompt()

    def until_prompt(self):
        data = b""
        while not data.endswith(b"(qemu) "):
            chunk = self.sock.recv(65536)
            if not chunk:
                break
            data += chunk
        return data.decode("latin-1")

    def cmd(self, line):
        self.sock.sendall(line.encode() + b"\n")
        return self.until_prompt()[:-len("(qemu) ")]


def is_error(r, cls=None):
    return "error" in r and (cls is None or r["error"]["class"] == cls)


def hmc(q, line):
    r = q.cmd("human-monitor-command", {"command-line": line})
    return r.get("return", "")


# ---------------------------------------------------------------- rom
def part_rom():
    d = tempfile.mkdtemp(prefix="tx86-mon-")
    qsock = os.path.join(d, "q.sock")
    hport = free_port()
    # the debug console on stdout (flushed at each newline), collected by a thread
    p = subprocess.Popen([TX86, "-bios", ROM, "-display", "none", "-debugcon", "stdio",
                          "-qmp", "unix:%s,server,nowait" % qsock,
                          "-monitor", "tcp:127.0.0.1:%d,server,nowait" % hport,
                          "-name", "testvm"],
                         cwd=d, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    console = []

    def reader():
        for chunk in iter(lambda: os.read(p.stdout.fileno(), 4096), b""):
            console.append(chunk.decode("latin-1"))
    threading.Thread(target=reader, daemon=True).start()

    def dc():
        return "".join(console)
    try:
        check("rom: the ROM runs", wait_for(lambda: "READY" in dc()), dc())
        q = Qmp(qsock, negotiate=False)
        g = q.greeting.get("QMP", {})
        check("greeting", "version" in g and g.get("capabilities") == [] and
              "qemu" in g["version"], q.greeting)
        r = q.cmd("query-status")
        check("commands before qmp_capabilities: CommandNotFound",
              is_error(r, "CommandNotFound") and "qmp_capabilities" in r["error"]["desc"], r)
        check("qmp_capabilities", q.cmd("qmp_capabilities") == {"return": {}})
        r = q.cmd("qmp_capabilities")
        check("qmp_capabilities twice: CommandNotFound", is_error(r, "CommandNotFound"), r)
        r = q.cmd("query-status", id="abc-1")
        check("query-status running, id echoed",
              r.get("return", {}).get("status") == "running" and r.get("id") == "abc-1" and
              r["return"].get("running") is True, r)
        r = q.cmd("query-status", id={"n": [1, 2]})
        check("any JSON id echoed", r.get("id") == {"n": [1, 2]}, r)
        r = q.cmd("query-version")
        check("query-version", "qemu" in r.get("return", {}) and
              "tx86" in r["return"].get("package", ""), r)
        r = q.cmd("query-name")
        check("query-name", r.get("return") == {"name": "testvm"}, r)
        r = q.cmd("query-cpus-fast")
        check("query-cpus-fast", isinstance(r.get("return"), list) and
              r["return"][0].get("cpu-index") == 0 and r["return"][0].get("target") == "i386", r)
        r = q.cmd("query-chardev")
        labels = {c["label"]: c["filename"] for c in r.get("return", [])}
        check("query-chardev lists both monitors",
              any("q.sock" in v for v in labels.values()) and
              any("tcp:127.0.0.1:%d" % hport in v for v in labels.values()), r)
        r = q.cmd("query-block")
        check("query-block (no drives but the floppy)", isinstance(r.get("return"), list), r)
        r = q.cmd("query-commands")
        names = {c["name"] for c in r.get("return", [])}
        check("query-commands", {"stop", "cont", "send-key", "screendump"} <= names, r)
        r = q.cmd("no-such-command")
        check("unknown command: CommandNotFound", is_error(r, "CommandNotFound") and
              "no-such-command" in r["error"]["desc"], r)

        # stop / cont
        r = q.cmd("stop")
        ev = q.event("STOP")
        check("stop: return and STOP event", r == {"return": {}} and ev is not None and
              "seconds" in ev.get("timestamp", {}), (r, ev))
        r = q.cmd("query-status")
        check("query-status paused", r.get("return", {}).get("status") == "paused" and
              r["return"].get("running") is False, r)
        r1 = hmc(q, "info registers")
        time.sleep(0.3)
        r2 = hmc(q, "info registers")
        check("stopped: the CPU does not move", r1 == r2 and "EIP=" in r1, (r1, r2))
        check("info status paused", "paused" in hmc(q, "info status"))
        r = q.cmd("cont")
        ev = q.event("RESUME")
        check("cont: return and RESUME event", r == {"return": {}} and ev is not None, (r, ev))
        check("query-status running again",
              q.cmd("query-status").get("return", {}).get("status") == "running")

        # memory and registers
        out = hmc(q, "xp /2xw 0x1000")
        check("xp /2xw", "0x11223344 0xdeadbeef" in out and
              out.startswith("0000000000001000:"), out)
        out = hmc(q, "x /2xw 0x1000")
        check("x /2xw (paging off: linear = physical)",
              out.startswith("00001000:") and "0x11223344 0xdeadbeef" in out, out)
        out = hmc(q, "x /4xb 0x1000")
        check("x /4xb", "0x44 0x33 0x22 0x11" in out, out)
        out = hmc(q, "xp /1dw 0x1008")
        check("xp /1dw negative", out.split()[-1] == "-2", out)
        out = hmc(q, "xp /1uw 0x1004")
        check("xp /1uw", out.split()[-1] == str(0xdeadbeef), out)
        out = hmc(q, "xp /1xg 0x1000")
        check("xp /1xg", "0xdeadbeef11223344" in out, out)
        out = hmc(q, "xp /2xh 0x1000+4")
        check("xp address expression", "0xbeef 0xdead" in out, out)
        out = hmc(q, "xp /1xw 0xf0000000")
        check("xp unmapped: an error, not a crash", "Cannot access" in out, out)
        out = hmc(q, "x /z 0x1000")
        check("x bad format: an error", "invalid format" in out, out)
        out = hmc(q, "info registers")
        check("info registers: EBX and EIP", "EBX=12345678" in out and "EIP=" in out, out)
        out = hmc(q, "info tlb")
        check("info tlb without paging", "PG disabled" in out, out)
        out = hmc(q, "info version")
        check("info version", "tx86" in out, out)
        out = hmc(q, "nonsense")
        check("HMP unknown command", "unknown command" in out, out)

        # keys
        n0 = dc().count("K ")
        r = q.cmd("send-key", {"keys": [{"type": "qcode", "data": "ctrl"},
                                        {"type": "qcode", "data": "a"}]})
        want = "K 1d\nK 1e\nK 9e\nK 9d\n"
        check("send-key reaches the guest",
              r == {"return": {}} and wait_for(lambda: want in dc(), 10), (r, dc()[-200:]))
        r = q.cmd("input-send-event", {"events": [
            {"type": "key", "data": {"down": True, "key": {"type": "qcode", "data": "b"}}},
            {"type": "key", "data": {"down": False, "key": {"type": "number", "data": 0x30}}}]})
        check("input-send-event key events reach the guest",
              r == {"return": {}} and wait_for(lambda: "K 30\nK b0\n" in dc(), 10),
              (r, dc()[-200:]))
        r = q.cmd("send-key", {"keys": [{"type": "qcode", "data": "nokey"}]})
        check("send-key unknown key: error", is_error(r, "GenericError"), r)
        r = q.cmd("send-key", {"keys": "a"})
        check("send-key keys not an array: error", is_error(r, "GenericError") and
              "keys" in r["error"]["desc"], r)
        r = q.cmd("send-key")
        check("missing parameter", is_error(r) and "missing" in r["error"]["desc"], r)
        r = q.cmd("stop", {"bogus": 1})
        check("unexpected parameter", is_error(r) and "unexpected" in r["error"]["desc"], r)

        # bad input: an error each, the client stays
        bad = [
            (b"hello\n", "garbage"),
            (b'{"execute": }\n', "malformed JSON"),
            (b"[1, 2]\n", "not an object"),
            (b'{"arguments": {}}\n', "no execute"),
            (b'{"execute": 5}\n', "execute not a string"),
            (b'{"execute": "stop", "arguments": 3}\n', "arguments not an object"),
            (b'{"execute": "stop", "foo": 1}\n', "unexpected member"),
            (b'{"execute": "st\x00op"}\n', "NUL byte"),
            (b'{"execute": "\xff\xfe"}\n', "invalid UTF-8"),
            (b"{" * 100 + b"\n", "too deep"),
            (b'{"execute": "' + b"x" * 70000 + b'"}\n', "too large"),
        ]
        for data, what in bad:
            q.send_raw(data)
            r = q.reply()
            check("bad input (%s): GenericError" % what, is_error(r, "GenericError"), r)
        r = q.cmd("query-status")
        check("the client is still served after bad input",
              r.get("return", {}).get("status") == "running", r)

        # a client that sends many requests and reads late: not cut off,
        # every reply arrives whole (input waits while replies pile up)
        heavy = json.dumps({"execute": "human-monitor-command",
                            "arguments": {"command-line": "xp /65536xb 0"}}).encode() + b"\n"
        q.send_raw(heavy * 30)
        time.sleep(2)
        replies = [q.reply() for _ in range(30)]
        check("30 pipelined requests read late: 30 whole replies",
              all(len(r.get("return", "")) > 400000 for r in replies),
              [len(str(r)) for r in replies])

        # a client closing mid-message; two clients at once
        c = socket.socket(socket.AF_UNIX)
        c.connect(qsock)
        c.recv(4096)
        c.sendall(b'{"execute": "qmp_capa')
        c.close()
        q2 = Qmp(qsock)
        check("a new client after one left mid-message", q2.cmd("query-name").get("return") ==
              {"name": "testvm"})
        q.cmd("stop")
        check("two clients: both see STOP", q.event("STOP") is not None and
              q2.event("STOP") is not None)
        q2.cmd("cont")
        check("two clients: both see RESUME", q.event("RESUME") is not None and
              q2.event("RESUME") is not None)
        q2.close()
        time.sleep(0.2)                 # tx86 notices q2 left
        more = [Qmp(qsock) for _ in range(7)]   # 8 with q: the limit
        check("eight clients at once, each served",
              all(c.cmd("query-name").get("return") == {"name": "testvm"} for c in more))
        c9 = socket.socket(socket.AF_UNIX)
        c9.connect(qsock)
        c9.settimeout(10)
        data = b""
        while True:
            chunk = c9.recv(4096)
            if not chunk:
                break
            data += chunk
        check("a ninth client is told and closed", b"too many" in data, data)
        c9.close()
        for c in more:
            c.close()

        # HMP over tcp
        h = Hmp(("127.0.0.1", hport))
        check("HMP banner and prompt", "monitor" in h.banner and h.banner.endswith("(qemu) "),
              h.banner)
        out = h.cmd("info status")
        check("HMP info status", "VM status: running" in out, out)
        out = h.cmd("help")
        check("HMP help lists commands", "sendkey" in out and "xp" in out, out)
        out = h.cmd("info name")
        check("HMP info name", "testvm" in out, out)
        out = h.cmd("x /2xw 0x1000")
        check("HMP x", "0x11223344 0xdeadbeef" in out, out)
        h.cmd("stop")
        check("HMP stop: QMP sees STOP", q.event("STOP") is not None)
        out = h.cmd("info status")
        check("HMP info status paused", "paused" in out, out)
        h.cmd("c")
        check("HMP c: QMP sees RESUME", q.event("RESUME") is not None)
        out = h.cmd("sendkey shift-c")
        check("HMP sendkey", wait_for(lambda: "K 2a\nK 2e\nK ae\nK aa\n" in dc(), 10),
              (out, dc()[-100:]))
        out = h.cmd("x" * 5000)
        check("HMP line too long", "too long" in out, out)
        out = h.cmd("info chardev")
        check("HMP info chardev", "compat_monitor0" in out, out)

        # reset, quit
        ready = dc().count("READY")
        r = q.cmd("system_reset")
        ev = q.event("RESET")
        check("system_reset: RESET event", r == {"return": {}} and ev is not None and
              ev.get("data", {}).get("reason") == "host-qmp-system-reset" and
              ev["data"].get("guest") is False, (r, ev))
        check("system_reset: the ROM starts again",
              wait_for(lambda: dc().count("READY") > ready, 10), dc()[-100:])
        r = q.cmd("quit")
        ev = q.event("SHUTDOWN")
        check("quit: return and SHUTDOWN event", r == {"return": {}} and ev is not None and
              ev.get("data", {}).get("reason") == "host-qmp-quit", (r, ev))
        try:
            rc = p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            rc = None
        check("quit: tx86 exits with status 0", rc == 0, rc)
        check("the unix socket is removed at exit", not os.path.exists(qsock))
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
        subprocess.call(["rm", "-rf", d])


# ---------------------------------------------------------------- seabios
def png_size(path):
    with open(path, "rb") as f:
        head = f.read(24)
    if head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        return None
    return struct.unpack(">II", head[16:24])


def ppm_size(path):
    with open(path, "rb") as f:
        data = f.read()
    parts = data.split(b"\n", 3)
    if len(parts) < 4 or parts[0] != b"P6" or parts[2] != b"255":
        return None
    w, h = map(int, parts[1].split())
    return (w, h) if len(parts[3]) == w * h * 3 else None


def part_seabios():
    d = tempfile.mkdtemp(prefix="tx86-mon-")
    cd1 = os.path.join(d, "one.iso")
    cd2 = os.path.join(d, "two.iso")
    hd = os.path.join(d, "hd.img")
    for path, size in ((cd1, 1 << 20), (cd2, 2 << 20), (hd, 1 << 20)):
        with open(path, "wb") as f:
            f.truncate(size)
    port = free_port()
    p = subprocess.Popen([TX86, "-display", "none", "-cdrom", cd1, "-hda", hd,
                          "-qmp", "tcp:127.0.0.1:%d,server=on,wait=off" % port],
                         cwd=d, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        q = Qmp(("127.0.0.1", port))
        r = q.cmd("query-block")
        devs = {b["device"]: b for b in r.get("return", [])}
        cd = devs.get("ide1-cd0", {})
        check("query-block lists the disk and the CD-ROM",
              "ide0-hd0" in devs and cd.get("inserted", {}).get("file") == cd1 and
              cd.get("removable") is True and cd["inserted"].get("ro") is True and
              cd["inserted"]["image"].get("virtual-size") == 1 << 20, r)
        r = q.cmd("eject", {"device": "ide1-cd0"})
        r2 = q.cmd("query-block")
        cd = {b["device"]: b for b in r2["return"]}["ide1-cd0"]
        check("eject: the CD is gone", r == {"return": {}} and "inserted" not in cd and
              cd.get("tray_open") is True, (r, r2))
        r = q.cmd("blockdev-change-medium", {"device": "ide1-cd0", "filename": cd2})
        r2 = q.cmd("query-block")
        cd = {b["device"]: b for b in r2["return"]}["ide1-cd0"]
        check("blockdev-change-medium: the new CD",
              r == {"return": {}} and cd.get("inserted", {}).get("file") == cd2, (r, r2))
        out = hmc(q, "info block")
        check("info block shows the new CD", "ide1-cd0: " + cd2 in out, out)
        out = hmc(q, "change ide1-cd0 " + cd1)
        r2 = q.cmd("query-block")
        cd = {b["device"]: b for b in r2["return"]}["ide1-cd0"]
        check("HMP change", out == "" and cd.get("inserted", {}).get("file") == cd1, (out, r2))
        out = hmc(q, "eject ide1-cd0")
        check("HMP eject", out == "" and "[not inserted]" in hmc(q, "info block"), out)
        r = q.cmd("eject", {"device": "ide9-cd9"})
        check("eject unknown device: DeviceNotFound", is_error(r, "DeviceNotFound"), r)
        r = q.cmd("eject", {"device": "ide0-hd0"})
        check("eject a disk: error", is_error(r, "GenericError"), r)
        r = q.cmd("blockdev-change-medium", {"device": "ide1-cd0",
                                             "filename": os.path.join(d, "missing.iso")})
        check("change to a missing file: error", is_error(r, "GenericError") and
              "missing.iso" in r["error"]["desc"], r)
        # the screen: SeaBIOS leaves the 80x25 text mode (720x400)
        ppm = os.path.join(d, "s.ppm")
        png = os.path.join(d, "s.png")
        ok = wait_for(lambda: q.cmd("screendump", {"filename": ppm}) == {"return": {}}, 20)
        check("screendump PPM: 720x400", ok and ppm_size(ppm) == (720, 400),
              ppm_size(ppm) if os.path.exists(ppm) else "no file")
        r = q.cmd("screendump", {"filename": png, "format": "png"})
        check("screendump PNG: 720x400", r == {"return": {}} and png_size(png) == (720, 400), r)
        r = q.cmd("screendump", {"filename": os.path.join(d, "no", "dir.ppm")})
        check("screendump to a bad path: error", is_error(r, "GenericError"), r)
        r = q.cmd("screendump", {"filename": ppm, "format": "gif"})
        check("screendump bad format: error", is_error(r, "GenericError"), r)
        out = hmc(q, "screendump -f png " + os.path.join(d, "h.png"))
        check("HMP screendump -f png", png_size(os.path.join(d, "h.png")) == (720, 400), out)
        q.cmd("quit")
        check("seabios: exit 0", p.wait(timeout=20) == 0)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
        subprocess.call(["rm", "-rf", d])


# ---------------------------------------------------------------- stdio
def read_until(p, needle, timeout=20):
    data = b""
    end = time.time() + timeout
    fd = p.stdout.fileno()
    while needle not in data and time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.2)
        if r:
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            data += chunk
    return data.decode("latin-1")


def part_stdio():
    d = tempfile.mkdtemp(prefix="tx86-mon-")
    dcon = os.path.join(d, "dc.txt")
    try:
        # -monitor stdio
        p = subprocess.Popen([TX86, "-bios", ROM, "-display", "none", "-monitor", "stdio",
                              "-name", "stdiovm", "-debugcon", "file:" + dcon],
                             cwd=d, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
        out = read_until(p, b"(qemu) ")
        check("-monitor stdio: banner", "monitor" in out, out)
        p.stdin.write(b"info name\n")
        p.stdin.flush()
        out = read_until(p, b"(qemu) ")
        check("-monitor stdio: info name", "stdiovm" in out, out)
        p.stdin.write(b"quit\n")
        p.stdin.flush()
        check("-monitor stdio: quit", p.wait(timeout=20) == 0)

        # -serial mon:stdio with Ctrl-A c
        p = subprocess.Popen([TX86, "-bios", ROM, "-display", "none", "-serial", "mon:stdio",
                              "-debugcon", "file:" + dcon, "-S"],
                             cwd=d, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
        p.stdin.write(b"\x01c")
        p.stdin.flush()
        out = read_until(p, b"(qemu) ")
        check("mon:stdio: Ctrl-A c shows the monitor", "monitor" in out, out)
        p.stdin.write(b"info status\n")
        p.stdin.flush()
        out = read_until(p, b"(qemu) ")
        check("-S without -gdb: stopped at the start", "VM status: paused (prelaunch)" in out,
              out)
        p.stdin.write(b"cont\ninfo status\n")
        p.stdin.flush()
        out = read_until(p, b"running")
        check("mon:stdio: cont", "VM status: running" in out, out)
        # back to the serial port and out with Ctrl-A x
        p.stdin.write(b"\x01c\x01x")
        p.stdin.flush()
        check("mon:stdio: Ctrl-A x quits", p.wait(timeout=20) == 0)

        # mon:stdio on a terminal (a pty): raw mode, the monitor echoes
        # what is typed, Backspace edits, Enter is CR
        master, slave = pty.openpty()
        p = subprocess.Popen([TX86, "-bios", ROM, "-display", "none", "-serial", "mon:stdio"],
                             cwd=d, stdin=slave, stdout=slave, stderr=subprocess.PIPE)
        os.close(slave)

        def pty_until(needle, timeout=20):
            data = b""
            end = time.time() + timeout
            while needle not in data and time.time() < end:
                r, _, _ = select.select([master], [], [], 0.2)
                if r:
                    try:
                        data += os.read(master, 65536)
                    except OSError:
                        break
            return data.decode("latin-1")
        os.write(master, b"\x01c")
        out = pty_until(b"(qemu) ")
        os.write(master, b"info nameX" + b"\x7f" * 5 + b"status\r")
        out = pty_until(b"VM status: running")
        check("mon:stdio on a pty: echo, Backspace, CR",
              "info nameX" + "\b \b" * 5 + "status" in out and "VM status: running" in out,
              out)
        os.write(master, b"\x01x")
        check("mon:stdio on a pty: Ctrl-A x", p.wait(timeout=20) == 0)
        os.close(master)

        # -nographic: COM1 is mon:stdio; Ctrl-A c works although the
        # guest never reads its serial port (the input is read ahead)
        p = subprocess.Popen([TX86, "-bios", ROM, "-nographic"], cwd=d,
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
        p.stdin.write(b"typed ahead for the serial port\x01cinfo status\n")
        p.stdin.flush()
        out = read_until(p, b"VM status")
        check("-nographic: the monitor behind Ctrl-A c", "VM status: running" in out, out)
        p.stdin.write(b"\x01x")
        p.stdin.flush()
        check("-nographic: Ctrl-A x quits", p.wait(timeout=20) == 0)

        # without nowait: the guest starts once the first client is there
        qsock = os.path.join(d, "w.sock")
        p = subprocess.Popen([TX86, "-bios", ROM, "-display", "none", "-debugcon", "stdio",
                              "-qmp", "unix:%s,server" % qsock], cwd=d,
                             stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
        early = read_until(p, b"READY", 1.5)
        check("-qmp ...,server (wait): nothing runs before a client", "READY" not in early,
              early)
        q = Qmp(qsock)
        out = read_until(p, b"READY")
        check("-qmp ...,server (wait): runs once a client connected", "READY" in out, out)
        q.cmd("quit")
        check("-qmp wait: quit", p.wait(timeout=20) == 0)

        # errors on the command line are one line, status 1
        for args, what in ((["-monitor", "stdio", "-serial", "stdio"], "stdio twice"),
                           (["-qmp", "unix:" + d + "/x.sock"], "no server"),
                           (["-qmp", "tcp:127.0.0.1:99999,server"], "bad port"),
                           (["-monitor", "unix:" + dcon + ",server,nowait"], "a regular file")):
            r = subprocess.run([TX86, "-bios", ROM, "-display", "none"] + args, cwd=d,
                               stdin=subprocess.DEVNULL, capture_output=True, timeout=20)
            err = r.stderr.decode()
            check("refused: %s" % what, r.returncode == 1 and err.count("\n") == 1, err)
        check("a regular file is left alone", os.path.isfile(dcon))
    finally:
        subprocess.call(["rm", "-rf", d])


def part_chardev():
    """QMP and the HMP on -chardev socket back ends named by -mon (libvirt's form)"""
    d = tempfile.mkdtemp(prefix="tx86-mon-")
    qsock = os.path.join(d, "q.sock")
    hport = free_port()
    p = subprocess.Popen([TX86, "-bios", ROM, "-display", "none",
                          "-chardev", "socket,id=q0,path=%s,server=on,wait=off" % qsock,
                          "-mon", "chardev=q0,id=monitor,mode=control",
                          "-chardev", "socket,id=h0,host=127.0.0.1,port=%d,server,nowait" % hport,
                          "-mon", "chardev=h0,mode=readline"],
                         cwd=d, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        q = Qmp(qsock)
        r = q.cmd("query-status")
        check("-chardev socket,path= + -mon mode=control: QMP",
              r.get("return", {}).get("status") == "running", r)
        h = Hmp(("127.0.0.1", hport))
        out = h.cmd("info status")
        check("-chardev socket,host=,port= + -mon: HMP", "VM status: running" in out, out)
        h.sock.close()
        q.cmd("quit")
        check("chardev: exit 0", p.wait(timeout=20) == 0)
    finally:
        if p.poll() is None:
            p.kill()
        shutil.rmtree(d, ignore_errors=True)


def main():
    global TX86, ROM
    TX86 = os.path.abspath(sys.argv[1])
    ROM = os.path.abspath(sys.argv[2])
    for part in (part_rom, part_seabios, part_stdio, part_chardev):
        try:
            part()
        except Exception as e:          # a crash of the test itself is a failure
            check(part.__name__ + " ran to its end", False, repr(e))
    print("monitor: %d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
