/** @file
 * Restricted Boltzmann machines trained by contrastive divergence (CD-k) or persistent
 * contrastive divergence (PCD), their log-likelihood by annealed importance sampling,
 * and deep belief nets (stacks of RBMs trained greedily).
 * @verbatim
   E(v, h) = -b'v - c'h - v'Wh            (Bernoulli units)
   p(h_j = 1 | v) = sigmoid(c_j + v'W_j),  p(v_i = 1 | h) = sigmoid(b_i + W_i h)
   @endverbatim
 * A Gaussian visible unit (unit variance, for real-valued data) adds (v_i - b_i)^2 / 2 to
 * the energy in place of -b_i v_i and has p(v_i | h) = N(b_i + W_i h, 1); a Gaussian hidden
 * unit likewise has p(h_j | v) = N(c_j + v'W_j, 1) (the linear code layer of Hinton &
 * Salakhutdinov 2006). W is n_visible x n_hidden. */
#ifndef UDL_RBM_H
#define UDL_RBM_H

#include <stddef.h>
#include <stdint.h>

#include <udl/matrix.h>
#include <udl/optim.h>
#include <udl/status.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The distribution of a layer's units given the other layer. */
typedef enum udl_units {
    UDL_UNITS_BERNOULLI = 0, /**< binary, mean sigmoid(input) */
    UDL_UNITS_GAUSSIAN = 1   /**< real, N(input, 1) */
} udl_units;

/** How the negative phase of the gradient is sampled. */
typedef enum udl_rbm_method {
    UDL_RBM_CD = 0, /**< CD-k: chains start at the batch, k Gibbs steps */
    UDL_RBM_PCD = 1 /**< persistent CD: chains kept across batches, k steps per update
                         (Tieleman 2008) */
} udl_rbm_method;

/** An RBM's settings; start from udl_rbm_params_default(). */
typedef struct udl_rbm_params {
    size_t n_visible, n_hidden; /**< the hidden units */
    /** @var udl_rbm_params::n_visible
     * the visible units (the data's columns) */
    udl_units visible, hidden; /**< the hidden units' kind; not both Gaussian: that energy
                                    has no lower bound */
    /** @var udl_rbm_params::visible
     * the visible units' kind */
    udl_rbm_method method;     /**< CD-k or PCD */
    size_t k;                  /**< Gibbs steps per update, >= 1 */
    udl_train_params train;    /**< epochs, batch size, optimizer, seed, schedule */
} udl_rbm_params;

/** Bernoulli units, CD-1, and Hinton's guide (2010) for the rest: learning rate 0.1,
 * momentum 0.5 for 5 epochs then 0.9, weight decay 0.0002, batches of 100, 20 epochs,
 * seed 1. n_visible and n_hidden are 0: set them. With Gaussian visibles the guide asks
 * for a rate one or two orders of magnitude lower (the tool uses 0.001). PCD's chains
 * live in memory only: a loaded model starts them again from data. */
UDL_API udl_rbm_params udl_rbm_params_default(void);

/** A restricted Boltzmann machine (opaque). */
typedef struct udl_rbm udl_rbm;

/** W ~ N(0, 0.01^2), zero biases (Hinton 2010, section 8). */
UDL_API udl_status udl_rbm_create(const udl_rbm_params *params, udl_rbm **out);
/** Frees the RBM; NULL is a no-op. */
UDL_API void udl_rbm_free(udl_rbm *rbm);

/** Trains on the N x n_visible data X (in [0, 1] for Bernoulli visibles: a pixel's
 * intensity is read as its probability) for train.epochs more epochs, through the shared
 * loop and optimizer. The history holds each epoch's mean reconstruction error: the
 * cross-entropy of p(v | h) against the batch, h drawn from p(h | batch), for Bernoulli
 * visibles; the squared error of its mean for Gaussian ones. */
UDL_API udl_status udl_rbm_train(udl_rbm *rbm, udl_mat x, udl_progress_fn progress,
                                 void *user);

