/* test_batch_symbolic.c - dqp_batch_solve shares the symbolic analysis of
 * problems with one sparsity pattern: results bit-identical to solving each
 * problem alone, on 1 and 2 threads, and the cache is actually hit. */
#include "diff/engine.h"
#include "dqp.h"
#include "runner.h"
#include "diff_util.h"

#include <stdlib.h>

#define NB 8
#define NN 60
#define ME 4
#define MI 30

/* P upper tridiagonal (diagonally dominant), A rows with 3 entries, C rows
 * with 2 entries; one pattern for all seeds. b = A z0, d = C z0 + slack with
 * every third row active at z0. */
static dqp_problem *make(unsigned seed) {
    static int64_t Pp[NN + 1], Pi[2 * NN], Ap[NN + 1], Ai[3 * ME], Cp[NN + 1], Ci[2 * MI];
    double Px[2 * NN], Ax[3 * ME], Cx[2 * MI], q[NN], b[ME], d[MI], z0[NN];
    int64_t nz = 0;
    for (int64_t j = 0; j < NN; j++) {
        Pp[j] = nz;
        if (j > 0) {
            Pi[nz] = j - 1;
            Px[nz++] = 0.5 * urand(&seed);
        }
        Pi[nz] = j;
        Px[nz++] = 2.0 + urand(&seed);
    }
    Pp[NN] = nz;
    /* A(i, j) for j in {i, i + 20, i + 40}; C(i, j) for j in {i, 2 i + 1} (i < 30) */
    nz = 0;
    for (int64_t j = 0; j < NN; j++) {
        Ap[j] = nz;
        for (int64_t i = 0; i < ME; i++)
            if (j == i || j == i + 20 || j == i + 40) {
                Ai[nz] = i;
                Ax[nz++] = 1.0 + 0.5 * urand(&seed);
            }
    }
    Ap[NN] = nz;
    nz = 0;
    for (int64_t j = 0; j < NN; j++) {
        Cp[j] = nz;
        for (int64_t i = 0; i < MI; i++)
            if (j == i || j == 2 * i + 1) {
                Ci[nz] = i;
                Cx[nz++] = urand(&seed) + (urand(&seed) > 0 ? 1.5 : -1.5);
            }
    }
    Cp[NN] = nz;
    for (int64_t k = 0; k < NN; k++) {
        z0[k] = urand(&seed);
        q[k] = 3.0 * urand(&seed);
    }
    for (int64_t i = 0; i < ME; i++)
        b[i] = 0.0;
    for (int64_t i = 0; i < MI; i++)
        d[i] = i % 3 == 0 ? 0.0 : 0.5 + 0.5 * urand(&seed);
    for (int64_t j = 0; j < NN; j++) {
        for (int64_t p = Ap[j]; p < Ap[j + 1]; p++)
            b[Ai[p]] += Ax[p] * z0[j];
        for (int64_t p = Cp[j]; p < Cp[j + 1]; p++)
            d[Ci[p]] += Cx[p] * z0[j];
    }
    dqp_csc P = {NN, NN, Pp, Pi, Px, 0}, A = {ME, NN, Ap, Ai, Ax, 0}, C = {MI, NN, Cp, Ci, Cx, 0};
    dqp_problem_data data = {.n = NN,
                             .P = &P,
                             .P_storage = DQP_P_UPPER,
                             .q = q,
                             .A = &A,
                             .b = b,
                             .m_eq = ME,
                             .C = &C,
                             .d = d,
                             .m_ineq = MI};
    dqp_problem *prob = dqp_problem_create();
    CHECK_INT(dqp_problem_set(prob, &data), DQP_OK);
    return prob;
}

static dqp_solver *new_handle(void) {
    dqp_settings s;
    dqp_settings_default(&s);
    snprintf(s.qp_solver, sizeof s.qp_solver, "%s", "ipm");
    dqp_solver *h = NULL;
    CHECK_INT(dqp_solver_create(&h, &s, NULL), DQP_OK);
    return h;
}

/* threads == 0: each problem alone with dqp_solver_solve; otherwise one
 * batch (through `cache` when use_cache_arg, else dqp_batch_solve). */
