#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "core/error.h"
#include "core/file.h"
#include <udl/io.h>

static atomic_uint tmp_counter;

static void release(udli_wfile *f)
{
    if (f->fp)
        fclose(f->fp);
    if (f->tmp_path)
        unlink(f->tmp_path);
    free(f->path);
    free(f->tmp_path);
    f->fp = NULL;
    f->path = f->tmp_path = NULL;
}

udl_status udli_wfile_open(udli_wfile *f, const char *path)
{
    memset(f, 0, sizeof *f);
    if (!path || !*path)
        return f->status = udli_fail(UDL_EINVAL, "output path is NULL or empty");
    size_t len = strlen(path);
    f->path = udli_alloc(len + 1, 1, "output path");
    f->tmp_path = udli_alloc(len + 64, 1, "temporary path");
    if (!f->path || !f->tmp_path) {
        release(f);
        return f->status = UDL_ENOMEM;
    }
    memcpy(f->path, path, len + 1);
    /* O_EXCL with a per-process, per-call name: two writers never share a temporary,
     * and the final file gets the usual umask-derived mode (mkstemp would force 0600). */
    int fd = -1;
    for (int attempt = 0; attempt < 100 && fd < 0; attempt++) {
        snprintf(f->tmp_path, len + 64, "%s.tmp%ld.%u", path, (long)getpid(),
                 atomic_fetch_add(&tmp_counter, 1u));
        fd = open(f->tmp_path, O_WRONLY | O_CREAT | O_EXCL, 0666);
        if (fd < 0 && errno != EEXIST)
            break;
    }
    if (fd < 0) {
        udl_status s = udli_fail(UDL_EIO, "cannot create %s: %s", f->tmp_path, strerror(errno));
        free(f->tmp_path);
        f->tmp_path = NULL;
        release(f);
        return f->status = s;
    }
    f->fp = fdopen(fd, "wb");
    if (!f->fp) {
        close(fd);
        udl_status s = udli_fail(UDL_EIO, "cannot open %s: %s", f->tmp_path, strerror(errno));
        release(f);
        return f->status = s;
    }
    f->crc = (uint32_t)crc32(0L, Z_NULL, 0);
    return UDL_OK;
}

void udli_wfile_write(udli_wfile *f, const void *buf, size_t n)
{
    if (f->status || !f->fp || n == 0)
        return;
    if (fwrite(buf, 1, n, f->fp) != n) {
        f->status = udli_fail(UDL_EIO, "writing %s failed: %s", f->path, strerror(errno));
        return;
    }
    const unsigned char *p = buf;
    while (n) { /* zlib's crc32 takes a 32-bit length */
        uInt chunk = n > (1u << 30) ? (1u << 30) : (uInt)n;
        f->crc = (uint32_t)crc32(f->crc, p, chunk);
        p += chunk;
        n -= chunk;
    }
}

void udli_wfile_write_f64(udli_wfile *f, const double *x, size_t n)
{
    unsigned char buf[8 * 512];
    while (n) {
        size_t chunk = n < 512 ? n : 512;
        for (size_t i = 0; i < chunk; i++) {
            uint64_t bits;
            memcpy(&bits, &x[i], sizeof bits);
            udli_put_u64le(buf + 8 * i, bits);
        }
        udli_wfile_write(f, buf, 8 * chunk);
        x += chunk;
        n -= chunk;
    }
}

udl_status udli_wfile_commit(udli_wfile *f)
{
    udl_status s = f->status;
    if (!s && !f->fp)
        s = udli_fail(UDL_EIO, "no file is open for writing");
    if (!s && (fflush(f->fp) != 0 || fsync(fileno(f->fp)) != 0))
        s = udli_fail(UDL_EIO, "writing %s failed: %s", f->path, strerror(errno));
    if (!s) {
        int rc = fclose(f->fp);
        f->fp = NULL;
        if (rc != 0)
            s = udli_fail(UDL_EIO, "closing %s failed: %s", f->path, strerror(errno));
    }
    if (!s && rename(f->tmp_path, f->path) != 0)
        s = udli_fail(UDL_EIO, "cannot rename the temporary file to %s: %s", f->path,
                      strerror(errno));
    if (!s) {
        free(f->tmp_path); /* renamed: nothing left to unlink */
        f->tmp_path = NULL;
    }
    release(f);
    return s;
}

void udli_wfile_abort(udli_wfile *f) { release(f); }

UDL_API udl_status udl_file_write(const char *path, const void *data, size_t size)
{
    if (!data && size)
        return udli_fail(UDL_EINVAL, "no data to write to %s", path ? path : "(null)");
    udli_wfile f;
    udl_status s = udli_wfile_open(&f, path);
    if (s)
        return s;
    udli_wfile_write(&f, data, size);
    return udli_wfile_commit(&f);
}

udl_status udli_read_file(const char *path, unsigned char **data, size_t *size)
{
    *data = NULL;
    *size = 0;
    if (!path)
        return udli_fail(UDL_EINVAL, "input path is NULL");
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return udli_fail(UDL_EIO, "cannot open %s: %s", path, strerror(errno));
    /* A regular file is read into one buffer of its size, with a byte to spare so the
     * read that meets the end needs no growth; a pipe's size is unknown, so it grows. */
    struct stat st;
    size_t cap = 1 << 16, len = 0;
    if (fstat(fileno(fp), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
        (uintmax_t)st.st_size < SIZE_MAX)
        cap = (size_t)st.st_size + 1;
    unsigned char *buf = udli_alloc(cap, 1, "file buffer");
    udl_status s = buf ? UDL_OK : UDL_ENOMEM;
    while (!s) {
        if (len == cap) {
            unsigned char *bigger = udli_realloc(buf, cap, 2, "file buffer");
            if (!bigger) {
                s = udli_fail(UDL_ENOMEM, "cannot hold %s in memory", path);
                break;
            }
            buf = bigger;
            cap *= 2;
        }
        size_t got = fread(buf + len, 1, cap - len, fp);
        len += got;
        if (got == 0) {
            if (ferror(fp))
                s = udli_fail(UDL_EIO, "reading %s failed", path);
            break;
        }
    }
    fclose(fp);
    if (s) {
        free(buf);
        return s;
    }
    *data = buf;
    *size = len;
    return UDL_OK;
}
