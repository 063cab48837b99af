/* ipm.c - the interior-point forward solver: vtable, keywords, workspace.
 *
 * Algorithm and conventions: ipm_internal.h (problem seen by the iterations),
 * ipm_scaling.c (Ruiz), ipm_init.c (start), ipm_kkt.c (Newton system),
 * ipm_iter.c (proximal Mehrotra iterations), ipm_resid.c (termination and
 * infeasibility certificates), ipm_data.c (bounds, values, outputs).
 *
 * Keywords (qp_solver_keywords), all optional:
 *   kkt_solver=<name>  KKT backend ("auto", "ldl", "cholmod", "mumps", "lapack";
 *                      default: the lin_solver setting)
 *   ruiz_iter=<int>    Ruiz equilibration sweeps (default 10, 0 = no scaling)
 *   scale_cost=<0|1>   scale the objective (default 0)
 *   rho_init=<x>       initial primal proximal weight (default 1e-6)
 *   delta_init=<x>     initial dual proximal weight (default 1e-4)
 *   reg_min=<x>        lower limit of both weights (default 1e-10)
 *   tau=<x>            fraction to the boundary in (0, 1) (default 0.99)
 *   max_refine=<int>   iterative refinement steps per KKT solve (default 4)
 *   pinf_tol=<x>       primal infeasibility certificate tolerance (default 1e-8)
 *   dinf_tol=<x>       dual infeasibility certificate tolerance (default 1e-8)
 * The iteration limit (max_iter 0) defaults to 200.
 */
#define _POSIX_C_SOURCE 199309L

#include "solvers/ipm_internal.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Default iteration limit: interior-point methods need 10-60 iterations on
 * the Maros-Meszaros set; 200 leaves room for hard problems, while an
 * iteration count beyond it means the method has stalled. */
#define IPM_DEFAULT_MAX_ITER 200

static const char ipm_keys[] = "kkt_solver, ruiz_iter, scale_cost, rho_init, delta_init, "
                               "reg_min, tau, max_refine, pinf_tol, dinf_tol, polish";

static void params_default(dqp_ipm_params *p, const dqp_settings *s) {
    p->ruiz_iter = 10;
    p->scale_cost = 0;
    /* PIQP's defaults (Schwan et al. 2023): weights relative to a unit
     * objective after scaling; delta > rho because dual regularization also
     * has to absorb dependent equality rows. */
    p->rho_init = 1e-6;
    p->delta_init = 1e-4;
    p->reg_min = 1e-10;
    p->tau = 0.99;
    p->max_refine = 4;
    p->pinf_tol = 1e-8;
    p->dinf_tol = 1e-8;
    p->polish = 1;
    dqp_fmt(p->lin_solver, sizeof p->lin_solver, "%s", s->lin_solver[0] ? s->lin_solver : "auto");
}

static dqp_status parse_number(const char *key, const char *val, double lo, double hi, double *out,
                               dqp_message *msg) {
    char *end;
    double v = strtod(val, &end);
    if (end == val || *end != '\0' || !(v >= lo) || !(v <= hi))
        return dqp_fail(msg, DQP_ERR_VALUE, "ipm: keyword %s=%s: expected a number in [%g, %g]",
                        key, val, lo, hi);
    *out = v;
    return DQP_OK;
}

