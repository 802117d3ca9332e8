/* Adversarial examples (udl/adversarial.h) against classifiers on Fashion-MNIST's 10,000
 * test images. usage: bench_attack mode=MODE model=FILE [key=value ...]
 *
 * mode=eval   the model's test accuracy clean, under FGSM and under PGD (steps=10,
 *             step 2.5 eps / steps, one random start) at each eps in eps=0.05,0.1,0.2,
 *             and DeepFool's median L2 distance over the first n_deepfool=10000 test
 *             images (DeepFool: 50 iterations, overshoot 0.02; an image it did not flip
 *             counts at its last distance).
 * mode=train  adversarial training: the classifier in model= (or, with layers=, a new
 *             one: layers=1000,1000 act=relu) trained epochs=10 more epochs by
 *             udl_adversarial_train with attack=pgd:0.1:7 (fgsm:EPS, pgd:EPS:STEPS),
 *             alpha=0.5, batch=128 lr=0.05 momentum=0.9 decay=exp:0.95 hdrop=0, seed=1,
 *             on the 60,000 training images; out=FILE saves it. Prints its clean and
 *             PGD-10 test accuracy at the attack's eps, and the seconds.
 * mode=speed  seconds to attack n=10000 test images with FGSM at eps 0.1, PGD-10 at
 *             eps 0.1 and DeepFool (best of reps=3 runs each), for run_attack.sh to set
 *             against PyTorch on the same weights. Prints RESULT lines.
 * Every mode prints what it measured. A malformed argument exits 2 with a sentence. */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <udl/udl.h>

#define DIR "/usr/share/datasets/fashion-mnist/"
#define MAX_LIST 8

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int fail(udl_status s)
{
    fprintf(stderr, "bench_attack: %s: %s\n", udl_status_str(s), udl_last_error());
    return 1;
}

static int usage(const char *arg)
{
    fprintf(stderr, "bench_attack: unknown or malformed argument '%s' (see the comment at the "
            "top of tests/bench/bench_attack.c)\n", arg);
    return 2;
}

static int parse_num(const char *v, double *out)
{
    char *end;
    *out = strtod(v, &end);
    return *v && !*end && isfinite(*out);
}

static int parse_size(const char *v, size_t *out)
{
    char *end;
    if (*v < '0' || *v > '9')
        return 0;
    unsigned long long u = strtoull(v, &end, 10);
    *out = (size_t)u;
    return !*end && u <= (1ULL << 24);
}

/* "0.05,0.1,0.2" -> values; their count, 0 if malformed */
static size_t parse_nums(const char *v, double *out, size_t max)
{
    size_t n = 0;
    char buf[256];
    snprintf(buf, sizeof buf, "%s", v);
    for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        if (n == max || !parse_num(tok, &out[n]) || out[n] <= 0.0)
            return 0;
        n++;
    }
    return n;
}

/* fgsm:EPS, pgd:EPS:STEPS, pgd-l2:EPS:STEPS, bim:EPS:STEPS */
static int parse_attack(const char *v, udl_attack_params *p)
{
    char name[16];
    double eps;
    size_t steps = 10;
    int used = 0, more = 0;
    if (sscanf(v, "%15[a-z0-9-]:%lf%n", name, &eps, &used) != 2)
        return 0;
    if (v[used] == ':') {
        if (sscanf(v + used, ":%zu%n", &steps, &more) != 1 || v[used + more])
            return 0;
    } else if (v[used]) {
        return 0;
    }
    const udl_attack_method m = strcmp(name, "fgsm") == 0     ? UDL_ATTACK_FGSM
                                : strcmp(name, "pgd") == 0    ? UDL_ATTACK_PGD
                                : strcmp(name, "pgd-l2") == 0 ? UDL_ATTACK_PGD_L2
                                : strcmp(name, "bim") == 0    ? UDL_ATTACK_BIM
                                                              : UDL_ATTACK_DEEPFOOL;
    if (m == UDL_ATTACK_DEEPFOOL || !(eps > 0.0) || steps == 0)
        return 0;
    *p = udl_attack_params_default(m);
    p->eps = eps;
    p->steps = steps;
    return 1;
}

