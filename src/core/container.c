#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "core/container.h"
#include "core/error.h"
#include "core/file.h"
#include "core/model.h"

static const char magic[8] = {'U', 'D', 'L', 'M', 'O', 'D', 'E', 'L'};
enum { HEADER_BYTES = 24, CRC_BYTES = 4 };

struct udli_container {
    char *path;
    uint32_t kind;
    unsigned version;
    udli_field *fields;
    size_t n;
    double *values;
    char prefix[32];
};

/* name = prefix + rest, whose lengths the caller has checked against the name limit. */
static void join(char *name, const char *prefix, const char *rest)
{
    size_t a = strlen(prefix), b = strlen(rest);
    memcpy(name, prefix, a);
    memcpy(name + a, rest, b + 1);
}

/* ---- writing ------------------------------------------------------------------------- */

void udli_record_init(udli_record *r)
{
    memset(r, 0, sizeof *r);
}

void udli_record_prefix(udli_record *r, const char *prefix)
{
    snprintf(r->prefix, sizeof r->prefix, "%s", prefix);
}

static udli_field *add_field(udli_record *r, const char *name, int type)
{
    if (r->status)
        return NULL;
    if (r->n == r->cap) {
        size_t cap = r->cap ? 2 * r->cap : 16;
        udli_field *grown = udli_realloc(r->fields, cap, sizeof *grown, "model file fields");
        if (!grown) {
            r->status = UDL_ENOMEM;
            return NULL;
        }
        r->fields = grown;
        r->cap = cap;
    }
    udli_field *f = &r->fields[r->n];
    memset(f, 0, sizeof *f);
    size_t len = strlen(r->prefix) + (name ? strlen(name) : 0);
    if (!name || !*name || len > UDL_FIELD_NAME_MAX) {
        r->status = udli_fail(UDL_EINVAL, "model file: field %zu needs a name of 1 to %d bytes",
                              r->n, UDL_FIELD_NAME_MAX);
        return NULL;
    }
    join(f->name, r->prefix, name);
    for (size_t i = 0; i < r->n; i++)
        if (strcmp(r->fields[i].name, f->name) == 0) {
            r->status = udli_fail(UDL_EINVAL, "model file: two fields are named '%s'", f->name);
            return NULL;
        }
    f->type = type;
    r->n++;
    return f;
}

void udli_record_u64(udli_record *r, const char *name, uint64_t value)
{
    udli_field *f = add_field(r, name, UDL_FIELD_INTEGER);
    if (f)
        f->u = value;
}

void udli_record_f64(udli_record *r, const char *name, double value)
{
    udli_field *f = add_field(r, name, UDL_FIELD_NUMBER);
    if (f)
        f->f = value;
}

void udli_record_matrix(udli_record *r, const char *name, size_t rows, size_t cols,
                        const double *data)
{
    udli_field *f = add_field(r, name, UDL_FIELD_MATRIX);
    if (!f)
        return;
    if (cols && rows > SIZE_MAX / sizeof(double) / cols)
        r->status = udli_fail(UDL_EINVAL, "model file: field '%s' is too large", f->name);
    else if (rows && cols && !data)
        r->status = udli_fail(UDL_EINVAL, "model file: field '%s' has NULL data", f->name);
    f->rows = rows;
    f->cols = cols;
    f->data = data;
}

void udli_record_free(udli_record *r)
{
    free(r->fields);
    udli_record_init(r);
}

static void write_u32(udli_wfile *f, uint32_t v)
{
    unsigned char b[4];
    udli_put_u32le(b, v);
    udli_wfile_write(f, b, sizeof b);
}

static void write_u64(udli_wfile *f, uint64_t v)
{
    unsigned char b[8];
    udli_put_u64le(b, v);
    udli_wfile_write(f, b, sizeof b);
}

udl_status udli_record_save(udli_record *r, const char *path, uint32_t kind)
{
    udl_status s = r->status;
    if (!s && r->n > UINT32_MAX)
        s = udli_fail(UDL_EINVAL, "model file: too many fields (%zu)", r->n);
    udli_wfile f;
    if (s || (s = udli_wfile_open(&f, path))) {
        udli_record_free(r);
        return s;
    }
    unsigned char head[HEADER_BYTES];
    memcpy(head, magic, sizeof magic);
    udli_put_u32le(head + 8, UDL_CONTAINER_VERSION);
    udli_put_u32le(head + 12, kind);
    udli_put_u32le(head + 16, (uint32_t)r->n);
    udli_put_u32le(head + 20, 0);
    udli_wfile_write(&f, head, sizeof head);
    for (size_t i = 0; i < r->n; i++) {
        const udli_field *k = &r->fields[i];
        size_t name_len = strlen(k->name);
        write_u32(&f, (uint32_t)k->type);
        write_u32(&f, (uint32_t)name_len);
        udli_wfile_write(&f, k->name, name_len);
        if (k->type == UDL_FIELD_INTEGER)
            write_u64(&f, k->u);
        else if (k->type == UDL_FIELD_NUMBER)
            udli_wfile_write_f64(&f, &k->f, 1);
        else {
            write_u64(&f, k->rows);
            write_u64(&f, k->cols);
            udli_wfile_write_f64(&f, k->data, k->rows * k->cols);
        }
    }
    write_u32(&f, f.crc);
    udli_record_free(r);
    return udli_wfile_commit(&f);
}

