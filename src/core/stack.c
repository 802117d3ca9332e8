#include <stdio.h>
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

/* The caller's progress callback, told which layer is training. */
typedef struct layer_report {
    udl_progress_fn progress;
    void *user;
    size_t layer, layers;
} layer_report;

static int report_layer(const udl_progress *p, void *user)
{
    const layer_report *r = user;
    udl_progress q = *p;
    q.layer = r->layer;
    q.layers = r->layers;
    return r->progress(&q, r->user);
}

udl_status udli_stack_train(void *const *layers, size_t n, const udli_stack_ops *ops, udl_mat x,
                            udl_progress_fn progress, void *user)
{
    udl_status s = UDL_OK;
    double *buffer = NULL;
    udl_mat codes = x;
    for (size_t i = 0; i < n && !s; i++) {
        layer_report r = {progress, user, i + 1, n};
        s = ops->train(layers[i], codes, progress ? report_layer : NULL, &r);
        if (s == UDL_ENUMERIC) /* the layer's sentence names the epoch; say which layer */
            s = udli_fail(s, "layer %zu of %zu: %s", i + 1, n, udl_last_error());
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

static void layer_prefix(char *buf, size_t size, size_t i)
{
    snprintf(buf, size, "L%zu.", i);
}

void udli_stack_record(void *const *layers, size_t n, const udli_stack_ops *ops,
                       udli_record *r)
{
    udli_record_u64(r, "n_layers", n);
    for (size_t i = 0; i < n; i++) {
        char prefix[24];
        layer_prefix(prefix, sizeof prefix, i);
        udli_record_prefix(r, prefix);
        ops->record(layers[i], r);
    }
    udli_record_prefix(r, "");
}

udl_status udli_stack_read(udli_container *c, const udli_stack_ops *ops, void **layers,
                           size_t *n)
{
    const char *path = udli_container_path(c);
    size_t count;
    udl_status s = udli_container_size(c, "n_layers", 1, UDLI_STACK_MAX, &count);
    *n = 0;
    for (size_t i = 0; i < count && !s; i++) {
        char prefix[24];
        layer_prefix(prefix, sizeof prefix, i);
        udli_container_prefix(c, prefix);
        if ((s = ops->read(c, &layers[i])))
            break;
        *n = i + 1;
        if (i == 0)
            continue;
        if (ops->n_inputs(layers[i]) != ops->n_codes(layers[i - 1]))
            s = udli_fail(UDL_EFORMAT, "%s: layer %zu takes %zu inputs but layer %zu gives %zu",
                          path, i, ops->n_inputs(layers[i]), i - 1, ops->n_codes(layers[i - 1]));
        else if (ops->check_pair)
            s = ops->check_pair(layers[i - 1], layers[i], i, path);
    }
    udli_container_prefix(c, "");
    if (s) {
        for (size_t i = 0; i < *n; i++)
            ops->free(layers[i]);
        *n = 0;
    }
    return s;
}

udl_status udli_stack_set_train(void *const *layers, size_t n, const udli_stack_ops *ops,
                                const udl_train_params *params)
{
    if (!params)
        return udli_fail(UDL_EINVAL, "%s: training parameters are NULL", ops->what);
    udl_status s = udl_train_params_check(params);
    if (s)
        return udli_fail(s, "%s: %s", ops->what, udl_last_error());
    for (size_t i = 0; i < n && !s; i++) {
        udl_train_params p = *params;
        p.seed = params->seed + i;
        s = ops->set_train(layers[i], &p);
    }
    return s;
}
