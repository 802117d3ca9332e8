/* The input affinities P: per-point bandwidths by bisection on the perplexity, over all
 * pairs (exact) or over the nearest neighbours (Barnes-Hut), then symmetrised. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "tsne/internal.h"

#define CALIBRATE_TOL 1e-5
#define CALIBRATE_STEPS 200

void tsne_csr_free(tsne_csr *p)
{
    if (!p)
        return;
    free(p->row);
    free(p->col);
    free(p->val);
    memset(p, 0, sizeof *p);
}

double tsne_calibrate_row(const double *d2, size_t k, double perplexity, double *p)
{
    /* Distances are taken relative to the nearest, which leaves H and p unchanged but
     * keeps the exponentials from underflowing all at once for far-away points. */
    double dmin = INFINITY;
    for (size_t j = 0; j < k; j++)
        dmin = d2[j] < dmin ? d2[j] : dmin;
    const double target = log(perplexity);
    double beta = 1.0, lo = 0.0, hi = INFINITY, sum = 0.0;
    for (int step = 0; step < CALIBRATE_STEPS; step++) {
        double sum_dp = 0.0;
        sum = 0.0;
        for (size_t j = 0; j < k; j++) {
            double d = d2[j] - dmin;
            p[j] = exp(-beta * d);
            sum += p[j];
            sum_dp += d * p[j];
        }
        double h = log(sum) + beta * sum_dp / sum;
        if (fabs(h - target) < CALIBRATE_TOL)
            break;
        if (h > target) { /* too flat: narrow the Gaussian */
            lo = beta;
            beta = isinf(hi) ? beta * 2.0 : 0.5 * (beta + hi);
        } else {
            hi = beta;
            beta = 0.5 * (beta + lo);
        }
    }
    for (size_t j = 0; j < k; j++)
        p[j] /= sum;
    return beta;
}

udl_status tsne_p_dense(udl_mat x, double perplexity, double *p)
{
    const size_t n = x.rows;
    double *sq = udli_alloc(n, sizeof *sq, "t-SNE squared norms");
    if (!sq)
        return UDL_ENOMEM;
    udl_status s = udl_gemm(UDL_NOTRANS, UDL_TRANS, 1.0, x, x, 0.0, udl_mat_view(p, n, n));
    if (s) {
        free(sq);
        return s;
    }
    for (size_t i = 0; i < n; i++)
        sq[i] = p[i * n + i];
    int failed = 0;
    long ni = (long)n;
#pragma omp parallel reduction(| : failed)
    {
        /* A row's distances without the diagonal, and its conditional P. */
        double *d2 = udli_alloc(2 * n, sizeof *d2, "t-SNE calibration row");
        double *cond = d2 ? d2 + n : NULL;
        failed |= !d2;
#pragma omp for schedule(static)
        for (long li = 0; li < ni; li++) {
            if (!d2)
                continue;
            size_t i = (size_t)li, k = 0;
            double *row = p + i * n;
            for (size_t j = 0; j < n; j++) {
                if (j == i)
                    continue;
                double d = sq[i] + sq[j] - 2.0 * row[j];
                d2[k++] = d > 0.0 ? d : 0.0;
            }
            tsne_calibrate_row(d2, k, perplexity, cond);
            for (size_t j = 0, t = 0; j < n; j++)
                row[j] = j == i ? 0.0 : cond[t++];
        }
        free(d2);
    }
    free(sq);
    if (failed) /* a worker's sentence stays on its own thread: say it on the caller's */
        return udli_fail(UDL_ENOMEM, "out of memory for the t-SNE calibration rows");
    const double scale = 1.0 / (2.0 * (double)n);
    for (size_t i = 0; i < n; i++)
        for (size_t j = i; j < n; j++) {
            double v = (p[i * n + j] + p[j * n + i]) * scale;
            p[i * n + j] = p[j * n + i] = v;
        }
    return UDL_OK;
}

