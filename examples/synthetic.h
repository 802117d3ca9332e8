/* The small data sets the examples learn from, made in the program so that each example
 * runs on its own in a second or two. Not part of udl: copy what you need. */
#ifndef UDL_EXAMPLES_SYNTHETIC_H
#define UDL_EXAMPLES_SYNTHETIC_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Images are SIDE x SIDE pixels in [0, 1], one per row of a matrix. */
enum { SIDE = 8, PIXELS = SIDE * SIDE };

/* Uniform in [0, 1) from a splitmix64 state. */
static inline double uniform01(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return (double)((z ^ (z >> 31)) >> 11) * (1.0 / 9007199254740992.0);
}

/* Standard normal, by the Box-Muller transform. */
static inline double normal01(uint64_t *state)
{
    double u = 1.0 - uniform01(state), v = uniform01(state);
    return sqrt(-2.0 * log(u)) * cos(6.283185307179586 * v);
}

/* n images of bars: each is all horizontal (label 0) or all vertical (label 1), every
 * bar on with probability 0.3, at least one on. labels may be NULL. */
static inline void bars(uint64_t seed, double *x, double *labels, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int vertical = uniform01(&seed) < 0.5, on[SIDE], any = 0;
        for (int b = 0; b < SIDE; b++)
            any |= on[b] = uniform01(&seed) < 0.3;
        if (!any)
            on[(int)(uniform01(&seed) * SIDE)] = 1;
        for (int r = 0; r < SIDE; r++)
            for (int c = 0; c < SIDE; c++)
                x[i * PIXELS + r * SIDE + c] = on[vertical ? c : r];
        if (labels)
            labels[i] = vertical;
    }
}

/* k random binary templates of PIXELS each, every pixel on with probability 1/2. */
static inline void random_templates(uint64_t seed, size_t k, double *templates)
{
    for (size_t t = 0; t < k * PIXELS; t++)
        templates[t] = uniform01(&seed) < 0.5;
}

/* n images, image i a copy of template i % k (its label) with each pixel flipped with
 * probability flip. */
static inline void noisy_copies(uint64_t seed, size_t k, const double *templates, double flip,
                                double *x, double *labels, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const double *t = templates + (i % k) * PIXELS;
        for (size_t j = 0; j < PIXELS; j++)
            x[i * PIXELS + j] = uniform01(&seed) < flip ? 1 - t[j] : t[j];
        labels[i] = (double)(i % k);
    }
}

/* Draws an image in characters, darkest to brightest " .:-=+*#%@", scaled from the
 * image's own minimum and maximum. */
static inline void print_image(const double *image)
{
    const char *shades = " .:-=+*#%@";
    double lo = image[0], hi = image[0];
    for (size_t j = 1; j < PIXELS; j++) {
        lo = image[j] < lo ? image[j] : lo;
        hi = image[j] > hi ? image[j] : hi;
    }
    for (int r = 0; r < SIDE; r++) {
        printf("    ");
        for (int c = 0; c < SIDE; c++) {
            double v = hi > lo ? (image[r * SIDE + c] - lo) / (hi - lo) : 0.5;
            putchar(shades[(int)(v * 9 + 0.5)]);
            putchar(shades[(int)(v * 9 + 0.5)]);
        }
        putchar('\n');
    }
}

#endif
