#include "helpers.h"
#include "gradcheck.h"

#include "core/loss.h"
#include "core/net.h"
#include "core/tensor.h"

enum { N = 5, MAXW = 8 };

/* A net, a batch, targets and a loss: the function the checker differentiates. */
typedef struct problem {
    udli_net *net;
    udli_net_ws ws;
    udl_mat x, t;
    udl_loss loss;
    size_t upto;     /* for a unit's gradient: the layer whose output it is */
    size_t unit;     /* and which unit (summed over rows) */
    int unit_mode;
} problem;

static double mean_loss(void *user)
{
    problem *p = user;
    if (p->unit_mode) {
        udl_mat h = udli_net_forward(p->net, &p->ws, p->x, p->upto);
        double sum = 0.0;
        for (size_t i = 0; i < h.rows; i++)
            sum += h.data[i * h.ld + p->unit];
        return sum;
    }
    udl_mat out = udli_net_forward(p->net, &p->ws, p->x, p->net->n_layers);
    udl_activation act = p->net->act[p->net->n_layers - 1];
    return udli_loss_eval(p->loss, act, out, p->t, NULL, 1.0) / (double)p->x.rows;
}

static void fill(udli_rng *r, double *v, size_t n, double scale)
{
    for (size_t i = 0; i < n; i++)
        v[i] = scale * udli_rng_normal(r);
}

/* Targets a loss can take: in (0, 1) for cross-entropy, rows of a distribution for
 * softmax cross-entropy, anything for squared error. */
static void make_targets(udli_rng *r, udl_loss loss, double *t, size_t cols)
{
    for (size_t i = 0; i < N; i++) {
        double sum = 0.0;
        for (size_t j = 0; j < cols; j++) {
            t[i * cols + j] = loss == UDL_LOSS_SQUARED ? udli_rng_normal(r) : udli_rng_uniform(r);
            sum += t[i * cols + j];
        }
        if (loss == UDL_LOSS_SOFTMAX_CROSS_ENTROPY)
            for (size_t j = 0; j < cols; j++)
                t[i * cols + j] /= sum;
    }
}

/* Every parameter and the input against finite differences, for one net and loss. */
static void check_net_dropout(const size_t *sizes, const udl_activation *act, const int *tied,
                              size_t n_layers, udl_loss loss, uint64_t seed,
                              const double *drop)
{
    udli_rng r;
    udli_rng_seed(&r, seed);
    problem p = {0};
    assert_int_equal(udli_net_create(sizes, act, tied, n_layers, &p.net), UDL_OK);
    for (size_t l = 0; l < n_layers; l++) {
        if (p.net->w[l])
            fill(&r, p.net->w[l], sizes[l] * sizes[l + 1], 0.7);
        fill(&r, p.net->b[l], sizes[l + 1], 0.3);
    }
    double x[N * MAXW], t[N * MAXW], dx[N * MAXW];
    fill(&r, x, N * sizes[0], 1.0);
    make_targets(&r, loss, t, sizes[n_layers]);
    p.x = udl_mat_view(x, N, sizes[0]);
    p.t = udl_mat_view(t, N, sizes[n_layers]);
    p.loss = loss;
    assert_int_equal(udli_net_ws_alloc(p.net, N, &p.ws), UDL_OK);
    if (drop) { /* masks drawn once and then fixed: the function is deterministic */
        assert_int_equal(udli_net_ws_dropout(p.net, &p.ws, drop), UDL_OK);
        udli_net_dropout_draw(p.net, &p.ws, N, &r);
    }
    udl_mat out = udli_net_forward(p.net, &p.ws, p.x, n_layers);
    udl_mat delta = udli_net_delta(&p.ws, N, out.cols);
    double loss_value = udli_loss_eval(loss, act[n_layers - 1], out, p.t, &delta, (double)N);
    assert_close(loss_value / N, mean_loss(&p), 1e-12 * (1 + fabs(loss_value)));
    udl_mat dxm = udl_mat_view(dx, N, sizes[0]);
    udli_net_forward(p.net, &p.ws, p.x, n_layers);
    udli_net_backward(p.net, &p.ws, p.x, n_layers, delta, &dxm);
    grad_block blocks[2 * UDL_NET_MAX_LAYERS + 1];
    size_t nb = 0;
    for (size_t l = 0; l < n_layers; l++) {
        if (p.net->w[l])
            blocks[nb++] = (grad_block){p.net->w[l], p.net->gw[l], sizes[l] * sizes[l + 1], "W"};
        blocks[nb++] = (grad_block){p.net->b[l], p.net->gb[l], sizes[l + 1], "b"};
    }
    blocks[nb++] = (grad_block){x, dx, N * sizes[0], "x"};
    check_gradient_blocks(mean_loss, &p, blocks, nb, 1e-6, 1e-6);
    /* the input-only pass gives the same dx and leaves the parameter gradients alone */
    double dx2[N * MAXW], gb0 = p.net->gb[0][0];
    udl_mat top = udli_net_forward(p.net, &p.ws, p.x, n_layers);
    udl_mat d2 = udli_net_delta(&p.ws, N, top.cols);
    udli_loss_eval(loss, act[n_layers - 1], top, p.t, &d2, (double)N);
    p.net->gb[0][0] = 12345.0;
    udli_net_input_gradient(p.net, &p.ws, p.x, n_layers, d2, udl_mat_view(dx2, N, sizes[0]));
    assert_true(p.net->gb[0][0] == 12345.0);
    p.net->gb[0][0] = gb0;
    for (size_t i = 0; i < N * sizes[0]; i++)
        assert_close(dx2[i], dx[i], 1e-13 * (1 + fabs(dx[i])));
    udli_net_ws_free(&p.ws);
    udli_net_free(p.net);
}

