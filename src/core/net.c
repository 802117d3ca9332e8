#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/loss.h"
#include "core/model.h"
#include "core/net.h"
#include "core/tensor.h"


static int source(const udli_net *net, size_t l)
{
    return net->tied[l] >= 0 ? net->tied[l] : (int)l;
}

static udl_status check_shape(const size_t *sizes, const udl_activation *act, const int *tied,
                              size_t n_layers)
{
    if (!sizes || !act)
        return udli_fail(UDL_EINVAL, "net: sizes or activations is NULL");
    if (n_layers == 0 || n_layers > UDL_NET_MAX_LAYERS)
        return udli_fail(UDL_EINVAL, "net: needs 1 to %d layers, got %zu", UDL_NET_MAX_LAYERS,
                         n_layers);
    for (size_t l = 0; l <= n_layers; l++)
        if (sizes[l] == 0 || sizes[l] > UDL_MAX_WIDTH)
            return udli_fail(UDL_EINVAL, "net: layer size %zu is %zu, must be 1 to %u", l,
                             sizes[l], UDL_MAX_WIDTH);
    for (size_t l = 0; l < n_layers; l++) {
        if ((unsigned)act[l] > UDL_ACT_SOFTMAX)
            return udli_fail(UDL_EINVAL, "net: layer %zu has unknown activation %d", l,
                             (int)act[l]);
        if (act[l] == UDL_ACT_SOFTMAX && l + 1 < n_layers)
            return udli_fail(UDL_EINVAL, "net: softmax is for the output layer only, not layer "
                             "%zu", l);
        if (!tied || tied[l] < 0)
            continue;
        size_t s = (size_t)tied[l];
        if (s >= l || tied[s] >= 0)
            return udli_fail(UDL_EINVAL, "net: layer %zu can only be tied to an earlier untied "
                             "layer, not %d", l, tied[l]);
        if (sizes[s] != sizes[l + 1] || sizes[s + 1] != sizes[l])
            return udli_fail(UDL_EINVAL, "net: layer %zu (%zu -> %zu) cannot use the transposed "
                             "weights of layer %zu (%zu -> %zu)", l, sizes[l], sizes[l + 1], s,
                             sizes[s], sizes[s + 1]);
    }
    return UDL_OK;
}

udl_status udli_net_create(const size_t *sizes, const udl_activation *act, const int *tied,
                           size_t n_layers, udli_net **out)
{
    *out = NULL;
    udl_status s = check_shape(sizes, act, tied, n_layers);
    if (s)
        return s;
    udli_net *net = udli_calloc(1, sizeof *net, "net");
    if (!net)
        return UDL_ENOMEM;
    net->n_layers = n_layers;
    memcpy(net->sizes, sizes, (n_layers + 1) * sizeof *sizes);
    memcpy(net->act, act, n_layers * sizeof *act);
    size_t total = 0;
    for (size_t l = 0; l < n_layers; l++) {
        net->tied[l] = tied ? tied[l] : -1;
        total += (net->tied[l] < 0 ? sizes[l] * sizes[l + 1] : 0) + sizes[l + 1];
    }
    /* parameters, velocities and gradients in one allocation */
    if (!(net->storage = udli_calloc(3 * total, sizeof(double), "net parameters"))) {
        free(net);
        return UDL_ENOMEM;
    }
    double *at = net->storage;
    double **slots[6] = {net->w, net->b, net->vw, net->vb, net->gw, net->gb};
    for (int k = 0; k < 3; k++)
        for (size_t l = 0; l < n_layers; l++) {
            if (net->tied[l] < 0) {
                slots[2 * k][l] = at;
                at += sizes[l] * sizes[l + 1];
            }
            slots[2 * k + 1][l] = at;
            at += sizes[l + 1];
        }
    *out = net;
    return UDL_OK;
}

void udli_net_free(udli_net *net)
{
    if (!net)
        return;
    free(net->storage);
    free(net);
}

udl_mat udli_net_weights(const udli_net *net, size_t l)
{
    size_t s = (size_t)source(net, l);
    return udl_mat_view(net->w[s], net->sizes[s], net->sizes[s + 1]);
}

