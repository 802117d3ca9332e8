#include "helpers.h"

#include <udl/udl.h>

enum { N = 90, D = 8, K = 3 };

/* Three blobs in [0, 1]^D, one per class, and a classifier trained on them. */
static void blobs(uint64_t seed, double *x, double *y, size_t n)
{
    udli_rng r;
    udli_rng_seed(&r, seed);
    for (size_t i = 0; i < n; i++) {
        const size_t c = i % K;
        y[i] = (double)c;
        for (size_t j = 0; j < D; j++) {
            double centre = j % K == c ? 0.7 : 0.3;
            double v = centre + 0.08 * udli_rng_normal(&r);
            x[i * D + j] = v < 0 ? 0 : v > 1 ? 1 : v;
        }
    }
}

static udl_dnn *trained(const double *x, const double *y, size_t epochs, uint64_t seed)
{
    const size_t sizes[3] = {D, 16, K};
    udl_dnn_params p = udl_dnn_params_default();
    p.activation = UDL_ACT_TANH;
    p.train.epochs = epochs;
    p.train.batch_size = 10;
    p.train.seed = seed;
    udl_dnn *dnn;
    assert_int_equal(udl_dnn_create(&p, sizes, 3, &dnn), UDL_OK);
    assert_int_equal(udl_dnn_train(dnn, udl_mat_view((double *)x, N, D),
                                   udl_mat_view((double *)y, N, 1), NULL, NULL, NULL, NULL),
                     UDL_OK);
    return dnn;
}

static double mean_loss(const udl_dnn *dnn, const double *x, const double *y)
{
    udl_dnn_eval e;
    assert_int_equal(udl_dnn_evaluate(dnn, udl_mat_view((double *)x, N, D),
                                      udl_mat_view((double *)y, N, 1), &e, NULL, NULL), UDL_OK);
    return e.loss;
}

static double accuracy(const udl_dnn *dnn, const double *x, const double *y)
{
    udl_dnn_eval e;
    assert_int_equal(udl_dnn_evaluate(dnn, udl_mat_view((double *)x, N, D),
                                      udl_mat_view((double *)y, N, 1), &e, NULL, NULL), UDL_OK);
    return e.accuracy;
}

static double sign(double v) { return (double)((v > 0) - (v < 0)); }

static void test_fast_gradient_steps_are_eps_times_the_gradients_direction(void **state)
{
    (void)state;
    double x[N * D], y[N], g[N * D], adv[N * D], t[N];
    blobs(1, x, y, N);
    for (size_t i = 0; i < N * D; i++) /* keep away from 0 and 1: no clipping binds */
        x[i] = 0.2 + 0.6 * x[i];
    udl_dnn *dnn = trained(x, y, 5, 1);
    udl_mat xm = udl_mat_view(x, N, D), ym = udl_mat_view(y, N, 1), am = udl_mat_view(adv, N, D);
    assert_int_equal(udl_dnn_input_gradient(dnn, xm, ym, udl_mat_view(g, N, D), NULL), UDL_OK);
    udl_attack_params p = udl_attack_params_default(UDL_ATTACK_FGSM);
    double before[N], after[N], linf[N], l2[N];
    udl_attack_report rep = {before, after, linf, l2};
    assert_int_equal(udl_attack(dnn, &p, xm, ym, am, &rep), UDL_OK);
    for (size_t i = 0; i < N * D; i++)
        assert_close(adv[i] - x[i], 0.1 * sign(g[i]), 1e-15);
    assert_true(mean_loss(dnn, adv, y) > mean_loss(dnn, x, y));
    for (size_t i = 0; i < N; i++) {
        assert_close(linf[i], 0.1, 1e-15);
        assert_close(l2[i], 0.1 * sqrt((double)D), 1e-14);
    }
    /* targeted: a step down the target's loss */
    for (size_t i = 0; i < N; i++)
        t[i] = (double)((i + 1) % K);
    udl_mat tm = udl_mat_view(t, N, 1);
    assert_int_equal(udl_dnn_input_gradient(dnn, xm, tm, udl_mat_view(g, N, D), NULL), UDL_OK);
    p.targeted = 1;
    assert_int_equal(udl_attack(dnn, &p, xm, tm, am, NULL), UDL_OK);
    for (size_t i = 0; i < N * D; i++)
        assert_close(adv[i] - x[i], -0.1 * sign(g[i]), 1e-15);
    assert_true(mean_loss(dnn, adv, t) < mean_loss(dnn, x, t));
    /* the L2 form: eps g / |g| per row */
    p = udl_attack_params_default(UDL_ATTACK_FGM_L2);
    p.eps = 0.3;
    assert_int_equal(udl_dnn_input_gradient(dnn, xm, ym, udl_mat_view(g, N, D), NULL), UDL_OK);
    assert_int_equal(udl_attack(dnn, &p, xm, ym, am, &rep), UDL_OK);
    for (size_t i = 0; i < N; i++) {
        double n = 0.0;
        for (size_t j = 0; j < D; j++)
            n += g[i * D + j] * g[i * D + j];
        for (size_t j = 0; j < D; j++)
            assert_close(adv[i * D + j] - x[i * D + j], 0.3 * g[i * D + j] / sqrt(n), 1e-15);
        assert_close(l2[i], 0.3, 1e-14);
    }
    assert_true(mean_loss(dnn, adv, y) > mean_loss(dnn, x, y));
    udl_dnn_free(dnn);
}

