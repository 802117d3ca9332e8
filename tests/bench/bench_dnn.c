/* The deep classifier (udl/dnn.h) on Fashion-MNIST: 60,000 training and 10,000 test
 * images. usage: bench_dnn mode=MODE [key=value ...]
 *
 * mode=seed  the seed's experiment: 784-1000-750-500-10 sigmoid, pretrained by each of
 *            methods= (none, ae, dae, rbm) for pre= epochs a layer at rate prelr= (each
 *            method's other defaults), then fine-tuned on the same budget (epochs=,
 *            lr=, momentum=, batch=); the test accuracy after every fine-tuning epoch
 *            (from the progress callback, not counted in the seconds). csv=FILE writes
 *            the curves: epoch,method,test_accuracy,seconds (seconds of training so far,
 *            pretraining included; epoch 0 is the start of fine-tuning).
 *            Defaults: pre=5 prelr=0.1 epochs=15 lr=0.1 momentum=0.9 batch=100 noise=0.25
 * mode=best  one configuration, early-stopped on a validation split of the training
 *            images (valid=, patience=), then scored once on the test set. Keys:
 *            layers=1000,1000 act=relu (sigmoid, tanh) epochs=70 batch=128 lr=0.1
 *            momentum=0.9 nesterov=0 wd=0 decay=exp:0.96 (none, exp:RATE,
 *            step:RATE:EVERY) warmup=0:0.5 (EPOCHS:MOMENTUM) indrop=0.1 hdrop=0.3
 *            valid=0.1 patience=15 (the defaults: the best run, 0.9018) pretrain=none (ae, dae, rbm; sigmoid only) pre=5
 *            prelr=0.1 noise=0.25 seed=1 save=FILE (the trained net)
 * mode=speed fine-tuning throughput: one untimed warm-up of 20 batches, then epochs=
 *            timed epochs of udl_dnn_train for each batch size in batch= (a comma list),
 *            layers=1000,750,500 act=sigmoid lr=0.1 momentum=0.9, against dgemm
 *            measured in the same process (a square 2000 x 2000 product before each
 *            timed run and after the last, the highest taken as the machine's rate; and
 *            one of the first layer's shape: batch x 784 by 784 x 1000). Prints RESULT
 *            lines that run_dnn.sh compares with PyTorch.
 * Flops of fine-tuning are counted as 6 N sum(d_in d_out) an epoch: forward,
 * backward to the layer's input and the weight gradient, 2 flops a multiply-add each
 * (udl skips the backward product to the pixels, 1/6 of the first layer's; not
 * subtracted). Every mode prints the machine's dgemm rate. A malformed argument exits 2
 * with a sentence. */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <udl/udl.h>

#define DIR "/usr/share/datasets/fashion-mnist/"
#define MAX_SIZES 12
#define MAX_BATCHES 8

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int fail(udl_status s)
{
    fprintf(stderr, "bench_dnn: %s: %s\n", udl_status_str(s), udl_last_error());
    return 1;
}

static int usage(const char *arg)
{
    fprintf(stderr, "bench_dnn: unknown or malformed argument '%s' (see the comment at the top "
            "of tests/bench/bench_dnn.c)\n", arg);
    return 2;
}

/* ---- parsing ----------------------------------------------------------------------- */

static int parse_size(const char *v, size_t *out)
{
    char *end;
    if (*v < '0' || *v > '9')
        return 0;
    unsigned long long u = strtoull(v, &end, 10);
    if (*end || u > (1ULL << 24))
        return 0;
    *out = (size_t)u;
    return 1;
}

static int parse_num(const char *v, double *out)
{
    char *end;
    if (!*v)
        return 0;
    *out = strtod(v, &end);
    return !*end && *out == *out && *out - *out == 0.0;
}

/* "1000,750,500" -> list; its count, or 0 if malformed or a 0 in it */
static size_t parse_list(const char *v, size_t *list, size_t max)
{
    size_t n = 0;
    while (*v && n < max) {
        char *end;
        if (*v < '0' || *v > '9')
            return 0;
        unsigned long long u = strtoull(v, &end, 10);
        if (u == 0 || u > (1ULL << 24) || (*end != ',' && *end != '\0'))
            return 0;
        list[n++] = (size_t)u;
        v = end;
        if (*v == ',' && !*++v)
            return 0;
    }
    return *v ? 0 : n;
}

