/* ipm_reuse.c - the last Newton factorization as an approximate inverse of the
 * engine's reduced KKT matrix (the backend hook kkt_reuse, solver.h).
 *
 * At a converged iterate the Newton matrix of ipm_kkt.c, written with the
 * bound rows explicit, is (scaled data, ipm_internal.h)
 *
 *         [ Ps + rho I   R'          B'   ]
 *     M = [ R           -diag(Dk)         ]     Dk = (delta, S/Z + delta),
 *         [ B                     -Wt     ]     Wt = T/W + delta,
 *
 * and the engine's reduced KKT for an active set J is the same matrix with
 * rho, delta and the (2,2) entries of J set to 0 and the rows outside J
 * removed. On active rows S/Z and T/W vanish (slack -> 0, multiplier > 0);
 * on inactive rows they are large. Solving with M with a zero right-hand side
 * on the inactive rows and reading the other components applies the inverse
 * of the Schur complement M_J = K_J + E with
 *     E = diag(rho I + sum_{i not in J} r_i' r_i / W_i,  -delta,  -W_J),
 * (r_i: row i of [R; B]), exactly. Iterative refinement with M_J^{-1}
 * against K_J multiplies the error by T = I - M_J^{-1} K_J = M_J^{-1} E per
 * step; on null(K_J) T is the identity. So the test is the contraction of T
 * itself, estimated by the power method in the scaled space (where the
 * problem is equilibrated) from a fixed pseudo-random start: the ratio
 * ||T v|| / ||v|| after IPM_REUSE_POWER_STEPS steps. A singular K_J keeps the
 * null-space share of v and gives ~1; a regular K_J with a good
 * approximation gives ~ ||E|| / sigma_min(K_J). When it is small, the engine
 * refines in its own coordinates (kkt.h, dqp_kkt_create_external), where T
 * is similar to the scaled one (same eigenvalues).
 *
 * Scaling (ipm_scaling.c): with x = Dx xs, rows of R multiplied by Er and
 * the objective by cs, the scaled matrix is Ks = L K Rr with
 *     L = diag(cs Dx, Er, eb),   Rr = diag(Dx, Er / cs, eb / cs),
 * where eb_k = 1 / (|c_k| Dx_j) is the scale of bound row k (c_k x_j <= d_k).
 * Hence K^{-1} = Rr Ks^{-1} L, and the engine's row scales (it divides row i
 * of C by rowscale_i) multiply both sides once more.
 */
#include "solvers/ipm_internal.h"

#include <math.h>
#include <string.h>

/* Accept the factorization when the estimated contraction per refinement
 * step is below this (at least a digit per step). */
#define IPM_REUSE_THRESHOLD 0.1
#define IPM_REUSE_POWER_STEPS 3
/* A step that leaves more than this share of v ends the test early: the
 * factorization is declined (a decline costs only a factorization of K_J,
 * never accuracy). On the Maros-Meszaros set every estimate that exceeded
 * it at some step ended above 0.5, and the test was declined on all 24
 * problems where it ran, mostly after a first step at 0.3-300 (a singular
 * or nearly singular K_J, where T keeps the null-space share of v). */
#define IPM_REUSE_DECLINE 0.5

/* Scale of row i of C in the scaled problem (L's entry; Rr's is this / cs). */
static double row_factor(const dqp_ipm *w, int64_t i) {
    int64_t c = w->c_kind[i];
    if (c >= 0)
        return w->Er[w->p + c];
    int64_t b = -1 - c;
    return 1.0 / (fabs(w->b_coef[b]) * w->Dx[w->b_var[b]]);
}

/* v <- M_J^{-1} v for v = (x, y, u_J) of length n + p + |J|; scaled: in the
 * solver's scaled space (for the test), else in the engine's coordinates. */
