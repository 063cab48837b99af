/* cmd_grad.c - `dqp grad FILE`: reverse-mode gradient of a loss, in the
 * canonical layout and mapped back to the file's own data by name.
 *
 * Mapping to the file (loss L, canonical gradient g):
 *   c_j (objective coefficient)  dL/dc_j = sense * dq_j      (q = sense * c)
 *   Q entry (i <= j, the stored triangle; an off-diagonal entry stands for
 *     Q(i,j) and Q(j,i) as in QUADOBJ)   dL/dQ = sense * dP   (P = sense * Q)
 *   matrix entry a_rj of constraint row r: sum over the canonical rows k
 *     coming from row r of sign_k * dM_kj (M = A or C; a ranged row gives
 *     two rows of C)
 *   rhs of row r: sum over those rows of sign_k * g_k (g = db or dd)
 *   range of row r: the derivative with respect to the width |R| of the
 *     interval, g_k of the range side (for R < 0 on an E row the range side
 *     is the lower one; dL/dR = sign(R) dL/d|R|)
 *   bounds: upper u_j: dd_k; lower l_j: -dd_k; fixed value: db_k
 *   objective constant: 1 for the objective loss, 0 otherwise.
 */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct fentry {
    int64_t row, col;
    double g;
} fentry;

static int cmp_fentry(const void *a, const void *b) {
    const fentry *x = a, *y = b;
    if (x->col != y->col)
        return x->col < y->col ? -1 : 1;
    if (x->row != y->row)
        return x->row < y->row ? -1 : 1;
    return 0;
}

typedef struct file_grad {
    int64_t ncols, nrows;
    double c0;
    double *c, *rhs, *range, *lower, *upper, *fixed;
    unsigned char *has_range, *has_lower, *has_upper, *has_fixed;
    fentry *matrix;
    int64_t nmatrix;
} file_grad;

static void file_grad_free(file_grad *f) {
    free(f->c);
    free(f->rhs);
    free(f->range);
    free(f->lower);
    free(f->upper);
    free(f->fixed);
    free(f->has_range);
    free(f->has_lower);
    free(f->has_upper);
    free(f->has_fixed);
    free(f->matrix);
    memset(f, 0, sizeof *f);
}

