/* maros_meszaros.c - bench: the forward solver and one reverse-mode derivative on the
 * Maros-Meszaros set, through the public engine API.
 *
 * For every problem listed in REFERENCE.csv: read the QPS file, solve with
 * eps_abs = eps_rel = 1e-8 and the per-problem time limit, check the
 * objective (constant term included) against the reference value
 * (|f - ref| <= 1e-5 max(1, |ref|): relative, absolute for optima near
 * zero), recompute the primal residual, the dual residual and the duality gap
 * from the returned point (z, lambda, mu) and the problem data (not from the
 * solver's numbers; the objective check matters because residuals alone can
 * mislead on LISWET), then differentiate once in reverse mode with the seed
 * ones on z.
 *
 * Each problem is solved twice: once through the forward solver's own
 * interface (src/solvers/solver.h), whose returned (z, lambda, mu) is what
 * the residual check judges, and once through the public engine API
 * (dqp_solver_create/solve/vjp), which gives the times and the derivative.
 * (The engine post-processes the duals for the derivative, e.g. sets mu to 0
 * on rows whose slack exceeds eps_active; its point is reported in the
 * column eng_dres, the dual residual recomputed from the engine's z, lambda,
 * mu, for information.)
 *
 * Times: forward = dqp_info.solve_seconds of the engine solve (the forward
 * solver's setup, including its symbolic analysis, and its solve). Backward =
 * setup_seconds + derivative_seconds: everything the derivative costs after
 * the forward solve (active set, duals, factorization of the reduced KKT)
 * plus the one VJP call. The engine's forward solve follows the forward
 * solver's own solve of the same problem (its code and data are in cache),
 * while the derivative runs for the first time; and large arrays the
 * derivative allocates are often fresh pages, which cost ~1.5 us per 4 KB
 * on first touch on these machines. So for solved problems the engine's
 * solve and derivative are repeated once more in a fresh handle, both then
 * warm alike: column rep_b/f and the line "repeat median_bwd_fwd=R2" before
 * the summary (the summary's R stays the single-shot figure).
 * A problem counts as solved when both solves report
 * solved, the objective matches and the residuals and gap recomputed from
 * the solver's point are within eps_abs + eps_rel * scale (scale: the
 * largest term of each quantity, as in ipm_resid.c) times RES_FACTOR.
 *
 * Output: a row per problem (its last columns: the reduced-KKT solver of the
 * derivative, "reuse:ipm" when the forward solver's factorization served,
 * the DQP_DIFF_* flags in hex, and the right-hand sides the VJP put through
 * the reduced KKT's factorization, dqp_info.kkt_solves), then
 *   summary solved=K/132 false_infeasible=F sgm_seconds=S median_bwd_fwd=R
 * S = shifted geometric mean (shift 1 s) of the forward time over all
 * problems, with unsolved problems counted at the time limit; R = median of
 * backward / forward over the solved problems.
 *
 * Usage: bench_maros_meszaros [time_limit_seconds (default 60)] [NAME ...]
 * Environment: DQP_MM_SOLVER (default "ipm"), DQP_MM_KEYWORDS
 * (qp_solver_keywords), DQP_MM_DIR (folder, default the build's).
 * Set OPENBLAS_NUM_THREADS=1. */
#include "dqp.h"
#include "dqp/qps.h"
#include "solvers/solver.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PROBLEMS 200
#define EPS 1e-8
#define OBJ_TOL 1e-5
#define RES_FACTOR 1.0

typedef struct ref_row {
    char name[64];
    double opt;
} ref_row;

static int read_reference(const char *dir, ref_row *rows, int max) {
    char path[4096];
    snprintf(path, sizeof path, "%.4000s/REFERENCE.csv", dir);
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "cannot open %s\n", path);
        return -1;
    }
    char line[512];
    int cnt = 0;
    if (!fgets(line, sizeof line, f)) { /* header */
        fclose(f);
        return -1;
    }
    while (cnt < max && fgets(line, sizeof line, f)) {
        char *fields[5];
        int nf = 0;
        for (char *tok = strtok(line, ",\r\n"); tok && nf < 5; tok = strtok(NULL, ",\r\n"))
            fields[nf++] = tok;
        if (nf < 5)
            continue;
        snprintf(rows[cnt].name, sizeof rows[cnt].name, "%s", fields[0]);
        rows[cnt].opt = strtod(fields[4], NULL);
        cnt++;
    }
    fclose(f);
    return cnt;
}

