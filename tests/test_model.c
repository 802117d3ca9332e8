#define _POSIX_C_SOURCE 200809L
#include "helpers.h"

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <udl/udl.h>

#include "core/model.h"
#include "core/net.h"
#include "core/train.h"
#include "autoencoder/internal.h"
#include "format1.h"

enum { N = 40, D = 12 };

static void test_every_kind_has_its_row_in_order(void **state)
{
    (void)state;
    for (uint32_t k = 1; k <= UDL_KIND_COUNT; k++) {
        const udli_kind_row *row = udli_kind_row_of(k);
        assert_non_null(row);
        assert_int_equal(row->kind, k);
        assert_non_null(row->read);
        assert_non_null(row->save);
        assert_non_null(row->encode);
        udl_kind back;
        assert_int_equal(udl_kind_from_name(udl_kind_name((udl_kind)k), &back), UDL_OK);
        assert_int_equal(back, k);
        assert_true((row->get_train == NULL) == (row->set_train == NULL));
    }
    assert_null(udli_kind_row_of(0));
    assert_null(udli_kind_row_of(UDL_KIND_COUNT + 1));
    assert_null(udl_kind_name((udl_kind)0));
    udl_kind k;
    assert_int_equal(udl_kind_from_name("vae", &k), UDL_EINVAL);
    assert_non_null(strstr(udl_last_error(), "pca, ae, sae, deep-ae, rbm, dbn, dnn"));
    assert_string_equal(udli_kind_title(UDL_KIND_RBM), "RBM");
    assert_string_equal(udli_kind_title(UDL_KIND_DNN), "deep network");
    assert_string_equal(udli_kind_title(UDL_KIND_TEST), "test");
}