static void check_net(const size_t *sizes, const udl_activation *act, const int *tied,
                      size_t n_layers, udl_loss loss, uint64_t seed)
{
    check_net_dropout(sizes, act, tied, n_layers, loss, seed, NULL);
}

/* Dropout on the input and hidden layers, with the masks fixed, for every hidden
 * activation: the masked units get no gradient, the kept ones their scaled share. */
static void test_backward_with_fixed_dropout_masks_matches_finite_differences(void **state)
{
    (void)state;
    const udl_activation hidden[] = {UDL_ACT_SIGMOID, UDL_ACT_TANH, UDL_ACT_RELU};
    const size_t sizes[4] = {7, 6, 5, 3};
    const double drop[3] = {0.2, 0.5, 0.3};
    for (size_t h = 0; h < 3; h++) {
        const udl_activation act[3] = {hidden[h], hidden[h], UDL_ACT_SOFTMAX};
        check_net_dropout(sizes, act, NULL, 3, UDL_LOSS_SOFTMAX_CROSS_ENTROPY, 40 + h, drop);
    }
}

/* Each input kept with probability 1 - p and scaled by 1 / (1 - p), so its expectation is
 * unchanged and prediction needs no rescaling. */
static void test_dropout_masks_keep_the_expected_input(void **state)
{
    (void)state;
    const size_t sizes[3] = {50, 40, 2};
    const udl_activation act[2] = {UDL_ACT_RELU, UDL_ACT_SOFTMAX};
    udli_net *net;
    assert_int_equal(udli_net_create(sizes, act, NULL, 2, &net), UDL_OK);
    udli_net_ws ws;
    assert_int_equal(udli_net_ws_alloc(net, 200, &ws), UDL_OK);
    const double drop[2] = {0.25, 0.0};
    assert_int_equal(udli_net_ws_dropout(net, &ws, drop), UDL_OK);
    assert_null(ws.mask[1]);
    udli_rng r;
    udli_rng_seed(&r, 9);
    udli_net_dropout_draw(net, &ws, 200, &r);
    size_t kept = 0;
    for (size_t i = 0; i < 200 * 50; i++) {
        assert_true(ws.mask[0][i] == 0.0 || ws.mask[0][i] == 1.0 / 0.75);
        kept += ws.mask[0][i] != 0.0;
    }
    /* 10,000 draws of p = 0.75: the standard deviation of the fraction is 0.0043 */
    assert_close((double)kept / 10000.0, 0.75, 0.02);
    udli_net_ws_free(&ws);
    udli_net_free(net);
}

