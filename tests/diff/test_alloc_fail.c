/* test_alloc_fail.c - allocation-failure injection: fail the k-th allocation
 * of solve + differentiate (and of a batch), k = 0, 1, 2, ...; every failure
 * must return DQP_ERR_NOMEM, leak nothing, and leave the handle usable. */
#include "dqp.h"
#include "runner.h"

#include <stdlib.h>

typedef struct {
    long count, fail_at, live;
    int failed;
} counter;

static void *count_alloc(void *user, size_t bytes) {
    counter *c = user;
    if (c->count++ == c->fail_at) {
        c->failed = 1;
        return NULL;
    }
    c->live++;
    return malloc(bytes);
}

static void count_free(void *user, void *ptr) {
    counter *c = user;
    c->live--;
    free(ptr);
}

/* A small problem with equalities, active and inactive inequalities. */
static dqp_problem *make_problem(int sparse) {
    static double P[9] = {4, 1, 0, 1, 3, 0.5, 0, 0.5, 2}, q[3] = {-1, 2, -3};
    static double A[3] = {1, 1, 1}, b[1] = {1};
    static double C[12] = {1, 0, 0, 0, 1, 0, 0, 0, 1, -1, -1, 0}, d[4] = {0.2, 5, 0.3, 1};
    static int64_t Pp[4] = {0, 1, 3, 5}, Pi[5] = {0, 0, 1, 1, 2};
    static double Px[5] = {4, 1, 3, 0.5, 2};
    dqp_dense Pd = {3, 3, 3, P}, Ad = {1, 3, 3, A}, Cd = {4, 3, 3, C};
    dqp_csc Ps = {3, 3, Pp, Pi, Px, 0};
    dqp_problem_data data = {.n = 3, .q = q, .A_dense = &Ad, .b = b, .m_eq = 1, .C_dense = &Cd,
                             .d = d, .m_ineq = 4};
    if (sparse) {
        data.P = &Ps;
        data.P_storage = DQP_P_UPPER;
    } else {
        data.P_dense = &Pd;
    }
    dqp_problem *p = dqp_problem_create();
    dqp_problem_set(p, &data);
    return p;
}

/* One full pass: create, solve, vjp, jvp, jacobian, destroy. Returns the
 * first non-OK status (or OK) and checks the handle stays usable. */
static dqp_status one_pass(const dqp_problem *p, const char *solver, counter *c) {
    dqp_allocator a = {count_alloc, count_free, c};
    dqp_settings s;
    dqp_settings_default(&s);
    dqp_settings_set(&s, "qp_solver", solver, NULL);
    s.allocator = &a;
    dqp_solver *h = NULL;
    dqp_status st = dqp_solver_create(&h, &s, NULL);
    if (st != DQP_OK)
        return st;
    st = dqp_solver_solve(h, p);
    double gz[3] = {1, 2, 3}, dq[3], dd[4], dz[3], J[8 * 3];
    dqp_grad g = {.dq = dq, .dd = dd};
    dqp_dir dir = {.dq = gz};
    if (st == DQP_OK)
        st = dqp_solver_vjp(h, gz, NULL, NULL, &g);
    if (st == DQP_OK)
        st = dqp_solver_jvp(h, &dir, dz, NULL, NULL);
    if (st == DQP_OK)
        st = dqp_solver_jacobian(h, 'q', J);
    if (st != DQP_OK) {
        /* usable afterwards: stop failing and solve again on the same handle */
        c->fail_at = -1;
        dqp_status again = dqp_solver_solve(h, p);
        if (again == DQP_OK)
            again = dqp_solver_vjp(h, gz, NULL, NULL, &g);
        CHECK_INT(again, DQP_OK);
        /* P z + q + A'lam + C'mu = 0 has a unique solution here: dq = -K^{-1} gz part */
        CHECK(dq[0] == dq[0] && dq[1] == dq[1] && dq[2] == dq[2]);
    }
    dqp_solver_destroy(h);
    return st;
}

static void sweep(const char *solver, int sparse) {
    dqp_problem *p = make_problem(sparse);
    int saw_success = 0;
    long k;
    for (k = 0; k < 5000 && !saw_success; k++) {
        counter c = {0, k, 0, 0};
        dqp_status st = one_pass(p, solver, &c);
        if (!c.failed) {
            CHECK_INT(st, DQP_OK);
            saw_success = 1;
        } else if (st != DQP_OK) {
            if (st != DQP_ERR_NOMEM)
                fprintf(stderr, "  %s: failing allocation %ld gave status %d\n", solver, k, st);
            CHECK_INT(st, DQP_ERR_NOMEM);
        } else {
            /* a failed allocation that the call absorbed must not exist:
             * every allocation is needed, so OK after a failure is a bug */
            fprintf(stderr, "  %s: allocation %ld failed but the call returned OK\n", solver, k);
            CHECK(0);
        }
        if (c.live != 0)
            fprintf(stderr, "  %s: %ld blocks leaked when failing allocation %ld\n", solver, c.live,
                    k);
        CHECK_INT(c.live, 0);
    }
    CHECK(saw_success);
    printf("%s: %ld allocation failure points, each NOMEM without leaks\n", solver, k - 1);
    CHECK(k > 5); /* the pass allocates: the sweep exercised several failure points */
    dqp_problem_destroy(p);
}

static void test_dense_as(void) { sweep("dense_as", 0); }
static void test_ipm(void) { sweep("ipm", 1); }
static void test_admm(void) { sweep("admm", 1); }

static void test_batch(void) {
    dqp_problem *p = make_problem(0);
    for (long k = 0; k < 2000; k++) {
        counter c = {0, k, 0, 0};
        dqp_allocator a = {count_alloc, count_free, &c};
        dqp_settings s;
        dqp_settings_default(&s);
        s.allocator = &a;
        dqp_solver *hs[3] = {NULL, NULL, NULL};
        const dqp_problem *ps[3] = {p, p, p};
        dqp_status st = DQP_OK, sts[3];
        for (int i = 0; i < 3 && st == DQP_OK; i++)
            st = dqp_solver_create(&hs[i], &s, NULL);
        if (st == DQP_OK)
            st = dqp_batch_solve(hs, ps, 3, 1, sts);
        for (int i = 0; i < 3; i++)
            dqp_solver_destroy(hs[i]);
        CHECK_INT(c.live, 0);
        if (!c.failed) {
            CHECK_INT(st, DQP_OK);
            break;
        }
        CHECK_INT(st, DQP_ERR_NOMEM);
    }
    dqp_problem_destroy(p);
}

int main(void) {
    RUN(test_dense_as);
    RUN(test_ipm);
    RUN(test_admm);
    RUN(test_batch);
    return runner_finish();
}
