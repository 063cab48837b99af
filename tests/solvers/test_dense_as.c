/* test_dense_as.c - the dense active-set solver: exact values, KKT certificates, statuses. */
#include "core/internal.h"
#include "runner.h"

#define QP_FIXTURE_SEED 88172645463325252ULL
#include "solvers/qp_fixture.h"
#include "solvers/dense_as.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ helpers */

/* Build a dqp_problem: sparse = 0 dense arrays, 1 CSC with P upper, 2 CSC with P full. */
static dqp_problem *make_problem(const qp *Q, int sparse, int with_P) {
    dqp_problem *prob = dqp_problem_create();
    dqp_problem_data data = {0};
    dqp_dense Pd = {Q->n, Q->n, Q->n, Q->P}, Ad = {Q->me, Q->n, Q->n, Q->A},
              Cd = {Q->mi, Q->n, Q->n, Q->C};
    dqp_csc *Ps = NULL, *As = NULL, *Cs = NULL;
    data.n = Q->n;
    data.q = Q->q;
    if (sparse) {
        if (with_P) {
            Ps = to_csc(Q->P, Q->n, Q->n, sparse == 1);
            data.P = Ps;
            data.P_storage = sparse == 1 ? DQP_P_UPPER : DQP_P_FULL;
        }
        if (Q->me) {
            As = to_csc(Q->A, Q->me, Q->n, 0);
            data.A = As;
        }
        if (Q->mi) {
            Cs = to_csc(Q->C, Q->mi, Q->n, 0);
            data.C = Cs;
        }
    } else {
        if (with_P)
            data.P_dense = &Pd;
        if (Q->me)
            data.A_dense = &Ad;
        if (Q->mi)
            data.C_dense = &Cd;
    }
    if (Q->me) {
        data.b = Q->b;
        data.m_eq = Q->me;
    }
    if (Q->mi) {
        data.d = Q->d;
        data.m_ineq = Q->mi;
    }
    dqp_status st = dqp_problem_set(prob, &data);
    CHECK_INT(st, DQP_OK);
    if (st != DQP_OK)
        fprintf(stderr, "  %s\n", dqp_problem_last_error(prob));
    dqp_csc_free(Ps);
    dqp_csc_free(As);
    dqp_csc_free(Cs);
    return prob;
}

typedef struct result {
    double *z, *lam, *mu;
    dqp_qp_output out;
} result;