static int parse_decay(const char *v, udl_train_params *t)
{
    int used = 0;
    if (strcmp(v, "none") == 0) {
        t->decay = UDL_DECAY_NONE;
        return 1;
    }
    if (sscanf(v, "exp:%lf%n", &t->decay_rate, &used) == 1 && !v[used]) {
        t->decay = UDL_DECAY_EXPONENTIAL;
        return t->decay_rate > 0.0 && t->decay_rate <= 1.0;
    }
    if (sscanf(v, "step:%lf:%zu%n", &t->decay_rate, &t->decay_every, &used) == 2 && !v[used]) {
        t->decay = UDL_DECAY_STEP;
        return t->decay_rate > 0.0 && t->decay_rate <= 1.0 && t->decay_every > 0;
    }
    return 0;
}

static const char *method_names[4] = {"none", "ae", "dae", "rbm"};

static int parse_method(const char *v, udl_pretrain *m)
{
    for (int i = 0; i < 4; i++)
        if (strcmp(v, method_names[i]) == 0) {
            *m = (udl_pretrain)i;
            return 1;
        }
    return 0;
}

static const char *act_name(udl_activation a)
{
    return a == UDL_ACT_RELU ? "ReLU" : a == UDL_ACT_TANH ? "tanh" : "sigmoid";
}

/* ---- data and the machine's dgemm ---------------------------------------------------- */

typedef struct data {
    udl_array xa, ya, ta, tla;
    udl_mat x, y, t, tl;
} data;

static udl_status load(data *d)
{
    udl_status s;
    if ((s = udl_data_read(DIR "train-images-idx3-ubyte.gz", 0, &d->xa)) ||
        (s = udl_data_read(DIR "train-labels-idx1-ubyte.gz", 0, &d->ya)) ||
        (s = udl_data_read(DIR "t10k-images-idx3-ubyte.gz", 0, &d->ta)) ||
        (s = udl_data_read(DIR "t10k-labels-idx1-ubyte.gz", 0, &d->tla)))
        return s;
    d->x = udl_array_mat(&d->xa);
    d->y = udl_array_mat(&d->ya);
    d->t = udl_array_mat(&d->ta);
    d->tl = udl_array_mat(&d->tla);
    return UDL_OK;
}

static void unload(data *d)
{
    udl_array_free(&d->xa);
    udl_array_free(&d->ya);
    udl_array_free(&d->ta);
    udl_array_free(&d->tla);
}

/* GFLOP/s of C (m x n) = A (m x k) B (k x n) through udl_gemm (cblas_dgemm), after one
 * untimed call, repeated for at least half a second. */
static double dgemm_rate(size_t m, size_t k, size_t n)
{
    double *a = malloc(m * k * sizeof(double)), *b = malloc(k * n * sizeof(double)),
           *c = malloc(m * n * sizeof(double));
    for (size_t i = 0; i < m * k; i++)
        a[i] = (double)(i % 7) * 0.1;
    for (size_t i = 0; i < k * n; i++)
        b[i] = (double)(i % 5) * 0.1;
    udl_mat A = udl_mat_view(a, m, k), B = udl_mat_view(b, k, n), C = udl_mat_view(c, m, n);
    udl_gemm(UDL_NOTRANS, UDL_NOTRANS, 1.0, A, B, 0.0, C);
    size_t reps = 0;
    double t0 = now(), secs;
    do {
        udl_gemm(UDL_NOTRANS, UDL_NOTRANS, 1.0, A, B, 0.0, C);
        reps++;
    } while ((secs = now() - t0) < 0.5);
    free(a);
    free(b);
    free(c);
    return 2.0 * (double)m * (double)k * (double)n * (double)reps / secs / 1e9;
}

static double weights_of(const size_t *sizes, size_t n)
{
    double w = 0.0;
    for (size_t i = 0; i + 1 < n; i++)
        w += (double)sizes[i] * (double)sizes[i + 1];
    return w;
}

