/* dense_as.c - dense dual active-set QP solver (Goldfarb-Idnani) with a proximal loop for PSD P.
 *
 * Problem (method.md section 1):
 *     minimize 1/2 z'Pz + q'z   s.t.  A z = b,  C z <= d.
 * Internally every constraint is a row n_i of N = [A; -C] with bound bN = [b; -d]:
 * equalities n_i'z = bN_i, inequalities n_i'z >= bN_i. With H = P + rho I and
 * g = q - rho zc (rho = 0 when P is positive definite) the GI multipliers u
 * satisfy H z + g = sum_active u_i n_i, so lambda = -u on rows of A and
 * mu = u on rows of C (mu >= 0, exactly 0 off the active set).
 *
 * Algorithm: D. Goldfarb and A. Idnani, "A numerically stable dual method for
 * solving strictly convex quadratic programs", Math. Programming 27 (1983).
 *   H = U'U (Cholesky, once per setup/update), J = U^{-1} Q, where
 *   U^{-T} N_act' = Q [R; 0] (R upper triangular). Adding a constraint applies
 *   Givens rotations to J (n (n - q) work), dropping one restores R to
 *   triangular form with Givens rotations (n (q - l) work); nothing is
 *   refactored during the iterations. For the active set W (q rows):
 *       x = J1 R^{-T} bN_W - J2 J2' g,      u = R^{-1} (R^{-T} bN_W + J1' g),
 *   which is used to recompute (x, u) accurately after the incremental steps.
 * Each solve starts from the equality rows (added first, in row order), then
 * the warm-start rows; multipliers that are negative are dropped one at a time
 * (the point is then a dual feasible "S-pair" and GI proceeds from it).
 *
 * Semidefinite P: GI needs H positive definite. When P is not numerically
 * positive definite we run the proximal point method (Rockafellar 1976)
 *     z_{k+1} = argmin 1/2 z'(P + rho I) z + (q - rho z_k)'z  s.t. constraints,
 * which converges to a solution of the original QP (finitely for LPs). Only g
 * changes between outer steps, so the factorization and the active set are
 * kept and an outer step whose active set does not change costs O(n^2). The
 * stationarity residual of the original problem is exactly -rho (z_{k+1} - z_k),
 * so the loop stops when rho ||z_{k+1} - z_k||_inf <= eps_abs + eps_rel * scale.
 * Unboundedness (only possible here) shows as z_{k+1} - z_k converging to a
 * recession direction v: P v = 0, A v = 0, C v <= 0, q'v < 0.
 *
 * Dependent rows: a row whose normal is (numerically) in the span of the
 * active normals is never added. Equality rows are added first in row order, so
 * of a set of dependent equality rows the earliest independent ones carry the
 * whole multiplier and the later dependent rows get lambda = 0; a dependent
 * equality row that the solution does not satisfy makes the problem primal
 * infeasible (inconsistent equalities). Dependent inequality rows are handled
 * by GI itself (a pure dual step that drops a row, or infeasibility).
 *
 * Iterations = additions + deletions of active rows (equality rows included)
 * + proximal outer steps. Keywords (qp_solver_keywords):
 *   rho=<x>|auto  proximal weight used when P is not positive definite
 *                 (auto: 1e-6 * max(max|P_ij|, max|q_i|), 1e-6 when both are 0)
 *   pd_tol=<x>    P is positive definite when its Cholesky pivots are all
 *                 >= pd_tol * max_i P_ii (default 1e-10)
 *   dep_tol=<x>   a row is dependent when the part of U^{-T} n outside the
 *                 span of the active rows is <= dep_tol times its norm (1e-10)
 */
#define _POSIX_C_SOURCE 199309L

#include "solvers/dense_as.h"
#include "core/blas.h"

#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* BLAS / LAPACK (Fortran interface, column-major). */
extern void dpotrf_(const char *uplo, const int *n, double *a, const int *lda, int *info);
extern void dtrtri_(const char *uplo, const char *diag, const int *n, double *a, const int *lda,
                    int *info);
extern void dtrsv_(const char *uplo, const char *trans, const char *diag, const int *n,
                   const double *a, const int *lda, double *x, const int *incx);
extern void drot_(const int *n, double *x, const int *incx, double *y, const int *incy,
                  const double *c, const double *s);

/* Default of pd_tol: a Cholesky pivot below 1e-10 * max P_ii means cond(P) of
 * roughly 1e10 or more; GI's accuracy degrades like sqrt(cond(H)) * eps, so
 * beyond that the proximal loop (cond(P + rho I) <= ~1e6) is the better route. */
#define DAS_PD_TOL 1e-10
/* Default of dep_tol: the sine of the angle (in the H^{-1} metric) between a
 * new normal and the span of the active ones is computed with an error of about
 * n * eps * sqrt(cond(H)) (~1e-11 for n = 1000, cond(H) = 1e6); rows closer
 * than 1e-10 to the span are treated as dependent. */
