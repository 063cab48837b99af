/* ipm_iter.c - the proximal interior-point iterations (Mehrotra predictor-corrector).
 *
 * Each iteration: residuals of the proximal subproblem (ipm_internal.h);
 * termination and certificates on the unscaled data (ipm_resid.c); one
 * factorization of the Newton matrix; an affine-scaling (predictor) solve;
 * the centering parameter sigma = (mu_aff / mu)^3 (Mehrotra 1992); a
 * corrector solve with the second-order term ds_aff.dz_aff; separate primal
 * and dual step lengths with the fraction-to-the-boundary rule tau.
 *
 * Proximal weights and centers (method of multipliers): the centers move to
 * the iterate whenever the corresponding unregularized residual decreased by
 * at least 5% (dual residual -> primal center xi; primal residual -> dual
 * centers), and rho, delta decrease with the barrier parameter (factor
 * 1 - mu_rate, where mu_rate is the relative decrease of mu in the step).
 * This is the update of the PIQP paper (Schwan et al. 2023, section 4): as
 * mu -> 0 the weights reach reg_min and the Newton steps become those of the
 * unregularized problem, while early on they keep the Newton matrix well
 * conditioned and give free variables (rho) and dependent or inconsistent
 * equality rows (delta) a unique step. Two additions of ours: a center also
 * moves when the proximal subproblem is solved much better than the original
 * problem (only moving the center can then make progress), and when a
 * residual stalls (< 5% decrease for IPM_SLOW iterations) its weight is cut
 * by 10 per iteration, down to IPM_REG_FINETUNE once it sits at reg_min: the
 * method of multipliers contracts like delta / (delta + curvature), so nearly
 * degenerate problems (LISWET) need smaller weights to converge.
 * A factorization or a solve that fails (zero or non-finite pivot, or
 * refinement that does not converge) multiplies both weights by 100 and
 * retries.
 */
#define _POSIX_C_SOURCE 199309L

#include "solvers/ipm_internal.h"

#include <float.h>
#include <math.h>
#include <string.h>

/* Sufficient decrease of a residual that moves the proximal center. */
#define IPM_CENTER_DECREASE 0.95
/* A center moves when the proximal residual is below this fraction of the
 * unregularized one (the subproblem is solved, the center holds it back). */
#define IPM_SUBPROBLEM_SOLVED 0.1
/* Iterations with less than 5% progress before a weight is cut by 10. */
#define IPM_SLOW 5
/* Retries of a failed factorization or solve (weights x100 each). */
#define IPM_MAX_RETRIES 10
/* Iterations of stalled progress before the infeasibility tests run. */
#define IPM_INF_STALL 3
/* Consecutive passing certificate tests needed. */
#define IPM_INF_REPEAT 2
/* Lower limit of the weights once a residual stalled at reg_min. */
#define IPM_REG_FINETUNE 1e-13
/* Looser tolerance (factor) for SOLVED_INACCURATE at a limit or failure. */
#define IPM_INACCURATE_FACTOR 1e3

static double elapsed(const struct timespec *t0) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + 1e-9 * (double)(t.tv_nsec - t0->tv_nsec);
}

/* One line per iteration through the settings' log callback (verbose >= 2). */
static void log_iter(const dqp_ipm *w) {
    if (!w->log || w->verbose < 2)
        return;
    char line[DQP_MESSAGE_LEN];
    dqp_fmt(line, sizeof line,
            "ipm %3lld pres %.2e dres %.2e gap %.2e mu %.2e rho %.1e delta %.1e ap %.3f ad %.3f "
            "sig %.1e",
            (long long)w->iter, w->pres / DQP_MAX(1.0, w->pres_scale),
            w->dres / DQP_MAX(1.0, w->dres_scale), w->gap / DQP_MAX(1.0, w->gap_scale), w->mu,
            w->rho, w->delta, w->last_ap, w->last_ad, w->last_sigma);
    w->log(w->log_user, DQP_LOG_DEBUG, line);
}

static void log_text(const dqp_ipm *w, const char *text) {
    if (w->log && w->verbose >= 2)
        w->log(w->log_user, DQP_LOG_DEBUG, text);
}

static double barrier_mu(const dqp_ipm *w) {
    int64_t M = w->m + w->nb;
    if (M == 0)
        return 0.0;
    return (dqp_ipm_dot(w->s, w->yz + w->p, w->m) + dqp_ipm_dot(w->t, w->w, w->nb)) / (double)M;
}

