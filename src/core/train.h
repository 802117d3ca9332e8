/* Internal: the one mini-batch training loop every trainable model uses. A model
 * supplies its parameter blocks and a function that computes the mean loss of a batch
 * and writes the gradient into the blocks' grad arrays; the loop does the rest. */
#ifndef UDL_CORE_TRAIN_H
#define UDL_CORE_TRAIN_H

#include <stddef.h>

#include <udl/matrix.h>
#include <udl/optim.h>
#include <udl/status.h>

#include "core/rng.h"

typedef struct udl_param_block {
    double *param;    /* n values the optimizer updates */
    double *velocity; /* n values, the optimizer's state */
    double *grad;     /* n values, written by the gradient function */
    size_t n;
    int decay;        /* apply the optimizer's weight decay (weights: 1, biases: 0) */
} udl_param_block;

/* Mean loss of the batch (rows of x, and of y when the model has targets) and its
 * gradient in every block's grad. May return a failure, which stops training. */
typedef udl_status (*udl_batch_fn)(void *model, udl_mat x, udl_mat y, double *loss);

typedef struct udl_train_spec {
    udl_mat x;              /* N x D training inputs */
    udl_mat y;              /* N x C targets, or a view with no columns */
    size_t epochs, batch_size;
    udl_sgd_params sgd;
    udl_param_block *blocks;
    size_t n_blocks;
    udl_batch_fn batch;
    void *model;
    udl_rng *rng;           /* the model's generator: shuffles the rows each epoch */
    const char *stage;      /* named in progress reports */
    udl_progress_fn progress;
    void *user;
    double *epoch_loss;     /* optional, epochs values: mean batch loss of each epoch */
} udl_train_spec;

/* Runs spec->epochs epochs of shuffled mini-batches (the last batch of an epoch may be
 * smaller), one optimizer step per batch on every block. Progress is reported after each
 * epoch with its mean loss. Stops with UDL_ECANCELED when progress asks (after the
 * epoch that just finished: the model is valid), and with UDL_ENUMERIC when a batch loss
 * is NaN or infinite, after restoring the parameters of the start of that epoch. The
 * velocities start from zero. *epochs_done (optional) says how many epochs completed. */
udl_status udl_train(const udl_train_spec *spec, size_t *epochs_done);

#endif