/* One trained model of each kind, saved to path; z gets its typed encoding of x. */
static void save_trained(udl_kind kind, udl_mat x, const char *path, double *z, size_t *codes,
                         double *xhat)
{
    udl_ae_params ap = udl_ae_params_default();
    ap.train.epochs = 2;
    ap.train.batch_size = 10;
    const size_t sizes[3] = {D, 6, 3};
    switch (kind) {
    case UDL_KIND_PCA: {
        udl_pca_params p = udl_pca_params_default();
        p.n_components = 3;
        udl_pca *pca;
        assert_int_equal(udl_pca_create(&p, &pca), UDL_OK);
        assert_int_equal(udl_pca_fit(pca, x, NULL, NULL), UDL_OK);
        *codes = 3;
        assert_int_equal(udl_pca_transform(pca, x, udl_mat_view(z, N, 3)), UDL_OK);
        assert_int_equal(udl_pca_inverse_transform(pca, udl_mat_view(z, N, 3),
                                                   udl_mat_view(xhat, N, D)), UDL_OK);
        assert_int_equal(udl_pca_save(pca, path), UDL_OK);
        udl_pca_free(pca);
        break;
    }
    case UDL_KIND_AUTOENCODER: {
        ap.n_visible = D;
        ap.n_hidden = 5;
        udl_ae *ae;
        assert_int_equal(udl_ae_create(&ap, &ae), UDL_OK);
        assert_int_equal(udl_ae_train(ae, x, NULL, NULL), UDL_OK);
        *codes = 5;
        assert_int_equal(udl_ae_encode(ae, x, udl_mat_view(z, N, 5)), UDL_OK);
        assert_int_equal(udl_ae_reconstruct(ae, x, udl_mat_view(xhat, N, D)), UDL_OK);
        assert_int_equal(udl_ae_save(ae, path), UDL_OK);
        udl_ae_free(ae);
        break;
    }
    case UDL_KIND_RBM: {
        udl_rbm_params rp = udl_rbm_params_default();
        rp.n_visible = D;
        rp.n_hidden = 5;
        rp.train.epochs = 2;
        rp.train.batch_size = 10;
        udl_rbm *rbm;
        assert_int_equal(udl_rbm_create(&rp, &rbm), UDL_OK);
        assert_int_equal(udl_rbm_train(rbm, x, NULL, NULL), UDL_OK);
        *codes = 5;
        assert_int_equal(udl_rbm_transform(rbm, x, udl_mat_view(z, N, 5)), UDL_OK);
        assert_int_equal(udl_rbm_reconstruct(rbm, x, udl_mat_view(xhat, N, D)), UDL_OK);
        assert_int_equal(udl_rbm_save(rbm, path), UDL_OK);
        udl_rbm_free(rbm);
        break;
    }
    case UDL_KIND_DBN: {
        udl_rbm_params rp = udl_rbm_params_default();
        rp.train.epochs = 2;
        rp.train.batch_size = 10;
        udl_dbn *dbn;
        assert_int_equal(udl_dbn_create(&rp, sizes, 3, &dbn), UDL_OK);
        assert_int_equal(udl_dbn_train(dbn, x, NULL, NULL), UDL_OK);
        *codes = 3;
        assert_int_equal(udl_dbn_transform(dbn, x, udl_mat_view(z, N, 3)), UDL_OK);
        assert_int_equal(udl_dbn_reconstruct(dbn, x, udl_mat_view(xhat, N, D)), UDL_OK);
        assert_int_equal(udl_dbn_save(dbn, path), UDL_OK);
        udl_dbn_free(dbn);
        break;
    }
    case UDL_KIND_DNN: {
        udl_dnn_params p = udl_dnn_params_default();
        p.train.epochs = 2;
        p.train.batch_size = 10;
        const size_t ds[4] = {D, 6, 3, 4};
        double y[N];
        for (size_t i = 0; i < N; i++)
            y[i] = (double)(i % 4);
        udl_dnn *dnn;
        assert_int_equal(udl_dnn_create(&p, ds, 4, &dnn), UDL_OK);
        assert_int_equal(udl_dnn_train(dnn, x, udl_mat_view(y, N, 1), NULL, NULL, NULL, NULL),
                         UDL_OK);
        *codes = 3;
        assert_int_equal(udl_dnn_hidden(dnn, x, 1, udl_mat_view(z, N, 3)), UDL_OK);
        /* a classifier has no reconstruction: xhat gets its class probabilities */
        assert_int_equal(udl_dnn_predict_proba(dnn, x, udl_mat_view(xhat, N, 4)), UDL_OK);
        assert_int_equal(udl_dnn_save(dnn, path), UDL_OK);
        udl_dnn_free(dnn);
        break;
    }
    case UDL_KIND_STACKED_AUTOENCODER:
    case UDL_KIND_DEEP_AUTOENCODER: {
        udl_sae *sae;
        assert_int_equal(udl_sae_create(&ap, sizes, 3, &sae), UDL_OK);
        assert_int_equal(udl_sae_train(sae, x, NULL, NULL), UDL_OK);
        *codes = 3;
        if (kind == UDL_KIND_STACKED_AUTOENCODER) {
            assert_int_equal(udl_sae_encode(sae, x, udl_mat_view(z, N, 3)), UDL_OK);
            assert_int_equal(udl_sae_save(sae, path), UDL_OK);
            udl_sae_free(sae);
            break;
        }
        udl_deep_ae_params dp = udl_deep_ae_params_default();
        dp.train.epochs = 2;
        udl_deep_ae *deep;
        assert_int_equal(udl_deep_ae_create(sae, &dp, &deep), UDL_OK);
        udl_sae_free(sae);
        assert_int_equal(udl_deep_ae_train(deep, x, NULL, NULL), UDL_OK);
        assert_int_equal(udl_deep_ae_encode(deep, x, udl_mat_view(z, N, 3)), UDL_OK);
        assert_int_equal(udl_deep_ae_reconstruct(deep, x, udl_mat_view(xhat, N, D)), UDL_OK);
        assert_int_equal(udl_deep_ae_save(deep, path), UDL_OK);
        udl_deep_ae_free(deep);
        break;
    }
    }
}

