/* Deep belief net: RBMs stacked and trained greedily, each on the hidden probabilities of
 * the one below (Hinton, Osindero & Teh 2006). */
#include <stdlib.h>
#include <string.h>

#include <udl/rbm.h>

#include "core/container.h"
#include "core/error.h"
#include "core/model.h"
#include "core/stack.h"
#include "core/tensor.h"
#include "rbm/internal.h"

#define MAX_LAYERS UDLI_STACK_MAX

struct udl_dbn {
    size_t n_layers;
    udl_rbm *layers[MAX_LAYERS];
};

UDL_API void udl_dbn_free(udl_dbn *dbn)
{
    if (!dbn)
        return;
    for (size_t i = 0; i < dbn->n_layers; i++)
        udl_rbm_free(dbn->layers[i]);
    free(dbn);
}

UDL_API udl_status udl_dbn_create(const udl_rbm_params *layer_params, const size_t *sizes,
                                  size_t n_sizes, udl_dbn **out)
{
    if (!out)
        return udli_fail(UDL_EINVAL, "deep belief net: out is NULL");
    *out = NULL;
    if (!layer_params || !sizes)
        return udli_fail(UDL_EINVAL, "deep belief net: params or sizes is NULL");
    if (n_sizes < 2 || n_sizes > MAX_LAYERS + 1)
        return udli_fail(UDL_EINVAL, "deep belief net: needs 2 to %d layer sizes (input and "
                         "hidden), got %zu", MAX_LAYERS + 1, n_sizes);
    udl_dbn *dbn = udli_calloc(1, sizeof *dbn, "deep belief net");
    if (!dbn)
        return UDL_ENOMEM;
    for (size_t i = 0; i + 1 < n_sizes; i++) {
        udl_rbm_params p = *layer_params;
        p.n_visible = sizes[i];
        p.n_hidden = sizes[i + 1];
        p.visible = i == 0 ? layer_params->visible : UDL_UNITS_BERNOULLI;
        p.hidden = i + 2 == n_sizes ? layer_params->hidden : UDL_UNITS_BERNOULLI;
        p.train.seed = layer_params->train.seed + i;
        udl_status s = udl_rbm_create(&p, &dbn->layers[i]);
        if (s) {
            udl_dbn_free(dbn);
            return s;
        }
        dbn->n_layers = i + 1;
    }
    *out = dbn;
    return UDL_OK;
}

static udl_status layer_train(void *rbm, udl_mat x, udl_progress_fn progress, void *user)
{
    return udl_rbm_train(rbm, x, progress, user);
}
static udl_status layer_encode(const void *rbm, udl_mat x, udl_mat h)
{
    return udl_rbm_transform(rbm, x, h);
}
static size_t layer_inputs(const void *rbm) { return udl_rbm_get_params(rbm).n_visible; }
static size_t layer_codes(const void *rbm) { return udl_rbm_get_params(rbm).n_hidden; }
static void layer_record(const void *rbm, udli_record *r) { udli_rbm_record(rbm, r); }
static udl_status layer_read(udli_container *c, void **rbm)
{
    return udli_rbm_read(c, (udl_rbm **)rbm);
}
static void layer_free(void *rbm) { udl_rbm_free(rbm); }
static udl_status layer_set_train(void *rbm, const udl_train_params *p)
{
    udl_rbm_params params = udl_rbm_get_params(rbm);
    params.train = *p;
    return udl_rbm_set_params(rbm, &params);
}
/* Every layer but the top has Bernoulli hidden units: the next layer's data must lie in
 * [0, 1]. */
static udl_status check_pair(const void *below, const void *above, size_t i, const char *path)
{
    udl_rbm_params lo = udl_rbm_get_params(below), hi = udl_rbm_get_params(above);
    if (lo.hidden != UDL_UNITS_BERNOULLI || hi.visible != UDL_UNITS_BERNOULLI)
        return udli_fail(UDL_EFORMAT, "%s: layers %zu and %zu meet in %s and %s units; inside a "
                         "deep belief net both are Bernoulli", path, i - 1, i,
                         udli_units_name(lo.hidden), udli_units_name(hi.visible));
    return UDL_OK;
}

static const udli_stack_ops ops = {layer_train,  layer_encode, layer_inputs, layer_codes,
                                   layer_record, layer_read,   layer_free,   layer_set_train,
                                   check_pair,   "deep belief net"};

