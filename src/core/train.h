/* Internal: the one mini-batch training loop every trainable model uses. A model
 * supplies its parameter blocks and a function that computes the mean loss of a batch
 * and writes the gradient into the blocks' grad arrays; the loop does the rest. */
#ifndef UDL_CORE_TRAIN_H
#define UDL_CORE_TRAIN_H

#include <stddef.h>

#include <udl/matrix.h>
#include <udl/optim.h>
#include <udl/status.h>

#include "core/container.h"
#include "core/rng.h"

/* Limits every model's training parameters share. */
#define UDL_MAX_EPOCHS 1000000000000000ULL
#define UDL_MAX_BATCH (1 << 20)

typedef struct udli_param_block {
    double *param;    /* n values the optimizer updates */
    double *velocity; /* n values, the optimizer's state */
    double *grad;     /* n values, written by the gradient function */
    size_t n;
    int decay;        /* apply the optimizer's weight decay (weights: 1, biases: 0) */
} udli_param_block;

/* Mean loss of the batch (rows of x, and of y when the model has targets) and its
 * gradient in every block's grad. May return a failure, which stops training. */
typedef udl_status (*udli_batch_fn)(void *model, udl_mat x, udl_mat y, double *loss);

/* A model's training history: the mean loss of each epoch it has trained. Its length is
 * the model's epoch count, which the schedule follows. */
typedef struct udli_history {
    double *loss;
    size_t n, cap;
} udli_history;

/* Called after each epoch with its progress report, before the callback sees it: may
 * fill the validation fields and set *stop to end training there (early stopping). A
 * failure stops training with that status and takes the epoch back: its parameters,
 * generator and history entry return to the epoch's start. */
typedef udl_status (*udli_epoch_fn)(void *model, udl_progress *report, int *stop);

typedef struct udli_train_spec {
    udl_mat x;              /* N x D training inputs */
    udl_mat y;              /* N x C targets, or a view with no columns */
    udl_train_params params;
    udli_param_block *blocks;
    size_t n_blocks;
    udli_batch_fn batch;
    void *model;
    udli_rng *rng;           /* the model's generator: shuffles the rows each epoch */
    const char *stage;      /* named in progress reports */
    udl_progress_fn progress;
    void *user;
    udli_history *history;   /* optional: each epoch's mean batch loss is appended */
    udli_epoch_fn epoch_end; /* optional */
    const size_t *subset;   /* optional: train on these n_subset rows of x only (the rest
                               held out for validation) */
    size_t n_subset;
} udli_train_spec;

/* Runs params.epochs epochs of shuffled mini-batches (the last batch of an epoch may be
 * smaller), one optimizer step per batch on every block, with the learning rate and
 * momentum the schedule gives for each epoch of the model's life (history->n onwards).
 * Progress is reported after each batch (batch of batches) and after each epoch with its
 * mean loss. Stops with UDL_ECANCELED when progress asks: after an epoch, keeping it;
 * within one, with the parameters of its start (a model holds whole epochs), and with
 * UDL_ENUMERIC when a batch loss is NaN or infinite, or an epoch ends with a parameter
 * that is, after restoring the parameters of the start of that epoch. A batch
 * function's failure (UDL_ENOMEM) restores them too, and every stop within an epoch puts
 * the generator back where the epoch began. The velocities start from zero.
 * *epochs_done (optional) says how many epochs completed. */
udl_status udli_train(const udli_train_spec *spec, size_t *epochs_done);

void udli_history_free(udli_history *h);
/* Appends one epoch's value, growing by doubling. */
udl_status udli_history_append(udli_history *h, double value);
/* Model files: the history as the 1 x n matrix name ("history" for the training loss). */
void udli_history_record(const udli_history *h, const char *name, udli_record *r);
udl_status udli_history_read(const udli_container *c, const char *name, udli_history *h);

/* The generator of a model loaded from a file: seeded from its seed and epoch count, so
 * continued training draws fresh, but repeatable, numbers. */
void udli_rng_seed_resumed(udli_rng *rng, uint64_t seed, size_t epochs_trained);

/* Model files: the training parameters as named fields. Reading checks them with
 * udl_train_params_check (UDL_EFORMAT naming the bad field); in a format-1 file, whose
 * info matrix the model has upgraded, the schedule is absent and left at its default. */
void udli_train_params_record(const udl_train_params *p, udli_record *r);
udl_status udli_train_params_read(const udli_container *c, udl_train_params *p);
/* The format-1 names of the training parameters, in the order models stored them. */
#define UDL_TRAIN_V1_NAMES "epochs", "batch_size", "learning_rate", "momentum", \
    "weight_decay", "nesterov", "seed_hi", "seed_lo"

#endif
