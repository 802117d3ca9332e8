/** @file
 * Data files in and out: NumPy .npy, MNIST IDX (plain or gzip) and CSV. */
#ifndef UDL_IO_H
#define UDL_IO_H

#include <stddef.h>

#include <udl/matrix.h>
#include <udl/status.h>

#ifdef __cplusplus
extern "C" {
#endif

/** A matrix that owns its memory: rows x cols doubles, row-major, dense.
 * Release with udl_array_free. */
typedef struct udl_array {
    double *data;     /**< rows * cols values, allocated by the reader */
    size_t rows, cols; /**< the number of columns (features) */
    /** @var udl_array::rows
     * the number of rows (samples) */
} udl_array;

/** Frees a->data and zeroes *a; a NULL a or an empty array is a no-op. */
UDL_API void udl_array_free(udl_array *a);

/** A view of the whole array (no copy). */
UDL_API udl_mat udl_array_mat(const udl_array *a);

/** Reading flags. By default uint8 data with two or more dimensions (images) is divided
 * by 255 into [0, 1]; one-dimensional uint8 data (labels) is kept as it is. */
enum { UDL_READ_RAW = 1 /**< keep uint8 images as they are, 0..255 */ };

/** Reads a .npy file of float64, float32, uint8, int32 or int64 (either byte order,
 * C or Fortran order). Shape (n,) gives n x 1; (n, d1, d2, ...) gives n x (d1*d2*...).
 * Integers must be exactly representable as doubles (|v| <= 2^53). */
UDL_API udl_status udl_npy_read(const char *path, unsigned flags, udl_array *out);

/** Writes m as a float64 (n, d) .npy file; the file appears whole or not at all. */
UDL_API udl_status udl_npy_write(const char *path, udl_mat m);

/** Reads an MNIST IDX file, plain or gzip-compressed: images (n, rows, cols) give
 * n x (rows*cols); labels (n) give n x 1. Element types: uint8, int8, int16, int32,
 * float32, float64 (big-endian, as the format says). */
UDL_API udl_status udl_idx_read(const char *path, unsigned flags, udl_array *out);

/** Reads comma-separated numbers, one sample per line; blank lines and '#' comments
 * are skipped, and a first line that is not all numbers is taken as a header. Every
 * row must have the same number of fields. */
UDL_API udl_status udl_csv_read(const char *path, udl_array *out);

/** Reads .npy, IDX (plain or gzip) or CSV, chosen by the file's first bytes. */
UDL_API udl_status udl_data_read(const char *path, unsigned flags, udl_array *out);

/** Writes size bytes so the file appears whole or not at all: under a temporary name
 * beside path, synced, then renamed over it. */
UDL_API udl_status udl_file_write(const char *path, const void *data, size_t size);

#ifdef __cplusplus
}
#endif

#endif
