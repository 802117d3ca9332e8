#include "helpers.h"

#include <omp.h>

#include <udl/tsne.h>

#include "core/error.h"
#include "tsne/internal.h"

/* k Gaussian clusters of `per` points in d dimensions, centres 10 apart on the axes,
 * unit spread; labels say which cluster. */
static double *clusters(size_t k, size_t per, size_t d, uint64_t seed, int *labels)
{
    udli_rng r;
    udli_rng_seed(&r, seed);
    double *x = malloc(k * per * d * sizeof *x);
    for (size_t c = 0; c < k; c++)
        for (size_t i = 0; i < per; i++) {
            size_t row = c * per + i;
            for (size_t j = 0; j < d; j++)
                x[row * d + j] = udli_rng_normal(&r) + (j == c % d ? 10.0 : 0.0) +
                                 (c >= d ? -10.0 : 0.0);
            if (labels)
                labels[row] = (int)c;
        }
    return x;
}

static double sqdist(const double *a, const double *b, size_t d)
{
    double s = 0.0;
    for (size_t j = 0; j < d; j++)
        s += (a[j] - b[j]) * (a[j] - b[j]);
    return s;
}

/* KL(P || Q) straight from the definition, pair by pair. */
static double kl_direct(const double *p, const double *y, size_t n, size_t dims)
{
    double z = 0.0, kl = 0.0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            if (i != j)
                z += 1.0 / (1.0 + sqdist(y + i * dims, y + j * dims, dims));
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            if (i != j && p[i * n + j] > 0.0) {
                double q = 1.0 / (1.0 + sqdist(y + i * dims, y + j * dims, dims)) / z;
                kl += p[i * n + j] * log(p[i * n + j] / q);
            }
    return kl;
}

static double *csr_to_dense(const tsne_csr *p)
{
    double *d = calloc(p->n * p->n, sizeof *d);
    for (size_t i = 0; i < p->n; i++)
        for (size_t t = p->row[i]; t < p->row[i + 1]; t++)
            d[i * p->n + p->col[t]] = p->val[t];
    return d;
}

static void test_calibrate_reaches_entropy(void **state)
{
    (void)state;
    udli_rng r;
    udli_rng_seed(&r, 3);
    double d2[200], p[200];
    for (size_t j = 0; j < 200; j++)
        d2[j] = 50.0 + 40.0 * udli_rng_uniform(&r); /* far away, so exp() would underflow */
    const double perps[] = {2.0, 5.0, 30.0, 100.0};
    for (size_t t = 0; t < 4; t++) {
        double beta = tsne_calibrate_row(d2, 200, perps[t], p);
        double sum = 0.0, h = 0.0;
        for (size_t j = 0; j < 200; j++) {
            sum += p[j];
            if (p[j] > 0.0)
                h -= p[j] * log(p[j]);
        }
        assert_close(sum, 1.0, 1e-12);
        assert_close(h, log(perps[t]), 1e-4);
        /* p is the Gaussian of that bandwidth */
        assert_close(p[1] / p[0] / exp(-beta * (d2[1] - d2[0])), 1.0, 1e-12);
    }
    /* Unreachable (20 equal distances, perplexity 30): uniform, and it returns. */
    double eq[20];
    for (size_t j = 0; j < 20; j++)
        eq[j] = 4.0;
    tsne_calibrate_row(eq, 20, 30.0, p);
    for (size_t j = 0; j < 20; j++)
        assert_close(p[j], 0.05, 1e-12);
}

static void test_knn_matches_brute_force(void **state)
{
    (void)state;
    const size_t n = 300, d = 5, k = 12;
    udli_rng r;
    udli_rng_seed(&r, 4);
    double *x = malloc(n * d * sizeof *x);
    fill_normal(&r, x, n * d);
    /* duplicates: rows 10..19 copy row 5 */
    for (size_t i = 10; i < 20; i++)
        memcpy(x + i * d, x + 5 * d, d * sizeof *x);
    size_t *idx = malloc(n * k * sizeof *idx);
    double *d2 = malloc(n * k * sizeof *d2), *all = malloc(n * sizeof *all);
    assert_int_equal(tsne_knn(udl_mat_view(x, n, d), k, 9, idx, d2), UDL_OK);
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < n; j++)
            all[j] = j == i ? INFINITY : sqdist(x + i * d, x + j * d, d);
        /* the k-th smallest distance from a brute-force scan */
        for (size_t t = 0; t < k; t++) {
            size_t best = 0;
            for (size_t j = 1; j < n; j++)
                if (all[j] < all[best])
                    best = j;
            assert_close(d2[i * k + t], all[best], 1e-9);
            assert_true(idx[i * k + t] != i);
            all[best] = INFINITY;
        }
    }
    free(x);
    free(idx);
    free(d2);
    free(all);
}

