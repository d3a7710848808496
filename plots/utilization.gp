# Each bus's busy time under each scheme, as clustered bars (dmasim
# report).  dmasim sets: data (rows: "bus" pct pct ...), names (the
# schemes, space-separated), out, fmt (png or svg), title.
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
set key top right box opaque
plot for [i=1:words(names)] data using (column(i+1)):xtic(1) \
     title word(names, i) noenhanced
