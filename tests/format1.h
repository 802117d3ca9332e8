/* Writes a model file in format 1 (matrices only, no type words), as udl 0.1 did, so the
 * tests can check how loaders treat old files, good and bad. */
#ifndef UDL_TESTS_FORMAT1_H
#define UDL_TESTS_FORMAT1_H

#include <stdio.h>
#include <string.h>
#include <zlib.h>

#include "core/container.h"
#include "core/file.h"

static inline void put_bytes(unsigned char **at, const void *p, size_t n)
{
    memcpy(*at, p, n);
    *at += n;
}

static inline int save_format1(const char *path, uint32_t kind, const udli_block *blocks,
                               size_t n)
{
    size_t size = 28;
    for (size_t i = 0; i < n; i++)
        size += 20 + strlen(blocks[i].name) + 8 * blocks[i].rows * blocks[i].cols;
    unsigned char *buf = malloc(size), *at = buf, w[8];
    put_bytes(&at, "UDLMODEL", 8);
    uint32_t head[4] = {1, kind, (uint32_t)n, 0};
    for (int k = 0; k < 4; k++) {
        udli_put_u32le(w, head[k]);
        put_bytes(&at, w, 4);
    }
    for (size_t i = 0; i < n; i++) {
        udli_put_u32le(w, (uint32_t)strlen(blocks[i].name));
        put_bytes(&at, w, 4);
        put_bytes(&at, blocks[i].name, strlen(blocks[i].name));
        udli_put_u64le(w, blocks[i].rows);
        put_bytes(&at, w, 8);
        udli_put_u64le(w, blocks[i].cols);
        put_bytes(&at, w, 8);
        for (size_t k = 0; k < blocks[i].rows * blocks[i].cols; k++) {
            uint64_t bits;
            memcpy(&bits, &blocks[i].data[k], 8);
            udli_put_u64le(w, bits);
            put_bytes(&at, w, 8);
        }
    }
    udli_put_u32le(w, (uint32_t)crc32(0L, buf, (uInt)(size - 4)));
    put_bytes(&at, w, 4);
    FILE *f = fopen(path, "wb");
    int ok = f && fwrite(buf, 1, size, f) == size;
    if (f)
        fclose(f);
    free(buf);
    return ok ? UDL_OK : UDL_EIO;
}

#endif
