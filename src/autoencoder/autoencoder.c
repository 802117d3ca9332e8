#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <udl/autoencoder.h>

#include "core/container.h"
#include "core/error.h"
#include "core/loss.h"
#include "core/model.h"
#include "core/net.h"
#include "core/rng.h"
#include "core/tensor.h"
#include "core/train.h"
#include "autoencoder/internal.h"

/* A tied autoencoder is a net of two layers: the encoder (W, b) and a decoder tied to
 * it (W^T, c). */
struct udl_ae {
    udl_ae_params p;
    udli_net *net;
    udli_net_ws ws;  /* batch scratch, grown when training needs it */
    double *noisy;  /* ws.rows x D: the corrupted input */
    udli_rng rng;
    udli_history history;
};

/* ---- parameters ----------------------------------------------------------------- */

UDL_API udl_ae_params udl_ae_params_default(void)
{
    udl_ae_params p;
    memset(&p, 0, sizeof p);
    p.loss = UDL_LOSS_CROSS_ENTROPY;
    p.noise = UDL_NOISE_NONE;
    p.noise_level = 0.3;
    p.train = udl_train_params_default();
    return p;
}

static udl_activation activation(const udl_ae_params *p)
{
    return p->linear ? UDL_ACT_LINEAR : UDL_ACT_SIGMOID;
}

static udl_status check_params(const udl_ae_params *p)
{
    if (!p)
        return udli_fail(UDL_EINVAL, "autoencoder: params is NULL");
    if (p->n_visible == 0 || p->n_hidden == 0)
        return udli_fail(UDL_EINVAL, "autoencoder: n_visible and n_hidden must be positive, "
                         "got %zu and %zu", p->n_visible, p->n_hidden);
    if (p->n_visible > UDL_MAX_WIDTH || p->n_hidden > UDL_MAX_WIDTH)
        return udli_fail(UDL_EINVAL, "autoencoder: %zu x %zu weights is too many",
                         p->n_visible, p->n_hidden);
    if (p->linear != 0 && p->linear != 1)
        return udli_fail(UDL_EINVAL, "autoencoder: linear must be 0 or 1, got %d", p->linear);
    if (p->loss != UDL_LOSS_CROSS_ENTROPY && p->loss != UDL_LOSS_SQUARED)
        return udli_fail(UDL_EINVAL, "autoencoder: the loss must be cross-entropy or squared, "
                         "got %d", (int)p->loss);
    udl_status s = udli_loss_check(p->loss, activation(p), "autoencoder");
    if (s)
        return s;
    if (p->noise == UDL_NOISE_MASK && !(p->noise_level >= 0.0 && p->noise_level < 1.0))
        return udli_fail(UDL_EINVAL, "autoencoder: the masking probability noise_level must be "
                         "in [0, 1), got %g", p->noise_level);
    if (p->noise == UDL_NOISE_GAUSSIAN && !(p->noise_level > 0.0 && isfinite(p->noise_level)))
        return udli_fail(UDL_EINVAL, "autoencoder: the Gaussian noise_level (sigma) must be > 0, "
                         "got %g", p->noise_level);
    if (p->noise != UDL_NOISE_NONE && p->noise != UDL_NOISE_MASK &&
        p->noise != UDL_NOISE_GAUSSIAN)
        return udli_fail(UDL_EINVAL, "autoencoder: unknown noise %d", (int)p->noise);
    if ((s = udl_train_params_check(&p->train)))
        return udli_fail(s, "autoencoder: %s", udl_last_error());
    return UDL_OK;
}

UDL_API void udl_ae_free(udl_ae *ae)
{
    if (!ae)
        return;
    udli_net_free(ae->net);
    udli_net_ws_free(&ae->ws);
    free(ae->noisy);
    udli_history_free(&ae->history);
    free(ae);
}

/* Batch scratch for at least rows rows. Made when training starts, not with the model:
 * a loaded model that is only used to encode never pays for a batch of 2^20 rows. */
