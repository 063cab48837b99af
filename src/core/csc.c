/* csc.c - CSC matrix create/wrap/copy/free and validation; dense validation. */
#include "core/internal.h"

#include <math.h>
#include <string.h>

static dqp_csc *csc_struct(int64_t m, int64_t n) {
    if (m < 0 || n < 0 || n == INT64_MAX)
        return NULL;
    dqp_csc *A = dqp_calloc(1, sizeof *A);
    if (A) {
        A->m = m;
        A->n = n;
    }
    return A;
}

dqp_csc *dqp_csc_create(int64_t m, int64_t n, int64_t nnz) {
    if (nnz < 0)
        return NULL;
    dqp_csc *A = csc_struct(m, n);
    if (!A)
        return NULL;
    A->owned = 1;
    A->p = dqp_calloc(n + 1, sizeof *A->p);
    A->i = dqp_alloc(nnz, sizeof *A->i);
    A->x = dqp_alloc(nnz, sizeof *A->x);
    if (!A->p || !A->i || !A->x) {
        dqp_csc_free(A);
        return NULL;
    }
    return A;
}

dqp_csc *dqp_csc_wrap(int64_t m, int64_t n, int64_t *p, int64_t *i, double *x) {
    dqp_csc *A = csc_struct(m, n);
    if (A) {
        A->p = p;
        A->i = i;
        A->x = x;
        A->owned = 0;
    }
    return A;
}

int64_t dqp_csc_nnz(const dqp_csc *A) { return (A && A->p) ? A->p[A->n] : 0; }

dqp_csc *dqp_csc_copy(const dqp_csc *A) {
    if (!A || !A->p)
        return NULL;
    int64_t nnz = dqp_csc_nnz(A);
    dqp_csc *B = dqp_csc_create(A->m, A->n, nnz);
    if (!B)
        return NULL;
    memcpy(B->p, A->p, (size_t)(A->n + 1) * sizeof *B->p);
    if (nnz > 0) {
        memcpy(B->i, A->i, (size_t)nnz * sizeof *B->i);
        if (A->x)
            memcpy(B->x, A->x, (size_t)nnz * sizeof *B->x);
        else
            memset(B->x, 0, (size_t)nnz * sizeof *B->x);
    }
    return B;
}

void dqp_csc_free(dqp_csc *A) {
    if (!A)
        return;
    if (A->owned) {
        dqp_free(A->p);
        dqp_free(A->i);
        dqp_free(A->x);
    }
    dqp_free(A);
}

dqp_status dqp_csc_validate(const dqp_csc *A, const char *name, dqp_message *msg) {
    if (!name)
        name = "matrix";
    if (!A)
        return dqp_fail(msg, DQP_ERR_NULL, "%s: matrix is NULL", name);
    if (A->m < 0 || A->n < 0)
        return dqp_fail(msg, DQP_ERR_DIMENSION, "%s: negative dimension %lld x %lld", name,
                        (long long)A->m, (long long)A->n);
    if (!A->p)
        return dqp_fail(msg, DQP_ERR_NULL, "%s: column pointer array p is NULL", name);
    if (A->p[0] != 0)
        return dqp_fail(msg, DQP_ERR_POINTERS, "%s: p[0] = %lld, must be 0", name,
                        (long long)A->p[0]);
    for (int64_t j = 0; j < A->n; j++)
        if (A->p[j + 1] < A->p[j])
            return dqp_fail(msg, DQP_ERR_POINTERS,
                            "%s: column pointers not monotone: p[%lld] = %lld > p[%lld] = %lld",
                            name, (long long)j, (long long)A->p[j], (long long)(j + 1),
                            (long long)A->p[j + 1]);
    int64_t nnz = A->p[A->n], bytes;
    if (!dqp_mul_size(nnz, (int64_t)sizeof(double), &bytes))
        return dqp_fail(msg, DQP_ERR_DIMENSION, "%s: nnz = %lld overflows storage size", name,
                        (long long)nnz);
    if (nnz > 0 && (!A->i || !A->x))
        return dqp_fail(msg, DQP_ERR_NULL, "%s: %s array is NULL with nnz = %lld", name,
                        A->i ? "value" : "row index", (long long)nnz);
    for (int64_t j = 0; j < A->n; j++) {
        for (int64_t k = A->p[j]; k < A->p[j + 1]; k++) {
            int64_t r = A->i[k];
            if (r < 0 || r >= A->m)
                return dqp_fail(msg, DQP_ERR_INDEX,
                                "%s: row index %lld out of range [0, %lld) in column %lld "
                                "(entry %lld)",
                                name, (long long)r, (long long)A->m, (long long)j, (long long)k);
            if (k > A->p[j] && r == A->i[k - 1])
                return dqp_fail(msg, DQP_ERR_DUPLICATE,
                                "%s: duplicate row index %lld in column %lld (entry %lld)", name,
                                (long long)r, (long long)j, (long long)k);
            if (k > A->p[j] && r < A->i[k - 1])
                return dqp_fail(msg, DQP_ERR_UNSORTED,
                                "%s: row indices not sorted in column %lld: %lld after %lld "
                                "(entry %lld)",
                                name, (long long)j, (long long)r, (long long)A->i[k - 1],
                                (long long)k);
            if (!isfinite(A->x[k]))
                return dqp_fail(msg, DQP_ERR_NONFINITE,
                                "%s: non-finite value %g at row %lld, column %lld (entry %lld)",
                                name, A->x[k], (long long)r, (long long)j, (long long)k);
        }
    }
    return DQP_OK;
}

dqp_status dqp_dense_validate(const dqp_dense *A, const char *name, dqp_message *msg) {
    if (!name)
        name = "matrix";
    if (!A)
        return dqp_fail(msg, DQP_ERR_NULL, "%s: matrix is NULL", name);
    if (A->m < 0 || A->n < 0)
        return dqp_fail(msg, DQP_ERR_DIMENSION, "%s: negative dimension %lld x %lld", name,
                        (long long)A->m, (long long)A->n);
    if (A->m > 0 && A->ld < DQP_MAX(A->n, 1))
        return dqp_fail(msg, DQP_ERR_DIMENSION, "%s: leading dimension %lld < n = %lld", name,
                        (long long)A->ld, (long long)A->n);
    int64_t total, bytes;
    if (!dqp_mul_size(A->m, DQP_MAX(A->ld, 0), &total) ||
        !dqp_mul_size(total, (int64_t)sizeof(double), &bytes))
        return dqp_fail(msg, DQP_ERR_DIMENSION, "%s: size %lld x %lld overflows", name,
                        (long long)A->m, (long long)A->ld);
    if (A->m > 0 && A->n > 0 && !A->x)
        return dqp_fail(msg, DQP_ERR_NULL, "%s: value array is NULL", name);
    for (int64_t r = 0; r < A->m; r++)
        for (int64_t c = 0; c < A->n; c++)
            if (!isfinite(A->x[r * A->ld + c]))
                return dqp_fail(msg, DQP_ERR_NONFINITE, "%s: non-finite value %g at (%lld, %lld)",
                                name, A->x[r * A->ld + c], (long long)r, (long long)c);
    return DQP_OK;
}
