/* common.c - option parsing, file loading, losses and gradients shared by
 * the dqp commands. */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ------------------------------------------------------------ messages */

void cli_err(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("dqp: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

int cli_usage_error(const char *command, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "dqp %s: ", command);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n(see: dqp %s --help)\n", command);
    va_end(ap);
    return CLI_USAGE;
}

/* ------------------------------------------------------------ options */

int cli_opt_value(int argc, char **argv, int *i, const char *name, const char **val) {
    const char *a = argv[*i];
    size_t len = strlen(name);
    if (strncmp(a, name, len) != 0)
        return 0;
    if (a[len] == '=') {
        *val = a + len + 1;
        return 1;
    }
    if (a[len] != '\0')
        return 0;
    if (*i + 1 >= argc) {
        cli_err("option %s needs a value", name);
        return -1;
    }
    *i += 1;
    *val = argv[*i];
    return 1;
}

int cli_is_flag(const char *arg, const char *name) { return strcmp(arg, name) == 0; }

int cli_parse_double(const char *text, double *out) {
    if (!text || !*text)
        return 0;
    char *end = NULL;
    errno = 0;
    double v = strtod(text, &end);
    if (end == text || *end != '\0' || errno == ERANGE || !isfinite(v))
        return 0;
    *out = v;
    return 1;
}

int cli_parse_long(const char *text, long long *out) {
    if (!text || !*text)
        return 0;
    char *end = NULL;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (end == text || *end != '\0' || errno == ERANGE)
        return 0;
    *out = v;
    return 1;
}

int cli_apply_set(dqp_settings *s, const char *command, const char *kv) {
    const char *eq = strchr(kv, '=');
    if (!eq || eq == kv) {
        cli_usage_error(command, "--set expects key=value, got \"%s\"", kv);
        return 0;
    }
    char key[128];
    size_t kl = (size_t)(eq - kv);
    if (kl >= sizeof key) {
        cli_usage_error(command, "--set: setting name too long");
        return 0;
    }
    memcpy(key, kv, kl);
    key[kl] = '\0';
    dqp_message msg = {{0}};
    dqp_status st = dqp_settings_set(s, key, eq + 1, &msg);
    if (st == DQP_ERR_UNKNOWN_NAME) {
        /* The library's message has a fixed size: list every name here. */
        char list[2048];
        size_t used = 0;
        list[0] = '\0';
        for (int k = 0; k < dqp_settings_count() && used < sizeof list; k++)
            used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", k ? ", " : "",
                                     dqp_settings_name(k));
        cli_usage_error(command, "--set %s: unknown setting \"%s\"; valid: %s", kv, key, list);
        return 0;
    }
    if (st != DQP_OK) {
        cli_usage_error(command, "--set %s: %s", kv,
                        msg.text[0] ? msg.text : dqp_status_string(st));
        return 0;
    }
    return 1;
}

int cli_settings_opt(int argc, char **argv, int *i, const char *command, dqp_settings *s) {
    const char *v = NULL;
    int r = cli_opt_value(argc, argv, i, "--solver", &v);
    if (r < 0)
        return -1;
    if (r > 0) {
        if (strlen(v) >= sizeof s->qp_solver) {
            cli_usage_error(command, "solver name \"%s\" too long", v);
            return -1;
        }
        snprintf(s->qp_solver, sizeof s->qp_solver, "%s", v);
        return 1;
    }
    r = cli_opt_value(argc, argv, i, "--set", &v);
    if (r < 0)
        return -1;
    if (r > 0)
        return cli_apply_set(s, command, v) ? 1 : -1;
    return 0;
}

void cli_qp_solver_list(char *buf, size_t len) {
    size_t used = (size_t)snprintf(buf, len, "auto");
    for (int i = 0; i < dqp_qp_solver_count() && used < len; i++)
        used += (size_t)snprintf(buf + used, len - used, ", %s", dqp_qp_solver_name(i));
}

void cli_lin_solver_list(char *buf, size_t len) {
    size_t used = (size_t)snprintf(buf, len, "auto");
    for (int i = 0; i < dqp_lin_solver_count() && used < len; i++)
        used += (size_t)snprintf(buf + used, len - used, ", %s", dqp_lin_solver_name(i));
}

int cli_check_solver_names(const dqp_settings *s, const char *command) {
    char list[512];
    if (strcmp(s->qp_solver, "auto") != 0 && dqp_qp_solver_find(s->qp_solver) < 0) {
        cli_qp_solver_list(list, sizeof list);
        cli_usage_error(command, "unknown solver \"%s\"; valid: %s", s->qp_solver, list);
        return 0;
    }
    if (strcmp(s->lin_solver, "auto") != 0 && dqp_lin_solver_find(s->lin_solver) < 0) {
        cli_lin_solver_list(list, sizeof list);
        cli_usage_error(command, "unknown lin_solver \"%s\"; valid: %s", s->lin_solver, list);
        return 0;
    }
    return 1;
}

