# How long each operation took, start to end, as a cumulative
# distribution per scheme (dmasim report).  dmasim sets: data (a block per
# scheme of "microseconds fraction", blocks separated by two blank lines),
# names, out, fmt (png or svg), title.
if (fmt eq "svg") {
    set terminal svg size 640,360 dynamic font "sans,11" background rgb "white"
} else {
    set terminal png size 640,360 font "sans,10" background rgb "white"
}
set output out
set title title noenhanced
set xlabel "operation latency (us)" noenhanced
set ylabel "fraction of operations" noenhanced
set logscale x 10
set yrange [0:1.05]
set grid
set key bottom right box opaque
plot for [i=1:words(names)] data index (i-1) using 1:2 \
     with steps lw 2 title word(names, i) noenhanced
