#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <udl/pca.h>

#include "core/container.h"
#include "core/model.h"
#include "core/error.h"
#include "core/tensor.h"

/* Rows centred at a time: bounds the scratch memory whatever N is, and is long enough
 * that the scatter products run near dgemm's peak. */
#define BLOCK_ROWS 4096
/* Columns per panel of the block-triangular scatter product. */
#define PANEL 196

/* Running count, mean and scatter sum (x - mean)(x - mean)^T of the rows seen. */
typedef struct pca_acc {
    size_t n, d;
    double *mean;    /* d */
    double *scatter; /* d x d */
} pca_acc;

/* What a fit produces; swapped into the model only when complete. */
typedef struct pca_fit {
    size_t d, k, n_samples;
    double *mean;        /* d */
    double *components;  /* k x d */
    double *eigenvalues; /* d */
    double *ratio;       /* d */
} pca_fit;

struct udl_pca {
    udl_pca_params params;
    pca_fit fit; /* d == 0 until fitted */
    pca_acc acc; /* partial_fit's accumulation */
};

/* ---- parameters ------------------------------------------------------------------ */

UDL_API udl_pca_params udl_pca_params_default(void)
{
    udl_pca_params p = {2, 0.95, 0};
    return p;
}

static udl_status check_params(const udl_pca_params *p)
{
    if (!p)
        return udli_fail(UDL_EINVAL, "pca: params is NULL");
    if (p->n_components == 0 && !(p->variance_fraction > 0.0 && p->variance_fraction <= 1.0))
        return udli_fail(UDL_EINVAL, "pca: with n_components 0, variance_fraction must be in "
                         "(0, 1], got %g", p->variance_fraction);
    if (p->whiten != 0 && p->whiten != 1)
        return udli_fail(UDL_EINVAL, "pca: whiten must be 0 or 1, got %d", p->whiten);
    return UDL_OK;
}

static void fit_free(pca_fit *f)
{
    free(f->mean);
    free(f->components);
    free(f->eigenvalues);
    free(f->ratio);
    memset(f, 0, sizeof *f);
}

static void acc_free(pca_acc *a)
{
    free(a->mean);
    free(a->scatter);
    memset(a, 0, sizeof *a);
}

UDL_API udl_status udl_pca_create(const udl_pca_params *params, udl_pca **out)
{
    if (!out)
        return udli_fail(UDL_EINVAL, "pca: out is NULL");
    *out = NULL;
    udl_status s = check_params(params);
    if (s)
        return s;
    udl_pca *pca = udli_calloc(1, sizeof *pca, "pca model");
    if (!pca)
        return UDL_ENOMEM;
    pca->params = *params;
    *out = pca;
    return UDL_OK;
}

UDL_API void udl_pca_free(udl_pca *pca)
{
    if (!pca)
        return;
    fit_free(&pca->fit);
    acc_free(&pca->acc);
    free(pca);
}

static udl_status check_data(udl_mat x, const char *name)
{
    udl_status s = udli_mat_check(x, name);
    return s ? s : udli_mat_check_finite(x, name);
}

/* ---- accumulation ---------------------------------------------------------------- */

static udl_status acc_init(pca_acc *a, size_t d)
{
    a->n = 0;
    a->d = d;
    a->mean = udli_calloc(d, sizeof(double), "pca mean");
    a->scatter = udli_calloc(d * d, sizeof(double), "pca scatter");
    if (!a->mean || !a->scatter) {
        acc_free(a);
        return UDL_ENOMEM;
    }
    return UDL_OK;
}

/* scatter += C^T C on and below the diagonal only, panel by panel: syevd reads just the
 * lower triangle, and skipping the upper panels saves nearly half the product. */
