/* test_bad_input.c - table-driven bad input: every case must return its own
 * error code with a message naming the input, and nothing may crash. */
#include "dqp.h"
#include "runner.h"

#include <math.h>

/* Valid base data: n = 3, one equality, three inequalities (dense and sparse). */
typedef struct {
    double P[9], q[3], A[3], b[1], C[9], d[3];
    int64_t Pp[4], Pi[6], Cp[4], Ci[9];
    double Px[6], Cx[9];
    dqp_dense Pd, Ad, Cd;
    dqp_csc Ps, Cs;
    dqp_problem_data data;
} base_t;

static void base_init(base_t *t, int sparse) {
    static const double P[9] = {4, 1, 0, 1, 3, 0, 0, 0, 2}, C[9] = {1, 0, 0, 0, 1, 0, 1, 1, 1};
    memcpy(t->P, P, sizeof P);
    memcpy(t->C, C, sizeof C);
    for (int k = 0; k < 3; k++) {
        t->q[k] = k - 1.0;
        t->A[k] = 1.0;
        t->d[k] = k == 2 ? 2.0 : 0.5;
    }
    t->b[0] = 1.0;
    /* sparse upper P: (0,0) (0,1) (1,1) (2,2); C by columns */
    int64_t Pp[4] = {0, 1, 3, 4}, Pi[4] = {0, 0, 1, 2}, Cp[4] = {0, 2, 4, 5},
            Ci[5] = {0, 2, 1, 2, 2};
    double Px[4] = {4, 1, 3, 2}, Cx[5] = {1, 1, 1, 1, 1};
    memcpy(t->Pp, Pp, sizeof Pp);
    memcpy(t->Pi, Pi, sizeof Pi);
    memcpy(t->Px, Px, sizeof Px);
    memcpy(t->Cp, Cp, sizeof Cp);
    memcpy(t->Ci, Ci, sizeof Ci);
    memcpy(t->Cx, Cx, sizeof Cx);
    t->Pd = (dqp_dense){3, 3, 3, t->P};
    t->Ad = (dqp_dense){1, 3, 3, t->A};
    t->Cd = (dqp_dense){3, 3, 3, t->C};
    t->Ps = (dqp_csc){3, 3, t->Pp, t->Pi, t->Px, 0};
    t->Cs = (dqp_csc){3, 3, t->Cp, t->Ci, t->Cx, 0};
    dqp_problem_data d = {.n = 3, .q = t->q, .A_dense = &t->Ad, .b = t->b, .m_eq = 1,
                          .d = t->d, .m_ineq = 3};
    if (sparse) {
        d.P = &t->Ps;
        d.P_storage = DQP_P_UPPER;
        d.C = &t->Cs;
    } else {
        d.P_dense = &t->Pd;
        d.C_dense = &t->Cd;
    }
    t->data = d;
}

/* Each case mutates a fresh base and says which layer to run. */
typedef enum { RUN_SET, RUN_SOLVE, RUN_DERIV } stage;
typedef struct {
    const char *name;
    int sparse;
    void (*mutate)(base_t *t, dqp_settings *s);
    stage stage;
    dqp_status code;
    const char *fragment;
} bad_case;

