# How long each operation took, start to end, as a cumulative
# distribution per scheme (dmasim report).  dmasim runs it with gnuplot
# -c, its arguments plain strings that are never read as commands: the
# data file (a block per scheme of "microseconds fraction", separated by
# two blank lines), the schemes (space-separated), the output, its format
# (png or svg), the title.
data = ARG1; names = ARG2; out = ARG3; fmt = ARG4; title = ARG5
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
set key outside right top vertical box
plot for [i=1:words(names)] data index (i-1) using 1:2 \
     with steps lw 2 title word(names, i) noenhanced
