/* prepare.c - active set, duals and the reduced KKT factorization after a solve. */
#include "diff/engine.h"

#include <math.h>
#include <string.h>

/* Rows of C as 2-norms (for normalize_constraints); 1 elsewhere. */
static void row_norms(dqp_solver *h) {
    const dqp_problem *p = h->prob;
    int64_t m = h->mineq, n = h->n;
    for (int64_t i = 0; i < m; i++)
        h->rownorm[i] = 0.0;
    if (!h->s.normalize_constraints) {
        for (int64_t i = 0; i < m; i++)
            h->rownorm[i] = 1.0;
        return;
    }
    if (p->C) {
        for (int64_t k = 0; k < dqp_csc_nnz(p->C); k++)
            h->rownorm[p->C->i[k]] += p->C->x[k] * p->C->x[k];
    } else if (p->Cd) {
        for (int64_t i = 0; i < m; i++)
            for (int64_t j = 0; j < n; j++)
                h->rownorm[i] += p->Cd[i * n + j] * p->Cd[i * n + j];
    }
    for (int64_t i = 0; i < m; i++)
        h->rownorm[i] = h->rownorm[i] > 0.0 ? sqrt(h->rownorm[i]) : 1.0;
}

static double norm_inf(const double *x, int64_t len) {
    double m = 0.0;
    for (int64_t k = 0; k < len; k++)
        m = fmax(m, fabs(x[k]));
    return m;
}

/* G = [A; C_J] with the rows of C_J divided by their norms (CSC, m x n),
 * for the current J (h->active). */
static dqp_csc *build_G(dqp_solver *h) {
    /* sparse matrices are read in place; dense ones (or none) are converted */
    dqp_csc *Acopy = h->prob->A ? NULL : dqp_rows_csc(h->prob, 'A');
    dqp_csc *Ccopy = h->prob->C ? NULL : dqp_rows_csc(h->prob, 'C'), *G = NULL;
    const dqp_csc *A = h->prob->A ? h->prob->A : Acopy, *C = h->prob->C ? h->prob->C : Ccopy;
    int64_t *posJ = dqp_alloc(DQP_MAX(h->mineq, 1), sizeof *posJ);
    if (!A || !C || !posJ)
        goto done;
    for (int64_t i = 0; i < h->mineq; i++)
        posJ[i] = -1;
    for (int64_t k = 0; k < h->nact; k++)
        posJ[h->active[k]] = k;
    int64_t n = h->n, nnz = dqp_csc_nnz(A);
    for (int64_t k = 0; k < dqp_csc_nnz(C); k++)
        nnz += posJ[C->i[k]] >= 0;
    G = dqp_csc_create(h->meq + h->nact, n, nnz);
    if (!G)
        goto done;
    int64_t t = 0;
    for (int64_t j = 0; j < n; j++) {
        for (int64_t k = A->p[j]; k < A->p[j + 1]; k++) {
            G->i[t] = A->i[k];
            G->x[t++] = A->x[k];
        }
        for (int64_t k = C->p[j]; k < C->p[j + 1]; k++) {
            int64_t r = C->i[k];
            if (posJ[r] >= 0) {
                G->i[t] = h->meq + posJ[r];
                G->x[t++] = C->x[k] / h->rownorm[r];
            }
        }
        G->p[j + 1] = t;
    }
done:
    dqp_free(posJ);
    dqp_csc_free(Acopy);
    dqp_csc_free(Ccopy);
    return G;
}

/* h->H and h->G for the current J, when not built yet. */
static dqp_status ensure_HG(dqp_solver *h) {
    if (!h->H && !(h->H = dqp_upper_P(h->prob)))
        return dqp_solver_fail(h, DQP_ERR_NOMEM, "out of memory (upper triangle of P)");
    if (!h->G && !(h->G = build_G(h)))
        return dqp_solver_fail(h, DQP_ERR_NOMEM, "out of memory building the reduced KKT");
    return DQP_OK;
}

static dqp_status factor_current(dqp_solver *h, int allow_reuse);

