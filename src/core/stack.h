/* Internal: greedy layer-wise training of a stack of models (Bengio et al. 2007; Hinton,
 * Osindero & Teh 2006), each trained on the codes of the one below, and encoding up
 * through the stack. The stacked autoencoder and the deep belief net are both this,
 * with their own layer type. */
#ifndef UDL_CORE_STACK_H
#define UDL_CORE_STACK_H

#include <stddef.h>

#include <udl/matrix.h>
#include <udl/status.h>

typedef struct udli_stack_ops {
    udl_status (*train)(void *layer, udl_mat x, udl_progress_fn progress, void *user);
    udl_status (*encode)(const void *layer, udl_mat x, udl_mat z);
    size_t (*n_codes)(const void *layer);
    const char *what; /* for the buffers' out-of-memory sentence */
} udli_stack_ops;

/* Trains layers[0] on x, then each next layer on the codes of the one below. */
udl_status udli_stack_train(void *const *layers, size_t n, const udli_stack_ops *ops, udl_mat x,
                            udl_progress_fn progress, void *user);
/* z = x encoded up through every layer. */
udl_status udli_stack_encode(void *const *layers, size_t n, const udli_stack_ops *ops, udl_mat x,
                             udl_mat z);

#endif
