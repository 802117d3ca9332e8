/* The invalid-argument table (issue 15): every public function, called as a user's
 * program would (public headers only), with each argument NULL, each dimension 0,
 * mismatched shapes, strided views, NaN and +-Inf in data and every parameter just past
 * its documented bound. Each case must return its documented status, leave a new
 * sentence in udl_last_error() (or, for a call that must succeed, leave the old one), and
 * leave every model it could touch byte for byte as it was saved before. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include <udl/udl.h>

/* Tiny data: N samples of D features, H hidden units, K classes. */
enum { N = 6, D = 3, H = 2, K = 2 };

/* A status no udl call returns: a run function's way of saying "the call returned what
 * the docs say, but its value (a pointer, a count) was wrong". */
#define WRONG_VALUE ((udl_status)100)

/* ---- the fixtures: one small model of every kind, fitted ------------------------------ */

static struct fixtures {
    udl_pca *pca, *pca_unfitted;
    udl_ae *ae;
    udl_sae *sae;
    udl_deep_ae *deep;
    udl_rbm *rbm, *rbm_gaussian; /* Bernoulli units; Gaussian visibles */
    udl_dbn *dbn;
    udl_dnn *dnn;
    udl_model *wrapped[UDL_KIND_COUNT + 1]; /* by kind */
    udl_model *loaded;                      /* the classifier read back: it has fields */
    char dir[512];                          /* where models are saved and compared */
    unsigned char *reference[UDL_KIND_COUNT + 2];
    size_t reference_size[UDL_KIND_COUNT + 2];
    const char *wrong; /* what a WRONG_VALUE case found */
} F;

/* Scratch the cases build their matrices in; reset before every case. */
static double arena[1 << 16];
static size_t arena_used;

static double *scratch(size_t n)
{
    assert_true(arena_used + n <= sizeof arena / sizeof arena[0]);
    double *p = arena + arena_used;
    arena_used += n;
    return p;
}

/* A rows x cols view with leading dimension ld, filled with values in (0.1, 0.9) that
 * depend on the element (the padding too, so a call that reads it gets other numbers). */
static udl_mat mat_ld(size_t rows, size_t cols, size_t ld)
{
    double *p = scratch(rows * ld + 1);
    for (size_t i = 0; i < rows * ld + 1; i++)
        p[i] = 0.1 + 0.8 * fmod(0.6180339887 * (double)(i + 1), 1.0);
    return (udl_mat){p, rows, cols, ld};
}
static udl_mat mat(size_t rows, size_t cols) { return mat_ld(rows, cols, cols); }

/* N x 1 labels 0, 1, 0, 1, ... */
static udl_mat labels(size_t rows)
{
    udl_mat m = mat(rows, 1);
    for (size_t i = 0; i < rows; i++)
        m.data[i] = (double)(i % K);
    return m;
}

static udl_mat with(udl_mat m, size_t i, size_t j, double v)
{
    m.data[i * m.ld + j] = v;
    return m;
}

static udl_mat null_data(udl_mat m)
{
    m.data = NULL;
    return m;
}

/* ---- parameters: the defaults of each struct, with one field set past its bound ------- */

static struct {
    udl_sgd_params sgd;
    udl_train_params train;
    udl_pca_params pca;
    udl_tsne_params tsne;
    udl_ae_params ae;
    udl_deep_ae_params deep;
    udl_rbm_params rbm;
    udl_ais_params ais;
    udl_dnn_params dnn;
    udl_dnn_pretrain_params pre;
    udl_featviz_params fv;
    udl_attack_params atk;
} P;

static udl_train_params train_small(void)
{
    udl_train_params t = udl_train_params_default();
    t.epochs = 1;
    t.batch_size = 3;
    return t;
}
static udl_ae_params ae_small(void)
{
    udl_ae_params p = udl_ae_params_default();
    p.n_visible = D;
    p.n_hidden = H;
    p.train = train_small();
    return p;
}
static udl_rbm_params rbm_small(void)
{
    udl_rbm_params p = udl_rbm_params_default();
    p.n_visible = D;
    p.n_hidden = H;
    p.train = train_small();
    return p;
}
static udl_dnn_params dnn_small(void)
{
    udl_dnn_params p = udl_dnn_params_default();
    p.train = train_small();
    return p;
}
static udl_deep_ae_params deep_small(void)
{
    udl_deep_ae_params p = udl_deep_ae_params_default();
    p.train = train_small();
    return p;
}
static udl_tsne_params tsne_small(void)
{
    udl_tsne_params p = udl_tsne_params_default();
    p.perplexity = 2;
    p.n_iter = 5;
    p.exaggeration_iter = 2;
    p.init = UDL_TSNE_INIT_RANDOM;
    return p;
}
static udl_featviz_params fv_small(void)
{
    udl_featviz_params p = udl_featviz_params_default();
    p.steps = 2;
    p.restarts = 1;
    return p;
}
static udl_dnn_pretrain_params pre_small(udl_pretrain method)
{
    udl_dnn_pretrain_params p = udl_dnn_pretrain_params_default(method);
    p.train = train_small();
    return p;
}

/* Each expands to a pointer to the struct's defaults with the given assignments made,
 * e.g. AEP(noise_level = 1.0). */
#define SGDP(...) (P.sgd = udl_sgd_params_default(), P.sgd.__VA_ARGS__, &P.sgd)
#define TRAINP(...) (P.train = train_small(), P.train.__VA_ARGS__, &P.train)
#define PCAP(...) (P.pca = udl_pca_params_default(), P.pca.__VA_ARGS__, &P.pca)
#define TSNEP(...) (P.tsne = tsne_small(), P.tsne.__VA_ARGS__, &P.tsne)
#define AEP(...) (P.ae = ae_small(), P.ae.__VA_ARGS__, &P.ae)
#define DEEPP(...) (P.deep = deep_small(), P.deep.__VA_ARGS__, &P.deep)
#define RBMP(...) (P.rbm = rbm_small(), P.rbm.__VA_ARGS__, &P.rbm)
#define AISP(...) (P.ais = udl_ais_params_default(), P.ais.n_betas = 10, P.ais.__VA_ARGS__, &P.ais)
#define DNNP(...) (P.dnn = dnn_small(), P.dnn.__VA_ARGS__, &P.dnn)
#define PREP(m, ...) (P.pre = pre_small(m), P.pre.__VA_ARGS__, &P.pre)
#define FVP(...) (P.fv = fv_small(), P.fv.__VA_ARGS__, &P.fv)
#define ATKP(m, ...) (P.atk = udl_attack_params_default(m), P.atk.__VA_ARGS__, &P.atk)

static const double just_below_0 = -1e-300; /* past a bound of 0 */
#define JUST_ABOVE_1 (nextafter(1.0, 2.0))
#define JUST_BELOW_1 (nextafter(1.0, 0.0))

/* ---- creating: a call that should fail, but whose object is freed if it does not ----- */

/* name(args): the call into a local object, freed if the call made one. */
#define CREATOR(name, type, free_fn, args, call)                                              \
    static udl_status name args                                                               \
    {                                                                                         \
        type *o = NULL;                                                                       \
        udl_status s = (call);                                                                \
        free_fn(o);                                                                           \
        return s;                                                                             \
    }
CREATOR(pca_create, udl_pca, udl_pca_free, (const udl_pca_params *p), udl_pca_create(p, &o))
CREATOR(ae_create, udl_ae, udl_ae_free, (const udl_ae_params *p), udl_ae_create(p, &o))
CREATOR(sae_create, udl_sae, udl_sae_free, (const udl_ae_params *p, const size_t *sizes, size_t n),
        udl_sae_create(p, sizes, n, &o))
CREATOR(deep_create, udl_deep_ae, udl_deep_ae_free,
        (const udl_sae *stack, const udl_deep_ae_params *p), udl_deep_ae_create(stack, p, &o))
CREATOR(deep_create_from_dbn, udl_deep_ae, udl_deep_ae_free,
        (const udl_dbn *dbn, const udl_deep_ae_params *p), udl_deep_ae_create_from_dbn(dbn, p, &o))
CREATOR(rbm_create, udl_rbm, udl_rbm_free, (const udl_rbm_params *p), udl_rbm_create(p, &o))
CREATOR(dbn_create, udl_dbn, udl_dbn_free, (const udl_rbm_params *p, const size_t *sizes, size_t n),
        udl_dbn_create(p, sizes, n, &o))
CREATOR(dnn_create, udl_dnn, udl_dnn_free, (const udl_dnn_params *p, const size_t *sizes, size_t n),
        udl_dnn_create(p, sizes, n, &o))
CREATOR(model_load, udl_model, udl_model_free, (const char *path), udl_model_load(path, &o))
CREATOR(model_wrap, udl_model, udl_model_free, (udl_kind kind, void *object),
        udl_model_wrap(kind, object, &o))

static udl_status array_status(udl_status s, udl_array *a)
{
    udl_array_free(a);
    return s;
}

static const char *missing_path(void) { return "/nonexistent-udl-dir/none.udl"; }
static char *fixture_path(const char *name)
{
    static char buf[600];
    snprintf(buf, sizeof buf, "%s/%s", F.dir, name);
    return buf;
}

static udl_status is(int ok, const char *what)
{
    if (ok)
        return UDL_OK;
    F.wrong = what;
    return WRONG_VALUE;
}

static size_t sizes_3[] = {D, H, K}, sizes_0[] = {D, 0, K}, sizes_1[] = {D};
static size_t sizes_34[34], sizes_35[35];

static udl_model *W(udl_kind k) { return F.wrapped[k]; }

/* ---- the explicit cases: (id, function, status, a word the sentence must hold, call) -- */

#define EINVAL UDL_EINVAL
#define ESHAPE UDL_ESHAPE
#define ESTATE UDL_ESTATE
#define EKIND UDL_EKIND
#define EIO UDL_EIO
#define OK UDL_OK

/* Accessors on NULL (and past the end) give 0, NULL or the defaults, and change nothing. */
#define ACCESSOR_CASES(X)                                                                     \
    X(pca_is_fitted_null, udl_pca_is_fitted, OK, NULL, is(!udl_pca_is_fitted(NULL), "0"))     \
    X(pca_n_components_null, udl_pca_n_components, OK, NULL, is(!udl_pca_n_components(NULL), "0")) \
    X(pca_n_features_null, udl_pca_n_features, OK, NULL, is(!udl_pca_n_features(NULL), "0"))  \
    X(pca_components_null, udl_pca_components, OK, NULL,                                      \
      is(!udl_pca_components(NULL) && !udl_pca_components(F.pca_unfitted), "NULL"))           \
    X(pca_eigenvalues_null, udl_pca_eigenvalues, OK, NULL,                                    \
      is(!udl_pca_eigenvalues(NULL) && !udl_pca_eigenvalues(F.pca_unfitted), "NULL"))         \
    X(pca_ratio_null, udl_pca_explained_variance_ratio, OK, NULL,                             \
      is(!udl_pca_explained_variance_ratio(NULL) &&                                           \
         !udl_pca_explained_variance_ratio(F.pca_unfitted), "NULL"))                          \
    X(pca_mean_null, udl_pca_mean, OK, NULL,                                                  \
      is(!udl_pca_mean(NULL) && !udl_pca_mean(F.pca_unfitted), "NULL"))                       \
    X(pca_get_params_null, udl_pca_get_params, OK, NULL,                                      \
      is(udl_pca_get_params(NULL).n_components == udl_pca_params_default().n_components,      \
         "the defaults"))                                                                     \
    X(ae_history_null, udl_ae_history, OK, NULL, history_null(udl_ae_history(NULL, &(size_t){7}))) \
    X(ae_get_params_null, udl_ae_get_params, OK, NULL,                                        \
      is(udl_ae_get_params(NULL).n_hidden == 0, "the defaults"))                              \
    X(ae_weights_null, udl_ae_weights, OK, NULL, is(!udl_ae_weights(NULL), "NULL"))           \
    X(ae_hidden_bias_null, udl_ae_hidden_bias, OK, NULL, is(!udl_ae_hidden_bias(NULL), "NULL")) \
    X(ae_visible_bias_null, udl_ae_visible_bias, OK, NULL, is(!udl_ae_visible_bias(NULL), "NULL")) \
    X(sae_n_layers_null, udl_sae_n_layers, OK, NULL, is(!udl_sae_n_layers(NULL), "0"))        \
    X(sae_layer_null_and_past, udl_sae_layer, OK, NULL,                                       \
      is(!udl_sae_layer(NULL, 0) && !udl_sae_layer(F.sae, 2), "NULL"))                        \
    X(deep_sizes_null, udl_deep_ae_sizes, OK, NULL,                                           \
      sizes_null(udl_deep_ae_sizes(NULL, &(size_t){7})))                                      \
    X(deep_history_null, udl_deep_ae_history, OK, NULL,                                       \
      history_null(udl_deep_ae_history(NULL, &(size_t){7})))                                  \
    X(deep_get_params_null, udl_deep_ae_get_params, OK, NULL,                                 \
      is(udl_deep_ae_get_params(NULL).loss == udl_deep_ae_params_default().loss, "the defaults")) \
    X(rbm_history_null, udl_rbm_history, OK, NULL, history_null(udl_rbm_history(NULL, &(size_t){7}))) \
    X(rbm_get_params_null, udl_rbm_get_params, OK, NULL,                                      \
      is(udl_rbm_get_params(NULL).k == udl_rbm_params_default().k, "the defaults"))           \
    X(rbm_weights_null, udl_rbm_weights, OK, NULL, is(!udl_rbm_weights(NULL), "NULL"))        \
    X(rbm_visible_bias_null, udl_rbm_visible_bias, OK, NULL, is(!udl_rbm_visible_bias(NULL), "NULL")) \
    X(rbm_hidden_bias_null, udl_rbm_hidden_bias, OK, NULL, is(!udl_rbm_hidden_bias(NULL), "NULL")) \
    X(dbn_n_layers_null, udl_dbn_n_layers, OK, NULL, is(!udl_dbn_n_layers(NULL), "0"))        \
    X(dbn_layer_null_and_past, udl_dbn_layer, OK, NULL,                                       \
      is(!udl_dbn_layer(NULL, 0) && !udl_dbn_layer(F.dbn, 2), "NULL"))                        \
    X(dnn_sizes_null, udl_dnn_sizes, OK, NULL, sizes_null(udl_dnn_sizes(NULL, &(size_t){7}))) \
    X(dnn_weights_null_and_past, udl_dnn_weights, OK, NULL,                                   \
      is(!udl_dnn_weights(NULL, 0) && !udl_dnn_weights(F.dnn, 2), "NULL"))                    \
    X(dnn_bias_null_and_past, udl_dnn_bias, OK, NULL,                                         \
      is(!udl_dnn_bias(NULL, 0) && !udl_dnn_bias(F.dnn, 2), "NULL"))                          \
    X(dnn_history_null, udl_dnn_history, OK, NULL, history_null(udl_dnn_history(NULL, &(size_t){7}))) \
    X(dnn_valid_history_null, udl_dnn_valid_history, OK, NULL, dnn_valid_history_null())      \
    X(dnn_get_params_null, udl_dnn_get_params, OK, NULL,                                      \
      is(udl_dnn_get_params(NULL).activation == udl_dnn_params_default().activation, "the defaults")) \
    X(model_kind_null, udl_model_kind, OK, NULL, is(udl_model_kind(NULL) == 0, "0"))          \
    X(model_kind_name_null, udl_model_kind_name, OK, NULL,                                    \
      is(udl_model_kind_name(NULL) != NULL, "a name, not NULL"))                              \
    X(model_object_null, udl_model_object, OK, NULL, is(!udl_model_object(NULL), "NULL"))     \
    X(model_n_inputs_null, udl_model_n_inputs, OK, NULL, is(!udl_model_n_inputs(NULL), "0"))  \
    X(model_n_codes_null, udl_model_n_codes, OK, NULL, is(!udl_model_n_codes(NULL), "0"))     \
    X(model_n_outputs_null, udl_model_n_outputs, OK, NULL,                                    \
      is(!udl_model_n_outputs(NULL) && !udl_model_n_outputs(W(UDL_KIND_AUTOENCODER)),         \
         "0 for NULL and for a kind without predict"))                                        \
    X(model_format_version_null, udl_model_format_version, OK, NULL,                          \
      is(!udl_model_format_version(NULL) && !udl_model_format_version(W(UDL_KIND_DNN)),       \
         "0 for NULL and for a wrapped model"))                                               \
    X(model_n_fields_null, udl_model_n_fields, OK, NULL,                                      \
      is(!udl_model_n_fields(NULL) && !udl_model_n_fields(W(UDL_KIND_DNN)),                   \
         "0 for NULL and for a wrapped model"))

