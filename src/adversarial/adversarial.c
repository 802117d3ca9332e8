/* Adversarial examples from a classifier's input gradients: the fast gradient methods
 * (L-inf sign and L2), iterative BIM and PGD with random restarts, DeepFool's minimal L2
 * perturbation, and adversarial training as a batch hook of the classifier's training. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <udl/adversarial.h>

#include "core/error.h"
#include "core/rng.h"
#include "core/tensor.h"
#include "dnn/internal.h"

/* Rows per DeepFool block: its K gradients per row are the memory it needs. */
#define DEEPFOOL_ROWS 256

UDL_API udl_attack_params udl_attack_params_default(udl_attack_method method)
{
    udl_attack_params p;
    memset(&p, 0, sizeof p);
    p.method = method;
    p.eps = 0.1;
    p.steps = method == UDL_ATTACK_DEEPFOOL ? 50 : 10;
    p.restarts = 1;
    p.clip_min = 0.0;
    p.clip_max = 1.0;
    p.overshoot = 0.02;
    p.seed = 1;
    return p;
}

static int is_l2(udl_attack_method m) { return m == UDL_ATTACK_FGM_L2 || m == UDL_ATTACK_PGD_L2; }
static int iterative(udl_attack_method m)
{
    return m == UDL_ATTACK_BIM || m == UDL_ATTACK_PGD || m == UDL_ATTACK_PGD_L2;
}

static udl_status check_params(const udl_attack_params *p)
{
    if (!p)
        return udli_fail(UDL_EINVAL, "attack: params is NULL");
    if ((unsigned)p->method > UDL_ATTACK_DEEPFOOL)
        return udli_fail(UDL_EINVAL, "attack: unknown method %d", (int)p->method);
    if (p->method != UDL_ATTACK_DEEPFOOL && !(p->eps > 0.0 && isfinite(p->eps)))
        return udli_fail(UDL_EINVAL, "attack: eps must be a positive number, got %g", p->eps);
    if ((iterative(p->method) || p->method == UDL_ATTACK_DEEPFOOL) &&
        (p->steps == 0 || p->steps > 100000))
        return udli_fail(UDL_EINVAL, "attack: steps must be 1 to 100000, got %zu", p->steps);
    if (!(p->step_size >= 0.0 && isfinite(p->step_size)))
        return udli_fail(UDL_EINVAL, "attack: step_size must be a number >= 0 (0: 2.5 eps / "
                         "steps), got %g", p->step_size);
    const int pgd = p->method == UDL_ATTACK_PGD || p->method == UDL_ATTACK_PGD_L2;
    if (pgd && (p->restarts == 0 || p->restarts > 1000))
        return udli_fail(UDL_EINVAL, "attack: restarts must be 1 to 1000, got %zu", p->restarts);
    if (p->targeted != 0 && p->targeted != 1)
        return udli_fail(UDL_EINVAL, "attack: targeted must be 0 or 1, got %d", p->targeted);
    if (isnan(p->clip_min) || isnan(p->clip_max) || !(p->clip_min < p->clip_max))
        return udli_fail(UDL_EINVAL, "attack: the input range [%g, %g] is empty", p->clip_min,
                         p->clip_max);
    if (!(p->overshoot >= 0.0 && p->overshoot <= 10.0))
        return udli_fail(UDL_EINVAL, "attack: overshoot must be in [0, 10], got %g",
                         p->overshoot);
    return UDL_OK;
}

/* The classifier's classes. */
static size_t n_classes(const udl_dnn *dnn)
{
    size_t n;
    const size_t *sizes = udl_dnn_sizes(dnn, &n);
    return sizes[n - 1];
}

/* Every value of x inside [lo, hi]. */
static udl_status check_range(udl_mat x, double lo, double hi, const char *who)
{
    for (size_t i = 0; i < x.rows; i++)
        for (size_t j = 0; j < x.cols; j++) {
            const double v = x.data[i * x.ld + j];
            if (v < lo || v > hi)
                return udli_fail(UDL_EINVAL, "%s: X[%zu][%zu] is %g, outside the valid input "
                                 "range [%g, %g]", who, i, j, v, lo, hi);
        }
    return UDL_OK;
}

