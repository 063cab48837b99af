/* admm.c - ADMM (operator splitting, OSQP class) QP solver with polishing and certificates.
 *
 * Problem (method.md section 1) written as  l <= M z <= u  with
 *     M = [A; C],   l = [b; -inf],   u = [b; d],
 * and the multipliers y = [lambda; mu] of  P z + q + M'y = 0  (mu >= 0).
 *
 * Algorithm: B. Stellato, G. Banjac, P. Goulart, A. Bemporad, S. Boyd, "OSQP:
 * an operator splitting solver for quadratic programs", Math. Prog. Comp. 12
 * (2020), Algorithm 1, on the Ruiz-equilibrated data (section 5.1)
 *     Pb = c D P D,  qb = c D q,  Mb = E M D,  lb = E l,  ub = E u.
 * One iteration (sigma > 0, rho_i > 0, relaxation alpha in (0, 2)):
 *     [Pb + sigma I   Mb'         ] [xt]   [sigma x - qb    ]
 *     [Mb             -diag(1/rho)] [nu] = [z - y ./ rho    ],  zt = z + (nu - y) ./ rho
 *     x  <- alpha xt + (1 - alpha) x
 *     zr  = alpha zt + (1 - alpha) z
 *     z  <- clamp(zr + y ./ rho, lb, ub)
 *     y  <- y + rho .* (zr - z)
 * The matrix is quasi-definite (Vanderbei 1995); it is factored by the KKT
 * layer (src/linsys) with D = 1/rho and no regularization, once per setup and
 * once per step-size change; the loop itself allocates nothing. Equality rows
 * get rho_eq = rho_eq_scale * rho (OSQP's choice, 1e3): their multipliers
 * converge faster and they are always active anyway.
 *
 * Termination (paper eq. 24, in the unscaled problem): ||M x - z||_inf <=
 * eps_abs + eps_rel max(||M x||, ||z||) and ||P x + q + M'y||_inf <= eps_abs +
 * eps_rel max(||P x||, ||M'y||, ||q||), tested every check_termination
 * iterations. Infeasibility (paper section 3.4, eqs. 26-27) from the
 * successive differences dy = y_k - y_{k-1}, dx = x_k - x_{k-1}:
 *     primal:  ||M'dy|| <= eps_prim_inf ||dy||,  u'dy+ + l'dy- < -eps_prim_inf ||dy||
 *     dual:    ||P dx|| <= eps_dual_inf ||dx||,  q'dx < -eps_dual_inf ||dx||,
 *              (M dx)_i ~ 0 on equality rows, <= eps_dual_inf ||dx|| on the others.
 * Adaptive step size (paper section 5.2): every adaptive_rho_interval
 * iterations rho_new = rho sqrt((r_prim / max(||Mx||, ||z||)) / (r_dual /
 * max(||Px||, ||M'y||, ||q||))) in the scaled problem, applied (refactor) when
 * it differs from rho by more than a factor adaptive_rho_tolerance.
 *
 * Polishing (paper section 4): guess the active inequality rows from the
 * iterate, ub_i - z_i < y_i (scaled), and solve the equality-constrained QP
 *     [P  G'] [z ]   [-q        ]
 *     [G  0 ] [yG] = [b; d_act  ],   G = [A; C_act]
 * with the KKT layer (regularized, refined against the exact matrix; when the
 * active rows are dependent, least-norm mode shares the multiplier among
 * them). The polished point carries an exact active set and exact duals (mu = 0
 * off the set). It replaces the ADMM point only if it does not worsen either
 * recomputed residual (primal infeasibility, and stationarity including
 * max(0, -min mu)) beyond round-off. Polishing also runs when the iteration
 * limit is reached: if it then meets the tolerances the status is "solved".
 *
 * Warm start: z and the duals (lambda, mu) set x, y and z = M x; the step size
 * of the previous solve is kept. A solve without warm start starts from zero
 * with the initial rho, so its result does not depend on earlier solves. The
 * active-set argument of warm_start is not used (ADMM has no active set).
 * Convexity: P + sigma I must factor with n positive pivots, else NOT_CONVEX.
 *
 * Iterations = ADMM iterations. Keywords (qp_solver_keywords):
 *   rho=<x>                     initial step size, (0, inf), default 0.1
 *   sigma=<x>                   proximal weight on x, (0, inf), default 1e-6
 *   alpha=<x>                   over-relaxation, (0, 2), default 1.6
 *   polish=<bool>               solution polishing, default 1
 *   adaptive_rho=<bool>         adapt rho, default 1
 *   adaptive_rho_interval=<k>   iterations between adaptations, >= 1, default 25
 *   adaptive_rho_tolerance=<x>  change factor that triggers a refactor, > 1, default 5
 *   scaling=<k>                 Ruiz equilibration passes, 0..100, default 10
 *   check_termination=<k>       iterations between termination tests, >= 1, default 10
 *   eps_prim_inf=<x>            primal infeasibility tolerance, (0, 1), default 1e-6
 *   eps_dual_inf=<x>            dual infeasibility tolerance, (0, 1), default 1e-6
 *   rho_eq_scale=<x>            rho of equality rows / rho, [1, 1e6], default 1e3
 * Settings used: eps_abs, eps_rel, max_iter (0: 4000, OSQP's default),
 * time_limit, lin_solver (the KKT backend, also for polishing).
 */
#define _POSIX_C_SOURCE 199309L

#include "solvers/admm.h"

#include "linsys/kkt.h"

#include <float.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Step-size bounds (OSQP's RHO_MIN/RHO_MAX): outside them the KKT matrix
 * with D = 1/rho becomes too ill-conditioned for an unpivoted LDL'. */
#define ADMM_RHO_MIN 1e-6
#define ADMM_RHO_MAX 1e6
/* Ruiz scaling factors are kept in [1e-4, 1e4] and norms below 1e-4 are
 * treated as 1 (OSQP's MIN_SCALING/MAX_SCALING): empty or tiny rows and
 * columns are left alone instead of being blown up. */
#define ADMM_SCALE_MIN 1e-4
#define ADMM_SCALE_MAX 1e4
/* Guard of divisions by norms (OSQP's DIVISION_TOL). */
#define ADMM_DIV_TOL 1e-30
/* At the iteration limit, residuals within 10x the tolerances give
 * SOLVED_INACCURATE (OSQP's approximate termination). */
#define ADMM_INACCURATE 10.0
/* Polished residuals within 1000 eps of the data scale are round-off: a
 * polished point is accepted when both residuals are <= max(ADMM residual,
 * this floor). */
#define ADMM_ROUNDOFF (1e3 * DBL_EPSILON)

