/* The classifier in the tool: udl train --model dnn (its options and its run), udl predict
 * and udl eval. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "train.h"

/* The most classes the tool makes a net for: enough for any labelled data set, and a
 * stray label such as 1e9 cannot ask for an absurd output layer. */
#define CLASSES_MAX ((size_t)1 << 16)

/* ---- udl train --model dnn: options ------------------------------------------------------ */

void dnn_args_init(dnn_args *d)
{
    memset(d, 0, sizeof *d);
    d->params = udl_dnn_params_default();
    d->pretrain_lr = NAN;
    d->adversarial_alpha = NAN;
}

static int parse_activation(const char *s, udl_activation *act)
{
    static const udl_activation hidden[] = {UDL_ACT_SIGMOID, UDL_ACT_TANH, UDL_ACT_RELU};
    for (size_t i = 0; i < sizeof hidden / sizeof hidden[0]; i++)
        if (strcmp(s, udl_activation_name(hidden[i])) == 0) {
            *act = hidden[i];
            return 0;
        }
    return cli_error("train", "--activation is sigmoid, tanh or relu, got '%s'", s);
}

/* "HIDDEN" or "INPUT,HIDDEN": one number is the hidden layers' rate (the usual 0.5, as
 * Srivastava et al. 2014); inputs are dropped only when asked, at their own rate. */
static int parse_dropout(const char *s, udl_dnn_params *p)
{
    char buf[128];
    if (strlen(s) >= sizeof buf)
        return cli_error("train", "--dropout is too long (%zu characters)", strlen(s));
    snprintf(buf, sizeof buf, "%s", s);
    char *comma = strchr(buf, ',');
    if (comma)
        *comma = '\0';
    double in = 0.0, hid;
    if (comma && strchr(comma + 1, ','))
        return cli_error("train", "--dropout takes HIDDEN or INPUT,HIDDEN, got '%s'", s);
    if ((comma && cli_parse_double("train", "--dropout", buf, &in)) ||
        cli_parse_double("train", "--dropout", comma ? comma + 1 : buf, &hid))
        return 1;
    if (!(in >= 0.0 && in < 1.0 && hid >= 0.0 && hid < 1.0))
        return cli_error("train", "--dropout takes probabilities in [0, 1), got '%s'", s);
    p->input_dropout = in;
    p->hidden_dropout = hid;
    return 0;
}

/* METHOD:EPS for the one-step attacks, METHOD:EPS:STEPS for the iterative ones. */
static int parse_adversarial(const char *s, dnn_args *d)
{
    char buf[128], *f[3];
    const size_t n = split_colons(s, buf, sizeof buf, f, 3);
    udl_attack_method m;
    if (n > 3 || cli_attack_method(f[0], &m) || m == UDL_ATTACK_DEEPFOOL ||
        n != (cli_attack_iterative(m) ? 3u : 2u))
        return cli_error("train", "--adversarial takes fgsm:EPS, fgm-l2:EPS, bim:EPS:STEPS, "
                         "pgd:EPS:STEPS or pgd-l2:EPS:STEPS, got '%s'", s);
    d->attack = udl_attack_params_default(m);
    if (cli_parse_double("train", "--adversarial's EPS", f[1], &d->attack.eps) ||
        (n == 3 &&
         cli_parse_size("train", "--adversarial's STEPS", f[2], 1, 100000, &d->attack.steps)))
        return 1;
    if (!(d->attack.eps > 0.0))
        return cli_error("train", "--adversarial needs a positive EPS, got '%s'", s);
    d->adversarial = 1;
    return 0;
}

