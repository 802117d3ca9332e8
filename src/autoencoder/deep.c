/* Deep autoencoder (Hinton & Salakhutdinov 2006): a greedily trained stack unrolled into
 * an encoder and a mirrored decoder with untied weights, fine-tuned end to end by
 * backpropagation of the reconstruction loss. The net is the core engine's. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <udl/autoencoder.h>
#include <udl/rbm.h>

#include "autoencoder/internal.h"
#include "core/container.h"
#include "core/error.h"
#include "core/loss.h"
#include "core/model.h"
#include "core/net.h"
#include "core/rng.h"
#include "core/tensor.h"
#include "core/train.h"

#define MAX_DEPTH 64 /* layers of the unrolled net, 2L */

struct udl_deep_ae {
    udl_deep_ae_params p;
    udli_net *net;      /* 2L layers: sigmoid, but the code layer when linear_code and the
                          output layer when the stack's first layer was linear */
    udli_rng rng;
    udli_history history;
};

/* ---- parameters and shape ------------------------------------------------------------ */

UDL_API udl_deep_ae_params udl_deep_ae_params_default(void)
{
    udl_deep_ae_params p;
    memset(&p, 0, sizeof p);
    p.linear_code = 1;
    p.loss = UDL_LOSS_CROSS_ENTROPY;
    p.train = udl_train_params_default();
    p.train.sgd.learning_rate = 0.01;
    return p;
}

static udl_activation output_act(const udl_deep_ae *deep)
{
    return deep->net->act[deep->net->n_layers - 1];
}

/* output: the net's output activation (linear when its stack's first layer was). */
static udl_status check_params(const udl_deep_ae_params *p, udl_activation output)
{
    if (!p)
        return udli_fail(UDL_EINVAL, "deep autoencoder: params is NULL");
    if (p->linear_code != 0 && p->linear_code != 1)
        return udli_fail(UDL_EINVAL, "deep autoencoder: linear_code must be 0 or 1, got %d",
                         p->linear_code);
    if (p->loss != UDL_LOSS_CROSS_ENTROPY && p->loss != UDL_LOSS_SQUARED)
        return udli_fail(UDL_EINVAL, "deep autoencoder: the loss must be cross-entropy or "
                         "squared, got %d", (int)p->loss);
    udl_status s = udli_loss_check(p->loss, output, "deep autoencoder");
    if (s)
        return s;
    if ((s = udl_train_params_check(&p->train)))
        return udli_fail(s, "deep autoencoder: %s", udl_last_error());
    return UDL_OK;
}

UDL_API void udl_deep_ae_free(udl_deep_ae *deep)
{
    if (!deep)
        return;
    udli_net_free(deep->net);
    udli_history_free(&deep->history);
    free(deep);
}

/* The activations of an unrolled net of n_layers (even) layers. */
static void unrolled_act(size_t n_layers, int linear_code, int output_linear,
                         udl_activation *act)
{
    for (size_t l = 0; l < n_layers; l++)
        act[l] = UDL_ACT_SIGMOID;
    if (linear_code)
        act[n_layers / 2 - 1] = UDL_ACT_LINEAR;
    if (output_linear)
        act[n_layers - 1] = UDL_ACT_LINEAR;
}

/* A deep autoencoder around net (taken over, also on failure). */
static udl_status wrap(const udl_deep_ae_params *p, udli_net *net, udl_deep_ae **out)
{
    udl_status s = check_params(p, net->act[net->n_layers - 1]);
    udl_deep_ae *deep = s ? NULL : udli_calloc(1, sizeof *deep, "deep autoencoder");
    if (!deep) {
        udli_net_free(net);
        return s ? s : UDL_ENOMEM;
    }
    deep->p = *p;
    deep->net = net;
    udli_rng_seed(&deep->rng, p->train.seed);
    *out = deep;
    return UDL_OK;
}

/* One layer of a stack to unroll: W (d x m), its hidden and visible biases. */
typedef struct stack_layer {
    size_t d, m;
    const double *w, *hidden_bias, *visible_bias;
} stack_layer;

/* Unrolls depth stack layers into an encoder (W, hidden bias) and a mirrored decoder
 * with untied copies (W^T, visible bias). */
