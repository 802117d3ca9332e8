/* Restricted Boltzmann machine (Hinton 2002; Hinton's practical guide 2010). The two
 * conditionals are the two tied layers of a core net: layer 0 maps v to h (W, c) and
 * layer 1 maps h back to v (W^T, b). Training supplies the contrastive-divergence
 * statistics as a gradient to the shared loop and optimizer. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <udl/rbm.h>

#include "core/container.h"
#include "core/error.h"
#include "core/loss.h"
#include "core/model.h"
#include "core/net.h"
#include "core/rng.h"
#include "core/tensor.h"
#include "core/vecmath.h"
#include "core/train.h"
#include "rbm/internal.h"

/* Rows per pass outside training. */
#define BLOCK_ROWS 1024

struct udl_rbm {
    udl_rbm_params p;
    udli_net *net;
    udli_rng rng;
    udli_history history;
    double *chains;   /* PCD: the persistent visible states, batch_size x n_visible */
    size_t n_chains;  /* rows of chains started so far */
    double *scratch;  /* a batch's hidden probabilities and samples, model statistics */
    size_t scratch_rows;
};

/* ---- parameters ----------------------------------------------------------------------- */

UDL_API udl_rbm_params udl_rbm_params_default(void)
{
    udl_rbm_params p;
    memset(&p, 0, sizeof p);
    p.visible = p.hidden = UDL_UNITS_BERNOULLI;
    p.method = UDL_RBM_CD;
    p.k = 1;
    p.train = udl_train_params_default();
    p.train.warmup_epochs = 5;
    p.train.warmup_momentum = 0.5;
    p.train.sgd.weight_decay = 0.0002;
    return p;
}

static udl_activation act_of(udl_units u)
{
    return u == UDL_UNITS_GAUSSIAN ? UDL_ACT_LINEAR : UDL_ACT_SIGMOID;
}

static udl_status check_params(const udl_rbm_params *p)
{
    if (!p)
        return udli_fail(UDL_EINVAL, "rbm: params is NULL");
    if (p->n_visible == 0 || p->n_hidden == 0 || p->n_visible > UDL_MAX_WIDTH ||
        p->n_hidden > UDL_MAX_WIDTH)
        return udli_fail(UDL_EINVAL, "rbm: n_visible and n_hidden must be 1 to %u, got %zu "
                         "and %zu", UDL_MAX_WIDTH, p->n_visible, p->n_hidden);
    if ((unsigned)p->visible > UDL_UNITS_GAUSSIAN)
        return udli_fail(UDL_EINVAL, "rbm: visible units %d are neither Bernoulli (0) nor "
                         "Gaussian (1)", (int)p->visible);
    if ((unsigned)p->hidden > UDL_UNITS_GAUSSIAN)
        return udli_fail(UDL_EINVAL, "rbm: hidden units %d are neither Bernoulli (0) nor "
                         "Gaussian (1)", (int)p->hidden);
    if (p->visible == UDL_UNITS_GAUSSIAN && p->hidden == UDL_UNITS_GAUSSIAN)
        return udli_fail(UDL_EINVAL, "rbm: Gaussian visible and hidden units together have an "
                         "energy with no lower bound; make one side Bernoulli");
    if ((unsigned)p->method > UDL_RBM_PCD)
        return udli_fail(UDL_EINVAL, "rbm: unknown method %d", (int)p->method);
    if (p->k == 0 || p->k > 100000)
        return udli_fail(UDL_EINVAL, "rbm: k (Gibbs steps per update) must be 1 to 100000, "
                         "got %zu", p->k);
    udl_status s = udl_train_params_check(&p->train);
    return s ? udli_fail(s, "rbm: %s", udl_last_error()) : UDL_OK;
}

UDL_API void udl_rbm_free(udl_rbm *rbm)
{
    if (!rbm)
        return;
    udli_net_free(rbm->net);
    udli_history_free(&rbm->history);
    free(rbm->chains);
    free(rbm->scratch);
    free(rbm);
}

