/* NumPy .npy files, format versions 1.0 to 3.0 (numpy.lib.format). */
#define _POSIX_C_SOURCE 200809L

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/error.h"
#include "core/file.h"
#include "core/tensor.h"
#include "io/elements.h"

#define NPY_MAX_DIMS 8
#define NPY_MAX_HEADER (1u << 20)

static const char npy_magic[6] = {'\x93', 'N', 'U', 'M', 'P', 'Y'};

typedef struct npy_header {
    udli_elfmt fmt;
    int fortran_order;
    int ndim;
    size_t shape[NPY_MAX_DIMS];
} npy_header;

/* Position just after `'key':` (or "key":) in the header dict, or NULL. */
static const char *find_key(const char *dict, const char *key)
{
    size_t klen = strlen(key);
    for (const char *p = dict; (p = strstr(p, key)) != NULL; p += klen) {
        if (p == dict || (p[-1] != '\'' && p[-1] != '"') || p[klen] != p[-1])
            continue;
        const char *q = p + klen + 1;
        while (*q == ' ')
            q++;
        if (*q == ':') {
            q++;
            while (*q == ' ')
                q++;
            return q;
        }
    }
    return NULL;
}

static int parse_descr(const char *p, udli_elfmt *fmt)
{
    if (*p != '\'' && *p != '"')
        return 0;
    char quote = *p++;
    char order = '=';
    if (*p == '<' || *p == '>' || *p == '|' || *p == '=')
        order = *p++;
    if (!isalpha((unsigned char)*p)) /* not past the header's end: "'descr': '<" */
        return 0;
    char kind = *p++;
    char *end;
    long size = strtol(p, &end, 10);
    if (end == p || *end != quote)
        return 0;
    fmt->big_endian = order == '>';
    fmt->size = (size_t)size;
    if (kind == 'f' && size == 8) fmt->type = EL_F64;
    else if (kind == 'f' && size == 4) fmt->type = EL_F32;
    else if (kind == 'u' && size == 1) fmt->type = EL_U8;
    else if (kind == 'i' && size == 1) fmt->type = EL_I8;
    else if (kind == 'i' && size == 2) fmt->type = EL_I16;
    else if (kind == 'i' && size == 4) fmt->type = EL_I32;
    else if (kind == 'i' && size == 8) fmt->type = EL_I64;
    else return 0;
    return 1;
}

static udl_status parse_header(const char *dict, const char *path, npy_header *h)
{
    const char *descr = find_key(dict, "descr");
    const char *order = find_key(dict, "fortran_order");
    const char *shape = find_key(dict, "shape");
    if (!descr || !order || !shape)
        return udli_fail(UDL_EFORMAT, "%s: the .npy header lacks descr, fortran_order or shape",
                         path);
    if (!parse_descr(descr, &h->fmt))
        return udli_fail(UDL_EFORMAT, "%s: unsupported .npy dtype %.12s (udl reads float64, "
                         "float32, uint8, int8, int16, int32, int64)", path, descr);
    if (strncmp(order, "True", 4) == 0)
        h->fortran_order = 1;
    else if (strncmp(order, "False", 5) == 0)
        h->fortran_order = 0;
    else
        return udli_fail(UDL_EFORMAT, "%s: bad fortran_order in the .npy header", path);
    if (*shape != '(')
        return udli_fail(UDL_EFORMAT, "%s: bad shape in the .npy header", path);
    const char *p = shape + 1;
    h->ndim = 0;
    for (;;) {
        while (*p == ' ')
            p++;
        if (*p == ')')
            break;
        if (!isdigit((unsigned char)*p) || h->ndim == NPY_MAX_DIMS)
            return udli_fail(UDL_EFORMAT, "%s: bad or too many dimensions in the .npy shape",
                             path);
        errno = 0;
        char *end;
        unsigned long long v = strtoull(p, &end, 10);
        if (errno || v > SIZE_MAX)
            return udli_fail(UDL_EFORMAT, "%s: a dimension in the .npy shape is too large", path);
        h->shape[h->ndim++] = (size_t)v;
        p = end;
        while (*p == ' ')
            p++;
        if (*p == ',')
            p++;
        else if (*p != ')')
            return udli_fail(UDL_EFORMAT, "%s: bad shape in the .npy header", path);
    }
    return UDL_OK;
}

static size_t read_stdio(void *source, void *buf, size_t n)
{
    FILE *fp = source;
    size_t got = fread(buf, 1, n, fp);
    return got < n && ferror(fp) ? (size_t)-1 : got;
}

/* The bytes left in fp from its position, or UDL_SIZE_UNKNOWN for a pipe. */
static size_t bytes_left(FILE *fp)
{
    struct stat st;
    off_t at = ftello(fp);
    if (fstat(fileno(fp), &st) != 0 || !S_ISREG(st.st_mode) || at < 0 ||
        (uintmax_t)st.st_size > SIZE_MAX)
        return UDL_SIZE_UNKNOWN;
    return st.st_size > at ? (size_t)(st.st_size - at) : 0;
}

