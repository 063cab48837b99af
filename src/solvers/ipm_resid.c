/* ipm_resid.c - residuals on the unscaled problem, termination and infeasibility certificates.
 *
 * Termination is decided on the canonical problem's own data (never on the
 * scaled one), at the point that would be returned:
 *     primal  max(||Az - b||, ||(Cz - d)_+||)      <= eps_abs + eps_rel max(||Az||, ||b||, ||Cz||,
 * ||d||) dual    ||Pz + q + A'lambda + C'mu||          <= eps_abs + eps_rel max(||Pz||, ||q||,
 * ||A'lambda + C'mu||) gap     |z'Pz + q'z + b'lambda + d'mu|        <= eps_abs + eps_rel
 * max(|z'Pz|, |q'z|, |b'lambda + d'mu|) (infinity norms; the gap is primal minus dual objective).
 *
 * Infeasibility (certificates, as in OSQP and SCS, checked on the unscaled data):
 *   primal: (lambda, mu), mu >= 0, with A'lambda + C'mu ~ 0 and b'lambda + d'mu < 0
 *           (by Farkas' lemma no z satisfies Az = b, Cz <= d);
 *   dual:   v with Pv ~ 0, Av ~ 0, Cv <~ 0 and q'v < 0 (a direction of unbounded descent).
 * Candidates are the iterates' dual part (which diverges along a certificate when
 * the problem is primal infeasible) and the primal step / distance to the
 * proximal center (which diverges along a recession direction when it is dual
 * infeasible), normalized to unit infinity norm.
 */
#include "solvers/ipm_internal.h"

#include <math.h>
#include <string.h>

/* ------------------------------------------------------------ kernels */

double dqp_ipm_norm_inf(const double *v, int64_t len) {
    double r = 0.0;
    for (int64_t i = 0; i < len; i++) {
        double a = fabs(v[i]);
        if (!(a <= r))
            r = a; /* propagates NaN */
    }
    return r;
}

double dqp_ipm_dot(const double *a, const double *b, int64_t len) {
    double s = 0.0;
    for (int64_t i = 0; i < len; i++)
        s += a[i] * b[i];
    return s;
}

void dqp_ipm_sym_mv(const dqp_csc *U, const double *Ux, const double *x, double *y) {
    memset(y, 0, (size_t)U->n * sizeof(double));
    for (int64_t j = 0; j < U->n; j++) {
        double xj = x[j], acc = 0.0;
        for (int64_t k = U->p[j]; k < U->p[j + 1]; k++) {
            int64_t i = U->i[k];
            double v = Ux[k];
            if (i == j) {
                acc += v * xj;
            } else {
                y[i] += v * xj;
                acc += v * x[i];
            }
        }
        y[j] += acc;
    }
}

void dqp_ipm_mv(const dqp_csc *M, const double *Mx, const double *x, double *y) {
    memset(y, 0, (size_t)M->m * sizeof(double));
    for (int64_t j = 0; j < M->n; j++) {
        double xj = x[j];
        if (xj == 0.0)
            continue;
        for (int64_t k = M->p[j]; k < M->p[j + 1]; k++)
            y[M->i[k]] += Mx[k] * xj;
    }
}

void dqp_ipm_mtv(const dqp_csc *M, const double *Mx, const double *x, double *y) {
    for (int64_t j = 0; j < M->n; j++) {
        double acc = 0.0;
        for (int64_t k = M->p[j]; k < M->p[j + 1]; k++)
            acc += Mx[k] * x[M->i[k]];
        y[j] = acc;
    }
}

/* ------------------------------------------------------------ residuals */

/* Unscaled duals of R's rows ([lambda; mu_G]) into wu, bound duals into wb. */
static void unscaled_duals(dqp_ipm *w, const double *yz, const double *wv) {
    double ics = 1.0 / w->cs;
    for (int64_t i = 0; i < w->mr; i++)
        w->wu[i] = w->Er[i] * yz[i] * ics;
    for (int64_t k = 0; k < w->nb; k++)
        w->wb[k] = wv[k] * ics / (fabs(w->b_coef[k]) * w->Dx[w->b_var[k]]);
}