/* Unregularized residuals into rx, ryz, rw and their norms. */
static void residuals_nr(dqp_ipm *w) {
    int64_t n = w->n, p = w->p, mr = w->mr;
    dqp_ipm_sym_mv(w->Pu, w->Ps, w->x, w->rx);
    dqp_ipm_mtv(w->R, w->Rsx, w->yz, w->wn);
    for (int64_t j = 0; j < n; j++)
        w->rx[j] = -(w->rx[j] + w->qs[j] + w->wn[j]);
    for (int64_t k = 0; k < w->nb; k++)
        w->rx[w->b_var[k]] -= w->bsg[k] * w->w[k];
    dqp_ipm_mv(w->R, w->Rsx, w->x, w->ryz);
    for (int64_t i = 0; i < mr; i++)
        w->ryz[i] = w->rhss[i] - w->ryz[i] - (i >= p ? w->s[i - p] : 0.0);
    for (int64_t k = 0; k < w->nb; k++)
        w->rw[k] = w->bbeta[k] - w->bsg[k] * w->x[w->b_var[k]] - w->t[k];
    w->dual_nr = dqp_ipm_norm_inf(w->rx, n);
    w->prim_nr = DQP_MAX(dqp_ipm_norm_inf(w->ryz, mr), dqp_ipm_norm_inf(w->rw, w->nb));
}

/* Add the proximal terms: rx -= rho (x - xi), ryz += delta (yz - yzbar), rw += ... */
static void residuals_reg(dqp_ipm *w) {
    for (int64_t j = 0; j < w->n; j++)
        w->rx[j] -= w->rho * (w->x[j] - w->xi[j]);
    for (int64_t i = 0; i < w->mr; i++)
        w->ryz[i] += w->delta * (w->yz[i] - w->yzbar[i]);
    for (int64_t k = 0; k < w->nb; k++)
        w->rw[k] += w->delta * (w->w[k] - w->wbar[k]);
}

/* Norms of the proximal residuals at the current centers (rx, ryz, rw
 * unregularized on entry, unchanged). */
static void prox_norms(const dqp_ipm *w, double *dual_reg, double *prim_reg) {
    double d = 0.0, p = 0.0;
    for (int64_t j = 0; j < w->n; j++)
        d = DQP_MAX(d, fabs(w->rx[j] - w->rho * (w->x[j] - w->xi[j])));
    for (int64_t i = 0; i < w->mr; i++)
        p = DQP_MAX(p, fabs(w->ryz[i] + w->delta * (w->yz[i] - w->yzbar[i])));
    for (int64_t k = 0; k < w->nb; k++)
        p = DQP_MAX(p, fabs(w->rw[k] + w->delta * (w->w[k] - w->wbar[k])));
    *dual_reg = d;
    *prim_reg = p;
}

/* Move the proximal centers and shrink the weights (see the file comment). */
static void update_prox(dqp_ipm *w, double prev_dual, double prev_prim, double mu_rate,
                        int have_ineq) {
    double fast = have_ineq ? 1.0 - mu_rate : 0.1;
    double slow = have_ineq ? 1.0 - 0.666 * mu_rate : 0.5;
    double dual_reg, prim_reg;
    prox_norms(w, &dual_reg, &prim_reg);
    int dual_dec = w->dual_nr < IPM_CENTER_DECREASE * prev_dual || w->dual_nr < 1e-3 * w->eps_abs;
    int prim_dec = w->prim_nr < IPM_CENTER_DECREASE * prev_prim || w->prim_nr < 1e-3 * w->eps_abs;
    w->slow_dual = dual_dec ? 0 : w->slow_dual + 1;
    w->slow_prim = prim_dec ? 0 : w->slow_prim + 1;
    if ((w->slow_dual > IPM_SLOW && w->rho <= w->reg_limit) ||
        (w->slow_prim > IPM_SLOW && w->delta <= w->reg_limit))
        w->reg_limit = DQP_MIN(w->prm.reg_min, IPM_REG_FINETUNE);
    if (dual_dec || dual_reg < IPM_SUBPROBLEM_SOLVED * w->dual_nr) {
        memcpy(w->xi, w->x, (size_t)w->n * sizeof(double));
        w->no_primal_update = 0;
    } else {
        w->no_primal_update++;
    }
    double f = dual_dec ? fast : w->slow_dual > IPM_SLOW ? 0.1 : slow;
    w->rho = DQP_MAX(w->reg_limit, f * w->rho);
    if (prim_dec || prim_reg < IPM_SUBPROBLEM_SOLVED * w->prim_nr) {
        memcpy(w->yzbar, w->yz, (size_t)w->mr * sizeof(double));
        memcpy(w->wbar, w->w, (size_t)w->nb * sizeof(double));
        w->no_dual_update = 0;
    } else {
        w->no_dual_update++;
    }
    f = prim_dec ? fast : w->slow_prim > IPM_SLOW ? 0.1 : slow;
    w->delta = DQP_MAX(w->reg_limit, f * w->delta);
}

