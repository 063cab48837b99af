/* settings.c - defaults and name-based get/set of dqp_settings (table driven). */
#include "core/internal.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

typedef enum { T_NAME, T_ENUM, T_DOUBLE, T_BOOL, T_INT, T_INT64, T_KEYWORDS } field_type;

typedef struct field {
    const char *name;
    field_type type;
    size_t offset;
    double lo, hi;          /* numeric range (inclusive) */
    int lo_open;            /* 1: lower bound exclusive (tolerances must be > 0) */
    const char *const *choices; /* enum names, NULL-terminated, index = value */
    const char *help;
} field;

static const char *const solve_types[] = {"auto", "dense", "sparse", NULL};
static const char *const weak_conventions[] = {"keep", "drop", NULL};

#define OFF(f) offsetof(dqp_settings, f)
static const field fields[] = {
    {"qp_solver", T_NAME, OFF(qp_solver), 0, 0, 0, NULL,
     "forward QP solver name, \"auto\" picks by problem kind"},
    {"lin_solver", T_NAME, OFF(lin_solver), 0, 0, 0, NULL,
     "KKT linear solver for the derivative: auto, ldl, cholmod, mumps, lapack"},
    {"solve_type", T_ENUM, OFF(solve_type), 0, 0, 0, solve_types,
     "dense, sparse, or auto (from the form of the data)"},
    {"eps_abs", T_DOUBLE, OFF(eps_abs), 0, 1, 1, NULL, "absolute tolerance of the forward solve"},
    {"eps_rel", T_DOUBLE, OFF(eps_rel), 0, 1, 0, NULL, "relative tolerance of the forward solve"},
    {"eps_active", T_DOUBLE, OFF(eps_active), 0, INFINITY, 1, NULL,
     "relative slack (d_i - c_i z)/(1 + |d_i|) below which a row is active"},
    {"dual_available", T_BOOL, OFF(dual_available), 0, 1, 0, NULL,
     "trust the duals returned by the solver (else recompute them)"},
    {"normalize_constraints", T_BOOL, OFF(normalize_constraints), 0, 1, 0, NULL,
     "scale constraint rows to unit norm so slacks are distances"},
    {"refine_active", T_BOOL, OFF(refine_active), 0, 1, 0, NULL,
     "greedy refinement of the active set"},
    {"warm_start_from_previous", T_BOOL, OFF(warm_start_from_previous), 0, 1, 0, NULL,
     "warm-start each solve from the previous solution on the same handle"},
    {"omp_parallel", T_BOOL, OFF(omp_parallel), 0, 1, 0, NULL,
     "solve and differentiate batches in parallel"},
    {"threads", T_INT, OFF(threads), 0, 4096, 0, NULL,
     "OpenMP threads for batches, 0 = OpenMP default"},
    {"empty_batch", T_BOOL, OFF(empty_batch), 0, 1, 0, NULL,
     "keep a batch dimension of size 1 in the bindings"},
    {"qp_solver_keywords", T_KEYWORDS, OFF(qp_solver_keywords), 0, 0, 0, NULL,
     "key=value options passed to the solver, separated by spaces or commas"},
    {"verbose", T_INT, OFF(verbose), 0, 2, 0, NULL, "0 silent, 1 info, 2 debug (log callback)"},
    {"time", T_BOOL, OFF(time), 0, 1, 0, NULL, "report timings"},
    {"check_PSD", T_BOOL, OFF(check_PSD), 0, 1, 0, NULL,
     "verify that P is positive semidefinite (costs a factorization)"},
    {"weak_active", T_ENUM, OFF(weak_active), 0, 0, 0, weak_conventions,
     "weakly active rows: keep (stay active) or drop (may leave) for the one-sided derivative"},
    {"max_iter", T_INT64, OFF(max_iter), 0, 1e15, 0, NULL,
     "forward solver iteration limit, 0 = the solver's default"},
    {"time_limit", T_DOUBLE, OFF(time_limit), 0, INFINITY, 1, NULL,
     "seconds allowed for the forward solve, inf = no limit"},
};
#undef OFF
_Static_assert(sizeof(dqp_solve_type) == sizeof(int) && sizeof(dqp_weak_convention) == sizeof(int),
               "enum settings are accessed as int");
