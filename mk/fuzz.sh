#!/bin/sh
# make fuzz: each libFuzzer target (tests/fuzz/fuzz_NAME.c, built by
# make VARIANT=fuzz) for SECONDS, its corpus in build/fuzz/corpus/NAME
# (kept between runs, seeded from the shipped files), what it finds in
# build/fuzz/found/, its log in build/fuzz/NAME.log.  Prints each target's
# last status line (executions, coverage, corpus); fails on a finding.
#
# usage: sh mk/fuzz.sh SECONDS NAME...
set -u
secs=$1
shift
out=build/fuzz
mkdir -p "$out/found"
status=0
for name in "$@"; do
    corpus=$out/corpus/$name
    mkdir -p "$corpus"
    case $name in
    topology) seeds="topologies tests/topologies tests/validation" ;;
    scenario) seeds="scenarios tests/scenarios" ;;
    merge) seeds=tests/fuzz/csv ;;
    import) seeds= ;;
    esac
    for d in $seeds; do
        for f in "$d"/*.yaml "$d"/*.csv; do
            [ -f "$f" ] && cp "$f" "$corpus/seed-$(echo "$f" | tr / -)"
        done
    done
    if [ "$name" = import ]; then
        # blobs of the test trees, as dmasim import makes them
        for f in tests/dts/*.dts; do
            cpp -nostdinc -undef -D__DTS__ -x assembler-with-cpp \
                -I tests/dts "$f" 2>/dev/null |
                dtc -q -I dts -O dtb -o "$corpus/seed-$(basename "$f" .dts).dtb" - \
                2>/dev/null
        done
    fi
    if [ "$name" = merge ]; then
        # its input is two files split at a NUL byte
        { cat tests/fuzz/csv/shard1.csv; printf '\0'; cat tests/fuzz/csv/shard2.csv; } \
            > "$corpus/seed-shards"
    fi
    dict=tests/fuzz/$name.dict
    [ -f "$dict" ] && dict="-dict=$dict" || dict=""
    echo "fuzz $name: $secs s"
    # -close_fd_mask=2: the loaders' messages to stderr are the point of
    # bad input, not news; libFuzzer keeps its own output and reports.
    ASAN_OPTIONS=detect_leaks=1 "$out/fuzz_$name" -max_total_time="$secs" \
        -timeout=30 -rss_limit_mb=4096 -print_final_stats=1 -max_len=65536 $dict \
        -close_fd_mask=2 -artifact_prefix="$out/found/$name-" "$corpus" > "$out/$name.log" 2>&1
    rc=$?
    grep -E '^#[0-9]+' "$out/$name.log" | tail -n 1
    grep -E '^stat::number_of_executed_units' "$out/$name.log"
    if [ $rc != 0 ]; then
        echo "fuzz $name: FOUND a bug (exit $rc); see $out/$name.log and $out/found/" >&2
        tail -n 40 "$out/$name.log" >&2
        status=1
    fi
done
exit $status
