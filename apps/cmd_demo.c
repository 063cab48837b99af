/* cmd_demo.c - `dqp demo`: the toy problem of the dQP README.
 *
 *     minimize 1/2 z'Pz + q'z  s.t.  C z <= d
 *     P = 2 I, q = 0, C = [[-1,-1],[-1,0],[0,-1]], d = [-1,0,0]
 *
 * z* = [1/2, 1/2], mu* = [1, 0, 0], J = {0}; for the optimal value p*
 * (method.md section 7): dp/dP = 1/2 z z' (at the stored diagonal of P),
 * dp/dq = z, dp/dC = mu z' (at the stored entries of C), dp/dd = -mu. The
 * gradient is the VJP with the seed P z + q plus the explicit part.
 * Options: --solver NAME, --set key=value (default solver dense_as). */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"

#include <math.h>
#include <string.h>

static void print_vec(const char *label, const double *x, int n, const double *ref,
                      const char *note) {
    char a[256] = "", b[256] = "";
    size_t ua = 0, ub = 0;
    for (int k = 0; k < n; k++) {
        ua += (size_t)snprintf(a + ua, sizeof a - ua, "%s%.12g", k ? ", " : "[", x[k] + 0.0);
        ub += (size_t)snprintf(b + ub, sizeof b - ub, "%s%.12g", k ? ", " : "[", ref[k]);
    }
    snprintf(a + ua, sizeof a - ua, "]");
    snprintf(b + ub, sizeof b - ub, "]");
    printf("  %-12s %-40s %-22s %s\n", label, a, b, note);
}

static double maxdiff(const double *a, const double *b, int n) {
    double m = 0.0;
    for (int k = 0; k < n; k++)
        m = fmax(m, fabs(a[k] - b[k]));
    return m;
}

