/* Annealed importance sampling for an RBM's partition function (Neal 2001; Salakhutdinov
 * & Murray 2008, "On the quantitative analysis of deep belief networks"). Runs anneal
 * from a base-rate model A (visible biases from the data's means, no weights; its Z is
 * known in closed form) to the RBM B through the joint energies
 * E_beta(v, h) = (1 - beta) E_A(v, h) + beta E_B(v, h), each run a row of one matrix so
 * every step's products go through the core gemm. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <udl/rbm.h>

#include "core/error.h"
#include "core/loss.h"
#include "core/net.h"
#include "core/rng.h"
#include "core/tensor.h"
#include "core/vecmath.h"
#include "rbm/internal.h"

UDL_API udl_ais_params udl_ais_params_default(void)
{
    udl_ais_params p = {100, 0, 1};
    return p;
}

/* beta[0..K] from 0 to 1; returns K. 0 asks for Salakhutdinov & Murray's 14,500 steps:
 * 500 of 1e-3 to 0.5, 4,000 of 1e-4 to 0.9, 10,000 of 1e-5 to 1. */
static size_t schedule(size_t n_betas, double *beta)
{
    size_t k = 0;
    beta[0] = 0.0;
    if (n_betas) {
        for (k = 1; k <= n_betas; k++)
            beta[k] = (double)k / (double)n_betas;
        return n_betas;
    }
    for (size_t i = 1; i <= 500; i++)
        beta[++k] = 1e-3 * (double)i;
    for (size_t i = 1; i <= 4000; i++)
        beta[++k] = 0.5 + 1e-4 * (double)i;
    for (size_t i = 1; i <= 10000; i++)
        beta[++k] = 0.9 + 1e-5 * (double)i;
    beta[k] = 1.0;
    return k;
}

typedef struct annealer {
    const udl_rbm *rbm;
    const udli_net *net;
    int gaussian;       /* Gaussian visible units */
    const double *base; /* A's visible biases (Bernoulli) or means (Gaussian) */
    udl_mat v, a, h;    /* runs x V states, runs x H pre-activations, runs x H samples */
    double *sp;         /* H: one run's softplus terms */
} annealer;

/* Adds log p*_beta(v) - log p*_prev(v) to every run's log weight, given a = v W + c:
 *   log p*_beta(v) = (1 - beta) T_A(v) + beta T_B(v) + sum_j softplus(beta a_j),
 * with T_A(v) = bA'v and T_B(v) = b'v for Bernoulli units, -|v - muA|^2 / 2 and
 * -|v - b|^2 / 2 for Gaussian ones. The visible part is linear in beta, so one pass over
 * v gives both temperatures' terms. */
static void add_log_ratio(const annealer *an, double beta, double prev, double *lw)
{
    const double *b = an->net->b[1];
    for (size_t r = 0; r < an->v.rows; r++) {
        const double *v = an->v.data + r * an->v.ld, *a = an->a.data + r * an->a.ld;
        double diff = 0.0; /* T_B(v) - T_A(v) */
        for (size_t i = 0; i < an->v.cols; i++) {
            if (an->gaussian) {
                double da = v[i] - an->base[i], db = v[i] - b[i];
                diff -= 0.5 * (db * db - da * da);
            } else {
                diff += (b[i] - an->base[i]) * v[i];
            }
        }
        double s = (beta - prev) * diff;
        udli_softplus_lanes(a, beta, an->sp, an->a.cols);
        for (size_t j = 0; j < an->a.cols; j++)
            s += an->sp[j];
        udli_softplus_lanes(a, prev, an->sp, an->a.cols);
        for (size_t j = 0; j < an->a.cols; j++)
            s -= an->sp[j];
        lw[r] += s;
    }
}

