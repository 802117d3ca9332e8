#include <cairo.h>
#include <math.h>
#include <stdint.h>
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

/* Writes surface (given cs, the status of drawing it) to path as a PNG and destroys it. */
static int write_png(cairo_surface_t *surface, cairo_status_t cs, const char *path, char *err,
                     size_t errlen)
{
    png_buffer png = {NULL, 0, 0};
    if (cs == CAIRO_STATUS_SUCCESS)
        cs = cairo_surface_status(surface);
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

static int finish(cairo_surface_t *surface, cairo_t *cr, const char *path, char *err,
                  size_t errlen)
{
    cairo_status_t cs = cairo_status(cr);
    cairo_destroy(cr);
    return write_png(surface, cs, path, err, errlen);
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

void plot_label_name(char *buf, size_t size, double value, const char *const *names,
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
            plot_label_name(name, sizeof name, classes[c], names, n_names);
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

/* ---- images: grids of tiles, and the figure of adversarial examples --------------------- */

#define IMAGE_MAX_SIDE 32767 /* cairo's limit */
enum { UPSCALE_LONGEST = 4096 };

size_t plot_upscale(size_t width, size_t height, size_t target)
{
    const size_t longest = width > height ? width : height;
    if (!width || !longest)
        return 1;
    size_t s = width >= target ? 1 : (target + width - 1) / width;
    const size_t cap = UPSCALE_LONGEST / longest;
    if (s > cap)
        s = cap;
    return s ? s : 1;
}

static unsigned char gray_byte(double v)
{
    return (unsigned char)lround(255.0 * (v < 0.0 ? 0.0 : v > 1.0 ? 1.0 : v));
}

int plot_gray(const char *path, const udl_array *img, size_t scale, char *err, size_t errlen)
{
    if (!img->rows || !img->cols || !scale || img->cols > IMAGE_MAX_SIDE / scale ||
        img->rows > IMAGE_MAX_SIDE / scale) {
        snprintf(err, errlen, "an image of %zu x %zu pixels, each drawn %zu times as large, is "
                 "beyond the %d pixels a side a PNG can have here", img->rows, img->cols, scale,
                 IMAGE_MAX_SIDE);
        return -1;
    }
    const size_t width = img->cols * scale, height = img->rows * scale;
    /* cairo writes an A8 surface as an 8-bit greyscale PNG */
    cairo_surface_t *surface =
        cairo_image_surface_create(CAIRO_FORMAT_A8, (int)width, (int)height);
    if (cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS) {
        cairo_surface_flush(surface);
        unsigned char *data = cairo_image_surface_get_data(surface);
        const size_t stride = (size_t)cairo_image_surface_get_stride(surface);
        for (size_t y = 0; y < height; y++)
            for (size_t x = 0; x < width; x++)
                data[y * stride + x] = gray_byte(img->data[(y / scale) * img->cols + x / scale]);
        cairo_surface_mark_dirty(surface);
    }
    return write_png(surface, CAIRO_STATUS_SUCCESS, path, err, errlen);
}

/* An h x w image of the values v, value lo black and hi white. */
static cairo_surface_t *gray_tile(const double *v, size_t h, size_t w, double lo, double hi)
{
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, (int)w, (int)h);
    if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS)
        return s;
    cairo_surface_flush(s);
    unsigned char *data = cairo_image_surface_get_data(s);
    const size_t stride = (size_t)cairo_image_surface_get_stride(s);
    for (size_t r = 0; r < h; r++)
        for (size_t c = 0; c < w; c++) {
            const uint32_t g = gray_byte(hi > lo ? (v[r * w + c] - lo) / (hi - lo) : 0.5);
            const uint32_t pixel = 0xff000000u | g << 16 | g << 8 | g;
            memcpy(data + r * stride + 4 * c, &pixel, sizeof pixel);
        }
    cairo_surface_mark_dirty(s);
    return s;
}

/* Paints tile at (x, y) zoomed (pixels kept sharp when enlarged), framed by a thin grey
 * line; returns cairo's status. */
static cairo_status_t draw_tile(cairo_t *cr, cairo_surface_t *tile, double x, double y,
                                double zoom)
{
    cairo_status_t cs = cairo_surface_status(tile);
    if (cs == CAIRO_STATUS_SUCCESS) {
        const double w = cairo_image_surface_get_width(tile) * zoom;
        const double h = cairo_image_surface_get_height(tile) * zoom;
        cairo_save(cr);
        cairo_translate(cr, x, y);
        cairo_scale(cr, zoom, zoom);
        cairo_set_source_surface(cr, tile, 0, 0);
        cairo_pattern_set_filter(cairo_get_source(cr),
                                 zoom >= 1.0 ? CAIRO_FILTER_NEAREST : CAIRO_FILTER_GOOD);
        cairo_paint(cr);
        cairo_restore(cr);
        cairo_set_source_rgb(cr, 0.6, 0.6, 0.6);
        cairo_set_line_width(cr, 1.0);
        cairo_rectangle(cr, x - 0.5, y - 0.5, w + 1.0, h + 1.0);
        cairo_stroke(cr);
    }
    cairo_surface_destroy(tile);
    return cs;
}

/* Lays text out in lines no wider than width in the current font (a word wider than that
 * gets a line of its own), drawn from (x, y) down when draw; returns the number of lines. */
static size_t text_lines(cairo_t *cr, const char *text, double x, double y, double width,
                         double line_height, int draw)
{
    char line[512] = "";
    size_t lines = 0, len = 0;
    for (const char *p = text;;) {
        while (*p == ' ')
            p++;
        const size_t n = strcspn(p, " ");
        if (n && len + 1 + n < sizeof line) { /* try the next word on this line */
            const size_t at = len ? len + 1 : 0;
            line[len] = ' ';
            memcpy(line + at, p, n);
            line[at + n] = '\0';
            cairo_text_extents_t e;
            cairo_text_extents(cr, line, &e);
            if (!len || e.x_advance <= width) {
                len = at + n;
                p += n;
                continue;
            }
            line[len] = '\0';
        } else if (n && !len) {
            p += n; /* longer than any line can hold: left out */
            continue;
        }
        if (len) {
            if (draw)
                text_at(cr, line, x, y + (double)lines * line_height, 0.0, 0.0);
            lines++;
            len = 0;
            line[0] = '\0';
        }
        if (!n)
            return lines;
    }
}

enum { FIG_MARGIN = 24, FIG_GAP = 10, FIG_GROUP_GAP = 40, FIG_HEADER = 26, FIG_LINE = 16,
       FIG_ROW_GAP = 16, FIG_CELL_MIN = 100, FIG_TILE = 112 };
#define FIG_TEXT 0.15, 0.15, 0.15
#define FIG_FONT 12.5

/* The figure's geometry: cells of three tiles in groups side by side. */
typedef struct figure {
    double zoom, tile_w, tile_h, cell, group, row;
    size_t groups, rows, caption_lines;
    int width, height;
} figure;

static void figure_layout(figure *f, size_t n, size_t h, size_t w, const char *caption)
{
    const size_t side = h > w ? h : w;
    f->zoom = (double)FIG_TILE / (double)side;
    if (f->zoom >= 1.0)
        f->zoom = floor(f->zoom); /* whole pixels stay sharp */
    f->tile_w = (double)w * f->zoom;
    f->tile_h = (double)h * f->zoom;
    f->cell = f->tile_w > FIG_CELL_MIN ? f->tile_w : FIG_CELL_MIN;
    f->group = 3 * f->cell + 2 * FIG_GAP;
    f->groups = n > 4 ? 2 : 1;
    f->rows = (n + f->groups - 1) / f->groups;
    f->row = f->tile_h + 6 + 2 * FIG_LINE + FIG_ROW_GAP;
    f->width = (int)ceil(2 * FIG_MARGIN + (double)f->groups * f->group +
                         (double)(f->groups - 1) * FIG_GROUP_GAP);
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_A8, 1, 1);
    cairo_t *cr = cairo_create(s);
    set_font(cr, FIG_FONT, 0);
    f->caption_lines = text_lines(cr, caption, 0, 0, f->width - 2 * FIG_MARGIN, FIG_LINE, 0);
    cairo_destroy(cr);
    cairo_surface_destroy(s);
    f->height = (int)ceil(FIG_MARGIN + FIG_HEADER + (double)f->rows * f->row +
                          (double)f->caption_lines * (FIG_LINE + 2) + FIG_MARGIN);
}

