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

/* ---- learning rates that diverge ---------------------------------------------------------- */

enum { N = 60, D = 8, CLASSES = 3 };

typedef struct problem {
    double x[N * D], labels[N];
} problem;

static void problem_init(problem *p, uint64_t seed)
{
    double *x = uniform_data(seed, N * D);
    memcpy(p->x, x, sizeof p->x);
    free(x);
    for (size_t i = 0; i < N; i++)
        p->labels[i] = (double)(i % CLASSES);
}

/* A trainable model made for the test: created with a learning rate and an epoch count,
 * trained once, and saved (a stack saves its layer 0, the one that diverges; rest saves
 * layer 1, which must not have moved). */
typedef struct trainee {
    const char *name;
    void *(*create)(double lr, size_t epochs);
    udl_status (*train)(void *m, const problem *p);
    udl_status (*save)(const void *m, const char *path);
    udl_status (*save_rest)(const void *m, const char *path);
    void (*free)(void *m);
} trainee;

static udl_train_params training(double lr, size_t epochs)
{
    udl_train_params t = udl_train_params_default();
    t.sgd.learning_rate = lr;
    t.epochs = epochs;
    t.batch_size = N / 3;
    return t;
}

static udl_ae_params ae_params(double lr, size_t epochs)
{
    udl_ae_params p = udl_ae_params_default();
    p.n_visible = D;
    p.n_hidden = 5;
    p.train = training(lr, epochs);
    return p;
}

static udl_rbm_params rbm_params(double lr, size_t epochs)
{
    udl_rbm_params p = udl_rbm_params_default();
    p.n_visible = D;
    p.n_hidden = 5;
    p.train = training(lr, epochs);
    return p;
}

static const size_t stack_sizes[3] = {D, 5, 3};

static void *ae_create(double lr, size_t epochs)
{
    udl_ae_params p = ae_params(lr, epochs);
    udl_ae *m = NULL;
    udl_ae_create(&p, &m);
    return m;
}
static udl_status ae_train(void *m, const problem *p)
{
    return udl_ae_train(m, udl_mat_view((double *)p->x, N, D), NULL, NULL);
}
static udl_status ae_save(const void *m, const char *path) { return udl_ae_save(m, path); }
static void ae_free(void *m) { udl_ae_free(m); }

static void *sae_create(double lr, size_t epochs)
{
    udl_ae_params p = ae_params(lr, epochs);
    udl_sae *m = NULL;
    udl_sae_create(&p, stack_sizes, 3, &m);
    return m;
}
static udl_status sae_train(void *m, const problem *p)
{
    return udl_sae_train(m, udl_mat_view((double *)p->x, N, D), NULL, NULL);
}
static udl_status sae_save0(const void *m, const char *path)
{
    return udl_ae_save(udl_sae_layer(m, 0), path);
}
static udl_status sae_save1(const void *m, const char *path)
{
    return udl_ae_save(udl_sae_layer(m, 1), path);
}
static void sae_free(void *m) { udl_sae_free(m); }

static void *deep_create(double lr, size_t epochs)
{
    udl_sae *stack = sae_create(0.1, 1);
    udl_deep_ae_params p = udl_deep_ae_params_default();
    p.train = training(lr, epochs);
    udl_deep_ae *m = NULL;
    udl_deep_ae_create(stack, &p, &m);
    udl_sae_free(stack);
    return m;
}
static udl_status deep_train(void *m, const problem *p)
{
    return udl_deep_ae_train(m, udl_mat_view((double *)p->x, N, D), NULL, NULL);
}
static udl_status deep_save(const void *m, const char *path) { return udl_deep_ae_save(m, path); }
static void deep_free(void *m) { udl_deep_ae_free(m); }