/* One Gibbs transition that leaves p_beta invariant: h ~ p_beta(h | v), v ~ p_beta(v | h). */
static void transition(annealer *an, udli_rng *rng, double beta)
{
    for (size_t r = 0; r < an->h.rows; r++) {
        const double *a = an->a.data + r * an->a.ld;
        double *h = an->h.data + r * an->h.ld;
        for (size_t j = 0; j < an->h.cols; j++)
            h[j] = beta * a[j];
        udli_sigmoid_lanes(h, h, an->h.cols);
        for (size_t j = 0; j < an->h.cols; j++)
            h[j] = (double)(udli_rng_uniform(rng) < h[j]);
    }
    udli_net_layer(an->net, 1, an->h, an->v, 0); /* b + W h, into v */
    for (size_t r = 0; r < an->v.rows; r++) {
        double *v = an->v.data + r * an->v.ld;
        for (size_t i = 0; i < an->v.cols; i++) {
            double m = (1.0 - beta) * an->base[i] + beta * v[i];
            if (an->gaussian)
                v[i] = m + udli_rng_normal(rng);
            else {
                double p = m >= 0.0 ? 1.0 / (1.0 + exp(-m)) : exp(m) / (1.0 + exp(m));
                v[i] = (double)(udli_rng_uniform(rng) < p);
            }
        }
    }
    udli_net_layer(an->net, 0, an->v, an->a, 0);
}

/* The base model's parameters from the data's column means, smoothed so no pixel that
 * was always off (or on) gets an infinite bias. */
static void base_model(const udl_mat *x, size_t d, int gaussian, double *base)
{
    for (size_t i = 0; i < d; i++)
        base[i] = 0.0;
    if (!x)
        return; /* zero biases: the uniform distribution, or N(0, 1) */
    for (size_t r = 0; r < x->rows; r++)
        for (size_t i = 0; i < d; i++)
            base[i] += x->data[r * x->ld + i];
    const size_t n = x->rows;
    for (size_t i = 0; i < d; i++) {
        if (gaussian)
            base[i] /= (double)n;
        else {
            double m = (base[i] + 0.5) / ((double)n + 1.0);
            base[i] = log(m / (1.0 - m));
        }
    }
}

