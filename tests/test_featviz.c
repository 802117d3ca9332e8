#include "helpers.h"

#include <udl/udl.h>

enum { N = 60, D = 12 };

static double norm(const double *x, size_t n)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++)
        s += x[i] * x[i];
    return sqrt(s);
}

/* A stacked autoencoder D -> 8 -> 5, trained a little, wrapped in a handle. */
static udl_sae *trained_stack(const double *x)
{
    udl_ae_params ap = udl_ae_params_default();
    ap.train.epochs = 30;
    ap.train.batch_size = 10;
    const size_t sizes[3] = {D, 8, 5};
    udl_sae *sae;
    assert_int_equal(udl_sae_create(&ap, sizes, 3, &sae), UDL_OK);
    assert_int_equal(udl_sae_train(sae, udl_mat_view((double *)x, N, D), NULL, NULL), UDL_OK);
    return sae;
}

static void test_layers_of_every_kind_with_layers(void **state)
{
    (void)state;
    double *x = uniform_data(1, N * D);
    udl_sae *sae = trained_stack(x);
    udl_model *m;
    assert_int_equal(udl_model_wrap(UDL_KIND_STACKED_AUTOENCODER, sae, &m), UDL_OK);
    size_t n, widths[UDL_FEATVIZ_MAX_LAYERS + 1];
    assert_int_equal(udl_featviz_layers(m, &n, widths), UDL_OK);
    assert_int_equal(n, 2);
    assert_true(widths[0] == D && widths[1] == 8 && widths[2] == 5);
    udl_model_free(m); /* the handle only: the stack is still ours */
    assert_int_equal(udl_sae_n_layers(sae), 2);

    /* the other kinds: an autoencoder's and an RBM's one layer, a deep autoencoder's
     * encoder, a deep belief net's RBMs, a classifier's hidden and output layers */
    udl_deep_ae *deep;
    udl_deep_ae_params dp = udl_deep_ae_params_default();
    assert_int_equal(udl_deep_ae_create(sae, &dp, &deep), UDL_OK);
    udl_rbm_params rp = udl_rbm_params_default();
    rp.n_visible = D;
    rp.n_hidden = 7;
    udl_rbm *rbm;
    assert_int_equal(udl_rbm_create(&rp, &rbm), UDL_OK);
    const size_t dbn_sizes[4] = {D, 9, 6, 4}, dnn_sizes[4] = {D, 10, 5, 3};
    udl_dbn *dbn;
    assert_int_equal(udl_dbn_create(&rp, dbn_sizes, 4, &dbn), UDL_OK);
    udl_dnn_params np = udl_dnn_params_default();
    udl_dnn *dnn;
    assert_int_equal(udl_dnn_create(&np, dnn_sizes, 4, &dnn), UDL_OK);
    const struct { udl_kind kind; void *object; size_t n; size_t w[4]; } kinds[] = {
        {UDL_KIND_AUTOENCODER, (void *)udl_sae_layer(sae, 0), 1, {D, 8}},
        {UDL_KIND_DEEP_AUTOENCODER, deep, 2, {D, 8, 5}},
        {UDL_KIND_RBM, rbm, 1, {D, 7}},
        {UDL_KIND_DBN, dbn, 3, {D, 9, 6, 4}},
        {UDL_KIND_DNN, dnn, 3, {D, 10, 5, 3}},
    };
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        assert_int_equal(udl_model_wrap(kinds[k].kind, kinds[k].object, &m), UDL_OK);
        assert_int_equal(udl_featviz_layers(m, &n, widths), UDL_OK);
        assert_int_equal(n, kinds[k].n);
        assert_memory_equal(widths, kinds[k].w, (n + 1) * sizeof(size_t));
        udl_model_free(m);
    }
    udl_deep_ae_free(deep);
    udl_rbm_free(rbm);
    udl_dbn_free(dbn);
    udl_dnn_free(dnn);
    udl_sae_free(sae);

    udl_pca_params pp = udl_pca_params_default();
    pp.n_components = 2;
    udl_pca *pca;
    assert_int_equal(udl_pca_create(&pp, &pca), UDL_OK);
    assert_int_equal(udl_pca_fit(pca, udl_mat_view(x, N, D), NULL, NULL), UDL_OK);
    assert_int_equal(udl_model_wrap(UDL_KIND_PCA, pca, &m), UDL_OK);
    assert_int_equal(udl_featviz_layers(m, &n, NULL), UDL_EKIND);
    assert_non_null(strstr(udl_last_error(), "a PCA has no layers of units"));
    udl_model_free(m);
    udl_pca_free(pca);
    assert_int_equal(udl_model_wrap((udl_kind)99, x, &m), UDL_EINVAL);
    assert_int_equal(udl_model_wrap(UDL_KIND_RBM, NULL, &m), UDL_EINVAL);
    free(x);
}

