#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "io/elements.h"

UDL_API void udl_array_free(udl_array *a)
{
    if (!a)
        return;
    free(a->data);
    a->data = NULL;
    a->rows = a->cols = 0;
}

UDL_API udl_mat udl_array_mat(const udl_array *a)
{
    udl_mat m = {NULL, 0, 0, 0};
    if (a)
        m = udl_mat_view(a->data, a->rows, a->cols);
    return m;
}

udl_status udli_shape_to_matrix(const size_t *shape, int ndim, size_t elsize,
                                const char *name, size_t *rows, size_t *cols)
{
    if (ndim < 1)
        return udli_fail(UDL_EFORMAT, "%s: a scalar (0-d array) is not a data set", name);
    size_t c = 1;
    for (int d = 1; d < ndim; d++) {
        if (shape[d] && c > SIZE_MAX / shape[d])
            return udli_fail(UDL_EFORMAT, "%s: the shape is too large", name);
        c *= shape[d];
    }
    if (c && shape[0] > SIZE_MAX / elsize / c)
        return udli_fail(UDL_EFORMAT, "%s: the shape is too large", name);
    if (c && shape[0] > SIZE_MAX / sizeof(double) / c)
        return udli_fail(UDL_EFORMAT, "%s: the shape is too large", name);
    *rows = shape[0];
    *cols = c;
    return UDL_OK;
}

static uint64_t load_bits(const unsigned char *p, size_t size, int big_endian)
{
    uint64_t v = 0;
    for (size_t i = 0; i < size; i++)
        v = (v << 8) | p[big_endian ? i : size - 1 - i];
    return v;
}

/* Integers beyond 2^53 would silently round; a label must survive the trip exactly. */
#define EXACT_LIMIT (INT64_C(1) << 53)

static int decode(const unsigned char *p, udli_elfmt f, double *out)
{
    uint64_t bits = load_bits(p, f.size, f.big_endian);
    switch (f.type) {
    case EL_U8: *out = (double)(uint8_t)bits; return 1;
    case EL_I8: *out = (double)(int8_t)(uint8_t)bits; return 1;
    case EL_I16: *out = (double)(int16_t)(uint16_t)bits; return 1;
    case EL_I32: *out = (double)(int32_t)(uint32_t)bits; return 1;
    case EL_I64: {
        int64_t v = (int64_t)bits;
        *out = (double)v;
        return v <= EXACT_LIMIT && v >= -EXACT_LIMIT;
    }
    case EL_F32: {
        uint32_t b32 = (uint32_t)bits;
        float x;
        memcpy(&x, &b32, sizeof x);
        *out = x;
        return 1;
    }
    case EL_F64: memcpy(out, &bits, sizeof *out); return 1;
    }
    return 0;
}

udl_status udli_read_elements(udli_read_fn read, void *source, udli_elfmt fmt, size_t rows,
                              size_t cols, int ndim, unsigned flags, const char *name,
                              size_t at_most, udl_array *out)
{
    /* One buffer for every value when the source can hold them all. A short file that
     * claims a huge shape gets only what it can hold and is reported as truncated
     * instead of first asking for all that memory; a source of unknown size starts
     * small and grows as values arrive. */
    const size_t count = rows * cols;
    size_t cap = at_most == UDL_SIZE_UNKNOWN ? (1u << 16) : at_most / fmt.size;
    cap = cap < count ? cap : count;
    double *data = udli_alloc(cap, sizeof(double), "data array");
    if (!data)
        return UDL_ENOMEM;
    const double scale = (fmt.type == EL_U8 && ndim >= 2 && !(flags & UDL_READ_RAW))
                             ? 1.0 / 255.0 : 1.0;
    unsigned char buf[1 << 16];
    const size_t per_chunk = sizeof buf / fmt.size;
    udl_status s = UDL_OK;
    for (size_t done = 0; done < count && !s;) {
        size_t want = count - done < per_chunk ? count - done : per_chunk;
        size_t got = read(source, buf, want * fmt.size);
        if (got != want * fmt.size) {
            s = got == (size_t)-1
                    ? udli_fail(UDL_EFORMAT, "%s: reading the data failed", name)
                    : udli_fail(UDL_EFORMAT, "%s is truncated: it holds %zu of %zu values", name,
                                done + got / fmt.size, count);
            break;
        }
        if (done + want > cap) {
            size_t grown = cap * 2 > done + want ? cap * 2 : done + want;
            grown = grown < count ? grown : count;
            double *bigger = udli_realloc(data, grown, sizeof(double), "data array");
            if (!bigger) {
                s = udli_fail(UDL_ENOMEM, "%s: no memory for %zu values", name, grown);
                break;
            }
            data = bigger;
            cap = grown;
        }
        for (size_t i = 0; i < want && !s; i++) {
            if (!decode(buf + i * fmt.size, fmt, &data[done + i]))
                s = udli_fail(UDL_EFORMAT, "%s: value %zu is an integer too large to hold "
                              "exactly in a double", name, done + i);
            data[done + i] *= scale;
        }
        done += want;
    }
    if (s) {
        free(data);
        return s;
    }
    out->data = data;
    out->rows = rows;
    out->cols = cols;
    return UDL_OK;
}