static void run(dqp_problem **probs, int threads, int use_cache_arg, dqp_symcache *cache, double *z,
                double *dq) {
    dqp_solver *hs[NB];
    dqp_status st[NB];
    double ones[NN];
    const double *seeds[NB];
    dqp_grad g[NB];
    for (int k = 0; k < NN; k++)
        ones[k] = 1.0;
    for (int b = 0; b < NB; b++) {
        hs[b] = new_handle();
        seeds[b] = ones;
        g[b] = (dqp_grad){.dq = dq + NN * b};
    }
    if (threads == 0) {
        for (int b = 0; b < NB; b++) {
            CHECK_INT(dqp_solver_solve(hs[b], probs[b]), DQP_OK);
            CHECK_INT(dqp_solver_vjp(hs[b], ones, NULL, NULL, &g[b]), DQP_OK);
        }
    } else {
        const dqp_problem *const *pp = (const dqp_problem *const *)probs;
        if (use_cache_arg)
            CHECK_INT(dqp_batch_solve_cached(hs, pp, NB, threads, st, cache), DQP_OK);
        else
            CHECK_INT(dqp_batch_solve(hs, pp, NB, threads, st), DQP_OK);
        CHECK_INT(dqp_batch_vjp(hs, NB, seeds, NULL, NULL, g, threads, st), DQP_OK);
    }
    for (int b = 0; b < NB; b++) {
        CHECK_INT(dqp_solver_info(hs[b])->qp_status, DQP_QP_SOLVED);
        CHECK(strcmp(dqp_solver_info(hs[b])->qp_solver, "ipm") == 0);
        /* the derivative refines with ipm's factorization: its last Newton
         * matrix, or (problem 2, with a weakly active row, where that one
         * fails its test) the polish's factorization of the same K */
        CHECK(strcmp(dqp_solver_info(hs[b])->lin_solver, "reuse:ipm") == 0);
        memcpy(z + NN * b, dqp_solver_z(hs[b]), NN * sizeof(double));
        dqp_solver_destroy(hs[b]);
    }
}

static void test_batch_shared_symbolic(void) {
    dqp_problem *probs[NB];
    for (int b = 0; b < NB; b++)
        probs[b] = make(100u + 7u * (unsigned)b);
    static double z0[NN * NB], g0[NN * NB], z1[NN * NB], g1[NN * NB], z2[NN * NB], g2[NN * NB],
        z3[NN * NB], g3[NN * NB];
    run(probs, 0, 0, NULL, z0, g0); /* alone */
    run(probs, 1, 0, NULL, z1, g1); /* dqp_batch_solve, 1 thread */
    run(probs, 2, 0, NULL, z2, g2); /* dqp_batch_solve, 2 threads */
    CHECK(memcmp(z0, z1, sizeof z0) == 0);
    CHECK(memcmp(z0, z2, sizeof z0) == 0);
    CHECK(memcmp(g0, g1, sizeof g0) == 0);
    CHECK(memcmp(g0, g2, sizeof g0) == 0);
    /* the problems differ (not a trivially shared answer) and dq is nonzero */
    CHECK(memcmp(z0, z0 + NN, NN * sizeof(double)) != 0);
    CHECK(fabs(g0[0]) > 0.0);

    /* The cache is hit: on 1 thread every KKT object of problems 2..8 whose
     * pattern an earlier problem had (at least the interior-point Newton
     * system, whose pattern depends only on the data's) is a hit. */
    dqp_symcache *c = dqp_symcache_create();
    run(probs, 1, 1, c, z3, g3);
    int64_t hits = 0, misses = 0;
    dqp_symcache_stats(c, &hits, &misses);
    dqp_symcache_destroy(c);
    fprintf(stderr, "  1 thread: %lld hits, %lld misses\n", (long long)hits, (long long)misses);
    CHECK(hits >= NB - 1);
    CHECK(misses >= 1);
    CHECK(memcmp(z0, z3, sizeof z0) == 0);
    CHECK(memcmp(g0, g3, sizeof g0) == 0);
    c = dqp_symcache_create();
    run(probs, 2, 1, c, z3, g3);
    dqp_symcache_stats(c, &hits, &misses);
    dqp_symcache_destroy(c);
    fprintf(stderr, "  2 threads: %lld hits, %lld misses\n", (long long)hits, (long long)misses);
    CHECK(hits >= NB - 2);
    CHECK(memcmp(z0, z3, sizeof z0) == 0);
    CHECK(memcmp(g0, g3, sizeof g0) == 0);
    /* no cache (NULL): same results, nothing shared */
    run(probs, 2, 1, NULL, z3, g3);
    CHECK(memcmp(z0, z3, sizeof z0) == 0);
    CHECK(memcmp(g0, g3, sizeof g0) == 0);
    for (int b = 0; b < NB; b++)
        dqp_problem_destroy(probs[b]);
}

int main(void) {
    RUN(test_batch_shared_symbolic);
    return runner_finish();
}