static dqp_status parse_keywords(dqp_ipm_params *p, const dqp_settings *s, dqp_message *msg) {
    char key[DQP_KEYWORDS_LEN], val[DQP_KEYWORDS_LEN];
    for (int i = 0; dqp_settings_keyword(s, i, key, sizeof key, val, sizeof val) == DQP_OK; i++) {
        double v = 0.0;
        dqp_status st = DQP_OK;
        if (strcmp(key, "kkt_solver") == 0) {
            if (strcmp(val, "auto") != 0 && !dqp_linsys_find(val))
                return dqp_fail(msg, DQP_ERR_VALUE, "ipm: keyword kkt_solver=%s: unknown backend",
                                val);
            dqp_fmt(p->lin_solver, sizeof p->lin_solver, "%s", val);
        } else if (strcmp(key, "ruiz_iter") == 0) {
            if ((st = parse_number(key, val, 0, 1000, &v, msg)) == DQP_OK)
                p->ruiz_iter = (int)v;
        } else if (strcmp(key, "scale_cost") == 0) {
            if ((st = parse_number(key, val, 0, 1, &v, msg)) == DQP_OK)
                p->scale_cost = v != 0.0;
        } else if (strcmp(key, "rho_init") == 0) {
            st = parse_number(key, val, 1e-16, 1e6, &p->rho_init, msg);
        } else if (strcmp(key, "delta_init") == 0) {
            st = parse_number(key, val, 1e-16, 1e6, &p->delta_init, msg);
        } else if (strcmp(key, "reg_min") == 0) {
            st = parse_number(key, val, 1e-16, 1.0, &p->reg_min, msg);
        } else if (strcmp(key, "tau") == 0) {
            if ((st = parse_number(key, val, 0.5, 1.0, &p->tau, msg)) == DQP_OK && p->tau >= 1.0)
                st = dqp_fail(msg, DQP_ERR_VALUE, "ipm: keyword tau=%s: must be < 1", val);
        } else if (strcmp(key, "max_refine") == 0) {
            if ((st = parse_number(key, val, 0, 100, &v, msg)) == DQP_OK)
                p->max_refine = (int)v;
        } else if (strcmp(key, "pinf_tol") == 0) {
            st = parse_number(key, val, 1e-16, 1e-2, &p->pinf_tol, msg);
        } else if (strcmp(key, "dinf_tol") == 0) {
            st = parse_number(key, val, 1e-16, 1e-2, &p->dinf_tol, msg);
        } else if (strcmp(key, "polish") == 0) {
            if ((st = parse_number(key, val, 0, 1, &v, msg)) == DQP_OK)
                p->polish = v != 0.0;
        } else {
            return dqp_fail(msg, DQP_ERR_VALUE, "ipm: unknown keyword \"%s\" (valid keys: %s)", key,
                            ipm_keys);
        }
        if (st != DQP_OK)
            return st;
    }
    return DQP_OK;
}

static void ipm_destroy(void *self) {
    dqp_ipm *w = self;
    if (!w)
        return;
    dqp_kkt_destroy(w->kkt);
    dqp_ipm_polish_release(w);
    dqp_csc_free(w->Pu);
    dqp_csc_free(w->R);
    void *arrays[] = {w->Pu_src, w->Pu_diag,  w->R_src,  w->c_kind, w->g_row, w->b_row, w->b_var,
                      w->b_src,  w->b_coef,   w->b_rhs,  w->q0,     w->rhs0,  w->Dx,    w->Er,
                      w->Ps,     w->Rsx,      w->qs,     w->rhss,   w->bsg,   w->bbeta, w->Hx,
                      w->Dk,     w->kx,       w->kb,     w->kr,     w->x,     w->yz,    w->s,
                      w->w,      w->t,        w->xi,     w->yzbar,  w->wbar,  w->dx,    w->dyz,
                      w->ds,     w->dw,       w->dt,     w->rx,     w->ryz,   w->rw,    w->rs,
                      w->rt,     w->zu,       w->wn,     w->wn2,    w->wr,    w->wu,    w->wb,
                      w->warm_x, w->warm_lam, w->warm_mu, w->Wtf,   w->jrow,  w->jscale, w->jv, w->cpos};
    for (size_t k = 0; k < sizeof arrays / sizeof arrays[0]; k++)
        dqp_free(arrays[k]);
    dqp_free(w);
}

