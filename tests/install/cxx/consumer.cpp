// Built against an installed udl through find_package(udl CONFIG).
#include <cmath>
#include <cstdio>
#include <cstring>
#include <vector>

#include <udl/udl.h>

int main()
{
    std::vector<double> a{1, 2, 3, 4, 5, 6}; // 2 x 3, used transposed
    std::vector<double> c(9);
    udl_status s = udl_gemm(UDL_TRANS, UDL_NOTRANS, 1.0, udl_mat_view(a.data(), 2, 3),
                            udl_mat_view(a.data(), 2, 3), 0.0, udl_mat_view(c.data(), 3, 3));
    const double want[9] = {17, 22, 27, 22, 29, 36, 27, 36, 45};
    for (int i = 0; i < 9; i++)
        if (s != UDL_OK || std::fabs(c[i] - want[i]) > 1e-12) {
            std::printf("gemm gave a wrong product\n");
            return 1;
        }
    if (std::strcmp(udl_status_str(UDL_OK), "ok") != 0) {
        std::printf("udl_status_str(UDL_OK) is wrong\n");
        return 1;
    }
    std::printf("C++ consumer: udl %s, AtA ok\n", udl_version());
    return 0;
}
