/* Figures drawn with cairo into PNG files. Drawing lives in the tool, never in libudl. */
#ifndef UDL_CLI_PLOT_H
#define UDL_CLI_PLOT_H

#include <stddef.h>

#include <udl/io.h>
#include <udl/matrix.h>

typedef struct plot_text {
    const char *title, *xlabel, *ylabel;
} plot_text;

/* A scatter of column 0 against column 1 of xy. With labels (one per row) points are
 * coloured by class and a legend names the classes: names[c] for integer label c when
 * names is given (n_names of them), else the label's value. Returns 0, or -1 with a
 * sentence in err. */
int plot_scatter(const char *path, udl_mat xy, const double *labels, const char *const *names,
                 size_t n_names, plot_text text, char *err, size_t errlen);

/* Explained variance by component: bars for each ratio, a line for the cumulative sum,
 * and the kept number k marked. */
int plot_variance(const char *path, const double *ratio, size_t n, size_t k, plot_text text,
                  char *err, size_t errlen);

/* The whole factor by which to enlarge an image of width x height pixels so that it is at
 * least target pixels wide, as far as its longer side stays within 4096 pixels; >= 1. */
size_t plot_upscale(size_t width, size_t height, size_t target);

/* img's values in [0, 1] (0 black, 1 white; others clamped) as an 8-bit greyscale PNG, each
 * value a scale x scale square of pixels. */
int plot_gray(const char *path, const udl_array *img, size_t scale, char *err, size_t errlen);

/* An adversarial example: the input, the adversarial input (h x w values each, in [0, 1]),
 * the true label, the target (NaN for an untargeted attack), and the classifier's labels
 * before and after. */
typedef struct plot_example {
    const double *x, *xadv;
    double truth, target, before, after;
} plot_example;

/* The figure of n examples (up to 8): for each, the input, the perturbation (from -m black
 * through grey to +m white, m the largest change among them) and the adversarial input,
 * with the labels under them; what names the attack at the head of the caption. */
int plot_attack(const char *path, const plot_example *ex, size_t n, size_t h, size_t w,
                const char *what, char *err, size_t errlen);

/* Splits a comma-separated list of names in place; returns how many (at most max). */
size_t plot_split_names(char *list, const char **names, size_t max);

#endif
