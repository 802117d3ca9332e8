#include "helpers.h"

#include <udl/autoencoder.h>
#include <udl/io.h>
#include <udl/pca.h>

#include "autoencoder/internal.h"
#include "core/container.h"
#include "core/model.h"
#include "format1.h"

static udl_ae *small_ae(size_t d, size_t m, int linear, udl_loss loss, uint64_t seed)
{
    udl_ae_params p = udl_ae_params_default();
    p.n_visible = d;
    p.n_hidden = m;
    p.linear = linear;
    p.loss = loss;
    p.train.seed = seed;
    p.train.batch_size = 8;
    udl_ae *ae;
    assert_int_equal(udl_ae_create(&p, &ae), UDL_OK);
    return ae;
}

/* Central differences of udl_ae_cost (the mean loss, no noise) in every parameter. */
static void check_gradient(udl_ae *ae, udl_mat x)
{
    double loss;
    assert_int_equal(udli_ae_gradient(ae, x, x, &loss), UDL_OK);
    double cost;
    assert_int_equal(udl_ae_cost(ae, x, &cost), UDL_OK);
    assert_close(loss, cost, 1e-12 * fabs(cost));
    const double *gw, *gb, *gc;
    udli_ae_gradients(ae, &gw, &gb, &gc);
    const udl_ae_params p = udl_ae_get_params(ae);
    const size_t d = p.n_visible, m = p.n_hidden;
    double *params[3] = {(double *)udl_ae_weights(ae), (double *)udl_ae_hidden_bias(ae),
                         (double *)udl_ae_visible_bias(ae)};
    const double *grads[3] = {gw, gb, gc};
    const size_t sizes[3] = {d * m, m, d};
    const double h = 1e-6;
    for (int k = 0; k < 3; k++)
        for (size_t i = 0; i < sizes[k]; i++) {
            double keep = params[k][i], up, down;
            params[k][i] = keep + h;
            udl_ae_cost(ae, x, &up);
            params[k][i] = keep - h;
            udl_ae_cost(ae, x, &down);
            params[k][i] = keep;
            double numeric = (up - down) / (2 * h);
            assert_close(grads[k][i], numeric, 1e-6 * (1.0 + fabs(numeric)));
        }
}

static void test_gradients_match_finite_differences(void **state)
{
    (void)state;
    const size_t n = 6, d = 5, m = 3;
    double x[6 * 5];
    udli_rng r;
    udli_rng_seed(&r, 1);
    for (size_t i = 0; i < n * d; i++)
        x[i] = udli_rng_uniform(&r);
    struct { int linear; udl_loss loss; } cases[] = {
        {0, UDL_LOSS_CROSS_ENTROPY}, {0, UDL_LOSS_SQUARED}, {1, UDL_LOSS_SQUARED}};
    for (int c = 0; c < 3; c++) {
        udl_ae *ae = small_ae(d, m, cases[c].linear, cases[c].loss, 2 + c);
        double *b = (double *)udl_ae_hidden_bias(ae), *cb = (double *)udl_ae_visible_bias(ae);
        for (size_t j = 0; j < m; j++)
            b[j] = 0.3 * udli_rng_normal(&r); /* non-zero biases exercise their terms */
        for (size_t j = 0; j < d; j++)
            cb[j] = 0.3 * udli_rng_normal(&r);
        check_gradient(ae, udl_mat_view(x, n, d));
        udl_ae_free(ae);
    }
}

