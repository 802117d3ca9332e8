/* Deep feed-forward classifier: hidden layers of the core network engine under a softmax
 * output, initialised at random or from a greedily pretrained stack, fine-tuned through
 * the shared training loop with the softmax cross-entropy, optional dropout, a validation
 * set and early stopping. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <udl/autoencoder.h>
#include <udl/dnn.h>
#include <udl/rbm.h>

#include "core/container.h"
#include "core/error.h"
#include "core/loss.h"
#include "core/model.h"
#include "core/net.h"
#include "core/rng.h"
#include "core/tensor.h"
#include "core/train.h"
#include "dnn/internal.h"

#define MAX_HIDDEN 32
#define MAX_LAYERS (MAX_HIDDEN + 1)

struct udl_dnn {
    udl_dnn_params p;
    udli_net *net; /* L hidden layers of p.activation, then the softmax layer */
    udli_rng rng;
    udli_history history, valid_loss, valid_error; /* one entry per epoch each */
};

/* ---- parameters ------------------------------------------------------------------------ */

UDL_API udl_dnn_params udl_dnn_params_default(void)
{
    udl_dnn_params p;
    memset(&p, 0, sizeof p);
    p.activation = UDL_ACT_SIGMOID;
    p.train = udl_train_params_default();
    return p;
}

static udl_status check_params(const udl_dnn_params *p)
{
    if (!p)
        return udli_fail(UDL_EINVAL, "dnn: params is NULL");
    if (p->activation != UDL_ACT_SIGMOID && p->activation != UDL_ACT_TANH &&
        p->activation != UDL_ACT_RELU)
        return udli_fail(UDL_EINVAL, "dnn: the hidden activation must be sigmoid, tanh or "
                         "ReLU, not %s (%d)", udl_activation_name(p->activation),
                         (int)p->activation);
    if (!(p->input_dropout >= 0.0 && p->input_dropout < 1.0))
        return udli_fail(UDL_EINVAL, "dnn: input_dropout must be in [0, 1), got %g",
                         p->input_dropout);
    if (!(p->hidden_dropout >= 0.0 && p->hidden_dropout < 1.0))
        return udli_fail(UDL_EINVAL, "dnn: hidden_dropout must be in [0, 1), got %g",
                         p->hidden_dropout);
    if (!(p->valid_fraction >= 0.0 && p->valid_fraction < 1.0))
        return udli_fail(UDL_EINVAL, "dnn: valid_fraction must be in [0, 1), got %g",
                         p->valid_fraction);
    if (p->patience > UDL_MAX_EPOCHS)
        return udli_fail(UDL_EINVAL, "dnn: patience %zu is more than %llu epochs", p->patience,
                         (unsigned long long)UDL_MAX_EPOCHS);
    udl_status s = udl_train_params_check(&p->train);
    return s ? udli_fail(s, "dnn: %s", udl_last_error()) : UDL_OK;
}

static size_t n_hidden(const udl_dnn *dnn) { return dnn->net->n_layers - 1; }
static size_t n_classes(const udl_dnn *dnn) { return dnn->net->sizes[dnn->net->n_layers]; }

/* ---- creation ---------------------------------------------------------------------------- */

UDL_API void udl_dnn_free(udl_dnn *dnn)
{
    if (!dnn)
        return;
    udli_net_free(dnn->net);
    udli_history_free(&dnn->history);
    udli_history_free(&dnn->valid_loss);
    udli_history_free(&dnn->valid_error);
    free(dnn);
}

/* A classifier around net (taken over, also on failure). */
static udl_status wrap(const udl_dnn_params *p, udli_net *net, udl_dnn **out)
{
    udl_dnn *dnn = udli_calloc(1, sizeof *dnn, "dnn");
    if (!dnn) {
        udli_net_free(net);
        return UDL_ENOMEM;
    }
    dnn->p = *p;
    dnn->net = net;
    udli_rng_seed(&dnn->rng, p->train.seed);
    *out = dnn;
    return UDL_OK;
}

/* Layer l's starting weights: Glorot & Bengio (2010)'s uniform range (four times wider
 * for sigmoid units, as they advise), He et al. (2015)'s normal for ReLU. */
static void init_layer(udli_net *net, size_t l, udli_rng *rng)
{
    const size_t fi = net->sizes[l], fo = net->sizes[l + 1], n = fi * fo;
    double *w = net->w[l];
    if (net->act[l] == UDL_ACT_RELU) {
        const double sd = sqrt(2.0 / (double)fi);
        for (size_t i = 0; i < n; i++)
            w[i] = sd * udli_rng_normal(rng);
    } else {
        const double r = (net->act[l] == UDL_ACT_SIGMOID ? 4.0 : 1.0) *
                         sqrt(6.0 / (double)(fi + fo));
        udli_rng_uniforms(rng, w, n);
        for (size_t i = 0; i < n; i++)
            w[i] = r * (2.0 * w[i] - 1.0);
    }
    memset(net->b[l], 0, fo * sizeof(double));
}

UDL_API udl_status udl_dnn_create(const udl_dnn_params *params, const size_t *sizes,
                                  size_t n_sizes, udl_dnn **out)
{
    if (!out)
        return udli_fail(UDL_EINVAL, "dnn: out is NULL");
    *out = NULL;
    udl_status s = check_params(params);
    if (s)
        return s;
    if (!sizes)
        return udli_fail(UDL_EINVAL, "dnn: sizes is NULL");
    if (n_sizes < 2 || n_sizes > MAX_HIDDEN + 2)
        return udli_fail(UDL_EINVAL, "dnn: sizes needs the inputs, 0 to %d hidden layers and "
                         "the classes (2 to %d numbers), got %zu", MAX_HIDDEN, MAX_HIDDEN + 2,
                         n_sizes);
    if (sizes[n_sizes - 1] < 2)
        return udli_fail(UDL_EINVAL, "dnn: a classifier needs at least 2 classes, got %zu",
                         sizes[n_sizes - 1]);
    udl_activation act[MAX_LAYERS];
    for (size_t l = 0; l + 1 < n_sizes; l++)
        act[l] = l + 2 < n_sizes ? params->activation : UDL_ACT_SOFTMAX;
    udli_net *net;
    if ((s = udli_net_create(sizes, act, NULL, n_sizes - 1, &net)))
        return udli_fail(s, "dnn: %s", udl_last_error());
    udl_dnn *dnn;
    if ((s = wrap(params, net, &dnn)))
        return s;
    for (size_t l = 0; l < net->n_layers; l++)
        init_layer(net, l, &dnn->rng);
    *out = dnn;
    return UDL_OK;
}