/** H (N x n_hidden) = E[h | v]: the hidden probabilities (means for Gaussian hiddens). */
UDL_API udl_status udl_rbm_transform(const udl_rbm *rbm, udl_mat x, udl_mat h);
/** V (N x n_visible) = E[v | h]. */
UDL_API udl_status udl_rbm_visible_means(const udl_rbm *rbm, udl_mat h, udl_mat v);
/** X^ = E[v | E[h | x]], the mean-field reconstruction. */
UDL_API udl_status udl_rbm_reconstruct(const udl_rbm *rbm, udl_mat x, udl_mat xhat);
/** f[i] = F(x_i), the free energy: -log sum_h exp(-E(x_i, h)), so that
 * p(v) = exp(-F(v)) / Z. */
UDL_API udl_status udl_rbm_free_energy(const udl_rbm *rbm, udl_mat x, double *f);
/** Mean over rows of the reconstruction error the history reports. */
UDL_API udl_status udl_rbm_reconstruction_error(const udl_rbm *rbm, udl_mat x, double *err);
/** scikit-learn's score: the mean over rows of n_visible * log sigmoid(F(x~) - F(x)),
 * x~ being x with one visible unit (drawn per row from seed) flipped. Bernoulli
 * visibles only. */
UDL_API udl_status udl_rbm_pseudo_likelihood(const udl_rbm *rbm, udl_mat x, uint64_t seed,
                                             double *pll);

/** Gibbs sampling from V (N x n_visible, overwritten): n_steps alternations v -> h -> v,
 * sampling every unit, with a generator seeded from seed; V ends as the last sample. */
UDL_API udl_status udl_rbm_gibbs(const udl_rbm *rbm, udl_mat v, size_t n_steps, uint64_t seed);
/** N fantasies into V (N x n_visible): chains started from uniform random binary
 * visibles (N(0, 1) for Gaussian ones), n_steps >= 1 Gibbs steps, the last ending at the
 * visible means. The same model and seed give the same fantasies. */
UDL_API udl_status udl_rbm_sample(const udl_rbm *rbm, udl_mat v, size_t n_steps, uint64_t seed);

/* ---- log-likelihood by annealed importance sampling (Salakhutdinov & Murray 2008) -- */

/** The settings of annealed importance sampling (udl_rbm_log_partition). */
typedef struct udl_ais_params {
    size_t n_runs;     /**< independent annealing runs, >= 2 */
    size_t n_betas;    /**< intermediate distributions; 0: their schedule of 14,500
                            (500 steps of 0.001 to beta 0.5, 4,000 of 0.0001 to 0.9,
                            10,000 of 0.00001 to 1) */
    uint64_t seed;     /**< the runs' samples */
} udl_ais_params;

/** 100 runs, the 14,500-step schedule, seed 1. */
UDL_API udl_ais_params udl_ais_params_default(void);

/** An estimate of log Z and its error band. */
typedef struct udl_ais_result {
    double log_z;          /**< the estimate of log Z: log of the mean importance weight */
    double log_z_lo, log_z_hi; /**< log(mean + 3 standard errors of the weights) */
    /** @var udl_ais_result::log_z_lo
     * log(mean - 3 standard errors of the weights) */
    double log_z_base;     /**< log Z of the base-rate model */
} udl_ais_result;

/** Estimates log Z of a Bernoulli-hidden RBM, annealing from the base-rate model whose
 * visible biases match base's column means (the training data; NULL: zero biases) to the
 * RBM. */
UDL_API udl_status udl_rbm_log_partition(const udl_rbm *rbm, const udl_ais_params *params,
                                         const udl_mat *base, udl_ais_result *result);
/** Mean over rows of log p(x) = -F(x) - log Z, with log Z from result. lo and hi (may be
 * NULL) get the mean with log_z_hi and log_z_lo, the band the AIS error allows.
 * UDL_EINVAL when result's log_z is not finite. */
UDL_API udl_status udl_rbm_log_likelihood(const udl_rbm *rbm, udl_mat x,
                                          const udl_ais_result *result, double *mean,
                                          double *lo, double *hi);

