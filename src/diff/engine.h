/* engine.h - internal layout of the dqp_solver handle and the engine's helpers. */
#ifndef DQP_ENGINE_H
#define DQP_ENGINE_H

#include "core/internal.h"
#include "linsys/kkt.h"
#include "solvers/solver.h"

struct dqp_solver {
    dqp_settings s;
    dqp_user_solver_fn cb;
    void *cb_user;

    /* forward solver: kept between solves of the same problem for warm starts */
    const dqp_qp_backend *backend;
    void *bself;
    const dqp_problem *bprob; /* problem the backend was set up with */
    int have_previous;        /* z/lam/mu/active hold a previous solution */

    const dqp_problem *prob; /* last solved problem (borrowed) */
    int64_t n, meq, mineq;
    double *z, *lam, *mu;
    double *rownorm;          /* norms of C's rows (1 when not normalizing) */
    unsigned char *is_active; /* length mineq */
    int64_t *active;          /* J, increasing */
    int64_t nact;
    int ready; /* derivative prepared */

    dqp_kkt *kkt; /* reduced KKT, N = n + meq + nact (NULL when ksolve serves) */
    /* 0: kkt is a factorization of K_J; 1: kkt refines against K_J with the
     * forward solver's factorization (kkt_reuse); 2: the forward solver's
     * own solver of K_J serves (kkt_solve: ksolve, ksolve_user), no kkt */
    int reusing;
    dqp_qp_kkt_solve_fn ksolve;
    void *ksolve_user;
    dqp_csc *H, *G; /* upper(P) and [A; C_J] (owned; built when needed) */
    double *work;   /* 3 * N scratch */
    int64_t work_len;

    dqp_info info;
    char qp_name[DQP_NAME_LEN];
    char lin_name[DQP_NAME_LEN];
    char last_error[DQP_MESSAGE_LEN];
};

/* Monotonic wall clock in seconds. */
double dqp_now(void);

/* Set h->last_error and return code. */
dqp_status dqp_solver_fail(dqp_solver *h, dqp_status code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Log through the settings' callback when verbose >= level (never prints). */
void dqp_solver_log(const dqp_solver *h, dqp_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Sparse copies of the problem's matrices in CSC: upper triangle of P (sums
 * nothing: entries are taken as stored/averaged), and rows of A and C. */
dqp_csc *dqp_upper_P(const dqp_problem *prob);
dqp_csc *dqp_rows_csc(const dqp_problem *prob, char which);

/* y += M x (alpha = 1) or y += M' x (trans), for the problem's A or C,
 * sparse or dense. P: y += P x with the full symmetric P. */
void dqp_prob_matvec(const dqp_problem *prob, char which, int trans, const double *x, double *y);

/* Build and factor the reduced KKT for the current active set; sets
 * derivative flags for singular cases. */
dqp_status dqp_engine_prepare(dqp_solver *h);

/* Solve K y = r with the reduced KKT (N = n + meq + nact), nrhs blocks. */
dqp_status dqp_engine_kkt_solve(dqp_solver *h, double *r, int64_t nrhs);

/* batch.c: dqp_batch_solve with a given symbolic cache (NULL: none), so that
 * tests can read its hit counts; dqp_batch_solve uses a fresh one per call. */
dqp_status dqp_batch_solve_cached(dqp_solver *const *handles, const dqp_problem *const *problems,
                                  int64_t count, int threads, dqp_status *statuses,
                                  dqp_symcache *cache);

#endif