/* ---- pretraining ------------------------------------------------------------------------- */

UDL_API udl_dnn_pretrain_params udl_dnn_pretrain_params_default(udl_pretrain method)
{
    udl_dnn_pretrain_params p;
    memset(&p, 0, sizeof p);
    p.method = method;
    p.train = method == UDL_PRETRAIN_RBM ? udl_rbm_params_default().train
                                         : udl_ae_params_default().train;
    p.train.epochs = 10;
    p.noise = 0.25;
    return p;
}

/* What copying a stack into the hidden layers needs: sigmoid hidden layers, as many as
 * the stack has, of the same widths (layer i: d -> m). */
static udl_status check_depth(const udl_dnn *dnn, size_t depth, const char *what)
{
    if (depth != n_hidden(dnn))
        return udli_fail(UDL_ESHAPE, "dnn: the %s has %zu layers, the net %zu hidden layers",
                         what, depth, n_hidden(dnn));
    return UDL_OK;
}

static udl_status check_stack_layer(const udl_dnn *dnn, size_t i, size_t d, size_t m,
                                    const char *what)
{
    if (d != dnn->net->sizes[i] || m != dnn->net->sizes[i + 1])
        return udli_fail(UDL_ESHAPE, "dnn: layer %zu of the %s maps %zu to %zu units, hidden "
                         "layer %zu of the net %zu to %zu", i, what, d, m, i,
                         dnn->net->sizes[i], dnn->net->sizes[i + 1]);
    return UDL_OK;
}

static udl_status check_sigmoid(const udl_dnn *dnn, const char *what)
{
    if (!dnn)
        return udli_fail(UDL_EINVAL, "dnn: model is NULL");
    if (dnn->p.activation != UDL_ACT_SIGMOID)
        return udli_fail(UDL_EINVAL, "dnn: %s gives sigmoid units, but the hidden layers are "
                         "%s", what, udl_activation_name(dnn->p.activation));
    return UDL_OK;
}

/* Copies layer i's W (d x m) and hidden bias into hidden layer i. */
static void copy_layer(udl_dnn *dnn, size_t i, const double *w, const double *c)
{
    memcpy(dnn->net->w[i], w, dnn->net->sizes[i] * dnn->net->sizes[i + 1] * sizeof(double));
    memcpy(dnn->net->b[i], c, dnn->net->sizes[i + 1] * sizeof(double));
}

UDL_API udl_status udl_dnn_init_from_sae(udl_dnn *dnn, const udl_sae *stack)
{
    udl_status s = check_sigmoid(dnn, "an autoencoder stack");
    if (s)
        return s;
    if (!stack)
        return udli_fail(UDL_EINVAL, "dnn: the stack is NULL");
    const size_t depth = udl_sae_n_layers(stack);
    if ((s = check_depth(dnn, depth, "autoencoder stack")))
        return s;
    for (size_t i = 0; i < depth; i++) {
        udl_ae_params lp = udl_ae_get_params(udl_sae_layer(stack, i));
        if ((s = check_stack_layer(dnn, i, lp.n_visible, lp.n_hidden, "autoencoder stack")))
            return s;
        if (lp.linear)
            return udli_fail(UDL_EINVAL, "dnn: layer %zu of the stack is a linear autoencoder; "
                             "the hidden layers are sigmoid", i);
    }
    for (size_t i = 0; i < depth; i++) {
        const udl_ae *ae = udl_sae_layer(stack, i);
        copy_layer(dnn, i, udl_ae_weights(ae), udl_ae_hidden_bias(ae));
    }
    return UDL_OK;
}

UDL_API udl_status udl_dnn_init_from_dbn(udl_dnn *dnn, const udl_dbn *dbn)
{
    udl_status s = check_sigmoid(dnn, "a deep belief net");
    if (s)
        return s;
    if (!dbn)
        return udli_fail(UDL_EINVAL, "dnn: the deep belief net is NULL");
    const size_t depth = udl_dbn_n_layers(dbn);
    if ((s = check_depth(dnn, depth, "deep belief net")))
        return s;
    for (size_t i = 0; i < depth; i++) {
        udl_rbm_params rp = udl_rbm_get_params(udl_dbn_layer(dbn, i));
        if ((s = check_stack_layer(dnn, i, rp.n_visible, rp.n_hidden, "deep belief net")))
            return s;
        if (rp.hidden == UDL_UNITS_GAUSSIAN)
            return udli_fail(UDL_EINVAL, "dnn: layer %zu of the deep belief net has Gaussian "
                             "hidden units; the hidden layers are sigmoid", i);
    }
    for (size_t i = 0; i < depth; i++) {
        const udl_rbm *rbm = udl_dbn_layer(dbn, i);
        copy_layer(dnn, i, udl_rbm_weights(rbm), udl_rbm_hidden_bias(rbm));
    }
    return UDL_OK;
}

