#include "sim/core/sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NIL UINT32_MAX
#define MIN_BUCKETS 256u
#define MAX_BUCKETS (1u << 20)

/* 40 bytes.  A pending event has a matching generation and fn != NULL;
 * cancelling clears fn; freeing bumps gen, so stale ids never match.
 * Events run in (time, seq) order: seq is the order they were scheduled
 * in, or the place an event was given when it was reserved
 * (sim_reserve) and scheduled later. */
typedef struct Event {
    SimTime time;
    EventFn *fn;
    void *opaque;
    uint64_t seq;
    uint32_t next;      /* bucket list or free list */
    uint32_t gen;
} Event;

typedef struct Key {
    SimTime time;
    uint64_t seq;
    uint32_t idx;
} Key;

typedef struct Heap {
    Key *v;
    size_t n, cap;
} Heap;

typedef struct Bucket {
    uint32_t head, tail;
} Bucket;

struct Sim {
    SimTime now, until; /* until: of the run in progress */
    uint64_t cur_seq;   /* the running event's place in the order */
    uint64_t then_seq;  /* sim_then's event's */
    bool running;
    EventFn *then_fn;   /* sim_then's: runs after the current callback */
    void *then_opaque;
    uint64_t seq;       /* the next place in the order of events */
    uint64_t run, live, advanced;
    bool stop;
    bool past_end; /* something was due at or past SIM_TIME_MAX */
    Event *pool;
    uint32_t cap, free_head;
    /* Calendar: bucket k holds, sorted by (time, seq), the events whose
     * time >> shift is k, for k in [cursor, cursor + nb); earlier events
     * scheduled while the cursor has looked ahead join bucket `cursor`.
     * Later events wait in `far`. */
    Bucket *buckets;
    uint64_t *occupied; /* bit k % nb: bucket k holds an event */
    uint32_t nb;
    unsigned shift;
    uint64_t cursor;
    size_t in_wheel;
    Heap far;
    /* Tuning: spacing observed since the last rebuild. */
    SimTime tune_time;
    uint64_t tune_run, next_tune; /* retune when run reaches next_tune */
    uint64_t ahead, ahead_cap; /* how far ahead events were scheduled:
                                  their sum, each at most ahead_cap */
    uint64_t scheduled;        /* since the last rebuild */
};

static void die_internal(const char *what, unsigned long long a,
                         unsigned long long b)
{
    fprintf(stderr, "dmasim: internal error: %s (%llu, %llu)\n", what, a, b);
    abort();
}

static void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n);
    if (!p) {
        fprintf(stderr, "dmasim: out of memory (%zu bytes)\n", n);
        abort();
    }
    return p;
}

/* ---- the far heap, ordered by (time, seq) ------------------------------ */

static bool key_lt(const Key *a, const Key *b)
{
    return a->time < b->time || (a->time == b->time && a->seq < b->seq);
}

static void heap_push(Heap *h, Key k)
{
    if (h->n == h->cap) {
        h->cap = h->cap ? h->cap * 2 : 64;
        h->v = xrealloc(h->v, h->cap * sizeof *h->v);
    }
    size_t i = h->n++;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!key_lt(&k, &h->v[p]))
            break;
        h->v[i] = h->v[p];
        i = p;
    }
    h->v[i] = k;
}

static Key heap_pop(Heap *h)
{
    Key top = h->v[0], last = h->v[--h->n];
    size_t i = 0, n = h->n;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && key_lt(&h->v[c + 1], &h->v[c]))
            c++;
        if (!key_lt(&h->v[c], &last))
            break;
        h->v[i] = h->v[c];
        i = c;
    }
    if (n)
        h->v[i] = last;
    return top;
}

/* ---- pool --------------------------------------------------------------- */

static inline uint32_t ev_alloc(Sim *s)
{
    if (s->free_head == NIL) {
        uint32_t old = s->cap, cap = old ? old * 2 : 1024;
        if (cap >= NIL)
            die_internal("too many pending events", cap, NIL);
        s->pool = xrealloc(s->pool, (size_t)cap * sizeof *s->pool);
        for (uint32_t i = old; i < cap; i++) {
            s->pool[i].fn = NULL;
            s->pool[i].gen = 1;
            s->pool[i].next = i + 1 < cap ? i + 1 : NIL;
        }
        s->free_head = old;
        s->cap = cap;
    }
    uint32_t i = s->free_head;
    s->free_head = s->pool[i].next;
    return i;
}

static void ev_free(Sim *s, uint32_t i)
{
    Event *e = &s->pool[i];
    e->fn = NULL;
    e->gen++;
    e->next = s->free_head;
    s->free_head = i;
}