/** The mean reconstruction error of each epoch trained so far; *n_epochs says how
 * many. */
UDL_API const double *udl_rbm_history(const udl_rbm *rbm, size_t *n_epochs);
/** The parameters later calls to train use. */
UDL_API udl_rbm_params udl_rbm_get_params(const udl_rbm *rbm);
/** Changes the training parameters and method between calls to train; the sizes and
 * units are fixed. On UDL_EINVAL the model is unchanged. */
UDL_API udl_status udl_rbm_set_params(udl_rbm *rbm, const udl_rbm_params *params);
/** W (n_visible x n_hidden, row-major). */
UDL_API const double *udl_rbm_weights(const udl_rbm *rbm);
/** b (n_visible), the visible bias. */
UDL_API const double *udl_rbm_visible_bias(const udl_rbm *rbm);
/** c (n_hidden), the hidden bias. */
UDL_API const double *udl_rbm_hidden_bias(const udl_rbm *rbm);

/** Writes the model file; it appears whole or not at all. */
UDL_API udl_status udl_rbm_save(const udl_rbm *rbm, const char *path);
/** Reads a model file written by udl_rbm_save; UDL_EKIND for another kind. */
UDL_API udl_status udl_rbm_load(const char *path, udl_rbm **out);

/* ---- deep belief net: RBMs stacked and trained greedily (Hinton, Osindero & Teh 2006) -- */

/** A deep belief net (opaque): RBMs stacked and trained greedily. */
typedef struct udl_dbn udl_dbn;

/** sizes = {D, h1, h2, ...} (2 to 33 of them): layer i is an RBM from sizes[i] to
 * sizes[i+1] made from layer_params (n_visible and n_hidden set here, seed + i). Layer 0
 * has layer_params' visible units and the top layer its hidden units; the units between
 * are Bernoulli, since each layer models the hidden probabilities of the one below. */
UDL_API udl_status udl_dbn_create(const udl_rbm_params *layer_params, const size_t *sizes,
                                  size_t n_sizes, udl_dbn **out);
/** Frees the net and its layers; NULL is a no-op. */
UDL_API void udl_dbn_free(udl_dbn *dbn);
/** Trains layer 0 on X, then each next layer on E[h | v] of the one below. Progress
 * reports each layer's epochs in turn (stage "rbm"). When a layer's training fails or is
 * canceled, the layers below it keep their new training, those above it are as they were,
 * and that layer is as udl_rbm_train leaves it (as it was, after UDL_ENOMEM). */
UDL_API udl_status udl_dbn_train(udl_dbn *dbn, udl_mat x, udl_progress_fn progress, void *user);
/** H (N x h_last): X up through every layer's E[h | v]. */
UDL_API udl_status udl_dbn_transform(const udl_dbn *dbn, udl_mat x, udl_mat h);
/** X^ (N x D): up through the stack, then down through every layer's E[v | h]. */
UDL_API udl_status udl_dbn_reconstruct(const udl_dbn *dbn, udl_mat x, udl_mat xhat);
/** N samples of the visible layer: n_steps of Gibbs sampling in the top RBM (started from
 * random visibles of the top layer), then E[v | h] down through the layers below. */
UDL_API udl_status udl_dbn_sample(const udl_dbn *dbn, udl_mat v, size_t n_steps, uint64_t seed);
/** The number of RBMs, n_sizes - 1. */
UDL_API size_t udl_dbn_n_layers(const udl_dbn *dbn);
/** Layer i, owned by the net. */
UDL_API const udl_rbm *udl_dbn_layer(const udl_dbn *dbn, size_t i);
/** Writes the model file; it appears whole or not at all. */
UDL_API udl_status udl_dbn_save(const udl_dbn *dbn, const char *path);
/** Reads a model file written by udl_dbn_save; UDL_EKIND for another kind. */
UDL_API udl_status udl_dbn_load(const char *path, udl_dbn **out);

#ifdef __cplusplus
}
#endif

#endif
