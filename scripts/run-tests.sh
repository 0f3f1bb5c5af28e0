#!/bin/sh
# run-tests.sh - the whole tx86 test suite, from a fresh checkout.
#
#   1. scripts/setup-debian.sh (installs what is missing)
#   2. ./configure && make -j2 && make check  (unit + guest ROMs + random-code
#      robustness + differential; the MMX/SSE differential with 10^7 cases), the QEMU script options (check-qemu-opts),
#      the boot, kill (2 rounds), debug, monitor and display tests, then make fuzz-smoke (libFuzzer harnesses under ASan +
#      UBSan, tests/fuzz/libfuzzer.mk)
#   3. more builds, each in a copy of the tree (build/variants/): ASan +
#      UBSan (check-unit check-diff-short check-fuzz-short), --enable-debug
#      with the IR verifier (check-unit check-guest check-diff-short
#      check-fuzz-short, and check-boot-linux: Linux by -kernel) and
#      interpreter-only --disable-native (check-unit check-guest
#      check-diff-short check-fuzz-short)
#   4. make check-shell (shellcheck of the set-up scripts), the README's
#      main command on a fresh Debian 12 (make check-fresh: a debootstrap
#      chroot, the committed HEAD; it skips itself without root,
#      debootstrap or the network; TX86_CHECK_FRESH=0 leaves it out), and
#      no file left in the tree by any step (tree-clean: git status shows
#      no new untracked file)
# Prints a one-line result per step and ends with "N passed, N failed":
# the sum of the "NAME: N passed, N failed" lines the test runners print,
# plus one failure for each build step that failed.  Logs: build/test-logs/.
# Exit status 0 only when nothing failed.
set -u
cd "$(dirname "$0")/.." || exit 1
root=$(pwd)
logs=$root/build/test-logs
rm -rf "$logs"
mkdir -p "$logs"
passed=0
failed=0
jobs=${JOBS:-2}
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
# untracked files before the run (tree-clean compares)
untracked() { git -C "$root" status --porcelain --untracked-files=all 2>/dev/null | sed -n 's/^?? //p' | LC_ALL=C sort; }
untracked > "$logs/untracked.before"

# step NAME KIND COMMAND...: KIND is "build" (counts 1 on failure) or
# "test" (counts the runner summaries in its log)
step() {
    name=$1; kind=$2; shift 2
    log=$logs/$name.log
    printf '%-28s ' "$name"
    "$@" >"$log" 2>&1
    rc=$?
    if [ "$kind" = test ]; then
        sums=$(sed -n 's/^\([a-zA-Z0-9_-]*: \)\{0,1\}\([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed.*$/\2 \3/p' "$log")
        p=0; f=0
        if [ -n "$sums" ]; then
            p=$(echo "$sums" | awk '{s += $1} END {print s}')
            f=$(echo "$sums" | awk '{s += $2} END {print s}')
        fi
        if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
        passed=$((passed + p)); failed=$((failed + f))
        if [ "$rc" -eq 0 ]; then echo "ok ($p passed)"; else echo "FAILED ($p passed, $f failed; see $log)"; fi
    else
        if [ "$rc" -eq 0 ]; then echo "ok"; else echo "FAILED (see $log)"; failed=$((failed + 1)); fi
    fi
    if [ "$rc" -ne 0 ]; then tail -n 15 "$log" | sed 's/^/    /'; fi
    return $rc
}

step setup build scripts/setup-debian.sh
# no_warnings LOG: the compiler warned about nothing (a warning such as an
# incompatible pointer type is often a bug a merge brought in)
no_warnings() {
    if grep -n 'warning:' "$1"; then
        echo "build-warnings: 0 passed, 1 failed"; return 1
    fi
    echo "build-warnings: 1 passed, 0 failed"
}
if step configure build ./configure && step build build make -j"$jobs"; then
    step build-warnings test no_warnings "$logs/build.log"
    step check-unit test make check-unit
    step check-layers test make check-layers
    step check-bench-harness test make check-bench-harness   # make bench's tables (tests/bench)
    step check-width test make check-width
    step check-guest test make check-guest
    step check-qemu-opts test make check-qemu-opts   # -nodefaults, -pidfile, -daemonize
    step check-fuzz test make check-fuzz
    step check-boot test make check-boot
    step check-net test make check-net          # user networking, each NIC (docs/net.md)
    step check-kill test make check-kill KILL_ROUNDS=2    # 20 rounds: docs/testing.md
    step check-debug test make check-debug
    step check-monitor test make check-monitor
    step check-display test make check-display    # SDL window under Xvfb, VNC (docs/display.md)
    step check-diff test make check-diff DIFF_SIMD_COUNT=10000000   # 10^7 MMX/SSE cases, ~10 min
    step fuzz-smoke test make -j"$jobs" fuzz-smoke
fi

# other builds, each in a copy of the tree (build/variants/NAME), so the
# normal build stays intact: ASan + UBSan, --enable-debug (the IR verifier
# checks every block), and the interpreter alone (--disable-native)
copy_tree() {  # DIR
    rm -rf "$1" && mkdir -p "$1" &&
    tar -C "$root" --exclude=./build --exclude=./.git --exclude=./tx86 \
        --exclude=./tx86-trace --exclude=./config.mk --exclude=./config.h \
        --exclude=./Makefile -cf - . |
        tar -C "$1" -xf -
}
variant() {  # NAME "CONFIGURE ARGS" TARGETS...
    vname=$1; vargs=$2; shift 2
    vdir=$root/build/variants/$vname
    if step "$vname-copy" build copy_tree "$vdir" &&
       step "$vname-configure" build sh -c "cd '$vdir' && ./configure $vargs" &&
       step "$vname-build" build make -C "$vdir" -j"$jobs" tx86 tests; then
        for target in "$@"; do
            step "$vname-$target" test make -C "$vdir" "$target"
        done
    fi
}
variant san --enable-sanitizers check-unit check-diff-short check-fuzz-short
# the debug build boots Linux with the main build's guests (build/guests);
# -O0 and the verifier make it slower (BOOT_TIMEOUT, seconds)
export TX86_GUESTS="${TX86_GUESTS:-$root/build/guests}"
export BOOT_TIMEOUT="${BOOT_TIMEOUT:-600}"
variant debug --enable-debug check-unit check-guest check-diff-short check-fuzz-short \
    check-boot-linux
variant interp --disable-native check-unit check-guest check-diff-short check-fuzz-short

step check-shell test make check-shell
[ "${TX86_CHECK_FRESH:-1}" = 0 ] || step check-fresh test make check-fresh
tree_clean() {
    git -C "$root" rev-parse --git-dir >/dev/null 2>&1 || { echo "tree-clean: not a git checkout: skipped"; return 0; }
    untracked > "$logs/untracked.after"
    new=$(LC_ALL=C comm -13 "$logs/untracked.before" "$logs/untracked.after")
    if [ -n "$new" ]; then
        echo "files the tests left in the tree:"
        echo "$new"
        echo "tree-clean: 0 passed, 1 failed"
        return 1
    fi
    echo "tree-clean: 1 passed, 0 failed"
}
step tree-clean test tree_clean

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