/* rho W[:, j] / |W[:, j]|, and no input of the same norm drives the unit higher. */
static void test_first_layer_closed_form_is_the_best_input_of_its_norm(void **state)
{
    (void)state;
    double *x = uniform_data(2, N * D);
    udl_ae_params ap = udl_ae_params_default();
    ap.n_visible = D;
    ap.n_hidden = 6;
    ap.loss = UDL_LOSS_SQUARED; /* so that encode takes inputs outside [0, 1] */
    ap.train.epochs = 10;
    udl_ae *ae;
    assert_int_equal(udl_ae_create(&ap, &ae), UDL_OK);
    assert_int_equal(udl_ae_train(ae, udl_mat_view(x, N, D), NULL, NULL), UDL_OK);
    udl_model *m;
    assert_int_equal(udl_model_wrap(UDL_KIND_AUTOENCODER, ae, &m), UDL_OK);
    const double rho = 2.5;
    double best[4 * D], z[4 * 6];
    assert_int_equal(udl_featviz_first_layer(m, rho, 2, udl_mat_view(best, 4, D)), UDL_OK);
    const double *w = udl_ae_weights(ae);
    for (size_t i = 0; i < 4; i++) {
        double n2 = 0.0;
        for (size_t j = 0; j < D; j++)
            n2 += w[j * 6 + 2 + i] * w[j * 6 + 2 + i];
        for (size_t j = 0; j < D; j++)
            assert_close(best[i * D + j], rho * w[j * 6 + 2 + i] / sqrt(n2), 1e-14);
    }
    assert_int_equal(udl_model_encode(m, udl_mat_view(best, 4, D), udl_mat_view(z, 4, 6)),
                     UDL_OK);
    double top[4] = {z[2], z[6 + 3], z[12 + 4], z[18 + 5]};
    udli_rng r;
    udli_rng_seed(&r, 5);
    for (size_t trial = 0; trial < 500; trial++) {
        double v[D], h[6];
        fill_normal(&r, v, D);
        double len = norm(v, D);
        for (size_t j = 0; j < D; j++)
            v[j] *= rho / len;
        assert_int_equal(udl_model_encode(m, udl_mat_view(v, 1, D), udl_mat_view(h, 1, 6)),
                         UDL_OK);
        for (size_t i = 0; i < 4; i++)
            assert_true(h[2 + i] <= top[i]);
    }
    /* gradient ascent on the first layer, unclipped, finds the same direction */
    udl_featviz_params p = udl_featviz_params_default();
    p.norm = rho;
    p.clip = 0;
    double found[4 * D], act[4];
    assert_int_equal(udl_featviz_ascent(m, 0, 2, &p, udl_mat_view(found, 4, D), act), UDL_OK);
    for (size_t i = 0; i < 4; i++) {
        double dot = 0.0;
        for (size_t j = 0; j < D; j++)
            dot += found[i * D + j] * best[i * D + j];
        assert_close(dot / (rho * rho), 1.0, 1e-6);
        assert_close(act[i], top[i], 1e-9);
    }
    /* units that do not exist, and a norm that is not one */
    assert_int_equal(udl_featviz_first_layer(m, rho, 4, udl_mat_view(best, 4, D)), UDL_EINVAL);
    assert_non_null(strstr(udl_last_error(), "units 4 to 7, but layer 0 has units 0 to 5"));
    assert_int_equal(udl_featviz_first_layer(m, 0.0, 0, udl_mat_view(best, 4, D)), UDL_EINVAL);
    assert_int_equal(udl_featviz_first_layer(m, rho, 0, udl_mat_view(best, 4, D - 1)),
                     UDL_ESHAPE);
    udl_model_free(m);
    udl_ae_free(ae);
    free(x);
}

/* Under the norm of the largest training example and inside [0, 1], where every training
 * example is a candidate, the ascent ends above all of them, for units of the second
 * layer. */