UDL_API udl_status udl_dnn_pretrain(udl_dnn *dnn, const udl_dnn_pretrain_params *params,
                                    udl_mat x, udl_progress_fn progress, void *user)
{
    if (!dnn || !params)
        return udli_fail(UDL_EINVAL, "dnn pretrain: model or params is NULL");
    if ((unsigned)params->method > UDL_PRETRAIN_RBM)
        return udli_fail(UDL_EINVAL, "dnn pretrain: unknown method %d", (int)params->method);
    if (params->method == UDL_PRETRAIN_NONE)
        return UDL_OK;
    udl_status s = check_sigmoid(dnn, "pretraining");
    if (s)
        return s;
    if (n_hidden(dnn) == 0)
        return udli_fail(UDL_EINVAL, "dnn pretrain: the net has no hidden layers to pretrain");
    if ((s = udl_train_params_check(&params->train)))
        return udli_fail(s, "dnn pretrain: %s", udl_last_error());
    if (params->method == UDL_PRETRAIN_DAE &&
        !(params->noise >= 0.0 && params->noise < 1.0))
        return udli_fail(UDL_EINVAL, "dnn pretrain: the masking probability noise must be in "
                         "[0, 1), got %g", params->noise);
    const size_t n_sizes = n_hidden(dnn) + 1;
    if (params->method == UDL_PRETRAIN_RBM) {
        udl_rbm_params rp = udl_rbm_params_default();
        rp.train = params->train;
        udl_dbn *dbn;
        if ((s = udl_dbn_create(&rp, dnn->net->sizes, n_sizes, &dbn)))
            return s;
        if (!(s = udl_dbn_train(dbn, x, progress, user)))
            s = udl_dnn_init_from_dbn(dnn, dbn);
        udl_dbn_free(dbn);
        return s;
    }
    udl_ae_params ap = udl_ae_params_default();
    ap.train = params->train;
    if (params->method == UDL_PRETRAIN_DAE) {
        ap.noise = UDL_NOISE_MASK;
        ap.noise_level = params->noise;
    }
    udl_sae *sae;
    if ((s = udl_sae_create(&ap, dnn->net->sizes, n_sizes, &sae)))
        return s;
    if (!(s = udl_sae_train(sae, x, progress, user)))
        s = udl_dnn_init_from_sae(dnn, sae);
    udl_sae_free(sae);
    return s;
}

/* ---- labels and evaluation ------------------------------------------------------------- */

static udl_status check_labels(udl_mat labels, size_t rows, size_t k, const char *name)
{
    udl_status s = udli_mat_check(labels, name);
    if (s)
        return s;
    if (labels.rows != rows || labels.cols != 1)
        return udli_fail(UDL_ESHAPE, "%s is %zu x %zu; it must be %zu x 1, a label for each "
                         "row", name, labels.rows, labels.cols, rows);
    for (size_t i = 0; i < rows; i++) {
        const double v = labels.data[i * labels.ld];
        if (!(v >= 0.0 && v < (double)k && v == floor(v)))
            return udli_fail(UDL_EINVAL, "%s[%zu] is %g; labels must be integers 0 to %zu", name,
                             i, v, k - 1);
    }
    return UDL_OK;
}

static size_t label_at(udl_mat labels, size_t i) { return (size_t)labels.data[i * labels.ld]; }

static size_t argmax(const double *v, size_t n)
{
    size_t best = 0;
    for (size_t j = 1; j < n; j++)
        if (v[j] > v[best])
            best = j;
    return best;
}

/* Sums over blocks of rows: cross-entropy, errors, and the confusion counts. */
typedef struct eval_ctx {
    udl_mat labels;
    double loss;
    size_t errors;
    size_t *confusion;    /* K x K, or NULL */
    udl_mat predicted;    /* rows x 1, or no rows */
    double *lse;          /* BLOCK rows of scratch */
} eval_ctx;

static void eval_block(const udli_net *net, udl_mat xb, udl_mat logits, size_t first, void *user)
{
    (void)xb;
    eval_ctx *e = user;
    const size_t k = logits.cols;
    if (e->labels.rows)
        udli_logsumexp_rows(logits, e->lse);
    for (size_t i = 0; i < logits.rows; i++) {
        const double *a = logits.data + i * logits.ld;
        const size_t guess = argmax(a, k);
        if (e->predicted.rows)
            e->predicted.data[(first + i) * e->predicted.ld] = (double)guess;
        if (!e->labels.rows)
            continue;
        const size_t truth = label_at(e->labels, first + i);
        e->loss += e->lse[i] - a[truth];
        e->errors += guess != truth;
        if (e->confusion)
            e->confusion[truth * k + guess]++;
    }
    (void)net;
}

/* Runs x through the net; labels (or a view with no rows) and predicted (likewise) as
 * in eval_ctx. */
static udl_status run_eval(const udl_dnn *dnn, udl_mat x, udl_mat labels, udl_mat predicted,
                           size_t *confusion, double *loss, size_t *errors)
{
    eval_ctx e = {labels, 0.0, 0, confusion, predicted, NULL};
    const size_t block = x.rows < UDLI_NET_BLOCK_ROWS ? x.rows + 1 : UDLI_NET_BLOCK_ROWS;
    if (!(e.lse = udli_alloc(block, sizeof(double), "evaluation")))
        return UDL_ENOMEM;
    udl_status s = udli_net_each_block(dnn->net, x, dnn->net->n_layers, eval_block, &e);
    free(e.lse);
    if (loss)
        *loss = e.loss;
    if (errors)
        *errors = e.errors;
    return s;
}

static udl_mat no_rows(void) { return udl_mat_view(NULL, 0, 0); }

static udl_status check_x(const udl_dnn *dnn, udl_mat x, const char *name)
{
    if (!dnn)
        return udli_fail(UDL_EINVAL, "dnn: model is NULL");
    return udli_mat_check_data(x, dnn->net->sizes[0], name);
}

/* ---- training ------------------------------------------------------------------------------ */

typedef struct trainer {
    udl_dnn *dnn;
    udli_net_ws ws;
    double *onehot;           /* batch x K */
    udl_mat vx, vl;           /* the validation set, or no rows */
    double *best;             /* the best epoch's parameters, for early stopping */
    double best_error, best_loss;
    size_t since_best, n_params;
    int have_best;
    udli_param_block blocks[2 * MAX_LAYERS];
    size_t n_blocks;
    /* adversarial training: each batch's rows, then their perturbed copies */
    udli_dnn_perturb_fn perturb;
    void *perturb_user;
    double alpha;
    double *mixed; /* 2 batch x (D + 1): inputs, then labels */
} trainer;

/* t (labels.rows x K): each row the one-hot vector of its label. */
static void one_hot(udl_mat t, udl_mat labels)
{
    udli_mat_fill(t, 0.0);
    for (size_t i = 0; i < t.rows; i++)
        t.data[i * t.ld + label_at(labels, i)] = 1.0;
}

