/* solvers.c - bench: how the gradient error depends on the forward solver's tolerance and on
 * eps_active, with and without refine_active and ADMM polishing (the question dQP's
 * diagnostic tool answers: how accurate must an inexact solver be for the derivative?).
 *
 * Problems: random sparse QPs with a known strictly complementary solution
 * whose inactive slacks and active multipliers are spread log-uniformly over
 * [1e-4, 1] (so that a loose solve or a wrong eps_active really misplaces
 * rows), and small Maros-Meszaros problems whose derivative is regular.
 * Reference: "dense_as" (exact active set and duals) at eps 1e-12. For each
 * solver configuration (admm with and without polishing, ipm, ipopt when
 * built), tolerance eps = eps_abs = eps_rel, eps_active and refine_active,
 * the loss l = <gz, z> + <gmu, mu> is differentiated through the engine and
 * the relative error ||grad - grad_ref||_inf / ||grad_ref||_inf over all data
 * (P, q, A, b, C, d) is recorded, with the share of problems whose active set
 * differs from the reference's. A failed solve or derivative counts as error 1.
 *
 * Output: one row per configuration (median and max error, wrong active
 * sets, mean solve time) and last
 *   summary admm=E admm_refine=E admm_polish=E ... refine_active_changed=K/N
 * where E is, for each solver with refine_active off and on, the loosest
 * eps at which the gradient error is <= 1e-6 on every problem (eps_active
 * at its default 1e-5), and K counts (configuration, problem) pairs whose
 * gradient changes when refine_active is switched on (0 would mean the
 * setting has no effect in this build).
 * Usage: bench_solvers [MM_DIR]   (OPENBLAS_NUM_THREADS=1 advised) */
#define _POSIX_C_SOURCE 199309L
#include "dqp.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define N_RANDOM 6
#define MAX_PROBLEMS 16
#define TARGET 1e-6 /* gradient error the summary asks for */

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static uint64_t rng = 0x9E3779B97F4A7C15ULL;
static double urand(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (double)(rng >> 11) * (1.0 / 9007199254740992.0);
}
static double srand1(void) { return 2.0 * urand() - 1.0; }
static double logu(double lo, double hi) { return lo * pow(hi / lo, urand()); }

/* ------------------------------------------------------------ problems */

typedef struct problem {
    char name[32];
    dqp_problem *prob;
    dqp_qps *qps;     /* owner for Maros-Meszaros problems */
    double *gz, *gmu; /* loss seeds */
    double *gref;     /* reference gradient */
    unsigned char *jref;
    int64_t n, me, mi, glen;
} problem;

/* Triplet accumulation into a CSC (columns built in order, rows sorted). */
static dqp_csc *dense_to_csc(const double *X, int64_t m, int64_t n, int upper) {
    int64_t nnz = 0, t = 0;
    for (int64_t j = 0; j < n; j++)
        for (int64_t i = 0; i < m; i++)
            nnz += X[i * n + j] != 0.0 && (!upper || i <= j);
    dqp_csc *S = dqp_csc_create(m, n, nnz);
    for (int64_t j = 0; j < n; j++) {
        for (int64_t i = 0; i < m; i++)
            if (X[i * n + j] != 0.0 && (!upper || i <= j)) {
                S->i[t] = i;
                S->x[t++] = X[i * n + j];
            }
        S->p[j + 1] = t;
    }
    return S;
}

/* Random QP: P = B B' + 0.01 I (B with 3 nonzeros per column), A and C with
 * about 4 nonzeros per row, half of C's rows active with mu in [1e-4, 1],
 * the others with slack in [1e-4, 1] (log-uniform). */