static void test_dense_p_properties(void **state)
{
    (void)state;
    const size_t n = 80, d = 4;
    double *x = clusters(4, 20, d, 5, NULL);
    double *p = malloc(n * n * sizeof *p);
    assert_int_equal(tsne_p_dense(udl_mat_view(x, n, d), 10.0, p), UDL_OK);
    double sum = 0.0;
    for (size_t i = 0; i < n; i++) {
        assert_true(p[i * n + i] == 0.0);
        for (size_t j = 0; j < n; j++) {
            assert_true(p[i * n + j] >= 0.0);
            assert_true(p[i * n + j] == p[j * n + i]);
            sum += p[i * n + j];
        }
    }
    assert_close(sum, 1.0, 1e-12);
    free(x);
    free(p);
}

/* When the neighbour lists hold every other point, the sparse P must equal the dense
 * one: the kNN, calibration and symmetrisation paths agree. */
static void test_sparse_p_equals_dense_when_complete(void **state)
{
    (void)state;
    const size_t n = 40, d = 3;
    double *x = clusters(2, 20, d, 6, NULL);
    double *p = malloc(n * n * sizeof *p);
    tsne_csr s = {0};
    assert_int_equal(tsne_p_dense(udl_mat_view(x, n, d), 15.0, p), UDL_OK);
    assert_int_equal(tsne_p_sparse(udl_mat_view(x, n, d), 15.0, 1, &s), UDL_OK);
    assert_int_equal(s.row[n], n * (n - 1));
    double *sd = csr_to_dense(&s);
    for (size_t t = 0; t < n * n; t++)
        assert_close(sd[t], p[t], 1e-12);
    for (size_t i = 0; i < n; i++)
        for (size_t t = s.row[i] + 1; t < s.row[i + 1]; t++)
            assert_true(s.col[t - 1] < s.col[t]);
    tsne_csr_free(&s);
    free(sd);
    free(x);
    free(p);
}

static void test_sparse_p_neighbours(void **state)
{
    (void)state;
    const size_t n = 200, d = 6;
    double *x = clusters(4, 50, d, 7, NULL);
    tsne_csr s = {0};
    assert_int_equal(tsne_p_sparse(udl_mat_view(x, n, d), 5.0, 2, &s), UDL_OK);
    double sum = 0.0;
    double *sd = csr_to_dense(&s);
    for (size_t i = 0; i < n; i++) {
        /* each row has its 16 neighbours and at most the points that chose it */
        size_t len = s.row[i + 1] - s.row[i];
        assert_true(len >= 16);
        for (size_t t = s.row[i]; t < s.row[i + 1]; t++) {
            assert_true(s.col[t] != i);
            assert_close(sd[i * n + s.col[t]], sd[s.col[t] * n + i], 0.0);
            sum += s.val[t];
        }
    }
    assert_close(sum, 1.0, 1e-12);
    tsne_csr_free(&s);
    free(sd);
    free(x);
}

static void test_exact_gradient_matches_finite_differences(void **state)
{
    (void)state;
    const size_t n = 30, d = 5;
    double *x = clusters(3, 10, d, 8, NULL);
    double *p = malloc(n * n * sizeof *p);
    assert_int_equal(tsne_p_dense(udl_mat_view(x, n, d), 6.0, p), UDL_OK);
    for (size_t dims = 1; dims <= 3; dims++) {
        udli_rng r;
        udli_rng_seed(&r, 10 + dims);
        double *y = malloc(n * dims * sizeof *y), *g = malloc(n * dims * sizeof *g);
        fill_normal(&r, y, n * dims);
        tsne_exact w;
        assert_int_equal(tsne_exact_init(&w, n), UDL_OK);
        double kl;
        tsne_grad_exact(&w, p, 1.0, y, dims, g, &kl);
        assert_close(kl, kl_direct(p, y, n, dims), 1e-10);
        for (size_t t = 0; t < n * dims; t++) {
            const double h = 1e-5, keep = y[t];
            y[t] = keep + h;
            double up = kl_direct(p, y, n, dims);
            y[t] = keep - h;
            double down = kl_direct(p, y, n, dims);
            y[t] = keep;
            assert_close(g[t], (up - down) / (2 * h), 1e-6);
        }
        tsne_exact_free(&w);
        free(y);
        free(g);
    }
    free(x);
    free(p);
}

