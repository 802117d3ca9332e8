/* Encodes the rows of a data file with a saved model of any kind (PCA, autoencoder,
 * stack, deep autoencoder) and writes the codes as .npy; with a third argument, also the
 * reconstructions, where the kind has a decoder. usage: example_encode MODEL DATA
 * CODES.npy [RECONSTRUCTIONS.npy] */
#include <stdio.h>
#include <stdlib.h>

#include <udl/udl.h>

static int fail(const char *what, udl_status s)
{
    fprintf(stderr, "%s (%s): %s\n", what, udl_status_str(s), udl_last_error());
    return 1;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: %s MODEL DATA CODES.npy [RECONSTRUCTIONS.npy]\n", argv[0]);
        return 2;
    }
    udl_model *m;
    udl_status s = udl_model_load(argv[1], &m);
    if (s)
        return fail(argv[1], s);
    udl_array x;
    if ((s = udl_data_read(argv[2], 0, &x))) {
        udl_model_free(m);
        return fail(argv[2], s);
    }
    /* The model says how wide its codes are; the output is sized from that. */
    size_t k = udl_model_n_codes(m), d = udl_model_n_inputs(m);
    double *z = malloc(x.rows * k * sizeof *z + 1), *xhat = malloc(x.rows * d * sizeof *xhat + 1);
    udl_mat zm = udl_mat_view(z, x.rows, k), xm = udl_array_mat(&x);
    int rc = 0;
    if (!z || !xhat)
        rc = fail("output", UDL_ENOMEM);
    else if ((s = udl_model_encode(m, xm, zm)) || (s = udl_npy_write(argv[3], zm)))
        rc = fail("encode", s);
    else if (argc > 4 && ((s = udl_model_reconstruct(m, xm, udl_mat_view(xhat, x.rows, d))) ||
                          (s = udl_npy_write(argv[4], udl_mat_view(xhat, x.rows, d)))))
        rc = fail("reconstruct", s); /* UDL_EKIND: this kind has no decoder */
    else
        printf("%s: %zu rows of %zu columns -> %zu codes each\n", udl_model_kind_name(m),
               x.rows, d, k);
    free(z);
    free(xhat);
    udl_array_free(&x);
    udl_model_free(m);
    return rc;
}
