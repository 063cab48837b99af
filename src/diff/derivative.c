/* derivative.c - reverse mode (VJP), forward mode (JVP) and full Jacobians
 * on the factored reduced KKT (formulas: method.md sections 4 and 5). */
#include "diff/engine.h"

#include <string.h>

static dqp_status check_ready(dqp_solver *h) {
    if (!h)
        return DQP_ERR_NULL;
    if (!h->prob || !h->ready)
        return dqp_solver_fail(h, DQP_ERR_NOT_READY,
                               "no derivative available: %s",
                               !h->prob ? "no problem solved yet"
                                        : "the last solve did not produce one (see its status)");
    return DQP_OK;
}

/* dL/dM for a matrix with rows r: u_r z_c + v_r w_c at every stored entry
 * (sparse: order of the stored values; dense: row-major n columns). Rows
 * with rowmask[r] == 0 get 0. */
static void outer_grad(const dqp_csc *S, const double *D, int64_t m, int64_t n, const double *u,
                       const double *z, const double *v, const double *w,
                       const unsigned char *rowmask, double *out) {
    if (S) {
        for (int64_t j = 0; j < n; j++)
            for (int64_t k = S->p[j]; k < S->p[j + 1]; k++) {
                int64_t r = S->i[k];
                out[k] = (!rowmask || rowmask[r]) ? u[r] * z[j] + v[r] * w[j] : 0.0;
            }
    } else if (D) {
        for (int64_t r = 0; r < m; r++)
            for (int64_t c = 0; c < n; c++)
                out[r * n + c] = (!rowmask || rowmask[r]) ? u[r] * z[c] + v[r] * w[c] : 0.0;
    }
}

/* dL/dP from dz: symmetric G = 1/2 (dz z' + z dz'); an upper-stored
 * off-diagonal entry stands for two entries and gets 2 G_ij. */
static void grad_P(const dqp_problem *p, const double *dz, const double *z, double *out) {
    int64_t n = p->n;
    if (p->P) {
        int upper = p->P_storage == DQP_P_UPPER;
        for (int64_t j = 0; j < n; j++)
            for (int64_t k = p->P->p[j]; k < p->P->p[j + 1]; k++) {
                int64_t r = p->P->i[k];
                double g = 0.5 * (dz[r] * z[j] + z[r] * dz[j]);
                out[k] = (upper && r != j) ? 2.0 * g : g;
            }
    } else if (p->Pd) {
        for (int64_t r = 0; r < n; r++)
            for (int64_t c = 0; c < n; c++)
                out[r * n + c] = 0.5 * (dz[r] * z[c] + z[r] * dz[c]);
    }
}

static dqp_status vjp_impl(dqp_solver *h, const double *gz, const double *glambda,
                          const double *gmu, dqp_grad *out) {
    dqp_status st = check_ready(h);
    if (st != DQP_OK)
        return st;
    if (!out)
        return dqp_solver_fail(h, DQP_ERR_NULL, "vjp: output struct is NULL");
    double t0 = dqp_now();
    h->info.kkt_solves = 0;
    int64_t n = h->n, meq = h->meq, m = h->mineq, N = n + meq + h->nact;
    double *w = h->work;
    memset(w, 0, (size_t)N * sizeof *w);
    if (gz)
        memcpy(w, gz, (size_t)n * sizeof *w);
    if (glambda)
        memcpy(w + n, glambda, (size_t)meq * sizeof *w);
    if (gmu)
        for (int64_t k = 0; k < h->nact; k++)
            w[n + meq + k] = gmu[h->active[k]];
    if ((st = dqp_engine_kkt_solve(h, w, 1)) != DQP_OK)
        return st;
    for (int64_t k = 0; k < N; k++)
        w[k] = -w[k]; /* (d_z, d_lambda, d_mu_J) */
    const double *dz = w, *dl = w + n;
    double *dmu = w + N; /* d_mu scattered to all rows (0 off J) */
    memset(dmu, 0, (size_t)m * sizeof *dmu);
    for (int64_t k = 0; k < h->nact; k++)
        dmu[h->active[k]] = w[n + meq + k];
    const dqp_problem *p = h->prob;
    if (out->dq)
        memcpy(out->dq, dz, (size_t)n * sizeof *dz);
    if (out->db)
        for (int64_t r = 0; r < meq; r++)
            out->db[r] = -dl[r];
    if (out->dd)
        for (int64_t r = 0; r < m; r++)
            out->dd[r] = -dmu[r];
    if (out->dA)
        outer_grad(p->A, p->Ad, meq, n, dl, h->z, h->lam, dz, NULL, out->dA);
    if (out->dC)
        outer_grad(p->C, p->Cd, m, n, dmu, h->z, h->mu, dz, h->is_active, out->dC);
    if (out->dP)
        grad_P(p, dz, h->z, out->dP);
    h->info.derivative_seconds = dqp_now() - t0;
    return DQP_OK;
}