/* Solve K y = r for the current reduced KKT, in the problem's scaling:
 * the factored matrix is S K S with S = diag(I, I, 1/rownorm_J). When K is
 * singular (least-norm mode) and r is not in its range, the pseudo-inverse
 * solution is returned and DQP_DIFF_LEAST_SQUARES is flagged; when r's dual
 * blocks are 0 (a VJP seeded on z alone), DQP_DIFF_SINGULAR_HESSIAN too:
 * r = (r_1, 0) outside range(K) = null(K)^perp needs a null vector (u, w) of
 * K with u'r_1 != 0, and G u = 0, P u + G'w = 0 give u'P u = -(G u)'w = 0,
 * so P u = 0 (P PSD) with u != 0 in null(G) - which the flags from counting
 * (more active rows than variables: LICQ only) do not look for. When the
 * forward solver's factorization is in use (h->reusing) and refinement with
 * it does not converge, K is factored after all and the solve repeated. */
dqp_status dqp_engine_kkt_solve(dqp_solver *h, double *r, int64_t nrhs) {
    int64_t N = h->n + h->meq + h->nact, off = h->n + h->meq;
    for (int64_t c = 0; c < nrhs; c++)
        for (int64_t k = 0; k < h->nact; k++)
            r[c * N + off + k] /= h->rownorm[h->active[k]];
    double *saved = NULL; /* for the fallback */
    int64_t len = 0;
    if (h->reusing) {
        if (!dqp_mul_size(N, nrhs, &len) || !(saved = dqp_alloc(len, sizeof *saved)))
            return dqp_solver_fail(h, DQP_ERR_NOMEM, "reduced KKT solve: out of memory");
        memcpy(saved, r, (size_t)len * sizeof *saved);
    }
    int lstsq = 0, primal_only = 1;
    for (int64_t c = 0; c < nrhs && primal_only; c++)
        for (int64_t k = h->n; k < N && primal_only; k++)
            primal_only = r[c * N + k] == 0.0;
    dqp_status st;
    if (h->reusing == 2) {
        st = h->ksolve(h->ksolve_user, r, nrhs, &lstsq, &h->info.kkt_solves);
    } else {
        int64_t before = dqp_kkt_solves(h->kkt);
        st = dqp_kkt_solve_pinv(h->kkt, r, nrhs, &lstsq);
        h->info.kkt_solves += dqp_kkt_solves(h->kkt) - before;
    }
    if (st != DQP_OK && st != DQP_ERR_NOMEM && h->reusing) {
        dqp_solver_log(h, DQP_LOG_INFO,
                       "reduced KKT: the solve with the forward solver's factorization did "
                       "not converge (%s); factoring",
                       h->kkt ? dqp_kkt_last_error(h->kkt) : dqp_status_string(st));
        if ((st = factor_current(h, 0)) != DQP_OK) {
            dqp_free(saved);
            return st;
        }
        memcpy(r, saved, (size_t)len * sizeof *saved);
        st = dqp_kkt_solve_pinv(h->kkt, r, nrhs, &lstsq);
        h->info.kkt_solves += dqp_kkt_solves(h->kkt); /* the new factorization's test too */
    }
    dqp_free(saved);
    if (st != DQP_OK)
        return dqp_solver_fail(h, st, "reduced KKT solve: %s",
                               h->kkt ? dqp_kkt_last_error(h->kkt) : dqp_status_string(st));
    if (lstsq)
        h->info.derivative_status |=
            DQP_DIFF_LEAST_SQUARES | (primal_only ? DQP_DIFF_SINGULAR_HESSIAN : 0);
    for (int64_t c = 0; c < nrhs; c++)
        for (int64_t k = 0; k < h->nact; k++)
            r[c * N + off + k] /= h->rownorm[h->active[k]];
    return DQP_OK;
}