static void *rbm_create(double lr, size_t epochs)
{
    udl_rbm_params p = rbm_params(lr, epochs);
    udl_rbm *m = NULL;
    udl_rbm_create(&p, &m);
    return m;
}
static udl_status rbm_train(void *m, const problem *p)
{
    return udl_rbm_train(m, udl_mat_view((double *)p->x, N, D), NULL, NULL);
}
static udl_status rbm_save(const void *m, const char *path) { return udl_rbm_save(m, path); }
static void rbm_free(void *m) { udl_rbm_free(m); }

static void *dbn_create(double lr, size_t epochs)
{
    udl_rbm_params p = rbm_params(lr, epochs);
    udl_dbn *m = NULL;
    udl_dbn_create(&p, stack_sizes, 3, &m);
    return m;
}
static udl_status dbn_train(void *m, const problem *p)
{
    return udl_dbn_train(m, udl_mat_view((double *)p->x, N, D), NULL, NULL);
}
static udl_status dbn_save0(const void *m, const char *path)
{
    return udl_rbm_save(udl_dbn_layer(m, 0), path);
}
static udl_status dbn_save1(const void *m, const char *path)
{
    return udl_rbm_save(udl_dbn_layer(m, 1), path);
}
static void dbn_free(void *m) { udl_dbn_free(m); }

static void *dnn_create(double lr, size_t epochs)
{
    udl_dnn_params p = udl_dnn_params_default();
    p.train = training(lr, epochs);
    const size_t sizes[3] = {D, 6, CLASSES};
    udl_dnn *m = NULL;
    udl_dnn_create(&p, sizes, 3, &m);
    return m;
}
static udl_status dnn_train(void *m, const problem *p)
{
    return udl_dnn_train(m, udl_mat_view((double *)p->x, N, D),
                         udl_mat_view((double *)p->labels, N, 1), NULL, NULL, NULL, NULL);
}
static udl_status adversarial_train(void *m, const problem *p)
{
    udl_attack_params a = udl_attack_params_default(UDL_ATTACK_FGSM);
    return udl_adversarial_train(m, &a, 0.5, udl_mat_view((double *)p->x, N, D),
                                 udl_mat_view((double *)p->labels, N, 1), NULL, NULL, NULL,
                                 NULL);
}
static udl_status dnn_save(const void *m, const char *path) { return udl_dnn_save(m, path); }
static void dnn_free(void *m) { udl_dnn_free(m); }

static const trainee trainees[] = {
    {"ae", ae_create, ae_train, ae_save, NULL, ae_free},
    {"sae", sae_create, sae_train, sae_save0, sae_save1, sae_free},
    {"deep-ae", deep_create, deep_train, deep_save, NULL, deep_free},
    {"rbm", rbm_create, rbm_train, rbm_save, NULL, rbm_free},
    {"dbn", dbn_create, dbn_train, dbn_save0, dbn_save1, dbn_free},
    {"dnn", dnn_create, dnn_train, dnn_save, NULL, dnn_free},
    {"adversarial", dnn_create, adversarial_train, dnn_save, NULL, dnn_free},
};

/* The epoch a sentence names ("... in epoch 3, batch 2 ..."), or 0. */
static size_t epoch_named(const char *sentence)
{
    const char *at = strstr(sentence, "in epoch ");
    return at ? (size_t)strtoul(at + 9, NULL, 10) : 0;
}

/* Every field of two model files the same, bit for bit, but the epochs each call to
 * train runs (the two runs were asked for different counts). */
