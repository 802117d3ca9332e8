#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/model.h"

/* In the order of the kinds' values, 1..UDL_KIND_COUNT. */
static const udli_kind_row *const rows[] = {&udli_pca_row, &udli_ae_row, &udli_sae_row,
                                            &udli_deep_ae_row, &udli_rbm_row, &udli_dbn_row,
                                            &udli_dnn_row};
_Static_assert(sizeof rows / sizeof rows[0] == UDL_KIND_COUNT,
               "every model kind needs its row in the registry");

struct udl_model {
    const udli_kind_row *row;
    void *object;
    int borrowed; /* from udl_model_wrap: the caller owns object */
};

const udli_kind_row *udli_kind_row_of(uint32_t kind)
{
    if (kind < 1 || kind > UDL_KIND_COUNT || rows[kind - 1]->kind != (udl_kind)kind)
        return NULL;
    return rows[kind - 1];
}

const char *udli_kind_title(uint32_t kind)
{
    const udli_kind_row *row = udli_kind_row_of(kind);
    if (row)
        return row->title;
    switch (kind) {
    case UDL_KIND_TEST: return "test";
    }
    return "unknown";
}

UDL_API const char *udl_kind_name(udl_kind kind)
{
    const udli_kind_row *row = udli_kind_row_of((uint32_t)kind);
    return row ? row->name : NULL;
}

UDL_API udl_status udl_kind_from_name(const char *name, udl_kind *kind)
{
    if (!name || !kind)
        return udli_fail(UDL_EINVAL, "model kind: name or kind is NULL");
    for (size_t i = 0; i < UDL_KIND_COUNT; i++)
        if (strcmp(rows[i]->name, name) == 0) {
            *kind = rows[i]->kind;
            return UDL_OK;
        }
    char list[256] = "";
    for (size_t i = 0; i < UDL_KIND_COUNT; i++)
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "",
                 rows[i]->name);
    return udli_fail(UDL_EINVAL, "no model kind is called '%s' (the kinds: %s)", name, list);
}

static udl_status read_row(udli_container *c, const udli_kind_row *row, void **out)
{
    udl_status s = row->read(c, out);
    /* A loader's own failures are the file's fault, but running out of memory is not. */
    if (s && s != UDL_EFORMAT && s != UDL_ENOMEM)
        s = udli_fail(UDL_EFORMAT, "%s: %s", udli_container_path(c), udl_last_error());
    return s;
}

udl_status udli_kind_load(const char *path, udl_kind kind, void **out)
{
    *out = NULL;
    udli_container *c;
    udl_status s = udli_container_load(path, (uint32_t)kind, &c);
    if (s)
        return s;
    s = read_row(c, udli_kind_row_of((uint32_t)kind), out);
    udli_container_free(c);
    return s;
}

UDL_API udl_status udl_model_load(const char *path, udl_model **out)
{
    if (!out)
        return udli_fail(UDL_EINVAL, "model load: out is NULL");
    *out = NULL;
    udli_container *c;
    udl_status s = udli_container_open(path, &c);
    if (s)
        return s;
    const udli_kind_row *row = udli_kind_row_of(udli_container_kind(c));
    udl_model *m = NULL;
    if (!row)
        s = udli_fail(UDL_EKIND, "%s holds a model of kind %s (%u), which this udl cannot read",
                      path, udli_kind_title(udli_container_kind(c)), udli_container_kind(c));
    else if (!(m = udli_calloc(1, sizeof *m, "model")))
        s = UDL_ENOMEM;
    else if (!(s = read_row(c, row, &m->object)))
        m->row = row;
    udli_container_free(c);
    if (s) {
        free(m);
        return s;
    }
    *out = m;
    return UDL_OK;
}

UDL_API udl_status udl_model_wrap(udl_kind kind, void *object, udl_model **out)
{
    if (!out)
        return udli_fail(UDL_EINVAL, "model wrap: out is NULL");
    *out = NULL;
    const udli_kind_row *row = udli_kind_row_of((uint32_t)kind);
    if (!row)
        return udli_fail(UDL_EINVAL, "model wrap: %d is not a model kind", (int)kind);
    if (!object)
        return udli_fail(UDL_EINVAL, "model wrap: the %s is NULL", row->title);
    udl_model *m = udli_calloc(1, sizeof *m, "model");
    if (!m)
        return UDL_ENOMEM;
    m->row = row;
    m->object = object;
    m->borrowed = 1;
    *out = m;
    return UDL_OK;
}

