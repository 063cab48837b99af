/* main.c - the dqp command line: dispatch, help, `info` and `settings`. */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"

#include <string.h>

typedef struct help_entry {
    const char *name;
    const char *text;
} help_entry;

static const help_entry help[] = {
    {"solve", "  dqp solve FILE [--solver NAME] [--set key=value]... [--json]\n"
              "      Read a QPS/MPS file (free or fixed format), solve it, prepare the\n"
              "      derivative and print a summary.\n"
              "      --solver NAME     forward QP solver (same as --set qp_solver=NAME)\n"
              "      --set key=value   any setting of `dqp settings` (repeatable)\n"
              "      --json            one JSON object: status, objective (file's sense,\n"
              "                        constant included), n, m_eq, m_ineq, z, lambda, mu,\n"
              "                        active, iterations, solve_seconds, diff_setup_seconds,\n"
              "                        derivative_status, ... (z, lambda, mu, active and\n"
              "                        objective are null when the problem was not solved)\n"
              "      Exit 0 whenever the problem was read and the solver ran, whatever the\n"
              "      QP status; the status is printed.\n"},
    {"grad",
     "  dqp grad FILE [--loss objective|sum|z:K] [--solver NAME] [--set key=value]... [--json]\n"
     "      Reverse-mode gradient of a scalar loss of the solution with respect to\n"
     "      q, b, d and the stored values of P, A, C (canonical form), and the same\n"
     "      gradient mapped to the file's own data by name: objective coefficients\n"
     "      (c), Q entries, constraint-matrix entries, right-hand sides, ranges and\n"
     "      bounds.\n"
     "      --loss objective  the optimal value in the file's sense, constant\n"
     "                        included (default)\n"
     "      --loss sum        the sum of z\n"
     "      --loss z:K        z_K, K a 0-based index or a column name\n"
     "      --json            JSON: the solve fields, loss, loss_value, z, dP, dq,\n"
     "                        dA, db, dC, dd (canonical layout: stored values in\n"
     "                        CSC order, P upper triangle) and by_name:\n"
     "                        objective_constant, c{col}, Q[{i,j,value}] (stored\n"
     "                        triangle: an off-diagonal entry stands for Q(i,j) and\n"
     "                        Q(j,i)), matrix[{row,col,value}], rhs{row},\n"
     "                        range{row} (w.r.t. the width |R|), lower{col},\n"
     "                        upper{col}, fixed{col} (finite bounds only)\n"
     "      Not solved (infeasible, unbounded, ...): the status, no gradient, exit 4.\n"},
    {"check", "  dqp check FILE [--loss ...] [--directions K] [--seed S] [--step H] [--tol T]\n"
              "            [--adjoint-tol T] [--solver NAME] [--set key=value]... [--json]\n"
              "      Verify the derivatives of this problem along K random directions of\n"
              "      the data (q, b, d and the stored values of P, A, C, scaled entrywise\n"
              "      by the data's magnitudes): reverse mode (VJP) against forward mode\n"
              "      (JVP) through the adjoint identity, for the loss seed and for a random\n"
              "      seed on (z, lambda, mu); and central finite differences of the loss and\n"
              "      of (z, lambda, mu), Richardson-extrapolated from steps h and h/2, with\n"
              "      re-solves at tight tolerance (eps_abs = eps_rel = 1e-12, or 1e-10 and\n"
              "      then 1e-8 when the solver cannot reach it; --set eps_abs/eps_rel wins).\n"
              "      The step is shrunk tenfold (at most 3 times) when a perturbed solve\n"
              "      changes the active set or fails; then the direction is skipped.\n"
              "      --directions K    number of random directions (default 10)\n"
              "      --seed S          random seed (default 1)\n"
              "      --step H          relative finite-difference step (default 1e-4)\n"
              "      --tol T           finite-difference tolerance (default 1e-5)\n"
              "      --adjoint-tol T   reverse/forward tolerance (default 1e-9)\n"
              "      Relative disagreement of a, b: |a - b| / max(|a|, |b|, floor), floor\n"
              "      1e-3 ||grad|| ||v|| plus the finite-difference noise level.\n"
              "      Exit 1 when a regular problem (derivative status regular or only\n"
              "      duals_recovered) disagrees beyond tolerance; degenerate problems are\n"
              "      reported but not failed. Not solved: exit 4; no derivative: exit 5.\n"},
    {"bench",
     "  dqp bench FILE [--solvers a,b,...] [--tols 1e-8,1e-5,1e-2] [--repeat 30]\n"
     "            [--csv OUT] [--svg OUT] [--ref NAME] [--ref-tol T] [--set key=value]...\n"
     "      Every forward solver (default: all in this build) at every tolerance\n"
     "      (eps_abs = eps_rel = tol), repeated with a fresh handle after one\n"
     "      warm-up: mean and standard deviation of the solve time and of the\n"
     "      backward time (derivative setup + one VJP), mean iterations, and the\n"
     "      relative error ||z - z_ref|| / ||z_ref|| against a reference solve.\n"
     "      --ref NAME        reference solver (default dense_as when n <= 3000,\n"
     "                        else auto)\n"
     "      --ref-tol T       reference tolerance (default 1e-12)\n"
     "      --csv OUT         write the table as CSV\n"
     "      --svg OUT         write a bar chart: log-scale time per solver and\n"
     "                        tolerance, error exponents above the bars\n"},
    {"solvers", "  dqp solvers [--json]\n"
                "      The forward QP solvers and the KKT linear solvers of this build with\n"
                "      their capabilities.\n"},
    {"demo", "  dqp demo [--solver NAME] [--set key=value]...\n"
             "      Solve the toy problem of the dQP README (P = 2I, q = 0,\n"
             "      C = [[-1,-1],[-1,0],[0,-1]], d = [-1,0,0]) and print z*, mu*, the active\n"
             "      set and the gradients of the optimal value next to their analytic\n"
             "      values. Default solver dense_as (exact active set). Exit 1 when they\n"
             "      differ by more than max(1e-9, 10 max(eps_abs, eps_rel)).\n"},
    {"info", "  dqp info FILE\n"
             "      Read a QPS/MPS file and print its sizes.\n"},
    {"settings", "  dqp settings\n"
                 "      Every setting with its default and meaning (names for --set).\n"},
};

