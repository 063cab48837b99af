/* qps_parse.c - section-by-section parsing of QPS/MPS text into the raw file model. */
#include "io/qps_internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

enum section {
    SEC_NONE,
    SEC_NAME,
    SEC_OBJSENSE,
    SEC_OBJNAME,
    SEC_ROWS,
    SEC_COLUMNS,
    SEC_RHS,
    SEC_RANGES,
    SEC_BOUNDS,
    SEC_QUAD,
    SEC_END
};

static const char *const section_names[] = {"",       "NAME",      "OBJSENSE", "OBJNAME",
                                            "ROWS",   "COLUMNS",   "RHS",      "RANGES",
                                            "BOUNDS", "quadratic", "ENDATA"};

/* Vector-name slots: only one RHS, RANGES and BOUNDS vector is supported. */
enum { SET_RHS, SET_RANGES, SET_BOUNDS };
static const char *const set_names[] = {"RHS", "RANGES", "BOUNDS"};

typedef struct parser {
    dqp_qps_raw *raw;
    dqp_message *msg;
    int64_t line;
    int section;
    unsigned seen;    /* bit (1 << section) for every section started */
    int sense_wanted; /* OBJSENSE header without a value: the next line has it */
    int objname_wanted;
    dqp_qps_str objname; /* from OBJNAME, empty when absent */
    int64_t obj_row;     /* index of the objective among all rows, -1 until found */
    int64_t c0_line;
    dqp_qps_str set[3];
    int set_given[3];
} parser;

/* Arguments for quoting a slice in a message: "%.*s", clipped. */
#define QUOTE(s) (int)((s).len < DQP_QPS_QUOTE ? (s).len : DQP_QPS_QUOTE), (s).p

dqp_status dqp_qps_error(dqp_message *msg, dqp_status code, const char *label, int64_t line,
                         const char *fmt, ...) {
    char reason[DQP_MESSAGE_LEN];
    va_list ap;
    va_start(ap, fmt);
    dqp_vfmt(reason, sizeof reason, fmt, ap);
    va_end(ap);
    return dqp_fail(msg, code, "%s:%lld: %s", label, (long long)line, reason);
}