static result result_alloc(const qp *Q) {
    result r;
    r.z = calloc((size_t)Q->n + 1, sizeof(double));
    r.lam = calloc((size_t)Q->me + 1, sizeof(double));
    r.mu = calloc((size_t)Q->mi + 1, sizeof(double));
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

static dqp_settings tight_settings(void) {
    dqp_settings s;
    dqp_settings_default(&s);
    s.eps_abs = 1e-11;
    s.eps_rel = 1e-11;
    return s;
}

/* Setup + solve in one go; returns the status of the solve call. */
static dqp_status run(const dqp_problem *prob, const dqp_settings *s, result *r) {
    const dqp_qp_backend *B = &dqp_backend_dense_as;
    void *self = NULL;
    dqp_message msg = {{0}};
    dqp_status st = B->setup(&self, prob, s, &msg);
    CHECK_INT(st, DQP_OK);
    if (st != DQP_OK)
        return st;
    st = B->solve(self, &r->out, &msg);
    B->destroy(self);
    return st;
}

/* KKT certificate recomputed from the output; returns the worst relative residual. */
typedef struct kkt {
    double stat, prim_eq, prim_in, compl ;
    double mu_min;
    int mu_off_active_nonzero;
} kkt;

static kkt kkt_check(const qp *Q, const result *r) {
    int64_t n = Q->n;
    kkt K = {0, 0, 0, 0, 0, 0};
    double *g = calloc((size_t)n + 1, sizeof(double));
    double scale = 1.0, t;
    for (int64_t i = 0; i < n; i++) {
        double pz = 0, at = 0, ct = 0;
        for (int64_t j = 0; j < n; j++)
            pz += Q->P[i * n + j] * r->z[j];
        for (int64_t c = 0; c < Q->me; c++)
            at += Q->A[c * n + i] * r->lam[c];
        for (int64_t c = 0; c < Q->mi; c++)
            ct += Q->C[c * n + i] * r->mu[c];
        g[i] = pz + Q->q[i] + at + ct;
        scale = fmax(scale, fmax(fmax(fabs(pz), fabs(Q->q[i])), fmax(fabs(at), fabs(ct))));
    }
    for (int64_t i = 0; i < n; i++)
        K.stat = fmax(K.stat, fabs(g[i]) / scale);
    for (int64_t c = 0; c < Q->me; c++) {
        double az = 0, sc = fmax(1.0, fabs(Q->b[c]));
        for (int64_t j = 0; j < n; j++) {
            az += Q->A[c * n + j] * r->z[j];
            sc = fmax(sc, fabs(Q->A[c * n + j] * r->z[j]));
        }
        K.prim_eq = fmax(K.prim_eq, fabs(az - Q->b[c]) / sc);
    }
    for (int64_t c = 0; c < Q->mi; c++) {
        double cz = 0, sc = fmax(1.0, fabs(Q->d[c]));
        for (int64_t j = 0; j < n; j++) {
            cz += Q->C[c * n + j] * r->z[j];
            sc = fmax(sc, fabs(Q->C[c * n + j] * r->z[j]));
        }
        t = cz - Q->d[c];
        K.prim_in = fmax(K.prim_in, fmax(t, 0.0) / sc);
        K.compl = fmax(K.compl, r->mu[c] * fabs(t) / (sc * fmax(1.0, r->mu[c])));
        K.mu_min = fmin(K.mu_min, r->mu[c]);
    }
    free(g);
    return K;
}

#define CHECK_KKT(Q, r, tol)                                                                       \
    do {                                                                                           \
        kkt K_ = kkt_check(Q, r);                                                                  \
        CHECK_NEAR(K_.stat, 0.0, tol);                                                             \
        CHECK_NEAR(K_.prim_eq, 0.0, tol);                                                          \
        CHECK_NEAR(K_.prim_in, 0.0, tol);                                                          \
        CHECK_NEAR(K_.compl, 0.0, tol);                                                            \
        CHECK(K_.mu_min >= 0.0);                                                                   \
    } while (0)

static double objective(const qp *Q, const double *z) {
    double f = 0;
    for (int64_t i = 0; i < Q->n; i++) {
        double pz = 0;
        for (int64_t j = 0; j < Q->n; j++)
            pz += Q->P[i * Q->n + j] * z[j];
        f += z[i] * (0.5 * pz + Q->q[i]);
    }
    return f;
}

/* Random strictly convex problem, feasible by construction (z0 satisfies all
 * rows, slack 0 on about a third of the inequality rows). */
static qp random_qp(int64_t n, int64_t me, int64_t mi, double pd_shift) {
    qp Q = qp_alloc(n, me, mi);
    int64_t k = n; /* M is k x n */
    double *M = calloc((size_t)(k * n), sizeof(double)), *z0 = calloc((size_t)n, sizeof(double));
    for (int64_t i = 0; i < k * n; i++)
        M[i] = srand1();
    for (int64_t i = 0; i < n; i++)
        for (int64_t j = 0; j < n; j++) {
            double s = 0;
            for (int64_t l = 0; l < k; l++)
                s += M[l * n + i] * M[l * n + j];
            Q.P[i * n + j] = s / (double)n;
        }
    for (int64_t i = 0; i < n; i++) {
        Q.P[i * n + i] += pd_shift;
        Q.q[i] = 3.0 * srand1();
        z0[i] = srand1();
    }
    for (int64_t c = 0; c < me; c++) {
        Q.b[c] = 0;
        for (int64_t j = 0; j < n; j++) {
            Q.A[c * n + j] = srand1();
            Q.b[c] += Q.A[c * n + j] * z0[j];
        }
    }
    for (int64_t c = 0; c < mi; c++) {
        Q.d[c] = urand() < 0.3 ? 0.0 : urand();
        for (int64_t j = 0; j < n; j++) {
            Q.C[c * n + j] = srand1();
            Q.d[c] += Q.C[c * n + j] * z0[j];
        }
    }
    free(M);
    free(z0);
    return Q;
}

/* ------------------------------------------------------------ brute force (n <= 4, m_I <= 6) */

/* Solve the square system K x = rhs (size s <= 16) by Gaussian elimination
 * with partial pivoting; 0 if (numerically) singular. */
static int gauss(double *K, double *rhs, int s) {
    for (int c = 0; c < s; c++) {
        int p = c;
        for (int i = c + 1; i < s; i++)
            if (fabs(K[i * s + c]) > fabs(K[p * s + c]))
                p = i;
        if (fabs(K[p * s + c]) < 1e-12)
            return 0;
        for (int j = 0; j < s; j++) {
            double t = K[c * s + j];
            K[c * s + j] = K[p * s + j];
            K[p * s + j] = t;
        }
        double t = rhs[c];
        rhs[c] = rhs[p];
        rhs[p] = t;
        for (int i = c + 1; i < s; i++) {
            double f = K[i * s + c] / K[c * s + c];
            for (int j = c; j < s; j++)
                K[i * s + j] -= f * K[c * s + j];
            rhs[i] -= f * rhs[c];
        }
    }
    for (int c = s - 1; c >= 0; c--) {
        for (int j = c + 1; j < s; j++)
            rhs[c] -= K[c * s + j] * rhs[j];
        rhs[c] /= K[c * s + c];
    }
    return 1;
}

/* Enumerate all subsets W of inequality rows, solve the equality-constrained
 * KKT system, keep the KKT points (feasible, mu_W >= 0); return the best
 * objective and its z (the unique minimizer of a strictly convex QP). */
static double brute_force(const qp *Q, double *zbest) {
    int n = (int)Q->n, me = (int)Q->me, mi = (int)Q->mi;
    double best = INFINITY;
    for (unsigned W = 0; W < (1u << mi); W++) {
        int rows[16], nr = 0;
        for (int c = 0; c < me; c++)
            rows[nr++] = c;
        for (int c = 0; c < mi; c++)
            if (W & (1u << c))
                rows[nr++] = me + c;
        int s = n + nr;
        double K[16 * 16] = {0}, x[16] = {0};
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++)
                K[i * s + j] = Q->P[i * n + j];
            x[i] = -Q->q[i];
        }
        for (int k = 0; k < nr; k++) {
            const double *row = rows[k] < me ? Q->A + rows[k] * n : Q->C + (rows[k] - me) * n;
            for (int j = 0; j < n; j++)
                K[(n + k) * s + j] = K[j * s + n + k] = row[j];
            x[n + k] = rows[k] < me ? Q->b[rows[k]] : Q->d[rows[k] - me];
        }
        if (!gauss(K, x, s))
            continue;
        int ok = 1;
        for (int k = 0; k < nr; k++)
            if (rows[k] >= me && x[n + k] < -1e-10)
                ok = 0;
        for (int c = 0; c < mi && ok; c++) {
            double cz = 0;
            for (int j = 0; j < n; j++)
                cz += Q->C[c * n + j] * x[j];
            if (cz > Q->d[c] + 1e-10)
                ok = 0;
        }
        if (!ok)
            continue;
        double f = objective(Q, x);
        if (f < best) {
            best = f;
            memcpy(zbest, x, (size_t)n * sizeof(double));
        }
    }
    return best;
}

