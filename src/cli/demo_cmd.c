/* udl demo: the whole toolbox on Fashion-MNIST, as pictures and one HTML report. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"

static const char usage[] =
    "usage: udl demo [--quick] [-o DIR] [--data DIR] [--json] [--quiet]\n"
    "\n"
    "Runs the whole toolbox on Fashion-MNIST and writes pictures and report.html into\n"
    "DIR (default udl-demo/): PCA and t-SNE maps, autoencoder and RBM features, RBM\n"
    "fantasies, PCA and deep-autoencoder reconstructions, classifiers fine-tuned with\n"
    "each kind of pretraining, what their units respond to, adversarial examples and\n"
    "the accuracy of a standard and an adversarially trained classifier under attack.\n"
    "It also saves the models it trained (.udl) there.\n"
    "  --quick     a reduced run: 20,000 training and 5,000 test images, smaller nets\n"
    "              and fewer epochs (under two minutes on two cores; the full run\n"
    "              takes under twenty)\n"
    "  -o DIR      the output folder, created if missing\n"
    "  --data DIR  where the Fashion-MNIST IDX files are (default\n"
    "              /usr/share/datasets/fashion-mnist, from Debian's\n"
    "              dataset-fashion-mnist)\n"
    "  --json      print the figures as one JSON object on stdout\n";

#define N_CLASSES 10
static const char *const class_names[N_CLASSES] = {
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};

/* How much of everything a run does. */
typedef struct plan {
    const char *name;
    size_t n_train, n_test;
    size_t tsne_iter;
    size_t hidden[2];            /* the classifiers' hidden layers */
    size_t pre_epochs;           /* per pretrained layer */
    size_t fine_epochs;
    size_t deep[3];              /* the deep autoencoder's encoder below the input */
    size_t deep_pre_epochs, deep_epochs;
    size_t gibbs_steps;          /* for the RBM's fantasies */
    size_t adv_epochs;           /* adversarial fine-tuning */
    size_t n_attack;             /* test images the robustness curves are measured on */
} plan;

static const plan full_plan = {"full", 60000, 10000, 1000, {500, 500}, 5, 15,
                               {500, 250, 30}, 5, 25, 1000, 5, 2000};
static const plan quick_plan = {"quick", 20000, 5000, 500, {256, 256}, 2, 8,
                                {256, 128, 30}, 3, 25, 500, 2, 1000};

enum { N_PRETRAIN = 4, MAX_EPOCHS = 64, N_EPS = 7, N_SHOWN = 10 };
static const char *const pretrain_names[N_PRETRAIN] = {
    "no pretraining", "autoencoders", "denoising autoencoders", "RBMs (a deep belief net)"};
static const double eps_list[N_EPS] = {0.0, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2};

/* What the run measured, for the report and --json. */
typedef struct results {
    double gflops;
    double pca_var30, pca_var50;
    double tsne_kl;
    double err_pca, err_deep;              /* squared error per test image */
    double acc[N_PRETRAIN];                /* test accuracy after fine-tuning */
    double curve[N_PRETRAIN][MAX_EPOCHS];  /* test accuracy after each epoch */
    size_t curve_n[N_PRETRAIN];
    size_t standard;                       /* the pretraining of the attacked classifier */
    double robust_clean;                   /* the adversarially trained one's accuracy */
    double robust[2][2][N_EPS];            /* [model][fgsm, pgd][eps]: accuracy */
    double fooled;                         /* FGSM at 0.1: fraction of shown examples fooled */
} results;

enum { N_STAGES = 9 };
static const char *const stage_names[N_STAGES] = {
    "data and dgemm", "PCA", "t-SNE", "pretraining", "fine-tuning", "feature visualization",
    "deep autoencoder", "adversarial training", "attacks"};

typedef struct demo {
    plan p;
    const char *out, *data;
    int json, quiet;
    udl_array train_x, train_y, test_x, test_y;
    udl_mat x, y, tx, ty; /* the rows this run uses */
    results r;
    double seconds[N_STAGES], start;
    int stage;
} demo;

static void stage(demo *d, int k, const char *what)
{
    const double now = cli_now();
    if (d->stage >= 0)
        d->seconds[d->stage] += now - d->start;
    d->stage = k;
    d->start = now;
    if (!d->quiet && what) {
        cli_progress_done();
        fprintf(stderr, "udl demo [%d/%d] %s\n", k + 1, N_STAGES, what);
    }
}

static void out_path(const demo *d, char *buf, size_t size, const char *name)
{
    snprintf(buf, size, "%s/%s", d->out, name);
}

/* n with thousands separated by commas: 60,000. */
static const char *count_text(char *buf, size_t size, size_t n)
{
    if (n >= 1000)
        snprintf(buf, size, "%zu,%03zu", n / 1000, n % 1000);
    else
        snprintf(buf, size, "%zu", n);
    return buf;
}

static int failed(udl_status s) { return s ? cli_status("demo", s) : 0; }

static int plotted(int rc, const char *err) { return rc ? cli_error("demo", "%s", err) : 0; }

/* ---- data -------------------------------------------------------------------------- */