static void assert_same_model_files(const char *a, const char *b)
{
    udl_model *ma, *mb;
    assert_int_equal(udl_model_load(a, &ma), UDL_OK);
    assert_int_equal(udl_model_load(b, &mb), UDL_OK);
    assert_int_equal(udl_model_n_fields(ma), udl_model_n_fields(mb));
    for (size_t i = 0; i < udl_model_n_fields(ma); i++) {
        udl_field fa, fb;
        assert_int_equal(udl_model_field(ma, i, &fa), UDL_OK);
        assert_int_equal(udl_model_field(mb, i, &fb), UDL_OK);
        assert_string_equal(fa.name, fb.name);
        const char *dot = strrchr(fa.name, '.');
        if (strcmp(dot ? dot + 1 : fa.name, "epochs") == 0)
            continue;
        assert_int_equal(fa.type, fb.type);
        assert_true(fa.integer == fb.integer && fa.rows == fb.rows && fa.cols == fb.cols);
        assert_memory_equal(&fa.number, &fb.number, sizeof fa.number);
        if (fa.rows != 0 && fa.cols != 0 && memcmp(fa.data, fb.data, fa.rows * fa.cols * sizeof(double)))
            fail_msg("%s: field %s differs from %s's", a, fa.name, b);
    }
    udl_model_free(ma);
    udl_model_free(mb);
}

enum { MAX_EPOCHS = 30 };

/* Trains t at lr for MAX_EPOCHS; the epoch the failure names, 0 when none. */
static size_t diverging_epoch(const trainee *t, const problem *p, double lr, udl_status *status,
                              char *sentence, size_t size)
{
    void *m = t->create(lr, MAX_EPOCHS);
    assert_non_null(m);
    *status = t->train(m, p);
    snprintf(sentence, size, "%s", *status ? udl_last_error() : "");
    t->free(m);
    return *status == UDL_ENUMERIC ? epoch_named(sentence) : 0;
}

static void *ae_squared_create(double lr, size_t epochs)
{
    udl_ae_params p = ae_params(lr, epochs);
    p.loss = UDL_LOSS_SQUARED;
    p.train.batch_size = N;
    udl_ae *m = NULL;
    udl_ae_create(&p, &m);
    return m;
}

/* Trains t at lr for epochs, which must stop with UDL_ENUMERIC in epoch (>= 2) and leave
 * the model exactly as a run asked for the epochs before it: every weight, bias and
 * history entry, bit for bit; a stack's next layer untouched. */
static void assert_stops_as_a_shorter_run(const trainee *t, const problem *p, double lr,
                                          size_t epochs, size_t epoch)
{
    char a[512], b[512];
    tmp_path(a, sizeof a, "diverged.udl");
    tmp_path(b, sizeof b, "stopped.udl");
    void *diverged = t->create(lr, epochs), *stopped = t->create(lr, epoch - 1);
    void *fresh = t->create(lr, 1);
    assert_int_equal(t->train(diverged, p), UDL_ENUMERIC);
    print_message("%s at rate %.3g: %s\n", t->name, lr, udl_last_error());
    assert_non_null(strstr(udl_last_error(), "kept"));
    assert_int_equal(epoch_named(udl_last_error()), epoch);
    if (t->save_rest)
        assert_non_null(strstr(udl_last_error(), "layer 1 of 2: "));
    assert_int_equal(t->train(stopped, p), UDL_OK);
    assert_int_equal(t->save(diverged, a), UDL_OK);
    assert_int_equal(t->save(stopped, b), UDL_OK);
    assert_same_model_files(a, b);
    if (t->save_rest) { /* the layer above never started */
        assert_int_equal(t->save_rest(diverged, a), UDL_OK);
        assert_int_equal(t->save_rest(fresh, b), UDL_OK);
        assert_same_model_files(a, b);
    }
    t->free(diverged);
    t->free(stopped);
    t->free(fresh);
}

/* For each trainable model, the learning rate (found by bisection on its logarithm, so no
 * platform's rounding is assumed) at which training first fails in an epoch after the
 * first. That run must stop with UDL_ENUMERIC naming the epoch and leave the model
 * exactly as a run asked for the epochs before it: every weight, bias and history entry,
 * bit for bit; a stack's next layer untouched. */
