/* problem.c - the QP problem object: validation and copying of the data. */
#include "core/internal.h"

#include <math.h>
#include <string.h>

/* Relative tolerance for the symmetry of a full P: entries may differ by
 * round-off (P built as M*M' in floating point); the stored P is averaged. */
#define DQP_SYM_TOL 1e-12

dqp_problem *dqp_problem_create(void) {
    dqp_problem *prob = dqp_calloc(1, sizeof *prob);
    if (!prob)
        return NULL;
    prob->q = dqp_calloc(0, sizeof(double));
    prob->b = dqp_calloc(0, sizeof(double));
    prob->d = dqp_calloc(0, sizeof(double));
    if (!prob->q || !prob->b || !prob->d) {
        dqp_problem_destroy(prob);
        return NULL;
    }
    return prob;
}

static void clear_content(dqp_problem *prob) {
    dqp_csc_free(prob->P);
    dqp_csc_free(prob->A);
    dqp_csc_free(prob->C);
    dqp_free(prob->Pd);
    dqp_free(prob->Ad);
    dqp_free(prob->Cd);
    dqp_free(prob->q);
    dqp_free(prob->b);
    dqp_free(prob->d);
}

void dqp_problem_destroy(dqp_problem *prob) {
    if (!prob)
        return;
    clear_content(prob);
    dqp_free(prob);
}

static dqp_status check_vec(const double *v, int64_t len, const char *name, dqp_message *msg) {
    if (len > 0 && !v)
        return dqp_fail(msg, DQP_ERR_NULL, "%s: NULL with length %lld", name, (long long)len);
    for (int64_t k = 0; k < len; k++)
        if (!isfinite(v[k]))
            return dqp_fail(msg, DQP_ERR_NONFINITE, "%s: non-finite value %g at index %lld", name,
                            v[k], (long long)k);
    return DQP_OK;
}

/* Check one constraint block (A/b or C/d): presence, sizes, values. */
static dqp_status check_block(const dqp_csc *S, const dqp_dense *D, const double *rhs, int64_t m,
                              int64_t n, const char *mname, const char *vname, const char *mdim,
                              dqp_message *msg) {
    dqp_status st;
    if (S && D)
        return dqp_fail(msg, DQP_ERR_VALUE, "%s: give either the sparse or the dense form, not both",
                        mname);
    if (m < 0)
        return dqp_fail(msg, DQP_ERR_DIMENSION, "%s = %lld is negative", mdim, (long long)m);
    if (!S && !D) {
        if (rhs && m > 0)
            return dqp_fail(msg, DQP_ERR_MISSING, "%s given (%s = %lld) without %s", vname, mdim,
                            (long long)m, mname);
        if (m > 0)
            return dqp_fail(msg, DQP_ERR_MISSING, "%s = %lld but %s is absent", mdim,
                            (long long)m, mname);
        return DQP_OK;
    }
    if (S && (st = dqp_csc_validate(S, mname, msg)) != DQP_OK)
        return st;
    if (D && (st = dqp_dense_validate(D, mname, msg)) != DQP_OK)
        return st;
    int64_t rows = S ? S->m : D->m, cols = S ? S->n : D->n;
    if (cols != n)
        return dqp_fail(msg, DQP_ERR_DIMENSION, "%s: has %lld columns but n = %lld", mname,
                        (long long)cols, (long long)n);
    if (rows != m)
        return dqp_fail(msg, DQP_ERR_DIMENSION, "%s: has %lld rows but %s = %lld", mname,
                        (long long)rows, mdim, (long long)m);
    if (!rhs && m > 0)
        return dqp_fail(msg, DQP_ERR_MISSING, "%s given without %s", mname, vname);
    return check_vec(rhs, m, vname, msg);
}

