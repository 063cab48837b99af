/* test_problem.c - problem validation, copying, symmetrization, objective. */
#include "core/internal.h"
#include "runner.h"

#include <math.h>

/* The seed toy: P = 2I, q = 0, C = [[-1,-1],[-1,0],[0,-1]], d = [-1,0,0]. */
static int64_t Pp[] = {0, 1, 2}, Pi[] = {0, 1};
static double Px[] = {2, 2};
static int64_t Cp[] = {0, 2, 4}, Ci[] = {0, 1, 0, 2};
static double Cx[] = {-1, -1, -1, -1};
static double d3[] = {-1, 0, 0};

static dqp_problem_data toy(dqp_csc *P, dqp_csc *C) {
    *P = (dqp_csc){2, 2, Pp, Pi, Px, 0};
    *C = (dqp_csc){3, 2, Cp, Ci, Cx, 0};
    dqp_problem_data data = {0};
    data.n = 2;
    data.P = P;
    data.P_storage = DQP_P_UPPER;
    data.C = C;
    data.d = d3;
    data.m_ineq = 3;
    return data;
}

static void test_toy_ok_and_copied(void) {
    dqp_csc P, C;
    dqp_problem_data data = toy(&P, &C);
    dqp_problem *prob = dqp_problem_create();
    CHECK(prob != NULL);
    CHECK_INT(dqp_problem_set(prob, &data), DQP_OK);
    CHECK_INT(dqp_problem_n(prob), 2);
    CHECK_INT(dqp_problem_m_eq(prob), 0);
    CHECK_INT(dqp_problem_m_ineq(prob), 3);
    CHECK(dqp_problem_is_sparse(prob, 'P'));
    CHECK(!dqp_problem_is_sparse(prob, 'A'));
    const dqp_csc *Cs = dqp_problem_csc(prob, 'C');
    CHECK(Cs != NULL && Cs->x != Cx); /* copied, not borrowed */
    CHECK_NEAR(dqp_problem_vec(prob, 'd')[0], -1.0, 0.0);
    CHECK_NEAR(dqp_problem_vec(prob, 'q')[1], 0.0, 0.0); /* q NULL means 0 */
    double z[2] = {0.5, 0.5};
    CHECK_NEAR(dqp_problem_objective(prob, z), 0.5, 1e-15); /* 1/2 * 2 * (1/4 + 1/4) */
    CHECK_STR_CONTAINS(dqp_problem_last_error(prob), "");
    dqp_problem_destroy(prob);
    dqp_problem_destroy(NULL);
}

static void test_upper_vs_full_objective(void) {
    /* P = [[2, 1], [1, 3]] stored upper (3 entries) and full (4 entries). */
    int64_t up_p[] = {0, 1, 3}, up_i[] = {0, 0, 1};
    double up_x[] = {2, 1, 3};
    int64_t fu_p[] = {0, 2, 4}, fu_i[] = {0, 1, 0, 1};
    double fu_x[] = {2, 1, 1 + 1e-14, 3}; /* asymmetric within tolerance */
    dqp_csc Pu = {2, 2, up_p, up_i, up_x, 0}, Pf = {2, 2, fu_p, fu_i, fu_x, 0};
    double q[] = {1, -1}, z[] = {0.3, -0.7};
    double expect = 0.5 * (2 * 0.09 + 2 * 1 * 0.3 * -0.7 + 3 * 0.49) + 0.3 + 0.7;
    dqp_problem_data du = {.n = 2, .P = &Pu, .P_storage = DQP_P_UPPER, .q = q};
    dqp_problem_data df = {.n = 2, .P = &Pf, .P_storage = DQP_P_FULL, .q = q};
    double Pdx[] = {2, 1, 1, 3};
    dqp_dense Pd = {2, 2, 2, Pdx};
    dqp_problem_data dd = {.n = 2, .P_dense = &Pd, .q = q};
    dqp_problem *prob = dqp_problem_create();
    CHECK_INT(dqp_problem_set(prob, &du), DQP_OK);
    CHECK_NEAR(dqp_problem_objective(prob, z), expect, 1e-14);
    CHECK_INT(dqp_problem_P_storage(prob), DQP_P_UPPER);
    CHECK_INT(dqp_problem_set(prob, &df), DQP_OK);
    CHECK_NEAR(dqp_problem_objective(prob, z), expect, 1e-13);
    const dqp_csc *P = dqp_problem_csc(prob, 'P');
    CHECK_NEAR(P->x[1], P->x[2], 0.0); /* averaged */
    CHECK_NEAR(P->x[1], 1 + 0.5e-14, 1e-15);
    CHECK_INT(dqp_problem_set(prob, &dd), DQP_OK);
    CHECK_NEAR(dqp_problem_objective(prob, z), expect, 1e-14);
    CHECK(dqp_problem_csc(prob, 'P') == NULL);
    CHECK_NEAR(dqp_problem_dense(prob, 'P')[1], 1.0, 0.0);
    dqp_problem_destroy(prob);
}

