/* data.c - sparse views and products of the problem data used by the engine. */
#include "diff/engine.h"

#include <string.h>

/* Upper triangle of P as CSC (n x n). Sparse UPPER: copy; sparse FULL: keep
 * entries with row <= col; dense: every entry of the upper triangle (explicit
 * zeros included, so the pattern does not depend on values); absent: empty. */
dqp_csc *dqp_upper_P(const dqp_problem *prob) {
    int64_t n = prob->n;
    if (prob->P && prob->P_storage == DQP_P_UPPER)
        return dqp_csc_copy(prob->P);
    int64_t nnz = 0;
    if (prob->P) {
        for (int64_t j = 0; j < n; j++)
            for (int64_t k = prob->P->p[j]; k < prob->P->p[j + 1]; k++)
                nnz += prob->P->i[k] <= j;
    } else if (prob->Pd) {
        if (!dqp_mul_size(n, n + 1, &nnz))
            return NULL;
        nnz /= 2;
    }
    dqp_csc *U = dqp_csc_create(n, n, nnz);
    if (!U)
        return NULL;
    int64_t t = 0;
    for (int64_t j = 0; j < n; j++) {
        if (prob->P) {
            for (int64_t k = prob->P->p[j]; k < prob->P->p[j + 1]; k++)
                if (prob->P->i[k] <= j) {
                    U->i[t] = prob->P->i[k];
                    U->x[t++] = prob->P->x[k];
                }
        } else if (prob->Pd) {
            for (int64_t r = 0; r <= j; r++) {
                U->i[t] = r;
                U->x[t++] = prob->Pd[r * n + j];
            }
        }
        U->p[j + 1] = t;
    }
    return U;
}

/* A or C as CSC (dense input: every entry stored, explicit zeros included). */
dqp_csc *dqp_rows_csc(const dqp_problem *prob, char which) {
    const dqp_csc *S = which == 'A' ? prob->A : prob->C;
    const double *D = which == 'A' ? prob->Ad : prob->Cd;
    int64_t m = which == 'A' ? prob->m_eq : prob->m_ineq, n = prob->n, nnz;
    if (S)
        return dqp_csc_copy(S);
    if (!D)
        return dqp_csc_create(m, n, 0);
    if (!dqp_mul_size(m, n, &nnz))
        return NULL;
    dqp_csc *M = dqp_csc_create(m, n, nnz);
    if (!M)
        return NULL;
    int64_t t = 0;
    for (int64_t j = 0; j < n; j++) {
        for (int64_t r = 0; r < m; r++) {
            M->i[t] = r;
            M->x[t++] = D[r * n + j];
        }
        M->p[j + 1] = t;
    }
    return M;
}

void dqp_prob_matvec(const dqp_problem *prob, char which, int trans, const double *x, double *y) {
    int64_t n = prob->n;
    if (which == 'P') {
        if (prob->P) {
            const dqp_csc *P = prob->P;
            int upper = prob->P_storage == DQP_P_UPPER;
            for (int64_t j = 0; j < n; j++)
                for (int64_t k = P->p[j]; k < P->p[j + 1]; k++) {
                    int64_t r = P->i[k];
                    y[r] += P->x[k] * x[j];
                    if (upper && r != j)
                        y[j] += P->x[k] * x[r];
                }
        } else if (prob->Pd) {
            for (int64_t r = 0; r < n; r++) {
                double s = 0.0;
                for (int64_t c = 0; c < n; c++)
                    s += prob->Pd[r * n + c] * x[c];
                y[r] += s;
            }
        }
        return;
    }
    const dqp_csc *S = which == 'A' ? prob->A : prob->C;
    const double *D = which == 'A' ? prob->Ad : prob->Cd;
    int64_t m = which == 'A' ? prob->m_eq : prob->m_ineq;
    if (S) {
        for (int64_t j = 0; j < n; j++)
            for (int64_t k = S->p[j]; k < S->p[j + 1]; k++) {
                if (trans)
                    y[j] += S->x[k] * x[S->i[k]];
                else
                    y[S->i[k]] += S->x[k] * x[j];
            }
    } else if (D) {
        for (int64_t r = 0; r < m; r++)
            for (int64_t c = 0; c < n; c++) {
                if (trans)
                    y[c] += D[r * n + c] * x[r];
                else
                    y[r] += D[r * n + c] * x[c];
            }
    }
}