int dnn_option(dnn_args *d, int c, const char *name, const char *arg, int *rc)
{
    const size_t max = CLI_COUNT_MAX;
    switch (c) {
    case 'l': d->labels = arg; break;
    case O_CLASSES:
        *rc = cli_parse_size("train", "--classes", arg, 2, CLASSES_MAX, &d->classes);
        break;
    case O_ACTIVATION: *rc = parse_activation(arg, &d->params.activation); break;
    case O_DROPOUT: *rc = parse_dropout(arg, &d->params); break;
    case O_VALID_INPUT: d->valid_input = arg; break;
    case O_VALID_LABELS: d->valid_labels = arg; break;
    case O_VALID_FRACTION:
        *rc = cli_parse_double("train", "--valid-fraction", arg, &d->params.valid_fraction);
        d->valid_fraction_given = 1;
        break;
    case O_PATIENCE:
        *rc = cli_parse_size("train", "--patience", arg, 1, max, &d->params.patience);
        break;
    case O_PRETRAIN_EPOCHS:
        *rc = cli_parse_size("train", "--pretrain-epochs", arg, 1, max, &d->pretrain_epochs);
        break;
    case O_PRETRAIN_LR:
        *rc = cli_parse_double("train", "--pretrain-lr", arg, &d->pretrain_lr);
        break;
    case O_INIT: d->init = arg; break;
    case O_ADVERSARIAL: *rc = parse_adversarial(arg, d); break;
    case O_ADVERSARIAL_ALPHA:
        *rc = cli_parse_double("train", "--adversarial-alpha", arg, &d->adversarial_alpha);
        if (!*rc && !(d->adversarial_alpha >= 0.0 && d->adversarial_alpha <= 1.0))
            *rc = cli_error("train", "--adversarial-alpha takes a weight in [0, 1], got '%s'",
                            arg);
        break;
    default: return 0;
    }
    if (!d->only)
        d->only = name ? name : "labels";
    return 1;
}

int dnn_check(train_args *a)
{
    const dnn_args *d = &a->dnn;
    if (d->not_taken)
        return cli_error("train", "--%s is not an option of --model dnn", d->not_taken);
    if (!d->labels)
        return cli_error("train", "--model dnn learns from labels: give -l y, one for each row "
                         "of X");
    if (a->noise_given && (a->pretrain != UDL_PRETRAIN_DAE || a->ae.noise != UDL_NOISE_MASK))
        return cli_error("train", "--model dnn takes --noise mask:P with --pretrain dae (the "
                         "masking of its inputs)");
    if (a->pretrain == UDL_PRETRAIN_NONE && (d->pretrain_epochs || !isnan(d->pretrain_lr)))
        return cli_error("train", "--pretrain-epochs and --pretrain-lr need --pretrain ae, dae "
                         "or rbm");
    if (!d->valid_input != !d->valid_labels)
        return cli_error("train", "--valid-input and --valid-labels go together");
    if (d->valid_input && d->valid_fraction_given)
        return cli_error("train", "give --valid-input and --valid-labels or --valid-fraction, "
                         "not both");
    if (d->params.patience && !d->valid_input && !(d->params.valid_fraction > 0.0))
        return cli_error("train", "--patience stops on the validation error: give "
                         "--valid-fraction, or --valid-input and --valid-labels");
    if (d->init && a->pretrain != UDL_PRETRAIN_NONE)
        return cli_error("train", "--init starts the hidden layers from a saved stack and "
                         "--pretrain %s from a new one: give one or the other",
                         pretrain_name(a->pretrain));
    if (!isnan(d->adversarial_alpha) && !d->adversarial)
        return cli_error("train", "--adversarial-alpha weighs the clean loss against "
                         "--adversarial's: give --adversarial too");
    if (isnan(d->adversarial_alpha))
        a->dnn.adversarial_alpha = 0.5; /* Goodfellow et al. 2014 */
    return 0;
}

/* ---- udl train --model dnn: the run -------------------------------------------------------- */

/* The training and validation data and --init's stack, read before any training so that
 * a bad file fails early. */
typedef struct dnn_data {
    udl_mat x;
    udl_array y, vx, vy;
    size_t classes;
    udl_model *init;
} dnn_data;

static void data_free(dnn_data *d)
{
    udl_array_free(&d->y);
    udl_array_free(&d->vx);
    udl_array_free(&d->vy);
    udl_model_free(d->init);
}

