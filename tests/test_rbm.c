#include "helpers.h"

#include <udl/autoencoder.h>
#include <udl/rbm.h>

#include "core/net.h"
#include "core/model.h"
#include "rbm/internal.h"

enum { V = 10, H = 6 };

static udl_rbm *small_rbm(udl_units visible, udl_units hidden, uint64_t seed, double scale)
{
    udl_rbm_params p = udl_rbm_params_default();
    p.n_visible = V;
    p.n_hidden = H;
    p.visible = visible;
    p.hidden = hidden;
    p.train.seed = seed;
    udl_rbm *rbm;
    assert_int_equal(udl_rbm_create(&p, &rbm), UDL_OK);
    udli_rng r;
    udli_rng_seed(&r, seed + 100);
    double *w = (double *)udl_rbm_weights(rbm), *b = (double *)udl_rbm_visible_bias(rbm),
           *c = (double *)udl_rbm_hidden_bias(rbm);
    for (size_t i = 0; i < V * H; i++)
        w[i] = scale * udli_rng_normal(&r);
    for (size_t i = 0; i < V; i++)
        b[i] = 0.5 * udli_rng_normal(&r);
    for (size_t j = 0; j < H; j++)
        c[j] = 0.5 * udli_rng_normal(&r);
    return rbm;
}

/* E(v, h) with Bernoulli hidden units and either kind of visible unit. */
static double energy(const udl_rbm *rbm, const double *v, const double *h, int gaussian)
{
    const double *w = udl_rbm_weights(rbm), *b = udl_rbm_visible_bias(rbm),
                 *c = udl_rbm_hidden_bias(rbm);
    double e = 0.0;
    for (size_t i = 0; i < V; i++)
        e += gaussian ? 0.5 * (v[i] - b[i]) * (v[i] - b[i]) : -b[i] * v[i];
    for (size_t j = 0; j < H; j++) {
        e -= c[j] * h[j];
        for (size_t i = 0; i < V; i++)
            e -= v[i] * w[i * H + j] * h[j];
    }
    return e;
}

static void bits(unsigned code, size_t n, double *out)
{
    for (size_t i = 0; i < n; i++)
        out[i] = (double)((code >> i) & 1u);
}

/* log sum_h exp(-E(v, h)) over all 2^H hidden states. */
static double brute_neg_free_energy(const udl_rbm *rbm, const double *v, int gaussian)
{
    double terms[1 << H], top = -INFINITY, sum = 0.0, h[H];
    for (unsigned code = 0; code < (1u << H); code++) {
        bits(code, H, h);
        terms[code] = -energy(rbm, v, h, gaussian);
        top = fmax(top, terms[code]);
    }
    for (unsigned code = 0; code < (1u << H); code++)
        sum += exp(terms[code] - top);
    return top + log(sum);
}

/* log Z by enumerating every binary visible vector. */
static double exact_log_z(const udl_rbm *rbm)
{
    double f[1 << V], v[(1 << V) * V];
    for (unsigned code = 0; code < (1u << V); code++)
        bits(code, V, v + code * V);
    assert_int_equal(udl_rbm_free_energy(rbm, udl_mat_view(v, 1 << V, V), f), UDL_OK);
    double top = -INFINITY, sum = 0.0;
    for (size_t i = 0; i < (1u << V); i++)
        top = fmax(top, -f[i]);
    for (size_t i = 0; i < (1u << V); i++)
        sum += exp(-f[i] - top);
    return top + log(sum);
}

