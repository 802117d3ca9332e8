/** @file
 * Matrix views, the one matrix product and the one symmetric eigendecomposition every
 * model uses. */
#ifndef UDL_MATRIX_H
#define UDL_MATRIX_H

#include <stddef.h>

#include <udl/status.h>

#ifdef __cplusplus
extern "C" {
#endif

/** A row-major view of doubles: element (i, j) is data[i * ld + j], ld >= cols.
 * A view never owns its memory, so a caller's (or NumPy's) buffer is used as is. */
typedef struct udl_mat {
    double *data;           /**< element (0, 0); not owned */
    size_t rows, cols, ld;  /**< the leading dimension: elements from a row to the next,
                                 >= cols */
    /** @var udl_mat::rows
     * the number of rows (samples) */
    /** @var udl_mat::cols
     * the number of columns (features) */
} udl_mat;

/** A view of a dense rows x cols buffer (ld = cols). */
UDL_API udl_mat udl_mat_view(double *data, size_t rows, size_t cols);

/** Rows [first, first + count) of m, sharing its memory. count is clipped to m.rows. */
UDL_API udl_mat udl_mat_rows(udl_mat m, size_t first, size_t count);

/** Whether udl_gemm uses a matrix as it is or its transpose. */
typedef enum udl_trans { UDL_NOTRANS = 0, /**< X */ UDL_TRANS = 1 /**< X^T */ } udl_trans;

/** C = alpha * op(A) op(B) + beta * C, op(X) = X or X^T, through cblas_dgemm.
 * Shapes are checked: op(A) is m x k, op(B) is k x n, C is m x n. With beta == 0,
 * C need not be initialised. C must not overlap A or B. */
UDL_API udl_status udl_gemm(udl_trans trans_a, udl_trans trans_b, double alpha,
                            udl_mat a, udl_mat b, double beta, udl_mat c);

/** Eigendecomposition of the symmetric n x n matrix A (only its lower triangle is read)
 * through LAPACKE_dsyevd. On success A holds the eigenvectors in its columns and
 * eigenvalues[0..n) the eigenvalues, both in descending order of eigenvalue. */
UDL_API udl_status udl_syevd(udl_mat a, double *eigenvalues);

#ifdef __cplusplus
}
#endif

#endif