/* A model with zero parameters. */
static udl_status alloc_rbm(const udl_rbm_params *p, udl_rbm **out)
{
    udl_status s = check_params(p);
    if (s)
        return s;
    udl_rbm *rbm = udli_calloc(1, sizeof *rbm, "rbm");
    if (!rbm)
        return UDL_ENOMEM;
    rbm->p = *p;
    const size_t sizes[3] = {p->n_visible, p->n_hidden, p->n_visible};
    const udl_activation act[2] = {act_of(p->hidden), act_of(p->visible)};
    const int tied[2] = {-1, 0};
    if ((s = udli_net_create(sizes, act, tied, 2, &rbm->net))) {
        free(rbm);
        return s;
    }
    udli_rng_seed(&rbm->rng, p->train.seed);
    *out = rbm;
    return UDL_OK;
}

UDL_API udl_status udl_rbm_create(const udl_rbm_params *params, udl_rbm **out)
{
    if (!out)
        return udli_fail(UDL_EINVAL, "rbm: out is NULL");
    *out = NULL;
    udl_rbm *rbm;
    udl_status s = alloc_rbm(params, &rbm);
    if (s)
        return s;
    const size_t n = params->n_visible * params->n_hidden;
    for (size_t i = 0; i < n; i++)
        rbm->net->w[0][i] = 0.01 * udli_rng_normal(&rbm->rng);
    *out = rbm;
    return UDL_OK;
}

UDL_API udl_status udl_rbm_set_params(udl_rbm *rbm, const udl_rbm_params *params)
{
    if (!rbm)
        return udli_fail(UDL_EINVAL, "rbm: model is NULL");
    udl_status s = check_params(params);
    if (s)
        return s;
    if (params->n_visible != rbm->p.n_visible || params->n_hidden != rbm->p.n_hidden ||
        params->visible != rbm->p.visible || params->hidden != rbm->p.hidden)
        return udli_fail(UDL_EINVAL, "rbm: the sizes and units are fixed (%zu %s visible, %zu "
                         "%s hidden)", rbm->p.n_visible, udli_units_name(rbm->p.visible),
                         rbm->p.n_hidden, udli_units_name(rbm->p.hidden));
    if (params->train.seed != rbm->p.train.seed)
        udli_rng_seed(&rbm->rng, params->train.seed);
    if (params->train.batch_size != rbm->p.train.batch_size || params->method != rbm->p.method) {
        free(rbm->chains); /* the persistent chains start again, as many as the new batch */
        rbm->chains = NULL;
        rbm->n_chains = 0;
    }
    rbm->p = *params;
    return UDL_OK;
}

const char *udli_units_name(udl_units u)
{
    return u == UDL_UNITS_GAUSSIAN ? "gaussian" : u == UDL_UNITS_BERNOULLI ? "bernoulli"
                                                                            : "unknown";
}

/* ---- the conditionals and sampling ------------------------------------------------------ */

/* Replaces the means in m by samples: Bernoulli draws, or the mean plus N(0, 1). */
static void sample_units(udli_rng *rng, udl_units units, udl_mat m)
{
    double u[256];
    for (size_t i = 0; i < m.rows; i++) {
        double *r = m.data + i * m.ld;
        if (units == UDL_UNITS_GAUSSIAN) {
            for (size_t j = 0; j < m.cols; j++)
                r[j] += udli_rng_normal(rng);
            continue;
        }
        for (size_t at = 0; at < m.cols; at += 256) {
            const size_t n = m.cols - at < 256 ? m.cols - at : 256;
            udli_rng_uniforms(rng, u, n);
            for (size_t j = 0; j < n; j++)
                r[at + j] = (double)(u[j] < r[at + j]);
        }
    }
}

/* E[h | v] into h, E[v | h] into v: the net's two layers. */
static void hidden_means(const udl_rbm *rbm, udl_mat v, udl_mat h)
{
    udli_net_layer(rbm->net, 0, v, h, 1);
}

static void visible_means(const udl_rbm *rbm, udl_mat h, udl_mat v)
{
    udli_net_layer(rbm->net, 1, h, v, 1);
}

/* One Gibbs step from v (overwritten with the new sample); h is scratch. */
static void gibbs_step(const udl_rbm *rbm, udli_rng *rng, udl_mat v, udl_mat h)
{
    hidden_means(rbm, v, h);
    sample_units(rng, rbm->p.hidden, h);
    visible_means(rbm, h, v);
    sample_units(rng, rbm->p.visible, v);
}