/* free(NULL) is a no-op for every free function, and so is freeing an empty array. */
#define FREE_CASES(X)                                                                         \
    X(pca_free_null, udl_pca_free, OK, NULL, (udl_pca_free(NULL), UDL_OK))                    \
    X(ae_free_null, udl_ae_free, OK, NULL, (udl_ae_free(NULL), UDL_OK))                       \
    X(sae_free_null, udl_sae_free, OK, NULL, (udl_sae_free(NULL), UDL_OK))                    \
    X(deep_free_null, udl_deep_ae_free, OK, NULL, (udl_deep_ae_free(NULL), UDL_OK))           \
    X(rbm_free_null, udl_rbm_free, OK, NULL, (udl_rbm_free(NULL), UDL_OK))                    \
    X(dbn_free_null, udl_dbn_free, OK, NULL, (udl_dbn_free(NULL), UDL_OK))                    \
    X(dnn_free_null, udl_dnn_free, OK, NULL, (udl_dnn_free(NULL), UDL_OK))                    \
    X(model_free_null, udl_model_free, OK, NULL, (udl_model_free(NULL), UDL_OK))              \
    X(array_free_null, udl_array_free, OK, NULL, (udl_array_free(NULL), UDL_OK))              \
    X(array_free_empty_twice, udl_array_free, OK, NULL, array_free_twice())

#define CORE_CASES(X)                                                                        \
    X(gemm_a_null, udl_gemm, EINVAL, "NULL",                                                  \
      udl_gemm(UDL_NOTRANS, UDL_NOTRANS, 1, null_data(mat(2, 3)), mat(3, 2), 0, mat(2, 2)))   \
    X(gemm_b_null, udl_gemm, EINVAL, "NULL",                                                  \
      udl_gemm(UDL_NOTRANS, UDL_NOTRANS, 1, mat(2, 3), null_data(mat(3, 2)), 0, mat(2, 2)))   \
    X(gemm_c_null, udl_gemm, EINVAL, "NULL",                                                  \
      udl_gemm(UDL_NOTRANS, UDL_NOTRANS, 1, mat(2, 3), mat(3, 2), 0, null_data(mat(2, 2))))   \
    X(gemm_a_ld_below_cols, udl_gemm, EINVAL, "leading dimension",                            \
      udl_gemm(UDL_NOTRANS, UDL_NOTRANS, 1, mat_ld(2, 3, 2), mat(3, 2), 0, mat(2, 2)))        \
    X(gemm_c_ld_below_cols, udl_gemm, EINVAL, "leading dimension",                            \
      udl_gemm(UDL_NOTRANS, UDL_NOTRANS, 1, mat(2, 3), mat(3, 2), 0, mat_ld(2, 2, 1)))        \
    X(gemm_trans_flag_2, udl_gemm, EINVAL, "transpose",                                       \
      udl_gemm((udl_trans)2, UDL_NOTRANS, 1, mat(2, 3), mat(3, 2), 0, mat(2, 2)))             \
    X(gemm_inner_mismatch, udl_gemm, ESHAPE, NULL,                                            \
      udl_gemm(UDL_NOTRANS, UDL_NOTRANS, 1, mat(2, 3), mat(2, 2), 0, mat(2, 2)))              \
    X(gemm_c_mismatch, udl_gemm, ESHAPE, "C",                                                 \
      udl_gemm(UDL_NOTRANS, UDL_NOTRANS, 1, mat(2, 3), mat(3, 2), 0, mat(2, 3)))              \
    X(gemm_trans_mismatch, udl_gemm, ESHAPE, NULL,                                            \
      udl_gemm(UDL_TRANS, UDL_NOTRANS, 1, mat(2, 3), mat(3, 2), 0, mat(2, 2)))                \
    X(gemm_zero_inner_clears_c, udl_gemm, OK, NULL, gemm_zero_inner())                        \
    X(gemm_strided_equals_dense, udl_gemm, OK, NULL, gemm_strided())                          \
    X(syevd_null, udl_syevd, EINVAL, "NULL", udl_syevd(null_data(mat(2, 2)), scratch(2)))     \
    X(syevd_not_square, udl_syevd, ESHAPE, "square", udl_syevd(mat(2, 3), scratch(3)))        \
    X(syevd_ld_below_cols, udl_syevd, EINVAL, "leading", udl_syevd(mat_ld(2, 2, 1), scratch(2))) \
    X(syevd_nan, udl_syevd, EINVAL, "finite", udl_syevd(with(mat(2, 2), 1, 0, NAN), scratch(2))) \
    X(syevd_inf, udl_syevd, EINVAL, "finite",                                                 \
      udl_syevd(with(mat(2, 2), 1, 1, INFINITY), scratch(2)))                                 \
    X(syevd_eigenvalues_null, udl_syevd, EINVAL, "eigenvalues", udl_syevd(mat(2, 2), NULL))   \
    X(syevd_zero_is_ok, udl_syevd, OK, NULL, udl_syevd(mat(0, 0), NULL))                      \
    X(sgd_check_null, udl_sgd_params_check, EINVAL, NULL, udl_sgd_params_check(NULL))         \
    X(sgd_step_params_null, udl_sgd_step, EINVAL, NULL,                                       \
      udl_sgd_step(NULL, scratch(2), scratch(2), scratch(2), 2, 0))                           \
    X(sgd_step_param_null, udl_sgd_step, EINVAL, NULL,                                        \
      udl_sgd_step(SGDP(nesterov = 0), NULL, scratch(2), scratch(2), 2, 0))                   \
    X(sgd_step_velocity_null, udl_sgd_step, EINVAL, NULL,                                     \
      udl_sgd_step(SGDP(nesterov = 0), scratch(2), NULL, scratch(2), 2, 0))                   \
    X(sgd_step_grad_null, udl_sgd_step, EINVAL, NULL,                                         \
      udl_sgd_step(SGDP(nesterov = 0), scratch(2), scratch(2), NULL, 2, 0))                   \
    X(sgd_step_bad_rate, udl_sgd_step, EINVAL, "learning_rate",                               \
      udl_sgd_step(SGDP(learning_rate = 0), scratch(2), scratch(2), scratch(2), 2, 0))        \
    X(sgd_step_zero_length_ok, udl_sgd_step, OK, NULL,                                        \
      udl_sgd_step(SGDP(nesterov = 0), NULL, NULL, NULL, 0, 0))                               \
    X(train_check_null, udl_train_params_check, EINVAL, NULL, udl_train_params_check(NULL))   \
    X(train_at_null_gives_defaults, udl_train_params_at, OK, NULL,                            \
      is(udl_train_params_at(NULL, 3).learning_rate == udl_sgd_params_default().learning_rate, \
         "the default rate"))                                                                 \
    X(status_str_unknown, udl_status_str, OK, NULL,                                           \
      is(udl_status_str((udl_status)999) != NULL && *udl_status_str((udl_status)999),         \
         "a name"))                                                                           \
    X(status_str_every, udl_status_str, OK, NULL, every_status_named())                       \
    X(last_error_never_null, udl_last_error, OK, NULL, is(udl_last_error() != NULL, "non-NULL")) \
    X(version_matches_header, udl_version, OK, NULL,                                          \
      is(udl_version() && strcmp(udl_version(), UDL_VERSION_STRING) == 0, "the header's"))    \
    X(version_number, udl_version_number, OK, NULL, is(udl_version_number() > 0, "positive")) \
    X(activation_name_unknown, udl_activation_name, OK, NULL,                                 \
      is(strcmp(udl_activation_name((udl_activation)99), "unknown") == 0, "\"unknown\""))     \
    X(loss_name_unknown, udl_loss_name, OK, NULL,                                             \
      is(strcmp(udl_loss_name((udl_loss)99), "unknown") == 0, "\"unknown\""))                 \
    X(mat_view_dense, udl_mat_view, OK, NULL,                                                 \
      is(udl_mat_view(arena, 2, 3).ld == 3, "ld = cols"))                                     \
    X(mat_rows_clipped, udl_mat_rows, OK, NULL,                                               \
      is(udl_mat_rows(mat(4, 2), 3, 5).rows == 1 && udl_mat_rows(mat(4, 2), 9, 1).rows == 0,  \
         "count clipped to the rows"))

#define PCA_CASES(X)                                                                          \
    X(pca_create_params_null, udl_pca_create, EINVAL, NULL, pca_create(NULL))                 \
    X(pca_create_out_null, udl_pca_create, EINVAL, NULL,                                      \
      udl_pca_create(PCAP(whiten = 0), NULL))                                                 \
    X(pca_variance_fraction_0, udl_pca_create, EINVAL, "variance_fraction",                   \
      pca_create(PCAP(n_components = 0, P.pca.variance_fraction = 0)))                        \
    X(pca_variance_fraction_above_1, udl_pca_create, EINVAL, "variance_fraction",             \
      pca_create(PCAP(n_components = 0, P.pca.variance_fraction = JUST_ABOVE_1)))             \
    X(pca_variance_fraction_nan, udl_pca_create, EINVAL, "variance_fraction",                 \
      pca_create(PCAP(n_components = 0, P.pca.variance_fraction = NAN)))                      \
    X(pca_whiten_2, udl_pca_create, EINVAL, "whiten", pca_create(PCAP(whiten = 2)))           \
    X(pca_fit_one_row, udl_pca_fit, EINVAL, NULL, udl_pca_fit(F.pca, mat(1, D), NULL, NULL))  \
    X(pca_fit_components_above_d, udl_pca_fit, EINVAL, "n_components", pca_fit_k(D + 1, N))   \
    X(pca_fit_components_above_n, udl_pca_fit, EINVAL, "n_components", pca_fit_k(3, 2))       \
    X(pca_partial_fit_then_other_width, udl_pca_partial_fit, ESHAPE, "columns",               \
      pca_partial_then(D + 1))                                                                \
    X(pca_finish_null, udl_pca_finish, EINVAL, NULL, udl_pca_finish(NULL))                    \
    X(pca_finish_without_partial_fit, udl_pca_finish, ESTATE, NULL, udl_pca_finish(F.pca))    \
    X(pca_finish_after_one_row, udl_pca_finish, EINVAL, NULL, pca_partial_then(0))            \
    X(pca_transform_unfitted, udl_pca_transform, ESTATE, "fitted",                            \
      udl_pca_transform(F.pca_unfitted, mat(N, D), mat(N, 2)))                                \
    X(pca_inverse_unfitted, udl_pca_inverse_transform, ESTATE, "fitted",                      \
      udl_pca_inverse_transform(F.pca_unfitted, mat(N, 2), mat(N, D)))                        \
    X(pca_error_unfitted, udl_pca_reconstruction_error, ESTATE, "fitted",                     \
      udl_pca_reconstruction_error(F.pca_unfitted, mat(N, D), scratch(1)))                    \
    X(pca_save_unfitted, udl_pca_save, ESTATE, NULL,                                          \
      udl_pca_save(F.pca_unfitted, fixture_path("unfitted.udl")))

#define TSNE_CASES(X)                                                                         \
    X(tsne_components_0, udl_tsne_embed, EINVAL, "n_components",                              \
      tsne(TSNEP(n_components = 0), mat(N, D), mat(N, 0)))                                    \
    X(tsne_bh_components_4, udl_tsne_embed, EINVAL, "dimensions",                           \
      tsne(TSNEP(n_components = 4, P.tsne.method = UDL_TSNE_BARNES_HUT), mat(N, D), mat(N, 4))) \
    X(tsne_perplexity_0, udl_tsne_embed, EINVAL, "perplexity",                                \
      tsne(TSNEP(perplexity = 0), mat(N, D), mat(N, 2)))                                      \
    X(tsne_perplexity_n, udl_tsne_embed, EINVAL, "perplexity",                                \
      tsne(TSNEP(perplexity = N), mat(N, D), mat(N, 2)))                                      \
    X(tsne_perplexity_nan, udl_tsne_embed, EINVAL, "perplexity",                              \
      tsne(TSNEP(perplexity = NAN), mat(N, D), mat(N, 2)))                                    \
    X(tsne_method_3, udl_tsne_embed, EINVAL, "method",                                        \
      tsne(TSNEP(method = (udl_tsne_method)3), mat(N, D), mat(N, 2)))                         \
    X(tsne_theta_below_0, udl_tsne_embed, EINVAL, "theta",                                    \
      tsne(TSNEP(theta = just_below_0), mat(N, D), mat(N, 2)))                                \
    X(tsne_theta_above_1, udl_tsne_embed, EINVAL, "theta",                                    \
      tsne(TSNEP(theta = JUST_ABOVE_1), mat(N, D), mat(N, 2)))                                \
    X(tsne_n_iter_0, udl_tsne_embed, EINVAL, "n_iter",                                        \
      tsne(TSNEP(n_iter = 0), mat(N, D), mat(N, 2)))                                          \
    X(tsne_exaggeration_below_1, udl_tsne_embed, EINVAL, "exaggeration",                      \
      tsne(TSNEP(early_exaggeration = JUST_BELOW_1), mat(N, D), mat(N, 2)))                   \
    X(tsne_learning_rate_below_0, udl_tsne_embed, EINVAL, "learning_rate",                    \
      tsne(TSNEP(learning_rate = just_below_0), mat(N, D), mat(N, 2)))                        \
    X(tsne_learning_rate_inf, udl_tsne_embed, EINVAL, "learning_rate",                        \
      tsne(TSNEP(learning_rate = INFINITY), mat(N, D), mat(N, 2)))                            \
    X(tsne_momentum_early_1, udl_tsne_embed, EINVAL, "momentum_early",                        \
      tsne(TSNEP(momentum_early = 1), mat(N, D), mat(N, 2)))                                  \
    X(tsne_momentum_1, udl_tsne_embed, EINVAL, "momentum",                                    \
      tsne(TSNEP(momentum = 1), mat(N, D), mat(N, 2)))                                        \
    X(tsne_momentum_below_0, udl_tsne_embed, EINVAL, "momentum",                              \
      tsne(TSNEP(momentum = just_below_0), mat(N, D), mat(N, 2)))                             \
    X(tsne_min_gain_0, udl_tsne_embed, EINVAL, "min_gain",                                    \
      tsne(TSNEP(min_gain = 0), mat(N, D), mat(N, 2)))                                        \
    X(tsne_min_gain_above_1, udl_tsne_embed, EINVAL, "min_gain",                              \
      tsne(TSNEP(min_gain = JUST_ABOVE_1), mat(N, D), mat(N, 2)))                             \
    X(tsne_init_3, udl_tsne_embed, EINVAL, "init",                                            \
      tsne(TSNEP(init = (udl_tsne_init)3), mat(N, D), mat(N, 2)))                             \
    X(tsne_three_rows, udl_tsne_embed, EINVAL, NULL,                                          \
      tsne(TSNEP(perplexity = 1), mat(3, D), mat(3, 2)))                                      \
    X(tsne_given_init_nan, udl_tsne_embed, EINVAL, NULL,                                      \
      tsne(TSNEP(init = UDL_TSNE_INIT_GIVEN), mat(N, D), with(mat(N, 2), 2, 1, NAN)))         \
    X(tsne_exact_above_max, udl_tsne_embed, EINVAL, NULL,                                     \
      tsne(TSNEP(method = UDL_TSNE_EXACT), mat(UDL_TSNE_EXACT_MAX + 1, 1),                    \
           mat(UDL_TSNE_EXACT_MAX + 1, 2)))                                                   \
    X(tsne_result_null_ok, udl_tsne_embed, OK, NULL,                                          \
      udl_tsne_embed(TSNEP(seed = 2), mat(N, D), mat(N, 2), NULL, NULL, NULL))