UDL_API udl_status udl_dbn_train(udl_dbn *dbn, udl_mat x, udl_progress_fn progress, void *user)
{
    if (!dbn)
        return udli_fail(UDL_EINVAL, "deep belief net: model is NULL");
    return udli_stack_train((void *const *)dbn->layers, dbn->n_layers, &ops, x, progress, user);
}

UDL_API udl_status udl_dbn_transform(const udl_dbn *dbn, udl_mat x, udl_mat h)
{
    if (!dbn)
        return udli_fail(UDL_EINVAL, "deep belief net: model is NULL");
    return udli_stack_encode((void *const *)dbn->layers, dbn->n_layers, &ops, x, h);
}

/* From the top layer's visible states top (rows x its n_visible), E[v | h] down through
 * layers [0, from) into out. */
static udl_status down(const udl_dbn *dbn, size_t from, udl_mat top, udl_mat out)
{
    double *buffer = NULL;
    udl_mat above = top;
    udl_status s = UDL_OK;
    for (size_t i = from; i-- > 0 && !s;) {
        size_t d = udl_rbm_get_params(dbn->layers[i]).n_visible;
        if (i == 0) {
            s = udl_rbm_visible_means(dbn->layers[0], above, out);
            break;
        }
        double *next = udli_alloc(top.rows, d * sizeof(double), "deep belief net down pass");
        if (!next) {
            s = UDL_ENOMEM;
            break;
        }
        udl_mat v = udl_mat_view(next, top.rows, d);
        s = udl_rbm_visible_means(dbn->layers[i], above, v);
        free(buffer);
        buffer = next;
        above = v;
    }
    free(buffer);
    return s;
}

UDL_API udl_status udl_dbn_reconstruct(const udl_dbn *dbn, udl_mat x, udl_mat xhat)
{
    if (!dbn)
        return udli_fail(UDL_EINVAL, "deep belief net: model is NULL");
    const udl_rbm_params bottom = udl_rbm_get_params(dbn->layers[0]);
    udl_status s = udli_mat_check_output(xhat, x.rows, bottom.n_visible,
                                         "deep belief net reconstruct: X^");
    if (s)
        return s;
    size_t top = udl_rbm_get_params(dbn->layers[dbn->n_layers - 1]).n_hidden;
    double *h = udli_alloc(x.rows, top * sizeof(double), "deep belief net codes");
    if (!h)
        return UDL_ENOMEM;
    udl_mat hm = udl_mat_view(h, x.rows, top);
    if (!(s = udl_dbn_transform(dbn, x, hm)))
        s = down(dbn, dbn->n_layers, hm, xhat);
    free(h);
    return s;
}

UDL_API udl_status udl_dbn_sample(const udl_dbn *dbn, udl_mat v, size_t n_steps, uint64_t seed)
{
    return udli_dbn_sample_clamped(dbn, v, n_steps, seed, NULL);
}

udl_status udli_dbn_sample_clamped(const udl_dbn *dbn, udl_mat v, size_t n_steps, uint64_t seed,
                                   const size_t *clamp)
{
    if (!dbn)
        return udli_fail(UDL_EINVAL, "deep belief net: model is NULL");
    const udl_rbm *top = dbn->layers[dbn->n_layers - 1];
    const size_t d = udl_rbm_get_params(dbn->layers[0]).n_visible;
    udl_status s = udli_mat_check(v, "deep belief net sample: V");
    if (s)
        return s;
    if (v.cols != d)
        return udli_fail(UDL_ESHAPE, "deep belief net sample: V has %zu columns, the net has "
                         "%zu visible units", v.cols, d);
    if (dbn->n_layers == 1)
        return udli_rbm_sample_clamped(top, v, n_steps, seed, clamp);
    size_t m = udl_rbm_get_params(top).n_visible;
    double *t = udli_alloc(v.rows, m * sizeof(double), "deep belief net samples");
    if (!t)
        return UDL_ENOMEM;
    udl_mat tm = udl_mat_view(t, v.rows, m);
    if (!(s = udli_rbm_sample_clamped(top, tm, n_steps, seed, clamp)))
        s = down(dbn, dbn->n_layers - 1, tm, v);
    free(t);
    return s;
}