static dqp_problem *random_qp(int64_t n, int64_t me, int64_t mi) {
    double *B = calloc((size_t)(n * n), sizeof(double)),
           *P = calloc((size_t)(n * n), sizeof(double));
    double *A = calloc((size_t)(me * n) + 1, sizeof(double)),
           *C = calloc((size_t)(mi * n) + 1, sizeof(double));
    double *q = calloc((size_t)n, sizeof(double)), *b = calloc((size_t)me + 1, sizeof(double));
    double *d = calloc((size_t)mi + 1, sizeof(double)), *z = calloc((size_t)n, sizeof(double));
    double *lam = calloc((size_t)me + 1, sizeof(double)),
           *mu = calloc((size_t)mi + 1, sizeof(double));
    for (int64_t j = 0; j < n; j++)
        for (int k = 0; k < 3; k++)
            B[(int64_t)(urand() * (double)n) * n + j] = srand1();
    for (int64_t r = 0; r < n; r++)
        for (int64_t c = r; c < n; c++) {
            double s = r == c ? 0.01 : 0.0;
            for (int64_t k = 0; k < n; k++)
                s += B[r * n + k] * B[c * n + k];
            P[r * n + c] = P[c * n + r] = s;
        }
    for (int64_t r = 0; r < me; r++)
        for (int k = 0; k < 4; k++)
            A[r * n + (int64_t)(urand() * (double)n)] = srand1();
    for (int64_t r = 0; r < mi; r++)
        for (int k = 0; k < 4; k++)
            C[r * n + (int64_t)(urand() * (double)n)] = srand1();
    for (int64_t j = 0; j < n; j++)
        z[j] = srand1();
    for (int64_t r = 0; r < me; r++)
        lam[r] = srand1();
    for (int64_t r = 0; r < mi; r++)
        mu[r] = r % 2 == 0 ? logu(1e-4, 1.0) : 0.0;
    for (int64_t r = 0; r < me; r++)
        for (int64_t j = 0; j < n; j++)
            b[r] += A[r * n + j] * z[j];
    for (int64_t r = 0; r < mi; r++) {
        for (int64_t j = 0; j < n; j++)
            d[r] += C[r * n + j] * z[j];
        d[r] += mu[r] > 0.0 ? 0.0 : logu(1e-4, 1.0);
    }
    for (int64_t j = 0; j < n; j++) {
        double g = 0.0;
        for (int64_t k = 0; k < n; k++)
            g += P[j * n + k] * z[k];
        for (int64_t r = 0; r < me; r++)
            g += A[r * n + j] * lam[r];
        for (int64_t r = 0; r < mi; r++)
            g += C[r * n + j] * mu[r];
        q[j] = -g;
    }
    dqp_csc *Ps = dense_to_csc(P, n, n, 1), *As = dense_to_csc(A, me, n, 0),
            *Cs = dense_to_csc(C, mi, n, 0);
    dqp_problem_data data = {0};
    data.n = n;
    data.P = Ps;
    data.P_storage = DQP_P_UPPER;
    data.q = q;
    data.A = As;
    data.b = b;
    data.m_eq = me;
    data.C = Cs;
    data.d = d;
    data.m_ineq = mi;
    dqp_problem *prob = dqp_problem_create();
    if (dqp_problem_set(prob, &data) != DQP_OK) {
        fprintf(stderr, "random problem: %s\n", dqp_problem_last_error(prob));
        dqp_problem_destroy(prob);
        prob = NULL;
    }
    dqp_csc_free(Ps);
    dqp_csc_free(As);
    dqp_csc_free(Cs);
    double *all[] = {B, P, A, C, q, b, d, z, lam, mu};
    for (size_t k = 0; k < sizeof all / sizeof all[0]; k++)
        free(all[k]);
    return prob;
}

static int64_t data_len(const dqp_problem *p, char which) {
    const dqp_csc *S = dqp_problem_csc(p, which);
    int64_t n = dqp_problem_n(p);
    if (S)
        return dqp_csc_nnz(S);
    int64_t rows = which == 'P' ? n : (which == 'A' ? dqp_problem_m_eq(p) : dqp_problem_m_ineq(p));
    return dqp_problem_dense(p, which) ? rows * n : 0;
}

/* ------------------------------------------------------------ one run */

