#include "helpers.h"

#include "core/tensor.h"

static const double extremes[] = {-1e308, -800, -710, -700, -30, -1, -1e-300, 0,
                                  1e-300,  1,    30,   700,  710, 800, 1e308};
#define N_EXTREMES (sizeof extremes / sizeof extremes[0])

static void test_sigmoid_matches_formula_and_never_overflows(void **state)
{
    (void)state;
    double y[N_EXTREMES];
    udli_sigmoid(udl_mat_view((double *)extremes, 1, N_EXTREMES), udl_mat_view(y, 1, N_EXTREMES));
    for (size_t i = 0; i < N_EXTREMES; i++) {
        double x = extremes[i];
        assert_true(isfinite(y[i]) && y[i] >= 0.0 && y[i] <= 1.0);
        if (fabs(x) <= 30)
            assert_close(y[i], 1.0 / (1.0 + exp(-x)), 1e-15);
    }
    assert_true(y[0] == 0.0);               /* -1e308 */
    assert_true(y[N_EXTREMES - 1] == 1.0);  /* 1e308 */
    assert_close(y[3], exp(-700.0), 1e-310); /* sigmoid(-700) = e^-700 to double precision */
    assert_true(y[3] > 0.0);
}

static void test_sigmoid_in_place_with_stride(void **state)
{
    (void)state;
    double a[6] = {0, 2, 99, -2, 4, 99}; /* 2 x 2 inside ld 3 */
    udl_mat m = {a, 2, 2, 3};
    udli_sigmoid(m, m);
    assert_close(a[0], 0.5, 1e-16);
    assert_close(a[1], 1 / (1 + exp(-2.0)), 1e-16);
    assert_close(a[3], 1 / (1 + exp(2.0)), 1e-16);
    assert_true(a[2] == 99 && a[5] == 99);
}

static void test_tanh_relu_softplus_match_formulas(void **state)
{
    (void)state;
    double t[N_EXTREMES], r[N_EXTREMES], s[N_EXTREMES];
    udl_mat x = udl_mat_view((double *)extremes, 1, N_EXTREMES);
    udli_tanh(x, udl_mat_view(t, 1, N_EXTREMES));
    udli_relu(x, udl_mat_view(r, 1, N_EXTREMES));
    udli_softplus(x, udl_mat_view(s, 1, N_EXTREMES));
    for (size_t i = 0; i < N_EXTREMES; i++) {
        double v = extremes[i];
        assert_close(t[i], tanh(v), 0);
        assert_true(r[i] == (v > 0 ? v : 0.0));
        assert_true(isfinite(s[i]) && s[i] >= 0.0);
        if (fabs(v) <= 30)
            assert_close(s[i], log(1.0 + exp(v)), 1e-14);
        else if (v > 30)
            assert_close(s[i], v, 1e-12 * v); /* log(1 + e^x) = x + log1p(e^-x) */
        else
            assert_close(s[i], exp(v), 1e-300); /* tiny, positive or zero */
    }
}

static void test_derivatives_match_finite_differences(void **state)
{
    (void)state;
    const double xs[] = {-3.0, -0.7, 0.3, 1.9};
    const double h = 1e-6;
    for (size_t i = 0; i < 4; i++) {
        double x = xs[i], y, yp, ym, g;
        void (*fwd[3])(udl_mat, udl_mat) = {udli_sigmoid, udli_tanh, udli_relu};
        for (int f = 0; f < 3; f++) {
            double xp = x + h, xm = x - h;
            fwd[f](udl_mat_view(&x, 1, 1), udl_mat_view(&y, 1, 1));
            fwd[f](udl_mat_view(&xp, 1, 1), udl_mat_view(&yp, 1, 1));
            fwd[f](udl_mat_view(&xm, 1, 1), udl_mat_view(&ym, 1, 1));
            g = 2.0; /* the incoming gradient is multiplied, not replaced */
            if (f == 0)
                udli_sigmoid_backward(udl_mat_view(&y, 1, 1), udl_mat_view(&g, 1, 1));
            else if (f == 1)
                udli_tanh_backward(udl_mat_view(&y, 1, 1), udl_mat_view(&g, 1, 1));
            else
                udli_relu_backward(udl_mat_view(&x, 1, 1), udl_mat_view(&g, 1, 1));
            assert_close(g, 2.0 * (yp - ym) / (2 * h), 1e-8);
        }
    }
}

