#!/usr/bin/env python3
# tests/boot/serial_login.py - run an emulator whose first serial port is
# its stdio (-nographic), copy everything it prints to a log file, and drive
# a login on the guest's serial console, for tests/boot/debian.sh.
#
#   serial_login.py --log FILE --timeout SECS [--wait-for TEXT] [--no-login]
#                   [--user root --password PW --prompt TEXT --command CMD]
#                   -- EMULATOR ARGS...
#
# Steps (each a fixed string looked for in the output, bounded by --timeout
# for the whole run): wait for every --wait-for text and the "login:"
# prompt, send the user name, wait for "Password:", send the password, wait
# for the shell prompt, send the command, wait for --expect; then wait for
# the emulator to exit (the guest powers off).  Prints one line per step
# with the seconds since the start, and "marker NAME at Ns" for each --time
# marker seen.  Exit status: the emulator's, or 124 after the time limit
# (the emulator is then terminated), or 125 when a step failed.
# Only the Python standard library is used.
import argparse
import os
import select
import signal
import subprocess
import sys
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--log", required=True)
    ap.add_argument("--timeout", type=float, required=True)
    ap.add_argument("--wait-for", action="append", default=[])
    ap.add_argument("--time", action="append", default=[], help="report when TEXT is seen")
    ap.add_argument("--no-login", action="store_true")
    ap.add_argument("--user", default="root")
    ap.add_argument("--password", default="")
    ap.add_argument("--login-prompt", default="login:")
    ap.add_argument("--prompt", default="# ")
    ap.add_argument("--command", default="echo LOGIN-OK-$((6*7))")
    ap.add_argument("--expect", default="LOGIN-OK-42")
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.cmd[1:] if a.cmd[:1] == ["--"] else a.cmd

    t0 = time.monotonic()
    deadline = t0 + a.timeout
    log = open(a.log, "wb")
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    out = bytearray()
    eof = False
    timed = {m: False for m in a.time}

    def say(msg):
        print("  %s (%.0fs)" % (msg, time.monotonic() - t0), flush=True)

    def pump(until):
        """read output until `until` (seconds, absolute) or EOF"""
        nonlocal eof
        while not eof:
            left = min(until, deadline) - time.monotonic()
            if left <= 0:
                return
            r, _, _ = select.select([proc.stdout], [], [], min(left, 1.0))
            if not r:
                continue
            data = os.read(proc.stdout.fileno(), 65536)
            if not data:
                eof = True
                return
            out.extend(data)
            log.write(data)
            log.flush()
            for m in timed:
                if not timed[m] and m.encode() in out:
                    timed[m] = True
                    print("  marker %s at %.1fs" % (m, time.monotonic() - t0), flush=True)

    def wait_text(texts, start=0):
        """wait until every text appears in the output after `start`;
        return the end position of the last one, or None"""
        while True:
            ends = []
            for t in texts:
                i = out.find(t.encode(), start)
                if i < 0:
                    break
                ends.append(i + len(t))
            else:
                return max(ends) if ends else start
            if eof or time.monotonic() >= deadline:
                return None
            pump(time.monotonic() + 1.0)

    def send(text):
        try:
            proc.stdin.write(text.encode() + b"\r")
            proc.stdin.flush()
        except BrokenPipeError:
            pass

    def finish(status):
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        log.close()
        sys.exit(status)

    def step(texts, what):
        pos = wait_text(texts, step.pos)
        if pos is None:
            say("%s: not seen%s" % (what, " (timed out)" if not eof else " (emulator ended)"))
            finish(124 if not eof else 125)
        step.pos = pos
        say(what)
    step.pos = 0

    if not a.no_login:
        step(a.wait_for + [a.login_prompt], "login prompt")
        # the prompt may have been printed before the text we waited for
        step.pos = out.rfind(a.login_prompt.encode()) + len(a.login_prompt)
        send(a.user)
        step(["Password:"], "password prompt")
        send(a.password)
        step([a.prompt], "shell prompt")
        send(a.command)
        step([a.expect], "command output")
    elif a.wait_for:
        step(a.wait_for, "seen")

    # wait for the guest to power off
    while not eof and time.monotonic() < deadline:
        pump(deadline)
    try:
        status = proc.wait(max(0.0, deadline - time.monotonic()) + 1)
    except subprocess.TimeoutExpired:
        say("timed out after %.0fs" % a.timeout)
        finish(124)
    say("emulator exited with status %d" % status)
    finish(status)


if __name__ == "__main__":
    main()
