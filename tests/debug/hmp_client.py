"""hmp_client.py - talk to tx86's human monitor over a unix socket, as a
script does with QEMU's (shared by migrate_check.py and snapshot_check.py).

  from hmp_client import hmp, wait_sock
  out = hmp("/tmp/mon.sock", "info status")   # the reply, prompt removed
"""
import os, socket, time

def hmp(path, cmd, timeout=60):
    """send one command, return its output without the (qemu) prompts"""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.connect(path)
    buf = b""
    def prompt():
        nonlocal buf
        while not buf.rstrip().endswith(b"(qemu)"):
            d = s.recv(65536)
            if not d:
                break
            buf += d
    prompt()
    buf = b""
    s.sendall(cmd.encode() + b"\n")
    prompt()
    s.close()
    return buf.decode(errors="replace").replace("(qemu)", "").strip()

def wait_sock(path, proc, seconds=10):
    """wait until the monitor's socket exists (False if proc ended first)"""
    for _ in range(int(seconds / 0.05)):
        if os.path.exists(path):
            return True
        if proc.poll() is not None:
            return False
        time.sleep(0.05)
    return False