typedef struct run_out {
    int ok;             /* solved and differentiated */
    double err;         /* relative gradient error (1 when not ok) */
    int active_differs; /* active set differs from the reference */
    double seconds;     /* forward solve */
    double *g;          /* gradient (caller's buffer) */
} run_out;

static void run(const problem *pb, const dqp_settings *s, double *g, run_out *o) {
    const dqp_problem *p = pb->prob;
    int64_t nP = data_len(p, 'P'), nA = data_len(p, 'A'), nC = data_len(p, 'C');
    memset(o, 0, sizeof *o);
    o->err = 1.0;
    o->active_differs = 1;
    o->g = g;
    memset(g, 0, (size_t)pb->glen * sizeof(double));
    dqp_solver *h = NULL;
    if (dqp_solver_create(&h, s, NULL) != DQP_OK)
        return;
    double t0 = now();
    dqp_status st = dqp_solver_solve(h, p);
    o->seconds = now() - t0;
    const dqp_info *info = dqp_solver_info(h);
    if (st == DQP_OK &&
        (info->qp_status == DQP_QP_SOLVED || info->qp_status == DQP_QP_SOLVED_INACCURATE)) {
        dqp_grad gr = {g,
                       g + nP,
                       g + nP + pb->n,
                       g + nP + pb->n + nA,
                       g + nP + pb->n + nA + pb->me,
                       g + nP + pb->n + nA + pb->me + nC};
        st = dqp_solver_vjp(h, pb->gz, NULL, pb->gmu, &gr);
        if (st == DQP_OK) {
            o->ok = 1;
            if (pb->gref) {
                double e = 0.0, sc = 0.0;
                for (int64_t k = 0; k < pb->glen; k++) {
                    e = fmax(e, fabs(g[k] - pb->gref[k]));
                    sc = fmax(sc, fabs(pb->gref[k]));
                }
                o->err = e / fmax(sc, 1e-300);
                const int64_t *rows;
                int64_t na = dqp_solver_active(h, &rows), same = 0;
                for (int64_t k = 0; k < na; k++)
                    same += pb->jref[rows[k]];
                int64_t nref = 0;
                for (int64_t i = 0; i < pb->mi; i++)
                    nref += pb->jref[i];
                o->active_differs = !(same == na && na == nref);
            } else {
                const int64_t *rows;
                int64_t na = dqp_solver_active(h, &rows);
                memset(pb->jref, 0, (size_t)pb->mi + 1);
                for (int64_t k = 0; k < na; k++)
                    pb->jref[rows[k]] = 1;
                o->err = 0.0;
                o->active_differs = 0;
            }
        }
    }
    dqp_solver_destroy(h);
}

/* Seeds, buffers and the reference gradient; 0 when the reference is not
 * regular (such problems are reported and left out). */
static int prepare(problem *pb) {
    const dqp_problem *p = pb->prob;
    pb->n = dqp_problem_n(p);
    pb->me = dqp_problem_m_eq(p);
    pb->mi = dqp_problem_m_ineq(p);
    pb->glen = data_len(p, 'P') + pb->n + data_len(p, 'A') + pb->me + data_len(p, 'C') + pb->mi;
    pb->gz = malloc((size_t)pb->n * sizeof(double) + 8);
    pb->gmu = malloc((size_t)pb->mi * sizeof(double) + 8);
    pb->jref = calloc((size_t)pb->mi + 1, 1);
    double *g = malloc((size_t)pb->glen * sizeof(double) + 8);
    for (int64_t j = 0; j < pb->n; j++)
        pb->gz[j] = srand1();
    for (int64_t i = 0; i < pb->mi; i++)
        pb->gmu[i] = srand1();
    dqp_settings s;
    dqp_settings_default(&s);
    snprintf(s.qp_solver, sizeof s.qp_solver, "dense_as");
    s.eps_abs = s.eps_rel = 1e-12;
    dqp_solver *h = NULL;
    unsigned flags = DQP_DIFF_FAILED;
    dqp_qp_status qs = DQP_QP_UNSOLVED;
    if (dqp_solver_create(&h, &s, NULL) == DQP_OK && dqp_solver_solve(h, p) == DQP_OK) {
        flags = dqp_solver_info(h)->derivative_status;
        qs = dqp_solver_info(h)->qp_status;
    }
    dqp_solver_destroy(h);
    run_out o = {0, 1.0, 1, 0.0, NULL};
    if (qs == DQP_QP_SOLVED && (flags & ~(unsigned)DQP_DIFF_DUALS_RECOVERED) == 0)
        run(pb, &s, g, &o);
    if (!o.ok) {
        printf("# %-10s left out: reference status %s, derivative flags %u (not regular)\n",
               pb->name, dqp_qp_status_string(qs), flags);
        free(g);
        return 0;
    }
    pb->gref = g;
    return 1;
}