/* ---- calendar ----------------------------------------------------------- */

/* Sorted insertion by (time, seq): a new event has the largest seq yet,
 * so the tail is tried first: O(1) in the common case, O(bucket)
 * otherwise, and buckets hold one event or none, but for equal times.
 * The occupancy bitmap gains the bucket's bit when it fills. */
static inline bool ev_before(const Event *a, const Event *b)
{
    return a->time < b->time || (a->time == b->time && a->seq < b->seq);
}

static inline __attribute__((always_inline)) void
bucket_insert(Sim *s, uint32_t k, uint32_t i)
{
    Bucket *bk = &s->buckets[k];
    Event *e = &s->pool[i];
    if (bk->head == NIL) {
        e->next = NIL;
        bk->head = bk->tail = i;
        s->occupied[k / 64] |= 1ULL << (k % 64);
    } else if (ev_before(&s->pool[bk->tail], e)) {
        e->next = NIL;
        s->pool[bk->tail].next = i;
        bk->tail = i;
    } else {
        uint32_t *link = &bk->head;
        while (ev_before(&s->pool[*link], e))
            link = &s->pool[*link].next;
        e->next = *link;
        *link = i;
    }
}

static inline __attribute__((always_inline)) void place(Sim *s, uint32_t i)
{
    const Event *e = &s->pool[i];
    uint64_t b = e->time >> s->shift;
    if (b < s->cursor)
        b = s->cursor; /* the cursor looked ahead; this one comes first */
    if (b - s->cursor < s->nb) {
        bucket_insert(s, (uint32_t)(b & (s->nb - 1)), i);
        s->in_wheel++;
    } else {
        heap_push(&s->far, (Key){e->time, e->seq, i});
    }
}

static void set_geometry(Sim *s, uint32_t nb, unsigned shift)
{
    s->buckets = xrealloc(s->buckets, (size_t)nb * sizeof *s->buckets);
    for (uint32_t i = 0; i < nb; i++)
        s->buckets[i] = (Bucket){NIL, NIL};
    s->occupied = xrealloc(s->occupied, nb / 64 * sizeof *s->occupied);
    memset(s->occupied, 0, nb / 64 * sizeof *s->occupied);
    s->nb = nb;
    s->shift = shift;
    s->cursor = s->now >> shift;
    s->in_wheel = 0;
}

/* Re-sizes the calendar to what events did since the last rebuild:
 * buckets a sixteenth to a thirty-second of the mean gap between events,
 * so that nearly every bucket holds one event or none (insertion then
 * seldom sorts, and the occupancy bitmap steps over empty buckets a word
 * at a time), and enough of them to span twice the mean time ahead that
 * events were scheduled, and twice the pending events (more buckets than
 * MAX_BUCKETS widen them instead).  O(pending), done at most once per
 * max(4096, pending) events run, so amortised O(1). */
static void retune(Sim *s)
{
    uint64_t ran = s->run - s->tune_run;
    SimTime span = s->now - s->tune_time;
    uint64_t ahead = s->scheduled ? s->ahead / s->scheduled : 0;
    s->tune_run = s->run;
    s->tune_time = s->now;
    s->next_tune = s->run + (s->live > 4096 ? s->live : 4096);
    s->ahead = s->scheduled = 0;
    uint64_t gap = ran ? span / ran : 0;
    unsigned shift = 0;
    while (shift < 40 && (1ULL << (shift + 1)) <= gap / 8)
        shift++;
    uint64_t want = 2 * s->live;
    while (shift < 40 && (2 * ahead >> shift) > MAX_BUCKETS)
        shift++;
    if ((2 * ahead >> shift) > want)
        want = 2 * ahead >> shift;
    uint32_t nb = MIN_BUCKETS;
    while (nb < MAX_BUCKETS && nb < want)
        nb *= 2;
    /* a sample of how far ahead counts at most 16 windows */
    s->ahead_cap = (uint64_t)nb << shift << 4;
    if (shift == s->shift && nb == s->nb)
        return;

    /* Re-insert in time order, equal times in their order: the calendar's
     * buckets from the cursor on, then the far heap as it pops (the two
     * never share a time). */
    size_t n = 0, cap = s->far.n + s->in_wheel;
    uint32_t *all = malloc((cap ? cap : 1) * sizeof *all);
    for (uint32_t k = 0; k < s->nb; k++)
        for (uint32_t i = s->buckets[(s->cursor + k) & (s->nb - 1)].head;
             i != NIL; i = s->pool[i].next)
            all[n++] = i;
    while (s->far.n)
        all[n++] = heap_pop(&s->far).idx;
    set_geometry(s, nb, shift);
    for (size_t k = 0; k < n; k++) {
        if (!s->pool[all[k]].fn)
            ev_free(s, all[k]); /* cancelled: reap now */
        else
            place(s, all[k]);
    }
    free(all);
}

