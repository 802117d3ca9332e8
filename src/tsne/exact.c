/* The exact gradient over all pairs, with both products through the core gemm:
 *   num_ij = 1 / (1 + |y_i - y_j|^2),  Z = sum num,  W = (a P - num / Z) o num,
 *   grad = 4 (diag(W 1) Y - W Y). */
#include <math.h>
#include <stdlib.h>

#include "core/error.h"
#include "tsne/internal.h"

udl_status tsne_exact_init(tsne_exact *w, size_t n)
{
    w->n = n;
    w->num = udli_alloc(n * n, sizeof *w->num, "t-SNE exact gradient (N x N)");
    w->sq = udli_alloc(n, sizeof *w->sq, "t-SNE exact gradient");
    if (!w->num || !w->sq) {
        tsne_exact_free(w);
        return UDL_ENOMEM;
    }
    return UDL_OK;
}

void tsne_exact_free(tsne_exact *w)
{
    free(w->num);
    free(w->sq);
    w->num = w->sq = NULL;
}

void tsne_grad_exact(tsne_exact *w, const double *p, double exaggeration, const double *y,
                     size_t dims, double *grad, double *kl)
{
    const size_t n = w->n;
    double *num = w->num;
    udl_mat ym = udl_mat_view((double *)y, n, dims), nm = udl_mat_view(num, n, n);
    udl_mat gm = udl_mat_view(grad, n, dims);
    /* Shapes are the caller's own and agree, so the products cannot fail. */
    (void)udl_gemm(UDL_NOTRANS, UDL_TRANS, 1.0, ym, ym, 0.0, nm);
    for (size_t i = 0; i < n; i++)
        w->sq[i] = num[i * n + i];
    double z = 0.0;
    for (size_t i = 0; i < n; i++) {
        double *r = num + i * n;
        for (size_t j = 0; j < n; j++) {
            double d2 = w->sq[i] + w->sq[j] - 2.0 * r[j];
            r[j] = j == i ? 0.0 : 1.0 / (1.0 + (d2 > 0.0 ? d2 : 0.0));
            z += r[j];
        }
    }
    if (kl) {
        double s = 0.0;
        for (size_t t = 0; t < n * n; t++)
            if (p[t] > 0.0)
                s += p[t] * log(p[t] * z / num[t]);
        *kl = s;
    }
    for (size_t i = 0; i < n; i++) {
        double *r = num + i * n, rowsum = 0.0;
        const double *pr = p + i * n;
        for (size_t j = 0; j < n; j++) {
            r[j] = (exaggeration * pr[j] - r[j] / z) * r[j];
            rowsum += r[j];
        }
        w->sq[i] = rowsum;
    }
    (void)udl_gemm(UDL_NOTRANS, UDL_NOTRANS, -4.0, nm, ym, 0.0, gm);
    for (size_t i = 0; i < n; i++)
        for (size_t d = 0; d < dims; d++)
            grad[i * dims + d] += 4.0 * w->sq[i] * y[i * dims + d];
}
