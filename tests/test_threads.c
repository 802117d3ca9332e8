/* Threads: two threads each train and use their own models of every kind at once, and
 * get exactly the bytes a run of one after the other gets; each thread's error sentence
 * is its own. Built with -DUDL_TSAN=ON this runs under ThreadSanitizer (make test-tsan). */
#define _POSIX_C_SOURCE 200809L /* pthread_barrier */

#include "helpers.h"

#include <pthread.h>
#include <unistd.h>

#include <udl/udl.h>

enum { N = 160, D = 12, CLASSES = 3 };

/* Everything a workload produced, as bytes: outputs and model files in order. */
typedef struct fingerprint {
    unsigned char *bytes;
    size_t n, cap;
} fingerprint;

static void fp_add(fingerprint *f, const void *p, size_t n)
{
    if (f->n + n > f->cap) {
        size_t cap = f->cap ? f->cap : 4096;
        while (cap < f->n + n)
            cap *= 2;
        f->bytes = realloc(f->bytes, cap);
        f->cap = cap;
    }
    memcpy(f->bytes + f->n, p, n);
    f->n += n;
}

static void fp_file(fingerprint *f, const char *file)
{
    FILE *in = fopen(file, "rb");
    if (!in)
        return;
    unsigned char buf[4096];
    size_t got;
    while ((got = fread(buf, 1, sizeof buf, in)) > 0)
        fp_add(f, buf, got);
    fclose(in);
    remove(file);
}

/* One thread's work: its data, what it produced, and its first failure (cmocka's
 * assertions are for the main thread, so a worker records and returns). */
typedef struct workload {
    const char *name;
    uint64_t seed;
    double x[N * D], labels[N];
    fingerprint out;
    udl_status status;
    const char *where; /* the call, as written */
    char error[512];
} workload;

static int failed(workload *w, udl_status s, const char *where)
{
    if (s && !w->status) {
        w->status = s;
        w->where = where;
        snprintf(w->error, sizeof w->error, "%s", udl_last_error());
    }
    return s != UDL_OK;
}

