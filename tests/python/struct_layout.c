/* Prints the size of every public struct the Python package mirrors and the offset and
 * size of each of its fields, one per line ("udl_mat 32", "udl_mat.ld 24 8"), so
 * test_python.py can hold the ctypes declarations against what the compiler laid out. */
#include <stddef.h>
#include <stdio.h>

#include <udl/udl.h>

#define STRUCT(type) printf("%s %zu\n", #type, sizeof(type))
#define FIELD(type, member)                                                            \
    printf("%s.%s %zu %zu\n", #type, #member, offsetof(type, member),                 \
           sizeof(((type *)0)->member))

int main(void)
{
    STRUCT(udl_mat);
    FIELD(udl_mat, data);
    FIELD(udl_mat, rows);
    FIELD(udl_mat, cols);
    FIELD(udl_mat, ld);

    STRUCT(udl_array);
    FIELD(udl_array, data);
    FIELD(udl_array, rows);
    FIELD(udl_array, cols);

    STRUCT(udl_progress);
    FIELD(udl_progress, stage);
    FIELD(udl_progress, step);
    FIELD(udl_progress, total);
    FIELD(udl_progress, loss);
    FIELD(udl_progress, valid_loss);
    FIELD(udl_progress, valid_error);
    FIELD(udl_progress, layer);
    FIELD(udl_progress, layers);
    FIELD(udl_progress, batch);
    FIELD(udl_progress, batches);

    STRUCT(udl_sgd_params);
    FIELD(udl_sgd_params, learning_rate);
    FIELD(udl_sgd_params, momentum);
    FIELD(udl_sgd_params, weight_decay);
    FIELD(udl_sgd_params, nesterov);

    STRUCT(udl_train_params);
    FIELD(udl_train_params, epochs);
    FIELD(udl_train_params, batch_size);
    FIELD(udl_train_params, sgd);
    FIELD(udl_train_params, seed);
    FIELD(udl_train_params, warmup_epochs);
    FIELD(udl_train_params, warmup_momentum);
    FIELD(udl_train_params, decay);
    FIELD(udl_train_params, decay_rate);
    FIELD(udl_train_params, decay_every);

    STRUCT(udl_pca_params);
    FIELD(udl_pca_params, n_components);
    FIELD(udl_pca_params, variance_fraction);
    FIELD(udl_pca_params, whiten);

    STRUCT(udl_tsne_params);
    FIELD(udl_tsne_params, n_components);
    FIELD(udl_tsne_params, perplexity);
    FIELD(udl_tsne_params, method);
    FIELD(udl_tsne_params, theta);
    FIELD(udl_tsne_params, n_iter);
    FIELD(udl_tsne_params, early_exaggeration);
    FIELD(udl_tsne_params, exaggeration_iter);
    FIELD(udl_tsne_params, learning_rate);
    FIELD(udl_tsne_params, momentum_early);
    FIELD(udl_tsne_params, momentum);
    FIELD(udl_tsne_params, min_gain);
    FIELD(udl_tsne_params, init);
    FIELD(udl_tsne_params, seed);
    FIELD(udl_tsne_params, report_every);

    STRUCT(udl_tsne_result);
    FIELD(udl_tsne_result, kl);
    FIELD(udl_tsne_result, iterations);
    FIELD(udl_tsne_result, method);
    FIELD(udl_tsne_result, learning_rate);

    STRUCT(udl_ae_params);
    FIELD(udl_ae_params, n_visible);
    FIELD(udl_ae_params, n_hidden);
    FIELD(udl_ae_params, linear);
    FIELD(udl_ae_params, loss);
    FIELD(udl_ae_params, noise);
    FIELD(udl_ae_params, noise_level);
    FIELD(udl_ae_params, train);

    STRUCT(udl_deep_ae_params);
    FIELD(udl_deep_ae_params, linear_code);
    FIELD(udl_deep_ae_params, loss);
    FIELD(udl_deep_ae_params, train);

    STRUCT(udl_rbm_params);
    FIELD(udl_rbm_params, n_visible);
    FIELD(udl_rbm_params, n_hidden);
    FIELD(udl_rbm_params, visible);
    FIELD(udl_rbm_params, hidden);
    FIELD(udl_rbm_params, method);
    FIELD(udl_rbm_params, k);
    FIELD(udl_rbm_params, train);

    STRUCT(udl_dnn_params);
    FIELD(udl_dnn_params, activation);
    FIELD(udl_dnn_params, input_dropout);
    FIELD(udl_dnn_params, hidden_dropout);
    FIELD(udl_dnn_params, train);
    FIELD(udl_dnn_params, valid_fraction);
    FIELD(udl_dnn_params, patience);

    STRUCT(udl_dnn_pretrain_params);
    FIELD(udl_dnn_pretrain_params, method);
    FIELD(udl_dnn_pretrain_params, train);
    FIELD(udl_dnn_pretrain_params, noise);

    STRUCT(udl_dnn_eval);
    FIELD(udl_dnn_eval, n);
    FIELD(udl_dnn_eval, loss);
    FIELD(udl_dnn_eval, accuracy);

    STRUCT(udl_attack_params);
    FIELD(udl_attack_params, method);
    FIELD(udl_attack_params, eps);
    FIELD(udl_attack_params, steps);
    FIELD(udl_attack_params, step_size);
    FIELD(udl_attack_params, restarts);
    FIELD(udl_attack_params, targeted);
    FIELD(udl_attack_params, clip_min);
    FIELD(udl_attack_params, clip_max);
    FIELD(udl_attack_params, overshoot);
    FIELD(udl_attack_params, seed);

    STRUCT(udl_attack_report);
    FIELD(udl_attack_report, label_before);
    FIELD(udl_attack_report, label_after);
    FIELD(udl_attack_report, linf);
    FIELD(udl_attack_report, l2);
    return 0;
}
