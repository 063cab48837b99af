/* cmd_bench.c - `dqp bench FILE`: the seed's diagnostic tool. Every forward
 * solver at every tolerance, repeated: mean and standard deviation of the
 * solve time and of the backward time (derivative setup + one VJP), the
 * relative error of z against a tight reference solve; a table, a CSV and
 * an SVG bar chart. */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LIST 32

/* Split "a,b,c" into at most MAX_LIST items in buf (modified). */
static int split_list(char *buf, char **items) {
    int n = 0;
    for (char *tok = strtok(buf, ","); tok && n < MAX_LIST; tok = strtok(NULL, ","))
        if (*tok)
            items[n++] = tok;
    return n;
}

static void mean_std(const double *x, int n, double *mean, double *sd) {
    if (n <= 0) {
        *mean = *sd = NAN;
        return;
    }
    double s = 0.0;
    for (int k = 0; k < n; k++)
        s += x[k];
    *mean = s / n;
    double v = 0.0;
    for (int k = 0; k < n; k++)
        v += (x[k] - *mean) * (x[k] - *mean);
    *sd = n > 1 ? sqrt(v / (n - 1)) : 0.0;
}

/* Shortest of %.15g, %.16g, %.17g that reads back to the same double;
 * empty field for NaN/Inf. */
static void csv_num(FILE *f, double v) {
    char buf[40];
    if (!isfinite(v)) {
        fputc(',', f);
        return;
    }
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, sizeof buf, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    fprintf(f, ",%s", buf);
}

static void csv_text(FILE *f, const char *s) {
    /* Quote when needed (RFC 4180). */
    if (strpbrk(s, ",\"\n\r")) {
        fputc('"', f);
        for (const char *p = s; *p; p++) {
            if (*p == '"')
                fputc('"', f);
            fputc(*p, f);
        }
        fputc('"', f);
    } else {
        fputs(s, f);
    }
}

static int write_csv(const char *path, const bench_cell *cells, int count) {
    FILE *f = fopen(path, "w");
    if (!f) {
        cli_err("cannot write '%s'", path);
        return 0;
    }
    fprintf(f,
            "solver,tol,status,runs,solved,backward_runs,solve_mean_s,solve_std_s,backward_mean_s,"
            "backward_std_s,setup_mean_s,vjp_mean_s,iterations_mean,rel_err_z,objective\n");
    /* Unknown values (no solved repeat, no reference) are empty fields. */
    for (int k = 0; k < count; k++) {
        const bench_cell *c = &cells[k];
        csv_text(f, c->solver);
        csv_num(f, c->tol);
        fputc(',', f);
        csv_text(f, c->status);
        fprintf(f, ",%d,%d,%d", c->runs, c->solved, c->bwd_runs);
        csv_num(f, c->solve_mean);
        csv_num(f, c->solve_std);
        csv_num(f, c->bwd_mean);
        csv_num(f, c->bwd_std);
        csv_num(f, c->setup_mean);
        csv_num(f, c->vjp_mean);
        csv_num(f, c->iterations);
        csv_num(f, c->rel_err);
        csv_num(f, c->objective);
        fputc('\n', f);
    }
    int ok = !ferror(f);
    if (fclose(f) != 0)
        ok = 0;
    if (!ok)
        cli_err("error writing '%s'", path);
    return ok;
}

/* One timed run with a fresh handle. Returns 0 when dqp_solver_solve
 * failed (message in err). */
typedef struct run_out {
    dqp_qp_status status;
    double solve, setup, vjp;
    int64_t iterations;
    int has_bwd;
} run_out;

