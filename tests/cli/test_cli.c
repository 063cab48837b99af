/* test_cli.c - the dqp command line, run as a separate process.
 *
 * The executable `dqp` is looked up next to this test binary (CMake puts
 * both in the build root). JSON, SVG and CSV outputs are parsed by real
 * parsers (Python's json, xml.etree and csv modules) through
 * tests/cli/check_output.py, which prints them flat ("path<TAB>value");
 * the values are compared here with values computed through the C API in
 * this process, with the Maros-Meszaros reference objectives, and with
 * hand-derived values (value-function identities, method.md section 7). */
#define _POSIX_C_SOURCE 200809L
#include "dqp.h"
#include "runner.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define PYTHON "/usr/bin/python3"
#define HELPER DQP_TEST_DATA "/../cli/check_output.py"
#define MMFILE(name) DQP_TEST_DATA "/mm/" name ".QPS"

static char g_exe[4096];
static char g_tmp[256];

/* ================================================================ processes */

static char *slurp(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, used = 0;
    char *buf = malloc(cap + 1);
    for (size_t got; buf && (got = fread(buf + used, 1, cap - used, f)) > 0;) {
        used += got;
        if (used == cap) {
            char *bigger = realloc(buf, (cap *= 2) + 1);
            if (!bigger)
                free(buf);
            buf = bigger;
        }
    }
    fclose(f);
    if (buf)
        buf[used] = '\0';
    return buf;
}

static int write_text(const char *path, const char *text) {
    FILE *f = fopen(path, "wb");
    if (!f)
        return 0;
    fputs(text, f);
    return fclose(f) == 0;
}

static void tmp_path(char *buf, size_t len, const char *name) {
    snprintf(buf, len, "%s/%s", g_tmp, name);
}

typedef struct run_t {
    int code;
    char *out, *err;
} run_t;

static void run_free(run_t *r) {
    free(r->out);
    free(r->err);
    r->out = r->err = NULL;
}