#define DAS_DEP_TOL 1e-10
/* Automatic rho relative to the data scale: small enough that the proximal
 * contraction rho / (sigma + rho) is negligible for every eigenvalue sigma of
 * the reduced Hessian above 1e-6 * max|P|, large enough that cond(P + rho I) <=
 * ~1e6 keeps GI accurate to ~1e-10 relative. */
#define DAS_RHO_REL 1e-6
/* Convexity test for a P that is not positive definite: P + 1e-9 max|P_ij| I
 * must have a Cholesky factorization. Round-off in a PSD P (e.g. M'M formed in
 * floating point) makes eigenvalues ~ -n eps max|P_ij| (~1e-13 for n = 1000),
 * well above -1e-9 max|P_ij|; more negative curvature is reported as not convex. */
#define DAS_PSD_SLACK 1e-9
/* Relative tolerance of the recession-direction test of the proximal loop
 * (OSQP uses 1e-4 for the same certificate; our iterate differences converge
 * linearly to the exact direction, so a much tighter test is affordable). The
 * test must also hold on two consecutive outer steps. */
#define DAS_DINF_TOL 1e-8
/* Multipliers within 64 eps * max|u| of zero are round-off of weakly active
 * rows: set to 0 instead of dropping the row. */
#define DAS_DUAL_ROUND (64.0 * DBL_EPSILON)

enum { DAS_FACTOR_OK = 0, DAS_FACTOR_NOT_CONVEX = 1, DAS_FACTOR_FAILED = 2 };

typedef struct das_solver {
    int64_t n, me, mi, m;
    int ni, lda; /* n as int and max(1, n) for BLAS */
    /* data (dense copies) */
    double *P;     /* n x n symmetric */
    double *q;     /* n */
    double *N;     /* m x n row-major: rows of A, then rows of -C */
    double *bN;    /* m: b, then -d */
    double *nnorm; /* m: 2-norms of the rows of N */
    double Pmax, Pfro, qmax, qnorm;
    /* factorization of H = P + rho I */
    double *J0; /* U^{-1}, n x n column-major upper triangular */
    double rho; /* 0 when P is positive definite */
    int factor_state;
    /* settings */
    double eps_abs, eps_rel, time_limit;
    int64_t max_iter;
    double rho_user, pd_tol, dep_tol;
    /* active-set state */
    double *J, *R; /* n x n column-major */
    int64_t nact;
    int64_t *act; /* n: constraint index at each active position */
    int64_t *pos; /* m: active position, -1 inactive, -2 dependent equality left out */
    double *u;    /* n: GI multipliers of the active rows */
    /* vectors (n unless noted) */
    double *x, *g, *zc, *dv, *r, *step, *t, *wv, *coef, *delta, *tmp;
    double *s; /* mi: slacks n_i'x - bN_i of the inequality rows */
    /* warm start */
    unsigned char *warm_act;
    int warm_act_set, warm_z_set;
    double *warm_z;
    /* per solve */
    int64_t iter;
    struct timespec t0;
} das_solver;

/* ------------------------------------------------------------ small kernels */

/* y = J' v (all n columns of J). */
static void jt_times(const das_solver *w, const double *v, double *y) {
    const double one = 1.0, zero = 0.0;
    const int inc = 1;
    if (w->n > 0)
        dgemv_("T", &w->ni, &w->ni, &one, w->J, &w->lda, v, &inc, &zero, y, &inc);
}

/* y = J(:, k0:n-1) * v(k0:n-1). */
static void j_tail_times(const das_solver *w, int64_t k0, const double *v, double *y) {
    const double one = 1.0, zero = 0.0;
    const int inc = 1, cols = (int)(w->n - k0);
    if (cols > 0)
        dgemv_("N", &w->ni, &cols, &one, w->J + k0 * w->n, &w->lda, v + k0, &inc, &zero, y, &inc);
    else
        for (int64_t i = 0; i < w->n; i++)
            y[i] = 0.0;
}

/* Solve R(0:q-1, 0:q-1) x = v (trans "N") or R' x = v (trans "T"), x overwritten. */
static void r_solve(const das_solver *w, const char *trans, double *v) {
    const int q = (int)w->nact, inc = 1;
    if (q > 0)
        dtrsv_("U", trans, "N", &q, w->R, &w->lda, v, &inc);
}

/* Givens rotation with c*a + s*b = h, -s*a + c*b = 0. */
static void givens(double a, double b, double *c, double *s, double *h) {
    double r = hypot(a, b);
    if (r == 0.0) {
        *c = 1.0;
        *s = 0.0;
    } else {
        *c = a / r;
        *s = b / r;
    }
    *h = r;
}

/* [x y] <- [c x + s y, -s x + c y] for two columns of J. */
static void rotate_cols(das_solver *w, int64_t j, int64_t k, double c, double s) {
    const int inc = 1;
    drot_(&w->ni, w->J + j * w->n, &inc, w->J + k * w->n, &inc, &c, &s);
}

static double elapsed(const struct timespec *t0) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + 1e-9 * (double)(t.tv_nsec - t0->tv_nsec);
}

