#!/bin/sh
# tests/boot/debian.sh - a full Debian 12 i386 system (systemd, udev,
# python3, openssh-server; tests/boot/debian-image.sh builds and caches the
# image) booted from -hda through SeaBIOS and GRUB, on each backend (native,
# then interp; once under QEMU when $TX86 is qemu-system-i386).  Checks:
#   - GRUB ran, systemctl is-system-running says "running", no failed unit
#   - programs built here with gcc -m32 (tests/boot/libc_check.c: threads,
#     TLS, futex, signals, vDSO, mmap, fork/exec; tests/boot/hello.c), static
#     and dynamic, and a Python ctypes callback (tests/boot/ctypes_qsort.py)
#     print in the guest what they print on this host; they reach the guest
#     on a second disk (-hdb, ext4 labelled TX86-CHECKS, made by
#     mkfs.ext4 -d) that the image's tx86-check.service runs
#   - root logs in on the serial console (tests/boot/serial_login.py) and a
#     command's output comes back; then the guest powers off.
# Time limits: DEBIAN_TIMEOUT_NATIVE, DEBIAN_TIMEOUT_INTERP (seconds);
# DEBIAN_BACKENDS="native interp" chooses the runs.  Logs:
# $BOOT_LOG_DIR/debian-BACKEND.log.
. "$(dirname "$0")/lib.sh"
here=$boot_top/tests/boot
PYTHON=python3
[ -x /usr/bin/python3 ] && PYTHON=/usr/bin/python3
command -v $PYTHON >/dev/null 2>&1 || { echo "  python3 is missing"; exit 77; }
command -v mkfs.ext4 >/dev/null 2>&1 || { echo "  mkfs.ext4 is missing"; exit 77; }

img=$(sh "$here/debian-image.sh" 2> "$BOOT_LOG_DIR/debian-image.log")
case $? in
0) ;;
77) echo "  $(tail -n 1 "$BOOT_LOG_DIR/debian-image.log")"; exit 77 ;;
*)  echo "  cannot build the Debian image (see $BOOT_LOG_DIR/debian-image.log)"
    tail -n 10 "$BOOT_LOG_DIR/debian-image.log" | sed 's/^/    | /'
    exit 1 ;;
esac

tmp=$(mktemp -d "${TMPDIR:-/tmp}/tx86-debian.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM
c=$tmp/checks
mkdir -p "$c"

# ---- the programs, and what they print on this host ----
cflags="-m32 -O2 -Wall -pthread"
for v in static dynamic; do
    f=; [ $v = static ] && f="-static -DLIBC_CHECK_STATIC"
    for p in hello libc_check; do
        # shellcheck disable=SC2086
        gcc $cflags $f -o "$c/$p-$v" "$here/$p.c" > "$tmp/gcc.log" 2>&1 ||
            { echo "  gcc -m32 $f $p.c failed: that check is left out"; tail -n 3 "$tmp/gcc.log"; }
    done
done
cp "$here/ctypes_qsort.py" "$c/"
cat > "$c/run.sh" <<'EOF'
# run.sh - the checks of tests/boot/debian.sh, run the same way on the host
# and in the guest; every line starts with the check's name.  Scratch files
# go to $CHECK_TMP (default /tmp).
t=${CHECK_TMP:-/tmp}
for p in hello-static hello-dynamic libc_check-static libc_check-dynamic; do
    [ -x ./$p ] || continue
    ./$p "$t" > "$t/tx86-check.out" 2>&1
    s=$?
    sed "s/^/$p: /" "$t/tx86-check.out"
    echo "$p: exit $s"
done
${PYTHON:-python3} ctypes_qsort.py > "$t/tx86-check.out" 2>&1
s=$?
sed "s/^/ctypes: /" "$t/tx86-check.out"
echo "ctypes: exit $s"
rm -f "$t/tx86-check.out"
# facts for whoever reads the log, not compared with the host
cs=/sys/devices/system/clocksource/clocksource0
echo "diag: clocksource $(cat $cs/current_clocksource) of: $(cat $cs/available_clocksource)"
echo "diag: cpu $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1)"
EOF
mkdir "$tmp/scratch"
(cd "$c" && PYTHON=$PYTHON CHECK_TMP=$tmp/scratch sh ./run.sh) 2>&1 | grep -v '^diag: ' > "$tmp/expected"
echo 600 > "$c/login-wait"          # the guest powers off by itself after that
mkfs.ext4 -q -F -L TX86-CHECKS -d "$c" "$tmp/checks.img" 32M > /dev/null || { echo "  mkfs.ext4 failed"; exit 1; }

# ---- the runs ----
case $(basename "$TX86") in
qemu*) runs="qemu" ;;
*) runs=${DEBIAN_BACKENDS:-native interp} ;;
esac
for run in $runs; do
    case $run in
    native) secs=${DEBIAN_TIMEOUT_NATIVE:-600}; opt=--backend=native ;;
    interp) secs=${DEBIAN_TIMEOUT_INTERP:-1800}; opt=--backend=interp ;;
    *) secs=${DEBIAN_TIMEOUT_QEMU:-600}; opt="-accel tcg" ;;
    esac
    boot_log=$BOOT_LOG_DIR/debian-$run.log
    echo " $run:"
    boot_t0=$(date +%s)
    # shellcheck disable=SC2086
    $PYTHON "$here/serial_login.py" --log "$boot_log" --timeout "$secs" \
        --wait-for TX86-DEBIAN-CHECKS-DONE --login-prompt "tx86-debian login:" \
        --password tx86 --prompt "root@tx86-debian:~#" \
        --command 'echo LOGIN-OK-$((6*7))-$(uname -m); touch /run/tx86-login-done' \
        --expect LOGIN-OK-42-i686 --time TX86-GRUB --time "Linux version" --time TX86-DEBIAN-STATE \
        -- "$TX86" $opt -m 512 -hda "$img" -hdb "$tmp/checks.img" -snapshot \
        -boot order=c -nographic -no-reboot
    boot_status=$?
    boot_secs=$(( $(date +%s) - boot_t0 ))
    failures_before=$boot_failures
    boot_status_is 0
    boot_expect "TX86-GRUB loading Linux" "TX86-DEBIAN-STATE running" "TX86-DEBIAN-FAILED 0 []" \
        "TX86-DEBIAN-CHECKS found" "TX86-DEBIAN-POWEROFF" "LOGIN-OK-42-i686"
    boot_refuse "Kernel panic" "Oops" "BUG:" "segfault at" "trap invalid opcode" "general protection"
    sed -n 's/^.*TX86-OUT //p' "$boot_log" | tr -d '\r' | grep -v '^diag: ' > "$tmp/got"
    if ! cmp -s "$tmp/expected" "$tmp/got"; then
        echo "  the checks' output differs from the host's (- host, + guest):"
        diff -u "$tmp/expected" "$tmp/got" | tail -n +3 | head -n 40 | sed 's/^/    /'
        boot_failures=$((boot_failures + 1))
    fi
    if [ $boot_failures -eq "$failures_before" ]; then
        echo "  $run ok (${boot_secs}s; $(grep -c . "$tmp/expected") check lines)"
    else
        echo "  $run FAILED; last lines of $boot_log:"
        tail -n 25 "$boot_log" | tail -c 3000 | sed 's/^/    | /'
    fi
done
[ $boot_failures -eq 0 ]