int cmd_demo(int argc, char **argv) {
    /* The exact active-set solver by default: the analytic values are then
     * reproduced to round-off. Any other solver agrees within its tolerance. */
    dqp_settings s;
    dqp_settings_default(&s);
    snprintf(s.qp_solver, sizeof s.qp_solver, "%s",
             dqp_qp_solver_find("dense_as") >= 0 ? "dense_as" : "auto");
    for (int i = 2; i < argc; i++) {
        int r = cli_settings_opt(argc, argv, &i, "demo", &s);
        if (r < 0)
            return CLI_USAGE;
        if (r == 0)
            return cli_usage_error("demo", "unknown argument %s", argv[i]);
    }
    if (!cli_check_solver_names(&s, "demo"))
        return CLI_USAGE;
    double tol = fmax(1e-9, 10.0 * fmax(s.eps_abs, s.eps_rel));
    /* P = 2 I (upper storage), C in CSC: column 0 rows {0, 1}, column 1 rows {0, 2}. */
    int64_t Pp[3] = {0, 1, 2}, Pi[2] = {0, 1};
    double Px[2] = {2.0, 2.0};
    int64_t Cp[3] = {0, 2, 4}, Ci[4] = {0, 1, 0, 2};
    double Cx[4] = {-1.0, -1.0, -1.0, -1.0};
    double q[2] = {0.0, 0.0}, d[3] = {-1.0, 0.0, 0.0};
    dqp_csc P = {2, 2, Pp, Pi, Px, 0}, C = {3, 2, Cp, Ci, Cx, 0};
    dqp_problem_data data;
    memset(&data, 0, sizeof data);
    data.n = 2;
    data.P = &P;
    data.P_storage = DQP_P_UPPER;
    data.q = q;
    data.C = &C;
    data.d = d;
    data.m_ineq = 3;
    dqp_problem *prob = dqp_problem_create();
    dqp_solver *h = NULL;
    cli_grads g = {0};
    int rc = CLI_LIBRARY;
    if (!prob || dqp_problem_set(prob, &data) != DQP_OK) {
        cli_err("demo: cannot set the problem: %s",
                prob ? dqp_problem_last_error(prob) : "out of memory");
        goto done;
    }
    if (dqp_solver_create(&h, &s, NULL) != DQP_OK || dqp_solver_solve(h, prob) != DQP_OK) {
        cli_err("demo: solve failed: %s", h ? dqp_solver_last_error(h) : "out of memory");
        goto done;
    }
    const dqp_info *info = dqp_solver_info(h);
    if (!cli_solved(info)) {
        cli_err("demo: status %s", dqp_qp_status_string(info->qp_status));
        rc = CLI_UNSOLVED;
        goto done;
    }
    cli_loss L = {LOSS_OBJECTIVE, 0, "objective"};
    if (!cli_grads_alloc(&g, prob) || cli_loss_gradient(h, prob, &L, 1, &g) != DQP_OK) {
        cli_err("demo: gradient failed: %s", dqp_solver_last_error(h));
        goto done;
    }
    const double *z = dqp_solver_z(h), *mu = dqp_solver_mu(h);
    const int64_t *act = NULL;
    int64_t na = dqp_solver_active(h, &act);

    const double z_ex[2] = {0.5, 0.5}, mu_ex[3] = {1.0, 0.0, 0.0};
    double gP_ex[2], gq_ex[2], gC_ex[4], gd_ex[3];
    for (int j = 0; j < 2; j++) {
        gP_ex[j] = 0.5 * z_ex[j] * z_ex[j]; /* stored diagonal of 1/2 z z' */
        gq_ex[j] = z_ex[j];
    }
    for (int j = 0; j < 2; j++)
        for (int64_t k = Cp[j]; k < Cp[j + 1]; k++)
            gC_ex[k] = mu_ex[Ci[k]] * z_ex[j]; /* mu z' at the stored entries */
    for (int r = 0; r < 3; r++)
        gd_ex[r] = mu_ex[r] != 0.0 ? -mu_ex[r] : 0.0;
    double act_d[3] = {0}, act_ex[1] = {0.0};
    for (int64_t k = 0; k < na && k < 3; k++)
        act_d[k] = (double)act[k];
    char buf[64];

    printf("dqp demo: the toy problem of the dQP README\n"
           "  minimize 1/2 z'Pz + q'z  subject to  C z <= d\n"
           "  P = 2 I, q = [0, 0], C = [[-1, -1], [-1, 0], [0, -1]], d = [-1, 0, 0]\n"
           "  solver %s, lin_solver %s, status %s, derivative %s\n\n",
           info->qp_solver, info->lin_solver, dqp_qp_status_string(info->qp_status),
           cli_diff_status_text(info->derivative_status, buf, sizeof buf));
    printf("  %-12s %-40s %-22s\n", "", "dqp", "analytic");
    print_vec("z*", z, 2, z_ex, "");
    print_vec("mu*", mu, 3, mu_ex, "");
    print_vec("active J", act_d, (int)na, act_ex, "(rows of C)");
    printf("  gradients of the optimal value p* = 1/2 z*'Pz* + q'z*:\n");
    print_vec("grad_P p*", g.dP, 2, gP_ex, "1/2 z* z*' at the stored entries (0,0), (1,1)");
    print_vec("grad_q p*", g.dq, 2, gq_ex, "z*");
    print_vec("grad_C p*", g.dC, 4, gC_ex, "mu* z*' at (0,0), (1,0), (0,1), (2,1)");
    print_vec("grad_d p*", g.dd, 3, gd_ex, "-mu*");
    double dev = fmax(fmax(maxdiff(z, z_ex, 2), maxdiff(mu, mu_ex, 3)),
                      fmax(fmax(maxdiff(g.dP, gP_ex, 2), maxdiff(g.dq, gq_ex, 2)),
                           fmax(maxdiff(g.dC, gC_ex, 4), maxdiff(g.dd, gd_ex, 3))));
    int active_ok = na == 1 && act[0] == 0;
    printf("\n  largest |dqp - analytic| = %.3g (tolerance %.3g); active set %s\n", dev, tol,
           active_ok ? "matches" : "DIFFERS");
    rc = (dev <= tol && active_ok) ? CLI_OK : CLI_FAIL;
    printf("%s\n", rc == CLI_OK ? "OK" : "MISMATCH");
done:
    cli_grads_free(&g);
    dqp_solver_destroy(h);
    dqp_problem_destroy(prob);
    return rc;
}