static void add_scatter(udl_mat c, double *scatter)
{
    const size_t d = c.cols;
    for (size_t i0 = 0; i0 < d; i0 += PANEL) {
        size_t wi = d - i0 < PANEL ? d - i0 : PANEL;
        udl_mat ci = {c.data + i0, c.rows, wi, c.ld};
        for (size_t j0 = 0; j0 <= i0; j0 += PANEL) {
            size_t wj = d - j0 < PANEL ? d - j0 : PANEL;
            udl_mat cj = {c.data + j0, c.rows, wj, c.ld};
            udl_mat s = {scatter + i0 * d + j0, wi, wj, d};
            udl_gemm(UDL_TRANS, UDL_NOTRANS, 1.0, ci, cj, 1.0, s);
        }
    }
}

/* Merges rows of x into a. work holds BLOCK_ROWS x d (centred rows) plus 2d. */
static void acc_add_block(pca_acc *a, udl_mat x, double *work)
{
    const size_t d = a->d, nb = x.rows;
    double *delta = work + (size_t)BLOCK_ROWS * d, *block_mean = delta + d;
    udl_mat centred = udl_mat_view(work, nb, d);
    udli_col_means(x, block_mean);
    udli_add_row_vector(x, block_mean, -1.0, centred);
    add_scatter(centred, a->scatter);
    udl_mat scatter = udl_mat_view(a->scatter, d, d);
    /* Chan et al.: S = S_a + S_b + delta delta^T n_a n_b / (n_a + n_b). */
    const double na = (double)a->n, n = na + (double)nb;
    for (size_t j = 0; j < d; j++)
        delta[j] = block_mean[j] - a->mean[j];
    if (a->n > 0)
        udl_gemm(UDL_NOTRANS, UDL_NOTRANS, na * (double)nb / n, udl_mat_view(delta, d, 1),
                 udl_mat_view(delta, 1, d), 1.0, scatter);
    for (size_t j = 0; j < d; j++)
        a->mean[j] += delta[j] * (double)nb / n;
    a->n += nb;
}

static double *block_work(size_t d)
{
    return udli_alloc(((size_t)BLOCK_ROWS + 2) * d, sizeof(double), "pca block buffer");
}

/* Adds all rows of x to a, BLOCK_ROWS at a time, reporting progress after each block. */
static udl_status acc_add(pca_acc *a, udl_mat x, udl_progress_fn progress, void *user)
{
    double *work = block_work(a->d);
    if (!work)
        return UDL_ENOMEM;
    for (size_t first = 0; first < x.rows; first += BLOCK_ROWS) {
        udl_mat block = udl_mat_rows(x, first, BLOCK_ROWS);
        acc_add_block(a, block, work);
        udl_progress pr = {.stage = "pca fit", .step = first + block.rows, .total = x.rows,
                           .loss = NAN, .valid_loss = NAN, .valid_error = NAN};
        if (progress && progress(&pr, user)) {
            free(work);
            return udli_fail(UDL_ECANCELED, "pca: fit canceled by the progress callback "
                             "after %zu of %zu rows", pr.step, x.rows);
        }
    }
    free(work);
    return UDL_OK;
}

/* ---- from covariance to components ----------------------------------------------- */

static size_t choose_k(const udl_pca_params *p, const double *ratio, size_t d)
{
    if (p->n_components)
        return p->n_components;
    double cumulative = 0.0;
    for (size_t k = 0; k < d; k++) {
        cumulative += ratio[k];
        if (cumulative >= p->variance_fraction * (1.0 - 1e-12))
            return k + 1;
    }
    return d;
}