static void test_save_load_encode_round_trip_for_every_kind(void **state)
{
    (void)state;
    double *x = uniform_data(3, N * D);
    udl_mat xm = udl_mat_view(x, N, D);
    for (uint32_t k = 1; k <= UDL_KIND_COUNT; k++) {
        char path[512], again[512];
        snprintf(again, sizeof again, "%s", tmp_path(path, sizeof path, "again.udl"));
        tmp_path(path, sizeof path, udl_kind_name((udl_kind)k));
        double z[N * D], z2[N * D], xhat[N * D], xhat2[N * D];
        size_t codes;
        save_trained((udl_kind)k, xm, path, z, &codes, xhat);
        udl_model *m;
        assert_int_equal(udl_model_load(path, &m), UDL_OK);
        assert_int_equal(udl_model_kind(m), k);
        assert_int_equal(udl_model_n_inputs(m), D);
        assert_int_equal(udl_model_n_codes(m), codes);
        assert_int_equal(udl_model_n_outputs(m), k == UDL_KIND_DNN ? 4 : 0);
        assert_int_equal(udl_model_encode(m, xm, udl_mat_view(z2, N, codes)), UDL_OK);
        assert_memory_equal(z, z2, N * codes * sizeof(double));
        /* the row's net is the model's layers from the input up: it encodes the same */
        const udli_kind_row *row = udli_kind_row_of(k);
        assert_true((row->net == NULL) == (k == UDL_KIND_PCA));
        if (row->net) {
            udli_net *net;
            assert_int_equal(row->net(udl_model_object(m), &net), UDL_OK);
            size_t upto = net->n_layers - (k == UDL_KIND_DNN);
            assert_int_equal(net->sizes[upto], codes);
            assert_int_equal(udli_net_apply(net, xm, upto, 1, udl_mat_view(z2, N, codes)),
                             UDL_OK);
            for (size_t i = 0; i < N * codes; i++)
                assert_close(z2[i], z[i], 1e-12);
            udli_net_free(net);
        }
        udl_status s = udl_model_reconstruct(m, xm, udl_mat_view(xhat2, N, D));
        if (k == UDL_KIND_STACKED_AUTOENCODER || k == UDL_KIND_DNN) {
            assert_int_equal(s, UDL_EKIND);
            assert_non_null(strstr(udl_last_error(), k == UDL_KIND_DNN
                                   ? "a deep network has no reconstruct"
                                   : "a stacked autoencoder has no reconstruct"));
        } else {
            assert_int_equal(s, UDL_OK);
            for (size_t i = 0; i < N * D; i++)
                assert_close(xhat2[i], xhat[i], k == UDL_KIND_PCA ? 1e-12 : 0.0);
        }
        if (k == UDL_KIND_DNN) {
            assert_int_equal(udl_model_predict(m, xm, udl_mat_view(xhat2, N, 4)), UDL_OK);
            assert_memory_equal(xhat, xhat2, N * 4 * sizeof(double));
        } else {
            assert_int_equal(udl_model_predict(m, xm, udl_mat_view(z2, N, 1)), UDL_EKIND);
            assert_non_null(strstr(udl_last_error(), "has no predict"));
        }
        s = udl_model_sample(m, udl_mat_view(xhat2, 4, D), 5, 1);
        if (k == UDL_KIND_RBM || k == UDL_KIND_DBN) {
            assert_int_equal(s, UDL_OK);
            for (size_t i = 0; i < 4 * D; i++)
                assert_true(xhat2[i] >= 0.0 && xhat2[i] <= 1.0);
        } else {
            assert_int_equal(s, UDL_EKIND);
            assert_non_null(strstr(udl_last_error(), "has no sample"));
        }
        /* saved again through the handle, it reads back the same */
        assert_int_equal(udl_model_save(m, again), UDL_OK);
        udl_model_free(m);
        assert_int_equal(udl_model_load(again, &m), UDL_OK);
        assert_int_equal(udl_model_encode(m, xm, udl_mat_view(z2, N, codes)), UDL_OK);
        assert_memory_equal(z, z2, N * codes * sizeof(double));
        /* a wrong width is refused, not read past */
        assert_int_equal(udl_model_encode(m, udl_mat_view(x, N, D - 1),
                                          udl_mat_view(z2, N, codes)), UDL_ESHAPE);
        udl_model_free(m);
    }
    udl_model_free(NULL);
    free(x);
}

static udl_array read_fixture(const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/format1/%s", UDL_FIXTURES, name);
    udl_array a = {0};
    assert_int_equal(udl_npy_read(path, 0, &a), UDL_OK);
    return a;
}

/* Files the format-1 release wrote load through the registry and give what that
 * release computed from them. */
