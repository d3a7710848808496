#include "models/dma.h"

#include <assert.h>
#include <stddef.h>
#include <stdlib.h>

const Field dma_engine_fields[] = {
    {"channels", ld_f_count, offsetof(DmaParams, channels), false},
    {"dma_mask", ld_f_bits, offsetof(DmaParams, dma_mask_bits), false},
    {"buffer", ld_f_count, offsetof(DmaParams, buffer_bytes), false},
    {"descriptor_size", ld_f_count, offsetof(DmaParams, desc_bytes), false},
    {"setup_cycles", ld_f_cycles, offsetof(DmaParams, setup_cycles), false},
    {"irq_cycles", ld_f_cycles, offsetof(DmaParams, irq_cycles), false},
    FIELD_END,
};

/* Four channels as on the 405GP and 440GP controllers.  The buffer,
 * descriptor size and the setup and interrupt latencies are assumptions
 * of this model, not datasheet figures: a 64-byte staging buffer per
 * channel (four 128-bit PLB beats), 32-byte descriptors (source,
 * destination, count, control and link words), 2 engine cycles to start a
 * channel and 4 to raise its completion interrupt. */
const DmaParams dma_engine_defaults = {
    .channels = 4, .buffer_bytes = 64, .desc_bytes = 32,
    .setup_cycles = 2, .irq_cycles = 4, .memcpy = true,
};

typedef struct Channel {
    DmaXfer *head, *tail; /* head is running */
    uint8_t *buf;         /* buffer_bytes, also holds a fetched descriptor */
} Channel;

struct DmaEngine {
    Platform *plat;
    int comp;
    const DmaParams *p;
    uint64_t hz;
    uint64_t cookies;
    Channel *ch;
};
typedef DmaEngine Engine;

enum { X_QUEUED, X_SETUP, X_DESC, X_READ, X_WRITE, X_IRQ, X_DONE };

DmaEngine *dma_engine_new(const DmaParams *p)
{
    Engine *e = calloc(1, sizeof *e);
    if (!e)
        abort();
    e->p = p;
    e->ch = calloc(p->channels, sizeof *e->ch);
    if (!e->ch)
        abort();
    for (unsigned i = 0; i < p->channels; i++) {
        e->ch[i].buf = malloc(p->buffer_bytes > p->desc_bytes ? p->buffer_bytes
                                                              : p->desc_bytes);
        if (!e->ch[i].buf)
            abort();
    }
    return e;
}

unsigned dma_engine_channels(const DmaEngine *e)
{
    return e->p->channels;
}

void dma_engine_free(DmaEngine *e)
{
    if (!e)
        return;
    for (unsigned i = 0; i < e->p->channels; i++)
        free(e->ch[i].buf);
    free(e->ch);
    free(e);
}

/* ---- the channel state machine ----------------------------------------- */

static void advance(Sim *s, DmaXfer *x);
static void begin(Sim *s, void *opaque);

static uint64_t remaining(const DmaXfer *x)
{
    uint64_t n = 0;
    for (size_t i = x->seg; i < x->n_segs; i++)
        n += x->segs[i].len - (i == x->seg ? x->off : 0);
    return n;
}

static void finish(Sim *s, void *opaque)
{
    DmaXfer *x = opaque;
    Engine *e = x->engine;
    Channel *c = &e->ch[x->channel];
    assert(c->head == x && x->state == X_IRQ);
    x->state = X_DONE;
    x->completed = sim_now(s);
    /* Start the next queued transfer before calling back: the callback
     * may submit another one to this channel (and may reuse x). */
    DmaXfer *next = x->next;
    c->head = next;
    if (!next)
        c->tail = NULL;
    else
        sim_at(s, sim_now(s), begin, next);
    x->done(s, x, x->opaque);
}

/* The last write is done (or a bus error stopped the transfer): the
 * completion interrupt follows irq_cycles later. */
static void raise_irq(Sim *s, DmaXfer *x)
{
    Engine *e = x->engine;
    x->state = X_IRQ;
    sim_at(s, clock_after(e->hz, sim_now(s), e->p->irq_cycles), finish, x);
}

static void io_done(Sim *s, Xact *io, void *opaque)
{
    DmaXfer *x = opaque;
    if (io->result != ROUTE_OK) {
        x->result = io->result; /* the first bus error ends the transfer */
        x->residue = remaining(x);
        raise_irq(s, x);
        return;
    }
    if (x->state == X_DESC) {
        x->desc_done = true;
    } else if (x->state == X_WRITE) {
        x->off += x->chunk;
        if (x->off == x->segs[x->seg].len) {
            x->seg++;
            x->off = 0;
            x->desc_done = false;
        }
    }
    advance(s, x);
}