udl_status udli_net_gather(const udli_net *const *nets, const size_t *layers, size_t n,
                           udli_net **out)
{
    size_t sizes[UDL_NET_MAX_LAYERS + 1];
    udl_activation act[UDL_NET_MAX_LAYERS];
    if (n == 0 || n > UDL_NET_MAX_LAYERS)
        return udli_fail(UDL_EINVAL, "net: needs 1 to %d layers, got %zu", UDL_NET_MAX_LAYERS, n);
    for (size_t i = 0; i < n; i++) {
        const udli_net *src = nets[i];
        const size_t l = layers[i];
        if (i && src->sizes[l] != sizes[i])
            return udli_fail(UDL_ESHAPE, "net: layer %zu takes %zu inputs, the one below gives "
                             "%zu", i, src->sizes[l], sizes[i]);
        sizes[i] = src->sizes[l];
        sizes[i + 1] = src->sizes[l + 1];
        act[i] = src->act[l];
    }
    udl_status s = udli_net_create(sizes, act, NULL, n, out);
    for (size_t i = 0; i < n && !s; i++) {
        const udli_net *src = nets[i];
        udl_mat w = udli_net_weights(src, layers[i]), dst = udli_net_weights(*out, i);
        if (src->tied[layers[i]] < 0)
            udli_mat_copy(w, dst);
        else
            udli_mat_transpose(w, dst);
        memcpy((*out)->b[i], src->b[layers[i]], sizes[i + 1] * sizeof(double));
    }
    return s;
}

size_t udli_net_blocks(udli_net *net, udli_param_block *blocks)
{
    size_t n = 0;
    for (size_t l = 0; l < net->n_layers; l++) {
        if (net->tied[l] < 0)
            blocks[n++] = (udli_param_block){net->w[l], net->vw[l], net->gw[l],
                                            net->sizes[l] * net->sizes[l + 1], 1};
        blocks[n++] = (udli_param_block){net->b[l], net->vb[l], net->gb[l], net->sizes[l + 1], 0};
    }
    return n;
}

/* ---- the workspace ------------------------------------------------------------------- */

udl_status udli_net_ws_alloc(const udli_net *net, size_t rows, udli_net_ws *ws)
{
    memset(ws, 0, sizeof *ws);
    size_t total = 0, widest = net->sizes[0];
    for (size_t l = 1; l <= net->n_layers; l++) {
        total += net->sizes[l];
        widest = net->sizes[l] > widest ? net->sizes[l] : widest;
    }
    ws->rows = rows;
    ws->storage = udli_alloc(rows, (total + 2 * widest) * sizeof(double), "net activations");
    if (!ws->storage)
        return UDL_ENOMEM;
    double *at = ws->storage;
    for (size_t l = 1; l <= net->n_layers; l++) {
        ws->act[l] = at;
        at += rows * net->sizes[l];
    }
    ws->delta[0] = at;
    ws->delta[1] = at + rows * widest;
    return UDL_OK;
}

void udli_net_ws_free(udli_net_ws *ws)
{
    free(ws->storage);
    free(ws->drop_storage);
    memset(ws, 0, sizeof *ws);
}

udl_status udli_net_ws_dropout(const udli_net *net, udli_net_ws *ws, const double *drop)
{
    size_t total = 0;
    for (size_t l = 0; l < net->n_layers; l++) {
        total += drop[l] > 0.0 ? 2 * net->sizes[l] : 0;
        ws->drop[l] = 0.0;
        ws->mask[l] = ws->dropped[l] = NULL;
    }
    free(ws->drop_storage);
    ws->drop_storage = NULL;
    if (total == 0)
        return UDL_OK;
    if (!(ws->drop_storage = udli_alloc(ws->rows, total * sizeof(double), "dropout masks")))
        return UDL_ENOMEM;
    double *at = ws->drop_storage;
    for (size_t l = 0; l < net->n_layers; l++) {
        ws->drop[l] = drop[l];
        if (drop[l] > 0.0) {
            ws->mask[l] = at;
            ws->dropped[l] = at + ws->rows * net->sizes[l];
            at += 2 * ws->rows * net->sizes[l];
        }
    }
    return UDL_OK;
}

void udli_net_dropout_draw(const udli_net *net, udli_net_ws *ws, size_t rows, udli_rng *rng)
{
    for (size_t l = 0; l < net->n_layers; l++) {
        if (!ws->mask[l])
            continue;
        const size_t n = rows * net->sizes[l];
        const double keep = 1.0 - ws->drop[l], scale = 1.0 / keep;
        double *m = ws->mask[l];
        udli_rng_uniforms(rng, m, n);
        for (size_t i = 0; i < n; i++)
            m[i] = m[i] < keep ? scale : 0.0;
    }
}

