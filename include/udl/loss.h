/** @file
 * The activations of a network's layers and the losses of its outputs. Every model of
 * udl with layers (autoencoders, deep nets, classifiers) names its activations and loss
 * with these. */
#ifndef UDL_LOSS_H
#define UDL_LOSS_H

#include <udl/status.h>

#ifdef __cplusplus
extern "C" {
#endif

/** A layer's activation function, applied to its pre-activations a. */
typedef enum udl_activation {
    UDL_ACT_SIGMOID = 0, /**< 1 / (1 + e^-a) */
    UDL_ACT_TANH = 1,    /**< tanh(a) */
    UDL_ACT_RELU = 2,    /**< max(a, 0) */
    UDL_ACT_LINEAR = 3,  /**< the identity */
    UDL_ACT_SOFTMAX = 4  /**< e^a_j / sum_k e^a_k over a row; an output layer only */
} udl_activation;

/** Each loss is summed over a row's outputs y against its targets t, and computed from
 * the output layer's pre-activations a, so it stays finite where y saturates. */
typedef enum udl_loss {
    UDL_LOSS_CROSS_ENTROPY = 0,        /**< -sum t log y + (1-t) log(1-y): sigmoid
                                            outputs, targets in [0, 1] */
    UDL_LOSS_SQUARED = 1,              /**< sum (y - t)^2: sigmoid, tanh, ReLU or linear
                                            outputs */
    UDL_LOSS_SOFTMAX_CROSS_ENTROPY = 2 /**< -sum t log y: softmax outputs, each row of
                                            targets a distribution (a one-hot label) */
} udl_loss;

/** A short name for messages and files: "sigmoid", "relu", ...; "unknown" for a value
 * outside the enum. */
UDL_API const char *udl_activation_name(udl_activation act);
/** A short name for messages and files: "cross-entropy", ...; "unknown" for a value
 * outside the enum. */
UDL_API const char *udl_loss_name(udl_loss loss);

#ifdef __cplusplus
}
#endif

#endif
