/** @file
 * The one optimizer, stochastic gradient descent with momentum, that updates every
 * trainable udl model, and the training parameters every trainable model embeds. */
#ifndef UDL_OPTIM_H
#define UDL_OPTIM_H

#include <stddef.h>
#include <stdint.h>

#include <udl/status.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The settings of one SGD-with-momentum step (udl_sgd_step). */
typedef struct udl_sgd_params {
    double learning_rate;  /**< > 0 */
    double momentum;       /**< in [0, 1) */
    double weight_decay;   /**< L2 coefficient >= 0, applied to blocks that ask for it */
    int nesterov;          /**< 0: classical momentum; 1: Nesterov momentum */
} udl_sgd_params;

/** learning_rate 0.1, momentum 0.9, weight_decay 0, classical momentum. */
UDL_API udl_sgd_params udl_sgd_params_default(void);

/** Checks every field.
 * @return UDL_OK, or UDL_EINVAL with a sentence naming the bad field. */
UDL_API udl_status udl_sgd_params_check(const udl_sgd_params *params);

/** One step on a parameter block of n values and its velocity (same length, zero at
 * the start of training). With g = grad + weight_decay * param (decay only when
 * decay != 0, so biases can be left undecayed):
 * @verbatim
   classical: v <- momentum * v - lr * g;  param <- param + v
   Nesterov:  v <- momentum * v - lr * g;  param <- param + momentum * v - lr * g
   @endverbatim
 * (Sutskever et al. 2013, in the form that evaluates the gradient at param). */
UDL_API udl_status udl_sgd_step(const udl_sgd_params *params, double *param,
                                double *velocity, const double *grad, size_t n,
                                int decay);

/** How the learning rate falls over the epochs. */
typedef enum udl_decay {
    UDL_DECAY_NONE = 0,       /**< the same rate every epoch */
    UDL_DECAY_STEP = 1,       /**< times decay_rate every decay_every epochs */
    UDL_DECAY_EXPONENTIAL = 2 /**< times decay_rate every epoch */
} udl_decay;

/** The training parameters every trainable model's params embed (as .train). Epochs are
 * counted over the model's life, so a schedule carries on across calls to train; the
 * optimizer's velocities start from zero at each call. */
typedef struct udl_train_params {
    size_t epochs;         /**< epochs each call to train runs, >= 1 */
    size_t batch_size;     /**< rows per mini-batch, 1..2^20 */
    udl_sgd_params sgd;    /**< learning rate, momentum, weight decay, Nesterov */
    uint64_t seed;         /**< initial weights, shuffling and noise */
    /** The per-epoch schedule. Momentum is warmup_momentum for the first warmup_epochs
     * epochs, then sgd.momentum (Hinton's RBM guide: 0.5 for 5 epochs, then 0.9). */
    size_t warmup_epochs;
    double warmup_momentum; /**< in [0, 1) */
    udl_decay decay;        /**< how the learning rate falls */
    double decay_rate;      /**< in (0, 1] */
    size_t decay_every;     /**< >= 1, for UDL_DECAY_STEP */
} udl_train_params;

/** 20 epochs, batches of 100, udl_sgd_params_default(), seed 1, no warm-up (momentum
 * 0.5 for 0 epochs), no decay (rate 1, every epoch). */
UDL_API udl_train_params udl_train_params_default(void);

/** Checks every field, the optimizer's included.
 * @return UDL_OK, or UDL_EINVAL with a sentence naming the bad field. */
UDL_API udl_status udl_train_params_check(const udl_train_params *params);

/** The optimizer settings the schedule gives for epoch (0 is the model's first):
 * learning_rate * decay_rate^(epoch / decay_every) for step decay (integer division),
 * learning_rate * decay_rate^epoch for exponential, never below the smallest positive
 * double, and the warm-up momentum before warmup_epochs. NULL gives
 * udl_sgd_params_default(). */
UDL_API udl_sgd_params udl_train_params_at(const udl_train_params *params, size_t epoch);

#ifdef __cplusplus
}
#endif

#endif