#define TRY(w, call)                                                                      \
    do {                                                                                  \
        if (failed((w), (call), #call))                                                   \
            goto done;                                                                    \
    } while (0)

static void add_mat(workload *w, const double *p, size_t n) { fp_add(&w->out, p, n * sizeof *p); }

static const char *model_path(const workload *w, const char *kind, char *buf, size_t size)
{
    char name[128];
    snprintf(name, sizeof name, "threads-%s-%ld-%s.udl", w->name, (long)getpid(), kind);
    return tmp_path(buf, size, name);
}

/* Saves through the kind's own save, loads through the generic handle, encodes with it
 * and keeps the file's bytes and the codes. */
static udl_status save_load_encode(workload *w, const char *kind,
                                   udl_status (*save)(const void *, const char *),
                                   const void *model)
{
    char file[512];
    model_path(w, kind, file, sizeof file);
    udl_status s = save(model, file);
    udl_model *m = NULL;
    double *z = NULL;
    if (s || (s = udl_model_load(file, &m)))
        goto out;
    size_t k = udl_model_n_codes(m);
    z = malloc(N * k * sizeof *z);
    if (!(s = udl_model_encode(m, udl_mat_view(w->x, N, D), udl_mat_view(z, N, k))))
        add_mat(w, z, N * k);
out:
    udl_model_free(m);
    free(z);
    fp_file(&w->out, file);
    return s;
}

#define SAVER(type, fn)                                                                   \
    static udl_status save_##type(const void *m, const char *p) { return fn(m, p); }
SAVER(pca, udl_pca_save)
SAVER(ae, udl_ae_save)
SAVER(sae, udl_sae_save)
SAVER(deep, udl_deep_ae_save)
SAVER(rbm, udl_rbm_save)
SAVER(dbn, udl_dbn_save)
SAVER(dnn, udl_dnn_save)

static void run_pca(workload *w)
{
    udl_pca *pca = NULL;
    udl_pca_params p = udl_pca_params_default();
    p.n_components = 3;
    p.whiten = 1;
    double z[N * 3];
    TRY(w, udl_pca_create(&p, &pca));
    TRY(w, udl_pca_fit(pca, udl_mat_view(w->x, N, D), NULL, NULL));
    TRY(w, udl_pca_transform(pca, udl_mat_view(w->x, N, D), udl_mat_view(z, N, 3)));
    add_mat(w, z, N * 3);
    TRY(w, save_load_encode(w, "pca", save_pca, pca));
done:
    udl_pca_free(pca);
}

static udl_train_params short_training(uint64_t seed, size_t epochs)
{
    udl_train_params t = udl_train_params_default();
    t.epochs = epochs;
    t.batch_size = 20;
    t.seed = seed;
    return t;
}

static void run_autoencoders(workload *w)
{
    udl_ae *ae = NULL;
    udl_sae *sae = NULL;
    udl_deep_ae *deep = NULL;
    double xhat[N * D];
    udl_ae_params p = udl_ae_params_default();
    p.n_visible = D;
    p.n_hidden = 5;
    p.noise = UDL_NOISE_MASK;
    p.noise_level = 0.2;
    p.train = short_training(w->seed, 4);
    udl_mat x = udl_mat_view(w->x, N, D);
    TRY(w, udl_ae_create(&p, &ae));
    TRY(w, udl_ae_train(ae, x, NULL, NULL));
    TRY(w, udl_ae_reconstruct(ae, x, udl_mat_view(xhat, N, D)));
    add_mat(w, xhat, N * D);
    TRY(w, save_load_encode(w, "ae", save_ae, ae));

    const size_t sizes[3] = {D, 8, 4};
    p.noise = UDL_NOISE_NONE;
    TRY(w, udl_sae_create(&p, sizes, 3, &sae));
    TRY(w, udl_sae_train(sae, x, NULL, NULL));
    TRY(w, save_load_encode(w, "sae", save_sae, sae));

    udl_deep_ae_params dp = udl_deep_ae_params_default();
    dp.train = short_training(w->seed + 1, 3);
    TRY(w, udl_deep_ae_create(sae, &dp, &deep));
    TRY(w, udl_deep_ae_train(deep, x, NULL, NULL));
    TRY(w, udl_deep_ae_reconstruct(deep, x, udl_mat_view(xhat, N, D)));
    add_mat(w, xhat, N * D);
    TRY(w, save_load_encode(w, "deep", save_deep, deep));
done:
    udl_ae_free(ae);
    udl_sae_free(sae);
    udl_deep_ae_free(deep);
}

static void run_rbms(workload *w)
{
    udl_rbm *rbm = NULL;
    udl_dbn *dbn = NULL;
    double v[10 * D], h[N * 6];
    udl_rbm_params p = udl_rbm_params_default();
    p.n_visible = D;
    p.n_hidden = 6;
    p.method = UDL_RBM_PCD;
    p.train = short_training(w->seed, 4);
    udl_mat x = udl_mat_view(w->x, N, D);
    TRY(w, udl_rbm_create(&p, &rbm));
    TRY(w, udl_rbm_train(rbm, x, NULL, NULL));
    TRY(w, udl_rbm_transform(rbm, x, udl_mat_view(h, N, 6)));
    add_mat(w, h, N * 6);
    memcpy(v, w->x, sizeof v);
    TRY(w, udl_rbm_sample(rbm, udl_mat_view(v, 10, D), 5, w->seed));
    add_mat(w, v, 10 * D);
    TRY(w, save_load_encode(w, "rbm", save_rbm, rbm));

    const size_t sizes[3] = {D, 8, 4};
    p.method = UDL_RBM_CD;
    TRY(w, udl_dbn_create(&p, sizes, 3, &dbn));
    TRY(w, udl_dbn_train(dbn, x, NULL, NULL));
    TRY(w, udl_dbn_sample(dbn, udl_mat_view(v, 10, D), 5, w->seed));
    add_mat(w, v, 10 * D);
    TRY(w, save_load_encode(w, "dbn", save_dbn, dbn));
done:
    udl_rbm_free(rbm);
    udl_dbn_free(dbn);
}

/* A classifier: pretrained, fine-tuned with a held-out split and early stopping, attacked,
 * trained adversarially, and visualized. */
static void run_dnn(workload *w)
{
    udl_dnn *dnn = NULL;
    udl_model *handle = NULL;
    double prob[N * CLASSES], xadv[N * D], viz[2 * D];
    const size_t sizes[4] = {D, 8, 6, CLASSES};
    udl_dnn_params p = udl_dnn_params_default();
    p.train = short_training(w->seed, 4);
    p.valid_fraction = 0.2;
    p.patience = 2;
    p.hidden_dropout = 0.1;
    udl_mat x = udl_mat_view(w->x, N, D), y = udl_mat_view(w->labels, N, 1);
    TRY(w, udl_dnn_create(&p, sizes, 4, &dnn));
    udl_dnn_pretrain_params pre = udl_dnn_pretrain_params_default(UDL_PRETRAIN_RBM);
    pre.train = short_training(w->seed + 2, 2);
    TRY(w, udl_dnn_pretrain(dnn, &pre, x, NULL, NULL));
    TRY(w, udl_dnn_train(dnn, x, y, NULL, NULL, NULL, NULL));
    TRY(w, udl_dnn_predict_proba(dnn, x, udl_mat_view(prob, N, CLASSES)));
    add_mat(w, prob, N * CLASSES);
    udl_attack_params a = udl_attack_params_default(UDL_ATTACK_PGD);
    a.seed = w->seed;
    TRY(w, udl_attack(dnn, &a, x, y, udl_mat_view(xadv, N, D), NULL));
    add_mat(w, xadv, N * D);
    udl_attack_params fgsm = udl_attack_params_default(UDL_ATTACK_FGSM);
    TRY(w, udl_adversarial_train(dnn, &fgsm, 0.5, x, y, NULL, NULL, NULL, NULL));
    TRY(w, udl_model_wrap(UDL_KIND_DNN, dnn, &handle));
    udl_featviz_params fv = udl_featviz_params_default();
    fv.steps = 10;
    fv.seed = w->seed;
    TRY(w, udl_featviz_ascent(handle, 2, 0, &fv, udl_mat_view(viz, 2, D), NULL));
    add_mat(w, viz, 2 * D);
    TRY(w, save_load_encode(w, "dnn", save_dnn, dnn));
done:
    udl_model_free(handle);
    udl_dnn_free(dnn);
}

static void run_tsne(workload *w)
{
    double y[N * 2];
    udl_tsne_params p = udl_tsne_params_default();
    p.perplexity = 10;
    p.n_iter = 150;
    p.exaggeration_iter = 50;
    p.seed = w->seed;
    const udl_tsne_method methods[2] = {UDL_TSNE_EXACT, UDL_TSNE_BARNES_HUT};
    for (int i = 0; i < 2; i++) {
        p.method = methods[i];
        p.init = i ? UDL_TSNE_INIT_PCA : UDL_TSNE_INIT_RANDOM;
        udl_tsne_result r;
        TRY(w, udl_tsne_embed(&p, udl_mat_view(w->x, N, D), udl_mat_view(y, N, 2), NULL,
                              NULL, &r));
        add_mat(w, y, N * 2);
        add_mat(w, &r.kl, 1);
    }
done:
    return;
}

static void workload_init(workload *w, const char *name, uint64_t seed)
{
    memset(w, 0, sizeof *w);
    w->name = name;
    w->seed = seed;
    double *x = uniform_data(seed, N * D);
    memcpy(w->x, x, sizeof w->x);
    free(x);
    for (size_t i = 0; i < N; i++) /* labels the classifier can learn: a region of x */
        w->labels[i] = (double)((size_t)(3.0 * w->x[i * D]) % CLASSES);
}

static void *run_all(void *arg)
{
    workload *w = arg;
    run_pca(w);
    run_autoencoders(w);
    run_rbms(w);
    run_dnn(w);
    run_tsne(w);
    return NULL;
}

static void assert_succeeded(const workload *w)
{
    if (w->status)
        fail_msg("workload %s: %s gave %s: %s", w->name, w->where, udl_status_str(w->status),
                 w->error);
}

static void test_two_threads_get_the_bytes_of_one_after_the_other(void **state)
{
    (void)state;
    static workload seq[2], par[2];
    const char *names[2] = {"first", "second"};
    for (int i = 0; i < 2; i++) {
        workload_init(&seq[i], names[i], 11 + (uint64_t)i);
        workload_init(&par[i], names[i], 11 + (uint64_t)i);
    }
    run_all(&seq[0]);
    run_all(&seq[1]);
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&t[i], NULL, run_all, &par[i]), 0);
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_join(t[i], NULL), 0);
    for (int i = 0; i < 2; i++) {
        assert_succeeded(&seq[i]);
        assert_succeeded(&par[i]);
        assert_true(seq[i].out.n > 100000); /* every kind wrote its outputs and its file */
        assert_int_equal(par[i].out.n, seq[i].out.n);
        assert_memory_equal(par[i].out.bytes, seq[i].out.bytes, seq[i].out.n);
        free(seq[i].out.bytes);
        free(par[i].out.bytes);
    }
}

