/* Internal: elementwise loops in vector lanes. glibc's libmvec (linked with libm) has
 * vector versions of exp, log1p and tanh; declaring them lets a loop marked
 * "#pragma omp simd" call them four lanes at a time. The files that use this are built
 * with -fno-math-errno -fno-trapping-math (nothing in udl reads errno or traps), without
 * which gcc keeps such loops scalar. Measured on the RBM's epoch (tests/bench/bench_rbm):
 * the sigmoid and the loss monitor were a fifth of the time before. */
#ifndef UDL_CORE_VECMATH_H
#define UDL_CORE_VECMATH_H

#include <math.h>
#include <stddef.h>

#if defined(__GLIBC__) && defined(_OPENMP) && defined(__x86_64__)
#pragma omp declare simd notinbranch
extern double exp(double);
#pragma omp declare simd notinbranch
extern double log1p(double);
#pragma omp declare simd notinbranch
extern double tanh(double);
#endif

/* An AVX2 copy of a function beside the generic one, chosen when the program starts.
 * Not under ThreadSanitizer: the chooser (an ifunc resolver) runs while the program is
 * loaded, before TSan's runtime, and its instrumented entry crashes there. */
#if defined(__has_attribute) && !defined(__SANITIZE_THREAD__)
#if __has_attribute(target_clones) && defined(__x86_64__)
#define UDLI_LANES __attribute__((target_clones("avx2", "default")))
#endif
#endif
#ifndef UDLI_LANES
#define UDLI_LANES
#endif

/* y[j] = log(1 + e^(scale x[j])), stable at any input; y may be x. */
void udli_softplus_lanes(const double *x, double scale, double *y, size_t n);

/* y[j] = 1 / (1 + e^-x[j]); y may be x. */
void udli_sigmoid_lanes(const double *x, double *y, size_t n);

#endif