static void test_format1_files_still_load_and_encode_the_same(void **state)
{
    (void)state;
    udl_array x = read_fixture("x.npy");
    const char *kinds[] = {"pca", "ae", "sae", "deep-ae"};
    for (size_t k = 0; k < 4; k++) {
        char path[512], name[64];
        snprintf(path, sizeof path, "%s/format1/%s.udl", UDL_FIXTURES, kinds[k]);
        udl_model *m;
        assert_int_equal(udl_model_load(path, &m), UDL_OK);
        assert_string_equal(udl_kind_name(udl_model_kind(m)), kinds[k]);
        snprintf(name, sizeof name, "%s-encode.npy", kinds[k]);
        udl_array want = read_fixture(name);
        double *z = malloc(want.rows * want.cols * sizeof(double));
        assert_int_equal(udl_model_encode(m, udl_array_mat(&x), udl_mat_view(z, want.rows,
                                                                               want.cols)),
                         UDL_OK);
        for (size_t i = 0; i < want.rows * want.cols; i++)
            assert_close(z[i], want.data[i], 1e-13);
        free(z);
        udl_array_free(&want);
        if (k == 1 || k == 3) {
            snprintf(name, sizeof name, "%s-reconstruct.npy", kinds[k]);
            want = read_fixture(name);
            double *xh = malloc(want.rows * want.cols * sizeof(double));
            assert_int_equal(udl_model_reconstruct(m, udl_array_mat(&x),
                                                   udl_mat_view(xh, want.rows, want.cols)),
                             UDL_OK);
            for (size_t i = 0; i < want.rows * want.cols; i++)
                assert_close(xh[i], want.data[i], 1e-13);
            free(xh);
            udl_array_free(&want);
        }
        udl_model_free(m);
    }
    /* the typed loaders read them too, with their training parameters */
    char path[512];
    snprintf(path, sizeof path, "%s/format1/ae.udl", UDL_FIXTURES);
    udl_ae *ae;
    assert_int_equal(udl_ae_load(path, &ae), UDL_OK);
    assert_int_equal(udl_ae_get_params(ae).train.epochs, 3);
    assert_int_equal(udl_ae_get_params(ae).train.batch_size, 10);
    assert_true(udl_ae_get_params(ae).train.seed == 1);
    udl_ae_free(ae);
    udl_array_free(&x);
}

/* Found as a new user: a deep-autoencoder file with a valid CRC whose decoder does not
 * mirror its encoder (sizes 6,4,3,4,8) loaded, and reconstruct then wrote 8 columns
 * into a 6-column output. */
static void test_crafted_deep_ae_that_does_not_mirror_is_refused(void **state)
{
    (void)state;
    const size_t sizes[5] = {6, 4, 3, 4, 8};
    const udl_activation act[4] = {UDL_ACT_SIGMOID, UDL_ACT_LINEAR, UDL_ACT_SIGMOID,
                                   UDL_ACT_SIGMOID};
    udli_net *net;
    assert_int_equal(udli_net_create(sizes, act, NULL, 4, &net), UDL_OK);
    udl_train_params tp = udl_train_params_default();
    udli_record r;
    udli_record_init(&r);
    udli_record_u64(&r, "linear_code", 1);
    udli_record_u64(&r, "loss", UDL_LOSS_CROSS_ENTROPY);
    udli_train_params_record(&tp, &r);
    udli_net_record(net, &r);
    udli_record_matrix(&r, "history", 1, 0, NULL);
    char path[512];
    tmp_path(path, sizeof path, "crafted-deep.udl");
    assert_int_equal(udli_record_save(&r, path, UDL_KIND_DEEP_AUTOENCODER), UDL_OK);
    udl_model *m = (udl_model *)1;
    assert_int_equal(udl_model_load(path, &m), UDL_EFORMAT);
    assert_null(m);
    assert_non_null(strstr(udl_last_error(), "the decoder does not mirror the encoder"));
    udl_deep_ae *deep;
    assert_int_equal(udl_deep_ae_load(path, &deep), UDL_EFORMAT);
    /* the same in format 1 */
    double info[13] = {4, 0, 1, 0, 20, 100, 0.01, 0.9, 0, 0, 0, 1, 0};
    double sz[5] = {6, 4, 3, 4, 8};
    udli_block blocks[11] = {{"info", 1, 13, info}, {"sizes", 1, 5, sz}, {"history", 1, 0, NULL}};
    char names[8][8];
    for (size_t l = 0; l < 4; l++) {
        snprintf(names[2 * l], 8, "W%zu", l);
        snprintf(names[2 * l + 1], 8, "b%zu", l);
        blocks[3 + 2 * l] = (udli_block){names[2 * l], sizes[l], sizes[l + 1], net->w[l]};
        blocks[4 + 2 * l] = (udli_block){names[2 * l + 1], 1, sizes[l + 1], net->b[l]};
    }
    assert_int_equal(save_format1(path, UDL_KIND_DEEP_AUTOENCODER, blocks, 11), UDL_OK);
    assert_int_equal(udl_model_load(path, &m), UDL_EFORMAT);
    assert_non_null(strstr(udl_last_error(), "the decoder does not mirror the encoder"));
    /* and a mirrored one whose code layer is not what linear_code says */
    const size_t good[5] = {6, 4, 3, 4, 6};
    udli_net_free(net);
    assert_int_equal(udli_net_create(good, act, NULL, 4, &net), UDL_OK);
    udli_record_init(&r);
    udli_record_u64(&r, "linear_code", 0);
    udli_record_u64(&r, "loss", UDL_LOSS_CROSS_ENTROPY);
    udli_train_params_record(&tp, &r);
    udli_net_record(net, &r);
    udli_record_matrix(&r, "history", 1, 0, NULL);
    assert_int_equal(udli_record_save(&r, path, UDL_KIND_DEEP_AUTOENCODER), UDL_OK);
    assert_int_equal(udl_model_load(path, &m), UDL_EFORMAT);
    assert_non_null(strstr(udl_last_error(), "layer 1 is linear"));
    udli_net_free(net);
}

