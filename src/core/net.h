/* Internal: the one dense-network engine. A feed-forward stack of layers
 * y_l = f_l(y_{l-1} W_l + b_l); every model with layers (the autoencoders, the deep
 * autoencoder, and the classifier and attacks to come) runs its forward and backward
 * passes here, and every product goes through udl_gemm.
 *
 * A layer may be tied to an earlier one: it then uses that layer's weights transposed
 * (the decoder of a tied autoencoder, an RBM's downward pass) and has only its own
 * bias; the gradients of both uses add up in the shared weights. */
#ifndef UDL_CORE_NET_H
#define UDL_CORE_NET_H

#include <stddef.h>

#include <udl/loss.h>
#include <udl/matrix.h>

#include "core/container.h"
#include "core/rng.h"
#include "core/train.h"

#define UDL_NET_MAX_LAYERS 64
/* The widest layer any model may have (2^24 units), so sizes and their sums never
 * overflow. */
#define UDL_MAX_WIDTH (1u << 24)

typedef struct udli_net {
    size_t n_layers;
    size_t sizes[UDL_NET_MAX_LAYERS + 1]; /* layer l maps sizes[l] inputs to sizes[l+1] */
    udl_activation act[UDL_NET_MAX_LAYERS];
    int tied[UDL_NET_MAX_LAYERS];         /* -1, or the layer whose W this one uses as W^T */
    /* Layer l: W (sizes[l] x sizes[l+1]; NULL when tied), b, their velocities and
     * gradients. */
    double *w[UDL_NET_MAX_LAYERS], *b[UDL_NET_MAX_LAYERS];
    double *vw[UDL_NET_MAX_LAYERS], *vb[UDL_NET_MAX_LAYERS];
    double *gw[UDL_NET_MAX_LAYERS], *gb[UDL_NET_MAX_LAYERS];
    double *storage;
} udli_net;

/* A net of n_layers layers with zero parameters. act[l] is each layer's activation
 * (softmax only on the last); tied may be NULL (no tied layers). UDL_EINVAL names the
 * bad layer. */
udl_status udli_net_create(const size_t *sizes, const udl_activation *act, const int *tied,
                           size_t n_layers, udli_net **out);
void udli_net_free(udli_net *net);

/* A new net whose layer i is a copy of layer layers[i] of nets[i] (i < n), untied (a
 * tied layer's transposed weights are written out), with its activation: a model's
 * layers from the input up, for code that works on any model with layers. */
udl_status udli_net_gather(const udli_net *const *nets, const size_t *layers, size_t n,
                           udli_net **out);

/* Layer l's weights as a view (sizes[l] x sizes[l+1]), or of the layer it is tied to
 * (sizes[l+1] x sizes[l], used transposed). */
udl_mat udli_net_weights(const udli_net *net, size_t l);

/* The parameter blocks for the training loop: for each layer its W (with weight decay)
 * unless tied, then its b. blocks holds 2 * n_layers; returns how many were filled. */
size_t udli_net_blocks(udli_net *net, udli_param_block *blocks);

/* Activations of every layer for batches of up to rows rows, and two delta buffers;
 * sized once, then used for every batch. */
typedef struct udli_net_ws {
    size_t rows;
    double *act[UDL_NET_MAX_LAYERS + 1]; /* act[l + 1]: the output of layer l */
    double *delta[2];
    double *storage;
    /* Dropout: when mask[l] is set, layer l takes its input times mask[l] (0, or
     * 1 / keep so that the expected input is unchanged and prediction needs no
     * rescaling), kept in dropped[l] for the backward pass. */
    double drop[UDL_NET_MAX_LAYERS];
    double *mask[UDL_NET_MAX_LAYERS], *dropped[UDL_NET_MAX_LAYERS];
    double *drop_storage;
} udli_net_ws;

udl_status udli_net_ws_alloc(const udli_net *net, size_t rows, udli_net_ws *ws);
void udli_net_ws_free(udli_net_ws *ws);

