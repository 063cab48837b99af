/* qps_internal.h - shared declarations of the QPS/MPS reader (lexing, names, parsing, assembly). */
#ifndef DQP_QPS_INTERNAL_H
#define DQP_QPS_INTERNAL_H

#include "core/internal.h"

#include <stddef.h>
#include <stdint.h>

/* Longest accepted line (without its end of line). Fixed MPS lines are at
 * most 80 characters; free MPS has no limit, but a longer line is far beyond
 * any real writer (five fields of 255-character names) and is rejected so
 * that a binary file is reported early. */
#define DQP_QPS_MAX_LINE 4096

/* Values with |v| >= DQP_QPS_INF in BOUNDS are infinite (MPS convention). */
#define DQP_QPS_INF 1e30

/* Longest name or number quoted in an error message. */
#define DQP_QPS_QUOTE 40

/* A slice of the input text (not NUL-terminated). */
typedef struct dqp_qps_str {
    const char *p;
    size_t len;
} dqp_qps_str;

/* ---------------------------------------------------------------- qps_lex.c */

/* Next line of text starting at *pos, without its "\n" or "\r\n"; advances
 * *pos. Returns 0 at the end of the text. */
int dqp_qps_next_line(const char *text, size_t len, size_t *pos, dqp_qps_str *line);

/* Split a free-format line at blanks (space, tab). Stores at most `max`
 * tokens and returns the total count (which may exceed max). */
int dqp_qps_split(dqp_qps_str line, dqp_qps_str *tok, int max);

/* Fixed-format field k = 1..6 (columns 2-3, 5-12, 15-22, 25-36, 40-47,
 * 50-61), trimmed of blanks; empty when the line is shorter. */
dqp_qps_str dqp_qps_fixed_field(dqp_qps_str line, int k);

/* Nonzero when every data line of the text fits the fixed layout: blanks
 * between the fields and after column 61, no tabs. Header and comment lines
 * are not checked. */
int dqp_qps_fixed_layout(const char *text, size_t len);

/* Parse a number: [+-](digits[.digits]|.digits)[(e|E|d|D)[+-]digits] or
 * [+-]inf/infinity. Locale-independent. Returns 1 on success. A finite
 * literal too large for a double gives +-inf. */
int dqp_qps_number(dqp_qps_str s, double *out);

/* Case-insensitive comparison with an ASCII keyword. */
int dqp_qps_is(dqp_qps_str s, const char *keyword);
/* Exact (case-sensitive) equality of two slices. */
int dqp_qps_same(dqp_qps_str a, dqp_qps_str b);

/* ---------------------------------------------------------------- qps_names.c */

/* Names in insertion order (index 0, 1, ...) stored NUL-terminated in one
 * arena, with an open-addressing hash table for lookups. */
typedef struct dqp_qps_names {
    char *arena;
    int64_t arena_len, arena_cap;
    int64_t *off;   /* offset of name k in arena */
    uint64_t *hash; /* hash of name k (rehashing and quick comparison) */
    int64_t count, cap;
    int64_t *slot; /* -1 empty, else a name index; nslot is a power of two */
    int64_t nslot;
} dqp_qps_names;

/* Index of the name, or -1. */
int64_t dqp_qps_names_find(const dqp_qps_names *t, dqp_qps_str s);
/* Append a name that is not present; its index is count-1 afterwards.
 * DQP_ERR_NOMEM on failure (the table stays usable). */
dqp_status dqp_qps_names_add(dqp_qps_names *t, dqp_qps_str s);
const char *dqp_qps_names_get(const dqp_qps_names *t, int64_t k);
void dqp_qps_names_free(dqp_qps_names *t);

/* Grow a dynamic array so that it holds at least `need` elements of `size`
 * bytes (capacity doubles). Returns 0 when out of memory (array unchanged). */
int dqp_qps_grow(void **arr, int64_t *cap, int64_t need, size_t size);

/* ---------------------------------------------------------------- qps_parse.c */

/* One constraint (non-N) row of the file. */
typedef struct dqp_qps_con {
    int64_t name; /* index in the row name table */
    char type;    /* 'E', 'L' or 'G' */
    int has_range;
    double rhs, range;
    int64_t rhs_line, range_line;
} dqp_qps_con;

/* Bound flags of a column. */
enum {
    DQP_QPS_LB_SET = 1, /* lower bound given explicitly (LO, MI, FR, FX, BV, LI) */
    DQP_QPS_UP_NEG = 2  /* the last upper bound came from UP/UI with a negative value */
};

typedef struct dqp_qps_col {
    double c, lb, ub;
    int64_t c_line;
    unsigned flags;
} dqp_qps_col;

/* An entry (row or column i, column j, value) with its line, for A and Q. */
typedef struct dqp_qps_trip {
    int64_t i, j;
    double v;
    int64_t line;
} dqp_qps_trip;

/* Everything read from the file, before the canonical conversion. */
typedef struct dqp_qps_raw {
    const char *label;
    int fixed;
    dqp_qps_names rows; /* every row of ROWS, N rows included */
    dqp_qps_names cols;
    int64_t *row_con; /* per row: constraint index, -1 objective, -2 other N row */
    int64_t row_cap;
    dqp_qps_con *con;
    int64_t ncon, con_cap;
    dqp_qps_col *col;
    int64_t col_cap;
    dqp_qps_trip *a; /* constraint matrix entries, i = constraint index */
    int64_t na, a_cap;
    dqp_qps_trip *q; /* quadratic entries as given, i and j column indices */
    int64_t nq, q_cap;
    int q_full; /* 1 for QMATRIX (both triangles), 0 for QUADOBJ/QSECTION */
    double c0;
    int sense;  /* +1 min, -1 max */
    char *name; /* NAME field, allocated ("" when absent) */
    int64_t last_line;
} dqp_qps_raw;

/* Parse text in free (fixed = 0) or fixed format into raw. On error returns
 * DQP_ERR_PARSE or DQP_ERR_NOMEM with "LABEL:LINE: reason" in msg and the
 * line in *err_line. raw must be zeroed before; free it with
 * dqp_qps_raw_free in every case. */
dqp_status dqp_qps_parse(dqp_qps_raw *raw, const char *text, size_t len, const char *label,
                         int fixed, dqp_message *msg, int64_t *err_line);
void dqp_qps_raw_free(dqp_qps_raw *raw);

/* ---------------------------------------------------------------- qps_canon.c */

/* The canonical problem built from a raw model. */
typedef struct dqp_qps_canon {
    dqp_problem *prob;
    dqp_row_origin *eq, *ineq; /* origin of each row of A and of C */
    int64_t m_eq, m_ineq;
} dqp_qps_canon;

/* Check duplicates and QMATRIX symmetry, then convert raw to the canonical
 * form of dqp/qps.h (sorts the entry lists of raw). On error (DQP_ERR_PARSE
 * with "LABEL:LINE: reason", or DQP_ERR_NOMEM) out is left empty. */
dqp_status dqp_qps_assemble(dqp_qps_raw *raw, dqp_qps_canon *out, dqp_message *msg);
void dqp_qps_canon_free(dqp_qps_canon *c);

/* Write "LABEL:LINE: reason" into msg and return code. */
dqp_status dqp_qps_error(dqp_message *msg, dqp_status code, const char *label, int64_t line,
                         const char *fmt, ...) __attribute__((format(printf, 5, 6)));

#endif