#define AE_CASES(X)                                                                           \
    X(ae_create_params_null, udl_ae_create, EINVAL, NULL, ae_create(NULL))                    \
    X(ae_create_out_null, udl_ae_create, EINVAL, NULL, udl_ae_create(AEP(linear = 0), NULL)) \
    X(ae_n_visible_0, udl_ae_create, EINVAL, "n_visible", ae_create(AEP(n_visible = 0)))      \
    X(ae_n_hidden_0, udl_ae_create, EINVAL, "n_hidden", ae_create(AEP(n_hidden = 0)))         \
    X(ae_linear_2, udl_ae_create, EINVAL, "linear", ae_create(AEP(linear = 2)))               \
    X(ae_linear_cross_entropy, udl_ae_create, EINVAL, "linear",                               \
      ae_create(AEP(linear = 1, P.ae.loss = UDL_LOSS_CROSS_ENTROPY)))                         \
    X(ae_loss_softmax, udl_ae_create, EINVAL, "loss",                                         \
      ae_create(AEP(loss = UDL_LOSS_SOFTMAX_CROSS_ENTROPY)))                                  \
    X(ae_loss_99, udl_ae_create, EINVAL, "loss", ae_create(AEP(loss = (udl_loss)99)))         \
    X(ae_noise_3, udl_ae_create, EINVAL, "noise", ae_create(AEP(noise = (udl_ae_noise)3)))    \
    X(ae_mask_level_1, udl_ae_create, EINVAL, "noise_level",                                  \
      ae_create(AEP(noise = UDL_NOISE_MASK, P.ae.noise_level = 1)))                           \
    X(ae_mask_level_below_0, udl_ae_create, EINVAL, "noise_level",                            \
      ae_create(AEP(noise = UDL_NOISE_MASK, P.ae.noise_level = just_below_0)))                \
    X(ae_gaussian_level_0, udl_ae_create, EINVAL, "noise_level",                              \
      ae_create(AEP(noise = UDL_NOISE_GAUSSIAN, P.ae.noise_level = 0)))                       \
    X(ae_gaussian_level_nan, udl_ae_create, EINVAL, "noise_level",                            \
      ae_create(AEP(noise = UDL_NOISE_GAUSSIAN, P.ae.noise_level = NAN)))                     \
    X(ae_set_params_null, udl_ae_set_params, EINVAL, NULL, udl_ae_set_params(F.ae, NULL))     \
    X(ae_set_params_model_null, udl_ae_set_params, EINVAL, NULL,                              \
      udl_ae_set_params(NULL, AEP(linear = 0)))                                               \
    X(ae_set_params_other_size, udl_ae_set_params, EINVAL, "n_hidden",                        \
      udl_ae_set_params(F.ae, AEP(n_hidden = H + 1)))                                         \
    X(ae_set_params_linear, udl_ae_set_params, EINVAL, "linear",                              \
      udl_ae_set_params(F.ae, AEP(linear = 1, P.ae.loss = UDL_LOSS_SQUARED)))                 \
    X(ae_set_params_bad_noise, udl_ae_set_params, EINVAL, "noise_level",                      \
      udl_ae_set_params(F.ae, AEP(noise = UDL_NOISE_MASK, P.ae.noise_level = 1)))             \
    X(ae_train_cross_entropy_above_1, udl_ae_train, EINVAL, NULL,                             \
      udl_ae_train(F.ae, with(mat(N, D), 1, 1, 1.5), NULL, NULL))                             \
    X(ae_train_cross_entropy_below_0, udl_ae_train, EINVAL, NULL,                             \
      udl_ae_train(F.ae, with(mat(N, D), 1, 1, -0.5), NULL, NULL))                            \
    X(ae_cost_null, udl_ae_cost, EINVAL, NULL, udl_ae_cost(F.ae, mat(N, D), NULL))            \
    X(sae_create_params_null, udl_sae_create, EINVAL, NULL, sae_create(NULL, sizes_3, 3))     \
    X(sae_create_sizes_null, udl_sae_create, EINVAL, NULL, sae_create(AEP(linear = 0), NULL, 3)) \
    X(sae_create_one_size, udl_sae_create, EINVAL, NULL, sae_create(AEP(linear = 0), sizes_1, 1)) \
    X(sae_create_size_0, udl_sae_create, EINVAL, NULL, sae_create(AEP(linear = 0), sizes_0, 3)) \
    X(sae_create_out_null, udl_sae_create, EINVAL, NULL,                                      \
      udl_sae_create(AEP(linear = 0), sizes_3, 3, NULL))                                      \
    X(sae_create_bad_layer_params, udl_sae_create, EINVAL, "noise",                           \
      sae_create(AEP(noise = (udl_ae_noise)3), sizes_3, 3))                                   \
    X(deep_create_stack_null, udl_deep_ae_create, EINVAL, NULL, deep_create(NULL, DEEPP(linear_code = 1))) \
    X(deep_create_params_null, udl_deep_ae_create, EINVAL, NULL, deep_create(F.sae, NULL))    \
    X(deep_create_out_null, udl_deep_ae_create, EINVAL, NULL,                                 \
      udl_deep_ae_create(F.sae, DEEPP(linear_code = 1), NULL))                                \
    X(deep_linear_code_2, udl_deep_ae_create, EINVAL, "linear_code",                          \
      deep_create(F.sae, DEEPP(linear_code = 2)))                                             \
    X(deep_loss_softmax, udl_deep_ae_create, EINVAL, "loss",                                  \
      deep_create(F.sae, DEEPP(loss = UDL_LOSS_SOFTMAX_CROSS_ENTROPY)))                       \
    X(deep_loss_99, udl_deep_ae_create, EINVAL, "loss", deep_create(F.sae, DEEPP(loss = (udl_loss)99))) \
    X(deep_from_dbn_null, udl_deep_ae_create_from_dbn, EINVAL, NULL,                          \
      deep_create_from_dbn(NULL, DEEPP(linear_code = 1)))                                     \
    X(deep_from_dbn_params_null, udl_deep_ae_create_from_dbn, EINVAL, NULL,                   \
      deep_create_from_dbn(F.dbn, NULL))                                                      \
    X(deep_from_dbn_out_null, udl_deep_ae_create_from_dbn, EINVAL, NULL,                      \
      udl_deep_ae_create_from_dbn(F.dbn, DEEPP(linear_code = 1), NULL))                       \
    X(deep_from_dbn_bad_loss, udl_deep_ae_create_from_dbn, EINVAL, "loss",                    \
      deep_create_from_dbn(F.dbn, DEEPP(loss = (udl_loss)99)))                                \
    X(deep_set_params_null, udl_deep_ae_set_params, EINVAL, NULL,                             \
      udl_deep_ae_set_params(F.deep, NULL))                                                   \
    X(deep_set_params_model_null, udl_deep_ae_set_params, EINVAL, NULL,                       \
      udl_deep_ae_set_params(NULL, DEEPP(linear_code = 1)))                                   \
    X(deep_set_params_linear_code, udl_deep_ae_set_params, EINVAL, "linear_code",             \
      udl_deep_ae_set_params(F.deep, DEEPP(linear_code = !udl_deep_ae_get_params(F.deep).linear_code))) \
    X(deep_set_params_bad_loss, udl_deep_ae_set_params, EINVAL, "loss",                       \
      udl_deep_ae_set_params(F.deep, DEEPP(linear_code = udl_deep_ae_get_params(F.deep).linear_code, \
                                           P.deep.loss = (udl_loss)99)))                      \
    X(deep_cost_null, udl_deep_ae_cost, EINVAL, NULL, udl_deep_ae_cost(F.deep, mat(N, D), NULL)) \

#define RBM_CASES(X)                                                                          \
    X(rbm_create_params_null, udl_rbm_create, EINVAL, NULL, rbm_create(NULL))                 \
    X(rbm_create_out_null, udl_rbm_create, EINVAL, NULL, udl_rbm_create(RBMP(k = 1), NULL))   \
    X(rbm_n_visible_0, udl_rbm_create, EINVAL, "n_visible", rbm_create(RBMP(n_visible = 0)))  \
    X(rbm_n_hidden_0, udl_rbm_create, EINVAL, "n_hidden", rbm_create(RBMP(n_hidden = 0)))     \
    X(rbm_visible_2, udl_rbm_create, EINVAL, "visible", rbm_create(RBMP(visible = (udl_units)2))) \
    X(rbm_hidden_2, udl_rbm_create, EINVAL, "hidden", rbm_create(RBMP(hidden = (udl_units)2))) \
    X(rbm_both_gaussian, udl_rbm_create, EINVAL, "Gaussian",                                  \
      rbm_create(RBMP(visible = UDL_UNITS_GAUSSIAN, P.rbm.hidden = UDL_UNITS_GAUSSIAN)))      \
    X(rbm_method_2, udl_rbm_create, EINVAL, "method",                                         \
      rbm_create(RBMP(method = (udl_rbm_method)2)))                                           \
    X(rbm_k_0, udl_rbm_create, EINVAL, "k", rbm_create(RBMP(k = 0)))                          \
    X(rbm_set_params_null, udl_rbm_set_params, EINVAL, NULL, udl_rbm_set_params(F.rbm, NULL)) \
    X(rbm_set_params_model_null, udl_rbm_set_params, EINVAL, NULL,                            \
      udl_rbm_set_params(NULL, RBMP(k = 1)))                                                  \
    X(rbm_set_params_k_0, udl_rbm_set_params, EINVAL, "k", udl_rbm_set_params(F.rbm, RBMP(k = 0))) \
    X(rbm_set_params_other_size, udl_rbm_set_params, EINVAL, "fixed",                      \
      udl_rbm_set_params(F.rbm, RBMP(n_hidden = H + 1)))                                      \
    X(rbm_set_params_other_units, udl_rbm_set_params, EINVAL, "fixed",                      \
      udl_rbm_set_params(F.rbm, RBMP(visible = UDL_UNITS_GAUSSIAN)))                          \
    X(rbm_train_bernoulli_above_1, udl_rbm_train, EINVAL, NULL,                               \
      udl_rbm_train(F.rbm, with(mat(N, D), 2, 0, 1.5), NULL, NULL))                           \
    X(rbm_train_bernoulli_below_0, udl_rbm_train, EINVAL, NULL,                               \
      udl_rbm_train(F.rbm, with(mat(N, D), 2, 0, -0.5), NULL, NULL))                          \
    X(rbm_pll_gaussian_visibles, udl_rbm_pseudo_likelihood, EINVAL, "Bernoulli",                      \
      udl_rbm_pseudo_likelihood(F.rbm_gaussian, mat(N, D), 1, scratch(1)))                    \
    X(rbm_sample_steps_0, udl_rbm_sample, EINVAL, "n_steps",                                  \
      udl_rbm_sample(F.rbm, mat(N, D), 0, 1))                                                 \
    X(rbm_sample_null, udl_rbm_sample, EINVAL, NULL, udl_rbm_sample(NULL, mat(N, D), 1, 1))   \
    X(rbm_sample_cols, udl_rbm_sample, ESHAPE, NULL, udl_rbm_sample(F.rbm, mat(N, D + 1), 1, 1)) \
    X(rbm_sample_v_null, udl_rbm_sample, EINVAL, NULL,                                        \
      udl_rbm_sample(F.rbm, null_data(mat(N, D)), 1, 1))                                      \
    X(rbm_gibbs_null, udl_rbm_gibbs, EINVAL, NULL, udl_rbm_gibbs(NULL, mat(N, D), 1, 1))      \
    X(rbm_gibbs_cols, udl_rbm_gibbs, ESHAPE, NULL, udl_rbm_gibbs(F.rbm, mat(N, D + 1), 1, 1)) \
    X(rbm_gibbs_nan, udl_rbm_gibbs, EINVAL, NULL,                                             \
      udl_rbm_gibbs(F.rbm, with(mat(N, D), 0, 0, NAN), 1, 1))                                 \
    X(rbm_gibbs_ld, udl_rbm_gibbs, EINVAL, "leading", udl_rbm_gibbs(F.rbm, mat_ld(N, D, 1), 1, 1)) \
    X(rbm_log_partition_null, udl_rbm_log_partition, EINVAL, NULL,                            \
      udl_rbm_log_partition(NULL, AISP(seed = 1), NULL, &(udl_ais_result){0}))                \
    X(rbm_log_partition_params_null, udl_rbm_log_partition, EINVAL, NULL,                     \
      udl_rbm_log_partition(F.rbm, NULL, NULL, &(udl_ais_result){0}))                         \
    X(rbm_log_partition_result_null, udl_rbm_log_partition, EINVAL, NULL,                     \
      udl_rbm_log_partition(F.rbm, AISP(seed = 1), NULL, NULL))                               \
    X(rbm_ais_runs_1, udl_rbm_log_partition, EINVAL, "n_runs",                                \
      udl_rbm_log_partition(F.rbm, AISP(n_runs = 1), NULL, &(udl_ais_result){0}))             \
    X(rbm_ais_base_cols, udl_rbm_log_partition, ESHAPE, NULL,                                 \
      ais_base(mat(N, D + 1)))                                                                \
    X(rbm_ais_base_nan, udl_rbm_log_partition, EINVAL, NULL, ais_base(with(mat(N, D), 0, 0, NAN))) \
    X(rbm_ais_base_null_data, udl_rbm_log_partition, EINVAL, NULL, ais_base(null_data(mat(N, D)))) \
    X(rbm_ais_gaussian_hidden, udl_rbm_log_partition, EINVAL, "Bernoulli", ais_gaussian_hidden())     \
    X(rbm_log_likelihood_result_null, udl_rbm_log_likelihood, EINVAL, NULL,                   \
      udl_rbm_log_likelihood(F.rbm, mat(N, D), NULL, scratch(1), NULL, NULL))                 \
    X(rbm_log_likelihood_mean_null, udl_rbm_log_likelihood, EINVAL, NULL,                     \
      udl_rbm_log_likelihood(F.rbm, mat(N, D), &(udl_ais_result){0}, NULL, NULL, NULL))       \
    X(rbm_log_likelihood_nan_log_z, udl_rbm_log_likelihood, EINVAL, "log_z",                     \
      udl_rbm_log_likelihood(F.rbm, mat(N, D), &(udl_ais_result){NAN, 0, 0, 0}, scratch(1),   \
                             NULL, NULL))                                                     \
    X(rbm_log_likelihood_inf_log_z, udl_rbm_log_likelihood, EINVAL, "log_z",                 \
      udl_rbm_log_likelihood(F.rbm, mat(N, D), &(udl_ais_result){-INFINITY, 0, 0, 0},        \
                             scratch(1), NULL, NULL))                                         \
    X(dbn_create_params_null, udl_dbn_create, EINVAL, NULL, dbn_create(NULL, sizes_3, 3))     \
    X(dbn_create_sizes_null, udl_dbn_create, EINVAL, NULL, dbn_create(RBMP(k = 1), NULL, 3))  \
    X(dbn_create_one_size, udl_dbn_create, EINVAL, NULL, dbn_create(RBMP(k = 1), sizes_1, 1)) \
    X(dbn_create_34_sizes, udl_dbn_create, EINVAL, NULL, dbn_create(RBMP(k = 1), sizes_34, 34)) \
    X(dbn_create_size_0, udl_dbn_create, EINVAL, NULL, dbn_create(RBMP(k = 1), sizes_0, 3))   \
    X(dbn_create_out_null, udl_dbn_create, EINVAL, NULL,                                      \
      udl_dbn_create(RBMP(k = 1), sizes_3, 3, NULL))                                          \
    X(dbn_create_bad_layer_params, udl_dbn_create, EINVAL, "k", dbn_create(RBMP(k = 0), sizes_3, 3)) \
    X(dbn_sample_null, udl_dbn_sample, EINVAL, NULL, udl_dbn_sample(NULL, mat(N, D), 1, 1))   \
    X(dbn_sample_cols, udl_dbn_sample, ESHAPE, NULL, udl_dbn_sample(F.dbn, mat(N, D + 1), 1, 1)) \
    X(dbn_sample_v_null, udl_dbn_sample, EINVAL, NULL,                                        \
      udl_dbn_sample(F.dbn, null_data(mat(N, D)), 1, 1))                                      \
    X(dbn_sample_steps_0, udl_dbn_sample, EINVAL, "n_steps", udl_dbn_sample(F.dbn, mat(N, D), 0, 1)) \

