/* udl train (autoencoders, RBMs, deep belief nets; the classifier in dnn_cmd.c), udl encode
 * and udl reconstruct. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "train.h"

static const char train_usage[] =
    "usage: udl train --model ae|dae|sae|deep-ae|rbm|dbn|dnn --layers H1[,H2,...] -i X\n"
    "                 --save M.udl\n"
    "                 [--epochs E] [--batch B] [--lr L] [--momentum M] [--nesterov]\n"
    "                 [--weight-decay W] [--warmup E:M] [--decay step:R:E|exp:R]\n"
    "                 [--loss ce|se] [--noise mask:P|gauss:S] [--seed S]\n"
    "                 [--finetune-epochs F] [--finetune-lr L2] [--finetune-momentum M2]\n"
    "                 [--phases LOSS:E:LR,...] [--pretrain ae|rbm] [--sigmoid-code]\n"
    "                 [--cd K | --pcd[=K]] [--visible bernoulli|gaussian] [--json]\n"
    "       udl train --model dnn --layers H1[,H2,...] -i X -l y --save M.udl\n"
    "                 [--classes K] [--activation sigmoid|tanh|relu] [--dropout [IN,]HID]\n"
    "                 [--valid-input Xv --valid-labels yv | --valid-fraction F]\n"
    "                 [--patience P] [--pretrain none|ae|dae|rbm] [--pretrain-epochs P]\n"
    "                 [--pretrain-lr R] [--noise mask:P] [--init STACK.udl]\n"
    "                 [--adversarial METHOD:EPS[:STEPS] [--adversarial-alpha A]]\n"
    "                 [the training options above]\n"
    "\n"
    "Trains a model on X (.npy, IDX or CSV, one sample per row; cross-entropy\n"
    "needs values in [0, 1], as uint8 images are scaled).\n"
    "  ae        one tied-weight autoencoder, --layers H (the hidden size)\n"
    "  dae       the same, denoising (default --noise mask:0.3)\n"
    "  sae       a stack trained greedily, layer by layer: --layers 1000,500,250,30\n"
    "  deep-ae   the stack unrolled into encoder + decoder and fine-tuned end to end\n"
    "            (--finetune-epochs, default E; --finetune-lr, default 0.01;\n"
    "            --finetune-momentum, default M; the code layer is linear unless\n"
    "            --sigmoid-code). --phases runs fine-tuning as\n"
    "            phases one after another, each with its loss (ce or se), epochs and\n"
    "            learning rate: ce:70:0.001,se:10:0.001,se:10:0.0002. --pretrain rbm\n"
    "            pretrains the stack as a deep belief net instead of autoencoders.\n"
    "  rbm       a restricted Boltzmann machine, --layers H, by CD-K (--cd, default 1)\n"
    "            or persistent CD (--pcd, or --pcd=K); --visible gaussian for real data\n"
    "  dbn       RBMs stacked and trained greedily: --layers 500,500,2000\n"
    "            (RBM defaults follow Hinton's guide: momentum 0.5 for 5 epochs, then\n"
    "            0.9, weight decay 0.0002; the options override them)\n"
    "  dnn       a classifier: the hidden layers --layers 1000,750,500 (sigmoid unless\n"
    "            --activation) under a softmax over K classes, fine-tuned by\n"
    "            backpropagation with the training options. -l y holds a label for each\n"
    "            row of X, the integers 0 to K-1 (K: the largest label + 1, or\n"
    "            --classes K). --pretrain ae|dae|rbm first trains the hidden layers\n"
    "            greedily as a stack of sigmoid autoencoders, denoising ones (--noise\n"
    "            mask:P, default 0.25) or RBMs, with that layer type's defaults but\n"
    "            --pretrain-epochs (default 10), --pretrain-lr, --batch and --seed.\n"
    "            --dropout 0.5 drops hidden units with probability 0.5 while training;\n"
    "            --dropout 0.2,0.5 drops inputs too. A validation set (--valid-input\n"
    "            and --valid-labels, or --valid-fraction F of X's rows held out) is\n"
    "            scored after each epoch; --patience P stops after P epochs without a\n"
    "            lower validation error and keeps the best epoch's weights.\n"
    "            --init S.udl starts the hidden layers from a saved sae or dbn of their\n"
    "            sizes instead of --pretrain. --adversarial fgsm:0.1 trains on each batch\n"
    "            and its adversarial examples, the loss A L(x) + (1 - A) L(x_adv)\n"
    "            (--adversarial-alpha A, default 0.5; Goodfellow et al. 2014); the\n"
    "            attacks are fgsm:EPS, fgm-l2:EPS, bim:EPS:STEPS, pgd:EPS:STEPS and\n"
    "            pgd-l2:EPS:STEPS (see udl attack --help), X in [0, 1].\n"
    "Schedule: --warmup 5:0.5 trains the first 5 epochs at momentum 0.5, then at\n"
    "--momentum; --decay step:0.5:10 halves the learning rate every 10 epochs, exp:0.95\n"
    "multiplies it by 0.95 every epoch.\n"
    "Defaults: --epochs 20 --batch 100 --lr 0.1 --momentum 0.9 --loss ce --seed 1.\n";

udl_train_params train_for(const train_args *a, udl_train_params t)
{
    const udl_train_params *g = &a->ae.train;
    if (a->given & G_EPOCHS)
        t.epochs = g->epochs;
    if (a->given & G_BATCH)
        t.batch_size = g->batch_size;
    if (a->given & G_LR)
        t.sgd.learning_rate = g->sgd.learning_rate;
    if (a->given & G_MOM)
        t.sgd.momentum = g->sgd.momentum;
    if (a->given & G_NEST)
        t.sgd.nesterov = g->sgd.nesterov;
    if (a->given & G_WD)
        t.sgd.weight_decay = g->sgd.weight_decay;
    if (a->given & G_SEED)
        t.seed = g->seed;
    if (a->given & G_WARMUP) {
        t.warmup_epochs = g->warmup_epochs;
        t.warmup_momentum = g->warmup_momentum;
    }
    if (a->given & G_DECAY) {
        t.decay = g->decay;
        t.decay_rate = g->decay_rate;
        t.decay_every = g->decay_every;
    }
    return t;
}

/* The models udl train makes: the registry's trainable kinds by their names, and dae,
 * the denoising variant of ae. */