static void test_free_energy_is_minus_log_sum_over_hidden_states(void **state)
{
    (void)state;
    for (int gaussian = 0; gaussian < 2; gaussian++) {
        udl_rbm *rbm = small_rbm(gaussian ? UDL_UNITS_GAUSSIAN : UDL_UNITS_BERNOULLI,
                                 UDL_UNITS_BERNOULLI, 3 + gaussian, 0.8);
        udli_rng r;
        udli_rng_seed(&r, 9);
        double v[5 * V], f[5];
        for (size_t i = 0; i < 5 * V; i++)
            v[i] = gaussian ? 2.0 * udli_rng_normal(&r) : (double)(udli_rng_uniform(&r) < 0.5);
        assert_int_equal(udl_rbm_free_energy(rbm, udl_mat_view(v, 5, V), f), UDL_OK);
        for (size_t i = 0; i < 5; i++)
            assert_close(-f[i], brute_neg_free_energy(rbm, v + i * V, gaussian), 1e-10);
        udl_rbm_free(rbm);
    }
    /* Gaussian hidden units: -F = b'v + sum_j log integral exp(-(h - c)^2 / 2 + h v'W_j) dh,
     * checked by summing the integrand on a fine grid */
    udl_rbm *rbm = small_rbm(UDL_UNITS_BERNOULLI, UDL_UNITS_GAUSSIAN, 5, 0.5);
    double v[V], f;
    bits(0x2b5, V, v);
    assert_int_equal(udl_rbm_free_energy(rbm, udl_mat_view(v, 1, V), &f), UDL_OK);
    const double *w = udl_rbm_weights(rbm), *b = udl_rbm_visible_bias(rbm),
                 *c = udl_rbm_hidden_bias(rbm);
    double neg_f = 0.0;
    for (size_t i = 0; i < V; i++)
        neg_f += b[i] * v[i];
    for (size_t j = 0; j < H; j++) {
        double vw = 0.0, sum = 0.0, dh = 1e-3;
        for (size_t i = 0; i < V; i++)
            vw += v[i] * w[i * H + j];
        for (double hj = -40.0; hj <= 40.0; hj += dh)
            sum += exp(-(hj - c[j]) * (hj - c[j]) / 2 + hj * vw) * dh;
        neg_f += log(sum);
    }
    assert_close(-f, neg_f, 1e-8);
    udl_rbm_free(rbm);
}

static void test_conditionals_equal_brute_force_marginals(void **state)
{
    (void)state;
    udl_rbm *rbm = small_rbm(UDL_UNITS_BERNOULLI, UDL_UNITS_BERNOULLI, 7, 0.8);
    double v[V], hp[H], h[H];
    bits(0x1a3, V, v);
    assert_int_equal(udl_rbm_transform(rbm, udl_mat_view(v, 1, V), udl_mat_view(hp, 1, H)),
                     UDL_OK);
    double norm = 0.0, on[H] = {0};
    for (unsigned code = 0; code < (1u << H); code++) {
        bits(code, H, h);
        double p = exp(-energy(rbm, v, h, 0));
        norm += p;
        for (size_t j = 0; j < H; j++)
            on[j] += h[j] * p;
    }
    for (size_t j = 0; j < H; j++)
        assert_close(hp[j], on[j] / norm, 1e-12);
    /* and p(v_i = 1 | h) */
    double vp[V], vv[V], von[V] = {0};
    bits(0x2d, H, h);
    assert_int_equal(udl_rbm_visible_means(rbm, udl_mat_view(h, 1, H), udl_mat_view(vp, 1, V)),
                     UDL_OK);
    norm = 0.0;
    for (unsigned code = 0; code < (1u << V); code++) {
        bits(code, V, vv);
        double p = exp(-energy(rbm, vv, h, 0));
        norm += p;
        for (size_t i = 0; i < V; i++)
            von[i] += vv[i] * p;
    }
    for (size_t i = 0; i < V; i++)
        assert_close(vp[i], von[i] / norm, 1e-12);
    udl_rbm_free(rbm);
}

