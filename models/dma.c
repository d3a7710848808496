#include "models/dma.h"

#include <assert.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

const Field dma_engine_fields[] = {
    {"channels", ld_f_count, offsetof(DmaParams, channels), false},
    {"dma_mask", ld_f_bits, offsetof(DmaParams, dma_mask_bits), false},
    {"buffer", ld_f_count, offsetof(DmaParams, buffer_bytes), false},
    {"max_burst", ld_f_count, offsetof(DmaParams, max_burst), false},
    {"max_reads", ld_f_count, offsetof(DmaParams, max_reads), false},
    {"descriptor_size", ld_f_count, offsetof(DmaParams, desc_bytes), false},
    {"setup_cycles", ld_f_cycles, offsetof(DmaParams, setup_cycles), false},
    {"irq_cycles", ld_f_cycles, offsetof(DmaParams, irq_cycles), false},
    FIELD_END,
};

/* Four channels as on the 405GP and 440GP controllers.  Transactions of
 * up to 16 beats, the PLB's longest burst (CoreConnect PLB), through a
 * FIFO of two of them, so that the next read overlaps the last write (an
 * assumption of this model: double buffering).  The descriptor size and
 * the setup and interrupt latencies are assumptions too: 32-byte
 * descriptors (source, destination, count, control and link words), 2
 * engine cycles to start a channel and 4 to raise its completion
 * interrupt; one read in flight per channel. */
const DmaParams dma_engine_defaults = {
    .channels = 4, .max_reads = 1, .desc_bytes = 32, .setup_cycles = 2,
    .irq_cycles = 4, .memcpy = true,
};

/* One FIFO slot: a burst's bytes on their way from the source, by one
 * read or several (no read is longer than the engine's read byte count),
 * to the destination, by one write. */
typedef struct Slot {
    uint8_t *buf;
    size_t seg;
    uint64_t off, len;     /* where in the segment, how much */
    uint64_t issued;       /* bytes asked for by reads so far */
    unsigned pending;      /* its reads in flight */
} Slot;

/* A read in flight, and the slot it fills. */
typedef struct ReadOp {
    Xact io;
    DmaXfer *x;
    unsigned slot;
    bool busy;
} ReadOp;

typedef struct Channel {
    DmaXfer *head, *tail;  /* head is running */
    Slot *slot;            /* the FIFO: a ring of n_slots */
    unsigned n_slots;
    unsigned first, used;  /* oldest slot; slots holding or awaiting data */
    ReadOp *rd;            /* max_reads of them */
    unsigned reading;      /* reads in flight */
    bool writing, fetching;
    Xact wr, desc;         /* the write and the descriptor fetch */
    uint8_t *desc_buf;
} Channel;

struct DmaEngine {
    Platform *plat;
    int comp;
    const DmaParams *p;
    const Clock *clock;    /* its component's */
    uint64_t burst;        /* bytes per transaction */
    uint64_t read_burst;   /* bytes per read: its read byte count */
    uint64_t cookies;
    Channel *ch;
};
typedef DmaEngine Engine;

enum { X_QUEUED, X_SETUP, X_RUN, X_IRQ, X_DONE };

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
        e->ch[i].desc_buf = malloc(p->desc_bytes);
        e->ch[i].rd = calloc(p->max_reads, sizeof *e->ch[i].rd);
        if (!e->ch[i].desc_buf || !e->ch[i].rd)
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
    for (unsigned i = 0; i < e->p->channels; i++) {
        for (unsigned k = 0; k < e->ch[i].n_slots; k++)
            free(e->ch[i].slot[k].buf);
        free(e->ch[i].slot);
        free(e->ch[i].rd);
        free(e->ch[i].desc_buf);
    }
    free(e->ch);
    free(e);
}

/* Sizes the FIFO once the engine knows its bus: slots of a burst each,
 * as many as the FIFO holds (one: read, then write). */
