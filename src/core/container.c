#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "core/container.h"
#include "core/error.h"
#include "core/file.h"

static const char magic[8] = {'U', 'D', 'L', 'M', 'O', 'D', 'E', 'L'};
enum { HEADER_BYTES = 24, CRC_BYTES = 4 };

struct udl_container {
    size_t n_blocks;
    udl_block *blocks;
    char (*names)[UDL_BLOCK_NAME_MAX + 1];
    double *values;
};

const char *udl_model_kind_name(uint32_t kind)
{
    switch (kind) {
    case UDL_KIND_PCA: return "PCA";
    case UDL_KIND_AUTOENCODER: return "autoencoder";
    case UDL_KIND_STACKED_AUTOENCODER: return "stacked autoencoder";
    case UDL_KIND_DEEP_AUTOENCODER: return "deep autoencoder";
    case UDL_KIND_RBM: return "RBM";
    case UDL_KIND_DBN: return "deep belief net";
    case UDL_KIND_DNN: return "deep network";
    case UDL_KIND_TEST: return "test";
    }
    return "unknown";
}

static udl_status check_blocks(const udl_block *blocks, size_t n)
{
    if (n && !blocks)
        return udl_fail(UDL_EINVAL, "model file: blocks is NULL");
    for (size_t i = 0; i < n; i++) {
        const udl_block *b = &blocks[i];
        size_t len = b->name ? strlen(b->name) : 0;
        if (len == 0 || len > UDL_BLOCK_NAME_MAX)
            return udl_fail(UDL_EINVAL, "model file: block %zu needs a name of 1 to %d bytes",
                            i, UDL_BLOCK_NAME_MAX);
        if (b->cols && b->rows > SIZE_MAX / sizeof(double) / b->cols)
            return udl_fail(UDL_EINVAL, "model file: block '%s' is too large", b->name);
        if (b->rows && b->cols && !b->data)
            return udl_fail(UDL_EINVAL, "model file: block '%s' has NULL data", b->name);
        for (size_t j = 0; j < i; j++)
            if (strcmp(blocks[j].name, b->name) == 0)
                return udl_fail(UDL_EINVAL, "model file: two blocks are named '%s'", b->name);
    }
    return UDL_OK;
}

udl_status udl_container_save(const char *path, uint32_t kind, const udl_block *blocks,
                              size_t n_blocks)
{
    udl_status s = check_blocks(blocks, n_blocks);
    if (s)
        return s;
    if (n_blocks > UINT32_MAX)
        return udl_fail(UDL_EINVAL, "model file: too many blocks (%zu)", n_blocks);
    udl_wfile f;
    if ((s = udl_wfile_open(&f, path)))
        return s;
    unsigned char head[HEADER_BYTES];
    memcpy(head, magic, sizeof magic);
    udl_put_u32le(head + 8, UDL_CONTAINER_VERSION);
    udl_put_u32le(head + 12, kind);
    udl_put_u32le(head + 16, (uint32_t)n_blocks);
    udl_put_u32le(head + 20, 0);
    udl_wfile_write(&f, head, sizeof head);
    for (size_t i = 0; i < n_blocks; i++) {
        unsigned char shape[16], len[4];
        size_t name_len = strlen(blocks[i].name);
        udl_put_u32le(len, (uint32_t)name_len);
        udl_wfile_write(&f, len, sizeof len);
        udl_wfile_write(&f, blocks[i].name, name_len);
        udl_put_u64le(shape, blocks[i].rows);
        udl_put_u64le(shape + 8, blocks[i].cols);
        udl_wfile_write(&f, shape, sizeof shape);
        udl_wfile_write_f64(&f, blocks[i].data, blocks[i].rows * blocks[i].cols);
    }
    unsigned char crc[CRC_BYTES];
    udl_put_u32le(crc, f.crc);
    udl_wfile_write(&f, crc, sizeof crc);
    return udl_wfile_commit(&f);
}

void udl_container_free(udl_container *c)
{
    if (!c)
        return;
    free(c->blocks);
    free(c->names);
    free(c->values);
    free(c);
}

static uint32_t crc_of(const unsigned char *p, size_t n)
{
    uint32_t crc = (uint32_t)crc32(0L, Z_NULL, 0);
    while (n) {
        uInt chunk = n > (1u << 30) ? (1u << 30) : (uInt)n;
        crc = (uint32_t)crc32(crc, p, chunk);
        p += chunk;
        n -= chunk;
    }
    return crc;
}

/* Walks the block table once to validate it and count values; with c non-NULL it also
 * fills the blocks. */
