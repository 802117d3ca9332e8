#include <stdlib.h>

#include "core/error.h"
#include "core/stack.h"

/* *z = the codes of x from layer, in a new buffer that replaces *buffer. */
static udl_status encode_next(const void *layer, const udli_stack_ops *ops, udl_mat x,
                              double **buffer, udl_mat *z)
{
    size_t m = ops->n_codes(layer);
    double *next = udli_alloc(x.rows, m * sizeof(double), ops->what);
    if (!next)
        return UDL_ENOMEM;
    udl_mat codes = udl_mat_view(next, x.rows, m);
    udl_status s = ops->encode(layer, x, codes);
    if (s) {
        free(next);
        return s;
    }
    free(*buffer);
    *buffer = next;
    *z = codes;
    return UDL_OK;
}

udl_status udli_stack_train(void *const *layers, size_t n, const udli_stack_ops *ops, udl_mat x,
                            udl_progress_fn progress, void *user)
{
    udl_status s = UDL_OK;
    double *buffer = NULL;
    udl_mat codes = x;
    for (size_t i = 0; i < n && !s; i++) {
        s = ops->train(layers[i], codes, progress, user);
        if (!s && i + 1 < n)
            s = encode_next(layers[i], ops, codes, &buffer, &codes);
    }
    free(buffer);
    return s;
}

udl_status udli_stack_encode(void *const *layers, size_t n, const udli_stack_ops *ops, udl_mat x,
                             udl_mat z)
{
    if (n == 0)
        return udli_fail(UDL_EINVAL, "stack: it has no layers");
    double *buffer = NULL;
    udl_mat below = x;
    udl_status s = UDL_OK;
    for (size_t i = 0; i + 1 < n && !s; i++)
        s = encode_next(layers[i], ops, below, &buffer, &below);
    if (!s)
        s = ops->encode(layers[n - 1], below, z);
    free(buffer);
    return s;
}
