/* PCA fit on Fashion-MNIST train (60000 x 784 -> 50 components), against the time of
 * the same gemm and syevd calls measured alone in this process.
 * usage: bench_pca [IMAGES] [REPEATS] */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <udl/udl.h>

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* The products udl_pca_fit makes, alone: for each block of 4096 centred rows, the
 * panels of C^T C on and below the diagonal (see src/pca/pca.c, BLOCK_ROWS and PANEL). */
static udl_status fit_products(const double *xc, size_t n, size_t d, double *scatter)
{
    const size_t block = 4096, panel = 196; /* keep equal to pca.c */
    udl_status s = UDL_OK;
    for (size_t r0 = 0; r0 < n && !s; r0 += block) {
        size_t rows = n - r0 < block ? n - r0 : block;
        for (size_t i0 = 0; i0 < d; i0 += panel)
            for (size_t j0 = 0; j0 <= i0 && !s; j0 += panel) {
                size_t wi = d - i0 < panel ? d - i0 : panel, wj = d - j0 < panel ? d - j0 : panel;
                udl_mat ci = {(double *)xc + r0 * d + i0, rows, wi, d};
                udl_mat cj = {(double *)xc + r0 * d + j0, rows, wj, d};
                udl_mat sc = {scatter + i0 * d + j0, wi, wj, d};
                s = udl_gemm(UDL_TRANS, UDL_NOTRANS, 1.0, ci, cj, 1.0, sc);
            }
    }
    return s;
}

static int fail(udl_status s)
{
    fprintf(stderr, "bench_pca: %s: %s\n", udl_status_str(s), udl_last_error());
    return 1;
}

int main(int argc, char **argv)
{
    const char *images = argc > 1 ? argv[1]
                                   : "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz";
    int repeats = argc > 2 ? atoi(argv[2]) : 3;
    const size_t k = 50;
    udl_array x;
    udl_status s = udl_data_read(images, 0, &x);
    if (s)
        return fail(s);
    const size_t n = x.rows, d = x.cols;

    /* The fit's own heavy calls, alone: the scatter product of centred data and the
     * eigendecomposition of a d x d symmetric matrix. */
    double *xc = malloc(n * d * sizeof(double)), *scatter = malloc(d * d * sizeof(double));
    double *work = malloc(d * d * sizeof(double)), *w = malloc(d * sizeof(double));
    double *mean = calloc(d, sizeof(double));
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < d; j++)
            mean[j] += x.data[i * d + j] / (double)n;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < d; j++)
            xc[i * d + j] = x.data[i * d + j] - mean[j];
    double best_gemm = 1e30, best_syevd = 1e30, best_fit = 1e30, best_own = 1e30;
    for (int r = 0; r < repeats; r++) {
        double t0 = now();
        s = udl_gemm(UDL_TRANS, UDL_NOTRANS, 1.0 / (double)n, udl_mat_view(xc, n, d),
                     udl_mat_view(xc, n, d), 0.0, udl_mat_view(scatter, d, d));
        double t1 = now();
        if (s)
            return fail(s);
        memcpy(work, scatter, d * d * sizeof(double));
        double t2 = now();
        s = udl_syevd(udl_mat_view(work, d, d), w);
        double t3 = now();
        if (s)
            return fail(s);
        double t4 = now();
        if ((s = fit_products(xc, n, d, scatter)))
            return fail(s);
        double t5 = now();
        best_own = t5 - t4 < best_own ? t5 - t4 : best_own;
        best_gemm = t1 - t0 < best_gemm ? t1 - t0 : best_gemm;
        best_syevd = t3 - t2 < best_syevd ? t3 - t2 : best_syevd;
    }
    udl_pca_params p = udl_pca_params_default();
    p.n_components = k;
    udl_pca *pca;
    if ((s = udl_pca_create(&p, &pca)))
        return fail(s);
    for (int r = 0; r < repeats; r++) {
        double t0 = now();
        if ((s = udl_pca_fit(pca, udl_array_mat(&x), NULL, NULL)))
            return fail(s);
        double t = now() - t0;
        best_fit = t < best_fit ? t : best_fit;
    }
    double gflops = 2.0 * (double)n * (double)d * (double)d / best_gemm / 1e9;
    double total = 0.0;
    for (size_t j = 0; j < k; j++)
        total += udl_pca_explained_variance_ratio(pca)[j];
    printf("udl PCA fit, %zu x %zu -> %zu components (best of %d)\n", n, d, k, repeats);
    printf("  explained variance of %zu components: %.4f\n", k, total);
    printf("  dgemm alone (X^T X):     %8.3f s   %6.1f GFLOP/s\n", best_gemm, gflops);
    printf("  syevd alone (%zu x %zu):  %8.3f s\n", d, d, best_syevd);
    printf("  the fit's own gemm calls (block-triangular X^T X) alone: %.3f s\n", best_own);
    printf("  udl_pca_fit:             %8.3f s   = %.2f x (its own gemm + syevd calls alone), "
           "target <= 1.5\n", best_fit, best_fit / (best_own + best_syevd));
    printf("                                       = %.2f x (one full X^T X dgemm + syevd)\n",
           best_fit / (best_gemm + best_syevd));
    printf("RESULT udl_fit_seconds=%.4f own_gemm_seconds=%.4f gemm_seconds=%.4f "
           "syevd_seconds=%.4f gflops=%.1f\n", best_fit, best_own, best_gemm, best_syevd, gflops);
    udl_pca_free(pca);
    free(xc);
    free(scatter);
    free(work);
    free(w);
    free(mean);
    udl_array_free(&x);
    return 0;
}
