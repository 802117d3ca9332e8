#include <math.h>

#include "core/error.h"
#include "core/loss.h"
#include "core/vecmath.h"

UDL_API const char *udl_activation_name(udl_activation act)
{
    switch (act) {
    case UDL_ACT_SIGMOID: return "sigmoid";
    case UDL_ACT_TANH: return "tanh";
    case UDL_ACT_RELU: return "relu";
    case UDL_ACT_LINEAR: return "linear";
    case UDL_ACT_SOFTMAX: return "softmax";
    }
    return "unknown";
}

UDL_API const char *udl_loss_name(udl_loss loss)
{
    switch (loss) {
    case UDL_LOSS_CROSS_ENTROPY: return "cross-entropy";
    case UDL_LOSS_SQUARED: return "squared";
    case UDL_LOSS_SOFTMAX_CROSS_ENTROPY: return "softmax cross-entropy";
    }
    return "unknown";
}

udl_status udli_loss_check(udl_loss loss, udl_activation act, const char *who)
{
    if ((unsigned)act > UDL_ACT_SOFTMAX)
        return udli_fail(UDL_EINVAL, "%s: unknown activation %d", who, (int)act);
    switch (loss) {
    case UDL_LOSS_CROSS_ENTROPY:
        if (act != UDL_ACT_SIGMOID)
            return udli_fail(UDL_EINVAL, "%s: the cross-entropy loss needs a sigmoid output "
                             "layer (outputs in (0, 1)), not %s; use the squared loss", who,
                             udl_activation_name(act));
        return UDL_OK;
    case UDL_LOSS_SQUARED:
        if (act == UDL_ACT_SOFTMAX)
            return udli_fail(UDL_EINVAL, "%s: a softmax output layer takes the softmax "
                             "cross-entropy loss", who);
        return UDL_OK;
    case UDL_LOSS_SOFTMAX_CROSS_ENTROPY:
        if (act != UDL_ACT_SOFTMAX)
            return udli_fail(UDL_EINVAL, "%s: the softmax cross-entropy loss needs a softmax "
                             "output layer, not %s", who, udl_activation_name(act));
        return UDL_OK;
    }
    return udli_fail(UDL_EINVAL, "%s: unknown loss %d", who, (int)loss);
}

udl_status udli_loss_check_targets(udl_loss loss, udl_mat t, const char *name)
{
    for (size_t i = 0; i < t.rows; i++) {
        const double *ti = t.data + i * t.ld;
        double sum = 0.0;
        for (size_t j = 0; j < t.cols; j++) {
            if (loss != UDL_LOSS_SQUARED && !(ti[j] >= 0.0 && ti[j] <= 1.0))
                return udli_fail(UDL_EINVAL, "%s[%zu][%zu] is %g; the %s loss needs targets in "
                                 "[0, 1]%s", name, i, j, ti[j], udl_loss_name(loss),
                                 loss == UDL_LOSS_CROSS_ENTROPY ? " (use the squared loss)"
                                                                : "");
            sum += ti[j];
        }
        if (loss == UDL_LOSS_SOFTMAX_CROSS_ENTROPY && fabs(sum - 1.0) > 1e-9 * (double)t.cols)
            return udli_fail(UDL_EINVAL, "%s: row %zu sums to %.17g; softmax cross-entropy needs "
                             "each row of targets to sum to 1", name, i, sum);
    }
    return UDL_OK;
}

/* The cross-entropy terms of sigmoid outputs from the logits z, softplus(z) - t z, which
 * stay finite where log(1 - sigmoid) would be log 0. In vector lanes (core/vecmath.h). */
UDLI_LANES static void cross_entropy_terms(const double *z, const double *t, double *term,
                                           size_t n)
{
#pragma omp simd
    for (size_t j = 0; j < n; j++) {
        double zj = z[j], pos = zj > 0.0 ? zj : 0.0;
        term[j] = pos + log1p(exp(-fabs(zj))) - t[j] * zj;
    }
}

/* Their sum over a row (in order, as a scalar loop would round it) and, with d, the
 * delta (sigmoid(z) - t) / scale, where d may be z. */
static double cross_entropy_row(const double *z, const double *t, double *d, size_t n,
                                double scale)
{
    double sum = 0.0, term[256];
    for (size_t at = 0; at < n; at += 256) {
        const size_t m = n - at < 256 ? n - at : 256;
        cross_entropy_terms(z + at, t + at, term, m);
        for (size_t j = 0; j < m; j++)
            sum += term[j];
    }
    if (d) {
        udli_sigmoid_lanes(z, d, n);
        for (size_t j = 0; j < n; j++)
            d[j] = (d[j] - t[j]) / scale;
    }
    return sum;
}

/* Squared error of one output y = act(z) and its derivative in z. */
static double squared1(udl_activation act, double z, double t, double *dz)
{
    double y;
    switch (act) {
    case UDL_ACT_SIGMOID:
        y = z >= 0.0 ? 1.0 / (1.0 + exp(-z)) : exp(z) / (1.0 + exp(z));
        *dz = 2.0 * (y - t) * y * (1.0 - y);
        break;
    case UDL_ACT_TANH:
        y = tanh(z);
        *dz = 2.0 * (y - t) * (1.0 - y * y);
        break;
    case UDL_ACT_RELU:
        y = z > 0.0 ? z : 0.0;
        *dz = z > 0.0 ? 2.0 * (y - t) : 0.0;
        break;
    default: /* linear */
        y = z;
        *dz = 2.0 * (z - t);
    }
    return (y - t) * (y - t);
}

/* -sum t log softmax(z) = sum_j t_j (lse(z) - z_j); delta = softmax(z) * sum(t) - t,
 * which is softmax(z) - t for a distribution. */
static double softmax_row(const double *z, const double *t, double *d, size_t n, double scale)
{
    double max = -INFINITY, sum_t = 0.0;
    for (size_t j = 0; j < n; j++)
        max = fmax(max, z[j]);
    double sum = 0.0;
    for (size_t j = 0; j < n; j++)
        sum += exp(z[j] - max);
    const double lse = max + log(sum);
    double loss = 0.0;
    for (size_t j = 0; j < n; j++) {
        loss += t[j] * (lse - z[j]);
        sum_t += t[j];
    }
    if (d)
        for (size_t j = 0; j < n; j++)
            d[j] = (exp(z[j] - lse) * sum_t - t[j]) / scale;
    return loss;
}

double udli_loss_eval(udl_loss loss, udl_activation act, udl_mat a, udl_mat t, udl_mat *delta,
                      double scale)
{
    double sum = 0.0;
    for (size_t i = 0; i < a.rows; i++) {
        const double *ai = a.data + i * a.ld, *ti = t.data + i * t.ld;
        double *di = delta ? delta->data + i * delta->ld : NULL;
        if (loss == UDL_LOSS_SOFTMAX_CROSS_ENTROPY) {
            sum += softmax_row(ai, ti, di, a.cols, scale);
            continue;
        }
        if (loss == UDL_LOSS_CROSS_ENTROPY) {
            sum += cross_entropy_row(ai, ti, di, a.cols, scale);
            continue;
        }
        for (size_t j = 0; j < a.cols; j++) {
            double dz;
            sum += squared1(act, ai[j], ti[j], &dz);
            if (di)
                di[j] = dz / scale;
        }
    }
    return sum;
}
