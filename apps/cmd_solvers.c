/* cmd_solvers.c - `dqp solvers`: forward and linear solvers of this build. */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"

#include <string.h>

int cmd_solvers(int argc, char **argv) {
    int json = 0;
    for (int i = 2; i < argc; i++) {
        if (cli_is_flag(argv[i], "--json"))
            json = 1;
        else
            return cli_usage_error("solvers", "unknown argument %s", argv[i]);
    }
    int nq = dqp_qp_solver_count(), nl = dqp_lin_solver_count();
    if (json) {
        json_w w;
        json_init(&w, stdout);
        json_object_begin(&w, NULL);
        json_str(&w, "version", dqp_version());
        json_array_begin(&w, "qp_solvers", 0);
        for (int i = 0; i < nq; i++) {
            unsigned c = dqp_qp_solver_caps(i);
            json_object_begin(&w, NULL);
            json_str(&w, "name", dqp_qp_solver_name(i));
            json_str(&w, "description", dqp_qp_solver_description(i));
            json_bool(&w, "duals", (c & DQP_QP_CAP_DUALS) != 0);
            json_bool(&w, "sparse", (c & DQP_QP_CAP_SPARSE) != 0);
            json_bool(&w, "dense", (c & DQP_QP_CAP_DENSE) != 0);
            json_bool(&w, "warm_start", (c & DQP_QP_CAP_WARM) != 0);
            json_object_end(&w);
        }
        json_array_end(&w);
        json_array_begin(&w, "lin_solvers", 0);
        for (int i = 0; i < nl; i++) {
            unsigned c = dqp_lin_solver_caps(i);
            json_object_begin(&w, NULL);
            json_str(&w, "name", dqp_lin_solver_name(i));
            json_str(&w, "description", dqp_lin_solver_description(i));
            json_bool(&w, "sparse", (c & DQP_LIN_CAP_SPARSE) != 0);
            json_bool(&w, "dense", (c & DQP_LIN_CAP_DENSE) != 0);
            json_object_end(&w);
        }
        json_array_end(&w);
        json_object_end(&w);
        json_finish(&w);
        return CLI_OK;
    }
    printf("forward QP solvers (--solver NAME, setting qp_solver; \"auto\" = ipm for sparse data "
           "when built, else dense_as):\n");
    printf("  %-12s %-5s %-6s %-5s %-4s %s\n", "name", "duals", "sparse", "dense", "warm",
           "description");
    for (int i = 0; i < nq; i++) {
        unsigned c = dqp_qp_solver_caps(i);
        printf("  %-12s %-5s %-6s %-5s %-4s %s\n", dqp_qp_solver_name(i),
               c & DQP_QP_CAP_DUALS ? "yes" : "no", c & DQP_QP_CAP_SPARSE ? "yes" : "no",
               c & DQP_QP_CAP_DENSE ? "yes" : "no", c & DQP_QP_CAP_WARM ? "yes" : "no",
               dqp_qp_solver_description(i));
    }
    printf("\nlinear solvers for the derivative (setting lin_solver; \"auto\" picks by size):\n");
    printf("  %-12s %-6s %s\n", "name", "kind", "description");
    for (int i = 0; i < nl; i++) {
        unsigned c = dqp_lin_solver_caps(i);
        printf("  %-12s %-6s %s\n", dqp_lin_solver_name(i),
               c & DQP_LIN_CAP_SPARSE ? "sparse" : "dense", dqp_lin_solver_description(i));
    }
    return CLI_OK;
}
