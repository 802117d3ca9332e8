/* Fuzz targets for every data reader and every model kind, one per name:
 *
 *   npy, idx, idx-gz, csv               the readers (and udl_data_read on the same file)
 *   pca, ae, sae, deep-ae, rbm, dbn, dnn a model file of that kind
 *
 * Built with clang -fsanitize=fuzzer (make fuzz), one executable per target, each with
 * UDL_FUZZ_TARGET set to its name. Built without it, main() is the replayer ctest runs:
 * `fuzz_replay DIR` replays DIR/<target>/ for every target (each corpus must exist), and
 * `fuzz_replay TARGET FILE...` replays files through one target, to reproduce a crash.
 *
 * Model files get their kind word set to the target's kind and their CRC-32 recomputed
 * before loading, as zstd's fuzz builds skip their checksums: otherwise almost every
 * mutation would stop at the CRC, and the loaders' own checks would never be reached. A
 * model that loads is then used by every call that takes it, since what a loader lets
 * through must be safe for every later call. */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include <udl/udl.h>

#include "core/file.h"

/* A failed property: abort, which libFuzzer reports as a crash with the input saved. */
#define CHECK(cond)                                                                      \
    do {                                                                                 \
        if (!(cond)) {                                                                   \
            fprintf(stderr, "fuzz: check failed at line %d: %s\n", __LINE__, #cond);     \
            abort();                                                                     \
        }                                                                                \
    } while (0)

static char path[64], path2[64];
static long accepted; /* reads and loads that succeeded */

static void remove_paths(void)
{
    remove(path);
    remove(path2);
}

/* In memory where there is a tmpfs: every input is written as a file, and saves fsync. */
static void make_paths(void)
{
    if (!path[0]) {
        atexit(remove_paths);
        const char *dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
        snprintf(path, sizeof path, "%s/udl-fuzz-%ld.bin", dir, (long)getpid());
        snprintf(path2, sizeof path2, "%s/udl-fuzz-%ld-2.bin", dir, (long)getpid());
    }
}

static void write_file(const uint8_t *data, size_t size)
{
    make_paths();
    FILE *f = fopen(path, "wb");
    CHECK(f);
    CHECK(!size || fwrite(data, 1, size, f) == size);
    CHECK(fclose(f) == 0);
}

/* ---- the readers ------------------------------------------------------------------- */

/* A successful read gives a consistent array, which written as .npy reads back bit for
 * bit; a failed one hands out no memory. */
static void check_array(udl_status s, udl_array *a)
{
    if (s != UDL_OK) {
        CHECK(!a->data);
        return;
    }
    CHECK(!(a->rows && a->cols) || a->data);
    accepted++;
    if (a->rows && a->cols) {
        udl_array again = {0};
        CHECK(udl_npy_write(path2, udl_array_mat(a)) == UDL_OK);
        CHECK(udl_npy_read(path2, UDL_READ_RAW, &again) == UDL_OK);
        CHECK(again.rows == a->rows && again.cols == a->cols);
        CHECK(memcmp(again.data, a->data, a->rows * a->cols * sizeof(double)) == 0);
        udl_array_free(&again);
        remove(path2);
    }
    udl_array_free(a);
}

/* The reader with and without scaling, then the format sniffer on the same file. */
static void read_all_ways(udl_status (*read)(const char *, unsigned, udl_array *))
{
    udl_array a = {0};
    check_array(read(path, 0, &a), &a);
    check_array(read(path, UDL_READ_RAW, &a), &a);
    check_array(udl_data_read(path, 0, &a), &a);
}

static udl_status csv_read(const char *p, unsigned flags, udl_array *out)
{
    (void)flags;
    return udl_csv_read(p, out);
}

static void fuzz_npy(const uint8_t *data, size_t size)
{
    write_file(data, size);
    read_all_ways(udl_npy_read);
}

static void fuzz_idx(const uint8_t *data, size_t size)
{
    write_file(data, size);
    read_all_ways(udl_idx_read);
}

/* The input is the IDX file inside the gzip stream, so mutations reach the parser
 * rather than stopping at the stream's own CRC; an input that is already gzip (its magic
 * 1f 8b) is written as it is, to reach the checks of broken streams. */
static void fuzz_idx_gz(const uint8_t *data, size_t size)
{
    if (size >= 2 && data[0] == 0x1f && data[1] == 0x8b) {
        write_file(data, size);
    } else {
        make_paths();
        gzFile gz = gzopen(path, "wb");
        CHECK(gz);
        CHECK(!size || gzwrite(gz, data, (unsigned)size) == (int)size);
        CHECK(gzclose(gz) == Z_OK);
    }
    read_all_ways(udl_idx_read);
}

static void fuzz_csv(const uint8_t *data, size_t size)
{
    write_file(data, size);
    read_all_ways(csv_read);
}

/* ---- the models -------------------------------------------------------------------- */

typedef struct inputs {
    size_t rows, d;
    double *x, *out, labels[2];
} inputs;

/* Two rows of data in [0, 1] of the model's width, and an output buffer as wide as the
 * widest thing a call writes: the buffers are sized from the widths the model reports,
 * so a loader that lets an inconsistent model through shows up as a write out of
 * bounds. */
static inputs make_inputs(const udl_model *m)
{
    inputs in = {.rows = 2, .d = udl_model_n_inputs(m)};
    size_t wide = in.d;
    if (udl_model_n_codes(m) > wide)
        wide = udl_model_n_codes(m);
    if (udl_model_n_outputs(m) > wide)
        wide = udl_model_n_outputs(m);
    in.x = malloc(in.rows * in.d * sizeof(double));
    in.out = malloc(in.rows * wide * sizeof(double));
    CHECK(in.x && in.out);
    for (size_t i = 0; i < in.rows * in.d; i++)
        in.x[i] = (double)(i % 7) / 7.0;
    in.labels[0] = 0;
    in.labels[1] = udl_model_n_outputs(m) ? (double)(udl_model_n_outputs(m) - 1) : 0;
    return in;
}

/* Every call of the generic handle. */
static void use_generic(const udl_model *m, const inputs *in)
{
    const size_t k = udl_model_n_codes(m), out = udl_model_n_outputs(m);
    udl_mat xm = udl_mat_view(in->x, in->rows, in->d);
    udl_model_encode(m, xm, udl_mat_view(in->out, in->rows, k));
    udl_model_reconstruct(m, xm, udl_mat_view(in->out, in->rows, in->d));
    udl_model_sample(m, udl_mat_view(in->out, in->rows, in->d), 2, 1);
    if (out)
        udl_model_predict(m, xm, udl_mat_view(in->out, in->rows, out));
    udl_train_params tp;
    if (udl_model_get_train_params(m, &tp) == UDL_OK) /* a loaded model's are valid */
        CHECK(udl_model_set_train_params((udl_model *)m, &tp) == UDL_OK);
}

/* Feature visualization on every kind with layers: the closed form for the first
 * layer's first units, a short ascent for the top layer's first unit. */
static void use_featviz(const udl_model *m, const inputs *in)
{
    size_t n_layers = 0, widths[UDL_FEATVIZ_MAX_LAYERS + 1];
    if (udl_featviz_layers(m, &n_layers, widths) != UDL_OK)
        return;
    CHECK(n_layers >= 1 && n_layers <= UDL_FEATVIZ_MAX_LAYERS && widths[0] == in->d);
    const size_t n = widths[1] < in->rows ? widths[1] : in->rows;
    udl_featviz_first_layer(m, 1.0, 0, udl_mat_view(in->out, n, in->d));
    udl_featviz_params fp = udl_featviz_params_default();
    fp.steps = 2;
    fp.restarts = 1;
    double activation;
    udl_featviz_ascent(m, n_layers - 1, 0, &fp, udl_mat_view(in->out, 1, in->d), &activation);
}

static void use_rbm(const udl_rbm *rbm, const inputs *in)
{
    udl_mat xm = udl_mat_view(in->x, in->rows, in->d);
    double f[2], err, pl, mean;
    udl_rbm_free_energy(rbm, xm, f);
    udl_rbm_reconstruction_error(rbm, xm, &err);
    udl_rbm_pseudo_likelihood(rbm, xm, 1, &pl);
    udl_ais_params ap = udl_ais_params_default();
    ap.n_runs = 2;
    ap.n_betas = 10;
    udl_ais_result r;
    if (udl_rbm_log_partition(rbm, &ap, &xm, &r) == UDL_OK)
        udl_rbm_log_likelihood(rbm, xm, &r, &mean, NULL, NULL);
}

/* The classifier's own calls and every attack, with two steps for the iterative ones. */
static void use_dnn(const udl_dnn *dnn, const inputs *in)
{
    size_t n_sizes = 0;
    const size_t *sizes = udl_dnn_sizes(dnn, &n_sizes);
    CHECK(sizes && n_sizes >= 2 && sizes[0] == in->d);
    const size_t n_classes = sizes[n_sizes - 1];
    udl_mat xm = udl_mat_view(in->x, in->rows, in->d);
    udl_mat lm = udl_mat_view((double *)in->labels, in->rows, 1);
    udl_mat dx = udl_mat_view(in->out, in->rows, in->d);
    double predicted[2], loss;
    udl_dnn_predict(dnn, xm, udl_mat_view(predicted, in->rows, 1));
    for (size_t i = 0; i < in->rows; i++)
        CHECK(predicted[i] >= 0 && predicted[i] < (double)n_classes);
    double *h = malloc(in->rows * sizes[1] * sizeof *h);
    CHECK(h);
    udl_dnn_hidden(dnn, xm, 0, udl_mat_view(h, in->rows, sizes[1]));
    free(h);
    size_t *confusion = calloc(n_classes * n_classes, sizeof *confusion);
    double *class_accuracy = malloc(n_classes * sizeof *class_accuracy);
    CHECK(confusion && class_accuracy);
    udl_dnn_eval e;
    udl_dnn_evaluate(dnn, xm, lm, &e, confusion, class_accuracy);
    free(confusion);
    free(class_accuracy);
    udl_dnn_input_gradient(dnn, xm, lm, dx, &loss);
    udl_dnn_unit_gradient(dnn, xm, n_sizes - 2, n_classes - 1, dx, NULL);
    const udl_attack_method methods[] = {UDL_ATTACK_FGSM, UDL_ATTACK_PGD_L2,
                                         UDL_ATTACK_DEEPFOOL};
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++) {
        udl_attack_params ap = udl_attack_params_default(methods[i]);
        ap.steps = 2;
        udl_attack(dnn, &ap, xm, lm, dx, NULL);
    }
}

