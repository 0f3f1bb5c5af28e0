#!/usr/bin/env python3
"""snapshot_check.py - named snapshots in a qcow2 disk: savevm, loadvm,
-loadvm, delvm, info snapshots, and qemu-img as the oracle of the image.

  snapshot_check.py TX86 KERNEL INITRD

The Linux guest of tests/boot runs its test script under -icount with a
qcow2 disk (so runs repeat exactly):
 1. reference: one uninterrupted run (output R);
 2. a run stopped after a few seconds takes `savevm s1` and quits
    (output A): `qemu-img snapshot -l` lists s1 and `qemu-img check` is
    clean;
 3. a new process with `-loadvm s1` (output B): A followed by B is R;
 4. a run that takes `savevm s2`, goes on, then `loadvm s2` in the same
    process: its output ends with the output of `-loadvm s2` in a new
    process (the continuation from the snapshot);
 5. `info snapshots` lists s1 and s2; `delvm s1` removes it (qemu-img
    agrees and the image checks clean); loadvm of a missing name is an
    error that leaves the machine running.
Prints PASS/FAIL lines and "snapshot_check: N passed, N failed".
"""
import os, re, subprocess, sys, tempfile, time
sys.dont_write_bytecode = True          # no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hmp_client import hmp, wait_sock

def main():
    tx86, kernel, initrd = sys.argv[1:4]
    tmp = tempfile.mkdtemp(prefix="tx86-snap.")
    disk = os.path.join(tmp, "disk.qcow2")
    mon = os.path.join(tmp, "mon.sock")
    passed = failed = 0
    def result(ok, msg):
        nonlocal passed, failed
        passed += ok
        failed += not ok
        print(("PASS" if ok else "FAIL") + " snapshot_check: " + msg, flush=True)
    subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", disk, "64M"], check=True)
    base = [tx86, "-M", "pc", "-m", "256", "-kernel", kernel, "-initrd", initrd,
            "-append", "console=ttyS0 nokaslr tx86.mode=test", "-nographic", "-no-reboot",
            "-icount", "shift=0", "-rtc", "base=2020-01-01",
            "-drive", "file=%s,format=qcow2" % disk]
    def run(extra, out_name):
        with open(os.path.join(tmp, out_name), "wb") as o:
            r = subprocess.run(base + extra, stdin=subprocess.DEVNULL, stdout=o,
                               stderr=subprocess.PIPE, timeout=1800)
        return open(os.path.join(tmp, out_name), "rb").read(), r.returncode, r.stderr.decode()
    def start(out_name, extra=()):
        if os.path.exists(mon):
            os.unlink(mon)
        o = open(os.path.join(tmp, out_name), "wb")
        p = subprocess.Popen(base + list(extra) + ["-monitor", "unix:%s,server,nowait" % mon],
                             stdin=subprocess.DEVNULL, stdout=o, stderr=subprocess.PIPE)
        ok = wait_sock(mon, p)
        return p, o, ok
    def finish(p, o, out_name):
        try:
            hmp(mon, "quit")
        except OSError:
            pass
        p.wait(timeout=120)
        o.close()
        return open(os.path.join(tmp, out_name), "rb").read()

    ref, ref_st, _ = run([], "ref.out")
    # 2. savevm s1
    p, o, ok = start("a.out")
    time.sleep(4)
    hmp(mon, "stop")
    r = hmp(mon, "savevm s1")
    result(ok and r == "", "savevm s1 (%s)" % (r or "no message"))
    a = finish(p, o, "a.out")
    lst = subprocess.run(["qemu-img", "snapshot", "-l", disk], capture_output=True, text=True)
    result(re.search(r"\bs1\b", lst.stdout) is not None, "qemu-img snapshot -l lists s1")
    chk = subprocess.run(["qemu-img", "check", disk], capture_output=True, text=True)
    result(chk.returncode == 0, "qemu-img check is clean after savevm")
    # 3. -loadvm s1 in a new process
    b, st, err = run(["-loadvm", "s1"], "b.out")
    same = a + b == ref
    result(same and st == ref_st, "-loadvm s1: the saved run's output then the loaded run's "
           "equals an uninterrupted run (%d + %d of %d bytes)" % (len(a), len(b), len(ref)))
    if not same:
        print("  stderr: " + err[-300:])
    # 4. savevm s2, go on, loadvm s2 in the same process
    p, o, ok = start("c.out")
    time.sleep(3)
    r1 = hmp(mon, "savevm s2")
    time.sleep(2)
    r2 = hmp(mon, "loadvm s2")
    info = hmp(mon, "info snapshots")
    r3 = hmp(mon, "loadvm nosuch")
    status = hmp(mon, "info status")
    # let the guest finish: it powers off, tx86 ends
    try:
        p.wait(timeout=600)
    except subprocess.TimeoutExpired:
        p.kill()
    o.close()
    c = open(os.path.join(tmp, "c.out"), "rb").read()
    result(r1 == "" and r2 == "", "savevm s2, loadvm s2 in one process (%s %s)" % (r1, r2))
    result("s1" in info and "s2" in info, "info snapshots lists s1 and s2")
    result("nosuch" in r3 and "running" in status,
           "loadvm of a missing snapshot: an error, the machine runs on (%s)" % r3)
    d, _, _ = run(["-loadvm", "s2"], "d.out")
    result(len(d) > 0 and c.endswith(d), "after loadvm s2 the guest goes on as a new process "
           "started with -loadvm s2 does (%d bytes)" % len(d))
    # 5. delvm
    p, o, ok = start("e.out", ["-S"])
    r = hmp(mon, "delvm s1")
    finish(p, o, "e.out")
    lst = subprocess.run(["qemu-img", "snapshot", "-l", disk], capture_output=True, text=True)
    chk = subprocess.run(["qemu-img", "check", disk], capture_output=True, text=True)
    result(r == "" and not re.search(r"\bs1\b", lst.stdout) and re.search(r"\bs2\b", lst.stdout)
           and chk.returncode == 0, "delvm s1: qemu-img lists s2 only, check clean")
    # 6. no drive: refused without --snapshot-dir, a state file with it
    base[:] = [a for a in base if not a.startswith("file=") and a != "-drive"]
    p, o, ok = start("f.out")
    r = hmp(mon, "savevm f1")
    finish(p, o, "f.out")
    result("--snapshot-dir" in r, "no drive, no --snapshot-dir: savevm says what to do (%s)" % r)
    sdir = os.path.join(tmp, "states")
    os.mkdir(sdir)
    base += ["--snapshot-dir", sdir]
    ref2, st2, _ = run([], "ref2.out")
    p, o, ok = start("g.out")
    time.sleep(3)
    hmp(mon, "stop")
    r = hmp(mon, "savevm f1")
    g = finish(p, o, "g.out")
    f = os.path.join(sdir, "f1.tx86vm")
    result(r == "" and os.path.exists(f) and open(f, "rb").read(2) == b"\x1f\x8b",
           "savevm f1 writes a compressed state file (%s)" % (r or "%d bytes" % os.path.getsize(f)))
    h, st, _ = run(["-loadvm", "f1"], "h.out")
    result(g + h == ref2 and st == st2, "-loadvm f1 from the state file continues exactly")
    print("snapshot_check: %d passed, %d failed" % (passed, failed))
    subprocess.run(["rm", "-rf", tmp])
    return 0 if failed == 0 else 1

sys.exit(main())
