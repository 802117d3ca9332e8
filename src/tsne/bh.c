/* The Barnes-Hut gradient (van der Maaten 2014): attraction over the sparse P exactly,
 * repulsion from a quadtree (octree in 3-D, binary tree in 1-D) in which a cell far
 * enough from a point, side / distance < theta, acts as one body at its centre of
 * mass. Every point's sums are its own, so the threads never share a write and the
 * result does not depend on how many there are. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "tsne/internal.h"

#define MAX_DIMS 3
/* Below this many points a cell is a leaf whose points act one by one. */
#define LEAF_SIZE 1
/* Coincident points would split forever; at this depth they share a leaf instead. */
#define MAX_DEPTH 40

typedef struct bh_node {
    double com[MAX_DIMS];    /* centre of mass */
    double center[MAX_DIMS]; /* centre of the cell */
    double half;             /* half the side of the (square) cell */
    double count;            /* points in the cell */
    size_t child, n_child;   /* children are nodes [child, child + n_child) */
    size_t begin, end;       /* the cell's points, order[begin, end) */
} bh_node;

struct tsne_bh {
    size_t n, dims;
    bh_node *nodes;
    size_t n_nodes, cap;
    size_t *order, *scratch; /* points sorted by cell */
    double *ys;              /* coordinates in that order */
    double *neg, *sumq, *attr, *plogq;
};

udl_status tsne_bh_create(size_t n, size_t dims, tsne_bh **out)
{
    tsne_bh *w = udl_calloc(1, sizeof *w, "Barnes-Hut workspace");
    if (!w)
        return UDL_ENOMEM;
    w->n = n;
    w->dims = dims;
    w->cap = 2 * n + 1;
    w->nodes = udl_alloc(w->cap, sizeof *w->nodes, "Barnes-Hut tree");
    w->order = udl_alloc(n, sizeof *w->order, "Barnes-Hut order");
    w->scratch = udl_alloc(n, sizeof *w->scratch, "Barnes-Hut order");
    w->ys = udl_alloc(n * dims, sizeof *w->ys, "Barnes-Hut coordinates");
    w->neg = udl_alloc(n * dims, sizeof *w->neg, "Barnes-Hut repulsion");
    w->attr = udl_alloc(n * dims, sizeof *w->attr, "Barnes-Hut attraction");
    w->sumq = udl_alloc(n, sizeof *w->sumq, "Barnes-Hut sums");
    w->plogq = udl_alloc(n, sizeof *w->plogq, "Barnes-Hut sums");
    if (!w->nodes || !w->order || !w->scratch || !w->ys || !w->neg || !w->attr || !w->sumq ||
        !w->plogq) {
        tsne_bh_free(w);
        return UDL_ENOMEM;
    }
    *out = w;
    return UDL_OK;
}

void tsne_bh_free(tsne_bh *w)
{
    if (!w)
        return;
    free(w->nodes);
    free(w->order);
    free(w->scratch);
    free(w->ys);
    free(w->neg);
    free(w->attr);
    free(w->sumq);
    free(w->plogq);
    free(w);
}

static unsigned orthant(const double *p, const double *center, size_t dims)
{
    unsigned code = 0;
    for (size_t d = 0; d < dims; d++)
        code |= (unsigned)(p[d] > center[d]) << d;
    return code;
}

/* Fills node (its center and half already set) with the points order[begin, end) and
 * builds its subtree. Nodes may move when the array grows, so only indices are kept
 * across the recursion. */