/* Layer l's input as the layer sees it: in, or in times its dropout mask. */
static udl_mat dropped_input(const udli_net *net, const udli_net_ws *ws, size_t l, udl_mat in)
{
    if (!ws->mask[l])
        return in;
    udl_mat d = udl_mat_view(ws->dropped[l], in.rows, net->sizes[l]);
    udli_mul(in, udl_mat_view(ws->mask[l], in.rows, net->sizes[l]), d);
    return d;
}

static udl_mat mask_view(const udli_net *net, const udli_net_ws *ws, size_t l, size_t rows)
{
    return udl_mat_view(ws->mask[l], rows, net->sizes[l]);
}

udl_mat udli_net_delta(const udli_net_ws *ws, size_t rows, size_t cols)
{
    return udl_mat_view(ws->delta[0], rows, cols);
}

/* ---- forward ------------------------------------------------------------------------- */

static void activate(udl_activation act, udl_mat in, udl_mat out)
{
    switch (act) {
    case UDL_ACT_SIGMOID: udli_sigmoid(in, out); break;
    case UDL_ACT_TANH: udli_tanh(in, out); break;
    case UDL_ACT_RELU: udli_relu(in, out); break;
    case UDL_ACT_SOFTMAX: udli_softmax_rows(in, out); break;
    case UDL_ACT_LINEAR:
        if (in.data != out.data)
            udli_mat_copy(in, out);
        break;
    }
}

/* grad <- grad * f'(.), from the activation's output y (y > 0 exactly where a ReLU's
 * input was). Softmax never sits below another layer. */
static void activate_backward(udl_activation act, udl_mat y, udl_mat grad)
{
    switch (act) {
    case UDL_ACT_SIGMOID: udli_sigmoid_backward(y, grad); break;
    case UDL_ACT_TANH: udli_tanh_backward(y, grad); break;
    case UDL_ACT_RELU: udli_relu_backward(y, grad); break;
    default: break;
    }
}

void udli_net_activate_output(const udli_net *net, udl_mat a, udl_mat out)
{
    activate(net->act[net->n_layers - 1], a, out);
}

static udl_mat layer_out(const udli_net *net, const udli_net_ws *ws, size_t l, size_t rows)
{
    return udl_mat_view(ws->act[l + 1], rows, net->sizes[l + 1]);
}

void udli_net_layer(const udli_net *net, size_t l, udl_mat in, udl_mat out, int act)
{
    udl_gemm(UDL_NOTRANS, net->tied[l] < 0 ? UDL_NOTRANS : UDL_TRANS, 1.0, in,
             udli_net_weights(net, l), 0.0, out);
    udli_add_row_vector(out, net->b[l], 1.0, out);
    if (act)
        activate(net->act[l], out, out);
}

udl_mat udli_net_forward(const udli_net *net, udli_net_ws *ws, udl_mat x, size_t upto)
{
    udl_mat in = x;
    for (size_t l = 0; l < upto; l++) {
        udl_mat out = layer_out(net, ws, l, x.rows);
        udli_net_layer(net, l, dropped_input(net, ws, l, in), out, l + 1 < net->n_layers);
        in = out;
    }
    return in;
}

/* ---- backward ------------------------------------------------------------------------ */

/* The delta buffer that is not d (the first when d is the caller's). */
static double *other(const udli_net_ws *ws, const double *d)
{
    return d == ws->delta[0] ? ws->delta[1] : ws->delta[0];
}

