/** @file
 * Adversarial examples against a classifier, robustness measured as a distance, and
 * adversarial training.
 *
 * Every attack works from the classifier's input gradients (udl_dnn_input_gradient,
 * udl_dnn_unit_gradient): untargeted, it raises the loss of the true labels; targeted, it
 * lowers the loss of chosen ones. Results are clipped to the valid input range. */
#ifndef UDL_ADVERSARIAL_H
#define UDL_ADVERSARIAL_H

#include <stddef.h>
#include <stdint.h>

#include <udl/dnn.h>
#include <udl/matrix.h>
#include <udl/status.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The attacks. */
typedef enum udl_attack_method {
    UDL_ATTACK_FGSM = 0,    /**< x + eps sign(grad) (Goodfellow, Shlens & Szegedy 2014) */
    UDL_ATTACK_FGM_L2 = 1,  /**< x + eps grad / |grad|_2 */
    UDL_ATTACK_BIM = 2,     /**< steps of step_size sign(grad), kept in the L-inf ball
                                 (Kurakin, Goodfellow & Bengio 2016) */
    UDL_ATTACK_PGD = 3,     /**< BIM from a random start in the ball, the best of restarts
                                 (Madry et al. 2018) */
    UDL_ATTACK_PGD_L2 = 4,  /**< the same in the L2 ball: steps along grad / |grad|_2 */
    UDL_ATTACK_DEEPFOOL = 5 /**< the smallest L2 step found to the nearest decision
                                 boundary (Moosavi-Dezfooli, Fawzi & Frossard 2016); no
                                 eps */
} udl_attack_method;

/** An attack's settings; start from udl_attack_params_default(). */
typedef struct udl_attack_params {
    udl_attack_method method; /**< the attack */
    double eps;           /**< the ball's radius: L-inf for FGSM, BIM, PGD; L2 for FGM-L2
                               and PGD-L2; > 0 (DeepFool ignores it) */
    size_t steps;         /**< iterative attacks' steps; DeepFool's most iterations */
    double step_size;     /**< iterative attacks; 0: 2.5 eps / steps (Madry et al.) */
    size_t restarts;      /**< PGD and PGD-L2: random starts (>= 1), the one with the
                               highest loss (targeted: lowest) kept; the others ignore it */
    int targeted;         /**< 0: labels are the true ones; 1: they are the targets */
    double clip_min, clip_max; /**< the top of the valid input range, > clip_min (may be
                                    infinite) */
    /** @var udl_attack_params::clip_min
     * the bottom of the valid input range, < clip_max (may be infinite) */
    double overshoot;     /**< DeepFool: the step is (1 + overshoot) times the one found */
    uint64_t seed;        /**< PGD's random starts */
} udl_attack_params;

/** eps 0.1, 10 steps (DeepFool: 50), step size 0 (the default rule), 1 restart,
 * untargeted, inputs in [0, 1], overshoot 0.02, seed 1. */
UDL_API udl_attack_params udl_attack_params_default(udl_attack_method method);

/** Per example, each N values, each pointer may be NULL. */
typedef struct udl_attack_report {
    double *label_before; /**< the classifier's label for x */
    double *label_after;  /**< and for the adversarial example */
    double *linf, *l2;    /**< the perturbation's L2 norm */
    /** @var udl_attack_report::linf
     * the perturbation's L-inf norm */
} udl_attack_report;

/** Adversarial examples Xadv (N x D, a buffer apart from X) for X and labels (N x 1: the
 * true labels, or the targets when targeted). DeepFool ignores the labels: it moves each
 * row off the classifier's own label for it. report may be NULL. */
UDL_API udl_status udl_attack(const udl_dnn *dnn, const udl_attack_params *params, udl_mat x,
                              udl_mat labels, udl_mat xadv, udl_attack_report *report);

/** Fine-tunes dnn as udl_dnn_train does, every mini-batch mixed with adversarial versions of
 * itself made by attack (FGSM, FGM-L2, BIM, PGD or PGD-L2, untargeted) from the current
 * weights: the loss is alpha L(x) + (1 - alpha) L(x_adv) (Goodfellow et al. 2014: alpha
 * 0.5), through the shared training loop. */
UDL_API udl_status udl_adversarial_train(udl_dnn *dnn, const udl_attack_params *attack,
                                         double alpha, udl_mat x, udl_mat labels,
                                         const udl_mat *valid_x, const udl_mat *valid_labels,
                                         udl_progress_fn progress, void *user);

#ifdef __cplusplus
}
#endif

#endif