/* Eigendecomposition of scatter / n into a complete fit; a is left as it was. */
static udl_status acc_finish(const udl_pca_params *p, const pca_acc *a, pca_fit *out)
{
    const size_t d = a->d, n = a->n;
    if (n < 2)
        return udli_fail(UDL_EINVAL, "pca: needs at least 2 samples, got %zu", n);
    size_t max_k = n < d ? n : d;
    if (p->n_components > max_k)
        return udli_fail(UDL_EINVAL, "pca: n_components is %zu but min(N, D) = min(%zu, %zu) "
                         "= %zu", p->n_components, n, d, max_k);
    pca_fit f = {d, 0, n, NULL, NULL, NULL, NULL};
    double *cov = udli_alloc(d * d, sizeof(double), "pca covariance");
    f.mean = udli_alloc(d, sizeof(double), "pca mean");
    f.eigenvalues = udli_alloc(d, sizeof(double), "pca eigenvalues");
    f.ratio = udli_alloc(d, sizeof(double), "pca ratios");
    udl_status s = UDL_OK;
    if (!cov || !f.mean || !f.eigenvalues || !f.ratio) {
        s = UDL_ENOMEM;
        goto fail;
    }
    for (size_t i = 0; i < d * d; i++)
        cov[i] = a->scatter[i] / (double)n;
    if ((s = udl_syevd(udl_mat_view(cov, d, d), f.eigenvalues)))
        goto fail;
    double total = 0.0;
    for (size_t j = 0; j < d; j++) {
        if (f.eigenvalues[j] < 0.0) /* rounding below zero of a PSD matrix */
            f.eigenvalues[j] = 0.0;
        total += f.eigenvalues[j];
    }
    if (!(total > 0.0)) {
        s = udli_fail(UDL_EINVAL, "pca: all %zu samples are identical; there is no variance "
                      "to analyse", n);
        goto fail;
    }
    for (size_t j = 0; j < d; j++)
        f.ratio[j] = f.eigenvalues[j] / total;
    f.k = choose_k(p, f.ratio, d);
    if (f.k > max_k)
        f.k = max_k;
    if (p->whiten && !(f.eigenvalues[f.k - 1] > 1e-12 * f.eigenvalues[0])) {
        s = udli_fail(UDL_ENUMERIC, "pca: component %zu has zero variance, so whitening would "
                      "divide by zero; keep fewer components", f.k);
        goto fail;
    }
    f.components = udli_alloc(f.k * d, sizeof(double), "pca components");
    if (!f.components) {
        s = UDL_ENOMEM;
        goto fail;
    }
    for (size_t c = 0; c < f.k; c++) {
        /* Eigenvectors are columns of cov; the sign is fixed so that the entry of largest
         * magnitude (the first, on ties) is positive. */
        size_t big = 0;
        for (size_t j = 1; j < d; j++)
            if (fabs(cov[j * d + c]) > fabs(cov[big * d + c]))
                big = j;
        double sign = cov[big * d + c] < 0.0 ? -1.0 : 1.0;
        for (size_t j = 0; j < d; j++)
            f.components[c * d + j] = sign * cov[j * d + c];
    }
    memcpy(f.mean, a->mean, d * sizeof(double));
    free(cov);
    *out = f;
    return UDL_OK;
fail:
    free(cov);
    fit_free(&f);
    return s;
}

/* ---- fitting ----------------------------------------------------------------------- */

UDL_API udl_status udl_pca_fit(udl_pca *pca, udl_mat x, udl_progress_fn progress, void *user)
{
    if (!pca)
        return udli_fail(UDL_EINVAL, "pca: model is NULL");
    udl_status s = check_data(x, "pca: X");
    if (s)
        return s;
    if (x.cols == 0)
        return udli_fail(UDL_EINVAL, "pca: X has no columns");
    pca_acc a;
    pca_fit f;
    if ((s = acc_init(&a, x.cols)))
        return s;
    if (!(s = acc_add(&a, x, progress, user)) && !(s = acc_finish(&pca->params, &a, &f))) {
        fit_free(&pca->fit);
        pca->fit = f;
    }
    acc_free(&a);
    return s;
}

