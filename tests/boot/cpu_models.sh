#!/bin/sh
# tests/boot/cpu_models.sh - every i686 CPU model (-cpu NAME) as Debian's
# 686 kernel sees it (issue "MMX, SSE, SSE2, SSE3 and SSSE3": /proc/cpuinfo
# shows the right flags for each): the busybox initramfs prints
# /proc/cpuinfo; vendor, family/model/stepping and the flags that tell the
# SIMD extensions apart (mmx fxsr sse sse2 pni ssse3) must be the real
# part's: present or absent as the table below says, and the kernel must
# not trap on anything.  486 and pentium are left out (no CMOV: the 686
# kernel refuses them).  About 5 s per model.
. "$(dirname "$0")/lib.sh"
command -v cpio > /dev/null || { echo "  cpio missing"; exit 77; }
boot_guests
work=$(mktemp -d "${TMPDIR:-/tmp}/tx86-cpus.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/root"
cat > "$work/root/init" <<'INITEND'
#!/bin/busybox sh
/bin/busybox mount -t devtmpfs dev /dev 2>/dev/null
exec </dev/console >/dev/console 2>&1
/bin/busybox --install -s /bin
mount -t proc proc /proc
sed -n 's/^\(vendor_id\|cpu family\|model\|model name\|stepping\|flags\)[[:space:]]*: /TX86-CPU \1: /p' /proc/cpuinfo
echo "TX86-TESTS-DONE"
poweroff -f
INITEND
chmod +x "$work/root/init"
(cd "$work/root" && find . | cpio -o -H newc 2>/dev/null) | gzip > "$work/cpus.cpio.gz"
cat "$G/initrd.gz" "$work/cpus.cpio.gz" > "$work/initrd.gz"

# NAME VENDOR FAMILY MODEL STEPPING HAS... -LACKS... (the real parts: SDM
# Vol. 2A CPUID, the processors' specification updates)
while read -r model vendor fam mod step flags; do
    [ -n "$model" ] || continue
    failures_before=$boot_failures
    boot_run "${BOOT_TIMEOUT:-60}" "cpu_$model" -cpu "$model" -m 128 -kernel "$G/vmlinuz" \
        -initrd "$work/initrd.gz" -append "console=ttyS0 nokaslr" -nographic -no-reboot
    boot_status_is 0
    boot_expect "TX86-TESTS-DONE" "TX86-CPU vendor_id: $vendor" "TX86-CPU cpu family: $fam" \
        "TX86-CPU model: $mod" "TX86-CPU stepping: $step"
    boot_refuse "invalid opcode" "general protection" "Call Trace" "unchecked MSR"
    got=" $(sed -n 's/^.*TX86-CPU flags: //p' "$boot_log" | tr -d '\r' | head -n 1) "
    for f in $flags; do
        case $f in
        -*) case $got in *" ${f#-} "*) echo "  $model: /proc/cpuinfo shows ${f#-}"
                                     boot_failures=$((boot_failures + 1)) ;; esac ;;
        *)  case $got in *" $f "*) ;; *) echo "  $model: /proc/cpuinfo lacks $f"
                                         boot_failures=$((boot_failures + 1)) ;; esac ;;
        esac
    done
    [ $boot_failures -eq "$failures_before" ] && echo "  $model ok (${boot_secs}s)"
done <<'TABLE'
pentiumpro GenuineIntel 6 1 9 fpu cmov pae -mmx -fxsr -sse -sse2 -pni -ssse3
pentium2 GenuineIntel 6 5 2 fpu cmov mmx sep -fxsr -sse -sse2 -pni -ssse3
pentium3 GenuineIntel 6 7 3 mmx fxsr sse -sse2 -pni -ssse3
pentium4 GenuineIntel 15 1 2 mmx fxsr sse sse2 clflush -pni -ssse3
coreduo GenuineIntel 6 14 8 mmx fxsr sse sse2 pni nx -ssse3
n270 GenuineIntel 6 28 2 mmx fxsr sse sse2 pni ssse3 nx
athlon AuthenticAMD 6 2 3 mmx fxsr -sse -sse2 -pni -ssse3
qemu32 GenuineIntel 6 6 3 mmx fxsr sse sse2 pni -ssse3
kvm32 GenuineIntel 15 6 1 mmx fxsr sse sse2 pni -ssse3
tx86 GenuineIntel 6 3 3 fpu cmov apic nx mmx fxsr sse sse2 pni -ssse3
TABLE
boot_done
