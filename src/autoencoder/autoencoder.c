#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <udl/autoencoder.h>

#include "core/container.h"
#include "core/error.h"
#include "core/rng.h"
#include "core/tensor.h"
#include "core/train.h"
#include "autoencoder/internal.h"

/* Rows encoded at a time outside training: bounds the scratch memory. */
#define BLOCK_ROWS 1024

struct udl_ae {
    udl_ae_params p;
    double *w, *b, *c;    /* D x M, M, D */
    double *vw, *vb, *vc; /* optimizer velocities */
    double *gw, *gb, *gc; /* gradients of the current batch */
    udl_rng rng;
    double *history;
    size_t n_history;
    /* batch scratch, batch_size rows: corrupted input, hidden, output, hidden deltas */
    double *noisy, *hidden, *out, *dhidden;
};

/* ---- parameters ----------------------------------------------------------------- */

UDL_API udl_ae_params udl_ae_params_default(void)
{
    udl_ae_params p;
    memset(&p, 0, sizeof p);
    p.loss = UDL_LOSS_CROSS_ENTROPY;
    p.noise = UDL_NOISE_NONE;
    p.noise_level = 0.3;
    p.epochs = 20;
    p.batch_size = 100;
    p.sgd = udl_sgd_params_default();
    p.seed = 1;
    return p;
}

static udl_status check_params(const udl_ae_params *p)
{
    if (!p)
        return udl_fail(UDL_EINVAL, "autoencoder: params is NULL");
    if (p->n_visible == 0 || p->n_hidden == 0)
        return udl_fail(UDL_EINVAL, "autoencoder: n_visible and n_hidden must be positive, "
                        "got %zu and %zu", p->n_visible, p->n_hidden);
    if (p->n_visible > (1u << 24) || p->n_hidden > (1u << 24))
        return udl_fail(UDL_EINVAL, "autoencoder: %zu x %zu weights is too many",
                        p->n_visible, p->n_hidden);
    if (p->linear != 0 && p->linear != 1)
        return udl_fail(UDL_EINVAL, "autoencoder: linear must be 0 or 1, got %d", p->linear);
    if (p->loss != UDL_LOSS_CROSS_ENTROPY && p->loss != UDL_LOSS_SQUARED)
        return udl_fail(UDL_EINVAL, "autoencoder: unknown loss %d", (int)p->loss);
    if (p->linear && p->loss != UDL_LOSS_SQUARED)
        return udl_fail(UDL_EINVAL, "autoencoder: a linear autoencoder needs the squared loss "
                        "(cross-entropy needs outputs in (0, 1))");
    if (p->noise == UDL_NOISE_MASK && !(p->noise_level >= 0.0 && p->noise_level < 1.0))
        return udl_fail(UDL_EINVAL, "autoencoder: the masking probability noise_level must be "
                        "in [0, 1), got %g", p->noise_level);
    if (p->noise == UDL_NOISE_GAUSSIAN && !(p->noise_level > 0.0 && isfinite(p->noise_level)))
        return udl_fail(UDL_EINVAL, "autoencoder: the Gaussian noise_level (sigma) must be > 0, "
                        "got %g", p->noise_level);
    if (p->noise != UDL_NOISE_NONE && p->noise != UDL_NOISE_MASK &&
        p->noise != UDL_NOISE_GAUSSIAN)
        return udl_fail(UDL_EINVAL, "autoencoder: unknown noise %d", (int)p->noise);
    if (p->epochs == 0 || p->batch_size == 0)
        return udl_fail(UDL_EINVAL, "autoencoder: epochs and batch_size must be positive, got "
                        "%zu and %zu", p->epochs, p->batch_size);
    if (p->batch_size > (1u << 20))
        return udl_fail(UDL_EINVAL, "autoencoder: batch_size %zu is too large", p->batch_size);
    return udl_sgd_params_check(&p->sgd);
}

UDL_API void udl_ae_free(udl_ae *ae)
{
    if (!ae)
        return;
    free(ae->w);
    free(ae->history);
    free(ae->noisy);
    free(ae);
}

/* One allocation holds the parameters, velocities and gradients (3 x (DM + M + D)); a
 * second the batch scratch. */