static void bind(Engine *e, Platform *p, int comp)
{
    const Topology *t = platform_topology(p);
    const CompParams *c = &t->comps[comp];
    e->plat = p;
    e->comp = comp;
    e->clock = &t->clocks[c->clock_idx].clock;
    unsigned width = t->buses[c->bus_idx].width_bits;
    e->burst = dma_burst_bytes(e->p, width);
    uint64_t mrbc = e->p->max_read_bytes
                        ? e->p->max_read_bytes
                        : t->buses[c->bus_idx].timing.split_read_bytes;
    e->read_burst = mrbc && mrbc < e->burst ? mrbc : e->burst;
    uint64_t slots = dma_fifo_bytes(e->p, width) / e->burst;
    if (!slots)
        slots = 1;
    for (unsigned i = 0; i < e->p->channels; i++) {
        Channel *ch = &e->ch[i];
        ch->n_slots = (unsigned)slots;
        ch->slot = calloc(slots, sizeof *ch->slot);
        if (!ch->slot)
            abort();
        for (unsigned k = 0; k < slots; k++) {
            ch->slot[k].buf = malloc(e->burst);
            if (!ch->slot[k].buf)
                abort();
        }
    }
}

/* ---- the channel: reads fill its FIFO, writes drain it ------------------- */

static void advance(Sim *s, DmaXfer *x);
static void begin(Sim *s, void *opaque);

static Channel *chan(const DmaXfer *x)
{
    return &((Engine *)x->engine)->ch[x->channel];
}

static bool slot_full(const Slot *sl)
{
    return sl->issued == sl->len && !sl->pending;
}

