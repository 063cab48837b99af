/* test_admm.c - the ADMM solver: polishing, adaptive rho, warm start, certificates, keywords. */
#include "core/internal.h"
#include "runner.h"
#include "solvers/admm.h"
#include "solvers/dense_as.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ helpers */

static uint64_t rng = 0x9E3779B97F4A7C15ULL;
static double urand(void) { /* [0, 1), xorshift64 */
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (double)(rng >> 11) * (1.0 / 9007199254740992.0);
}
static double srand1(void) { return 2.0 * urand() - 1.0; }

/* Dense row-major QP with (optionally) a known primal-dual solution. */
typedef struct qp {
    int64_t n, me, mi;
    double *P, *q, *A, *b, *C, *d;
    double *z, *lam, *mu; /* known solution (when built by qp_known) */
} qp;

static qp qp_alloc(int64_t n, int64_t me, int64_t mi) {
    qp Q = {n, me, mi, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL};
    Q.P = calloc((size_t)(n * n) + 1, sizeof(double));
    Q.q = calloc((size_t)n + 1, sizeof(double));
    Q.A = calloc((size_t)(me * n) + 1, sizeof(double));
    Q.b = calloc((size_t)me + 1, sizeof(double));
    Q.C = calloc((size_t)(mi * n) + 1, sizeof(double));
    Q.d = calloc((size_t)mi + 1, sizeof(double));
    Q.z = calloc((size_t)n + 1, sizeof(double));
    Q.lam = calloc((size_t)me + 1, sizeof(double));
    Q.mu = calloc((size_t)mi + 1, sizeof(double));
    return Q;
}

static void qp_free(qp *Q) {
    double *a[] = {Q->P, Q->q, Q->A, Q->b, Q->C, Q->d, Q->z, Q->lam, Q->mu};
    for (size_t k = 0; k < sizeof a / sizeof a[0]; k++)
        free(a[k]);
}

/* Random QP with a known, strictly complementary solution: P = B B' + 0.1 I
 * (B sparse with the given density), about half of the inequality rows active
 * with mu in [0.5, 1.5], slack in [0.5, 1.5] on the others. */
static qp qp_known(int64_t n, int64_t me, int64_t mi, double density) {
    qp Q = qp_alloc(n, me, mi);
    double *B = calloc((size_t)(n * n) + 1, sizeof(double));
    for (int64_t k = 0; k < n * n; k++)
        B[k] = urand() < density ? srand1() : 0.0;
    for (int64_t r = 0; r < n; r++)
        for (int64_t c = 0; c < n; c++) {
            double s = r == c ? 0.1 : 0.0;
            for (int64_t k = 0; k < n; k++)
                s += B[r * n + k] * B[c * n + k];
            Q.P[r * n + c] = s;
        }
    free(B);
    for (int64_t k = 0; k < me * n; k++)
        Q.A[k] = urand() < density ? srand1() : 0.0;
    for (int64_t r = 0; r < me; r++)
        Q.A[r * n + (r % n)] += 1.0; /* no empty rows */
    for (int64_t k = 0; k < mi * n; k++)
        Q.C[k] = urand() < density ? srand1() : 0.0;
    for (int64_t r = 0; r < mi; r++)
        Q.C[r * n + ((3 * r + 1) % n)] += 1.0;
    for (int64_t j = 0; j < n; j++)
        Q.z[j] = srand1();
    for (int64_t r = 0; r < me; r++)
        Q.lam[r] = srand1();
    for (int64_t r = 0; r < mi; r++)
        Q.mu[r] = urand() < 0.5 ? 0.5 + urand() : 0.0;
    for (int64_t r = 0; r < me; r++) {
        double s = 0.0;
        for (int64_t j = 0; j < n; j++)
            s += Q.A[r * n + j] * Q.z[j];
        Q.b[r] = s;
    }
    for (int64_t r = 0; r < mi; r++) {
        double s = 0.0;
        for (int64_t j = 0; j < n; j++)
            s += Q.C[r * n + j] * Q.z[j];
        Q.d[r] = s + (Q.mu[r] > 0.0 ? 0.0 : 0.5 + urand());
    }
    for (int64_t j = 0; j < n; j++) {
        double g = 0.0;
        for (int64_t k = 0; k < n; k++)
            g += Q.P[j * n + k] * Q.z[k];
        for (int64_t r = 0; r < me; r++)
            g += Q.A[r * n + j] * Q.lam[r];
        for (int64_t r = 0; r < mi; r++)
            g += Q.C[r * n + j] * Q.mu[r];
        Q.q[j] = -g;
    }
    return Q;
}