static int one_run(const dqp_settings *s, const dqp_problem *p, double *ones, double *z_out,
                   cli_grads *g, run_out *r, char *err, size_t errlen) {
    dqp_solver *h = NULL;
    dqp_message msg = {{0}};
    memset(r, 0, sizeof *r);
    if (dqp_solver_create(&h, s, &msg) != DQP_OK) {
        snprintf(err, errlen, "%s", msg.text);
        return 0;
    }
    if (dqp_solver_solve(h, p) != DQP_OK) {
        snprintf(err, errlen, "%s", dqp_solver_last_error(h));
        dqp_solver_destroy(h);
        return 0;
    }
    const dqp_info *info = dqp_solver_info(h);
    r->status = info->qp_status;
    r->solve = info->solve_seconds;
    r->iterations = info->iterations;
    if (cli_solved(info)) {
        if (z_out)
            memcpy(z_out, dqp_solver_z(h), (size_t)dqp_problem_n(p) * sizeof(double));
        dqp_grad out = {g->dP, g->dq, g->dA, g->db, g->dC, g->dd};
        if (!(info->derivative_status & DQP_DIFF_FAILED) &&
            dqp_solver_vjp(h, ones, NULL, NULL, &out) == DQP_OK) {
            r->setup = info->setup_seconds;
            r->vjp = info->derivative_seconds;
            r->has_bwd = 1;
        }
    }
    dqp_solver_destroy(h);
    return 1;
}