UDL_API udl_status udl_pca_partial_fit(udl_pca *pca, udl_mat chunk)
{
    if (!pca)
        return udli_fail(UDL_EINVAL, "pca: model is NULL");
    udl_status s = check_data(chunk, "pca: chunk");
    if (s)
        return s;
    if (chunk.cols == 0)
        return udli_fail(UDL_EINVAL, "pca: the chunk has no columns");
    if (pca->acc.d && chunk.cols != pca->acc.d)
        return udli_fail(UDL_ESHAPE, "pca: the chunk has %zu columns, earlier chunks had %zu",
                         chunk.cols, pca->acc.d);
    if (!pca->acc.d && (s = acc_init(&pca->acc, chunk.cols)))
        return s;
    return acc_add(&pca->acc, chunk, NULL, NULL);
}

UDL_API udl_status udl_pca_finish(udl_pca *pca)
{
    if (!pca)
        return udli_fail(UDL_EINVAL, "pca: model is NULL");
    if (!pca->acc.d)
        return udli_fail(UDL_ESTATE, "pca: finish called before any partial_fit");
    pca_fit f;
    udl_status s = acc_finish(&pca->params, &pca->acc, &f);
    if (s)
        return s;
    fit_free(&pca->fit);
    pca->fit = f;
    acc_free(&pca->acc);
    return UDL_OK;
}

/* ---- using the fit ------------------------------------------------------------------ */

static udl_status check_fitted(const udl_pca *pca)
{
    if (!pca)
        return udli_fail(UDL_EINVAL, "pca: model is NULL");
    if (!pca->fit.d)
        return udli_fail(UDL_ESTATE, "pca: the model is not fitted");
    return UDL_OK;
}

static udl_status check_input(const udl_pca *pca, udl_mat x, const char *name)
{
    udl_status s = check_fitted(pca);
    if (s || (s = check_data(x, name)))
        return s;
    if (x.cols != pca->fit.d)
        return udli_fail(UDL_ESHAPE, "%s has %zu columns, the model expects %zu", name, x.cols,
                         pca->fit.d);
    return UDL_OK;
}

UDL_API udl_status udl_pca_transform(const udl_pca *pca, udl_mat x, udl_mat z)
{
    udl_status s = check_input(pca, x, "pca transform: X");
    if (s || (s = udli_mat_check(z, "pca transform: Z")))
        return s;
    const pca_fit *f = &pca->fit;
    if (z.rows != x.rows || z.cols != f->k)
        return udli_fail(UDL_ESHAPE, "pca transform: Z is %zu x %zu, expected %zu x %zu", z.rows,
                         z.cols, x.rows, f->k);
    double *work = block_work(f->d);
    if (!work)
        return UDL_ENOMEM;
    double *scale = work + (size_t)BLOCK_ROWS * f->d; /* k <= d fits in the 2d tail */
    for (size_t j = 0; j < f->k; j++)
        scale[j] = 1.0 / sqrt(f->eigenvalues[j]);
    udl_mat comps = udl_mat_view(f->components, f->k, f->d);
    for (size_t first = 0; first < x.rows; first += BLOCK_ROWS) {
        /* Centre before the product: X Q - mean Q would cancel digits when the mean is
         * large against the spread. */
        udl_mat xb = udl_mat_rows(x, first, BLOCK_ROWS), zb = udl_mat_rows(z, first, BLOCK_ROWS);
        udl_mat centred = udl_mat_view(work, xb.rows, f->d);
        udli_add_row_vector(xb, f->mean, -1.0, centred);
        udl_gemm(UDL_NOTRANS, UDL_TRANS, 1.0, centred, comps, 0.0, zb);
        if (pca->params.whiten)
            udli_scale_cols(zb, scale, zb);
    }
    free(work);
    return UDL_OK;
}