/* ------------------------------------------------------------ tests */

static void test_seed_toy(void) {
    qp Q = qp_alloc(2, 0, 3);
    Q.P[0] = Q.P[3] = 2.0;
    double C[] = {-1, -1, -1, 0, 0, -1}, d[] = {-1, 0, 0};
    memcpy(Q.C, C, sizeof C);
    memcpy(Q.d, d, sizeof d);
    for (int sparse = 0; sparse < 3; sparse++) {
        dqp_problem *prob = make_problem(&Q, sparse, 1);
        dqp_settings s;
        dqp_settings_default(&s);
        result r = result_alloc(&Q);
        CHECK_INT(run(prob, &s, &r), DQP_OK);
        CHECK_INT(r.out.status, DQP_QP_SOLVED);
        CHECK_INT(r.out.has_duals, 1);
        CHECK_NEAR(r.z[0], 0.5, 1e-12);
        CHECK_NEAR(r.z[1], 0.5, 1e-12);
        CHECK_NEAR(r.mu[0], 1.0, 1e-12);
        CHECK(r.mu[1] == 0.0); /* exactly 0 on inactive rows */
        CHECK(r.mu[2] == 0.0);
        CHECK_NEAR(r.out.objective, 0.5, 1e-12);
        CHECK(r.out.iterations >= 1);
        result_free(&r);
        dqp_problem_destroy(prob);
    }
    qp_free(&Q);
}

