/* Stacked autoencoder: autoencoders trained greedily, each on the codes of the one
 * below (Bengio, Lamblin, Popovici & Larochelle 2007). */
#include <stdlib.h>
#include <string.h>

#include <udl/autoencoder.h>

#include "autoencoder/internal.h"
#include "core/container.h"
#include "core/error.h"
#include "core/model.h"
#include "core/stack.h"

#define MAX_LAYERS UDLI_STACK_MAX

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
static size_t layer_inputs(const void *ae) { return udl_ae_get_params(ae).n_visible; }
static size_t layer_codes(const void *ae) { return udl_ae_get_params(ae).n_hidden; }
static void layer_record(const void *ae, udli_record *r) { udli_ae_record(ae, r); }
static udl_status layer_read(udli_container *c, void **ae) { return udli_ae_read(c, (udl_ae **)ae); }
static void layer_free(void *ae) { udl_ae_free(ae); }
static udl_status layer_set_train(void *ae, const udl_train_params *p)
{
    udl_ae_params params = udl_ae_get_params(ae);
    params.train = *p;
    return udl_ae_set_params(ae, &params);
}
/* A linear layer's codes leave [0, 1], which cross-entropy cannot take. */
static udl_status check_pair(const void *below, const void *above, size_t i, const char *path)
{
    if (udl_ae_get_params(below).linear &&
        udl_ae_get_params(above).loss == UDL_LOSS_CROSS_ENTROPY)
        return udli_fail(UDL_EFORMAT, "%s: layer %zu uses the cross-entropy loss on the codes "
                         "of layer %zu, which is linear", path, i, i - 1);
    return UDL_OK;
}

static const udli_stack_ops ops = {layer_train,  layer_encode, layer_inputs, layer_codes,
                                   layer_record, layer_read,   layer_free,   layer_set_train,
                                   check_pair,   "stacked autoencoder"};

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
    udli_stack_record((void *const *)sae->layers, sae->n_layers, &ops, &r);
    return udli_record_save(&r, path, UDL_KIND_STACKED_AUTOENCODER);
}

static udl_status sae_read(udli_container *c, udl_sae **out)
{
    static const char *const v1[] = {"n_layers"};
    *out = NULL;
    udl_status s = udli_container_upgrade(c, "layers", v1, 1);
    udl_sae *sae = s ? NULL : udli_calloc(1, sizeof *sae, "stacked autoencoder");
    if (!sae)
        return s ? s : UDL_ENOMEM;
    if ((s = udli_stack_read(c, &ops, (void **)sae->layers, &sae->n_layers))) {
        free(sae);
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
    udl_sae *sae = m;
    return udli_stack_set_train((void *const *)sae->layers, sae->n_layers, &ops, p);
}

static udl_status row_net(const void *m, udli_net **out)
{
    const udl_sae *sae = m;
    const udli_net *nets[MAX_LAYERS];
    size_t encoders[MAX_LAYERS] = {0};
    for (size_t i = 0; i < sae->n_layers; i++)
        nets[i] = udli_ae_net(sae->layers[i]);
    return udli_net_gather(nets, encoders, sae->n_layers, out);
}

/* Layer i's fields are an autoencoder's, after "L<i>.": layer 0 takes the input, each
 * next one the codes of the one below. */
static const udli_field_doc docs[] = {
    {"n_layers", "the number of autoencoders stacked; layer i's fields are named L<i>.*, "
                 "and its codes are layer i+1's input", NULL, NULL},
    {"layers", "format 1: the number of layers, as a 1 x 1 matrix", NULL, NULL},
    {"L#.", NULL, NULL, udli_ae_field_docs},
    {NULL, NULL, NULL, NULL}};

const udli_kind_row udli_sae_row = {
    UDL_KIND_STACKED_AUTOENCODER, "sae", "stacked autoencoder", row_read, row_save, row_free,
    row_inputs, row_codes, NULL, row_encode, NULL, NULL, NULL, row_get_train, row_set_train,
    row_net, docs};