static int load_data(demo *d)
{
    static const char *const files[4] = {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                                         "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"};
    udl_array *arrays[4] = {&d->train_x, &d->train_y, &d->test_x, &d->test_y};
    for (int i = 0; i < 4; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", d->data, files[i]);
        if (access(path, R_OK) != 0)
            return cli_error("demo", "Fashion-MNIST is not in %s (%s is missing): install "
                             "Debian's dataset-fashion-mnist (apt-get install "
                             "dataset-fashion-mnist), or give its folder with --data",
                             d->data, files[i]);
        udl_status s = cli_read(path, arrays[i]);
        if (s)
            return failed(s);
    }
    if (d->train_x.cols != 784 || d->test_x.cols != 784 || d->train_y.cols != 1 ||
        d->test_y.cols != 1 || d->train_y.rows != d->train_x.rows ||
        d->test_y.rows != d->test_x.rows)
        return cli_error("demo", "the files in %s are not Fashion-MNIST's 28 x 28 images "
                         "and labels", d->data);
    /* Fewer images than the plan asks for (a smaller copy of the data) are used whole. */
    if (d->train_x.rows < 100 || d->test_x.rows < 20)
        return cli_error("demo", "the demo needs at least 100 training and 20 test images; "
                         "%s has %zu and %zu", d->data, d->train_x.rows, d->test_x.rows);
    for (size_t i = 0; i < d->train_y.rows + d->test_y.rows; i++) {
        const double c = i < d->train_y.rows ? d->train_y.data[i]
                                             : d->test_y.data[i - d->train_y.rows];
        if (!(c >= 0 && c < N_CLASSES && c == floor(c)))
            return cli_error("demo", "the labels in %s are not the classes 0 to 9", d->data);
    }
    d->p.n_train = d->p.n_train < d->train_x.rows ? d->p.n_train : d->train_x.rows;
    d->p.n_test = d->p.n_test < d->test_x.rows ? d->p.n_test : d->test_x.rows;
    d->x = udl_mat_rows(udl_array_mat(&d->train_x), 0, d->p.n_train);
    d->y = udl_mat_rows(udl_array_mat(&d->train_y), 0, d->p.n_train);
    d->tx = udl_mat_rows(udl_array_mat(&d->test_x), 0, d->p.n_test);
    d->ty = udl_mat_rows(udl_array_mat(&d->test_y), 0, d->p.n_test);
    return 0;
}

/* The machine's dgemm rate: the best of three 1000 x 1000 products. */
static int measure_dgemm(demo *d)
{
    const size_t n = 1000;
    double *m = malloc(3 * n * n * sizeof(double));
    if (!m)
        return cli_error("demo", "out of memory");
    for (size_t i = 0; i < 2 * n * n; i++)
        m[i] = (double)(i % 7) * 0.25 - 0.5;
    udl_mat a = udl_mat_view(m, n, n), b = udl_mat_view(m + n * n, n, n),
            c = udl_mat_view(m + 2 * n * n, n, n);
    double best = INFINITY;
    udl_status s = UDL_OK;
    for (int rep = 0; rep < 3 && !s; rep++) {
        const double t0 = cli_now();
        s = udl_gemm(UDL_NOTRANS, UDL_NOTRANS, 1.0, a, b, 0.0, c);
        best = fmin(best, cli_now() - t0);
    }
    free(m);
    d->r.gflops = 2e-9 * (double)n * (double)n * (double)n / best;
    return failed(s);
}

/* ---- PCA and t-SNE ------------------------------------------------------------------ */

static int fit_pca(const demo *d, size_t k, udl_pca **pca)
{
    udl_pca_params pp = udl_pca_params_default();
    pp.n_components = k;
    udl_status s = udl_pca_create(&pp, pca);
    if (!s)
        s = udl_pca_fit(*pca, d->x, cli_progress, NULL);
    cli_progress_done();
    return failed(s);
}

/* The squared error per image of xh, reconstructions of the test images, averaged over
 * them; the reconstructions of the shown images go to into, one after another. */
static double reconstruction_error(const demo *d, const double *xh, const size_t *shown,
                                   double *into)
{
    const size_t n = d->tx.rows;
    double sum = 0.0;
    for (size_t i = 0; i < n * 784; i++) {
        const double e = xh[i] - d->tx.data[i];
        sum += e * e;
    }
    for (size_t i = 0; i < N_SHOWN; i++)
        memcpy(into + i * 784, xh + shown[i] * 784, 784 * sizeof(double));
    return sum / (double)n;
}

/* PCA-50 of the training images: the map, the variance, the test images' codes for
 * t-SNE; PCA-30's squared error per test image and its reconstructions of shown[]. */
static int run_pca(demo *d, udl_mat codes50, const size_t *shown, double *recon)
{
    char path[4096], err[256];
    udl_pca *pca = NULL, *pca30 = NULL;
    double *z = malloc(d->x.rows * 50 * sizeof(double)), *xh = NULL;
    int rc = z ? fit_pca(d, 50, &pca) : cli_error("demo", "out of memory");
    if (!rc)
        rc = failed(udl_pca_transform(pca, d->x, udl_mat_view(z, d->x.rows, 50)));
    if (!rc) {
        out_path(d, path, sizeof path, "pca.png");
        char title[96];
        char n[32];
        snprintf(title, sizeof title, "PCA of %s Fashion-MNIST training images",
                 count_text(n, sizeof n, d->x.rows));
        plot_text text = {title, "principal component 1", "principal component 2"};
        rc = plotted(plot_scatter(path, udl_mat_view(z, d->x.rows, 50), d->y.data,
                                  class_names, N_CLASSES, text, err, sizeof err), err);
    }
    if (!rc) {
        const double *ratio = udl_pca_explained_variance_ratio(pca);
        d->r.pca_var30 = d->r.pca_var50 = 0.0;
        for (size_t i = 0; i < 50; i++) {
            d->r.pca_var50 += ratio[i];
            if (i < 30)
                d->r.pca_var30 += ratio[i];
        }
        out_path(d, path, sizeof path, "pca-variance.png");
        plot_text text = {"Variance explained by the principal components", "component",
                          "fraction of the variance"};
        rc = plotted(plot_variance(path, ratio, 50, 30, text, err, sizeof err), err);
    }
    if (!rc)
        rc = failed(udl_pca_transform(pca, d->tx, codes50));
    if (!rc)
        rc = fit_pca(d, 30, &pca30);
    const size_t n = d->tx.rows;
    if (!rc && !(xh = malloc(n * 784 * sizeof(double))))
        rc = cli_error("demo", "out of memory");
    if (!rc)
        rc = failed(udl_pca_transform(pca30, d->tx, udl_mat_view(z, n, 30)));
    if (!rc)
        rc = failed(udl_pca_inverse_transform(pca30, udl_mat_view(z, n, 30),
                                              udl_mat_view(xh, n, 784)));
    if (!rc) {
        d->r.err_pca = reconstruction_error(d, xh, shown, recon);
        out_path(d, path, sizeof path, "pca30.udl");
        rc = failed(udl_pca_save(pca30, path));
    }
    free(z);
    free(xh);
    udl_pca_free(pca);
    udl_pca_free(pca30);
    return rc;
}