static void test_random_strictly_convex(void) {
    static const int64_t sizes[] = {5, 12, 40, 100, 200};
    dqp_settings s = tight_settings();
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++)
        for (int with_eq = 0; with_eq < 2; with_eq++)
            for (int sparse = 0; sparse < 3; sparse++) {
                int64_t n = sizes[k], me = with_eq ? n / 4 + 1 : 0, mi = 2 * n;
                qp Q = random_qp(n, me, mi, 0.1);
                dqp_problem *prob = make_problem(&Q, sparse, 1);
                result r = result_alloc(&Q);
                CHECK_INT(run(prob, &s, &r), DQP_OK);
                CHECK_INT(r.out.status, DQP_QP_SOLVED);
                CHECK_KKT(&Q, &r, 1e-9);
                CHECK_REL(r.out.objective, objective(&Q, r.z), 1e-12);
                int64_t nact = 0;
                for (int64_t c = 0; c < mi; c++)
                    nact += r.mu[c] > 0;
                CHECK(nact > 0); /* the test is not trivial */
                result_free(&r);
                dqp_problem_destroy(prob);
                qp_free(&Q);
            }
}

static void test_brute_force_tiny(void) {
    dqp_settings s = tight_settings();
    for (int trial = 0; trial < 200; trial++) {
        int64_t n = 1 + trial % 4, me = (trial / 4) % 2 && n > 1 ? 1 : 0, mi = 1 + trial % 6;
        qp Q = random_qp(n, me, mi, 0.2);
        /* push the unconstrained minimizer out of the feasible set */
        for (int64_t i = 0; i < n; i++)
            Q.q[i] *= 3.0;
        dqp_problem *prob = make_problem(&Q, trial % 3, 1);
        result r = result_alloc(&Q);
        CHECK_INT(run(prob, &s, &r), DQP_OK);
        CHECK_INT(r.out.status, DQP_QP_SOLVED);
        double zb[4] = {0};
        double fb = brute_force(&Q, zb);
        CHECK_REL(r.out.objective, fb, 1e-10);
        for (int64_t i = 0; i < n; i++)
            CHECK_NEAR(r.z[i], zb[i], 1e-8);
        CHECK_KKT(&Q, &r, 1e-9);
        result_free(&r);
        dqp_problem_destroy(prob);
        qp_free(&Q);
    }
}

/* min -z1 - z2 s.t. z1 + 2 z2 <= 4, 3 z1 + z2 <= 6, z >= 0: the vertex
 * z* = (8/5, 6/5) with mu* = (2/5, 1/5, 0, 0). P = 0 (absent). */
static void test_lp_unique(void) {
    qp Q = qp_alloc(2, 0, 4);
    double C[] = {1, 2, 3, 1, -1, 0, 0, -1}, d[] = {4, 6, 0, 0};
    memcpy(Q.C, C, sizeof C);
    memcpy(Q.d, d, sizeof d);
    Q.q[0] = Q.q[1] = -1.0;
    for (int sparse = 0; sparse < 2; sparse++)
        for (int with_P = 0; with_P < 2; with_P++) { /* absent P, or an explicit zero P */
            dqp_problem *prob = make_problem(&Q, sparse, with_P);
            dqp_settings s = tight_settings();
            result r = result_alloc(&Q);
            CHECK_INT(run(prob, &s, &r), DQP_OK);
            CHECK_INT(r.out.status, DQP_QP_SOLVED);
            CHECK_NEAR(r.z[0], 1.6, 1e-10);
            CHECK_NEAR(r.z[1], 1.2, 1e-10);
            CHECK_NEAR(r.mu[0], 0.4, 1e-10);
            CHECK_NEAR(r.mu[1], 0.2, 1e-10);
            CHECK(r.mu[2] == 0.0 && r.mu[3] == 0.0);
            CHECK_NEAR(r.out.objective, -2.8, 1e-10);
            CHECK_KKT(&Q, &r, 1e-10);
            result_free(&r);
            dqp_problem_destroy(prob);
        }
    qp_free(&Q);
}

/* Semidefinite P = M'M / n with rank n/2, box -1 <= z <= 1, random rows, some
 * equalities: KKT residuals small. Also a random bounded LP. */