static udl_status ensure_batch(udl_ae *ae, size_t rows)
{
    if (ae->ws.storage && ae->ws.rows >= rows)
        return UDL_OK;
    udli_net_ws ws;
    udl_status s = udli_net_ws_alloc(ae->net, rows, &ws);
    if (s)
        return s;
    double *noisy = udli_alloc(rows, ae->p.n_visible * sizeof(double), "autoencoder batch");
    if (!noisy) {
        udli_net_ws_free(&ws);
        return UDL_ENOMEM;
    }
    udli_net_ws_free(&ae->ws);
    free(ae->noisy);
    ae->ws = ws;
    ae->noisy = noisy;
    return UDL_OK;
}

/* A model with zero weights. */
static udl_status alloc_ae(const udl_ae_params *p, udl_ae **out)
{
    udl_status s = check_params(p);
    if (s)
        return s;
    udl_ae *ae = udli_calloc(1, sizeof *ae, "autoencoder");
    if (!ae)
        return UDL_ENOMEM;
    ae->p = *p;
    const size_t sizes[3] = {p->n_visible, p->n_hidden, p->n_visible};
    const udl_activation act[2] = {activation(p), activation(p)};
    const int tied[2] = {-1, 0};
    if ((s = udli_net_create(sizes, act, tied, 2, &ae->net))) {
        udl_ae_free(ae);
        return s;
    }
    udli_rng_seed(&ae->rng, p->train.seed);
    *out = ae;
    return UDL_OK;
}

UDL_API udl_status udl_ae_create(const udl_ae_params *params, udl_ae **out)
{
    if (!out)
        return udli_fail(UDL_EINVAL, "autoencoder: out is NULL");
    *out = NULL;
    udl_ae *ae;
    udl_status s = alloc_ae(params, &ae);
    if (s)
        return s;
    const size_t d = params->n_visible, m = params->n_hidden;
    const double scale = 1.0 / sqrt((double)(d + m));
    for (size_t i = 0; i < d * m; i++)
        ae->net->w[0][i] = scale * udli_rng_normal(&ae->rng);
    *out = ae;
    return UDL_OK;
}

UDL_API udl_status udl_ae_set_params(udl_ae *ae, const udl_ae_params *params)
{
    if (!ae)
        return udli_fail(UDL_EINVAL, "autoencoder: model is NULL");
    udl_status s = check_params(params);
    if (s)
        return s;
    if (params->n_visible != ae->p.n_visible || params->n_hidden != ae->p.n_hidden ||
        params->linear != ae->p.linear)
        return udli_fail(UDL_EINVAL, "autoencoder: n_visible, n_hidden and linear are fixed "
                         "(%zu, %zu, %d)", ae->p.n_visible, ae->p.n_hidden, ae->p.linear);
    if (params->train.seed != ae->p.train.seed)
        udli_rng_seed(&ae->rng, params->train.seed);
    ae->p = *params;
    return UDL_OK;
}

/* ---- the gradient ------------------------------------------------------------------- */

void udli_ae_corrupt(udl_ae *ae, udl_mat x, udl_mat noisy)
{
    const double level = ae->p.noise_level;
    for (size_t i = 0; i < x.rows; i++)
        for (size_t j = 0; j < x.cols; j++) {
            double v = x.data[i * x.ld + j];
            if (ae->p.noise == UDL_NOISE_MASK)
                v = udli_rng_bernoulli(&ae->rng, level) ? 0.0 : v;
            else
                v += level * udli_rng_normal(&ae->rng);
            noisy.data[i * noisy.ld + j] = v;
        }
}

/* Mean loss and its gradient with respect to W, b and c (the tied W collects both the
 * encoder's and the decoder's terms). */
udl_status udli_ae_gradient(udl_ae *ae, udl_mat input, udl_mat target, double *loss)
{
    const size_t n = input.rows;
    udl_status s = ensure_batch(ae, n);
    if (s)
        return s;
    udl_mat out = udli_net_forward(ae->net, &ae->ws, input, 2);
    udl_mat delta = udli_net_delta(&ae->ws, n, out.cols);
    *loss = udli_loss_eval(ae->p.loss, activation(&ae->p), out, target, &delta, (double)n) /
            (double)n;
    udli_net_backward(ae->net, &ae->ws, input, 2, delta, NULL);
    return UDL_OK;
}