/* With grads 0 the parameters' gradients are not computed (nor written). */
static void backward(const udli_net *net, udli_net_ws *ws, udl_mat x, size_t upto, udl_mat dtop,
                     udl_mat *dx, int grads)
{
    const size_t n = x.rows;
    if (upto == 0) {
        if (dx)
            udli_mat_copy(dtop, *dx);
        return;
    }
    udl_mat delta = dtop;
    if (upto < net->n_layers) { /* dtop is with respect to activations: to pre-activations */
        delta = udl_mat_view(other(ws, dtop.data), n, dtop.cols);
        udli_mat_copy(dtop, delta);
        activate_backward(net->act[upto - 1], layer_out(net, ws, upto - 1, n), delta);
    }
    /* A tied W gets the sum of both uses' gradients: the first (highest) layer to reach
     * it in this pass writes, the others add. */
    int written[UDL_NET_MAX_LAYERS] = {0};
    for (size_t l = upto; l-- > 0;) {
        udl_mat y = l ? layer_out(net, ws, l - 1, n) : x;
        udl_mat in = ws->mask[l] ? udl_mat_view(ws->dropped[l], n, net->sizes[l]) : y;
        udl_mat w = udli_net_weights(net, l);
        if (grads) {
            size_t s = (size_t)source(net, l);
            udl_mat gw = udl_mat_view(net->gw[s], w.rows, w.cols);
            double beta = written[s] ? 1.0 : 0.0;
            written[s] = 1;
            if (net->tied[l] < 0)
                udl_gemm(UDL_TRANS, UDL_NOTRANS, 1.0, in, delta, beta, gw);
            else
                udl_gemm(UDL_TRANS, UDL_NOTRANS, 1.0, delta, in, beta, gw);
            udli_col_sums(delta, net->gb[l]);
        }
        if (l == 0 && !dx)
            break;
        udl_mat below = l ? udl_mat_view(other(ws, delta.data), n, net->sizes[l]) : *dx;
        udl_gemm(UDL_NOTRANS, net->tied[l] < 0 ? UDL_TRANS : UDL_NOTRANS, 1.0, delta, w, 0.0,
                 below);
        if (ws->mask[l])
            udli_mul(below, mask_view(net, ws, l, n), below);
        if (l == 0)
            break;
        activate_backward(net->act[l - 1], y, below);
        delta = below;
    }
}

void udli_net_backward(udli_net *net, udli_net_ws *ws, udl_mat x, size_t upto, udl_mat dtop,
                       udl_mat *dx)
{
    backward(net, ws, x, upto, dtop, dx, 1);
}

void udli_net_input_gradient(const udli_net *net, udli_net_ws *ws, udl_mat x, size_t upto,
                             udl_mat dtop, udl_mat dx)
{
    backward(net, ws, x, upto, dtop, &dx, 0);
}

/* ---- whole data sets ----------------------------------------------------------------- */

udl_status udli_net_each_block(const udli_net *net, udl_mat x, size_t upto,
                               udli_net_block_fn fn, void *user)
{
    udli_net_ws ws;
    const size_t rows = x.rows < UDLI_NET_BLOCK_ROWS ? x.rows : UDLI_NET_BLOCK_ROWS;
    udl_status s = udli_net_ws_alloc(net, rows, &ws);
    if (s)
        return s;
    for (size_t first = 0; first < x.rows; first += UDLI_NET_BLOCK_ROWS) {
        udl_mat xb = udl_mat_rows(x, first, UDLI_NET_BLOCK_ROWS);
        fn(net, xb, udli_net_forward(net, &ws, xb, upto), first, user);
    }
    udli_net_ws_free(&ws);
    return UDL_OK;
}

typedef struct apply_ctx {
    udl_mat out;
    int activate;
} apply_ctx;

static void store_rows(const udli_net *net, udl_mat x, udl_mat top, size_t first, void *user)
{
    (void)x;
    apply_ctx *a = user;
    udl_mat out = udl_mat_rows(a->out, first, top.rows);
    if (a->activate)
        udli_net_activate_output(net, top, out);
    else
        udli_mat_copy(top, out);
}

udl_status udli_net_apply(const udli_net *net, udl_mat x, size_t upto, int activate, udl_mat out)
{
    apply_ctx a = {out, activate && upto == net->n_layers};
    return udli_net_each_block(net, x, upto, store_rows, &a);
}

typedef struct loss_ctx {
    udl_loss loss;
    udl_mat t;
    double sum;
} loss_ctx;

static void add_loss(const udli_net *net, udl_mat x, udl_mat top, size_t first, void *user)
{
    (void)x;
    loss_ctx *l = user;
    l->sum += udli_loss_eval(l->loss, net->act[net->n_layers - 1], top,
                             udl_mat_rows(l->t, first, top.rows), NULL, 1.0);
}

udl_status udli_net_loss(const udli_net *net, udl_loss loss, udl_mat x, udl_mat t, double *sum)
{
    loss_ctx l = {loss, t, 0.0};
    udl_status s = udli_net_each_block(net, x, net->n_layers, add_loss, &l);
    if (!s)
        *sum = l.sum;
    return s;
}

/* ---- model files --------------------------------------------------------------------- */

