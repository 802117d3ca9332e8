#include "helpers.h"
#include "gradcheck.h"

#include <udl/udl.h>

#include "core/container.h"
#include "core/model.h"
#include "core/net.h"
#include "core/train.h"

/* ---- small problems ------------------------------------------------------------------- */

static udl_dnn *make(udl_activation act, const size_t *sizes, size_t n_sizes, uint64_t seed)
{
    udl_dnn_params p = udl_dnn_params_default();
    p.activation = act;
    p.train.seed = seed;
    udl_dnn *dnn;
    assert_int_equal(udl_dnn_create(&p, sizes, n_sizes, &dnn), UDL_OK);
    return dnn;
}

static void random_data(uint64_t seed, double *x, size_t n, double *labels, size_t rows,
                        size_t k)
{
    udli_rng r;
    udli_rng_seed(&r, seed);
    fill_normal(&r, x, n);
    for (size_t i = 0; i < rows; i++)
        labels[i] = (double)udli_rng_below(&r, k);
}

/* The summed loss over rows, through the public evaluate: what the input gradient is the
 * gradient of. */
typedef struct loss_fn {
    const udl_dnn *dnn;
    udl_mat x, labels;
    size_t layer, unit;
} loss_fn;

static double summed_loss(void *user)
{
    loss_fn *f = user;
    udl_dnn_eval e;
    assert_int_equal(udl_dnn_evaluate(f->dnn, f->x, f->labels, &e, NULL, NULL), UDL_OK);
    return e.loss * (double)e.n;
}

static double summed_unit(void *user)
{
    loss_fn *f = user;
    double dx[64 * 8], value[8], sum = 0.0;
    assert_int_equal(udl_dnn_unit_gradient(f->dnn, f->x, f->layer, f->unit,
                                           udl_mat_view(dx, f->x.rows, f->x.cols), value),
                     UDL_OK);
    for (size_t i = 0; i < f->x.rows; i++)
        sum += value[i];
    return sum;
}

/* ---- gradients -------------------------------------------------------------------------- */

static void test_input_gradient_matches_finite_differences(void **state)
{
    (void)state;
    const udl_activation acts[3] = {UDL_ACT_SIGMOID, UDL_ACT_TANH, UDL_ACT_RELU};
    const size_t sizes[4] = {6, 5, 4, 3};
    for (size_t a = 0; a < 3; a++) {
        udl_dnn *dnn = make(acts[a], sizes, 4, 3 + a);
        double x[7 * 6], y[7], dx[7 * 6], loss;
        random_data(10 + a, x, 7 * 6, y, 7, 3);
        loss_fn f = {dnn, udl_mat_view(x, 7, 6), udl_mat_view(y, 7, 1), 0, 0};
        assert_int_equal(udl_dnn_input_gradient(dnn, f.x, f.labels, udl_mat_view(dx, 7, 6),
                                                &loss), UDL_OK);
        assert_close(loss * 7, summed_loss(&f), 1e-12);
        grad_block b = {x, dx, 7 * 6, "x"};
        check_gradient_blocks(summed_loss, &f, &b, 1, 1e-6, 1e-6);
        /* a hidden unit's activation and a class score (the output's logit) */
        for (size_t layer = 0; layer <= 2; layer++) {
            f.layer = layer;
            f.unit = layer == 2 ? 1 : 3;
            assert_int_equal(udl_dnn_unit_gradient(dnn, f.x, f.layer, f.unit,
                                                   udl_mat_view(dx, 7, 6), NULL), UDL_OK);
            check_gradient_blocks(summed_unit, &f, &b, 1, 1e-6, 1e-6);
        }
        udl_dnn_free(dnn);
    }
}

/* The value the unit gradient reports is the unit: a hidden activation from
 * udl_dnn_hidden, and for the output the logit, whose softmax is predict_proba. */
static void test_unit_values_are_the_layers_outputs(void **state)
{
    (void)state;
    const size_t sizes[4] = {4, 5, 3, 3};
    udl_dnn *dnn = make(UDL_ACT_TANH, sizes, 4, 8);
    double x[6 * 4], y[6], dx[6 * 4], h[6 * 5], v[6], logits[3][6], p[6 * 3];
    random_data(2, x, 24, y, 6, 3);
    udl_mat xm = udl_mat_view(x, 6, 4);
    assert_int_equal(udl_dnn_hidden(dnn, xm, 0, udl_mat_view(h, 6, 5)), UDL_OK);
    assert_int_equal(udl_dnn_unit_gradient(dnn, xm, 0, 2, udl_mat_view(dx, 6, 4), v), UDL_OK);
    for (size_t i = 0; i < 6; i++)
        assert_true(v[i] == h[i * 5 + 2]);
    for (size_t c = 0; c < 3; c++)
        assert_int_equal(udl_dnn_unit_gradient(dnn, xm, 2, c, udl_mat_view(dx, 6, 4),
                                               logits[c]), UDL_OK);
    assert_int_equal(udl_dnn_predict_proba(dnn, xm, udl_mat_view(p, 6, 3)), UDL_OK);
    for (size_t i = 0; i < 6; i++) {
        double z = exp(logits[0][i]) + exp(logits[1][i]) + exp(logits[2][i]);
        for (size_t c = 0; c < 3; c++)
            assert_close(p[i * 3 + c], exp(logits[c][i]) / z, 1e-14);
    }
    udl_dnn_free(dnn);
}

