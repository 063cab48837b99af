/* ipm_internal.h - state and internal functions of the interior-point solver (ipm*.c).
 *
 * Problem seen by the iterations (scaled, see ipm_scaling.c):
 *
 *     minimize    1/2 x'Px + q'x
 *     subject to  A x = b                 (p rows: the rows of the canonical A)
 *                 G x + s = h,  s >= 0    (m rows: rows of C with two or more entries)
 *                 sg_k x_j(k) + t_k = beta_k,  t >= 0   (nb bound rows: rows of C with
 *                                          exactly one nonzero entry; sg = +-1)
 *
 * Duals: y (A), z >= 0 (G), w >= 0 (bounds); stationarity
 *     P x + q + A'y + G'z + B'w = 0,   B = signed selection of the bound rows.
 * Rows of A and G are stored together as one matrix R = [A; G] (rows 0..p-1
 * and p..p+m-1), their duals as one vector yz = [y; z], right-hand sides
 * rhs = [b; h].
 *
 * Proximal method of multipliers (Rockafellar 1976; Friedlander and Orban
 * 2012; the PIQP paper, Schwan, Jiang, Kuhn and Jones 2023): each iteration
 * takes one Newton step on the barrier KKT system of the subproblem with
 * proximal centers (xi, yzbar, wbar) and weights rho (primal), delta (dual):
 *     P x + q + R'yz + B'w + rho (x - xi)        = 0
 *     A x - b           - delta (y - ybar)        = 0
 *     G x + s - h       - delta (z - zbar)        = 0
 *     B x + t - beta    - delta (w - wbar)        = 0
 *     s.z = sigma mu,  t.w = sigma mu.
 * The Newton matrix is quasi-definite (Vanderbei 1995) for rho, delta > 0:
 *     [ P + rho I + diag(B'(T/W + delta)^{-1}B)   R'               ]
 *     [ R                                        -diag(delta, S/Z + delta) ]
 * so a static-pivot LDL' with any symmetric ordering exists; the symbolic
 * analysis is done once at setup.
 */
#ifndef DQP_IPM_INTERNAL_H
#define DQP_IPM_INTERNAL_H

#include "linsys/kkt.h"
#include "solvers/ipm.h"

#include <time.h>

/* Tunable parameters (keywords, see ipm.c). */
typedef struct dqp_ipm_params {
    int ruiz_iter;                 /* Ruiz equilibration sweeps */
    int scale_cost;                /* 1: scale the objective too */
    double rho_init;               /* initial primal proximal weight (scaled problem) */
    double delta_init;             /* initial dual proximal weight */
    double reg_min;                /* lower limit of rho and delta */
    double tau;                    /* fraction to the boundary */
    int max_refine;                /* iterative refinement steps per KKT solve */
    double pinf_tol;               /* primal infeasibility certificate tolerance (relative) */
    double dinf_tol;               /* dual infeasibility certificate tolerance (relative) */
    char lin_solver[DQP_NAME_LEN]; /* KKT backend name or "auto" */
    int polish;                    /* 1: polish a converged point (ipm_polish.c) */
} dqp_ipm_params;

