/* ipm_data.c - the interior-point solver's view of a problem: structure, values, outputs.
 *
 * Rows of C with exactly one nonzero entry are bounds on one variable and are
 * eliminated from the Newton system (they only add to its diagonal); the other
 * rows of C stay as general inequality rows G. Duplicate bounds on one
 * variable are kept as separate rows (each has its own slack and dual).
 * Dense inputs are stored sparse with the pattern of their nonzeros at setup;
 * an update that puts a nonzero outside that pattern is refused (the engine
 * then sets the solver up anew).
 */
#include "solvers/ipm_internal.h"

#include <math.h>
#include <string.h>

/* Value array of a matrix of the problem and its kind: sparse x or dense. */
typedef struct src_mat {
    const dqp_csc *S;
    const double *D; /* row-major, ld = n */
    int64_t rows, cols;
} src_mat;

static src_mat source(const dqp_problem *prob, char which) {
    src_mat s = {NULL, NULL, 0, prob->n};
    if (which == 'P') {
        s.S = prob->P;
        s.D = prob->Pd;
        s.rows = prob->n;
    } else if (which == 'A') {
        s.S = prob->A;
        s.D = prob->Ad;
        s.rows = prob->m_eq;
    } else {
        s.S = prob->C;
        s.D = prob->Cd;
        s.rows = prob->m_ineq;
    }
    return s;
}

static const double *src_values(const src_mat *s) { return s->S ? s->S->x : s->D; }

/* Entries of column j of a source: calls visit(row, src index) for each stored
 * (sparse) or nonzero (dense) entry in increasing row order. Implemented as
 * an iterator over a cursor to avoid callbacks. */
typedef struct col_iter {
    const src_mat *s;
    int64_t j, pos, end;
} col_iter;

static void col_begin(col_iter *it, const src_mat *s, int64_t j) {
    it->s = s;
    it->j = j;
    if (s->S) {
        it->pos = s->S->p[j];
        it->end = s->S->p[j + 1];
    } else {
        it->pos = 0;
        it->end = s->D ? s->rows : 0;
    }
}

/* Next entry: 1 and (*row, *src) or 0 at the end. */
static int col_next(col_iter *it, int64_t *row, int64_t *src) {
    const src_mat *s = it->s;
    if (s->S) {
        if (it->pos >= it->end)
            return 0;
        *row = s->S->i[it->pos];
        *src = it->pos++;
        return 1;
    }
    while (it->pos < it->end) {
        int64_t i = it->pos++;
        if (s->D[i * s->cols + it->j] != 0.0) {
            *row = i;
            *src = i * s->cols + it->j;
            return 1;
        }
    }
    return 0;
}

/* Number of nonzeros (dense) in the region of a source (upper triangle only
 * when upper), used to refuse updates outside the setup pattern. */
static int64_t dense_nonzeros(const src_mat *s, int upper) {
    int64_t cnt = 0;
    if (!s->D)
        return 0;
    for (int64_t i = 0; i < s->rows; i++)
        for (int64_t j = upper ? i : 0; j < s->cols; j++)
            cnt += s->D[i * s->cols + j] != 0.0;
    return cnt;
}

/* ------------------------------------------------------------ structure */

static dqp_status nomem(dqp_message *msg) {
    return dqp_fail(msg, DQP_ERR_NOMEM, "ipm: out of memory");
}

/* Pu: upper triangle of P plus the full diagonal. */
static dqp_status build_P(dqp_ipm *w, const dqp_problem *prob, dqp_message *msg) {
    int64_t n = w->n, nnz = 0;
    src_mat s = source(prob, 'P');
    int have = s.S || s.D;
    for (int64_t j = 0; j < n; j++) {
        int diag = 0;
        if (have) {
            col_iter it;
            int64_t i, k;
            col_begin(&it, &s, j);
            while (col_next(&it, &i, &k))
                if (i <= j) {
                    nnz++;
                    diag |= i == j;
                }
        }
        nnz += !diag;
    }
    w->Pu = dqp_csc_create(n, n, nnz);
    w->Pu_src = dqp_alloc(nnz, sizeof(int64_t));
    w->Pu_diag = dqp_alloc(n, sizeof(int64_t));
    if (!w->Pu || !w->Pu_src || !w->Pu_diag)
        return nomem(msg);
    int64_t pos = 0;
    for (int64_t j = 0; j < n; j++) {
        w->Pu->p[j] = pos;
        int64_t i, k;
        if (have) {
            col_iter it;
            col_begin(&it, &s, j);
            while (col_next(&it, &i, &k))
                if (i <= j) {
                    w->Pu->i[pos] = i;
                    w->Pu_src[pos++] = k;
                }
        }
        if (pos == w->Pu->p[j] || w->Pu->i[pos - 1] != j) {
            w->Pu->i[pos] = j;
            w->Pu_src[pos++] = -1;
        }
        w->Pu_diag[j] = pos - 1;
    }
    w->Pu->p[n] = pos;
    return DQP_OK;
}