typedef struct admm_opts {
    double rho, sigma, alpha;
    int polish, adaptive_rho;
    int64_t scaling, adaptive_rho_interval, check_termination;
    double adaptive_rho_tolerance, eps_prim_inf, eps_dual_inf, rho_eq_scale;
} admm_opts;

typedef struct admm {
    int64_t n, me, mi, m;
    admm_opts o;
    double eps_abs, eps_rel, time_limit;
    int64_t max_iter;
    char lin_solver[DQP_NAME_LEN];
    /* unscaled data */
    dqp_csc *Pu, *M;   /* upper triangle of P; [A; C] */
    double *q, *l, *u; /* l = -inf on inequality rows */
    /* scaled data (values in the patterns of Pu and M) */
    double *Ps, *Ms, *qs, *ls, *us;
    double *D, *E, c; /* Pb = c D P D, Mb = E M D */
    double *Dt, *Et;  /* scaling work */
    /* KKT matrix [Pb + sigma I, Mb'; Mb, -diag(1/rho)] */
    dqp_csc *H;     /* pattern of Pu plus the whole diagonal; values Hx = H->x */
    int64_t *Hmap;  /* value k of Pu -> value Hmap[k] of H */
    int64_t *Hdiag; /* value of H holding (j, j) */
    dqp_kkt *kkt;
    int factored; /* kkt holds a factorization of the current values and rho */
    double rho, *rho_v, *rho_inv;
    /* iterates (scaled) and work vectors */
    double *x, *z, *y, *xp, *yp, *rhs, *Mx, *Px, *Mty, *wn, *wm;
    /* warm start (unscaled) */
    double *warm_x, *warm_y;
    int warm_x_set, warm_y_set;
    /* result of the last solve */
    dqp_admm_info info;
    double *cert; /* max(n, m) */
    struct timespec t0;
} admm;

/* ------------------------------------------------------------ problem views */

dqp_csc *dqp_admm_upper_P(const dqp_problem *prob) {
    int64_t n = prob->n, nnz = 0;
    if (prob->P && prob->P_storage == DQP_P_UPPER)
        return dqp_csc_copy(prob->P);
    if (prob->P) {
        for (int64_t j = 0; j < n; j++)
            for (int64_t k = prob->P->p[j]; k < prob->P->p[j + 1]; k++)
                nnz += prob->P->i[k] <= j;
    } else if (prob->Pd) {
        if (!dqp_mul_size(n, n + 1, &nnz))
            return NULL;
        nnz /= 2;
    }
    dqp_csc *U = dqp_csc_create(n, n, nnz);
    if (!U)
        return NULL;
    int64_t t = 0;
    for (int64_t j = 0; j < n; j++) {
        if (prob->P) {
            for (int64_t k = prob->P->p[j]; k < prob->P->p[j + 1]; k++)
                if (prob->P->i[k] <= j) {
                    U->i[t] = prob->P->i[k];
                    U->x[t++] = prob->P->x[k];
                }
        } else if (prob->Pd) {
            for (int64_t r = 0; r <= j; r++) {
                U->i[t] = r;
                U->x[t++] = prob->Pd[r * n + j];
            }
        }
        U->p[j + 1] = t;
    }
    return U;
}

/* Entries of column j of A (blk 0) or C (blk 1): count, or copy at t with a row offset. */
static int64_t rows_col(const dqp_problem *prob, int blk, int64_t j, dqp_csc *out, int64_t t,
                        int64_t off) {
    const dqp_csc *S = blk ? prob->C : prob->A;
    const double *Dn = blk ? prob->Cd : prob->Ad;
    int64_t m = blk ? prob->m_ineq : prob->m_eq, n = prob->n, cnt = 0;
    if (S) {
        for (int64_t k = S->p[j]; k < S->p[j + 1]; k++, cnt++)
            if (out) {
                out->i[t + cnt] = off + S->i[k];
                out->x[t + cnt] = S->x[k];
            }
    } else if (Dn) {
        for (int64_t r = 0; r < m; r++, cnt++)
            if (out) {
                out->i[t + cnt] = off + r;
                out->x[t + cnt] = Dn[r * n + j];
            }
    }
    return cnt;
}

dqp_csc *dqp_admm_stack_rows(const dqp_problem *prob) {
    int64_t n = prob->n, m, nnz = 0;
    if (!dqp_add_size(prob->m_eq, prob->m_ineq, &m))
        return NULL;
    for (int64_t j = 0; j < n; j++)
        for (int blk = 0; blk < 2; blk++)
            if (!dqp_add_size(nnz, rows_col(prob, blk, j, NULL, 0, 0), &nnz))
                return NULL;
    dqp_csc *S = dqp_csc_create(m, n, nnz);
    if (!S)
        return NULL;
    int64_t t = 0;
    for (int64_t j = 0; j < n; j++) {
        t += rows_col(prob, 0, j, S, t, 0);
        t += rows_col(prob, 1, j, S, t, prob->m_eq);
        S->p[j + 1] = t;
    }
    return S;
}

static int same_pattern(const dqp_csc *a, const dqp_csc *b) {
    int64_t nnz = dqp_csc_nnz(a);
    return a->m == b->m && a->n == b->n && nnz == dqp_csc_nnz(b) &&
           memcmp(a->p, b->p, (size_t)(a->n + 1) * sizeof(int64_t)) == 0 &&
           memcmp(a->i, b->i, (size_t)nnz * sizeof(int64_t)) == 0;
}

/* ------------------------------------------------------------ kernels */

/* y = S x (S m x n CSC with values v). */
static void csc_mv(const dqp_csc *S, const double *v, const double *x, double *y) {
    memset(y, 0, (size_t)S->m * sizeof *y);
    for (int64_t j = 0; j < S->n; j++)
        for (int64_t k = S->p[j]; k < S->p[j + 1]; k++)
            y[S->i[k]] += v[k] * x[j];
}

/* y = S' x. */
static void csc_mtv(const dqp_csc *S, const double *v, const double *x, double *y) {
    for (int64_t j = 0; j < S->n; j++) {
        double s = 0.0;
        for (int64_t k = S->p[j]; k < S->p[j + 1]; k++)
            s += v[k] * x[S->i[k]];
        y[j] = s;
    }
}

/* y = P x with P symmetric given by its upper triangle U (values v). */
static void sym_mv(const dqp_csc *U, const double *v, const double *x, double *y) {
    memset(y, 0, (size_t)U->n * sizeof *y);
    for (int64_t j = 0; j < U->n; j++)
        for (int64_t k = U->p[j]; k < U->p[j + 1]; k++) {
            int64_t i = U->i[k];
            y[i] += v[k] * x[j];
            if (i != j)
                y[j] += v[k] * x[i];
        }
}

static double norm_inf(const double *x, int64_t len) {
    double s = 0.0;
    for (int64_t k = 0; k < len; k++)
        s = fmax(s, fabs(x[k]));
    return s;
}

