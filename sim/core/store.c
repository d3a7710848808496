#include "sim/core/store.h"

#include <assert.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Chunks are found through an open-addressing hash table keyed by chunk
 * number, with the last chunk used cached: DMA walks addresses in order,
 * so most accesses hit the cache and the table is touched once a chunk. */
typedef struct Slot {
    uint64_t key; /* chunk number + 1; 0 marks an empty slot */
    uint8_t *data;
} Slot;

typedef struct Fill {
    uint64_t lo, hi; /* [lo, hi) of the store */
    StoreFillFn *fn;
    void *ctx;
    uint64_t from;
} Fill;

struct Store {
    uint64_t size;
    Fill *fills; /* sorted by lo when fills_sorted */
    size_t n_fills, cap_fills;
    bool fills_sorted;
    Slot *slots;
    size_t cap, used; /* cap is a power of two */
    uint64_t last_key;
    uint8_t *last_data;
};

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n, size);
    if (!p) {
        fprintf(stderr, "dmasim: out of memory (%zu bytes)\n", n * size);
        abort();
    }
    return p;
}

static size_t hash(uint64_t k, size_t cap)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    return (size_t)k & (cap - 1);
}

Store *store_new(uint64_t size_bytes)
{
    assert(size_bytes > 0);
    Store *st = xcalloc(1, sizeof *st);
    st->size = size_bytes;
    st->cap = 16;
    st->slots = xcalloc(st->cap, sizeof *st->slots);
    return st;
}

void store_free(Store *st)
{
    if (!st)
        return;
    for (size_t i = 0; i < st->cap; i++)
        free(st->slots[i].data);
    free(st->slots);
    free(st->fills);
    free(st);
}

uint64_t store_size(const Store *st)
{
    return st->size;
}

uint64_t store_touched_bytes(const Store *st)
{
    return (uint64_t)st->used * STORE_CHUNK_BYTES;
}

static Slot *find(const Store *st, uint64_t key)
{
    for (size_t i = hash(key, st->cap);; i = (i + 1) & (st->cap - 1))
        if (st->slots[i].key == key || st->slots[i].key == 0)
            return &st->slots[i];
}

static void grow(Store *st)
{
    Slot *old = st->slots;
    size_t ocap = st->cap;
    st->cap *= 2;
    st->slots = xcalloc(st->cap, sizeof *st->slots);
    for (size_t i = 0; i < ocap; i++)
        if (old[i].key)
            *find(st, old[i].key) = old[i];
    free(old);
}

static int fill_cmp(const void *a, const void *b)
{
    const Fill *x = a, *y = b;
    return x->lo < y->lo ? -1 : x->lo > y->lo;
}

void store_fill(Store *st, uint64_t off, uint64_t len, StoreFillFn *fn,
                void *ctx, uint64_t from)
{
    assert(len && off < st->size && len - 1 <= st->size - 1 - off);
    if (st->n_fills == st->cap_fills) {
        st->cap_fills = st->cap_fills ? 2 * st->cap_fills : 4;
        st->fills = realloc(st->fills, st->cap_fills * sizeof *st->fills);
        if (!st->fills)
            abort();
    }
    st->fills[st->n_fills++] = (Fill){off, off + len, fn, ctx, from};
    st->fills_sorted = false;
    /* a chunk written before takes the fill over the range: a fill is
     * the range's content from now on, as if written */
    if (st->used)
        for (uint64_t c = off / STORE_CHUNK_BYTES;
             c <= (off + len - 1) / STORE_CHUNK_BYTES; c++) {
            Slot *s = find(st, c + 1);
            if (!s->key)
                continue;
            uint64_t at = c * STORE_CHUNK_BYTES;
            uint64_t a = off > at ? off : at;
            uint64_t b = off + len < at + STORE_CHUNK_BYTES
                             ? off + len
                             : at + STORE_CHUNK_BYTES;
            fn(ctx, from + (a - off), s->data + (a - at), b - a);
        }
}

/* What untouched bytes [off, off + len) hold: zeros, and the fills. */
static void unwritten(Store *st, uint64_t off, uint8_t *p, uint64_t len)
{
    memset(p, 0, (size_t)len);
    if (!st->n_fills)
        return;
    if (!st->fills_sorted) {
        qsort(st->fills, st->n_fills, sizeof *st->fills, fill_cmp);
        st->fills_sorted = true;
    }
    /* the first fill ending after off */
    size_t lo = 0, hi = st->n_fills;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (st->fills[mid].hi <= off)
            lo = mid + 1;
        else
            hi = mid;
    }
    uint64_t end = off + len;
    for (size_t i = lo; i < st->n_fills && st->fills[i].lo < end; i++) {
        const Fill *f = &st->fills[i];
        uint64_t a = f->lo > off ? f->lo : off;
        uint64_t b = f->hi < end ? f->hi : end;
        if (b > a)
            f->fn(f->ctx, f->from + (a - f->lo), p + (a - off), b - a);
    }
}

/* The chunk holding chunk number c, or NULL if never written (when
 * !create). */
static uint8_t *chunk(Store *st, uint64_t c, int create)
{
    uint64_t key = c + 1;
    if (key == st->last_key)
        return st->last_data;
    Slot *s = find(st, key);
    if (!s->key) {
        if (!create)
            return NULL;
        if (2 * (st->used + 1) > st->cap) {
            grow(st);
            s = find(st, key);
        }
        s->key = key;
        s->data = xcalloc(1, STORE_CHUNK_BYTES);
        st->used++;
        uint64_t at = c * STORE_CHUNK_BYTES;
        uint64_t n = st->size - at < STORE_CHUNK_BYTES ? st->size - at
                                                       : STORE_CHUNK_BYTES;
        if (st->n_fills)
            unwritten(st, at, s->data, n);
    }
    st->last_key = key;
    st->last_data = s->data;
    return s->data;
}

