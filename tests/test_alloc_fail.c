/* Allocation failure: every allocation of every call fails in turn.
 *
 * This executable links the library's objects with src/core/status.c swapped for a copy
 * compiled with UDL_FAULT_INJECTION (tests/CMakeLists.txt), so udli_fault_arm(n) makes
 * the calling thread's n-th allocation through udli_alloc, udli_calloc or udli_realloc
 * fail. Each case runs once counting its allocations, then once for every n up to that
 * count, so the sweep is exact and follows the code as it changes. A failed call must
 * return UDL_ENOMEM with a sentence, hand out nothing (no model, no array, no file, not
 * even a temporary one), leave the model it was given exactly as it was (its saved bytes)
 * and working: a failed train, run again, trains exactly as an untouched model would.
 * LeakSanitizer (the sanitizer build) checks that nothing leaks on any of those paths.
 *
 * Memory that BLAS, LAPACK, zlib, OpenMP and the C library allocate for themselves does
 * not go through udli_alloc and is not swept. OMP_NUM_THREADS=1 (set by ctest) keeps
 * every allocation on the calling thread, so the counts repeat. UDL_ALLOC_FAIL_TRACE=1
 * prints the sentence of each failed allocation. */
#define _POSIX_C_SOURCE 200809L

#include "helpers.h"

#include <dirent.h>
#include <pthread.h>
#include <sys/stat.h>
#include <zlib.h>

#include <udl/udl.h>

#include "core/error.h"
#include "core/model.h"

enum { N = 24, D = 6, K = 3, TSNE_N = 30 };

static double x_data[N * D], label_data[N], tsne_data[TSNE_N * D];
static udl_mat X, Y;
static double out[TSNE_N * D * 4], aux[4][4 * N];
static char dir_in[512], dir_out[512];
static udl_sae *stack;  /* trained: deep autoencoders and classifiers start from it */
static udl_dbn *belief; /* trained: the same for deep belief nets */

static const char *in_path(const char *name)
{
    static char p[1024];
    snprintf(p, sizeof p, "%s/%s", dir_in, name);
    return p;
}

static const char *out_path(const char *name)
{
    static char p[1024];
    snprintf(p, sizeof p, "%s/%s", dir_out, name);
    return p;
}

/* ---- the models, small: one epoch over 24 rows of 6 -------------------------------- */

static const size_t stack_sizes[3] = {D, 5, 4}, dnn_sizes[4] = {D, 5, 4, K};

static udl_train_params one_epoch(udl_train_params t)
{
    t.epochs = 1;
    t.batch_size = 8;
    return t;
}

static udl_ae_params ae_params(void)
{
    udl_ae_params p = udl_ae_params_default();
    p.n_visible = D;
    p.n_hidden = 4;
    p.noise = UDL_NOISE_MASK;
    p.noise_level = 0.25;
    p.train = one_epoch(p.train);
    return p;
}

static udl_rbm_params rbm_params(udl_rbm_method method)
{
    udl_rbm_params p = udl_rbm_params_default();
    p.n_visible = D;
    p.n_hidden = 4;
    p.method = method;
    p.train = one_epoch(p.train);
    return p;
}

static udl_dnn_params dnn_params(void)
{
    udl_dnn_params p = udl_dnn_params_default();
    p.valid_fraction = 0.25; /* the held-out rows, their history and the best epoch */
    p.patience = 1;
    p.train = one_epoch(p.train);
    return p;
}

static udl_status create_kind(udl_kind kind, void **made)
{
    *made = NULL;
    switch (kind) {
    case UDL_KIND_PCA: {
        udl_pca_params p = udl_pca_params_default();
        p.n_components = 3;
        udl_pca *m;
        udl_status s = udl_pca_create(&p, &m);
        *made = m;
        return s;
    }
    case UDL_KIND_AUTOENCODER: {
        udl_ae_params p = ae_params();
        udl_ae *m;
        udl_status s = udl_ae_create(&p, &m);
        *made = m;
        return s;
    }
    case UDL_KIND_STACKED_AUTOENCODER: {
        udl_ae_params p = ae_params();
        udl_sae *m;
        udl_status s = udl_sae_create(&p, stack_sizes, 3, &m);
        *made = m;
        return s;
    }
    case UDL_KIND_DEEP_AUTOENCODER: {
        udl_deep_ae_params p = udl_deep_ae_params_default();
        p.train = one_epoch(p.train);
        udl_deep_ae *m;
        udl_status s = udl_deep_ae_create(stack, &p, &m);
        *made = m;
        return s;
    }
    case UDL_KIND_RBM: {
        udl_rbm_params p = rbm_params(UDL_RBM_PCD); /* chains kept across batches */
        udl_rbm *m;
        udl_status s = udl_rbm_create(&p, &m);
        *made = m;
        return s;
    }
    case UDL_KIND_DBN: {
        udl_rbm_params p = rbm_params(UDL_RBM_CD);
        udl_dbn *m;
        udl_status s = udl_dbn_create(&p, stack_sizes, 3, &m);
        *made = m;
        return s;
    }
    case UDL_KIND_DNN: {
        udl_dnn_params p = dnn_params();
        udl_dnn *m;
        udl_status s = udl_dnn_create(&p, dnn_sizes, 4, &m);
        *made = m;
        return s;
    }
    }
    fail_msg("no such kind %d", (int)kind);
    return UDL_EINVAL;
}