/* max |x_k / s_k|. */
static double norm_inf_div(const double *x, const double *s, int64_t len) {
    double r = 0.0;
    for (int64_t k = 0; k < len; k++)
        r = fmax(r, fabs(x[k] / s[k]));
    return r;
}

static double elapsed(const struct timespec *t0) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + 1e-9 * (double)(t.tv_nsec - t0->tv_nsec);
}

/* ------------------------------------------------------------ scaling */

static double limit_scale(double v) {
    if (v < ADMM_SCALE_MIN)
        return 1.0;
    return v > ADMM_SCALE_MAX ? ADMM_SCALE_MAX : v;
}

/* Column infinity norms of the full symmetric P (upper triangle U, values v) into t. */
static void sym_col_norms(const dqp_csc *U, const double *v, double *t) {
    memset(t, 0, (size_t)U->n * sizeof *t);
    for (int64_t j = 0; j < U->n; j++)
        for (int64_t k = U->p[j]; k < U->p[j + 1]; k++) {
            double a = fabs(v[k]);
            t[j] = fmax(t[j], a);
            t[U->i[k]] = fmax(t[U->i[k]], a);
        }
}

/* Modified Ruiz equilibration of [P M'; M 0] plus cost scaling (OSQP
 * section 5.1): scaled values Ps, Ms, qs, ls, us and the factors D, E, c. */
static void scale_data(admm *w) {
    int64_t n = w->n, m = w->m, np = dqp_csc_nnz(w->Pu);
    memcpy(w->Ps, w->Pu->x, (size_t)np * sizeof(double));
    memcpy(w->Ms, w->M->x, (size_t)dqp_csc_nnz(w->M) * sizeof(double));
    memcpy(w->qs, w->q, (size_t)n * sizeof(double));
    for (int64_t j = 0; j < n; j++)
        w->D[j] = 1.0;
    for (int64_t i = 0; i < m; i++)
        w->E[i] = 1.0;
    w->c = 1.0;
    for (int pass = 0; pass < w->o.scaling; pass++) {
        sym_col_norms(w->Pu, w->Ps, w->Dt);
        memset(w->Et, 0, (size_t)m * sizeof(double));
        for (int64_t j = 0; j < n; j++)
            for (int64_t k = w->M->p[j]; k < w->M->p[j + 1]; k++) {
                double a = fabs(w->Ms[k]);
                w->Dt[j] = fmax(w->Dt[j], a);
                w->Et[w->M->i[k]] = fmax(w->Et[w->M->i[k]], a);
            }
        for (int64_t j = 0; j < n; j++)
            w->Dt[j] = 1.0 / sqrt(limit_scale(w->Dt[j]));
        for (int64_t i = 0; i < m; i++)
            w->Et[i] = 1.0 / sqrt(limit_scale(w->Et[i]));
        for (int64_t j = 0; j < n; j++) {
            for (int64_t k = w->Pu->p[j]; k < w->Pu->p[j + 1]; k++)
                w->Ps[k] *= w->Dt[w->Pu->i[k]] * w->Dt[j];
            for (int64_t k = w->M->p[j]; k < w->M->p[j + 1]; k++)
                w->Ms[k] *= w->Et[w->M->i[k]] * w->Dt[j];
            w->qs[j] *= w->Dt[j];
            w->D[j] *= w->Dt[j];
        }
        for (int64_t i = 0; i < m; i++)
            w->E[i] *= w->Et[i];
        /* cost scaling: c = 1 / max(mean column norm of P, ||q||) */
        sym_col_norms(w->Pu, w->Ps, w->Dt);
        double mean = 0.0;
        for (int64_t j = 0; j < n; j++)
            mean += w->Dt[j];
        mean = n > 0 ? mean / (double)n : 0.0;
        double ct = 1.0 / limit_scale(fmax(mean, limit_scale(norm_inf(w->qs, n))));
        for (int64_t k = 0; k < np; k++)
            w->Ps[k] *= ct;
        for (int64_t j = 0; j < n; j++)
            w->qs[j] *= ct;
        w->c *= ct;
    }
    for (int64_t i = 0; i < m; i++) {
        w->ls[i] = isfinite(w->l[i]) ? w->E[i] * w->l[i] : w->l[i];
        w->us[i] = w->E[i] * w->u[i];
    }
}

/* ------------------------------------------------------------ KKT matrix */

/* Pattern of H = Pu plus every diagonal entry, and the maps into it. */
static dqp_csc *build_H(admm *w) {
    const dqp_csc *U = w->Pu;
    int64_t n = w->n, nnz = dqp_csc_nnz(U), extra = 0;
    for (int64_t j = 0; j < n; j++)
        extra += !(U->p[j + 1] > U->p[j] && U->i[U->p[j + 1] - 1] == j);
    dqp_csc *H = dqp_csc_create(n, n, nnz + extra);
    if (!H)
        return NULL;
    int64_t t = 0;
    for (int64_t j = 0; j < n; j++) {
        int diag = 0;
        for (int64_t k = U->p[j]; k < U->p[j + 1]; k++) {
            H->i[t] = U->i[k];
            w->Hmap[k] = t;
            if (U->i[k] == j) {
                w->Hdiag[j] = t;
                diag = 1;
            }
            t++;
        }
        if (!diag) {
            H->i[t] = j;
            w->Hdiag[j] = t++;
        }
        H->p[j + 1] = t;
    }
    return H;
}

static void fill_H(admm *w) {
    int64_t nh = dqp_csc_nnz(w->H);
    memset(w->H->x, 0, (size_t)nh * sizeof(double));
    for (int64_t k = 0; k < dqp_csc_nnz(w->Pu); k++)
        w->H->x[w->Hmap[k]] = w->Ps[k];
    for (int64_t j = 0; j < w->n; j++)
        w->H->x[w->Hdiag[j]] += w->o.sigma;
}

static void set_rho(admm *w, double rho) {
    w->rho = fmin(fmax(rho, ADMM_RHO_MIN), ADMM_RHO_MAX);
    for (int64_t i = 0; i < w->m; i++) {
        w->rho_v[i] = i < w->me ? w->o.rho_eq_scale * w->rho : w->rho;
        w->rho_inv[i] = 1.0 / w->rho_v[i];
    }
    w->factored = 0;
}

/* Load the current values into the KKT layer and factor. DQP_ERR_NOT_CONVEX
 * when Pb + sigma I is not positive definite (inertia n+, m-). */
static dqp_status refactor(admm *w) {
    dqp_status st = dqp_kkt_update(w->kkt, w->H->x, w->Ms, w->rho_inv);
    if (st == DQP_OK)
        st = dqp_kkt_factor(w->kkt);
    if (st != DQP_OK)
        return st;
    dqp_kkt_info ki;
    dqp_kkt_get_info(w->kkt, &ki);
    if (ki.npos != w->n || ki.nneg != w->m)
        return DQP_ERR_NOT_CONVEX;
    w->factored = 1;
    return DQP_OK;
}