/* r_z -= dP z (symmetric part of the direction; upper-stored off-diagonal
 * entries move both (i,j) and (j,i)). */
static void apply_dP(const dqp_problem *p, const double *dP, const double *z, double *rz) {
    int64_t n = p->n;
    if (p->P) {
        int upper = p->P_storage == DQP_P_UPPER;
        for (int64_t j = 0; j < n; j++)
            for (int64_t k = p->P->p[j]; k < p->P->p[j + 1]; k++) {
                int64_t r = p->P->i[k];
                if (r == j) {
                    rz[r] -= dP[k] * z[j];
                } else {
                    double f = upper ? 1.0 : 0.5;
                    rz[r] -= f * dP[k] * z[j];
                    rz[j] -= f * dP[k] * z[r];
                }
            }
    } else if (p->Pd) {
        for (int64_t r = 0; r < n; r++)
            for (int64_t c = 0; c < n; c++) {
                rz[r] -= 0.5 * dP[r * n + c] * z[c];
                rz[c] -= 0.5 * dP[r * n + c] * z[r];
            }
    }
}

/* For direction dM of a constraint matrix: rz -= dM' y (rows with mask),
 * rrow[r] -= (dM z)_r. */
static void apply_dM(const dqp_csc *S, const double *D, int64_t m, int64_t n, const double *dM,
                     const double *y, const double *z, const unsigned char *mask, double *rz,
                     double *rrow) {
    if (S) {
        for (int64_t j = 0; j < n; j++)
            for (int64_t k = S->p[j]; k < S->p[j + 1]; k++) {
                int64_t r = S->i[k];
                if (mask && !mask[r])
                    continue;
                rz[j] -= dM[k] * y[r];
                rrow[r] -= dM[k] * z[j];
            }
    } else if (D) {
        for (int64_t r = 0; r < m; r++) {
            if (mask && !mask[r])
                continue;
            for (int64_t c = 0; c < n; c++) {
                rz[c] -= dM[r * n + c] * y[r];
                rrow[r] -= dM[r * n + c] * z[c];
            }
        }
    }
}

