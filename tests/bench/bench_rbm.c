/* RBM training speed on Fashion-MNIST: one epoch of CD-1 and one of PCD-1, 784 visible
 * and 256 hidden units, batches of 100, against one dgemm of the same shapes measured in
 * the same process. usage: bench_rbm [IMAGES] [EPOCHS] [HIDDEN]
 * Prints RESULT lines that run_rbm.sh compares with scikit-learn and PyTorch. */
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

/* GFLOP/s of the product the RBM makes most: a batch of 100 rows times W (784 x 256). */
static double dgemm_rate(udl_mat x, size_t hidden)
{
    const size_t d = x.cols, rows = 100, reps = 600;
    double *w = calloc(d * hidden, sizeof(double)), *h = malloc(rows * hidden * sizeof(double));
    udl_gemm(UDL_NOTRANS, UDL_NOTRANS, 1.0, udl_mat_rows(x, 0, rows), udl_mat_view(w, d, hidden),
             0.0, udl_mat_view(h, rows, hidden)); /* warm-up, untimed */
    double t0 = now();
    for (size_t r = 0; r < reps; r++)
        udl_gemm(UDL_NOTRANS, UDL_NOTRANS, 1.0, udl_mat_rows(x, r * rows, rows),
                 udl_mat_view(w, d, hidden), 0.0, udl_mat_view(h, rows, hidden));
    double s = now() - t0;
    free(w);
    free(h);
    return 2.0 * (double)rows * (double)d * (double)hidden * (double)reps / s / 1e9;
}

int main(int argc, char **argv)
{
    const char *images = argc > 1 ? argv[1]
                                  : "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz";
    const size_t epochs = argc > 2 ? (size_t)atol(argv[2]) : 1;
    const size_t hidden = argc > 3 ? (size_t)atol(argv[3]) : 256;
    udl_array a;
    udl_status s = udl_data_read(images, 0, &a);
    if (s) {
        fprintf(stderr, "bench_rbm: %s\n", udl_last_error());
        return 1;
    }
    udl_mat x = udl_array_mat(&a);
    printf("RBM %zu-%zu on %zu rows, batches of 100, %zu epoch(s)\n", x.cols, hidden, x.rows,
           epochs);
    double rate = dgemm_rate(x, hidden);
    printf("  machine dgemm (100x%zu by %zux%zu): %.1f GFLOP/s\n", x.cols, x.cols, hidden, rate);
    const char *names[2] = {"cd1", "pcd1"};
    for (int m = 0; m < 2; m++) {
        udl_rbm_params p = udl_rbm_params_default();
        p.n_visible = x.cols;
        p.n_hidden = hidden;
        p.method = m ? UDL_RBM_PCD : UDL_RBM_CD;
        p.train.epochs = epochs;
        udl_rbm *rbm;
        if ((s = udl_rbm_create(&p, &rbm))) {
            fprintf(stderr, "bench_rbm: %s\n", udl_last_error());
            return 1;
        }
        double t0 = now();
        s = udl_rbm_train(rbm, x, NULL, NULL);
        double secs = (now() - t0) / (double)epochs;
        if (s) {
            fprintf(stderr, "bench_rbm: %s\n", udl_last_error());
            return 1;
        }
        /* products a batch: CD-1 five (positive, chain down and up, two statistics),
         * PCD-1 seven (also the monitor and the chains' hidden means) */
        double flops = (m ? 7.0 : 5.0) * 2.0 * (double)x.cols * (double)hidden * (double)x.rows;
        size_t n;
        const double *hist = udl_rbm_history(rbm, &n);
        printf("  udl %-4s: %.2f s an epoch, %.1f GFLOP/s (%.0f%% of dgemm), reconstruction "
               "error %.2f\n", names[m], secs, flops / secs / 1e9, 100.0 * flops / secs / 1e9 / rate,
               hist[n - 1]);
        printf("RESULT udl_%s_seconds=%.3f\n", names[m], secs);
        udl_rbm_free(rbm);
    }
    udl_array_free(&a);
    return 0;
}
