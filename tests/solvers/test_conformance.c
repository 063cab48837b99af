/* test_conformance.c - one conformance suite that every registered forward QP solver must pass.
 *
 * For every solver in the registry (dqp_qp_backend_count/get) and every case
 * below, the suite checks, from the solver's own output:
 *   - the status (solved / primal infeasible / dual infeasible as expected);
 *   - recomputed residuals (never the solver's numbers): stationarity,
 *     primal feasibility, dual sign and complementarity, relative to the data
 *     (this pins each adapter's dual signs to P z + q + A'lambda + C'mu = 0,
 *     mu >= 0) and the reported objective;
 *   - capabilities: duals returned when DQP_CAP_DUALS is set, a warm_start
 *     entry exactly when DQP_CAP_WARM is set, unknown keywords rejected, a
 *     warm-started engine solve equal to a cold one, OpenMP batches on 1 and
 *     2 threads bit-identical, every failing allocation (settings.allocator)
 *     reported as DQP_ERR_NOMEM without leaks;
 * and through the public engine API (dqp_solver_create with qp_solver set to
 * the solver's name -> dqp_solver_solve -> dqp_solver_vjp):
 *   - that z, the active set, the derivative flags and the gradients of a
 *     random loss agree with those from the reference solver ("ipm" when
 *     registered, else "dense_as") within tolerances tied to the accuracy of
 *     both (their recomputed KKT residuals after the engine's dual handling):
 *     z within 1e-7 + 1e2 acc, gradients within 1e-6 + 1e4 acc (relative);
 *     where the reference flags the derivative as not unique (degenerate
 *     vertex: QAFIRO) the optimal values are compared and the derivative
 *     call must still succeed (flagged), and the suite says so;
 *   - exact answers on degenerate cases (duplicate active rows, dependent
 *     equalities: least-norm derivatives; a weakly active row: either
 *     one-sided derivative, consistent with the returned active set).
 * Cases: small Maros-Meszaros problems (tests/data/mm), random sparse and
 * dense problems with and without equalities (known strictly complementary
 * solutions), an LP with a unique vertex solution, infeasible and unbounded
 * QPs and LPs, and the degenerate ones. Adapter-specific checks (Ipopt's
 * typed option pass-through, Clp's keys, silence on stdout, limits) run for
 * the adapters that are built and print which ones are.
 *
 * A solver that lacks a capability declares it in `solver_limits` below
 * (with the reason); the suite then checks the documented fallback behaviour
 * instead (refused with DQP_ERR_UNSUPPORTED, or "not reported as solved"),
 * never skips silently. A new solver with no entry must pass everything.
 * DQP_CONFORMANCE_ONLY=<name> restricts a run to one solver (debugging; the
 * run says so); DQP_CONFORMANCE_TRACE=1 prints each case as it starts.
 */
#define _POSIX_C_SOURCE 200809L /* dup, dup2, fileno: the stdout-silence checks */

#include "core/internal.h"
#include "runner.h"

#define QP_FIXTURE_SEED 0x2545F4914F6CDD1DULL
#include "solvers/qp_fixture.h"
#include "solvers/solver.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ------------------------------------------------------------ declared limitations */

enum {
    LACKS_PRIMAL_INFEAS = 1, /* does not (reliably) report primal infeasibility: must not
                                claim a solution instead */
    LACKS_DUAL_INFEAS = 2,   /* does not (reliably) report unboundedness: idem */
    LACKS_MEQ_GT_N = 4,      /* refuses more equality rows than variables: idem */
    LACKS_QUADRATIC = 8      /* linear programs only: setup of a QP must fail with
                                DQP_ERR_UNSUPPORTED naming the quadratic objective */
};

typedef struct limits {
    const char *name;
    unsigned lacks;
    const char *why;
} limits;

static const limits solver_limits[] = {
    {"ipopt", LACKS_MEQ_GT_N | LACKS_DUAL_INFEAS | LACKS_PRIMAL_INFEAS,
     "Ipopt refuses problems with more equality rows than variables "
     "(Not_Enough_Degrees_Of_Freedom), reports unboundedness only when the iterates "
     "diverge past 1e20 (a QP unbounded along a direction with P v = 0 runs to max_iter), "
     "and detects infeasibility by its restoration phase, which can also stop at max_iter"},
    {"clp", LACKS_QUADRATIC,
     "Clp 1.17's quadratic solver hangs (ignoring iteration and time limits), returns "
     "wrong optima or aborts on convex QPs; the adapter accepts linear programs only"},
};

static unsigned lacks_of(const char *name) {
    for (size_t k = 0; k < sizeof solver_limits / sizeof solver_limits[0]; k++)
        if (strcmp(solver_limits[k].name, name) == 0)
            return solver_limits[k].lacks;
    return 0;
}

/* ------------------------------------------------------------ random data */

/* Random QP with a known strictly complementary solution. P = B B' + 0.1 I
 * (or 0 for lp = 1); `nact` inequality rows active with mu in [0.5, 1.5],
 * slack in [0.5, 1.5] on the rest. For an LP, me + nact = n gives a unique
 * vertex. */
static qp qp_known(int64_t n, int64_t me, int64_t mi, int64_t nact, double density, int lp) {
    qp Q = qp_alloc(n, me, mi);
    double *B = calloc((size_t)(n * n) + 1, sizeof(double)), *z = calloc((size_t)n, sizeof(double));
    double *lam = calloc((size_t)me + 1, sizeof(double)),
           *mu = calloc((size_t)mi + 1, sizeof(double));
    for (int64_t k = 0; k < n * n && !lp; k++)
        B[k] = urand() < density ? srand1() : 0.0;
    for (int64_t r = 0; r < n && !lp; r++)
        for (int64_t c = 0; c < n; c++) {
            double s = r == c ? 0.1 : 0.0;
            for (int64_t k = 0; k < n; k++)
                s += B[r * n + k] * B[c * n + k];
            Q.P[r * n + c] = s;
        }
    for (int64_t k = 0; k < me * n; k++)
        Q.A[k] = urand() < density ? srand1() : 0.0;
    for (int64_t r = 0; r < me; r++)
        Q.A[r * n + (r % n)] += 2.0;
    for (int64_t k = 0; k < mi * n; k++)
        Q.C[k] = urand() < density ? srand1() : 0.0;
    for (int64_t r = 0; r < mi; r++)
        Q.C[r * n + ((me + r) % n)] += 2.0; /* active rows cover other columns than A's */
    for (int64_t j = 0; j < n; j++)
        z[j] = srand1();
    for (int64_t r = 0; r < me; r++)
        lam[r] = srand1();
    for (int64_t r = 0; r < mi; r++)
        mu[r] = r < nact ? 0.5 + urand() : 0.0;
    for (int64_t r = 0; r < me; r++)
        for (int64_t j = 0; j < n; j++)
            Q.b[r] += Q.A[r * n + j] * z[j];
    for (int64_t r = 0; r < mi; r++) {
        for (int64_t j = 0; j < n; j++)
            Q.d[r] += Q.C[r * n + j] * z[j];
        Q.d[r] += r < nact ? 0.0 : 0.5 + urand();
    }
    for (int64_t j = 0; j < n; j++) {
        double g = 0.0;
        for (int64_t k = 0; k < n; k++)
            g += Q.P[j * n + k] * z[k];
        for (int64_t r = 0; r < me; r++)
            g += Q.A[r * n + j] * lam[r];
        for (int64_t r = 0; r < mi; r++)
            g += Q.C[r * n + j] * mu[r];
        Q.q[j] = -g;
    }
    free(B);
    free(z);
    free(lam);
    free(mu);
    return Q;
}