/* Create and factor a KKT with the given H (NULL: identity) and G. */
static dqp_status make_kkt(dqp_solver *h, dqp_kkt **out, const dqp_csc *H, const dqp_csc *G,
                           int least_norm) {
    dqp_kkt_options opt;
    dqp_kkt_options_default(&opt);
    opt.least_norm = least_norm;
    dqp_message msg = {{0}};
    dqp_csc *I = NULL;
    if (!H) {
        I = dqp_csc_create(h->n, h->n, h->n);
        if (!I)
            return dqp_solver_fail(h, DQP_ERR_NOMEM, "out of memory");
        for (int64_t j = 0; j < h->n; j++) {
            I->p[j + 1] = j + 1;
            I->i[j] = j;
            I->x[j] = 1.0;
        }
    }
    dqp_status st =
        dqp_kkt_create(out, h->s.lin_solver, h->n, G->m, H ? H : I, G, NULL, &opt, &msg);
    dqp_csc_free(I);
    if (st != DQP_OK)
        return dqp_solver_fail(h, st, "reduced KKT setup: %s", msg.text);
    st = dqp_kkt_factor(*out);
    if (st != DQP_OK) {
        dqp_solver_fail(h, st, "reduced KKT factorization: %s", dqp_kkt_last_error(*out));
        dqp_kkt_destroy(*out);
        *out = NULL;
    }
    return st;
}

/* Least-squares duals at z: y = argmin ||G' y + (P z + q)||, from
 * [I G'; G 0][u; y] = [-(Pz + q); 0] (u is the part of -(Pz+q) in null(G)).
 * y is in the scaled rows of G; the caller unscales. */
static dqp_status ls_duals(dqp_solver *h, double *y) {
    dqp_kkt *kkt = NULL;
    dqp_status st = ensure_HG(h);
    if (st == DQP_OK)
        st = make_kkt(h, &kkt, NULL, h->G, 1);
    if (st != DQP_OK)
        return st;
    int64_t n = h->n, N = n + h->G->m;
    double *r = h->work;
    memset(r, 0, (size_t)N * sizeof *r);
    memcpy(r, h->prob->q, (size_t)n * sizeof *r);
    dqp_prob_matvec(h->prob, 'P', 0, h->z, r);
    for (int64_t j = 0; j < n; j++)
        r[j] = -r[j];
    st = dqp_kkt_solve(kkt, r, 1);
    if (st == DQP_OK)
        memcpy(y, r + n, (size_t)h->G->m * sizeof *y);
    else
        dqp_solver_fail(h, st, "least-squares duals: %s", dqp_kkt_last_error(kkt));
    dqp_kkt_destroy(kkt);
    return st;
}

/* A component of the singularity test's near-null vector above this share
 * of its norm counts (see dqp_kkt_info.null_primal). */
#define NULL_SHARE 0.1

/* Flags from the block shares of a near-null vector of K = [H G'; G 0]:
 * its null vectors are (u, 0) with Hu = Gu = 0 or (0, y) with G'y = 0, so
 * the share in each block tells which kind of null space K has (both flags
 * when both show). */
static void classify_null(dqp_solver *h, double primal, double dual) {
    unsigned kind = 0;
    if (dual >= NULL_SHARE)
        kind |= DQP_DIFF_LICQ;
    if (primal >= NULL_SHARE)
        kind |= DQP_DIFF_SINGULAR_HESSIAN;
    h->info.derivative_status |= kind ? kind : DQP_DIFF_LICQ;
}

/* 1 when the forward solver has found K_J singular itself (solver.h,
 * kkt_singular), with the shares of its near-null vector. */
static int known_singular(dqp_solver *h, double shares[2]) {
    const dqp_qp_backend *be = h->backend;
    return !h->cb && be && be->kkt_singular && h->bself && h->info.qp_status == DQP_QP_SOLVED &&
           be->kkt_singular(h->bself, h->active, h->nact, shares);
}

/* The forward solver's elimination order for K_J (solver.h, kkt_order) in
 * *order (the caller frees it), or NULL when it offers none: the linear
 * solver then orders K_J itself. An error only for out-of-memory. */