void dqp_ipm_residuals_at(dqp_ipm *w, const double *z, const double *y, const double *yb) {
    int64_t n = w->n, p = w->p, mr = w->mr;
    /* primal */
    double pres = 0.0, psc = 0.0;
    dqp_ipm_mv(w->R, w->R->x, z, w->wr);
    for (int64_t i = 0; i < mr; i++) {
        double r = w->wr[i] - w->rhs0[i];
        pres = DQP_MAX(pres, i < p ? fabs(r) : DQP_MAX(r, 0.0));
        psc = DQP_MAX(psc, DQP_MAX(fabs(w->wr[i]), fabs(w->rhs0[i])));
    }
    for (int64_t k = 0; k < w->nb; k++) {
        double cz = w->b_coef[k] * z[w->b_var[k]];
        pres = DQP_MAX(pres, cz - w->b_rhs[k]);
        psc = DQP_MAX(psc, DQP_MAX(fabs(cz), fabs(w->b_rhs[k])));
    }
    /* dual */
    double *pz = w->wn, *ru = w->wn2;
    dqp_ipm_sym_mv(w->Pu, w->Pu->x, z, pz);
    dqp_ipm_mtv(w->R, w->R->x, y, ru);
    for (int64_t k = 0; k < w->nb; k++)
        ru[w->b_var[k]] += w->b_coef[k] * yb[k];
    double dres = 0.0, dsc = 0.0;
    for (int64_t j = 0; j < n; j++) {
        dres = DQP_MAX(dres, fabs(pz[j] + w->q0[j] + ru[j]));
        dsc = DQP_MAX(dsc, DQP_MAX(fabs(pz[j]), DQP_MAX(fabs(w->q0[j]), fabs(ru[j]))));
    }
    /* gap */
    double zpz = dqp_ipm_dot(z, pz, n), qz = dqp_ipm_dot(w->q0, z, n);
    double bd = dqp_ipm_dot(w->rhs0, y, mr) + dqp_ipm_dot(w->b_rhs, yb, w->nb);
    w->pres = pres;
    w->pres_scale = psc;
    w->dres = dres;
    w->dres_scale = dsc;
    w->gap = fabs(zpz + qz + bd);
    w->gap_scale = DQP_MAX(fabs(zpz), DQP_MAX(fabs(qz), fabs(bd)));
}

void dqp_ipm_residuals(dqp_ipm *w) {
    for (int64_t j = 0; j < w->n; j++)
        w->zu[j] = w->Dx[j] * w->x[j];
    unscaled_duals(w, w->yz, w->w);
    dqp_ipm_residuals_at(w, w->zu, w->wu, w->wb);
}

int dqp_ipm_converged(dqp_ipm *w) {
    return w->pres <= w->eps_abs + w->eps_rel * w->pres_scale &&
           w->dres <= w->eps_abs + w->eps_rel * w->dres_scale &&
           w->gap <= w->eps_abs + w->eps_rel * w->gap_scale;
}

/* ------------------------------------------------------------ certificates */

/* Largest absolute value of the unscaled constraint data (rows of A, C). */
static double data_max(const dqp_ipm *w, int which) {
    double r = 0.0;
    if (which == 'R') {
        r = dqp_ipm_norm_inf(w->R->x, dqp_csc_nnz(w->R));
        for (int64_t k = 0; k < w->nb; k++)
            r = DQP_MAX(r, fabs(w->b_coef[k]));
    } else {
        r = dqp_ipm_norm_inf(w->Pu->x, dqp_csc_nnz(w->Pu));
    }
    return DQP_MAX(r, 1.0);
}