/* ---- progress ------------------------------------------------------------------------- */

/* After each fine-tuning epoch: the test accuracy (mode seed) or the validation error
 * (mode best); the time the test evaluation takes is left out of the training seconds. */
typedef struct watch {
    const udl_dnn *dnn;
    const data *d;
    const char *method;
    FILE *csv;
    double start, excluded, offset; /* offset: pretraining seconds */
    double last_acc, best_acc;
    size_t best_epoch;
    int test_each_epoch;
} watch;

static int report(const udl_progress *p, void *user)
{
    watch *w = user;
    if (!w || !w->dnn) { /* pretraining */
        fprintf(stderr, "  %s epoch %zu/%zu: loss %.4f\n", p->stage, p->step, p->total, p->loss);
        return 0;
    }
    double t = now(), train_secs = t - w->start - w->excluded;
    fprintf(stderr, "  %s epoch %zu/%zu: loss %.4f", w->method, p->step, p->total, p->loss);
    if (p->valid_error == p->valid_error)
        fprintf(stderr, ", validation error %.4f (loss %.4f)", p->valid_error, p->valid_loss);
    if (w->test_each_epoch) {
        udl_dnn_eval e;
        if (!udl_dnn_evaluate(w->dnn, w->d->t, w->d->tl, &e, NULL, NULL)) {
            w->last_acc = e.accuracy;
            if (e.accuracy > w->best_acc) {
                w->best_acc = e.accuracy;
                w->best_epoch = p->step;
            }
            fprintf(stderr, ", test accuracy %.4f", e.accuracy);
            if (w->csv)
                fprintf(w->csv, "%zu,%s,%.4f,%.1f\n", p->step, w->method, e.accuracy,
                        w->offset + train_secs);
        }
    }
    fprintf(stderr, " (%.0f s)\n", train_secs);
    w->excluded += now() - t;
    return 0;
}

/* ---- mode seed ------------------------------------------------------------------------ */

typedef struct opts {
    size_t sizes[MAX_SIZES], n_sizes;
    udl_activation act;
    udl_dnn_params dp;
    udl_pretrain methods[4];
    size_t n_methods;
    size_t pre;
    double prelr, noise;
    size_t batches[MAX_BATCHES], n_batches;
    const char *csv, *save;
} opts;

