#include "helpers.h"

static void test_same_seed_same_stream_other_seed_other_stream(void **state)
{
    (void)state;
    udli_rng a, b, c;
    udli_rng_seed(&a, 42);
    udli_rng_seed(&b, 42);
    udli_rng_seed(&c, 43);
    int differ = 0;
    for (int i = 0; i < 1000; i++) {
        uint64_t x = udli_rng_next(&a);
        assert_true(x == udli_rng_next(&b));
        differ += x != udli_rng_next(&c);
    }
    assert_true(differ > 990);
}

static void test_xoshiro_reference_values(void **state)
{
    (void)state;
    /* xoshiro256** from the state {1, 2, 3, 4}: the first outputs of the reference
     * algorithm, worked by hand from its definition: rotl(s1 * 5, 7) * 9. */
    udli_rng r = {{1, 2, 3, 4}, 0.0, 0};
    assert_true(udli_rng_next(&r) == 11520u);       /* rotl(10, 7) * 9 = 1280 * 9 */
    assert_true(udli_rng_next(&r) == 0u);           /* s1 becomes 0 after one step */
    assert_true(udli_rng_next(&r) == 1509978240u);
}

static void test_uniform_and_normal_moments(void **state)
{
    (void)state;
    udli_rng r;
    udli_rng_seed(&r, 7);
    const int n = 200000;
    double su = 0, su2 = 0, sn = 0, sn2 = 0, sn4 = 0;
    for (int i = 0; i < n; i++) {
        double u = udli_rng_uniform(&r), z = udli_rng_normal(&r);
        assert_true(u >= 0.0 && u < 1.0);
        su += u;
        su2 += u * u;
        sn += z;
        sn2 += z * z;
        sn4 += z * z * z * z;
    }
    /* tolerances of about five standard errors */
    assert_close(su / n, 0.5, 5 * sqrt(1.0 / 12 / n));
    assert_close(su2 / n - (su / n) * (su / n), 1.0 / 12, 0.002);
    assert_close(sn / n, 0.0, 5 / sqrt(n));
    assert_close(sn2 / n, 1.0, 5 * sqrt(2.0 / n));
    assert_close(sn4 / n, 3.0, 5 * sqrt(96.0 / n));
}

static void test_bernoulli_frequency(void **state)
{
    (void)state;
    udli_rng r;
    udli_rng_seed(&r, 9);
    const int n = 100000;
    int ones = 0;
    for (int i = 0; i < n; i++)
        ones += udli_rng_bernoulli(&r, 0.3);
    assert_close((double)ones / n, 0.3, 5 * sqrt(0.21 / n));
    for (int i = 0; i < 100; i++) {
        assert_int_equal(udli_rng_bernoulli(&r, 0.0), 0);
        assert_int_equal(udli_rng_bernoulli(&r, 1.0), 1);
    }
}

static void test_below_is_in_range_and_uniform(void **state)
{
    (void)state;
    udli_rng r;
    udli_rng_seed(&r, 11);
    int counts[7] = {0};
    const int n = 70000;
    for (int i = 0; i < n; i++) {
        uint64_t v = udli_rng_below(&r, 7);
        assert_true(v < 7);
        counts[v]++;
    }
    double chi2 = 0;
    for (int k = 0; k < 7; k++)
        chi2 += (counts[k] - 10000.0) * (counts[k] - 10000.0) / 10000.0;
    assert_true(chi2 < 22.5); /* chi-square, 6 degrees of freedom, p = 0.001 */
    assert_true(udli_rng_below(&r, 1) == 0);
}

static void test_permutation_is_a_permutation_and_unbiased(void **state)
{
    (void)state;
    udli_rng r;
    udli_rng_seed(&r, 13);
    size_t idx[5];
    int first[5] = {0};
    for (int t = 0; t < 50000; t++) {
        udli_rng_permutation(&r, idx, 5);
        int seen[5] = {0};
        for (int i = 0; i < 5; i++) {
            assert_true(idx[i] < 5);
            seen[idx[i]]++;
        }
        for (int i = 0; i < 5; i++)
            assert_int_equal(seen[i], 1);
        first[idx[0]]++;
    }
    for (int i = 0; i < 5; i++)
        assert_close(first[i] / 50000.0, 0.2, 0.01);
    udli_rng_permutation(&r, idx, 0); /* empty: nothing to do */
}

static void test_uniforms_in_bulk_are_the_single_draws(void **state)
{
    (void)state;
    udli_rng a, b;
    udli_rng_seed(&a, 77);
    udli_rng_seed(&b, 77);
    double bulk[300];
    udli_rng_uniforms(&a, bulk, 300);
    for (size_t i = 0; i < 300; i++)
        assert_true(bulk[i] == udli_rng_uniform(&b));
    assert_true(udli_rng_next(&a) == udli_rng_next(&b)); /* and the state carries on */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_uniforms_in_bulk_are_the_single_draws),
        cmocka_unit_test(test_same_seed_same_stream_other_seed_other_stream),
        cmocka_unit_test(test_xoshiro_reference_values),
        cmocka_unit_test(test_uniform_and_normal_moments),
        cmocka_unit_test(test_bernoulli_frequency),
        cmocka_unit_test(test_below_is_in_range_and_uniform),
        cmocka_unit_test(test_permutation_is_a_permutation_and_unbiased),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