/* Dense row-major m x n -> CSC of the nonzeros (upper: only row <= column). */
static dqp_csc *to_csc(const double *X, int64_t m, int64_t n, int upper) {
    int64_t nnz = 0, k = 0;
    for (int64_t j = 0; j < n; j++)
        for (int64_t i = 0; i < m; i++)
            nnz += X[i * n + j] != 0.0 && (!upper || i <= j);
    dqp_csc *S = dqp_csc_create(m, n, nnz);
    for (int64_t j = 0; j < n; j++) {
        S->p[j] = k;
        for (int64_t i = 0; i < m; i++)
            if (X[i * n + j] != 0.0 && (!upper || i <= j)) {
                S->i[k] = i;
                S->x[k++] = X[i * n + j];
            }
    }
    S->p[n] = k;
    return S;
}

/* dqp_problem from a qp: sparse (CSC, P upper) or dense. */
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
    dqp_status st = dqp_problem_set(prob, &data);
    CHECK_INT(st, DQP_OK);
    if (st != DQP_OK)
        fprintf(stderr, "  %s\n", dqp_problem_last_error(prob));
    dqp_csc_free(Ps);
    dqp_csc_free(As);
    dqp_csc_free(Cs);
    return prob;
}

typedef struct out {
    double *z, *lam, *mu;
    dqp_qp_output o;
    dqp_admm_info info; /* info.certificate points into cert (a copy) */
    double *cert;
} out;

static out out_alloc(const qp *Q) {
    out r;
    memset(&r, 0, sizeof r);
    r.z = calloc((size_t)Q->n + 1, sizeof(double));
    r.lam = calloc((size_t)Q->me + 1, sizeof(double));
    r.mu = calloc((size_t)Q->mi + 1, sizeof(double));
    r.cert = calloc((size_t)(Q->n + Q->me + Q->mi) + 1, sizeof(double));
    r.o.z = r.z;
    r.o.lam = r.lam;
    r.o.mu = r.mu;
    return r;
}

static void out_free(out *r) {
    free(r->z);
    free(r->lam);
    free(r->mu);
    free(r->cert);
}

static dqp_settings settings_with(const char *keywords, double eps) {
    dqp_settings s;
    dqp_settings_default(&s);
    s.eps_abs = eps;
    s.eps_rel = eps;
    if (keywords)
        snprintf(s.qp_solver_keywords, sizeof s.qp_solver_keywords, "%s", keywords);
    return s;
}

/* setup + solve + info + destroy with the given backend. */
static dqp_status solve_with(const dqp_qp_backend *B, const dqp_problem *prob,
                             const dqp_settings *s, out *r) {
    void *self = NULL;
    dqp_message msg = {{0}};
    dqp_status st = B->setup(&self, prob, s, &msg);
    CHECK_INT(st, DQP_OK);
    if (st != DQP_OK) {
        fprintf(stderr, "  setup: %s\n", msg.text);
        return st;
    }
    st = B->solve(self, &r->o, &msg);
    CHECK_INT(st, DQP_OK);
    if (B == &dqp_backend_admm) {
        dqp_admm_get_info(self, &r->info);
        if (r->info.certificate) { /* copy: it lives in the solver */
            int64_t len = r->info.cert_kind == 1 ? dqp_problem_m_eq(prob) + dqp_problem_m_ineq(prob)
                                                 : dqp_problem_n(prob);
            memcpy(r->cert, r->info.certificate, (size_t)len * sizeof(double));
            r->info.certificate = r->cert;
        }
    }
    B->destroy(self);
    return st;
}

static dqp_status admm_run(const dqp_problem *prob, const dqp_settings *s, out *r) {
    return solve_with(&dqp_backend_admm, prob, s, r);
}

static double max_diff(const double *a, const double *b, int64_t len) {
    double m = 0.0;
    for (int64_t k = 0; k < len; k++)
        m = fmax(m, fabs(a[k] - b[k]));
    return m;
}

/* Recomputed KKT residuals of (z, lam, mu) on the dense data (absolute). */
typedef struct kkt_res {
    double stat, prim, mu_neg, compl ;
} kkt_res;