static dqp_status forward_order(dqp_solver *h, int64_t **order) {
    const dqp_qp_backend *be = h->backend;
    *order = NULL;
    if (h->cb || !be || !be->kkt_order || !h->bself)
        return DQP_OK;
    int64_t N = h->n + h->G->m;
    int64_t *o = dqp_alloc(DQP_MAX(N, 1), sizeof *o);
    dqp_status st = o ? be->kkt_order(h->bself, h->active, h->nact, o) : DQP_ERR_NOMEM;
    if (st == DQP_OK) {
        *order = o;
        return DQP_OK;
    }
    dqp_free(o);
    return st == DQP_ERR_NOMEM ? dqp_solver_fail(h, st, "reduced KKT order: out of memory")
                               : DQP_OK;
}

/* Whether K_J is singular for sure before any factorization: more rows
 * than variables make G rank-deficient (method.md section 6), too few rows
 * and nonzero diagonal entries of P make P singular on null(G), or the
 * forward solver found this K singular. shares: the block shares of a null
 * vector of that kind, (u, 0) or (0, y), for classify_null. */
static int singular_known(dqp_solver *h, double shares[2]) {
    int count = dqp_kkt_singular_by_count(h->H, h->n, h->G->m);
    shares[0] = count == DQP_KKT_H_SINGULAR;
    shares[1] = count == DQP_KKT_DEPENDENT_ROWS;
    return count != 0 || known_singular(h, shares);
}

/* Factor the reduced KKT; when it is singular, factor it in least-norm mode
 * and classify: dependent active rows (LICQ) or P singular on null(G).
 * known: singular_known() found it singular (with the shares): the
 * least-norm factorization is then the only one, and the count or the
 * forward solver's finding classifies (the other kind of degeneracy is not
 * looked for). Otherwise the singularity test's near-null vector does. */
static dqp_status factor_reduced(dqp_solver *h, int known, const double shares[2]) {
    dqp_kkt_options opt;
    dqp_kkt_options_default(&opt);
    dqp_message msg = {{0}};
    opt.least_norm = known;
    int64_t *order = NULL;
    dqp_status st = forward_order(h, &order);
    if (st != DQP_OK)
        return st;
    opt.order = order;
    st = dqp_kkt_create(&h->kkt, h->s.lin_solver, h->n, h->G->m, h->H, h->G, NULL, &opt, &msg);
    dqp_free(order);
    if (st != DQP_OK)
        return dqp_solver_fail(h, st, "reduced KKT setup: %s", msg.text);
    st = dqp_kkt_factor(h->kkt);
    if (known && st == DQP_OK)
        classify_null(h, shares[0], shares[1]);
    if (known || st != DQP_ERR_SINGULAR) {
        if (st != DQP_OK)
            dqp_solver_fail(h, st, "reduced KKT factorization: %s", dqp_kkt_last_error(h->kkt));
        return st;
    }
    dqp_kkt_info ki;
    dqp_kkt_get_info(h->kkt, &ki);
    classify_null(h, ki.null_primal, ki.null_dual);
    dqp_kkt_set_least_norm(h->kkt, 1);
    st = dqp_kkt_factor(h->kkt);
    if (st != DQP_OK)
        return dqp_solver_fail(h, st, "reduced KKT factorization (least-norm): %s",
                               dqp_kkt_last_error(h->kkt));
    return DQP_OK;
}

/* Choose J from the primal slack; clean mu off J; report inconsistencies. */
static void choose_active(dqp_solver *h, int recovering) {
    int64_t m = h->mineq;
    double *Cz = h->work;
    memset(Cz, 0, (size_t)m * sizeof *Cz);
    dqp_prob_matvec(h->prob, 'C', 0, h->z, Cz);
    double mu_scale = fmax(1.0, norm_inf(h->mu, m));
    h->nact = 0;
    for (int64_t i = 0; i < m; i++) {
        /* Slack relative to the row's right-hand side: solvers stop on
         * residuals relative to the data (eps_rel), so a row with |d_i| =
         * 1e3 is only satisfied to ~1e3 eps. */
        double slack = dqp_rel_slack(h->prob->d[i] - Cz[i], h->prob->d[i], h->rownorm[i]);
        double mu_rel = h->mu[i] / mu_scale;
        /* With trusted duals, complementarity decides rows the slack alone
         * cannot: mu_i s_i ~ 0, so mu_i > s_i (both relative) means s_i is
         * the vanishing one. */
        int act = slack < h->s.eps_active ||
                  (!recovering && mu_rel > slack && mu_rel > 100.0 * h->s.eps_abs);
        h->is_active[i] = (unsigned char)act;
        if (act)
            h->active[h->nact++] = i;
        else {
            /* a multiplier that is not negligible on an inactive row */
            if (!recovering && mu_rel > sqrt(h->s.eps_abs))
                h->info.derivative_status |= DQP_DIFF_INCONSISTENT;
            h->mu[i] = 0.0;
        }
    }
}

