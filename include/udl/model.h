/** @file
 * Any saved model through one handle. udl_model_load reads the kind from the file; the
 * calls below then work for every kind that can do them, and say clearly when a kind
 * cannot ("a stacked autoencoder has no reconstruct"). The typed APIs (udl_pca_load,
 * udl_ae_load, ...) stay for code that knows what it holds. */
#ifndef UDL_MODEL_H
#define UDL_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include <udl/matrix.h>
#include <udl/optim.h>
#include <udl/status.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The kinds of model, as stored in model files (the values never change). */
typedef enum udl_kind {
    UDL_KIND_PCA = 1,                 /**< udl_pca, "pca" */
    UDL_KIND_AUTOENCODER = 2,         /**< udl_ae, "ae" */
    UDL_KIND_STACKED_AUTOENCODER = 3, /**< udl_sae, "sae" */
    UDL_KIND_DEEP_AUTOENCODER = 4,    /**< udl_deep_ae, "deep-ae" */
    UDL_KIND_RBM = 5,                 /**< udl_rbm, "rbm" */
    UDL_KIND_DBN = 6,                 /**< udl_dbn, "dbn" */
    UDL_KIND_DNN = 7                  /**< udl_dnn, "dnn" */
} udl_kind;

#define UDL_KIND_COUNT 7 /**< kinds 1..UDL_KIND_COUNT */

/** The kind's name as the tool spells it ("pca", "ae", "sae", "deep-ae", "rbm", "dbn",
 * "dnn"), or NULL for a value that is not a kind. */
UDL_API const char *udl_kind_name(udl_kind kind);
/** The kind whose name is name.
 * @return UDL_OK, or UDL_EINVAL listing the names when there is none. */
UDL_API udl_status udl_kind_from_name(const char *name, udl_kind *kind);

/** A model of any kind (opaque): loaded from a file, or wrapping a typed model. */
typedef struct udl_model udl_model;

/** Opens a model file of any kind.
 * @return UDL_OK, UDL_EIO, UDL_EFORMAT (not a model file, corrupt, or inconsistent),
 * UDL_EKIND (a kind this udl does not know). */
UDL_API udl_status udl_model_load(const char *path, udl_model **out);
/** Frees the handle and, unless it was made by udl_model_wrap, the model; NULL is a
 * no-op. */
UDL_API void udl_model_free(udl_model *m);
/** A handle on a model you hold (object is a udl_pca *, udl_ae *, ... of that kind), so the
 * generic calls and feature visualization work on it without a file. The handle does not
 * own object: udl_model_free frees the handle only, and object must outlive it. */
UDL_API udl_status udl_model_wrap(udl_kind kind, void *object, udl_model **out);
/** Saves the model to path through its kind's save: the file appears whole or not at
 * all. */
UDL_API udl_status udl_model_save(const udl_model *m, const char *path);

/** The model's kind. */
UDL_API udl_kind udl_model_kind(const udl_model *m);
/** A readable name for messages: "PCA", "stacked autoencoder", ... */
UDL_API const char *udl_model_kind_name(const udl_model *m);
/** The typed handle inside (a udl_pca *, udl_ae *, udl_sae *, udl_deep_ae *, udl_rbm *,
 * udl_dbn * or udl_dnn *, by kind); owned by m. */
UDL_API void *udl_model_object(const udl_model *m);

/** The columns of X the model takes. */
UDL_API size_t udl_model_n_inputs(const udl_model *m);
/** The columns of the codes udl_model_encode writes. */
UDL_API size_t udl_model_n_codes(const udl_model *m);
/** The columns of udl_model_predict's output; 0 when the kind has no predict. */
UDL_API size_t udl_model_n_outputs(const udl_model *m);

/** Z (N x n_codes): PCA's components, an autoencoder's or a stack's codes, a deep
 * autoencoder's code layer, a deep network's top hidden layer. */
UDL_API udl_status udl_model_encode(const udl_model *m, udl_mat x, udl_mat z);
/** X^ (N x n_inputs): the model's reconstruction of X; UDL_EKIND for a kind without a
 * decoder. */
