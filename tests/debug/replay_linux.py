#!/usr/bin/env python3
"""replay_linux.py - record and replay of a Linux boot with typed serial
input, and reverse execution in Debian's gdb on the replay (issue 14).

  replay_linux.py TX86 VMLINUZ INITRD

1. Record: the busybox initramfs in shell mode; once its shell is up,
   commands are typed on the serial console (one reads kernel symbols from
   /proc/kallsyms), then `poweroff -f`.  -icount shift=0,rr=record.
2. Replay, no input: the serial output and the exit status must equal the
   recording's byte for byte, and the interrupt check (every interrupt at
   the recorded instruction count) must not complain.
3. Replay under gdb (-gdb, -S): break at ksys_write twice, reverse-continue
   back to the first hit (an earlier instruction count, same eip); watch a
   kernel stack word below that frame (earlier callees wrote it; Debian's
   kallsyms has no data symbols) and reverse-continue to the instruction
   that last wrote it (gdb shows old and new values); reverse-stepi and
   stepi move the count by one each way; one more stepi does the write
   and the word holds again what it held at the breakpoint.

Prints PASS/FAIL lines and "replay_linux: N passed, N failed"; skips when
gdb or the guest is missing.
"""
import os, re, random, shutil, subprocess, sys, tempfile, threading, time
sys.dont_write_bytecode = True          # no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from results import Results, gdb_session

NAME = "replay_linux"
R = Results(NAME)
result = R.check

finish = R.finish
skip = R.skip


class Reader(threading.Thread):
    """collects a process's stdout; wait_for(pattern) blocks until it appears"""
    def __init__(self, f):
        super().__init__(daemon=True)
        self.f, self.data, self.cv = f, b"", threading.Condition()
        self.start()

    def run(self):
        while True:
            b = os.read(self.f.fileno(), 4096)
            with self.cv:
                if not b:
                    self.cv.notify_all()
                    self.eof = True
                    return
                self.data += b
                self.cv.notify_all()

    def wait_for(self, pat, start, timeout):
        end = time.time() + timeout
        with self.cv:
            while pat not in self.data[start:]:
                left = end - time.time()
                if left <= 0 or getattr(self, "eof", False):
                    return -1
                self.cv.wait(left)
            return self.data.index(pat, start) + len(pat)