/* Primal infeasibility certificate test for the dual candidate (yz, wv), scaled. */
static int pinf_candidate(dqp_ipm *w, const double *yz, const double *wv, double tol) {
    int64_t n = w->n, p = w->p, mr = w->mr;
    unscaled_duals(w, yz, wv);
    double nrm = DQP_MAX(dqp_ipm_norm_inf(w->wu, mr), dqp_ipm_norm_inf(w->wb, w->nb));
    if (!(nrm > 0.0) || !isfinite(nrm))
        return 0;
    /* mu >= 0 on every inequality row (rows of G and bounds) */
    for (int64_t i = p; i < mr; i++)
        if (w->wu[i] < 0.0)
            return 0;
    for (int64_t k = 0; k < w->nb; k++)
        if (w->wb[k] < 0.0)
            return 0;
    double *ru = w->wn2;
    dqp_ipm_mtv(w->R, w->R->x, w->wu, ru);
    for (int64_t k = 0; k < w->nb; k++)
        ru[w->b_var[k]] += w->b_coef[k] * w->wb[k];
    double res = dqp_ipm_norm_inf(ru, n) / nrm;
    double bd = (dqp_ipm_dot(w->rhs0, w->wu, mr) + dqp_ipm_dot(w->b_rhs, w->wb, w->nb)) / nrm;
    double bmax =
        DQP_MAX(1.0, DQP_MAX(dqp_ipm_norm_inf(w->rhs0, mr), dqp_ipm_norm_inf(w->b_rhs, w->nb)));
    /* For any feasible z0, b'lambda + d'mu >= -||z0||_1 ||A'lambda + C'mu||_inf; the
     * current point stands in for z0: the violation must exceed what the
     * inexactness of the combination could explain there. */
    double z1 = 0.0;
    for (int64_t j = 0; j < n; j++)
        z1 += fabs(w->zu[j]);
    if (w->log && w->verbose >= 2) {
        char line[DQP_MESSAGE_LEN];
        dqp_fmt(line, sizeof line, "ipm pinf test: res %.2e (tol %.2e) bd %.2e z1 %.2e", res,
                tol * data_max(w, 'R'), bd, z1);
        w->log(w->log_user, DQP_LOG_DEBUG, line);
    }
    return res <= tol * data_max(w, 'R') && bd < -tol * bmax && bd < -2.0 * z1 * res;
}

int dqp_ipm_primal_infeasible(dqp_ipm *w) {
    double tol = w->prm.pinf_tol;
    if (pinf_candidate(w, w->yz, w->w, tol))
        return 1;
    /* the distance to the proximal center */
    for (int64_t i = 0; i < w->mr; i++)
        w->dyz[i] = w->yz[i] - w->yzbar[i];
    for (int64_t k = 0; k < w->nb; k++)
        w->dw[k] = w->w[k] - w->wbar[k];
    return pinf_candidate(w, w->dyz, w->dw, tol);
}

/* Dual infeasibility certificate test for the primal candidate v (scaled). */
static int dinf_candidate(dqp_ipm *w, const double *vs, double tol) {
    int64_t n = w->n, p = w->p, mr = w->mr;
    double *v = w->wn;
    for (int64_t j = 0; j < n; j++)
        v[j] = w->Dx[j] * vs[j];
    double nrm = dqp_ipm_norm_inf(v, n);
    if (!(nrm > 0.0) || !isfinite(nrm))
        return 0;
    for (int64_t j = 0; j < n; j++)
        v[j] /= nrm;
    double qv = dqp_ipm_dot(w->q0, v, n);
    double qmax = DQP_MAX(1.0, dqp_ipm_norm_inf(w->q0, n));
    if (!(qv < -tol * qmax))
        return 0;
    double *pv = w->wn2;
    dqp_ipm_sym_mv(w->Pu, w->Pu->x, v, pv);
    if (!(dqp_ipm_norm_inf(pv, n) <= tol * data_max(w, 'P')))
        return 0;
    double rtol = tol * data_max(w, 'R');
    dqp_ipm_mv(w->R, w->R->x, v, w->wr);
    for (int64_t i = 0; i < mr; i++)
        if (i < p ? !(fabs(w->wr[i]) <= rtol) : !(w->wr[i] <= rtol))
            return 0;
    for (int64_t k = 0; k < w->nb; k++)
        if (!(w->b_coef[k] * v[w->b_var[k]] <= rtol))
            return 0;
    return 1;
}

int dqp_ipm_dual_infeasible(dqp_ipm *w) {
    double tol = w->prm.dinf_tol;
    if (dinf_candidate(w, w->dx, tol))
        return 1;
    for (int64_t j = 0; j < w->n; j++)
        w->wn2[j] = w->x[j] - w->xi[j];
    /* dinf_candidate uses wn and wn2 as work: copy the candidate first */
    memcpy(w->dx, w->wn2, (size_t)w->n * sizeof(double));
    return dinf_candidate(w, w->dx, tol) || dinf_candidate(w, w->x, tol);
}
