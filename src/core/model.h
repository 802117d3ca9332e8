/* Internal: the model-kind registry. One row per kind says how to read, save, free and
 * use it; the generic udl_model handle, the tool and the fuzzer go through the rows, so
 * a new kind is complete when its row is (and the build fails until it has one). */
#ifndef UDL_CORE_MODEL_H
#define UDL_CORE_MODEL_H

#include <udl/model.h>

#include "core/container.h"
#include "core/net.h"

/* The tests' kind (named in messages only). */
enum { UDL_KIND_TEST = 0x7E57 };

/* What the fields of a kind's files are, for udl_model_field: a table ended by a NULL
 * name. A name may hold one '#', standing for a layer number (digits). An entry with sub
 * is a prefix ("L#." or "" for none): the rest of the field's name is looked up in sub. */
typedef struct udli_field_doc {
    const char *name;
    const char *about;
    const char *(*value_name)(uint64_t value); /* an integer naming a choice, or NULL */
    const struct udli_field_doc *sub;
} udli_field_doc;

/* fn(v): the v-th of the names given (a choice stored as its enum value), NULL past them. */
#define UDLI_CHOICE_NAMES(fn, ...)                                                       \
    static const char *fn(uint64_t v)                                                     \
    {                                                                                     \
        static const char *const names[] = {__VA_ARGS__};                                 \
        return v < sizeof names / sizeof names[0] ? names[v] : NULL;                      \
    }

/* The names of an activation and of a loss (udl_activation_name, udl_loss_name), NULL
 * for a value that is none. */
const char *udli_activation_choice(uint64_t v);
const char *udli_loss_choice(uint64_t v);

typedef struct udli_kind_row {
    udl_kind kind;
    const char *name;  /* the tool's name: "ae" */
    const char *title; /* for sentences: "autoencoder" */
    /* From an opened file of this kind; checks everything later calls rely on. */
    udl_status (*read)(udli_container *c, void **model);
    udl_status (*save)(const void *model, const char *path);
    void (*free)(void *model);
    size_t (*n_inputs)(const void *model);
    size_t (*n_codes)(const void *model);
    size_t (*n_outputs)(const void *model); /* NULL: no predict */
    udl_status (*encode)(const void *model, udl_mat x, udl_mat z);
    udl_status (*reconstruct)(const void *model, udl_mat x, udl_mat xhat); /* or NULL */
    udl_status (*predict)(const void *model, udl_mat x, udl_mat y);        /* or NULL */
    /* Samples of the visible layer from a generative model, or NULL. */
    udl_status (*sample)(const void *model, udl_mat v, size_t n_steps, uint64_t seed);
    /* NULL for a kind not trained by SGD. */
    udl_status (*get_train)(const void *model, udl_train_params *params);
    udl_status (*set_train)(void *model, const udl_train_params *params);
    /* A new engine net holding copies of the model's layers from the input up (an
     * encoder's layers to the codes, a classifier's to its output), for feature
     * visualization; NULL for a kind without layers (PCA). */
    udl_status (*net)(const void *model, udli_net **out);
    /* What its files' fields are (every field it saves has an entry). */
    const udli_field_doc *fields;
} udli_kind_row;

extern const udli_kind_row udli_pca_row, udli_ae_row, udli_sae_row, udli_deep_ae_row,
    udli_rbm_row, udli_dbn_row, udli_dnn_row;

/* The row of kind, or NULL when udl has none. */
const udli_kind_row *udli_kind_row_of(uint32_t kind);
/* "PCA", "autoencoder", ... for any kind, "test" for the tests', else "unknown". */
const char *udli_kind_title(uint32_t kind);

/* A new net of m's layers from the input up (its row's net); UDL_EKIND naming the kind
 * when it has none. */
udl_status udli_model_net(const udl_model *m, udli_net **out);

/* The fields every trainable kind saves: its training parameters (train.c) and a
 * network's layers (net.c). */
extern const udli_field_doc udli_train_field_docs[], udli_net_field_docs[];

/* A typed loader: opens path, refuses another kind (UDL_EKIND), reads through the row. */
udl_status udli_kind_load(const char *path, udl_kind kind, void **out);

#endif
