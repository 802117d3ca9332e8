/* Internal: the per-object random generator, xoshiro256** seeded through splitmix64
 * (Blackman & Vigna 2018). Each model owns one, so there is no global state. */
#ifndef UDL_CORE_RNG_H
#define UDL_CORE_RNG_H

#include <stddef.h>
#include <stdint.h>

typedef struct udli_rng {
    uint64_t s[4];
    double spare_normal; /* the second value of the last Box-Muller pair */
    int has_spare;
} udli_rng;

void udli_rng_seed(udli_rng *rng, uint64_t seed);
uint64_t udli_rng_next(udli_rng *rng);
/* Uniform in [0, 1) with 53 random bits. */
double udli_rng_uniform(udli_rng *rng);
/* u[0..n) uniform in [0, 1): the numbers n calls of udli_rng_uniform would give. */
void udli_rng_uniforms(udli_rng *rng, double *u, size_t n);
/* Uniform integer in [0, bound), without modulo bias; bound > 0. */
uint64_t udli_rng_below(udli_rng *rng, uint64_t bound);
/* Standard normal (Box-Muller). */
double udli_rng_normal(udli_rng *rng);
/* 1 with probability p, else 0. */
int udli_rng_bernoulli(udli_rng *rng, double p);
/* Fisher-Yates shuffle of idx[0..n). */
void udli_rng_shuffle(udli_rng *rng, size_t *idx, size_t n);
/* idx = a uniformly random permutation of 0..n-1. */
void udli_rng_permutation(udli_rng *rng, size_t *idx, size_t n);

#endif