static void test_gaussian_visibles_are_unit_normal_around_their_mean(void **state)
{
    (void)state;
    udl_rbm *rbm = small_rbm(UDL_UNITS_GAUSSIAN, UDL_UNITS_BERNOULLI, 11, 0.0);
    const size_t n = 20000;
    double *v = calloc(n * V, sizeof(double));
    /* with W = 0 the hidden state does not matter: v | h ~ N(b, 1) exactly */
    assert_int_equal(udl_rbm_gibbs(rbm, udl_mat_view(v, n, V), 1, 3), UDL_OK);
    const double *b = udl_rbm_visible_bias(rbm);
    for (size_t i = 0; i < V; i++) {
        double m = 0.0, s2 = 0.0;
        for (size_t r = 0; r < n; r++)
            m += v[r * V + i] / (double)n;
        for (size_t r = 0; r < n; r++)
            s2 += (v[r * V + i] - m) * (v[r * V + i] - m) / (double)(n - 1);
        assert_close(m, b[i], 5.0 / sqrt((double)n));
        assert_close(s2, 1.0, 0.05);
    }
    free(v);
    udl_rbm_free(rbm);
    /* with weights, the mean is b + W h */
    rbm = small_rbm(UDL_UNITS_GAUSSIAN, UDL_UNITS_BERNOULLI, 12, 0.7);
    double h[H], vm[V];
    bits(0x15, H, h);
    assert_int_equal(udl_rbm_visible_means(rbm, udl_mat_view(h, 1, H), udl_mat_view(vm, 1, V)),
                     UDL_OK);
    const double *w = udl_rbm_weights(rbm);
    b = udl_rbm_visible_bias(rbm);
    for (size_t i = 0; i < V; i++) {
        double m = b[i];
        for (size_t j = 0; j < H; j++)
            m += w[i * H + j] * h[j];
        assert_close(vm[i], m, 1e-12);
    }
    udl_rbm_free(rbm);
}

/* The CD-1 gradient for a batch is <v h>_model - <v h>_data with the model term taken at
 * one Gibbs step from the batch: redone here by hand with a twin of the generator. */
static void test_cd1_gradient_is_the_difference_of_expectations(void **state)
{
    (void)state;
    udl_rbm *rbm = small_rbm(UDL_UNITS_BERNOULLI, UDL_UNITS_BERNOULLI, 13, 0.6);
    const size_t n = 4;
    double v0[n * V];
    for (size_t r = 0; r < n; r++)
        bits((unsigned)(0x155 * (r + 1)), V, v0 + r * V);
    udli_rng twin;
    udli_rng_seed(&twin, udl_rbm_get_params(rbm).train.seed);
    /* the generator's draws: the initial weights came first */
    for (size_t i = 0; i < V * H; i++)
        udli_rng_normal(&twin);
    double loss;
    assert_int_equal(udli_rbm_gradient(rbm, udl_mat_view(v0, n, V), &loss), UDL_OK);
    const udli_net *net = udli_rbm_net(rbm);
    const double *w = udl_rbm_weights(rbm), *b = udl_rbm_visible_bias(rbm),
                 *c = udl_rbm_hidden_bias(rbm);
    double ph0[n * H], h[n * H], vk[n * V], phk[n * H];
    for (size_t r = 0; r < n; r++)
        for (size_t j = 0; j < H; j++) {
            double a = c[j];
            for (size_t i = 0; i < V; i++)
                a += v0[r * V + i] * w[i * H + j];
            ph0[r * H + j] = 1.0 / (1.0 + exp(-a));
        }
    for (size_t r = 0; r < n * H; r++)
        h[r] = (double)(udli_rng_uniform(&twin) < ph0[r]);
    for (size_t r = 0; r < n; r++)
        for (size_t i = 0; i < V; i++) {
            double a = b[i];
            for (size_t j = 0; j < H; j++)
                a += w[i * H + j] * h[r * H + j];
            vk[r * V + i] = 1.0 / (1.0 + exp(-a));
        }
    for (size_t r = 0; r < n * V; r++)
        vk[r] = (double)(udli_rng_uniform(&twin) < vk[r]);
    for (size_t r = 0; r < n; r++)
        for (size_t j = 0; j < H; j++) {
            double a = c[j];
            for (size_t i = 0; i < V; i++)
                a += vk[r * V + i] * w[i * H + j];
            phk[r * H + j] = 1.0 / (1.0 + exp(-a));
        }
    for (size_t i = 0; i < V; i++)
        for (size_t j = 0; j < H; j++) {
            double g = 0.0;
            for (size_t r = 0; r < n; r++)
                g += vk[r * V + i] * phk[r * H + j] - v0[r * V + i] * ph0[r * H + j];
            assert_close(net->gw[0][i * H + j], g / n, 1e-12);
        }
    for (size_t j = 0; j < H; j++) {
        double g = 0.0;
        for (size_t r = 0; r < n; r++)
            g += phk[r * H + j] - ph0[r * H + j];
        assert_close(net->gb[0][j], g / n, 1e-12);
    }
    for (size_t i = 0; i < V; i++) {
        double g = 0.0;
        for (size_t r = 0; r < n; r++)
            g += vk[r * V + i] - v0[r * V + i];
        assert_close(net->gb[1][i], g / n, 1e-12);
    }
    udl_rbm_free(rbm);
}