typedef struct entry {
    size_t col;
    double val;
} entry;

static int entry_cmp(const void *a, const void *b)
{
    size_t x = ((const entry *)a)->col, y = ((const entry *)b)->col;
    return (x > y) - (x < y);
}

udl_status tsne_p_sparse(udl_mat x, double perplexity, uint64_t seed, tsne_csr *out)
{
    const size_t n = x.rows;
    size_t k = (size_t)(3.0 * perplexity + 1.0);
    if (k > n - 1)
        k = n - 1;
    udl_status s = UDL_ENOMEM;
    size_t *idx = udli_alloc(n * k, sizeof *idx, "t-SNE neighbour indices");
    double *d2 = udli_alloc(n * k, sizeof *d2, "t-SNE neighbour distances");
    double *cond = udli_alloc(n * k, sizeof *cond, "t-SNE conditional affinities");
    size_t *count = udli_calloc(n + 1, sizeof *count, "t-SNE row counts");
    entry *e = udli_alloc(2 * n * k, sizeof *e, "t-SNE affinity entries");
    tsne_csr p = {0};
    if (!idx || !d2 || !cond || !count || !e)
        goto done;
    if ((s = tsne_knn(x, k, seed, idx, d2)))
        goto done;

    long ni = (long)n;
#pragma omp parallel for schedule(static)
    for (long i = 0; i < ni; i++)
        tsne_calibrate_row(d2 + (size_t)i * k, k, perplexity, cond + (size_t)i * k);

    /* Each conditional p(j|i) lands in row i and, transposed, in row j; rows are then
     * sorted and equal columns merged, giving p(j|i) + p(i|j) once per pair. */
    for (size_t i = 0; i < n * k; i++)
        count[idx[i] + 1]++;
    for (size_t i = 0; i < n; i++)
        count[i + 1] += k;
    for (size_t i = 0; i < n; i++)
        count[i + 1] += count[i];
    size_t *fill = udli_alloc(n, sizeof *fill, "t-SNE row fill");
    if (!fill) {
        s = UDL_ENOMEM;
        goto done;
    }
    memcpy(fill, count, n * sizeof *fill);
    for (size_t i = 0; i < n; i++)
        for (size_t t = 0; t < k; t++) {
            size_t j = idx[i * k + t];
            double v = cond[i * k + t];
            e[fill[i]++] = (entry){j, v};
            e[fill[j]++] = (entry){i, v};
        }
    free(fill);

    size_t nnz = 0;
    for (size_t i = 0; i < n; i++) {
        entry *r = e + count[i];
        size_t len = count[i + 1] - count[i];
        qsort(r, len, sizeof *r, entry_cmp);
        size_t m = 0;
        for (size_t t = 0; t < len; t++) {
            if (m && r[m - 1].col == r[t].col)
                r[m - 1].val += r[t].val;
            else
                r[m++] = r[t];
        }
        /* Shift the merged row down to its compact place (rows only move left). */
        memmove(e + nnz, r, m * sizeof *r);
        count[i] = nnz;
        nnz += m;
    }
    count[n] = nnz;
    p.n = n;
    p.row = count;
    p.col = udli_alloc(nnz, sizeof *p.col, "t-SNE affinity columns");
    p.val = udli_alloc(nnz, sizeof *p.val, "t-SNE affinity values");
    count = NULL;
    if (!p.col || !p.val) {
        s = UDL_ENOMEM;
        tsne_csr_free(&p);
        goto done;
    }
    const double scale = 1.0 / (2.0 * (double)n);
    for (size_t t = 0; t < nnz; t++) {
        p.col[t] = (uint32_t)e[t].col;
        p.val[t] = e[t].val * scale;
    }
    *out = p;
    s = UDL_OK;
done:
    free(idx);
    free(d2);
    free(cond);
    free(count);
    free(e);
    return s;
}
