#include <cairo.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "plot.h"

enum { WIDTH = 1000, HEIGHT = 760, LEGEND_WIDTH = 200 };
#define FONT "DejaVu Sans"
#define PI 3.14159265358979323846

/* The ten-colour qualitative palette of matplotlib ("tab10"), colour-blind aware. */
static const double palette[10][3] = {
    {0.122, 0.467, 0.706}, {1.000, 0.498, 0.055}, {0.173, 0.627, 0.173},
    {0.839, 0.153, 0.157}, {0.580, 0.404, 0.741}, {0.549, 0.337, 0.294},
    {0.890, 0.467, 0.761}, {0.498, 0.498, 0.498}, {0.737, 0.741, 0.133},
    {0.090, 0.745, 0.812}};

typedef struct frame {
    double left, right, top, bottom; /* the plotting area in pixels */
    double x0, x1, y0, y1;           /* the data range it shows */
} frame;

static double px(const frame *f, double x)
{
    return f->left + (x - f->x0) / (f->x1 - f->x0) * (f->right - f->left);
}

static double py(const frame *f, double y)
{
    return f->bottom - (y - f->y0) / (f->y1 - f->y0) * (f->bottom - f->top);
}

/* A 1-2-5 step that gives about `target` ticks over range. */
static double nice_step(double range, int target)
{
    double raw = range / target, mag = pow(10.0, floor(log10(raw))), r = raw / mag;
    return mag * (r < 1.5 ? 1.0 : r < 3.5 ? 2.0 : r < 7.5 ? 5.0 : 10.0);
}

static void format_tick(char *buf, size_t size, double v, double step)
{
    int decimals = step >= 1.0 ? 0 : (int)ceil(-log10(step) - 1e-9);
    if (fabs(v) < step * 1e-9)
        v = 0.0; /* no "-0" */
    if (fabs(v) >= 1e6 || (fabs(v) > 0 && fabs(v) < 1e-4))
        snprintf(buf, size, "%.2g", v);
    else
        snprintf(buf, size, "%.*f", decimals, v);
}

/* Draws s with (align_x, align_y) of its box at (x, y): 0 = left/top, 1 = right/bottom.
 * The box height comes from the font, not the ink, so that words with and without
 * descenders line up. */
static void text_at(cairo_t *cr, const char *s, double x, double y, double align_x,
                    double align_y)
{
    cairo_text_extents_t e;
    cairo_font_extents_t f;
    cairo_text_extents(cr, s, &e);
    cairo_font_extents(cr, &f);
    double height = f.ascent + f.descent;
    cairo_move_to(cr, x - e.x_bearing - align_x * e.width, y - align_y * height + f.ascent);
    cairo_show_text(cr, s);
}

static void set_font(cairo_t *cr, double size, int bold)
{
    cairo_select_font_face(cr, FONT, CAIRO_FONT_SLANT_NORMAL,
                           bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, size);
}

