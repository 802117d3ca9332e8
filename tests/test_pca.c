#include "helpers.h"

#include <lapacke.h>

#include <udl/pca.h>

#include "core/container.h"
#include "core/model.h"
#include "format1.h"

/* N x D data with column scales that fall off, mixed by a random rotation-ish matrix
 * and shifted by a large mean, so centring and ordering matter. */
static double *make_data(size_t n, size_t d, uint64_t seed, double offset)
{
    udli_rng r;
    udli_rng_seed(&r, seed);
    double *x = malloc(n * d * sizeof(double)), *mix = malloc(d * d * sizeof(double));
    fill_normal(&r, mix, d * d);
    for (size_t i = 0; i < n; i++) {
        double z[64];
        for (size_t j = 0; j < d; j++)
            z[j] = udli_rng_normal(&r) * 10.0 / (1.0 + (double)j);
        for (size_t j = 0; j < d; j++) {
            double s = offset * (1.0 + (double)j);
            for (size_t p = 0; p < d; p++)
                s += z[p] * mix[p * d + j];
            x[i * d + j] = s;
        }
    }
    free(mix);
    return x;
}

static udl_pca *fit_k(double *x, size_t n, size_t d, size_t k, int whiten)
{
    udl_pca_params p = udl_pca_params_default();
    p.n_components = k;
    p.whiten = whiten;
    udl_pca *pca;
    assert_int_equal(udl_pca_create(&p, &pca), UDL_OK);
    assert_int_equal(udl_pca_fit(pca, udl_mat_view(x, n, d), NULL, NULL), UDL_OK);
    return pca;
}

static void test_pca_matches_svd_up_to_sign(void **state)
{
    (void)state;
    const size_t n = 300, d = 12, k = 6;
    double *x = make_data(n, d, 1, 100.0);
    udl_pca *pca = fit_k(x, n, d, k, 0);
    /* independent computation: SVD of the centred data, X_c = U S V^T */
    double *xc = malloc(n * d * sizeof(double)), mean[12] = {0}, s[12], vt[12 * 12];
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < d; j++)
            mean[j] += x[i * d + j] / n;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < d; j++)
            xc[i * d + j] = x[i * d + j] - mean[j];
    double *u = malloc(n * d * sizeof(double));
    assert_int_equal(LAPACKE_dgesdd(LAPACK_ROW_MAJOR, 'S', (lapack_int)n, (lapack_int)d, xc,
                                    (lapack_int)d, s, u, (lapack_int)d, vt, (lapack_int)d),
                     0);
    free(u);
    const double *eig = udl_pca_eigenvalues(pca), *comp = udl_pca_components(pca);
    for (size_t j = 0; j < d; j++) {
        assert_close(udl_pca_mean(pca)[j], mean[j], 1e-9 * fabs(mean[j]) + 1e-12);
        assert_close(eig[j], s[j] * s[j] / n, 1e-8 * eig[0]);
    }
    for (size_t c = 0; c < k; c++) {
        double dot = 0.0;
        for (size_t j = 0; j < d; j++)
            dot += comp[c * d + j] * vt[c * d + j];
        double sign = dot < 0 ? -1.0 : 1.0;
        for (size_t j = 0; j < d; j++)
            assert_close(comp[c * d + j], sign * vt[c * d + j], 1e-8);
    }
    free(xc);
    free(x);
    udl_pca_free(pca);
}

static void test_components_orthonormal_and_sign_convention(void **state)
{
    (void)state;
    const size_t n = 200, d = 10, k = 10;
    double *x = make_data(n, d, 2, 0.0);
    udl_pca *pca = fit_k(x, n, d, k, 0);
    const double *c = udl_pca_components(pca);
    for (size_t a = 0; a < k; a++) {
        size_t big = 0;
        for (size_t j = 0; j < d; j++)
            if (fabs(c[a * d + j]) > fabs(c[a * d + big]))
                big = j;
        assert_true(c[a * d + big] > 0.0);
        for (size_t b = 0; b < k; b++) {
            double dot = 0.0;
            for (size_t j = 0; j < d; j++)
                dot += c[a * d + j] * c[b * d + j];
            assert_close(dot, a == b ? 1.0 : 0.0, 1e-12);
        }
    }
    /* -X has the same covariance: the sign convention gives the same components */
    for (size_t i = 0; i < n * d; i++)
        x[i] = -x[i];
    udl_pca *neg = fit_k(x, n, d, k, 0);
    for (size_t i = 0; i < k * d; i++)
        assert_close(udl_pca_components(neg)[i], c[i], 1e-10);
    const double *ratio = udl_pca_explained_variance_ratio(pca);
    double total = 0.0;
    for (size_t j = 0; j < d; j++)
        total += ratio[j];
    assert_close(total, 1.0, 1e-12);
    udl_pca_free(neg);
    udl_pca_free(pca);
    free(x);
}

