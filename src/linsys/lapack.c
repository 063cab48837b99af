/* lapack.c - dense backend: LAPACK Bunch-Kaufman LDL' (dsytrf / dsytrs) of the scattered K + R. */
#include "kkt.h"

#include <limits.h>
#include <math.h>
#include <string.h>

/* Reference LAPACK (Fortran, 32-bit integers); the trailing size_t is the
 * hidden length of the CHARACTER argument (gfortran convention). */
extern void dsytrf_(const char *uplo, const int *n, double *a, const int *lda, int *ipiv,
                    double *work, const int *lwork, int *info, size_t uplo_len);
extern void dsytrs_(const char *uplo, const int *n, const int *nrhs, const double *a,
                    const int *lda, const int *ipiv, double *b, const int *ldb, int *info,
                    size_t uplo_len);

/* Largest N whose column-major N x N array LAPACK can index with 32-bit
 * integers (46340^2 < 2^31). */
#define LAPACK_MAX_N 46340

typedef struct lapack_state {
    int N;
    int lwork;
    int64_t *Sp, *Si; /* copy of the pattern of S (upper triangle) */
    double *A;        /* N x N column-major; upper triangle holds S, then the factor */
    int *ipiv;
    double *work;
} lapack_state;

static void lapack_destroy(void *self) {
    lapack_state *s = self;
    if (!s)
        return;
    dqp_free(s->Sp);
    dqp_free(s->Si);
    dqp_free(s->A);
    dqp_free(s->ipiv);
    dqp_free(s->work);
    dqp_free(s);
}

static dqp_status lapack_analyze(void **self, const dqp_csc *S, const int64_t *order,
                                 dqp_message *msg) {
    (void)order; /* own ordering */
    *self = NULL;
    int64_t N = S->n, NN;
    if (N > LAPACK_MAX_N || !dqp_mul_size(N, N, &NN))
        return dqp_fail(msg, DQP_ERR_UNSUPPORTED,
                        "lapack: N = %lld is too large for the dense backend (max %d)",
                        (long long)N, LAPACK_MAX_N);
    lapack_state *s = dqp_calloc(1, sizeof *s);
    if (!s)
        return dqp_fail(msg, DQP_ERR_NOMEM, "lapack: out of memory");
    s->N = (int)N;
    s->Sp = dqp_alloc(N + 1, sizeof(int64_t));
    s->Si = dqp_alloc(S->p[N], sizeof(int64_t));
    s->A = dqp_alloc(NN, sizeof(double));
    s->ipiv = dqp_alloc(N, sizeof(int));
    if (!s->Sp || !s->Si || !s->A || !s->ipiv) {
        lapack_destroy(s);
        return dqp_fail(msg, DQP_ERR_NOMEM, "lapack: out of memory (dense %lld x %lld)",
                        (long long)N, (long long)N);
    }
    memcpy(s->Sp, S->p, (size_t)(N + 1) * sizeof(int64_t));
    memcpy(s->Si, S->i, (size_t)S->p[N] * sizeof(int64_t));
    /* workspace query: the blocked algorithm wants N * block size */
    int query = -1, info = 0, n = s->N, lda = n > 0 ? n : 1;
    double opt = 0.0;
    dsytrf_("U", &n, s->A, &lda, s->ipiv, &opt, &query, &info, 1);
    s->lwork = opt >= 1.0 && opt < (double)INT_MAX ? (int)opt : (n > 0 ? n : 1);
    s->work = dqp_alloc(s->lwork, sizeof(double));
    if (!s->work) {
        lapack_destroy(s);
        return dqp_fail(msg, DQP_ERR_NOMEM, "lapack: out of memory (workspace)");
    }
    *self = s;
    return DQP_OK;
}

/* Classify the eigenvalues of one diagonal block of D. */
static void count_eig(double lam, double tol, int64_t *npos, int64_t *nneg, int64_t *nsmall) {
    if (lam > 0)
        (*npos)++;
    else
        (*nneg)++;
    if (tol > 0 && fabs(lam) <= tol)
        (*nsmall)++;
}