void store_write(Store *st, uint64_t off, const void *src, uint64_t len)
{
    assert(len == 0 || (off < st->size && len - 1 <= st->size - 1 - off));
    const uint8_t *p = src;
    while (len) {
        uint64_t c = off / STORE_CHUNK_BYTES, in = off % STORE_CHUNK_BYTES;
        uint64_t n = STORE_CHUNK_BYTES - in;
        if (n > len)
            n = len;
        memcpy(chunk(st, c, 1) + in, p, (size_t)n);
        p += n;
        off += n;
        len -= n;
    }
}

void store_read(const Store *st, uint64_t off, void *dst, uint64_t len)
{
    assert(len == 0 || (off < st->size && len - 1 <= st->size - 1 - off));
    uint8_t *p = dst;
    while (len) {
        uint64_t c = off / STORE_CHUNK_BYTES, in = off % STORE_CHUNK_BYTES;
        uint64_t n = STORE_CHUNK_BYTES - in;
        if (n > len)
            n = len;
        /* The cache is an optimisation, not state: reading through it
         * from a const store is safe. */
        const uint8_t *d = chunk((Store *)st, c, 0);
        if (d)
            memcpy(p, d + in, (size_t)n);
        else
            unwritten((Store *)st, off, p, n);
        p += n;
        off += n;
        len -= n;
    }
}

/* ---- FIFOs -------------------------------------------------------------- */

typedef struct Bytes {
    uint8_t *v;
    uint64_t n, cap;
} Bytes;

struct Fifo {
    Bytes written;   /* from byte `forgotten` of the log on */
    uint64_t forgotten;
    Bytes feed;
    uint64_t feed_pos;
    StoreFillFn *feed_fn; /* when set: feed_len bytes it makes */
    void *feed_ctx;
    uint64_t feed_len;
};

static void bytes_append(Bytes *b, const void *src, uint64_t len)
{
    if (len == 0)
        return;
    if (b->n + len > b->cap) {
        uint64_t cap = b->cap ? b->cap : 256;
        while (cap < b->n + len)
            cap *= 2;
        uint8_t *nv = realloc(b->v, (size_t)cap);
        if (!nv) {
            fprintf(stderr, "dmasim: out of memory (%llu bytes)\n",
                    (unsigned long long)cap);
            abort();
        }
        b->v = nv;
        b->cap = cap;
    }
    memcpy(b->v + b->n, src, (size_t)len);
    b->n += len;
}

Fifo *fifo_new(void)
{
    return xcalloc(1, sizeof(Fifo));
}

void fifo_free(Fifo *f)
{
    if (!f)
        return;
    free(f->written.v);
    free(f->feed.v);
    free(f);
}

void fifo_write(Fifo *f, const void *src, uint64_t len)
{
    bytes_append(&f->written, src, len);
}

const uint8_t *fifo_written(const Fifo *f, uint64_t *len)
{
    assert(!f->forgotten);
    *len = f->written.n;
    return f->written.v;
}

uint64_t fifo_count(const Fifo *f)
{
    return f->forgotten + f->written.n;
}

const uint8_t *fifo_log(const Fifo *f, uint64_t from, uint64_t *n)
{
    assert(from >= f->forgotten && from <= fifo_count(f));
    *n = fifo_count(f) - from;
    static const uint8_t none[1];
    return f->written.v ? f->written.v + (from - f->forgotten) : none;
}

void fifo_forget(Fifo *f, uint64_t upto)
{
    if (upto <= f->forgotten)
        return;
    assert(upto <= fifo_count(f));
    uint64_t drop = upto - f->forgotten;
    /* moved down when the dropped part is most of the log: amortised
     * linear, and the log never holds more than twice what is kept */
    if (2 * drop >= f->written.n) {
        memmove(f->written.v, f->written.v + drop,
                (size_t)(f->written.n - drop));
        f->written.n -= drop;
        f->forgotten = upto;
        if (f->written.cap > 4096 && 4 * f->written.n < f->written.cap) {
            uint64_t cap = f->written.cap / 2;
            uint8_t *nv = realloc(f->written.v, (size_t)cap);
            if (nv) {
                f->written.v = nv;
                f->written.cap = cap;
            }
        }
    }
}

void fifo_feed(Fifo *f, const void *src, uint64_t len)
{
    bytes_append(&f->feed, src, len);
}

void fifo_feed_fn(Fifo *f, uint64_t len, StoreFillFn *fn, void *ctx)
{
    f->feed_fn = fn;
    f->feed_ctx = ctx;
    f->feed_len = len;
}

void fifo_read(Fifo *f, void *dst, uint64_t len)
{
    uint64_t total = f->feed_fn ? f->feed_len : f->feed.n;
    uint64_t have = total - f->feed_pos;
    uint64_t n = have < len ? have : len;
    if (n && f->feed_fn)
        f->feed_fn(f->feed_ctx, f->feed_pos, dst, n);
    else if (n)
        memcpy(dst, f->feed.v + f->feed_pos, (size_t)n);
    memset((uint8_t *)dst + n, 0, (size_t)(len - n));
    f->feed_pos += n;
}
