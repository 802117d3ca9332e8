#include <ctype.h>
#include <math.h>
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
    int borrowed;          /* from udl_model_wrap: the caller owns object */
    udli_container *file;  /* the fields it was loaded from; NULL when wrapped */
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

/* "pca, ae, sae, ...": the names of the kinds this udl knows. */
static const char *kind_list(char *list, size_t size)
{
    list[0] = '\0';
    for (size_t i = 0; i < UDL_KIND_COUNT; i++)
        snprintf(list + strlen(list), size - strlen(list), "%s%s", i ? ", " : "",
                 rows[i]->name);
    return list;
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
    char list[256];
    return udli_fail(UDL_EINVAL, "no model kind is called '%s' (the kinds: %s)", name,
                     kind_list(list, sizeof list));
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
    char list[256];
    if (!row)
        s = udli_fail(UDL_EKIND, "%s holds a model of kind %u, which this udl cannot read (it "
                      "reads %s)", path, udli_container_kind(c), kind_list(list, sizeof list));
    else if (!(m = udli_calloc(1, sizeof *m, "model")))
        s = UDL_ENOMEM;
    else if (!(s = read_row(c, row, &m->object))) {
        m->row = row;
        m->file = c; /* kept for udl_model_field */
        udli_container_prefix(c, "");
    }
    if (s) {
        udli_container_free(c);
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
    udli_container_free(m->file);
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

/* ---- the fields of the file ---------------------------------------------------------- */

const char *udli_activation_choice(uint64_t v)
{
    return v <= UDL_ACT_SOFTMAX ? udl_activation_name((udl_activation)v) : NULL;
}

const char *udli_loss_choice(uint64_t v)
{
    return v <= UDL_LOSS_SOFTMAX_CROSS_ENTROPY ? udl_loss_name((udl_loss)v) : NULL;
}

UDL_API unsigned udl_model_format_version(const udl_model *m)
{
    return m && m->file ? udli_container_version(m->file) : 0;
}

UDL_API size_t udl_model_n_fields(const udl_model *m)
{
    return m && m->file ? udli_container_n_fields(m->file) : 0;
}

/* Whether name matches pattern, whose '#' takes one or more digits (their value, capped,
 * into *layer); as a prefix, pattern need only begin name and *rest gets what follows. */
static int match(const char *pattern, const char *name, int prefix, long *layer,
                 const char **rest)
{
    while (*pattern) {
        if (*pattern == '#') {
            if (!isdigit((unsigned char)*name))
                return 0;
            long v = 0;
            for (; isdigit((unsigned char)*name); name++)
                v = v < 100000000 ? 10 * v + (*name - '0') : v;
            *layer = v;
            pattern++;
        } else if (*pattern++ != *name++) {
            return 0;
        }
    }
    *rest = name;
    return prefix || *name == '\0';
}

/* The entry of docs (or of a table it includes) that describes the field called name. */
static const udli_field_doc *doc_of(const udli_field_doc *docs, const char *name, long *layer)
{
    for (const udli_field_doc *d = docs; d && d->name; d++) {
        long l = *layer;
        const char *rest;
        if (!match(d->name, name, d->sub != NULL, &l, &rest))
            continue;
        const udli_field_doc *found = d->sub ? doc_of(d->sub, rest, &l) : d;
        if (found) {
            *layer = l;
            return found;
        }
    }
    return NULL;
}

static void describe(const udl_model *m, const udli_field *f, udl_field *out)
{
    memset(out, 0, sizeof *out);
    out->name = f->name;
    out->type = (udl_field_type)f->type;
    out->layer = -1;
    if (f->type == UDL_FIELD_INTEGER)
        out->integer = f->u;
    else if (f->type == UDL_FIELD_NUMBER)
        out->number = f->f;
    else {
        out->rows = f->rows;
        out->cols = f->cols;
        out->data = f->rows && f->cols ? f->data : NULL;
    }
    const udli_field_doc *d = doc_of(m->row->fields, f->name, &out->layer);
    if (!d)
        return;
    out->about = d->about;
    /* A format-1 file kept its choices as numbers. */
    if (d->value_name && f->type == UDL_FIELD_INTEGER)
        out->value_name = d->value_name(f->u);
    else if (d->value_name && f->type == UDL_FIELD_NUMBER && f->f >= 0.0 && f->f < 256.0 &&
             f->f == floor(f->f))
        out->value_name = d->value_name((uint64_t)f->f);
}

static udl_status check_fields(const udl_model *m, const void *out, const char *what)
{
    if (!m || !out)
        return udli_fail(UDL_EINVAL, "model %s: model or field is NULL", what);
    if (!m->file)
        return udli_fail(UDL_EINVAL, "model %s: the %s was not loaded from a file (it was "
                         "wrapped), so it has no file fields", what, m->row->title);
    return UDL_OK;
}

UDL_API udl_status udl_model_field(const udl_model *m, size_t i, udl_field *field)
{
    udl_status s = check_fields(m, field, "field");
    if (s)
        return s;
    const size_t n = udli_container_n_fields(m->file);
    if (i >= n)
        return udli_fail(UDL_EINVAL, "model field: index %zu is out of range (the file has "
                         "%zu fields)", i, n);
    describe(m, udli_container_field_at(m->file, i), field);
    return UDL_OK;
}

UDL_API udl_status udl_model_find_field(const udl_model *m, const char *name,
                                        udl_field *field)
{
    udl_status s = check_fields(m, field, "find_field");
    if (s)
        return s;
    if (!name)
        return udli_fail(UDL_EINVAL, "model find_field: name is NULL");
    const udli_field *f = udli_container_field(m->file, name);
    if (!f)
        return udli_fail(UDL_EINVAL, "model find_field: %s has no field '%s'",
                         udli_container_path(m->file), name);
    describe(m, f, field);
    return UDL_OK;
}