/* theta = 0 opens every cell, so Barnes-Hut must give the exact gradient of the same
 * sparse P, exaggerated or not, in 1, 2 and 3 dimensions, with coincident points. */
static void test_bh_theta_zero_equals_exact(void **state)
{
    (void)state;
    const size_t n = 150, d = 5;
    double *x = clusters(3, 50, d, 11, NULL);
    tsne_csr s = {0};
    assert_int_equal(tsne_p_sparse(udl_mat_view(x, n, d), 8.0, 3, &s), UDL_OK);
    double *pd = csr_to_dense(&s);
    for (size_t dims = 1; dims <= 3; dims++) {
        udli_rng r;
        udli_rng_seed(&r, 20 + dims);
        double *y = malloc(n * dims * sizeof *y), *ge = malloc(n * dims * sizeof *ge),
               *gb = malloc(n * dims * sizeof *gb);
        fill_normal(&r, y, n * dims);
        memcpy(y + 7 * dims, y + 3 * dims, dims * sizeof *y); /* two points coincide */
        memcpy(y + 9 * dims, y + 3 * dims, dims * sizeof *y); /* and a third */
        tsne_exact w;
        tsne_bh *bh;
        assert_int_equal(tsne_exact_init(&w, n), UDL_OK);
        assert_int_equal(tsne_bh_create(n, dims, &bh), UDL_OK);
        const double exaggeration[] = {1.0, 12.0};
        for (int e = 0; e < 2; e++) {
            double kle, klb;
            tsne_grad_exact(&w, pd, exaggeration[e], y, dims, ge, &kle);
            assert_int_equal(tsne_grad_bh(bh, &s, exaggeration[e], y, 0.0, gb, &klb), UDL_OK);
            assert_close(klb, kle, 1e-10);
            for (size_t t = 0; t < n * dims; t++)
                assert_close(gb[t], ge[t], 1e-12 + 1e-9 * fabs(ge[t]));
            /* theta 0.5 approximates it closely */
            assert_int_equal(tsne_grad_bh(bh, &s, exaggeration[e], y, 0.5, gb, &klb), UDL_OK);
            double diff = 0.0, norm = 0.0;
            for (size_t t = 0; t < n * dims; t++) {
                diff += (gb[t] - ge[t]) * (gb[t] - ge[t]);
                norm += ge[t] * ge[t];
            }
            assert_true(sqrt(diff / norm) < 0.05);
            assert_close(klb, kle, 0.05);
        }
        tsne_exact_free(&w);
        tsne_bh_free(bh);
        free(y);
        free(ge);
        free(gb);
    }
    tsne_csr_free(&s);
    free(pd);
    free(x);
}

/* Fraction of points whose `k` nearest neighbours in y all share their label. */
static double neighbours_in_cluster(const double *y, size_t n, size_t dims, const int *labels,
                                    size_t k)
{
    size_t good = 0;
    double *dist = malloc(n * sizeof *dist);
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < n; j++)
            dist[j] = j == i ? INFINITY : sqdist(y + i * dims, y + j * dims, dims);
        int ok = 1;
        for (size_t t = 0; t < k; t++) {
            size_t best = 0;
            for (size_t j = 1; j < n; j++)
                if (dist[j] < dist[best])
                    best = j;
            ok &= labels[best] == labels[i];
            dist[best] = INFINITY;
        }
        good += (size_t)ok;
    }
    free(dist);
    return (double)good / (double)n;
}

static int count_calls(const udl_progress *pr, void *user)
{
    size_t *calls = user;
    assert_string_equal(pr->stage, "tsne");
    assert_int_equal(pr->step, ++*calls);
    if (pr->step % 50 == 0)
        assert_true(isfinite(pr->loss) && pr->loss > 0.0);
    return 0;
}

