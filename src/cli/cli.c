#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

static int progress_drawn;

int cli_error(const char *cmd, const char *fmt, ...)
{
    cli_progress_done();
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "udl %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return 1;
}

int cli_status(const char *cmd, udl_status s)
{
    /* The library's sentences often begin with the module's name; say it once. */
    const char *msg = udl_last_error();
    size_t len = strlen(cmd);
    if (strncmp(msg, cmd, len) == 0 && msg[len] == ':' && msg[len + 1] == ' ')
        msg += len + 2;
    return cli_error(cmd, "%s (%s)", msg, udl_status_str(s));
}

double cli_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

int cli_progress(const udl_progress *p, void *user)
{
    (void)user;
    if (!isatty(fileno(stderr)))
        return 0;
    if (p->total)
        fprintf(stderr, "\r%s: %zu / %zu (%3.0f%%)", p->stage, p->step, p->total,
                100.0 * (double)p->step / (double)p->total);
    else
        fprintf(stderr, "\r%s: %zu", p->stage, p->step);
    if (!isnan(p->loss))
        fprintf(stderr, "  loss %.6g", p->loss);
    fflush(stderr);
    progress_drawn = 1;
    return 0;
}

void cli_progress_done(void)
{
    if (progress_drawn)
        fputc('\n', stderr);
    progress_drawn = 0;
}

udl_status cli_read(const char *path, udl_array *out) { return udl_data_read(path, 0, out); }

static void json_key(cli_json *j, const char *key)
{
    fprintf(j->out, "%s\"%s\": ", j->fields++ ? ", " : "", key);
}

void cli_json_begin(cli_json *j)
{
    j->out = stdout;
    j->fields = 0;
    fputc('{', j->out);
}

void cli_json_string(cli_json *j, const char *key, const char *value)
{
    json_key(j, key);
    fputc('"', j->out);
    for (const char *p = value; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(j->out, "\\%c", *p);
        else if ((unsigned char)*p < 0x20)
            fprintf(j->out, "\\u%04x", (unsigned char)*p);
        else
            fputc(*p, j->out);
    }
    fputc('"', j->out);
}

static void json_value(FILE *out, double v)
{
    if (isfinite(v))
        fprintf(out, "%.17g", v);
    else
        fputs("null", out); /* JSON has no NaN or infinity */
}

void cli_json_number(cli_json *j, const char *key, double value)
{
    json_key(j, key);
    json_value(j->out, value);
}

void cli_json_numbers(cli_json *j, const char *key, const double *values, size_t n)
{
    json_key(j, key);
    fputc('[', j->out);
    for (size_t i = 0; i < n; i++) {
        if (i)
            fputs(", ", j->out);
        json_value(j->out, values[i]);
    }
    fputc(']', j->out);
}

void cli_json_end(cli_json *j)
{
    fputs("}\n", j->out);
    fflush(j->out);
}

int cli_read_labels(const char *cmd, const char *path, size_t rows, udl_array *labels)
{
    udl_status s = cli_read(path, labels);
    if (s)
        return cli_status(cmd, s);
    if (labels->cols != 1 || labels->rows != rows) {
        size_t r = labels->rows, c = labels->cols;
        udl_array_free(labels);
        return cli_error(cmd, "%s holds %zu x %zu values; expected one label for each of the "
                         "%zu rows of the input", path, r, c, rows);
    }
    return 0;
}