udl_status udli_container_save(const char *path, uint32_t kind, const udli_block *blocks,
                               size_t n_blocks)
{
    if (n_blocks && !blocks)
        return udli_fail(UDL_EINVAL, "model file: blocks is NULL");
    udli_record r;
    udli_record_init(&r);
    for (size_t i = 0; i < n_blocks; i++)
        udli_record_matrix(&r, blocks[i].name, blocks[i].rows, blocks[i].cols, blocks[i].data);
    return udli_record_save(&r, path, kind);
}

/* ---- reading ------------------------------------------------------------------------- */

void udli_container_free(udli_container *c)
{
    if (!c)
        return;
    free(c->path);
    free(c->fields);
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

/* Walks the fields once to validate them and count matrix values; with c non-NULL it
 * also fills the fields. Format 1 has matrices only and no type word. */
static udl_status parse_fields(const char *path, const unsigned char *p, size_t size,
                               unsigned version, size_t n_fields, size_t *n_values,
                               udli_container *c)
{
    size_t at = HEADER_BYTES, end = size - CRC_BYTES, total = 0;
    for (size_t i = 0; i < n_fields; i++) {
        uint32_t type = UDL_FIELD_MATRIX;
        if (version >= 2) {
            if (end - at < 4)
                return udli_fail(UDL_EFORMAT, "%s: field %zu is cut short", path, i);
            type = udli_get_u32le(p + at);
            at += 4;
            if (type < UDL_FIELD_INTEGER || type > UDL_FIELD_MATRIX)
                return udli_fail(UDL_EFORMAT, "%s: field %zu has unknown type %u", path, i,
                                 type);
        }
        if (end - at < 4)
            return udli_fail(UDL_EFORMAT, "%s: field %zu is cut short", path, i);
        uint32_t name_len = udli_get_u32le(p + at);
        at += 4;
        size_t head = type == UDL_FIELD_MATRIX ? 16u : 8u;
        if (name_len == 0 || name_len > UDL_FIELD_NAME_MAX || end - at < name_len + head)
            return udli_fail(UDL_EFORMAT, "%s: field %zu has a bad header", path, i);
        const unsigned char *name = p + at;
        if (memchr(name, 0, name_len))
            return udli_fail(UDL_EFORMAT, "%s: field %zu has a NUL in its name", path, i);
        at += name_len;
        udli_field *f = c ? &c->fields[i] : NULL;
        if (f) {
            memset(f, 0, sizeof *f);
            memcpy(f->name, name, name_len);
            f->type = (int)type;
        }
        if (type == UDL_FIELD_INTEGER || type == UDL_FIELD_NUMBER) {
            if (f && type == UDL_FIELD_INTEGER)
                f->u = udli_get_u64le(p + at);
            else if (f)
                f->f = udli_get_f64le(p + at);
            at += 8;
            continue;
        }
        uint64_t rows = udli_get_u64le(p + at), cols = udli_get_u64le(p + at + 8);
        at += 16;
        if (cols && rows > (end - at) / 8 / cols)
            return udli_fail(UDL_EFORMAT, "%s: field %zu claims %llu x %llu values, more than "
                             "the file holds", path, i, (unsigned long long)rows,
                             (unsigned long long)cols);
        size_t count = (size_t)(rows * cols);
        if (f) {
            for (size_t k = 0; k < count; k++)
                c->values[total + k] = udli_get_f64le(p + at + 8 * k);
            f->rows = (size_t)rows;
            f->cols = (size_t)cols;
            f->data = c->values + total;
        }
        at += 8 * count;
        total += count;
    }
    if (at != end)
        return udli_fail(UDL_EFORMAT, "%s: %zu unexpected bytes after the last field", path,
                         end - at);
    *n_values = total;
    return UDL_OK;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const udli_field *)a)->name, ((const udli_field *)b)->name);
}

/* Sorts the fields by name, for lookups by bisection, and refuses a name used twice:
 * n log n, since a hostile file may hold a great many fields. */
static udl_status sort_fields(udli_container *c)
{
    qsort(c->fields, c->n, sizeof *c->fields, by_name);
    for (size_t i = 1; i < c->n; i++)
        if (strcmp(c->fields[i].name, c->fields[i - 1].name) == 0)
            return udli_fail(UDL_EFORMAT, "%s: two fields are named '%s'", c->path,
                             c->fields[i].name);
    return UDL_OK;
}

