#!/bin/sh
# run-libfuzzer.sh - runs the libFuzzer harnesses built by
# tests/fuzz/libfuzzer.mk (make fuzz-smoke / make fuzz).
#
#   tests/fuzz/run-libfuzzer.sh smoke DIR RUNS NAME...
#       each harness DIR/fuzz_NAME runs its seed corpus (tests/fuzz/corpus/
#       NAME) and then RUNS inputs with a fixed seed; new inputs go to a
#       temporary directory that is removed.  Ends with
#       "fuzz-smoke: N passed, N failed".
#   tests/fuzz/run-libfuzzer.sh long DIR SECONDS NAME...
#       each harness for SECONDS, growing DIR/corpus-NAME (seeded from the
#       tree's corpus).  Ends with "fuzz-long: N passed, N failed".
#
# A crash, sanitizer report, leak, timeout or out-of-memory is a failure:
# the input that caused it is kept as DIR/artifacts/NAME/crash-... (or
# leak-, timeout-, oom-) and the command that replays it is printed.
# Extra libFuzzer flags come from a "FUZZ-ARGS:" line in the harness source,
# a dictionary from tests/fuzz/dict/NAME.dict; a "FUZZ-SMOKE-RUNS: N" line
# replaces RUNS for a slow harness.
set -u
mode=$1; dir=$2; amount=$3; shift 3
# leaks count; ASan aborts so libFuzzer writes the reproducer
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:allocator_may_return_null=1:handle_abort=1
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export ASAN_OPTIONS UBSAN_OPTIONS
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tx86-libfuzzer.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
pass=0; fail=0
for name in "$@"; do
    bin=$dir/fuzz_$name
    src=tests/fuzz/harness/fuzz_$name.c
    seeds=tests/fuzz/corpus/$name
    art=$dir/artifacts/$name
    mkdir -p "$art"
    args=$(sed -n 's/.*FUZZ-ARGS:[[:space:]]*//p' "$src" | head -n 1)
    runs=$(sed -n 's/.*FUZZ-SMOKE-RUNS:[[:space:]]*\([0-9]*\).*/\1/p' "$src" | head -n 1)
    [ -f "tests/fuzz/dict/$name.dict" ] && args="$args -dict=tests/fuzz/dict/$name.dict"
    [ -d "$seeds" ] || seeds=""
    log=$tmp/$name.log
    start=$(date +%s)
    if [ "$mode" = smoke ]; then
        rm -rf "$tmp/new" && mkdir "$tmp/new"
        # shellcheck disable=SC2086
        "$bin" -runs="${runs:-$amount}" -seed=1 -timeout=30 -rss_limit_mb=2560 \
            -artifact_prefix="$art/" -print_final_stats=1 $args "$tmp/new" $seeds >"$log" 2>&1
    else
        corpus=$dir/corpus-$name
        mkdir -p "$corpus"
        # shellcheck disable=SC2086
        "$bin" -max_total_time="$amount" -timeout=30 -rss_limit_mb=2560 \
            -artifact_prefix="$art/" -print_final_stats=1 $args "$corpus" $seeds >"$log" 2>&1
    fi
    rc=$?
    secs=$(( $(date +%s) - start ))
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    cov=$(sed -n 's/^#[0-9]*.*cov: \([0-9]*\).*/\1/p' "$log" | tail -n 1)
    if [ "$rc" -eq 0 ]; then
        pass=$((pass + 1))
        echo "ok   $name: ${execs:-?} inputs, coverage ${cov:-?} edges, ${secs} s"
    else
        fail=$((fail + 1))
        echo "FAIL $name (exit $rc after ${secs} s):"
        grep -E 'ERROR:|runtime error|SUMMARY|deadly signal|Test unit written' "$log" |
            head -n 8 | sed 's/^/    /'
        unit=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
        if [ -n "$unit" ]; then
            echo "    reproduce: $bin $args $unit"
        else
            tail -n 20 "$log" | sed 's/^/    /'
        fi
        cp "$log" "$art/last-failure.log"
        echo "    log: $art/last-failure.log"
    fi
done
echo "fuzz-$mode: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
