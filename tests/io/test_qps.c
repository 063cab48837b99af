/* test_qps.c - QPS/MPS reader: Maros-Meszaros files, hand-written files, canonical form, errors. */
#include "io/qps_internal.h"
#include "runner.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MM(file) DQP_MM_DIR "/" file
#define DATA(file) DQP_TEST_DATA "/" file

/* ================================================================ helpers */

static char *slurp(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, used = 0;
    char *buf = malloc(cap);
    for (size_t got; buf && (got = fread(buf + used, 1, cap - used, f)) > 0;) {
        used += got;
        if (used == cap) {
            char *bigger = realloc(buf, cap *= 2);
            if (!bigger)
                free(buf);
            buf = bigger;
        }
    }
    fclose(f);
    *len = used;
    return buf;
}

static int have_mm(void) {
    FILE *f = fopen(MM("REFERENCE.csv"), "r");
    if (f)
        fclose(f);
    return f != NULL;
}

/* Read a file that must parse; NULL (and a failed check) otherwise. */
static dqp_qps *read_ok(const char *path) {
    dqp_qps *q = dqp_qps_create();
    dqp_status st = dqp_qps_read_file(q, path);
    CHECK_INT(st, DQP_OK);
    if (st != DQP_OK) {
        fprintf(stderr, "  %s\n", dqp_qps_last_error(q));
        dqp_qps_destroy(q);
        return NULL;
    }
    return q;
}

static dqp_qps *read_text(const char *text, dqp_status expect) {
    dqp_qps *q = dqp_qps_create();
    dqp_status st = dqp_qps_read_buffer(q, text, strlen(text), "mem.mps");
    CHECK_INT(st, expect);
    if (st != expect)
        fprintf(stderr, "  message: %s\n", dqp_qps_last_error(q));
    return q;
}

/* Entry (r, c) of a CSC matrix, 0 when not stored. */
static double get(const dqp_csc *M, int64_t r, int64_t c) {
    for (int64_t k = M->p[c]; k < M->p[c + 1]; k++)
        if (M->i[k] == r)
            return M->x[k];
    return 0.0;
}

static int stored(const dqp_csc *M, int64_t r, int64_t c) {
    for (int64_t k = M->p[c]; k < M->p[c + 1]; k++)
        if (M->i[k] == r)
            return 1;
    return 0;
}

/* out = M z (out has M->m entries). */
static void mul(const dqp_csc *M, const double *z, double *out) {
    for (int64_t r = 0; r < M->m; r++)
        out[r] = 0.0;
    for (int64_t j = 0; j < M->n; j++)
        for (int64_t k = M->p[j]; k < M->p[j + 1]; k++)
            out[M->i[k]] += M->x[k] * z[j];
}

static const dqp_csc *mat(const dqp_qps *q, char which) {
    return dqp_problem_csc(dqp_qps_problem(q), which);
}
static const double *vec(const dqp_qps *q, char which) {
    return dqp_problem_vec(dqp_qps_problem(q), which);
}

static void check_origin(const dqp_qps *q, int eq, int64_t k, dqp_row_kind kind, int64_t index,
                         int sign, int range) {
    dqp_row_origin o = {DQP_ORIGIN_ROW, -1, 0, -1};
    CHECK_INT(dqp_qps_row_origin(q, eq, k, &o), DQP_OK);
    CHECK_INT(o.kind, kind);
    CHECK_INT(o.index, index);
    CHECK_INT(o.sign, sign);
    CHECK_INT(o.range, range);
}

/* Deterministic pseudo-random numbers in [-1, 1] (no global state). */
static double rnd(uint64_t *s) {
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(*s >> 11) / (double)(1ULL << 53) * 2.0 - 1.0;
}

/* ================================================================ reference reader
 * A deliberately simple, independent reader for the subset used by the
 * Maros-Meszaros files (free format, or fixed columns), used to check the
 * library's canonical conversion row by row. */

typedef struct ref_tab {
    char **name;
    int64_t n, cap;
    int64_t *slot, nslot;
} ref_tab;

static uint64_t ref_hash(const char *s) {
    uint64_t h = 5381;
    while (*s)
        h = h * 33 + (unsigned char)*s++;
    return h;
}

static int64_t ref_find(const ref_tab *t, const char *s) {
    if (!t->nslot)
        return -1;
    for (int64_t a = (int64_t)(ref_hash(s) % (uint64_t)t->nslot);; a = (a + 1) % t->nslot) {
        if (t->slot[a] < 0)
            return -1;
        if (!strcmp(t->name[t->slot[a]], s))
            return t->slot[a];
    }
}

static void ref_insert(ref_tab *t, int64_t k) {
    int64_t a = (int64_t)(ref_hash(t->name[k]) % (uint64_t)t->nslot);
    while (t->slot[a] >= 0)
        a = (a + 1) % t->nslot;
    t->slot[a] = k;
}

static int64_t ref_add(ref_tab *t, const char *s) {
    int64_t k = ref_find(t, s);
    if (k >= 0)
        return k;
    if (t->n == t->cap) {
        t->cap = t->cap ? 2 * t->cap : 64;
        t->name = realloc(t->name, (size_t)t->cap * sizeof *t->name);
    }
    t->name[t->n] = malloc(strlen(s) + 1);
    strcpy(t->name[t->n], s);
    k = t->n++;
    if (4 * t->n > t->nslot) {
        free(t->slot);
        t->nslot = 8 * t->n + 61;
        t->slot = malloc((size_t)t->nslot * sizeof *t->slot);
        for (int64_t a = 0; a < t->nslot; a++)
            t->slot[a] = -1;
        for (int64_t m = 0; m < t->n; m++)
            ref_insert(t, m);
    } else {
        ref_insert(t, k);
    }
    return k;
}

static void ref_tab_free(ref_tab *t) {
    for (int64_t k = 0; k < t->n; k++)
        free(t->name[k]);
    free(t->name);
    free(t->slot);
}

/* Every array has room for 2 items per line of the file (a line holds at
 * most two entries), so no file can overflow it. */
typedef struct ref_qps {
    ref_tab rows, cols;
    char *type;          /* per row, N rows included */
    double *rhs, *rng;   /* per row */
    int *has_rng;        /* per row */
    double *c, *lb, *ub; /* per column */
    int64_t *ai, *aj;    /* entries on constraint rows (row = file row index) */
    double *av;
    int64_t na;
    int64_t *qi, *qj;
    double *qv;
    int64_t nq;
    double c0;
} ref_qps;

/* Copy a trimmed fixed field [a, b] (1-based) of line into out. */
static void ref_field(const char *line, int a, int b, char *out) {
    size_t len = strlen(line), w = 0;
    for (int c = a; c <= b && (size_t)c <= len; c++)
        out[w++] = line[c - 1];
    out[w] = '\0';
    while (w > 0 && out[w - 1] == ' ')
        out[--w] = '\0';
    size_t s = 0;
    while (out[s] == ' ')
        s++;
    memmove(out, out + s, w - s + 1);
}

/* Split into the six logical fields (type, name, name, value, name, value). */
static void ref_fields(const char *line, int fixed, const char *sec, char f[6][64]) {
    for (int k = 0; k < 6; k++)
        f[k][0] = '\0';
    if (fixed) {
        static const int a[6] = {2, 5, 15, 25, 40, 50}, b[6] = {3, 12, 22, 36, 47, 61};
        for (int k = 0; k < 6; k++)
            ref_field(line, a[k], b[k], f[k]);
        return;
    }
    char t[6][64];
    int n = sscanf(line, "%63s %63s %63s %63s %63s %63s", t[0], t[1], t[2], t[3], t[4], t[5]);
    if (!strcmp(sec, "ROWS")) {
        strcpy(f[0], t[0]);
        strcpy(f[1], t[1]);
    } else if (!strcmp(sec, "BOUNDS")) {
        int novalue = !strcmp(t[0], "FR") || !strcmp(t[0], "MI") || !strcmp(t[0], "PL");
        strcpy(f[0], t[0]);
        if (n == 4 || (n == 3 && novalue)) { /* with a vector name */
            for (int k = 1; k < n; k++)
                strcpy(f[k], t[k]);
        } else { /* 3 fields: TYPE COL VALUE */
            strcpy(f[2], t[1]);
            strcpy(f[3], t[2]);
        }
    } else if ((!strcmp(sec, "RHS") || !strcmp(sec, "RANGES")) && n % 2 == 0) {
        for (int k = 0; k < n; k++) /* no vector name */
            strcpy(f[k + 2], t[k]);
    } else {
        for (int k = 0; k < n && k < 5; k++)
            strcpy(f[k + 1], t[k]);
    }
}