static void free_problem(problem *pb) {
    if (pb->qps)
        dqp_qps_destroy(pb->qps);
    else
        dqp_problem_destroy(pb->prob);
    free(pb->gz);
    free(pb->gmu);
    free(pb->gref);
    free(pb->jref);
}

/* ------------------------------------------------------------ main */

typedef struct config {
    const char *label, *solver, *keywords;
} config;

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    const char *mm_dir = argc > 1 ? argv[1] : DQP_MM_DIR;
    problem pbs[MAX_PROBLEMS];
    int np = 0;
    memset(pbs, 0, sizeof pbs);
    int64_t sizes[N_RANDOM][3] = {{60, 6, 60},    {100, 10, 80}, {150, 0, 120},
                                  {200, 20, 150}, {120, 30, 60}, {80, 0, 120}};
    for (int k = 0; k < N_RANDOM; k++) {
        problem *pb = &pbs[np];
        snprintf(pb->name, sizeof pb->name, "rand%lld", (long long)sizes[k][0]);
        pb->prob = random_qp(sizes[k][0], sizes[k][1], sizes[k][2]);
        if (pb->prob && prepare(pb))
            np++;
        else
            free_problem(pb);
    }
    const char *mm[] = {"HS21",     "HS35",    "HS76",   "HS118",   "QPTEST",
                        "ZECEVIC2", "GENHS28", "DUALC1", "CVXQP1_S"};
    for (size_t k = 0; k < sizeof mm / sizeof mm[0] && np < MAX_PROBLEMS; k++) {
        problem *pb = &pbs[np];
        char path[1024];
        snprintf(path, sizeof path, "%s/%s.QPS", mm_dir, mm[k]);
        snprintf(pb->name, sizeof pb->name, "%s", mm[k]);
        pb->qps = dqp_qps_create();
        if (dqp_qps_read_file(pb->qps, path) != DQP_OK) {
            printf("# %-10s left out: %s\n", mm[k], dqp_qps_last_error(pb->qps));
            free_problem(pb);
            continue;
        }
        pb->prob = (dqp_problem *)dqp_qps_problem(pb->qps);
        if (prepare(pb))
            np++;
        else
            free_problem(pb);
    }
    printf("# %d problems with a regular reference derivative (dense_as, eps 1e-12)\n", np);
    if (np == 0)
        return 1;

    config cfgs[] = {{"admm", "admm", "polish=0"},
                     {"admm+polish", "admm", "polish=1"},
                     {"ipm", "ipm", ""},
                     {"ipopt", "ipopt", ""}};
    const double epss[] = {1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-8, 1e-10};
    const double eps_actives[] = {1e-3, 1e-5, 1e-7};
    int ncfg = (int)(sizeof cfgs / sizeof cfgs[0]), neps = (int)(sizeof epss / sizeof epss[0]);
    int nact = (int)(sizeof eps_actives / sizeof eps_actives[0]);
    double loosest[8][2]; /* [config][refine_active]: loosest eps with max error <= TARGET */
    int changed = 0, compared = 0;
    int64_t gmax = 0;
    for (int k = 0; k < np; k++)
        gmax = pbs[k].glen > gmax ? pbs[k].glen : gmax;
    double *g0 = malloc((size_t)gmax * sizeof(double) + 8),
           *g1 = malloc((size_t)gmax * sizeof(double) + 8);
    printf("%-12s %8s %10s %7s %12s %12s %9s %10s\n", "solver", "eps", "eps_active", "refine",
           "median_err", "max_err", "wrong_J", "solve_ms");
    for (int c = 0; c < ncfg; c++) {
        loosest[c][0] = loosest[c][1] = NAN;
        if (dqp_qp_solver_find(cfgs[c].solver) < 0) {
            printf("# %s: not built\n", cfgs[c].label);
            continue;
        }
        for (int e = 0; e < neps; e++)
            for (int a = 0; a < nact; a++) {
                double errs[2][MAX_PROBLEMS], emax[2] = {0, 0}, secs[2] = {0, 0}, med[2];
                int wrong[2] = {0, 0};
                for (int k = 0; k < np; k++) {
                    for (int refine = 0; refine < 2; refine++) {
                        dqp_settings s;
                        dqp_settings_default(&s);
                        snprintf(s.qp_solver, sizeof s.qp_solver, "%s", cfgs[c].solver);
                        snprintf(s.qp_solver_keywords, sizeof s.qp_solver_keywords, "%s",
                                 cfgs[c].keywords);
                        s.eps_abs = s.eps_rel = epss[e];
                        s.eps_active = eps_actives[a];
                        s.refine_active = refine;
                        s.max_iter = 100000;
                        s.time_limit = 20.0;
                        run_out o;
                        run(&pbs[k], &s, refine ? g1 : g0, &o);
                        errs[refine][k] = o.err;
                        emax[refine] = fmax(emax[refine], o.err);
                        wrong[refine] += o.active_differs;
                        secs[refine] += o.seconds;
                    }
                    int same = 1; /* did refine_active change the gradient? */
                    for (int64_t t = 0; t < pbs[k].glen; t++)
                        same &= g0[t] == g1[t];
                    compared++;
                    changed += !same;
                }
                for (int refine = 0; refine < 2; refine++) {
                    qsort(errs[refine], (size_t)np, sizeof(double), cmp_double);
                    med[refine] = np % 2 ? errs[refine][np / 2]
                                         : 0.5 * (errs[refine][np / 2 - 1] + errs[refine][np / 2]);
                    printf("%-12s %8.0e %10.0e %7d %12.2e %12.2e %6d/%-2d %10.3f\n", cfgs[c].label,
                           epss[e], eps_actives[a], refine, med[refine], emax[refine],
                           wrong[refine], np, 1e3 * secs[refine] / np);
                }
                for (int refine = 0; refine < 2; refine++)
                    if (a == 1 && emax[refine] <= TARGET && isnan(loosest[c][refine]))
                        loosest[c][refine] = epss[e];
            }
    }
    free(g0);
    free(g1);
    printf("# loosest eps with max gradient error <= %.0e on every problem, eps_active 1e-5,\n"
           "# refine_active off / on (none: not reached at eps 1e-10):\n",
           TARGET);
    printf("summary");
    for (int c = 0; c < ncfg; c++)
        for (int refine = 0; refine < 2; refine++) {
            char name[40];
            snprintf(name, sizeof name, "%s%s", cfgs[c].label, refine ? "_refine" : "");
            for (char *p = name; *p; p++)
                if (*p == '+')
                    *p = '_';
            if (dqp_qp_solver_find(cfgs[c].solver) < 0)
                printf(" %s=not_built", name);
            else if (isnan(loosest[c][refine]))
                printf(" %s=none", name);
            else
                printf(" %s=%.0e", name, loosest[c][refine]);
        }
    printf(" refine_active_changed=%d/%d\n", changed, compared);
    for (int k = 0; k < np; k++)
        free_problem(&pbs[k]);
    return 0;
}
