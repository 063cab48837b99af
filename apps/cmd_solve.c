/* cmd_solve.c - `dqp solve FILE`: read, solve, prepare the derivative, report. */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int cli_solved(const dqp_info *info) {
    return info->qp_status == DQP_QP_SOLVED || info->qp_status == DQP_QP_SOLVED_INACCURATE;
}

int cli_run_solver(const char *command, const cli_model *m, const dqp_settings *s,
                   dqp_solver **out) {
    dqp_message msg = {{0}};
    *out = NULL;
    dqp_status st = dqp_solver_create(out, s, &msg);
    if (st != DQP_OK) {
        cli_usage_error(command, "invalid settings: %s",
                        msg.text[0] ? msg.text : dqp_status_string(st));
        return CLI_USAGE;
    }
    st = dqp_solver_solve(*out, m->prob);
    if (st != DQP_OK) {
        cli_err("%s: %s", m->path, dqp_solver_last_error(*out));
        if (st == DQP_ERR_UNKNOWN_NAME || st == DQP_ERR_VALUE)
            return CLI_USAGE;
        return st == DQP_ERR_NOT_CONVEX ? CLI_UNSOLVED : CLI_LIBRARY;
    }
    return CLI_OK;
}

void cli_json_solution(json_w *w, const cli_model *m, const dqp_solver *h, int with_vectors) {
    const dqp_info *info = dqp_solver_info(h);
    const dqp_problem *p = m->prob;
    int64_t n = dqp_problem_n(p), meq = dqp_problem_m_eq(p), mineq = dqp_problem_m_ineq(p);
    int ok = cli_solved(info);
    char buf[160];
    json_str(w, "file", m->path);
    json_str(w, "name", dqp_qps_name(m->qps));
    json_str(w, "status", dqp_qp_status_string(info->qp_status));
    json_bool(w, "solved", ok);
    json_str(w, "sense", m->sense < 0 ? "max" : "min");
    if (ok) {
        json_num(w, "objective", dqp_qps_objective(m->qps, dqp_solver_z(h)));
        json_num(w, "objective_canonical", info->objective);
    } else {
        json_null(w, "objective");
        json_null(w, "objective_canonical");
    }
    json_num(w, "objective_constant", dqp_qps_objective_constant(m->qps));
    json_int(w, "n", (long long)n);
    json_int(w, "m_eq", (long long)meq);
    json_int(w, "m_ineq", (long long)mineq);
    json_str(w, "qp_solver", info->qp_solver);
    json_str(w, "lin_solver", info->lin_solver);
    json_int(w, "iterations", (long long)info->iterations);
    json_num(w, "solve_seconds", info->solve_seconds);
    json_num(w, "diff_setup_seconds", info->setup_seconds);
    json_str(w, "derivative_status",
             cli_diff_status_text(info->derivative_status, buf, sizeof buf));
    json_int(w, "derivative_flags", (long long)info->derivative_status);
    json_bool(w, "derivative_regular", ok && cli_diff_is_regular(info->derivative_status));
    if (info->derivative_status & DQP_DIFF_FAILED)
        json_str(w, "derivative_error", dqp_solver_last_error(h));
    json_int(w, "n_active", (long long)info->n_active);
    json_int(w, "n_weak", (long long)info->n_weak);
    json_num(w, "stationarity", ok ? info->stationarity : (double)NAN);
    if (!with_vectors)
        return;
    if (ok) {
        const int64_t *act = NULL;
        int64_t na = dqp_solver_active(h, &act);
        json_num_array(w, "z", dqp_solver_z(h), n);
        json_num_array(w, "lambda", dqp_solver_lambda(h), meq);
        json_num_array(w, "mu", dqp_solver_mu(h), mineq);
        json_int_array(w, "active", act, na);
        json_array_begin(w, "active_origins", 0);
        for (int64_t k = 0; k < na; k++) {
            cli_origin_text(m, 0, act[k], buf, sizeof buf);
            json_str(w, NULL, buf);
        }
        json_array_end(w);
        json_array_begin(w, "columns", 0);
        for (int64_t j = 0; j < n; j++)
            json_str(w, NULL, dqp_qps_col_name(m->qps, j));
        json_array_end(w);
    } else {
        json_null(w, "z");
        json_null(w, "lambda");
        json_null(w, "mu");
        json_null(w, "active");
    }
}

