/* test_ipm.c - the interior-point solver: Maros-Meszaros references, certificates, statuses,
 * degenerate structure, update/warm start without new symbolic analysis. */
#include "core/internal.h"
#include "dqp/qps.h"
#include "runner.h"

#define QP_FIXTURE_SEED 0x243F6A8885A308D3ULL
#include "solvers/qp_fixture.h"
#include "solvers/ipm.h"
#include "solvers/ipm_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ helpers */

/* Set prob from Q: dense = 0 CSC (P upper), 1 dense arrays. */
static void set_problem(dqp_problem *prob, const qp *Q, int dense) {
    dqp_problem_data data = {0};
    dqp_dense Pd = {Q->n, Q->n, Q->n, Q->P}, Ad = {Q->me, Q->n, Q->n, Q->A},
              Cd = {Q->mi, Q->n, Q->n, Q->C};
    dqp_csc *Ps = NULL, *As = NULL, *Cs = NULL;
    data.n = Q->n;
    data.q = Q->q;
    if (dense) {
        data.P_dense = &Pd;
        data.A_dense = Q->me ? &Ad : NULL;
        data.C_dense = Q->mi ? &Cd : NULL;
    } else {
        Ps = to_csc(Q->P, Q->n, Q->n, 1);
        data.P = Ps;
        data.P_storage = DQP_P_UPPER;
        if (Q->me)
            data.A = As = to_csc(Q->A, Q->me, Q->n, 0);
        if (Q->mi)
            data.C = Cs = to_csc(Q->C, Q->mi, Q->n, 0);
    }
    data.b = Q->me ? Q->b : NULL;
    data.m_eq = Q->me;
    data.d = Q->mi ? Q->d : NULL;
    data.m_ineq = Q->mi;
    dqp_status st = dqp_problem_set(prob, &data);
    CHECK_INT(st, DQP_OK);
    if (st != DQP_OK)
        fprintf(stderr, "  %s\n", dqp_problem_last_error(prob));
    dqp_csc_free(Ps);
    dqp_csc_free(As);
    dqp_csc_free(Cs);
}

static dqp_problem *make_problem(const qp *Q, int dense) {
    dqp_problem *prob = dqp_problem_create();
    set_problem(prob, Q, dense);
    return prob;
}

static void dbg_log(void *u, dqp_log_level l, const char *m) {
    (void)u;
    (void)l;
    fprintf(stderr, "%s\n", m);
}

static dqp_settings tight_settings(void) {
    dqp_settings s;
    dqp_settings_default(&s);
    if (getenv("IPM_DEBUG")) {
        s.log = dbg_log;
        s.verbose = 2;
    }
    s.eps_abs = 1e-9;
    s.eps_rel = 1e-9;
    return s;
}

/* Output buffers of one solve. */
typedef struct result {
    double *z, *lam, *mu;
    dqp_qp_output out;
} result;

static result result_alloc(int64_t n, int64_t me, int64_t mi) {
    result r;
    r.z = calloc((size_t)n + 1, sizeof(double));
    r.lam = calloc((size_t)me + 1, sizeof(double));
    r.mu = calloc((size_t)mi + 1, sizeof(double));
    memset(&r.out, 0, sizeof r.out);
    r.out.z = r.z;
    r.out.lam = r.lam;
    r.out.mu = r.mu;
    return r;
}

static void result_free(result *r) {
    free(r->z);
    free(r->lam);
    free(r->mu);
}

/* Set up, solve, destroy with the ipm backend. */
static dqp_status run(const dqp_problem *prob, const dqp_settings *s, result *r) {
    void *self = NULL;
    dqp_message msg = {{0}};
    dqp_status st = dqp_backend_ipm.setup(&self, prob, s, &msg);
    if (st == DQP_OK)
        st = dqp_backend_ipm.solve(self, &r->out, &msg);
    if (st != DQP_OK)
        fprintf(stderr, "  ipm: %s\n", msg.text);
    dqp_backend_ipm.destroy(self);
    return st;
}

/* Relative KKT residuals recomputed from the returned point and the problem's
 * data (through the public accessors): primal, dual, gap, and min(mu). */
typedef struct kkt_res {
    double pres, dres, gap, mumin;
} kkt_res;

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

/* y += M x or M' x for a dense row-major m x n matrix (NULL: nothing). */
static void dense_mv(const double *M, int64_t m, int64_t n, int trans, const double *x, double *y) {
    if (!M)
        return;
    for (int64_t i = 0; i < m; i++)
        for (int64_t j = 0; j < n; j++) {
            if (trans)
                y[j] += M[i * n + j] * x[i];
            else
                y[i] += M[i * n + j] * x[j];
        }
}