/* Run `dqp ARGS` (ARGS formatted; the caller quotes paths). */
static run_t run_dqp(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static run_t run_dqp(const char *fmt, ...) {
    char args[4096], cmd[16384], out[512], err[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    tmp_path(out, sizeof out, "stdout.txt");
    tmp_path(err, sizeof err, "stderr.txt");
    snprintf(cmd, sizeof cmd, "'%s' %s >'%s' 2>'%s'", g_exe, args, out, err);
    int st = system(cmd);
    run_t r = {-1, NULL, NULL};
    r.code = (st != -1 && WIFEXITED(st)) ? WEXITSTATUS(st) : -1;
    r.out = slurp(out);
    r.err = slurp(err);
    if (!r.out)
        r.out = calloc(1, 1);
    if (!r.err)
        r.err = calloc(1, 1);
    return r;
}

/* ================================================================ flat parser output */

typedef struct flat_t {
    int n;
    char **key, **val;
    char *data;
    int ok; /* the helper parsed the input */
    char *msg;
} flat_t;

static void flat_free(flat_t *f) {
    free(f->key);
    free(f->val);
    free(f->data);
    free(f->msg);
    memset(f, 0, sizeof *f);
}

/* Parse FILE with check_output.py MODE. */
static flat_t flat_file(const char *mode, const char *file) {
    flat_t f;
    memset(&f, 0, sizeof f);
    char out[512], err[512], cmd[4096];
    tmp_path(out, sizeof out, "flat.txt");
    tmp_path(err, sizeof err, "flat_err.txt");
    snprintf(cmd, sizeof cmd, "%s '%s' %s '%s' >'%s' 2>'%s'", PYTHON, HELPER, mode, file, out, err);
    int st = system(cmd);
    f.ok = st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0;
    f.msg = slurp(err);
    f.data = slurp(out);
    if (!f.data)
        return f;
    int lines = 0;
    for (char *p = f.data; *p; p++)
        lines += *p == '\n';
    f.key = calloc((size_t)lines + 1, sizeof(char *));
    f.val = calloc((size_t)lines + 1, sizeof(char *));
    for (char *p = f.data; *p && f.key && f.val;) {
        char *nl = strchr(p, '\n');
        if (nl)
            *nl = '\0';
        char *tab = strchr(p, '\t');
        if (tab) {
            *tab = '\0';
            f.key[f.n] = p;
            f.val[f.n] = tab + 1;
            f.n++;
        }
        if (!nl)
            break;
        p = nl + 1;
    }
    return f;
}

/* Parse TEXT (an output) with MODE. */
static flat_t flat_text(const char *mode, const char *text) {
    char path[512];
    tmp_path(path, sizeof path, "parse_input.txt");
    write_text(path, text);
    return flat_file(mode, path);
}

static const char *fget(const flat_t *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static const char *fget(const flat_t *f, const char *fmt, ...) {
    char key[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(key, sizeof key, fmt, ap);
    va_end(ap);
    for (int k = 0; k < f->n; k++)
        if (strcmp(f->key[k], key) == 0)
            return f->val[k];
    return NULL;
}

static double fnum(const flat_t *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static double fnum(const flat_t *f, const char *fmt, ...) {
    char key[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(key, sizeof key, fmt, ap);
    va_end(ap);
    const char *v = fget(f, "%s", key);
    if (!v || strcmp(v, "null") == 0 || strncmp(v, "array", 5) == 0 || strncmp(v, "object", 6) == 0)
        return NAN;
    return strtod(v, NULL);
}

/* Length of an array / object entry ("array N"), -1 when absent. */
static long flen(const flat_t *f, const char *key) {
    const char *v = fget(f, "%s", key);
    if (!v)
        return -1;
    if (strncmp(v, "array ", 6) == 0)
        return strtol(v + 6, NULL, 10);
    if (strncmp(v, "object ", 7) == 0)
        return strtol(v + 7, NULL, 10);
    return -1;
}

static int has_text(const flat_t *f, const char *text) {
    for (int k = 0; k < f->n; k++)
        if (strcmp(f->key[k], "text") == 0 && strcmp(f->val[k], text) == 0)
            return 1;
    return 0;
}

/* ================================================================ the C API side */

typedef struct api_t {
    dqp_qps *qps;
    const dqp_problem *p;
    dqp_solver *h;
    int sense;
    int64_t n, me, mi;
} api_t;

static int api_solve(api_t *a, const char *file, const dqp_settings *s) {
    memset(a, 0, sizeof *a);
    a->qps = dqp_qps_create();
    if (dqp_qps_read_file(a->qps, file) != DQP_OK)
        return 0;
    a->p = dqp_qps_problem(a->qps);
    a->sense = dqp_qps_sense(a->qps) < 0 ? -1 : 1;
    a->n = dqp_problem_n(a->p);
    a->me = dqp_problem_m_eq(a->p);
    a->mi = dqp_problem_m_ineq(a->p);
    if (dqp_solver_create(&a->h, s, NULL) != DQP_OK)
        return 0;
    return dqp_solver_solve(a->h, a->p) == DQP_OK;
}

static void api_free(api_t *a) {
    dqp_solver_destroy(a->h);
    dqp_qps_destroy(a->qps);
    memset(a, 0, sizeof *a);
}

static int api_regular(const api_t *a) {
    const dqp_info *i = dqp_solver_info(a->h);
    return i->qp_status == DQP_QP_SOLVED &&
           (i->derivative_status & ~(unsigned)DQP_DIFF_DUALS_RECOVERED) == 0;
}

typedef struct grads_t {
    double *v[6]; /* P q A b C d */
    int64_t len[6];
} grads_t;

static const char *const gnames[6] = {"dP", "dq", "dA", "db", "dC", "dd"};

static void grads_free(grads_t *g) {
    for (int b = 0; b < 6; b++)
        free(g->v[b]);
    memset(g, 0, sizeof *g);
}

/* Loss gradient through the API: kind 0 objective (file sense), 1 sum of z,
 * 2 z_K. VJP with the seed plus (objective) the explicit part. */
static int api_grad(const api_t *a, int kind, int64_t K, grads_t *g) {
    const dqp_csc *P = dqp_problem_csc(a->p, 'P'), *A = dqp_problem_csc(a->p, 'A'),
                  *C = dqp_problem_csc(a->p, 'C');
    g->len[0] = dqp_csc_nnz(P);
    g->len[1] = a->n;
    g->len[2] = dqp_csc_nnz(A);
    g->len[3] = a->me;
    g->len[4] = dqp_csc_nnz(C);
    g->len[5] = a->mi;
    for (int b = 0; b < 6; b++)
        g->v[b] = calloc((size_t)g->len[b] + 1, sizeof(double));
    const double *z = dqp_solver_z(a->h), *q = dqp_problem_vec(a->p, 'q');
    double *gz = calloc((size_t)a->n + 1, sizeof(double));
    if (kind == 0) {
        for (int64_t j = 0; j < a->n; j++)
            for (int64_t k = P->p[j]; k < P->p[j + 1]; k++) {
                int64_t r = P->i[k];
                gz[r] += P->x[k] * z[j];
                if (r != j)
                    gz[j] += P->x[k] * z[r];
            }
        for (int64_t j = 0; j < a->n; j++)
            gz[j] = a->sense * (gz[j] + q[j]);
    } else if (kind == 1) {
        for (int64_t j = 0; j < a->n; j++)
            gz[j] = 1.0;
    } else {
        gz[K] = 1.0;
    }
    dqp_grad out = {g->v[0], g->v[1], g->v[2], g->v[3], g->v[4], g->v[5]};
    int ok = dqp_solver_vjp(a->h, gz, NULL, NULL, &out) == DQP_OK;
    free(gz);
    if (ok && kind == 0) {
        for (int64_t j = 0; j < a->n; j++) {
            g->v[1][j] += a->sense * z[j];
            for (int64_t k = P->p[j]; k < P->p[j + 1]; k++) {
                int64_t r = P->i[k];
                g->v[0][k] += a->sense * (r == j ? 0.5 * z[j] * z[j] : z[r] * z[j]);
            }
        }
    }
    return ok;
}

static double vmax_abs(const double *x, int64_t n) {
    double m = 0.0;
    for (int64_t k = 0; k < n; k++)
        m = fmax(m, fabs(x[k]));
    return m;
}

/* ================================================================ random QPS files */

static unsigned g_seed = 12345u;
static double urand(void) { /* [0, 1) */
    g_seed = g_seed * 1103515245u + 12345u;
    return (double)((g_seed >> 8) & 0xFFFFFF) / 16777216.0;
}
static double srand1(void) { return 2.0 * urand() - 1.0; }

/* A strictly convex QP in free MPS with E, L, G and ranged rows and every
 * kind of bound, feasible at a random point x0. */
static int write_random_qps(const char *path, int n, unsigned seed) {
    g_seed = seed;
    int me = n / 5, ml = n / 2 + 1, mg = n / 4;
    int m = me + ml + mg;
    double *x0 = calloc((size_t)n, sizeof(double));
    int *type = calloc((size_t)n, sizeof(int));
    double *A = calloc((size_t)m * (size_t)n, sizeof(double));
    unsigned char *S = calloc((size_t)m * (size_t)n, 1);
    double *Pu = calloc((size_t)n * (size_t)n, sizeof(double));
    unsigned char *PS = calloc((size_t)n * (size_t)n, 1);
    FILE *f = fopen(path, "w");
    if (!x0 || !type || !A || !S || !Pu || !PS || !f) {
        if (f)
            fclose(f);
        free(x0), free(type), free(A), free(S), free(Pu), free(PS);
        return 0;
    }
    for (int j = 0; j < n; j++) {
        type[j] = j % 5;
        x0[j] = srand1();
        if (type[j] == 4)
            x0[j] = fabs(x0[j]) + 0.1; /* default bounds [0, inf) */
    }
    /* Rows: 2-4 entries each (E rows fewer, so that LICQ is generic). */
    for (int r = 0; r < m; r++) {
        int k = 2 + (int)(urand() * 3);
        for (int t = 0; t < k; t++) {
            int j = (int)(urand() * n);
            S[r * n + j] = 1;
            A[r * n + j] = srand1() * 2.0;
            if (A[r * n + j] == 0.0)
                A[r * n + j] = 0.5;
        }
    }
    /* P: sparse symmetric, strictly diagonally dominant. */
    double *rowsum = calloc((size_t)n, sizeof(double));
    for (int j = 0; j < n; j++)
        for (int t = 0; t < 2; t++) {
            int i = (int)(urand() * n);
            if (i >= j)
                continue;
            double v = 0.5 * srand1();
            if (!PS[i * n + j]) {
                PS[i * n + j] = 1;
                Pu[i * n + j] = v;
                rowsum[i] += fabs(v);
                rowsum[j] += fabs(v);
            }
        }
    for (int j = 0; j < n; j++) {
        PS[j * n + j] = 1;
        Pu[j * n + j] = 0.5 + urand() + (rowsum ? rowsum[j] : 0.0);
    }
    free(rowsum);
    fprintf(f, "NAME RAND%d\nROWS\n N cost\n", n);
    for (int r = 0; r < m; r++)
        fprintf(f, " %c r%d\n", r < me ? 'E' : r < me + ml ? 'L' : 'G', r);
    fprintf(f, "COLUMNS\n");
    for (int j = 0; j < n; j++) {
        fprintf(f, " x%d cost %.17g\n", j, 3.0 * srand1());
        for (int r = 0; r < m; r++)
            if (S[r * n + j])
                fprintf(f, " x%d r%d %.17g\n", j, r, A[r * n + j]);
    }
    fprintf(f, "RHS\n");
    double *ranges = calloc((size_t)m, sizeof(double));
    for (int r = 0; r < m; r++) {
        double ax = 0.0;
        for (int j = 0; j < n; j++)
            ax += A[r * n + j] * x0[j];
        double slack = urand();
        double rhs = r < me ? ax : r < me + ml ? ax + slack : ax - slack;
        if (r >= me && r < me + ml && r % 3 == 0 && ranges)
            ranges[r] = slack + 0.5 + urand(); /* [rhs - |R|, rhs] contains ax */
        fprintf(f, " rhs r%d %.17g\n", r, rhs);
    }
    fprintf(f, "RANGES\n");
    for (int r = 0; r < m && ranges; r++)
        if (ranges[r] != 0.0)
            fprintf(f, " rng r%d %.17g\n", r, ranges[r]);
    free(ranges);
    fprintf(f, "BOUNDS\n");
    for (int j = 0; j < n; j++) {
        double a = 0.2 + urand(), b = 0.2 + urand();
        switch (type[j]) {
        case 0:
            fprintf(f, " LO bnd x%d %.17g\n UP bnd x%d %.17g\n", j, x0[j] - a, j, x0[j] + b);
            break;
        case 1:
            fprintf(f, " LO bnd x%d %.17g\n", j, x0[j] - a);
            break;
        case 2:
            fprintf(f, " FR bnd x%d\n", j);
            break;
        case 3:
            fprintf(f, " MI bnd x%d\n UP bnd x%d %.17g\n", j, j, x0[j] + b);
            break;
        default:
            break;
        }
    }
    fprintf(f, "QUADOBJ\n");
    for (int j = 0; j < n; j++)
        for (int i = 0; i <= j; i++)
            if (PS[i * n + j])
                fprintf(f, " x%d x%d %.17g\n", i, j, Pu[i * n + j]);
    fprintf(f, "ENDATA\n");
    int ok = fclose(f) == 0;
    free(x0), free(type), free(A), free(S), free(Pu), free(PS);
    return ok;
}

/* ================================================================ tests */

static const char *const mm_names[8] = {"HS21",    "HS35",  "HS76",   "QAFIRO",
                                        "GENHS28", "HS118", "QPTEST", "ZECEVIC2"};
/* Optimal objectives from the Maros-Meszaros table (8 significant digits). */
static const double mm_ref[8] = {-9.9960000e+01, 1.1111111e-01, -4.6818182e+00, -1.5907818e+00,
                                 9.2717369e-01,  6.6482045e+02, 4.3718750e+00,  -4.1250000e+00};

static void test_version_and_help(void) {
    run_t r = run_dqp("--version");
    CHECK_INT(r.code, 0);
    char expect[64];
    snprintf(expect, sizeof expect, "dqp %s\n", dqp_version());
    CHECK(strcmp(r.out, expect) == 0);
    run_free(&r);
    r = run_dqp("--help");
    CHECK_INT(r.code, 0);
    const char *words[] = {
        "dqp solve FILE", "dqp grad FILE", "dqp check FILE", "dqp bench FILE",  "dqp solvers",
        "dqp demo",       "--version",     "--solver NAME",  "--set key=value", "--json",
        "--loss",         "z:K",           "--directions",   "--seed",          "--step",
        "--tol",          "--adjoint-tol", "--solvers",      "--tols",          "--repeat",
        "--csv",          "--svg",         "--ref",          "--ref-tol",       "Exit codes"};
    for (size_t k = 0; k < sizeof words / sizeof words[0]; k++)
        CHECK_STR_CONTAINS(r.out, words[k]);
    run_free(&r);
    r = run_dqp("grad --help");
    CHECK_INT(r.code, 0);
    CHECK_STR_CONTAINS(r.out, "--loss objective");
    run_free(&r);
    r = run_dqp(" ");
    CHECK_INT(r.code, 2);
    run_free(&r);
}

static void test_solvers(void) {
    run_t r = run_dqp("solvers --json");
    CHECK_INT(r.code, 0);
    flat_t f = flat_text("json", r.out);
    CHECK(f.ok);
    CHECK_INT(flen(&f, "qp_solvers"), dqp_qp_solver_count());
    CHECK_INT(flen(&f, "lin_solvers"), dqp_lin_solver_count());
    CHECK(dqp_qp_solver_find("dense_as") >= 0);
    for (int i = 0; i < dqp_qp_solver_count(); i++) {
        const char *name = fget(&f, "qp_solvers[%d].name", i);
        CHECK(name && strcmp(name, dqp_qp_solver_name(i)) == 0);
        unsigned caps = dqp_qp_solver_caps(i);
        const char *duals = fget(&f, "qp_solvers[%d].duals", i);
        CHECK(duals && strcmp(duals, (caps & DQP_QP_CAP_DUALS) ? "true" : "false") == 0);
        const char *sparse = fget(&f, "qp_solvers[%d].sparse", i);
        CHECK(sparse && strcmp(sparse, (caps & DQP_QP_CAP_SPARSE) ? "true" : "false") == 0);
        CHECK_INT(dqp_qp_solver_find(dqp_qp_solver_name(i)), i);
    }
    for (int i = 0; i < dqp_lin_solver_count(); i++) {
        const char *name = fget(&f, "lin_solvers[%d].name", i);
        CHECK(name && strcmp(name, dqp_lin_solver_name(i)) == 0);
        const char *sparse = fget(&f, "lin_solvers[%d].sparse", i);
        CHECK(sparse &&
              strcmp(sparse, (dqp_lin_solver_caps(i) & DQP_LIN_CAP_SPARSE) ? "true" : "false") ==
                  0);
    }
    CHECK_INT(dqp_qp_solver_find("no_such_solver"), -1);
    CHECK(dqp_qp_solver_name(-1) == NULL && dqp_qp_solver_name(dqp_qp_solver_count()) == NULL);
    CHECK(dqp_lin_solver_name(dqp_lin_solver_count()) == NULL);
    flat_free(&f);
    run_free(&r);
    r = run_dqp("solvers");
    CHECK_INT(r.code, 0);
    for (int i = 0; i < dqp_qp_solver_count(); i++)
        CHECK_STR_CONTAINS(r.out, dqp_qp_solver_name(i));
    for (int i = 0; i < dqp_lin_solver_count(); i++)
        CHECK_STR_CONTAINS(r.out, dqp_lin_solver_name(i));
    run_free(&r);
}

/* The numbers between the first '[' and ']' after `label` on its line. */
static int parse_bracket(const char *text, const char *label, int which, double *out, int max) {
    const char *p = strstr(text, label);
    if (!p)
        return -1;
    for (int k = 0; k <= which; k++) {
        p = strchr(p, '[');
        if (!p)
            return -1;
        if (k < which)
            p++;
    }
    int cnt = 0;
    p++;
    while (*p && *p != ']' && cnt < max) {
        char *end;
        double v = strtod(p, &end);
        if (end == p)
            break;
        out[cnt++] = v;
        p = end;
        while (*p == ',' || *p == ' ')
            p++;
    }
    return cnt;
}

static void test_demo(void) {
    run_t r = run_dqp("demo");
    CHECK_INT(r.code, 0);
    double v[8];
    /* dqp column then analytic column, exact values of the seed README. */
    const struct {
        const char *label;
        int len;
        double val[4];
    } rows[] = {{"z*", 2, {0.5, 0.5}},
                {"mu*", 3, {1.0, 0.0, 0.0}},
                {"active J", 1, {0.0}},
                {"grad_P p*", 2, {0.125, 0.125}},
                {"grad_q p*", 2, {0.5, 0.5}},
                {"grad_C p*", 4, {0.5, 0.0, 0.5, 0.0}},
                {"grad_d p*", 3, {-1.0, 0.0, 0.0}}};
    for (size_t k = 0; k < sizeof rows / sizeof rows[0]; k++)
        for (int col = 0; col < 2; col++) {
            int cnt = parse_bracket(r.out, rows[k].label, col, v, 8);
            CHECK_INT(cnt, rows[k].len);
            for (int t = 0; t < rows[k].len && t < cnt; t++)
                CHECK_NEAR(v[t], rows[k].val[t], 1e-12);
        }
    CHECK_STR_CONTAINS(r.out, "active set matches");
    CHECK_STR_CONTAINS(r.out, "\nOK\n");
    run_free(&r);
    /* Every forward solver reproduces the analytic values within its
     * tolerance; an LP-only solver must refuse the (quadratic) demo. */
    for (int i = 0; i < dqp_qp_solver_count(); i++) {
        r = run_dqp("demo --solver %s", dqp_qp_solver_name(i));
        if (!(dqp_qp_solver_caps(i) & DQP_QP_CAP_QUADRATIC)) {
            CHECK(r.code != 0);
            CHECK_STR_CONTAINS(r.err, "quadratic objectives are not supported");
            run_free(&r);
            continue;
        }
        CHECK_INT(r.code, 0);
        double z[2];
        CHECK_INT(parse_bracket(r.out, "z*", 0, z, 2), 2);
        CHECK_NEAR(z[0], 0.5, 1e-6);
        CHECK_NEAR(z[1], 0.5, 1e-6);
        run_free(&r);
    }
    r = run_dqp("demo --bogus");
    CHECK_INT(r.code, 2);
    run_free(&r);
}

/* solve --json and grad --json against the C API, the reference objectives
 * and the value-function identities. */
static void test_mm_solve_and_grad(void) {
    dqp_settings s;
    dqp_settings_default(&s);
    for (int t = 0; t < 8; t++) {
        char file[512];
        snprintf(file, sizeof file, "%s", DQP_TEST_DATA "/mm/");
        strncat(file, mm_names[t], sizeof file - strlen(file) - 6);
        strcat(file, ".QPS");
        api_t a;
        CHECK(api_solve(&a, file, &s));
        if (!a.h) {
            api_free(&a);
            continue;
        }
        const dqp_info *info = dqp_solver_info(a.h);
        const double *z = dqp_solver_z(a.h), *lam = dqp_solver_lambda(a.h),
                     *mu = dqp_solver_mu(a.h);
        double obj = dqp_qps_objective(a.qps, z);
        CHECK_REL(obj, mm_ref[t], 2e-7);

        run_t r = run_dqp("solve '%s' --json", file);
        CHECK_INT(r.code, 0);
        flat_t f = flat_text("json", r.out);
        CHECK(f.ok);
        CHECK(fget(&f, "status") && strcmp(fget(&f, "status"), "solved") == 0);
        CHECK_REL(fnum(&f, "objective"), obj, 1e-10);
        CHECK_REL(fnum(&f, "objective"), mm_ref[t], 2e-7);
        CHECK_INT((long)fnum(&f, "n"), a.n);
        CHECK_INT((long)fnum(&f, "m_eq"), a.me);
        CHECK_INT((long)fnum(&f, "m_ineq"), a.mi);
        CHECK_INT((long)fnum(&f, "iterations"), info->iterations);
        CHECK(fnum(&f, "solve_seconds") >= 0.0 && fnum(&f, "diff_setup_seconds") >= 0.0);
        CHECK(fget(&f, "derivative_status") != NULL);
        CHECK_INT(flen(&f, "z"), a.n);
        CHECK_INT(flen(&f, "lambda"), a.me);
        CHECK_INT(flen(&f, "mu"), a.mi);
        double zs = fmax(1.0, vmax_abs(z, a.n));
        for (int64_t j = 0; j < a.n; j++)
            CHECK_NEAR(fnum(&f, "z[%lld]", (long long)j), z[j], 1e-9 * zs);
        for (int64_t k = 0; k < a.me; k++)
            CHECK_NEAR(fnum(&f, "lambda[%lld]", (long long)k), lam[k],
                       1e-9 * fmax(1.0, fabs(lam[k])));
        for (int64_t k = 0; k < a.mi; k++)
            CHECK_NEAR(fnum(&f, "mu[%lld]", (long long)k), mu[k], 1e-9 * fmax(1.0, fabs(mu[k])));
        const int64_t *act = NULL;
        int64_t na = dqp_solver_active(a.h, &act);
        CHECK_INT(flen(&f, "active"), na);
        for (int64_t k = 0; k < na && flen(&f, "active") == na; k++)
            CHECK_INT((long long)fnum(&f, "active[%lld]", (long long)k), act[k]);
        flat_free(&f);
        run_free(&r);

        /* grad, loss objective */
        grads_t g = {{0}, {0}};
        CHECK(api_grad(&a, 0, 0, &g));
        r = run_dqp("grad '%s' --json", file);
        CHECK_INT(r.code, 0);
        f = flat_text("json", r.out);
        CHECK(f.ok);
        CHECK_REL(fnum(&f, "loss_value"), obj, 1e-10);
        for (int b = 0; b < 6; b++) {
            CHECK_INT(flen(&f, gnames[b]), g.len[b]);
            double sc = fmax(1.0, vmax_abs(g.v[b], g.len[b]));
            for (int64_t k = 0; k < g.len[b]; k++)
                CHECK_NEAR(fnum(&f, "%s[%lld]", gnames[b], (long long)k), g.v[b][k], 1e-9 * sc);
        }
        /* method.md section 7, at a regular point: dq = z, db = -lambda,
         * dd = -mu, dC = mu z' at the stored entries (file sense +1 here). */
        if (api_regular(&a) && a.sense > 0) {
            double tol = 1e-6 * fmax(1.0, vmax_abs(mu, a.mi) + vmax_abs(lam, a.me)) * zs;
            for (int64_t j = 0; j < a.n; j++)
                CHECK_NEAR(fnum(&f, "dq[%lld]", (long long)j), z[j], tol);
            for (int64_t k = 0; k < a.me; k++)
                CHECK_NEAR(fnum(&f, "db[%lld]", (long long)k), -lam[k], tol);
            for (int64_t k = 0; k < a.mi; k++)
                CHECK_NEAR(fnum(&f, "dd[%lld]", (long long)k), -mu[k], tol);
            const dqp_csc *C = dqp_problem_csc(a.p, 'C');
            for (int64_t j = 0; j < C->n; j++)
                for (int64_t k = C->p[j]; k < C->p[j + 1]; k++)
                    CHECK_NEAR(fnum(&f, "dC[%lld]", (long long)k), mu[C->i[k]] * z[j], tol);
        }
        /* by_name: the gradient mapped to the file's rows, columns, bounds. */
        int64_t ncols = a.n, nrows = dqp_qps_file_rows(a.qps);
        double *rhs = calloc((size_t)nrows + 1, sizeof(double));
        double *rng = calloc((size_t)nrows + 1, sizeof(double));
        unsigned char *hr = calloc((size_t)nrows + 1, 1);
        double *bnd[3];
        unsigned char *hb[3];
        for (int u = 0; u < 3; u++) {
            bnd[u] = calloc((size_t)ncols + 1, sizeof(double));
            hb[u] = calloc((size_t)ncols + 1, 1);
        }
        for (int eq = 1; eq >= 0; eq--) {
            int64_t rows = eq ? a.me : a.mi;
            const double *gv = eq ? g.v[3] : g.v[5];
            for (int64_t k = 0; k < rows; k++) {
                dqp_row_origin o;
                CHECK_INT(dqp_qps_row_origin(a.qps, eq, k, &o), DQP_OK);
                if (o.kind == DQP_ORIGIN_ROW) {
                    rhs[o.index] += o.sign * gv[k];
                    if (o.range) {
                        rng[o.index] += gv[k];
                        hr[o.index] = 1;
                    }
                } else {
                    int u = o.kind == DQP_ORIGIN_LOWER ? 0 : o.kind == DQP_ORIGIN_UPPER ? 1 : 2;
                    bnd[u][o.index] += o.sign * gv[k];
                    hb[u][o.index] = 1;
                }
            }
        }
        double gs = 1e-9 * fmax(1.0, vmax_abs(g.v[5], a.mi) + vmax_abs(g.v[3], a.me));
        for (int64_t j = 0; j < ncols; j++)
            CHECK_NEAR(fnum(&f, "by_name.c.%s", dqp_qps_col_name(a.qps, j)), a.sense * g.v[1][j],
                       1e-9 * fmax(1.0, fabs(g.v[1][j])));
        for (int64_t r2 = 0; r2 < nrows; r2++) {
            CHECK_NEAR(fnum(&f, "by_name.rhs.%s", dqp_qps_row_name(a.qps, r2)), rhs[r2], gs);
            if (hr[r2])
                CHECK_NEAR(fnum(&f, "by_name.range.%s", dqp_qps_row_name(a.qps, r2)), rng[r2], gs);
        }
        const char *bn[3] = {"lower", "upper", "fixed"};
        for (int u = 0; u < 3; u++) {
            long cnt = 0;
            for (int64_t j = 0; j < ncols; j++)
                if (hb[u][j]) {
                    cnt++;
                    CHECK_NEAR(fnum(&f, "by_name.%s.%s", bn[u], dqp_qps_col_name(a.qps, j)),
                               bnd[u][j], gs);
                }
            char key[64];
            snprintf(key, sizeof key, "by_name.%s", bn[u]);
            CHECK_INT(flen(&f, key), cnt);
        }
        /* One matrix entry per entry of the file's constraint rows. */
        CHECK_INT(flen(&f, "by_name.matrix"), dqp_qps_file_nnz(a.qps));
        CHECK_INT(flen(&f, "by_name.Q"), g.len[0]);
        for (int u = 0; u < 3; u++) {
            free(bnd[u]);
            free(hb[u]);
        }
        free(rhs);
        free(rng);
        free(hr);
        flat_free(&f);
        run_free(&r);
        grads_free(&g);

        /* grad, loss sum and z:K (by index and by column name) */
        for (int kind = 1; kind <= 3; kind++) {
            int64_t K = a.n - 1;
            int api_ok = api_grad(&a, kind == 1 ? 1 : 2, K, &g);
            if (kind == 1)
                r = run_dqp("grad '%s' --json --loss sum", file);
            else if (kind == 2)
                r = run_dqp("grad '%s' --json --loss z:%lld", file, (long long)K);
            else
                r = run_dqp("grad '%s' --loss=z:%s --json", file, dqp_qps_col_name(a.qps, K));
            if (!api_ok) {
                /* A degenerate point where this seed has no derivative (a
                 * singular K, the seed outside its range): the CLI says so. */
                CHECK(!api_regular(&a));
                CHECK_INT(r.code, 5);
                CHECK_STR_CONTAINS(r.err, "no derivative");
                CHECK(r.out[0] == '\0');
                run_free(&r);
                grads_free(&g);
                continue;
            }
            CHECK_INT(r.code, 0);
            f = flat_text("json", r.out);
            CHECK(f.ok);
            double zsum = 0.0;
            for (int64_t j = 0; j < a.n; j++)
                zsum += z[j];
            CHECK_REL(fnum(&f, "loss_value"), kind == 1 ? zsum : z[K], 1e-9);
            for (int b = 0; b < 6 && f.ok; b++) {
                double sc = fmax(1.0, vmax_abs(g.v[b], g.len[b]));
                for (int64_t k = 0; k < g.len[b]; k++)
                    CHECK_NEAR(fnum(&f, "%s[%lld]", gnames[b], (long long)k), g.v[b][k], 1e-9 * sc);
            }
            CHECK_NEAR(fnum(&f, "by_name.objective_constant"), 0.0, 0.0);
            flat_free(&f);
            run_free(&r);
            grads_free(&g);
        }
        /* human-readable output names the columns */
        r = run_dqp("grad '%s'", file);
        CHECK_INT(r.code, 0);
        CHECK_STR_CONTAINS(r.out, "d/dc");
        CHECK_STR_CONTAINS(r.out, dqp_qps_col_name(a.qps, 0));
        run_free(&r);
        api_free(&a);
    }
}

/* Values derived by hand from the problems' data. */
static void test_hand_values(void) {
    /* HS35: min 9 - 8x1 - 6x2 - 4x3 + 2x1^2 + 2x2^2 + x3^2 + 2x1x2 + 2x1x3,
     * row R------1 (G): -x1 - x2 - 2x3 >= -3, x >= 0. z = (4/3, 7/9, 4/9),
     * f = 1/9, multiplier of the row 2/9. The G row is a'x >= b with
     * a = (-1, -1, -2), b = -3: df/db = 2/9, df/da_j = -(2/9) z_j. */
    run_t r = run_dqp("grad '%s' --json", MMFILE("HS35"));
    CHECK_INT(r.code, 0);
    flat_t f = flat_text("json", r.out);
    CHECK(f.ok);
    const double z[3] = {4.0 / 3.0, 7.0 / 9.0, 4.0 / 9.0}, mu = 2.0 / 9.0;
    const double tol = 1e-6;
    CHECK_NEAR(fnum(&f, "loss_value"), 1.0 / 9.0, tol);
    CHECK_NEAR(fnum(&f, "by_name.objective_constant"), 1.0, 0.0);
    const char *cols[3] = {"C------1", "C------2", "C------3"};
    for (int j = 0; j < 3; j++) {
        CHECK_NEAR(fnum(&f, "by_name.c.%s", cols[j]), z[j], tol);
        CHECK_NEAR(fnum(&f, "by_name.lower.%s", cols[j]), 0.0, tol); /* x > 0: inactive */
    }
    CHECK_NEAR(fnum(&f, "by_name.rhs.R------1"), mu, tol);
    CHECK_INT(flen(&f, "by_name.matrix"), 3);
    for (int k = 0; k < 3; k++) {
        const char *col = fget(&f, "by_name.matrix[%d].col", k);
        CHECK(col != NULL);
        for (int j = 0; col && j < 3; j++)
            if (strcmp(col, cols[j]) == 0)
                CHECK_NEAR(fnum(&f, "by_name.matrix[%d].value", k), -mu * z[j], tol);
    }
    /* Q entries (stored triangle): 1/2 z_j^2 on the diagonal, z_i z_j off it. */
    CHECK_INT(flen(&f, "by_name.Q"), 5);
    for (int k = 0; k < 5; k++) {
        const char *ci = fget(&f, "by_name.Q[%d].i", k), *cj = fget(&f, "by_name.Q[%d].j", k);
        CHECK(ci && cj);
        if (!ci || !cj)
            continue;
        int i = ci[7] - '1', j = cj[7] - '1';
        double expect = i == j ? 0.5 * z[i] * z[i] : z[i] * z[j];
        CHECK_NEAR(fnum(&f, "by_name.Q[%d].value", k), expect, tol);
    }
    flat_free(&f);
    run_free(&r);

    /* HS21: min 0.01 x1^2 + x2^2 - 100, 2 <= x1 <= 50, -50 <= x2 <= 50,
     * 10 x1 - x2 >= 10 (inactive). z = (2, 0); the lower bound of x1 is
     * active with multiplier 0.02 * 2 = 0.04. */
    r = run_dqp("grad '%s' --json", MMFILE("HS21"));
    CHECK_INT(r.code, 0);
    f = flat_text("json", r.out);
    CHECK(f.ok);
    CHECK_NEAR(fnum(&f, "loss_value"), -99.96, 1e-6);
    CHECK_NEAR(fnum(&f, "by_name.c.C------1"), 2.0, 1e-6);
    CHECK_NEAR(fnum(&f, "by_name.c.C------2"), 0.0, 1e-6);
    CHECK_NEAR(fnum(&f, "by_name.lower.C------1"), 0.04, 1e-6);
    CHECK_NEAR(fnum(&f, "by_name.upper.C------1"), 0.0, 1e-6);
    CHECK_NEAR(fnum(&f, "by_name.lower.C------2"), 0.0, 1e-6);
    CHECK_NEAR(fnum(&f, "by_name.rhs.R------1"), 0.0, 1e-6);
    flat_free(&f);
    run_free(&r);

    /* A maximization: max -x^2 + x + y + 3 s.t. x + y <= 10, y <= 2, x, y >= 0
     * (OBJSENSE MAX, Q(x,x) = -2, constant = -RHS of the objective row).
     * x = 1/2, y = 2, f = 5.25; in the file's sense df/dc = (x, y),
     * df/dQ(x,x) = x^2 / 2, df/d(upper bound of y) = 1, df/dconstant = 1. */
    char maxfile[512];
    tmp_path(maxfile, sizeof maxfile, "max.qps");
    CHECK(write_text(maxfile, "NAME MAXP\nOBJSENSE\n    MAX\nROWS\n N obj\n L c1\nCOLUMNS\n"
                              " x obj 1 c1 1\n y obj 1 c1 1\nRHS\n rhs c1 10\n rhs obj -3\n"
                              "BOUNDS\n UP bnd y 2\nQUADOBJ\n x x -2\nENDATA\n"));
    r = run_dqp("grad '%s' --json", maxfile);
    CHECK_INT(r.code, 0);
    f = flat_text("json", r.out);
    CHECK(f.ok);
    CHECK(fget(&f, "sense") && strcmp(fget(&f, "sense"), "max") == 0);
    CHECK_NEAR(fnum(&f, "objective"), 5.25, 1e-7);
    CHECK_NEAR(fnum(&f, "loss_value"), 5.25, 1e-7);
    CHECK_NEAR(fnum(&f, "by_name.c.x"), 0.5, 1e-7);
    CHECK_NEAR(fnum(&f, "by_name.c.y"), 2.0, 1e-7);
    CHECK_NEAR(fnum(&f, "by_name.Q[0].value"), 0.125, 1e-7);
    CHECK_NEAR(fnum(&f, "by_name.upper.y"), 1.0, 1e-7);
    CHECK_NEAR(fnum(&f, "by_name.lower.x"), 0.0, 1e-7);
    CHECK_NEAR(fnum(&f, "by_name.rhs.c1"), 0.0, 1e-7);
    CHECK_NEAR(fnum(&f, "by_name.objective_constant"), 1.0, 0.0);
    flat_free(&f);
    run_free(&r);
    r = run_dqp("check '%s' --directions 3 --solver dense_as", maxfile);
    CHECK_INT(r.code, 0);
    run_free(&r);

    /* RANGES and FX: min 1/2 x^2 + 1/2 y^2 - 3x - 3y + z, G row r: x + y >= 1
     * with range 1 (1 <= x + y <= 2), z fixed at 0.5, x, y free. The upper
     * side x + y <= b + |R| is active: x = y = 1, mu = 2, f = -4.5.
     * df/db = df/d|R| = -mu, df/da_rj = mu z_j = 2, df/d(fixed z) = 1. */
    char rngfile[512];
    tmp_path(rngfile, sizeof rngfile, "ranges.qps");
    CHECK(write_text(rngfile, "NAME RNG\nROWS\n N obj\n G r\nCOLUMNS\n x obj -3 r 1\n"
                              " y obj -3 r 1\n z obj 1\nRHS\n rhs r 1\nRANGES\n rng r 1\n"
                              "BOUNDS\n FR bnd x\n FR bnd y\n FX bnd z 0.5\n"
                              "QUADOBJ\n x x 1\n y y 1\nENDATA\n"));
    r = run_dqp("grad '%s' --json", rngfile);
    CHECK_INT(r.code, 0);
    f = flat_text("json", r.out);
    CHECK(f.ok);
    CHECK_NEAR(fnum(&f, "objective"), -4.5, 1e-7);
    CHECK_NEAR(fnum(&f, "by_name.rhs.r"), -2.0, 1e-7);
    CHECK_NEAR(fnum(&f, "by_name.range.r"), -2.0, 1e-7);
    CHECK_NEAR(fnum(&f, "by_name.fixed.z"), 1.0, 1e-7);
    CHECK_NEAR(fnum(&f, "by_name.c.z"), 0.5, 1e-7);
    CHECK_NEAR(fnum(&f, "by_name.c.x"), 1.0, 1e-7);
    CHECK_INT(flen(&f, "by_name.matrix"), 2);
    CHECK_NEAR(fnum(&f, "by_name.matrix[0].value"), 2.0, 1e-7);
    CHECK_NEAR(fnum(&f, "by_name.matrix[1].value"), 2.0, 1e-7);
    CHECK_INT(flen(&f, "by_name.lower"), 0);
    CHECK_INT(flen(&f, "by_name.upper"), 0);
    flat_free(&f);
    run_free(&r);

    /* solve --json of HS21 names the active bound. */
    r = run_dqp("solve '%s' --json --solver dense_as", MMFILE("HS21"));
    CHECK_INT(r.code, 0);
    f = flat_text("json", r.out);
    CHECK(f.ok);
    CHECK_INT(flen(&f, "active_origins"), 1);
    CHECK(fget(&f, "active_origins[0]") &&
          strcmp(fget(&f, "active_origins[0]"), "lower bound of C------1") == 0);
    CHECK(fget(&f, "qp_solver") && strcmp(fget(&f, "qp_solver"), "dense_as") == 0);
    CHECK_NEAR(fnum(&f, "objective"), -99.96, 1e-12);
    flat_free(&f);
    run_free(&r);
}

static void test_malformed_files(void) {
    char trunc[512], badnum[512], missing[512];
    tmp_path(trunc, sizeof trunc, "truncated.qps");
    tmp_path(badnum, sizeof badnum, "badnum.qps");
    tmp_path(missing, sizeof missing, "no_such_file.qps");
    char *hs21 = slurp(MMFILE("HS21"));
    CHECK(hs21 != NULL);
    if (!hs21)
        return;
    char *end = strstr(hs21, "ENDATA");
    CHECK(end != NULL);
    if (end) {
        *end = '\0';
        write_text(trunc, hs21); /* 19 lines, no ENDATA */
        *end = 'E';
    }
    char *num = strstr(hs21, "0.100000e+02"); /* line 6 */
    if (num)
        num[3] = 'x';
    write_text(badnum, hs21);
    free(hs21);

    const char *cmds[3] = {"solve", "grad", "check"};
    for (int c = 0; c < 3; c++) {
        run_t r = run_dqp("%s '%s'", cmds[c], DQP_TEST_DATA "/bad_row.mps");
        CHECK_INT(r.code, 3);
        CHECK_STR_CONTAINS(r.err, "bad_row.mps:9:");
        CHECK_STR_CONTAINS(r.err, "c2");
        CHECK(r.out[0] == '\0');
        run_free(&r);
    }
    char expect[600];
    run_t r = run_dqp("solve '%s'", trunc);
    CHECK_INT(r.code, 3);
    snprintf(expect, sizeof expect, "%s:", trunc);
    CHECK_STR_CONTAINS(r.err, expect);
    CHECK_STR_CONTAINS(r.err, "ENDATA");
    run_free(&r);
    r = run_dqp("grad '%s' --json", badnum);
    CHECK_INT(r.code, 3);
    snprintf(expect, sizeof expect, "%s:6:", badnum);
    CHECK_STR_CONTAINS(r.err, expect);
    CHECK(r.out[0] == '\0');
    run_free(&r);
    r = run_dqp("solve '%s'", missing);
    CHECK_INT(r.code, 3);
    CHECK_STR_CONTAINS(r.err, missing);
    run_free(&r);
    r = run_dqp("bench '%s' --repeat 1", missing);
    CHECK_INT(r.code, 3);
    CHECK_STR_CONTAINS(r.err, missing);
    run_free(&r);
    r = run_dqp("solve '%s'", g_tmp); /* a directory */
    CHECK_INT(r.code, 3);
    CHECK_STR_CONTAINS(r.err, g_tmp);
    run_free(&r);
    r = run_dqp("info '%s'", DQP_TEST_DATA "/bad_row.mps");
    CHECK_INT(r.code, 3);
    CHECK_STR_CONTAINS(r.err, "bad_row.mps:9:");
    run_free(&r);
}

static void test_bad_options(void) {
    const char *hs = MMFILE("HS35");
    const struct {
        const char *args;
        const char *needle[3];
    } cases[] = {
        {"frobnicate", {"unknown command", "solve", "bench"}},
        {"solve", {"missing FILE", NULL, NULL}},
        {"solve '%s' '%s'", {"more than one FILE", NULL, NULL}},
        {"solve '%s' --frob", {"unknown option --frob", NULL, NULL}},
        {"solve '%s' --solver nope", {"unknown solver \"nope\"", "valid: auto, dense_as", NULL}},
        {"grad '%s' --solver", {"--solver needs a value", NULL, NULL}},
        {"solve '%s' --set eps_active", {"key=value", NULL, NULL}},
        {"solve '%s' --set nosuch=1", {"unknown setting \"nosuch\"", "eps_abs", "time_limit"}},
        {"solve '%s' --set eps_abs=-1", {"eps_abs", NULL, NULL}},
        {"solve '%s' --set lin_solver=nope", {"unknown lin_solver", "ldl", "lapack"}},
        {"grad '%s' --loss bogus", {"unknown loss \"bogus\"", "objective", "z:K"}},
        {"grad '%s' --loss z:3", {"index 3 out of range [0, 3)", NULL, NULL}},
        {"grad '%s' --loss z:nosuchcol", {"nosuchcol", "column name", NULL}},
        {"check '%s' --directions 0", {"--directions", NULL, NULL}},
        {"check '%s' --step 2", {"--step", NULL, NULL}},
        {"check '%s' --tol abc", {"--tol", NULL, NULL}},
        {"bench '%s' --solvers dense_as,nope", {"unknown solver \"nope\"", "dense_as", NULL}},
        {"bench '%s' --tols 1e-8,abc", {"bad tolerance \"abc\"", NULL, NULL}},
        {"bench '%s' --tols 0", {"bad tolerance \"0\"", NULL, NULL}},
        {"bench '%s' --repeat 0", {"--repeat", NULL, NULL}},
        {"bench '%s' --ref nope", {"unknown reference solver", NULL, NULL}},
        {"solvers --frob", {"unknown argument", NULL, NULL}},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        char args[1024];
        snprintf(args, sizeof args, cases[k].args, hs, hs);
        run_t r = run_dqp("%s", args);
        if (r.code != 2)
            fprintf(stderr, "  case: dqp %s\n", args);
        CHECK_INT(r.code, 2);
        for (int t = 0; t < 3; t++)
            if (cases[k].needle[t])
                CHECK_STR_CONTAINS(r.err, cases[k].needle[t]);
        CHECK(r.out[0] == '\0');
        run_free(&r);
    }
}

static const char infeasible_qps[] = "NAME INFEAS\n"
                                     "ROWS\n N obj\n G c1\n L c2\n"
                                     "COLUMNS\n x obj 1 c1 1\n x c2 1\n y obj 1 c1 1\n"
                                     "RHS\n rhs c1 2 c2 1\n"
                                     "BOUNDS\n FR bnd x\n UP bnd y 0.5\n"
                                     "QUADOBJ\n x x 1\n y y 1\n"
                                     "ENDATA\n";
/* min -x - y s.t. x - y <= 1, x, y >= 0: unbounded below along (1, 1). */
static const char unbounded_qps[] = "NAME UNB\n"
                                    "ROWS\n N obj\n L c1\n"
                                    "COLUMNS\n x obj -1 c1 1\n y obj -1 c1 -1\n"
                                    "RHS\n rhs c1 1\n"
                                    "ENDATA\n";

static void test_infeasible_and_unbounded(void) {
    char inf[512], unb[512];
    tmp_path(inf, sizeof inf, "infeasible.qps");
    tmp_path(unb, sizeof unb, "unbounded.qps");
    CHECK(write_text(inf, infeasible_qps) && write_text(unb, unbounded_qps));
    const char *files[2] = {inf, unb};
    const char *status[2] = {"primal_infeasible", "dual_infeasible"};
    for (int t = 0; t < 2; t++) {
        /* dense_as certifies infeasibility and unboundedness exactly. */
        run_t r = run_dqp("solve '%s' --json --solver dense_as", files[t]);
        CHECK_INT(r.code, 0);
        flat_t f = flat_text("json", r.out);
        CHECK(f.ok);
        CHECK(fget(&f, "status") && strcmp(fget(&f, "status"), status[t]) == 0);
        CHECK(fget(&f, "solved") && strcmp(fget(&f, "solved"), "false") == 0);
        CHECK(fget(&f, "objective") && strcmp(fget(&f, "objective"), "null") == 0);
        CHECK(fget(&f, "z") && strcmp(fget(&f, "z"), "null") == 0);
        flat_free(&f);
        run_free(&r);

        r = run_dqp("grad '%s' --json --solver dense_as", files[t]);
        CHECK_INT(r.code, 4);
        f = flat_text("json", r.out);
        CHECK(f.ok);
        CHECK(fget(&f, "status") && strcmp(fget(&f, "status"), status[t]) == 0);
        for (int b = 0; b < 6; b++)
            CHECK(fget(&f, "%s", gnames[b]) == NULL); /* no gradient */
        CHECK(fget(&f, "by_name") == NULL);
        CHECK_STR_CONTAINS(r.err, status[t]);
        flat_free(&f);
        run_free(&r);

        r = run_dqp("grad '%s' --solver dense_as", files[t]);
        CHECK_INT(r.code, 4);
        CHECK_STR_CONTAINS(r.out, status[t]);
        CHECK(strstr(r.out, "d/dc") == NULL);
        run_free(&r);

        r = run_dqp("check '%s' --solver dense_as", files[t]);
        CHECK_INT(r.code, 4);
        CHECK_STR_CONTAINS(r.err, status[t]);
        run_free(&r);
        /* Every forward solver, and the default: not solved (whatever status
         * the solver reaches), exit 4, no gradient. */
        for (int i = -1; i < dqp_qp_solver_count(); i++) {
            const char *name = i < 0 ? "auto" : dqp_qp_solver_name(i);
            if (i >= 0 && !(dqp_qp_solver_caps(i) & DQP_QP_CAP_QUADRATIC)) {
                /* LP-only solver: a QP file is refused with the reason, an
                 * LP file gets the status like every other solver */
                r = run_dqp("grad '%s' --json --solver %s", files[t], name);
                if (r.code != 4) {
                    CHECK_INT(r.code, 5);
                    CHECK_STR_CONTAINS(r.err, "quadratic objectives are not supported");
                } else {
                    CHECK_STR_CONTAINS(r.err, "not solved");
                }
                run_free(&r);
                continue;
            }
            r = run_dqp("grad '%s' --json --solver %s", files[t], name);
            CHECK_INT(r.code, 4);
            f = flat_text("json", r.out);
            CHECK(f.ok);
            CHECK(fget(&f, "solved") && strcmp(fget(&f, "solved"), "false") == 0);
            CHECK(fget(&f, "dq") == NULL && fget(&f, "by_name") == NULL);
            CHECK_STR_CONTAINS(r.err, "not solved");
            flat_free(&f);
            run_free(&r);
            r = run_dqp("check '%s' --solver %s --directions 2", files[t], name);
            CHECK_INT(r.code, 4);
            run_free(&r);
        }
    }
}

/* Run `dqp check` on one file with a solver (NULL: the default); returns 1
 * when it was a regular problem that passed. Regularity is decided through
 * the C API with the solver and the tolerance the check used. */
static int check_one(const char *file, const char *solver) {
    run_t r = run_dqp("check '%s' --json --directions 6 --seed 7%s%s", file,
                      solver ? " --solver " : "", solver ? solver : "");
    flat_t f = flat_text("json", r.out);
    CHECK(f.ok);
    if (!f.ok)
        fprintf(stderr, "  dqp check '%s': exit %d\n%s\n", file, r.code, r.err);
    dqp_settings s;
    dqp_settings_default(&s);
    s.eps_abs = fnum(&f, "eps_abs");
    s.eps_rel = fnum(&f, "eps_rel");
    CHECK(s.eps_abs > 0.0 && s.eps_abs <= 1e-8 && s.eps_rel > 0.0 && s.eps_rel <= 1e-8);
    if (solver)
        snprintf(s.qp_solver, sizeof s.qp_solver, "%s", solver);
    api_t a;
    int solved = api_solve(&a, file, &s);
    CHECK(solved);
    int was_regular = solved && api_regular(&a);
    api_free(&a);
    int passed = 0;
    if (was_regular) {
        if (r.code != 0)
            fprintf(stderr, "  check failed on %s:\n%s%s\n", file, r.out, r.err);
        CHECK_INT(r.code, 0);
        CHECK(fget(&f, "pass") && strcmp(fget(&f, "pass"), "true") == 0);
        CHECK(fget(&f, "regular") && strcmp(fget(&f, "regular"), "true") == 0);
        CHECK(fnum(&f, "evaluated") >= 3);
        CHECK(fnum(&f, "max_adjoint_rel") <= 1e-9);
        /* default tolerance 1e-5; with the exact active-set solver the
         * finite differences agree far better */
        double fdtol = solver && strcmp(solver, "dense_as") == 0 ? 1e-6 : 1e-5;
        CHECK(fnum(&f, "tol") == 1e-5);
        CHECK(fnum(&f, "max_fd_loss_rel") <= fdtol);
        CHECK(fnum(&f, "max_fd_solution_rel") <= fdtol);
        CHECK_INT(flen(&f, "results"), 6);
        /* reverse and forward agree in every direction */
        for (int k = 0; k < 6; k++)
            CHECK_NEAR(fnum(&f, "results[%d].reverse", k), fnum(&f, "results[%d].forward", k),
                       1e-8 * fmax(1.0, fabs(fnum(&f, "results[%d].reverse", k))));
        passed = r.code == 0;
    } else {
        CHECK(fget(&f, "regular") && strcmp(fget(&f, "regular"), "false") == 0);
        CHECK_INT(r.code, 0); /* degenerate: reported, not enforced */
    }
    flat_free(&f);
    run_free(&r);
    return passed;
}

static void test_check_regular_problems(void) {
    /* The bundled Maros-Meszaros problems with the default solver and
     * with dense_as; random QPS files of growing size with dense_as (exact
     * active sets: the check then measures the derivatives, not the
     * forward solver's accuracy). */
    int regular_passed = 0;
    for (int t = 0; t < 8; t++) {
        char file[512];
        snprintf(file, sizeof file, DQP_TEST_DATA "/mm/%s.QPS", mm_names[t]);
        regular_passed += check_one(file, NULL);
        regular_passed += check_one(file, "dense_as");
    }
    const int sizes[8] = {3, 5, 8, 12, 20, 30, 45, 70};
    for (int k = 0; k < 8; k++) {
        char file[512], name[64];
        snprintf(name, sizeof name, "random_%d.qps", sizes[k]);
        tmp_path(file, sizeof file, name);
        CHECK(write_random_qps(file, sizes[k], 1000u + (unsigned)k));
        regular_passed += check_one(file, "dense_as");
    }
    fprintf(stderr, "  dqp check passed on %d regular (problem, solver) pairs\n", regular_passed);
    CHECK(regular_passed >= 20);

    /* Human output, and the failure path: a tolerance nothing can meet. */
    run_t r = run_dqp("check '%s' --directions 3", MMFILE("HS35"));
    CHECK_INT(r.code, 0);
    CHECK_STR_CONTAINS(r.out, "largest relative disagreement");
    CHECK_STR_CONTAINS(r.out, "derivative status regular");
    CHECK_STR_CONTAINS(r.out, "PASS");
    run_free(&r);
    r = run_dqp("check '%s' --directions 3 --tol 1e-300 --adjoint-tol 1e-300", MMFILE("HS35"));
    CHECK_INT(r.code, 1);
    CHECK_STR_CONTAINS(r.out, "FAIL");
    CHECK_STR_CONTAINS(r.err, "derivative check failed");
    run_free(&r);
    /* Other losses. */
    r = run_dqp("check '%s' --loss z:C------2 --directions 3 --json", MMFILE("HS76"));
    CHECK_INT(r.code, 0);
    flat_t f = flat_text("json", r.out);
    CHECK(f.ok);
    CHECK(fget(&f, "loss") && strcmp(fget(&f, "loss"), "z:C------2") == 0);
    CHECK(fnum(&f, "max_fd_loss_rel") <= 1e-5);
    flat_free(&f);
    run_free(&r);
    r = run_dqp("check '%s' --loss sum --directions 3 --solver dense_as", MMFILE("HS118"));
    CHECK_INT(r.code, 0);
    run_free(&r);
}

static void test_bench(void) {
    char csv[512], svg[512];
    tmp_path(csv, sizeof csv, "bench.csv");
    tmp_path(svg, sizeof svg, "bench.svg");
    run_t r = run_dqp("bench '%s' --repeat 3 --tols 1e-8,1e-4 --csv '%s' --svg '%s'",
                      MMFILE("HS35"), csv, svg);
    CHECK_INT(r.code, 0);
    CHECK_STR_CONTAINS(r.out, "rel err z");
    /* the default solver list holds the solvers that accept a QP */
    const char *names[16];
    int ns = 0;
    for (int i = 0; i < dqp_qp_solver_count() && ns < 16; i++)
        if (dqp_qp_solver_caps(i) & DQP_QP_CAP_QUADRATIC)
            names[ns++] = dqp_qp_solver_name(i);
        else
            CHECK_STR_CONTAINS(r.out, "left out (linear programs only)");
    flat_t c = flat_file("csv", csv);
    CHECK(c.ok);
    CHECK_INT((long)fnum(&c, "rows"), 2 * ns);
    CHECK(fget(&c, "header") &&
          strstr(fget(&c, "header"), "solver,tol,status,runs,solved,backward_runs,solve_mean_s,"
                                     "solve_std_s,backward_mean_s,backward_std_s") != NULL);
    for (int i = 0; i < ns; i++)
        for (int t = 0; t < 2; t++) {
            int row = i * 2 + t;
            const char *solver = fget(&c, "row[%d].solver", row);
            CHECK(solver && strcmp(solver, names[i]) == 0);
            CHECK_NEAR(fnum(&c, "row[%d].tol", row), t ? 1e-4 : 1e-8, 0.0);
            CHECK_INT((long)fnum(&c, "row[%d].runs", row), 3);
            CHECK(fget(&c, "row[%d].status", row) != NULL);
            if (fnum(&c, "row[%d].solved", row) == 3) {
                CHECK(fnum(&c, "row[%d].solve_mean_s", row) > 0.0);
                CHECK(fnum(&c, "row[%d].solve_std_s", row) >= 0.0);
                CHECK(fnum(&c, "row[%d].backward_mean_s", row) > 0.0);
                CHECK(fnum(&c, "row[%d].rel_err_z", row) >= 0.0);
                CHECK_REL(fnum(&c, "row[%d].objective", row), 1.0 / 9.0, 1e-2);
            }
        }
    /* dense_as at 1e-8 against the dense_as reference at 1e-12: exact. */
    int da = -1;
    for (int i = 0; i < ns; i++)
        if (strcmp(names[i], "dense_as") == 0)
            da = i;
    CHECK(da >= 0);
    CHECK(fnum(&c, "row[%d].rel_err_z", 2 * da) <= 1e-10);
    flat_free(&c);

    flat_t s = flat_file("svg", svg);
    CHECK(s.ok);
    if (!s.ok)
        fprintf(stderr, "  svg: %s\n", s.msg ? s.msg : "");
    /* two bars per (solver, tolerance), legend squares, background */
    CHECK(fnum(&s, "rects") >= 4 * ns + 2);
    for (int i = 0; i < ns; i++)
        CHECK(has_text(&s, names[i]));
    CHECK(has_text(&s, "exact")); /* dense_as at 1e-8: no error */
    int exps = 0;
    for (int k = 0; k < s.n; k++)
        if (strcmp(s.key[k], "text") == 0 && s.val[k][0] == 'e' && s.val[k][1] == '-')
            exps++;
    CHECK(exps >= 1);
    CHECK(has_text(&s, "tolerance 1e-08 (eps_abs = eps_rel)"));
    flat_free(&s);
    run_free(&r);

    /* One solver, default tolerances. */
    r = run_dqp("bench '%s' --repeat 2 --solvers dense_as --csv '%s'", MMFILE("HS21"), csv);
    CHECK_INT(r.code, 0);
    c = flat_file("csv", csv);
    CHECK(c.ok);
    CHECK_INT((long)fnum(&c, "rows"), 3);
    CHECK_NEAR(fnum(&c, "row[2].tol"), 1e-2, 0.0);
    flat_free(&c);
    run_free(&r);
}

/* The JSON and SVG writers escape names: quotes, backslashes, '<' and '&'
 * survive a round trip through real parsers, valid UTF-8 passes through
 * and a stray Latin-1 byte becomes U+FFFD in JSON ('?' in SVG). */
static void test_escaping(void) {
    char file[512], svg[512];
    tmp_path(file, sizeof file, "names.qps");
    tmp_path(svg, sizeof svg, "names.svg");
    CHECK(write_text(file, "NAME <A&B>\xe9\nROWS\n N obj\n L r\"1\nCOLUMNS\n"
                           " a\\b obj 1 r\"1 1\n"
                           " c\"d obj -1 r\"1 1\n"
                           " caf\xc3\xa9 obj 1 r\"1 1\n"
                           " bad\xe9 obj 1 r\"1 1\n"
                           "RHS\n rhs r\"1 1\nBOUNDS\n UP bnd c\"d 2\n"
                           "QUADOBJ\n a\\b a\\b 1\n c\"d c\"d 1\n caf\xc3\xa9 caf\xc3\xa9 1\n"
                           " bad\xe9 bad\xe9 1\nENDATA\n"));
    run_t r = run_dqp("grad '%s' --json --solver dense_as", file);
    CHECK_INT(r.code, 0);
    flat_t f = flat_text("json", r.out);
    CHECK(f.ok);
    CHECK(!isnan(fnum(&f, "by_name.c.a\\b"))); /* the column a\b */
    CHECK(!isnan(fnum(&f, "by_name.c.c\"d")));
    CHECK(!isnan(fnum(&f, "by_name.c.caf\xc3\xa9")));
    CHECK(!isnan(fnum(&f, "by_name.c.bad\xef\xbf\xbd"))); /* U+FFFD */
    CHECK(!isnan(fnum(&f, "by_name.rhs.r\"1")));
    CHECK_NEAR(fnum(&f, "by_name.upper.c\"d"), 0.0, 1e-12); /* z = 1/2 < 2: inactive */
    CHECK(fget(&f, "name") && strcmp(fget(&f, "name"), "<A&B>\xef\xbf\xbd") == 0);
    flat_free(&f);
    run_free(&r);
    r = run_dqp("bench '%s' --repeat 1 --tols 1e-6 --solvers dense_as --svg '%s'", file, svg);
    CHECK_INT(r.code, 0);
    f = flat_file("svg", svg);
    CHECK(f.ok);
    CHECK(has_text(&f, "dqp bench: <A&B>? (n 4, m_eq 0, m_ineq 6)"));
    flat_free(&f);
    run_free(&r);
}

/* ================================================================ main */

static int setup(void) {
    char self[3072];
    ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
    if (len <= 0)
        return 0;
    self[len] = '\0';
    char *slash = strrchr(self, '/');
    if (!slash)
        return 0;
    *slash = '\0';
    snprintf(g_exe, sizeof g_exe, "%s/dqp", self);
    if (access(g_exe, X_OK) != 0) {
        fprintf(stderr, "the dqp executable is missing: %s (build the dqp_cli target)\n", g_exe);
        return 0;
    }
    if (access(PYTHON, X_OK) != 0 || access(HELPER, R_OK) != 0) {
        fprintf(stderr, "missing %s or %s\n", PYTHON, HELPER);
        return 0;
    }
    snprintf(g_tmp, sizeof g_tmp, "/tmp/dqp_cli_test_XXXXXX");
    return mkdtemp(g_tmp) != NULL;
}

/* DQP_CLI_KEEP_TMP=1 keeps the temporary files (generated QPS, outputs). */
static void cleanup(void) {
    char cmd[512];
    if (getenv("DQP_CLI_KEEP_TMP")) {
        fprintf(stderr, "kept %s\n", g_tmp);
        return;
    }
    if (g_tmp[0] && strncmp(g_tmp, "/tmp/dqp_cli_test_", 18) == 0) {
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_tmp);
        if (system(cmd) != 0)
            fprintf(stderr, "could not remove %s\n", g_tmp);
    }
}

static void test_setup(void) { CHECK(g_exe[0] && g_tmp[0]); }

int main(void) {
    if (!setup()) {
        RUN(test_setup);
        return runner_finish();
    }
    RUN(test_version_and_help);
    RUN(test_solvers);
    RUN(test_demo);
    RUN(test_mm_solve_and_grad);
    RUN(test_hand_values);
    RUN(test_malformed_files);
    RUN(test_bad_options);
    RUN(test_infeasible_and_unbounded);
    RUN(test_check_regular_problems);
    RUN(test_bench);
    RUN(test_escaping);
    cleanup();
    return runner_finish();
}
