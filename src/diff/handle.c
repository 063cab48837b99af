/* handle.c - the dqp_solver handle: create/destroy, forward solve, accessors. */
#define _POSIX_C_SOURCE 199309L
#include "diff/engine.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

double dqp_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

dqp_status dqp_solver_fail(dqp_solver *h, dqp_status code, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    dqp_vfmt(h->last_error, sizeof h->last_error, fmt, ap);
    va_end(ap);
    return code;
}

void dqp_solver_log(const dqp_solver *h, dqp_log_level level, const char *fmt, ...) {
    if (!h->s.log || h->s.verbose < (int)level)
        return;
    char buf[DQP_MESSAGE_LEN];
    va_list ap;
    va_start(ap, fmt);
    dqp_vfmt(buf, sizeof buf, fmt, ap);
    va_end(ap);
    h->s.log(h->s.log_user, level, buf);
}

const char *dqp_qp_status_string(dqp_qp_status s) {
    switch (s) {
    case DQP_QP_UNSOLVED: return "unsolved";
    case DQP_QP_SOLVED: return "solved";
    case DQP_QP_SOLVED_INACCURATE: return "solved_inaccurate";
    case DQP_QP_PRIMAL_INFEASIBLE: return "primal_infeasible";
    case DQP_QP_DUAL_INFEASIBLE: return "dual_infeasible";
    case DQP_QP_MAX_ITER: return "max_iter";
    case DQP_QP_TIME_LIMIT: return "time_limit";
    case DQP_QP_NUMERICAL_ERROR: return "numerical_error";
    case DQP_QP_NOT_CONVEX: return "not_convex";
    }
    return "unknown";
}

dqp_status dqp_solver_create(dqp_solver **out, const dqp_settings *settings, dqp_message *msg) {
    if (!out)
        return dqp_fail(msg, DQP_ERR_NULL, "solver_create: out is NULL");
    *out = NULL;
    dqp_settings s;
    if (settings) {
        dqp_status st = dqp_settings_validate(settings, msg);
        if (st != DQP_OK)
            return st;
        s = *settings;
    } else {
        dqp_settings_default(&s);
    }
    const dqp_allocator *prev = dqp_alloc_scope_enter(s.allocator);
    dqp_solver *h = dqp_calloc(1, sizeof *h);
    dqp_alloc_scope_leave(prev);
    if (!h)
        return dqp_fail(msg, DQP_ERR_NOMEM, "solver_create: out of memory");
    h->s = s;
    *out = h;
    return DQP_OK;
}

static void release_derivative(dqp_solver *h) {
    dqp_kkt_destroy(h->kkt);
    dqp_csc_free(h->H);
    dqp_csc_free(h->G);
    h->kkt = NULL;
    h->H = h->G = NULL;
    h->reusing = 0;
    h->ksolve = NULL;
    h->ksolve_user = NULL;
    h->ready = 0;
}

static void release_backend(dqp_solver *h) {
    if (h->backend && h->bself)
        h->backend->destroy(h->bself);
    h->backend = NULL;
    h->bself = NULL;
    h->bprob = NULL;
}

void dqp_solver_destroy(dqp_solver *h) {
    if (!h)
        return;
    const dqp_allocator *prev = dqp_alloc_scope_enter(h->s.allocator);
    release_derivative(h);
    release_backend(h);
    dqp_free(h->z);
    dqp_free(h->lam);
    dqp_free(h->mu);
    dqp_free(h->rownorm);
    dqp_free(h->is_active);
    dqp_free(h->active);
    dqp_free(h->work);
    dqp_free(h);
    dqp_alloc_scope_leave(prev);
}

dqp_status dqp_solver_set_callback(dqp_solver *h, dqp_user_solver_fn fn, void *user) {
    if (!h)
        return DQP_ERR_NULL;
    h->cb = fn;
    h->cb_user = user;
    const dqp_allocator *prev = dqp_alloc_scope_enter(h->s.allocator);
    release_backend(h);
    dqp_alloc_scope_leave(prev);
    return DQP_OK;
}

/* (Re)allocate the per-size arrays; forget the previous point if sizes change. */
static dqp_status resize(dqp_solver *h, const dqp_problem *prob) {
    if (h->z && h->n == prob->n && h->meq == prob->m_eq && h->mineq == prob->m_ineq)
        return DQP_OK;
    dqp_free(h->z);
    dqp_free(h->lam);
    dqp_free(h->mu);
    dqp_free(h->rownorm);
    dqp_free(h->is_active);
    dqp_free(h->active);
    h->n = prob->n;
    h->meq = prob->m_eq;
    h->mineq = prob->m_ineq;
    h->have_previous = 0;
    h->z = dqp_calloc(h->n, sizeof(double));
    h->lam = dqp_calloc(h->meq, sizeof(double));
    h->mu = dqp_calloc(h->mineq, sizeof(double));
    h->rownorm = dqp_calloc(h->mineq, sizeof(double));
    h->is_active = dqp_calloc(h->mineq, 1);
    h->active = dqp_calloc(h->mineq, sizeof(int64_t));
    if (!h->z || !h->lam || !h->mu || !h->rownorm || !h->is_active || !h->active) {
        h->n = h->meq = h->mineq = 0;
        return dqp_solver_fail(h, DQP_ERR_NOMEM, "out of memory for the solution arrays");
    }
    return DQP_OK;
}