/* ---- the gradient ---------------------------------------------------------------------- */

static udl_status ensure_scratch(udl_rbm *rbm, size_t rows)
{
    if (rbm->scratch && rbm->scratch_rows >= rows)
        return UDL_OK;
    const size_t v = rbm->p.n_visible, h = rbm->p.n_hidden;
    double *s = udli_alloc(rows, (3 * h + 3 * v) * sizeof(double), "rbm batch");
    if (!s)
        return UDL_ENOMEM;
    free(rbm->scratch);
    rbm->scratch = s;
    rbm->scratch_rows = rows;
    return UDL_OK;
}

/* The persistent chains for PCD, started at the first batch seen (Tieleman 2008 starts
 * them at data too). */
static udl_status ensure_chains(udl_rbm *rbm, udl_mat x)
{
    const size_t rows = rbm->p.train.batch_size, v = rbm->p.n_visible;
    if (!rbm->chains) {
        if (!(rbm->chains = udli_alloc(rows, v * sizeof(double), "rbm persistent chains")))
            return UDL_ENOMEM;
        rbm->n_chains = 0;
    }
    for (; rbm->n_chains < rows && rbm->n_chains < x.rows; rbm->n_chains++)
        memcpy(rbm->chains + rbm->n_chains * v, x.data + rbm->n_chains * x.ld,
               v * sizeof(double));
    return UDL_OK;
}

udl_status udli_rbm_gradient(udl_rbm *rbm, udl_mat v0, double *loss)
{
    const size_t n = v0.rows, nv = rbm->p.n_visible, nh = rbm->p.n_hidden;
    udl_status s = ensure_scratch(rbm, n);
    if (s || (rbm->p.method == UDL_RBM_PCD && (s = ensure_chains(rbm, v0))))
        return s;
    /* [ph0; phk] and [v0; vk] lie one above the other, so the two statistics are one
     * product with the data's rows negated (one gemm call, half the threads' waits) */
    double *at = rbm->scratch;
    udl_mat hs = udl_mat_view(at, 2 * n, nh), vs = udl_mat_view(at + 3 * n * nh, 2 * n, nv);
    udl_mat ph0 = udl_mat_rows(hs, 0, n), phk = udl_mat_rows(hs, n, n);
    udl_mat h = udl_mat_view(at + 2 * n * nh, n, nh);
    udl_mat vdata = udl_mat_rows(vs, 0, n), vk = udl_mat_rows(vs, n, n);
    udl_mat recon = udl_mat_view(at + 3 * n * nh + 2 * n * nv, n, nv);
    /* The monitor is the loss of p(v | h) against v0 for h drawn from p(h | v0): for CD
     * that is the chain's first step, so it costs no product of its own. */
    const udl_loss monitor = rbm->p.visible == UDL_UNITS_GAUSSIAN ? UDL_LOSS_SQUARED
                                                                  : UDL_LOSS_CROSS_ENTROPY;
    const int persistent = rbm->p.method == UDL_RBM_PCD && rbm->n_chains >= n;
    hidden_means(rbm, v0, ph0);
    udli_mat_copy(ph0, h);
    sample_units(&rbm->rng, rbm->p.hidden, h);
    if (persistent) {
        udli_net_layer(rbm->net, 1, h, recon, 0);
        *loss = udli_loss_eval(monitor, act_of(rbm->p.visible), recon, v0, NULL, 1.0) /
                (double)n;
        udli_mat_copy(udl_mat_view(rbm->chains, n, nv), vk);
        hidden_means(rbm, vk, h);
        sample_units(&rbm->rng, rbm->p.hidden, h);
    }
    /* k Gibbs steps of the negative phase, from h */
    for (size_t step = 0; step < rbm->p.k; step++) {
        udli_net_layer(rbm->net, 1, h, vk, 0);
        if (step == 0 && !persistent)
            *loss = udli_loss_eval(monitor, act_of(rbm->p.visible), vk, v0, NULL, 1.0) /
                    (double)n;
        udli_net_activate_output(rbm->net, vk, vk);
        sample_units(&rbm->rng, rbm->p.visible, vk);
        hidden_means(rbm, vk, phk);
        if (step + 1 < rbm->p.k) {
            udli_mat_copy(phk, h);
            sample_units(&rbm->rng, rbm->p.hidden, h);
        }
    }
    if (persistent)
        udli_mat_copy(vk, udl_mat_view(rbm->chains, n, nv));
    /* d(-log p)/dW = <v h>_model - <v h>_data, averaged over the batch */
    udli_net *net = rbm->net;
    const double inv = 1.0 / (double)n;
    udli_mat_copy(v0, vdata);
    for (size_t i = 0; i < n * nh; i++)
        ph0.data[i] = -ph0.data[i];
    udl_gemm(UDL_TRANS, UDL_NOTRANS, inv, vs, hs, 0.0, udl_mat_view(net->gw[0], nv, nh));
    udli_col_sums(hs, net->gb[0]);
    udli_col_sums(vk, net->gb[1]);
    double *pos_v = recon.data; /* scratch reused for the data's sums */
    udli_col_sums(v0, pos_v);
    for (size_t j = 0; j < nh; j++)
        net->gb[0][j] *= inv;
    for (size_t i = 0; i < nv; i++)
        net->gb[1][i] = (net->gb[1][i] - pos_v[i]) * inv;
    return UDL_OK;
}