/* Count one iteration. DQP_QP_UNSOLVED means "go on". */
static dqp_qp_status tick(das_solver *w) {
    w->iter++;
    if (w->iter > w->max_iter)
        return DQP_QP_MAX_ITER;
    if (isfinite(w->time_limit) && elapsed(&w->t0) > w->time_limit)
        return DQP_QP_TIME_LIMIT;
    return DQP_QP_UNSOLVED;
}

/* ------------------------------------------------------------ factorization of the active set */

/* With dv = J' n_c: is n_c in the span of the active normals? The tail
 * dv(q:n-1) is U^{-T} n_c projected off that span. */
static int dependent(const das_solver *w, double *tail_sq) {
    double all = 0.0, tail = 0.0;
    for (int64_t j = 0; j < w->nact; j++)
        all += w->dv[j] * w->dv[j];
    for (int64_t j = w->nact; j < w->n; j++)
        tail += w->dv[j] * w->dv[j];
    all += tail;
    *tail_sq = tail;
    return tail <= w->dep_tol * w->dep_tol * all;
}

/* Append constraint c at position q = nact, given dv = J' n_c (independent):
 * rotate dv(q:n-1) onto dv(q) (and the same columns of J); R(:, q) = dv(0:q). */
static void add_factor(das_solver *w, int64_t c) {
    int64_t n = w->n, q = w->nact;
    double *dv = w->dv;
    for (int64_t j = n - 1; j > q; j--) {
        if (dv[j] == 0.0)
            continue;
        double cs, sn, h;
        givens(dv[j - 1], dv[j], &cs, &sn, &h);
        dv[j - 1] = h;
        dv[j] = 0.0;
        rotate_cols(w, j - 1, j, cs, sn);
    }
    for (int64_t i = 0; i <= q; i++)
        w->R[i + q * n] = dv[i];
    w->act[q] = c;
    w->pos[c] = q;
    w->u[q] = 0.0;
    w->nact = q + 1;
}

/* Remove the active row at position l: shift the columns of R left (R becomes
 * upper Hessenberg from column l), then rotate rows j, j+1 of R (and columns
 * j, j+1 of J) to zero the subdiagonal. */
static void drop_factor(das_solver *w, int64_t l) {
    int64_t n = w->n, q = w->nact;
    double *R = w->R;
    w->pos[w->act[l]] = -1;
    for (int64_t j = l; j < q - 1; j++) {
        w->act[j] = w->act[j + 1];
        w->pos[w->act[j]] = j;
        w->u[j] = w->u[j + 1];
        memmove(R + j * n, R + (j + 1) * n, (size_t)(j + 2) * sizeof *R);
    }
    for (int64_t j = l; j < q - 1; j++) {
        double b = R[j + 1 + j * n];
        if (b == 0.0)
            continue;
        double cs, sn, h;
        givens(R[j + j * n], b, &cs, &sn, &h);
        R[j + j * n] = h;
        R[j + 1 + j * n] = 0.0;
        for (int64_t k = j + 1; k < q - 1; k++) {
            double r1 = R[j + k * n], r2 = R[j + 1 + k * n];
            R[j + k * n] = cs * r1 + sn * r2;
            R[j + 1 + k * n] = -sn * r1 + cs * r2;
        }
        rotate_cols(w, j, j + 1, cs, sn);
    }
    w->nact = q - 1;
}

/* Add row c if its normal is independent of the active ones; 1 if added. */
static int try_add(das_solver *w, int64_t c) {
    double tail;
    jt_times(w, w->N + c * w->n, w->dv);
    if (dependent(w, &tail))
        return 0;
    add_factor(w, c);
    return 1;
}

/* ------------------------------------------------------------ Goldfarb-Idnani */

/* (x, u) = minimizer of 1/2 x'Hx + g'x on the active set and its multipliers:
 *   t = J'g,  wv = R^{-T} bN_W,  x = J1 wv - J2 t2,  u = R^{-1} (wv + t1). */
static void recompute(das_solver *w) {
    int64_t n = w->n, q = w->nact;
    const double one = 1.0, zero = 0.0;
    const int inc = 1;
    jt_times(w, w->g, w->t);
    for (int64_t j = 0; j < q; j++)
        w->wv[j] = w->bN[w->act[j]];
    r_solve(w, "T", w->wv);
    for (int64_t j = 0; j < n; j++)
        w->coef[j] = j < q ? w->wv[j] : -w->t[j];
    if (n > 0)
        dgemv_("N", &w->ni, &w->ni, &one, w->J, &w->lda, w->coef, &inc, &zero, w->x, &inc);
    for (int64_t j = 0; j < q; j++)
        w->u[j] = w->wv[j] + w->t[j];
    r_solve(w, "N", w->u);
}

/* Position of the most negative inequality multiplier below the round-off
 * level, or -1; multipliers within round-off of zero are set to 0. */
static int64_t most_negative(das_solver *w) {
    double umax = 0.0, best = 0.0;
    int64_t k = -1;
    for (int64_t j = 0; j < w->nact; j++)
        umax = DQP_MAX(umax, fabs(w->u[j]));
    double tol = DAS_DUAL_ROUND * umax;
    for (int64_t j = 0; j < w->nact; j++) {
        if (w->act[j] < w->me || w->u[j] >= 0.0)
            continue;
        if (w->u[j] >= -tol)
            w->u[j] = 0.0;
        else if (w->u[j] < best) {
            best = w->u[j];
            k = j;
        }
    }
    return k;
}