/* PGD never leaves the ball or the valid range (here the data touch 0 and 1, so the range
 * binds), and goes further than one FGSM step. */
static void test_pgd_stays_in_the_ball_and_the_range(void **state)
{
    (void)state;
    double x[N * D], y[N], adv[N * D], fgsm[N * D];
    blobs(2, x, y, N);
    for (size_t i = 0; i < N * D; i += 3)
        x[i] = (i / 3) % 2 ? 1.0 : 0.0;
    udl_dnn *dnn = trained(x, y, 20, 2);
    udl_mat xm = udl_mat_view(x, N, D), ym = udl_mat_view(y, N, 1), am = udl_mat_view(adv, N, D);
    const udl_attack_method methods[2] = {UDL_ATTACK_PGD, UDL_ATTACK_PGD_L2};
    for (size_t m = 0; m < 2; m++) {
        udl_attack_params p = udl_attack_params_default(methods[m]);
        p.eps = m ? 0.5 : 0.15;
        p.restarts = 3;
        double linf[N], l2[N];
        udl_attack_report rep = {NULL, NULL, linf, l2};
        assert_int_equal(udl_attack(dnn, &p, xm, ym, am, &rep), UDL_OK);
        for (size_t i = 0; i < N; i++) {
            assert_true((m ? l2[i] : linf[i]) <= p.eps * (1 + 1e-12));
            for (size_t j = 0; j < D; j++)
                assert_true(adv[i * D + j] >= 0.0 && adv[i * D + j] <= 1.0);
        }
        udl_attack_params f = udl_attack_params_default(m ? UDL_ATTACK_FGM_L2 : UDL_ATTACK_FGSM);
        f.eps = p.eps;
        assert_int_equal(udl_attack(dnn, &f, xm, ym, udl_mat_view(fgsm, N, D), NULL), UDL_OK);
        assert_true(mean_loss(dnn, adv, y) > mean_loss(dnn, fgsm, y));
    }
    /* BIM too */
    udl_attack_params p = udl_attack_params_default(UDL_ATTACK_BIM);
    p.step_size = 0.05;
    double linf[N];
    udl_attack_report rep = {NULL, NULL, linf, NULL};
    assert_int_equal(udl_attack(dnn, &p, xm, ym, am, &rep), UDL_OK);
    for (size_t i = 0; i < N; i++)
        assert_true(linf[i] <= 0.1 + 1e-15);
    udl_dnn_free(dnn);
}