#define NFIELDS ((int)(sizeof fields / sizeof fields[0]))

void dqp_settings_default(dqp_settings *s) {
    if (!s)
        return;
    memset(s, 0, sizeof *s);
    strcpy(s->qp_solver, "auto");
    strcpy(s->lin_solver, "auto");
    s->solve_type = DQP_SOLVE_AUTO;
    s->eps_abs = 1e-8;
    s->eps_rel = 1e-8;
    s->eps_active = 1e-5;
    s->dual_available = 1;
    s->time_limit = INFINITY;
}

int dqp_settings_count(void) { return NFIELDS; }

const char *dqp_settings_name(int i) { return (i >= 0 && i < NFIELDS) ? fields[i].name : NULL; }

static const field *find(const char *name) {
    for (int k = 0; name && k < NFIELDS; k++)
        if (strcmp(fields[k].name, name) == 0)
            return &fields[k];
    return NULL;
}

size_t dqp_settings_size(void) { return sizeof(dqp_settings); }

const char *dqp_settings_type(const char *name) {
    static const char *const names[] = {"name", "enum", "double", "bool", "int", "int64",
                                        "keywords"};
    const field *f = find(name);
    return f ? names[f->type] : NULL;
}

void dqp_settings_set_log(dqp_settings *s, dqp_log_fn fn, void *user) {
    if (s) {
        s->log = fn;
        s->log_user = user;
    }
}

const char *dqp_settings_help(const char *name) {
    const field *f = find(name);
    return f ? f->help : NULL;
}

static dqp_status unknown_name(const char *name, dqp_message *msg) {
    char list[DQP_MESSAGE_LEN] = "";
    size_t used = 0;
    for (int k = 0; k < NFIELDS; k++) {
        int w = snprintf(list + used, sizeof list - used, "%s%s", k ? ", " : "", fields[k].name);
        if (w < 0 || (size_t)w >= sizeof list - used)
            break;
        used += (size_t)w;
    }
    return dqp_fail(msg, DQP_ERR_UNKNOWN_NAME, "unknown setting \"%s\"; valid: %s",
                    name ? name : "(null)", list);
}

static int parse_bool(const char *v, int *out) {
    static const char *const yes[] = {"1", "true", "yes", "on"};
    static const char *const no[] = {"0", "false", "no", "off"};
    for (int k = 0; k < 4; k++) {
        if (strcmp(v, yes[k]) == 0)
            return *out = 1, 1;
        if (strcmp(v, no[k]) == 0)
            return *out = 0, 1;
    }
    return 0;
}

static int parse_double(const char *v, double *out) {
    char *end;
    errno = 0;
    double x = strtod(v, &end);
    if (end == v || *end != '\0' || isnan(x) || (errno == ERANGE && isinf(x)))
        return 0;
    *out = x;
    return 1;
}

static int parse_int64(const char *v, int64_t *out) {
    char *end;
    errno = 0;
    long long x = strtoll(v, &end, 10);
    if (end == v || *end != '\0' || errno == ERANGE)
        return 0;
    *out = (int64_t)x;
    return 1;
}

static int in_range(const field *f, double x) {
    return (f->lo_open ? x > f->lo : x >= f->lo) && x <= f->hi;
}

static dqp_status range_error(const field *f, const char *value, dqp_message *msg) {
    return dqp_fail(msg, DQP_ERR_VALUE, "%s: value \"%s\" out of range %s%g, %g]", f->name, value,
                    f->lo_open ? "(" : "[", f->lo, f->hi);
}

