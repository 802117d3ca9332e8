/* Deep autoencoder 784-1000-500-250-30 on Fashion-MNIST against PCA with 30 components:
 * test-set mean squared reconstruction error per pixel, epochs, seconds, and the
 * training GFLOP/s against one large dgemm measured in the same process.
 * usage: bench_deep_ae [key=value ...], keys and defaults:
 *   pre=40       pretraining epochs per layer
 *   phases=ce:70:0.001,se:10:0.001,se:10:0.0002
 *                fine-tuning phases LOSS:EPOCHS:LEARNING_RATE, one after another
 *                (LOSS ce or se), through udl_deep_ae_set_params
 *   momentum=0.99  nesterov=0  linear=0 (1: linear code layer)  rows=60000
 *   pretrain=ae  (rbm: the stack is a deep belief net, trained by CD-1 with the RBM
 *                defaults and rate prelr; its top layer is Gaussian when linear=1)
 *   prelr=0.1    pretraining learning rate
 *   save=PREFIX  write PREFIX-stack.udl after pretraining and PREFIX-K.udl after
 *                fine-tuning phase K
 *   stack=FILE   load the pretrained stack instead of pretraining
 *   deep=FILE    load a fine-tuned net instead of pretraining and unrolling */
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

static int usage(const char *arg)
{
    fprintf(stderr, "bench_deep_ae: unknown or malformed argument '%s' (see the comment at the top of "
            "tests/bench/bench_deep_ae.c)\n", arg);
    return 2;
}

enum { MAX_PHASES = 8 };

typedef struct phase {
    udl_loss loss;
    size_t epochs;
    double lr;
} phase;

/* "ce:70:0.001,se:10:0.0002" -> phases; their count, or 0 if malformed */
static size_t parse_phases(const char *v, phase *ph)
{
    size_t n = 0;
    while (*v && n < MAX_PHASES) {
        char loss[3];
        int used = 0;
        if (sscanf(v, "%2[a-z]:%zu:%lf%n", loss, &ph[n].epochs, &ph[n].lr, &used) != 3 ||
            ph[n].epochs == 0 || (v[used] != ',' && v[used] != '\0'))
            return 0;
        if (strcmp(loss, "ce") == 0)
            ph[n].loss = UDL_LOSS_CROSS_ENTROPY;
        else if (strcmp(loss, "se") == 0)
            ph[n].loss = UDL_LOSS_SQUARED;
        else
            return 0;
        n++;
        v += used;
        if (*v == ',' && !*++v)
            return 0;
    }
    return *v ? 0 : n;
}

/* PREFIX-stack.udl, or PREFIX-K.udl after fine-tuning phase K */
static int checkpoint(const udl_deep_ae *deep, const udl_sae *sae, const char *prefix,
                      size_t k)
{
    char path[4096];
    if (!prefix)
        return 0;
    if (deep)
        snprintf(path, sizeof path, "%s-%zu.udl", prefix, k);
    else
        snprintf(path, sizeof path, "%s-stack.udl", prefix);
    udl_status s = deep ? udl_deep_ae_save(deep, path) : udl_sae_save(sae, path);
    if (s)
        return fail(s);
    fprintf(stderr, "  saved %s\n", path);
    return 0;
}