void cli_print_summary(const cli_model *m, const dqp_solver *h) {
    const dqp_info *info = dqp_solver_info(h);
    const dqp_problem *p = m->prob;
    int64_t n = dqp_problem_n(p);
    char buf[160];
    printf("%s (name %s)\n", m->path, dqp_qps_name(m->qps));
    printf("  canonical form: n %lld, m_eq %lld, m_ineq %lld\n", (long long)n,
           (long long)dqp_problem_m_eq(p), (long long)dqp_problem_m_ineq(p));
    printf("  solver %s, lin_solver %s\n", info->qp_solver, info->lin_solver);
    printf("  status %s, %lld iterations\n", dqp_qp_status_string(info->qp_status),
           (long long)info->iterations);
    if (!cli_solved(info)) {
        printf("  %s\n", dqp_solver_last_error(h));
        return;
    }
    printf("  objective %.17g (%s, constant included)\n",
           dqp_qps_objective(m->qps, dqp_solver_z(h)), m->sense < 0 ? "maximized" : "minimized");
    const int64_t *act = NULL;
    int64_t na = dqp_solver_active(h, &act);
    printf("  active inequalities %lld of %lld", (long long)na, (long long)dqp_problem_m_ineq(p));
    for (int64_t k = 0; k < na && k < 12; k++) {
        cli_origin_text(m, 0, act[k], buf, sizeof buf);
        printf("%s%s", k ? ", " : ": ", buf);
    }
    printf("%s\n", na > 12 ? ", ..." : "");
    printf("  derivative %s (%lld weakly active), stationarity %.3g\n",
           cli_diff_status_text(info->derivative_status, buf, sizeof buf), (long long)info->n_weak,
           info->stationarity);
    if (info->derivative_status & DQP_DIFF_FAILED)
        printf("  derivative error: %s\n", dqp_solver_last_error(h));
    printf("  time: solve %.3g s, derivative setup %.3g s\n", info->solve_seconds,
           info->setup_seconds);
}

int cmd_solve(int argc, char **argv) {
    dqp_settings s;
    dqp_settings_default(&s);
    const char *file = NULL;
    int json = 0;
    for (int i = 2; i < argc; i++) {
        int r = cli_settings_opt(argc, argv, &i, "solve", &s);
        if (r < 0)
            return CLI_USAGE;
        if (r > 0)
            continue;
        if (cli_is_flag(argv[i], "--json")) {
            json = 1;
            continue;
        }
        int fr = cli_take_file("solve", argv[i], &file);
        if (fr != CLI_OK)
            return fr;
    }
    if (!file)
        return cli_usage_error("solve", "missing FILE");
    if (!cli_check_solver_names(&s, "solve"))
        return CLI_USAGE;
    cli_model m;
    int rc = cli_load(file, &m);
    if (rc != CLI_OK)
        return rc;
    dqp_solver *h = NULL;
    rc = cli_run_solver("solve", &m, &s, &h);
    if (rc == CLI_OK) {
        if (json) {
            json_w w;
            json_init(&w, stdout);
            json_object_begin(&w, NULL);
            cli_json_solution(&w, &m, h, 1);
            json_object_end(&w);
            json_finish(&w);
        } else {
            cli_print_summary(&m, h);
            const dqp_info *info = dqp_solver_info(h);
            int64_t n = dqp_problem_n(m.prob);
            if (cli_solved(info) && n <= 20) {
                printf("  z:");
                for (int64_t j = 0; j < n; j++)
                    printf(" %s=%.10g", dqp_qps_col_name(m.qps, j), dqp_solver_z(h)[j]);
                printf("\n");
            } else if (cli_solved(info)) {
                printf("  (use --json for z, lambda and mu)\n");
            }
        }
    }
    dqp_solver_destroy(h);
    cli_unload(&m);
    return rc;
}
