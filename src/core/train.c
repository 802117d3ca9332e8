#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/tensor.h"
#include "core/train.h"

static udl_status check_spec(const udl_train_spec *s)
{
    udl_status st = udl_sgd_params_check(&s->sgd);
    if (st)
        return st;
    if (s->epochs == 0)
        return udl_fail(UDL_EINVAL, "%s: epochs must be at least 1", s->stage);
    if (s->batch_size == 0)
        return udl_fail(UDL_EINVAL, "%s: batch_size must be at least 1", s->stage);
    if (s->x.rows == 0)
        return udl_fail(UDL_EINVAL, "%s: the training data has no rows", s->stage);
    if (s->y.cols && s->y.rows != s->x.rows)
        return udl_fail(UDL_ESHAPE, "%s: %zu targets for %zu samples", s->stage, s->y.rows,
                        s->x.rows);
    return UDL_OK;
}

static void gather(udl_mat src, const size_t *rows, size_t count, udl_mat dst)
{
    for (size_t i = 0; i < count; i++)
        memcpy(dst.data + i * dst.ld, src.data + rows[i] * src.ld, src.cols * sizeof(double));
}

/* Parameters and velocities at the start of an epoch, to return to on a NaN loss. */
static size_t total_size(const udl_train_spec *s)
{
    size_t n = 0;
    for (size_t b = 0; b < s->n_blocks; b++)
        n += s->blocks[b].n;
    return n;
}

static void snapshot(const udl_train_spec *s, double *saved, int restore)
{
    for (size_t b = 0; b < s->n_blocks; b++) {
        const udl_param_block *k = &s->blocks[b];
        if (restore) {
            memcpy(k->param, saved, k->n * sizeof(double));
            memcpy(k->velocity, saved + k->n, k->n * sizeof(double));
        } else {
            memcpy(saved, k->param, k->n * sizeof(double));
            memcpy(saved + k->n, k->velocity, k->n * sizeof(double));
        }
        saved += 2 * k->n;
    }
}

udl_status udl_train(const udl_train_spec *s, size_t *epochs_done)
{
    if (epochs_done)
        *epochs_done = 0;
    udl_status st = check_spec(s);
    if (st)
        return st;
    const size_t n = s->x.rows, bs = s->batch_size < n ? s->batch_size : n;
    size_t *order = udl_alloc(n, sizeof(size_t), "training order");
    double *xb = udl_alloc(bs * s->x.cols, sizeof(double), "training batch");
    double *yb = udl_alloc(bs * s->y.cols, sizeof(double), "training targets");
    double *saved = udl_alloc(2 * total_size(s), sizeof(double), "parameter snapshot");
    if (!order || !xb || !yb || !saved) {
        st = UDL_ENOMEM;
        goto done;
    }
    for (size_t b = 0; b < s->n_blocks; b++)
        memset(s->blocks[b].velocity, 0, s->blocks[b].n * sizeof(double));
    for (size_t i = 0; i < n; i++)
        order[i] = i;
    for (size_t epoch = 0; epoch < s->epochs && !st; epoch++) {
        snapshot(s, saved, 0);
        udl_rng_shuffle(s->rng, order, n);
        double sum = 0.0;
        size_t batches = 0;
        for (size_t first = 0; first < n; first += bs, batches++) {
            size_t count = n - first < bs ? n - first : bs;
            udl_mat bx = udl_mat_view(xb, count, s->x.cols);
            udl_mat by = udl_mat_view(yb, count, s->y.cols);
            gather(s->x, order + first, count, bx);
            if (s->y.cols)
                gather(s->y, order + first, count, by);
            double loss = NAN;
            if ((st = s->batch(s->model, bx, by, &loss)))
                break;
            if (!isfinite(loss)) {
                snapshot(s, saved, 1);
                st = udl_fail(UDL_ENUMERIC, "%s: the loss became %g in epoch %zu, batch %zu; "
                              "the parameters of the start of that epoch were kept (try a "
                              "smaller learning rate)", s->stage, loss, epoch + 1, batches + 1);
                break;
            }
            sum += loss;
            for (size_t b = 0; b < s->n_blocks && !st; b++) {
                const udl_param_block *k = &s->blocks[b];
                st = udl_sgd_step(&s->sgd, k->param, k->velocity, k->grad, k->n, k->decay);
            }
        }
        if (st)
            break;
        double mean = sum / (double)batches;
        if (s->epoch_loss)
            s->epoch_loss[epoch] = mean;
        if (epochs_done)
            *epochs_done = epoch + 1;
        udl_progress pr = {s->stage, epoch + 1, s->epochs, mean};
        if (s->progress && s->progress(&pr, s->user))
            st = udl_fail(UDL_ECANCELED, "%s: canceled by the progress callback after epoch "
                          "%zu of %zu", s->stage, epoch + 1, s->epochs);
    }
done:
    free(order);
    free(xb);
    free(yb);
    free(saved);
    return st;
}
