/* Autoencoders on images of bars (8 x 8, all horizontal or all vertical):
 *  1. a denoising autoencoder, trained to restore images with a quarter of their pixels
 *     blanked, must restore held-out images better than they came;
 *  2. a stack of two autoencoders (64 -> 32 -> 8), trained greedily, must give codes
 *     that keep horizontal and vertical bars apart without ever seeing the labels;
 *  3. the stack unrolled into a deep autoencoder and fine-tuned must reconstruct the
 *     images better than before fine-tuning.
 * usage: example_autoencoder [DIR]: with DIR, also writes the denoising autoencoder as
 * DIR/dae.udl and the held-out images as DIR/bars.npy, for example_encode.
 * Build: cc autoencoder.c $(pkg-config --cflags --libs udl) -lm */
#include <math.h>
#include <stdio.h>

#include <udl/udl.h>

#include "synthetic.h"

enum { N = 1000, N_TEST = 200, CODES = 8 };

static double x[N * PIXELS], labels[N], test[N_TEST * PIXELS], test_labels[N_TEST];

static int fail(const char *what, udl_status s)
{
    fprintf(stderr, "%s failed (%s): %s\n", what, udl_status_str(s), udl_last_error());
    return 1;
}

/* Mean over rows of the squared distance between a and b (n x PIXELS). */
static double distance(const double *a, const double *b, size_t n)
{
    double sum = 0;
    for (size_t i = 0; i < n * PIXELS; i++)
        sum += (a[i] - b[i]) * (a[i] - b[i]);
    return sum / (double)n;
}

static int denoising(const char *dir)
{
    static double masked[N_TEST * PIXELS], restored[N_TEST * PIXELS];
    udl_ae_params p = udl_ae_params_default(); /* sigmoid units, cross-entropy */
    p.n_visible = PIXELS;
    p.n_hidden = 32;
    p.noise = UDL_NOISE_MASK;
    p.noise_level = 0.25;
    p.train.epochs = 30;
    p.train.batch_size = 20;
    udl_ae *ae;
    udl_status s = udl_ae_create(&p, &ae);
    if (s)
        return fail("udl_ae_create", s);
    uint64_t seed = 3;
    for (size_t i = 0; i < N_TEST * PIXELS; i++)
        masked[i] = uniform01(&seed) < 0.25 ? 0 : test[i];
    if ((s = udl_ae_train(ae, udl_mat_view(x, N, PIXELS), NULL, NULL)) ||
        (s = udl_ae_reconstruct(ae, udl_mat_view(masked, N_TEST, PIXELS),
                                udl_mat_view(restored, N_TEST, PIXELS)))) {
        udl_ae_free(ae);
        return fail("denoising autoencoder", s);
    }
    size_t epochs;
    const double *loss = udl_ae_history(ae, &epochs);
    double before = distance(masked, test, N_TEST), after = distance(restored, test, N_TEST);
    printf("denoising: training loss %.2f -> %.2f; a masked image is %.2f from its original,"
           " restored %.2f\n", loss[0], loss[epochs - 1], before, after);
    if (dir) {
        char path[4096];
        snprintf(path, sizeof path, "%s/dae.udl", dir);
        if ((s = udl_ae_save(ae, path)))
            fail("udl_ae_save", s);
        snprintf(path, sizeof path, "%s/bars.npy", dir);
        if (!s && (s = udl_npy_write(path, udl_mat_view(test, N_TEST, PIXELS))))
            fail("udl_npy_write", s);
    }
    udl_ae_free(ae);
    return s || after > 0.5 * before;
}

/* Each held-out image's nearest neighbour among the training images, measured between
 * their codes: the fraction of the same kind of bars says whether the codes kept it. */
static double neighbours_agree(const double *codes, const double *train_codes)
{
    size_t same = 0;
    for (size_t i = 0; i < N_TEST; i++) {
        size_t best = 0;
        double best_d = INFINITY;
        for (size_t t = 0; t < N; t++) {
            double d = 0;
            for (size_t j = 0; j < CODES; j++) {
                double e = codes[i * CODES + j] - train_codes[t * CODES + j];
                d += e * e;
            }
            if (d < best_d) {
                best_d = d;
                best = t;
            }
        }
        same += labels[best] == test_labels[i];
    }
    return (double)same / N_TEST;
}

static int stacked_and_deep(void)
{
    static double codes[N_TEST * CODES], train_codes[N * CODES], xhat[N_TEST * PIXELS];
    udl_ae_params layer = udl_ae_params_default();
    layer.train.epochs = 20;
    layer.train.batch_size = 20;
    const size_t sizes[] = {PIXELS, 32, CODES};
    udl_sae *stack = NULL;
    udl_deep_ae *deep = NULL;
    udl_deep_ae_params dp = udl_deep_ae_params_default();
    dp.train.epochs = 20;
    dp.train.batch_size = 20;
    double before = 0, after = 0;
    udl_mat xm = udl_mat_view(x, N, PIXELS), tm = udl_mat_view(test, N_TEST, PIXELS);
    udl_status s;
    if ((s = udl_sae_create(&layer, sizes, 3, &stack)) ||
        (s = udl_sae_train(stack, xm, NULL, NULL)) ||
        (s = udl_sae_encode(stack, tm, udl_mat_view(codes, N_TEST, CODES))) ||
        (s = udl_sae_encode(stack, xm, udl_mat_view(train_codes, N, CODES))) ||
        (s = udl_deep_ae_create(stack, &dp, &deep)) ||
        (s = udl_deep_ae_cost(deep, tm, &before)) ||
        (s = udl_deep_ae_train(deep, xm, NULL, NULL)) ||
        (s = udl_deep_ae_cost(deep, tm, &after)) ||
        (s = udl_deep_ae_reconstruct(deep, tm, udl_mat_view(xhat, N_TEST, PIXELS)))) {
        udl_deep_ae_free(deep);
        udl_sae_free(stack);
        return fail("stacked autoencoder", s);
    }
    double agree = neighbours_agree(codes, train_codes);
    printf("stack 64-32-8: nearest neighbour by the codes of the same kind of bars: %.1f %%\n",
           100 * agree);
    printf("deep autoencoder: held-out cross-entropy %.2f before fine-tuning, %.2f after;"
           " squared error %.2f\n", before, after, distance(xhat, test, N_TEST));
    udl_deep_ae_free(deep);
    udl_sae_free(stack);
    return agree < 0.95 || after > 0.5 * before;
}

int main(int argc, char **argv)
{
    bars(1, x, labels, N);
    bars(2, test, test_labels, N_TEST);
    int wrong = denoising(argc > 1 ? argv[1] : NULL);
    wrong |= stacked_and_deep();
    if (wrong)
        fprintf(stderr, "an autoencoder gave a wrong result\n");
    return wrong;
}
