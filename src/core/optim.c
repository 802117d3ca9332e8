#include <math.h>

#include <udl/optim.h>

#include "core/error.h"

UDL_API udl_sgd_params udl_sgd_params_default(void)
{
    udl_sgd_params p = {0.1, 0.9, 0.0, 0};
    return p;
}

UDL_API udl_status udl_sgd_params_check(const udl_sgd_params *p)
{
    if (!p)
        return udli_fail(UDL_EINVAL, "sgd: params is NULL");
    if (!(p->learning_rate > 0.0) || !isfinite(p->learning_rate))
        return udli_fail(UDL_EINVAL, "sgd: learning_rate must be a finite number > 0, got %g",
                         p->learning_rate);
    if (!(p->momentum >= 0.0 && p->momentum < 1.0))
        return udli_fail(UDL_EINVAL, "sgd: momentum must be in [0, 1), got %g", p->momentum);
    if (!(p->weight_decay >= 0.0) || !isfinite(p->weight_decay))
        return udli_fail(UDL_EINVAL, "sgd: weight_decay must be a finite number >= 0, got %g",
                         p->weight_decay);
    if (p->nesterov != 0 && p->nesterov != 1)
        return udli_fail(UDL_EINVAL, "sgd: nesterov must be 0 or 1, got %d", p->nesterov);
    return UDL_OK;
}

UDL_API udl_status udl_sgd_step(const udl_sgd_params *p, double *param, double *velocity,
                                const double *grad, size_t n, int decay)
{
    udl_status s = udl_sgd_params_check(p);
    if (s)
        return s;
    if (n && (!param || !velocity || !grad))
        return udli_fail(UDL_EINVAL, "sgd: param, velocity and grad must not be NULL");
    const double lr = p->learning_rate, mu = p->momentum;
    const double lambda = decay ? p->weight_decay : 0.0;
    for (size_t i = 0; i < n; i++) {
        double g = grad[i] + lambda * param[i];
        velocity[i] = mu * velocity[i] - lr * g;
        param[i] += p->nesterov ? mu * velocity[i] - lr * g : velocity[i];
    }
    return UDL_OK;
}