static int run_tsne(demo *d, udl_mat codes50)
{
    udl_tsne_params tp = udl_tsne_params_default();
    tp.n_iter = d->p.tsne_iter;
    const size_t n = codes50.rows;
    double *y = malloc(n * 2 * sizeof(double));
    if (!y)
        return cli_error("demo", "out of memory");
    udl_tsne_result tr;
    udl_status s = udl_tsne_embed(&tp, codes50, udl_mat_view(y, n, 2), cli_progress, NULL, &tr);
    cli_progress_done();
    int rc = failed(s);
    if (!rc) {
        d->r.tsne_kl = tr.kl;
        char path[4096], err[256], title[96], count[32];
        out_path(d, path, sizeof path, "tsne.png");
        snprintf(title, sizeof title, "t-SNE of %s Fashion-MNIST test images",
                 count_text(count, sizeof count, n));
        plot_text text = {title, "t-SNE 1", "t-SNE 2"};
        rc = plotted(plot_scatter(path, udl_mat_view(y, n, 2), d->ty.data, class_names,
                                  N_CLASSES, text, err, sizeof err), err);
    }
    free(y);
    return rc;
}

/* ---- pretraining, and pictures of what the first layers learned --------------------- */

typedef struct stacks {
    udl_sae *ae, *dae;
    udl_dbn *dbn;
} stacks;

static int pretrain(demo *d, stacks *st)
{
    const size_t sizes[3] = {784, d->p.hidden[0], d->p.hidden[1]};
    udl_ae_params ap = udl_ae_params_default();
    ap.train.epochs = d->p.pre_epochs;
    udl_status s = udl_sae_create(&ap, sizes, 3, &st->ae);
    if (!s)
        s = udl_sae_train(st->ae, d->x, cli_progress, NULL);
    cli_progress_done();
    ap.noise = UDL_NOISE_MASK;
    ap.noise_level = 0.25;
    if (!s)
        s = udl_sae_create(&ap, sizes, 3, &st->dae);
    if (!s)
        s = udl_sae_train(st->dae, d->x, cli_progress, NULL);
    cli_progress_done();
    /* Persistent chains (Tieleman 2008): CD-1's fantasies all fall into one mode. */
    udl_rbm_params rp = udl_rbm_params_default();
    rp.method = UDL_RBM_PCD;
    rp.train.sgd.learning_rate = 0.05;
    rp.train.epochs = d->p.pre_epochs;
    if (!s)
        s = udl_dbn_create(&rp, sizes, 3, &st->dbn);
    if (!s)
        s = udl_dbn_train(st->dbn, d->x, cli_progress, NULL);
    cli_progress_done();
    return failed(s);
}

/* The first layer's features of a stack as a 10 x 10 grid. */
static int draw_filters(const demo *d, udl_kind kind, void *stack, const char *file,
                        const char *title, const char *caption)
{
    enum { N = 100 };
    double *f = malloc(N * 784 * sizeof(double));
    udl_model *m = NULL;
    if (!f)
        return cli_error("demo", "out of memory");
    udl_status s = udl_model_wrap(kind, stack, &m);
    if (!s)
        s = udl_featviz_first_layer(m, 1.0, 0, udl_mat_view(f, N, 784));
    udl_model_free(m);
    int rc = failed(s);
    if (!rc) {
        char path[4096], err[256];
        out_path(d, path, sizeof path, file);
        plot_panel panel = {title, f, N, 10, NULL, NULL, 1};
        rc = plotted(plot_images(path, &panel, 1, 28, 28, 2, 0, caption, err, sizeof err), err);
    }
    free(f);
    return rc;
}

static int draw_samples(const demo *d, const udl_dbn *dbn)
{
    enum { N = 30 };
    double *v = malloc(2 * N * 784 * sizeof(double));
    if (!v)
        return cli_error("demo", "out of memory");
    memcpy(v, d->tx.data, N * 784 * sizeof(double));
    int rc = failed(udl_rbm_sample(udl_dbn_layer(dbn, 0), udl_mat_view(v + N * 784, N, 784),
                                   d->p.gibbs_steps, 7));
    if (!rc) {
        char path[4096], err[256], title[96], caption[256];
        out_path(d, path, sizeof path, "samples-rbm.png");
        snprintf(title, sizeof title, "fantasies after %zu Gibbs steps", d->p.gibbs_steps);
        snprintf(caption, sizeof caption, "The first RBM (784-%zu, PCD, %zu epochs): each "
                 "chain starts from random pixels; shown are the visible means of its last "
                 "step. Left: test images for comparison.", d->p.hidden[0], d->p.pre_epochs);
        plot_panel panels[2] = {{"test images", v, N, 6, NULL, NULL, 0},
                                {title, v + N * 784, N, 6, NULL, NULL, 0}};
        rc = plotted(plot_images(path, panels, 2, 28, 28, 2, 1, caption, err, sizeof err), err);
    }
    free(v);
    return rc;
}

/* ---- the classifiers ------------------------------------------------------------------ */