/* Map the canonical gradient g to the file's data. 0 on out of memory. */
static int map_to_file(const cli_model *m, const cli_loss *L, const cli_grads *g, file_grad *f) {
    const dqp_problem *p = m->prob;
    memset(f, 0, sizeof *f);
    f->ncols = dqp_problem_n(p);
    f->nrows = dqp_qps_file_rows(m->qps);
    size_t nc = (size_t)f->ncols + 1, nr = (size_t)f->nrows + 1;
    f->c = calloc(nc, sizeof(double));
    f->lower = calloc(nc, sizeof(double));
    f->upper = calloc(nc, sizeof(double));
    f->fixed = calloc(nc, sizeof(double));
    f->has_lower = calloc(nc, 1);
    f->has_upper = calloc(nc, 1);
    f->has_fixed = calloc(nc, 1);
    f->rhs = calloc(nr, sizeof(double));
    f->range = calloc(nr, sizeof(double));
    f->has_range = calloc(nr, 1);
    int64_t cap = g->nA + g->nC + 1;
    f->matrix = calloc((size_t)cap, sizeof(fentry));
    if (!f->c || !f->lower || !f->upper || !f->fixed || !f->has_lower || !f->has_upper ||
        !f->has_fixed || !f->rhs || !f->range || !f->has_range || !f->matrix) {
        file_grad_free(f);
        return 0;
    }
    f->c0 = L->kind == LOSS_OBJECTIVE ? 1.0 : 0.0;
    for (int64_t j = 0; j < f->ncols; j++)
        f->c[j] = m->sense * g->dq[j];
    for (int eq = 1; eq >= 0; eq--) {
        const dqp_csc *M = dqp_problem_csc(p, eq ? 'A' : 'C');
        const double *gm = eq ? g->dA : g->dC;
        const double *gv = eq ? g->db : g->dd;
        int64_t rows = eq ? dqp_problem_m_eq(p) : dqp_problem_m_ineq(p);
        dqp_row_origin *org = calloc((size_t)rows + 1, sizeof *org);
        if (!org) {
            file_grad_free(f);
            return 0;
        }
        for (int64_t k = 0; k < rows; k++) {
            dqp_qps_row_origin(m->qps, eq, k, &org[k]);
            const dqp_row_origin *o = &org[k];
            double v = o->sign * gv[k];
            switch (o->kind) {
            case DQP_ORIGIN_ROW:
                f->rhs[o->index] += v;
                if (o->range) {
                    f->range[o->index] += gv[k];
                    f->has_range[o->index] = 1;
                }
                break;
            case DQP_ORIGIN_UPPER:
                f->upper[o->index] += v;
                f->has_upper[o->index] = 1;
                break;
            case DQP_ORIGIN_LOWER:
                f->lower[o->index] += v;
                f->has_lower[o->index] = 1;
                break;
            case DQP_ORIGIN_FIXED:
                f->fixed[o->index] += v;
                f->has_fixed[o->index] = 1;
                break;
            }
        }
        if (M)
            for (int64_t j = 0; j < M->n; j++)
                for (int64_t k = M->p[j]; k < M->p[j + 1]; k++) {
                    const dqp_row_origin *o = &org[M->i[k]];
                    if (o->kind != DQP_ORIGIN_ROW)
                        continue; /* bound rows: coefficients are not file data */
                    f->matrix[f->nmatrix].row = o->index;
                    f->matrix[f->nmatrix].col = j;
                    f->matrix[f->nmatrix].g = o->sign * gm[k];
                    f->nmatrix++;
                }
        free(org);
    }
    qsort(f->matrix, (size_t)f->nmatrix, sizeof(fentry), cmp_fentry);
    int64_t w = 0;
    for (int64_t k = 0; k < f->nmatrix; k++) {
        if (w > 0 && f->matrix[w - 1].row == f->matrix[k].row &&
            f->matrix[w - 1].col == f->matrix[k].col)
            f->matrix[w - 1].g += f->matrix[k].g;
        else
            f->matrix[w++] = f->matrix[k];
    }
    f->nmatrix = w;
    return 1;
}

static void json_by_name(json_w *w, const cli_model *m, const cli_grads *g, const file_grad *f) {
    const dqp_qps *q = m->qps;
    json_object_begin(w, "by_name");
    json_num(w, "objective_constant", f->c0);
    json_object_begin(w, "c");
    for (int64_t j = 0; j < f->ncols; j++)
        json_num(w, dqp_qps_col_name(q, j), f->c[j]);
    json_object_end(w);
    json_array_begin(w, "Q", 0);
    const dqp_csc *P = dqp_problem_csc(m->prob, 'P');
    for (int64_t j = 0; P && j < P->n; j++)
        for (int64_t k = P->p[j]; k < P->p[j + 1]; k++) {
            json_object_begin(w, NULL);
            json_str(w, "i", dqp_qps_col_name(q, P->i[k]));
            json_str(w, "j", dqp_qps_col_name(q, j));
            json_num(w, "value", m->sense * g->dP[k]);
            json_object_end(w);
        }
    json_array_end(w);
    json_array_begin(w, "matrix", 0);
    for (int64_t k = 0; k < f->nmatrix; k++) {
        json_object_begin(w, NULL);
        json_str(w, "row", dqp_qps_row_name(q, f->matrix[k].row));
        json_str(w, "col", dqp_qps_col_name(q, f->matrix[k].col));
        json_num(w, "value", f->matrix[k].g);
        json_object_end(w);
    }
    json_array_end(w);
    json_object_begin(w, "rhs");
    for (int64_t r = 0; r < f->nrows; r++)
        json_num(w, dqp_qps_row_name(q, r), f->rhs[r]);
    json_object_end(w);
    json_object_begin(w, "range");
    for (int64_t r = 0; r < f->nrows; r++)
        if (f->has_range[r])
            json_num(w, dqp_qps_row_name(q, r), f->range[r]);
    json_object_end(w);
    const char *bname[3] = {"lower", "upper", "fixed"};
    const double *bval[3] = {f->lower, f->upper, f->fixed};
    const unsigned char *bhas[3] = {f->has_lower, f->has_upper, f->has_fixed};
    for (int t = 0; t < 3; t++) {
        json_object_begin(w, bname[t]);
        for (int64_t j = 0; j < f->ncols; j++)
            if (bhas[t][j])
                json_num(w, dqp_qps_col_name(q, j), bval[t][j]);
        json_object_end(w);
    }
    json_object_end(w);
}