static dqp_status fail(parser *ps, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static dqp_status fail(parser *ps, const char *fmt, ...) {
    char reason[DQP_MESSAGE_LEN];
    va_list ap;
    va_start(ap, fmt);
    dqp_vfmt(reason, sizeof reason, fmt, ap);
    va_end(ap);
    return dqp_qps_error(ps->msg, DQP_ERR_PARSE, ps->raw->label, ps->line, "%s", reason);
}

static dqp_status nomem(parser *ps) {
    return dqp_qps_error(ps->msg, DQP_ERR_NOMEM, ps->raw->label, ps->line, "out of memory");
}

static dqp_qps_str cstr(const char *s) {
    dqp_qps_str r = {s, strlen(s)};
    return r;
}

/* ---------------------------------------------------------------- fields */

/* A data line as the six logical fields of the MPS layout:
 * f[0] type, f[1] name, f[2] name, f[3] value, f[4] name, f[5] value. */
typedef struct fields {
    dqp_qps_str f[6];
} fields;

static int is_marker(const fields *fl) { return dqp_qps_same(fl->f[2], cstr("'MARKER'")); }

/* Place tokens tok[0..n-1] into the fields listed in `at`. */
static void place(fields *fl, const dqp_qps_str *tok, const int *at, int n) {
    for (int k = 0; k < n; k++)
        fl->f[at[k]] = tok[k];
}

/* Free format: map the whitespace-separated tokens to fields by count. */
static dqp_status free_fields(parser *ps, dqp_qps_str line, fields *fl) {
    static const int rows2[] = {0, 1};
    static const int cols3[] = {1, 2, 3}, cols5[] = {1, 2, 3, 4, 5};
    static const int marker3[] = {1, 2, 4};
    static const int rhs2[] = {2, 3}, rhs4[] = {2, 3, 4, 5};
    static const int bnd2[] = {0, 2}, bnd3set[] = {0, 1, 2}, bnd3val[] = {0, 2, 3};
    static const int bnd4[] = {0, 1, 2, 3};
    dqp_qps_str tok[6];
    int n = dqp_qps_split(line, tok, 6);
    memset(fl, 0, sizeof *fl);
    switch (ps->section) {
    case SEC_ROWS:
        if (n != 2)
            return fail(ps, "ROWS line needs 2 fields (type and name), found %d", n);
        place(fl, tok, rows2, 2);
        return DQP_OK;
    case SEC_COLUMNS:
        if (n == 3 && dqp_qps_same(tok[1], cstr("'MARKER'")))
            place(fl, tok, marker3, 3);
        else if (n == 3 || n == 5)
            place(fl, tok, n == 3 ? cols3 : cols5, n);
        else
            return fail(ps, "COLUMNS line needs 3 or 5 fields, found %d", n);
        return DQP_OK;
    case SEC_RHS:
    case SEC_RANGES:
        /* The vector name is optional: 2 or 4 fields without it, 3 or 5 with it. */
        if (n < 2 || n > 5)
            return fail(ps, "%s line needs 2 to 5 fields, found %d", section_names[ps->section], n);
        if (n % 2 == 0)
            place(fl, tok, n == 2 ? rhs2 : rhs4, n);
        else
            place(fl, tok, cols5, n);
        return DQP_OK;
    case SEC_BOUNDS:
        if (n < 2 || n > 4)
            return fail(ps, "BOUNDS line needs 2 to 4 fields, found %d", n);
        if (n == 2)
            place(fl, tok, bnd2, 2);
        else if (n == 4)
            place(fl, tok, bnd4, 4);
        else {
            /* Three fields: "TYPE SET COL" or "TYPE COL VALUE" (vector name omitted, as in
             * QGFRDXPN). Bound types with a value always mean the latter; for the others
             * the third field decides: a known column is the column. */
            int valued = dqp_qps_is(tok[0], "UP") || dqp_qps_is(tok[0], "LO") ||
                         dqp_qps_is(tok[0], "FX") || dqp_qps_is(tok[0], "LI") ||
                         dqp_qps_is(tok[0], "UI");
            int set_col = !valued && dqp_qps_names_find(&ps->raw->cols, tok[2]) >= 0;
            place(fl, tok, set_col ? bnd3set : bnd3val, 3);
        }
        return DQP_OK;
    case SEC_QUAD:
        if (n != 3)
            return fail(ps,
                        "quadratic section line needs 3 fields (column, column, value), "
                        "found %d",
                        n);
        place(fl, tok, cols3, 3);
        return DQP_OK;
    default:
        return fail(ps, "internal: no fields for this section");
    }
}

/* Fixed format: cut the line at the field columns; fields a section does not
 * use must be blank. */
static dqp_status fixed_fields(parser *ps, dqp_qps_str line, fields *fl) {
    for (int k = 0; k < 6; k++)
        fl->f[k] = dqp_qps_fixed_field(line, k + 1);
    unsigned unused = 0; /* bit k: field k+1 must be empty */
    switch (ps->section) {
    case SEC_ROWS:
        unused = 0x3c;
        break;
    case SEC_COLUMNS:
        unused = is_marker(fl) ? 0x29 : 0x01;
        break;
    case SEC_RHS:
    case SEC_RANGES:
        unused = 0x01;
        break;
    case SEC_BOUNDS:
        unused = 0x30;
        break;
    case SEC_QUAD:
        unused = 0x31;
        break;
    default:
        break;
    }
    for (int k = 0; k < 6; k++)
        if ((unused >> k & 1u) && fl->f[k].len > 0)
            return fail(ps, "unexpected text '%.*s' in field %d of a %s line", QUOTE(fl->f[k]),
                        k + 1, section_names[ps->section]);
    return DQP_OK;
}

/* ---------------------------------------------------------------- values */

static dqp_status number(parser *ps, dqp_qps_str s, const char *what, double *v) {
    if (s.len == 0)
        return fail(ps, "missing %s", what);
    if (!dqp_qps_number(s, v))
        return fail(ps, "invalid number '%.*s' for %s", QUOTE(s), what);
    return DQP_OK;
}

/* A number that must be finite (matrix and objective entries). */
static dqp_status finite_number(parser *ps, dqp_qps_str s, const char *what, double *v) {
    dqp_status st = number(ps, s, what, v);
    if (st == DQP_OK && !isfinite(*v))
        return fail(ps, "value '%.*s' for %s is not finite", QUOTE(s), what);
    return st;
}

/* Row index among all rows for a name, or an error naming the section. */
static dqp_status find_row(parser *ps, dqp_qps_str name, int64_t *r) {
    if (name.len == 0)
        return fail(ps, "missing row name");
    *r = dqp_qps_names_find(&ps->raw->rows, name);
    if (*r < 0)
        return fail(ps, "unknown row '%.*s' in %s", QUOTE(name), section_names[ps->section]);
    return DQP_OK;
}

static dqp_status find_col(parser *ps, dqp_qps_str name, int64_t *j) {
    if (name.len == 0)
        return fail(ps, "missing column name");
    *j = dqp_qps_names_find(&ps->raw->cols, name);
    if (*j < 0)
        return fail(ps, "unknown column '%.*s' in %s", QUOTE(name),
                    ps->section == SEC_QUAD ? "the quadratic section" : section_names[ps->section]);
    return DQP_OK;
}

static dqp_status push_trip(parser *ps, dqp_qps_trip **arr, int64_t *count, int64_t *cap, int64_t i,
                            int64_t j, double v) {
    if (!dqp_qps_grow((void **)arr, cap, *count + 1, sizeof **arr))
        return nomem(ps);
    dqp_qps_trip t = {i, j, v, ps->line};
    (*arr)[(*count)++] = t;
    return DQP_OK;
}

/* Only one RHS / RANGES / BOUNDS vector per file: a second name is an error
 * rather than silently ignored. An empty name matches any. */
static dqp_status check_set(parser *ps, int which, dqp_qps_str name) {
    if (name.len == 0)
        return DQP_OK;
    if (!ps->set_given[which]) {
        ps->set[which] = name;
        ps->set_given[which] = 1;
        return DQP_OK;
    }
    if (!dqp_qps_same(ps->set[which], name))
        return fail(ps, "second %s vector '%.*s' (the first is '%.*s'); only one is supported",
                    set_names[which], QUOTE(name), QUOTE(ps->set[which]));
    return DQP_OK;
}

/* ---------------------------------------------------------------- ROWS */

static dqp_status rows_line(parser *ps, const fields *fl) {
    dqp_qps_raw *raw = ps->raw;
    dqp_qps_str type = fl->f[0], name = fl->f[1];
    if (name.len == 0)
        return fail(ps, "missing row name");
    char t = type.len == 1 ? type.p[0] : '?';
    if (t >= 'a' && t <= 'z')
        t = (char)(t - 'a' + 'A');
    if (t != 'N' && t != 'E' && t != 'L' && t != 'G')
        return fail(ps, "unknown row type '%.*s' (expected N, E, L or G)", QUOTE(type));
    if (dqp_qps_names_find(&raw->rows, name) >= 0)
        return fail(ps, "duplicate row name '%.*s'", QUOTE(name));
    int64_t r = raw->rows.count;
    if (!dqp_qps_grow((void **)&raw->row_con, &raw->row_cap, r + 1, sizeof *raw->row_con) ||
        dqp_qps_names_add(&raw->rows, name) != DQP_OK)
        return nomem(ps);
    if (t == 'N') {
        /* The objective is the first N row, or the one OBJNAME names; other N
         * rows are free rows and are dropped. */
        int is_obj = ps->obj_row < 0 && (ps->objname.len == 0 || dqp_qps_same(name, ps->objname));
        if (is_obj)
            ps->obj_row = r;
        raw->row_con[r] = is_obj ? -1 : -2;
        return DQP_OK;
    }
    if (!dqp_qps_grow((void **)&raw->con, &raw->con_cap, raw->ncon + 1, sizeof *raw->con))
        return nomem(ps);
    dqp_qps_con c = {r, t, 0, 0.0, 0.0, 0, 0};
    raw->con[raw->ncon] = c;
    raw->row_con[r] = raw->ncon++;
    return DQP_OK;
}

/* ---------------------------------------------------------------- COLUMNS */

static dqp_status column_entry(parser *ps, int64_t j, dqp_qps_str row, dqp_qps_str val) {
    dqp_qps_raw *raw = ps->raw;
    int64_t r = -1;
    double v;
    dqp_status st;
    if ((st = find_row(ps, row, &r)) != DQP_OK || (st = finite_number(ps, val, "the entry", &v)))
        return st;
    int64_t k = raw->row_con[r];
    if (k == -2)
        return DQP_OK; /* a free N row other than the objective */
    if (k == -1) {
        dqp_qps_col *c = &raw->col[j];
        if (c->c_line > 0)
            return fail(ps, "duplicate objective coefficient for column '%s' (first on line %lld)",
                        dqp_qps_names_get(&raw->cols, j), (long long)c->c_line);
        c->c = v;
        c->c_line = ps->line;
        return DQP_OK;
    }
    return push_trip(ps, &raw->a, &raw->na, &raw->a_cap, k, j, v);
}

static dqp_status columns_line(parser *ps, const fields *fl) {
    dqp_qps_raw *raw = ps->raw;
    if (is_marker(fl)) {
        /* Integrality markers: accepted, integrality is ignored. */
        if (!dqp_qps_same(fl->f[4], cstr("'INTORG'")) && !dqp_qps_same(fl->f[4], cstr("'INTEND'")))
            return fail(ps, "MARKER line needs 'INTORG' or 'INTEND', found '%.*s'",
                        QUOTE(fl->f[4]));
        return DQP_OK;
    }
    dqp_qps_str name = fl->f[1];
    if (name.len == 0)
        return fail(ps, "missing column name");
    /* Entries of a column are normally contiguous; a column that reappears
     * later simply gets more entries (duplicates are caught at assembly). */
    int64_t j = dqp_qps_names_find(&raw->cols, name);
    if (j < 0) {
        j = raw->cols.count;
        if (!dqp_qps_grow((void **)&raw->col, &raw->col_cap, j + 1, sizeof *raw->col) ||
            dqp_qps_names_add(&raw->cols, name) != DQP_OK)
            return nomem(ps);
        dqp_qps_col c = {0.0, 0.0, HUGE_VAL, 0, 0};
        raw->col[j] = c;
    }
    dqp_status st = column_entry(ps, j, fl->f[2], fl->f[3]);
    if (st == DQP_OK && (fl->f[4].len > 0 || fl->f[5].len > 0))
        st = column_entry(ps, j, fl->f[4], fl->f[5]);
    return st;
}

/* ---------------------------------------------------------------- RHS and RANGES */

static dqp_status rhs_entry(parser *ps, dqp_qps_str row, dqp_qps_str val) {
    dqp_qps_raw *raw = ps->raw;
    int64_t r = -1;
    double v;
    dqp_status st;
    if ((st = find_row(ps, row, &r)) != DQP_OK || (st = number(ps, val, "the RHS", &v)))
        return st;
    if (!(fabs(v) < DQP_QPS_INF))
        return fail(ps, "RHS '%.*s' of row '%.*s' is infinite; right-hand sides must be finite",
                    QUOTE(val), QUOTE(row));
    int64_t k = raw->row_con[r];
    if (k == -2)
        return DQP_OK;
    if (k == -1) {
        if (ps->c0_line > 0)
            return fail(ps, "duplicate RHS for the objective row (first on line %lld)",
                        (long long)ps->c0_line);
        raw->c0 = -v; /* the objective row's RHS is minus the constant term */
        ps->c0_line = ps->line;
        return DQP_OK;
    }
    dqp_qps_con *c = &raw->con[k];
    if (c->rhs_line > 0)
        return fail(ps, "duplicate RHS for row '%.*s' (first on line %lld)", QUOTE(row),
                    (long long)c->rhs_line);
    c->rhs = v;
    c->rhs_line = ps->line;
    return DQP_OK;
}

static dqp_status range_entry(parser *ps, dqp_qps_str row, dqp_qps_str val) {
    dqp_qps_raw *raw = ps->raw;
    int64_t r = -1;
    double v;
    dqp_status st;
    if ((st = find_row(ps, row, &r)) != DQP_OK || (st = number(ps, val, "the range", &v)))
        return st;
    if (!(fabs(v) < DQP_QPS_INF))
        return fail(ps, "range '%.*s' of row '%.*s' is infinite; ranges must be finite", QUOTE(val),
                    QUOTE(row));
    int64_t k = raw->row_con[r];
    if (k < 0)
        return fail(ps, "RANGES entry for the N row '%.*s'", QUOTE(row));
    dqp_qps_con *c = &raw->con[k];
    if (c->has_range)
        return fail(ps, "duplicate RANGES entry for row '%.*s' (first on line %lld)", QUOTE(row),
                    (long long)c->range_line);
    c->has_range = 1;
    c->range = v;
    c->range_line = ps->line;
    return DQP_OK;
}

static dqp_status rhs_line(parser *ps, const fields *fl, int ranges) {
    dqp_status st = check_set(ps, ranges ? SET_RANGES : SET_RHS, fl->f[1]);
    dqp_status (*entry)(parser *, dqp_qps_str, dqp_qps_str) = ranges ? range_entry : rhs_entry;
    if (st == DQP_OK)
        st = entry(ps, fl->f[2], fl->f[3]);
    if (st == DQP_OK && (fl->f[4].len > 0 || fl->f[5].len > 0))
        st = entry(ps, fl->f[4], fl->f[5]);
    return st;
}

/* ---------------------------------------------------------------- BOUNDS */

enum bound_type { B_UP, B_LO, B_FX, B_FR, B_MI, B_PL, B_BV, B_LI, B_UI, B_UNKNOWN };
static const char *const bound_names[] = {"UP", "LO", "FX", "FR", "MI", "PL", "BV", "LI", "UI"};

static int bound_type(dqp_qps_str s) {
    for (int k = 0; k < B_UNKNOWN; k++)
        if (dqp_qps_is(s, bound_names[k]))
            return k;
    return B_UNKNOWN;
}

/* Apply one bound. MPS applies bounds in file order; the negative-UP rule is
 * resolved after the whole section (see dqp/qps.h). */
static dqp_status apply_bound(parser *ps, dqp_qps_col *c, int type, double v, dqp_qps_str vs) {
    const char *cname = bound_names[type];
    switch (type) {
    case B_UP:
    case B_UI:
        if (v <= -DQP_QPS_INF)
            return fail(ps, "%s bound '%.*s' is -infinity", cname, QUOTE(vs));
        c->ub = v >= DQP_QPS_INF ? HUGE_VAL : v;
        if (v < 0)
            c->flags |= DQP_QPS_UP_NEG;
        else
            c->flags &= ~(unsigned)DQP_QPS_UP_NEG;
        break;
    case B_LO:
    case B_LI:
        if (v >= DQP_QPS_INF)
            return fail(ps, "%s bound '%.*s' is +infinity", cname, QUOTE(vs));
        c->lb = v <= -DQP_QPS_INF ? -HUGE_VAL : v;
        c->flags |= DQP_QPS_LB_SET;
        break;
    case B_FX:
        if (!(fabs(v) < DQP_QPS_INF))
            return fail(ps, "FX bound '%.*s' is infinite", QUOTE(vs));
        c->lb = c->ub = v;
        c->flags = DQP_QPS_LB_SET;
        break;
    case B_FR:
        c->lb = -HUGE_VAL;
        c->ub = HUGE_VAL;
        c->flags = DQP_QPS_LB_SET;
        break;
    case B_MI: /* modern convention: the upper bound is left unchanged */
        c->lb = -HUGE_VAL;
        c->flags |= DQP_QPS_LB_SET;
        break;
    case B_PL:
        c->ub = HUGE_VAL;
        c->flags &= ~(unsigned)DQP_QPS_UP_NEG;
        break;
    default: /* B_BV: binary, integrality ignored */
        c->lb = 0.0;
        c->ub = 1.0;
        c->flags = DQP_QPS_LB_SET;
        break;
    }
    return DQP_OK;
}

static dqp_status bounds_line(parser *ps, const fields *fl) {
    dqp_qps_str type_s = fl->f[0], col_s = fl->f[2], val_s = fl->f[3];
    int type = bound_type(type_s);
    if (type == B_UNKNOWN) {
        if (dqp_qps_is(type_s, "SC"))
            return fail(ps, "bound type SC (semi-continuous) is not supported");
        return fail(ps, "unknown bound type '%.*s'", QUOTE(type_s));
    }
    dqp_status st = check_set(ps, SET_BOUNDS, fl->f[1]);
    int64_t j = -1;
    if (st == DQP_OK)
        st = find_col(ps, col_s, &j);
    if (st != DQP_OK)
        return st;
    /* FR, MI, PL and BV take no value; one that is present is ignored. */
    int valued = type == B_UP || type == B_LO || type == B_FX || type == B_LI || type == B_UI;
    double v = 0.0;
    if (valued && (st = number(ps, val_s, "the bound", &v)) != DQP_OK)
        return st;
    if (valued && isnan(v))
        return fail(ps, "bound '%.*s' is not a number", QUOTE(val_s));
    return apply_bound(ps, &ps->raw->col[j], type, v, val_s);
}

/* ---------------------------------------------------------------- quadratic */

static dqp_status quad_line(parser *ps, const fields *fl) {
    int64_t i = -1, j = -1;
    double v;
    dqp_status st;
    if ((st = find_col(ps, fl->f[1], &i)) != DQP_OK || (st = find_col(ps, fl->f[2], &j)) ||
        (st = finite_number(ps, fl->f[3], "the quadratic entry", &v)))
        return st;
    dqp_qps_raw *raw = ps->raw;
    return push_trip(ps, &raw->q, &raw->nq, &raw->q_cap, i, j, v);
}

/* ---------------------------------------------------------------- OBJSENSE, OBJNAME */

static dqp_status set_sense(parser *ps, dqp_qps_str s) {
    if (dqp_qps_is(s, "MAX") || dqp_qps_is(s, "MAXIMIZE"))
        ps->raw->sense = -1;
    else if (dqp_qps_is(s, "MIN") || dqp_qps_is(s, "MINIMIZE"))
        ps->raw->sense = 1;
    else
        return fail(ps, "OBJSENSE must be MIN or MAX, found '%.*s'", QUOTE(s));
    return DQP_OK;
}

/* The single-value lines of OBJSENSE and OBJNAME (blank-separated in both formats). */
static dqp_status value_line(parser *ps, dqp_qps_str line) {
    dqp_qps_str tok[2];
    int n = dqp_qps_split(line, tok, 2);
    int *wanted = ps->section == SEC_OBJSENSE ? &ps->sense_wanted : &ps->objname_wanted;
    if (!*wanted || n != 1)
        return fail(ps, "unexpected line in the %s section", section_names[ps->section]);
    *wanted = 0;
    if (ps->section == SEC_OBJSENSE)
        return set_sense(ps, tok[0]);
    ps->objname = tok[0];
    return DQP_OK;
}

/* ---------------------------------------------------------------- sections */

static int section_of(dqp_qps_str kw) {
    static const struct {
        const char *name;
        int section;
    } table[] = {{"NAME", SEC_NAME},       {"OBJSENSE", SEC_OBJSENSE}, {"OBJSENS", SEC_OBJSENSE},
                 {"OBJNAME", SEC_OBJNAME}, {"ROWS", SEC_ROWS},         {"COLUMNS", SEC_COLUMNS},
                 {"RHS", SEC_RHS},         {"RANGES", SEC_RANGES},     {"BOUNDS", SEC_BOUNDS},
                 {"QUADOBJ", SEC_QUAD},    {"QSECTION", SEC_QUAD},     {"QMATRIX", SEC_QUAD},
                 {"ENDATA", SEC_END}};
    for (size_t k = 0; k < sizeof table / sizeof table[0]; k++)
        if (dqp_qps_is(kw, table[k].name))
            return table[k].section;
    return SEC_NONE;
}

/* Sections of other MPS extensions that a QP reader cannot represent. */
static int unsupported_section(dqp_qps_str kw) {
    static const char *const names[] = {"QCMATRIX",   "CSECTION", "SOS",      "SETS",
                                        "INDICATORS", "GENCONS",  "PWLOBJ",   "LAZYCONS",
                                        "USERCUTS",   "BRANCH",   "SCENARIOS"};
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
        if (dqp_qps_is(kw, names[k]))
            return 1;
    return 0;
}

#define BIT(s) (1u << (s))

/* Order rules: NAME first; OBJNAME before ROWS; ROWS before everything that
 * names rows or columns; COLUMNS before RHS, RANGES, BOUNDS and the
 * quadratic section; no section twice. */
static dqp_status check_order(parser *ps, int sec, dqp_qps_str kw) {
    unsigned after_columns = BIT(SEC_RHS) | BIT(SEC_RANGES) | BIT(SEC_BOUNDS) | BIT(SEC_QUAD);
    if (ps->seen & BIT(sec))
        return fail(ps,
                    sec == SEC_QUAD ? "a second quadratic section '%.*s'"
                                    : "section '%.*s' appears twice",
                    QUOTE(kw));
    if (sec == SEC_NAME && ps->seen)
        return fail(ps, "NAME must be the first section");
    if (sec == SEC_OBJNAME && (ps->seen & BIT(SEC_ROWS)))
        return fail(ps, "OBJNAME must come before ROWS");
    if (sec >= SEC_COLUMNS && sec <= SEC_QUAD && !(ps->seen & BIT(SEC_ROWS)))
        return fail(ps, "section '%.*s' before ROWS", QUOTE(kw));
    if (sec == SEC_COLUMNS && (ps->seen & after_columns))
        return fail(ps, "COLUMNS must come before RHS, RANGES, BOUNDS and the quadratic section");
    return DQP_OK;
}

/* The NAME value: columns 15-22 in fixed format, else the first word. */
static dqp_status set_name(parser *ps, dqp_qps_str line, const dqp_qps_str *tok, int n) {
    dqp_qps_str name = {line.p, 0};
    if (ps->raw->fixed)
        name = dqp_qps_fixed_field(line, 3);
    if (name.len == 0 && n >= 2)
        name = tok[1];
    char *copy = dqp_alloc((int64_t)name.len + 1, 1);
    if (!copy)
        return nomem(ps);
    if (name.len > 0)
        memcpy(copy, name.p, name.len);
    copy[name.len] = '\0';
    dqp_free(ps->raw->name);
    ps->raw->name = copy;
    return DQP_OK;
}

/* QSECTION may name the row it belongs to: only the objective is supported. */
static dqp_status quad_header(parser *ps, dqp_qps_str kw, const dqp_qps_str *tok, int n) {
    if (dqp_qps_is(kw, "QMATRIX"))
        ps->raw->q_full = 1;
    if (n == 1)
        return DQP_OK;
    if (n == 2 && dqp_qps_is(kw, "QSECTION")) {
        int64_t r = dqp_qps_names_find(&ps->raw->rows, tok[1]);
        if (r >= 0 && r == ps->obj_row)
            return DQP_OK;
        return fail(ps, "QSECTION for row '%.*s': quadratic constraints are not supported",
                    QUOTE(tok[1]));
    }
    return fail(ps, "unexpected text after '%.*s'", QUOTE(kw));
}

static dqp_status header(parser *ps, dqp_qps_str line) {
    dqp_qps_str tok[3];
    int n = dqp_qps_split(line, tok, 3);
    dqp_qps_str kw = tok[0];
    int sec = section_of(kw);
    if (sec == SEC_NONE) {
        if (unsupported_section(kw))
            return fail(ps, "section '%.*s' is not supported", QUOTE(kw));
        return fail(ps, "unknown section '%.*s'", QUOTE(kw));
    }
    if (ps->sense_wanted || ps->objname_wanted)
        return fail(ps, "%s without a value", section_names[ps->section]);
    if (ps->section == SEC_ROWS && ps->obj_row < 0)
        return fail(ps, ps->objname.len ? "no N row named by OBJNAME in ROWS"
                                        : "no objective (N) row in ROWS");
    dqp_status st = check_order(ps, sec, kw);
    if (st != DQP_OK)
        return st;
    ps->seen |= BIT(sec);
    ps->section = sec;
    switch (sec) {
    case SEC_NAME:
        return set_name(ps, line, tok, n);
    case SEC_OBJSENSE:
    case SEC_OBJNAME:
        if (n > 2)
            return fail(ps, "unexpected text after '%.*s'", QUOTE(kw));
        if (n == 1) {
            *(sec == SEC_OBJSENSE ? &ps->sense_wanted : &ps->objname_wanted) = 1;
            return DQP_OK;
        }
        if (sec == SEC_OBJSENSE)
            return set_sense(ps, tok[1]);
        ps->objname = tok[1];
        return DQP_OK;
    case SEC_QUAD:
        return quad_header(ps, kw, tok, n);
    case SEC_END:
        if (!(ps->seen & BIT(SEC_ROWS)))
            return fail(ps, "no ROWS section before ENDATA");
        return DQP_OK;
    default:
        if (n > 1)
            return fail(ps, "unexpected text after '%.*s'", QUOTE(kw));
        return DQP_OK;
    }
}

static dqp_status data(parser *ps, dqp_qps_str line) {
    fields fl;
    dqp_status st;
    switch (ps->section) {
    case SEC_NONE:
        return fail(ps, "data line before the first section");
    case SEC_NAME:
        return fail(ps, "data line after NAME (expected a section such as ROWS)");
    case SEC_OBJSENSE:
    case SEC_OBJNAME:
        return value_line(ps, line);
    default:
        break;
    }
    st = ps->raw->fixed ? fixed_fields(ps, line, &fl) : free_fields(ps, line, &fl);
    if (st != DQP_OK)
        return st;
    switch (ps->section) {
    case SEC_ROWS:
        return rows_line(ps, &fl);
    case SEC_COLUMNS:
        return columns_line(ps, &fl);
    case SEC_RHS:
        return rhs_line(ps, &fl, 0);
    case SEC_RANGES:
        return rhs_line(ps, &fl, 1);
    case SEC_BOUNDS:
        return bounds_line(ps, &fl);
    default:
        return quad_line(ps, &fl);
    }
}

static int all_blank(dqp_qps_str line) {
    for (size_t k = 0; k < line.len; k++)
        if (line.p[k] != ' ' && line.p[k] != '\t')
            return 0;
    return 1;
}

/* After ENDATA: the negative-UP rule (documented in dqp/qps.h). */
static void finish(dqp_qps_raw *raw) {
    for (int64_t j = 0; j < raw->cols.count; j++) {
        dqp_qps_col *c = &raw->col[j];
        if ((c->flags & DQP_QPS_UP_NEG) && !(c->flags & DQP_QPS_LB_SET))
            c->lb = -HUGE_VAL;
    }
}

dqp_status dqp_qps_parse(dqp_qps_raw *raw, const char *text, size_t len, const char *label,
                         int fixed, dqp_message *msg, int64_t *err_line) {
    parser ps;
    memset(&ps, 0, sizeof ps);
    ps.raw = raw;
    ps.msg = msg;
    ps.obj_row = -1;
    raw->label = label;
    raw->fixed = fixed;
    raw->sense = 1;
    dqp_status st = DQP_OK;
    size_t pos = 0;
    dqp_qps_str line;
    while (st == DQP_OK && ps.section != SEC_END && dqp_qps_next_line(text, len, &pos, &line)) {
        ps.line++;
        if (line.len > DQP_QPS_MAX_LINE)
            st = fail(&ps, "line longer than %d characters", DQP_QPS_MAX_LINE);
        else if (memchr(line.p, '\0', line.len))
            st = fail(&ps, "NUL byte in the line (binary data?)");
        else if (line.len == 0 || line.p[0] == '*' || all_blank(line))
            continue; /* comments and blank lines */
        else if (line.p[0] == ' ' || line.p[0] == '\t')
            st = data(&ps, line);
        else
            st = header(&ps, line); /* section keywords start in column 1 */
    }
    /* Required so that a truncated file is an error, not a smaller problem. */
    if (st == DQP_OK && ps.line == 0) {
        ps.line = 1;
        st = fail(&ps, "empty input");
    } else if (st == DQP_OK && ps.section != SEC_END) {
        st = fail(&ps, "missing ENDATA at the end of the input (file truncated?)");
    }
    if (st == DQP_OK)
        finish(raw);
    raw->last_line = ps.line;
    *err_line = ps.line;
    return st;
}

void dqp_qps_raw_free(dqp_qps_raw *raw) {
    dqp_qps_names_free(&raw->rows);
    dqp_qps_names_free(&raw->cols);
    dqp_free(raw->row_con);
    dqp_free(raw->con);
    dqp_free(raw->col);
    dqp_free(raw->a);
    dqp_free(raw->q);
    dqp_free(raw->name);
    memset(raw, 0, sizeof *raw);
}