static void m_q_nan(base_t *t, dqp_settings *s) { (void)s; t->q[1] = NAN; }
static void m_q_inf(base_t *t, dqp_settings *s) { (void)s; t->q[2] = INFINITY; }
static void m_b_nan(base_t *t, dqp_settings *s) { (void)s; t->b[0] = NAN; }
static void m_d_inf(base_t *t, dqp_settings *s) { (void)s; t->d[2] = -INFINITY; }
static void m_Pd_nan(base_t *t, dqp_settings *s) { (void)s; t->P[4] = NAN; }
static void m_Ps_nan(base_t *t, dqp_settings *s) { (void)s; t->Px[2] = NAN; }
static void m_A_inf(base_t *t, dqp_settings *s) { (void)s; t->A[1] = INFINITY; }
static void m_Cd_nan(base_t *t, dqp_settings *s) { (void)s; t->C[8] = NAN; }
static void m_Cs_inf(base_t *t, dqp_settings *s) { (void)s; t->Cx[3] = INFINITY; }
static void m_C_index(base_t *t, dqp_settings *s) { (void)s; t->Ci[1] = 7; }
static void m_C_neg_index(base_t *t, dqp_settings *s) { (void)s; t->Ci[0] = -1; }
static void m_C_unsorted(base_t *t, dqp_settings *s) { (void)s; t->Ci[0] = 2; t->Ci[1] = 0; }
static void m_C_dup(base_t *t, dqp_settings *s) { (void)s; t->Ci[1] = 0; }
static void m_P_ptr(base_t *t, dqp_settings *s) { (void)s; t->Pp[1] = 4; }
static void m_P_lower(base_t *t, dqp_settings *s) { (void)s; t->Pi[0] = 1; }
static void m_P_full_asym(base_t *t, dqp_settings *s) {
    (void)s;
    t->data.P_storage = DQP_P_FULL; /* (0,1) stored, (1,0) not */
}
static void m_Pd_asym(base_t *t, dqp_settings *s) { (void)s; t->P[1] = 2.0; }
static void m_n_neg(base_t *t, dqp_settings *s) { (void)s; t->data.n = -3; }
static void m_mi_neg(base_t *t, dqp_settings *s) { (void)s; t->data.m_ineq = -1; }
static void m_C_cols(base_t *t, dqp_settings *s) { (void)s; t->Cd.n = 2; t->Cd.ld = 3; }
static void m_A_rows(base_t *t, dqp_settings *s) { (void)s; t->data.m_eq = 2; }
static void m_P_rect(base_t *t, dqp_settings *s) { (void)s; t->Pd.m = 2; }
static void m_A_no_b(base_t *t, dqp_settings *s) { (void)s; t->data.b = NULL; }
static void m_d_no_C(base_t *t, dqp_settings *s) {
    (void)s;
    t->data.C_dense = NULL;
    t->data.C = NULL;
}
static void m_ld_small(base_t *t, dqp_settings *s) { (void)s; t->Cd.ld = 2; }
static void m_dense_overflow(base_t *t, dqp_settings *s) {
    (void)s;
    t->Cd.m = INT64_MAX / 2;
    t->Cd.ld = 4;
    t->data.m_ineq = INT64_MAX / 2;
}
static void m_nnz_overflow(base_t *t, dqp_settings *s) { (void)s; t->Cp[3] = INT64_MAX / 2; }
static void m_nonconvex(base_t *t, dqp_settings *s) {
    t->P[8] = -2.0;
    s->check_PSD = 1;
}
static void m_nonconvex_sparse(base_t *t, dqp_settings *s) {
    t->Px[3] = -2.0;
    s->check_PSD = 1;
}
static void m_bad_solver(base_t *t, dqp_settings *s) {
    (void)t;
    dqp_settings_set(s, "qp_solver", "quadprog", NULL);
}
static void m_bad_linsolver(base_t *t, dqp_settings *s) {
    (void)t;
    dqp_settings_set(s, "lin_solver", "pardiso", NULL);
}
static void m_bad_keyword(base_t *t, dqp_settings *s) {
    (void)t;
    dqp_settings_set(s, "qp_solver", "dense_as", NULL);
    dqp_settings_set(s, "qp_solver_keywords", "frobnicate=1", NULL);
}
static void m_infeasible(base_t *t, dqp_settings *s) {
    (void)s;
    t->d[2] = 0.5; /* z0 + z1 + z2 <= 0.5 with z0 + z1 + z2 = 1: infeasible */
}
static void m_none(base_t *t, dqp_settings *s) {
    (void)t;
    (void)s;
}

