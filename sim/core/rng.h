/* A small deterministic generator (splitmix64): buffer patterns and
 * vmalloc page order follow from the scenario's seed, identically on every
 * machine. */
#ifndef DMASIM_RNG_H
#define DMASIM_RNG_H

#include <stdint.h>

static inline uint64_t rng_next(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

#endif
