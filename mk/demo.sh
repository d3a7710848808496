#!/bin/sh
# make demo: lint the shipped boards, then ask the routing questions of the
# 2004 post on the Ebony board.  Scenarios and timing come in later issues.
set -u
DMASIM=${1:-build/dmasim}
T=topologies/ebony.yaml

say() { printf '\n== %s\n' "$*"; }
show() { printf '$ dmasim %s\n' "$*"; "$DMASIM" "$@"; }

say "Lint every shipped topology"
show check topologies/*.yaml

say "The PLB DMA engine writes PCI card memory (an ioremap target)"
show route $T --from dma0 --addr 0x3_8000_1000 --len 4KiB

say "The card's DMA master reads system RAM through the inbound window"
show route $T --from card --addr 0x10_0000 --len 4KiB

say "Past the end of the 256 MiB of SDRAM, inside the inbound window"
show route $T --from card --addr 0x1000_0000 --len 4

say "A 32-bit dma_mask cannot drive RAM above 4 GiB (highmem board)"
show route topologies/highmem.yaml --from card32 --addr 0x1_0000_0000 --len 4KiB
show route topologies/highmem.yaml --from card64 --addr 0x1_0000_0000 --len 4KiB

say "Device to device: the PLB DMA engine feeds UART0's FIFO on the OPB"
show route $T --from dma0 --addr 0x1_4000_0200 --len 1

say "An ioremap address used as a DMA address (the post's 'naive' use)"
show route $T --from card --addr 0xd000_0000 --len 4
exit 0