static void test_linear_autoencoder_spans_the_pca_subspace(void **state)
{
    (void)state;
    /* rank-3 data in 8 dimensions, plus an offset the biases must absorb */
    const size_t n = 400, d = 8, k = 3;
    double *x = malloc(n * d * sizeof(double)), mix[3 * 8];
    udli_rng r;
    udli_rng_seed(&r, 4);
    fill_normal(&r, mix, k * d);
    for (size_t i = 0; i < n; i++) {
        double z[3] = {udli_rng_normal(&r), 0.7 * udli_rng_normal(&r), 0.4 * udli_rng_normal(&r)};
        for (size_t j = 0; j < d; j++)
            x[i * d + j] = 0.5 + 0.3 * (z[0] * mix[j] + z[1] * mix[d + j] + z[2] * mix[2 * d + j]);
    }
    udl_ae_params p = udl_ae_params_default();
    p.n_visible = d;
    p.n_hidden = k;
    p.linear = 1;
    p.loss = UDL_LOSS_SQUARED;
    p.train.epochs = 300;
    p.train.batch_size = 20;
    p.train.sgd.learning_rate = 0.02;
    udl_ae *ae;
    assert_int_equal(udl_ae_create(&p, &ae), UDL_OK);
    assert_int_equal(udl_ae_train(ae, udl_mat_view(x, n, d), NULL, NULL), UDL_OK);
    double cost;
    assert_int_equal(udl_ae_cost(ae, udl_mat_view(x, n, d), &cost), UDL_OK);
    assert_true(cost < 1e-6);
    /* the PCA components lie in the span of W: projecting them onto it changes nothing */
    udl_pca_params pp = udl_pca_params_default();
    pp.n_components = k;
    udl_pca *pca;
    assert_int_equal(udl_pca_create(&pp, &pca), UDL_OK);
    assert_int_equal(udl_pca_fit(pca, udl_mat_view(x, n, d), NULL, NULL), UDL_OK);
    const double *w = udl_ae_weights(ae), *q = udl_pca_components(pca);
    /* Gram-Schmidt on the columns of W gives an orthonormal basis u of its span */
    double u[3][8];
    for (size_t a = 0; a < k; a++) {
        for (size_t j = 0; j < d; j++)
            u[a][j] = w[j * k + a];
        for (size_t b = 0; b < a; b++) {
            double dot = 0;
            for (size_t j = 0; j < d; j++)
                dot += u[a][j] * u[b][j];
            for (size_t j = 0; j < d; j++)
                u[a][j] -= dot * u[b][j];
        }
        double norm = 0;
        for (size_t j = 0; j < d; j++)
            norm += u[a][j] * u[a][j];
        for (size_t j = 0; j < d; j++)
            u[a][j] /= sqrt(norm);
    }
    for (size_t c = 0; c < k; c++) {
        double kept = 0;
        for (size_t a = 0; a < k; a++) {
            double dot = 0;
            for (size_t j = 0; j < d; j++)
                dot += u[a][j] * q[c * d + j];
            kept += dot * dot;
        }
        assert_close(kept, 1.0, 1e-4); /* |projection of component c|^2 */
    }
    udl_pca_free(pca);
    udl_ae_free(ae);
    free(x);
}

static void test_masking_noise_rate_and_clean_target(void **state)
{
    (void)state;
    const size_t n = 200, d = 50;
    double *x = malloc(n * d * sizeof(double)), *noisy = malloc(n * d * sizeof(double));
    for (size_t i = 0; i < n * d; i++)
        x[i] = 0.25 + 0.5 * (double)(i % 7) / 7.0;
    udl_ae_params p = udl_ae_params_default();
    p.n_visible = d;
    p.n_hidden = 4;
    p.noise = UDL_NOISE_MASK;
    p.noise_level = 0.3;
    p.train.batch_size = n;
    udl_ae *ae, *twin;
    assert_int_equal(udl_ae_create(&p, &ae), UDL_OK);
    assert_int_equal(udl_ae_create(&p, &twin), UDL_OK);
    udli_ae_corrupt(ae, udl_mat_view(x, n, d), udl_mat_view(noisy, n, d));
    size_t zeros = 0;
    for (size_t i = 0; i < n * d; i++) {
        assert_true(noisy[i] == 0.0 || noisy[i] == x[i]);
        zeros += noisy[i] == 0.0;
    }
    assert_close((double)zeros / (n * d), 0.3, 5 * sqrt(0.21 / (n * d)));
    /* The training batch corrupts the input and compares with the clean data: the same
     * draws made by hand give the same loss and gradient. */
    udl_ae_free(ae);
    assert_int_equal(udl_ae_create(&p, &ae), UDL_OK);
    double loss_batch, loss_hand;
    assert_int_equal(udli_ae_batch(ae, udl_mat_view(x, n, d), udl_mat_view(NULL, n, 0),
                                   &loss_batch), UDL_OK);
    udli_ae_corrupt(twin, udl_mat_view(x, n, d), udl_mat_view(noisy, n, d));
    assert_int_equal(udli_ae_gradient(twin, udl_mat_view(noisy, n, d), udl_mat_view(x, n, d),
                                      &loss_hand), UDL_OK);
    assert_true(loss_batch == loss_hand);
    const double *g1, *g2, *unused;
    udli_ae_gradients(ae, &g1, &unused, &unused);
    udli_ae_gradients(twin, &g2, &unused, &unused);
    assert_memory_equal(g1, g2, d * 4 * sizeof(double));
    /* and a corrupted target would have given another loss */
    assert_int_equal(udli_ae_gradient(twin, udl_mat_view(noisy, n, d),
                                      udl_mat_view(noisy, n, d), &loss_hand), UDL_OK);
    assert_true(loss_batch != loss_hand);
    udl_ae_free(ae);
    udl_ae_free(twin);
    free(x);
    free(noisy);
}

