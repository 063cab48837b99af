/* dqp/solve.h - solve a QP and differentiate its solution.
 *
 * A dqp_solver handle owns the settings, the forward solver, the last
 * solution and the factorization of the reduced KKT matrix
 *
 *     K = [ P  A'  C_J' ]      J = active inequality rows
 *         [ A  0   0    ]
 *         [ C_J 0  0    ]
 *
 * which every derivative call on that solution reuses. Signs (method.md):
 * Lagrangian 1/2 z'Pz + q'z + lambda'(Az - b) + mu'(Cz - d), mu >= 0,
 * stationarity P z + q + A'lambda + C'mu = 0; mu is exactly 0 on inactive
 * rows. One handle per thread; handles share nothing.
 */
#ifndef DQP_SOLVE_H
#define DQP_SOLVE_H

#include "dqp/problem.h"
#include "dqp/settings.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Outcome of the forward solve (a result, not an error). */
typedef enum dqp_qp_status {
    DQP_QP_UNSOLVED = 0,
    DQP_QP_SOLVED = 1,
    DQP_QP_SOLVED_INACCURATE = 2, /* near optimal but above the requested tolerance */
    DQP_QP_PRIMAL_INFEASIBLE = 3,
    DQP_QP_DUAL_INFEASIBLE = 4, /* unbounded below */
    DQP_QP_MAX_ITER = 5,
    DQP_QP_TIME_LIMIT = 6,
    DQP_QP_NUMERICAL_ERROR = 7,
    DQP_QP_NOT_CONVEX = 8 /* negative curvature found: P not positive semidefinite */
} dqp_qp_status;

DQP_API const char *dqp_qp_status_string(dqp_qp_status s);

/* Derivative status: DQP_DIFF_REGULAR or a combination of flags. LICQ and
 * SINGULAR_HESSIAN both mean a singular reduced KKT and a least-norm
 * derivative; which one is told by a near-null vector, except when counting
 * alone proves it (more active rows than variables: LICQ; fewer active rows
 * plus nonzero diagonal entries of P than variables: SINGULAR_HESSIAN), and
 * then the other kind is not looked for - except that a right-hand side with
 * zero dual part (a VJP seeded on z alone) found outside the range of K
 * (LEAST_SQUARES) proves SINGULAR_HESSIAN, which is then added. */
