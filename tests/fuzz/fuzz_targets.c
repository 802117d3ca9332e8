/* Fuzz target for every file reader and every model kind: the input's first byte picks
 * the reader, the rest is the file. Built with clang -fsanitize=fuzzer (make fuzz);
 * built without it, main() replays the files named on the command line, which ctest
 * does with the seed corpus and every crash kept as a regression.
 *
 * Model files get their CRC-32 recomputed before loading, as zstd's fuzz builds skip
 * their checksums: otherwise almost every mutation would stop at the CRC and the
 * loaders' own checks would never be reached. A model that loads is then used, since
 * what a loader lets through must be safe for every later call. */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include <udl/udl.h>

#include "core/container.h"
#include "core/file.h"
#include "core/model.h"

static char path[64];

static void write_file(const uint8_t *data, size_t size)
{
    if (!path[0])
        snprintf(path, sizeof path, "/tmp/udl-fuzz-%ld.bin", (long)getpid());
    FILE *f = fopen(path, "wb");
    if (!f)
        abort();
    if (size && fwrite(data, 1, size, f) != size)
        abort();
    fclose(f);
}

/* A successful read must give a consistent array. */
static void check_array(udl_status s, udl_array *a)
{
    if (s == UDL_OK) {
        if (a->rows && a->cols && !a->data)
            abort();
        volatile double sum = 0.0;
        for (size_t i = 0; i < a->rows * a->cols; i++)
            sum += a->data[i];
        (void)sum;
    } else if (a->data) {
        abort(); /* a failed read must not hand out memory */
    }
    udl_array_free(a);
}

/* Every call of the generic handle on two rows of data in [0, 1] of the model's width;
 * the outputs are sized from the widths the model reports, so a loader that lets an
 * inconsistent model through shows up here as a write out of bounds. */
static void use_model(const udl_model *m)
{
    const size_t d = udl_model_n_inputs(m), k = udl_model_n_codes(m), rows = 2;
    if (d == 0 || k == 0)
        abort();
    double *x = malloc(rows * d * sizeof(double)), *z = malloc(rows * k * sizeof(double));
    double *xhat = malloc(rows * d * sizeof(double));
    for (size_t i = 0; i < rows * d; i++)
        x[i] = (double)(i % 7) / 7.0;
    udl_mat xm = udl_mat_view(x, rows, d);
    udl_model_encode(m, xm, udl_mat_view(z, rows, k));
    udl_model_reconstruct(m, xm, udl_mat_view(xhat, rows, d));
    udl_model_sample(m, udl_mat_view(xhat, rows, d), 2, 1);
    const size_t out = udl_model_n_outputs(m);
    if (out) {
        double *y = malloc(rows * out * sizeof(double)), labels[2] = {0, 1};
        udl_model_predict(m, xm, udl_mat_view(y, rows, out));
        free(y);
        if (udl_model_kind(m) == UDL_KIND_DNN) { /* the gradients the attacks take */
            const udl_dnn *dnn = udl_model_object(m);
            udl_mat lm = udl_mat_view(labels, rows, 1), dx = udl_mat_view(xhat, rows, d);
            udl_dnn_eval e;
            udl_dnn_input_gradient(dnn, xm, lm, dx, NULL);
            udl_dnn_unit_gradient(dnn, xm, 0, 0, dx, NULL);
            udl_dnn_evaluate(dnn, xm, lm, &e, NULL, NULL);
        }
    }
    free(x);
    free(z);
    free(xhat);
}

/* Every field of the loaded file, read through and looked up by its name again. */
static void walk_fields(const udl_model *m)
{
    const size_t n = udl_model_n_fields(m);
    for (size_t i = 0; i < n; i++) {
        udl_field f, again;
        if (udl_model_field(m, i, &f) || udl_model_find_field(m, f.name, &again) ||
            again.data != f.data)
            abort();
        volatile double sum = 0.0;
        for (size_t k = 0; k < f.rows * f.cols; k++)
            sum += f.data[k];
        if ((f.about && !*f.about) || (f.value_name && !*f.value_name))
            abort();
        (void)sum;
    }
    udl_field f;
    if (udl_model_field(m, n, &f) != UDL_EINVAL)
        abort();
}

static void fuzz_model(uint8_t *data, size_t size)
{
    if (size >= 4) {
        uint32_t crc = (uint32_t)crc32(0L, data, (uInt)(size - 4));
        udli_put_u32le(data + size - 4, crc);
    }
    write_file(data, size);
    udl_model *m = NULL;
    if (udl_model_load(path, &m) == UDL_OK) {
        use_model(m);
        walk_fields(m);
        if (udl_model_save(m, path) != UDL_OK) /* a loaded model saves */
            abort();
    } else if (m) {
        abort();
    }
    udl_model_free(m);
    /* the typed loaders take the same path; each must refuse what is not its kind */
    udl_pca *pca = NULL;
    udl_ae *ae = NULL;
    udl_sae *sae = NULL;
    udl_deep_ae *deep = NULL;
    udl_rbm *rbm = NULL;
    udl_dbn *dbn = NULL;
    udl_dnn *dnn = NULL;
    write_file(data, size);
    int loaded = !udl_pca_load(path, &pca) + !udl_ae_load(path, &ae) +
                 !udl_sae_load(path, &sae) + !udl_deep_ae_load(path, &deep) +
                 !udl_rbm_load(path, &rbm) + !udl_dbn_load(path, &dbn) +
                 !udl_dnn_load(path, &dnn);
    if (loaded > 1)
        abort();
    udl_rbm_free(rbm);
    udl_dbn_free(dbn);
    udl_pca_free(pca);
    udl_ae_free(ae);
    udl_sae_free(sae);
    udl_deep_ae_free(deep);
    udl_dnn_free(dnn);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    udl_array a = {0};
    switch (data[0] % 6) {
    case 0: write_file(data + 1, size - 1); check_array(udl_npy_read(path, 0, &a), &a); break;
    case 1: write_file(data + 1, size - 1); check_array(udl_idx_read(path, 0, &a), &a); break;
    case 2: write_file(data + 1, size - 1); check_array(udl_csv_read(path, &a), &a); break;
    case 3:
        write_file(data + 1, size - 1);
        check_array(udl_data_read(path, UDL_READ_RAW, &a), &a);
        break;
    case 4: {
        write_file(data + 1, size - 1);
        udli_container *c = NULL;
        if (udli_container_load(path, UDL_KIND_TEST, &c) == UDL_OK) {
            udli_block b;
            udli_container_get(c, "x", SIZE_MAX, SIZE_MAX, &b);
        }
        udli_container_free(c);
        break;
    }
    case 5: {
        uint8_t *copy = malloc(size);
        memcpy(copy, data + 1, size - 1);
        fuzz_model(copy, size - 1);
        free(copy);
        break;
    }
    }
    return 0;
}

#ifndef UDL_LIBFUZZER
int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        if (!f)
            return 1;
        static uint8_t buf[1 << 20];
        size_t n = fread(buf, 1, sizeof buf, f);
        fclose(f);
        LLVMFuzzerTestOneInput(buf, n);
    }
    if (path[0])
        remove(path);
    printf("replayed %d inputs\n", argc - 1);
    return 0;
}
#endif