udl_status udli_ae_batch(void *model, udl_mat x, udl_mat y, double *loss)
{
    (void)y;
    udl_ae *ae = model;
    udl_mat input = x;
    if (ae->p.noise != UDL_NOISE_NONE) {
        udl_status s = ensure_batch(ae, x.rows);
        if (s)
            return s;
        input = udl_mat_view(ae->noisy, x.rows, x.cols);
        udli_ae_corrupt(ae, x, input);
    }
    return udli_ae_gradient(ae, input, x, loss);
}

void udli_ae_gradients(const udl_ae *ae, const double **gw, const double **gb,
                       const double **gc)
{
    *gw = ae->net->gw[0];
    *gb = ae->net->gb[0];
    *gc = ae->net->gb[1];
}

/* ---- training ------------------------------------------------------------------------ */

udl_status udli_ae_check_input(udl_mat x, size_t cols, udl_loss loss, const char *name)
{
    udl_status s = udli_mat_check_data(x, cols, name);
    return s ? s : udli_loss_check_targets(loss, x, name);
}

static udl_status check_data(const udl_ae *ae, udl_mat x, const char *name)
{
    return udli_ae_check_input(x, ae->p.n_visible, ae->p.loss, name);
}

UDL_API udl_status udl_ae_train(udl_ae *ae, udl_mat x, udl_progress_fn progress, void *user)
{
    if (!ae)
        return udli_fail(UDL_EINVAL, "autoencoder: model is NULL");
    udl_status s = check_data(ae, x, "autoencoder: X");
    if (s || (x.rows && (s = ensure_batch(ae, x.rows < ae->p.train.batch_size
                                                  ? x.rows : ae->p.train.batch_size))))
        return s;
    udli_param_block blocks[4];
    size_t n_blocks = udli_net_blocks(ae->net, blocks);
    udli_train_spec spec = {.x = x, .params = ae->p.train, .blocks = blocks,
                            .n_blocks = n_blocks, .batch = udli_ae_batch, .model = ae,
                            .rng = &ae->rng, .stage = "autoencoder", .progress = progress,
                            .user = user, .history = &ae->history};
    return udli_train(&spec, NULL);
}

/* ---- using the model --------------------------------------------------------------- */

UDL_API udl_status udl_ae_encode(const udl_ae *ae, udl_mat x, udl_mat z)
{
    if (!ae)
        return udli_fail(UDL_EINVAL, "autoencoder: model is NULL");
    udl_status s = check_data(ae, x, "autoencoder encode: X");
    if (s || (s = udli_mat_check_output(z, x.rows, ae->p.n_hidden, "autoencoder encode: Z")))
        return s;
    return udli_net_apply(ae->net, x, 1, 0, z);
}

UDL_API udl_status udl_ae_reconstruct(const udl_ae *ae, udl_mat x, udl_mat xhat)
{
    if (!ae)
        return udli_fail(UDL_EINVAL, "autoencoder: model is NULL");
    udl_status s = check_data(ae, x, "autoencoder reconstruct: X");
    if (s || (s = udli_mat_check_output(xhat, x.rows, x.cols, "autoencoder reconstruct: X^")))
        return s;
    return udli_net_apply(ae->net, x, 2, 1, xhat);
}

UDL_API udl_status udl_ae_cost(const udl_ae *ae, udl_mat x, double *cost)
{
    if (!ae || !cost)
        return udli_fail(UDL_EINVAL, "autoencoder cost: model or cost is NULL");
    udl_status s = check_data(ae, x, "autoencoder cost: X");
    if (s)
        return s;
    if (x.rows == 0)
        return udli_fail(UDL_EINVAL, "autoencoder cost: X has no rows");
    double sum;
    if ((s = udli_net_loss(ae->net, ae->p.loss, x, x, &sum)))
        return s;
    *cost = sum / (double)x.rows;
    return UDL_OK;
}