static void clear_mask(unsigned char *mask, int64_t m) {
    for (int64_t i = 0; i < m; i++)
        mask[i] = 0;
}

/* Set J from the 0/1 mask is_active: active[], nact. */
static void set_active(dqp_solver *h) {
    h->nact = 0;
    for (int64_t i = 0; i < h->mineq; i++) {
        if (h->is_active[i])
            h->active[h->nact++] = i;
    }
}

/* ||P z + q + G' y||_2 at the least-squares duals for the current G. */
static dqp_status stationarity_ls(dqp_solver *h, double *res) {
    int64_t n = h->n, maxN = n + h->meq + h->mineq;
    double *y = h->work + maxN, *r = h->work + 2 * maxN;
    dqp_status st = ls_duals(h, y);
    if (st != DQP_OK)
        return st;
    memcpy(r, h->prob->q, (size_t)n * sizeof *r);
    dqp_prob_matvec(h->prob, 'P', 0, h->z, r);
    for (int64_t j = 0; j < n; j++)
        for (int64_t k = h->G->p[j]; k < h->G->p[j + 1]; k++)
            r[j] += h->G->x[k] * y[h->G->i[k]];
    double s = 0.0;
    for (int64_t j = 0; j < n; j++)
        s += r[j] * r[j];
    *res = sqrt(s);
    return DQP_OK;
}

/* refine_active (method.md section 3): sort rows by normalized slack; grow J
 * along that order while sqrt(||slack_J||^2 + ||stationarity||^2)
 * decreases; stop when it is below eps_active or starts to increase. Each
 * candidate costs one least-squares factorization, so this is opt-in. */
static dqp_status refine_active(dqp_solver *h) {
    int64_t m = h->mineq;
    double *slack = dqp_alloc(m, sizeof *slack);
    int64_t *order = dqp_alloc(m, sizeof *order);
    dqp_status st = DQP_OK;
    if (!slack || !order) {
        st = dqp_solver_fail(h, DQP_ERR_NOMEM, "refine_active: out of memory");
        goto done;
    }
    double *Cz = h->work;
    memset(Cz, 0, (size_t)m * sizeof *Cz);
    dqp_prob_matvec(h->prob, 'C', 0, h->z, Cz);
    for (int64_t i = 0; i < m; i++) {
        slack[i] = (h->prob->d[i] - Cz[i]) / h->rownorm[i];
        order[i] = i;
    }
    /* insertion sort by slack (m is moderate for an opt-in refinement) */
    for (int64_t a = 1; a < m; a++) {
        int64_t v = order[a], b = a;
        while (b > 0 && slack[order[b - 1]] > slack[v]) {
            order[b] = order[b - 1];
            b--;
        }
        order[b] = v;
    }
    double best = INFINITY, slack2 = 0.0;
    int64_t best_k = 0;
    for (int64_t k = 0; k <= m; k++) {
        clear_mask(h->is_active, m);
        for (int64_t t = 0; t < k; t++)
            h->is_active[order[t]] = 1;
        if (k > 0)
            slack2 += slack[order[k - 1]] * slack[order[k - 1]];
        set_active(h);
        dqp_csc_free(h->G);
        h->G = build_G(h);
        if (!h->G) {
            st = dqp_solver_fail(h, DQP_ERR_NOMEM, "refine_active: out of memory");
            goto done;
        }
        double stat;
        if ((st = stationarity_ls(h, &stat)) != DQP_OK)
            goto done;
        double r = sqrt(slack2 + stat * stat);
        if (r >= best)
            break;
        best = r;
        best_k = k;
        if (r < h->s.eps_active)
            break;
    }
    clear_mask(h->is_active, m);
    for (int64_t t = 0; t < best_k; t++)
        h->is_active[order[t]] = 1;
    set_active(h);
    dqp_csc_free(h->G);
    h->G = NULL;
done:
    dqp_free(slack);
    dqp_free(order);
    return st;
}

