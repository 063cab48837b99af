/* ipm_kkt.c - the Newton system of the interior-point iterations on the KKT layer.
 *
 * With Ws = S/Z + delta (rows of G) and Wt = T/W + delta (bounds), the
 * linearized equations of ipm_internal.h reduce to the quasi-definite system
 *
 *   [ P + rho I + B' Wt^{-1} B    R'                    ] [dx ]   [ rx + B' Wt^{-1} (rw - rt/w) ]
 *   [ R                          -diag(delta, Ws)       ] [dyz] = [ ryz - (0, rs/z)             ]
 *
 * followed by  ds = (rs - s.dz)/z,  dw = Wt^{-1} (B dx - rw + rt/w),
 * dt = (rt - t.dw)/w.  The KKT object holds the pattern of P's upper triangle
 * (full diagonal) and of R; each iteration only loads new values
 * (dqp_kkt_update) and refactors, so the symbolic analysis (ordering and
 * elimination tree) is done once per setup. The KKT layer's own static
 * regularization is switched off: rho and delta are the regularization, and
 * iterative refinement is against this (regularized) matrix, whose solution is
 * exactly the proximal Newton step.
 */
#include "solvers/ipm_internal.h"

#include <math.h>
#include <string.h>

/* Iterative refinement is adaptive (as in PIQP): a solve is refined only when
 * its relative residual ||r - K x|| / max(1, ||r||) exceeds IPM_REFINE_TRIGGER,
 * then up to max_refine steps until it is below IPM_REFINE_TOL. Most solves
 * need none (the factorization of the regularized matrix is accurate), and
 * the refinement would otherwise double the cost of a solve. A residual still
 * above IPM_KKT_ACCEPT counts as a failed solve, and the regularization is
 * raised (ipm_iter.c). The KKT layer's own refinement is off (its residual is
 * still computed once per solve, which gives the trigger). */
#define IPM_REFINE_TRIGGER 1e-6
#define IPM_REFINE_TOL 1e-13
#define IPM_KKT_ACCEPT 1e-4

dqp_status dqp_ipm_kkt_create(dqp_ipm *w, dqp_message *msg) {
    dqp_kkt_options opt;
    dqp_kkt_options_default(&opt);
    opt.reg = 0.0;
    opt.check_singular = 0;
    opt.max_refine = 0;
    opt.tol = IPM_REFINE_TOL;
    opt.tol_accept = 1.0; /* judged here, see IPM_KKT_ACCEPT */
    dqp_csc H = *w->Pu;
    H.x = w->Hx;
    dqp_csc G = *w->R;
    G.x = w->Rsx;
    for (int64_t k = 0; k < dqp_csc_nnz(w->Pu); k++)
        w->Hx[k] = w->Ps[k];
    for (int64_t j = 0; j < w->n; j++)
        w->Hx[w->Pu_diag[j]] += 1.0;
    for (int64_t i = 0; i < w->mr; i++)
        w->Dk[i] = 1.0;
    dqp_status st = dqp_kkt_create(&w->kkt, w->prm.lin_solver, w->n, w->mr, &H,
                                   w->mr > 0 ? &G : NULL, w->Dk, &opt, msg);
    if (st == DQP_OK)
        w->n_analyze++;
    return st;
}

/* Load the values of the Newton matrix at the current iterate and factor.
 * initial: the starting-point system (S/Z = T/W = I). Returns 1 on success. */
int dqp_ipm_kkt_factor(dqp_ipm *w, int initial) {
    int64_t n = w->n, p = w->p;
    double rho = w->rho, delta = w->delta;
    for (int64_t k = 0; k < dqp_csc_nnz(w->Pu); k++)
        w->Hx[k] = w->Ps[k];
    for (int64_t j = 0; j < n; j++)
        w->Hx[w->Pu_diag[j]] += rho;
    for (int64_t k = 0; k < w->nb; k++) {
        double wt = (initial ? 1.0 : w->t[k] / w->w[k]) + delta;
        w->Wtf[k] = wt;
        w->Hx[w->Pu_diag[w->b_var[k]]] += 1.0 / wt;
    }
    for (int64_t i = 0; i < p; i++)
        w->Dk[i] = delta;
    for (int64_t r = 0; r < w->m; r++)
        w->Dk[p + r] = (initial ? 1.0 : w->s[r] / w->yz[p + r]) + delta;
    w->rho_f = rho;
    w->delta_f = delta;
    w->factor_ok = 0;
    if (dqp_kkt_update(w->kkt, w->Hx, w->Rsx, w->Dk) != DQP_OK)
        return 0;
    w->n_factor++;
    w->factor_ok = dqp_kkt_factor(w->kkt) == DQP_OK;
    return w->factor_ok;
}