static int fine_tune(demo *d, const stacks *st, udl_dnn **nets)
{
    const size_t sizes[4] = {784, d->p.hidden[0], d->p.hidden[1], N_CLASSES};
    udl_dnn_params dp = udl_dnn_params_default();
    dp.train.epochs = d->p.fine_epochs;
    dp.train.decay = UDL_DECAY_EXPONENTIAL; /* 0.1 x 0.9 an epoch: steadier late epochs */
    dp.train.decay_rate = 0.9;
    for (size_t k = 0; k < N_PRETRAIN; k++) {
        udl_status s = udl_dnn_create(&dp, sizes, 4, &nets[k]);
        if (!s && k == 1)
            s = udl_dnn_init_from_sae(nets[k], st->ae);
        if (!s && k == 2)
            s = udl_dnn_init_from_sae(nets[k], st->dae);
        if (!s && k == 3)
            s = udl_dnn_init_from_dbn(nets[k], st->dbn);
        /* The test set is passed as the validation set only to record its accuracy after
         * each epoch: with patience 0 it does not steer training. */
        if (!s)
            s = udl_dnn_train(nets[k], d->x, d->y, &d->tx, &d->ty, cli_progress, NULL);
        cli_progress_done();
        udl_dnn_eval ev;
        if (!s)
            s = udl_dnn_evaluate(nets[k], d->tx, d->ty, &ev, NULL, NULL);
        if (s)
            return failed(s);
        d->r.acc[k] = ev.accuracy;
        const double *vloss, *verr;
        size_t n;
        udl_dnn_valid_history(nets[k], &vloss, &verr, &n);
        d->r.curve_n[k] = n < MAX_EPOCHS ? n : MAX_EPOCHS;
        for (size_t e = 0; e < d->r.curve_n[k]; e++)
            d->r.curve[k][e] = 1.0 - verr[e];
        if (ev.accuracy > d->r.acc[d->r.standard])
            d->r.standard = k;
    }
    double epochs[MAX_EPOCHS], pct[N_PRETRAIN][MAX_EPOCHS];
    char labels[N_PRETRAIN][96];
    plot_series series[N_PRETRAIN];
    for (size_t e = 0; e < MAX_EPOCHS; e++)
        epochs[e] = (double)(e + 1);
    double lo = 100.0;
    for (size_t k = 0; k < N_PRETRAIN; k++) {
        for (size_t e = 0; e < d->r.curve_n[k]; e++) {
            pct[k][e] = 100.0 * d->r.curve[k][e];
            lo = fmin(lo, pct[k][e]);
        }
        snprintf(labels[k], sizeof labels[k], "%s: %.2f%%", pretrain_names[k],
                 100.0 * d->r.acc[k]);
        series[k] = (plot_series){epochs, pct[k], d->r.curve_n[k], labels[k], (int)k, 0};
    }
    char path[4096], err[256], title[128];
    out_path(d, path, sizeof path, "training.png");
    snprintf(title, sizeof title, "Fine-tuning 784-%zu-%zu-10 classifiers", d->p.hidden[0],
             d->p.hidden[1]);
    plot_text text = {title, "fine-tuning epoch", "test accuracy (%)"};
    return plotted(plot_lines(path, series, N_PRETRAIN, text, floor(lo - 1.0),
                              ceil(100.0 * fmax(fmax(d->r.acc[0], d->r.acc[1]),
                                                fmax(d->r.acc[2], d->r.acc[3])) + 1.0),
                              0, err, sizeof err), err);
}

/* What units of the second hidden layer and the ten class outputs respond to. */
static int draw_featviz(const demo *d, udl_dnn *dnn)
{
    enum { UNITS = 20 };
    double *x = malloc((UNITS + N_CLASSES) * 784 * sizeof(double));
    udl_model *m = NULL;
    if (!x)
        return cli_error("demo", "out of memory");
    udl_featviz_params fp = udl_featviz_params_default();
    fp.blur = 2.0; /* without it the inputs found are mostly pixel noise */
    fp.sgd.learning_rate = 0.02;
    fp.steps = 300;
    fp.image_width = 28;
    udl_status s = udl_model_wrap(UDL_KIND_DNN, dnn, &m);
    if (!s)
        s = udl_featviz_ascent(m, 1, 0, &fp, udl_mat_view(x, UNITS, 784), NULL);
    if (!s)
        s = udl_featviz_ascent(m, 2, 0, &fp, udl_mat_view(x + UNITS * 784, N_CLASSES, 784),
                               NULL);
    udl_model_free(m);
    int rc = failed(s);
    if (!rc) {
        char path[4096], err[256], caption[512];
        out_path(d, path, sizeof path, "featviz.png");
        snprintf(caption, sizeof caption, "Activation maximisation (Erhan et al. 2009) on the "
                 "classifier pretrained with %s: gradient ascent on the input, %zu steps from "
                 "%zu random starts, within pixel values in [0, 1] and a norm of %g (an "
                 "average image's is 9.6), each step smoothed by a Gaussian of %g pixels. "
                 "Class outputs are the softmax's inputs.",
                 pretrain_names[d->r.standard], fp.steps, fp.restarts, fp.norm, fp.blur);
        plot_panel panels[2] = {
            {"units 1-20 of the second hidden layer", x, UNITS, 10, NULL, NULL, 0},
            {"the ten class outputs", x + UNITS * 784, N_CLASSES, 10, class_names, NULL, 0}};
        rc = plotted(plot_images(path, panels, 2, 28, 28, 3, 0, caption, err, sizeof err), err);
    }
    free(x);
    return rc;
}

/* ---- the deep autoencoder and the reconstructions figure ---------------------------- */