/* Feasibility tolerance of row c at x, where |value| = |n_c'x - bN_c|:
 * eps_abs + eps_rel * max(|bN_c|, sum_j |N_cj x_j|). */
static double row_tol(const das_solver *w, int64_t c) {
    const double *nr = w->N + c * w->n;
    double sc = 0.0;
    for (int64_t j = 0; j < w->n; j++)
        sc += fabs(nr[j] * w->x[j]);
    return w->eps_abs + w->eps_rel * DQP_MAX(fabs(w->bN[c]), sc);
}

static double row_slack(const das_solver *w, int64_t c) {
    const double *nr = w->N + c * w->n;
    double v = 0.0;
    for (int64_t j = 0; j < w->n; j++)
        v += nr[j] * w->x[j];
    return v - w->bN[c];
}

/* The inactive inequality row with the largest violation (normalized by the
 * row norm) beyond its tolerance, or -1. */
static int64_t most_violated(das_solver *w) {
    int64_t me = w->me, mi = w->mi, best_c = -1;
    double best = 0.0;
    const double one = 1.0, zero = 0.0;
    const int inc = 1, rows = (int)mi;
    if (mi == 0)
        return -1;
    if (w->n > 0)
        dgemv_("T", &w->ni, &rows, &one, w->N + me * w->n, &w->lda, w->x, &inc, &zero, w->s, &inc);
    else
        for (int64_t i = 0; i < mi; i++)
            w->s[i] = 0.0;
    for (int64_t i = 0; i < mi; i++) {
        int64_t c = me + i;
        double sl = w->s[i] - w->bN[c];
        /* eps_abs is a lower bound of row_tol: cheap filter first */
        if (w->pos[c] >= 0 || !(sl < -w->eps_abs))
            continue;
        if (!(sl < -row_tol(w, c)))
            continue;
        double viol = -sl / (w->nnorm[c] > 0.0 ? w->nnorm[c] : 1.0);
        if (viol > best) {
            best = viol;
            best_c = c;
        }
    }
    return best_c;
}

/* Equality rows left out as dependent must hold at x. */
static int equalities_consistent(const das_solver *w) {
    for (int64_t c = 0; c < w->me; c++)
        if (w->pos[c] == -2 && !(fabs(row_slack(w, c)) <= row_tol(w, c)))
            return 0;
    return 1;
}

/* GI steps for the violated row p until it is added (DQP_QP_UNSOLVED) or the
 * problem is found infeasible / a limit is hit. */
static dqp_qp_status add_violated(das_solver *w, int64_t p) {
    int64_t n = w->n, me = w->me;
    double sp = row_slack(w, p), up = 0.0;
    for (;;) {
        dqp_qp_status st = tick(w);
        if (st != DQP_QP_UNSOLVED)
            return st;
        int64_t q = w->nact;
        double tail;
        jt_times(w, w->N + p * n, w->dv);
        int dep = dependent(w, &tail);
        /* r = R^{-1} dv(0:q-1): how the active multipliers change per unit step */
        for (int64_t j = 0; j < q; j++)
            w->r[j] = w->dv[j];
        r_solve(w, "N", w->r);
        /* partial step: the first active inequality multiplier reaching 0 */
        double t1 = INFINITY;
        int64_t k = -1;
        for (int64_t j = 0; j < q; j++)
            if (w->act[j] >= me && w->r[j] > 0.0 && w->u[j] / w->r[j] < t1) {
                t1 = w->u[j] / w->r[j];
                k = j;
            }
        /* full step: n_p'(x + t z) = bN_p with z = J2 dv2, n_p'z = |dv2|^2 */
        double t2 = dep ? INFINITY : -sp / tail;
        if (t1 == INFINITY && t2 == INFINITY)
            return DQP_QP_PRIMAL_INFEASIBLE;
        double tt = DQP_MIN(t1, t2);
        if (!dep) {
            j_tail_times(w, q, w->dv, w->step);
            for (int64_t i = 0; i < n; i++)
                w->x[i] += tt * w->step[i];
        }
        for (int64_t j = 0; j < q; j++) {
            w->u[j] -= tt * w->r[j];
            if (w->act[j] >= me && w->u[j] < 0.0)
                w->u[j] = 0.0; /* round-off: exact arithmetic keeps these >= 0 */
        }
        up += tt;
        if (t2 <= t1) {
            add_factor(w, p);
            w->u[q] = up;
            return DQP_QP_UNSOLVED;
        }
        w->u[k] = 0.0;
        drop_factor(w, k);
        if (!dep)
            sp = row_slack(w, p);
    }
}

static int finite_vec(const double *v, int64_t len) {
    for (int64_t i = 0; i < len; i++)
        if (!isfinite(v[i]))
            return 0;
    return 1;
}

