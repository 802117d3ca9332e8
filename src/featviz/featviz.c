/* Feature visualization: the inputs that drive a unit hardest, in closed form for the first
 * layer and by gradient ascent on the input for any layer (Erhan et al. 2009), on the
 * engine net of any model with layers; a deep belief net's clamped-unit samples; image
 * grids. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <udl/featviz.h>

#include "core/error.h"
#include "core/model.h"
#include "core/net.h"
#include "core/rng.h"
#include "core/tensor.h"
#include "rbm/internal.h"

UDL_API udl_status udl_featviz_layers(const udl_model *m, size_t *n_layers, size_t *widths)
{
    if (!n_layers)
        return udli_fail(UDL_EINVAL, "featviz layers: n_layers is NULL");
    udli_net *net;
    udl_status s = udli_model_net(m, &net);
    if (s)
        return s;
    *n_layers = net->n_layers;
    if (widths)
        memcpy(widths, net->sizes, (net->n_layers + 1) * sizeof(size_t));
    udli_net_free(net);
    return UDL_OK;
}

/* The units [first, first + n) of layer l exist; n >= 1. */
static udl_status check_units(const udli_net *net, size_t layer, size_t first, size_t n,
                              const char *who)
{
    if (layer >= net->n_layers)
        return udli_fail(UDL_EINVAL, "%s: layer %zu, but the model's layers are 0 to %zu", who,
                         layer, net->n_layers - 1);
    const size_t width = net->sizes[layer + 1];
    if (n == 0 || first >= width || n > width - first)
        return udli_fail(UDL_EINVAL, "%s: units %zu to %zu, but layer %zu has units 0 to %zu",
                         who, first, first + n - (n > 0), layer, width - 1);
    return UDL_OK;
}

UDL_API udl_status udl_featviz_first_layer(const udl_model *m, double rho, size_t first_unit,
                                           udl_mat x)
{
    if (!(rho > 0.0 && isfinite(rho)))
        return udli_fail(UDL_EINVAL, "featviz first layer: rho must be a positive number, got "
                         "%g", rho);
    udli_net *net;
    udl_status s = udli_model_net(m, &net);
    if (s)
        return s;
    const size_t d = net->sizes[0];
    if (!(s = udli_mat_check_output(x, x.rows, d, "featviz first layer: X")) &&
        !(s = check_units(net, 0, first_unit, x.rows, "featviz first layer"))) {
        udl_mat w = udli_net_weights(net, 0);
        for (size_t i = 0; i < x.rows; i++) {
            double *r = x.data + i * x.ld;
            for (size_t j = 0; j < d; j++)
                r[j] = w.data[j * w.ld + first_unit + i];
            /* a unit with no weights responds to no direction: leave it at 0 */
            const double norm = udli_norm2(r, d), scale = norm > 0.0 ? rho / norm : 0.0;
            for (size_t j = 0; j < d; j++)
                r[j] *= scale;
        }
    }
    udli_net_free(net);
    return s;
}

UDL_API udl_featviz_params udl_featviz_params_default(void)
{
    udl_featviz_params p;
    memset(&p, 0, sizeof p);
    p.norm = 10.0;
    p.clip = 1;
    p.steps = 200;
    p.restarts = 4;
    p.sgd = udl_sgd_params_default();
    p.sgd.learning_rate = 0.05;
    p.seed = 1;
    return p;
}

