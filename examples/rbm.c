/* A restricted Boltzmann machine and a deep belief net on images of bars (8 x 8, all
 * horizontal or all vertical). The RBM must give held-out bars a much lower free energy
 * (a higher probability) than random images with as many pixels on, and its Gibbs
 * fantasies, and the deep belief net's samples, must also look like bars to it: low free
 * energy. Two fantasies are drawn in characters.
 * Build: cc rbm.c $(pkg-config --cflags --libs udl) -lm */
#include <stdio.h>

#include <udl/udl.h>

#include "synthetic.h"

enum { N = 1000, N_TEST = 200, N_SAMPLES = 20, HIDDEN = 32 };

static double x[N * PIXELS], test[N_TEST * PIXELS], noise[N_TEST * PIXELS];

static int fail(const char *what, udl_status s)
{
    fprintf(stderr, "%s failed (%s): %s\n", what, udl_status_str(s), udl_last_error());
    return 1;
}

/* The mean free energy of the rows of v under rbm; NAN on failure (said on stderr). */
static double mean_free_energy(const udl_rbm *rbm, double *v, size_t n)
{
    double f[N_TEST], sum = 0;
    udl_status s = udl_rbm_free_energy(rbm, udl_mat_view(v, n, PIXELS), f);
    if (s) {
        fail("udl_rbm_free_energy", s);
        return NAN;
    }
    for (size_t i = 0; i < n; i++)
        sum += f[i];
    return sum / (double)n;
}

/* Trains an RBM, compares free energies, draws fantasies. 0 when all is as it should be. */
static int rbm(const udl_rbm_params *p)
{
    static double fantasies[N_SAMPLES * PIXELS];
    udl_rbm *rbm;
    udl_status s = udl_rbm_create(p, &rbm);
    if (s)
        return fail("udl_rbm_create", s);
    if ((s = udl_rbm_train(rbm, udl_mat_view(x, N, PIXELS), NULL, NULL)) ||
        (s = udl_rbm_sample(rbm, udl_mat_view(fantasies, N_SAMPLES, PIXELS), 1000, 5))) {
        udl_rbm_free(rbm);
        return fail("RBM", s);
    }
    size_t epochs;
    const double *error = udl_rbm_history(rbm, &epochs);
    double f_test = mean_free_energy(rbm, test, N_TEST);
    double f_noise = mean_free_energy(rbm, noise, N_TEST);
    double f_fantasy = mean_free_energy(rbm, fantasies, N_SAMPLES);
    printf("RBM 64-%d, CD-1: reconstruction error %.2f -> %.2f over %zu epochs\n", HIDDEN,
           error[0], error[epochs - 1], epochs);
    printf("mean free energy: held-out bars %.1f, random images %.1f, fantasies %.1f\n",
           f_test, f_noise, f_fantasy);
    printf("two fantasies after 1000 Gibbs steps:\n");
    print_image(fantasies);
    printf("\n");
    print_image(fantasies + PIXELS);
    /* Written so that a NaN fails too; before the free, which takes the history along. */
    int right = f_test < f_noise - 10 && f_fantasy < f_noise - 10 && error[epochs - 1] < error[0];
    udl_rbm_free(rbm);
    return !right;
}

/* Trains a deep belief net 64-32-16 and samples from it; its samples are scored by the
 * free energy under its first RBM. */
static int dbn(const udl_rbm_params *p)
{
    static double samples[N_SAMPLES * PIXELS], top[N_TEST * 16];
    const size_t sizes[] = {PIXELS, HIDDEN, 16};
    udl_dbn *dbn;
    udl_status s = udl_dbn_create(p, sizes, 3, &dbn);
    if (s)
        return fail("udl_dbn_create", s);
    if ((s = udl_dbn_train(dbn, udl_mat_view(x, N, PIXELS), NULL, NULL)) ||
        (s = udl_dbn_transform(dbn, udl_mat_view(test, N_TEST, PIXELS),
                               udl_mat_view(top, N_TEST, 16))) ||
        (s = udl_dbn_sample(dbn, udl_mat_view(samples, N_SAMPLES, PIXELS), 1000, 6))) {
        udl_dbn_free(dbn);
        return fail("deep belief net", s);
    }
    const udl_rbm *first = udl_dbn_layer(dbn, 0);
    double f_sample = mean_free_energy(first, samples, N_SAMPLES);
    double f_noise = mean_free_energy(first, noise, N_TEST);
    printf("deep belief net 64-%d-16: top-layer features of the first held-out image:", HIDDEN);
    for (size_t j = 0; j < 16; j++)
        printf(" %.1f", top[j]);
    printf("\nmean free energy under its first RBM: samples %.1f, random images %.1f\n",
           f_sample, f_noise);
    udl_dbn_free(dbn);
    return !(f_sample < f_noise - 10);
}

int main(void)
{
    bars(1, x, NULL, N);
    bars(2, test, NULL, N_TEST);
    double on = 0;
    for (size_t i = 0; i < N_TEST * PIXELS; i++)
        on += test[i] / (N_TEST * PIXELS);
    uint64_t seed = 3;
    for (size_t i = 0; i < N_TEST * PIXELS; i++)
        noise[i] = uniform01(&seed) < on;

    /* Hinton's guide for the rest: rate 0.1, momentum 0.5 then 0.9, weight decay. */
    udl_rbm_params p = udl_rbm_params_default();
    p.n_visible = PIXELS;
    p.n_hidden = HIDDEN;
    p.train.epochs = 30;
    p.train.batch_size = 20;
    int wrong = rbm(&p);
    wrong |= dbn(&p);
    if (wrong)
        fprintf(stderr, "the RBM or the deep belief net gave a wrong result\n");
    return wrong;
}