static udl_status unroll(const stack_layer *layers, size_t depth, int output_linear,
                         const udl_deep_ae_params *params, udl_deep_ae **out)
{
    if (2 * depth > MAX_DEPTH)
        return udli_fail(UDL_EINVAL, "deep autoencoder: %zu layers is too deep", depth);
    size_t sizes[MAX_DEPTH + 1];
    for (size_t i = 0; i < depth; i++) {
        sizes[i] = sizes[2 * depth - i] = layers[i].d;
        sizes[i + 1] = layers[i].m;
    }
    udl_activation act[MAX_DEPTH];
    unrolled_act(2 * depth, params ? params->linear_code : 0, output_linear, act);
    udli_net *net;
    udl_status s = udli_net_create(sizes, act, NULL, 2 * depth, &net);
    if (s)
        return s;
    for (size_t i = 0; i < depth; i++) {
        const stack_layer *L = &layers[i];
        const size_t dec = 2 * depth - 1 - i;
        memcpy(net->w[i], L->w, L->d * L->m * sizeof(double));
        memcpy(net->b[i], L->hidden_bias, L->m * sizeof(double));
        /* the decoder starts as W^T */
        udli_mat_transpose(udl_mat_view((double *)L->w, L->d, L->m),
                           udl_mat_view(net->w[dec], L->m, L->d));
        memcpy(net->b[dec], L->visible_bias, L->d * sizeof(double));
    }
    return wrap(params, net, out);
}

UDL_API udl_status udl_deep_ae_create(const udl_sae *stack, const udl_deep_ae_params *params,
                                      udl_deep_ae **out)
{
    if (!out)
        return udli_fail(UDL_EINVAL, "deep autoencoder: out is NULL");
    *out = NULL;
    size_t depth = udl_sae_n_layers(stack);
    if (depth == 0)
        return udli_fail(UDL_EINVAL, "deep autoencoder: the stack is NULL or empty");
    stack_layer layers[MAX_DEPTH];
    for (size_t i = 0; i < depth && i < MAX_DEPTH; i++) {
        const udl_ae *ae = udl_sae_layer(stack, i);
        udl_ae_params lp = udl_ae_get_params(ae);
        layers[i] = (stack_layer){lp.n_visible, lp.n_hidden, udl_ae_weights(ae),
                                  udl_ae_hidden_bias(ae), udl_ae_visible_bias(ae)};
    }
    return unroll(layers, depth, udl_ae_get_params(udl_sae_layer(stack, 0)).linear, params,
                  out);
}

UDL_API udl_status udl_deep_ae_create_from_dbn(const udl_dbn *dbn,
                                               const udl_deep_ae_params *params,
                                               udl_deep_ae **out)
{
    if (!out)
        return udli_fail(UDL_EINVAL, "deep autoencoder: out is NULL");
    *out = NULL;
    size_t depth = udl_dbn_n_layers(dbn);
    if (depth == 0)
        return udli_fail(UDL_EINVAL, "deep autoencoder: the deep belief net is NULL or empty");
    stack_layer layers[MAX_DEPTH];
    for (size_t i = 0; i < depth && i < MAX_DEPTH; i++) {
        const udl_rbm *rbm = udl_dbn_layer(dbn, i);
        udl_rbm_params rp = udl_rbm_get_params(rbm);
        layers[i] = (stack_layer){rp.n_visible, rp.n_hidden, udl_rbm_weights(rbm),
                                  udl_rbm_hidden_bias(rbm), udl_rbm_visible_bias(rbm)};
    }
    /* Gaussian visibles reconstruct linearly; a Gaussian top layer is the linear code */
    const udl_rbm_params bottom = udl_rbm_get_params(udl_dbn_layer(dbn, 0));
    const udl_rbm_params top = udl_rbm_get_params(udl_dbn_layer(dbn, depth - 1));
    if (!params)
        return udli_fail(UDL_EINVAL, "deep autoencoder: params is NULL");
    udl_deep_ae_params p = *params;
    p.linear_code = top.hidden == UDL_UNITS_GAUSSIAN;
    return unroll(layers, depth, bottom.visible == UDL_UNITS_GAUSSIAN, &p, out);
}

/* ---- the gradient ------------------------------------------------------------------------ */

typedef struct trainer {
    udl_deep_ae *deep;
    udli_net_ws ws;
} trainer;