/* Every row of t: 1 in column c, 0 elsewhere (the gradient that selects unit c). */
static void unit_rows(udl_mat t, size_t c)
{
    udli_mat_fill(t, 0.0);
    for (size_t i = 0; i < t.rows; i++)
        t.data[i * t.ld + c] = 1.0;
}

/* The mean loss of the first n rows (weight alpha) and of the rest (1 - alpha), and its
 * delta in the workspace. */
static double weighted_loss(trainer *t, udl_mat out, udl_mat y, size_t n, double alpha)
{
    const size_t rows = out.rows, k = out.cols;
    udl_mat delta = udli_net_delta(&t->ws, rows, k), onehot = udl_mat_view(t->onehot, rows, k);
    one_hot(onehot, y);
    double loss = 0.0;
    for (size_t part = 0; part < 2; part++) {
        const size_t first = part ? n : 0, count = part ? rows - n : n;
        const double weight = part ? 1.0 - alpha : alpha;
        if (count == 0)
            continue;
        udl_mat d = udl_mat_rows(delta, first, count);
        if (weight == 0.0) {
            udli_mat_fill(d, 0.0);
            continue;
        }
        loss += weight * udli_loss_eval(UDL_LOSS_SOFTMAX_CROSS_ENTROPY, UDL_ACT_SOFTMAX,
                                        udl_mat_rows(out, first, count),
                                        udl_mat_rows(onehot, first, count), &d,
                                        (double)count / weight) / (double)count;
    }
    return loss;
}

static udl_status batch_gradient(void *model, udl_mat x, udl_mat y, double *loss)
{
    trainer *t = model;
    udli_net *net = t->dnn->net;
    const size_t n = x.rows, L = net->n_layers;
    double alpha = 1.0;
    if (t->perturb) { /* the batch and its adversarial copy, as one batch of 2n rows */
        const size_t d = x.cols;
        udl_mat both = udl_mat_view(t->mixed, 2 * n, d);
        udl_mat labels = udl_mat_view(t->mixed + 2 * n * d, 2 * n, 1);
        udli_mat_copy(x, udl_mat_rows(both, 0, n));
        udli_mat_copy(y, udl_mat_rows(labels, 0, n));
        udli_mat_copy(y, udl_mat_rows(labels, n, n));
        udl_status s = t->perturb(t->dnn, x, y, udl_mat_rows(both, n, n), t->perturb_user);
        if (s)
            return s;
        x = both;
        y = labels;
        alpha = t->alpha;
    }
    udli_net_dropout_draw(net, &t->ws, x.rows, &t->dnn->rng);
    udl_mat out = udli_net_forward(net, &t->ws, x, L);
    *loss = weighted_loss(t, out, y, n, alpha);
    udli_net_backward(net, &t->ws, x, L, udli_net_delta(&t->ws, x.rows, out.cols), NULL);
    return UDL_OK;
}

static void params_copy(trainer *t, int restore)
{
    double *at = t->best;
    for (size_t b = 0; b < t->n_blocks; b++) {
        const udli_param_block *k = &t->blocks[b];
        if (restore)
            memcpy(k->param, at, k->n * sizeof(double));
        else
            memcpy(at, k->param, k->n * sizeof(double));
        at += k->n;
    }
}

static udl_status epoch_end(void *model, udl_progress *report, int *stop)
{
    trainer *t = model;
    udl_dnn *dnn = t->dnn;
    double loss = NAN, error = NAN;
    size_t errors;
    udl_status s = t->vx.rows ? run_eval(dnn, t->vx, t->vl, no_rows(), NULL, &loss, &errors)
                              : UDL_OK;
    if (!s && t->vx.rows) {
        loss /= (double)t->vx.rows;
        error = (double)errors / (double)t->vx.rows;
        report->valid_loss = loss;
        report->valid_error = error;
    }
    if (s || (s = udli_history_append(&dnn->valid_loss, loss)) ||
        (s = udli_history_append(&dnn->valid_error, error))) {
        /* the loop takes the epoch back, its training loss too: the three histories stay
         * the same length, so the model still saves a file that loads */
        dnn->valid_loss.n = dnn->valid_error.n = dnn->history.n - 1;
        return s;
    }
    if (!t->best)
        return UDL_OK;
    if (!t->have_best || error < t->best_error ||
        (error == t->best_error && loss < t->best_loss)) {
        t->have_best = 1;
        t->best_error = error;
        t->best_loss = loss;
        t->since_best = 0;
        params_copy(t, 0);
    } else if (++t->since_best >= dnn->p.patience) {
        *stop = 1;
    }
    return UDL_OK;
}

/* The rows held out of x by valid_fraction: drawn from the seed alone, so every call on
 * the same data holds out the same rows. order gets a permutation of x's rows: the
 * n_train training rows, then the held-out ones. */
static udl_status split(const udl_dnn *dnn, size_t n, size_t **order, size_t *n_train)
{
    const double f = dnn->p.valid_fraction;
    size_t n_valid = (size_t)floor(f * (double)n + 0.5);
    if (n_valid == 0)
        n_valid = 1;
    if (n_valid >= n)
        return udli_fail(UDL_EINVAL, "dnn: holding out %g of %zu rows leaves none to train on",
                         f, n);
    if (!(*order = udli_alloc(n, sizeof(size_t), "validation split")))
        return UDL_ENOMEM;
    udli_rng rng;
    udli_rng_seed(&rng, dnn->p.train.seed ^ 0x5eed0fa11d5e7ULL);
    udli_rng_permutation(&rng, *order, n);
    *n_train = n - n_valid;
    return UDL_OK;
}

UDL_API udl_status udl_dnn_train(udl_dnn *dnn, udl_mat x, udl_mat labels,
                                 const udl_mat *valid_x, const udl_mat *valid_labels,
                                 udl_progress_fn progress, void *user)
{
    return udli_dnn_train_mixed(dnn, x, labels, valid_x, valid_labels, NULL, NULL, 1.0,
                                progress, user);
}

