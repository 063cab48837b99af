/* dqp/qps.h - reading QPS/MPS files into the canonical QP form.
 *
 * Reads free and fixed MPS with the QP extensions (QUADOBJ, QSECTION,
 * QMATRIX), RANGES, BOUNDS (UP LO FX FR MI PL BV), OBJSENSE and the
 * objective constant. The file's problem
 *
 *     min/max  1/2 x'Qx + c'x + c0   s.t. rows of type E/L/G(/RANGES), l <= x <= u
 *
 * is converted to the canonical form of dqp/problem.h:
 *   - E rows (without RANGES) and fixed variables (FX, or LO = UP) become rows
 *     of A z = b;
 *   - L rows, G rows (negated), both sides of ranged rows, and every finite
 *     variable bound become rows of C z <= d;
 *   - a maximization problem is negated (P = -Q, q = -c, constant -c0) so the
 *     canonical problem is always a minimization; dqp_qps_objective()
 *     reports values in the file's own sense.
 * P is stored as DQP_P_UPPER. Variables without bounds in the file get the
 * MPS default 0 <= x < inf.
 *
 * Each canonical row keeps where it came from (dqp_qps_row_origin), so a
 * derivative with respect to b or d can be reported per row or bound of the
 * file. Canonical variables are the file's columns, in file order. */
#ifndef DQP_QPS_H
#define DQP_QPS_H

#include "dqp/problem.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct dqp_qps dqp_qps;

/* Where a canonical row came from. */
typedef enum dqp_row_kind {
    DQP_ORIGIN_ROW = 0,   /* constraint row `index` of the file (0-based among non-N rows) */
    DQP_ORIGIN_UPPER = 1, /* upper bound of column `index` */
    DQP_ORIGIN_LOWER = 2, /* lower bound of column `index` */
    DQP_ORIGIN_FIXED = 3  /* FX bound (or LO = UP) of column `index`, as an equality */
} dqp_row_kind;

typedef struct dqp_row_origin {
    dqp_row_kind kind;
    int64_t index; /* row index among the file's constraint rows, or column index */
    int sign;      /* +1 when the canonical row equals the file's row/bound,
                      -1 when it was negated (G rows, lower bounds) */
    int range;     /* 1 when this canonical row is the RANGES side of a row */
} dqp_row_origin;

/* Create an empty model. NULL only when out of memory. */
DQP_API dqp_qps *dqp_qps_create(void);
DQP_API void dqp_qps_destroy(dqp_qps *qps); /* accepts NULL */

/* Read a file (free format, or fixed format detected automatically).
 * On error: DQP_ERR_IO (cannot open/read), DQP_ERR_PARSE (malformed: the
 * message is "FILE:LINE: reason"), DQP_ERR_NOMEM; the model is left empty. */
DQP_API dqp_status dqp_qps_read_file(dqp_qps *qps, const char *path);

/* Read from memory (len bytes, need not be NUL-terminated). `label` names
 * the source in messages (NULL: "<memory>"). */
DQP_API dqp_status dqp_qps_read_buffer(dqp_qps *qps, const char *text, size_t len,
                                       const char *label);

/* The canonical problem (owned by the model; NULL before a successful read). */
DQP_API const dqp_problem *dqp_qps_problem(const dqp_qps *qps);

/* Problem name from the NAME line ("" when absent). */
DQP_API const char *dqp_qps_name(const dqp_qps *qps);

/* Objective in the file's sense at canonical point z, constant included:
 * 1/2 z'Qz + c'z + c0 (for MAX files the maximized value). */
DQP_API double dqp_qps_objective(const dqp_qps *qps, const double *z);

/* Constant c0 of the file's objective (= minus the RHS of the objective row),
 * in the file's sense; +1 for MIN files, -1 for MAX (OBJSENSE MAX). */
DQP_API double dqp_qps_objective_constant(const dqp_qps *qps);
DQP_API int dqp_qps_sense(const dqp_qps *qps);

/* The file's counts: columns, constraint rows (non-N rows), nonzeros of the
 * constraint matrix and of the stored triangle of Q, as in the file. */
DQP_API int64_t dqp_qps_file_cols(const dqp_qps *qps);
DQP_API int64_t dqp_qps_file_rows(const dqp_qps *qps);
DQP_API int64_t dqp_qps_file_nnz(const dqp_qps *qps);

/* Names of the file's columns and constraint rows (NULL out of range). */
DQP_API const char *dqp_qps_col_name(const dqp_qps *qps, int64_t j);
DQP_API const char *dqp_qps_row_name(const dqp_qps *qps, int64_t r);

/* Origin of canonical row k of A (eq = 1) or of C (eq = 0). Returns
 * DQP_ERR_INDEX when k is out of range. */
DQP_API dqp_status dqp_qps_row_origin(const dqp_qps *qps, int eq, int64_t k, dqp_row_origin *out);

DQP_API const char *dqp_qps_last_error(const dqp_qps *qps);

#ifdef __cplusplus
}
#endif
#endif