static void print_by_name(const cli_model *m, const cli_grads *g, const file_grad *f) {
    const dqp_qps *q = m->qps;
    printf("columns%*s %-24s %-24s %-24s %s\n", 13, "", "d/dc", "d/dlower", "d/dupper", "d/dfixed");
    for (int64_t j = 0; j < f->ncols; j++) {
        char lo[32] = "-", up[32] = "-", fx[32] = "-";
        if (f->has_lower[j])
            snprintf(lo, sizeof lo, "%.17g", f->lower[j]);
        if (f->has_upper[j])
            snprintf(up, sizeof up, "%.17g", f->upper[j]);
        if (f->has_fixed[j])
            snprintf(fx, sizeof fx, "%.17g", f->fixed[j]);
        printf("  %-18s %-24.17g %-24s %-24s %s\n", dqp_qps_col_name(q, j), f->c[j], lo, up, fx);
    }
    if (f->nrows) {
        printf("rows%*s %-24s %s\n", 16, "", "d/drhs", "d/d|range|");
        for (int64_t r = 0; r < f->nrows; r++) {
            char rg[32] = "-";
            if (f->has_range[r])
                snprintf(rg, sizeof rg, "%.17g", f->range[r]);
            printf("  %-18s %-24.17g %s\n", dqp_qps_row_name(q, r), f->rhs[r], rg);
        }
    }
    int64_t nz = 0;
    for (int64_t k = 0; k < f->nmatrix; k++)
        nz += f->matrix[k].g != 0.0;
    printf("constraint matrix entries: %lld, %lld with a nonzero gradient\n", (long long)f->nmatrix,
           (long long)nz);
    for (int64_t k = 0; k < f->nmatrix; k++)
        if (f->matrix[k].g != 0.0)
            printf("  %-18s %-18s %.17g\n", dqp_qps_row_name(q, f->matrix[k].row),
                   dqp_qps_col_name(q, f->matrix[k].col), f->matrix[k].g);
    const dqp_csc *P = dqp_problem_csc(m->prob, 'P');
    int64_t nP = P ? dqp_csc_nnz(P) : 0;
    printf("Q entries (stored triangle): %lld\n", (long long)nP);
    for (int64_t j = 0; P && j < P->n; j++)
        for (int64_t k = P->p[j]; k < P->p[j + 1]; k++)
            printf("  %-18s %-18s %.17g\n", dqp_qps_col_name(q, P->i[k]), dqp_qps_col_name(q, j),
                   m->sense * g->dP[k]);
    if (f->c0 != 0.0)
        printf("objective constant: %.17g\n", f->c0);
}

