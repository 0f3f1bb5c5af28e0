#!/bin/sh
# tests/boot/run-boot.sh - make check-boot: run each boot test script with
# TX86 set, print its verdict, and end with "boot: N passed, N failed"
# (scripts/run-tests.sh adds such lines up).  Exit status 77 = skipped.
tx86=$1
shift
TX86=$(cd "$(dirname "$tx86")" && pwd)/$(basename "$tx86")
export TX86
pass=0 fail=0 skip=0
for t in "$@"; do
    echo "boot test $(basename "$t" .sh):"
    sh "$t"
    case $? in
    0) pass=$((pass + 1)) ;;
    77) skip=$((skip + 1)); echo "  skipped" ;;
    *) fail=$((fail + 1)); echo "  FAILED" ;;
    esac
done
[ $skip -eq 0 ] || echo "boot: $skip skipped"
echo "boot: $pass passed, $fail failed"
[ $fail -eq 0 ]