static void test_ascent_on_a_deeper_unit_beats_every_training_example(void **state)
{
    (void)state;
    double *x = uniform_data(3, N * D);
    udl_sae *sae = trained_stack(x);
    udl_model *m;
    assert_int_equal(udl_model_wrap(UDL_KIND_STACKED_AUTOENCODER, sae, &m), UDL_OK);
    double rho = 0.0, z[N * 5];
    for (size_t i = 0; i < N; i++)
        rho = fmax(rho, norm(x + i * D, D));
    assert_int_equal(udl_model_encode(m, udl_mat_view(x, N, D), udl_mat_view(z, N, 5)), UDL_OK);
    udl_featviz_params p = udl_featviz_params_default();
    p.norm = rho;
    double found[5 * D], act[5], check[5 * 5];
    assert_int_equal(udl_featviz_ascent(m, 1, 0, &p, udl_mat_view(found, 5, D), act), UDL_OK);
    assert_int_equal(udl_model_encode(m, udl_mat_view(found, 5, D), udl_mat_view(check, 5, 5)),
                     UDL_OK);
    for (size_t u = 0; u < 5; u++) {
        assert_close(act[u], check[u * 5 + u], 1e-12);
        assert_true(norm(found + u * D, D) <= rho * (1 + 1e-12));
        for (size_t j = 0; j < D; j++)
            assert_true(found[u * D + j] >= 0.0 && found[u * D + j] <= 1.0);
        for (size_t i = 0; i < N; i++)
            if (!(act[u] >= z[i * 5 + u]))
                fail_msg("unit %zu: ascent reached %.6f, training example %zu has %.6f", u,
                         act[u], i, z[i * 5 + u]);
    }
    /* the same seed gives the same inputs */
    double again[5 * D];
    assert_int_equal(udl_featviz_ascent(m, 1, 0, &p, udl_mat_view(again, 5, D), NULL), UDL_OK);
    assert_memory_equal(found, again, sizeof found);
    assert_int_equal(udl_featviz_ascent(m, 2, 0, &p, udl_mat_view(found, 1, D), NULL),
                     UDL_EINVAL);
    assert_non_null(strstr(udl_last_error(), "layer 2, but the model's layers are 0 to 1"));
    p.restarts = 0;
    assert_int_equal(udl_featviz_ascent(m, 1, 0, &p, udl_mat_view(found, 1, D), NULL),
                     UDL_EINVAL);
    p = udl_featviz_params_default();
    p.norm = -1.0;
    assert_int_equal(udl_featviz_ascent(m, 1, 0, &p, udl_mat_view(found, 1, D), NULL),
                     UDL_EINVAL);
    udl_model_free(m);
    udl_sae_free(sae);
    free(x);
}

/* Sum of |differences| between neighbouring pixels of 3 x 4 images. */
static double variation(const double *img)
{
    double v = 0.0;
    for (size_t r = 0; r < 3; r++)
        for (size_t c = 0; c < 4; c++) {
            if (c + 1 < 4)
                v += fabs(img[r * 4 + c + 1] - img[r * 4 + c]);
            if (r + 1 < 3)
                v += fabs(img[(r + 1) * 4 + c] - img[r * 4 + c]);
        }
    return v;
}

/* Blurring the starts and the steps (inputs read as 3 x 4 images) gives smoother inputs
 * that stay feasible and still excite their units. */
static void test_ascent_with_blur_is_smoother(void **state)
{
    (void)state;
    double *x = uniform_data(5, N * D);
    udl_sae *sae = trained_stack(x);
    udl_model *m;
    assert_int_equal(udl_model_wrap(UDL_KIND_STACKED_AUTOENCODER, sae, &m), UDL_OK);
    udl_featviz_params p = udl_featviz_params_default();
    p.norm = 2.0;
    double sharp[5 * D], smooth[5 * D], act_sharp[5], act_smooth[5];
    assert_int_equal(udl_featviz_ascent(m, 1, 0, &p, udl_mat_view(sharp, 5, D), act_sharp),
                     UDL_OK);
    p.blur = 1.0;
    p.image_width = 4;
    assert_int_equal(udl_featviz_ascent(m, 1, 0, &p, udl_mat_view(smooth, 5, D), act_smooth),
                     UDL_OK);
    double v_sharp = 0.0, v_smooth = 0.0;
    for (size_t u = 0; u < 5; u++) {
        v_sharp += variation(sharp + u * D);
        v_smooth += variation(smooth + u * D);
        assert_true(norm(smooth + u * D, D) <= p.norm * (1 + 1e-12));
        for (size_t j = 0; j < D; j++)
            assert_true(smooth[u * D + j] >= 0.0 && smooth[u * D + j] <= 1.0);
        assert_true(act_smooth[u] > 0.5 * act_sharp[u]);
    }
    if (!(v_smooth < 0.8 * v_sharp))
        fail_msg("variation with blur %.4f, without %.4f", v_smooth, v_sharp);
    /* the image must tile the input, and the blur be a width in pixels */
    p.image_width = 5;
    assert_int_equal(udl_featviz_ascent(m, 1, 0, &p, udl_mat_view(smooth, 1, D), NULL),
                     UDL_EINVAL);
    assert_non_null(strstr(udl_last_error(), "image_width to divide the model's 12 inputs"));
    p.image_width = 0;
    assert_int_equal(udl_featviz_ascent(m, 1, 0, &p, udl_mat_view(smooth, 1, D), NULL),
                     UDL_EINVAL);
    p.image_width = 4;
    p.blur = NAN;
    assert_int_equal(udl_featviz_ascent(m, 1, 0, &p, udl_mat_view(smooth, 1, D), NULL),
                     UDL_EINVAL);
    assert_non_null(strstr(udl_last_error(), "blur must be 0 to 100 pixels"));
    p.blur = -1.0;
    assert_int_equal(udl_featviz_ascent(m, 1, 0, &p, udl_mat_view(smooth, 1, D), NULL),
                     UDL_EINVAL);
    udl_model_free(m);
    udl_sae_free(sae);
    free(x);
}