static kkt_res kkt_check(const dqp_problem *prob, const result *r) {
    int64_t n = dqp_problem_n(prob), me = dqp_problem_m_eq(prob), mi = dqp_problem_m_ineq(prob);
    const double *q = dqp_problem_vec(prob, 'q'), *b = dqp_problem_vec(prob, 'b'),
                 *d = dqp_problem_vec(prob, 'd');
    double *pz = calloc((size_t)n + 1, sizeof(double)), *at = calloc((size_t)n + 1, sizeof(double));
    double *az = calloc((size_t)me + 1, sizeof(double)),
           *cz = calloc((size_t)mi + 1, sizeof(double));
    const dqp_csc *P = dqp_problem_csc(prob, 'P');
    int upper = dqp_problem_P_storage(prob) == DQP_P_UPPER;
    for (int64_t j = 0; P && j < n; j++)
        for (int64_t k = P->p[j]; k < P->p[j + 1]; k++) {
            int64_t i = P->i[k];
            pz[i] += P->x[k] * r->z[j];
            if (upper && i != j)
                pz[j] += P->x[k] * r->z[i];
        }
    csc_mv(dqp_problem_csc(prob, 'A'), 0, r->z, az);
    csc_mv(dqp_problem_csc(prob, 'C'), 0, r->z, cz);
    csc_mv(dqp_problem_csc(prob, 'A'), 1, r->lam, at);
    csc_mv(dqp_problem_csc(prob, 'C'), 1, r->mu, at);
    dense_mv(dqp_problem_dense(prob, 'P'), n, n, 0, r->z, pz);
    dense_mv(dqp_problem_dense(prob, 'A'), me, n, 0, r->z, az);
    dense_mv(dqp_problem_dense(prob, 'C'), mi, n, 0, r->z, cz);
    dense_mv(dqp_problem_dense(prob, 'A'), me, n, 1, r->lam, at);
    dense_mv(dqp_problem_dense(prob, 'C'), mi, n, 1, r->mu, at);
    kkt_res k = {0, 0, 0, INFINITY};
    double ps = 1, ds = 1, gs = 1, zpz = 0, qz = 0, bd = 0;
    for (int64_t i = 0; i < me; i++) {
        k.pres = fmax(k.pres, fabs(az[i] - b[i]));
        ps = fmax(ps, fmax(fabs(az[i]), fabs(b[i])));
        bd += b[i] * r->lam[i];
    }
    for (int64_t i = 0; i < mi; i++) {
        k.pres = fmax(k.pres, cz[i] - d[i]);
        ps = fmax(ps, fmax(fabs(cz[i]), fabs(d[i])));
        bd += d[i] * r->mu[i];
        k.mumin = fmin(k.mumin, r->mu[i]);
    }
    for (int64_t j = 0; j < n; j++) {
        k.dres = fmax(k.dres, fabs(pz[j] + q[j] + at[j]));
        ds = fmax(ds, fmax(fabs(pz[j]), fmax(fabs(q[j]), fabs(at[j]))));
        zpz += r->z[j] * pz[j];
        qz += q[j] * r->z[j];
    }
    gs = fmax(gs, fmax(fabs(zpz), fmax(fabs(qz), fabs(bd))));
    k.gap = fabs(zpz + qz + bd) / gs;
    k.pres /= ps;
    k.dres /= ds;
    if (mi == 0)
        k.mumin = 0.0;
    free(pz);
    free(at);
    free(az);
    free(cz);
    return k;
}

static void check_optimal(const dqp_problem *prob, const result *r, double tol) {
    CHECK_INT(r->out.status, DQP_QP_SOLVED);
    CHECK_INT(r->out.has_duals, 1);
    kkt_res k = kkt_check(prob, r);
    CHECK(k.pres <= tol);
    CHECK(k.dres <= tol);
    CHECK(k.gap <= tol);
    CHECK(k.mumin >= 0.0);
    if (!(k.pres <= tol && k.dres <= tol && k.gap <= tol))
        fprintf(stderr, "  residuals: primal %.3g dual %.3g gap %.3g\n", k.pres, k.dres, k.gap);
}

/* ------------------------------------------------------------ Maros-Meszaros */

typedef struct mm_ref {
    const char *name;
    int bundled; /* 1: tests/data/mm, 0: DQP_MM_DIR */
    double opt;  /* REFERENCE.csv */
} mm_ref;

