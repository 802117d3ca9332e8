/* PCA of 500 points in 10-D that lie near a line: spread along a direction u with
 * standard deviation 3, plus noise of 0.1 in every direction. The first principal
 * component must find u and explain nearly all of the variance, and the rank-2
 * reconstruction error must equal the eigenvalues left out.
 * Build: cc pca.c $(pkg-config --cflags --libs udl) -lm */
#include <math.h>
#include <stdio.h>

#include <udl/udl.h>

#include "synthetic.h"

enum { N = 500, D = 10, K = 2 };

static int fail(const char *what, udl_status s)
{
    fprintf(stderr, "%s failed (%s): %s\n", what, udl_status_str(s), udl_last_error());
    return 1;
}

int main(void)
{
    static double x[N * D], z[N * K];
    double u[D], norm = 0;
    uint64_t seed = 42;
    for (size_t j = 0; j < D; j++) {
        u[j] = normal01(&seed);
        norm += u[j] * u[j];
    }
    for (size_t j = 0; j < D; j++)
        u[j] /= sqrt(norm);
    for (size_t i = 0; i < N; i++) {
        double t = 3 * normal01(&seed);
        for (size_t j = 0; j < D; j++) /* centred on 5: PCA takes the mean out itself */
            x[i * D + j] = 5 + t * u[j] + 0.1 * normal01(&seed);
    }

    udl_pca_params p = udl_pca_params_default();
    p.n_components = K;
    udl_pca *pca;
    udl_status s = udl_pca_create(&p, &pca);
    if (s)
        return fail("udl_pca_create", s);
    udl_mat xm = udl_mat_view(x, N, D);
    double error;
    if ((s = udl_pca_fit(pca, xm, NULL, NULL)) ||
        (s = udl_pca_transform(pca, xm, udl_mat_view(z, N, K))) ||
        (s = udl_pca_reconstruction_error(pca, xm, &error))) {
        udl_pca_free(pca);
        return fail("PCA", s);
    }

    const double *ratio = udl_pca_explained_variance_ratio(pca);
    const double *first = udl_pca_components(pca); /* row 0: the first component */
    const double *eigenvalues = udl_pca_eigenvalues(pca);
    double cosine = 0, left_out = 0;
    for (size_t j = 0; j < D; j++)
        cosine += first[j] * u[j];
    for (size_t j = K; j < D; j++)
        left_out += eigenvalues[j];
    printf("explained variance: %.4f, %.4f\n", ratio[0], ratio[1]);
    printf("|cos| between the first component and u: %.6f\n", fabs(cosine));
    printf("rank-%d reconstruction error %.6f, eigenvalues left out %.6f\n", K, error,
           left_out);
    printf("first point's codes: %.3f %.3f\n", z[0], z[1]);
    int ok = ratio[0] > 0.95 && fabs(cosine) > 0.999 &&
             fabs(error - left_out) <= 1e-9 * left_out;
    udl_pca_free(pca); /* ratio, first and eigenvalues belong to the model */
    if (!ok)
        fprintf(stderr, "PCA gave a wrong result\n");
    return ok ? 0 : 1;
}
