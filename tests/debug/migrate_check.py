#!/usr/bin/env python3
"""migrate_check.py - live migration of a running guest on the loopback.

  migrate_check.py NAME --after SECONDS [--icount] [--unix] [--defer]
                   [--expect TEXT]... -- TX86 ARGS...

A destination tx86 waits with -incoming tcp:127.0.0.1:PORT; a source
with the same command line runs for SECONDS, then its monitor (HMP over
a unix socket) says `migrate tcp:127.0.0.1:PORT`; `info migrate` is read
until the migration completes, the source quits and the destination
finishes the guest's work.

--unix: the stream goes over a unix socket (unix:PATH) instead.
--defer: the destination starts with -incoming defer and a QMP socket;
the script checks that query-status says "inmigrate", that bad requests
are refused with clear errors (an unknown URI scheme, an empty unix:
path, a second migrate-incoming; on the source, migrate to a socket no
one listens at), and gives the URI with migrate-incoming; once the
migration completes the destination must be "running".

With --icount (the command line has -icount shift=N) the run is
deterministic: a third, uninterrupted run is the reference, and the
source's output followed by the destination's must equal it byte for
byte, with the same exit status.  Without it, the destination's output
must contain every line of --expect (repeatable).

Prints "PASS/FAIL NAME: ..." lines, the migration's figures, and
"NAME: N passed, N failed".
"""
import os, random, re, subprocess, sys, tempfile, time
sys.dont_write_bytecode = True          # no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hmp_client import hmp, wait_sock
from qmp_client import Qmp

def main():
    argv = sys.argv[1:]
    name = argv.pop(0)
    after, icount, expect, use_unix, defer = 3.0, False, [], False, False
    while argv[0] != "--":
        a = argv.pop(0)
        if a == "--after":
            after = float(argv.pop(0))
        elif a == "--icount":
            icount = True
        elif a == "--unix":
            use_unix = True
        elif a == "--defer":
            defer = True
        elif a == "--expect":
            expect.append(argv.pop(0))
    cmd = argv[1:]
    tmp = tempfile.mkdtemp(prefix="tx86-migrate.")
    passed = failed = 0
    def result(ok, msg):
        nonlocal passed, failed
        if ok:
            passed += 1
        else:
            failed += 1
        print(("PASS" if ok else "FAIL") + " %s: %s" % (name, msg), flush=True)

    ref = None
    if icount:
        r = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL, timeout=3600)
        ref = (r.stdout, r.returncode)
    port = random.randint(20000, 40000)
    uri = "unix:" + os.path.join(tmp, "mig.sock") if use_unix else "tcp:127.0.0.1:%d" % port
    mon = os.path.join(tmp, "mon.sock")
    qsock = os.path.join(tmp, "qmp.sock")
    dst_out = open(os.path.join(tmp, "dst.out"), "wb")
    dst_args = (["-incoming", "defer", "-qmp", "unix:%s,server,nowait" % qsock] if defer
                else ["-incoming", uri])
    dst = subprocess.Popen(cmd + dst_args,
                           stdin=subprocess.DEVNULL, stdout=dst_out, stderr=subprocess.PIPE)
    q = None
    if defer:
        wait_sock(qsock, dst)
        q = Qmp(qsock)
        st = q.cmd("query-status").get("return", {})
        result(st.get("status") == "inmigrate" and st.get("running") is False,
               "-incoming defer: query-status says %s" % st)
        for bad, want in (("bogus:x", "tcp:HOST:PORT and unix:PATH"),
                          ("unix:", "PATH")):
            r = q.cmd("migrate-incoming", uri=bad)
            desc = r.get("error", {}).get("desc", "")
            result(want in desc, "migrate-incoming %s refused: %s" % (bad, desc or r))
        r = q.cmd("migrate-incoming", uri=uri)
        result(r.get("return") == {}, "migrate-incoming %s: %s" % (uri, r))
        r = q.cmd("migrate-incoming", uri=uri)
        desc = r.get("error", {}).get("desc", "")
        result("already been started" in desc, "a second migrate-incoming refused: %s" % desc)
        st = q.cmd("query-status").get("return", {})
        result(st.get("status") == "inmigrate", "still inmigrate while the source is not "
               "there: %s" % st.get("status"))
    src_out = open(os.path.join(tmp, "src.out"), "wb")
    src = subprocess.Popen(cmd + ["-monitor", "unix:%s,server,nowait" % mon],
                           stdin=subprocess.DEVNULL, stdout=src_out, stderr=subprocess.PIPE)
    wait_sock(mon, src)
    if defer:
        out = hmp(mon, "migrate unix:%s" % os.path.join(tmp, "nobody.sock"))
        status = hmp(mon, "info status")
        result("migration failed" in out and "running" in status,
               "migrate to a socket no one listens at: an error, the source runs on (%s)" % out)
    time.sleep(after)
    t0 = time.time()
    out = hmp(mon, "migrate " + uri)
    if out.strip() and "(qemu)" not in out.strip().splitlines()[0]:
        print(out.strip())
    info = ""
    while time.time() - t0 < 600:
        info = hmp(mon, "info migrate")
        if re.search(r"status: (completed|failed|cancelled)", info):
            break
        time.sleep(0.05)
    figures = dict(re.findall(r"^([A-Za-z ]+): (\S+)", info, re.M))
    result(figures.get("Migration status") == "completed",
           "migration %s: total %s ms, downtime %s ms, %s KiB sent in %s rounds"
           % (figures.get("Migration status"), figures.get("total time"),
              figures.get("downtime"), figures.get("transferred ram"),
              figures.get("dirty sync count")))
    if q is not None:
        st = {}
        try:
            for _ in range(200):
                st = q.cmd("query-status").get("return", {})
                if st.get("status") != "inmigrate":
                    break
                time.sleep(0.05)
        except (OSError, EOFError, TimeoutError) as e:
            st = {"error": str(e)}
        result(st.get("status") == "running" and st.get("running") is True,
               "the destination runs once loaded: %s" % st)
        q.close()
    try:
        hmp(mon, "quit")
    except OSError:
        pass
    src.wait(timeout=60)
    try:
        dst.wait(timeout=3600)
    except subprocess.TimeoutExpired:
        dst.kill()
    dst_out.close(); src_out.close()
    so = open(os.path.join(tmp, "src.out"), "rb").read()
    do = open(os.path.join(tmp, "dst.out"), "rb").read()
    err = dst.stderr.read().decode(errors="replace")
    if ref is not None:
        same = so + do == ref[0]
        result(same and dst.returncode == ref[1],
               "source + destination output %s the uninterrupted run's (%d + %d bytes), "
               "status %d (want %d)" % ("equals" if same else "differs from", len(so), len(do),
                                        dst.returncode, ref[1]))
        if not same:
            n = next((i for i in range(min(len(so + do), len(ref[0])))
                      if (so + do)[i] != ref[0][i]), min(len(so + do), len(ref[0])))
            print("  first difference at byte %d; destination stderr: %s" % (n, err[-300:]))
    for e in expect:
        ok = e.encode() in do
        result(ok, "destination printed '%s'" % e)
        if not ok:
            print("  source ends: %r" % so[-200:])
            print("  destination: %r, stderr %s" % (do[-300:], err[-300:]))
    print("%s: %d passed, %d failed" % (name, passed, failed))
    subprocess.run(["rm", "-rf", tmp])
    return 0 if failed == 0 else 1

sys.exit(main())