static udl_status batch_gradient(void *model, udl_mat x, udl_mat y, double *loss)
{
    (void)y;
    trainer *t = model;
    udli_net *net = t->deep->net;
    const size_t n = x.rows, L = net->n_layers;
    udl_mat out = udli_net_forward(net, &t->ws, x, L);
    udl_mat delta = udli_net_delta(&t->ws, n, out.cols);
    *loss = udli_loss_eval(t->deep->p.loss, output_act(t->deep), out, x, &delta, (double)n) /
            (double)n;
    udli_net_backward(net, &t->ws, x, L, delta, NULL);
    return UDL_OK;
}

udl_status udli_deep_ae_gradient(udl_deep_ae *deep, udl_mat x, double *loss)
{
    trainer t = {deep, {0}};
    udl_status s = udli_net_ws_alloc(deep->net, x.rows, &t.ws);
    if (!s)
        s = batch_gradient(&t, x, udl_mat_view(NULL, x.rows, 0), loss);
    udli_net_ws_free(&t.ws);
    return s;
}

void udli_deep_ae_layer(udl_deep_ae *deep, size_t l, double **w, double **b, double **gw,
                        double **gb)
{
    *w = deep->net->w[l];
    *b = deep->net->b[l];
    *gw = deep->net->gw[l];
    *gb = deep->net->gb[l];
}

/* ---- training and use ------------------------------------------------------------------ */

static udl_status check_data(const udl_deep_ae *deep, udl_mat x, const char *name)
{
    return udli_ae_check_input(x, deep->net->sizes[0], deep->p.loss, name);
}

UDL_API udl_status udl_deep_ae_train(udl_deep_ae *deep, udl_mat x, udl_progress_fn progress,
                                     void *user)
{
    if (!deep)
        return udli_fail(UDL_EINVAL, "deep autoencoder: model is NULL");
    udl_status s = check_data(deep, x, "deep autoencoder: X");
    if (s)
        return s;
    trainer t = {deep, {0}};
    if ((s = udli_net_ws_alloc(deep->net, deep->p.train.batch_size, &t.ws)))
        return s;
    udli_param_block blocks[2 * MAX_DEPTH];
    size_t n_blocks = udli_net_blocks(deep->net, blocks);
    udli_train_spec spec = {.x = x, .params = deep->p.train, .blocks = blocks,
                            .n_blocks = n_blocks, .batch = batch_gradient, .model = &t,
                            .rng = &deep->rng, .stage = "deep autoencoder",
                            .progress = progress, .user = user, .history = &deep->history};
    s = udli_train(&spec, NULL);
    udli_net_ws_free(&t.ws);
    return s;
}

UDL_API udl_status udl_deep_ae_encode(const udl_deep_ae *deep, udl_mat x, udl_mat z)
{
    if (!deep)
        return udli_fail(UDL_EINVAL, "deep autoencoder: model is NULL");
    const size_t code = deep->net->n_layers / 2;
    udl_status s = check_data(deep, x, "deep autoencoder encode: X");
    if (s || (s = udli_mat_check_output(z, x.rows, deep->net->sizes[code],
                                        "deep autoencoder encode: Z")))
        return s;
    return udli_net_apply(deep->net, x, code, 0, z);
}

UDL_API udl_status udl_deep_ae_reconstruct(const udl_deep_ae *deep, udl_mat x, udl_mat xhat)
{
    if (!deep)
        return udli_fail(UDL_EINVAL, "deep autoencoder: model is NULL");
    udl_status s = check_data(deep, x, "deep autoencoder reconstruct: X");
    if (s || (s = udli_mat_check_output(xhat, x.rows, deep->net->sizes[0],
                                        "deep autoencoder reconstruct: X^")))
        return s;
    return udli_net_apply(deep->net, x, deep->net->n_layers, 1, xhat);
}

UDL_API udl_status udl_deep_ae_cost(const udl_deep_ae *deep, udl_mat x, double *cost)
{
    if (!deep || !cost)
        return udli_fail(UDL_EINVAL, "deep autoencoder cost: model or cost is NULL");
    udl_status s = check_data(deep, x, "deep autoencoder cost: X");
    if (s)
        return s;
    if (x.rows == 0)
        return udli_fail(UDL_EINVAL, "deep autoencoder cost: X has no rows");
    double sum;
    if ((s = udli_net_loss(deep->net, deep->p.loss, x, x, &sum)))
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
        return udli_fail(UDL_EINVAL, "deep autoencoder: model is NULL");
    udl_status s = check_params(params, output_act(deep));
    if (s)
        return s;
    if (params->linear_code != deep->p.linear_code)
        return udli_fail(UDL_EINVAL, "deep autoencoder: linear_code is fixed when the stack is "
                         "unrolled (it is %d)", deep->p.linear_code);
    if (params->train.seed != deep->p.train.seed)
        udli_rng_seed(&deep->rng, params->train.seed);
    deep->p = *params;
    return UDL_OK;
}

