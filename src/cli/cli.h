/* Shared by the subcommands of the udl tool. */
#ifndef UDL_CLI_H
#define UDL_CLI_H

#include <getopt.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <udl/udl.h>

#include "plot.h"

/* Prints "udl CMD: <what went wrong>" on one line of stderr and returns exit code 1. */
int cli_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The same for a failed library call: the status name and udl_last_error(). */
int cli_status(const char *cmd, udl_status s);

/* Option values, parsed the same way by every subcommand. Each returns 0, or prints one
 * line naming cmd, opt, the accepted values and arg, and returns 1. */

/* The largest count any option takes (epochs, layer widths, components, iterations):
 * beyond any real run, and low enough that a typo cannot ask for an absurd allocation. */
#define CLI_COUNT_MAX ((size_t)1 << 24)

/* A decimal integer in [min, max]: digits only, no sign, space or trailing junk. */
int cli_parse_size(const char *cmd, const char *opt, const char *arg, size_t min, size_t max,
                   size_t *out);
/* A finite number (strtod's forms), the whole string consumed. */
int cli_parse_double(const char *cmd, const char *opt, const char *arg, double *out);
/* A seed: any decimal integer from 0 to 2^64 - 1. */
int cli_parse_seed(const char *cmd, const char *opt, const char *arg, uint64_t *out);
/* A comma-separated list of 1 to max_count sizes, each in [min, max]: "1000,500,30". */
int cli_parse_sizes(const char *cmd, const char *opt, const char *arg, size_t min, size_t max,
                    size_t *out, size_t max_count, size_t *count);

/* The h x w shape of the images that rows of d values hold, for pictures of them: shape
 * ("HxW", from --shape) when given, else the square root of d when d is a perfect square
 * (784: 28 x 28). Returns 0, or prints a sentence (naming opt) and returns 1. */
int cli_tile_shape(const char *cmd, const char *opt, const char *shape, size_t d, size_t *h,
                   size_t *w);

/* The attacks by the names the tool gives them: fgsm, fgm-l2, bim, pgd, pgd-l2, deepfool. */
const char *cli_attack_name(udl_attack_method method);
/* The method named name; returns 0, or -1 (nothing printed) when no method has that name. */
int cli_attack_method(const char *name, udl_attack_method *method);
/* Whether the method takes steps of step_size (BIM, PGD, PGD-L2). */
int cli_attack_iterative(udl_attack_method method);

/* Seconds on a monotonic clock. */
double cli_now(void);

/* A progress callback: on a terminal, one line redrawn within epochs (stage and layer, a
 * bar, the percentage, epoch and batch, the loss, elapsed time and an ETA); otherwise a
 * plain line at most every five seconds and at the end of a stage. */
int cli_progress(const udl_progress *p, void *user);
/* --quiet: cli_progress draws nothing. */
void cli_set_quiet(int quiet);
int cli_quiet(void);
/* Ends the progress line, if one was drawn. */
void cli_progress_done(void);

/* Reads a data file (.npy, IDX, CSV) with the library's reader. */
udl_status cli_read(const char *path, udl_array *out);
/* Opens a model file of any kind and reads a data file, for the subcommands that apply a
 * saved model. Returns 0, or prints and returns 1 with nothing left open. */
int cli_open(const char *cmd, const char *model, const char *input, udl_model **m,
             udl_array *x);

/* The scatter-plot options of pca and tsne: --plot FILE, --labels FILE and
 * --label-names a,b,... Put CLI_PLOT_OPTIONS in the getopt_long table and offer each
 * option to cli_plot_option first. */
typedef struct cli_plot_opts {
    const char *plot, *labels;
    char *label_names;
} cli_plot_opts;

enum { CLI_OPT_PLOT = 1000, CLI_OPT_LABELS, CLI_OPT_LABEL_NAMES };
#define CLI_PLOT_OPTIONS                                                                  \
    {"plot", required_argument, 0, CLI_OPT_PLOT},                                         \
    {"labels", required_argument, 0, CLI_OPT_LABELS},                                     \
    {"label-names", required_argument, 0, CLI_OPT_LABEL_NAMES}

/* Keeps getopt's option c and its arg if c is a plot option; returns whether it was. */
int cli_plot_option(cli_plot_opts *o, int c, char *arg);
/* After parsing: labels and names only colour a plot. Returns 0, or prints and returns 1. */
int cli_plot_check(const char *cmd, const cli_plot_opts *o);
/* Reads --labels, if given, one for each of rows points; read before the long work so
 * that a bad file fails early. labels stays empty without --labels. */
int cli_plot_labels(const char *cmd, const cli_plot_opts *o, size_t rows, udl_array *labels);
/* Draws column 0 against column 1 of xy into --plot, coloured by labels (when read) and
 * named by --label-names (split in place, so once). Returns 0, or prints and returns 1. */
int cli_plot_scatter(const char *cmd, cli_plot_opts *o, udl_mat xy,
                     const udl_array *labels, plot_text text);

/* One JSON object on stdout, written field by field. */
typedef struct cli_json {
    FILE *out;
    int fields;
} cli_json;
void cli_json_begin(cli_json *j);
void cli_json_string(cli_json *j, const char *key, const char *value);
void cli_json_number(cli_json *j, const char *key, double value);
void cli_json_numbers(cli_json *j, const char *key, const double *values, size_t n);
/* A rows x cols row-major matrix as a list of its rows. */
void cli_json_rows(cli_json *j, const char *key, const double *values, size_t rows,
                   size_t cols);
void cli_json_end(cli_json *j);
/* The same object written to out (a file) instead of stdout. */
void cli_json_begin_file(cli_json *j, FILE *out);
/* A list of strings. */
void cli_json_strings(cli_json *j, const char *key, const char *const *values, size_t n);
/* An integer exactly (a double loses those above 2^53). */
void cli_json_uint(cli_json *j, const char *key, uint64_t value);
/* A nested object under key: write its fields to *inner, then close it. */
void cli_json_object(cli_json *j, const char *key, cli_json *inner);
void cli_json_object_end(cli_json *inner);

#endif