static void test_generic_handle_says_what_a_kind_cannot_do(void **state)
{
    (void)state;
    double *x = uniform_data(5, N * D);
    udl_mat xm = udl_mat_view(x, N, D);
    char path[512];
    tmp_path(path, sizeof path, "generic.udl");
    double z[N * D], xhat[N * D];
    size_t codes;
    save_trained(UDL_KIND_PCA, xm, path, z, &codes, xhat);
    udl_model *m;
    assert_int_equal(udl_model_load(path, &m), UDL_OK);
    assert_string_equal(udl_model_kind_name(m), "PCA");
    assert_non_null(udl_model_object(m));
    udl_train_params tp;
    assert_int_equal(udl_model_get_train_params(m, &tp), UDL_EKIND);
    assert_non_null(strstr(udl_last_error(), "a PCA is not trained by SGD"));
    udl_model_free(m);
    save_trained(UDL_KIND_AUTOENCODER, xm, path, z, &codes, xhat);
    assert_int_equal(udl_model_load(path, &m), UDL_OK);
    assert_int_equal(udl_model_get_train_params(m, &tp), UDL_OK);
    assert_int_equal(tp.epochs, 2);
    tp.sgd.learning_rate = 0.003;
    tp.decay = UDL_DECAY_STEP;
    tp.decay_rate = 0.5;
    assert_int_equal(udl_model_set_train_params(m, &tp), UDL_OK);
    udl_train_params bad = tp, now;
    bad.batch_size = 0;
    assert_int_equal(udl_model_set_train_params(m, &bad), UDL_EINVAL);
    assert_non_null(strstr(udl_last_error(), "batch_size"));
    assert_int_equal(udl_model_get_train_params(m, &now), UDL_OK);
    assert_true(now.sgd.learning_rate == 0.003 && now.decay == UDL_DECAY_STEP &&
                now.batch_size == tp.batch_size);
    /* the schedule is saved with the model */
    assert_int_equal(udl_model_save(m, path), UDL_OK);
    udl_model_free(m);
    assert_int_equal(udl_model_load(path, &m), UDL_OK);
    assert_int_equal(udl_model_get_train_params(m, &now), UDL_OK);
    assert_true(now.decay == UDL_DECAY_STEP && now.decay_rate == 0.5);
    udl_model_free(m);
    /* NULLs, and a file of a kind this udl does not know */
    assert_int_equal(udl_model_encode(NULL, xm, udl_mat_view(z, N, 1)), UDL_EINVAL);
    assert_int_equal(udl_model_load(path, NULL), UDL_EINVAL);
    udli_block b = {"W", 1, 1, x};
    assert_int_equal(udli_container_save(path, UDL_KIND_COUNT + 1, &b, 1), UDL_OK);
    assert_int_equal(udl_model_load(path, &m), UDL_EKIND);
    assert_non_null(strstr(udl_last_error(), "which this udl cannot read"));
    free(x);
}

#if !defined(__SANITIZE_ADDRESS__)
/* The virtual memory this process maps now, in bytes (Linux). */
static size_t mapped_bytes(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    unsigned long pages = 0;
    if (!f || fscanf(f, "%lu", &pages) != 1)
        pages = 0;
    if (f)
        fclose(f);
    return (size_t)pages * (size_t)sysconf(_SC_PAGESIZE);
}
#endif

