#include "helpers.h"

#include "core/error.h"
#include "core/train.h"

/* Linear regression y = x w with squared loss: the smallest model that trains. */
typedef struct linreg {
    double w[3], v[3], g[3];
    int calls, nan_at_call;
    size_t visits[100];
    size_t batch_sizes[64];
} linreg;

static udl_status linreg_batch(void *model, udl_mat x, udl_mat y, double *loss)
{
    linreg *m = model;
    memset(m->g, 0, sizeof m->g);
    double sum = 0.0;
    for (size_t i = 0; i < x.rows; i++) {
        const double *xi = x.data + i * x.ld;
        double err = m->w[0] * xi[0] + m->w[1] * xi[1] + m->w[2] * xi[2] - y.data[i * y.ld];
        sum += err * err;
        for (int j = 0; j < 3; j++)
            m->g[j] += 2.0 * err * xi[j] / (double)x.rows;
        if (xi[0] >= 0 && xi[0] < 100 && xi[0] == floor(xi[0]))
            m->visits[(size_t)xi[0]]++;
    }
    if (m->calls < 64)
        m->batch_sizes[m->calls] = x.rows;
    *loss = ++m->calls == m->nan_at_call ? NAN : sum / (double)x.rows;
    return UDL_OK;
}

static double xs[100 * 3], ys[100];

static void make_problem(void)
{
    udli_rng r;
    udli_rng_seed(&r, 3);
    for (int i = 0; i < 100; i++) {
        xs[3 * i] = udli_rng_normal(&r);
        xs[3 * i + 1] = udli_rng_normal(&r);
        xs[3 * i + 2] = 1.0;
        ys[i] = 2.0 * xs[3 * i] - 3.0 * xs[3 * i + 1] + 0.5;
    }
}

static udli_train_spec spec_for(linreg *m, udli_param_block *block, udli_rng *rng)
{
    *block = (udli_param_block){m->w, m->v, m->g, 3, 0};
    udl_train_params p = udl_train_params_default();
    p.epochs = 50;
    p.batch_size = 10;
    p.sgd = (udl_sgd_params){0.05, 0.9, 0.0, 0};
    udli_train_spec s = {.x = udl_mat_view(xs, 100, 3), .y = udl_mat_view(ys, 100, 1),
                         .params = p, .blocks = block, .n_blocks = 1, .batch = linreg_batch,
                         .model = m, .rng = rng, .stage = "linreg"};
    return s;
}

static void test_loop_trains_a_linear_model(void **state)
{
    (void)state;
    make_problem();
    linreg m;
    memset(&m, 0, sizeof m);
    udli_param_block b;
    udli_rng rng;
    udli_rng_seed(&rng, 1);
    udli_train_spec s = spec_for(&m, &b, &rng);
    udli_history h = {NULL, 0, 0};
    s.history = &h;
    size_t done;
    assert_int_equal(udli_train(&s, &done), UDL_OK);
    assert_int_equal(done, 50);
    assert_close(m.w[0], 2.0, 1e-6);
    assert_close(m.w[1], -3.0, 1e-6);
    assert_close(m.w[2], 0.5, 1e-6);
    assert_int_equal(h.n, 50);
    const double *history = h.loss;
    assert_true(history[49] < 1e-10 && history[0] > history[49]);
    udli_history_free(&h);
}

static void test_every_row_once_per_epoch_in_batches(void **state)
{
    (void)state;
    /* column 0 holds the row index, so the model can count its visits */
    for (int i = 0; i < 100; i++)
        xs[3 * i] = i;
    linreg m;
    memset(&m, 0, sizeof m);
    udli_param_block b;
    udli_rng rng;
    udli_rng_seed(&rng, 2);
    udli_train_spec s = spec_for(&m, &b, &rng);
    s.params.epochs = 3;
    s.params.batch_size = 30;
    s.params.sgd.learning_rate = 1e-9;
    assert_int_equal(udli_train(&s, NULL), UDL_OK);
    for (int i = 0; i < 100; i++)
        assert_int_equal(m.visits[i], 3);
    assert_int_equal(m.calls, 12); /* 30 + 30 + 30 + 10, three times */
    assert_int_equal(m.batch_sizes[0], 30);
    assert_int_equal(m.batch_sizes[3], 10);
}

