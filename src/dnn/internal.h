/* Internal to libudl: the classifier's training with a hook, for adversarial training. */
#ifndef UDL_DNN_INTERNAL_H
#define UDL_DNN_INTERNAL_H

#include <udl/dnn.h>

/* Writes into xadv (x.rows x D) perturbed copies of the batch x with labels y, made from
 * the current weights. */
typedef udl_status (*udli_dnn_perturb_fn)(const udl_dnn *dnn, udl_mat x, udl_mat y,
                                          udl_mat xadv, void *user);

/* udl_dnn_train, with each batch of n rows joined by perturb's n copies into one batch
 * whose loss is alpha times the clean rows' mean plus (1 - alpha) times the copies'
 * (alpha in [0, 1]). perturb NULL: plain training (alpha 1). */
udl_status udli_dnn_train_mixed(udl_dnn *dnn, udl_mat x, udl_mat labels,
                                const udl_mat *valid_x, const udl_mat *valid_labels,
                                udli_dnn_perturb_fn perturb, void *perturb_user, double alpha,
                                udl_progress_fn progress, void *user);

/* The class scores (logits) of the rows of x, scores[c n + i], and each score's gradient
 * with respect to its row, grads[(c n + i) D ...]: one forward pass and a backward pass per
 * class (DeepFool's linearisation). */
udl_status udli_dnn_score_gradients(const udl_dnn *dnn, udl_mat x, double *grads,
                                    double *scores);

#endif