/* Grid, frame, ticks with labels, axis labels and title around f. */
static void draw_axes(cairo_t *cr, const frame *f, plot_text text, int integer_x)
{
    char buf[64];
    double xs = nice_step(f->x1 - f->x0, 6), ys = nice_step(f->y1 - f->y0, 6);
    if (integer_x && xs < 1.0)
        xs = 1.0;
    set_font(cr, 13, 0);
    cairo_set_line_width(cr, 1.0);
    for (double v = ceil(f->x0 / xs) * xs; v <= f->x1 + 1e-9 * xs; v += xs) {
        double x = round(px(f, v)) + 0.5;
        cairo_set_source_rgb(cr, 0.91, 0.91, 0.91);
        cairo_move_to(cr, x, f->top);
        cairo_line_to(cr, x, f->bottom);
        cairo_stroke(cr);
        cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
        cairo_move_to(cr, x, f->bottom);
        cairo_line_to(cr, x, f->bottom + 6);
        cairo_stroke(cr);
        format_tick(buf, sizeof buf, v, xs);
        text_at(cr, buf, x, f->bottom + 10, 0.5, 0.0);
    }
    for (double v = ceil(f->y0 / ys) * ys; v <= f->y1 + 1e-9 * ys; v += ys) {
        double y = round(py(f, v)) + 0.5;
        cairo_set_source_rgb(cr, 0.91, 0.91, 0.91);
        cairo_move_to(cr, f->left, y);
        cairo_line_to(cr, f->right, y);
        cairo_stroke(cr);
        cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
        cairo_move_to(cr, f->left - 6, y);
        cairo_line_to(cr, f->left, y);
        cairo_stroke(cr);
        format_tick(buf, sizeof buf, v, ys);
        text_at(cr, buf, f->left - 10, y, 1.0, 0.5);
    }
    cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
    cairo_rectangle(cr, round(f->left) + 0.5, round(f->top) + 0.5,
                    round(f->right - f->left), round(f->bottom - f->top));
    cairo_stroke(cr);
    set_font(cr, 15, 0);
    if (text.xlabel)
        text_at(cr, text.xlabel, (f->left + f->right) / 2, f->bottom + 38, 0.5, 0.0);
    if (text.ylabel) {
        cairo_save(cr);
        cairo_translate(cr, 24, (f->top + f->bottom) / 2);
        cairo_rotate(cr, -PI / 2);
        text_at(cr, text.ylabel, 0, 0, 0.5, 0.5);
        cairo_restore(cr);
    }
    if (text.title) {
        set_font(cr, 19, 1);
        text_at(cr, text.title, (f->left + f->right) / 2, 20, 0.5, 0.0);
    }
}

/* The PNG bytes, gathered in memory so that udl_file_write can put them in place whole. */
typedef struct png_buffer {
    unsigned char *data;
    size_t size, cap;
} png_buffer;

static cairo_status_t to_buffer(void *closure, const unsigned char *data, unsigned int length)
{
    png_buffer *b = closure;
    if (length > b->cap - b->size) {
        size_t cap = b->cap ? b->cap : 1 << 16;
        while (length > cap - b->size)
            cap *= 2;
        unsigned char *bigger = realloc(b->data, cap);
        if (!bigger)
            return CAIRO_STATUS_NO_MEMORY;
        b->data = bigger;
        b->cap = cap;
    }
    memcpy(b->data + b->size, data, length);
    b->size += length;
    return CAIRO_STATUS_SUCCESS;
}

static int finish(cairo_surface_t *surface, cairo_t *cr, const char *path, char *err,
                  size_t errlen)
{
    cairo_status_t cs = cairo_status(cr);
    png_buffer png = {NULL, 0, 0};
    cairo_destroy(cr);
    if (cs == CAIRO_STATUS_SUCCESS)
        cs = cairo_surface_write_to_png_stream(surface, to_buffer, &png);
    cairo_surface_destroy(surface);
    int rc = 0;
    if (cs != CAIRO_STATUS_SUCCESS) {
        snprintf(err, errlen, "drawing %s failed: %s", path, cairo_status_to_string(cs));
        rc = -1;
    } else if (udl_file_write(path, png.data, png.size) != UDL_OK) {
        snprintf(err, errlen, "%s", udl_last_error());
        rc = -1;
    }
    free(png.data);
    return rc;
}

static cairo_t *new_canvas(cairo_surface_t **surface)
{
    *surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, WIDTH, HEIGHT);
    cairo_t *cr = cairo_create(*surface);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    return cr;
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The distinct label values, sorted; at most max are kept (the rest share a colour). */
static size_t distinct_labels(const double *labels, size_t n, double *classes, size_t max)
{
    double *sorted = malloc(n * sizeof(double));
    if (!sorted)
        return 0;
    memcpy(sorted, labels, n * sizeof(double));
    qsort(sorted, n, sizeof(double), compare_doubles);
    size_t m = 0;
    for (size_t i = 0; i < n && m < max; i++)
        if (i == 0 || sorted[i] != sorted[i - 1])
            classes[m++] = sorted[i];
    free(sorted);
    return m;
}