static udl_status train_kind(udl_kind kind, void *m)
{
    switch (kind) {
    case UDL_KIND_PCA: return udl_pca_fit(m, X, NULL, NULL);
    case UDL_KIND_AUTOENCODER: return udl_ae_train(m, X, NULL, NULL);
    case UDL_KIND_STACKED_AUTOENCODER: return udl_sae_train(m, X, NULL, NULL);
    case UDL_KIND_DEEP_AUTOENCODER: return udl_deep_ae_train(m, X, NULL, NULL);
    case UDL_KIND_RBM: return udl_rbm_train(m, X, NULL, NULL);
    case UDL_KIND_DBN: return udl_dbn_train(m, X, NULL, NULL);
    case UDL_KIND_DNN: return udl_dnn_train(m, X, Y, NULL, NULL, NULL, NULL);
    }
    fail_msg("no such kind %d", (int)kind);
    return UDL_EINVAL;
}

static udl_status load_kind(udl_kind kind, const char *path, void **made)
{
    *made = NULL;
    switch (kind) {
    case UDL_KIND_PCA: return udl_pca_load(path, (udl_pca **)made);
    case UDL_KIND_AUTOENCODER: return udl_ae_load(path, (udl_ae **)made);
    case UDL_KIND_STACKED_AUTOENCODER: return udl_sae_load(path, (udl_sae **)made);
    case UDL_KIND_DEEP_AUTOENCODER: return udl_deep_ae_load(path, (udl_deep_ae **)made);
    case UDL_KIND_RBM: return udl_rbm_load(path, (udl_rbm **)made);
    case UDL_KIND_DBN: return udl_dbn_load(path, (udl_dbn **)made);
    case UDL_KIND_DNN: return udl_dnn_load(path, (udl_dnn **)made);
    }
    fail_msg("no such kind %d", (int)kind);
    return UDL_EINVAL;
}

static void free_kind(udl_kind kind, void *m)
{
    if (m)
        udli_kind_row_of((uint32_t)kind)->free(m);
}

/* A model's file, byte for byte (saved unarmed, then removed). */
typedef struct bytes {
    unsigned char *data;
    size_t size;
} bytes;

static bytes read_whole(const char *path)
{
    bytes b = {NULL, 0};
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    long size = ftell(f);
    assert_true(size > 0);
    rewind(f);
    b.size = (size_t)size;
    b.data = malloc(b.size);
    assert_non_null(b.data);
    assert_int_equal(fread(b.data, 1, b.size, f), b.size);
    fclose(f);
    return b;
}

static bytes saved(udl_kind kind, const void *m)
{
    if (kind == UDL_KIND_PCA && !udl_pca_is_fitted(m)) { /* which cannot be saved */
        bytes b = {malloc(8), 8};
        assert_non_null(b.data);
        memcpy(b.data, "unfitted", 8);
        return b;
    }
    const char *p = in_path("snapshot.udl");
    udl_status s = udli_kind_row_of((uint32_t)kind)->save(m, p);
    if (s)
        fail_msg("saving the %s: %s", udli_kind_title(kind), udl_last_error());
    bytes b = read_whole(p);
    remove(p);
    return b;
}

static int same(bytes a, bytes b)
{
    return a.size == b.size && (a.size == 0 || memcmp(a.data, b.data, a.size) == 0);
}

/* A stack trains its layers one after the other, and a layer keeps its training when one
 * above it fails (as when canceled; udl_sae_train, udl_dbn_train): its documented state
 * after a failure is layers 0..j-1 as a successful call leaves them, the others as they
 * were. So for a stack the sweep compares layer by layer. */
static int is_stack(udl_kind kind)
{
    return kind == UDL_KIND_STACKED_AUTOENCODER || kind == UDL_KIND_DBN;
}

enum { MAX_LAYERS = 4 };

static void layers_saved(udl_kind kind, const void *m, bytes *layers)
{
    for (size_t i = 0; i < MAX_LAYERS; i++) {
        const void *layer = kind == UDL_KIND_DBN ? (const void *)udl_dbn_layer(m, i)
                                                 : (const void *)udl_sae_layer(m, i);
        layers[i] = layer ? saved(kind == UDL_KIND_DBN ? UDL_KIND_RBM : UDL_KIND_AUTOENCODER,
                                  layer)
                          : (bytes){NULL, 0};
    }
}

static void layers_free(bytes *layers)
{
    for (size_t i = 0; i < MAX_LAYERS; i++)
        free(layers[i].data);
}

/* Whether the stack m has layers 0..j-1 of after and the rest of before, for some j. */
static int trained_up_to_a_layer(udl_kind kind, const void *m, bytes *before, bytes *after)
{
    bytes now[MAX_LAYERS];
    layers_saved(kind, m, now);
    size_t j = 0;
    while (j < MAX_LAYERS && now[j].data && same(now[j], after[j]) && !same(now[j], before[j]))
        j++;
    int ok = 1;
    for (size_t i = j; i < MAX_LAYERS; i++)
        ok &= same(now[i], before[i]);
    layers_free(now);
    return ok;
}

/* ---- one case: a call, the model it is given, what it makes ------------------------- */

typedef enum given { GIVEN_NONE, GIVEN_FRESH, GIVEN_TRAINED } given;

typedef struct run {
    udl_kind kind;          /* the kind of the model given (0: none) */
    void *model;            /* the model given to the call */
    udl_model *handle;      /* a handle wrapping it */
    void *made;             /* a model the call made, of kind made_kind */
    udl_kind made_kind;
    udl_model *made_handle; /* a handle the call made (udl_model_load) */
    udl_array array;        /* what a reader or the image grid gave */
    size_t layer;           /* feature visualization's layer */
    const char *written;    /* the file a successful call wrote */
    udl_ais_result ais;
} run;