static kkt_res kkt_of(const qp *Q, const double *z, const double *lam, const double *mu) {
    kkt_res K = {0, 0, 0, 0};
    int64_t n = Q->n;
    for (int64_t j = 0; j < n; j++) {
        double g = Q->q[j];
        for (int64_t k = 0; k < n; k++)
            g += Q->P[j * n + k] * z[k];
        for (int64_t r = 0; r < Q->me; r++)
            g += Q->A[r * n + j] * lam[r];
        for (int64_t r = 0; r < Q->mi; r++)
            g += Q->C[r * n + j] * mu[r];
        K.stat = fmax(K.stat, fabs(g));
    }
    for (int64_t r = 0; r < Q->me; r++) {
        double s = -Q->b[r];
        for (int64_t j = 0; j < n; j++)
            s += Q->A[r * n + j] * z[j];
        K.prim = fmax(K.prim, fabs(s));
    }
    for (int64_t r = 0; r < Q->mi; r++) {
        double s = -Q->d[r];
        for (int64_t j = 0; j < n; j++)
            s += Q->C[r * n + j] * z[j];
        K.prim = fmax(K.prim, fmax(s, 0.0));
        K.mu_neg = fmax(K.mu_neg, -mu[r]);
        K.compl = fmax(K.compl, fabs(mu[r] * s));
    }
    return K;
}

/* ------------------------------------------------------------ tests */

/* The seed toy: P = 2I, q = 0, C = [[-1,-1],[-1,0],[0,-1]], d = [-1,0,0]:
 * z = [1/2, 1/2], mu = [1, 0, 0]. Polishing makes the duals exact. */
static void test_toy_polish_exact(void) {
    qp Q = qp_alloc(2, 0, 3);
    double C[] = {-1, -1, -1, 0, 0, -1}, d[] = {-1, 0, 0};
    Q.P[0] = Q.P[3] = 2.0;
    memcpy(Q.C, C, sizeof C);
    memcpy(Q.d, d, sizeof d);
    dqp_problem *prob = make_problem(&Q, 1);
    out r = out_alloc(&Q);
    dqp_settings s = settings_with(NULL, 1e-6);
    admm_run(prob, &s, &r);
    CHECK_INT(r.o.status, DQP_QP_SOLVED);
    CHECK_INT(r.o.has_duals, 1);
    CHECK_INT(r.info.polish_attempted, 1);
    CHECK_INT(r.info.polish_accepted, 1);
    CHECK_INT(r.info.polish_active, 1);
    CHECK_NEAR(r.z[0], 0.5, 1e-14);
    CHECK_NEAR(r.z[1], 0.5, 1e-14);
    CHECK_NEAR(r.mu[0], 1.0, 1e-14);
    CHECK(r.mu[1] == 0.0 && r.mu[2] == 0.0);
    CHECK_NEAR(r.o.objective, 0.5, 1e-14);
    /* without polishing: eps-accurate only, still mu = 0 exactly on inactive rows */
    s = settings_with("polish=0", 1e-6);
    admm_run(prob, &s, &r);
    CHECK_INT(r.o.status, DQP_QP_SOLVED);
    CHECK_INT(r.info.polish_attempted, 0);
    CHECK_NEAR(r.mu[0], 1.0, 1e-4);
    CHECK_NEAR(r.z[0], 0.5, 1e-4);
    CHECK(r.mu[1] == 0.0 && r.mu[2] == 0.0);
    out_free(&r);
    dqp_problem_destroy(prob);
    qp_free(&Q);
}

/* Random sparse problems with known solutions: polished duals are exact and
 * the active set (mu > 0) is exactly the known one; without polishing the
 * errors are at the level of the tolerance. */
static void test_polish_exact_duals(void) {
    for (int t = 0; t < 6; t++) {
        int64_t n = 20 + 10 * t, me = t % 3 == 0 ? 0 : 3 + t, mi = 2 * n / 3 + t;
        qp Q = qp_known(n, me, mi, 0.15);
        dqp_problem *prob = make_problem(&Q, t % 2 == 0);
        out r = out_alloc(&Q);
        dqp_settings s = settings_with(NULL, 1e-5);
        admm_run(prob, &s, &r);
        CHECK_INT(r.o.status, DQP_QP_SOLVED);
        CHECK_INT(r.info.polish_accepted, 1);
        double ez = max_diff(r.z, Q.z, n), el = max_diff(r.lam, Q.lam, me),
               em = max_diff(r.mu, Q.mu, mi);
        CHECK(ez <= 1e-10);
        CHECK(el <= 1e-9);
        CHECK(em <= 1e-9);
        int pattern_ok = 1;
        for (int64_t i = 0; i < mi; i++)
            pattern_ok &= (r.mu[i] != 0.0) == (Q.mu[i] != 0.0);
        CHECK(pattern_ok);
        kkt_res K = kkt_of(&Q, r.z, r.lam, r.mu);
        CHECK(K.stat <= 1e-11 && K.prim <= 1e-11 && K.mu_neg == 0.0 && K.compl <= 1e-11);
        CHECK(r.info.prim_res <= 1e-11 && r.info.dual_res <= 1e-11);
        /* the polished point never has larger residuals than the ADMM iterate */
        CHECK(r.info.prim_res <= fmax(r.info.prim_res_admm, 1e-12));
        CHECK(r.info.dual_res <= fmax(r.info.dual_res_admm, 1e-12));
        s = settings_with("polish=no", 1e-5);
        admm_run(prob, &s, &r);
        CHECK_INT(r.o.status, DQP_QP_SOLVED);
        double em2 = max_diff(r.mu, Q.mu, mi);
        CHECK(em2 <= 1e-2);
        CHECK(em2 > em); /* polishing is what makes them exact */
        out_free(&r);
        dqp_problem_destroy(prob);
        qp_free(&Q);
    }
}

