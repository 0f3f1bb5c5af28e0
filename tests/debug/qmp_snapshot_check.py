#!/usr/bin/env python3
"""qmp_snapshot_check.py - QMP's snapshot jobs (snapshot-save, snapshot-load,
snapshot-delete, query-jobs, job-dismiss; QEMU 6.0's) and bad requests.

  qmp_snapshot_check.py TX86 KERNEL INITRD

The Linux guest of tests/boot runs with a qcow2 disk and a QMP socket:
 1. snapshot-save of a running guest: JOB_STATUS_CHANGE created, running,
    waiting, pending, concluded (as QEMU's, STOP/RESUME between), the
    return {}; query-jobs keeps the concluded job until job-dismiss
    (event "null"); the guest runs on;
 2. bad requests get clear errors and the machine runs on: job-dismiss
    of an unknown job, a missing tag, an ID in use, an ill-formed ID,
    devices naming no drive or only a CD-ROM, vmstate outside devices,
    no devices, snapshot-load of a missing tag (the job concludes with
    the error in query-jobs), migrate-incoming without -incoming defer;
 3. qemu-img snapshot -l lists the snapshot and qemu-img check is clean;
 4. a new process (-S) loads it with snapshot-load and deletes it with
    snapshot-delete; qemu-img agrees and the image checks clean.
Prints PASS/FAIL lines and "qmp_snapshot_check: N passed, N failed".
"""
import os, re, subprocess, sys, tempfile, time
sys.dont_write_bytecode = True          # no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hmp_client import wait_sock
from qmp_client import Qmp

JOB_OK = ["created", "running", "waiting", "pending", "concluded"]
JOB_FAILED = ["created", "running", "aborting", "concluded"]