static void ref_read(const char *path, int fixed, ref_qps *r) {
    memset(r, 0, sizeof *r);
    FILE *fp = fopen(path, "r");
    size_t cap = 16;
    for (int ch; fp && (ch = fgetc(fp)) != EOF;)
        cap += ch == '\n' ? 2 : 0;
    if (fp)
        rewind(fp);
    r->type = calloc(cap, 1);
    r->rhs = calloc(cap, sizeof(double));
    r->rng = calloc(cap, sizeof(double));
    r->has_rng = calloc(cap, sizeof(int));
    r->c = calloc(cap, sizeof(double));
    r->lb = calloc(cap, sizeof(double));
    r->ub = malloc(cap * sizeof(double));
    for (size_t j = 0; j < cap; j++)
        r->ub[j] = INFINITY;
    r->ai = malloc(cap * sizeof(int64_t));
    r->aj = malloc(cap * sizeof(int64_t));
    r->av = malloc(cap * sizeof(double));
    r->qi = malloc(cap * sizeof(int64_t));
    r->qj = malloc(cap * sizeof(int64_t));
    r->qv = malloc(cap * sizeof(double));
    char line[512], sec[32] = "", f[6][64];
    while (fp && fgets(line, sizeof line, fp)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] == '*' || line[strspn(line, " ")] == '\0')
            continue;
        if (line[0] != ' ') {
            sscanf(line, "%31s", sec);
            continue;
        }
        ref_fields(line, fixed, sec, f);
        if (!strcmp(sec, "ROWS")) {
            int64_t k = ref_add(&r->rows, f[1]);
            r->type[k] = f[0][0];
        } else if (!strcmp(sec, "COLUMNS")) {
            int64_t j = ref_add(&r->cols, f[1]);
            for (int p = 2; p <= 4; p += 2) {
                if (!f[p][0])
                    continue;
                int64_t i = ref_find(&r->rows, f[p]);
                double v = strtod(f[p + 1], NULL);
                if (r->type[i] == 'N')
                    r->c[j] = v;
                else {
                    r->ai[r->na] = i;
                    r->aj[r->na] = j;
                    r->av[r->na++] = v;
                }
            }
        } else if (!strcmp(sec, "RHS") || !strcmp(sec, "RANGES")) {
            for (int p = 2; p <= 4; p += 2) {
                if (!f[p][0])
                    continue;
                int64_t i = ref_find(&r->rows, f[p]);
                double v = strtod(f[p + 1], NULL);
                if (sec[1] == 'A') {
                    r->rng[i] = v;
                    r->has_rng[i] = 1;
                } else if (r->type[i] == 'N')
                    r->c0 = -v;
                else
                    r->rhs[i] = v;
            }
        } else if (!strcmp(sec, "BOUNDS")) {
            int64_t j = ref_find(&r->cols, f[2]);
            double v = strtod(f[3], NULL);
            if (!strcmp(f[0], "UP"))
                r->ub[j] = v;
            else if (!strcmp(f[0], "LO"))
                r->lb[j] = v;
            else if (!strcmp(f[0], "FX"))
                r->lb[j] = r->ub[j] = v;
            else if (!strcmp(f[0], "FR")) {
                r->lb[j] = -INFINITY;
                r->ub[j] = INFINITY;
            }
        } else if (!strcmp(sec, "QUADOBJ")) {
            r->qi[r->nq] = ref_find(&r->cols, f[1]);
            r->qj[r->nq] = ref_find(&r->cols, f[2]);
            r->qv[r->nq++] = strtod(f[3], NULL);
        }
    }
    if (fp)
        fclose(fp);
}

static void ref_free(ref_qps *r) {
    ref_tab_free(&r->rows);
    ref_tab_free(&r->cols);
    free(r->type);
    free(r->ai);
    free(r->aj);
    free(r->av);
    free(r->rhs);
    free(r->rng);
    free(r->has_rng);
    free(r->c);
    free(r->lb);
    free(r->ub);
    free(r->qi);
    free(r->qj);
    free(r->qv);
}

/* Interval [lo, hi] of file row i under the MPS RANGES rules. */
static void ref_interval(const ref_qps *r, int64_t i, double *lo, double *hi) {
    double b = r->rhs[i], R = r->rng[i];
    char t = r->type[i];
    *lo = t == 'L' ? -INFINITY : b;
    *hi = t == 'G' ? INFINITY : b;
    if (!r->has_rng[i])
        return;
    if (t == 'E') {
        *lo = R < 0 ? b + R : b;
        *hi = R > 0 ? b + R : b;
    } else if (t == 'L')
        *lo = b - fabs(R);
    else
        *hi = b + fabs(R);
}

static int close_to(double a, double b, double scale) {
    return fabs(a - b) <= 1e-12 * (1.0 + fabs(scale));
}

/* Count a mismatch and describe the first few. */
static int mismatch(int *bad, const char *file, const char *what, int64_t k, double got,
                    double want) {
    if ((*bad)++ < 3)
        fprintf(stderr, "  %s: %s %lld: got %.17g, expected %.17g\n", file, what, (long long)k, got,
                want);
    return 0;
}

/* Check every canonical row of q against the reference reading at a random
 * point z: value = sign * (file row or variable), right-hand side = the
 * row's or bound's side, and every row/bound side appears exactly once.
 * Also checks names, q, P entries and the objective. Returns mismatches. */
static int compare_with_ref(const dqp_qps *q, const ref_qps *r, const char *file) {
    int bad = 0;
    int64_t n = r->cols.n, nrow = r->rows.n;
    const dqp_problem *prob = dqp_qps_problem(q);
    const dqp_csc *A = mat(q, 'A'), *C = mat(q, 'C'), *P = mat(q, 'P');
    const double *b = vec(q, 'b'), *d = vec(q, 'd'), *qv = vec(q, 'q');
    int64_t me = dqp_problem_m_eq(prob), mi = dqp_problem_m_ineq(prob);
    if (dqp_problem_n(prob) != n || !A || !C || !P)
        return mismatch(&bad, file, "n", 0, (double)dqp_problem_n(prob), (double)n) + 1;
    uint64_t seed = 12345;
    double *z = malloc((size_t)(n + 1) * sizeof *z), *act = calloc((size_t)nrow + 1, sizeof *act);
    double *Az = malloc((size_t)(me + 1) * sizeof *Az), *Cz = malloc((size_t)(mi + 1) * sizeof *Cz);
    int64_t *con = malloc((size_t)(nrow + 1) * sizeof *con),
            *seen = calloc(3 * (size_t)nrow + 3 * (size_t)n + 1, sizeof *seen);
    int64_t ncon = 0;
    for (int64_t i = 0; i < nrow; i++) /* file row of each constraint index */
        if (r->type[i] != 'N')
            con[ncon++] = i;
    for (int64_t j = 0; j < n; j++)
        z[j] = rnd(&seed) * 3.0;
    for (int64_t k = 0; k < r->na; k++)
        act[r->ai[k]] += r->av[k] * z[r->aj[k]];
    mul(A, z, Az);
    mul(C, z, Cz);
    for (int64_t j = 0; j < n; j++) {
        if (strcmp(dqp_qps_col_name(q, j), r->cols.name[j]))
            mismatch(&bad, file, "column name", j, 0, 0);
        if (qv[j] != r->c[j])
            mismatch(&bad, file, "q", j, qv[j], r->c[j]);
    }
    for (int64_t k = 0; k < ncon; k++)
        if (strcmp(dqp_qps_row_name(q, k), r->rows.name[con[k]]))
            mismatch(&bad, file, "row name", k, 0, 0);
    /* seen[]: per file row (eq, upper side, lower side), per column (fixed, upper, lower). */
    int64_t *seen_row = seen, *seen_col = seen + 3 * nrow;
    for (int64_t k = 0; k < me; k++) {
        dqp_row_origin o;
        dqp_qps_row_origin(q, 1, k, &o);
        if (o.kind == DQP_ORIGIN_ROW) {
            int64_t i = con[o.index];
            double lo, hi;
            ref_interval(r, i, &lo, &hi);
            seen_row[3 * i]++;
            if (!close_to(Az[k], act[i], 10.0) || b[k] != lo || lo != hi || o.sign != 1)
                mismatch(&bad, file, "equality row", k, Az[k], act[i]);
        } else {
            int64_t j = o.index;
            seen_col[3 * j]++;
            if (o.kind != DQP_ORIGIN_FIXED || Az[k] != z[j] || b[k] != r->lb[j] ||
                r->lb[j] != r->ub[j])
                mismatch(&bad, file, "fixed variable row", k, b[k], r->lb[j]);
        }
    }
    for (int64_t k = 0; k < mi; k++) {
        dqp_row_origin o;
        dqp_qps_row_origin(q, 0, k, &o);
        if (o.kind == DQP_ORIGIN_ROW) {
            int64_t i = con[o.index];
            double lo, hi, side;
            ref_interval(r, i, &lo, &hi);
            side = o.sign > 0 ? hi : lo;
            seen_row[3 * i + (o.sign > 0 ? 1 : 2)]++;
            int range = r->has_rng[i] && side != r->rhs[i];
            if (!close_to(Cz[k], o.sign * act[i], 10.0) || d[k] != o.sign * side ||
                o.range != range)
                mismatch(&bad, file, "inequality row", k, d[k], o.sign * side);
        } else {
            int64_t j = o.index;
            int up = o.kind == DQP_ORIGIN_UPPER;
            seen_col[3 * j + (up ? 1 : 2)]++;
            double want = up ? r->ub[j] : -r->lb[j];
            if ((!up && o.kind != DQP_ORIGIN_LOWER) || Cz[k] != (up ? z[j] : -z[j]) ||
                d[k] != want || o.sign != (up ? 1 : -1))
                mismatch(&bad, file, "bound row", k, d[k], want);
        }
    }
    for (int64_t i = 0; i < nrow; i++) { /* each side of each row exactly once */
        if (r->type[i] == 'N')
            continue;
        double lo, hi;
        ref_interval(r, i, &lo, &hi);
        int eq = lo == hi;
        if (seen_row[3 * i] != eq || seen_row[3 * i + 1] != (!eq && isfinite(hi)) ||
            seen_row[3 * i + 2] != (!eq && isfinite(lo)))
            mismatch(&bad, file, "row coverage", i, (double)seen_row[3 * i], eq);
    }
    for (int64_t j = 0; j < n; j++) {
        int fx = r->lb[j] == r->ub[j];
        if (seen_col[3 * j] != fx || seen_col[3 * j + 1] != (!fx && isfinite(r->ub[j])) ||
            seen_col[3 * j + 2] != (!fx && isfinite(r->lb[j])))
            mismatch(&bad, file, "bound coverage", j, (double)seen_col[3 * j], fx);
    }
    /* P holds exactly the QUADOBJ entries, moved to the upper triangle. */
    if (dqp_csc_nnz(P) != r->nq)
        mismatch(&bad, file, "nnz(P)", 0, (double)dqp_csc_nnz(P), (double)r->nq);
    for (int64_t k = 0; k < r->nq; k++) {
        int64_t i = r->qi[k] < r->qj[k] ? r->qi[k] : r->qj[k];
        int64_t j = r->qi[k] < r->qj[k] ? r->qj[k] : r->qi[k];
        if (!stored(P, i, j) || get(P, i, j) != r->qv[k])
            mismatch(&bad, file, "P entry", k, get(P, i, j), r->qv[k]);
    }
    double f = r->c0, fscale = fabs(r->c0);
    for (int64_t j = 0; j < n; j++) {
        f += r->c[j] * z[j];
        fscale += fabs(r->c[j] * z[j]);
    }
    for (int64_t k = 0; k < r->nq; k++) {
        double t = r->qv[k] * z[r->qi[k]] * z[r->qj[k]] * (r->qi[k] == r->qj[k] ? 0.5 : 1.0);
        f += t;
        fscale += fabs(t);
    }
    if (!close_to(dqp_qps_objective(q, z), f, 1e3 * fscale))
        mismatch(&bad, file, "objective", 0, dqp_qps_objective(q, z), f);
    if (dqp_qps_objective_constant(q) != r->c0)
        mismatch(&bad, file, "c0", 0, dqp_qps_objective_constant(q), r->c0);
    free(z);
    free(act);
    free(Az);
    free(Cz);
    free(con);
    free(seen);
    return bad;
}

