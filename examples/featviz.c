/* What the units of a trained classifier respond to. A classifier learns four classes of
 * 8 x 8 binary images (noisy copies of four templates); then, for each class, gradient
 * ascent on the input finds the image that raises the class's score the most. That image
 * must look like the class's template: closer to it than to any other template. The
 * first hidden layer's features come in closed form, and the four images are laid out
 * in one grid, as the tool does to write a PNG.
 * Build: cc featviz.c $(pkg-config --cflags --libs udl) -lm */
#include <math.h>
#include <stdio.h>

#include <udl/udl.h>

#include "synthetic.h"

enum { K = 4, N = 800 };

static int fail(const char *what, udl_status s)
{
    fprintf(stderr, "%s failed (%s): %s\n", what, udl_status_str(s), udl_last_error());
    return 1;
}

/* The correlation of two images. */
static double correlation(const double *a, const double *b)
{
    double ma = 0, mb = 0, ab = 0, aa = 0, bb = 0;
    for (size_t j = 0; j < PIXELS; j++) {
        ma += a[j] / PIXELS;
        mb += b[j] / PIXELS;
    }
    for (size_t j = 0; j < PIXELS; j++) {
        ab += (a[j] - ma) * (b[j] - mb);
        aa += (a[j] - ma) * (a[j] - ma);
        bb += (b[j] - mb) * (b[j] - mb);
    }
    return ab / sqrt(aa * bb + 1e-300);
}

/* 0 when every class's image is closest to its own template. */
static int check_and_show(const double *images, const double *score, const double *templates)
{
    int wrong = 0;
    for (size_t k = 0; k < K; k++) {
        double own = 0, other = -1;
        for (size_t t = 0; t < K; t++) {
            double r = correlation(images + k * PIXELS, templates + t * PIXELS);
            if (t == k)
                own = r;
            else if (r > other)
                other = r;
        }
        printf("class %zu: score %.1f; correlation with its template %.2f, with the best "
               "other %.2f\n", k, score[k], own, other);
        wrong |= !(own > other);
    }
    printf("class 0's template, then the image found for class 0:\n");
    print_image(templates);
    printf("\n");
    print_image(images);
    return wrong;
}

int main(void)
{
    static double templates[K * PIXELS], x[N * PIXELS], y[N];
    random_templates(20, K, templates);
    noisy_copies(21, K, templates, 0.2, x, y, N);
    const size_t sizes[] = {PIXELS, 32, K};
    udl_dnn_params p = udl_dnn_params_default();
    p.train.epochs = 10;
    p.train.batch_size = 20;
    udl_dnn *dnn;
    udl_status s = udl_dnn_create(&p, sizes, 3, &dnn);
    if (s)
        return fail("udl_dnn_create", s);
    if ((s = udl_dnn_train(dnn, udl_mat_view(x, N, PIXELS), udl_mat_view(y, N, 1), NULL, NULL,
                           NULL, NULL))) {
        udl_dnn_free(dnn);
        return fail("udl_dnn_train", s);
    }

    /* Feature visualization takes any model with layers through the generic handle. */
    udl_model *m;
    if ((s = udl_model_wrap(UDL_KIND_DNN, dnn, &m))) {
        udl_dnn_free(dnn);
        return fail("udl_model_wrap", s);
    }
    size_t n_layers, widths[UDL_FEATVIZ_MAX_LAYERS + 1];
    double images[K * PIXELS], score[K], features[K * PIXELS];
    udl_featviz_params fp = udl_featviz_params_default(); /* inputs clipped to [0, 1] */
    fp.norm = 6;                                          /* about an image's norm */
    udl_array grid = {0};
    udl_mat im = udl_mat_view(images, K, PIXELS);
    int wrong = 1;
    if ((s = udl_featviz_layers(m, &n_layers, widths)) ||
        /* the last layer's units are the class scores before the softmax */
        (s = udl_featviz_ascent(m, n_layers - 1, 0, &fp, im, score)) ||
        (s = udl_featviz_first_layer(m, fp.norm, 0, udl_mat_view(features, K, PIXELS))) ||
        (s = udl_image_grid(im, SIDE, SIDE, K, &grid))) {
        fail("feature visualization", s);
    } else {
        printf("%zu layers: %zu inputs -> %zu hidden -> %zu classes\n", n_layers, widths[0],
               widths[1], widths[2]);
        wrong = check_and_show(images, score, templates);
        printf("hidden unit 0's feature (the input of norm %.0f it responds to most):\n",
               fp.norm);
        print_image(features);
        printf("the four images in one grid: %zu x %zu pixels\n", grid.rows, grid.cols);
        wrong |= grid.rows != SIDE + 2 || grid.cols != K * (SIDE + 1) + 1;
    }
    udl_array_free(&grid);
    udl_model_free(m); /* the handle only: it does not own dnn */
    udl_dnn_free(dnn);
    if (wrong)
        fprintf(stderr, "feature visualization gave a wrong result\n");
    return wrong;
}