typedef struct dqp_ipm {
    /* ---- sizes */
    int64_t n, me, mi; /* the canonical problem */
    int64_t p, m, nb;  /* equality rows, general inequality rows, bound rows */
    int64_t mr;        /* p + m: rows of R */

    /* ---- structure (fixed at setup) */
    const dqp_problem *prob;
    uint64_t signature; /* hash of the kinds, storage and patterns of P, A, C */
    int dense_input;    /* some matrix was given dense: pattern = nonzeros at setup */
    dqp_csc *Pu;        /* upper triangle of P with full diagonal (unscaled values) */
    int64_t *Pu_src;    /* Pu value k <- source value index (-1: diagonal filler) */
    int64_t *Pu_diag;   /* position of the diagonal of column j in Pu */
    dqp_csc *R;         /* [A; G] (unscaled values) */
    int64_t *R_src;     /* R value k <- source index: >= 0 into A's values,
                           < 0: -1 - (index into C's values) */
    int64_t *c_kind;    /* row i of C: >= 0 row of G (0..m-1), < 0: bound -1-k */
    int64_t *g_row;     /* G row r -> row of C */
    int64_t *b_row;     /* bound k -> row of C */
    int64_t *b_var;     /* bound k -> variable */
    int64_t *b_src;     /* bound k -> source index of its coefficient in C */
    double *b_coef;     /* bound k: coefficient c of c x_j <= d (unscaled, nonzero) */
    double *b_rhs;      /* bound k: d (unscaled) */
    double *q0, *rhs0;  /* q and [b; h] unscaled */

    /* ---- scaling (ipm_scaling.c) */
    double *Dx;          /* x = Dx .* xs */
    double *Er;          /* scaled row i of R = Er_i * row i */
    double cs;           /* objective scaling */
    double *Ps;          /* scaled values of Pu */
    double *Rsx;         /* scaled values of R (same pattern) */
    double *qs, *rhss;   /* scaled q and [b; h] */
    double *bsg, *bbeta; /* scaled bounds: sg_k x_j <= beta_k */

    /* ---- KKT (ipm_kkt.c) */
    dqp_kkt *kkt;
    double *Hx;        /* values of the (1,1) block in Pu's pattern */
    double *Dk;        /* (2,2) block diagonal, length mr */
    double *kx;        /* right-hand side / solution, length n + mr */
    double *kb, *kr;   /* refinement: copy of the right-hand side, residual (n + mr) */
    int64_t n_analyze; /* symbolic analyses done (1 after setup, unchanged by update) */
    int64_t n_factor;  /* numeric factorizations over the object's life */
    double *Wtf;       /* T/W + delta of the bounds at the last factorization */
    double rho_f, delta_f; /* rho and delta at the last factorization */
    int factor_ok;     /* the last factorization succeeded */

    /* ---- reuse of the last factorization by the engine (ipm_reuse.c) */
    int reuse_ok;      /* the last solve returned SOLVED and nothing changed since */
    int64_t *jrow;     /* rows of C in the engine's J, in its order (length mi) */
    int64_t *cpos;     /* row of C -> its position in J, -1 outside (length mi) */
    double *jscale;    /* their row scales (length mi) */
    int64_t jn;        /* |J| */
    double *jv;        /* power-iteration vectors (2 (n + me + mi)) */

    /* ---- the polish's KKT object, offered first (ipm_polish.c) */
    dqp_kkt *pol_kkt;  /* K on the polish's active set (unscaled data), factored
                          when the polish was accepted, found singular when
                          pol_singular; NULL: none */
    int64_t *pol_rpos; /* row of R -> its row, -1 outside (mr) */
    int64_t *pol_bpos; /* bound -> its row, -1 outside (nb) */
    double *pol_x;     /* work, n + its rows */
    int pol_singular;  /* the polish found K on its active set singular */
    double pol_null[2]; /* then: the shares of its near-null vector (primal, dual) */
    dqp_csc *pol_G;    /* then: its G (rows as pol_kkt's), to rescale its rows */
    double *pol_js;    /* once pol_kkt is in least-norm mode on the engine's rows
                          (rows divided by these scales, per row of C): the
                          scales (mi); NULL before */
    int pol_kept;      /* pol_kkt is in least-norm mode on the factorization that
                          found it singular (dqp_kkt_least_norm_keep), not yet
                          refactored with the least-norm regularization */

    /* ---- iterates (scaled) */
    double *x, *yz, *s, *w, *t;
    double *xi, *yzbar, *wbar;       /* proximal centers */
    double *dx, *dyz, *ds, *dw, *dt; /* step */
    double *rx, *ryz, *rw;           /* residuals of the linear equations (right-hand sides) */
    double *rs, *rt;                 /* complementarity right-hand sides */
    double rho, delta, mu, reg_limit;
    double prim_nr, dual_nr;              /* unregularized scaled residual norms */
    int no_primal_update, no_dual_update; /* consecutive iterations without center update */
    int slow_prim, slow_dual;             /* consecutive iterations with < 5% residual decrease */

    /* ---- unscaled evaluation (ipm_resid.c) */
    double *zu;             /* candidate z (n) */
    double *wn, *wn2;       /* work n */
    double *wr, *wu;        /* work mr */
    double *wb;             /* work nb */
    double pres, dres, gap; /* unscaled residuals of the last evaluation */
    double pres_scale, dres_scale, gap_scale;

    /* ---- settings */
    double eps_abs, eps_rel, time_limit;
    double eps_active; /* the engine's active-set test (settings), used by the polish */
    int act_normalize; /* ... with rows scaled to unit norm (normalize_constraints) */
    int64_t max_iter;
    dqp_ipm_params prm;

    dqp_log_fn log; /* settings' log callback (NULL: none) and verbosity */
    void *log_user;
    int verbose;
    double last_ap, last_ad, last_sigma; /* of the last step, for the log */

    /* ---- warm start */
    int warm_set;
    double *warm_x, *warm_lam, *warm_mu;
    int warm_has_x, warm_has_lam, warm_has_mu;

    /* ---- per solve */
    int64_t iter;
    struct timespec t0;
    int pinf_count, dinf_count;
    int64_t factor_retries;
    dqp_message msg;
} dqp_ipm;