static int run_deep_ae(demo *d, const size_t *shown, double *recon)
{
    const size_t sizes[4] = {784, d->p.deep[0], d->p.deep[1], d->p.deep[2]};
    udl_ae_params ap = udl_ae_params_default();
    ap.train.epochs = d->p.deep_pre_epochs;
    udl_sae *sae = NULL;
    udl_deep_ae *deep = NULL;
    const size_t n = d->tx.rows;
    double *xh = malloc(n * 784 * sizeof(double));
    if (!xh)
        return cli_error("demo", "out of memory");
    udl_status s = udl_sae_create(&ap, sizes, 4, &sae);
    if (!s)
        s = udl_sae_train(sae, d->x, cli_progress, NULL);
    cli_progress_done();
    udl_deep_ae_params dp = udl_deep_ae_params_default();
    dp.train.epochs = d->p.deep_epochs;
    if (!s)
        s = udl_deep_ae_create(sae, &dp, &deep);
    if (!s)
        s = udl_deep_ae_train(deep, d->x, cli_progress, NULL);
    cli_progress_done();
    if (!s)
        s = udl_deep_ae_reconstruct(deep, d->tx, udl_mat_view(xh, n, 784));
    char path[4096];
    out_path(d, path, sizeof path, "deep-ae.udl");
    if (!s)
        s = udl_deep_ae_save(deep, path);
    int rc = failed(s);
    if (!rc) {
        d->r.err_deep = reconstruction_error(d, xh, shown, recon + 2 * N_SHOWN * 784);
        for (size_t i = 0; i < N_SHOWN; i++)
            memcpy(recon + i * 784, d->tx.data + shown[i] * 784, 784 * sizeof(double));
        char err[256], rows[3][96], caption[512], count[32];
        snprintf(rows[0], sizeof rows[0], "test images");
        snprintf(rows[1], sizeof rows[1], "PCA, 30 components: %.1f", d->r.err_pca);
        snprintf(rows[2], sizeof rows[2], "deep autoencoder, 30 codes: %.1f", d->r.err_deep);
        const char *row_labels[3] = {rows[0], rows[1], rows[2]};
        const char *labels[3 * N_SHOWN];
        for (size_t i = 0; i < 3 * N_SHOWN; i++)
            labels[i] = i < N_SHOWN ? class_names[(size_t)d->ty.data[shown[i]]] : "";
        snprintf(caption, sizeof caption, "One test image of each class and its reconstruction "
                 "from 30 numbers. The figure after each method is its squared error per "
                 "image, averaged over the %s test images. Deep autoencoder: 784-%zu-%zu-%zu "
                 "pretrained as a stack of autoencoders (%zu epochs a layer), then fine-tuned "
                 "for %zu epochs (cross-entropy).", count_text(count, sizeof count, n), sizes[1], sizes[2], sizes[3],
                 d->p.deep_pre_epochs, d->p.deep_epochs);
        out_path(d, path, sizeof path, "reconstructions.png");
        plot_panel panel = {"reconstructions from 30 numbers", recon, 3 * N_SHOWN, N_SHOWN,
                            labels, row_labels, 0};
        rc = plotted(plot_images(path, &panel, 1, 28, 28, 3, 0, caption, err, sizeof err), err);
    }
    udl_deep_ae_free(deep);
    udl_sae_free(sae);
    free(xh);
    return rc;
}

/* ---- attacks ------------------------------------------------------------------------ */

/* A copy of dnn through a file in the output folder. */
static int save_copy(const demo *d, const udl_dnn *dnn, const char *file, udl_dnn **copy)
{
    char path[4096];
    out_path(d, path, sizeof path, file);
    udl_status s = udl_dnn_save(dnn, path);
    if (!s && copy)
        s = udl_dnn_load(path, copy);
    return failed(s);
}

static int adversarial_training(demo *d, udl_dnn *robust)
{
    udl_dnn_params dp = udl_dnn_get_params(robust);
    dp.train.epochs = d->p.adv_epochs;
    dp.train.sgd.learning_rate = 0.05;
    udl_attack_params ap = udl_attack_params_default(UDL_ATTACK_PGD);
    ap.eps = 0.1;
    ap.steps = 3;
    udl_status s = udl_dnn_set_params(robust, &dp);
    if (!s)
        s = udl_adversarial_train(robust, &ap, 0.5, d->x, d->y, NULL, NULL, cli_progress, NULL);
    cli_progress_done();
    udl_dnn_eval ev;
    if (!s)
        s = udl_dnn_evaluate(robust, d->tx, d->ty, &ev, NULL, NULL);
    if (!s)
        d->r.robust_clean = ev.accuracy;
    return failed(s) || save_copy(d, robust, "dnn-robust.udl", NULL);
}

/* Accuracy on the first n_attack test images under FGSM and PGD-10 at each eps, for the
 * standard and the adversarially trained classifier. */
static int robustness(demo *d, udl_dnn *const *model)
{
    const size_t n = d->p.n_attack < d->tx.rows ? d->p.n_attack : d->tx.rows;
    udl_mat x = udl_mat_rows(d->tx, 0, n), y = udl_mat_rows(d->ty, 0, n);
    double *adv = malloc(n * 784 * sizeof(double));
    if (!adv)
        return cli_error("demo", "out of memory");
    udl_status s = UDL_OK;
    for (int m = 0; m < 2 && !s; m++)
        for (int a = 0; a < 2 && !s; a++)
            for (int e = 0; e < N_EPS && !s; e++) {
                udl_dnn_eval ev;
                if (eps_list[e] == 0.0) {
                    s = udl_dnn_evaluate(model[m], x, y, &ev, NULL, NULL);
                } else {
                    udl_attack_params ap =
                        udl_attack_params_default(a ? UDL_ATTACK_PGD : UDL_ATTACK_FGSM);
                    ap.eps = eps_list[e];
                    ap.steps = 10;
                    s = udl_attack(model[m], &ap, x, y, udl_mat_view(adv, n, 784), NULL);
                    if (!s)
                        s = udl_dnn_evaluate(model[m], udl_mat_view(adv, n, 784), y, &ev, NULL,
                                             NULL);
                }
                if (!s)
                    d->r.robust[m][a][e] = 100.0 * ev.accuracy;
            }
    free(adv);
    if (s)
        return failed(s);
    double eps[N_EPS];
    for (int e = 0; e < N_EPS; e++)
        eps[e] = eps_list[e];
    static const char *const labels[4] = {"standard, FGSM", "standard, PGD-10",
                                          "adversarially trained, FGSM",
                                          "adversarially trained, PGD-10"};
    plot_series series[4];
    for (int m = 0; m < 2; m++)
        for (int a = 0; a < 2; a++)
            series[2 * m + a] = (plot_series){eps, d->r.robust[m][a], N_EPS, labels[2 * m + a],
                                              m ? 3 : 0, a ? 0 : 1};
    char path[4096], err[256], title[128];
    out_path(d, path, sizeof path, "robustness.png");
    snprintf(title, sizeof title, "Accuracy under attack (%zu test images)", n);
    plot_text text = {title, "\u03b5 (L\u221e radius, pixel values in [0, 1])",
                      "accuracy (%)"};
    return plotted(plot_lines(path, series, 4, text, 0.0, 100.0, 1, err, sizeof err), err);
}