/* Classify the rows of C: bound (one nonzero entry) or general. */
static dqp_status classify_C(dqp_ipm *w, const dqp_problem *prob, dqp_message *msg) {
    int64_t mi = w->mi, n = w->n;
    src_mat s = source(prob, 'C');
    const double *vals = src_values(&s);
    int64_t *cnt = dqp_calloc(mi, sizeof(int64_t));
    int64_t *last = dqp_alloc(mi, sizeof(int64_t));
    int64_t *lastcol = dqp_alloc(mi, sizeof(int64_t));
    w->c_kind = dqp_alloc(mi, sizeof(int64_t));
    if (!cnt || !last || !lastcol || !w->c_kind) {
        dqp_free(cnt);
        dqp_free(last);
        dqp_free(lastcol);
        return nomem(msg);
    }
    for (int64_t j = 0; j < n && (s.S || s.D); j++) {
        col_iter it;
        int64_t i, k;
        col_begin(&it, &s, j);
        while (col_next(&it, &i, &k)) {
            cnt[i]++;
            last[i] = k;
            lastcol[i] = j;
        }
    }
    w->m = w->nb = 0;
    for (int64_t i = 0; i < mi; i++) {
        if (cnt[i] == 1 && vals[last[i]] != 0.0)
            w->c_kind[i] = -1 - w->nb++;
        else
            w->c_kind[i] = w->m++;
    }
    w->g_row = dqp_alloc(w->m, sizeof(int64_t));
    w->b_row = dqp_alloc(w->nb, sizeof(int64_t));
    w->b_var = dqp_alloc(w->nb, sizeof(int64_t));
    w->b_src = dqp_alloc(w->nb, sizeof(int64_t));
    w->b_coef = dqp_alloc(w->nb, sizeof(double));
    w->b_rhs = dqp_alloc(w->nb, sizeof(double));
    if (w->g_row && w->b_row && w->b_var && w->b_src && w->b_coef && w->b_rhs) {
        for (int64_t i = 0; i < mi; i++) {
            int64_t c = w->c_kind[i];
            if (c >= 0) {
                w->g_row[c] = i;
            } else {
                int64_t k = -1 - c;
                w->b_row[k] = i;
                w->b_var[k] = lastcol[i];
                w->b_src[k] = last[i];
            }
        }
    }
    dqp_free(cnt);
    dqp_free(last);
    dqp_free(lastcol);
    if (!w->g_row || !w->b_row || !w->b_var || !w->b_src || !w->b_coef || !w->b_rhs)
        return nomem(msg);
    return DQP_OK;
}

/* R = [A; G]: column j holds A's entries of column j, then the G entries. */
static dqp_status build_R(dqp_ipm *w, const dqp_problem *prob, dqp_message *msg) {
    int64_t n = w->n, p = w->p, nnz = 0;
    src_mat sa = source(prob, 'A'), sc = source(prob, 'C');
    for (int pass = 0; pass < 2; pass++) {
        int64_t pos = 0;
        for (int64_t j = 0; j < n; j++) {
            if (pass)
                w->R->p[j] = pos;
            col_iter it;
            int64_t i, k;
            if (sa.S || sa.D) {
                col_begin(&it, &sa, j);
                while (col_next(&it, &i, &k)) {
                    if (pass) {
                        w->R->i[pos] = i;
                        w->R_src[pos] = k;
                    }
                    pos++;
                }
            }
            if (sc.S || sc.D) {
                col_begin(&it, &sc, j);
                while (col_next(&it, &i, &k)) {
                    int64_t g = w->c_kind[i];
                    if (g < 0)
                        continue;
                    if (pass) {
                        w->R->i[pos] = p + g;
                        w->R_src[pos] = -1 - k;
                    }
                    pos++;
                }
            }
        }
        if (!pass) {
            nnz = pos;
            w->R = dqp_csc_create(w->mr, n, nnz);
            w->R_src = dqp_alloc(nnz, sizeof(int64_t));
            w->Rsx = dqp_alloc(nnz, sizeof(double));
            if (!w->R || !w->R_src || !w->Rsx)
                return nomem(msg);
        } else {
            w->R->p[n] = pos;
        }
    }
    return DQP_OK;
}

/* FNV-1a over 64-bit words. */
static uint64_t mix(uint64_t h, uint64_t v) {
    for (int b = 0; b < 8; b++) {
        h ^= (v >> (8 * b)) & 0xffu;
        h *= 0x100000001b3ULL;
    }
    return h;
}

static uint64_t mix_csc(uint64_t h, const dqp_csc *S) {
    if (!S)
        return mix(h, 0x5a5a5a5aULL);
    h = mix(mix(h, (uint64_t)S->m), (uint64_t)S->n);
    for (int64_t j = 0; j <= S->n; j++)
        h = mix(h, (uint64_t)S->p[j]);
    for (int64_t k = 0; k < dqp_csc_nnz(S); k++)
        h = mix(h, (uint64_t)S->i[k]);
    return h;
}

/* Pattern signature: an update must keep it (values only). Dense matrices
 * count by kind only; their nonzero pattern is checked in dqp_ipm_load. */