static const mm_ref mm_problems[] = {
    {"HS21", 1, -9.9960000e+01},     {"HS35", 1, 1.1111111e-01},      {"HS76", 1, -4.6818182e+00},
    {"QAFIRO", 1, -1.5907818e+00},   {"GENHS28", 1, 9.2717369e-01},   {"HS118", 1, 6.6482045e+02},
    {"QPTEST", 1, 4.3718750e+00},    {"ZECEVIC2", 1, -4.1250000e+00}, {"DUAL1", 0, 3.5012966e-02},
    {"PRIMALC1", 0, -6.1552508e+03}, {"QSCSD1", 0, 8.6666667e+00},    {"LISWET3", 0, 2.5001220e+01},
};

static void test_maros_meszaros(void) {
    int ran = 0;
    for (size_t t = 0; t < sizeof mm_problems / sizeof mm_problems[0]; t++) {
        const mm_ref *ref = &mm_problems[t];
        char path[1024];
        snprintf(path, sizeof path, "%s/%s.QPS", ref->bundled ? DQP_TEST_DATA "/mm" : DQP_MM_DIR,
                 ref->name);
        dqp_qps *qps = dqp_qps_create();
        if (dqp_qps_read_file(qps, path) != DQP_OK) {
            CHECK(!ref->bundled); /* bundled files must be there */
            dqp_qps_destroy(qps);
            continue;
        }
        ran++;
        const dqp_problem *prob = dqp_qps_problem(qps);
        dqp_settings s;
        dqp_settings_default(&s);
        result r =
            result_alloc(dqp_problem_n(prob), dqp_problem_m_eq(prob), dqp_problem_m_ineq(prob));
        CHECK_INT(run(prob, &s, &r), DQP_OK);
        double obj = dqp_qps_objective(qps, r.z);
        CHECK_REL(obj, ref->opt, 1e-6);
        check_optimal(prob, &r, 1e-7);
        if (r.out.status != DQP_QP_SOLVED || fabs(obj - ref->opt) > 1e-6 * fmax(1, fabs(ref->opt)))
            fprintf(stderr, "  problem %s\n", ref->name);
        result_free(&r);
        dqp_qps_destroy(qps);
    }
    CHECK(ran >= 8);
}

/* ------------------------------------------------------------ generated problems */

/* Random strictly convex or semidefinite QP with a known feasible point. */
static qp random_qp(int64_t n, int64_t me, int64_t mi_general, int rank) {
    /* semidefinite P: add the box -5 <= z <= 5 (rows of C) so that the problem is bounded */
    int64_t mi = mi_general + (rank > 0 ? 2 * n : 0);
    qp Q = qp_alloc(n, me, mi);
    int64_t r = rank > 0 ? rank : n;
    double *M = calloc((size_t)(r * n), sizeof(double)), *z0 = calloc((size_t)n, sizeof(double));
    for (int64_t k = 0; k < r * n; k++)
        M[k] = urand() < 0.4 ? srand1() : 0.0;
    for (int64_t i = 0; i < n; i++)
        for (int64_t j = 0; j < n; j++) {
            double v = 0.0;
            for (int64_t k = 0; k < r; k++)
                v += M[k * n + i] * M[k * n + j];
            Q.P[i * n + j] = v + (i == j && rank == 0 ? 0.1 : 0.0);
        }
    for (int64_t j = 0; j < n; j++) {
        Q.q[j] = srand1();
        z0[j] = srand1();
    }
    for (int64_t i = 0; i < me; i++) {
        double v = 0.0;
        for (int64_t j = 0; j < n; j++) {
            Q.A[i * n + j] = urand() < 0.5 ? srand1() : 0.0;
            v += Q.A[i * n + j] * z0[j];
        }
        Q.b[i] = v;
    }
    for (int64_t i = 0; i < mi; i++) {
        double v = 0.0;
        for (int64_t j = 0; j < n; j++) {
            Q.C[i * n + j] = urand() < 0.5 ? srand1() : 0.0;
            v += Q.C[i * n + j] * z0[j];
        }
        Q.d[i] = v + urand();
        if (i >= mi_general) { /* box rows */
            int64_t j = (i - mi_general) / 2;
            double sg = (i - mi_general) % 2 ? -1.0 : 1.0;
            for (int64_t c = 0; c < n; c++)
                Q.C[i * n + c] = c == j ? sg : 0.0;
            Q.d[i] = 5.0;
        }
    }
    free(M);
    free(z0);
    return Q;
}

static void test_random_dense_and_sparse(void) {
    for (int trial = 0; trial < 6; trial++) {
        qp Q = random_qp(12 + trial, trial % 3, 8 + trial, trial % 2 ? 3 : 0);
        double obj[2];
        for (int dense = 0; dense < 2; dense++) {
            dqp_problem *prob = make_problem(&Q, dense);
            dqp_settings s = tight_settings();
            result r = result_alloc(Q.n, Q.me, Q.mi);
            CHECK_INT(run(prob, &s, &r), DQP_OK);
            check_optimal(prob, &r, 1e-8);
            obj[dense] = r.out.objective;
            result_free(&r);
            dqp_problem_destroy(prob);
        }
        CHECK_REL(obj[0], obj[1], 1e-7);
        qp_free(&Q);
    }
}