static udl_status batch(void *model, udl_mat x, udl_mat y, double *loss)
{
    (void)y;
    return udli_rbm_gradient(model, x, loss);
}

/* ---- training -------------------------------------------------------------------------- */

static udl_status check_data(const udl_rbm *rbm, udl_mat x, size_t cols, const char *name)
{
    udl_status s = udli_mat_check_data(x, cols, name);
    if (s || rbm->p.visible == UDL_UNITS_GAUSSIAN || cols != rbm->p.n_visible)
        return s;
    return udli_loss_check_targets(UDL_LOSS_CROSS_ENTROPY, x, name);
}

UDL_API udl_status udl_rbm_train(udl_rbm *rbm, udl_mat x, udl_progress_fn progress, void *user)
{
    if (!rbm)
        return udli_fail(UDL_EINVAL, "rbm: model is NULL");
    udl_status s = check_data(rbm, x, rbm->p.n_visible, "rbm: X");
    if (s)
        return s;
    udli_param_block blocks[3];
    size_t n_blocks = udli_net_blocks(rbm->net, blocks);
    udli_train_spec spec = {.x = x, .params = rbm->p.train, .blocks = blocks,
                            .n_blocks = n_blocks, .batch = batch, .model = rbm,
                            .rng = &rbm->rng, .stage = "rbm", .progress = progress,
                            .user = user, .history = &rbm->history};
    return udli_train(&spec, NULL);
}

/* ---- using the model ------------------------------------------------------------------- */

UDL_API udl_status udl_rbm_transform(const udl_rbm *rbm, udl_mat x, udl_mat h)
{
    if (!rbm)
        return udli_fail(UDL_EINVAL, "rbm: model is NULL");
    udl_status s = check_data(rbm, x, rbm->p.n_visible, "rbm transform: X");
    if (s || (s = udli_mat_check_output(h, x.rows, rbm->p.n_hidden, "rbm transform: H")))
        return s;
    return udli_net_apply(rbm->net, x, 1, 0, h);
}

UDL_API udl_status udl_rbm_visible_means(const udl_rbm *rbm, udl_mat h, udl_mat v)
{
    if (!rbm)
        return udli_fail(UDL_EINVAL, "rbm: model is NULL");
    udl_status s = udli_mat_check_data(h, rbm->p.n_hidden, "rbm visible means: H");
    if (s || (s = udli_mat_check_output(v, h.rows, rbm->p.n_visible, "rbm visible means: V")))
        return s;
    visible_means(rbm, h, v);
    return UDL_OK;
}

UDL_API udl_status udl_rbm_reconstruct(const udl_rbm *rbm, udl_mat x, udl_mat xhat)
{
    if (!rbm)
        return udli_fail(UDL_EINVAL, "rbm: model is NULL");
    udl_status s = check_data(rbm, x, rbm->p.n_visible, "rbm reconstruct: X");
    if (s || (s = udli_mat_check_output(xhat, x.rows, rbm->p.n_visible, "rbm reconstruct: X^")))
        return s;
    return udli_net_apply(rbm->net, x, 2, 1, xhat);
}