/* The forward solver "auto" resolves to, and the lookup of a named one. */
static const dqp_qp_backend *pick_backend(dqp_solver *h) {
    const char *name = h->s.qp_solver;
    if (strcmp(name, "auto") == 0) {
        const dqp_qp_backend *ipm = dqp_qp_backend_find("ipm");
        int dense = h->s.solve_type == DQP_SOLVE_DENSE ||
                    (h->s.solve_type == DQP_SOLVE_AUTO && !h->prob->P && !h->prob->A &&
                     !h->prob->C);
        name = (dense || !ipm) ? "dense_as" : "ipm";
    }
    return dqp_qp_backend_find(name);
}

static dqp_status unknown_solver(dqp_solver *h) {
    char list[160] = "";
    size_t used = 0;
    for (int i = 0; i < dqp_qp_backend_count(); i++) {
        int w = snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "",
                         dqp_qp_backend_get(i)->name);
        if (w < 0 || (size_t)w >= sizeof list - used)
            break;
        used += (size_t)w;
    }
    return dqp_solver_fail(h, DQP_ERR_UNKNOWN_NAME, "unknown qp_solver \"%s\"; valid: auto, %s",
                           h->s.qp_solver, list);
}

static dqp_status forward_backend(dqp_solver *h, const dqp_problem *prob, dqp_qp_output *out) {
    const dqp_qp_backend *be = pick_backend(h);
    dqp_message msg = {{0}};
    dqp_status st;
    if (!be)
        return unknown_solver(h);
    int reuse = be == h->backend && prob == h->bprob && h->bself;
    if (reuse && be->update(h->bself, prob, &msg) != DQP_OK)
        reuse = 0; /* sizes or pattern changed: set up anew */
    if (!reuse) {
        release_backend(h);
        st = be->setup(&h->bself, prob, &h->s, &msg);
        if (st != DQP_OK) {
            h->bself = NULL;
            return dqp_solver_fail(h, st, "%s setup: %s", be->name, msg.text);
        }
        h->backend = be;
        h->bprob = prob;
    }
    if (h->s.warm_start_from_previous && h->have_previous && be->warm_start) {
        st = be->warm_start(h->bself, h->z, h->lam, h->mu, h->is_active);
        if (st != DQP_OK)
            return dqp_solver_fail(h, st, "%s warm start failed", be->name);
    }
    dqp_fmt(h->qp_name, sizeof h->qp_name, "%s", be->name);
    st = be->solve(h->bself, out, &msg);
    if (st != DQP_OK)
        return dqp_solver_fail(h, st, "%s: %s", be->name, msg.text);
    return DQP_OK;
}

static dqp_status forward_callback(dqp_solver *h, const dqp_problem *prob, dqp_qp_output *out) {
    dqp_fmt(h->qp_name, sizeof h->qp_name, "callback");
    /* the user's code runs outside the handle's allocator scope */
    const dqp_allocator *prev = dqp_alloc_scope_enter(NULL);
    int rc = h->cb(h->cb_user, prob, out->z, out->lam, out->mu, &out->has_duals);
    dqp_alloc_scope_leave(prev);
    out->status = rc == 0 ? DQP_QP_SOLVED : DQP_QP_NUMERICAL_ERROR;
    out->iterations = 0;
    for (int64_t j = 0; j < prob->n && rc == 0; j++)
        if (!isfinite(out->z[j])) {
            out->status = DQP_QP_NUMERICAL_ERROR;
            dqp_solver_fail(h, DQP_OK, "callback returned non-finite z[%lld]", (long long)j);
            break;
        }
    return DQP_OK;
}

/* check_PSD: P + delta I must have no negative pivot. delta absorbs
 * round-off so that a positive semidefinite but singular P passes. */
static dqp_status check_psd(dqp_solver *h, const dqp_problem *prob) {
    dqp_csc *U = dqp_upper_P(prob);
    if (!U)
        return dqp_solver_fail(h, DQP_ERR_NOMEM, "check_PSD: out of memory");
    double mx = 0.0;
    for (int64_t k = 0; k < dqp_csc_nnz(U); k++)
        mx = fmax(mx, fabs(U->x[k]));
    dqp_kkt_options opt;
    dqp_kkt_options_default(&opt);
    opt.reg = 1e-10;        /* relative to max(1, max|P|) */
    opt.check_singular = 0; /* singular P is fine: only the sign of the pivots matters */
    dqp_kkt *kkt = NULL;
    dqp_message msg = {{0}};
    dqp_status st = dqp_kkt_create(&kkt, h->s.lin_solver, prob->n, 0, U, NULL, NULL, &opt, &msg);
    if (st == DQP_OK)
        st = dqp_kkt_factor(kkt);
    dqp_kkt_info info = {0};
    if (st == DQP_OK)
        dqp_kkt_get_info(kkt, &info);
    else if (kkt)
        dqp_fmt(msg.text, sizeof msg.text, "%s", dqp_kkt_last_error(kkt));
    dqp_kkt_destroy(kkt);
    dqp_csc_free(U);
    if (st != DQP_OK)
        return dqp_solver_fail(h, st, "check_PSD: factorization failed: %s", msg.text);
    if (info.nneg > 0)
        return dqp_solver_fail(h, DQP_ERR_NOT_CONVEX,
                               "check_PSD: P is not positive semidefinite (%lld negative pivots "
                               "of P + %.3g I)",
                               (long long)info.nneg, info.delta);
    return DQP_OK;
}