static void expect_status(const qp *Q, dqp_qp_status want) {
    dqp_problem *prob = make_problem(Q, 0);
    dqp_settings s = tight_settings();
    s.eps_abs = s.eps_rel = 1e-8;
    result r = result_alloc(Q->n, Q->me, Q->mi);
    CHECK_INT(run(prob, &s, &r), DQP_OK);
    CHECK_INT(r.out.status, want);
    CHECK_INT(r.out.has_duals, 0);
    result_free(&r);
    dqp_problem_destroy(prob);
}

static void test_primal_infeasible(void) {
    /* x1 + x2 <= -1, x >= 0 (bounds as rows of C) */
    qp Q = qp_alloc(2, 0, 3);
    Q.P[0] = Q.P[3] = 1.0;
    Q.C[0] = Q.C[1] = 1.0;
    Q.d[0] = -1.0;
    Q.C[2] = -1.0;
    Q.C[5] = -1.0;
    expect_status(&Q, DQP_QP_PRIMAL_INFEASIBLE);
    qp_free(&Q);
    /* inconsistent equality rows: x1 + x2 = 1, 2 x1 + 2 x2 = 3, x1, x2 >= 0, x3 <= 5 (an LP) */
    qp E = qp_alloc(3, 2, 3);
    E.q[0] = 1.0;
    E.A[0] = E.A[1] = 1.0;
    E.A[3] = E.A[4] = 2.0;
    E.b[0] = 1.0;
    E.b[1] = 3.0;
    E.C[2] = 1.0;
    E.d[0] = 5.0;
    E.C[3] = -1.0;
    E.C[7] = -1.0;
    expect_status(&E, DQP_QP_PRIMAL_INFEASIBLE);
    qp_free(&E);
    /* random sparse problem with two contradicting general rows */
    for (int trial = 0; trial < 3; trial++) {
        qp R = random_qp(20, 2, 12, 0);
        for (int64_t j = 0; j < R.n; j++) {
            R.C[10 * R.n + j] = R.C[j];
            R.C[11 * R.n + j] = -R.C[j];
        }
        R.d[10] = 0.0;
        R.d[11] = -1.0; /* c'x <= 0 and c'x >= 1 */
        double norm = 0.0;
        for (int64_t j = 0; j < R.n; j++)
            norm += fabs(R.C[j]);
        if (norm > 0)
            expect_status(&R, DQP_QP_PRIMAL_INFEASIBLE);
        qp_free(&R);
    }
}

static void test_dual_infeasible(void) {
    /* LP: min -x1 s.t. x1 - x2 <= 1, x >= 0: unbounded along (1, 1) */
    qp Q = qp_alloc(2, 0, 3);
    Q.q[0] = -1.0;
    Q.C[0] = 1.0;
    Q.C[1] = -1.0;
    Q.d[0] = 1.0;
    Q.C[2] = -1.0;
    Q.C[5] = -1.0;
    expect_status(&Q, DQP_QP_DUAL_INFEASIBLE);
    qp_free(&Q);
    /* QP with P singular along (0, 0, 1): min x1^2 + x2^2 - x3, free variables */
    qp R = qp_alloc(3, 1, 0);
    R.P[0] = R.P[4] = 2.0;
    R.q[2] = -1.0;
    R.A[0] = 1.0;
    R.A[1] = 1.0;
    R.b[0] = 1.0;
    expect_status(&R, DQP_QP_DUAL_INFEASIBLE);
    qp_free(&R);
}

/* Dependent equality rows (consistent): duplicates and a combination. */
static void test_dependent_equalities(void) {
    qp Q = random_qp(10, 4, 6, 0);
    for (int64_t j = 0; j < Q.n; j++) {
        Q.A[2 * Q.n + j] = Q.A[0 * Q.n + j];                          /* duplicate */
        Q.A[3 * Q.n + j] = 2.0 * Q.A[0 * Q.n + j] - Q.A[1 * Q.n + j]; /* combination */
    }
    Q.b[2] = Q.b[0];
    Q.b[3] = 2.0 * Q.b[0] - Q.b[1];
    dqp_problem *prob = make_problem(&Q, 0);
    dqp_settings s = tight_settings();
    result r = result_alloc(Q.n, Q.me, Q.mi);
    CHECK_INT(run(prob, &s, &r), DQP_OK);
    check_optimal(prob, &r, 1e-8);
    result_free(&r);
    dqp_problem_destroy(prob);
    qp_free(&Q);
}