static void test_a_diverging_rate_stops_naming_the_epoch_and_keeps_the_last_good_epoch(
    void **state)
{
    (void)state;
    problem p;
    problem_init(&p, 5);
    char sentence[512];
    for (size_t k = 0; k < sizeof trainees / sizeof *trainees; k++) {
        const trainee *t = &trainees[k];
        double lo = 0.0, hi = log(DBL_MAX); /* natural logs of the rates */
        size_t epoch = 0;
        udl_status s;
        for (int step = 0; step < 80 && epoch < 2; step++) {
            double mid = 0.5 * (lo + hi);
            epoch = diverging_epoch(t, &p, exp(mid), &s, sentence, sizeof sentence);
            if (s != UDL_OK && s != UDL_ENUMERIC)
                fail_msg("%s: %s", t->name, sentence);
            if (s == UDL_OK)
                lo = mid;
            else if (epoch < 2)
                hi = mid;
        }
        if (epoch < 2)
            fail_msg("%s: no rate between e^%g and e^%g fails after the first epoch", t->name,
                     lo, hi);
        assert_stops_as_a_shorter_run(t, &p, exp(0.5 * (lo + hi)), MAX_EPOCHS, epoch);
    }
}

/* The squared error of sigmoid outputs stays below 1 whatever the weights are, so a step
 * that overflows them shows in no loss; the epoch that ends with them is refused all the
 * same. */
static void test_parameters_that_overflow_under_a_bounded_loss_are_not_kept(void **state)
{
    (void)state;
    problem p;
    problem_init(&p, 5);
    for (size_t i = 0; i < N * D; i++) /* positive inputs: no 0 * inf to make a NaN */
        p.x[i] = 0.5 + 0.5 * p.x[i];
    const trainee t = {"ae, squared loss", ae_squared_create, ae_train, ae_save, NULL,
                       ae_free};
    udl_status s;
    char sentence[512];
    size_t epoch = diverging_epoch(&t, &p, DBL_MAX, &s, sentence, sizeof sentence);
    assert_int_equal(s, UDL_ENUMERIC);
    assert_non_null(strstr(sentence, "the parameters overflowed in epoch"));
    assert_true(epoch >= 2);
    assert_stops_as_a_shorter_run(&t, &p, DBL_MAX, MAX_EPOCHS, epoch);
}

/* ---- constant data and duplicate rows ------------------------------------------------------ */

/* Data no method can spread out: every row the same (constant), and a few rows repeated
 * (duplicates, each of 12 distinct rows five times). */
static void degenerate_data(int duplicates, problem *p)
{
    problem_init(p, 9);
    for (size_t i = 0; i < N; i++)
        for (size_t j = 0; j < D; j++)
            p->x[i * D + j] = duplicates ? p->x[(i % 12) * D + j] : 0.25;
}

static int all_finite(const double *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(x[i]))
            return 0;
    return 1;
}

/* The status of a call on degenerate data: UDL_OK with finite outputs, or the status
 * expected with a sentence holding words. */
