/* t-SNE: checks, initialisation and the optimisation shared by both methods. The step
 * is the reference implementations' (van der Maaten's bhtsne, scikit-learn): gains
 * grow by 0.2 where the gradient keeps its sign and shrink by 0.8 where it flips, the
 * gradient scaled by them goes to the shared SGD-with-momentum optimizer, and the
 * velocity and gains restart when the exaggeration ends. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <udl/optim.h>
#include <udl/pca.h>
#include <udl/tsne.h>

#include "core/error.h"
#include "core/rng.h"
#include "core/tensor.h"
#include "tsne/internal.h"

/* Small enough that the first steps are ruled by P, as the references choose. */
#define INIT_SCALE 1e-4

UDL_API udl_tsne_params udl_tsne_params_default(void)
{
    udl_tsne_params p = {0};
    p.n_components = 2;
    p.perplexity = 30.0;
    p.method = UDL_TSNE_AUTO;
    p.theta = 0.5;
    p.n_iter = 1000;
    p.early_exaggeration = 12.0;
    p.exaggeration_iter = 250;
    p.learning_rate = 0.0;
    p.momentum_early = 0.5;
    p.momentum = 0.8;
    p.min_gain = 0.01;
    p.init = UDL_TSNE_INIT_PCA;
    p.seed = 1;
    p.report_every = 50;
    return p;
}

static udl_status check_params(const udl_tsne_params *p)
{
    if (!p)
        return udli_fail(UDL_EINVAL, "tsne: params is NULL");
    if (p->n_components < 1)
        return udli_fail(UDL_EINVAL, "tsne: n_components must be at least 1");
    if (!(p->perplexity > 0.0) || !isfinite(p->perplexity))
        return udli_fail(UDL_EINVAL, "tsne: perplexity must be a finite number > 0, got %g",
                         p->perplexity);
    if (p->method != UDL_TSNE_AUTO && p->method != UDL_TSNE_EXACT &&
        p->method != UDL_TSNE_BARNES_HUT)
        return udli_fail(UDL_EINVAL, "tsne: method must be auto, exact or barnes_hut, got %d",
                         (int)p->method);
    if (!(p->theta >= 0.0 && p->theta <= 1.0))
        return udli_fail(UDL_EINVAL, "tsne: theta must be in [0, 1], got %g", p->theta);
    if (p->n_iter < 1)
        return udli_fail(UDL_EINVAL, "tsne: n_iter must be at least 1");
    if (!(p->early_exaggeration >= 1.0) || !isfinite(p->early_exaggeration))
        return udli_fail(UDL_EINVAL, "tsne: early_exaggeration must be a finite number >= 1, "
                         "got %g", p->early_exaggeration);
    if (!(p->learning_rate >= 0.0) || !isfinite(p->learning_rate))
        return udli_fail(UDL_EINVAL, "tsne: learning_rate must be > 0, or 0 for auto, got %g",
                         p->learning_rate);
    if (!(p->momentum_early >= 0.0 && p->momentum_early < 1.0))
        return udli_fail(UDL_EINVAL, "tsne: momentum_early must be in [0, 1), got %g",
                         p->momentum_early);
    if (!(p->momentum >= 0.0 && p->momentum < 1.0))
        return udli_fail(UDL_EINVAL, "tsne: momentum must be in [0, 1), got %g", p->momentum);
    if (!(p->min_gain > 0.0 && p->min_gain <= 1.0))
        return udli_fail(UDL_EINVAL, "tsne: min_gain must be in (0, 1], got %g", p->min_gain);
    if (p->init != UDL_TSNE_INIT_PCA && p->init != UDL_TSNE_INIT_RANDOM &&
        p->init != UDL_TSNE_INIT_GIVEN)
        return udli_fail(UDL_EINVAL, "tsne: init must be pca, random or given, got %d",
                         (int)p->init);
    return UDL_OK;
}