/* ipm_data.c: structure from the problem, value loading, output mapping. */
uint64_t dqp_ipm_signature(const dqp_problem *prob);
dqp_status dqp_ipm_build(dqp_ipm *w, const dqp_problem *prob, dqp_message *msg);
dqp_status dqp_ipm_load(dqp_ipm *w, const dqp_problem *prob, dqp_message *msg);
void dqp_ipm_unscale_point(dqp_ipm *w, const double *x, const double *yz, const double *wv,
                           double *z, double *lam, double *mu);
void dqp_ipm_scale_point(dqp_ipm *w, const double *z, const double *lam, const double *mu);

/* ipm_scaling.c: Ruiz equilibration and the scaled copy of the data. */
void dqp_ipm_scale(dqp_ipm *w);

/* ipm_kkt.c: Newton systems. */
dqp_status dqp_ipm_kkt_create(dqp_ipm *w, dqp_message *msg);
int dqp_ipm_kkt_factor(dqp_ipm *w, int initial);
int dqp_ipm_kkt_direction(dqp_ipm *w);
int dqp_ipm_kkt_solve(dqp_ipm *w, double *x);

/* ipm_reuse.c: the backend's kkt_reuse (solver.h). */
/* Load the engine's J (cpos, jrow, jscale, jn; rowscale NULL: all 1). */
dqp_status dqp_ipm_load_j(dqp_ipm *w, const int64_t *active, int64_t nact,
                          const double *rowscale);
dqp_status dqp_ipm_kkt_reuse(void *self, const int64_t *active, int64_t nact,
                             const double *rowscale, dqp_kkt_apply_fn *apply, void **user);

/* ipm_init.c: starting point. */
int dqp_ipm_start(dqp_ipm *w);

/* ipm_resid.c: residuals, termination, infeasibility certificates. */
void dqp_ipm_residuals(dqp_ipm *w);
/* The same for an unscaled point: z, y = duals of R's rows, yb = bound duals. */
void dqp_ipm_residuals_at(dqp_ipm *w, const double *z, const double *y, const double *yb);
int dqp_ipm_converged(dqp_ipm *w);
int dqp_ipm_primal_infeasible(dqp_ipm *w);
int dqp_ipm_dual_infeasible(dqp_ipm *w);

/* ipm_iter.c: the iterations. */
dqp_qp_status dqp_ipm_iterate(dqp_ipm *w);

/* ipm_polish.c: replace the unscaled point (z, lam, mu) of a converged solve
 * by the solution of the equality QP on the guessed active set when that is
 * optimal to the same tolerances; otherwise leave it. Fails only for
 * out-of-memory. */
dqp_status dqp_ipm_polish(dqp_ipm *w, double *z, double *lam, double *mu, dqp_message *msg);
/* Free the kept polish factorization (new solve, update, destroy). */
void dqp_ipm_polish_release(dqp_ipm *w);
/* The kkt_solve hook (solver.h): the polish's KKT object when its active
 * set is the engine's J. */
dqp_status dqp_ipm_polish_solver(void *self, const int64_t *active, int64_t nact,
                                 const double *rowscale, dqp_qp_kkt_solve_fn *solve,
                                 void **user);
/* The kkt_singular hook (solver.h): the polish's finding for the engine's J. */
int dqp_ipm_kkt_singular(void *self, const int64_t *active, int64_t nact, double shares[2]);

/* ipm_reuse.c: elimination orders for reduced KKT systems [x; rows] induced
 * by the Newton system's order. src[t] (t < N) is the Newton-system row of
 * the reduced system's row t, or -1 for a bound row (eliminated first: a
 * single entry in its column, so no fill). DQP_ERR_UNSUPPORTED when the
 * Newton system's backend exposes no order. */
dqp_status dqp_ipm_induced_order(const dqp_ipm *w, const int64_t *src, int64_t N, int64_t *order);
/* The kkt_order hook (solver.h) for the engine's J. */
dqp_status dqp_ipm_kkt_order(void *self, const int64_t *active, int64_t nact, int64_t *order);

/* Small vector kernels (ipm_resid.c). */
double dqp_ipm_norm_inf(const double *v, int64_t len);
double dqp_ipm_dot(const double *a, const double *b, int64_t len);
/* y (+)= P x for the symmetric matrix stored as upper triangle (Up, Ui) with values Ux. */
void dqp_ipm_sym_mv(const dqp_csc *U, const double *Ux, const double *x, double *y);
/* y = M x (M is rows x cols, values Mx), y = M' x. */
void dqp_ipm_mv(const dqp_csc *M, const double *Mx, const double *x, double *y);
void dqp_ipm_mtv(const dqp_csc *M, const double *Mx, const double *x, double *y);

#endif
