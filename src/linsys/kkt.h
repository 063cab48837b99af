/* kkt.h - the KKT linear-solver layer (internal API).
 *
 * Solves K x = r for the symmetric, generally indefinite matrix
 *
 *         [ H   G' ]      H  n x n, positive semidefinite (given as its upper triangle)
 *     K = [ G  -D  ]      G  m x n, D = diag(D_1..D_m) >= 0 (may be all zero)
 *
 * which is the shape of every system in dqp: the reduced KKT matrix of the
 * differentiation engine (G = [A; C_J], D = 0) and the Newton system of the
 * interior-point method (D = diagonal of slack/dual ratios and proximal terms).
 *
 * Layers:
 *   dqp_kkt          assembles K (upper triangle, CSC, full diagonal always in
 *                    the pattern), keeps maps from H, G, D values to K values so
 *                    that new values cost no symbolic work, applies static
 *                    regularization  K + R,  R = diag(+delta I_n, -delta I_m),
 *                    and iterative refinement against the unregularized K;
 *   backends         factor a symmetric matrix given by its upper triangle
 *                    (vtable dqp_linsys_backend, chosen by name).
 *
 * Least-norm mode. If K is singular but r is in its range (dependent rows of G
 * or H singular on null(G)), refinement started from x = 0 with the
 * regularized factorization converges to the minimum-norm solution: null(K)
 * splits as (null H cap null G) x null(G'), each step's correction
 * (K+R)^{-1} t with t in range(K) has no component in null(K) because R is
 * a multiple of the identity on each block and commutes with the projector.
 * In floating point each solve still adds a null(K) component of relative size
 * ~ eps * growth / delta; kkt.c removes it afterwards with a few solves of
 * (K+R)^{-1} R, which is the identity on null(K) and contracts range(K).
 * A stationary step contracts the error by delta / (sigma + delta) only, for
 * eigenvalues sigma of K near delta; columns that have not converged after a
 * few steps continue with GMRES cycles right-preconditioned by (K+R)^{-1}
 * (whose Krylov space stays in range(K) for the same reason), the outer
 * residuals in extended precision. A right-hand side outside range(K) shows
 * as a cycle that does not halve the residual.
 *
 * Singular K outside least-norm mode: dqp_kkt_factor estimates
 * delta * ||(K+R)^{-1}||_2 (3 extra solves; ~1 for singular K, small for
 * regular K) and fails with DQP_ERR_SINGULAR when it is >= 0.1, unless
 * check_singular is 0. Pivot counts cannot decide this: with static pivots
 * (ldl, cholmod) a D = 0 row eliminated first has pivot -delta in a regular K.
 */
#ifndef DQP_KKT_H
#define DQP_KKT_H

#include "../core/internal.h"

/* ---------------------------------------------------------------- backends */

/* A backend factors S = K + R given as the upper triangle (CSC, sorted rows,
 * diagonal present in every column) of an N x N symmetric matrix. */
typedef struct dqp_linsys_backend {
    const char *name;        /* "ldl", "mumps", "lapack", ... */
    const char *description; /* one line for `dqp solvers` */
    int sparse;              /* 1: exploits sparsity, 0: dense */
    /* Symbolic analysis of the pattern (values of S may be used, need not be).
     * order: NULL, or a fill-reducing elimination order to use instead of the
     * backend's own (order[k] = row/column eliminated k-th, a permutation of
     * 0..N-1, checked by the caller); a backend that cannot take one ignores
     * it. On success *self is the backend's state. msg may receive a reason. */
    dqp_status (*analyze)(void **self, const dqp_csc *S, const int64_t *order, dqp_message *msg);
    /* Numeric factorization with the values Sx (same pattern as analyzed).
     * Reports the inertia of S: positive, negative and zero pivots
     * (zero = exactly zero pivot, which is an error: DQP_ERR_SINGULAR).
     * small_pivot_tol > 0: *nsmall counts pivots with |d| <= small_pivot_tol,
     * or -1 when the backend cannot tell. */
    dqp_status (*factor)(void *self, const double *Sx, double small_pivot_tol, int64_t *npos,
                         int64_t *nneg, int64_t *nsmall, dqp_message *msg);
    /* Solve S x = r for nrhs right-hand sides stored one after another
     * (x[k*N .. k*N+N-1] is the k-th), overwritten in place. */
    dqp_status (*solve)(void *self, double *x, int64_t nrhs, dqp_message *msg);
    void (*destroy)(void *self); /* accepts NULL */
    /* Optional (NULL: not supported). A new state for the pattern `donor` was
     * analyzed with, as if analyze had been called again on that pattern
     * (bit-identical factors and solves); donor is only read. */
    dqp_status (*clone_symbolic)(void **out, const void *donor, dqp_message *msg);
    /* Optional (NULL: not available). The elimination order of an analyzed
     * state (as `order` in analyze), owned by the state. */
    const int64_t *(*order)(const void *self);
} dqp_linsys_backend;