static udl_status build(tsne_bh *w, size_t node, size_t begin, size_t end, const double *y,
                        int depth)
{
    const size_t dims = w->dims;
    bh_node *v = &w->nodes[node];
    double com[MAX_DIMS] = {0};
    for (size_t i = begin; i < end; i++)
        for (size_t d = 0; d < dims; d++)
            com[d] += y[w->order[i] * dims + d];
    v->count = (double)(end - begin);
    for (size_t d = 0; d < dims; d++)
        v->com[d] = com[d] / v->count;
    v->begin = begin;
    v->end = end;
    v->child = v->n_child = 0;
    if (end - begin <= LEAF_SIZE || depth == MAX_DEPTH)
        return UDL_OK;

    const unsigned n_orth = 1u << dims;
    size_t start[(1u << MAX_DIMS) + 1] = {0};
    for (size_t i = begin; i < end; i++)
        start[orthant(y + w->order[i] * dims, v->center, dims) + 1]++;
    size_t n_child = 0;
    for (unsigned c = 0; c < n_orth; c++) {
        n_child += start[c + 1] > 0;
        start[c + 1] += start[c];
    }
    size_t fill[1u << MAX_DIMS];
    for (unsigned c = 0; c < n_orth; c++)
        fill[c] = begin + start[c];
    for (size_t i = begin; i < end; i++) {
        size_t p = w->order[i];
        w->scratch[fill[orthant(y + p * dims, v->center, dims)]++] = p;
    }
    memcpy(w->order + begin, w->scratch + begin, (end - begin) * sizeof *w->order);

    if (w->n_nodes + n_child > w->cap) {
        size_t cap = 2 * w->cap + n_child;
        bh_node *grown = realloc(w->nodes, cap * sizeof *grown);
        if (!grown)
            return udl_fail(UDL_ENOMEM, "out of memory for the Barnes-Hut tree (%zu nodes)",
                            cap);
        w->nodes = grown;
        w->cap = cap;
        v = &w->nodes[node];
    }
    const size_t first = w->n_nodes;
    w->n_nodes += n_child;
    v->child = first;
    v->n_child = n_child;
    double center[MAX_DIMS], half = 0.5 * v->half;
    memcpy(center, v->center, sizeof center);
    size_t c_node = first;
    for (unsigned c = 0; c < n_orth; c++) {
        if (start[c + 1] == start[c])
            continue;
        bh_node *ch = &w->nodes[c_node];
        for (size_t d = 0; d < dims; d++)
            ch->center[d] = center[d] + ((c >> d) & 1u ? half : -half);
        ch->half = half;
        udl_status s = build(w, c_node, begin + start[c], begin + start[c + 1], y, depth + 1);
        if (s)
            return s;
        c_node++;
    }
    return UDL_OK;
}

static udl_status build_tree(tsne_bh *w, const double *y)
{
    const size_t n = w->n, dims = w->dims;
    double lo[MAX_DIMS], hi[MAX_DIMS];
    for (size_t d = 0; d < dims; d++)
        lo[d] = hi[d] = y[d];
    for (size_t i = 0; i < n; i++)
        for (size_t d = 0; d < dims; d++) {
            double v = y[i * dims + d];
            lo[d] = v < lo[d] ? v : lo[d];
            hi[d] = v > hi[d] ? v : hi[d];
        }
    bh_node *root = &w->nodes[0];
    double half = 0.0;
    for (size_t d = 0; d < dims; d++) {
        root->center[d] = 0.5 * (lo[d] + hi[d]);
        half = 0.5 * (hi[d] - lo[d]) > half ? 0.5 * (hi[d] - lo[d]) : half;
    }
    /* A little slack so the extreme points sit strictly inside. */
    root->half = half * (1.0 + 1e-9) + 1e-300;
    for (size_t i = 0; i < n; i++)
        w->order[i] = i;
    w->n_nodes = 1;
    udl_status s = build(w, 0, 0, n, y, 0);
    if (s)
        return s;
    for (size_t i = 0; i < n; i++)
        memcpy(w->ys + i * dims, y + w->order[i] * dims, dims * sizeof *y);
    return UDL_OK;
}

/* Repulsion on point i at yi: neg = sum_j q_ij^2 (yi - yj) and sumq = sum_j q_ij over
 * j != i, with q unnormalised, cells summarised where theta allows. */