int main(int argc, char **argv)
{
    size_t pre_epochs = 40, train_rows = 60000;
    phase ph[MAX_PHASES];
    size_t n_phases = parse_phases("ce:70:0.001,se:10:0.001,se:10:0.0002", ph);
    double momentum = 0.99;
    int linear_code = 0, nesterov = 0, pretrain_rbm = 0;
    double pre_lr = 0.1;
    const char *save = NULL, *stack_file = NULL, *deep_file = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = strchr(a, '=');
        if (!v)
            return usage(a);
        size_t k = (size_t)(v++ - a);
#define KEY(name) (k == strlen(name) && strncmp(a, name, k) == 0)
        if (KEY("pre"))
            pre_epochs = (size_t)atol(v);
        else if (KEY("rows"))
            train_rows = (size_t)atol(v);
        else if (KEY("phases")) {
            if (!(n_phases = parse_phases(v, ph)))
                return usage(a);
        }
        else if (KEY("momentum"))
            momentum = atof(v);
        else if (KEY("nesterov"))
            nesterov = atoi(v);
        else if (KEY("pretrain")) {
            if (strcmp(v, "ae") && strcmp(v, "rbm"))
                return usage(a);
            pretrain_rbm = strcmp(v, "rbm") == 0;
        } else if (KEY("prelr"))
            pre_lr = atof(v);
        else if (KEY("linear"))
            linear_code = atoi(v);
        else if (KEY("save"))
            save = v;
        else if (KEY("stack"))
            stack_file = v;
        else if (KEY("deep"))
            deep_file = v;
        else
            return usage(a);
#undef KEY
    }
    const size_t sizes[5] = {784, 1000, 500, 250, 30};
    udl_array train, test;
    udl_status s;
    if ((s = udl_data_read(DIR "train-images-idx3-ubyte.gz", 0, &train)) ||
        (s = udl_data_read(DIR "t10k-images-idx3-ubyte.gz", 0, &test)))
        return fail(s);
    if (train_rows == 0 || train_rows > train.rows) {
        fprintf(stderr, "bench_deep_ae: rows must be 1 to %zu\n", train.rows);
        return 2;
    }
    udl_mat x = udl_mat_rows(udl_array_mat(&train), 0, train_rows), t = udl_array_mat(&test);
    double *xhat = malloc(t.rows * t.cols * sizeof(double));

    /* the machine's dgemm on a product the size of the first layer's, after one call to
     * warm up (from the whole training set, whatever rows= says) */
    udl_mat a0 = udl_mat_rows(udl_array_mat(&train), 0, 1000);
    double *a = calloc(1000 * 784, sizeof(double)), *c = malloc(1000 * 1000 * sizeof(double));
    double t0 = 0.0;
    for (int r = 0; r < 6; r++) {
        if (r == 1)
            t0 = now();
        udl_gemm(UDL_NOTRANS, UDL_TRANS, 1.0, a0, udl_mat_view(a, 1000, 784), 0.0,
                 udl_mat_view(c, 1000, 1000));
    }
    double dgemm_gflops = 5 * 2.0 * 1000 * 1000 * 784 / (now() - t0) / 1e9;

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

    /* greedy pretraining of the stack (or a saved one), then fine-tuning of the unrolled
     * net (or of a saved one) */
    udl_sae *sae = NULL;
    udl_deep_ae *deep = NULL;
    udl_deep_ae_params dp = udl_deep_ae_params_default();
    double pre_seconds = 0.0;
    const char *pre_from = "trained here";
    if (deep_file) {
        if ((s = udl_deep_ae_load(deep_file, &deep)))
            return fail(s);
        dp.linear_code = udl_deep_ae_get_params(deep).linear_code;
        pre_epochs = 0;
        pre_from = deep_file;
    } else {
        if (pretrain_rbm) {
            udl_rbm_params rp = udl_rbm_params_default();
            rp.train.epochs = pre_epochs;
            rp.train.sgd.learning_rate = pre_lr;
            rp.hidden = linear_code ? UDL_UNITS_GAUSSIAN : UDL_UNITS_BERNOULLI;
            udl_dbn *dbn;
            t0 = now();
            if ((s = udl_dbn_create(&rp, sizes, 5, &dbn)) ||
                (s = udl_dbn_train(dbn, x, report, NULL)))
                return fail(s);
            pre_seconds = now() - t0;
            pre_from = "deep belief net";
            dp.linear_code = linear_code;
            s = udl_deep_ae_create_from_dbn(dbn, &dp, &deep);
            udl_dbn_free(dbn);
            if (s)
                return fail(s);
        } else if (stack_file) {
            if ((s = udl_sae_load(stack_file, &sae)))
                return fail(s);
            pre_epochs = udl_ae_get_params(udl_sae_layer(sae, 0)).train.epochs;
            pre_from = stack_file;
        } else {
            udl_ae_params ap = udl_ae_params_default();
            ap.train.epochs = pre_epochs;
            ap.train.sgd.learning_rate = pre_lr;
            t0 = now();
            if ((s = udl_sae_create(&ap, sizes, 5, &sae)) ||
                (s = udl_sae_train(sae, x, report, NULL)))
                return fail(s);
            pre_seconds = now() - t0;
            if (checkpoint(NULL, sae, save, 0))
                return 1;
        }
        if (!deep) {
            dp.linear_code = linear_code;
            if ((s = udl_deep_ae_create(sae, &dp, &deep)))
                return fail(s);
        }
    }
    if ((s = udl_deep_ae_reconstruct(deep, t, udl_mat_view(xhat, t.rows, t.cols))))
        return fail(s);
    double start_mse = mse(t, xhat);
    watch w = {deep, t, xhat, pca_mse};
    size_t fine_epochs = 0;
    t0 = now();
    for (size_t k = 0; k < n_phases; k++) {
        dp.train.epochs = ph[k].epochs;
        dp.train.sgd.learning_rate = ph[k].lr;
        dp.train.sgd.momentum = momentum;
        dp.train.sgd.nesterov = nesterov;
        dp.loss = ph[k].loss;
        if ((s = udl_deep_ae_set_params(deep, &dp)) ||
            (s = udl_deep_ae_train(deep, x, report, &w)))
            return fail(s);
        if (checkpoint(deep, NULL, save, k + 1))
            return 1;
        fine_epochs += ph[k].epochs;
    }
    double fine_seconds = now() - t0;
    if ((s = udl_deep_ae_reconstruct(deep, t, udl_mat_view(xhat, t.rows, t.cols))))
        return fail(s);
    double deep_mse = mse(t, xhat);

    /* flops: an autoencoder layer D x M costs about 10 D M per row and epoch (two
     * products forward, three backward), and so does an RBM's by CD-1 (five products);
     * the unrolled net 6 per weight per row */
    double pre_flops = 0.0, weights = 0.0;
    for (int i = 0; i < 4; i++) {
        pre_flops += 10.0 * sizes[i] * sizes[i + 1] * (double)x.rows * (double)pre_epochs;
        weights += 2.0 * sizes[i] * sizes[i + 1];
    }
    double fine_flops = 6.0 * weights * (double)x.rows * (double)fine_epochs;
    static const char *loss_name[2] = {"cross-entropy", "squared"};
    printf("deep autoencoder 784-1000-500-250-30 vs PCA-30, Fashion-MNIST (%zu training rows, "
           "10000 test rows)\n", x.rows);
    printf("  machine dgemm (1000x784 by 784x1000): %.1f GFLOP/s\n", dgemm_gflops);
    printf("  PCA-30:          test MSE/pixel %.5f  (%.2f s)\n", pca_mse, pca_seconds);
    if (pre_seconds > 0.0)
        printf("  stack pretrain:  %s, %zu epochs per layer at lr %g, %.1f s, %.1f GFLOP/s\n",
               pretrain_rbm ? "RBMs (CD-1)" : "autoencoders", pre_epochs, pre_lr, pre_seconds,
               pre_flops / pre_seconds / 1e9);
    else
        printf("  start:           %s\n", pre_from);
    printf("  at the start of fine-tuning: test MSE/pixel %.5f\n", start_mse);
    printf("  fine-tuning:     ");
    for (size_t k = 0; k < n_phases; k++)
        printf("%s%zu epochs at lr %g (%s loss)", k ? ", then " : "", ph[k].epochs, ph[k].lr,
               loss_name[ph[k].loss]);
    printf("; %s momentum %g, %s code; %.1f s, %.1f GFLOP/s\n",
           nesterov ? "Nesterov" : "classical", momentum, dp.linear_code ? "linear" : "sigmoid",
           fine_seconds, fine_seconds > 0.0 ? fine_flops / fine_seconds / 1e9 : 0.0);
    printf("  deep autoencoder: test MSE/pixel %.5f = %.3f x PCA-30 (target <= 0.5)\n",
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