def main():
    tx86, kernel, initrd = sys.argv[1:4]
    tmp = tempfile.mkdtemp(prefix="tx86-qmpsnap.")
    disk = os.path.join(tmp, "disk.qcow2")
    cd = os.path.join(tmp, "cd.iso")
    qsock = os.path.join(tmp, "qmp.sock")
    passed = failed = 0
    def result(ok, msg):
        nonlocal passed, failed
        passed += bool(ok)
        failed += not ok
        print(("PASS" if ok else "FAIL") + " qmp_snapshot_check: " + msg, flush=True)
    subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", disk, "64M"], check=True)
    with open(cd, "wb") as f:
        f.write(b"\0" * 2048 * 16)
    base = [tx86, "-M", "pc", "-m", "256", "-kernel", kernel, "-initrd", initrd,
            "-append", "console=ttyS0 nokaslr tx86.mode=test", "-nographic", "-no-reboot",
            "-drive", "file=%s,format=qcow2" % disk, "-cdrom", cd,
            "-qmp", "unix:%s,server,nowait" % qsock]
    def start(extra=()):
        if os.path.exists(qsock):
            os.unlink(qsock)
        p = subprocess.Popen(base + list(extra), stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        if not wait_sock(qsock, p):
            raise RuntimeError("tx86 did not start: " + p.stderr.read().decode()[-300:])
        return p, Qmp(qsock)
    def stop(p, q):
        try:
            q.cmd("quit")
        except (OSError, EOFError):
            pass
        q.close()
        p.wait(timeout=60)
    def job(q, cmd, **args):
        """run a job command: its reply, the job's states, the other events"""
        r = q.cmd(cmd, **args)
        ev, t0 = [], time.time()
        while time.time() - t0 < 120 and "error" not in r:
            ev += q.drain(0.5)
            if any(e["event"] == "JOB_STATUS_CHANGE" and e["data"].get("id") == args["job-id"]
                   and e["data"]["status"] == "concluded" for e in ev):
                ev += q.drain(0.3)      # a RESUME after the job's last state
                break
        states = [e["data"]["status"] for e in ev if e["event"] == "JOB_STATUS_CHANGE"
                  and e["data"].get("id") == args.get("job-id")]
        others = [e["event"] for e in ev if e["event"] != "JOB_STATUS_CHANGE"]
        return r, states, others
    def jobs(q):
        return {j["id"]: j for j in q.cmd("query-jobs").get("return", [])}
    def err(r):
        return r.get("error", {}).get("desc", "") if "error" in r else "(no error: %s)" % r
    snap = {"vmstate": "ide0-hd0", "devices": ["ide0-hd0"]}

    # 1. snapshot-save of a running guest
    p, q = start()
    time.sleep(3)
    r, states, others = job(q, "snapshot-save", **{"job-id": "save1", "tag": "s1"}, **snap)
    result(r.get("return") == {} and states == JOB_OK,
           "snapshot-save: %s, states %s" % (r, states))
    result("STOP" in others and "RESUME" in others, "the guest was stopped for the save and "
           "resumed (%s)" % others)
    j = jobs(q).get("save1", {})
    result(j.get("status") == "concluded" and j.get("type") == "snapshot-save" and
           "error" not in j, "query-jobs: %s" % j)
    r = q.cmd("job-dismiss", id="save1")
    ev = [e["data"]["status"] for e in q.drain() if e["event"] == "JOB_STATUS_CHANGE"]
    result(r.get("return") == {} and ev == ["null"] and "save1" not in jobs(q),
           "job-dismiss: %s, event %s, the job is gone" % (r, ev))
    # 2. bad requests
    r = q.cmd("job-dismiss", id="nosuch")
    result(err(r) == "Job not found", "job-dismiss of an unknown job: %s" % err(r))
    r = q.cmd("snapshot-save", **{"job-id": "x1"}, **snap)
    result(err(r) == "Parameter 'tag' is missing", "snapshot-save without a tag: %s" % err(r))
    r = q.cmd("snapshot-save", **{"job-id": "9x", "tag": "t"}, **snap)
    result("Invalid job ID" in err(r), "an ill-formed job ID: %s" % err(r))
    bad = [("nodev", {"vmstate": "nosuch", "devices": ["nosuch"]}, "No block device node 'nosuch'"),
           ("cdrom", {"vmstate": "ide1-cd0", "devices": ["ide0-hd0", "ide1-cd0"]},
            "'ide1-cd0' takes no snapshots"),
           ("vmout", {"vmstate": "ide1-cd0", "devices": ["ide0-hd0"]},
            "vmstate block device 'ide1-cd0' does not exist"),
           ("nodevs", {"vmstate": "ide0-hd0", "devices": []}, "At least one device")]
    for jid, a, want in bad:
        r, states, _ = job(q, "snapshot-save", **{"job-id": jid, "tag": "t"}, **a)
        e = jobs(q).get(jid, {}).get("error", "")
        result(r.get("return") == {} and states == JOB_FAILED and want in e,
               "snapshot-save %s: states %s, error '%s'" % (a, states, e))
    r = q.cmd("snapshot-save", **{"job-id": "nodev", "tag": "t"}, **snap)
    result(err(r) == "Job ID 'nodev' already in use", "an ID in use: %s" % err(r))
    r, states, _ = job(q, "snapshot-load", **{"job-id": "load0", "tag": "nosuch"}, **snap)
    e = jobs(q).get("load0", {}).get("error", "")
    result(states == JOB_FAILED and "nosuch" in e, "snapshot-load of a missing tag: states %s, "
           "error '%s'" % (states, e))
    r = q.cmd("migrate-incoming", uri="unix:" + os.path.join(tmp, "in.sock"))
    result(err(r) == "'-incoming' was not specified on the command line",
           "migrate-incoming without -incoming defer: %s" % err(r))
    st = q.cmd("query-status").get("return", {})
    result(st.get("status") == "running" and p.poll() is None,
           "after the bad requests the guest runs on (%s)" % st.get("status"))
    stop(p, q)
    # 3. qemu-img's view
    lst = subprocess.run(["qemu-img", "snapshot", "-l", disk], capture_output=True, text=True)
    chk = subprocess.run(["qemu-img", "check", disk], capture_output=True, text=True)
    result(re.search(r"\bs1\b", lst.stdout) and chk.returncode == 0,
           "qemu-img snapshot -l lists s1, qemu-img check is clean")
    # 4. load and delete in a new process
    p, q = start(["-S"])
    r, states, _ = job(q, "snapshot-load", **{"job-id": "load1", "tag": "s1"}, **snap)
    j = jobs(q).get("load1", {})
    result(r.get("return") == {} and states == JOB_OK and "error" not in j,
           "snapshot-load s1: states %s %s" % (states, j.get("error", "")))
    r, states, _ = job(q, "snapshot-delete", **{"job-id": "del1", "tag": "s1",
                                                "devices": ["ide0-hd0"]})
    j = jobs(q).get("del1", {})
    result(r.get("return") == {} and states == JOB_OK and "error" not in j,
           "snapshot-delete s1: states %s %s" % (states, j.get("error", "")))
    result(list(jobs(q)) == ["del1", "load1"], "query-jobs lists the newest first: %s"
           % list(jobs(q)))
    stop(p, q)
    lst = subprocess.run(["qemu-img", "snapshot", "-l", disk], capture_output=True, text=True)
    chk = subprocess.run(["qemu-img", "check", disk], capture_output=True, text=True)
    result(not re.search(r"\bs1\b", lst.stdout) and chk.returncode == 0,
           "after snapshot-delete qemu-img lists no s1 and the image checks clean")
    print("qmp_snapshot_check: %d passed, %d failed" % (passed, failed))
    subprocess.run(["rm", "-rf", tmp])
    return 0 if failed == 0 else 1

sys.exit(main())