/* How many buckets on from bucket k (empty) the next that holds an event
 * is, circularly; one does. */
static inline uint32_t next_occupied(const Sim *s, uint32_t k)
{
    uint32_t words = s->nb / 64, w = k / 64;
    uint64_t bits = s->occupied[w] & (~0ULL << (k % 64));
    for (uint32_t n = 0; !bits; n++) {
        w = (w + 1) & (words - 1);
        bits = s->occupied[w];
        if (n > words)
            die_internal("calendar bitmap lost an event", k, s->nb);
    }
    uint32_t at = w * 64 + (uint32_t)__builtin_ctzll(bits);
    return (at - k) & (s->nb - 1);
}

/* The earliest event (possibly a cancelled one), or NIL when none is
 * left.  Moves the cursor over empty buckets, and far events into the
 * calendar as its span reaches them. */
static uint32_t peek(Sim *s)
{
    for (;;) {
        Bucket *bk = &s->buckets[s->cursor & (s->nb - 1)];
        if (bk->head != NIL)
            return bk->head;
        if (s->in_wheel == 0) {
            if (s->far.n == 0)
                return NIL;
            s->cursor = s->far.v[0].time >> s->shift; /* jump the gap */
        } else {
            s->cursor += next_occupied(s, (uint32_t)(s->cursor & (s->nb - 1)));
        }
        while (s->far.n && (s->far.v[0].time >> s->shift) - s->cursor < s->nb)
            place(s, heap_pop(&s->far).idx);
    }
}

/* ---- public ------------------------------------------------------------- */

Sim *sim_new(void)
{
    Sim *s = calloc(1, sizeof *s);
    if (!s)
        abort();
    s->free_head = NIL;
    s->next_tune = 4096;
    s->ahead_cap = 4096ULL << 10 << 4;
    set_geometry(s, 4096, 10); /* ~1 ns buckets until events tell more */
    return s;
}

void sim_free(Sim *s)
{
    if (!s)
        return;
    free(s->pool);
    free(s->buckets);
    free(s->occupied);
    free(s->far.v);
    free(s);
}

SimTime sim_now(const Sim *s) { return s->now; }
size_t sim_pending(const Sim *s) { return (size_t)s->live; }
uint64_t sim_events_run(const Sim *s) { return s->run; }

/* What scheduling rarely meets: the end of time, a bug, a pool to grow. */
static __attribute__((noinline, cold)) EventId
schedule_slow(Sim *s, SimTime t, EventFn *fn, void *opaque, uint64_t seq);

/* Kept small, with every rare case out of line, because every event
 * passes here (docs/performance.md, "Event kernel"). */
static inline __attribute__((always_inline)) EventId
schedule(Sim *s, SimTime t, EventFn *fn, void *opaque, uint64_t seq)
{
    uint32_t i = s->free_head;
    if (__builtin_expect(t < s->now || t == SIM_TIME_MAX || !fn || i == NIL,
                         0))
        return schedule_slow(s, t, fn, opaque, seq);
    Event *e = &s->pool[i];
    s->free_head = e->next;
    e->time = t;
    e->fn = fn;
    e->opaque = opaque;
    e->seq = seq;
    s->live++;
    uint64_t ahead = t - s->now;
    s->ahead += ahead < s->ahead_cap ? ahead : s->ahead_cap;
    s->scheduled++;
    place(s, i);
    return ((uint64_t)e->gen << 32) | (i + 1);
}

static EventId schedule_slow(Sim *s, SimTime t, EventFn *fn, void *opaque,
                             uint64_t seq)
{
    if (t == SIM_TIME_MAX) { /* the end of time: the run stops there */
        s->past_end = true;
        s->stop = true;
        return 0;
    }
    if (t < s->now)
        die_internal("event scheduled before the current time",
                     (unsigned long long)t, (unsigned long long)s->now);
    if (!fn)
        die_internal("event without a callback", (unsigned long long)t, 0);
    s->free_head = ev_alloc(s); /* grows the pool; nothing is taken */
    return schedule(s, t, fn, opaque, seq);
}

EventId sim_at(Sim *s, SimTime t, EventFn *fn, void *opaque)
{
    return schedule(s, t, fn, opaque, s->seq++);
}

EventId sim_after(Sim *s, SimTime delay, EventFn *fn, void *opaque)
{
    SimTime t = s->now + delay;
    return schedule(s, t < delay ? SIM_TIME_MAX : t, fn, opaque, s->seq++);
}

