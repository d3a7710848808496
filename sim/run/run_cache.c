/* What the driver does through the CPU's data cache on a non-coherent
 * platform (docs/schemes.md, "Caches"): it writes a source before
 * mapping it and reads a destination after unmapping it, outside
 * simulated time, and a busy buffer's owner keeps storing to it; what
 * the cache holds against memory is what the oracle is told of. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/run/runner_int.h"

bool run_cached(const Run *run, const BufState *bs)
{
    return cpu_caches(run->p, run->s->cpu) && !bs->ab.fifo_unit &&
           !bs->placed && bs->ab.va && bs->ab.cls != MEM_IOREMAP &&
           bs->ab.cls != MEM_COHERENT;
}

bool run_each_pa(Run *run, uint64_t va, uint64_t len, PaFn *fn, void *ctx)
{
    for (uint64_t o = 0; o < len;) {
        uint64_t pa, n;
        if (!kmem_walk(run->k, va + o, &pa, &n, NULL))
            return false;
        if (n > len - o)
            n = len - o;
        if (!fn(ctx, pa, o, n))
            return false;
        o += n;
    }
    return true;
}

typedef struct CpuBytes {
    Run *run;
    uint8_t *buf;
    uint64_t count, first, last;
} CpuBytes;

static bool store_piece(void *c, uint64_t pa, uint64_t off, uint64_t n)
{
    CpuBytes *b = c;
    return cpu_store_now(b->run->p, b->run->s->cpu, pa, b->buf + off, n);
}

/* The driver's stores of its data: only the pieces of each line the CPU
 * does not already see holding them (a buffer it received and passes on
 * is not written again). */
static bool produce_piece(void *c, uint64_t pa, uint64_t off, uint64_t n)
{
    CpuBytes *b = c;
    Platform *p = b->run->p;
    int cpu = b->run->s->cpu;
    unsigned l = ((const CpuParams *)b->run->t->comps[cpu].priv)->line_bytes;
    uint8_t seen[256];
    for (uint64_t o = 0; o < n;) {
        uint64_t at = pa + o, k = l - at % l;
        if (k > n - o)
            k = n - o;
        if (!cpu_view(p, cpu, at, seen, k) ||
            memcmp(seen, b->buf + off + o, k))
            if (!cpu_store_now(p, cpu, at, b->buf + off + o, k))
                return false;
        o += k;
    }
    return true;
}

static bool load_piece(void *c, uint64_t pa, uint64_t off, uint64_t n)
{
    CpuBytes *b = c;
    return cpu_load_now(b->run->p, b->run->s->cpu, pa, b->buf + off, n);
}

static bool view_piece(void *c, uint64_t pa, uint64_t off, uint64_t n)
{
    CpuBytes *b = c;
    return cpu_view(b->run->p, b->run->s->cpu, pa, b->buf + off, n);
}

static bool dirty_piece(void *c, uint64_t pa, uint64_t off, uint64_t n)
{
    CpuBytes *b = c;
    uint64_t first, last,
        k = cpu_dirty_bytes(b->run->p, b->run->s->cpu, pa, n, &first, &last);
    if (k && !b->count)
        b->first = off + first;
    if (k)
        b->last = off + last;
    b->count += k;
    return true;
}

void run_driver_fill(Stream *st)
{
    Run *run = st->run;
    const OpParams *o = &st->sp->ops[st->op];
    BufState *src = &run->bufs[o->src];
    if (!run_cached(run, src))
        return;
    CpuBytes b = {run, malloc(o->len ? o->len : 1), 0, 0, 0};
    if (!b.buf)
        abort();
    store_read(src->intended, o->from_offset, b.buf, o->len);
    run_each_pa(run, src->ab.va + o->from_offset, o->len, produce_piece, &b);
    free(b.buf);
}

bool run_driver_read(Run *run, const BufState *bs, uint64_t off,
                     uint64_t len, uint8_t *buf)
{
    CpuBytes b = {run, buf, 0, 0, 0};
    return run_each_pa(run, bs->ab.va + off, len, load_piece, &b);
}

void run_stale_source(Stream *st, const PlanStep *ps)
{
    Run *run = st->run;
    const OpParams *o = &st->sp->ops[st->op];
    const BufState *src = &run->bufs[o->src];
    MemClass cls;
    uint64_t pa, n;
    if (!cpu_caches(run->p, run->s->cpu) || src->ab.fifo_unit ||
        !kmem_walk(run->k, ps->src_va, &pa, &n, &cls) ||
        cls == MEM_IOREMAP || cls == MEM_COHERENT)
        return;
    CpuBytes b = {run, NULL, 0, 0, 0};
    run_each_pa(run, ps->src_va, o->len, dirty_piece, &b);
    if (!b.count)
        return;
    run->r->cache_stale += b.count;
    char m[600];
    bool own = ps->src_va == src->ab.va + o->from_offset;
    snprintf(m, sizeof m, "%s: %s read stale memory under bytes %llu-%llu "
                          "of %s: the CPU's cache held them dirty (no "
                          "write-back before the DMA)",
             o->path, run->t->comps[ps->master].name,
             (unsigned long long)(b.first + (own ? o->from_offset : 0)),
             (unsigned long long)(b.last + (own ? o->from_offset : 0)),
             own ? run->s->buffers[o->src].name : "its bounce buffer");
    run_add_reason(run, "cache", m);
}

/* A busy buffer: bytes the CPU stored that it no longer sees, counted
 * once (they are stored anew after). */
static void busy_check(Run *run, size_t i)
{
    BufState *bs = &run->bufs[i];
    uint64_t size = run->s->buffers[i].size;
    if (!bs->busy_version)
        return;
    uint8_t *want = malloc(size), *got = malloc(size);
    if (!want || !got)
        abort();
    store_read(bs->intended, 0, want, size);
    CpuBytes b = {run, got, 0, 0, 0};
    if (run_each_pa(run, bs->ab.va, size, view_piece, &b)) {
        uint64_t lost = 0;
        for (uint64_t k = 0; k < size; k++)
            lost += got[k] != want[k];
        if (lost) {
            run->cache_lost += lost;
            char m[400];
            snprintf(m, sizeof m, "%s: bytes the CPU stored were lost (a "
                                  "cache line it shares with a DMA buffer "
                                  "was invalidated, or written over)",
                     run->s->buffers[i].path);
            run_add_reason(run, "cache", m);
        }
    }
    free(want);
    free(got);
}

void run_busy_check(Run *run)
{
    for (size_t i = 0; i < run->s->n_buffers; i++)
        if (run->s->buffers[i].busy && run_cached(run, &run->bufs[i]))
            busy_check(run, i);
}

void run_busy_touch(Run *run)
{
    for (size_t i = 0; i < run->s->n_buffers; i++) {
        BufState *bs = &run->bufs[i];
        uint64_t size = run->s->buffers[i].size;
        if (!run->s->buffers[i].busy || !run_cached(run, bs))
            continue;
        busy_check(run, i);
        bs->busy_version++;
        Pattern pat = {bs->pat.seed ^ (bs->busy_version *
                                        0x9E3779B97F4A7C15ULL),
                       bs->pat.idx};
        CpuBytes b = {run, malloc(size), 0, 0, 0};
        if (!b.buf)
            abort();
        run_pattern(&pat, 0, b.buf, size);
        store_write(bs->intended, 0, b.buf, size);
        run_each_pa(run, bs->ab.va, size, store_piece, &b);
        free(b.buf);
    }
}