/* One keyword entry: key=value with a nonempty key of [A-Za-z0-9_.-]. */
static int valid_keywords(const char *v, char *bad, size_t bad_len) {
    const char *s = v;
    while (*s) {
        while (*s == ' ' || *s == ',' || *s == '\t')
            s++;
        if (!*s)
            break;
        const char *start = s;
        while (*s && *s != ' ' && *s != ',' && *s != '\t')
            s++;
        const char *eq = memchr(start, '=', (size_t)(s - start));
        int ok = eq && eq > start && eq + 1 < s;
        for (const char *c = start; ok && c < eq; c++)
            ok = isalnum((unsigned char)*c) || *c == '_' || *c == '.' || *c == '-';
        if (!ok) {
            dqp_fmt(bad, bad_len, "%.*s", (int)(s - start), start);
            return 0;
        }
    }
    return 1;
}

static dqp_status set_field(dqp_settings *s, const field *f, const char *value, dqp_message *msg) {
    char *base = (char *)s + f->offset;
    switch (f->type) {
    case T_NAME: {
        size_t len = strlen(value);
        if (len == 0 || len >= DQP_NAME_LEN)
            return dqp_fail(msg, DQP_ERR_VALUE, "%s: name must have 1 to %d characters", f->name,
                            DQP_NAME_LEN - 1);
        for (size_t k = 0; k < len; k++)
            if (!isalnum((unsigned char)value[k]) && value[k] != '_' && value[k] != '-')
                return dqp_fail(msg, DQP_ERR_VALUE, "%s: \"%s\" is not a valid name", f->name,
                                value);
        memcpy(base, value, len + 1);
        return DQP_OK;
    }
    case T_KEYWORDS: {
        char bad[64];
        if (strlen(value) >= DQP_KEYWORDS_LEN)
            return dqp_fail(msg, DQP_ERR_VALUE, "%s: longer than %d characters", f->name,
                            DQP_KEYWORDS_LEN - 1);
        if (!valid_keywords(value, bad, sizeof bad))
            return dqp_fail(msg, DQP_ERR_VALUE, "%s: entry \"%s\" is not key=value", f->name, bad);
        memcpy(base, value, strlen(value) + 1);
        return DQP_OK;
    }
    case T_ENUM: {
        char list[96] = "";
        for (int k = 0; f->choices[k]; k++) {
            if (strcmp(f->choices[k], value) == 0) {
                *(int *)(void *)base = k; /* the enums have int size (GCC/Clang ABI) */
                return DQP_OK;
            }
            size_t used = strlen(list);
            dqp_fmt(list + used, sizeof list - used, "%s%s", k ? ", " : "", f->choices[k]);
        }
        return dqp_fail(msg, DQP_ERR_VALUE, "%s: \"%s\" is not one of %s", f->name, value, list);
    }
    case T_BOOL: {
        int b;
        if (!parse_bool(value, &b))
            return dqp_fail(msg, DQP_ERR_VALUE, "%s: \"%s\" is not a boolean (0/1/true/false)",
                            f->name, value);
        *(int *)(void *)base = b;
        return DQP_OK;
    }
    case T_DOUBLE: {
        double x;
        if (!parse_double(value, &x))
            return dqp_fail(msg, DQP_ERR_VALUE, "%s: \"%s\" is not a number", f->name, value);
        if (!in_range(f, x))
            return range_error(f, value, msg);
        *(double *)(void *)base = x;
        return DQP_OK;
    }
    case T_INT:
    case T_INT64: {
        int64_t x;
        if (!parse_int64(value, &x))
            return dqp_fail(msg, DQP_ERR_VALUE, "%s: \"%s\" is not an integer", f->name, value);
        if (!in_range(f, (double)x))
            return range_error(f, value, msg);
        if (f->type == T_INT)
            *(int *)(void *)base = (int)x;
        else
            *(int64_t *)(void *)base = x;
        return DQP_OK;
    }
    }
    return DQP_ERR_VALUE;
}

dqp_status dqp_settings_set(dqp_settings *s, const char *name, const char *value,
                            dqp_message *msg) {
    if (!s || !name || !value)
        return dqp_fail(msg, DQP_ERR_NULL, "settings_set: NULL %s",
                        !s ? "settings" : !name ? "name" : "value");
    const field *f = find(name);
    if (!f)
        return unknown_name(name, msg);
    return set_field(s, f, value, msg);
}

