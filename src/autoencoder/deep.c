/* Deep autoencoder (Hinton & Salakhutdinov 2006): a greedily trained stack unrolled into
 * an encoder and a mirrored decoder with untied weights, fine-tuned end to end by
 * backpropagation of the reconstruction loss. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <udl/autoencoder.h>

#include "autoencoder/internal.h"
#include "core/container.h"
#include "core/error.h"
#include "core/rng.h"
#include "core/tensor.h"
#include "core/train.h"

#define MAX_DEPTH 64     /* layers of the unrolled net, 2L */
#define BLOCK_ROWS 1024  /* rows per pass outside training */

struct udl_deep_ae {
    udl_deep_ae_params p;
    size_t n_layers;                 /* 2L */
    size_t sizes[MAX_DEPTH + 1];     /* D, h1, ..., code, ..., h1, D */
    int output_linear;               /* the stack's first layer was linear */
    double *w[MAX_DEPTH], *b[MAX_DEPTH];   /* layer l: sizes[l] x sizes[l+1], sizes[l+1] */
    double *vw[MAX_DEPTH], *vb[MAX_DEPTH];
    double *gw[MAX_DEPTH], *gb[MAX_DEPTH];
    double *storage;
    udl_rng rng;
    double *history;
    size_t n_history;
};

/* Activations of every layer for up to `rows` rows, and two delta buffers. */
typedef struct workspace {
    size_t rows;
    double *act[MAX_DEPTH + 1]; /* act[l + 1]: output of layer l; the last holds logits */
    double *delta[2];
    double *storage;
} workspace;

/* ---- parameters and shape ------------------------------------------------------------ */

UDL_API udl_deep_ae_params udl_deep_ae_params_default(void)
{
    udl_deep_ae_params p;
    memset(&p, 0, sizeof p);
    p.linear_code = 1;
    p.loss = UDL_LOSS_CROSS_ENTROPY;
    p.epochs = 20;
    p.batch_size = 100;
    p.sgd = udl_sgd_params_default();
    p.sgd.learning_rate = 0.01;
    p.seed = 1;
    return p;
}

/* output_linear: the net's output layer is linear (its stack's first layer was). */
static udl_status check_params(const udl_deep_ae_params *p, int output_linear)
{
    if (!p)
        return udl_fail(UDL_EINVAL, "deep autoencoder: params is NULL");
    if (p->linear_code != 0 && p->linear_code != 1)
        return udl_fail(UDL_EINVAL, "deep autoencoder: linear_code must be 0 or 1, got %d",
                        p->linear_code);
    if (p->loss != UDL_LOSS_CROSS_ENTROPY && p->loss != UDL_LOSS_SQUARED)
        return udl_fail(UDL_EINVAL, "deep autoencoder: unknown loss %d", (int)p->loss);
    if (p->epochs == 0 || p->batch_size == 0 || p->batch_size > (1u << 20))
        return udl_fail(UDL_EINVAL, "deep autoencoder: epochs and batch_size must be positive "
                        "(batch_size at most 2^20), got %zu and %zu", p->epochs, p->batch_size);
    if (p->loss == UDL_LOSS_CROSS_ENTROPY && output_linear)
        return udl_fail(UDL_EINVAL, "deep autoencoder: a linear output layer needs the "
                        "squared loss");
    return udl_sgd_params_check(&p->sgd);
}

UDL_API void udl_deep_ae_free(udl_deep_ae *deep)
{
    if (!deep)
        return;
    free(deep->storage);
    free(deep->history);
    free(deep);
}