static double clamp(double v, double lo, double hi) { return v < lo ? lo : v > hi ? hi : v; }

/* adv into the ball of radius eps around x (L-inf or L2), then into the valid range (which
 * only shrinks the perturbation, since x is inside it). */
static void project(const udl_attack_params *p, udl_mat x, udl_mat adv)
{
    for (size_t i = 0; i < x.rows; i++) {
        const double *xi = x.data + i * x.ld;
        double *a = adv.data + i * adv.ld;
        if (is_l2(p->method)) {
            double s = 0.0;
            for (size_t j = 0; j < x.cols; j++)
                s += (a[j] - xi[j]) * (a[j] - xi[j]);
            const double n = sqrt(s), f = n > p->eps ? p->eps / n : 1.0;
            for (size_t j = 0; j < x.cols; j++)
                a[j] = xi[j] + f * (a[j] - xi[j]);
        } else if (p->method != UDL_ATTACK_DEEPFOOL) {
            for (size_t j = 0; j < x.cols; j++)
                a[j] = clamp(a[j], xi[j] - p->eps, xi[j] + p->eps);
        }
        for (size_t j = 0; j < x.cols; j++)
            a[j] = clamp(a[j], p->clip_min, p->clip_max);
    }
}

/* adv += size * direction of g, towards a higher loss (lower when targeted): sign(g) for
 * the L-inf methods, g / |g|_2 for the L2 ones. */
static void step(const udl_attack_params *p, udl_mat g, double size, udl_mat adv)
{
    const double dir = p->targeted ? -size : size;
    for (size_t i = 0; i < g.rows; i++) {
        const double *gi = g.data + i * g.ld;
        double *a = adv.data + i * adv.ld;
        if (is_l2(p->method)) {
            const double n = udli_norm2(gi, g.cols);
            if (n > 0.0)
                for (size_t j = 0; j < g.cols; j++)
                    a[j] += dir * gi[j] / n;
        } else {
            for (size_t j = 0; j < g.cols; j++)
                a[j] += dir * (double)((gi[j] > 0.0) - (gi[j] < 0.0));
        }
    }
}

/* Each row's loss against its label, from predict_proba. */
static udl_status row_losses(const udl_dnn *dnn, udl_mat x, udl_mat labels, double *prob,
                             size_t k, double *loss)
{
    udl_status s = udl_dnn_predict_proba(dnn, x, udl_mat_view(prob, x.rows, k));
    for (size_t i = 0; !s && i < x.rows; i++) {
        const double p = prob[i * k + (size_t)labels.data[i * labels.ld]];
        loss[i] = -log(p > 1e-300 ? p : 1e-300);
    }
    return s;
}

