/* Internal to io: decoding stored numbers of any supported type into doubles. */
#ifndef UDL_IO_ELEMENTS_H
#define UDL_IO_ELEMENTS_H

#include <stddef.h>
#include <stdint.h>

#include <udl/io.h>

typedef enum { EL_U8, EL_I8, EL_I16, EL_I32, EL_I64, EL_F32, EL_F64 } udli_eltype;

typedef struct udli_elfmt {
    udli_eltype type;
    size_t size;    /* bytes per element */
    int big_endian; /* byte order of multi-byte elements */
} udli_elfmt;

/* Reads up to n bytes into buf; returns how many were read, or (size_t)-1 on error. */
typedef size_t (*udli_read_fn)(void *source, void *buf, size_t n);

/* What a source whose size cannot be known (a pipe) can hold at most. */
#define UDL_SIZE_UNKNOWN SIZE_MAX

/* Fills out (allocated here, rows x cols) with count = rows*cols elements read from
 * source, converting each to double. uint8 data with ndim >= 2 is divided by 255
 * unless flags has UDL_READ_RAW. name is the file for messages. at_most is the most
 * bytes source can still deliver, or UDL_SIZE_UNKNOWN. */
udl_status udli_read_elements(udli_read_fn read, void *source, udli_elfmt fmt, size_t rows,
                              size_t cols, int ndim, unsigned flags, const char *name,
                              size_t at_most, udl_array *out);

/* rows x cols from a shape: rows = shape[0], cols = the product of the rest (1 for
 * ndim 1); UDL_EFORMAT when the element count overflows. */
udl_status udli_shape_to_matrix(const size_t *shape, int ndim, size_t elsize,
                                const char *name, size_t *rows, size_t *cols);

#endif