/* Registry: backends compiled into this build, in a fixed order. */
int dqp_linsys_count(void);
const dqp_linsys_backend *dqp_linsys_get(int i);
const dqp_linsys_backend *dqp_linsys_find(const char *name); /* NULL if unknown */
/* The backend "auto" resolves to for a K of dimension N with nnz entries in
 * its upper triangle (rule chosen from bench/linsys measurements). */
const char *dqp_linsys_auto(int64_t N, int64_t nnz_upper);
/* Flops of the numeric factorization an analyzed "ldl" state will do
 * (sum of squared column counts of L); dqp_kkt_create's "auto" uses it. */
double dqp_ldl_flops(const void *ldl_state);

/* ------------------------------------------------------------- KKT object */

typedef struct dqp_kkt_options {
    double reg;       /* static regularization, relative: delta = reg * max(1, max|K_ij|) */
    int max_refine;   /* maximum refinement steps per solve */
    double tol;       /* stop when ||r - K x||_inf <= tol * max(1, ||r||_inf) */
    int least_norm;   /* 1: accept singular consistent K and return the min-norm solution */
    /* Added fields (defaults in dqp_kkt_options_default): */
    double reg_least_norm;     /* reg used instead of `reg` in least-norm mode */
    int max_refine_least_norm; /* max_refine used in least-norm mode */
    double tol_accept;         /* refinement that stalls with tol < residual <= tol_accept
                                  (same scaling as tol) still returns DQP_OK; above: error */
    int check_singular;        /* non-least-norm mode only. 1: dqp_kkt_factor tests whether K
                                  is numerically singular and fails with DQP_ERR_SINGULAR;
                                  0: no test (e.g. interior-point Newton systems, D > 0) */
    const int64_t *order;      /* NULL, or a fill-reducing elimination order of K's N rows
                                  (order[k] = row eliminated k-th; a permutation, else
                                  DQP_ERR_VALUE) for the backend's symbolic analysis in place
                                  of its own (AMD): e.g. one induced by the order of a larger
                                  system that contains K's graph. Used by ldl; ignored by the
                                  other backends. Only read during dqp_kkt_create. */
} dqp_kkt_options;

/* Defaults: reg 1e-10, max_refine 20, tol 1e-13, least_norm 0,
 * reg_least_norm 1e-8, max_refine_least_norm 100, tol_accept 1e-8, check_singular 1,
 * order NULL. */
void dqp_kkt_options_default(dqp_kkt_options *opt);

typedef struct dqp_kkt_info {
    int64_t n, m, N;        /* N = n + m */
    int64_t npos, nneg;     /* inertia of the factored (regularized) matrix */
    int64_t nsmall;         /* pivots with |d| <= 10 delta, -1 unknown (mumps, delta = 0). A hint
                               only: not a rank estimate with static pivots (ldl, cholmod) */
    int refine_steps;       /* last solve: backend solves after the first (max over blocks of
                               8 right-hand sides; least-norm clean-up solves included) */
    int64_t solves;         /* right-hand sides through the backend's solve since the object
                               was created (every kind: refinement, GMRES, clean-up, the
                               singularity test), a measure of the work of solves */
    double residual;        /* last solve: max_k ||r_k - K x_k||_inf / max(1, ||r_k||_inf) */
    int unsettled;          /* last solve: a least-norm clean-up ran out of passes or a
                               pass found more than the one before (its null(K) part may
                               be off; see dqp_kkt_solve_settled) */
    double delta;           /* the absolute regularization used */
    const char *backend;    /* name of the backend in use */
    int least_norm;         /* mode of the current factorization */
    double singular_test;   /* delta * (estimate of ||(K+R)^{-1}||_2) from the singularity test
                               of the last factor: ~1 singular, << 1 regular; -1: not run */
    int symbolic_shared;    /* 1: the symbolic analysis was cloned from a dqp_symcache donor */
    double null_primal;     /* when the test found K singular: the share (2-norm, of a unit
                               vector) of its near-null vector in the first n entries; */
    double null_dual;       /* and in the last m. A null vector of K = [H G'; G 0] (H PSD) is
                               (u, 0) with Hu = Gu = 0 or (0, y) with G'y = 0: the shares tell
                               a singular H on null(G) from dependent rows of G. -1: not run */
} dqp_kkt_info;