static udl_status check_params(const udl_featviz_params *p)
{
    if (!p)
        return udli_fail(UDL_EINVAL, "featviz: params is NULL");
    if (!(p->norm > 0.0 && isfinite(p->norm)))
        return udli_fail(UDL_EINVAL, "featviz: norm must be a positive number, got %g", p->norm);
    if (p->clip != 0 && p->clip != 1)
        return udli_fail(UDL_EINVAL, "featviz: clip must be 0 or 1, got %d", p->clip);
    if (p->steps == 0 || p->steps > 1000000)
        return udli_fail(UDL_EINVAL, "featviz: steps must be 1 to 1000000, got %zu", p->steps);
    if (p->restarts == 0 || p->restarts > 1024)
        return udli_fail(UDL_EINVAL, "featviz: restarts must be 1 to 1024, got %zu",
                         p->restarts);
    if (!(p->blur >= 0.0 && p->blur <= 100.0))
        return udli_fail(UDL_EINVAL, "featviz: blur must be 0 to 100 pixels, got %g", p->blur);
    udl_status s = udl_sgd_params_check(&p->sgd);
    return s ? udli_fail(s, "featviz: %s", udl_last_error()) : UDL_OK;
}

/* A separable Gaussian blur of each row of x, an image of x.cols / w rows of w pixels,
 * edges clamped; tmp holds x.cols values. The weights sum to 1, so a constant image stays
 * as it is. */
static void blur_rows(udl_mat x, size_t w, const double *kernel, size_t radius, double *tmp)
{
    const size_t h = x.cols / w;
    for (size_t i = 0; i < x.rows; i++) {
        double *img = x.data + i * x.ld;
        for (int pass = 0; pass < 2; pass++) {
            /* pass 0 along the rows of the image into tmp, pass 1 along its columns back */
            const double *src = pass ? tmp : img;
            double *dst = pass ? img : tmp;
            for (size_t r = 0; r < h; r++)
                for (size_t c = 0; c < w; c++) {
                    double sum = 0.0;
                    for (size_t k = 0; k <= 2 * radius; k++) {
                        const long off = (long)k - (long)radius;
                        const long rr = pass ? (long)r + off : (long)r;
                        const long cc = pass ? (long)c : (long)c + off;
                        const size_t r2 = rr < 0 ? 0 : rr >= (long)h ? h - 1 : (size_t)rr;
                        const size_t c2 = cc < 0 ? 0 : cc >= (long)w ? w - 1 : (size_t)cc;
                        sum += kernel[k] * src[r2 * w + c2];
                    }
                    dst[r * w + c] = sum;
                }
        }
    }
}

/* The normalised Gaussian weights for offsets -radius..radius, radius = ceil(3 sigma). */
static size_t gaussian_kernel(double sigma, double *kernel, size_t max_radius)
{
    size_t radius = (size_t)ceil(3.0 * sigma);
    radius = radius > max_radius ? max_radius : radius;
    double sum = 0.0;
    for (size_t k = 0; k <= 2 * radius; k++) {
        const double t = ((double)k - (double)radius) / sigma;
        sum += kernel[k] = exp(-0.5 * t * t);
    }
    for (size_t k = 0; k <= 2 * radius; k++)
        kernel[k] /= sum;
    return radius;
}

/* Into the feasible set: [0, 1] when clipping, then the ball |x| <= rho (shrinking toward
 * 0 keeps a point inside the box). */
static void project(udl_mat x, double rho, int clip)
{
    for (size_t i = 0; i < x.rows; i++) {
        double *r = x.data + i * x.ld;
        if (clip)
            for (size_t j = 0; j < x.cols; j++)
                r[j] = r[j] < 0.0 ? 0.0 : r[j] > 1.0 ? 1.0 : r[j];
        const double n = udli_norm2(r, x.cols);
        if (n > rho)
            for (size_t j = 0; j < x.cols; j++)
                r[j] *= rho / n;
    }
}

/* The unit unit[i] of the top of forward's output, for each row, and the gradient that
 * selects it. */
static void select_units(udl_mat top, const size_t *unit, udl_mat dtop, double *value)
{
    udli_mat_fill(dtop, 0.0);
    for (size_t i = 0; i < top.rows; i++) {
        dtop.data[i * dtop.ld + unit[i]] = 1.0;
        if (value)
            value[i] = top.data[i * top.ld + unit[i]];
    }
}

