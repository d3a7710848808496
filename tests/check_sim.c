/* sim/sim: the event kernel and clock edges. */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/core/hist.h"
#include "sim/core/sim.h"
#include "testutil.h"

typedef struct Log {
    int v[64];
    int n;
} Log;

typedef struct Tag {
    Log *log;
    int id;
} Tag;

static void record(Sim *s, void *opaque)
{
    (void)s;
    Tag *t = opaque;
    t->log->v[t->log->n++] = t->id;
}

START_TEST(time_order_and_fifo)
{
    Sim *s = sim_new();
    Log log = {0};
    Tag tags[6];
    static const SimTime at[] = {300, 100, 200, 100, 100, 0};
    for (int i = 0; i < 6; i++) {
        tags[i] = (Tag){&log, i};
        sim_at(s, at[i], record, &tags[i]);
    }
    ck_assert_uint_eq(sim_pending(s), 6);
    ck_assert_uint_eq(sim_run(s), 6);
    int want[] = {5, 1, 3, 4, 2, 0};
    ck_assert_int_eq(log.n, 6);
    for (int i = 0; i < 6; i++)
        ck_assert_int_eq(log.v[i], want[i]);
    ck_assert_uint_eq(sim_now(s), 300);
    ck_assert_uint_eq(sim_pending(s), 0);
    sim_free(s);
}
END_TEST

/* An event scheduled for "now" from a callback runs after those already
 * scheduled for the same time. */
typedef struct Chain {
    Log log;
    Tag late;
} Chain;

static void add_same_time(Sim *s, void *opaque)
{
    Chain *c = opaque;
    c->log.v[c->log.n++] = 100;
    sim_after(s, 0, record, &c->late);
}

START_TEST(same_time_from_callback)
{
    Sim *s = sim_new();
    Chain c = {0};
    c.late = (Tag){&c.log, 7};
    Tag other = {&c.log, 1};
    sim_at(s, 50, add_same_time, &c);
    sim_at(s, 50, record, &other);
    sim_run(s);
    ck_assert_int_eq(c.log.n, 3);
    ck_assert_int_eq(c.log.v[0], 100);
    ck_assert_int_eq(c.log.v[1], 1);
    ck_assert_int_eq(c.log.v[2], 7);
    sim_free(s);
}
END_TEST

START_TEST(cancel)
{
    Sim *s = sim_new();
    Log log = {0};
    Tag a = {&log, 1}, b = {&log, 2};
    EventId ia = sim_at(s, 10, record, &a);
    EventId ib = sim_at(s, 20, record, &b);
    ck_assert(sim_cancel(s, ia));
    ck_assert(!sim_cancel(s, ia)); /* twice */
    ck_assert_uint_eq(sim_pending(s), 1);
    sim_run(s);
    ck_assert_int_eq(log.n, 1);
    ck_assert_int_eq(log.v[0], 2);
    ck_assert(!sim_cancel(s, ib)); /* already ran */
    ck_assert(!sim_cancel(s, 0));
    ck_assert(!sim_cancel(s, 0xdeadbeef00000001ULL)); /* stale generation */
    /* The freed record is reused; the old id must not cancel the new. */
    EventId ic = sim_at(s, 30, record, &a);
    ck_assert(ic != ia);
    ck_assert(!sim_cancel(s, ia));
    ck_assert_uint_eq(sim_run(s), 1);
    sim_free(s);
}
END_TEST

static void stopper(Sim *s, void *opaque)
{
    record(s, opaque);
    sim_stop(s);
}

START_TEST(run_until_and_stop)
{
    Sim *s = sim_new();
    Log log = {0};
    Tag t[4] = {{&log, 0}, {&log, 1}, {&log, 2}, {&log, 3}};
    sim_at(s, 1000, record, &t[0]);
    sim_at(s, 2000, stopper, &t[1]);
    sim_at(s, 3000, record, &t[2]);
    sim_at(s, 9000, record, &t[3]);
    ck_assert_uint_eq(sim_run_until(s, 1500), 1);
    ck_assert_uint_eq(sim_now(s), 1500); /* idle time passes */
    ck_assert_uint_eq(sim_run_until(s, 5000), 1); /* stopped at 2000 */
    ck_assert_uint_eq(sim_now(s), 2000);
    ck_assert_uint_eq(sim_run_until(s, 3000), 1); /* an edge is inclusive */
    ck_assert_uint_eq(sim_run(s), 1);
    ck_assert_uint_eq(sim_now(s), 9000);
    ck_assert_uint_eq(sim_events_run(s), 4);
    sim_free(s);
}
END_TEST