/* The two lines under a tile, centred in its cell at (x, y); the first in red when
 * alert. */
static void tile_labels(cairo_t *cr, double x, double y, double cell, const char *first,
                        const char *second, int alert)
{
    if (alert)
        cairo_set_source_rgb(cr, palette[3][0], palette[3][1], palette[3][2]);
    else
        cairo_set_source_rgb(cr, FIG_TEXT);
    text_at(cr, first, x + cell / 2, y, 0.5, 0.0);
    cairo_set_source_rgb(cr, FIG_TEXT);
    text_at(cr, second, x + cell / 2, y + FIG_LINE, 0.5, 0.0);
}

static double largest_change(const plot_example *ex, size_t n, size_t d)
{
    double m = 0.0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < d; j++)
            m = fmax(m, fabs(ex[i].xadv[j] - ex[i].x[j]));
    return m;
}

/* One example's three tiles and their labels, its cell's top left at (x, y). */
static cairo_status_t draw_example(cairo_t *cr, const figure *f, const plot_example *e,
                                   size_t h, size_t w, double m, double *delta, double x,
                                   double y, const char *const *names, size_t n_names)
{
    const size_t d = h * w;
    double inf = 0.0, sq = 0.0;
    for (size_t j = 0; j < d; j++) {
        delta[j] = e->xadv[j] - e->x[j];
        inf = fmax(inf, fabs(delta[j]));
        sq += delta[j] * delta[j];
    }
    const double pad = (f->cell - f->tile_w) / 2, below = y + f->tile_h + 6;
    cairo_status_t cs = draw_tile(cr, gray_tile(e->x, h, w, 0.0, 1.0), x + pad, y, f->zoom);
    if (!cs)
        cs = draw_tile(cr, gray_tile(delta, h, w, -m, m), x + f->cell + FIG_GAP + pad, y,
                       f->zoom);
    if (!cs)
        cs = draw_tile(cr, gray_tile(e->xadv, h, w, 0.0, 1.0),
                       x + 2 * (f->cell + FIG_GAP) + pad, y, f->zoom);
    char a[160], b[160], name[128];
    set_font(cr, FIG_FONT, 0);
    plot_label_name(name, sizeof name, e->truth, names, n_names);
    snprintf(a, sizeof a, "true %s", name);
    plot_label_name(name, sizeof name, e->before, names, n_names);
    snprintf(b, sizeof b, "predicted %s", name);
    tile_labels(cr, x, below, f->cell, a, b, 0);
    snprintf(a, sizeof a, "L\u221e %.3g", inf);
    snprintf(b, sizeof b, "L2 %.3g", sqrt(sq));
    tile_labels(cr, x + f->cell + FIG_GAP, below, f->cell, a, b, 0);
    const int targeted = !isnan(e->target);
    const int success = targeted ? e->after == e->target : e->after != e->truth;
    plot_label_name(name, sizeof name, e->after, names, n_names);
    snprintf(a, sizeof a, "predicted %s", name);
    plot_label_name(name, sizeof name, e->target, names, n_names);
    if (targeted)
        snprintf(b, sizeof b, "target %s", name);
    else
        b[0] = '\0';
    tile_labels(cr, x + 2 * (f->cell + FIG_GAP), below, f->cell, a, b, success);
    return cs;
}

