#include "helpers.h"

#include <udl/matrix.h>

#include "core/tensor.h"

/* op(A) op(B) by the definition, for comparison with cblas through udl_gemm. */
static double naive_entry(udl_trans ta, udl_trans tb, udl_mat a, udl_mat b, size_t i,
                          size_t j, size_t k)
{
    double s = 0.0;
    for (size_t p = 0; p < k; p++) {
        double x = ta ? a.data[p * a.ld + i] : a.data[i * a.ld + p];
        double y = tb ? b.data[j * b.ld + p] : b.data[p * b.ld + j];
        s += x * y;
    }
    return s;
}

static void test_gemm_matches_naive_product_all_transposes_and_strides(void **state)
{
    (void)state;
    udli_rng rng;
    udli_rng_seed(&rng, 1);
    const size_t shapes[][3] = {{1, 1, 1}, {3, 5, 7}, {17, 1, 9}, {13, 11, 1}, {31, 29, 37}};
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
        for (int ta = 0; ta < 2; ta++)
            for (int tb = 0; tb < 2; tb++) {
                size_t m = shapes[s][0], n = shapes[s][1], k = shapes[s][2];
                size_t pad = 3; /* a leading dimension larger than the row */
                size_t ar = ta ? k : m, ac = ta ? m : k, br = tb ? n : k, bc = tb ? k : n;
                double *ad = malloc(ar * (ac + pad) * sizeof(double));
                double *bd = malloc(br * (bc + pad) * sizeof(double));
                double *cd = malloc(m * (n + pad) * sizeof(double));
                double *c0 = malloc(m * (n + pad) * sizeof(double));
                fill_normal(&rng, ad, ar * (ac + pad));
                fill_normal(&rng, bd, br * (bc + pad));
                fill_normal(&rng, cd, m * (n + pad));
                memcpy(c0, cd, m * (n + pad) * sizeof(double));
                udl_mat a = {ad, ar, ac, ac + pad}, b = {bd, br, bc, bc + pad};
                udl_mat c = {cd, m, n, n + pad};
                const double alpha = 0.75, beta = -1.5;
                assert_int_equal(udl_gemm(ta, tb, alpha, a, b, beta, c), UDL_OK);
                for (size_t i = 0; i < m; i++) {
                    for (size_t j = 0; j < n; j++) {
                        double want = alpha * naive_entry(ta, tb, a, b, i, j, k) +
                                      beta * c0[i * (n + pad) + j];
                        assert_close(cd[i * (n + pad) + j], want, 1e-12 * (1.0 + k));
                    }
                    for (size_t j = n; j < n + pad; j++) /* padding untouched */
                        assert_true(cd[i * (n + pad) + j] == c0[i * (n + pad) + j]);
                }
                free(ad);
                free(bd);
                free(cd);
                free(c0);
            }
}

static void test_gemm_beta_zero_ignores_nan_in_c(void **state)
{
    (void)state;
    double a[6] = {1, 2, 3, 4, 5, 6}, c[4] = {NAN, NAN, NAN, NAN};
    assert_int_equal(udl_gemm(UDL_NOTRANS, UDL_TRANS, 1.0, udl_mat_view(a, 2, 3),
                              udl_mat_view(a, 2, 3), 0.0, udl_mat_view(c, 2, 2)),
                     UDL_OK);
    assert_true(c[0] == 14 && c[1] == 32 && c[2] == 32 && c[3] == 77);
    /* k = 0: the product is empty, C = beta C, and beta = 0 clears it. */
    double c2[4] = {NAN, 1, 2, 3};
    assert_int_equal(udl_gemm(UDL_NOTRANS, UDL_NOTRANS, 1.0, udl_mat_view(a, 2, 0),
                              udl_mat_view(a, 0, 2), 0.0, udl_mat_view(c2, 2, 2)),
                     UDL_OK);
    assert_true(c2[0] == 0 && c2[3] == 0);
}