#define DNN_CASES(X)                                                                          \
    X(dnn_create_params_null, udl_dnn_create, EINVAL, NULL, dnn_create(NULL, sizes_3, 3))     \
    X(dnn_create_sizes_null, udl_dnn_create, EINVAL, NULL, dnn_create(DNNP(patience = 0), NULL, 3)) \
    X(dnn_create_one_size, udl_dnn_create, EINVAL, NULL, dnn_create(DNNP(patience = 0), sizes_1, 1)) \
    X(dnn_create_35_sizes, udl_dnn_create, EINVAL, NULL,                                      \
      dnn_create(DNNP(patience = 0), sizes_35, 35))                                           \
    X(dnn_create_size_0, udl_dnn_create, EINVAL, NULL, dnn_create(DNNP(patience = 0), sizes_0, 3)) \
    X(dnn_create_one_class, udl_dnn_create, EINVAL, "class", dnn_create(DNNP(patience = 0), one_class, 3)) \
    X(dnn_create_out_null, udl_dnn_create, EINVAL, NULL,                                      \
      udl_dnn_create(DNNP(patience = 0), sizes_3, 3, NULL))                                   \
    X(dnn_activation_softmax, udl_dnn_create, EINVAL, "activation",                           \
      dnn_create(DNNP(activation = UDL_ACT_SOFTMAX), sizes_3, 3))                             \
    X(dnn_activation_linear, udl_dnn_create, EINVAL, "activation",                            \
      dnn_create(DNNP(activation = UDL_ACT_LINEAR), sizes_3, 3))                              \
    X(dnn_activation_99, udl_dnn_create, EINVAL, "activation",                                \
      dnn_create(DNNP(activation = (udl_activation)99), sizes_3, 3))                          \
    X(dnn_input_dropout_1, udl_dnn_create, EINVAL, "input_dropout",                           \
      dnn_create(DNNP(input_dropout = 1), sizes_3, 3))                                        \
    X(dnn_input_dropout_below_0, udl_dnn_create, EINVAL, "input_dropout",                     \
      dnn_create(DNNP(input_dropout = just_below_0), sizes_3, 3))                             \
    X(dnn_hidden_dropout_1, udl_dnn_create, EINVAL, "hidden_dropout",                         \
      dnn_create(DNNP(hidden_dropout = 1), sizes_3, 3))                                       \
    X(dnn_hidden_dropout_nan, udl_dnn_create, EINVAL, "hidden_dropout",                       \
      dnn_create(DNNP(hidden_dropout = NAN), sizes_3, 3))                                     \
    X(dnn_valid_fraction_1, udl_dnn_create, EINVAL, "valid_fraction",                         \
      dnn_create(DNNP(valid_fraction = 1), sizes_3, 3))                                       \
    X(dnn_valid_fraction_below_0, udl_dnn_create, EINVAL, "valid_fraction",                   \
      dnn_create(DNNP(valid_fraction = just_below_0), sizes_3, 3))                            \
    X(dnn_set_params_null, udl_dnn_set_params, EINVAL, NULL, udl_dnn_set_params(F.dnn, NULL)) \
    X(dnn_set_params_model_null, udl_dnn_set_params, EINVAL, NULL,                            \
      udl_dnn_set_params(NULL, DNNP(patience = 0)))                                           \
    X(dnn_set_params_activation, udl_dnn_set_params, EINVAL, "activation",                    \
      udl_dnn_set_params(F.dnn, DNNP(activation = UDL_ACT_RELU)))                             \
    X(dnn_set_params_dropout, udl_dnn_set_params, EINVAL, "input_dropout",                    \
      udl_dnn_set_params(F.dnn, DNNP(input_dropout = 1)))                                     \
    X(dnn_train_label_k, udl_dnn_train, EINVAL, "label",                                      \
      udl_dnn_train(F.dnn, mat(N, D), with(labels(N), 3, 0, K), NULL, NULL, NULL, NULL))      \
    X(dnn_train_label_half, udl_dnn_train, EINVAL, "label",                                   \
      udl_dnn_train(F.dnn, mat(N, D), with(labels(N), 3, 0, 0.5), NULL, NULL, NULL, NULL))    \
    X(dnn_train_label_negative, udl_dnn_train, EINVAL, "label",                               \
      udl_dnn_train(F.dnn, mat(N, D), with(labels(N), 3, 0, -1), NULL, NULL, NULL, NULL))     \
    X(dnn_train_label_nan, udl_dnn_train, EINVAL, "label",                                    \
      udl_dnn_train(F.dnn, mat(N, D), with(labels(N), 3, 0, NAN), NULL, NULL, NULL, NULL))    \
    X(dnn_train_labels_rows, udl_dnn_train, ESHAPE, NULL,                                     \
      udl_dnn_train(F.dnn, mat(N, D), labels(N - 1), NULL, NULL, NULL, NULL))                 \
    X(dnn_train_labels_cols, udl_dnn_train, ESHAPE, NULL,                                     \
      udl_dnn_train(F.dnn, mat(N, D), mat(N, 2), NULL, NULL, NULL, NULL))                     \
    X(dnn_train_labels_null, udl_dnn_train, EINVAL, NULL,                                     \
      udl_dnn_train(F.dnn, mat(N, D), null_data(labels(N)), NULL, NULL, NULL, NULL))          \
    X(dnn_train_valid_x_only, udl_dnn_train, EINVAL, NULL,                                    \
      udl_dnn_train(F.dnn, mat(N, D), labels(N), &(udl_mat){0}, NULL, NULL, NULL))            \
    X(dnn_train_valid_labels_only, udl_dnn_train, EINVAL, NULL,                               \
      udl_dnn_train(F.dnn, mat(N, D), labels(N), NULL, &(udl_mat){0}, NULL, NULL))            \
    X(dnn_train_valid_cols, udl_dnn_train, ESHAPE, NULL, dnn_train_valid(mat(4, D + 1), labels(4))) \
    X(dnn_train_valid_rows, udl_dnn_train, ESHAPE, NULL, dnn_train_valid(mat(4, D), labels(3))) \
    X(dnn_train_valid_nan, udl_dnn_train, EINVAL, NULL,                                       \
      dnn_train_valid(with(mat(4, D), 1, 1, NAN), labels(4)))                                 \
    X(dnn_train_valid_label_k, udl_dnn_train, EINVAL, "label",                                \
      dnn_train_valid(mat(4, D), with(labels(4), 0, 0, K)))                                   \
    X(dnn_hidden_layer_l, udl_dnn_hidden, EINVAL, "layer",                                    \
      udl_dnn_hidden(F.dnn, mat(N, D), 1, mat(N, K)))                                         \
    X(dnn_unit_gradient_layer_above, udl_dnn_unit_gradient, EINVAL, "layer",                  \
      udl_dnn_unit_gradient(F.dnn, mat(N, D), 2, 0, mat(N, D), NULL))                         \
    X(dnn_unit_gradient_unit_above, udl_dnn_unit_gradient, EINVAL, "unit",                    \
      udl_dnn_unit_gradient(F.dnn, mat(N, D), 0, H, mat(N, D), NULL))                         \
    X(dnn_input_gradient_label_k, udl_dnn_input_gradient, EINVAL, "label",                    \
      udl_dnn_input_gradient(F.dnn, mat(N, D), with(labels(N), 0, 0, K), mat(N, D), NULL))    \
    X(dnn_input_gradient_labels_rows, udl_dnn_input_gradient, ESHAPE, NULL,                   \
      udl_dnn_input_gradient(F.dnn, mat(N, D), labels(N + 1), mat(N, D), NULL))               \
    X(dnn_evaluate_label_k, udl_dnn_evaluate, EINVAL, "label",                                \
      udl_dnn_evaluate(F.dnn, mat(N, D), with(labels(N), 0, 0, K), &(udl_dnn_eval){0}, NULL, NULL)) \
    X(dnn_evaluate_result_null, udl_dnn_evaluate, EINVAL, NULL,                               \
      udl_dnn_evaluate(F.dnn, mat(N, D), labels(N), NULL, NULL, NULL))                        \
    X(dnn_evaluate_labels_rows, udl_dnn_evaluate, ESHAPE, NULL,                               \
      udl_dnn_evaluate(F.dnn, mat(N, D), labels(N - 1), &(udl_dnn_eval){0}, NULL, NULL))      \
    X(dnn_pretrain_null, udl_dnn_pretrain, EINVAL, NULL,                                      \
      udl_dnn_pretrain(NULL, PREP(UDL_PRETRAIN_AE, noise = 0), mat(N, D), NULL, NULL))        \
    X(dnn_pretrain_params_null, udl_dnn_pretrain, EINVAL, NULL,                               \
      udl_dnn_pretrain(F.dnn, NULL, mat(N, D), NULL, NULL))                                   \
    X(dnn_pretrain_method_4, udl_dnn_pretrain, EINVAL, "method",                              \
      udl_dnn_pretrain(F.dnn, PREP(UDL_PRETRAIN_AE, method = (udl_pretrain)4), mat(N, D), NULL, NULL)) \
    X(dnn_pretrain_dae_noise_1, udl_dnn_pretrain, EINVAL, "noise",                            \
      udl_dnn_pretrain(F.dnn, PREP(UDL_PRETRAIN_DAE, noise = 1), mat(N, D), NULL, NULL))      \
    X(dnn_pretrain_dae_noise_below_0, udl_dnn_pretrain, EINVAL, "noise",                      \
      udl_dnn_pretrain(F.dnn, PREP(UDL_PRETRAIN_DAE, noise = just_below_0), mat(N, D), NULL, NULL)) \
    X(dnn_pretrain_above_1, udl_dnn_pretrain, EINVAL, NULL,                                   \
      udl_dnn_pretrain(F.dnn, PREP(UDL_PRETRAIN_RBM, noise = 0), with(mat(N, D), 0, 0, 2), NULL, NULL)) \
    X(dnn_pretrain_relu_net, udl_dnn_pretrain, EINVAL, "sigmoid", pretrain_relu())            \
    X(dnn_init_from_sae_null, udl_dnn_init_from_sae, EINVAL, NULL, udl_dnn_init_from_sae(F.dnn, NULL)) \
    X(dnn_init_from_sae_dnn_null, udl_dnn_init_from_sae, EINVAL, NULL,                        \
      udl_dnn_init_from_sae(NULL, F.sae))                                                     \
    X(dnn_init_from_sae_sizes, udl_dnn_init_from_sae, ESHAPE, NULL, udl_dnn_init_from_sae(F.dnn, F.sae)) \
    X(dnn_init_from_dbn_null, udl_dnn_init_from_dbn, EINVAL, NULL, udl_dnn_init_from_dbn(F.dnn, NULL)) \
    X(dnn_init_from_dbn_dnn_null, udl_dnn_init_from_dbn, EINVAL, NULL,                        \
      udl_dnn_init_from_dbn(NULL, F.dbn))                                                     \
    X(dnn_init_from_dbn_sizes, udl_dnn_init_from_dbn, ESHAPE, NULL, udl_dnn_init_from_dbn(F.dnn, F.dbn)) \
    X(dnn_accessors_out_of_range, udl_dnn_weights, OK, NULL,                                  \
      is(!udl_dnn_weights(F.dnn, 2) && !udl_dnn_bias(F.dnn, 2), "NULL past the last layer"))

#define ATTACK_CASES(X)                                                                       \
    X(attack_dnn_null, udl_attack, EINVAL, NULL,                                              \
      udl_attack(NULL, ATKP(UDL_ATTACK_FGSM, seed = 1), mat(N, D), labels(N), mat(N, D), NULL)) \
    X(attack_params_null, udl_attack, EINVAL, NULL,                                           \
      udl_attack(F.dnn, NULL, mat(N, D), labels(N), mat(N, D), NULL))                         \
    X(attack_method_6, udl_attack, EINVAL, "method",                                          \
      attack(ATKP(UDL_ATTACK_FGSM, method = (udl_attack_method)6)))                           \
    X(attack_fgsm_eps_0, udl_attack, EINVAL, "eps", attack(ATKP(UDL_ATTACK_FGSM, eps = 0)))   \
    X(attack_fgm_eps_nan, udl_attack, EINVAL, "eps", attack(ATKP(UDL_ATTACK_FGM_L2, eps = NAN))) \
    X(attack_bim_steps_0, udl_attack, EINVAL, "steps", attack(ATKP(UDL_ATTACK_BIM, steps = 0))) \
    X(attack_bim_step_size_below_0, udl_attack, EINVAL, "step_size",                          \
      attack(ATKP(UDL_ATTACK_BIM, step_size = just_below_0)))                                 \
    X(attack_pgd_restarts_0, udl_attack, EINVAL, "restarts",                                  \
      attack(ATKP(UDL_ATTACK_PGD, restarts = 0)))                                             \
    X(attack_pgd_l2_restarts_0, udl_attack, EINVAL, "restarts",                               \
      attack(ATKP(UDL_ATTACK_PGD_L2, restarts = 0)))                                          \
    X(attack_deepfool_steps_0, udl_attack, EINVAL, "steps",                                   \
      attack(ATKP(UDL_ATTACK_DEEPFOOL, steps = 0)))                                           \
    X(attack_targeted_2, udl_attack, EINVAL, "targeted", attack(ATKP(UDL_ATTACK_FGSM, targeted = 2))) \
    X(attack_clip_equal, udl_attack, EINVAL, "range",                                          \
      attack(ATKP(UDL_ATTACK_FGSM, clip_min = 1, P.atk.clip_max = 1)))                        \
    X(attack_clip_nan, udl_attack, EINVAL, "range", attack(ATKP(UDL_ATTACK_FGSM, clip_min = NAN))) \
    X(attack_overshoot_below_0, udl_attack, EINVAL, "overshoot",                              \
      attack(ATKP(UDL_ATTACK_DEEPFOOL, overshoot = just_below_0)))                            \
    X(attack_label_k, udl_attack, EINVAL, "label",                                            \
      udl_attack(F.dnn, ATKP(UDL_ATTACK_FGSM, seed = 1), mat(N, D), with(labels(N), 1, 0, K), \
                 mat(N, D), NULL))                                                            \
    X(attack_labels_rows, udl_attack, ESHAPE, NULL,                                           \
      udl_attack(F.dnn, ATKP(UDL_ATTACK_FGSM, seed = 1), mat(N, D), labels(N - 1), mat(N, D), NULL)) \
    X(attack_xadv_is_x, udl_attack, EINVAL, NULL, attack_in_place())                          \
    X(adv_train_dnn_null, udl_adversarial_train, EINVAL, NULL,                                \
      udl_adversarial_train(NULL, ATKP(UDL_ATTACK_FGSM, seed = 1), 0.5, mat(N, D), labels(N), \
                            NULL, NULL, NULL, NULL))                                          \
    X(adv_train_attack_null, udl_adversarial_train, EINVAL, NULL,                             \
      udl_adversarial_train(F.dnn, NULL, 0.5, mat(N, D), labels(N), NULL, NULL, NULL, NULL))  \
    X(adv_train_deepfool, udl_adversarial_train, EINVAL, NULL,                                \
      adv_train(ATKP(UDL_ATTACK_DEEPFOOL, seed = 1), 0.5))                                    \
    X(adv_train_targeted, udl_adversarial_train, EINVAL, "targeted",                          \
      adv_train(ATKP(UDL_ATTACK_FGSM, targeted = 1), 0.5))                                    \
    X(adv_train_alpha_below_0, udl_adversarial_train, EINVAL, "alpha",                        \
      adv_train(ATKP(UDL_ATTACK_FGSM, seed = 1), just_below_0))                               \
    X(adv_train_alpha_above_1, udl_adversarial_train, EINVAL, "alpha",                        \
      adv_train(ATKP(UDL_ATTACK_FGSM, seed = 1), JUST_ABOVE_1))                               \
    X(adv_train_alpha_nan, udl_adversarial_train, EINVAL, "alpha",                            \
      adv_train(ATKP(UDL_ATTACK_FGSM, seed = 1), NAN))                                        \
    X(adv_train_bad_eps, udl_adversarial_train, EINVAL, "eps",                                \
      adv_train(ATKP(UDL_ATTACK_FGSM, eps = 0), 0.5))                                         \
    X(adv_train_label_k, udl_adversarial_train, EINVAL, "label",                              \
      udl_adversarial_train(F.dnn, ATKP(UDL_ATTACK_FGSM, seed = 1), 0.5, mat(N, D),           \
                            with(labels(N), 0, 0, K), NULL, NULL, NULL, NULL))

