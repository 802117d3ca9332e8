/* Internal: the one loss module. Every model's output loss and its delta come from
 * here, computed from pre-activations. */
#ifndef UDL_CORE_LOSS_H
#define UDL_CORE_LOSS_H

#include <udl/loss.h>
#include <udl/matrix.h>

/* UDL_EINVAL naming who when loss cannot follow an output activation act (cross-entropy
 * needs sigmoid outputs, softmax cross-entropy softmax ones, squared error anything but
 * softmax), or when either is not a known value. */
udl_status udli_loss_check(udl_loss loss, udl_activation act, const char *who);

/* UDL_EINVAL naming the first target the loss cannot take: outside [0, 1] for
 * cross-entropy, a row that is not a distribution for softmax cross-entropy. */
udl_status udli_loss_check_targets(udl_loss loss, udl_mat t, const char *name);

/* The loss of output pre-activations a (activation act) against targets t, summed over
 * every row. With delta non-NULL, also d(loss)/d(a) / scale into delta, which may be a
 * itself. The pair (loss, act) must have passed udli_loss_check. */
double udli_loss_eval(udl_loss loss, udl_activation act, udl_mat a, udl_mat t, udl_mat *delta,
                      double scale);

#endif
