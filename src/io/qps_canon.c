/* qps_canon.c - conversion of a parsed QPS file to the canonical form A z = b, C z <= d. */
#include "io/qps_internal.h"

#include <math.h>
#include <string.h>

/* Relative tolerance for QMATRIX symmetry (as for a full P in dqp/problem.h). */
#define QMATRIX_SYM_TOL 1e-12

#define NAME_ARG(s) DQP_QPS_QUOTE, (s)

/* ---------------------------------------------------------------- sorting */

/* One stable counting-sort pass of t by i (by_j = 0) or j (by_j = 1). */
static int sort_pass(dqp_qps_trip *t, dqp_qps_trip *tmp, int64_t nt, int64_t nkey, int by_j) {
    int64_t *start = dqp_calloc(nkey + 1, sizeof *start);
    if (!start)
        return 0;
    for (int64_t k = 0; k < nt; k++)
        start[(by_j ? t[k].j : t[k].i) + 1]++;
    for (int64_t key = 0; key < nkey; key++)
        start[key + 1] += start[key];
    for (int64_t k = 0; k < nt; k++)
        tmp[start[by_j ? t[k].j : t[k].i]++] = t[k];
    if (nt > 0)
        memcpy(t, tmp, (size_t)nt * sizeof *t);
    dqp_free(start);
    return 1;
}

/* Sort entries by column j, then row i; equal (i, j) stay in file order, so
 * the later of two duplicates comes second. O(nt + ni + nj). */
static int sort_trips(dqp_qps_trip *t, int64_t nt, int64_t ni, int64_t nj) {
    dqp_qps_trip *tmp = dqp_alloc(nt, sizeof *tmp);
    if (!tmp)
        return 0;
    int ok = sort_pass(t, tmp, nt, ni, 0) && sort_pass(t, tmp, nt, nj, 1);
    dqp_free(tmp);
    return ok;
}

static const char *col_name(const dqp_qps_raw *raw, int64_t j) {
    return dqp_qps_names_get(&raw->cols, j);
}

static const char *con_name(const dqp_qps_raw *raw, int64_t r) {
    return dqp_qps_names_get(&raw->rows, raw->con[r].name);
}

static dqp_status nomem(const dqp_qps_raw *raw, dqp_message *msg) {
    return dqp_qps_error(msg, DQP_ERR_NOMEM, raw->label, raw->last_line, "out of memory");
}

/* Duplicates in COLUMNS are an error: summing them silently would hide a
 * broken file. The trips are sorted, so duplicates are adjacent. */
static dqp_status check_a_duplicates(const dqp_qps_raw *raw, dqp_message *msg) {
    for (int64_t k = 1; k < raw->na; k++) {
        const dqp_qps_trip *s = &raw->a[k - 1], *t = &raw->a[k];
        if (s->i == t->i && s->j == t->j)
            return dqp_qps_error(msg, DQP_ERR_PARSE, raw->label, t->line,
                                 "duplicate entry for column '%.*s' in row '%.*s' (first on line "
                                 "%lld)",
                                 NAME_ARG(col_name(raw, t->j)), NAME_ARG(con_name(raw, t->i)),
                                 (long long)s->line);
    }
    return DQP_OK;
}

/* ---------------------------------------------------------------- quadratic part */

/* QUADOBJ / QSECTION: one triangle, each pair once. Entries are moved to the
 * upper triangle (i <= j); a pair given twice (in either orientation) is an
 * error because its meaning (sum? overwrite? both triangles?) is ambiguous. */
static dqp_status triangle_q(dqp_qps_raw *raw, dqp_message *msg, int64_t *nkeep) {
    for (int64_t k = 0; k < raw->nq; k++) {
        dqp_qps_trip *t = &raw->q[k];
        if (t->i > t->j) {
            int64_t s = t->i;
            t->i = t->j;
            t->j = s;
        }
    }
    int64_t n = raw->cols.count;
    if (!sort_trips(raw->q, raw->nq, n, n))
        return nomem(raw, msg);
    for (int64_t k = 1; k < raw->nq; k++) {
        const dqp_qps_trip *s = &raw->q[k - 1], *t = &raw->q[k];
        if (s->i == t->i && s->j == t->j)
            return dqp_qps_error(msg, DQP_ERR_PARSE, raw->label, t->line,
                                 "quadratic entry ('%.*s', '%.*s') given twice (first on line "
                                 "%lld); list each pair once, in one triangle",
                                 NAME_ARG(col_name(raw, t->i)), NAME_ARG(col_name(raw, t->j)),
                                 (long long)s->line);
    }
    *nkeep = raw->nq;
    return DQP_OK;
}