static dqp_status lapack_factor(void *self, const double *Sx, double small_pivot_tol, int64_t *npos,
                                int64_t *nneg, int64_t *nsmall, dqp_message *msg) {
    lapack_state *s = self;
    int n = s->N, lda = n > 0 ? n : 1, info = 0;
    size_t ld = (size_t)lda;
    memset(s->A, 0, (size_t)n * ld * sizeof(double));
    for (int j = 0; j < n; j++)
        for (int64_t p = s->Sp[j]; p < s->Sp[j + 1]; p++)
            s->A[(size_t)s->Si[p] + (size_t)j * ld] = Sx[p];
    dsytrf_("U", &n, s->A, &lda, s->ipiv, s->work, &s->lwork, &info, 1);
    *npos = *nneg = 0;
    *nsmall = small_pivot_tol > 0 ? 0 : -1;
    if (info < 0)
        return dqp_fail(msg, DQP_ERR_BACKEND, "lapack: dsytrf argument %d invalid", -info);
    if (info > 0)
        return dqp_fail(msg, DQP_ERR_SINGULAR, "lapack: dsytrf: D(%d,%d) is exactly zero", info,
                        info);
    /* D is block diagonal: ipiv[k] > 0 marks a 1x1 block; ipiv[k] = ipiv[k+1]
     * < 0 a 2x2 block in rows/columns k, k+1 (upper storage). */
    for (int k = 0; k < n; k++) {
        double a = s->A[(size_t)k + (size_t)k * ld];
        if (s->ipiv[k] > 0 || k + 1 == n) {
            if (!isfinite(a))
                return dqp_fail(msg, DQP_ERR_NUMERICAL, "lapack: pivot %d is not finite", k);
            count_eig(a, small_pivot_tol, npos, nneg, nsmall);
            continue;
        }
        double b = s->A[(size_t)k + (size_t)(k + 1) * ld];
        double c = s->A[(size_t)(k + 1) + (size_t)(k + 1) * ld];
        double mid = 0.5 * (a + c), rad = hypot(0.5 * (a - c), b);
        if (!isfinite(mid) || !isfinite(rad))
            return dqp_fail(msg, DQP_ERR_NUMERICAL, "lapack: 2x2 pivot %d is not finite", k);
        /* eigenvalues mid +- rad; the smaller one in magnitude from the
         * determinant to avoid cancellation */
        double big = mid >= 0 ? mid + rad : mid - rad;
        double other = big != 0 ? (a * c - b * b) / big : 0.0;
        count_eig(big, small_pivot_tol, npos, nneg, nsmall);
        count_eig(other, small_pivot_tol, npos, nneg, nsmall);
        k++;
    }
    return DQP_OK;
}

static dqp_status lapack_solve(void *self, double *x, int64_t nrhs, dqp_message *msg) {
    lapack_state *s = self;
    if (nrhs > INT_MAX)
        return dqp_fail(msg, DQP_ERR_UNSUPPORTED, "lapack: too many right-hand sides");
    int n = s->N, lda = n > 0 ? n : 1, nr = (int)nrhs, info = 0;
    dsytrs_("U", &n, &nr, s->A, &lda, s->ipiv, x, &lda, &info, 1);
    if (info != 0)
        return dqp_fail(msg, DQP_ERR_BACKEND, "lapack: dsytrs argument %d invalid", -info);
    return DQP_OK;
}

const dqp_linsys_backend dqp_linsys_lapack = {
    "lapack",
    "dense LDL' with Bunch-Kaufman pivoting (LAPACK dsytrf), for small or dense K",
    0,
    lapack_analyze,
    lapack_factor,
    lapack_solve,
    lapack_destroy,
    NULL, /* no clone_symbolic: dense, analyze does no symbolic work worth sharing */
    NULL, /* no order: dense */
};
