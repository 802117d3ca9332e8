/* udl visualize: what the units of a saved model respond to (Erhan et al. 2009), as a grid
 * of images and the inputs found. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "plot.h"

static const char usage[] =
    "usage: udl visualize --model M.udl --layer L -o grid.png [--npy X.npy]\n"
    "                     [--units A-B] [--method ascent|closed|sample] [--norm RHO]\n"
    "                     [--steps S] [--restarts R] [--no-clip] [--gibbs N] [--seed S]\n"
    "                     [--cols C] [--shape HxW] [--blur S] [--json]\n"
    "\n"
    "What the units of layer L of a model respond to (Erhan, Bengio, Courville & Vincent\n"
    "2009), one image a unit. Layers count from the input up, from 0: an autoencoder's or\n"
    "an RBM's hidden layer is 0, a stack's or a deep belief net's layers 0, 1, ..., a\n"
    "classifier's hidden layers then its class scores (before the softmax).\n"
    "  --method ascent  (the default) gradient ascent on the input for each unit, from\n"
    "                   --restarts R random starts (default 4) of --steps S steps (200),\n"
    "                   within |x| <= RHO and [0, 1] (--no-clip: the ball alone)\n"
    "  --method closed  layer 0 in closed form: RHO W[:,j] / |W[:,j]|\n"
    "  --method sample  a deep belief net's top layer: unit j held at 1 while --gibbs N\n"
    "                   Gibbs steps (default 1000) run in the top RBM, then the visible\n"
    "                   means down to the inputs\n"
    "  --units A-B      the units A to B, or one unit U (default: the layer's first 64)\n"
    "  --norm RHO       the inputs' largest norm (default 10)\n"
    "  --blur S         ascent: smooth the starts and every step by a Gaussian of S\n"
    "                   pixels (images of --shape), which keeps pixel noise out\n"
    "  --seed S         the random starts (ascent) or the chains (sample); default 1\n"
    "  -o grid.png      the images as one 8-bit greyscale PNG, --cols C to a row (default:\n"
    "                   the square root of their number, rounded up), each scaled to its\n"
    "                   own range; enlarged to at least 600 pixels wide\n"
    "  --shape HxW      the images' shape (default: square, 784 values as 28x28)\n"
    "  --npy X.npy      the inputs found, one row a unit, as float64 .npy\n"
    "  --json           print the layer, the units, the method and (ascent) each unit's\n"
    "                   activation at its input\n";

typedef enum viz_method { VIZ_ASCENT, VIZ_CLOSED, VIZ_SAMPLE } viz_method;
static const char *const method_names[] = {"ascent", "closed", "sample"};

typedef struct viz_args {
    const char *model, *png, *npy, *shape;
    viz_method method;
    size_t layer, first, last, cols, gibbs;
    int have_layer, have_units, json;
    udl_featviz_params p;
    unsigned given; /* the method-specific options given (G_*) */
} viz_args;

enum { G_NORM = 1, G_STEPS = 2, G_RESTARTS = 4, G_NOCLIP = 8, G_GIBBS = 16, G_SEED = 32,
       G_BLUR = 64 };

/* "A-B" or "U". */
static int parse_units(const char *s, viz_args *a)
{
    const char *dash = strchr(s, '-');
    char first[32];
    if (!dash) {
        if (cli_parse_size("visualize", "--units", s, 0, CLI_COUNT_MAX, &a->first))
            return 1;
        a->last = a->first;
    } else {
        if ((size_t)(dash - s) >= sizeof first)
            return cli_error("visualize", "--units takes A-B or one unit U, got '%s'", s);
        memcpy(first, s, (size_t)(dash - s));
        first[dash - s] = '\0';
        if (cli_parse_size("visualize", "--units", first, 0, CLI_COUNT_MAX, &a->first) ||
            cli_parse_size("visualize", "--units", dash + 1, 0, CLI_COUNT_MAX, &a->last))
            return 1;
        if (a->first > a->last)
            return cli_error("visualize", "--units takes A-B with A <= B, got '%s'", s);
    }
    a->have_units = 1;
    return 0;
}

