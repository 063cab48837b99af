/* ipm_polish.c - after convergence: the equality-constrained QP on the
 * active set the iterates point to, solved directly.
 *
 * An interior-point method stops when its residuals are small relative to
 * the data. When the data are large and P is ill-conditioned, that can leave
 * z far from the solution along P's flat directions: HS268 (constant term
 * 14463, entries ~1e4) stops at eps = 1e-8 with |z - z*| ~ 1e-2 and an
 * objective 4e-5 above the optimum 0. The remedy (OSQP's "polish", done
 * here on the unscaled data) guesses the active set J from the iterates -
 * a row is active when its slack passes the engine's active-set test
 * (at_bound), or when its scaled multiplier exceeds its scaled slack and
 * its multiplier is not negligible by the engine's test (see
 * dqp_ipm_polish) - and solves
 *
 *     [P  A' C_J'] [z  ]   [-q ]
 *     [A  0  0   ] [lam] = [ b ]
 *     [C_J 0 0   ] [mu ]   [d_J]
 *
 * with the KKT layer (regularized factorization and iterative refinement
 * against K itself). The result is accepted only when it passes the
 * interior-point termination test (primal residual on all rows, J or not,
 * dual residual, gap; dqp_ipm_residuals_at) with mu_J >= 0: it is then
 * optimal, and exact up to the conditioning of K, not of the barrier.
 * Otherwise (J wrong, K singular: dependent active rows, P singular on
 * null([A; C_J]), or more active rows than variables) the interior-point
 * point is kept. The KKT object is kept either way (K_J depends on J
 * alone, not on whether the polished point passed): when the engine finds
 * the same active set, it is the engine's reduced KKT up to
 * the order and scaling of the rows, and the engine solves with it (the
 * kkt_solve hook, dqp_ipm_kkt_solve) instead of assembling and factoring
 * its own. */
#include "solvers/ipm_internal.h"

#include <math.h>
#include <string.h>

/* Work arrays of one polish attempt (freed together). */
typedef struct polish_work {
    int64_t *rpos;  /* row of R -> row of G, -1 outside J (mr) */
    int64_t *bpos;  /* bound -> row of G, -1 outside J (nb) */
    dqp_csc *G;     /* [A; G_J; bounds_J] (rows x n) */
    double *x;      /* right-hand side, then [z; lam; mu_J] (n + rows) */
    double *y;      /* duals of R's rows, unscaled (mr) */
    int64_t *order; /* elimination order of K_J induced by the Newton system's, or NULL */
    dqp_kkt *kkt;
} polish_work;

static void work_free(polish_work *pw) {
    dqp_free(pw->rpos);
    dqp_free(pw->bpos);
    dqp_csc_free(pw->G);
    dqp_free(pw->x);
    dqp_free(pw->y);
    dqp_free(pw->order);
    dqp_kkt_destroy(pw->kkt);
}

/* pw->order for K_J (N = n + rows) from the Newton system's order
 * (dqp_ipm_induced_order); left NULL, so that the KKT layer orders K_J
 * itself, when that order is not available. Fails only for out-of-memory. */
static dqp_status induced_order(const dqp_ipm *w, polish_work *pw, int64_t N) {
    int64_t n = w->n;
    int64_t *src = dqp_alloc(DQP_MAX(N, 1), sizeof *src);
    pw->order = dqp_alloc(DQP_MAX(N, 1), sizeof *pw->order);
    if (!src || !pw->order) {
        dqp_free(src);
        return DQP_ERR_NOMEM;
    }
    for (int64_t j = 0; j < n; j++)
        src[j] = j;
    for (int64_t i = 0; i < w->mr; i++)
        if (pw->rpos[i] >= 0)
            src[n + pw->rpos[i]] = n + i;
    for (int64_t k = 0; k < w->nb; k++)
        if (pw->bpos[k] >= 0)
            src[n + pw->bpos[k]] = -1;
    dqp_status st = dqp_ipm_induced_order(w, src, N, pw->order);
    dqp_free(src);
    if (st != DQP_OK) {
        dqp_free(pw->order);
        pw->order = NULL;
    }
    return st == DQP_ERR_NOMEM ? st : DQP_OK;
}