/* ------------------------------------------------------------ keywords */

static void default_opts(admm_opts *o) {
    o->rho = 0.1; /* OSQP's defaults for rho, sigma, alpha, scaling and the adaptation */
    o->sigma = 1e-6;
    o->alpha = 1.6;
    o->polish = 1;
    o->adaptive_rho = 1;
    o->adaptive_rho_interval = 25;
    o->adaptive_rho_tolerance = 5.0;
    o->scaling = 10;
    o->check_termination = 10;
    /* 1e-6 (OSQP: 1e-4): with 1e-5, the bounded Maros-Meszaros problems
     * PRIMALC1, PRIMALC2 and PRIMALC8 were reported unbounded: their ADMM
     * iterates drift for hundreds of iterations along a direction v with
     * q'v = -1, ||P v|| ~ 7e-6 and C v <= 7e-6 (a ray blocked only far away
     * by rows with tiny projections). With 1e-6 they end at max_iter. */
    o->eps_prim_inf = 1e-6;
    o->eps_dual_inf = 1e-6;
    o->rho_eq_scale = 1e3;
}

typedef enum { KW_NUM, KW_INT, KW_BOOL } kw_type;

/* One keyword: a double (KW_NUM), int64_t (KW_INT) or int (KW_BOOL) field of
 * admm_opts and its range (ends open or closed). */
typedef struct kw {
    const char *name;
    kw_type type;
    size_t offset;
    double lo, hi;
    int lo_open, hi_open;
    const char *expect; /* for the error message */
} kw;

#define OPT(f) offsetof(admm_opts, f)
static const kw admm_kws[] = {
    {"rho", KW_NUM, OPT(rho), 0, INFINITY, 1, 1, "a number > 0"},
    {"sigma", KW_NUM, OPT(sigma), 0, INFINITY, 1, 1, "a number > 0"},
    {"alpha", KW_NUM, OPT(alpha), 0, 2, 1, 1, "a number in (0, 2)"},
    {"polish", KW_BOOL, OPT(polish), 0, 1, 0, 0, "0/1/true/false/yes/no/on/off"},
    {"adaptive_rho", KW_BOOL, OPT(adaptive_rho), 0, 1, 0, 0, "0/1/true/false/yes/no/on/off"},
    {"adaptive_rho_interval", KW_INT, OPT(adaptive_rho_interval), 1, 1e18, 0, 0, "an integer >= 1"},
    {"adaptive_rho_tolerance", KW_NUM, OPT(adaptive_rho_tolerance), 1, INFINITY, 1, 1,
     "a number > 1"},
    {"scaling", KW_INT, OPT(scaling), 0, 100, 0, 0, "an integer in [0, 100]"},
    {"check_termination", KW_INT, OPT(check_termination), 1, 1e18, 0, 0, "an integer >= 1"},
    {"eps_prim_inf", KW_NUM, OPT(eps_prim_inf), 0, 1, 1, 1, "a number in (0, 1)"},
    {"eps_dual_inf", KW_NUM, OPT(eps_dual_inf), 0, 1, 1, 1, "a number in (0, 1)"},
    {"rho_eq_scale", KW_NUM, OPT(rho_eq_scale), 1, 1e6, 0, 0, "a number in [1, 1e6]"},
};
#undef OPT
#define N_KWS ((int)(sizeof admm_kws / sizeof admm_kws[0]))

static int parse_bool(const char *v, int *out) {
    const char *t[] = {"1", "true", "yes", "on"}, *f[] = {"0", "false", "no", "off"};
    for (int k = 0; k < 4; k++) {
        if (strcmp(v, t[k]) == 0)
            return *out = 1, 1;
        if (strcmp(v, f[k]) == 0)
            return *out = 0, 1;
    }
    return 0;
}

/* Parse val for keyword k into o; 0 when malformed or out of range. */
static int parse_value(const kw *k, const char *val, admm_opts *o) {
    char *dst = (char *)o + k->offset, *end;
    if (k->type == KW_BOOL) {
        int b;
        if (!parse_bool(val, &b))
            return 0;
        memcpy(dst, &b, sizeof b);
        return 1;
    }
    double x;
    if (k->type == KW_INT) {
        long long v = strtoll(val, &end, 10);
        x = (double)v;
        if (end == val || *end != '\0' || x < k->lo || x > k->hi)
            return 0;
        int64_t v64 = v;
        memcpy(dst, &v64, sizeof v64);
        return 1;
    }
    x = strtod(val, &end);
    if (end == val || *end != '\0' || !isfinite(x) || (k->lo_open ? !(x > k->lo) : !(x >= k->lo)) ||
        (k->hi_open ? !(x < k->hi) : !(x <= k->hi)))
        return 0;
    memcpy(dst, &x, sizeof x);
    return 1;
}

static dqp_status parse_keywords(admm_opts *o, const dqp_settings *s, dqp_message *msg) {
    char key[DQP_KEYWORDS_LEN], val[DQP_KEYWORDS_LEN];
    for (int i = 0; dqp_settings_keyword(s, i, key, sizeof key, val, sizeof val) == DQP_OK; i++) {
        int k = 0;
        while (k < N_KWS && strcmp(key, admm_kws[k].name) != 0)
            k++;
        if (k == N_KWS) {
            char list[DQP_MESSAGE_LEN] = "";
            size_t used = 0;
            for (int j = 0; j < N_KWS && used < sizeof list; j++) {
                dqp_fmt(list + used, sizeof list - used, "%s%s", j ? ", " : "", admm_kws[j].name);
                used = strlen(list);
            }
            return dqp_fail(msg, DQP_ERR_VALUE, "admm: unknown keyword \"%s\" (valid keys: %s)",
                            key, list);
        }
        if (!parse_value(&admm_kws[k], val, o))
            return dqp_fail(msg, DQP_ERR_VALUE, "admm: keyword %s=%s: expected %s", key, val,
                            admm_kws[k].expect);
    }
    return DQP_OK;
}

/* ------------------------------------------------------------ setup */

static void admm_destroy(void *self) {
    admm *w = self;
    if (!w)
        return;
    dqp_kkt_destroy(w->kkt);
    dqp_csc_free(w->Pu);
    dqp_csc_free(w->M);
    dqp_csc_free(w->H);
    double *arrays[] = {w->q,   w->l,  w->u,  w->Ps,     w->Ms,     w->qs,    w->ls,
                        w->us,  w->D,  w->E,  w->Dt,     w->Et,     w->rho_v, w->x,
                        w->z,   w->y,  w->xp, w->yp,     w->rhs,    w->Mx,    w->Px,
                        w->Mty, w->wn, w->wm, w->warm_x, w->warm_y, w->cert,  w->rho_inv};
    for (size_t k = 0; k < sizeof arrays / sizeof arrays[0]; k++)
        dqp_free(arrays[k]);
    dqp_free(w->Hmap);
    dqp_free(w->Hdiag);
    dqp_free(w);
}