udl_status udli_dnn_train_mixed(udl_dnn *dnn, udl_mat x, udl_mat labels,
                                const udl_mat *valid_x, const udl_mat *valid_labels,
                                udli_dnn_perturb_fn perturb, void *perturb_user, double alpha,
                                udl_progress_fn progress, void *user)
{
    udl_status s = check_x(dnn, x, "dnn: X");
    if (s || (s = check_labels(labels, x.rows, n_classes(dnn), "dnn: labels")))
        return s;
    if (x.rows == 0)
        return udli_fail(UDL_EINVAL, "dnn: X has no rows");
    if (!valid_x != !valid_labels)
        return udli_fail(UDL_EINVAL, "dnn: give both valid_x and valid_labels, or neither");
    if (valid_x && ((s = check_x(dnn, *valid_x, "dnn: validation X")) ||
                    (s = check_labels(*valid_labels, valid_x->rows, n_classes(dnn),
                                      "dnn: validation labels"))))
        return s;
    if (valid_x && valid_x->rows == 0)
        return udli_fail(UDL_EINVAL, "dnn: the validation set has no rows");

    udli_net *net = dnn->net;
    const size_t L = net->n_layers, k = n_classes(dnn);
    const size_t bs = dnn->p.train.batch_size < x.rows ? dnn->p.train.batch_size : x.rows;
    trainer t;
    memset(&t, 0, sizeof t);
    t.dnn = dnn;
    t.vx = t.vl = no_rows();
    t.perturb = perturb;
    t.perturb_user = perturb_user;
    t.alpha = alpha;
    const size_t rows = perturb ? 2 * bs : bs; /* a batch and its adversarial copy */
    size_t *order = NULL, n_train = x.rows;
    double *held = NULL;
    if (valid_x) {
        t.vx = *valid_x;
        t.vl = *valid_labels;
    } else if (dnn->p.valid_fraction > 0.0) {
        if ((s = split(dnn, x.rows, &order, &n_train)))
            return s;
        const size_t nv = x.rows - n_train;
        if (!(held = udli_alloc(nv, (x.cols + 1) * sizeof(double), "validation rows"))) {
            free(order);
            return UDL_ENOMEM;
        }
        t.vx = udl_mat_view(held, nv, x.cols);
        t.vl = udl_mat_view(held + nv * x.cols, nv, 1);
        udli_mat_gather(x, order + n_train, nv, t.vx);
        udli_mat_gather(labels, order + n_train, nv, t.vl);
    }
    double drop[MAX_LAYERS];
    for (size_t l = 0; l < L; l++)
        drop[l] = l ? dnn->p.hidden_dropout : dnn->p.input_dropout;
    t.n_blocks = udli_net_blocks(net, t.blocks);
    for (size_t b = 0; b < t.n_blocks; b++)
        t.n_params += t.blocks[b].n;
    if ((s = udli_net_ws_alloc(net, rows, &t.ws)) ||
        (s = udli_net_ws_dropout(net, &t.ws, drop)))
        goto done;
    if (!(t.onehot = udli_alloc(rows, k * sizeof(double), "one-hot labels")) ||
        (perturb && !(t.mixed = udli_alloc(rows, (x.cols + 1) * sizeof(double),
                                           "adversarial batch"))) ||
        (t.vx.rows && dnn->p.patience &&
         !(t.best = udli_alloc(t.n_params, sizeof(double), "best parameters")))) {
        s = UDL_ENOMEM;
        goto done;
    }
    udli_train_spec spec = {.x = x, .y = labels, .params = dnn->p.train, .blocks = t.blocks,
                            .n_blocks = t.n_blocks, .batch = batch_gradient, .model = &t,
                            .rng = &dnn->rng, .stage = "dnn", .progress = progress,
                            .user = user, .history = &dnn->history, .epoch_end = epoch_end,
                            .subset = order, .n_subset = n_train};
    s = udli_train(&spec, NULL);
    /* a caller that stops training (a time limit) keeps the best epoch so far too */
    if ((!s || s == UDL_ECANCELED) && t.have_best)
        params_copy(&t, 1);
done:
    udli_net_ws_free(&t.ws);
    free(t.onehot);
    free(t.mixed);
    free(t.best);
    free(order);
    free(held);
    return s;
}

/* ---- use ----------------------------------------------------------------------------------- */

UDL_API udl_status udl_dnn_predict(const udl_dnn *dnn, udl_mat x, udl_mat labels)
{
    udl_status s = check_x(dnn, x, "dnn predict: X");
    if (s || (s = udli_mat_check_output(labels, x.rows, 1, "dnn predict: labels")))
        return s;
    return run_eval(dnn, x, no_rows(), labels, NULL, NULL, NULL);
}

UDL_API udl_status udl_dnn_predict_proba(const udl_dnn *dnn, udl_mat x, udl_mat p)
{
    udl_status s = check_x(dnn, x, "dnn predict_proba: X");
    if (s || (s = udli_mat_check_output(p, x.rows, n_classes(dnn), "dnn predict_proba: P")))
        return s;
    return udli_net_apply(dnn->net, x, dnn->net->n_layers, 1, p);
}

UDL_API udl_status udl_dnn_hidden(const udl_dnn *dnn, udl_mat x, size_t layer, udl_mat h)
{
    udl_status s = check_x(dnn, x, "dnn hidden: X");
    if (s)
        return s;
    if (layer >= n_hidden(dnn))
        return udli_fail(UDL_EINVAL, "dnn hidden: layer %zu, but the net has %zu hidden layers",
                         layer, n_hidden(dnn));
    if ((s = udli_mat_check_output(h, x.rows, dnn->net->sizes[layer + 1], "dnn hidden: H")))
        return s;
    return udli_net_apply(dnn->net, x, layer + 1, 1, h);
}