static int mode_seed(const opts *o, const data *d)
{
    FILE *csv = NULL;
    if (o->csv) {
        if (!(csv = fopen(o->csv, "w"))) {
            perror(o->csv);
            return 1;
        }
        fprintf(csv, "epoch,method,test_accuracy,seconds\n");
    }
    printf("seed experiment: %zu", o->sizes[0]);
    for (size_t i = 1; i < o->n_sizes; i++)
        printf("-%zu", o->sizes[i]);
    printf(" %s, Fashion-MNIST (60000 training, 10000 test images)\n", act_name(o->act));
    printf("  pretraining: %zu epochs a layer at rate %g, batches of 100 (each method's other "
           "defaults; DAE masking noise %g)\n", o->pre, o->prelr, o->noise);
    printf("  fine-tuning: %zu epochs at rate %g, momentum %g, batches of %zu\n",
           o->dp.train.epochs, o->dp.train.sgd.learning_rate, o->dp.train.sgd.momentum,
           o->dp.train.batch_size);
    double dg = dgemm_rate(2000, 2000, 2000);
    printf("  machine dgemm (2000 x 2000 x 2000): %.1f GFLOP/s\n", dg);
    double final[4], best[4], pre_s[4], fine_s[4], start_acc[4];
    size_t best_epoch[4];
    for (size_t m = 0; m < o->n_methods; m++) {
        udl_pretrain method = o->methods[m];
        udl_dnn *dnn;
        udl_status s;
        if ((s = udl_dnn_create(&o->dp, o->sizes, o->n_sizes, &dnn)))
            return fail(s);
        udl_dnn_pretrain_params pp = udl_dnn_pretrain_params_default(method);
        pp.train.epochs = o->pre;
        pp.train.sgd.learning_rate = o->prelr;
        pp.train.batch_size = 100;
        pp.noise = o->noise;
        fprintf(stderr, "%s: pretraining\n", method_names[method]);
        double t0 = now();
        if ((s = udl_dnn_pretrain(dnn, &pp, d->x, report, NULL)))
            return fail(s);
        pre_s[m] = now() - t0;
        udl_dnn_eval e;
        if ((s = udl_dnn_evaluate(dnn, d->t, d->tl, &e, NULL, NULL)))
            return fail(s);
        start_acc[m] = e.accuracy;
        if (csv)
            fprintf(csv, "0,%s,%.4f,%.1f\n", method_names[method], e.accuracy, pre_s[m]);
        watch w = {dnn, d, method_names[method], csv, 0.0, 0.0, pre_s[m], 0.0, 0.0, 0, 1};
        w.start = now();
        if ((s = udl_dnn_train(dnn, d->x, d->y, NULL, NULL, report, &w)))
            return fail(s);
        fine_s[m] = now() - w.start - w.excluded;
        final[m] = w.last_acc;
        best[m] = w.best_acc;
        best_epoch[m] = w.best_epoch;
        udl_dnn_free(dnn);
        if (csv)
            fflush(csv);
    }
    if (csv)
        fclose(csv);
    const double flops = 6.0 * weights_of(o->sizes, o->n_sizes) * (double)d->x.rows *
                         (double)o->dp.train.epochs;
    printf("| pretraining | test accuracy before fine-tuning | after %zu epochs | highest "
           "(epoch) | pretraining s | fine-tuning s | fine-tuning GFLOP/s |\n"
           "| --- | --- | --- | --- | --- | --- | --- |\n", o->dp.train.epochs);
    for (size_t m = 0; m < o->n_methods; m++)
        printf("| %s | %.4f | %.4f | %.4f (%zu) | %.0f | %.0f | %.1f |\n",
               method_names[o->methods[m]], start_acc[m], final[m], best[m], best_epoch[m],
               pre_s[m], fine_s[m], flops / fine_s[m] / 1e9);
    if (o->csv)
        printf("  curves written to %s\n", o->csv);
    return 0;
}

/* ---- mode best ------------------------------------------------------------------------- */

static int mode_best(const opts *o, const data *d)
{
    const udl_dnn_params *p = &o->dp;
    printf("best: %zu", o->sizes[0]);
    for (size_t i = 1; i < o->n_sizes; i++)
        printf("-%zu", o->sizes[i]);
    printf(" %s, dropout %g input / %g hidden, %zu epochs of %zu at rate %g", act_name(o->act),
           p->input_dropout, p->hidden_dropout, p->train.epochs, p->train.batch_size,
           p->train.sgd.learning_rate);
    if (p->train.decay == UDL_DECAY_EXPONENTIAL)
        printf(" x %g an epoch", p->train.decay_rate);
    else if (p->train.decay == UDL_DECAY_STEP)
        printf(" x %g every %zu epochs", p->train.decay_rate, p->train.decay_every);
    printf(", %s momentum %g", p->train.sgd.nesterov ? "Nesterov" : "classical",
           p->train.sgd.momentum);
    if (p->train.warmup_epochs)
        printf(" (%g for %zu epochs)", p->train.warmup_momentum, p->train.warmup_epochs);
    if (p->train.sgd.weight_decay > 0.0)
        printf(", weight decay %g", p->train.sgd.weight_decay);
    printf(", validation %g of the training images, patience %zu, seed %llu",
           p->valid_fraction, p->patience, (unsigned long long)p->train.seed);
    if (o->methods[0] != UDL_PRETRAIN_NONE)
        printf(", pretrained by %s (%zu epochs a layer at rate %g)", method_names[o->methods[0]],
               o->pre, o->prelr);
    printf("\n");
    printf("  machine dgemm (2000 x 2000 x 2000): %.1f GFLOP/s\n", dgemm_rate(2000, 2000, 2000));
    udl_dnn *dnn;
    udl_status s;
    if ((s = udl_dnn_create(p, o->sizes, o->n_sizes, &dnn)))
        return fail(s);
    double t0 = now(), pre_s = 0.0;
    if (o->methods[0] != UDL_PRETRAIN_NONE) {
        udl_dnn_pretrain_params pp = udl_dnn_pretrain_params_default(o->methods[0]);
        pp.train.epochs = o->pre;
        pp.train.sgd.learning_rate = o->prelr;
        pp.noise = o->noise;
        if ((s = udl_dnn_pretrain(dnn, &pp, d->x, report, NULL)))
            return fail(s);
        pre_s = now() - t0;
    }
    watch w = {dnn, d, "dnn", NULL, now(), 0.0, 0.0, 0.0, 0.0, 0, 0};
    if ((s = udl_dnn_train(dnn, d->x, d->y, NULL, NULL, report, &w)))
        return fail(s);
    double fine_s = now() - w.start;
    size_t n_ep;
    const double *verr;
    udl_dnn_valid_history(dnn, NULL, &verr, &n_ep);
    size_t best = 0;
    for (size_t i = 1; i < n_ep; i++)
        if (verr[i] < verr[best])
            best = i;
    udl_dnn_eval e;
    if ((s = udl_dnn_evaluate(dnn, d->t, d->tl, &e, NULL, NULL)))
        return fail(s);
    printf("  %zu epochs run, best validation error %.4f at epoch %zu (its weights kept)\n", n_ep,
           verr[best], best + 1);
    printf("  training %.0f s (%.1f min; pretraining %.0f s), test accuracy %.4f, test loss "
           "%.4f\n", pre_s + fine_s, (pre_s + fine_s) / 60.0, pre_s, e.accuracy, e.loss);
    printf("RESULT test_accuracy=%.4f seconds=%.0f\n", e.accuracy, pre_s + fine_s);
    if (o->save && (s = udl_dnn_save(dnn, o->save)))
        return fail(s);
    udl_dnn_free(dnn);
    return 0;
}