static void test_backward_matches_finite_differences_for_every_activation_and_loss(void **state)
{
    (void)state;
    const udl_activation hidden[] = {UDL_ACT_SIGMOID, UDL_ACT_TANH, UDL_ACT_RELU,
                                     UDL_ACT_LINEAR};
    const struct { udl_activation out; udl_loss loss; } heads[] = {
        {UDL_ACT_SIGMOID, UDL_LOSS_CROSS_ENTROPY},
        {UDL_ACT_SIGMOID, UDL_LOSS_SQUARED},
        {UDL_ACT_TANH, UDL_LOSS_SQUARED},
        {UDL_ACT_RELU, UDL_LOSS_SQUARED},
        {UDL_ACT_LINEAR, UDL_LOSS_SQUARED},
        {UDL_ACT_SOFTMAX, UDL_LOSS_SOFTMAX_CROSS_ENTROPY},
    };
    const size_t sizes[4] = {6, 5, 4, 3};
    uint64_t seed = 1;
    for (size_t h = 0; h < 4; h++)
        for (size_t k = 0; k < sizeof heads / sizeof heads[0]; k++) {
            const udl_activation act[3] = {hidden[h], hidden[(h + 1) % 4], heads[k].out};
            check_net(sizes, act, NULL, 3, heads[k].loss, seed++);
        }
}

static void test_tied_layers_sum_both_gradients(void **state)
{
    (void)state;
    /* an autoencoder's shape: 6 -> 4 -> 6 with the decoder tied to the encoder, and a
     * deeper one tied in the middle */
    const size_t s1[3] = {6, 4, 6};
    const udl_activation a1[2] = {UDL_ACT_SIGMOID, UDL_ACT_SIGMOID};
    const int t1[2] = {-1, 0};
    check_net(s1, a1, t1, 2, UDL_LOSS_CROSS_ENTROPY, 11);
    const size_t s2[5] = {5, 4, 3, 4, 2};
    const udl_activation a2[4] = {UDL_ACT_TANH, UDL_ACT_RELU, UDL_ACT_SIGMOID, UDL_ACT_SOFTMAX};
    const int t2[4] = {-1, -1, 1, -1};
    check_net(s2, a2, t2, 4, UDL_LOSS_SOFTMAX_CROSS_ENTROPY, 12);
}

/* d(sum over rows of unit j of layer k)/dx, which feature visualization needs. */
static void test_input_gradient_of_one_hidden_unit(void **state)
{
    (void)state;
    const size_t sizes[4] = {5, 4, 3, 2};
    const udl_activation act[3] = {UDL_ACT_TANH, UDL_ACT_SIGMOID, UDL_ACT_LINEAR};
    udli_rng r;
    udli_rng_seed(&r, 21);
    problem p = {0};
    assert_int_equal(udli_net_create(sizes, act, NULL, 3, &p.net), UDL_OK);
    for (size_t l = 0; l < 3; l++) {
        fill(&r, p.net->w[l], sizes[l] * sizes[l + 1], 0.8);
        fill(&r, p.net->b[l], sizes[l + 1], 0.3);
    }
    double x[N * 5], dx[N * 5], dtop[N * 4];
    fill(&r, x, N * 5, 1.0);
    p.x = udl_mat_view(x, N, 5);
    p.unit_mode = 1;
    assert_int_equal(udli_net_ws_alloc(p.net, N, &p.ws), UDL_OK);
    for (size_t upto = 1; upto <= 2; upto++)
        for (size_t unit = 0; unit < sizes[upto]; unit++) {
            p.upto = upto;
            p.unit = unit;
            udl_mat top = udli_net_forward(p.net, &p.ws, p.x, upto);
            udl_mat d = udl_mat_view(dtop, N, top.cols);
            udli_mat_fill(d, 0.0);
            for (size_t i = 0; i < N; i++)
                dtop[i * top.cols + unit] = 1.0;
            udl_mat dxm = udl_mat_view(dx, N, 5);
            udli_net_backward(p.net, &p.ws, p.x, upto, d, &dxm);
            grad_block b = {x, dx, N * 5, "x"};
            check_gradient_blocks(mean_loss, &p, &b, 1, 1e-6, 1e-6);
        }
    udli_net_ws_free(&p.ws);
    udli_net_free(p.net);
}

