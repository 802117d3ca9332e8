/* Comma-separated numbers, one sample per line. Blank lines and lines starting with
 * '#' are skipped; a first line that is not all numbers is taken as a header. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <udl/io.h>

#include "core/error.h"
#include "core/file.h"

/* Parses one line of n_fields numbers into row (if non-NULL); returns the number of
 * fields, or 0 with *bad_field set to the 1-based field that is not a number and
 * *overflow to whether it is one too large for a double ("1e999", which strtod would
 * turn into an infinity). */
static size_t parse_line(const char *line, const char *end, double *row, size_t *bad_field,
                         int *overflow)
{
    size_t field = 0;
    const char *p = line;
    for (;;) {
        char buf[64];
        const char *comma = memchr(p, ',', (size_t)(end - p));
        const char *stop = comma ? comma : end;
        while (p < stop && (*p == ' ' || *p == '\t'))
            p++;
        size_t len = (size_t)(stop - p);
        while (len && (p[len - 1] == ' ' || p[len - 1] == '\t' || p[len - 1] == '\r'))
            len--;
        field++;
        char *after;
        if (len == 0 || len >= sizeof buf) {
            *bad_field = field;
            return 0;
        }
        memcpy(buf, p, len);
        buf[len] = '\0';
        errno = 0;
        double v = strtod(buf, &after);
        *overflow = *after == '\0' && errno == ERANGE && isinf(v);
        if (*after != '\0' || *overflow) {
            *bad_field = field;
            return 0;
        }
        if (row)
            row[field - 1] = v;
        if (!comma)
            return field;
        p = comma + 1;
    }
}

static int skippable(const char *line, const char *end)
{
    while (line < end && (*line == ' ' || *line == '\t' || *line == '\r'))
        line++;
    return line == end || *line == '#';
}

UDL_API udl_status udl_csv_read(const char *path, udl_array *out)
{
    if (!out)
        return udli_fail(UDL_EINVAL, "CSV read: out is NULL");
    memset(out, 0, sizeof *out);
    unsigned char *text;
    size_t size;
    udl_status s = udli_read_file(path, &text, &size);
    if (s)
        return s;
    if (memchr(text, '\0', size)) {
        free(text);
        return udli_fail(UDL_EFORMAT, "%s is neither .npy, IDX nor CSV text", path);
    }
    const char *p = (const char *)text, *end = p + size;
    size_t cols = 0, rows = 0, cap = 0, line_no = 0, first_line = 0, bad = 0;
    double *data = NULL;
    int header_checked = 0;
    while (p < end && !s) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *stop = nl ? nl : end;
        line_no++;
        if (!skippable(p, stop)) {
            int overflow = 0;
            size_t n = parse_line(p, stop, NULL, &bad, &overflow);
            if (n == 0 && !header_checked && !overflow) {
                header_checked = 1; /* a header line: skip it */
            } else if (n == 0) {
                s = udli_fail(UDL_EFORMAT, "%s line %zu: field %zu is %s", path, line_no, bad,
                              overflow ? "out of the range of a double" : "not a number");
            } else {
                header_checked = 1;
                if (!cols) {
                    cols = n;
                    first_line = line_no;
                }
                if (n != cols) {
                    s = udli_fail(UDL_EFORMAT, "%s line %zu has %zu fields, line %zu has %zu",
                                  path, line_no, n, first_line, cols);
                } else {
                    if (rows == cap) {
                        size_t grown = cap ? 2 * cap : 64;
                        double *bigger = grown > SIZE_MAX / cols
                                             ? NULL
                                             : udli_realloc(data, grown * cols, sizeof(double),
                                                            "CSV data");
                        if (!bigger) {
                            s = udli_fail(UDL_ENOMEM, "%s: out of memory at line %zu", path,
                                          line_no);
                            break;
                        }
                        data = bigger;
                        cap = grown;
                    }
                    parse_line(p, stop, data + rows * cols, &bad, &overflow);
                    rows++;
                }
            }
        }
        p = nl ? nl + 1 : end;
    }
    free(text);
    if (!s && rows == 0)
        s = udli_fail(UDL_EFORMAT, "%s holds no rows of numbers", path);
    if (s) {
        free(data);
        return s;
    }
    out->data = data;
    out->rows = rows;
    out->cols = cols;
    return UDL_OK;
}