/* Free variables (no bounds, P singular on some of them but bounded through the
 * constraints), fixed variables both as an equality row and as two bound rows. */
static void test_free_and_fixed(void) {
    /* min (x1 - 1)^2 + x2 s.t. x2 - x3 = 0, x3 >= -2 (bound), x4 = 3 (row of A),
     * 2 <= x5 <= 2 (two bound rows), x1, x2, x3 free otherwise:
     * z* = (1, -2, -2, 3, 2) */
    qp Q = qp_alloc(5, 2, 3);
    Q.P[0] = 2.0;
    Q.q[0] = -2.0;
    Q.q[1] = 1.0;
    Q.A[1] = 1.0;
    Q.A[2] = -1.0;
    Q.A[5 + 3] = 1.0;
    Q.b[1] = 3.0;
    Q.C[2] = -1.0;
    Q.d[0] = 2.0;
    Q.C[5 + 4] = 1.0;
    Q.d[1] = 2.0;
    Q.C[10 + 4] = -1.0;
    Q.d[2] = -2.0;
    dqp_problem *prob = make_problem(&Q, 0);
    dqp_settings s = tight_settings();
    result r = result_alloc(Q.n, Q.me, Q.mi);
    CHECK_INT(run(prob, &s, &r), DQP_OK);
    check_optimal(prob, &r, 1e-8);
    double want[5] = {1, -2, -2, 3, 2};
    for (int j = 0; j < 5; j++)
        CHECK_NEAR(r.z[j], want[j], 1e-7);
    /* duals: stationarity of x2 gives lambda_1 = -1, of x3: lambda_1 (-1) - mu_1 = 0 */
    CHECK_NEAR(r.lam[0], -1.0, 1e-7);
    CHECK_NEAR(r.mu[0], 1.0, 1e-7);
    result_free(&r);
    dqp_problem_destroy(prob);
    qp_free(&Q);
}

/* Update with new values: no new symbolic analysis, correct new solution; warm start. */
static void test_update_and_warm_start(void) {
    qp Q = random_qp(15, 3, 10, 0);
    dqp_problem *prob = make_problem(&Q, 0);
    dqp_settings s = tight_settings();
    void *self = NULL;
    dqp_message msg = {{0}};
    CHECK_INT(dqp_backend_ipm.setup(&self, prob, &s, &msg), DQP_OK);
    dqp_ipm *w = self;
    CHECK_INT(w->n_analyze, 1);
    result r = result_alloc(Q.n, Q.me, Q.mi);
    CHECK_INT(dqp_backend_ipm.solve(self, &r.out, &msg), DQP_OK);
    check_optimal(prob, &r, 1e-8);
    int64_t iters_cold = r.out.iterations;
    /* new values, same pattern */
    for (int64_t k = 0; k < Q.n * Q.n; k++)
        if (Q.P[k] != 0.0)
            Q.P[k] *= 1.5;
    for (int64_t j = 0; j < Q.n; j++)
        Q.q[j] += 0.1 * srand1();
    for (int64_t k = 0; k < Q.mi * Q.n; k++)
        if (Q.C[k] != 0.0)
            Q.C[k] += 0.05 * srand1();
    for (int64_t i = 0; i < Q.mi; i++)
        Q.d[i] += 0.5;
    set_problem(prob, &Q, 0);
    CHECK_INT(dqp_backend_ipm.update(self, prob, &msg), DQP_OK);
    CHECK_INT(dqp_backend_ipm.solve(self, &r.out, &msg), DQP_OK);
    check_optimal(prob, &r, 1e-8);
    CHECK_INT(w->n_analyze, 1);
    /* the same solution from a fresh setup */
    result r2 = result_alloc(Q.n, Q.me, Q.mi);
    CHECK_INT(run(prob, &s, &r2), DQP_OK);
    CHECK_REL(r.out.objective, r2.out.objective, 1e-7);
    /* warm start from the solution: solved again, no new analysis */
    CHECK_INT(dqp_backend_ipm.warm_start(self, r.z, r.lam, r.mu, NULL), DQP_OK);
    CHECK_INT(dqp_backend_ipm.solve(self, &r.out, &msg), DQP_OK);
    check_optimal(prob, &r, 1e-8);
    CHECK_INT(w->n_analyze, 1);
    (void)iters_cold;
    /* a pattern change is refused (the engine then sets up anew) */
    Q.P[1] = Q.P[Q.n] = (Q.P[1] == 0.0) ? 0.5 : 0.0;
    set_problem(prob, &Q, 0);
    CHECK(dqp_backend_ipm.update(self, prob, &msg) != DQP_OK);
    dqp_backend_ipm.destroy(self);
    result_free(&r);
    result_free(&r2);
    dqp_problem_destroy(prob);
    qp_free(&Q);
}