static dqp_status jvp_impl(dqp_solver *h, const dqp_dir *dir, double *dz, double *dlambda,
                          double *dmu) {
    dqp_status st = check_ready(h);
    if (st != DQP_OK)
        return st;
    if (!dir)
        return dqp_solver_fail(h, DQP_ERR_NULL, "jvp: direction struct is NULL");
    double t0 = dqp_now();
    h->info.kkt_solves = 0;
    const dqp_problem *p = h->prob;
    int64_t n = h->n, meq = h->meq, m = h->mineq, N = n + meq + h->nact;
    double *r = h->work, *rC = h->work + N; /* rC: (dd - dC z) for all rows */
    memset(r, 0, (size_t)N * sizeof *r);
    memset(rC, 0, (size_t)m * sizeof *rC);
    if (dir->dq)
        for (int64_t j = 0; j < n; j++)
            r[j] = -dir->dq[j];
    if (dir->db)
        memcpy(r + n, dir->db, (size_t)meq * sizeof *r);
    if (dir->dd)
        memcpy(rC, dir->dd, (size_t)m * sizeof *rC);
    if (dir->dP)
        apply_dP(p, dir->dP, h->z, r);
    if (dir->dA)
        apply_dM(p->A, p->Ad, meq, n, dir->dA, h->lam, h->z, NULL, r, r + n);
    if (dir->dC)
        apply_dM(p->C, p->Cd, m, n, dir->dC, h->mu, h->z, h->is_active, r, rC);
    for (int64_t k = 0; k < h->nact; k++)
        r[n + meq + k] = rC[h->active[k]];
    if ((st = dqp_engine_kkt_solve(h, r, 1)) != DQP_OK)
        return st;
    if (dz)
        memcpy(dz, r, (size_t)n * sizeof *dz);
    if (dlambda)
        memcpy(dlambda, r + n, (size_t)meq * sizeof *dlambda);
    if (dmu) {
        memset(dmu, 0, (size_t)m * sizeof *dmu);
        for (int64_t k = 0; k < h->nact; k++)
            dmu[h->active[k]] = r[n + meq + k];
    }
    h->info.derivative_seconds = dqp_now() - t0;
    return DQP_OK;
}

/* Number of data entries of `wrt`, or -1 for an invalid name. */
static int64_t data_len(const dqp_solver *h, char wrt) {
    const dqp_problem *p = h->prob;
    int64_t n = h->n;
    switch (wrt) {
    case 'q': return n;
    case 'b': return h->meq;
    case 'd': return h->mineq;
    case 'P': return p->P ? dqp_csc_nnz(p->P) : p->Pd ? n * n : 0;
    case 'A': return p->A ? dqp_csc_nnz(p->A) : p->Ad ? h->meq * n : 0;
    case 'C': return p->C ? dqp_csc_nnz(p->C) : p->Cd ? h->mineq * n : 0;
    default: return -1;
    }
}

/* Row and column of data entry k of a matrix (sparse: stored order,
 * dense: row-major). col_of maps stored entries to columns (sparse only). */
static void entry_rc(const dqp_csc *S, const int64_t *col_of, int64_t n, int64_t k, int64_t *r,
                     int64_t *c) {
    if (S) {
        *r = S->i[k];
        *c = col_of[k];
    } else {
        *r = k / n;
        *c = k % n;
    }
}

/* Right-hand side of the JVP along the unit direction of data entry k,
 * written into rhs (N, zeroed by the caller). Same algebra as jvp(). */
static void unit_rhs(const dqp_solver *h, char wrt, int64_t k, const int64_t *col_of,
                     const int64_t *posJ, double *rhs) {
    const dqp_problem *p = h->prob;
    int64_t n = h->n, meq = h->meq, off = n + meq, r, c;
    switch (wrt) {
    case 'q': rhs[k] = -1.0; return;
    case 'b': rhs[n + k] = 1.0; return;
    case 'd':
        if (posJ[k] >= 0)
            rhs[off + posJ[k]] = 1.0;
        return;
    case 'P': {
        entry_rc(p->P, col_of, n, k, &r, &c);
        double f = (r == c) ? 1.0 : (p->P && p->P_storage == DQP_P_UPPER) ? 1.0 : 0.5;
        rhs[r] -= f * h->z[c];
        if (r != c)
            rhs[c] -= f * h->z[r];
        return;
    }
    case 'A':
        entry_rc(p->A, col_of, n, k, &r, &c);
        rhs[c] -= h->lam[r];
        rhs[n + r] -= h->z[c];
        return;
    default:
        entry_rc(p->C, col_of, n, k, &r, &c);
        if (posJ[r] < 0)
            return;
        rhs[c] -= h->mu[r];
        rhs[off + posJ[r]] -= h->z[c];
        return;
    }
}

/* Full Jacobian by blocks of multi-right-hand-side solves on the one
 * factorization: column k solves K y = rhs_k (O(1) work to form each). */
