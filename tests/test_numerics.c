/* Numerics: the kernels and losses at extreme inputs; learning rates that diverge, for
 * every trainable model, stop with UDL_ENUMERIC naming the epoch and keep exactly the
 * parameters a run stopped before that epoch ends with; constant data and duplicate rows
 * through PCA, t-SNE and every model. */
#include "helpers.h"

#include <float.h>

#include "core/loss.h"
#include "core/tensor.h"
#include "core/vecmath.h"

#include <udl/udl.h>

/* ---- kernels and losses at extreme inputs ------------------------------------------------ */

static const double extremes[] = {-INFINITY, -1e300, -1000, -745, -700, -40, -1, -1e-300, 0,
                                  1e-300, 1, 40, 700, 745, 1000, 1e300, INFINITY};
#define N_EXTREMES (sizeof extremes / sizeof *extremes)

/* |got - want| within a few ulps of want (exact where want is 0 or infinite). */
static void assert_ulps(double got, long double want, const char *what, double x)
{
    if (isinf((double)want) || want == 0.0L) {
        if (got != (double)want)
            fail_msg("%s(%g) = %.17g, want %.17Lg", what, x, got, want);
        return;
    }
    long double rel = fabsl((long double)got - want) / fabsl(want);
    if (!(rel <= 4 * DBL_EPSILON))
        fail_msg("%s(%g) = %.17g, want %.17Lg (relative error %Lg)", what, x, got, want, rel);
}

static void test_sigmoid_softplus_and_tanh_are_exact_at_extreme_inputs(void **state)
{
    (void)state;
    double in[N_EXTREMES], sig[N_EXTREMES], sp[N_EXTREMES], th[N_EXTREMES];
    memcpy(in, extremes, sizeof in);
    udl_mat m = udl_mat_view(in, 1, N_EXTREMES);
    udli_sigmoid(m, udl_mat_view(sig, 1, N_EXTREMES));
    udli_softplus(m, udl_mat_view(sp, 1, N_EXTREMES));
    udli_tanh(m, udl_mat_view(th, 1, N_EXTREMES));
    for (size_t i = 0; i < N_EXTREMES; i++) {
        const long double x = in[i];
        /* the references in long double, whose exponent reaches e^11000 */
        long double s = isinf(in[i]) ? (x > 0 ? 1.0L : 0.0L) : 1.0L / (1.0L + expl(-x));
        long double p = isinf(in[i]) ? (x > 0 ? x : 0.0L)
                        : x > 0 ? x + log1pl(expl(-x)) : log1pl(expl(x));
        if (fabs(in[i]) >= 1e300) /* beyond long double's exp; the limits */
            s = x > 0 ? 1.0L : 0.0L, p = x > 0 ? x : 0.0L;
        if (s < (long double)DBL_MIN || p < (long double)DBL_MIN) /* below normal doubles */
            assert_true(sig[i] >= 0.0 && sp[i] >= 0.0 && sig[i] < 1e-300 && sp[i] < 1e-300);
        else {
            assert_ulps(sig[i], s, "sigmoid", in[i]);
            assert_ulps(sp[i], p, "softplus", in[i]);
        }
        assert_ulps(th[i], tanhl(x), "tanh", in[i]);
    }
}