/* sim_then and sim_advance: only from a callback, only when nothing is
 * due by then; and an event sim_then holds when the run stops goes first
 * among those at its time. */
static void then_and_stop(Sim *s, void *opaque)
{
    Tag *t = opaque;
    record(s, t);
    ck_assert(sim_then(s, record, t + 1));
    ck_assert(!sim_then(s, record, t + 1)); /* one at a time */
    ck_assert(!sim_advance(s, sim_now(s) + 1)); /* it is due now */
    sim_after(s, 0, record, t + 2);
    sim_stop(s);
}

static void advance_by_10(Sim *s, void *opaque)
{
    Tag *t = opaque;
    record(s, t);
    ck_assert(!sim_advance(s, 1050)); /* an event at 1050 is due */
    ck_assert(sim_advance(s, 1049));
    ck_assert_uint_eq(sim_now(s), 1049);
    record(s, t + 1);
    ck_assert(!sim_advance(s, 1048)); /* never back */
    ck_assert(!sim_advance(s, 2001)); /* past the run's until */
}

START_TEST(then_and_advance)
{
    Sim *s = sim_new();
    Log log = {0};
    Tag t[6] = {{&log, 0}, {&log, 1}, {&log, 2}, {&log, 3}, {&log, 4},
                {&log, 5}};
    ck_assert(!sim_then(s, record, &t[0]));   /* outside a run */
    ck_assert(!sim_advance(s, 10));
    sim_at(s, 100, then_and_stop, &t[0]);
    ck_assert_uint_eq(sim_run(s), 1);
    ck_assert_uint_eq(sim_pending(s), 2);
    ck_assert_uint_eq(sim_run(s), 2); /* t[1] first, then t[2] */
    ck_assert_int_eq(log.n, 3);
    ck_assert_int_eq(log.v[1], 1);
    ck_assert_int_eq(log.v[2], 2);
    sim_at(s, 1000, advance_by_10, &t[3]);
    sim_at(s, 1050, record, &t[5]);
    ck_assert_uint_eq(sim_run_until(s, 2000), 3); /* advancing counts */
    ck_assert_int_eq(log.n, 6);
    ck_assert_int_eq(log.v[4], 4);
    ck_assert_int_eq(log.v[5], 5);
    ck_assert_uint_eq(sim_events_run(s), 6);
    ck_assert_uint_eq(sim_events_advanced(s), 1); /* t[1] was queued */
    sim_free(s);
}
END_TEST

/* A reserved place: an event scheduled later runs where it would have,
 * had it been scheduled when its place was reserved. */
static uint64_t seq_seen[4];

static void note_seq(Sim *s, void *opaque)
{
    Tag *t = opaque;
    record(s, t);
    seq_seen[t->id] = sim_current_seq(s);
}

static void reserve_then_schedule(Sim *s, void *opaque)
{
    Tag *t = opaque;
    uint64_t place = sim_reserve(s);
    sim_at(s, 100, note_seq, t + 1);                   /* after the place */
    sim_at_reserved(s, 100, place, note_seq, t + 2);   /* so before it */
}

START_TEST(reserved_places)
{
    Sim *s = sim_new();
    Log log = {0};
    Tag t[3] = {{&log, 0}, {&log, 1}, {&log, 2}};
    sim_at(s, 10, reserve_then_schedule, &t[0]);
    sim_run(s);
    ck_assert_int_eq(log.n, 2);
    ck_assert_int_eq(log.v[0], 2);
    ck_assert_int_eq(log.v[1], 1);
    ck_assert_uint_lt(seq_seen[2], seq_seen[1]);
    sim_free(s);
}
END_TEST

static void reserve_too_late(Sim *s, void *opaque)
{
    (void)opaque;
    uint64_t before = sim_current_seq(s);
    /* The message is expected; keep it out of the test log. */
    if (!freopen("/dev/null", "w", stderr))
        return;
    sim_at_reserved(s, sim_now(s), before, record, NULL); /* already past */
}