static void test_covariance_of_codes_is_diagonal_eigenvalues(void **state)
{
    (void)state;
    const size_t n = 500, d = 8, k = 5;
    double *x = make_data(n, d, 3, 50.0), *z = malloc(n * k * sizeof(double));
    udl_pca *pca = fit_k(x, n, d, k, 0);
    assert_int_equal(udl_pca_transform(pca, udl_mat_view(x, n, d), udl_mat_view(z, n, k)),
                     UDL_OK);
    const double *eig = udl_pca_eigenvalues(pca);
    for (size_t a = 0; a < k; a++) {
        double mean = 0.0;
        for (size_t i = 0; i < n; i++)
            mean += z[i * k + a] / n;
        assert_close(mean, 0.0, 1e-9);
        for (size_t b = 0; b < k; b++) {
            double cov = 0.0;
            for (size_t i = 0; i < n; i++)
                cov += z[i * k + a] * z[i * k + b] / n;
            assert_close(cov, a == b ? eig[a] : 0.0, 1e-9 * eig[0]);
        }
    }
    free(z);
    free(x);
    udl_pca_free(pca);
}

static void test_chunked_fit_equals_in_memory(void **state)
{
    (void)state;
    const size_t n = 5000, d = 16, k = 7;
    double *x = make_data(n, d, 4, 1e4); /* a mean far larger than the spread */
    udl_pca *whole = fit_k(x, n, d, k, 0);
    udl_pca_params p = udl_pca_params_default();
    p.n_components = k;
    udl_pca *chunked;
    assert_int_equal(udl_pca_create(&p, &chunked), UDL_OK);
    const size_t sizes[] = {1, 7, 50, 2047, 2500};
    size_t first = 0;
    for (size_t c = 0; first < n; c++) {
        size_t count = c < 5 ? sizes[c] : n - first;
        if (count > n - first)
            count = n - first;
        assert_int_equal(udl_pca_partial_fit(chunked, udl_mat_view(x + first * d, count, d)),
                         UDL_OK);
        first += count;
    }
    assert_false(udl_pca_is_fitted(chunked));
    assert_int_equal(udl_pca_finish(chunked), UDL_OK);
    const double *e1 = udl_pca_eigenvalues(whole), *e2 = udl_pca_eigenvalues(chunked);
    for (size_t j = 0; j < d; j++) {
        assert_close(e1[j], e2[j], 1e-9 * e1[0]);
        assert_close(udl_pca_mean(whole)[j], udl_pca_mean(chunked)[j], 1e-9);
    }
    for (size_t i = 0; i < k * d; i++)
        assert_close(udl_pca_components(whole)[i], udl_pca_components(chunked)[i], 1e-9);
    /* finish consumed the accumulation */
    assert_int_equal(udl_pca_finish(chunked), UDL_ESTATE);
    udl_pca_free(whole);
    udl_pca_free(chunked);
    free(x);
}

static void test_whitening_gives_identity_covariance_and_inverts(void **state)
{
    (void)state;
    const size_t n = 400, d = 6, k = 6;
    double *x = make_data(n, d, 5, 3.0), *z = malloc(n * k * sizeof(double));
    double *back = malloc(n * d * sizeof(double));
    udl_pca *pca = fit_k(x, n, d, k, 1);
    assert_int_equal(udl_pca_transform(pca, udl_mat_view(x, n, d), udl_mat_view(z, n, k)),
                     UDL_OK);
    for (size_t a = 0; a < k; a++)
        for (size_t b = 0; b < k; b++) {
            double cov = 0.0;
            for (size_t i = 0; i < n; i++)
                cov += z[i * k + a] * z[i * k + b] / n;
            assert_close(cov, a == b ? 1.0 : 0.0, 1e-9);
        }
    /* all components kept: the inverse gives X back */
    assert_int_equal(udl_pca_inverse_transform(pca, udl_mat_view(z, n, k),
                                               udl_mat_view(back, n, d)),
                     UDL_OK);
    for (size_t i = 0; i < n * d; i++)
        assert_close(back[i], x[i], 1e-9 * (1.0 + fabs(x[i])));
    free(back);
    free(z);
    free(x);
    udl_pca_free(pca);
}