/* Duplicate active rows: min 1/2 (z - 2)^2 s.t. z <= 1 twice. The polish
 * system is singular (LICQ fails); least-norm mode shares mu = 1 equally. */
static void test_polish_duplicate_rows(void) {
    qp Q = qp_alloc(1, 0, 2);
    Q.P[0] = 1.0;
    Q.q[0] = -2.0;
    Q.C[0] = Q.C[1] = 1.0;
    Q.d[0] = Q.d[1] = 1.0;
    dqp_problem *prob = make_problem(&Q, 1);
    out r = out_alloc(&Q);
    dqp_settings s = settings_with(NULL, 1e-7);
    admm_run(prob, &s, &r);
    CHECK_INT(r.o.status, DQP_QP_SOLVED);
    CHECK_INT(r.info.polish_accepted, 1);
    CHECK_INT(r.info.polish_least_norm, 1);
    CHECK_NEAR(r.z[0], 1.0, 1e-12);
    CHECK_NEAR(r.mu[0], 0.5, 1e-10);
    CHECK_NEAR(r.mu[1], 0.5, 1e-10);
    out_free(&r);
    dqp_problem_destroy(prob);
    qp_free(&Q);
}

/* Acceptance rule: the polished point is returned only when neither
 * recomputed residual is worse than the ADMM iterate's (beyond round-off);
 * otherwise the ADMM point is returned unchanged. After one to four
 * iterations on problems with more rows than variables the active-set
 * guesses are poor, so both outcomes occur; the status is "solved" only when
 * the returned point meets the tolerances. */
static void test_polish_acceptance_rule(void) {
    int accepted = 0, rejected = 0;
    for (int t = 0; t < 10; t++) {
        qp Q = qp_known(20, t % 2 ? 5 : 0, 50, 0.3);
        dqp_problem *prob = make_problem(&Q, 1);
        out r = out_alloc(&Q);
        for (int64_t it = 1; it <= 4; it++) {
            dqp_settings s = settings_with(NULL, 1e-9);
            s.max_iter = it;
            admm_run(prob, &s, &r);
            CHECK_INT(r.info.polish_attempted, 1);
            double floor = 1e-11;
            if (r.info.polish_accepted) {
                accepted++;
                CHECK(r.info.prim_res <= fmax(r.info.prim_res_admm, floor));
                CHECK(r.info.dual_res <= fmax(r.info.dual_res_admm, floor));
            } else {
                rejected++;
                CHECK(r.info.prim_res == r.info.prim_res_admm);
                CHECK(r.info.dual_res == r.info.dual_res_admm);
                CHECK(r.o.status != DQP_QP_SOLVED);
            }
            kkt_res K = kkt_of(&Q, r.z, r.lam, r.mu);
            if (r.o.status == DQP_QP_SOLVED)
                CHECK(K.prim <= 1e-8 && K.stat <= 1e-8);
            else
                CHECK_INT(r.o.has_duals, 0);
        }
        out_free(&r);
        dqp_problem_destroy(prob);
        qp_free(&Q);
    }
    CHECK(accepted >= 3);
    CHECK(rejected >= 10);
}

/* At the iteration limit a good active-set guess is still polished to a
 * solution that meets the tolerances: status solved after 40 iterations,
 * where ADMM alone reports max_iter. */
static void test_polish_at_max_iter(void) {
    qp Q = qp_known(60, 6, 45, 0.1);
    dqp_problem *prob = make_problem(&Q, 1);
    out r = out_alloc(&Q);
    dqp_settings s = settings_with("check_termination=1", 1e-12);
    s.max_iter = 40;
    admm_run(prob, &s, &r);
    CHECK_INT(r.o.iterations, 40);
    CHECK_INT(r.info.polish_accepted, 1);
    CHECK_INT(r.o.status, DQP_QP_SOLVED);
    CHECK(max_diff(r.mu, Q.mu, Q.mi) <= 1e-9);
    s = settings_with("polish=0 check_termination=1", 1e-12);
    s.max_iter = 40;
    admm_run(prob, &s, &r);
    CHECK_INT(r.o.status, DQP_QP_MAX_ITER);
    out_free(&r);
    dqp_problem_destroy(prob);
    qp_free(&Q);
}