/* y += M x (trans = 0) or y += M' x (trans = 1) for a CSC matrix. */
static void csc_mv(const dqp_csc *M, int trans, const double *x, double *y) {
    if (!M)
        return;
    for (int64_t j = 0; j < M->n; j++)
        for (int64_t k = M->p[j]; k < M->p[j + 1]; k++) {
            if (trans)
                y[j] += M->x[k] * x[M->i[k]];
            else
                y[M->i[k]] += M->x[k] * x[j];
        }
}

/* y = P z for P stored as given (upper: off-diagonal entries act twice). */
static void p_mv(const dqp_problem *prob, const double *z, double *y) {
    const dqp_csc *P = dqp_problem_csc(prob, 'P');
    int64_t n = dqp_problem_n(prob);
    memset(y, 0, (size_t)n * sizeof *y);
    if (!P)
        return;
    int upper = dqp_problem_P_storage(prob) == DQP_P_UPPER;
    for (int64_t j = 0; j < n; j++)
        for (int64_t k = P->p[j]; k < P->p[j + 1]; k++) {
            int64_t i = P->i[k];
            y[i] += P->x[k] * z[j];
            if (upper && i != j)
                y[j] += P->x[k] * z[i];
        }
}

typedef struct residuals {
    double pres, pscale, dres, dscale, gap, gscale;
} residuals;

static residuals recompute(const dqp_problem *prob, const double *z, const double *lam,
                           const double *mu) {
    int64_t n = dqp_problem_n(prob), me = dqp_problem_m_eq(prob), mi = dqp_problem_m_ineq(prob);
    const double *q = dqp_problem_vec(prob, 'q'), *b = dqp_problem_vec(prob, 'b'),
                 *d = dqp_problem_vec(prob, 'd');
    double *pz = calloc((size_t)n + 1, sizeof *pz), *at = calloc((size_t)n + 1, sizeof *at);
    double *az = calloc((size_t)me + 1, sizeof *az), *cz = calloc((size_t)mi + 1, sizeof *cz);
    residuals r = {0, 0, 0, 0, 0, 0};
    p_mv(prob, z, pz);
    csc_mv(dqp_problem_csc(prob, 'A'), 0, z, az);
    csc_mv(dqp_problem_csc(prob, 'C'), 0, z, cz);
    csc_mv(dqp_problem_csc(prob, 'A'), 1, lam, at);
    csc_mv(dqp_problem_csc(prob, 'C'), 1, mu, at);
    for (int64_t i = 0; i < me; i++) {
        r.pres = fmax(r.pres, fabs(az[i] - b[i]));
        r.pscale = fmax(r.pscale, fmax(fabs(az[i]), fabs(b[i])));
    }
    for (int64_t i = 0; i < mi; i++) {
        r.pres = fmax(r.pres, cz[i] - d[i]);
        r.pscale = fmax(r.pscale, fmax(fabs(cz[i]), fabs(d[i])));
    }
    double zpz = 0, qz = 0, bd = 0;
    for (int64_t j = 0; j < n; j++) {
        r.dres = fmax(r.dres, fabs(pz[j] + q[j] + at[j]));
        r.dscale = fmax(r.dscale, fmax(fabs(pz[j]), fmax(fabs(q[j]), fabs(at[j]))));
        zpz += z[j] * pz[j];
        qz += q[j] * z[j];
    }
    for (int64_t i = 0; i < me; i++)
        bd += b[i] * lam[i];
    for (int64_t i = 0; i < mi; i++)
        bd += d[i] * mu[i];
    r.gap = fabs(zpz + qz + bd);
    r.gscale = fmax(fabs(zpz), fmax(fabs(qz), fabs(bd)));
    free(pz);
    free(at);
    free(az);
    free(cz);
    return r;
}

/* The engine's solve and one reverse-mode derivative (seed ones on z) in a
 * fresh handle: backward / forward, or NAN. */
