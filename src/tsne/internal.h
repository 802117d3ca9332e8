/* Internal to libudl: the pieces of t-SNE, exposed to the tests. */
#ifndef UDL_TSNE_INTERNAL_H
#define UDL_TSNE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <udl/tsne.h>

/* A sparse symmetric joint P in compressed rows: row i holds col[row[i] .. row[i+1])
 * with values val[...], columns ascending, no diagonal. 32-bit columns, because every
 * gradient step streams P from memory. */
typedef struct tsne_csr {
    size_t n;
    size_t *row;
    uint32_t *col;
    double *val;
} tsne_csr;

void tsne_csr_free(tsne_csr *p);

/* Sets p[0..k) to the Gaussian conditional exp(-beta d2[j]) / sum whose perplexity
 * exp(H) matches perplexity, H in nats, found by bisection on beta to |H - log
 * perplexity| < 1e-5 (or 200 steps, when the target cannot be reached, as with k
 * equal distances and perplexity > k). p must not overlap d2. Returns beta. */
double tsne_calibrate_row(const double *d2, size_t k, double perplexity, double *p);

/* The k nearest neighbours of every row of x (excluding itself) by a vantage-point tree
 * whose vantage points come from seed: idx (n x k) ascending by distance (ties by
 * index), d2 (n x k) their squared Euclidean distances. k < n. */
udl_status tsne_knn(udl_mat x, size_t k, uint64_t seed, size_t *idx, double *d2);

/* The joint P over all pairs (n x n, zero diagonal, sums to 1). */
udl_status tsne_p_dense(udl_mat x, double perplexity, double *p);
/* The joint P over the min(n - 1, floor(3 perplexity + 1)) nearest neighbours;
 * n < 2^31 (udl_tsne_embed checks). */
udl_status tsne_p_sparse(udl_mat x, double perplexity, uint64_t seed, tsne_csr *p);

/* Workspace of the exact gradient: an n x n matrix. */
typedef struct tsne_exact {
    size_t n;
    double *num, *sq;
} tsne_exact;

/* Workspace of the Barnes-Hut gradient: the space-partitioning tree, rebuilt each
 * step, and per-point repulsion. */
typedef struct tsne_bh tsne_bh;

udl_status tsne_exact_init(tsne_exact *w, size_t n);
void tsne_exact_free(tsne_exact *w);
udl_status tsne_bh_create(size_t n, size_t dims, tsne_bh **out);
void tsne_bh_free(tsne_bh *w);

/* grad (n x dims, dense) of KL(exaggeration * P || Q) at y (n x dims, dense). With kl
 * non-NULL, also KL(P || Q) for the unexaggerated P: exact here... */
void tsne_grad_exact(tsne_exact *w, const double *p, double exaggeration, const double *y,
                     size_t dims, double *grad, double *kl);
/* ...and estimated with the Barnes-Hut Z here. theta 0 gives the exact gradient of the
 * same sparse P. */
udl_status tsne_grad_bh(tsne_bh *w, const tsne_csr *p, double exaggeration, const double *y,
                        double theta, double *grad, double *kl);

#endif
