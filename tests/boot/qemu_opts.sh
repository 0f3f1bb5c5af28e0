#!/bin/sh
# tests/boot/qemu_opts.sh - the QEMU options of daemon scripts, end to end
# (docs/qemu-compat.md), with tests/boot/qemu_opts_rom.asm as the -bios ROM
# (it reports whether COM1 and a VGA answer, says hello on COM1, lives ~2 s
# and exits with status 1 through isa-debug-exit).  About 10 s, no guest
# images needed; everything happens in a temporary directory.
#   -nodefaults     the ROM sees no COM1 and no VGA; -vga std, -serial
#                   file: bring them back; without it both are there
#   -pidfile        holds tx86's pid while it runs, a second tx86 on the
#                   same file is refused, the file is gone after the exit
#                   (also after SIGTERM)
#   -daemonize      the parent returns at once with status 0, the daemon
#                   runs the ROM to its end (-debugcon and -serial file:);
#                   a set-up error still reaches the terminal (status 1)
. "$(dirname "$0")/lib.sh"
case "$TX86" in *qemu*) ;; *) [ -x "$TX86" ] || { echo "  no $TX86"; exit 1; } ;; esac
command -v nasm >/dev/null || { echo "  nasm missing"; exit 77; }
work=$(mktemp -d "${TMPDIR:-/tmp}/tx86-qemu-opts.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
rom=$work/rom.bin
nasm -f bin -o "$rom" "$boot_top/tests/boot/qemu_opts_rom.asm" || exit 1
fails=0
boot_secs=0
t0=$(date +%s)
bad() { echo "  $*"; fails=$((fails + 1)); }
exitdev="isa-debug-exit,iobase=0xf4,iosize=4"

# expect FILE LINE...: FILE holds exactly these lines
expect() {
    f=$1; shift
    printf '%s\n' "$@" > "$work/want"
    cmp -s "$work/want" "$f" || { bad "$f differs:"; diff "$work/want" "$f" | sed 's/^/    /'; }
}
# wait_gone PID SECS: the process ended within SECS seconds
wait_gone() {
    n=0
    while kill -0 "$1" 2>/dev/null; do
        [ $n -ge $(($2 * 10)) ] && return 1
        sleep 0.1; n=$((n + 1))
    done
}

# ---- -nodefaults: what the guest sees -------------------------------------
run() {  # NAME ARGS...: the ROM in the foreground, console in NAME.out
    name=$1; shift
    timeout -k 5 30 "$TX86" -bios "$rom" -debugcon "file:$work/$name.out" \
        -device "$exitdev" "$@" </dev/null >"$work/$name.log" 2>&1
    st=$?
    [ $st -eq 1 ] || bad "$name: exit status $st, want 1 ($(head -c 300 "$work/$name.log"))"
}
run defaults -display none
expect "$work/defaults.out" "COM1: present" "VGA: present" "ROM done"
run nodefaults -nodefaults -nographic
expect "$work/nodefaults.out" "COM1: absent" "VGA: absent" "ROM done"
[ -s "$work/nodefaults.log" ] && bad "-nodefaults -nographic printed: $(head -c 200 "$work/nodefaults.log")"
run nodefaults-vga -nodefaults -vga std -serial "file:$work/nd-serial.txt"
expect "$work/nodefaults-vga.out" "COM1: present" "VGA: present" "ROM done"
printf 'hello from COM1\r\n' > "$work/want-serial"
cmp -s "$work/want-serial" "$work/nd-serial.txt" || bad "-serial file: got '$(cat "$work/nd-serial.txt")'"

# ---- -pidfile in the foreground -----------------------------------------
pidf=$work/fg.pid
"$TX86" -bios "$rom" -nodefaults -display none -device "$exitdev" -pidfile "$pidf" \
    </dev/null >"$work/fg.log" 2>&1 &
fg=$!
n=0
while [ ! -s "$pidf" ] && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
[ "$(cat "$pidf" 2>/dev/null)" = "$fg" ] || bad "-pidfile holds '$(cat "$pidf" 2>/dev/null)', want $fg"
"$TX86" -bios "$rom" -nodefaults -display none -pidfile "$pidf" >"$work/lock.log" 2>&1
st=$?
[ $st -eq 1 ] && grep -q "cannot lock" "$work/lock.log" ||
    bad "a second tx86 on the same -pidfile: status $st, '$(cat "$work/lock.log")'"
[ "$(cat "$pidf" 2>/dev/null)" = "$fg" ] || bad "the refused tx86 changed the pid file"
wait "$fg"; st=$?
[ $st -eq 1 ] || bad "-pidfile run: exit status $st, want 1"
[ -e "$pidf" ] && bad "-pidfile: $pidf still there after the exit"
# SIGTERM: tx86 ends, the pid file goes with it
"$TX86" -bios "$rom" -nodefaults -display none -pidfile "$pidf" </dev/null >/dev/null 2>&1 &
fg=$!
n=0
while [ ! -s "$pidf" ] && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
kill -TERM "$fg"
{ wait "$fg"; } 2>/dev/null
[ -e "$pidf" ] && bad "-pidfile: $pidf still there after SIGTERM"

# ---- -daemonize ---------------------------------------------------------
pidf=$work/d.pid
d0=$(date +%s)
timeout -k 5 10 "$TX86" -bios "$rom" -nodefaults -serial "file:$work/d-serial.txt" \
    -debugcon "file:$work/d.out" -device "$exitdev" -pidfile "$pidf" -daemonize \
    </dev/null >"$work/d.log" 2>&1
st=$?
[ $st -eq 0 ] || bad "-daemonize: the parent's status $st, want 0 ($(head -c 300 "$work/d.log"))"
[ $(($(date +%s) - d0)) -le 1 ] || bad "-daemonize: the parent waited for the guest"
[ -s "$work/d.log" ] && bad "-daemonize printed: $(head -c 200 "$work/d.log")"
dpid=$(cat "$pidf" 2>/dev/null)
if [ -z "$dpid" ] || ! kill -0 "$dpid" 2>/dev/null; then
    bad "-daemonize: no running daemon in the pid file ('$dpid')"
else
    case "$(tr '\0' ' ' < "/proc/$dpid/cmdline" 2>/dev/null)" in
    *-daemonize*) ;;
    *) bad "-daemonize: pid $dpid is not the daemon" ;;
    esac
    wait_gone "$dpid" 20 || { bad "-daemonize: the daemon is still running"; kill "$dpid"; }
