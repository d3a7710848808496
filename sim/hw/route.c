#include "sim/hw/route.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sim/hw/kinds.h"
#include "sim/core/units.h"

const char *route_status_name(RouteStatus s)
{
    static const char *const n[] = {"ok",       "master-abort",
                                    "beyond-width", "straddle",
                                    "dma-mask", "not-a-master",
                                    "target-abort"};
    return n[s];
}

static bool die(Route *r, RouteStatus s, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static bool die(Route *r, RouteStatus s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->reason, sizeof r->reason, fmt, ap);
    va_end(ap);
    r->status = s;
    return false;
}

/* The first address of an access starting at addr that lies past limit. */
static uint64_t first_beyond(uint64_t addr, uint64_t limit)
{
    return addr > limit ? addr : limit + 1;
}

/* The device's own region holding [addr, last], if the master is one. */
static int own_region(const Topology *t, int master, uint64_t addr,
                      uint64_t last)
{
    const CompParams *c = &t->comps[master];
    for (size_t i = 0; i < c->n_regions; i++) {
        const RegionParams *rp = &c->regions[i];
        if (rp->kind == REGION_IO)
            continue;
        if (addr >= rp->base && last - rp->base <= rp->size_bytes - 1)
            return (int)i;
    }
    return -1;
}

static void master_abort(const Topology *t, const WinState *ws, Route *r,
                         int bus, AddrSpace sp, uint64_t addr, int exclude)
{
    char a[32], other[160] = "";
    uint64_t run;
    AddrSpace osp = sp == SPACE_MEM ? SPACE_IO : SPACE_MEM;
    if (addr <= bits_last(topo_space_bits(t, bus, osp))) {
        const Decoder *d =
            addrmap_decode_ws(t->map, ws, bus, osp, addr, exclude, &run);
        if (d && d->tier == TIER_REGION) {
            char what[96];
            decoder_describe(t, d, what, sizeof what);
            snprintf(other, sizeof other, " (%s decodes it in %s space)",
                     what, space_name(osp));
        }
    }
    die(r, ROUTE_MASTER_ABORT,
        "master abort on %s: nothing decodes %s in %s space%s",
        t->buses[bus].name, units_fmt_hex(addr, a, sizeof a), space_name(sp),
        other);
}

bool route_access(const Topology *t, int master, uint64_t addr, uint64_t len,
                  Route *r)
{
    return route_access_ws(t, NULL, master, addr, len, r);
}

bool route_access_ws(const Topology *t, const WinState *ws, int master,
                     uint64_t addr, uint64_t len, Route *r)
{
    assert(len >= 1 && addr <= UINT64_MAX - (len - 1));
    const CompParams *m = &t->comps[master];
    uint64_t last = addr + (len - 1);
    char a[32], b[32];

    /* Only the fields a result reads are set: clearing the whole hop
     * array would cost more than a short route itself. */
    r->status = ROUTE_OK;
    r->master = master;
    r->addr = addr;
    r->len = len;
    r->n_hops = 0;
    r->local = false;
    r->target = NULL;
    r->target_comp = r->target_region = -1;
    r->offset = r->boundary = 0;
    r->disconnect = false;
    r->aborter = -1;
    r->reason[0] = '\0';

    if (!m->is_master)
        return die(r, ROUTE_NOT_MASTER, "%s (a %s) issues no accesses",
                   m->name, m->kind->name);

    int bus = m->bus_idx, exclude = -1;
    AddrSpace sp = SPACE_MEM;
    r->hops[r->n_hops++] = (RouteHop){bus, sp, addr, master, NULL};

    /* A device's own region is reached inside the device: no address is
     * driven on a bus, so neither the bus nor the dma_mask has a say. */
    int own = own_region(t, master, addr, last);
    if (own >= 0) {
        r->local = true;
        r->target_comp = master;
        r->target_region = own;
        r->offset = addr - m->regions[own].base;
        r->status = ROUTE_OK;
        return true;
    }

    /* A mask as wide as the bus restricts nothing: the bus's own width
     * check below gives the truer reason. */
    uint64_t mask_last = bits_last(m->dma_mask_bits);
    if (m->dma_mask_bits < topo_space_bits(t, bus, sp) && last > mask_last)
        return die(r, ROUTE_DMA_MASK,
                   "%s's dma_mask is %u bits: it cannot drive %s",
                   m->name, m->dma_mask_bits,
                   units_fmt_hex(first_beyond(addr, mask_last), a, sizeof a));

    for (;;) {
        unsigned bits = topo_space_bits(t, bus, sp);
        if (last > bits_last(bits))
            return die(r, ROUTE_BEYOND_WIDTH,
                       "%s is beyond %s's %u-bit %s space",
                       units_fmt_hex(first_beyond(addr, bits_last(bits)), a,
                                     sizeof a),
                       t->buses[bus].name, bits, space_name(sp));
        uint64_t run;
        const Decoder *d = addrmap_decode_ws(t->map, ws, bus, sp, addr, exclude,
                                          &run);
        /* The whole access must stay with one decoder. */
        while (run < last) {
            uint64_t run2;
            const Decoder *d2 =
                addrmap_decode_ws(t->map, ws, bus, sp, run + 1, exclude,
                                  &run2);
            if (d2 != d) {
                char w1[96], w2[96];
                decoder_describe(t, d, w1, sizeof w1);
                decoder_describe(t, d2, w2, sizeof w2);
                r->boundary = run + 1;
                r->disconnect = d && d2 && d->iommu && d2->iommu &&
                                d->comp == d2->comp;
                return die(r, ROUTE_STRADDLE,
                           "access straddles %s on %s: below it %s, from "
                           "it %s",
                           units_fmt_hex(run + 1, b, sizeof b),
                           t->buses[bus].name, w1, w2);
            }
            run = run2;
        }
        if (!d) {
            master_abort(t, ws, r, bus, sp, addr, exclude);
            return false;
        }
        if (d->iommu && !d->mapped) {
            r->aborter = d->comp;
            return die(r, ROUTE_TARGET_ABORT,
                       "target abort on %s: %s's IOMMU maps nothing at %s",
                       t->buses[bus].name, t->comps[d->comp].name,
                       units_fmt_hex(addr, a, sizeof a));
        }
        if (d->tier == TIER_REGION) {
            r->target = d;
            r->target_comp = d->comp;
            r->target_region = d->index;
            r->offset = addr - d->lo + d->to_lo; /* a region's piece */
            r->status = ROUTE_OK;
            return true;
        }
        uint64_t off = addr - d->lo;
        addr = d->to_lo + off;
        last = addr + (len - 1);
        bus = d->to_bus;
        sp = d->to_space;
        exclude = d->comp;
        assert(r->n_hops < ROUTE_MAX_HOPS); /* a tree has no longer path */
        r->hops[r->n_hops++] = (RouteHop){bus, sp, addr, d->comp, d};
    }
}