/* F(v) for the rows of v, from the hidden pre-activations a (scratch, v.rows x H):
 * the visible term (-b'v, or |v - b|^2 / 2 for Gaussian units) minus, per hidden unit,
 * softplus(a_j) for Bernoulli units or (a_j^2 - c_j^2 + log 2 pi) / 2 for Gaussian ones. */
static void free_energy_rows(const udl_rbm *rbm, udl_mat v, udl_mat a, double *f)
{
    const double *b = rbm->net->b[1], *c = rbm->net->b[0];
    udli_net_layer(rbm->net, 0, v, a, 0);
    const int gaussian_hidden = rbm->p.hidden == UDL_UNITS_GAUSSIAN;
    for (size_t i = 0; i < v.rows; i++) {
        const double *vi = v.data + i * v.ld;
        double *ai = a.data + i * a.ld, e = 0.0;
        for (size_t k = 0; k < v.cols; k++)
            e += rbm->p.visible == UDL_UNITS_GAUSSIAN ? 0.5 * (vi[k] - b[k]) * (vi[k] - b[k])
                                                      : -b[k] * vi[k];
        if (!gaussian_hidden)
            udli_softplus_lanes(ai, 1.0, ai, a.cols);
        for (size_t j = 0; j < a.cols; j++)
            e -= gaussian_hidden ? 0.5 * (ai[j] * ai[j] - c[j] * c[j] + UDLI_LOG_2PI) : ai[j];
        f[i] = e;
    }
}

UDL_API udl_status udl_rbm_free_energy(const udl_rbm *rbm, udl_mat x, double *f)
{
    if (!rbm || !f)
        return udli_fail(UDL_EINVAL, "rbm free energy: model or f is NULL");
    udl_status s = check_data(rbm, x, rbm->p.n_visible, "rbm free energy: X");
    if (s)
        return s;
    double *a = udli_alloc(BLOCK_ROWS, rbm->p.n_hidden * sizeof(double), "rbm free energy");
    if (!a)
        return UDL_ENOMEM;
    for (size_t first = 0; first < x.rows; first += BLOCK_ROWS) {
        udl_mat xb = udl_mat_rows(x, first, BLOCK_ROWS);
        free_energy_rows(rbm, xb, udl_mat_view(a, xb.rows, rbm->p.n_hidden), f + first);
    }
    free(a);
    return UDL_OK;
}

UDL_API udl_status udl_rbm_reconstruction_error(const udl_rbm *rbm, udl_mat x, double *err)
{
    if (!rbm || !err)
        return udli_fail(UDL_EINVAL, "rbm reconstruction error: model or err is NULL");
    udl_status s = check_data(rbm, x, rbm->p.n_visible, "rbm reconstruction error: X");
    if (s)
        return s;
    if (x.rows == 0)
        return udli_fail(UDL_EINVAL, "rbm reconstruction error: X has no rows");
    double sum;
    udl_loss loss = rbm->p.visible == UDL_UNITS_GAUSSIAN ? UDL_LOSS_SQUARED
                                                         : UDL_LOSS_CROSS_ENTROPY;
    if (!(s = udli_net_loss(rbm->net, loss, x, x, &sum)))
        *err = sum / (double)x.rows;
    return s;
}

