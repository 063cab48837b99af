/* internal.h - helpers shared by the library's source files (not installed). */
#ifndef DQP_INTERNAL_H
#define DQP_INTERNAL_H

#include "dqp.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>

/* printf-style write into a message buffer of length DQP_MESSAGE_LEN (or
 * any length via dqp_fmt). NULL buffers are ignored. Returns `code`, so an
 * error can be reported and returned in one statement:
 *     return dqp_fail(msg, DQP_ERR_INDEX, "C: row %lld ...", ...); */
dqp_status dqp_fail(dqp_message *msg, dqp_status code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void dqp_fmt(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void dqp_vfmt(char *buf, size_t len, const char *fmt, va_list ap);

/* Checked size arithmetic: return 0 and leave *out unchanged on overflow or
 * negative operands, 1 on success. Use before every allocation. */
int dqp_mul_size(int64_t a, int64_t b, int64_t *out);
int dqp_add_size(int64_t a, int64_t b, int64_t *out);

/* Allocation of `count` elements of `size` bytes with overflow checking;
 * NULL on overflow or out of memory; count 0 returns a valid unique pointer.
 * Every allocation in the library goes through these (one place to hook). */
void *dqp_alloc(int64_t count, size_t size);
void *dqp_calloc(int64_t count, size_t size);
void dqp_free(void *ptr);

/* Route dqp_alloc/dqp_free of this thread through `a` until the matching
 * leave (NULL = libc). Every public call on a dqp_solver handle enters its
 * settings' allocator and leaves it before returning. */
const dqp_allocator *dqp_alloc_scope_enter(const dqp_allocator *a);
void dqp_alloc_scope_leave(const dqp_allocator *prev);

/* Process-wide lock around third-party libraries with global state
 * (MUMPS, Ipopt). See extlock.c. */
void dqp_extlib_lock(void);
void dqp_extlib_unlock(void);

/* The problem object (internal layout). Sparse matrices are owned copies;
 * dense ones are owned row-major arrays with ld = n. */
struct dqp_problem {
    int64_t n, m_eq, m_ineq;
    dqp_csc *P, *A, *C;       /* sparse forms, or NULL */
    double *Pd, *Ad, *Cd;     /* dense forms, or NULL */
    dqp_p_storage P_storage;
    double *q, *b, *d;        /* always allocated (length may be 0) */
    char last_error[DQP_MESSAGE_LEN];
};

#define DQP_MIN(a, b) ((a) < (b) ? (a) : (b))
#define DQP_MAX(a, b) ((a) > (b) ? (a) : (b))

/* Relative slack of a row c'z <= d with slack d - c'z, the row divided by
 * rownorm first (1 when constraints are not normalized): the quantity the
 * active-set test compares with eps_active (the engine, prepare.c; the ipm
 * polish, which picks the same rows). */
static inline double dqp_rel_slack(double slack, double d, double rownorm) {
    return slack / rownorm / (1.0 + (d < 0 ? -d : d) / rownorm);
}

/* w[0..len) <- a fixed pseudo-random sequence uniform in [-1, 1) from seed
 * (xorshift64, state local to the call): the start vectors of the power
 * methods, so that their results depend on nothing but the matrix. */
static inline void dqp_fill_uniform(double *w, int64_t len, uint64_t seed) {
    uint64_t s = seed;
    for (int64_t i = 0; i < len; i++) {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        w[i] = (double)(s >> 11) * 0x1.0p-52 - 1.0;
    }
}

#endif
