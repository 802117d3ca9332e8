/* The Barnes-Hut gradient (van der Maaten 2014): attraction over the sparse P exactly,
 * repulsion from a quadtree (octree in 3-D, binary tree in 1-D) in which a cell far
 * enough from a point, side / distance < theta, acts as one body at its centre of
 * mass. The points of a leaf walk the tree together and share one list of bodies
 * (Barnes 1990), which then runs through vector lanes. Every point's sums are its own
 * and are added in a fixed order, so the threads never share a write and the result
 * does not depend on how many there are. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "tsne/internal.h"

#define MAX_DIMS 3
/* Up to this many points a cell is a leaf: its points act one by one on others close
 * by, and walk the tree as one group. Of 8, 16, 32 and 64, 16 was the fastest on
 * 10,000 Fashion-MNIST images. */
#define LEAF_SIZE 16
/* Coincident points would split forever; at this depth they share a leaf instead. */
#define MAX_DEPTH 40
/* The tree is split serially this deep, and the cells there are built in parallel. */
#define SPLIT_DEPTH 3
#define PENDING UINT32_MAX

typedef struct bh_node {
    double com[MAX_DIMS];    /* centre of mass */
    double center[MAX_DIMS]; /* centre of the cell */
    double half;             /* half the side of the (square) cell */
    double count;            /* points in the cell */
    uint32_t child, n_child; /* children are nodes [child, child + n_child) */
    uint32_t begin, end;     /* the cell's points, order[begin, end) */
} bh_node;

typedef struct node_buf {
    bh_node *nodes;
    size_t n, cap;
} node_buf;

struct tsne_bh {
    size_t n, dims;
    node_buf tree;
    size_t *pending, n_pending; /* cells left for the parallel pass */
    size_t *leaves;             /* the leaves, each a group of points walked together */
    size_t *order, *scratch;    /* points sorted by cell */
    double *ys;                 /* coordinates in that order */
    double *neg, *sumq, *attr, *plogq;
};