static dqp_problem *make_problem(const qp *Q, int sparse) {
    dqp_problem *prob = dqp_problem_create();
    dqp_problem_data data = {0};
    dqp_dense Pd = {Q->n, Q->n, Q->n, Q->P}, Ad = {Q->me, Q->n, Q->n, Q->A},
              Cd = {Q->mi, Q->n, Q->n, Q->C};
    dqp_csc *Ps = NULL, *As = NULL, *Cs = NULL;
    data.n = Q->n;
    data.q = Q->q;
    if (sparse) {
        data.P = Ps = to_csc(Q->P, Q->n, Q->n, 1);
        data.P_storage = DQP_P_UPPER;
        if (Q->me)
            data.A = As = to_csc(Q->A, Q->me, Q->n, 0);
        if (Q->mi)
            data.C = Cs = to_csc(Q->C, Q->mi, Q->n, 0);
    } else {
        data.P_dense = &Pd;
        if (Q->me)
            data.A_dense = &Ad;
        if (Q->mi)
            data.C_dense = &Cd;
    }
    data.b = Q->me ? Q->b : NULL;
    data.m_eq = Q->me;
    data.d = Q->mi ? Q->d : NULL;
    data.m_ineq = Q->mi;
    if (dqp_problem_set(prob, &data) != DQP_OK) {
        fprintf(stderr, "problem_set: %s\n", dqp_problem_last_error(prob));
        dqp_problem_destroy(prob);
        prob = NULL;
    }
    dqp_csc_free(Ps);
    dqp_csc_free(As);
    dqp_csc_free(Cs);
    return prob;
}

/* ------------------------------------------------------------ cases */

enum { EXPECT_SOLVED = 0, EXPECT_PRIMAL_INF = 1, EXPECT_DUAL_INF = 2 };
enum { DEG_NONE = 0, DEG_DUPLICATE = 1, DEG_WEAK = 2, DEG_DEPENDENT_EQ = 3 };

typedef struct tcase {
    char label[64];
    dqp_problem *prob;
    dqp_qps *qps; /* owner of prob for QPS cases */
    int expect;
    int degenerate;
    int meq_gt_n; /* more equality rows than variables */
    int lp;       /* P absent or zero */
} tcase;

#define MAX_CASES 64
static tcase cases[MAX_CASES];
static int ncases;

static void add_case(const char *label, dqp_problem *prob, dqp_qps *qps, int expect, int deg) {
    CHECK(prob != NULL);
    CHECK(ncases < MAX_CASES); /* never drop a case silently */
    if (!prob || ncases >= MAX_CASES)
        return;
    tcase *c = &cases[ncases++];
    snprintf(c->label, sizeof c->label, "%s", label);
    c->prob = prob;
    c->qps = qps;
    c->expect = expect;
    c->degenerate = deg;
    c->meq_gt_n = dqp_problem_m_eq(prob) > dqp_problem_n(prob);
    const dqp_csc *P = dqp_problem_csc(prob, 'P');
    const double *Pd = dqp_problem_dense(prob, 'P');
    int64_t len = P ? dqp_csc_nnz(P) : (Pd ? dqp_problem_n(prob) * dqp_problem_n(prob) : 0);
    c->lp = 1;
    for (int64_t k = 0; k < len; k++)
        c->lp &= (P ? P->x[k] : Pd[k]) == 0.0;
}

static void add_qp(const char *label, qp *Q, int sparse, int expect, int deg) {
    add_case(label, make_problem(Q, sparse), NULL, expect, deg);
    qp_free(Q);
}