/* A deep autoencoder of the given sizes with zeroed parameters. */
static udl_status alloc_net(const udl_deep_ae_params *p, const size_t *sizes, size_t n_layers,
                            int output_linear, udl_deep_ae **out)
{
    udl_status s = check_params(p, output_linear);
    if (s)
        return s;
    udl_deep_ae *deep = udl_calloc(1, sizeof *deep, "deep autoencoder");
    if (!deep)
        return UDL_ENOMEM;
    deep->p = *p;
    deep->n_layers = n_layers;
    deep->output_linear = output_linear;
    memcpy(deep->sizes, sizes, (n_layers + 1) * sizeof(size_t));
    size_t total = 0;
    for (size_t l = 0; l < n_layers; l++)
        total += sizes[l] * sizes[l + 1] + sizes[l + 1];
    deep->storage = udl_calloc(3 * total, sizeof(double), "deep autoencoder parameters");
    if (!deep->storage) {
        free(deep);
        return UDL_ENOMEM;
    }
    double *at = deep->storage;
    double **slots[6] = {deep->w, deep->b, deep->vw, deep->vb, deep->gw, deep->gb};
    for (int k = 0; k < 3; k++)
        for (size_t l = 0; l < n_layers; l++) {
            slots[2 * k][l] = at;
            at += sizes[l] * sizes[l + 1];
            slots[2 * k + 1][l] = at;
            at += sizes[l + 1];
        }
    udl_rng_seed(&deep->rng, p->seed);
    *out = deep;
    return UDL_OK;
}

UDL_API udl_status udl_deep_ae_create(const udl_sae *stack, const udl_deep_ae_params *params,
                                      udl_deep_ae **out)
{
    if (!out)
        return udl_fail(UDL_EINVAL, "deep autoencoder: out is NULL");
    *out = NULL;
    size_t depth = udl_sae_n_layers(stack);
    if (depth == 0)
        return udl_fail(UDL_EINVAL, "deep autoencoder: the stack is NULL or empty");
    if (2 * depth > MAX_DEPTH)
        return udl_fail(UDL_EINVAL, "deep autoencoder: %zu layers is too deep", depth);
    size_t sizes[MAX_DEPTH + 1];
    for (size_t i = 0; i < depth; i++) {
        udl_ae_params lp = udl_ae_get_params(udl_sae_layer(stack, i));
        sizes[i] = sizes[2 * depth - i] = lp.n_visible;
        sizes[i + 1] = lp.n_hidden;
    }
    int output_linear = udl_ae_get_params(udl_sae_layer(stack, 0)).linear;
    udl_deep_ae *deep;
    udl_status s = alloc_net(params, sizes, 2 * depth, output_linear, &deep);
    if (s)
        return s;
    for (size_t i = 0; i < depth; i++) {
        const udl_ae *ae = udl_sae_layer(stack, i);
        const size_t d = sizes[i], m = sizes[i + 1], dec = 2 * depth - 1 - i;
        memcpy(deep->w[i], udl_ae_weights(ae), d * m * sizeof(double));
        memcpy(deep->b[i], udl_ae_hidden_bias(ae), m * sizeof(double));
        udl_mat wt = udl_mat_view(deep->w[dec], m, d); /* the decoder starts as W^T */
        for (size_t r = 0; r < m; r++)
            for (size_t c = 0; c < d; c++)
                wt.data[r * d + c] = udl_ae_weights(ae)[c * m + r];
        memcpy(deep->b[dec], udl_ae_visible_bias(ae), d * sizeof(double));
    }
    *out = deep;
    return UDL_OK;
}

static int linear_layer(const udl_deep_ae *deep, size_t l)
{
    if (l + 1 == deep->n_layers)
        return deep->output_linear;
    return deep->p.linear_code && l + 1 == deep->n_layers / 2;
}

/* ---- the forward computation --------------------------------------------------------- */

static udl_status workspace_alloc(const udl_deep_ae *deep, size_t rows, workspace *ws)
{
    size_t total = 0, widest = 0;
    for (size_t l = 1; l <= deep->n_layers; l++) {
        total += deep->sizes[l];
        widest = deep->sizes[l] > widest ? deep->sizes[l] : widest;
    }
    widest = deep->sizes[0] > widest ? deep->sizes[0] : widest;
    ws->rows = rows;
    ws->storage = udl_alloc(rows * (total + 2 * widest), sizeof(double),
                            "deep autoencoder activations");
    if (!ws->storage)
        return UDL_ENOMEM;
    double *at = ws->storage;
    for (size_t l = 1; l <= deep->n_layers; l++) {
        ws->act[l] = at;
        at += rows * deep->sizes[l];
    }
    ws->delta[0] = at;
    ws->delta[1] = at + rows * widest;
    return UDL_OK;
}

