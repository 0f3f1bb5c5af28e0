#!/usr/bin/env python3
"""display_test.py - make check-display: the SDL window under Xvfb and the
VNC server with real clients, against the guest ROM display_rom.asm
(mode 13h pattern; echoes keyboard and mouse bytes on the debug console as
"K xx" / "M xx" lines).

  python3 tests/display/display_test.py ./tx86 build/tests/display/display_rom.bin

The window: Xvfb on a free display (-displayfd), tx86 opens its window
there by default ($DISPLAY set); the window's pixels (xwd, read here) must
equal the monitor's screendump; keys typed with xdotool (XTEST) must reach
the guest as set 1 codes; a click grabs the mouse (title), relative motion
and buttons reach the guest as PS/2 packets, Ctrl+Alt+G releases it;
WM_DELETE_WINDOW (the window's close button) ends tx86 with status 0.

VNC: tx86 -vnc 127.0.0.1:N; vncsnapshot's picture (JPEG, compared with a
tolerance) and a raw framebuffer update read by a small RFB client here
(exact) must equal the screendump; RFB key and pointer events reach the
guest; an incremental update after a change carries only changed tiles;
Esc makes the guest switch to VBE 640x480 and scancode set 2 (no
translation): the window takes the new size, a VNC client gets NewFBSize,
both pictures still equal the screendump and keys arrive in set 2;
bad client input (garbage, cut messages, coordinates off the screen, odd
keysyms) must leave tx86 serving.

Exit status 77 (skipped) when Xvfb, xdotool, xwd, jpegtopnm or
vncsnapshot is missing (scripts/setup-debian.sh installs them).  Each run
works in its own temporary directory and kills what it started.  Ends with
"display: N passed, N failed".
"""
import ctypes
import os
import random
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

TX86 = os.path.abspath(sys.argv[1])
ROM = os.path.abspath(sys.argv[2])
TOOLS = ["Xvfb", "xdotool", "xwd", "jpegtopnm", "vncsnapshot"]

passed = 0
failed = 0
procs = []


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print("ok   " + name)
    else:
        failed += 1
        print("FAIL " + name + (": " + detail if detail else ""))
    sys.stdout.flush()
    return ok


def wait_for(fn, timeout=10.0, step=0.1):
    end = time.time() + timeout
    while True:
        r = fn()
        if r or time.time() > end:
            return r
        time.sleep(step)


