/** @file
 * Principal component analysis by covariance and symmetric eigendecomposition.
 * Z = (X - mean) Q_k, where the columns of Q_k are the k eigenvectors of the covariance
 * of X with the largest eigenvalues; the first columns of Z carry the most variance, and
 * X^ = Z Q_k^T + mean is the best rank-k reconstruction in squared error. */
#ifndef UDL_PCA_H
#define UDL_PCA_H

#include <stddef.h>

#include <udl/matrix.h>
#include <udl/status.h>

#ifdef __cplusplus
extern "C" {
#endif

/** A PCA model (opaque), fitted or not. */
typedef struct udl_pca udl_pca;

/** What to keep, and whether to whiten. */
typedef struct udl_pca_params {
    /** Components to keep, 1..min(N, D). 0 chooses the smallest k whose cumulative
     * explained variance ratio reaches variance_fraction. */
    size_t n_components;
    double variance_fraction; /**< in (0, 1]; used only when n_components == 0 */
    int whiten;               /**< 1: transform gives unit-variance outputs */
} udl_pca_params;

/** n_components 2, variance_fraction 0.95 (unused while n_components > 0), no whitening. */
UDL_API udl_pca_params udl_pca_params_default(void);

/** A new, unfitted model; params are checked (UDL_EINVAL naming the bad field). */
UDL_API udl_status udl_pca_create(const udl_pca_params *params, udl_pca **out);
/** Frees the model; NULL is a no-op. */
UDL_API void udl_pca_free(udl_pca *pca);

/** Fits to the N x D data X (N >= 2, all finite). On any failure, including
 * cancellation by progress, the model keeps the fit it had before. */
UDL_API udl_status udl_pca_fit(udl_pca *pca, udl_mat x, udl_progress_fn progress, void *user);

/** Chunked fit for data larger than memory: feed row blocks in any sizes with
 * partial_fit, then finish. One pass; each block's mean and scatter are merged into
 * the running ones (Chan, Golub & LeVeque 1979), which equals the in-memory fit to
 * rounding. The model's current fit stays usable until finish succeeds. */
UDL_API udl_status udl_pca_partial_fit(udl_pca *pca, udl_mat chunk);
/** Ends a chunked fit (udl_pca_partial_fit): the eigendecomposition of the merged
 * scatter becomes the model's fit. */
UDL_API udl_status udl_pca_finish(udl_pca *pca);

/** Z (N x k) = (X - mean) Q_k, divided by sqrt(eigenvalue) per column when whitening. */
UDL_API udl_status udl_pca_transform(const udl_pca *pca, udl_mat x, udl_mat z);
/** X^ (N x D) from Z (N x k): the inverse of transform on the kept subspace. */
UDL_API udl_status udl_pca_inverse_transform(const udl_pca *pca, udl_mat z, udl_mat x);
/** Mean over rows of ||x - x^||^2, x^ the rank-k reconstruction. On the training data
 * this equals the sum of the discarded eigenvalues. */
UDL_API udl_status udl_pca_reconstruction_error(const udl_pca *pca, udl_mat x, double *error);

/** The parameters the model was created (or loaded) with; after a fit by
 * variance_fraction, n_components says the k that was chosen. */
UDL_API udl_pca_params udl_pca_get_params(const udl_pca *pca);

/** 1 once fitted. The arrays below are NULL before that; they stay valid until the next
 * successful fit, finish or free. */
UDL_API int udl_pca_is_fitted(const udl_pca *pca);
/** k, the components kept by the fit. */
UDL_API size_t udl_pca_n_components(const udl_pca *pca);
/** D, the columns of the data the model was fitted to. */
UDL_API size_t udl_pca_n_features(const udl_pca *pca);
/** k x D, one component per row, each of unit length with its largest-magnitude entry
 * positive (a sign convention that makes results repeat). */
UDL_API const double *udl_pca_components(const udl_pca *pca);
/** All D eigenvalues of the covariance (X - mean)^T (X - mean) / N, descending. */
UDL_API const double *udl_pca_eigenvalues(const udl_pca *pca);
/** All D explained variance ratios, eigenvalue / sum of eigenvalues. */
UDL_API const double *udl_pca_explained_variance_ratio(const udl_pca *pca);
/** The D feature means. */
UDL_API const double *udl_pca_mean(const udl_pca *pca);

/** Writes the model file through the udl container; the file appears whole or not at
 * all. */
UDL_API udl_status udl_pca_save(const udl_pca *pca, const char *path);
/** Reads a model file written by udl_pca_save, checking every block; UDL_EKIND for a
 * model file of another kind. */
UDL_API udl_status udl_pca_load(const char *path, udl_pca **out);

#ifdef __cplusplus
}
#endif

#endif