static udl_mat act(const udl_deep_ae *deep, const workspace *ws, size_t l, size_t rows)
{
    return udl_mat_view(ws->act[l], rows, deep->sizes[l]);
}

/* Layers [0, upto) on x (at most ws->rows rows). The output layer keeps its
 * pre-activations (logits), which the loss takes. */
static void forward(const udl_deep_ae *deep, workspace *ws, udl_mat x, size_t upto)
{
    udl_mat in = x;
    for (size_t l = 0; l < upto; l++) {
        udl_mat out = act(deep, ws, l + 1, x.rows);
        udl_mat w = udl_mat_view(deep->w[l], deep->sizes[l], deep->sizes[l + 1]);
        udl_gemm(UDL_NOTRANS, UDL_NOTRANS, 1.0, in, w, 0.0, out);
        udl_add_row_vector(out, deep->b[l], 1.0, out);
        if (!linear_layer(deep, l) && l + 1 < deep->n_layers)
            udl_sigmoid(out, out);
        in = out;
    }
}

/* ---- the gradient ------------------------------------------------------------------------ */

typedef struct trainer {
    udl_deep_ae *deep;
    workspace ws;
} trainer;

static udl_status batch_gradient(void *model, udl_mat x, udl_mat y, double *loss)
{
    (void)y;
    trainer *t = model;
    udl_deep_ae *deep = t->deep;
    workspace *ws = &t->ws;
    const size_t n = x.rows, L = deep->n_layers;
    forward(deep, ws, x, L);
    udl_mat delta = udl_mat_view(ws->delta[0], n, deep->sizes[L]);
    *loss = udl_ae_output_loss(deep->p.loss, deep->output_linear, act(deep, ws, L, n), x,
                               &delta, (double)n) / (double)n;
    for (size_t l = L; l-- > 0;) {
        udl_mat in = l ? act(deep, ws, l, n) : x;
        udl_mat w = udl_mat_view(deep->w[l], deep->sizes[l], deep->sizes[l + 1]);
        udl_mat gw = udl_mat_view(deep->gw[l], deep->sizes[l], deep->sizes[l + 1]);
        udl_gemm(UDL_TRANS, UDL_NOTRANS, 1.0, in, delta, 0.0, gw);
        udl_col_sums(delta, deep->gb[l]);
        if (l == 0)
            break;
        udl_mat below = udl_mat_view(ws->delta[(L - l) % 2], n, deep->sizes[l]);
        udl_gemm(UDL_NOTRANS, UDL_TRANS, 1.0, delta, w, 0.0, below);
        if (!linear_layer(deep, l - 1))
            udl_sigmoid_backward(in, below);
        delta = below;
    }
    return UDL_OK;
}

udl_status udl_deep_ae_gradient(udl_deep_ae *deep, udl_mat x, double *loss)
{
    trainer t = {deep, {0}};
    udl_status s = workspace_alloc(deep, x.rows, &t.ws);
    if (!s)
        s = batch_gradient(&t, x, udl_mat_view(NULL, x.rows, 0), loss);
    free(t.ws.storage);
    return s;
}

void udl_deep_ae_layer(udl_deep_ae *deep, size_t l, double **w, double **b, double **gw,
                       double **gb)
{
    *w = deep->w[l];
    *b = deep->b[l];
    *gw = deep->gw[l];
    *gb = deep->gb[l];
}

/* ---- training and use ------------------------------------------------------------------ */

static udl_status check_data(const udl_deep_ae *deep, udl_mat x, const char *name)
{
    return udl_ae_check_input(x, deep->sizes[0], deep->p.loss, name);
}

