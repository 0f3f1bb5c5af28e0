#!/usr/bin/env python3
"""replay_rom.py - record and replay on each backend, with a small ROM that
takes serial input (tests/debug/echo_rom.asm; docs/replay.md).

  replay_rom.py TX86 "native interp" ECHO_ROM

For each backend:
1. record: lines are typed on COM1 (stdin) once the ROM says it is ready;
   it echoes them to the debug console with the timer tick count they came
   at, 'q' ends it;
2. replay without input: the same debug console output and exit status;
3. a log with one interrupt moved by one instruction: the replay stops
   and says where it went another way (exit status 1);
4. gdb on the replay: a watchpoint on the tick counter, continue, then
   reverse-continue lands on the instruction that wrote it before (an
   earlier count; the disassembly is the IRQ0 handler's inc), reverse-stepi
   and stepi move the count by one.

Prints PASS/FAIL lines and "replay_rom: N passed, N failed".
"""
import os, random, re, shutil, struct, subprocess, sys, tempfile, time
sys.dont_write_bytecode = True          # no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from results import Results, gdb_session

NAME = "replay_rom"
R = Results(NAME)
result = R.check


def wait_file(path, text, proc, timeout):
    end = time.time() + timeout
    while time.time() < end and proc.poll() is None:
        if os.path.exists(path) and text in open(path, "rb").read():
            return True
        time.sleep(0.05)
    return False


def first_irq_offset(log):
    """the offset of the first 'I' record of a replay log (replay.c's format)"""
    nd = log[8 + 4 + 4 + 8 + 8]
    p = 8 + 4 + 4 + 8 + 8 + 1 + nd * 17
    while p < len(log):
        tag = log[p:p + 1]
        if tag == b"N":
            p += 2 + 1 + log[p + 2]
        elif tag == b"D":
            n = struct.unpack_from("<I", log, p + 1 + 8 + 8 + 1)[0]
            p += 1 + 8 + 8 + 1 + 4 + n
        elif tag == b"I":
            return p
        else:
            return -1
    return -1


def one_backend(tx86, be, rom, tmp):
    base = [tx86, "--backend=" + be, "-bios", rom, "-nographic", "-device",
            "isa-debug-exit,iobase=0xf4,iosize=0x04"]
    log = os.path.join(tmp, be + ".rr")
    rec_dbg = os.path.join(tmp, be + "-rec.dbg")
    # 1. record
    # (the debug console on stdout: flushed at each newline, a file is not)
    rec = subprocess.Popen(base + ["-debugcon", "stdio",
                                   "-icount", "shift=0,rr=record,rrfile=" + log],
                           stdin=subprocess.PIPE, stdout=open(rec_dbg, "wb"),
                           stderr=subprocess.PIPE)
    ok = wait_file(rec_dbg, b"echo rom ready", rec, 60)
    for line in (b"hello\n", b"replay world\n", b"q"):
        if not ok:
            break
        time.sleep(0.2)
        rec.stdin.write(line)
        rec.stdin.flush()
    try:
        rec.wait(timeout=60)
    except subprocess.TimeoutExpired:
        rec.kill()
        rec.wait()
    out = open(rec_dbg, "rb").read() if os.path.exists(rec_dbg) else b""
    result(b"REPLAY WORLD @" in out and b"ticks " in out and rec.returncode == 1,
           "[%s] recorded typed input (exit %s): %s" % (be, rec.returncode,
                                                       out.replace(b"\n", b" | ").decode()))
    if rec.returncode != 1:
        print(rec.stderr.read().decode(errors="replace")[-1000:])
        return
    # 2. replay
    rep_dbg = os.path.join(tmp, be + "-rep.dbg")
    r = subprocess.run(base + ["-debugcon", "stdio",
                               "-icount", "shift=0,rr=replay,rrfile=" + log],
                       stdin=subprocess.DEVNULL, stdout=open(rep_dbg, "wb"),
                       stderr=subprocess.PIPE, timeout=120)
    rep = open(rep_dbg, "rb").read() if os.path.exists(rep_dbg) else b""
    result(rep == out and r.returncode == rec.returncode and b"another way" not in r.stderr,
           "[%s] replay: the same output and status %d" % (be, r.returncode))
    # 3. a damaged log: an interrupt one instruction later
    data = bytearray(open(log, "rb").read())
    at = first_irq_offset(data)
    bad = os.path.join(tmp, be + "-bad.rr")
    if at > 0:
        struct.pack_into("<Q", data, at + 1, struct.unpack_from("<Q", data, at + 1)[0] + 1)
        open(bad, "wb").write(data)
        r = subprocess.run(base + ["-debugcon", "file:" + os.path.join(tmp, "bad.dbg"),
                                   "-icount", "shift=0,rr=replay,rrfile=" + bad],
                           stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, timeout=120)
        result(r.returncode == 1 and b"went another way" in r.stderr,
               "[%s] a moved interrupt is found: %s" % (be, r.stderr.decode().strip()[-160:]))
    else:
        result(False, "[%s] no interrupt record in the log" % be)
    # 4. gdb
    if not shutil.which("gdb"):
        print("%s: SKIP [%s] gdb: not installed" % (NAME, be))
        return
    port = random.randint(20000, 40000)
    cmds = os.path.join(tmp, be + ".gdb")
    open(cmds, "w").write("""set pagination off
set confirm off
set architecture i8086
target remote :%d
watch *(int *)0x2004
continue
continue
continue
monitor info
reverse-continue
monitor info
x/i $pc
reverse-stepi
monitor info
stepi
monitor info
kill
""" % port)
    text, _ = gdb_session(base + ["-debugcon", "file:" + os.path.join(tmp, "gdb.dbg"),
                                  "-icount", "shift=0,rr=replay,rrfile=" + log,
                                  "-gdb", "tcp::%d" % port, "-S"], cmds, 120)
    counts = [int(c) for c in re.findall(r"icount (\d+) cs:eip", text)]
    insn = re.search(r"=> 0x[0-9a-f]+.*", text)
    ok = (len(counts) == 4 and counts[1] < counts[0] and counts[2] == counts[1] - 1 and
          counts[3] == counts[1] and insn is not None and "inc" in insn.group(0))
    result(ok, "[%s] gdb: reverse-continue to the last write of the tick counter, "
               "reverse-stepi, stepi (counts %s, %s)" %
           (be, counts, insn.group(0).strip() if insn else "no x/i"))
    if not ok:
        print(text[-2500:])


def main():
    tx86, backends, rom = sys.argv[1], sys.argv[2].split(), os.path.abspath(sys.argv[3])
    tx86 = os.path.abspath(tx86)
    tmp = tempfile.mkdtemp(prefix="tx86-replayrom.")
    for be in backends:
        one_backend(tx86, be, rom, tmp)
    if not R.failed:
        shutil.rmtree(tmp, ignore_errors=True)
    else:
        print("%s: files in %s" % (NAME, tmp))
    R.finish()


main()