/* Duals for the current J when the solver gave none (or they are not
 * trusted): the equality QP on J, K [z; lam; mu_J] = [-q; b; d_J]; if its
 * z disagrees with z*, least squares on stationarity at z*. */
static dqp_status recover_duals(dqp_solver *h) {
    int64_t n = h->n, meq = h->meq, maxN = n + meq + h->mineq;
    double *y = h->work;
    dqp_status st;
    for (int64_t j = 0; j < n; j++)
        y[j] = -h->prob->q[j];
    memcpy(y + n, h->prob->b, (size_t)meq * sizeof *y);
    for (int64_t k = 0; k < h->nact; k++)
        y[n + meq + k] = h->prob->d[h->active[k]];
    if ((st = dqp_engine_kkt_solve(h, y, 1)) != DQP_OK)
        return st;
    double dz = 0.0;
    for (int64_t j = 0; j < n; j++)
        dz = fmax(dz, fabs(y[j] - h->z[j]));
    memset(h->mu, 0, (size_t)h->mineq * sizeof *h->mu);
    if (dz <= h->s.eps_active * fmax(1.0, norm_inf(h->z, n))) {
        memcpy(h->lam, y + n, (size_t)meq * sizeof *y);
        for (int64_t k = 0; k < h->nact; k++)
            h->mu[h->active[k]] = y[n + meq + k];
        return DQP_OK;
    }
    double *yd = h->work + maxN;
    if ((st = ls_duals(h, yd)) != DQP_OK)
        return st;
    memcpy(h->lam, yd, (size_t)meq * sizeof *yd);
    for (int64_t k = 0; k < h->nact; k++)
        h->mu[h->active[k]] = yd[meq + k] / h->rownorm[h->active[k]];
    return DQP_OK;
}

/* Refinement limits with the forward solver's factorization: it has passed
 * the solver's test (contraction <= 0.1 per step), so a solve that has not
 * converged after REUSE_MAX_REFINE steps, or stalls above REUSE_TOL_ACCEPT,
 * is handed to a factorization of K instead (dqp_engine_kkt_solve). The
 * factored path accepts a stall up to tol_accept = 1e-8; 1e-10 is stricter,
 * and above the ~1e-12 where refinement stalls on ill-conditioned K with
 * any factorization (CONT-050: 1.1e-12 with ipm's polish factorization of
 * K itself, where 1e-12 sent it to a second factorization for nothing). */
#define REUSE_MAX_REFINE 12
#define REUSE_TOL_ACCEPT 1e-10

/* The reduced KKT solved with the forward solver's last Newton
 * factorization (solver.h, kkt_reuse), when the solver offers one that
 * passes its test for this J: no analysis or factorization at all. Sets
 * *used; an error only for out-of-memory (never a silent fallback: the
 * allocation-failure tests require every failure to surface). */
