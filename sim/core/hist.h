/* A bounded summary of many values (operation latencies): a log-linear
 * histogram, so that a run of 400 million operations needs kilobytes, not
 * gigabytes, and its percentiles stay close.  Values below 128 have a
 * bucket each; above, each power of two is cut into 128 buckets, so a
 * bucket spans at most 1/128 (0.8 %) of its values.  Each bucket keeps its
 * count and its largest value; the groups of 128 buckets are allocated
 * when first used. */
#ifndef DMASIM_HIST_H
#define DMASIM_HIST_H

#include <stdint.h>

#define HIST_SUB 128 /* buckets per power of two */
#define HIST_GROUPS 58 /* values 0..127, then 2^7 .. 2^64 - 1 */

typedef struct HistGroup {
    uint64_t count[HIST_SUB];
    uint64_t max[HIST_SUB];
} HistGroup;

typedef struct Hist {
    uint64_t n;
    uint64_t min, max; /* of the values added (0 when n is 0) */
    double sum;        /* for the mean */
    HistGroup *g[HIST_GROUPS];
} Hist;

void hist_init(Hist *h);
void hist_free(Hist *h);
void hist_add(Hist *h, uint64_t v);
/* Adds what src holds to dst. */
void hist_merge(Hist *dst, const Hist *src);
/* The value at quantile q (0 < q <= 1) by the nearest-rank rule: the
 * ceil(q n)-th smallest value, given as the largest value of the bucket
 * that holds it, so exact when that bucket holds one distinct value and
 * never more than 1/128 above it.  0 when empty. */
uint64_t hist_quantile(const Hist *h, double q);
/* Calls fn on each non-empty bucket in increasing order: its largest
 * value and how many values are at most that (the cumulative count). */
void hist_each(const Hist *h, void (*fn)(void *ctx, uint64_t v,
                                         uint64_t cumulative),
               void *ctx);

#endif