static dqp_status jacobian_impl(dqp_solver *h, char wrt, double *J) {
    dqp_status st = check_ready(h);
    if (st != DQP_OK)
        return st;
    int64_t nw = data_len(h, wrt);
    if (nw < 0)
        return dqp_solver_fail(h, DQP_ERR_VALUE,
                               "jacobian: wrt '%c' is not one of P, q, A, b, C, d", wrt);
    if (!J)
        return dqp_solver_fail(h, DQP_ERR_NULL, "jacobian: output is NULL");
    double t0 = dqp_now();
    h->info.kkt_solves = 0;
    const dqp_problem *p = h->prob;
    int64_t n = h->n, meq = h->meq, m = h->mineq, ny = n + meq + m, N = n + meq + h->nact;
    const dqp_csc *S = wrt == 'P' ? p->P : wrt == 'A' ? p->A : wrt == 'C' ? p->C : NULL;
    enum { BLOCK = 64 };
    int64_t *col_of = dqp_alloc(S ? dqp_csc_nnz(S) : 0, sizeof *col_of);
    int64_t *posJ = dqp_alloc(m, sizeof *posJ);
    double *rhs = dqp_alloc(N * BLOCK, sizeof *rhs);
    if (!col_of || !posJ || !rhs) {
        st = dqp_solver_fail(h, DQP_ERR_NOMEM, "jacobian: out of memory");
        goto done;
    }
    for (int64_t j = 0; S && j < S->n; j++)
        for (int64_t k = S->p[j]; k < S->p[j + 1]; k++)
            col_of[k] = j;
    for (int64_t i = 0; i < m; i++)
        posJ[i] = -1;
    for (int64_t k = 0; k < h->nact; k++)
        posJ[h->active[k]] = k;
    for (int64_t k0 = 0; k0 < nw && st == DQP_OK; k0 += BLOCK) {
        int64_t nb = DQP_MIN(BLOCK, nw - k0);
        memset(rhs, 0, (size_t)(N * nb) * sizeof *rhs);
        for (int64_t b = 0; b < nb; b++)
            unit_rhs(h, wrt, k0 + b, col_of, posJ, rhs + b * N);
        if ((st = dqp_engine_kkt_solve(h, rhs, nb)) != DQP_OK)
            break;
        for (int64_t b = 0; b < nb; b++) {
            double *col = J + (k0 + b) * ny, *y = rhs + b * N;
            memcpy(col, y, (size_t)(n + meq) * sizeof *col);
            for (int64_t i = 0; i < m; i++)
                col[n + meq + i] = posJ[i] >= 0 ? y[n + meq + posJ[i]] : 0.0;
        }
    }
done:
    dqp_free(col_of);
    dqp_free(posJ);
    dqp_free(rhs);
    h->info.derivative_seconds = dqp_now() - t0;
    return st;
}

dqp_status dqp_solver_vjp(dqp_solver *h, const double *gz, const double *glambda,
                          const double *gmu, dqp_grad *out) {
    if (!h)
        return DQP_ERR_NULL;
    const dqp_allocator *prev = dqp_alloc_scope_enter(h->s.allocator);
    dqp_status st = vjp_impl(h, gz, glambda, gmu, out);
    dqp_alloc_scope_leave(prev);
    return st;
}

dqp_status dqp_solver_jvp(dqp_solver *h, const dqp_dir *dir, double *dz, double *dlambda,
                          double *dmu) {
    if (!h)
        return DQP_ERR_NULL;
    const dqp_allocator *prev = dqp_alloc_scope_enter(h->s.allocator);
    dqp_status st = jvp_impl(h, dir, dz, dlambda, dmu);
    dqp_alloc_scope_leave(prev);
    return st;
}

dqp_status dqp_solver_jacobian(dqp_solver *h, char wrt, double *J) {
    if (!h)
        return DQP_ERR_NULL;
    const dqp_allocator *prev = dqp_alloc_scope_enter(h->s.allocator);
    dqp_status st = jacobian_impl(h, wrt, J);
    dqp_alloc_scope_leave(prev);
    return st;
}
