/* Stacked autoencoder: autoencoders trained greedily, each on the codes of the one
 * below (Bengio, Lamblin, Popovici & Larochelle 2007). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <udl/autoencoder.h>

#include "autoencoder/internal.h"
#include "core/container.h"
#include "core/error.h"

#define MAX_LAYERS 32

struct udl_sae {
    size_t n_layers;
    udl_ae *layers[MAX_LAYERS];
};

UDL_API void udl_sae_free(udl_sae *sae)
{
    if (!sae)
        return;
    for (size_t i = 0; i < sae->n_layers; i++)
        udl_ae_free(sae->layers[i]);
    free(sae);
}

UDL_API udl_status udl_sae_create(const udl_ae_params *layer_params, const size_t *sizes,
                                  size_t n_sizes, udl_sae **out)
{
    if (!out)
        return udl_fail(UDL_EINVAL, "stacked autoencoder: out is NULL");
    *out = NULL;
    if (!layer_params || !sizes)
        return udl_fail(UDL_EINVAL, "stacked autoencoder: params or sizes is NULL");
    if (n_sizes < 2 || n_sizes > MAX_LAYERS + 1)
        return udl_fail(UDL_EINVAL, "stacked autoencoder: needs 2 to %d layer sizes (input "
                        "and hidden), got %zu", MAX_LAYERS + 1, n_sizes);
    udl_sae *sae = udl_calloc(1, sizeof *sae, "stacked autoencoder");
    if (!sae)
        return UDL_ENOMEM;
    for (size_t i = 0; i + 1 < n_sizes; i++) {
        udl_ae_params p = *layer_params;
        p.n_visible = sizes[i];
        p.n_hidden = sizes[i + 1];
        p.seed = layer_params->seed + i;
        udl_status s = udl_ae_create(&p, &sae->layers[i]);
        if (s) {
            udl_sae_free(sae);
            return s;
        }
        sae->n_layers = i + 1;
    }
    *out = sae;
    return UDL_OK;
}

/* *z = the codes of x from ae, in a new buffer that replaces *buffer. */
static udl_status encode_next(const udl_ae *ae, udl_mat x, double **buffer, udl_mat *z)
{
    size_t m = udl_ae_get_params(ae).n_hidden;
    double *next = udl_alloc(x.rows * m, sizeof(double), "stacked autoencoder codes");
    if (!next)
        return UDL_ENOMEM;
    udl_mat codes = udl_mat_view(next, x.rows, m);
    udl_status s = udl_ae_encode(ae, x, codes);
    if (s) {
        free(next);
        return s;
    }
    free(*buffer);
    *buffer = next;
    *z = codes;
    return UDL_OK;
}

UDL_API udl_status udl_sae_train(udl_sae *sae, udl_mat x, udl_progress_fn progress, void *user)
{
    if (!sae)
        return udl_fail(UDL_EINVAL, "stacked autoencoder: model is NULL");
    udl_status s = UDL_OK;
    double *buffer = NULL;
    udl_mat codes = x;
    for (size_t i = 0; i < sae->n_layers && !s; i++) {
        s = udl_ae_train(sae->layers[i], codes, progress, user);
        if (!s && i + 1 < sae->n_layers)
            s = encode_next(sae->layers[i], codes, &buffer, &codes);
    }
    free(buffer);
    return s;
}

UDL_API udl_status udl_sae_encode(const udl_sae *sae, udl_mat x, udl_mat z)
{
    if (!sae)
        return udl_fail(UDL_EINVAL, "stacked autoencoder: model is NULL");
    double *buffer = NULL;
    udl_mat below = x;
    udl_status s = UDL_OK;
    for (size_t i = 0; i + 1 < sae->n_layers && !s; i++)
        s = encode_next(sae->layers[i], below, &buffer, &below);
    if (!s)
        s = udl_ae_encode(sae->layers[sae->n_layers - 1], below, z);
    free(buffer);
    return s;
}

UDL_API size_t udl_sae_n_layers(const udl_sae *sae) { return sae ? sae->n_layers : 0; }

UDL_API const udl_ae *udl_sae_layer(const udl_sae *sae, size_t i)
{
    return sae && i < sae->n_layers ? sae->layers[i] : NULL;
}

UDL_API udl_status udl_sae_save(const udl_sae *sae, const char *path)
{
    if (!sae)
        return udl_fail(UDL_EINVAL, "stacked autoencoder save: model is NULL");
    enum { PER = UDL_AE_BLOCKS };
    udl_block blocks[MAX_LAYERS * PER + 1];
    double count = (double)sae->n_layers;
    blocks[0] = (udl_block){"layers", 1, 1, &count};
    char (*local_names)[64] = udl_alloc(MAX_LAYERS * PER, 64, "block names");
    double (*local_info)[UDL_AE_INFO_LEN] =
        udl_alloc(MAX_LAYERS, sizeof *local_info, "layer headers");
    if (!local_names || !local_info) {
        free(local_names);
        free(local_info);
        return UDL_ENOMEM;
    }
    for (size_t i = 0; i < sae->n_layers; i++) {
        char prefix[24];
        snprintf(prefix, sizeof prefix, "L%zu.", i);
        udl_ae_to_blocks(sae->layers[i], prefix, local_names + i * PER, local_info[i],
                         blocks + 1 + i * PER);
    }
    udl_status s = udl_container_save(path, UDL_KIND_STACKED_AUTOENCODER, blocks,
                                      1 + sae->n_layers * PER);
    free(local_names);
    free(local_info);
    return s;
}

UDL_API udl_status udl_sae_load(const char *path, udl_sae **out)
{
    if (!out)
        return udl_fail(UDL_EINVAL, "stacked autoencoder load: out is NULL");
    *out = NULL;
    udl_container *c;
    udl_status s = udl_container_load(path, UDL_KIND_STACKED_AUTOENCODER, &c);
    if (s)
        return s;
    udl_block count;
    udl_sae *sae = NULL;
    if ((s = udl_container_get(c, "layers", 1, 1, &count)))
        goto done;
    if (!(count.data[0] >= 1 && count.data[0] <= MAX_LAYERS) ||
        count.data[0] != (double)(size_t)count.data[0]) {
        s = udl_fail(UDL_EFORMAT, "%s: the stack claims %g layers", path, count.data[0]);
        goto done;
    }
    if (!(sae = udl_calloc(1, sizeof *sae, "stacked autoencoder"))) {
        s = UDL_ENOMEM;
        goto done;
    }
    for (size_t i = 0; i < (size_t)count.data[0] && !s; i++) {
        char prefix[24];
        snprintf(prefix, sizeof prefix, "L%zu.", i);
        if (!(s = udl_ae_from_container(c, prefix, path, &sae->layers[i])))
            sae->n_layers = i + 1;
        if (!s && i > 0 &&
            udl_ae_get_params(sae->layers[i]).n_visible !=
                udl_ae_get_params(sae->layers[i - 1]).n_hidden)
            s = udl_fail(UDL_EFORMAT, "%s: layer %zu takes %zu inputs but layer %zu gives %zu",
                         path, i, udl_ae_get_params(sae->layers[i]).n_visible, i - 1,
                         udl_ae_get_params(sae->layers[i - 1]).n_hidden);
    }
done:
    udl_container_free(c);
    if (s)
        udl_sae_free(sae);
    else
        *out = sae;
    return s;
}