static udl_status parse_blocks(const char *path, const unsigned char *p, size_t size,
                               size_t n_blocks, size_t *n_values, udl_container *c)
{
    size_t at = HEADER_BYTES, end = size - CRC_BYTES, total = 0;
    for (size_t i = 0; i < n_blocks; i++) {
        if (end - at < 4)
            return udl_fail(UDL_EFORMAT, "%s: block %zu is cut short", path, i);
        uint32_t name_len = udl_get_u32le(p + at);
        at += 4;
        if (name_len == 0 || name_len > UDL_BLOCK_NAME_MAX || end - at < name_len + 16u)
            return udl_fail(UDL_EFORMAT, "%s: block %zu has a bad header", path, i);
        const unsigned char *name = p + at;
        at += name_len;
        uint64_t rows = udl_get_u64le(p + at), cols = udl_get_u64le(p + at + 8);
        at += 16;
        if (cols && rows > (end - at) / 8 / cols)
            return udl_fail(UDL_EFORMAT, "%s: block %zu claims %llu x %llu values, more than "
                            "the file holds", path, i, (unsigned long long)rows,
                            (unsigned long long)cols);
        size_t count = (size_t)(rows * cols);
        if (c) {
            memcpy(c->names[i], name, name_len);
            c->names[i][name_len] = '\0';
            for (size_t k = 0; k < count; k++)
                c->values[total + k] = udl_get_f64le(p + at + 8 * k);
            c->blocks[i] = (udl_block){c->names[i], (size_t)rows, (size_t)cols,
                                       c->values + total};
        }
        at += 8 * count;
        total += count;
    }
    if (at != end)
        return udl_fail(UDL_EFORMAT, "%s: %zu unexpected bytes after the last block", path,
                        end - at);
    *n_values = total;
    return UDL_OK;
}

udl_status udl_container_load(const char *path, uint32_t kind, udl_container **out)
{
    if (!out)
        return udl_fail(UDL_EINVAL, "model file: out is NULL");
    *out = NULL;
    unsigned char *p;
    size_t size;
    udl_status s = udl_read_file(path, &p, &size);
    if (s)
        return s;
    if (size < sizeof magic || memcmp(p, magic, sizeof magic) != 0) {
        free(p);
        return udl_fail(UDL_EFORMAT, "%s is not a udl model file (bad magic)", path);
    }
    if (size < HEADER_BYTES + CRC_BYTES) {
        free(p);
        return udl_fail(UDL_EFORMAT, "%s is truncated (%zu bytes)", path, size);
    }
    if (crc_of(p, size - CRC_BYTES) != udl_get_u32le(p + size - CRC_BYTES)) {
        free(p);
        return udl_fail(UDL_EFORMAT, "%s is corrupt or truncated (CRC-32 mismatch)", path);
    }
    uint32_t version = udl_get_u32le(p + 8), file_kind = udl_get_u32le(p + 12);
    uint32_t n_blocks = udl_get_u32le(p + 16), reserved = udl_get_u32le(p + 20);
    if (version != UDL_CONTAINER_VERSION || reserved != 0) {
        free(p);
        return udl_fail(UDL_EFORMAT, "%s has format version %u; this udl reads version %u",
                        path, version, UDL_CONTAINER_VERSION);
    }
    if (file_kind != kind) {
        free(p);
        return udl_fail(UDL_EKIND, "%s holds a %s model, not a %s model", path,
                        udl_model_kind_name(file_kind), udl_model_kind_name(kind));
    }
    size_t n_values;
    if ((s = parse_blocks(path, p, size, n_blocks, &n_values, NULL))) {
        free(p);
        return s;
    }
    udl_container *c = udl_calloc(1, sizeof *c, "model file");
    if (c) {
        c->n_blocks = n_blocks;
        c->blocks = udl_calloc(n_blocks, sizeof *c->blocks, "model blocks");
        c->names = udl_calloc(n_blocks, sizeof *c->names, "model block names");
        c->values = udl_alloc(n_values, sizeof *c->values, "model values");
    }
    if (!c || !c->blocks || !c->names || !c->values) {
        udl_container_free(c);
        free(p);
        return UDL_ENOMEM;
    }
    parse_blocks(path, p, size, n_blocks, &n_values, c);
    free(p);
    *out = c;
    return UDL_OK;
}

udl_status udl_container_get(const udl_container *c, const char *name, size_t rows,
                             size_t cols, udl_block *block)
{
    for (size_t i = 0; i < c->n_blocks; i++) {
        const udl_block *b = &c->blocks[i];
        if (strcmp(b->name, name) != 0)
            continue;
        if ((rows != SIZE_MAX && b->rows != rows) || (cols != SIZE_MAX && b->cols != cols))
            return udl_fail(UDL_EFORMAT, "model file: block '%s' is %zu x %zu, expected %zu x %zu",
                            name, b->rows, b->cols, rows, cols);
        *block = *b;
        return UDL_OK;
    }
    return udl_fail(UDL_EFORMAT, "model file: it has no block '%s'", name);
}
