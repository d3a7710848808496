#!/bin/sh
# make bench-instructions: instructions per simulated burst of the ioremap
# workload (bench_scenario ioremap N), counted by callgrind at two sizes
# so that loading and setting up cancel out: (I2 - I1) / (B2 - B1).
#
# usage: sh mk/instructions.sh BENCH_SCENARIO
set -eu
bench=$1
dir=$(mktemp -d "${TMPDIR:-/tmp}/dmasim-cg.XXXXXX")
trap 'rm -rf "$dir"' EXIT INT TERM
run() { # ops -> "instructions bursts"
    line=$(valgrind --tool=callgrind --callgrind-out-file="$dir/cg.$1" \
        "$bench" ioremap "$1" 2>"$dir/log.$1") || {
        cat "$dir/log.$1" >&2
        echo "bench-instructions: $bench under callgrind failed" >&2
        exit 2
    }
    ir=$(sed -n 's/^summary: *\([0-9]*\).*/\1/p' "$dir/cg.$1")
    b=$(printf '%s\n' "$line" | sed -n 's/.* bursts=\([0-9]*\).*/\1/p')
    [ -n "$ir" ] && [ -n "$b" ] || {
        echo "bench-instructions: no count in callgrind's output" >&2
        exit 2
    }
    echo "$ir $b"
}
set -- $(run 64) $(run 320)
awk -v i1="$1" -v b1="$2" -v i2="$3" -v b2="$4" 'BEGIN {
    printf "bench instructions workload=ioremap ops=64,320 bursts=%d,%d instructions=%d,%d instructions_per_burst=%.0f\n",
        b1, b2, i1, i2, (i2 - i1) / (b2 - b1) }'
