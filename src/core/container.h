/* Internal: the one model file format (DESIGN.md, "Files").
 *
 *   "UDLMODEL"            8 bytes of magic
 *   u32 format version    currently 1
 *   u32 model kind        enum udl_model_kind
 *   u32 block count
 *   u32 reserved          0
 *   blocks, each:         u32 name length (1..63), name bytes, u64 rows, u64 cols,
 *                         rows*cols IEEE-754 doubles
 *   u32 CRC-32            of every byte before it
 *
 * All integers and doubles are little-endian. */
#ifndef UDL_CORE_CONTAINER_H
#define UDL_CORE_CONTAINER_H

#include <stddef.h>
#include <stdint.h>

#include <udl/status.h>

enum udl_model_kind {
    UDL_KIND_PCA = 1,
    UDL_KIND_AUTOENCODER = 2,
    UDL_KIND_STACKED_AUTOENCODER = 3,
    UDL_KIND_DEEP_AUTOENCODER = 4,
    UDL_KIND_RBM = 5,
    UDL_KIND_DBN = 6,
    UDL_KIND_DNN = 7,
    UDL_KIND_TEST = 0x7E57 /* used only by the tests */
};

#define UDL_CONTAINER_VERSION 1u
#define UDL_BLOCK_NAME_MAX 63

typedef struct udl_block {
    const char *name;
    size_t rows, cols;
    const double *data; /* rows * cols doubles, dense row-major */
} udl_block;

/* Writes the blocks under path atomically. Names must be unique and 1..63 bytes. */
udl_status udl_container_save(const char *path, uint32_t kind, const udl_block *blocks,
                              size_t n_blocks);

typedef struct udl_container udl_container;

/* Reads and verifies path: UDL_EIO if unreadable, UDL_EFORMAT if it is not a udl model
 * file or is truncated or corrupt, UDL_EKIND if it holds another kind of model. */
udl_status udl_container_load(const char *path, uint32_t kind, udl_container **out);
void udl_container_free(udl_container *c);

/* The block called name, which must be rows x cols; UDL_EFORMAT naming the block when it
 * is missing or has another shape. Pass SIZE_MAX for a dimension to accept any. */
udl_status udl_container_get(const udl_container *c, const char *name, size_t rows,
                             size_t cols, udl_block *block);

/* A name for messages: "PCA", "RBM", ... */
const char *udl_model_kind_name(uint32_t kind);

#endif
