/* data.c - sparse views and products of the problem data used by the engine. */
#include "diff/engine.h"

#include <string.h>

/* Upper triangle of P as CSC (n x n) with every diagonal entry present
 * (explicit zeros added), so that any diagonal matrix is a value update of
 * the same pattern. Sparse UPPER: as stored; sparse FULL: entries with
 * row <= col; dense: the whole upper triangle (the pattern does not depend
 * on values); absent: the zero diagonal. */
dqp_csc *dqp_upper_P(const dqp_problem *prob) {
    int64_t n = prob->n, nnz = n;
    const dqp_csc *P = prob->P;
    if (P) {
        for (int64_t j = 0; j < n; j++)
            for (int64_t k = P->p[j]; k < P->p[j + 1]; k++)
                nnz += P->i[k] < j;
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
        double diag = 0.0;
        if (P) {
            for (int64_t k = P->p[j]; k < P->p[j + 1]; k++) {
                if (P->i[k] < j) {
                    U->i[t] = P->i[k];
                    U->x[t++] = P->x[k];
                } else if (P->i[k] == j) {
                    diag = P->x[k];
                }
            }
        } else if (prob->Pd) {
            for (int64_t r = 0; r < j; r++) {
                U->i[t] = r;
                U->x[t++] = prob->Pd[r * n + j];
            }
            diag = prob->Pd[j * n + j];
        }
        U->i[t] = j;
        U->x[t++] = diag;
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