static void test_softmax_rows_sum_to_one_even_for_huge_logits(void **state)
{
    (void)state;
    double x[2 * 3] = {1000, 1001, 1002, -1000, 0, -1e308}, p[6], lse[2];
    udli_softmax_rows(udl_mat_view(x, 2, 3), udl_mat_view(p, 2, 3));
    double z = 1 + exp(1.0) + exp(2.0);
    assert_close(p[0], 1 / z, 1e-15);
    assert_close(p[2], exp(2.0) / z, 1e-15);
    assert_close(p[3] + p[4] + p[5], 1.0, 1e-15);
    assert_true(p[4] == 1.0 && p[5] == 0.0);
    udli_logsumexp_rows(udl_mat_view(x, 2, 3), lse);
    assert_close(lse[0], 1002 + log(1 + exp(-1.0) + exp(-2.0)), 1e-12);
    assert_close(lse[1], 0.0, 1e-15);
    /* an all -inf row has probability mass nowhere: log 0 = -inf, no NaN */
    double ninf[2] = {-INFINITY, -INFINITY}, l;
    udli_logsumexp_rows(udl_mat_view(ninf, 1, 2), &l);
    assert_true(isinf(l) && l < 0);
}

static void test_bias_add_and_column_reductions(void **state)
{
    (void)state;
    double m[3 * 2] = {1, 2, 3, 4, 5, 6}, b[2] = {10, -1}, s[2], mu[2];
    udli_add_row_vector(udl_mat_view(m, 3, 2), b, 0.5, udl_mat_view(m, 3, 2));
    assert_true(m[0] == 6 && m[1] == 1.5 && m[4] == 10 && m[5] == 5.5);
    udli_col_sums(udl_mat_view(m, 3, 2), s);
    assert_true(s[0] == 6 + 8 + 10 && s[1] == 1.5 + 3.5 + 5.5);
    udli_col_means(udl_mat_view(m, 3, 2), mu);
    assert_close(mu[0], 8.0, 1e-15);
    udli_col_means(udl_mat_view(m, 0, 2), mu); /* no rows: zeros, not 0/0 */
    assert_true(mu[0] == 0.0 && mu[1] == 0.0);
    double scaled[4], s2[2] = {2, -1};
    udl_mat strided = {m, 2, 2, 4}; /* rows 0 and 2 of m viewed with ld 4 */
    udli_scale_cols(strided, s2, udl_mat_view(scaled, 2, 2));
    assert_true(scaled[0] == 12 && scaled[1] == -1.5 && scaled[2] == 20 && scaled[3] == -5.5);
    udli_add_row_vector(strided, s2, -1.0, udl_mat_view(scaled, 2, 2));
    assert_true(scaled[0] == 4 && scaled[1] == 2.5 && scaled[2] == 8 && scaled[3] == 6.5);
}

static void test_finite_check_names_the_element(void **state)
{
    (void)state;
    double a[4] = {1, 2, INFINITY, 4};
    assert_int_equal(udli_mat_check_finite(udl_mat_view(a, 2, 2), "X"), UDL_EINVAL);
    assert_non_null(strstr(udl_last_error(), "X[1][0]"));
    a[2] = 3;
    assert_int_equal(udli_mat_check_finite(udl_mat_view(a, 2, 2), "X"), UDL_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sigmoid_matches_formula_and_never_overflows),
        cmocka_unit_test(test_sigmoid_in_place_with_stride),
        cmocka_unit_test(test_tanh_relu_softplus_match_formulas),
        cmocka_unit_test(test_derivatives_match_finite_differences),
        cmocka_unit_test(test_softmax_rows_sum_to_one_even_for_huge_logits),
        cmocka_unit_test(test_bias_add_and_column_reductions),
        cmocka_unit_test(test_finite_check_names_the_element),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
