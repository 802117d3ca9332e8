#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/model.h"
#include "core/tensor.h"
#include "core/train.h"

UDL_API udl_train_params udl_train_params_default(void)
{
    udl_train_params p;
    memset(&p, 0, sizeof p);
    p.epochs = 20;
    p.batch_size = 100;
    p.sgd = udl_sgd_params_default();
    p.seed = 1;
    p.warmup_momentum = 0.5;
    p.decay = UDL_DECAY_NONE;
    p.decay_rate = 1.0;
    p.decay_every = 1;
    return p;
}

UDL_API udl_status udl_train_params_check(const udl_train_params *p)
{
    if (!p)
        return udli_fail(UDL_EINVAL, "training parameters are NULL");
    if (p->epochs == 0 || p->epochs > UDL_MAX_EPOCHS)
        return udli_fail(UDL_EINVAL, "epochs must be 1 to %llu, got %zu",
                         (unsigned long long)UDL_MAX_EPOCHS, p->epochs);
    if (p->batch_size == 0 || p->batch_size > UDL_MAX_BATCH)
        return udli_fail(UDL_EINVAL, "batch_size must be 1 to %d, got %zu", UDL_MAX_BATCH,
                         p->batch_size);
    if (!(p->warmup_momentum >= 0.0 && p->warmup_momentum < 1.0))
        return udli_fail(UDL_EINVAL, "warmup_momentum must be in [0, 1), got %g",
                         p->warmup_momentum);
    if (p->warmup_epochs > UDL_MAX_EPOCHS)
        return udli_fail(UDL_EINVAL, "warmup_epochs %zu is more than %llu", p->warmup_epochs,
                         (unsigned long long)UDL_MAX_EPOCHS);
    if ((unsigned)p->decay > UDL_DECAY_EXPONENTIAL)
        return udli_fail(UDL_EINVAL, "unknown decay %d", (int)p->decay);
    if (!(p->decay_rate > 0.0 && p->decay_rate <= 1.0))
        return udli_fail(UDL_EINVAL, "decay_rate must be in (0, 1], got %g", p->decay_rate);
    if (p->decay_every == 0 || p->decay_every > UDL_MAX_EPOCHS)
        return udli_fail(UDL_EINVAL, "decay_every must be 1 to %llu, got %zu",
                         (unsigned long long)UDL_MAX_EPOCHS, p->decay_every);
    return udl_sgd_params_check(&p->sgd);
}

UDL_API udl_sgd_params udl_train_params_at(const udl_train_params *p, size_t epoch)
{
    if (!p)
        return udl_sgd_params_default();
    udl_sgd_params sgd = p->sgd;
    if (epoch < p->warmup_epochs)
        sgd.momentum = p->warmup_momentum;
    if (p->decay == UDL_DECAY_STEP && p->decay_every > 0)
        sgd.learning_rate *= pow(p->decay_rate, (double)(epoch / p->decay_every));
    else if (p->decay == UDL_DECAY_EXPONENTIAL)
        sgd.learning_rate *= pow(p->decay_rate, (double)epoch);
    /* A long decay would underflow to a rate of 0, which the optimizer refuses. */
    if (sgd.learning_rate < DBL_MIN && p->sgd.learning_rate > 0.0)
        sgd.learning_rate = DBL_MIN;
    return sgd;
}

static udl_status check_spec(const udli_train_spec *s)
{
    udl_status st = udl_train_params_check(&s->params);
    if (st)
        return udli_fail(st, "%s: %s", s->stage, udl_last_error());
    if (s->x.rows == 0 || (s->subset && s->n_subset == 0))
        return udli_fail(UDL_EINVAL, "%s: the training data has no rows", s->stage);
    if (s->y.cols && s->y.rows != s->x.rows)
        return udli_fail(UDL_ESHAPE, "%s: %zu targets for %zu samples", s->stage, s->y.rows,
                         s->x.rows);
    return UDL_OK;
}

/* Parameters and velocities at the start of an epoch, to return to when it stops. */
static size_t total_size(const udli_train_spec *s)
{
    size_t n = 0;
    for (size_t b = 0; b < s->n_blocks; b++)
        n += s->blocks[b].n;
    return n;
}

