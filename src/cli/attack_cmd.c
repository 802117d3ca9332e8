/* udl attack: adversarial examples against a saved classifier, how far they move it, and
 * a figure of some of them. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "plot.h"

static const char usage[] =
    "usage: udl attack --model M.udl -i X -l y --method METHOD -o Xadv.npy [--eps E]\n"
    "                  [--steps S] [--step-size A] [--restarts R] [--target K] [--seed S]\n"
    "                  [--png examples.png] [--shape HxW] [--json]\n"
    "\n"
    "Adversarial examples for the rows of X (values in [0, 1]) against a classifier\n"
    "(udl train --model dnn), whose true labels are y. METHOD is one of\n"
    "  fgsm      x + E sign(grad) (Goodfellow et al. 2014)\n"
    "  fgm-l2    x + E grad / |grad|_2\n"
    "  bim       S steps of A sign(grad), kept within E of x in every value\n"
    "  pgd       the same from a random start in that box, the best of R restarts\n"
    "            (Madry et al. 2018)\n"
    "  pgd-l2    the same in the L2 ball of radius E\n"
    "  deepfool  the smallest L2 step to the nearest decision boundary, up to S\n"
    "            iterations (default 50; Moosavi-Dezfooli et al. 2016); no --eps\n"
    "Defaults: --eps 0.1 --steps 10 --step-size 2.5 E / S --restarts 1 --seed 1 (the\n"
    "random starts). The examples are kept in [0, 1]. --target K makes every row's label K\n"
    "and the attack aims at it. Prints the accuracy on X and on the examples, for a\n"
    "targeted attack how often the target was reached, the perturbations' mean L-inf and L2\n"
    "norms, and for deepfool their median L2 norm over all rows.\n"
    "  -o Xadv.npy       the examples, N x D float64\n"
    "  --png F.png       a figure of up to 8 examples: the input, the perturbation and\n"
    "                    the example, with the labels before and after\n"
    "  --shape HxW       the images' shape in the figure (default: square)\n"
    "  --json            print the results as one JSON object\n";

typedef struct attack_args {
    const char *model, *input, *labels, *output, *png, *shape;
    udl_attack_params p;
    size_t target;
    int have_method, json;
    unsigned given; /* the method-specific options given (G_*) */
} attack_args;

enum { G_EPS = 1, G_STEPS = 2, G_STEP_SIZE = 4, G_RESTARTS = 8, G_TARGET = 16, G_SEED = 32 };

static int parse_method(const char *s, attack_args *a)
{
    udl_attack_method m;
    if (cli_attack_method(s, &m))
        return cli_error("attack", "--method is fgsm, fgm-l2, bim, pgd, pgd-l2 or deepfool, "
                         "got '%s'", s);
    const udl_attack_params d = udl_attack_params_default(m);
    a->p.method = m;
    a->p.steps = d.steps; /* DeepFool's default differs; the other fields do not */
    a->have_method = 1;
    return 0;
}

/* The options that only some methods take. */
static int check_method_options(const attack_args *a)
{
    const udl_attack_method m = a->p.method;
    const int pgd = m == UDL_ATTACK_PGD || m == UDL_ATTACK_PGD_L2;
    const int deepfool = m == UDL_ATTACK_DEEPFOOL;
    static const struct {
        unsigned flag;
        const char *sentence;
    } only[] = {{G_EPS, "--eps bounds the other attacks; deepfool finds its own distance"},
                {G_STEPS, "--steps is for bim, pgd, pgd-l2 and deepfool"},
                {G_STEP_SIZE, "--step-size is for bim, pgd and pgd-l2"},
                {G_RESTARTS, "--restarts is for pgd and pgd-l2"},
                {G_TARGET, "--target is for the other attacks; deepfool is untargeted"},
                {G_SEED, "--seed is for pgd and pgd-l2 (their random starts)"}};
    const int takes[] = {!deepfool, cli_attack_iterative(m) || deepfool,
                         cli_attack_iterative(m), pgd, !deepfool, pgd};
    for (size_t i = 0; i < sizeof only / sizeof only[0]; i++)
        if ((a->given & only[i].flag) && !takes[i])
            return cli_error("attack", "%s", only[i].sentence);
    return 0;
}