/* Solve K x = b in place (x = b on entry) with adaptive refinement (see
 * IPM_REFINE_TRIGGER). Returns 1 on success. */
int dqp_ipm_kkt_solve(dqp_ipm *w, double *x) {
    int64_t N = w->n + w->mr;
    memcpy(w->kb, x, (size_t)N * sizeof(double));
    if (dqp_kkt_solve(w->kkt, x, 1) != DQP_OK)
        return 0;
    dqp_kkt_info info;
    dqp_kkt_get_info(w->kkt, &info);
    double res = info.residual;
    if (!(res <= IPM_REFINE_TRIGGER)) {
        double scale = DQP_MAX(1.0, dqp_ipm_norm_inf(w->kb, N));
        for (int k = 0; k < w->prm.max_refine && !(res <= IPM_REFINE_TOL); k++) {
            dqp_kkt_matvec(w->kkt, x, w->kr);
            for (int64_t i = 0; i < N; i++)
                w->kr[i] = w->kb[i] - w->kr[i];
            if (dqp_kkt_solve(w->kkt, w->kr, 1) != DQP_OK)
                return 0;
            for (int64_t i = 0; i < N; i++)
                x[i] += w->kr[i];
            dqp_kkt_matvec(w->kkt, x, w->kr);
            double r = 0.0;
            for (int64_t i = 0; i < N; i++)
                r = DQP_MAX(r, fabs(w->kb[i] - w->kr[i]));
            double rn = r / scale;
            if (!(rn < res)) { /* no progress: stop */
                res = DQP_MIN(res, rn);
                break;
            }
            res = rn;
        }
    }
    return res <= IPM_KKT_ACCEPT;
}

/* Solve for the step (dx, dyz, ds, dw, dt) with the current right-hand sides
 * rx, ryz, rw (linear equations) and rs, rt (complementarity). Returns 1 on
 * success. */
int dqp_ipm_kkt_direction(dqp_ipm *w) {
    int64_t n = w->n, p = w->p, m = w->m;
    double *kx = w->kx, delta = w->delta;
    const double *z = w->yz + p;
    for (int64_t j = 0; j < n; j++)
        kx[j] = w->rx[j];
    for (int64_t k = 0; k < w->nb; k++) {
        double wt = w->t[k] / w->w[k] + delta;
        kx[w->b_var[k]] += w->bsg[k] * (w->rw[k] - w->rt[k] / w->w[k]) / wt;
    }
    for (int64_t i = 0; i < p; i++)
        kx[n + i] = w->ryz[i];
    for (int64_t r = 0; r < m; r++)
        kx[n + p + r] = w->ryz[p + r] - w->rs[r] / z[r];
    if (!dqp_ipm_kkt_solve(w, kx))
        return 0;
    memcpy(w->dx, kx, (size_t)n * sizeof(double));
    memcpy(w->dyz, kx + n, (size_t)w->mr * sizeof(double));
    for (int64_t r = 0; r < m; r++)
        w->ds[r] = (w->rs[r] - w->s[r] * w->dyz[p + r]) / z[r];
    for (int64_t k = 0; k < w->nb; k++) {
        double wt = w->t[k] / w->w[k] + delta;
        w->dw[k] = (w->bsg[k] * w->dx[w->b_var[k]] - w->rw[k] + w->rt[k] / w->w[k]) / wt;
        w->dt[k] = (w->rt[k] - w->t[k] * w->dw[k]) / w->w[k];
    }
    return 1;
}
