#include <math.h>
#include <string.h>

#include "core/tensor.h"
#include "core/vecmath.h"

/* Every kernel is serial. Each one sits between gemm calls, and an OpenMP region there
 * leaves libgomp's threads spinning while OpenBLAS's own threads want the cores: on the
 * 2-core machine the PCA fit took 0.95 s with parallel centring and 0.79 s serial, and
 * deep-autoencoder training ran at 35 GFLOP/s with parallel sigmoids and 54 serial
 * (tests/bench). OpenMP is for loops that run long without BLAS, as in t-SNE. */

void udli_sigmoid(udl_mat in, udl_mat out)
{
    for (size_t i = 0; i < in.rows; i++)
        udli_sigmoid_lanes(in.data + i * in.ld, out.data + i * out.ld, in.cols);
}

UDLI_LANES static void sigmoid_lanes(const double *x, double *y, size_t n)
{
    /* exp of a non-positive argument only, so neither side overflows; both sides are
     * computed and one is kept, so the loop has no branch and runs in vector lanes */
#pragma omp simd
    for (size_t j = 0; j < n; j++) {
        double e = exp(-fabs(x[j]));
        double pos = 1.0 / (1.0 + e), neg = e / (1.0 + e);
        y[j] = x[j] >= 0.0 ? pos : neg;
    }
}

/* Not cloned itself: gcc gives a cloned function's resolver default visibility. */
void udli_sigmoid_lanes(const double *x, double *y, size_t n)
{
    sigmoid_lanes(x, y, n);
}

UDLI_LANES static void tanh_lanes(const double *x, double *y, size_t n)
{
#pragma omp simd
    for (size_t j = 0; j < n; j++)
        y[j] = tanh(x[j]);
}

void udli_tanh(udl_mat in, udl_mat out)
{
    for (size_t i = 0; i < in.rows; i++)
        tanh_lanes(in.data + i * in.ld, out.data + i * out.ld, in.cols);
}

void udli_relu(udl_mat in, udl_mat out)
{
    for (size_t i = 0; i < in.rows; i++)
    {
        const double *x = in.data + i * in.ld;
        double *y = out.data + i * out.ld;
        for (size_t j = 0; j < in.cols; j++)
            y[j] = x[j] > 0.0 ? x[j] : 0.0;
    }
}

UDLI_LANES static void softplus_lanes(const double *x, double scale, double *y, size_t n)
{
#pragma omp simd
    for (size_t j = 0; j < n; j++) {
        double z = scale * x[j], pos = z > 0.0 ? z : 0.0;
        y[j] = pos + log1p(exp(-fabs(z)));
    }
}

void udli_softplus_lanes(const double *x, double scale, double *y, size_t n)
{
    softplus_lanes(x, scale, y, n);
}

void udli_softplus(udl_mat in, udl_mat out)
{
    for (size_t i = 0; i < in.rows; i++)
        softplus_lanes(in.data + i * in.ld, 1.0, out.data + i * out.ld, in.cols);
}

void udli_sigmoid_backward(udl_mat y, udl_mat grad)
{
    for (size_t i = 0; i < y.rows; i++)
    {
        const double *a = y.data + i * y.ld;
        double *g = grad.data + i * grad.ld;
        for (size_t j = 0; j < y.cols; j++)
            g[j] *= a[j] * (1.0 - a[j]);
    }
}

void udli_tanh_backward(udl_mat y, udl_mat grad)
{
    for (size_t i = 0; i < y.rows; i++)
    {
        const double *a = y.data + i * y.ld;
        double *g = grad.data + i * grad.ld;
        for (size_t j = 0; j < y.cols; j++)
            g[j] *= 1.0 - a[j] * a[j];
    }
}

void udli_relu_backward(udl_mat x, udl_mat grad)
{
    for (size_t i = 0; i < x.rows; i++)
    {
        const double *a = x.data + i * x.ld;
        double *g = grad.data + i * grad.ld;
        for (size_t j = 0; j < x.cols; j++)
            if (!(a[j] > 0.0))
                g[j] = 0.0;
    }
}

static double row_max(const double *x, size_t n)
{
    double m = -INFINITY;
    for (size_t j = 0; j < n; j++)
        if (x[j] > m)
            m = x[j];
    return m;
}

void udli_softmax_rows(udl_mat in, udl_mat out)
{
    for (size_t i = 0; i < in.rows; i++) {
        const double *x = in.data + i * in.ld;
        double *y = out.data + i * out.ld;
        double mx = row_max(x, in.cols), sum = 0.0;
        for (size_t j = 0; j < in.cols; j++) {
            /* logits that overflowed to +inf share the mass (inf - inf would be NaN) */
            y[j] = isinf(mx) && mx > 0.0 ? (x[j] == mx ? 1.0 : 0.0) : exp(x[j] - mx);
            sum += y[j];
        }
        for (size_t j = 0; j < in.cols; j++)
            y[j] /= sum;
    }
}

void udli_logsumexp_rows(udl_mat m, double *lse)
{
    for (size_t i = 0; i < m.rows; i++) {
        const double *x = m.data + i * m.ld;
        double mx = row_max(x, m.cols), sum = 0.0;
        if (isinf(mx)) {
            lse[i] = mx; /* empty row or all -inf: log 0; a +inf entry dominates */
            continue;
        }
        for (size_t j = 0; j < m.cols; j++)
            sum += exp(x[j] - mx);
        lse[i] = mx + log(sum);
    }
}

void udli_add_row_vector(udl_mat in, const double *bias, double alpha, udl_mat out)
{
    for (size_t i = 0; i < in.rows; i++)
    {
        const double *x = in.data + i * in.ld;
        double *y = out.data + i * out.ld;
        for (size_t j = 0; j < in.cols; j++)
            y[j] = x[j] + alpha * bias[j];
    }
}

void udli_scale_cols(udl_mat in, const double *scale, udl_mat out)
{
    for (size_t i = 0; i < in.rows; i++)
    {
        const double *x = in.data + i * in.ld;
        double *y = out.data + i * out.ld;
        for (size_t j = 0; j < in.cols; j++)
            y[j] = x[j] * scale[j];
    }
}

double udli_norm2(const double *v, size_t n)
{
    double s = 0.0;
    for (size_t j = 0; j < n; j++)
        s += v[j] * v[j];
    return sqrt(s);
}

void udli_mul(udl_mat a, udl_mat b, udl_mat out)
{
    for (size_t i = 0; i < a.rows; i++) {
        const double *x = a.data + i * a.ld, *y = b.data + i * b.ld;
        double *z = out.data + i * out.ld;
        for (size_t j = 0; j < a.cols; j++)
            z[j] = x[j] * y[j];
    }
}

void udli_col_sums(udl_mat m, double *sums)
{
    /* Row order is kept fixed (no reduction across threads) so sums repeat bit for bit. */
    memset(sums, 0, m.cols * sizeof(double));
    for (size_t i = 0; i < m.rows; i++) {
        const double *x = m.data + i * m.ld;
        for (size_t j = 0; j < m.cols; j++)
            sums[j] += x[j];
    }
}

void udli_col_means(udl_mat m, double *means)
{
    udli_col_sums(m, means);
    if (m.rows == 0)
        return;
    for (size_t j = 0; j < m.cols; j++)
        means[j] /= (double)m.rows;
}