/* Position of row r in column j of sorted CSC S, or -1. */
static int64_t csc_find(const dqp_csc *S, int64_t r, int64_t j) {
    int64_t lo = S->p[j], hi = S->p[j + 1] - 1;
    while (lo <= hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (S->i[mid] == r)
            return mid;
        if (S->i[mid] < r)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return -1;
}

static double max_abs(const double *x, int64_t len) {
    double m = 0.0;
    for (int64_t k = 0; k < len; k++)
        m = fmax(m, fabs(x[k]));
    return m;
}

static dqp_status check_P(const dqp_problem_data *data, dqp_message *msg) {
    const dqp_csc *P = data->P;
    const dqp_dense *Pd = data->P_dense;
    int64_t n = data->n;
    dqp_status st;
    if (P && Pd)
        return dqp_fail(msg, DQP_ERR_VALUE, "P: give either the sparse or the dense form, not both");
    if (P) {
        if ((st = dqp_csc_validate(P, "P", msg)) != DQP_OK)
            return st;
        if (P->m != P->n)
            return dqp_fail(msg, DQP_ERR_DIMENSION, "P: is %lld x %lld, must be square",
                            (long long)P->m, (long long)P->n);
        if (P->n != n)
            return dqp_fail(msg, DQP_ERR_DIMENSION, "P: is %lld x %lld but n = %lld",
                            (long long)P->m, (long long)P->n, (long long)n);
        if (data->P_storage != DQP_P_UPPER && data->P_storage != DQP_P_FULL)
            return dqp_fail(msg, DQP_ERR_VALUE, "P: storage %d is neither DQP_P_UPPER nor DQP_P_FULL",
                            (int)data->P_storage);
        double tol = DQP_SYM_TOL * max_abs(P->x, dqp_csc_nnz(P));
        for (int64_t j = 0; j < n; j++)
            for (int64_t k = P->p[j]; k < P->p[j + 1]; k++) {
                int64_t r = P->i[k];
                if (data->P_storage == DQP_P_UPPER) {
                    if (r > j)
                        return dqp_fail(msg, DQP_ERR_TRIANGLE,
                                        "P: declared upper triangular but has entry (%lld, %lld) "
                                        "below the diagonal",
                                        (long long)r, (long long)j);
                    continue;
                }
                int64_t t = csc_find(P, j, r);
                if (t < 0)
                    return dqp_fail(msg, DQP_ERR_NOT_SYMMETRIC,
                                    "P: entry (%lld, %lld) is stored but (%lld, %lld) is not",
                                    (long long)r, (long long)j, (long long)j, (long long)r);
                if (fabs(P->x[k] - P->x[t]) > tol)
                    return dqp_fail(msg, DQP_ERR_NOT_SYMMETRIC,
                                    "P: P(%lld, %lld) = %.17g differs from P(%lld, %lld) = %.17g",
                                    (long long)r, (long long)j, P->x[k], (long long)j,
                                    (long long)r, P->x[t]);
            }
    }
    if (Pd) {
        if ((st = dqp_dense_validate(Pd, "P", msg)) != DQP_OK)
            return st;
        if (Pd->m != Pd->n)
            return dqp_fail(msg, DQP_ERR_DIMENSION, "P: is %lld x %lld, must be square",
                            (long long)Pd->m, (long long)Pd->n);
        if (Pd->n != n)
            return dqp_fail(msg, DQP_ERR_DIMENSION, "P: is %lld x %lld but n = %lld",
                            (long long)Pd->m, (long long)Pd->n, (long long)n);
        double mx = 0.0;
        for (int64_t r = 0; r < n; r++)
            mx = fmax(mx, max_abs(Pd->x + r * Pd->ld, n));
        for (int64_t r = 0; r < n; r++)
            for (int64_t c = r + 1; c < n; c++) {
                double a = Pd->x[r * Pd->ld + c], b = Pd->x[c * Pd->ld + r];
                if (fabs(a - b) > DQP_SYM_TOL * mx)
                    return dqp_fail(msg, DQP_ERR_NOT_SYMMETRIC,
                                    "P: P(%lld, %lld) = %.17g differs from P(%lld, %lld) = %.17g",
                                    (long long)r, (long long)c, a, (long long)c, (long long)r, b);
            }
    }
    return DQP_OK;
}

static dqp_status validate(const dqp_problem_data *data, dqp_message *msg) {
    dqp_status st;
    if (!data)
        return dqp_fail(msg, DQP_ERR_NULL, "problem data is NULL");
    if (data->n < 0)
        return dqp_fail(msg, DQP_ERR_DIMENSION, "n = %lld is negative", (long long)data->n);
    if ((st = check_P(data, msg)) != DQP_OK)
        return st;
    if (data->q && (st = check_vec(data->q, data->n, "q", msg)) != DQP_OK)
        return st;
    if ((st = check_block(data->A, data->A_dense, data->b, data->m_eq, data->n, "A", "b", "m_eq",
                          msg)) != DQP_OK)
        return st;
    return check_block(data->C, data->C_dense, data->d, data->m_ineq, data->n, "C", "d",
                       "m_ineq", msg);
}

static double *copy_vec(const double *v, int64_t len) {
    double *out = dqp_calloc(len, sizeof *out);
    if (out && v && len > 0)
        memcpy(out, v, (size_t)len * sizeof *out);
    return out;
}

static double *copy_dense(const dqp_dense *D) {
    int64_t total;
    if (!dqp_mul_size(D->m, D->n, &total))
        return NULL;
    double *out = dqp_alloc(total, sizeof *out);
    if (out)
        for (int64_t r = 0; r < D->m; r++)
            if (D->n > 0)
                memcpy(out + r * D->n, D->x + r * D->ld, (size_t)D->n * sizeof *out);
    return out;
}

/* Replace a full P by the average of itself and its transpose. */
static void symmetrize_csc(dqp_csc *P) {
    for (int64_t j = 0; j < P->n; j++)
        for (int64_t k = P->p[j]; k < P->p[j + 1]; k++) {
            int64_t r = P->i[k];
            if (r < j) {
                int64_t t = csc_find(P, j, r);
                double avg = 0.5 * (P->x[k] + P->x[t]);
                P->x[k] = P->x[t] = avg;
            }
        }
}

static void symmetrize_dense(double *P, int64_t n) {
    for (int64_t r = 0; r < n; r++)
        for (int64_t c = r + 1; c < n; c++) {
            double avg = 0.5 * (P[r * n + c] + P[c * n + r]);
            P[r * n + c] = P[c * n + r] = avg;
        }
}

dqp_status dqp_problem_set(dqp_problem *prob, const dqp_problem_data *data) {
    if (!prob)
        return DQP_ERR_NULL;
    dqp_message msg = {{0}};
    dqp_status st = validate(data, &msg);
    if (st != DQP_OK) {
        memcpy(prob->last_error, msg.text, sizeof msg.text);
        return st;
    }
    dqp_problem t = {0};
    t.n = data->n;
    t.m_eq = data->m_eq;
    t.m_ineq = data->m_ineq;
    t.P_storage = data->P ? data->P_storage : DQP_P_FULL;
    int fail = 0;
    if (data->P && !(t.P = dqp_csc_copy(data->P)))
        fail = 1;
    if (data->A && !(t.A = dqp_csc_copy(data->A)))
        fail = 1;
    if (data->C && !(t.C = dqp_csc_copy(data->C)))
        fail = 1;
    if (data->P_dense && !(t.Pd = copy_dense(data->P_dense)))
        fail = 1;
    if (data->A_dense && !(t.Ad = copy_dense(data->A_dense)))
        fail = 1;
    if (data->C_dense && !(t.Cd = copy_dense(data->C_dense)))
        fail = 1;
    if (!(t.q = copy_vec(data->q, t.n)) || !(t.b = copy_vec(data->b, t.m_eq)) ||
        !(t.d = copy_vec(data->d, t.m_ineq)))
        fail = 1;
    if (fail) {
        clear_content(&t);
        dqp_fmt(prob->last_error, sizeof prob->last_error, "out of memory copying problem data");
        return DQP_ERR_NOMEM;
    }
    if (t.P && t.P_storage == DQP_P_FULL)
        symmetrize_csc(t.P);
    if (t.Pd)
        symmetrize_dense(t.Pd, t.n);
    clear_content(prob);
    memcpy(t.last_error, "", 1);
    *prob = t;
    return DQP_OK;
}

int64_t dqp_problem_n(const dqp_problem *prob) { return prob ? prob->n : 0; }
int64_t dqp_problem_m_eq(const dqp_problem *prob) { return prob ? prob->m_eq : 0; }
int64_t dqp_problem_m_ineq(const dqp_problem *prob) { return prob ? prob->m_ineq : 0; }
dqp_p_storage dqp_problem_P_storage(const dqp_problem *prob) {
    return prob ? prob->P_storage : DQP_P_FULL;
}

const dqp_csc *dqp_problem_csc(const dqp_problem *prob, char which) {
    if (!prob)
        return NULL;
    return which == 'P' ? prob->P : which == 'A' ? prob->A : which == 'C' ? prob->C : NULL;
}

const double *dqp_problem_dense(const dqp_problem *prob, char which) {
    if (!prob)
        return NULL;
    return which == 'P' ? prob->Pd : which == 'A' ? prob->Ad : which == 'C' ? prob->Cd : NULL;
}

int dqp_problem_is_sparse(const dqp_problem *prob, char which) {
    return dqp_problem_csc(prob, which) != NULL;
}

const double *dqp_problem_vec(const dqp_problem *prob, char which) {
    if (!prob)
        return NULL;
    return which == 'q' ? prob->q : which == 'b' ? prob->b : which == 'd' ? prob->d : NULL;
}

double dqp_problem_objective(const dqp_problem *prob, const double *z) {
    if (!prob || !z)
        return NAN;
    int64_t n = prob->n;
    double quad = 0.0, lin = 0.0;
    for (int64_t j = 0; j < n; j++)
        lin += prob->q[j] * z[j];
    if (prob->P) {
        const dqp_csc *P = prob->P;
        for (int64_t j = 0; j < n; j++)
            for (int64_t k = P->p[j]; k < P->p[j + 1]; k++) {
                int64_t r = P->i[k];
                double w = (prob->P_storage == DQP_P_UPPER && r != j) ? 2.0 : 1.0;
                quad += w * P->x[k] * z[r] * z[j];
            }
    } else if (prob->Pd) {
        for (int64_t r = 0; r < n; r++)
            for (int64_t c = 0; c < n; c++)
                quad += prob->Pd[r * n + c] * z[r] * z[c];
    }
    return 0.5 * quad + lin;
}

const char *dqp_problem_last_error(const dqp_problem *prob) {
    return prob ? prob->last_error : "problem is NULL";
}