UDL_API const double *udl_ae_history(const udl_ae *ae, size_t *n_epochs)
{
    if (n_epochs)
        *n_epochs = ae ? ae->history.n : 0;
    return ae ? ae->history.loss : NULL;
}

UDL_API udl_ae_params udl_ae_get_params(const udl_ae *ae)
{
    return ae ? ae->p : udl_ae_params_default();
}

UDL_API const double *udl_ae_weights(const udl_ae *ae) { return ae ? ae->net->w[0] : NULL; }
UDL_API const double *udl_ae_hidden_bias(const udl_ae *ae) { return ae ? ae->net->b[0] : NULL; }
UDL_API const double *udl_ae_visible_bias(const udl_ae *ae) { return ae ? ae->net->b[1] : NULL; }

/* ---- files ------------------------------------------------------------------------------ */

void udli_ae_record(const udl_ae *ae, udli_record *r)
{
    const udl_ae_params *p = &ae->p;
    udli_record_u64(r, "n_visible", p->n_visible);
    udli_record_u64(r, "n_hidden", p->n_hidden);
    udli_record_u64(r, "linear", (uint64_t)p->linear);
    udli_record_u64(r, "loss", (uint64_t)p->loss);
    udli_record_u64(r, "noise", (uint64_t)p->noise);
    udli_record_f64(r, "noise_level", p->noise_level);
    udli_train_params_record(&p->train, r);
    udli_record_matrix(r, "W", p->n_visible, p->n_hidden, ae->net->w[0]);
    udli_record_matrix(r, "b", 1, p->n_hidden, ae->net->b[0]);
    udli_record_matrix(r, "c", 1, p->n_visible, ae->net->b[1]);
    udli_history_record(&ae->history, "history", r);
}

udl_status udli_ae_read(udli_container *c, udl_ae **out)
{
    static const char *const v1[] = {"n_visible", "n_hidden", "linear", "loss", "noise",
                                     "noise_level", UDL_TRAIN_V1_NAMES};
    *out = NULL;
    udl_ae_params p = udl_ae_params_default();
    int linear, loss, noise;
    udli_block w, b, cb;
    udl_status s;
    if ((s = udli_container_upgrade(c, "info", v1, sizeof v1 / sizeof v1[0])) ||
        (s = udli_container_size(c, "n_visible", 1, UDL_MAX_WIDTH, &p.n_visible)) ||
        (s = udli_container_size(c, "n_hidden", 1, UDL_MAX_WIDTH, &p.n_hidden)) ||
        (s = udli_container_int(c, "linear", 0, 1, &linear)) ||
        (s = udli_container_int(c, "loss", 0, UDL_LOSS_SQUARED, &loss)) ||
        (s = udli_container_int(c, "noise", 0, UDL_NOISE_GAUSSIAN, &noise)) ||
        (s = udli_container_f64(c, "noise_level", 0.0, INFINITY, &p.noise_level)) ||
        (s = udli_train_params_read(c, &p.train)) ||
        (s = udli_container_matrix(c, "W", p.n_visible, p.n_hidden, &w)) ||
        (s = udli_container_matrix(c, "b", 1, p.n_hidden, &b)) ||
        (s = udli_container_matrix(c, "c", 1, p.n_visible, &cb)))
        return s;
    p.linear = linear;
    p.loss = (udl_loss)loss;
    p.noise = (udl_ae_noise)noise;
    if (check_params(&p))
        return udli_fail(UDL_EFORMAT, "%s: the autoencoder parameters are invalid: %s",
                         udli_container_path(c), udl_last_error());
    udl_ae *ae;
    if ((s = alloc_ae(&p, &ae)))
        return s;
    memcpy(ae->net->w[0], w.data, p.n_visible * p.n_hidden * sizeof(double));
    memcpy(ae->net->b[0], b.data, p.n_hidden * sizeof(double));
    memcpy(ae->net->b[1], cb.data, p.n_visible * sizeof(double));
    if ((s = udli_history_read(c, "history", &ae->history))) {
        udl_ae_free(ae);
        return s;
    }
    udli_rng_seed_resumed(&ae->rng, p.train.seed, ae->history.n);
    *out = ae;
    return UDL_OK;
}