/* ------------------------------------------------------------ files */

int cli_load(const char *path, cli_model *m) {
    memset(m, 0, sizeof *m);
    m->path = path;
    m->qps = dqp_qps_create();
    if (!m->qps) {
        cli_err("out of memory");
        return CLI_LIBRARY;
    }
    dqp_status st = dqp_qps_read_file(m->qps, path);
    if (st != DQP_OK) {
        const char *e = dqp_qps_last_error(m->qps);
        /* The reader's messages name the file ("FILE:LINE: ..." or "cannot
         * open 'FILE': ..."); make sure of it. */
        if (e && strstr(e, path))
            cli_err("%s", e);
        else
            cli_err("%s: %s", path, e && *e ? e : dqp_status_string(st));
        dqp_qps_destroy(m->qps);
        m->qps = NULL;
        return st == DQP_ERR_NOMEM ? CLI_LIBRARY : CLI_INPUT;
    }
    m->prob = dqp_qps_problem(m->qps);
    m->sense = dqp_qps_sense(m->qps) < 0 ? -1 : 1;
    return CLI_OK;
}

void cli_unload(cli_model *m) {
    dqp_qps_destroy(m->qps);
    m->qps = NULL;
    m->prob = NULL;
}

void cli_origin_text(const cli_model *m, int eq, int64_t k, char *buf, size_t len) {
    dqp_row_origin o;
    if (!m || !m->qps || dqp_qps_row_origin(m->qps, eq, k, &o) != DQP_OK) {
        snprintf(buf, len, "%s row %lld", eq ? "A" : "C", (long long)k);
        return;
    }
    switch (o.kind) {
    case DQP_ORIGIN_ROW:
        snprintf(buf, len, "row %s%s", dqp_qps_row_name(m->qps, o.index),
                 o.range ? (o.sign > 0 ? " (upper side, range)" : " (lower side, range)")
                         : (eq ? "" : (o.sign > 0 ? " (upper side)" : " (lower side)")));
        break;
    case DQP_ORIGIN_UPPER:
        snprintf(buf, len, "upper bound of %s", dqp_qps_col_name(m->qps, o.index));
        break;
    case DQP_ORIGIN_LOWER:
        snprintf(buf, len, "lower bound of %s", dqp_qps_col_name(m->qps, o.index));
        break;
    case DQP_ORIGIN_FIXED:
        snprintf(buf, len, "fixed value of %s", dqp_qps_col_name(m->qps, o.index));
        break;
    }
}

/* ------------------------------------------------------------ losses */

int cli_parse_loss(const char *spec, const cli_model *m, int64_t n, cli_loss *out,
                   const char *command) {
    memset(out, 0, sizeof *out);
    snprintf(out->text, sizeof out->text, "%s", spec);
    if (strcmp(spec, "objective") == 0) {
        out->kind = LOSS_OBJECTIVE;
        return 1;
    }
    if (strcmp(spec, "sum") == 0) {
        out->kind = LOSS_SUM;
        return 1;
    }
    if (strncmp(spec, "z:", 2) == 0 && spec[2]) {
        const char *k = spec + 2;
        long long idx;
        out->kind = LOSS_Z;
        if (m && m->qps)
            for (int64_t j = 0; j < n; j++) {
                const char *name = dqp_qps_col_name(m->qps, j);
                if (name && strcmp(name, k) == 0) {
                    out->index = j;
                    return 1;
                }
            }
        if (cli_parse_long(k, &idx)) {
            if (idx < 0 || idx >= n) {
                cli_usage_error(command, "--loss %s: index %lld out of range [0, %lld)", spec, idx,
                                (long long)n);
                return 0;
            }
            out->index = (int64_t)idx;
            return 1;
        }
        cli_usage_error(command,
                        "--loss %s: \"%s\" is neither an index in [0, %lld) nor a column "
                        "name of the file",
                        spec, k, (long long)n);
        return 0;
    }
    cli_usage_error(command,
                    "unknown loss \"%s\"; valid: objective, sum, z:K (K = index or "
                    "column name)",
                    spec);
    return 0;
}

double cli_loss_value(const cli_loss *L, const dqp_problem *prob, const double *z, int sense,
                      double c0) {
    int64_t n = dqp_problem_n(prob);
    switch (L->kind) {
    case LOSS_OBJECTIVE:
        return sense * dqp_problem_objective(prob, z) + c0;
    case LOSS_SUM: {
        double s = 0.0;
        for (int64_t j = 0; j < n; j++)
            s += z[j];
        return s;
    }
    case LOSS_Z:
        return z[L->index];
    }
    return NAN;
}