/* Found as a new user: a deep autoencoder that could not get the memory for its net
 * was reported as a malformed file. In a child whose address space leaves room to read
 * the 32 MB file but not for the 96 MB net, loading must say UDL_ENOMEM. */
static void test_out_of_memory_while_loading_is_not_a_format_error(void **state)
{
    (void)state;
#if defined(__SANITIZE_ADDRESS__)
    skip(); /* AddressSanitizer reserves terabytes of address space up front */
#else
    udl_ae_params ap = udl_ae_params_default();
    const size_t sizes[2] = {2000, 1000};
    udl_sae *sae;
    assert_int_equal(udl_sae_create(&ap, sizes, 2, &sae), UDL_OK);
    udl_deep_ae_params dp = udl_deep_ae_params_default();
    udl_deep_ae *deep;
    assert_int_equal(udl_deep_ae_create(sae, &dp, &deep), UDL_OK);
    udl_sae_free(sae);
    char path[512];
    tmp_path(path, sizeof path, "big-deep.udl");
    assert_int_equal(udl_deep_ae_save(deep, path), UDL_OK);
    udl_deep_ae_free(deep);
    assert_int_equal(udl_deep_ae_load(path, &deep), UDL_OK); /* with room, it loads */
    udl_deep_ae_free(deep);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct rlimit lim = {mapped_bytes() + ((size_t)80 << 20), RLIM_INFINITY};
        lim.rlim_max = lim.rlim_cur;
        if (setrlimit(RLIMIT_AS, &lim) != 0)
            _exit(100);
        udl_status s = udl_deep_ae_load(path, &deep);
        _exit(s == UDL_ENOMEM ? 0 : 10 + (int)s);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    remove(path);
#endif
}

/* Found in review: a stack whose linear layer feeds a cross-entropy layer loaded, and
 * every encode then failed. */
static void test_stack_whose_linear_layer_feeds_cross_entropy_is_refused(void **state)
{
    (void)state;
    udl_ae_params p = udl_ae_params_default();
    p.n_visible = 6;
    p.n_hidden = 4;
    p.linear = 1;
    p.loss = UDL_LOSS_SQUARED;
    udl_ae *linear, *sigmoid;
    assert_int_equal(udl_ae_create(&p, &linear), UDL_OK);
    p.n_visible = 4;
    p.n_hidden = 2;
    p.linear = 0;
    p.loss = UDL_LOSS_CROSS_ENTROPY;
    assert_int_equal(udl_ae_create(&p, &sigmoid), UDL_OK);
    udli_record r;
    udli_record_init(&r);
    udli_record_u64(&r, "n_layers", 2);
    udli_record_prefix(&r, "L0.");
    udli_ae_record(linear, &r);
    udli_record_prefix(&r, "L1.");
    udli_ae_record(sigmoid, &r);
    char path[512];
    tmp_path(path, sizeof path, "linear-into-ce.udl");
    assert_int_equal(udli_record_save(&r, path, UDL_KIND_STACKED_AUTOENCODER), UDL_OK);
    udl_model *m;
    assert_int_equal(udl_model_load(path, &m), UDL_EFORMAT);
    assert_non_null(strstr(udl_last_error(), "layer 1 uses the cross-entropy loss"));
    udl_ae_free(linear);
    udl_ae_free(sigmoid);
}

/* ---- the fields of a model's file ---------------------------------------------------------- */

static uint64_t le64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Reads the fields of the format-2 file at path by the layout in container.h (a reader of
 * its own, not the library's) and checks that m gives each of them, bit for bit; returns
 * how many there were. */
static size_t check_fields_against_bytes(const udl_model *m, const char *path)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    static unsigned char bytes[1 << 16];
    size_t size = fread(bytes, 1, sizeof bytes, fp);
    fclose(fp);
    assert_true(size > 28 && size < sizeof bytes);
    assert_int_equal(le32(bytes + 8), 2);
    const uint32_t n = le32(bytes + 16);
    size_t at = 24;
    for (uint32_t i = 0; i < n; i++) {
        const uint32_t type = le32(bytes + at), len = le32(bytes + at + 4);
        char name[64];
        memcpy(name, bytes + at + 8, len);
        name[len] = '\0';
        at += 8 + len;
        udl_field f;
        assert_int_equal(udl_model_find_field(m, name, &f), UDL_OK);
        assert_string_equal(f.name, name);
        assert_int_equal(f.type, type);
        assert_non_null(f.about); /* every field udl saves is described */
        if (type == UDL_FIELD_INTEGER) {
            assert_true(f.integer == le64(bytes + at));
            at += 8;
        } else if (type == UDL_FIELD_NUMBER) {
            uint64_t bits;
            memcpy(&bits, &f.number, 8);
            assert_true(bits == le64(bytes + at));
            at += 8;
        } else {
            assert_int_equal(f.rows, le64(bytes + at));
            assert_int_equal(f.cols, le64(bytes + at + 8));
            at += 16;
            for (size_t k = 0; k < f.rows * f.cols; k++) {
                uint64_t bits;
                memcpy(&bits, &f.data[k], 8);
                assert_true(bits == le64(bytes + at + 8 * k));
            }
            assert_true((f.data == NULL) == (f.rows * f.cols == 0));
            at += 8 * f.rows * f.cols;
        }
    }
    assert_int_equal(at + 4, size);
    return n;
}