static const struct {
    udl_kind kind;
    int denoising;
} trainers[] = {{UDL_KIND_AUTOENCODER, 0}, {UDL_KIND_AUTOENCODER, 1},
                {UDL_KIND_STACKED_AUTOENCODER, 0}, {UDL_KIND_DEEP_AUTOENCODER, 0},
                {UDL_KIND_RBM, 0}, {UDL_KIND_DBN, 0}, {UDL_KIND_DNN, 0}};
enum { N_TRAINERS = sizeof trainers / sizeof trainers[0] };

static const char *trainer_name(size_t i)
{
    return trainers[i].denoising ? "dae" : udl_kind_name(trainers[i].kind);
}

static int parse_model(const char *s, train_args *a)
{
    char list[128] = "";
    for (size_t i = 0; i < N_TRAINERS; i++) {
        if (strcmp(s, trainer_name(i)) == 0) {
            a->kind = trainers[i].kind;
            return 0;
        }
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s",
                 i == 0 ? "" : i + 1 == N_TRAINERS ? " or " : ", ", trainer_name(i));
    }
    return cli_error("train", "--model is %s, got '%s'", list, s);
}

static int parse_loss(const char *opt, const char *s, udl_loss *loss)
{
    if (strcmp(s, "ce") == 0)
        *loss = UDL_LOSS_CROSS_ENTROPY;
    else if (strcmp(s, "se") == 0)
        *loss = UDL_LOSS_SQUARED;
    else
        return cli_error("train", "%s takes the loss ce or se, got '%s'", opt, s);
    return 0;
}

size_t split_colons(const char *s, char *buf, size_t size, char **field, size_t max)
{
    if (strlen(s) >= size)
        return max + 1; /* longer than any well-formed value */
    snprintf(buf, size, "%s", s);
    size_t n = 0;
    for (char *at = buf; n < max; n++) {
        field[n] = at;
        char *colon = strchr(at, ':');
        if (!colon)
            return n + 1;
        *colon = '\0';
        at = colon + 1;
    }
    return max + 1; /* too many */
}