/* Position of entry (i, j) in the sorted full list (column pointers qp), or -1. */
static int64_t find_entry(const dqp_qps_trip *t, const int64_t *qp, int64_t i, int64_t j) {
    int64_t lo = qp[j], hi = qp[j + 1] - 1;
    while (lo <= hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (t[mid].i == i)
            return mid;
        if (t[mid].i < i)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return -1;
}

static dqp_status check_symmetric(const dqp_qps_raw *raw, const int64_t *qp, double tol,
                                  dqp_message *msg) {
    for (int64_t k = 0; k < raw->nq; k++) {
        const dqp_qps_trip *t = &raw->q[k];
        if (t->i == t->j)
            continue;
        int64_t m = find_entry(raw->q, qp, t->j, t->i);
        if (m < 0)
            return dqp_qps_error(msg, DQP_ERR_PARSE, raw->label, t->line,
                                 "QMATRIX entry ('%.*s', '%.*s') has no symmetric entry; QMATRIX "
                                 "lists both triangles",
                                 NAME_ARG(col_name(raw, t->i)), NAME_ARG(col_name(raw, t->j)));
        if (fabs(raw->q[m].v - t->v) > tol)
            return dqp_qps_error(msg, DQP_ERR_PARSE, raw->label, t->line,
                                 "QMATRIX is not symmetric: ('%.*s', '%.*s') = %.17g but the "
                                 "symmetric entry (line %lld) is %.17g",
                                 NAME_ARG(col_name(raw, t->i)), NAME_ARG(col_name(raw, t->j)), t->v,
                                 (long long)raw->q[m].line, raw->q[m].v);
    }
    return DQP_OK;
}

/* QMATRIX: both triangles. Checks that no entry repeats and that the matrix
 * is symmetric, then keeps the upper triangle (averaging each pair). */
static dqp_status full_q(dqp_qps_raw *raw, dqp_message *msg, int64_t *nkeep) {
    int64_t n = raw->cols.count;
    if (!sort_trips(raw->q, raw->nq, n, n))
        return nomem(raw, msg);
    for (int64_t k = 1; k < raw->nq; k++) {
        const dqp_qps_trip *s = &raw->q[k - 1], *t = &raw->q[k];
        if (s->i == t->i && s->j == t->j)
            return dqp_qps_error(msg, DQP_ERR_PARSE, raw->label, t->line,
                                 "QMATRIX entry ('%.*s', '%.*s') given twice (first on line %lld)",
                                 NAME_ARG(col_name(raw, t->i)), NAME_ARG(col_name(raw, t->j)),
                                 (long long)s->line);
    }
    int64_t *qp = dqp_calloc(n + 1, sizeof *qp);
    if (!qp)
        return nomem(raw, msg);
    double qmax = 0.0;
    for (int64_t k = 0; k < raw->nq; k++) {
        qp[raw->q[k].j + 1]++;
        qmax = fmax(qmax, fabs(raw->q[k].v));
    }
    for (int64_t j = 0; j < n; j++)
        qp[j + 1] += qp[j];
    dqp_status st = check_symmetric(raw, qp, QMATRIX_SYM_TOL * qmax, msg);
    int64_t keep = 0;
    for (int64_t k = 0; st == DQP_OK && k < raw->nq; k++) {
        dqp_qps_trip t = raw->q[k];
        if (t.i > t.j)
            continue;
        if (t.i < t.j)
            t.v = 0.5 * (t.v + raw->q[find_entry(raw->q, qp, t.j, t.i)].v);
        raw->q[keep++] = t; /* keep <= k: the list is compacted in place, still sorted */
    }
    dqp_free(qp);
    *nkeep = keep;
    return st;
}

/* Upper-triangular CSC of sense * Q from the sorted, compacted entries. */
static dqp_csc *build_p(const dqp_qps_raw *raw, int64_t nq) {
    int64_t n = raw->cols.count;
    dqp_csc *P = dqp_csc_create(n, n, nq);
    if (!P)
        return NULL;
    for (int64_t k = 0; k < nq; k++) {
        P->p[raw->q[k].j + 1]++;
        P->i[k] = raw->q[k].i;
        P->x[k] = raw->sense * raw->q[k].v;
    }
    for (int64_t j = 0; j < n; j++)
        P->p[j + 1] += P->p[j];
    return P;
}

/* ---------------------------------------------------------------- rows */

/* The interval of a constraint row: an equality, or up to two sides. */
typedef struct sides {
    int eq;
    double value; /* equality value */
    int has_lo, has_hi;
    double lo, hi;
    int lo_range, hi_range; /* side coming from RANGES */
} sides;

/* Standard MPS RANGES semantics, R the range, b the RHS:
 *   E: R > 0 -> [b, b+R], R < 0 -> [b+R, b];  L: [b-|R|, b];  G: [b, b+|R|].
 * R = 0 gives [b, b], kept as an equality. */
static sides row_sides(const dqp_qps_con *c) {
    sides s = {0, c->rhs, 0, 0, c->rhs, c->rhs, 0, 0};
    double b = c->rhs, r = c->range;
    if (!c->has_range || r == 0.0) {
        s.eq = c->type == 'E' || c->has_range;
        s.has_hi = c->type == 'L' && !c->has_range;
        s.has_lo = c->type == 'G' && !c->has_range;
        return s;
    }
    s.has_lo = s.has_hi = 1;
    if (c->type == 'E' && r > 0) {
        s.hi = b + r;
        s.hi_range = 1;
    } else if (c->type == 'E') {
        s.lo = b + r;
        s.lo_range = 1;
    } else if (c->type == 'L') {
        s.lo = b - fabs(r);
        s.lo_range = 1;
    } else {
        s.hi = b + fabs(r);
        s.hi_range = 1;
    }
    return s;
}

static int col_fixed(const dqp_qps_col *c) { return c->lb == c->ub && isfinite(c->lb); }

/* Canonical row indices of every file row side and bound (-1: none). */
typedef struct plan {
    int64_t *eq_of, *up_of, *lo_of;  /* per constraint row */
    int64_t *fix_of, *ub_of, *lb_of; /* per column */
    int64_t m_eq, m_ineq;
} plan;

/* Row order (documented in dqp/qps.h):
 *   A: equality rows in file order, then fixed columns in column order;
 *   C: file rows in order (upper side, then lower side of a ranged row),
 *      then bounds by column (upper, then lower). */
static int make_plan(const dqp_qps_raw *raw, plan *pl) {
    int64_t nc = raw->ncon, n = raw->cols.count, total;
    if (!dqp_add_size(nc, n, &total) || !dqp_mul_size(total, 3, &total))
        return 0;
    int64_t *all = dqp_alloc(total, sizeof *all);
    if (!all)
        return 0;
    pl->eq_of = all;
    pl->up_of = all + nc;
    pl->lo_of = all + 2 * nc;
    pl->fix_of = all + 3 * nc;
    pl->ub_of = all + 3 * nc + n;
    pl->lb_of = all + 3 * nc + 2 * n;
    int64_t me = 0, mi = 0;
    for (int64_t r = 0; r < nc; r++) {
        sides s = row_sides(&raw->con[r]);
        pl->eq_of[r] = s.eq ? me++ : -1;
        pl->up_of[r] = !s.eq && s.has_hi ? mi++ : -1;
        pl->lo_of[r] = !s.eq && s.has_lo ? mi++ : -1;
    }
    for (int64_t j = 0; j < n; j++) {
        const dqp_qps_col *c = &raw->col[j];
        int fixed = col_fixed(c);
        pl->fix_of[j] = fixed ? me++ : -1;
        pl->ub_of[j] = !fixed && isfinite(c->ub) ? mi++ : -1;
        pl->lb_of[j] = !fixed && isfinite(c->lb) ? mi++ : -1;
    }
    pl->m_eq = me;
    pl->m_ineq = mi;
    return 1;
}

static void set_origin(dqp_row_origin *o, dqp_row_kind kind, int64_t index, int sign, int range) {
    o->kind = kind;
    o->index = index;
    o->sign = sign;
    o->range = range;
}

/* Right-hand sides and origins of every canonical row. */
static void fill_rows(const dqp_qps_raw *raw, const plan *pl, double *b, double *d,
                      dqp_row_origin *eq, dqp_row_origin *in) {
    for (int64_t r = 0; r < raw->ncon; r++) {
        sides s = row_sides(&raw->con[r]);
        int64_t k;
        if ((k = pl->eq_of[r]) >= 0) {
            b[k] = s.value;
            set_origin(&eq[k], DQP_ORIGIN_ROW, r, 1, 0);
        }
        if ((k = pl->up_of[r]) >= 0) {
            d[k] = s.hi;
            set_origin(&in[k], DQP_ORIGIN_ROW, r, 1, s.hi_range);
        }
        if ((k = pl->lo_of[r]) >= 0) {
            d[k] = -s.lo;
            set_origin(&in[k], DQP_ORIGIN_ROW, r, -1, s.lo_range);
        }
    }
    for (int64_t j = 0; j < raw->cols.count; j++) {
        const dqp_qps_col *c = &raw->col[j];
        int64_t k;
        if ((k = pl->fix_of[j]) >= 0) {
            b[k] = c->lb;
            set_origin(&eq[k], DQP_ORIGIN_FIXED, j, 1, 0);
        }
        if ((k = pl->ub_of[j]) >= 0) {
            d[k] = c->ub;
            set_origin(&in[k], DQP_ORIGIN_UPPER, j, 1, 0);
        }
        if ((k = pl->lb_of[j]) >= 0) {
            d[k] = -c->lb;
            set_origin(&in[k], DQP_ORIGIN_LOWER, j, -1, 0);
        }
    }
}

static void put(dqp_csc *M, int64_t *pos, int64_t row, double v) {
    M->i[*pos] = row;
    M->x[*pos] = v;
    (*pos)++;
}

/* A and C column by column. Within a column the file entries come sorted by
 * file row, which the plan maps to increasing canonical rows, and the bound
 * rows of the column come after every file row: so each column is sorted. */
static int build_ac(const dqp_qps_raw *raw, const plan *pl, dqp_csc **Aout, dqp_csc **Cout) {
    int64_t n = raw->cols.count, nza = 0, nzc = 0;
    for (int64_t k = 0; k < raw->na; k++) {
        int64_t r = raw->a[k].i;
        nza += pl->eq_of[r] >= 0;
        nzc += (pl->up_of[r] >= 0) + (pl->lo_of[r] >= 0);
    }
    for (int64_t j = 0; j < n; j++) {
        nza += pl->fix_of[j] >= 0;
        nzc += (pl->ub_of[j] >= 0) + (pl->lb_of[j] >= 0);
    }
    dqp_csc *A = dqp_csc_create(pl->m_eq, n, nza), *C = dqp_csc_create(pl->m_ineq, n, nzc);
    if (!A || !C) {
        dqp_csc_free(A);
        dqp_csc_free(C);
        return 0;
    }
    int64_t pa = 0, pc = 0, k = 0;
    for (int64_t j = 0; j < n; j++) {
        for (; k < raw->na && raw->a[k].j == j; k++) {
            int64_t r = raw->a[k].i;
            double v = raw->a[k].v;
            if (pl->eq_of[r] >= 0)
                put(A, &pa, pl->eq_of[r], v);
            if (pl->up_of[r] >= 0)
                put(C, &pc, pl->up_of[r], v);
            if (pl->lo_of[r] >= 0)
                put(C, &pc, pl->lo_of[r], -v);
        }
        if (pl->fix_of[j] >= 0)
            put(A, &pa, pl->fix_of[j], 1.0);
        if (pl->ub_of[j] >= 0)
            put(C, &pc, pl->ub_of[j], 1.0);
        if (pl->lb_of[j] >= 0)
            put(C, &pc, pl->lb_of[j], -1.0);
        A->p[j + 1] = pa;
        C->p[j + 1] = pc;
    }
    *Aout = A;
    *Cout = C;
    return 1;
}

/* ---------------------------------------------------------------- assembly */

typedef struct parts {
    plan pl;
    dqp_csc *P, *A, *C;
    double *q, *b, *d;
} parts;

static void parts_free(parts *t) {
    dqp_free(t->pl.eq_of);
    dqp_csc_free(t->P);
    dqp_csc_free(t->A);
    dqp_csc_free(t->C);
    dqp_free(t->q);
    dqp_free(t->b);
    dqp_free(t->d);
}

/* Build every array of the canonical problem; 0 when out of memory. */
static int build_parts(const dqp_qps_raw *raw, int64_t nq, parts *t, dqp_qps_canon *out) {
    int64_t n = raw->cols.count;
    if (!make_plan(raw, &t->pl))
        return 0;
    out->m_eq = t->pl.m_eq;
    out->m_ineq = t->pl.m_ineq;
    t->q = dqp_alloc(n, sizeof *t->q);
    t->b = dqp_alloc(out->m_eq, sizeof *t->b);
    t->d = dqp_alloc(out->m_ineq, sizeof *t->d);
    out->eq = dqp_alloc(out->m_eq, sizeof *out->eq);
    out->ineq = dqp_alloc(out->m_ineq, sizeof *out->ineq);
    t->P = build_p(raw, nq);
    if (!t->q || !t->b || !t->d || !out->eq || !out->ineq || !t->P ||
        !build_ac(raw, &t->pl, &t->A, &t->C))
        return 0;
    for (int64_t j = 0; j < n; j++)
        t->q[j] = raw->sense * raw->col[j].c; /* a MAX file is negated into a minimization */
    fill_rows(raw, &t->pl, t->b, t->d, out->eq, out->ineq);
    return 1;
}

dqp_status dqp_qps_assemble(dqp_qps_raw *raw, dqp_qps_canon *out, dqp_message *msg) {
    memset(out, 0, sizeof *out);
    int64_t nq = 0;
    dqp_status st = DQP_OK;
    if (!sort_trips(raw->a, raw->na, raw->ncon, raw->cols.count))
        return nomem(raw, msg);
    if ((st = check_a_duplicates(raw, msg)) != DQP_OK)
        return st;
    st = raw->q_full ? full_q(raw, msg, &nq) : triangle_q(raw, msg, &nq);
    if (st != DQP_OK)
        return st;
    parts t;
    memset(&t, 0, sizeof t);
    if (!build_parts(raw, nq, &t, out) || !(out->prob = dqp_problem_create())) {
        parts_free(&t);
        dqp_qps_canon_free(out);
        return nomem(raw, msg);
    }
    dqp_problem_data data;
    memset(&data, 0, sizeof data);
    data.n = raw->cols.count;
    data.P = t.P;
    data.P_storage = DQP_P_UPPER;
    data.q = t.q;
    data.A = t.A;
    data.b = t.b;
    data.m_eq = out->m_eq;
    data.C = t.C;
    data.d = t.d;
    data.m_ineq = out->m_ineq;
    st = dqp_problem_set(out->prob, &data);
    if (st != DQP_OK) {
        /* Not expected: every value was checked while parsing. */
        st = dqp_qps_error(msg, st, raw->label, raw->last_line, "canonical problem rejected: %s",
                           dqp_problem_last_error(out->prob));
        dqp_qps_canon_free(out);
    }
    parts_free(&t);
    return st;
}

void dqp_qps_canon_free(dqp_qps_canon *c) {
    dqp_problem_destroy(c->prob);
    dqp_free(c->eq);
    dqp_free(c->ineq);
    memset(c, 0, sizeof *c);
}