/* Solve the strictly convex QP with the current g, starting from the active
 * set held in the factorization. */
static dqp_qp_status gi_solve(das_solver *w) {
    for (;;) {
        /* make (x, u) an S-pair: drop negative multipliers one at a time */
        for (;;) {
            recompute(w);
            int64_t k = most_negative(w);
            if (k < 0)
                break;
            dqp_qp_status st = tick(w);
            if (st != DQP_QP_UNSOLVED)
                return st;
            drop_factor(w, k);
        }
        if (!finite_vec(w->x, w->n) || !finite_vec(w->u, w->nact))
            return DQP_QP_NUMERICAL_ERROR;
        if (!equalities_consistent(w))
            return DQP_QP_PRIMAL_INFEASIBLE;
        int clean = 1; /* x, u freshly recomputed and no violated row: done */
        for (;;) {
            int64_t p = most_violated(w);
            if (p < 0)
                break;
            clean = 0;
            dqp_qp_status st = add_violated(w, p);
            if (st != DQP_QP_UNSOLVED)
                return st;
        }
        if (clean)
            return DQP_QP_SOLVED;
    }
}

/* Initial active set: the equality rows, then the warm-start rows. */
static dqp_qp_status init_active(das_solver *w) {
    int64_t n = w->n;
    if (n > 0)
        memcpy(w->J, w->J0, (size_t)(n * n) * sizeof *w->J);
    w->nact = 0;
    for (int64_t c = 0; c < w->m; c++)
        w->pos[c] = -1;
    for (int64_t c = 0; c < w->me; c++) {
        dqp_qp_status st = tick(w);
        if (st != DQP_QP_UNSOLVED)
            return st;
        if (!try_add(w, c))
            w->pos[c] = -2;
    }
    if (w->warm_act_set)
        for (int64_t i = 0; i < w->mi; i++) {
            if (!w->warm_act[i])
                continue;
            dqp_qp_status st = tick(w);
            if (st != DQP_QP_UNSOLVED)
                return st;
            try_add(w, w->me + i);
        }
    return DQP_QP_UNSOLVED;
}

/* y = P v. */
static void p_times(const das_solver *w, const double *v, double *y) {
    const double one = 1.0, zero = 0.0;
    const int inc = 1;
    if (w->n > 0)
        dgemv_("N", &w->ni, &w->ni, &one, w->P, &w->lda, v, &inc, &zero, y, &inc);
}

static double norm_inf(const double *v, int64_t len) {
    double m = 0.0;
    for (int64_t i = 0; i < len; i++)
        m = DQP_MAX(m, fabs(v[i]));
    return m;
}

/* Is delta a recession direction with descent (P v = 0, A v = 0, C v <= 0,
 * q'v < 0), each within DAS_DINF_TOL relative to the data norms? */
static int recession(das_solver *w, const double *v) {
    int64_t n = w->n;
    double vn = 0.0, qv = 0.0;
    for (int64_t i = 0; i < n; i++) {
        vn += v[i] * v[i];
        qv += w->q[i] * v[i];
    }
    vn = sqrt(vn);
    if (vn == 0.0 || !(qv < -DAS_DINF_TOL * w->qnorm * vn))
        return 0;
    p_times(w, v, w->tmp);
    double pv = 0.0;
    for (int64_t i = 0; i < n; i++)
        pv += w->tmp[i] * w->tmp[i];
    if (!(sqrt(pv) <= DAS_DINF_TOL * w->Pfro * vn))
        return 0;
    for (int64_t c = 0; c < w->m; c++) {
        const double *nr = w->N + c * n;
        double nv = 0.0;
        for (int64_t j = 0; j < n; j++)
            nv += nr[j] * v[j];
        double tol = DAS_DINF_TOL * w->nnorm[c] * vn;
        if (c < w->me ? !(fabs(nv) <= tol) : !(nv >= -tol))
            return 0;
    }
    return 1;
}

/* Proximal point loop for P not positive definite. */
static dqp_qp_status solve_prox(das_solver *w) {
    int64_t n = w->n;
    int hits = 0;
    for (int64_t i = 0; i < n; i++)
        w->zc[i] = w->warm_z_set ? w->warm_z[i] : 0.0;
    for (;;) {
        for (int64_t i = 0; i < n; i++)
            w->g[i] = w->q[i] - w->rho * w->zc[i];
        dqp_qp_status st = gi_solve(w);
        if (st != DQP_QP_SOLVED)
            return st;
        for (int64_t i = 0; i < n; i++)
            w->delta[i] = w->x[i] - w->zc[i];
        /* P x + q + A'lambda + C'mu = -rho delta */
        p_times(w, w->x, w->tmp);
        double pz = norm_inf(w->tmp, n), dual = 0.0;
        for (int64_t i = 0; i < n; i++)
            dual = DQP_MAX(dual, fabs(w->tmp[i] + w->q[i] + w->rho * w->delta[i]));
        double scale = DQP_MAX(DQP_MAX(pz, w->qmax), dual);
        if (w->rho * norm_inf(w->delta, n) <= w->eps_abs + w->eps_rel * scale)
            return DQP_QP_SOLVED;
        if (recession(w, w->delta)) {
            if (++hits >= 2)
                return DQP_QP_DUAL_INFEASIBLE;
        } else
            hits = 0;
        memcpy(w->zc, w->x, (size_t)n * sizeof *w->x);
        st = tick(w);
        if (st != DQP_QP_UNSOLVED)
            return st;
    }
}