#define FEATVIZ_CASES(X)                                                                      \
    X(featviz_layers_null, udl_featviz_layers, EINVAL, NULL,                                  \
      udl_featviz_layers(NULL, &(size_t){0}, NULL))                                           \
    X(featviz_layers_n_null, udl_featviz_layers, EINVAL, NULL,                                \
      udl_featviz_layers(W(UDL_KIND_DNN), NULL, NULL))                                        \
    X(featviz_layers_pca, udl_featviz_layers, EKIND, NULL,                                    \
      udl_featviz_layers(W(UDL_KIND_PCA), &(size_t){0}, NULL))                                \
    X(featviz_first_null, udl_featviz_first_layer, EINVAL, NULL,                              \
      udl_featviz_first_layer(NULL, 1, 0, mat(1, D)))                                         \
    X(featviz_first_pca, udl_featviz_first_layer, EKIND, NULL,                                \
      udl_featviz_first_layer(W(UDL_KIND_PCA), 1, 0, mat(1, D)))                              \
    X(featviz_first_rho_0, udl_featviz_first_layer, EINVAL, NULL,                             \
      udl_featviz_first_layer(W(UDL_KIND_AUTOENCODER), 0, 0, mat(1, D)))                      \
    X(featviz_first_rho_nan, udl_featviz_first_layer, EINVAL, NULL,                           \
      udl_featviz_first_layer(W(UDL_KIND_AUTOENCODER), NAN, 0, mat(1, D)))                    \
    X(featviz_first_rho_inf, udl_featviz_first_layer, EINVAL, NULL,                           \
      udl_featviz_first_layer(W(UDL_KIND_AUTOENCODER), INFINITY, 0, mat(1, D)))               \
    X(featviz_first_units_past, udl_featviz_first_layer, EINVAL, NULL,                        \
      udl_featviz_first_layer(W(UDL_KIND_AUTOENCODER), 1, 1, mat(H, D)))                      \
    X(featviz_first_cols, udl_featviz_first_layer, ESHAPE, NULL,                              \
      udl_featviz_first_layer(W(UDL_KIND_AUTOENCODER), 1, 0, mat(1, D + 1)))                  \
    X(featviz_first_x_null, udl_featviz_first_layer, EINVAL, NULL,                            \
      udl_featviz_first_layer(W(UDL_KIND_AUTOENCODER), 1, 0, null_data(mat(1, D))))           \
    X(featviz_first_ld, udl_featviz_first_layer, EINVAL, "leading",                           \
      udl_featviz_first_layer(W(UDL_KIND_AUTOENCODER), 1, 0, mat_ld(1, D, 1)))                \
    X(featviz_ascent_null, udl_featviz_ascent, EINVAL, NULL,                                  \
      udl_featviz_ascent(NULL, 0, 0, FVP(seed = 1), mat(1, D), NULL))                         \
    X(featviz_ascent_params_null, udl_featviz_ascent, EINVAL, NULL,                           \
      udl_featviz_ascent(W(UDL_KIND_DNN), 0, 0, NULL, mat(1, D), NULL))                       \
    X(featviz_ascent_pca, udl_featviz_ascent, EKIND, NULL,                                    \
      udl_featviz_ascent(W(UDL_KIND_PCA), 0, 0, FVP(seed = 1), mat(1, D), NULL))              \
    X(featviz_ascent_layer_past, udl_featviz_ascent, EINVAL, "layer",                         \
      udl_featviz_ascent(W(UDL_KIND_DNN), 2, 0, FVP(seed = 1), mat(1, D), NULL))              \
    X(featviz_ascent_unit_past, udl_featviz_ascent, EINVAL, NULL,                             \
      udl_featviz_ascent(W(UDL_KIND_DNN), 0, H, FVP(seed = 1), mat(1, D), NULL))              \
    X(featviz_ascent_cols, udl_featviz_ascent, ESHAPE, NULL,                                  \
      udl_featviz_ascent(W(UDL_KIND_DNN), 0, 0, FVP(seed = 1), mat(1, D + 1), NULL))          \
    X(featviz_norm_0, udl_featviz_ascent, EINVAL, "norm", fv(FVP(norm = 0)))                  \
    X(featviz_norm_inf, udl_featviz_ascent, EINVAL, "norm", fv(FVP(norm = INFINITY)))         \
    X(featviz_clip_2, udl_featviz_ascent, EINVAL, "clip", fv(FVP(clip = 2)))                  \
    X(featviz_steps_0, udl_featviz_ascent, EINVAL, "steps", fv(FVP(steps = 0)))               \
    X(featviz_restarts_0, udl_featviz_ascent, EINVAL, "restarts", fv(FVP(restarts = 0)))      \
    X(featviz_rate_0, udl_featviz_ascent, EINVAL, "learning_rate", fv(FVP(sgd.learning_rate = 0))) \
    X(featviz_momentum_1, udl_featviz_ascent, EINVAL, "momentum", fv(FVP(sgd.momentum = 1)))  \
    X(featviz_blur_below_0, udl_featviz_ascent, EINVAL, "blur", fv(FVP(blur = just_below_0))) \
    X(featviz_blur_width_0, udl_featviz_ascent, EINVAL, "image_width",                        \
      fv(FVP(blur = 1, P.fv.image_width = 0)))                                                \
    X(featviz_blur_width_not_dividing, udl_featviz_ascent, EINVAL, "image_width",             \
      fv(FVP(blur = 1, P.fv.image_width = 2)))                                                \
    X(featviz_dbn_sample_null, udl_featviz_dbn_sample, EINVAL, NULL,                          \
      udl_featviz_dbn_sample(NULL, 0, 1, 1, mat(1, D)))                                       \
    X(featviz_dbn_sample_unit_past, udl_featviz_dbn_sample, EINVAL, NULL,                     \
      udl_featviz_dbn_sample(F.dbn, H, 1, 1, mat(1, D)))                                      \
    X(featviz_dbn_sample_cols, udl_featviz_dbn_sample, ESHAPE, NULL,                          \
      udl_featviz_dbn_sample(F.dbn, 0, 1, 1, mat(1, D + 1)))                                  \
    X(featviz_dbn_sample_x_null, udl_featviz_dbn_sample, EINVAL, NULL,                        \
      udl_featviz_dbn_sample(F.dbn, 0, 1, 1, null_data(mat(1, D))))                           \
    X(image_grid_out_null, udl_image_grid, EINVAL, NULL, udl_image_grid(mat(2, 4), 2, 2, 2, NULL)) \
    X(image_grid_tiles_null, udl_image_grid, EINVAL, NULL,                                    \
      grid(null_data(mat(2, 4)), 2, 2, 2))                                                    \
    X(image_grid_h_0, udl_image_grid, EINVAL, NULL, grid(mat(2, 4), 0, 2, 2))                 \
    X(image_grid_w_0, udl_image_grid, EINVAL, NULL, grid(mat(2, 4), 2, 0, 2))                 \
    X(image_grid_cols_0, udl_image_grid, EINVAL, NULL, grid(mat(2, 4), 2, 2, 0))              \
    X(image_grid_tile_size, udl_image_grid, ESHAPE, NULL, grid(mat(2, 4), 2, 3, 2))           \
    X(image_grid_nan, udl_image_grid, EINVAL, NULL, grid(with(mat(2, 4), 1, 1, NAN), 2, 2, 2)) \
    X(image_grid_ld, udl_image_grid, EINVAL, "leading", grid(mat_ld(2, 4, 3), 2, 2, 2))

#define MODEL_CASES(X)                                                                        \
    X(kind_name_0, udl_kind_name, OK, NULL, is(udl_kind_name((udl_kind)0) == NULL, "NULL"))   \
    X(kind_name_past, udl_kind_name, OK, NULL,                                                \
      is(udl_kind_name((udl_kind)(UDL_KIND_COUNT + 1)) == NULL, "NULL"))                      \
    X(kind_from_name_null, udl_kind_from_name, EINVAL, NULL,                                  \
      udl_kind_from_name(NULL, &(udl_kind){0}))                                               \
    X(kind_from_name_out_null, udl_kind_from_name, EINVAL, NULL, udl_kind_from_name("pca", NULL)) \
    X(kind_from_name_unknown, udl_kind_from_name, EINVAL, "dnn",                              \
      udl_kind_from_name("svm", &(udl_kind){0}))                                              \
    X(model_load_path_null, udl_model_load, EINVAL, NULL, model_load(NULL))                   \
    X(model_load_out_null, udl_model_load, EINVAL, NULL,                                      \
      udl_model_load(fixture_path("1.udl"), NULL))                                            \
    X(model_load_missing, udl_model_load, EIO, NULL, model_load(missing_path()))              \
    X(model_load_not_a_model, udl_model_load, UDL_EFORMAT, NULL, model_load(fixture_path("data.npy"))) \
    X(model_wrap_kind_0, udl_model_wrap, EINVAL, "kind", model_wrap((udl_kind)0, F.pca))      \
    X(model_wrap_kind_past, udl_model_wrap, EINVAL, "kind",                                   \
      model_wrap((udl_kind)(UDL_KIND_COUNT + 1), F.pca))                                      \
    X(model_wrap_object_null, udl_model_wrap, EINVAL, NULL, model_wrap(UDL_KIND_PCA, NULL))   \
    X(model_wrap_out_null, udl_model_wrap, EINVAL, NULL,                                      \
      udl_model_wrap(UDL_KIND_PCA, F.pca, NULL))                                              \
    X(model_save_null, udl_model_save, EINVAL, NULL, udl_model_save(NULL, fixture_path("x.udl"))) \
    X(model_save_path_null, udl_model_save, EINVAL, NULL,                                     \
      udl_model_save(W(UDL_KIND_DNN), NULL))                                                  \
    X(model_save_unwritable, udl_model_save, EIO, NULL,                                       \
      udl_model_save(W(UDL_KIND_DNN), missing_path()))                                        \
    X(model_reconstruct_sae, udl_model_reconstruct, EKIND, "reconstruct",                     \
      udl_model_reconstruct(W(UDL_KIND_STACKED_AUTOENCODER), mat(N, D), mat(N, D)))           \
    X(model_reconstruct_dnn, udl_model_reconstruct, EKIND, "reconstruct",                     \
      udl_model_reconstruct(W(UDL_KIND_DNN), mat(N, D), mat(N, D)))                           \
    X(model_predict_ae, udl_model_predict, EKIND, "predict",                                  \
      udl_model_predict(W(UDL_KIND_AUTOENCODER), mat(N, D), mat(N, D)))                       \
    X(model_predict_pca, udl_model_predict, EKIND, "predict",                                 \
      udl_model_predict(W(UDL_KIND_PCA), mat(N, D), mat(N, D)))                               \
    X(model_sample_pca, udl_model_sample, EKIND, NULL,                                        \
      udl_model_sample(W(UDL_KIND_PCA), mat(N, D), 1, 1))                                     \
    X(model_sample_dnn, udl_model_sample, EKIND, NULL,                                        \
      udl_model_sample(W(UDL_KIND_DNN), mat(N, D), 1, 1))                                     \
    X(model_sample_null, udl_model_sample, EINVAL, NULL, udl_model_sample(NULL, mat(N, D), 1, 1)) \
    X(model_sample_cols, udl_model_sample, ESHAPE, NULL,                                      \
      udl_model_sample(W(UDL_KIND_RBM), mat(N, D + 1), 1, 1))                                 \
    X(model_sample_v_null, udl_model_sample, EINVAL, NULL,                                    \
      udl_model_sample(W(UDL_KIND_DBN), null_data(mat(N, D)), 1, 1))                          \
    X(model_get_train_pca, udl_model_get_train_params, EKIND, NULL,                           \
      udl_model_get_train_params(W(UDL_KIND_PCA), &P.train))                                  \
    X(model_get_train_null, udl_model_get_train_params, EINVAL, NULL,                         \
      udl_model_get_train_params(NULL, &P.train))                                             \
    X(model_get_train_out_null, udl_model_get_train_params, EINVAL, NULL,                     \
      udl_model_get_train_params(W(UDL_KIND_RBM), NULL))                                      \
    X(model_set_train_pca, udl_model_set_train_params, EKIND, NULL,                           \
      udl_model_set_train_params(W(UDL_KIND_PCA), TRAINP(seed = 1)))                          \
    X(model_set_train_null, udl_model_set_train_params, EINVAL, NULL,                         \
      udl_model_set_train_params(NULL, TRAINP(seed = 1)))                                     \
    X(model_set_train_params_null, udl_model_set_train_params, EINVAL, NULL,                  \
      udl_model_set_train_params(W(UDL_KIND_RBM), NULL))                                      \
    X(model_field_wrapped, udl_model_field, EINVAL, NULL,                                     \
      udl_model_field(W(UDL_KIND_DNN), 0, &(udl_field){0}))                                   \
    X(model_field_null, udl_model_field, EINVAL, NULL, udl_model_field(NULL, 0, &(udl_field){0})) \
    X(model_field_out_null, udl_model_field, EINVAL, NULL, udl_model_field(F.loaded, 0, NULL)) \
    X(model_field_past, udl_model_field, EINVAL, NULL,                                        \
      udl_model_field(F.loaded, udl_model_n_fields(F.loaded), &(udl_field){0}))               \
    X(model_find_field_missing, udl_model_find_field, EINVAL, "no_such",                      \
      udl_model_find_field(F.loaded, "no_such_field", &(udl_field){0}))                       \
    X(model_find_field_name_null, udl_model_find_field, EINVAL, NULL,                         \
      udl_model_find_field(F.loaded, NULL, &(udl_field){0}))                                  \
    X(model_find_field_out_null, udl_model_find_field, EINVAL, NULL,                          \
      udl_model_find_field(F.loaded, "W0", NULL))                                             \
    X(model_find_field_wrapped, udl_model_find_field, EINVAL, NULL,                           \
      udl_model_find_field(W(UDL_KIND_DNN), "W0", &(udl_field){0}))                           \
    X(model_find_field_null, udl_model_find_field, EINVAL, NULL,                              \
      udl_model_find_field(NULL, "W0", &(udl_field){0}))                                      \
    X(model_fields_of_wrapped, udl_model_n_fields, OK, NULL,                                  \
      is(udl_model_n_fields(W(UDL_KIND_DNN)) == 0 && udl_model_format_version(W(UDL_KIND_DNN)) == 0, \
         "0 fields and format 0 for a wrapped model"))

#define IO_CASES(X)                                                                           \
    X(npy_read_path_null, udl_npy_read, EINVAL, NULL, read_status(udl_npy_read, NULL))        \
    X(npy_read_out_null, udl_npy_read, EINVAL, NULL, udl_npy_read(fixture_path("data.npy"), 0, NULL)) \
    X(npy_read_missing, udl_npy_read, EIO, NULL, read_status(udl_npy_read, missing_path()))   \
    X(npy_read_model_file, udl_npy_read, UDL_EFORMAT, NULL, read_status(udl_npy_read, fixture_path("1.udl"))) \
    X(idx_read_path_null, udl_idx_read, EINVAL, NULL, read_status(udl_idx_read, NULL))        \
    X(idx_read_out_null, udl_idx_read, EINVAL, NULL, udl_idx_read(fixture_path("data.npy"), 0, NULL)) \
    X(idx_read_missing, udl_idx_read, EIO, NULL, read_status(udl_idx_read, missing_path()))   \
    X(idx_read_npy, udl_idx_read, UDL_EFORMAT, NULL, read_status(udl_idx_read, fixture_path("data.npy"))) \
    X(data_read_path_null, udl_data_read, EINVAL, NULL, read_status(udl_data_read, NULL))     \
    X(data_read_out_null, udl_data_read, EINVAL, NULL, udl_data_read(fixture_path("data.npy"), 0, NULL)) \
    X(data_read_missing, udl_data_read, EIO, NULL, read_status(udl_data_read, missing_path())) \
    X(csv_read_path_null, udl_csv_read, EINVAL, NULL, csv_status(NULL))                       \
    X(csv_read_out_null, udl_csv_read, EINVAL, NULL, udl_csv_read(fixture_path("data.npy"), NULL)) \
    X(csv_read_missing, udl_csv_read, EIO, NULL, csv_status(missing_path()))                  \
    X(npy_write_path_null, udl_npy_write, EINVAL, NULL, udl_npy_write(NULL, mat(2, 2)))       \
    X(npy_write_data_null, udl_npy_write, EINVAL, NULL,                                       \
      udl_npy_write(fixture_path("w.npy"), null_data(mat(2, 2))))                             \
    X(npy_write_ld, udl_npy_write, EINVAL, "leading", udl_npy_write(fixture_path("w.npy"), mat_ld(2, 2, 1))) \
    X(npy_write_unwritable, udl_npy_write, EIO, NULL, udl_npy_write(missing_path(), mat(2, 2))) \
    X(npy_write_strided_reads_back, udl_npy_write, OK, NULL, npy_strided_round_trip())        \
    X(file_write_path_null, udl_file_write, EINVAL, NULL, udl_file_write(NULL, "x", 1))       \
    X(file_write_data_null, udl_file_write, EINVAL, NULL,                                     \
      udl_file_write(fixture_path("w.bin"), NULL, 1))                                         \
    X(file_write_unwritable, udl_file_write, EIO, NULL, udl_file_write(missing_path(), "x", 1)) \
    X(array_mat_null, udl_array_mat, OK, NULL,                                                \
      is(udl_array_mat(NULL).data == NULL && udl_array_mat(NULL).rows == 0, "an empty view"))

/* ---- helpers the explicit cases call ---------------------------------------------------- */

static udl_status history_null(const double *h)
{
    return is(h == NULL, "NULL");
}
static udl_status sizes_null(const size_t *sizes) { return is(sizes == NULL, "NULL"); }
static udl_status dnn_valid_history_null(void)
{
    const double *loss = arena, *error = arena;
    size_t n = 7;
    udl_dnn_valid_history(NULL, &loss, &error, &n);
    udl_dnn_valid_history(NULL, NULL, NULL, NULL);
    return is(!loss && !error && n == 0, "NULL histories of 0 epochs");
}
static udl_status array_free_twice(void)
{
    udl_array a = {0};
    udl_array_free(&a);
    udl_array_free(&a);
    return is(a.data == NULL && a.rows == 0, "an empty array");
}