static void test_psd_random(void) {
    dqp_settings s = tight_settings();
    for (int trial = 0; trial < 12; trial++) {
        int64_t n = 6 + 7 * trial, me = trial % 2 ? n / 5 : 0, mi = n + 2 * n;
        int lp = trial % 3 == 2;
        qp Q = qp_alloc(n, me, mi);
        qp R = random_qp(n, me, n, 0.0); /* rows and a feasible point */
        memcpy(Q.A, R.A, (size_t)(me * n) * sizeof(double));
        memcpy(Q.b, R.b, (size_t)me * sizeof(double));
        memcpy(Q.C, R.C, (size_t)(n * n) * sizeof(double));
        memcpy(Q.d, R.d, (size_t)n * sizeof(double));
        memcpy(Q.q, R.q, (size_t)n * sizeof(double));
        for (int64_t i = 0; i < n; i++) { /* box rows, loose enough for z0 in [-1, 1] */
            Q.C[(n + 2 * i) * n + i] = 1.0;
            Q.d[n + 2 * i] = 2.0;
            Q.C[(n + 2 * i + 1) * n + i] = -1.0;
            Q.d[n + 2 * i + 1] = 2.0;
        }
        if (!lp) {
            int64_t k = n / 2;
            double *M = calloc((size_t)(k * n), sizeof(double));
            for (int64_t i = 0; i < k * n; i++)
                M[i] = srand1();
            for (int64_t i = 0; i < n; i++)
                for (int64_t j = 0; j < n; j++) {
                    double acc = 0;
                    for (int64_t l = 0; l < k; l++)
                        acc += M[l * n + i] * M[l * n + j];
                    Q.P[i * n + j] = acc / (double)n;
                }
            free(M);
        }
        dqp_problem *prob = make_problem(&Q, trial % 3, !lp);
        result r = result_alloc(&Q);
        CHECK_INT(run(prob, &s, &r), DQP_OK);
        CHECK_INT(r.out.status, DQP_QP_SOLVED);
        CHECK_KKT(&Q, &r, 1e-9);
        result_free(&r);
        dqp_problem_destroy(prob);
        qp_free(&R);
        qp_free(&Q);
    }
}

static void expect_status(const qp *Q, int with_P, dqp_qp_status want) {
    for (int sparse = 0; sparse < 2; sparse++) {
        dqp_problem *prob = make_problem(Q, sparse, with_P);
        dqp_settings s;
        dqp_settings_default(&s);
        result r = result_alloc(Q);
        CHECK_INT(run(prob, &s, &r), DQP_OK);
        CHECK_INT(r.out.status, want);
        CHECK_INT(r.out.has_duals, 0);
        result_free(&r);
        dqp_problem_destroy(prob);
    }
}

static void test_primal_infeasible(void) {
    /* z <= -1 and -z <= -1 */
    qp Q = qp_alloc(1, 0, 2);
    Q.P[0] = 1.0;
    Q.C[0] = 1.0;
    Q.C[1] = -1.0;
    Q.d[0] = Q.d[1] = -1.0;
    expect_status(&Q, 1, DQP_QP_PRIMAL_INFEASIBLE);
    expect_status(&Q, 0, DQP_QP_PRIMAL_INFEASIBLE); /* LP: through the proximal loop */
    qp_free(&Q);
    /* inconsistent equalities z1 + z2 = 1, 2 z1 + 2 z2 = 3 */
    qp E = qp_alloc(2, 2, 0);
    E.P[0] = E.P[3] = 1.0;
    double A[] = {1, 1, 2, 2}, b[] = {1, 3};
    memcpy(E.A, A, sizeof A);
    memcpy(E.b, b, sizeof b);
    expect_status(&E, 1, DQP_QP_PRIMAL_INFEASIBLE);
    expect_status(&E, 0, DQP_QP_PRIMAL_INFEASIBLE);
    qp_free(&E);
    /* an infeasible system of three inequalities in 2-D: z1 >= 1, z2 >= 1, z1 + z2 <= 1 */
    qp T = qp_alloc(2, 0, 3);
    T.P[0] = T.P[3] = 1.0;
    double C[] = {-1, 0, 0, -1, 1, 1}, d[] = {-1, -1, 1};
    memcpy(T.C, C, sizeof C);
    memcpy(T.d, d, sizeof d);
    expect_status(&T, 1, DQP_QP_PRIMAL_INFEASIBLE);
    qp_free(&T);
}