UDL_API udl_status udl_deep_ae_train(udl_deep_ae *deep, udl_mat x, udl_progress_fn progress,
                                     void *user)
{
    if (!deep)
        return udl_fail(UDL_EINVAL, "deep autoencoder: model is NULL");
    udl_status s = check_data(deep, x, "deep autoencoder: X");
    if (s)
        return s;
    double *history =
        realloc(deep->history, (deep->n_history + deep->p.epochs) * sizeof(double));
    if (!history)
        return udl_fail(UDL_ENOMEM, "deep autoencoder: no memory for the cost history");
    deep->history = history;
    trainer t = {deep, {0}};
    if ((s = workspace_alloc(deep, deep->p.batch_size, &t.ws)))
        return s;
    udl_param_block blocks[2 * MAX_DEPTH];
    for (size_t l = 0; l < deep->n_layers; l++) {
        blocks[2 * l] = (udl_param_block){deep->w[l], deep->vw[l], deep->gw[l],
                                          deep->sizes[l] * deep->sizes[l + 1], 1};
        blocks[2 * l + 1] = (udl_param_block){deep->b[l], deep->vb[l], deep->gb[l],
                                              deep->sizes[l + 1], 0};
    }
    udl_train_spec spec = {x, udl_mat_view(NULL, x.rows, 0), deep->p.epochs,
                           deep->p.batch_size, deep->p.sgd, blocks, 2 * deep->n_layers,
                           batch_gradient, &t, &deep->rng, "deep autoencoder", progress, user,
                           history + deep->n_history};
    size_t done = 0;
    s = udl_train(&spec, &done);
    deep->n_history += done;
    free(t.ws.storage);
    return s;
}

/* Runs x through layers [0, upto) in blocks, handing each block's last activations to
 * fn. */
typedef void (*block_fn)(const udl_deep_ae *deep, udl_mat x, udl_mat top, size_t first,
                         void *user);

static udl_status for_blocks(const udl_deep_ae *deep, udl_mat x, size_t upto, block_fn fn,
                             void *user)
{
    workspace ws;
    udl_status s = workspace_alloc(deep, BLOCK_ROWS, &ws);
    if (s)
        return s;
    for (size_t first = 0; first < x.rows; first += BLOCK_ROWS) {
        udl_mat xb = udl_mat_rows(x, first, BLOCK_ROWS);
        forward(deep, &ws, xb, upto);
        fn(deep, xb, act(deep, &ws, upto, xb.rows), first, user);
    }
    free(ws.storage);
    return UDL_OK;
}

static void store_rows(const udl_deep_ae *deep, udl_mat x, udl_mat top, size_t first,
                       void *user)
{
    (void)deep, (void)x;
    udl_mat_copy(top, udl_mat_rows(*(udl_mat *)user, first, top.rows));
}

static void store_output(const udl_deep_ae *deep, udl_mat x, udl_mat logits, size_t first,
                         void *user)
{
    (void)x;
    udl_mat out = udl_mat_rows(*(udl_mat *)user, first, logits.rows);
    if (deep->output_linear)
        udl_mat_copy(logits, out);
    else
        udl_sigmoid(logits, out);
}

UDL_API udl_status udl_deep_ae_encode(const udl_deep_ae *deep, udl_mat x, udl_mat z)
{
    if (!deep)
        return udl_fail(UDL_EINVAL, "deep autoencoder: model is NULL");
    const size_t code = deep->n_layers / 2;
    udl_status s = check_data(deep, x, "deep autoencoder encode: X");
    if (s || (s = udl_ae_check_output(x, z, deep->sizes[code], "deep autoencoder encode: Z")))
        return s;
    return for_blocks(deep, x, code, store_rows, &z);
}

UDL_API udl_status udl_deep_ae_reconstruct(const udl_deep_ae *deep, udl_mat x, udl_mat xhat)
{
    if (!deep)
        return udl_fail(UDL_EINVAL, "deep autoencoder: model is NULL");
    udl_status s = check_data(deep, x, "deep autoencoder reconstruct: X");
    if (s || (s = udl_ae_check_output(x, xhat, deep->sizes[0], "deep autoencoder reconstruct: X^")))
        return s;
    return for_blocks(deep, x, deep->n_layers, store_output, &xhat);
}

static void add_loss(const udl_deep_ae *deep, udl_mat x, udl_mat logits, size_t first,
                     void *user)
{
    (void)first;
    *(double *)user +=
        udl_ae_output_loss(deep->p.loss, deep->output_linear, logits, x, NULL, 1.0);
}

