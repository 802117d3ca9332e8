/* Internal: checks on views and the elementwise kernels the models share. All
 * kernels take views whose shapes the caller has already checked; out may be the
 * same view as in (in-place). */
#ifndef UDL_CORE_TENSOR_H
#define UDL_CORE_TENSOR_H

#include <udl/matrix.h>

/* UDL_EINVAL with a sentence using name when m is not a usable view (NULL data with
 * rows*cols > 0, ld < cols, or rows*ld overflowing). Zero-sized views are valid. */
udl_status udli_mat_check(udl_mat m, const char *name);

/* UDL_EINVAL naming the first NaN or infinity in m, else UDL_OK. */
udl_status udli_mat_check_finite(udl_mat m, const char *name);

/* The checks every model makes of its data: a usable view of finite values with cols
 * columns (UDL_ESHAPE otherwise); and an output view of rows x cols. */
udl_status udli_mat_check_data(udl_mat x, size_t cols, const char *name);
udl_status udli_mat_check_output(udl_mat out, size_t rows, size_t cols, const char *name);

/* Copies src into dst (same shape). */
void udli_mat_copy(udl_mat src, udl_mat dst);
/* dst (c x r) = src (r x c) transposed. */
void udli_mat_transpose(udl_mat src, udl_mat dst);
/* Row i of dst = row rows[i] of src, for i < count. */
void udli_mat_gather(udl_mat src, const size_t *rows, size_t count, udl_mat dst);
/* Sets every element of m to value. */
void udli_mat_fill(udl_mat m, double value);

/* Elementwise activations. sigmoid never overflows: for |x| > 700 it saturates
 * to 0 or 1 exactly as the closed form does in the limit. */
void udli_sigmoid(udl_mat in, udl_mat out);
void udli_tanh(udl_mat in, udl_mat out);
void udli_relu(udl_mat in, udl_mat out);
/* softplus(x) = log(1 + e^x), computed as max(x, 0) + log1p(e^-|x|). */
void udli_softplus(udl_mat in, udl_mat out);

/* Derivatives multiplied into a gradient: grad <- grad * f'(.), where the sigmoid
 * and tanh forms take the activation's output y (y(1-y), 1-y^2) and relu takes
 * its input x (1 for x > 0, else 0). */
void udli_sigmoid_backward(udl_mat y, udl_mat grad);
void udli_tanh_backward(udl_mat y, udl_mat grad);
void udli_relu_backward(udl_mat x, udl_mat grad);

/* Row-wise softmax with the row maximum subtracted first; out may alias in. */
void udli_softmax_rows(udl_mat in, udl_mat out);
/* lse[i] = log sum_j exp(m[i][j]), stable for any finite inputs. */
void udli_logsumexp_rows(udl_mat m, double *lse);

/* out[i][j] = in[i][j] + alpha * bias[j] for every row i (one pass, so centring a
 * copy of the data costs no more than copying it). */
void udli_add_row_vector(udl_mat in, const double *bias, double alpha, udl_mat out);
/* out[i][j] = in[i][j] * scale[j] for every row i. */
void udli_scale_cols(udl_mat in, const double *scale, udl_mat out);
/* |v|_2 of n values. */
double udli_norm2(const double *v, size_t n);
/* out = a * b elementwise (same shapes). */
void udli_mul(udl_mat a, udl_mat b, udl_mat out);
/* sums[j] = sum_i m[i][j]; means[j] = sums[j] / rows (0 for zero rows). */
void udli_col_sums(udl_mat m, double *sums);
void udli_col_means(udl_mat m, double *means);

#endif