static void test_targeted_attack_reaches_its_target(void **state)
{
    (void)state;
    double x[N * D], y[N], t[N], adv[N * D], after[N], before[N];
    blobs(3, x, y, N);
    udl_dnn *dnn = trained(x, y, 30, 3);
    assert_true(accuracy(dnn, x, y) == 1.0);
    for (size_t i = 0; i < N; i++)
        t[i] = (double)(((size_t)y[i] + 1 + i % 2) % K);
    udl_attack_params p = udl_attack_params_default(UDL_ATTACK_PGD);
    p.targeted = 1;
    p.eps = 0.5;
    p.steps = 40;
    udl_attack_report rep = {before, after, NULL, NULL};
    assert_int_equal(udl_attack(dnn, &p, udl_mat_view(x, N, D), udl_mat_view(t, N, 1),
                                udl_mat_view(adv, N, D), &rep), UDL_OK);
    for (size_t i = 0; i < N; i++) {
        assert_true(before[i] == y[i]);
        if (after[i] != t[i])
            fail_msg("row %zu: label %g after the attack, target %g", i, after[i], t[i]);
    }
    udl_dnn_free(dnn);
}

/* On a linear two-class classifier DeepFool's one step is the closed-form distance to the
 * boundary, |f_1 - f_0| / |w_1 - w_0|, times (1 + overshoot). */
static void test_deepfool_on_a_linear_classifier_is_the_distance_to_the_boundary(void **state)
{
    (void)state;
    double x[N * D], y[N], adv[N * D], l2[N], before[N], after[N];
    blobs(4, x, y, N);
    for (size_t i = 0; i < N; i++)
        y[i] = y[i] == 0 ? 0 : 1;
    const size_t sizes[2] = {D, 2};
    udl_dnn_params dp = udl_dnn_params_default();
    dp.train.epochs = 5;
    udl_dnn *dnn;
    assert_int_equal(udl_dnn_create(&dp, sizes, 2, &dnn), UDL_OK);
    udl_mat xm = udl_mat_view(x, N, D), ym = udl_mat_view(y, N, 1);
    assert_int_equal(udl_dnn_train(dnn, xm, ym, NULL, NULL, NULL, NULL), UDL_OK);
    udl_attack_params p = udl_attack_params_default(UDL_ATTACK_DEEPFOOL);
    p.clip_min = -INFINITY;
    p.clip_max = INFINITY;
    udl_attack_report rep = {before, after, NULL, l2};
    assert_int_equal(udl_attack(dnn, &p, xm, ym, udl_mat_view(adv, N, D), &rep), UDL_OK);
    const double *w = udl_dnn_weights(dnn, 0), *b = udl_dnn_bias(dnn, 0);
    double dw = 0.0;
    for (size_t j = 0; j < D; j++)
        dw += (w[j * 2 + 1] - w[j * 2]) * (w[j * 2 + 1] - w[j * 2]);
    dw = sqrt(dw);
    for (size_t i = 0; i < N; i++) {
        double f = b[1] - b[0];
        for (size_t j = 0; j < D; j++)
            f += x[i * D + j] * (w[j * 2 + 1] - w[j * 2]);
        assert_true(after[i] != before[i]);
        assert_close(l2[i], 1.02 * (fabs(f) + 1e-4) / dw, 1e-12 * (1 + l2[i]));
    }
    udl_dnn_free(dnn);

    /* on a trained net with a hidden layer it changes every label, with small steps */
    blobs(5, x, y, N);
    dnn = trained(x, y, 30, 5);
    p = udl_attack_params_default(UDL_ATTACK_DEEPFOOL);
    p.clip_min = -INFINITY;
    p.clip_max = INFINITY;
    assert_int_equal(udl_attack(dnn, &p, xm, ym, udl_mat_view(adv, N, D), &rep), UDL_OK);
    for (size_t i = 0; i < N; i++) {
        assert_true(after[i] != before[i]);
        assert_true(l2[i] > 0.0 && l2[i] < 2.0);
    }
    udl_dnn_free(dnn);
}