/* One object must not be used by two threads at once (it owns workspaces);
 * distinct objects may be used concurrently (the mumps backend serializes its
 * MUMPS calls internally, MUMPS having global Fortran state). */
typedef struct dqp_kkt dqp_kkt;

/* Symbolic setup. H: n x n upper triangle (entries below the diagonal are an
 * error), may be NULL (H = 0). G: m x n, may be NULL when m = 0. D: length m
 * values (NULL = 0). backend: a registered name or "auto". The values given
 * here are loaded; call dqp_kkt_factor before solving. */
dqp_status dqp_kkt_create(dqp_kkt **out, const char *backend, int64_t n, int64_t m,
                          const dqp_csc *H, const dqp_csc *G, const double *D,
                          const dqp_kkt_options *opt, dqp_message *msg);
void dqp_kkt_destroy(dqp_kkt *kkt); /* accepts NULL */
/* An approximate inverse M^{-1} of K supplied by the caller: apply(user, x)
 * overwrites the N-vector x with M^{-1} x. */
typedef dqp_status (*dqp_kkt_apply_fn)(void *user, double *x);

/* A KKT object that factors nothing: dqp_kkt_factor is free, and
 * dqp_kkt_solve runs the usual iterative refinement against K (residuals in
 * extended precision, options' tol and tol_accept) with `apply` in place of
 * the factorization, so it converges when ||I - M^{-1} K|| < 1 and reports
 * DQP_ERR_NUMERICAL when refinement stalls above tol_accept. Used by the
 * engine to solve with the forward solver's last Newton factorization
 * (solver.h, kkt_reuse). No regularization, no singularity test, no
 * least-norm mode (DQP_ERR_UNSUPPORTED); info.backend is "external". apply
 * and user must stay valid while the object is used. */
dqp_status dqp_kkt_create_external(dqp_kkt **out, int64_t n, int64_t m, const dqp_csc *H,
                                   const dqp_csc *G, const double *D, const dqp_kkt_options *opt,
                                   dqp_kkt_apply_fn apply, void *user, dqp_message *msg);


/* New values with the same patterns (NULL = unchanged): Hx in the order of
 * H's stored values, Gx in the order of G's, D of length m. */
dqp_status dqp_kkt_update(dqp_kkt *kkt, const double *Hx, const double *Gx, const double *D);

/* Numeric factorization of K + R with the current values. In non-least-norm
 * mode with check_singular, a numerically singular K gives DQP_ERR_SINGULAR
 * (and solves then return DQP_ERR_SINGULAR too): retry in least-norm mode. */
dqp_status dqp_kkt_factor(dqp_kkt *kkt);

/* Switch least-norm mode on (1) or off (0). The regularization changes, so
 * the factorization is dropped: call dqp_kkt_factor again before solving. */
void dqp_kkt_set_least_norm(dqp_kkt *kkt, int on);

/* Least-norm mode on the factorization that dqp_kkt_factor found singular
 * (state singular, delta > 0), without refactoring: the regularization stays
 * the non-least-norm one (options.reg, smaller than reg_least_norm), which
 * makes refinement and clean-up contract faster but each solve's drift into
 * null(K) larger, and eigenvalues of K between the two regularizations count
 * as range, not as null space. Use it with dqp_kkt_solve_settled and
 * refactor (dqp_kkt_set_least_norm, dqp_kkt_factor) when that fails.
 * DQP_ERR_NOT_READY when K was not found singular. */
dqp_status dqp_kkt_least_norm_keep(dqp_kkt *kkt);

/* Solve K x = r for nrhs right-hand sides (consecutive blocks of N), in
 * place, with iterative refinement. A right-hand side converges when its
 * residual is <= tol (scaled as in the options) or its componentwise backward
 * error reaches eps; one that stalls is still accepted up to tol_accept.
 * Errors: DQP_ERR_NOT_READY (not factored), DQP_ERR_SINGULAR (least-norm
 * mode: r not in the range of K; or the factorization found K singular),
 * DQP_ERR_NUMERICAL (non-least-norm mode: residual stalls above tol_accept,
 * or NaN/Inf), DQP_ERR_NONFINITE (NaN/Inf in r). On error x is unspecified. */
dqp_status dqp_kkt_solve(dqp_kkt *kkt, double *x, int64_t nrhs);

/* As dqp_kkt_solve, but in least-norm mode a right-hand side whose first
 * refinement step leaves its residual flat fails at once (DQP_ERR_SINGULAR:
 * likely outside range(K); no GMRES to confirm it), and a solve whose
 * least-norm clean-up did not settle in one pass (or left more than
 * tol_accept |x| that it contracts slowly) fails with DQP_ERR_NUMERICAL. For the
 * cheap first attempt on a kept factorization (dqp_kkt_least_norm_keep). */
