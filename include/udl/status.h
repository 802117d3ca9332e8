/** @file
 * Result codes and the last error's sentence. */
#ifndef UDL_STATUS_H
#define UDL_STATUS_H

#include <stddef.h>

#include <udl/version.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Every function that can fail returns one of these; UDL_OK is 0. The values are part
 * of the ABI and never change (bindings and saved logs rely on them); a new status gets
 * the next number. */
typedef enum udl_status {
    UDL_OK = 0,       /**< success */
    UDL_EINVAL = 1,   /**< an argument or parameter is invalid (NULL, NaN, out of range) */
    UDL_ESHAPE = 2,   /**< matrix shapes do not fit together */
    UDL_ENOMEM = 3,   /**< memory could not be allocated */
    UDL_ENUMERIC = 4, /**< a numerical method failed (no convergence, NaN loss) */
    UDL_EIO = 5,      /**< a file could not be opened, read or written */
    UDL_EFORMAT = 6,  /**< a file is malformed, truncated or corrupt */
    UDL_EKIND = 7,    /**< a model of another kind, or a kind that cannot do the call */
    UDL_ESTATE = 8,   /**< the object is not in a state that allows the call (not fitted) */
    UDL_ECANCELED = 9 /**< a progress callback asked to stop */
} udl_status;

/** A short fixed name for a status ("invalid argument"); never NULL. */
UDL_API const char *udl_status_str(udl_status status);

/** The sentence describing the most recent failure in the calling thread, e.g.
 * "X has 783 columns, the model expects 784". Successful calls leave it unchanged;
 * it is "" before any failure. The pointer stays valid until the thread's next
 * failing udl call. */
UDL_API const char *udl_last_error(void);

/** Progress of long work (fit, embed, train), passed to a udl_progress_fn.
 *
 * Training reports after every mini-batch, so a program can draw a bar that moves within
 * an epoch: step is the epoch the report concerns (counted from 1) and batch of batches
 * says how far into it; the report with batch == batches ends the epoch, and only it
 * carries the epoch's mean loss and the validation fields. PCA reports after each block
 * of rows and t-SNE after each iteration, with batches 0. A stack (stacked autoencoder,
 * deep belief net, a classifier's pretraining) names the layer it is training. */
typedef struct udl_progress {
    const char *stage;   /**< what is running, e.g. "pca fit", "tsne", "rbm" */
    size_t step;         /**< the epoch, iteration or row count this report concerns */
    size_t total;        /**< steps planned, 0 if unknown */
    double loss;         /**< the current objective where there is one, else NaN; within
                              an epoch, the mean over its batches so far */
    double valid_loss;   /**< on the validation set after this epoch, else NaN */
    double valid_error;  /**< the validation set's error rate (classifiers), else NaN */
    size_t layer;        /**< the stack's layer being trained, from 1; 0 outside a stack */
    size_t layers;       /**< the stack's layer count; 0 outside a stack */
    size_t batch;        /**< mini-batches done in epoch step */
    size_t batches;      /**< mini-batches in an epoch; 0 for work that has none */
} udl_progress;

/** Called now and then during long work; a non-zero return stops the work with
 * UDL_ECANCELED, leaving the object valid. */
typedef int (*udl_progress_fn)(const udl_progress *progress, void *user);

#ifdef __cplusplus
}
#endif

#endif
