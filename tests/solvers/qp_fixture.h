/* qp_fixture.h - test-only helpers shared by the solver tests: a seeded
 * xorshift generator, dense row-major QP data and dense -> CSC conversion.
 * Define QP_FIXTURE_SEED before including to give each test its own stream. */
#ifndef DQP_QP_FIXTURE_H
#define DQP_QP_FIXTURE_H

#include "dqp.h"

#include <stdint.h>
#include <stdlib.h>

#ifndef QP_FIXTURE_SEED
#error "define QP_FIXTURE_SEED before including qp_fixture.h"
#endif

static uint64_t qp_rng = QP_FIXTURE_SEED;

static double urand(void) { /* uniform in [0, 1), xorshift64 */
    qp_rng ^= qp_rng << 13;
    qp_rng ^= qp_rng >> 7;
    qp_rng ^= qp_rng << 17;
    return (double)(qp_rng >> 11) * (1.0 / 9007199254740992.0);
}
static double srand1(void) { return 2.0 * urand() - 1.0; }

/* A dense QP in row-major arrays (the test's own copy of the data). */
typedef struct qp {
    int64_t n, me, mi;
    double *P, *q, *A, *b, *C, *d;
} qp;

static qp qp_alloc(int64_t n, int64_t me, int64_t mi) {
    qp Q = {n, me, mi, NULL, NULL, NULL, NULL, NULL, NULL};
    Q.P = calloc((size_t)(n * n) + 1, sizeof(double));
    Q.q = calloc((size_t)n + 1, sizeof(double));
    Q.A = calloc((size_t)(me * n) + 1, sizeof(double));
    Q.b = calloc((size_t)me + 1, sizeof(double));
    Q.C = calloc((size_t)(mi * n) + 1, sizeof(double));
    Q.d = calloc((size_t)mi + 1, sizeof(double));
    return Q;
}

static void qp_free(qp *Q) {
    free(Q->P);
    free(Q->q);
    free(Q->A);
    free(Q->b);
    free(Q->C);
    free(Q->d);
}

/* Dense row-major m x n -> CSC of its nonzeros; upper: keep row <= column. */
static dqp_csc *to_csc(const double *X, int64_t m, int64_t n, int upper) {
    int64_t nnz = 0, k = 0;
    for (int64_t j = 0; j < n; j++)
        for (int64_t i = 0; i < m; i++)
            nnz += X[i * n + j] != 0.0 && (!upper || i <= j);
    dqp_csc *S = dqp_csc_create(m, n, nnz);
    for (int64_t j = 0; j < n; j++) {
        S->p[j] = k;
        for (int64_t i = 0; i < m; i++)
            if (X[i * n + j] != 0.0 && (!upper || i <= j)) {
                S->i[k] = i;
                S->x[k++] = X[i * n + j];
            }
    }
    S->p[n] = k;
    return S;
}

#endif
