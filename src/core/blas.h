/* blas.h - the Fortran BLAS routines dqp calls (column-major, 32-bit
 * integers: callers check that their dimensions fit an int). */
#ifndef DQP_CORE_BLAS_H
#define DQP_CORE_BLAS_H

extern void dgemv_(const char *trans, const int *m, const int *n, const double *alpha,
                   const double *a, const int *lda, const double *x, const int *incx,
                   const double *beta, double *y, const int *incy);

#endif
