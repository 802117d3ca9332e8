/* RBM quality on binarised Fashion-MNIST (pixels > 0.5): 500 hidden units trained by
 * CD-1, CD-10 and PCD-1 for the same number of epochs, each judged by the average test
 * log-probability with log Z from annealed importance sampling (100 runs, Salakhutdinov &
 * Murray's 14,500 temperatures, base rates from the training data), with its band and
 * the seconds taken. With FEATURES_PREFIX, the hidden probabilities of the CD-10 model on
 * the training and test images are written as PREFIX-train.npy and PREFIX-test.npy, and
 * the binarised pixels as PREFIX-pixels-train.npy / -test.npy (rbm_features.py fits a
 * logistic regression to both).
 * PCD's learning rate falls by 0.8 an epoch (Tieleman 2008 lets it fall to 0) and its
 * momentum stays 0.5: with the guide's switch to 0.9 its 100 chains fall behind the
 * model (-261 nats after 10 epochs, -452 at a constant rate of 0.01, against -163).
 * usage: bench_rbm_quality [EPOCHS] [FEATURES_PREFIX|-] [METHODS, default cd1,cd10,pcd1] */
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

static int fail(void)
{
    fprintf(stderr, "bench_rbm_quality: %s\n", udl_last_error());
    return 1;
}

static void binarise(udl_array *a)
{
    for (size_t i = 0; i < a->rows * a->cols; i++)
        a->data[i] = a->data[i] > 0.5 ? 1.0 : 0.0;
}

static int write_features(const udl_rbm *rbm, udl_mat x, const char *path)
{
    udl_array h = {malloc(x.rows * 500 * sizeof(double)), x.rows, 500};
    int rc = !h.data || udl_rbm_transform(rbm, x, udl_array_mat(&h)) ||
             udl_npy_write(path, udl_array_mat(&h));
    udl_array_free(&h);
    return rc;
}

/* 1 when key is one of the comma-separated names in list. */
static int listed(const char *list, const char *key)
{
    const size_t n = strlen(key);
    for (const char *at = list; at; at = strchr(at, ',') ? strchr(at, ',') + 1 : NULL)
        if (strncmp(at, key, n) == 0 && (at[n] == ',' || at[n] == '\0'))
            return 1;
    return 0;
}

int main(int argc, char **argv)
{
    const size_t epochs = argc > 1 ? (size_t)atol(argv[1]) : 10;
    const char *prefix = argc > 2 && strcmp(argv[2], "-") != 0 ? argv[2] : NULL;
    const char *methods = argc > 3 ? argv[3] : "cd1,cd10,pcd1";
    udl_array train, test;
    if (udl_data_read(DIR "train-images-idx3-ubyte.gz", 0, &train) ||
        udl_data_read(DIR "t10k-images-idx3-ubyte.gz", 0, &test))
        return fail();
    binarise(&train);
    binarise(&test);
    udl_mat x = udl_array_mat(&train), t = udl_array_mat(&test);
    printf("RBM 784-500 on binarised Fashion-MNIST (%zu training, %zu test images), %zu epochs "
           "each\n", x.rows, t.rows, epochs);
    const struct {
        const char *name, *key;
        udl_rbm_method method;
        size_t k;
        double lr, decay, momentum;
    } runs[] = {{"CD-1", "cd1", UDL_RBM_CD, 1, 0.05, 1.0, 0.9},
                {"CD-10", "cd10", UDL_RBM_CD, 10, 0.05, 1.0, 0.9},
                {"PCD-1", "pcd1", UDL_RBM_PCD, 1, 0.01, 0.8, 0.5}};
    for (size_t r = 0; r < 3; r++) {
        if (!listed(methods, runs[r].key))
            continue;
        udl_rbm_params p = udl_rbm_params_default();
        p.n_visible = x.cols;
        p.n_hidden = 500;
        p.method = runs[r].method;
        p.k = runs[r].k;
        p.train.epochs = epochs;
        p.train.sgd.learning_rate = runs[r].lr;
        p.train.sgd.momentum = runs[r].momentum;
        if (runs[r].decay < 1.0) {
            p.train.decay = UDL_DECAY_EXPONENTIAL;
            p.train.decay_rate = runs[r].decay;
        }
        udl_rbm *rbm;
        double t0 = now();
        if (udl_rbm_create(&p, &rbm) || udl_rbm_train(rbm, x, NULL, NULL))
            return fail();
        double train_s = now() - t0;
        udl_ais_params ap = udl_ais_params_default();
        udl_ais_result res;
        double ll, lo, hi, train_ll;
        t0 = now();
        if (udl_rbm_log_partition(rbm, &ap, &x, &res) ||
            udl_rbm_log_likelihood(rbm, t, &res, &ll, &lo, &hi) ||
            udl_rbm_log_likelihood(rbm, udl_mat_rows(x, 0, 10000), &res, &train_ll, NULL, NULL))
            return fail();
        double ais_s = now() - t0;
        printf("  %-6s lr %.2g%s, momentum %g: test log-probability %.2f nats (band %.2f to "
               "%.2f), first 10,000 training images %.2f; log Z %.2f; training %.0f s, AIS "
               "%.0f s\n", runs[r].name, runs[r].lr, runs[r].decay < 1.0 ? " x 0.8 an epoch" : "",
               runs[r].momentum, ll, lo, hi, train_ll, res.log_z, train_s, ais_s);
        fflush(stdout);
        if (prefix && r == 1) {
            char path[512];
            snprintf(path, sizeof path, "%s-train.npy", prefix);
            if (write_features(rbm, x, path))
                return fail();
            snprintf(path, sizeof path, "%s-test.npy", prefix);
            if (write_features(rbm, t, path))
                return fail();
            snprintf(path, sizeof path, "%s-pixels-train.npy", prefix);
            if (udl_npy_write(path, x))
                return fail();
            snprintf(path, sizeof path, "%s-pixels-test.npy", prefix);
            if (udl_npy_write(path, t))
                return fail();
        }
        udl_rbm_free(rbm);
    }
    udl_array_free(&train);
    udl_array_free(&test);
    return 0;
}