/* alpha 1 puts no weight on the adversarial copies: the same training as without them. */
static void test_adversarial_training_mixes_the_two_losses(void **state)
{
    (void)state;
    double x[N * D], y[N];
    blobs(6, x, y, N);
    udl_dnn *plain = trained(x, y, 3, 7);
    const size_t sizes[3] = {D, 16, K};
    udl_dnn_params dp = udl_dnn_get_params(plain);
    udl_dnn *mixed;
    assert_int_equal(udl_dnn_create(&dp, sizes, 3, &mixed), UDL_OK);
    udl_mat xm = udl_mat_view(x, N, D), ym = udl_mat_view(y, N, 1);
    udl_attack_params p = udl_attack_params_default(UDL_ATTACK_FGSM);
    assert_int_equal(udl_adversarial_train(mixed, &p, 1.0, xm, ym, NULL, NULL, NULL, NULL),
                     UDL_OK);
    for (size_t l = 0; l < 2; l++)
        for (size_t i = 0; i < sizes[l] * sizes[l + 1]; i++)
            assert_close(udl_dnn_weights(mixed, l)[i], udl_dnn_weights(plain, l)[i], 1e-12);
    /* a perturbation of almost nothing: half and half is the clean gradient again */
    udl_dnn_free(mixed);
    assert_int_equal(udl_dnn_create(&dp, sizes, 3, &mixed), UDL_OK);
    p.eps = 1e-13;
    assert_int_equal(udl_adversarial_train(mixed, &p, 0.5, xm, ym, NULL, NULL, NULL, NULL),
                     UDL_OK);
    for (size_t i = 0; i < D * 16; i++)
        assert_close(udl_dnn_weights(mixed, 0)[i], udl_dnn_weights(plain, 0)[i], 1e-9);
    udl_dnn_free(mixed);
    udl_dnn_free(plain);
}

/* Two classes told apart by one robust but noisy feature (0.25 either side of 0.5, noise
 * 0.25) and by seven weak ones (0.04 either side, noise 0.005): plain training leans on
 * the weak features, which an L-inf step of 0.06 flips; trained on FGSM examples, the net
 * leans on the robust one (Tsipras et al. 2019's picture). */
static void robust_and_weak(double *x, double *y)
{
    udli_rng r;
    udli_rng_seed(&r, 11);
    for (size_t i = 0; i < N; i++) {
        const double s = i % 2 ? 1.0 : -1.0;
        y[i] = (double)(i % 2);
        x[i * D] = fmin(1.0, fmax(0.0, 0.5 + s * 0.25 + 0.25 * udli_rng_normal(&r)));
        for (size_t j = 1; j < D; j++)
            x[i * D + j] = 0.5 + s * 0.04 + 0.005 * udli_rng_normal(&r);
    }
}

static void test_adversarial_training_raises_robust_accuracy(void **state)
{
    (void)state;
    double x[N * D], y[N], adv[N * D];
    robust_and_weak(x, y);
    udl_mat xm = udl_mat_view(x, N, D), ym = udl_mat_view(y, N, 1), am = udl_mat_view(adv, N, D);
    const size_t sizes[3] = {D, 16, 2};
    udl_dnn_params dp = udl_dnn_params_default();
    dp.activation = UDL_ACT_TANH;
    dp.train.epochs = 100;
    dp.train.batch_size = 10;
    udl_dnn *plain, *robust;
    assert_int_equal(udl_dnn_create(&dp, sizes, 3, &plain), UDL_OK);
    assert_int_equal(udl_dnn_create(&dp, sizes, 3, &robust), UDL_OK);
    assert_int_equal(udl_dnn_train(plain, xm, ym, NULL, NULL, NULL, NULL), UDL_OK);
    udl_attack_params p = udl_attack_params_default(UDL_ATTACK_FGSM);
    p.eps = 0.06;
    assert_int_equal(udl_adversarial_train(robust, &p, 0.5, xm, ym, NULL, NULL, NULL, NULL),
                     UDL_OK);
    assert_int_equal(udl_attack(plain, &p, xm, ym, am, NULL), UDL_OK);
    double plain_acc = accuracy(plain, adv, y);
    assert_int_equal(udl_attack(robust, &p, xm, ym, am, NULL), UDL_OK);
    double robust_acc = accuracy(robust, adv, y);
    if (!(robust_acc > plain_acc + 0.3))
        fail_msg("FGSM accuracy: adversarially trained %.3f, plain %.3f", robust_acc, plain_acc);
    assert_true(accuracy(plain, x, y) == 1.0 && accuracy(robust, x, y) >= 0.85);
    udl_dnn_free(plain);
    udl_dnn_free(robust);
}