static const bad_case cases[] = {
    {"q NaN", 0, m_q_nan, RUN_SET, DQP_ERR_NONFINITE, "q: non-finite value nan at index 1"},
    {"q Inf", 1, m_q_inf, RUN_SET, DQP_ERR_NONFINITE, "q: non-finite value inf at index 2"},
    {"b NaN", 0, m_b_nan, RUN_SET, DQP_ERR_NONFINITE, "b: non-finite"},
    {"d -Inf", 1, m_d_inf, RUN_SET, DQP_ERR_NONFINITE, "d: non-finite value -inf"},
    {"dense P NaN", 0, m_Pd_nan, RUN_SET, DQP_ERR_NONFINITE, "P: non-finite value nan at (1, 1)"},
    {"sparse P NaN", 1, m_Ps_nan, RUN_SET, DQP_ERR_NONFINITE, "P: non-finite value nan at row 1"},
    {"dense A Inf", 0, m_A_inf, RUN_SET, DQP_ERR_NONFINITE, "A: non-finite value inf at (0, 1)"},
    {"dense C NaN", 0, m_Cd_nan, RUN_SET, DQP_ERR_NONFINITE, "C: non-finite value nan at (2, 2)"},
    {"sparse C Inf", 1, m_Cs_inf, RUN_SET, DQP_ERR_NONFINITE, "C: non-finite value inf"},
    {"C row out of range", 1, m_C_index, RUN_SET, DQP_ERR_INDEX, "C: row index 7 out of range"},
    {"C negative row", 1, m_C_neg_index, RUN_SET, DQP_ERR_INDEX, "C: row index -1"},
    {"C unsorted rows", 1, m_C_unsorted, RUN_SET, DQP_ERR_UNSORTED, "C: row indices not sorted"},
    {"C duplicate rows", 1, m_C_dup, RUN_SET, DQP_ERR_DUPLICATE, "C: duplicate row index 0"},
    {"P pointers", 1, m_P_ptr, RUN_SET, DQP_ERR_POINTERS, "P: column pointers not monotone"},
    {"P upper with lower entry", 1, m_P_lower, RUN_SET, DQP_ERR_TRIANGLE, "P: declared upper triangular but has entry (1, 0)"},
    {"P full not symmetric", 1, m_P_full_asym, RUN_SET, DQP_ERR_NOT_SYMMETRIC,
     "P: entry (0, 1) is stored but (1, 0) is not"},
    {"dense P not symmetric", 0, m_Pd_asym, RUN_SET, DQP_ERR_NOT_SYMMETRIC, "P: P(0, 1) = 2"},
    {"negative n", 0, m_n_neg, RUN_SET, DQP_ERR_DIMENSION, "n = -3 is negative"},
    {"negative m_ineq", 0, m_mi_neg, RUN_SET, DQP_ERR_DIMENSION, "m_ineq = -1 is negative"},
    {"C columns", 0, m_C_cols, RUN_SET, DQP_ERR_DIMENSION, "C: has 2 columns but n = 3"},
    {"A rows vs m_eq", 0, m_A_rows, RUN_SET, DQP_ERR_DIMENSION, "A: has 1 rows but m_eq = 2"},
    {"P not square", 0, m_P_rect, RUN_SET, DQP_ERR_DIMENSION, "P: is 2 x 3, must be square"},
    {"A without b", 0, m_A_no_b, RUN_SET, DQP_ERR_MISSING, "A given without b"},
    {"d without C", 0, m_d_no_C, RUN_SET, DQP_ERR_MISSING, "d given (m_ineq = 3) without C"},
    {"leading dimension", 0, m_ld_small, RUN_SET, DQP_ERR_DIMENSION, "C: leading dimension 2"},
    {"dense size overflow", 0, m_dense_overflow, RUN_SET, DQP_ERR_DIMENSION, "overflows"},
    {"nnz overflow", 1, m_nnz_overflow, RUN_SET, DQP_ERR_DIMENSION, "C: nnz"},
    {"non-convex dense P", 0, m_nonconvex, RUN_SOLVE, DQP_ERR_NOT_CONVEX, "not positive semi"},
    {"non-convex sparse P", 1, m_nonconvex_sparse, RUN_SOLVE, DQP_ERR_NOT_CONVEX, "check_PSD"},
    {"unknown qp_solver", 0, m_bad_solver, RUN_SOLVE, DQP_ERR_UNKNOWN_NAME,
     "unknown qp_solver \"quadprog\"; valid: auto, dense_as"},
    {"unknown lin_solver", 1, m_bad_linsolver, RUN_SOLVE, DQP_ERR_UNKNOWN_NAME, "pardiso"},
    {"unknown solver keyword", 0, m_bad_keyword, RUN_SOLVE, DQP_ERR_VALUE, "frobnicate"},
    {"derivative of infeasible", 0, m_infeasible, RUN_DERIV, DQP_ERR_NOT_READY,
     "did not produce one"},
    {"valid problem", 1, m_none, RUN_DERIV, DQP_OK, ""},
};