static double repeat_ratio(const dqp_problem *prob, const dqp_settings *s) {
    int64_t n = dqp_problem_n(prob);
    dqp_solver *h = NULL;
    dqp_message msg = {{0}};
    double ratio = NAN;
    double *gz = malloc((size_t)n * sizeof *gz + 1), *dq = malloc((size_t)n * sizeof *dq + 1);
    if (gz && dq && dqp_solver_create(&h, s, &msg) == DQP_OK &&
        dqp_solver_solve(h, prob) == DQP_OK && dqp_solver_info(h)->qp_status == DQP_QP_SOLVED) {
        for (int64_t j = 0; j < n; j++)
            gz[j] = 1.0;
        dqp_grad g = {0};
        g.dq = dq;
        const dqp_info *info = dqp_solver_info(h);
        if (dqp_solver_vjp(h, gz, NULL, NULL, &g) == DQP_OK && info->solve_seconds > 0)
            ratio = (info->setup_seconds + info->derivative_seconds) / info->solve_seconds;
    }
    dqp_solver_destroy(h);
    free(gz);
    free(dq);
    return ratio;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median of x[0..len) (sorts x), NAN when empty. */
static double median(double *x, int len) {
    qsort(x, (size_t)len, sizeof x[0], cmp_double);
    return len == 0 ? NAN : len % 2 ? x[len / 2] : 0.5 * (x[len / 2 - 1] + x[len / 2]);
}

static int wanted(const char *name, int argc, char **argv) {
    if (argc <= 2)
        return 1;
    for (int k = 2; k < argc; k++)
        if (strcmp(argv[k], name) == 0)
            return 1;
    return 0;
}

int main(int argc, char **argv) {
    double tlim = argc > 1 ? strtod(argv[1], NULL) : 60.0;
    if (!(tlim > 0))
        tlim = 60.0;
    const char *dir = getenv("DQP_MM_DIR") ? getenv("DQP_MM_DIR") : DQP_MM_DIR;
    const char *solver = getenv("DQP_MM_SOLVER") ? getenv("DQP_MM_SOLVER") : "ipm";
    const char *kw = getenv("DQP_MM_KEYWORDS");
    static ref_row refs[MAX_PROBLEMS];
    int nref = read_reference(dir, refs, MAX_PROBLEMS);
    if (nref <= 0)
        return 1;
    static double ratios[MAX_PROBLEMS], rep_ratios[MAX_PROBLEMS];
    int nsolved = 0, nfalse = 0, nrun = 0, nratio = 0, nrep = 0;
    double logsum = 0.0;
    printf("%-10s %6s %6s %-18s %4s %15s %15s %8s %8s %8s %8s %8s %9s %9s %7s %7s %-10s %5s "
           "%6s %s\n",
           "problem", "n", "m", "status", "it", "objective", "reference", "obj_err", "pres", "dres",
           "gap", "eng_dres", "fwd_s", "bwd_s", "bwd/fwd", "rep_b/f", "kkt", "flags", "solves",
           "ok");
    for (int r = 0; r < nref; r++) {
        if (!wanted(refs[r].name, argc, argv))
            continue;
        nrun++;
        char path[4096];
        snprintf(path, sizeof path, "%.3900s/%.64s.QPS", dir, refs[r].name);
        dqp_qps *qps = dqp_qps_create();
        if (!qps || dqp_qps_read_file(qps, path) != DQP_OK) {
            printf("%-10s read error: %s\n", refs[r].name, qps ? dqp_qps_last_error(qps) : "");
            logsum += log(1.0 + tlim);
            dqp_qps_destroy(qps);
            continue;
        }
        const dqp_problem *prob = dqp_qps_problem(qps);
        int64_t n = dqp_problem_n(prob), m = dqp_problem_m_eq(prob) + dqp_problem_m_ineq(prob);
        dqp_settings s;
        dqp_settings_default(&s);
        s.eps_abs = EPS;
        s.eps_rel = EPS;
        s.time_limit = tlim;
        snprintf(s.qp_solver, sizeof s.qp_solver, "%s", solver);
        if (kw)
            snprintf(s.qp_solver_keywords, sizeof s.qp_solver_keywords, "%s", kw);
        /* 1. the forward solver alone: its own point is judged */
        int64_t me = dqp_problem_m_eq(prob), mi = dqp_problem_m_ineq(prob);
        double *rz = calloc((size_t)n + 1, sizeof(double)),
               *rl = calloc((size_t)me + 1, sizeof(double));
        double *rm = calloc((size_t)mi + 1, sizeof(double));
        dqp_qp_output rout = {rz, rl, rm, 0, DQP_QP_UNSOLVED, 0, 0.0};
        const dqp_qp_backend *be = dqp_qp_backend_find(solver);
        dqp_message msg = {{0}};
        void *self = NULL;
        dqp_status rst = be ? be->setup(&self, prob, &s, &msg) : DQP_ERR_UNKNOWN_NAME;
        if (rst == DQP_OK)
            rst = be->solve(self, &rout, &msg);
        if (be)
            be->destroy(self);
        /* 2. the engine: times and the derivative */
        dqp_solver *h = NULL;
        dqp_status st = dqp_solver_create(&h, &s, &msg);
        if (st == DQP_OK)
            st = dqp_solver_solve(h, prob);
        const dqp_info *info = h ? dqp_solver_info(h) : NULL;
        int qst = info ? (int)info->qp_status : 0;
        int solved_status =
            st == DQP_OK && qst == DQP_QP_SOLVED && rst == DQP_OK && rout.status == DQP_QP_SOLVED;
        double fwd = info ? info->solve_seconds : tlim;
        double obj = NAN, err = NAN, bwd = NAN, eng_dres = NAN;
        char solves[24] = "-";
        residuals res = {NAN, 0, NAN, 0, NAN, 0};
        int ok = 0;
        if (rst == DQP_OK &&
            (rout.status == DQP_QP_SOLVED || rout.status == DQP_QP_SOLVED_INACCURATE)) {
            obj = dqp_qps_objective(qps, rz);
            err = fabs(obj - refs[r].opt) / fmax(1.0, fabs(refs[r].opt));
            res = recompute(prob, rz, rl, rm);
            int res_ok = res.pres <= RES_FACTOR * (EPS + EPS * res.pscale) &&
                         res.dres <= RES_FACTOR * (EPS + EPS * res.dscale) &&
                         res.gap <= RES_FACTOR * (EPS + EPS * res.gscale);
            ok = solved_status && err <= OBJ_TOL && res_ok;
        }
        if (st == DQP_OK && (qst == DQP_QP_SOLVED || qst == DQP_QP_SOLVED_INACCURATE)) {
            residuals eres =
                recompute(prob, dqp_solver_z(h), dqp_solver_lambda(h), dqp_solver_mu(h));
            eng_dres = eres.dres / fmax(1.0, eres.dscale);
            /* one reverse-mode derivative, seed ones on z */
            double *gz = malloc((size_t)n * sizeof *gz + 1);
            for (int64_t j = 0; j < n; j++)
                gz[j] = 1.0;
            dqp_grad g = {0};
            g.dq = malloc((size_t)n * sizeof(double) + 1);
            dqp_status vst = dqp_solver_vjp(h, gz, NULL, NULL, &g);
            if (vst == DQP_OK) {
                bwd = info->setup_seconds + info->derivative_seconds;
                snprintf(solves, sizeof solves, "%lld", (long long)info->kkt_solves);
            }
            free(gz);
            free(g.dq);
        }
        if (qst == DQP_QP_PRIMAL_INFEASIBLE || qst == DQP_QP_DUAL_INFEASIBLE ||
            rout.status == DQP_QP_PRIMAL_INFEASIBLE || rout.status == DQP_QP_DUAL_INFEASIBLE)
            nfalse++;
        free(rz);
        free(rl);
        free(rm);
        double rep = NAN;
        if (ok) {
            nsolved++;
            logsum += log(1.0 + fwd);
            if (isfinite(bwd) && fwd > 0)
                ratios[nratio++] = bwd / fwd;
            if (isfinite(rep = repeat_ratio(prob, &s)))
                rep_ratios[nrep++] = rep;
        } else {
            logsum += log(1.0 + tlim);
        }
        printf("%-10s %6lld %6lld %-18s %4lld %15.8e %15.8e %8.1e %8.1e %8.1e %8.1e %8.1e %9.4f "
               "%9.4f %7.4f %7.4f %-10s %5x %6s %s\n",
               refs[r].name, (long long)n, (long long)m,
               rst == DQP_OK ? dqp_qp_status_string(rout.status) : dqp_status_string(rst),
               (long long)rout.iterations, obj, refs[r].opt, err, res.pres / fmax(1.0, res.pscale),
               res.dres / fmax(1.0, res.dscale), res.gap / fmax(1.0, res.gscale), eng_dres, fwd,
               bwd, isfinite(bwd) && fwd > 0 ? bwd / fwd : NAN, rep,
               info && info->lin_solver ? info->lin_solver : "-",
               info ? info->derivative_status : 0u, solves, ok ? "ok" : "FAIL");
        if (st != DQP_OK)
            printf("           error: %s\n", h ? dqp_solver_last_error(h) : msg.text);
        fflush(stdout);
        dqp_solver_destroy(h);
        dqp_qps_destroy(qps);
    }
    double sgm = nrun ? exp(logsum / nrun) - 1.0 : NAN;
    printf("repeat median_bwd_fwd=%.4f\n", median(rep_ratios, nrep));
    printf("summary solved=%d/%d false_infeasible=%d sgm_seconds=%.4f median_bwd_fwd=%.4f\n",
           nsolved, nrun, nfalse, sgm, median(ratios, nratio));
    return 0;
}