static void test_forward_to_a_layer_is_the_layers_by_hand(void **state)
{
    (void)state;
    const size_t sizes[3] = {3, 2, 2};
    const udl_activation act[2] = {UDL_ACT_RELU, UDL_ACT_SOFTMAX};
    udli_net *net;
    assert_int_equal(udli_net_create(sizes, act, NULL, 2, &net), UDL_OK);
    const double w0[6] = {1, -1, 0.5, 2, -0.25, 0}, b0[2] = {0.1, -3};
    const double w1[4] = {1, 2, 3, 4}, b1[2] = {0, 1};
    memcpy(net->w[0], w0, sizeof w0);
    memcpy(net->b[0], b0, sizeof b0);
    memcpy(net->w[1], w1, sizeof w1);
    memcpy(net->b[1], b1, sizeof b1);
    double x[3] = {1, 2, 4}, h[2], y[2];
    /* h = relu(x W0 + b0) = relu(1 + 1 - 1 + 0.1, -1 + 4 + 0 - 3) = (1.1, 0) */
    assert_int_equal(udli_net_apply(net, udl_mat_view(x, 1, 3), 1, 1, udl_mat_view(h, 1, 2)),
                     UDL_OK);
    assert_close(h[0], 1.1, 1e-15);
    assert_close(h[1], 0.0, 0.0);
    /* logits (1.1, 2.2 + 1); softmax */
    assert_int_equal(udli_net_apply(net, udl_mat_view(x, 1, 3), 2, 1, udl_mat_view(y, 1, 2)),
                     UDL_OK);
    double e0 = exp(1.1), e1 = exp(3.2);
    assert_close(y[0], e0 / (e0 + e1), 1e-15);
    assert_close(y[1], e1 / (e0 + e1), 1e-15);
    assert_int_equal(udli_net_apply(net, udl_mat_view(x, 1, 3), 2, 0, udl_mat_view(y, 1, 2)),
                     UDL_OK);
    assert_close(y[1], 3.2, 1e-15);
    udli_net_free(net);
}

static void test_bad_shapes_are_refused(void **state)
{
    (void)state;
    udli_net *net;
    const size_t sizes[3] = {3, 2, 3}, zero[3] = {3, 0, 3};
    const udl_activation act[2] = {UDL_ACT_SIGMOID, UDL_ACT_SIGMOID};
    const udl_activation soft_first[2] = {UDL_ACT_SOFTMAX, UDL_ACT_SIGMOID};
    const int tied_self[2] = {-1, 1}, tied_ok[2] = {-1, 0};
    assert_int_equal(udli_net_create(zero, act, NULL, 2, &net), UDL_EINVAL);
    assert_non_null(strstr(udl_last_error(), "layer size 1 is 0"));
    assert_int_equal(udli_net_create(sizes, soft_first, NULL, 2, &net), UDL_EINVAL);
    assert_non_null(strstr(udl_last_error(), "softmax"));
    assert_int_equal(udli_net_create(sizes, act, tied_self, 2, &net), UDL_EINVAL);
    assert_int_equal(udli_net_create(sizes, act, NULL, 0, &net), UDL_EINVAL);
    const size_t odd[3] = {3, 2, 4};
    assert_int_equal(udli_net_create(odd, act, tied_ok, 2, &net), UDL_EINVAL);
    assert_non_null(strstr(udl_last_error(), "transposed"));
    assert_int_equal(udli_net_create(sizes, act, tied_ok, 2, &net), UDL_OK);
    udli_param_block blocks[4];
    assert_int_equal(udli_net_blocks(net, blocks), 3); /* W0, b0, b1: the tied W once */
    udli_net_free(net);
    udli_net_free(NULL);
}

