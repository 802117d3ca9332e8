#include <cblas.h>
#include <lapacke.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <udl/matrix.h>

#include "core/error.h"
#include "core/tensor.h"

UDL_API udl_mat udl_mat_view(double *data, size_t rows, size_t cols)
{
    udl_mat m = {data, rows, cols, cols};
    return m;
}

UDL_API udl_mat udl_mat_rows(udl_mat m, size_t first, size_t count)
{
    if (first > m.rows)
        first = m.rows;
    if (count > m.rows - first)
        count = m.rows - first;
    udl_mat r = {m.data ? m.data + first * m.ld : NULL, count, m.cols, m.ld};
    return r;
}

udl_status udli_mat_check(udl_mat m, const char *name)
{
    if (m.ld < m.cols)
        return udli_fail(UDL_EINVAL, "%s has leading dimension %zu smaller than its %zu columns",
                         name, m.ld, m.cols);
    if (m.rows && m.cols && !m.data)
        return udli_fail(UDL_EINVAL, "%s is %zu x %zu but its data pointer is NULL", name,
                         m.rows, m.cols);
    if (m.rows && m.ld > SIZE_MAX / sizeof(double) / m.rows)
        return udli_fail(UDL_EINVAL, "%s is too large to address (%zu rows, ld %zu)", name,
                         m.rows, m.ld);
    return UDL_OK;
}

udl_status udli_mat_check_finite(udl_mat m, const char *name)
{
    for (size_t i = 0; i < m.rows; i++)
        for (size_t j = 0; j < m.cols; j++)
            if (!isfinite(m.data[i * m.ld + j]))
                return udli_fail(UDL_EINVAL, "%s[%zu][%zu] is %g; data must be finite", name, i,
                                 j, m.data[i * m.ld + j]);
    return UDL_OK;
}

udl_status udli_mat_check_data(udl_mat x, size_t cols, const char *name)
{
    udl_status s = udli_mat_check(x, name);
    if (s || (s = udli_mat_check_finite(x, name)))
        return s;
    if (x.cols != cols)
        return udli_fail(UDL_ESHAPE, "%s has %zu columns, the model expects %zu", name, x.cols,
                         cols);
    return UDL_OK;
}

udl_status udli_mat_check_output(udl_mat out, size_t rows, size_t cols, const char *name)
{
    udl_status s = udli_mat_check(out, name);
    if (s)
        return s;
    if (out.rows != rows || out.cols != cols)
        return udli_fail(UDL_ESHAPE, "%s is %zu x %zu, expected %zu x %zu", name, out.rows,
                         out.cols, rows, cols);
    return UDL_OK;
}

void udli_mat_copy(udl_mat src, udl_mat dst)
{
    for (size_t i = 0; i < src.rows; i++)
        memmove(dst.data + i * dst.ld, src.data + i * src.ld, src.cols * sizeof(double));
}

void udli_mat_transpose(udl_mat src, udl_mat dst)
{
    for (size_t r = 0; r < dst.rows; r++)
        for (size_t c = 0; c < dst.cols; c++)
            dst.data[r * dst.ld + c] = src.data[c * src.ld + r];
}

void udli_mat_gather(udl_mat src, const size_t *rows, size_t count, udl_mat dst)
{
    for (size_t i = 0; i < count; i++)
        memcpy(dst.data + i * dst.ld, src.data + rows[i] * src.ld, src.cols * sizeof(double));
}

void udli_mat_fill(udl_mat m, double value)
{
    for (size_t i = 0; i < m.rows; i++)
        for (size_t j = 0; j < m.cols; j++)
            m.data[i * m.ld + j] = value;
}

static int fits_blas_int(size_t v) { return v <= (size_t)INT_MAX; }

