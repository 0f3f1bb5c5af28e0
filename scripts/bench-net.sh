#!/bin/sh
# bench-net.sh - the network benchmark: the guest fetches SIZE_MB (default
# 100) MiB of pseudo-random bytes over HTTP from the host through user
# networking (slirp), under tx86 and under qemu-system-i386 -accel tcg with
# the same NIC model, alternating engines, RUNS rounds each (default 2),
# pinned to one host CPU (taskset -c ${BENCH_CPU:-1}).  The file is served
# by Python's http.server bound to 127.0.0.1 on a free port; the guest
# (Debian's i386 kernel and the network initramfs, tests/boot/get-net-guests.sh,
# tx86.mode=netbench) gets an address by DHCP, fetches
# http://10.0.2.2:PORT/bench.bin into RAM between two markers on its serial
# console, prints the md5 of what it got, and powers off.  Prints per engine
# the best transfer time (host clock between the markers' arrival: the
# guest's own clock lags under tx86, docs/PERFORMANCE.md "Network"), the
# throughput, the engine's CPU time (all threads) over the same interval,
# the figure least hurt by a shared machine, and the tx86/QEMU ratios; a
# run whose md5 differs from the file's is reported BAD and not counted
# (exit status 1).
# docs/PERFORMANCE.md ("Network") records the figures.
#
#   scripts/bench-net.sh [RUNS]            (default 2)
#   NIC=ne2k_pci scripts/bench-net.sh      e1000 (default), ne2k_pci, rtl8139 (no
#                                          QEMU figure: its C+ chip needs 8139cp)
#   SIZE_MB=20 scripts/bench-net.sh        a smaller file
set -u
cd "$(dirname "$0")/.." || exit 1
runs=${1:-2}
nic=${NIC:-e1000}
size_mb=${SIZE_MB:-100}
cpu=${BENCH_CPU:-1}
limit=${BENCH_TIMEOUT:-300}
[ -x ./tx86 ] || { echo "bench-net: build tx86 first (./configure && make)"; exit 1; }
command -v python3 > /dev/null 2>&1 || { echo "bench-net: needs python3"; exit 1; }
sh tests/boot/get-net-guests.sh > /dev/null || { echo "bench-net: cannot build the guests"; exit 1; }
G=build/guests
NG=build/net-guests
pin=""
command -v taskset > /dev/null 2>&1 && pin="taskset -c $cpu"
qemu=$(command -v qemu-system-i386 || true)
engines="tx86"
[ -n "$qemu" ] && engines="tx86 qemu"

out=$(mktemp -d "${TMPDIR:-/tmp}/tx86-bench-net.XXXXXX")
server=""
# shellcheck disable=SC2317  # called by the trap
cleanup() {
    [ -n "$server" ] && kill "$server" 2> /dev/null
    rm -f "$out/www/bench.bin"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
mkdir -p "$out/www"
head -c $((size_mb * 1048576)) /dev/urandom > "$out/www/bench.bin"
md5=$(md5sum "$out/www/bench.bin" | cut -d' ' -f1)

# the HTTP server: port 0 picks a free port, written to $out/port
python3 - "$out/www" "$out/port" > "$out/server.log" 2>&1 <<'PY' &
import functools, http.server, sys
handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1])
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
with open(sys.argv[2] + ".tmp", "w") as f:
    f.write("%d\n" % server.server_address[1])