typedef struct op {
    const char *name;
    given given;
    udl_status (*call)(run *r);
    /* A successful call changes the model given (train): after a failed one, the call is
     * made again unarmed and must give the model an untouched one gets. */
    int changes_model;
    int (*applies)(udl_kind kind);   /* NULL: every kind */
    void (*prepare)(run *r);         /* after the model given is made; unarmed */
    void (*settle)(run *r);          /* after a successful call (unarmed): finishes or
                                      * checks what it did */
} op;

/* The usual rows: a call given nothing, and one given a trained model it must not
 * change. */
#define ON_NOTHING(name, call) {name, GIVEN_NONE, call, 0, NULL, NULL, NULL}
#define ON_TRAINED(name, call) {name, GIVEN_TRAINED, call, 0, NULL, NULL, NULL}

static void prepare(run *r, const op *o, udl_kind kind)
{
    memset(r, 0, sizeof *r);
    r->kind = kind;
    if (o->given != GIVEN_NONE) {
        assert_int_equal(create_kind(kind, &r->model), UDL_OK);
        if (o->given == GIVEN_TRAINED)
            assert_int_equal(train_kind(kind, r->model), UDL_OK);
        assert_int_equal(udl_model_wrap(kind, r->model, &r->handle), UDL_OK);
    }
    if (o->prepare)
        o->prepare(r);
}

static void release(run *r)
{
    udl_model_free(r->handle);
    free_kind(r->kind, r->model);
    free_kind(r->made_kind, r->made);
    udl_model_free(r->made_handle);
    udl_array_free(&r->array);
    if (r->written)
        remove(r->written);
    memset(r, 0, sizeof *r);
}

static size_t files_in(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    size_t n = 0;
    for (struct dirent *e; (e = readdir(d));)
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return n;
}

static const char *case_name(const op *o, udl_kind kind)
{
    static char name[128];
    snprintf(name, sizeof name, "%s%s%s", kind ? udl_kind_name(kind) : "",
             kind ? " " : "", o->name);
    return name;
}

/* What must hold after the call failed at allocation n: a sentence, nothing handed out,
 * no file, the model given as it was and working. */
static void check_failed(const op *o, run *r, udl_status s, unsigned long n, unsigned long count,
                         bytes before)
{
    const char *name = case_name(o, r->kind);
    if (s != UDL_ENOMEM)
        fail_msg("%s: allocation %lu of %lu failed, but the call returned %s (%s)", name, n,
                 count, udl_status_str(s), udl_last_error());
    if (strcmp(udl_last_error(), "untouched") == 0 || !*udl_last_error())
        fail_msg("%s: allocation %lu of %lu failed without a sentence", name, n, count);
    if (r->made || r->made_handle || r->array.data)
        fail_msg("%s: allocation %lu of %lu failed, but the call handed out memory", name, n,
                 count);
    if (files_in(dir_out) != 0)
        fail_msg("%s: allocation %lu of %lu failed, but a file was left in %s", name, n, count,
                 dir_out);
    if (!r->model)
        return;
    bytes now = saved(r->kind, r->model);
    if (before.data && !same(now, before))
        fail_msg("%s: allocation %lu of %lu failed, and the model changed", name, n, count);
    free(now.data);
    if (o->given == GIVEN_TRAINED) {
        size_t codes = udl_model_n_codes(r->handle);
        assert_true(codes * N <= sizeof out / sizeof out[0]);
        s = udl_model_encode(r->handle, X, udl_mat_view(out, N, codes));
        if (s)
            fail_msg("%s: after allocation %lu failed, encode says %s", name, n,
                     udl_last_error());
    }
}

/* After the call failed at allocation n, the call made again, unarmed, succeeds and
 * (unless expected is empty) leaves the model a call on an untouched one leaves. */
static void call_again(const op *o, run *r, unsigned long n, unsigned long count,
                       bytes expected)
{
    const char *name = case_name(o, r->kind);
    udl_status s = o->call(r);
    if (s)
        fail_msg("%s: after allocation %lu failed, the call again: %s", name, n,
                 udl_last_error());
    if (o->settle)
        o->settle(r);
    bytes now = saved(r->kind, r->model);
    if (expected.data && !same(now, expected))
        fail_msg("%s: after allocation %lu of %lu failed, the call again gives another model "
                 "than the call on an untouched one", name, n, count);
    free(now.data);
}

typedef struct tally {
    unsigned long cases, points;
} tally;

/* Counts the case's allocations, then fails each in turn. */
static unsigned long sweep(const op *o, udl_kind kind)
{
    const char *name = case_name(o, kind);
    run r;
    prepare(&r, o, kind);
    bytes before = {NULL, 0}, after = {NULL, 0};
    bytes layers_before[MAX_LAYERS] = {{NULL, 0}}, layers_after[MAX_LAYERS] = {{NULL, 0}};
    const int stacked = o->changes_model && is_stack(kind);
    if (r.model)
        before = saved(kind, r.model);
    if (stacked)
        layers_saved(kind, r.model, layers_before);
    udli_fault_arm(0);
    udl_status s = o->call(&r);
    const unsigned long count = udli_fault_calls();
    if (s)
        fail_msg("%s: fails with every allocation there: %s", name, udl_last_error());
    if (o->settle)
        o->settle(&r);
    if (stacked)
        layers_saved(kind, r.model, layers_after);
    if (r.model) {
        after = saved(kind, r.model);
        if (!o->changes_model && !same(before, after))
            fail_msg("%s: the call changed the model it was given", name);
    }
    release(&r);

    for (unsigned long n = 1; n <= count; n++) {
        prepare(&r, o, kind);
        udli_fail(UDL_OK, "untouched");
        udli_fault_arm(n);
        s = o->call(&r);
        udli_fault_arm(0);
        if (getenv("UDL_ALLOC_FAIL_TRACE")) /* which allocation each n is */
            print_message("  %lu: %s\n", n, udl_last_error());
        check_failed(o, &r, s, n, count, stacked ? (bytes){NULL, 0} : before);
        if (stacked && !trained_up_to_a_layer(kind, r.model, layers_before, layers_after))
            fail_msg("%s: allocation %lu of %lu failed, and the layers are neither as they "
                     "were nor as the call leaves them", name, n, count);
        if (o->changes_model)
            call_again(o, &r, n, count, stacked ? (bytes){NULL, 0} : after);
        release(&r);
    }
    free(before.data);
    free(after.data);
    layers_free(layers_before);
    layers_free(layers_after);
    print_message("%-32s %4lu allocations\n", name, count);
    return count;
}

