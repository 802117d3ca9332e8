/* Exact k-nearest-neighbour search with a vantage-point tree (Yianilos 1993): each
 * node splits its points at the median distance from a random vantage point, and a
 * search skips a side when the triangle inequality proves it holds nothing closer than
 * the k-th neighbour found so far. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/rng.h"
#include "tsne/internal.h"

#define NONE ((size_t)-1)

typedef struct vp_node {
    size_t point;        /* the vantage point (a row of x) */
    double radius;       /* median distance: inside goes left, the rest right */
    size_t left, right;  /* node indices, NONE when empty */
} vp_node;

typedef struct vp_item {
    double dist;
    size_t point;
} vp_item;

typedef struct vp_tree {
    udl_mat x;
    vp_node *nodes;
    size_t n_nodes;
    double *points; /* row k: the vantage point of node k, so a subtree's rows are together */
} vp_tree;

/* Squared distance, abandoned once it exceeds limit (then some value > limit). Four
 * lanes let it vectorise; the lanes are summed in a fixed order. */
static inline double distance2_below(const double *p, const double *q, size_t cols,
                                     double limit)
{
    double s[4] = {0};
    size_t j = 0;
    for (; j + 8 <= cols; j += 8) {
        for (size_t u = 0; u < 4; u++) {
            double d0 = p[j + u] - q[j + u], d1 = p[j + 4 + u] - q[j + 4 + u];
            s[u] += d0 * d0 + d1 * d1;
        }
        if ((s[0] + s[1]) + (s[2] + s[3]) > limit)
            return (s[0] + s[1]) + (s[2] + s[3]);
    }
    for (size_t u = 0; j < cols; j++, u = (u + 1) & 3) {
        double d = p[j] - q[j];
        s[u] += d * d;
    }
    return (s[0] + s[1]) + (s[2] + s[3]);
}

static int item_cmp(const void *a, const void *b)
{
    const vp_item *x = a, *y = b;
    if (x->dist != y->dist)
        return x->dist < y->dist ? -1 : 1;
    return (x->point > y->point) - (x->point < y->point);
}

/* Builds the subtree of items[lo, hi); the recursion is as deep as the tree, which
 * the median split keeps to log2 n. */
static size_t build(vp_tree *t, vp_item *items, size_t lo, size_t hi, udli_rng *rng)
{
    if (lo == hi)
        return NONE;
    size_t node = t->n_nodes++;
    size_t pick = lo + (size_t)udli_rng_below(rng, hi - lo);
    vp_item tmp = items[lo];
    items[lo] = items[pick];
    items[pick] = tmp;
    vp_node *v = &t->nodes[node];
    v->point = items[lo].point;
    v->radius = 0.0;
    v->left = v->right = NONE;
    if (hi - lo == 1)
        return node;
    for (size_t i = lo + 1; i < hi; i++)
        items[i].dist = sqrt(distance2_below(t->x.data + v->point * t->x.ld,
                                             t->x.data + items[i].point * t->x.ld, t->x.cols,
                                             INFINITY));
    /* A full sort (not a selection) keeps equal distances from costing quadratic time
     * and orders ties by index, so the tree is the same on every run. */
    qsort(items + lo + 1, hi - lo - 1, sizeof *items, item_cmp);
    size_t mid = (lo + 1 + hi) / 2;
    double radius = items[mid].dist;
    size_t left = build(t, items, lo + 1, mid, rng);
    size_t right = build(t, items, mid, hi, rng);
    t->nodes[node].radius = radius;
    t->nodes[node].left = left;
    t->nodes[node].right = right;
    return node;
}

/* A max-heap on (dist, point) of the best k found so far. */
typedef struct heap {
    vp_item *a;
    size_t size, k;
} heap;

static int worse(vp_item a, vp_item b)
{
    return a.dist > b.dist || (a.dist == b.dist && a.point > b.point);
}

static void heap_offer(heap *h, vp_item it)
{
    size_t i;
    if (h->size < h->k) {
        i = h->size++;
        while (i && worse(it, h->a[(i - 1) / 2])) {
            h->a[i] = h->a[(i - 1) / 2];
            i = (i - 1) / 2;
        }
        h->a[i] = it;
        return;
    }
    if (!worse(h->a[0], it))
        return;
    i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= h->size)
            break;
        if (c + 1 < h->size && worse(h->a[c + 1], h->a[c]))
            c++;
        if (!worse(h->a[c], it))
            break;
        h->a[i] = h->a[c];
        i = c;
    }
    h->a[i] = it;
}

