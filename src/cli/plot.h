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

/* A label's name when names (n_names of them) has one for it, else its value. */
void plot_label_name(char *buf, size_t size, double label, const char *const *names,
                     size_t n_names);

/* The figure of n examples (up to 8): for each, the input, the perturbation (from -m black
 * through grey to +m white, m the largest change among them) and the adversarial input,
 * with the labels under them (by their names when names has them); what names the
 * attack at the head of the caption. */
int plot_attack(const char *path, const plot_example *ex, size_t n, size_t h, size_t w,
                const char *what, const char *const *names, size_t n_names, char *err,
                size_t errlen);

/* One line of a line plot: n points (x[i], y[i]), named in the legend by label. style 0
 * draws a solid line with round markers, 1 a dashed line with square markers; colour is
 * an index into the palette. */
typedef struct plot_series {
    const double *x, *y;
    size_t n;
    const char *label;
    int colour, style;
} plot_series;

/* Lines on shared axes, with a legend inside the plot at its lower right (legend_top: at
 * its upper right). y0 < y1 fixes the y range; y0 == y1 fits it to the data. */
int plot_lines(const char *path, const plot_series *s, size_t n, plot_text text, double y0,
               double y1, int legend_top, char *err, size_t errlen);

/* A panel of an image figure: n images of h x w values (row-major, one after another) in
 * rows of cols, a title above, and optionally a label under each image and one left of
 * each row. stretch 0 shows values in [0, 1] (0 black); 1 stretches each image from its
 * own lowest (black) to highest (white) value, for filters. */
typedef struct plot_panel {
    const char *title;
    const double *images;
    size_t n, cols;
    const char *const *labels;     /* n labels, or NULL */
    const char *const *row_labels; /* ceil(n / cols) labels, or NULL */
    int stretch;
} plot_panel;

/* The panels side by side (across 1) or one above the other (across 0), each image zoom
 * times its size, with a caption (may be NULL) under them. */
int plot_images(const char *path, const plot_panel *p, size_t n, size_t h, size_t w,
                size_t zoom, int across, const char *caption, char *err, size_t errlen);

/* Splits a comma-separated list of names in place; returns how many (at most max). */
size_t plot_split_names(char *list, const char **names, size_t max);

#endif