static void test_gaussian_noise_moments(void **state)
{
    (void)state;
    const size_t n = 400, d = 50;
    double *x = calloc(n * d, sizeof(double)), *noisy = malloc(n * d * sizeof(double));
    udl_ae_params p = udl_ae_params_default();
    p.n_visible = d;
    p.n_hidden = 2;
    p.loss = UDL_LOSS_SQUARED;
    p.noise = UDL_NOISE_GAUSSIAN;
    p.noise_level = 0.1;
    udl_ae *ae;
    assert_int_equal(udl_ae_create(&p, &ae), UDL_OK);
    udli_ae_corrupt(ae, udl_mat_view(x, n, d), udl_mat_view(noisy, n, d));
    double s = 0, s2 = 0;
    for (size_t i = 0; i < n * d; i++) {
        s += noisy[i];
        s2 += noisy[i] * noisy[i];
    }
    assert_close(s / (n * d), 0.0, 5 * 0.1 / sqrt(n * d));
    assert_close(s2 / (n * d), 0.01, 0.0005);
    udl_ae_free(ae);
    free(x);
    free(noisy);
}

static void test_cost_decreases_on_fashion_mnist(void **state)
{
    (void)state;
    udl_array x;
    if (udl_data_read("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz", 0, &x))
        skip();
    udl_mat sample = udl_mat_rows(udl_array_mat(&x), 0, 2000);
    udl_ae_params p = udl_ae_params_default();
    p.n_visible = 784;
    p.n_hidden = 32;
    p.train.epochs = 3;
    udl_ae *ae;
    assert_int_equal(udl_ae_create(&p, &ae), UDL_OK);
    double before, after;
    assert_int_equal(udl_ae_cost(ae, sample, &before), UDL_OK);
    assert_int_equal(udl_ae_train(ae, sample, NULL, NULL), UDL_OK);
    assert_int_equal(udl_ae_cost(ae, sample, &after), UDL_OK);
    size_t epochs;
    const double *history = udl_ae_history(ae, &epochs);
    assert_int_equal(epochs, 3);
    assert_true(history[2] < history[0]);
    assert_true(after < 0.6 * before);
    udl_ae_free(ae);
    udl_array_free(&x);
}

static void test_save_load_reproduces_encodings(void **state)
{
    (void)state;
    const size_t n = 30, d = 6, m = 3;
    double x[30 * 6], z1[30 * 3], z2[30 * 3], r1[30 * 6], r2[30 * 6];
    udli_rng r;
    udli_rng_seed(&r, 5);
    for (size_t i = 0; i < n * d; i++)
        x[i] = udli_rng_uniform(&r);
    udl_ae *ae = small_ae(d, m, 0, UDL_LOSS_CROSS_ENTROPY, 6), *loaded;
    assert_int_equal(udl_ae_train(ae, udl_mat_view(x, n, d), NULL, NULL), UDL_OK);
    char path[512];
    tmp_path(path, sizeof path, "ae.udl");
    assert_int_equal(udl_ae_save(ae, path), UDL_OK);
    assert_int_equal(udl_ae_load(path, &loaded), UDL_OK);
    assert_int_equal(udl_ae_encode(ae, udl_mat_view(x, n, d), udl_mat_view(z1, n, m)), UDL_OK);
    assert_int_equal(udl_ae_encode(loaded, udl_mat_view(x, n, d), udl_mat_view(z2, n, m)),
                     UDL_OK);
    assert_memory_equal(z1, z2, sizeof z1);
    assert_int_equal(udl_ae_reconstruct(ae, udl_mat_view(x, n, d), udl_mat_view(r1, n, d)),
                     UDL_OK);
    assert_int_equal(udl_ae_reconstruct(loaded, udl_mat_view(x, n, d), udl_mat_view(r2, n, d)),
                     UDL_OK);
    assert_memory_equal(r1, r2, sizeof r1);
    size_t e1, e2;
    const double *h1 = udl_ae_history(ae, &e1), *h2 = udl_ae_history(loaded, &e2);
    assert_int_equal(e1, e2);
    assert_memory_equal(h1, h2, e1 * sizeof(double));
    assert_true(udl_ae_get_params(loaded).train.seed == udl_ae_get_params(ae).train.seed);
    udl_ae_free(loaded);
    /* another kind, and an inconsistent header */
    udli_block b = {"info", 1, 1, x};
    assert_int_equal(udli_container_save(path, UDL_KIND_PCA, &b, 1), UDL_OK);
    assert_int_equal(udl_ae_load(path, &loaded), UDL_EKIND);
    double info[14] = {6, 3, 0, 0, 0, 0.3, 20, 8, 0.1, 1.5, 0, 0, 0, 1}; /* momentum 1.5 */
    udli_block bad = {"info", 1, 14, info};
    assert_int_equal(save_format1(path, UDL_KIND_AUTOENCODER, &bad, 1), UDL_OK);
    assert_int_equal(udl_ae_load(path, &loaded), UDL_EFORMAT);
    assert_non_null(strstr(udl_last_error(), "momentum"));
    udl_ae_free(ae);
}

