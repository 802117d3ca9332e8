/* udl info and udl export: what a model file holds, for a person or for another framework.
 * Both walk the file's fields through the generic handle (udl_model_field), so every kind
 * is shown and exported by the same code. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"

/* ---- shared: options and the fields ------------------------------------------------------ */

typedef struct view_args {
    const char *model, *dir;
    int json;
} view_args;

static int parse_view(const char *cmd, const char *usage, int argc, char **argv, view_args *a)
{
    static const struct option options[] = {{"output", required_argument, 0, 'o'},
                                            {"json", no_argument, 0, 'j'},
                                            {"help", no_argument, 0, 'h'},
                                            {0, 0, 0, 0}};
    memset(a, 0, sizeof *a);
    opterr = 0;
    optind = 1;
    for (int c; (c = getopt_long(argc, argv, ":o:h", options, NULL)) != -1;) {
        switch (c) {
        case 'o': a->dir = optarg; break;
        case 'j': a->json = 1; break;
        case 'h': fputs(usage, stdout); exit(0);
        case ':': return cli_error(cmd, "option %s needs a value", argv[optind - 1]);
        default:
            return cli_error(cmd, "unknown option %s (see udl %s --help)", argv[optind - 1], cmd);
        }
    }
    if (optind == argc)
        return cli_error(cmd, "needs a model file (see udl %s --help)", cmd);
    a->model = argv[optind++];
    if (optind < argc)
        return cli_error(cmd, "unexpected argument '%s'", argv[optind]);
    return 0;
}

/* Field i of m; every index comes from udl_model_n_fields of a loaded model, so the call
 * cannot fail. */
static udl_field field_at(const udl_model *m, size_t i)
{
    udl_field f;
    if (udl_model_field(m, i, &f))
        abort();
    return f;
}

/* The last part of a field's name: "W" of "L1.W". */
static const char *base_name(const char *name)
{
    const char *dot = strrchr(name, '.');
    return dot ? dot + 1 : name;
}

static int is_weights(const udl_field *f)
{
    return f->type == UDL_FIELD_MATRIX && base_name(f->name)[0] == 'W';
}

static const char *const type_names[] = {"", "integer", "number", "matrix"};

/* "fields": every field by name, with its type, value or shape, layer, choice, meaning
 * and (for export) the file it was written to. */
static void json_fields(cli_json *j, const udl_model *m, char *const *files)
{
    cli_json all, one;
    cli_json_object(j, "fields", &all);
    for (size_t i = 0; i < udl_model_n_fields(m); i++) {
        const udl_field f = field_at(m, i);
        cli_json_object(&all, f.name, &one);
        cli_json_string(&one, "type", type_names[f.type]);
        if (f.type == UDL_FIELD_INTEGER)
            cli_json_uint(&one, "value", f.integer);
        else if (f.type == UDL_FIELD_NUMBER)
            cli_json_number(&one, "value", f.number);
        else {
            const double shape[2] = {(double)f.rows, (double)f.cols};
            cli_json_numbers(&one, "shape", shape, 2);
            if (files && files[i]) {
                cli_json_string(&one, "file", files[i]);
                cli_json_string(&one, "dtype", "float64 (little-endian, C order)");
            }
        }
        if (f.layer >= 0)
            cli_json_number(&one, "layer", (double)f.layer);
        if (f.value_name)
            cli_json_string(&one, "choice", f.value_name);
        if (f.about)
            cli_json_string(&one, "about", f.about);
        cli_json_object_end(&one);
    }
    cli_json_object_end(&all);
}

/* The widths from the input up: the input, then each weight matrix's outputs in layer
 * order (the codes for a model without weights: PCA). Returns how many. */
