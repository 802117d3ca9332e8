#include <math.h>

#include "core/rng.h"

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

void udli_rng_seed(udli_rng *rng, uint64_t seed)
{
    /* splitmix64 never yields four zero words in a row, so the state is never all zero. */
    for (int i = 0; i < 4; i++)
        rng->s[i] = splitmix64(&seed);
    rng->has_spare = 0;
    rng->spare_normal = 0.0;
}

uint64_t udli_rng_next(udli_rng *rng)
{
    uint64_t *s = rng->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double udli_rng_uniform(udli_rng *rng) { return (double)(udli_rng_next(rng) >> 11) * 0x1.0p-53; }

void udli_rng_uniforms(udli_rng *rng, double *u, size_t n)
{
    /* The state in locals: the same numbers as n calls of udli_rng_uniform, faster. */
    uint64_t s0 = rng->s[0], s1 = rng->s[1], s2 = rng->s[2], s3 = rng->s[3];
    for (size_t i = 0; i < n; i++) {
        uint64_t result = rotl(s1 * 5, 7) * 9, t = s1 << 17;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = rotl(s3, 45);
        u[i] = (double)(result >> 11) * 0x1.0p-53;
    }
    rng->s[0] = s0, rng->s[1] = s1, rng->s[2] = s2, rng->s[3] = s3;
}

uint64_t udli_rng_below(udli_rng *rng, uint64_t bound)
{
    /* Reject the top sliver of the range that would make some values more likely. */
    uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
    uint64_t r;
    do
        r = udli_rng_next(rng);
    while (r >= limit);
    return r % bound;
}

double udli_rng_normal(udli_rng *rng)
{
    if (rng->has_spare) {
        rng->has_spare = 0;
        return rng->spare_normal;
    }
    double u1 = 1.0 - udli_rng_uniform(rng); /* (0, 1]: log never sees 0 */
    double u2 = udli_rng_uniform(rng);
    double r = sqrt(-2.0 * log(u1));
    double theta = 6.283185307179586476925 * u2;
    rng->spare_normal = r * sin(theta);
    rng->has_spare = 1;
    return r * cos(theta);
}

int udli_rng_bernoulli(udli_rng *rng, double p) { return udli_rng_uniform(rng) < p; }

void udli_rng_shuffle(udli_rng *rng, size_t *idx, size_t n)
{
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)udli_rng_below(rng, i);
        size_t t = idx[i - 1];
        idx[i - 1] = idx[j];
        idx[j] = t;
    }
}

void udli_rng_permutation(udli_rng *rng, size_t *idx, size_t n)
{
    for (size_t i = 0; i < n; i++)
        idx[i] = i;
    udli_rng_shuffle(rng, idx, n);
}