int plot_attack(const char *path, const plot_example *ex, size_t n, size_t h, size_t w,
                const char *what, const char *const *names, size_t n_names, char *err,
                size_t errlen)
{
    const size_t d = h * w;
    double *delta = n && d ? malloc(d * sizeof(double)) : NULL;
    if (!delta) {
        snprintf(err, errlen, n && d ? "out of memory for the figure" : "no examples to draw");
        return -1;
    }
    const double m = largest_change(ex, n, d);
    char caption[512];
    if (m > 0.0)
        snprintf(caption, sizeof caption, "%s. Middle: the perturbation, from \u2212%.3g (black) "
                 "through 0 (grey) to +%.3g (white), %.3g being the largest |\u03b4| among the "
                 "examples shown. In red: a label the attack made %s.", what, m, m, m,
                 isnan(ex[0].target) ? "wrong" : "the target");
    else
        snprintf(caption, sizeof caption, "%s. The attack changed none of the examples shown.",
                 what);
    figure f;
    figure_layout(&f, n, h, w, caption);
    cairo_surface_t *surface =
        cairo_image_surface_create(CAIRO_FORMAT_RGB24, f.width, f.height);
    cairo_t *cr = cairo_create(surface);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    static const char *const heads[] = {"original", "perturbation", "adversarial"};
    cairo_status_t cs = CAIRO_STATUS_SUCCESS;
    for (size_t g = 0; g < f.groups; g++) {
        const double x = FIG_MARGIN + (double)g * (f.group + FIG_GROUP_GAP);
        set_font(cr, 13, 1);
        cairo_set_source_rgb(cr, FIG_TEXT);
        for (size_t c = 0; c < 3; c++)
            text_at(cr, heads[c], x + (double)c * (f.cell + FIG_GAP) + f.cell / 2, FIG_MARGIN,
                    0.5, 0.0);
    }
    for (size_t i = 0; i < n && !cs; i++) {
        const size_t g = i / f.rows, r = i % f.rows;
        cs = draw_example(cr, &f, &ex[i], h, w, m, delta,
                          FIG_MARGIN + (double)g * (f.group + FIG_GROUP_GAP),
                          FIG_MARGIN + FIG_HEADER + (double)r * f.row, names, n_names);
    }
    set_font(cr, FIG_FONT, 0);
    cairo_set_source_rgb(cr, FIG_TEXT);
    text_lines(cr, caption, FIG_MARGIN, FIG_MARGIN + FIG_HEADER + (double)f.rows * f.row,
               f.width - 2 * FIG_MARGIN, FIG_LINE + 2, 1);
    free(delta);
    const cairo_status_t drawn = cs ? cs : cairo_status(cr);
    cairo_destroy(cr);
    return write_png(surface, drawn, path, err, errlen);
}

