/* Figures drawn with cairo into PNG files. Drawing lives in the tool, never in libudl. */
#ifndef UDL_CLI_PLOT_H
#define UDL_CLI_PLOT_H

#include <stddef.h>

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

/* Splits a comma-separated list of names in place; returns how many (at most max). */
size_t plot_split_names(char *list, const char **names, size_t max);

#endif