/* ------------------------------------------------------------ gradients */

const char cli_block_names[6] = {'P', 'q', 'A', 'b', 'C', 'd'};

int64_t cli_data_len(const dqp_problem *prob, char which) {
    int64_t n = dqp_problem_n(prob);
    switch (which) {
    case 'q':
        return n;
    case 'b':
        return dqp_problem_m_eq(prob);
    case 'd':
        return dqp_problem_m_ineq(prob);
    case 'P':
    case 'A':
    case 'C': {
        const dqp_csc *S = dqp_problem_csc(prob, which);
        if (S)
            return dqp_csc_nnz(S);
        if (dqp_problem_dense(prob, which)) {
            int64_t rows = which == 'P'   ? n
                           : which == 'A' ? dqp_problem_m_eq(prob)
                                          : dqp_problem_m_ineq(prob);
            return rows * n;
        }
        return 0;
    }
    }
    return 0;
}

const double *cli_data_values(const dqp_problem *prob, char which) {
    if (which == 'q' || which == 'b' || which == 'd')
        return dqp_problem_vec(prob, which);
    const dqp_csc *S = dqp_problem_csc(prob, which);
    if (S)
        return S->x;
    return dqp_problem_dense(prob, which);
}

int cli_grads_alloc(cli_grads *g, const dqp_problem *prob) {
    memset(g, 0, sizeof *g);
    g->nP = cli_data_len(prob, 'P');
    g->nq = cli_data_len(prob, 'q');
    g->nA = cli_data_len(prob, 'A');
    g->nb = cli_data_len(prob, 'b');
    g->nC = cli_data_len(prob, 'C');
    g->nd = cli_data_len(prob, 'd');
    g->dP = calloc((size_t)g->nP + 1, sizeof(double));
    g->dq = calloc((size_t)g->nq + 1, sizeof(double));
    g->dA = calloc((size_t)g->nA + 1, sizeof(double));
    g->db = calloc((size_t)g->nb + 1, sizeof(double));
    g->dC = calloc((size_t)g->nC + 1, sizeof(double));
    g->dd = calloc((size_t)g->nd + 1, sizeof(double));
    if (!g->dP || !g->dq || !g->dA || !g->db || !g->dC || !g->dd) {
        cli_grads_free(g);
        return 0;
    }
    return 1;
}

void cli_grads_free(cli_grads *g) {
    free(g->dP);
    free(g->dq);
    free(g->dA);
    free(g->db);
    free(g->dC);
    free(g->dd);
    memset(g, 0, sizeof *g);
}

double *cli_grads_block(cli_grads *g, int b) {
    double *p[6] = {g->dP, g->dq, g->dA, g->db, g->dC, g->dd};
    return b >= 0 && b < 6 ? p[b] : NULL;
}

int64_t cli_grads_len(const cli_grads *g, int b) {
    int64_t l[6] = {g->nP, g->nq, g->nA, g->nb, g->nC, g->nd};
    return b >= 0 && b < 6 ? l[b] : 0;
}

/* y = P z with the full symmetric P (sparse storage UPPER or FULL, or dense). */
static void p_times(const dqp_problem *prob, const double *z, double *y) {
    int64_t n = dqp_problem_n(prob);
    memset(y, 0, (size_t)n * sizeof *y);
    const dqp_csc *P = dqp_problem_csc(prob, 'P');
    if (P) {
        int upper = dqp_problem_P_storage(prob) == DQP_P_UPPER;
        for (int64_t j = 0; j < n; j++)
            for (int64_t k = P->p[j]; k < P->p[j + 1]; k++) {
                int64_t r = P->i[k];
                y[r] += P->x[k] * z[j];
                if (upper && r != j)
                    y[j] += P->x[k] * z[r];
            }
        return;
    }
    const double *D = dqp_problem_dense(prob, 'P');
    if (D)
        for (int64_t r = 0; r < n; r++)
            for (int64_t c = 0; c < n; c++)
                y[r] += D[r * n + c] * z[c];
}

void cli_loss_seed(const cli_loss *L, const dqp_problem *prob, const double *z, int sense,
                   double *gz) {
    int64_t n = dqp_problem_n(prob);
    switch (L->kind) {
    case LOSS_OBJECTIVE: {
        const double *q = dqp_problem_vec(prob, 'q');
        p_times(prob, z, gz);
        for (int64_t j = 0; j < n; j++)
            gz[j] = sense * (gz[j] + (q ? q[j] : 0.0));
        break;
    }
    case LOSS_SUM:
        for (int64_t j = 0; j < n; j++)
            gz[j] = 1.0;
        break;
    case LOSS_Z:
        memset(gz, 0, (size_t)n * sizeof *gz);
        gz[L->index] = 1.0;
        break;
    }
}