static void build_cases(void) {
    const char *mm[] = {"HS21", "HS35", "HS76", "QAFIRO", "GENHS28", "HS118", "QPTEST", "ZECEVIC2"};
    for (size_t k = 0; k < sizeof mm / sizeof mm[0]; k++) {
        char path[512];
        snprintf(path, sizeof path, "%s/mm/%s.QPS", DQP_TEST_DATA, mm[k]);
        dqp_qps *qps = dqp_qps_create();
        dqp_status st = dqp_qps_read_file(qps, path);
        CHECK_INT(st, DQP_OK);
        if (st != DQP_OK) {
            fprintf(stderr, "  %s: %s\n", path, dqp_qps_last_error(qps));
            dqp_qps_destroy(qps);
            continue;
        }
        add_case(mm[k], (dqp_problem *)dqp_qps_problem(qps), qps, EXPECT_SOLVED, DEG_NONE);
    }
    qp Q;
    Q = qp_known(30, 0, 24, 10, 0.15, 0);
    add_qp("sparse n30 ineq", &Q, 1, EXPECT_SOLVED, DEG_NONE);
    Q = qp_known(40, 6, 30, 12, 0.12, 0);
    add_qp("sparse n40 eq+ineq", &Q, 1, EXPECT_SOLVED, DEG_NONE);
    Q = qp_known(25, 8, 0, 0, 0.2, 0);
    add_qp("sparse n25 eq only", &Q, 1, EXPECT_SOLVED, DEG_NONE);
    Q = qp_known(12, 0, 9, 4, 1.0, 0);
    add_qp("dense n12 ineq", &Q, 0, EXPECT_SOLVED, DEG_NONE);
    Q = qp_known(15, 4, 12, 5, 1.0, 0);
    add_qp("dense n15 eq+ineq", &Q, 0, EXPECT_SOLVED, DEG_NONE);
    Q = qp_known(10, 3, 14, 7, 0.5, 1);
    add_qp("sparse LP vertex", &Q, 1, EXPECT_SOLVED, DEG_NONE);

    /* infeasible: random feasible rows plus z0 <= -1 and -z0 <= -1 */
    Q = qp_known(8, 2, 8, 3, 0.4, 0);
    memset(Q.C, 0, 2 * 8 * sizeof(double));
    Q.C[0] = 1.0;
    Q.d[0] = -1.0;
    Q.C[8] = -1.0;
    Q.d[1] = -1.0;
    add_qp("infeasible ineq", &Q, 1, EXPECT_PRIMAL_INF, DEG_NONE);
    /* infeasible equalities: z0 + z1 = 1 and z0 + z1 = 2 */
    Q = qp_alloc(3, 2, 1);
    Q.P[0] = Q.P[4] = Q.P[8] = 1.0;
    Q.A[0] = Q.A[1] = Q.A[3] = Q.A[4] = 1.0;
    Q.b[0] = 1.0;
    Q.b[1] = 2.0;
    Q.C[2] = 1.0;
    Q.d[0] = 5.0;
    add_qp("infeasible eq", &Q, 1, EXPECT_PRIMAL_INF, DEG_NONE);
    /* unbounded LP: min -z0 + z1 s.t. z1 >= 0 (as -z1 <= 0), z0 - z2 = 0, z2 free */
    Q = qp_alloc(3, 1, 1);
    Q.q[0] = -1.0;
    Q.q[1] = 1.0;
    Q.A[0] = 1.0;
    Q.A[2] = -1.0;
    Q.C[1] = -1.0;
    add_qp("unbounded LP", &Q, 1, EXPECT_DUAL_INF, DEG_NONE);
    /* unbounded QP with singular P = diag(1, 0): min 1/2 z0^2 - z1 s.t. z0 + z1 >= -1... z1 up */
    Q = qp_alloc(2, 0, 1);
    Q.P[0] = 1.0;
    Q.q[1] = -1.0;
    Q.C[0] = -1.0;
    Q.C[1] = -1.0;
    Q.d[0] = 1.0;
    add_qp("unbounded QP", &Q, 1, EXPECT_DUAL_INF, DEG_NONE);

    /* infeasible LP: z0 + z1 <= -1, -z0 <= 0, -z1 <= 0 */
    Q = qp_alloc(2, 0, 3);
    Q.q[0] = Q.q[1] = 1.0;
    Q.C[0] = Q.C[1] = 1.0;
    Q.d[0] = -1.0;
    Q.C[2] = -1.0;
    Q.C[5] = -1.0;
    add_qp("infeasible LP", &Q, 1, EXPECT_PRIMAL_INF, DEG_NONE);

    /* 20 generated certificates (issue 8): 10 primal-infeasible (two
     * contradictory rows c'z <= t, c'z >= t + 1 added to a feasible problem)
     * and 10 dual-infeasible (a direction v = e_last with P v = 0, A v = 0,
     * C v <= 0, q'v < 0 from the feasible point 0), sparse and dense, LP and QP. */
    for (int k = 0; k < 20; k++) {
        int64_t n = 5 + k, me = k % 3, mi = 4 + k % 5;
        int sparse = k % 2, lp = (k / 2) % 2;
        char label[64];
        Q = qp_known(n, me, mi, 2, sparse ? 0.3 : 1.0, lp);
        if (k < 10) {
            /* the last two rows are inactive (mu = 0) in qp_known, so the
             * known multipliers stay dual feasible: infeasible on one side only */
            double t = srand1(), *c0 = Q.C + (mi - 2) * n, *c1 = Q.C + (mi - 1) * n;
            for (int64_t j = 0; j < n; j++) {
                c0[j] = srand1();
                c1[j] = -c0[j];
            }
            c0[k % n] += 2.0;
            c1[k % n] -= 2.0;
            Q.d[mi - 2] = t;
            Q.d[mi - 1] = -t - 1.0;
            snprintf(label, sizeof label, "gen primal-infeasible %d (%s %s)", k,
                     sparse ? "sparse" : "dense", lp ? "LP" : "QP");
            add_qp(label, &Q, sparse, EXPECT_PRIMAL_INF, DEG_NONE);
        } else {
            int64_t v = n - 1;
            for (int64_t j = 0; j < n; j++)
                Q.P[v * n + j] = Q.P[j * n + v] = 0.0;
            for (int64_t r = 0; r < me; r++) {
                Q.A[r * n + v] = 0.0;
                Q.b[r] = 0.0; /* z = 0 is feasible */
            }
            for (int64_t r = 0; r < mi; r++) {
                Q.C[r * n + v] = -fabs(Q.C[r * n + v]);
                Q.d[r] = fabs(Q.d[r]);
            }
            Q.q[v] = -1.0;
            snprintf(label, sizeof label, "gen dual-infeasible %d (%s %s)", k,
                     sparse ? "sparse" : "dense", lp ? "LP" : "QP");
            add_qp(label, &Q, sparse, EXPECT_DUAL_INF, DEG_NONE);
        }
    }

    /* duplicate active rows: min 1/2 (z - 2)^2 s.t. z <= 1 twice; and the LP
     * min -z s.t. z <= 1 twice, -z <= 5 */
    Q = qp_alloc(1, 0, 2);
    Q.P[0] = 1.0;
    Q.q[0] = -2.0;
    Q.C[0] = Q.C[1] = 1.0;
    Q.d[0] = Q.d[1] = 1.0;
    add_qp("duplicate rows", &Q, 1, EXPECT_SOLVED, DEG_DUPLICATE);
    Q = qp_alloc(1, 0, 3);
    Q.q[0] = -1.0;
    Q.C[0] = Q.C[1] = 1.0;
    Q.d[0] = Q.d[1] = 1.0;
    Q.C[2] = -1.0;
    Q.d[2] = 5.0;
    add_qp("duplicate rows LP", &Q, 1, EXPECT_SOLVED, DEG_DUPLICATE);
    /* weakly active: min 1/2 z^2 s.t. z <= 0 (mu = 0 at the active row) */
    Q = qp_alloc(1, 0, 1);
    Q.P[0] = 1.0;
    Q.C[0] = 1.0;
    add_qp("weakly active", &Q, 1, EXPECT_SOLVED, DEG_WEAK);
    /* more (consistent, dependent) equality rows than variables:
     * min 1/2 ||z||^2 s.t. z0 = 1, z1 = 2, z0 + z1 = 3 */
    for (int lp = 0; lp < 2; lp++) { /* LP: q = [1, 2] gives the same P z + q */
        Q = qp_alloc(2, 3, 0);
        Q.P[0] = Q.P[3] = lp ? 0.0 : 1.0;
        Q.q[0] = lp ? 1.0 : 0.0;
        Q.q[1] = lp ? 2.0 : 0.0;
        Q.A[0] = Q.A[3] = Q.A[4] = Q.A[5] = 1.0;
        Q.b[0] = 1.0;
        Q.b[1] = 2.0;
        Q.b[2] = 3.0;
        add_qp(lp ? "dependent equalities LP" : "dependent equalities", &Q, 1, EXPECT_SOLVED,
               DEG_DEPENDENT_EQ);
    }
}

static void free_cases(void) {
    for (int k = 0; k < ncases; k++) {
        if (cases[k].qps)
            dqp_qps_destroy(cases[k].qps);
        else
            dqp_problem_destroy(cases[k].prob);
    }
    ncases = 0;
}

/* ------------------------------------------------------------ problem algebra (public API) */

/* y += M x or M' x for 'P' (full symmetric), 'A', 'C'. */
static void matvec(const dqp_problem *p, char which, int trans, const double *x, double *y) {
    int64_t n = dqp_problem_n(p);
    int64_t m = which == 'P' ? n : (which == 'A' ? dqp_problem_m_eq(p) : dqp_problem_m_ineq(p));
    const dqp_csc *S = dqp_problem_csc(p, which);
    const double *D = dqp_problem_dense(p, which);
    int upper = which == 'P' && dqp_problem_P_storage(p) == DQP_P_UPPER;
    if (S) {
        for (int64_t j = 0; j < S->n; j++)
            for (int64_t k = S->p[j]; k < S->p[j + 1]; k++) {
                int64_t i = S->i[k];
                if (trans)
                    y[j] += S->x[k] * x[i];
                else
                    y[i] += S->x[k] * x[j];
                if (upper && i != j)
                    y[j] += S->x[k] * x[i];
            }
    } else if (D) {
        for (int64_t i = 0; i < m; i++)
            for (int64_t j = 0; j < n; j++) {
                if (trans)
                    y[j] += D[i * n + j] * x[i];
                else
                    y[i] += D[i * n + j] * x[j];
            }
    }
}

static double vnorm(const double *x, int64_t len) {
    double s = 0.0;
    for (int64_t k = 0; k < len; k++)
        s = fmax(s, fabs(x[k]));
    return s;
}

/* Relative KKT residuals of (z, lam, mu): stationarity, primal feasibility,
 * dual sign, complementarity; returns the largest. */