static void test_unbounded(void) {
    /* P = 0, q = -1, z >= 0 */
    qp Q = qp_alloc(2, 0, 2);
    Q.q[0] = Q.q[1] = -1.0;
    Q.C[0] = Q.C[3] = -1.0;
    expect_status(&Q, 0, DQP_QP_DUAL_INFEASIBLE);
    expect_status(&Q, 1, DQP_QP_DUAL_INFEASIBLE); /* explicit zero P */
    qp_free(&Q);
    /* P = diag(1, 0), q = (0, -1), z2 >= 0: unbounded along z2 */
    qp S = qp_alloc(2, 0, 1);
    S.P[0] = 1.0;
    S.q[1] = -1.0;
    S.C[1] = -1.0;
    expect_status(&S, 1, DQP_QP_DUAL_INFEASIBLE);
    qp_free(&S);
    /* same with z2 <= 5: bounded, z = (0, 5), mu = 1 */
    qp B = qp_alloc(2, 0, 1);
    B.P[0] = 1.0;
    B.q[1] = -1.0;
    B.C[1] = 1.0;
    B.d[0] = 5.0;
    dqp_problem *prob = make_problem(&B, 0, 1);
    dqp_settings s = tight_settings();
    result r = result_alloc(&B);
    CHECK_INT(run(prob, &s, &r), DQP_OK);
    CHECK_INT(r.out.status, DQP_QP_SOLVED);
    CHECK_NEAR(r.z[0], 0.0, 1e-10);
    CHECK_NEAR(r.z[1], 5.0, 1e-10);
    CHECK_NEAR(r.mu[0], 1.0, 1e-10);
    result_free(&r);
    dqp_problem_destroy(prob);
    qp_free(&B);
}

static void test_not_convex(void) {
    qp Q = qp_alloc(2, 0, 0);
    Q.P[0] = 1.0;
    Q.P[3] = -1.0;
    expect_status(&Q, 1, DQP_QP_NOT_CONVEX);
    qp_free(&Q);
}

/* Duplicated (and scaled) consistent equality rows: solved; the first row
 * carries the multiplier, the dependent copies get 0. */
static void test_dependent_equalities(void) {
    dqp_settings s = tight_settings();
    for (int psd = 0; psd < 2; psd++) {
        int64_t n = 8, mi = 12;
        qp R = random_qp(n, 2, mi, psd ? 0.0 : 0.5);
        qp Q = qp_alloc(n, 4, mi);
        memcpy(Q.P, R.P, sizeof(double) * (size_t)(n * n));
        if (psd) /* rank-deficient P: zero the last two rows/columns */
            for (int64_t i = 0; i < n; i++)
                for (int64_t j = n - 2; j < n; j++)
                    Q.P[i * n + j] = Q.P[j * n + i] = 0.0;
        memcpy(Q.q, R.q, sizeof(double) * (size_t)n);
        memcpy(Q.C, R.C, sizeof(double) * (size_t)(mi * n));
        memcpy(Q.d, R.d, sizeof(double) * (size_t)mi);
        /* rows: a0, a0 (duplicate), a1, 2*a0 - a1 (combination) */
        for (int64_t j = 0; j < n; j++) {
            Q.A[0 * n + j] = Q.A[1 * n + j] = R.A[j];
            Q.A[2 * n + j] = R.A[n + j];
            Q.A[3 * n + j] = 2 * R.A[j] - R.A[n + j];
        }
        Q.b[0] = Q.b[1] = R.b[0];
        Q.b[2] = R.b[1];
        Q.b[3] = 2 * R.b[0] - R.b[1];
        for (int sparse = 0; sparse < 2; sparse++) {
            dqp_problem *prob = make_problem(&Q, sparse, 1);
            result r = result_alloc(&Q);
            CHECK_INT(run(prob, &s, &r), DQP_OK);
            CHECK_INT(r.out.status, DQP_QP_SOLVED);
            CHECK_KKT(&Q, &r, 1e-9);
            CHECK(r.lam[1] == 0.0 && r.lam[3] == 0.0);
            /* the same solution as without the dependent rows */
            dqp_problem *p2 = make_problem(&R, sparse, 1);
            result r2 = result_alloc(&R);
            if (!psd) {
                CHECK_INT(run(p2, &s, &r2), DQP_OK);
                for (int64_t i = 0; i < n; i++)
                    CHECK_NEAR(r.z[i], r2.z[i], 1e-9);
                CHECK_NEAR(r.lam[0], r2.lam[0], 1e-8);
                CHECK_NEAR(r.lam[2], r2.lam[1], 1e-8);
            }
            result_free(&r2);
            dqp_problem_destroy(p2);
            result_free(&r);
            dqp_problem_destroy(prob);
        }
        qp_free(&R);
        qp_free(&Q);
    }
}