/* ---- mode speed ------------------------------------------------------------------------ */

static int mode_speed(const opts *o, const data *d)
{
    printf("fine-tuning speed: %zu", o->sizes[0]);
    for (size_t i = 1; i < o->n_sizes; i++)
        printf("-%zu", o->sizes[i]);
    const char *threads = getenv("OPENBLAS_NUM_THREADS");
    printf(" %s, softmax cross-entropy, SGD momentum %g, %zu rows, %zu timed epoch(s), "
           "OPENBLAS_NUM_THREADS=%s\n", act_name(o->act), o->dp.train.sgd.momentum, d->x.rows,
           o->dp.train.epochs, threads ? threads : "(unset)");
    /* the square dgemm before each timed run and after the last; the highest is the
     * machine's rate the targets compare with (other jobs only ever slow it) */
    double square = 0.0, lowest = 1e300, udl_rate[MAX_BATCHES], udl_secs[MAX_BATCHES],
           shaped[MAX_BATCHES];
    const double flops = 6.0 * weights_of(o->sizes, o->n_sizes) * (double)d->x.rows;
    for (size_t b = 0; b < o->n_batches; b++) {
        const size_t bs = o->batches[b];
        const double sq = dgemm_rate(2000, 2000, 2000);
        square = sq > square ? sq : square;
        lowest = sq < lowest ? sq : lowest;
        shaped[b] = dgemm_rate(bs, o->sizes[0], o->sizes[1]);
        udl_dnn_params p = o->dp;
        p.train.batch_size = bs;
        udl_dnn *dnn;
        udl_status s;
        if ((s = udl_dnn_create(&p, o->sizes, o->n_sizes, &dnn)))
            return fail(s);
        /* warm-up: 20 batches, untimed */
        udl_mat wx = udl_mat_rows(d->x, 0, 20 * bs), wy = udl_mat_rows(d->y, 0, 20 * bs);
        p.train.epochs = 1;
        if ((s = udl_dnn_set_params(dnn, &p)) ||
            (s = udl_dnn_train(dnn, wx, wy, NULL, NULL, NULL, NULL)))
            return fail(s);
        p.train.epochs = o->dp.train.epochs;
        if ((s = udl_dnn_set_params(dnn, &p)))
            return fail(s);
        double t0 = now();
        if ((s = udl_dnn_train(dnn, d->x, d->y, NULL, NULL, NULL, NULL)))
            return fail(s);
        const double secs = (now() - t0) / (double)p.train.epochs, rate = flops / secs / 1e9;
        size_t n;
        const double *h = udl_dnn_history(dnn, &n);
        printf("  batch %zu: %.2f s an epoch, %.1f GFLOP/s; last epoch's loss %.4f (square dgemm "
               "just before: %.1f GFLOP/s)\n", bs, secs, rate, h[n - 1], sq);
        udl_secs[b] = secs;
        udl_rate[b] = rate;
        udl_dnn_free(dnn);
    }
    const double sq = dgemm_rate(2000, 2000, 2000);
    square = sq > square ? sq : square;
    lowest = sq < lowest ? sq : lowest;
    printf("  machine dgemm (2000 x 2000 x 2000), before each run and after the last: %.1f to "
           "%.1f GFLOP/s\n", lowest, square);
    printf("RESULT dgemm_gflops=%.2f\n", square);
    for (size_t b = 0; b < o->n_batches; b++) {
        printf("  batch %zu: %.1f GFLOP/s = %.0f%% of the best square dgemm, %.0f%% of dgemm "
               "%zu x %zu x %zu (%.1f GFLOP/s)\n", o->batches[b], udl_rate[b],
               100.0 * udl_rate[b] / square, 100.0 * udl_rate[b] / shaped[b], o->batches[b],
               o->sizes[0], o->sizes[1], shaped[b]);
        printf("RESULT batch=%zu udl_seconds=%.3f udl_gflops=%.2f dgemm_batch_gflops=%.2f\n",
               o->batches[b], udl_secs[b], udl_rate[b], shaped[b]);
    }
    return 0;
}

