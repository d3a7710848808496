# Each bus's busy time under each scheme, as clustered bars (dmasim
# report).  dmasim runs it with gnuplot -c, its arguments plain strings
# that are never read as commands: the data file (rows: "bus" pct pct
# ...), the schemes (space-separated), the output, its format (png or
# svg), the title.
data = ARG1; names = ARG2; out = ARG3; fmt = ARG4; title = ARG5
if (fmt eq "svg") {
    set terminal svg size 640,360 dynamic font "sans,11" background rgb "white"
} else {
    set terminal png size 640,360 font "sans,10" background rgb "white"
}
set output out
set title title noenhanced
set ylabel "busy (% of the simulated time)" noenhanced
set yrange [0:105]
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set grid ytics
set key outside right top vertical box
plot for [i=1:words(names)] data using (column(i+1)):xtic(1) \
     title word(names, i) noenhanced
