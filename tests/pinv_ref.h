/* pinv_ref.h - reference K^+ r for the tests, from LAPACK's SVD (dgesvd) of a
 * dense column-major N x N matrix (header only). The numerical rank is the
 * number of singular values above cut * sigma_max; *gap receives
 * sigma_rank / sigma_{rank+1} (infinity at full rank), so a test can insist
 * that the rank it compares against is not a matter of where the cut lies. */
#ifndef DQP_TEST_PINV_REF_H
#define DQP_TEST_PINV_REF_H

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* Reference LAPACK (Fortran, 32-bit integers, hidden CHARACTER lengths). */
extern void dgesvd_(const char *jobu, const char *jobvt, const int *m, const int *n, double *a,
                    const int *lda, double *s, double *u, const int *ldu, double *vt,
                    const int *ldvt, double *work, const int *lwork, int *info, size_t jobu_len,
                    size_t jobvt_len);

/* x = K^+ r (length N each); returns the numerical rank, or -1 when LAPACK
 * failed or memory ran out. K is not modified. */
static inline int pinv_ref_apply(int N, const double *K, const double *r, double cut, double *x,
                                 double *gap) {
    size_t NN = (size_t)N * (size_t)N;
    double *A = malloc(NN * sizeof *A), *U = malloc(NN * sizeof *U), *VT = malloc(NN * sizeof *VT);
    double *s = malloc((size_t)N * sizeof *s), *t = malloc((size_t)N * sizeof *t), wq;
    int info = 0, lwork = -1, rank = -1;
    if (!A || !U || !VT || !s || !t)
        goto done;
    memcpy(A, K, NN * sizeof *A);
    dgesvd_("A", "A", &N, &N, A, &N, s, U, &N, VT, &N, &wq, &lwork, &info, 1, 1);
    lwork = info == 0 ? (int)wq : 0;
    double *work = lwork > 0 ? malloc((size_t)lwork * sizeof *work) : NULL;
    if (work)
        dgesvd_("A", "A", &N, &N, A, &N, s, U, &N, VT, &N, work, &lwork, &info, 1, 1);
    free(work);
    if (!work || info != 0)
        goto done;
    rank = 0;
    while (rank < N && s[rank] > cut * s[0])
        rank++;
    *gap = rank == 0 ? 0.0 : rank < N ? s[rank - 1] / s[rank] : INFINITY;
    for (int i = 0; i < rank; i++) { /* t = Sigma^+ U' r */
        double d = 0.0;
        for (int q = 0; q < N; q++)
            d += U[(size_t)i * N + q] * r[q];
        t[i] = d / s[i];
    }
    for (int q = 0; q < N; q++) { /* x = V t */
        double d = 0.0;
        for (int i = 0; i < rank; i++)
            d += VT[(size_t)q * N + i] * t[i];
        x[q] = d;
    }
done:
    free(A);
    free(U);
    free(VT);
    free(s);
    free(t);
    return rank;
}

#endif