UDL_API udl_status udl_gemm(udl_trans trans_a, udl_trans trans_b, double alpha, udl_mat a,
                            udl_mat b, double beta, udl_mat c)
{
    udl_status s;
    if ((s = udli_mat_check(a, "gemm: A")) || (s = udli_mat_check(b, "gemm: B")) ||
        (s = udli_mat_check(c, "gemm: C")))
        return s;
    if ((trans_a != UDL_NOTRANS && trans_a != UDL_TRANS) ||
        (trans_b != UDL_NOTRANS && trans_b != UDL_TRANS))
        return udli_fail(UDL_EINVAL, "gemm: transpose flags must be UDL_NOTRANS or UDL_TRANS");
    size_t m = trans_a ? a.cols : a.rows, k = trans_a ? a.rows : a.cols;
    size_t kb = trans_b ? b.cols : b.rows, n = trans_b ? b.rows : b.cols;
    if (k != kb)
        return udli_fail(UDL_ESHAPE, "gemm: op(A) is %zu x %zu but op(B) is %zu x %zu", m, k,
                         kb, n);
    if (c.rows != m || c.cols != n)
        return udli_fail(UDL_ESHAPE, "gemm: C is %zu x %zu but op(A) op(B) is %zu x %zu",
                         c.rows, c.cols, m, n);
    if (!fits_blas_int(m) || !fits_blas_int(n) || !fits_blas_int(k) ||
        !fits_blas_int(a.ld) || !fits_blas_int(b.ld) || !fits_blas_int(c.ld))
        return udli_fail(UDL_EINVAL, "gemm: a dimension exceeds the BLAS integer range (%d)",
                         INT_MAX);
    if (m == 0 || n == 0)
        return UDL_OK;
    if (k == 0 || alpha == 0.0) {
        /* BLAS leaves this case to beta alone; beta == 0 must clear NaNs, not scale them. */
        for (size_t i = 0; i < m; i++)
            for (size_t j = 0; j < n; j++) {
                double *x = &c.data[i * c.ld + j];
                *x = beta == 0.0 ? 0.0 : beta * *x;
            }
        return UDL_OK;
    }
    cblas_dgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
                trans_b ? CblasTrans : CblasNoTrans, (int)m, (int)n, (int)k, alpha, a.data,
                (int)(a.ld ? a.ld : 1), b.data, (int)(b.ld ? b.ld : 1), beta, c.data,
                (int)(c.ld ? c.ld : 1));
    return UDL_OK;
}

UDL_API udl_status udl_syevd(udl_mat a, double *eigenvalues)
{
    udl_status s = udli_mat_check(a, "syevd: A");
    if (s)
        return s;
    if (a.rows != a.cols)
        return udli_fail(UDL_ESHAPE, "syevd: A must be square, got %zu x %zu", a.rows, a.cols);
    size_t n = a.rows;
    if (n == 0)
        return UDL_OK;
    if (!eigenvalues)
        return udli_fail(UDL_EINVAL, "syevd: eigenvalues is NULL");
    if (!fits_blas_int(n) || !fits_blas_int(a.ld))
        return udli_fail(UDL_EINVAL, "syevd: %zu x %zu exceeds the LAPACK integer range", n, n);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j <= i; j++)
            if (!isfinite(a.data[i * a.ld + j]))
                return udli_fail(UDL_EINVAL, "syevd: A[%zu][%zu] is %g; A must be finite", i, j,
                                 a.data[i * a.ld + j]);
    lapack_int info = LAPACKE_dsyevd(LAPACK_ROW_MAJOR, 'V', 'L', (lapack_int)n, a.data,
                                     (lapack_int)a.ld, eigenvalues);
    if (info == LAPACK_WORK_MEMORY_ERROR)
        return udli_fail(UDL_ENOMEM, "syevd: LAPACKE_dsyevd could not allocate its workspace");
    if (info < 0)
        return udli_fail(UDL_EINVAL, "syevd: LAPACKE_dsyevd rejected argument %d", (int)-info);
    if (info > 0)
        return udli_fail(UDL_ENUMERIC, "syevd: LAPACKE_dsyevd failed to converge (info %d)",
                         (int)info);
    /* LAPACK returns ascending order; reverse values and eigenvector columns. */
    for (size_t lo = 0, hi = n - 1; lo < hi; lo++, hi--) {
        double t = eigenvalues[lo];
        eigenvalues[lo] = eigenvalues[hi];
        eigenvalues[hi] = t;
        for (size_t i = 0; i < n; i++) {
            double *row = a.data + i * a.ld;
            t = row[lo];
            row[lo] = row[hi];
            row[hi] = t;
        }
    }
    return UDL_OK;
}