/* ---- main ------------------------------------------------------------------------------ */

int main(int argc, char **argv)
{
    enum { SEED, BEST, SPEED } mode = SEED;
    opts o;
    memset(&o, 0, sizeof o);
    /* mode first: it sets the defaults the other keys change */
    for (int i = 1; i < argc; i++)
        if (strncmp(argv[i], "mode=", 5) == 0) {
            const char *v = argv[i] + 5;
            if (strcmp(v, "seed") == 0)
                mode = SEED;
            else if (strcmp(v, "best") == 0)
                mode = BEST;
            else if (strcmp(v, "speed") == 0)
                mode = SPEED;
            else
                return usage(argv[i]);
        }
    o.dp = udl_dnn_params_default();
    udl_train_params *t = &o.dp.train;
    o.pre = 5;
    o.prelr = 0.1;
    o.noise = 0.25;
    o.sizes[0] = 784;
    if (mode == BEST) {
        o.n_sizes = 4;
        o.sizes[1] = o.sizes[2] = 1000;
        o.act = UDL_ACT_RELU;
        t->epochs = 70;
        t->batch_size = 128;
        t->sgd.learning_rate = 0.1;
        t->decay = UDL_DECAY_EXPONENTIAL;
        t->decay_rate = 0.96;
        o.dp.input_dropout = 0.1;
        o.dp.hidden_dropout = 0.3;
        o.dp.valid_fraction = 0.1;
        o.dp.patience = 15;
        o.methods[0] = UDL_PRETRAIN_NONE;
        o.n_methods = 1;
    } else {
        o.n_sizes = 5;
        o.sizes[1] = 1000;
        o.sizes[2] = 750;
        o.sizes[3] = 500;
        o.act = UDL_ACT_SIGMOID;
        t->epochs = mode == SPEED ? 1 : 15;
        t->batch_size = 100;
        t->sgd.learning_rate = 0.1;
        for (int m = 0; m < 4; m++)
            o.methods[m] = (udl_pretrain)m;
        o.n_methods = 4;
        o.batches[0] = 100;
        o.batches[1] = 256;
        o.n_batches = 2;
    }
    t->sgd.momentum = 0.9;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = strchr(a, '=');
        if (!v)
            return usage(a);
        size_t k = (size_t)(v++ - a);
        double num;
        size_t list[MAX_SIZES];
#define KEY(name) (k == strlen(name) && strncmp(a, name, k) == 0)
#define SIZE(field)                                                                           \
    do {                                                                                      \
        if (!parse_size(v, &(field)))                                                         \
            return usage(a);                                                                  \
    } while (0)
#define NUM(field)                                                                            \
    do {                                                                                      \
        if (!parse_num(v, &num))                                                              \
            return usage(a);                                                                  \
        (field) = num;                                                                        \
    } while (0)
        if (KEY("mode"))
            continue;
        else if (KEY("layers")) {
            size_t n = parse_list(v, list, MAX_SIZES - 2);
            if (!n)
                return usage(a);
            memcpy(o.sizes + 1, list, n * sizeof(size_t));
            o.n_sizes = n + 2;
        } else if (KEY("act")) {
            if (strcmp(v, "relu") == 0)
                o.act = UDL_ACT_RELU;
            else if (strcmp(v, "sigmoid") == 0)
                o.act = UDL_ACT_SIGMOID;
            else if (strcmp(v, "tanh") == 0)
                o.act = UDL_ACT_TANH;
            else
                return usage(a);
        } else if (KEY("epochs"))
            SIZE(t->epochs);
        else if (KEY("batch")) {
            if (!(o.n_batches = parse_list(v, o.batches, MAX_BATCHES)))
                return usage(a);
            t->batch_size = o.batches[0];
        } else if (KEY("lr"))
            NUM(t->sgd.learning_rate);
        else if (KEY("momentum"))
            NUM(t->sgd.momentum);
        else if (KEY("nesterov")) {
            if (strcmp(v, "0") && strcmp(v, "1"))
                return usage(a);
            t->sgd.nesterov = *v == '1';
        } else if (KEY("wd"))
            NUM(t->sgd.weight_decay);
        else if (KEY("decay")) {
            if (!parse_decay(v, t))
                return usage(a);
        } else if (KEY("warmup")) {
            int used = 0;
            if (sscanf(v, "%zu:%lf%n", &t->warmup_epochs, &t->warmup_momentum, &used) != 2 ||
                v[used])
                return usage(a);
        } else if (KEY("indrop"))
            NUM(o.dp.input_dropout);
        else if (KEY("hdrop"))
            NUM(o.dp.hidden_dropout);
        else if (KEY("valid"))
            NUM(o.dp.valid_fraction);
        else if (KEY("patience"))
            SIZE(o.dp.patience);
        else if (KEY("seed")) {
            size_t seed;
            SIZE(seed);
            t->seed = seed;
        } else if (KEY("pre"))
            SIZE(o.pre);
        else if (KEY("prelr"))
            NUM(o.prelr);
        else if (KEY("noise"))
            NUM(o.noise);
        else if (KEY("pretrain") || KEY("methods")) {
            /* a comma list of none, ae, dae, rbm */
            o.n_methods = 0;
            char buf[64];
            if (strlen(v) >= sizeof buf)
                return usage(a);
            strcpy(buf, v);
            for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
                if (o.n_methods == 4 || !parse_method(tok, &o.methods[o.n_methods++]))
                    return usage(a);
            }
            if (!o.n_methods || (KEY("pretrain") && o.n_methods != 1))
                return usage(a);
        } else if (KEY("csv"))
            o.csv = v;
        else if (KEY("save"))
            o.save = v;
        else
            return usage(a);
#undef KEY
#undef SIZE
#undef NUM
    }
    o.sizes[o.n_sizes - 1] = 10;
    o.dp.activation = o.act;
    /* the library checks every other value and says what is wrong */
    udl_status s = udl_train_params_check(t);
    if (s) {
        fprintf(stderr, "bench_dnn: %s\n", udl_last_error());
        return 2;
    }
    data d;
    memset(&d, 0, sizeof d);
    if ((s = load(&d)))
        return fail(s);
    int rc = mode == SEED ? mode_seed(&o, &d) : mode == BEST ? mode_best(&o, &d)
                                                           : mode_speed(&o, &d);
    unload(&d);
    return rc;
}
