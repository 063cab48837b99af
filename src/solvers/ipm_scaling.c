/* ipm_scaling.c - Ruiz equilibration of the KKT matrix and the scaled copy of the data.
 *
 * Scaling: x = Dx .* xs, row i of R = [A; G] multiplied by Er_i, objective by cs:
 *     Ps = cs Dx P Dx,  qs = cs Dx q,  Rs = Er R Dx,  rhss = Er rhs.
 * Dx and Er equilibrate M = [P R'; R 0] in the infinity norm (D. Ruiz, "A
 * scaling algorithm to equilibrate both rows and columns norms in matrices",
 * RAL-TR-2001-034): each sweep divides every row/column of M by the square
 * root of its largest entry. Bound rows are not part of M: after scaling a
 * bound c x_j <= d reads sg x_j <= d / (|c| Dx_j), so they need no scaling.
 * cs (as in OSQP, Stellato et al. 2020) brings the larger of the mean column
 * norm of Ps and ||qs||_inf to 1, so that the proximal weights and the
 * tolerances of the iterations are relative to a unit objective.
 */
#include "solvers/ipm_internal.h"

#include <math.h>
#include <string.h>

/* Norms below this are treated as 1 (empty rows/columns are left alone) and
 * a single sweep changes a scale factor by at most this factor's root. */
#define IPM_SCALE_MIN 1e-8
#define IPM_SCALE_MAX 1e8
/* Limits of the objective scaling. */
#define IPM_COST_MIN 1e-6
#define IPM_COST_MAX 1e6

static double clamp_norm(double v) {
    if (v < IPM_SCALE_MIN)
        return 1.0;
    return v > IPM_SCALE_MAX ? IPM_SCALE_MAX : v;
}

void dqp_ipm_scale(dqp_ipm *w) {
    int64_t n = w->n, mr = w->mr;
    const dqp_csc *Pu = w->Pu, *R = w->R;
    double *cn = w->wn, *rn = w->wr;
    for (int64_t j = 0; j < n; j++)
        w->Dx[j] = 1.0;
    for (int64_t i = 0; i < mr; i++)
        w->Er[i] = 1.0;
    for (int it = 0; it < w->prm.ruiz_iter; it++) {
        memset(cn, 0, (size_t)n * sizeof(double));
        memset(rn, 0, (size_t)mr * sizeof(double));
        for (int64_t j = 0; j < n; j++)
            for (int64_t k = Pu->p[j]; k < Pu->p[j + 1]; k++) {
                int64_t i = Pu->i[k];
                double v = fabs(Pu->x[k]) * w->Dx[i] * w->Dx[j];
                cn[j] = DQP_MAX(cn[j], v);
                cn[i] = DQP_MAX(cn[i], v);
            }
        for (int64_t j = 0; j < n; j++)
            for (int64_t k = R->p[j]; k < R->p[j + 1]; k++) {
                int64_t i = R->i[k];
                double v = fabs(R->x[k]) * w->Er[i] * w->Dx[j];
                cn[j] = DQP_MAX(cn[j], v);
                rn[i] = DQP_MAX(rn[i], v);
            }
        double worst = 0.0;
        for (int64_t j = 0; j < n; j++) {
            double c = clamp_norm(cn[j]);
            worst = DQP_MAX(worst, fabs(1.0 - c));
            w->Dx[j] /= sqrt(c);
        }
        for (int64_t i = 0; i < mr; i++) {
            double c = clamp_norm(rn[i]);
            worst = DQP_MAX(worst, fabs(1.0 - c));
            w->Er[i] /= sqrt(c);
        }
        if (worst < 1e-3)
            break;
    }
    /* objective scaling */
    double pmean = 0.0, qmax = 0.0;
    memset(cn, 0, (size_t)n * sizeof(double));
    for (int64_t j = 0; j < n; j++)
        for (int64_t k = Pu->p[j]; k < Pu->p[j + 1]; k++) {
            int64_t i = Pu->i[k];
            double v = fabs(Pu->x[k]) * w->Dx[i] * w->Dx[j];
            cn[j] = DQP_MAX(cn[j], v);
            cn[i] = DQP_MAX(cn[i], v);
        }
    for (int64_t j = 0; j < n; j++) {
        pmean += cn[j];
        qmax = DQP_MAX(qmax, fabs(w->q0[j] * w->Dx[j]));
    }
    pmean = n > 0 ? pmean / (double)n : 0.0;
    double c = DQP_MAX(pmean, qmax);
    w->cs = 1.0;
    if (w->prm.scale_cost && c > 0.0) {
        w->cs = 1.0 / c;
        w->cs = DQP_MIN(IPM_COST_MAX, DQP_MAX(IPM_COST_MIN, w->cs));
    }
    /* scaled data */
    for (int64_t j = 0; j < n; j++) {
        for (int64_t k = Pu->p[j]; k < Pu->p[j + 1]; k++)
            w->Ps[k] = w->cs * w->Dx[Pu->i[k]] * Pu->x[k] * w->Dx[j];
        for (int64_t k = R->p[j]; k < R->p[j + 1]; k++)
            w->Rsx[k] = w->Er[R->i[k]] * R->x[k] * w->Dx[j];
        w->qs[j] = w->cs * w->Dx[j] * w->q0[j];
    }
    for (int64_t i = 0; i < mr; i++)
        w->rhss[i] = w->Er[i] * w->rhs0[i];
    for (int64_t k = 0; k < w->nb; k++) {
        double cf = w->b_coef[k];
        w->bsg[k] = cf > 0 ? 1.0 : -1.0;
        w->bbeta[k] = w->b_rhs[k] / (fabs(cf) * w->Dx[w->b_var[k]]);
    }
}