enum {
    DQP_DIFF_REGULAR = 0,            /* exact derivative: LICQ, strict complementarity, K regular */
    DQP_DIFF_WEAKLY_ACTIVE = 1,      /* rows with slack < eps_active and mu ~ 0: one-sided */
    DQP_DIFF_LICQ = 2,               /* active rows dependent: least-norm derivative */
    DQP_DIFF_SINGULAR_HESSIAN = 4,   /* P singular on null(A~): solution not unique, least-norm */
    DQP_DIFF_INCONSISTENT = 8,       /* solver output inconsistent (mu on large slack, residual) */
    DQP_DIFF_DUALS_RECOVERED = 16,   /* duals computed by dqp, not taken from the solver */
    DQP_DIFF_FAILED = 32,            /* no derivative available (see last error) */
    DQP_DIFF_LEAST_SQUARES = 64      /* a seed or direction was not in the range of the
                                        singular reduced KKT: the minimum-norm
                                        least-squares solution (see below) */
};
/* Least squares (LEAST_SQUARES): the result is the minimum-norm
 * least-squares solution K^+ r of the reduced KKT system, where K's
 * singular values have a clear gap between the null space and the rest.
 * Measured against the dense pseudo-inverse on the Maros-Meszaros K_J with
 * such a gap (random right-hand sides with parts in the primal block, the
 * dual block or both; the largest error relative to max |K^+ r|): 3e-14 to
 * 6.6e-10 on QSCAGR7, QSCTAP1, QSCRS8, QBORE3D, QE226 and CVXQP1_S
 * (smallest nonzero singular value 1.7e-7 of the largest), 3.1e-10 on
 * QSCFXM2, 1.1e-6 on QSHARE2B (smallest nonzero singular value near the
 * regularization); tests/diff/test_least_squares.c checks QSCAGR7 and
 * QGROW7. The least-squares solve is one fixed symmetric linear operator
 * per factorization, like K^+ itself, so the adjoint identity (VJP against
 * JVP, random seeds on z, lambda and mu and random directions on all data)
 * holds to 4e-9 relative on all 132 Maros-Meszaros problems, to 1e-9 on
 * 130 and to 1e-12 on 122. Where K has singular values between about 1e-13
 * and 1e-8 of its largest (below the regularization), the numerical rank,
 * and with it K^+, depends on where one cuts: the result then damps such
 * directions smoothly instead of cutting them, and differs from an SVD cut
 * at any fixed ratio (QISRAEL, QPCBLEND, QPCBOEI1/2, QSHARE1B, QBRANDY,
 * QPILOTNO, DUALC8, the CVXQP*_M/_L, KSIP, LISWET); VJP and JVP still agree
 * there, but only when both take this path (a seed or direction that is in
 * K's range is solved by refinement to convergence instead). The
 * derivative is not unique there in any case (P singular on null(A~), or
 * nearly dependent active rows).
 * Nearly dependent active rows (LICQ found by a near-null vector) fall in
 * the same class: on LISWET1-12 (9981 to 10000 of the 10000 second-difference
 * rows active; on LISWET1 K_J's smallest eigenvalue is ~1e-14 of its
 * largest) the exact VJP seeded with ones on z is dq = -1, dd = 0; dq agrees
 * to 4e-12 and dd to 2.3e-8 (of |w| = 1), the drift along those nearly
 * dependent rows' directions that the least-norm regularization leaves. */

typedef struct dqp_info {
    dqp_qp_status qp_status;
    int64_t iterations;
    double objective;          /* 1/2 z'Pz + q'z */
    unsigned derivative_status; /* DQP_DIFF_* flags */
    int64_t n_active;          /* |J| */
    int64_t n_weak;            /* weakly active rows (also in J under the default convention) */
    double stationarity;       /* ||P z + q + A'lambda + C'mu||_inf after dual handling */
    double solve_seconds;      /* forward solve */
    double setup_seconds;      /* active set, duals, reduced KKT factorization */
    double derivative_seconds; /* last derivative call (vjp, jvp or jacobian) */
    const char *qp_solver;     /* name of the forward solver used */
    const char *lin_solver;    /* KKT backend of the reduced system; "reuse:<qp_solver>" when
                                  the forward solver's factorization served (no factorization) */
    int64_t kkt_solves;        /* last derivative call: right-hand sides put through the
                                  factorization of the reduced KKT (refinement, GMRES and
                                  least-norm clean-up steps all count; about 2 for a regular
                                  K_J, tens for a singular one). With derivative_seconds, where
                                  a backward's time goes */
} dqp_info;

typedef struct dqp_solver dqp_solver;

/* User-callback forward solver (the black-box path). Fill z (length n) and,
 * if it can, lambda (m_eq) and mu (m_ineq) in dqp's signs, then set
 * *has_duals = 1. Return 0 on success, nonzero when it failed (the solve
 * then reports DQP_QP_NUMERICAL_ERROR). */
typedef int (*dqp_user_solver_fn)(void *user, const dqp_problem *prob, double *z, double *lambda,
                                  double *mu, int *has_duals);

/* Create a handle with a copy of the settings (validated). */
DQP_API dqp_status dqp_solver_create(dqp_solver **out, const dqp_settings *settings,
                                     dqp_message *msg);
DQP_API void dqp_solver_destroy(dqp_solver *h); /* accepts NULL */

/* Use a callback as the forward solver (overrides qp_solver); fn NULL restores. */
DQP_API dqp_status dqp_solver_set_callback(dqp_solver *h, dqp_user_solver_fn fn, void *user);

