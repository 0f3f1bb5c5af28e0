#!/bin/sh
# run-tests.sh - the whole tx86 test suite, from a fresh checkout.
#
#   1. scripts/setup-debian.sh (installs what is missing)
#   2. ./configure && make -j2 && make check  (unit + guest ROMs + random-code
#      robustness + differential)
#   3. a second build with --enable-sanitizers (ASan + UBSan) in a copy of
#      the tree (build/sanitizers/), running make check-unit check-diff-short
#      check-fuzz-short
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
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

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
if step configure build ./configure && step build build make -j"$jobs"; then
    step check-unit test make check-unit
    step check-guest test make check-guest
    step check-fuzz test make check-fuzz
    step check-boot test make check-boot
    step check-debug test make check-debug
    step check-diff test make check-diff
fi

# sanitizer build in a copy of the tree, so the normal build stays intact
san=$root/build/sanitizers
copy_tree() {
    rm -rf "$san" && mkdir -p "$san" &&
    tar -C "$root" --exclude=./build --exclude=./.git --exclude=./tx86 \
        --exclude=./config.mk --exclude=./config.h --exclude=./Makefile -cf - . |
        tar -C "$san" -xf -
}
if step san-copy build copy_tree &&
   step san-configure build sh -c "cd '$san' && ./configure --enable-sanitizers" &&
   step san-build build make -C "$san" -j"$jobs" tx86 tests; then
    step san-check-unit test make -C "$san" check-unit
    step san-check-diff-short test make -C "$san" check-diff-short
    step san-check-fuzz-short test make -C "$san" check-fuzz-short
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