static void test_gemm_rejects_bad_shapes_and_views(void **state)
{
    (void)state;
    double a[12] = {0}, c[12];
    udl_mat a23 = udl_mat_view(a, 2, 3), c22 = udl_mat_view(c, 2, 2);
    assert_int_equal(udl_gemm(UDL_NOTRANS, UDL_NOTRANS, 1, a23, a23, 0, c22), UDL_ESHAPE);
    assert_int_equal(udl_gemm(UDL_NOTRANS, UDL_TRANS, 1, a23, a23, 0, udl_mat_view(c, 3, 3)),
                     UDL_ESHAPE);
    assert_non_null(strstr(udl_last_error(), "C is 3 x 3"));
    udl_mat null_a = {NULL, 2, 3, 3};
    assert_int_equal(udl_gemm(UDL_NOTRANS, UDL_TRANS, 1, null_a, a23, 0, c22), UDL_EINVAL);
    assert_non_null(strstr(udl_last_error(), "NULL"));
    udl_mat bad_ld = {a, 2, 3, 2};
    assert_int_equal(udl_gemm(UDL_NOTRANS, UDL_TRANS, 1, bad_ld, a23, 0, c22), UDL_EINVAL);
    assert_int_equal(udl_gemm((udl_trans)7, UDL_TRANS, 1, a23, a23, 0, c22), UDL_EINVAL);
    /* an empty result is fine and touches nothing */
    assert_int_equal(udl_gemm(UDL_NOTRANS, UDL_NOTRANS, 1, udl_mat_view(NULL, 0, 2), a23, 0,
                              udl_mat_view(NULL, 0, 3)),
                     UDL_OK);
}

static void random_symmetric(udli_rng *rng, double *a, size_t n)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j <= i; j++)
            a[i * n + j] = a[j * n + i] = udli_rng_normal(rng);
}

static void test_syevd_reconstructs_orthonormal_descending(void **state)
{
    (void)state;
    udli_rng rng;
    udli_rng_seed(&rng, 2);
    const size_t sizes[] = {1, 2, 5, 33, 100};
    for (size_t t = 0; t < sizeof sizes / sizeof sizes[0]; t++) {
        size_t n = sizes[t];
        double *a = malloc(n * n * sizeof(double)), *v = malloc(n * n * sizeof(double));
        double *w = malloc(n * sizeof(double));
        random_symmetric(&rng, a, n);
        memcpy(v, a, n * n * sizeof(double));
        assert_int_equal(udl_syevd(udl_mat_view(v, n, n), w), UDL_OK);
        for (size_t i = 1; i < n; i++)
            assert_true(w[i - 1] >= w[i]);
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < n; j++) {
                double vtv = 0.0, vlv = 0.0;
                for (size_t p = 0; p < n; p++) {
                    vtv += v[p * n + i] * v[p * n + j];
                    vlv += v[i * n + p] * w[p] * v[j * n + p];
                }
                assert_close(vtv, i == j ? 1.0 : 0.0, 1e-10);
                assert_close(vlv, a[i * n + j], 1e-10);
            }
        free(a);
        free(v);
        free(w);
    }
}

static void test_syevd_known_spectrum(void **state)
{
    (void)state;
    /* [[2,1],[1,2]] has eigenvalues 3 and 1 with vectors (1,1)/sqrt2 and (1,-1)/sqrt2. */
    double a[4] = {2, 1, 1, 2}, w[2];
    assert_int_equal(udl_syevd(udl_mat_view(a, 2, 2), w), UDL_OK);
    assert_close(w[0], 3.0, 1e-14);
    assert_close(w[1], 1.0, 1e-14);
    assert_close(fabs(a[0]), 0.70710678118654752440, 1e-14);
    assert_close(a[0] * a[2], 0.5, 1e-14); /* first column is (1,1)/sqrt2 up to sign */
}

static void test_syevd_rejects_bad_input(void **state)
{
    (void)state;
    double a[6] = {1, 0, 0, 1, 0, 0}, w[3];
    assert_int_equal(udl_syevd(udl_mat_view(a, 2, 3), w), UDL_ESHAPE);
    assert_int_equal(udl_syevd(udl_mat_view(a, 2, 2), NULL), UDL_EINVAL);
    double b[4] = {1, 0, NAN, 1};
    assert_int_equal(udl_syevd(udl_mat_view(b, 2, 2), w), UDL_EINVAL);
    assert_non_null(strstr(udl_last_error(), "finite"));
    assert_int_equal(udl_syevd(udl_mat_view(NULL, 0, 0), NULL), UDL_OK);
}

static void test_mat_rows_clips_to_the_matrix(void **state)
{
    (void)state;
    double a[12];
    udl_mat m = {a, 3, 3, 4};
    udl_mat r = udl_mat_rows(m, 1, 5);
    assert_ptr_equal(r.data, a + 4);
    assert_int_equal(r.rows, 2);
    assert_int_equal(r.ld, 4);
    assert_int_equal(udl_mat_rows(m, 9, 1).rows, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gemm_matches_naive_product_all_transposes_and_strides),
        cmocka_unit_test(test_gemm_beta_zero_ignores_nan_in_c),
        cmocka_unit_test(test_gemm_rejects_bad_shapes_and_views),
        cmocka_unit_test(test_syevd_reconstructs_orthonormal_descending),
        cmocka_unit_test(test_syevd_known_spectrum),
        cmocka_unit_test(test_syevd_rejects_bad_input),
        cmocka_unit_test(test_mat_rows_clips_to_the_matrix),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