/* G = [A; G_J; bounds_J] in the row order of rpos / bpos. */
static dqp_csc *build_rows(const dqp_ipm *w, const polish_work *pw, int64_t rows) {
    int64_t n = w->n, nnz = 0;
    const dqp_csc *R = w->R;
    for (int64_t k = 0; k < dqp_csc_nnz(R); k++)
        nnz += pw->rpos[R->i[k]] >= 0;
    for (int64_t k = 0; k < w->nb; k++)
        nnz += pw->bpos[k] >= 0;
    dqp_csc *G = dqp_csc_create(rows, n, nnz);
    if (!G)
        return NULL;
    /* column counts, then fill: R's entries (rows increasing with R's), then
     * the column's bounds (rows after all of R's, increasing with k) */
    for (int64_t j = 0; j <= n; j++)
        G->p[j] = 0;
    for (int64_t j = 0; j < n; j++)
        for (int64_t k = R->p[j]; k < R->p[j + 1]; k++)
            G->p[j + 1] += pw->rpos[R->i[k]] >= 0;
    for (int64_t k = 0; k < w->nb; k++)
        if (pw->bpos[k] >= 0)
            G->p[w->b_var[k] + 1]++;
    for (int64_t j = 0; j < n; j++)
        G->p[j + 1] += G->p[j];
    int64_t *next = dqp_alloc(DQP_MAX(n, 1), sizeof *next);
    if (!next) {
        dqp_csc_free(G);
        return NULL;
    }
    for (int64_t j = 0; j < n; j++)
        next[j] = G->p[j];
    for (int64_t j = 0; j < n; j++)
        for (int64_t k = R->p[j]; k < R->p[j + 1]; k++) {
            int64_t r = pw->rpos[R->i[k]];
            if (r >= 0) {
                G->i[next[j]] = r;
                G->x[next[j]++] = R->x[k];
            }
        }
    for (int64_t k = 0; k < w->nb; k++)
        if (pw->bpos[k] >= 0) {
            int64_t j = w->b_var[k];
            G->i[next[j]] = pw->bpos[k];
            G->x[next[j]++] = w->b_coef[k];
        }
    dqp_free(next);
    return G;
}

/* Optimality of the candidate (z, y = duals of R's rows, mub = bound duals)
 * to the interior-point tolerances, on the unscaled data: multipliers of
 * inequalities >= 0 (up to the tolerance; clipped after), and the
 * residuals and gap of the termination test. */
static int acceptable(dqp_ipm *w, const double *z, const double *y, const double *mub) {
    double eps_a = w->eps_abs, eps_r = w->eps_rel;
    double ymax = fmax(dqp_ipm_norm_inf(y + w->p, w->mr - w->p), dqp_ipm_norm_inf(mub, w->nb));
    for (int64_t i = w->p; i < w->mr; i++)
        if (y[i] < -(eps_a + eps_r * ymax))
            return 0;
    for (int64_t k = 0; k < w->nb; k++)
        if (mub[k] < -(eps_a + eps_r * ymax))
            return 0;
    dqp_ipm_residuals_at(w, z, y, mub);
    return dqp_ipm_converged(w);
}

/* The engine's test for an active row (prepare.c, choose_active): relative
 * slack below eps_active, the row scaled to unit norm first when the
 * settings normalize constraints. The polish adds such rows to the rows its
 * multipliers point to: at the solution they are satisfied with equality
 * (weakly active rows: slack ~ 0 and multiplier ~ 0, which the iterates'
 * test leaves out), so the equality QP has the same solution, and its K is
 * the engine's reduced KKT, which the engine then solves with instead of
 * assembling and factoring its own (LISWET*, KSIP: setup + VJP over the
 * forward time halved). */
static int at_bound(const dqp_ipm *w, double slack, double d, double rownorm) {
    double nr = w->act_normalize && rownorm > 0 ? rownorm : 1.0;
    return dqp_rel_slack(slack, d, nr) < w->eps_active;
}

/* Out-of-memory surfaces (the allocation-failure tests require every failure
 * to); a singular or ill-conditioned K only means no polish. */
static dqp_status soft(dqp_status st) { return st == DQP_ERR_NOMEM ? st : DQP_OK; }