static void issue(DmaXfer *x, int state, XactDir dir, uint64_t addr,
                  uint64_t len)
{
    Engine *e = x->engine;
    x->state = state;
    x->io = (Xact){.master = e->comp, .dir = dir, .addr = addr, .len = len,
                   .data = e->ch[x->channel].buf, .done = io_done,
                   .opaque = x};
    platform_issue(e->plat, &x->io);
}

/* Read-then-write through the channel buffer, a chunk at a time; a
 * segment's descriptor is fetched before its first chunk. */
static void advance(Sim *s, DmaXfer *x)
{
    Engine *e = x->engine;
    while (x->seg < x->n_segs && x->segs[x->seg].len == 0)
        x->seg++; /* empty segments move nothing */
    if (x->seg == x->n_segs) {
        raise_irq(s, x);
        return;
    }
    const DmaSeg *g = &x->segs[x->seg];
    if (x->desc_addr && !x->desc_done) {
        issue(x, X_DESC, XACT_READ, x->desc_addr + x->seg * e->p->desc_bytes,
              e->p->desc_bytes);
    } else if (x->state != X_READ) {
        uint64_t left = g->len - x->off, most = e->p->buffer_bytes;
        if (g->fixed_unit && g->fixed_unit < most)
            most = g->fixed_unit;
        x->chunk = left < most ? left : most;
        issue(x, X_READ, XACT_READ, g->src + (g->src_fixed ? 0 : x->off),
              x->chunk);
    } else {
        issue(x, X_WRITE, XACT_WRITE, g->dst + (g->dst_fixed ? 0 : x->off),
              x->chunk);
    }
}

static void setup_done(Sim *s, void *opaque)
{
    advance(s, opaque);
}

static void begin(Sim *s, void *opaque)
{
    DmaXfer *x = opaque;
    Engine *e = x->engine;
    x->state = X_SETUP;
    sim_at(s, clock_after(e->hz, sim_now(s), e->p->setup_cycles), setup_done,
           x);
}

uint64_t dma_submit(Platform *p, int comp, DmaXfer *x)
{
    const Topology *t = platform_topology(p);
    const CompParams *c = &t->comps[comp];
    Engine *e = platform_engine(p, comp);
    assert(e && x->done);
    assert(x->channel < e->p->channels);
    e->plat = p;
    e->comp = comp;
    e->hz = t->clocks[c->clock_idx].hz;
    x->engine = e;
    x->cookie = ++e->cookies;
    x->result = ROUTE_OK;
    x->residue = 0;
    x->submitted = sim_now(platform_sim(p));
    x->seg = 0;
    x->off = x->chunk = 0;
    x->desc_done = false;
    x->next = NULL;
    x->state = X_QUEUED;
    Channel *ch = &e->ch[x->channel];
    if (ch->tail)
        ch->tail->next = x;
    else
        ch->head = x;
    ch->tail = x;
    if (ch->head == x)
        sim_at(platform_sim(p), sim_now(platform_sim(p)), begin, x);
    return x->cookie;
}

/* ---- kind ---------------------------------------------------------------- */

static void *dma_new(const CompParams *c)
{
    return dma_engine_new(c->priv);
}

static void dma_free(void *m)
{
    dma_engine_free(m);
}

static DmaEngine *dma_self(void *m)
{
    return m;
}

static const DmaParams *dma_params(const CompParams *c)
{
    return c->priv;
}

static bool dma_finish(Loader *ld, yaml_node_t *map, CompParams *c)
{
    DmaParams *p = c->priv;
    c->is_master = true;
    c->dma_mask_bits = p->dma_mask_bits;
    c->mask_pos = ld_pos(ld, map);
    c->mask_path = c->path;
    return true;
}

const ModelKind dma_kind = {
    .name = "dma",
    .summary = "DMA controller: a multi-channel bus master",
    .fields = dma_engine_fields,
    .priv_size = sizeof(DmaParams),
    .priv_defaults = &dma_engine_defaults,
    .has_bus = true,
    .finish = dma_finish,
    .model_new = dma_new,
    .model_free = dma_free,
    .engine = dma_self,
    .engine_params = dma_params,
};