/* --init's file: a stacked autoencoder or a deep belief net (udl_dnn_init_from_sae and
 * _from_dbn check its layers against the net's). */
static int open_init(const char *path, udl_model **m)
{
    udl_status s = udl_model_load(path, m);
    if (s)
        return cli_status("train", s);
    const udl_kind k = udl_model_kind(*m);
    if (k == UDL_KIND_STACKED_AUTOENCODER || k == UDL_KIND_DBN)
        return 0;
    udl_model_free(*m);
    *m = NULL;
    return cli_error("train", "--init takes a stacked autoencoder (sae) or a deep belief net "
                     "(dbn); %s holds a model of kind %s%s", path, udl_kind_name(k),
                     k == UDL_KIND_AUTOENCODER || k == UDL_KIND_RBM
                         ? " (train a one-layer stack as sae or dbn instead)"
                         : "");
}

/* Adversarial examples are clipped to [0, 1], so X must lie there: checked before any
 * pretraining, which could take long. */
static int check_unit_range(udl_mat x)
{
    for (size_t i = 0; i < x.rows; i++)
        for (size_t j = 0; j < x.cols; j++) {
            const double v = x.data[i * x.ld + j];
            if (!(v >= 0.0 && v <= 1.0))
                return cli_error("train", "--adversarial keeps its examples in [0, 1], but "
                                 "X[%zu][%zu] is %g", i, j, v);
        }
    return 0;
}

/* Raises *k to one more than each label of y that is a class number; returns whether every
 * label was one. The library refuses the others (fractions, negatives, NaN, labels beyond
 * the classes) with a sentence naming the first. */
static int largest_class(const udl_array *y, size_t *k)
{
    int all = 1;
    for (size_t i = 0; i < y->rows * y->cols; i++) {
        const double v = y->data[i];
        if (v >= 0.0 && v < (double)CLASSES_MAX && v == floor(v)) {
            if ((size_t)v >= *k)
                *k = (size_t)v + 1;
        } else {
            all = 0;
        }
    }
    return all;
}

static int read_data(const dnn_args *a, udl_mat x, dnn_data *d)
{
    memset(d, 0, sizeof *d);
    d->x = x;
    udl_status s;
    if ((s = cli_read(a->labels, &d->y)) ||
        (a->valid_input && ((s = cli_read(a->valid_input, &d->vx)) ||
                            (s = cli_read(a->valid_labels, &d->vy))))) {
        data_free(d);
        return cli_status("train", s);
    }
    if ((a->init && open_init(a->init, &d->init)) || (a->adversarial && check_unit_range(x))) {
        data_free(d);
        return 1;
    }
    d->classes = a->classes;
    if (d->classes)
        return 0;
    const int all = largest_class(&d->y, &d->classes) & largest_class(&d->vy, &d->classes);
    if (d->classes == 1 && all) {
        data_free(d);
        return cli_error("train", "every label in %s is 0; a classifier needs at least 2 "
                         "classes", a->labels);
    }
    if (d->classes < 2) /* for the library to name the label that is not a class, or the */
        d->classes = 2; /* labels' shape when there are none */
    return 0;
}

/* A net of the hidden widths between X's columns and the classes, started from --init's
 * stack or pretrained if asked. */