static const char *layer_name(char *buf, size_t size, const char *what, size_t l)
{
    snprintf(buf, size, "%s%zu", what, l);
    return buf;
}

void udli_net_record(const udli_net *net, udli_record *r)
{
    char name[32];
    udli_record_u64(r, "layers", net->n_layers);
    for (size_t l = 0; l < net->n_layers; l++) {
        udli_record_u64(r, layer_name(name, sizeof name, "act", l), (uint64_t)net->act[l]);
        udli_record_u64(r, layer_name(name, sizeof name, "tied", l),
                        (uint64_t)(net->tied[l] + 1));
        if (net->tied[l] < 0)
            udli_record_matrix(r, layer_name(name, sizeof name, "W", l), net->sizes[l],
                               net->sizes[l + 1], net->w[l]);
        udli_record_matrix(r, layer_name(name, sizeof name, "b", l), 1, net->sizes[l + 1],
                           net->b[l]);
    }
}

udl_status udli_net_read(const udli_container *c, const udl_activation *v1_act, udli_net **out)
{
    *out = NULL;
    const char *path = udli_container_path(c);
    const int v1 = udli_container_version(c) == 1;
    if (v1 && !v1_act)
        return udli_fail(UDL_EFORMAT, "%s: a format-1 file has no network layers", path);
    size_t n_layers = 0, sizes[UDL_NET_MAX_LAYERS + 1];
    udl_activation act[UDL_NET_MAX_LAYERS];
    int tied[UDL_NET_MAX_LAYERS];
    char name[32];
    udli_block w[UDL_NET_MAX_LAYERS], b[UDL_NET_MAX_LAYERS];
    udl_status s = udli_container_size(c, "layers", 1, UDL_NET_MAX_LAYERS, &n_layers);
    for (size_t l = 0; l < n_layers && !s; l++) {
        int a = v1 ? (int)v1_act[l] : 0, t = 0;
        if (!v1 && ((s = udli_container_int(c, layer_name(name, sizeof name, "act", l), 0,
                                            UDL_ACT_SOFTMAX, &a)) ||
                    (s = udli_container_int(c, layer_name(name, sizeof name, "tied", l), 0,
                                            (int)l, &t))))
            break;
        act[l] = (udl_activation)a;
        tied[l] = t - 1;
        if (tied[l] < 0) {
            if ((s = udli_container_matrix(c, layer_name(name, sizeof name, "W", l),
                                           l ? sizes[l] : SIZE_MAX, SIZE_MAX, &w[l])))
                break;
            sizes[l] = w[l].rows;
            sizes[l + 1] = w[l].cols;
        }
        if ((s = udli_container_matrix(c, layer_name(name, sizeof name, "b", l), 1,
                                       tied[l] < 0 ? sizes[l + 1] : SIZE_MAX, &b[l])))
            break;
        sizes[l + 1] = b[l].cols;
    }
    if (s)
        return s;
    if ((s = check_shape(sizes, act, tied, n_layers)))
        return udli_fail(UDL_EFORMAT, "%s: %s", path, udl_last_error());
    udli_net *net;
    if ((s = udli_net_create(sizes, act, tied, n_layers, &net)))
        return s;
    for (size_t l = 0; l < n_layers; l++) {
        if (tied[l] < 0)
            memcpy(net->w[l], w[l].data, sizes[l] * sizes[l + 1] * sizeof(double));
        memcpy(net->b[l], b[l].data, sizes[l + 1] * sizeof(double));
    }
    *out = net;
    return UDL_OK;
}

const udli_field_doc udli_net_field_docs[] = {
    {"layers", "the number of layers; layer l maps h_l to h_{l+1} = act_l(h_l W_l + b_l), "
               "h_0 the input rows", NULL, NULL},
    {"act#", "the activation of layer l", udli_activation_choice, NULL},
    {"tied#", "0 when layer l has its own weights W_l; t > 0 when it uses the weights of "
              "layer t-1 transposed, as W_{t-1}^T", NULL, NULL},
    {"W#", "the weights of layer l, inputs x outputs (rows: the units of h_l, columns: "
           "those of h_{l+1}): h_{l+1} = act_l(h_l W_l + b_l), with samples as rows",
     NULL, NULL},
    {"b#", "the biases of layer l (1 x outputs), added to each row of h_l W_l", NULL, NULL},
    {NULL, NULL, NULL, NULL}};