/* Adaptive rho: from a poor initial rho the adaptive method refactors and
 * converges in fewer iterations than with rho fixed. */
static void test_adaptive_rho(void) {
    qp Q = qp_known(50, 5, 40, 0.1);
    dqp_problem *prob = make_problem(&Q, 1);
    out r = out_alloc(&Q);
    const char *rhos[] = {"1e-4", "1e3"};
    for (int k = 0; k < 2; k++) {
        char kw[128];
        snprintf(kw, sizeof kw, "rho=%s polish=0", rhos[k]);
        dqp_settings s = settings_with(kw, 1e-6);
        s.max_iter = 20000;
        admm_run(prob, &s, &r);
        CHECK_INT(r.o.status, DQP_QP_SOLVED);
        int64_t it_adapt = r.o.iterations;
        CHECK(r.info.rho_updates >= 1);
        CHECK(fabs(log10(r.info.rho) - log10(atof(rhos[k]))) > 0.5);
        snprintf(kw, sizeof kw, "rho=%s polish=0 adaptive_rho=0", rhos[k]);
        s = settings_with(kw, 1e-6);
        s.max_iter = 20000;
        admm_run(prob, &s, &r);
        CHECK_INT(r.info.rho_updates, 0);
        CHECK_NEAR(r.info.rho, atof(rhos[k]), 1e-15);
        CHECK(r.o.iterations > 2 * it_adapt);
        if (!(r.o.iterations > 2 * it_adapt))
            fprintf(stderr, "  rho=%s: adaptive %lld vs fixed %lld iterations\n", rhos[k],
                    (long long)it_adapt, (long long)r.o.iterations);
    }
    out_free(&r);
    dqp_problem_destroy(prob);
    qp_free(&Q);
}

/* Warm start from the previous solution after a small change of q and d:
 * at most 3/4 of the iterations of a cold start, the same solution. A cold solve after
 * a warm one does not depend on it. */
static void test_warm_start(void) {
    qp Q = qp_known(60, 6, 45, 0.1);
    dqp_problem *prob = make_problem(&Q, 1);
    out r = out_alloc(&Q);
    dqp_settings s = settings_with("polish=0 check_termination=1", 1e-9);
    const dqp_qp_backend *B = &dqp_backend_admm;
    void *self = NULL;
    dqp_message msg = {{0}};
    CHECK_INT(B->setup(&self, prob, &s, &msg), DQP_OK);
    CHECK_INT(B->solve(self, &r.o, &msg), DQP_OK);
    CHECK_INT(r.o.status, DQP_QP_SOLVED);
    int64_t cold0 = r.o.iterations;
    /* perturb q and d slightly (same pattern) */
    for (int64_t j = 0; j < Q.n; j++)
        Q.q[j] += 1e-4 * srand1();
    for (int64_t i = 0; i < Q.mi; i++)
        Q.d[i] += 1e-4 * urand();
    dqp_problem *prob2 = make_problem(&Q, 1);
    CHECK_INT(B->update(self, prob2, &msg), DQP_OK);
    CHECK_INT(B->warm_start(self, r.z, r.lam, r.mu, NULL), DQP_OK);
    CHECK_INT(B->solve(self, &r.o, &msg), DQP_OK);
    CHECK_INT(r.o.status, DQP_QP_SOLVED);
    int64_t warm = r.o.iterations;
    double *zw = malloc((size_t)Q.n * sizeof(double));
    memcpy(zw, r.z, (size_t)Q.n * sizeof(double));
    CHECK_INT(B->solve(self, &r.o, &msg), DQP_OK); /* cold on the same data */
    CHECK_INT(r.o.status, DQP_QP_SOLVED);
    int64_t cold = r.o.iterations;
    CHECK(4 * warm <= 3 * cold);
    if (!(4 * warm <= 3 * cold))
        fprintf(stderr, "  warm %lld vs cold %lld iterations\n", (long long)warm, (long long)cold);
    CHECK(max_diff(zw, r.z, Q.n) <= 1e-4);
    /* a fresh handle on prob2 gives the same cold result bit for bit */
    out r2 = out_alloc(&Q);
    admm_run(prob2, &s, &r2);
    CHECK_INT(r2.o.iterations, cold);
    CHECK(max_diff(r2.z, r.z, Q.n) == 0.0);
    (void)cold0;
    free(zw);
    out_free(&r2);
    B->destroy(self);
    out_free(&r);
    dqp_problem_destroy(prob);
    dqp_problem_destroy(prob2);
    qp_free(&Q);
}

