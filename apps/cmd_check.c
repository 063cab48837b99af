/* cmd_check.c - `dqp check FILE`: verify the derivatives of one problem.
 *
 * Along K random directions v of the data theta = (P, q, A, b, C, d) (the
 * stored values of the matrices; entry k of block B is u_k * max(|theta_k|,
 * tau_B) with u_k uniform in [-1, 1) and tau_B the median magnitude of the
 * block's nonzero values, so the perturbation is relative to the data):
 *
 *   reverse   <grad L, v>                     (VJP with the loss seed + explicit part)
 *   forward   <g_z, dz> + <explicit, v>       (JVP along v)
 *   adjoint   also for a random seed w on (z, lambda, mu):
 *             <w, JVP(v)> against <VJP(w), v>
 *   central finite differences with relative step h, Richardson-
 *             extrapolated from h and h/2 ((4 D(h/2) - D(h)) / 3, truncation
 *             O(h^4)): of the loss against reverse, and of y = (z, lambda,
 *             mu) against JVP(v), re-solved at tight tolerance (eps 1e-12;
 *             1e-10 or 1e-8 when the solver cannot reach it).
 *
 * When a perturbed solve fails or ends with another active set, the step is
 * divided by 10 (at most 3 times) before the direction is reported as
 * skipped (the point is then too close to a change of active set). When a
 * perturbed solve failed (typically "not_convex": P only semidefinite, so
 * P +- h dP may be indefinite), the direction is tried once more without
 * its P part, and marked so.
 *
 * Relative disagreement: |a - b| / max(|a|, |b|, floor) with floor =
 * 1e-3 ||grad|| ||v|| (a fraction of the Cauchy-Schwarz bound, so that a
 * near-zero inner product does not make round-off look large), and for the
 * finite differences also the noise level 2e-12 max(1, |L|) / h. For the
 * vector y: ||a - b|| / max(||a||, ||b||, 2e-12 max(1, ||y||) / h).
 * At a degenerate point the random seed is put on z only, and derivative
 * calls that fail (a singular K with a right-hand side outside its range)
 * are reported; for a regular problem they fail the check.
 */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ random numbers */