dqp_status dqp_settings_get(const dqp_settings *s, const char *name, char *buf, size_t len,
                            dqp_message *msg) {
    if (!s || !name || !buf)
        return dqp_fail(msg, DQP_ERR_NULL, "settings_get: NULL argument");
    const field *f = find(name);
    if (!f)
        return unknown_name(name, msg);
    const char *base = (const char *)s + f->offset;
    int w = 0;
    switch (f->type) {
    case T_NAME:
    case T_KEYWORDS: w = snprintf(buf, len, "%s", base); break;
    case T_ENUM: {
        int k = *(const int *)(const void *)base, count = 0;
        while (f->choices[count])
            count++;
        w = snprintf(buf, len, "%s", (k >= 0 && k < count) ? f->choices[k] : "invalid");
        break;
    }
    case T_BOOL:
    case T_INT: w = snprintf(buf, len, "%d", *(const int *)(const void *)base); break;
    case T_INT64:
        w = snprintf(buf, len, "%lld", (long long)*(const int64_t *)(const void *)base);
        break;
    case T_DOUBLE: w = snprintf(buf, len, "%.17g", *(const double *)(const void *)base); break;
    }
    if (w < 0 || (size_t)w >= len)
        return dqp_fail(msg, DQP_ERR_VALUE, "%s: buffer of %zu bytes too small", name, len);
    return DQP_OK;
}

dqp_status dqp_settings_validate(const dqp_settings *s, dqp_message *msg) {
    if (!s)
        return dqp_fail(msg, DQP_ERR_NULL, "settings is NULL");
    /* Round-trip every field through its text form: one definition of validity. */
    dqp_settings copy = *s;
    for (int k = 0; k < NFIELDS; k++) {
        const field *f = &fields[k];
        const char *base = (const char *)s + f->offset;
        if ((f->type == T_NAME || f->type == T_KEYWORDS) &&
            !memchr(base, '\0', f->type == T_NAME ? DQP_NAME_LEN : DQP_KEYWORDS_LEN))
            return dqp_fail(msg, DQP_ERR_VALUE, "%s: not NUL-terminated", f->name);
        if (f->type == T_BOOL) {
            int b = *(const int *)(const void *)base;
            if (b != 0 && b != 1)
                return dqp_fail(msg, DQP_ERR_VALUE, "%s: %d is not 0 or 1", f->name, b);
            continue;
        }
        if (f->type == T_ENUM) {
            int e = *(const int *)(const void *)base, count = 0;
            while (f->choices[count])
                count++;
            if (e < 0 || e >= count)
                return dqp_fail(msg, DQP_ERR_VALUE, "%s: %d is not a valid value", f->name, e);
            continue;
        }
        char buf[DQP_KEYWORDS_LEN];
        dqp_status st = dqp_settings_get(s, f->name, buf, sizeof buf, msg);
        if (st == DQP_OK)
            st = set_field(&copy, f, buf, msg);
        if (st != DQP_OK)
            return st;
    }
    return DQP_OK;
}

dqp_status dqp_settings_keyword(const dqp_settings *s, int i, char *key, size_t key_len,
                                char *value, size_t value_len) {
    if (!s || !key || !value || key_len == 0 || value_len == 0)
        return DQP_ERR_NULL;
    const char *p = s->qp_solver_keywords;
    for (int k = 0;; k++) {
        while (*p == ' ' || *p == ',' || *p == '\t')
            p++;
        if (!*p)
            return DQP_ERR_VALUE;
        const char *start = p;
        while (*p && *p != ' ' && *p != ',' && *p != '\t')
            p++;
        if (k < i)
            continue;
        const char *eq = memchr(start, '=', (size_t)(p - start));
        if (!eq)
            return DQP_ERR_VALUE;
        dqp_fmt(key, key_len, "%.*s", (int)(eq - start), start);
        dqp_fmt(value, value_len, "%.*s", (int)(p - eq - 1), eq + 1);
        return DQP_OK;
    }
}