static udl_status build(const train_args *a, const dnn_data *d, udl_dnn **out)
{
    size_t sizes[35];
    sizes[0] = d->x.cols;
    memcpy(sizes + 1, a->layers + 1, a->n_layers * sizeof(size_t));
    sizes[a->n_layers + 1] = d->classes;
    udl_dnn_params p = a->dnn.params;
    p.train = train_for(a, p.train);
    udl_status s = udl_dnn_create(&p, sizes, a->n_layers + 2, out);
    if (!s && d->init)
        return udl_model_kind(d->init) == UDL_KIND_DBN
                   ? udl_dnn_init_from_dbn(*out, udl_model_object(d->init))
                   : udl_dnn_init_from_sae(*out, udl_model_object(d->init));
    if (s || a->pretrain == UDL_PRETRAIN_NONE)
        return s;
    udl_dnn_pretrain_params pp = udl_dnn_pretrain_params_default(a->pretrain);
    if (a->given & G_BATCH)
        pp.train.batch_size = p.train.batch_size;
    if (a->given & G_SEED)
        pp.train.seed = p.train.seed;
    if (a->dnn.pretrain_epochs)
        pp.train.epochs = a->dnn.pretrain_epochs;
    if (!isnan(a->dnn.pretrain_lr))
        pp.train.sgd.learning_rate = a->dnn.pretrain_lr;
    if (a->noise_given)
        pp.noise = a->ae.noise_level;
    return udl_dnn_pretrain(*out, &pp, d->x, cli_progress, NULL);
}

/* Fine-tuning: plain, or on adversarial examples too (their random starts from --seed). */
static udl_status fine_tune(const dnn_args *a, udl_dnn *dnn, udl_mat x, udl_mat y,
                           const udl_mat *vx, const udl_mat *vy)
{
    if (!a->adversarial)
        return udl_dnn_train(dnn, x, y, vx, vy, cli_progress, NULL);
    udl_attack_params p = a->attack;
    p.seed = udl_dnn_get_params(dnn).train.seed;
    return udl_adversarial_train(dnn, &p, a->adversarial_alpha, x, y, vx, vy, cli_progress,
                                 NULL);
}

/* The epoch (from 1) with the lowest validation error, the lower loss breaking a tie, as
 * udl_dnn_train chooses the one to keep; 0 when no epoch had a validation set. */
static size_t best_epoch(const udl_dnn *dnn)
{
    const double *loss, *error;
    size_t n, best = 0;
    udl_dnn_valid_history(dnn, &loss, &error, &n);
    for (size_t e = 0; e < n; e++)
        if (!isnan(error[e]) &&
            (!best || error[e] < error[best - 1] ||
             (error[e] == error[best - 1] && loss[e] < loss[best - 1])))
            best = e + 1;
    return best;
}

static void report(const train_args *a, const udl_dnn *dnn, const udl_dnn_eval *ev,
                   double seconds)
{
    size_t n_sizes, n;
    const size_t *sizes = udl_dnn_sizes(dnn, &n_sizes);
    const double *history = udl_dnn_history(dnn, &n), *vloss, *verror;
    udl_dnn_valid_history(dnn, &vloss, &verror, NULL);
    const size_t best = best_epoch(dnn), k = sizes[n_sizes - 1];
    const udl_dnn_params p = udl_dnn_get_params(dnn);
    const dnn_args *d = &a->dnn;
    if (!a->json) {
        printf("dnn on %zu x %zu, %zu classes", ev->n, sizes[0], k);
        if (d->init)
            printf(", hidden layers from %s", d->init);
        if (d->adversarial)
            printf(", trained with %s examples of eps %g (clean loss weighed %g)",
                   cli_attack_name(d->attack.method), d->attack.eps, d->adversarial_alpha);
        printf(": training loss %.6g, accuracy %.2f%% after %zu epochs", ev->loss,
               100.0 * ev->accuracy, n);
        if (best)
            printf("; best validation error %.2f%% at epoch %zu%s", 100.0 * verror[best - 1],
                   best, p.patience ? ", whose weights are kept" : "");
        printf(" (%.1f s) -> %s\n", seconds, a->save);
        return;
    }
    double layers[35];
    for (size_t i = 0; i < n_sizes; i++)
        layers[i] = (double)sizes[i];
    cli_json j;
    cli_json_begin(&j);
    cli_json_string(&j, "command", "train");
    cli_json_string(&j, "model", "dnn");
    cli_json_string(&j, "pretrain", pretrain_name(a->pretrain));
    if (d->init)
        cli_json_string(&j, "init", d->init);
    cli_json_string(&j, "adversarial", d->adversarial ? cli_attack_name(d->attack.method)
                                                      : "none");
    if (d->adversarial) {
        cli_json_number(&j, "adversarial_eps", d->attack.eps);
        if (cli_attack_iterative(d->attack.method))
            cli_json_number(&j, "adversarial_steps", (double)d->attack.steps);
        cli_json_number(&j, "adversarial_alpha", d->adversarial_alpha);
    }
    cli_json_string(&j, "activation", udl_activation_name(p.activation));
    cli_json_number(&j, "n_samples", (double)ev->n);
    cli_json_number(&j, "n_classes", (double)k);
    cli_json_numbers(&j, "layers", layers, n_sizes);
    cli_json_number(&j, "epochs", (double)p.train.epochs);
    cli_json_number(&j, "epochs_trained", (double)n);
    cli_json_number(&j, "cost", ev->loss);
    cli_json_number(&j, "accuracy", ev->accuracy);
    cli_json_numbers(&j, "history", history, n);
    if (best) {
        cli_json_numbers(&j, "valid_loss", vloss, n);
        cli_json_numbers(&j, "valid_error", verror, n);
        cli_json_number(&j, "best_valid_error", verror[best - 1]);
        cli_json_number(&j, "best_epoch", (double)best);
    }
    cli_json_number(&j, "seconds", seconds);
    cli_json_end(&j);
}

