/* Deep autoencoder 784-1000-500-250-30 on Fashion-MNIST against PCA with 30 components:
 * test-set mean squared reconstruction error per pixel, epochs, seconds, and the
 * training GFLOP/s against one large dgemm measured in the same process.
 * usage: bench_deep_ae [PRETRAIN_EPOCHS] [FINETUNE_EPOCHS] [FINETUNE_LR] [TRAIN_ROWS]
 *                      [LINEAR_CODE] [MOMENTUM] [FINETUNE_LOSS: ce|se] [ANNEAL_EPOCHS]
 * ANNEAL_EPOCHS more fine-tuning epochs follow at a tenth of the learning rate. */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <udl/udl.h>

#define DIR "/usr/share/datasets/fashion-mnist/"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int fail(udl_status s)
{
    fprintf(stderr, "bench_deep_ae: %s: %s\n", udl_status_str(s), udl_last_error());
    return 1;
}

/* During fine-tuning, every 5 epochs also the test error so far. */
typedef struct watch {
    const udl_deep_ae *deep;
    udl_mat test;
    double *xhat, pca_mse;
} watch;

static double mse(udl_mat x, const double *xhat);

static int report(const udl_progress *p, void *user)
{
    const watch *w = user;
    fprintf(stderr, "  %s epoch %zu/%zu: loss %.3f", p->stage, p->step, p->total, p->loss);
    if (w && w->deep && p->step % 5 == 0 &&
        !udl_deep_ae_reconstruct(w->deep, w->test, udl_mat_view(w->xhat, w->test.rows,
                                                                w->test.cols))) {
        double e = mse(w->test, w->xhat);
        fprintf(stderr, ", test MSE/pixel %.5f = %.3f x PCA-30", e, e / w->pca_mse);
    }
    fputc('\n', stderr);
    return 0;
}

static double mse(udl_mat x, const double *xhat)
{
    double sum = 0.0;
    for (size_t i = 0; i < x.rows * x.cols; i++)
        sum += (x.data[i] - xhat[i]) * (x.data[i] - xhat[i]);
    return sum / (double)(x.rows * x.cols);
}

