/* Stacked autoencoder: autoencoders trained greedily, each on the codes of the one
 * below (Bengio, Lamblin, Popovici & Larochelle 2007). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <udl/autoencoder.h>

#include "autoencoder/internal.h"
#include "core/container.h"
#include "core/error.h"
#include "core/model.h"
#include "core/stack.h"

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
        return udli_fail(UDL_EINVAL, "stacked autoencoder: out is NULL");
    *out = NULL;
    if (!layer_params || !sizes)
        return udli_fail(UDL_EINVAL, "stacked autoencoder: params or sizes is NULL");
    if (n_sizes < 2 || n_sizes > MAX_LAYERS + 1)
        return udli_fail(UDL_EINVAL, "stacked autoencoder: needs 2 to %d layer sizes (input "
                         "and hidden), got %zu", MAX_LAYERS + 1, n_sizes);
    udl_sae *sae = udli_calloc(1, sizeof *sae, "stacked autoencoder");
    if (!sae)
        return UDL_ENOMEM;
    for (size_t i = 0; i + 1 < n_sizes; i++) {
        udl_ae_params p = *layer_params;
        p.n_visible = sizes[i];
        p.n_hidden = sizes[i + 1];
        p.train.seed = layer_params->train.seed + i;
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

static udl_status layer_train(void *ae, udl_mat x, udl_progress_fn progress, void *user)
{
    return udl_ae_train(ae, x, progress, user);
}
static udl_status layer_encode(const void *ae, udl_mat x, udl_mat z)
{
    return udl_ae_encode(ae, x, z);
}
static size_t layer_codes(const void *ae) { return udl_ae_get_params(ae).n_hidden; }

static const udli_stack_ops ops = {layer_train, layer_encode, layer_codes,
                                   "stacked autoencoder codes"};

UDL_API udl_status udl_sae_train(udl_sae *sae, udl_mat x, udl_progress_fn progress, void *user)
{
    if (!sae)
        return udli_fail(UDL_EINVAL, "stacked autoencoder: model is NULL");
    return udli_stack_train((void *const *)sae->layers, sae->n_layers, &ops, x, progress, user);
}

UDL_API udl_status udl_sae_encode(const udl_sae *sae, udl_mat x, udl_mat z)
{
    if (!sae)
        return udli_fail(UDL_EINVAL, "stacked autoencoder: model is NULL");
    return udli_stack_encode((void *const *)sae->layers, sae->n_layers, &ops, x, z);
}

UDL_API size_t udl_sae_n_layers(const udl_sae *sae) { return sae ? sae->n_layers : 0; }

UDL_API const udl_ae *udl_sae_layer(const udl_sae *sae, size_t i)
{
    return sae && i < sae->n_layers ? sae->layers[i] : NULL;
}

UDL_API udl_status udl_sae_save(const udl_sae *sae, const char *path)
{
    if (!sae)
        return udli_fail(UDL_EINVAL, "stacked autoencoder save: model is NULL");
    udli_record r;
    udli_record_init(&r);
    udli_record_u64(&r, "n_layers", sae->n_layers);
    for (size_t i = 0; i < sae->n_layers; i++) {
        char prefix[24];
        snprintf(prefix, sizeof prefix, "L%zu.", i);
        udli_record_prefix(&r, prefix);
        udli_ae_record(sae->layers[i], &r);
    }
    return udli_record_save(&r, path, UDL_KIND_STACKED_AUTOENCODER);
}

static udl_status sae_read(udli_container *c, udl_sae **out)
{
    *out = NULL;
    static const char *const v1[] = {"n_layers"};
    size_t n_layers;
    udl_status s;
    if ((s = udli_container_upgrade(c, "layers", v1, 1)) ||
        (s = udli_container_size(c, "n_layers", 1, MAX_LAYERS, &n_layers)))
        return s;
    udl_sae *sae = udli_calloc(1, sizeof *sae, "stacked autoencoder");
    if (!sae)
        return UDL_ENOMEM;
    for (size_t i = 0; i < n_layers && !s; i++) {
        char prefix[24];
        snprintf(prefix, sizeof prefix, "L%zu.", i);
        udli_container_prefix(c, prefix);
        if (!(s = udli_ae_read(c, &sae->layers[i])))
            sae->n_layers = i + 1;
        if (!s && i > 0 &&
            udl_ae_get_params(sae->layers[i]).n_visible !=
                udl_ae_get_params(sae->layers[i - 1]).n_hidden)
            s = udli_fail(UDL_EFORMAT, "%s: layer %zu takes %zu inputs but layer %zu gives %zu",
                          udli_container_path(c), i, udl_ae_get_params(sae->layers[i]).n_visible,
                          i - 1, udl_ae_get_params(sae->layers[i - 1]).n_hidden);
        /* A linear layer's codes leave [0, 1], which cross-entropy cannot take. */
        if (!s && i > 0 && udl_ae_get_params(sae->layers[i - 1]).linear &&
            udl_ae_get_params(sae->layers[i]).loss == UDL_LOSS_CROSS_ENTROPY)
            s = udli_fail(UDL_EFORMAT, "%s: layer %zu uses the cross-entropy loss on the codes "
                          "of layer %zu, which is linear", udli_container_path(c), i, i - 1);
    }
    udli_container_prefix(c, "");
    if (s) {
        udl_sae_free(sae);
        return s;
    }
    *out = sae;
    return UDL_OK;
}