static void test_reconstruction_error_is_sum_of_discarded_eigenvalues(void **state)
{
    (void)state;
    const size_t n = 3000, d = 10, k = 4; /* crosses the 2048-row blocks */
    double *x = make_data(n, d, 6, 20.0), *z = malloc(n * k * sizeof(double));
    double *back = malloc(n * d * sizeof(double));
    udl_pca *pca = fit_k(x, n, d, k, 0);
    double err, want = 0.0, direct = 0.0;
    for (size_t j = k; j < d; j++)
        want += udl_pca_eigenvalues(pca)[j];
    assert_int_equal(udl_pca_reconstruction_error(pca, udl_mat_view(x, n, d), &err), UDL_OK);
    assert_close(err, want, 1e-9 * want);
    /* and through transform + inverse_transform, computed here */
    assert_int_equal(udl_pca_transform(pca, udl_mat_view(x, n, d), udl_mat_view(z, n, k)),
                     UDL_OK);
    assert_int_equal(udl_pca_inverse_transform(pca, udl_mat_view(z, n, k),
                                               udl_mat_view(back, n, d)),
                     UDL_OK);
    for (size_t i = 0; i < n * d; i++)
        direct += (x[i] - back[i]) * (x[i] - back[i]) / n;
    assert_close(direct, want, 1e-8 * want);
    free(back);
    free(z);
    free(x);
    udl_pca_free(pca);
}

static void test_variance_fraction_picks_the_smallest_k(void **state)
{
    (void)state;
    const size_t n = 400, d = 10;
    double *x = make_data(n, d, 7, 0.0);
    const double fractions[] = {0.5, 0.8, 0.95, 0.999, 1.0};
    for (size_t t = 0; t < 5; t++) {
        udl_pca_params p = udl_pca_params_default();
        p.n_components = 0;
        p.variance_fraction = fractions[t];
        udl_pca *pca;
        assert_int_equal(udl_pca_create(&p, &pca), UDL_OK);
        assert_int_equal(udl_pca_fit(pca, udl_mat_view(x, n, d), NULL, NULL), UDL_OK);
        size_t k = udl_pca_n_components(pca);
        const double *r = udl_pca_explained_variance_ratio(pca);
        double below = 0.0;
        for (size_t j = 0; j + 1 < k; j++)
            below += r[j];
        assert_true(below < fractions[t]);
        assert_true(below + r[k - 1] >= fractions[t] * (1 - 1e-12));
        udl_pca_free(pca);
    }
    free(x);
}