static void test_loss_pairs_and_targets_are_checked(void **state)
{
    (void)state;
    assert_int_equal(udli_loss_check(UDL_LOSS_CROSS_ENTROPY, UDL_ACT_LINEAR, "t"), UDL_EINVAL);
    assert_non_null(strstr(udl_last_error(), "sigmoid output"));
    assert_int_equal(udli_loss_check(UDL_LOSS_SQUARED, UDL_ACT_SOFTMAX, "t"), UDL_EINVAL);
    assert_int_equal(udli_loss_check(UDL_LOSS_SOFTMAX_CROSS_ENTROPY, UDL_ACT_SIGMOID, "t"),
                     UDL_EINVAL);
    assert_int_equal(udli_loss_check((udl_loss)7, UDL_ACT_SIGMOID, "t"), UDL_EINVAL);
    assert_int_equal(udli_loss_check(UDL_LOSS_SQUARED, UDL_ACT_TANH, "t"), UDL_OK);
    double bad[2] = {0.5, 1.5}, rows[4] = {0.25, 0.75, 0.5, 0.25};
    assert_int_equal(udli_loss_check_targets(UDL_LOSS_CROSS_ENTROPY, udl_mat_view(bad, 1, 2),
                                             "T"), UDL_EINVAL);
    assert_non_null(strstr(udl_last_error(), "T[0][1] is 1.5"));
    assert_int_equal(udli_loss_check_targets(UDL_LOSS_SOFTMAX_CROSS_ENTROPY,
                                             udl_mat_view(rows, 2, 2), "T"), UDL_EINVAL);
    assert_non_null(strstr(udl_last_error(), "row 1 sums to 0.75"));
    assert_string_equal(udl_loss_name(UDL_LOSS_SQUARED), "squared");
    assert_string_equal(udl_activation_name(UDL_ACT_RELU), "relu");
}

/* Saturated outputs: the losses stay finite where the closed forms would give log 0. */
static void test_losses_are_stable_at_extreme_pre_activations(void **state)
{
    (void)state;
    double a[3] = {800, -800, 0}, t[3] = {0, 1, 0.5}, d[3];
    udl_mat dm = udl_mat_view(d, 1, 3);
    double ce = udli_loss_eval(UDL_LOSS_CROSS_ENTROPY, UDL_ACT_SIGMOID, udl_mat_view(a, 1, 3),
                               udl_mat_view(t, 1, 3), &dm, 1.0);
    assert_close(ce, 800 + 800 + log(2.0), 1e-9);
    assert_close(d[0], 1.0, 0.0);
    assert_close(d[1], -1.0, 0.0);
    double s[3] = {1000, 0, -1000}, onehot[3] = {0, 0, 1};
    double sce = udli_loss_eval(UDL_LOSS_SOFTMAX_CROSS_ENTROPY, UDL_ACT_SOFTMAX,
                                udl_mat_view(s, 1, 3), udl_mat_view(onehot, 1, 3), &dm, 1.0);
    assert_close(sce, 2000.0, 1e-9);
    assert_close(d[0], 1.0, 0.0);
    assert_close(d[2], -1.0, 0.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_backward_matches_finite_differences_for_every_activation_and_loss),
        cmocka_unit_test(test_tied_layers_sum_both_gradients),
        cmocka_unit_test(test_backward_with_fixed_dropout_masks_matches_finite_differences),
        cmocka_unit_test(test_dropout_masks_keep_the_expected_input),
        cmocka_unit_test(test_input_gradient_of_one_hidden_unit),
        cmocka_unit_test(test_forward_to_a_layer_is_the_layers_by_hand),
        cmocka_unit_test(test_bad_shapes_are_refused),
        cmocka_unit_test(test_loss_pairs_and_targets_are_checked),
        cmocka_unit_test(test_losses_are_stable_at_extreme_pre_activations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
