/* udl pca: fit PCA to a data file, or apply a saved model; write codes, model and plots. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "plot.h"

static const char usage[] =
    "usage: udl pca -i X [-k K | --variance F] [-o Z.npy] [--whiten] [--save model.udl]\n"
    "               [--plot pca.png [--labels y] [--label-names a,b,...]]\n"
    "               [--plot-variance var.png] [--json]\n"
    "       udl pca --load model.udl -i X [-o Z.npy] [--plot ...] [--json]\n"
    "\n"
    "Principal component analysis: Z = (X - mean) Q_k with Q_k the top k eigenvectors\n"
    "of the covariance of X. X is .npy, MNIST IDX (plain or .gz) or CSV, one sample per\n"
    "row; uint8 images are scaled to [0, 1].\n"
    "\n"
    "  -i, --input X          data to fit (or to transform with --load)\n"
    "  -k, --components K     components to keep (default 2)\n"
    "      --variance F       keep the fewest components explaining a fraction F in (0, 1]\n"
    "      --whiten           scale each component of Z to unit variance\n"
    "  -o, --output Z.npy     write the N x k codes as float64 .npy\n"
    "      --save M.udl       save the fitted model\n"
    "      --load M.udl       transform X with a saved model instead of fitting\n"
    "      --plot P.png       scatter plot of the first two components\n"
    "      --labels Y         labels (.npy, IDX or CSV, one per row of X) to colour by\n"
    "      --label-names L    comma-separated names for labels 0, 1, 2, ...\n"
    "      --plot-variance P.png  explained variance by component\n"
    "      --json             print one JSON object of results on stdout\n"
    "  -h, --help             show this help\n";

typedef struct pca_args {
    const char *input, *output, *save, *load, *plot_variance;
    cli_plot_opts plot;
    size_t k;
    double variance;
    int whiten, json, have_k;
} pca_args;

static int parse_args(int argc, char **argv, pca_args *a)
{
    enum { O_VARIANCE = 256, O_WHITEN, O_SAVE, O_LOAD, O_PVAR, O_JSON };
    static const struct option options[] = {
        {"input", required_argument, 0, 'i'},      {"components", required_argument, 0, 'k'},
        {"output", required_argument, 0, 'o'},     {"variance", required_argument, 0, O_VARIANCE},
        {"whiten", no_argument, 0, O_WHITEN},      {"save", required_argument, 0, O_SAVE},
        {"load", required_argument, 0, O_LOAD},    CLI_PLOT_OPTIONS,
        {"plot-variance", required_argument, 0, O_PVAR}, {"json", no_argument, 0, O_JSON},
        {"help", no_argument, 0, 'h'},             {0, 0, 0, 0}};
    memset(a, 0, sizeof *a);
    a->k = 2;
    opterr = 0;
    optind = 1;
    for (int c; (c = getopt_long(argc, argv, ":i:k:o:h", options, NULL)) != -1;) {
        if (cli_plot_option(&a->plot, c, optarg))
            continue;
        switch (c) {
        case 'i': a->input = optarg; break;
        case 'o': a->output = optarg; break;
        case 'k':
            if (cli_parse_size("pca", "-k", optarg, 1, CLI_COUNT_MAX, &a->k))
                return 1;
            a->have_k = 1;
            break;
        case O_VARIANCE:
            if (cli_parse_double("pca", "--variance", optarg, &a->variance))
                return 1;
            if (!(a->variance > 0.0 && a->variance <= 1.0))
                return cli_error("pca", "--variance needs a fraction in (0, 1], got '%s'",
                                 optarg);
            break;
        case O_WHITEN: a->whiten = 1; break;
        case O_SAVE: a->save = optarg; break;
        case O_LOAD: a->load = optarg; break;
        case O_PVAR: a->plot_variance = optarg; break;
        case O_JSON: a->json = 1; break;
        case 'h': fputs(usage, stdout); exit(0);
        case ':': return cli_error("pca", "option %s needs a value", argv[optind - 1]);
        default: return cli_error("pca", "unknown option %s (see udl pca --help)",
                                  argv[optind - 1]);
        }
    }
    if (optind < argc)
        return cli_error("pca", "unexpected argument '%s' (see udl pca --help)", argv[optind]);
    if (!a->input)
        return cli_error("pca", "no input: give -i X (see udl pca --help)");
    if (a->have_k && a->variance > 0.0)
        return cli_error("pca", "give either -k or --variance, not both");
    if (a->load && (a->have_k || a->variance > 0.0 || a->whiten || a->save))
        return cli_error("pca", "--load uses the saved model's settings; -k, --variance, "
                         "--whiten and --save do not apply");
    if (cli_plot_check("pca", &a->plot))
        return 1;
    if (!a->output && !a->save && !a->plot.plot && !a->plot_variance && !a->json)
        return cli_error("pca", "nothing to do: give -o, --save, --plot, --plot-variance "
                         "or --json");
    return 0;
}

static int get_model(const pca_args *a, udl_mat x, udl_pca **pca)
{
    udl_status s;
    if (a->load) {
        if ((s = udl_pca_load(a->load, pca)))
            return cli_status("pca", s);
        return 0;
    }
    udl_pca_params p = udl_pca_params_default();
    p.n_components = a->variance > 0.0 ? 0 : a->k;
    if (a->variance > 0.0)
        p.variance_fraction = a->variance;
    p.whiten = a->whiten;
    if ((s = udl_pca_create(&p, pca)) || (s = udl_pca_fit(*pca, x, cli_progress, NULL))) {
        cli_progress_done();
        return cli_status("pca", s);
    }
    cli_progress_done();
    return 0;
}

static int draw(pca_args *a, const udl_pca *pca, udl_mat z, const udl_array *labels)
{
    char err[512], xlabel[64], ylabel[64];
    const double *ratio = udl_pca_explained_variance_ratio(pca);
    size_t k = udl_pca_n_components(pca);
    if (a->plot.plot) {
        if (k < 2)
            return cli_error("pca", "--plot needs at least 2 components, the model has %zu", k);
        snprintf(xlabel, sizeof xlabel, "PC 1 (%.1f%% of the variance)", 100 * ratio[0]);
        snprintf(ylabel, sizeof ylabel, "PC 2 (%.1f%% of the variance)", 100 * ratio[1]);
        plot_text text = {"PCA: the first two principal components", xlabel, ylabel};
        if (cli_plot_scatter("pca", &a->plot, z, labels, text))
            return 1;
    }
    if (a->plot_variance) {
        size_t d = udl_pca_n_features(pca);
        plot_text text = {"PCA: explained variance", "number of components",
                          "fraction of the variance"};
        if (plot_variance(a->plot_variance, ratio, d, k, text, err, sizeof err))
            return cli_error("pca", "%s", err);
    }
    return 0;
}

static void report(const pca_args *a, const udl_pca *pca, size_t n, double seconds)
{
    size_t k = udl_pca_n_components(pca), d = udl_pca_n_features(pca);
    const double *ratio = udl_pca_explained_variance_ratio(pca);
    double total = 0.0;
    for (size_t j = 0; j < k; j++)
        total += ratio[j];
    if (a->json) {
        cli_json j;
        cli_json_begin(&j);
        cli_json_string(&j, "command", "pca");
        cli_json_number(&j, "n_samples", (double)n);
        cli_json_number(&j, "n_features", (double)d);
        cli_json_number(&j, "k", (double)k);
        cli_json_number(&j, "whiten", udl_pca_get_params(pca).whiten);
        cli_json_numbers(&j, "explained_variance_ratio", ratio, k);
        cli_json_number(&j, "total_explained_variance", total);
        cli_json_numbers(&j, "eigenvalues", udl_pca_eigenvalues(pca), k);
        cli_json_number(&j, "seconds", seconds);
        cli_json_end(&j);
        return;
    }
    printf("PCA: %zu samples x %zu features -> %zu components, %.2f%% of the variance "
           "(%.3f s)\n", n, d, k, 100.0 * total, seconds);
    for (size_t j = 0; j < k && j < 10; j++)
        printf("  PC %-3zu %6.2f%%\n", j + 1, 100.0 * ratio[j]);
    if (k > 10)
        printf("  ... (%zu more)\n", k - 10);
}

int cmd_pca(int argc, char **argv)
{
    pca_args a;
    if (parse_args(argc, argv, &a))
        return 1;
    udl_array x, labels;
    udl_status s = cli_read(a.input, &x);
    if (s)
        return cli_status("pca", s);
    if (cli_plot_labels("pca", &a.plot, x.rows, &labels)) {
        udl_array_free(&x);
        return 1;
    }
    double t0 = cli_now();
    udl_pca *pca = NULL;
    double *zdata = NULL;
    int rc = get_model(&a, udl_array_mat(&x), &pca);
    size_t k = rc ? 0 : udl_pca_n_components(pca);
    udl_mat z = {NULL, x.rows, k, k};
    if (!rc && (a.output || a.plot.plot)) {
        zdata = malloc((x.rows * k + 1) * sizeof(double));
        z.data = zdata;
        if (!zdata)
            rc = cli_error("pca", "out of memory for the %zu x %zu codes", x.rows, k);
        else if ((s = udl_pca_transform(pca, udl_array_mat(&x), z)))
            rc = cli_status("pca", s);
    }
    double seconds = cli_now() - t0;
    if (!rc && a.output && (s = udl_npy_write(a.output, z)))
        rc = cli_status("pca", s);
    if (!rc && a.save && (s = udl_pca_save(pca, a.save)))
        rc = cli_status("pca", s);
    if (!rc)
        rc = draw(&a, pca, z, &labels);
    if (!rc)
        report(&a, pca, x.rows, seconds);
    free(zdata);
    udl_pca_free(pca);
    udl_array_free(&x);
    udl_array_free(&labels);
    return rc;
}
