#!/bin/sh
# tests/boot/debian_sse.sh - the full Debian 12 system of debian.sh on CPU
# models with SSE2 (issue "MMX, SSE, SSE2, SSE3 and SSSE3"): booted with
# -cpu n270 (Atom: SSE3, SSSE3) and -cpu pentium4 (SSE2) to systemd's
# `running` with no failed unit, the kernel's /proc/cpuinfo flags must be
# the model's, and tests/boot/sse_check.c, built here with gcc -m32 -O2
# -msse2 -mfpmath=sse (static, and dynamic so glibc's SSE2/SSSE3 string
# functions run), must print in the guest what it prints on this host.
# The build's default backend; about a minute per model.  Skipped (77)
# without gcc -m32 or the image.
. "$(dirname "$0")/lib.sh"
here=$boot_top/tests/boot
command -v mkfs.ext4 >/dev/null 2>&1 || { echo "  mkfs.ext4 is missing"; exit 77; }
img=$(sh "$here/debian-image.sh" 2> "$BOOT_LOG_DIR/debian-image.log")
case $? in
0) ;;
77) echo "  $(tail -n 1 "$BOOT_LOG_DIR/debian-image.log")"; exit 77 ;;
*)  echo "  cannot build the Debian image (see $BOOT_LOG_DIR/debian-image.log)"; exit 1 ;;
esac
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tx86-debsse.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM
fail() { echo "  $*"; boot_failures=$((boot_failures + 1)); }

c=$tmp/checks
mkdir -p "$c"
for v in static dynamic; do
    f=; [ $v = static ] && f=-static
    # shellcheck disable=SC2086
    gcc -m32 -O2 -msse2 -mfpmath=sse $f -o "$c/sse_check-$v" "$here/sse_check.c" -lm \
        > "$tmp/gcc.log" 2>&1 || { echo "  gcc -m32 -msse2 failed:"; tail -n 3 "$tmp/gcc.log"; exit 77; }
done
cat > "$c/run.sh" <<'EOS'
for p in sse_check-static sse_check-dynamic; do
    ./$p | sed "s/^/$p: /"
    echo "$p: exit $?"
done
echo "flags: $(sed -n 's/^flags[^:]*: //p' /proc/cpuinfo | head -n 1)"
EOS
(cd "$c" && sh ./run.sh) | grep -v '^flags: ' > "$tmp/expected"
echo 0 > "$c/login-wait"                 # power off right after the checks
mkfs.ext4 -q -F -L TX86-CHECKS -d "$c" "$tmp/checks.img" 16M > /dev/null ||
    { echo "  mkfs.ext4 failed"; exit 1; }

# model, then the SIMD flags its /proc/cpuinfo must show (and must not)
for spec in "n270:mmx fxsr sse sse2 pni ssse3:" "pentium4:mmx fxsr sse sse2:pni ssse3"; do
    model=${spec%%:*}
    rest=${spec#*:}
    want=${rest%%:*}
    unwanted=${rest#*:}
    failures_before=$boot_failures
    boot_run "${DEBIAN_TIMEOUT_NATIVE:-600}" "debian_sse_$model" -cpu "$model" -d unimp -m 512 \
        -hda "$img" -hdb "$tmp/checks.img" -snapshot -boot order=c -nographic -no-reboot
    boot_status_is 0
    boot_expect "TX86-DEBIAN-STATE running" "TX86-DEBIAN-FAILED 0 []" "TX86-DEBIAN-POWEROFF"
    boot_refuse "Kernel panic" "Oops" "BUG:" "segfault at" "trap invalid opcode" \
        "general protection" "unimp: #UD"
    sed -n 's/^.*TX86-OUT //p' "$boot_log" | tr -d '\r' > "$tmp/got.all"
    grep -v '^flags: ' "$tmp/got.all" > "$tmp/got"
    if ! cmp -s "$tmp/expected" "$tmp/got"; then
        fail "$model: sse_check's output differs from the host's (- host, + guest):"
        diff -u "$tmp/expected" "$tmp/got" | tail -n +3 | head -n 20 | sed 's/^/    /'
    fi
    flags=" $(sed -n 's/^flags: //p' "$tmp/got.all") "
    for f in $want; do
        case $flags in *" $f "*) ;; *) fail "$model: /proc/cpuinfo lacks '$f'" ;; esac
    done
    for f in $unwanted; do
        case $flags in *" $f "*) fail "$model: /proc/cpuinfo shows '$f'" ;; esac
    done
    [ $boot_failures -eq "$failures_before" ] && echo "  $model ok (${boot_secs}s)"
done
boot_done
