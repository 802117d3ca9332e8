/** @file
 * Deep feed-forward classifiers, initialised at random or from a greedily pretrained
 * stack (autoencoders, denoising autoencoders or RBMs) and fine-tuned by backpropagation
 * of the softmax cross-entropy (Hinton, Osindero & Teh 2006; Bengio et al. 2007).
 * @verbatim
   h_0 = x,  h_l = f(h_{l-1} W_l + b_l),  p(y = k | x) = softmax(h_L W_out + b_out)_k
   @endverbatim
 * Labels are a column of doubles holding the integers 0..K-1 (N x 1, as udl's data
 * readers give them); anything else is refused with a sentence naming the first bad
 * one. */
#ifndef UDL_DNN_H
#define UDL_DNN_H

#include <stddef.h>
#include <stdint.h>

#include <udl/autoencoder.h>
#include <udl/loss.h>
#include <udl/matrix.h>
#include <udl/optim.h>
#include <udl/rbm.h>
#include <udl/status.h>

#ifdef __cplusplus
extern "C" {
#endif

/** A classifier's settings; start from udl_dnn_params_default(). */
typedef struct udl_dnn_params {
    udl_activation activation; /**< hidden layers: sigmoid, tanh or ReLU */
    double input_dropout;      /**< probability in [0, 1) of dropping each input while
                                    training (Srivastava et al. 2014); 0: none */
    double hidden_dropout;     /**< the same for every hidden unit */
    udl_train_params train;    /**< fine-tuning: epochs, batch size, optimizer (weight_decay
                                    is the L2 penalty on the weights), seed, schedule */
    double valid_fraction;     /**< in [0, 1): when train is given no validation set, this
                                    fraction of the training rows (drawn from train.seed,
                                    the same rows on every call) is held out as one */
    size_t patience;           /**< early stopping: stop after this many epochs without a
                                    better validation error, and keep the best epoch's
                                    weights; 0: train every epoch, keep the last */
} udl_dnn_params;

/** Sigmoid hidden units (as Hinton & Salakhutdinov's classifiers), no dropout, no
 * validation, and udl_train_params_default() with learning rate 0.1 and momentum 0.9
 * (20 epochs of batches of 100, seed 1). */
UDL_API udl_dnn_params udl_dnn_params_default(void);

/** A deep feed-forward classifier (opaque). */
typedef struct udl_dnn udl_dnn;

/** sizes = {D, h1, ..., hL, K}: L >= 0 hidden layers (up to 32) and K >= 2 classes.
 * Weights start random: uniform in +-sqrt(6 / (fan_in + fan_out)) (Glorot & Bengio
 * 2010; 4 times that for sigmoid layers), N(0, 2 / fan_in) for ReLU layers (He et al.
 * 2015); biases 0. */
UDL_API udl_status udl_dnn_create(const udl_dnn_params *params, const size_t *sizes,
                                  size_t n_sizes, udl_dnn **out);
/** Frees the classifier; NULL is a no-op. */
UDL_API void udl_dnn_free(udl_dnn *dnn);

/* ---- pretraining --------------------------------------------------------------------- */

/** The stack that initialises a classifier's hidden layers. */
typedef enum udl_pretrain {
    UDL_PRETRAIN_NONE = 0, /**< no pretraining: the random initial weights */
    UDL_PRETRAIN_AE = 1,   /**< a stack of tied sigmoid autoencoders, cross-entropy */
    UDL_PRETRAIN_DAE = 2,  /**< the same, denoising: inputs masked with probability noise */
    UDL_PRETRAIN_RBM = 3   /**< a deep belief net of Bernoulli RBMs, CD-1 */
} udl_pretrain;

/** Pretraining's settings; start from udl_dnn_pretrain_params_default(). */
typedef struct udl_dnn_pretrain_params {
    udl_pretrain method;    /**< the kind of stack */
    udl_train_params train; /**< each layer's epochs, batch size, optimizer and schedule */
    double noise;           /**< masking probability for UDL_PRETRAIN_DAE, in [0, 1) */
} udl_dnn_pretrain_params;

/** For method: the defaults of that kind of layer (udl_ae_params_default() for AE and DAE
 * with noise 0.25; udl_rbm_params_default() for RBM, Hinton's guide), 10 epochs each. */
UDL_API udl_dnn_pretrain_params udl_dnn_pretrain_params_default(udl_pretrain method);

/** Trains a stack with the hidden layers' sizes greedily on X (N x D, in [0, 1)), then
 * copies each stack layer's W and hidden bias into the hidden layer of the same index.
 * The hidden layers must be sigmoid: the stack's units are. The output layer keeps its
 * weights; every other parameter is replaced. UDL_PRETRAIN_NONE does nothing. */
UDL_API udl_status udl_dnn_pretrain(udl_dnn *dnn, const udl_dnn_pretrain_params *params,
                                    udl_mat x, udl_progress_fn progress, void *user);
/** The same from a stack the caller trained (or loaded): it must have one layer per
 * hidden layer, of the same sizes. */
UDL_API udl_status udl_dnn_init_from_sae(udl_dnn *dnn, const udl_sae *stack);
/** The same from a deep belief net the caller trained (or loaded): one RBM per hidden
 * layer, of the same sizes. */
UDL_API udl_status udl_dnn_init_from_dbn(udl_dnn *dnn, const udl_dbn *dbn);

/* ---- fine-tuning ----------------------------------------------------------------------- */

/** Trains every layer for train.epochs more epochs on X (N x D, finite) and its labels
 * (N x 1). valid_x and valid_labels (both NULL, or both given) are a validation set;
 * without one, valid_fraction > 0 holds one out of X. With a validation set, its mean
 * loss and error rate after each epoch go to the progress callback (valid_loss,
 * valid_error) and into the validation history, and patience > 0 stops early and
 * restores the weights of the epoch with the lowest validation error (the lower loss
 * breaks a tie), also when the progress callback cancels (ECANCELED). Without early
 * stopping, cancellation leaves the last complete epoch's weights; a failure (ENUMERIC,
 * ENOMEM, also in the validation pass) those of the start of the failing epoch. The learning-rate schedule carries across
 * calls; the momentum restarts from zero at each call (one call of N epochs is not N
 * calls of one). */
UDL_API udl_status udl_dnn_train(udl_dnn *dnn, udl_mat x, udl_mat labels,
                                 const udl_mat *valid_x, const udl_mat *valid_labels,
                                 udl_progress_fn progress, void *user);

/* ---- use -------------------------------------------------------------------------------- */

/** labels (N x 1): the most probable class of each row (the lowest index on a tie). */
UDL_API udl_status udl_dnn_predict(const udl_dnn *dnn, udl_mat x, udl_mat labels);
/** P (N x K): the class probabilities. */
UDL_API udl_status udl_dnn_predict_proba(const udl_dnn *dnn, udl_mat x, udl_mat p);
/** H (N x h_l): the activations of hidden layer l (0-based, l < L). */
UDL_API udl_status udl_dnn_hidden(const udl_dnn *dnn, udl_mat x, size_t layer, udl_mat h);

/** What udl_dnn_evaluate measured. */
typedef struct udl_dnn_eval {
    size_t n;        /**< rows evaluated */
    double loss;     /**< mean cross-entropy */
    double accuracy; /**< fraction predicted right */
} udl_dnn_eval;

/** Evaluates on X and its labels. confusion (K x K counts, row = true class, column =
 * predicted) and class_accuracy (K: the fraction of each class predicted right, NaN for a
 * class with no rows) may be NULL. */
UDL_API udl_status udl_dnn_evaluate(const udl_dnn *dnn, udl_mat x, udl_mat labels,
                                    udl_dnn_eval *result, size_t *confusion,
                                    double *class_accuracy);

/* ---- gradients with respect to the input (for attacks and feature visualization) ---- */

/** dX (N x D): row i is the gradient of row i's cross-entropy against labels[i] with
 * respect to x_i; loss (may be NULL) gets the mean loss. Labels may be the true ones
 * (to raise the loss: an untargeted attack) or chosen targets (to lower it). */
UDL_API udl_status udl_dnn_input_gradient(const udl_dnn *dnn, udl_mat x, udl_mat labels,
                                          udl_mat dx, double *loss);
/** dX (N x D): row i is the gradient of unit j of layer l at x_i with respect to x_i, and
 * value (N, may be NULL) gets that unit's value. Layers 0..L-1 are the hidden layers
 * (their activations); layer L is the output, whose units are the class scores before
 * the softmax (the logits). */
UDL_API udl_status udl_dnn_unit_gradient(const udl_dnn *dnn, udl_mat x, size_t layer,
                                         size_t unit, udl_mat dx, double *value);

/* ---- inspection and files ---------------------------------------------------------------- */

/** Layer sizes {D, h1, ..., hL, K}; *n_sizes = L + 2. */
UDL_API const size_t *udl_dnn_sizes(const udl_dnn *dnn, size_t *n_sizes);
/** Layer l's weights (sizes[l] x sizes[l+1], row-major); l = L is the output. */
UDL_API const double *udl_dnn_weights(const udl_dnn *dnn, size_t layer);
/** Layer l's bias (sizes[l+1]); l = L is the output. */
UDL_API const double *udl_dnn_bias(const udl_dnn *dnn, size_t layer);
/** The mean training loss of each epoch trained so far; *n_epochs says how many. */
UDL_API const double *udl_dnn_history(const udl_dnn *dnn, size_t *n_epochs);
/** The validation loss and error rate of each epoch (NaN for an epoch trained without a
 * validation set); *n_epochs as above. */
UDL_API void udl_dnn_valid_history(const udl_dnn *dnn, const double **loss,
                                   const double **error, size_t *n_epochs);
/** The parameters later calls to train use. */
UDL_API udl_dnn_params udl_dnn_get_params(const udl_dnn *dnn);
/** Changes the parameters later calls to train use; the activation is part of the net
 * and cannot change; a new seed restarts the generator. On UDL_EINVAL the model is
 * unchanged. */
UDL_API udl_status udl_dnn_set_params(udl_dnn *dnn, const udl_dnn_params *params);

/** Writes the model file; it appears whole or not at all. */
UDL_API udl_status udl_dnn_save(const udl_dnn *dnn, const char *path);
/** Reads a model file written by udl_dnn_save; UDL_EKIND for another kind. */
UDL_API udl_status udl_dnn_load(const char *path, udl_dnn **out);

#ifdef __cplusplus
}
#endif

#endif