UDL_API udl_status udl_deep_ae_cost(const udl_deep_ae *deep, udl_mat x, double *cost)
{
    if (!deep || !cost)
        return udl_fail(UDL_EINVAL, "deep autoencoder cost: model or cost is NULL");
    udl_status s = check_data(deep, x, "deep autoencoder cost: X");
    if (s)
        return s;
    if (x.rows == 0)
        return udl_fail(UDL_EINVAL, "deep autoencoder cost: X has no rows");
    double sum = 0.0;
    if ((s = for_blocks(deep, x, deep->n_layers, add_loss, &sum)))
        return s;
    *cost = sum / (double)x.rows;
    return UDL_OK;
}

UDL_API udl_deep_ae_params udl_deep_ae_get_params(const udl_deep_ae *deep)
{
    return deep ? deep->p : udl_deep_ae_params_default();
}

UDL_API udl_status udl_deep_ae_set_params(udl_deep_ae *deep, const udl_deep_ae_params *params)
{
    if (!deep)
        return udl_fail(UDL_EINVAL, "deep autoencoder: model is NULL");
    udl_status s = check_params(params, deep->output_linear);
    if (s)
        return s;
    if (params->linear_code != deep->p.linear_code)
        return udl_fail(UDL_EINVAL, "deep autoencoder: linear_code is fixed when the stack is "
                        "unrolled (it is %d)", deep->p.linear_code);
    if (params->seed != deep->p.seed)
        udl_rng_seed(&deep->rng, params->seed);
    deep->p = *params;
    return UDL_OK;
}

UDL_API const double *udl_deep_ae_history(const udl_deep_ae *deep, size_t *n_epochs)
{
    if (n_epochs)
        *n_epochs = deep ? deep->n_history : 0;
    return deep ? deep->history : NULL;
}

UDL_API const size_t *udl_deep_ae_sizes(const udl_deep_ae *deep, size_t *n_sizes)
{
    if (n_sizes)
        *n_sizes = deep ? deep->n_layers + 1 : 0;
    return deep ? deep->sizes : NULL;
}

/* ---- files ----------------------------------------------------------------------------------- */

enum { INFO_LEN = 13 };

UDL_API udl_status udl_deep_ae_save(const udl_deep_ae *deep, const char *path)
{
    if (!deep)
        return udl_fail(UDL_EINVAL, "deep autoencoder save: model is NULL");
    const udl_deep_ae_params *p = &deep->p;
    double info[INFO_LEN] = {(double)deep->n_layers, deep->output_linear, p->linear_code,
                             (double)p->loss, (double)p->epochs, (double)p->batch_size,
                             p->sgd.learning_rate, p->sgd.momentum, p->sgd.weight_decay,
                             p->sgd.nesterov, (double)(p->seed >> 32),
                             (double)(p->seed & 0xffffffffu), 0.0};
    double sizes[MAX_DEPTH + 1];
    for (size_t l = 0; l <= deep->n_layers; l++)
        sizes[l] = (double)deep->sizes[l];
    udl_block blocks[3 + 2 * MAX_DEPTH];
    char names[2 * MAX_DEPTH][24];
    blocks[0] = (udl_block){"info", 1, INFO_LEN, info};
    blocks[1] = (udl_block){"sizes", 1, deep->n_layers + 1, sizes};
    blocks[2] = (udl_block){"history", 1, deep->n_history, deep->history};
    for (size_t l = 0; l < deep->n_layers; l++) {
        snprintf(names[2 * l], 24, "W%zu", l);
        snprintf(names[2 * l + 1], 24, "b%zu", l);
        blocks[3 + 2 * l] = (udl_block){names[2 * l], deep->sizes[l], deep->sizes[l + 1],
                                        deep->w[l]};
        blocks[4 + 2 * l] = (udl_block){names[2 * l + 1], 1, deep->sizes[l + 1], deep->b[l]};
    }
    return udl_container_save(path, UDL_KIND_DEEP_AUTOENCODER, blocks,
                              3 + 2 * deep->n_layers);
}