int train_dnn(const train_args *a, udl_mat x)
{
    dnn_data d;
    if (read_data(&a->dnn, x, &d))
        return 1;
    const double t0 = cli_now();
    udl_mat y = udl_array_mat(&d.y), vx = udl_array_mat(&d.vx), vy = udl_array_mat(&d.vy);
    const int valid = a->dnn.valid_input != NULL;
    udl_dnn *dnn = NULL;
    udl_dnn_eval ev;
    udl_status s;
    if ((s = build(a, &d, &dnn)) ||
        (s = fine_tune(&a->dnn, dnn, x, y, valid ? &vx : NULL, valid ? &vy : NULL)) ||
        (s = udl_dnn_evaluate(dnn, x, y, &ev, NULL, NULL)) || (s = udl_dnn_save(dnn, a->save))) {
        udl_dnn_free(dnn);
        data_free(&d);
        return cli_status("train", s);
    }
    cli_progress_done();
    report(a, dnn, &ev, cli_now() - t0);
    udl_dnn_free(dnn);
    data_free(&d);
    return 0;
}

/* ---- udl predict ----------------------------------------------------------------------- */

static const char predict_usage[] =
    "usage: udl predict --model M.udl -i X [-o labels.npy] [--proba P.npy] [--json]\n"
    "\n"
    "What a classifier (udl train --model dnn) predicts for the rows of X: -o writes the\n"
    "most probable class of each row (N x 1, the lowest class on a tie), --proba the\n"
    "probability of each class (N x K, each row summing to 1), both as float64 .npy.\n";

/* The subcommands that apply a saved model to a data file: --model, -i, an output or
 * two and --json. */
typedef struct apply_args {
    const char *model, *input, *output, *proba, *labels;
    int json;
} apply_args;

static int parse_apply(const char *cmd, const char *usage, int argc, char **argv,
                       apply_args *a)
{
    static const struct option options[] = {
        {"model", required_argument, 0, 'm'}, {"input", required_argument, 0, 'i'},
        {"output", required_argument, 0, 'o'}, {"proba", required_argument, 0, 'p'},
        {"labels", required_argument, 0, 'l'}, {"json", no_argument, 0, 'j'},
        {"help", no_argument, 0, 'h'},         {0, 0, 0, 0}};
    memset(a, 0, sizeof *a);
    opterr = 0;
    optind = 1;
    for (int c; (c = getopt_long(argc, argv, ":m:i:o:l:h", options, NULL)) != -1;) {
        switch (c) {
        case 'm': a->model = optarg; break;
        case 'i': a->input = optarg; break;
        case 'o': a->output = optarg; break;
        case 'p': a->proba = optarg; break;
        case 'l': a->labels = optarg; break;
        case 'j': a->json = 1; break;
        case 'h': fputs(usage, stdout); exit(0);
        case ':': return cli_error(cmd, "option %s needs a value", argv[optind - 1]);
        default:
            return cli_error(cmd, "unknown option %s (see udl %s --help)", argv[optind - 1], cmd);
        }
    }
    if (optind < argc)
        return cli_error(cmd, "unexpected argument '%s'", argv[optind]);
    return 0;
}