/* Two threads fail at the same moment with different sentences; after both have failed,
 * each reads its own. */
typedef struct failer {
    pthread_barrier_t *barrier;
    size_t cols, wrong; /* this thread's shapes, so its sentence names them */
    int mismatches;
} failer;

static void *fail_repeatedly(void *arg)
{
    failer *f = arg;
    double a[64] = {0}, c[64];
    char expected[128];
    snprintf(expected, sizeof expected, "gemm: op(A) is 1 x %zu but op(B) is %zu x 1", f->cols,
             f->wrong);
    for (int round = 0; round < 500; round++) {
        udl_status s = udl_gemm(UDL_NOTRANS, UDL_NOTRANS, 1.0, udl_mat_view(a, 1, f->cols),
                                udl_mat_view(a, f->wrong, 1), 0.0, udl_mat_view(c, 1, 1));
        pthread_barrier_wait(f->barrier); /* both have failed now */
        const char *e = udl_last_error();
        if (s != UDL_ESHAPE || strcmp(e, expected) != 0)
            f->mismatches++;
        pthread_barrier_wait(f->barrier); /* both have read theirs */
    }
    return NULL;
}

static void test_each_thread_reads_its_own_error_sentence(void **state)
{
    (void)state;
    pthread_barrier_t barrier;
    assert_int_equal(pthread_barrier_init(&barrier, NULL, 2), 0);
    failer f[2] = {{&barrier, 3, 17, 0}, {&barrier, 5, 29, 0}};
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&t[i], NULL, fail_repeatedly, &f[i]), 0);
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_join(t[i], NULL), 0);
    pthread_barrier_destroy(&barrier);
    assert_int_equal(f[0].mismatches, 0);
    assert_int_equal(f[1].mismatches, 0);
    /* and the main thread, which failed in neither, still has an empty sentence */
    assert_string_equal(udl_last_error(), "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_each_thread_reads_its_own_error_sentence),
        cmocka_unit_test(test_two_threads_get_the_bytes_of_one_after_the_other),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
