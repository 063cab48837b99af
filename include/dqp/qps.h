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
 * file. Canonical variables are the file's columns, in file order.
 *
 * Conventions of this reader:
 *   - Format: the text is read as free MPS (blank-separated fields). If that
 *     fails and every data line fits the fixed layout (fields in columns
 *     2-3, 5-12, 15-22, 25-36, 40-47, 50-61, blanks elsewhere, no tabs), it
 *     is read again as fixed MPS, where names may contain blanks (QFORPLAN).
 *     A successful reading wins; when both fail, the error of the reading
 *     that got further is reported. NAME is the first word after the
 *     keyword (free) or columns 15-22 (fixed).
 *   - Canonical row order. A: equality rows in file order, then fixed
 *     columns in column order. C: constraint rows in file order (a ranged
 *     row gives its upper side a'x <= u, then its lower side -a'x <= -l),
 *     then the bounds column by column (x_j <= u_j, then -x_j <= -l_j).
 *     P, A and C are always present (A or C possibly with 0 rows).
 *   - RANGES with RHS b and range R: E row R > 0 gives [b, b+R], R < 0
 *     [b+R, b]; L row [b-|R|, b]; G row [b, b+|R|]. R = 0 keeps the row an
 *     equality (a row of A). The side set by the range has range = 1.
 *   - Bounds apply in file order. MI sets only the lower bound (-inf), PL
 *     only the upper (+inf). BV means [0, 1] and LI/UI act as LO/UP:
 *     integrality (like MARKER INTORG/INTEND lines) is ignored. SC is
 *     rejected. Negative UP: an UP (or UI) bound < 0 on a column that has no
 *     explicit lower bound (LO, LI, MI, FR, FX, BV) anywhere in BOUNDS makes
 *     its lower bound -inf (the rule of CPLEX, HiGHS and CoinMpsIO); with an
 *     explicit lower bound the bounds are kept as written. Bound values with
 *     |v| >= 1e30 are infinite; an infinite RHS or range is an error.
 *   - Duplicates are errors naming both lines: the same (row, column) twice
 *     in COLUMNS (objective row included), a row twice in RHS or RANGES, and
 *     a pair twice in QUADOBJ/QSECTION in either order (these list one
 *     triangle: an off-diagonal entry stands for Q(i,j) and Q(j,i)). QMATRIX
 *     lists both triangles: every off-diagonal entry needs its transposed
 *     entry with an equal value (within 1e-12 max|Q|). Explicit zeros are
 *     kept as stored entries of A, C and P.
 *   - The first N row is the objective (or the N row named by OBJNAME);
 *     other N rows are dropped. One RHS, RANGES and BOUNDS vector at most.
 *     QSECTION may name the objective row; quadratic constraints (QSECTION
 *     of another row, QCMATRIX) are rejected.
 *   - ENDATA is required, so that a truncated file is an error rather than a
 *     smaller problem; text after it is ignored. Section keywords start in
 *     column 1; lines starting with '*' and blank lines are ignored; lines
 *     are limited to 4096 characters; "\r\n" line ends are accepted.
 *   - Numbers: [+-]digits[.digits][(e|E|d|D)[+-]digits] (".5", "1." and
 *     Fortran "1.0D+00" included) and [+-]inf / infinity; locale-independent. */
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

/* The file's counts: columns, constraint rows (non-N rows), and entries of
 * the constraint rows in COLUMNS (N rows excluded, explicit zeros included).
 * The entries of the stored triangle of Q are those of P:
 * dqp_csc_nnz(dqp_problem_csc(dqp_qps_problem(qps), 'P')). */
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