static udl_status gemm_zero_inner(void)
{
    udl_mat c = mat(2, 2);
    c.data[0] = NAN;
    udl_status s = udl_gemm(UDL_NOTRANS, UDL_NOTRANS, 1, mat(2, 0), mat(0, 2), 0, c);
    if (s)
        return s;
    return is(c.data[0] == 0 && c.data[3] == 0, "C cleared by beta 0");
}

static udl_status gemm_strided(void)
{
    udl_mat a = mat_ld(2, 3, 5), b = mat_ld(3, 2, 4), c = mat_ld(2, 2, 3);
    udl_mat ad = mat(2, 3), bd = mat(3, 2), cd = mat(2, 2);
    for (size_t i = 0; i < 2; i++)
        for (size_t j = 0; j < 3; j++) {
            ad.data[i * 3 + j] = a.data[i * a.ld + j];
            bd.data[j * 2 + i] = b.data[j * b.ld + i];
        }
    udl_status s = udl_gemm(UDL_NOTRANS, UDL_NOTRANS, 1, a, b, 0, c);
    if (s || (s = udl_gemm(UDL_NOTRANS, UDL_NOTRANS, 1, ad, bd, 0, cd)))
        return s;
    for (size_t i = 0; i < 2; i++)
        for (size_t j = 0; j < 2; j++)
            if (c.data[i * c.ld + j] != cd.data[i * 2 + j])
                return is(0, "the strided product equal to the dense one");
    return UDL_OK;
}

static udl_status every_status_named(void)
{
    for (int s = UDL_OK; s <= UDL_ECANCELED; s++)
        if (!udl_status_str((udl_status)s) || !*udl_status_str((udl_status)s))
            return is(0, "a name for every status");
    return UDL_OK;
}

static udl_status pca_fit_k(size_t k, size_t rows)
{
    udl_pca *pca;
    udl_status s = udl_pca_create(PCAP(n_components = k), &pca);
    if (s)
        return s;
    s = udl_pca_fit(pca, mat(rows, D), NULL, NULL);
    udl_pca_free(pca);
    return s;
}

/* A fresh model fed one block of D columns, then a block of cols columns (0: finish). */
static udl_status pca_partial_then(size_t cols)
{
    udl_pca *pca;
    udl_status s = udl_pca_create(PCAP(n_components = 1), &pca);
    if (s || (s = udl_pca_partial_fit(pca, mat(1, D))))
        return s;
    s = cols ? udl_pca_partial_fit(pca, mat(2, cols)) : udl_pca_finish(pca);
    udl_pca_free(pca);
    return s;
}

static udl_status tsne(const udl_tsne_params *p, udl_mat x, udl_mat y)
{
    udl_tsne_result r;
    return udl_tsne_embed(p, x, y, NULL, NULL, &r);
}

static udl_status ais_base(udl_mat base)
{
    udl_ais_result r;
    return udl_rbm_log_partition(F.rbm, AISP(n_runs = 2), &base, &r);
}

static udl_status ais_gaussian_hidden(void)
{
    udl_rbm *rbm;
    udl_status s = udl_rbm_create(RBMP(hidden = UDL_UNITS_GAUSSIAN), &rbm);
    if (s)
        return s;
    udl_ais_result r;
    s = udl_rbm_log_partition(rbm, AISP(n_runs = 2), NULL, &r);
    udl_rbm_free(rbm);
    return s;
}

static size_t one_class[] = {D, H, 1};

static udl_status dnn_train_valid(udl_mat vx, udl_mat vl)
{
    return udl_dnn_train(F.dnn, mat(N, D), labels(N), &vx, &vl, NULL, NULL);
}

static udl_status pretrain_relu(void)
{
    udl_dnn *dnn;
    udl_status s = udl_dnn_create(DNNP(activation = UDL_ACT_RELU), sizes_3, 3, &dnn);
    if (s)
        return s;
    s = udl_dnn_pretrain(dnn, PREP(UDL_PRETRAIN_AE, noise = 0), mat(N, D), NULL, NULL);
    udl_dnn_free(dnn);
    return s;
}

static udl_status attack(const udl_attack_params *p)
{
    return udl_attack(F.dnn, p, mat(N, D), labels(N), mat(N, D), NULL);
}

static udl_status attack_in_place(void)
{
    udl_mat x = mat(N, D);
    return udl_attack(F.dnn, ATKP(UDL_ATTACK_FGSM, seed = 1), x, labels(N), x, NULL);
}

static udl_status adv_train(const udl_attack_params *p, double alpha)
{
    return udl_adversarial_train(F.dnn, p, alpha, mat(N, D), labels(N), NULL, NULL, NULL, NULL);
}

static udl_status fv(const udl_featviz_params *p)
{
    return udl_featviz_ascent(W(UDL_KIND_DNN), 0, 0, p, mat(1, D), NULL);
}

static udl_status grid(udl_mat tiles, size_t h, size_t w, size_t cols)
{
    udl_array out = {0};
    return array_status(udl_image_grid(tiles, h, w, cols, &out), &out);
}

static udl_status read_status(udl_status (*reader)(const char *, unsigned, udl_array *),
                              const char *path)
{
    udl_array a = {0};
    return array_status(reader(path, 0, &a), &a);
}

static udl_status csv_status(const char *path)
{
    udl_array a = {0};
    return array_status(udl_csv_read(path, &a), &a);
}

static udl_status npy_strided_round_trip(void)
{
    udl_mat m = mat_ld(3, 2, 5);
    udl_status s = udl_npy_write(fixture_path("strided.npy"), m);
    if (s)
        return s;
    udl_array a = {0};
    if ((s = udl_npy_read(fixture_path("strided.npy"), 0, &a)))
        return s;
    int same = a.rows == 3 && a.cols == 2;
    for (size_t i = 0; same && i < 3; i++)
        for (size_t j = 0; j < 2; j++)
            same = same && a.data[i * 2 + j] == m.data[i * m.ld + j];
    udl_array_free(&a);
    return is(same, "the strided rows read back");
}

/* ---- the table ----------------------------------------------------------------------- */

typedef struct inval_case {
    const char *function; /* the public function the case is about */
    const char *name;     /* what is wrong */
    udl_status (*run)(const void *arg);
    const void *arg;
    udl_status expected;
    const char *word; /* the sentence must contain this (any case), or NULL */
} inval_case;

#define DEFINE_RUN(id, fn, st, word, call)                                                    \
    static udl_status run_##id(const void *arg)                                               \
    {                                                                                         \
        (void)arg;                                                                            \
        return (call);                                                                        \
    }
#define TABLE_ROW(id, fn, st, word, call) {#fn, #id, run_##id, NULL, st, word},

#define DEFAULTS_CASES(X)                                                                     \
    X(sgd_default_passes, udl_sgd_params_default, OK, NULL,                                   \
      (P.sgd = udl_sgd_params_default(), udl_sgd_params_check(&P.sgd)))                       \
    X(train_default_passes, udl_train_params_default, OK, NULL,                               \
      (P.train = udl_train_params_default(), udl_train_params_check(&P.train)))               \
    X(pca_default_creates, udl_pca_params_default, OK, NULL,                                  \
      (P.pca = udl_pca_params_default(), pca_create(&P.pca)))                                 \
    X(tsne_default_as_documented, udl_tsne_params_default, OK, NULL,                          \
      (P.tsne = udl_tsne_params_default(),                                                    \
       is(P.tsne.n_components == 2 && P.tsne.perplexity == 30 && P.tsne.n_iter == 1000,      \
          "2 dimensions, perplexity 30, 1000 steps")))                                        \
    X(ae_default_needs_sizes, udl_ae_params_default, EINVAL, "n_visible",                     \
      (P.ae = udl_ae_params_default(), ae_create(&P.ae)))                                     \
    X(deep_default_creates, udl_deep_ae_params_default, OK, NULL,                             \
      (P.deep = udl_deep_ae_params_default(), deep_create(F.sae, &P.deep)))                   \
    X(rbm_default_needs_sizes, udl_rbm_params_default, EINVAL, "n_visible",                   \
      (P.rbm = udl_rbm_params_default(), rbm_create(&P.rbm)))                                 \
    X(ais_default_as_documented, udl_ais_params_default, OK, NULL,                            \
      is(udl_ais_params_default().n_runs == 100 && udl_ais_params_default().n_betas == 0,     \
         "100 runs, the long schedule")) \
    X(dnn_default_creates, udl_dnn_params_default, OK, NULL,                                  \
      (P.dnn = udl_dnn_params_default(), dnn_create(&P.dnn, sizes_3, 3)))                     \
    X(pretrain_default_unknown_method, udl_dnn_pretrain_params_default, EINVAL, "method",     \
      (P.pre = udl_dnn_pretrain_params_default((udl_pretrain)9),                              \
       udl_dnn_pretrain(F.dnn, &P.pre, mat(N, D), NULL, NULL)))                               \
    X(featviz_default_runs, udl_featviz_params_default, OK, NULL,                             \
      (P.fv = udl_featviz_params_default(), fv(&P.fv)))                                       \
    X(attack_default_unknown_method, udl_attack_params_default, EINVAL, "method",             \
      (P.atk = udl_attack_params_default((udl_attack_method)9), attack(&P.atk)))

#define ALL_CASES(X)                                                                          \
    DEFAULTS_CASES(X)                                                                         \
    ACCESSOR_CASES(X)                                                                         \
    FREE_CASES(X)                                                                             \
    CORE_CASES(X)                                                                             \
    PCA_CASES(X)                                                                              \
    TSNE_CASES(X)                                                                             \
    AE_CASES(X)                                                                               \
    RBM_CASES(X)                                                                              \
    DNN_CASES(X)                                                                              \
    ATTACK_CASES(X)                                                                           \
    FEATVIZ_CASES(X)                                                                          \
    MODEL_CASES(X)                                                                            \
    IO_CASES(X)

ALL_CASES(DEFINE_RUN)

static const inval_case explicit_cases[] = {ALL_CASES(TABLE_ROW)};

/* ---- generated cases: every data-taking call against every defect of its matrices ----- */

typedef enum out_kind { OUT_MAT, OUT_PTR, OUT_NONE } out_kind;

typedef struct map_def {
    const char *function;
    udl_status (*call)(const void *model, udl_mat x, udl_mat out);
    const void *(*model)(void); /* the fixture the call runs on */
    size_t in_cols, out_cols;   /* X's columns; the output's (N values for OUT_PTR) */
    out_kind out;
    udl_status zero_rows; /* what X with no rows gives */
    int mutates;          /* trains the model: no run on a strided copy to compare */
    int any_cols;         /* a fit: X may have any number of columns (but not 0) */
} map_def;

static const void *m_pca(void) { return F.pca; }
static const void *m_ae(void) { return F.ae; }
static const void *m_sae(void) { return F.sae; }
static const void *m_deep(void) { return F.deep; }
static const void *m_rbm(void) { return F.rbm; }
static const void *m_dbn(void) { return F.dbn; }
static const void *m_dnn(void) { return F.dnn; }
static const void *m_tsne(void) { return TSNEP(seed = 3); }
static const void *m_pca_model(void) { return W(UDL_KIND_PCA); }
static const void *m_ae_model(void) { return W(UDL_KIND_AUTOENCODER); }
static const void *m_sae_model(void) { return W(UDL_KIND_STACKED_AUTOENCODER); }
static const void *m_deep_model(void) { return W(UDL_KIND_DEEP_AUTOENCODER); }
static const void *m_rbm_model(void) { return W(UDL_KIND_RBM); }
static const void *m_dbn_model(void) { return W(UDL_KIND_DBN); }
static const void *m_dnn_model(void) { return W(UDL_KIND_DNN); }

#define MAP(name, call)                                                                       \
    static udl_status name(const void *m, udl_mat x, udl_mat o)                               \
    {                                                                                         \
        (void)o;                                                                              \
        return (call);                                                                        \
    }
MAP(pca_fit_, udl_pca_fit((udl_pca *)m, x, NULL, NULL))
MAP(pca_partial_fit_, udl_pca_partial_fit((udl_pca *)m, x))
MAP(pca_transform_, udl_pca_transform(m, x, o))
MAP(pca_inverse_, udl_pca_inverse_transform(m, x, o))
MAP(pca_error_, udl_pca_reconstruction_error(m, x, o.data))
MAP(tsne_, udl_tsne_embed(m, x, o, NULL, NULL, NULL))
MAP(ae_train_, udl_ae_train((udl_ae *)m, x, NULL, NULL))
MAP(ae_encode_, udl_ae_encode(m, x, o))
MAP(ae_reconstruct_, udl_ae_reconstruct(m, x, o))
MAP(ae_cost_, udl_ae_cost(m, x, o.data))
MAP(sae_train_, udl_sae_train((udl_sae *)m, x, NULL, NULL))
MAP(sae_encode_, udl_sae_encode(m, x, o))
MAP(deep_train_, udl_deep_ae_train((udl_deep_ae *)m, x, NULL, NULL))
MAP(deep_encode_, udl_deep_ae_encode(m, x, o))
MAP(deep_reconstruct_, udl_deep_ae_reconstruct(m, x, o))
MAP(deep_cost_, udl_deep_ae_cost(m, x, o.data))
MAP(rbm_train_, udl_rbm_train((udl_rbm *)m, x, NULL, NULL))
MAP(rbm_transform_, udl_rbm_transform(m, x, o))
MAP(rbm_visible_means_, udl_rbm_visible_means(m, x, o))
MAP(rbm_reconstruct_, udl_rbm_reconstruct(m, x, o))
MAP(rbm_free_energy_, udl_rbm_free_energy(m, x, o.data))
MAP(rbm_error_, udl_rbm_reconstruction_error(m, x, o.data))
MAP(rbm_pll_, udl_rbm_pseudo_likelihood(m, x, 1, o.data))
MAP(rbm_ll_, udl_rbm_log_likelihood(m, x, &(udl_ais_result){1, 0.5, 1.5, 0}, o.data, NULL, NULL))
MAP(dbn_train_, udl_dbn_train((udl_dbn *)m, x, NULL, NULL))
MAP(dbn_transform_, udl_dbn_transform(m, x, o))
MAP(dbn_reconstruct_, udl_dbn_reconstruct(m, x, o))
MAP(dnn_train_, udl_dnn_train((udl_dnn *)m, x, labels(x.rows), NULL, NULL, NULL, NULL))
MAP(dnn_pretrain_, udl_dnn_pretrain((udl_dnn *)m, PREP(UDL_PRETRAIN_AE, noise = 0), x, NULL, NULL))
MAP(adv_train_, udl_adversarial_train((udl_dnn *)m, ATKP(UDL_ATTACK_FGSM, seed = 1), 0.5, x,
                                      labels(x.rows), NULL, NULL, NULL, NULL))
MAP(dnn_predict_, udl_dnn_predict(m, x, o))
MAP(dnn_proba_, udl_dnn_predict_proba(m, x, o))
MAP(dnn_hidden_, udl_dnn_hidden(m, x, 0, o))
MAP(dnn_evaluate_, udl_dnn_evaluate(m, x, labels(x.rows), &(udl_dnn_eval){0}, NULL, NULL))
MAP(dnn_input_gradient_, udl_dnn_input_gradient(m, x, labels(x.rows), o, NULL))
MAP(dnn_unit_gradient_, udl_dnn_unit_gradient(m, x, 1, 0, o, NULL))
MAP(attack_, udl_attack(m, ATKP(UDL_ATTACK_PGD, seed = 1), x, labels(x.rows), o, NULL))
MAP(model_encode_, udl_model_encode(m, x, o))
MAP(model_reconstruct_, udl_model_reconstruct(m, x, o))
MAP(model_predict_, udl_model_predict(m, x, o))

#define TRAINS(fn, call, model, cols) {#fn, call, model, cols, 0, OUT_NONE, EINVAL, 1, 0}
#define MAPS(fn, call, model, in, out) {#fn, call, model, in, out, OUT_MAT, OK, 0, 0}
#define MEANS(fn, call, model) {#fn, call, model, D, 1, OUT_PTR, EINVAL, 0, 0}

