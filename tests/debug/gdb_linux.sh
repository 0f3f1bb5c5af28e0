#!/bin/sh
# gdb_linux.sh - debug Debian's i386 kernel with Debian's gdb in batch mode.
#
#   tests/debug/gdb_linux.sh            (TX86=./tx86 by default)
#
# 1. An earlier boot (tx86.mode=shell, commands typed on the serial
#    console) reads start_kernel's address from /proc/kallsyms (nokaslr:
#    it is the same in every boot; Debian's System.map is a stub).
# 2. tx86 -gdb tcp::PORT -S boots the same kernel stopped at the first
#    instruction; gdb breaks at start_kernel (a hardware breakpoint, set
#    before paging is on), continues, checks eip and cs, sets a watchpoint
#    on a stack word 64 bytes below start_kernel's frame (its callees write
#    it) and sees it trigger with old and new values, single-steps,
#    detaches, and the boot must reach userspace and power off.
# Skips with a message while the guest does not reach userspace in tx86.
set -u
name=gdb_linux
. "$(dirname "$0")/linux_lib.sh"
command -v gdb >/dev/null 2>&1 || linux_skip "gdb is not installed"
linux_guests
args="-M pc -m 256 -kernel $G/vmlinuz -initrd $G/initrd.gz -nographic -no-reboot"

# 1. start_kernel from /proc/kallsyms
{ sleep "${KALLSYMS_WAIT:-60}"
  echo "echo 0 > /proc/sys/kernel/kptr_restrict"
  echo "grep -w -e start_kernel -e T.start_kernel /proc/kallsyms | sed 's/^/KSYM /'"
  echo "poweroff -f"; sleep 30; } |
    timeout 150 "$TX86" $args -append "console=ttyS0 nokaslr tx86.mode=shell" >"$tmp/ksym.out" 2>&1
grep -a -q "TX86-USERSPACE-UP" "$tmp/ksym.out" ||
    linux_skip "the Linux guest does not reach userspace in tx86 yet"
addr=$(sed -n 's/.*KSYM \([0-9a-f]\{8\}\) [Tt] start_kernel.*/\1/p' "$tmp/ksym.out" | head -n 1)
[ -n "$addr" ] || linux_skip "start_kernel not found in /proc/kallsyms"
echo "$name: start_kernel = 0x$addr"

# 2. the gdb session
port=$((20000 + $$ % 20000))
cat >"$tmp/cmds" <<EOC
set pagination off
set confirm off
set architecture i386
target remote :$port
info registers eip
hbreak *0x$addr
continue
info registers eip cs
print/x \$cr0
set \$slot = \$esp - 0x40
watch *(int *)\$slot
continue
delete
stepi
info registers eip
detach
EOC
timeout 300 "$TX86" $args -append "console=ttyS0 nokaslr tx86.mode=test" \
    -gdb tcp::$port -S >"$tmp/tx86.out" 2>&1 &
pid=$!
sleep 1
timeout 200 gdb -batch -nx -x "$tmp/cmds" >"$tmp/gdb.out" 2>&1
wait $pid
status=$?
check "stopped at the first instruction" "^eip "                         "$tmp/gdb.out"
check "breakpoint at start_kernel"       "^eip *0x$addr"                 "$tmp/gdb.out"
check "kernel code segment"              "^cs *0x60"                     "$tmp/gdb.out"
check "paging on"                        "^\$1 = 0x8"                    "$tmp/gdb.out"
check "watchpoint triggered"             "^Hardware watchpoint 2"        "$tmp/gdb.out"
check "watchpoint old value"             "^Old value = "                 "$tmp/gdb.out"
check "watchpoint new value"             "^New value = "                 "$tmp/gdb.out"
check "detached"                         "detached"                      "$tmp/gdb.out"
check "boot finished after detach"       "TX86-USERSPACE-UP"             "$tmp/tx86.out"
if [ "$status" -eq 0 ]; then
    pass=$((pass + 1)); echo "PASS $name: exit status 0"
else
    fail=$((fail + 1)); echo "FAIL $name: exit status $status (want 0)"
fi
[ "$fail" -eq 0 ] || { echo "--- gdb"; tail -n 40 "$tmp/gdb.out"; echo "--- tx86"; tail -n 20 "$tmp/tx86.out"; }
echo "$name: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