/* labels (N x 1): the column of the largest value in each row of p, the lowest on a tie. */
static void row_argmax(udl_mat p, udl_mat labels)
{
    for (size_t i = 0; i < p.rows; i++) {
        const double *row = p.data + i * p.ld;
        size_t best = 0;
        for (size_t j = 1; j < p.cols; j++)
            if (row[j] > row[best])
                best = j;
        labels.data[i * labels.ld] = (double)best;
    }
}

/* Writes -o and --proba, each whole or not at all; a failure removes the first one too. */
static int write_predictions(const apply_args *a, udl_mat labels, udl_mat proba)
{
    udl_status s = UDL_OK;
    if (a->output && (s = udl_npy_write(a->output, labels)))
        return cli_status("predict", s);
    if (a->proba && (s = udl_npy_write(a->proba, proba))) {
        if (a->output)
            remove(a->output);
        return cli_status("predict", s);
    }
    return 0;
}

int cmd_predict(int argc, char **argv)
{
    apply_args a;
    if (parse_apply("predict", predict_usage, argc, argv, &a))
        return 1;
    if (a.labels)
        return cli_error("predict", "-l is for udl eval");
    if (!a.model || !a.input || !(a.output || a.proba))
        return cli_error("predict", "needs --model, -i and -o or --proba (see udl predict "
                         "--help)");
    udl_model *m;
    udl_array x;
    if (cli_open("predict", a.model, a.input, &m, &x))
        return 1;
    const double t0 = cli_now();
    const size_t n = x.rows, k = udl_model_n_outputs(m);
    double *buf = malloc((n * (k + 1) + 1) * sizeof(double));
    udl_mat proba = udl_mat_view(buf, n, k), labels = udl_mat_view(buf + n * k, n, 1);
    udl_status s;
    int rc = 0;
    if (!buf)
        rc = cli_error("predict", "out of memory for the %zu x %zu probabilities", n, k);
    else if ((s = udl_model_predict(m, udl_array_mat(&x), proba)))
        rc = cli_status("predict", s);
    else {
        row_argmax(proba, labels);
        rc = write_predictions(&a, labels, proba);
    }
    if (!rc && a.json) {
        cli_json j;
        cli_json_begin(&j);
        cli_json_string(&j, "command", "predict");
        cli_json_string(&j, "model", udl_kind_name(udl_model_kind(m)));
        cli_json_number(&j, "n_samples", (double)n);
        cli_json_number(&j, "n_classes", (double)k);
        cli_json_number(&j, "seconds", cli_now() - t0);
        cli_json_end(&j);
    }
    free(buf);
    udl_array_free(&x);
    udl_model_free(m);
    return rc;
}

/* ---- udl eval ---------------------------------------------------------------------------- */

static const char eval_usage[] =
    "usage: udl eval --model M.udl -i X -l y [--json]\n"
    "\n"
    "How well a classifier (udl train --model dnn) predicts the labels y (.npy, IDX or\n"
    "CSV: the integers 0 to K-1, one for each row of X): its accuracy, the mean\n"
    "cross-entropy, the accuracy on each class, and the confusion matrix (rows: the true\n"
    "class, columns: the predicted one).\n";

static int digits(size_t v)
{
    int d = 1;
    for (; v >= 10; v /= 10)
        d++;
    return d;
}