static void test_edge_shapes_fewer_samples_rank_deficient_constant(void **state)
{
    (void)state;
    /* N < D */
    double *x = make_data(5, 20, 8, 1.0);
    udl_pca_params p = udl_pca_params_default();
    udl_pca *pca;
    p.n_components = 5;
    assert_int_equal(udl_pca_create(&p, &pca), UDL_OK);
    assert_int_equal(udl_pca_fit(pca, udl_mat_view(x, 5, 20), NULL, NULL), UDL_OK);
    assert_true(udl_pca_eigenvalues(pca)[4] < 1e-10 * udl_pca_eigenvalues(pca)[0]);
    udl_pca_free(pca);
    p.n_components = 6;
    assert_int_equal(udl_pca_create(&p, &pca), UDL_OK);
    assert_int_equal(udl_pca_fit(pca, udl_mat_view(x, 5, 20), NULL, NULL), UDL_EINVAL);
    assert_non_null(strstr(udl_last_error(), "min(N, D)"));
    udl_pca_free(pca);
    free(x);

    /* rank 3 in 8 dimensions, with a constant column */
    const size_t n = 100, d = 8;
    double *y = calloc(n * d, sizeof(double));
    udli_rng r;
    udli_rng_seed(&r, 9);
    for (size_t i = 0; i < n; i++) {
        double a = udli_rng_normal(&r), b = udli_rng_normal(&r), c = udli_rng_normal(&r);
        double row[8] = {a, b, c, a + b, b - c, 2 * a, a + b + c, 7.0};
        memcpy(y + i * d, row, sizeof row);
    }
    p.n_components = 3;
    assert_int_equal(udl_pca_create(&p, &pca), UDL_OK);
    assert_int_equal(udl_pca_fit(pca, udl_mat_view(y, n, d), NULL, NULL), UDL_OK);
    double err;
    assert_int_equal(udl_pca_reconstruction_error(pca, udl_mat_view(y, n, d), &err), UDL_OK);
    assert_close(err, 0.0, 1e-10);
    assert_close(udl_pca_components(pca)[7], 0.0, 1e-12); /* nothing on the constant column */
    udl_pca_free(pca);
    /* whitening a zero-variance component is refused, the earlier fit kept */
    p.n_components = 5;
    p.whiten = 1;
    assert_int_equal(udl_pca_create(&p, &pca), UDL_OK);
    assert_int_equal(udl_pca_fit(pca, udl_mat_view(y, n, d), NULL, NULL), UDL_ENUMERIC);
    assert_non_null(strstr(udl_last_error(), "whitening"));
    assert_false(udl_pca_is_fitted(pca));
    udl_pca_free(pca);
    free(y);
}

static int cancel_at_second(const udl_progress *pr, void *user)
{
    (void)user;
    return pr->step > 2048;
}

static void test_bad_input_statuses_and_model_kept_valid(void **state)
{
    (void)state;
    const size_t n = 3000, d = 5;
    double *x = make_data(n, d, 10, 0.0), z[3000 * 2] = {0};
    udl_pca *pca = fit_k(x, 50, d, 2, 0);
    double comps[10];
    memcpy(comps, udl_pca_components(pca), sizeof comps);
    /* bad data: rejected, previous fit intact */
    x[7] = NAN;
    assert_int_equal(udl_pca_fit(pca, udl_mat_view(x, 50, d), NULL, NULL), UDL_EINVAL);
    assert_non_null(strstr(udl_last_error(), "finite"));
    x[7] = INFINITY;
    assert_int_equal(udl_pca_transform(pca, udl_mat_view(x, 50, d), udl_mat_view(z, 50, 2)),
                     UDL_EINVAL);
    x[7] = 1.0;
    assert_int_equal(udl_pca_fit(pca, udl_mat_view(x, n, d), cancel_at_second, NULL),
                     UDL_ECANCELED);
    assert_memory_equal(udl_pca_components(pca), comps, sizeof comps);
    assert_int_equal(udl_pca_fit(pca, udl_mat_view(x, 1, d), NULL, NULL), UDL_EINVAL);
    assert_non_null(strstr(udl_last_error(), "at least 2 samples"));
    double same[10] = {1, 2, 3, 4, 5, 1, 2, 3, 4, 5};
    assert_int_equal(udl_pca_fit(pca, udl_mat_view(same, 2, 5), NULL, NULL), UDL_EINVAL);
    assert_memory_equal(udl_pca_components(pca), comps, sizeof comps);
    /* shapes */
    assert_int_equal(udl_pca_transform(pca, udl_mat_view(x, 10, 4), udl_mat_view(z, 10, 2)),
                     UDL_ESHAPE);
    assert_string_equal(udl_last_error(), "pca transform: X has 4 columns, the model expects 5");
    assert_int_equal(udl_pca_transform(pca, udl_mat_view(x, 10, 5), udl_mat_view(z, 10, 3)),
                     UDL_ESHAPE);
    assert_int_equal(udl_pca_inverse_transform(pca, udl_mat_view(z, 10, 3),
                                               udl_mat_view(x, 10, 5)),
                     UDL_ESHAPE);
    assert_int_equal(udl_pca_partial_fit(pca, udl_mat_view(x, 10, 5)), UDL_OK);
    assert_int_equal(udl_pca_partial_fit(pca, udl_mat_view(x, 10, 4)), UDL_ESHAPE);
    udl_pca_free(pca);
    /* state and arguments */
    udl_pca_params p = udl_pca_params_default();
    assert_int_equal(udl_pca_create(&p, &pca), UDL_OK);
    assert_int_equal(udl_pca_transform(pca, udl_mat_view(x, 10, 5), udl_mat_view(z, 10, 2)),
                     UDL_ESTATE);
    assert_int_equal(udl_pca_finish(pca), UDL_ESTATE);
    assert_int_equal(udl_pca_save(pca, "/tmp/never.udl"), UDL_ESTATE);
    assert_null(udl_pca_components(pca));
    assert_int_equal(udl_pca_fit(NULL, udl_mat_view(x, 10, 5), NULL, NULL), UDL_EINVAL);
    udl_mat null_x = {NULL, 10, 5, 5};
    assert_int_equal(udl_pca_fit(pca, null_x, NULL, NULL), UDL_EINVAL);
    udl_pca_free(pca);
    udl_pca_free(NULL);
    p.n_components = 0;
    p.variance_fraction = 1.5;
    assert_int_equal(udl_pca_create(&p, &pca), UDL_EINVAL);
    assert_non_null(strstr(udl_last_error(), "variance_fraction"));
    p = udl_pca_params_default();
    p.whiten = 3;
    assert_int_equal(udl_pca_create(&p, &pca), UDL_EINVAL);
    assert_int_equal(udl_pca_create(NULL, &pca), UDL_EINVAL);
    free(x);
}

