/* A small deterministic generator (splitmix64): buffer patterns and
 * vmalloc page order follow from the scenario's seed, identically on every
 * machine. */
#ifndef DMASIM_RNG_H
#define DMASIM_RNG_H

#include <stdint.h>

#define RNG_GAMMA 0x9E3779B97F4A7C15ULL

static inline uint64_t rng_mix(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static inline uint64_t rng_next(uint64_t *state)
{
    return rng_mix(*state += RNG_GAMMA);
}

/* The k-th value (from 0) that rng_next gives from state, without the
 * k before it: splitmix64 is a counter, so any value is at hand. */
static inline uint64_t rng_at(uint64_t state, uint64_t k)
{
    return rng_mix(state + (k + 1) * RNG_GAMMA);
}

#endif