static int cancel_first(const udl_progress *p, void *user)
{
    (void)p, (void)user;
    return 1;
}

static void test_bad_input_and_parameters(void **state)
{
    (void)state;
    double x[4 * 5] = {0}, z[4 * 3];
    udl_ae *ae = small_ae(5, 3, 0, UDL_LOSS_CROSS_ENTROPY, 7);
    x[3] = 1.5;
    assert_int_equal(udl_ae_train(ae, udl_mat_view(x, 4, 5), NULL, NULL), UDL_EINVAL);
    assert_non_null(strstr(udl_last_error(), "[0, 1]"));
    x[3] = NAN;
    assert_int_equal(udl_ae_encode(ae, udl_mat_view(x, 4, 5), udl_mat_view(z, 4, 3)),
                     UDL_EINVAL);
    x[3] = 0.5;
    assert_int_equal(udl_ae_encode(ae, udl_mat_view(x, 5, 4), udl_mat_view(z, 5, 3)),
                     UDL_ESHAPE);
    assert_string_equal(udl_last_error(),
                        "autoencoder encode: X has 4 columns, the model expects 5");
    assert_int_equal(udl_ae_encode(ae, udl_mat_view(x, 4, 5), udl_mat_view(z, 4, 2)),
                     UDL_ESHAPE);
    const double w0 = udl_ae_weights(ae)[0];
    assert_int_equal(udl_ae_train(ae, udl_mat_view(x, 4, 5), cancel_first, NULL),
                     UDL_ECANCELED);
    size_t epochs;
    udl_ae_history(ae, &epochs);
    assert_int_equal(epochs, 1); /* one complete epoch, kept */
    assert_true(udl_ae_weights(ae)[0] != w0);
    udl_ae_free(ae);
    udl_ae_free(NULL);

    udl_ae_params p = udl_ae_params_default(), q;
    p.n_visible = 5;
    p.n_hidden = 3;
    q = p; q.n_hidden = 0;
    assert_int_equal(udl_ae_create(&q, &ae), UDL_EINVAL);
    q = p; q.linear = 1; /* with cross-entropy */
    assert_int_equal(udl_ae_create(&q, &ae), UDL_EINVAL);
    assert_non_null(strstr(udl_last_error(), "squared loss"));
    q = p; q.noise = UDL_NOISE_MASK; q.noise_level = 1.0;
    assert_int_equal(udl_ae_create(&q, &ae), UDL_EINVAL);
    q = p; q.noise = UDL_NOISE_GAUSSIAN; q.noise_level = 0.0;
    assert_int_equal(udl_ae_create(&q, &ae), UDL_EINVAL);
    q = p; q.train.epochs = 0;
    assert_int_equal(udl_ae_create(&q, &ae), UDL_EINVAL);
    q = p; q.train.sgd.learning_rate = -1;
    assert_int_equal(udl_ae_create(&q, &ae), UDL_EINVAL);
    q = p; q.loss = (udl_loss)9;
    assert_int_equal(udl_ae_create(&q, &ae), UDL_EINVAL);
    assert_int_equal(udl_ae_create(NULL, &ae), UDL_EINVAL);
}

static void test_divergence_stops_with_numeric_failure(void **state)
{
    (void)state;
    const size_t n = 50, d = 4;
    double x[50 * 4];
    for (size_t i = 0; i < n * d; i++)
        x[i] = 100.0 * sin((double)i);
    udl_ae_params p = udl_ae_params_default();
    p.n_visible = d;
    p.n_hidden = 2;
    p.linear = 1;
    p.loss = UDL_LOSS_SQUARED;
    p.train.sgd.learning_rate = 10.0; /* far too large: the loss overflows */
    p.train.epochs = 50;
    udl_ae *ae;
    assert_int_equal(udl_ae_create(&p, &ae), UDL_OK);
    assert_int_equal(udl_ae_train(ae, udl_mat_view(x, n, d), NULL, NULL), UDL_ENUMERIC);
    for (size_t i = 0; i < d * 2; i++)
        assert_true(isfinite(udl_ae_weights(ae)[i]));
    udl_ae_free(ae);
}

static udl_sae *trained_stack(const size_t *sizes, size_t n_sizes, udl_mat x, size_t epochs)
{
    udl_ae_params p = udl_ae_params_default();
    p.train.epochs = epochs;
    p.train.batch_size = 10;
    udl_sae *sae;
    assert_int_equal(udl_sae_create(&p, sizes, n_sizes, &sae), UDL_OK);
    assert_int_equal(udl_sae_train(sae, x, NULL, NULL), UDL_OK);
    return sae;
}