/* ---- line plots ------------------------------------------------------------------------- */

static void series_path(cairo_t *cr, const frame *f, const plot_series *s)
{
    for (size_t i = 0; i < s->n; i++) {
        const double x = px(f, s->x[i]), y = py(f, s->y[i]);
        if (i == 0)
            cairo_move_to(cr, x, y);
        else
            cairo_line_to(cr, x, y);
    }
}

static void series_marker(cairo_t *cr, const plot_series *s, double x, double y)
{
    if (s->style == 1)
        cairo_rectangle(cr, x - 3.5, y - 3.5, 7, 7);
    else
        cairo_arc(cr, x, y, 4, 0, 2 * PI);
    cairo_fill(cr);
}

static void series_style(cairo_t *cr, const plot_series *s)
{
    static const double dash[] = {8.0, 5.0};
    const double *rgb = palette[(size_t)s->colour % 10];
    cairo_set_source_rgb(cr, rgb[0], rgb[1], rgb[2]);
    cairo_set_line_width(cr, 2.2);
    cairo_set_dash(cr, s->style == 1 ? dash : NULL, s->style == 1 ? 2 : 0, 0);
}

int plot_lines(const char *path, const plot_series *s, size_t n, plot_text text, double y0,
               double y1, int legend_top, char *err, size_t errlen)
{
    frame f = {90, WIDTH - 40, 60, HEIGHT - 80, INFINITY, -INFINITY, INFINITY, -INFINITY};
    for (size_t k = 0; k < n; k++)
        for (size_t i = 0; i < s[k].n; i++) {
            f.x0 = fmin(f.x0, s[k].x[i]);
            f.x1 = fmax(f.x1, s[k].x[i]);
            f.y0 = fmin(f.y0, s[k].y[i]);
            f.y1 = fmax(f.y1, s[k].y[i]);
        }
    if (!(f.x0 <= f.x1) || !isfinite(f.x0 + f.x1 + f.y0 + f.y1)) {
        snprintf(err, errlen, "a line plot needs finite points");
        return -1;
    }
    if (y0 < y1) {
        f.y0 = y0;
        f.y1 = y1;
    } else {
        const double pad = f.y1 > f.y0 ? 0.08 * (f.y1 - f.y0) : fabs(f.y0) * 0.1 + 1.0;
        f.y0 -= pad;
        f.y1 += pad;
    }
    const double xpad = f.x1 > f.x0 ? 0.03 * (f.x1 - f.x0) : 1.0;
    f.x0 -= xpad;
    f.x1 += xpad;
    int integer_x = 1; /* epochs: no ticks between them */
    for (size_t k = 0; k < n; k++)
        for (size_t i = 0; i < s[k].n; i++)
            integer_x &= s[k].x[i] == floor(s[k].x[i]);
    cairo_surface_t *surface;
    cairo_t *cr = new_canvas(&surface);
    draw_axes(cr, &f, text, integer_x);
    cairo_save(cr);
    cairo_rectangle(cr, f.left, f.top, f.right - f.left, f.bottom - f.top);
    cairo_clip(cr);
    for (size_t k = 0; k < n; k++) {
        series_style(cr, &s[k]);
        series_path(cr, &f, &s[k]);
        cairo_stroke(cr);
        for (size_t i = 0; i < s[k].n; i++)
            series_marker(cr, &s[k], px(&f, s[k].x[i]), py(&f, s[k].y[i]));
    }
    cairo_restore(cr);
    cairo_set_dash(cr, NULL, 0, 0);

    /* the legend: a framed white box inside the plot */
    set_font(cr, 14, 0);
    double widest = 0.0;
    for (size_t k = 0; k < n; k++) {
        cairo_text_extents_t e;
        cairo_text_extents(cr, s[k].label, &e);
        widest = fmax(widest, e.x_advance);
    }
    const double row = 24, bw = widest + 70, bh = row * (double)n + 12;
    const double bx = f.right - bw - 14, by = legend_top ? f.top + 14 : f.bottom - bh - 14;
    cairo_set_source_rgba(cr, 1, 1, 1, 0.92);
    cairo_rectangle(cr, bx, by, bw, bh);
    cairo_fill_preserve(cr);
    cairo_set_source_rgb(cr, 0.75, 0.75, 0.75);
    cairo_set_line_width(cr, 1.0);
    cairo_stroke(cr);
    for (size_t k = 0; k < n; k++) {
        const double y = by + 6 + row * ((double)k + 0.5);
        series_style(cr, &s[k]);
        cairo_move_to(cr, bx + 10, y);
        cairo_line_to(cr, bx + 46, y);
        cairo_stroke(cr);
        series_marker(cr, &s[k], bx + 28, y);
        cairo_set_dash(cr, NULL, 0, 0);
        cairo_set_source_rgb(cr, 0.15, 0.15, 0.15);
        text_at(cr, s[k].label, bx + 56, y, 0.0, 0.5);
    }
    return finish(surface, cr, path, err, errlen);
}