static udl_status allocate(udl_ae *ae)
{
    const size_t d = ae->p.n_visible, m = ae->p.n_hidden, bs = ae->p.batch_size;
    const size_t n = d * m + m + d;
    double *all = udl_calloc(3 * n, sizeof(double), "autoencoder parameters");
    double *scratch = udl_alloc(bs * (2 * d + 2 * m), sizeof(double), "autoencoder batch");
    if (!all || !scratch) {
        free(all);
        free(scratch);
        return UDL_ENOMEM;
    }
    double *slot[9];
    for (int k = 0; k < 3; k++) {
        slot[3 * k] = all + k * n;
        slot[3 * k + 1] = all + k * n + d * m;
        slot[3 * k + 2] = all + k * n + d * m + m;
    }
    ae->w = slot[0], ae->b = slot[1], ae->c = slot[2];
    ae->vw = slot[3], ae->vb = slot[4], ae->vc = slot[5];
    ae->gw = slot[6], ae->gb = slot[7], ae->gc = slot[8];
    ae->noisy = scratch;
    ae->out = scratch + bs * d;
    ae->hidden = scratch + 2 * bs * d;
    ae->dhidden = scratch + 2 * bs * d + bs * m;
    return UDL_OK;
}

UDL_API udl_status udl_ae_create(const udl_ae_params *params, udl_ae **out)
{
    if (!out)
        return udl_fail(UDL_EINVAL, "autoencoder: out is NULL");
    *out = NULL;
    udl_status s = check_params(params);
    if (s)
        return s;
    udl_ae *ae = udl_calloc(1, sizeof *ae, "autoencoder");
    if (!ae)
        return UDL_ENOMEM;
    ae->p = *params;
    if ((s = allocate(ae))) {
        free(ae);
        return s;
    }
    udl_rng_seed(&ae->rng, params->seed);
    const size_t d = params->n_visible, m = params->n_hidden;
    const double scale = 1.0 / sqrt((double)(d + m));
    for (size_t i = 0; i < d * m; i++)
        ae->w[i] = scale * udl_rng_normal(&ae->rng);
    *out = ae;
    return UDL_OK;
}

/* ---- the forward computation ------------------------------------------------------ */

/* hidden = f(x W + b) */
static void encode_rows(const udl_ae *ae, udl_mat x, udl_mat hidden)
{
    udl_mat w = udl_mat_view(ae->w, ae->p.n_visible, ae->p.n_hidden);
    udl_gemm(UDL_NOTRANS, UDL_NOTRANS, 1.0, x, w, 0.0, hidden);
    udl_add_row_vector(hidden, ae->b, 1.0, hidden);
    if (!ae->p.linear)
        udl_sigmoid(hidden, hidden);
}

/* out = hidden W^T + c: the output layer's pre-activations */
static void decode_logits(const udl_ae *ae, udl_mat hidden, udl_mat out)
{
    udl_mat w = udl_mat_view(ae->w, ae->p.n_visible, ae->p.n_hidden);
    udl_gemm(UDL_NOTRANS, UDL_TRANS, 1.0, hidden, w, 0.0, out);
    udl_add_row_vector(out, ae->c, 1.0, out);
}

double udl_ae_output_loss(udl_ae_loss loss, int linear, udl_mat a, udl_mat x,
                          udl_mat *delta, double scale)
{
    double sum = 0.0;
    for (size_t i = 0; i < a.rows; i++) {
        const double *ai = a.data + i * a.ld, *xi = x.data + i * x.ld;
        double *di = delta ? delta->data + i * delta->ld : NULL;
        for (size_t j = 0; j < a.cols; j++) {
            double z = ai[j], t = xi[j];
            if (loss == UDL_LOSS_CROSS_ENTROPY) {
                double e = exp(-fabs(z));
                sum += fmax(z, 0.0) + log1p(e) - t * z;
                if (di) /* sigmoid(z) - t, evaluated without overflow */
                    di[j] = ((z >= 0.0 ? 1.0 / (1.0 + e) : e / (1.0 + e)) - t) / scale;
            } else if (linear) {
                sum += (z - t) * (z - t);
                if (di)
                    di[j] = 2.0 * (z - t) / scale;
            } else {
                double y = z >= 0.0 ? 1.0 / (1.0 + exp(-z)) : exp(z) / (1.0 + exp(z));
                sum += (y - t) * (y - t);
                if (di)
                    di[j] = 2.0 * (y - t) * y * (1.0 - y) / scale;
            }
        }
    }
    return sum;
}