/* One epoch of one full batch with momentum 0 is one step W <- W - lr (g + decay W):
 * the step recovers the gradient of the mean loss plus decay/2 |W|^2 (weights only),
 * which must match finite differences, for every activation. */
typedef struct reg_fn {
    udl_dnn *dnn;
    udl_mat x, labels;
    double decay;
} reg_fn;

static double regularised(void *user)
{
    reg_fn *f = user;
    udl_dnn_eval e;
    assert_int_equal(udl_dnn_evaluate(f->dnn, f->x, f->labels, &e, NULL, NULL), UDL_OK);
    size_t n_sizes;
    const size_t *s = udl_dnn_sizes(f->dnn, &n_sizes);
    double sq = 0.0;
    for (size_t l = 0; l + 1 < n_sizes; l++) {
        const double *w = udl_dnn_weights(f->dnn, l);
        for (size_t i = 0; i < s[l] * s[l + 1]; i++)
            sq += w[i] * w[i];
    }
    return e.loss + 0.5 * f->decay * sq;
}

static void test_training_step_is_the_gradient_of_the_loss_with_l2(void **state)
{
    (void)state;
    const udl_activation acts[3] = {UDL_ACT_SIGMOID, UDL_ACT_TANH, UDL_ACT_RELU};
    const size_t sizes[4] = {5, 4, 3, 3};
    enum { R = 9, NW = 5 * 4 + 4 * 3 + 3 * 3 + 4 + 3 + 3 };
    for (size_t a = 0; a < 3; a++) {
        udl_dnn *dnn = make(acts[a], sizes, 4, 20 + a);
        double x[R * 5], y[R];
        random_data(30 + a, x, R * 5, y, R, 3);
        const double lr = 1e-3, decay = 0.05;
        udl_dnn_params p = udl_dnn_get_params(dnn);
        p.train.epochs = 1;
        p.train.batch_size = R;
        p.train.sgd.learning_rate = lr;
        p.train.sgd.momentum = 0.0;
        p.train.sgd.weight_decay = decay;
        assert_int_equal(udl_dnn_set_params(dnn, &p), UDL_OK);
        /* biases off zero: a ReLU unit whose inputs are all zero would sit on its kink,
         * where finite differences see half the derivative */
        udli_rng r;
        udli_rng_seed(&r, 50 + a);
        for (size_t l = 0; l < 3; l++)
            fill_normal(&r, (double *)udl_dnn_bias(dnn, l), sizes[l + 1]);
        /* the parameters before and after the step, layer by layer */
        double before[NW], grad[NW];
        size_t at = 0;
        for (size_t l = 0; l < 3; l++) {
            memcpy(before + at, udl_dnn_weights(dnn, l), sizes[l] * sizes[l + 1] * 8);
            at += sizes[l] * sizes[l + 1];
            memcpy(before + at, udl_dnn_bias(dnn, l), sizes[l + 1] * 8);
            at += sizes[l + 1];
        }
        reg_fn f = {dnn, udl_mat_view(x, R, 5), udl_mat_view(y, R, 1), decay};
        assert_int_equal(udl_dnn_train(dnn, f.x, f.labels, NULL, NULL, NULL, NULL), UDL_OK);
        at = 0;
        grad_block blocks[6];
        for (size_t l = 0; l < 3; l++) {
            double *w = (double *)udl_dnn_weights(dnn, l), *b = (double *)udl_dnn_bias(dnn, l);
            size_t nw = sizes[l] * sizes[l + 1];
            for (size_t i = 0; i < nw; i++)
                grad[at + i] = (before[at + i] - w[i]) / lr;
            memcpy(w, before + at, nw * 8);
            blocks[2 * l] = (grad_block){w, grad + at, nw, "W"};
            at += nw;
            for (size_t i = 0; i < sizes[l + 1]; i++)
                grad[at + i] = (before[at + i] - b[i]) / lr;
            memcpy(b, before + at, sizes[l + 1] * 8);
            blocks[2 * l + 1] = (grad_block){b, grad + at, sizes[l + 1], "b"};
            at += sizes[l + 1];
        }
        check_gradient_blocks(regularised, &f, blocks, 6, 1e-6, 1e-6);
        udl_dnn_free(dnn);
    }
}

/* ---- pretraining --------------------------------------------------------------------------- */

static void assert_layer_is(const udl_dnn *dnn, size_t l, size_t d, size_t m, const double *w,
                            const double *c)
{
    assert_memory_equal(udl_dnn_weights(dnn, l), w, d * m * sizeof(double));
    assert_memory_equal(udl_dnn_bias(dnn, l), c, m * sizeof(double));
}