/* ---- figures of image panels ------------------------------------------------------------ */

enum { PANEL_GAP = 4, PANEL_TITLE = 28, PANEL_LABEL = 18, PANEL_SPACE = 36 };

typedef struct panel_box {
    double label_w, width, height; /* row labels' column; the panel's whole size */
    size_t rows;
} panel_box;

static double widest_text(cairo_t *cr, const char *const *texts, size_t n)
{
    double w = 0.0;
    for (size_t i = 0; texts && i < n; i++) {
        cairo_text_extents_t e;
        cairo_text_extents(cr, texts[i], &e);
        w = fmax(w, e.x_advance);
    }
    return w;
}

static panel_box panel_measure(cairo_t *cr, const plot_panel *p, double tw, double th)
{
    panel_box b;
    const size_t cols = p->cols < p->n ? p->cols : p->n;
    b.rows = (p->n + p->cols - 1) / p->cols;
    set_font(cr, 13, 0);
    b.label_w = p->row_labels ? widest_text(cr, p->row_labels, b.rows) + 14 : 0.0;
    /* tiles are spread so that labels under them do not run into each other */
    const double cell = fmax(tw, p->labels ? widest_text(cr, p->labels, p->n) + 6 : 0.0);
    b.width = b.label_w + (double)cols * cell + (double)(cols - 1) * PANEL_GAP;
    b.height = PANEL_TITLE + (double)b.rows * (th + (p->labels ? PANEL_LABEL : 0)) +
               (double)(b.rows - 1) * PANEL_GAP;
    return b;
}