static void random_unit(double *x, size_t n, uint64_t seed)
{
    udli_rng r;
    udli_rng_seed(&r, seed);
    for (size_t i = 0; i < n; i++)
        x[i] = udli_rng_uniform(&r);
}

/* (layer, epoch, batch) of every report a stack's training gives, packed as one number. */
typedef struct stack_reports {
    size_t n, code[128];
} stack_reports;

static int record_layers(const udl_progress *p, void *user)
{
    stack_reports *r = user;
    assert_true(r->n < 128);
    assert_int_equal(p->layers, 3);
    assert_string_equal(p->stage, "autoencoder");
    r->code[r->n++] = 100 * p->layer + 10 * p->step + p->batch;
    return 0;
}

static void test_stack_progress_names_the_layer_and_batch(void **state)
{
    (void)state;
    const size_t sizes[4] = {8, 6, 4, 2};
    double x[40 * 8];
    random_unit(x, 40 * 8, 12);
    udl_ae_params p = udl_ae_params_default();
    p.train.epochs = 2;
    p.train.batch_size = 16; /* 40 rows: batches of 16, 16 and 8 */
    udl_sae *sae;
    assert_int_equal(udl_sae_create(&p, sizes, 4, &sae), UDL_OK);
    stack_reports r = {0};
    assert_int_equal(udl_sae_train(sae, udl_mat_view(x, 40, 8), record_layers, &r), UDL_OK);
    assert_int_equal(r.n, 3 * 2 * 3);
    for (size_t i = 0; i < r.n; i++)
        assert_int_equal(r.code[i], 100 * (i / 6 + 1) + 10 * (i / 3 % 2 + 1) + i % 3 + 1);
    udl_sae_free(sae);
}

static void test_stack_trains_each_layer_on_the_codes_below(void **state)
{
    (void)state;
    const size_t n = 40, sizes[4] = {8, 6, 4, 2};
    double x[40 * 8], z1[40 * 6], z2[40 * 4], z3[40 * 2], z[40 * 2];
    random_unit(x, n * 8, 11);
    udl_sae *sae = trained_stack(sizes, 4, udl_mat_view(x, n, 8), 3);
    assert_int_equal(udl_sae_n_layers(sae), 3);
    for (size_t i = 0; i < 3; i++) {
        udl_ae_params lp = udl_ae_get_params(udl_sae_layer(sae, i));
        assert_int_equal(lp.n_visible, sizes[i]);
        assert_int_equal(lp.n_hidden, sizes[i + 1]);
        size_t epochs;
        udl_ae_history(udl_sae_layer(sae, i), &epochs);
        assert_int_equal(epochs, 3);
    }
    assert_null(udl_sae_layer(sae, 3));
    /* the stack's codes are the layers' encoders chained */
    assert_int_equal(udl_ae_encode(udl_sae_layer(sae, 0), udl_mat_view(x, n, 8),
                                   udl_mat_view(z1, n, 6)), UDL_OK);
    assert_int_equal(udl_ae_encode(udl_sae_layer(sae, 1), udl_mat_view(z1, n, 6),
                                   udl_mat_view(z2, n, 4)), UDL_OK);
    assert_int_equal(udl_ae_encode(udl_sae_layer(sae, 2), udl_mat_view(z2, n, 4),
                                   udl_mat_view(z3, n, 2)), UDL_OK);
    assert_int_equal(udl_sae_encode(sae, udl_mat_view(x, n, 8), udl_mat_view(z, n, 2)), UDL_OK);
    assert_memory_equal(z, z3, sizeof z);
    /* and a file keeps them */
    char path[512];
    tmp_path(path, sizeof path, "sae.udl");
    udl_sae *loaded;
    assert_int_equal(udl_sae_save(sae, path), UDL_OK);
    assert_int_equal(udl_sae_load(path, &loaded), UDL_OK);
    assert_int_equal(udl_sae_encode(loaded, udl_mat_view(x, n, 8), udl_mat_view(z3, n, 2)),
                     UDL_OK);
    assert_memory_equal(z, z3, sizeof z);
    udl_sae_free(loaded);
    udl_ae *not_a_stack;
    assert_int_equal(udl_ae_load(path, &not_a_stack), UDL_EKIND);
    assert_null(not_a_stack);
    udl_sae_free(sae);
    size_t one[1] = {8};
    udl_ae_params p = udl_ae_params_default();
    assert_int_equal(udl_sae_create(&p, one, 1, &sae), UDL_EINVAL);
}