/* Each case: mutate valid data, expect a code and a message fragment. */
static void expect_fail(const dqp_problem_data *data, dqp_status code, const char *fragment,
                        int line) {
    dqp_problem *prob = dqp_problem_create();
    dqp_status st = dqp_problem_set(prob, data);
    if (st != code || !strstr(dqp_problem_last_error(prob), fragment))
        fprintf(stderr, "  case at line %d: status %d, message \"%s\"\n", line, (int)st,
                dqp_problem_last_error(prob));
    CHECK_INT(st, code);
    CHECK_STR_CONTAINS(dqp_problem_last_error(prob), fragment);
    CHECK_INT(dqp_problem_n(prob), 0); /* unchanged on error */
    dqp_problem_destroy(prob);
}

static void test_invalid_cases(void) {
    dqp_csc P, C;
    dqp_problem_data base = toy(&P, &C), t;
    double nanv[3] = {-1, NAN, 0};
    double q2[2] = {0, INFINITY};
    int64_t rp[] = {0, 1, 3}, ri[] = {0, 0, 1}; /* 2x2 upper with (0,1) */
    double rx[] = {1, 2, 3};
    dqp_csc Pfull_asym = {2, 2, rp, ri, rx, 0};
    int64_t lp[] = {0, 2, 3}, li[] = {0, 1, 1};
    double lx[] = {1, 2, 3};
    dqp_csc Plower = {2, 2, lp, li, lx, 0};
    int64_t rcp[] = {0, 1, 2, 2};
    dqp_csc Prect = {2, 3, rcp, Pi, Px, 0};
    int64_t ep[] = {0, 1, 1}, ei[] = {0};
    double ex[] = {1};
    dqp_csc A1 = {1, 2, ep, ei, ex, 0};
    double b1[1] = {1};
    double Pdx[] = {2, 1, 0.5, 2};
    dqp_dense Pd_asym = {2, 2, 2, Pdx};

    t = base; t.n = -1;
    expect_fail(&t, DQP_ERR_DIMENSION, "n = -1 is negative", __LINE__);
    t = base; t.d = nanv;
    expect_fail(&t, DQP_ERR_NONFINITE, "d: non-finite value nan at index 1", __LINE__);
    t = base; t.q = q2;
    expect_fail(&t, DQP_ERR_NONFINITE, "q: non-finite value inf at index 1", __LINE__);
    t = base; t.d = NULL;
    expect_fail(&t, DQP_ERR_MISSING, "C given without d", __LINE__);
    t = base; t.C = NULL;
    expect_fail(&t, DQP_ERR_MISSING, "d given (m_ineq = 3) without C", __LINE__);
    t = base; t.m_ineq = 2;
    expect_fail(&t, DQP_ERR_DIMENSION, "C: has 3 rows but m_ineq = 2", __LINE__);
    t = base; t.n = 3;
    expect_fail(&t, DQP_ERR_DIMENSION, "P: is 2 x 2 but n = 3", __LINE__);
    t = base; t.P = &Prect;
    expect_fail(&t, DQP_ERR_DIMENSION, "must be square", __LINE__);
    t = base; t.P = &Plower;
    expect_fail(&t, DQP_ERR_TRIANGLE, "entry (1, 0) below the diagonal", __LINE__);
    t = base; t.P = &Pfull_asym; t.P_storage = DQP_P_FULL;
    expect_fail(&t, DQP_ERR_NOT_SYMMETRIC, "entry (0, 1) is stored but (1, 0) is not", __LINE__);
    t = base; t.P = &Plower; t.P_storage = DQP_P_FULL;
    expect_fail(&t, DQP_ERR_NOT_SYMMETRIC, "(1, 0) is stored but (0, 1)", __LINE__);
    t = base; t.P = NULL; t.P_dense = &Pd_asym;
    expect_fail(&t, DQP_ERR_NOT_SYMMETRIC, "P(0, 1) = 1 differs from P(1, 0) = 0.5", __LINE__);
    t = base; t.A = &A1; t.m_eq = 1;
    expect_fail(&t, DQP_ERR_MISSING, "A given without b", __LINE__);
    t = base; t.b = b1; t.m_eq = 1;
    expect_fail(&t, DQP_ERR_MISSING, "b given (m_eq = 1) without A", __LINE__);
    t = base; t.m_eq = 4;
    expect_fail(&t, DQP_ERR_MISSING, "m_eq = 4 but A is absent", __LINE__);
    t = base; t.m_eq = -4;
    expect_fail(&t, DQP_ERR_DIMENSION, "m_eq = -4 is negative", __LINE__);
    t = base; t.A = &A1; t.b = b1; t.m_eq = 1; t.A_dense = &Pd_asym;
    expect_fail(&t, DQP_ERR_VALUE, "A: give either", __LINE__);
    t = base; t.P_storage = (dqp_p_storage)7;
    expect_fail(&t, DQP_ERR_VALUE, "storage 7", __LINE__);
    expect_fail(NULL, DQP_ERR_NULL, "NULL", __LINE__);
    Cx[1] = NAN;
    expect_fail(&base, DQP_ERR_NONFINITE, "C: non-finite value nan at row 1, column 0", __LINE__);
    Cx[1] = -1;
    CHECK_INT(dqp_problem_set(NULL, &base), DQP_ERR_NULL);
}