static cairo_status_t panel_draw(cairo_t *cr, const plot_panel *p, const panel_box *b,
                                 size_t h, size_t w, double zoom, double x, double y)
{
    const double tw = (double)w * zoom, th = (double)h * zoom;
    const size_t cols = p->cols < p->n ? p->cols : p->n;
    const double cell = (b->width - b->label_w - (double)(cols - 1) * PANEL_GAP) / (double)cols;
    set_font(cr, 15, 1);
    cairo_set_source_rgb(cr, FIG_TEXT);
    text_at(cr, p->title, x + b->label_w, y, 0.0, 0.0);
    cairo_status_t cs = CAIRO_STATUS_SUCCESS;
    for (size_t i = 0; i < p->n && !cs; i++) {
        const size_t r = i / p->cols, c = i % p->cols;
        const double *v = p->images + i * h * w;
        double lo = 0.0, hi = 1.0;
        if (p->stretch) {
            lo = INFINITY, hi = -INFINITY;
            for (size_t j = 0; j < h * w; j++) {
                lo = fmin(lo, v[j]);
                hi = fmax(hi, v[j]);
            }
        }
        const double cx = x + b->label_w + (double)c * (cell + PANEL_GAP);
        const double cy = y + PANEL_TITLE + (double)r * (th + PANEL_GAP +
                                                         (p->labels ? PANEL_LABEL : 0));
        cs = draw_tile(cr, gray_tile(v, h, w, lo, hi), cx + (cell - tw) / 2, cy, zoom);
        set_font(cr, 13, 0);
        cairo_set_source_rgb(cr, FIG_TEXT);
        if (p->labels)
            text_at(cr, p->labels[i], cx + cell / 2, cy + th + 3, 0.5, 0.0);
        if (p->row_labels && c == 0)
            text_at(cr, p->row_labels[r], x + b->label_w - 12, cy + th / 2, 1.0, 0.5);
    }
    return cs;
}

int plot_images(const char *path, const plot_panel *p, size_t n, size_t h, size_t w,
                size_t zoom, int across, const char *caption, char *err, size_t errlen)
{
    enum { MAX_PANELS = 8 };
    if (!n || n > MAX_PANELS || !h || !w || !zoom) {
        snprintf(err, errlen, "a figure needs 1 to %d panels of images", MAX_PANELS);
        return -1;
    }
    for (size_t k = 0; k < n; k++)
        if (!p[k].n || !p[k].cols) {
            snprintf(err, errlen, "panel \"%s\" has no images", p[k].title);
            return -1;
        }
    const double tw = (double)(w * zoom), th = (double)(h * zoom);
    cairo_surface_t *scratch = cairo_image_surface_create(CAIRO_FORMAT_A8, 1, 1);
    cairo_t *cr = cairo_create(scratch);
    panel_box box[MAX_PANELS];
    double width = 0.0, height = 0.0;
    for (size_t k = 0; k < n; k++) {
        box[k] = panel_measure(cr, &p[k], tw, th);
        width = across ? width + box[k].width + (k ? PANEL_SPACE : 0) : fmax(width, box[k].width);
        height = across ? fmax(height, box[k].height)
                        : height + box[k].height + (k ? PANEL_SPACE : 0);
    }
    set_font(cr, FIG_FONT, 0);
    const size_t lines = caption ? text_lines(cr, caption, 0, 0, width, FIG_LINE + 2, 0) : 0;
    cairo_destroy(cr);
    cairo_surface_destroy(scratch);
    const double total_h = 2 * FIG_MARGIN + height + (lines ? 14 + (double)lines * (FIG_LINE + 2) : 0);
    if (width + 2 * FIG_MARGIN > IMAGE_MAX_SIDE || total_h > IMAGE_MAX_SIDE) {
        snprintf(err, errlen, "the figure would be larger than %d pixels a side", IMAGE_MAX_SIDE);
        return -1;
    }
    cairo_surface_t *surface = cairo_image_surface_create(
        CAIRO_FORMAT_RGB24, (int)ceil(width + 2 * FIG_MARGIN), (int)ceil(total_h));
    cr = cairo_create(surface);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    cairo_status_t cs = CAIRO_STATUS_SUCCESS;
    double x = FIG_MARGIN, y = FIG_MARGIN;
    for (size_t k = 0; k < n && !cs; k++) {
        cs = panel_draw(cr, &p[k], &box[k], h, w, (double)zoom, x, y);
        if (across)
            x += box[k].width + PANEL_SPACE;
        else
            y += box[k].height + PANEL_SPACE;
    }
    if (lines) {
        set_font(cr, FIG_FONT, 0);
        cairo_set_source_rgb(cr, FIG_TEXT);
        text_lines(cr, caption, FIG_MARGIN, FIG_MARGIN + height + 14, width, FIG_LINE + 2, 1);
    }
    const cairo_status_t drawn = cs ? cs : cairo_status(cr);
    cairo_destroy(cr);
    return write_png(surface, drawn, path, err, errlen);
}
