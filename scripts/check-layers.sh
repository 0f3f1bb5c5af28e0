#!/bin/sh
# check-layers.sh - tx86's source folders form layers; a layer may include
# and call only the layers below it (docs/architecture.md, "Layers").
#
#   sh scripts/check-layers.sh [BUILD_DIR]      (make check-layers; after make)
#
# Bottom to top (a folder may use the folders listed after its name):
#
#   util        -
#   bus         util                         memory map, I/O ports, clock, IRQ lines
#   block       util                         disk image formats, image locks
#   mmu         util bus                     TLB, slow-path loads/stores
#   translator  util bus mmu                 IR, passes, block cache, backends
#   cpu-x86     util bus mmu translator      front end, helpers, exceptions, paging,
#                                            the local APIC
#   net         util bus                     NetClient pairs, user networking
#                                            (libslirp), the network options
#   devices     util bus block net           one file per chip, created with its
#                                            buses (bus/buses.h)
#   debug       util bus mmu translator cpu-x86    gdb stub, tracer
#   machine     everything above             the board: assembly, options, loader
#   ui          util bus block devices machine    screenshots, curses
#   monitor     util bus block mmu translator cpu-x86 devices debug machine ui
#                                            human monitor, QMP (beside ui:
#                                            its screendump writes through ui)
#   main, tools everything                   the programs
#
# Three checks, each violation on one line:
#   1. include  an #include "dir/x.h" in a lower folder names a higher
#               folder's header:     include: FILE -> HEADER
#   2. call     an object's undefined symbol is defined in a folder it may
#               not use (nm over BUILD_DIR/src):
#                                    call: FILE -> SYMBOL -> DEFINING FILE
#   3. circle   two folders that call each other (allow-listed edges
#               left out):  circle: A <-> B: FILE -> SYMBOL -> FILE; FILE -> SYMBOL -> FILE
#   4. stale    an allow-list entry that no include or call needs any
#               more (the debt is paid: delete the entry)
# Edges in the allow-list below are known, explained and not reported by
# 1, 2 and 3.  Ends with "layers: N passed, N failed" (one per check) and
# exits 1 when anything was reported.  POSIX sh + awk + nm.
set -u
cd "$(dirname "$0")/.." || exit 1
build=${1:-build}

if ! [ -d "$build/src" ]; then
    echo "check-layers: no objects in $build/src (run make first)" >&2
    exit 2
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/tx86-layers.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM

# the layers: folder, then the folders it may use
cat > "$tmp/layers" <<'LAYERS'
util
bus         util
block       util
mmu         util bus
translator  util bus mmu
cpu-x86     util bus mmu translator
net         util bus
devices     util bus block net
debug       util bus mmu translator cpu-x86
machine     util bus block mmu translator cpu-x86 net devices debug
ui          util bus block devices machine
monitor     util bus block mmu translator cpu-x86 net devices debug machine ui
main        util bus block mmu translator cpu-x86 net devices debug machine ui monitor
tools       util bus block mmu translator cpu-x86 net devices debug machine ui monitor
LAYERS

# The allow-list: "KIND FROM TO NAME  reason".  KIND call: FROM/TO are
# folders, NAME the symbol ("*": any); KIND include: FROM a folder, TO
# "-", NAME the header as written in the #include.  Every entry is a
# layering debt with its reason.
cat > "$tmp/allow" <<'ALLOW'
# (empty: no edge crosses the layers the wrong way)
ALLOW