static udl_status read_set(const char *images, const char *labels, udl_array *x, udl_array *y)
{
    udl_status s = udl_idx_read(images, 0, x);
    return s ? s : udl_idx_read(labels, 0, y);
}

static double accuracy_of(const double *pred, udl_mat y)
{
    size_t right = 0;
    for (size_t i = 0; i < y.rows; i++)
        right += pred[i] == y.data[i * y.ld];
    return (double)right / (double)y.rows;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Accuracy under one attack, and the seconds the attack alone took (the predictions
 * after it are not timed, as the PyTorch reference does not time its own). */
static udl_status attacked_accuracy(const udl_dnn *dnn, const udl_attack_params *p, udl_mat x,
                                    udl_mat y, double *adv, double *after, double *acc,
                                    double *seconds)
{
    udl_mat am = udl_mat_view(adv, x.rows, x.cols);
    double t = now();
    udl_status s = udl_attack(dnn, p, x, y, am, NULL);
    *seconds = now() - t;
    if (!s && !(s = udl_dnn_predict(dnn, am, udl_mat_view(after, x.rows, 1))))
        *acc = accuracy_of(after, y);
    return s;
}

static int run_eval(const udl_dnn *dnn, udl_mat x, udl_mat y, const double *eps, size_t n_eps,
                    size_t steps, size_t n_deepfool)
{
    double *adv = malloc(x.rows * x.cols * sizeof(double));
    double *after = malloc(x.rows * sizeof(double)), *l2 = malloc(x.rows * sizeof(double));
    udl_dnn_eval e;
    udl_status s = udl_dnn_evaluate(dnn, x, y, &e, NULL, NULL);
    if (s)
        return fail(s);
    printf("clean test accuracy %.4f on %zu images\n", e.accuracy, x.rows);
    printf("%-8s %-12s %-12s %s\n", "eps", "FGSM", "PGD-10", "seconds (FGSM, PGD)");
    for (size_t k = 0; k < n_eps; k++) {
        udl_attack_params f = udl_attack_params_default(UDL_ATTACK_FGSM);
        udl_attack_params g = udl_attack_params_default(UDL_ATTACK_PGD);
        f.eps = g.eps = eps[k];
        g.steps = steps;
        double af, ag, tf, tg;
        if ((s = attacked_accuracy(dnn, &f, x, y, adv, after, &af, &tf)) ||
            (s = attacked_accuracy(dnn, &g, x, y, adv, after, &ag, &tg)))
            return fail(s);
        printf("%-8.3g %-12.4f %-12.4f %.1f, %.1f\n", eps[k], af, ag, tf, tg);
        printf("RESULT fgsm_%g=%.4f pgd_%g=%.4f\n", eps[k], af, eps[k], ag);
    }
    if (n_deepfool) {
        udl_mat xd = udl_mat_rows(x, 0, n_deepfool), yd = udl_mat_rows(y, 0, n_deepfool);
        udl_attack_params d = udl_attack_params_default(UDL_ATTACK_DEEPFOOL);
        double before[10000];
        udl_attack_report rep = {n_deepfool <= 10000 ? before : NULL, after, NULL, l2};
        double t = now();
        if ((s = udl_attack(dnn, &d, xd, yd, udl_mat_view(adv, xd.rows, xd.cols), &rep)))
            return fail(s);
        t = now() - t;
        size_t flipped = 0;
        for (size_t i = 0; i < n_deepfool; i++)
            flipped += after[i] != before[i];
        qsort(l2, n_deepfool, sizeof(double), cmp_double);
        const double median = n_deepfool % 2 ? l2[n_deepfool / 2]
                                             : 0.5 * (l2[n_deepfool / 2 - 1] + l2[n_deepfool / 2]);
        printf("DeepFool on %zu images: median L2 distance %.4f (labels changed: %zu), %.1f s\n",
               n_deepfool, median, flipped, t);
        printf("RESULT deepfool_median_l2=%.4f\n", median);
    }
    free(adv);
    free(after);
    free(l2);
    return 0;
}

int main(int argc, char **argv)
{
    const char *mode = NULL, *model = NULL, *out = NULL;
    double eps[MAX_LIST] = {0.05, 0.1, 0.2}, alpha = 0.5, lr = 0.05, momentum = 0.9;
    double hdrop = 0.0, decay = 0.95;
    size_t n_eps = 3, steps = 10, n_deepfool = 10000, n = 10000, reps = 3, epochs = 10;
    size_t batch = 128, layers[MAX_LIST] = {1000, 1000}, n_layers = 0;
    uint64_t seed = 1;
    udl_activation act = UDL_ACT_RELU;
    udl_attack_params attack = udl_attack_params_default(UDL_ATTACK_PGD);
    attack.steps = 7;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = strchr(a, '=');
        if (!v)
            return usage(a);
        const size_t k = (size_t)(v++ - a);
        int ok = 1;
        size_t sz;
#define KEY(name) (k == strlen(name) && strncmp(a, name, k) == 0)
        if (KEY("mode"))
            mode = v;
        else if (KEY("model"))
            model = v;
        else if (KEY("out"))
            out = v;
        else if (KEY("eps"))
            ok = (n_eps = parse_nums(v, eps, MAX_LIST)) > 0;
        else if (KEY("steps"))
            ok = parse_size(v, &steps) && steps > 0;
        else if (KEY("n_deepfool"))
            ok = parse_size(v, &n_deepfool) && n_deepfool <= 10000;
        else if (KEY("n"))
            ok = parse_size(v, &n) && n > 0 && n <= 10000;
        else if (KEY("reps"))
            ok = parse_size(v, &reps) && reps > 0;
        else if (KEY("epochs"))
            ok = parse_size(v, &epochs) && epochs > 0;
        else if (KEY("batch"))
            ok = parse_size(v, &batch) && batch > 0;
        else if (KEY("seed"))
            ok = parse_size(v, &sz), seed = sz;
        else if (KEY("attack"))
            ok = parse_attack(v, &attack);
        else if (KEY("alpha"))
            ok = parse_num(v, &alpha) && alpha >= 0.0 && alpha <= 1.0;
        else if (KEY("lr"))
            ok = parse_num(v, &lr) && lr > 0.0;
        else if (KEY("momentum"))
            ok = parse_num(v, &momentum) && momentum >= 0.0 && momentum < 1.0;
        else if (KEY("hdrop"))
            ok = parse_num(v, &hdrop) && hdrop >= 0.0 && hdrop < 1.0;
        else if (KEY("decay"))
            ok = sscanf(v, "exp:%lf", &decay) == 1 && decay > 0.0 && decay <= 1.0;
        else if (KEY("act"))
            ok = (act = strcmp(v, "relu") == 0      ? UDL_ACT_RELU
                        : strcmp(v, "tanh") == 0    ? UDL_ACT_TANH
                        : strcmp(v, "sigmoid") == 0 ? UDL_ACT_SIGMOID
                                                    : UDL_ACT_SOFTMAX) != UDL_ACT_SOFTMAX;
        else if (KEY("layers")) {
            n_layers = 0;
            char buf[256];
            snprintf(buf, sizeof buf, "%s", v);
            for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok && ok;
                 tok = strtok_r(NULL, ",", &save))
                ok = n_layers < MAX_LIST && parse_size(tok, &layers[n_layers++]) &&
                     layers[n_layers - 1] > 0;
            ok = ok && n_layers > 0;
        } else
            ok = 0;
#undef KEY
        if (!ok)
            return usage(a);
    }
    if (!mode || (strcmp(mode, "eval") && strcmp(mode, "train") && strcmp(mode, "speed")))
        return usage(mode ? mode : "mode= (eval, train or speed)");
    if (!model && !(strcmp(mode, "train") == 0 && n_layers))
        return usage("model= (a classifier file)");

    udl_array xt = {0}, yt = {0};
    udl_status s = read_set(DIR "t10k-images-idx3-ubyte.gz", DIR "t10k-labels-idx1-ubyte.gz",
                            &xt, &yt);
    if (s)
        return fail(s);
    udl_dnn *dnn = NULL;
    if (model && (s = udl_dnn_load(model, &dnn)))
        return fail(s);
    udl_mat x = udl_array_mat(&xt), y = udl_array_mat(&yt);
    int rc = 0;
    if (strcmp(mode, "eval") == 0) {
        if (n_deepfool > x.rows)
            n_deepfool = x.rows;
        rc = run_eval(dnn, x, y, eps, n_eps, steps, n_deepfool);
    } else if (strcmp(mode, "speed") == 0) {
        udl_mat xs = udl_mat_rows(x, 0, n), ys = udl_mat_rows(y, 0, n);
        double *adv = malloc(n * 784 * sizeof(double)), *after = malloc(n * sizeof(double));
        const udl_attack_method methods[3] = {UDL_ATTACK_FGSM, UDL_ATTACK_PGD,
                                              UDL_ATTACK_DEEPFOOL};
        const char *names[3] = {"fgsm", "pgd10", "deepfool"};
        for (size_t m = 0; m < 3 && !rc; m++) {
            udl_attack_params p = udl_attack_params_default(methods[m]);
            double best = INFINITY, acc = 0.0;
            for (size_t r = 0; r < reps && !rc; r++) {
                double t;
                if ((s = attacked_accuracy(dnn, &p, xs, ys, adv, after, &acc, &t)))
                    rc = fail(s);
                best = t < best ? t : best;
            }
            printf("udl %s on %zu images%s: %.3f s (best of %zu), accuracy %.4f\n", names[m],
                   n, m < 2 ? " at eps 0.1" : "", best, reps, acc);
            printf("RESULT udl_%s_seconds=%.4f\n", names[m], best);
        }
        free(adv);
        free(after);
    } else {
        udl_array xtr = {0}, ytr = {0};
        if ((s = read_set(DIR "train-images-idx3-ubyte.gz", DIR "train-labels-idx1-ubyte.gz",
                          &xtr, &ytr)))
            return fail(s);
        if (!dnn) {
            size_t sizes[MAX_LIST + 2] = {784};
            memcpy(sizes + 1, layers, n_layers * sizeof(size_t));
            sizes[n_layers + 1] = 10;
            udl_dnn_params p = udl_dnn_params_default();
            p.activation = act;
            if ((s = udl_dnn_create(&p, sizes, n_layers + 2, &dnn)))
                return fail(s);
        }
        udl_dnn_params p = udl_dnn_get_params(dnn);
        p.train.epochs = epochs;
        p.train.batch_size = batch;
        p.train.sgd.learning_rate = lr;
        p.train.sgd.momentum = momentum;
        p.train.seed = seed;
        p.train.decay = decay < 1.0 ? UDL_DECAY_EXPONENTIAL : UDL_DECAY_NONE;
        p.train.decay_rate = decay;
        p.hidden_dropout = hdrop;
        p.input_dropout = 0.0;
        p.valid_fraction = 0.0;
        p.patience = 0;
        if ((s = udl_dnn_set_params(dnn, &p)))
            return fail(s);
        printf("adversarial training: %s eps %g, %zu steps, alpha %g, %zu epochs of %zu, lr %g\n",
               attack.method == UDL_ATTACK_FGSM ? "FGSM" : "PGD", attack.eps, attack.steps,
               alpha, epochs, batch, lr);
        double t = now();
        s = udl_adversarial_train(dnn, &attack, alpha, udl_array_mat(&xtr), udl_array_mat(&ytr),
                                  NULL, NULL, NULL, NULL);
        t = now() - t;
        if (s)
            return fail(s);
        printf("trained in %.1f s\n", t);
        if (out && (s = udl_dnn_save(dnn, out)))
            return fail(s);
        double e1[1] = {attack.eps};
        rc = run_eval(dnn, x, y, e1, 1, 10, 0);
        udl_array_free(&xtr);
        udl_array_free(&ytr);
    }
    udl_dnn_free(dnn);
    udl_array_free(&xt);
    udl_array_free(&yt);
    return rc;
}
