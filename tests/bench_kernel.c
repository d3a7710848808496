/* make bench: the event kernel under the hold model.  N events pending; the
 * earliest runs and schedules one new event a random 1-100 ns later, so N
 * stays constant.  Prints
 *   bench kernel_hold pending=N events_per_s=X
 * for N = 16, 256, 4096, 65536. */
#include <stdio.h>
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

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0); /* each figure as it is measured */
    static const unsigned sizes[] = {16, 256, 4096, 65536};
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        Sim *s = sim_new();
        for (unsigned i = 0; i < sizes[k]; i++)
            sim_at(s, 1000 + xorshift() % 99001, hold, NULL);
        /* Warm up past the first re-tuning, then measure for ~1 s. */
        sim_run_until(s, 200 * PS_PER_US);
        uint64_t n = 0;
        double t0 = now_s(), el;
        SimTime horizon = sim_now(s);
        do {
            horizon += 2000 * PS_PER_US;
            n += sim_run_until(s, horizon);
            el = now_s() - t0;
        } while (el < 1.0);
        printf("bench kernel_hold pending=%u events_per_s=%.0f\n", sizes[k],
               (double)n / el);
        sim_free(s);
    }
    return 0;
}