static tally everything;

static void sweep_all(const op *ops, size_t n_ops, udl_kind kind, tally *t)
{
    for (size_t i = 0; i < n_ops; i++) {
        if (ops[i].applies && !ops[i].applies(kind))
            continue;
        const unsigned long points = sweep(&ops[i], kind);
        t->points += points;
        t->cases++;
        everything.points += points;
        everything.cases++;
    }
}

/* ---- every kind through its own create and train, and the generic handle ----------- */

static int has_reconstruct(udl_kind k) { return udli_kind_row_of(k)->reconstruct != NULL; }
static int has_predict(udl_kind k) { return udli_kind_row_of(k)->predict != NULL; }
static int has_sample(udl_kind k) { return udli_kind_row_of(k)->sample != NULL; }
static int has_layers(udl_kind k) { return udli_kind_row_of(k)->net != NULL; }

static udl_status call_create(run *r)
{
    r->made_kind = r->kind;
    return create_kind(r->kind, &r->made);
}

static udl_status call_train(run *r) { return train_kind(r->kind, r->model); }

static udl_status call_encode(run *r)
{
    return udl_model_encode(r->handle, X, udl_mat_view(out, N, udl_model_n_codes(r->handle)));
}

static udl_status call_reconstruct(run *r)
{
    return udl_model_reconstruct(r->handle, X, udl_mat_view(out, N, D));
}

static udl_status call_predict(run *r)
{
    return udl_model_predict(r->handle, X, udl_mat_view(out, N, udl_model_n_outputs(r->handle)));
}

static udl_status call_sample(run *r)
{
    return udl_model_sample(r->handle, udl_mat_view(out, N, D), 2, 7);
}

static udl_status call_save(run *r)
{
    udl_status s = udl_model_save(r->handle, out_path("model.udl"));
    if (!s)
        r->written = out_path("model.udl");
    return s;
}

static void save_to_in(run *r)
{
    assert_int_equal(udl_model_save(r->handle, in_path("model.udl")), UDL_OK);
}

static udl_status call_model_load(run *r)
{
    return udl_model_load(in_path("model.udl"), &r->made_handle);
}

/* A loaded model saves the bytes of the one saved. */
static void compare_loaded(run *r)
{
    void *m = r->made ? r->made : udl_model_object(r->made_handle);
    bytes a = saved(r->kind, m), b = saved(r->kind, r->model);
    assert_true(same(a, b));
    free(a.data);
    free(b.data);
}

static udl_status call_typed_load(run *r)
{
    r->made_kind = r->kind;
    return load_kind(r->kind, in_path("model.udl"), &r->made);
}

/* The format-1 files of udl 0.1 (tests/fixtures/format1), upgraded as they load. */
static const char *format1_path(udl_kind kind)
{
    static char p[1024];
    snprintf(p, sizeof p, "%s/format1/%s.udl", UDL_FIXTURES, udl_kind_name(kind));
    return p;
}

static int has_format1(udl_kind kind)
{
    FILE *f = fopen(format1_path(kind), "rb");
    if (f)
        fclose(f);
    return f != NULL;
}

static udl_status call_format1_load(run *r)
{
    return udl_model_load(format1_path(r->kind), &r->made_handle);
}

static void top_layer(run *r)
{
    size_t n, widths[8];
    assert_int_equal(udl_featviz_layers(r->handle, &n, widths), UDL_OK);
    r->layer = n - 1;
}

static udl_status call_first_layer(run *r)
{
    return udl_featviz_first_layer(r->handle, 2.0, 1, udl_mat_view(out, 2, D));
}

static udl_status call_ascent(run *r)
{
    udl_featviz_params p = udl_featviz_params_default();
    p.steps = 3;
    p.restarts = 2;
    return udl_featviz_ascent(r->handle, r->layer, 0, &p, udl_mat_view(out, 2, D), aux[0]);
}

static const op kind_ops[] = {
    ON_NOTHING("create", call_create),
    {"train", GIVEN_FRESH, call_train, 1, NULL, NULL, NULL},
    {"train again", GIVEN_TRAINED, call_train, 1, NULL, NULL, NULL},
    ON_TRAINED("encode", call_encode),
    {"reconstruct", GIVEN_TRAINED, call_reconstruct, 0, has_reconstruct, NULL, NULL},
    {"predict", GIVEN_TRAINED, call_predict, 0, has_predict, NULL, NULL},
    {"sample", GIVEN_TRAINED, call_sample, 0, has_sample, NULL, NULL},
    ON_TRAINED("save", call_save),
    {"udl_model_load", GIVEN_TRAINED, call_model_load, 0, NULL, save_to_in,
     compare_loaded},
    {"typed load", GIVEN_TRAINED, call_typed_load, 0, NULL, save_to_in,
     compare_loaded},
    {"format-1 load", GIVEN_NONE, call_format1_load, 0, has_format1, NULL, NULL},
    {"featviz first layer", GIVEN_TRAINED, call_first_layer, 0, has_layers, NULL, NULL},
    {"featviz ascent", GIVEN_TRAINED, call_ascent, 0, has_layers, top_layer, NULL},
};

