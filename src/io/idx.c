/* MNIST IDX files (LeCun et al.): two zero bytes, a type code, the number of
 * dimensions, each dimension as a big-endian u32, then the values, big-endian. zlib's
 * gzread passes plain files through, so one reader handles .gz and plain alike. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
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

static int idx_format(unsigned char code, udli_elfmt *fmt)
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

/* Deflate expands a byte into at most 1032 (zlib's technical notes), so a gzip file of
 * n bytes inflates to at most 1032 n. */
#define DEFLATE_MAX_RATIO 1032

/* The most bytes gz can still deliver, from the size of the file beneath it (negative
 * when unknown, as for a pipe). */
static size_t bytes_left(gzFile gz, off_t file_size)
{
    if (file_size < 0 || (uintmax_t)file_size > SIZE_MAX)
        return UDL_SIZE_UNKNOWN;
    size_t size = (size_t)file_size;
    if (!gzdirect(gz))
        return size > SIZE_MAX / DEFLATE_MAX_RATIO ? UDL_SIZE_UNKNOWN
                                                   : size * DEFLATE_MAX_RATIO;
    z_off_t at = gztell(gz);
    return at >= 0 && (size_t)at < size ? size - (size_t)at : 0;
}

static udl_status read_idx(gzFile gz, off_t file_size, const char *path, unsigned flags,
                           udl_array *out)
{
    unsigned char head[4 + 4 * IDX_MAX_DIMS];
    if (read_gz(gz, head, 4) != 4 || head[0] != 0 || head[1] != 0)
        return udli_fail(UDL_EFORMAT, "%s is not an IDX file (bad magic)", path);
    udli_elfmt fmt;
    if (!idx_format(head[2], &fmt))
        return udli_fail(UDL_EFORMAT, "%s: unknown IDX element type 0x%02x", path, head[2]);
    int ndim = head[3];
    if (ndim < 1 || ndim > IDX_MAX_DIMS)
        return udli_fail(UDL_EFORMAT, "%s: IDX files with %d dimensions are not supported", path,
                         ndim);
    if (read_gz(gz, head + 4, 4 * (size_t)ndim) != 4 * (size_t)ndim)
        return udli_fail(UDL_EFORMAT, "%s: the IDX header is truncated", path);
    size_t shape[IDX_MAX_DIMS];
    for (int d = 0; d < ndim; d++) {
        const unsigned char *p = head + 4 + 4 * d;
        shape[d] = (size_t)p[0] << 24 | (size_t)p[1] << 16 | (size_t)p[2] << 8 | p[3];
    }
    size_t rows, cols;
    udl_status s = udli_shape_to_matrix(shape, ndim, fmt.size, path, &rows, &cols);
    if (s || (s = udli_read_elements(read_gz, gz, fmt, rows, cols, ndim, flags, path,
                                     bytes_left(gz, file_size), out)))
        return s;
    /* gzread returns what it has when the input stops inside a gzip stream (it expects
     * files still being written) and leaves Z_BUF_ERROR in gzerror, so a file cut in
     * its trailer would otherwise pass without its checksum. */
    unsigned char extra;
    size_t got = read_gz(gz, &extra, 1);
    int err = Z_OK;
    gzerror(gz, &err);
    if (got == 1) {
        udl_array_free(out);
        return udli_fail(UDL_EFORMAT, "%s has bytes after the %zu x %zu array", path, rows, cols);
    }
    if (got != 0 || err != Z_OK) {
        udl_array_free(out);
        return udli_fail(UDL_EFORMAT, "%s: the gzip stream is cut short or fails its checksum",
                         path);
    }
    return UDL_OK;
}

UDL_API udl_status udl_idx_read(const char *path, unsigned flags, udl_array *out)
{
    if (!out)
        return udli_fail(UDL_EINVAL, "IDX read: out is NULL");
    memset(out, 0, sizeof *out);
    if (!path)
        return udli_fail(UDL_EINVAL, "IDX read: path is NULL");
    int fd = open(path, O_RDONLY);
    gzFile gz = fd < 0 ? NULL : gzdopen(fd, "rb");
    if (!gz) {
        udl_status s = udli_fail(UDL_EIO, "cannot open %s: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return s;
    }
    struct stat st;
    off_t file_size = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ? st.st_size : -1;
    udl_status s = read_idx(gz, file_size, path, flags, out);
    gzclose(gz);
    return s;
}