def main():
    tx86, vmlinuz, initrd = (os.path.abspath(a) for a in sys.argv[1:4])
    if not shutil.which("gdb"):
        skip("gdb is not installed")
    if not os.path.exists(vmlinuz):
        skip("no Linux guest (tests/boot/get-guests.sh)")
    tmp = tempfile.mkdtemp(prefix="tx86-replay.")
    log = os.path.join(tmp, "boot.rr")
    base = [tx86, "-M", "pc", "-m", "128", "-kernel", vmlinuz, "-initrd", initrd,
            "-append", "console=ttyS0 nokaslr tx86.mode=shell", "-nographic", "-no-reboot"]

    # 1. record, typing once the shell is up
    rec = subprocess.Popen(base + ["-icount", "shift=0,rr=record,rrfile=" + log],
                           stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, cwd=tmp)
    rd = Reader(rec.stdout)
    at = rd.wait_for(b"busybox shell (poweroff -f to leave)", 0, 300)
    at = rd.wait_for(b"# ", max(at, 0), 60) if at >= 0 else -1
    typed = ["echo 0 > /proc/sys/kernel/kptr_restrict",
             "grep -A1 -w ksys_write /proc/kallsyms | sed 's/^/KSYM /'",
             "echo typed-$((6 * 7))-done"]
    for line in typed:
        if at < 0:
            break
        rec.stdin.write(line.encode() + b"\n")
        rec.stdin.flush()
        at = rd.wait_for(b"# ", at + len(line), 60)
    if at >= 0:
        rec.stdin.write(b"poweroff -f\n")
        rec.stdin.flush()
    try:
        rec.wait(timeout=300)
    except subprocess.TimeoutExpired:
        rec.kill()
        rec.wait()
    rd.join(10)
    rec_out, rec_err = rd.data, rec.stderr.read()
    open(os.path.join(tmp, "rec.out"), "wb").write(rec_out)
    result(b"typed-42-done" in rec_out and rec.returncode == 0,
           "recorded a boot with typed input (exit %s, log %d bytes)" %
           (rec.returncode, os.path.getsize(log) if os.path.exists(log) else 0))
    ksyms = [(int(m.group(1), 16), m.group(2).decode()) for m in
             re.finditer(rb"KSYM ([0-9a-f]{8}) [Tt] (\w+)", rec_out)]
    syms = dict((n, a) for a, n in ksyms)
    if "ksys_write" not in syms or len(ksyms) != 2:
        result(False, "kernel symbols from /proc/kallsyms (got %s)" % syms)
        print(rec_err.decode(errors="replace")[-2000:])
        finish()

    # 2. replay without input: the same output, no divergence
    rep = subprocess.run(base + ["-icount", "shift=0,rr=replay,rrfile=" + log],
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, cwd=tmp, timeout=600)
    open(os.path.join(tmp, "rep.out"), "wb").write(rep.stdout)
    result(rep.stdout == rec_out, "replay output equals the recording's (%d bytes)" %
           len(rec_out))
    result(rep.returncode == rec.returncode and b"went another way" not in rep.stderr,
           "replay exit status %d and every interrupt at its recorded count" % rep.returncode)
    if b"went another way" in rep.stderr:
        print(rep.stderr.decode(errors="replace")[-1500:])

    # 3. reverse execution in gdb on the replay; ksys_write and the symbol
    # after it make a symbol file (ld), so that gdb knows the function's
    # bounds for reverse-finish
    port = random.randint(20000, 40000)
    ks = syms["ksys_write"]
    elf = os.path.join(tmp, "ksyms.elf")
    script = "SECTIONS { .text 0x%x (NOLOAD) : {\n" % (ksyms[0][0] & ~0xfff)
    for a, n in sorted(ksyms):
        script += ". = 0x%x; %s = .;\n" % (a - (ksyms[0][0] & ~0xfff), n)
    script += ". = . + 0x100; } }\n"
    open(os.path.join(tmp, "ksyms.ld"), "w").write(script)
    have_elf = (shutil.which("as") and shutil.which("ld") and
                subprocess.run("echo .text | as --32 -o %s/e.o && ld -m elf_i386 -T %s/ksyms.ld "
                               "-o %s %s/e.o" % (tmp, tmp, elf, tmp), shell=True).returncode == 0)
    cmds = os.path.join(tmp, "cmds")
    open(cmds, "w").write("""set pagination off
set confirm off
set architecture i386
%s
target remote :%d
hbreak *0x%x
continue
continue
monitor info
reverse-continue
info registers eip
monitor info
delete
set $slot = $esp - 0x40
printf "AT-BREAK %%08x\\n", *(int *)$slot
watch *(int *)$slot
reverse-continue
monitor info
printf "BEFORE-WRITE %%08x\\n", *(int *)$slot
reverse-stepi
monitor info
stepi
monitor info
stepi
printf "AFTER-WRITE %%08x\\n", *(int *)$slot
delete
hbreak *0x%x
continue
monitor info
delete
stepi 3
reverse-finish
monitor info
printf "AFTER-FINISH\\n"
x/i $pc
kill
""" % ("file " + elf if have_elf else "", port, ks, ks))
    out, tx_err = gdb_session(base + ["-icount", "shift=0,rr=replay,rrfile=" + log,
                                      "-gdb", "tcp::%d" % port, "-S"], cmds, 600, cwd=tmp)
    open(os.path.join(tmp, "gdb.out"), "w").write(out)
    counts = [int(c) for c in re.findall(r"icount (\d+) cs:eip", out)]
    ok = len(counts) == 7
    result(ok, "gdb session ran (%d of 7 monitor info answers)" % len(counts))
    m = re.search(r"Old value = (-?\d+)\s+New value = (-?\d+)", out)
    if ok:
        a, b, c, d, e, f, g = counts
        result(b < a and re.search(r"^eip\s+0x%x" % ks, out, re.M) is not None,
               "reverse-continue from the 2nd ksys_write hit to the 1st (%d -> %d)" % (a, b))
        result(c < b and m is not None and m.group(1) != m.group(2),
               "reverse-continue to the last write of the watched word (count %d, %s)" %
               (c, m.group(0).replace("\n", " ") if m else "no old/new values"))
        result(d == c - 1 and e == c, "reverse-stepi and stepi (%d, %d, %d)" % (c, d, e))
        v = dict(re.findall(r"^(AT-BREAK|BEFORE-WRITE|AFTER-WRITE) ([0-9a-f]+)", out, re.M))
        result(len(v) == 3 and v["AFTER-WRITE"] == v["AT-BREAK"] and
               v["BEFORE-WRITE"] != v["AT-BREAK"],
               "the instruction found writes the value seen at the breakpoint (%s)" % v)
        call = re.search(r"AFTER-FINISH\s*\n=> 0x[0-9a-f]+[^\n]*", out)
        result(f == b and g == f - 1 and call is not None and "call" in call.group(0) and
               ("0x%x" % ks) in call.group(0),
               "reverse-finish from ksys_write to its call (%d -> %d: %s)%s" %
               (f, g, call.group(0).split("=> ")[-1] if call else "no x/i",
                "" if have_elf else " (no symbol file: as/ld missing)"))
    if R.failed:
        print("--- gdb\n" + out[-3000:])
        print("--- tx86\n" + tx_err[-1500:])
    else:
        shutil.rmtree(tmp, ignore_errors=True)
    finish()


main()