/* Copy q, l, u from the problem (P and M values are already in Pu, M). */
static void load_vectors(admm *w, const dqp_problem *prob) {
    memcpy(w->q, prob->q, (size_t)w->n * sizeof(double));
    for (int64_t i = 0; i < w->me; i++)
        w->l[i] = w->u[i] = prob->b[i];
    for (int64_t i = 0; i < w->mi; i++) {
        w->l[w->me + i] = -INFINITY;
        w->u[w->me + i] = prob->d[i];
    }
}

static dqp_status alloc_arrays(admm *w) {
    int64_t n = w->n, m = w->m, np = dqp_csc_nnz(w->Pu), nm = dqp_csc_nnz(w->M), N;
    if (!dqp_add_size(n, m, &N))
        return DQP_ERR_DIMENSION;
    double **vn[] = {&w->q,  &w->qs, &w->D,   &w->Dt, &w->x,
                     &w->xp, &w->Px, &w->Mty, &w->wn, &w->warm_x};
    double **vm[] = {&w->l,       &w->u, &w->ls, &w->us, &w->E,  &w->Et, &w->rho_v,
                     &w->rho_inv, &w->z, &w->y,  &w->yp, &w->Mx, &w->wm, &w->warm_y};
    int fail = 0;
    for (size_t k = 0; k < sizeof vn / sizeof vn[0]; k++)
        fail |= !(*vn[k] = dqp_calloc(n, sizeof(double)));
    for (size_t k = 0; k < sizeof vm / sizeof vm[0]; k++)
        fail |= !(*vm[k] = dqp_calloc(m, sizeof(double)));
    fail |= !(w->Ps = dqp_alloc(np, sizeof(double)));
    fail |= !(w->Ms = dqp_alloc(nm, sizeof(double)));
    fail |= !(w->rhs = dqp_alloc(N, sizeof(double)));
    fail |= !(w->cert = dqp_calloc(DQP_MAX(n, m), sizeof(double)));
    fail |= !(w->Hmap = dqp_alloc(np, sizeof(int64_t)));
    fail |= !(w->Hdiag = dqp_alloc(n, sizeof(int64_t)));
    return fail ? DQP_ERR_NOMEM : DQP_OK;
}

static dqp_status admm_setup(void **self, const dqp_problem *prob, const dqp_settings *s,
                             dqp_message *msg) {
    if (!self || !prob || !s)
        return dqp_fail(msg, DQP_ERR_NULL, "admm: NULL argument to setup");
    *self = NULL;
    admm *w = dqp_calloc(1, sizeof *w);
    if (!w)
        return dqp_fail(msg, DQP_ERR_NOMEM, "admm: out of memory");
    w->n = prob->n;
    w->me = prob->m_eq;
    w->mi = prob->m_ineq;
    w->m = w->me + w->mi;
    w->eps_abs = s->eps_abs;
    w->eps_rel = s->eps_rel;
    w->time_limit = s->time_limit;
    w->max_iter = s->max_iter > 0 ? s->max_iter : 4000;
    dqp_fmt(w->lin_solver, sizeof w->lin_solver, "%s", s->lin_solver);
    default_opts(&w->o);
    dqp_status st = parse_keywords(&w->o, s, msg);
    if (st != DQP_OK) {
        admm_destroy(w);
        return st;
    }
    w->Pu = dqp_admm_upper_P(prob);
    w->M = dqp_admm_stack_rows(prob);
    st = (w->Pu && w->M) ? alloc_arrays(w) : DQP_ERR_NOMEM;
    if (st == DQP_OK && !(w->H = build_H(w)))
        st = DQP_ERR_NOMEM;
    if (st != DQP_OK) {
        admm_destroy(w);
        return dqp_fail(msg, st, "admm: out of memory (n = %lld, m = %lld)", (long long)prob->n,
                        (long long)(prob->m_eq + prob->m_ineq));
    }
    load_vectors(w, prob);
    scale_data(w);
    fill_H(w);
    set_rho(w, w->o.rho);
    dqp_kkt_options opt;
    dqp_kkt_options_default(&opt);
    /* D = 1/rho > 0 and Pb + sigma I > 0: quasi-definite, no regularization
     * needed; one refinement step at most, and 1e-6 accepted because an
     * ADMM step only needs a few correct digits. */
    opt.reg = 0.0;
    opt.max_refine = 1;
    opt.tol = 1e-12;
    opt.tol_accept = 1e-6;
    opt.check_singular = 0;
    st = dqp_kkt_create(&w->kkt, w->lin_solver, w->n, w->m, w->H, w->M, w->rho_inv, &opt, msg);
    if (st != DQP_OK) {
        admm_destroy(w);
        return st;
    }
    *self = w;
    return DQP_OK;
}

static dqp_status admm_update(void *self, const dqp_problem *prob, dqp_message *msg) {
    admm *w = self;
    if (!w || !prob)
        return dqp_fail(msg, DQP_ERR_NULL, "admm: NULL argument to update");
    if (prob->n != w->n || prob->m_eq != w->me || prob->m_ineq != w->mi)
        return dqp_fail(msg, DQP_ERR_DIMENSION, "admm: update with different sizes");
    dqp_csc *Pu = dqp_admm_upper_P(prob), *M = dqp_admm_stack_rows(prob);
    dqp_status st = DQP_OK;
    if (!Pu || !M)
        st = dqp_fail(msg, DQP_ERR_NOMEM, "admm: out of memory in update");
    else if (!same_pattern(Pu, w->Pu) || !same_pattern(M, w->M))
        st = dqp_fail(msg, DQP_ERR_VALUE, "admm: update with a different sparsity pattern");
    if (st == DQP_OK) {
        memcpy(w->Pu->x, Pu->x, (size_t)dqp_csc_nnz(Pu) * sizeof(double));
        memcpy(w->M->x, M->x, (size_t)dqp_csc_nnz(M) * sizeof(double));
        load_vectors(w, prob);
        scale_data(w);
        fill_H(w);
        w->factored = 0;
    }
    dqp_csc_free(Pu);
    dqp_csc_free(M);
    return st;
}

