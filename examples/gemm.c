/* The smallest udl program: a matrix product through the library's one gemm, and
 * what a failure looks like. Build: cc gemm.c $(pkg-config --cflags --libs udl) */
#include <stdio.h>

#include <udl/udl.h>

int main(void)
{
    double x[2 * 3] = {1, 2, 3, 4, 5, 6};
    double w[3 * 2] = {0.5, -1, 0.25, 0, 1, 2};
    double z[2 * 2];
    udl_status s = udl_gemm(UDL_NOTRANS, UDL_NOTRANS, 1.0, udl_mat_view(x, 2, 3),
                            udl_mat_view(w, 3, 2), 0.0, udl_mat_view(z, 2, 2));
    if (s != UDL_OK) {
        fprintf(stderr, "udl: %s: %s\n", udl_status_str(s), udl_last_error());
        return 1;
    }
    printf("udl %s\nZ = X W =\n  %6.2f %6.2f\n  %6.2f %6.2f\n", udl_version(), z[0], z[1], z[2],
           z[3]);
    /* A product whose shapes do not fit is refused with a sentence, not a crash. */
    s = udl_gemm(UDL_NOTRANS, UDL_NOTRANS, 1.0, udl_mat_view(x, 2, 3), udl_mat_view(x, 2, 3),
                 0.0, udl_mat_view(z, 2, 2));
    printf("X X: %s: %s\n", udl_status_str(s), udl_last_error());
    return 0;
}
