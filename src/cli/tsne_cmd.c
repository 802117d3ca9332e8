/* udl tsne: embed a data file with t-SNE, optionally after PCA; write and plot it. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "plot.h"

static const char usage[] =
    "usage: udl tsne -i X [-o Y.npy] [--dims 2] [--perplexity 30] [--method auto|exact|bh]\n"
    "                [--theta 0.5] [--iters 1000] [--learning-rate L] [--seed S]\n"
    "                [--pca K] [--init pca|random] [--plot Y.png [--labels y]\n"
    "                [--label-names a,b,...]] [--json]\n"
    "\n"
    "t-distributed stochastic neighbour embedding of the rows of X (.npy, MNIST IDX or CSV;\n"
    "uint8 images are scaled to [0, 1]).\n"
    "\n"
    "  -i, --input X          data to embed, one point per row\n"
    "  -o, --output Y.npy     write the N x dims embedding as float64 .npy\n"
    "      --dims D           output dimensions (default 2; Barnes-Hut takes 1 to 3)\n"
    "      --perplexity P     effective number of neighbours, < N (default 30)\n"
    "      --method M         exact (O(N^2)), bh (Barnes-Hut, O(N log N)) or auto (default:\n"
    "                         exact below 128 points)\n"
    "      --theta T          Barnes-Hut accuracy in [0, 1]; 0 is exact (default 0.5)\n"
    "      --iters I          gradient steps (default 1000; the first 250 exaggerate P)\n"
    "      --learning-rate L  step size (default auto: max(N / 48, 50))\n"
    "      --seed S           random initialisation and neighbour search (default 1)\n"
    "      --pca K            reduce X to K principal components first\n"
    "      --init I           pca (default) or random\n"
    "      --plot P.png       scatter plot of the first two dimensions\n"
    "      --labels Y         labels (.npy, IDX or CSV, one per row of X) to colour by\n"
    "      --label-names L    comma-separated names for labels 0, 1, 2, ...\n"
    "      --json             print one JSON object of results on stdout\n"
    "  -h, --help             show this help\n";

typedef struct tsne_args {
    const char *input, *output;
    cli_plot_opts plot;
    size_t pca;
    int json;
    udl_tsne_params p;
} tsne_args;

static int parse_args(int argc, char **argv, tsne_args *a)
{
    enum { O_DIMS = 256, O_PERP, O_METHOD, O_THETA, O_ITERS, O_LR, O_SEED, O_PCA, O_INIT,
           O_JSON };
    static const struct option options[] = {
        {"input", required_argument, 0, 'i'},         {"output", required_argument, 0, 'o'},
        {"dims", required_argument, 0, O_DIMS},       {"perplexity", required_argument, 0, O_PERP},
        {"method", required_argument, 0, O_METHOD},   {"theta", required_argument, 0, O_THETA},
        {"iters", required_argument, 0, O_ITERS},     {"learning-rate", required_argument, 0, O_LR},
        {"seed", required_argument, 0, O_SEED},       {"pca", required_argument, 0, O_PCA},
        {"init", required_argument, 0, O_INIT},       CLI_PLOT_OPTIONS,
        {"json", no_argument, 0, O_JSON},             {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    memset(a, 0, sizeof *a);
    a->p = udl_tsne_params_default();
    opterr = 0;
    optind = 1;
    const size_t max = CLI_COUNT_MAX;
    for (int c; (c = getopt_long(argc, argv, ":i:o:h", options, NULL)) != -1;) {
        int bad = 0;
        if (cli_plot_option(&a->plot, c, optarg))
            continue;
        switch (c) {
        case 'i': a->input = optarg; break;
        case 'o': a->output = optarg; break;
        case O_DIMS:
            bad = cli_parse_size("tsne", "--dims", optarg, 1, max, &a->p.n_components);
            break;
        case O_PERP:
            bad = cli_parse_double("tsne", "--perplexity", optarg, &a->p.perplexity);
            break;
        case O_THETA: bad = cli_parse_double("tsne", "--theta", optarg, &a->p.theta); break;
        case O_ITERS: bad = cli_parse_size("tsne", "--iters", optarg, 1, max, &a->p.n_iter); break;
        case O_LR:
            bad = cli_parse_double("tsne", "--learning-rate", optarg, &a->p.learning_rate);
            break;
        case O_SEED: bad = cli_parse_seed("tsne", "--seed", optarg, &a->p.seed); break;
        case O_PCA: bad = cli_parse_size("tsne", "--pca", optarg, 1, max, &a->pca); break;
        case O_METHOD:
            if (!strcmp(optarg, "auto"))
                a->p.method = UDL_TSNE_AUTO;
            else if (!strcmp(optarg, "exact"))
                a->p.method = UDL_TSNE_EXACT;
            else if (!strcmp(optarg, "bh") || !strcmp(optarg, "barnes_hut"))
                a->p.method = UDL_TSNE_BARNES_HUT;
            else
                return cli_error("tsne", "--method must be auto, exact or bh, got '%s'", optarg);
            break;
        case O_INIT:
            if (!strcmp(optarg, "pca"))
                a->p.init = UDL_TSNE_INIT_PCA;
            else if (!strcmp(optarg, "random"))
                a->p.init = UDL_TSNE_INIT_RANDOM;
            else
                return cli_error("tsne", "--init must be pca or random, got '%s'", optarg);
            break;
        case O_JSON: a->json = 1; break;
        case 'h': fputs(usage, stdout); exit(0);
        case ':': return cli_error("tsne", "option %s needs a value", argv[optind - 1]);
        default: return cli_error("tsne", "unknown option %s (see udl tsne --help)",
                                  argv[optind - 1]);
        }
        if (bad)
            return 1;
    }
    if (optind < argc)
        return cli_error("tsne", "unexpected argument '%s' (see udl tsne --help)", argv[optind]);
    if (!a->input)
        return cli_error("tsne", "no input: give -i X (see udl tsne --help)");
    if (cli_plot_check("tsne", &a->plot))
        return 1;
    if (a->plot.plot && a->p.n_components < 2)
        return cli_error("tsne", "--plot needs --dims 2 or more");
    if (!a->output && !a->plot.plot && !a->json)
        return cli_error("tsne", "nothing to do: give -o, --plot or --json");
    return 0;
}

/* X reduced to its first k principal components, into z (N x k). */
static int reduce(udl_mat x, size_t k, double **z)
{
    udl_pca_params pp = udl_pca_params_default();
    pp.n_components = k;
    udl_pca *pca = NULL;
    udl_status s;
    *z = malloc((x.rows * k + 1) * sizeof **z);
    if (!*z)
        return cli_error("tsne", "out of memory for the %zu x %zu PCA codes", x.rows, k);
    if ((s = udl_pca_create(&pp, &pca)) || (s = udl_pca_fit(pca, x, NULL, NULL)) ||
        (s = udl_pca_transform(pca, x, udl_mat_view(*z, x.rows, k)))) {
        udl_pca_free(pca);
        return cli_status("tsne", s);
    }
    udl_pca_free(pca);
    return 0;
}

