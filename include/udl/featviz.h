/** @file
 * What the units of a trained model respond to (Erhan, Bengio, Courville & Vincent 2009),
 * and image grids to look at them.
 *
 * Every model with layers works through its udl_model handle: autoencoders, stacks, deep
 * autoencoders (their encoder), RBMs, deep belief nets (each RBM's upward pass) and
 * classifiers. Layers count from the input up, from 0; a unit of layer l is one of its
 * outputs, and a classifier's last layer gives the class scores before the softmax. */
#ifndef UDL_FEATVIZ_H
#define UDL_FEATVIZ_H

#include <stddef.h>
#include <stdint.h>

#include <udl/io.h>
#include <udl/matrix.h>
#include <udl/model.h>
#include <udl/optim.h>
#include <udl/rbm.h>
#include <udl/status.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The most layers a model can have; udl_featviz_layers' widths needs room for this
 * + 1. */
#define UDL_FEATVIZ_MAX_LAYERS 64
/** The number of layers and each one's width: widths[0] = the inputs, widths[l + 1] =
 * layer l's units (widths may be NULL; else it has room for UDL_FEATVIZ_MAX_LAYERS + 1).
 * UDL_EKIND for a model without layers (PCA). */
UDL_API udl_status udl_featviz_layers(const udl_model *m, size_t *n_layers, size_t *widths);

/** The first layer in closed form: among inputs of norm rho, unit j's pre-activation
 * x . W[:, j] + b_j, and so its activation, is largest at x = rho W[:, j] / |W[:, j]|
 * (a Lagrange multiplier argument). Row i of X (n x D) gets unit first_unit + i's. */
UDL_API udl_status udl_featviz_first_layer(const udl_model *m, double rho, size_t first_unit,
                                           udl_mat x);

/** The settings of gradient ascent on the input (udl_featviz_ascent). */
typedef struct udl_featviz_params {
    double norm;        /**< rho > 0: every input stays within |x| <= rho */
    int clip;           /**< 1: and within [0, 1] (images) */
    size_t steps;       /**< ascent steps, >= 1 */
    size_t restarts;    /**< random starts per unit, >= 1; the highest end is kept */
    udl_sgd_params sgd; /**< the shared optimizer's step on the gradient, which is
                             normalised to length rho: the learning rate is a fraction of
                             rho (weight decay is not used) */
    uint64_t seed;      /**< the random starts */
    double blur;        /**< > 0: the inputs are images image_width pixels wide, and the
                             random starts and every step are smoothed by a Gaussian of
                             this standard deviation in pixels, which keeps pixel noise out
                             of the result (Yosinski et al. 2015); 0: no smoothing */
    size_t image_width; /**< with blur: divides the input width D */
} udl_featviz_params;

/** rho 10 (a Fashion-MNIST image's norm is 9.6 on average), clipped to [0, 1], 200 steps,
 * 4 restarts, learning rate 0.05 with momentum 0.9, seed 1, no blur. */
UDL_API udl_featviz_params udl_featviz_params_default(void);

/** Gradient ascent on the input (Erhan et al. 2009) for units first_unit .. first_unit +
 * n - 1 of layer l, all at once: row i of X (n x D) gets the input found for unit
 * first_unit + i, and activation[i] (may be NULL) the unit's value there. Starts are
 * uniform in [0, 1] (scaled into the ball). */
UDL_API udl_status udl_featviz_ascent(const udl_model *m, size_t layer, size_t first_unit,
                                      const udl_featviz_params *params, udl_mat x,
                                      double *activation);

/** The other view Erhan et al. compare, for a deep belief net: row i's chain holds unit
 * first_unit + i of the top layer at 1 while n_steps of Gibbs sampling run in the top
 * RBM, then the visible means propagate down to the inputs. X is n x D. */
UDL_API udl_status udl_featviz_dbn_sample(const udl_dbn *dbn, size_t first_unit,
                                          size_t n_steps, uint64_t seed, udl_mat x);

/** K tiles (the rows of tiles, each h x w values, row-major) laid out cols to a row with a
 * one-pixel border, each tile scaled from its own minimum and maximum to [0, 1] (a
 * constant tile is 0.5), the border 1 (white). out gets the (rows (h + 1) + 1) x
 * (cols (w + 1) + 1) image of values in [0, 1], for the tool to write as a PNG. */
UDL_API udl_status udl_image_grid(udl_mat tiles, size_t h, size_t w, size_t cols,
                                  udl_array *out);

#ifdef __cplusplus
}
#endif

#endif