UDL_API size_t udl_dbn_n_layers(const udl_dbn *dbn) { return dbn ? dbn->n_layers : 0; }

UDL_API const udl_rbm *udl_dbn_layer(const udl_dbn *dbn, size_t i)
{
    return dbn && i < dbn->n_layers ? dbn->layers[i] : NULL;
}

/* ---- files ------------------------------------------------------------------------------ */

UDL_API udl_status udl_dbn_save(const udl_dbn *dbn, const char *path)
{
    if (!dbn)
        return udli_fail(UDL_EINVAL, "deep belief net save: model is NULL");
    udli_record r;
    udli_record_init(&r);
    udli_stack_record((void *const *)dbn->layers, dbn->n_layers, &ops, &r);
    return udli_record_save(&r, path, UDL_KIND_DBN);
}

static udl_status dbn_read(udli_container *c, udl_dbn **out)
{
    *out = NULL;
    udl_dbn *dbn = udli_calloc(1, sizeof *dbn, "deep belief net");
    if (!dbn)
        return UDL_ENOMEM;
    udl_status s = udli_stack_read(c, &ops, (void **)dbn->layers, &dbn->n_layers);
    if (s) {
        free(dbn);
        return s;
    }
    *out = dbn;
    return UDL_OK;
}

UDL_API udl_status udl_dbn_load(const char *path, udl_dbn **out)
{
    if (!out)
        return udli_fail(UDL_EINVAL, "deep belief net load: out is NULL");
    return udli_kind_load(path, UDL_KIND_DBN, (void **)out);
}

/* ---- the registry's row ---------------------------------------------------------------- */

static udl_status row_read(udli_container *c, void **m) { return dbn_read(c, (udl_dbn **)m); }
static udl_status row_save(const void *m, const char *path) { return udl_dbn_save(m, path); }
static void row_free(void *m) { udl_dbn_free(m); }
static size_t row_inputs(const void *m)
{
    return udl_rbm_get_params(udl_dbn_layer(m, 0)).n_visible;
}
static size_t row_codes(const void *m)
{
    return udl_rbm_get_params(udl_dbn_layer(m, udl_dbn_n_layers(m) - 1)).n_hidden;
}
static udl_status row_encode(const void *m, udl_mat x, udl_mat z)
{
    return udl_dbn_transform(m, x, z);
}
static udl_status row_reconstruct(const void *m, udl_mat x, udl_mat xhat)
{
    return udl_dbn_reconstruct(m, x, xhat);
}
static udl_status row_sample(const void *m, udl_mat v, size_t n_steps, uint64_t seed)
{
    return udl_dbn_sample(m, v, n_steps, seed);
}
static udl_status row_get_train(const void *m, udl_train_params *p)
{
    *p = udl_rbm_get_params(udl_dbn_layer(m, 0)).train;
    return UDL_OK;
}
/* Every layer trains with the same parameters; layer i keeps its seed offset i. */
static udl_status row_set_train(void *m, const udl_train_params *p)
{
    udl_dbn *dbn = m;
    return udli_stack_set_train((void *const *)dbn->layers, dbn->n_layers, &ops, p);
}

/* Each RBM's upward layer, v -> E[h | v]. */
static udl_status row_net(const void *m, udli_net **out)
{
    const udl_dbn *dbn = m;
    const udli_net *nets[MAX_LAYERS];
    size_t up[MAX_LAYERS] = {0};
    for (size_t i = 0; i < dbn->n_layers; i++)
        nets[i] = udli_rbm_net(dbn->layers[i]);
    return udli_net_gather(nets, up, dbn->n_layers, out);
}

/* Layer i's fields are an RBM's, after "L<i>.". */
static const udli_field_doc docs[] = {
    {"n_layers", "the number of RBMs stacked; layer i's fields are named L<i>.*, and its "
                 "hidden units are layer i+1's visible ones", NULL, NULL},
    {"L#.", NULL, NULL, udli_rbm_field_docs},
    {NULL, NULL, NULL, NULL}};

const udli_kind_row udli_dbn_row = {
    UDL_KIND_DBN, "dbn", "deep belief net", row_read, row_save, row_free, row_inputs,
    row_codes, NULL, row_encode, row_reconstruct, NULL, row_sample, row_get_train,
    row_set_train, row_net, docs};