/* Primal infeasibility: rows z_0 <= -1 and -z_0 <= -1 among random feasible
 * rows. The certificate y satisfies A'yA + C'yC ~ 0, yC >= 0, b'yA + d'yC < 0. */
static void test_primal_infeasible(void) {
    for (int t = 0; t < 2; t++) {
        qp Q = qp_known(12, t ? 3 : 0, 10, 0.3);
        memset(Q.C, 0, 2 * (size_t)Q.n * sizeof(double));
        Q.C[0] = 1.0;
        Q.d[0] = -1.0;
        Q.C[Q.n] = -1.0;
        Q.d[1] = -1.0;
        dqp_problem *prob = make_problem(&Q, 1);
        out r = out_alloc(&Q);
        dqp_settings s = settings_with(NULL, 1e-6);
        admm_run(prob, &s, &r);
        CHECK_INT(r.o.status, DQP_QP_PRIMAL_INFEASIBLE);
        CHECK_INT(r.o.has_duals, 0);
        CHECK_INT(r.info.cert_kind, 1);
        const double *y = r.info.certificate;
        CHECK(y != NULL);
        if (y) {
            double ynorm = 0.0, by = 0.0, res = 0.0, yneg = 0.0;
            for (int64_t i = 0; i < Q.me + Q.mi; i++)
                ynorm = fmax(ynorm, fabs(y[i]));
            for (int64_t i = 0; i < Q.me; i++)
                by += Q.b[i] * y[i];
            for (int64_t i = 0; i < Q.mi; i++) {
                by += Q.d[i] * y[Q.me + i];
                yneg = fmax(yneg, -y[Q.me + i]);
            }
            for (int64_t j = 0; j < Q.n; j++) {
                double g = 0.0;
                for (int64_t i = 0; i < Q.me; i++)
                    g += Q.A[i * Q.n + j] * y[i];
                for (int64_t i = 0; i < Q.mi; i++)
                    g += Q.C[i * Q.n + j] * y[Q.me + i];
                res = fmax(res, fabs(g));
            }
            CHECK_NEAR(ynorm, 1.0, 1e-12);
            CHECK(res <= 1e-4);
            CHECK(yneg == 0.0);
            CHECK(by < -1e-3);
        }
        out_free(&r);
        dqp_problem_destroy(prob);
        qp_free(&Q);
    }
}

/* Dual infeasibility: an LP (P = 0) and a QP with singular P, unbounded
 * along a recession direction v: P v ~ 0, A v ~ 0, C v <= ~0, q'v < 0. */
static void test_dual_infeasible(void) {
    for (int t = 0; t < 2; t++) {
        qp Q = qp_alloc(3, 1, 2);
        if (t == 1)
            Q.P[0] = 1.0; /* P = diag(1, 0, 0) */
        double q[] = {0.5, -1.0, 0.0}, A[] = {0, 1, -1}, C[] = {1, 0, 0, 0, 0, -1};
        memcpy(Q.q, q, sizeof q);
        memcpy(Q.A, A, sizeof A);
        memcpy(Q.C, C, sizeof C);
        Q.b[0] = 0.5;
        Q.d[0] = 1.0;
        Q.d[1] = 0.0;
        dqp_problem *prob = make_problem(&Q, 1);
        out r = out_alloc(&Q);
        dqp_settings s = settings_with(NULL, 1e-6);
        admm_run(prob, &s, &r);
        CHECK_INT(r.o.status, DQP_QP_DUAL_INFEASIBLE);
        CHECK_INT(r.info.cert_kind, 2);
        const double *v = r.info.certificate;
        CHECK(v != NULL);
        if (v) {
            double qv = 0.0, pv = fabs(Q.P[0] * v[0]), av = fabs(v[1] - v[2]);
            for (int j = 0; j < 3; j++)
                qv += Q.q[j] * v[j];
            CHECK(qv < -1e-3);
            CHECK(pv <= 1e-4 && av <= 1e-4);
            CHECK(v[0] <= 1e-4 && -v[2] <= 1e-4);
            CHECK_NEAR(fmax(fabs(v[0]), fmax(fabs(v[1]), fabs(v[2]))), 1.0, 1e-12);
        }
        out_free(&r);
        dqp_problem_destroy(prob);
        qp_free(&Q);
    }
}

/* Keywords: every key accepted with a valid value; unknown keys rejected with
 * the list of valid ones; out-of-range values rejected naming the range. */
