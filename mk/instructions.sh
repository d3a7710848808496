#!/bin/sh
# make bench-instructions: instructions per simulated burst of the ioremap
# workload (bench_scenario ioremap N) and of the saturated board
# (bench_scenario saturated N), counted by callgrind at two sizes each so
# that loading and setting up cancel out: (I2 - I1) / (B2 - B1).
#
# usage: sh mk/instructions.sh BENCH_SCENARIO
set -eu
bench=$1
dir=$(mktemp -d "${TMPDIR:-/tmp}/dmasim-cg.XXXXXX")
trap 'rm -rf "$dir"' EXIT INT TERM
run() { # workload ops -> "instructions bursts"
    line=$(valgrind --tool=callgrind --callgrind-out-file="$dir/cg.$1.$2" \
        "$bench" "$1" "$2" 2>"$dir/log.$1.$2") || {
        cat "$dir/log.$1.$2" >&2
        echo "bench-instructions: $bench $1 $2 under callgrind failed" >&2
        exit 2
    }
    ir=$(sed -n 's/^summary: *\([0-9]*\).*/\1/p' "$dir/cg.$1.$2")
    b=$(printf '%s\n' "$line" | sed -n 's/.* bursts=\([0-9]*\).*/\1/p')
    [ -n "$ir" ] && [ -n "$b" ] || {
        echo "bench-instructions: no count in callgrind's output" >&2
        exit 2
    }
    echo "$ir $b"
}
report() { # workload ops1 ops2
    set -- "$1" "$2" "$3" $(run "$1" "$2") $(run "$1" "$3")
    awk -v w="$1" -v o1="$2" -v o2="$3" -v i1="$4" -v b1="$5" -v i2="$6" \
        -v b2="$7" 'BEGIN {
        printf "bench instructions workload=%s ops=%s,%s bursts=%d,%d instructions=%d,%d instructions_per_burst=%.0f\n",
            w, o1, o2, b1, b2, i1, i2, (i2 - i1) / (b2 - b1) }'
}
report ioremap 64 320
report saturated 3000 15000
