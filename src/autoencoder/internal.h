/* Internal to libudl: the autoencoder's pieces that the stacked and deep autoencoders
 * and the tests use. */
#ifndef UDL_AUTOENCODER_INTERNAL_H
#define UDL_AUTOENCODER_INTERNAL_H

#include <udl/autoencoder.h>

/* Mean loss of reconstructing target from input (same shape, at most batch_size rows),
 * with the gradient left in the model's gradient buffers. */
udl_status udl_ae_gradient(udl_ae *ae, udl_mat input, udl_mat target, double *loss);
/* The training loop's batch function: corrupts x with the model's noise, then
 * udl_ae_gradient(corrupted, x). */
udl_status udl_ae_batch(void *ae, udl_mat x, udl_mat y, double *loss);
/* noisy = x corrupted by the model's noise, drawing from the model's generator. */
void udl_ae_corrupt(udl_ae *ae, udl_mat x, udl_mat noisy);
/* The gradient buffers: W (D x M), b (M), c (D). */
void udl_ae_gradients(const udl_ae *ae, const double **gw, const double **gb,
                      const double **gc);

#endif