/* ------------------------------------------------------------ setup */

/* Dense copies of P, q and N = [A; -C], bN = [b; -d], and their norms. */
static void load(das_solver *w, const dqp_problem *prob) {
    int64_t n = w->n, me = w->me, m = w->m;
    memset(w->P, 0, (size_t)(n * n) * sizeof *w->P);
    if (prob->Pd) {
        memcpy(w->P, prob->Pd, (size_t)(n * n) * sizeof *w->P);
    } else if (prob->P) {
        const dqp_csc *S = prob->P;
        for (int64_t j = 0; j < S->n; j++)
            for (int64_t k = S->p[j]; k < S->p[j + 1]; k++) {
                int64_t i = S->i[k];
                w->P[i * n + j] = S->x[k];
                if (prob->P_storage == DQP_P_UPPER)
                    w->P[j * n + i] = S->x[k]; /* stands for both (i,j) and (j,i) */
            }
    }
    for (int64_t i = 0; i < n; i++)
        w->q[i] = prob->q[i];
    memset(w->N, 0, (size_t)(m * n) * sizeof *w->N);
    for (int blk = 0; blk < 2; blk++) {
        const double *D = blk ? prob->Cd : prob->Ad;
        const dqp_csc *S = blk ? prob->C : prob->A;
        double sign = blk ? -1.0 : 1.0;
        double *out = w->N + (blk ? me * n : 0);
        int64_t rows = blk ? w->mi : me;
        if (D) {
            for (int64_t k = 0; k < rows * n; k++)
                out[k] = sign * D[k];
        } else if (S) {
            for (int64_t j = 0; j < S->n; j++)
                for (int64_t k = S->p[j]; k < S->p[j + 1]; k++)
                    out[S->i[k] * n + j] = sign * S->x[k];
        }
    }
    for (int64_t c = 0; c < me; c++)
        w->bN[c] = prob->b[c];
    for (int64_t i = 0; i < w->mi; i++)
        w->bN[me + i] = -prob->d[i];
    for (int64_t c = 0; c < m; c++) {
        double s2 = 0.0;
        for (int64_t j = 0; j < n; j++)
            s2 += w->N[c * n + j] * w->N[c * n + j];
        w->nnorm[c] = sqrt(s2);
    }
    double pmax = 0.0, pfro = 0.0, qn = 0.0;
    for (int64_t k = 0; k < n * n; k++) {
        pmax = DQP_MAX(pmax, fabs(w->P[k]));
        pfro += w->P[k] * w->P[k];
    }
    for (int64_t i = 0; i < n; i++)
        qn += w->q[i] * w->q[i];
    w->Pmax = pmax;
    w->Pfro = sqrt(pfro);
    w->qmax = norm_inf(w->q, n);
    w->qnorm = sqrt(qn);
}

/* Cholesky of P + shift I into J0 (upper, column-major); returns LAPACK info. */
static int chol_shifted(das_solver *w, double shift) {
    int64_t n = w->n;
    int info = 0;
    memcpy(w->J0, w->P, (size_t)(n * n) * sizeof *w->J0);
    for (int64_t i = 0; i < n; i++)
        w->J0[i * n + i] += shift;
    dpotrf_("U", &w->ni, w->J0, &w->lda, &info);
    return info;
}

/* Decide between plain GI (P positive definite) and the proximal loop, and
 * compute J0 = U^{-1} for H = P + rho I = U'U. */
static void factor(das_solver *w) {
    int64_t n = w->n;
    w->rho = 0.0;
    w->factor_state = DAS_FACTOR_OK;
    if (n == 0)
        return;
    double dmax = 0.0;
    for (int64_t i = 0; i < n; i++)
        dmax = DQP_MAX(dmax, w->P[i * n + i]);
    int pd = 0;
    if (dmax > 0.0 && chol_shifted(w, 0.0) == 0) {
        double pmin = INFINITY;
        for (int64_t i = 0; i < n; i++)
            pmin = DQP_MIN(pmin, w->J0[i * n + i] * w->J0[i * n + i]);
        pd = pmin >= w->pd_tol * dmax;
    }
    if (!pd) {
        if (w->Pmax > 0.0 && chol_shifted(w, DAS_PSD_SLACK * w->Pmax) != 0) {
            w->factor_state = DAS_FACTOR_NOT_CONVEX;
            return;
        }
        double sc = DQP_MAX(w->Pmax, w->qmax);
        w->rho = w->rho_user > 0.0 ? w->rho_user : DAS_RHO_REL * (sc > 0.0 ? sc : 1.0);
        if (chol_shifted(w, w->rho) != 0) {
            w->factor_state = DAS_FACTOR_FAILED; /* a user rho below the round-off level */
            return;
        }
    }
    int info = 0;
    dtrtri_("U", "N", &w->ni, w->J0, &w->lda, &info);
    if (info != 0) {
        w->factor_state = DAS_FACTOR_FAILED;
        return;
    }
    for (int64_t j = 0; j < n; j++)
        for (int64_t i = j + 1; i < n; i++)
            w->J0[i + j * n] = 0.0;
}

