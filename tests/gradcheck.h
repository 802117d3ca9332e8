/* The one finite-difference checker the tests share: central differences of a scalar
 * function in every value of some parameter blocks, against the analytic gradient. */
#ifndef UDL_TESTS_GRADCHECK_H
#define UDL_TESTS_GRADCHECK_H

#include "helpers.h"

typedef struct grad_block {
    double *value;      /* n values the function reads */
    const double *grad; /* their analytic gradient, computed before the check */
    size_t n;
    const char *name;
} grad_block;

/* f(user) must recompute the function from the current values. Fails the test at the
 * first value whose gradient differs from (f(v + h) - f(v - h)) / 2h by more than
 * tol * (1 + |numeric|). */
static inline void check_gradient_blocks(double (*f)(void *user), void *user,
                                         const grad_block *blocks, size_t n_blocks, double h,
                                         double tol)
{
    for (size_t k = 0; k < n_blocks; k++)
        for (size_t i = 0; i < blocks[k].n; i++) {
            double keep = blocks[k].value[i];
            blocks[k].value[i] = keep + h;
            double up = f(user);
            blocks[k].value[i] = keep - h;
            double down = f(user);
            blocks[k].value[i] = keep;
            double numeric = (up - down) / (2 * h), analytic = blocks[k].grad[i];
            if (!(fabs(analytic - numeric) <= tol * (1.0 + fabs(numeric))))
                fail_msg("%s[%zu]: analytic %.12g, finite differences %.12g", blocks[k].name, i,
                         analytic, numeric);
        }
}

#endif