static udl_status parse(const char *path, const unsigned char *p, size_t size,
                        udli_container **out)
{
    if (size < sizeof magic || memcmp(p, magic, sizeof magic) != 0)
        return udli_fail(UDL_EFORMAT, "%s is not a udl model file (bad magic)", path);
    /* The version first: a newer format may lay out everything after it otherwise (its
     * checksum, its header), and the version is then what the user needs to hear. */
    uint32_t version = size >= 12 ? udli_get_u32le(p + 8) : 0;
    if (size >= 12 && (version < 1 || version > UDL_CONTAINER_VERSION))
        return udli_fail(UDL_EFORMAT, "%s has format version %u; this udl reads versions 1 to "
                         "%u", path, version, UDL_CONTAINER_VERSION);
    if (size < HEADER_BYTES + CRC_BYTES)
        return udli_fail(UDL_EFORMAT, "%s is truncated (%zu bytes)", path, size);
    if (crc_of(p, size - CRC_BYTES) != udli_get_u32le(p + size - CRC_BYTES))
        return udli_fail(UDL_EFORMAT, "%s is corrupt or truncated (CRC-32 mismatch)", path);
    uint32_t kind = udli_get_u32le(p + 12);
    uint32_t n_fields = udli_get_u32le(p + 16), reserved = udli_get_u32le(p + 20);
    if (reserved != 0)
        return udli_fail(UDL_EFORMAT, "%s: the reserved header word is %u, not 0", path,
                         reserved);
    size_t n_values;
    udl_status s = parse_fields(path, p, size, version, n_fields, &n_values, NULL);
    if (s)
        return s;
    udli_container *c = udli_calloc(1, sizeof *c, "model file");
    if (!c)
        return UDL_ENOMEM;
    c->kind = kind;
    c->version = version;
    c->n = n_fields;
    c->path = udli_alloc(strlen(path) + 1, 1, "model file path");
    c->fields = udli_calloc(n_fields, sizeof *c->fields, "model file fields");
    c->values = udli_alloc(n_values, sizeof *c->values, "model values");
    if (!c->path || !c->fields || !c->values) {
        udli_container_free(c);
        return UDL_ENOMEM;
    }
    memcpy(c->path, path, strlen(path) + 1);
    parse_fields(path, p, size, version, n_fields, &n_values, c);
    if ((s = sort_fields(c))) {
        udli_container_free(c);
        return s;
    }
    *out = c;
    return UDL_OK;
}

udl_status udli_container_open(const char *path, udli_container **out)
{
    if (!out)
        return udli_fail(UDL_EINVAL, "model file: out is NULL");
    *out = NULL;
    unsigned char *p;
    size_t size;
    udl_status s = udli_read_file(path, &p, &size);
    if (s)
        return s;
    s = parse(path, p, size, out);
    free(p);
    return s;
}

udl_status udli_container_load(const char *path, uint32_t kind, udli_container **out)
{
    udl_status s = udli_container_open(path, out);
    if (s || (*out)->kind == kind)
        return s;
    if (udli_kind_row_of((*out)->kind) || (*out)->kind == UDL_KIND_TEST)
        s = udli_fail(UDL_EKIND, "%s holds a %s model, not a %s model", path,
                      udli_kind_title((*out)->kind), udli_kind_title(kind));
    else /* a kind from a newer udl, or none: its number is all there is to name */
        s = udli_fail(UDL_EKIND, "%s holds a model of kind %u, not a %s model", path,
                      (*out)->kind, udli_kind_title(kind));
    udli_container_free(*out);
    *out = NULL;
    return s;
}

uint32_t udli_container_kind(const udli_container *c) { return c->kind; }
unsigned udli_container_version(const udli_container *c) { return c->version; }
const char *udli_container_path(const udli_container *c) { return c->path; }

void udli_container_prefix(udli_container *c, const char *prefix)
{
    snprintf(c->prefix, sizeof c->prefix, "%s", prefix);
}

static const udli_field *find(const udli_container *c, const char *name, char *full, size_t size)
{
    snprintf(full, size, "%s%s", c->prefix, name);
    size_t len = strlen(full);
    if (len > UDL_FIELD_NAME_MAX)
        return NULL; /* no field has so long a name */
    udli_field key;
    memcpy(key.name, full, len + 1);
    return bsearch(&key, c->fields, c->n, sizeof *c->fields, by_name);
}

int udli_container_has(const udli_container *c, const char *name)
{
    return udli_container_field(c, name) != NULL;
}

size_t udli_container_n_fields(const udli_container *c) { return c->n; }
const udli_field *udli_container_field_at(const udli_container *c, size_t i)
{
    return &c->fields[i];
}