static int parse_method(const char *s, viz_method *m)
{
    for (int i = 0; i < 3; i++)
        if (strcmp(s, method_names[i]) == 0) {
            *m = (viz_method)i;
            return 0;
        }
    return cli_error("visualize", "--method is ascent, closed or sample, got '%s'", s);
}

/* The options that only some methods take. */
static int check_method_options(const viz_args *a)
{
    static const struct {
        unsigned flag;
        const char *name, *methods;
        unsigned for_methods; /* bit m: method m takes it */
    } only[] = {{G_NORM, "--norm", "ascent and closed", 3},
                {G_STEPS, "--steps", "ascent", 1},
                {G_RESTARTS, "--restarts", "ascent", 1},
                {G_NOCLIP, "--no-clip", "ascent", 1},
                {G_BLUR, "--blur", "ascent", 1},
                {G_GIBBS, "--gibbs", "sample", 4},
                {G_SEED, "--seed", "ascent and sample", 5}};
    for (size_t i = 0; i < sizeof only / sizeof only[0]; i++)
        if ((a->given & only[i].flag) && !(only[i].for_methods & (1u << a->method)))
            return cli_error("visualize", "%s is for --method %s", only[i].name,
                             only[i].methods);
    return 0;
}

static int parse_args(int argc, char **argv, viz_args *a)
{
    enum { O_LAYER = 256, O_UNITS, O_METHOD, O_NPY, O_NORM, O_STEPS, O_RESTARTS, O_NOCLIP,
           O_GIBBS, O_SEED, O_COLS, O_SHAPE, O_JSON, O_BLUR };
    static const struct option options[] = {
        {"model", required_argument, 0, 'm'},      {"layer", required_argument, 0, O_LAYER},
        {"units", required_argument, 0, O_UNITS},  {"method", required_argument, 0, O_METHOD},
        {"output", required_argument, 0, 'o'},     {"npy", required_argument, 0, O_NPY},
        {"norm", required_argument, 0, O_NORM},    {"steps", required_argument, 0, O_STEPS},
        {"restarts", required_argument, 0, O_RESTARTS}, {"no-clip", no_argument, 0, O_NOCLIP},
        {"gibbs", required_argument, 0, O_GIBBS},  {"seed", required_argument, 0, O_SEED},
        {"cols", required_argument, 0, O_COLS},    {"shape", required_argument, 0, O_SHAPE},
        {"json", no_argument, 0, O_JSON},          {"help", no_argument, 0, 'h'},
        {"blur", required_argument, 0, O_BLUR},
        {0, 0, 0, 0}};
    memset(a, 0, sizeof *a);
    a->p = udl_featviz_params_default();
    a->gibbs = 1000;
    opterr = 0;
    optind = 1;
    int rc = 0;
    const size_t max = CLI_COUNT_MAX;
    for (int c; !rc && (c = getopt_long(argc, argv, ":m:o:h", options, NULL)) != -1;) {
        switch (c) {
        case 'm': a->model = optarg; break;
        case 'o': a->png = optarg; break;
        case O_NPY: a->npy = optarg; break;
        case O_LAYER:
            rc = cli_parse_size("visualize", "--layer", optarg, 0, max, &a->layer);
            a->have_layer = 1;
            break;
        case O_UNITS: rc = parse_units(optarg, a); break;
        case O_METHOD: rc = parse_method(optarg, &a->method); break;
        case O_NORM:
            rc = cli_parse_double("visualize", "--norm", optarg, &a->p.norm);
            if (!rc && !(a->p.norm > 0.0))
                rc = cli_error("visualize", "--norm needs a positive number, got '%s'", optarg);
            a->given |= G_NORM;
            break;
        case O_STEPS:
            rc = cli_parse_size("visualize", "--steps", optarg, 1, max, &a->p.steps);
            a->given |= G_STEPS;
            break;
        case O_RESTARTS:
            rc = cli_parse_size("visualize", "--restarts", optarg, 1, max, &a->p.restarts);
            a->given |= G_RESTARTS;
            break;
        case O_NOCLIP: a->p.clip = 0; a->given |= G_NOCLIP; break;
        case O_BLUR:
            rc = cli_parse_double("visualize", "--blur", optarg, &a->p.blur);
            if (!rc && !(a->p.blur >= 0.0 && a->p.blur <= 100.0))
                rc = cli_error("visualize", "--blur needs a number of pixels from 0 to 100, "
                               "got '%s'", optarg);
            a->given |= G_BLUR;
            break;
        case O_GIBBS:
            rc = cli_parse_size("visualize", "--gibbs", optarg, 1, max, &a->gibbs);
            a->given |= G_GIBBS;
            break;
        case O_SEED:
            rc = cli_parse_seed("visualize", "--seed", optarg, &a->p.seed);
            a->given |= G_SEED;
            break;
        case O_COLS: rc = cli_parse_size("visualize", "--cols", optarg, 1, max, &a->cols); break;
        case O_SHAPE: a->shape = optarg; break;
        case O_JSON: a->json = 1; break;
        case 'h': fputs(usage, stdout); exit(0);
        case ':': rc = cli_error("visualize", "option %s needs a value", argv[optind - 1]); break;
        default:
            rc = cli_error("visualize", "unknown option %s (see udl visualize --help)",
                           argv[optind - 1]);
        }
    }
    if (rc)
        return rc;
    if (optind < argc)
        return cli_error("visualize", "unexpected argument '%s'", argv[optind]);
    if (!a->model || !a->have_layer || !(a->png || a->npy))
        return cli_error("visualize", "needs --model, --layer and -o or --npy (see udl "
                         "visualize --help)");
    if (a->shape && !a->png && !(a->p.blur > 0.0))
        return cli_error("visualize", "--shape is the shape of the -o picture's images (and "
                         "of what --blur smooths); give -o or --blur");
    if (a->cols && !a->png)
        return cli_error("visualize", "--cols lays out the -o picture; give -o");
    return check_method_options(a);
}