void cli_loss_explicit_add(const cli_loss *L, const dqp_problem *prob, const double *z, int sense,
                           cli_grads *g) {
    if (L->kind != LOSS_OBJECTIVE)
        return;
    int64_t n = dqp_problem_n(prob);
    for (int64_t j = 0; j < n; j++)
        g->dq[j] += sense * z[j];
    const dqp_csc *P = dqp_problem_csc(prob, 'P');
    if (P) {
        /* 1/2 z'Pz: a diagonal entry contributes 1/2 z_j^2; an upper-stored
         * off-diagonal entry stands for (i,j) and (j,i): z_i z_j; in FULL
         * storage each of the pair is its own variable with the symmetric
         * gradient 1/2 z_i z_j. */
        int upper = dqp_problem_P_storage(prob) == DQP_P_UPPER;
        for (int64_t j = 0; j < n; j++)
            for (int64_t k = P->p[j]; k < P->p[j + 1]; k++) {
                int64_t r = P->i[k];
                double e = 0.5 * z[r] * z[j];
                g->dP[k] += sense * ((upper && r != j) ? 2.0 * e : e);
            }
    } else if (dqp_problem_dense(prob, 'P')) {
        for (int64_t r = 0; r < n; r++)
            for (int64_t c = 0; c < n; c++)
                g->dP[r * n + c] += sense * 0.5 * z[r] * z[c];
    }
}

dqp_status cli_loss_gradient(dqp_solver *h, const dqp_problem *prob, const cli_loss *L, int sense,
                             cli_grads *g) {
    int64_t n = dqp_problem_n(prob);
    const double *z = dqp_solver_z(h);
    double *gz = calloc((size_t)n + 1, sizeof *gz);
    if (!gz)
        return DQP_ERR_NOMEM;
    cli_loss_seed(L, prob, z, sense, gz);
    dqp_grad out = {g->dP, g->dq, g->dA, g->db, g->dC, g->dd};
    dqp_status st = dqp_solver_vjp(h, gz, NULL, NULL, &out);
    free(gz);
    if (st == DQP_OK)
        cli_loss_explicit_add(L, prob, z, sense, g);
    return st;
}

const char *cli_diff_status_text(unsigned flags, char *buf, size_t len) {
    static const struct {
        unsigned flag;
        const char *name;
    } names[] = {
        {DQP_DIFF_WEAKLY_ACTIVE, "weakly_active"},       {DQP_DIFF_LICQ, "licq_failure"},
        {DQP_DIFF_SINGULAR_HESSIAN, "singular_hessian"}, {DQP_DIFF_INCONSISTENT, "inconsistent"},
        {DQP_DIFF_DUALS_RECOVERED, "duals_recovered"},   {DQP_DIFF_FAILED, "failed"},
        {DQP_DIFF_LEAST_SQUARES, "least_squares"}};
    if (len == 0)
        return buf;
    buf[0] = '\0';
    if (flags == DQP_DIFF_REGULAR) {
        snprintf(buf, len, "regular");
        return buf;
    }
    size_t used = 0;
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
        if (flags & names[k].flag) {
            int w = snprintf(buf + used, len - used, "%s%s", used ? "+" : "", names[k].name);
            if (w < 0 || (size_t)w >= len - used)
                break;
            used += (size_t)w;
        }
    return buf;
}

int cli_diff_is_regular(unsigned flags) {
    return (flags & ~(unsigned)DQP_DIFF_DUALS_RECOVERED) == 0;
}

double cli_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int cli_has_quadratic(const dqp_problem *p) {
    const dqp_csc *P = dqp_problem_csc(p, 'P');
    const double *Pd = dqp_problem_dense(p, 'P');
    int64_t n = dqp_problem_n(p), len = P ? dqp_csc_nnz(P) : Pd ? n * n : 0;
    const double *x = P ? P->x : Pd;
    for (int64_t k = 0; k < len; k++)
        if (x[k] != 0.0)
            return 1;
    return 0;
}

int cli_take_file(const char *command, const char *arg, const char **file) {
    if (arg[0] == '-' && arg[1])
        return cli_usage_error(command, "unknown option %s", arg);
    if (*file)
        return cli_usage_error(command, "more than one FILE (%s, %s)", *file, arg);
    *file = arg;
    return CLI_OK;
}
