/* udl sample (fantasies of an RBM or a deep belief net) and udl eval-ll (an RBM's
 * log-likelihood by annealed importance sampling). */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"

static const char sample_usage[] =
    "usage: udl sample --model M.udl -n N -o S.npy [--gibbs STEPS] [--seed S] [--json]\n"
    "\n"
    "N samples from an RBM or a deep belief net: STEPS Gibbs steps (default 1000) from\n"
    "random visible states (for a net, in its top RBM, then down through the layers),\n"
    "written as the last visible means, one sample per row.\n";

int cmd_sample(int argc, char **argv)
{
    static const struct option options[] = {
        {"model", required_argument, 0, 'm'}, {"output", required_argument, 0, 'o'},
        {"gibbs", required_argument, 0, 'g'}, {"seed", required_argument, 0, 's'},
        {"json", no_argument, 0, 'j'},        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    const char *model = NULL, *output = NULL;
    size_t n = 0, steps = 1000;
    uint64_t seed = 1;
    int json = 0, rc = 0;
    opterr = 0;
    optind = 1;
    for (int c; !rc && (c = getopt_long(argc, argv, ":m:o:n:h", options, NULL)) != -1;) {
        switch (c) {
        case 'm': model = optarg; break;
        case 'o': output = optarg; break;
        case 'n': rc = cli_parse_size("sample", "-n", optarg, 1, CLI_COUNT_MAX, &n); break;
        case 'g': rc = cli_parse_size("sample", "--gibbs", optarg, 1, CLI_COUNT_MAX, &steps); break;
        case 's': rc = cli_parse_seed("sample", "--seed", optarg, &seed); break;
        case 'j': json = 1; break;
        case 'h': fputs(sample_usage, stdout); exit(0);
        case ':': rc = cli_error("sample", "option %s needs a value", argv[optind - 1]); break;
        default: rc = cli_error("sample", "unknown option %s", argv[optind - 1]);
        }
    }
    if (rc)
        return rc;
    if (optind < argc)
        return cli_error("sample", "unexpected argument '%s'", argv[optind]);
    if (!model || !output || !n)
        return cli_error("sample", "needs --model, -n and -o (see udl sample --help)");
    udl_model *m;
    udl_status s = udl_model_load(model, &m);
    if (s)
        return cli_status("sample", s);
    const size_t d = udl_model_n_inputs(m);
    udl_array out = {calloc(n * d + 1, sizeof(double)), n, d};
    double t0 = cli_now();
    if (!out.data)
        rc = cli_error("sample", "out of memory for the %zu x %zu samples", n, d);
    else if ((s = udl_model_sample(m, udl_array_mat(&out), steps, seed)) ||
             (s = udl_npy_write(output, udl_array_mat(&out))))
        rc = cli_status("sample", s);
    else if (json) {
        cli_json j;
        cli_json_begin(&j);
        cli_json_string(&j, "command", "sample");
        cli_json_string(&j, "model", udl_kind_name(udl_model_kind(m)));
        cli_json_number(&j, "n_samples", (double)n);
        cli_json_number(&j, "n_columns", (double)d);
        cli_json_number(&j, "gibbs_steps", (double)steps);
        cli_json_number(&j, "seconds", cli_now() - t0);
        cli_json_end(&j);
    }
    udl_array_free(&out);
    udl_model_free(m);
    return rc;
}

static const char eval_usage[] =
    "usage: udl eval-ll --model M.udl -i X [--base Xtrain] [--runs R] [--betas K] [--seed S]\n"
    "                   [--json]\n"
    "\n"
    "The average log-probability of the rows of X under an RBM (nats), with log Z estimated\n"
    "by annealed importance sampling (Salakhutdinov & Murray 2008): R runs (default 100)\n"
    "through K intermediate distributions (default their 14,500-step schedule) from a\n"
    "base-rate model fitted to the column means of --base (default: X itself). The band is\n"
    "the mean of the AIS weights plus or minus 3 standard errors.\n";

int cmd_eval_ll(int argc, char **argv)
{
    static const struct option options[] = {
        {"model", required_argument, 0, 'm'}, {"input", required_argument, 0, 'i'},
        {"base", required_argument, 0, 'b'},  {"runs", required_argument, 0, 'r'},
        {"betas", required_argument, 0, 'k'}, {"seed", required_argument, 0, 's'},
        {"json", no_argument, 0, 'j'},        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    const char *model = NULL, *input = NULL, *base_path = NULL;
    udl_ais_params ap = udl_ais_params_default();
    int json = 0, rc = 0;
    opterr = 0;
    optind = 1;
    for (int c; !rc && (c = getopt_long(argc, argv, ":m:i:h", options, NULL)) != -1;) {
        switch (c) {
        case 'm': model = optarg; break;
        case 'i': input = optarg; break;
        case 'b': base_path = optarg; break;
        case 'r': rc = cli_parse_size("eval-ll", "--runs", optarg, 2, 100000, &ap.n_runs); break;
        case 'k': rc = cli_parse_size("eval-ll", "--betas", optarg, 1, 10000000, &ap.n_betas); break;
        case 's': rc = cli_parse_seed("eval-ll", "--seed", optarg, &ap.seed); break;
        case 'j': json = 1; break;
        case 'h': fputs(eval_usage, stdout); exit(0);
        case ':': rc = cli_error("eval-ll", "option %s needs a value", argv[optind - 1]); break;
        default: rc = cli_error("eval-ll", "unknown option %s", argv[optind - 1]);
        }
    }
    if (rc)
        return rc;
    if (optind < argc)
        return cli_error("eval-ll", "unexpected argument '%s'", argv[optind]);
    if (!model || !input)
        return cli_error("eval-ll", "needs --model and -i (see udl eval-ll --help)");
    udl_model *m;
    udl_status s = udl_model_load(model, &m);
    if (s)
        return cli_status("eval-ll", s);
    if (udl_model_kind(m) != UDL_KIND_RBM) {
        rc = cli_error("eval-ll", "%s holds a %s; eval-ll takes an RBM", model,
                       udl_model_kind_name(m));
        udl_model_free(m);
        return rc;
    }
    const udl_rbm *rbm = udl_model_object(m);
    udl_array x = {0}, base = {0};
    if ((s = cli_read(input, &x)) || (base_path && (s = cli_read(base_path, &base)))) {
        udl_array_free(&x);
        udl_model_free(m);
        return cli_status("eval-ll", s);
    }
    udl_mat bm = udl_array_mat(base_path ? &base : &x);
    udl_ais_result res;
    double ll, lo, hi, t0 = cli_now();
    if ((s = udl_rbm_log_partition(rbm, &ap, &bm, &res)) ||
        (s = udl_rbm_log_likelihood(rbm, udl_array_mat(&x), &res, &ll, &lo, &hi)))
        rc = cli_status("eval-ll", s);
    else if (json) {
        cli_json j;
        cli_json_begin(&j);
        cli_json_string(&j, "command", "eval-ll");
        cli_json_number(&j, "n_samples", (double)x.rows);
        cli_json_number(&j, "runs", (double)ap.n_runs);
        cli_json_number(&j, "betas", (double)(ap.n_betas ? ap.n_betas : 14500));
        cli_json_number(&j, "log_z", res.log_z);
        cli_json_number(&j, "log_z_lo", res.log_z_lo);
        cli_json_number(&j, "log_z_hi", res.log_z_hi);
        cli_json_number(&j, "log_z_base", res.log_z_base);
        cli_json_number(&j, "log_likelihood", ll);
        cli_json_number(&j, "log_likelihood_lo", lo);
        cli_json_number(&j, "log_likelihood_hi", hi);
        cli_json_number(&j, "seconds", cli_now() - t0);
        cli_json_end(&j);
    } else {
        printf("log Z = %.4f (band %.4f to %.4f, %zu runs)\n", res.log_z, res.log_z_lo,
               res.log_z_hi, ap.n_runs);
        printf("average log-probability of %zu rows: %.4f nats (band %.4f to %.4f; %.1f s)\n",
               x.rows, ll, lo, hi, cli_now() - t0);
    }
    udl_array_free(&x);
    udl_array_free(&base);
    udl_model_free(m);
    return rc;
}