static int parse_phases(const char *s, train_args *a)
{
    char list[1024];
    if (strlen(s) >= sizeof list)
        return cli_error("train", "--phases is too long (%zu characters)", strlen(s));
    if (!*s || s[0] == ',' || s[strlen(s) - 1] == ',' || strstr(s, ",,"))
        return cli_error("train", "--phases needs LOSS:EPOCHS:RATE phases separated by single "
                         "commas, got '%s'", s);
    snprintf(list, sizeof list, "%s", s);
    a->n_phases = 0;
    for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
        char buf[128], *f[3];
        phase *ph = &a->phases[a->n_phases];
        if (a->n_phases == MAX_PHASES)
            return cli_error("train", "--phases takes at most %d phases", MAX_PHASES);
        if (split_colons(tok, buf, sizeof buf, f, 3) != 3)
            return cli_error("train", "--phases needs LOSS:EPOCHS:RATE for each phase, got "
                             "'%s'", tok);
        if (parse_loss("--phases", f[0], &ph->loss) ||
            cli_parse_size("train", "--phases", f[1], 1, CLI_COUNT_MAX, &ph->epochs) ||
            cli_parse_double("train", "--phases", f[2], &ph->lr))
            return 1;
        a->n_phases++;
    }
    return a->n_phases ? 0 : cli_error("train", "--phases needs at least one phase");
}

static int parse_warmup(const char *s, udl_train_params *t)
{
    char buf[128], *f[2];
    if (split_colons(s, buf, sizeof buf, f, 2) != 2)
        return cli_error("train", "--warmup takes EPOCHS:MOMENTUM, got '%s'", s);
    return cli_parse_size("train", "--warmup", f[0], 0, CLI_COUNT_MAX, &t->warmup_epochs) ||
           cli_parse_double("train", "--warmup", f[1], &t->warmup_momentum);
}

static int parse_decay(const char *s, udl_train_params *t)
{
    char buf[128], *f[3];
    size_t n = split_colons(s, buf, sizeof buf, f, 3);
    if (n == 3 && strcmp(f[0], "step") == 0) {
        t->decay = UDL_DECAY_STEP;
        return cli_parse_double("train", "--decay", f[1], &t->decay_rate) ||
               cli_parse_size("train", "--decay", f[2], 1, CLI_COUNT_MAX, &t->decay_every);
    }
    if (n == 2 && strcmp(f[0], "exp") == 0) {
        t->decay = UDL_DECAY_EXPONENTIAL;
        return cli_parse_double("train", "--decay", f[1], &t->decay_rate);
    }
    return cli_error("train", "--decay takes step:RATE:EPOCHS or exp:RATE, got '%s'", s);
}

static int parse_noise(const char *s, udl_ae_params *p)
{
    const char *colon = strchr(s, ':');
    if (strcmp(s, "none") == 0) {
        p->noise = UDL_NOISE_NONE;
        return 0;
    }
    if (!colon)
        return cli_error("train", "--noise takes mask:P, gauss:S or none, got '%s'", s);
    if (strncmp(s, "mask:", 5) == 0)
        p->noise = UDL_NOISE_MASK;
    else if (strncmp(s, "gauss:", 6) == 0)
        p->noise = UDL_NOISE_GAUSSIAN;
    else
        return cli_error("train", "--noise takes mask:P, gauss:S or none, got '%s'", s);
    return cli_parse_double("train", "--noise", colon + 1, &p->noise_level);
}

enum { O_MODEL = 256, O_LAYERS, O_SAVE, O_EPOCHS, O_BATCH, O_LR, O_MOM, O_NEST, O_WD, O_LOSS,
       O_NOISE, O_FEPOCHS, O_FLR, O_SIGCODE, O_SEED, O_JSON, O_PHASES, O_WARMUP, O_DECAY,
       O_FMOM, O_CD, O_PCD, O_VISIBLE, O_PRETRAIN };

/* Whether a dnn takes option c: all but the other models' own options. */
static int dnn_takes(int c)
{
    switch (c) {
    case O_LOSS: case O_FEPOCHS: case O_FLR: case O_FMOM: case O_SIGCODE: case O_PHASES:
    case O_CD: case O_PCD: case O_VISIBLE:
        return 0;
    default:
        return 1;
    }
}

const char *pretrain_name(udl_pretrain method)
{
    static const char *const names[] = {"none", "ae", "dae", "rbm"};
    return names[method];
}

static int parse_pretrain(const char *s, train_args *a)
{
    for (int m = UDL_PRETRAIN_NONE; m <= UDL_PRETRAIN_RBM; m++)
        if (strcmp(s, pretrain_name((udl_pretrain)m)) == 0) {
            a->pretrain = (udl_pretrain)m;
            a->pretrain_given = 1;
            return 0;
        }
    return cli_error("train", "--pretrain is none, ae, dae or rbm, got '%s'", s);
}

