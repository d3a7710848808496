/* make bench: the event kernel under the hold model.  N events pending; the
 * earliest runs and schedules one new event a random 1-100 ns later, so N
 * stays constant.  Prints
 *   bench kernel_hold pending=N runs=R events_per_s=X events_per_s_median=M
 * for N = 16, 256, 4096, 65536, about a second each, measured as R
 * stretches of equal wall time: X is the fastest stretch's rate (on a
 * shared machine other work only ever slows one down), M their median. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "sim/core/sim.h"

static uint64_t rng = 0x243F6A8885A308D3ULL;

static inline uint64_t xorshift(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void hold(Sim *s, void *opaque)
{
    sim_after(s, 1000 + xorshift() % 99001, hold, opaque); /* 1-100 ns */
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

#define RUNS 5

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Runs the hold model with `pending` events for about `seconds` of wall
 * time in RUNS stretches (or, with `events` not 0, for that many events
 * in one: for profilers), after a warm-up past the calendar's first
 * re-tuning.  Each step of
 * simulated time holds about a million events whatever `pending` is: the
 * mean gap between events is 50.5 ns / pending. */
static void hold_run(unsigned pending, double seconds, uint64_t events)
{
    Sim *s = sim_new();
    for (unsigned i = 0; i < pending; i++)
        sim_at(s, 1000 + xorshift() % 99001, hold, NULL);
    SimTime step = 50500ULL * 1000000 / pending; /* ~10^6 events */
    SimTime horizon = sim_now(s);
    uint64_t warm = 0;
    while (warm < 4 * (uint64_t)pending + 100000) {
        horizon += step / 8;
        warm += sim_run_until(s, horizon);
    }
    unsigned runs = events ? 1 : RUNS;
    double rate[RUNS];
    for (unsigned r = 0; r < runs; r++) {
        uint64_t n = 0;
        double t0 = now_s(), el;
        do {
            horizon += events ? step / 8 : step;
            n += sim_run_until(s, horizon);
            el = now_s() - t0;
        } while (events ? n < events : el < seconds / runs);
        rate[r] = (double)n / el;
    }
    qsort(rate, runs, sizeof *rate, cmp_double);
    printf("bench kernel_hold pending=%u runs=%u events_per_s=%.0f "
           "events_per_s_median=%.0f\n",
           pending, runs, rate[runs - 1], rate[runs / 2]);
    sim_free(s);
}

/* `bench_kernel [PENDING [EVENTS]]`: one queue size only. */
int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0); /* each figure as it is measured */
    if (argc > 1) {
        long pending = strtol(argv[1], NULL, 10);
        long long events = argc > 2 ? strtoll(argv[2], NULL, 10) : 0;
        if (pending < 1 || pending > (1L << 24) || events < 0) {
            fprintf(stderr, "usage: bench_kernel [PENDING [EVENTS]]\n");
            return 2;
        }
        hold_run((unsigned)pending, 1.0, (uint64_t)events);
        return 0;
    }
    static const unsigned sizes[] = {16, 256, 4096, 65536};
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++)
        hold_run(sizes[k], 1.0, 0);
    return 0;
}
