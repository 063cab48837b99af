/* ipm_init.c - the starting point of the interior-point iterations.
 *
 * Mehrotra's heuristic (S. Mehrotra, "On the implementation of a primal-dual
 * interior point method", SIAM J. Optim. 2 (1992); the QP form as in
 * Nocedal and Wright, Numerical Optimization, 2nd ed., section 16.6): solve
 * the regularized least-squares-like system with S/Z = T/W = I,
 *     (P + rho I + B'B/(1+delta)) x + R'yz = -q + rho xi + B' beta/(1+delta)
 *     A x - delta y = b,   G x - (1+delta) z = h,
 * take s = h - Gx, t = beta - Bx, w = (Bx - beta)/(1+delta), and shift the
 * slacks and duals into the positive orthant: first by 1.5 times the most
 * negative entry, then by half the average complementarity per component,
 * so that no product s_i z_i is far from the others.
 *
 * Warm start: the given point is the proximal center and the primal start;
 * the slacks are recomputed and shifted the same way.
 */
#include "solvers/ipm_internal.h"

#include <math.h>
#include <string.h>

/* Smallest slack/dual after the shift, relative to the average
 * complementarity (guards against exact zeros when a problem is degenerate). */
#define IPM_INIT_FLOOR 1e-2

/* Shift (s, t) and (z, w) to be positive (Mehrotra). */
static void shift_positive(dqp_ipm *w) {
    int64_t m = w->m, nb = w->nb, p = w->p;
    double *z = w->yz + p;
    double smin = INFINITY, zmin = INFINITY;
    for (int64_t r = 0; r < m; r++) {
        smin = DQP_MIN(smin, w->s[r]);
        zmin = DQP_MIN(zmin, z[r]);
    }
    for (int64_t k = 0; k < nb; k++) {
        smin = DQP_MIN(smin, w->t[k]);
        zmin = DQP_MIN(zmin, w->w[k]);
    }
    double ds = DQP_MAX(-1.5 * smin, 0.0), dz = DQP_MAX(-1.5 * zmin, 0.0);
    double sz = 0.0, ssum = 0.0, zsum = 0.0;
    for (int64_t r = 0; r < m; r++) {
        w->s[r] += ds;
        z[r] += dz;
        sz += w->s[r] * z[r];
        ssum += w->s[r];
        zsum += z[r];
    }
    for (int64_t k = 0; k < nb; k++) {
        w->t[k] += ds;
        w->w[k] += dz;
        sz += w->t[k] * w->w[k];
        ssum += w->t[k];
        zsum += w->w[k];
    }
    double ds2 = zsum > 0 ? 0.5 * sz / zsum : 0.0, dz2 = ssum > 0 ? 0.5 * sz / ssum : 0.0;
    double M = (double)(m + nb);
    double avg = M > 0 ? sz / M : 0.0;
    if (!(avg > 0.0) || !isfinite(avg)) { /* degenerate: everything exactly zero */
        ds2 = dz2 = 1.0;
        avg = 1.0;
    }
    double fl = IPM_INIT_FLOOR * sqrt(avg);
    for (int64_t r = 0; r < m; r++) {
        w->s[r] = DQP_MAX(w->s[r] + ds2, fl);
        z[r] = DQP_MAX(z[r] + dz2, fl);
    }
    for (int64_t k = 0; k < nb; k++) {
        w->t[k] = DQP_MAX(w->t[k] + ds2, fl);
        w->w[k] = DQP_MAX(w->w[k] + dz2, fl);
    }
}

/* Slacks of the current x: s = h - Gx, t = beta - Bx. */
static void slacks(dqp_ipm *w) {
    int64_t p = w->p;
    double *gx = w->wr;
    dqp_ipm_mv(w->R, w->Rsx, w->x, gx);
    for (int64_t r = 0; r < w->m; r++)
        w->s[r] = w->rhss[p + r] - gx[p + r];
    for (int64_t k = 0; k < w->nb; k++)
        w->t[k] = w->bbeta[k] - w->bsg[k] * w->x[w->b_var[k]];
}

int dqp_ipm_start(dqp_ipm *w) {
    int64_t n = w->n, p = w->p, m = w->m, mr = w->mr;
    double delta = w->delta;
    if (w->warm_set && w->warm_has_x) {
        /* x, yz, w were set by dqp_ipm_scale_point */
        memcpy(w->xi, w->x, (size_t)n * sizeof(double));
        if (!w->warm_has_lam)
            memset(w->yz, 0, (size_t)p * sizeof(double));
        slacks(w);
        if (!w->warm_has_mu) {
            for (int64_t r = 0; r < m; r++)
                w->yz[p + r] = -w->s[r];
            for (int64_t k = 0; k < w->nb; k++)
                w->w[k] = -w->t[k];
        }
    } else {
        memset(w->xi, 0, (size_t)n * sizeof(double));
        if (!dqp_ipm_kkt_factor(w, 1))
            return 0;
        double *kx = w->kx;
        for (int64_t j = 0; j < n; j++)
            kx[j] = -w->qs[j] + w->rho * w->xi[j];
        for (int64_t k = 0; k < w->nb; k++)
            kx[w->b_var[k]] += w->bsg[k] * w->bbeta[k] / (1.0 + delta);
        for (int64_t i = 0; i < mr; i++)
            kx[n + i] = w->rhss[i];
        if (!dqp_ipm_kkt_solve(w, kx))
            return 0;
        memcpy(w->x, kx, (size_t)n * sizeof(double));
        memcpy(w->yz, kx + n, (size_t)mr * sizeof(double));
        slacks(w);
        for (int64_t k = 0; k < w->nb; k++)
            w->w[k] = -w->t[k] / (1.0 + delta);
    }
    shift_positive(w);
    memcpy(w->xi, w->x, (size_t)n * sizeof(double));
    memcpy(w->yzbar, w->yz, (size_t)mr * sizeof(double));
    memcpy(w->wbar, w->w, (size_t)w->nb * sizeof(double));
    return 1;
}