/* Read `path` with the library and with the reference reader; compare. */
static void check_against_ref(const char *path, int fixed) {
    dqp_qps *q = read_ok(path);
    if (!q)
        return;
    ref_qps *r = malloc(sizeof *r);
    ref_read(path, fixed, r);
    CHECK_INT(compare_with_ref(q, r, path), 0);
    CHECK_INT(dqp_qps_file_cols(q), r->cols.n);
    CHECK_INT(dqp_qps_file_nnz(q), r->na);
    ref_free(r);
    free(r);
    dqp_qps_destroy(q);
}

/* ================================================================ number grammar */

static int num(const char *s, double *v) {
    dqp_qps_str t = {s, strlen(s)};
    return dqp_qps_number(t, v);
}

static void test_number_grammar(void) {
    double v = 0.0;
    CHECK(num(".02466", &v) && v == 0.02466);
    CHECK(num("1.", &v) && v == 1.0);
    CHECK(num("-.1e+01", &v) && v == -1.0);
    CHECK(num("-.100000e+01", &v) && v == -1.0);
    CHECK(num("+5", &v) && v == 5.0);
    CHECK(num("1.5D-3", &v) && v == 1.5e-3); /* Fortran exponent */
    CHECK(num("2d2", &v) && v == 200.0);
    CHECK(num("1e400", &v) && isinf(v) && v > 0);
    CHECK(num("-Infinity", &v) && isinf(v) && v < 0);
    CHECK(num("inf", &v) && isinf(v));
    CHECK(num("0.1", &v) && v == 0.1); /* correctly rounded, as strtod */
    const char *bad[] = {"",    ".",   "-",   "e5",  "1e",    "1e+", "1.2.3", "0x10",
                         "nan", "1,5", "1 2", "--1", "1e5.0", "abc", "+.e1"};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++)
        CHECK(!num(bad[k], &v));
    char longnum[200];
    memset(longnum, '1', sizeof longnum - 1);
    longnum[sizeof longnum - 1] = '\0';
    CHECK(!num(longnum, &v)); /* longer than 128 characters */
}

static void test_fixed_fields(void) {
    const char *text = " UP BND-1     DEDO3 11       200000.   ";
    dqp_qps_str line = {text, strlen(text)};
    dqp_qps_str f1 = dqp_qps_fixed_field(line, 1), f2 = dqp_qps_fixed_field(line, 2);
    dqp_qps_str f3 = dqp_qps_fixed_field(line, 3), f4 = dqp_qps_fixed_field(line, 4);
    dqp_qps_str f5 = dqp_qps_fixed_field(line, 5);
    CHECK(f1.len == 2 && !memcmp(f1.p, "UP", 2));
    CHECK(f2.len == 5 && !memcmp(f2.p, "BND-1", 5));
    CHECK(f3.len == 8 && !memcmp(f3.p, "DEDO3 11", 8));
    CHECK(f4.len == 7 && !memcmp(f4.p, "200000.", 7));
    CHECK_INT(f5.len, 0);
    CHECK(dqp_qps_fixed_layout(text, strlen(text)));
    const char *free_text = "ROWS\n N obj\n    a_long_column_name  obj  1\n";
    CHECK(!dqp_qps_fixed_layout(free_text, strlen(free_text)));
    CHECK(!dqp_qps_fixed_layout(" N\tobj\n", 7)); /* tabs are free format only */
}

/* ================================================================ bundled Maros-Meszaros files */

static void test_hs21_values(void) {
    dqp_qps *q = read_ok(DATA("mm/HS21.QPS"));
    if (!q)
        return;
    const dqp_problem *p = dqp_qps_problem(q);
    CHECK_INT(dqp_problem_n(p), 2);
    CHECK_INT(dqp_problem_m_eq(p), 0);
    CHECK_INT(dqp_problem_m_ineq(p), 5);
    CHECK_INT(dqp_qps_file_rows(q), 1);
    CHECK_INT(dqp_qps_file_nnz(q), 2);
    CHECK(!strcmp(dqp_qps_name(q), "HS21"));
    CHECK(!strcmp(dqp_qps_col_name(q, 1), "C------2"));
    CHECK(!strcmp(dqp_qps_row_name(q, 0), "R------1"));
    CHECK(dqp_qps_row_name(q, 1) == NULL && dqp_qps_col_name(q, 2) == NULL);
    CHECK(dqp_qps_col_name(q, -1) == NULL);
    CHECK_INT(dqp_qps_sense(q), 1);
    CHECK_NEAR(dqp_qps_objective_constant(q), -100.0, 0.0); /* RHS OBJ.FUNC 100 */
    CHECK_INT(dqp_problem_P_storage(p), DQP_P_UPPER);
    const dqp_csc *P = mat(q, 'P'), *C = mat(q, 'C');
    CHECK_INT(dqp_csc_nnz(P), 2);
    CHECK_NEAR(get(P, 0, 0), 0.02, 0.0);
    CHECK_NEAR(get(P, 1, 1), 2.0, 0.0);
    CHECK_NEAR(vec(q, 'q')[0], 0.0, 0.0);
    /* Row 0: the G row 10 x1 - x2 >= 10, negated. Then bounds: x1 in [2, 50], x2 in [-50, 50]. */
    CHECK_NEAR(get(C, 0, 0), -10.0, 0.0);
    CHECK_NEAR(get(C, 0, 1), 1.0, 0.0);
    const double *d = vec(q, 'd');
    double d_want[5] = {-10.0, 50.0, -2.0, 50.0, 50.0};
    for (int k = 0; k < 5; k++)
        CHECK_NEAR(d[k], d_want[k], 0.0);
    check_origin(q, 0, 0, DQP_ORIGIN_ROW, 0, -1, 0);
    check_origin(q, 0, 1, DQP_ORIGIN_UPPER, 0, 1, 0);
    check_origin(q, 0, 2, DQP_ORIGIN_LOWER, 0, -1, 0);
    check_origin(q, 0, 3, DQP_ORIGIN_UPPER, 1, 1, 0);
    check_origin(q, 0, 4, DQP_ORIGIN_LOWER, 1, -1, 0);
    CHECK_NEAR(get(C, 2, 0), -1.0, 0.0);
    CHECK_NEAR(get(C, 3, 1), 1.0, 0.0);
    /* The known optimum x = (2, 0) has objective -99.96 (constant included). */
    double z[2] = {2.0, 0.0};
    CHECK_NEAR(dqp_qps_objective(q, z), -99.96, 1e-12);
    dqp_row_origin o;
    CHECK_INT(dqp_qps_row_origin(q, 0, 5, &o), DQP_ERR_INDEX);
    CHECK_INT(dqp_qps_row_origin(q, 1, 0, &o), DQP_ERR_INDEX);
    CHECK_INT(dqp_qps_row_origin(q, 0, -1, &o), DQP_ERR_INDEX);
    CHECK_INT(dqp_qps_row_origin(q, 0, 0, NULL), DQP_ERR_NULL);
    CHECK(!strcmp(dqp_qps_last_error(q), ""));
    dqp_qps_destroy(q);
}

static void test_hs35_values(void) {
    dqp_qps *q = read_ok(DATA("mm/HS35.QPS"));
    if (!q)
        return;
    const dqp_csc *P = mat(q, 'P'), *C = mat(q, 'C');
    CHECK_INT(dqp_problem_m_eq(dqp_qps_problem(q)), 0);
    CHECK_INT(dqp_problem_m_ineq(dqp_qps_problem(q)), 4); /* G row + 3 default lower bounds */
    CHECK_NEAR(dqp_qps_objective_constant(q), 9.0, 0.0);
    CHECK_NEAR(vec(q, 'q')[0], -8.0, 0.0);
    CHECK_NEAR(vec(q, 'q')[2], -4.0, 0.0);
    CHECK_INT(dqp_csc_nnz(P), 5);
    CHECK_NEAR(get(P, 0, 1), 2.0, 0.0); /* upper triangle: row 0, column 1 */
    CHECK_NEAR(get(P, 1, 0), 0.0, 0.0);
    CHECK_NEAR(get(P, 0, 2), 2.0, 0.0);
    CHECK_NEAR(get(C, 0, 2), 2.0, 0.0); /* -x1 - x2 - 2 x3 >= -3  ->  x1 + x2 + 2 x3 <= 3 */
    CHECK_NEAR(vec(q, 'd')[0], 3.0, 0.0);
    CHECK_NEAR(vec(q, 'd')[1], 0.0, 0.0);
    check_origin(q, 0, 3, DQP_ORIGIN_LOWER, 2, -1, 0);
    double ones[3] = {1, 1, 1}, opt[3] = {4.0 / 3.0, 7.0 / 9.0, 4.0 / 9.0};
    CHECK_NEAR(dqp_qps_objective(q, ones), 0.0, 1e-12);      /* 9 - 18 + 9 */
    CHECK_NEAR(dqp_qps_objective(q, opt), 1.0 / 9.0, 1e-12); /* the known optimum */
    dqp_qps_destroy(q);
}