static void test_same_seed_same_result(void **state)
{
    (void)state;
    make_problem();
    linreg a, c, d;
    memset(&a, 0, sizeof a);
    memset(&c, 0, sizeof c);
    memset(&d, 0, sizeof d);
    udli_param_block ba, bc, bd;
    udli_rng ra, rc, rd;
    udli_rng_seed(&ra, 5);
    udli_rng_seed(&rc, 5);
    udli_rng_seed(&rd, 6);
    udli_train_spec sa = spec_for(&a, &ba, &ra), sc = spec_for(&c, &bc, &rc),
                   sd = spec_for(&d, &bd, &rd);
    sa.params.epochs = sc.params.epochs = sd.params.epochs = 2;
    assert_int_equal(udli_train(&sa, NULL), UDL_OK);
    assert_int_equal(udli_train(&sc, NULL), UDL_OK);
    assert_int_equal(udli_train(&sd, NULL), UDL_OK);
    assert_memory_equal(a.w, c.w, sizeof a.w);
    assert_memory_not_equal(a.w, d.w, sizeof a.w);
}

static void test_nan_loss_stops_and_restores_the_epoch_start(void **state)
{
    (void)state;
    make_problem();
    linreg m, ref;
    memset(&m, 0, sizeof m);
    memset(&ref, 0, sizeof ref);
    udli_param_block b, rb;
    udli_rng rng, rrng;
    udli_rng_seed(&rng, 7);
    udli_rng_seed(&rrng, 7);
    udli_train_spec s = spec_for(&m, &b, &rng), r = spec_for(&ref, &rb, &rrng);
    m.nan_at_call = 25; /* epoch 3, batch 5 */
    size_t done;
    assert_int_equal(udli_train(&s, &done), UDL_ENUMERIC);
    assert_non_null(strstr(udl_last_error(), "epoch 3, batch 5"));
    assert_int_equal(done, 2);
    r.params.epochs = 2; /* the same run stopped cleanly after two epochs */
    assert_int_equal(udli_train(&r, NULL), UDL_OK);
    assert_memory_equal(m.w, ref.w, sizeof m.w);
}

/* Every report in order, and where to stop: after epoch stop_epoch, or (when stop_batch
 * is not 0) after batch stop_batch of that epoch. */
typedef struct reports {
    size_t n, ends, stop_epoch, stop_batch;
    size_t step[64], batch[64];
    double loss[64];
} reports;

static int record_reports(const udl_progress *p, void *user)
{
    reports *r = user;
    assert_true(r->n < 64);
    assert_true(isfinite(p->loss));
    assert_int_equal(p->total, 50);
    assert_int_equal(p->batches, 10); /* 100 rows in batches of 10 */
    assert_int_equal(p->layer, 0);
    r->step[r->n] = p->step;
    r->batch[r->n] = p->batch;
    r->loss[r->n++] = p->loss;
    r->ends += p->batch == p->batches;
    return p->step == r->stop_epoch && p->batch == (r->stop_batch ? r->stop_batch : p->batches);
}