static int whole(double v, double max) { return v >= 0 && v <= max && v == floor(v); }

UDL_API udl_status udl_deep_ae_load(const char *path, udl_deep_ae **out)
{
    if (!out)
        return udl_fail(UDL_EINVAL, "deep autoencoder load: out is NULL");
    *out = NULL;
    udl_container *c;
    udl_status s = udl_container_load(path, UDL_KIND_DEEP_AUTOENCODER, &c);
    if (s)
        return s;
    udl_block info, sizes_block, hist;
    udl_deep_ae *deep = NULL;
    size_t sizes[MAX_DEPTH + 1], n_layers = 0;
    if ((s = udl_container_get(c, "info", 1, INFO_LEN, &info)))
        goto done;
    const double *v = info.data;
    if (!udl_all_finite(v, INFO_LEN) || !whole(v[0], MAX_DEPTH) || v[0] < 2 ||
        (size_t)v[0] % 2 || !whole(v[1], 1) || !whole(v[2], 1) || !whole(v[3], 1) ||
        !whole(v[4], 1e15) || !whole(v[5], 1 << 20) || !whole(v[9], 1) ||
        !whole(v[10], 4294967295.0) || !whole(v[11], 4294967295.0)) {
        s = udl_fail(UDL_EFORMAT, "%s: the deep autoencoder header is inconsistent", path);
        goto done;
    }
    n_layers = (size_t)v[0];
    if ((s = udl_container_get(c, "sizes", 1, n_layers + 1, &sizes_block)) ||
        (s = udl_container_get(c, "history", 1, SIZE_MAX, &hist)))
        goto done;
    for (size_t l = 0; l <= n_layers; l++) {
        if (!whole(sizes_block.data[l], 1 << 24) || sizes_block.data[l] < 1) {
            s = udl_fail(UDL_EFORMAT, "%s: layer size %zu is invalid", path, l);
            goto done;
        }
        sizes[l] = (size_t)sizes_block.data[l];
    }
    udl_deep_ae_params p = udl_deep_ae_params_default();
    p.linear_code = (int)v[2];
    p.loss = (udl_ae_loss)(int)v[3];
    p.epochs = (size_t)v[4];
    p.batch_size = (size_t)v[5];
    p.sgd = (udl_sgd_params){v[6], v[7], v[8], (int)v[9]};
    p.seed = (uint64_t)v[10] << 32 | (uint64_t)v[11];
    if ((s = alloc_net(&p, sizes, n_layers, (int)v[1], &deep))) {
        s = udl_fail(UDL_EFORMAT, "%s: the deep autoencoder parameters are invalid", path);
        goto done;
    }
    for (size_t l = 0; l < n_layers && !s; l++) {
        char name[24];
        udl_block w, b;
        snprintf(name, sizeof name, "W%zu", l);
        if ((s = udl_container_get(c, name, sizes[l], sizes[l + 1], &w)))
            break;
        snprintf(name, sizeof name, "b%zu", l);
        if ((s = udl_container_get(c, name, 1, sizes[l + 1], &b)))
            break;
        if (!udl_all_finite(w.data, w.rows * w.cols) || !udl_all_finite(b.data, b.cols)) {
            s = udl_fail(UDL_EFORMAT, "%s: layer %zu holds non-finite weights", path, l);
            break;
        }
        memcpy(deep->w[l], w.data, w.rows * w.cols * sizeof(double));
        memcpy(deep->b[l], b.data, b.cols * sizeof(double));
    }
    if (!s && hist.cols) {
        if (!(deep->history = udl_alloc(hist.cols, sizeof(double), "history")))
            s = UDL_ENOMEM;
        else {
            memcpy(deep->history, hist.data, hist.cols * sizeof(double));
            deep->n_history = hist.cols;
        }
    }
    if (!s)
        udl_rng_seed(&deep->rng, p.seed ^ (0x9e3779b97f4a7c15ULL * (deep->n_history + 1)));
done:
    udl_container_free(c);
    if (s)
        udl_deep_ae_free(deep);
    else
        *out = deep;
    return s;
}
