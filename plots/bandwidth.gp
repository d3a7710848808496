# Throughput against a swept value, one curve per scheme (dmasim sweep
# --plot).  dmasim sets: data (a file of blocks "x throughput", one block
# per scheme, blocks separated by two blank lines), names (the schemes,
# space-separated), out, fmt (png or svg), xlabel, logx (1 or 0), title.
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
set key top left box opaque
set yrange [0:*]
if (logx) { set logscale x 2 }
plot for [i=1:words(names)] data index (i-1) using 1:2 \
     with linespoints lw 2 pt 7 title word(names, i) noenhanced
