/* admm.h - the ADMM (operator-splitting, OSQP class) sparse forward QP solver. */
#ifndef DQP_ADMM_H
#define DQP_ADMM_H

#include "solvers/solver.h"

/* Name "admm". Sparse and dense problems, duals (mu exactly 0 off the
 * active set), warm start from a point (z, lambda, mu; the active set is not
 * used), primal and dual infeasibility certificates, solution polishing.
 * Keywords: see the header comment of admm.c. */
extern const dqp_qp_backend dqp_backend_admm;

/* What the last solve did, for tests and benches (self = the backend state
 * returned by setup). Residuals are recomputed from the returned point in the
 * problem's own scaling: prim = max(|Az - b|, (Cz - d)+), dual = the
 * stationarity residual (plus max(0, -min mu)). */
typedef struct dqp_admm_info {
    int64_t iterations;        /* ADMM iterations of the last solve */
    int64_t rho_updates;       /* refactorizations caused by the adaptive step size */
    double rho;                /* step size (inequality rows, scaled problem) at the end */
    int polish_attempted;      /* 1 when polishing ran */
    int polish_accepted;       /* 1 when the polished point was returned */
    int polish_least_norm;     /* 1 when the polish system was singular (dependent rows) */
    int64_t polish_active;     /* inequality rows in the polish active set */
    double prim_res, dual_res; /* of the returned point */
    double prim_res_admm, dual_res_admm; /* of the ADMM iterate (before polishing) */
    /* Certificate of the last solve: 0 none; 1 primal infeasibility, a
     * direction y (length m_eq + m_ineq, rows of A then C) with A'y_A + C'y_C
     * ~ 0, y_C >= 0 and b'y_A + d'y_C < 0; 2 dual infeasibility (unbounded),
     * a direction v (length n) with P v ~ 0, A v ~ 0, C v <= ~0, q'v < 0.
     * Unscaled, infinity norm 1; valid until the next solve. */
    int cert_kind;
    const double *certificate;
} dqp_admm_info;

dqp_status dqp_admm_get_info(const void *self, dqp_admm_info *info);

/* Sparse views of a problem, shared with the adapters (ipopt.c, clp.c).
 * Upper triangle of P (n x n CSC): sparse UPPER copied, sparse FULL
 * filtered to row <= column, dense: every upper entry (explicit zeros
 * included, so the pattern does not depend on the values), absent: empty.
 * Stacked constraint rows [A; C] ((m_eq + m_ineq) x n CSC, dense inputs with
 * every entry stored). NULL when out of memory. */
dqp_csc *dqp_admm_upper_P(const dqp_problem *prob);
dqp_csc *dqp_admm_stack_rows(const dqp_problem *prob);

#endif