static void finish(Sim *s, void *opaque)
{
    DmaXfer *x = opaque;
    Channel *c = chan(x);
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

/* Moves the read cursor past finished segments; false when none is
 * left. */
static bool next_segment(DmaXfer *x)
{
    while (x->seg < x->n_segs && x->off == x->segs[x->seg].len) {
        x->seg++;
        x->off = 0;
    }
    return x->seg < x->n_segs;
}

/* The first error stops new work; once nothing is in flight, or once
 * every byte is written, the completion interrupt follows irq_cycles
 * later, with the bytes not written as residue. */
static void maybe_end(Sim *s, DmaXfer *x)
{
    Channel *c = chan(x);
    Engine *e = x->engine;
    if (x->state != X_RUN || c->reading || c->writing || c->fetching)
        return;
    if (x->result == ROUTE_OK && (c->used || next_segment(x)))
        return;
    x->residue = x->result == ROUTE_OK ? 0 : x->total - x->written;
    x->state = X_IRQ;
    sim_at(s, clock_after(e->clock, sim_now(s), e->p->irq_cycles), finish, x);
}

static void fail(DmaXfer *x, const Xact *io)
{
    if (x->result == ROUTE_OK) {
        x->result = io->result; /* the first bus error ends the transfer */
        x->io = *io;            /* its reason */
    }
}

static void desc_done(Sim *s, Xact *io, void *opaque)
{
    DmaXfer *x = opaque;
    chan(x)->fetching = false;
    if (io->result != ROUTE_OK)
        fail(x, io);
    else
        x->desc_seg = x->seg + 1; /* this segment's descriptor is in */
    advance(s, x);
}

static void write_done(Sim *s, Xact *io, void *opaque)
{
    DmaXfer *x = opaque;
    Channel *c = chan(x);
    c->writing = false;
    if (io->result != ROUTE_OK) {
        fail(x, io);
    } else {
        x->written += c->slot[c->first].len;
        c->first = (c->first + 1) % c->n_slots;
        c->used--;
    }
    advance(s, x);
}

static void read_done(Sim *s, Xact *io, void *opaque)
{
    ReadOp *r = opaque;
    DmaXfer *x = r->x;
    Channel *c = chan(x);
    r->busy = false;
    c->reading--;
    c->slot[r->slot].pending--;
    if (io->result != ROUTE_OK)
        fail(x, io);
    advance(s, x);
}

/* The slot reads go into next: the newest, while it waits for bytes,
 * else a new one for the next burst of the source (NULL: none free, or
 * nothing left; a segment's descriptor is fetched first when descriptors
 * are in memory). */
static Slot *slot_to_fill(Engine *e, Channel *c, DmaXfer *x)
{
    if (c->used) {
        Slot *last = &c->slot[(c->first + c->used - 1) % c->n_slots];
        if (last->issued < last->len)
            return last;
    }
    if (c->used == c->n_slots || !next_segment(x))
        return NULL;
    if (x->desc_addr && x->desc_seg != x->seg + 1) {
        c->fetching = true;
        xact_prepare(&c->desc, e->comp, XACT_READ,
                     x->desc_addr + x->seg * e->p->desc_bytes,
                     e->p->desc_bytes, c->desc_buf, desc_done, x);
        platform_issue(e->plat, &c->desc);
        return NULL;
    }
    const DmaSeg *g = &x->segs[x->seg];
    uint64_t most = e->burst;
    if (g->fixed_unit && g->fixed_unit < most)
        most = g->fixed_unit; /* one register's width at a time */
    Slot *sl = &c->slot[(c->first + c->used) % c->n_slots];
    sl->seg = x->seg;
    sl->off = x->off;
    sl->len = g->len - x->off < most ? g->len - x->off : most;
    sl->issued = 0;
    sl->pending = 0;
    x->off += sl->len;
    c->used++;
    return sl;
}

/* Starts whatever can start: the oldest slot's write once its bytes are
 * all in, then reads into the FIFO while reads may be in flight. */
static void advance(Sim *s, DmaXfer *x)
{
    Engine *e = x->engine;
    Channel *c = chan(x);
    if (x->result == ROUTE_OK && !c->writing && c->used &&
        slot_full(&c->slot[c->first])) {
        Slot *sl = &c->slot[c->first];
        const DmaSeg *g = &x->segs[sl->seg];
        c->writing = true;
        xact_prepare(&c->wr, e->comp, XACT_WRITE,
                     g->dst + (g->dst_fixed ? 0 : sl->off), sl->len, sl->buf,
                     write_done, x);
        platform_issue(e->plat, &c->wr);
    }
    Slot *sl;
    while (x->result == ROUTE_OK && !c->fetching &&
           c->reading < e->p->max_reads && (sl = slot_to_fill(e, c, x))) {
        const DmaSeg *g = &x->segs[sl->seg];
        uint64_t n = sl->len - sl->issued;
        if (n > e->read_burst)
            n = e->read_burst;
        ReadOp *r = c->rd;
        while (r->busy)
            r++;
        r->busy = true;
        r->x = x;
        r->slot = (unsigned)(sl - c->slot);
        xact_prepare(&r->io, e->comp, XACT_READ,
                     g->src + (g->src_fixed ? 0 : sl->off + sl->issued), n,
                     sl->buf + sl->issued, read_done, r);
        sl->issued += n;
        sl->pending++;
        c->reading++;
        platform_issue(e->plat, &r->io);
    }
    maybe_end(s, x);
}

static void setup_done(Sim *s, void *opaque)
{
    DmaXfer *x = opaque;
    Channel *c = chan(x);
    c->first = c->used = 0; /* a failed transfer may have left slots */
    x->state = X_RUN;
    advance(s, x);
}

static void begin(Sim *s, void *opaque)
{
    DmaXfer *x = opaque;
    Engine *e = x->engine;
    x->state = X_SETUP;
    sim_at(s, clock_after(e->clock, sim_now(s), e->p->setup_cycles),
           setup_done, x);
}

uint64_t dma_submit(Platform *p, int comp, DmaXfer *x)
{
    Engine *e = platform_engine(p, comp);
    assert(e && x->done);
    assert(x->channel < e->p->channels);
    if (!e->plat)
        bind(e, p, comp);
    x->engine = e;
    x->cookie = ++e->cookies;
    x->result = ROUTE_OK;
    x->residue = 0;
    x->submitted = sim_now(platform_sim(p));
    x->seg = 0;
    x->off = 0;
    x->desc_seg = 0;
    x->total = 0;
    for (size_t i = 0; i < x->n_segs; i++)
        x->total += x->segs[i].len;
    x->written = 0;
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