static int draw(tsne_args *a, udl_mat y, const udl_array *labels, const udl_tsne_result *r)
{
    char title[128];
    snprintf(title, sizeof title, "t-SNE of %zu points (perplexity %g, KL %.3f)", y.rows,
             a->p.perplexity, r->kl);
    plot_text text = {title, "t-SNE 1", "t-SNE 2"};
    return cli_plot_scatter("tsne", &a->plot, y, labels, text);
}

static void report(const tsne_args *a, const udl_tsne_result *r, udl_mat x, double seconds)
{
    const char *method = r->method == UDL_TSNE_EXACT ? "exact" : "barnes_hut";
    if (a->json) {
        cli_json j;
        cli_json_begin(&j);
        cli_json_string(&j, "command", "tsne");
        cli_json_number(&j, "n_samples", (double)x.rows);
        cli_json_number(&j, "n_features", (double)x.cols);
        cli_json_number(&j, "dims", (double)a->p.n_components);
        cli_json_string(&j, "method", method);
        cli_json_number(&j, "perplexity", a->p.perplexity);
        cli_json_number(&j, "iterations", (double)r->iterations);
        cli_json_number(&j, "learning_rate", r->learning_rate);
        cli_json_number(&j, "kl", r->kl);
        cli_json_number(&j, "seconds", seconds);
        cli_json_end(&j);
        return;
    }
    printf("t-SNE (%s): %zu points x %zu features -> %zu dimensions, perplexity %g, "
           "%zu steps, KL %.4f (%.2f s)\n", method, x.rows, x.cols, a->p.n_components,
           a->p.perplexity, r->iterations, r->kl, seconds);
}

int cmd_tsne(int argc, char **argv)
{
    tsne_args a;
    if (parse_args(argc, argv, &a))
        return 1;
    udl_array x, labels;
    udl_status s = cli_read(a.input, &x);
    if (s)
        return cli_status("tsne", s);
    if (cli_plot_labels("tsne", &a.plot, x.rows, &labels)) {
        udl_array_free(&x);
        return 1;
    }
    double t0 = cli_now();
    double *zdata = NULL, *ydata = NULL;
    udl_mat in = udl_array_mat(&x);
    int rc = 0;
    if (a.pca) {
        rc = reduce(in, a.pca, &zdata);
        in = udl_mat_view(zdata, x.rows, a.pca);
    }
    const size_t dims = a.p.n_components;
    udl_mat y = {NULL, x.rows, dims, dims};
    udl_tsne_result r;
    if (!rc && !(ydata = malloc((x.rows * dims + 1) * sizeof *ydata)))
        rc = cli_error("tsne", "out of memory for the %zu x %zu embedding", x.rows, dims);
    y.data = ydata;
    if (!rc) {
        s = udl_tsne_embed(&a.p, in, y, cli_progress, NULL, &r);
        cli_progress_done();
        if (s)
            rc = cli_status("tsne", s);
    }
    double seconds = cli_now() - t0;
    if (!rc && a.output && (s = udl_npy_write(a.output, y)))
        rc = cli_status("tsne", s);
    if (!rc && a.plot.plot)
        rc = draw(&a, y, &labels, &r);
    if (!rc)
        report(&a, &r, udl_array_mat(&x), seconds);
    free(zdata);
    free(ydata);
    udl_array_free(&x);
    udl_array_free(&labels);
    return rc;
}