static void check_clusters(udl_tsne_method method, size_t per, size_t dims)
{
    const size_t k = 5, d = 10, n = k * per;
    int *labels = malloc(n * sizeof *labels);
    double *x = clusters(k, per, d, 12, labels), *y = malloc(n * dims * sizeof *y);
    udl_tsne_params p = udl_tsne_params_default();
    p.method = method;
    p.n_components = dims;
    p.n_iter = 500;
    p.perplexity = 20.0;
    size_t calls = 0;
    udl_tsne_result res;
    assert_int_equal(udl_tsne_embed(&p, udl_mat_view(x, n, d), udl_mat_view(y, n, dims),
                                    count_calls, &calls, &res),
                     UDL_OK);
    assert_int_equal(calls, 500);
    assert_int_equal(res.iterations, 500);
    assert_int_equal(res.method, method);
    assert_true(res.kl > 0.0 && res.kl < 2.0);
    assert_close(res.learning_rate, 50.0, 0.0);
    assert_true(neighbours_in_cluster(y, n, dims, labels, 5) > 0.99);
    free(labels);
    free(x);
    free(y);
}

static void test_exact_separates_clusters(void **state)
{
    (void)state;
    check_clusters(UDL_TSNE_EXACT, 40, 2);
}

static void test_bh_separates_clusters(void **state)
{
    (void)state;
    check_clusters(UDL_TSNE_BARNES_HUT, 120, 2);
    check_clusters(UDL_TSNE_BARNES_HUT, 60, 3);
    check_clusters(UDL_TSNE_BARNES_HUT, 60, 1);
}

static void embed_threads(int threads, udl_tsne_init init, double *y, size_t n, double *x)
{
    udl_tsne_params p = udl_tsne_params_default();
    p.method = UDL_TSNE_BARNES_HUT;
    p.n_iter = 120;
    p.init = init;
    p.seed = 77;
    int keep = omp_get_max_threads();
    omp_set_num_threads(threads);
    assert_int_equal(udl_tsne_embed(&p, udl_mat_view(x, n, 10), udl_mat_view(y, n, 2), NULL,
                                    NULL, NULL),
                     UDL_OK);
    omp_set_num_threads(keep);
}

static void test_deterministic(void **state)
{
    (void)state;
    const size_t n = 400;
    double *x = clusters(4, 100, 10, 13, NULL);
    double *a = malloc(n * 2 * sizeof *a), *b = malloc(n * 2 * sizeof *b);
    const udl_tsne_init inits[] = {UDL_TSNE_INIT_PCA, UDL_TSNE_INIT_RANDOM};
    for (int t = 0; t < 2; t++) {
        embed_threads(2, inits[t], a, n, x);
        embed_threads(2, inits[t], b, n, x);
        assert_memory_equal(a, b, n * 2 * sizeof *a);
        embed_threads(1, inits[t], b, n, x);
        assert_memory_equal(a, b, n * 2 * sizeof *a);
    }
    free(x);
    free(a);
    free(b);
}

/* Views with gaps between rows (ld > cols) give the same embedding as dense ones. */
static void test_strided_views(void **state)
{
    (void)state;
    const size_t n = 150, d = 6, xld = 9, yld = 5;
    double *x = clusters(3, 50, d, 17, NULL), *xs = calloc(n * xld, sizeof *xs);
    double *y = malloc(n * 2 * sizeof *y), *ys = calloc(n * yld, sizeof *ys);
    for (size_t i = 0; i < n; i++)
        memcpy(xs + i * xld, x + i * d, d * sizeof *x);
    udl_tsne_params p = udl_tsne_params_default();
    p.n_iter = 100;
    const udl_tsne_method methods[] = {UDL_TSNE_EXACT, UDL_TSNE_BARNES_HUT};
    for (int m = 0; m < 2; m++) {
        p.method = methods[m];
        udl_mat xv = {xs, n, d, xld}, yv = {ys, n, 2, yld};
        assert_int_equal(udl_tsne_embed(&p, udl_mat_view(x, n, d), udl_mat_view(y, n, 2), NULL,
                                        NULL, NULL),
                         UDL_OK);
        assert_int_equal(udl_tsne_embed(&p, xv, yv, NULL, NULL, NULL), UDL_OK);
        for (size_t i = 0; i < n; i++) {
            assert_memory_equal(y + i * 2, ys + i * yld, 2 * sizeof *y);
            assert_true(ys[i * yld + 2] == 0.0); /* the gap is left alone */
        }
    }
    free(x);
    free(xs);
    free(y);
    free(ys);
}