static int inaccurate_ok(const dqp_ipm *w) {
    double f = IPM_INACCURATE_FACTOR;
    return w->pres <= f * (w->eps_abs + w->eps_rel * w->pres_scale) &&
           w->dres <= f * (w->eps_abs + w->eps_rel * w->dres_scale) &&
           w->gap <= f * (w->eps_abs + w->eps_rel * w->gap_scale);
}

/* Largest alpha in (0, alpha] with v + alpha dv >= 0. */
static double max_step(const double *v, const double *dv, int64_t len, double alpha) {
    for (int64_t i = 0; i < len; i++)
        if (dv[i] < 0.0) {
            double a = -v[i] / dv[i];
            if (a < alpha)
                alpha = a;
        }
    return alpha;
}

static void step_lengths(const dqp_ipm *w, double *ap, double *ad) {
    *ap = max_step(w->t, w->dt, w->nb, max_step(w->s, w->ds, w->m, 1.0));
    *ad = max_step(w->w, w->dw, w->nb, max_step(w->yz + w->p, w->dyz + w->p, w->m, 1.0));
}

/* Factor, raising the weights on failure. Returns 1 on success. */
static int factor_retry(dqp_ipm *w) {
    for (int tries = 0;; tries++) {
        if (dqp_ipm_kkt_factor(w, 0))
            return 1;
        log_text(w, dqp_kkt_last_error(w->kkt));
        if (tries >= IPM_MAX_RETRIES)
            return 0;
        w->rho *= 100.0;
        w->delta *= 100.0;
        w->reg_limit = DQP_MIN(10.0 * w->reg_limit, 1e-6);
        w->factor_retries++;
    }
}

/* One predictor-corrector step with inequalities. Returns 0 on a failed solve
 * (the iterate is then unchanged). */
static int pc_step(dqp_ipm *w) {
    int64_t p = w->p, m = w->m, nb = w->nb, M = m + nb;
    double *z = w->yz + p, *dz = w->dyz + p;
    /* predictor */
    for (int64_t r = 0; r < m; r++)
        w->rs[r] = -w->s[r] * z[r];
    for (int64_t k = 0; k < nb; k++)
        w->rt[k] = -w->t[k] * w->w[k];
    if (!dqp_ipm_kkt_direction(w)) {
        log_text(w, dqp_kkt_last_error(w->kkt));
        return 0;
    }
    double ap, ad;
    step_lengths(w, &ap, &ad);
    double mu_aff = 0.0;
    for (int64_t r = 0; r < m; r++)
        mu_aff += (w->s[r] + ap * w->ds[r]) * (z[r] + ad * dz[r]);
    for (int64_t k = 0; k < nb; k++)
        mu_aff += (w->t[k] + ap * w->dt[k]) * (w->w[k] + ad * w->dw[k]);
    mu_aff /= (double)M;
    double sigma = w->mu > 0 ? mu_aff / w->mu : 0.0;
    sigma = DQP_MAX(0.0, DQP_MIN(1.0, sigma));
    sigma = sigma * sigma * sigma;
    double smu = sigma * w->mu;
    w->last_sigma = sigma;
    /* corrector: rs = sigma mu - s.z - ds_aff.dz_aff */
    for (int64_t r = 0; r < m; r++)
        w->rs[r] = smu - w->s[r] * z[r] - w->ds[r] * dz[r];
    for (int64_t k = 0; k < nb; k++)
        w->rt[k] = smu - w->t[k] * w->w[k] - w->dt[k] * w->dw[k];
    if (!dqp_ipm_kkt_direction(w)) {
        log_text(w, dqp_kkt_last_error(w->kkt));
        return 0;
    }
    step_lengths(w, &ap, &ad);
    ap = DQP_MIN(1.0, w->prm.tau * ap);
    ad = DQP_MIN(1.0, w->prm.tau * ad);
    w->last_ap = ap;
    w->last_ad = ad;
    for (int64_t j = 0; j < w->n; j++)
        w->x[j] += ap * w->dx[j];
    for (int64_t r = 0; r < m; r++)
        w->s[r] += ap * w->ds[r];
    for (int64_t k = 0; k < nb; k++) {
        w->t[k] += ap * w->dt[k];
        w->w[k] += ad * w->dw[k];
    }
    for (int64_t i = 0; i < w->mr; i++)
        w->yz[i] += ad * w->dyz[i];
    return 1;
}

/* A full Newton step (no inequalities). Returns 0 on a failed solve. */
static int newton_step(dqp_ipm *w) {
    if (!dqp_ipm_kkt_direction(w)) {
        log_text(w, dqp_kkt_last_error(w->kkt));
        return 0;
    }
    for (int64_t j = 0; j < w->n; j++)
        w->x[j] += w->dx[j];
    for (int64_t i = 0; i < w->mr; i++)
        w->yz[i] += w->dyz[i];
    w->last_ap = w->last_ad = 1.0;
    return 1;
}