static const map_def maps[] = {
    {"udl_pca_fit", pca_fit_, m_pca, D, 0, OUT_NONE, EINVAL, 1, 1},
    {"udl_pca_partial_fit", pca_partial_fit_, m_pca, D, 0, OUT_NONE, OK, 1, 1},
    MAPS(udl_pca_transform, pca_transform_, m_pca, D, 2),
    MAPS(udl_pca_inverse_transform, pca_inverse_, m_pca, 2, D),
    MEANS(udl_pca_reconstruction_error, pca_error_, m_pca),
    {"udl_tsne_embed", tsne_, m_tsne, D, 2, OUT_MAT, EINVAL, 0, 1},
    TRAINS(udl_ae_train, ae_train_, m_ae, D),
    MAPS(udl_ae_encode, ae_encode_, m_ae, D, H),
    MAPS(udl_ae_reconstruct, ae_reconstruct_, m_ae, D, D),
    MEANS(udl_ae_cost, ae_cost_, m_ae),
    TRAINS(udl_sae_train, sae_train_, m_sae, D),
    MAPS(udl_sae_encode, sae_encode_, m_sae, D, 2),
    TRAINS(udl_deep_ae_train, deep_train_, m_deep, D),
    MAPS(udl_deep_ae_encode, deep_encode_, m_deep, D, 2),
    MAPS(udl_deep_ae_reconstruct, deep_reconstruct_, m_deep, D, D),
    MEANS(udl_deep_ae_cost, deep_cost_, m_deep),
    TRAINS(udl_rbm_train, rbm_train_, m_rbm, D),
    MAPS(udl_rbm_transform, rbm_transform_, m_rbm, D, H),
    MAPS(udl_rbm_visible_means, rbm_visible_means_, m_rbm, H, D),
    MAPS(udl_rbm_reconstruct, rbm_reconstruct_, m_rbm, D, D),
    {"udl_rbm_free_energy", rbm_free_energy_, m_rbm, D, 1, OUT_PTR, OK, 0, 0},
    MEANS(udl_rbm_reconstruction_error, rbm_error_, m_rbm),
    MEANS(udl_rbm_pseudo_likelihood, rbm_pll_, m_rbm),
    MEANS(udl_rbm_log_likelihood, rbm_ll_, m_rbm),
    TRAINS(udl_dbn_train, dbn_train_, m_dbn, D),
    MAPS(udl_dbn_transform, dbn_transform_, m_dbn, D, 2),
    MAPS(udl_dbn_reconstruct, dbn_reconstruct_, m_dbn, D, D),
    TRAINS(udl_dnn_train, dnn_train_, m_dnn, D),
    TRAINS(udl_dnn_pretrain, dnn_pretrain_, m_dnn, D),
    TRAINS(udl_adversarial_train, adv_train_, m_dnn, D),
    MAPS(udl_dnn_predict, dnn_predict_, m_dnn, D, 1),
    MAPS(udl_dnn_predict_proba, dnn_proba_, m_dnn, D, K),
    MAPS(udl_dnn_hidden, dnn_hidden_, m_dnn, D, H),
    {"udl_dnn_evaluate", dnn_evaluate_, m_dnn, D, 0, OUT_NONE, EINVAL, 0, 0},
    {"udl_dnn_input_gradient", dnn_input_gradient_, m_dnn, D, D, OUT_MAT, EINVAL, 0, 0},
    MAPS(udl_dnn_unit_gradient, dnn_unit_gradient_, m_dnn, D, D),
    {"udl_attack", attack_, m_dnn, D, D, OUT_MAT, EINVAL, 0, 0},
    MAPS(udl_model_encode, model_encode_, m_pca_model, D, 2),
    MAPS(udl_model_encode, model_encode_, m_ae_model, D, H),
    MAPS(udl_model_encode, model_encode_, m_sae_model, D, 2),
    MAPS(udl_model_encode, model_encode_, m_deep_model, D, 2),
    MAPS(udl_model_encode, model_encode_, m_rbm_model, D, H),
    MAPS(udl_model_encode, model_encode_, m_dbn_model, D, 2),
    MAPS(udl_model_encode, model_encode_, m_dnn_model, D, H),
    MAPS(udl_model_reconstruct, model_reconstruct_, m_pca_model, D, D),
    MAPS(udl_model_reconstruct, model_reconstruct_, m_ae_model, D, D),
    MAPS(udl_model_reconstruct, model_reconstruct_, m_deep_model, D, D),
    MAPS(udl_model_reconstruct, model_reconstruct_, m_rbm_model, D, D),
    MAPS(udl_model_reconstruct, model_reconstruct_, m_dbn_model, D, D),
    MAPS(udl_model_predict, model_predict_, m_dnn_model, D, K),
};
#define N_MAPS (sizeof maps / sizeof maps[0])

typedef enum defect {
    MODEL_NULL, X_NULL, X_LD, X_COLS, X_ZERO_COLS, X_NAN, X_INF, X_NINF,
    OUT_NULL, OUT_ROWS, OUT_COLS, OUT_LD, ZERO_ROWS, STRIDED, N_DEFECTS
} defect;

static const struct {
    const char *name;
    udl_status status; /* ZERO_ROWS: the map's own */
    const char *word;
} defects[N_DEFECTS] = {
    [MODEL_NULL] = {"the model (or params) NULL", EINVAL, NULL},
    [X_NULL] = {"X's data NULL", EINVAL, "NULL"},
    [X_LD] = {"X's ld below its columns", EINVAL, "leading dimension"},
    [X_COLS] = {"X with a column too many", ESHAPE, NULL},
    [X_ZERO_COLS] = {"X with no columns", ESHAPE, NULL},
    [X_NAN] = {"NaN in X", EINVAL, "nan"},
    [X_INF] = {"+Inf in X", EINVAL, "inf"},
    [X_NINF] = {"-Inf in X", EINVAL, "-inf"},
    [OUT_NULL] = {"the output NULL", EINVAL, NULL},
    [OUT_ROWS] = {"the output a row short", ESHAPE, NULL},
    [OUT_COLS] = {"the output a column too many", ESHAPE, NULL},
    [OUT_LD] = {"the output's ld below its columns", EINVAL, "leading dimension"},
    [ZERO_ROWS] = {"X with no rows", OK, NULL},
    [STRIDED] = {"strided views, the same result as dense", OK, NULL},
};

static int applies(const map_def *m, defect d)
{
    switch (d) {
    case OUT_NULL:
        return m->out != OUT_NONE;
    case OUT_ROWS:
    case OUT_COLS:
    case OUT_LD:
        return m->out == OUT_MAT;
    case STRIDED:
        return !m->mutates && m->out != OUT_NONE;
    case X_COLS:
        return !m->any_cols;
    default:
        return 1;
    }
}

typedef struct map_case {
    const map_def *map;
    defect defect;
} map_case;

/* X (N x in) and its output in dense and in strided views holding the same values; the
 * two results must agree to rounding. */
static udl_status run_strided(const map_def *m)
{
    size_t in = m->in_cols, out = m->out_cols;
    udl_mat x = mat(N, in), y = mat(N, out), xs = mat_ld(N, in, in + 3), ys = mat_ld(N, out, out + 2);
    for (size_t i = 0; i < N; i++)
        memcpy(xs.data + i * xs.ld, x.data + i * in, in * sizeof(double));
    udl_status s = m->call(m->model(), x, y);
    if (s || (s = m->call(m->model(), xs, ys)))
        return s;
    size_t rows = m->out == OUT_PTR ? 1 : N;
    for (size_t i = 0; i < rows; i++)
        for (size_t j = 0; j < (m->out == OUT_PTR ? N : out); j++) {
            double a = y.data[i * out + j], b = m->out == OUT_PTR ? ys.data[j] : ys.data[i * ys.ld + j];
            if (!(fabs(a - b) <= 1e-12 * (1 + fabs(a))))
                return is(0, "the strided result equal to the dense one");
        }
    return UDL_OK;
}

static udl_status run_map(const void *arg)
{
    const map_case *c = arg;
    const map_def *m = c->map;
    size_t in = m->in_cols, out = m->out == OUT_MAT ? m->out_cols : 1;
    const void *model = m->model();
    udl_mat x = mat(N, in), y = mat(N, out);
    switch (c->defect) {
    case MODEL_NULL: model = NULL; break;
    case X_NULL: x.data = NULL; break;
    case X_LD: x.ld = in - 1; break;
    case X_COLS: x = mat(N, in + 1); break;
    case X_ZERO_COLS: x = mat(N, 0); break;
    case X_NAN: with(x, N / 2, in - 1, NAN); break;
    case X_INF: with(x, N / 2, 0, INFINITY); break;
    case X_NINF: with(x, N - 1, in - 1, -INFINITY); break;
    case OUT_NULL: y.data = NULL; break;
    case OUT_ROWS: y.rows = N - 1; break;
    case OUT_COLS: y = mat(N, out + 1); break;
    case OUT_LD: y.ld = out - 1; break;
    case ZERO_ROWS: x.rows = y.rows = 0; break;
    case STRIDED: return run_strided(m);
    case N_DEFECTS: break;
    }
    return m->call(model, x, y);
}

/* ---- generated cases: every typed save and load ------------------------------------- */

typedef struct file_api {
    const char *save_name, *load_name;
    udl_kind kind;
    udl_status (*save)(const void *model, const char *path);
    udl_status (*load)(const char *path, int null_out);
    const void *(*model)(void);
} file_api;

#define FILE_API(prefix, type)                                                                \
    static udl_status save_##prefix(const void *m, const char *path)                          \
    {                                                                                         \
        return udl_##prefix##_save(m, path);                                                  \
    }                                                                                         \
    static udl_status load_##prefix(const char *path, int null_out)                           \
    {                                                                                         \
        type *o = NULL;                                                                       \
        udl_status s = udl_##prefix##_load(path, null_out ? NULL : &o);                       \
        udl_##prefix##_free(o);                                                               \
        return s;                                                                             \
    }
FILE_API(pca, udl_pca)
FILE_API(ae, udl_ae)
FILE_API(sae, udl_sae)
FILE_API(deep_ae, udl_deep_ae)
FILE_API(rbm, udl_rbm)
FILE_API(dbn, udl_dbn)
FILE_API(dnn, udl_dnn)

static const file_api file_apis[] = {
    {"udl_pca_save", "udl_pca_load", UDL_KIND_PCA, save_pca, load_pca, m_pca},
    {"udl_ae_save", "udl_ae_load", UDL_KIND_AUTOENCODER, save_ae, load_ae, m_ae},
    {"udl_sae_save", "udl_sae_load", UDL_KIND_STACKED_AUTOENCODER, save_sae, load_sae, m_sae},
    {"udl_deep_ae_save", "udl_deep_ae_load", UDL_KIND_DEEP_AUTOENCODER, save_deep_ae,
     load_deep_ae, m_deep},
    {"udl_rbm_save", "udl_rbm_load", UDL_KIND_RBM, save_rbm, load_rbm, m_rbm},
    {"udl_dbn_save", "udl_dbn_load", UDL_KIND_DBN, save_dbn, load_dbn, m_dbn},
    {"udl_dnn_save", "udl_dnn_load", UDL_KIND_DNN, save_dnn, load_dnn, m_dnn},
};
#define N_FILE_APIS (sizeof file_apis / sizeof file_apis[0])

typedef enum file_defect {
    SAVE_MODEL_NULL, SAVE_PATH_NULL, SAVE_UNWRITABLE, LOAD_PATH_NULL, LOAD_OUT_NULL,
    LOAD_MISSING, LOAD_OTHER_KIND, LOAD_NOT_A_MODEL, N_FILE_DEFECTS
} file_defect;

static const struct {
    const char *name;
    udl_status status;
    int is_save;
} file_defects[N_FILE_DEFECTS] = {
    [SAVE_MODEL_NULL] = {"the model NULL", EINVAL, 1},
    [SAVE_PATH_NULL] = {"the path NULL", EINVAL, 1},
    [SAVE_UNWRITABLE] = {"a path in a missing directory", EIO, 1},
    [LOAD_PATH_NULL] = {"the path NULL", EINVAL, 0},
    [LOAD_OUT_NULL] = {"out NULL", EINVAL, 0},
    [LOAD_MISSING] = {"a missing file", EIO, 0},
    [LOAD_OTHER_KIND] = {"a model file of another kind", EKIND, 0},
    [LOAD_NOT_A_MODEL] = {"a .npy data file", UDL_EFORMAT, 0},
};

typedef struct file_case {
    const file_api *api;
    file_defect defect;
} file_case;

static udl_status run_file(const void *arg)
{
    const file_case *c = arg;
    const file_api *a = c->api;
    char other[16];
    snprintf(other, sizeof other, "%d.udl", a->kind % UDL_KIND_COUNT + 1);
    switch (c->defect) {
    case SAVE_MODEL_NULL: return a->save(NULL, fixture_path("x.udl"));
    case SAVE_PATH_NULL: return a->save(a->model(), NULL);
    case SAVE_UNWRITABLE: return a->save(a->model(), missing_path());
    case LOAD_PATH_NULL: return a->load(NULL, 0);
    case LOAD_OUT_NULL: return a->load(fixture_path(other) /* any file */, 1);
    case LOAD_MISSING: return a->load(missing_path(), 0);
    case LOAD_OTHER_KIND: return a->load(fixture_path(other), 0);
    case LOAD_NOT_A_MODEL: return a->load(fixture_path("data.npy"), 0);
    case N_FILE_DEFECTS: break;
    }
    return UDL_OK;
}

/* ---- generated cases: every field of udl_train_params past its bound, through every
 * call that takes one (each model's create and set_params, pretraining, the handle) ---- */

typedef struct train_defect {
    const char *name, *word;
    void (*set)(udl_train_params *t);
} train_defect;

#define TRAIN_DEFECT(id, word, assign)                                                        \
    static void set_##id(udl_train_params *t) { t->assign; }
#define TRAIN_DEFECTS(X)                                                                      \
    X(epochs_0, "epochs", epochs = 0)                                                         \
    X(batch_size_0, "batch_size", batch_size = 0)                                             \
    X(batch_size_past_2_20, "batch_size", batch_size = ((size_t)1 << 20) + 1)                 \
    X(learning_rate_0, "learning_rate", sgd.learning_rate = 0)                                \
    X(learning_rate_nan, "learning_rate", sgd.learning_rate = NAN)                            \
    X(learning_rate_inf, "learning_rate", sgd.learning_rate = INFINITY)                       \
    X(momentum_1, "momentum", sgd.momentum = 1)                                               \
    X(momentum_below_0, "momentum", sgd.momentum = just_below_0)                              \
    X(weight_decay_below_0, "weight_decay", sgd.weight_decay = just_below_0)                  \
    X(weight_decay_nan, "weight_decay", sgd.weight_decay = NAN)                               \
    X(nesterov_2, "nesterov", sgd.nesterov = 2)                                               \
    X(warmup_momentum_1, "warmup_momentum", warmup_momentum = 1)                              \
    X(warmup_momentum_below_0, "warmup_momentum", warmup_momentum = just_below_0)             \
    X(decay_3, "decay", decay = (udl_decay)3)                                                 \
    X(decay_rate_0, "decay_rate", decay_rate = 0)                                             \
    X(decay_rate_above_1, "decay_rate", decay_rate = JUST_ABOVE_1)                            \
    X(decay_every_0, "decay_every", decay_every = (t->decay = UDL_DECAY_STEP, 0))
TRAIN_DEFECTS(TRAIN_DEFECT)
#define TRAIN_DEFECT_ROW(id, word, assign) {#id, word, set_##id},
static const train_defect train_defects[] = {TRAIN_DEFECTS(TRAIN_DEFECT_ROW)};
#define N_TRAIN_DEFECTS (sizeof train_defects / sizeof train_defects[0])

typedef struct train_user {
    const char *function;
    udl_status (*call)(const udl_train_params *t);
} train_user;