static void test_pretraining_copies_each_stack_layer_into_its_layer(void **state)
{
    (void)state;
    enum { N = 30, D = 8 };
    double *x = uniform_data(4, N * D);
    udl_mat xm = udl_mat_view(x, N, D);
    const size_t sizes[4] = {D, 6, 4, 3}, stack_sizes[3] = {D, 6, 4};
    udl_dnn *dnn = make(UDL_ACT_SIGMOID, sizes, 4, 1);
    double out_w[4 * 3];
    memcpy(out_w, udl_dnn_weights(dnn, 2), sizeof out_w);

    /* the dnn's own pretraining gives exactly the stack the caller would train */
    udl_dnn_pretrain_params pp = udl_dnn_pretrain_params_default(UDL_PRETRAIN_DAE);
    pp.train.epochs = 2;
    pp.train.batch_size = 10;
    assert_int_equal(udl_dnn_pretrain(dnn, &pp, xm, NULL, NULL), UDL_OK);
    udl_ae_params ap = udl_ae_params_default();
    ap.train = pp.train;
    ap.noise = UDL_NOISE_MASK;
    ap.noise_level = pp.noise;
    udl_sae *sae;
    assert_int_equal(udl_sae_create(&ap, stack_sizes, 3, &sae), UDL_OK);
    assert_int_equal(udl_sae_train(sae, xm, NULL, NULL), UDL_OK);
    for (size_t l = 0; l < 2; l++)
        assert_layer_is(dnn, l, sizes[l], sizes[l + 1], udl_ae_weights(udl_sae_layer(sae, l)),
                        udl_ae_hidden_bias(udl_sae_layer(sae, l)));
    assert_memory_equal(udl_dnn_weights(dnn, 2), out_w, sizeof out_w);

    /* a deep belief net likewise, through pretraining and from the caller's stack */
    udl_dnn *d2 = make(UDL_ACT_SIGMOID, sizes, 4, 1);
    pp = udl_dnn_pretrain_params_default(UDL_PRETRAIN_RBM);
    pp.train.epochs = 2;
    assert_int_equal(udl_dnn_pretrain(d2, &pp, xm, NULL, NULL), UDL_OK);
    udl_rbm_params rp = udl_rbm_params_default();
    rp.train = pp.train;
    udl_dbn *dbn;
    assert_int_equal(udl_dbn_create(&rp, stack_sizes, 3, &dbn), UDL_OK);
    assert_int_equal(udl_dbn_train(dbn, xm, NULL, NULL), UDL_OK);
    for (size_t l = 0; l < 2; l++)
        assert_layer_is(d2, l, sizes[l], sizes[l + 1], udl_rbm_weights(udl_dbn_layer(dbn, l)),
                        udl_rbm_hidden_bias(udl_dbn_layer(dbn, l)));
    udl_dnn *d3 = make(UDL_ACT_SIGMOID, sizes, 4, 2);
    assert_int_equal(udl_dnn_init_from_dbn(d3, dbn), UDL_OK);
    assert_memory_equal(udl_dnn_weights(d3, 1), udl_dnn_weights(d2, 1), 6 * 4 * sizeof(double));

    /* what does not fit is refused and changes nothing */
    const size_t other[4] = {D, 6, 5, 3};
    udl_dnn *d4 = make(UDL_ACT_SIGMOID, other, 4, 3);
    double keep[6 * 5];
    memcpy(keep, udl_dnn_weights(d4, 1), sizeof keep);
    assert_int_equal(udl_dnn_init_from_sae(d4, sae), UDL_ESHAPE);
    assert_non_null(strstr(udl_last_error(), "layer 1 of the autoencoder stack maps 6 to 4"));
    assert_memory_equal(udl_dnn_weights(d4, 1), keep, sizeof keep);
    const size_t deeper[5] = {D, 6, 4, 4, 3};
    udl_dnn *d5 = make(UDL_ACT_SIGMOID, deeper, 5, 3);
    assert_int_equal(udl_dnn_init_from_dbn(d5, dbn), UDL_ESHAPE);
    assert_non_null(strstr(udl_last_error(), "has 2 layers, the net 3 hidden layers"));
    udl_dnn *d6 = make(UDL_ACT_RELU, sizes, 4, 3);
    assert_int_equal(udl_dnn_init_from_sae(d6, sae), UDL_EINVAL);
    assert_non_null(strstr(udl_last_error(), "hidden layers are relu"));
    pp.method = UDL_PRETRAIN_AE;
    assert_int_equal(udl_dnn_pretrain(d6, &pp, xm, NULL, NULL), UDL_EINVAL);
    pp.method = (udl_pretrain)7;
    assert_int_equal(udl_dnn_pretrain(dnn, &pp, xm, NULL, NULL), UDL_EINVAL);
    pp = udl_dnn_pretrain_params_default(UDL_PRETRAIN_DAE);
    pp.noise = 1.0;
    assert_int_equal(udl_dnn_pretrain(dnn, &pp, xm, NULL, NULL), UDL_EINVAL);
    assert_non_null(strstr(udl_last_error(), "noise must be in [0, 1)"));
    pp = udl_dnn_pretrain_params_default(UDL_PRETRAIN_NONE);
    memcpy(keep, udl_dnn_weights(dnn, 1), 6 * 4 * sizeof(double));
    assert_int_equal(udl_dnn_pretrain(dnn, &pp, xm, NULL, NULL), UDL_OK);
    assert_memory_equal(udl_dnn_weights(dnn, 1), keep, 6 * 4 * sizeof(double));
    udl_sae_free(sae);
    udl_dbn_free(dbn);
    udl_dnn_free(dnn);
    udl_dnn_free(d2);
    udl_dnn_free(d3);
    udl_dnn_free(d4);
    udl_dnn_free(d5);
    udl_dnn_free(d6);
    free(x);
}

/* ---- learning ------------------------------------------------------------------------------- */

static double train_accuracy(udl_dnn *dnn, udl_mat x, udl_mat y)
{
    udl_dnn_eval e;
    assert_int_equal(udl_dnn_evaluate(dnn, x, y, &e, NULL, NULL), UDL_OK);
    return e.accuracy;
}