static dqp_status apply_core(dqp_ipm *w, double *v, int scaled) {
    int64_t n = w->n, p = w->p, off = n + p;
    double *kx = w->kx, *r3 = w->wb, ics = 1.0 / w->cs;
    for (int64_t j = 0; j < n; j++)
        kx[j] = scaled ? v[j] : w->cs * w->Dx[j] * v[j];
    for (int64_t i = 0; i < p; i++)
        kx[n + i] = scaled ? v[n + i] : w->Er[i] * v[n + i];
    for (int64_t r = 0; r < w->m; r++)
        kx[off + r] = 0.0;
    for (int64_t b = 0; b < w->nb; b++)
        r3[b] = 0.0;
    for (int64_t k = 0; k < w->jn; k++) {
        int64_t i = w->jrow[k], c = w->c_kind[i];
        double s = scaled ? v[off + k] : row_factor(w, i) * w->jscale[k] * v[off + k];
        if (c >= 0)
            kx[off + c] = s;
        else
            r3[-1 - c] = s;
    }
    /* eliminate the bound rows: B x - Wt u_b = r3 gives u_b = (B x - r3) / Wt */
    for (int64_t b = 0; b < w->nb; b++)
        if (r3[b] != 0.0)
            kx[w->b_var[b]] += w->bsg[b] * r3[b] / w->Wtf[b];
    dqp_status st = dqp_kkt_solve_once(w->kkt, kx);
    if (st != DQP_OK)
        return st;
    for (int64_t j = 0; j < n; j++)
        v[j] = scaled ? kx[j] : w->Dx[j] * kx[j];
    for (int64_t i = 0; i < p; i++)
        v[n + i] = scaled ? kx[n + i] : w->Er[i] * ics * kx[n + i];
    for (int64_t k = 0; k < w->jn; k++) {
        int64_t i = w->jrow[k], c = w->c_kind[i];
        double u;
        if (c >= 0) {
            u = kx[off + c];
        } else {
            int64_t b = -1 - c;
            u = (w->bsg[b] * kx[w->b_var[b]] - r3[b]) / w->Wtf[b];
        }
        v[off + k] = scaled ? u : row_factor(w, i) * ics * w->jscale[k] * u;
    }
    for (int64_t k = 0; k < off + w->jn; k++)
        if (!isfinite(v[k]))
            return DQP_ERR_NUMERICAL;
    return DQP_OK;
}

static dqp_status apply_engine(void *user, double *x) { return apply_core(user, x, 0); }

/* y = K_J v in the scaled space (v, y of length n + p + |J|). */
static void reduced_mv(dqp_ipm *w, const double *v, double *y) {
    int64_t n = w->n, p = w->p, off = n + p;
    const dqp_csc *R = w->R;
    dqp_ipm_sym_mv(w->Pu, w->Ps, v, y);
    for (int64_t k = off; k < off + w->jn; k++)
        y[k] = 0.0;
    for (int64_t i = 0; i < p; i++)
        y[n + i] = 0.0;
    for (int64_t j = 0; j < n; j++)
        for (int64_t k = R->p[j]; k < R->p[j + 1]; k++) {
            int64_t i = R->i[k], pos = i < p ? n + i : w->cpos[w->g_row[i - p]];
            if (pos < 0)
                continue;
            if (i >= p)
                pos += off;
            y[pos] += w->Rsx[k] * v[j];
            y[j] += w->Rsx[k] * v[pos];
        }
    for (int64_t b = 0; b < w->nb; b++) {
        int64_t pos = w->cpos[w->b_row[b]];
        if (pos < 0)
            continue;
        y[off + pos] += w->bsg[b] * v[w->b_var[b]];
        y[w->b_var[b]] += w->bsg[b] * v[off + pos];
    }
}

/* Power-method estimate of the contraction of T = I - M_J^{-1} K_J (scaled):
 * ||T v|| / ||v|| at the last step, from a fixed pseudo-random start; the
 * first step above IPM_REUSE_DECLINE is the last. */
static dqp_status contraction(dqp_ipm *w, double *out) {
    int64_t N = w->n + w->p + w->jn;
    double *v = w->jv, *t = w->jv + N, nrm = 0.0, est = 0.0;
    dqp_fill_uniform(v, N, 0x2545F4914F6CDD1DULL);
    for (int64_t i = 0; i < N; i++)
        nrm += v[i] * v[i];
    nrm = sqrt(nrm);
    for (int step = 0; step < IPM_REUSE_POWER_STEPS && nrm > 0; step++) {
        for (int64_t i = 0; i < N; i++)
            v[i] /= nrm;
        reduced_mv(w, v, t);
        dqp_status st = apply_core(w, t, 1);
        if (st != DQP_OK)
            return st;
        nrm = 0.0;
        for (int64_t i = 0; i < N; i++) {
            v[i] -= t[i];
            nrm += v[i] * v[i];
        }
        nrm = sqrt(nrm);
        est = nrm;
        if (!(est <= IPM_REUSE_DECLINE))
            break;
    }
    *out = est;
    return DQP_OK;
}