UDL_API udl_status udl_rbm_pseudo_likelihood(const udl_rbm *rbm, udl_mat x, uint64_t seed,
                                             double *pll)
{
    if (!rbm || !pll)
        return udli_fail(UDL_EINVAL, "rbm pseudo-likelihood: model or pll is NULL");
    if (rbm->p.visible != UDL_UNITS_BERNOULLI)
        return udli_fail(UDL_EINVAL, "rbm pseudo-likelihood: needs Bernoulli visible units");
    udl_status s = check_data(rbm, x, rbm->p.n_visible, "rbm pseudo-likelihood: X");
    if (s)
        return s;
    if (x.rows == 0)
        return udli_fail(UDL_EINVAL, "rbm pseudo-likelihood: X has no rows");
    const size_t nv = rbm->p.n_visible, nh = rbm->p.n_hidden, rows = BLOCK_ROWS;
    double *buf = udli_alloc(rows, (nv + nh + 2) * sizeof(double), "rbm pseudo-likelihood");
    if (!buf)
        return UDL_ENOMEM;
    udli_rng rng;
    udli_rng_seed(&rng, seed);
    double sum = 0.0, *f = buf + rows * (nv + nh), *g = f + rows;
    for (size_t first = 0; first < x.rows; first += rows) {
        udl_mat xb = udl_mat_rows(x, first, rows);
        udl_mat flipped = udl_mat_view(buf, xb.rows, nv), a = udl_mat_view(buf + rows * nv,
                                                                           xb.rows, nh);
        free_energy_rows(rbm, xb, a, f);
        udli_mat_copy(xb, flipped);
        for (size_t i = 0; i < xb.rows; i++) { /* flip one unit: a probability p -> 1 - p */
            double *u = flipped.data + i * nv + udli_rng_below(&rng, nv);
            *u = 1.0 - *u;
        }
        free_energy_rows(rbm, flipped, a, g);
        for (size_t i = 0; i < xb.rows; i++) { /* nv * log sigmoid(F(x~) - F(x)) */
            double d = g[i] - f[i];
            sum -= (double)nv * (fmax(-d, 0.0) + log1p(exp(-fabs(d))));
        }
    }
    free(buf);
    *pll = sum / (double)x.rows;
    return UDL_OK;
}

UDL_API udl_status udl_rbm_gibbs(const udl_rbm *rbm, udl_mat v, size_t n_steps, uint64_t seed)
{
    if (!rbm)
        return udli_fail(UDL_EINVAL, "rbm gibbs: model is NULL");
    udl_status s = check_data(rbm, v, rbm->p.n_visible, "rbm gibbs: V");
    if (s)
        return s;
    double *h = udli_alloc(v.rows, rbm->p.n_hidden * sizeof(double), "rbm gibbs");
    if (!h)
        return UDL_ENOMEM;
    udli_rng rng;
    udli_rng_seed(&rng, seed);
    for (size_t step = 0; step < n_steps; step++)
        gibbs_step(rbm, &rng, v, udl_mat_view(h, v.rows, rbm->p.n_hidden));
    free(h);
    return UDL_OK;
}

/* h's unit clamp[i] of row i set to 1, for every row. */
static void clamp_units(udl_mat h, const size_t *clamp)
{
    for (size_t i = 0; clamp && i < h.rows; i++)
        h.data[i * h.ld + clamp[i]] = 1.0;
}

UDL_API udl_status udl_rbm_sample(const udl_rbm *rbm, udl_mat v, size_t n_steps, uint64_t seed)
{
    return udli_rbm_sample_clamped(rbm, v, n_steps, seed, NULL);
}

udl_status udli_rbm_sample_clamped(const udl_rbm *rbm, udl_mat v, size_t n_steps, uint64_t seed,
                                   const size_t *clamp)
{
    if (!rbm)
        return udli_fail(UDL_EINVAL, "rbm sample: model is NULL");
    udl_status s = udli_mat_check(v, "rbm sample: V");
    if (s)
        return s;
    if (v.cols != rbm->p.n_visible)
        return udli_fail(UDL_ESHAPE, "rbm sample: V has %zu columns, the model has %zu visible "
                         "units", v.cols, rbm->p.n_visible);
    if (n_steps == 0)
        return udli_fail(UDL_EINVAL, "rbm sample: n_steps must be at least 1");
    udli_rng rng;
    udli_rng_seed(&rng, seed ^ 0x5851f42d4c957f2dULL);
    for (size_t i = 0; i < v.rows; i++)
        for (size_t j = 0; j < v.cols; j++)
            v.data[i * v.ld + j] = rbm->p.visible == UDL_UNITS_GAUSSIAN
                                       ? udli_rng_normal(&rng)
                                       : (double)(udli_rng_uniform(&rng) < 0.5);
    double *h = udli_alloc(v.rows, rbm->p.n_hidden * sizeof(double), "rbm sample");
    if (!h)
        return UDL_ENOMEM;
    udl_mat hm = udl_mat_view(h, v.rows, rbm->p.n_hidden);
    for (size_t step = 0; step < n_steps; step++) {
        hidden_means(rbm, v, hm);
        sample_units(&rng, rbm->p.hidden, hm);
        clamp_units(hm, clamp);
        visible_means(rbm, hm, v);
        /* the last step ends at the visible means: smoother pictures, the same chain */
        if (step + 1 < n_steps)
            sample_units(&rng, rbm->p.visible, v);
    }
    free(h);
    return UDL_OK;
}