/* The engine picks the ipm for sparse problems and re-solves after new values. */
static void test_engine(void) {
    qp Q = random_qp(10, 2, 6, 0);
    dqp_problem *prob = make_problem(&Q, 0);
    dqp_settings s = tight_settings();
    dqp_solver *h = NULL;
    CHECK_INT(dqp_solver_create(&h, &s, NULL), DQP_OK);
    CHECK_INT(dqp_solver_solve(h, prob), DQP_OK);
    const dqp_info *info = dqp_solver_info(h);
    CHECK_INT(info->qp_status, DQP_QP_SOLVED);
    CHECK(info->qp_solver && strcmp(info->qp_solver, "ipm") == 0);
    double obj1 = info->objective;
    for (int64_t i = 0; i < Q.mi; i++)
        Q.d[i] -= 0.2;
    set_problem(prob, &Q, 0);
    CHECK_INT(dqp_solver_solve(h, prob), DQP_OK);
    CHECK_INT(dqp_solver_info(h)->qp_status, DQP_QP_SOLVED);
    CHECK(dqp_solver_info(h)->objective >= obj1 - 1e-9); /* tighter constraints */
    dqp_solver_destroy(h);
    dqp_problem_destroy(prob);
    qp_free(&Q);
}

static void test_limits_and_keywords(void) {
    qp Q = random_qp(12, 2, 8, 0);
    dqp_problem *prob = make_problem(&Q, 0);
    dqp_settings s = tight_settings();
    s.max_iter = 2;
    result r = result_alloc(Q.n, Q.me, Q.mi);
    CHECK_INT(run(prob, &s, &r), DQP_OK);
    CHECK(r.out.status == DQP_QP_MAX_ITER || r.out.status == DQP_QP_SOLVED_INACCURATE);
    CHECK(r.out.iterations <= 2);
    /* keywords */
    dqp_settings k = tight_settings();
    dqp_fmt(k.qp_solver_keywords, sizeof k.qp_solver_keywords, "bogus=1");
    void *self = NULL;
    dqp_message msg = {{0}};
    CHECK_INT(dqp_backend_ipm.setup(&self, prob, &k, &msg), DQP_ERR_VALUE);
    CHECK_STR_CONTAINS(msg.text, "bogus");
    CHECK_STR_CONTAINS(msg.text, "ruiz_iter");
    CHECK(self == NULL);
    dqp_fmt(k.qp_solver_keywords, sizeof k.qp_solver_keywords, "tau=2");
    CHECK_INT(dqp_backend_ipm.setup(&self, prob, &k, &msg), DQP_ERR_VALUE);
    dqp_fmt(k.qp_solver_keywords, sizeof k.qp_solver_keywords,
            "ruiz_iter=0 tau=0.95 kkt_solver=cholmod max_refine=8");
    CHECK_INT(run(prob, &k, &r), DQP_OK);
    check_optimal(prob, &r, 1e-8);
    result_free(&r);
    dqp_problem_destroy(prob);
    qp_free(&Q);
}

/* HS268 (Maros-Meszaros; optimum 0 with the constant 14463 at z* = (1, 2,
 * -1, 3, -4), row 5 active with a zero multiplier). P has entries ~1e4 and
 * a small eigenvalue, so the interior-point point meets eps = 1e-8 relative
 * to the data while z is off by ~1e-2 along the flat direction; the polish
 * (the equality QP on the active set) gives z* to ~1e-8 and the optimal
 * value to ~1e-11. */
static void set_hs268(qp *Q) {
    static const double P[25] = {20394, -24908, -2026, 3896,  658,  -24908, 41818, -3466, -9828,
                                 -372,  -2026,  -3466, 3510, 2178,  -348,   3896,  -9828, 2178,
                                 3030,  -44,    658,   -372, -348, -44,    54};
    static const double q[5] = {18340, -34198, 4542, 8672, 86};
    /* rows "G": row' z >= rhs, as -row' z <= -rhs */
    static const double C[25] = {1,  1,  1,  1,  1,  -10, -10, 3,  -5, -4, 8,  -1, 2,
                                 5,  -3, -8, 1,  -2, -5,  3,   4,  2,  -3, 5,  -1};
    static const double d[5] = {5, -20, 40, -11, 30};
    *Q = (qp){0};
    Q->n = 5;
    Q->mi = 5;
    Q->P = malloc(sizeof P);
    Q->q = malloc(sizeof q);
    Q->C = malloc(sizeof C);
    Q->d = malloc(sizeof d);
    memcpy(Q->P, P, sizeof P);
    memcpy(Q->q, q, sizeof q);
    memcpy(Q->C, C, sizeof C);
    memcpy(Q->d, d, sizeof d);
}

