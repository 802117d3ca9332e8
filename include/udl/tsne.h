/** @file
 * t-distributed stochastic neighbour embedding (van der Maaten & Hinton 2008;
 * Barnes-Hut: van der Maaten 2014).
 *
 * Each input point i gets a Gaussian over the others, p(j|i) ~ exp(-beta_i |x_i - x_j|^2),
 * with beta_i chosen so that the perplexity 2^H(P_i) equals the target; the joint
 * affinity is p_ij = (p(j|i) + p(i|j)) / 2N. The embedding Y minimises KL(P || Q), where
 * q_ij ~ (1 + |y_i - y_j|^2)^-1, by gradient descent with momentum and per-coordinate
 * gains. */
#ifndef UDL_TSNE_H
#define UDL_TSNE_H

#include <stddef.h>
#include <stdint.h>

#include <udl/matrix.h>
#include <udl/status.h>

#ifdef __cplusplus
extern "C" {
#endif

/** How the affinities and the gradient are computed. */
typedef enum udl_tsne_method {
    /** Exact below UDL_TSNE_EXACT_BELOW points, Barnes-Hut from there on. */
    UDL_TSNE_AUTO = 0,
    /** Dense P over all pairs and the exact gradient: O(N^2) time and memory, so it
     * refuses N > UDL_TSNE_EXACT_MAX. Any number of output dimensions. */
    UDL_TSNE_EXACT = 1,
    /** Sparse P over the 3 * perplexity nearest neighbours (vantage-point tree) and
     * repulsion summarised by a quadtree (octree in 3-D) under the theta criterion:
     * O(N log N) time, O(N) memory. 1 to 3 output dimensions. */
    UDL_TSNE_BARNES_HUT = 2
} udl_tsne_method;

/** Where UDL_TSNE_AUTO switches from exact to Barnes-Hut. Measured on a 2-core machine
 * (tests/bench/bench_tsne_crossover, 1000 steps): the exact method is the faster up to
 * N = 100, Barnes-Hut from N = 150 on. */
#define UDL_TSNE_EXACT_BELOW 128
/** The exact method keeps two N x N matrices; above this N it refuses with UDL_EINVAL. */
#define UDL_TSNE_EXACT_MAX 20000

/** Where the embedding starts. */
typedef enum udl_tsne_init {
    UDL_TSNE_INIT_PCA = 0,    /**< the first principal components, scaled so that
                                   column 0 has standard deviation 1e-4 */
    UDL_TSNE_INIT_RANDOM = 1, /**< N(0, 1e-4^2) from seed */
    UDL_TSNE_INIT_GIVEN = 2   /**< start from the values already in Y */
} udl_tsne_init;

/** The embedding's settings; start from udl_tsne_params_default(). */
typedef struct udl_tsne_params {
    size_t n_components;       /**< output dimensions: >= 1; 1..3 for Barnes-Hut */
    double perplexity;         /**< > 0 and < N */
    udl_tsne_method method;    /**< exact, Barnes-Hut, or chosen by N */
    double theta;              /**< Barnes-Hut accuracy in [0, 1]; 0 is exact */
    size_t n_iter;             /**< gradient steps in all, >= 1 */
    double early_exaggeration; /**< >= 1: P is multiplied by this... */
    size_t exaggeration_iter;  /**< ...for the first this many steps */
    double learning_rate;      /**< > 0, or 0 for "auto": max(N / exaggeration / 4, 50) */
    double momentum_early;     /**< momentum while exaggerating, in [0, 1) */
    double momentum;           /**< momentum afterwards, in [0, 1) */
    double min_gain;           /**< gains never fall below this, in (0, 1] */
    udl_tsne_init init;        /**< where Y starts */
    uint64_t seed;             /**< random initialisation and the vantage-point tree */
    size_t report_every;       /**< KL through progress every this many steps; 0: never */
} udl_tsne_params;

/** 2 dimensions, perplexity 30, method auto, theta 0.5, 1000 steps, exaggeration 12 for
 * 250 steps, learning rate auto, momentum 0.5 then 0.8, minimum gain 0.01, PCA
 * initialisation, seed 1, KL reported every 50 steps. */
UDL_API udl_tsne_params udl_tsne_params_default(void);

/** What an embedding ended with. */
typedef struct udl_tsne_result {
    double kl;              /**< KL(P || Q) at the last step: exact for the exact method,
                                 the Barnes-Hut estimate otherwise */
    size_t iterations;      /**< steps taken (fewer than n_iter when cancelled) */
    udl_tsne_method method; /**< the method that ran (never UDL_TSNE_AUTO) */
    double learning_rate;   /**< the rate used (resolved when auto) */
} udl_tsne_result;

/** Embeds the N x D data X (N >= 4, finite) into Y (N x n_components). Y is written
 * only on success or cancellation (UDL_ECANCELED leaves the embedding of the last step
 * taken); with UDL_TSNE_INIT_GIVEN it is also read. result may be NULL. Uses OpenMP
 * threads across points (OMP_NUM_THREADS); a Barnes-Hut result is the same for any
 * number of threads. Progress is called after every step with stage "tsne", the step,
 * n_iter and the latest KL divergence computed (every report_every steps; NaN before the
 * first). */
UDL_API udl_status udl_tsne_embed(const udl_tsne_params *params, udl_mat x, udl_mat y,
                                  udl_progress_fn progress, void *user,
                                  udl_tsne_result *result);

#ifdef __cplusplus
}
#endif

#endif