/* Every field of the loaded file, read through and looked up by its name again. */
static void walk_fields(const udl_model *m)
{
    const size_t n = udl_model_n_fields(m);
    for (size_t i = 0; i < n; i++) {
        udl_field f, again;
        CHECK(udl_model_field(m, i, &f) == UDL_OK);
        CHECK(udl_model_find_field(m, f.name, &again) == UDL_OK && again.data == f.data);
        volatile double sum = 0.0;
        for (size_t k = 0; k < f.rows * f.cols; k++)
            sum += f.data[k];
        (void)sum;
        CHECK(!f.about || *f.about);
        CHECK(!f.value_name || *f.value_name);
    }
    udl_field f;
    CHECK(udl_model_field(m, n, &f) == UDL_EINVAL);
}

/* The typed loader of each kind; exactly the one of the file's kind may accept it. */
static int typed_load(udl_kind kind)
{
    void *m = NULL;
    udl_status s = UDL_EINVAL;
    switch (kind) {
    case UDL_KIND_PCA: s = udl_pca_load(path, (udl_pca **)&m); udl_pca_free(m); break;
    case UDL_KIND_AUTOENCODER: s = udl_ae_load(path, (udl_ae **)&m); udl_ae_free(m); break;
    case UDL_KIND_STACKED_AUTOENCODER:
        s = udl_sae_load(path, (udl_sae **)&m);
        udl_sae_free(m);
        break;
    case UDL_KIND_DEEP_AUTOENCODER:
        s = udl_deep_ae_load(path, (udl_deep_ae **)&m);
        udl_deep_ae_free(m);
        break;
    case UDL_KIND_RBM: s = udl_rbm_load(path, (udl_rbm **)&m); udl_rbm_free(m); break;
    case UDL_KIND_DBN: s = udl_dbn_load(path, (udl_dbn **)&m); udl_dbn_free(m); break;
    case UDL_KIND_DNN: s = udl_dnn_load(path, (udl_dnn **)&m); udl_dnn_free(m); break;
    }
    return s == UDL_OK;
}