void udl_ae_corrupt(udl_ae *ae, udl_mat x, udl_mat noisy)
{
    const double level = ae->p.noise_level;
    for (size_t i = 0; i < x.rows; i++)
        for (size_t j = 0; j < x.cols; j++) {
            double v = x.data[i * x.ld + j];
            if (ae->p.noise == UDL_NOISE_MASK)
                v = udl_rng_bernoulli(&ae->rng, level) ? 0.0 : v;
            else
                v += level * udl_rng_normal(&ae->rng);
            noisy.data[i * noisy.ld + j] = v;
        }
}

/* ---- the gradient ------------------------------------------------------------------- */

/* Mean loss and its gradient with respect to W, b and c (the tied W collects both the
 * encoder's and the decoder's terms). */
udl_status udl_ae_gradient(udl_ae *ae, udl_mat input, udl_mat target, double *loss)
{
    const size_t d = ae->p.n_visible, m = ae->p.n_hidden, n = input.rows;
    udl_mat hidden = udl_mat_view(ae->hidden, n, m), out = udl_mat_view(ae->out, n, d);
    udl_mat dhidden = udl_mat_view(ae->dhidden, n, m);
    udl_mat w = udl_mat_view(ae->w, d, m), gw = udl_mat_view(ae->gw, d, m);
    encode_rows(ae, input, hidden);
    decode_logits(ae, hidden, out);
    udl_mat dout = out; /* the output deltas overwrite the logits */
    *loss = udl_ae_output_loss(ae->p.loss, ae->p.linear, out, target, &dout, (double)n) /
            (double)n;
    udl_col_sums(dout, ae->gc);
    udl_gemm(UDL_TRANS, UDL_NOTRANS, 1.0, dout, hidden, 0.0, gw);
    udl_gemm(UDL_NOTRANS, UDL_NOTRANS, 1.0, dout, w, 0.0, dhidden);
    if (!ae->p.linear)
        udl_sigmoid_backward(hidden, dhidden);
    udl_col_sums(dhidden, ae->gb);
    udl_gemm(UDL_TRANS, UDL_NOTRANS, 1.0, input, dhidden, 1.0, gw);
    return UDL_OK;
}

udl_status udl_ae_batch(void *model, udl_mat x, udl_mat y, double *loss)
{
    (void)y;
    udl_ae *ae = model;
    udl_mat input = x;
    if (ae->p.noise != UDL_NOISE_NONE) {
        input = udl_mat_view(ae->noisy, x.rows, x.cols);
        udl_ae_corrupt(ae, x, input);
    }
    return udl_ae_gradient(ae, input, x, loss);
}

void udl_ae_gradients(const udl_ae *ae, const double **gw, const double **gb,
                      const double **gc)
{
    *gw = ae->gw;
    *gb = ae->gb;
    *gc = ae->gc;
}

/* ---- training ------------------------------------------------------------------------ */

udl_status udl_ae_check_input(udl_mat x, size_t cols, udl_ae_loss loss, const char *name)
{
    udl_status s = udl_mat_check(x, name);
    if (s || (s = udl_mat_check_finite(x, name)))
        return s;
    if (x.cols != cols)
        return udl_fail(UDL_ESHAPE, "%s has %zu columns, the model expects %zu", name, x.cols,
                        cols);
    if (loss == UDL_LOSS_CROSS_ENTROPY)
        for (size_t i = 0; i < x.rows; i++)
            for (size_t j = 0; j < x.cols; j++) {
                double v = x.data[i * x.ld + j];
                if (v < 0.0 || v > 1.0)
                    return udl_fail(UDL_EINVAL, "%s[%zu][%zu] is %g; the cross-entropy loss "
                                    "needs data in [0, 1] (use the squared loss)", name, i, j,
                                    v);
            }
    return UDL_OK;
}