UDL_API udl_status udl_model_reconstruct(const udl_model *m, udl_mat x, udl_mat xhat);
/** Y (N x n_outputs): what a supervised model predicts (a deep network: the class
 * probabilities); UDL_EKIND for the unsupervised kinds. */
UDL_API udl_status udl_model_predict(const udl_model *m, udl_mat x, udl_mat y);

/** V (N x n_inputs): N samples from a generative model (RBM, deep belief net) after
 * n_steps of Gibbs sampling, from a generator seeded with seed; UDL_EKIND for the other
 * kinds. */
UDL_API udl_status udl_model_sample(const udl_model *m, udl_mat v, size_t n_steps,
                                    uint64_t seed);

/** The training parameters later calls to train use, and a way to change them between
 * calls (a lower learning rate, another schedule) for every trainable kind; the weights
 * stay as they are. UDL_EKIND for a kind that is not trained by SGD (PCA). */
UDL_API udl_status udl_model_get_train_params(const udl_model *m, udl_train_params *params);
/** Changes the training parameters of any trainable kind (see
 * udl_model_get_train_params); UDL_EINVAL naming a bad field, UDL_EKIND for PCA. */
UDL_API udl_status udl_model_set_train_params(udl_model *m, const udl_train_params *params);

/** @name What a model file holds
 * A loaded model keeps the fields of its file as they were read, so a program can list
 * them, show them or hand them to another framework without knowing the kind: the tool's
 * `udl info` and `udl export` are written this way. The fields are those of the file at
 * load time; training the model afterwards does not change them (save and load again to
 * see new values). Keeping them costs a second copy of the file's values in memory.
 * @{ */

/** The type of a field, as stored in model files (the values never change). */
typedef enum udl_field_type {
    UDL_FIELD_INTEGER = 1, /**< an unsigned 64-bit integer: a size, a count, a choice */
    UDL_FIELD_NUMBER = 2,  /**< a double */
    UDL_FIELD_MATRIX = 3   /**< rows x cols doubles, row-major */
} udl_field_type;

/** One field of a model file. Nothing in it is owned by the caller: name, data, about
 * and value_name stay valid until the model is freed. */
typedef struct udl_field {
    /** The field's name: "W0", "learning_rate"; a stack's layers put "L<i>." before
     * their fields' names ("L1.W"). */
    const char *name;
    udl_field_type type; /**< integer, number or matrix */
    uint64_t integer;   /**< the value of an integer field, else 0 */
    double number;      /**< the value of a number field, else 0 */
    /** A matrix field's values, rows x cols row-major (element (i, j) at
     * data[i * cols + j]); NULL for a scalar or an empty matrix. */
    const double *data;
    size_t rows;        /**< a matrix's rows; 0 for a scalar */
    size_t cols;        /**< a matrix's columns; 0 for a scalar */
    /** The layer the field belongs to, counted from 0 at the input: the 2 of "W2", the 1
     * of "L1.b"; -1 for a field of the whole model. */
    long layer;
    /** What the field is, in a sentence that says how it is used (for weights: which
     * side is the input, so that a forward pass can be written from it); NULL for a
     * field this udl does not read. */
    const char *about;
    /** For an integer field that names a choice (an activation, a loss, a schedule): the
     * choice's name, such as "relu" or "cross-entropy"; NULL otherwise. */
    const char *value_name;
} udl_field;

/** The model file format version the model was loaded from (1 or 2; models are saved
 * in the newest); 0 for a NULL model or one from udl_model_wrap, which has no file. */
UDL_API unsigned udl_model_format_version(const udl_model *m);
/** The number of fields of the model's file; 0 for a NULL or wrapped model. */
UDL_API size_t udl_model_n_fields(const udl_model *m);
/** Field i of the model's file, in order of name (i < udl_model_n_fields). UDL_EINVAL
 * for a NULL argument, an i out of range, or a model from udl_model_wrap. */
UDL_API udl_status udl_model_field(const udl_model *m, size_t i, udl_field *field);
/** The field called name; UDL_EINVAL as udl_model_field, or when the file has no field
 * of that name. */
UDL_API udl_status udl_model_find_field(const udl_model *m, const char *name,
                                        udl_field *field);
/** @} */

#ifdef __cplusplus
}
#endif

#endif