static void fuzz_model(udl_kind kind, const uint8_t *data, size_t size)
{
    uint8_t *copy = malloc(size ? size : 1);
    CHECK(copy);
    if (size)
        memcpy(copy, data, size);
    if (size >= 16)
        udli_put_u32le(copy + 12, (uint32_t)kind);
    if (size >= 4)
        udli_put_u32le(copy + size - 4, (uint32_t)crc32(0L, copy, (uInt)(size - 4)));
    write_file(copy, size);
    free(copy);

    udl_model *m = NULL;
    const udl_status s = udl_model_load(path, &m);
    for (int k = 1; k <= UDL_KIND_COUNT; k++) /* the typed loaders agree */
        CHECK(typed_load((udl_kind)k) == (s == UDL_OK && k == (int)kind));
    if (s != UDL_OK) {
        CHECK(!m);
        return;
    }
    CHECK(udl_model_kind(m) == kind);
    accepted++;
    CHECK(udl_model_n_inputs(m) > 0 && udl_model_n_codes(m) > 0);
    inputs in = make_inputs(m);
    use_generic(m, &in);
    use_featviz(m, &in);
    if (kind == UDL_KIND_RBM)
        use_rbm(udl_model_object(m), &in);
    if (kind == UDL_KIND_DBN)
        udl_featviz_dbn_sample(udl_model_object(m), 0, 2, 1, udl_mat_view(in.out, 1, in.d));
    if (kind == UDL_KIND_DNN)
        use_dnn(udl_model_object(m), &in);
    walk_fields(m);
    /* a loaded model saves, and what it saves loads as the same model */
    CHECK(udl_model_save(m, path2) == UDL_OK);
    udl_model *again = NULL;
    CHECK(udl_model_load(path2, &again) == UDL_OK);
    CHECK(udl_model_kind(again) == kind && udl_model_n_inputs(again) == in.d &&
          udl_model_n_codes(again) == udl_model_n_codes(m) &&
          udl_model_n_outputs(again) == udl_model_n_outputs(m));
    udl_model_free(again);
    remove(path2);
    free(in.x);
    free(in.out);
    udl_model_free(m);
}