dqp_status dqp_kkt_solve_settled(dqp_kkt *kkt, double *x, int64_t nrhs);

/* As dqp_kkt_solve, but in least-norm mode every column gets the
 * minimum-norm least-squares solution K^+ r, also when r is not in the
 * range of the singular K: such a column (its probing solve stalls) is
 * solved by projecting r on range(K) with powers of M' = R S^{-1} (M =
 * S^{-1} R is the identity on null(K), a contraction on range(K)),
 * refinement toward K x = r_R with each correction's part in null(K)
 * removed, and clean-up x -= M^t x (kkt.c, pinv_column), with the same
 * counts for every column of the factorization (calibrated at its first
 * such solve): a fixed symmetric linear operator, so that VJP and JVP stay
 * adjoint; *lstsq is then set to 1, otherwise *lstsq = 0. Directions of
 * singular values near or below the regularization are damped, not cut
 * (see DQP_DIFF_LEAST_SQUARES in dqp/solve.h). Outside least-norm mode it
 * is dqp_kkt_solve. */
dqp_status dqp_kkt_solve_pinv(dqp_kkt *kkt, double *x, int64_t nrhs, int *lstsq);

/* One backend solve with the factored S = K + R, in place, without
 * refinement or checks (for a caller that refines against another matrix). */
dqp_status dqp_kkt_solve_once(dqp_kkt *kkt, double *x);

/* The elimination order of the factorization (see dqp_kkt_options.order),
 * owned by the object; NULL when the backend does not expose one (mumps,
 * lapack, cholmod, external). */
const int64_t *dqp_kkt_order(const dqp_kkt *kkt);

/* Singularity of K = [H G'; G 0] (H PSD, given as its upper triangle; G
 * with `rows` rows) that counting alone proves: DQP_KKT_DEPENDENT_ROWS when
 * rows > n; DQP_KKT_H_SINGULAR when n > rows + (nonzero diagonal entries of
 * H), since rank(H) is at most that count (a PSD matrix with a zero
 * diagonal entry has a zero row and column) and dim null(G) >= n - rows, so
 * null(H) and null(G) meet; else 0 (K may still be singular). */
enum { DQP_KKT_DEPENDENT_ROWS = 1, DQP_KKT_H_SINGULAR = 2 };
int dqp_kkt_singular_by_count(const dqp_csc *H, int64_t n, int64_t rows);

/* y = K x (unregularized), N-vectors. */
void dqp_kkt_matvec(const dqp_kkt *kkt, const double *x, double *y);

void dqp_kkt_get_info(const dqp_kkt *kkt, dqp_kkt_info *info);
const char *dqp_kkt_last_error(const dqp_kkt *kkt);
/* dqp_kkt_info.solves alone (0 for NULL): right-hand sides solved since creation. */
int64_t dqp_kkt_solves(const dqp_kkt *kkt);

/* ------------------------------------------------- shared symbolic analyses
 *
 * A dqp_symcache (symcache.c) is owned by one dqp_batch_solve call: it keeps,
 * per distinct (backend, n, m, pattern of K) seen, one analyzed backend state
 * ("donor"). While a cache is the current one on a thread (scope_enter ..
 * scope_leave, thread-local like the allocator scope), dqp_kkt_create clones
 * the donor's symbolic analysis on a hit instead of analyzing, for backends
 * with clone_symbolic. Patterns are compared exactly. Thread-safe (an internal
 * mutex); the cache's own memory uses the allocator in scope at creation. */
typedef struct dqp_symcache dqp_symcache;

dqp_symcache *dqp_symcache_create(void);    /* NULL: out of memory */
void dqp_symcache_destroy(dqp_symcache *c); /* accepts NULL */
/* Make c current on this thread (NULL: none); returns the previous one for leave. */
dqp_symcache *dqp_symcache_scope_enter(dqp_symcache *c);
void dqp_symcache_scope_leave(dqp_symcache *prev);
dqp_symcache *dqp_symcache_current(void);
/* Lookups that cloned a donor, and lookups that analyzed (for tests). */
void dqp_symcache_stats(dqp_symcache *c, int64_t *hits, int64_t *misses);
/* Symbolic analysis of S (the assembled K + R of an n + m KKT matrix) through
 * c: be->analyze (with order) when c is NULL or be cannot clone. *shared = 1
 * on a hit, which takes the donor's order whatever `order` says. */
dqp_status dqp_symcache_analyze(dqp_symcache *c, const dqp_linsys_backend *be, int64_t n, int64_t m,
                                const int64_t *order,
                                const dqp_csc *S, void **self, int *shared, dqp_message *msg);

#endif