uint64_t dqp_ipm_signature(const dqp_problem *prob) {
    uint64_t h = 0xcbf29ce484222325ULL;
    h = mix(h, (uint64_t)(prob->Pd != NULL) | (uint64_t)(prob->Ad != NULL) << 1 |
                   (uint64_t)(prob->Cd != NULL) << 2 | (uint64_t)prob->P_storage << 3);
    h = mix_csc(h, prob->P);
    h = mix_csc(h, prob->A);
    return mix_csc(h, prob->C);
}

dqp_status dqp_ipm_build(dqp_ipm *w, const dqp_problem *prob, dqp_message *msg) {
    w->prob = prob;
    w->signature = dqp_ipm_signature(prob);
    w->n = prob->n;
    w->me = prob->m_eq;
    w->mi = prob->m_ineq;
    w->p = w->me;
    w->dense_input = prob->Pd || prob->Ad || prob->Cd;
    dqp_status st = build_P(w, prob, msg);
    if (st == DQP_OK)
        st = classify_C(w, prob, msg);
    if (st != DQP_OK)
        return st;
    w->mr = w->p + w->m;
    return build_R(w, prob, msg);
}

/* ------------------------------------------------------------ values */

dqp_status dqp_ipm_load(dqp_ipm *w, const dqp_problem *prob, dqp_message *msg) {
    src_mat sp = source(prob, 'P'), sa = source(prob, 'A'), sc = source(prob, 'C');
    const double *pv = src_values(&sp), *av = src_values(&sa), *cv = src_values(&sc);
    /* refuse values outside the setup pattern (dense inputs) */
    if (w->dense_input) {
        int64_t inP = 0, inA = 0, inC = 0;
        for (int64_t k = 0; k < dqp_csc_nnz(w->Pu); k++)
            inP += w->Pu_src[k] >= 0;
        for (int64_t k = 0; k < dqp_csc_nnz(w->R); k++) {
            if (w->R_src[k] >= 0)
                inA++;
            else
                inC++;
        }
        inC += w->nb;
        if ((sp.D && dense_nonzeros(&sp, 1) > inP) || (sa.D && dense_nonzeros(&sa, 0) > inA) ||
            (sc.D && dense_nonzeros(&sc, 0) > inC))
            return dqp_fail(msg, DQP_ERR_VALUE,
                            "ipm: new nonzeros outside the sparsity pattern of the setup");
    }
    for (int64_t k = 0; k < dqp_csc_nnz(w->Pu); k++)
        w->Pu->x[k] = w->Pu_src[k] >= 0 ? pv[w->Pu_src[k]] : 0.0;
    for (int64_t k = 0; k < dqp_csc_nnz(w->R); k++) {
        int64_t s = w->R_src[k];
        w->R->x[k] = s >= 0 ? av[s] : cv[-1 - s];
    }
    for (int64_t k = 0; k < w->nb; k++) {
        double c = cv[w->b_src[k]];
        if (c == 0.0)
            return dqp_fail(msg, DQP_ERR_VALUE,
                            "ipm: row %lld of C (a bound) has a zero coefficient after update",
                            (long long)w->b_row[k]);
        w->b_coef[k] = c;
        w->b_rhs[k] = prob->d[w->b_row[k]];
    }
    for (int64_t j = 0; j < w->n; j++)
        w->q0[j] = prob->q[j];
    for (int64_t i = 0; i < w->p; i++)
        w->rhs0[i] = prob->b[i];
    for (int64_t r = 0; r < w->m; r++)
        w->rhs0[w->p + r] = prob->d[w->g_row[r]];
    w->prob = prob;
    return DQP_OK;
}

/* ------------------------------------------------------------ outputs */

void dqp_ipm_unscale_point(dqp_ipm *w, const double *x, const double *yz, const double *wv,
                           double *z, double *lam, double *mu) {
    double ics = 1.0 / w->cs;
    for (int64_t j = 0; j < w->n; j++)
        z[j] = w->Dx[j] * x[j];
    for (int64_t i = 0; i < w->p; i++)
        lam[i] = w->Er[i] * yz[i] * ics;
    for (int64_t r = 0; r < w->m; r++)
        mu[w->g_row[r]] = w->Er[w->p + r] * yz[w->p + r] * ics;
    for (int64_t k = 0; k < w->nb; k++)
        mu[w->b_row[k]] = wv[k] * ics / (fabs(w->b_coef[k]) * w->Dx[w->b_var[k]]);
}

/* Warm-start point (any may be NULL) into x, yz, w (scaled). */
void dqp_ipm_scale_point(dqp_ipm *w, const double *z, const double *lam, const double *mu) {
    if (z)
        for (int64_t j = 0; j < w->n; j++)
            w->x[j] = z[j] / w->Dx[j];
    if (lam)
        for (int64_t i = 0; i < w->p; i++)
            w->yz[i] = lam[i] * w->cs / w->Er[i];
    if (mu) {
        for (int64_t r = 0; r < w->m; r++)
            w->yz[w->p + r] = mu[w->g_row[r]] * w->cs / w->Er[w->p + r];
        for (int64_t k = 0; k < w->nb; k++)
            w->w[k] = mu[w->b_row[k]] * w->cs * fabs(w->b_coef[k]) * w->Dx[w->b_var[k]];
    }
}