/* Vectors whose sizes are known after dqp_ipm_build. */
static int alloc_work(dqp_ipm *w) {
    int64_t n = w->n, mr = w->mr, m = w->m, nb = w->nb, nnzP = dqp_csc_nnz(w->Pu), N;
    if (!dqp_add_size(n, mr, &N))
        return 0;
    struct {
        double **ptr;
        int64_t len;
    } v[] = {
        {&w->q0, n},         {&w->rhs0, mr}, {&w->Dx, n},   {&w->Er, mr},    {&w->Ps, nnzP},
        {&w->qs, n},         {&w->rhss, mr}, {&w->bsg, nb}, {&w->bbeta, nb}, {&w->Hx, nnzP},
        {&w->Dk, mr},        {&w->kx, N},    {&w->kb, N},   {&w->kr, N},     {&w->x, n},
        {&w->yz, mr},        {&w->s, m},     {&w->w, nb},   {&w->t, nb},     {&w->xi, n},
        {&w->yzbar, mr},     {&w->wbar, nb}, {&w->dx, n},   {&w->dyz, mr},   {&w->ds, m},
        {&w->dw, nb},        {&w->dt, nb},   {&w->rx, n},   {&w->ryz, mr},   {&w->rw, nb},
        {&w->rs, m},         {&w->rt, nb},   {&w->zu, n},   {&w->wn, n},     {&w->wn2, n},
        {&w->wr, mr},        {&w->wu, mr},   {&w->wb, nb},  {&w->warm_x, n}, {&w->warm_lam, w->me},
        {&w->warm_mu, w->mi}, {&w->Wtf, nb},  {&w->jscale, w->mi}};
    for (size_t k = 0; k < sizeof v / sizeof v[0]; k++)
        if (!(*v[k].ptr = dqp_calloc(v[k].len, sizeof(double))))
            return 0;
    int64_t nv;
    if (!dqp_add_size(n, w->me + w->mi, &nv) || !dqp_mul_size(nv, 2, &nv))
        return 0;
    w->jrow = dqp_calloc(w->mi, sizeof(int64_t));
    w->cpos = dqp_calloc(w->mi, sizeof(int64_t));
    w->jv = dqp_calloc(nv, sizeof(double));
    return w->jrow && w->cpos && w->jv;
}

static dqp_status ipm_setup(void **self, const dqp_problem *prob, const dqp_settings *s,
                            dqp_message *msg) {
    if (!self || !prob || !s)
        return dqp_fail(msg, DQP_ERR_NULL, "ipm: NULL argument to setup");
    *self = NULL;
    dqp_ipm *w = dqp_calloc(1, sizeof *w);
    if (!w)
        return dqp_fail(msg, DQP_ERR_NOMEM, "ipm: out of memory");
    params_default(&w->prm, s);
    dqp_status st = parse_keywords(&w->prm, s, msg);
    w->eps_abs = s->eps_abs;
    w->eps_rel = s->eps_rel;
    w->eps_active = s->eps_active;
    w->act_normalize = s->normalize_constraints;
    w->time_limit = s->time_limit;
    w->max_iter = s->max_iter > 0 ? s->max_iter : IPM_DEFAULT_MAX_ITER;
    w->log = s->log;
    w->log_user = s->log_user;
    w->verbose = s->verbose;
    if (st == DQP_OK)
        st = dqp_ipm_build(w, prob, msg);
    if (st == DQP_OK && !alloc_work(w))
        st = dqp_fail(msg, DQP_ERR_NOMEM, "ipm: out of memory (n = %lld, rows = %lld)",
                      (long long)w->n, (long long)(w->mr + w->nb));
    if (st == DQP_OK)
        st = dqp_ipm_load(w, prob, msg);
    if (st == DQP_OK) {
        dqp_ipm_scale(w);
        st = dqp_ipm_kkt_create(w, msg);
    }
    if (st != DQP_OK) {
        ipm_destroy(w);
        return st;
    }
    *self = w;
    return DQP_OK;
}

static dqp_status ipm_update(void *self, const dqp_problem *prob, dqp_message *msg) {
    dqp_ipm *w = self;
    if (!w || !prob)
        return dqp_fail(msg, DQP_ERR_NULL, "ipm: NULL argument to update");
    if (prob->n != w->n || prob->m_eq != w->me || prob->m_ineq != w->mi)
        return dqp_fail(msg, DQP_ERR_DIMENSION,
                        "ipm: update with sizes n=%lld m_eq=%lld m_ineq=%lld, setup had "
                        "n=%lld m_eq=%lld m_ineq=%lld",
                        (long long)prob->n, (long long)prob->m_eq, (long long)prob->m_ineq,
                        (long long)w->n, (long long)w->me, (long long)w->mi);
    if (dqp_ipm_signature(prob) != w->signature)
        return dqp_fail(msg, DQP_ERR_VALUE,
                        "ipm: update changes a sparsity pattern, a matrix kind or P's storage");
    w->reuse_ok = 0;
    dqp_ipm_polish_release(w);
    dqp_status st = dqp_ipm_load(w, prob, msg);
    if (st != DQP_OK)
        return st;
    dqp_ipm_scale(w);
    return DQP_OK;
}