UDL_API udl_status udl_pca_inverse_transform(const udl_pca *pca, udl_mat z, udl_mat x)
{
    udl_status s = check_fitted(pca);
    if (s || (s = check_data(z, "pca inverse: Z")) || (s = udli_mat_check(x, "pca inverse: X")))
        return s;
    const pca_fit *f = &pca->fit;
    if (z.cols != f->k)
        return udli_fail(UDL_ESHAPE, "pca inverse: Z has %zu columns, the model has %zu "
                         "components", z.cols, f->k);
    if (x.rows != z.rows || x.cols != f->d)
        return udli_fail(UDL_ESHAPE, "pca inverse: X is %zu x %zu, expected %zu x %zu", x.rows,
                         x.cols, z.rows, f->d);
    udl_mat comps = udl_mat_view(f->components, f->k, f->d);
    if (!pca->params.whiten) {
        udl_gemm(UDL_NOTRANS, UDL_NOTRANS, 1.0, z, comps, 0.0, x);
    } else {
        double *work = udli_alloc((size_t)BLOCK_ROWS * f->k + f->k, sizeof(double),
                                  "pca inverse buffer");
        if (!work)
            return UDL_ENOMEM;
        double *scale = work + (size_t)BLOCK_ROWS * f->k;
        for (size_t j = 0; j < f->k; j++)
            scale[j] = sqrt(f->eigenvalues[j]);
        for (size_t first = 0; first < z.rows; first += BLOCK_ROWS) {
            udl_mat zb = udl_mat_rows(z, first, BLOCK_ROWS);
            udl_mat unwhite = udl_mat_view(work, zb.rows, f->k);
            udli_scale_cols(zb, scale, unwhite);
            udl_gemm(UDL_NOTRANS, UDL_NOTRANS, 1.0, unwhite, comps, 0.0,
                     udl_mat_rows(x, first, BLOCK_ROWS));
        }
        free(work);
    }
    udli_add_row_vector(x, f->mean, 1.0, x);
    return UDL_OK;
}

UDL_API udl_status udl_pca_reconstruction_error(const udl_pca *pca, udl_mat x, double *error)
{
    udl_status s = check_input(pca, x, "pca reconstruction: X");
    if (s)
        return s;
    if (!error)
        return udli_fail(UDL_EINVAL, "pca reconstruction: error is NULL");
    if (x.rows == 0)
        return udli_fail(UDL_EINVAL, "pca reconstruction: X has no rows");
    const pca_fit *f = &pca->fit;
    double *work = udli_alloc((size_t)BLOCK_ROWS * (f->d + f->k), sizeof(double),
                              "pca reconstruction buffer");
    if (!work)
        return UDL_ENOMEM;
    udl_mat comps = udl_mat_view(f->components, f->k, f->d);
    double sum = 0.0;
    for (size_t first = 0; first < x.rows; first += BLOCK_ROWS) {
        udl_mat xb = udl_mat_rows(x, first, BLOCK_ROWS);
        udl_mat residual = udl_mat_view(work, xb.rows, f->d);
        udl_mat codes = udl_mat_view(work + (size_t)BLOCK_ROWS * f->d, xb.rows, f->k);
        udli_add_row_vector(xb, f->mean, -1.0, residual);
        udl_gemm(UDL_NOTRANS, UDL_TRANS, 1.0, residual, comps, 0.0, codes);
        udl_gemm(UDL_NOTRANS, UDL_NOTRANS, -1.0, codes, comps, 1.0, residual);
        for (size_t i = 0; i < xb.rows * f->d; i++)
            sum += work[i] * work[i];
    }
    free(work);
    *error = sum / (double)x.rows;
    return UDL_OK;
}

UDL_API udl_pca_params udl_pca_get_params(const udl_pca *pca)
{
    udl_pca_params p = pca ? pca->params : udl_pca_params_default();
    if (pca && pca->fit.d)
        p.n_components = pca->fit.k;
    return p;
}