static void test_ais_log_z_agrees_with_enumeration(void **state)
{
    (void)state;
    udl_rbm *rbm = small_rbm(UDL_UNITS_BERNOULLI, UDL_UNITS_BERNOULLI, 17, 1.0);
    double exact = exact_log_z(rbm);
    udl_ais_params ap = udl_ais_params_default();
    udl_ais_result res;
    assert_int_equal(udl_rbm_log_partition(rbm, &ap, NULL, &res), UDL_OK);
    assert_true(res.log_z_lo <= exact && exact <= res.log_z_hi);
    assert_close(res.log_z, exact, 0.1);
    /* a base model from data, and a short uniform schedule: still inside its own band */
    double data[8 * V];
    for (size_t r = 0; r < 8; r++)
        bits((unsigned)(37 * r + 5), V, data + r * V);
    udl_mat base = udl_mat_view(data, 8, V);
    ap.n_betas = 2000;
    ap.seed = 4;
    assert_int_equal(udl_rbm_log_partition(rbm, &ap, &base, &res), UDL_OK);
    assert_true(res.log_z_lo <= exact && exact <= res.log_z_hi);
    /* the mean log-likelihood is -F - log Z */
    double ll, lo, hi, f[8];
    assert_int_equal(udl_rbm_log_likelihood(rbm, base, &res, &ll, &lo, &hi), UDL_OK);
    assert_int_equal(udl_rbm_free_energy(rbm, base, f), UDL_OK);
    double mf = 0.0;
    for (size_t r = 0; r < 8; r++)
        mf += f[r] / 8.0;
    assert_close(ll, -mf - res.log_z, 1e-12);
    assert_true(lo <= ll && ll <= hi);
    /* without base data the base model is uniform: log Z_A = (V + H) log 2 exactly */
    ap.n_betas = 100;
    assert_int_equal(udl_rbm_log_partition(rbm, &ap, NULL, &res), UDL_OK);
    assert_close(res.log_z_base, (V + H) * log(2.0), 1e-12);
    udl_rbm_free(rbm);
    /* Gaussian visibles anneal from N(mean, 1); Gaussian hiddens are refused */
    rbm = small_rbm(UDL_UNITS_BERNOULLI, UDL_UNITS_GAUSSIAN, 18, 0.3);
    assert_int_equal(udl_rbm_log_partition(rbm, &ap, NULL, &res), UDL_EINVAL);
    assert_non_null(strstr(udl_last_error(), "Bernoulli hidden"));
    udl_rbm_free(rbm);
}

/* A Gaussian-visible RBM's log Z: the integral over v of exp(-F(v)) is closed-form for
 * each hidden state, sum_h exp(c'h + |b + W h|^2 / 2 - |b|^2 / 2) (2 pi)^(V/2). */
static void test_ais_for_gaussian_visibles(void **state)
{
    (void)state;
    udl_rbm *rbm = small_rbm(UDL_UNITS_GAUSSIAN, UDL_UNITS_BERNOULLI, 19, 0.3);
    const double *w = udl_rbm_weights(rbm), *b = udl_rbm_visible_bias(rbm),
                 *c = udl_rbm_hidden_bias(rbm);
    double terms[1 << H], top = -INFINITY, sum = 0.0, h[H];
    for (unsigned code = 0; code < (1u << H); code++) {
        bits(code, H, h);
        double t = 0.5 * V * log(2 * 3.14159265358979323846);
        for (size_t j = 0; j < H; j++)
            t += c[j] * h[j];
        for (size_t i = 0; i < V; i++) {
            double m = b[i];
            for (size_t j = 0; j < H; j++)
                m += w[i * H + j] * h[j];
            t += 0.5 * (m * m - b[i] * b[i]);
        }
        terms[code] = t;
        top = fmax(top, t);
    }
    for (unsigned code = 0; code < (1u << H); code++)
        sum += exp(terms[code] - top);
    double exact = top + log(sum);
    udl_ais_params ap = udl_ais_params_default();
    ap.n_betas = 5000;
    udl_ais_result res;
    assert_int_equal(udl_rbm_log_partition(rbm, &ap, NULL, &res), UDL_OK);
    assert_true(res.log_z_lo <= exact && exact <= res.log_z_hi);
    assert_close(res.log_z, exact, 0.1);
    udl_rbm_free(rbm);
}