/* FGSM, FGM-L2, BIM, PGD, PGD-L2. */
static udl_status gradient_attack(const udl_dnn *dnn, const udl_attack_params *p, udl_mat x,
                                  udl_mat labels, udl_mat xadv)
{
    const size_t n = x.rows, d = x.cols, k = n_classes(dnn);
    const int pgd = p->method == UDL_ATTACK_PGD || p->method == UDL_ATTACK_PGD_L2;
    const size_t steps = iterative(p->method) ? p->steps : 1, restarts = pgd ? p->restarts : 1;
    const double size = !iterative(p->method) ? p->eps
                        : p->step_size > 0.0  ? p->step_size
                                              : 2.5 * p->eps / (double)steps;
    double *g = udli_alloc(n, d * sizeof(double), "attack gradients");
    double *cur = restarts > 1 ? udli_alloc(n, d * sizeof(double), "attack restart") : NULL;
    double *best = restarts > 1 ? udli_alloc(n, 2 * sizeof(double), "attack losses") : NULL;
    double *prob = restarts > 1 ? udli_alloc(n, k * sizeof(double), "attack probabilities") : NULL;
    udl_status s = UDL_OK;
    if (!g || (restarts > 1 && (!cur || !best || !prob))) {
        s = UDL_ENOMEM;
        goto done;
    }
    udli_rng rng;
    udli_rng_seed(&rng, p->seed);
    udl_mat gm = udl_mat_view(g, n, d);
    for (size_t r = 0; r < restarts && !s; r++) {
        udl_mat adv = restarts > 1 ? udl_mat_view(cur, n, d) : xadv;
        udli_mat_copy(x, adv);
        if (pgd) { /* a uniform start in the L-inf ball, or in the L2 ball */
            for (size_t i = 0; i < n; i++) {
                double *a = adv.data + i * adv.ld, *dir = g + i * d;
                if (!is_l2(p->method)) {
                    for (size_t j = 0; j < d; j++)
                        a[j] += p->eps * (2.0 * udli_rng_uniform(&rng) - 1.0);
                    continue;
                }
                for (size_t j = 0; j < d; j++)
                    dir[j] = udli_rng_normal(&rng);
                const double len = udli_norm2(dir, d);
                const double radius = p->eps * pow(udli_rng_uniform(&rng), 1.0 / (double)d);
                for (size_t j = 0; j < d && len > 0.0; j++)
                    a[j] += radius * dir[j] / len;
            }
            project(p, x, adv);
        }
        for (size_t t = 0; t < steps && !s; t++) {
            if ((s = udl_dnn_input_gradient(dnn, adv, labels, gm, NULL)))
                break;
            step(p, gm, size, adv);
            project(p, x, adv);
        }
        if (s || restarts == 1)
            continue;
        /* keep, per row, the restart whose loss went furthest the attack's way */
        double *loss = best + n;
        if ((s = row_losses(dnn, adv, labels, prob, k, loss)))
            break;
        for (size_t i = 0; i < n; i++) {
            const int better = p->targeted ? loss[i] < best[i] : loss[i] > best[i];
            if (r == 0 || better) {
                best[i] = loss[i];
                memcpy(xadv.data + i * xadv.ld, adv.data + i * adv.ld, d * sizeof(double));
            }
        }
    }
done:
    free(g);
    free(cur);
    free(best);
    free(prob);
    return s;
}

/* DeepFool on a block of rows: from each row's current point, the linearised classifier's
 * nearest boundary between its original class and another, a step just past it, until the
 * label changes or the iterations run out. The steps add up in r; the result is
 * x + (1 + overshoot) r, clipped. Each iteration works on the rows still unchanged only
 * (gathered into xa), with one forward pass and a backward pass per class. */
typedef struct deepfool_ws {
    double *grads, *scores, *r, *xa; /* K x rows x D, K x rows, rows x D, rows x D */
    size_t *active, *orig;           /* rows each */
} deepfool_ws;

/* Row a's step towards the nearest boundary, added to r_i; 0 when the classifier is flat
 * there (no boundary to find). */
static int deepfool_step(const double *grads, const double *scores, size_t m, size_t a,
                         size_t d, size_t k, size_t o, double *ri)
{
    const double *go = grads + (o * m + a) * d;
    double best = INFINITY, best_f = 0.0, best_w2 = 0.0;
    size_t best_c = o;
    for (size_t c = 0; c < k; c++) {
        if (c == o)
            continue;
        const double *gc = grads + (c * m + a) * d;
        double w2 = 0.0;
        for (size_t j = 0; j < d; j++)
            w2 += (gc[j] - go[j]) * (gc[j] - go[j]);
        const double f = scores[c * m + a] - scores[o * m + a];
        const double dist = fabs(f) / (sqrt(w2) + 1e-300);
        if (dist < best) {
            best = dist;
            best_f = f;
            best_w2 = w2;
            best_c = c;
        }
    }
    if (best_c == o || best_w2 == 0.0)
        return 0;
    const double *gc = grads + (best_c * m + a) * d;
    const double scale = (fabs(best_f) + 1e-4) / best_w2;
    for (size_t j = 0; j < d; j++)
        ri[j] += scale * (gc[j] - go[j]);
    return 1;
}