static dqp_status admm_warm_start(void *self, const double *z, const double *lam, const double *mu,
                                  const unsigned char *active) {
    admm *w = self;
    (void)active; /* no active set in ADMM; the polish guess comes from the iterate */
    if (!w)
        return DQP_ERR_NULL;
    if (z) {
        memcpy(w->warm_x, z, (size_t)w->n * sizeof(double));
        w->warm_x_set = 1;
    }
    if (lam || mu) {
        for (int64_t i = 0; i < w->me; i++)
            w->warm_y[i] = lam ? lam[i] : 0.0;
        for (int64_t i = 0; i < w->mi; i++)
            w->warm_y[w->me + i] = mu ? mu[i] : 0.0;
        w->warm_y_set = 1;
    }
    return DQP_OK;
}

/* ------------------------------------------------------------ iteration */

typedef struct residuals {
    double prim, dual, prim_tol, dual_tol; /* unscaled (termination) */
    double prim_s, dual_s;                 /* scaled, normalized (step-size estimate) */
} residuals;

/* Residuals of the current iterate; fills Mx, Px, Mty (scaled). */
static void compute_residuals(admm *w, residuals *r) {
    int64_t n = w->n, m = w->m;
    csc_mv(w->M, w->Ms, w->x, w->Mx);
    sym_mv(w->Pu, w->Ps, w->x, w->Px);
    csc_mtv(w->M, w->Ms, w->y, w->Mty);
    double p = 0.0, ps = 0.0;
    for (int64_t i = 0; i < m; i++) {
        double t = w->Mx[i] - w->z[i];
        p = fmax(p, fabs(t / w->E[i]));
        ps = fmax(ps, fabs(t));
    }
    double d = 0.0, ds = 0.0;
    for (int64_t j = 0; j < n; j++) {
        double t = w->Px[j] + w->qs[j] + w->Mty[j];
        d = fmax(d, fabs(t / w->D[j]));
        ds = fmax(ds, fabs(t));
    }
    double nMx = norm_inf_div(w->Mx, w->E, m), nz = norm_inf_div(w->z, w->E, m);
    double nPx = norm_inf_div(w->Px, w->D, n), nMty = norm_inf_div(w->Mty, w->D, n);
    double nq = norm_inf_div(w->qs, w->D, n);
    r->prim = p;
    r->dual = d / w->c;
    r->prim_tol = w->eps_abs + w->eps_rel * fmax(nMx, nz);
    r->dual_tol = w->eps_abs + w->eps_rel * fmax(fmax(nPx, nMty), nq) / w->c;
    double sp = fmax(norm_inf(w->Mx, m), norm_inf(w->z, m));
    double sd = fmax(fmax(norm_inf(w->Px, n), norm_inf(w->Mty, n)), norm_inf(w->qs, n));
    r->prim_s = ps / (sp + ADMM_DIV_TOL);
    r->dual_s = ds / (sd + ADMM_DIV_TOL);
}

/* Primal infeasibility certificate from dy = y - yp (projected on the polar
 * of the recession cone: dy_i >= 0 on one-sided rows). */
static int primal_infeasible(admm *w) {
    int64_t m = w->m, n = w->n;
    double *dy = w->wm, nrm = 0.0, lhs = 0.0;
    for (int64_t i = 0; i < m; i++) {
        dy[i] = w->y[i] - w->yp[i];
        if (!isfinite(w->ls[i]))
            dy[i] = fmax(dy[i], 0.0);
        nrm = fmax(nrm, fabs(w->E[i] * dy[i]));
    }
    if (!(nrm > ADMM_DIV_TOL))
        return 0;
    for (int64_t i = 0; i < m; i++)
        lhs += dy[i] > 0.0 ? w->us[i] * dy[i] : (dy[i] < 0.0 ? w->ls[i] * dy[i] : 0.0);
    if (!(lhs < -w->o.eps_prim_inf * nrm))
        return 0;
    csc_mtv(w->M, w->Ms, dy, w->wn);
    if (!(norm_inf_div(w->wn, w->D, n) < w->o.eps_prim_inf * nrm))
        return 0;
    for (int64_t i = 0; i < m; i++)
        w->cert[i] = w->E[i] * dy[i] / nrm;
    return 1;
}

/* Dual infeasibility (unboundedness) certificate from dx = x - xp. */
static int dual_infeasible(admm *w) {
    int64_t m = w->m, n = w->n;
    double *dx = w->wn, nrm = 0.0, qdx = 0.0, eps = w->o.eps_dual_inf;
    for (int64_t j = 0; j < n; j++) {
        dx[j] = w->x[j] - w->xp[j];
        nrm = fmax(nrm, fabs(w->D[j] * dx[j]));
        qdx += w->qs[j] * dx[j];
    }
    if (!(nrm > ADMM_DIV_TOL) || !(qdx / w->c < -eps * nrm))
        return 0;
    /* P dx (unscaled: D^-1 Pb dx / c), in cert as scratch */
    sym_mv(w->Pu, w->Ps, dx, w->cert);
    if (!(norm_inf_div(w->cert, w->D, n) / w->c < eps * nrm))
        return 0;
    csc_mv(w->M, w->Ms, dx, w->wm);
    for (int64_t i = 0; i < m; i++) {
        double v = w->wm[i] / w->E[i];
        if (i < w->me ? !(fabs(v) < eps * nrm) : !(v < eps * nrm))
            return 0;
    }
    for (int64_t j = 0; j < n; j++)
        w->cert[j] = w->D[j] * dx[j] / nrm;
    return 1;
}

/* One ADMM iteration (x, z, y in place; xp, yp keep the previous ones). */
static dqp_status iterate(admm *w) {
    int64_t n = w->n, m = w->m;
    double a = w->o.alpha, *r = w->rhs;
    memcpy(w->xp, w->x, (size_t)n * sizeof(double));
    memcpy(w->yp, w->y, (size_t)m * sizeof(double));
    for (int64_t j = 0; j < n; j++)
        r[j] = w->o.sigma * w->x[j] - w->qs[j];
    for (int64_t i = 0; i < m; i++)
        r[n + i] = w->z[i] - w->y[i] * w->rho_inv[i];
    dqp_status st = dqp_kkt_solve(w->kkt, r, 1);
    if (st != DQP_OK)
        return st;
    for (int64_t j = 0; j < n; j++)
        w->x[j] = a * r[j] + (1.0 - a) * w->x[j];
    for (int64_t i = 0; i < m; i++) {
        double zt = w->z[i] + (r[n + i] - w->y[i]) * w->rho_inv[i];
        double zr = a * zt + (1.0 - a) * w->z[i];
        double zn = fmin(fmax(zr + w->y[i] * w->rho_inv[i], w->ls[i]), w->us[i]);
        w->y[i] += w->rho_v[i] * (zr - zn);
        w->z[i] = zn;
    }
    return DQP_OK;
}