static dqp_status solve_impl(dqp_solver *h, const dqp_problem *prob);

dqp_status dqp_solver_solve(dqp_solver *h, const dqp_problem *prob) {
    if (!h)
        return DQP_ERR_NULL;
    const dqp_allocator *prev = dqp_alloc_scope_enter(h->s.allocator);
    dqp_status st = solve_impl(h, prob);
    dqp_alloc_scope_leave(prev);
    return st;
}

static dqp_status solve_impl(dqp_solver *h, const dqp_problem *prob) {
    if (!prob)
        return dqp_solver_fail(h, DQP_ERR_NULL, "solve: problem is NULL");
    h->last_error[0] = '\0';
    release_derivative(h);
    memset(&h->info, 0, sizeof h->info);
    h->info.derivative_status = DQP_DIFF_FAILED;
    h->info.qp_solver = h->qp_name;
    h->info.lin_solver = h->lin_name;
    h->prob = NULL;
    dqp_status st = resize(h, prob);
    if (st != DQP_OK)
        return st;
    h->prob = prob;
    if (h->s.check_PSD && (st = check_psd(h, prob)) != DQP_OK)
        return st;

    double t0 = dqp_now();
    dqp_qp_output out = {h->z, h->lam, h->mu, 0, DQP_QP_UNSOLVED, 0, 0.0};
    if (!h->s.warm_start_from_previous || !h->have_previous) {
        memset(h->z, 0, (size_t)h->n * sizeof(double));
        memset(h->lam, 0, (size_t)h->meq * sizeof(double));
        memset(h->mu, 0, (size_t)h->mineq * sizeof(double));
    }
    st = h->cb ? forward_callback(h, prob, &out) : forward_backend(h, prob, &out);
    h->info.solve_seconds = dqp_now() - t0;
    if (st != DQP_OK)
        return st;
    h->info.qp_status = out.status;
    h->info.iterations = out.iterations;
    h->info.objective = dqp_problem_objective(prob, h->z);
    dqp_solver_log(h, DQP_LOG_INFO, "%s: %s in %lld iterations, %.3g s, objective %.17g",
                   h->qp_name,
               dqp_qp_status_string(out.status), (long long)out.iterations,
               h->info.solve_seconds, h->info.objective);
    if (out.status != DQP_QP_SOLVED && out.status != DQP_QP_SOLVED_INACCURATE) {
        h->have_previous = 0;
        if (!h->last_error[0])
            dqp_solver_fail(h, DQP_OK, "no derivative: forward solve ended with status %s",
                            dqp_qp_status_string(out.status));
        return DQP_OK;
    }
    if (!out.has_duals || !h->s.dual_available) {
        memset(h->lam, 0, (size_t)h->meq * sizeof(double));
        memset(h->mu, 0, (size_t)h->mineq * sizeof(double));
        h->info.derivative_status = DQP_DIFF_DUALS_RECOVERED; /* prepare recomputes them */
    } else {
        h->info.derivative_status = DQP_DIFF_REGULAR;
    }
    double t1 = dqp_now();
    st = dqp_engine_prepare(h);
    h->info.setup_seconds = dqp_now() - t1;
    h->info.kkt_solves = 0; /* counts derivative calls' solves, not the duals' recovery */
    if (st == DQP_OK)
        h->have_previous = 1;
    dqp_solver_log(h, DQP_LOG_INFO,
               "derivative: %s, |J| = %lld, %lld weakly active, flags 0x%x, stationarity %.3g, "
               "%.3g s",
               st == DQP_OK ? h->lin_name : "failed", (long long)h->nact,
               (long long)h->info.n_weak, h->info.derivative_status, h->info.stationarity,
               h->info.setup_seconds);
    if (st != DQP_OK)
        dqp_solver_log(h, DQP_LOG_ERROR, "%s", h->last_error);
    return st;
}

const dqp_info *dqp_solver_info(const dqp_solver *h) { return h ? &h->info : NULL; }
const double *dqp_solver_z(const dqp_solver *h) { return h ? h->z : NULL; }
const double *dqp_solver_lambda(const dqp_solver *h) { return h ? h->lam : NULL; }
const double *dqp_solver_mu(const dqp_solver *h) { return h ? h->mu : NULL; }
int64_t dqp_solver_active(const dqp_solver *h, const int64_t **rows) {
    if (rows)
        *rows = h ? h->active : NULL;
    return h ? h->nact : 0;
}
const char *dqp_solver_last_error(const dqp_solver *h) {
    return h ? h->last_error : "solver handle is NULL";
}