/* A classifier's output units are its class scores: the ascent raises each class's logit
 * above that of every training example. */
static void test_ascent_on_class_outputs(void **state)
{
    (void)state;
    double *x = uniform_data(4, N * D), y[N];
    for (size_t i = 0; i < N; i++)
        y[i] = (double)(i % 3);
    const size_t sizes[4] = {D, 8, 6, 3};
    udl_dnn_params dp = udl_dnn_params_default();
    dp.train.epochs = 5;
    udl_dnn *dnn;
    assert_int_equal(udl_dnn_create(&dp, sizes, 4, &dnn), UDL_OK);
    assert_int_equal(udl_dnn_train(dnn, udl_mat_view(x, N, D), udl_mat_view(y, N, 1), NULL,
                                   NULL, NULL, NULL), UDL_OK);
    udl_model *m;
    assert_int_equal(udl_model_wrap(UDL_KIND_DNN, dnn, &m), UDL_OK);
    udl_featviz_params p = udl_featviz_params_default();
    p.norm = sqrt((double)D);
    double found[3 * D], act[3], dx[N * D], logit[N];
    assert_int_equal(udl_featviz_ascent(m, 2, 0, &p, udl_mat_view(found, 3, D), act), UDL_OK);
    for (size_t c = 0; c < 3; c++) {
        assert_int_equal(udl_dnn_unit_gradient(dnn, udl_mat_view(x, N, D), 2, c,
                                               udl_mat_view(dx, N, D), logit), UDL_OK);
        for (size_t i = 0; i < N; i++)
            assert_true(act[c] >= logit[i]);
    }
    udl_model_free(m);
    udl_dnn_free(dnn);
    free(x);
}

/* An RBM whose hidden unit 0 connects to visibles 0..2 with weight 8 and nothing else:
 * with it held on, every chain ends at p(v | h) = sigmoid(-4 + 8) on those three and
 * sigmoid(-4) elsewhere, whatever the other units do. */
