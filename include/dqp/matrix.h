/* dqp/matrix.h - compressed sparse column (CSC) and dense matrix conventions. */
#ifndef DQP_MATRIX_H
#define DQP_MATRIX_H

#include "dqp/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Compressed sparse column matrix, m rows by n columns.
 *   p[0..n]        column pointers, p[0] = 0, nondecreasing, p[n] = nnz
 *   i[0..nnz-1]    row indices, strictly increasing within each column
 *   x[0..nnz-1]    values (may be NULL only for a pattern-only matrix)
 * Indices are always int64_t, values always double. Explicit zeros are
 * allowed and are kept: every derivative with respect to a sparse matrix is
 * returned as an array in exactly the order of x, explicit zeros included.
 *
 * `owned` is nonzero when the arrays belong to the matrix (dqp_csc_create)
 * and zero when they are borrowed from the caller (dqp_csc_wrap). */
typedef struct dqp_csc {
    int64_t m;
    int64_t n;
    int64_t *p;
    int64_t *i;
    double *x;
    int owned;
} dqp_csc;

/* Allocate an m-by-n matrix with room for nnz entries; p is zeroed.
 * Returns NULL on invalid sizes (negative or overflowing) or out of memory. */
DQP_API dqp_csc *dqp_csc_create(int64_t m, int64_t n, int64_t nnz);

/* Wrap caller-owned arrays without copying. The caller keeps ownership and
 * must keep the arrays alive while the wrapper is used. Does not validate.
 * Returns NULL on negative sizes or out of memory. */
DQP_API dqp_csc *dqp_csc_wrap(int64_t m, int64_t n, int64_t *p, int64_t *i, double *x);

/* Deep copy (always owned). NULL on out of memory or NULL input. */
DQP_API dqp_csc *dqp_csc_copy(const dqp_csc *A);

/* Free the struct (and the arrays when owned). Accepts NULL. */
DQP_API void dqp_csc_free(dqp_csc *A);

/* Number of stored entries, p[n] (0 for NULL). */
DQP_API int64_t dqp_csc_nnz(const dqp_csc *A);

/* Check the structure and the values. `name` (e.g. "C") prefixes the message.
 * Errors, each with a message naming the column/entry:
 *   DQP_ERR_NULL       NULL matrix or arrays
 *   DQP_ERR_DIMENSION  negative m or n, or nnz whose storage size overflows
 *   DQP_ERR_POINTERS   p[0] != 0 or p not nondecreasing
 *   DQP_ERR_INDEX      a row index outside [0, m)
 *   DQP_ERR_UNSORTED   row indices decreasing within a column
 *   DQP_ERR_DUPLICATE  the same row twice in a column
 *   DQP_ERR_NONFINITE  a NaN or Inf value
 * msg may be NULL. */
DQP_API dqp_status dqp_csc_validate(const dqp_csc *A, const char *name, dqp_message *msg);

/* Dense matrices: ROW-MAJOR with a leading dimension, as in C, numpy and
 * PyTorch defaults. Entry (r, c) of an m-by-n dense matrix is
 * x[r * ld + c], with ld >= n (ld = n for a contiguous array).
 * Gradients with respect to a dense matrix are returned in the same layout
 * with ld = n. */
typedef struct dqp_dense {
    int64_t m;
    int64_t n;
    int64_t ld;
    const double *x;
} dqp_dense;

/* Check sizes (m, n >= 0, ld >= max(n, 1) when m > 0, no overflow of m*ld)
 * and that every entry is finite. msg may be NULL. */
DQP_API dqp_status dqp_dense_validate(const dqp_dense *A, const char *name, dqp_message *msg);

#ifdef __cplusplus
}
#endif
#endif