typedef struct kkt {
    double stat, prim, dual, compl, worst;
} kkt;

static kkt kkt_residuals(const dqp_problem *p, const double *z, const double *lam,
                         const double *mu) {
    int64_t n = dqp_problem_n(p), me = dqp_problem_m_eq(p), mi = dqp_problem_m_ineq(p);
    double *g = calloc((size_t)n + 1, sizeof(double)), *t = calloc((size_t)n + 1, sizeof(double));
    double *az = calloc((size_t)me + 1, sizeof(double)),
           *cz = calloc((size_t)mi + 1, sizeof(double));
    const double *q = dqp_problem_vec(p, 'q'), *b = dqp_problem_vec(p, 'b'),
                 *d = dqp_problem_vec(p, 'd');
    kkt K = {0, 0, 0, 0, 0};
    matvec(p, 'P', 0, z, g);
    double sc = fmax(1.0, fmax(vnorm(g, n), vnorm(q, n)));
    matvec(p, 'A', 1, lam, t);
    sc = fmax(sc, vnorm(t, n));
    for (int64_t j = 0; j < n; j++)
        g[j] += q[j] + t[j];
    memset(t, 0, (size_t)n * sizeof(double));
    matvec(p, 'C', 1, mu, t);
    sc = fmax(sc, vnorm(t, n));
    for (int64_t j = 0; j < n; j++)
        g[j] += t[j];
    K.stat = vnorm(g, n) / sc;
    matvec(p, 'A', 0, z, az);
    matvec(p, 'C', 0, z, cz);
    double ps =
        fmax(1.0, fmax(fmax(vnorm(az, me), vnorm(b, me)), fmax(vnorm(cz, mi), vnorm(d, mi))));
    double musc = fmax(1.0, vnorm(mu, mi));
    for (int64_t i = 0; i < me; i++)
        K.prim = fmax(K.prim, fabs(az[i] - b[i]) / ps);
    for (int64_t i = 0; i < mi; i++) {
        K.prim = fmax(K.prim, fmax(cz[i] - d[i], 0.0) / ps);
        K.dual = fmax(K.dual, -mu[i] / musc);
        K.compl = fmax(K.compl, fabs(mu[i] * (d[i] - cz[i])) / (musc * ps));
    }
    K.worst = fmax(fmax(K.stat, K.prim), fmax(K.dual, K.compl ));
    free(g);
    free(t);
    free(az);
    free(cz);
    return K;
}

/* ------------------------------------------------------------ engine runs */

/* What the engine gives for one (solver, case): solution, active set and the
 * gradients of the loss <gz, z> + <gl, lam> + <gm, mu> (fixed seeds). */
typedef struct eres {
    dqp_status st;     /* create + solve */
    dqp_status vjp_st; /* the derivative call */
    dqp_info info;
    int64_t n, me, mi, nP, nA, nC, nact;
    double *z, *lam, *mu;
    unsigned char *active;
    double *g; /* dP | dq | dA | db | dC | dd, concatenated */
    int64_t glen;
    kkt res;
} eres;

static int64_t data_len(const dqp_problem *p, char which) {
    const dqp_csc *S = dqp_problem_csc(p, which);
    int64_t n = dqp_problem_n(p);
    if (S)
        return dqp_csc_nnz(S);
    int64_t rows = which == 'P' ? n : (which == 'A' ? dqp_problem_m_eq(p) : dqp_problem_m_ineq(p));
    return dqp_problem_dense(p, which) ? rows * n : 0;
}

static void eres_free(eres *r) {
    free(r->z);
    free(r->lam);
    free(r->mu);
    free(r->active);
    free(r->g);
    memset(r, 0, sizeof *r);
}

static dqp_settings conformance_settings(const char *solver) {
    dqp_settings s;
    dqp_settings_default(&s);
    snprintf(s.qp_solver, sizeof s.qp_solver, "%s", solver);
    s.eps_abs = 1e-9;
    s.eps_rel = 1e-9;
    s.time_limit = 30.0; /* a hanging solver fails the suite instead of stalling it */
    return s;
}

/* Set while running cases whose derivative is known not to be unique. */
static int quiet_vjp;
static const dqp_qp_backend *reference_backend; /* "ipm", else "dense_as" */

static eres engine_run(const char *solver, const char *label, const dqp_problem *p,
                       const dqp_settings *s0) {
    eres r;
    memset(&r, 0, sizeof r);
    dqp_settings s = s0 ? *s0 : conformance_settings(solver);
    r.n = dqp_problem_n(p);
    r.me = dqp_problem_m_eq(p);
    r.mi = dqp_problem_m_ineq(p);
    r.nP = data_len(p, 'P');
    r.nA = data_len(p, 'A');
    r.nC = data_len(p, 'C');
    r.glen = r.nP + r.n + r.nA + r.me + r.nC + r.mi;
    r.z = calloc((size_t)r.n + 1, sizeof(double));
    r.lam = calloc((size_t)r.me + 1, sizeof(double));
    r.mu = calloc((size_t)r.mi + 1, sizeof(double));
    r.active = calloc((size_t)r.mi + 1, 1);
    r.g = calloc((size_t)r.glen + 1, sizeof(double));
    dqp_solver *h = NULL;
    r.st = dqp_solver_create(&h, &s, NULL);
    if (r.st == DQP_OK)
        r.st = dqp_solver_solve(h, p);
    if (r.st == DQP_OK) {
        r.info = *dqp_solver_info(h);
        memcpy(r.z, dqp_solver_z(h), (size_t)r.n * sizeof(double));
        memcpy(r.lam, dqp_solver_lambda(h), (size_t)r.me * sizeof(double));
        memcpy(r.mu, dqp_solver_mu(h), (size_t)r.mi * sizeof(double));
        const int64_t *rows;
        r.nact = dqp_solver_active(h, &rows);
        for (int64_t k = 0; k < r.nact; k++)
            r.active[rows[k]] = 1;
        r.res = kkt_residuals(p, r.z, r.lam, r.mu);
    }
    if (r.st == DQP_OK && !(r.info.derivative_status & DQP_DIFF_FAILED)) {
        /* fixed seeds from a private generator (same for every solver) */
        uint64_t keep = qp_rng;
        qp_rng = 0x853C49E6748FEA9BULL;
        double *gz = calloc((size_t)r.n + 1, sizeof(double));
        double *gl = calloc((size_t)r.me + 1, sizeof(double));
        double *gm = calloc((size_t)r.mi + 1, sizeof(double));
        for (int64_t j = 0; j < r.n; j++)
            gz[j] = srand1();
        for (int64_t j = 0; j < r.me; j++)
            gl[j] = srand1();
        for (int64_t j = 0; j < r.mi; j++)
            gm[j] = srand1();
        qp_rng = keep;
        double *o = r.g;
        dqp_grad grad = {o,
                         o + r.nP,
                         o + r.nP + r.n,
                         o + r.nP + r.n + r.nA,
                         o + r.nP + r.n + r.nA + r.me,
                         o + r.nP + r.n + r.nA + r.me + r.nC};
        if (!dqp_problem_csc(p, 'P') && !dqp_problem_dense(p, 'P'))
            grad.dP = NULL;
        r.vjp_st = dqp_solver_vjp(h, gz, gl, gm, &grad);
        free(gz);
        free(gl);
        free(gm);
    }
    if ((r.st != DQP_OK || r.vjp_st != DQP_OK) && h && !quiet_vjp)
        fprintf(stderr, "  [%s] %s: engine: %s\n", solver, label, dqp_solver_last_error(h));
    dqp_solver_destroy(h);
    return r;
}