static void test_small_nets_learn_xor_and_concentric_circles(void **state)
{
    (void)state;
    /* XOR, four points repeated */
    double x[400 * 2], y[400];
    for (size_t i = 0; i < 40; i++) {
        double a = (double)(i % 2), b = (double)(i / 2 % 2);
        x[2 * i] = a;
        x[2 * i + 1] = b;
        y[i] = (double)((int)a ^ (int)b);
    }
    const size_t xs[3] = {2, 8, 2};
    udl_dnn *dnn = make(UDL_ACT_TANH, xs, 3, 5);
    udl_dnn_params p = udl_dnn_get_params(dnn);
    p.train.epochs = 200;
    p.train.batch_size = 8;
    assert_int_equal(udl_dnn_set_params(dnn, &p), UDL_OK);
    udl_mat xm = udl_mat_view(x, 40, 2), ym = udl_mat_view(y, 40, 1);
    assert_int_equal(udl_dnn_train(dnn, xm, ym, NULL, NULL, NULL, NULL), UDL_OK);
    assert_true(train_accuracy(dnn, xm, ym) == 1.0);
    udl_dnn_free(dnn);

    /* two concentric circles, radii 1 and 2, with noise: not linearly separable */
    udli_rng r;
    udli_rng_seed(&r, 77);
    for (size_t i = 0; i < 400; i++) {
        double t = 6.283185307179586 * udli_rng_uniform(&r), rad = (i % 2 ? 2.0 : 1.0) +
                                                          0.1 * udli_rng_normal(&r);
        x[2 * i] = rad * cos(t);
        x[2 * i + 1] = rad * sin(t);
        y[i] = (double)(i % 2);
    }
    const udl_activation acts[3] = {UDL_ACT_SIGMOID, UDL_ACT_TANH, UDL_ACT_RELU};
    const size_t cs[4] = {2, 16, 16, 2};
    xm = udl_mat_view(x, 400, 2);
    ym = udl_mat_view(y, 400, 1);
    for (size_t a = 0; a < 3; a++) {
        dnn = make(acts[a], cs, 4, 6);
        p = udl_dnn_get_params(dnn);
        p.train.epochs = 150;
        p.train.batch_size = 20;
        p.train.sgd.learning_rate = acts[a] == UDL_ACT_SIGMOID ? 0.5 : 0.1;
        assert_int_equal(udl_dnn_set_params(dnn, &p), UDL_OK);
        assert_int_equal(udl_dnn_train(dnn, xm, ym, NULL, NULL, NULL, NULL), UDL_OK);
        if (train_accuracy(dnn, xm, ym) != 1.0)
            fail_msg("%s: accuracy %g on the circles", udl_activation_name(acts[a]),
                     train_accuracy(dnn, xm, ym));
        udl_dnn_free(dnn);
    }
}

/* Labels that are noise: the validation error wanders, so the best epoch is an early
 * one and patience stops training before the last. */
typedef struct seen {
    size_t calls;
    double last_error;
} seen;

static int record_progress(const udl_progress *p, void *user)
{
    seen *s = user;
    if (p->batch < p->batches)
        return 0; /* within an epoch */
    s->calls++;
    s->last_error = p->valid_error;
    return 0;
}

static int cancel_after(const udl_progress *p, void *user)
{
    return p->batch == p->batches && p->step >= *(size_t *)user;
}

static void test_early_stopping_keeps_the_best_epochs_weights(void **state)
{
    (void)state;
    enum { N = 200, V = 100, D = 10, MAXE = 60 };
    static double x[N * D], y[N], vx[V * D], vy[V];
    random_data(1, x, N * D, y, N, 2);
    random_data(2, vx, V * D, vy, V, 2);
    const size_t sizes[3] = {D, 30, 2};
    udl_dnn *dnn = make(UDL_ACT_RELU, sizes, 3, 4);
    udl_dnn_params p = udl_dnn_get_params(dnn);
    p.train.epochs = MAXE;
    p.train.batch_size = 10;
    p.patience = 5;
    assert_int_equal(udl_dnn_set_params(dnn, &p), UDL_OK);
    udl_mat xm = udl_mat_view(x, N, D), ym = udl_mat_view(y, N, 1);
    udl_mat vxm = udl_mat_view(vx, V, D), vym = udl_mat_view(vy, V, 1);
    seen s = {0, NAN};
    assert_int_equal(udl_dnn_train(dnn, xm, ym, &vxm, &vym, record_progress, &s), UDL_OK);
    const double *vl, *ve;
    size_t n;
    udl_dnn_valid_history(dnn, &vl, &ve, &n);
    assert_int_equal(s.calls, n);
    assert_true(n < MAXE); /* it stopped early */
    size_t best = 0;
    for (size_t i = 1; i < n; i++)
        if (ve[i] < ve[best] || (ve[i] == ve[best] && vl[i] < vl[best]))
            best = i;
    assert_int_equal(n, best + 1 + p.patience);
    assert_true(s.last_error == ve[n - 1]);
    /* the weights are the best epoch's: the same model trained that many epochs */
    udl_dnn *again = make(UDL_ACT_RELU, sizes, 3, 4);
    p.train.epochs = best + 1;
    p.patience = 0;
    assert_int_equal(udl_dnn_set_params(again, &p), UDL_OK);
    assert_int_equal(udl_dnn_train(again, xm, ym, &vxm, &vym, NULL, NULL), UDL_OK);
    for (size_t l = 0; l < 2; l++)
        assert_memory_equal(udl_dnn_weights(dnn, l), udl_dnn_weights(again, l),
                            sizes[l] * sizes[l + 1] * sizeof(double));
    udl_dnn_eval e;
    assert_int_equal(udl_dnn_evaluate(dnn, vxm, vym, &e, NULL, NULL), UDL_OK);
    assert_close(1.0 - e.accuracy, ve[best], 1e-15);
    /* stopped by the callback two epochs after the best, it keeps the best too */
    udl_dnn *cut = make(UDL_ACT_RELU, sizes, 3, 4);
    p.train.epochs = MAXE;
    p.patience = 5;
    assert_int_equal(udl_dnn_set_params(cut, &p), UDL_OK);
    size_t stop_at = best + 2;
    assert_int_equal(udl_dnn_train(cut, xm, ym, &vxm, &vym, cancel_after, &stop_at),
                     UDL_ECANCELED);
    for (size_t l = 0; l < 2; l++)
        assert_memory_equal(udl_dnn_weights(cut, l), udl_dnn_weights(again, l),
                            sizes[l] * sizes[l + 1] * sizeof(double));
    udl_dnn_free(cut);
    udl_dnn_free(again);
    udl_dnn_free(dnn);
}

