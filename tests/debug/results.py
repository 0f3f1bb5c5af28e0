"""results.py - PASS/FAIL lines and the "NAME: N passed, N failed" summary
the tests/debug scripts print (make check-debug reads the last line), and
a gdb batch session against a tx86 started with -gdb.

    from results import Results, gdb_session
    r = Results("replay_rom")
    r.check(ok, "what was checked")
    out, err = gdb_session(tx86_cmd, "cmds.gdb", timeout=120)
    r.finish()          # prints the summary, exits 0 or 1
"""
import subprocess, sys, time


def gdb_session(cmd, script, timeout, cwd=None):
    """start tx86 (cmd has -gdb ... -S), run Debian's gdb on script in batch
    mode, let tx86 end (the script kills it) or kill it; returns gdb's
    output and tx86's stderr, as text"""
    tx = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, cwd=cwd)
    time.sleep(1)
    g = subprocess.run(["gdb", "-batch", "-nx", "-x", script], stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout)
    try:
        err = tx.communicate(timeout=60)[1]
    except subprocess.TimeoutExpired:
        tx.kill()
        err = tx.communicate()[1]
    return g.stdout.decode(errors="replace"), err.decode(errors="replace")


class Results:
    def __init__(self, name):
        self.name, self.passed, self.failed = name, 0, 0

    def check(self, ok, msg):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
        print(("PASS" if ok else "FAIL") + " %s: %s" % (self.name, msg), flush=True)

    def skip(self, why):
        print("%s: SKIP: %s" % (self.name, why), flush=True)
        self.finish()

    def finish(self):
        print("%s: %d passed, %d failed" % (self.name, self.passed, self.failed), flush=True)
        sys.exit(0 if self.failed == 0 else 1)