/* What the options mean together; a dnn's are checked by dnn_check. */
static int check_train(train_args *a)
{
    if (a->kind == UDL_KIND_DNN)
        return dnn_check(a);
    if (a->dnn.only)
        return cli_error("train", "--%s is for --model dnn", a->dnn.only);
    if (a->pretrain_given && a->kind != UDL_KIND_DEEP_AUTOENCODER)
        return cli_error("train", "--pretrain is for deep-ae and dnn");
    if (!a->pretrain_given)
        a->pretrain = UDL_PRETRAIN_AE;
    else if (a->pretrain != UDL_PRETRAIN_AE && a->pretrain != UDL_PRETRAIN_RBM)
        return cli_error("train", "a deep-ae pretrains its stack with --pretrain ae or rbm, got "
                         "'%s'", pretrain_name(a->pretrain));
    int single = a->kind == UDL_KIND_AUTOENCODER || a->kind == UDL_KIND_RBM;
    if (single && a->n_layers != 1)
        return cli_error("train", "--model %s has one hidden layer: give --layers H", a->model);
    if (strcmp(a->model, "dae") == 0 && !a->noise_given) {
        a->ae.noise = UDL_NOISE_MASK;
        a->ae.noise_level = 0.3;
    }
    if (a->n_phases && (a->finetune_epochs || !isnan(a->finetune_lr)))
        return cli_error("train", "--phases replaces --finetune-epochs and --finetune-lr; "
                         "give one or the other");
    const int rbms = a->kind == UDL_KIND_RBM || a->kind == UDL_KIND_DBN ||
                     (a->kind == UDL_KIND_DEEP_AUTOENCODER && a->pretrain == UDL_PRETRAIN_RBM);
    if (!rbms && a->rbm_option)
        return cli_error("train", "--cd, --pcd and --visible are for rbm, dbn and deep-ae "
                         "--pretrain rbm");
    if (a->kind == UDL_KIND_DEEP_AUTOENCODER && a->visible == UDL_UNITS_GAUSSIAN) {
        /* checked now, not after hours of pretraining: a linear output needs the squared
         * loss, and a one-layer stack's linear code would make both sides Gaussian */
        if (a->loss_given && a->ae.loss == UDL_LOSS_CROSS_ENTROPY)
            return cli_error("train", "--visible gaussian reconstructs linearly: use --loss se");
        a->ae.loss = UDL_LOSS_SQUARED;
        if (a->n_layers == 1 && !a->sigmoid_code)
            return cli_error("train", "a one-layer deep-ae with --visible gaussian needs "
                             "--sigmoid-code (the top RBM cannot be Gaussian on both sides)");
    }
    if (a->n_phases && a->kind != UDL_KIND_DEEP_AUTOENCODER)
        return cli_error("train", "--phases is for the fine-tuning of a deep-ae");
    if (!a->n_phases) { /* one phase from the plain options */
        a->phases[0] = (phase){a->ae.loss, a->finetune_epochs ? a->finetune_epochs
                                                              : a->ae.train.epochs,
                               isnan(a->finetune_lr) ? 0.01 : a->finetune_lr};
        a->n_phases = 1;
    }
    return 0;
}

