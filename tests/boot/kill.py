#!/usr/bin/env python3
"""tests/boot/kill.py - make check-kill: tx86 is killed with SIGKILL at a
random moment while the Debian 12 guest writes and fsync()s files; then the
host checks that the guest's ext4 file system is consistent and that every
file the guest reported synced is intact.  KILL_ROUNDS rounds (default 20).

    python3 tests/boot/kill.py [--rounds N] [--window SECS] [--seed S] ./tx86

Once per run: the Debian image of tests/boot/debian-image.sh (cached) is
copied into a temporary directory (cp --sparse=always), its kernel and
initrd are taken out with debugfs, and tests/boot/kill_writer.sh is written
into it as /tx86-kill-writer (debugfs write: no mount, no root needed).

Each round:
  1. a fresh 256 MiB ext4 data disk (mkfs.ext4) in the temporary directory;
  2. tx86 boots the image's own kernel and initramfs (-kernel, -initrd;
     root /dev/sda1 read-only from the copy, opened readonly=on) with
     init=/tx86-kill-writer, which mounts the data disk (-hdb) and writes
     files, printing "TX86-SYNCED NAME SHA256" on the serial console only
     after fsync() of the file and its directory returned;
  3. after TX86-KILL-READY (the disk is mounted) and the first
     TX86-SYNCED (the writes are under way), a random wait of 1 to
     --window seconds, then SIGKILL;
  4. the host replays the journal (e2fsck -E journal_only -y: what mounting
     does), then e2fsck -fn must find nothing to repair (exit 0), then
     every file reported synced is read back with debugfs dump and its
     SHA-256 compared.  A round passes with 0 lost files and a clean fsck.
Prints one line per round and "check-kill: N passed, N failed"; a failed
round's serial log is kept as $TMPDIR/tx86-kill-roundN.log (its data disk
too with KILL_KEEP=1).  Exit 77 (skip) when the image cannot be had or a
tool is missing.  The kill times come from a seed that is printed;
KILL_SEED=S repeats them.
"""
import argparse
import hashlib
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SYNCED = re.compile(r"^TX86-SYNCED (/\S+) ([0-9a-f]{64})\r?$")


def run(cmd, **kw):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, **kw)


def partition_offset(img):
    """byte offset of the first MBR partition (the root file system)"""
    with open(img, "rb") as f:
        mbr = f.read(512)
    return int.from_bytes(mbr[446 + 8:446 + 12], "little") * 512


def prepare(image, tmp):
    """copy the image, take its kernel and initrd, install the writer"""
    root = os.path.join(tmp, "root.img")
    subprocess.run(["cp", "--sparse=always", image, root], check=True)
    fs = "%s?offset=%d" % (root, partition_offset(root))
    boot = run(["debugfs", "-R", "ls /boot", fs]).stdout.split()
    kernel = sorted(n for n in boot if n.startswith("vmlinuz-"))[-1]
    initrd = sorted(n for n in boot if n.startswith("initrd.img-"))[-1]
    files = {"kernel": os.path.join(tmp, "vmlinuz"), "initrd": os.path.join(tmp, "initrd")}
    run(["debugfs", "-R", "dump /boot/%s %s" % (kernel, files["kernel"]), fs])
    run(["debugfs", "-R", "dump /boot/%s %s" % (initrd, files["initrd"]), fs])
    writer = os.path.join(HERE, "kill_writer.sh")
    run(["debugfs", "-w", "-R", "write %s /tx86-kill-writer" % writer, fs])
    run(["debugfs", "-w", "-R", "set_inode_field /tx86-kill-writer mode 0100755", fs])
    for f in files.values():
        if not os.path.getsize(f):
            raise RuntimeError("cannot take %s out of the image" % f)
    files["root"] = root
    return files


def wait_for(log, marker, proc, secs):
    end = time.time() + secs
    while time.time() < end and proc.poll() is None:
        with open(log, "rb") as f:
            if marker in f.read():
                return True
        time.sleep(0.5)
    return False