static void test_keeps_old_content_on_error(void) {
    dqp_csc P, C;
    dqp_problem_data data = toy(&P, &C);
    dqp_problem *prob = dqp_problem_create();
    CHECK_INT(dqp_problem_set(prob, &data), DQP_OK);
    data.m_ineq = 5;
    CHECK_INT(dqp_problem_set(prob, &data), DQP_ERR_DIMENSION);
    CHECK_INT(dqp_problem_m_ineq(prob), 3);
    CHECK_NEAR(dqp_problem_vec(prob, 'd')[0], -1.0, 0.0);
    dqp_problem_destroy(prob);
}

static void test_lp_and_empty(void) {
    dqp_problem *prob = dqp_problem_create();
    dqp_problem_data empty = {0};
    CHECK_INT(dqp_problem_set(prob, &empty), DQP_OK);
    CHECK_INT(dqp_problem_n(prob), 0);
    double q[3] = {1, 2, 3}, z[3] = {1, 1, 1};
    dqp_problem_data lp = {.n = 3, .q = q};
    CHECK_INT(dqp_problem_set(prob, &lp), DQP_OK);
    CHECK_NEAR(dqp_problem_objective(prob, z), 6.0, 0.0);
    dqp_problem_destroy(prob);
}

int main(void) {
    RUN(test_toy_ok_and_copied);
    RUN(test_upper_vs_full_objective);
    RUN(test_invalid_cases);
    RUN(test_keeps_old_content_on_error);
    RUN(test_lp_and_empty);
    return runner_finish();
}