dqp_status dqp_ipm_polish(dqp_ipm *w, double *z, double *lam, double *mu, dqp_message *msg) {
    int64_t n = w->n, p = w->p, m = w->m, nb = w->nb, mr = w->mr;
    polish_work pw = {0};
    dqp_status st = DQP_OK;
    pw.rpos = dqp_alloc(DQP_MAX(mr, 1), sizeof *pw.rpos);
    pw.bpos = dqp_alloc(DQP_MAX(nb, 1), sizeof *pw.bpos);
    if (!pw.rpos || !pw.bpos)
        goto nomem;
    /* R z (unscaled) and, for normalized constraints, R's row norms */
    double *Rz = w->wr, *nrm = w->wu;
    dqp_ipm_mv(w->R, w->R->x, z, Rz);
    memset(nrm, 0, (size_t)mr * sizeof *nrm);
    for (int64_t k = 0; w->act_normalize && k < dqp_csc_nnz(w->R); k++)
        nrm[w->R->i[k]] += w->R->x[k] * w->R->x[k];
    /* A multiplier the engine's test calls negligible (<= 100 eps_abs
     * relative to the largest, prepare.c): such a row with a slack above
     * eps_active is not active for the engine at this point, and on a
     * degenerate row the iterates' test is a coin toss (multiplier and slack
     * both ~ sqrt(mu), equal to 3 digits on QPCSTAIR, QE226, QSHARE2B); taken
     * into J, it made K singular (no polish) and J differ from the engine's
     * (which then factored its own K_J). The multiplier is unscaled: the
     * test keeps rows whose scaled slack is small while the unscaled one is
     * not (HUES-MOD, objective 3e7: relative slack up to 2 at the iterate,
     * 0 at the polished point). */
    double mu_tol = 100.0 * w->eps_abs * fmax(1.0, dqp_ipm_norm_inf(mu, w->mi));
    int64_t rows = 0;
    for (int64_t i = 0; i < p; i++)
        pw.rpos[i] = rows++;
    for (int64_t r = 0; r < m; r++) {
        double d = w->rhs0[p + r];
        int act = at_bound(w, d - Rz[p + r], d, sqrt(nrm[p + r])) ||
                  (w->yz[p + r] > w->s[r] && mu[w->g_row[r]] > mu_tol);
        pw.rpos[p + r] = act ? rows++ : -1;
    }
    for (int64_t k = 0; k < nb; k++) {
        double d = w->b_rhs[k], c = w->b_coef[k];
        int act = at_bound(w, d - c * z[w->b_var[k]], d, fabs(c)) ||
                  (w->w[k] > w->t[k] && mu[w->b_row[k]] > mu_tol);
        pw.bpos[k] = act ? rows++ : -1;
    }
    /* K singular for sure (dqp_kkt_singular_by_count): spares the
     * factorization on most LPs */
    if (dqp_kkt_singular_by_count(w->Pu, n, rows))
        goto done;
    int64_t N = n + rows;
    pw.x = dqp_alloc(DQP_MAX(N, 1), sizeof *pw.x);
    pw.y = dqp_alloc(DQP_MAX(mr + nb, 1), sizeof *pw.y);
    if (!pw.x || !pw.y || !(pw.G = build_rows(w, &pw, rows)))
        goto nomem;
    dqp_kkt_options opt;
    dqp_kkt_options_default(&opt);
    if ((st = induced_order(w, &pw, N)) != DQP_OK)
        goto nomem;
    opt.order = pw.order;
    dqp_message kmsg = {{0}};
    /* the backend the iterations used (mumps where ldl would be slow) */
    dqp_kkt_info ki = {0};
    dqp_kkt_get_info(w->kkt, &ki);
    st = dqp_kkt_create(&pw.kkt, ki.backend ? ki.backend : w->prm.lin_solver, n, rows, w->Pu, pw.G,
                        NULL, &opt, &kmsg);
    if (st == DQP_OK)
        st = dqp_kkt_factor(pw.kkt);
    if (st == DQP_ERR_SINGULAR) {
        /* no polish; the finding, its active set and the object (its
         * assembly and analysis) are kept for the engine: it spares it the
         * same test (dqp_ipm_kkt_singular), and when the engine's J is the
         * same, the object refactored in least-norm mode is its solver
         * (dqp_ipm_polish_solver) */
        dqp_kkt_get_info(pw.kkt, &ki);
        w->pol_singular = 1;
        w->pol_null[0] = ki.null_primal;
        w->pol_null[1] = ki.null_dual;
        w->pol_kkt = pw.kkt;
        w->pol_G = pw.G;
        w->pol_x = pw.x;
        w->pol_rpos = pw.rpos;
        w->pol_bpos = pw.bpos;
        pw.kkt = NULL;
        pw.G = NULL;
        pw.x = NULL;
        pw.rpos = pw.bpos = NULL;
    }
    if (st != DQP_OK) {
        st = soft(st);
        goto done;
    }
    for (int64_t j = 0; j < n; j++)
        pw.x[j] = -w->q0[j];
    for (int64_t i = 0; i < mr; i++)
        if (pw.rpos[i] >= 0)
            pw.x[n + pw.rpos[i]] = w->rhs0[i];
    for (int64_t k = 0; k < nb; k++)
        if (pw.bpos[k] >= 0)
            pw.x[n + pw.bpos[k]] = w->b_rhs[k];
    if ((st = dqp_kkt_solve(pw.kkt, pw.x, 1)) != DQP_OK) {
        st = soft(st);
        goto done;
    }
    double *y = pw.y, *mub = pw.y + mr;
    for (int64_t i = 0; i < mr; i++)
        y[i] = pw.rpos[i] >= 0 ? pw.x[n + pw.rpos[i]] : 0.0;
    for (int64_t k = 0; k < nb; k++)
        mub[k] = pw.bpos[k] >= 0 ? pw.x[n + pw.bpos[k]] : 0.0;
    int accept = acceptable(w, pw.x, y, mub);
    if (accept) {
        memcpy(z, pw.x, (size_t)n * sizeof *z);
        memcpy(lam, y, (size_t)p * sizeof *lam);
    }
    /* keep the KKT object, the polished point accepted or not: it is the
     * engine's reduced KKT when the engine finds the same active set
     * (dqp_ipm_polish_solver), and K_J depends on J alone (PRIMAL3,
     * PRIMAL4: a polished point that misses the termination test, and the
     * engine's J from the interior-point point is the same) */
    w->pol_kkt = pw.kkt;
    w->pol_rpos = pw.rpos;
    w->pol_bpos = pw.bpos;
    w->pol_x = pw.x;
    pw.kkt = NULL;
    pw.rpos = pw.bpos = NULL;
    pw.x = NULL;
    if (!accept)
        goto done;
    memset(mu, 0, (size_t)w->mi * sizeof *mu);
    for (int64_t r = 0; r < m; r++)
        mu[w->g_row[r]] = fmax(y[p + r], 0.0);
    for (int64_t k = 0; k < nb; k++)
        mu[w->b_row[k]] = fmax(mub[k], 0.0);
    goto done;
nomem:
    st = DQP_ERR_NOMEM;
done:
    work_free(&pw);
    if (st != DQP_OK)
        return dqp_fail(msg, st, "ipm: polish: out of memory");
    return DQP_OK;
}