int cmd_grad(int argc, char **argv) {
    dqp_settings s;
    dqp_settings_default(&s);
    const char *file = NULL, *loss_spec = "objective";
    int json = 0;
    for (int i = 2; i < argc; i++) {
        int r = cli_settings_opt(argc, argv, &i, "grad", &s);
        if (r < 0)
            return CLI_USAGE;
        if (r > 0)
            continue;
        r = cli_opt_value(argc, argv, &i, "--loss", &loss_spec);
        if (r < 0)
            return CLI_USAGE;
        if (r > 0)
            continue;
        if (cli_is_flag(argv[i], "--json")) {
            json = 1;
            continue;
        }
        int fr = cli_take_file("grad", argv[i], &file);
        if (fr != CLI_OK)
            return fr;
    }
    if (!file)
        return cli_usage_error("grad", "missing FILE");
    if (!cli_check_solver_names(&s, "grad"))
        return CLI_USAGE;
    cli_loss L;
    /* Validate the loss's form before reading (index range checked after). */
    if (strcmp(loss_spec, "objective") != 0 && strcmp(loss_spec, "sum") != 0 &&
        !(strncmp(loss_spec, "z:", 2) == 0 && loss_spec[2]))
        return cli_parse_loss(loss_spec, NULL, 0, &L, "grad") ? CLI_OK : CLI_USAGE;
    cli_model m;
    int rc = cli_load(file, &m);
    if (rc != CLI_OK)
        return rc;
    int64_t n = dqp_problem_n(m.prob);
    if (!cli_parse_loss(loss_spec, &m, n, &L, "grad")) {
        cli_unload(&m);
        return CLI_USAGE;
    }
    dqp_solver *h = NULL;
    cli_grads g = {0};
    file_grad f = {0};
    rc = cli_run_solver("grad", &m, &s, &h);
    if (rc != CLI_OK)
        goto done;
    const dqp_info *info = dqp_solver_info(h);
    if (!cli_solved(info)) {
        cli_err("%s: not solved: status %s; no gradient", file,
                dqp_qp_status_string(info->qp_status));
        if (json) {
            json_w w;
            json_init(&w, stdout);
            json_object_begin(&w, NULL);
            cli_json_solution(&w, &m, h, 0);
            json_object_end(&w);
            json_finish(&w);
        } else {
            cli_print_summary(&m, h);
        }
        rc = CLI_UNSOLVED;
        goto done;
    }
    if (!cli_grads_alloc(&g, m.prob)) {
        cli_err("out of memory");
        rc = CLI_LIBRARY;
        goto done;
    }
    dqp_status st = cli_loss_gradient(h, m.prob, &L, m.sense, &g);
    if (st != DQP_OK) {
        char buf[160];
        cli_err("%s: no derivative (derivative status %s): %s", file,
                cli_diff_status_text(info->derivative_status, buf, sizeof buf),
                dqp_solver_last_error(h));
        rc = CLI_LIBRARY;
        goto done;
    }
    if (!map_to_file(&m, &L, &g, &f)) {
        cli_err("out of memory");
        rc = CLI_LIBRARY;
        goto done;
    }
    double value =
        cli_loss_value(&L, m.prob, dqp_solver_z(h), m.sense, dqp_qps_objective_constant(m.qps));
    if (json) {
        json_w w;
        json_init(&w, stdout);
        json_object_begin(&w, NULL);
        cli_json_solution(&w, &m, h, 0);
        json_str(&w, "loss", L.text);
        json_num(&w, "loss_value", value);
        json_num_array(&w, "z", dqp_solver_z(h), n);
        json_num_array(&w, "dP", g.dP, g.nP);
        json_num_array(&w, "dq", g.dq, g.nq);
        json_num_array(&w, "dA", g.dA, g.nA);
        json_num_array(&w, "db", g.db, g.nb);
        json_num_array(&w, "dC", g.dC, g.nC);
        json_num_array(&w, "dd", g.dd, g.nd);
        json_by_name(&w, &m, &g, &f);
        json_object_end(&w);
        json_finish(&w);
    } else {
        char buf[160];
        printf("%s (name %s): status %s, derivative %s\n", file, dqp_qps_name(m.qps),
               dqp_qp_status_string(info->qp_status),
               cli_diff_status_text(info->derivative_status, buf, sizeof buf));
        printf("loss %s = %.17g\n", L.text, value);
        printf("gradient with respect to the file's data:\n");
        print_by_name(&m, &g, &f);
        if (!cli_diff_is_regular(info->derivative_status))
            printf("note: degenerate point (%s): see include/dqp/solve.h for the convention\n",
                   buf);
    }
    rc = CLI_OK;
done:
    file_grad_free(&f);
    cli_grads_free(&g);
    dqp_solver_destroy(h);
    cli_unload(&m);
    return rc;
}
