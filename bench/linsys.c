/* linsys.c - bench: factor+solve time of every KKT backend on the
 * Maros-Meszaros KKT matrices [P G'; G -D], G = all canonical rows
 * (A and C), D = 0 on equality rows and 1 on inequality rows (the shape of
 * an interior-point Newton system), right-hand side K x0. Prints one row per matrix with each
 * backend's time relative to the fastest and ends with
 *   summary default_vs_fastest_geomean=X backends=N matrices=M
 * Usage: bench_linsys [MM_DIR] [max_N]   (OPENBLAS_NUM_THREADS=1 advised) */
#define _POSIX_C_SOURCE 199309L
#include "linsys/kkt.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_BACKENDS 8
#define DENSE_MAX_N 4000 /* the dense backend is O(N^3): skip larger matrices */

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Stack A over C (both m x n CSC) into G. */
static dqp_csc *stack(const dqp_csc *A, const dqp_csc *C) {
    int64_t n = A->n, nnz = dqp_csc_nnz(A) + dqp_csc_nnz(C);
    dqp_csc *G = dqp_csc_create(A->m + C->m, n, nnz);
    int64_t t = 0;
    for (int64_t j = 0; j < n; j++) {
        for (int64_t k = A->p[j]; k < A->p[j + 1]; k++) {
            G->i[t] = A->i[k];
            G->x[t++] = A->x[k];
        }
        for (int64_t k = C->p[j]; k < C->p[j + 1]; k++) {
            G->i[t] = A->m + C->i[k];
            G->x[t++] = C->x[k];
        }
        G->p[j + 1] = t;
    }
    return G;
}

/* Median-of-repeats time of create+factor+solve; NAN on failure. */
static double time_backend(const char *name, const dqp_csc *H, const dqp_csc *G, const double *D,
                           const double *rhs, int64_t N, double *resid) {
    double best = INFINITY, spent = 0.0;
    double *x = malloc((size_t)N * sizeof *x);
    dqp_kkt_options opt;
    dqp_kkt_options_default(&opt);
    opt.least_norm = 1; /* some matrices have dependent equality rows */
    for (int rep = 0; rep < 5 && (rep < 1 || spent < 0.5); rep++) {
        dqp_kkt *kkt = NULL;
        memcpy(x, rhs, (size_t)N * sizeof *x);
        double t0 = now();
        dqp_status st = dqp_kkt_create(&kkt, name, H->n, G->m, H, G, D, &opt, NULL);
        if (st == DQP_OK)
            st = dqp_kkt_factor(kkt);
        if (st == DQP_OK)
            st = dqp_kkt_solve(kkt, x, 1);
        double t = now() - t0;
        if (st == DQP_OK) {
            dqp_kkt_info info;
            dqp_kkt_get_info(kkt, &info);
            *resid = info.residual;
        }
        dqp_kkt_destroy(kkt);
        if (st != DQP_OK) {
            free(x);
            return NAN;
        }
        best = fmin(best, t);
        spent += t;
    }
    free(x);
    return best;
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int main(int argc, char **argv) {
    const char *dir = argc > 1 ? argv[1] : DQP_MM_DIR;
    int64_t max_N = argc > 2 ? atoll(argv[2]) : INT64_MAX;
    DIR *dp = opendir(dir);
    if (!dp) {
        fprintf(stderr, "bench_linsys: cannot open %s\n", dir);
        return 1;
    }
    char *names[256];
    int count = 0;
    struct dirent *e;
    while ((e = readdir(dp)) && count < 256) {
        size_t len = strlen(e->d_name);
        if (len > 4 && strcmp(e->d_name + len - 4, ".QPS") == 0) {
            names[count] = malloc(len + 1);
            memcpy(names[count++], e->d_name, len + 1);
        }
    }
    closedir(dp);
    qsort(names, (size_t)count, sizeof names[0], cmp_str);

    int nb = dqp_linsys_count();
    printf("%-10s %7s %8s %-8s", "matrix", "N", "nnz", "default");
    for (int b = 0; b < nb; b++)
        printf(" %9s", dqp_linsys_get(b)->name);
    printf("  fastest_ms  max_resid\n");
    double log_sum = 0.0;
    int matrices = 0;
    for (int f = 0; f < count; f++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, names[f]);
        dqp_qps *qps = dqp_qps_create();
        if (dqp_qps_read_file(qps, path) != DQP_OK) {
            printf("%-10s read error: %s\n", names[f], dqp_qps_last_error(qps));
            dqp_qps_destroy(qps);
            continue;
        }
        const dqp_problem *p = dqp_qps_problem(qps);
        const dqp_csc *H = dqp_problem_csc(p, 'P');
        dqp_csc *G = stack(dqp_problem_csc(p, 'A'), dqp_problem_csc(p, 'C'));
        int64_t n = p->n, m = G->m, N = n + m, nnz = dqp_csc_nnz(H) + dqp_csc_nnz(G) + N;
        if (N > max_N) {
            dqp_csc_free(G);
            dqp_qps_destroy(qps);
            continue;
        }
        double *D = calloc((size_t)m + 1, sizeof *D), *rhs = malloc((size_t)N * sizeof *rhs);
        for (int64_t i = p->m_eq; i < m; i++)
            D[i] = 1.0;
        /* consistent right-hand side r = K x0 (some matrices are singular:
         * dependent equality rows), solved in least-norm mode */
        double *x0 = malloc((size_t)N * sizeof *x0);
        for (int64_t k = 0; k < N; k++)
            x0[k] = 1.0 + (double)(k % 7);
        {
            dqp_kkt_options o;
            dqp_kkt *K = NULL;
            dqp_kkt_options_default(&o);
            o.least_norm = 1;
            if (dqp_kkt_create(&K, "ldl", n, m, H, G, D, &o, NULL) == DQP_OK)
                dqp_kkt_matvec(K, x0, rhs);
            dqp_kkt_destroy(K);
        }
        free(x0);
        const char *def = dqp_linsys_auto(N, nnz);
        double t[MAX_BACKENDS], fastest = INFINITY, t_def = NAN, max_res = 0.0;
        for (int b = 0; b < nb; b++) {
            const dqp_linsys_backend *be = dqp_linsys_get(b);
            double res = 0.0;
            t[b] = (!be->sparse && N > DENSE_MAX_N) ? NAN
                                                    : time_backend(be->name, H, G, D, rhs, N, &res);
            if (!isnan(t[b])) {
                fastest = fmin(fastest, t[b]);
                max_res = fmax(max_res, res);
            }
            if (strcmp(be->name, def) == 0)
                t_def = t[b];
        }
        names[f][strlen(names[f]) - 4] = '\0';
        printf("%-10s %7lld %8lld %-8s", names[f], (long long)N, (long long)nnz, def);
        for (int b = 0; b < nb; b++) {
            if (isnan(t[b]))
                printf(" %9s", "-");
            else
                printf(" %9.2f", t[b] / fastest);
        }
        printf("  %10.3f  %9.1e\n", 1e3 * fastest, max_res);
        if (!isnan(t_def) && isfinite(fastest)) {
            log_sum += log(t_def / fastest);
            matrices++;
        } else {
            printf("  (default backend failed on %s)\n", names[f]);
        }
        free(D);
        free(rhs);
        dqp_csc_free(G);
        dqp_qps_destroy(qps);
    }
    for (int f = 0; f < count; f++)
        free(names[f]);
    printf("summary default_vs_fastest_geomean=%.3f backends=%d matrices=%d\n",
           matrices ? exp(log_sum / matrices) : NAN, nb, matrices);
    return matrices ? 0 : 1;
}
