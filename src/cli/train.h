/* What udl train parses (train_cmd.c), shared with the classifier's trainer (dnn_cmd.c). */
#ifndef UDL_CLI_TRAIN_H
#define UDL_CLI_TRAIN_H

#include <getopt.h>
#include <stddef.h>

#include <udl/udl.h>

enum { MAX_PHASES = 16 };

/* One stage of fine-tuning: its loss, epochs and learning rate. */
typedef struct phase {
    udl_loss loss;
    size_t epochs;
    double lr;
} phase;

/* The options of udl train --model dnn. */
typedef struct dnn_args {
    const char *labels, *valid_input, *valid_labels;
    udl_dnn_params params;       /* activation, dropout, valid_fraction, patience */
    size_t classes;              /* 0: one more than the largest label */
    size_t pretrain_epochs;      /* 0: the layer type's default */
    double pretrain_lr;          /* NaN: the layer type's default */
    int valid_fraction_given;
    const char *init;            /* --init: a saved stack to start the hidden layers from */
    int adversarial;             /* --adversarial given: train on attack's examples too */
    udl_attack_params attack;
    double adversarial_alpha;    /* the clean loss's weight (NaN until dnn_check: 0.5) */
    const char *only;            /* the first option given that only dnn takes */
    const char *not_taken;       /* the first option given that dnn does not take */
} dnn_args;

typedef struct train_args {
    const char *model, *input, *save;
    udl_kind kind;
    size_t layers[33], n_layers; /* layers[1..n_layers]: the hidden widths */
    udl_ae_params ae;            /* ae.train: the training options as given */
    size_t finetune_epochs;
    double finetune_lr, finetune_momentum;
    phase phases[MAX_PHASES];
    size_t n_phases;
    int sigmoid_code, json, noise_given;
    unsigned given;              /* which training options the command line set (G_*) */
    udl_rbm_method method;       /* rbm, dbn, deep-ae --pretrain rbm */
    size_t k;
    udl_units visible;
    udl_pretrain pretrain;       /* deep-ae: AE or RBM; dnn: any */
    int pretrain_given, rbm_option, loss_given;
    dnn_args dnn;
} train_args;

enum { G_EPOCHS = 1, G_BATCH = 2, G_LR = 4, G_MOM = 8, G_NEST = 16, G_WD = 32, G_SEED = 64,
       G_WARMUP = 128, G_DECAY = 256 };

/* Splits s at its colons into at most max fields (in buf, of size bytes); returns how
 * many, or max + 1 when there are more (or s does not fit). */
size_t split_colons(const char *s, char *buf, size_t size, char **field, size_t max);

/* A model's own default training parameters with the options the command line gave. */
udl_train_params train_for(const train_args *a, udl_train_params t);

/* --pretrain's values, by udl_pretrain. */
const char *pretrain_name(udl_pretrain method);

/* The classifier's options, in the manner of the plot options (cli.h): put DNN_OPTIONS in
 * the getopt_long table (and "l:" among the short options) and offer each option to
 * dnn_option first. */
enum { O_CLASSES = 512, O_ACTIVATION, O_DROPOUT, O_VALID_INPUT, O_VALID_LABELS,
       O_VALID_FRACTION, O_PATIENCE, O_PRETRAIN_EPOCHS, O_PRETRAIN_LR, O_INIT, O_ADVERSARIAL,
       O_ADVERSARIAL_ALPHA };
#define DNN_OPTIONS                                                                       \
    {"labels", required_argument, 0, 'l'},                                                \
    {"classes", required_argument, 0, O_CLASSES},                                         \
    {"activation", required_argument, 0, O_ACTIVATION},                                   \
    {"dropout", required_argument, 0, O_DROPOUT},                                         \
    {"valid-input", required_argument, 0, O_VALID_INPUT},                                 \
    {"valid-labels", required_argument, 0, O_VALID_LABELS},                               \
    {"valid-fraction", required_argument, 0, O_VALID_FRACTION},                           \
    {"patience", required_argument, 0, O_PATIENCE},                                       \
    {"pretrain-epochs", required_argument, 0, O_PRETRAIN_EPOCHS},                         \
    {"pretrain-lr", required_argument, 0, O_PRETRAIN_LR},                                 \
    {"init", required_argument, 0, O_INIT},                                               \
    {"adversarial", required_argument, 0, O_ADVERSARIAL},                                 \
    {"adversarial-alpha", required_argument, 0, O_ADVERSARIAL_ALPHA}

void dnn_args_init(dnn_args *d);
/* Keeps getopt's option c (long name, or NULL for -l) and its arg if c is one of
 * DNN_OPTIONS, setting *rc to 0 or 1 (the error printed); returns whether it was. */
int dnn_option(dnn_args *d, int c, const char *name, const char *arg, int *rc);
/* After parsing --model dnn: what the options mean together. Returns 0, or prints and
 * returns 1. */
int dnn_check(train_args *a);

/* udl train --model dnn on X: reads the labels, pretrains, fine-tunes, saves, reports. */
int train_dnn(const train_args *a, udl_mat x);

#endif