UDL_API udl_status udl_featviz_ascent(const udl_model *m, size_t layer, size_t first_unit,
                                      const udl_featviz_params *params, udl_mat x,
                                      double *activation)
{
    udl_status s = check_params(params);
    if (s)
        return s;
    udli_net *net;
    if ((s = udli_model_net(m, &net)))
        return s;
    const size_t d = net->sizes[0], n = x.rows, r = params->restarts;
    if ((s = udli_mat_check_output(x, n, d, "featviz ascent: X")) ||
        (s = check_units(net, layer, first_unit, n, "featviz ascent"))) {
        udli_net_free(net);
        return s;
    }
    if (params->blur > 0.0 && (params->image_width == 0 || d % params->image_width)) {
        udli_net_free(net);
        return udli_fail(UDL_EINVAL, "featviz ascent: blur needs image_width to divide the "
                         "model's %zu inputs, got %zu", d, params->image_width);
    }
    /* every restart of every unit is one row of one batch */
    const size_t rows = n * r;
    double *xs = udli_alloc(rows, d * sizeof(double), "featviz inputs");
    double *g = udli_alloc(rows, d * sizeof(double), "featviz gradients");
    double *vel = udli_calloc(rows * d, sizeof(double), "featviz velocities");
    double *value = udli_alloc(rows, sizeof(double), "featviz values");
    size_t *unit = udli_alloc(rows, sizeof(size_t), "featviz units");
    double *tmp = params->blur > 0.0 ? udli_alloc(d, sizeof(double), "featviz blur") : NULL;
    udli_net_ws ws = {0};
    if (!xs || !g || !vel || !value || !unit || (params->blur > 0.0 && !tmp) ||
        (s = udli_net_ws_alloc(net, rows, &ws))) {
        s = s ? s : UDL_ENOMEM;
        goto done;
    }
    udli_rng rng;
    udli_rng_seed(&rng, params->seed);
    udli_rng_uniforms(&rng, xs, rows * d);
    udl_mat xm = udl_mat_view(xs, rows, d), gm = udl_mat_view(g, rows, d);
    enum { MAX_RADIUS = 300 };
    double kernel[2 * MAX_RADIUS + 1];
    size_t radius = 0;
    if (params->blur > 0.0) {
        radius = gaussian_kernel(params->blur, kernel, MAX_RADIUS);
        blur_rows(xm, params->image_width, kernel, radius, tmp);
    }
    project(xm, params->norm, params->clip);
    for (size_t i = 0; i < rows; i++)
        unit[i] = first_unit + i / r;
    for (size_t step = 0; step <= params->steps; step++) {
        udl_mat top = udli_net_forward(net, &ws, xm, layer + 1);
        udl_mat dtop = udli_net_delta(&ws, rows, top.cols);
        select_units(top, unit, dtop, value);
        if (step == params->steps)
            break;
        udli_net_input_gradient(net, &ws, xm, layer + 1, dtop, gm);
        if (params->blur > 0.0)
            blur_rows(gm, params->image_width, kernel, radius, tmp);
        /* descend on minus the gradient, normalised to length rho, so the rate is a
         * fraction of the ball whatever the unit's scale */
        for (size_t i = 0; i < rows; i++) {
            double *gi = g + i * d, len = udli_norm2(gi, d);
            const double scale = len > 0.0 ? -params->norm / len : 0.0;
            for (size_t j = 0; j < d; j++)
                gi[j] *= scale;
        }
        if ((s = udl_sgd_step(&params->sgd, xs, vel, g, rows * d, 0)))
            goto done;
        project(xm, params->norm, params->clip);
    }
    /* The net's last layer gave pre-activations: the class scores of a classifier, which
     * are what its units mean; any other kind's units are their activations (monotone in
     * the pre-activation, so the ascent's maximiser is the same). */
    if (layer + 1 == net->n_layers && net->act[layer] != UDL_ACT_SOFTMAX)
        udli_net_activate_output(net, udl_mat_view(value, rows, 1),
                                 udl_mat_view(value, rows, 1));
    for (size_t u = 0; u < n; u++) {
        size_t best = u * r;
        for (size_t k = u * r + 1; k < (u + 1) * r; k++)
            best = value[k] > value[best] ? k : best;
        memcpy(x.data + u * x.ld, xs + best * d, d * sizeof(double));
        if (activation)
            activation[u] = value[best];
    }
done:
    udli_net_ws_free(&ws);
    udli_net_free(net);
    free(xs);
    free(g);
    free(vel);
    free(value);
    free(unit);
    free(tmp);
    return s;
}