def one_round(n, args, files, tmp, rng):
    t0 = time.time()
    data = os.path.join(tmp, "data.img")
    log = os.path.join(tmp, "round%d.log" % n)
    if os.path.exists(data):
        os.unlink(data)
    with open(data, "wb") as f:
        f.truncate(256 << 20)
    run(["mkfs.ext4", "-q", "-F", data], check=True)
    cmd = [args.tx86, "-m", "512", "-nographic", "-no-reboot",
           "-kernel", files["kernel"], "-initrd", files["initrd"],
           "-append", "root=/dev/sda1 ro console=ttyS0,115200 quiet fsck.mode=skip "
                      "init=/tx86-kill-writer",
           "-drive", "file=%s,format=raw,readonly=on" % files["root"],
           "-drive", "file=%s,format=raw,index=1" % data]
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out,
                                stderr=subprocess.STDOUT)
    wait = rng.uniform(1.0, args.window)
    try:
        ready = (wait_for(log, b"TX86-KILL-READY", proc, args.boot_timeout) and
                 wait_for(log, b"TX86-SYNCED", proc, 120))
        t_ready = time.time()
        if ready:
            time.sleep(wait)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    problems = []
    with open(log, "rb") as f:
        text = f.read().decode("latin-1")
    if not ready:
        problems.append("the guest never said TX86-KILL-READY and TX86-SYNCED (log %s)" % log)
    if "TX86-KILL-FULL" in text:
        problems.append("the writer finished before the kill (raise its max)")
    synced = {}
    for line in text.splitlines():
        m = SYNCED.match(line)
        if m:
            synced[m.group(1)] = m.group(2)

    # the journal replay a mount would do, then a check that may not repair
    r = run(["e2fsck", "-E", "journal_only", "-y", data])
    if r.returncode not in (0, 1):
        problems.append("journal replay: e2fsck exit %d: %s" % (r.returncode, r.stdout[-300:]))
    r = run(["e2fsck", "-fn", data])
    if r.returncode != 0:
        problems.append("e2fsck -fn exit %d: %s" % (r.returncode, r.stdout[-600:]))

    lost = []
    outdir = os.path.join(tmp, "out")
    shutil.rmtree(outdir, ignore_errors=True)
    os.mkdir(outdir)
    script = os.path.join(tmp, "dump.cmds")
    names = sorted(synced)
    with open(script, "w") as f:
        for i, name in enumerate(names):
            f.write("dump %s %s/%d\n" % (name, outdir, i))
    run(["debugfs", "-f", script, data])
    for i, name in enumerate(names):
        path = os.path.join(outdir, str(i))
        got = None
        if os.path.exists(path):
            with open(path, "rb") as f:
                got = hashlib.sha256(f.read()).hexdigest()
        if got != synced[name]:
            lost.append(name + (" (missing)" if got is None else " (content differs)"))
    if lost:
        problems.append("%d synced files lost: %s" % (len(lost), ", ".join(lost[:10])))
    secs = time.time() - t0
    print("round %d: boot and first file %.0fs, killed %.1fs into the writes, %d synced files checked, "
          "%d lost, fsck %s, %.0fs" % (n, t_ready - t0, wait if ready else 0.0, len(synced),
                                       len(lost), "clean" if not any("e2fsck" in p for p in problems)
                                       else "NOT clean", secs), flush=True)
    for p in problems:
        print("  " + p, flush=True)
    if not problems:
        os.unlink(log)
    return not problems, len(synced), len(lost), secs


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("tx86")
    ap.add_argument("--rounds", type=int, default=int(os.environ.get("KILL_ROUNDS", "20")))
    ap.add_argument("--window", type=float, default=float(os.environ.get("KILL_WINDOW", "20")),
                    help="kill at most this many seconds after the first synced file")
    ap.add_argument("--seed", type=int, default=int(os.environ.get("KILL_SEED", "0")) or None)
    ap.add_argument("--boot-timeout", type=float, default=300)
    args = ap.parse_args()
    for tool in ("debugfs", "e2fsck", "mkfs.ext4"):
        if not shutil.which(tool):
            print("  %s is missing (apt-get install e2fsprogs)" % tool)
            return 77
    img = subprocess.run(["sh", os.path.join(HERE, "debian-image.sh")], text=True,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if img.returncode == 77:
        print("  skipped: %s" % img.stderr.strip().splitlines()[-1:])
        return 77
    if img.returncode != 0:
        print("  cannot build the Debian image: %s" % img.stderr.strip()[-500:])
        return 1
    image = img.stdout.strip()
    seed = args.seed or random.randrange(1, 1 << 30)
    rng = random.Random(seed)
    tmp = tempfile.mkdtemp(prefix="tx86-kill.")
    keep = False
    try:
        t0 = time.time()
        files = prepare(image, tmp)
        print("check-kill: %d rounds, seed %d (KILL_SEED=%d repeats the kill times), "
              "set-up %.0fs" % (args.rounds, seed, seed, time.time() - t0), flush=True)
        passed = failed = checked = lost = 0
        for n in range(1, args.rounds + 1):
            ok, c, l, _ = one_round(n, args, files, tmp, rng)
            checked += c
            lost += l
            if ok:
                passed += 1
            else:
                failed += 1
                keep = True
                if os.environ.get("KILL_KEEP"):
                    kept = os.path.join(tempfile.gettempdir(), "tx86-kill-round%d.img" % n)
                    shutil.copyfile(os.path.join(tmp, "data.img"), kept)
                    print("  the data disk is kept as %s" % kept)
        print("check-kill: %d synced files checked, %d lost, %.0fs" %
              (checked, lost, time.time() - t0))
        print("check-kill: %d passed, %d failed" % (passed, failed))
        return 0 if failed == 0 else 1
    finally:
        if keep:                                # the failed rounds' serial logs
            for f in os.listdir(tmp):
                if f.endswith(".log"):
                    kept = os.path.join(tempfile.gettempdir(), "tx86-kill-" + f)
                    shutil.copyfile(os.path.join(tmp, f), kept)
                    print("  kept %s" % kept)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