import os
os.rename(sys.argv[2] + ".tmp", sys.argv[2])
server.serve_forever()
PY
server=$!
i=0
while [ ! -s "$out/port" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
[ -s "$out/port" ] || { echo "bench-net: the HTTP server did not start ($out/server.log)"; exit 1; }
port=$(cat "$out/port")
url="http://10.0.2.2:$port/bench.bin"

args="-m 512 -kernel $G/vmlinuz -initrd $NG/initrd-net.gz -append"
cmdline="console=ttyS0 nokaslr tx86.mode=netbench tx86.nic=$nic tx86.url=$url"
net="-netdev user,id=n0 -device $nic,netdev=n0"
bad=0

# run ENGINE N: the guest's output in $out/ENGINE.N.log with a host
# timestamp on each line and the engine's CPU ticks (all its threads) at
# the markers; its figure ("GUEST-SECONDS BYTES MD5 SECONDS CPU-SECONDS")
# in $out/ENGINE.N.fig when the bytes were right
hz=$(getconf CLK_TCK 2> /dev/null || echo 100)
run() {
    case $1 in
    tx86) cmd="./tx86" ;;
    qemu) cmd="$qemu -M pc -accel tcg" ;;
    esac
    rm -f "$out/pid"
    # shellcheck disable=SC2016,SC2086  # $$ is the inner shell's; $pin, $cmd, $args and $net are word lists
    timeout "$limit" sh -c 'echo $$ > "$0"; exec "$@"' "$out/pid" \
        $pin $cmd $args "$cmdline" $net -nographic -no-reboot < /dev/null 2>&1 |
        while IFS= read -r line; do
            printf '%s %s\n' "$(date +%s.%N)" "$line"
            case $line in
            TX86-NETBENCH-START*|TX86-NETBENCH-END*)
                echo "0 TX86-CPU $(awk '{ print $14 + $15 }' "/proc/$(cat "$out/pid")/stat" 2> /dev/null)" ;;
            esac
        done > "$out/$1.$2.log"
    fig=$(awk -v hz="$hz" '{ sub(/\r$/, "") }
        $2 == "TX86-CPU" { c[n++] = $3 }
        $2 == "TX86-NETBENCH-START" { t0 = $1 } $2 == "TX86-NETBENCH-END" { t1 = $1 }
        $2 == "TX86-NETBENCH" { printf "%s %s %s %.2f %.2f\n", $3, $4, $5, t1 - t0, (c[1] - c[0]) / hz }' \
        "$out/$1.$2.log")
    if [ -z "$fig" ]; then
        echo "bench-net: $1 run $2: no figure (log $out/$1.$2.log)" >&2
        bad=1
    elif [ "$(echo "$fig" | cut -d' ' -f3)" != "$md5" ]; then
        echo "bench-net: $1 run $2: BAD: the guest got md5 $(echo "$fig" | cut -d' ' -f3) ($(echo "$fig" | cut -d' ' -f2) bytes), the file is $md5" >&2
        bad=1
    else
        echo "bench-net: $1 run $2: $(echo "$fig" | cut -d' ' -f4) s, CPU $(echo "$fig" | cut -d' ' -f5) s (guest clock $(echo "$fig" | cut -d' ' -f1) s), md5 ok" >&2
        echo "$fig" > "$out/$1.$2.fig"
    fi
}

i=1
while [ $i -le "$runs" ]; do
    for e in $engines; do
        echo "bench-net: run $i, $e ($nic, $size_mb MiB)" >&2
        run "$e" "$i"
    done
    i=$((i + 1))
done

# best (smallest) figure per engine: FIELD 4 seconds, 5 CPU, 1 guest seconds
best() {
    cat "$out"/"$1".*.fig 2> /dev/null | awk -v k="$2" '$k > 0 && (b == "" || $k < b) { b = $k }
        END { print (b == "" ? "-" : b) }'
}
mbs() { awk -v t="$1" -v m="$size_mb" 'BEGIN { if (t == "-") print "-"; else printf "%.1f", m / t }'; }
printf '%-8s %-8s %10s %10s %10s %10s\n' nic engine seconds MiB/s cpu-s guest-s
best_tx86=- best_qemu=- cpu_tx86=- cpu_qemu=-
for e in $engines; do
    t=$(best "$e" 4)
    c=$(best "$e" 5)
    printf '%-8s %-8s %10s %10s %10s %10s\n' "$nic" "$e" "$t" "$(mbs "$t")" "$c" "$(best "$e" 1)"
    eval "best_$e=\$t cpu_$e=\$c"
done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b == 0) print "-";
    else printf "%.2f\n", a / b }'; }
echo "tx86/qemu ratio: time $(ratio "$best_tx86" "$best_qemu"), CPU $(ratio "$cpu_tx86" "$cpu_qemu")"
echo "(best of $runs, $size_mb MiB; seconds: host clock between the guest's markers around"
echo " the fetch; cpu-s: the engine's CPU time (all threads) in that interval; guest-s:"
echo " the guest's /proc/uptime, which lags under tx86; logs in $out)"
exit $bad
