/* Shared by the subcommands of the udl tool. */
#ifndef UDL_CLI_H
#define UDL_CLI_H

#include <stddef.h>
#include <stdio.h>

#include <udl/udl.h>

/* Prints "udl CMD: <what went wrong>" on one line of stderr and returns exit code 1. */
int cli_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The same for a failed library call: the status name and udl_last_error(). */
int cli_status(const char *cmd, udl_status s);

/* Seconds on a monotonic clock. */
double cli_now(void);

/* A progress callback that redraws one line on stderr when it is a terminal. */
int cli_progress(const udl_progress *p, void *user);
/* Ends the progress line, if one was drawn. */
void cli_progress_done(void);

/* Reads a data file (.npy, IDX, CSV) with the library's reader. */
udl_status cli_read(const char *path, udl_array *out);

/* Reads one label for each of rows input rows (to colour a plot). Returns 0, or prints
 * the error as cmd and returns 1. */
int cli_read_labels(const char *cmd, const char *path, size_t rows, udl_array *labels);

/* One JSON object on stdout, written field by field. */
typedef struct cli_json {
    FILE *out;
    int fields;
} cli_json;
void cli_json_begin(cli_json *j);
void cli_json_string(cli_json *j, const char *key, const char *value);
void cli_json_number(cli_json *j, const char *key, double value);
void cli_json_numbers(cli_json *j, const char *key, const double *values, size_t n);
void cli_json_end(cli_json *j);

#endif