udl_status tsne_bh_create(size_t n, size_t dims, tsne_bh **out)
{
    tsne_bh *w = udli_calloc(1, sizeof *w, "Barnes-Hut workspace");
    if (!w)
        return UDL_ENOMEM;
    w->n = n;
    w->dims = dims;
    w->tree.cap = n + 1;
    w->tree.nodes = udli_alloc(w->tree.cap, sizeof *w->tree.nodes, "Barnes-Hut tree");
    w->pending = udli_alloc((size_t)1 << (MAX_DIMS * SPLIT_DEPTH), sizeof *w->pending,
                            "Barnes-Hut tree");
    w->order = udli_alloc(n, sizeof *w->order, "Barnes-Hut order");
    w->leaves = udli_alloc(n, sizeof *w->leaves, "Barnes-Hut leaves");
    w->scratch = udli_alloc(n, sizeof *w->scratch, "Barnes-Hut order");
    w->ys = udli_alloc(n * dims, sizeof *w->ys, "Barnes-Hut coordinates");
    w->neg = udli_alloc(n * dims, sizeof *w->neg, "Barnes-Hut repulsion");
    w->attr = udli_alloc(n * dims, sizeof *w->attr, "Barnes-Hut attraction");
    w->sumq = udli_alloc(n, sizeof *w->sumq, "Barnes-Hut sums");
    w->plogq = udli_alloc(n, sizeof *w->plogq, "Barnes-Hut sums");
    if (!w->tree.nodes || !w->pending || !w->leaves || !w->order || !w->scratch || !w->ys || !w->neg ||
        !w->attr || !w->sumq || !w->plogq) {
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
    free(w->tree.nodes);
    free(w->pending);
    free(w->order);
    free(w->leaves);
    free(w->scratch);
    free(w->ys);
    free(w->neg);
    free(w->attr);
    free(w->sumq);
    free(w->plogq);
    free(w);
}

static int reserve(node_buf *b, size_t more)
{
    if (b->n + more <= b->cap)
        return 1;
    size_t cap = 2 * b->cap + more;
    if (cap > PENDING)
        return 0;
    bh_node *grown = udli_realloc(b->nodes, cap, sizeof *grown, "Barnes-Hut tree");
    if (!grown)
        return 0;
    b->nodes = grown;
    b->cap = cap;
    return 1;
}

/* The traversal's loops run over a dimension count that is a constant in each caller
 * (the switch in forces), so the compiler unrolls them. */
#define INLINE static inline __attribute__((always_inline))

/* The lane loops are worth wider vectors where the processor has them; the sums are in
 * the same order either way (and C11 mode never fuses multiply-adds), so the results
 * are too. */
#if defined(__x86_64__) && defined(__has_attribute) && !defined(__SANITIZE_THREAD__)
#if __has_attribute(target_clones) /* not under TSan: see core/vecmath.h */
#define CLONES __attribute__((target_clones("avx2", "default")))
#endif
#endif
#ifndef CLONES
#define CLONES
#endif

static inline unsigned orthant(const double *p, const double *center, const size_t dims)
{
    unsigned code = 0;
    for (size_t d = 0; d < dims; d++)
        code |= (unsigned)(p[d] > center[d]) << d;
    return code;
}

/* Fills node (its center and half already set) with the points order[begin, end) and
 * builds its subtree into b, down to stop_depth; deeper cells with more than LEAF_SIZE
 * points are marked PENDING and listed in pending. Nodes move when b grows, so only
 * indices are kept across the recursion. */
static int build_d(tsne_bh *w, node_buf *b, size_t node, size_t begin, size_t end,
                   const double *y, int depth, int stop_depth, const size_t dims)
{
    bh_node *v = &b->nodes[node];
    double com[MAX_DIMS] = {0};
    for (size_t i = begin; i < end; i++)
        for (size_t d = 0; d < dims; d++)
            com[d] += y[w->order[i] * dims + d];
    v->count = (double)(end - begin);
    for (size_t d = 0; d < dims; d++)
        v->com[d] = com[d] / v->count;
    v->begin = (uint32_t)begin;
    v->end = (uint32_t)end;
    v->child = v->n_child = 0;
    if (end - begin <= LEAF_SIZE || depth == MAX_DEPTH)
        return 1;
    if (depth == stop_depth) {
        v->n_child = PENDING;
        w->pending[w->n_pending++] = node;
        return 1;
    }

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

    if (!reserve(b, n_child))
        return 0;
    v = &b->nodes[node];
    const size_t first = b->n;
    b->n += n_child;
    v->child = (uint32_t)first;
    v->n_child = (uint32_t)n_child;
    double center[MAX_DIMS], half = 0.5 * v->half;
    memcpy(center, v->center, sizeof center);
    size_t c_node = first;
    for (unsigned c = 0; c < n_orth; c++) {
        if (start[c + 1] == start[c])
            continue;
        bh_node *ch = &b->nodes[c_node];
        for (size_t d = 0; d < dims; d++)
            ch->center[d] = center[d] + ((c >> d) & 1u ? half : -half);
        ch->half = half;
        if (!build_d(w, b, c_node, begin + start[c], begin + start[c + 1], y, depth + 1,
                     stop_depth, dims))
            return 0;
        c_node++;
    }
    return 1;
}

/* The bodies acting on one leaf's points: summarised cells and single points, each a
 * position and a weight (the number of points it stands for). */
typedef struct body_list {
    double *pos[MAX_DIMS], *weight;
    size_t n, cap;
} body_list;

static void list_free(body_list *l)
{
    for (size_t d = 0; d < MAX_DIMS; d++)
        free(l->pos[d]);
    free(l->weight);
}

/* Room for k more bodies; 0 when memory runs out. */
static int list_reserve(body_list *l, size_t k, size_t dims)
{
    if (l->n + k <= l->cap)
        return 1;
    size_t cap = 2 * l->cap + k + 1024;
    for (size_t d = 0; d < dims; d++) {
        double *grown = udli_realloc(l->pos[d], cap, sizeof *grown, "Barnes-Hut list");
        if (!grown)
            return 0;
        l->pos[d] = grown;
    }
    double *grown = udli_realloc(l->weight, cap, sizeof *grown, "Barnes-Hut list");
    if (!grown)
        return 0;
    l->weight = grown;
    l->cap = cap;
    return 1;
}

INLINE void list_add(body_list *l, const double *pos, double weight, const size_t dims)
{
    for (size_t d = 0; d < dims; d++)
        l->pos[d][l->n] = pos[d];
    l->weight[l->n++] = weight;
}

/* Lists what acts on the points of leaf g (Barnes 1990): one walk of the tree for the
 * whole leaf, summarising a cell only when theta holds from every point of the leaf's
 * bounding box, so each point sees at least the accuracy of its own walk. A cell that
 * overlaps the box may hold the points themselves and is always opened. */
INLINE int list_d(const tsne_bh *w, const bh_node *g, double theta2, body_list *l,
                  const size_t dims)
{
    const bh_node *nodes = w->tree.nodes;
    double lo[MAX_DIMS], hi[MAX_DIMS];
    for (size_t d = 0; d < dims; d++)
        lo[d] = hi[d] = w->ys[g->begin * dims + d];
    for (size_t p = g->begin; p < g->end; p++)
        for (size_t d = 0; d < dims; d++) {
            double v = w->ys[p * dims + d];
            lo[d] = v < lo[d] ? v : lo[d];
            hi[d] = v > hi[d] ? v : hi[d];
        }
    size_t stack[MAX_DEPTH * ((1u << MAX_DIMS) - 1) + 2];
    size_t top = 0;
    stack[top++] = 0;
    l->n = 0;
    while (top) {
        const bh_node *v = &nodes[stack[--top]];
        double d2 = 0.0;
        int overlap = 1;
        for (size_t d = 0; d < dims; d++) {
            double gap = v->com[d] < lo[d] ? lo[d] - v->com[d]
                         : v->com[d] > hi[d] ? v->com[d] - hi[d] : 0.0;
            d2 += gap * gap;
            overlap &= v->center[d] - v->half <= hi[d] && v->center[d] + v->half >= lo[d];
        }
        const double side = 2.0 * v->half;
        if (!overlap && side * side < theta2 * d2) {
            if (!list_reserve(l, 1, dims))
                return 0;
            list_add(l, v->com, v->count, dims);
        } else if (v->n_child == 0) {
            if (!list_reserve(l, v->end - v->begin, dims))
                return 0;
            for (size_t p = v->begin; p < v->end; p++)
                list_add(l, w->ys + p * dims, 1.0, dims);
        } else {
            for (size_t c = 0; c < v->n_child; c++)
                stack[top++] = v->child + c;
        }
    }
    return 1;
}

/* Repulsion on the point at yi from the list: neg = sum_j w_j q_j^2 (yi - yj) and
 * sumq = sum_j w_j q_j, q unnormalised. The point is on its own list (q = 1, no force),
 * which the - 1 takes back out, so the loop has no branch. Four independent lanes let
 * the compiler use vector instructions without reordering any sum, so the result is
 * the same on every machine and thread count. */
INLINE void repulse_d(const body_list *l, const double *yi, double *neg, double *sumq,
                      const size_t dims)
{
    enum { LANES = 4 };
    double s[LANES] = {0}, f[MAX_DIMS][LANES] = {{0}};
    size_t t = 0;
    for (; t + LANES <= l->n; t += LANES) {
        double e[MAX_DIMS][LANES], e2[LANES] = {0}, m[LANES];
        for (size_t d = 0; d < dims; d++)
            for (int u = 0; u < LANES; u++) {
                e[d][u] = yi[d] - l->pos[d][t + u];
                e2[u] += e[d][u] * e[d][u];
            }
        for (int u = 0; u < LANES; u++) {
            double q = 1.0 / (1.0 + e2[u]);
            m[u] = l->weight[t + u] * q;
            s[u] += m[u];
            m[u] *= q;
        }
        for (size_t d = 0; d < dims; d++)
            for (int u = 0; u < LANES; u++)
                f[d][u] += m[u] * e[d][u];
    }
    for (int u = 0; t < l->n; t++, u++) {
        double e[MAX_DIMS], e2 = 0.0;
        for (size_t d = 0; d < dims; d++) {
            e[d] = yi[d] - l->pos[d][t];
            e2 += e[d] * e[d];
        }
        double q = 1.0 / (1.0 + e2), m = l->weight[t] * q;
        s[u] += m;
        m *= q;
        for (size_t d = 0; d < dims; d++)
            f[d][u] += m * e[d];
    }
    *sumq = (s[0] + s[1]) + (s[2] + s[3]) - 1.0;
    for (size_t d = 0; d < dims; d++)
        neg[d] = (f[d][0] + f[d][1]) + (f[d][2] + f[d][3]);
}

/* Attraction on point i: attr = sum_j p_ij q_ij (yi - yj), in four lanes as above. */
INLINE void attract_d(tsne_bh *w, const tsne_csr *p, const double *y, size_t i,
                      const size_t dims)
{
    enum { LANES = 4 };
    const double *yi = y + i * dims;
    double a[MAX_DIMS][LANES] = {{0}};
    size_t t = p->row[i];
    const size_t end = p->row[i + 1];
    for (; t + LANES <= end; t += LANES) {
        double e[MAX_DIMS][LANES], e2[LANES] = {0}, m[LANES];
        for (size_t d = 0; d < dims; d++)
            for (int u = 0; u < LANES; u++) {
                e[d][u] = yi[d] - y[(size_t)p->col[t + u] * dims + d];
                e2[u] += e[d][u] * e[d][u];
            }
        for (int u = 0; u < LANES; u++)
            m[u] = p->val[t + u] / (1.0 + e2[u]);
        for (size_t d = 0; d < dims; d++)
            for (int u = 0; u < LANES; u++)
                a[d][u] += m[u] * e[d][u];
    }
    for (int u = 0; t < end; t++, u++) {
        double e[MAX_DIMS], e2 = 0.0;
        for (size_t d = 0; d < dims; d++) {
            e[d] = yi[d] - y[(size_t)p->col[t] * dims + d];
            e2 += e[d] * e[d];
        }
        double m = p->val[t] / (1.0 + e2);
        for (size_t d = 0; d < dims; d++)
            a[d][u] += m * e[d];
    }
    for (size_t d = 0; d < dims; d++)
        w->attr[i * dims + d] = (a[d][0] + a[d][1]) + (a[d][2] + a[d][3]);
}

/* Row i's share of sum p log(p / q), q unnormalised (only on the steps that report). */
static double row_plogq(const tsne_csr *p, const double *y, size_t i, size_t dims)
{
    double s = 0.0;
    for (size_t t = p->row[i]; t < p->row[i + 1]; t++) {
        double e2 = 0.0;
        for (size_t d = 0; d < dims; d++) {
            double e = y[i * dims + d] - y[(size_t)p->col[t] * dims + d];
            e2 += e * e;
        }
        s += p->val[t] * log(p->val[t] * (1.0 + e2));
    }
    return s;
}

INLINE int leaf_d(tsne_bh *w, const bh_node *g, double theta2, body_list *l,
                  const size_t dims)
{
    if (!list_d(w, g, theta2, l, dims))
        return 0;
    for (size_t q = g->begin; q < g->end; q++) {
        size_t i = w->order[q];
        repulse_d(l, w->ys + q * dims, w->neg + i * dims, &w->sumq[i], dims);
    }
    return 1;
}

CLONES static int leaf(tsne_bh *w, const bh_node *g, double theta2, body_list *l)
{
    switch (w->dims) {
    case 1: return leaf_d(w, g, theta2, l, 1);
    case 2: return leaf_d(w, g, theta2, l, 2);
    default: return leaf_d(w, g, theta2, l, 3);
    }
}

CLONES static void attract(tsne_bh *w, const tsne_csr *p, const double *y, size_t i)
{
    switch (w->dims) {
    case 1: attract_d(w, p, y, i, 1); break;
    case 2: attract_d(w, p, y, i, 2); break;
    default: attract_d(w, p, y, i, 3); break;
    }
}

/* Repulsion and attraction of every point, leaf by leaf. */
static udl_status forces(tsne_bh *w, const tsne_csr *p, const double *y, double theta2,
                         int want_kl)
{
    size_t n_leaves = 0;
    for (size_t k = 0; k < w->tree.n; k++)
        if (w->tree.nodes[k].n_child == 0)
            w->leaves[n_leaves++] = k;
    int failed = 0;
    long nl = (long)n_leaves;
#pragma omp parallel reduction(| : failed)
    {
        body_list l = {{0}, 0, 0, 0};
#pragma omp for schedule(dynamic, 16)
        for (long k = 0; k < nl; k++) {
            const bh_node *g = &w->tree.nodes[w->leaves[k]];
            if (failed)
                continue;
            failed |= !leaf(w, g, theta2, &l);
        }
        list_free(&l);
        /* In row order, so P streams from memory. */
        long ni = (long)w->n;
#pragma omp for schedule(static)
        for (long i = 0; i < ni; i++) {
            attract(w, p, y, (size_t)i);
            w->plogq[i] = want_kl ? row_plogq(p, y, (size_t)i, w->dims) : 0.0;
        }
    }
    if (failed) /* a worker's sentence stays on its own thread: say it on the caller's */
        return udli_fail(UDL_ENOMEM, "out of memory for the Barnes-Hut interaction lists");
    return UDL_OK;
}

/* Rebuilds the tree for y: the top SPLIT_DEPTH levels serially, then each pending cell
 * in its own buffer in parallel, spliced into the tree in a fixed order. */
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
    bh_node *root = &w->tree.nodes[0];
    double half = 0.0;
    for (size_t d = 0; d < dims; d++) {
        root->center[d] = 0.5 * (lo[d] + hi[d]);
        half = 0.5 * (hi[d] - lo[d]) > half ? 0.5 * (hi[d] - lo[d]) : half;
    }
    /* A little slack so the extreme points sit strictly inside. */
    root->half = half * (1.0 + 1e-9) + 1e-300;
    for (size_t i = 0; i < n; i++)
        w->order[i] = i;
    w->tree.n = 1;
    w->n_pending = 0;
    if (!build_d(w, &w->tree, 0, 0, n, y, 0, SPLIT_DEPTH, dims))
        return udli_fail(UDL_ENOMEM, "out of memory for the Barnes-Hut tree");

    const size_t np = w->n_pending;
    node_buf *sub = udli_calloc(np, sizeof *sub, "Barnes-Hut subtrees");
    if (!sub)
        return udli_fail(UDL_ENOMEM, "out of memory for the Barnes-Hut tree");
    int failed = 0;
    long lnp = (long)np;
#pragma omp parallel for schedule(dynamic, 1) reduction(| : failed)
    for (long t = 0; t < lnp; t++) {
        const bh_node *top = &w->tree.nodes[w->pending[t]];
        node_buf *b = &sub[t];
        b->cap = 2 * (top->end - top->begin) + 1;
        b->nodes = udli_alloc(b->cap, sizeof *b->nodes, "Barnes-Hut subtree");
        if (!b->nodes) {
            failed |= 1;
            continue;
        }
        b->nodes[0] = *top;
        b->n = 1;
        failed |= !build_d(w, b, 0, top->begin, top->end, y, SPLIT_DEPTH, -1, dims);
    }
    size_t more = 0;
    for (size_t t = 0; t < np && !failed; t++)
        more += sub[t].n - 1;
    failed |= !failed && !reserve(&w->tree, more);
    for (size_t t = 0; t < np && !failed; t++) {
        /* Local node k > 0 goes to off + k - 1; the local root replaces the pending
         * cell. */
        const size_t off = w->tree.n;
        const node_buf *b = &sub[t];
        for (size_t k = 0; k < b->n; k++) {
            bh_node v = b->nodes[k];
            if (v.n_child)
                v.child = (uint32_t)(off + v.child - 1);
            w->tree.nodes[k ? off + k - 1 : w->pending[t]] = v;
        }
        w->tree.n += b->n - 1;
    }
    for (size_t t = 0; t < np; t++)
        free(sub[t].nodes);
    free(sub);
    if (failed) /* a worker's sentence stays on its own thread: say it on the caller's */
        return udli_fail(UDL_ENOMEM, "out of memory for the Barnes-Hut tree");
    for (size_t i = 0; i < n; i++)
        memcpy(w->ys + i * dims, y + w->order[i] * dims, dims * sizeof *y);
    return UDL_OK;
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
    if ((s = forces(w, p, y, theta2, want_kl)))
        return s;
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
