/* MNIST IDX files (LeCun et al.): two zero bytes, a type code, the number of
 * dimensions, each dimension as a big-endian u32, then the values, big-endian. A file
 * that starts as gzip does is inflated on the way; one reader handles .gz and plain
 * alike. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "core/error.h"
#include "io/elements.h"

#define IDX_MAX_DIMS 8

/* The file's bytes, as they are or inflated. zlib's gzread would do both, but it skips
 * whatever follows the last gzip member, so a file with junk after its data would pass;
 * here the gzip members (one, or several concatenated) must end the file. */
typedef struct idx_source {
    FILE *fp;
    int gzip;
    z_stream z;           /* next_in / avail_in: input not yet used, plain files too */
    int ended;            /* gzip: the last member's trailer has been read and checked */
    int junk;             /* gzip: bytes that are not a gzip member follow the last one */
    int failed;           /* a read error, or gzip data that fails to inflate */
    unsigned char in[1 << 16];
} idx_source;

/* At least want bytes of input at next_in, unless the file ends first: 1 when there are. */
static int ensure(idx_source *s, size_t want)
{
    if (s->z.avail_in >= want)
        return 1;
    memmove(s->in, s->z.next_in, s->z.avail_in);
    s->z.next_in = s->in;
    while (s->z.avail_in < want) {
        size_t got = fread(s->in + s->z.avail_in, 1, sizeof s->in - s->z.avail_in, s->fp);
        if (got == 0) {
            s->failed |= ferror(s->fp) != 0;
            return 0;
        }
        s->z.avail_in += (uInt)got;
    }
    return 1;
}

static size_t read_plain(idx_source *s, unsigned char *buf, size_t n)
{
    size_t done = s->z.avail_in < n ? s->z.avail_in : n;
    memcpy(buf, s->z.next_in, done);
    s->z.next_in += done;
    s->z.avail_in -= (uInt)done;
    if (done < n)
        done += fread(buf + done, 1, n - done, s->fp);
    return done < n && ferror(s->fp) ? (size_t)-1 : done;
}

static size_t read_inflated(idx_source *s, unsigned char *buf, size_t n)
{
    size_t done = 0;
    while (done < n && !s->ended && !s->failed) {
        if (!ensure(s, 1))
            break; /* cut inside a member: the caller sees a short read */
        uInt chunk = n - done > (1u << 30) ? (1u << 30) : (uInt)(n - done);
        s->z.next_out = buf + done;
        s->z.avail_out = chunk;
        int rc = inflate(&s->z, Z_NO_FLUSH);
        done += chunk - s->z.avail_out;
        if (rc == Z_STREAM_END) {
            if (!ensure(s, 1))
                s->ended = 1;
            else if (ensure(s, 2) && s->z.next_in[0] == 0x1f && s->z.next_in[1] == 0x8b)
                s->failed = inflateReset(&s->z) != Z_OK; /* the next member */
            else
                s->junk = s->ended = 1;
        } else if (rc != Z_OK) {
            s->failed = 1;
        }
    }
    return s->failed ? (size_t)-1 : done;
}