void dqp_ipm_polish_release(dqp_ipm *w) {
    dqp_kkt_destroy(w->pol_kkt);
    dqp_free(w->pol_rpos);
    dqp_free(w->pol_bpos);
    dqp_free(w->pol_x);
    dqp_csc_free(w->pol_G);
    dqp_free(w->pol_js);
    w->pol_kkt = NULL;
    w->pol_rpos = w->pol_bpos = NULL;
    w->pol_x = NULL;
    w->pol_G = NULL;
    w->pol_js = NULL;
    w->pol_singular = 0;
    w->pol_kept = 0;
}

/* Row of the polish system holding row i of C, -1 outside its active set. */
static int64_t polish_row(const dqp_ipm *w, int64_t i) {
    int64_t c = w->c_kind[i];
    return c >= 0 ? w->pol_rpos[w->p + c] : w->pol_bpos[-1 - c];
}

static dqp_status refactor_least_norm(dqp_ipm *w);

/* Largest share of the near-null vector in the primal block for which the
 * factorization that found K singular is kept (to_least_norm). */
#define KEEP_PRIMAL_SHARE 0.1

/* K^+ x with the polish object: on a kept factorization first the cheap
 * attempt (dqp_kkt_solve_settled); when it does not settle (x outside
 * range(K), or the least-norm clean-up drifting), the object is refactored
 * with the least-norm regularization and x solved with it. *solves += the
 * right-hand sides put through the object (dqp_qp_kkt_solve_fn). */