static int parse_train(int argc, char **argv, train_args *a)
{
    static const struct option options[] = {
        {"model", required_argument, 0, O_MODEL}, {"layers", required_argument, 0, O_LAYERS},
        {"input", required_argument, 0, 'i'},      {"save", required_argument, 0, O_SAVE},
        {"epochs", required_argument, 0, O_EPOCHS}, {"batch", required_argument, 0, O_BATCH},
        {"lr", required_argument, 0, O_LR},        {"momentum", required_argument, 0, O_MOM},
        {"nesterov", no_argument, 0, O_NEST},      {"weight-decay", required_argument, 0, O_WD},
        {"loss", required_argument, 0, O_LOSS},    {"noise", required_argument, 0, O_NOISE},
        {"finetune-epochs", required_argument, 0, O_FEPOCHS},
        {"finetune-lr", required_argument, 0, O_FLR},
        {"sigmoid-code", no_argument, 0, O_SIGCODE}, {"seed", required_argument, 0, O_SEED},
        {"json", no_argument, 0, O_JSON},          {"help", no_argument, 0, 'h'},
        {"phases", required_argument, 0, O_PHASES}, {"warmup", required_argument, 0, O_WARMUP},
        {"decay", required_argument, 0, O_DECAY},
        {"finetune-momentum", required_argument, 0, O_FMOM},
        {"cd", required_argument, 0, O_CD},        {"pcd", optional_argument, 0, O_PCD},
        {"visible", required_argument, 0, O_VISIBLE},
        {"pretrain", required_argument, 0, O_PRETRAIN},
        DNN_OPTIONS,
        {0, 0, 0, 0}};
    memset(a, 0, sizeof *a);
    a->ae = udl_ae_params_default();
    a->finetune_lr = NAN; /* given or not: --phases replaces it */
    a->finetune_momentum = NAN;
    a->k = 1;
    dnn_args_init(&a->dnn);
    opterr = 0;
    optind = 1;
    int rc = 0;
    const size_t max = CLI_COUNT_MAX;
    for (int c, li = -1; !rc && (c = getopt_long(argc, argv, ":i:l:h", options, &li)) != -1;
         li = -1) {
        const char *name = li >= 0 ? options[li].name : NULL;
        if (dnn_option(&a->dnn, c, name, optarg, &rc))
            continue;
        if (name && !dnn_takes(c) && !a->dnn.not_taken)
            a->dnn.not_taken = name;
        switch (c) {
        case 'i': a->input = optarg; break;
        case O_MODEL: rc = parse_model(optarg, a); a->model = optarg; break;
        case O_LAYERS:
            rc = cli_parse_sizes("train", "--layers", optarg, 1, max, a->layers + 1, 32,
                                 &a->n_layers);
            break;
        case O_SAVE: a->save = optarg; break;
        case O_EPOCHS:
            rc = cli_parse_size("train", "--epochs", optarg, 1, max, &a->ae.train.epochs);
            a->given |= G_EPOCHS;
            break;
        case O_BATCH:
            rc = cli_parse_size("train", "--batch", optarg, 1, max, &a->ae.train.batch_size);
            a->given |= G_BATCH;
            break;
        case O_LR:
            rc = cli_parse_double("train", "--lr", optarg, &a->ae.train.sgd.learning_rate);
            a->given |= G_LR;
            break;
        case O_MOM:
            rc = cli_parse_double("train", "--momentum", optarg, &a->ae.train.sgd.momentum);
            a->given |= G_MOM;
            break;
        case O_NEST: a->ae.train.sgd.nesterov = 1; a->given |= G_NEST; break;
        case O_WD:
            rc = cli_parse_double("train", "--weight-decay", optarg, &a->ae.train.sgd.weight_decay);
            a->given |= G_WD;
            break;
        case O_CD:
        case O_PCD:
            if (a->rbm_option & (c == O_CD ? 2 : 1))
                rc = cli_error("train", "--cd and --pcd are one or the other");
            else if (c == O_CD)
                rc = cli_parse_size("train", "--cd", optarg, 1, 100000, &a->k);
            else if (optarg)
                rc = cli_parse_size("train", "--pcd", optarg, 1, 100000, &a->k);
            a->method = c == O_CD ? UDL_RBM_CD : UDL_RBM_PCD;
            a->rbm_option |= c == O_CD ? 1 : 2;
            break;
        case O_VISIBLE:
            a->rbm_option |= 4;
            if (strcmp(optarg, "bernoulli") == 0)
                a->visible = UDL_UNITS_BERNOULLI;
            else if (strcmp(optarg, "gaussian") == 0)
                a->visible = UDL_UNITS_GAUSSIAN;
            else
                rc = cli_error("train", "--visible is bernoulli or gaussian, got '%s'", optarg);
            break;
        case O_PRETRAIN: rc = parse_pretrain(optarg, a); break;
        case O_LOSS: rc = parse_loss("--loss", optarg, &a->ae.loss); a->loss_given = 1; break;
        case O_PHASES: rc = parse_phases(optarg, a); break;
        case O_WARMUP: rc = parse_warmup(optarg, &a->ae.train); a->given |= G_WARMUP; break;
        case O_DECAY: rc = parse_decay(optarg, &a->ae.train); a->given |= G_DECAY; break;
        case O_FMOM:
            rc = cli_parse_double("train", "--finetune-momentum", optarg, &a->finetune_momentum);
            break;
        case O_NOISE: rc = parse_noise(optarg, &a->ae); a->noise_given = 1; break;
        case O_FEPOCHS:
            rc = cli_parse_size("train", "--finetune-epochs", optarg, 1, max, &a->finetune_epochs);
            break;
        case O_FLR: rc = cli_parse_double("train", "--finetune-lr", optarg, &a->finetune_lr); break;
        case O_SIGCODE: a->sigmoid_code = 1; break;
        case O_SEED:
            rc = cli_parse_seed("train", "--seed", optarg, &a->ae.train.seed);
            a->given |= G_SEED;
            break;
        case O_JSON: a->json = 1; break;
        case 'h': fputs(train_usage, stdout); exit(0);
        case ':': rc = cli_error("train", "option %s needs a value", argv[optind - 1]); break;
        default:
            rc = cli_error("train", "unknown option %s (see udl train --help)", argv[optind - 1]);
        }
    }
    if (rc)
        return rc;
    if (optind < argc)
        return cli_error("train", "unexpected argument '%s'", argv[optind]);
    if (!a->model || !a->input || !a->save || !a->n_layers)
        return cli_error("train", "needs --model, --layers, -i and --save (see udl train "
                         "--help)");
    return check_train(a);
}