static void test_unrolled_net_starts_as_the_stack(void **state)
{
    (void)state;
    const size_t n = 30, sizes[3] = {7, 5, 3};
    double x[30 * 7], zs[30 * 3], zd[30 * 3], hidden[30 * 5], r1[30 * 7], r2[30 * 7];
    random_unit(x, n * 7, 12);
    udl_sae *sae = trained_stack(sizes, 3, udl_mat_view(x, n, 7), 2);
    udl_deep_ae_params p = udl_deep_ae_params_default();
    p.linear_code = 0; /* as the stack was trained */
    udl_deep_ae *deep;
    assert_int_equal(udl_deep_ae_create(sae, &p, &deep), UDL_OK);
    size_t n_sizes;
    const size_t *ds = udl_deep_ae_sizes(deep, &n_sizes);
    assert_int_equal(n_sizes, 5);
    assert_true(ds[0] == 7 && ds[1] == 5 && ds[2] == 3 && ds[3] == 5 && ds[4] == 7);
    assert_int_equal(udl_sae_encode(sae, udl_mat_view(x, n, 7), udl_mat_view(zs, n, 3)), UDL_OK);
    assert_int_equal(udl_deep_ae_encode(deep, udl_mat_view(x, n, 7), udl_mat_view(zd, n, 3)),
                     UDL_OK);
    for (size_t i = 0; i < n * 3; i++)
        assert_close(zd[i], zs[i], 1e-14);
    /* the decoder is the layers' decoders in reverse: layer 1 then layer 0 */
    assert_int_equal(udl_ae_reconstruct(udl_sae_layer(sae, 0), udl_mat_view(x, n, 7),
                                        udl_mat_view(r1, n, 7)), UDL_OK);
    assert_int_equal(udl_ae_encode(udl_sae_layer(sae, 0), udl_mat_view(x, n, 7),
                                   udl_mat_view(hidden, n, 5)), UDL_OK);
    assert_int_equal(udl_deep_ae_reconstruct(deep, udl_mat_view(x, n, 7),
                                             udl_mat_view(r2, n, 7)), UDL_OK);
    /* decoding layer 1's reconstruction of the hidden codes through layer 0 */
    const udl_ae *l0 = udl_sae_layer(sae, 0), *l1 = udl_sae_layer(sae, 1);
    double h1[30 * 5];
    assert_int_equal(udl_ae_reconstruct(l1, udl_mat_view(hidden, n, 5), udl_mat_view(h1, n, 5)),
                     UDL_OK);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < 7; j++) {
            double a = udl_ae_visible_bias(l0)[j];
            for (size_t k = 0; k < 5; k++)
                a += h1[i * 5 + k] * udl_ae_weights(l0)[j * 5 + k];
            assert_close(r2[i * 7 + j], 1.0 / (1.0 + exp(-a)), 1e-13);
        }
    (void)r1;
    udl_deep_ae_free(deep);
    udl_sae_free(sae);
}

static void test_deep_gradients_match_finite_differences(void **state)
{
    (void)state;
    const size_t n = 5, sizes[3] = {6, 4, 3};
    double x[5 * 6];
    random_unit(x, n * 6, 13);
    udl_sae *sae = trained_stack(sizes, 3, udl_mat_view(x, n, 6), 1);
    for (int linear_code = 0; linear_code < 2; linear_code++)
        for (int loss = 0; loss < 2; loss++) {
            udl_deep_ae_params p = udl_deep_ae_params_default();
            p.linear_code = linear_code;
            p.loss = (udl_loss)loss;
            p.train.batch_size = n;
            udl_deep_ae *deep;
            assert_int_equal(udl_deep_ae_create(sae, &p, &deep), UDL_OK);
            double l0, cost;
            assert_int_equal(udli_deep_ae_gradient(deep, udl_mat_view(x, n, 6), &l0), UDL_OK);
            assert_int_equal(udl_deep_ae_cost(deep, udl_mat_view(x, n, 6), &cost), UDL_OK);
            assert_close(l0, cost, 1e-12 * fabs(cost));
            for (size_t l = 0; l < 4; l++) {
                double *w, *b, *gw, *gb;
                udli_deep_ae_layer(deep, l, &w, &b, &gw, &gb);
                size_t rows = l < 2 ? sizes[l] : sizes[4 - l], cols = l < 2 ? sizes[l + 1] : sizes[3 - l];
                double *params[2] = {w, b}, *grads[2] = {gw, gb};
                size_t counts[2] = {rows * cols, cols};
                for (int k = 0; k < 2; k++)
                    for (size_t i = 0; i < counts[k]; i++) {
                        double keep = params[k][i], up, down;
                        params[k][i] = keep + 1e-6;
                        udl_deep_ae_cost(deep, udl_mat_view(x, n, 6), &up);
                        params[k][i] = keep - 1e-6;
                        udl_deep_ae_cost(deep, udl_mat_view(x, n, 6), &down);
                        params[k][i] = keep;
                        double numeric = (up - down) / 2e-6;
                        assert_close(grads[k][i], numeric, 1e-6 * (1.0 + fabs(numeric)));
                    }
            }
            udl_deep_ae_free(deep);
        }
    udl_sae_free(sae);
}