/* valid_fraction holds out the same rows on every call; the epochs' validation figures
 * reach the callback and the history. */
static void test_held_out_fraction_is_repeatable_and_reported(void **state)
{
    (void)state;
    enum { N = 120, D = 4 };
    double x[N * D], y[N];
    random_data(3, x, N * D, y, N, 3);
    const size_t sizes[3] = {D, 6, 3};
    udl_mat xm = udl_mat_view(x, N, D), ym = udl_mat_view(y, N, 1);
    const double *ve[2];
    udl_dnn *d[2];
    for (int k = 0; k < 2; k++) {
        d[k] = make(UDL_ACT_TANH, sizes, 3, 9);
        udl_dnn_params p = udl_dnn_get_params(d[k]);
        p.train.epochs = 3;
        p.valid_fraction = 0.25;
        assert_int_equal(udl_dnn_set_params(d[k], &p), UDL_OK);
        seen s = {0, NAN};
        assert_int_equal(udl_dnn_train(d[k], xm, ym, NULL, NULL, record_progress, &s), UDL_OK);
        assert_int_equal(s.calls, 3);
        size_t n;
        udl_dnn_valid_history(d[k], NULL, &ve[k], &n);
        assert_int_equal(n, 3);
        /* 30 held-out rows: the error is a multiple of 1/30 */
        for (size_t i = 0; i < 3; i++)
            assert_close(ve[k][i] * 30, round(ve[k][i] * 30), 1e-9);
    }
    assert_memory_equal(ve[0], ve[1], 3 * sizeof(double));
    /* without a validation set the history says NaN */
    udl_dnn_params p = udl_dnn_get_params(d[0]);
    p.valid_fraction = 0.0;
    p.train.epochs = 1;
    assert_int_equal(udl_dnn_set_params(d[0], &p), UDL_OK);
    assert_int_equal(udl_dnn_train(d[0], xm, ym, NULL, NULL, NULL, NULL), UDL_OK);
    size_t n;
    udl_dnn_valid_history(d[0], NULL, &ve[0], &n);
    assert_int_equal(n, 4);
    assert_true(isnan(ve[0][3]));
    /* holding out everything leaves nothing to train on */
    p.valid_fraction = 0.999;
    assert_int_equal(udl_dnn_set_params(d[0], &p), UDL_OK);
    assert_int_equal(udl_dnn_train(d[0], udl_mat_rows(xm, 0, 2), udl_mat_rows(ym, 0, 2), NULL,
                                   NULL, NULL, NULL), UDL_EINVAL);
    assert_non_null(strstr(udl_last_error(), "leaves none to train on"));
    udl_dnn_free(d[0]);
    udl_dnn_free(d[1]);
}

/* ---- use and files ------------------------------------------------------------------------ */

static void test_evaluate_agrees_with_predict_and_probabilities(void **state)
{
    (void)state;
    enum { N = 90, D = 5, K = 4 };
    double x[N * D], y[N], pred[N], prob[N * K];
    random_data(6, x, N * D, y, N, K);
    const size_t sizes[3] = {D, 7, K};
    udl_dnn *dnn = make(UDL_ACT_SIGMOID, sizes, 3, 2);
    udl_mat xm = udl_mat_view(x, N, D), ym = udl_mat_view(y, N, 1);
    assert_int_equal(udl_dnn_train(dnn, xm, ym, NULL, NULL, NULL, NULL), UDL_OK);
    assert_int_equal(udl_dnn_predict(dnn, xm, udl_mat_view(pred, N, 1)), UDL_OK);
    assert_int_equal(udl_dnn_predict_proba(dnn, xm, udl_mat_view(prob, N, K)), UDL_OK);
    size_t confusion[K * K], right = 0;
    double per_class[K], loss = 0.0;
    udl_dnn_eval e;
    assert_int_equal(udl_dnn_evaluate(dnn, xm, ym, &e, confusion, per_class), UDL_OK);
    size_t want[K * K] = {0};
    for (size_t i = 0; i < N; i++) {
        size_t best = 0;
        for (size_t c = 1; c < K; c++)
            best = prob[i * K + c] > prob[i * K + best] ? c : best;
        assert_true(pred[i] == (double)best);
        right += pred[i] == y[i];
        want[(size_t)y[i] * K + best]++;
        loss -= log(prob[i * K + (size_t)y[i]]);
    }
    assert_int_equal(e.n, N);
    assert_close(e.accuracy, (double)right / N, 1e-15);
    assert_close(e.loss, loss / N, 1e-12);
    assert_memory_equal(confusion, want, sizeof want);
    for (size_t c = 0; c < K; c++) {
        size_t row = 0;
        for (size_t j = 0; j < K; j++)
            row += want[c * K + j];
        assert_close(per_class[c], (double)want[c * K + c] / (double)row, 1e-15);
    }
    udl_dnn_free(dnn);
}