static dqp_status pinv_solve(dqp_ipm *w, double *t, int64_t nrhs, int64_t N, int *lstsq,
                             int64_t *solves) {
    int64_t before = dqp_kkt_solves(w->pol_kkt);
    dqp_status st;
    if (!w->pol_kept) {
        st = dqp_kkt_solve_pinv(w->pol_kkt, t, nrhs, lstsq);
        *solves += dqp_kkt_solves(w->pol_kkt) - before;
        return st;
    }
    int64_t len;
    double *saved = dqp_mul_size(N, nrhs, &len) ? dqp_alloc(len, sizeof *saved) : NULL;
    if (!saved)
        return DQP_ERR_NOMEM;
    memcpy(saved, t, (size_t)len * sizeof *saved);
    st = dqp_kkt_solve_settled(w->pol_kkt, t, nrhs);
    /* counted before refactor_least_norm, which drops the object on failure */
    int64_t mid = dqp_kkt_solves(w->pol_kkt);
    *solves += mid - before;
    if (st != DQP_OK && st != DQP_ERR_NOMEM && (st = refactor_least_norm(w)) == DQP_OK) {
        memcpy(t, saved, (size_t)len * sizeof *saved);
        st = dqp_kkt_solve_pinv(w->pol_kkt, t, nrhs, lstsq);
        /* the refactorization's singularity test too */
        *solves += dqp_kkt_solves(w->pol_kkt) - mid;
    }
    dqp_free(saved);
    return st;
}

/* The engine's reduced KKT is S K S with S = diag(I, I, 1/jscale) on its
 * row order (K: the polish's, rows in its order); its inverse is
 * S^-1 K^-1 S^-1, K^-1 being dqp_kkt_solve with the polish's object
 * (factorization and refinement against K). A singular K has had its rows
 * divided by jscale (to_least_norm): S = I then, since a least-norm
 * solution is one only in the coordinates whose norm it minimizes. The
 * columns are solved together in a buffer of the polish's row order. */
static dqp_status solve_polish(void *user, double *x, int64_t nrhs, int *lstsq,
                               int64_t *solves) {
    dqp_ipm *w = user;
    *lstsq = 0;
    int64_t off = w->n + w->p, N = off + w->jn, len;
    if (!w->pol_kkt)
        return DQP_ERR_NOT_READY; /* a failed refactorization dropped it */
    if (nrhs <= 0 || N == 0)
        return DQP_OK;
    double *t =
        nrhs == 1 ? w->pol_x : (dqp_mul_size(N, nrhs, &len) ? dqp_alloc(len, sizeof *t) : NULL);
    if (!t)
        return DQP_ERR_NOMEM;
    for (int64_t c = 0; c < nrhs; c++) {
        double *tc = t + c * N, *xc = x + c * N;
        memcpy(tc, xc, (size_t)off * sizeof *tc);
        for (int64_t k = 0; k < w->jn; k++)
            tc[w->n + polish_row(w, w->jrow[k])] = xc[off + k] * (w->pol_js ? 1.0 : w->jscale[k]);
    }
    dqp_status st = pinv_solve(w, t, nrhs, N, lstsq, solves);
    for (int64_t c = 0; c < nrhs && st == DQP_OK; c++) {
        double *tc = t + c * N, *xc = x + c * N;
        memcpy(xc, tc, (size_t)off * sizeof *xc);
        for (int64_t k = 0; k < w->jn; k++)
            xc[off + k] = tc[w->n + polish_row(w, w->jrow[k])] * (w->pol_js ? 1.0 : w->jscale[k]);
    }
    if (t != w->pol_x)
        dqp_free(t);
    return st;
}

/* The polish's active set is J (w->cpos, loaded from the engine's J). */
static int same_rows(const dqp_ipm *w) {
    for (int64_t i = 0; i < w->mi; i++)
        if ((polish_row(w, i) >= 0) != (w->cpos[i] >= 0))
            return 0;
    return 1;
}

/* A singular polish object made the engine's K_J (J loaded, the same rows):
 * its rows of C divided by jscale and the object refactored in least-norm
 * mode. */
static dqp_status refactor_least_norm(dqp_ipm *w) {
    w->pol_kept = 0;
    dqp_csc *G = w->pol_G;
    int64_t rows = G->m;
    double *rs = dqp_alloc(DQP_MAX(rows, 1), sizeof *rs);
    double *js = dqp_alloc(DQP_MAX(w->mi, 1), sizeof *js);
    if (!rs || !js) {
        dqp_free(rs);
        dqp_free(js);
        return DQP_ERR_NOMEM;
    }
    for (int64_t r = 0; r < rows; r++)
        rs[r] = 1.0;
    for (int64_t i = 0; i < w->mi; i++)
        js[i] = 1.0;
    for (int64_t k = 0; k < w->jn; k++) {
        rs[polish_row(w, w->jrow[k])] = 1.0 / w->jscale[k];
        js[w->jrow[k]] = w->jscale[k];
    }
    for (int64_t q = 0; q < dqp_csc_nnz(G); q++)
        G->x[q] *= rs[G->i[q]];
    dqp_free(rs);
    dqp_status st = dqp_kkt_update(w->pol_kkt, NULL, G->x, NULL);
    if (st == DQP_OK) {
        dqp_kkt_set_least_norm(w->pol_kkt, 1);
        st = dqp_kkt_factor(w->pol_kkt);
    }
    if (st != DQP_OK) {
        /* not offered again: the engine factors K_J itself */
        dqp_free(js);
        dqp_kkt_destroy(w->pol_kkt);
        w->pol_kkt = NULL;
        return st == DQP_ERR_NOMEM ? st : DQP_ERR_NOT_READY;
    }
    dqp_free(w->pol_js);
    w->pol_js = js;
    return DQP_OK;
}