UDL_API const double *udl_rbm_history(const udl_rbm *rbm, size_t *n_epochs)
{
    if (n_epochs)
        *n_epochs = rbm ? rbm->history.n : 0;
    return rbm ? rbm->history.loss : NULL;
}

UDL_API udl_rbm_params udl_rbm_get_params(const udl_rbm *rbm)
{
    return rbm ? rbm->p : udl_rbm_params_default();
}

UDL_API const double *udl_rbm_weights(const udl_rbm *rbm) { return rbm ? rbm->net->w[0] : NULL; }
UDL_API const double *udl_rbm_visible_bias(const udl_rbm *rbm)
{
    return rbm ? rbm->net->b[1] : NULL;
}
UDL_API const double *udl_rbm_hidden_bias(const udl_rbm *rbm)
{
    return rbm ? rbm->net->b[0] : NULL;
}

const udli_net *udli_rbm_net(const udl_rbm *rbm) { return rbm->net; }

/* ---- files ------------------------------------------------------------------------------ */

void udli_rbm_record(const udl_rbm *rbm, udli_record *r)
{
    const udl_rbm_params *p = &rbm->p;
    udli_record_u64(r, "n_visible", p->n_visible);
    udli_record_u64(r, "n_hidden", p->n_hidden);
    udli_record_u64(r, "visible", (uint64_t)p->visible);
    udli_record_u64(r, "hidden", (uint64_t)p->hidden);
    udli_record_u64(r, "method", (uint64_t)p->method);
    udli_record_u64(r, "k", p->k);
    udli_train_params_record(&p->train, r);
    udli_record_matrix(r, "W", p->n_visible, p->n_hidden, rbm->net->w[0]);
    udli_record_matrix(r, "b", 1, p->n_visible, rbm->net->b[1]);
    udli_record_matrix(r, "c", 1, p->n_hidden, rbm->net->b[0]);
    udli_history_record(&rbm->history, "history", r);
}

udl_status udli_rbm_read(udli_container *c, udl_rbm **out)
{
    *out = NULL;
    udl_rbm_params p = udl_rbm_params_default();
    int visible, hidden, method;
    udli_block w, b, cb;
    udl_status s;
    if ((s = udli_container_size(c, "n_visible", 1, UDL_MAX_WIDTH, &p.n_visible)) ||
        (s = udli_container_size(c, "n_hidden", 1, UDL_MAX_WIDTH, &p.n_hidden)) ||
        (s = udli_container_int(c, "visible", 0, UDL_UNITS_GAUSSIAN, &visible)) ||
        (s = udli_container_int(c, "hidden", 0, UDL_UNITS_GAUSSIAN, &hidden)) ||
        (s = udli_container_int(c, "method", 0, UDL_RBM_PCD, &method)) ||
        (s = udli_container_size(c, "k", 1, 100000, &p.k)) ||
        (s = udli_train_params_read(c, &p.train)) ||
        (s = udli_container_matrix(c, "W", p.n_visible, p.n_hidden, &w)) ||
        (s = udli_container_matrix(c, "b", 1, p.n_visible, &b)) ||
        (s = udli_container_matrix(c, "c", 1, p.n_hidden, &cb)))
        return s;
    p.visible = (udl_units)visible;
    p.hidden = (udl_units)hidden;
    p.method = (udl_rbm_method)method;
    if (check_params(&p))
        return udli_fail(UDL_EFORMAT, "%s: the RBM's parameters are invalid: %s",
                         udli_container_path(c), udl_last_error());
    udl_rbm *rbm;
    if ((s = alloc_rbm(&p, &rbm)))
        return s;
    memcpy(rbm->net->w[0], w.data, p.n_visible * p.n_hidden * sizeof(double));
    memcpy(rbm->net->b[1], b.data, p.n_visible * sizeof(double));
    memcpy(rbm->net->b[0], cb.data, p.n_hidden * sizeof(double));
    if ((s = udli_history_read(c, "history", &rbm->history))) {
        udl_rbm_free(rbm);
        return s;
    }
    udli_rng_seed_resumed(&rbm->rng, p.train.seed, rbm->history.n);
    *out = rbm;
    return UDL_OK;
}

