/* Internal to libudl: the RBM's pieces that the deep belief net, the AIS estimator and
 * the tests use. */
#ifndef UDL_RBM_INTERNAL_H
#define UDL_RBM_INTERNAL_H

#include <udl/rbm.h>

#include "core/container.h"
#include "core/model.h"
#include "core/net.h"

#define UDLI_LOG_2PI 1.8378770664093454836 /* log(2 pi), for Gaussian units */

/* The mean reconstruction error of the batch v0 and the CD-k / PCD estimate of the
 * gradient of -log p(v0) in the net's gradient buffers (PCD: at most batch_size rows). */
udl_status udli_rbm_gradient(udl_rbm *rbm, udl_mat v0, double *loss);
/* The net behind the model: layer 0 is v -> h (W, c), layer 1 is h -> v (W^T, b). */
const udli_net *udli_rbm_net(const udl_rbm *rbm);
/* udl_rbm_sample with hidden unit clamp[i] held at 1 in row i's chain (clamp NULL: none;
 * each clamp[i] < n_hidden). */
udl_status udli_rbm_sample_clamped(const udl_rbm *rbm, udl_mat v, size_t n_steps, uint64_t seed,
                                   const size_t *clamp);
/* The deep belief net's sample with top-layer unit clamp[i] held at 1 in row i's chain. */
udl_status udli_dbn_sample_clamped(const udl_dbn *dbn, udl_mat v, size_t n_steps, uint64_t seed,
                                   const size_t *clamp);
/* "bernoulli" or "gaussian". */
const char *udli_units_name(udl_units units);

/* Model files: the fields of an RBM after the record's (container's) prefix. */
void udli_rbm_record(const udl_rbm *rbm, udli_record *r);
/* What the fields udli_rbm_record writes are. */
extern const udli_field_doc udli_rbm_field_docs[];
udl_status udli_rbm_read(udli_container *c, udl_rbm **out);

#endif