static dqp_status try_reuse(dqp_solver *h, int *used) {
    const dqp_qp_backend *be = h->backend;
    *used = 0;
    if (h->cb || !be || !be->kkt_reuse || !h->bself || h->info.qp_status != DQP_QP_SOLVED)
        return DQP_OK;
    dqp_kkt_apply_fn apply = NULL;
    void *user = NULL;
    dqp_status st = be->kkt_reuse(h->bself, h->active, h->nact, h->rownorm, &apply, &user);
    if (st == DQP_ERR_NOMEM)
        return dqp_solver_fail(h, st, "reduced KKT: out of memory");
    if (st != DQP_OK)
        return DQP_OK; /* not offered for this J: factor */
    dqp_kkt_options opt;
    dqp_kkt_options_default(&opt);
    opt.max_refine = REUSE_MAX_REFINE;
    opt.tol_accept = REUSE_TOL_ACCEPT;
    dqp_message msg = {{0}};
    st = dqp_kkt_create_external(&h->kkt, h->n, h->G->m, h->H, h->G, NULL, &opt, apply, user, &msg);
    if (st == DQP_OK)
        st = dqp_kkt_factor(h->kkt); /* no numeric work: marks the object ready */
    if (st != DQP_OK) {
        dqp_kkt_destroy(h->kkt);
        h->kkt = NULL;
        return dqp_solver_fail(h, st, "reduced KKT setup: %s", msg.text);
    }
    *used = 1;
    return DQP_OK;
}

/* The forward solver's own solver of K_J (solver.h, kkt_solve), when it
 * offers one for this J: nothing is assembled or factored, G and H are not
 * even built. Sets h->reusing = 2; an error only for out-of-memory. */
static dqp_status try_solver_kkt(dqp_solver *h) {
    const dqp_qp_backend *be = h->backend;
    if (h->cb || !be || !be->kkt_solve || !h->bself || h->info.qp_status != DQP_QP_SOLVED)
        return DQP_OK;
    dqp_status st =
        be->kkt_solve(h->bself, h->active, h->nact, h->rownorm, &h->ksolve, &h->ksolve_user);
    if (st == DQP_ERR_NOMEM)
        return dqp_solver_fail(h, st, "reduced KKT: out of memory");
    if (st != DQP_OK)
        return DQP_OK;
    h->reusing = 2;
    double shares[2]; /* a singular K_J: the solver's finding classifies */
    if (known_singular(h, shares))
        classify_null(h, shares[0], shares[1]);
    return DQP_OK;
}

/* h->lin_name = prefix name, truncated to fit (no printf: on problems with
 * a handful of variables its formatting was 15% of setup + VJP). */
static void set_lin_name(dqp_solver *h, const char *prefix, const char *name) {
    size_t cap = sizeof h->lin_name - 1, a = strlen(prefix), b = strlen(name);
    a = DQP_MIN(a, cap);
    b = DQP_MIN(b, cap - a);
    memcpy(h->lin_name, prefix, a);
    memcpy(h->lin_name + a, name, b);
    h->lin_name[a + b] = '\0';
}

/* (Re)create the solver of the reduced KKT for the current J: the forward
 * solver's own when allowed and offered, else refinement with its
 * factorization when allowed and offered, else a factorization. */
static dqp_status factor_current(dqp_solver *h, int allow_reuse) {
    dqp_kkt_destroy(h->kkt);
    h->kkt = NULL;
    h->reusing = 0;
    dqp_status st = allow_reuse ? try_solver_kkt(h) : DQP_OK;
    if (st == DQP_OK && !h->reusing)
        st = ensure_HG(h);
    if (st != DQP_OK)
        return st;
    double shares[2] = {0.0, 0.0};
    int known = h->reusing ? 0 : singular_known(h, shares);
    /* refinement with an approximate inverse cannot serve a singular K (its
     * least-norm solves need a factorization): not even offered */
    if (allow_reuse && !h->reusing && !known && (st = try_reuse(h, &h->reusing)) != DQP_OK)
        return st;
    if (h->reusing) {
        set_lin_name(h, "reuse:", h->backend->name);
        return DQP_OK;
    }
    st = factor_reduced(h, known, shares);
    if (st != DQP_OK)
        return st;
    dqp_kkt_info ki;
    dqp_kkt_get_info(h->kkt, &ki);
    set_lin_name(h, "", ki.backend ? ki.backend : h->s.lin_solver);
    return DQP_OK;
}

/* The solver of the reduced KKT for a new J (G is rebuilt when needed). */
static dqp_status build_and_factor(dqp_solver *h) {
    dqp_csc_free(h->G);
    h->G = NULL;
    return factor_current(h, 1);
}