/* A model of kind trained on uniform data from seed, saved to path and loaded again. */
static udl_model *trained_and_loaded(udl_kind kind, uint64_t seed, const char *path)
{
    double *x = uniform_data(seed, N * D), z[N * D], xhat[N * D];
    size_t codes;
    save_trained(kind, udl_mat_view(x, N, D), path, z, &codes, xhat);
    free(x);
    udl_model *m;
    assert_int_equal(udl_model_load(path, &m), UDL_OK);
    return m;
}

static void test_fields_of_every_kind_are_its_file_s_bit_for_bit(void **state)
{
    (void)state;
    for (uint32_t k = 1; k <= UDL_KIND_COUNT; k++) {
        char path[512];
        tmp_path(path, sizeof path, "fields.udl");
        udl_model *m = trained_and_loaded((udl_kind)k, 11, path);
        assert_int_equal(udl_model_format_version(m), 2);
        const size_t n = udl_model_n_fields(m);
        assert_int_equal(check_fields_against_bytes(m, path), n);
        /* walked by index: every field once, in order of name */
        udl_field f, prev = {0};
        for (size_t i = 0; i < n; i++) {
            assert_int_equal(udl_model_field(m, i, &f), UDL_OK);
            if (i)
                assert_true(strcmp(prev.name, f.name) < 0);
            prev = f;
        }
        udl_model_free(m);
    }
}

static void test_fields_name_layers_choices_and_the_model_s_own_values(void **state)
{
    (void)state;
    char path[512];
    tmp_path(path, sizeof path, "fields-named.udl");
    udl_field f;
    /* a classifier: the engine's layers */
    udl_model *m = trained_and_loaded(UDL_KIND_DNN, 12, path);
    assert_int_equal(udl_model_find_field(m, "W1", &f), UDL_OK);
    assert_int_equal(f.type, UDL_FIELD_MATRIX);
    assert_int_equal(f.layer, 1);
    assert_true(f.rows == 6 && f.cols == 3);
    assert_non_null(strstr(f.about, "inputs x outputs"));
    assert_int_equal(udl_model_find_field(m, "act2", &f), UDL_OK);
    assert_true(f.type == UDL_FIELD_INTEGER && f.integer == UDL_ACT_SOFTMAX && f.layer == 2);
    assert_string_equal(f.value_name, "softmax");
    assert_int_equal(udl_model_find_field(m, "epochs", &f), UDL_OK);
    assert_true(f.integer == 2 && f.layer == -1 && f.value_name == NULL);
    assert_int_equal(udl_model_find_field(m, "learning_rate", &f), UDL_OK);
    assert_true(f.type == UDL_FIELD_NUMBER && f.number == udl_dnn_params_default().train.sgd.learning_rate);
    assert_int_equal(udl_model_find_field(m, "history", &f), UDL_OK);
    size_t epochs;
    const double *h = udl_dnn_history(udl_model_object(m), &epochs);
    assert_true(f.rows == 1 && f.cols == epochs && epochs == 2);
    assert_memory_equal(f.data, h, epochs * sizeof(double));
    udl_model_free(m);
    /* a stack: each layer's fields after L<i>., described as its layer kind's */
    m = trained_and_loaded(UDL_KIND_DBN, 12, path);
    assert_int_equal(udl_model_find_field(m, "L1.W", &f), UDL_OK);
    assert_true(f.layer == 1 && f.rows == 6 && f.cols == 3);
    const udl_rbm *rbm = udl_dbn_layer(udl_model_object(m), 1);
    assert_memory_equal(f.data, udl_rbm_weights(rbm), 6 * 3 * sizeof(double));
    assert_int_equal(udl_model_find_field(m, "L0.method", &f), UDL_OK);
    assert_string_equal(f.value_name, "cd");
    assert_int_equal(udl_model_find_field(m, "L0.c", &f), UDL_OK);
    assert_non_null(strstr(f.about, "hidden units"));
    udl_model_free(m);
    /* an autoencoder's b is its codes' bias, unlike an RBM's */
    m = trained_and_loaded(UDL_KIND_AUTOENCODER, 12, path);
    assert_int_equal(udl_model_find_field(m, "b", &f), UDL_OK);
    assert_non_null(strstr(f.about, "codes"));
    assert_memory_equal(f.data, udl_ae_hidden_bias(udl_model_object(m)), 5 * sizeof(double));
    assert_int_equal(udl_model_find_field(m, "loss", &f), UDL_OK);
    assert_string_equal(f.value_name, "cross-entropy");
    udl_model_free(m);
    /* a format-1 file: its version, and its positional scalars by name */
    snprintf(path, sizeof path, "%s/format1/ae.udl", UDL_FIXTURES);
    assert_int_equal(udl_model_load(path, &m), UDL_OK);
    assert_int_equal(udl_model_format_version(m), 1);
    assert_int_equal(udl_model_find_field(m, "info", &f), UDL_OK);
    assert_int_equal(f.type, UDL_FIELD_MATRIX);
    assert_int_equal(udl_model_find_field(m, "epochs", &f), UDL_OK);
    assert_true(f.type == UDL_FIELD_NUMBER && f.number == 3.0);
    udl_model_free(m);
}