static double rel_diff(const double *a, const double *b, int64_t len) {
    double d = 0.0, s = 1.0;
    for (int64_t k = 0; k < len; k++) {
        d = fmax(d, fabs(a[k] - b[k]));
        s = fmax(s, fabs(b[k]));
    }
    return d / s;
}

/* ------------------------------------------------------------ checks per solver */

typedef struct stats {
    int solved, derivs, refused, worst_case;
    double worst_res, worst_grad;
} stats;

/* The backend directly: status, residuals, duals, capabilities. Returns the
 * qp status (or -1 when setup failed). */
static int backend_check(const dqp_qp_backend *B, const tcase *c, stats *st) {
    const dqp_problem *p = c->prob;
    int64_t n = dqp_problem_n(p), me = dqp_problem_m_eq(p), mi = dqp_problem_m_ineq(p);
    unsigned lacks = lacks_of(B->name);
    dqp_settings s = conformance_settings(B->name);
    double *z = calloc((size_t)n + 1, sizeof(double)),
           *lam = calloc((size_t)me + 1, sizeof(double));
    double *mu = calloc((size_t)mi + 1, sizeof(double));
    dqp_qp_output out = {z, lam, mu, 0, DQP_QP_UNSOLVED, 0, 0.0};
    void *self = NULL;
    dqp_message msg = {{0}};
    int qs = -1;
    dqp_status rc = B->setup(&self, p, &s, &msg);
    if (!c->lp && (lacks & LACKS_QUADRATIC)) {
        /* declared limitation: refused explicitly, never solved */
        CHECK_INT(rc, DQP_ERR_UNSUPPORTED);
        CHECK_STR_CONTAINS(msg.text, "quadratic");
        CHECK(self == NULL);
        st->refused++;
        goto done;
    }
    CHECK_INT(rc, DQP_OK);
    if (rc == DQP_OK) {
        rc = B->solve(self, &out, &msg);
        CHECK_INT(rc, DQP_OK);
        qs = out.status;
    }
    if (rc != DQP_OK)
        fprintf(stderr, "  [%s] %s: %s\n", B->name, c->label, msg.text);
    B->destroy(self);
    if (qs < 0)
        goto done;
    if (c->meq_gt_n && (lacks & LACKS_MEQ_GT_N)) {
        /* declared limitation: must not claim a solution */
        CHECK(qs != DQP_QP_SOLVED && qs != DQP_QP_SOLVED_INACCURATE);
        goto done;
    }
    int want = c->expect == EXPECT_SOLVED       ? DQP_QP_SOLVED
               : c->expect == EXPECT_PRIMAL_INF ? DQP_QP_PRIMAL_INFEASIBLE
                                                : DQP_QP_DUAL_INFEASIBLE;
    int lacks_it = (c->expect == EXPECT_PRIMAL_INF && (lacks & LACKS_PRIMAL_INFEAS)) ||
                   (c->expect == EXPECT_DUAL_INF && (lacks & LACKS_DUAL_INFEAS));
    if (lacks_it) {
        CHECK(qs != DQP_QP_SOLVED && qs != DQP_QP_SOLVED_INACCURATE);
    } else {
        CHECK_INT(qs, want);
    }
    if (qs != want)
        fprintf(stderr, "  [%s] %s: status %s, expected %s%s\n", B->name, c->label,
                dqp_qp_status_string((dqp_qp_status)qs), dqp_qp_status_string((dqp_qp_status)want),
                lacks_it ? " (declared limitation: checked that it is not reported as solved)"
                         : "");
    if (qs == DQP_QP_SOLVED) {
        st->solved++;
        CHECK_INT(out.has_duals, (B->caps & DQP_CAP_DUALS) ? 1 : 0);
        kkt K = kkt_residuals(p, z, lam, mu);
        /* a solved point satisfies the KKT conditions to the requested
         * tolerance up to a factor for the residual definitions (relative
         * here, scaled in the solvers) */
        double tol = 1e-6;
        if (!(B->caps & DQP_CAP_DUALS))
            K.worst = fmax(K.prim, 0.0);
        CHECK(K.worst <= tol);
        if (!(K.worst <= tol))
            fprintf(stderr, "  [%s] %s: residuals stat %.2e prim %.2e dual %.2e compl %.2e\n",
                    B->name, c->label, K.stat, K.prim, K.dual, K.compl );
        if (K.worst > st->worst_res)
            st->worst_res = K.worst;
        double obj = 0.0, *Pz = calloc((size_t)n + 1, sizeof(double));
        const double *q = dqp_problem_vec(p, 'q');
        matvec(p, 'P', 0, z, Pz);
        for (int64_t j = 0; j < n; j++)
            obj += z[j] * (0.5 * Pz[j] + q[j]);
        CHECK_REL(out.objective, obj, 1e-9);
        free(Pz);
    } else {
        CHECK_INT(out.has_duals, 0);
    }
done:
    free(z);
    free(lam);
    free(mu);
    return qs;
}

/* Engine with this solver vs the reference: z, active set, gradients. */
static const unsigned nonunique_flags =
    DQP_DIFF_LICQ | DQP_DIFF_SINGULAR_HESSIAN | DQP_DIFF_WEAKLY_ACTIVE;

static void derivative_check(const dqp_qp_backend *B, const tcase *c, const eres *ref, stats *st) {
    int nonunique = (ref->info.derivative_status & nonunique_flags) != 0;
    quiet_vjp = nonunique;
    eres r = engine_run(B->name, c->label, c->prob, NULL);
    quiet_vjp = 0;
    CHECK_INT(r.st, DQP_OK);
    if (r.st != DQP_OK || ref->st != DQP_OK) {
        eres_free(&r);
        return;
    }
    CHECK(r.info.qp_status == DQP_QP_SOLVED);
    if (nonunique) {
        /* The reference says the derivative is not unique here (degenerate
         * vertex, dependent active rows): solvers may legitimately return
         * different optimal points, active sets and one-sided derivatives,
         * so only the optimal value is compared. */
        CHECK_REL(r.info.objective, ref->info.objective, 1e-6);
        CHECK_INT(r.vjp_st, DQP_OK); /* a flagged (least-norm / least-squares) gradient */
        if (B == reference_backend)
            printf("%s: derivative not unique (reference flags %u): optimal values compared\n",
                   c->label, ref->info.derivative_status);
        eres_free(&r);
        return;
    }
    CHECK_INT(r.vjp_st, DQP_OK);
    CHECK(!(r.info.derivative_status & DQP_DIFF_FAILED));
    /* accuracy of both: the recomputed KKT residuals after the engine's dual handling */
    double acc = fmax(r.res.worst, ref->res.worst);
    double tol_z = 1e-7 + 1e2 * acc, tol_g = 1e-6 + 1e4 * acc;
    double dz = rel_diff(r.z, ref->z, r.n);
    CHECK(dz <= tol_z);
    if (c->degenerate == DEG_NONE) {
        int same = r.nact == ref->nact;
        for (int64_t i = 0; i < r.mi; i++)
            same &= r.active[i] == ref->active[i];
        CHECK(same);
        if (!same)
            fprintf(stderr, "  [%s] %s: active set differs (%lld vs %lld rows)\n", B->name,
                    c->label, (long long)r.nact, (long long)ref->nact);
        CHECK_INT(r.info.derivative_status & ~DQP_DIFF_DUALS_RECOVERED,
                  ref->info.derivative_status & ~DQP_DIFF_DUALS_RECOVERED);
    }
    double dg = rel_diff(r.g, ref->g, r.glen);
    CHECK(dg <= tol_g);
    if (!(dz <= tol_z) || !(dg <= tol_g))
        fprintf(stderr, "  [%s] %s: z diff %.2e (tol %.2e), gradient diff %.2e (tol %.2e)\n",
                B->name, c->label, dz, tol_z, dg, tol_g);
    if (dg > st->worst_grad) {
        st->worst_grad = dg;
        st->worst_case = (int)(c - cases);
    }
    st->derivs++;
    eres_free(&r);
}