static size_t layer_sizes(const udl_model *m, double *sizes, size_t max)
{
    size_t n = 0;
    sizes[n++] = (double)udl_model_n_inputs(m);
    for (long layer = 0; n < max; layer++) {
        size_t found = 0;
        for (size_t i = 0; i < udl_model_n_fields(m) && !found; i++) {
            udl_field f = field_at(m, i);
            if (is_weights(&f) && (f.layer == layer || (f.layer < 0 && layer == 0)))
                found = f.cols + 1;
        }
        if (!found)
            break;
        sizes[n++] = (double)(found - 1);
    }
    if (n == 1)
        sizes[n++] = (double)udl_model_n_codes(m);
    return n;
}

/* The activations of the layers, where the file names them per layer (act0, act1, ...). */
static size_t layer_activations(const udl_model *m, const char **acts, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < udl_model_n_fields(m); i++) {
        udl_field f = field_at(m, i);
        if (strncmp(f.name, "act", 3) == 0 && f.value_name && f.layer >= 0 &&
            (size_t)f.layer < max) {
            acts[f.layer] = f.value_name;
            n = (size_t)f.layer + 1 > n ? (size_t)f.layer + 1 : n;
        }
    }
    for (size_t l = 0; l < n; l++)
        if (!acts[l])
            return 0; /* a gap: not a plain list */
    return n;
}

/* What info and model.json both begin with: the kind, format version and sizes. */
static void json_summary(cli_json *j, const udl_model *m)
{
    cli_json_string(j, "kind", udl_kind_name(udl_model_kind(m)));
    cli_json_string(j, "title", udl_model_kind_name(m));
    cli_json_number(j, "format_version", udl_model_format_version(m));
    cli_json_number(j, "n_inputs", (double)udl_model_n_inputs(m));
    cli_json_number(j, "n_codes", (double)udl_model_n_codes(m));
    cli_json_number(j, "n_outputs", (double)udl_model_n_outputs(m));
    double sizes[128];
    cli_json_numbers(j, "layer_sizes", sizes, layer_sizes(m, sizes, 128));
    const char *acts[128] = {0};
    const size_t n_acts = layer_activations(m, acts, 128);
    if (n_acts)
        cli_json_strings(j, "activations", acts, n_acts);
}

/* ---- udl info ------------------------------------------------------------------------------ */

static const char info_usage[] =
    "usage: udl info M.udl [--json]\n"
    "\n"
    "What a model file holds: its kind and file format version, its sizes (inputs, layer\n"
    "widths, codes, classes), its activations, loss and training parameters (every scalar\n"
    "of the file, with the name of each choice), its arrays and their shapes, and a summary\n"
    "of its training history: epochs trained, first, last and lowest loss, and for a\n"
    "classifier the last and best validation loss and error. --json prints one JSON object.\n";

typedef struct history {
    size_t epochs, valid; /* values, and those that are not -1 (no validation) */
    double first, last, lowest;
    size_t lowest_epoch; /* from 1 */
} history;

/* A history of losses; validation histories mark epochs without validation as -1. */
static int history_of(const udl_field *f, history *h)
{
    const char *base = base_name(f->name);
    const int validation = strncmp(base, "valid_", 6) == 0;
    if (f->type != UDL_FIELD_MATRIX || f->rows != 1 ||
        !(validation || strcmp(base, "history") == 0))
        return 0;
    memset(h, 0, sizeof *h);
    h->epochs = f->cols;
    for (size_t e = 0; e < f->cols; e++) {
        const double v = f->data[e];
        if (validation && v == -1.0)
            continue;
        if (!h->valid++)
            h->first = v;
        h->last = v;
        if (h->valid == 1 || v < h->lowest) {
            h->lowest = v;
            h->lowest_epoch = e + 1;
        }
    }
    return 1;
}

