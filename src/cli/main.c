/* udl: every job of libudl on files, in the manner of liblinear's train and predict. */
#include <stdio.h>
#include <string.h>

#include <udl/udl.h>

#include "cli.h"
#include "commands.h"

static const char usage[] =
    "usage: udl <command> [options]    (udl <command> --help for its options)\n"
    "\n"
    "commands:\n"
    "  pca          principal component analysis: fit, transform, plot\n"
    "  tsne         t-SNE embedding (exact or Barnes-Hut), plot\n"
    "  train        train a model: ae, dae (denoising), sae (stacked), deep-ae, rbm, dbn,\n"
    "               dnn (a classifier)\n"
    "  encode       codes of data from any saved model\n"
    "  reconstruct  reconstructions of data by a model with a decoder\n"
    "  predict      classes and class probabilities from a classifier\n"
    "  eval         a classifier's accuracy and confusion matrix on labelled data\n"
    "  sample       samples from an RBM or a deep belief net\n"
    "  eval-ll      an RBM's log-likelihood by annealed importance sampling\n"
    "  visualize    what the units of a layer respond to, as a grid of images\n"
    "  attack       adversarial examples against a classifier, and its accuracy on them\n"
    "  info         what a model file holds: kind, sizes, parameters, training history\n"
    "  export       a model's arrays as .npy files and model.json, for NumPy and others\n"
    "  demo         the whole toolbox on Fashion-MNIST: pictures and an HTML report\n"
    "\n"
    "  udl --version   print the library version\n"
    "\n"
    "Every command takes --quiet, which turns off its progress line.\n";

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("udl %s\n", udl_version());
        return 0;
    }
    /* --quiet is common to every command: taken out here so no command parses it. */
    int kept = 1;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--quiet") == 0)
            cli_set_quiet(1);
        else
            argv[kept++] = argv[i];
        if (strcmp(argv[i], "--") == 0) {
            while (++i < argc)
                argv[kept++] = argv[i];
        }
    }
    argv[kept] = NULL;
    argc = kept;
    static const struct {
        const char *name;
        int (*run)(int, char **);
    } commands[] = {{"pca", cmd_pca},
                    {"tsne", cmd_tsne},
                    {"train", cmd_train},
                    {"encode", cmd_encode},
                    {"reconstruct", cmd_reconstruct},
                    {"predict", cmd_predict},
                    {"eval", cmd_eval},
                    {"sample", cmd_sample},
                    {"eval-ll", cmd_eval_ll},
                    {"visualize", cmd_visualize},
                    {"attack", cmd_attack},
                    {"info", cmd_info},
                    {"export", cmd_export},
                    {"demo", cmd_demo}};
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "udl: unknown command '%s'\n%s", argv[1], usage);
    return 2;
}