static void test_save_and_load_reproduce_predictions_and_histories(void **state)
{
    (void)state;
    enum { N = 60, D = 6 };
    double x[N * D], y[N], p1[N * 3], p2[N * 3];
    random_data(7, x, N * D, y, N, 3);
    const size_t sizes[4] = {D, 5, 4, 3};
    udl_dnn *dnn = make(UDL_ACT_RELU, sizes, 4, 2);
    udl_dnn_params p = udl_dnn_get_params(dnn);
    p.train.epochs = 2;
    p.hidden_dropout = 0.3;
    p.input_dropout = 0.1;
    assert_int_equal(udl_dnn_set_params(dnn, &p), UDL_OK);
    udl_mat xm = udl_mat_view(x, N, D), ym = udl_mat_view(y, N, 1);
    assert_int_equal(udl_dnn_train(dnn, xm, ym, NULL, NULL, NULL, NULL), UDL_OK);
    p.valid_fraction = 0.2;
    p.patience = 3;
    assert_int_equal(udl_dnn_set_params(dnn, &p), UDL_OK);
    assert_int_equal(udl_dnn_train(dnn, xm, ym, NULL, NULL, NULL, NULL), UDL_OK);
    char path[512];
    tmp_path(path, sizeof path, "dnn.udl");
    assert_int_equal(udl_dnn_save(dnn, path), UDL_OK);
    udl_dnn *back;
    assert_int_equal(udl_dnn_load(path, &back), UDL_OK);
    assert_int_equal(udl_dnn_predict_proba(dnn, xm, udl_mat_view(p1, N, 3)), UDL_OK);
    assert_int_equal(udl_dnn_predict_proba(back, xm, udl_mat_view(p2, N, 3)), UDL_OK);
    assert_memory_equal(p1, p2, sizeof p1);
    udl_dnn_params q = udl_dnn_get_params(back);
    assert_true(q.activation == UDL_ACT_RELU && q.hidden_dropout == 0.3 &&
                q.input_dropout == 0.1 && q.valid_fraction == 0.2 && q.patience == 3 &&
                q.train.epochs == 2);
    const double *l1, *e1, *l2, *e2;
    size_t n1, n2;
    udl_dnn_valid_history(dnn, &l1, &e1, &n1);
    udl_dnn_valid_history(back, &l2, &e2, &n2);
    assert_int_equal(n1, 4);
    assert_int_equal(n2, 4);
    for (size_t i = 0; i < 4; i++) {
        assert_true(isnan(l2[i]) == (i < 2) && isnan(e2[i]) == (i < 2));
        if (i >= 2)
            assert_true(l1[i] == l2[i] && e1[i] == e2[i]);
    }
    size_t nh;
    assert_memory_equal(udl_dnn_history(dnn, &nh), udl_dnn_history(back, NULL), 4 * 8);
    /* training on from the file continues the epoch count */
    assert_int_equal(udl_dnn_train(back, xm, ym, NULL, NULL, NULL, NULL), UDL_OK);
    udl_dnn_history(back, &nh);
    assert_int_equal(nh, 6);
    udl_dnn_free(back);
    udl_dnn_free(dnn);
}