UDL_API udl_status udl_dnn_evaluate(const udl_dnn *dnn, udl_mat x, udl_mat labels,
                                    udl_dnn_eval *result, size_t *confusion,
                                    double *class_accuracy)
{
    udl_status s = check_x(dnn, x, "dnn evaluate: X");
    if (s || (s = check_labels(labels, x.rows, n_classes(dnn), "dnn evaluate: labels")))
        return s;
    if (!result)
        return udli_fail(UDL_EINVAL, "dnn evaluate: result is NULL");
    if (x.rows == 0)
        return udli_fail(UDL_EINVAL, "dnn evaluate: X has no rows");
    const size_t k = n_classes(dnn);
    size_t *counts = confusion;
    if (!counts && class_accuracy &&
        !(counts = udli_alloc(k * k, sizeof(size_t), "confusion matrix")))
        return UDL_ENOMEM;
    if (counts)
        memset(counts, 0, k * k * sizeof(size_t));
    double loss;
    size_t errors;
    if (!(s = run_eval(dnn, x, labels, no_rows(), counts, &loss, &errors))) {
        result->n = x.rows;
        result->loss = loss / (double)x.rows;
        result->accuracy = 1.0 - (double)errors / (double)x.rows;
        for (size_t c = 0; class_accuracy && c < k; c++) {
            size_t total = 0;
            for (size_t j = 0; j < k; j++)
                total += counts[c * k + j];
            class_accuracy[c] = total ? (double)counts[c * k + c] / (double)total : NAN;
        }
    }
    if (counts != confusion)
        free(counts);
    return s;
}

/* ---- input gradients --------------------------------------------------------------------- */

/* Rows per pass of the input gradients: the engine's block, big enough for efficient
 * products. */
#define GRAD_ROWS UDLI_NET_BLOCK_ROWS

/* For each block of rows: forward to upto, fill the gradient of the wanted function with
 * respect to what forward returned, and backpropagate it to the input. */
typedef void (*top_fn)(udl_mat top, udl_mat xb, size_t first, udl_mat dtop, void *user);

static udl_status input_gradient(const udl_dnn *dnn, udl_mat x, size_t upto, top_fn fn,
                                 void *user, udl_mat dx)
{
    udli_net_ws ws;
    udl_status s = udli_net_ws_alloc(dnn->net, x.rows < GRAD_ROWS ? x.rows : GRAD_ROWS, &ws);
    if (s)
        return s;
    for (size_t first = 0; first < x.rows; first += GRAD_ROWS) {
        udl_mat xb = udl_mat_rows(x, first, GRAD_ROWS);
        udl_mat top = udli_net_forward(dnn->net, &ws, xb, upto);
        udl_mat dtop = udli_net_delta(&ws, xb.rows, top.cols);
        fn(top, xb, first, dtop, user);
        udli_net_input_gradient(dnn->net, &ws, xb, upto, dtop, udl_mat_rows(dx, first, xb.rows));
    }
    udli_net_ws_free(&ws);
    return UDL_OK;
}

typedef struct loss_top {
    udl_mat labels;
    double sum;
} loss_top;

static void loss_delta(udl_mat logits, udl_mat xb, size_t first, udl_mat dtop, void *user)
{
    (void)xb;
    loss_top *l = user;
    /* one-hot targets written into dtop, which the loss then overwrites with its delta */
    one_hot(dtop, udl_mat_rows(l->labels, first, logits.rows));
    l->sum += udli_loss_eval(UDL_LOSS_SOFTMAX_CROSS_ENTROPY, UDL_ACT_SOFTMAX, logits, dtop,
                             &dtop, 1.0);
}

UDL_API udl_status udl_dnn_input_gradient(const udl_dnn *dnn, udl_mat x, udl_mat labels,
                                          udl_mat dx, double *loss)
{
    udl_status s = check_x(dnn, x, "dnn input_gradient: X");
    if (s || (s = check_labels(labels, x.rows, n_classes(dnn), "dnn input_gradient: labels")) ||
        (s = udli_mat_check_output(dx, x.rows, x.cols, "dnn input_gradient: dX")))
        return s;
    if (x.rows == 0)
        return udli_fail(UDL_EINVAL, "dnn input_gradient: X has no rows");
    loss_top l = {labels, 0.0};
    if ((s = input_gradient(dnn, x, dnn->net->n_layers, loss_delta, &l, dx)))
        return s;
    if (loss)
        *loss = l.sum / (double)x.rows;
    return UDL_OK;
}

typedef struct unit_top {
    size_t unit;
    double *value;
} unit_top;

static void unit_delta(udl_mat top, udl_mat xb, size_t first, udl_mat dtop, void *user)
{
    (void)xb;
    unit_top *u = user;
    unit_rows(dtop, u->unit);
    for (size_t i = 0; u->value && i < top.rows; i++)
        u->value[first + i] = top.data[i * top.ld + u->unit];
}

UDL_API udl_status udl_dnn_unit_gradient(const udl_dnn *dnn, udl_mat x, size_t layer,
                                         size_t unit, udl_mat dx, double *value)
{
    udl_status s = check_x(dnn, x, "dnn unit_gradient: X");
    if (s || (s = udli_mat_check_output(dx, x.rows, x.cols, "dnn unit_gradient: dX")))
        return s;
    if (layer > n_hidden(dnn))
        return udli_fail(UDL_EINVAL, "dnn unit_gradient: layer %zu, but the net's layers are 0 "
                         "to %zu (%zu is the output)", layer, n_hidden(dnn), n_hidden(dnn));
    if (unit >= dnn->net->sizes[layer + 1])
        return udli_fail(UDL_EINVAL, "dnn unit_gradient: unit %zu, but layer %zu has %zu units",
                         unit, layer, dnn->net->sizes[layer + 1]);
    unit_top u = {unit, value};
    return input_gradient(dnn, x, layer + 1, unit_delta, &u, dx);
}