static int draw_attack(demo *d, const udl_dnn *dnn)
{
    enum { N = 8 };
    double adv[N * 784], before[N], after[N];
    udl_attack_params ap = udl_attack_params_default(UDL_ATTACK_FGSM);
    ap.eps = 0.1;
    udl_attack_report rep = {before, after, NULL, NULL};
    udl_mat x = udl_mat_rows(d->tx, 0, N);
    int rc = failed(udl_attack(dnn, &ap, x, udl_mat_rows(d->ty, 0, N),
                               udl_mat_view(adv, N, 784), &rep));
    if (rc)
        return rc;
    plot_example ex[N];
    size_t fooled = 0;
    for (size_t i = 0; i < N; i++) {
        ex[i] = (plot_example){x.data + i * 784, adv + i * 784, d->ty.data[i], NAN, before[i],
                               after[i]};
        fooled += after[i] != d->ty.data[i];
    }
    d->r.fooled = (double)fooled / N;
    char path[4096], err[256];
    out_path(d, path, sizeof path, "adversarial.png");
    return plotted(plot_attack(path, ex, N, 28, 28, "FGSM at \u03b5 = 0.1 against the standard "
                               "classifier", class_names, N_CLASSES, err, sizeof err), err);
}

/* ---- the report ----------------------------------------------------------------------- */

static void html_figure(FILE *f, const char *file, const char *title, const char *text)
{
    fprintf(f, "<figure><img src=\"%s\" alt=\"%s\"><figcaption><b>%s.</b> %s</figcaption>"
            "</figure>\n", file, title, title, text);
}