static void test_fine_tuning_lowers_the_cost_and_saves(void **state)
{
    (void)state;
    udl_array data;
    if (udl_data_read("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz", 0, &data))
        skip();
    udl_mat x = udl_mat_rows(udl_array_mat(&data), 0, 1000);
    const size_t sizes[3] = {784, 64, 16};
    udl_sae *sae = trained_stack(sizes, 3, x, 2);
    udl_deep_ae_params p = udl_deep_ae_params_default();
    p.train.epochs = 3;
    udl_deep_ae *deep, *loaded;
    assert_int_equal(udl_deep_ae_create(sae, &p, &deep), UDL_OK);
    double before, after;
    assert_int_equal(udl_deep_ae_cost(deep, x, &before), UDL_OK);
    assert_int_equal(udl_deep_ae_train(deep, x, NULL, NULL), UDL_OK);
    assert_int_equal(udl_deep_ae_cost(deep, x, &after), UDL_OK);
    assert_true(after < before);
    char path[512];
    tmp_path(path, sizeof path, "deep.udl");
    assert_int_equal(udl_deep_ae_save(deep, path), UDL_OK);
    assert_int_equal(udl_deep_ae_load(path, &loaded), UDL_OK);
    double *z1 = malloc(1000 * 16 * sizeof(double)), *z2 = malloc(1000 * 16 * sizeof(double));
    assert_int_equal(udl_deep_ae_encode(deep, x, udl_mat_view(z1, 1000, 16)), UDL_OK);
    assert_int_equal(udl_deep_ae_encode(loaded, x, udl_mat_view(z2, 1000, 16)), UDL_OK);
    assert_memory_equal(z1, z2, 1000 * 16 * sizeof(double));
    size_t e1, e2;
    udl_deep_ae_history(deep, &e1);
    udl_deep_ae_history(loaded, &e2);
    assert_int_equal(e1, 3);
    assert_int_equal(e2, 3);
    assert_int_equal(udl_deep_ae_encode(deep, x, udl_mat_view(z1, 1000, 15)), UDL_ESHAPE);
    free(z1);
    free(z2);
    udl_deep_ae_free(loaded);
    udl_deep_ae_free(deep);
    udl_sae_free(sae);
    udl_array_free(&data);
    assert_int_equal(udl_deep_ae_create(NULL, &p, &deep), UDL_EINVAL);
}

/* A net unrolled with learning rate a and switched to b trains exactly like one unrolled
 * with b; bad changes are refused and leave the parameters alone. */
static void test_deep_set_params(void **state)
{
    (void)state;
    const size_t n = 60, sizes[3] = {12, 8, 3};
    double x[60 * 12];
    random_unit(x, n * 12, 31);
    udl_mat xm = udl_mat_view(x, n, 12);
    udl_sae *sae = trained_stack(sizes, 3, xm, 2);
    udl_deep_ae_params pa = udl_deep_ae_params_default(), pb = pa;
    pa.train.sgd.learning_rate = 0.5;
    pb.train.sgd.learning_rate = 0.003;
    pb.train.epochs = 2;
    udl_deep_ae *a, *b;
    assert_int_equal(udl_deep_ae_create(sae, &pa, &a), UDL_OK);
    assert_int_equal(udl_deep_ae_create(sae, &pb, &b), UDL_OK);
    assert_int_equal(udl_deep_ae_set_params(a, &pb), UDL_OK);
    assert_close(udl_deep_ae_get_params(a).train.sgd.learning_rate, 0.003, 0.0);
    assert_int_equal(udl_deep_ae_train(a, xm, NULL, NULL), UDL_OK);
    assert_int_equal(udl_deep_ae_train(b, xm, NULL, NULL), UDL_OK);
    size_t ns;
    const size_t *sz = udl_deep_ae_sizes(a, &ns);
    double za[60 * 3], zb[60 * 3];
    assert_int_equal(udl_deep_ae_encode(a, xm, udl_mat_view(za, n, sz[2])), UDL_OK);
    assert_int_equal(udl_deep_ae_encode(b, xm, udl_mat_view(zb, n, sz[2])), UDL_OK);
    assert_memory_equal(za, zb, sizeof za);

    udl_deep_ae_params bad = pb;
    bad.linear_code = !pb.linear_code;
    assert_int_equal(udl_deep_ae_set_params(a, &bad), UDL_EINVAL);
    assert_true(strstr(udl_last_error(), "linear_code") != NULL);
    bad = pb;
    bad.train.sgd.learning_rate = -1.0;
    assert_int_equal(udl_deep_ae_set_params(a, &bad), UDL_EINVAL);
    bad = pb;
    bad.train.epochs = 0;
    assert_int_equal(udl_deep_ae_set_params(a, &bad), UDL_EINVAL);
    assert_int_equal(udl_deep_ae_set_params(a, NULL), UDL_EINVAL);
    assert_int_equal(udl_deep_ae_set_params(NULL, &pb), UDL_EINVAL);
    assert_close(udl_deep_ae_get_params(a).train.sgd.learning_rate, 0.003, 0.0);
    assert_int_equal(udl_deep_ae_get_params(a).train.epochs, 2);
    udl_deep_ae_free(a);
    udl_deep_ae_free(b);
    udl_sae_free(sae);

    /* a linear first layer gives a linear output layer: cross-entropy is refused when
     * unrolling and when changing the parameters */
    udl_ae_params lp = udl_ae_params_default();
    lp.linear = 1;
    lp.loss = UDL_LOSS_SQUARED;
    assert_int_equal(udl_sae_create(&lp, sizes, 3, &sae), UDL_OK);
    udl_deep_ae_params ps = udl_deep_ae_params_default();
    assert_int_equal(udl_deep_ae_create(sae, &ps, &a), UDL_EINVAL);
    assert_true(strstr(udl_last_error(), "squared loss") != NULL);
    ps.loss = UDL_LOSS_SQUARED;
    assert_int_equal(udl_deep_ae_create(sae, &ps, &a), UDL_OK);
    bad = ps;
    bad.loss = UDL_LOSS_CROSS_ENTROPY;
    assert_int_equal(udl_deep_ae_set_params(a, &bad), UDL_EINVAL);
    assert_true(strstr(udl_last_error(), "squared loss") != NULL);
    assert_int_equal(udl_deep_ae_get_params(a).loss, UDL_LOSS_SQUARED);
    udl_deep_ae_free(a);
    udl_sae_free(sae);
}