/* The singular polish object as the engine's K_J in least-norm mode, once;
 * later calls only check that the scales are the same. When the engine's
 * rows need no scaling (all jscale 1) and the near-null vector the
 * singularity test found lies in the dual block (dependent active rows, not
 * P singular on null(G): right-hand sides of VJPs seeded on z alone are then
 * in range(K), and the solves settle), the factorization that found K
 * singular is kept (dqp_kkt_least_norm_keep: no second factorization) and
 * solve_polish refactors only when a solve with it does not settle.
 * Not kept either when no pivot of that factorization is within 10 delta
 * (dqp_kkt_info.nsmall = 0; -1, unknown, keeps): a dependent row shows up
 * as a pivot at the regularization's level, and without one the near-null
 * vector is curvature small but spread over many pivots, on which the kept
 * factorization's least-norm clean-up contracts too slowly to settle. On
 * the Maros-Meszaros set that is LISWET1-12 (delta ||S^-1|| = 0.91-0.94, no
 * small pivot among 20,000): the kept attempt failed on all twelve after 8
 * solves, and refactoring first gives the same derivative with 11 solves
 * instead of 19. Every kept factorization that settled had small pivots
 * (YAO 2, POWELL20 10, KSIP 14, ..., CVXQP1_M 887). */
static dqp_status to_least_norm(dqp_ipm *w) {
    if (w->pol_js) {
        for (int64_t k = 0; k < w->jn; k++)
            if (w->pol_js[w->jrow[k]] != w->jscale[k])
                return DQP_ERR_NOT_READY;
        return DQP_OK;
    }
    dqp_kkt_info ki;
    dqp_kkt_get_info(w->pol_kkt, &ki);
    int keep = w->pol_null[0] >= 0.0 && w->pol_null[0] <= KEEP_PRIMAL_SHARE && ki.nsmall != 0;
    for (int64_t k = 0; k < w->jn && keep; k++)
        keep = w->jscale[k] == 1.0;
    if (keep && dqp_kkt_least_norm_keep(w->pol_kkt) == DQP_OK) {
        double *js = dqp_alloc(DQP_MAX(w->mi, 1), sizeof *js);
        if (!js)
            return DQP_ERR_NOMEM;
        for (int64_t i = 0; i < w->mi; i++)
            js[i] = 1.0;
        w->pol_js = js;
        w->pol_kept = 1;
        return DQP_OK;
    }
    return refactor_least_norm(w);
}

dqp_status dqp_ipm_polish_solver(void *self, const int64_t *active, int64_t nact,
                                 const double *rowscale, dqp_qp_kkt_solve_fn *solve, void **user) {
    dqp_ipm *w = self;
    if (!w || (nact > 0 && (!active || !rowscale)) || !solve || !user)
        return DQP_ERR_NULL;
    if (!w->reuse_ok || !w->pol_kkt)
        return DQP_ERR_NOT_READY;
    dqp_status st = dqp_ipm_load_j(w, active, nact, rowscale);
    if (st != DQP_OK)
        return st;
    if (!same_rows(w))
        return DQP_ERR_NOT_READY;
    if (w->pol_singular && (st = to_least_norm(w)) != DQP_OK)
        return st;
    *solve = solve_polish;
    *user = w;
    return DQP_OK;
}

int dqp_ipm_kkt_singular(void *self, const int64_t *active, int64_t nact, double shares[2]) {
    dqp_ipm *w = self;
    if (!w || !w->reuse_ok || !w->pol_singular || (nact > 0 && !active) || !shares ||
        dqp_ipm_load_j(w, active, nact, NULL) != DQP_OK || !same_rows(w))
        return 0;
    shares[0] = w->pol_null[0];
    shares[1] = w->pol_null[1];
    return 1;
}