udl_status udli_dnn_score_gradients(const udl_dnn *dnn, udl_mat x, double *grads,
                                    double *scores)
{
    const udli_net *net = dnn->net;
    const size_t n = x.rows, d = x.cols, k = n_classes(dnn), L = net->n_layers;
    udli_net_ws ws;
    udl_status s = udli_net_ws_alloc(net, n, &ws);
    if (s)
        return s;
    udl_mat top = udli_net_forward(net, &ws, x, L);
    for (size_t i = 0; i < n; i++)
        for (size_t c = 0; c < k; c++)
            scores[c * n + i] = top.data[i * top.ld + c];
    /* the activations stay as forward left them: one backward pass per class */
    for (size_t c = 0; c < k; c++) {
        udl_mat dtop = udli_net_delta(&ws, n, k);
        unit_rows(dtop, c);
        udli_net_input_gradient(net, &ws, x, L, dtop, udl_mat_view(grads + c * n * d, n, d));
    }
    udli_net_ws_free(&ws);
    return UDL_OK;
}

/* ---- inspection ---------------------------------------------------------------------------- */

UDL_API const size_t *udl_dnn_sizes(const udl_dnn *dnn, size_t *n_sizes)
{
    if (n_sizes)
        *n_sizes = dnn ? dnn->net->n_layers + 1 : 0;
    return dnn ? dnn->net->sizes : NULL;
}

UDL_API const double *udl_dnn_weights(const udl_dnn *dnn, size_t layer)
{
    return dnn && layer < dnn->net->n_layers ? dnn->net->w[layer] : NULL;
}

UDL_API const double *udl_dnn_bias(const udl_dnn *dnn, size_t layer)
{
    return dnn && layer < dnn->net->n_layers ? dnn->net->b[layer] : NULL;
}

UDL_API const double *udl_dnn_history(const udl_dnn *dnn, size_t *n_epochs)
{
    if (n_epochs)
        *n_epochs = dnn ? dnn->history.n : 0;
    return dnn ? dnn->history.loss : NULL;
}

UDL_API void udl_dnn_valid_history(const udl_dnn *dnn, const double **loss,
                                   const double **error, size_t *n_epochs)
{
    if (loss)
        *loss = dnn ? dnn->valid_loss.loss : NULL;
    if (error)
        *error = dnn ? dnn->valid_error.loss : NULL;
    if (n_epochs)
        *n_epochs = dnn ? dnn->valid_loss.n : 0;
}

UDL_API udl_dnn_params udl_dnn_get_params(const udl_dnn *dnn)
{
    return dnn ? dnn->p : udl_dnn_params_default();
}

UDL_API udl_status udl_dnn_set_params(udl_dnn *dnn, const udl_dnn_params *params)
{
    if (!dnn)
        return udli_fail(UDL_EINVAL, "dnn: model is NULL");
    udl_status s = check_params(params);
    if (s)
        return s;
    if (params->activation != dnn->p.activation)
        return udli_fail(UDL_EINVAL, "dnn: the activation is part of the net (%s) and cannot "
                         "change", udl_activation_name(dnn->p.activation));
    if (params->train.seed != dnn->p.train.seed)
        udli_rng_seed(&dnn->rng, params->train.seed);
    dnn->p = *params;
    return UDL_OK;
}

/* ---- files ----------------------------------------------------------------------------------- */

/* Epochs trained without a validation set are stored as -1 (model files hold finite
 * numbers only). */
static void record_valid(const udli_history *h, const char *name, udli_record *r,
                         double *scratch)
{
    for (size_t i = 0; i < h->n; i++)
        scratch[i] = isnan(h->loss[i]) ? -1.0 : h->loss[i];
    udli_record_matrix(r, name, 1, h->n, scratch);
}

UDL_API udl_status udl_dnn_save(const udl_dnn *dnn, const char *path)
{
    if (!dnn)
        return udli_fail(UDL_EINVAL, "dnn save: model is NULL");
    const size_t n = dnn->history.n;
    double *scratch = udli_alloc(2 * n + 1, sizeof(double), "validation history");
    if (!scratch)
        return UDL_ENOMEM;
    udli_record r;
    udli_record_init(&r);
    udli_record_u64(&r, "activation", (uint64_t)dnn->p.activation);
    udli_record_f64(&r, "input_dropout", dnn->p.input_dropout);
    udli_record_f64(&r, "hidden_dropout", dnn->p.hidden_dropout);
    udli_record_f64(&r, "valid_fraction", dnn->p.valid_fraction);
    udli_record_u64(&r, "patience", dnn->p.patience);
    udli_train_params_record(&dnn->p.train, &r);
    udli_net_record(dnn->net, &r);
    udli_history_record(&dnn->history, "history", &r);
    record_valid(&dnn->valid_loss, "valid_loss", &r, scratch);
    record_valid(&dnn->valid_error, "valid_error", &r, scratch + n);
    udl_status s = udli_record_save(&r, path, UDL_KIND_DNN);
    free(scratch);
    return s;
}

static udl_status read_valid(const udli_container *c, const char *name, double max, size_t n,
                             udli_history *h)
{
    udl_status s = udli_history_read(c, name, h);
    if (s)
        return s;
    const char *path = udli_container_path(c);
    if (h->n != n)
        return udli_fail(UDL_EFORMAT, "%s: %s has %zu epochs, the training history %zu", path,
                         name, h->n, n);
    for (size_t i = 0; i < n; i++) {
        double v = h->loss[i];
        if (v == -1.0)
            h->loss[i] = NAN;
        else if (!(v >= 0.0 && v <= max))
            return udli_fail(UDL_EFORMAT, "%s: %s[%zu] is %g", path, name, i, v);
    }
    return UDL_OK;
}

/* What every later call relies on: hidden layers of one allowed activation under a
 * softmax layer of at least two classes, no ties. */
static udl_status check_net(const udli_net *net, udl_activation act, const char *path)
{
    const size_t L = net->n_layers;
    if (L > MAX_LAYERS)
        return udli_fail(UDL_EFORMAT, "%s: %zu layers; a dnn has at most %d", path, L,
                         MAX_LAYERS);
    for (size_t l = 0; l < L; l++) {
        udl_activation want = l + 1 < L ? act : UDL_ACT_SOFTMAX;
        if (net->tied[l] >= 0 || net->act[l] != want)
            return udli_fail(UDL_EFORMAT, "%s: layer %zu is %s%s; in this dnn it must be %s and "
                             "untied", path, l, net->tied[l] >= 0 ? "tied, " : "",
                             udl_activation_name(net->act[l]), udl_activation_name(want));
    }
    if (net->sizes[L] < 2)
        return udli_fail(UDL_EFORMAT, "%s: the output layer has %zu class; a dnn needs at "
                         "least 2", path, net->sizes[L]);
    return UDL_OK;
}