static udl_status check_data(const udl_tsne_params *p, udl_mat x, udl_mat y,
                             udl_tsne_method *method)
{
    udl_status s;
    if ((s = udli_mat_check(x, "tsne: X")) || (s = udli_mat_check(y, "tsne: Y")))
        return s;
    const size_t n = x.rows, dims = p->n_components;
    if (n < 4 || x.cols < 1)
        return udli_fail(UDL_EINVAL, "tsne: X is %zu x %zu; t-SNE needs at least 4 rows and "
                         "1 column", n, x.cols);
    if (y.rows != n || y.cols != dims)
        return udli_fail(UDL_ESHAPE, "tsne: Y is %zu x %zu, expected %zu x %zu (one row per "
                         "row of X, n_components columns)", y.rows, y.cols, n, dims);
    if (!(p->perplexity < (double)n))
        return udli_fail(UDL_EINVAL, "tsne: perplexity %g must be less than the number of "
                         "points, %zu", p->perplexity, n);
    if ((s = udli_mat_check_finite(x, "tsne: X")))
        return s;
    if (p->init == UDL_TSNE_INIT_GIVEN && (s = udli_mat_check_finite(y, "tsne: initial Y")))
        return s;
    if (p->init == UDL_TSNE_INIT_PCA && x.cols < dims)
        return udli_fail(UDL_EINVAL, "tsne: PCA initialisation needs at least n_components = "
                         "%zu columns in X, which has %zu; use random initialisation", dims,
                         x.cols);

    *method = p->method;
    if (*method == UDL_TSNE_AUTO)
        *method = n < UDL_TSNE_EXACT_BELOW || dims > 3 ? UDL_TSNE_EXACT : UDL_TSNE_BARNES_HUT;
    if (*method == UDL_TSNE_BARNES_HUT && dims > 3)
        return udli_fail(UDL_EINVAL, "tsne: Barnes-Hut embeds into 1 to 3 dimensions, not %zu; "
                         "use the exact method", dims);
    /* Checked here, before any work: the tree and P index points with 32 bits. */
    if (*method == UDL_TSNE_BARNES_HUT && n >= UINT32_MAX / 2)
        return udli_fail(UDL_EINVAL, "tsne: Barnes-Hut takes fewer than %u points, not %zu",
                         UINT32_MAX / 2, n);
    if (*method == UDL_TSNE_EXACT && n > UDL_TSNE_EXACT_MAX)
        return udli_fail(UDL_EINVAL, "tsne: the exact method needs two %zu x %zu matrices; it "
                         "takes at most %d points, use Barnes-Hut", n, n, UDL_TSNE_EXACT_MAX);
    return UDL_OK;
}

static udl_status initialise(const udl_tsne_params *p, udl_mat x, udl_mat y, double *y0)
{
    const size_t n = x.rows, dims = p->n_components;
    udl_mat ym = udl_mat_view(y0, n, dims);
    if (p->init == UDL_TSNE_INIT_GIVEN) {
        udli_mat_copy(y, ym);
        return UDL_OK;
    }
    if (p->init == UDL_TSNE_INIT_RANDOM) {
        udli_rng rng;
        udli_rng_seed(&rng, p->seed);
        for (size_t i = 0; i < n * dims; i++)
            y0[i] = INIT_SCALE * udli_rng_normal(&rng);
        return UDL_OK;
    }
    udl_pca_params pp = udl_pca_params_default();
    pp.n_components = dims;
    udl_pca *pca = NULL;
    udl_status s;
    if ((s = udl_pca_create(&pp, &pca)) || (s = udl_pca_fit(pca, x, NULL, NULL)) ||
        (s = udl_pca_transform(pca, x, ym))) {
        udl_pca_free(pca);
        /* PCA refuses data whose rows are all the same; say what the user asked for */
        return s == UDL_ENOMEM ? s
                               : udli_fail(s, "tsne: the PCA initialisation failed: %s (random "
                                           "initialisation does not need it)", udl_last_error());
    }
    udl_pca_free(pca);
    /* Column 0 gets standard deviation INIT_SCALE and the others keep their ratio to it;
     * a column with no variance (rank-deficient data) stays zero. */
    double sd = 0.0;
    for (size_t i = 0; i < n; i++)
        sd += y0[i * dims] * y0[i * dims];
    sd = sqrt(sd / (double)n);
    if (sd > 0.0)
        for (size_t i = 0; i < n * dims; i++)
            y0[i] *= INIT_SCALE / sd;
    return UDL_OK;
}

/* Q depends only on differences, so shifting Y to mean zero changes nothing but keeps
 * the coordinates (and the Barnes-Hut cells) from drifting. */
static void center(double *y, size_t n, size_t dims)
{
    for (size_t d = 0; d < dims; d++) {
        double m = 0.0;
        for (size_t i = 0; i < n; i++)
            m += y[i * dims + d];
        m /= (double)n;
        for (size_t i = 0; i < n; i++)
            y[i * dims + d] -= m;
    }
}

typedef struct optimiser {
    const udl_tsne_params *p;
    udl_tsne_method method;
    size_t n, dims;
    tsne_csr sparse;
    double *dense;
    tsne_exact exact;
    tsne_bh *bh;
} optimiser;

static udl_status gradient(optimiser *o, double exaggeration, const double *y, double *grad,
                           double *kl)
{
    if (o->method == UDL_TSNE_EXACT) {
        tsne_grad_exact(&o->exact, o->dense, exaggeration, y, o->dims, grad, kl);
        return UDL_OK;
    }
    return tsne_grad_bh(o->bh, &o->sparse, exaggeration, y, o->p->theta, grad, kl);
}