static void test_bad_input_is_refused(void **state)
{
    (void)state;
    double x[N * D], y[N], adv[N * D];
    blobs(10, x, y, N);
    udl_dnn *dnn = trained(x, y, 1, 1);
    udl_mat xm = udl_mat_view(x, N, D), ym = udl_mat_view(y, N, 1), am = udl_mat_view(adv, N, D);
    udl_attack_params p = udl_attack_params_default(UDL_ATTACK_PGD);
    p.eps = 0.0;
    assert_int_equal(udl_attack(dnn, &p, xm, ym, am, NULL), UDL_EINVAL);
    assert_non_null(strstr(udl_last_error(), "eps must be a positive number"));
    p = udl_attack_params_default(UDL_ATTACK_BIM);
    p.steps = 0;
    assert_int_equal(udl_attack(dnn, &p, xm, ym, am, NULL), UDL_EINVAL);
    p = udl_attack_params_default(UDL_ATTACK_FGSM);
    p.clip_min = 1.0;
    assert_int_equal(udl_attack(dnn, &p, xm, ym, am, NULL), UDL_EINVAL);
    assert_non_null(strstr(udl_last_error(), "the input range [1, 1] is empty"));
    p = udl_attack_params_default(UDL_ATTACK_FGSM);
    p.method = (udl_attack_method)9;
    assert_int_equal(udl_attack(dnn, &p, xm, ym, am, NULL), UDL_EINVAL);
    p = udl_attack_params_default(UDL_ATTACK_FGSM);
    x[3] = 1.5;
    assert_int_equal(udl_attack(dnn, &p, xm, ym, am, NULL), UDL_EINVAL);
    assert_non_null(strstr(udl_last_error(), "X[0][3] is 1.5, outside the valid input range"));
    x[3] = 0.5;
    y[7] = 3;
    assert_int_equal(udl_attack(dnn, &p, xm, ym, am, NULL), UDL_EINVAL);
    assert_non_null(strstr(udl_last_error(), "labels[7] is 3"));
    y[7] = 1;
    assert_int_equal(udl_attack(dnn, &p, xm, ym, udl_mat_view(adv, N, D - 1), NULL), UDL_ESHAPE);
    /* in place, the ball would move with every step */
    assert_int_equal(udl_attack(dnn, &p, xm, ym, xm, NULL), UDL_EINVAL);
    assert_non_null(strstr(udl_last_error(), "Xadv overlaps X"));
    assert_int_equal(udl_attack(dnn, &p, xm, ym, udl_mat_view(x + D, N - 1, D), NULL),
                     UDL_ESHAPE);
    assert_int_equal(udl_attack(dnn, &p, udl_mat_rows(xm, 0, N / 2), udl_mat_rows(ym, 0, N / 2),
                                udl_mat_view(x + (N / 2 - 1) * D, N / 2, D), NULL), UDL_EINVAL);
    assert_int_equal(udl_attack(NULL, &p, xm, ym, am, NULL), UDL_EINVAL);
    p = udl_attack_params_default(UDL_ATTACK_DEEPFOOL);
    p.targeted = 1;
    assert_int_equal(udl_attack(dnn, &p, xm, ym, am, NULL), UDL_EINVAL);
    assert_int_equal(udl_adversarial_train(dnn, &p, 0.5, xm, ym, NULL, NULL, NULL, NULL),
                     UDL_EINVAL);
    p = udl_attack_params_default(UDL_ATTACK_FGSM);
    assert_int_equal(udl_adversarial_train(dnn, &p, 1.5, xm, ym, NULL, NULL, NULL, NULL),
                     UDL_EINVAL);
    assert_non_null(strstr(udl_last_error(), "alpha must be in [0, 1]"));
    size_t n;
    udl_dnn_history(dnn, &n);
    assert_int_equal(n, 1);
    udl_dnn_free(dnn);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fast_gradient_steps_are_eps_times_the_gradients_direction),
        cmocka_unit_test(test_pgd_stays_in_the_ball_and_the_range),
        cmocka_unit_test(test_targeted_attack_reaches_its_target),
        cmocka_unit_test(test_deepfool_on_a_linear_classifier_is_the_distance_to_the_boundary),
        cmocka_unit_test(test_adversarial_training_mixes_the_two_losses),
        cmocka_unit_test(test_adversarial_training_raises_robust_accuracy),
        cmocka_unit_test(test_bad_input_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