static void test_save_load_round_trip(void **state)
{
    (void)state;
    const size_t n = 200, d = 7, k = 3;
    double *x = make_data(n, d, 11, 5.0), z1[200 * 3], z2[200 * 3];
    udl_pca *pca = fit_k(x, n, d, k, 1), *loaded;
    char path[512];
    tmp_path(path, sizeof path, "pca.udl");
    assert_int_equal(udl_pca_save(pca, path), UDL_OK);
    assert_int_equal(udl_pca_load(path, &loaded), UDL_OK);
    assert_int_equal(udl_pca_n_components(loaded), k);
    assert_int_equal(udl_pca_n_features(loaded), d);
    assert_int_equal(udl_pca_transform(pca, udl_mat_view(x, n, d), udl_mat_view(z1, n, k)),
                     UDL_OK);
    assert_int_equal(udl_pca_transform(loaded, udl_mat_view(x, n, d), udl_mat_view(z2, n, k)),
                     UDL_OK);
    assert_memory_equal(z1, z2, sizeof z1);
    assert_memory_equal(udl_pca_explained_variance_ratio(pca),
                        udl_pca_explained_variance_ratio(loaded), d * sizeof(double));
    udl_pca_free(loaded);
    /* another kind of model file */
    udli_block b = {"info", 1, 1, z1};
    assert_int_equal(udli_container_save(path, UDL_KIND_RBM, &b, 1), UDL_OK);
    assert_int_equal(udl_pca_load(path, &loaded), UDL_EKIND);
    assert_null(loaded);
    /* a PCA file whose blocks disagree */
    double info[5] = {7, 9, 200, 0, 0.9};
    udli_block bad = {"info", 1, 5, info};
    assert_int_equal(save_format1(path, UDL_KIND_PCA, &bad, 1), UDL_OK);
    assert_int_equal(udl_pca_load(path, &loaded), UDL_EFORMAT);
    info[1] = 3;
    assert_int_equal(save_format1(path, UDL_KIND_PCA, &bad, 1), UDL_OK);
    assert_int_equal(udl_pca_load(path, &loaded), UDL_EFORMAT);
    assert_non_null(strstr(udl_last_error(), "no block 'mean'"));
    udl_pca_free(pca);
    free(x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pca_matches_svd_up_to_sign),
        cmocka_unit_test(test_components_orthonormal_and_sign_convention),
        cmocka_unit_test(test_covariance_of_codes_is_diagonal_eigenvalues),
        cmocka_unit_test(test_chunked_fit_equals_in_memory),
        cmocka_unit_test(test_whitening_gives_identity_covariance_and_inverts),
        cmocka_unit_test(test_reconstruction_error_is_sum_of_discarded_eigenvalues),
        cmocka_unit_test(test_variance_fraction_picks_the_smallest_k),
        cmocka_unit_test(test_edge_shapes_fewer_samples_rank_deficient_constant),
        cmocka_unit_test(test_bad_input_statuses_and_model_kept_valid),
        cmocka_unit_test(test_save_load_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