/* Warm start from the optimal active set: strictly fewer iterations, same solution. */
static void test_warm_start(void) {
    const dqp_qp_backend *B = &dqp_backend_dense_as;
    dqp_settings s = tight_settings();
    int64_t n = 30, me = 3, mi = 60;
    qp Q = random_qp(n, me, mi, 0.05);
    for (int64_t i = 0; i < n; i++)
        Q.q[i] *= 5.0;
    dqp_problem *prob = make_problem(&Q, 0, 1);
    void *self = NULL;
    dqp_message msg = {{0}};
    CHECK_INT(B->setup(&self, prob, &s, &msg), DQP_OK);
    result cold = result_alloc(&Q), warm = result_alloc(&Q), again = result_alloc(&Q);
    CHECK_INT(B->solve(self, &cold.out, &msg), DQP_OK);
    CHECK_INT(cold.out.status, DQP_QP_SOLVED);
    unsigned char *active = calloc((size_t)mi, 1);
    int64_t nact = 0;
    for (int64_t c = 0; c < mi; c++)
        nact += (active[c] = cold.mu[c] > 0.0);
    /* cold: the equality rows + at least one addition per active row + drops */
    CHECK(cold.out.iterations > me + nact);
    CHECK_INT(B->warm_start(self, NULL, NULL, NULL, active), DQP_OK);
    CHECK_INT(B->solve(self, &warm.out, &msg), DQP_OK);
    CHECK_INT(warm.out.status, DQP_QP_SOLVED);
    CHECK(warm.out.iterations < cold.out.iterations);
    CHECK_INT(warm.out.iterations, me + nact); /* only the warm rows are added */
    for (int64_t i = 0; i < n; i++)
        CHECK_NEAR(warm.z[i], cold.z[i], 1e-12);
    for (int64_t c = 0; c < mi; c++)
        CHECK_NEAR(warm.mu[c], cold.mu[c], 1e-10);
    CHECK_KKT(&Q, &warm, 1e-9);
    /* the warm start applies to one solve only */
    CHECK_INT(B->solve(self, &again.out, &msg), DQP_OK);
    CHECK_INT(again.out.iterations, cold.out.iterations);
    /* a wrong warm set (all rows) still gives the solution */
    memset(active, 1, (size_t)mi);
    CHECK_INT(B->warm_start(self, NULL, NULL, NULL, active), DQP_OK);
    CHECK_INT(B->solve(self, &again.out, &msg), DQP_OK);
    CHECK_INT(again.out.status, DQP_QP_SOLVED);
    for (int64_t i = 0; i < n; i++)
        CHECK_NEAR(again.z[i], cold.z[i], 1e-9);
    /* warm start from mu (active = NULL) */
    CHECK_INT(B->warm_start(self, NULL, NULL, cold.mu, NULL), DQP_OK);
    CHECK_INT(B->solve(self, &again.out, &msg), DQP_OK);
    CHECK_INT(again.out.iterations, me + nact);
    free(active);
    result_free(&cold);
    result_free(&warm);
    result_free(&again);
    B->destroy(self);
    dqp_problem_destroy(prob);
    qp_free(&Q);
}

/* update() with new values equals a fresh setup. */
static void test_update(void) {
    const dqp_qp_backend *B = &dqp_backend_dense_as;
    dqp_settings s = tight_settings();
    qp Q1 = random_qp(15, 2, 30, 0.1), Q2 = random_qp(15, 2, 30, 0.1);
    dqp_problem *p1 = make_problem(&Q1, 1, 1), *p2 = make_problem(&Q2, 1, 1);
    void *self = NULL;
    dqp_message msg = {{0}};
    CHECK_INT(B->setup(&self, p1, &s, &msg), DQP_OK);
    result a = result_alloc(&Q2), b = result_alloc(&Q2);
    CHECK_INT(B->solve(self, &a.out, &msg), DQP_OK);
    CHECK_INT(B->update(self, p2, &msg), DQP_OK);
    CHECK_INT(B->solve(self, &a.out, &msg), DQP_OK);
    CHECK_INT(run(p2, &s, &b), DQP_OK);
    CHECK_INT(a.out.status, DQP_QP_SOLVED);
    for (int64_t i = 0; i < 15; i++)
        CHECK_NEAR(a.z[i], b.z[i], 0.0);
    CHECK_KKT(&Q2, &a, 1e-9);
    /* wrong sizes */
    qp Q3 = random_qp(16, 2, 30, 0.1);
    dqp_problem *p3 = make_problem(&Q3, 0, 1);
    CHECK_INT(B->update(self, p3, &msg), DQP_ERR_DIMENSION);
    CHECK_STR_CONTAINS(msg.text, "n=16");
    B->destroy(self);
    B->destroy(NULL);
    result_free(&a);
    result_free(&b);
    dqp_problem_destroy(p1);
    dqp_problem_destroy(p2);
    dqp_problem_destroy(p3);
    qp_free(&Q1);
    qp_free(&Q2);
    qp_free(&Q3);
}