dqp_status dqp_ipm_load_j(dqp_ipm *w, const int64_t *active, int64_t nact, const double *rowscale) {
    if (nact < 0 || nact > w->mi || w->p != w->me)
        return DQP_ERR_DIMENSION;
    for (int64_t i = 0; i < w->mi; i++)
        w->cpos[i] = -1;
    for (int64_t k = 0; k < nact; k++) {
        int64_t i = active[k];
        if (i < 0 || i >= w->mi || w->cpos[i] >= 0)
            return DQP_ERR_VALUE;
        double sc = rowscale ? rowscale[i] : 1.0;
        if (!(sc > 0) || !isfinite(sc))
            return DQP_ERR_VALUE;
        w->cpos[i] = k;
        w->jrow[k] = i;
        w->jscale[k] = sc;
    }
    w->jn = nact;
    return DQP_OK;
}

dqp_status dqp_ipm_kkt_reuse(void *self, const int64_t *active, int64_t nact,
                             const double *rowscale, dqp_kkt_apply_fn *apply, void **user) {
    dqp_ipm *w = self;
    if (!w || (nact > 0 && (!active || !rowscale)) || !apply || !user)
        return DQP_ERR_NULL;
    if (!w->reuse_ok)
        return DQP_ERR_NOT_READY;
    dqp_status st = dqp_ipm_load_j(w, active, nact, rowscale);
    if (st != DQP_OK)
        return st;
    double c = 0.0;
    if ((st = contraction(w, &c)) != DQP_OK)
        return st;
    if (!(c <= IPM_REUSE_THRESHOLD))
        return DQP_ERR_SINGULAR;
    *apply = apply_engine;
    *user = w;
    return DQP_OK;
}

/* The reduced system's graph is the Newton system's with the rows outside
 * it removed (and the bounds, which the Newton system eliminates into its
 * diagonal, as single-entry rows). Eliminating the remaining rows in the
 * Newton system's order creates no fill that order does not create: a fill
 * path through removed rows is gone, one through kept rows remains. */
dqp_status dqp_ipm_induced_order(const dqp_ipm *w, const int64_t *src, int64_t N, int64_t *order) {
    const int64_t *P = dqp_kkt_order(w->kkt);
    int64_t NK = w->n + w->mr;
    if (!P)
        return DQP_ERR_UNSUPPORTED;
    int64_t *slot = dqp_alloc(DQP_MAX(2 * NK, 1), sizeof *slot), *pinv = slot + NK;
    if (!slot)
        return DQP_ERR_NOMEM;
    for (int64_t k = 0; k < NK; k++) {
        slot[k] = -1;
        pinv[P[k]] = k;
    }
    int64_t cnt = 0;
    dqp_status st = DQP_OK;
    for (int64_t t = 0; t < N && st == DQP_OK; t++) {
        if (src[t] < 0)
            order[cnt++] = t;
        else if (src[t] >= NK || slot[pinv[src[t]]] >= 0)
            st = DQP_ERR_VALUE;
        else
            slot[pinv[src[t]]] = t;
    }
    for (int64_t k = 0; k < NK && st == DQP_OK; k++)
        if (slot[k] >= 0)
            order[cnt++] = slot[k];
    dqp_free(slot);
    return st == DQP_OK && cnt != N ? DQP_ERR_VALUE : st;
}

dqp_status dqp_ipm_kkt_order(void *self, const int64_t *active, int64_t nact, int64_t *order) {
    dqp_ipm *w = self;
    if (!w || (nact > 0 && !active) || !order)
        return DQP_ERR_NULL;
    if (!w->kkt || w->p != w->me || nact < 0 || nact > w->mi)
        return DQP_ERR_NOT_READY;
    int64_t n = w->n, p = w->p, N = n + p + nact;
    int64_t *src = dqp_alloc(DQP_MAX(N, 1), sizeof *src);
    if (!src)
        return DQP_ERR_NOMEM;
    dqp_status st = DQP_OK;
    for (int64_t t = 0; t < n + p; t++)
        src[t] = t;
    for (int64_t k = 0; k < nact && st == DQP_OK; k++) {
        int64_t i = active[k];
        if (i < 0 || i >= w->mi)
            st = DQP_ERR_VALUE;
        else
            src[n + p + k] = w->c_kind[i] >= 0 ? n + p + w->c_kind[i] : -1;
    }
    if (st == DQP_OK)
        st = dqp_ipm_induced_order(w, src, N, order);
    dqp_free(src);
    return st;
}