UDL_API const double *udl_deep_ae_history(const udl_deep_ae *deep, size_t *n_epochs)
{
    if (n_epochs)
        *n_epochs = deep ? deep->history.n : 0;
    return deep ? deep->history.loss : NULL;
}

UDL_API const size_t *udl_deep_ae_sizes(const udl_deep_ae *deep, size_t *n_sizes)
{
    if (n_sizes)
        *n_sizes = deep ? deep->net->n_layers + 1 : 0;
    return deep ? deep->net->sizes : NULL;
}

/* ---- files ----------------------------------------------------------------------------------- */

UDL_API udl_status udl_deep_ae_save(const udl_deep_ae *deep, const char *path)
{
    if (!deep)
        return udli_fail(UDL_EINVAL, "deep autoencoder save: model is NULL");
    udli_record r;
    udli_record_init(&r);
    udli_record_u64(&r, "linear_code", (uint64_t)deep->p.linear_code);
    udli_record_u64(&r, "loss", (uint64_t)deep->p.loss);
    udli_train_params_record(&deep->p.train, &r);
    udli_net_record(deep->net, &r);
    udli_history_record(&deep->history, "history", &r);
    return udli_record_save(&r, path, UDL_KIND_DEEP_AUTOENCODER);
}

/* What encode, reconstruct and training rely on: an even number of layers that mirror
 * each other in size, no ties, sigmoid layers but for the code layer (linear exactly when
 * linear_code) and the output layer (sigmoid or linear). */
static udl_status check_unrolled(const udli_net *net, int linear_code, const char *path)
{
    const size_t L = net->n_layers;
    if (L % 2)
        return udli_fail(UDL_EFORMAT, "%s: a deep autoencoder has an even number of layers, "
                         "not %zu", path, L);
    for (size_t l = 0; l <= L; l++)
        if (net->sizes[l] != net->sizes[L - l])
            return udli_fail(UDL_EFORMAT, "%s: the decoder does not mirror the encoder (layer "
                             "size %zu is %zu but size %zu is %zu)", path, l, net->sizes[l],
                            L - l, net->sizes[L - l]);
    udl_activation want[MAX_DEPTH];
    unrolled_act(L, linear_code, net->act[L - 1] == UDL_ACT_LINEAR, want);
    for (size_t l = 0; l < L; l++)
        if (net->tied[l] >= 0 || net->act[l] != want[l])
            return udli_fail(UDL_EFORMAT, "%s: layer %zu is %s%s; in a deep autoencoder with "
                             "%s code it must be %s and untied", path, l,
                             net->tied[l] >= 0 ? "tied, " : "",
                             udl_activation_name(net->act[l]),
                             linear_code ? "a linear" : "a sigmoid",
                             udl_activation_name(want[l]));
    return UDL_OK;
}

static udl_status deep_read(udli_container *c, udl_deep_ae **out)
{
    static const char *const v1[] = {"layers", "output_linear", "linear_code", "loss",
                                     UDL_TRAIN_V1_NAMES, "reserved"};
    *out = NULL;
    const char *path = udli_container_path(c);
    udl_deep_ae_params p = udl_deep_ae_params_default();
    int loss, output_linear = 0;
    size_t n_layers = 2;
    udl_status s;
    if ((s = udli_container_upgrade(c, "info", v1, sizeof v1 / sizeof v1[0])) ||
        (s = udli_container_int(c, "linear_code", 0, 1, &p.linear_code)) ||
        (s = udli_container_int(c, "loss", 0, UDL_LOSS_SQUARED, &loss)) ||
        (s = udli_train_params_read(c, &p.train)))
        return s;
    p.loss = (udl_loss)loss;
    /* Format 1 stored no activations: they follow from these two. */
    if (udli_container_version(c) == 1 &&
        ((s = udli_container_size(c, "layers", 2, MAX_DEPTH, &n_layers)) ||
         (s = udli_container_int(c, "output_linear", 0, 1, &output_linear))))
        return s;
    udl_activation v1_act[MAX_DEPTH];
    unrolled_act(n_layers, p.linear_code, output_linear, v1_act);
    udli_net *net;
    if ((s = udli_net_read(c, v1_act, &net)))
        return s;
    if ((s = check_unrolled(net, p.linear_code, path))) {
        udli_net_free(net);
        return s;
    }
    if (check_params(&p, net->act[net->n_layers - 1])) {
        udli_net_free(net);
        return udli_fail(UDL_EFORMAT, "%s: the deep autoencoder parameters are invalid: %s",
                         path, udl_last_error());
    }
    udl_deep_ae *deep;
    if ((s = wrap(&p, net, &deep)))
        return s;
    if ((s = udli_history_read(c, "history", &deep->history))) {
        udl_deep_ae_free(deep);
        return s;
    }
    udli_rng_seed_resumed(&deep->rng, p.train.seed, deep->history.n);
    *out = deep;
    return UDL_OK;
}