uint64_t sim_reserve(Sim *s) { return s->seq++; }

uint64_t sim_current_seq(const Sim *s) { return s->cur_seq; }

EventId sim_at_reserved(Sim *s, SimTime t, uint64_t seq, EventFn *fn,
                        void *opaque)
{
    if (seq >= s->seq || t < s->now ||
        (s->running && t == s->now && seq <= s->cur_seq))
        die_internal("event reserved out of order", (unsigned long long)t,
                     (unsigned long long)seq);
    return schedule(s, t, fn, opaque, seq);
}

bool sim_cancel(Sim *s, EventId id)
{
    uint32_t i = (uint32_t)(id & 0xffffffffu);
    if (i == 0 || i > s->cap)
        return false;
    Event *e = &s->pool[i - 1];
    if (e->gen != (uint32_t)(id >> 32) || !e->fn)
        return false;
    e->fn = NULL; /* reaped when its time comes */
    s->live--;
    return true;
}

void sim_stop(Sim *s)
{
    s->stop = true;
}

bool sim_past_end(const Sim *s)
{
    return s->past_end;
}

/* An event is pending at or before t. */
static bool due_by(Sim *s, SimTime t)
{
    if (s->then_fn)
        return true; /* at now */
    uint64_t b = t >> s->shift;
    uint32_t h = s->buckets[s->cursor & (s->nb - 1)].head;
    if (b <= s->cursor) {
        /* every event due by t is in the cursor's bucket, sorted (far
         * ones lie beyond the calendar's span): its head says */
        return h != NIL && s->pool[h].time <= t;
    }
    if (h != NIL)
        return true; /* the cursor's bucket ends before t's begins */
    uint32_t i = peek(s); /* the earliest, possibly cancelled */
    return i != NIL && s->pool[i].time <= t;
}

bool sim_then(Sim *s, EventFn *fn, void *opaque)
{
    if (!s->running || s->stop || !fn || due_by(s, s->now))
        return false;
    s->then_fn = fn;
    s->then_opaque = opaque;
    s->then_seq = s->seq++;
    s->live++;
    return true;
}

/* The run stops with sim_then's event not run: it goes back among the
 * events at now, first (every other was scheduled after it). */
static void then_to_calendar(Sim *s)
{
    uint32_t i = ev_alloc(s);
    Event *e = &s->pool[i];
    e->time = s->now;
    e->fn = s->then_fn;
    e->opaque = s->then_opaque;
    e->seq = s->then_seq;
    s->then_fn = NULL;
    uint64_t b = s->now >> s->shift;
    if (b < s->cursor) {
        b = s->cursor; /* the cursor looked ahead; this one comes first */
    } else if (b - s->cursor >= s->nb) {
        /* now was advanced past the calendar's span; every pending event
         * is later than now, so none is in it: it moves to now */
        s->cursor = b;
        while (s->far.n && (s->far.v[0].time >> s->shift) - s->cursor < s->nb)
            place(s, heap_pop(&s->far).idx);
    }
    bucket_insert(s, (uint32_t)(b & (s->nb - 1)), i);
    s->in_wheel++;
}

bool sim_advance(Sim *s, SimTime t)
{
    if (!s->running || s->stop || t < s->now || t > s->until)
        return false;
    if (due_by(s, t))
        return false;
    s->cur_seq = s->seq++; /* as an event scheduled now for t */
    s->now = t;
    s->run++;
    s->advanced++;
    return true;
}

uint64_t sim_events_advanced(const Sim *s) { return s->advanced; }

void sim_count_inline(Sim *s, uint64_t n)
{
    s->run += n;
    s->advanced += n;
}

