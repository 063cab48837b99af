/* solver.h - the forward QP solver interface (internal vtable) and registry.
 *
 * Every forward solver (our own dense active-set, interior-point, ADMM; the
 * adapters; the user callback) implements this table. The differentiation
 * engine only sees z*, lambda*, mu* and a status, so any solver works as a
 * black box. Signs follow method.md: P z + q + A'lambda + C'mu = 0, mu >= 0.
 */
#ifndef DQP_SOLVER_H
#define DQP_SOLVER_H

#include "core/internal.h"
#include "dqp/solve.h"
#include "linsys/kkt.h"

/* Capability flags. */
enum {
    DQP_CAP_DUALS = 1,     /* returns lambda and mu */
    DQP_CAP_SPARSE = 2,    /* accepts sparse problems */
    DQP_CAP_DENSE = 4,     /* accepts dense problems */
    DQP_CAP_WARM = 8,      /* uses warm starts */
    DQP_CAP_QUADRATIC = 16 /* accepts P != 0 (without it: linear programs only) */
};

/* Buffers and results of one solve. The caller (engine) allocates z (n),
 * lam (m_eq) and mu (m_ineq); the solver fills them. */
typedef struct dqp_qp_output {
    double *z, *lam, *mu;
    int has_duals; /* 1 when lam and mu were filled by the solver */
    dqp_qp_status status;
    int64_t iterations;
    double objective; /* 1/2 z'Pz + q'z at the returned z */
} dqp_qp_output;

/* Solves with the reduced KKT held by a forward solver (kkt_solve below):
 * x (N x nrhs, column-major) <- K_J^{-1} x, or K_J^+ x when K_J is singular
 * (as dqp_kkt_solve_pinv, with its *lstsq). *solves += the right-hand sides
 * it put through its factorization (dqp_kkt_info.solves), failed calls
 * included. */
typedef dqp_status (*dqp_qp_kkt_solve_fn)(void *user, double *x, int64_t nrhs, int *lstsq,
                                          int64_t *solves);

typedef struct dqp_qp_backend {
    const char *name;
    const char *description; /* one line for `dqp solvers` */
    unsigned caps;
    /* Build the solver for this problem (pattern and values). The settings
     * give eps_abs, eps_rel, max_iter (0 = own default), time_limit and
     * qp_solver_keywords (unknown keys must be rejected with DQP_ERR_VALUE
     * naming the key and listing the valid ones). The problem stays alive
     * and unchanged between setup and destroy except through update(). */
    dqp_status (*setup)(void **self, const dqp_problem *prob, const dqp_settings *s,
                        dqp_message *msg);
    /* New values with the same sizes and sparsity patterns. */
    dqp_status (*update)(void *self, const dqp_problem *prob, dqp_message *msg);
    /* Warm start from a previous point (any pointer may be NULL) and, for
     * active-set solvers, a previous active set (length m_ineq, 1 = active;
     * may be NULL). Applied to the next solve only. */
    dqp_status (*warm_start)(void *self, const double *z, const double *lam, const double *mu,
                             const unsigned char *active);
    /* Solve. Returns DQP_OK whenever out->status describes the outcome
     * (including infeasible); an error code only for invalid use/NOMEM. */
    dqp_status (*solve)(void *self, dqp_qp_output *out, dqp_message *msg);
    void (*destroy)(void *self); /* accepts NULL */
    /* Optional (NULL: not offered). Right after a solve that returned
     * DQP_QP_SOLVED: the solver's last factored Newton matrix M as an
     * approximate inverse of the engine's reduced KKT matrix
     *     K_J = [P A' C_J'; A 0 0; C_J 0 0]      (N = n + m_eq + nact),
     * row k of C_J = row active[k] of C divided by rowscale[active[k]].
     * DQP_OK with *apply, *user (x <- M^{-1} x on N-vectors in the problem's
     * coordinates, see dqp_kkt_apply_fn) only when the solver has checked,
     * in its own scaling, that ||M^{-1} (M - K_J)||_2 <= 0.1: then K_J is
     * nonsingular and refinement against K_J gains a digit or more per
     * step. Otherwise an error code, and the engine factors K_J itself.
     * Valid until the next call of any other function of this table. */
    dqp_status (*kkt_reuse)(void *self, const int64_t *active, int64_t nact, const double *rowscale,
                            dqp_kkt_apply_fn *apply, void **user);
    /* Optional (NULL: no information). Right after a solve that returned
     * DQP_QP_SOLVED: 1 when the solver has itself found K_J (as in
     * kkt_reuse; row scaling does not matter) numerically singular, with
     * shares[0], shares[1] the block shares of its near-null vector (see
     * dqp_kkt_info.null_primal, null_dual); 0 when it does not know. The
     * engine then factors K_J once, in least-norm mode. */
    int (*kkt_singular)(void *self, const int64_t *active, int64_t nact, double shares[2]);
    /* Optional (NULL: none). Right after a solve: a fill-reducing elimination
     * order for K_J (as in kkt_reuse), induced by the order of the solver's
     * own factored KKT system when that system's graph contains K_J's:
     * order[k] (length n + m_eq + nact) = row of K_J eliminated k-th.
     * DQP_OK when filled; otherwise the engine's linear solver orders K_J
     * itself (AMD), which costs more than the factorization on some
     * problems. */
    dqp_status (*kkt_order)(void *self, const int64_t *active, int64_t nact, int64_t *order);
    /* Optional (NULL: not offered). Right after a solve that returned
     * DQP_QP_SOLVED: a solver of K_J itself (as in kkt_reuse, rows of C_J
     * divided by rowscale), when the forward solver holds a factorization
     * of that very matrix or of its pattern (ipm: its polish's, when the
     * polish's active set is J). DQP_OK with *solve, *user: solve(user, x,
     * nrhs, lstsq) overwrites the nrhs columns of x (N each) with K_J^{-1} x
     * (K_J^+ x when K_J is singular, where the solver has found that, and
     * then says so through kkt_singular), refined against K_J to the KKT
     * layer's tolerances (dqp_kkt_solve_pinv), or returns an error code
     * (then the engine factors K_J itself). The engine tries this first and
     * then assembles nothing. Otherwise an error code. Valid as kkt_reuse's
     * apply. */
    dqp_status (*kkt_solve)(void *self, const int64_t *active, int64_t nact, const double *rowscale,
                            dqp_qp_kkt_solve_fn *solve, void **user);
} dqp_qp_backend;

/* Registry of the forward solvers compiled in. */
int dqp_qp_backend_count(void);
const dqp_qp_backend *dqp_qp_backend_get(int i);
const dqp_qp_backend *dqp_qp_backend_find(const char *name);

#endif