/* Weakly active rows (mu ~ 0 on J), negative multipliers (J too large:
 * inconsistent), and with weak_active = drop the rows leave J.
 * A row of J is weakly active when its multiplier is zero at the forward
 * accuracy (mu <= 100 eps_abs, relative to max mu) or not clearly larger
 * than its slack (mu <= 1e3 slack, relative): an interior-point solution
 * at tolerance eps has mu ~ slack ~ sqrt(eps) on such rows, while a
 * strictly active row has mu / slack ~ 1 / eps. */
static dqp_status classify_weak(dqp_solver *h) {
    double mu_scale = fmax(1.0, norm_inf(h->mu, h->mineq));
    double weak_tol = 100.0 * h->s.eps_abs * mu_scale;
    double *Cz = h->work;
    for (int64_t i = 0; i < h->mineq; i++)
        Cz[i] = 0.0;
    dqp_prob_matvec(h->prob, 'C', 0, h->z, Cz);
    int64_t weak = 0;
    for (int64_t k = 0; k < h->nact; k++) {
        int64_t i = h->active[k];
        double slack = fmax(0.0, (h->prob->d[i] - Cz[i]) / h->rownorm[i]);
        if (h->mu[i] <= fmax(weak_tol, 1e3 * slack * mu_scale)) {
            weak++;
            if (h->s.weak_active == DQP_WEAK_DROP) {
                h->is_active[i] = 0;
                h->mu[i] = 0.0;
            }
        }
        if (h->mu[i] < -sqrt(h->s.eps_abs) * mu_scale)
            h->info.derivative_status |= DQP_DIFF_INCONSISTENT;
    }
    h->info.n_weak = weak;
    if (weak == 0)
        return DQP_OK;
    h->info.derivative_status |= DQP_DIFF_WEAKLY_ACTIVE;
    if (h->s.weak_active != DQP_WEAK_DROP)
        return DQP_OK;
    set_active(h);
    return build_and_factor(h);
}

dqp_status dqp_engine_prepare(dqp_solver *h) {
    int recovering = (h->info.derivative_status & DQP_DIFF_DUALS_RECOVERED) != 0;
    int64_t n = h->n, meq = h->meq, m = h->mineq;
    int64_t maxN = n + meq + m, len = DQP_MAX(3 * maxN, 1);
    dqp_status st = DQP_OK;
    if (len > h->work_len) {
        dqp_free(h->work);
        h->work = dqp_alloc(len, sizeof(double));
        h->work_len = h->work ? len : 0;
        if (!h->work)
            return dqp_solver_fail(h, DQP_ERR_NOMEM, "out of memory");
    }
    row_norms(h);
    choose_active(h, recovering);
    if (h->s.refine_active) {
        if ((st = refine_active(h)) != DQP_OK)
            goto fail;
        recovering = 1; /* the solver's duals belong to its own active set */
        h->info.derivative_status |= DQP_DIFF_DUALS_RECOVERED;
    }
    if ((st = build_and_factor(h)) != DQP_OK)
        goto fail;
    if (recovering && (st = recover_duals(h)) != DQP_OK)
        goto fail;
    if ((st = classify_weak(h)) != DQP_OK)
        goto fail;
    h->info.n_active = h->nact;
    /* Stationarity residual with the final duals. */
    double *r = h->work;
    memcpy(r, h->prob->q, (size_t)n * sizeof *r);
    dqp_prob_matvec(h->prob, 'P', 0, h->z, r);
    double scale = fmax(1.0, norm_inf(r, n));
    dqp_prob_matvec(h->prob, 'A', 1, h->lam, r);
    dqp_prob_matvec(h->prob, 'C', 1, h->mu, r);
    h->info.stationarity = norm_inf(r, n);
    /* sqrt(eps_abs): well above a converged solver's residual, well below
     * what a wrong active set or wrong duals produce. */
    if (h->info.stationarity > sqrt(h->s.eps_abs) * scale)
        h->info.derivative_status |= DQP_DIFF_INCONSISTENT;
    h->ready = 1;
    return DQP_OK;
fail:
    h->info.derivative_status |= DQP_DIFF_FAILED;
    return st;
}