/* Degenerate cases have exact answers for every solver:
 * duplicate rows: z = 1, mu_1 + mu_2 = 1, least-norm dz/dd = [1/2, 1/2];
 * weakly active: z = 0, mu = 0, default (keep) convention dz/dd = 1;
 * dependent equalities: z = [1, 2], A'lambda = -z, and for the loss z0 + z1
 * the least-norm gradient db = A (A'A)^{-1} [1; 1] = [1/3, 1/3, 2/3]. */
static void degenerate_check(const dqp_qp_backend *B, const tcase *c) {
    dqp_settings s = conformance_settings(B->name);
    dqp_solver *h = NULL;
    CHECK_INT(dqp_solver_create(&h, &s, NULL), DQP_OK);
    CHECK_INT(dqp_solver_solve(h, c->prob), DQP_OK);
    const dqp_info *info = dqp_solver_info(h);
    const double *z = dqp_solver_z(h), *mu = dqp_solver_mu(h);
    double dd[4] = {0, 0, 0, 0}, db[4] = {0, 0, 0, 0}, gz[2] = {1.0, 1.0};
    dqp_grad g = {NULL, NULL, NULL, db, NULL, dd};
    CHECK_INT(dqp_solver_vjp(h, gz, NULL, NULL, &g), DQP_OK);
    if (c->degenerate == DEG_DEPENDENT_EQ) {
        const double *lam = dqp_solver_lambda(h);
        CHECK_NEAR(z[0], 1.0, 1e-7);
        CHECK_NEAR(z[1], 2.0, 1e-7);
        CHECK_NEAR(lam[0] + lam[2], -1.0, 1e-6);
        CHECK_NEAR(lam[1] + lam[2], -2.0, 1e-6);
        CHECK(info->derivative_status & DQP_DIFF_LICQ);
        CHECK_NEAR(db[0], 1.0 / 3.0, 1e-6);
        CHECK_NEAR(db[1], 1.0 / 3.0, 1e-6);
        CHECK_NEAR(db[2], 2.0 / 3.0, 1e-6);
    } else if (c->degenerate == DEG_DUPLICATE) {
        CHECK_NEAR(z[0], 1.0, 1e-7);
        CHECK_NEAR(mu[0] + mu[1], 1.0, 1e-6);
        CHECK(info->derivative_status & DQP_DIFF_LICQ);
        CHECK_NEAR(dd[0], 0.5, 1e-6);
        CHECK_NEAR(dd[1], 0.5, 1e-6);
    } else {
        /* Without strict complementarity an interior point converges only
         * like sqrt(tolerance) to the bound (slack * mu ~ tol with mu ~
         * slack): exact-active-set solvers return z = 0 and the row in J
         * (flagged weakly active, dz/dd = 1 under the default "keep"
         * convention); a slack above eps_active leaves the row out of J and
         * gives the other one-sided derivative, dz/dd = 0. */
        int64_t nact = dqp_solver_active(h, NULL);
        CHECK(z[0] <= 1e-7 && z[0] >= -1e-3);
        CHECK(mu[0] >= 0.0 && mu[0] <= 1e-3);
        if (nact == 1) {
            CHECK(info->derivative_status & DQP_DIFF_WEAKLY_ACTIVE);
            CHECK_NEAR(dd[0], 1.0, 1e-6);
        } else {
            CHECK_INT(nact, 0);
            CHECK(!(info->derivative_status & DQP_DIFF_WEAKLY_ACTIVE));
            CHECK(mu[0] == 0.0);
            CHECK_NEAR(dd[0], 0.0, 1e-12);
        }
        printf("%-9s weakly active row: z = %.2e, %s (dz/dd = %g)\n", B->name, z[0],
               nact ? "kept in J, flagged" : "slack above eps_active, not in J", dd[0]);
    }
    dqp_solver_destroy(h);
}

/* OpenMP batches: 6 problems on 1 and on 2 threads give bit-identical
 * solutions (a solver with global state must serialize itself). */
static void batch_check(const dqp_qp_backend *B, int lp_only) {
    enum { NB = 6 };
    dqp_problem *probs[NB];
    dqp_solver *h1[NB], *h2[NB];
    int64_t n[NB];
    dqp_settings s = conformance_settings(B->name);
    for (int k = 0; k < NB; k++) {
        qp Q = lp_only ? qp_known(10 + k, 3, 14, 7, 0.5, 1) : qp_known(15 + k, 2, 12, 5, 0.3, 0);
        n[k] = Q.n;
        probs[k] = make_problem(&Q, 1);
        qp_free(&Q);
        CHECK_INT(dqp_solver_create(&h1[k], &s, NULL), DQP_OK);
        CHECK_INT(dqp_solver_create(&h2[k], &s, NULL), DQP_OK);
    }
    dqp_status st1[NB], st2[NB];
    CHECK_INT(dqp_batch_solve(h1, (const dqp_problem *const *)probs, NB, 1, st1), DQP_OK);
    CHECK_INT(dqp_batch_solve(h2, (const dqp_problem *const *)probs, NB, 2, st2), DQP_OK);
    for (int k = 0; k < NB; k++) {
        CHECK_INT(st1[k], st2[k]);
        CHECK_INT(dqp_solver_info(h1[k])->qp_status, DQP_QP_SOLVED);
        CHECK(memcmp(dqp_solver_z(h1[k]), dqp_solver_z(h2[k]), (size_t)n[k] * sizeof(double)) == 0);
        dqp_solver_destroy(h1[k]);
        dqp_solver_destroy(h2[k]);
        dqp_problem_destroy(probs[k]);
    }
}

/* Allocation-failure injection through the engine: failing the k-th
 * allocation (through settings.allocator) of create + solve + vjp, k = 0, 1,
 * ..., gives DQP_ERR_NOMEM and leaks nothing (third-party libraries allocate
 * on their own and are not counted). */
typedef struct alloc_counter {
    long count, fail_at, live;
    int failed;
} alloc_counter;

static void *counting_alloc(void *user, size_t bytes) {
    alloc_counter *c = user;
    if (c->count++ == c->fail_at) {
        c->failed = 1;
        return NULL;
    }
    c->live++;
    return malloc(bytes);
}

static void counting_free(void *user, void *ptr) {
    alloc_counter *c = user;
    c->live--;
    free(ptr);
}