uint64_t sim_run_until(Sim *s, SimTime until)
{
    uint64_t start = s->run;
    s->stop = s->past_end;
    s->until = until;
    s->running = true;
    while (!s->stop) {
        if (__builtin_expect(s->run >= s->next_tune, 0))
            retune(s);
        /* The cursor's bucket holds the earliest event, most times. */
        Bucket *bk = &s->buckets[s->cursor & (s->nb - 1)];
        uint32_t i = bk->head;
        if (i == NIL) {
            /* the next occupied bucket, when nothing far comes first;
             * else peek's general way */
            if (s->in_wheel && !s->far.n) {
                s->cursor +=
                    next_occupied(s, (uint32_t)(s->cursor & (s->nb - 1)));
            } else if (peek(s) == NIL) {
                break;
            }
            bk = &s->buckets[s->cursor & (s->nb - 1)];
            i = bk->head;
        }
        Event *e = &s->pool[i];
        SimTime t = e->time;
        if (t > until)
            break;
        if ((bk->head = e->next) == NIL) {
            uint32_t k = (uint32_t)(s->cursor & (s->nb - 1));
            bk->tail = NIL;
            s->occupied[k / 64] &= ~(1ULL << (k % 64));
        }
        s->in_wheel--;
        EventFn *fn = e->fn;
        void *opaque = e->opaque;
        uint64_t seq = e->seq;
        ev_free(s, i); /* the callback may reuse the record */
        if (!fn) /* cancelled */
            continue;
        if (__builtin_expect(t < s->now, 0))
            die_internal("time went backwards", (unsigned long long)t,
                         (unsigned long long)s->now);
        s->now = t;
        s->cur_seq = seq;
        s->live--;
        s->run++;
        fn(s, opaque);
        while (s->then_fn && !s->stop) {
            fn = s->then_fn;
            opaque = s->then_opaque;
            s->cur_seq = s->then_seq;
            s->then_fn = NULL;
            s->live--;
            s->run++;
            s->advanced++;
            fn(s, opaque);
        }
        if (__builtin_expect(s->then_fn != NULL, 0))
            then_to_calendar(s);
    }
    s->running = false; /* no advance, no sim_then from outside a run */
    if (!s->stop && until != SIM_TIME_MAX && until > s->now)
        s->now = until;
    return s->run - start;
}

uint64_t sim_run(Sim *s)
{
    return sim_run_until(s, SIM_TIME_MAX);
}

/* ---- clocks ------------------------------------------------------------- */

__extension__ typedef unsigned __int128 u128;

Clock clock_of(uint64_t hz)
{
    if (!hz)
        die_internal("a clock of 0 Hz", 0, 0);
    uint64_t a = PS_PER_S, b = hz;
    while (b) { /* Euclid: a becomes gcd(10^12, hz) */
        uint64_t r = a % b;
        a = b;
        b = r;
    }
    return (Clock){hz, PS_PER_S / a, hz / a};
}

/* Past the first 18 million edges: ceil(n * num / den), in 64 bits while
 * they suffice, then in 128.  Out of line, so that the common case stays
 * small enough to be inlined where it is called. */
static __attribute__((noinline)) SimTime edge_past_64(const Clock *c,
                                                     uint64_t n)
{
    uint64_t p;
    if (!__builtin_mul_overflow(n, c->num, &p) &&
        p <= UINT64_MAX - (c->den - 1))
        return (p + c->den - 1) / c->den;
    u128 ps = ((u128)n * c->num + c->den - 1) / c->den;
    return ps < SIM_TIME_MAX ? (SimTime)ps : SIM_TIME_MAX;
}

SimTime clock_edge(const Clock *c, uint64_t n)
{
    uint64_t p;
    /* ceil(n * 10^12 / hz): a multiplication by a constant, while 64 bits
     * suffice (the first 18 million edges) */
    if (!__builtin_mul_overflow(n, (uint64_t)PS_PER_S, &p) &&
        p <= UINT64_MAX - (c->hz - 1))
        return (p + c->hz - 1) / c->hz;
    return edge_past_64(c, n);
}

/* floor((t - 1) * den / num) + 1, the same as below, past 64 bits of
 * (t - 1) * hz. */
static __attribute__((noinline)) uint64_t index_past_64(const Clock *c,
                                                       SimTime t)
{
    uint64_t y;
    if (!__builtin_mul_overflow(t - 1, c->den, &y))
        return y / c->num + 1;
    u128 x = (u128)(t - 1) * c->den;
    return (uint64_t)(x / c->num) + 1;
}

uint64_t clock_edge_index(const Clock *c, SimTime t)
{
    /* The smallest n with ceil(n * 1e12 / hz) >= t, i.e. n * 1e12 / hz >
     * t - 1, i.e. n > (t - 1) * hz / 1e12 = (t - 1) * den / num. */
    if (t == 0)
        return 0;
    uint64_t y;
    if (!__builtin_mul_overflow(t - 1, c->hz, &y))
        return y / PS_PER_S + 1; /* a division by a constant */
    return index_past_64(c, t);
}

SimTime clock_align(const Clock *c, SimTime t)
{
    return clock_edge(c, clock_edge_index(c, t));
}

SimTime clock_edge_after(const Clock *c, uint64_t n, uint64_t cycles)
{
    return n > UINT64_MAX - cycles ? SIM_TIME_MAX : clock_edge(c, n + cycles);
}

SimTime clock_after(const Clock *c, SimTime t, uint64_t cycles)
{
    return clock_edge_after(c, clock_edge_index(c, t), cycles);
}