def read_ppm(data):
    """(width, height, rgb bytes) of a binary PPM (P6, maxval 255)"""
    fields = []
    i = 0
    while len(fields) < 4:
        while data[i:i + 1].isspace():
            i += 1
        if data[i:i + 1] == b"#":
            while data[i:i + 1] not in (b"\n", b""):
                i += 1
            continue
        j = i
        while not data[j:j + 1].isspace():
            j += 1
        fields.append(data[i:j])
        i = j
    i += 1
    if fields[0] != b"P6" or fields[3] not in (b"255", b"65535"):
        raise ValueError("not a P6 PPM with maxval 255 or 65535: %r" % data[:20])
    w, h = int(fields[1]), int(fields[2])
    if fields[3] == b"255":
        return w, h, bytes(data[i:i + w * h * 3])
    # xwdtopnm writes 16-bit samples for a depth-32 window: back to 8 bits
    px = struct.unpack(">%dH" % (w * h * 3), data[i:i + w * h * 6])
    return w, h, bytes((v * 255 + 32767) // 65535 for v in px)


def read_xwd(data):
    """(width, height, rgb bytes) of an xwd dump of a TrueColor window (any
    depth and masks: xwdtopnm gets depth-32 windows wrong)"""
    h = struct.unpack(">25I", data[:100])
    hsize, fmt, w, ht = h[0], h[2], h[4], h[5]
    order, bpp, bpl, vclass = h[7], h[11], h[12], h[13]
    masks, ncolors = h[14:17], h[19]
    if fmt != 2 or vclass not in (4, 5) or bpp not in (24, 32):
        raise ValueError("xwd: not a TrueColor ZPixmap (format %d class %d bpp %d)"
                         % (fmt, vclass, bpp))
    pix = data[hsize + ncolors * 12:]
    shifts = [(m & -m).bit_length() - 1 for m in masks]
    out = bytearray(w * ht * 3)
    step = bpp // 8
    for y in range(ht):
        row = pix[y * bpl:y * bpl + w * step]
        for x in range(w):
            v = int.from_bytes(row[x * step:x * step + step], "little" if order == 0 else "big")
            o = (y * w + x) * 3
            for c in range(3):
                out[o + c] = ((v & masks[c]) >> shifts[c]) & 0xff
    return w, ht, bytes(out)


class Guest:
    """one tx86 run: its debug console (stdout) read by a thread, the
    monitor on a unix socket"""

    def __init__(self, tmp, args, env=None, name="dtest"):
        self.tmp = tmp
        self.sock = os.path.join(tmp, "mon-%d.sock" % random.randrange(1 << 30))
        cmd = [TX86, "-bios", ROM, "-name", name, "-serial", "none", "-debugcon", "stdio",
               "-monitor", "unix:%s,server,nowait" % self.sock] + args
        self.p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  stdin=subprocess.DEVNULL, env=env, cwd=tmp)
        procs.append(self.p)
        self.out = b""
        self.err = b""
        self.lock = threading.Lock()
        threading.Thread(target=self._reader, args=(self.p.stdout, "out"), daemon=True).start()
        threading.Thread(target=self._reader, args=(self.p.stderr, "err"), daemon=True).start()
        self.mon = None

    def _reader(self, f, which):
        while True:
            b = os.read(f.fileno(), 4096)
            if not b:
                return
            with self.lock:
                setattr(self, which, getattr(self, which) + b)

    def lines(self):
        with self.lock:
            return self.out.decode("latin-1").splitlines()

    def ready(self, timeout=20):
        return wait_for(lambda: "READY" in self.lines() or self.p.poll() is not None,
                        timeout) and self.p.poll() is None

    def mark(self):
        return len(self.lines())

    def since(self, mark):
        return [l for l in self.lines()[mark:] if l[:2] in ("K ", "M ")]

    def wait_lines(self, mark, n, timeout=5):
        wait_for(lambda: len(self.since(mark)) >= n, timeout)
        time.sleep(0.2)                 # anything more that should not be there
        return self.since(mark)

    def hmp(self, cmd):
        if self.mon is None:
            s = socket.socket(socket.AF_UNIX)
            wait_for(lambda: os.path.exists(self.sock), 5)
            s.connect(self.sock)
            s.settimeout(10)
            self.mon = s
            self._until_prompt()
        self.mon.sendall(cmd.encode() + b"\n")
        return self._until_prompt()

    def _until_prompt(self):
        buf = b""
        while not buf.endswith(b"(qemu) "):
            b = self.mon.recv(4096)
            if not b:
                break
            buf += b
        return buf.decode("latin-1")

    def screendump(self):
        path = os.path.join(self.tmp, "dump-%d.ppm" % random.randrange(1 << 30))
        self.hmp("screendump " + path)
        with open(path, "rb") as f:
            return read_ppm(f.read())

    def stop(self):
        if self.mon:
            self.mon.close()
        if self.p.poll() is None:
            self.p.terminate()
            try:
                self.p.wait(5)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()


def keys_of(lines):
    return [l for l in lines if l.startswith("K ")]


def mouse_motion(lines):
    """(dx, dy, [button bytes]) summed over the 3-byte packets"""
    b = [int(l[2:], 16) for l in lines if l.startswith("M ")]
    dx = dy = 0
    btn = []
    for i in range(0, len(b) - 2, 3):
        s = b[i]
        x = b[i + 1] - (256 if s & 0x10 else 0)
        y = b[i + 2] - (256 if s & 0x20 else 0)
        dx += x
        dy += y
        btn.append(s & 7)
    return dx, dy, btn