fi
expect "$work/d.out" "COM1: present" "VGA: absent" "ROM done"
cmp -s "$work/want-serial" "$work/d-serial.txt" || bad "-daemonize serial: '$(cat "$work/d-serial.txt")'"
[ -e "$pidf" ] && bad "-daemonize: $pidf still there after the daemon ended"
# errors: stdio refused before the fork; a set-up error of the machine
# (a BIOS of the wrong size) comes from the child, still on the terminal
"$TX86" -bios "$rom" -daemonize -serial stdio >"$work/e1.log" 2>&1
st=$?
[ $st -eq 1 ] && grep -q "cannot be used with -daemonize" "$work/e1.log" ||
    bad "-daemonize -serial stdio: status $st, '$(cat "$work/e1.log")'"
head -c 1000 "$rom" > "$work/short.bin"
"$TX86" -bios "$work/short.bin" -nodefaults -daemonize -pidfile "$pidf" >"$work/e2.log" 2>&1
st=$?
[ $st -eq 1 ] && grep -q "64 KiB" "$work/e2.log" ||
    bad "-daemonize with a bad BIOS: status $st, '$(cat "$work/e2.log")'"
[ -e "$pidf" ] && bad "-daemonize with a bad BIOS left $pidf"

boot_secs=$(($(date +%s) - t0))
if [ $fails -eq 0 ]; then
    echo "  ok (${boot_secs}s)"
    exit 0
fi
exit 1