static udl_status deepfool_block(const udl_dnn *dnn, const udl_attack_params *p, udl_mat x,
                                 udl_mat xadv, const deepfool_ws *w)
{
    const size_t n = x.rows, d = x.cols, k = n_classes(dnn);
    memset(w->r, 0, n * d * sizeof(double));
    udli_mat_copy(x, xadv);
    size_t m = n;
    for (size_t i = 0; i < n; i++)
        w->active[i] = i;
    for (size_t it = 0; it <= p->steps && m; it++) {
        udl_mat xa = udl_mat_view(w->xa, m, d);
        udli_mat_gather(xadv, w->active, m, xa);
        udl_status s = udli_dnn_score_gradients(dnn, xa, w->grads, w->scores);
        if (s)
            return s;
        size_t still = 0;
        for (size_t a = 0; a < m; a++) {
            const size_t i = w->active[a];
            size_t label = 0;
            for (size_t c = 1; c < k; c++)
                label = w->scores[c * m + a] > w->scores[label * m + a] ? c : label;
            if (it == 0)
                w->orig[i] = label;
            double *ri = w->r + i * d, *adv = xadv.data + i * xadv.ld;
            if (label != w->orig[i] || it == p->steps ||
                !deepfool_step(w->grads, w->scores, m, a, d, k, w->orig[i], ri))
                continue;
            const double *xi = x.data + i * x.ld;
            for (size_t j = 0; j < d; j++)
                adv[j] = clamp(xi[j] + (1.0 + p->overshoot) * ri[j], p->clip_min, p->clip_max);
            w->active[still++] = i;
        }
        m = still;
    }
    return UDL_OK;
}

static udl_status deepfool(const udl_dnn *dnn, const udl_attack_params *p, udl_mat x,
                           udl_mat xadv)
{
    const size_t d = x.cols, k = n_classes(dnn);
    const size_t rows = x.rows < DEEPFOOL_ROWS ? x.rows : DEEPFOOL_ROWS;
    deepfool_ws w = {udli_alloc(rows * k, d * sizeof(double), "deepfool gradients"),
                     udli_alloc(rows, k * sizeof(double), "deepfool scores"),
                     udli_alloc(rows, d * sizeof(double), "deepfool steps"),
                     udli_alloc(rows, d * sizeof(double), "deepfool rows"),
                     udli_alloc(rows, sizeof(size_t), "deepfool rows"),
                     udli_alloc(rows, sizeof(size_t), "deepfool labels")};
    udl_status s = (!w.grads || !w.scores || !w.r || !w.xa || !w.active || !w.orig)
                       ? UDL_ENOMEM : UDL_OK;
    for (size_t first = 0; first < x.rows && !s; first += DEEPFOOL_ROWS)
        s = deepfool_block(dnn, p, udl_mat_rows(x, first, DEEPFOOL_ROWS),
                           udl_mat_rows(xadv, first, DEEPFOOL_ROWS), &w);
    free(w.grads);
    free(w.scores);
    free(w.r);
    free(w.xa);
    free(w.active);
    free(w.orig);
    return s;
}

static udl_status fill_report(const udl_dnn *dnn, udl_mat x, udl_mat xadv,
                              const udl_attack_report *rep)
{
    udl_status s = UDL_OK;
    if (rep->label_before)
        s = udl_dnn_predict(dnn, x, udl_mat_view(rep->label_before, x.rows, 1));
    if (!s && rep->label_after)
        s = udl_dnn_predict(dnn, xadv, udl_mat_view(rep->label_after, x.rows, 1));
    for (size_t i = 0; !s && i < x.rows; i++) {
        const double *a = x.data + i * x.ld, *b = xadv.data + i * xadv.ld;
        double inf = 0.0, sq = 0.0;
        for (size_t j = 0; j < x.cols; j++) {
            const double e = fabs(b[j] - a[j]);
            inf = e > inf ? e : inf;
            sq += e * e;
        }
        if (rep->linf)
            rep->linf[i] = inf;
        if (rep->l2)
            rep->l2[i] = sqrt(sq);
    }
    return s;
}