#define MODEL_TARGET(fn, kind)                                                           \
    static void fn(const uint8_t *data, size_t size) { fuzz_model(kind, data, size); }
MODEL_TARGET(fuzz_pca, UDL_KIND_PCA)
MODEL_TARGET(fuzz_ae, UDL_KIND_AUTOENCODER)
MODEL_TARGET(fuzz_sae, UDL_KIND_STACKED_AUTOENCODER)
MODEL_TARGET(fuzz_deep_ae, UDL_KIND_DEEP_AUTOENCODER)
MODEL_TARGET(fuzz_rbm, UDL_KIND_RBM)
MODEL_TARGET(fuzz_dbn, UDL_KIND_DBN)
MODEL_TARGET(fuzz_dnn, UDL_KIND_DNN)

/* ---- the table, and the two ways in -------------------------------------------------- */

typedef struct fuzz_target {
    const char *name;
    void (*run)(const uint8_t *data, size_t size);
} fuzz_target;

static const fuzz_target targets[] = {
    {"npy", fuzz_npy},   {"idx", fuzz_idx},         {"idx-gz", fuzz_idx_gz},
    {"csv", fuzz_csv},   {"pca", fuzz_pca},         {"ae", fuzz_ae},
    {"sae", fuzz_sae},   {"deep-ae", fuzz_deep_ae}, {"rbm", fuzz_rbm},
    {"dbn", fuzz_dbn},   {"dnn", fuzz_dnn},
};
#define N_TARGETS (sizeof targets / sizeof targets[0])

static const fuzz_target *find_target(const char *name)
{
    for (size_t i = 0; i < N_TARGETS; i++)
        if (strcmp(targets[i].name, name) == 0)
            return &targets[i];
    return NULL;
}

#ifdef UDL_FUZZ_TARGET
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const fuzz_target *target;
    if (!target)
        CHECK((target = find_target(UDL_FUZZ_TARGET)) != NULL);
    target->run(data, size);
    return 0;
}
#else
static uint8_t buf[1 << 20];

static int replay_file(const fuzz_target *t, const char *file)
{
    FILE *f = fopen(file, "rb");
    if (!f) {
        fprintf(stderr, "fuzz_replay: cannot open %s\n", file);
        return 0;
    }
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    t->run(buf, n);
    return 1;
}

/* Every file in dir through t; the count replayed, or -1 for a missing directory. */
static long replay_dir(const fuzz_target *t, const char *dir, long *n_accepted)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    long n = 0;
    *n_accepted = 0;
    char file[8192]; /* room for any dir[4096] and d_name[256] */
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(file, sizeof file, "%s/%s", dir, e->d_name);
        const long before = accepted;
        n += replay_file(t, file);
        *n_accepted += accepted > before;
    }
    closedir(d);
    return n;
}

int main(int argc, char **argv)
{
    int failed = 0;
    if (argc == 2) { /* a corpus root: every target's directory */
        char dir[4096];
        for (size_t i = 0; i < N_TARGETS; i++) {
            snprintf(dir, sizeof dir, "%s/%s", argv[1], targets[i].name);
            long n_accepted, n = replay_dir(&targets[i], dir, &n_accepted);
            if (n <= 0) {
                fprintf(stderr, "fuzz_replay: no corpus in %s\n", dir);
                failed = 1;
            } else {
                printf("%-8s replayed %4ld inputs, %4ld read or loaded\n", targets[i].name, n,
                       n_accepted);
            }
        }
    } else if (argc > 2 && find_target(argv[1])) {
        for (int i = 2; i < argc; i++)
            failed |= !replay_file(find_target(argv[1]), argv[i]);
        printf("%s: replayed %d inputs\n", argv[1], argc - 2);
    } else {
        fprintf(stderr, "usage: fuzz_replay CORPUS_ROOT | fuzz_replay TARGET FILE...\n");
        return 2;
    }
    return failed;
}
#endif