static void test_limits(void) {
    qp Q = random_qp(40, 0, 80, 0.1);
    dqp_problem *prob = make_problem(&Q, 0, 1);
    dqp_settings s = tight_settings();
    s.max_iter = 2;
    result r = result_alloc(&Q);
    CHECK_INT(run(prob, &s, &r), DQP_OK);
    CHECK_INT(r.out.status, DQP_QP_MAX_ITER);
    CHECK_INT(r.out.has_duals, 0);
    s.max_iter = 0;
    s.time_limit = 1e-12;
    CHECK_INT(run(prob, &s, &r), DQP_OK);
    CHECK_INT(r.out.status, DQP_QP_TIME_LIMIT);
    result_free(&r);
    dqp_problem_destroy(prob);
    qp_free(&Q);
}

static void test_keywords(void) {
    const dqp_qp_backend *B = &dqp_backend_dense_as;
    CHECK(strcmp(B->name, "dense_as") == 0);
    CHECK(B->caps == (DQP_CAP_DUALS | DQP_CAP_DENSE | DQP_CAP_SPARSE | DQP_CAP_WARM | DQP_CAP_QUADRATIC));
    qp Q = qp_alloc(2, 0, 3);
    Q.q[0] = Q.q[1] = -1.0; /* LP, proximal loop */
    double C[] = {1, 1, -1, 0, 0, -1}, d[] = {1, 0, 0};
    memcpy(Q.C, C, sizeof C);
    memcpy(Q.d, d, sizeof d);
    dqp_problem *prob = make_problem(&Q, 0, 0);
    dqp_settings s;
    dqp_settings_default(&s);
    void *self = (void *)&s;
    dqp_message msg = {{0}};
    strcpy(s.qp_solver_keywords, "rho=1e-3 frobnicate=2");
    CHECK_INT(B->setup(&self, prob, &s, &msg), DQP_ERR_VALUE);
    CHECK(self == NULL);
    CHECK_STR_CONTAINS(msg.text, "frobnicate");
    CHECK_STR_CONTAINS(msg.text, "rho, pd_tol, dep_tol");
    strcpy(s.qp_solver_keywords, "rho=-1");
    CHECK_INT(B->setup(&self, prob, &s, &msg), DQP_ERR_VALUE);
    CHECK_STR_CONTAINS(msg.text, "rho=-1");
    strcpy(s.qp_solver_keywords, "dep_tol=abc");
    CHECK_INT(B->setup(&self, prob, &s, &msg), DQP_ERR_VALUE);
    /* valid keywords are used: rho=1e-2 and rho=auto give the same LP solution */
    const char *good[] = {"rho=1e-2", "rho=auto,pd_tol=1e-8 dep_tol=1e-9"};
    for (int k = 0; k < 2; k++) {
        strcpy(s.qp_solver_keywords, good[k]);
        result r = result_alloc(&Q);
        CHECK_INT(run(prob, &s, &r), DQP_OK);
        CHECK_INT(r.out.status, DQP_QP_SOLVED);
        CHECK_NEAR(r.z[0] + r.z[1], 1.0, 1e-10);
        CHECK_NEAR(r.mu[0], 1.0, 1e-10);
        result_free(&r);
    }
    dqp_problem_destroy(prob);
    qp_free(&Q);
}

int main(void) {
    RUN(test_seed_toy);
    RUN(test_random_strictly_convex);
    RUN(test_brute_force_tiny);
    RUN(test_lp_unique);
    RUN(test_psd_random);
    RUN(test_primal_infeasible);
    RUN(test_unbounded);
    RUN(test_not_convex);
    RUN(test_dependent_equalities);
    RUN(test_warm_start);
    RUN(test_update);
    RUN(test_limits);
    RUN(test_keywords);
    return runner_finish();
}