/* Solve and prepare the derivative. Returns DQP_OK when the call itself
 * worked: check dqp_solver_info() for the QP status and the derivative
 * status. The problem must stay alive and unchanged until the next solve
 * (the handle keeps a pointer to it for derivative calls). */
DQP_API dqp_status dqp_solver_solve(dqp_solver *h, const dqp_problem *prob);

DQP_API const dqp_info *dqp_solver_info(const dqp_solver *h);
DQP_API const double *dqp_solver_z(const dqp_solver *h);      /* length n */
DQP_API const double *dqp_solver_lambda(const dqp_solver *h); /* length m_eq */
DQP_API const double *dqp_solver_mu(const dqp_solver *h);     /* length m_ineq, 0 off J */
/* Active rows of C, increasing; returns |J| and sets *rows (may be NULL). */
DQP_API int64_t dqp_solver_active(const dqp_solver *h, const int64_t **rows);

/* Gradients of a scalar loss with respect to the data. Each pointer may be
 * NULL (not wanted). Sizes: dP: nnz(P) for sparse P (order of the stored
 * values, meaning as documented in problem.h) or n*n row-major for dense
 * P; dq: n; dA: nnz(A) or m_eq*n; db: m_eq; dC: nnz(C) or m_ineq*n; dd:
 * m_ineq. */
typedef struct dqp_grad {
    double *dP, *dq, *dA, *db, *dC, *dd;
} dqp_grad;

/* Reverse mode. Seeds on z (n), lambda (m_eq), mu (m_ineq); NULL = 0.
 * Seeds on mu of inactive rows have no effect (mu is identically 0 there). */
DQP_API dqp_status dqp_solver_vjp(dqp_solver *h, const double *gz, const double *glambda,
                                  const double *gmu, dqp_grad *out);

/* Forward mode. Directions in the same layout as dqp_grad (NULL = 0) give
 * dz (n), dlambda (m_eq), dmu (m_ineq); any output may be NULL. */
typedef struct dqp_dir {
    const double *dP, *dq, *dA, *db, *dC, *dd;
} dqp_dir;
DQP_API dqp_status dqp_solver_jvp(dqp_solver *h, const dqp_dir *dir, double *dz,
                                  double *dlambda, double *dmu);

/* Full Jacobian of y = (z, lambda, mu) (length n + m_eq + m_ineq = ny) with
 * respect to 'q', 'b', 'd' or the stored values of 'P', 'A', 'C' (nw
 * columns = length of that data). J is column-major ny x nw: column k is
 * dy/dw_k, at J[k * ny .. k * ny + ny - 1]. */
DQP_API dqp_status dqp_solver_jacobian(dqp_solver *h, char wrt, double *J);

DQP_API const char *dqp_solver_last_error(const dqp_solver *h);

/* ------------------------------------------------------------------ batches
 * Independent problems solved and differentiated in parallel with OpenMP,
 * one handle per problem (handles[k] works on problems[k]); nothing mutable
 * is shared, so the results are bit-identical for any thread count.
 * threads: 0 = OpenMP default, 1 = serial. statuses[k] (may be NULL)
 * receives each call's status; the return value is DQP_OK when every call
 * returned DQP_OK, else the first failing status in index order. */
DQP_API dqp_status dqp_batch_solve(dqp_solver *const *handles, const dqp_problem *const *problems,
                                   int64_t count, int threads, dqp_status *statuses);

/* Reverse mode over a batch: seeds gz[k], glambda[k], gmu[k] (arrays of
 * pointers, each array or entry may be NULL) and outputs out[k]. */
DQP_API dqp_status dqp_batch_vjp(dqp_solver *const *handles, int64_t count,
                                 const double *const *gz, const double *const *glambda,
                                 const double *const *gmu, dqp_grad *out, int threads,
                                 dqp_status *statuses);

#ifdef __cplusplus
}
#endif
#endif