static uint64_t rng_next(uint64_t *s) { /* splitmix64 */
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static double rng_uniform(uint64_t *s) { /* [-1, 1) */
    return (double)(rng_next(s) >> 11) * (2.0 / 9007199254740992.0) - 1.0;
}

/* ------------------------------------------------------------ mutable data copy */

typedef struct pdata {
    int64_t n, meq, mineq;
    dqp_p_storage Pst;
    dqp_csc *S[3];  /* P, A, C sparse (or NULL) */
    double *D[3];   /* P, A, C dense row-major (or NULL) */
    double *v[3];   /* q, b, d */
    int64_t len[6]; /* block lengths P q A b C d */
    const double *base[6];
} pdata;

static double *pdata_block(pdata *D, int b) {
    static const int mat[6] = {0, -1, 1, -1, 2, -1}, vec[6] = {-1, 0, -1, 1, -1, 2};
    if (mat[b] >= 0)
        return D->S[mat[b]] ? D->S[mat[b]]->x : D->D[mat[b]];
    return D->v[vec[b]];
}

static void pdata_free(pdata *D) {
    for (int k = 0; k < 3; k++) {
        dqp_csc_free(D->S[k]);
        free(D->D[k]);
        free(D->v[k]);
    }
    memset(D, 0, sizeof *D);
}

static int pdata_init(pdata *D, const dqp_problem *p) {
    memset(D, 0, sizeof *D);
    D->n = dqp_problem_n(p);
    D->meq = dqp_problem_m_eq(p);
    D->mineq = dqp_problem_m_ineq(p);
    D->Pst = dqp_problem_P_storage(p);
    const char mats[3] = {'P', 'A', 'C'}, vecs[3] = {'q', 'b', 'd'};
    int64_t vlen[3] = {D->n, D->meq, D->mineq};
    for (int k = 0; k < 3; k++) {
        const dqp_csc *S = dqp_problem_csc(p, mats[k]);
        const double *dn = dqp_problem_dense(p, mats[k]);
        if (S) {
            if (!(D->S[k] = dqp_csc_copy(S)))
                goto fail;
        } else if (dn) {
            int64_t len = cli_data_len(p, mats[k]);
            if (!(D->D[k] = malloc((size_t)len * sizeof(double) + 1)))
                goto fail;
            memcpy(D->D[k], dn, (size_t)len * sizeof(double));
        }
        D->v[k] = calloc((size_t)vlen[k] + 1, sizeof(double));
        if (!D->v[k])
            goto fail;
        const double *src = dqp_problem_vec(p, vecs[k]);
        if (src && vlen[k])
            memcpy(D->v[k], src, (size_t)vlen[k] * sizeof(double));
    }
    for (int b = 0; b < 6; b++) {
        D->len[b] = cli_data_len(p, cli_block_names[b]);
        D->base[b] = cli_data_values(p, cli_block_names[b]);
    }
    return 1;
fail:
    pdata_free(D);
    return 0;
}

/* theta + t v into the copy, then into the problem object. */
static dqp_status pdata_apply(pdata *D, double *const *v, double t, dqp_problem *target) {
    for (int b = 0; b < 6; b++) {
        double *x = pdata_block(D, b);
        for (int64_t k = 0; k < D->len[b]; k++)
            x[k] = D->base[b][k] + t * v[b][k];
    }
    dqp_dense Pd = {D->n, D->n, D->n, D->D[0]}, Ad = {D->meq, D->n, D->n, D->D[1]},
              Cd = {D->mineq, D->n, D->n, D->D[2]};
    dqp_problem_data data;
    memset(&data, 0, sizeof data);
    data.n = D->n;
    data.P = D->S[0];
    data.P_dense = D->D[0] ? &Pd : NULL;
    data.P_storage = D->Pst;
    data.q = D->v[0];
    data.A = D->S[1];
    data.A_dense = D->D[1] ? &Ad : NULL;
    data.b = (D->S[1] || D->D[1]) ? D->v[1] : NULL;
    data.m_eq = D->meq;
    data.C = D->S[2];
    data.C_dense = D->D[2] ? &Cd : NULL;
    data.d = (D->S[2] || D->D[2]) ? D->v[2] : NULL;
    data.m_ineq = D->mineq;
    return dqp_problem_set(target, &data);
}

static int cmp_double(const void *pa, const void *pb) {
    double a = *(const double *)pa, b = *(const double *)pb;
    return a < b ? -1 : a > b ? 1 : 0;
}

/* Median of the nonzero magnitudes (1 when there is none). */
static double block_scale(const double *x, int64_t len) {
    int64_t cnt = 0;
    for (int64_t k = 0; k < len; k++)
        cnt += x[k] != 0.0 && isfinite(x[k]);
    if (cnt == 0)
        return 1.0;
    double *a = malloc((size_t)cnt * sizeof *a);
    if (!a)
        return 1.0;
    cnt = 0;
    for (int64_t k = 0; k < len; k++)
        if (x[k] != 0.0 && isfinite(x[k]))
            a[cnt++] = fabs(x[k]);
    qsort(a, (size_t)cnt, sizeof *a, cmp_double);
    double med = a[cnt / 2];
    free(a);
    return med;
}

/* Random direction, relative to the data's magnitudes. */
static void make_direction(const pdata *D, const dqp_problem *p, const double *tau, uint64_t *rng,
                           double *const *v) {
    for (int b = 0; b < 6; b++)
        for (int64_t k = 0; k < D->len[b]; k++)
            v[b][k] = rng_uniform(rng) * fmax(fabs(D->base[b][k]), tau[b]);
    /* P must stay symmetric: dense P gets a symmetric direction; a sparse P
     * stored in FULL would need pairs matched, so it is not perturbed. */
    if (D->D[0]) {
        int64_t n = D->n;
        for (int64_t r = 0; r < n; r++)
            for (int64_t c = 0; c < r; c++)
                v[0][r * n + c] = v[0][c * n + r];
    } else if (D->S[0] && dqp_problem_P_storage(p) == DQP_P_FULL) {
        memset(v[0], 0, (size_t)D->len[0] * sizeof(double));
    }
}

static double dotn(const double *a, const double *b, int64_t n) {
    double s = 0.0;
    for (int64_t k = 0; k < n; k++)
        s += a[k] * b[k];
    return s;
}

static double norm2(const double *a, int64_t n) { return sqrt(dotn(a, a, n)); }

static double rel_diff(double a, double b, double floor_) {
    double den = fmax(fmax(fabs(a), fabs(b)), floor_);
    if (den == 0.0)
        return fabs(a - b) == 0.0 ? 0.0 : INFINITY;
    return fabs(a - b) / den;
}

/* ------------------------------------------------------------ the check */

static const char *fmt_rel(double v, char *buf) {
    if (isnan(v))
        snprintf(buf, 32, "n/a");
    else
        snprintf(buf, 32, "%.3g", v);
    return buf;
}

typedef struct dir_result {
    double step, reverse, forward, fd;
    double fd_est; /* |D(h) - D(h/2)| relative: consistency of the finite differences */
    double adj, adj_random, fd_loss, fd_sol;
    int skipped;
    int no_P; /* the direction's P part was dropped (perturbed P not convex) */
    int jvp_ok;
    char reason[160]; /* why the finite differences were skipped */
    char note[200];   /* a derivative call that failed */
} dir_result;

typedef struct check_opts {
    const char *file, *loss;
    long long directions, seed;
    double step, tol, adjoint_tol;
    int json;
} check_opts;

static int same_active(const dqp_solver *a, const int64_t *J0, int64_t n0) {
    const int64_t *J = NULL;
    int64_t n1 = dqp_solver_active(a, &J);
    if (n1 != n0)
        return 0;
    for (int64_t k = 0; k < n0; k++)
        if (J[k] != J0[k])
            return 0;
    return 1;
}

int cmd_check(int argc, char **argv) {
    dqp_settings s;
    dqp_settings_default(&s);
    const double tight = 1e-12; /* eps_abs = eps_rel of the check's solves */
    s.eps_abs = tight;
    s.eps_rel = tight;
    check_opts o = {NULL, "objective", 10, 1, 1e-4, 1e-5, 1e-9, 0};
    for (int i = 2; i < argc; i++) {
        const char *v = NULL;
        int r = cli_settings_opt(argc, argv, &i, "check", &s);
        if (r < 0)
            return CLI_USAGE;
        if (r > 0)
            continue;
        if ((r = cli_opt_value(argc, argv, &i, "--loss", &o.loss)) != 0) {
            if (r < 0)
                return CLI_USAGE;
            continue;
        }
        if ((r = cli_opt_value(argc, argv, &i, "--directions", &v)) != 0) {
            if (r < 0)
                return CLI_USAGE;
            if (!cli_parse_long(v, &o.directions) || o.directions < 1 || o.directions > 100000)
                return cli_usage_error("check",
                                       "--directions expects an integer in [1, 100000]%s%s",
                                       v ? ", got " : "", v ? v : "");
            continue;
        }
        if ((r = cli_opt_value(argc, argv, &i, "--seed", &v)) != 0) {
            if (r < 0 || !cli_parse_long(v, &o.seed))
                return cli_usage_error("check", "--seed expects an integer");
            continue;
        }
        const char *dnames[3] = {"--step", "--tol", "--adjoint-tol"};
        double *dvals[3] = {&o.step, &o.tol, &o.adjoint_tol};
        int matched = 0;
        for (int t = 0; t < 3 && !matched; t++) {
            if ((r = cli_opt_value(argc, argv, &i, dnames[t], &v)) != 0) {
                if (r < 0)
                    return CLI_USAGE;
                if (!cli_parse_double(v, dvals[t]) || !(*dvals[t] > 0.0) ||
                    (t == 0 && *dvals[t] >= 1.0))
                    return cli_usage_error("check", "%s expects a positive number%s%s", dnames[t],
                                           t == 0 ? " below 1, got " : ", got ", v ? v : "");
                matched = 1;
            }
        }
        if (matched)
            continue;
        if (cli_is_flag(argv[i], "--json")) {
            o.json = 1;
            continue;
        }
        int fr = cli_take_file("check", argv[i], &o.file);
        if (fr != CLI_OK)
            return fr;
    }
    if (!o.file)
        return cli_usage_error("check", "missing FILE");
    if (!cli_check_solver_names(&s, "check"))
        return CLI_USAGE;
    cli_loss L;
    if (strcmp(o.loss, "objective") != 0 && strcmp(o.loss, "sum") != 0 &&
        !(strncmp(o.loss, "z:", 2) == 0 && o.loss[2]))
        return cli_parse_loss(o.loss, NULL, 0, &L, "check") ? CLI_OK : CLI_USAGE;

    cli_model m;
    int rc = cli_load(o.file, &m);
    if (rc != CLI_OK)
        return rc;
    const dqp_problem *p = m.prob;
    int64_t n = dqp_problem_n(p), meq = dqp_problem_m_eq(p), mi = dqp_problem_m_ineq(p);
    int64_t ny = n + meq + mi;
    if (!cli_parse_loss(o.loss, &m, n, &L, "check")) {
        cli_unload(&m);
        return CLI_USAGE;
    }
    double c0 = dqp_qps_objective_constant(m.qps);

    dqp_solver *h0 = NULL, *h1 = NULL;
    dqp_problem *pp = NULL;
    pdata D = {0};
    cli_grads G = {0}, E = {0}, Gw = {0};
    double *vbuf[6] = {0}, *gz = NULL, *dy = NULL, *y0 = NULL, *yfd[4] = {0}, *w = NULL,
           *dyfd = NULL;
    int64_t *J0 = NULL, nJ0 = 0;
    dir_result *res = NULL;
    char buf[160];

    /* Solve at the tight tolerance; a solver that cannot reach it (iteration
     * limit, inaccurate, numerical trouble) is retried at 1e-10 and 1e-8,
     * unless the tolerances were set with --set. */
    int eps_given = s.eps_abs != tight || s.eps_rel != tight;
    const double retry_eps[3] = {tight, 1e-10, 1e-8};
    for (int attempt = 0; attempt < 3; attempt++) {
        if (attempt) {
            dqp_solver_destroy(h0);
            h0 = NULL;
            s.eps_abs = s.eps_rel = retry_eps[attempt];
        }
        rc = cli_run_solver("check", &m, &s, &h0);
        if (rc != CLI_OK)
            goto done;
        dqp_qp_status qs = dqp_solver_info(h0)->qp_status;
        if (eps_given || qs == DQP_QP_SOLVED || qs == DQP_QP_PRIMAL_INFEASIBLE ||
            qs == DQP_QP_DUAL_INFEASIBLE || qs == DQP_QP_NOT_CONVEX)
            break;
        if (attempt < 2)
            fprintf(stderr, "dqp: %s: status %s at eps %g; retrying at eps %g\n", o.file,
                    dqp_qp_status_string(qs), s.eps_abs, retry_eps[attempt + 1]);
    }
    const dqp_info *info = dqp_solver_info(h0);
    if (!cli_solved(info)) {
        cli_err("%s: not solved: status %s; nothing to check", o.file,
                dqp_qp_status_string(info->qp_status));
        rc = CLI_UNSOLVED;
        goto done;
    }
    unsigned flags = info->derivative_status;
    if (flags & DQP_DIFF_FAILED) {
        cli_err("%s: no derivative: %s", o.file, dqp_solver_last_error(h0));
        rc = CLI_LIBRARY;
        goto done;
    }
    int regular = cli_diff_is_regular(flags);

    rc = CLI_LIBRARY;
    if (!cli_grads_alloc(&G, p) || !cli_grads_alloc(&E, p) || !cli_grads_alloc(&Gw, p) ||
        !pdata_init(&D, p) || !(pp = dqp_problem_create()))
        goto oom;
    for (int b = 0; b < 6; b++)
        if (!(vbuf[b] = calloc((size_t)D.len[b] + 1, sizeof(double))))
            goto oom;
    gz = calloc((size_t)n + 1, sizeof(double));
    dy = calloc((size_t)ny + 1, sizeof(double));
    dyfd = calloc((size_t)ny + 1, sizeof(double));
    y0 = calloc((size_t)ny + 1, sizeof(double));
    for (int e = 0; e < 4; e++)
        if (!(yfd[e] = calloc((size_t)ny + 1, sizeof(double))))
            goto oom;
    w = calloc((size_t)ny + 1, sizeof(double));
    J0 = calloc((size_t)mi + 1, sizeof(int64_t));
    res = calloc((size_t)o.directions, sizeof *res);
    if (!gz || !dy || !dyfd || !y0 || !w || !J0 || !res)
        goto oom;

    dqp_status st = cli_loss_gradient(h0, p, &L, m.sense, &G);
    if (st != DQP_OK) {
        cli_err("%s: no derivative of the loss %s (derivative status %s%s): %s", o.file, L.text,
                cli_diff_status_text(flags, buf, sizeof buf), regular ? "" : ", a degenerate point",
                dqp_solver_last_error(h0));
        goto done;
    }
    cli_loss_seed(&L, p, dqp_solver_z(h0), m.sense, gz);
    cli_loss_explicit_add(&L, p, dqp_solver_z(h0), m.sense, &E);
    memcpy(y0, dqp_solver_z(h0), (size_t)n * sizeof(double));
    memcpy(y0 + n, dqp_solver_lambda(h0), (size_t)meq * sizeof(double));
    memcpy(y0 + n + meq, dqp_solver_mu(h0), (size_t)mi * sizeof(double));
    {
        const int64_t *J = NULL;
        nJ0 = dqp_solver_active(h0, &J);
        memcpy(J0, J, (size_t)nJ0 * sizeof(int64_t));
    }
    double l0 = cli_loss_value(&L, p, y0, m.sense, c0);
    double gnorm = 0.0;
    for (int b = 0; b < 6; b++) {
        double t = norm2(cli_grads_block(&G, b), cli_grads_len(&G, b));
        gnorm += t * t;
    }
    gnorm = sqrt(gnorm);
    double tau[6];
    for (int b = 0; b < 6; b++)
        tau[b] = block_scale(D.base[b], D.len[b]);
    {
        dqp_message msg = {{0}};
        if (dqp_solver_create(&h1, &s, &msg) != DQP_OK) {
            cli_err("%s", msg.text);
            goto done;
        }
    }

    uint64_t rng = (uint64_t)o.seed * 0x2545F4914F6CDD1Dull + 12345u;
    double max_adj = NAN, max_fdl = NAN, max_fds = NAN; /* fmax ignores NaN */
    int64_t evaluated = 0, skipped = 0, failures = 0;
    double ynorm = norm2(y0, ny);
    for (long long k = 0; k < o.directions; k++) {
        dir_result *R = &res[k];
        make_direction(&D, p, tau, &rng, vbuf);
        /* Random seed for the second adjoint test; at a degenerate point
         * only on z (seeds on dependent rows' duals are outside the range of
         * the singular K). */
        for (int64_t t = 0; t < ny; t++) {
            double u = rng_uniform(&rng);
            w[t] = (regular || t < n) ? u : 0.0;
        }
        int ok = 0, dfail = 0, solve_failed = 0;
        for (int variant = 0; variant < 2 && !ok; variant++) {
            if (variant == 1) {
                /* A perturbed solve failed (typically: P only semidefinite
                 * and P +- h dP not convex): the same direction without
                 * its P part. */
                if (!solve_failed || norm2(vbuf[0], D.len[0]) == 0.0)
                    break;
                memset(vbuf[0], 0, (size_t)D.len[0] * sizeof(double));
                R->no_P = 1;
                R->note[0] = '\0';
            }
            dfail = 0;
            double vnorm = 0.0;
            for (int b = 0; b < 6; b++) {
                double t = norm2(vbuf[b], D.len[b]);
                vnorm += t * t;
            }
            vnorm = sqrt(vnorm);
            /* reverse */
            R->reverse = 0.0;
            for (int b = 0; b < 6; b++)
                R->reverse += dotn(cli_grads_block(&G, b), vbuf[b], D.len[b]);
            /* forward */
            dqp_dir dir = {vbuf[0], vbuf[1], vbuf[2], vbuf[3], vbuf[4], vbuf[5]};
            st = dqp_solver_jvp(h0, &dir, dy, dy + n, dy + n + meq);
            R->jvp_ok = st == DQP_OK;
            R->forward = R->adj = R->adj_random = NAN;
            if (!R->jvp_ok) {
                snprintf(R->note, sizeof R->note, "forward mode failed: %s",
                         dqp_solver_last_error(h0));
                dfail++;
            } else {
                R->forward = dotn(gz, dy, n);
                for (int b = 0; b < 6; b++)
                    R->forward += dotn(cli_grads_block(&E, b), vbuf[b], D.len[b]);
                R->adj = rel_diff(R->reverse, R->forward, 1e-3 * gnorm * vnorm);
                dqp_grad go = {Gw.dP, Gw.dq, Gw.dA, Gw.db, Gw.dC, Gw.dd};
                st = dqp_solver_vjp(h0, w, w + n, w + n + meq, &go);
                if (st != DQP_OK) {
                    snprintf(R->note, sizeof R->note, "reverse mode failed for a random seed: %s",
                             dqp_solver_last_error(h0));
                    dfail++;
                } else {
                    double a1 = dotn(w, dy, ny), b1 = 0.0, gwn = 0.0;
                    for (int b = 0; b < 6; b++) {
                        b1 += dotn(cli_grads_block(&Gw, b), vbuf[b], D.len[b]);
                        double t = norm2(cli_grads_block(&Gw, b), D.len[b]);
                        gwn += t * t;
                    }
                    R->adj_random = rel_diff(a1, b1, 1e-3 * sqrt(gwn) * vnorm);
                }
            }

            /* Central finite differences at h and h/2, Richardson-
             * extrapolated: (4 D(h/2) - D(h)) / 3 removes the O(h^2) term.
             * Consistency: when D(h) and D(h/2) differ by more than 1e-3
             * (relative), the expansion is not trustworthy at this step
             * (the solution map curves strongly or the active set changed
             * between the sample points): the step is shrunk tenfold, and
             * the most consistent evaluation is kept. */
            double hstep = o.step, lv[4] = {0}, best_est = INFINITY;
            for (int attempt = 0; attempt < 4; attempt++) {
                if (attempt)
                    hstep /= 10.0;
                int good = 1;
                const double ts[4] = {hstep, -hstep, 0.5 * hstep, -0.5 * hstep};
                for (int e = 0; e < 4 && good; e++) {
                    st = pdata_apply(&D, vbuf, ts[e], pp);
                    if (st != DQP_OK) {
                        snprintf(R->reason, sizeof R->reason, "perturbed data rejected: %s",
                                 dqp_problem_last_error(pp));
                        good = 0;
                        solve_failed = 1;
                        break;
                    }
                    st = dqp_solver_solve(h1, pp);
                    const dqp_info *i1 = dqp_solver_info(h1);
                    if (st != DQP_OK || !cli_solved(i1)) {
                        snprintf(R->reason, sizeof R->reason, "perturbed solve: %s",
                                 st != DQP_OK ? dqp_solver_last_error(h1)
                                              : dqp_qp_status_string(i1->qp_status));
                        good = 0;
                        solve_failed = 1;
                        break;
                    }
                    if (!same_active(h1, J0, nJ0)) {
                        snprintf(R->reason, sizeof R->reason, "active set changes within the step");
                        good = 0;
                        break;
                    }
                    double *y = yfd[e];
                    memcpy(y, dqp_solver_z(h1), (size_t)n * sizeof(double));
                    memcpy(y + n, dqp_solver_lambda(h1), (size_t)meq * sizeof(double));
                    memcpy(y + n + meq, dqp_solver_mu(h1), (size_t)mi * sizeof(double));
                    lv[e] = cli_loss_value(&L, pp, y, m.sense, c0);
                }
                if (!good) {
                    if (ok)
                        break; /* keep the evaluation at the larger step */
                    continue;
                }
                double d1 = (lv[0] - lv[1]) / (2.0 * hstep), d2 = (lv[2] - lv[3]) / hstep;
                double fd = (4.0 * d2 - d1) / 3.0;
                double noise_l = 2e-12 * fmax(1.0, fabs(l0)) / hstep;
                double floor_l = fmax(1e-3 * gnorm * vnorm, noise_l);
                double est = rel_diff(d1, d2, floor_l);
                double num = 0.0, dnum = 0.0, n1 = 0.0, n2 = 0.0;
                for (int64_t t = 0; t < ny; t++) {
                    double e1 = (yfd[0][t] - yfd[1][t]) / (2.0 * hstep);
                    double e2 = (yfd[2][t] - yfd[3][t]) / hstep;
                    dyfd[t] = (4.0 * e2 - e1) / 3.0;
                    num += (dyfd[t] - dy[t]) * (dyfd[t] - dy[t]);
                    dnum += (e2 - e1) * (e2 - e1);
                    n1 += e1 * e1;
                    n2 += e2 * e2;
                }
                double noise_y = 2e-12 * fmax(1.0, ynorm) / hstep;
                double den_e = fmax(fmax(sqrt(n1), sqrt(n2)), noise_y);
                est = fmax(est, den_e > 0.0 ? sqrt(dnum) / den_e : 0.0);
                if (!ok || est < best_est) {
                    ok = 1;
                    best_est = est;
                    R->step = hstep;
                    R->fd = fd;
                    R->fd_est = est;
                    R->fd_loss = rel_diff(fd, R->reverse, floor_l);
                    R->fd_sol = NAN;
                    if (R->jvp_ok) {
                        double den = fmax(fmax(norm2(dy, ny), norm2(dyfd, ny)), noise_y);
                        R->fd_sol = den > 0.0 ? sqrt(num) / den : (num == 0.0 ? 0.0 : INFINITY);
                    }
                }
                if (est <= 1e-3)
                    break;
            }
            if (ok)
                R->reason[0] = '\0';
        }
        failures += dfail;
        max_adj = fmax(max_adj, fmax(R->adj, R->adj_random));
        if (!ok) {
            R->skipped = 1;
            R->step = NAN;
            R->fd = R->fd_loss = R->fd_sol = NAN;
            skipped++;
            continue;
        }
        max_fdl = fmax(max_fdl, R->fd_loss);
        max_fds = fmax(max_fds, R->fd_sol);
        evaluated++;
    }

    /* NaN (nothing compared) counts as within for the adjoint and the
     * solution; the loss comparison needs an evaluated direction. */
    int within = !(max_adj > o.adjoint_tol) && !(max_fdl > o.tol) && !(max_fds > o.tol);
    int pass = regular ? (within && evaluated > 0 && failures == 0) : 1;
    double max_rel = fmax(max_adj, fmax(max_fdl, max_fds));
    cli_diff_status_text(flags, buf, sizeof buf);
    if (o.json) {
        json_w jw;
        json_init(&jw, stdout);
        json_object_begin(&jw, NULL);
        cli_json_solution(&jw, &m, h0, 0);
        json_str(&jw, "loss", L.text);
        json_num(&jw, "loss_value", l0);
        json_int(&jw, "directions", o.directions);
        json_int(&jw, "seed", o.seed);
        json_num(&jw, "step", o.step);
        json_num(&jw, "tol", o.tol);
        json_num(&jw, "adjoint_tol", o.adjoint_tol);
        json_num(&jw, "eps_abs", s.eps_abs);
        json_num(&jw, "eps_rel", s.eps_rel);
        json_bool(&jw, "regular", regular);
        json_bool(&jw, "enforced", regular);
        json_array_begin(&jw, "results", 0);
        for (long long k = 0; k < o.directions; k++) {
            const dir_result *R = &res[k];
            json_object_begin(&jw, NULL);
            json_int(&jw, "k", k);
            json_bool(&jw, "skipped", R->skipped);
            json_bool(&jw, "P_perturbed", !R->no_P);
            if (R->skipped)
                json_str(&jw, "reason", R->reason);
            else
                json_num(&jw, "step", R->step);
            json_num(&jw, "reverse", R->reverse);
            json_num(&jw, "forward", R->forward);
            json_num(&jw, "finite_difference", R->fd);
            json_num(&jw, "adjoint_rel", R->adj);
            json_num(&jw, "adjoint_random_seed_rel", R->adj_random);
            json_num(&jw, "fd_loss_rel", R->fd_loss);
            json_num(&jw, "fd_solution_rel", R->fd_sol);
            json_num(&jw, "fd_consistency", R->skipped ? (double)NAN : R->fd_est);
            if (R->note[0])
                json_str(&jw, "error", R->note);
            json_object_end(&jw);
        }
        json_array_end(&jw);
        json_int(&jw, "evaluated", (long long)evaluated);
        json_int(&jw, "skipped", (long long)skipped);
        json_int(&jw, "derivative_call_failures", (long long)failures);
        json_num(&jw, "max_adjoint_rel", max_adj);
        json_num(&jw, "max_fd_loss_rel", max_fdl);
        json_num(&jw, "max_fd_solution_rel", max_fds);
        json_num(&jw, "max_rel", max_rel);
        json_bool(&jw, "within_tolerance", within && evaluated > 0);
        json_bool(&jw, "pass", pass);
        json_object_end(&jw);
        json_finish(&jw);
    } else {
        printf("%s (name %s): n %lld, m_eq %lld, m_ineq %lld, solver %s, lin_solver %s\n", o.file,
               dqp_qps_name(m.qps), (long long)n, (long long)meq, (long long)mi, info->qp_solver,
               info->lin_solver);
        printf("status %s, derivative status %s, %lld active, eps %.3g/%.3g\n",
               dqp_qp_status_string(info->qp_status), buf, (long long)info->n_active, s.eps_abs,
               s.eps_rel);
        printf("loss %s = %.17g; %lld directions (seed %lld), relative step %.3g\n", L.text, l0,
               o.directions, o.seed, o.step);
        printf("%4s %-9s %-24s %-24s %-24s %-9s %-9s %-9s %s\n", "k", "step", "reverse", "forward",
               "central diff", "adjoint", "adj(rnd)", "fd loss", "fd (z,lam,mu)");
        for (long long k = 0; k < o.directions; k++) {
            const dir_result *R = &res[k];
            if (R->skipped) {
                printf("%4lld %-9s %-24.15g %-24.15g %-24s %-9.2e %-9.2e skipped: %s\n", k, "-",
                       R->reverse, R->forward, "-", R->adj, R->adj_random, R->reason);
                continue;
            }
            printf("%4lld %-9.2g %-24.15g %-24.15g %-24.15g %-9.2e %-9.2e %-9.2e %.2e%s\n", k,
                   R->step, R->reverse, R->forward, R->fd, R->adj, R->adj_random, R->fd_loss,
                   R->fd_sol, R->no_P ? "  (P not perturbed)" : "");
            if (R->note[0])
                printf("     %s\n", R->note);
        }
        if (failures)
            printf("%lld derivative calls failed%s\n", (long long)failures,
                   regular ? "" : " (degenerate point)");
        char t1[32], t2[32], t3[32], t4[32];
        printf("largest relative disagreement: %s (reverse/forward %s, tol %.3g; finite "
               "differences: loss %s, solution %s, tol %.3g)\n",
               fmt_rel(max_rel, t1), fmt_rel(max_adj, t2), o.adjoint_tol, fmt_rel(max_fdl, t3),
               fmt_rel(max_fds, t4), o.tol);
        if (skipped)
            printf("%lld of %lld directions skipped (perturbed solves failed or changed the "
                   "active set)\n",
                   (long long)skipped, o.directions);
        if (!regular)
            printf("derivative status %s: degenerate point, disagreement reported but not "
                   "enforced\n",
                   buf);
        printf("%s\n", pass ? (regular ? "PASS" : "PASS (not enforced: degenerate)") : "FAIL");
    }
    if (!pass) {
        char t1[32];
        cli_err("%s: derivative check failed: largest relative disagreement %s%s%s", o.file,
                fmt_rel(max_rel, t1), evaluated ? "" : " (no direction could be evaluated)",
                failures ? " (derivative calls failed)" : "");
    }
    rc = pass ? CLI_OK : CLI_FAIL;
    goto done;
oom:
    cli_err("out of memory");
    rc = CLI_LIBRARY;
done:
    for (int b = 0; b < 6; b++)
        free(vbuf[b]);
    free(gz);
    free(dy);
    free(dyfd);
    free(y0);
    for (int e = 0; e < 4; e++)
        free(yfd[e]);
    free(w);
    free(J0);
    free(res);
    cli_grads_free(&G);
    cli_grads_free(&E);
    cli_grads_free(&Gw);
    pdata_free(&D);
    dqp_problem_destroy(pp);
    dqp_solver_destroy(h0);
    dqp_solver_destroy(h1);
    cli_unload(&m);
    return rc;
}