static int parse_args(int argc, char **argv, attack_args *a)
{
    enum { O_METHOD = 256, O_EPS, O_STEPS, O_STEP_SIZE, O_RESTARTS, O_TARGET, O_SEED, O_PNG,
           O_SHAPE, O_JSON };
    static const struct option options[] = {
        {"model", required_argument, 0, 'm'},       {"input", required_argument, 0, 'i'},
        {"labels", required_argument, 0, 'l'},      {"output", required_argument, 0, 'o'},
        {"method", required_argument, 0, O_METHOD}, {"eps", required_argument, 0, O_EPS},
        {"steps", required_argument, 0, O_STEPS},
        {"step-size", required_argument, 0, O_STEP_SIZE},
        {"restarts", required_argument, 0, O_RESTARTS},
        {"target", required_argument, 0, O_TARGET}, {"seed", required_argument, 0, O_SEED},
        {"png", required_argument, 0, O_PNG},       {"shape", required_argument, 0, O_SHAPE},
        {"json", no_argument, 0, O_JSON},           {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    memset(a, 0, sizeof *a);
    a->p = udl_attack_params_default(UDL_ATTACK_FGSM);
    opterr = 0;
    optind = 1;
    int rc = 0;
    for (int c; !rc && (c = getopt_long(argc, argv, ":m:i:l:o:h", options, NULL)) != -1;) {
        switch (c) {
        case 'm': a->model = optarg; break;
        case 'i': a->input = optarg; break;
        case 'l': a->labels = optarg; break;
        case 'o': a->output = optarg; break;
        case O_METHOD: rc = parse_method(optarg, a); break;
        case O_EPS:
            rc = cli_parse_double("attack", "--eps", optarg, &a->p.eps);
            if (!rc && !(a->p.eps > 0.0))
                rc = cli_error("attack", "--eps needs a positive number, got '%s'", optarg);
            a->given |= G_EPS;
            break;
        case O_STEPS:
            rc = cli_parse_size("attack", "--steps", optarg, 1, CLI_COUNT_MAX, &a->p.steps);
            a->given |= G_STEPS;
            break;
        case O_STEP_SIZE:
            rc = cli_parse_double("attack", "--step-size", optarg, &a->p.step_size);
            if (!rc && !(a->p.step_size > 0.0))
                rc = cli_error("attack", "--step-size needs a positive number, got '%s'",
                               optarg);
            a->given |= G_STEP_SIZE;
            break;
        case O_RESTARTS:
            rc = cli_parse_size("attack", "--restarts", optarg, 1, CLI_COUNT_MAX,
                                &a->p.restarts);
            a->given |= G_RESTARTS;
            break;
        case O_TARGET:
            rc = cli_parse_size("attack", "--target", optarg, 0, CLI_COUNT_MAX, &a->target);
            a->p.targeted = 1;
            a->given |= G_TARGET;
            break;
        case O_SEED:
            rc = cli_parse_seed("attack", "--seed", optarg, &a->p.seed);
            a->given |= G_SEED;
            break;
        case O_PNG: a->png = optarg; break;
        case O_SHAPE: a->shape = optarg; break;
        case O_JSON: a->json = 1; break;
        case 'h': fputs(usage, stdout); exit(0);
        case ':': rc = cli_error("attack", "option %s needs a value", argv[optind - 1]); break;
        default:
            rc = cli_error("attack", "unknown option %s (see udl attack --help)",
                           argv[optind - 1]);
        }
    }
    if (rc)
        return rc;
    if (optind < argc)
        return cli_error("attack", "unexpected argument '%s'", argv[optind]);
    if (!a->model || !a->input || !a->labels || !a->have_method || !a->output)
        return cli_error("attack", "needs --model, -i, -l, --method and -o (see udl attack "
                         "--help)");
    if (a->shape && !a->png)
        return cli_error("attack", "--shape is the shape of the --png figure's images; give "
                         "--png");
    return check_method_options(a);
}

/* ---- the run ------------------------------------------------------------------------------ */

/* What the attack did to each row, and the figures the tool reports. */
typedef struct outcome {
    double *before, *after, *linf, *l2; /* per row, as udl_attack_report */
    double clean, adversarial, success, changed, mean_linf, mean_l2, median_l2;
} outcome;

static int compare_doubles(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The rates and norms over the n rows; scratch holds n values. */
static void summarise(outcome *o, const double *y, const attack_args *a, size_t n,
                      double *scratch)
{
    double clean = 0, adversarial = 0, success = 0, changed = 0, linf = 0, l2 = 0;
    for (size_t i = 0; i < n; i++) {
        clean += o->before[i] == y[i];
        adversarial += o->after[i] == y[i];
        success += o->after[i] == (double)a->target;
        changed += o->after[i] != o->before[i];
        linf += o->linf[i];
        l2 += o->l2[i];
    }
    const double rows = (double)n;
    o->clean = clean / rows;
    o->adversarial = adversarial / rows;
    o->success = a->p.targeted ? success / rows : NAN;
    o->changed = changed / rows;
    o->mean_linf = linf / rows;
    o->mean_l2 = l2 / rows;
    memcpy(scratch, o->l2, n * sizeof(double));
    qsort(scratch, n, sizeof(double), compare_doubles);
    o->median_l2 = n % 2 ? scratch[n / 2] : 0.5 * (scratch[n / 2 - 1] + scratch[n / 2]);
}

/* What the attack was, in words, for the report (in ASCII) and the figure's caption. */
static void describe(const attack_args *a, int figure, char *buf, size_t size)
{
    static const char *const names[] = {"FGSM", "FGM-L2", "BIM", "PGD", "PGD-L2", "DeepFool"};
    const udl_attack_params *p = &a->p;
    const int l2 = p->method == UDL_ATTACK_FGM_L2 || p->method == UDL_ATTACK_PGD_L2;
    int at = snprintf(buf, size, "%s", names[p->method]);
    if (p->method == UDL_ATTACK_DEEPFOOL)
        at += snprintf(buf + at, size - (size_t)at, ", up to %zu iterations, overshoot %g",
                       p->steps, p->overshoot);
    else
        at += snprintf(buf + at, size - (size_t)at, ", %s %s = %g",
                       l2 ? "L2" : figure ? "L\u221e" : "L-inf", figure ? "\u03b5" : "eps",
                       p->eps);
    if (cli_attack_iterative(p->method))
        at += snprintf(buf + at, size - (size_t)at, ", %zu steps of %.3g", p->steps,
                       p->step_size > 0 ? p->step_size : 2.5 * p->eps / (double)p->steps);
    if (p->method == UDL_ATTACK_PGD || p->method == UDL_ATTACK_PGD_L2)
        at += snprintf(buf + at, size - (size_t)at, ", %zu restart%s", p->restarts,
                       p->restarts == 1 ? "" : "s");
    if (p->targeted)
        snprintf(buf + at, size - (size_t)at, ", target %zu", a->target);
}

/* Up to 8 examples for the figure: first the rows the attack succeeded on (a right label
 * made wrong; targeted: the target reached from another label), then the others, in
 * order. */
static int draw_figure(const attack_args *a, udl_mat x, udl_mat xadv, const double *y,
                       const outcome *o, size_t h, size_t w)
{
    plot_example ex[8];
    size_t n = 0;
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < x.rows && n < 8; i++) {
            const double t = (double)a->target;
            const int success = a->p.targeted ? o->before[i] != t && o->after[i] == t
                                              : o->before[i] == y[i] && o->after[i] != y[i];
            if (success != (pass == 0))
                continue;
            ex[n++] = (plot_example){x.data + i * x.ld, xadv.data + i * xadv.ld, y[i],
                                     a->p.targeted ? t : NAN, o->before[i], o->after[i]};
        }
    char what[256], err[512];
    describe(a, 1, what, sizeof what);
    if (plot_attack(a->png, ex, n, h, w, what, NULL, 0, err, sizeof err))
        return cli_error("attack", "%s", err);
    return 0;
}

static void report(const attack_args *a, const outcome *o, size_t n, double seconds)
{
    const int deepfool = a->p.method == UDL_ATTACK_DEEPFOOL;
    if (!a->json) {
        char what[256];
        describe(a, 0, what, sizeof what);
        printf("%s on %zu rows (%.1f s) -> %s\n", what, n, seconds, a->output);
        printf("  accuracy %.2f%% clean, %.2f%% adversarial; labels changed on %.2f%% of rows\n",
               100.0 * o->clean, 100.0 * o->adversarial, 100.0 * o->changed);
        if (a->p.targeted)
            printf("  target %zu reached on %.2f%% of rows\n", a->target, 100.0 * o->success);
        printf("  perturbation: mean L-inf %.4g, mean L2 %.4g\n", o->mean_linf, o->mean_l2);
        if (deepfool)
            printf("  median L2 distance %.4g, over all %zu rows (those whose label did not "
                   "change included)\n", o->median_l2, n);
        return;
    }
    cli_json j;
    cli_json_begin(&j);
    cli_json_string(&j, "command", "attack");
    cli_json_string(&j, "model", "dnn");
    cli_json_string(&j, "method", cli_attack_name(a->p.method));
    if (!deepfool)
        cli_json_number(&j, "eps", a->p.eps);
    if (cli_attack_iterative(a->p.method) || deepfool)
        cli_json_number(&j, "steps", (double)a->p.steps);
    if (a->p.targeted)
        cli_json_number(&j, "target", (double)a->target);
    cli_json_number(&j, "n_samples", (double)n);
    cli_json_number(&j, "clean_accuracy", o->clean);
    cli_json_number(&j, "adversarial_accuracy", o->adversarial);
    if (a->p.targeted)
        cli_json_number(&j, "success_rate", o->success);
    cli_json_number(&j, "changed", o->changed);
    cli_json_number(&j, "mean_linf", o->mean_linf);
    cli_json_number(&j, "mean_l2", o->mean_l2);
    if (deepfool)
        cli_json_number(&j, "median_l2", o->median_l2);
    cli_json_number(&j, "seconds", seconds);
    cli_json_end(&j);
}

/* The attack on X (labels y, checked by the classifier's evaluation first), its outputs
 * and report. */
static int attack(const attack_args *a, const udl_dnn *dnn, udl_mat x, udl_mat y)
{
    size_t n_sizes;
    const size_t *sizes = udl_dnn_sizes(dnn, &n_sizes), k = sizes[n_sizes - 1];
    if (a->p.targeted && a->target >= k)
        return cli_error("attack", "--target %zu, but the classifier's classes are 0 to %zu",
                         a->target, k - 1);
    size_t h = 0, w = 0;
    udl_dnn_eval ev;
    udl_status s;
    if (a->png && cli_tile_shape("attack", "--shape", a->shape, x.cols, &h, &w))
        return 1;
    if ((s = udl_dnn_evaluate(dnn, x, y, &ev, NULL, NULL)))
        return cli_status("attack", s);
    const double t0 = cli_now();
    const size_t n = x.rows, d = x.cols;
    double *buf = malloc((n * d + 6 * n) * sizeof(double));
    if (!buf)
        return cli_error("attack", "out of memory for %zu adversarial examples of %zu values",
                         n, d);
    udl_mat xadv = udl_mat_view(buf, n, d), targets = udl_mat_view(buf + n * d, n, 1);
    outcome o = {.before = buf + n * d + n, .after = buf + n * d + 2 * n,
                 .linf = buf + n * d + 3 * n, .l2 = buf + n * d + 4 * n};
    for (size_t i = 0; i < n; i++)
        targets.data[i] = a->p.targeted ? (double)a->target : y.data[i * y.ld];
    udl_attack_report r = {o.before, o.after, o.linf, o.l2};
    int rc = 0;
    if ((s = udl_attack(dnn, &a->p, x, targets, xadv, &r)))
        rc = cli_status("attack", s);
    else if ((s = udl_npy_write(a->output, xadv)))
        rc = cli_status("attack", s);
    else {
        for (size_t i = 0; i < n; i++) /* the labels, contiguous */
            targets.data[i] = y.data[i * y.ld];
        summarise(&o, targets.data, a, n, buf + n * d + 5 * n);
        if (a->png && draw_figure(a, x, xadv, targets.data, &o, h, w)) {
            remove(a->output);
            rc = 1;
        }
    }
    if (!rc)
        report(a, &o, n, cli_now() - t0);
    free(buf);
    return rc;
}

int cmd_attack(int argc, char **argv)
{
    attack_args a;
    if (parse_args(argc, argv, &a))
        return 1;
    udl_model *m;
    udl_array x, y;
    if (cli_open("attack", a.model, a.input, &m, &x))
        return 1;
    int rc;
    udl_status s;
    if (udl_model_kind(m) != UDL_KIND_DNN)
        rc = cli_error("attack", "%s holds a model of kind %s; attack takes a classifier (dnn)",
                       a.model, udl_kind_name(udl_model_kind(m)));
    else if ((s = cli_read(a.labels, &y)))
        rc = cli_status("attack", s);
    else {
        rc = attack(&a, udl_model_object(m), udl_array_mat(&x), udl_array_mat(&y));
        udl_array_free(&y);
    }
    udl_array_free(&x);
    udl_model_free(m);
    return rc;
}