static void alloc_check(const dqp_qp_backend *B, const dqp_problem *p) {
    int64_t n = dqp_problem_n(p);
    double *gz = calloc((size_t)n + 1, sizeof(double)), *dq = calloc((size_t)n + 1, sizeof(double));
    for (int64_t j = 0; j < n; j++)
        gz[j] = 1.0;
    long k;
    int done = 0;
    for (k = 0; k < 5000 && !done; k++) {
        alloc_counter c = {0, k, 0, 0};
        dqp_allocator a = {counting_alloc, counting_free, &c};
        dqp_settings s = conformance_settings(B->name);
        s.allocator = &a;
        dqp_solver *h = NULL;
        dqp_status st = dqp_solver_create(&h, &s, NULL);
        if (st == DQP_OK)
            st = dqp_solver_solve(h, p);
        dqp_grad g = {NULL, dq, NULL, NULL, NULL, NULL};
        if (st == DQP_OK)
            st = dqp_solver_vjp(h, gz, NULL, NULL, &g);
        dqp_solver_destroy(h);
        CHECK_INT(c.live, 0);
        if (!c.failed) {
            CHECK_INT(st, DQP_OK);
            done = 1;
        } else {
            CHECK_INT(st, DQP_ERR_NOMEM);
            if (st != DQP_ERR_NOMEM)
                fprintf(stderr, "  [%s] failing allocation %ld gave status %d\n", B->name, k, st);
        }
    }
    CHECK(done && k > 5);
    free(gz);
    free(dq);
}

/* Capabilities that do not depend on the case. */
static void capability_check(const dqp_qp_backend *B) {
    CHECK((B->caps & DQP_CAP_WARM) ? B->warm_start != NULL : B->warm_start == NULL);
    CHECK(B->setup && B->update && B->solve && B->destroy && B->name && B->description);
    CHECK(B->caps & (DQP_CAP_SPARSE | DQP_CAP_DENSE));
    /* unknown keywords are rejected, naming the key */
    dqp_settings s = conformance_settings(B->name);
    snprintf(s.qp_solver_keywords, sizeof s.qp_solver_keywords, "no_such_key_xyz=1");
    void *self = NULL;
    dqp_message msg = {{0}};
    int lp_only = (lacks_of(B->name) & LACKS_QUADRATIC) != 0;
    const dqp_problem *any = NULL;
    for (int k = 0; k < ncases && !any; k++)
        if (cases[k].expect == EXPECT_SOLVED && (cases[k].lp || !lp_only))
            any = cases[k].prob;
    dqp_status rc = B->setup(&self, any, &s, &msg);
    CHECK_INT(rc, DQP_ERR_VALUE);
    CHECK_STR_CONTAINS(msg.text, "no_such_key_xyz");
    B->destroy(self);
    /* warm start through the engine: a second solve on a changed problem
     * (warm_start_from_previous; a no-op for solvers without DQP_CAP_WARM)
     * gives the answer of a cold solve */
    qp Q = lp_only ? qp_known(10, 3, 14, 7, 0.5, 1) : qp_known(20, 3, 15, 6, 0.3, 0);
    dqp_problem *p1 = make_problem(&Q, 1);
    for (int64_t j = 0; j < Q.n; j++)
        Q.q[j] += 1e-2 * srand1();
    dqp_problem *p2 = make_problem(&Q, 1);
    s = conformance_settings(B->name);
    s.warm_start_from_previous = 1;
    dqp_solver *h = NULL;
    CHECK_INT(dqp_solver_create(&h, &s, NULL), DQP_OK);
    CHECK_INT(dqp_solver_solve(h, p1), DQP_OK);
    CHECK_INT(dqp_solver_solve(h, p2), DQP_OK);
    CHECK_INT(dqp_solver_info(h)->qp_status, DQP_QP_SOLVED);
    eres cold = engine_run(B->name, "warm start", p2, NULL);
    CHECK(rel_diff(dqp_solver_z(h), cold.z, Q.n) <= 1e-6);
    eres_free(&cold);
    dqp_solver_destroy(h);
    dqp_problem_destroy(p1);
    dqp_problem_destroy(p2);
    batch_check(B, lp_only);
    dqp_problem *pa = make_problem(&Q, 1);
    alloc_check(B, pa);
    dqp_problem_destroy(pa);
    qp_free(&Q);
}

/* ------------------------------------------------------------ tests */

static const dqp_qp_backend *reference(void) {
    const dqp_qp_backend *r = dqp_qp_backend_find("ipm");
    return reference_backend = r ? r : dqp_qp_backend_find("dense_as");
}

static void test_registry(void) {
    int n = dqp_qp_backend_count();
    CHECK(n >= 2);
    CHECK(dqp_qp_backend_find("dense_as") != NULL);
    CHECK(dqp_qp_backend_find("admm") != NULL);
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++)
            CHECK(strcmp(dqp_qp_backend_get(i)->name, dqp_qp_backend_get(j)->name) != 0);
    CHECK(dqp_qp_backend_get(n) == NULL && dqp_qp_backend_get(-1) == NULL);
    /* every declared limitation names a registered solver (or one not built) */
    for (size_t k = 0; k < sizeof solver_limits / sizeof solver_limits[0]; k++)
        CHECK(solver_limits[k].why && solver_limits[k].why[0]);
}

static void test_all_solvers(void) {
    const dqp_qp_backend *R = reference();
    CHECK(R != NULL);
    if (!R)
        return;
    printf("reference solver: %s\n", R->name);
    eres refs[MAX_CASES];
    for (int k = 0; k < ncases; k++) {
        memset(&refs[k], 0, sizeof refs[k]);
        if (cases[k].expect == EXPECT_SOLVED && cases[k].degenerate == DEG_NONE) {
            quiet_vjp = 1; /* the reference's own vjp status is checked below */
            refs[k] = engine_run(R->name, cases[k].label, cases[k].prob, NULL);
            quiet_vjp = 0;
            CHECK_INT(refs[k].st, DQP_OK);
            CHECK_INT(refs[k].vjp_st, DQP_OK);
            CHECK_INT(refs[k].info.qp_status, DQP_QP_SOLVED);
            /* the reference must be accurate */
            CHECK(refs[k].res.worst <= 1e-7);
        }
    }
    const char *only = getenv("DQP_CONFORMANCE_ONLY"); /* debugging aid: one solver */
    if (only)
        printf("DQP_CONFORMANCE_ONLY=%s: the other solvers are not tested in this run\n", only);
    for (int i = 0; i < dqp_qp_backend_count(); i++) {
        const dqp_qp_backend *B = dqp_qp_backend_get(i);
        stats st = {0, 0, 0, -1, 0.0, 0.0};
        if (only && strcmp(only, B->name) != 0)
            continue;
        int failed_before = runner_g.cur_failed;
        runner_g.cur_failed = 0;
        capability_check(B);
        for (int k = 0; k < ncases; k++) {
            const tcase *c = &cases[k];
            if (getenv("DQP_CONFORMANCE_TRACE"))
                fprintf(stderr, "  [%s] %s ...\n", B->name, c->label);
            int qs = backend_check(B, c, &st);
            if (c->expect != EXPECT_SOLVED || qs != DQP_QP_SOLVED)
                continue;
            if (c->degenerate != DEG_NONE)
                degenerate_check(B, c);
            else
                derivative_check(B, c, &refs[k], &st);
        }
        printf("%-9s %s: %d cases solved, %d refused as declared, %d derivatives vs %s; worst "
               "residual %.2e, worst gradient diff %.2e (%s)\n",
               B->name, runner_g.cur_failed ? "FAILED" : "ok", st.solved, st.refused, st.derivs,
               R->name, st.worst_res, st.worst_grad,
               st.worst_case >= 0 ? cases[st.worst_case].label : "-");
        fflush(stdout);
        runner_g.cur_failed |= failed_before;
    }
    for (int k = 0; k < ncases; k++)
        eres_free(&refs[k]);
}

