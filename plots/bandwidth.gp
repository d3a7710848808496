# Throughput against a swept value, one curve per scheme (dmasim sweep
# --plot).  dmasim runs it with gnuplot -c, its arguments plain strings
# that are never read as commands: the data file (blocks of "x
# throughput", one per scheme, separated by two blank lines), the schemes
# (space-separated), the output, its format (png or svg), the title, the
# x label, and 1 for a log x axis.
data = ARG1; names = ARG2; out = ARG3; fmt = ARG4; title = ARG5
xlabel = ARG6; logx = (ARG7 eq "1")
if (fmt eq "svg") {
    set terminal svg size 800,500 dynamic font "sans,12" background rgb "white"
} else {
    set terminal png size 800,500 font "sans,10" background rgb "white"
}
set output out
set title title noenhanced
set xlabel xlabel noenhanced
set ylabel "throughput (MB/s, 1 MB = 10^6 bytes)" noenhanced
set grid
set key outside right top vertical box
set yrange [0:*]
if (logx) { set logscale x 2 }
plot for [i=1:words(names)] data index (i-1) using 1:2 \
     with linespoints lw 2 pt 7 title word(names, i) noenhanced
