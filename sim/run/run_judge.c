/* What an operation means and whether it happened (docs/schemes.md,
 * "The oracle"): the destination should end up holding what the source
 * held when it started; only bytes the operation wrote count, and where
 * the CPU caches the destination, what the driver reads back. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/regions.h"
#include "sim/run/runner_int.h"

static const OpParams *cur_op(const Stream *st)
{
    return &st->sp->ops[st->op];
}

/* What the operation means: the destination should end up holding what
 * the source holds now. */
void run_intend(Stream *st)
{
    Run *run = st->run;
    const OpParams *o = cur_op(st);
    BufState *src = &run->bufs[o->src], *dst = &run->bufs[o->dst];
    uint8_t *from = malloc(o->len ? o->len : 1);
    if (!from)
        abort();
    if (src->ab.fifo_unit) { /* the next bytes of its pattern */
        run_pattern(&src->pat, src->feed_pos, from, o->len);
        src->feed_pos += o->len;
    } else {
        store_read(src->intended, o->from_offset, from, o->len);
    }
    if (dst->ab.fifo_unit) {
        free(st->fifo_want);
        st->fifo_want = from;
        st->fifo_ff = regions_fifo(platform_regions(run->p, dst->comp),
                                   dst->region);
        st->fifo_mark = fifo_count(st->fifo_ff);
    } else {
        store_write(dst->intended, o->to_offset, from, o->len);
        free(from);
    }
}

static bool mark_place(void *c, const Place *pl, uint64_t off, uint64_t n)
{
    Stream *st = c;
    if (st->n_marks == st->cap_marks) {
        st->cap_marks = st->cap_marks ? 2 * st->cap_marks : 4;
        st->marks = realloc(st->marks, st->cap_marks * sizeof *st->marks);
        if (!st->marks)
            abort();
    }
    st->marks[st->n_marks++] =
        (struct StreamMark){oracle_mark_at(st->run->o, pl, n), off};
    return true;
}

/* From now on, which bytes of the destination the operation writes. */
void run_mark_destination(Stream *st)
{
    const OpParams *o = cur_op(st);
    BufState *dst = &st->run->bufs[o->dst];
    st->n_marks = 0;
    if (!dst->ab.fifo_unit)
        run_each_place(st->run, dst, o->to_offset, o->len, mark_place, st);
}

/* The oracle's verdict on the operation just finished. */
void run_judge(Stream *st)
{
    Run *run = st->run;
    const OpParams *o = cur_op(st);
    BufState *dst = &run->bufs[o->dst];
    OpReport *rep = &st->reports[st->op];
    uint64_t ok = 0;
    if (dst->ab.fifo_unit) {
        uint64_t n;
        Fifo *ff = regions_fifo(platform_regions(run->p, dst->comp),
                                dst->region);
        const uint8_t *log = fifo_log(ff, st->fifo_mark, &n);
        const uint8_t *want = st->fifo_want;
        for (uint64_t i = 0; i < o->len && i < n; i++)
            ok += log[i] == want[i];
        /* what no operation still running on this FIFO will look at */
        free(st->fifo_want);
        st->fifo_want = NULL;
        uint64_t keep = fifo_count(ff);
        for (size_t k = 0; k < run->s->n_streams; k++) {
            const Stream *other = &run->streams[k];
            if (other->fifo_want && other->fifo_ff == ff &&
                other->fifo_mark < keep)
                keep = other->fifo_mark;
        }
        fifo_forget(ff, keep);
    } else {
        /* only the bytes the operation wrote: a byte the destination held
         * already may equal the source's by chance */
        uint8_t *got = malloc(o->len);
        if (!got)
            abort();
        uint8_t *want = malloc(o->len);
        if (!want)
            abort();
        store_read(dst->intended, o->to_offset, want, o->len);
        PieceCtx pc = {run->o, got};
        /* through a cache, what the driver reads after unmapping it */
        uint8_t *seen = got;
        if (run_cached(run, dst)) {
            seen = malloc(o->len);
            if (!seen)
                abort();
        }
        if (run_each_place(run, dst, o->to_offset, o->len, run_peek_place,
                           &pc) &&
            (seen == got ||
             run_driver_read(run, dst, o->to_offset, o->len, seen))) {
            uint64_t stale = 0, first = 0, last = 0;
            for (size_t k = 0; k < st->n_marks; k++) {
                const struct StreamMark *sm = &st->marks[k];
                uint64_t end = k + 1 < st->n_marks ? st->marks[k + 1].off
                                                   : o->len;
                if (sm->m)
                    ok += oracle_count_right(sm->m, seen + sm->off,
                                             want + sm->off, end - sm->off);
                for (uint64_t i = sm->off; seen != got && i < end; i++)
                    if (seen[i] != want[i] && got[i] == want[i]) {
                        if (!stale++)
                            first = i;
                        last = i;
                    }
            }
            if (stale) {
                char m[600];
                run->r->cache_stale += stale;
                snprintf(m, sizeof m, "%s: the CPU read bytes %llu-%llu "
                                      "of %s from stale cache lines "
                                      "(memory held the new bytes: no "
                                      "invalidate after the DMA)",
                         o->path,
                         (unsigned long long)(o->to_offset + first),
                         (unsigned long long)(o->to_offset + last),
                         run->s->buffers[o->dst].name);
                run_add_reason(run, "cache", m);
            }
        }
        if (seen != got)
            free(seen);
        free(got);
        free(want);
    }
    for (size_t k = 0; k < st->n_marks; k++)
        oracle_unmark(run->o, st->marks[k].m);
    st->n_marks = 0;
    rep->bytes_ok += ok;
    rep->bytes_wrong += o->len - ok;
    run->r->bytes_ok += ok;
    run->r->bytes_wrong += o->len - ok;
}