/* Three noisy prototypes in 10 bits: training must raise the exact mean log-likelihood. */
static double exact_mean_ll(const udl_rbm *rbm, udl_mat x)
{
    double log_z = exact_log_z(rbm), *f = malloc(x.rows * sizeof(double)), s = 0.0;
    assert_int_equal(udl_rbm_free_energy(rbm, x, f), UDL_OK);
    for (size_t i = 0; i < x.rows; i++)
        s += -f[i] - log_z;
    free(f);
    return s / (double)x.rows;
}

static void test_cd_and_pcd_raise_the_exact_likelihood(void **state)
{
    (void)state;
    const size_t n = 300;
    double *x = malloc(n * V * sizeof(double));
    const unsigned protos[3] = {0x3e0, 0x01f, 0x2aa};
    udli_rng r;
    udli_rng_seed(&r, 21);
    for (size_t i = 0; i < n; i++) {
        bits(protos[i % 3], V, x + i * V);
        for (size_t k = 0; k < V; k++)
            if (udli_rng_uniform(&r) < 0.05)
                x[i * V + k] = 1.0 - x[i * V + k];
    }
    udl_mat xm = udl_mat_view(x, n, V);
    const struct { udl_rbm_method method; size_t k; double lr; } runs[] = {
        {UDL_RBM_CD, 1, 0.02}, {UDL_RBM_CD, 5, 0.02}, {UDL_RBM_PCD, 1, 0.01}};
    for (size_t t = 0; t < 3; t++) {
        udl_rbm_params p = udl_rbm_params_default();
        p.n_visible = V;
        p.n_hidden = H;
        p.method = runs[t].method;
        p.k = runs[t].k;
        p.train.epochs = 30;
        p.train.batch_size = 10;
        p.train.sgd.learning_rate = runs[t].lr; /* PCD's chains fall behind above 0.02 */
        udl_rbm *rbm;
        assert_int_equal(udl_rbm_create(&p, &rbm), UDL_OK);
        double before = exact_mean_ll(rbm, xm);
        assert_int_equal(udl_rbm_train(rbm, xm, NULL, NULL), UDL_OK);
        double after = exact_mean_ll(rbm, xm);
        /* from about -10 log 2 (uniform) to well above it */
        /* from -6.9 nats (10 uniform bits) to -3 to -5; PCD's 10 chains are noisier */
        assert_true(after > before + (p.method == UDL_RBM_PCD ? 1.0 : 2.0));
        size_t epochs;
        const double *hist = udl_rbm_history(rbm, &epochs);
        assert_int_equal(epochs, 30);
        assert_true(hist[29] < hist[0]);
        udl_rbm_free(rbm);
    }
    free(x);
}

static void test_save_load_and_sampling(void **state)
{
    (void)state;
    udl_rbm *rbm = small_rbm(UDL_UNITS_BERNOULLI, UDL_UNITS_BERNOULLI, 23, 0.8);
    char path[512];
    tmp_path(path, sizeof path, "rbm.udl");
    assert_int_equal(udl_rbm_save(rbm, path), UDL_OK);
    udl_rbm *back;
    assert_int_equal(udl_rbm_load(path, &back), UDL_OK);
    assert_memory_equal(udl_rbm_weights(rbm), udl_rbm_weights(back), V * H * sizeof(double));
    assert_memory_equal(udl_rbm_visible_bias(rbm), udl_rbm_visible_bias(back),
                        V * sizeof(double));
    assert_memory_equal(udl_rbm_hidden_bias(rbm), udl_rbm_hidden_bias(back), H * sizeof(double));
    double s1[20 * V], s2[20 * V];
    assert_int_equal(udl_rbm_sample(rbm, udl_mat_view(s1, 20, V), 50, 7), UDL_OK);
    assert_int_equal(udl_rbm_sample(back, udl_mat_view(s2, 20, V), 50, 7), UDL_OK);
    assert_memory_equal(s1, s2, sizeof s1); /* same model, same seed: same fantasies */
    for (size_t i = 0; i < 20 * V; i++)
        assert_true(s1[i] > 0.0 && s1[i] < 1.0); /* the last step's means */
    double pll;
    assert_int_equal(udl_rbm_pseudo_likelihood(rbm, udl_mat_view(s1, 20, V), 1, &pll), UDL_OK);
    assert_true(pll < 0.0 && isfinite(pll));
    udl_rbm_free(back);
    udl_rbm_free(rbm);
}