static udl_status tu_check(const udl_train_params *t) { return udl_train_params_check(t); }
static udl_status tu_ae_create(const udl_train_params *t) { return ae_create(AEP(train = *t)); }
static udl_status tu_ae_set(const udl_train_params *t)
{
    P.ae = udl_ae_get_params(F.ae);
    P.ae.train = *t;
    return udl_ae_set_params(F.ae, &P.ae);
}
static udl_status tu_sae_create(const udl_train_params *t)
{
    return sae_create(AEP(train = *t), sizes_3, 3);
}
static udl_status tu_deep_create(const udl_train_params *t)
{
    return deep_create(F.sae, DEEPP(train = *t));
}
static udl_status tu_deep_from_dbn(const udl_train_params *t)
{
    return deep_create_from_dbn(F.dbn, DEEPP(train = *t));
}
static udl_status tu_deep_set(const udl_train_params *t)
{
    P.deep = udl_deep_ae_get_params(F.deep);
    P.deep.train = *t;
    return udl_deep_ae_set_params(F.deep, &P.deep);
}
static udl_status tu_rbm_create(const udl_train_params *t) { return rbm_create(RBMP(train = *t)); }
static udl_status tu_rbm_set(const udl_train_params *t)
{
    P.rbm = udl_rbm_get_params(F.rbm);
    P.rbm.train = *t;
    return udl_rbm_set_params(F.rbm, &P.rbm);
}
static udl_status tu_dbn_create(const udl_train_params *t)
{
    return dbn_create(RBMP(train = *t), sizes_3, 3);
}
static udl_status tu_dnn_create(const udl_train_params *t)
{
    return dnn_create(DNNP(train = *t), sizes_3, 3);
}
static udl_status tu_dnn_set(const udl_train_params *t)
{
    P.dnn = udl_dnn_get_params(F.dnn);
    P.dnn.train = *t;
    return udl_dnn_set_params(F.dnn, &P.dnn);
}
static udl_status tu_pretrain(const udl_train_params *t)
{
    return udl_dnn_pretrain(F.dnn, PREP(UDL_PRETRAIN_RBM, train = *t), mat(N, D), NULL, NULL);
}
static udl_status tu_model_set(const udl_train_params *t)
{
    for (int k = UDL_KIND_AUTOENCODER; k <= UDL_KIND_DNN; k++) {
        udl_status s = udl_model_set_train_params(W((udl_kind)k), t);
        if (s != UDL_EINVAL)
            return s;
    }
    return UDL_EINVAL;
}
static const train_user train_users[] = {
    {"udl_train_params_check", tu_check},
    {"udl_ae_create", tu_ae_create},
    {"udl_ae_set_params", tu_ae_set},
    {"udl_sae_create", tu_sae_create},
    {"udl_deep_ae_create", tu_deep_create},
    {"udl_deep_ae_create_from_dbn", tu_deep_from_dbn},
    {"udl_deep_ae_set_params", tu_deep_set},
    {"udl_rbm_create", tu_rbm_create},
    {"udl_rbm_set_params", tu_rbm_set},
    {"udl_dbn_create", tu_dbn_create},
    {"udl_dnn_create", tu_dnn_create},
    {"udl_dnn_set_params", tu_dnn_set},
    {"udl_dnn_pretrain", tu_pretrain},
    {"udl_model_set_train_params", tu_model_set},
};
#define N_TRAIN_USERS (sizeof train_users / sizeof train_users[0])

typedef struct train_case {
    const train_user *user;
    const train_defect *defect;
} train_case;

static udl_status run_train(const void *arg)
{
    const train_case *c = arg;
    udl_train_params t = train_small();
    c->defect->set(&t);
    return c->user->call(&t);
}

/* The optimizer's own fields through its check and its step. */
static const struct {
    const char *name, *word;
    udl_sgd_params p;
} sgd_defects[] = {
    {"learning_rate_0", "learning_rate", {0, 0.9, 0, 0}},
    {"learning_rate_inf", "learning_rate", {INFINITY, 0.9, 0, 0}},
    {"momentum_1", "momentum", {0.1, 1, 0, 0}},
    {"momentum_nan", "momentum", {0.1, NAN, 0, 0}},
    {"weight_decay_below_0", "weight_decay", {0.1, 0.9, -1e-300, 0}},
    {"nesterov_2", "nesterov", {0.1, 0.9, 0, 2}},
};
#define N_SGD_DEFECTS (sizeof sgd_defects / sizeof sgd_defects[0])

static udl_status run_sgd_check(const void *arg) { return udl_sgd_params_check(arg); }
static udl_status run_sgd_step(const void *arg)
{
    double param[2] = {1, 2}, velocity[2] = {0, 0}, grad[2] = {0.5, 0.5};
    return udl_sgd_step(arg, param, velocity, grad, 2, 1);
}

/* ---- the fixtures ------------------------------------------------------------------- */

static void check(udl_status s, const char *what)
{
    if (s)
        fail_msg("setting up %s: %s: %s", what, udl_status_str(s), udl_last_error());
}

#define N_SNAPSHOTS (UDL_KIND_COUNT + 1) /* every wrapped kind, and the loaded classifier */

static udl_model *snapshot_model(size_t i) { return i < UDL_KIND_COUNT ? F.wrapped[i + 1] : F.loaded; }

/* The model's saved bytes (malloc'd), or NULL when it cannot be saved. */
static unsigned char *saved_bytes(const udl_model *m, size_t *size)
{
    const char *path = fixture_path("snapshot.udl");
    if (udl_model_save(m, path))
        return NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *bytes = malloc(n > 0 ? (size_t)n : 1);
    *size = n > 0 && fread(bytes, 1, (size_t)n, f) == (size_t)n ? (size_t)n : 0;
    fclose(f);
    return bytes;
}

/* The first model whose saved bytes differ from those saved at setup, or NULL. */
static const char *changed_model(void)
{
    const char *err = udl_last_error();
    char sentence[1024];
    snprintf(sentence, sizeof sentence, "%s", err);
    const char *changed = NULL;
    for (size_t i = 0; i < N_SNAPSHOTS && !changed; i++) {
        size_t size = 0;
        unsigned char *bytes = saved_bytes(snapshot_model(i), &size);
        if (!bytes || size != F.reference_size[i] || memcmp(bytes, F.reference[i], size) != 0)
            changed = udl_model_kind_name(snapshot_model(i));
        free(bytes);
    }
    if (strcmp(udl_last_error(), sentence) != 0)
        fail_msg("saving the fixtures changed the error sentence");
    return changed;
}

static int make_dir(void)
{
    const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : getenv("UDL_TEST_TMPDIR");
    snprintf(F.dir, sizeof F.dir, "%s/udl-invalid-%ld", base && *base ? base : "/tmp",
             (long)getpid());
    return mkdir(F.dir, 0700);
}

static int setup(void **state)
{
    (void)state;
    assert_int_equal(make_dir(), 0);
    for (size_t i = 0; i < 34; i++)
        sizes_34[i] = 2;
    for (size_t i = 0; i < 35; i++)
        sizes_35[i] = 2;
    udl_mat x = mat(N, D), y = labels(N);
    check(udl_pca_create(PCAP(n_components = 2), &F.pca), "pca");
    check(udl_pca_fit(F.pca, x, NULL, NULL), "pca fit");
    check(udl_pca_create(PCAP(n_components = 2), &F.pca_unfitted), "pca");
    check(udl_ae_create(AEP(linear = 0), &F.ae), "ae");
    check(udl_ae_train(F.ae, x, NULL, NULL), "ae train");
    check(udl_sae_create(AEP(linear = 0), (size_t[]){D, H, 2}, 3, &F.sae), "sae");
    check(udl_sae_train(F.sae, x, NULL, NULL), "sae train");
    check(udl_deep_ae_create(F.sae, DEEPP(linear_code = 1), &F.deep), "deep ae");
    check(udl_deep_ae_train(F.deep, x, NULL, NULL), "deep ae train");
    check(udl_rbm_create(RBMP(k = 1), &F.rbm), "rbm");
    check(udl_rbm_train(F.rbm, x, NULL, NULL), "rbm train");
    check(udl_rbm_create(RBMP(visible = UDL_UNITS_GAUSSIAN), &F.rbm_gaussian), "gaussian rbm");
    check(udl_dbn_create(RBMP(k = 1), (size_t[]){D, H, 2}, 3, &F.dbn), "dbn");
    check(udl_dbn_train(F.dbn, x, NULL, NULL), "dbn train");
    check(udl_dnn_create(DNNP(patience = 0), sizes_3, 3, &F.dnn), "dnn");
    check(udl_dnn_train(F.dnn, x, y, NULL, NULL, NULL, NULL), "dnn train");
    const void *objects[] = {NULL, F.pca, F.ae, F.sae, F.deep, F.rbm, F.dbn, F.dnn};
    for (int k = 1; k <= UDL_KIND_COUNT; k++) {
        char name[32];
        check(udl_model_wrap((udl_kind)k, (void *)objects[k], &F.wrapped[k]), "wrap");
        snprintf(name, sizeof name, "%d.udl", k);
        check(udl_model_save(F.wrapped[k], fixture_path(name)), "save");
    }
    check(udl_model_load(fixture_path("7.udl"), &F.loaded), "load");
    check(udl_npy_write(fixture_path("data.npy"), x), "npy");
    for (size_t i = 0; i < N_SNAPSHOTS; i++) {
        F.reference[i] = saved_bytes(snapshot_model(i), &F.reference_size[i]);
        assert_non_null(F.reference[i]);
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    udl_pca_free(F.pca);
    udl_pca_free(F.pca_unfitted);
    udl_ae_free(F.ae);
    udl_sae_free(F.sae);
    udl_deep_ae_free(F.deep);
    udl_rbm_free(F.rbm);
    udl_rbm_free(F.rbm_gaussian);
    udl_dbn_free(F.dbn);
    udl_dnn_free(F.dnn);
    for (int k = 1; k <= UDL_KIND_COUNT; k++)
        udl_model_free(F.wrapped[k]);
    udl_model_free(F.loaded);
    for (size_t i = 0; i < N_SNAPSHOTS; i++)
        free(F.reference[i]);
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", F.dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* ---- running the table -------------------------------------------------------------- */

static int contains_word(const char *text, const char *word)
{
    size_t n = strlen(word);
    for (; *text; text++)
        if (strncasecmp(text, word, n) == 0)
            return 1;
    return 0;
}

/* Runs one case; on a failure prints why and returns 0. */
static int run_case(const inval_case *c)
{
    static const char stale[] = "stale-sentence-from-before-the-case";
    arena_used = 0;
    F.wrong = NULL;
    udl_kind k;
    udl_kind_from_name(stale, &k);
    char before[1024];
    snprintf(before, sizeof before, "%s", udl_last_error());
    udl_status s = c->run(c->arg);
    const char *e = udl_last_error(), *why = NULL;
    char buf[1400];
    if (s == WRONG_VALUE) {
        snprintf(buf, sizeof buf, "gave a wrong value, expected %s", F.wrong);
        why = buf;
    } else if (s != c->expected) {
        snprintf(buf, sizeof buf, "returned %s, expected %s (sentence: \"%s\")",
                 udl_status_str(s), udl_status_str(c->expected), e);
        why = buf;
    } else if (c->expected != UDL_OK && (!*e || strcmp(e, before) == 0)) {
        why = "left no new sentence in udl_last_error()";
    } else if (c->expected != UDL_OK && c->word && !contains_word(e, c->word)) {
        snprintf(buf, sizeof buf, "sentence \"%s\" does not say \"%s\"", e, c->word);
        why = buf;
    } else if (c->expected == UDL_OK && strcmp(e, before) != 0) {
        snprintf(buf, sizeof buf, "succeeded but changed the sentence to \"%s\"", e);
        why = buf;
    } else {
        const char *changed = changed_model();
        if (changed) {
            snprintf(buf, sizeof buf, "changed the %s's saved bytes", changed);
            why = buf;
        }
    }
    if (why)
        print_message("FAILED %s: %s: %s\n", c->function, c->name, why);
    return why == NULL;
}

typedef struct table {
    inval_case *cases;
    size_t n;
    map_case map_cases[N_MAPS * N_DEFECTS];
    train_case train_cases[N_TRAIN_USERS * N_TRAIN_DEFECTS];
    file_case file_cases[N_FILE_APIS * N_FILE_DEFECTS];
    char names[N_MAPS * N_DEFECTS + N_TRAIN_USERS * N_TRAIN_DEFECTS][96];
} table;

/* The explicit cases followed by the generated ones. */
static table *build_table(void)
{
    size_t n_explicit = sizeof explicit_cases / sizeof explicit_cases[0];
    size_t most = n_explicit + N_MAPS * N_DEFECTS + N_TRAIN_USERS * N_TRAIN_DEFECTS +
                  N_FILE_APIS * N_FILE_DEFECTS + 2 * N_SGD_DEFECTS;
    table *t = calloc(1, sizeof *t);
    t->cases = calloc(most, sizeof *t->cases);
    memcpy(t->cases, explicit_cases, sizeof explicit_cases);
    t->n = n_explicit;
    size_t g = 0;
    for (size_t i = 0; i < N_MAPS; i++)
        for (int d = 0; d < N_DEFECTS; d++) {
            if (!applies(&maps[i], (defect)d))
                continue;
            map_case *mc = &t->map_cases[i * N_DEFECTS + (size_t)d];
            mc->map = &maps[i];
            mc->defect = (defect)d;
            snprintf(t->names[g], sizeof t->names[g], "%s", defects[d].name);
            udl_status st = d == ZERO_ROWS ? maps[i].zero_rows
                            : d == X_ZERO_COLS && maps[i].any_cols ? UDL_EINVAL
                                                                   : defects[d].status;
            t->cases[t->n++] = (inval_case){maps[i].function, t->names[g++], run_map, mc, st,
                                            st == UDL_OK ? NULL : defects[d].word};
        }
    for (size_t u = 0; u < N_TRAIN_USERS; u++)
        for (size_t d = 0; d < N_TRAIN_DEFECTS; d++) {
            train_case *tc = &t->train_cases[u * N_TRAIN_DEFECTS + d];
            tc->user = &train_users[u];
            tc->defect = &train_defects[d];
            snprintf(t->names[g], sizeof t->names[g], "train.%s", train_defects[d].name);
            t->cases[t->n++] = (inval_case){train_users[u].function, t->names[g++], run_train, tc,
                                            UDL_EINVAL, train_defects[d].word};
        }
    for (size_t i = 0; i < N_FILE_APIS; i++)
        for (int d = 0; d < N_FILE_DEFECTS; d++) {
            file_case *fc = &t->file_cases[i * N_FILE_DEFECTS + (size_t)d];
            fc->api = &file_apis[i];
            fc->defect = (file_defect)d;
            t->cases[t->n++] = (inval_case){
                file_defects[d].is_save ? file_apis[i].save_name : file_apis[i].load_name,
                file_defects[d].name, run_file, fc, file_defects[d].status, NULL};
        }
    for (size_t d = 0; d < N_SGD_DEFECTS; d++) {
        t->cases[t->n++] = (inval_case){"udl_sgd_params_check", sgd_defects[d].name,
                                        run_sgd_check, &sgd_defects[d].p, UDL_EINVAL,
                                        sgd_defects[d].word};
        t->cases[t->n++] = (inval_case){"udl_sgd_step", sgd_defects[d].name, run_sgd_step,
                                        &sgd_defects[d].p, UDL_EINVAL, sgd_defects[d].word};
    }
    return t;
}

static size_t count_functions(const table *t)
{
    size_t n = 0;
    for (size_t i = 0; i < t->n; i++) {
        size_t j = 0;
        while (j < i && strcmp(t->cases[j].function, t->cases[i].function) != 0)
            j++;
        n += j == i;
    }
    return n;
}

static int covered(const table *t, const char *function)
{
    for (size_t i = 0; i < t->n; i++)
        if (strcmp(t->cases[i].function, function) == 0)
            return 1;
    return 0;
}

/* Every function a public header declares (the name before the '(' that follows
 * UDL_API) must have a case; a new function without one fails here. */
static size_t uncovered_functions(const table *t)
{
    static const char *headers[] = {"adversarial.h", "autoencoder.h", "dnn.h", "featviz.h",
                                    "io.h", "loss.h", "matrix.h", "model.h", "optim.h",
                                    "pca.h", "rbm.h", "status.h", "tsne.h", "version.h.in"};
    size_t missing = 0, declared = 0;
    for (size_t h = 0; h < sizeof headers / sizeof headers[0]; h++) {
        char path[1024], line[1024];
        snprintf(path, sizeof path, "%s/%s", UDL_PUBLIC_HEADERS, headers[h]);
        FILE *f = fopen(path, "r");
        assert_non_null(f);
        while (fgets(line, sizeof line, f)) {
            char *api = strstr(line, "UDL_API ");
            char *paren = api ? strchr(api, '(') : NULL;
            if (!paren || strncmp(line, "#", 1) == 0)
                continue;
            char *end = paren, *start = paren;
            while (start > api && (start[-1] == '_' || (start[-1] >= 'a' && start[-1] <= 'z') ||
                                   (start[-1] >= '0' && start[-1] <= '9')))
                start--;
            char name[128];
            snprintf(name, sizeof name, "%.*s", (int)(end - start), start);
            declared++;
            if (!covered(t, name)) {
                print_message("no case for %s (%s)\n", name, headers[h]);
                missing++;
            }
        }
        fclose(f);
    }
    assert_true(declared > 100);
    return missing;
}

static void test_every_bad_argument_gets_its_status_a_sentence_and_no_change(void **state)
{
    (void)state;
    table *t = build_table();
    size_t failed = 0;
    for (size_t i = 0; i < t->n; i++)
        failed += !run_case(&t->cases[i]);
    size_t functions = count_functions(t), missing = uncovered_functions(t);
    print_message("%zu invalid-argument cases over %zu public functions; %zu failed, "
                  "%zu functions without a case\n", t->n, functions, failed, missing);
    free(t->cases);
    free(t);
    if (failed || missing)
        fail_msg("%zu of the cases failed, %zu functions have none", failed, missing);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_bad_argument_gets_its_status_a_sentence_and_no_change),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
