/* Internal: files that appear whole or not at all, and little-endian encoding. */
#ifndef UDL_CORE_FILE_H
#define UDL_CORE_FILE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <udl/status.h>

/* A file being written under a temporary name beside its final path; commit renames
 * it into place, abort (or any failed write) removes it. */
typedef struct udli_wfile {
    FILE *fp;
    char *path, *tmp_path;
    udl_status status; /* first failure, reported by commit */
    uint32_t crc;      /* running CRC-32 of everything written */
} udli_wfile;

udl_status udli_wfile_open(udli_wfile *f, const char *path);
/* Appends n bytes; a failure is remembered and reported by commit. */
void udli_wfile_write(udli_wfile *f, const void *buf, size_t n);
/* Appends n doubles as little-endian IEEE-754. */
void udli_wfile_write_f64(udli_wfile *f, const double *x, size_t n);
/* Flushes, syncs and renames into place; on any earlier failure removes the temporary
 * file instead and returns that failure. Frees f's resources either way. */
udl_status udli_wfile_commit(udli_wfile *f);
void udli_wfile_abort(udli_wfile *f);

/* Reads a whole file into memory (freed by the caller). */
udl_status udli_read_file(const char *path, unsigned char **data, size_t *size);

static inline void udli_put_u32le(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}
static inline void udli_put_u64le(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}
static inline uint32_t udli_get_u32le(const unsigned char *p)
{
    uint32_t v = 0;
    for (int i = 3; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}
static inline uint64_t udli_get_u64le(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}
static inline double udli_get_f64le(const unsigned char *p)
{
    uint64_t bits = udli_get_u64le(p);
    double x;
    memcpy(&x, &bits, sizeof x);
    return x;
}

#endif