udl_status udl_ae_check_output(udl_mat x, udl_mat out, size_t cols, const char *name)
{
    udl_status s = udl_mat_check(out, name);
    if (s)
        return s;
    if (out.rows != x.rows || out.cols != cols)
        return udl_fail(UDL_ESHAPE, "%s is %zu x %zu, expected %zu x %zu", name, out.rows,
                        out.cols, x.rows, cols);
    return UDL_OK;
}

static udl_status check_data(const udl_ae *ae, udl_mat x, const char *name)
{
    return udl_ae_check_input(x, ae->p.n_visible, ae->p.loss, name);
}

UDL_API udl_status udl_ae_train(udl_ae *ae, udl_mat x, udl_progress_fn progress, void *user)
{
    if (!ae)
        return udl_fail(UDL_EINVAL, "autoencoder: model is NULL");
    udl_status s = check_data(ae, x, "autoencoder: X");
    if (s)
        return s;
    const size_t epochs = ae->p.epochs;
    double *history = realloc(ae->history, (ae->n_history + epochs) * sizeof(double));
    if (!history)
        return udl_fail(UDL_ENOMEM, "autoencoder: no memory for the cost history");
    ae->history = history;
    const size_t d = ae->p.n_visible, m = ae->p.n_hidden;
    udl_param_block blocks[3] = {
        {ae->w, ae->vw, ae->gw, d * m, 1},
        {ae->b, ae->vb, ae->gb, m, 0},
        {ae->c, ae->vc, ae->gc, d, 0},
    };
    udl_train_spec spec = {x, udl_mat_view(NULL, x.rows, 0), epochs, ae->p.batch_size,
                           ae->p.sgd, blocks, 3, udl_ae_batch, ae, &ae->rng,
                           "autoencoder", progress, user, history + ae->n_history};
    size_t done = 0;
    s = udl_train(&spec, &done);
    ae->n_history += done;
    return s;
}

/* ---- using the model --------------------------------------------------------------- */

UDL_API udl_status udl_ae_encode(const udl_ae *ae, udl_mat x, udl_mat z)
{
    if (!ae)
        return udl_fail(UDL_EINVAL, "autoencoder: model is NULL");
    udl_status s = check_data(ae, x, "autoencoder encode: X");
    if (s || (s = udl_ae_check_output(x, z, ae->p.n_hidden, "autoencoder encode: Z")))
        return s;
    encode_rows(ae, x, z);
    return UDL_OK;
}

/* Runs blocks of x through the autoencoder; per block calls back with the output
 * pre-activations. */
typedef void (*block_fn)(const udl_ae *ae, udl_mat x, udl_mat logits, size_t first,
                         void *user);

static udl_status for_blocks(const udl_ae *ae, udl_mat x, block_fn fn, void *user)
{
    const size_t d = ae->p.n_visible, m = ae->p.n_hidden;
    double *work = udl_alloc((size_t)BLOCK_ROWS * (d + m), sizeof(double),
                             "autoencoder scratch");
    if (!work)
        return UDL_ENOMEM;
    for (size_t first = 0; first < x.rows; first += BLOCK_ROWS) {
        udl_mat xb = udl_mat_rows(x, first, BLOCK_ROWS);
        udl_mat hidden = udl_mat_view(work, xb.rows, m);
        udl_mat logits = udl_mat_view(work + (size_t)BLOCK_ROWS * m, xb.rows, d);
        encode_rows(ae, xb, hidden);
        decode_logits(ae, hidden, logits);
        fn(ae, xb, logits, first, user);
    }
    free(work);
    return UDL_OK;
}

static void store_output(const udl_ae *ae, udl_mat x, udl_mat logits, size_t first, void *user)
{
    (void)x;
    udl_mat out = udl_mat_rows(*(udl_mat *)user, first, logits.rows);
    if (ae->p.linear)
        udl_mat_copy(logits, out);
    else
        udl_sigmoid(logits, out);
}

