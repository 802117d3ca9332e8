/* udl/optim.h: the one optimizer, stochastic gradient descent with momentum, that
 * updates every trainable udl model. */
#ifndef UDL_OPTIM_H
#define UDL_OPTIM_H

#include <stddef.h>

#include <udl/status.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct udl_sgd_params {
    double learning_rate;  /* > 0 */
    double momentum;       /* in [0, 1) */
    double weight_decay;   /* L2 coefficient >= 0, applied to blocks that ask for it */
    int nesterov;          /* 0: classical momentum; 1: Nesterov momentum */
} udl_sgd_params;

/* learning_rate 0.1, momentum 0.9, weight_decay 0, classical momentum. */
UDL_API udl_sgd_params udl_sgd_params_default(void);

/* UDL_OK, or UDL_EINVAL with a sentence naming the bad field. */
UDL_API udl_status udl_sgd_params_check(const udl_sgd_params *params);

/* One step on a parameter block of n values and its velocity (same length, zero at
 * the start of training). With g = grad + weight_decay * param (decay only when
 * decay != 0, so biases can be left undecayed):
 *   classical: v <- momentum * v - lr * g;  param <- param + v
 *   Nesterov:  v <- momentum * v - lr * g;  param <- param + momentum * v - lr * g
 * (Sutskever et al. 2013, in the form that evaluates the gradient at param). */
UDL_API udl_status udl_sgd_step(const udl_sgd_params *params, double *param,
                                double *velocity, const double *grad, size_t n,
                                int decay);

#ifdef __cplusplus
}
#endif

#endif