const udli_field *udli_container_field(const udli_container *c, const char *name)
{
    char full[128];
    return find(c, name, full, sizeof full);
}

static udl_status missing(const udli_container *c, const char *full)
{
    return udli_fail(UDL_EFORMAT, "%s: it has no field '%s'", c->path, full);
}

udl_status udli_container_u64(const udli_container *c, const char *name, uint64_t min,
                              uint64_t max, uint64_t *value)
{
    char full[128];
    const udli_field *f = find(c, name, full, sizeof full);
    if (!f)
        return missing(c, full);
    uint64_t v;
    if (f->type == UDL_FIELD_INTEGER)
        v = f->u;
    else if (f->type == UDL_FIELD_NUMBER && c->version == 1 && f->f >= 0.0 &&
             f->f < 18446744073709551616.0 && f->f == floor(f->f))
        v = (uint64_t)f->f;
    else
        return udli_fail(UDL_EFORMAT, "%s: field '%s' is not a non-negative integer", c->path,
                         full);
    if (v < min || v > max)
        return udli_fail(UDL_EFORMAT, "%s: field '%s' is %llu, outside %llu..%llu", c->path,
                         full, (unsigned long long)v, (unsigned long long)min,
                         (unsigned long long)max);
    *value = v;
    return UDL_OK;
}

udl_status udli_container_size(const udli_container *c, const char *name, size_t min, size_t max,
                               size_t *value)
{
    uint64_t v;
    udl_status s = udli_container_u64(c, name, min, max, &v);
    if (!s)
        *value = (size_t)v;
    return s;
}

udl_status udli_container_int(const udli_container *c, const char *name, int min, int max,
                              int *value)
{
    uint64_t v;
    udl_status s = udli_container_u64(c, name, (uint64_t)min, (uint64_t)max, &v);
    if (!s)
        *value = (int)v;
    return s;
}

udl_status udli_container_f64(const udli_container *c, const char *name, double min, double max,
                              double *value)
{
    char full[128];
    const udli_field *f = find(c, name, full, sizeof full);
    if (!f)
        return missing(c, full);
    if (f->type != UDL_FIELD_NUMBER)
        return udli_fail(UDL_EFORMAT, "%s: field '%s' is not a number", c->path, full);
    if (!isfinite(f->f) || f->f < min || f->f > max)
        return udli_fail(UDL_EFORMAT, "%s: field '%s' is %g, outside [%g, %g]", c->path, full,
                         f->f, min, max);
    *value = f->f;
    return UDL_OK;
}

udl_status udli_container_get(const udli_container *c, const char *name, size_t rows,
                              size_t cols, udli_block *block)
{
    char full[128];
    const udli_field *f = find(c, name, full, sizeof full);
    if (!f)
        return udli_fail(UDL_EFORMAT, "%s: it has no block '%s'", c->path, full);
    if (f->type != UDL_FIELD_MATRIX)
        return udli_fail(UDL_EFORMAT, "%s: field '%s' is not a matrix", c->path, full);
    if ((rows != SIZE_MAX && f->rows != rows) || (cols != SIZE_MAX && f->cols != cols))
        return udli_fail(UDL_EFORMAT, "%s: block '%s' is %zu x %zu, expected %zu x %zu",
                         c->path, full, f->rows, f->cols, rows, cols);
    *block = (udli_block){f->name, f->rows, f->cols, f->data};
    return UDL_OK;
}

udl_status udli_container_matrix(const udli_container *c, const char *name, size_t rows,
                                 size_t cols, udli_block *block)
{
    udl_status s = udli_container_get(c, name, rows, cols, block);
    if (!s && !udli_all_finite(block->data, block->rows * block->cols))
        s = udli_fail(UDL_EFORMAT, "%s: '%s' holds a NaN or an infinity", c->path, block->name);
    return s;
}

udl_status udli_container_upgrade(udli_container *c, const char *info, const char *const *names,
                                  size_t n)
{
    if (c->version != 1)
        return UDL_OK;
    udli_block b;
    udl_status s = udli_container_get(c, info, 1, n, &b);
    if (s)
        return s;
    udli_field *grown = udli_realloc(c->fields, c->n + n, sizeof *grown, "model file fields");
    if (!grown)
        return UDL_ENOMEM;
    c->fields = grown;
    for (size_t i = 0; i < n; i++) {
        udli_field *f = &c->fields[c->n + i];
        memset(f, 0, sizeof *f);
        if (strlen(c->prefix) + strlen(names[i]) > UDL_FIELD_NAME_MAX)
            return udli_fail(UDL_EFORMAT, "%s: field name '%s%s' is too long", c->path,
                             c->prefix, names[i]);
        join(f->name, c->prefix, names[i]);
        f->type = UDL_FIELD_NUMBER;
        f->f = b.data[i];
    }
    c->n += n;
    return sort_fields(c);
}