UDL_API udl_status udl_ae_reconstruct(const udl_ae *ae, udl_mat x, udl_mat xhat)
{
    if (!ae)
        return udl_fail(UDL_EINVAL, "autoencoder: model is NULL");
    udl_status s = check_data(ae, x, "autoencoder reconstruct: X");
    if (s || (s = udl_ae_check_output(x, xhat, x.cols, "autoencoder reconstruct: X^")))
        return s;
    return for_blocks(ae, x, store_output, &xhat);
}

static void add_loss(const udl_ae *ae, udl_mat x, udl_mat logits, size_t first, void *user)
{
    (void)first;
    *(double *)user += udl_ae_output_loss(ae->p.loss, ae->p.linear, logits, x, NULL, 1.0);
}

UDL_API udl_status udl_ae_cost(const udl_ae *ae, udl_mat x, double *cost)
{
    if (!ae || !cost)
        return udl_fail(UDL_EINVAL, "autoencoder cost: model or cost is NULL");
    udl_status s = check_data(ae, x, "autoencoder cost: X");
    if (s)
        return s;
    if (x.rows == 0)
        return udl_fail(UDL_EINVAL, "autoencoder cost: X has no rows");
    double sum = 0.0;
    if ((s = for_blocks(ae, x, add_loss, &sum)))
        return s;
    *cost = sum / (double)x.rows;
    return UDL_OK;
}

UDL_API const double *udl_ae_history(const udl_ae *ae, size_t *n_epochs)
{
    if (n_epochs)
        *n_epochs = ae ? ae->n_history : 0;
    return ae ? ae->history : NULL;
}

UDL_API udl_ae_params udl_ae_get_params(const udl_ae *ae)
{
    return ae ? ae->p : udl_ae_params_default();
}

UDL_API const double *udl_ae_weights(const udl_ae *ae) { return ae ? ae->w : NULL; }
UDL_API const double *udl_ae_hidden_bias(const udl_ae *ae) { return ae ? ae->b : NULL; }
UDL_API const double *udl_ae_visible_bias(const udl_ae *ae) { return ae ? ae->c : NULL; }

/* ---- files ------------------------------------------------------------------------------ */

static void params_to_info(const udl_ae_params *p, double *info)
{
    const double v[UDL_AE_INFO_LEN] = {(double)p->n_visible, (double)p->n_hidden, p->linear,
                                (double)p->loss, (double)p->noise, p->noise_level,
                                (double)p->epochs, (double)p->batch_size,
                                p->sgd.learning_rate, p->sgd.momentum, p->sgd.weight_decay,
                                p->sgd.nesterov, (double)(p->seed >> 32),
                                (double)(p->seed & 0xffffffffu)};
    memcpy(info, v, sizeof v);
}

static int whole(double v, double max) { return v >= 0 && v <= max && v == floor(v); }

static udl_status info_to_params(const double *v, const char *path, udl_ae_params *p)
{
    if (!udl_all_finite(v, UDL_AE_INFO_LEN) || !whole(v[0], 1 << 24) || !whole(v[1], 1 << 24) ||
        !whole(v[2], 1) || !whole(v[3], 1) || !whole(v[4], 2) || !whole(v[6], 1e15) ||
        !whole(v[7], 1 << 20) || !whole(v[11], 1) || !whole(v[12], 4294967295.0) ||
        !whole(v[13], 4294967295.0))
        return udl_fail(UDL_EFORMAT, "%s: the autoencoder header block is inconsistent", path);
    *p = udl_ae_params_default();
    p->n_visible = (size_t)v[0];
    p->n_hidden = (size_t)v[1];
    p->linear = (int)v[2];
    p->loss = (udl_ae_loss)(int)v[3];
    p->noise = (udl_ae_noise)(int)v[4];
    p->noise_level = v[5];
    p->epochs = (size_t)v[6];
    p->batch_size = (size_t)v[7];
    p->sgd.learning_rate = v[8];
    p->sgd.momentum = v[9];
    p->sgd.weight_decay = v[10];
    p->sgd.nesterov = (int)v[11];
    p->seed = (uint64_t)v[12] << 32 | (uint64_t)v[13];
    if (check_params(p))
        return udl_fail(UDL_EFORMAT, "%s: the autoencoder parameters are invalid: %s", path,
                        udl_last_error());
    return UDL_OK;
}