static size_t class_of(double label, const double *classes, size_t m)
{
    size_t lo = 0, hi = m;
    while (lo < hi) { /* classes is sorted */
        size_t mid = (lo + hi) / 2;
        if (classes[mid] < label)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < m && classes[lo] == label ? lo : m;
}

static void class_name(char *buf, size_t size, double value, const char *const *names,
                       size_t n_names)
{
    if (names && value >= 0 && value == floor(value) && value < (double)n_names)
        snprintf(buf, size, "%s", names[(size_t)value]);
    else
        snprintf(buf, size, "%g", value);
}

static void data_range(udl_mat xy, size_t col, double *lo, double *hi)
{
    *lo = INFINITY;
    *hi = -INFINITY;
    for (size_t i = 0; i < xy.rows; i++) {
        double v = xy.data[i * xy.ld + col];
        *lo = fmin(*lo, v);
        *hi = fmax(*hi, v);
    }
    double pad = (*hi - *lo) * 0.04;
    if (!(pad > 0.0))
        pad = fabs(*lo) * 0.1 + 1.0;
    *lo -= pad;
    *hi += pad;
}

#define MAX_CLASSES 64

int plot_scatter(const char *path, udl_mat xy, const double *labels, const char *const *names,
                 size_t n_names, plot_text text, char *err, size_t errlen)
{
    if (xy.cols < 2 || xy.rows == 0) {
        snprintf(err, errlen, "a scatter plot needs at least 2 columns and 1 row");
        return -1;
    }
    double classes[MAX_CLASSES];
    size_t m = labels ? distinct_labels(labels, xy.rows, classes, MAX_CLASSES) : 0;
    frame f = {90, WIDTH - (m ? LEGEND_WIDTH : 40), 60, HEIGHT - 80, 0, 0, 0, 0};
    data_range(xy, 0, &f.x0, &f.x1);
    data_range(xy, 1, &f.y0, &f.y1);
    cairo_surface_t *surface;
    cairo_t *cr = new_canvas(&surface);
    draw_axes(cr, &f, text, 0);

    const size_t n = xy.rows;
    const double radius = n > 20000 ? 1.1 : n > 2000 ? 1.8 : 3.2;
    const double alpha = n > 20000 ? 0.45 : 0.75;
    /* Visit points in a scrambled order (a stride coprime to n) so that no class is
     * painted entirely on top of the others. */
    size_t stride = n > 1 ? (size_t)(0.6180339887 * (double)n) | 1 : 1;
    while (n > 1) {
        size_t a = stride, b = n;
        while (b) {
            size_t t = a % b;
            a = b;
            b = t;
        }
        if (a == 1)
            break;
        stride += 2;
    }
    cairo_save(cr);
    cairo_rectangle(cr, f.left, f.top, f.right - f.left, f.bottom - f.top);
    cairo_clip(cr);
    for (size_t t = 0, i = 0; t < n; t++, i = (i + stride) % n) {
        size_t c = labels ? class_of(labels[i], classes, m) : 0;
        const double *rgb = palette[c % 10];
        if (labels && c == m)
            rgb = palette[7];
        cairo_set_source_rgba(cr, rgb[0], rgb[1], rgb[2], alpha);
        cairo_arc(cr, px(&f, xy.data[i * xy.ld]), py(&f, xy.data[i * xy.ld + 1]), radius, 0,
                  2 * PI);
        cairo_fill(cr);
    }
    cairo_restore(cr);

    if (m) {
        double x = f.right + 24, y = f.top + 4;
        set_font(cr, 14, 1);
        cairo_set_source_rgb(cr, 0.15, 0.15, 0.15);
        text_at(cr, "class", x, y, 0.0, 0.0);
        set_font(cr, 14, 0);
        for (size_t c = 0; c < m; c++) {
            char name[128];
            y += 26;
            const double *rgb = palette[c % 10];
            cairo_set_source_rgb(cr, rgb[0], rgb[1], rgb[2]);
            cairo_arc(cr, x + 6, y + 7, 6, 0, 2 * PI);
            cairo_fill(cr);
            cairo_set_source_rgb(cr, 0.15, 0.15, 0.15);
            class_name(name, sizeof name, classes[c], names, n_names);
            text_at(cr, name, x + 20, y + 7, 0.0, 0.5);
        }
    }
    return finish(surface, cr, path, err, errlen);
}

int plot_variance(const char *path, const double *ratio, size_t n, size_t k, plot_text text,
                  char *err, size_t errlen)
{
    if (n == 0) {
        snprintf(err, errlen, "no components to plot");
        return -1;
    }
    frame f = {90, WIDTH - 40, 60, HEIGHT - 80, 0.5, (double)n + 0.5, 0.0, 1.05};
    cairo_surface_t *surface;
    cairo_t *cr = new_canvas(&surface);
    draw_axes(cr, &f, text, 1);
    cairo_save(cr);
    cairo_rectangle(cr, f.left, f.top, f.right - f.left, f.bottom - f.top);
    cairo_clip(cr);
    /* each component's own ratio as a bar */
    double bar = fmax(1.0, (f.right - f.left) / (double)n * 0.7);
    cairo_set_source_rgba(cr, palette[0][0], palette[0][1], palette[0][2], 0.35);
    for (size_t i = 0; i < n; i++) {
        double x = px(&f, (double)(i + 1));
        cairo_rectangle(cr, x - bar / 2, py(&f, ratio[i]), bar, py(&f, 0) - py(&f, ratio[i]));
    }
    cairo_fill(cr);
    /* the cumulative sum as a line */
    double cumulative = 0.0, at_k = 0.0;
    cairo_set_source_rgb(cr, palette[0][0], palette[0][1], palette[0][2]);
    cairo_set_line_width(cr, 2.5);
    for (size_t i = 0; i < n; i++) {
        cumulative += ratio[i];
        if (i + 1 == k)
            at_k = cumulative;
        double x = px(&f, (double)(i + 1)), y = py(&f, cumulative);
        if (i == 0)
            cairo_move_to(cr, x, y);
        else
            cairo_line_to(cr, x, y);
    }
    cairo_stroke(cr);
    cumulative = 0.0;
    for (size_t i = 0; i < n && n <= 60; i++) { /* markers only where they stay apart */
        cumulative += ratio[i];
        cairo_arc(cr, px(&f, (double)(i + 1)), py(&f, cumulative), 3.5, 0, 2 * PI);
        cairo_fill(cr);
    }
    cairo_restore(cr);
    if (k >= 1 && k <= n) {
        char label[96];
        double x = px(&f, (double)k), y = py(&f, at_k);
        const double dash[] = {6.0, 4.0};
        cairo_set_dash(cr, dash, 2, 0);
        cairo_set_line_width(cr, 1.5);
        cairo_set_source_rgb(cr, palette[3][0], palette[3][1], palette[3][2]);
        cairo_move_to(cr, x, f.bottom);
        cairo_line_to(cr, x, y);
        cairo_line_to(cr, f.left, y);
        cairo_stroke(cr);
        cairo_set_dash(cr, NULL, 0, 0);
        set_font(cr, 14, 0);
        snprintf(label, sizeof label, "k = %zu: %.1f%% of the variance", k, 100.0 * at_k);
        double tx = x + 10 > f.right - 260 ? x - 10 : x + 10;
        text_at(cr, label, tx, y + 12, tx < x ? 1.0 : 0.0, 0.0);
    }
    /* legend */
    set_font(cr, 14, 0);
    double lx = f.right - 230, ly = py(&f, 0.35);
    cairo_set_source_rgb(cr, palette[0][0], palette[0][1], palette[0][2]);
    cairo_set_line_width(cr, 2.5);
    cairo_move_to(cr, lx, ly);
    cairo_line_to(cr, lx + 28, ly);
    cairo_stroke(cr);
    cairo_set_source_rgb(cr, 0.15, 0.15, 0.15);
    text_at(cr, "cumulative", lx + 36, ly, 0.0, 0.5);
    cairo_set_source_rgba(cr, palette[0][0], palette[0][1], palette[0][2], 0.35);
    cairo_rectangle(cr, lx + 6, ly + 16, 16, 16);
    cairo_fill(cr);
    cairo_set_source_rgb(cr, 0.15, 0.15, 0.15);
    text_at(cr, "per component", lx + 36, ly + 24, 0.0, 0.5);
    return finish(surface, cr, path, err, errlen);
}

size_t plot_split_names(char *list, const char **names, size_t max)
{
    size_t n = 0;
    for (char *p = list; p && n < max;) {
        names[n++] = p;
        p = strchr(p, ',');
        if (p)
            *p++ = '\0';
    }
    return n;
}