static const char das_keys[] = "rho, pd_tol, dep_tol";

static dqp_status parse_keywords(das_solver *w, const dqp_settings *s, dqp_message *msg) {
    char key[DQP_KEYWORDS_LEN], val[DQP_KEYWORDS_LEN];
    for (int i = 0; dqp_settings_keyword(s, i, key, sizeof key, val, sizeof val) == DQP_OK; i++) {
        double *dst, hi;
        if (strcmp(key, "rho") == 0) {
            if (strcmp(val, "auto") == 0) {
                w->rho_user = 0.0;
                continue;
            }
            dst = &w->rho_user;
            hi = INFINITY;
        } else if (strcmp(key, "pd_tol") == 0) {
            dst = &w->pd_tol;
            hi = 1.0;
        } else if (strcmp(key, "dep_tol") == 0) {
            dst = &w->dep_tol;
            hi = 1.0;
        } else {
            return dqp_fail(msg, DQP_ERR_VALUE, "dense_as: unknown keyword \"%s\" (valid keys: %s)",
                            key, das_keys);
        }
        char *end;
        double v = strtod(val, &end);
        if (end == val || *end != '\0' || !(v > 0.0) || !(v < hi))
            return dqp_fail(msg, DQP_ERR_VALUE,
                            "dense_as: keyword %s=%s: expected a number in (0, %g)%s", key, val, hi,
                            dst == &w->rho_user ? " or auto" : "");
        *dst = v;
    }
    return DQP_OK;
}

static void das_destroy(void *self) {
    das_solver *w = self;
    if (!w)
        return;
    double *arrays[] = {w->P,  w->q,    w->N,     w->bN,  w->nnorm, w->J0,    w->J,    w->R,
                        w->u,  w->x,    w->g,     w->zc,  w->dv,    w->r,     w->step, w->t,
                        w->wv, w->coef, w->delta, w->tmp, w->s,     w->warm_z};
    for (size_t k = 0; k < sizeof arrays / sizeof arrays[0]; k++)
        dqp_free(arrays[k]);
    dqp_free(w->act);
    dqp_free(w->pos);
    dqp_free(w->warm_act);
    dqp_free(w);
}

static dqp_status das_setup(void **self, const dqp_problem *prob, const dqp_settings *s,
                            dqp_message *msg) {
    if (!self || !prob || !s)
        return dqp_fail(msg, DQP_ERR_NULL, "dense_as: NULL argument to setup");
    *self = NULL;
    int64_t n = prob->n, me = prob->m_eq, mi = prob->m_ineq, m, nn, mn;
    if (!dqp_add_size(me, mi, &m) || !dqp_mul_size(n, n, &nn) || !dqp_mul_size(m, n, &mn) ||
        n >= INT_MAX || m >= INT_MAX)
        return dqp_fail(msg, DQP_ERR_DIMENSION,
                        "dense_as: problem too large for a dense solver (n = %lld, m = %lld)",
                        (long long)n, (long long)(me + mi));
    das_solver *w = dqp_calloc(1, sizeof *w);
    if (!w)
        return dqp_fail(msg, DQP_ERR_NOMEM, "dense_as: out of memory");
    w->n = n;
    w->me = me;
    w->mi = mi;
    w->m = m;
    w->ni = (int)n;
    w->lda = (int)DQP_MAX(n, 1);
    w->pd_tol = DAS_PD_TOL;
    w->dep_tol = DAS_DEP_TOL;
    w->eps_abs = s->eps_abs;
    w->eps_rel = s->eps_rel;
    w->time_limit = s->time_limit;
    /* default: GI needs about one addition per active row plus the drops */
    w->max_iter = s->max_iter > 0 ? s->max_iter : 1000 + 10 * (n + m);
    dqp_status st = parse_keywords(w, s, msg);
    if (st != DQP_OK) {
        das_destroy(w);
        return st;
    }
    w->P = dqp_alloc(nn, sizeof(double));
    w->J0 = dqp_alloc(nn, sizeof(double));
    w->J = dqp_alloc(nn, sizeof(double));
    w->R = dqp_calloc(nn, sizeof(double));
    w->N = dqp_alloc(mn, sizeof(double));
    w->bN = dqp_alloc(m, sizeof(double));
    w->nnorm = dqp_alloc(m, sizeof(double));
    w->pos = dqp_alloc(m, sizeof(int64_t));
    w->s = dqp_alloc(mi, sizeof(double));
    w->warm_act = dqp_calloc(mi, sizeof(unsigned char));
    w->act = dqp_alloc(n, sizeof(int64_t));
    double **vecs[] = {&w->q,    &w->u, &w->x,  &w->g,    &w->zc,    &w->dv,  &w->r,
                       &w->step, &w->t, &w->wv, &w->coef, &w->delta, &w->tmp, &w->warm_z};
    int fail = !w->P || !w->J0 || !w->J || !w->R || !w->N || !w->bN || !w->nnorm || !w->pos ||
               !w->s || !w->warm_act || !w->act;
    for (size_t k = 0; k < sizeof vecs / sizeof vecs[0]; k++)
        if (!(*vecs[k] = dqp_calloc(n, sizeof(double))))
            fail = 1;
    if (fail) {
        das_destroy(w);
        return dqp_fail(msg, DQP_ERR_NOMEM, "dense_as: out of memory (n = %lld, m = %lld)",
                        (long long)n, (long long)m);
    }
    load(w, prob);
    factor(w);
    *self = w;
    return DQP_OK;
}