static void print_confusion(const size_t *confusion, const double *class_accuracy, size_t k)
{
    size_t most = k - 1;
    for (size_t i = 0; i < k * k; i++)
        if (confusion[i] > most)
            most = confusion[i];
    const int w = digits(most) + 2, lw = digits(k - 1) > 4 ? digits(k - 1) : 4;
    printf("confusion matrix (rows: true class, columns: predicted) and each class's "
           "accuracy:\n%*s", lw, "true");
    for (size_t c = 0; c < k; c++)
        printf("%*zu", w, c);
    printf("  accuracy\n");
    for (size_t t = 0; t < k; t++) {
        printf("%*zu", lw, t);
        for (size_t c = 0; c < k; c++)
            printf("%*zu", w, confusion[t * k + c]);
        if (isnan(class_accuracy[t]))
            printf("%10s\n", "-");
        else
            printf("%9.2f%%\n", 100.0 * class_accuracy[t]);
    }
}

static void eval_json(const udl_dnn_eval *ev, const size_t *confusion,
                      const double *class_accuracy, size_t k, double *scratch, double seconds)
{
    for (size_t i = 0; i < k * k; i++)
        scratch[i] = (double)confusion[i];
    cli_json j;
    cli_json_begin(&j);
    cli_json_string(&j, "command", "eval");
    cli_json_string(&j, "model", "dnn");
    cli_json_number(&j, "n_samples", (double)ev->n);
    cli_json_number(&j, "n_classes", (double)k);
    cli_json_number(&j, "accuracy", ev->accuracy);
    cli_json_number(&j, "loss", ev->loss);
    cli_json_numbers(&j, "class_accuracy", class_accuracy, k);
    cli_json_rows(&j, "confusion", scratch, k, k);
    cli_json_number(&j, "seconds", seconds);
    cli_json_end(&j);
}

/* Evaluates the classifier in m on X and the labels file; prints the results. */
static int evaluate(const apply_args *a, const udl_model *m, udl_mat x)
{
    const udl_dnn *dnn = udl_model_object(m);
    const size_t k = udl_model_n_outputs(m);
    udl_array y;
    udl_status s = cli_read(a->labels, &y);
    if (s)
        return cli_status("eval", s);
    const double t0 = cli_now();
    size_t *confusion = malloc(k * k * sizeof(size_t));
    double *acc = malloc((k * k + k) * sizeof(double));
    udl_dnn_eval ev;
    int rc = 0;
    if (!confusion || !acc)
        rc = cli_error("eval", "out of memory for the %zu x %zu confusion matrix", k, k);
    else if ((s = udl_dnn_evaluate(dnn, x, udl_array_mat(&y), &ev, confusion, acc)))
        rc = cli_status("eval", s);
    else if (a->json)
        eval_json(&ev, confusion, acc, k, acc + k, cli_now() - t0);
    else {
        size_t right = 0;
        for (size_t c = 0; c < k; c++)
            right += confusion[c * k + c];
        printf("accuracy %.2f%% (%zu of %zu rows), mean loss %.6g\n", 100.0 * ev.accuracy,
               right, ev.n, ev.loss);
        print_confusion(confusion, acc, k);
    }
    free(confusion);
    free(acc);
    udl_array_free(&y);
    return rc;
}

int cmd_eval(int argc, char **argv)
{
    apply_args a;
    if (parse_apply("eval", eval_usage, argc, argv, &a))
        return 1;
    if (a.output || a.proba)
        return cli_error("eval", "eval writes no files; -o and --proba are for udl predict");
    if (!a.model || !a.input || !a.labels)
        return cli_error("eval", "needs --model, -i and -l (see udl eval --help)");
    udl_model *m;
    udl_array x;
    if (cli_open("eval", a.model, a.input, &m, &x))
        return 1;
    int rc;
    if (udl_model_kind(m) != UDL_KIND_DNN)
        rc = cli_error("eval", "%s holds a model of kind %s; eval takes a classifier (dnn)",
                       a.model, udl_kind_name(udl_model_kind(m)));
    else
        rc = evaluate(&a, m, udl_array_mat(&x));
    udl_array_free(&x);
    udl_model_free(m);
    return rc;
}