static void test_dbn_sample_with_a_unit_clamped_shows_its_visibles(void **state)
{
    (void)state;
    udl_rbm_params rp = udl_rbm_params_default();
    const size_t sizes[2] = {6, 3};
    udl_dbn *dbn;
    assert_int_equal(udl_dbn_create(&rp, sizes, 2, &dbn), UDL_OK);
    const udl_rbm *rbm = udl_dbn_layer(dbn, 0);
    double *w = (double *)udl_rbm_weights(rbm), *b = (double *)udl_rbm_visible_bias(rbm);
    memset(w, 0, 6 * 3 * sizeof(double));
    for (size_t i = 0; i < 3; i++)
        w[i * 3 + 0] = 8.0;
    for (size_t i = 0; i < 6; i++)
        b[i] = -4.0;
    double v[2 * 6], again[2 * 6];
    assert_int_equal(udl_featviz_dbn_sample(dbn, 0, 5, 3, udl_mat_view(v, 1, 6)), UDL_OK);
    for (size_t i = 0; i < 6; i++)
        assert_close(v[i], 1.0 / (1.0 + exp(i < 3 ? -4.0 : 4.0)), 1e-15);
    assert_int_equal(udl_featviz_dbn_sample(dbn, 1, 5, 3, udl_mat_view(v, 2, 6)), UDL_OK);
    assert_int_equal(udl_featviz_dbn_sample(dbn, 1, 5, 3, udl_mat_view(again, 2, 6)), UDL_OK);
    assert_memory_equal(v, again, sizeof v);
    assert_int_equal(udl_featviz_dbn_sample(dbn, 2, 5, 3, udl_mat_view(v, 2, 6)), UDL_EINVAL);
    assert_non_null(strstr(udl_last_error(), "units 2 to 3, but the top layer has units 0 to 2"));
    udl_dbn_free(dbn);

    /* two layers: the top's visible means go down through the bottom RBM's E[v | h] */
    const size_t two[3] = {4, 6, 3};
    assert_int_equal(udl_dbn_create(&rp, two, 3, &dbn), UDL_OK);
    const udl_rbm *bottom = udl_dbn_layer(dbn, 0);
    double *w0 = (double *)udl_rbm_weights(bottom), *b0 = (double *)udl_rbm_visible_bias(bottom);
    for (size_t i = 0; i < 4 * 6; i++)
        w0[i] = 0.1 * (double)(i % 7) - 0.3;
    for (size_t i = 0; i < 4; i++)
        b0[i] = 0.2 * (double)i - 0.3;
    rbm = udl_dbn_layer(dbn, 1);
    w = (double *)udl_rbm_weights(rbm);
    b = (double *)udl_rbm_visible_bias(rbm);
    memset(w, 0, 6 * 3 * sizeof(double));
    for (size_t i = 0; i < 3; i++)
        w[i * 3 + 0] = 8.0;
    for (size_t i = 0; i < 6; i++)
        b[i] = -4.0;
    double px[4];
    assert_int_equal(udl_featviz_dbn_sample(dbn, 0, 5, 3, udl_mat_view(px, 1, 4)), UDL_OK);
    for (size_t i = 0; i < 4; i++) {
        double a = b0[i];
        for (size_t j = 0; j < 6; j++)
            a += w0[i * 6 + j] / (1.0 + exp(j < 3 ? -4.0 : 4.0));
        assert_close(px[i], 1.0 / (1.0 + exp(-a)), 1e-15);
    }
    assert_int_equal(udl_featviz_dbn_sample(NULL, 0, 5, 3, udl_mat_view(v, 1, 6)), UDL_EINVAL);
    udl_dbn_free(dbn);
}

static void test_image_grid_scales_each_tile_and_draws_borders(void **state)
{
    (void)state;
    /* three 2 x 2 tiles, two to a row: a 7 x 7 image with the fourth slot empty */
    double tiles[3 * 4] = {0, 1, 2, 3, -5, -5, -5, -5, 10, 20, 30, 40};
    udl_array img;
    assert_int_equal(udl_image_grid(udl_mat_view(tiles, 3, 4), 2, 2, 2, &img), UDL_OK);
    assert_int_equal(img.rows, 7);
    assert_int_equal(img.cols, 7);
    const double want[7][7] = {
        {1, 1, 1, 1, 1, 1, 1},
        {1, 0, 1.0 / 3, 1, 0.5, 0.5, 1},
        {1, 2.0 / 3, 1, 1, 0.5, 0.5, 1},
        {1, 1, 1, 1, 1, 1, 1},
        {1, 0, 1.0 / 3, 1, 1, 1, 1},
        {1, 2.0 / 3, 1, 1, 1, 1, 1},
        {1, 1, 1, 1, 1, 1, 1},
    };
    for (size_t r = 0; r < 7; r++)
        for (size_t c = 0; c < 7; c++)
            assert_close(img.data[r * 7 + c], want[r][c], 1e-15);
    udl_array_free(&img);
    assert_int_equal(udl_image_grid(udl_mat_view(tiles, 3, 4), 3, 2, 2, &img), UDL_ESHAPE);
    assert_null(img.data);
    assert_int_equal(udl_image_grid(udl_mat_view(tiles, 3, 4), 2, 2, 0, &img), UDL_EINVAL);
    tiles[5] = NAN;
    assert_int_equal(udl_image_grid(udl_mat_view(tiles, 3, 4), 2, 2, 2, &img), UDL_EINVAL);
    assert_int_equal(udl_image_grid(udl_mat_view(tiles, 3, 4), 2, 2, 2, NULL), UDL_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layers_of_every_kind_with_layers),
        cmocka_unit_test(test_first_layer_closed_form_is_the_best_input_of_its_norm),
        cmocka_unit_test(test_ascent_on_a_deeper_unit_beats_every_training_example),
        cmocka_unit_test(test_ascent_on_class_outputs),
        cmocka_unit_test(test_ascent_with_blur_is_smoother),
        cmocka_unit_test(test_dbn_sample_with_a_unit_clamped_shows_its_visibles),
        cmocka_unit_test(test_image_grid_scales_each_tile_and_draws_borders),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