static udl_status prepare(optimiser *o, udl_mat x)
{
    const size_t n = o->n;
    udl_status s;
    if (o->method == UDL_TSNE_EXACT) {
        o->dense = udli_alloc(n * n, sizeof *o->dense, "t-SNE affinities (N x N)");
        if (!o->dense)
            return UDL_ENOMEM;
        if ((s = tsne_p_dense(x, o->p->perplexity, o->dense)))
            return s;
        return tsne_exact_init(&o->exact, n);
    }
    if ((s = tsne_p_sparse(x, o->p->perplexity, o->p->seed, &o->sparse)))
        return s;
    return tsne_bh_create(n, o->dims, &o->bh);
}

static void release(optimiser *o)
{
    tsne_csr_free(&o->sparse);
    free(o->dense);
    tsne_exact_free(&o->exact);
    tsne_bh_free(o->bh);
}

UDL_API udl_status udl_tsne_embed(const udl_tsne_params *params, udl_mat x, udl_mat y,
                                  udl_progress_fn progress, void *user,
                                  udl_tsne_result *result)
{
    udl_status s;
    optimiser o = {0};
    if ((s = check_params(params)) || (s = check_data(params, x, y, &o.method)))
        return s;
    const udl_tsne_params *p = params;
    o.p = p;
    o.n = x.rows;
    o.dims = p->n_components;
    const size_t n = o.n, dims = o.dims, len = n * dims;
    udl_sgd_params sgd = {p->learning_rate, p->momentum_early, 0.0, 0};
    if (sgd.learning_rate == 0.0) {
        sgd.learning_rate = (double)n / p->early_exaggeration / 4.0;
        sgd.learning_rate = sgd.learning_rate < 50.0 ? 50.0 : sgd.learning_rate;
    }

    double *buf = udli_alloc(4 * len, sizeof *buf, "t-SNE embedding");
    if (!buf)
        return UDL_ENOMEM;
    double *ycur = buf, *velocity = buf + len, *gains = buf + 2 * len, *grad = buf + 3 * len;
    if ((s = initialise(p, x, y, ycur)) || (s = prepare(&o, x)))
        goto done;

    double kl = NAN;
    size_t step = 0;
    for (; step < p->n_iter; step++) {
        const int early = step < p->exaggeration_iter;
        if (step == 0 || step == p->exaggeration_iter) {
            memset(velocity, 0, len * sizeof *velocity);
            for (size_t i = 0; i < len; i++)
                gains[i] = 1.0;
        }
        const int report = p->report_every &&
                           ((step + 1) % p->report_every == 0 || step + 1 == p->n_iter);
        double step_kl;
        if ((s = gradient(&o, early ? p->early_exaggeration : 1.0, ycur, grad,
                          report ? &step_kl : NULL)))
            goto done;
        if (report)
            kl = step_kl;
        for (size_t i = 0; i < len; i++) {
            /* velocity holds -lr * gain * (previous gradient), so opposite signs mean the
             * gradient kept its direction. */
            gains[i] = grad[i] * velocity[i] < 0.0 ? gains[i] + 0.2 : gains[i] * 0.8;
            gains[i] = gains[i] < p->min_gain ? p->min_gain : gains[i];
            grad[i] *= gains[i];
        }
        sgd.momentum = early ? p->momentum_early : p->momentum;
        if ((s = udl_sgd_step(&sgd, ycur, velocity, grad, len, 0)))
            goto done;
        center(ycur, n, dims);
        if (!udli_all_finite(ycur, len)) {
            s = udli_fail(UDL_ENUMERIC, "tsne: the embedding diverged at step %zu (learning "
                          "rate %g); try a smaller learning rate", step + 1, sgd.learning_rate);
            goto done;
        }
        udl_progress pr = {.stage = "tsne", .step = step + 1, .total = p->n_iter, .loss = kl,
                           .valid_loss = NAN, .valid_error = NAN};
        if (progress && progress(&pr, user)) {
            step++;
            s = udli_fail(UDL_ECANCELED, "tsne: cancelled by the progress callback after step "
                          "%zu of %zu", step, p->n_iter);
            break;
        }
    }
    if (s == UDL_OK || s == UDL_ECANCELED) {
        udli_mat_copy(udl_mat_view(ycur, n, dims), y);
        if (result) {
            result->kl = kl;
            result->iterations = step;
            result->method = o.method;
            result->learning_rate = sgd.learning_rate;
        }
    }
done:
    release(&o);
    free(buf);
    return s;
}