UDL_API void udl_model_free(udl_model *m)
{
    if (!m)
        return;
    if (!m->borrowed)
        m->row->free(m->object);
    free(m);
}

static udl_status check_model(const udl_model *m, const char *what)
{
    return m ? UDL_OK : udli_fail(UDL_EINVAL, "model %s: model is NULL", what);
}

UDL_API udl_status udl_model_save(const udl_model *m, const char *path)
{
    udl_status s = check_model(m, "save");
    return s ? s : m->row->save(m->object, path);
}

UDL_API udl_kind udl_model_kind(const udl_model *m) { return m ? m->row->kind : (udl_kind)0; }
UDL_API const char *udl_model_kind_name(const udl_model *m)
{
    return m ? m->row->title : "unknown";
}
UDL_API void *udl_model_object(const udl_model *m) { return m ? m->object : NULL; }

UDL_API size_t udl_model_n_inputs(const udl_model *m)
{
    return m ? m->row->n_inputs(m->object) : 0;
}
UDL_API size_t udl_model_n_codes(const udl_model *m)
{
    return m ? m->row->n_codes(m->object) : 0;
}
UDL_API size_t udl_model_n_outputs(const udl_model *m)
{
    return m && m->row->n_outputs ? m->row->n_outputs(m->object) : 0;
}

UDL_API udl_status udl_model_encode(const udl_model *m, udl_mat x, udl_mat z)
{
    udl_status s = check_model(m, "encode");
    return s ? s : m->row->encode(m->object, x, z);
}

/* "an autoencoder", "a PCA", "an RBM": the article for a kind's title, by its first
 * sound (an acronym is spelled out letter by letter). */
static const char *article(const char *title)
{
    int acronym = title[0] && title[1] && isupper((unsigned char)title[1]);
    return strchr(acronym ? "AEFHILMNORSX" : "aeiouAEIOU", title[0]) ? "an" : "a";
}

UDL_API udl_status udl_model_reconstruct(const udl_model *m, udl_mat x, udl_mat xhat)
{
    udl_status s = check_model(m, "reconstruct");
    if (s)
        return s;
    if (!m->row->reconstruct)
        return udli_fail(UDL_EKIND, "%s %s has no reconstruct (no single decoder)",
                         article(m->row->title), m->row->title);
    return m->row->reconstruct(m->object, x, xhat);
}

UDL_API udl_status udl_model_predict(const udl_model *m, udl_mat x, udl_mat y)
{
    udl_status s = check_model(m, "predict");
    if (s)
        return s;
    if (!m->row->predict)
        return udli_fail(UDL_EKIND, "%s %s has no predict (it is not a supervised model)",
                         article(m->row->title), m->row->title);
    return m->row->predict(m->object, x, y);
}

UDL_API udl_status udl_model_sample(const udl_model *m, udl_mat v, size_t n_steps,
                                    uint64_t seed)
{
    udl_status s = check_model(m, "sample");
    if (s)
        return s;
    if (!m->row->sample)
        return udli_fail(UDL_EKIND, "%s %s has no sample (it is not a generative model)",
                         article(m->row->title), m->row->title);
    return m->row->sample(m->object, v, n_steps, seed);
}

udl_status udli_model_net(const udl_model *m, udli_net **out)
{
    *out = NULL;
    udl_status s = check_model(m, "layers");
    if (s)
        return s;
    if (!m->row->net)
        return udli_fail(UDL_EKIND, "%s %s has no layers of units", article(m->row->title),
                         m->row->title);
    return m->row->net(m->object, out);
}

UDL_API udl_status udl_model_get_train_params(const udl_model *m, udl_train_params *params)
{
    udl_status s = check_model(m, "get_train_params");
    if (s)
        return s;
    if (!params)
        return udli_fail(UDL_EINVAL, "model get_train_params: params is NULL");
    if (!m->row->get_train)
        return udli_fail(UDL_EKIND, "%s %s is not trained by SGD", article(m->row->title),
                         m->row->title);
    return m->row->get_train(m->object, params);
}

UDL_API udl_status udl_model_set_train_params(udl_model *m, const udl_train_params *params)
{
    udl_status s = check_model(m, "set_train_params");
    if (s)
        return s;
    if (!m->row->set_train)
        return udli_fail(UDL_EKIND, "%s %s is not trained by SGD", article(m->row->title),
                         m->row->title);
    return m->row->set_train(m->object, params);
}
