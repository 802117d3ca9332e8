/* Internal to libudl: the autoencoder's pieces that the stacked and deep autoencoders
 * and the tests use. */
#ifndef UDL_AUTOENCODER_INTERNAL_H
#define UDL_AUTOENCODER_INTERNAL_H

#include <udl/autoencoder.h>

#include "core/container.h"
#include "core/model.h"
#include "core/net.h"

/* Mean loss of reconstructing target from input (same shape, at most batch_size rows),
 * with the gradient left in the model's gradient buffers. */
udl_status udli_ae_gradient(udl_ae *ae, udl_mat input, udl_mat target, double *loss);
/* The training loop's batch function: corrupts x with the model's noise, then
 * udli_ae_gradient(corrupted, x). */
udl_status udli_ae_batch(void *ae, udl_mat x, udl_mat y, double *loss);
/* noisy = x corrupted by the model's noise, drawing from the model's generator. */
void udli_ae_corrupt(udl_ae *ae, udl_mat x, udl_mat noisy);
/* The gradient buffers: W (D x M), b (M), c (D). */
void udli_ae_gradients(const udl_ae *ae, const double **gw, const double **gb,
                       const double **gc);
/* The net behind an autoencoder: layer 0 encodes (W, b), layer 1 decodes (W^T, c). */
const udli_net *udli_ae_net(const udl_ae *ae);
/* Input checks shared by every autoencoder: a usable, finite view with cols columns,
 * in [0, 1] for cross-entropy. */
udl_status udli_ae_check_input(udl_mat x, size_t cols, udl_loss loss, const char *name);

/* Model files: an autoencoder's fields after the record's (container's) prefix, so a
 * stack keeps one per layer. */
void udli_ae_record(const udl_ae *ae, udli_record *r);
/* What the fields udli_ae_record writes are. */
extern const udli_field_doc udli_ae_field_docs[];
udl_status udli_ae_read(udli_container *c, udl_ae **out);

/* For the tests: the deep autoencoder's mean loss and gradient on a batch of at most
 * batch_size rows, and layer l's weights, biases and their gradients. */
udl_status udli_deep_ae_gradient(udl_deep_ae *deep, udl_mat x, double *loss);
void udli_deep_ae_layer(udl_deep_ae *deep, size_t l, double **w, double **b, double **gw,
                        double **gb);

#endif
