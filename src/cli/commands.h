/* The subcommands of the udl tool; each returns the process exit code. */
#ifndef UDL_CLI_COMMANDS_H
#define UDL_CLI_COMMANDS_H

int cmd_pca(int argc, char **argv);
int cmd_tsne(int argc, char **argv);
int cmd_train(int argc, char **argv);
int cmd_encode(int argc, char **argv);
int cmd_reconstruct(int argc, char **argv);
int cmd_sample(int argc, char **argv);
int cmd_eval_ll(int argc, char **argv);
int cmd_predict(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_visualize(int argc, char **argv);
int cmd_attack(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_demo(int argc, char **argv);

#endif