static void print_number(double v)
{
    /* The shortest form that reads back as the same double. */
    char buf[40];
    for (int digits = 6; digits <= 17; digits++) {
        snprintf(buf, sizeof buf, "%.*g", digits, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    fputs(buf, stdout);
}

static void print_history(const udl_field *f, const history *h)
{
    printf("  %-16s %zu epochs", f->name, h->epochs);
    if (h->valid)
        printf(", first %.6g, last %.6g, lowest %.6g (epoch %zu)", h->first, h->last,
               h->lowest, h->lowest_epoch);
    if (h->valid < h->epochs)
        printf(", %zu of them validated", h->valid);
    putchar('\n');
}

static void info_text(const udl_model *m, const char *path)
{
    printf("%s: %s (%s), model file format %u\n", path, udl_model_kind_name(m),
           udl_kind_name(udl_model_kind(m)), udl_model_format_version(m));
    printf("inputs %zu, codes %zu", udl_model_n_inputs(m), udl_model_n_codes(m));
    if (udl_model_n_outputs(m))
        printf(", classes %zu", udl_model_n_outputs(m));
    double sizes[128];
    const char *acts[128] = {0};
    const size_t n = layer_sizes(m, sizes, 128), n_acts = layer_activations(m, acts, 128);
    printf("\nlayer sizes");
    for (size_t l = 0; l < n; l++)
        printf("%s%.0f", l ? " -> " : " ", sizes[l]);
    if (n_acts) {
        printf("\nactivations");
        for (size_t l = 0; l < n_acts; l++)
            printf("%s%s", l ? ", " : " ", acts[l]);
    }
    printf("\n\nparameters:\n");
    for (size_t i = 0; i < udl_model_n_fields(m); i++) {
        udl_field f = field_at(m, i);
        if (f.type == UDL_FIELD_MATRIX)
            continue;
        printf("  %-16s ", f.name);
        if (f.type == UDL_FIELD_INTEGER)
            printf("%llu", (unsigned long long)f.integer);
        else
            print_number(f.number);
        if (f.value_name)
            printf(" (%s)", f.value_name);
        putchar('\n');
    }
    printf("\narrays:\n");
    for (size_t i = 0; i < udl_model_n_fields(m); i++) {
        udl_field f = field_at(m, i);
        if (f.type == UDL_FIELD_MATRIX)
            printf("  %-16s %zu x %zu\n", f.name, f.rows, f.cols);
    }
    printf("\nhistory:\n");
    for (size_t i = 0; i < udl_model_n_fields(m); i++) {
        udl_field f = field_at(m, i);
        history h;
        if (history_of(&f, &h))
            print_history(&f, &h);
    }
}

static void info_json(const udl_model *m, const char *path)
{
    cli_json j, hist, one;
    cli_json_begin(&j);
    cli_json_string(&j, "command", "info");
    cli_json_string(&j, "file", path);
    json_summary(&j, m);
    json_fields(&j, m, NULL);
    cli_json_object(&j, "history", &hist);
    for (size_t i = 0; i < udl_model_n_fields(m); i++) {
        udl_field f = field_at(m, i);
        history h;
        if (!history_of(&f, &h))
            continue;
        cli_json_object(&hist, f.name, &one);
        cli_json_number(&one, "epochs", (double)h.epochs);
        cli_json_number(&one, "values", (double)h.valid);
        if (h.valid) {
            cli_json_number(&one, "first", h.first);
            cli_json_number(&one, "last", h.last);
            cli_json_number(&one, "lowest", h.lowest);
            cli_json_number(&one, "lowest_epoch", (double)h.lowest_epoch);
        }
        cli_json_object_end(&one);
    }
    cli_json_object_end(&hist);
    cli_json_end(&j);
}

int cmd_info(int argc, char **argv)
{
    view_args a;
    if (parse_view("info", info_usage, argc, argv, &a))
        return 1;
    if (a.dir)
        return cli_error("info", "info writes no files; -o is for udl export");
    udl_model *m;
    udl_status s = udl_model_load(a.model, &m);
    if (s)
        return cli_status("info", s);
    if (a.json)
        info_json(m, a.model);
    else
        info_text(m, a.model);
    udl_model_free(m);
    return 0;
}

/* ---- udl export ---------------------------------------------------------------------------- */

static const char export_usage[] =
    "usage: udl export M.udl -o DIR [--json]\n"
    "\n"
    "Writes every array of a model file (weights, biases, means, histories) as a float64\n"
    ".npy file in DIR (created if missing), named after its field (W0.npy, L1.b.npy), and\n"
    "DIR/model.json describing the model: kind, file format version, every scalar (sizes,\n"
    "activations, loss, training parameters) and every array's file, shape, layer and\n"
    "meaning, including how a forward pass uses it (a network's weights are inputs x\n"
    "outputs: layer l computes act_l(X W_l + b_l) on rows of samples). NumPy reads the\n"
    "files with np.load. Files of the same names in DIR are replaced; on an error nothing\n"
    "is left.\n";

/* The file an array is written to: its field's name, with any character that is not a
 * letter, digit, '_', '-' or an inner '.' made '_', and ".npy". */
static char *file_name(const char *name)
{
    const size_t len = strlen(name);
    char *file = malloc(len + 5);
    if (!file)
        return NULL;
    for (size_t k = 0; k < len; k++) {
        const char c = name[k];
        const int plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                          (c >= '0' && c <= '9') || c == '_' || c == '-' || (c == '.' && k);
        file[k] = plain ? c : '_';
    }
    memcpy(file + len, ".npy", 5);
    return file;
}

typedef struct export_job {
    const char *dir;
    char *tmp;      /* DIR/.udl-export-<6 random characters> (mkdtemp), where the files
                       are written first */
    char **files;   /* by field index: the file name, NULL for a scalar */
    size_t n;
    int created;    /* DIR did not exist */
} export_job;

static char *join_path(const char *dir, const char *name)
{
    char *p = malloc(strlen(dir) + strlen(name) + 2);
    if (p)
        sprintf(p, "%s/%s", dir, name);
    return p;
}

/* Removes what the job wrote under name in dir, if it is there. */
static void remove_in(const char *dir, const char *name)
{
    char *p = join_path(dir, name);
    if (p)
        unlink(p);
    free(p);
}

/* Undoes everything: the temporary files and folder, and DIR if the job made it. */
static void job_abandon(export_job *job)
{
    if (job->tmp) {
        for (size_t i = 0; i < job->n; i++)
            if (job->files[i])
                remove_in(job->tmp, job->files[i]);
        remove_in(job->tmp, "model.json");
        rmdir(job->tmp);
    }
    if (job->created)
        rmdir(job->dir);
}

static void job_free(export_job *job)
{
    for (size_t i = 0; i < job->n; i++)
        free(job->files[i]);
    free(job->files);
    free(job->tmp);
}

/* The file names of the arrays, refusing two that would be the same file. */
static int name_files(const udl_model *m, export_job *job)
{
    job->n = udl_model_n_fields(m);
    job->files = calloc(job->n + 1, sizeof *job->files);
    if (!job->files)
        return cli_error("export", "out of memory for %zu file names", job->n);
    for (size_t i = 0; i < job->n; i++) {
        udl_field f = field_at(m, i);
        if (f.type != UDL_FIELD_MATRIX)
            continue;
        if (!(job->files[i] = file_name(f.name)))
            return cli_error("export", "out of memory for a file name");
        for (size_t k = 0; k < i; k++)
            if (job->files[k] && strcmp(job->files[k], job->files[i]) == 0)
                return cli_error("export", "fields '%s' and '%s' would both be written to %s",
                                 field_at(m, k).name, f.name, job->files[i]);
    }
    return 0;
}

/* DIR, made if missing, and the temporary folder inside it. */
static int make_dirs(export_job *job)
{
    struct stat st;
    if (stat(job->dir, &st) == 0 && !S_ISDIR(st.st_mode))
        return cli_error("export", "%s exists and is not a directory", job->dir);
    if (stat(job->dir, &st) != 0) {
        if (mkdir(job->dir, 0777) != 0)
            return cli_error("export", "cannot create %s: %s", job->dir, strerror(errno));
        job->created = 1;
    }
    job->tmp = join_path(job->dir, ".udl-export-XXXXXX");
    if (!job->tmp)
        return cli_error("export", "out of memory for a path");
    if (!mkdtemp(job->tmp)) {
        const int err = errno;
        free(job->tmp);
        job->tmp = NULL;
        return cli_error("export", "cannot write in %s: %s", job->dir, strerror(err));
    }
    return 0;
}

static int write_arrays(const udl_model *m, const export_job *job)
{
    for (size_t i = 0; i < job->n; i++) {
        if (!job->files[i])
            continue;
        udl_field f = field_at(m, i);
        char *p = join_path(job->tmp, job->files[i]);
        if (!p)
            return cli_error("export", "out of memory for a path");
        /* a view for the writer, which only reads it */
        udl_mat view = {(double *)(uintptr_t)f.data, f.rows, f.cols, f.cols};
        udl_status s = udl_npy_write(p, view);
        free(p);
        if (s)
            return cli_status("export", s);
    }
    return 0;
}

static int write_description(const udl_model *m, const export_job *job, const char *model)
{
    char *p = join_path(job->tmp, "model.json");
    FILE *out = p ? fopen(p, "w") : NULL;
    if (!out) {
        const int err = errno;
        free(p);
        return cli_error("export", "cannot write model.json in %s: %s", job->dir,
                         strerror(err));
    }
    cli_json j;
    cli_json_begin_file(&j, out);
    cli_json_string(&j, "source", model);
    cli_json_string(&j, "udl_version", udl_version());
    json_summary(&j, m);
    cli_json_string(&j, "layout", "every array is a 2-D float64 .npy in C (row-major) "
                    "order, and data has one sample per row; each field's about says how "
                    "the model uses it");
    json_fields(&j, m, job->files);
    cli_json_end(&j);
    const int failed = ferror(out);
    free(p);
    if (fclose(out) != 0 || failed)
        return cli_error("export", "cannot write model.json in %s: %s", job->dir,
                         strerror(errno));
    return 0;
}

/* Moves the finished files from the temporary folder into DIR. */
static int move_into_place(const export_job *job)
{
    for (size_t i = 0; i <= job->n; i++) {
        const char *name = i < job->n ? job->files[i] : "model.json";
        if (!name)
            continue;
        char *from = join_path(job->tmp, name), *to = join_path(job->dir, name);
        const int ok = from && to && rename(from, to) == 0;
        const int err = errno;
        free(from);
        free(to);
        if (!ok) {
            for (size_t k = 0; k < i; k++) /* those already moved */
                if (job->files[k])
                    remove_in(job->dir, job->files[k]);
            return cli_error("export", "cannot move %s into %s: %s", name, job->dir,
                             strerror(err));
        }
    }
    rmdir(job->tmp);
    return 0;
}

int cmd_export(int argc, char **argv)
{
    view_args a;
    if (parse_view("export", export_usage, argc, argv, &a))
        return 1;
    if (!a.dir)
        return cli_error("export", "needs -o DIR, the folder for the arrays and model.json");
    udl_model *m;
    udl_status s = udl_model_load(a.model, &m);
    if (s)
        return cli_status("export", s);
    export_job job = {a.dir, NULL, NULL, 0, 0};
    int rc = name_files(m, &job) || make_dirs(&job) || write_arrays(m, &job) ||
             write_description(m, &job, a.model) || move_into_place(&job);
    if (rc)
        job_abandon(&job);
    size_t arrays = 0;
    for (size_t i = 0; i < job.n; i++)
        arrays += job.files[i] != NULL;
    if (!rc && a.json) {
        cli_json j;
        cli_json_begin(&j);
        cli_json_string(&j, "command", "export");
        cli_json_string(&j, "kind", udl_kind_name(udl_model_kind(m)));
        cli_json_string(&j, "dir", a.dir);
        cli_json_number(&j, "arrays", (double)arrays);
        cli_json_end(&j);
    } else if (!rc) {
        printf("wrote %zu arrays and model.json to %s\n", arrays, a.dir);
    }
    job_free(&job);
    udl_model_free(m);
    return rc;
}