static void test_table(void) {
    int n = (int)(sizeof cases / sizeof cases[0]);
    CHECK(n >= 30);
    for (int k = 0; k < n; k++) {
        const bad_case *c = &cases[k];
        base_t t;
        dqp_settings s;
        base_init(&t, c->sparse);
        dqp_settings_default(&s);
        c->mutate(&t, &s);
        dqp_problem *p = dqp_problem_create();
        dqp_status st = dqp_problem_set(p, &t.data);
        const char *msg = dqp_problem_last_error(p);
        dqp_solver *h = NULL;
        if (st == DQP_OK && c->stage != RUN_SET) {
            CHECK_INT(dqp_solver_create(&h, &s, NULL), DQP_OK);
            st = dqp_solver_solve(h, p);
            msg = dqp_solver_last_error(h);
            if (st == DQP_OK && c->stage == RUN_DERIV) {
                double gz[3] = {1, 1, 1}, dq[3];
                dqp_grad g = {.dq = dq};
                st = dqp_solver_vjp(h, gz, NULL, NULL, &g);
            }
        }
        if (st != c->code || !strstr(msg, c->fragment))
            fprintf(stderr, "  case \"%s\": status %d (%s), message \"%s\"\n", c->name, st,
                    dqp_status_string(st), msg);
        CHECK_INT(st, c->code);
        CHECK_STR_CONTAINS(msg, c->fragment);
        dqp_solver_destroy(h);
        dqp_problem_destroy(p);
    }
}

/* Calls in the wrong state or with NULL arguments. */
static void test_state_and_null(void) {
    dqp_solver *h = NULL;
    double gz[3] = {1, 1, 1}, J[18];
    dqp_grad g = {0};
    dqp_dir dir = {0};
    dqp_settings s;
    dqp_message msg;
    dqp_settings_default(&s);
    s.eps_abs = -1;
    CHECK_INT(dqp_solver_create(&h, &s, &msg), DQP_ERR_VALUE);
    CHECK_STR_CONTAINS(msg.text, "eps_abs");
    CHECK(h == NULL);
    CHECK_INT(dqp_solver_create(NULL, NULL, &msg), DQP_ERR_NULL);
    CHECK_INT(dqp_solver_create(&h, NULL, NULL), DQP_OK);
    CHECK_INT(dqp_solver_vjp(h, gz, NULL, NULL, &g), DQP_ERR_NOT_READY);
    CHECK_STR_CONTAINS(dqp_solver_last_error(h), "no problem solved yet");
    CHECK_INT(dqp_solver_jvp(h, &dir, NULL, NULL, NULL), DQP_ERR_NOT_READY);
    CHECK_INT(dqp_solver_jacobian(h, 'q', J), DQP_ERR_NOT_READY);
    CHECK_INT(dqp_solver_solve(h, NULL), DQP_ERR_NULL);
    CHECK_STR_CONTAINS(dqp_solver_last_error(h), "problem is NULL");
    base_t t;
    base_init(&t, 0);
    dqp_problem *p = dqp_problem_create();
    CHECK_INT(dqp_problem_set(p, &t.data), DQP_OK);
    CHECK_INT(dqp_solver_solve(h, p), DQP_OK);
    CHECK_INT(dqp_solver_vjp(h, gz, NULL, NULL, NULL), DQP_ERR_NULL);
    CHECK_STR_CONTAINS(dqp_solver_last_error(h), "vjp: output struct is NULL");
    CHECK_INT(dqp_solver_jvp(h, NULL, NULL, NULL, NULL), DQP_ERR_NULL);
    CHECK_INT(dqp_solver_jacobian(h, 'z', J), DQP_ERR_VALUE);
    CHECK_STR_CONTAINS(dqp_solver_last_error(h), "wrt 'z' is not one of");
    CHECK_INT(dqp_solver_jacobian(h, 'q', NULL), DQP_ERR_NULL);
    CHECK_INT(dqp_solver_vjp(NULL, gz, NULL, NULL, &g), DQP_ERR_NULL);
    CHECK_INT(dqp_solver_solve(NULL, p), DQP_ERR_NULL);
    CHECK(dqp_solver_info(NULL) == NULL && dqp_solver_z(NULL) == NULL);
    dqp_solver_destroy(h);
    dqp_problem_destroy(p);
}

