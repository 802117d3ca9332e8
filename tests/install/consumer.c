/* Built against an installed udl through pkg-config. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <udl/udl.h>

int main(void)
{
    double a[6] = {1, 2, 3, 4, 5, 6}; /* 2 x 3 */
    double b[6] = {7, 8, 9, 10, 11, 12}; /* 3 x 2 */
    double c[4];
    udl_status s = udl_gemm(UDL_NOTRANS, UDL_NOTRANS, 1.0, udl_mat_view(a, 2, 3),
                            udl_mat_view(b, 3, 2), 0.0, udl_mat_view(c, 2, 2));
    const double want[4] = {58, 64, 139, 154};
    for (int i = 0; i < 4; i++)
        if (s != UDL_OK || fabs(c[i] - want[i]) > 1e-12) {
            printf("gemm gave a wrong product\n");
            return 1;
        }
    s = udl_gemm(UDL_NOTRANS, UDL_NOTRANS, 1.0, udl_mat_view(a, 2, 3), udl_mat_view(a, 2, 3),
                 0.0, udl_mat_view(c, 2, 2));
    if (s != UDL_ESHAPE || strcmp(udl_status_str(s), "shape mismatch") != 0) {
        printf("a mismatched gemm was not rejected\n");
        return 1;
    }
    if (udl_version_number() != UDL_VERSION_NUMBER) {
        printf("header %s, library %s\n", UDL_VERSION_STRING, udl_version());
        return 1;
    }
    printf("C consumer: udl %s, gemm ok, '%s'\n", udl_version(), udl_last_error());
    return 0;
}