# ---- 1. includes: "FILE HEADER" for every #include "dir/x.h"
find src -name '*.[ch]' | sort | while read -r f; do
    sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\/[^"]*\)".*/\1/p' "$f" |
        while read -r h; do printf '%s %s\n' "$f" "$h"; done
done > "$tmp/includes"

# ---- 2. symbols: "def OBJ SYM" and "use OBJ SYM" over every object
# objects of sources that exist (a moved file leaves its old object behind)
find "$build/src" -name '*.o' | sort | while read -r o; do
    c=${o#"$build"/}
    if [ -f "${c%.o}.c" ]; then printf '%s\n' "$o"; fi
done > "$tmp/objects"
if ! [ -s "$tmp/objects" ]; then
    echo "check-layers: no objects in $build/src (run make first)" >&2
    exit 2
fi
# shellcheck disable=SC2046  # one argument per object path (no spaces)
nm -A $(cat "$tmp/objects") 2>/dev/null | awk -v b="$build/" '
    {
        # "build/src/x/y.o: 0000 T sym" or "build/src/x/y.o:          U sym"
        split($0, p, ":"); obj = p[1]; sub("^" b, "", obj)
        n = split($0, w, " "); sym = w[n]; type = w[n - 1]
        if (type == "U") print "use", obj, sym
        else if (type ~ /^[TDBRCGSVW]$/) print "def", obj, sym
    }' > "$tmp/symbols"

awk -v tmpdir="$tmp" '
function folder(path,    p) {        # src/cpu-x86/fpu/fpu.o -> cpu-x86
    sub("^src/", "", path)
    if (path !~ /\//) return "main"  # src/main.c
    split(path, p, "/")
    return p[1]
}
function src(obj) { sub(/\.o$/, ".c", obj); return obj }
function allowed(kind, from, to, name,    k) {
    k = kind " " from " " to
    if ((k " " name) in allow) { used[k " " name] = 1; return 1 }
    if ((k " *") in allow) { used[k " *"] = 1; return 1 }
    return 0
}
FILENAME == tmpdir "/layers" {
    if (NF == 0) next
    known[$1] = 1
    for (i = 2; i <= NF; i++) may[$1 " " $i] = 1
    next
}
FILENAME == tmpdir "/allow" {
    if (NF < 4 || $1 ~ /^#/) next
    allow[$1 " " $2 " " $3 " " $4] = 1
    next
}
FILENAME == tmpdir "/includes" {
    from = folder($1); split($2, h, "/"); to = h[1]
    if (!(to in known) || to == from || (from " " to) in may) next
    if (allowed("include", from, "-", $2)) next
    print "include: " $1 " -> " $2
    bad_inc++
    next
}
$1 == "def" { def[$3] = $2; next }
$1 == "use" { nuse++; uobj[nuse] = $2; usym[nuse] = $3; next }
END {
    for (i = 1; i <= nuse; i++) {
        if (!(usym[i] in def)) continue          # libc, glib, capstone...
        from = folder(uobj[i]); to = folder(def[usym[i]])
        if (from == to) continue
        e = from " " to
        if (allowed("call", from, to, usym[i])) continue
        if (!(e in edge)) edge[e] = src(uobj[i]) " -> " usym[i] " -> " src(def[usym[i]])
        if (e in may) continue
        print "call: " src(uobj[i]) " -> " usym[i] " -> " src(def[usym[i]])
        bad_call++
    }
    # 3. circles: two folders that call each other
    for (a in known) for (b in known) {
        if (a >= b || !((a " " b) in edge) || !((b " " a) in edge)) continue
        print "circle: " a " <-> " b ": " edge[a " " b] "; " edge[b " " a]
        bad_circle++
    }
    # 4. an allow-list entry nothing needs any more is a paid debt: delete it
    for (k in allow) if (!(k in used)) {
        print "stale allow-list entry (nothing needs it; delete it): " k
        bad_stale++
    }
    failed = (bad_inc > 0) + (bad_call > 0) + (bad_circle > 0) + (bad_stale > 0)
    printf "layers: %d includes, %d calls, %d circles across layers, %d stale allow-list entries\n", bad_inc, bad_call, bad_circle, bad_stale
    printf "layers: %d passed, %d failed\n", 4 - failed, failed
    exit failed > 0
}' "$tmp/layers" "$tmp/allow" "$tmp/includes" "$tmp/symbols"
