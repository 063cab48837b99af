/* dqp/problem.h - the QP problem object.
 *
 *     minimize    1/2 z'Pz + q'z
 *     subject to  A z  = b      (m_eq rows, optional)
 *                 C z <= d      (m_ineq rows, optional)
 *
 * Storage of P
 * ------------
 * Sparse P is given as a CSC matrix with one of two storages:
 *   DQP_P_UPPER  only entries with row <= column are stored. A stored
 *                off-diagonal entry p_ij (i < j) stands for both P(i,j) and
 *                P(j,i). Its gradient is therefore dL/dP(i,j) + dL/dP(j,i),
 *                i.e. twice the (symmetric) full-matrix gradient entry;
 *                a diagonal entry's gradient is dL/dP(i,i).
 *   DQP_P_FULL   both triangles are stored; the pattern and the values must
 *                be symmetric (each P(i,j) equal to P(j,i) within
 *                1e-12 * max|P|). Each stored entry is its own variable and
 *                its gradient is the entry of the symmetric full gradient
 *                1/2 (dz z' + z dz'), so a pair (i,j), (j,i) receives equal
 *                gradients.
 * Dense P is always full, row-major, with the same symmetry requirement
 * and the same gradient meaning as DQP_P_FULL.
 * The problem stores the symmetric average 1/2 (P + P') of a full P so that
 * round-off asymmetry within the tolerance has no effect.
 *
 * Any of P, A, C may be absent (NULL): P absent means P = 0 (an LP).
 * A present requires b, C present requires d, and vice versa.
 * Data are copied: the caller may free its arrays after dqp_problem_set.
 */
#ifndef DQP_PROBLEM_H
#define DQP_PROBLEM_H

#include "dqp/matrix.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum dqp_p_storage { DQP_P_UPPER = 0, DQP_P_FULL = 1 } dqp_p_storage;

/* Caller's view of the data, used only to set a problem. For each matrix
 * give at most one of the sparse (csc) and dense forms. */
typedef struct dqp_problem_data {
    int64_t n;
    const dqp_csc *P;         /* n x n, storage given by P_storage */
    const dqp_dense *P_dense; /* n x n, full and symmetric */
    dqp_p_storage P_storage;  /* for sparse P only */
    const double *q;          /* length n; NULL means q = 0 */
    const dqp_csc *A;         /* m_eq x n */
    const dqp_dense *A_dense;
    const double *b; /* length m_eq */
    int64_t m_eq;    /* rows of A (must match A when A is given; 0 otherwise) */
    const dqp_csc *C;         /* m_ineq x n */
    const dqp_dense *C_dense;
    const double *d; /* length m_ineq */
    int64_t m_ineq;
} dqp_problem_data;

typedef struct dqp_problem dqp_problem;

/* Create an empty problem (n = 0). Returns NULL only when out of memory. */
DQP_API dqp_problem *dqp_problem_create(void);

/* Destroy. Accepts NULL. */
DQP_API void dqp_problem_destroy(dqp_problem *prob);

/* Validate and copy the data. On error the problem keeps its previous
 * content and dqp_problem_last_error() names the defect, e.g.
 * "C: row index 17 out of range [0, 5) in column 3" or
 * "b: length m_eq = 3 but A has 2 rows". */
DQP_API dqp_status dqp_problem_set(dqp_problem *prob, const dqp_problem_data *data);

/* Sizes. */
DQP_API int64_t dqp_problem_n(const dqp_problem *prob);
DQP_API int64_t dqp_problem_m_eq(const dqp_problem *prob);
DQP_API int64_t dqp_problem_m_ineq(const dqp_problem *prob);

/* Nonzero when the matrix was given in sparse form (P, A or C: 'P','A','C'). */
DQP_API int dqp_problem_is_sparse(const dqp_problem *prob, char which);

/* Read-only access to the stored data. Sparse matrices: the CSC as stored
 * (P in the storage it was given, after symmetric averaging); NULL when
 * absent or dense. Dense matrices: row-major with ld = n, NULL when absent
 * or sparse. Vectors: never NULL (zero-length arrays may be NULL when
 * the length is 0). */
DQP_API const dqp_csc *dqp_problem_csc(const dqp_problem *prob, char which);
DQP_API const double *dqp_problem_dense(const dqp_problem *prob, char which);
DQP_API const double *dqp_problem_vec(const dqp_problem *prob, char which); /* 'q','b','d' */
DQP_API dqp_p_storage dqp_problem_P_storage(const dqp_problem *prob);

/* Objective 1/2 z'Pz + q'z at z (length n). */
DQP_API double dqp_problem_objective(const dqp_problem *prob, const double *z);

/* Message describing the last error on this object ("" when none). */
DQP_API const char *dqp_problem_last_error(const dqp_problem *prob);

#ifdef __cplusplus
}
#endif
#endif