/* What training reports: the final cost on the training data and each epoch's cost
 * (of the single autoencoder, or of fine-tuning; a plain stack has none). */
typedef struct train_result {
    double cost;
    double *history;
    size_t n_history;
} train_result;

static void keep_history(train_result *r, const double *h, size_t n)
{
    r->history = malloc((n + 1) * sizeof(double));
    r->n_history = r->history ? n : 0;
    if (r->history)
        memcpy(r->history, h, n * sizeof(double));
}

static int train_single(const train_args *a, udl_mat x, train_result *r)
{
    udl_ae_params p = a->ae;
    p.n_visible = x.cols;
    p.n_hidden = a->layers[1];
    udl_ae *ae;
    udl_status s;
    if ((s = udl_ae_create(&p, &ae)))
        return cli_status("train", s);
    if ((s = udl_ae_train(ae, x, cli_progress, NULL)) || (s = udl_ae_cost(ae, x, &r->cost)) ||
        (s = udl_ae_save(ae, a->save))) {
        udl_ae_free(ae);
        return cli_status("train", s);
    }
    cli_progress_done();
    size_t n;
    const double *h = udl_ae_history(ae, &n);
    keep_history(r, h, n);
    udl_ae_free(ae);
    return 0;
}

static udl_rbm_params rbm_params_for(const train_args *a)
{
    udl_rbm_params p = udl_rbm_params_default();
    if (a->visible == UDL_UNITS_GAUSSIAN) /* Hinton's guide: 1-2 orders of magnitude lower */
        p.train.sgd.learning_rate = 0.001;
    p.visible = a->visible;
    p.method = a->method;
    p.k = a->k;
    p.train = train_for(a, p.train);
    return p;
}

static int train_rbm(const train_args *a, udl_mat x, train_result *r)
{
    udl_rbm_params p = rbm_params_for(a);
    p.n_visible = x.cols;
    p.n_hidden = a->layers[1];
    udl_rbm *rbm;
    udl_status s;
    if ((s = udl_rbm_create(&p, &rbm)))
        return cli_status("train", s);
    if ((s = udl_rbm_train(rbm, x, cli_progress, NULL)) ||
        (s = udl_rbm_reconstruction_error(rbm, x, &r->cost)) || (s = udl_rbm_save(rbm, a->save))) {
        udl_rbm_free(rbm);
        return cli_status("train", s);
    }
    cli_progress_done();
    size_t n;
    const double *h = udl_rbm_history(rbm, &n);
    keep_history(r, h, n);
    udl_rbm_free(rbm);
    return 0;
}

/* Fine-tunes deep (taken over) in the phases, saves it, and reports its history. */
static int finetune(const train_args *a, udl_mat x, udl_deep_ae *deep, train_result *r)
{
    udl_deep_ae_params dp = udl_deep_ae_get_params(deep);
    udl_status s = UDL_OK;
    /* Each phase carries on from the last: the weights, the epoch count the schedule
     * follows, and the shuffling generator. */
    for (size_t k = 0; k < a->n_phases && !s; k++) {
        dp.loss = a->phases[k].loss;
        dp.train.epochs = a->phases[k].epochs;
        dp.train.sgd.learning_rate = a->phases[k].lr;
        if (!(s = udl_deep_ae_set_params(deep, &dp)))
            s = udl_deep_ae_train(deep, x, cli_progress, NULL);
    }
    if (s || (s = udl_deep_ae_cost(deep, x, &r->cost)) || (s = udl_deep_ae_save(deep, a->save))) {
        udl_deep_ae_free(deep);
        return cli_status("train", s);
    }
    cli_progress_done();
    size_t n;
    const double *h = udl_deep_ae_history(deep, &n);
    keep_history(r, h, n);
    udl_deep_ae_free(deep);
    return 0;
}

