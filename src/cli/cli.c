#define _POSIX_C_SOURCE 200809L

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/ioctl.h>
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

/* The progress line's state: what it is showing and since when. */
static struct {
    int quiet;
    char stage[48];
    size_t layer, step, batch;
    double start, drawn; /* when the stage began; when a line was last written */
    int logged;          /* a plain line was written for this stage */
    int tty;             /* stderr is a terminal (asked once a stage: reports come often) */
    double every;        /* seconds between plain lines */
} bar;

/* Seconds between plain lines: UDL_PROGRESS_SECONDS, else 5. */
static double log_every(void)
{
    const char *env = getenv("UDL_PROGRESS_SECONDS");
    char *end;
    double s = env ? strtod(env, &end) : 5.0;
    return env && (end == env || *end || !(s >= 0.0)) ? 5.0 : s;
}

void cli_set_quiet(int quiet) { bar.quiet = quiet; }

int cli_quiet(void) { return bar.quiet; }

static void clock_text(char *buf, size_t size, double seconds)
{
    long s = seconds < 0 ? 0 : seconds > 359999 ? 359999 : (long)(seconds + 0.5);
    if (s >= 3600)
        snprintf(buf, size, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
    else
        snprintf(buf, size, "%ld:%02ld", s / 60, s % 60);
}

static int terminal_width(void)
{
    struct winsize w;
    if (ioctl(fileno(stderr), TIOCGWINSZ, &w) == 0 && w.ws_col >= 40)
        return w.ws_col > 160 ? 160 : w.ws_col;
    return 80;
}

int cli_progress(const udl_progress *p, void *user)
{
    (void)user;
    if (bar.quiet)
        return 0;
    const double now = cli_now();
    /* A new stage, layer or run restarts the clock the ETA is measured on. */
    if (strncmp(bar.stage, p->stage, sizeof bar.stage - 1) != 0 || bar.layer != p->layer ||
        p->step < bar.step || (p->step == bar.step && p->batch < bar.batch) || bar.start == 0) {
        if (progress_drawn) /* keep the finished stage's last line */
            fputc('\n', stderr);
        progress_drawn = 0;
        snprintf(bar.stage, sizeof bar.stage, "%s", p->stage);
        bar.layer = p->layer;
        bar.start = now;
        bar.logged = 0;
        bar.tty = isatty(fileno(stderr));
        bar.every = log_every();
    }
    bar.step = p->step;
    bar.batch = p->batch;
    const int batched = p->batches > 0;
    const int finished = p->total && p->step == p->total && (!batched || p->batch == p->batches);
    const int tty = bar.tty;
    /* A terminal redraws ten times a second. A log gets a line every few seconds, and the
     * stage's last line when it got any: work done in less time leaves no lines. */
    if (tty ? !finished && now - bar.drawn < 0.1
            : finished ? !bar.logged : now - (bar.logged ? bar.drawn : bar.start) < bar.every)
        return 0;
    bar.drawn = now;
    bar.logged = !tty;

    double done = 0.0; /* fraction of the stage */
    if (p->total && batched)
        done = ((double)p->step - 1.0 + (double)p->batch / (double)p->batches) / (double)p->total;
    else if (p->total)
        done = (double)p->step / (double)p->total;
    done = done < 0 ? 0 : done > 1 ? 1 : done;
    const double elapsed = now - bar.start;

    char name[64], counts[128], numbers[96], times[96], el[32], eta[32];
    if (p->layers)
        snprintf(name, sizeof name, "%s %zu/%zu", p->stage, p->layer, p->layers);
    else
        snprintf(name, sizeof name, "%s", p->stage);
    if (batched)
        snprintf(counts, sizeof counts, "epoch %zu/%zu  batch %zu/%zu", p->step, p->total,
                 p->batch, p->batches);
    else if (p->total)
        snprintf(counts, sizeof counts, "%zu/%zu", p->step, p->total);
    else
        snprintf(counts, sizeof counts, "%zu", p->step);
    int len = 0;
    numbers[0] = '\0';
    if (!isnan(p->loss))
        len += snprintf(numbers + len, sizeof numbers - (size_t)len, "  loss %.5g", p->loss);
    if (!isnan(p->valid_error) && len < (int)sizeof numbers)
        snprintf(numbers + len, sizeof numbers - (size_t)len, "  valid error %.2f%%",
                 100.0 * p->valid_error);
    clock_text(el, sizeof el, elapsed);
    if (done >= 0.01 && elapsed >= 1.0 && !finished) {
        clock_text(eta, sizeof eta, elapsed / done * (1.0 - done));
        snprintf(times, sizeof times, "  %s  ETA %s", el, eta);
    } else {
        snprintf(times, sizeof times, "  %s", el);
    }

    if (!tty) {
        fprintf(stderr, "%s: %3.0f%%  %s%s%s\n", name, 100.0 * done, counts, numbers, times);
        fflush(stderr);
        return 0;
    }
    /* name [#####-----] 45%  counts  numbers  times, cut to the terminal's width */
    char line[512];
    int width = terminal_width() - 1;
    int fixed = (int)(strlen(name) + strlen(counts) + strlen(numbers) + strlen(times)) + 10;
    int cells = width - fixed < 20 ? width - fixed : 20; /* a steady bar while it fits */
    len = snprintf(line, sizeof line, "%s ", name);
    if (cells >= 5) {
        int full = (int)(done * cells + 0.5);
        line[len++] = '[';
        for (int i = 0; i < cells; i++)
            line[len++] = i < full ? '#' : '-';
        line[len++] = ']';
    }
    snprintf(line + len, sizeof line - (size_t)len, " %3.0f%%  %s%s%s", 100.0 * done, counts,
             numbers, times);
    if ((int)strlen(line) > width)
        line[width] = '\0';
    fprintf(stderr, "\r%s\033[K", line);
    fflush(stderr);
    progress_drawn = 1;
    return 0;
}

void cli_progress_done(void)
{
    if (progress_drawn)
        fputc('\n', stderr);
    progress_drawn = 0;
    bar.start = 0;
    bar.logged = 0;
    bar.stage[0] = '\0';
}

udl_status cli_read(const char *path, udl_array *out) { return udl_data_read(path, 0, out); }

int cli_open(const char *cmd, const char *model, const char *input, udl_model **m,
             udl_array *x)
{
    udl_status s = udl_model_load(model, m);
    if (s)
        return cli_status(cmd, s);
    if ((s = cli_read(input, x))) {
        udl_model_free(*m);
        return cli_status(cmd, s);
    }
    return 0;
}

/* s as a JSON string; with ascii, bytes past 0x7f are escaped one by one (a key read from
 * a file need not be UTF-8). */
static void json_text(FILE *out, const char *s, int ascii)
{
    fputc('"', out);
    for (const char *p = s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(out, "\\%c", *p);
        else if ((unsigned char)*p < 0x20 || (ascii && (unsigned char)*p > 0x7e))
            fprintf(out, "\\u%04x", (unsigned char)*p);
        else
            fputc(*p, out);
    }
    fputc('"', out);
}

static void json_key(cli_json *j, const char *key)
{
    if (j->fields++)
        fputs(", ", j->out);
    json_text(j->out, key, 1);
    fputs(": ", j->out);
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
    json_text(j->out, value, 0);
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

static void json_list(FILE *out, const double *values, size_t n)
{
    fputc('[', out);
    for (size_t i = 0; i < n; i++) {
        if (i)
            fputs(", ", out);
        json_value(out, values[i]);
    }
    fputc(']', out);
}

void cli_json_numbers(cli_json *j, const char *key, const double *values, size_t n)
{
    json_key(j, key);
    json_list(j->out, values, n);
}

void cli_json_rows(cli_json *j, const char *key, const double *values, size_t rows,
                   size_t cols)
{
    json_key(j, key);
    fputc('[', j->out);
    for (size_t i = 0; i < rows; i++) {
        if (i)
            fputs(", ", j->out);
        json_list(j->out, values + i * cols, cols);
    }
    fputc(']', j->out);
}

void cli_json_end(cli_json *j)
{
    fputs("}\n", j->out);
    fflush(j->out);
}

void cli_json_begin_file(cli_json *j, FILE *out)
{
    j->out = out;
    j->fields = 0;
    fputc('{', out);
}

void cli_json_strings(cli_json *j, const char *key, const char *const *values, size_t n)
{
    json_key(j, key);
    fputc('[', j->out);
    for (size_t i = 0; i < n; i++) {
        if (i)
            fputs(", ", j->out);
        json_text(j->out, values[i], 0);
    }
    fputc(']', j->out);
}

void cli_json_uint(cli_json *j, const char *key, uint64_t value)
{
    json_key(j, key);
    fprintf(j->out, "%llu", (unsigned long long)value);
}

void cli_json_object(cli_json *j, const char *key, cli_json *inner)
{
    json_key(j, key);
    cli_json_begin_file(inner, j->out);
}

void cli_json_object_end(cli_json *inner) { fputc('}', inner->out); }

/* strtoull alone would take a sign or leading space, and turn "-1" into 2^64 - 1. */
static int scan_uint(const char *s, char **end, unsigned long long *v)
{
    if (!isdigit((unsigned char)*s))
        return -1;
    errno = 0;
    *v = strtoull(s, end, 10);
    return errno ? -1 : 0;
}

int cli_parse_size(const char *cmd, const char *opt, const char *arg, size_t min, size_t max,
                   size_t *out)
{
    char *end;
    unsigned long long v;
    if (!arg)
        arg = "";
    if (scan_uint(arg, &end, &v) || *end || v < min || v > max)
        return cli_error(cmd, "%s needs an integer from %zu to %zu, got '%s'", opt, min, max,
                         arg);
    *out = (size_t)v;
    return 0;
}

int cli_parse_double(const char *cmd, const char *opt, const char *arg, double *out)
{
    char *end;
    if (!arg)
        arg = "";
    /* Decimal only: strtod would also take hexadecimal ("0x10" as 16). */
    double v = strtod(arg, &end);
    if (end == arg || *end || isspace((unsigned char)*arg) || !isfinite(v) ||
        strpbrk(arg, "xX"))
        return cli_error(cmd, "%s needs a number, got '%s'", opt, arg);
    *out = v;
    return 0;
}

int cli_parse_seed(const char *cmd, const char *opt, const char *arg, uint64_t *out)
{
    char *end;
    unsigned long long v;
    if (!arg)
        arg = "";
    if (scan_uint(arg, &end, &v) || *end)
        return cli_error(cmd, "%s needs an integer from 0 to %llu, got '%s'", opt,
                         (unsigned long long)UINT64_MAX, arg);
    *out = (uint64_t)v;
    return 0;
}

int cli_parse_sizes(const char *cmd, const char *opt, const char *arg, size_t min, size_t max,
                    size_t *out, size_t max_count, size_t *count)
{
    size_t n = 0;
    const char *p = arg ? arg : "";
    for (;;) {
        char *end;
        unsigned long long v;
        if (n == max_count || scan_uint(p, &end, &v) || v < min || v > max ||
            (*end && *end != ','))
            return cli_error(cmd, "%s needs 1 to %zu integers from %zu to %zu separated by "
                             "commas, got '%s'", opt, max_count, min, max, arg ? arg : "");
        out[n++] = (size_t)v;
        if (!*end)
            break;
        p = end + 1;
    }
    *count = n;
    return 0;
}

static const char *const attack_names[] = {"fgsm", "fgm-l2", "bim", "pgd", "pgd-l2",
                                           "deepfool"}; /* by udl_attack_method */

const char *cli_attack_name(udl_attack_method method) { return attack_names[method]; }

int cli_attack_method(const char *name, udl_attack_method *method)
{
    for (size_t i = 0; i < sizeof attack_names / sizeof attack_names[0]; i++)
        if (strcmp(name, attack_names[i]) == 0) {
            *method = (udl_attack_method)i;
            return 0;
        }
    return -1;
}

int cli_attack_iterative(udl_attack_method method)
{
    return method == UDL_ATTACK_BIM || method == UDL_ATTACK_PGD || method == UDL_ATTACK_PGD_L2;
}

int cli_tile_shape(const char *cmd, const char *opt, const char *shape, size_t d, size_t *h,
                   size_t *w)
{
    if (!shape) {
        size_t r = (size_t)sqrt((double)d);
        while (r * r > d)
            r--;
        while ((r + 1) * (r + 1) <= d)
            r++;
        if (r * r != d)
            return cli_error(cmd, "the rows have %zu values, not a square number of pixels: give "
                             "%s HxW for the images' shape", d, opt);
        *h = *w = r;
        return 0;
    }
    const char *x = strchr(shape, 'x');
    char height[32];
    if (!x || (size_t)(x - shape) >= sizeof height)
        return cli_error(cmd, "%s takes HxW, such as 28x28, got '%s'", opt, shape);
    memcpy(height, shape, (size_t)(x - shape));
    height[x - shape] = '\0';
    if (cli_parse_size(cmd, opt, height, 1, CLI_COUNT_MAX, h) ||
        cli_parse_size(cmd, opt, x + 1, 1, CLI_COUNT_MAX, w))
        return 1;
    if (*h * *w != d)
        return cli_error(cmd, "%s %s makes images of %zu pixels, but the rows have %zu values",
                         opt, shape, *h * *w, d);
    return 0;
}

int cli_plot_option(cli_plot_opts *o, int c, char *arg)
{
    switch (c) {
    case CLI_OPT_PLOT: o->plot = arg; return 1;
    case CLI_OPT_LABELS: o->labels = arg; return 1;
    case CLI_OPT_LABEL_NAMES: o->label_names = arg; return 1;
    default: return 0;
    }
}

int cli_plot_check(const char *cmd, const cli_plot_opts *o)
{
    if ((o->labels || o->label_names) && !o->plot)
        return cli_error(cmd, "--labels and --label-names colour the --plot scatter; "
                         "give --plot too");
    return 0;
}

int cli_plot_labels(const char *cmd, const cli_plot_opts *o, size_t rows, udl_array *labels)
{
    memset(labels, 0, sizeof *labels);
    if (!o->labels)
        return 0;
    udl_status s = cli_read(o->labels, labels);
    if (s)
        return cli_status(cmd, s);
    if (labels->cols != 1 || labels->rows != rows) {
        size_t r = labels->rows, c = labels->cols;
        udl_array_free(labels);
        return cli_error(cmd, "%s holds %zu x %zu values; expected one label for each of the "
                         "%zu rows of the input", o->labels, r, c, rows);
    }
    return 0;
}

int cli_plot_scatter(const char *cmd, cli_plot_opts *o, udl_mat xy, const udl_array *labels,
                     plot_text text)
{
    char err[512];
    const char *names[256];
    size_t n_names = o->label_names ? plot_split_names(o->label_names, names, 256) : 0;
    if (plot_scatter(o->plot, xy, labels->data, n_names ? names : NULL, n_names, text, err,
                     sizeof err))
        return cli_error(cmd, "%s", err);
    return 0;
}