UDL_API udl_status udl_featviz_dbn_sample(const udl_dbn *dbn, size_t first_unit,
                                          size_t n_steps, uint64_t seed, udl_mat x)
{
    if (!dbn)
        return udli_fail(UDL_EINVAL, "featviz dbn sample: the net is NULL");
    const udl_rbm *top = udl_dbn_layer(dbn, udl_dbn_n_layers(dbn) - 1);
    const size_t width = udl_rbm_get_params(top).n_hidden;
    if (x.rows == 0 || first_unit >= width || x.rows > width - first_unit)
        return udli_fail(UDL_EINVAL, "featviz dbn sample: units %zu to %zu, but the top layer "
                         "has units 0 to %zu", first_unit, first_unit + x.rows - (x.rows > 0),
                         width - 1);
    size_t *clamp = udli_alloc(x.rows, sizeof(size_t), "featviz clamps");
    if (!clamp)
        return UDL_ENOMEM;
    for (size_t i = 0; i < x.rows; i++)
        clamp[i] = first_unit + i;
    udl_status s = udli_dbn_sample_clamped(dbn, x, n_steps, seed, clamp);
    free(clamp);
    return s;
}

UDL_API udl_status udl_image_grid(udl_mat tiles, size_t h, size_t w, size_t cols,
                                  udl_array *out)
{
    if (!out)
        return udli_fail(UDL_EINVAL, "image grid: out is NULL");
    memset(out, 0, sizeof *out);
    udl_status s = udli_mat_check(tiles, "image grid: tiles");
    if (s)
        return s;
    if (tiles.rows == 0 || h == 0 || w == 0 || cols == 0)
        return udli_fail(UDL_EINVAL, "image grid: needs at least one tile, of at least 1 x 1 "
                         "pixels, and at least one column (got %zu tiles of %zu x %zu, %zu "
                         "columns)", tiles.rows, h, w, cols);
    if (h > UDL_MAX_WIDTH || w > UDL_MAX_WIDTH || h * w != tiles.cols)
        return udli_fail(UDL_ESHAPE, "image grid: tiles of %zu x %zu pixels need %zu values "
                         "each, the rows have %zu", h, w, h * w, tiles.cols);
    if ((s = udli_mat_check_finite(tiles, "image grid: tiles")))
        return s;
    const size_t ncols = cols < tiles.rows ? cols : tiles.rows;
    const size_t nrows = (tiles.rows + ncols - 1) / ncols;
    const size_t height = nrows * (h + 1) + 1, width = ncols * (w + 1) + 1;
    double *img = udli_alloc(height, width * sizeof(double), "image grid");
    if (!img)
        return UDL_ENOMEM;
    for (size_t i = 0; i < height * width; i++)
        img[i] = 1.0;
    for (size_t t = 0; t < tiles.rows; t++) {
        const double *v = tiles.data + t * tiles.ld;
        double lo = DBL_MAX, hi = -DBL_MAX;
        for (size_t j = 0; j < h * w; j++) {
            lo = v[j] < lo ? v[j] : lo;
            hi = v[j] > hi ? v[j] : hi;
        }
        const size_t top = (t / ncols) * (h + 1) + 1, left = (t % ncols) * (w + 1) + 1;
        for (size_t r = 0; r < h; r++)
            for (size_t c = 0; c < w; c++)
                img[(top + r) * width + left + c] =
                    hi > lo ? (v[r * w + c] - lo) / (hi - lo) : 0.5;
    }
    out->data = img;
    out->rows = height;
    out->cols = width;
    return UDL_OK;
}