static udl_status dnn_read(udli_container *c, udl_dnn **out)
{
    *out = NULL;
    const char *path = udli_container_path(c);
    udl_dnn_params p = udl_dnn_params_default();
    int act;
    udl_status s;
    if ((s = udli_container_int(c, "activation", 0, UDL_ACT_SOFTMAX, &act)) ||
        (s = udli_container_f64(c, "input_dropout", 0.0, 1.0, &p.input_dropout)) ||
        (s = udli_container_f64(c, "hidden_dropout", 0.0, 1.0, &p.hidden_dropout)) ||
        (s = udli_container_f64(c, "valid_fraction", 0.0, 1.0, &p.valid_fraction)) ||
        (s = udli_container_size(c, "patience", 0, UDL_MAX_EPOCHS, &p.patience)) ||
        (s = udli_train_params_read(c, &p.train)))
        return s;
    p.activation = (udl_activation)act;
    if (check_params(&p))
        return udli_fail(UDL_EFORMAT, "%s: the dnn parameters are invalid: %s", path,
                         udl_last_error());
    udli_net *net;
    if ((s = udli_net_read(c, NULL, &net)))
        return s;
    if ((s = check_net(net, p.activation, path))) {
        udli_net_free(net);
        return s;
    }
    udl_dnn *dnn;
    if ((s = wrap(&p, net, &dnn)))
        return s;
    if ((s = udli_history_read(c, "history", &dnn->history)) ||
        (s = read_valid(c, "valid_loss", INFINITY, dnn->history.n, &dnn->valid_loss)) ||
        (s = read_valid(c, "valid_error", 1.0, dnn->history.n, &dnn->valid_error))) {
        udl_dnn_free(dnn);
        return s;
    }
    udli_rng_seed_resumed(&dnn->rng, p.train.seed, dnn->history.n);
    *out = dnn;
    return UDL_OK;
}

UDL_API udl_status udl_dnn_load(const char *path, udl_dnn **out)
{
    if (!out)
        return udli_fail(UDL_EINVAL, "dnn load: out is NULL");
    return udli_kind_load(path, UDL_KIND_DNN, (void **)out);
}

/* ---- the registry's row ---------------------------------------------------------------- */

static udl_status row_read(udli_container *c, void **m) { return dnn_read(c, (udl_dnn **)m); }
static udl_status row_save(const void *m, const char *path) { return udl_dnn_save(m, path); }
static void row_free(void *m) { udl_dnn_free(m); }
static size_t row_inputs(const void *m) { return ((const udl_dnn *)m)->net->sizes[0]; }
static size_t row_codes(const void *m)
{
    const udli_net *net = ((const udl_dnn *)m)->net;
    return net->sizes[net->n_layers - 1];
}
static size_t row_outputs(const void *m) { return n_classes(m); }
/* The top hidden layer's activations (the inputs themselves for a net without one). */
static udl_status row_encode(const void *m, udl_mat x, udl_mat z)
{
    const udl_dnn *dnn = m;
    if (n_hidden(dnn))
        return udl_dnn_hidden(dnn, x, n_hidden(dnn) - 1, z);
    udl_status s = check_x(dnn, x, "dnn encode: X");
    if (s || (s = udli_mat_check_output(z, x.rows, x.cols, "dnn encode: Z")))
        return s;
    udli_mat_copy(x, z);
    return UDL_OK;
}
static udl_status row_predict(const void *m, udl_mat x, udl_mat y)
{
    return udl_dnn_predict_proba(m, x, y);
}
static udl_status row_get_train(const void *m, udl_train_params *p)
{
    *p = ((const udl_dnn *)m)->p.train;
    return UDL_OK;
}
static udl_status row_set_train(void *m, const udl_train_params *p)
{
    udl_dnn_params params = ((udl_dnn *)m)->p;
    if (!p)
        return udli_fail(UDL_EINVAL, "dnn: training parameters are NULL");
    params.train = *p;
    return udl_dnn_set_params(m, &params);
}

static udl_status row_net(const void *m, udli_net **out)
{
    const udli_net *net = ((const udl_dnn *)m)->net, *nets[MAX_LAYERS];
    size_t layers[MAX_LAYERS];
    for (size_t l = 0; l < net->n_layers; l++) {
        nets[l] = net;
        layers[l] = l;
    }
    return udli_net_gather(nets, layers, net->n_layers, out);
}

static const udli_field_doc docs[] = {
    {"activation", "the activation of the hidden layers (the output layer is softmax)",
     udli_activation_choice, NULL},
    {"input_dropout", "training: the probability of dropping an input", NULL, NULL},
    {"hidden_dropout", "training: the probability of dropping a hidden unit", NULL, NULL},
    {"valid_fraction", "training: the fraction of the rows held out for validation", NULL,
     NULL},
    {"patience", "training: the epochs without a better validation error before stopping "
                 "(0: never)", NULL, NULL},
    {"layers", "the number of layers L: layer l maps h_l to h_{l+1} = act_l(h_l W_l + b_l), "
               "h_0 the input rows; the last is softmax, so h_L holds the class "
               "probabilities", NULL, NULL},
    {"history", "the mean training cross-entropy of each epoch trained, oldest first", NULL,
     NULL},
    {"valid_loss", "the mean validation cross-entropy of each epoch (-1: no validation)",
     NULL, NULL},
    {"valid_error", "the validation error rate of each epoch (-1: no validation)", NULL,
     NULL},
    {"", NULL, NULL, udli_train_field_docs},
    {"", NULL, NULL, udli_net_field_docs},
    {NULL, NULL, NULL, NULL}};

const udli_kind_row udli_dnn_row = {
    UDL_KIND_DNN, "dnn", "deep network", row_read, row_save, row_free, row_inputs, row_codes,
    row_outputs, row_encode, NULL, row_predict, NULL, row_get_train, row_set_train, row_net,
    docs};