static void test_bad_input_is_refused_with_a_sentence(void **state)
{
    (void)state;
    udl_rbm_params p = udl_rbm_params_default(), q;
    udl_rbm *rbm = NULL;
    p.n_visible = V;
    p.n_hidden = H;
    q = p; q.n_hidden = 0;
    assert_int_equal(udl_rbm_create(&q, &rbm), UDL_EINVAL);
    q = p; q.visible = q.hidden = UDL_UNITS_GAUSSIAN;
    assert_int_equal(udl_rbm_create(&q, &rbm), UDL_EINVAL);
    assert_non_null(strstr(udl_last_error(), "no lower bound"));
    q = p; q.k = 0;
    assert_int_equal(udl_rbm_create(&q, &rbm), UDL_EINVAL);
    assert_non_null(strstr(udl_last_error(), "k (Gibbs steps"));
    q = p; q.train.sgd.learning_rate = -1;
    assert_int_equal(udl_rbm_create(&q, &rbm), UDL_EINVAL);
    q = p; q.method = (udl_rbm_method)5;
    assert_int_equal(udl_rbm_create(&q, &rbm), UDL_EINVAL);
    assert_int_equal(udl_rbm_create(NULL, &rbm), UDL_EINVAL);
    assert_null(rbm);
    assert_int_equal(udl_rbm_create(&p, &rbm), UDL_OK);
    double x[3 * V] = {0}, h[3 * H], f[3];
    x[4] = 1.5; /* a Bernoulli unit's data must lie in [0, 1] */
    assert_int_equal(udl_rbm_train(rbm, udl_mat_view(x, 3, V), NULL, NULL), UDL_EINVAL);
    assert_non_null(strstr(udl_last_error(), "[0][4] is 1.5"));
    x[4] = NAN;
    assert_int_equal(udl_rbm_transform(rbm, udl_mat_view(x, 3, V), udl_mat_view(h, 3, H)),
                     UDL_EINVAL);
    x[4] = 0.5;
    assert_int_equal(udl_rbm_transform(rbm, udl_mat_view(x, 3, V - 1), udl_mat_view(h, 3, H)),
                     UDL_ESHAPE);
    assert_int_equal(udl_rbm_transform(rbm, udl_mat_view(x, 3, V), udl_mat_view(h, 2, H)),
                     UDL_ESHAPE);
    assert_int_equal(udl_rbm_free_energy(rbm, udl_mat_view(x, 3, V), NULL), UDL_EINVAL);
    assert_int_equal(udl_rbm_free_energy(rbm, udl_mat_view(x, 3, V), f), UDL_OK);
    udl_ais_params ap = udl_ais_params_default();
    udl_ais_result res;
    ap.n_runs = 1;
    assert_int_equal(udl_rbm_log_partition(rbm, &ap, NULL, &res), UDL_EINVAL);
    assert_non_null(strstr(udl_last_error(), "n_runs"));
    /* PCD's chains follow a larger batch (found in review: they overflowed) */
    udl_rbm *pcd;
    udl_rbm_params pp = p;
    pp.method = UDL_RBM_PCD;
    pp.train.batch_size = 2;
    pp.train.epochs = 1;
    double data[40 * V];
    for (size_t i = 0; i < 40 * V; i++)
        data[i] = (double)(i % 3 == 0);
    assert_int_equal(udl_rbm_create(&pp, &pcd), UDL_OK);
    assert_int_equal(udl_rbm_train(pcd, udl_mat_view(data, 40, V), NULL, NULL), UDL_OK);
    pp.train.batch_size = 40;
    assert_int_equal(udl_rbm_set_params(pcd, &pp), UDL_OK);
    assert_int_equal(udl_rbm_train(pcd, udl_mat_view(data, 40, V), NULL, NULL), UDL_OK);
    udl_rbm_free(pcd);
    /* set_params: training settings change, sizes and units do not */
    q = udl_rbm_get_params(rbm);
    q.method = UDL_RBM_PCD;
    q.k = 3;
    assert_int_equal(udl_rbm_set_params(rbm, &q), UDL_OK);
    q.n_hidden = 7;
    assert_int_equal(udl_rbm_set_params(rbm, &q), UDL_EINVAL);
    assert_int_equal(udl_rbm_get_params(rbm).n_hidden, H);
    assert_int_equal(udl_rbm_get_params(rbm).k, 3);
    udl_rbm_free(rbm);
    udl_rbm_free(NULL);
}