# ------------------------------------------------------------------ the window

def x_close_window(display, wid):
    """send WM_DELETE_WINDOW, as a window manager's close button does"""
    x11 = ctypes.CDLL("libX11.so.6")
    x11.XOpenDisplay.restype = ctypes.c_void_p
    x11.XOpenDisplay.argtypes = [ctypes.c_char_p]
    x11.XInternAtom.restype = ctypes.c_ulong
    x11.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
    x11.XSendEvent.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int, ctypes.c_long,
                               ctypes.c_void_p]
    x11.XFlush.argtypes = [ctypes.c_void_p]
    x11.XCloseDisplay.argtypes = [ctypes.c_void_p]

    class XClientMessageEvent(ctypes.Structure):
        _fields_ = [("type", ctypes.c_int), ("serial", ctypes.c_ulong),
                    ("send_event", ctypes.c_int), ("display", ctypes.c_void_p),
                    ("window", ctypes.c_ulong), ("message_type", ctypes.c_ulong),
                    ("format", ctypes.c_int), ("data", ctypes.c_long * 5)]

    class XEvent(ctypes.Union):
        _fields_ = [("xclient", XClientMessageEvent), ("pad", ctypes.c_long * 24)]

    d = x11.XOpenDisplay(display.encode())
    if not d:
        return False
    ev = XEvent()
    ev.xclient.type = 33                # ClientMessage
    ev.xclient.window = wid
    ev.xclient.message_type = x11.XInternAtom(d, b"WM_PROTOCOLS", 0)
    ev.xclient.format = 32
    ev.xclient.data[0] = x11.XInternAtom(d, b"WM_DELETE_WINDOW", 0)
    ev.xclient.data[1] = 0              # CurrentTime
    x11.XSendEvent(d, wid, 0, 0, ctypes.byref(ev))
    x11.XFlush(d)
    x11.XCloseDisplay(d)
    return True


def start_xvfb(tmp):
    r, w = os.pipe()
    p = subprocess.Popen(["Xvfb", "-displayfd", str(w), "-screen", "0", "1024x768x24",
                          "-nolisten", "tcp", "-noreset"], pass_fds=(w,),
                         stdout=subprocess.DEVNULL, stderr=open(os.path.join(tmp, "xvfb.log"), "w"))
    procs.append(p)
    os.close(w)
    num = b""
    while not num.endswith(b"\n"):
        b = os.read(r, 16)
        if not b:
            break
        num += b
    os.close(r)
    if not num.strip():
        raise RuntimeError("Xvfb did not start")
    return ":" + num.decode().strip()