UDL_API udl_status udl_rbm_save(const udl_rbm *rbm, const char *path)
{
    if (!rbm)
        return udli_fail(UDL_EINVAL, "rbm save: model is NULL");
    udli_record r;
    udli_record_init(&r);
    udli_rbm_record(rbm, &r);
    return udli_record_save(&r, path, UDL_KIND_RBM);
}

UDL_API udl_status udl_rbm_load(const char *path, udl_rbm **out)
{
    if (!out)
        return udli_fail(UDL_EINVAL, "rbm load: out is NULL");
    return udli_kind_load(path, UDL_KIND_RBM, (void **)out);
}

/* ---- the registry's row ---------------------------------------------------------------- */

static udl_status row_read(udli_container *c, void **m) { return udli_rbm_read(c, (udl_rbm **)m); }
static udl_status row_save(const void *m, const char *path) { return udl_rbm_save(m, path); }
static void row_free(void *m) { udl_rbm_free(m); }
static size_t row_inputs(const void *m) { return ((const udl_rbm *)m)->p.n_visible; }
static size_t row_codes(const void *m) { return ((const udl_rbm *)m)->p.n_hidden; }
static udl_status row_encode(const void *m, udl_mat x, udl_mat z)
{
    return udl_rbm_transform(m, x, z);
}
static udl_status row_reconstruct(const void *m, udl_mat x, udl_mat xhat)
{
    return udl_rbm_reconstruct(m, x, xhat);
}
static udl_status row_sample(const void *m, udl_mat v, size_t n_steps, uint64_t seed)
{
    return udl_rbm_sample(m, v, n_steps, seed);
}
static udl_status row_get_train(const void *m, udl_train_params *p)
{
    *p = ((const udl_rbm *)m)->p.train;
    return UDL_OK;
}
static udl_status row_set_train(void *m, const udl_train_params *p)
{
    if (!p)
        return udli_fail(UDL_EINVAL, "rbm: training parameters are NULL");
    udl_rbm_params params = ((udl_rbm *)m)->p;
    params.train = *p;
    return udl_rbm_set_params(m, &params);
}

/* The upward layer, v -> E[h | v]. */
static udl_status row_net(const void *m, udli_net **out)
{
    const udli_net *net = ((const udl_rbm *)m)->net;
    const size_t up = 0;
    return udli_net_gather(&net, &up, 1, out);
}

UDLI_CHOICE_NAMES(units_choice, "bernoulli", "gaussian")
UDLI_CHOICE_NAMES(method_choice, "cd", "pcd")

const udli_field_doc udli_rbm_field_docs[] = {
    {"n_visible", "the visible units (the inputs), D", NULL, NULL},
    {"n_hidden", "the hidden units, M", NULL, NULL},
    {"visible", "the visible units' kind (bernoulli: mean sigmoid(input), gaussian: "
                "N(input, 1))", units_choice, NULL},
    {"hidden", "the hidden units' kind", units_choice, NULL},
    {"method", "the training: cd (contrastive divergence) or pcd (persistent)", method_choice,
     NULL},
    {"k", "the Gibbs steps per update", NULL, NULL},
    {"W", "the weights, visible x hidden (D x M): the hidden units' input is V W + c, the "
          "visible units' H W^T + b (for Bernoulli units P(h = 1 | v) = sigmoid(V W + c), "
          "the RBM's codes)", NULL, NULL},
    {"b", "the biases of the visible units, 1 x D", NULL, NULL},
    {"c", "the biases of the hidden units, 1 x M", NULL, NULL},
    {"history", "the mean reconstruction error of each epoch trained, oldest first", NULL,
     NULL},
    {"", NULL, NULL, udli_train_field_docs},
    {NULL, NULL, NULL, NULL}};

const udli_kind_row udli_rbm_row = {
    UDL_KIND_RBM, "rbm", "RBM", row_read, row_save, row_free, row_inputs, row_codes, NULL,
    row_encode, row_reconstruct, NULL, row_sample, row_get_train, row_set_train, row_net,
    udli_rbm_field_docs};