static size_t read_idx_bytes(void *source, void *buf, size_t n)
{
    idx_source *s = source;
    return s->gzip ? read_inflated(s, buf, n) : read_plain(s, buf, n);
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

/* The most bytes the source can still deliver, from the size of the file beneath it
 * (negative when unknown, as for a pipe). */
static size_t bytes_left(const idx_source *s, off_t file_size)
{
    if (file_size < 0 || (uintmax_t)file_size > SIZE_MAX)
        return UDL_SIZE_UNKNOWN;
    size_t size = (size_t)file_size;
    if (s->gzip)
        return size > SIZE_MAX / DEFLATE_MAX_RATIO ? UDL_SIZE_UNKNOWN
                                                   : size * DEFLATE_MAX_RATIO;
    off_t at = ftello(s->fp);
    if (at < 0 || (uintmax_t)at > size)
        return UDL_SIZE_UNKNOWN;
    return size - (size_t)at + s->z.avail_in;
}

static udl_status read_idx(idx_source *src, off_t file_size, const char *path, unsigned flags,
                           udl_array *out)
{
    unsigned char head[4 + 4 * IDX_MAX_DIMS];
    if (read_idx_bytes(src, head, 4) != 4 || head[0] != 0 || head[1] != 0)
        return udli_fail(UDL_EFORMAT, "%s is not an IDX file (bad magic)", path);
    udli_elfmt fmt;
    if (!idx_format(head[2], &fmt))
        return udli_fail(UDL_EFORMAT, "%s: unknown IDX element type 0x%02x", path, head[2]);
    int ndim = head[3];
    if (ndim < 1 || ndim > IDX_MAX_DIMS)
        return udli_fail(UDL_EFORMAT, "%s: IDX files with %d dimensions are not supported", path,
                         ndim);
    if (read_idx_bytes(src, head + 4, 4 * (size_t)ndim) != 4 * (size_t)ndim)
        return udli_fail(UDL_EFORMAT, "%s: the IDX header is truncated", path);
    size_t shape[IDX_MAX_DIMS];
    for (int d = 0; d < ndim; d++) {
        const unsigned char *p = head + 4 + 4 * d;
        shape[d] = (size_t)p[0] << 24 | (size_t)p[1] << 16 | (size_t)p[2] << 8 | p[3];
    }
    size_t rows, cols;
    udl_status s = udli_shape_to_matrix(shape, ndim, fmt.size, path, &rows, &cols);
    if (s || (s = udli_read_elements(read_idx_bytes, src, fmt, rows, cols, ndim, flags, path,
                                     bytes_left(src, file_size), out)))
        return s;
    /* One byte more must be the end: of the file, or of the last gzip member, whose
     * trailer (CRC-32 and length) inflate checks on the way there. */
    unsigned char extra;
    size_t got = read_idx_bytes(src, &extra, 1);
    if (got == 1)
        s = udli_fail(UDL_EFORMAT, "%s has bytes after the %zu x %zu array", path, rows, cols);
    else if (src->junk)
        s = udli_fail(UDL_EFORMAT, "%s has bytes after the gzip stream", path);
    else if (got != 0 || (src->gzip && !src->ended))
        s = udli_fail(UDL_EFORMAT, "%s: the gzip stream is cut short or fails its checksum",
                      path);
    if (s)
        udl_array_free(out);
    return s;
}

UDL_API udl_status udl_idx_read(const char *path, unsigned flags, udl_array *out)
{
    if (!out)
        return udli_fail(UDL_EINVAL, "IDX read: out is NULL");
    memset(out, 0, sizeof *out);
    if (!path)
        return udli_fail(UDL_EINVAL, "IDX read: path is NULL");
    idx_source *src = udli_calloc(1, sizeof *src, "IDX reader");
    if (!src)
        return UDL_ENOMEM;
    if (!(src->fp = fopen(path, "rb"))) {
        udl_status s = udli_fail(UDL_EIO, "cannot open %s: %s", path, strerror(errno));
        free(src);
        return s;
    }
    struct stat st;
    off_t file_size = fstat(fileno(src->fp), &st) == 0 && S_ISREG(st.st_mode) ? st.st_size : -1;
    src->z.next_in = src->in;
    ensure(src, 2);
    src->gzip = src->z.avail_in >= 2 && src->in[0] == 0x1f && src->in[1] == 0x8b;
    udl_status s = UDL_OK;
    if (src->failed)
        s = udli_fail(UDL_EIO, "reading %s failed", path);
    else if (src->gzip && inflateInit2(&src->z, 16 + MAX_WBITS) != Z_OK)
        s = udli_fail(UDL_ENOMEM, "%s: zlib could not start inflating", path);
    else
        s = read_idx(src, file_size, path, flags, out);
    if (src->gzip)
        inflateEnd(&src->z);
    fclose(src->fp);
    free(src);
    return s;
}