static udl_deep_ae_params finetune_params(const train_args *a)
{
    udl_deep_ae_params dp = udl_deep_ae_params_default();
    dp.linear_code = !a->sigmoid_code;
    dp.loss = a->phases[0].loss;
    dp.train = a->ae.train;
    if (!isnan(a->finetune_momentum))
        dp.train.sgd.momentum = a->finetune_momentum;
    return dp;
}

/* sae, deep-ae, dbn and deep-ae --pretrain rbm: a greedy stack, saved or unrolled. */
static int train_stack(const train_args *a, udl_mat x, train_result *r)
{
    size_t sizes[33];
    memcpy(sizes, a->layers, sizeof sizes);
    sizes[0] = x.cols;
    const int deep_ae = a->kind == UDL_KIND_DEEP_AUTOENCODER;
    const udl_deep_ae_params dp = finetune_params(a);
    udl_deep_ae *deep = NULL;
    udl_status s;
    if (a->kind == UDL_KIND_DBN || (deep_ae && a->pretrain == UDL_PRETRAIN_RBM)) {
        udl_rbm_params p = rbm_params_for(a);
        if (deep_ae && dp.linear_code) /* the linear code of Hinton & Salakhutdinov */
            p.hidden = UDL_UNITS_GAUSSIAN;
        udl_dbn *dbn;
        if ((s = udl_dbn_create(&p, sizes, a->n_layers + 1, &dbn)))
            return cli_status("train", s);
        if (!(s = udl_dbn_train(dbn, x, cli_progress, NULL)))
            s = deep_ae ? udl_deep_ae_create_from_dbn(dbn, &dp, &deep) : udl_dbn_save(dbn, a->save);
        udl_dbn_free(dbn);
    } else {
        udl_sae *sae;
        if ((s = udl_sae_create(&a->ae, sizes, a->n_layers + 1, &sae)))
            return cli_status("train", s);
        if (!(s = udl_sae_train(sae, x, cli_progress, NULL)))
            s = deep_ae ? udl_deep_ae_create(sae, &dp, &deep) : udl_sae_save(sae, a->save);
        udl_sae_free(sae);
    }
    if (s)
        return cli_status("train", s);
    cli_progress_done();
    return deep_ae ? finetune(a, x, deep, r) : 0;
}

int cmd_train(int argc, char **argv)
{
    train_args a;
    if (parse_train(argc, argv, &a))
        return 1;
    udl_array x;
    udl_status s = cli_read(a.input, &x);
    if (s)
        return cli_status("train", s);
    if (a.kind == UDL_KIND_DNN) {
        int rc = train_dnn(&a, udl_array_mat(&x));
        udl_array_free(&x);
        return rc;
    }
    double t0 = cli_now();
    train_result r = {NAN, NULL, 0};
    int rc = a.kind == UDL_KIND_AUTOENCODER ? train_single(&a, udl_array_mat(&x), &r)
             : a.kind == UDL_KIND_RBM        ? train_rbm(&a, udl_array_mat(&x), &r)
                                             : train_stack(&a, udl_array_mat(&x), &r);
    double seconds = cli_now() - t0;
    if (!rc && a.json) {
        double layers[33];
        layers[0] = (double)x.cols;
        for (size_t i = 1; i <= a.n_layers; i++)
            layers[i] = (double)a.layers[i];
        cli_json j;
        cli_json_begin(&j);
        cli_json_string(&j, "command", "train");
        cli_json_string(&j, "model", a.model);
        if (a.kind == UDL_KIND_DEEP_AUTOENCODER)
            cli_json_string(&j, "pretrain", pretrain_name(a.pretrain));
        if (a.kind == UDL_KIND_RBM || a.kind == UDL_KIND_DBN ||
            a.pretrain == UDL_PRETRAIN_RBM) {
            cli_json_string(&j, "method", a.method == UDL_RBM_PCD ? "pcd" : "cd");
            cli_json_number(&j, "k", (double)a.k);
        }
        cli_json_number(&j, "n_samples", (double)x.rows);
        cli_json_numbers(&j, "layers", layers, a.n_layers + 1);
        cli_json_number(&j, "epochs", (double)a.ae.train.epochs);
        if (a.kind == UDL_KIND_DEEP_AUTOENCODER) {
            size_t total = 0;
            for (size_t k = 0; k < a.n_phases; k++)
                total += a.phases[k].epochs;
            cli_json_number(&j, "finetune_epochs", (double)total);
        }
        cli_json_number(&j, "cost", r.cost);
        cli_json_numbers(&j, "history", r.history, r.n_history);
        cli_json_number(&j, "seconds", seconds);
        cli_json_end(&j);
    } else if (!rc) {
        printf("%s on %zu x %zu: ", a.model, x.rows, x.cols);
        if (isnan(r.cost))
            printf("%zu layers trained", a.n_layers);
        else
            printf("training cost %.6g after %zu epochs", r.cost, r.n_history);
        printf(" (%.1f s) -> %s\n", seconds, a.save);
    }
    free(r.history);
    udl_array_free(&x);
    return rc;
}