static int write_report(const demo *d, double total)
{
    char path[4096], tmp[4200];
    out_path(d, path, sizeof path, "report.html");
    snprintf(tmp, sizeof tmp, "%s.tmp%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "w");
    if (!f)
        return cli_error("demo", "cannot create %s: %s", tmp, strerror(errno));
    const results *r = &d->r;
    const plan *p = &d->p;
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
          "<title>udl demo on Fashion-MNIST</title>\n<style>\n"
          "body{font-family:'DejaVu Sans',Helvetica,Arial,sans-serif;max-width:1060px;"
          "margin:2em auto;padding:0 1em;color:#222;line-height:1.45}\n"
          "h1{font-size:1.6em;margin-bottom:.2em} h2{font-size:1.25em;margin-top:2em;"
          "border-bottom:1px solid #ddd;padding-bottom:.2em}\n"
          "figure{margin:1.2em 0} img{max-width:100%;border:1px solid #eee}\n"
          "figcaption{font-size:.92em;color:#444;margin-top:.4em}\n"
          "table{border-collapse:collapse;margin:.8em 0;font-size:.95em}\n"
          "td,th{padding:.25em .9em;border-bottom:1px solid #e4e4e4;text-align:left}\n"
          "td.n{text-align:right;font-variant-numeric:tabular-nums}\n"
          ".muted{color:#666;font-size:.9em}\n"
          ".pair{display:grid;grid-template-columns:1fr 1fr;gap:1.2em;align-items:start}\n"
          "</style></head><body>\n", f);
    char train_n[32], test_n[32];
    count_text(train_n, sizeof train_n, p->n_train);
    count_text(test_n, sizeof test_n, p->n_test);
    fprintf(f, "<h1>udl on Fashion-MNIST</h1>\n<p class=\"muted\">udl %s, %s run: %s "
            "training and %s test images; %.1f minutes in all on this machine, whose dgemm "
            "runs at %.1f GFLOP/s (1000 &times; 1000 products, best of three).</p>\n",
            udl_version(), p->name, train_n, test_n, total / 60.0, r->gflops);

    fputs("<h2>Results</h2>\n<table>\n<tr><th>what</th><th>result</th></tr>\n", f);
    fprintf(f, "<tr><td>PCA: variance explained by 30 / 50 components</td><td class=\"n\">"
            "%.1f%% / %.1f%%</td></tr>\n", 100 * r->pca_var30, 100 * r->pca_var50);
    fprintf(f, "<tr><td>t-SNE of %s test images: KL(P&#8214;Q) after %zu steps</td>"
            "<td class=\"n\">%.3f</td></tr>\n", test_n, p->tsne_iter, r->tsne_kl);
    fprintf(f, "<tr><td>squared error per test image from 30 numbers: PCA / deep autoencoder"
            "</td><td class=\"n\">%.2f / %.2f (%.2f&times;)</td></tr>\n", r->err_pca,
            r->err_deep, r->err_deep / r->err_pca);
    for (int k = 0; k < N_PRETRAIN; k++)
        fprintf(f, "<tr><td>classifier test accuracy, %s</td><td class=\"n\">%.2f%%</td>"
                "</tr>\n", pretrain_names[k], 100 * r->acc[k]);
    fprintf(f, "<tr><td>standard classifier (%s) under FGSM / PGD-10 at &epsilon; = 0.1</td>"
            "<td class=\"n\">%.1f%% / %.1f%%</td></tr>\n", pretrain_names[r->standard],
            r->robust[0][0][4], r->robust[0][1][4]);
    fprintf(f, "<tr><td>adversarially trained: clean / FGSM / PGD-10 at &epsilon; = 0.1</td>"
            "<td class=\"n\">%.1f%% / %.1f%% / %.1f%%</td></tr>\n", 100 * r->robust_clean,
            r->robust[1][0][4], r->robust[1][1][4]);
    fputs("</table>\n<table>\n<tr><th>stage</th><th>seconds</th></tr>\n", f);
    for (int k = 0; k < N_STAGES; k++)
        fprintf(f, "<tr><td>%s</td><td class=\"n\">%.1f</td></tr>\n", stage_names[k],
                d->seconds[k]);
    fprintf(f, "<tr><td><b>total</b></td><td class=\"n\"><b>%.1f</b></td></tr>\n</table>\n",
            total);

    char text[1024];
    fputs("<h2>Maps of the data</h2>\n", f);
    snprintf(text, sizeof text, "The %s training images projected on their first two "
             "principal components (covariance and LAPACK's dsyevd), coloured by class.",
             train_n);
    fputs("<div class=\"pair\">\n", f);
    html_figure(f, "pca.png", "PCA", text);
    snprintf(text, sizeof text, "Bars: each of the first 50 components' share of the "
             "variance; line: the running total. 30 components keep %.1f%%.",
             100 * r->pca_var30);
    html_figure(f, "pca-variance.png", "Explained variance", text);
    fputs("</div>\n", f);
    snprintf(text, sizeof text, "Barnes-Hut t-SNE (perplexity 30, %zu steps) of the %s test "
             "images after PCA to 50 dimensions; KL(P&#8214;Q) = %.3f. The classes were not "
             "shown to t-SNE.", p->tsne_iter, test_n, r->tsne_kl);
    html_figure(f, "tsne.png", "t-SNE", text);

    fputs("<h2>What the first layers learn</h2>\n", f);
    snprintf(text, sizeof text, "The first 100 of the %zu hidden units of a denoising "
             "autoencoder (25%% of the pixels masked, %zu epochs): the input of unit norm "
             "that excites each most, W[:, j] / |W[:, j]|, black to white from its lowest "
             "to its highest weight.", p->hidden[0], p->pre_epochs);
    fputs("<div class=\"pair\">\n", f);
    html_figure(f, "filters-ae.png", "Denoising autoencoder features", text);
    snprintf(text, sizeof text, "The same for the first RBM of the deep belief net "
             "(784-%zu, persistent contrastive divergence, %zu epochs).", p->hidden[0],
             p->pre_epochs);
    html_figure(f, "filters-rbm.png", "RBM features", text);
    fputs("</div>\n", f);
    snprintf(text, sizeof text, "Gibbs chains of that RBM from random pixels, %zu steps "
             "each, beside test images.", p->gibbs_steps);
    html_figure(f, "samples-rbm.png", "RBM fantasies", text);

    fputs("<h2>Reconstruction from 30 numbers</h2>\n", f);
    snprintf(text, sizeof text, "PCA with 30 components against a 784-%zu-%zu-%zu deep "
             "autoencoder: squared error per test image %.2f against %.2f.", p->deep[0],
             p->deep[1], p->deep[2], r->err_pca, r->err_deep);
    html_figure(f, "reconstructions.png", "Reconstructions", text);

    fputs("<h2>Classifiers</h2>\n", f);
    snprintf(text, sizeof text, "784-%zu-%zu-10 sigmoid networks fine-tuned by "
             "backpropagation for %zu epochs (SGD with momentum 0.9, rate 0.1 &times; 0.9 an "
             "epoch, batches of 100) from random weights and from each kind of greedy pretraining (%zu epochs "
             "a layer). Test accuracy after each epoch; the final one in the legend.",
             p->hidden[0], p->hidden[1], p->fine_epochs, p->pre_epochs);
    html_figure(f, "training.png", "Fine-tuning", text);
    html_figure(f, "featviz.png", "What the units respond to",
                "Inputs found by gradient ascent that excite units of the second hidden layer "
                "and each class output of the most accurate classifier.");

    fputs("<h2>Adversarial examples</h2>\n", f);
    snprintf(text, sizeof text, "The fast gradient sign method moves every pixel by 0.1 in "
             "the direction that raises the loss; %.0f%% of the examples shown change label.",
             100 * r->fooled);
    html_figure(f, "adversarial.png", "FGSM", text);
    snprintf(text, sizeof text, "Accuracy on %zu test images against the attack's radius, "
             "for the standard classifier and a copy fine-tuned %zu more epochs on batches "
             "half clean, half PGD-3 examples at &epsilon; = 0.1 (Madry et al. 2018). FGSM "
             "dashed, PGD-10 (one random start) solid.",
             p->n_attack < p->n_test ? p->n_attack : p->n_test, p->adv_epochs);
    html_figure(f, "robustness.png", "Robustness", text);
    fputs("<p class=\"muted\">Made by <code>udl demo</code>. The models are saved beside this "
          "page: pca30.udl, deep-ae.udl, dnn.udl, dnn-robust.udl.</p>\n</body></html>\n", f);
    int bad = ferror(f);
    bad |= fclose(f) != 0;
    if (bad || rename(tmp, path) != 0) {
        remove(tmp);
        return cli_error("demo", "cannot write %s", path);
    }
    return 0;
}

static void write_json(const demo *d, double total)
{
    const results *r = &d->r;
    cli_json j;
    cli_json_begin(&j);
    cli_json_string(&j, "run", d->p.name);
    cli_json_string(&j, "output", d->out);
    cli_json_number(&j, "seconds", total);
    cli_json_numbers(&j, "stage_seconds", d->seconds, N_STAGES);
    cli_json_number(&j, "dgemm_gflops", r->gflops);
    cli_json_number(&j, "pca_variance_30", r->pca_var30);
    cli_json_number(&j, "tsne_kl", r->tsne_kl);
    cli_json_number(&j, "error_pca30", r->err_pca);
    cli_json_number(&j, "error_deep_ae", r->err_deep);
    cli_json_numbers(&j, "accuracy_by_pretraining", r->acc, N_PRETRAIN);
    cli_json_number(&j, "robust_clean_accuracy", r->robust_clean);
    cli_json_numbers(&j, "eps", eps_list, N_EPS);
    cli_json_numbers(&j, "standard_fgsm", r->robust[0][0], N_EPS);
    cli_json_numbers(&j, "standard_pgd", r->robust[0][1], N_EPS);
    cli_json_numbers(&j, "robust_fgsm", r->robust[1][0], N_EPS);
    cli_json_numbers(&j, "robust_pgd", r->robust[1][1], N_EPS);
    cli_json_end(&j);
}

/* ---- the run -------------------------------------------------------------------------- */