static void test_every_allocation_of_every_kind_s_calls_fails_cleanly(void **state)
{
    (void)state;
    tally all = {0, 0};
    for (uint32_t kind = 1; kind <= UDL_KIND_COUNT; kind++) {
        tally t = {0, 0};
        sweep_all(kind_ops, sizeof kind_ops / sizeof kind_ops[0], (udl_kind)kind, &t);
        print_message("%-10s %lu calls, %lu allocation points\n", udl_kind_name(kind), t.cases,
                      t.points);
        all.cases += t.cases;
        all.points += t.points;
    }
    print_message("every kind: %lu calls, %lu allocation points\n", all.cases, all.points);
}

/* ---- what only some kinds do ------------------------------------------------------ */

static udl_status call_partial_fit(run *r)
{
    return udl_pca_partial_fit(r->model, udl_mat_rows(X, N / 2, N / 2));
}

static void feed_first_half(run *r)
{
    assert_int_equal(udl_pca_partial_fit(r->model, udl_mat_rows(X, 0, N / 2)), UDL_OK);
}

static void finish_fit(run *r) { assert_int_equal(udl_pca_finish(r->model), UDL_OK); }

static void feed_both_halves(run *r)
{
    feed_first_half(r);
    assert_int_equal(udl_pca_partial_fit(r->model, udl_mat_rows(X, N / 2, N / 2)), UDL_OK);
}

static udl_status call_finish(run *r) { return udl_pca_finish(r->model); }

static udl_status call_pca_error(run *r)
{
    return udl_pca_reconstruction_error(r->model, X, aux[0]);
}

static udl_status call_free_energy(run *r) { return udl_rbm_free_energy(r->model, X, aux[0]); }

static udl_status call_pseudo_likelihood(run *r)
{
    return udl_rbm_pseudo_likelihood(r->model, X, 3, aux[0]);
}

static udl_status call_rbm_error(run *r)
{
    return udl_rbm_reconstruction_error(r->model, X, aux[0]);
}

static udl_status call_gibbs(run *r)
{
    memcpy(out, x_data, sizeof x_data);
    return udl_rbm_gibbs(r->model, udl_mat_view(out, N, D), 2, 5);
}

static udl_ais_params small_ais(void)
{
    udl_ais_params p = udl_ais_params_default();
    p.n_runs = 4;
    p.n_betas = 20;
    return p;
}

static udl_status call_log_partition(run *r)
{
    udl_ais_params p = small_ais();
    return udl_rbm_log_partition(r->model, &p, &X, &r->ais);
}

static void estimate_log_z(run *r)
{
    udl_ais_params p = small_ais();
    assert_int_equal(udl_rbm_log_partition(r->model, &p, NULL, &r->ais), UDL_OK);
}

static udl_status call_log_likelihood(run *r)
{
    return udl_rbm_log_likelihood(r->model, X, &r->ais, aux[0], aux[1], aux[2]);
}

static udl_status call_dbn_featviz(run *r)
{
    return udl_featviz_dbn_sample(r->model, 1, 2, 9, udl_mat_view(out, 3, D));
}

static udl_status call_deep_from_dbn(run *r)
{
    udl_deep_ae_params p = udl_deep_ae_params_default();
    r->made_kind = UDL_KIND_DEEP_AUTOENCODER;
    return udl_deep_ae_create_from_dbn(belief, &p, (udl_deep_ae **)&r->made);
}

static udl_status pretrain(run *r, udl_pretrain method)
{
    udl_dnn_pretrain_params p = udl_dnn_pretrain_params_default(method);
    p.train = one_epoch(p.train);
    return udl_dnn_pretrain(r->model, &p, X, NULL, NULL);
}

static udl_status call_pretrain_rbm(run *r) { return pretrain(r, UDL_PRETRAIN_RBM); }
static udl_status call_pretrain_dae(run *r) { return pretrain(r, UDL_PRETRAIN_DAE); }
static udl_status call_init_from_sae(run *r) { return udl_dnn_init_from_sae(r->model, stack); }
static udl_status call_init_from_dbn(run *r) { return udl_dnn_init_from_dbn(r->model, belief); }

static udl_status call_dnn_labels(run *r)
{
    return udl_dnn_predict(r->model, X, udl_mat_view(out, N, 1));
}

static udl_status call_evaluate(run *r)
{
    udl_dnn_eval e;
    size_t confusion[K * K];
    return udl_dnn_evaluate(r->model, X, Y, &e, confusion, aux[0]);
}

static udl_status call_hidden(run *r)
{
    return udl_dnn_hidden(r->model, X, 1, udl_mat_view(out, N, 4));
}

static udl_status call_input_gradient(run *r)
{
    return udl_dnn_input_gradient(r->model, X, Y, udl_mat_view(out, N, D), aux[0]);
}

static udl_status call_unit_gradient(run *r)
{
    return udl_dnn_unit_gradient(r->model, X, 2, 1, udl_mat_view(out, N, D), aux[0]);
}

static udl_status attack(run *r, udl_attack_method method)
{
    udl_attack_params p = udl_attack_params_default(method);
    p.steps = 3;
    p.restarts = 2;
    udl_attack_report report = {aux[0], aux[1], aux[2], aux[3]};
    return udl_attack(r->model, &p, X, Y, udl_mat_view(out, N, D), &report);
}