static int stop_at_7(const udl_progress *pr, void *user)
{
    (void)user;
    return pr->step == 7;
}

static void test_cancel_and_given_init(void **state)
{
    (void)state;
    const size_t n = 60;
    double *x = clusters(3, 20, 4, 14, NULL), y[120], y0[120];
    udli_rng r;
    udli_rng_seed(&r, 5);
    fill_normal(&r, y0, 120);
    memcpy(y, y0, sizeof y);
    udl_tsne_params p = udl_tsne_params_default();
    p.init = UDL_TSNE_INIT_GIVEN;
    udl_tsne_result res;
    assert_int_equal(udl_tsne_embed(&p, udl_mat_view(x, n, 4), udl_mat_view(y, n, 2),
                                    stop_at_7, NULL, &res),
                     UDL_ECANCELED);
    assert_int_equal(res.iterations, 7);
    assert_true(isnan(res.kl)); /* no report yet */
    assert_true(strstr(udl_last_error(), "step 7") != NULL);
    assert_true(memcmp(y, y0, sizeof y) != 0);
    /* The same 7 steps without a callback give the same embedding. */
    double y2[120];
    memcpy(y2, y0, sizeof y2);
    p.n_iter = 7;
    assert_int_equal(udl_tsne_embed(&p, udl_mat_view(x, n, 4), udl_mat_view(y2, n, 2), NULL,
                                    NULL, &res),
                     UDL_OK);
    assert_memory_equal(y, y2, sizeof y);
    free(x);
}

static void test_degenerate_inputs(void **state)
{
    (void)state;
    /* Half the points coincide, and in another run all of them do: no hang, no NaN. */
    const size_t n = 300;
    double *x = clusters(3, 100, 5, 15, NULL), *y = malloc(n * 2 * sizeof *y);
    for (size_t i = 0; i < n / 2; i++)
        memcpy(x + i * 5, x, 5 * sizeof *x);
    udl_tsne_params p = udl_tsne_params_default();
    p.n_iter = 300;
    const udl_tsne_method methods[] = {UDL_TSNE_EXACT, UDL_TSNE_BARNES_HUT};
    for (int m = 0; m < 2; m++) {
        p.method = methods[m];
        assert_int_equal(udl_tsne_embed(&p, udl_mat_view(x, n, 5), udl_mat_view(y, n, 2),
                                        NULL, NULL, NULL),
                         UDL_OK);
        assert_true(udli_all_finite(y, n * 2));
    }
    for (size_t i = 0; i < n; i++)
        memcpy(x + i * 5, x, 5 * sizeof *x);
    for (int m = 0; m < 2; m++) {
        p.method = methods[m];
        assert_int_equal(udl_tsne_embed(&p, udl_mat_view(x, n, 5), udl_mat_view(y, n, 2),
                                        NULL, NULL, NULL),
                         UDL_OK);
        assert_true(udli_all_finite(y, n * 2));
    }
    free(x);
    free(y);
}

static void expect_error(const udl_tsne_params *p, udl_mat x, udl_mat y, udl_status want,
                         const char *phrase)
{
    double before = y.data ? y.data[0] : 0.0;
    assert_int_equal(udl_tsne_embed(p, x, y, NULL, NULL, NULL), want);
    if (!strstr(udl_last_error(), phrase))
        fail_msg("error '%s' does not mention '%s'", udl_last_error(), phrase);
    if (y.data)
        assert_true(y.data[0] == before);
}

