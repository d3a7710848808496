#!/bin/sh
# make demo: the headline scenario of the 2004 post under each addressing
# scheme, the whole scenario library's expectations, and the routing
# questions behind them on the Ebony board.
set -u
DMASIM=${1:-build/dmasim}
T=topologies/ebony.yaml

say() { printf '\n== %s\n' "$*"; }
show() { printf '$ dmasim %s\n' "$*"; "$DMASIM" "$@"; }

say "The headline: the PLB DMA engine fills PCI card memory reached through ioremap()"
show run scenarios/ioremap-target.yaml

say "Every scenario of the library against its expectations"
show regress scenarios/

say "Why: the route struct programs into dma0 (the card's BAR through the host bridge)"
show route $T --from dma0 --addr 0x3_8000_1000 --len 4KiB

say "Why: the address flat programs (virt_to_phys of the ioremap address)"
show route $T --from dma0 --addr 0x1100_0000 --len 4KiB

say "Why every scheme is fooled in shadowed-window: PCI 0x0100_0000 is SDRAM by the windows, card2 on the bus"
show route topologies/ebony-shadow.yaml --from card --addr 0x0100_0000 --len 4KiB

say "Lint every shipped topology"
show check topologies/*.yaml

say "Throughput against transfer size, every scheme, as a CSV and a plot"
mkdir -p out
show sweep scenarios/ioremap-target.yaml \
    --vary workload.0.size=256,1KiB,4KiB,16KiB,64KiB \
    --csv out/sweep.csv --plot out/bandwidth.png
echo "wrote out/sweep.csv and out/bandwidth.png"

say "The whole library as one HTML page (tables, plots, engine choices)"
show report scenarios/*.yaml -o out/report
echo "open out/report/index.html in a browser"
exit 0