UDL_API int udl_pca_is_fitted(const udl_pca *pca) { return pca && pca->fit.d > 0; }
UDL_API size_t udl_pca_n_components(const udl_pca *pca) { return pca ? pca->fit.k : 0; }
UDL_API size_t udl_pca_n_features(const udl_pca *pca) { return pca ? pca->fit.d : 0; }
UDL_API const double *udl_pca_components(const udl_pca *pca)
{
    return pca ? pca->fit.components : NULL;
}
UDL_API const double *udl_pca_eigenvalues(const udl_pca *pca)
{
    return pca ? pca->fit.eigenvalues : NULL;
}
UDL_API const double *udl_pca_explained_variance_ratio(const udl_pca *pca)
{
    return pca ? pca->fit.ratio : NULL;
}
UDL_API const double *udl_pca_mean(const udl_pca *pca) { return pca ? pca->fit.mean : NULL; }

/* ---- files ----------------------------------------------------------------------------- */

UDL_API udl_status udl_pca_save(const udl_pca *pca, const char *path)
{
    udl_status s = check_fitted(pca);
    if (s)
        return s;
    const pca_fit *f = &pca->fit;
    udli_record r;
    udli_record_init(&r);
    udli_record_u64(&r, "n_features", f->d);
    udli_record_u64(&r, "n_components", f->k);
    udli_record_u64(&r, "n_samples", f->n_samples);
    udli_record_u64(&r, "whiten", (uint64_t)pca->params.whiten);
    udli_record_f64(&r, "variance_fraction", pca->params.variance_fraction);
    udli_record_matrix(&r, "mean", 1, f->d, f->mean);
    udli_record_matrix(&r, "components", f->k, f->d, f->components);
    udli_record_matrix(&r, "eigenvalues", 1, f->d, f->eigenvalues);
    return udli_record_save(&r, path, UDL_KIND_PCA);
}

static udl_status load_fit(udli_container *c, udl_pca_params *p, pca_fit *f)
{
    static const char *const v1[] = {"n_features", "n_components", "n_samples", "whiten",
                                     "variance_fraction"};
    const char *path = udli_container_path(c);
    udli_block mean, comps, eig;
    size_t d, k, n;
    udl_status s;
    if ((s = udli_container_upgrade(c, "info", v1, 5)) ||
        (s = udli_container_size(c, "n_features", 1, 1000000000, &d)) ||
        (s = udli_container_size(c, "n_components", 1, d, &k)) ||
        (s = udli_container_size(c, "n_samples", 2, (size_t)9e15, &n)) ||
        (s = udli_container_int(c, "whiten", 0, 1, &p->whiten)) ||
        (s = udli_container_matrix(c, "mean", 1, d, &mean)) ||
        (s = udli_container_matrix(c, "components", k, d, &comps)) ||
        (s = udli_container_matrix(c, "eigenvalues", 1, d, &eig)))
        return s;
    /* Format 1 wrote any value here; a model fitted by count never used it. */
    if (udli_container_f64(c, "variance_fraction", 0.0, 1.0, &p->variance_fraction) ||
        !(p->variance_fraction > 0.0))
        p->variance_fraction = 0.95;
    double total = 0.0;
    for (size_t j = 0; j < d; j++) {
        if (eig.data[j] < 0.0 || (j > 0 && eig.data[j] > eig.data[j - 1]))
            return udli_fail(UDL_EFORMAT, "%s: the PCA eigenvalues are not descending and "
                             "non-negative", path);
        total += eig.data[j];
    }
    if (!(total > 0.0) || (p->whiten && !(eig.data[k - 1] > 0.0)))
        return udli_fail(UDL_EFORMAT, "%s: the PCA eigenvalues are inconsistent", path);
    f->d = d;
    f->k = k;
    f->n_samples = n;
    f->mean = udli_alloc(d, sizeof(double), "pca mean");
    f->components = udli_alloc(k * d, sizeof(double), "pca components");
    f->eigenvalues = udli_alloc(d, sizeof(double), "pca eigenvalues");
    f->ratio = udli_alloc(d, sizeof(double), "pca ratios");
    if (!f->mean || !f->components || !f->eigenvalues || !f->ratio) {
        fit_free(f);
        return UDL_ENOMEM;
    }
    memcpy(f->mean, mean.data, d * sizeof(double));
    memcpy(f->components, comps.data, k * d * sizeof(double));
    memcpy(f->eigenvalues, eig.data, d * sizeof(double));
    for (size_t j = 0; j < d; j++)
        f->ratio[j] = eig.data[j] / total;
    p->n_components = k;
    return UDL_OK;
}