static udl_status call_fgsm(run *r) { return attack(r, UDL_ATTACK_FGSM); }
static udl_status call_fgm_l2(run *r) { return attack(r, UDL_ATTACK_FGM_L2); }
static udl_status call_bim(run *r) { return attack(r, UDL_ATTACK_BIM); }
static udl_status call_pgd(run *r) { return attack(r, UDL_ATTACK_PGD); }
static udl_status call_pgd_l2(run *r) { return attack(r, UDL_ATTACK_PGD_L2); }
static udl_status call_deepfool(run *r) { return attack(r, UDL_ATTACK_DEEPFOOL); }

static udl_status call_adversarial_train(run *r)
{
    udl_attack_params p = udl_attack_params_default(UDL_ATTACK_PGD);
    p.steps = 2;
    return udl_adversarial_train(r->model, &p, 0.5, X, Y, NULL, NULL, NULL, NULL);
}

typedef struct kind_op {
    udl_kind kind;
    op op;
} kind_op;

static const kind_op extra_ops[] = {
    {UDL_KIND_PCA, {"partial_fit", GIVEN_FRESH, call_partial_fit, 1, NULL, feed_first_half,
                    finish_fit}},
    {UDL_KIND_PCA, {"finish", GIVEN_FRESH, call_finish, 1, NULL, feed_both_halves, NULL}},
    {UDL_KIND_PCA, ON_TRAINED("reconstruction_error", call_pca_error)},
    {UDL_KIND_RBM, ON_TRAINED("free_energy", call_free_energy)},
    {UDL_KIND_RBM, ON_TRAINED("pseudo_likelihood", call_pseudo_likelihood)},
    {UDL_KIND_RBM, ON_TRAINED("reconstruction_error", call_rbm_error)},
    {UDL_KIND_RBM, ON_TRAINED("gibbs", call_gibbs)},
    {UDL_KIND_RBM, ON_TRAINED("log_partition", call_log_partition)},
    {UDL_KIND_RBM, {"log_likelihood", GIVEN_TRAINED, call_log_likelihood, 0, NULL,
                    estimate_log_z, NULL}},
    {UDL_KIND_DBN, ON_TRAINED("featviz_dbn_sample", call_dbn_featviz)},
    {UDL_KIND_DBN, ON_NOTHING("deep_ae_create_from_dbn", call_deep_from_dbn)},
    {UDL_KIND_DNN, {"pretrain rbm", GIVEN_FRESH, call_pretrain_rbm, 1, NULL, NULL, NULL}},
    {UDL_KIND_DNN, {"pretrain dae", GIVEN_FRESH, call_pretrain_dae, 1, NULL, NULL, NULL}},
    {UDL_KIND_DNN, {"init_from_sae", GIVEN_FRESH, call_init_from_sae, 1, NULL, NULL, NULL}},
    {UDL_KIND_DNN, {"init_from_dbn", GIVEN_FRESH, call_init_from_dbn, 1, NULL, NULL, NULL}},
    {UDL_KIND_DNN, ON_TRAINED("predict labels", call_dnn_labels)},
    {UDL_KIND_DNN, ON_TRAINED("evaluate", call_evaluate)},
    {UDL_KIND_DNN, ON_TRAINED("hidden", call_hidden)},
    {UDL_KIND_DNN, ON_TRAINED("input_gradient", call_input_gradient)},
    {UDL_KIND_DNN, ON_TRAINED("unit_gradient", call_unit_gradient)},
    {UDL_KIND_DNN, ON_TRAINED("attack fgsm", call_fgsm)},
    {UDL_KIND_DNN, ON_TRAINED("attack fgm-l2", call_fgm_l2)},
    {UDL_KIND_DNN, ON_TRAINED("attack bim", call_bim)},
    {UDL_KIND_DNN, ON_TRAINED("attack pgd", call_pgd)},
    {UDL_KIND_DNN, ON_TRAINED("attack pgd-l2", call_pgd_l2)},
    {UDL_KIND_DNN, ON_TRAINED("attack deepfool", call_deepfool)},
    {UDL_KIND_DNN, {"adversarial_train", GIVEN_TRAINED, call_adversarial_train, 1, NULL, NULL,
                    NULL}},
};

static void test_every_allocation_of_the_kinds_own_calls_fails_cleanly(void **state)
{
    (void)state;
    tally t = {0, 0};
    for (size_t i = 0; i < sizeof extra_ops / sizeof extra_ops[0]; i++)
        sweep_all(&extra_ops[i].op, 1, extra_ops[i].kind, &t);
    print_message("the kinds' own calls: %lu calls, %lu allocation points\n", t.cases,
                  t.points);
}

/* ---- t-SNE and the image grid (no model) -------------------------------------------- */

static udl_status embed(udl_tsne_method method, udl_tsne_init init)
{
    udl_tsne_params p = udl_tsne_params_default();
    p.perplexity = 5.0;
    p.method = method;
    p.init = init;
    p.n_iter = 6;
    p.exaggeration_iter = 3;
    p.report_every = 2;
    udl_tsne_result result;
    return udl_tsne_embed(&p, udl_mat_view(tsne_data, TSNE_N, D), udl_mat_view(out, TSNE_N, 2),
                          NULL, NULL, &result);
}

static udl_status call_tsne_exact(run *r)
{
    (void)r;
    return embed(UDL_TSNE_EXACT, UDL_TSNE_INIT_PCA);
}

static udl_status call_tsne_bh(run *r)
{
    (void)r;
    return embed(UDL_TSNE_BARNES_HUT, UDL_TSNE_INIT_PCA);
}

static udl_status call_tsne_bh_random(run *r)
{
    (void)r;
    return embed(UDL_TSNE_BARNES_HUT, UDL_TSNE_INIT_RANDOM);
}

static udl_status call_image_grid(run *r)
{
    return udl_image_grid(udl_mat_view(x_data, 4, D), 2, 3, 3, &r->array);
}