static void test_qafiro_values(void) {
    dqp_qps *q = read_ok(DATA("mm/QAFIRO.QPS"));
    if (!q)
        return;
    const dqp_problem *p = dqp_qps_problem(q);
    CHECK_INT(dqp_qps_file_cols(q), 32);
    CHECK_INT(dqp_qps_file_rows(q), 27); /* the N row COST comes last and is not counted */
    CHECK_INT(dqp_qps_file_nnz(q), 83);
    CHECK(!strcmp(dqp_qps_name(q), "AFIRO"));
    CHECK_INT(dqp_problem_m_eq(p), 8);
    CHECK_INT(dqp_problem_m_ineq(p), 19 + 32);
    CHECK(!strcmp(dqp_qps_col_name(q, 31), "X39"));
    CHECK_NEAR(vec(q, 'q')[31], 10.0, 0.0);
    CHECK_NEAR(vec(q, 'q')[1], -0.4, 0.0);
    const dqp_csc *A = mat(q, 'A'), *P = mat(q, 'P');
    CHECK_NEAR(get(A, 0, 0), -1.0, 0.0);             /* R09: X01 -1 */
    CHECK_NEAR(get(A, 1, 0), -1.06, 0.0);            /* R10: X01 -1.06 */
    check_origin(q, 1, 7, DQP_ORIGIN_ROW, 15, 1, 0); /* R23, the 16th row */
    CHECK_NEAR(vec(q, 'b')[7], 44.0, 0.0);
    CHECK(!strcmp(dqp_qps_row_name(q, 15), "R23"));
    CHECK_NEAR(get(P, 0, 1), 1.0, 0.0);
    CHECK_NEAR(get(P, 2, 2), 10.0, 0.0);
    double z[32];
    for (int j = 0; j < 32; j++)
        z[j] = 1.0;
    CHECK_NEAR(dqp_qps_objective(q, z), 26.2, 1e-12); /* 0.5 * 36 + 8.2 */
    dqp_qps_destroy(q);
}

static void test_hs118_ranges(void) {
    dqp_qps *q = read_ok(DATA("mm/HS118.QPS"));
    if (!q)
        return;
    const dqp_problem *p = dqp_qps_problem(q);
    const dqp_csc *C = mat(q, 'C');
    const double *d = vec(q, 'd');
    CHECK_INT(dqp_problem_m_eq(p), 0);
    /* 12 ranged G rows give 2 rows each, 5 plain G rows, 15 upper and 15 lower bounds. */
    CHECK_INT(dqp_problem_m_ineq(p), 24 + 5 + 30);
    /* R1: -x1 + x4 >= -7 with range 13: -7 <= -x1 + x4 <= 6. Upper side first. */
    check_origin(q, 0, 0, DQP_ORIGIN_ROW, 0, 1, 1);
    check_origin(q, 0, 1, DQP_ORIGIN_ROW, 0, -1, 0);
    CHECK_NEAR(get(C, 0, 0), -1.0, 0.0);
    CHECK_NEAR(get(C, 0, 3), 1.0, 0.0);
    CHECK_NEAR(d[0], 6.0, 0.0);
    CHECK_NEAR(get(C, 1, 0), 1.0, 0.0);
    CHECK_NEAR(d[1], 7.0, 0.0);
    CHECK_NEAR(d[4], 7.0, 0.0);                        /* R3: range 14 -> upper side -7 + 14 */
    check_origin(q, 0, 24, DQP_ORIGIN_ROW, 12, -1, 0); /* R13 >= 60, not ranged */
    CHECK_NEAR(d[24], -60.0, 0.0);
    CHECK_NEAR(get(C, 24, 1), -1.0, 0.0);
    check_origin(q, 0, 29, DQP_ORIGIN_UPPER, 0, 1, 0);
    CHECK_NEAR(d[29], 21.0, 0.0);
    check_origin(q, 0, 30, DQP_ORIGIN_LOWER, 0, -1, 0);
    CHECK_NEAR(d[30], -8.0, 0.0);
    double z[15];
    for (int j = 0; j < 15; j++)
        z[j] = 1.0;
    CHECK_NEAR(dqp_qps_objective(q, z), 31.00175, 1e-12);
    dqp_qps_destroy(q);
}

static void test_bundled_against_reference(void) {
    const char *files[] = {"HS21",    "HS35",  "HS76",   "QAFIRO",
                           "GENHS28", "HS118", "QPTEST", "ZECEVIC2"};
    for (size_t k = 0; k < sizeof files / sizeof files[0]; k++) {
        char path[512];
        snprintf(path, sizeof path, "%s/mm/%s.QPS", DQP_TEST_DATA, files[k]);
        check_against_ref(path, 0);
    }
}

/* ================================================================ hand-written files */

/* features.qps (MAX, RANGES on E/L/G rows with both signs, all bound types,
 * MARKER lines, a second N row, QSECTION, objective constant). */