static void test_fields_refuse_bad_arguments_with_a_sentence(void **state)
{
    (void)state;
    char path[512];
    tmp_path(path, sizeof path, "fields-bad.udl");
    udl_model *m = trained_and_loaded(UDL_KIND_PCA, 13, path);
    udl_field f;
    const size_t n = udl_model_n_fields(m);
    assert_int_equal(n, 8);
    assert_int_equal(udl_model_field(m, n, &f), UDL_EINVAL);
    assert_non_null(strstr(udl_last_error(), "index 8 is out of range (the file has 8 fields)"));
    assert_int_equal(udl_model_field(m, 0, NULL), UDL_EINVAL);
    assert_non_null(strstr(udl_last_error(), "model or field is NULL"));
    assert_int_equal(udl_model_field(NULL, 0, &f), UDL_EINVAL);
    assert_int_equal(udl_model_find_field(m, NULL, &f), UDL_EINVAL);
    assert_non_null(strstr(udl_last_error(), "name is NULL"));
    assert_int_equal(udl_model_find_field(m, "W9", &f), UDL_EINVAL);
    assert_non_null(strstr(udl_last_error(), "has no field 'W9'"));
    assert_int_equal(udl_model_n_fields(NULL), 0);
    assert_int_equal(udl_model_format_version(NULL), 0);
    /* a wrapped model has no file */
    udl_model *w;
    assert_int_equal(udl_model_wrap(UDL_KIND_PCA, udl_model_object(m), &w), UDL_OK);
    assert_int_equal(udl_model_n_fields(w), 0);
    assert_int_equal(udl_model_format_version(w), 0);
    assert_int_equal(udl_model_field(w, 0, &f), UDL_EINVAL);
    assert_non_null(strstr(udl_last_error(), "the PCA was not loaded from a file"));
    assert_int_equal(udl_model_find_field(w, "mean", &f), UDL_EINVAL);
    udl_model_free(w);
    udl_model_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_kind_has_its_row_in_order),
        cmocka_unit_test(test_save_load_encode_round_trip_for_every_kind),
        cmocka_unit_test(test_format1_files_still_load_and_encode_the_same),
        cmocka_unit_test(test_crafted_deep_ae_that_does_not_mirror_is_refused),
        cmocka_unit_test(test_generic_handle_says_what_a_kind_cannot_do),
        cmocka_unit_test(test_out_of_memory_while_loading_is_not_a_format_error),
        cmocka_unit_test(test_stack_whose_linear_layer_feeds_cross_entropy_is_refused),
        cmocka_unit_test(test_fields_of_every_kind_are_its_file_s_bit_for_bit),
        cmocka_unit_test(test_fields_name_layers_choices_and_the_model_s_own_values),
        cmocka_unit_test(test_fields_refuse_bad_arguments_with_a_sentence),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
