#!/bin/sh
# make validate: runs every reference of tests/validation/references.tsv
# and prints one row each: the reference, its published band, what dmasim
# simulates, and whether that is inside.  Exit 1 when one is outside, 2
# when a reference cannot run.  Usage: sh mk/validate.sh DMASIM BENCH
set -u
bin=$1
bench=$2
dir=tests/validation
bursts=$("$bench" burst) || { echo "validate: $bench burst failed" >&2; exit 2; }
tab=$(printf '\t')
status=0
printf '%-20s %-22s %-11s %s\n' reference published simulated inside
while IFS="$tab" read -r name file figure band source; do
    case $name in '' | '#'*) continue ;; esac
    case $figure in
    dma) col=dma_throughput_MBps ;;
    end) col=throughput_MBps ;;
    *) echo "validate: $name: unknown figure '$figure'" >&2; exit 2 ;;
    esac
    csv=$("$bin" run "$dir/$file" --csv -) || {
        echo "validate: $name: dmasim run $dir/$file failed" >&2
        exit 2
    }
    val=$(printf '%s\n' "$csv" | awk -F, -v c="$col" '
        NR == 1 { for (i = 1; i <= NF; i++) if ($i == c) k = i }
        NR == 2 && k { v = $k; if ($4 != 1) v = "wrong" }
        END { print v }')
    case $band in
    bench:*)
        b=$(printf '%s\n' "$bursts" | awk -v w="$band" '
            BEGIN { split(w, a, ":") }
            $3 == "board=" a[2] && $5 == "dir=" a[3] {
                sub("MBps=", "", $6); print $6 }')
        [ -n "$b" ] || { echo "validate: $name: no bench line for $band" >&2; exit 2; }
        lo=$(awk -v b="$b" 'BEGIN { printf "%.1f", b * 0.99 }')
        hi=$(awk -v b="$b" 'BEGIN { printf "%.1f", b * 1.01 }')
        shown="$b +-1% (bench)" ;;
    '<='*)
        lo=0
        hi=${band#<=}
        shown="<= $hi ($source)" ;;
    *-*)
        lo=${band%-*}
        hi=${band#*-}
        shown="$lo-$hi ($source)" ;;
    *) echo "validate: $name: bad band '$band'" >&2; exit 2 ;;
    esac
    ok=$(awk -v v="$val" -v lo="$lo" -v hi="$hi" \
        'BEGIN { print (v != "wrong" && v != "" && v + 0 > lo && v + 0 <= hi) ? "yes" : "NO" }')
    [ "$ok" = yes ] || status=1
    printf '%-20s %-22s %-11s %s\n' "$name" "$shown" "$val" "$ok"
done < "$dir/references.tsv"
exit $status
