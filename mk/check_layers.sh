#!/bin/sh
# make test: the layers stay visible in the includes.  Every source and
# header under sim/ and models/ is asked of the compiler (cc -MM) for all
# the project headers it pulls in, directly or not, and
#  1. a layer reaches only its own headers and those of the layers below it,
#     in this order: sim/core, sim/hw, models, models/kernel, models/dma_api,
#     sim/run, sim/cli;
#  2. the software side (models/kernel: the kernel's memory and the software
#     view; models/dma_api: the schemes) reaches none of the hardware's
#     answers or the judge's: no router, decoder, lint, platform, bus
#     transaction or oracle header (DESIGN §1);
#  3. no two modules (a .c/.h pair, with its private _int.h) include each
#     other, directly or round a longer loop.
# Usage: sh mk/check_layers.sh [CC [CFLAGS]]; prints every violation with
# the chain that leads to it, and exits 1 if there is one.
set -u
CC=${1:-cc}
CFLAGS=${2:-}
FORBIDDEN="sim/hw/route.h sim/hw/addrmap.h sim/hw/lint.h sim/hw/platform.h
sim/hw/platform_int.h sim/hw/xact.h sim/run/oracle.h"

rank() {
    case $1 in
    sim/core/*) echo 0 ;;
    sim/hw/*) echo 1 ;;
    models/kernel/*) echo 3 ;;
    models/dma_api/*) echo 4 ;;
    models/*) echo 2 ;;
    sim/run/*) echo 5 ;;
    sim/cli/*) echo 6 ;;
    *) echo 9 ;;
    esac
}

# The project headers f includes, directly or through others.
deps() {
    # shellcheck disable=SC2086
    $CC -MM -I. $CFLAGS -x c "$1" 2>/dev/null |
        tr -d '\\' | tr ' ' '\n' | grep -E '^(sim|models)/.*\.h$' |
        grep -vx "$1" | sort -u
}

# Who includes h directly, among f's own includes: the first link of the
# chain, for the message.
first_link() {
    for d in $(grep -o '#include "[^"]*"' "$1" | sed 's/.*"\(.*\)"/\1/'); do
        if [ "$d" = "$2" ] || deps "$d" | grep -qx "$2"; then
            echo "$d"
            return
        fi
    done
}

status=0 files=0
for f in $(find sim models -name '*.[ch]' | sort); do
    files=$((files + 1))
    r=$(rank "$f")
    all=$(deps "$f")
    [ -n "$all" ] || continue
    for h in $all; do
        bad=""
        if [ "$(rank "$h")" -gt "$r" ]; then
            bad="a layer above it"
        fi
        case $f in
        models/kernel/* | models/dma_api/*)
            for x in $FORBIDDEN; do
                [ "$h" = "$x" ] && bad="hardware or oracle: schemes and the kernel decide from the software view only"
            done
            ;;
        esac
        [ -n "$bad" ] || continue
        via=$(first_link "$f" "$h")
        if [ "$via" = "$h" ]; then
            echo "$f includes $h ($bad)"
        else
            echo "$f includes $h through $via ($bad)"
        fi
        status=1
    done
done
# Module loops: an edge per direct include between two modules; tsort
# names the members of every loop it meets.
module() { m=${1%.*}; echo "${m%_int}"; }
edges=$(for f in $(find sim models -name '*.[ch]' | sort); do
    for d in $(grep -o '#include "[^"]*"' "$f" | sed 's/.*"\(.*\)"/\1/'); do
        a=$(module "$f") b=$(module "$d")
        [ "$a" = "$b" ] || echo "$a $b"
    done
done | sort -u)
loops=$(echo "$edges" | tsort 2>&1 >/dev/null | sed -n 's/^tsort: \([a-z].*\)/\1/p' |
    grep -v 'input contains a loop')
if [ -n "$loops" ]; then
    echo "modules that include each other (a loop):" $loops
    status=1
fi
[ $status = 0 ] &&
    echo "layers: $files files, no include across a layer, no loop of modules"
exit $status
