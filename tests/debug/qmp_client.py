"""qmp_client.py - a small QMP client for the checks in tests/debug (tx86's
-qmp unix:PATH,server,nowait, as a script talks to QEMU's).

  from qmp_client import Qmp
  q = Qmp("/tmp/qmp.sock")              # greeting read, capabilities negotiated
  r = q.cmd("query-status")             # {"return": {...}} or {"error": {...}}
  ev = q.drain()                        # the events that came, oldest first
"""
import json, select, socket, sys, time
sys.dont_write_bytecode = True          # no __pycache__ in the tree

class Qmp:
    def __init__(self, path, timeout=60):
        self.timeout = timeout
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(path)
        self.buf = b""
        self.events = []                # events read and not taken yet
        self.greeting = self._read()
        self.cmd("qmp_capabilities")

    def _read(self, timeout=None):
        """one JSON object from the server (None after timeout seconds)"""
        end = time.time() + (self.timeout if timeout is None else timeout)
        while b"\n" not in self.buf:
            left = end - time.time()
            if left <= 0 or not select.select([self.sock], [], [], left)[0]:
                return None
            d = self.sock.recv(65536)
            if not d:
                raise EOFError("QMP connection closed")
            self.buf += d
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def cmd(self, name, **args):
        """send a command, return its reply (events met meanwhile are kept)"""
        msg = {"execute": name}
        if args:
            msg["arguments"] = args
        self.sock.sendall(json.dumps(msg).encode() + b"\n")
        while True:
            r = self._read()
            if r is None:
                raise TimeoutError("no reply to " + name)
            if "event" in r:
                self.events.append(r)
            else:
                return r

    def drain(self, seconds=0.3):
        """every event that arrives within seconds; returns and clears the list"""
        while True:
            r = self._read(seconds)
            if r is None:
                break
            if "event" in r:
                self.events.append(r)
        ev, self.events = self.events, []
        return ev

    def close(self):
        self.sock.close()