UDL_API udl_status udl_rbm_log_partition(const udl_rbm *rbm, const udl_ais_params *params,
                                         const udl_mat *base, udl_ais_result *result)
{
    if (!rbm || !params || !result)
        return udli_fail(UDL_EINVAL, "rbm AIS: model, params or result is NULL");
    const udl_rbm_params p = udl_rbm_get_params(rbm);
    const size_t nv = p.n_visible, nh = p.n_hidden, runs = params->n_runs;
    if (p.hidden != UDL_UNITS_BERNOULLI)
        return udli_fail(UDL_EINVAL, "rbm AIS: needs Bernoulli hidden units (a Gaussian hidden "
                         "layer has no base model to anneal from)");
    if (runs < 2 || runs > 100000)
        return udli_fail(UDL_EINVAL, "rbm AIS: n_runs must be 2 to 100000, got %zu", runs);
    if (params->n_betas > 10000000)
        return udli_fail(UDL_EINVAL, "rbm AIS: n_betas must be at most 10^7, got %zu",
                         params->n_betas);
    udl_status s;
    if (base) {
        if ((s = udli_mat_check_data(*base, nv, "rbm AIS: base data")))
            return s;
        if (base->rows == 0)
            return udli_fail(UDL_EINVAL, "rbm AIS: the base data has no rows");
        if (p.visible == UDL_UNITS_BERNOULLI &&
            (s = udli_loss_check_targets(UDL_LOSS_CROSS_ENTROPY, *base, "rbm AIS: base data")))
            return s;
    }
    const size_t k_max = params->n_betas ? params->n_betas : 14500;
    double *beta = udli_alloc(k_max + 1, sizeof(double), "AIS schedule");
    double *work = udli_alloc(runs + 1, (2 * nv + 2 * nh + 1) * sizeof(double), "AIS runs");
    double *b_base = udli_alloc(nv, sizeof(double), "AIS base model");
    if (!beta || !work || !b_base) {
        free(beta);
        free(work);
        free(b_base);
        return UDL_ENOMEM;
    }
    const size_t steps = schedule(params->n_betas, beta);
    annealer an = {rbm, udli_rbm_net(rbm), p.visible == UDL_UNITS_GAUSSIAN, b_base,
                   udl_mat_view(work, runs, nv), udl_mat_view(work + runs * nv, runs, nh),
                   udl_mat_view(work + runs * (nv + nh), runs, nh), NULL};
    double *lw = work + runs * (nv + 2 * nh);
    an.sp = lw + runs;
    base_model(base, nv, an.gaussian, b_base);
    udli_rng rng;
    udli_rng_seed(&rng, params->seed);
    /* v_1 ~ p_A, exactly */
    for (size_t r = 0; r < runs; r++)
        for (size_t i = 0; i < nv; i++) {
            double *v = an.v.data + r * nv + i;
            if (an.gaussian)
                *v = b_base[i] + udli_rng_normal(&rng);
            else
                *v = (double)(udli_rng_uniform(&rng) < 1.0 / (1.0 + exp(-b_base[i])));
        }
    udli_net_layer(an.net, 0, an.v, an.a, 0);
    memset(lw, 0, runs * sizeof *lw);
    for (size_t k = 1; k <= steps; k++) {
        add_log_ratio(&an, beta[k], beta[k - 1], lw);
        if (k < steps)
            transition(&an, &rng, beta[k]);
    }
    /* log Z_B = log Z_A + log mean w, with the band of the mean's 3 standard errors */
    double log_z_a = (double)nh * log(2.0);
    for (size_t i = 0; i < nv; i++)
        log_z_a += an.gaussian ? 0.5 * UDLI_LOG_2PI
                               : fmax(b_base[i], 0.0) + log1p(exp(-fabs(b_base[i])));
    double top = -INFINITY, mean = 0.0, var = 0.0;
    for (size_t r = 0; r < runs; r++)
        top = fmax(top, lw[r]);
    for (size_t r = 0; r < runs; r++)
        mean += exp(lw[r] - top) / (double)runs;
    for (size_t r = 0; r < runs; r++)
        var += (exp(lw[r] - top) - mean) * (exp(lw[r] - top) - mean) / (double)(runs - 1);
    const double se = sqrt(var / (double)runs);
    result->log_z_base = log_z_a;
    result->log_z = log_z_a + top + log(mean);
    result->log_z_lo = mean > 3.0 * se ? log_z_a + top + log(mean - 3.0 * se) : -INFINITY;
    result->log_z_hi = log_z_a + top + log(mean + 3.0 * se);
    free(beta);
    free(work);
    free(b_base);
    if (!isfinite(result->log_z))
        return udli_fail(UDL_ENUMERIC, "rbm AIS: the estimate of log Z is %g", result->log_z);
    return UDL_OK;
}

UDL_API udl_status udl_rbm_log_likelihood(const udl_rbm *rbm, udl_mat x,
                                          const udl_ais_result *result, double *mean,
                                          double *lo, double *hi)
{
    if (!rbm || !result || !mean)
        return udli_fail(UDL_EINVAL, "rbm log-likelihood: model, result or mean is NULL");
    if (!isfinite(result->log_z))
        return udli_fail(UDL_EINVAL, "rbm log-likelihood: the AIS result's log_z is %g; it "
                         "must be finite", result->log_z);
    if (x.rows == 0)
        return udli_fail(UDL_EINVAL, "rbm log-likelihood: X has no rows");
    double *f = udli_alloc(x.rows, sizeof(double), "rbm free energies");
    if (!f)
        return UDL_ENOMEM;
    udl_status s = udl_rbm_free_energy(rbm, x, f);
    if (!s) {
        double sum = 0.0;
        for (size_t i = 0; i < x.rows; i++)
            sum += f[i];
        double nf = -sum / (double)x.rows;
        *mean = nf - result->log_z;
        if (lo)
            *lo = nf - result->log_z_hi;
        if (hi)
            *hi = nf - result->log_z_lo;
    }
    free(f);
    return s;
}
