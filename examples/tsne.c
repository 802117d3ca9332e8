/* Embeds the rows of a data file in 2-D with t-SNE and writes them as .npy, printing
 * the KL divergence as it falls. usage: example_tsne DATA OUT.npy [PERPLEXITY] */
#include <stdio.h>
#include <stdlib.h>

#include <udl/udl.h>

static int show(const udl_progress *p, void *user)
{
    (void)user;
    if (p->step % 250 == 0)
        printf("step %4zu of %zu: KL %.4f\n", p->step, p->total, p->loss);
    return 0; /* non-zero would stop the run */
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s DATA OUT.npy [PERPLEXITY]\n", argv[0]);
        return 2;
    }
    udl_array x;
    udl_status s = udl_data_read(argv[1], 0, &x);
    if (s) {
        fprintf(stderr, "%s: %s\n", argv[1], udl_last_error());
        return 1;
    }
    udl_tsne_params p = udl_tsne_params_default();
    if (argc > 3)
        p.perplexity = atof(argv[3]);
    double *y = malloc(x.rows * 2 * sizeof *y + 1);
    udl_mat ym = udl_mat_view(y, x.rows, 2);
    udl_tsne_result r;
    if (!y)
        s = UDL_ENOMEM;
    else if (!(s = udl_tsne_embed(&p, udl_array_mat(&x), ym, show, NULL, &r)))
        s = udl_npy_write(argv[2], ym);
    if (s)
        fprintf(stderr, "t-SNE failed (%s): %s\n", udl_status_str(s), udl_last_error());
    else
        printf("%zu points, %s, final KL %.4f\n", x.rows,
               r.method == UDL_TSNE_EXACT ? "exact" : "Barnes-Hut", r.kl);
    free(y);
    udl_array_free(&x);
    return s ? 1 : 0;
}