static dqp_status ipm_warm_start(void *self, const double *z, const double *lam, const double *mu,
                                 const unsigned char *active) {
    dqp_ipm *w = self;
    (void)active;
    if (!w)
        return DQP_ERR_NULL;
    w->reuse_ok = 0;
    w->warm_has_x = z != NULL;
    w->warm_has_lam = lam != NULL;
    w->warm_has_mu = mu != NULL;
    if (z)
        memcpy(w->warm_x, z, (size_t)w->n * sizeof(double));
    if (lam)
        memcpy(w->warm_lam, lam, (size_t)w->me * sizeof(double));
    if (mu)
        memcpy(w->warm_mu, mu, (size_t)w->mi * sizeof(double));
    w->warm_set = z != NULL;
    return DQP_OK;
}

static dqp_status ipm_solve(void *self, dqp_qp_output *out, dqp_message *msg) {
    dqp_ipm *w = self;
    if (!w || !out)
        return dqp_fail(msg, DQP_ERR_NULL, "ipm: NULL argument to solve");
    clock_gettime(CLOCK_MONOTONIC, &w->t0);
    if (w->warm_set) {
        memset(w->yz, 0, (size_t)w->mr * sizeof(double));
        memset(w->w, 0, (size_t)w->nb * sizeof(double));
        dqp_ipm_scale_point(w, w->warm_x, w->warm_has_lam ? w->warm_lam : NULL,
                            w->warm_has_mu ? w->warm_mu : NULL);
    }
    w->reuse_ok = 0;
    dqp_ipm_polish_release(w);
    dqp_qp_status st = dqp_ipm_iterate(w);
    w->warm_set = 0; /* a warm start applies to one solve */
    w->reuse_ok = st == DQP_QP_SOLVED && w->factor_ok;
    int have_point = st != DQP_QP_NUMERICAL_ERROR && st != DQP_QP_NOT_CONVEX;
    if (have_point) {
        dqp_ipm_unscale_point(w, w->x, w->yz, w->w, out->z, out->lam, out->mu);
        if (st == DQP_QP_SOLVED && w->prm.polish) {
            dqp_status pst = dqp_ipm_polish(w, out->z, out->lam, out->mu, msg);
            if (pst != DQP_OK)
                return pst;
        }
    } else {
        memset(out->z, 0, (size_t)w->n * sizeof(double));
        memset(out->lam, 0, (size_t)w->me * sizeof(double));
        memset(out->mu, 0, (size_t)w->mi * sizeof(double));
    }
    /* certificates are returned as they are (normalized by the caller if needed) */
    double obj = 0.0;
    if (have_point) {
        dqp_ipm_sym_mv(w->Pu, w->Pu->x, out->z, w->wn);
        for (int64_t j = 0; j < w->n; j++)
            obj += out->z[j] * (0.5 * w->wn[j] + w->q0[j]);
    }
    out->objective = obj;
    out->status = st;
    out->iterations = w->iter;
    out->has_duals = st == DQP_QP_SOLVED || st == DQP_QP_SOLVED_INACCURATE;
    return DQP_OK;
}

const dqp_qp_backend dqp_backend_ipm = {
    "ipm",
    "sparse primal-dual interior point (proximal regularization, Mehrotra predictor-corrector)",
    DQP_CAP_DUALS | DQP_CAP_SPARSE | DQP_CAP_DENSE | DQP_CAP_WARM | DQP_CAP_QUADRATIC,
    ipm_setup,
    ipm_update,
    ipm_warm_start,
    ipm_solve,
    ipm_destroy,
    dqp_ipm_kkt_reuse,
    dqp_ipm_kkt_singular,
    dqp_ipm_kkt_order,
    dqp_ipm_polish_solver};
