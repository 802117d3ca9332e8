/* Internal: a stack of models trained greedily, layer by layer (Bengio et al. 2007;
 * Hinton, Osindero & Teh 2006), each on the codes of the one below; encoding up
 * through the stack; its file (n_layers and each layer's fields under "L<i>."); and one
 * set of training parameters for every layer. The stacked autoencoder and the deep belief
 * net are both this, with their own layer type. */
#ifndef UDL_CORE_STACK_H
#define UDL_CORE_STACK_H

#include <stddef.h>

#include <udl/matrix.h>
#include <udl/optim.h>
#include <udl/status.h>

#include "core/container.h"

#define UDLI_STACK_MAX 32

typedef struct udli_stack_ops {
    udl_status (*train)(void *layer, udl_mat x, udl_progress_fn progress, void *user);
    udl_status (*encode)(const void *layer, udl_mat x, udl_mat z);
    size_t (*n_inputs)(const void *layer);
    size_t (*n_codes)(const void *layer);
    void (*record)(const void *layer, udli_record *r);
    udl_status (*read)(udli_container *c, void **layer);
    void (*free)(void *layer);
    /* layer's training parameters replaced by params; UDL_EINVAL leaves it unchanged */
    udl_status (*set_train)(void *layer, const udl_train_params *params);
    /* What else a file's layer above must agree with in the one below (the widths are
     * checked here); NULL when nothing. */
    udl_status (*check_pair)(const void *below, const void *above, size_t i, const char *path);
    const char *what; /* "stacked autoencoder", for sentences */
} udli_stack_ops;

/* Trains layers[0] on x, then each next layer on the codes of the one below. */
udl_status udli_stack_train(void *const *layers, size_t n, const udli_stack_ops *ops, udl_mat x,
                            udl_progress_fn progress, void *user);
/* z = x encoded up through every layer. */
udl_status udli_stack_encode(void *const *layers, size_t n, const udli_stack_ops *ops, udl_mat x,
                             udl_mat z);

/* The stack's fields: "n_layers", then each layer's under the prefix "L<i>.". */
void udli_stack_record(void *const *layers, size_t n, const udli_stack_ops *ops,
                       udli_record *r);
/* Reads them back into layers (UDLI_STACK_MAX of room), checking that each layer takes
 * the width the one below gives; on failure nothing is left allocated. */
udl_status udli_stack_read(udli_container *c, const udli_stack_ops *ops, void **layers,
                           size_t *n);

/* Every layer gets params, layer i with the seed params->seed + i. */
udl_status udli_stack_set_train(void *const *layers, size_t n, const udli_stack_ops *ops,
                                const udl_train_params *params);

#endif
