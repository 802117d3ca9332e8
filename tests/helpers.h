/* Shared by the test executables: cmocka's includes, seeded random fill, temp paths. */
#ifndef UDL_TESTS_HELPERS_H
#define UDL_TESTS_HELPERS_H

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/rng.h"

static inline void fill_normal(udli_rng *rng, double *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        x[i] = udli_rng_normal(rng);
}

/* n values uniform in [0, 1) from seed, malloc'd: data a sigmoid model's inputs can be. */
static inline double *uniform_data(uint64_t seed, size_t n)
{
    udli_rng r;
    udli_rng_seed(&r, seed);
    double *x = malloc(n * sizeof(double));
    for (size_t i = 0; i < n; i++)
        x[i] = udli_rng_uniform(&r);
    return x;
}

/* A path under the test build's scratch directory (UDL_TEST_TMPDIR, else /tmp). */
static inline const char *tmp_path(char *buf, size_t size, const char *name)
{
    const char *dir = getenv("UDL_TEST_TMPDIR");
    snprintf(buf, size, "%s/%s", dir && *dir ? dir : "/tmp", name);
    return buf;
}

#define assert_close(a, b, tol)                                                           \
    do {                                                                                  \
        double a_ = (a), b_ = (b);                                                        \
        if (!(fabs(a_ - b_) <= (tol)))                                                    \
            fail_msg("%s = %.17g, %s = %.17g, differ by more than %g", #a, a_, #b, b_,    \
                     (double)(tol));                                                      \
    } while (0)

#endif