#define NHELP ((int)(sizeof help / sizeof help[0]))

void cli_usage(FILE *out, const char *command) {
    if (command)
        for (int k = 0; k < NHELP; k++)
            if (strcmp(help[k].name, command) == 0) {
                fputs("usage:\n", out);
                fputs(help[k].text, out);
                return;
            }
    fprintf(out,
            "dqp %s - solve and differentiate quadratic programs\n\n"
            "    minimize 1/2 z'Pz + q'z  subject to  A z = b, C z <= d\n\n"
            "usage: dqp COMMAND [options]     (dqp COMMAND --help for one command)\n\n",
            dqp_version());
    for (int k = 0; k < NHELP; k++) {
        fputs(help[k].text, out);
        fputc('\n', out);
    }
    fputs("  dqp --version     print the version\n"
          "  dqp --help        this text\n\n"
          "Files are QPS/MPS (free or fixed format). JSON output is one object,\n"
          "doubles with 17 significant digits, non-finite numbers as null.\n"
          "Exit codes: 0 ok, 1 check/demo disagreement, 2 usage (bad option, unknown\n"
          "name: the valid names are listed), 3 bad input file (FILE:LINE: reason),\n"
          "4 problem not solved (grad, check), 5 library failure.\n",
          out);
}

static int cmd_info(int argc, char **argv) {
    if (argc != 3 || argv[2][0] == '-')
        return cli_usage_error("info", "expects exactly one FILE");
    cli_model m;
    int rc = cli_load(argv[2], &m);
    if (rc != CLI_OK)
        return rc;
    const dqp_problem *p = m.prob;
    printf("name %s\nfile: cols %lld rows %lld nnz %lld\ncanonical: n %lld m_eq %lld m_ineq %lld\n",
           dqp_qps_name(m.qps), (long long)dqp_qps_file_cols(m.qps),
           (long long)dqp_qps_file_rows(m.qps), (long long)dqp_qps_file_nnz(m.qps),
           (long long)dqp_problem_n(p), (long long)dqp_problem_m_eq(p),
           (long long)dqp_problem_m_ineq(p));
    cli_unload(&m);
    return CLI_OK;
}

static int cmd_settings(int argc, char **argv) {
    (void)argv;
    if (argc != 2)
        return cli_usage_error("settings", "takes no arguments");
    dqp_settings s;
    dqp_settings_default(&s);
    for (int i = 0; i < dqp_settings_count(); i++) {
        char buf[DQP_KEYWORDS_LEN];
        const char *name = dqp_settings_name(i);
        if (dqp_settings_get(&s, name, buf, sizeof buf, NULL) != DQP_OK)
            return CLI_LIBRARY;
        printf("%-26s %-8s %s\n", name, buf, dqp_settings_help(name));
    }
    return CLI_OK;
}

typedef int (*command_fn)(int, char **);

int main(int argc, char **argv) {
    static const struct {
        const char *name;
        command_fn fn;
    } commands[] = {{"solve", cmd_solve}, {"grad", cmd_grad},        {"check", cmd_check},
                    {"bench", cmd_bench}, {"solvers", cmd_solvers},  {"demo", cmd_demo},
                    {"info", cmd_info},   {"settings", cmd_settings}};
    if (argc < 2) {
        cli_usage(stderr, NULL);
        return CLI_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
        printf("dqp %s\n", dqp_version());
        return CLI_OK;
    }
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        cli_usage(stdout, argc > 2 ? argv[2] : NULL);
        return CLI_OK;
    }
    for (size_t k = 0; k < sizeof commands / sizeof commands[0]; k++)
        if (strcmp(cmd, commands[k].name) == 0) {
            for (int i = 2; i < argc; i++)
                if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
                    cli_usage(stdout, cmd);
                    return CLI_OK;
                }
            return commands[k].fn(argc, argv);
        }
    cli_err("unknown command \"%s\"; valid: solve, grad, check, bench, solvers, demo, info, "
            "settings, --version, --help",
            cmd);
    return CLI_USAGE;
}
