/* Internal to libudl: the autoencoder's pieces that the stacked and deep autoencoders
 * and the tests use. */
#ifndef UDL_AUTOENCODER_INTERNAL_H
#define UDL_AUTOENCODER_INTERNAL_H

#include <udl/autoencoder.h>

#include "core/container.h"

/* Mean loss of reconstructing target from input (same shape, at most batch_size rows),
 * with the gradient left in the model's gradient buffers. */
udl_status udl_ae_gradient(udl_ae *ae, udl_mat input, udl_mat target, double *loss);
/* The training loop's batch function: corrupts x with the model's noise, then
 * udl_ae_gradient(corrupted, x). */
udl_status udl_ae_batch(void *ae, udl_mat x, udl_mat y, double *loss);
/* noisy = x corrupted by the model's noise, drawing from the model's generator. */
void udl_ae_corrupt(udl_ae *ae, udl_mat x, udl_mat noisy);
/* The loss of output pre-activations a against the targets x, summed over rows: from
 * the logits for cross-entropy, softplus(a) - x a, so it stays finite when the sigmoid
 * saturates; squared error of sigmoid(a) (or of a itself when linear). With delta
 * non-NULL, also d(loss)/d(a) / scale into delta. Shared by every autoencoder. */
double udl_ae_output_loss(udl_ae_loss loss, int linear, udl_mat a, udl_mat x,
                          udl_mat *delta, double scale);
/* Input checks shared by every autoencoder: a usable, finite view with `cols` columns,
 * in [0, 1] for cross-entropy; and an output view of x.rows x cols. */
udl_status udl_ae_check_input(udl_mat x, size_t cols, udl_ae_loss loss, const char *name);
udl_status udl_ae_check_output(udl_mat x, udl_mat out, size_t cols, const char *name);
/* The gradient buffers: W (D x M), b (M), c (D). */
void udl_ae_gradients(const udl_ae *ae, const double **gw, const double **gb,
                      const double **gc);

/* Model files: the blocks that store ae are named prefix + "info", "W", "b", "c",
 * "history", so a stack can keep several in one file. names (UDL_AE_BLOCKS x 64 chars)
 * and info (UDL_AE_INFO_LEN doubles) are storage the blocks point to. */
enum { UDL_AE_BLOCKS = 5, UDL_AE_INFO_LEN = 14 };
void udl_ae_to_blocks(const udl_ae *ae, const char *prefix, char names[][64], double *info,
                      udl_block *blocks);
udl_status udl_ae_from_container(const udl_container *c, const char *prefix, const char *path,
                                 udl_ae **out);

/* For the tests: the deep autoencoder's mean loss and gradient on a batch of at most
 * batch_size rows, and layer l's weights, biases and their gradients. */
udl_status udl_deep_ae_gradient(udl_deep_ae *deep, udl_mat x, double *loss);
void udl_deep_ae_layer(udl_deep_ae *deep, size_t l, double **w, double **b, double **gw,
                       double **gb);

#endif