/* Declared limitations are documented: each limited solver, when built,
 * behaves as declared on the case that exercises it (checked in
 * backend_check); print them so a reader of the log sees every exception. */
static void test_declared_limits(void) {
    for (size_t k = 0; k < sizeof solver_limits / sizeof solver_limits[0]; k++) {
        const dqp_qp_backend *B = dqp_qp_backend_find(solver_limits[k].name);
        printf("declared limitation of %s (%s): %s\n", solver_limits[k].name,
               B ? "built" : "not built", solver_limits[k].why);
    }
    CHECK(1);
}

/* ------------------------------------------------------------ adapter options */

static const tcase *find_case(const char *label) {
    for (int k = 0; k < ncases; k++)
        if (strcmp(cases[k].label, label) == 0)
            return &cases[k];
    return NULL;
}

/* setup + solve with keywords; returns the setup status, fills *qs and the
 * number of bytes the call wrote to stdout (third-party output included). */
static dqp_status keyword_run(const dqp_qp_backend *B, const dqp_problem *p, const char *kw,
                              int64_t max_iter, double time_limit, int *qs, long *printed,
                              dqp_message *msg) {
    int64_t n = dqp_problem_n(p), me = dqp_problem_m_eq(p), mi = dqp_problem_m_ineq(p);
    double *z = calloc((size_t)n + 1, sizeof(double)),
           *lam = calloc((size_t)me + 1, sizeof(double));
    double *mu = calloc((size_t)mi + 1, sizeof(double));
    dqp_qp_output out = {z, lam, mu, 0, DQP_QP_UNSOLVED, 0, 0.0};
    dqp_settings s = conformance_settings(B->name);
    snprintf(s.qp_solver_keywords, sizeof s.qp_solver_keywords, "%s", kw);
    s.max_iter = max_iter;
    s.time_limit = time_limit;
    fflush(stdout);
    int saved = dup(1);
    FILE *tmp = tmpfile();
    if (tmp && saved >= 0)
        dup2(fileno(tmp), 1);
    void *self = NULL;
    dqp_status rc = B->setup(&self, p, &s, msg);
    *qs = -1;
    if (rc == DQP_OK && B->solve(self, &out, msg) == DQP_OK)
        *qs = out.status;
    B->destroy(self);
    fflush(stdout);
    if (tmp && saved >= 0) {
        dup2(saved, 1);
        struct stat sb;
        *printed = fstat(fileno(tmp), &sb) == 0 ? (long)sb.st_size : -1;
    } else {
        *printed = -1;
    }
    if (tmp)
        fclose(tmp);
    if (saved >= 0)
        close(saved);
    free(z);
    free(lam);
    free(mu);
    return rc;
}

/* Ipopt: every option with its own type (a number given as "1" stays a
 * number), reserved and unknown keys and bad values refused before Ipopt
 * sees them (Ipopt would print), nothing written to stdout, limits mapped. */
static void ipopt_options(const dqp_qp_backend *B) {
    const tcase *c = find_case("HS118");
    CHECK(c != NULL);
    if (!c)
        return;
    int qs;
    long printed;
    dqp_message msg = {{0}};
    dqp_status rc = keyword_run(B, c->prob,
                                "mu_strategy=adaptive acceptable_tol=1 acceptable_iter=5 "
                                "mehrotra_algorithm=no bound_push=0.01 linear_solver=mumps",
                                0, INFINITY, &qs, &printed, &msg);
    CHECK_INT(rc, DQP_OK);
    CHECK_INT(qs, DQP_QP_SOLVED);
    CHECK_INT(printed, 0);
    struct {
        const char *kw, *needle;
    } bad[] = {{"print_level=5", "reserved"},
               {"sb=no", "reserved"},
               {"option_file_name=x.opt", "reserved"},
               {"no_such_option=1", "unknown keyword"},
               {"tol=-1", "expected a number > 0"},
               {"tol=abc", "expected a number"},
               {"max_iter=1.5", "expected an integer >= 0"},
               {"mu_strategy=bogus", "valid values are monotone|adaptive"}};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        rc = keyword_run(B, c->prob, bad[k].kw, 0, INFINITY, &qs, &printed, &msg);
        CHECK_INT(rc, DQP_ERR_VALUE);
        CHECK_STR_CONTAINS(msg.text, bad[k].needle);
        CHECK_INT(printed, 0);
    }
    rc = keyword_run(B, c->prob, "", 2, INFINITY, &qs, &printed, &msg);
    CHECK_INT(qs, DQP_QP_MAX_ITER);
    rc = keyword_run(B, c->prob, "", 0, 1e-9, &qs, &printed, &msg);
    CHECK_INT(qs, DQP_QP_TIME_LIMIT);
    CHECK_INT(printed, 0);
}

/* Clp: the documented keys, refusal of others, silence, limits. */
static void clp_options(const dqp_qp_backend *B) {
    const tcase *c = find_case("sparse LP vertex");
    CHECK(c != NULL);
    if (!c)
        return;
    int qs;
    long printed;
    dqp_message msg = {{0}};
    const char *good[] = {
        "algorithm=auto", "algorithm=primal presolve=off scaling=geometric",
        "algorithm=dual primal_tolerance=1e-9 dual_tolerance=1e-9 perturbation=50",
        "presolve=off scaling=off"};
    for (size_t k = 0; k < sizeof good / sizeof good[0]; k++) {
        dqp_status rc = keyword_run(B, c->prob, good[k], 0, INFINITY, &qs, &printed, &msg);
        CHECK_INT(rc, DQP_OK);
        CHECK_INT(qs, DQP_QP_SOLVED);
        CHECK_INT(printed, 0);
    }
    const char *bad[] = {"algorithm=barrier", "scaling=bad", "primal_tolerance=0",
                         "perturbation=10", "log_level=4"};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        dqp_status rc = keyword_run(B, c->prob, bad[k], 0, INFINITY, &qs, &printed, &msg);
        CHECK_INT(rc, DQP_ERR_VALUE);
        CHECK_STR_CONTAINS(msg.text, "clp: ");
    }
    keyword_run(B, c->prob, "presolve=off", 1, INFINITY, &qs, &printed, &msg);
    CHECK_INT(qs, DQP_QP_MAX_ITER);
}

static void test_adapter_options(void) {
    const dqp_qp_backend *ip = dqp_qp_backend_find("ipopt"), *cl = dqp_qp_backend_find("clp");
    printf("adapter option checks: ipopt %s, clp %s\n", ip ? "built" : "not built (not run)",
           cl ? "built" : "not built (not run)");
    if (ip)
        ipopt_options(ip);
    if (cl)
        clp_options(cl);
}

int main(void) {
    build_cases();
    RUN(test_registry);
    RUN(test_all_solvers);
    RUN(test_declared_limits);
    RUN(test_adapter_options);
    free_cases();
    return runner_finish();
}