static void test_softmax_and_logsumexp_are_finite_and_right_at_extreme_rows(void **state)
{
    (void)state;
    enum { ROWS = 7, COLS = 3 };
    double x[ROWS * COLS] = {
        1000, -1000, 0,                 /* one dominates */
        -1000, -1000, -1000,            /* all tiny: uniform */
        1e300, 1e300, -1e300,           /* huge: two share */
        -INFINITY, 0, 0,                /* an impossible class */
        1e-300, 0, -1e-300,             /* nearly equal */
        INFINITY, 0, INFINITY,          /* infinite logits share the mass */
        700, 710, 720,                  /* each exp alone would overflow */
    };
    const double want[ROWS * COLS] = {
        1, 0, 0,
        1.0 / 3, 1.0 / 3, 1.0 / 3,
        0.5, 0.5, 0,
        0, 0.5, 0.5,
        1.0 / 3, 1.0 / 3, 1.0 / 3,
        0.5, 0, 0.5,
        exp(-20) / (1 + exp(-10) + exp(-20)), exp(-10) / (1 + exp(-10) + exp(-20)),
        1 / (1 + exp(-10) + exp(-20)),
    };
    double y[ROWS * COLS], lse[ROWS];
    udli_softmax_rows(udl_mat_view(x, ROWS, COLS), udl_mat_view(y, ROWS, COLS));
    for (size_t i = 0; i < ROWS * COLS; i++)
        assert_close(y[i], want[i], 1e-15);
    udli_logsumexp_rows(udl_mat_view(x, ROWS, COLS), lse);
    assert_close(lse[0], 1000.0, 1e-12);
    assert_close(lse[1], -1000.0 + log(3.0), 1e-12);
    assert_true(lse[2] == 1e300);
    assert_close(lse[3], log(2.0), 1e-15);
    assert_close(lse[4], log(3.0), 1e-15);
    assert_true(lse[5] == INFINITY);
    assert_close(lse[6], 720 + log1p(exp(-10) + exp(-20)), 1e-12);
}

/* Each loss from logits far in its tails: the exact value where it is representable,
 * and a delta that is the exact difference of probabilities and targets. */
static void test_losses_stay_finite_and_exact_at_saturated_logits(void **state)
{
    (void)state;
    double z[4] = {1000, 1000, -1000, -1000}, t[4] = {1, 0, 0, 1}, d[4];
    udl_mat zm = udl_mat_view(z, 1, 4), tm = udl_mat_view(t, 1, 4), dm = udl_mat_view(d, 1, 4);
    /* cross-entropy: softplus(z) - t z, terms 0, 1000, 0, 1000 */
    assert_true(udli_loss_eval(UDL_LOSS_CROSS_ENTROPY, UDL_ACT_SIGMOID, zm, tm, &dm, 1.0) ==
                2000.0);
    assert_true(d[0] == 0.0 && d[1] == 1.0 && d[2] == 0.0 && d[3] == -1.0);
    /* squared error of sigmoid outputs: (1 - 1)^2 + 1 + 0 + 1, derivative 0 at saturation */
    assert_true(udli_loss_eval(UDL_LOSS_SQUARED, UDL_ACT_SIGMOID, zm, tm, &dm, 1.0) == 2.0);
    for (size_t j = 0; j < 4; j++)
        assert_true(isfinite(d[j]) && fabs(d[j]) < 1e-300);
    assert_true(udli_loss_eval(UDL_LOSS_SQUARED, UDL_ACT_TANH, zm, tm, &dm, 1.0) == 0 + 1 + 1 + 4);
    /* softmax cross-entropy: -log softmax at 2000 apart is 2000, not log(0) */
    double s[2] = {1000, -1000}, st[2] = {0, 1}, sd[2];
    udl_mat sm = udl_mat_view(s, 1, 2), stm = udl_mat_view(st, 1, 2);
    udl_mat sdm = udl_mat_view(sd, 1, 2);
    assert_true(udli_loss_eval(UDL_LOSS_SOFTMAX_CROSS_ENTROPY, UDL_ACT_SOFTMAX, sm, stm, &sdm,
                               1.0) == 2000.0);
    assert_true(sd[0] == 1.0 && sd[1] == -1.0);
    /* tiny differences: log(1 + e^-x) for x near 0 keeps its digits */
    double tiny[1] = {1e-300}, tt[1] = {0};
    assert_close(udli_loss_eval(UDL_LOSS_CROSS_ENTROPY, UDL_ACT_SIGMOID,
                                udl_mat_view(tiny, 1, 1), udl_mat_view(tt, 1, 1), NULL, 1.0),
                 log(2.0), 1e-16);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sigmoid_softplus_and_tanh_are_exact_at_extreme_inputs),
        cmocka_unit_test(test_softmax_and_logsumexp_are_finite_and_right_at_extreme_rows),
        cmocka_unit_test(test_losses_stay_finite_and_exact_at_saturated_logits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