def window_test(tmp):
    display = start_xvfb(tmp)
    env = dict(os.environ, DISPLAY=display)
    env.pop("WAYLAND_DISPLAY", None)

    def xdo(*args):
        r = subprocess.run(["xdotool"] + list(args), env=env, capture_output=True, text=True)
        return r.stdout.strip()

    def grab_window(wid):
        xwd = subprocess.run(["xwd", "-silent", "-id", wid], env=env, capture_output=True)
        return read_xwd(xwd.stdout)

    # no -display: the window is the default when $DISPLAY is set
    g = Guest(tmp, [], env=env)
    try:
        if not check("window: the guest starts", g.ready(), g.err.decode()):
            return
        wid = wait_for(lambda: xdo("search", "--name", "^tx86 \\(dtest\\)"), 10)
        if not check("window: opened by default with $DISPLAY set, titled 'tx86 (dtest)'",
                     bool(wid), g.err.decode()):
            return
        wid = wid.split()[0]
        geo = wait_for(lambda: "320x200" in xdo("getwindowgeometry", wid) and
                       xdo("getwindowgeometry", wid), 5)
        check("window: follows the guest's mode 13h (320x200)", bool(geo),
              xdo("getwindowgeometry", wid))

        def same_as_dump():
            d = g.screendump()
            w = grab_window(wid)
            return w == d and d
        d0 = wait_for(same_as_dump, 10, 0.3)
        check("window: pixels equal the monitor's screendump", bool(d0))

        xdo("windowfocus", "--sync", wid)
        m = g.mark()
        xdo("type", "--delay", "30", "abc")
        xdo("key", "Return")
        got = keys_of(g.wait_lines(m, 8))
        check("window: typed 'abc' Return reach the guest (set 1 via translation)",
              got == ["K 1e", "K 9e", "K 30", "K b0", "K 2e", "K ae", "K 1c", "K 9c"], str(got))
        m = g.mark()
        xdo("keydown", "shift")
        xdo("key", "a")
        xdo("keyup", "shift")
        xdo("key", "Up")
        got = keys_of(g.wait_lines(m, 8))
        check("window: Shift+A and the Up arrow (E0 prefix)",
              got == ["K 2a", "K 1e", "K 9e", "K aa", "K e0", "K 48", "K e0", "K c8"], str(got))

        d1 = wait_for(lambda: (lambda d, w: w == d and d != d0 and d)(g.screendump(),
                                                                   grab_window(wid)), 10, 0.3)
        check("window: the guest's drawing after the keys shows (pixels = new screendump)",
              bool(d1))

        # the mouse: not grabbed, motion goes nowhere
        m = g.mark()
        xdo("mousemove", "--window", wid, "100", "100")
        xdo("mousemove_relative", "--", "7", "7")
        check("window: no mouse packets before the grab", g.wait_lines(m, 1, 1) == [])
        xdo("click", "1")
        title = wait_for(lambda: "Ctrl+Alt+G" in xdo("getwindowname", wid) and
                         xdo("getwindowname", wid), 5)
        check("window: a click grabs the mouse (title says Ctrl+Alt+G)", bool(title),
              xdo("getwindowname", wid))
        time.sleep(0.3)
        check("window: the grabbing click does not reach the guest",
              [l for l in g.since(m) if l.startswith("M ")] == [], str(g.since(m)))
        m = g.mark()
        xdo("mousemove_relative", "--", "10", "5")
        lines = g.wait_lines(m, 3)
        dx, dy, _ = mouse_motion(lines)
        check("window: grabbed motion (10 right, 5 down) -> PS/2 dx 10, dy -5",
              (dx, dy) == (10, -5), str(lines))
        m = g.mark()
        xdo("click", "1")
        _, _, btn = mouse_motion(g.wait_lines(m, 6))
        check("window: left button down and up", btn == [1, 0], str(btn))
        m = g.mark()
        xdo("key", "ctrl+alt+g")
        title = wait_for(lambda: "Ctrl+Alt+G" not in xdo("getwindowname", wid) and
                         xdo("getwindowname", wid), 5)
        check("window: Ctrl+Alt+G releases the grab (title)", title == "tx86 (dtest)",
              xdo("getwindowname", wid))
        got = keys_of(g.wait_lines(m, 4))
        check("window: the G of Ctrl+Alt+G does not reach the guest",
              "K 22" not in got and "K a2" not in got, str(got))
        m = g.mark()
        xdo("mousemove_relative", "--", "9", "9")
        check("window: no mouse packets after the release",
              [l for l in g.wait_lines(m, 1, 1) if l.startswith("M ")] == [])

        # V: the guest reads absolute positions (vmmouse): no grab needed,
        # the pointer's place in the window and a click go to the guest
        m = g.mark()
        xdo("key", "v")
        wait_for(lambda: "K af" in g.lines()[m:], 5)
        xdo("mousemove", "--window", wid, "160", "100")
        xdo("click", "1")
        wait_for(lambda: len([l for l in g.lines()[m:] if l.startswith("A ")]) >= 3, 5)
        absl = [l for l in g.lines()[m:] if l.startswith("A ")]
        at = "%08x %08x" % (160 * 0xffff // 319, 100 * 0xffff // 199)
        check("window: absolute position and click through the vmmouse, no grab",
              len(absl) >= 3 and absl[0] == "A 00000000 " + at and
              "A 00000020 " + at in absl and absl[-1] == "A 00000000 " + at and
              "Ctrl+Alt+G" not in xdo("getwindowname", wid), str(absl))
        m = g.mark()
        xdo("key", "v")                  # off again
        wait_for(lambda: "K af" in g.lines()[m:], 5)

        # Esc: the guest switches to VBE 640x480 and to scancode set 2
        m = g.mark()
        xdo("keydown", "Escape")
        wait_for(lambda: "VBE" in g.lines(), 5)
        xdo("keyup", "Escape")
        xdo("key", "a")
        got = keys_of(g.wait_lines(m, 6))
        check("window: set 2 once the guest turns translation off (Esc up = F0 76, a = 1C)",
              got == ["K 01", "K f0", "K 76", "K 1c", "K f0", "K 1c"], str(got))
        geo = wait_for(lambda: "640x480" in xdo("getwindowgeometry", wid), 5)
        check("window: follows the guest to VBE 640x480", bool(geo),
              xdo("getwindowgeometry", wid))
        d2 = wait_for(lambda: (lambda d, w: w == d and d[:2] == (640, 480) and d)(
            g.screendump(), grab_window(wid)), 10, 0.3)
        check("window: pixels equal the screendump after the mode change", bool(d2))

        check("window: WM_DELETE_WINDOW sent", x_close_window(display, int(wid)))
        try:
            rc = g.p.wait(10)
        except subprocess.TimeoutExpired:
            rc = None
        check("window: closing the window ends tx86 with status 0", rc == 0, str(rc))
    finally:
        g.stop()

    # -display none and -nographic: no window even with $DISPLAY
    for opt in (["-display", "none"], ["-nographic", "-nodefaults"]):
        g = Guest(tmp, opt, env=env, name="nowin")
        try:
            g.ready()
            time.sleep(0.5)
            check("window: none with %s" % " ".join(opt),
                  g.p.poll() is None and not xdo("search", "--name", "^tx86 \\(nowin\\)"))
        finally:
            g.stop()

    # the default window that cannot open only warns; -display sdl fails
    bad = dict(env, DISPLAY=":9999")
    g = Guest(tmp, [], env=bad, name="bad")
    try:
        ok = g.ready()
        check("window: default with an unusable $DISPLAY: a warning, runs headless",
              ok and "no window" in g.err.decode(), g.err.decode())
    finally:
        g.stop()
    r = subprocess.run([TX86, "-bios", ROM, "-display", "sdl", "-serial", "none"], env=bad,
                       capture_output=True, text=True, timeout=20, cwd=tmp)
    check("window: -display sdl with an unusable $DISPLAY: exit 1 with a message",
          r.returncode == 1 and "cannot open a window" in r.stderr, r.stderr)


# ------------------------------------------------------------------ VNC

class Rfb:
    """a minimal RFB 3.8 client: no security, 32-bit true colour, raw"""

    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=10)
        ver = self.recv(12)
        assert ver.startswith(b"RFB "), ver
        self.s.sendall(b"RFB 003.008\n")
        n = self.recv(1)[0]
        types = self.recv(n)
        assert 1 in types, types
        self.s.sendall(b"\x01")
        assert struct.unpack(">I", self.recv(4))[0] == 0
        self.s.sendall(b"\x01")         # shared
        self.w, self.h = struct.unpack(">HH", self.recv(4))
        self.recv(16)                   # the server's pixel format
        self.name = self.recv(struct.unpack(">I", self.recv(4))[0]).decode()
        # 32 bpp, depth 24, little endian, true colour, red at 16, green 8, blue 0
        self.s.sendall(struct.pack(">BxxxBBBBHHHBBBxxx", 0, 32, 24, 0, 1, 255, 255, 255,
                                   16, 8, 0))
        # raw, and the NewFBSize pseudo-encoding (-223)
        self.s.sendall(struct.pack(">BxHii", 2, 2, 0, -223))
        self.fb = bytearray(self.w * self.h * 3)

    def recv(self, n):
        b = b""
        while len(b) < n:
            c = self.s.recv(n - len(b))
            if not c:
                raise EOFError("server closed")
            b += c
        return b

    def update(self, incremental):
        """request an update and read it: the rectangles (x, y, w, h), and
        ("size", w, h) for a NewFBSize.  A full request reads messages until
        one covers the whole screen (an earlier request's answer may come
        first)."""
        self.s.sendall(struct.pack(">BBHHHH", 3, 1 if incremental else 0, 0, 0, self.w, self.h))
        while True:
            rects = self._read_update()
            area = sum(r[2] * r[3] for r in rects if r[0] != "size")
            if incremental or area >= self.w * self.h:
                return rects

    def _read_update(self):
        while True:
            t = self.recv(1)[0]
            if t == 0:
                break
            if t == 2:                  # bell
                continue
            if t == 3:                  # cut text
                self.recv(3)
                self.recv(struct.unpack(">I", self.recv(4))[0])
                continue
            raise ValueError("message type %d" % t)
        self.recv(1)
        n = struct.unpack(">H", self.recv(2))[0]
        rects = []
        for _ in range(n):
            x, y, w, h, enc = struct.unpack(">HHHHi", self.recv(12))
            if enc == -223:             # the screen has a new size
                self.w, self.h = w, h
                self.fb = bytearray(w * h * 3)
                rects.append(("size", w, h))
                continue
            if enc != 0:
                raise ValueError("encoding %d" % enc)
            data = self.recv(w * h * 4)
            for r in range(h):
                for c in range(w):
                    px = data[(r * w + c) * 4:(r * w + c) * 4 + 4]
                    o = ((y + r) * self.w + x + c) * 3
                    self.fb[o:o + 3] = bytes((px[2], px[1], px[0]))
            rects.append((x, y, w, h))
        return rects

    def key(self, sym, down):
        self.s.sendall(struct.pack(">BBxxI", 4, 1 if down else 0, sym))

    def tap(self, sym):
        self.key(sym, True)
        self.key(sym, False)

    def pointer(self, mask, x, y):
        self.s.sendall(struct.pack(">BBHH", 5, mask, x, y))

    def close(self):
        self.s.close()