static void test_dbn_trains_each_layer_on_the_probabilities_below(void **state)
{
    (void)state;
    const size_t n = 60, sizes[3] = {V, 5, 3};
    double *x = malloc(n * V * sizeof(double));
    udli_rng r;
    udli_rng_seed(&r, 31);
    for (size_t i = 0; i < n * V; i++)
        x[i] = udli_rng_uniform(&r);
    udl_mat xm = udl_mat_view(x, n, V);
    udl_rbm_params p = udl_rbm_params_default();
    p.train.epochs = 3;
    p.train.batch_size = 20;
    p.visible = UDL_UNITS_BERNOULLI;
    p.hidden = UDL_UNITS_GAUSSIAN; /* the top layer's: a linear code */
    udl_dbn *dbn;
    assert_int_equal(udl_dbn_create(&p, sizes, 3, &dbn), UDL_OK);
    assert_int_equal(udl_rbm_get_params(udl_dbn_layer(dbn, 0)).hidden, UDL_UNITS_BERNOULLI);
    assert_int_equal(udl_rbm_get_params(udl_dbn_layer(dbn, 1)).hidden, UDL_UNITS_GAUSSIAN);
    assert_int_equal(udl_dbn_train(dbn, xm, NULL, NULL), UDL_OK);
    /* layer 1 is what an RBM with its parameters learns from E[h | x] of layer 0 */
    double h0[60 * 5], z[60 * 3], z2[60 * 3];
    assert_int_equal(udl_rbm_transform(udl_dbn_layer(dbn, 0), xm, udl_mat_view(h0, n, 5)),
                     UDL_OK);
    udl_rbm_params p1 = udl_rbm_get_params(udl_dbn_layer(dbn, 1));
    udl_rbm *alone;
    udl_rbm_params fresh = p1;
    assert_int_equal(udl_rbm_create(&fresh, &alone), UDL_OK);
    assert_int_equal(udl_rbm_train(alone, udl_mat_view(h0, n, 5), NULL, NULL), UDL_OK);
    assert_memory_equal(udl_rbm_weights(alone), udl_rbm_weights(udl_dbn_layer(dbn, 1)),
                        5 * 3 * sizeof(double));
    /* transform is the layers one after the other */
    assert_int_equal(udl_dbn_transform(dbn, xm, udl_mat_view(z, n, 3)), UDL_OK);
    assert_int_equal(udl_rbm_transform(alone, udl_mat_view(h0, n, 5), udl_mat_view(z2, n, 3)),
                     UDL_OK);
    assert_memory_equal(z, z2, sizeof z);
    /* samples: E[v | h] at the bottom, so in (0, 1); the same seed repeats them */
    double s1[8 * V], s2[8 * V];
    assert_int_equal(udl_dbn_sample(dbn, udl_mat_view(s1, 8, V), 20, 5), UDL_OK);
    assert_int_equal(udl_dbn_sample(dbn, udl_mat_view(s2, 8, V), 20, 5), UDL_OK);
    assert_memory_equal(s1, s2, sizeof s1);
    for (size_t i = 0; i < 8 * V; i++)
        assert_true(s1[i] > 0.0 && s1[i] < 1.0);
    /* save and load give the same codes */
    char path[512];
    tmp_path(path, sizeof path, "dbn.udl");
    assert_int_equal(udl_dbn_save(dbn, path), UDL_OK);
    udl_dbn *back;
    assert_int_equal(udl_dbn_load(path, &back), UDL_OK);
    assert_int_equal(udl_dbn_transform(back, xm, udl_mat_view(z2, n, 3)), UDL_OK);
    assert_memory_equal(z, z2, sizeof z);
    /* unrolled into a deep autoencoder: its code layer is the net's transform, linear
     * at the top since that layer's hidden units are Gaussian */
    udl_deep_ae_params dp = udl_deep_ae_params_default();
    dp.linear_code = 1;
    udl_deep_ae *deep;
    assert_int_equal(udl_deep_ae_create_from_dbn(dbn, &dp, &deep), UDL_OK);
    assert_int_equal(udl_deep_ae_encode(deep, xm, udl_mat_view(z2, n, 3)), UDL_OK);
    for (size_t i = 0; i < n * 3; i++)
        assert_close(z2[i], z[i], 1e-12);
    double xh[60 * V], xh2[60 * V];
    dp = udl_deep_ae_params_default(); /* linear_code 1, but the top layer decides */
    udl_deep_ae_free(deep);
    udl_dbn_free(back);
    udl_rbm_free(alone);
    udl_dbn_free(dbn);
    p.hidden = UDL_UNITS_BERNOULLI;
    assert_int_equal(udl_dbn_create(&p, sizes, 3, &dbn), UDL_OK);
    assert_int_equal(udl_dbn_train(dbn, xm, NULL, NULL), UDL_OK);
    assert_int_equal(udl_deep_ae_create_from_dbn(dbn, &dp, &deep), UDL_OK);
    assert_int_equal(udl_deep_ae_reconstruct(deep, xm, udl_mat_view(xh, n, V)), UDL_OK);
    assert_int_equal(udl_dbn_reconstruct(dbn, xm, udl_mat_view(xh2, n, V)), UDL_OK);
    for (size_t i = 0; i < n * V; i++)
        assert_close(xh[i], xh2[i], 1e-12);
    udl_deep_ae_free(deep);
    udl_dbn_free(dbn);
    assert_int_equal(udl_dbn_create(NULL, sizes, 3, &dbn), UDL_EINVAL);
    assert_int_equal(udl_dbn_create(&p, sizes, 1, &dbn), UDL_EINVAL);
    /* a file whose layers do not chain, or meet in Gaussian units, is refused */
    udl_rbm *l0 = small_rbm(UDL_UNITS_BERNOULLI, UDL_UNITS_BERNOULLI, 41, 0.1);
    udl_rbm *l1 = small_rbm(UDL_UNITS_BERNOULLI, UDL_UNITS_BERNOULLI, 42, 0.1); /* 10 in */
    udli_record rec;
    udli_record_init(&rec);
    udli_record_u64(&rec, "n_layers", 2);
    udli_record_prefix(&rec, "L0.");
    udli_rbm_record(l0, &rec);
    udli_record_prefix(&rec, "L1.");
    udli_rbm_record(l1, &rec);
    assert_int_equal(udli_record_save(&rec, path, UDL_KIND_DBN), UDL_OK);
    assert_int_equal(udl_dbn_load(path, &dbn), UDL_EFORMAT);
    assert_non_null(strstr(udl_last_error(), "layer 1 takes 10 inputs but layer 0 gives 6"));
    udl_rbm_free(l0);
    udl_rbm_free(l1);
    free(x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_free_energy_is_minus_log_sum_over_hidden_states),
        cmocka_unit_test(test_conditionals_equal_brute_force_marginals),
        cmocka_unit_test(test_gaussian_visibles_are_unit_normal_around_their_mean),
        cmocka_unit_test(test_cd1_gradient_is_the_difference_of_expectations),
        cmocka_unit_test(test_ais_log_z_agrees_with_enumeration),
        cmocka_unit_test(test_ais_for_gaussian_visibles),
        cmocka_unit_test(test_cd_and_pcd_raise_the_exact_likelihood),
        cmocka_unit_test(test_save_load_and_sampling),
        cmocka_unit_test(test_bad_input_is_refused_with_a_sentence),
        cmocka_unit_test(test_dbn_trains_each_layer_on_the_probabilities_below),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