int cmd_bench(int argc, char **argv) {
    dqp_settings base;
    dqp_settings_default(&base);
    const char *file = NULL, *solvers_arg = NULL, *tols_arg = "1e-8,1e-5,1e-2", *csv = NULL,
               *svg = NULL, *ref = NULL;
    long long repeat = 30;
    double ref_tol = 1e-12;
    for (int i = 2; i < argc; i++) {
        const char *v = NULL;
        int r = cli_settings_opt(argc, argv, &i, "bench", &base);
        if (r < 0)
            return CLI_USAGE;
        if (r > 0)
            continue;
        const char *snames[5] = {"--solvers", "--tols", "--csv", "--svg", "--ref"};
        const char **svals[5] = {&solvers_arg, &tols_arg, &csv, &svg, &ref};
        int matched = 0;
        for (int t = 0; t < 5 && !matched; t++) {
            r = cli_opt_value(argc, argv, &i, snames[t], svals[t]);
            if (r < 0)
                return CLI_USAGE;
            matched = r > 0;
        }
        if (matched)
            continue;
        if ((r = cli_opt_value(argc, argv, &i, "--repeat", &v)) != 0) {
            if (r < 0 || !cli_parse_long(v, &repeat) || repeat < 1 || repeat > 1000000)
                return cli_usage_error("bench", "--repeat expects an integer in [1, 1000000]");
            continue;
        }
        if ((r = cli_opt_value(argc, argv, &i, "--ref-tol", &v)) != 0) {
            if (r < 0 || !cli_parse_double(v, &ref_tol) || !(ref_tol > 0.0) || ref_tol > 1.0)
                return cli_usage_error("bench", "--ref-tol expects a number in (0, 1]");
            continue;
        }
        int fr = cli_take_file("bench", argv[i], &file);
        if (fr != CLI_OK)
            return fr;
    }
    if (!file)
        return cli_usage_error("bench", "missing FILE");
    if (!cli_check_solver_names(&base, "bench"))
        return CLI_USAGE;

    /* Solvers. */
    char sbuf[1024], tbuf[1024], list[512];
    char *solvers[MAX_LIST];
    int ns = 0;
    if (solvers_arg) {
        snprintf(sbuf, sizeof sbuf, "%s", solvers_arg);
        ns = split_list(sbuf, solvers);
        for (int k = 0; k < ns; k++)
            if (strcmp(solvers[k], "auto") != 0 && dqp_qp_solver_find(solvers[k]) < 0) {
                cli_qp_solver_list(list, sizeof list);
                return cli_usage_error("bench", "unknown solver \"%s\" in --solvers; valid: %s",
                                       solvers[k], list);
            }
        if (ns == 0)
            return cli_usage_error("bench", "--solvers: empty list");
    } else {
        for (int k = 0; k < dqp_qp_solver_count() && ns < MAX_LIST; k++)
            solvers[ns++] = (char *)dqp_qp_solver_name(k);
    }
    /* Tolerances. */
    char *tol_items[MAX_LIST];
    double tols[MAX_LIST];
    snprintf(tbuf, sizeof tbuf, "%s", tols_arg);
    int nt = split_list(tbuf, tol_items);
    if (nt == 0)
        return cli_usage_error("bench", "--tols: empty list");
    for (int k = 0; k < nt; k++) {
        dqp_settings tmp = base;
        dqp_message msg = {{0}};
        if (!cli_parse_double(tol_items[k], &tols[k]) ||
            dqp_settings_set(&tmp, "eps_abs", tol_items[k], &msg) != DQP_OK ||
            dqp_settings_set(&tmp, "eps_rel", tol_items[k], &msg) != DQP_OK)
            return cli_usage_error("bench", "--tols: bad tolerance \"%s\"%s%s", tol_items[k],
                                   msg.text[0] ? ": " : "", msg.text);
    }
    if (ref && strcmp(ref, "auto") != 0 && dqp_qp_solver_find(ref) < 0) {
        cli_qp_solver_list(list, sizeof list);
        return cli_usage_error("bench", "unknown reference solver \"%s\"; valid: %s", ref, list);
    }

    cli_model m;
    int rc = cli_load(file, &m);
    if (rc != CLI_OK)
        return rc;
    const dqp_problem *p = m.prob;
    int64_t n = dqp_problem_n(p);
    if (!solvers_arg && cli_has_quadratic(p)) {
        /* by default, only the solvers that accept this problem: a QP */
        int kept = 0;
        for (int k = 0; k < ns; k++) {
            int idx = dqp_qp_solver_find(solvers[k]);
            if (idx >= 0 && !(dqp_qp_solver_caps(idx) & DQP_QP_CAP_QUADRATIC))
                printf("note: %s left out (linear programs only)\n", solvers[k]);
            else
                solvers[kept++] = solvers[k];
        }
        ns = kept;
    }
    if (!ref)
        ref = (n <= 3000 && dqp_qp_solver_find("dense_as") >= 0) ? "dense_as" : "auto";

    bench_cell *cells = calloc((size_t)(ns * nt), sizeof *cells);
    double *ones = malloc(((size_t)n + 1) * sizeof(double));
    double *zref = calloc((size_t)n + 1, sizeof(double));
    double *z = calloc((size_t)n + 1, sizeof(double));
    double *ts = malloc((size_t)repeat * sizeof(double));
    double *tb = malloc((size_t)repeat * sizeof(double));
    double *tsu = malloc((size_t)repeat * sizeof(double));
    double *tv = malloc((size_t)repeat * sizeof(double));
    cli_grads g = {0};
    rc = CLI_LIBRARY;
    if (!cells || !ones || !zref || !z || !ts || !tb || !tsu || !tv || !cli_grads_alloc(&g, p)) {
        cli_err("out of memory");
        goto done;
    }
    for (int64_t j = 0; j < n; j++)
        ones[j] = 1.0;

    /* Reference solve. */
    char err[DQP_MESSAGE_LEN + 64];
    int have_ref = 0;
    double zref_norm = 0.0;
    {
        dqp_settings rs = base;
        snprintf(rs.qp_solver, sizeof rs.qp_solver, "%s", ref);
        rs.eps_abs = rs.eps_rel = ref_tol;
        run_out r;
        if (!one_run(&rs, p, ones, zref, &g, &r, err, sizeof err))
            cli_err("%s: reference solve (%s) failed: %s; errors not computed", file, ref, err);
        else if (r.status != DQP_QP_SOLVED)
            cli_err("%s: reference solve (%s at %g) ended with status %s; errors not computed",
                    file, ref, ref_tol, dqp_qp_status_string(r.status));
        else
            have_ref = 1;
        for (int64_t j = 0; have_ref && j < n; j++)
            zref_norm += zref[j] * zref[j];
        zref_norm = sqrt(zref_norm);
    }

    printf("bench %s (name %s): n %lld, m_eq %lld, m_ineq %lld; %lld repeats after one warm-up; "
           "reference %s at %g%s\n",
           file, dqp_qps_name(m.qps), (long long)n, (long long)dqp_problem_m_eq(p),
           (long long)dqp_problem_m_ineq(p), repeat, ref, ref_tol, have_ref ? "" : " (failed)");
    printf("%-12s %-8s %-18s %-11s %-10s %-11s %-10s %-8s %s\n", "solver", "tol", "status",
           "solve [s]", "+- std", "backward[s]", "+- std", "iters", "rel err z");
    for (int si = 0; si < ns; si++)
        for (int ti = 0; ti < nt; ti++) {
            bench_cell *c = &cells[si * nt + ti];
            dqp_settings s = base;
            snprintf(s.qp_solver, sizeof s.qp_solver, "%s", solvers[si]);
            s.eps_abs = s.eps_rel = tols[ti];
            c->solver = solvers[si];
            c->tol = tols[ti];
            c->status = "error";
            c->rel_err = c->objective = c->iterations = NAN;
            c->solve_mean = c->solve_std = c->bwd_mean = c->bwd_std = NAN;
            c->setup_mean = c->vjp_mean = NAN;
            run_out r;
            int failed = 0;
            if (!one_run(&s, p, ones, NULL, &g, &r, err, sizeof err)) /* warm-up */
                failed = 1;
            int nb = 0;
            double iters = 0.0;
            dqp_qp_status last = DQP_QP_UNSOLVED;
            for (long long k = 0; k < repeat && !failed; k++) {
                if (!one_run(&s, p, ones, z, &g, &r, err, sizeof err)) {
                    failed = 1;
                    break;
                }
                ts[c->runs] = r.solve;
                iters += (double)r.iterations;
                c->runs++;
                last = r.status;
                if (r.status == DQP_QP_SOLVED || r.status == DQP_QP_SOLVED_INACCURATE)
                    c->solved++;
                if (r.has_bwd) {
                    tb[nb] = r.setup + r.vjp;
                    tsu[nb] = r.setup;
                    tv[nb] = r.vjp;
                    nb++;
                }
            }
            if (failed) {
                cli_err("%s: solver %s at tol %g: %s", file, solvers[si], tols[ti], err);
            } else {
                c->status = dqp_qp_status_string(last);
                c->bwd_runs = nb;
                mean_std(ts, c->runs, &c->solve_mean, &c->solve_std);
                mean_std(tb, nb, &c->bwd_mean, &c->bwd_std);
                double sd;
                mean_std(tsu, nb, &c->setup_mean, &sd);
                mean_std(tv, nb, &c->vjp_mean, &sd);
                c->iterations = c->runs ? iters / c->runs : NAN;
                if (c->solved) {
                    c->objective = dqp_qps_objective(m.qps, z);
                    if (have_ref) {
                        double e = 0.0;
                        for (int64_t j = 0; j < n; j++)
                            e += (z[j] - zref[j]) * (z[j] - zref[j]);
                        c->rel_err = zref_norm > 0.0 ? sqrt(e) / zref_norm : sqrt(e);
                    }
                }
            }
            char b1[32] = "-", b2[32] = "-", e1[32] = "-";
            if (c->bwd_runs) {
                snprintf(b1, sizeof b1, "%.3e", c->bwd_mean);
                snprintf(b2, sizeof b2, "%.2e", c->bwd_std);
            } else if (c->solved) {
                snprintf(b1, sizeof b1, "failed");
            }
            if (isfinite(c->rel_err))
                snprintf(e1, sizeof e1, "%.2e", c->rel_err);
            printf("%-12s %-8.2g %-18s %-11.3e %-10.2e %-11s %-10s %-8.1f %s\n", c->solver, c->tol,
                   c->status, c->solve_mean, c->solve_std, b1, b2, c->iterations, e1);
            fflush(stdout);
        }
    rc = CLI_OK;
    if (csv && !write_csv(csv, cells, ns * nt))
        rc = CLI_LIBRARY;
    if (svg) {
        char title[256];
        snprintf(title, sizeof title, "dqp bench: %s (n %lld, m_eq %lld, m_ineq %lld)",
                 dqp_qps_name(m.qps)[0] ? dqp_qps_name(m.qps) : file, (long long)n,
                 (long long)dqp_problem_m_eq(p), (long long)dqp_problem_m_ineq(p));
        if (!svg_write_bench(svg, title, cells, ns, nt))
            rc = CLI_LIBRARY;
    }
    if (csv && rc == CLI_OK)
        printf("csv: %s\n", csv);
    if (svg && rc == CLI_OK)
        printf("svg: %s\n", svg);
done:
    cli_grads_free(&g);
    free(cells);
    free(ones);
    free(zref);
    free(z);
    free(ts);
    free(tb);
    free(tsu);
    free(tv);
    cli_unload(&m);
    return rc;
}