static udl_status pca_read(udli_container *c, udl_pca **out)
{
    *out = NULL;
    udl_pca_params p = udl_pca_params_default();
    pca_fit f;
    memset(&f, 0, sizeof f);
    udl_status s = load_fit(c, &p, &f);
    if (s)
        return s;
    if ((s = udl_pca_create(&p, out))) {
        fit_free(&f);
        return s;
    }
    (*out)->fit = f;
    return UDL_OK;
}

UDL_API udl_status udl_pca_load(const char *path, udl_pca **out)
{
    if (!out)
        return udli_fail(UDL_EINVAL, "pca load: out is NULL");
    return udli_kind_load(path, UDL_KIND_PCA, (void **)out);
}

/* ---- the registry's row ---------------------------------------------------------------- */

static udl_status row_read(udli_container *c, void **m) { return pca_read(c, (udl_pca **)m); }
static udl_status row_save(const void *m, const char *path) { return udl_pca_save(m, path); }
static void row_free(void *m) { udl_pca_free(m); }
static size_t row_inputs(const void *m) { return udl_pca_n_features(m); }
static size_t row_codes(const void *m) { return udl_pca_n_components(m); }
static udl_status row_encode(const void *m, udl_mat x, udl_mat z)
{
    return udl_pca_transform(m, x, z);
}

/* X^ = inverse_transform(transform(X)), through a block of codes at a time. */
static udl_status row_reconstruct(const void *m, udl_mat x, udl_mat xhat)
{
    const udl_pca *pca = m;
    const size_t k = pca->fit.k, block = 1024;
    udl_status s = udli_mat_check_output(xhat, x.rows, pca->fit.d, "pca reconstruct: X^");
    double *z = s ? NULL : udli_alloc(block * k, sizeof(double), "pca codes");
    if (s || !z)
        return s ? s : UDL_ENOMEM;
    for (size_t first = 0; first < x.rows && !s; first += block) {
        udl_mat xb = udl_mat_rows(x, first, block);
        udl_mat zb = udl_mat_view(z, xb.rows, k);
        if (!(s = udl_pca_transform(pca, xb, zb)))
            s = udl_pca_inverse_transform(pca, zb, udl_mat_rows(xhat, first, block));
    }
    free(z);
    return s;
}

static const udli_field_doc docs[] = {
    {"n_features", "the columns of the data (d)", NULL, NULL},
    {"n_components", "the number of components kept (k)", NULL, NULL},
    {"n_samples", "the rows the PCA was fitted on", NULL, NULL},
    {"whiten", "1 when transform divides each component by sqrt(its eigenvalue)", NULL, NULL},
    {"variance_fraction", "the explained variance asked for when n_components was 0 at the "
                          "fit", NULL, NULL},
    {"mean", "the mean of the data (1 x d), subtracted before projecting", NULL, NULL},
    {"components", "the principal axes as rows (k x d, unit length, by falling eigenvalue): "
                   "transform Z = (X - mean) components^T, then Z[:, j] / sqrt(eigenvalues[j]) "
                   "when whitening; inverse X = Z components + mean", NULL, NULL},
    {"eigenvalues", "the variances along every axis of the data covariance (1 x d, "
                    "falling); the first k belong to the components", NULL, NULL},
    {"info", "format 1: the scalars above by position (each also given by its name)", NULL,
     NULL},
    {NULL, NULL, NULL, NULL}};

const udli_kind_row udli_pca_row = {
    UDL_KIND_PCA, "pca", "PCA", row_read, row_save, row_free, row_inputs, row_codes, NULL,
    row_encode, row_reconstruct, NULL, NULL, NULL, NULL, NULL, docs};