/* Keep strictly positive slacks and duals (a step of tau times the distance
 * to the boundary never reaches 0, but round-off can). */
static void keep_interior(dqp_ipm *w) {
    double *z = w->yz + w->p;
    for (int64_t r = 0; r < w->m; r++) {
        if (z[r] < DBL_EPSILON)
            z[r] += DBL_EPSILON;
        if (w->s[r] < DBL_EPSILON)
            w->s[r] += DBL_EPSILON;
    }
    for (int64_t k = 0; k < w->nb; k++) {
        if (w->w[k] < DBL_EPSILON)
            w->w[k] += DBL_EPSILON;
        if (w->t[k] < DBL_EPSILON)
            w->t[k] += DBL_EPSILON;
    }
}

/* Factor and step, with stronger regularization after a failed solve.
 * Returns 1 when a step was taken. */
static int take_step(dqp_ipm *w, int have_ineq) {
    for (int tries = 0; tries <= IPM_MAX_RETRIES; tries++) {
        if (tries > 0) {
            w->rho *= 100.0;
            w->delta *= 100.0;
            w->factor_retries++;
        }
        if (!factor_retry(w))
            return 0;
        residuals_nr(w);
        residuals_reg(w);
        if (have_ineq ? pc_step(w) : newton_step(w))
            return 1;
    }
    return 0;
}

dqp_qp_status dqp_ipm_iterate(dqp_ipm *w) {
    int have_ineq = w->m + w->nb > 0;
    w->rho = w->prm.rho_init;
    w->delta = w->prm.delta_init;
    w->reg_limit = w->prm.reg_min;
    w->no_primal_update = w->no_dual_update = 0;
    w->slow_prim = w->slow_dual = 0;
    w->pinf_count = w->dinf_count = 0;
    w->factor_retries = 0;
    w->last_ap = w->last_ad = w->last_sigma = 0.0;
    memset(w->dx, 0, (size_t)w->n * sizeof(double));
    if (!dqp_ipm_start(w))
        return DQP_QP_NUMERICAL_ERROR;
    w->mu = barrier_mu(w);
    double prev_dual = INFINITY, prev_prim = INFINITY, mu_rate = 0.0;
    for (w->iter = 0;; w->iter++) {
        residuals_nr(w);
        if (w->iter > 0)
            update_prox(w, prev_dual, prev_prim, mu_rate, have_ineq);
        prev_dual = w->dual_nr;
        prev_prim = w->prim_nr;
        dqp_ipm_residuals(w);
        log_iter(w);
        if (!isfinite(w->pres) || !isfinite(w->dres) || !isfinite(w->gap))
            return DQP_QP_NUMERICAL_ERROR;
        if (dqp_ipm_converged(w))
            return DQP_QP_SOLVED;
        /* certificates, once progress stalled and the residual is not small */
        int p_ok = w->pres <= w->eps_abs + w->eps_rel * w->pres_scale;
        int d_ok = w->dres <= w->eps_abs + w->eps_rel * w->dres_scale;
        if (!p_ok && w->slow_prim >= IPM_INF_STALL && dqp_ipm_primal_infeasible(w)) {
            if (++w->pinf_count >= IPM_INF_REPEAT)
                return DQP_QP_PRIMAL_INFEASIBLE;
        } else {
            w->pinf_count = 0;
        }
        if (!d_ok && w->slow_dual >= IPM_INF_STALL && dqp_ipm_dual_infeasible(w)) {
            if (++w->dinf_count >= IPM_INF_REPEAT)
                return DQP_QP_DUAL_INFEASIBLE;
        } else {
            w->dinf_count = 0;
        }
        if (w->iter >= w->max_iter)
            return inaccurate_ok(w) ? DQP_QP_SOLVED_INACCURATE : DQP_QP_MAX_ITER;
        if (isfinite(w->time_limit) && elapsed(&w->t0) > w->time_limit)
            return inaccurate_ok(w) ? DQP_QP_SOLVED_INACCURATE : DQP_QP_TIME_LIMIT;
        keep_interior(w);
        double mu_old = w->mu;
        if (!take_step(w, have_ineq))
            return inaccurate_ok(w) ? DQP_QP_SOLVED_INACCURATE : DQP_QP_NUMERICAL_ERROR;
        if (have_ineq) {
            w->mu = barrier_mu(w);
            mu_rate = mu_old > 0 ? DQP_MAX(0.0, (mu_old - w->mu) / mu_old) : 0.0;
        }
    }
}