static double hs268_error(const double *z) {
    static const double zs[5] = {1, 2, -1, 3, -4};
    double e = 0.0;
    for (int j = 0; j < 5; j++)
        e = fmax(e, fabs(z[j] - zs[j]));
    return e;
}

static void test_polish(void) {
    qp Q;
    set_hs268(&Q);
    dqp_problem *prob = make_problem(&Q, 0);
    dqp_settings s;
    dqp_settings_default(&s);
    s.eps_abs = s.eps_rel = 1e-8;
    result r = result_alloc(Q.n, 0, Q.mi), r0 = result_alloc(Q.n, 0, Q.mi);
    CHECK_INT(run(prob, &s, &r), DQP_OK);
    CHECK_INT(r.out.status, DQP_QP_SOLVED);
    CHECK(hs268_error(r.z) <= 1e-6); /* measured 3e-8: P's condition number */
    CHECK_NEAR(r.out.objective + 14463.0, 0.0, 1e-6);
    for (int i = 0; i < 5; i++)
        CHECK_NEAR(r.mu[i], 0.0, 1e-9);
    /* without the polish: the same tolerances, a worse point */
    dqp_fmt(s.qp_solver_keywords, sizeof s.qp_solver_keywords, "polish=0");
    CHECK_INT(run(prob, &s, &r0), DQP_OK);
    CHECK_INT(r0.out.status, DQP_QP_SOLVED);
    CHECK(hs268_error(r0.z) > 1e3 * hs268_error(r.z)); /* measured 8e-3 */
    dqp_fmt(s.qp_solver_keywords, sizeof s.qp_solver_keywords, "polish=2");
    void *self = NULL;
    dqp_message msg = {{0}};
    CHECK_INT(dqp_backend_ipm.setup(&self, prob, &s, &msg), DQP_ERR_VALUE);
    CHECK_STR_CONTAINS(msg.text, "polish");
    /* the accepted polish's factorization is kept for the engine, and
     * dropped by an update (its K is stale) */
    s.qp_solver_keywords[0] = '\0';
    CHECK_INT(dqp_backend_ipm.setup(&self, prob, &s, &msg), DQP_OK);
    CHECK_INT(dqp_backend_ipm.solve(self, &r.out, &msg), DQP_OK);
    dqp_ipm *w = self;
    CHECK(w->pol_kkt != NULL);
    CHECK_INT(dqp_backend_ipm.update(self, prob, &msg), DQP_OK);
    CHECK(w->pol_kkt == NULL);
    dqp_kkt_apply_fn fn = NULL;
    void *user = NULL;
    CHECK_INT(dqp_ipm_kkt_reuse(self, NULL, 0, NULL, &fn, &user), DQP_ERR_NOT_READY);
    dqp_backend_ipm.destroy(self);
    result_free(&r);
    result_free(&r0);
    dqp_problem_destroy(prob);
    qp_free(&Q);
}

/* The kkt_order hook: for K_J = [z; eq rows; rows of J] the order is a
 * permutation with J's bound rows first and everything else in the order
 * the Newton system eliminates it; bad input is refused. */
