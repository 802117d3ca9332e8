/* MNIST IDX files (LeCun et al.): two zero bytes, a type code, the number of
 * dimensions, each dimension as a big-endian u32, then the values, big-endian. zlib's
 * gzread passes plain files through, so one reader handles .gz and plain alike. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>

#include "core/error.h"
#include "io/elements.h"

#define IDX_MAX_DIMS 8

static size_t read_gz(void *source, void *buf, size_t n)
{
    size_t done = 0;
    while (done < n) {
        unsigned chunk = n - done > (1u << 30) ? (1u << 30) : (unsigned)(n - done);
        int got = gzread((gzFile)source, (char *)buf + done, chunk);
        if (got < 0)
            return (size_t)-1;
        if (got == 0)
            break;
        done += (size_t)got;
    }
    return done;
}

static int idx_format(unsigned char code, udl_elfmt *fmt)
{
    fmt->big_endian = 1;
    switch (code) {
    case 0x08: fmt->type = EL_U8; fmt->size = 1; return 1;
    case 0x09: fmt->type = EL_I8; fmt->size = 1; return 1;
    case 0x0B: fmt->type = EL_I16; fmt->size = 2; return 1;
    case 0x0C: fmt->type = EL_I32; fmt->size = 4; return 1;
    case 0x0D: fmt->type = EL_F32; fmt->size = 4; return 1;
    case 0x0E: fmt->type = EL_F64; fmt->size = 8; return 1;
    }
    return 0;
}

static udl_status read_idx(gzFile gz, const char *path, unsigned flags, udl_array *out)
{
    unsigned char head[4 + 4 * IDX_MAX_DIMS];
    if (read_gz(gz, head, 4) != 4 || head[0] != 0 || head[1] != 0)
        return udl_fail(UDL_EFORMAT, "%s is not an IDX file (bad magic)", path);
    udl_elfmt fmt;
    if (!idx_format(head[2], &fmt))
        return udl_fail(UDL_EFORMAT, "%s: unknown IDX element type 0x%02x", path, head[2]);
    int ndim = head[3];
    if (ndim < 1 || ndim > IDX_MAX_DIMS)
        return udl_fail(UDL_EFORMAT, "%s: IDX files with %d dimensions are not supported", path,
                        ndim);
    if (read_gz(gz, head + 4, 4 * (size_t)ndim) != 4 * (size_t)ndim)
        return udl_fail(UDL_EFORMAT, "%s: the IDX header is truncated", path);
    size_t shape[IDX_MAX_DIMS];
    for (int d = 0; d < ndim; d++) {
        const unsigned char *p = head + 4 + 4 * d;
        shape[d] = (size_t)p[0] << 24 | (size_t)p[1] << 16 | (size_t)p[2] << 8 | p[3];
    }
    size_t rows, cols;
    udl_status s = udl_shape_to_matrix(shape, ndim, fmt.size, path, &rows, &cols);
    if (s || (s = udl_read_elements(read_gz, gz, fmt, rows, cols, ndim, flags, path, out)))
        return s;
    unsigned char extra;
    if (read_gz(gz, &extra, 1) != 0) {
        udl_array_free(out);
        return udl_fail(UDL_EFORMAT, "%s has bytes after the %zu x %zu array", path, rows, cols);
    }
    return UDL_OK;
}

UDL_API udl_status udl_idx_read(const char *path, unsigned flags, udl_array *out)
{
    if (!out)
        return udl_fail(UDL_EINVAL, "IDX read: out is NULL");
    memset(out, 0, sizeof *out);
    if (!path)
        return udl_fail(UDL_EINVAL, "IDX read: path is NULL");
    gzFile gz = gzopen(path, "rb");
    if (!gz)
        return udl_fail(UDL_EIO, "cannot open %s: %s", path, strerror(errno));
    udl_status s = read_idx(gz, path, flags, out);
    gzclose(gz);
    return s;
}
