/* t-SNE of Fashion-MNIST: the first N images of train followed by test, PCA to 50
 * dimensions, perplexity 30, udl's defaults otherwise. Prints the seconds (affinities
 * and optimisation), the final KL and the leave-one-out 10-nearest-neighbour accuracy
 * of the embedding; with OTHER.npy (another program's embedding of the same points,
 * e.g. scikit-learn's from tsne_sklearn.py) also that embedding's accuracy, scored by
 * the same code.
 * usage: bench_tsne [N] [THETA] [OTHER.npy] [OUT.npy] */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <udl/udl.h>

#define DATA "/usr/share/datasets/fashion-mnist/"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int fail(udl_status s)
{
    fprintf(stderr, "bench_tsne: %s: %s\n", udl_status_str(s), udl_last_error());
    return 1;
}

/* Rows [0, n) of train then test, images and labels. */
static udl_status load(size_t n, udl_array *x, double *labels)
{
    const char *img[2] = {DATA "train-images-idx3-ubyte.gz", DATA "t10k-images-idx3-ubyte.gz"};
    const char *lab[2] = {DATA "train-labels-idx1-ubyte.gz", DATA "t10k-labels-idx1-ubyte.gz"};
    size_t have = 0;
    udl_status s = UDL_OK;
    for (int f = 0; f < 2 && have < n && !s; f++) {
        udl_array a = {0}, l = {0};
        if ((s = udl_data_read(img[f], 0, &a)) || (s = udl_data_read(lab[f], 0, &l))) {
            udl_array_free(&a);
            break;
        }
        size_t take = a.rows < n - have ? a.rows : n - have;
        if (!x->data) {
            x->data = malloc(n * a.cols * sizeof(double));
            x->rows = n;
            x->cols = a.cols;
        }
        memcpy(x->data + have * a.cols, a.data, take * a.cols * sizeof(double));
        memcpy(labels + have, l.data, take * sizeof(double));
        have += take;
        udl_array_free(&a);
        udl_array_free(&l);
    }
    if (!s && have < n) {
        fprintf(stderr, "bench_tsne: Fashion-MNIST has only %zu images\n", have);
        exit(1);
    }
    return s;
}

/* Leave-one-out 10-NN: each point takes the majority label of its 10 nearest others;
 * a tie goes to the tied class met first in order of distance. */
static double knn_accuracy(const double *y, const double *labels, size_t n)
{
    enum { K = 10 };
    size_t correct = 0;
    long ni = (long)n;
#pragma omp parallel for schedule(dynamic, 64) reduction(+ : correct)
    for (long li = 0; li < ni; li++) {
        size_t i = (size_t)li, idx[K];
        double best[K];
        for (int t = 0; t < K; t++)
            best[t] = 1e308, idx[t] = 0;
        for (size_t j = 0; j < n; j++) {
            if (j == i)
                continue;
            double dx = y[2 * i] - y[2 * j], dy = y[2 * i + 1] - y[2 * j + 1];
            double d = dx * dx + dy * dy;
            if (d >= best[K - 1])
                continue;
            int t = K - 1;
            for (; t > 0 && best[t - 1] > d; t--) {
                best[t] = best[t - 1];
                idx[t] = idx[t - 1];
            }
            best[t] = d;
            idx[t] = j;
        }
        int votes[256] = {0}, top = -1;
        for (int t = 0; t < K; t++) {
            int c = (int)labels[idx[t]] & 255;
            votes[c]++;
        }
        for (int t = 0; t < K; t++) {
            int c = (int)labels[idx[t]] & 255;
            if (top < 0 || votes[c] > votes[top])
                top = c;
        }
        correct += top == (int)labels[i];
    }
    return (double)correct / (double)n;
}

typedef struct timing {
    double start, first_step;
} timing;

static int report(const udl_progress *p, void *user)
{
    timing *t = user;
    if (p->step == 1)
        t->first_step = now();
    if (p->step % 250 == 0)
        fprintf(stderr, "  step %4zu  KL %.4f  %.1f s\n", p->step, p->loss, now() - t->start);
    return 0;
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? (size_t)strtoull(argv[1], NULL, 10) : 10000;
    udl_tsne_params p = udl_tsne_params_default();
    if (argc > 2)
        p.theta = atof(argv[2]);
    const char *other = argc > 3 && strcmp(argv[3], "-") ? argv[3] : NULL;
    const char *out = argc > 4 ? argv[4] : NULL;
    udl_array x = {0};
    double *labels = malloc(n * sizeof *labels);
    udl_status s = load(n, &x, labels);
    if (s)
        return fail(s);

    double t0 = now();
    udl_pca_params pp = udl_pca_params_default();
    pp.n_components = 50;
    udl_pca *pca = NULL;
    double *z = malloc(n * 50 * sizeof *z), *y = malloc(n * 2 * sizeof *y);
    if ((s = udl_pca_create(&pp, &pca)) || (s = udl_pca_fit(pca, udl_array_mat(&x), NULL, NULL)) ||
        (s = udl_pca_transform(pca, udl_array_mat(&x), udl_mat_view(z, n, 50))))
        return fail(s);
    udl_pca_free(pca);
    udl_array_free(&x);
    double t_pca = now() - t0;

    timing t = {now(), 0.0};
    udl_tsne_result res;
    s = udl_tsne_embed(&p, udl_mat_view(z, n, 50), udl_mat_view(y, n, 2), report, &t, &res);
    if (s)
        return fail(s);
    double t_end = now();
    double acc = knn_accuracy(y, labels, n);
    printf("udl t-SNE, Fashion-MNIST N = %zu (PCA-50 %.2f s), perplexity 30, theta %.2f, "
           "%zu steps, method %s:\n", n, t_pca, p.theta, res.iterations,
           res.method == UDL_TSNE_EXACT ? "exact" : "barnes_hut");
    printf("  %.2f s (affinities %.2f s, optimisation %.2f s), KL %.4f, 10-NN accuracy %.4f\n",
           t_end - t.start, t.first_step - t.start, t_end - t.first_step, res.kl, acc);
    printf("RESULT udl_seconds=%.3f udl_kl=%.4f udl_knn=%.4f\n", t_end - t.start, res.kl, acc);
    if (out && (s = udl_npy_write(out, udl_mat_view(y, n, 2))))
        return fail(s);
    if (other) {
        udl_array o = {0};
        if ((s = udl_data_read(other, 0, &o)))
            return fail(s);
        if (o.rows != n || o.cols != 2) {
            fprintf(stderr, "bench_tsne: %s is %zu x %zu, expected %zu x 2\n", other, o.rows,
                    o.cols, n);
            return 1;
        }
        double oacc = knn_accuracy(o.data, labels, n);
        printf("  %s: 10-NN accuracy %.4f (same scoring)\nRESULT other_knn=%.4f\n", other,
               oacc, oacc);
        udl_array_free(&o);
    }
    free(labels);
    free(z);
    free(y);
    return 0;
}