void udl_ae_to_blocks(const udl_ae *ae, const char *prefix, char names[][64], double *info,
                      udl_block *blocks)
{
    static const char *const suffix[UDL_AE_BLOCKS] = {"info", "W", "b", "c", "history"};
    const size_t d = ae->p.n_visible, m = ae->p.n_hidden;
    params_to_info(&ae->p, info);
    const udl_block b[UDL_AE_BLOCKS] = {
        {NULL, 1, UDL_AE_INFO_LEN, info}, {NULL, d, m, ae->w}, {NULL, 1, m, ae->b},
        {NULL, 1, d, ae->c}, {NULL, 1, ae->n_history, ae->history},
    };
    for (int k = 0; k < UDL_AE_BLOCKS; k++) {
        snprintf(names[k], 64, "%s%s", prefix, suffix[k]);
        blocks[k] = b[k];
        blocks[k].name = names[k];
    }
}

udl_status udl_ae_from_container(const udl_container *c, const char *prefix, const char *path,
                                 udl_ae **out)
{
    char names[UDL_AE_BLOCKS][64];
    static const char *const suffix[UDL_AE_BLOCKS] = {"info", "W", "b", "c", "history"};
    for (int k = 0; k < UDL_AE_BLOCKS; k++)
        snprintf(names[k], 64, "%s%s", prefix, suffix[k]);
    udl_block info, w, b, cb, hist;
    udl_ae_params p;
    udl_ae *ae = NULL;
    udl_status s;
    *out = NULL;
    if ((s = udl_container_get(c, names[0], 1, UDL_AE_INFO_LEN, &info)) ||
        (s = info_to_params(info.data, path, &p)) ||
        (s = udl_container_get(c, names[1], p.n_visible, p.n_hidden, &w)) ||
        (s = udl_container_get(c, names[2], 1, p.n_hidden, &b)) ||
        (s = udl_container_get(c, names[3], 1, p.n_visible, &cb)) ||
        (s = udl_container_get(c, names[4], 1, SIZE_MAX, &hist)))
        return s;
    if (!udl_all_finite(w.data, w.rows * w.cols) || !udl_all_finite(b.data, b.cols) ||
        !udl_all_finite(cb.data, cb.cols))
        return udl_fail(UDL_EFORMAT, "%s: the autoencoder holds non-finite weights", path);
    if ((s = udl_ae_create(&p, &ae)))
        return s;
    memcpy(ae->w, w.data, w.rows * w.cols * sizeof(double));
    memcpy(ae->b, b.data, b.cols * sizeof(double));
    memcpy(ae->c, cb.data, cb.cols * sizeof(double));
    if (hist.cols) {
        ae->history = udl_alloc(hist.cols, sizeof(double), "autoencoder history");
        if (!ae->history) {
            udl_ae_free(ae);
            return UDL_ENOMEM;
        }
        memcpy(ae->history, hist.data, hist.cols * sizeof(double));
        ae->n_history = hist.cols;
    }
    /* Continued training draws fresh, but repeatable, random numbers. */
    udl_rng_seed(&ae->rng, p.seed ^ (0x9e3779b97f4a7c15ULL * (ae->n_history + 1)));
    *out = ae;
    return UDL_OK;
}

UDL_API udl_status udl_ae_save(const udl_ae *ae, const char *path)
{
    if (!ae)
        return udl_fail(UDL_EINVAL, "autoencoder save: model is NULL");
    char names[UDL_AE_BLOCKS][64];
    double info[UDL_AE_INFO_LEN];
    udl_block blocks[UDL_AE_BLOCKS];
    udl_ae_to_blocks(ae, "", names, info, blocks);
    return udl_container_save(path, UDL_KIND_AUTOENCODER, blocks, UDL_AE_BLOCKS);
}

UDL_API udl_status udl_ae_load(const char *path, udl_ae **out)
{
    if (!out)
        return udl_fail(UDL_EINVAL, "autoencoder load: out is NULL");
    *out = NULL;
    udl_container *c;
    udl_status s = udl_container_load(path, UDL_KIND_AUTOENCODER, &c);
    if (s)
        return s;
    s = udl_ae_from_container(c, "", path, out);
    udl_container_free(c);
    return s;
}