/* The layer and units asked for exist, and the method can show them; fills in the
 * default units. */
static int check_units(viz_args *a, const udl_model *m)
{
    size_t n_layers, widths[UDL_FEATVIZ_MAX_LAYERS + 1];
    udl_status s = udl_featviz_layers(m, &n_layers, widths);
    if (s)
        return cli_status("visualize", s);
    if (a->layer >= n_layers)
        return cli_error("visualize", "--layer %zu, but the model's layers are 0 to %zu",
                         a->layer, n_layers - 1);
    const size_t width = widths[a->layer + 1];
    if (!a->have_units) {
        a->first = 0;
        a->last = (width < 64 ? width : 64) - 1;
    }
    if (a->last >= width)
        return cli_error("visualize", "--units %zu-%zu, but layer %zu has units 0 to %zu",
                         a->first, a->last, a->layer, width - 1);
    if (a->method == VIZ_CLOSED && a->layer != 0)
        return cli_error("visualize", "--method closed is the first layer's closed form: give "
                         "--layer 0, or --method ascent for layer %zu", a->layer);
    if (a->method == VIZ_SAMPLE && udl_model_kind(m) != UDL_KIND_DBN)
        return cli_error("visualize", "--method sample runs the Gibbs chains of a deep belief "
                         "net (dbn); %s holds a model of kind %s", a->model,
                         udl_kind_name(udl_model_kind(m)));
    if (a->method == VIZ_SAMPLE && a->layer + 1 != n_layers)
        return cli_error("visualize", "--method sample holds units of the top layer at 1: give "
                         "--layer %zu", n_layers - 1);
    return 0;
}

/* The inputs for the units into x; activation (ascent) gets each unit's value there. */
static udl_status find_inputs(const viz_args *a, const udl_model *m, udl_mat x,
                              double *activation)
{
    switch (a->method) {
    case VIZ_CLOSED: return udl_featviz_first_layer(m, a->p.norm, a->first, x);
    case VIZ_SAMPLE:
        return udl_featviz_dbn_sample(udl_model_object(m), a->first, a->gibbs, a->p.seed, x);
    default: return udl_featviz_ascent(m, a->layer, a->first, &a->p, x, activation);
    }
}

/* The grid of the inputs as the -o picture. */
static int write_grid(const viz_args *a, udl_mat x, size_t h, size_t w)
{
    size_t cols = a->cols;
    if (!cols)
        for (cols = 1; cols * cols < x.rows; cols++)
            ;
    udl_array grid;
    udl_status s = udl_image_grid(x, h, w, cols, &grid);
    if (s)
        return cli_status("visualize", s);
    char err[512];
    int rc = plot_gray(a->png, &grid, plot_upscale(grid.cols, grid.rows, 600), err, sizeof err);
    udl_array_free(&grid);
    return rc ? cli_error("visualize", "%s", err) : 0;
}