static void snapshot(const udli_train_spec *s, double *saved, int restore)
{
    for (size_t b = 0; b < s->n_blocks; b++) {
        const udli_param_block *k = &s->blocks[b];
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

/* Room for one more epoch, grown by doubling as epochs complete: the epochs asked for
 * may be many more than will run (a callback may stop them). */
static udl_status history_reserve(udli_history *h)
{
    if (h->n < h->cap)
        return UDL_OK;
    if (h->n >= SIZE_MAX / 4)
        return udli_fail(UDL_ENOMEM, "the training history cannot grow past %zu epochs", h->n);
    size_t cap = h->cap ? 2 * h->cap : 64;
    double *grown = udli_realloc(h->loss, cap, sizeof(double), "training history");
    if (!grown)
        return UDL_ENOMEM;
    h->loss = grown;
    h->cap = cap;
    return UDL_OK;
}

udl_status udli_train(const udli_train_spec *s, size_t *epochs_done)
{
    if (epochs_done)
        *epochs_done = 0;
    udl_status st = check_spec(s);
    if (st)
        return st;
    const size_t n = s->subset ? s->n_subset : s->x.rows;
    const size_t bs = s->params.batch_size < n ? s->params.batch_size : n;
    const size_t epochs = s->params.epochs, first_epoch = s->history ? s->history->n : 0;
    size_t *order = udli_alloc(n, sizeof(size_t), "training order");
    double *xb = udli_alloc(bs * s->x.cols, sizeof(double), "training batch");
    double *yb = udli_alloc(bs * s->y.cols, sizeof(double), "training targets");
    double *saved = udli_alloc(2 * total_size(s), sizeof(double), "parameter snapshot");
    if (!order || !xb || !yb || !saved) {
        st = UDL_ENOMEM;
        goto done;
    }
    for (size_t b = 0; b < s->n_blocks; b++)
        memset(s->blocks[b].velocity, 0, s->blocks[b].n * sizeof(double));
    for (size_t i = 0; i < n; i++)
        order[i] = s->subset ? s->subset[i] : i;
    for (size_t epoch = 0; epoch < epochs && !st; epoch++) {
        const udl_sgd_params sgd = udl_train_params_at(&s->params, first_epoch + epoch);
        if (s->history && (st = history_reserve(s->history)))
            break;
        snapshot(s, saved, 0);
        const udli_rng rng_at_start = *s->rng;
        udli_rng_shuffle(s->rng, order, n);
        double sum = 0.0;
        size_t batches = 0;
        const size_t per_epoch = (n + bs - 1) / bs;
        for (size_t first = 0; first < n && !st; first += bs, batches++) {
            size_t count = n - first < bs ? n - first : bs;
            udl_mat bx = udl_mat_view(xb, count, s->x.cols);
            udl_mat by = udl_mat_view(yb, count, s->y.cols);
            udli_mat_gather(s->x, order + first, count, bx);
            if (s->y.cols)
                udli_mat_gather(s->y, order + first, count, by);
            double loss = NAN;
            if ((st = s->batch(s->model, bx, by, &loss)))
                break;
            if (!isfinite(loss)) {
                st = udli_fail(UDL_ENUMERIC, "%s: the loss became %g in epoch %zu, batch %zu; "
                               "the parameters of the start of that epoch were kept (try a "
                               "smaller learning rate)", s->stage, loss, epoch + 1, batches + 1);
                break;
            }
            sum += loss;
            for (size_t b = 0; b < s->n_blocks && !st; b++) {
                const udli_param_block *k = &s->blocks[b];
                st = udl_sgd_step(&sgd, k->param, k->velocity, k->grad, k->n, k->decay);
            }
            if (!st && s->progress && batches + 1 < per_epoch) {
                udl_progress mid = {.stage = s->stage, .step = epoch + 1, .total = epochs,
                                    .loss = sum / (double)(batches + 1), .valid_loss = NAN,
                                    .valid_error = NAN, .batch = batches + 1,
                                    .batches = per_epoch};
                if (s->progress(&mid, s->user)) {
                    /* A model is only ever left at the end of an epoch: its history and
                     * schedule count whole epochs. */
                    st = udli_fail(UDL_ECANCELED, "%s: canceled by the progress callback in "
                                   "epoch %zu (batch %zu of %zu); the parameters of the start "
                                   "of that epoch were kept", s->stage, epoch + 1,
                                   batches + 1, per_epoch);
                }
            }
        }
        if (st) {
            /* Whatever stopped the epoch (a NaN loss, a cancel, a batch that ran out of
             * memory), the model goes back to its start, generator included: it holds
             * whole epochs, and a failed call made again gives what the first would have. */
            snapshot(s, saved, 1);
            *s->rng = rng_at_start;
            break;
        }
        /* A step can overflow the parameters without the loss it followed showing it
         * (the last batch's), and a model must not keep them. */
        for (size_t b = 0; b < s->n_blocks && !st; b++)
            if (!udli_all_finite(s->blocks[b].param, s->blocks[b].n)) {
                snapshot(s, saved, 1);
                *s->rng = rng_at_start;
                st = udli_fail(UDL_ENUMERIC, "%s: the parameters overflowed in epoch %zu; "
                               "those of its start were kept (try a smaller learning rate)",
                               s->stage, epoch + 1);
            }
        if (st)
            break;
        double mean = sum / (double)batches;
        if (s->history)
            s->history->loss[s->history->n++] = mean;
        if (epochs_done)
            *epochs_done = epoch + 1;
        udl_progress pr = {.stage = s->stage, .step = epoch + 1, .total = epochs, .loss = mean,
                           .valid_loss = NAN, .valid_error = NAN, .batch = batches,
                           .batches = per_epoch};
        int stop = 0;
        if (s->epoch_end && (st = s->epoch_end(s->model, &pr, &stop))) {
            /* Its checks failed (out of memory for the validation pass): the epoch is
             * taken back whole, so the weights and the history agree on the epochs. */
            if (s->history)
                s->history->n--;
            if (epochs_done)
                *epochs_done = epoch;
            snapshot(s, saved, 1);
            *s->rng = rng_at_start;
            break;
        }
        if (s->progress && s->progress(&pr, s->user))
            st = udli_fail(UDL_ECANCELED, "%s: canceled by the progress callback after epoch "
                           "%zu of %zu", s->stage, epoch + 1, epochs);
        if (stop)
            break;
    }
done:
    free(order);
    free(xb);
    free(yb);
    free(saved);
    return st;
}

void udli_history_free(udli_history *h)
{
    free(h->loss);
    h->loss = NULL;
    h->n = h->cap = 0;
}

udl_status udli_history_append(udli_history *h, double value)
{
    udl_status s = history_reserve(h);
    if (!s)
        h->loss[h->n++] = value;
    return s;
}

void udli_history_record(const udli_history *h, const char *name, udli_record *r)
{
    udli_record_matrix(r, name, 1, h->n, h->loss);
}

udl_status udli_history_read(const udli_container *c, const char *name, udli_history *h)
{
    udli_block b;
    udl_status s = udli_container_matrix(c, name, 1, SIZE_MAX, &b);
    if (s)
        return s;
    h->n = h->cap = 0;
    if (!(h->loss = udli_alloc(b.cols, sizeof(double), "training history")))
        return UDL_ENOMEM;
    memcpy(h->loss, b.data, b.cols * sizeof(double));
    h->n = h->cap = b.cols;
    return UDL_OK;
}

void udli_rng_seed_resumed(udli_rng *rng, uint64_t seed, size_t epochs_trained)
{
    udli_rng_seed(rng, seed ^ (0x9e3779b97f4a7c15ULL * (epochs_trained + 1)));
}

void udli_train_params_record(const udl_train_params *p, udli_record *r)
{
    udli_record_u64(r, "epochs", p->epochs);
    udli_record_u64(r, "batch_size", p->batch_size);
    udli_record_f64(r, "learning_rate", p->sgd.learning_rate);
    udli_record_f64(r, "momentum", p->sgd.momentum);
    udli_record_f64(r, "weight_decay", p->sgd.weight_decay);
    udli_record_u64(r, "nesterov", (uint64_t)p->sgd.nesterov);
    udli_record_u64(r, "seed", p->seed);
    udli_record_u64(r, "warmup_epochs", p->warmup_epochs);
    udli_record_f64(r, "warmup_momentum", p->warmup_momentum);
    udli_record_u64(r, "decay", (uint64_t)p->decay);
    udli_record_f64(r, "decay_rate", p->decay_rate);
    udli_record_u64(r, "decay_every", p->decay_every);
}

udl_status udli_train_params_read(const udli_container *c, udl_train_params *p)
{
    *p = udl_train_params_default();
    int decay = 0;
    udl_status s;
    if ((s = udli_container_size(c, "epochs", 1, UDL_MAX_EPOCHS, &p->epochs)) ||
        (s = udli_container_size(c, "batch_size", 1, UDL_MAX_BATCH, &p->batch_size)) ||
        (s = udli_container_f64(c, "learning_rate", 0.0, INFINITY, &p->sgd.learning_rate)) ||
        (s = udli_container_f64(c, "momentum", 0.0, 1.0, &p->sgd.momentum)) ||
        (s = udli_container_f64(c, "weight_decay", 0.0, INFINITY, &p->sgd.weight_decay)) ||
        (s = udli_container_int(c, "nesterov", 0, 1, &p->sgd.nesterov)))
        return s;
    if (udli_container_version(c) == 1) {
        uint64_t hi, lo;
        if ((s = udli_container_u64(c, "seed_hi", 0, UINT32_MAX, &hi)) ||
            (s = udli_container_u64(c, "seed_lo", 0, UINT32_MAX, &lo)))
            return s;
        p->seed = hi << 32 | lo;
    } else if ((s = udli_container_u64(c, "seed", 0, UINT64_MAX, &p->seed)) ||
               (s = udli_container_size(c, "warmup_epochs", 0, UDL_MAX_EPOCHS,
                                        &p->warmup_epochs)) ||
               (s = udli_container_f64(c, "warmup_momentum", 0.0, 1.0, &p->warmup_momentum)) ||
               (s = udli_container_int(c, "decay", 0, UDL_DECAY_EXPONENTIAL, &decay)) ||
               (s = udli_container_f64(c, "decay_rate", 0.0, 1.0, &p->decay_rate)) ||
               (s = udli_container_size(c, "decay_every", 1, UDL_MAX_EPOCHS, &p->decay_every))) {
        return s;
    }
    p->decay = (udl_decay)decay;
    if (udl_train_params_check(p))
        return udli_fail(UDL_EFORMAT, "%s: the training parameters are invalid: %s",
                         udli_container_path(c), udl_last_error());
    return UDL_OK;
}

UDLI_CHOICE_NAMES(decay_choice, "none", "step", "exponential")

const udli_field_doc udli_train_field_docs[] = {
    {"epochs", "training: the epochs each call to train runs", NULL, NULL},
    {"batch_size", "training: rows per mini-batch", NULL, NULL},
    {"learning_rate", "training: the SGD learning rate (before the decay schedule)", NULL,
     NULL},
    {"momentum", "training: the SGD momentum (after the warm-up epochs)", NULL, NULL},
    {"weight_decay", "training: the L2 weight decay coefficient (on weights, not biases)", NULL,
     NULL},
    {"nesterov", "training: 1 for Nesterov momentum, 0 for classical", NULL, NULL},
    {"seed", "training: the seed of the initial weights, shuffling and noise", NULL, NULL},
    {"seed_hi", "training (format 1): the high 32 bits of the seed", NULL, NULL},
    {"seed_lo", "training (format 1): the low 32 bits of the seed", NULL, NULL},
    {"warmup_epochs", "training: the first epochs, which use warmup_momentum", NULL, NULL},
    {"warmup_momentum", "training: the momentum of the warm-up epochs", NULL, NULL},
    {"decay", "training: the learning-rate schedule (none, step: times decay_rate every "
              "decay_every epochs, exponential: times decay_rate every epoch)",
     decay_choice, NULL},
    {"decay_rate", "training: the factor of the learning-rate decay", NULL, NULL},
    {"decay_every", "training: the epochs between two steps of step decay", NULL, NULL},
    {"history", "the mean training loss of each epoch trained, oldest first (1 x epochs "
                "trained)", NULL, NULL},
    {NULL, NULL, NULL, NULL}};
