/* A deep classifier of four classes of 8 x 8 binary images, each a copy of its class's
 * template with 30 % of the pixels flipped: pretrained as a deep belief net on the images
 * alone, then fine-tuned on their labels, then evaluated on held-out images. Chance is
 * 25 %; two templates differ in about half their pixels, so the classes stand well apart
 * and the classifier must get at least 90 % right.
 * Build: cc classifier.c $(pkg-config --cflags --libs udl) -lm */
#include <stdio.h>

#include <udl/udl.h>

#include "synthetic.h"

enum { K = 4, N = 800, N_TEST = 400 };

static int fail(const char *what, udl_status s)
{
    fprintf(stderr, "%s failed (%s): %s\n", what, udl_status_str(s), udl_last_error());
    return 1;
}

/* Prints each epoch's loss and validation error as training goes: the report that ends
 * an epoch is the one with batch == batches. */
static int show(const udl_progress *p, void *user)
{
    (void)user;
    if (p->batch == p->batches)
        printf("  epoch %2zu: loss %.3f, validation error %.3f\n", p->step, p->loss,
               p->valid_error);
    return 0;
}

int main(void)
{
    static double templates[K * PIXELS], x[N * PIXELS], y[N], tx[N_TEST * PIXELS], ty[N_TEST];
    random_templates(10, K, templates);
    noisy_copies(11, K, templates, 0.3, x, y, N);
    noisy_copies(12, K, templates, 0.3, tx, ty, N_TEST);

    const size_t sizes[] = {PIXELS, 32, 16, K}; /* two hidden layers */
    udl_dnn_params p = udl_dnn_params_default(); /* sigmoid hidden units */
    p.train.epochs = 10;
    p.train.batch_size = 20;
    p.valid_fraction = 0.1; /* held out of the training rows to watch */
    udl_dnn_pretrain_params pre = udl_dnn_pretrain_params_default(UDL_PRETRAIN_RBM);
    pre.train.epochs = 5;
    pre.train.batch_size = 20;
    udl_dnn *dnn;
    udl_status s = udl_dnn_create(&p, sizes, 4, &dnn);
    if (s)
        return fail("udl_dnn_create", s);
    udl_mat xm = udl_mat_view(x, N, PIXELS), ym = udl_mat_view(y, N, 1);
    size_t confusion[K * K];
    udl_dnn_eval eval;
    printf("pretraining a 64-32-16 deep belief net, then fine-tuning 64-32-16-4:\n");
    if ((s = udl_dnn_pretrain(dnn, &pre, xm, NULL, NULL)) ||
        (s = udl_dnn_train(dnn, xm, ym, NULL, NULL, show, NULL)) ||
        (s = udl_dnn_evaluate(dnn, udl_mat_view(tx, N_TEST, PIXELS),
                              udl_mat_view(ty, N_TEST, 1), &eval, confusion, NULL))) {
        udl_dnn_free(dnn);
        return fail("classifier", s);
    }
    printf("held out: %zu images, accuracy %.1f %%, cross-entropy %.3f\n", eval.n,
           100 * eval.accuracy, eval.loss);
    printf("confusion (row: true class, column: predicted):\n");
    for (size_t t = 0; t < K; t++) {
        for (size_t c = 0; c < K; c++)
            printf(" %4zu", confusion[t * K + c]);
        printf("\n");
    }
    udl_dnn_free(dnn);
    if (eval.accuracy < 0.9) {
        fprintf(stderr, "the classifier did not learn a separable problem\n");
        return 1;
    }
    return 0;
}