static void report(const viz_args *a, const udl_model *m, size_t d, size_t h, size_t w,
                   const double *activation, double seconds)
{
    const size_t n = a->last - a->first + 1;
    if (!a->json) {
        printf("%s: units %zu to %zu of layer %zu of %s (%s)", method_names[a->method],
               a->first, a->last, a->layer, a->model, udl_model_kind_name(m));
        if (activation) {
            double lo = activation[0], hi = activation[0];
            for (size_t i = 1; i < n; i++) {
                lo = fmin(lo, activation[i]);
                hi = fmax(hi, activation[i]);
            }
            printf(", activations %.4g to %.4g", lo, hi);
        }
        printf(" (%.1f s) ->%s%s%s%s\n", seconds, a->png ? " " : "", a->png ? a->png : "",
               a->npy ? " " : "", a->npy ? a->npy : "");
        return;
    }
    double *units = malloc(n * sizeof(double));
    cli_json j;
    cli_json_begin(&j);
    cli_json_string(&j, "command", "visualize");
    cli_json_string(&j, "model", udl_kind_name(udl_model_kind(m)));
    cli_json_string(&j, "method", method_names[a->method]);
    cli_json_number(&j, "layer", (double)a->layer);
    for (size_t i = 0; units && i < n; i++)
        units[i] = (double)(a->first + i);
    cli_json_numbers(&j, "units", units, units ? n : 0);
    cli_json_number(&j, "n_inputs", (double)d);
    if (a->png) {
        const double shape[2] = {(double)h, (double)w};
        cli_json_numbers(&j, "shape", shape, 2);
    }
    if (a->method != VIZ_SAMPLE)
        cli_json_number(&j, "norm", a->p.norm);
    if (a->method == VIZ_ASCENT) {
        cli_json_number(&j, "steps", (double)a->p.steps);
        cli_json_number(&j, "restarts", (double)a->p.restarts);
        cli_json_number(&j, "clip", a->p.clip);
        cli_json_numbers(&j, "activation", activation, n);
    }
    if (a->method == VIZ_SAMPLE)
        cli_json_number(&j, "gibbs_steps", (double)a->gibbs);
    cli_json_number(&j, "seconds", seconds);
    cli_json_end(&j);
    free(units);
}

/* Finds the inputs, then writes -o and --npy, each whole or not at all. */
static int visualize(const viz_args *a, const udl_model *m)
{
    const size_t d = udl_model_n_inputs(m), n = a->last - a->first + 1;
    size_t h = 0, w = 0;
    if ((a->png || a->p.blur > 0.0) &&
        cli_tile_shape("visualize", "--shape", a->shape, d, &h, &w))
        return 1;
    viz_args shaped = *a; /* the blur smooths images w pixels wide */
    shaped.p.image_width = w;
    const double t0 = cli_now();
    double *buf = malloc((n * d + n) * sizeof(double));
    if (!buf)
        return cli_error("visualize", "out of memory for %zu inputs of %zu values", n, d);
    udl_mat x = udl_mat_view(buf, n, d);
    double *activation = a->method == VIZ_ASCENT ? buf + n * d : NULL;
    udl_status s;
    int rc = 0;
    if ((s = find_inputs(&shaped, m, x, activation)))
        rc = cli_status("visualize", s);
    else if (a->png && write_grid(a, x, h, w))
        rc = 1;
    else if (a->npy && (s = udl_npy_write(a->npy, x))) {
        if (a->png)
            remove(a->png);
        rc = cli_status("visualize", s);
    }
    if (!rc)
        report(a, m, d, h, w, activation, cli_now() - t0);
    free(buf);
    return rc;
}

int cmd_visualize(int argc, char **argv)
{
    viz_args a;
    if (parse_args(argc, argv, &a))
        return 1;
    udl_model *m;
    udl_status s = udl_model_load(a.model, &m);
    if (s)
        return cli_status("visualize", s);
    const int rc = check_units(&a, m) || visualize(&a, m);
    udl_model_free(m);
    return rc;
}