/* Initial iterate: zero (cold, initial rho) or the warm start (rho kept). */
static void start_point(admm *w) {
    int64_t n = w->n, m = w->m;
    int warm = w->warm_x_set || w->warm_y_set;
    for (int64_t j = 0; j < n; j++)
        w->x[j] = w->warm_x_set ? w->warm_x[j] / w->D[j] : 0.0;
    for (int64_t i = 0; i < m; i++)
        w->y[i] = w->warm_y_set ? w->c * w->warm_y[i] / w->E[i] : 0.0;
    if (w->warm_x_set)
        csc_mv(w->M, w->Ms, w->x, w->z);
    else
        memset(w->z, 0, (size_t)m * sizeof(double));
    if (!warm && w->rho != fmin(fmax(w->o.rho, ADMM_RHO_MIN), ADMM_RHO_MAX))
        set_rho(w, w->o.rho);
    w->warm_x_set = w->warm_y_set = 0;
}

/* The ADMM loop. Returns the outcome; DQP_QP_UNSOLVED never. */
static dqp_qp_status run(admm *w, residuals *res) {
    int64_t it = 0;
    for (;;) {
        if (it >= w->max_iter) {
            compute_residuals(w, res);
            return DQP_QP_MAX_ITER;
        }
        if (isfinite(w->time_limit) && elapsed(&w->t0) > w->time_limit) {
            compute_residuals(w, res);
            return DQP_QP_TIME_LIMIT;
        }
        if (iterate(w) != DQP_OK)
            return DQP_QP_NUMERICAL_ERROR;
        w->info.iterations = ++it;
        int check = it % w->o.check_termination == 0 || it == w->max_iter;
        int adapt = w->o.adaptive_rho && it % w->o.adaptive_rho_interval == 0;
        if (!check && !adapt)
            continue;
        compute_residuals(w, res);
        if (!isfinite(res->prim) || !isfinite(res->dual))
            return DQP_QP_NUMERICAL_ERROR;
        if (check) {
            if (res->prim <= res->prim_tol && res->dual <= res->dual_tol)
                return DQP_QP_SOLVED;
            if (primal_infeasible(w)) {
                w->info.cert_kind = 1;
                return DQP_QP_PRIMAL_INFEASIBLE;
            }
            if (dual_infeasible(w)) {
                w->info.cert_kind = 2;
                return DQP_QP_DUAL_INFEASIBLE;
            }
        }
        if (adapt) {
            double est = w->rho * sqrt(res->prim_s / (res->dual_s + ADMM_DIV_TOL));
            est = fmin(fmax(est, ADMM_RHO_MIN), ADMM_RHO_MAX);
            double tol = w->o.adaptive_rho_tolerance;
            if (est > tol * w->rho || est < w->rho / tol) {
                set_rho(w, est);
                dqp_status st = refactor(w);
                if (st != DQP_OK)
                    return st == DQP_ERR_NOT_CONVEX ? DQP_QP_NOT_CONVEX : DQP_QP_NUMERICAL_ERROR;
                w->info.rho_updates++;
            }
        }
    }
}

/* ------------------------------------------------------------ polishing */

typedef struct point_res {
    double prim, dual, pscale, dscale;
} point_res;

/* Recomputed residuals of an unscaled point (x, y) on the unscaled data:
 * prim = max(|Ax - b|, (Cx - d)+), dual = max(||Px + q + M'y||, -min y_C). */
static void point_residuals(admm *w, const double *x, const double *y, point_res *r) {
    int64_t n = w->n, m = w->m;
    double *Mx = w->wm, *g = w->wn, *t = w->cert;
    csc_mv(w->M, w->M->x, x, Mx);
    r->prim = 0.0;
    r->pscale = norm_inf(Mx, m);
    for (int64_t i = 0; i < m; i++) {
        double v = Mx[i] - w->u[i];
        r->prim = fmax(r->prim, i < w->me ? fabs(v) : fmax(v, 0.0));
        r->pscale = fmax(r->pscale, fabs(w->u[i]));
    }
    sym_mv(w->Pu, w->Pu->x, x, g);
    r->dscale = fmax(norm_inf(g, n), norm_inf(w->q, n));
    csc_mtv(w->M, w->M->x, y, t);
    r->dscale = fmax(r->dscale, norm_inf(t, n));
    r->dual = 0.0;
    for (int64_t j = 0; j < n; j++)
        r->dual = fmax(r->dual, fabs(g[j] + w->q[j] + t[j]));
    for (int64_t i = w->me; i < m; i++)
        r->dual = fmax(r->dual, -y[i]);
}

/* G = [A; C_act] from M: rows with rowmap[i] >= 0, renumbered. */
static dqp_csc *polish_G(const admm *w, const int64_t *rowmap, int64_t mg) {
    int64_t nnz = 0;
    for (int64_t k = 0; k < dqp_csc_nnz(w->M); k++)
        nnz += rowmap[w->M->i[k]] >= 0;
    dqp_csc *G = dqp_csc_create(mg, w->n, nnz);
    if (!G)
        return NULL;
    int64_t t = 0;
    for (int64_t j = 0; j < w->n; j++) {
        for (int64_t k = w->M->p[j]; k < w->M->p[j + 1]; k++)
            if (rowmap[w->M->i[k]] >= 0) {
                G->i[t] = rowmap[w->M->i[k]];
                G->x[t++] = w->M->x[k];
            }
        G->p[j + 1] = t;
    }
    return G;
}

/* Solve the equality QP on the guessed active set. On success xo (n) and yo
 * (m) hold the polished point. DQP_ERR_NOMEM is the only error passed on;
 * a failed factorization/solve returns DQP_ERR_NUMERICAL (polish rejected). */