START_TEST(reserved_out_of_order_is_internal_error)
{
    Sim *s = sim_new();
    sim_at(s, 10, reserve_too_late, NULL);
    sim_run(s);
}
END_TEST

/* ---- differential test against a sort ---------------------------------- */

typedef struct Rec {
    SimTime time;
    uint64_t order; /* scheduling order */
    EventId id;
    bool cancelled;
    void *ctx;      /* freed by the callback, or at the end if cancelled */
} Rec;

typedef struct Diff {
    Sim *sim;
    Rec *recs;
    size_t n, cap;
    uint64_t *ran; /* orders, as run */
    size_t n_ran;
    uint64_t rng;
    size_t budget; /* events still to schedule from callbacks */
    struct Ctx *then; /* the one sim_then holds */
    bool holding;     /* a place reserved (sim_reserve), not yet used */
    size_t held;      /* its record */
    uint64_t held_seq;
} Diff;

Diff *diff_current;

typedef struct Ctx {
    Diff *d;
    uint64_t order;
} Ctx;

static uint64_t xs(uint64_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

static void diff_cb(Sim *s, void *opaque);

/* Delays mixing ties, nanoseconds, microseconds and far jumps, so that
 * buckets, the far heap and re-tuning are all exercised. */
static SimTime delay(Diff *d)
{
    uint64_t r = xs(&d->rng);
    switch (r % 8) {
    case 0: return 0;
    case 1: return (r >> 8) % 16;
    case 2: case 3: case 4: return (r >> 8) % 100000;
    case 5: return (r >> 8) % 10000000;
    case 6: return (r >> 8) % 5000000000ULL;
    default: return 1000 + (r >> 8) % 99000;
    }
}

/* The record of an event due at t, in scheduling order. */
static Rec *diff_record(Diff *d, SimTime t)
{
    if (d->n == d->cap) {
        d->cap = d->cap ? d->cap * 2 : 1024;
        d->recs = realloc(d->recs, d->cap * sizeof *d->recs);
    }
    Ctx *c = malloc(sizeof *c);
    c->d = d;
    c->order = d->n;
    d->recs[d->n] = (Rec){t, d->n, 0, false, c};
    return &d->recs[d->n++];
}

static void diff_schedule(Diff *d, SimTime t)
{
    Rec *r = diff_record(d, t);
    r->id = sim_at(d->sim, t, diff_cb, r->ctx);
}

/* An event at t that does not pass through the queue: sim_then at now,
 * sim_advance later; false when the kernel declines (something is due
 * by then).  It runs diff_cb's record keeping as any event would. */
static bool diff_inline(Diff *d, SimTime t)
{
    Sim *s = d->sim;
    bool then = t == sim_now(s);
    if (then ? !sim_then(s, diff_cb, NULL) : !sim_advance(s, t))
        return false;
    Ctx *c = diff_record(d, t)->ctx;
    if (then)
        d->then = c; /* diff_cb(NULL) finds it here */
    else
        diff_cb(s, c); /* now is t: it runs at once */
    return true;
}

static void diff_cb(Sim *s, void *opaque)
{
    Ctx *c = opaque;
    Diff *d;
    if (!c) { /* sim_then's */
        extern Diff *diff_current;
        c = diff_current->then;
        diff_current->then = NULL;
    }
    d = c->d;
    ck_assert_uint_eq(sim_now(s), d->recs[c->order].time);
    d->ran[d->n_ran++] = c->order;
    free(c);
    for (int k = 0; k < 2 && d->budget; k++, d->budget--) {
        uint64_t r = xs(&d->rng) % 8;
        SimTime t = sim_now(s) + delay(d);
        if (r == 0 && !d->then && diff_inline(d, sim_now(s)))
            continue;
        if (r == 1 && !d->then && diff_inline(d, t))
            continue;
        if (r == 3 && !d->holding) { /* a place now, an event later */
            d->held_seq = sim_reserve(s);
            d->held = (size_t)(diff_record(d, 0) - d->recs);
            d->holding = true;
            continue;
        }
        if (r == 4 && d->holding) { /* in its place, however late */
            Rec *h = &d->recs[d->held];
            h->time = t + 1;
            h->id = sim_at_reserved(s, h->time, d->held_seq, diff_cb, h->ctx);
            d->holding = false;
            continue;
        }
        if (r != 2)
            diff_schedule(d, t);
    }
    /* Cancel a random pending event now and then. */
    if (d->n && xs(&d->rng) % 7 == 0) {
        Rec *r = &d->recs[xs(&d->rng) % d->n];
        if (!r->cancelled && sim_cancel(s, r->id))
            r->cancelled = true;
    }
}

static int by_time_order(const void *a, const void *b)
{
    const Rec *x = a, *y = b;
    if (x->time != y->time)
        return x->time < y->time ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

START_TEST(differential)
{
    Diff d = {0};
    diff_current = &d;
    d.sim = sim_new();
    d.rng = 0x9E3779B97F4A7C15ULL + (uint64_t)_i;
    d.budget = 300000;
    d.ran = malloc((d.budget + 5000) * sizeof *d.ran);
    for (int i = 0; i < 5000; i++)
        diff_schedule(&d, delay(&d));
    sim_run(d.sim);
    ck_assert_uint_eq(sim_pending(d.sim), 0);
    if (d.holding)
        d.recs[d.held].cancelled = true; /* never scheduled */

    /* Expected: every event not cancelled, by (time, scheduling order). */
    Rec *want = malloc(d.n * sizeof *want);
    size_t nw = 0;
    for (size_t i = 0; i < d.n; i++)
        if (!d.recs[i].cancelled)
            want[nw++] = d.recs[i];
        else
            free(d.recs[i].ctx);
    qsort(want, nw, sizeof *want, by_time_order);
    ck_assert_uint_eq(d.n_ran, nw);
    for (size_t i = 0; i < nw; i++)
        ck_assert_msg(d.ran[i] == want[i].order,
                      "event %zu: ran #%llu, expected #%llu", i,
                      (unsigned long long)d.ran[i],
                      (unsigned long long)want[i].order);
    ck_assert_uint_eq(sim_events_run(d.sim), nw);
    /* and the inline paths were taken, often */
    ck_assert_uint_gt(sim_events_advanced(d.sim), 1000);
    free(want);
    free(d.ran);
    free(d.recs);
    sim_free(d.sim);
}
END_TEST

START_TEST(past_is_internal_error)
{
    Sim *s = sim_new();
    Log log = {0};
    Tag t = {&log, 0};
    sim_at(s, 100, record, &t);
    sim_run(s);
    /* The message is expected; keep it out of the test log. */
    if (!freopen("/dev/null", "w", stderr))
        return;
    sim_at(s, 50, record, &t); /* aborts */
}
END_TEST

/* The end of time: an event due at 2^64 ps is not scheduled, and the run
 * stops there with sim_past_end() set, whatever else is pending. */
/* A clock of `hz` for one call of the clock functions (a ring, so that
 * a call may take another's result). */
static const Clock *clk(uint64_t hz)
{
    static Clock ring[8];
    static unsigned k;
    Clock *c = &ring[k++ % 8];
    *c = clock_of(hz);
    return c;
}

static void to_the_end(Sim *s, void *opaque)
{
    record(s, opaque);
    sim_after(s, SIM_TIME_MAX - sim_now(s) + 5, record, opaque);
}

START_TEST(end_of_time)
{
    Sim *s = sim_new();
    Log log = {0};
    Tag a = {&log, 1}, b = {&log, 2};
    sim_at(s, 100, to_the_end, &a);
    sim_at(s, 200, record, &b);
    ck_assert(!sim_past_end(s));
    sim_run(s);
    ck_assert(sim_past_end(s));
    ck_assert_int_eq(log.n, 1); /* stopped at once: b never ran */
    ck_assert_uint_eq(sim_at(s, SIM_TIME_MAX, record, &b), 0);
    sim_run(s); /* and stays stopped */
    ck_assert_int_eq(log.n, 1);
    sim_free(s);
    /* The clocks saturate rather than wrap: 2^64 ps is about 1.8e7 s. */
    ck_assert_uint_eq(clock_edge(clk(1), 20000000), SIM_TIME_MAX);
    ck_assert_uint_eq(clock_after(clk(1), 0, 20000000), SIM_TIME_MAX);
    ck_assert_uint_eq(clock_after(clk(1000), 5, UINT64_MAX), SIM_TIME_MAX);
    ck_assert_uint_eq(clock_edge(clk(1), 18000000), 18000000 * PS_PER_S);
}
END_TEST

/* ---- clocks ------------------------------------------------------------- */

START_TEST(clock_edges)
{
    /* A period in lowest terms: 10^12 / 133330000 = 10^8 / 13333 (the
     * common factor is 10^4); 10^12 / 66660000 = 5 x 10^7 / 3333; 100 MHz
     * 10^4 / 1; 1 Hz 10^12 / 1; 3 Hz 10^12 / 3 (none in common). */
    static const struct {
        uint64_t hz, num, den;
    } periods[] = {{133330000, 100000000, 13333},
                   {66660000, 50000000, 3333},
                   {100000000, 10000, 1},
                   {1, PS_PER_S, 1},
                   {3, PS_PER_S, 3}};
    for (size_t i = 0; i < sizeof periods / sizeof *periods; i++) {
        Clock c = clock_of(periods[i].hz);
        ck_assert_uint_eq(c.hz, periods[i].hz);
        ck_assert_uint_eq(c.num, periods[i].num);
        ck_assert_uint_eq(c.den, periods[i].den);
    }
    /* Past the 18,446,744 edges where n * 10^12 leaves 64 bits, but
     * where n * 10^8 has not (up to 184,467,440,737 edges): edge 10^9 of
     * 133.33 MHz is at ceil(10^17 / 13333) = 7,500,187,504,687 + 1 (the
     * remainder is 8229) ps, and that time's edge index is 10^9 again:
     * floor((t - 1) x 133330000 / 10^12) + 1. */
    ck_assert_uint_eq(clock_edge(clk(133330000), 1000000000),
                      7500187504688ULL);
    ck_assert_uint_eq(clock_edge_index(clk(133330000), 7500187504688ULL),
                      1000000000);
    ck_assert_uint_eq(clock_edge_index(clk(133330000), 7500187504689ULL),
                      1000000001);
    /* 100 MHz: 10 ns exactly. */
    ck_assert_uint_eq(clock_edge(clk(100000000), 3), 30000);
    ck_assert_uint_eq(clock_align(clk(100000000), 0), 0);
    ck_assert_uint_eq(clock_align(clk(100000000), 1), 10000);
    ck_assert_uint_eq(clock_align(clk(100000000), 10000), 10000);
    ck_assert_uint_eq(clock_align(clk(100000000), 10001), 20000);
    ck_assert_uint_eq(clock_after(clk(100000000), 10001, 2), 40000);
    /* 133.33 MHz: 7500.1875 ps; edges are rounded up, never drift. */
    ck_assert_uint_eq(clock_edge(clk(133330000), 1), 7501);
    ck_assert_uint_eq(clock_edge(clk(133330000), 3), 22501);
    ck_assert_uint_eq(clock_edge(clk(133330000), 133330000), PS_PER_S);
    ck_assert_uint_eq(clock_edge_index(clk(133330000), PS_PER_S), 133330000);
    ck_assert_uint_eq(clock_edge_index(clk(133330000), PS_PER_S + 1), 133330001);
    ck_assert_uint_eq(clock_edge_after(clk(1), UINT64_MAX - 1, 5), SIM_TIME_MAX);
    ck_assert_uint_eq(clock_edge_after(clk(100000000), 1, 2), 30000);
    /* 66.666666 MHz over a simulated hour. */
    uint64_t hz = 66666666, n = hz * 3600ULL;
    SimTime e = clock_edge(clk(hz), n);
    ck_assert_uint_eq(clock_edge_index(clk(hz), e), n);
    ck_assert_uint_eq(clock_edge_index(clk(hz), e + 1), n + 1);
    ck_assert_uint_eq(clock_align(clk(hz), e - 1), e);
    /* Where 64 bits stop sufficing (n * 10^12 or (t - 1) * hz past
     * 2^64) the figures go on as the 128-bit formula has them:
     * ceil(n * 10^12 / hz) (the end of time past 2^64 ps) and
     * floor((t - 1) * hz / 10^12) + 1. */
    __extension__ typedef unsigned __int128 u128;
    static const uint64_t hzs[] = {1, 3, 66666666, 133330000, 400000000,
                                   3000000000ULL};
    for (size_t i = 0; i < sizeof hzs / sizeof *hzs; i++) {
        uint64_t f = hzs[i];
        for (uint64_t k = 18446740; k < 18446750; k++) {
            u128 want = ((u128)k * PS_PER_S + f - 1) / f;
            ck_assert_uint_eq(clock_edge(clk(f), k), want < SIM_TIME_MAX
                                                    ? (uint64_t)want
                                                    : SIM_TIME_MAX);
        }
        /* and everywhere in 64 bits (the first 18 million edges) */
        uint64_t x = 0x9E3779B97F4A7C15ULL;
        for (int j = 0; j < 20000; j++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            uint64_t k = x % 18446744;
            u128 want = ((u128)k * PS_PER_S + f - 1) / f;
            ck_assert_uint_eq(clock_edge(clk(f), k), (uint64_t)want);
        }
        uint64_t t0 = UINT64_MAX / f;
        for (uint64_t t = t0 - 3; t < t0 + 3 && t >= t0 - 3; t++) {
            u128 want = (u128)(t - 1) * f / PS_PER_S + 1;
            ck_assert_uint_eq(clock_edge_index(clk(f), t), (uint64_t)want);
        }
    }
    /* and past 64 bits, where they divide 128 bits: every edge and every
     * time, at random over the whole range, and at the end of time */
    static const uint64_t more[] = {1, 3, 999, 33333333, 66666666,
                                    133330000, 133333333, 266666666,
                                    1500000001, 999999999999ULL,
                                    PS_PER_S, PS_PER_S + 1, 3000000000000ULL};
    uint64_t x = 0x243F6A8885A308D3ULL;
    for (size_t i = 0; i < sizeof more / sizeof *more; i++) {
        uint64_t f = more[i];
        for (int j = 0; j < 20000; j++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            uint64_t t = x >> (j % 40), k = t;
            u128 want = ((u128)k * PS_PER_S + f - 1) / f;
            ck_assert_uint_eq(clock_edge(clk(f), k), want < SIM_TIME_MAX
                                                    ? (uint64_t)want
                                                    : SIM_TIME_MAX);
            uint64_t c = x % 1000;
            if (t < SIM_TIME_MAX / 2)
                ck_assert_uint_eq(
                    clock_edge_after(clk(f), clock_edge_index(clk(f), t), c),
                    clock_after(clk(f), t, c));
            if (t) {
                u128 idx = (u128)(t - 1) * f / PS_PER_S + 1;
                if (idx <= UINT64_MAX)
                    ck_assert_uint_eq(clock_edge_index(clk(f), t), (uint64_t)idx);
            }
        }
        for (uint64_t t = UINT64_MAX - 3; t >= UINT64_MAX - 3; t++) {
            u128 idx = (u128)(t - 1) * f / PS_PER_S + 1;
            if (idx <= UINT64_MAX)
                ck_assert_uint_eq(clock_edge_index(clk(f), t), (uint64_t)idx);
        }
    }
}
END_TEST

/* ---- latency histogram (sim/core/hist.h) ------------------------------- */

START_TEST(hist_small_values_exact)
{
    Hist h;
    hist_init(&h);
    ck_assert_uint_eq(hist_quantile(&h, 0.5), 0); /* empty */
    for (uint64_t v = 100; v >= 1; v--) /* any order */
        hist_add(&h, v);
    /* nearest rank: the ceil(q n)-th smallest of 1..100 is ceil(100 q) */
    ck_assert_uint_eq(h.n, 100);
    ck_assert_uint_eq(h.min, 1);
    ck_assert_uint_eq(h.max, 100);
    ck_assert_uint_eq(hist_quantile(&h, 0.50), 50);
    ck_assert_uint_eq(hist_quantile(&h, 0.90), 90);
    ck_assert_uint_eq(hist_quantile(&h, 0.99), 99);
    ck_assert_uint_eq(hist_quantile(&h, 0.001), 1);
    ck_assert_uint_eq(hist_quantile(&h, 1.0), 100);
    hist_free(&h);
    /* {10, 20, 30}: the median is the 2nd (ceil 1.5) */
    hist_init(&h);
    hist_add(&h, 30);
    hist_add(&h, 10);
    hist_add(&h, 20);
    ck_assert_uint_eq(hist_quantile(&h, 0.5), 20);
    ck_assert_uint_eq(hist_quantile(&h, 0.34), 20); /* ceil(1.02) = 2 */
    ck_assert_uint_eq(hist_quantile(&h, 0.33), 10); /* ceil(0.99) = 1 */
    hist_free(&h);
}
END_TEST

START_TEST(hist_large_values_within_a_bucket)
{
    Hist h;
    hist_init(&h);
    /* 1000 distinct values from 1 ms in steps of 1 us: each p-th value is
     * v = 1e9 + (rank - 1) * 1e6 ps; the bucket holding it spans 2^(e-7)
     * with e = 29 (2^29 < 1.0e9 ... 2.0e9 < 2^31): at most 2^23 =
     * 8388608 ps, so the answer is v .. v + 2^23 and never more than
     * 1/128 above v */
    for (uint64_t i = 0; i < 1000; i++)
        hist_add(&h, 1000000000ull + i * 1000000ull);
    const double qs[] = {0.5, 0.9, 0.99};
    for (size_t k = 0; k < 3; k++) {
        uint64_t rank = (uint64_t)(qs[k] * 1000 + 0.5);
        uint64_t v = 1000000000ull + (rank - 1) * 1000000ull;
        uint64_t got = hist_quantile(&h, qs[k]);
        ck_assert_msg(got >= v && got - v <= v / 128, "q %.2f: %llu for %llu",
                      qs[k], (unsigned long long)got, (unsigned long long)v);
        /* and it is one of the values added */
        ck_assert_uint_eq((got - 1000000000ull) % 1000000ull, 0);
    }
    ck_assert_uint_eq(hist_quantile(&h, 1), 1999000000ull);
    /* bounded: a million more values in that range add no memory, and
     * only the groups of 2^29 and 2^30 exist */
    for (uint64_t i = 0; i < 1000000; i++)
        hist_add(&h, 1000000000ull + i % 999);
    size_t groups = 0;
    for (int g = 0; g < HIST_GROUPS; g++)
        groups += h.g[g] != NULL;
    ck_assert_uint_eq(groups, 2);
    ck_assert_uint_eq(h.n, 1001000);
    /* the largest value there is */
    hist_add(&h, UINT64_MAX);
    ck_assert_uint_eq(hist_quantile(&h, 1), UINT64_MAX);
    hist_free(&h);
}
END_TEST

START_TEST(hist_merge_is_union)
{
    Hist a, b, all;
    hist_init(&a);
    hist_init(&b);
    hist_init(&all);
    for (uint64_t i = 0; i < 5000; i++) {
        uint64_t v = (i * 2654435761u) % 100000000u;
        hist_add(i % 3 ? &a : &b, v);
        hist_add(&all, v);
    }
    hist_merge(&a, &b);
    ck_assert_uint_eq(a.n, all.n);
    ck_assert_uint_eq(a.min, all.min);
    ck_assert_uint_eq(a.max, all.max);
    for (double q = 0.05; q <= 1.0; q += 0.05)
        ck_assert_uint_eq(hist_quantile(&a, q), hist_quantile(&all, q));
    hist_free(&a);
    hist_free(&b);
    hist_free(&all);
}
END_TEST

Suite *sim_suite(void)
{
    Suite *s = suite_create("sim");
    TCase *tc = tcase_create("kernel");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, time_order_and_fifo);
    tcase_add_test(tc, same_time_from_callback);
    tcase_add_test(tc, cancel);
    tcase_add_test(tc, run_until_and_stop);
    tcase_add_test(tc, then_and_advance);
    tcase_add_test(tc, reserved_places);
    tcase_add_test_raise_signal(tc, reserved_out_of_order_is_internal_error,
                                SIGABRT);
    tcase_add_loop_test(tc, differential, 0, 3);
    tcase_add_test_raise_signal(tc, past_is_internal_error, SIGABRT);
    tcase_add_test(tc, end_of_time);
    suite_add_tcase(s, tc);
    tc = tcase_create("clock");
    tcase_add_test(tc, clock_edges);
    suite_add_tcase(s, tc);
    tc = tcase_create("hist");
    tcase_add_test(tc, hist_small_values_exact);
    tcase_add_test(tc, hist_large_values_within_a_bucket);
    tcase_add_test(tc, hist_merge_is_union);
    suite_add_tcase(s, tc);
    return s;
}