int main(int argc, char **argv)
{
    size_t pre_epochs = argc > 1 ? (size_t)atoi(argv[1]) : 5;
    size_t fine_epochs = argc > 2 ? (size_t)atoi(argv[2]) : 20;
    double fine_lr = argc > 3 ? atof(argv[3]) : 0.01;
    size_t train_rows = argc > 4 ? (size_t)atoi(argv[4]) : 60000;
    int linear_code = argc > 5 ? atoi(argv[5]) : 1;
    double momentum = argc > 6 ? atof(argv[6]) : 0.9;
    int squared = argc > 7 && strcmp(argv[7], "se") == 0;
    size_t anneal_epochs = argc > 8 ? (size_t)atoi(argv[8]) : 0;
    const size_t sizes[5] = {784, 1000, 500, 250, 30};
    udl_array train, test;
    udl_status s;
    if ((s = udl_data_read(DIR "train-images-idx3-ubyte.gz", 0, &train)) ||
        (s = udl_data_read(DIR "t10k-images-idx3-ubyte.gz", 0, &test)))
        return fail(s);
    udl_mat x = udl_mat_rows(udl_array_mat(&train), 0, train_rows), t = udl_array_mat(&test);
    double *xhat = malloc(t.rows * t.cols * sizeof(double));

    /* the machine's dgemm on a product the size of the first layer's */
    double *a = calloc(1000 * 784, sizeof(double)), *c = malloc(1000 * 1000 * sizeof(double));
    double t0 = now();
    udl_gemm(UDL_NOTRANS, UDL_TRANS, 1.0, udl_mat_rows(x, 0, 1000), udl_mat_view(a, 1000, 784),
             0.0, udl_mat_view(c, 1000, 1000));
    double g1 = now() - t0;
    t0 = now();
    for (int r = 0; r < 5; r++)
        udl_gemm(UDL_NOTRANS, UDL_TRANS, 1.0, udl_mat_rows(x, 0, 1000),
                 udl_mat_view(a, 1000, 784), 0.0, udl_mat_view(c, 1000, 1000));
    double dgemm_gflops = 5 * 2.0 * 1000 * 1000 * 784 / (now() - t0) / 1e9;
    (void)g1;

    /* PCA with 30 components */
    udl_pca_params pp = udl_pca_params_default();
    pp.n_components = 30;
    udl_pca *pca;
    double pca_err;
    t0 = now();
    if ((s = udl_pca_create(&pp, &pca)) || (s = udl_pca_fit(pca, x, NULL, NULL)) ||
        (s = udl_pca_reconstruction_error(pca, t, &pca_err)))
        return fail(s);
    double pca_seconds = now() - t0, pca_mse = pca_err / 784.0;

    /* greedy pretraining of the stack, then fine-tuning of the unrolled net */
    udl_ae_params ap = udl_ae_params_default();
    ap.epochs = pre_epochs;
    udl_sae *sae;
    t0 = now();
    if ((s = udl_sae_create(&ap, sizes, 5, &sae)) || (s = udl_sae_train(sae, x, report, NULL)))
        return fail(s);
    double pre_seconds = now() - t0;
    udl_deep_ae_params dp = udl_deep_ae_params_default();
    dp.epochs = fine_epochs;
    dp.sgd.learning_rate = fine_lr;
    dp.sgd.momentum = momentum;
    dp.linear_code = linear_code;
    dp.loss = squared ? UDL_LOSS_SQUARED : UDL_LOSS_CROSS_ENTROPY;
    udl_deep_ae *deep;
    if ((s = udl_deep_ae_create(sae, &dp, &deep)))
        return fail(s);
    if ((s = udl_deep_ae_reconstruct(deep, t, udl_mat_view(xhat, t.rows, t.cols))))
        return fail(s);
    double unrolled_mse = mse(t, xhat);
    t0 = now();
    watch w = {deep, t, xhat, pca_mse};
    if ((s = udl_deep_ae_train(deep, x, report, &w)))
        return fail(s);
    if (anneal_epochs) {
        dp.epochs = anneal_epochs;
        dp.sgd.learning_rate = fine_lr / 10.0;
        if ((s = udl_deep_ae_set_params(deep, &dp)) ||
            (s = udl_deep_ae_train(deep, x, report, &w)))
            return fail(s);
    }
    double fine_seconds = now() - t0;
    if ((s = udl_deep_ae_reconstruct(deep, t, udl_mat_view(xhat, t.rows, t.cols))))
        return fail(s);
    double deep_mse = mse(t, xhat);

    /* flops: an autoencoder layer D x M costs about 10 D M per row and epoch (two
     * products forward, three backward); the unrolled net 6 per weight per row */
    double pre_flops = 0.0, weights = 0.0;
    for (int i = 0; i < 4; i++) {
        pre_flops += 10.0 * sizes[i] * sizes[i + 1] * (double)x.rows * pre_epochs;
        weights += 2.0 * sizes[i] * sizes[i + 1];
    }
    double fine_flops = 6.0 * weights * (double)x.rows * (double)(fine_epochs + anneal_epochs);
    printf("deep autoencoder 784-1000-500-250-30 vs PCA-30, Fashion-MNIST (%zu training rows, "
           "10000 test rows)\n", x.rows);
    printf("  machine dgemm (1000x784 by 784x1000): %.1f GFLOP/s\n", dgemm_gflops);
    printf("  PCA-30:          test MSE/pixel %.5f  (%.2f s)\n", pca_mse, pca_seconds);
    printf("  stack pretrain:  %zu epochs per layer, %.1f s, %.1f GFLOP/s\n", pre_epochs,
           pre_seconds, pre_flops / pre_seconds / 1e9);
    printf("  unrolled, before fine-tuning: test MSE/pixel %.5f\n", unrolled_mse);
    printf("  fine-tuning:     %zu epochs (lr %g, then %zu at lr %g; momentum %g, %s code, %s "
           "loss), %.1f s, %.1f GFLOP/s\n", fine_epochs, fine_lr, anneal_epochs, fine_lr / 10.0,
           momentum, linear_code ? "linear" : "sigmoid",
           squared ? "squared" : "cross-entropy", fine_seconds,
           fine_flops / fine_seconds / 1e9);
    printf("  deep autoencoder: test MSE/pixel %.5f = %.2f x PCA-30 (target <= 0.5)\n",
           deep_mse, deep_mse / pca_mse);
    udl_deep_ae_free(deep);
    udl_sae_free(sae);
    udl_pca_free(pca);
    free(a);
    free(c);
    free(xhat);
    udl_array_free(&train);
    udl_array_free(&test);
    return 0;
}
