/* Internal: the one model file format (DESIGN.md, "Files").
 *
 * Format 2 (written):
 *   "UDLMODEL"            8 bytes of magic
 *   u32 format version    2
 *   u32 model kind        enum udl_kind
 *   u32 field count
 *   u32 reserved          0
 *   fields, each:         u32 type (1 integer, 2 number, 3 matrix), u32 name length
 *                         (1..63), name bytes, then the value: a u64, an IEEE-754 double,
 *                         or u64 rows, u64 cols and rows*cols doubles
 *   u32 CRC-32            of every byte before it
 * Format 1 (still read) had matrices only (no type word), and kept a model's scalars
 * as a positional "info" matrix; udli_container_upgrade names them.
 *
 * All integers and doubles are little-endian. A field is read by name and type, never by
 * position, so adding one shifts nothing. */
#ifndef UDL_CORE_CONTAINER_H
#define UDL_CORE_CONTAINER_H

#include <stddef.h>
#include <stdint.h>

#include <udl/model.h>
#include <udl/status.h>

#define UDL_CONTAINER_VERSION 2u
#define UDL_FIELD_NAME_MAX 63

/* A field's type word is udl_field_type (udl/model.h): 1 integer, 2 number, 3 matrix. */

typedef struct udli_block {
    const char *name;
    size_t rows, cols;
    const double *data; /* rows * cols doubles, dense row-major */
} udli_block;

/* ---- writing: a record of fields, saved at once --------------------------------- */

typedef struct udli_field {
    char name[UDL_FIELD_NAME_MAX + 1];
    int type;
    uint64_t u;
    double f;
    size_t rows, cols;
    const double *data; /* a matrix's values, owned by the caller until saved */
} udli_field;

typedef struct udli_record {
    udli_field *fields;
    size_t n, cap;
    char prefix[32];  /* put before every name added, e.g. "L2." for a stack's layer */
    udl_status status; /* the first failure, reported by save */
} udli_record;

void udli_record_init(udli_record *r);
void udli_record_prefix(udli_record *r, const char *prefix);
void udli_record_u64(udli_record *r, const char *name, uint64_t value);
void udli_record_f64(udli_record *r, const char *name, double value);
/* The data is not copied: it must stay valid until udli_record_save. */
void udli_record_matrix(udli_record *r, const char *name, size_t rows, size_t cols,
                        const double *data);
/* Writes the fields under path atomically and frees the record. Names must be unique. */
udl_status udli_record_save(udli_record *r, const char *path, uint32_t kind);
void udli_record_free(udli_record *r);

/* A record of matrices only (the tests' and the fuzzer's shorthand). */
udl_status udli_container_save(const char *path, uint32_t kind, const udli_block *blocks,
                               size_t n_blocks);

/* ---- reading --------------------------------------------------------------------- */

typedef struct udli_container udli_container;

/* Reads and verifies path: UDL_EIO if unreadable, UDL_EFORMAT if it is not a udl model
 * file, is truncated or corrupt, or has a format version this udl does not read. */
udl_status udli_container_open(const char *path, udli_container **out);
/* The same, and UDL_EKIND when it holds another kind of model than kind. */
udl_status udli_container_load(const char *path, uint32_t kind, udli_container **out);
void udli_container_free(udli_container *c);

uint32_t udli_container_kind(const udli_container *c);
unsigned udli_container_version(const udli_container *c);
/* The file's path, for messages. */
const char *udli_container_path(const udli_container *c);
/* Later lookups put prefix before every name (e.g. "L2."); "" for none. */
void udli_container_prefix(udli_container *c, const char *prefix);

/* An integer field in [min, max]; UDL_EFORMAT naming the field when it is missing, of
 * another type or out of range. (In a format-1 file integers were stored as doubles.) */
udl_status udli_container_u64(const udli_container *c, const char *name, uint64_t min,
                              uint64_t max, uint64_t *value);
/* udli_container_u64 into a size_t or an int. */
udl_status udli_container_size(const udli_container *c, const char *name, size_t min,
                               size_t max, size_t *value);
udl_status udli_container_int(const udli_container *c, const char *name, int min, int max,
                              int *value);
/* A finite number field in [min, max]. */
udl_status udli_container_f64(const udli_container *c, const char *name, double min, double max,
                              double *value);
/* The matrix called name, which must be rows x cols (SIZE_MAX for a dimension accepts
 * any); UDL_EFORMAT naming the field when it is missing or has another shape. */
udl_status udli_container_get(const udli_container *c, const char *name, size_t rows,
                              size_t cols, udli_block *block);
/* udli_container_get, and UDL_EFORMAT when a value is NaN or infinite. */
udl_status udli_container_matrix(const udli_container *c, const char *name, size_t rows,
                                 size_t cols, udli_block *block);
/* 1 when a field of that name (after the prefix) exists. */
int udli_container_has(const udli_container *c, const char *name);

/* The number of fields, and field i of them in order of name (i < that number). */
size_t udli_container_n_fields(const udli_container *c);
const udli_field *udli_container_field_at(const udli_container *c, size_t i);
/* The field called name (after the prefix), or NULL. */
const udli_field *udli_container_field(const udli_container *c, const char *name);

/* Format 1: gives the values of the 1 x n matrix prefix + info the names prefix +
 * names[i] as number fields. Format 2 files are left as they are. UDL_EFORMAT when the
 * matrix is missing or has another shape. */
udl_status udli_container_upgrade(udli_container *c, const char *info,
                                  const char *const *names, size_t n);

#endif