/* Dropout for training (Srivastava et al. 2014): drop[l] in [0, 1) is the probability
 * that an input of layer l is dropped (0: none). Allocates the masks for ws->rows rows. */
udl_status udli_net_ws_dropout(const udli_net *net, udli_net_ws *ws, const double *drop);
/* New masks for a batch of rows rows: each input kept with probability 1 - drop[l]. */
void udli_net_dropout_draw(const udli_net *net, udli_net_ws *ws, size_t rows, udli_rng *rng);

/* Runs x (at most ws->rows rows) through layers [0, upto) and returns the output of
 * layer upto - 1: its activations, except that the last layer of the net gives its
 * pre-activations, which the losses take. upto == 0 gives x. The dropout masks, when
 * the workspace has them, apply to every layer's input. */
udl_mat udli_net_forward(const udli_net *net, udli_net_ws *ws, udl_mat x, size_t upto);

/* One layer on its own: out = in W_l + b_l, through the layer's activation when act is
 * set (pre-activations otherwise). For models that run layers out of order: an RBM's
 * Gibbs chain goes up and down its two tied layers. */
void udli_net_layer(const udli_net *net, size_t l, udl_mat in, udl_mat out, int act);

/* After udli_net_forward(net, ws, x, upto): backpropagates dtop, the gradient of some
 * function with respect to what forward returned (x.rows x sizes[upto]), writing the
 * gradient of every parameter of layers [0, upto) into gw and gb and, when dx is not
 * NULL, the gradient with respect to x into *dx. dtop may be ws->delta[0] (where the
 * loss is written); it is overwritten. */
void udli_net_backward(udli_net *net, udli_net_ws *ws, udl_mat x, size_t upto, udl_mat dtop,
                       udl_mat *dx);

/* The same, but only the gradient with respect to x, into dx; the net is not written
 * (for attacks and feature visualization on a model they must not change). */
void udli_net_input_gradient(const udli_net *net, udli_net_ws *ws, udl_mat x, size_t upto,
                             udl_mat dtop, udl_mat dx);

/* A view of the first delta buffer, for a loss to write its delta into. */
udl_mat udli_net_delta(const udli_net_ws *ws, size_t rows, size_t cols);

/* out = the last layer's activation applied to its pre-activations a. */
void udli_net_activate_output(const udli_net *net, udl_mat a, udl_mat out);

/* Rows per pass outside training: bounds the scratch memory. */
#define UDLI_NET_BLOCK_ROWS 1024

/* Runs x through layers [0, upto) in blocks of at most UDLI_NET_BLOCK_ROWS rows and hands
 * each block's rows (starting at row first of x) and the output of layer upto - 1 (as
 * forward returns it) to fn. */
typedef void (*udli_net_block_fn)(const udli_net *net, udl_mat xb, udl_mat top, size_t first,
                                  void *user);
udl_status udli_net_each_block(const udli_net *net, udl_mat x, size_t upto,
                               udli_net_block_fn fn, void *user);

/* Runs x through layers [0, upto) in blocks of rows and writes the output of layer
 * upto - 1 into out (x.rows x sizes[upto]); for the last layer, its activations when
 * activate is set, else its pre-activations. */
udl_status udli_net_apply(const udli_net *net, udl_mat x, size_t upto, int activate, udl_mat out);

/* The loss of the net's output on x against targets t (same rows), summed over rows. */
udl_status udli_net_loss(const udli_net *net, udl_loss loss, udl_mat x, udl_mat t, double *sum);

/* Model files: the layers as fields "layers", "act<l>", "tied<l>" (0, or 1 + the layer
 * tied to) and matrices "W<l>" (untied layers) and "b<l>", after the record's or
 * container's prefix. Reading takes the sizes from the matrices' shapes and checks every
 * shape, activation, tie and value; a format-1 file has no act<l> or tied<l> fields,
 * and its layers get v1_act[l] (NULL: refuse such a file) and no ties. */
void udli_net_record(const udli_net *net, udli_record *r);
udl_status udli_net_read(const udli_container *c, const udl_activation *v1_act, udli_net **out);

#endif