UDL_API udl_status udl_ae_save(const udl_ae *ae, const char *path)
{
    if (!ae)
        return udli_fail(UDL_EINVAL, "autoencoder save: model is NULL");
    udli_record r;
    udli_record_init(&r);
    udli_ae_record(ae, &r);
    return udli_record_save(&r, path, UDL_KIND_AUTOENCODER);
}

UDL_API udl_status udl_ae_load(const char *path, udl_ae **out)
{
    if (!out)
        return udli_fail(UDL_EINVAL, "autoencoder load: out is NULL");
    return udli_kind_load(path, UDL_KIND_AUTOENCODER, (void **)out);
}

/* ---- the registry's row ---------------------------------------------------------------- */

static udl_status row_read(udli_container *c, void **m) { return udli_ae_read(c, (udl_ae **)m); }
static udl_status row_save(const void *m, const char *path) { return udl_ae_save(m, path); }
static void row_free(void *m) { udl_ae_free(m); }
static size_t row_inputs(const void *m) { return ((const udl_ae *)m)->p.n_visible; }
static size_t row_codes(const void *m) { return ((const udl_ae *)m)->p.n_hidden; }
static udl_status row_encode(const void *m, udl_mat x, udl_mat z)
{
    return udl_ae_encode(m, x, z);
}
static udl_status row_reconstruct(const void *m, udl_mat x, udl_mat xhat)
{
    return udl_ae_reconstruct(m, x, xhat);
}
static udl_status row_get_train(const void *m, udl_train_params *p)
{
    *p = ((const udl_ae *)m)->p.train;
    return UDL_OK;
}
static udl_status row_set_train(void *m, const udl_train_params *p)
{
    if (!p)
        return udli_fail(UDL_EINVAL, "autoencoder: training parameters are NULL");
    udl_ae_params params = ((udl_ae *)m)->p;
    params.train = *p;
    return udl_ae_set_params(m, &params);
}

const udli_net *udli_ae_net(const udl_ae *ae) { return ae->net; }

static udl_status row_net(const void *m, udli_net **out)
{
    const udli_net *net = ((const udl_ae *)m)->net;
    const size_t encoder = 0;
    return udli_net_gather(&net, &encoder, 1, out);
}

UDLI_CHOICE_NAMES(noise_choice, "none", "mask", "gaussian")

const udli_field_doc udli_ae_field_docs[] = {
    {"n_visible", "the inputs (visible units), D", NULL, NULL},
    {"n_hidden", "the code units (hidden units), M", NULL, NULL},
    {"linear", "1: identity activations; 0: sigmoid ones (act below)", NULL, NULL},
    {"loss", "the reconstruction loss", udli_loss_choice, NULL},
    {"noise", "the corruption of the inputs while training (a denoising autoencoder)",
     noise_choice, NULL},
    {"noise_level", "the masking probability or the Gaussian noise's deviation", NULL, NULL},
    {"W", "the weights, inputs x codes (D x M), shared by encoder and decoder: codes "
          "H = act(X W + b), reconstruction act(H W^T + c)", NULL, NULL},
    {"b", "the biases of the codes (hidden units), 1 x M", NULL, NULL},
    {"c", "the biases of the reconstruction (visible units), 1 x D", NULL, NULL},
    {"info", "format 1: the scalars above by position (each also given by its name)", NULL,
     NULL},
    {"", NULL, NULL, udli_train_field_docs},
    {NULL, NULL, NULL, NULL}};

const udli_kind_row udli_ae_row = {
    UDL_KIND_AUTOENCODER, "ae", "autoencoder", row_read, row_save, row_free, row_inputs,
    row_codes, NULL, row_encode, row_reconstruct, NULL, NULL, row_get_train, row_set_train,
    row_net, udli_ae_field_docs};