/* n = 0 and m = 0 are valid problems, solved and differentiated. */
static void test_empty_sizes(void) {
    const char *solvers[] = {"dense_as", "ipm", "admm"};
    for (int k = 0; k < 3; k++) {
        dqp_settings s;
        dqp_settings_default(&s);
        dqp_settings_set(&s, "qp_solver", solvers[k], NULL);
        /* m = 0: min 1/2 z'Pz + q'z -> z = -P^{-1} q, dz/dq = -P^{-1} */
        double P[4] = {2, 0, 0, 4}, q[2] = {-2, 4};
        dqp_dense Pd = {2, 2, 2, P};
        dqp_problem_data d = {.n = 2, .P_dense = &Pd, .q = q};
        dqp_problem *p = dqp_problem_create();
        CHECK_INT(dqp_problem_set(p, &d), DQP_OK);
        dqp_solver *h = NULL;
        CHECK_INT(dqp_solver_create(&h, &s, NULL), DQP_OK);
        CHECK_INT(dqp_solver_solve(h, p), DQP_OK);
        CHECK_INT(dqp_solver_info(h)->qp_status, DQP_QP_SOLVED);
        CHECK_NEAR(dqp_solver_z(h)[0], 1.0, 1e-6);
        CHECK_NEAR(dqp_solver_z(h)[1], -1.0, 1e-6);
        double gz[2] = {1, 1}, dq[2];
        dqp_grad g = {.dq = dq};
        CHECK_INT(dqp_solver_vjp(h, gz, NULL, NULL, &g), DQP_OK);
        CHECK_NEAR(dq[0], -0.5, 1e-9);
        CHECK_NEAR(dq[1], -0.25, 1e-9);
        /* n = 0: nothing to solve, nothing to differentiate, no crash */
        dqp_problem_data e = {0};
        CHECK_INT(dqp_problem_set(p, &e), DQP_OK);
        dqp_status st = dqp_solver_solve(h, p);
        if (st != DQP_OK)
            fprintf(stderr, "  %s on n = 0: %s\n", solvers[k], dqp_solver_last_error(h));
        CHECK_INT(st, DQP_OK);
        CHECK_INT(dqp_solver_info(h)->qp_status, DQP_QP_SOLVED);
        dqp_grad g0 = {0};
        CHECK_INT(dqp_solver_vjp(h, NULL, NULL, NULL, &g0), DQP_OK);
        dqp_solver_destroy(h);
        dqp_problem_destroy(p);
    }
}

int main(void) {
    RUN(test_table);
    RUN(test_state_and_null);
    RUN(test_empty_sizes);
    return runner_finish();
}