UDL_API udl_status udl_sae_load(const char *path, udl_sae **out)
{
    if (!out)
        return udli_fail(UDL_EINVAL, "stacked autoencoder load: out is NULL");
    return udli_kind_load(path, UDL_KIND_STACKED_AUTOENCODER, (void **)out);
}

/* ---- the registry's row ---------------------------------------------------------------- */

static udl_status row_read(udli_container *c, void **m) { return sae_read(c, (udl_sae **)m); }
static udl_status row_save(const void *m, const char *path) { return udl_sae_save(m, path); }
static void row_free(void *m) { udl_sae_free(m); }
static size_t row_inputs(const void *m)
{
    return udl_ae_get_params(udl_sae_layer(m, 0)).n_visible;
}
static size_t row_codes(const void *m)
{
    return udl_ae_get_params(udl_sae_layer(m, udl_sae_n_layers(m) - 1)).n_hidden;
}
static udl_status row_encode(const void *m, udl_mat x, udl_mat z)
{
    return udl_sae_encode(m, x, z);
}
static udl_status row_get_train(const void *m, udl_train_params *p)
{
    *p = udl_ae_get_params(udl_sae_layer(m, 0)).train;
    return UDL_OK;
}
/* Every layer trains with the same parameters; layer i keeps its seed offset i. */
static udl_status row_set_train(void *m, const udl_train_params *p)
{
    const udl_sae *sae = m;
    if (!p)
        return udli_fail(UDL_EINVAL, "stacked autoencoder: training parameters are NULL");
    udl_ae_params params[MAX_LAYERS];
    for (size_t i = 0; i < sae->n_layers; i++) {
        params[i] = udl_ae_get_params(sae->layers[i]);
        params[i].train = *p;
        params[i].train.seed = p->seed + i;
    }
    udl_status s = udl_train_params_check(p);
    if (s)
        return udli_fail(s, "stacked autoencoder: %s", udl_last_error());
    for (size_t i = 0; i < sae->n_layers && !s; i++)
        s = udl_ae_set_params(sae->layers[i], &params[i]);
    return s;
}

const udli_kind_row udli_sae_row = {
    UDL_KIND_STACKED_AUTOENCODER, "sae", "stacked autoencoder", row_read, row_save, row_free,
    row_inputs, row_codes, NULL, row_encode, NULL, NULL, NULL, row_get_train, row_set_train};