static void test_ae_set_params_changes_training_not_the_weights(void **state)
{
    (void)state;
    const size_t n = 30, d = 6;
    double x[30 * 6];
    udli_rng r;
    udli_rng_seed(&r, 17);
    for (size_t i = 0; i < n * d; i++)
        x[i] = udli_rng_uniform(&r);
    udl_ae *ae = small_ae(d, 3, 0, UDL_LOSS_CROSS_ENTROPY, 4);
    double w[18];
    memcpy(w, udl_ae_weights(ae), sizeof w);
    udl_ae_params p = udl_ae_get_params(ae);
    p.train.batch_size = 30; /* a larger batch needs a larger workspace */
    p.train.epochs = 2;
    p.noise = UDL_NOISE_MASK;
    p.loss = UDL_LOSS_SQUARED;
    assert_int_equal(udl_ae_set_params(ae, &p), UDL_OK);
    assert_memory_equal(udl_ae_weights(ae), w, sizeof w);
    assert_int_equal(udl_ae_train(ae, udl_mat_view(x, n, d), NULL, NULL), UDL_OK);
    size_t epochs;
    udl_ae_history(ae, &epochs);
    assert_int_equal(epochs, 2);
    udl_ae_params bad = udl_ae_get_params(ae);
    bad.n_hidden = 4;
    assert_int_equal(udl_ae_set_params(ae, &bad), UDL_EINVAL);
    assert_non_null(strstr(udl_last_error(), "fixed"));
    bad = udl_ae_get_params(ae);
    bad.train.sgd.momentum = 1.0;
    assert_int_equal(udl_ae_set_params(ae, &bad), UDL_EINVAL);
    assert_int_equal(udl_ae_get_params(ae).train.batch_size, 30);
    assert_true(udl_ae_get_params(ae).train.sgd.momentum == 0.9);
    udl_ae_free(ae);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ae_set_params_changes_training_not_the_weights),
        cmocka_unit_test(test_gradients_match_finite_differences),
        cmocka_unit_test(test_linear_autoencoder_spans_the_pca_subspace),
        cmocka_unit_test(test_masking_noise_rate_and_clean_target),
        cmocka_unit_test(test_gaussian_noise_moments),
        cmocka_unit_test(test_cost_decreases_on_fashion_mnist),
        cmocka_unit_test(test_save_load_reproduces_encodings),
        cmocka_unit_test(test_bad_input_and_parameters),
        cmocka_unit_test(test_divergence_stops_with_numeric_failure),
        cmocka_unit_test(test_stack_trains_each_layer_on_the_codes_below),
        cmocka_unit_test(test_stack_progress_names_the_layer_and_batch),
        cmocka_unit_test(test_unrolled_net_starts_as_the_stack),
        cmocka_unit_test(test_deep_gradients_match_finite_differences),
        cmocka_unit_test(test_deep_set_params),
        cmocka_unit_test(test_fine_tuning_lowers_the_cost_and_saves),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