/* ---- encode and reconstruct -------------------------------------------------------- */

static int apply(const char *cmd, int argc, char **argv, int reconstruct)
{
    static const struct option options[] = {
        {"model", required_argument, 0, 'm'}, {"input", required_argument, 0, 'i'},
        {"output", required_argument, 0, 'o'}, {"json", no_argument, 0, 'j'},
        {"help", no_argument, 0, 'h'},         {0, 0, 0, 0}};
    const char *model = NULL, *input = NULL, *output = NULL;
    int json = 0;
    opterr = 0;
    optind = 1;
    for (int c; (c = getopt_long(argc, argv, ":m:i:o:h", options, NULL)) != -1;) {
        switch (c) {
        case 'm': model = optarg; break;
        case 'i': input = optarg; break;
        case 'o': output = optarg; break;
        case 'j': json = 1; break;
        case 'h':
            printf("usage: udl %s --model M.udl -i X -o %s.npy [--json]\n\n%s\n", cmd,
                   reconstruct ? "Xhat" : "Z",
                   reconstruct ? "Reconstructions of X by any model with a decoder: PCA (from its "
                                 "components), an autoencoder or a deep autoencoder."
                               : "Codes of X from any model: PCA's components, an autoencoder's "
                                 "or a stack's codes, a deep autoencoder's code layer.");
            exit(0);
        case ':': return cli_error(cmd, "option %s needs a value", argv[optind - 1]);
        default: return cli_error(cmd, "unknown option %s", argv[optind - 1]);
        }
    }
    if (!model || !input || !output)
        return cli_error(cmd, "needs --model, -i and -o (see udl %s --help)", cmd);
    udl_model *m;
    udl_array x;
    if (cli_open(cmd, model, input, &m, &x))
        return 1;
    udl_status s;
    double t0 = cli_now();
    size_t cols = reconstruct ? udl_model_n_inputs(m) : udl_model_n_codes(m);
    udl_array out = {calloc(x.rows * cols + 1, sizeof(double)), x.rows, cols};
    udl_mat xm = udl_array_mat(&x), o = udl_array_mat(&out);
    int rc = 0;
    if (!out.data)
        rc = cli_error(cmd, "out of memory for the %zu x %zu output", x.rows, cols);
    else if ((s = reconstruct ? udl_model_reconstruct(m, xm, o) : udl_model_encode(m, xm, o)) ||
             (s = udl_npy_write(output, o)))
        rc = cli_status(cmd, s);
    else if (json) {
        cli_json j;
        cli_json_begin(&j);
        cli_json_string(&j, "command", cmd);
        cli_json_string(&j, "model", udl_kind_name(udl_model_kind(m)));
        cli_json_number(&j, "n_samples", (double)x.rows);
        cli_json_number(&j, "n_columns", (double)cols);
        cli_json_number(&j, "seconds", cli_now() - t0);
        cli_json_end(&j);
    }
    udl_array_free(&out);
    udl_array_free(&x);
    udl_model_free(m);
    return rc;
}

int cmd_encode(int argc, char **argv) { return apply("encode", argc, argv, 0); }
int cmd_reconstruct(int argc, char **argv) { return apply("reconstruct", argc, argv, 1); }
