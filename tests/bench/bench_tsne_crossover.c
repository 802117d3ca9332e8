/* Where the exact t-SNE stops being faster than Barnes-Hut: both methods, 1000 steps,
 * on the first N Fashion-MNIST training images reduced to 50 dimensions by PCA, for a
 * range of N. UDL_TSNE_EXACT_BELOW in udl/tsne.h comes from this.
 * usage: bench_tsne_crossover [N ...] */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <udl/udl.h>

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int fail(udl_status s)
{
    fprintf(stderr, "bench_tsne_crossover: %s: %s\n", udl_status_str(s), udl_last_error());
    return 1;
}

int main(int argc, char **argv)
{
    static const size_t defaults[] = {250, 500, 1000, 2000, 4000};
    size_t sizes[32], n_sizes = 0;
    for (int i = 1; i < argc && n_sizes < 32; i++)
        sizes[n_sizes++] = (size_t)strtoull(argv[i], NULL, 10);
    if (!n_sizes)
        for (; n_sizes < sizeof defaults / sizeof *defaults; n_sizes++)
            sizes[n_sizes] = defaults[n_sizes];
    udl_array x;
    udl_status s = udl_data_read("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz",
                                 0, &x);
    if (s)
        return fail(s);
    printf("%8s %12s %12s %10s %10s\n", "N", "exact s", "bh s", "exact KL", "bh KL");
    for (size_t t = 0; t < n_sizes; t++) {
        size_t n = sizes[t] < x.rows ? sizes[t] : x.rows;
        udl_mat xm = udl_mat_rows(udl_array_mat(&x), 0, n);
        udl_pca_params pp = udl_pca_params_default();
        pp.n_components = 50;
        udl_pca *pca = NULL;
        double *z = malloc(n * 50 * sizeof *z), *y = malloc(n * 2 * sizeof *y);
        if ((s = udl_pca_create(&pp, &pca)) || (s = udl_pca_fit(pca, xm, NULL, NULL)) ||
            (s = udl_pca_transform(pca, xm, udl_mat_view(z, n, 50))))
            return fail(s);
        udl_pca_free(pca);
        double sec[2], kl[2];
        const udl_tsne_method methods[2] = {UDL_TSNE_EXACT, UDL_TSNE_BARNES_HUT};
        for (int m = 0; m < 2; m++) {
            udl_tsne_params p = udl_tsne_params_default();
            p.method = methods[m];
            p.perplexity = n > 100 ? 30.0 : (double)n / 4.0;
            udl_tsne_result r;
            double t0 = now();
            if ((s = udl_tsne_embed(&p, udl_mat_view(z, n, 50), udl_mat_view(y, n, 2), NULL,
                                    NULL, &r)))
                return fail(s);
            sec[m] = now() - t0;
            kl[m] = r.kl;
        }
        printf("%8zu %12.3f %12.3f %10.4f %10.4f\n", n, sec[0], sec[1], kl[0], kl[1]);
        fflush(stdout);
        free(z);
        free(y);
    }
    udl_array_free(&x);
    return 0;
}
