/* Fuzz target for every file reader: the input's first byte picks the reader, the rest
 * is the file. Built with clang -fsanitize=fuzzer (make fuzz); built without it, main()
 * replays the files named on the command line, which ctest does with the seed corpus. */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <udl/udl.h>

#include "core/container.h"
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    write_file(data + 1, size - 1);
    udl_array a = {0};
    switch (data[0] % 6) {
    case 0: check_array(udl_npy_read(path, 0, &a), &a); break;
    case 1: check_array(udl_idx_read(path, 0, &a), &a); break;
    case 2: check_array(udl_csv_read(path, &a), &a); break;
    case 3: check_array(udl_data_read(path, UDL_READ_RAW, &a), &a); break;
    case 4: {
        udl_container *c = NULL;
        if (udl_container_load(path, UDL_KIND_TEST, &c) == UDL_OK) {
            udl_block b;
            udl_container_get(c, "x", SIZE_MAX, SIZE_MAX, &b);
        }
        udl_container_free(c);
        break;
    }
    case 5: {
        udl_pca *pca = NULL;
        udl_ae *ae = NULL;
        udl_deep_ae *deep = NULL;
        udl_sae *sae = NULL;
        udl_pca_load(path, &pca);
        udl_ae_load(path, &ae);
        udl_sae_load(path, &sae);
        udl_deep_ae_load(path, &deep);
        udl_pca_free(pca);
        udl_ae_free(ae);
        udl_sae_free(sae);
        udl_deep_ae_free(deep);
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