static const op free_ops[] = {
    ON_NOTHING("tsne exact", call_tsne_exact),
    ON_NOTHING("tsne barnes-hut", call_tsne_bh),
    ON_NOTHING("tsne barnes-hut random init", call_tsne_bh_random),
    ON_NOTHING("image_grid", call_image_grid),
};

static void test_every_allocation_of_tsne_and_the_image_grid_fails_cleanly(void **state)
{
    (void)state;
    tally t = {0, 0};
    sweep_all(free_ops, sizeof free_ops / sizeof free_ops[0], (udl_kind)0, &t);
    print_message("t-SNE and the image grid: %lu calls, %lu allocation points\n", t.cases,
                  t.points);
}

/* ---- the data readers and writers --------------------------------------------------- */

/* A .npy file from the format's definition: magic, version 1.0, the header's length,
 * then the dict padded with spaces and ended by a newline so that the data starts at byte
 * 128 (a multiple of 64), then the data. */
static void write_npy(const char *name, const char *dict, const void *data, size_t size)
{
    enum { START = 128, DICT_ROOM = START - 10 };
    unsigned char head[START];
    assert_true(strlen(dict) < DICT_ROOM);
    memcpy(head, "\x93NUMPY\x01\x00", 8);
    head[8] = DICT_ROOM & 0xff;
    head[9] = DICT_ROOM >> 8;
    memset(head + 10, ' ', DICT_ROOM - 1);
    memcpy(head + 10, dict, strlen(dict));
    head[START - 1] = '\n';
    FILE *f = fopen(in_path(name), "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(head, 1, START, f), START);
    assert_int_equal(fwrite(data, 1, size, f), size);
    fclose(f);
}

/* An MNIST IDX file of unsigned bytes, plain or gzip. */
static void write_idx(const char *name, int gz, int ndim, const uint32_t *dims,
                      const unsigned char *data, size_t size)
{
    unsigned char head[4 + 4 * 3] = {0, 0, 0x08, (unsigned char)ndim};
    for (int d = 0; d < ndim; d++)
        for (int b = 0; b < 4; b++)
            head[4 + 4 * d + b] = (unsigned char)(dims[d] >> (24 - 8 * b));
    const size_t head_size = 4 + 4 * (size_t)ndim;
    if (gz) {
        gzFile g = gzopen(in_path(name), "wb");
        assert_non_null(g);
        assert_int_equal(gzwrite(g, head, (unsigned)head_size), (int)head_size);
        assert_int_equal(gzwrite(g, data, (unsigned)size), (int)size);
        assert_int_equal(gzclose(g), Z_OK);
    } else {
        FILE *f = fopen(in_path(name), "wb");
        assert_non_null(f);
        fwrite(head, 1, head_size, f);
        fwrite(data, 1, size, f);
        fclose(f);
    }
}

static void write_data_files(void)
{
    write_npy("f64.npy", "{'descr': '<f8', 'fortran_order': False, 'shape': (24, 6), }",
              x_data, sizeof x_data);
    float f32[4 * 3];
    for (size_t i = 0; i < 12; i++)
        f32[i] = (float)i / 4.0f;
    write_npy("f32-fortran.npy", "{'descr': '<f4', 'fortran_order': True, 'shape': (4, 3), }",
              f32, sizeof f32);
    unsigned char pixels[5 * 2 * 3];
    for (size_t i = 0; i < sizeof pixels; i++)
        pixels[i] = (unsigned char)(i * 37);
    write_npy("u8-images.npy", "{'descr': '|u1', 'fortran_order': False, 'shape': (5, 2, 3), }",
              pixels, sizeof pixels);
    int64_t labels[7] = {0, 1, 2, 0, 1, 2, 9};
    write_npy("i64-labels.npy", "{'descr': '<i8', 'fortran_order': False, 'shape': (7,), }",
              labels, sizeof labels);
    const uint32_t image_dims[3] = {5, 2, 3}, label_dims[1] = {7};
    write_idx("images.idx", 0, 3, image_dims, pixels, sizeof pixels);
    write_idx("images.idx.gz", 1, 3, image_dims, pixels, sizeof pixels);
    write_idx("labels.idx.gz", 1, 1, label_dims, pixels, 7);
    FILE *f = fopen(in_path("data.csv"), "w");
    assert_non_null(f);
    fputs("a,b,c\n# a comment\n\n", f);
    for (int i = 0; i < 150; i++) /* enough lines that the reader's array grows twice */
        fprintf(f, "%d,%g,%.17g\n", i, i * 0.5, x_data[i % (N * D)]);
    fclose(f);
}

static udl_status read_npy(run *r, const char *name)
{
    return udl_npy_read(in_path(name), 0, &r->array);
}

static udl_status call_npy_f64(run *r) { return read_npy(r, "f64.npy"); }
static udl_status call_npy_f32(run *r) { return read_npy(r, "f32-fortran.npy"); }
static udl_status call_npy_u8(run *r) { return read_npy(r, "u8-images.npy"); }
static udl_status call_npy_i64(run *r) { return read_npy(r, "i64-labels.npy"); }

static udl_status call_idx_plain(run *r)
{
    return udl_idx_read(in_path("images.idx"), 0, &r->array);
}

static udl_status call_idx_gzip(run *r)
{
    return udl_idx_read(in_path("images.idx.gz"), 0, &r->array);
}

static udl_status call_idx_gzip_labels(run *r)
{
    return udl_idx_read(in_path("labels.idx.gz"), UDL_READ_RAW, &r->array);
}

static udl_status call_csv(run *r) { return udl_csv_read(in_path("data.csv"), &r->array); }

static udl_status call_data_npy(run *r)
{
    return udl_data_read(in_path("u8-images.npy"), 0, &r->array);
}

static udl_status call_data_idx(run *r)
{
    return udl_data_read(in_path("images.idx.gz"), 0, &r->array);
}

static udl_status call_data_csv(run *r) { return udl_data_read(in_path("data.csv"), 0, &r->array); }

static udl_status call_npy_write(run *r)
{
    udl_status s = udl_npy_write(out_path("x.npy"), X);
    if (!s)
        r->written = out_path("x.npy");
    return s;
}

static udl_status call_file_write(run *r)
{
    udl_status s = udl_file_write(out_path("x.bin"), x_data, sizeof x_data);
    if (!s)
        r->written = out_path("x.bin");
    return s;
}

static const op io_ops[] = {
    ON_NOTHING("npy_read float64", call_npy_f64),
    ON_NOTHING("npy_read float32 fortran", call_npy_f32),
    ON_NOTHING("npy_read uint8 images", call_npy_u8),
    ON_NOTHING("npy_read int64 labels", call_npy_i64),
    ON_NOTHING("idx_read plain", call_idx_plain),
    ON_NOTHING("idx_read gzip", call_idx_gzip),
    ON_NOTHING("idx_read gzip labels", call_idx_gzip_labels),
    ON_NOTHING("csv_read", call_csv),
    ON_NOTHING("data_read npy", call_data_npy),
    ON_NOTHING("data_read idx gzip", call_data_idx),
    ON_NOTHING("data_read csv", call_data_csv),
    ON_NOTHING("npy_write", call_npy_write),
    ON_NOTHING("file_write", call_file_write),
};

static void test_every_allocation_of_every_reader_and_writer_fails_cleanly(void **state)
{
    (void)state;
    tally t = {0, 0};
    sweep_all(io_ops, sizeof io_ops / sizeof io_ops[0], (udl_kind)0, &t);
    print_message("readers and writers: %lu calls, %lu allocation points\n", t.cases,
                  t.points);
}

static void *allocate_once(void *unused)
{
    (void)unused;
    return udli_alloc(1, 8, "another thread's");
}

/* The hook itself: the n-th allocation fails with the allocator's sentence, the others
 * do not, a failed realloc keeps the block, and the count is the calling thread's. */
static void test_the_hook_fails_exactly_the_nth_allocation(void **state)
{
    (void)state;
    udli_fault_arm(2);
    void *a = udli_alloc(3, 8, "first");
    void *b = udli_calloc(3, 8, "second");
    assert_string_equal(udl_last_error(), "second: could not allocate 24 bytes");
    void *c = udli_realloc(a, 5, 8, "third");
    assert_int_equal(udli_fault_calls(), 3);
    assert_non_null(a);
    assert_null(b);
    assert_non_null(c);

    udli_fault_arm(1);
    assert_null(udli_realloc(c, 9, 8, "grown")); /* c is still ours */
    pthread_t thread;
    void *theirs = NULL;
    assert_int_equal(pthread_create(&thread, NULL, allocate_once, NULL), 0);
    assert_int_equal(pthread_join(thread, &theirs), 0);
    assert_non_null(theirs); /* not armed there, nor counted here */
    assert_int_equal(udli_fault_calls(), 1);
    udli_fault_arm(0);
    free(theirs);
    free(c);
}

/* ---- setup --------------------------------------------------------------------------- */

static void make_dir(char *dir, size_t size, const char *name)
{
    tmp_path(dir, size, name);
    mkdir(dir, 0777);
    DIR *d = opendir(dir); /* empty it of a previous run's files */
    assert_non_null(d);
    for (struct dirent *e; (e = readdir(d));) {
        char p[1024];
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        if (e->d_name[0] != '.')
            remove(p);
    }
    closedir(d);
}

static int setup(void **state)
{
    (void)state;
    udli_rng rng;
    udli_rng_seed(&rng, 15);
    for (size_t i = 0; i < N * D; i++)
        x_data[i] = udli_rng_uniform(&rng);
    for (size_t i = 0; i < N; i++)
        label_data[i] = (double)(i % K);
    for (size_t i = 0; i < TSNE_N * D; i++)
        tsne_data[i] = udli_rng_normal(&rng) + (double)(i / D % 3) * 4.0;
    X = udl_mat_view(x_data, N, D);
    Y = udl_mat_view(label_data, N, 1);
    make_dir(dir_in, sizeof dir_in, "alloc-fail-in");
    make_dir(dir_out, sizeof dir_out, "alloc-fail-out");
    write_data_files();
    void *m;
    assert_int_equal(create_kind(UDL_KIND_STACKED_AUTOENCODER, &m), UDL_OK);
    assert_int_equal(train_kind(UDL_KIND_STACKED_AUTOENCODER, m), UDL_OK);
    stack = m;
    assert_int_equal(create_kind(UDL_KIND_DBN, &m), UDL_OK);
    assert_int_equal(train_kind(UDL_KIND_DBN, m), UDL_OK);
    belief = m;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    udl_sae_free(stack);
    udl_dbn_free(belief);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_hook_fails_exactly_the_nth_allocation),
        cmocka_unit_test(test_every_allocation_of_every_kind_s_calls_fails_cleanly),
        cmocka_unit_test(test_every_allocation_of_the_kinds_own_calls_fails_cleanly),
        cmocka_unit_test(test_every_allocation_of_tsne_and_the_image_grid_fails_cleanly),
        cmocka_unit_test(test_every_allocation_of_every_reader_and_writer_fails_cleanly),
    };
    const int failed = cmocka_run_group_tests(tests, setup, teardown);
    print_message("in all: %lu calls, %lu allocation points\n", everything.cases,
                  everything.points);
    return failed;
}