static void test_bad_input(void **state)
{
    (void)state;
    const size_t n = 20;
    double *x = clusters(2, 10, 3, 16, NULL), y[80];
    memset(y, 0, sizeof y);
    udl_mat xm = udl_mat_view(x, n, 3), ym = udl_mat_view(y, n, 2);
    udl_tsne_params p = udl_tsne_params_default();
    p.perplexity = 5.0;
    expect_error(NULL, xm, ym, UDL_EINVAL, "params is NULL");
    udl_tsne_params q = p;
    q.perplexity = 20.0;
    expect_error(&q, xm, ym, UDL_EINVAL, "less than the number of points");
    q = p;
    q.perplexity = NAN;
    expect_error(&q, xm, ym, UDL_EINVAL, "perplexity");
    q = p;
    q.theta = 1.5;
    expect_error(&q, xm, ym, UDL_EINVAL, "theta");
    q = p;
    q.n_iter = 0;
    expect_error(&q, xm, ym, UDL_EINVAL, "n_iter");
    q = p;
    q.early_exaggeration = 0.5;
    expect_error(&q, xm, ym, UDL_EINVAL, "early_exaggeration");
    q = p;
    q.learning_rate = -1.0;
    expect_error(&q, xm, ym, UDL_EINVAL, "learning_rate");
    q = p;
    q.momentum = 1.0;
    expect_error(&q, xm, ym, UDL_EINVAL, "momentum");
    q = p;
    q.min_gain = 0.0;
    expect_error(&q, xm, ym, UDL_EINVAL, "min_gain");
    q = p;
    q.method = (udl_tsne_method)7;
    expect_error(&q, xm, ym, UDL_EINVAL, "method");
    q = p;
    q.init = (udl_tsne_init)9;
    expect_error(&q, xm, ym, UDL_EINVAL, "init");
    q = p;
    q.n_components = 0;
    expect_error(&q, xm, ym, UDL_EINVAL, "n_components");
    expect_error(&p, udl_mat_view(x, 3, 3), udl_mat_view(y, 3, 2), UDL_EINVAL, "at least 4");
    expect_error(&p, xm, udl_mat_view(y, n - 1, 2), UDL_ESHAPE, "expected 20 x 2");
    expect_error(&p, xm, udl_mat_view(NULL, n, 2), UDL_EINVAL, "NULL");
    q = p;
    q.n_components = 4;
    q.method = UDL_TSNE_BARNES_HUT;
    q.init = UDL_TSNE_INIT_RANDOM;
    expect_error(&q, xm, udl_mat_view(y, n, 4), UDL_EINVAL, "1 to 3 dimensions");
    q.method = UDL_TSNE_AUTO; /* auto picks exact for 4 dimensions */
    assert_int_equal(udl_tsne_embed(&q, xm, udl_mat_view(y, n, 4), NULL, NULL, NULL), UDL_OK);
    q.init = UDL_TSNE_INIT_PCA;
    expect_error(&q, udl_mat_view(x, n, 3), udl_mat_view(y, n, 4), UDL_EINVAL,
                 "use random initialisation");
    memset(y, 0, sizeof y);
    x[7] = NAN;
    expect_error(&p, xm, ym, UDL_EINVAL, "finite");
    x[7] = 0.0;
    q = p;
    q.init = UDL_TSNE_INIT_GIVEN;
    y[3] = INFINITY;
    expect_error(&q, xm, ym, UDL_EINVAL, "initial Y");
    y[3] = 0.0;
    /* too many points for the exact method: refused before any N x N allocation */
    const size_t big = UDL_TSNE_EXACT_MAX + 1;
    double *bx = calloc(big, sizeof *bx), *by = calloc(big * 2, sizeof *by);
    q = p;
    q.method = UDL_TSNE_EXACT;
    q.init = UDL_TSNE_INIT_RANDOM;
    expect_error(&q, udl_mat_view(bx, big, 1), udl_mat_view(by, big, 2), UDL_EINVAL,
                 "use Barnes-Hut");
    free(bx);
    free(by);
    /* a learning rate that blows up is caught, and Y is left alone */
    q = p;
    q.learning_rate = 1e300;
    q.init = UDL_TSNE_INIT_RANDOM;
    y[0] = 42.0;
    expect_error(&q, xm, ym, UDL_ENUMERIC, "diverged");
    free(x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_calibrate_reaches_entropy),
        cmocka_unit_test(test_knn_matches_brute_force),
        cmocka_unit_test(test_dense_p_properties),
        cmocka_unit_test(test_sparse_p_equals_dense_when_complete),
        cmocka_unit_test(test_sparse_p_neighbours),
        cmocka_unit_test(test_exact_gradient_matches_finite_differences),
        cmocka_unit_test(test_bh_theta_zero_equals_exact),
        cmocka_unit_test(test_exact_separates_clusters),
        cmocka_unit_test(test_bh_separates_clusters),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_strided_views),
        cmocka_unit_test(test_cancel_and_given_init),
        cmocka_unit_test(test_degenerate_inputs),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