def free_vnc_display():
    for _ in range(50):
        n = random.randrange(100, 2000)
        try:
            s = socket.socket()
            s.bind(("127.0.0.1", 5900 + n))
            s.close()
            return n
        except OSError:
            continue
    raise RuntimeError("no free VNC port")


def vnc_test(tmp):
    env = dict(os.environ)
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    for attempt in range(5):
        n = free_vnc_display()
        g = Guest(tmp, ["-vnc", "127.0.0.1:%d" % n], env=env)
        if g.ready():
            break
        g.stop()
    else:
        check("vnc: the guest starts with -vnc", False, g.err.decode())
        return
    port = 5900 + n
    try:
        time.sleep(0.5)
        d0 = g.screendump()
        jpg = os.path.join(tmp, "snap.jpg")
        r = subprocess.run(["vncsnapshot", "-quiet", "-quality", "100", "127.0.0.1:%d" % n, jpg],
                           capture_output=True, text=True, timeout=30, cwd=tmp)
        ok = r.returncode == 0 and os.path.exists(jpg)
        if check("vnc: vncsnapshot connects and saves the screen", ok, r.stderr):
            pnm = subprocess.run(["jpegtopnm", jpg], capture_output=True)
            w, h, px = read_ppm(pnm.stdout)
            diff = [abs(a - b) for a, b in zip(px, d0[2])]
            mean = sum(diff) / max(len(diff), 1)
            check("vnc: vncsnapshot's picture equals the screendump (JPEG: mean error < 1, "
                  "max < 16)", (w, h) == (320, 200) and mean < 1 and max(diff) < 16,
                  "%dx%d mean %.3f max %d" % (w, h, mean, max(diff) if diff else -1))

        c = Rfb(port)
        check("vnc: ServerInit: 320x200, name 'tx86 (dtest)'",
              (c.w, c.h, c.name) == (320, 200, "tx86 (dtest)"), "%dx%d %r" % (c.w, c.h, c.name))
        c.update(False)
        check("vnc: a raw full update equals the screendump exactly",
              bytes(c.fb) == d0[2] and (c.w, c.h) == d0[:2])

        m = g.mark()
        c.tap(ord("a"))
        c.key(0xffe1, True)             # Shift_L
        c.tap(ord("A"))
        c.key(0xffe1, False)
        c.tap(0xff52)                   # Up
        got = keys_of(g.wait_lines(m, 10))
        check("vnc: keysyms a, Shift+A, Up reach the guest",
              got == ["K 1e", "K 9e", "K 2a", "K 1e", "K 9e", "K aa", "K e0", "K 48", "K e0",
                      "K c8"], str(got))
        d1 = wait_for(lambda: (lambda d: d != d0 and d)(g.screendump()), 5)
        time.sleep(2 * 0.03 + 0.1)
        rects = c.update(True)
        area = sum(r[2] * r[3] for r in rects if r[0] != "size")
        check("vnc: an incremental update carries only the changed tiles",
              0 < area < 320 * 200 // 4, str(rects))
        check("vnc: the picture after it equals the new screendump",
              bool(d1) and bytes(c.fb) == g.screendump()[2])

        m = g.mark()
        c.pointer(0, 100, 100)
        c.pointer(0, 110, 95)
        c.pointer(1, 110, 95)
        c.pointer(0, 110, 95)
        lines = g.wait_lines(m, 9)
        dx, dy, btn = mouse_motion(lines)
        check("vnc: pointer moves (+10, 5 up) -> PS/2 dx 10, dy 5; left button down, up",
              (dx, dy) == (10, 5) and btn == [0, 1, 0], "%s %s" % ((dx, dy, btn), lines))

        # V: the guest turns the vmmouse on (absolute); the pointer's place,
        # scaled to 0..FFFF, comes through the backdoor; V again: off
        m = g.mark()
        c.tap(ord("v"))
        wait_for(lambda: "K af" in g.lines()[m:], 5)
        c.pointer(1, 160, 100)
        c.pointer(0, 319, 199)
        wait_for(lambda: len([l for l in g.lines()[m:] if l.startswith("A ")]) >= 2, 5)
        absl = [l for l in g.lines()[m:] if l.startswith("A ")]
        want = ["A %08x %08x %08x" % (0x20, 160 * 0xffff // 319, 100 * 0xffff // 199),
                "A %08x %08x %08x" % (0, 0xffff, 0xffff)]
        check("vnc: absolute positions through the vmmouse once the guest asks (left down, up)",
              absl == want, "%s (want %s)" % (absl, want))
        m = g.mark()
        c.tap(ord("v"))
        wait_for(lambda: "K af" in g.lines()[m:], 5)
        c.pointer(0, 300, 190)
        lines = g.wait_lines(m, 5)
        dx, dy, _ = mouse_motion(lines)
        check("vnc: vmmouse off: relative PS/2 motion again",
              (dx, dy) == (300 - 319, 199 - 190), "%s" % lines)

        # Esc: the guest switches to VBE 640x480 and scancode set 2
        m = g.mark()
        c.key(0xff1b, True)
        wait_for(lambda: "VBE" in g.lines(), 5)
        c.key(0xff1b, False)
        c.tap(ord("a"))
        got = keys_of(g.wait_lines(m, 6))
        check("vnc: set 2 once the guest turns translation off",
              got == ["K 01", "K f0", "K 76", "K 1c", "K f0", "K 1c"], str(got))
        time.sleep(0.3)
        rects = c.update(True)
        check("vnc: the client is told the new size (NewFBSize) 640x480",
              ("size", 640, 480) in rects and (c.w, c.h) == (640, 480), str(rects)[:200])
        c.update(False)
        d3 = g.screendump()
        check("vnc: a full update after the mode change equals the screendump",
              d3[:2] == (640, 480) and bytes(c.fb) == d3[2])

        # bad input: off-screen coordinates, odd keysyms, garbage, cut messages
        m = g.mark()
        c.pointer(0, 65535, 65535)
        c.pointer(0xff, 0, 0)
        c.pointer(0, 0, 0)
        for sym in (0, 0xffffffff, 0x1000000, 0xfe50, 0x7f, 0x20ac):
            c.tap(sym)
        lines = g.wait_lines(m, 1)
        dx, dy, _ = mouse_motion(lines)
        check("vnc: coordinates off the screen are clamped (motion stays within it)",
              abs(dx) < 320 + 320 and abs(dy) < 200 + 200 and g.p.poll() is None, str(lines))
        c.s.sendall(b"\xab" + os.urandom(64))      # an unknown message type
        time.sleep(0.5)
        c.close()
        for junk in (b"", b"RFB 003.008\n", b"garbage\n" * 10, b"RFB 003.008\n\x01\x01" +
                     b"\x05\x00", os.urandom(300)):
            s = socket.create_connection(("127.0.0.1", port), timeout=5)
            s.sendall(junk)
            s.close()
        time.sleep(0.5)
        check("vnc: tx86 survives garbage and cut messages", g.p.poll() is None,
              g.err.decode())
        c2 = Rfb(port)
        c3 = Rfb(port)
        c2.update(False)
        c3.update(False)
        check("vnc: two clients at once after that get the screen",
              bytes(c2.fb) == bytes(c3.fb) == g.screendump()[2])
        m = g.mark()
        c2.key(ord("z"), True)
        c2.close()
        got = keys_of(g.wait_lines(m, 3))
        check("vnc: a key held by a client that leaves is released (set 2: z = 1A, F0 1A)",
              got == ["K 1a", "K f0", "K 1a"],
              str(got))
        c3.close()

        r = subprocess.run([TX86, "-bios", ROM, "-display", "none", "-serial", "none",
                            "-vnc", "127.0.0.1:%d" % n], capture_output=True, text=True,
                           timeout=20, cwd=tmp)
        check("vnc: a port in use: exit 1 with a message",
              r.returncode == 1 and "cannot listen" in r.stderr, r.stderr)
        check("vnc: tx86 still runs at the end", g.p.poll() is None, g.err.decode())
        c4 = Rfb(port)                  # a client connected while tx86 ends
        c4.update(False)
        try:
            g.hmp("quit")
        except (OSError, EOFError):
            pass
        try:
            rc = g.p.wait(10)
        except subprocess.TimeoutExpired:
            rc = None
        c4.close()
        check("vnc: quit with a client connected: status 0, a clean exit", rc == 0,
              "%s %s" % (rc, g.err.decode()[-2000:]))
    finally:
        g.stop()


def main():
    missing = [t for t in TOOLS if not shutil.which(t)]
    if missing:
        print("check-display: %s not installed (scripts/setup-debian.sh): skipped"
              % ", ".join(missing))
        sys.exit(77)
    tmp = tempfile.mkdtemp(prefix="tx86-display.")
    try:
        window_test(tmp)
        vnc_test(tmp)
    except Exception as e:              # a crash of the test is a failure, not a pass
        check("display test ran to the end", False, repr(e))
    finally:
        for p in procs:
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(5)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
        shutil.rmtree(tmp, ignore_errors=True)
    print("display: %d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)


main()