static void test_kkt_order(void) {
    qp Q = {0};
    Q.n = 4;
    Q.me = 1;
    Q.mi = 4;
    Q.P = calloc(16, sizeof(double));
    Q.q = malloc(4 * sizeof(double));
    Q.A = calloc(4, sizeof(double));
    Q.b = malloc(sizeof(double));
    Q.C = calloc(16, sizeof(double));
    Q.d = malloc(4 * sizeof(double));
    for (int j = 0; j < 4; j++) {
        Q.P[j * 4 + j] = 1.0 + j;
        Q.q[j] = -3.0;
        Q.A[j] = 1.0; /* sum z = 2 */
    }
    Q.b[0] = 2.0;
    Q.C[0 * 4 + 0] = 1.0; /* z0 <= 0.5: a bound */
    Q.d[0] = 0.5;
    Q.C[1 * 4 + 1] = 1.0; /* z1 + z2 <= 1 */
    Q.C[1 * 4 + 2] = 1.0;
    Q.d[1] = 1.0;
    Q.C[2 * 4 + 3] = -1.0; /* -z3 <= 4: a bound */
    Q.d[2] = 4.0;
    Q.C[3 * 4 + 2] = 1.0; /* z2 - z3 <= 1 */
    Q.C[3 * 4 + 3] = -1.0;
    Q.d[3] = 1.0;
    dqp_problem *prob = make_problem(&Q, 0);
    dqp_settings s = tight_settings();
    void *self = NULL;
    dqp_message msg = {{0}};
    dqp_qp_output out = {0};
    double z[4], lam[1], mu[4];
    out.z = z;
    out.lam = lam;
    out.mu = mu;
    CHECK_INT(dqp_backend_ipm.setup(&self, prob, &s, &msg), DQP_OK);
    CHECK_INT(dqp_backend_ipm.solve(self, &out, &msg), DQP_OK);
    dqp_ipm *w = self;
    CHECK_INT(w->nb, 2);
    const int64_t *P = dqp_kkt_order(w->kkt);
    CHECK(P != NULL); /* ldl, the backend "auto" picks for this size */
    int64_t J[4] = {0, 1, 2, 3}, order[9], pinv[7];
    CHECK_INT(dqp_backend_ipm.kkt_order(self, J, 4, order), DQP_OK);
    for (int64_t k = 0; P && k < 7; k++)
        pinv[P[k]] = k;
    int seen[9] = {0};
    for (int k = 0; k < 9; k++)
        if (order[k] >= 0 && order[k] < 9)
            seen[order[k]]++;
    for (int k = 0; k < 9; k++)
        CHECK_INT(seen[k], 1);
    /* rows of J are K_J's rows 5..8: bounds (C rows 0, 2) first */
    CHECK(order[0] == 5 || order[0] == 7);
    CHECK(order[1] == 5 || order[1] == 7);
    /* the rest: z (0..3), the equality row (4), C rows 1, 3 (Newton rows
     * 5, 6: R = [A; general rows of C]) in the Newton order */
    int64_t newton[9] = {0, 1, 2, 3, 4, -1, 5, -1, 6};
    for (int k = 3; P && k < 9; k++)
        CHECK(pinv[newton[order[k - 1]]] < pinv[newton[order[k]]]);
    /* a subset of J */
    int64_t J2[2] = {1, 2}, order2[7];
    CHECK_INT(dqp_backend_ipm.kkt_order(self, J2, 2, order2), DQP_OK);
    CHECK_INT(order2[0], 6); /* the bound row (C row 2) */
    int64_t bad[1] = {7};
    CHECK_INT(dqp_backend_ipm.kkt_order(self, bad, 1, order2), DQP_ERR_VALUE);
    CHECK_INT(dqp_backend_ipm.kkt_order(self, J, 4, NULL), DQP_ERR_NULL);
    dqp_backend_ipm.destroy(self);
    dqp_problem_destroy(prob);
    qp_free(&Q);
}

/* Dependent active rows (z0 + z1 <= 1 twice, min 1/2 |z|^2 - 2 sum z): the
 * equality QP is singular, the polish declines and the point is exactly the
 * one without polish. */
static void test_polish_declines_singular(void) {
    qp Q = {0};
    Q.n = 3;
    Q.mi = 2;
    Q.P = calloc(9, sizeof(double));
    Q.q = malloc(3 * sizeof(double));
    Q.C = calloc(6, sizeof(double));
    Q.d = malloc(2 * sizeof(double));
    for (int j = 0; j < 3; j++) {
        Q.P[j * 3 + j] = 1.0;
        Q.q[j] = -2.0;
    }
    Q.C[0] = Q.C[1] = Q.C[3] = Q.C[4] = 1.0;
    Q.d[0] = Q.d[1] = 1.0;
    dqp_problem *prob = make_problem(&Q, 0);
    dqp_settings s = tight_settings();
    result r = result_alloc(3, 0, 2), r0 = result_alloc(3, 0, 2);
    CHECK_INT(run(prob, &s, &r), DQP_OK);
    CHECK_INT(r.out.status, DQP_QP_SOLVED);
    CHECK_NEAR(r.z[0], 0.5, 1e-7);
    CHECK_NEAR(r.z[2], 2.0, 1e-7);
    dqp_fmt(s.qp_solver_keywords, sizeof s.qp_solver_keywords, "polish=0");
    CHECK_INT(run(prob, &s, &r0), DQP_OK);
    CHECK(memcmp(r.z, r0.z, 3 * sizeof(double)) == 0);
    CHECK(memcmp(r.mu, r0.mu, 2 * sizeof(double)) == 0);
    result_free(&r);
    result_free(&r0);
    dqp_problem_destroy(prob);
    qp_free(&Q);
}

int main(void) {
    RUN(test_maros_meszaros);
    RUN(test_random_dense_and_sparse);
    RUN(test_primal_infeasible);
    RUN(test_dual_infeasible);
    RUN(test_dependent_equalities);
    RUN(test_free_and_fixed);
    RUN(test_update_and_warm_start);
    RUN(test_engine);
    RUN(test_limits_and_keywords);
    RUN(test_polish);
    RUN(test_polish_declines_singular);
    RUN(test_kkt_order);
    return runner_finish();
}
