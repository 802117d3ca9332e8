/* Embeds points in 2-D with t-SNE, printing the KL divergence as it falls. Given a data
 * file, it embeds its rows and writes the map as .npy. Without arguments it embeds three
 * clusters made here (150 points in 10-D) and checks that nearly every point's nearest
 * neighbour in the map is of its own cluster.
 * usage: example_tsne [DATA OUT.npy [PERPLEXITY]] */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <udl/udl.h>

#include "synthetic.h"

enum { CLUSTERS = 3, PER_CLUSTER = 50, DIM = 10 };

static int show(const udl_progress *p, void *user)
{
    (void)user;
    if (p->step % 250 == 0)
        printf("step %4zu of %zu: KL %.4f\n", p->step, p->total, p->loss);
    return 0; /* non-zero would stop the run */
}

/* Point i belongs to cluster i % CLUSTERS; the centres are 10 apart, the spread 1. */
static udl_status make_clusters(udl_array *x)
{
    x->rows = CLUSTERS * PER_CLUSTER;
    x->cols = DIM;
    x->data = malloc(x->rows * DIM * sizeof *x->data);
    if (!x->data)
        return UDL_ENOMEM;
    uint64_t seed = 7;
    for (size_t i = 0; i < x->rows; i++)
        for (size_t j = 0; j < DIM; j++)
            x->data[i * DIM + j] = (j == i % CLUSTERS ? 10.0 : 0.0) + normal01(&seed);
    return UDL_OK;
}

/* The fraction of points whose nearest neighbour in Y is of the same cluster. */
static double neighbours_agree(const double *y, size_t n)
{
    size_t agree = 0;
    for (size_t i = 0; i < n; i++) {
        size_t best = i;
        double best_d = INFINITY;
        for (size_t j = 0; j < n; j++) {
            double dx = y[2 * i] - y[2 * j], dy = y[2 * i + 1] - y[2 * j + 1];
            if (j != i && dx * dx + dy * dy < best_d) {
                best_d = dx * dx + dy * dy;
                best = j;
            }
        }
        agree += best % CLUSTERS == i % CLUSTERS;
    }
    return (double)agree / (double)n;
}

int main(int argc, char **argv)
{
    if (argc == 2) {
        fprintf(stderr, "usage: %s [DATA OUT.npy [PERPLEXITY]]\n", argv[0]);
        return 2;
    }
    udl_array x;
    udl_status s = argc > 1 ? udl_data_read(argv[1], 0, &x) : make_clusters(&x);
    if (s) {
        fprintf(stderr, "%s: %s\n", argc > 1 ? argv[1] : "data", udl_last_error());
        return 1;
    }
    udl_tsne_params p = udl_tsne_params_default();
    if (argc > 3)
        p.perplexity = atof(argv[3]);
    double *y = malloc(x.rows * 2 * sizeof *y + 1);
    udl_mat ym = udl_mat_view(y, x.rows, 2);
    udl_tsne_result r;
    if (!y)
        s = UDL_ENOMEM;
    else if (!(s = udl_tsne_embed(&p, udl_array_mat(&x), ym, show, NULL, &r)) && argc > 1)
        s = udl_npy_write(argv[2], ym);
    int rc = s != UDL_OK;
    if (s) {
        fprintf(stderr, "t-SNE failed (%s): %s\n", udl_status_str(s), udl_last_error());
    } else {
        printf("%zu points, %s, final KL %.4f\n", x.rows,
               r.method == UDL_TSNE_EXACT ? "exact" : "Barnes-Hut", r.kl);
        if (argc == 1) {
            double agree = neighbours_agree(y, x.rows);
            printf("nearest neighbour in the map of the same cluster: %.1f %%\n",
                   100 * agree);
            rc = agree < 0.95;
        }
    }
    free(y);
    udl_array_free(&x);
    return rc;
}