UDL_API udl_status udl_deep_ae_load(const char *path, udl_deep_ae **out)
{
    if (!out)
        return udli_fail(UDL_EINVAL, "deep autoencoder load: out is NULL");
    return udli_kind_load(path, UDL_KIND_DEEP_AUTOENCODER, (void **)out);
}

/* ---- the registry's row ---------------------------------------------------------------- */

static udl_status row_read(udli_container *c, void **m)
{
    return deep_read(c, (udl_deep_ae **)m);
}
static udl_status row_save(const void *m, const char *path) { return udl_deep_ae_save(m, path); }
static void row_free(void *m) { udl_deep_ae_free(m); }
static size_t row_inputs(const void *m) { return ((const udl_deep_ae *)m)->net->sizes[0]; }
static size_t row_codes(const void *m)
{
    const udli_net *net = ((const udl_deep_ae *)m)->net;
    return net->sizes[net->n_layers / 2];
}
static udl_status row_encode(const void *m, udl_mat x, udl_mat z)
{
    return udl_deep_ae_encode(m, x, z);
}
static udl_status row_reconstruct(const void *m, udl_mat x, udl_mat xhat)
{
    return udl_deep_ae_reconstruct(m, x, xhat);
}
static udl_status row_get_train(const void *m, udl_train_params *p)
{
    *p = ((const udl_deep_ae *)m)->p.train;
    return UDL_OK;
}
static udl_status row_set_train(void *m, const udl_train_params *p)
{
    udl_deep_ae_params params = ((udl_deep_ae *)m)->p;
    if (!p)
        return udli_fail(UDL_EINVAL, "deep autoencoder: training parameters are NULL");
    params.train = *p;
    return udl_deep_ae_set_params(m, &params);
}

/* The encoder: the layers up to the code. */
static udl_status row_net(const void *m, udli_net **out)
{
    const udli_net *net = ((const udl_deep_ae *)m)->net, *nets[MAX_DEPTH / 2];
    size_t layers[MAX_DEPTH / 2];
    for (size_t l = 0; l < net->n_layers / 2; l++) {
        nets[l] = net;
        layers[l] = l;
    }
    return udli_net_gather(nets, layers, net->n_layers / 2, out);
}

static const udli_field_doc docs[] = {
    {"linear_code", "1 when the code layer (layer layers/2 - 1) is linear", NULL, NULL},
    {"loss", "the reconstruction loss", udli_loss_choice, NULL},
    {"layers", "the number of layers L (even): layer l maps h_l to h_{l+1} = act_l(h_l W_l + "
               "b_l), h_0 the input rows; layers 0 to L/2-1 encode (the codes are h_{L/2}), the "
               "rest decode (the reconstruction is h_L)", NULL, NULL},
    {"output_linear", "format 1: 1 when the output layer is linear", NULL, NULL},
    {"reserved", "format 1: unused", NULL, NULL},
    {"info", "format 1: the scalars by position (each also given by its name)", NULL, NULL},
    {"", NULL, NULL, udli_train_field_docs},
    {"", NULL, NULL, udli_net_field_docs},
    {NULL, NULL, NULL, NULL}};

const udli_kind_row udli_deep_ae_row = {
    UDL_KIND_DEEP_AUTOENCODER, "deep-ae", "deep autoencoder", row_read, row_save, row_free,
    row_inputs, row_codes, NULL, row_encode, row_reconstruct, NULL, NULL, row_get_train,
    row_set_train, row_net, docs};