static double tau(const heap *h)
{
    return h->size < h->k ? INFINITY : h->a[0].dist;
}

#if defined(__x86_64__) && defined(__has_attribute) && !defined(__SANITIZE_THREAD__)
#if __has_attribute(target_clones) /* not under TSan: see core/vecmath.h */
__attribute__((target_clones("avx2", "default")))
#endif
#endif
/* The k nearest neighbours of row query into h. A side is skipped when the triangle
 * inequality shows it holds nothing within tau (the k-th best distance so far) of the
 * query: each pending node carries the tau it needs, checked when it is popped, by
 * which time tau may have shrunk. The balanced tree is at most 64 levels deep, and the
 * stack grows by at most one entry a level. */
static void query(const vp_tree *t, size_t query, const double *xq, heap *h)
{
    struct {
        size_t node;
        double need;
    } stack[2 * 64 + 2];
    size_t top = 0;
    const size_t cols = t->x.cols;
    stack[top].node = 0;
    stack[top++].need = -INFINITY;
    while (top) {
        top--;
        const size_t node = stack[top].node;
        if (tau(h) < stack[top].need)
            continue;
        const vp_node *v = &t->nodes[node];
        const double *xv = t->points + node * cols;
        if (v->left == NONE && v->right == NONE) {
            /* A leaf only matters if it beats the k-th best, so its distance may stop
             * early. */
            double limit = tau(h);
            double d2 = distance2_below(xq, xv, cols, limit * limit);
            if (v->point != query && d2 <= limit * limit)
                heap_offer(h, (vp_item){sqrt(d2), v->point});
            continue;
        }
        double d = sqrt(distance2_below(xq, xv, cols, INFINITY));
        if (v->point != query)
            heap_offer(h, (vp_item){d, v->point});
        /* The nearer side goes on top, to be searched first. */
        size_t near = d < v->radius ? v->left : v->right;
        size_t far = d < v->radius ? v->right : v->left;
        double need_far = d < v->radius ? v->radius - d : d - v->radius;
        if (far != NONE) {
            stack[top].node = far;
            stack[top++].need = need_far;
        }
        if (near != NONE) {
            stack[top].node = near;
            stack[top++].need = -INFINITY;
        }
    }
}

udl_status tsne_knn(udl_mat x, size_t k, uint64_t seed, size_t *idx, double *d2)
{
    const size_t n = x.rows;
    vp_tree t = {x, udli_alloc(n, sizeof *t.nodes, "vantage-point tree"), 0, NULL};
    vp_item *items = udli_alloc(n, sizeof *items, "vantage-point tree items");
    if (!t.nodes || !items) {
        free(t.nodes);
        free(items);
        return UDL_ENOMEM;
    }
    for (size_t i = 0; i < n; i++)
        items[i] = (vp_item){0.0, i};
    udli_rng rng;
    udli_rng_seed(&rng, seed);
    build(&t, items, 0, n, &rng);
    free(items);
    t.points = udli_alloc(n * x.cols, sizeof *t.points, "vantage-point tree points");
    if (!t.points) {
        free(t.nodes);
        return UDL_ENOMEM;
    }
    for (size_t v = 0; v < n; v++)
        memcpy(t.points + v * x.cols, x.data + t.nodes[v].point * x.ld,
               x.cols * sizeof *t.points);

    int failed = 0;
    long ni = (long)n;
#pragma omp parallel
    {
        heap h = {udli_alloc(k, sizeof *h.a, "neighbour heap"), 0, k};
        if (!h.a) {
#pragma omp atomic write
            failed = 1;
        }
#pragma omp for schedule(dynamic, 64)
        for (long q = 0; q < ni; q++) {
            if (!h.a)
                continue;
            h.size = 0;
            query(&t, (size_t)q, x.data + (size_t)q * x.ld, &h);
            qsort(h.a, h.size, sizeof *h.a, item_cmp);
            for (size_t j = 0; j < k; j++) {
                idx[(size_t)q * k + j] = h.a[j].point;
                d2[(size_t)q * k + j] = h.a[j].dist * h.a[j].dist;
            }
        }
        free(h.a);
    }
    free(t.nodes);
    free(t.points);
    if (failed) /* a worker's sentence stays on its own thread: say it on the caller's */
        return udli_fail(UDL_ENOMEM, "out of memory for the neighbour search (k = %zu)", k);
    return UDL_OK;
}