static void test_keywords(void) {
    qp Q = qp_known(5, 1, 3, 0.5);
    dqp_problem *prob = make_problem(&Q, 1);
    dqp_settings s = settings_with(
        "rho=0.5 sigma=1e-5 alpha=1.2 polish=off adaptive_rho=true adaptive_rho_interval=7 "
        "adaptive_rho_tolerance=3 scaling=0 check_termination=3 eps_prim_inf=1e-6 "
        "eps_dual_inf=1e-6 rho_eq_scale=100",
        1e-6);
    out r = out_alloc(&Q);
    admm_run(prob, &s, &r);
    CHECK_INT(r.o.status, DQP_QP_SOLVED);
    CHECK_INT(r.info.polish_attempted, 0);
    CHECK(r.o.iterations % 3 == 0);
    const char *bad[] = {"rhoo=1",          "rho=0",       "alpha=2",
                         "polish=maybe",    "scaling=101", "check_termination=0",
                         "sigma=abc",       "rho=inf",     "adaptive_rho_tolerance=1",
                         "rho_eq_scale=0.5"};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        dqp_settings sb = settings_with(bad[k], 1e-6);
        void *self = NULL;
        dqp_message msg = {{0}};
        dqp_status st = dqp_backend_admm.setup(&self, prob, &sb, &msg);
        CHECK_INT(st, DQP_ERR_VALUE);
        CHECK(self == NULL);
        CHECK_STR_CONTAINS(msg.text, "admm");
        if (k == 0)
            CHECK_STR_CONTAINS(msg.text, "valid keys: rho, sigma, alpha, polish, adaptive_rho");
        else
            CHECK_STR_CONTAINS(msg.text, "expected");
    }
    out_free(&r);
    dqp_problem_destroy(prob);
    qp_free(&Q);
}

/* Iteration and time limits; no duals without a solution. */
static void test_limits(void) {
    qp Q = qp_known(40, 4, 30, 0.2);
    dqp_problem *prob = make_problem(&Q, 1);
    out r = out_alloc(&Q);
    dqp_settings s = settings_with("polish=0", 1e-10);
    s.max_iter = 5;
    admm_run(prob, &s, &r);
    CHECK_INT(r.o.status, DQP_QP_MAX_ITER);
    CHECK_INT(r.o.iterations, 5);
    CHECK_INT(r.o.has_duals, 0);
    s = settings_with(NULL, 1e-10);
    s.time_limit = 1e-12;
    admm_run(prob, &s, &r);
    CHECK_INT(r.o.status, DQP_QP_TIME_LIMIT);
    CHECK_INT(r.o.has_duals, 0);
    CHECK(r.o.iterations <= 1);
    out_free(&r);
    dqp_problem_destroy(prob);
    qp_free(&Q);
}

/* P with a negative eigenvalue is reported, not iterated on. */
static void test_not_convex(void) {
    qp Q = qp_alloc(2, 0, 1);
    Q.P[0] = 1.0;
    Q.P[3] = -1.0;
    Q.C[0] = 1.0;
    Q.d[0] = 1.0;
    dqp_problem *prob = make_problem(&Q, 0);
    out r = out_alloc(&Q);
    dqp_settings s = settings_with(NULL, 1e-6);
    admm_run(prob, &s, &r);
    CHECK_INT(r.o.status, DQP_QP_NOT_CONVEX);
    CHECK_INT(r.o.has_duals, 0);
    out_free(&r);
    dqp_problem_destroy(prob);
    qp_free(&Q);
}

/* update(): new values with the same pattern solve the new problem; another
 * pattern is refused (the engine then sets up anew). Dense and sparse forms
 * of the same data give the same polished answer. */
static void test_update_and_forms(void) {
    qp Q = qp_known(25, 3, 20, 0.2);
    qp Q2 = qp_known(25, 3, 20, 0.2);
    dqp_problem *p1 = make_problem(&Q, 1), *pd = make_problem(&Q, 0);
    out r = out_alloc(&Q), rd = out_alloc(&Q);
    dqp_settings s = settings_with(NULL, 1e-6);
    admm_run(p1, &s, &r);
    admm_run(pd, &s, &rd);
    CHECK_INT(r.o.status, DQP_QP_SOLVED);
    CHECK_INT(rd.o.status, DQP_QP_SOLVED);
    CHECK(max_diff(r.z, rd.z, Q.n) <= 1e-10 && max_diff(r.mu, rd.mu, Q.mi) <= 1e-9);
    /* same pattern, new values: dense data always has the full pattern */
    dqp_problem *pd2 = make_problem(&Q2, 0);
    void *self = NULL;
    dqp_message msg = {{0}};
    CHECK_INT(dqp_backend_admm.setup(&self, pd, &s, &msg), DQP_OK);
    CHECK_INT(dqp_backend_admm.update(self, pd2, &msg), DQP_OK);
    CHECK_INT(dqp_backend_admm.solve(self, &r.o, &msg), DQP_OK);
    CHECK_INT(r.o.status, DQP_QP_SOLVED);
    CHECK(max_diff(r.z, Q2.z, Q.n) <= 1e-9 && max_diff(r.mu, Q2.mu, Q.mi) <= 1e-8);
    dqp_problem *ps2 = make_problem(&Q2, 1); /* sparse: another pattern */
    CHECK_INT(dqp_backend_admm.update(self, ps2, &msg), DQP_ERR_VALUE);
    CHECK_STR_CONTAINS(msg.text, "pattern");
    dqp_backend_admm.destroy(self);
    out_free(&r);
    out_free(&rd);
    dqp_problem_destroy(p1);
    dqp_problem_destroy(pd);
    dqp_problem_destroy(pd2);
    dqp_problem_destroy(ps2);
    qp_free(&Q);
    qp_free(&Q2);
}