static udl_status check_call(const udl_dnn *dnn, const udl_attack_params *p, udl_mat x,
                             udl_mat labels, udl_mat xadv)
{
    if (!dnn)
        return udli_fail(UDL_EINVAL, "attack: the classifier is NULL");
    udl_status s = check_params(p);
    if (s)
        return s;
    size_t n_sizes;
    const size_t *sizes = udl_dnn_sizes(dnn, &n_sizes);
    if ((s = udli_mat_check_data(x, sizes[0], "attack: X")) ||
        (s = udli_mat_check_output(xadv, x.rows, sizes[0], "attack: Xadv")))
        return s;
    if (x.rows == 0)
        return udli_fail(UDL_EINVAL, "attack: X has no rows");
    /* every step is measured from X: the two must be apart */
    const double *xe = x.data + (x.rows - 1) * x.ld + x.cols;
    const double *ae = xadv.data + (xadv.rows - 1) * xadv.ld + xadv.cols;
    if (x.data < ae && xadv.data < xe)
        return udli_fail(UDL_EINVAL, "attack: Xadv overlaps X; the examples need a buffer of "
                         "their own");
    /* the gradients check the labels against the classes; DeepFool takes none */
    (void)labels;
    return check_range(x, p->clip_min, p->clip_max, "attack");
}

UDL_API udl_status udl_attack(const udl_dnn *dnn, const udl_attack_params *params, udl_mat x,
                              udl_mat labels, udl_mat xadv, udl_attack_report *report)
{
    udl_status s = check_call(dnn, params, x, labels, xadv);
    if (s)
        return s;
    if (params->method == UDL_ATTACK_DEEPFOOL) {
        if (params->targeted)
            return udli_fail(UDL_EINVAL, "attack: DeepFool is untargeted");
        s = deepfool(dnn, params, x, xadv);
    } else {
        s = gradient_attack(dnn, params, x, labels, xadv);
    }
    return s || !report ? s : fill_report(dnn, x, xadv, report);
}

/* ---- adversarial training ------------------------------------------------------------------- */

typedef struct perturber {
    udl_attack_params p;
    uint64_t batches; /* a new seed for each batch's random starts */
} perturber;

static udl_status perturb(const udl_dnn *dnn, udl_mat x, udl_mat y, udl_mat xadv, void *user)
{
    perturber *pt = user;
    udl_attack_params p = pt->p;
    p.seed = pt->p.seed + pt->batches++;
    return gradient_attack(dnn, &p, x, y, xadv);
}

UDL_API udl_status udl_adversarial_train(udl_dnn *dnn, const udl_attack_params *attack,
                                         double alpha, udl_mat x, udl_mat labels,
                                         const udl_mat *valid_x, const udl_mat *valid_labels,
                                         udl_progress_fn progress, void *user)
{
    udl_status s = check_params(attack);
    if (s)
        return s;
    if (attack->method == UDL_ATTACK_DEEPFOOL || attack->targeted)
        return udli_fail(UDL_EINVAL, "adversarial training: the attack must be FGSM, FGM-L2, "
                         "BIM, PGD or PGD-L2, untargeted");
    if (!(alpha >= 0.0 && alpha <= 1.0))
        return udli_fail(UDL_EINVAL, "adversarial training: alpha must be in [0, 1], got %g",
                         alpha);
    if (!dnn)
        return udli_fail(UDL_EINVAL, "adversarial training: the classifier is NULL");
    if ((s = udli_mat_check_data(x, udl_dnn_sizes(dnn, NULL)[0], "adversarial training: X")) ||
        (s = check_range(x, attack->clip_min, attack->clip_max, "adversarial training")))
        return s;
    perturber pt = {*attack, 0};
    return udli_dnn_train_mixed(dnn, x, labels, valid_x, valid_labels, perturb, &pt, alpha,
                                progress, user);
}