static int make_dir(const char *dir)
{
    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
        return cli_error("demo", "cannot create %s: %s", dir, strerror(errno));
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return cli_error("demo", "%s is not a folder", dir);
    return 0;
}

static int run(demo *d)
{
    const double t0 = cli_now();
    stage(d, 0, NULL); /* its line once the data is read: a failure is one line */
    if (load_data(d) || make_dir(d->out))
        return 1;
    if (!d->quiet)
        fprintf(stderr, "udl demo [1/%d] %zu training and %zu test images read; measuring "
                "dgemm\n", N_STAGES, d->x.rows, d->tx.rows);
    if (measure_dgemm(d))
        return 1;
    /* one test image of each class for the reconstructions */
    size_t shown[N_SHOWN], found = 0;
    for (size_t c = 0; c < N_CLASSES; c++)
        for (size_t i = 0; i < d->tx.rows; i++)
            if (d->ty.data[i] == (double)c) {
                shown[found++] = i;
                break;
            }
    if (found != N_SHOWN)
        return cli_error("demo", "the test images do not hold every class");
    const size_t n = d->tx.rows;
    double *codes = malloc(n * 50 * sizeof(double)),
           *recon = malloc(3 * N_SHOWN * 784 * sizeof(double));
    stacks st = {NULL, NULL, NULL};
    udl_dnn *nets[N_PRETRAIN] = {NULL, NULL, NULL, NULL}, *pair[2] = {NULL, NULL};
    int rc = codes && recon ? 0 : cli_error("demo", "out of memory");
    char what[160];
    if (!rc) {
        snprintf(what, sizeof what, "PCA of %zu training images", d->x.rows);
        stage(d, 1, what);
        rc = run_pca(d, udl_mat_view(codes, n, 50), shown, recon + N_SHOWN * 784);
    }
    if (!rc) {
        snprintf(what, sizeof what, "t-SNE of %zu test images", n);
        stage(d, 2, what);
        rc = run_tsne(d, udl_mat_view(codes, n, 50));
    }
    if (!rc) {
        snprintf(what, sizeof what, "pretraining 784-%zu-%zu: autoencoders, denoising "
                 "autoencoders, RBMs", d->p.hidden[0], d->p.hidden[1]);
        stage(d, 3, what);
        rc = pretrain(d, &st);
    }
    if (!rc)
        rc = draw_filters(d, UDL_KIND_STACKED_AUTOENCODER, st.dae, "filters-ae.png",
                          "denoising autoencoder: first-layer features",
                          "Units 1-100 of the first layer: W[:, j] / |W[:, j]|, each from its "
                          "lowest (black) to its highest (white) weight.") ||
             draw_filters(d, UDL_KIND_DBN, st.dbn, "filters-rbm.png",
                          "RBM: first-layer features",
                          "Units 1-100 of the deep belief net's first RBM: W[:, j] / |W[:, j]|, "
                          "each from its lowest (black) to its highest (white) weight.") ||
             draw_samples(d, st.dbn);
    if (!rc) {
        stage(d, 4, "fine-tuning a classifier from each pretraining");
        rc = fine_tune(d, &st, nets);
    }
    if (!rc) {
        pair[0] = nets[d->r.standard];
        stage(d, 5, "feature visualization");
        rc = draw_featviz(d, pair[0]) || save_copy(d, pair[0], "dnn.udl", &pair[1]);
    }
    if (!rc) {
        snprintf(what, sizeof what, "deep autoencoder 784-%zu-%zu-%zu", d->p.deep[0],
                 d->p.deep[1], d->p.deep[2]);
        stage(d, 6, what);
        rc = run_deep_ae(d, shown, recon);
    }
    if (!rc) {
        stage(d, 7, "adversarial training (PGD-3 at 0.1)");
        rc = adversarial_training(d, pair[1]);
    }
    if (!rc) {
        stage(d, 8, "attacks: FGSM and PGD-10 against both classifiers");
        rc = draw_attack(d, pair[0]) || robustness(d, pair);
    }
    stage(d, -1, NULL);
    const double total = cli_now() - t0;
    if (!rc)
        rc = write_report(d, total);
    if (!rc && d->json)
        write_json(d, total);
    else if (!rc)
        printf("udl demo (%s): pictures and report.html in %s/ (%.1f min)\n", d->p.name,
               d->out, total / 60.0);
    free(codes);
    free(recon);
    udl_sae_free(st.ae);
    udl_sae_free(st.dae);
    udl_dbn_free(st.dbn);
    for (int k = 0; k < N_PRETRAIN; k++)
        udl_dnn_free(nets[k]);
    udl_dnn_free(pair[1]);
    return rc;
}

int cmd_demo(int argc, char **argv)
{
    static const struct option options[] = {{"quick", no_argument, 0, 'q'},
                                            {"output", required_argument, 0, 'o'},
                                            {"data", required_argument, 0, 'd'},
                                            {"json", no_argument, 0, 'j'},
                                            {"help", no_argument, 0, 'h'},
                                            {0, 0, 0, 0}};
    demo d;
    memset(&d, 0, sizeof d);
    d.p = full_plan;
    d.out = "udl-demo";
    d.data = "/usr/share/datasets/fashion-mnist";
    d.stage = -1;
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:", options, NULL)) != -1) {
        switch (c) {
        case 'q': d.p = quick_plan; break;
        case 'o': d.out = optarg; break;
        case 'd': d.data = optarg; break;
        case 'j': d.json = 1; break;
        case 'h': fputs(usage, stdout); return 0;
        case ':': return cli_error("demo", "option %s needs a value", argv[optind - 1]);
        default: return cli_error("demo", "unknown option %s (see udl demo --help)",
                                  argv[optind - 1]);
        }
    }
    if (optind < argc)
        return cli_error("demo", "unexpected argument '%s' (see udl demo --help)", argv[optind]);
    d.quiet = cli_quiet();
    const int rc = run(&d);
    udl_array_free(&d.train_x);
    udl_array_free(&d.train_y);
    udl_array_free(&d.test_x);
    udl_array_free(&d.test_y);
    return rc;
}