/* No constraints, only equalities, and an LP: compared with dense_as. */
static void test_shapes(void) {
    int64_t shapes[][3] = {{10, 0, 0}, {10, 4, 0}, {10, 0, 8}, {1, 0, 1}};
    for (size_t k = 0; k < sizeof shapes / sizeof shapes[0]; k++) {
        qp Q = qp_known(shapes[k][0], shapes[k][1], shapes[k][2], 0.4);
        dqp_problem *prob = make_problem(&Q, 1);
        out r = out_alloc(&Q), ref = out_alloc(&Q);
        dqp_settings s = settings_with(NULL, 1e-7);
        admm_run(prob, &s, &r);
        solve_with(&dqp_backend_dense_as, prob, &s, &ref);
        CHECK_INT(r.o.status, DQP_QP_SOLVED);
        CHECK(max_diff(r.z, ref.z, Q.n) <= 1e-8);
        CHECK(max_diff(r.lam, ref.lam, Q.me) <= 1e-7);
        CHECK(max_diff(r.mu, ref.mu, Q.mi) <= 1e-7);
        CHECK_REL(r.o.objective, ref.o.objective, 1e-9);
        out_free(&r);
        out_free(&ref);
        dqp_problem_destroy(prob);
        qp_free(&Q);
    }
}

/* Through the engine: qp_solver = "admm", exact mu = 0 off J, and the
 * value-function identity d(p*)/dd = -mu from the VJP. */
static void test_engine(void) {
    qp Q = qp_known(30, 3, 20, 0.2);
    dqp_problem *prob = make_problem(&Q, 1);
    dqp_settings s = settings_with(NULL, 1e-6);
    snprintf(s.qp_solver, sizeof s.qp_solver, "admm");
    dqp_solver *h = NULL;
    CHECK_INT(dqp_solver_create(&h, &s, NULL), DQP_OK);
    CHECK_INT(dqp_solver_solve(h, prob), DQP_OK);
    const dqp_info *info = dqp_solver_info(h);
    CHECK_INT(info->qp_status, DQP_QP_SOLVED);
    CHECK_STR_CONTAINS(info->qp_solver, "admm");
    CHECK(info->derivative_status == DQP_DIFF_REGULAR);
    const double *mu = dqp_solver_mu(h);
    CHECK(max_diff(mu, Q.mu, Q.mi) <= 1e-9);
    double *gz = calloc((size_t)Q.n, sizeof(double)), *dd = calloc((size_t)Q.mi, sizeof(double));
    const double *z = dqp_solver_z(h);
    for (int64_t j = 0; j < Q.n; j++) { /* g = P z + q */
        gz[j] = Q.q[j];
        for (int64_t k = 0; k < Q.n; k++)
            gz[j] += Q.P[j * Q.n + k] * z[k];
    }
    dqp_grad g = {NULL, NULL, NULL, NULL, NULL, dd};
    CHECK_INT(dqp_solver_vjp(h, gz, NULL, NULL, &g), DQP_OK);
    double err = 0.0;
    for (int64_t i = 0; i < Q.mi; i++)
        err = fmax(err, fabs(dd[i] + Q.mu[i]));
    CHECK(err <= 1e-8);
    free(gz);
    free(dd);
    dqp_solver_destroy(h);
    dqp_problem_destroy(prob);
    qp_free(&Q);
}

int main(void) {
    RUN(test_toy_polish_exact);
    RUN(test_polish_exact_duals);
    RUN(test_polish_duplicate_rows);
    RUN(test_polish_acceptance_rule);
    RUN(test_polish_at_max_iter);
    RUN(test_adaptive_rho);
    RUN(test_warm_start);
    RUN(test_primal_infeasible);
    RUN(test_dual_infeasible);
    RUN(test_keywords);
    RUN(test_limits);
    RUN(test_not_convex);
    RUN(test_update_and_forms);
    RUN(test_shapes);
    RUN(test_engine);
    return runner_finish();
}