static dqp_status polish_solve(admm *w, double *xo, double *yo) {
    int64_t n = w->n, m = w->m, mg = w->me;
    int64_t *rowmap = dqp_alloc(m, sizeof(int64_t));
    if (!rowmap)
        return DQP_ERR_NOMEM;
    for (int64_t i = 0; i < m; i++) {
        int act = i < w->me || w->us[i] - w->z[i] < w->y[i];
        rowmap[i] = act ? (i < w->me ? i : mg++) : -1;
    }
    w->info.polish_active = mg - w->me;
    dqp_csc *G = polish_G(w, rowmap, mg);
    double *r = NULL;
    dqp_kkt *kkt = NULL;
    dqp_status st = G ? DQP_OK : DQP_ERR_NOMEM;
    if (st == DQP_OK && !(r = dqp_alloc(n + mg, sizeof(double))))
        st = DQP_ERR_NOMEM;
    if (st == DQP_OK) {
        dqp_kkt_options opt;
        dqp_kkt_options_default(&opt);
        dqp_message msg = {{0}};
        st = dqp_kkt_create(&kkt, w->lin_solver, n, mg, w->Pu, G, NULL, &opt, &msg);
    }
    if (st == DQP_OK) {
        st = dqp_kkt_factor(kkt);
        if (st == DQP_ERR_SINGULAR) { /* dependent active rows or P singular on null(G) */
            w->info.polish_least_norm = 1;
            dqp_kkt_set_least_norm(kkt, 1);
            st = dqp_kkt_factor(kkt);
        }
    }
    if (st == DQP_OK) {
        for (int64_t j = 0; j < n; j++)
            r[j] = -w->q[j];
        for (int64_t i = 0; i < m; i++)
            if (rowmap[i] >= 0)
                r[n + rowmap[i]] = w->u[i];
        st = dqp_kkt_solve(kkt, r, 1);
    }
    if (st == DQP_OK) {
        memcpy(xo, r, (size_t)n * sizeof(double));
        for (int64_t i = 0; i < m; i++)
            yo[i] = rowmap[i] >= 0 ? r[n + rowmap[i]] : 0.0;
    }
    dqp_kkt_destroy(kkt);
    dqp_csc_free(G);
    dqp_free(r);
    dqp_free(rowmap);
    return st == DQP_OK || st == DQP_ERR_NOMEM ? st : DQP_ERR_NUMERICAL;
}

/* Polish and keep the better point in (xo, yo). */
static dqp_status polish(admm *w, double *xo, double *yo, point_res *best) {
    int64_t n = w->n, m = w->m;
    double *xp = dqp_alloc(n, sizeof(double)), *yp = dqp_alloc(m, sizeof(double));
    dqp_status st = xp && yp ? polish_solve(w, xp, yp) : DQP_ERR_NOMEM;
    w->info.polish_attempted = 1;
    if (st == DQP_OK) {
        point_res pr;
        point_residuals(w, xp, yp, &pr);
        double fp = ADMM_ROUNDOFF * fmax(1.0, fmax(pr.pscale, best->pscale));
        double fd = ADMM_ROUNDOFF * fmax(1.0, fmax(pr.dscale, best->dscale));
        if (pr.prim <= fmax(best->prim, fp) && pr.dual <= fmax(best->dual, fd)) {
            memcpy(xo, xp, (size_t)n * sizeof(double));
            memcpy(yo, yp, (size_t)m * sizeof(double));
            *best = pr;
            w->info.polish_accepted = 1;
        }
    }
    dqp_free(xp);
    dqp_free(yp);
    return st == DQP_ERR_NOMEM ? st : DQP_OK;
}

/* ------------------------------------------------------------ solve */

static void write_output(admm *w, dqp_qp_output *out, const double *x, const double *y,
                         dqp_qp_status st) {
    int duals = st == DQP_QP_SOLVED || st == DQP_QP_SOLVED_INACCURATE;
    memcpy(out->z, x, (size_t)w->n * sizeof(double));
    for (int64_t i = 0; i < w->me; i++)
        out->lam[i] = duals ? y[i] : 0.0;
    for (int64_t i = 0; i < w->mi; i++)
        out->mu[i] = duals ? y[w->me + i] : 0.0;
    sym_mv(w->Pu, w->Pu->x, x, w->wn);
    double obj = 0.0;
    for (int64_t j = 0; j < w->n; j++)
        obj += x[j] * (0.5 * w->wn[j] + w->q[j]);
    out->objective = obj;
    out->status = st;
    out->iterations = w->info.iterations;
    out->has_duals = duals;
}

static dqp_status admm_solve(void *self, dqp_qp_output *out, dqp_message *msg) {
    admm *w = self;
    if (!w || !out)
        return dqp_fail(msg, DQP_ERR_NULL, "admm: NULL argument to solve");
    int64_t n = w->n, m = w->m;
    clock_gettime(CLOCK_MONOTONIC, &w->t0);
    memset(&w->info, 0, sizeof w->info);
    start_point(w);
    dqp_qp_status qs = DQP_QP_UNSOLVED;
    residuals res = {0, 0, 0, 0, 0, 0};
    if (!w->factored) {
        dqp_status st = refactor(w);
        if (st == DQP_ERR_NOT_CONVEX)
            qs = DQP_QP_NOT_CONVEX;
        else if (st != DQP_OK)
            qs = DQP_QP_NUMERICAL_ERROR;
    }
    if (qs == DQP_QP_UNSOLVED)
        qs = run(w, &res);
    w->info.rho = w->rho;
    w->info.certificate = w->info.cert_kind ? w->cert : NULL;
    /* unscale the iterate into xp (x) and yp (y): x = D xb, y = E yb / c */
    for (int64_t j = 0; j < n; j++)
        w->xp[j] = w->D[j] * w->x[j];
    for (int64_t i = 0; i < m; i++)
        w->yp[i] = w->E[i] * w->y[i] / w->c;
    point_res pr = {0, 0, 0, 0};
    int usable = qs == DQP_QP_SOLVED || qs == DQP_QP_MAX_ITER;
    if (usable) {
        point_residuals(w, w->xp, w->yp, &pr);
        w->info.prim_res_admm = pr.prim;
        w->info.dual_res_admm = pr.dual;
        if (w->o.polish && polish(w, w->xp, w->yp, &pr) != DQP_OK)
            return dqp_fail(msg, DQP_ERR_NOMEM, "admm: out of memory while polishing");
        w->info.prim_res = pr.prim;
        w->info.dual_res = pr.dual;
        if (qs == DQP_QP_MAX_ITER) {
            double tp = w->eps_abs + w->eps_rel * pr.pscale;
            double td = w->eps_abs + w->eps_rel * pr.dscale;
            if (w->info.polish_accepted && pr.prim <= tp && pr.dual <= td)
                qs = DQP_QP_SOLVED;
            else if (res.prim <= ADMM_INACCURATE * res.prim_tol &&
                     res.dual <= ADMM_INACCURATE * res.dual_tol)
                qs = DQP_QP_SOLVED_INACCURATE;
        }
    }
    write_output(w, out, w->xp, w->yp, qs);
    return DQP_OK;
}

dqp_status dqp_admm_get_info(const void *self, dqp_admm_info *info) {
    const admm *w = self;
    if (!w || !info)
        return DQP_ERR_NULL;
    *info = w->info;
    return DQP_OK;
}

const dqp_qp_backend dqp_backend_admm = {
    "admm",
    "ADMM operator splitting (OSQP class), sparse; adaptive rho, infeasibility certificates, "
    "polishing for exact active sets and duals",
    DQP_CAP_DUALS | DQP_CAP_SPARSE | DQP_CAP_DENSE | DQP_CAP_WARM | DQP_CAP_QUADRATIC,
    admm_setup,
    admm_update,
    admm_warm_start,
    admm_solve,
    admm_destroy,
    NULL,
    NULL,
    NULL,
    NULL};