/* Fortran order stores the (rows, cols) matrix column by column. */
static udl_status transpose_in_place(udl_array *a)
{
    if (!a->rows || !a->cols)
        return UDL_OK; /* no elements; a loop over the other side could run 10^18 times */
    double *t = udli_alloc(a->rows * a->cols, sizeof(double), "transpose buffer");
    if (!t)
        return UDL_ENOMEM;
    for (size_t j = 0; j < a->cols; j++)
        for (size_t i = 0; i < a->rows; i++)
            t[i * a->cols + j] = a->data[j * a->rows + i];
    free(a->data);
    a->data = t;
    return UDL_OK;
}

static udl_status read_npy(FILE *fp, const char *path, unsigned flags, udl_array *out)
{
    unsigned char pre[12];
    if (fread(pre, 1, 8, fp) != 8 || memcmp(pre, npy_magic, 6) != 0)
        return udli_fail(UDL_EFORMAT, "%s is not a .npy file (bad magic)", path);
    int major = pre[6];
    size_t header_len;
    if (major == 1) {
        if (fread(pre + 8, 1, 2, fp) != 2)
            return udli_fail(UDL_EFORMAT, "%s: the .npy header is truncated", path);
        header_len = (size_t)pre[8] | (size_t)pre[9] << 8;
    } else if (major == 2 || major == 3) {
        if (fread(pre + 8, 1, 4, fp) != 4)
            return udli_fail(UDL_EFORMAT, "%s: the .npy header is truncated", path);
        header_len = udli_get_u32le(pre + 8);
    } else {
        return udli_fail(UDL_EFORMAT, "%s: .npy format version %d is not supported", path,
                         major);
    }
    if (header_len > NPY_MAX_HEADER)
        return udli_fail(UDL_EFORMAT, "%s: the .npy header claims %zu bytes", path, header_len);
    char *dict = udli_alloc(header_len + 1, 1, ".npy header");
    if (!dict)
        return UDL_ENOMEM;
    if (fread(dict, 1, header_len, fp) != header_len) {
        free(dict);
        return udli_fail(UDL_EFORMAT, "%s: the .npy header is truncated", path);
    }
    dict[header_len] = '\0';
    if (strlen(dict) != header_len) {
        free(dict);
        return udli_fail(UDL_EFORMAT, "%s: the .npy header contains a NUL byte", path);
    }
    npy_header h;
    udl_status s = parse_header(dict, path, &h);
    free(dict);
    if (s)
        return s;
    if (h.ndim == 0)
        return udli_fail(UDL_EFORMAT, "%s: a scalar (0-d array) is not a data set", path);
    if (h.fortran_order && h.ndim > 2)
        return udli_fail(UDL_EFORMAT, "%s: Fortran-order arrays of %d dimensions are not "
                         "supported; save it in C order", path, h.ndim);
    size_t rows, cols;
    if ((s = udli_shape_to_matrix(h.shape, h.ndim, h.fmt.size, path, &rows, &cols)))
        return s;
    const size_t left = bytes_left(fp);
    if (h.fortran_order) { /* read as the transposed matrix, then turn it back */
        if ((s = udli_read_elements(read_stdio, fp, h.fmt, cols, rows, h.ndim, flags, path, left,
                                    out)))
            return s;
        out->rows = rows;
        out->cols = cols;
        if ((s = transpose_in_place(out))) {
            udl_array_free(out);
            return s;
        }
    } else if ((s = udli_read_elements(read_stdio, fp, h.fmt, rows, cols, h.ndim, flags, path,
                                       left, out))) {
        return s;
    }
    if (fgetc(fp) != EOF) {
        udl_array_free(out);
        return udli_fail(UDL_EFORMAT, "%s has bytes after the %zu x %zu array", path, rows, cols);
    }
    return UDL_OK;
}

UDL_API udl_status udl_npy_read(const char *path, unsigned flags, udl_array *out)
{
    if (!out)
        return udli_fail(UDL_EINVAL, "npy read: out is NULL");
    memset(out, 0, sizeof *out);
    if (!path)
        return udli_fail(UDL_EINVAL, "npy read: path is NULL");
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return udli_fail(UDL_EIO, "cannot open %s: %s", path, strerror(errno));
    udl_status s = read_npy(fp, path, flags, out);
    fclose(fp);
    return s;
}

UDL_API udl_status udl_npy_write(const char *path, udl_mat m)
{
    udl_status s = udli_mat_check(m, "npy write: the matrix");
    if (s)
        return s;
    char dict[256];
    int len = snprintf(dict, sizeof dict,
                       "{'descr': '<f8', 'fortran_order': False, 'shape': (%zu, %zu), }",
                       m.rows, m.cols);
    /* numpy pads the header with spaces so the data starts on a 64-byte boundary. */
    size_t total = 10 + (size_t)len + 1;
    size_t pad = (64 - total % 64) % 64;
    memset(dict + len, ' ', pad);
    dict[len + pad] = '\n';
    size_t header_len = (size_t)len + pad + 1;
    unsigned char pre[10];
    memcpy(pre, npy_magic, 6);
    pre[6] = 1;
    pre[7] = 0;
    pre[8] = (unsigned char)(header_len & 0xff);
    pre[9] = (unsigned char)(header_len >> 8);
    udli_wfile f;
    if ((s = udli_wfile_open(&f, path)))
        return s;
    udli_wfile_write(&f, pre, sizeof pre);
    udli_wfile_write(&f, dict, header_len);
    for (size_t i = 0; i < m.rows; i++)
        udli_wfile_write_f64(&f, m.data + i * m.ld, m.cols);
    return udli_wfile_commit(&f);
}
