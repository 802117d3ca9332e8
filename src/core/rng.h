/* Internal: the per-object random generator, xoshiro256** seeded through splitmix64
 * (Blackman & Vigna 2018). Each model owns one, so there is no global state. */
#ifndef UDL_CORE_RNG_H
#define UDL_CORE_RNG_H

#include <stddef.h>
#include <stdint.h>

typedef struct udl_rng {
    uint64_t s[4];
    double spare_normal; /* the second value of the last Box-Muller pair */
    int has_spare;
} udl_rng;

void udl_rng_seed(udl_rng *rng, uint64_t seed);
uint64_t udl_rng_next(udl_rng *rng);
/* Uniform in [0, 1) with 53 random bits. */
double udl_rng_uniform(udl_rng *rng);
/* Uniform integer in [0, bound), without modulo bias; bound > 0. */
uint64_t udl_rng_below(udl_rng *rng, uint64_t bound);
/* Standard normal (Box-Muller). */
double udl_rng_normal(udl_rng *rng);
/* 1 with probability p, else 0. */
int udl_rng_bernoulli(udl_rng *rng, double p);
/* Fisher-Yates shuffle of idx[0..n). */
void udl_rng_shuffle(udl_rng *rng, size_t *idx, size_t n);
/* idx = a uniformly random permutation of 0..n-1. */
void udl_rng_permutation(udl_rng *rng, size_t *idx, size_t n);

#endif