static void test_progress_reports_each_batch_and_can_cancel(void **state)
{
    (void)state;
    make_problem();
    linreg m, ref;
    memset(&m, 0, sizeof m);
    memset(&ref, 0, sizeof ref);
    udli_param_block b, rb;
    udli_rng rng, rrng;
    udli_rng_seed(&rng, 8);
    udli_rng_seed(&rrng, 8);
    udli_train_spec s = spec_for(&m, &b, &rng), r = spec_for(&ref, &rb, &rrng);
    udli_history h = {NULL, 0, 0};
    s.history = &h;
    reports seen = {.stop_epoch = 2};
    s.progress = record_reports;
    s.user = &seen;
    size_t done;
    assert_int_equal(udli_train(&s, &done), UDL_ECANCELED);
    assert_int_equal(done, 2);
    assert_int_equal(seen.n, 20);
    assert_int_equal(seen.ends, 2);
    assert_int_equal(m.calls, 20);
    for (size_t i = 0; i < 20; i++) {
        assert_int_equal(seen.step[i], i / 10 + 1);
        assert_int_equal(seen.batch[i], i % 10 + 1);
    }
    /* the end of an epoch reports its mean loss, which the history keeps */
    assert_true(seen.loss[9] == h.loss[0] && seen.loss[19] == h.loss[1]);

    /* canceled within epoch 3: the parameters are those after epoch 2, bit for bit */
    memset(&m, 0, sizeof m);
    udli_rng_seed(&rng, 8);
    udli_history_free(&h);
    seen = (reports){.stop_epoch = 3, .stop_batch = 4};
    assert_int_equal(udli_train(&s, &done), UDL_ECANCELED);
    assert_non_null(strstr(udl_last_error(), "in epoch 3 (batch 4 of 10)"));
    assert_int_equal(done, 2);
    assert_int_equal(h.n, 2);
    assert_int_equal(m.calls, 24);
    r.params.epochs = 2;
    assert_int_equal(udli_train(&r, NULL), UDL_OK);
    assert_memory_equal(m.w, ref.w, sizeof m.w);
    udli_history_free(&h);
}

static udl_status failing_batch(void *model, udl_mat x, udl_mat y, double *loss)
{
    (void)model, (void)x, (void)y, (void)loss;
    return udli_fail(UDL_ENOMEM, "the model ran out of memory");
}

static void test_bad_specs_are_rejected(void **state)
{
    (void)state;
    linreg m;
    memset(&m, 0, sizeof m);
    udli_param_block b;
    udli_rng rng;
    udli_rng_seed(&rng, 9);
    udli_train_spec s = spec_for(&m, &b, &rng), t;
    t = s; t.params.epochs = 0;
    assert_int_equal(udli_train(&t, NULL), UDL_EINVAL);
    t = s; t.params.batch_size = 0;
    assert_int_equal(udli_train(&t, NULL), UDL_EINVAL);
    t = s; t.y.rows = 99;
    assert_int_equal(udli_train(&t, NULL), UDL_ESHAPE);
    t = s; t.params.sgd.momentum = 1.5;
    assert_int_equal(udli_train(&t, NULL), UDL_EINVAL);
    t = s; t.x.rows = 0;
    assert_int_equal(udli_train(&t, NULL), UDL_EINVAL);
    t = s; t.batch = failing_batch;
    assert_int_equal(udli_train(&t, NULL), UDL_ENOMEM);
    assert_string_equal(udl_last_error(), "the model ran out of memory");
}

/* d(loss)/dw = 1 whatever w is, so each step moves w by exactly the learning rate. */
static udl_status constant_gradient(void *model, udl_mat x, udl_mat y, double *loss)
{
    (void)x, (void)y;
    double *w = model;
    w[1] = 1.0;
    *loss = w[0];
    return UDL_OK;
}