static void repulse(const tsne_bh *w, size_t i, const double *yi, double theta2, double *neg,
                    double *sumq)
{
    const size_t dims = w->dims;
    size_t stack[MAX_DEPTH * ((1u << MAX_DIMS) - 1) + 2];
    size_t top = 0;
    double s = 0.0, f[MAX_DIMS] = {0};
    stack[top++] = 0;
    while (top) {
        const bh_node *v = &w->nodes[stack[--top]];
        double diff[MAX_DIMS], d2 = 0.0;
        int inside = 1;
        for (size_t d = 0; d < dims; d++) {
            diff[d] = yi[d] - v->com[d];
            d2 += diff[d] * diff[d];
            inside &= fabs(yi[d] - v->center[d]) <= v->half;
        }
        double side = 2.0 * v->half;
        /* A cell holding the point itself is never summarised: its own (zero) distance
         * must not count. */
        if (!inside && side * side < theta2 * d2) {
            double q = 1.0 / (1.0 + d2), m = v->count * q;
            s += m;
            m *= q;
            for (size_t d = 0; d < dims; d++)
                f[d] += m * diff[d];
        } else if (v->n_child == 0) {
            for (size_t p = v->begin; p < v->end; p++) {
                if (w->order[p] == i)
                    continue;
                const double *yj = w->ys + p * dims;
                double e[MAX_DIMS], e2 = 0.0;
                for (size_t d = 0; d < dims; d++) {
                    e[d] = yi[d] - yj[d];
                    e2 += e[d] * e[d];
                }
                double q = 1.0 / (1.0 + e2);
                s += q;
                for (size_t d = 0; d < dims; d++)
                    f[d] += q * q * e[d];
            }
        } else {
            for (size_t c = 0; c < v->n_child; c++)
                stack[top++] = v->child + c;
        }
    }
    *sumq = s;
    memcpy(neg, f, dims * sizeof *f);
}

udl_status tsne_grad_bh(tsne_bh *w, const tsne_csr *p, double exaggeration, const double *y,
                        double theta, double *grad, double *kl)
{
    const size_t n = w->n, dims = w->dims;
    udl_status s = build_tree(w, y);
    if (s)
        return s;
    const double theta2 = theta * theta;
    const int want_kl = kl != NULL;
    long ni = (long)n;
#pragma omp parallel for schedule(dynamic, 256)
    for (long li = 0; li < ni; li++) {
        size_t i = (size_t)li;
        const double *yi = y + i * dims;
        repulse(w, i, yi, theta2, w->neg + i * dims, &w->sumq[i]);
        double a[MAX_DIMS] = {0}, plogq = 0.0;
        for (size_t t = p->row[i]; t < p->row[i + 1]; t++) {
            const double *yj = y + p->col[t] * dims;
            double e[MAX_DIMS], e2 = 0.0;
            for (size_t d = 0; d < dims; d++) {
                e[d] = yi[d] - yj[d];
                e2 += e[d] * e[d];
            }
            double q = 1.0 / (1.0 + e2), m = p->val[t] * q;
            for (size_t d = 0; d < dims; d++)
                a[d] += m * e[d];
            if (want_kl)
                plogq += p->val[t] * log(p->val[t] / q);
        }
        memcpy(w->attr + i * dims, a, dims * sizeof *a);
        w->plogq[i] = plogq;
    }
    double z = 0.0, psum = 0.0, pkl = 0.0;
    for (size_t i = 0; i < n; i++)
        z += w->sumq[i];
    for (size_t i = 0; i < n * dims; i++)
        grad[i] = 4.0 * (exaggeration * w->attr[i] - w->neg[i] / z);
    if (want_kl) {
        for (size_t t = 0; t < p->row[n]; t++)
            psum += p->val[t];
        for (size_t i = 0; i < n; i++)
            pkl += w->plogq[i];
        /* sum p log(p / (q / Z)) = sum p log(p / q) + log Z sum p */
        *kl = pkl + psum * log(z);
    }
    return UDL_OK;
}
