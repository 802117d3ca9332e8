/** @file
 * Tied-weight autoencoders, denoising, stacked by greedy layer-wise training, and the
 * deep autoencoder fine-tuned end to end.
 * @verbatim
   Z = f(X W + b),   X^ = g(Z W^T + c)
   @endverbatim
 * with one weight matrix W (D x M) shared by encoder and decoder, f = g = the sigmoid
 * (or the identity, for a linear autoencoder, which spans the PCA subspace). */
#ifndef UDL_AUTOENCODER_H
#define UDL_AUTOENCODER_H

#include <stddef.h>
#include <stdint.h>

#include <udl/loss.h>
#include <udl/matrix.h>
#include <udl/optim.h>
#include <udl/rbm.h>
#include <udl/status.h>

#ifdef __cplusplus
extern "C" {
#endif

/** How a denoising autoencoder corrupts its input while training. */
typedef enum udl_ae_noise {
    UDL_NOISE_NONE = 0,    /**< a plain autoencoder */
    UDL_NOISE_MASK = 1,    /**< each input set to 0 with probability noise_level */
    UDL_NOISE_GAUSSIAN = 2 /**< each input plus N(0, noise_level^2) */
} udl_ae_noise;

/** An autoencoder's settings; start from udl_ae_params_default(). */
typedef struct udl_ae_params {
    size_t n_visible, n_hidden; /**< M, the hidden units (the code's width) */
    /** @var udl_ae_params::n_visible
     * D, the inputs */
    int linear;                 /**< 1: identity activations (needs the squared loss) */
    udl_loss loss;              /**< UDL_LOSS_CROSS_ENTROPY (data in [0, 1]) or _SQUARED */
    udl_ae_noise noise;         /**< denoising: corrupt the input, compare with the clean
                                     one */
    double noise_level;         /**< mask probability in [0, 1) or Gaussian sigma > 0 */
    udl_train_params train;     /**< epochs, batch size, optimizer, seed (initial weights,
                                     shuffling and noise), schedule */
} udl_ae_params;

/** Sigmoid units, cross-entropy, no noise, udl_train_params_default() (20 epochs of
 * batches of 100, learning rate 0.1 with momentum 0.9, seed 1). n_visible and n_hidden
 * are 0: set them. */
UDL_API udl_ae_params udl_ae_params_default(void);

/** A tied-weight autoencoder (opaque). */
typedef struct udl_ae udl_ae;

/** A new autoencoder with W ~ N(0, 1) / sqrt(D + M) and zero biases. */
UDL_API udl_status udl_ae_create(const udl_ae_params *params, udl_ae **out);
/** Frees the autoencoder; NULL is a no-op. */
UDL_API void udl_ae_free(udl_ae *ae);

/** Trains on the N x D data X (finite; in [0, 1] for cross-entropy) for train.epochs
 * more epochs. On failure or cancellation the weights are those of the last complete
 * epoch (ECANCELED) or of the start of the failing epoch (ENUMERIC, ENOMEM). */
UDL_API udl_status udl_ae_train(udl_ae *ae, udl_mat x, udl_progress_fn progress, void *user);

/** Z (N x M) = f(X W + b). */
UDL_API udl_status udl_ae_encode(const udl_ae *ae, udl_mat x, udl_mat z);
/** X^ (N x D) = g(f(X W + b) W^T + c), from the clean input. */
UDL_API udl_status udl_ae_reconstruct(const udl_ae *ae, udl_mat x, udl_mat xhat);
/** The training loss on X without noise: mean over rows of the per-row loss. */
UDL_API udl_status udl_ae_cost(const udl_ae *ae, udl_mat x, double *cost);

/** The mean training loss of each epoch trained so far; *n_epochs says how many. */
UDL_API const double *udl_ae_history(const udl_ae *ae, size_t *n_epochs);
/** The parameters later calls to train use. */
UDL_API udl_ae_params udl_ae_get_params(const udl_ae *ae);
/** Changes the parameters later calls to train use (training parameters, noise, and the
 * loss where the activations allow it); n_visible, n_hidden and linear are part of the
 * weights and cannot change, and a new seed restarts the generator. On UDL_EINVAL the
 * model is unchanged. */
UDL_API udl_status udl_ae_set_params(udl_ae *ae, const udl_ae_params *params);
/** W (D x M, row-major); valid until the next train or free. */
UDL_API const double *udl_ae_weights(const udl_ae *ae);
/** b (M), the hidden bias; valid until the next train or free. */
UDL_API const double *udl_ae_hidden_bias(const udl_ae *ae);
/** c (D), the visible bias; valid until the next train or free. */
UDL_API const double *udl_ae_visible_bias(const udl_ae *ae);

/** Writes the model file; it appears whole or not at all. */
UDL_API udl_status udl_ae_save(const udl_ae *ae, const char *path);
/** Reads a model file written by udl_ae_save; UDL_EKIND for another kind. */
UDL_API udl_status udl_ae_load(const char *path, udl_ae **out);

/* ---- stacked autoencoder: greedy layer-wise training ---------------------------- */

/** A stack of autoencoders trained greedily (opaque). */
typedef struct udl_sae udl_sae;

/** sizes = {D, h1, h2, ...} (n_sizes >= 2): layer i is an autoencoder from sizes[i] to
 * sizes[i+1], created from layer_params (its n_visible and n_hidden are set here; layer
 * i's seed is layer_params->train.seed + i). */
UDL_API udl_status udl_sae_create(const udl_ae_params *layer_params, const size_t *sizes,
                                  size_t n_sizes, udl_sae **out);
/** Frees the stack and its layers; NULL is a no-op. */
UDL_API void udl_sae_free(udl_sae *sae);
/** Trains layer 0 on X, then each next layer on the codes of the one below (Bengio et
 * al. 2007). Progress reports each layer's epochs in turn. When a layer's training fails
 * or is canceled, the layers below it keep their new training, those above it are as they
 * were, and that layer is as udl_ae_train leaves it (as it was, after UDL_ENOMEM). */
UDL_API udl_status udl_sae_train(udl_sae *sae, udl_mat x, udl_progress_fn progress,
                                 void *user);
/** Z (N x h_last): X through every layer's encoder. */
UDL_API udl_status udl_sae_encode(const udl_sae *sae, udl_mat x, udl_mat z);
/** The number of layers, n_sizes - 1. */
UDL_API size_t udl_sae_n_layers(const udl_sae *sae);
/** Layer i, owned by the stack. */
UDL_API const udl_ae *udl_sae_layer(const udl_sae *sae, size_t i);
/** Writes the model file; it appears whole or not at all. */
UDL_API udl_status udl_sae_save(const udl_sae *sae, const char *path);
/** Reads a model file written by udl_sae_save; UDL_EKIND for another kind. */
UDL_API udl_status udl_sae_load(const char *path, udl_sae **out);

/* ---- deep autoencoder: the stack unrolled and fine-tuned -------------------------- */

/** A deep autoencoder (opaque): an unrolled stack, fine-tuned end to end. */
typedef struct udl_deep_ae udl_deep_ae;

/** A deep autoencoder's fine-tuning settings. */
typedef struct udl_deep_ae_params {
    int linear_code;        /**< 1: the code layer has no sigmoid (Hinton & Salakhutdinov
                                 2006) */
    udl_loss loss;          /**< reconstruction loss for fine-tuning */
    udl_train_params train; /**< seed: shuffling */
} udl_deep_ae_params;

/** Linear code layer, cross-entropy, udl_train_params_default() with learning rate 0.01
 * (20 epochs of batches of 100, momentum 0.9, seed 1). */
UDL_API udl_deep_ae_params udl_deep_ae_params_default(void);

/** Unrolls a trained stack into an encoder (the layers' W and b) and a mirrored decoder
 * with untied copies (W^T and c), 2L layers in all. */
UDL_API udl_status udl_deep_ae_create(const udl_sae *stack, const udl_deep_ae_params *params,
                                      udl_deep_ae **out);
/** The same from a deep belief net (Hinton & Salakhutdinov 2006's own recipe): the
 * encoder takes each RBM's W and hidden bias, the decoder W^T and the visible bias. The
 * code layer is linear exactly when the top RBM's hidden units are Gaussian (params'
 * linear_code is set from them), the output when layer 0's visibles are. */
UDL_API udl_status udl_deep_ae_create_from_dbn(const udl_dbn *dbn,
                                               const udl_deep_ae_params *params,
                                               udl_deep_ae **out);
/** Frees the deep autoencoder; NULL is a no-op. */
UDL_API void udl_deep_ae_free(udl_deep_ae *deep);
/** Fine-tunes every layer by backpropagation of the reconstruction loss. */
UDL_API udl_status udl_deep_ae_train(udl_deep_ae *deep, udl_mat x, udl_progress_fn progress,
                                     void *user);
/** Z (N x code size) from the code layer. */
UDL_API udl_status udl_deep_ae_encode(const udl_deep_ae *deep, udl_mat x, udl_mat z);
/** X^ (N x D) from the output layer. */
UDL_API udl_status udl_deep_ae_reconstruct(const udl_deep_ae *deep, udl_mat x, udl_mat xhat);
/** Mean over rows of the per-row reconstruction loss. */
UDL_API udl_status udl_deep_ae_cost(const udl_deep_ae *deep, udl_mat x, double *cost);
/** The mean training loss of each fine-tuning epoch so far; *n_epochs says how many. */
UDL_API const double *udl_deep_ae_history(const udl_deep_ae *deep, size_t *n_epochs);
/** The parameters later calls to train use. */
UDL_API udl_deep_ae_params udl_deep_ae_get_params(const udl_deep_ae *deep);
/** Changes the parameters between calls to train, e.g. a lower learning rate for the last
 * epochs; the weights stay as they are. linear_code is part of the net and cannot change; a
 * new seed restarts the shuffling generator. On UDL_EINVAL the model is unchanged. */
UDL_API udl_status udl_deep_ae_set_params(udl_deep_ae *deep, const udl_deep_ae_params *params);
/** Layer sizes {D, h1, ..., code, ..., h1, D}; *n_sizes = 2L + 1. */
UDL_API const size_t *udl_deep_ae_sizes(const udl_deep_ae *deep, size_t *n_sizes);
/** Writes the model file; it appears whole or not at all. */
UDL_API udl_status udl_deep_ae_save(const udl_deep_ae *deep, const char *path);
/** Reads a model file written by udl_deep_ae_save; UDL_EKIND for another kind. */
UDL_API udl_status udl_deep_ae_load(const char *path, udl_deep_ae **out);

#ifdef __cplusplus
}
#endif

#endif
