/* Reading a data file whose format is told by its first bytes. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <udl/io.h>

#include "core/error.h"

UDL_API udl_status udl_data_read(const char *path, unsigned flags, udl_array *out)
{
    if (!out)
        return udli_fail(UDL_EINVAL, "data read: out is NULL");
    memset(out, 0, sizeof *out);
    if (!path)
        return udli_fail(UDL_EINVAL, "data read: path is NULL");
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return udli_fail(UDL_EIO, "cannot open %s: %s", path, strerror(errno));
    unsigned char head[6] = {0};
    size_t got = fread(head, 1, sizeof head, fp);
    fclose(fp);
    if (got == 6 && memcmp(head, "\x93NUMPY", 6) == 0)
        return udl_npy_read(path, flags, out);
    if ((got >= 2 && head[0] == 0x1f && head[1] == 0x8b) ||
        (got >= 4 && head[0] == 0 && head[1] == 0))
        return udl_idx_read(path, flags, out);
    return udl_csv_read(path, out);
}
