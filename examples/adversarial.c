/* Adversarial examples against a classifier of four classes of 8 x 8 binary images (noisy
 * copies of four templates). Trained normally it is right on nearly every held-out image,
 * yet FGSM and PGD, changing no pixel by more than 0.4, bring its accuracy far down.
 * Adversarial training on PGD examples must then give it back much of that accuracy
 * under the same attack.
 * Build: cc adversarial.c $(pkg-config --cflags --libs udl) -lm */
#include <stdio.h>

#include <udl/udl.h>

#include "synthetic.h"

enum { K = 4, N = 800, N_TEST = 400 };

static double templates[K * PIXELS], x[N * PIXELS], y[N], tx[N_TEST * PIXELS], ty[N_TEST];

static int fail(const char *what, udl_status s)
{
    fprintf(stderr, "%s failed (%s): %s\n", what, udl_status_str(s), udl_last_error());
    return 1;
}

/* The accuracy on the held-out images after the attack (clean with params NULL), and
 * the largest change to any pixel; a negative accuracy on failure. */
static double attacked_accuracy(const udl_dnn *dnn, const udl_attack_params *params,
                                double *largest_change)
{
    static double adv[N_TEST * PIXELS];
    double before[N_TEST], after[N_TEST], linf[N_TEST];
    udl_attack_report report = {before, after, linf, NULL};
    udl_mat xm = udl_mat_view(tx, N_TEST, PIXELS), ym = udl_mat_view(ty, N_TEST, 1);
    udl_status s = params ? udl_attack(dnn, params, xm, ym, udl_mat_view(adv, N_TEST, PIXELS),
                                       &report)
                          : udl_dnn_predict(dnn, xm, udl_mat_view(after, N_TEST, 1));
    if (s) {
        fail(params ? "udl_attack" : "udl_dnn_predict", s);
        return -1;
    }
    size_t right = 0;
    *largest_change = 0;
    for (size_t i = 0; i < N_TEST; i++) {
        right += after[i] == ty[i];
        if (params && linf[i] > *largest_change)
            *largest_change = linf[i];
    }
    return (double)right / N_TEST;
}

int main(void)
{
    random_templates(30, K, templates);
    noisy_copies(31, K, templates, 0.1, x, y, N);
    noisy_copies(32, K, templates, 0.1, tx, ty, N_TEST);
    const size_t sizes[] = {PIXELS, 32, K};
    udl_dnn_params p = udl_dnn_params_default();
    p.activation = UDL_ACT_RELU;
    p.train.epochs = 10;
    p.train.batch_size = 20;
    p.train.sgd.learning_rate = 0.05;
    udl_dnn *dnn;
    udl_status s = udl_dnn_create(&p, sizes, 3, &dnn);
    if (s)
        return fail("udl_dnn_create", s);
    udl_mat xm = udl_mat_view(x, N, PIXELS), ym = udl_mat_view(y, N, 1);
    if ((s = udl_dnn_train(dnn, xm, ym, NULL, NULL, NULL, NULL))) {
        udl_dnn_free(dnn);
        return fail("udl_dnn_train", s);
    }

    const double eps = 0.4; /* every pixel moves by at most this, within [0, 1] */
    udl_attack_params fgsm = udl_attack_params_default(UDL_ATTACK_FGSM);
    udl_attack_params pgd = udl_attack_params_default(UDL_ATTACK_PGD); /* 10 steps */
    fgsm.eps = pgd.eps = eps;
    double change_fgsm, change_pgd, change_robust;
    double clean = attacked_accuracy(dnn, NULL, &change_fgsm);
    double under_fgsm = attacked_accuracy(dnn, &fgsm, &change_fgsm);
    double under_pgd = attacked_accuracy(dnn, &pgd, &change_pgd);
    printf("accuracy on %d held-out images: clean %.1f %%, under FGSM %.1f %%, under PGD-10 "
           "%.1f %% (eps %.2f; largest pixel change %.3f)\n", N_TEST, 100 * clean,
           100 * under_fgsm, 100 * under_pgd, eps, change_pgd);

    /* Adversarial training: each batch's loss is half clean, half on its PGD examples. */
    udl_dnn_params more = udl_dnn_get_params(dnn);
    more.train.epochs = 10;
    if ((s = udl_dnn_set_params(dnn, &more)) ||
        (s = udl_adversarial_train(dnn, &pgd, 0.5, xm, ym, NULL, NULL, NULL, NULL))) {
        udl_dnn_free(dnn);
        return fail("adversarial training", s);
    }
    double robust_clean = attacked_accuracy(dnn, NULL, &change_robust);
    double robust_pgd = attacked_accuracy(dnn, &pgd, &change_robust);
    printf("after adversarial training: clean %.1f %%, under PGD-10 %.1f %%\n",
           100 * robust_clean, 100 * robust_pgd);
    udl_dnn_free(dnn);

    int right = clean > 0.9 && under_fgsm < clean - 0.3 && under_pgd <= under_fgsm &&
                change_fgsm <= eps + 1e-12 && change_pgd <= eps + 1e-12 &&
                robust_pgd > under_pgd + 0.3;
    if (!right)
        fprintf(stderr, "the attacks or adversarial training gave a wrong result\n");
    return !right;
}
