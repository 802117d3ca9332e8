#include "helpers.h"

#include <udl/optim.h>

static void test_classical_momentum_by_hand(void **state)
{
    (void)state;
    udl_sgd_params p = {0.1, 0.9, 0.0, 0};
    double w[2] = {1.0, -2.0}, v[2] = {0, 0}, g[2] = {0.5, -1.0};
    assert_int_equal(udl_sgd_step(&p, w, v, g, 2, 1), UDL_OK);
    /* v = -0.1 g = (-0.05, 0.1); w = (0.95, -1.9) */
    assert_close(v[0], -0.05, 1e-15);
    assert_close(w[0], 0.95, 1e-15);
    assert_close(w[1], -1.9, 1e-15);
    assert_int_equal(udl_sgd_step(&p, w, v, g, 2, 1), UDL_OK);
    /* v = 0.9 (-0.05) - 0.05 = -0.095; w = 0.95 - 0.095 = 0.855 */
    assert_close(v[0], -0.095, 1e-15);
    assert_close(w[0], 0.855, 1e-15);
}

static void test_nesterov_by_hand(void **state)
{
    (void)state;
    udl_sgd_params p = {0.1, 0.9, 0.0, 1};
    double w = 1.0, v = 0.0, g = 0.5;
    assert_int_equal(udl_sgd_step(&p, &w, &v, &g, 1, 0), UDL_OK);
    /* v = -0.05; w = 1 + 0.9 (-0.05) - 0.05 = 0.905 */
    assert_close(v, -0.05, 1e-15);
    assert_close(w, 0.905, 1e-15);
    assert_int_equal(udl_sgd_step(&p, &w, &v, &g, 1, 0), UDL_OK);
    /* v = -0.095; w = 0.905 + 0.9 (-0.095) - 0.05 = 0.7695 */
    assert_close(v, -0.095, 1e-15);
    assert_close(w, 0.7695, 1e-15);
}

static void test_weight_decay_only_where_asked(void **state)
{
    (void)state;
    udl_sgd_params p = {0.5, 0.0, 0.1, 0};
    double w = 2.0, v = 0.0, g = 0.0, b = 2.0, vb = 0.0;
    assert_int_equal(udl_sgd_step(&p, &w, &v, &g, 1, 1), UDL_OK);
    assert_int_equal(udl_sgd_step(&p, &b, &vb, &g, 1, 0), UDL_OK);
    assert_close(w, 2.0 - 0.5 * 0.1 * 2.0, 1e-15); /* decayed toward 0 */
    assert_true(b == 2.0);                          /* bias untouched */
}

static void test_minimises_a_quadratic(void **state)
{
    (void)state;
    /* f(w) = 1/2 sum a_i (w_i - c_i)^2 ; both momentum forms must reach c. */
    for (int nesterov = 0; nesterov < 2; nesterov++) {
        udl_sgd_params p = {0.05, 0.9, 0.0, nesterov};
        double a[3] = {1.0, 4.0, 0.5}, c[3] = {1, -2, 3}, w[3] = {0}, v[3] = {0}, g[3];
        for (int it = 0; it < 2000; it++) {
            for (int i = 0; i < 3; i++)
                g[i] = a[i] * (w[i] - c[i]);
            assert_int_equal(udl_sgd_step(&p, w, v, g, 3, 1), UDL_OK);
        }
        for (int i = 0; i < 3; i++)
            assert_close(w[i], c[i], 1e-8);
    }
}

static void test_bad_parameters_are_named(void **state)
{
    (void)state;
    double w = 0, v = 0, g = 0;
    udl_sgd_params ok = udl_sgd_params_default(), p;
    assert_int_equal(udl_sgd_params_check(&ok), UDL_OK);
    p = ok; p.learning_rate = 0;
    assert_int_equal(udl_sgd_step(&p, &w, &v, &g, 1, 0), UDL_EINVAL);
    assert_non_null(strstr(udl_last_error(), "learning_rate"));
    p = ok; p.learning_rate = NAN;
    assert_int_equal(udl_sgd_params_check(&p), UDL_EINVAL);
    p = ok; p.momentum = 1.0;
    assert_int_equal(udl_sgd_params_check(&p), UDL_EINVAL);
    assert_non_null(strstr(udl_last_error(), "momentum"));
    p = ok; p.momentum = -0.1;
    assert_int_equal(udl_sgd_params_check(&p), UDL_EINVAL);
    p = ok; p.weight_decay = -1;
    assert_int_equal(udl_sgd_params_check(&p), UDL_EINVAL);
    assert_non_null(strstr(udl_last_error(), "weight_decay"));
    p = ok; p.nesterov = 2;
    assert_int_equal(udl_sgd_params_check(&p), UDL_EINVAL);
    assert_int_equal(udl_sgd_params_check(NULL), UDL_EINVAL);
    assert_int_equal(udl_sgd_step(&ok, NULL, &v, &g, 1, 0), UDL_EINVAL);
    assert_int_equal(udl_sgd_step(&ok, NULL, NULL, NULL, 0, 0), UDL_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_classical_momentum_by_hand),
        cmocka_unit_test(test_nesterov_by_hand),
        cmocka_unit_test(test_weight_decay_only_where_asked),
        cmocka_unit_test(test_minimises_a_quadratic),
        cmocka_unit_test(test_bad_parameters_are_named),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