static dqp_status das_update(void *self, const dqp_problem *prob, dqp_message *msg) {
    das_solver *w = self;
    if (!w || !prob)
        return dqp_fail(msg, DQP_ERR_NULL, "dense_as: NULL argument to update");
    if (prob->n != w->n || prob->m_eq != w->me || prob->m_ineq != w->mi)
        return dqp_fail(msg, DQP_ERR_DIMENSION,
                        "dense_as: update with sizes n=%lld m_eq=%lld m_ineq=%lld, setup had "
                        "n=%lld m_eq=%lld m_ineq=%lld",
                        (long long)prob->n, (long long)prob->m_eq, (long long)prob->m_ineq,
                        (long long)w->n, (long long)w->me, (long long)w->mi);
    load(w, prob);
    factor(w);
    return DQP_OK;
}

static dqp_status das_warm_start(void *self, const double *z, const double *lam, const double *mu,
                                 const unsigned char *active) {
    das_solver *w = self;
    (void)lam; /* equality rows are always active */
    if (!w)
        return DQP_ERR_NULL;
    if (active || mu) {
        for (int64_t i = 0; i < w->mi; i++)
            w->warm_act[i] = active ? (active[i] != 0) : (mu[i] > 0.0);
        w->warm_act_set = 1;
    }
    if (z) {
        for (int64_t i = 0; i < w->n; i++)
            w->warm_z[i] = z[i];
        w->warm_z_set = 1; /* center of the first proximal step (semidefinite P only) */
    }
    return DQP_OK;
}

static dqp_status das_solve(void *self, dqp_qp_output *out, dqp_message *msg) {
    das_solver *w = self;
    if (!w || !out)
        return dqp_fail(msg, DQP_ERR_NULL, "dense_as: NULL argument to solve");
    int64_t n = w->n;
    clock_gettime(CLOCK_MONOTONIC, &w->t0);
    w->iter = 0;
    dqp_qp_status st;
    if (w->factor_state == DAS_FACTOR_NOT_CONVEX)
        st = DQP_QP_NOT_CONVEX;
    else if (w->factor_state != DAS_FACTOR_OK)
        st = DQP_QP_NUMERICAL_ERROR;
    else {
        st = init_active(w);
        if (st == DQP_QP_UNSOLVED) {
            if (w->rho == 0.0) {
                for (int64_t i = 0; i < n; i++)
                    w->g[i] = w->q[i];
                st = gi_solve(w);
            } else {
                st = solve_prox(w);
            }
        }
    }
    w->warm_act_set = 0; /* warm starts apply to one solve */
    w->warm_z_set = 0;
    int have_point = st != DQP_QP_NOT_CONVEX && st != DQP_QP_NUMERICAL_ERROR;
    int have_duals = have_point && st != DQP_QP_PRIMAL_INFEASIBLE && st != DQP_QP_DUAL_INFEASIBLE;
    for (int64_t i = 0; i < n; i++)
        out->z[i] = have_point ? w->x[i] : 0.0;
    for (int64_t c = 0; c < w->me; c++)
        out->lam[c] = have_duals && w->pos[c] >= 0 ? -w->u[w->pos[c]] : 0.0;
    for (int64_t i = 0; i < w->mi; i++) {
        int64_t p = w->pos[w->me + i];
        out->mu[i] = have_duals && p >= 0 ? w->u[p] : 0.0;
    }
    double obj = 0.0;
    if (have_point) {
        p_times(w, w->x, w->tmp);
        for (int64_t i = 0; i < n; i++)
            obj += w->x[i] * (0.5 * w->tmp[i] + w->q[i]);
    }
    out->objective = obj;
    out->status = st;
    out->iterations = w->iter;
    out->has_duals = st == DQP_QP_SOLVED;
    return DQP_OK;
}

const dqp_qp_backend dqp_backend_dense_as = {
    "dense_as",
    "dense dual active-set (Goldfarb-Idnani), exact active set and duals; proximal loop for PSD P",
    DQP_CAP_DUALS | DQP_CAP_DENSE | DQP_CAP_SPARSE | DQP_CAP_WARM | DQP_CAP_QUADRATIC,
    das_setup,
    das_update,
    das_warm_start,
    das_solve,
    das_destroy,
    NULL,
    NULL,
    NULL,
    NULL};