#define EXPECT(call, outputs, n, status, words)                                            \
    do {                                                                                   \
        udl_status s_ = (call);                                                            \
        if (s_ != (status))                                                                \
            fail_msg("%s on %s data: %s (%s), expected %s", #call, what,                   \
                     udl_status_str(s_), udl_last_error(), udl_status_str(status));        \
        if (s_ == UDL_OK && !all_finite((outputs), (n)))                                   \
            fail_msg("%s on %s data: a NaN or infinity in the output", #call, what);       \
        if (s_ != UDL_OK && !strstr(udl_last_error(), (words)))                            \
            fail_msg("%s on %s data: '%s' lacks '%s'", #call, what, udl_last_error(),      \
                     (words));                                                             \
    } while (0)

/* Codes (and a classifier's probabilities) of the model t trained on p, through its file
 * and the generic handle: all finite. */
static void assert_finite_outputs(const trainee *t, void *model, const problem *p,
                                  const char *what)
{
    char file[512];
    tmp_path(file, sizeof file, "degenerate.udl");
    assert_int_equal(t->save(model, file), UDL_OK);
    udl_model *m;
    assert_int_equal(udl_model_load(file, &m), UDL_OK);
    size_t k = udl_model_n_codes(m), c = udl_model_n_outputs(m);
    double *z = malloc(N * (k > c ? k : c) * sizeof *z);
    udl_mat x = udl_mat_view((double *)p->x, N, D);
    EXPECT(udl_model_encode(m, x, udl_mat_view(z, N, k)), z, N * k, UDL_OK, "");
    if (c)
        EXPECT(udl_model_predict(m, x, udl_mat_view(z, N, c)), z, N * c, UDL_OK, "");
    free(z);
    udl_model_free(m);
}

static void test_constant_data_and_duplicate_rows_give_finite_results_or_a_clear_status(
    void **state)
{
    (void)state;
    for (int duplicates = 0; duplicates < 2; duplicates++) {
        const char *what = duplicates ? "duplicate-row" : "constant";
        problem p;
        degenerate_data(duplicates, &p);
        udl_mat x = udl_mat_view(p.x, N, D);
        /* PCA: nothing to analyse in constant data, whatever is asked */
        udl_pca_params pp = udl_pca_params_default();
        for (int variant = 0; variant < 3; variant++) {
            pp.n_components = variant == 1 ? 0 : 2;
            pp.whiten = variant == 2;
            udl_pca *pca;
            assert_int_equal(udl_pca_create(&pp, &pca), UDL_OK);
            EXPECT(udl_pca_fit(pca, x, NULL, NULL), udl_pca_explained_variance_ratio(pca), 2,
                   duplicates ? UDL_OK : UDL_EINVAL, "all 60 samples are identical");
            double z[N * D];
            if (duplicates) {
                size_t k = udl_pca_n_components(pca);
                EXPECT(udl_pca_transform(pca, x, udl_mat_view(z, N, k)), z, N * k, UDL_OK, "");
            }
            udl_pca_free(pca);
        }
        /* t-SNE, exact and Barnes-Hut, from PCA and from random starts */
        udl_tsne_params tp = udl_tsne_params_default();
        tp.perplexity = 5;
        tp.n_iter = 300;
        for (int method = UDL_TSNE_EXACT; method <= UDL_TSNE_BARNES_HUT; method++)
            for (int init = UDL_TSNE_INIT_PCA; init <= UDL_TSNE_INIT_RANDOM; init++) {
                tp.method = (udl_tsne_method)method;
                tp.init = (udl_tsne_init)init;
                double y[N * 2];
                const int refused = !duplicates && init == UDL_TSNE_INIT_PCA;
                EXPECT(udl_tsne_embed(&tp, x, udl_mat_view(y, N, 2), NULL, NULL, NULL), y,
                       N * 2, refused ? UDL_EINVAL : UDL_OK,
                       "tsne: the PCA initialisation failed: pca: all 60 samples are identical");
            }
        /* every trainable model trains and gives finite codes and probabilities */
        for (size_t k = 0; k < sizeof trainees / sizeof *trainees; k++) {
            void *m = trainees[k].create(0.1, 5);
            EXPECT(trainees[k].train(m, &p), p.x, 1, UDL_OK, "");
            assert_finite_outputs(&trainees[k], m, &p, what);
            trainees[k].free(m);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sigmoid_softplus_and_tanh_are_exact_at_extreme_inputs),
        cmocka_unit_test(test_softmax_and_logsumexp_are_finite_and_right_at_extreme_rows),
        cmocka_unit_test(test_losses_stay_finite_and_exact_at_saturated_logits),
        cmocka_unit_test(test_a_diverging_rate_stops_naming_the_epoch_and_keeps_the_last_good_epoch),
        cmocka_unit_test(test_parameters_that_overflow_under_a_bounded_loss_are_not_kept),
        cmocka_unit_test(
            test_constant_data_and_duplicate_rows_give_finite_results_or_a_clear_status),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
