#include "sim/core/hist.h"

#include <stdlib.h>
#include <string.h>

void hist_init(Hist *h) { memset(h, 0, sizeof *h); }

void hist_free(Hist *h)
{
    for (int i = 0; i < HIST_GROUPS; i++)
        free(h->g[i]);
    memset(h, 0, sizeof *h);
}

/* The group and bucket of v. */
static void place(uint64_t v, int *group, int *sub)
{
    if (v < HIST_SUB) {
        *group = 0;
        *sub = (int)v;
        return;
    }
    int e = 63 - __builtin_clzll(v); /* 7 .. 63 */
    *group = e - 6;
    *sub = (int)((v >> (e - 7)) & (HIST_SUB - 1));
}

static HistGroup *group_of(Hist *h, int g)
{
    if (!h->g[g]) {
        h->g[g] = calloc(1, sizeof *h->g[g]);
        if (!h->g[g])
            abort();
    }
    return h->g[g];
}

static void add_n(Hist *h, int g, int s, uint64_t count, uint64_t max)
{
    HistGroup *hg = group_of(h, g);
    hg->count[s] += count;
    if (max > hg->max[s])
        hg->max[s] = max;
}

void hist_add(Hist *h, uint64_t v)
{
    int g, s;
    place(v, &g, &s);
    add_n(h, g, s, 1, v);
    if (!h->n || v < h->min)
        h->min = v;
    if (v > h->max)
        h->max = v;
    h->n++;
    h->sum += (double)v;
}

void hist_merge(Hist *dst, const Hist *src)
{
    if (!src->n)
        return;
    for (int g = 0; g < HIST_GROUPS; g++)
        if (src->g[g])
            for (int s = 0; s < HIST_SUB; s++)
                if (src->g[g]->count[s])
                    add_n(dst, g, s, src->g[g]->count[s], src->g[g]->max[s]);
    if (!dst->n || src->min < dst->min)
        dst->min = src->min;
    if (src->max > dst->max)
        dst->max = src->max;
    dst->n += src->n;
    dst->sum += src->sum;
}

uint64_t hist_quantile(const Hist *h, double q)
{
    if (!h->n)
        return 0;
    double r = q * (double)h->n;
    uint64_t rank = (uint64_t)r;
    if ((double)rank < r)
        rank++; /* ceil */
    if (rank < 1)
        rank = 1;
    if (rank >= h->n)
        return h->max;
    uint64_t seen = 0;
    for (int g = 0; g < HIST_GROUPS; g++)
        if (h->g[g])
            for (int s = 0; s < HIST_SUB; s++) {
                seen += h->g[g]->count[s];
                if (seen >= rank)
                    return h->g[g]->max[s];
            }
    return h->max;
}

void hist_each(const Hist *h, void (*fn)(void *ctx, uint64_t v,
                                         uint64_t cumulative),
               void *ctx)
{
    uint64_t seen = 0;
    for (int g = 0; g < HIST_GROUPS; g++)
        if (h->g[g])
            for (int s = 0; s < HIST_SUB; s++)
                if (h->g[g]->count[s]) {
                    seen += h->g[g]->count[s];
                    fn(ctx, h->g[g]->max[s], seen);
                }
}