static void test_schedule_follows_the_models_epochs_across_calls(void **state)
{
    (void)state;
    udl_train_params p = udl_train_params_default();
    p.warmup_epochs = 3;
    p.warmup_momentum = 0.5;
    p.sgd.momentum = 0.9;
    p.decay = UDL_DECAY_STEP;
    p.decay_rate = 0.5;
    p.decay_every = 2;
    p.sgd.learning_rate = 1.0;
    assert_true(udl_train_params_at(&p, 2).momentum == 0.5);
    assert_true(udl_train_params_at(&p, 3).momentum == 0.9);
    assert_true(udl_train_params_at(&p, 1).learning_rate == 1.0);
    assert_true(udl_train_params_at(&p, 5).learning_rate == 0.25);
    p.decay = UDL_DECAY_EXPONENTIAL;
    assert_close(udl_train_params_at(&p, 3).learning_rate, 0.125, 1e-15);
    /* the loop: one batch an epoch, no momentum, step decay halving every 2 epochs */
    p = udl_train_params_default();
    p.sgd.momentum = 0.0;
    p.sgd.learning_rate = 1.0;
    p.decay = UDL_DECAY_STEP;
    p.decay_rate = 0.5;
    p.decay_every = 2;
    p.epochs = 4;
    p.batch_size = 100;
    double w[3] = {0, 0, 0}; /* param, gradient, velocity */
    udli_param_block b = {w, w + 2, w + 1, 1, 0};
    udli_rng rng;
    udli_rng_seed(&rng, 1);
    udli_history h = {NULL, 0, 0};
    udli_train_spec s = {.x = udl_mat_view(xs, 100, 3), .params = p, .blocks = &b,
                         .n_blocks = 1, .batch = constant_gradient, .model = w, .rng = &rng,
                         .stage = "constant", .history = &h};
    assert_int_equal(udli_train(&s, NULL), UDL_OK);
    assert_true(w[0] == -(1 + 1 + 0.5 + 0.5));
    s.params.epochs = 2; /* a second call carries on at epochs 4 and 5 */
    assert_int_equal(udli_train(&s, NULL), UDL_OK);
    assert_true(w[0] == -(3 + 0.25 + 0.25));
    assert_int_equal(h.n, 6);
    assert_true(h.loss[4] == -3.0); /* the loss of epoch 5 was read at its start */
    udli_history_free(&h);
    /* a bad schedule is refused, naming the field */
    s.params.decay_rate = 1.5;
    assert_int_equal(udli_train(&s, NULL), UDL_EINVAL);
    assert_non_null(strstr(udl_last_error(), "decay_rate"));
    s.params.decay_rate = 0.5;
    s.params.warmup_momentum = 1.0;
    assert_int_equal(udli_train(&s, NULL), UDL_EINVAL);
    assert_non_null(strstr(udl_last_error(), "warmup_momentum"));
}

static int stop_at_once(const udl_progress *p, void *user)
{
    (void)p, (void)user;
    return 1;
}

/* Found in review: a decay that underflows to a rate of 0, a huge epoch count that a
 * callback stops early, and a schedule that was never checked. */
static void test_schedule_edges_neither_stop_nor_crash_training(void **state)
{
    (void)state;
    double w[3] = {0, 0, 0};
    udli_param_block b = {w, w + 2, w + 1, 1, 0};
    udli_rng rng;
    udli_rng_seed(&rng, 2);
    udli_history h = {NULL, 0, 0};
    udl_train_params p = udl_train_params_default();
    p.sgd.momentum = 0.0;
    p.decay = UDL_DECAY_EXPONENTIAL;
    p.decay_rate = 1e-200;
    p.epochs = 4;
    p.batch_size = 100;
    udli_train_spec s = {.x = udl_mat_view(xs, 100, 3), .params = p, .blocks = &b,
                         .n_blocks = 1, .batch = constant_gradient, .model = w, .rng = &rng,
                         .stage = "constant", .history = &h};
    assert_int_equal(udli_train(&s, NULL), UDL_OK);
    assert_true(udl_train_params_at(&p, 3).learning_rate > 0.0);
    /* 10^12 epochs asked for, one run: the history grows with the epochs, not before */
    s.params.decay = UDL_DECAY_NONE;
    s.params.epochs = 1000000000000ULL;
    s.progress = stop_at_once;
    assert_int_equal(udli_train(&s, NULL), UDL_ECANCELED);
    assert_int_equal(h.n, 5);
    assert_true(h.cap < 1000);
    udli_history_free(&h);
    /* the public helper takes anything */
    p.decay = UDL_DECAY_STEP;
    p.decay_every = 0;
    assert_true(udl_train_params_at(&p, 7).learning_rate == p.sgd.learning_rate);
    assert_true(udl_train_params_at(NULL, 7).learning_rate == 0.1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_loop_trains_a_linear_model),
        cmocka_unit_test(test_every_row_once_per_epoch_in_batches),
        cmocka_unit_test(test_same_seed_same_result),
        cmocka_unit_test(test_nan_loss_stops_and_restores_the_epoch_start),
        cmocka_unit_test(test_progress_reports_each_batch_and_can_cancel),
        cmocka_unit_test(test_bad_specs_are_rejected),
        cmocka_unit_test(test_schedule_follows_the_models_epochs_across_calls),
        cmocka_unit_test(test_schedule_edges_neither_stop_nor_crash_training),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