static void check_features(const dqp_qps *q) {
    const dqp_problem *p = dqp_qps_problem(q);
    CHECK_INT(dqp_problem_n(p), 9);
    CHECK_INT(dqp_qps_file_rows(q), 7); /* the second N row "free" is dropped */
    CHECK_INT(dqp_qps_file_nnz(q), 12);
    CHECK_INT(dqp_qps_sense(q), -1);
    CHECK(!strcmp(dqp_qps_name(q), "FEATURES"));
    CHECK(!strcmp(dqp_qps_row_name(q, 6), "g2"));
    CHECK(dqp_qps_row_name(q, 7) == NULL);
    CHECK(!strcmp(dqp_qps_col_name(q, 8), "x9"));
    CHECK_NEAR(dqp_qps_objective_constant(q), 2.5, 0.0);
    /* A: e1, then the fixed columns x2 (FX 2.5) and x8 (LO = UP = 1). */
    CHECK_INT(dqp_problem_m_eq(p), 3);
    const dqp_csc *A = mat(q, 'A'), *C = mat(q, 'C'), *P = mat(q, 'P');
    const double *b = vec(q, 'b'), *d = vec(q, 'd'), *qv = vec(q, 'q');
    check_origin(q, 1, 0, DQP_ORIGIN_ROW, 0, 1, 0);
    check_origin(q, 1, 1, DQP_ORIGIN_FIXED, 1, 1, 0);
    check_origin(q, 1, 2, DQP_ORIGIN_FIXED, 7, 1, 0);
    CHECK_NEAR(b[0], 1.0, 0.0);
    CHECK_NEAR(b[1], 2.5, 0.0);
    CHECK_NEAR(b[2], 1.0, 0.0);
    CHECK_INT(dqp_csc_nnz(A), 4);
    CHECK_NEAR(get(A, 0, 0), 1.0, 0.0);
    CHECK_NEAR(get(A, 0, 3), -1.0, 0.0);
    CHECK_NEAR(get(A, 1, 1), 1.0, 0.0);
    CHECK_NEAR(get(A, 2, 7), 1.0, 0.0);
    /* C: each ranged row gives its upper side then its lower side; then bounds. */
    CHECK_INT(dqp_problem_m_ineq(p), 21);
    static const struct {
        dqp_row_kind kind;
        int index, sign, range;
        double d;
    } rows[21] = {
        {DQP_ORIGIN_ROW, 1, 1, 1, 3.5}, /* e2, R = 1.5:  [2, 3.5] */
        {DQP_ORIGIN_ROW, 1, -1, 0, -2.0},
        {DQP_ORIGIN_ROW, 2, 1, 0, 3.0}, /* e3, R = -2.5: [0.5, 3] */
        {DQP_ORIGIN_ROW, 2, -1, 1, -0.5},
        {DQP_ORIGIN_ROW, 3, 1, 0, 4.0}, /* l1, R = 3:    [1, 4] */
        {DQP_ORIGIN_ROW, 3, -1, 1, -1.0},
        {DQP_ORIGIN_ROW, 4, 1, 0, 5.0}, /* l2, R = -1:   [4, 5] */
        {DQP_ORIGIN_ROW, 4, -1, 1, -4.0},
        {DQP_ORIGIN_ROW, 5, 1, 1, 8.0}, /* g1, R = 2:    [6, 8] */
        {DQP_ORIGIN_ROW, 5, -1, 0, -6.0},
        {DQP_ORIGIN_ROW, 6, 1, 1, 11.0}, /* g2, R = -4:   [7, 11] */
        {DQP_ORIGIN_ROW, 6, -1, 0, -7.0},
        {DQP_ORIGIN_UPPER, 0, 1, 0, 4.0}, /* x1 in [-1, 4] */
        {DQP_ORIGIN_LOWER, 0, -1, 0, 1.0},
        {DQP_ORIGIN_UPPER, 3, 1, 0, 3.0},  /* x4: MI then UP 3 */
        {DQP_ORIGIN_LOWER, 4, -1, 0, 0.0}, /* x5: PL, default lower bound 0 */
        {DQP_ORIGIN_UPPER, 5, 1, 0, 1.0},  /* x6: BV -> [0, 1] */
        {DQP_ORIGIN_LOWER, 5, -1, 0, 0.0},
        {DQP_ORIGIN_UPPER, 6, 1, 0, -2.0}, /* x7: negative UP alone -> (-inf, -2] */
        {DQP_ORIGIN_UPPER, 8, 1, 0, 8.0},  /* x9: LI -3, UI 8 */
        {DQP_ORIGIN_LOWER, 8, -1, 0, 3.0},
    };
    for (int k = 0; k < 21; k++) {
        check_origin(q, 0, k, rows[k].kind, rows[k].index, rows[k].sign, rows[k].range);
        CHECK_NEAR(d[k], rows[k].d, 0.0);
    }
    CHECK_NEAR(get(C, 0, 6), 2.0, 0.0);  /* e2 upper: x2 + 2 x7 */
    CHECK_NEAR(get(C, 1, 6), -2.0, 0.0); /* e2 lower, negated */
    CHECK_NEAR(get(C, 4, 0), 2.0, 0.0);  /* l1: 2 x1 + x5 */
    CHECK_NEAR(get(C, 8, 4), -1.0, 0.0); /* g1 upper: x2 - x5 */
    CHECK_NEAR(get(C, 9, 4), 1.0, 0.0);
    CHECK_NEAR(get(C, 13, 0), -1.0, 0.0);
    CHECK(!stored(C, 4, 8)); /* the "free" N row entry of x1 went nowhere */
    /* MAX: q = -c, P = -Q (upper triangle; "x3 x1" moved to (0, 2)). */
    double q_want[9] = {-1.0, 2.0, -0.5, 0.0, 0.0, -3.0, 0.0, -0.1, 0.0};
    for (int j = 0; j < 9; j++)
        CHECK_NEAR(qv[j], q_want[j], 0.0);
    CHECK_INT(dqp_csc_nnz(P), 4);
    CHECK_NEAR(get(P, 0, 0), 2.0, 0.0);
    CHECK_NEAR(get(P, 0, 1), -0.5, 0.0);
    CHECK_NEAR(get(P, 0, 2), 1.0, 0.0);
    CHECK_NEAR(get(P, 4, 4), 4.0, 0.0);
    /* At z = (1..9): 1/2 z'Qz = -53, c'z = 17.3, c0 = 2.5 (file's sense). */
    double z[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    CHECK_NEAR(dqp_qps_objective(q, z), -33.2, 1e-12);
    CHECK_NEAR(dqp_problem_objective(p, z), 35.7, 1e-12);
}

static void test_features_file(void) {
    dqp_qps *q = read_ok(DATA("features.qps"));
    if (q)
        check_features(q);
    dqp_qps_destroy(q);
}

/* The same file with CRLF line ends, and with tabs between the fields. */
static void test_features_crlf_and_tabs(void) {
    size_t len = 0;
    char *text = slurp(DATA("features.qps"), &len);
    CHECK(text != NULL);
    if (!text)
        return;
    char *crlf = malloc(2 * len + 1), *tabs = malloc(len + 1);
    size_t w = 0;
    for (size_t k = 0; k < len; k++) {
        if (text[k] == '\n')
            crlf[w++] = '\r';
        crlf[w++] = text[k];
        /* A tab replaces the blank before each non-blank field after column 1. */
        tabs[k] =
            (text[k] == ' ' && k > 0 && text[k - 1] != '\n' && k + 1 < len && text[k + 1] != ' ')
                ? '\t'
                : text[k];
    }
    dqp_qps *q = dqp_qps_create();
    CHECK_INT(dqp_qps_read_buffer(q, crlf, w, "crlf.qps"), DQP_OK);
    check_features(q);
    CHECK_INT(dqp_qps_read_buffer(q, tabs, len, "tabs.qps"), DQP_OK);
    check_features(q);
    dqp_qps_destroy(q);
    free(crlf);
    free(tabs);
    free(text);
}

static void test_qmatrix_equals_quadobj(void) {
    const char *files[2] = {DATA("qmatrix.qps"), DATA("quadobj.qps")};
    for (int f = 0; f < 2; f++) {
        dqp_qps *q = read_ok(files[f]);
        if (!q)
            continue;
        const dqp_csc *P = mat(q, 'P');
        CHECK_INT(dqp_csc_nnz(P), 3);
        CHECK_NEAR(get(P, 0, 0), 2.0, 0.0);
        CHECK_NEAR(get(P, 0, 1), 0.5, 0.0);
        CHECK_NEAR(get(P, 1, 1), 3.0, 0.0);
        CHECK(!stored(P, 1, 0));
        double z[2] = {1.0, 2.0};
        CHECK_NEAR(dqp_qps_objective(q, z), 11.0, 1e-12); /* 0.5 (2 + 2 + 12) + 3 */
        dqp_qps_destroy(q);
    }
}

static void test_fixed_format_with_spaces(void) {
    dqp_qps *q = read_ok(DATA("fixed_spaces.mps"));
    if (!q)
        return;
    const dqp_problem *p = dqp_qps_problem(q);
    CHECK(!strcmp(dqp_qps_name(q), "FIXED SP"));
    CHECK(!strcmp(dqp_qps_col_name(q, 0), "X 1"));
    CHECK(!strcmp(dqp_qps_col_name(q, 1), "X 2"));
    CHECK(!strcmp(dqp_qps_row_name(q, 0), "LIM 1"));
    CHECK(!strcmp(dqp_qps_row_name(q, 2), "BAL A"));
    CHECK_INT(dqp_problem_m_eq(p), 1);
    CHECK_INT(dqp_problem_m_ineq(p), 6);
    CHECK_NEAR(dqp_qps_objective_constant(q), 3.0, 0.0);
    const dqp_csc *A = mat(q, 'A'), *C = mat(q, 'C'), *P = mat(q, 'P');
    CHECK_NEAR(get(A, 0, 0), 1.0, 0.0);
    CHECK_NEAR(get(A, 0, 1), -1.0, 0.0);
    CHECK_NEAR(vec(q, 'b')[0], 0.0, 0.0);
    double d_want[6] = {4.0, -2.0, -1.0, 5.0, 0.0, 0.0};
    for (int k = 0; k < 6; k++)
        CHECK_NEAR(vec(q, 'd')[k], d_want[k], 0.0);
    check_origin(q, 0, 1, DQP_ORIGIN_ROW, 0, -1, 1); /* LIM 1 in [2, 4]: lower side from RANGES */
    check_origin(q, 0, 2, DQP_ORIGIN_ROW, 1, -1, 0);
    check_origin(q, 0, 3, DQP_ORIGIN_UPPER, 0, 1, 0);
    CHECK_NEAR(get(C, 2, 1), -1.0, 0.0);
    CHECK_NEAR(get(P, 0, 1), 0.5, 0.0);
    double z[2] = {1.0, 2.0};
    CHECK_NEAR(dqp_qps_objective(q, z), 9.5, 1e-12);
    dqp_qps_destroy(q);
}

/* ================================================================ in-memory variants */

static void test_objsense_forms(void) {
    static const char *forms[] = {"OBJSENSE\n    MAX\n",
                                  "OBJSENSE MAX\n",
                                  "OBJSENSE\n  MAXIMIZE\n",
                                  "OBJSENS MAX\n",
                                  "OBJSENSE MINIMIZE\n",
                                  "OBJSENSE\n    MIN\n",
                                  ""};
    static const int sense[] = {-1, -1, -1, -1, 1, 1, 1};
    for (int k = 0; k < 7; k++) {
        char text[512];
        snprintf(text, sizeof text,
                 "NAME S\n%sROWS\n N obj\n L c\nCOLUMNS\n x obj 2 c 1\nRHS\n r obj 4 c 3\n"
                 "QUADOBJ\n x x 1\nENDATA\n",
                 forms[k]);
        dqp_qps *q = read_text(text, DQP_OK);
        CHECK_INT(dqp_qps_sense(q), sense[k]);
        CHECK_NEAR(vec(q, 'q')[0], 2.0 * sense[k], 0.0);
        CHECK_NEAR(get(mat(q, 'P'), 0, 0), 1.0 * sense[k], 0.0);
        CHECK_NEAR(dqp_qps_objective_constant(q), -4.0, 0.0);
        double z = 3.0; /* file objective 0.5*9 + 6 - 4 in both senses */
        CHECK_NEAR(dqp_qps_objective(q, &z), 6.5, 1e-12);
        dqp_qps_destroy(q);
    }
    /* OBJSENSE after the other sections also counts. */
    dqp_qps *q =
        read_text("NAME S\nROWS\n N obj\nCOLUMNS\n x obj 1\nOBJSENSE\n    MAX\nENDATA\n", DQP_OK);
    CHECK_INT(dqp_qps_sense(q), -1);
    dqp_qps_destroy(q);
}

/* Negative UP with no explicit lower bound: lower bound -inf (documented). */
static void test_negative_upper_bound(void) {
    dqp_qps *q = read_text("NAME N\nROWS\n N obj\n L c\nCOLUMNS\n x c 1\n y c 1\n w c 1\n"
                           " v c 1\n u c 1\nRHS\n r c 1\nBOUNDS\n UP b x -1\n LO b y 0\n"
                           " UP b y -1\n UP b w -1\n LO b w -5\n MI b v\n UP b v -2\n"
                           " UP b u 0\nENDATA\n",
                           DQP_OK);
    const dqp_problem *p = dqp_qps_problem(q);
    CHECK_INT(dqp_problem_m_eq(p), 1); /* u: UP 0 with the default lower bound 0 is fixed */
    check_origin(q, 1, 0, DQP_ORIGIN_FIXED, 4, 1, 0);
    CHECK_INT(dqp_problem_m_ineq(p), 7);
    static const struct {
        dqp_row_kind kind;
        int index;
        double d;
    } rows[7] = {{DQP_ORIGIN_ROW, 0, 1.0},    {DQP_ORIGIN_UPPER, 0, -1.0}, /* x: (-inf, -1] */
                 {DQP_ORIGIN_UPPER, 1, -1.0}, {DQP_ORIGIN_LOWER, 1, 0.0},  /* y: [0, -1] as given */
                 {DQP_ORIGIN_UPPER, 2, -1.0}, {DQP_ORIGIN_LOWER, 2, 5.0},  /* w: [-5, -1] */
                 {DQP_ORIGIN_UPPER, 3, -2.0}};                             /* v: (-inf, -2] */
    for (int k = 0; k < 7; k++) {
        check_origin(q, 0, k, rows[k].kind, rows[k].index,
                     rows[k].kind == DQP_ORIGIN_LOWER ? -1 : 1, 0);
        CHECK_NEAR(vec(q, 'd')[k], rows[k].d, 0.0);
    }
    dqp_qps_destroy(q);
}

static void test_accepted_variants(void) {
    /* Bounds with and without the vector name (QGFRDXPN style), RHS without
     * it, a zero range (equality), OBJNAME picking the second N row, 'D'
     * exponents, lower-case keywords, a reappearing column, an explicit zero
     * in QUADOBJ, a QSECTION naming the objective, text after ENDATA. */
    dqp_qps *q = read_text("* comment\n\nNAME\nOBJNAME\n    cost\nrows\n n other\n n cost\n"
                           " l c1\n g c2\nCOLUMNS\n x cost 1.5D+00 c1 1\n y cost 2 c2 1\n"
                           " x c2 3\n x other 7\n z cost 1\nRHS\n c1 4 c2 1\n other 9\n"
                           "RANGES\n rng c1 0\nBOUNDS\n UP x 4\n FR y\n MI bnd z\n UP z 2\n"
                           "QSECTION cost\n x x 1\n x y 0\nENDATA\nthis is ignored\n",
                           DQP_OK);
    const dqp_problem *p = dqp_qps_problem(q);
    CHECK(!strcmp(dqp_qps_name(q), ""));
    CHECK_INT(dqp_qps_file_rows(q), 2);
    CHECK_INT(dqp_qps_file_nnz(q), 3);
    CHECK_NEAR(vec(q, 'q')[0], 1.5, 0.0); /* from "cost", not "other" */
    CHECK_NEAR(dqp_qps_objective_constant(q), 0.0, 0.0);
    CHECK_INT(dqp_problem_m_eq(p), 1); /* c1 with range 0 is an equality */
    check_origin(q, 1, 0, DQP_ORIGIN_ROW, 0, 1, 0);
    CHECK_NEAR(vec(q, 'b')[0], 4.0, 0.0);
    CHECK_NEAR(get(mat(q, 'C'), 0, 0), -3.0, 0.0); /* c2: 3x + y >= 1 */
    CHECK_NEAR(vec(q, 'd')[0], -1.0, 0.0);
    CHECK_INT(dqp_problem_m_ineq(p), 4); /* c2, x upper, x lower, z upper */
    check_origin(q, 0, 3, DQP_ORIGIN_UPPER, 2, 1, 0);
    CHECK_NEAR(vec(q, 'd')[3], 2.0, 0.0);
    CHECK_INT(dqp_csc_nnz(mat(q, 'P')), 2); /* explicit zero kept */
    CHECK(stored(mat(q, 'P'), 0, 1));
    dqp_qps_destroy(q);
    /* The smallest file: no columns at all. */
    q = read_text("ROWS\n N obj\nENDATA", DQP_OK);
    CHECK_INT(dqp_problem_n(dqp_qps_problem(q)), 0);
    CHECK_INT(dqp_problem_m_ineq(dqp_qps_problem(q)), 0);
    dqp_qps_destroy(q);
}

/* ================================================================ errors */

#define HEAD "NAME T\nROWS\n N obj\n L c1\nCOLUMNS\n x obj 1 c1 1\n" /* 6 lines */

static void test_malformed(void) {
    static const struct {
        const char *text, *msg;
    } cases[] = {
        {HEAD "FOO\n", "mem.mps:7: unknown section 'FOO'"},
        {HEAD " y c2 1\n", "mem.mps:7: unknown row 'c2' in COLUMNS"},
        {HEAD " y c1 1.2.3\n", "mem.mps:7: invalid number '1.2.3'"},
        {HEAD " y c1 1e400\n", "mem.mps:7: value '1e400' for the entry is not finite"},
        {HEAD "BOUNDS\n XX b x 1\nENDATA\n", "mem.mps:8: unknown bound type 'XX'"},
        {HEAD "BOUNDS\n SC b x 1\nENDATA\n", "mem.mps:8: bound type SC"},
        {HEAD "BOUNDS\n UP x\nENDATA\n", "mem.mps:8: missing the bound"},
        {HEAD "BOUNDS\n LO b x 1e30\n", "mem.mps:8: LO bound '1e30' is +infinity"},
        {HEAD "BOUNDS\n UP b zz 1\n", "mem.mps:8: unknown column 'zz' in BOUNDS"},
        {"NAME T\nROWS\n L c1\nCOLUMNS\n", "mem.mps:4: no objective (N) row in ROWS"},
        {"NAME T\nOBJNAME o\nROWS\n N obj\nCOLUMNS\n", "mem.mps:5: no N row named by OBJNAME"},
        {"NAME T\nROWS\n N obj\n L c1\n G c1\n", "mem.mps:5: duplicate row name 'c1'"},
        {"NAME T\nROWS\n X obj\n", "mem.mps:3: unknown row type 'X'"},
        {"NAME T\nROWS\n N obj extra\n", "mem.mps:3: ROWS line needs 2 fields"},
        {HEAD, "mem.mps:6: missing ENDATA"},
        {"", "mem.mps:1: empty input"},
        {"NAME T\n N obj\nROWS\n", "mem.mps:2: data line after NAME"},
        {" N obj\n", "mem.mps:1: data line before the first section"},
        {"NAME T\nCOLUMNS\n", "mem.mps:2: section 'COLUMNS' before ROWS"},
        {HEAD "RHS\nRHS\n", "mem.mps:8: section 'RHS' appears twice"},
        {HEAD "RHS\nCOLUMNS\n", "mem.mps:8: section 'COLUMNS' appears twice"},
        {HEAD "RHS extra\n", "mem.mps:7: unexpected text after 'RHS'"},
        {HEAD "OBJNAME obj\n", "mem.mps:7: OBJNAME must come before ROWS"},
        {HEAD "NAME X\n", "mem.mps:7: section 'NAME' appears twice"},
        {"ROWS\n N obj\nNAME X\n", "mem.mps:3: NAME must be the first section"},
        {HEAD " y c1 1 c1\n", "mem.mps:7: COLUMNS line needs 3 or 5 fields, found 4"},
        {HEAD " x c1 2\nENDATA\n", "mem.mps:7: duplicate entry for column 'x' in row 'c1' "
                                   "(first on line 6)"},
        {HEAD " x obj 2\n", "mem.mps:7: duplicate objective coefficient for column 'x'"},
        {HEAD " M 'MARKER' 'FOO'\n", "mem.mps:7: MARKER line needs 'INTORG' or 'INTEND'"},
        {HEAD "RHS\n r c1 1\n r c1 2\n", "mem.mps:9: duplicate RHS for row 'c1' (first on line 8)"},
        {HEAD "RHS\n r obj 1\n r obj 2\n", "mem.mps:9: duplicate RHS for the objective row"},
        {HEAD "RHS\n r c1 1e30\n", "mem.mps:8: RHS '1e30' of row 'c1' is infinite"},
        {HEAD "RHS\n r1 c1 1\n r2 obj 1\n", "mem.mps:9: second RHS vector 'r2'"},
        {HEAD "RANGES\n r obj 1\n", "mem.mps:8: RANGES entry for the N row 'obj'"},
        {HEAD "RANGES\n r c1 1\n r c1 2\n", "mem.mps:9: duplicate RANGES entry for row 'c1'"},
        {HEAD "QUADOBJ\n x zz 1\n", "mem.mps:8: unknown column 'zz' in the quadratic section"},
        {HEAD "QUADOBJ\n x x 1 2\n", "mem.mps:8: quadratic section line needs 3 fields"},
        {HEAD " y obj 1\nQUADOBJ\n x y 1\n y x 1\nENDATA\n",
         "mem.mps:10: quadratic entry ('x', 'y') given twice (first on line 9)"},
        {HEAD " y obj 1\nQUADOBJ\n x x 1\n x x 2\nENDATA\n",
         "mem.mps:10: quadratic entry ('x', 'x') given twice (first on line 9)"},
        {HEAD " y obj 1\nQMATRIX\n x y 1\nENDATA\n",
         "mem.mps:9: QMATRIX entry ('x', 'y') has no symmetric entry"},
        {HEAD " y obj 1\nQMATRIX\n x y 1\n y x 2\nENDATA\n",
         "mem.mps:10: QMATRIX is not symmetric: ('y', 'x') = 2"},
        {HEAD "QUADOBJ\nQMATRIX\n", "mem.mps:8: a second quadratic section 'QMATRIX'"},
        {HEAD "QCMATRIX c1\n", "mem.mps:7: section 'QCMATRIX' is not supported"},
        {HEAD "QSECTION c1\n", "mem.mps:7: QSECTION for row 'c1': quadratic constraints"},
        {"NAME T\nOBJSENSE\n    UP\n", "mem.mps:3: OBJSENSE must be MIN or MAX, found 'UP'"},
        {"NAME T\nOBJSENSE\nROWS\n", "mem.mps:3: OBJSENSE without a value"},
        {"NAME T\nOBJSENSE MAX\n    MIN\n", "mem.mps:3: unexpected line in the OBJSENSE"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        dqp_qps *q = read_text(cases[k].text, DQP_ERR_PARSE);
        CHECK_STR_CONTAINS(dqp_qps_last_error(q), cases[k].msg);
        CHECK(dqp_qps_problem(q) == NULL);
        dqp_qps_destroy(q);
    }
}

static void test_malformed_special(void) {
    /* A line longer than the limit. */
    size_t n = strlen(HEAD) + 5000;
    char *text = malloc(n + 16);
    strcpy(text, HEAD);
    memset(text + strlen(HEAD), ' ', 5000);
    strcpy(text + n, "y c1 1\n");
    dqp_qps *q = read_text(text, DQP_ERR_PARSE);
    CHECK_STR_CONTAINS(dqp_qps_last_error(q), "mem.mps:7: line longer than 4096 characters");
    /* A NUL byte (binary data). */
    memcpy(text, HEAD " y\0c1 1\nENDATA\n", strlen(HEAD) + 15);
    CHECK_INT(dqp_qps_read_buffer(q, text, strlen(HEAD) + 15, "bin.mps"), DQP_ERR_PARSE);
    CHECK_STR_CONTAINS(dqp_qps_last_error(q), "bin.mps:7: NUL byte");
    free(text);
    /* An error on disk names the file. */
    CHECK_INT(dqp_qps_read_file(q, DATA("bad_row.mps")), DQP_ERR_PARSE);
    CHECK_STR_CONTAINS(dqp_qps_last_error(q), "bad_row.mps:9: unknown row 'c2' in COLUMNS");
    dqp_qps_destroy(q);
}

/* A fixed-format file with an error: the fixed reading got further than the
 * free one, so its message is reported. */
static void test_fixed_format_error(void) {
    size_t len = 0;
    char *text = slurp(DATA("fixed_spaces.mps"), &len);
    CHECK(text != NULL);
    if (!text)
        return;
    char *hit = strstr(text, "     5.");
    CHECK(hit != NULL);
    if (!hit) {
        free(text);
        return;
    }
    memcpy(hit, "    5.x", 7);
    int line = 1;
    for (char *c = text; c < hit; c++)
        line += *c == '\n';
    dqp_qps *q = dqp_qps_create();
    CHECK_INT(dqp_qps_read_buffer(q, text, len, "fixed.mps"), DQP_ERR_PARSE);
    char want[64];
    snprintf(want, sizeof want, "fixed.mps:%d: invalid number '5.x'", line);
    CHECK_STR_CONTAINS(dqp_qps_last_error(q), want);
    dqp_qps_destroy(q);
    free(text);
}

static void test_io_errors(void) {
    dqp_qps *q = dqp_qps_create();
    CHECK_INT(dqp_qps_read_file(q, DATA("no_such_file.qps")), DQP_ERR_IO);
    CHECK_STR_CONTAINS(dqp_qps_last_error(q), "no_such_file.qps");
    CHECK_STR_CONTAINS(dqp_qps_last_error(q), "No such file");
    CHECK_INT(dqp_qps_read_file(q, DQP_TEST_DATA), DQP_ERR_IO); /* a directory */
    CHECK_STR_CONTAINS(dqp_qps_last_error(q), DQP_TEST_DATA);
    CHECK_INT(dqp_qps_read_file(q, NULL), DQP_ERR_NULL);
    CHECK_INT(dqp_qps_read_file(NULL, DATA("features.qps")), DQP_ERR_NULL);
    CHECK_INT(dqp_qps_read_buffer(q, NULL, 5, NULL), DQP_ERR_NULL);
    CHECK_INT(dqp_qps_read_buffer(q, NULL, 0, NULL), DQP_ERR_PARSE);
    CHECK_STR_CONTAINS(dqp_qps_last_error(q), "<memory>:1: empty input");
    dqp_qps_destroy(q);
    dqp_qps_destroy(NULL);
}

/* A failed read leaves the model empty, whatever it held before. */
static void test_error_empties_model(void) {
    dqp_qps *q = read_ok(DATA("features.qps"));
    if (!q)
        return;
    CHECK_INT(dqp_qps_read_buffer(q, HEAD, strlen(HEAD), NULL), DQP_ERR_PARSE);
    CHECK(dqp_qps_problem(q) == NULL);
    CHECK_INT(dqp_qps_file_cols(q), 0);
    CHECK_INT(dqp_qps_file_rows(q), 0);
    CHECK_INT(dqp_qps_sense(q), 1);
    CHECK(!strcmp(dqp_qps_name(q), ""));
    CHECK(dqp_qps_col_name(q, 0) == NULL);
    double z[9] = {0};
    CHECK(isnan(dqp_qps_objective(q, z)));
    dqp_row_origin o;
    CHECK_INT(dqp_qps_row_origin(q, 1, 0, &o), DQP_ERR_INDEX);
    /* A later successful read works and clears the message. */
    CHECK_INT(dqp_qps_read_file(q, DATA("features.qps")), DQP_OK);
    CHECK(!strcmp(dqp_qps_last_error(q), ""));
    dqp_qps_destroy(q);
    CHECK(dqp_qps_problem(NULL) == NULL);
    CHECK(!strcmp(dqp_qps_name(NULL), ""));
    CHECK_INT(dqp_qps_file_cols(NULL), 0);
    CHECK(isnan(dqp_qps_objective(NULL, z)));
    CHECK(strlen(dqp_qps_last_error(NULL)) > 0);
}

/* ================================================================ robustness */

/* Every prefix of a valid file is a clean error, except those that contain
 * the whole ENDATA keyword, which read fine. */
static void check_prefixes(const char *path) {
    size_t len = 0;
    char *text = slurp(path, &len);
    CHECK(text != NULL);
    if (!text)
        return;
    const char *end = strstr(text, "\nENDATA");
    size_t ok_from = end ? (size_t)(end - text) + 7 : len + 1;
    dqp_qps *q = dqp_qps_create();
    int wrong = 0;
    for (size_t n = 0; n <= len; n++) {
        dqp_status st = dqp_qps_read_buffer(q, text, n, "cut.qps");
        dqp_status want = n >= ok_from ? DQP_OK : DQP_ERR_PARSE;
        if (st != want || (st != DQP_OK && strncmp(dqp_qps_last_error(q), "cut.qps:", 8))) {
            if (wrong++ < 3)
                fprintf(stderr, "  %s prefix %zu: status %d, %s\n", path, n, st,
                        dqp_qps_last_error(q));
        }
    }
    CHECK_INT(wrong, 0);
    dqp_qps_destroy(q);
    free(text);
}

static void test_truncated_prefixes(void) {
    check_prefixes(DATA("features.qps"));
    check_prefixes(DATA("fixed_spaces.mps"));
    check_prefixes(DATA("mm/HS118.QPS"));
}

/* Random byte mutations, insertions and deletions, and random text: each
 * read returns OK or a clean parse error (ASan/UBSan check the rest). */
static void mutate_file(const char *path, uint64_t seed, int rounds) {
    size_t len = 0;
    char *text = slurp(path, &len);
    CHECK(text != NULL);
    if (!text)
        return;
    static const char palette[] = " \n\t*.-+eEdD0123456789'MARKERNUPLOFXBV\r";
    char *buf = malloc(len + 8);
    dqp_qps *q = dqp_qps_create();
    int wrong = 0;
    for (int r = 0; r < rounds; r++) {
        memcpy(buf, text, len);
        size_t n = len;
        int edits = 1 + (int)((rnd(&seed) + 1.0) * 1.5);
        for (int e = 0; e < edits && n > 1; e++) {
            size_t at = (size_t)((rnd(&seed) + 1.0) * 0.5 * (double)(n - 1));
            double kind = rnd(&seed);
            char c =
                kind < 0.0
                    ? palette[(size_t)((rnd(&seed) + 1.0) * 0.5 * (double)(sizeof palette - 2))]
                    : (char)(int)((rnd(&seed) + 1.0) * 127.9);
            if (kind < -0.6 && n < len + 4) { /* insert */
                memmove(buf + at + 1, buf + at, n - at);
                buf[at] = c;
                n++;
            } else if (kind > 0.6) { /* delete */
                memmove(buf + at, buf + at + 1, n - at - 1);
                n--;
            } else {
                buf[at] = c;
            }
        }
        dqp_status st = dqp_qps_read_buffer(q, buf, n, "mut.qps");
        if ((st != DQP_OK && st != DQP_ERR_PARSE) ||
            (st == DQP_ERR_PARSE && strncmp(dqp_qps_last_error(q), "mut.qps:", 8)) ||
            (st == DQP_OK && !dqp_qps_problem(q)))
            wrong++;
    }
    CHECK_INT(wrong, 0);
    dqp_qps_destroy(q);
    free(buf);
    free(text);
}

static void test_random_mutations(void) {
    mutate_file(DATA("features.qps"), 1, 1500);
    mutate_file(DATA("fixed_spaces.mps"), 2, 1500);
    mutate_file(DATA("mm/QAFIRO.QPS"), 3, 500);
    /* Random bytes. */
    uint64_t seed = 99;
    char buf[400];
    dqp_qps *q = dqp_qps_create();
    int wrong = 0;
    for (int r = 0; r < 500; r++) {
        size_t n = (size_t)((rnd(&seed) + 1.0) * 0.5 * sizeof buf);
        for (size_t k = 0; k < n; k++)
            buf[k] = (char)(int)((rnd(&seed) + 1.0) * 127.9);
        if (dqp_qps_read_buffer(q, buf, n, "rnd") != DQP_ERR_PARSE)
            wrong++;
    }
    CHECK_INT(wrong, 0);
    dqp_qps_destroy(q);
}

/* ================================================================ Maros-Meszaros set */

/* Index of `name` among the comma-separated header fields, or -1. */
static int csv_col(const char *header, const char *name) {
    int col = 0;
    size_t len = strlen(name);
    for (const char *p = header; *p; col++) {
        size_t f = strcspn(p, ",\r\n");
        if (f == len && !strncmp(p, name, len))
            return col;
        p += f;
        if (*p != ',')
            break;
        p++;
    }
    return -1;
}

/* Field `col` of a CSV line into out. */
static void csv_field(const char *line, int col, char *out, size_t size) {
    for (int c = 0; c < col && line; c++) {
        line = strchr(line, ',');
        if (line)
            line++;
    }
    size_t f = line ? strcspn(line, ",\r\n") : 0;
    if (f >= size)
        f = size - 1;
    if (line)
        memcpy(out, line, f);
    out[f] = '\0';
}

/* Count nonzero values of P (the CSV counts Q's nonzeros; LASER has explicit zeros). */
static int64_t nonzeros(const dqp_csc *M) {
    int64_t count = 0;
    for (int64_t k = 0; k < dqp_csc_nnz(M); k++)
        count += M->x[k] != 0.0;
    return count;
}

static void test_mm_all_files(void) {
    if (!have_mm())
        SKIP("Maros-Meszaros folder " DQP_MM_DIR " not found (set -DDQP_MM_DIR=...)");
    FILE *ref = fopen(MM("REFERENCE.csv"), "r"), *prob = fopen(MM("PROBLEMS.csv"), "r");
    CHECK(ref && prob);
    if (!ref || !prob) {
        if (ref)
            fclose(ref);
        if (prob)
            fclose(prob);
        return;
    }
    char rh[512], ph[1024], rl[512], pl[1024], f[64];
    CHECK(fgets(rh, sizeof rh, ref) && fgets(ph, sizeof ph, prob));
    int r_name = csv_col(rh, "name"), r_n = csv_col(rh, "n"), r_m = csv_col(rh, "m");
    int r_nnz = csv_col(rh, "nnz"), p_name = csv_col(ph, "name");
    int p_diag = csv_col(ph, "nnz_Q_diag"), p_off = csv_col(ph, "nnz_Q_offdiag_lower");
    int p_nnz = csv_col(ph, "nnz_A");
    CHECK(r_name >= 0 && r_n >= 0 && r_m >= 0 && r_nnz >= 0 && p_name >= 0 && p_diag >= 0 &&
          p_off >= 0 && p_nnz >= 0);
    dqp_qps *q = dqp_qps_create();
    int files = 0, failed = 0;
    double seconds = 0.0;
    /* The two CSV files list the same problems in the same order. */
    while (fgets(rl, sizeof rl, ref) && fgets(pl, sizeof pl, prob)) {
        char name[64], path[512];
        csv_field(rl, r_name, name, sizeof name);
        csv_field(pl, p_name, f, sizeof f);
        CHECK(!strcmp(name, f));
        snprintf(path, sizeof path, "%s/%s.QPS", DQP_MM_DIR, name);
        struct timespec t0, t1;
        timespec_get(&t0, TIME_UTC);
        dqp_status st = dqp_qps_read_file(q, path);
        timespec_get(&t1, TIME_UTC);
        seconds += (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
        files++;
        if (st != DQP_OK) {
            fprintf(stderr, "  %s\n", dqp_qps_last_error(q));
            failed++;
            continue;
        }
        csv_field(rl, r_n, f, sizeof f);
        CHECK_INT(dqp_qps_file_cols(q), atoll(f));
        csv_field(rl, r_m, f, sizeof f);
        CHECK_INT(dqp_qps_file_rows(q), atoll(f));
        csv_field(rl, r_nnz, f, sizeof f);
        CHECK_INT(dqp_qps_file_nnz(q), atoll(f));
        csv_field(pl, p_nnz, f, sizeof f);
        CHECK_INT(dqp_qps_file_nnz(q), atoll(f));
        csv_field(pl, p_diag, f, sizeof f);
        int64_t qnz = atoll(f);
        csv_field(pl, p_off, f, sizeof f);
        qnz += atoll(f);
        CHECK_INT(nonzeros(mat(q, 'P')), qnz);
        CHECK_INT(dqp_problem_n(dqp_qps_problem(q)), dqp_qps_file_cols(q));
    }
    fclose(ref);
    fclose(prob);
    dqp_qps_destroy(q);
    CHECK_INT(files, 132);
    CHECK_INT(failed, 0);
    printf("read %d Maros-Meszaros files in %.2f s\n", files, seconds);
}

/* Every file against the independent reference reader, row by row. */
static void test_mm_against_reference(void) {
    if (!have_mm())
        SKIP("Maros-Meszaros folder " DQP_MM_DIR " not found");
    FILE *prob = fopen(MM("PROBLEMS.csv"), "r");
    char header[1024], line[1024], name[64], format[16], path[512];
    CHECK(prob && fgets(header, sizeof header, prob));
    if (!prob)
        return;
    int p_name = csv_col(header, "name"), p_format = csv_col(header, "format");
    int files = 0;
    while (fgets(line, sizeof line, prob)) {
        csv_field(line, p_name, name, sizeof name);
        csv_field(line, p_format, format, sizeof format);
        snprintf(path, sizeof path, "%s/%s.QPS", DQP_MM_DIR, name);
        check_against_ref(path, !strcmp(format, "fixed"));
        files++;
    }
    fclose(prob);
    CHECK_INT(files, 132);
}

/* Row index (among constraint rows) of a name, -1 when absent. */
static int64_t row_index(const dqp_qps *q, const char *name) {
    for (int64_t r = 0; r < dqp_qps_file_rows(q); r++)
        if (!strcmp(dqp_qps_row_name(q, r), name))
            return r;
    return -1;
}

static int64_t col_index(const dqp_qps *q, const char *name) {
    for (int64_t j = 0; j < dqp_qps_file_cols(q); j++)
        if (!strcmp(dqp_qps_col_name(q, j), name))
            return j;
    return -1;
}

/* Canonical row (of A when eq) with the given origin, -1 when none. */
static int64_t find_canonical(const dqp_qps *q, int eq, dqp_row_kind kind, int64_t index,
                              int sign) {
    const dqp_problem *p = dqp_qps_problem(q);
    int64_t m = eq ? dqp_problem_m_eq(p) : dqp_problem_m_ineq(p);
    for (int64_t k = 0; k < m; k++) {
        dqp_row_origin o;
        dqp_qps_row_origin(q, eq, k, &o);
        if (o.kind == kind && o.index == index && o.sign == sign)
            return k;
    }
    return -1;
}

static void test_mm_qforplan(void) {
    if (!have_mm())
        SKIP("Maros-Meszaros folder " DQP_MM_DIR " not found");
    dqp_qps *q = read_ok(MM("QFORPLAN.QPS"));
    if (!q)
        return;
    const dqp_problem *p = dqp_qps_problem(q);
    CHECK(!strcmp(dqp_qps_name(q), "FORPLAN"));
    CHECK_INT(dqp_qps_file_cols(q), 421);
    CHECK_INT(dqp_qps_file_rows(q), 161);
    CHECK_INT(dqp_qps_file_nnz(q), 4563);
    CHECK(!strcmp(dqp_qps_row_name(q, 0), "LC123"));
    CHECK(!strcmp(dqp_qps_row_name(q, 1), "DEDO3 1R")); /* the N row OB1PNW20 is skipped */
    CHECK(!strcmp(dqp_qps_col_name(q, 0), "DEDO3 11"));
    CHECK(!strcmp(dqp_qps_col_name(q, 1), "DEDO3 12"));
    CHECK_INT(dqp_problem_m_eq(p), 90 + 3); /* 90 E rows and 3 FX columns */
    CHECK_NEAR(vec(q, 'q')[0], 0.02466, 0.0);
    CHECK_NEAR(get(mat(q, 'A'), 1, 0), -1.0, 0.0); /* DEDO3 11 in DEDO3 1R */
    CHECK_NEAR(get(mat(q, 'P'), 0, 0), 10.0, 0.0);
    CHECK_NEAR(get(mat(q, 'P'), 0, 1), 1.0, 0.0);
    /* LTSYCT: G row, RHS 10, RANGES 284990 -> [10, 285000]. */
    int64_t r = row_index(q, "LTSYCT");
    CHECK(r >= 0);
    int64_t up = find_canonical(q, 0, DQP_ORIGIN_ROW, r, 1);
    int64_t lo = find_canonical(q, 0, DQP_ORIGIN_ROW, r, -1);
    CHECK(up >= 0 && lo == up + 1);
    if (up >= 0 && lo >= 0) {
        CHECK_NEAR(vec(q, 'd')[up], 285000.0, 0.0);
        CHECK_NEAR(vec(q, 'd')[lo], -10.0, 0.0);
        check_origin(q, 0, up, DQP_ORIGIN_ROW, r, 1, 1);
        check_origin(q, 0, lo, DQP_ORIGIN_ROW, r, -1, 0);
    }
    /* RHS of the row "A$   1 1" and the fixed column "A   22 1". */
    int64_t ra = row_index(q, "A$   1 1"), ja = col_index(q, "A   22 1");
    CHECK(ra >= 0 && ja >= 0);
    int64_t kfix = find_canonical(q, 1, DQP_ORIGIN_FIXED, ja, 1);
    CHECK(kfix >= 0);
    if (kfix >= 0)
        CHECK_NEAR(vec(q, 'b')[kfix], 2640.0, 0.0);
    int64_t ka = find_canonical(q, 1, DQP_ORIGIN_ROW, ra, 1);
    if (ka < 0)
        ka = find_canonical(q, 0, DQP_ORIGIN_ROW, ra, 1);
    CHECK(ka >= 0);
    dqp_qps_destroy(q);
}

static void test_mm_qgfrdxpn(void) {
    if (!have_mm())
        SKIP("Maros-Meszaros folder " DQP_MM_DIR " not found");
    dqp_qps *q = read_ok(MM("QGFRDXPN.QPS"));
    if (!q)
        return;
    CHECK(!strcmp(dqp_qps_name(q), "GFRD-PNC"));
    CHECK_INT(dqp_qps_file_cols(q), 1092);
    CHECK_INT(dqp_qps_file_rows(q), 616);
    /* "UP  P1AG  1." (no vector name) */
    int64_t j = col_index(q, "P1AG");
    int64_t k = find_canonical(q, 0, DQP_ORIGIN_UPPER, j, 1);
    CHECK(j >= 0 && k >= 0);
    if (k >= 0)
        CHECK_NEAR(vec(q, 'd')[k], 1.0, 0.0);
    /* RHS lines without a vector name: "PAF 1095.2 PEE 1095.19" (PEE is an L row). */
    int64_t r = row_index(q, "PEE");
    int64_t ke = find_canonical(q, 0, DQP_ORIGIN_ROW, r, 1);
    CHECK(r >= 0 && ke >= 0);
    if (ke >= 0)
        CHECK_NEAR(vec(q, 'd')[ke], 1095.19, 0.0);
    CHECK_NEAR(get(mat(q, 'P'), 0, 0), 20.0, 0.0); /* AA1AB1 AA1AB1 20. */
    dqp_qps_destroy(q);
}

int main(void) {
    RUN(test_number_grammar);
    RUN(test_fixed_fields);
    RUN(test_hs21_values);
    RUN(test_hs35_values);
    RUN(test_qafiro_values);
    RUN(test_hs118_ranges);
    RUN(test_bundled_against_reference);
    RUN(test_features_file);
    RUN(test_features_crlf_and_tabs);
    RUN(test_qmatrix_equals_quadobj);
    RUN(test_fixed_format_with_spaces);
    RUN(test_objsense_forms);
    RUN(test_negative_upper_bound);
    RUN(test_accepted_variants);
    RUN(test_malformed);
    RUN(test_malformed_special);
    RUN(test_fixed_format_error);
    RUN(test_io_errors);
    RUN(test_error_empties_model);
    RUN(test_truncated_prefixes);
    RUN(test_random_mutations);
    RUN(test_mm_all_files);
    RUN(test_mm_against_reference);
    RUN(test_mm_qforplan);
    RUN(test_mm_qgfrdxpn);
    return runner_finish();
}