/* A file whose CRC is right but whose net is not a classifier is refused. */
static void test_crafted_files_that_are_not_classifiers_are_refused(void **state)
{
    (void)state;
    const size_t sizes[3] = {4, 3, 2};
    const struct { udl_activation a0, a1; size_t classes; double err; const char *says; } cases[] = {
        {UDL_ACT_SOFTMAX, UDL_ACT_SOFTMAX, 2, 0.5, "net: softmax is for the output layer only"},
        {UDL_ACT_TANH, UDL_ACT_SOFTMAX, 2, 0.5, "layer 0 is tanh; in this dnn it must be sigmoid"},
        {UDL_ACT_SIGMOID, UDL_ACT_SIGMOID, 2, 0.5, "layer 1 is sigmoid; in this dnn it must be softmax"},
        {UDL_ACT_SIGMOID, UDL_ACT_SOFTMAX, 1, 0.5, "the output layer has 1 class"},
        {UDL_ACT_SIGMOID, UDL_ACT_SOFTMAX, 2, 1.5, "valid_error[0] is 1.5"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        size_t s[3] = {sizes[0], sizes[1], cases[k].classes};
        udli_record r;
        udli_record_init(&r);
        udli_record_u64(&r, "activation", UDL_ACT_SIGMOID);
        udli_record_f64(&r, "input_dropout", 0);
        udli_record_f64(&r, "hidden_dropout", 0);
        udli_record_f64(&r, "valid_fraction", 0);
        udli_record_u64(&r, "patience", 0);
        udl_train_params tp = udl_train_params_default();
        udli_train_params_record(&tp, &r);
        udli_record_u64(&r, "layers", 2);
        double w0[12] = {0}, b0[3] = {0}, w1[6] = {0}, b1[2] = {0}, h[1] = {1.0},
               vl[1] = {0.5}, ve[1] = {cases[k].err};
        udli_record_u64(&r, "act0", cases[k].a0);
        udli_record_u64(&r, "tied0", 0);
        udli_record_matrix(&r, "W0", s[0], s[1], w0);
        udli_record_matrix(&r, "b0", 1, s[1], b0);
        udli_record_u64(&r, "act1", cases[k].a1);
        udli_record_u64(&r, "tied1", 0);
        udli_record_matrix(&r, "W1", s[1], s[2], w1);
        udli_record_matrix(&r, "b1", 1, s[2], b1);
        udli_record_matrix(&r, "history", 1, 1, h);
        udli_record_matrix(&r, "valid_loss", 1, 1, vl);
        udli_record_matrix(&r, "valid_error", 1, 1, ve);
        char path[512];
        tmp_path(path, sizeof path, "crafted-dnn.udl");
        assert_int_equal(udli_record_save(&r, path, UDL_KIND_DNN), UDL_OK);
        udl_dnn *dnn = (udl_dnn *)1;
        assert_int_equal(udl_dnn_load(path, &dnn), UDL_EFORMAT);
        assert_null(dnn);
        if (!strstr(udl_last_error(), cases[k].says))
            fail_msg("case %zu: '%s' does not say '%s'", k, udl_last_error(), cases[k].says);
    }
}

/* ---- bad input ------------------------------------------------------------------------------ */

static void test_bad_input_is_refused_and_leaves_the_model_as_it_was(void **state)
{
    (void)state;
    enum { N = 20, D = 3, K = 3 };
    double x[N * D], y[N], out[N * D];
    random_data(8, x, N * D, y, N, K);
    const size_t sizes[3] = {D, 4, K};
    udl_dnn *dnn = make(UDL_ACT_SIGMOID, sizes, 3, 1);
    double w[D * 4];
    memcpy(w, udl_dnn_weights(dnn, 0), sizeof w);
    udl_mat xm = udl_mat_view(x, N, D), ym = udl_mat_view(y, N, 1);
    const struct { size_t row; double value; const char *says; } labels[] = {
        {4, 3.0, "labels[4] is 3; labels must be integers 0 to 2"},
        {0, -1.0, "labels[0] is -1"},
        {7, 1.5, "labels[7] is 1.5"},
        {2, NAN, "labels[2] is nan"},
    };
    for (size_t k = 0; k < 4; k++) {
        double keep = y[labels[k].row];
        y[labels[k].row] = labels[k].value;
        assert_int_equal(udl_dnn_train(dnn, xm, ym, NULL, NULL, NULL, NULL), UDL_EINVAL);
        assert_non_null(strstr(udl_last_error(), labels[k].says));
        udl_dnn_eval e;
        assert_int_equal(udl_dnn_evaluate(dnn, xm, ym, &e, NULL, NULL), UDL_EINVAL);
        y[labels[k].row] = keep;
    }
    assert_int_equal(udl_dnn_train(dnn, xm, udl_mat_view(y, N - 1, 1), NULL, NULL, NULL, NULL),
                     UDL_ESHAPE);
    assert_non_null(strstr(udl_last_error(), "it must be 20 x 1, a label for each row"));
    assert_int_equal(udl_dnn_train(dnn, udl_mat_view(x, N / 2, 2 * D), udl_mat_view(y, N / 2, 2),
                                   NULL, NULL, NULL, NULL), UDL_ESHAPE);
    x[5] = NAN;
    assert_int_equal(udl_dnn_train(dnn, xm, ym, NULL, NULL, NULL, NULL), UDL_EINVAL);
    assert_int_equal(udl_dnn_predict(dnn, xm, udl_mat_view(out, N, 1)), UDL_EINVAL);
    x[5] = 0.0;
    assert_int_equal(udl_dnn_train(dnn, xm, ym, &xm, NULL, NULL, NULL), UDL_EINVAL);
    assert_non_null(strstr(udl_last_error(), "both valid_x and valid_labels"));
    udl_mat short_y = udl_mat_view(y, N - 2, 1);
    assert_int_equal(udl_dnn_train(dnn, xm, ym, &xm, &short_y, NULL, NULL), UDL_ESHAPE);
    assert_int_equal(udl_dnn_train(NULL, xm, ym, NULL, NULL, NULL, NULL), UDL_EINVAL);
    assert_memory_equal(udl_dnn_weights(dnn, 0), w, sizeof w);
    size_t n;
    udl_dnn_history(dnn, &n);
    assert_int_equal(n, 0);

    /* outputs of the wrong shape, layers and units that do not exist */
    assert_int_equal(udl_dnn_predict_proba(dnn, xm, udl_mat_view(out, N, K - 1)), UDL_ESHAPE);
    assert_int_equal(udl_dnn_hidden(dnn, xm, 1, udl_mat_view(out, N, K)), UDL_EINVAL);
    assert_int_equal(udl_dnn_unit_gradient(dnn, xm, 2, 0, udl_mat_view(out, N, D), NULL),
                     UDL_EINVAL);
    assert_non_null(strstr(udl_last_error(), "layers are 0 to 1 (1 is the output)"));
    assert_int_equal(udl_dnn_unit_gradient(dnn, xm, 1, K, udl_mat_view(out, N, D), NULL),
                     UDL_EINVAL);
    assert_int_equal(udl_dnn_input_gradient(dnn, xm, ym, udl_mat_view(out, N, D - 1), NULL),
                     UDL_ESHAPE);
    assert_int_equal(udl_dnn_evaluate(dnn, xm, ym, NULL, NULL, NULL), UDL_EINVAL);

    /* parameters */
    udl_dnn_params p = udl_dnn_params_default();
    const size_t one_class[3] = {D, 4, 1};
    udl_dnn *bad = (udl_dnn *)1;
    assert_int_equal(udl_dnn_create(&p, one_class, 3, &bad), UDL_EINVAL);
    assert_null(bad);
    assert_non_null(strstr(udl_last_error(), "at least 2 classes, got 1"));
    assert_int_equal(udl_dnn_create(&p, sizes, 1, &bad), UDL_EINVAL);
    const size_t zero[3] = {D, 0, K};
    assert_int_equal(udl_dnn_create(&p, zero, 3, &bad), UDL_EINVAL);
    assert_int_equal(udl_dnn_create(&p, NULL, 3, &bad), UDL_EINVAL);
    udl_dnn_params q = p;
    q.activation = UDL_ACT_SOFTMAX;
    assert_int_equal(udl_dnn_create(&q, sizes, 3, &bad), UDL_EINVAL);
    assert_non_null(strstr(udl_last_error(), "sigmoid, tanh or ReLU, not softmax"));
    q = p;
    q.hidden_dropout = 1.0;
    assert_int_equal(udl_dnn_set_params(dnn, &q), UDL_EINVAL);
    q = p;
    q.input_dropout = -0.1;
    assert_int_equal(udl_dnn_set_params(dnn, &q), UDL_EINVAL);
    q = p;
    q.valid_fraction = 1.0;
    assert_int_equal(udl_dnn_set_params(dnn, &q), UDL_EINVAL);
    q = p;
    q.train.batch_size = 0;
    assert_int_equal(udl_dnn_set_params(dnn, &q), UDL_EINVAL);
    q = p;
    q.activation = UDL_ACT_TANH;
    assert_int_equal(udl_dnn_set_params(dnn, &q), UDL_EINVAL);
    assert_non_null(strstr(udl_last_error(), "cannot change"));
    assert_true(udl_dnn_get_params(dnn).activation == UDL_ACT_SIGMOID &&
                udl_dnn_get_params(dnn).train.batch_size == 100);
    udl_dnn_free(dnn);
    udl_dnn_free(NULL);
}

/* The first layer's weights after each epoch, as the progress callback sees them. */
typedef struct snapshot {
    const udl_dnn *dnn;
    double w[4 * 8];
    size_t epochs;
} snapshot;

static int keep_weights(const udl_progress *p, void *user)
{
    snapshot *s = user;
    if (p->batch < p->batches)
        return 0;
    memcpy(s->w, udl_dnn_weights(s->dnn, 0), sizeof s->w);
    s->epochs++;
    return 0;
}

/* A learning rate that diverges stops with ENUMERIC and keeps the epoch's start. */
static void test_divergence_stops_with_the_last_good_weights(void **state)
{
    (void)state;
    enum { N = 40, D = 4 };
    double x[N * D], y[N];
    random_data(9, x, N * D, y, N, 2);
    for (size_t i = 0; i < N * D; i++)
        x[i] *= 1e3;
    const size_t sizes[3] = {D, 8, 2};
    udl_dnn *dnn = make(UDL_ACT_RELU, sizes, 3, 1);
    udl_dnn_params p = udl_dnn_get_params(dnn);
    p.train.sgd.learning_rate = 30.0;
    p.train.epochs = 50;
    assert_int_equal(udl_dnn_set_params(dnn, &p), UDL_OK);
    udl_mat xm = udl_mat_view(x, N, D), ym = udl_mat_view(y, N, 1);
    snapshot snap = {dnn, {0}, 0};
    memcpy(snap.w, udl_dnn_weights(dnn, 0), sizeof snap.w);
    assert_int_equal(udl_dnn_train(dnn, xm, ym, NULL, NULL, keep_weights, &snap), UDL_ENUMERIC);
    assert_non_null(strstr(udl_last_error(), "the parameters of the start of that epoch"));
    /* the weights are those the last complete epoch ended with */
    assert_true(snap.epochs > 0);
    assert_memory_equal(udl_dnn_weights(dnn, 0), snap.w, sizeof snap.w);
    size_t n, nv;
    udl_dnn_history(dnn, &n);
    udl_dnn_valid_history(dnn, NULL, NULL, &nv);
    assert_int_equal(n, nv);
    udl_dnn_free(dnn);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_input_gradient_matches_finite_differences),
        cmocka_unit_test(test_unit_values_are_the_layers_outputs),
        cmocka_unit_test(test_training_step_is_the_gradient_of_the_loss_with_l2),
        cmocka_unit_test(test_pretraining_copies_each_stack_layer_into_its_layer),
        cmocka_unit_test(test_small_nets_learn_xor_and_concentric_circles),
        cmocka_unit_test(test_early_stopping_keeps_the_best_epochs_weights),
        cmocka_unit_test(test_held_out_fraction_is_repeatable_and_reported),
        cmocka_unit_test(test_evaluate_agrees_with_predict_and_probabilities),
        cmocka_unit_test(test_save_and_load_reproduce_predictions_and_histories),
        cmocka_unit_test(test_crafted_files_that_are_not_classifiers_are_refused),
        cmocka_unit_test(test_bad_input_is_refused_and_leaves_the_model_as_it_was),
        cmocka_unit_test(test_divergence_stops_with_the_last_good_weights),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
