/* mumps.c - sparse LDL' backend: sequential MUMPS, general symmetric (SYM = 2) with pivoting;
 * large K ordered by METIS through CHOLMOD (deterministic). */
#include "kkt.h"

#include <cholmod.h>
#include <dmumps_c.h>
#include <limits.h>
#include <string.h>

#define ICNTL(k) icntl[(k)-1] /* MUMPS documents 1-based indices */
#define INFOG(k) infog[(k)-1]
#define MUMPS_JOB_INIT -1
#define MUMPS_JOB_END -2
#define MUMPS_USE_COMM_WORLD -987654 /* "no MPI" communicator of the sequential library */

/* Out-of-workspace errors (-8 integer, -9 real: more delayed pivots than the
 * analysis predicted, typical of the nearly singular K + R of a singular K)
 * are retried with the workspace relaxation ICNTL(14) (percent over the
 * estimate, default 20) doubled, at most this many times (up to ~100x the
 * estimate). The raised value is kept for later factorizations. */
#define MUMPS_MEM_RETRIES 9

typedef struct mumps_state {
    DMUMPS_STRUC_C id;
    int initialized;
    int64_t N, nnz;
    MUMPS_INT *irn, *jcn; /* 1-based coordinates of the upper triangle */
    double *a;            /* values, copied in at factor */
} mumps_state;

/* One MUMPS call. MUMPS (5.5, Debian build) keeps Fortran module state, e.g.
 * in dmumps_load: two instances used at the same time from different threads
 * crash ("Attempt to DEALLOCATE unallocated 'load_flops'", reproduced with 4
 * OpenMP threads). Every call is therefore serialized process-wide, under
 * the same lock as the Ipopt adapter, whose MUMPS is this library. */
static void mumps_call(mumps_state *s, int job) {
    s->id.job = job;
    dqp_extlib_lock();
    dmumps_c(&s->id);
    dqp_extlib_unlock();
}

static void mumps_destroy(void *self) {
    mumps_state *s = self;
    if (!s)
        return;
    if (s->initialized)
        mumps_call(s, MUMPS_JOB_END);
    dqp_free(s->irn);
    dqp_free(s->jcn);
    dqp_free(s->a);
    dqp_free(s);
}

/* Map INFOG(1) < 0 to a status; the message keeps INFOG(1), INFOG(2). */
static dqp_status mumps_error(const mumps_state *s, const char *phase, dqp_message *msg) {
    int e = s->id.INFOG(1), e2 = s->id.INFOG(2);
    dqp_status code = DQP_ERR_BACKEND;
    const char *what = "error";
    if (e == -5 || e == -7 || e == -13 || e == -8 || e == -9 || e == -19) {
        code = DQP_ERR_NOMEM;
        what = "out of memory or workspace";
    } else if (e == -10) {
        code = DQP_ERR_SINGULAR;
        what = "numerically singular matrix";
    }
    return dqp_fail(msg, code, "mumps: %s: %s (INFOG(1) = %d, INFOG(2) = %d)", phase, what, e, e2);
}

/* MUMPS's automatic ordering (ICNTL(7) = 7) for a symmetric K: AMF or QAMD
 * up to N = 10000, above that METIS when MUMPS was built with it, else
 * Scotch. This Debian MUMPS has no METIS, so large K got Scotch, whose random
 * generator is seeded differently in every process: the same problem got a
 * different ordering, factorization and result in every run (CVXQP1_L's z
 * and VJP differed by 2e-6 relative between two runs of one binary). Above
 * N = 10000 the ordering is therefore METIS's, computed through CHOLMOD
 * (fixed seed) and given as PERM_IN (ICNTL(7) = 1); about as fast as
 * Scotch, unlike MUMPS's deterministic orderings (forward + VJP of CVXQP1_L:
 * Scotch 3.8 s, METIS 4.2 s, PORD 9.7 s, AMF 10.7 s, AMD 16.5 s; CVXQP3_L:
 * Scotch 12.0 s, METIS 11.4 s, PORD 54 s, AMF 61 s). */
#define MUMPS_SMALL_N 10000

/* METIS's fill-reducing ordering of S's pattern: perm[i] = 1-based position
 * of unknown i. NULL when CHOLMOD could not compute it (then MUMPS's AMD,
 * ICNTL(7) = 0, also deterministic). */
static MUMPS_INT *metis_order(const dqp_csc *S) {
    int64_t N = S->n, nnz = S->p[N];
    cholmod_common cc;
    if (!cholmod_l_start(&cc))
        return NULL;
    cc.print = 0;
    cholmod_sparse *A =
        cholmod_l_allocate_sparse((size_t)N, (size_t)N, (size_t)nnz, 1, 1, 1, CHOLMOD_PATTERN, &cc);
    SuiteSparse_long *order = dqp_alloc(N, sizeof *order);
    MUMPS_INT *perm = dqp_alloc(N, sizeof(MUMPS_INT));
    int ok = A && order && perm;
    if (ok) {
        memcpy(A->p, S->p, (size_t)(N + 1) * sizeof(int64_t));
        memcpy(A->i, S->i, (size_t)nnz * sizeof(int64_t));
        ok = cholmod_l_metis(A, NULL, 0, 1, order, &cc) && cc.status == CHOLMOD_OK;
    }
    if (ok)
        for (int64_t k = 0; k < N; k++)
            perm[order[k]] = (MUMPS_INT)(k + 1);
    cholmod_l_free_sparse(&A, &cc);
    cholmod_l_finish(&cc);
    dqp_free(order);
    if (!ok) {
        dqp_free(perm);
        return NULL;
    }
    return perm;
}

static dqp_status mumps_analyze(void **self, const dqp_csc *S, const int64_t *order,
                                dqp_message *msg) {
    (void)order; /* own ordering */
    *self = NULL;
    int64_t N = S->n, nnz = S->p[S->n];
    if (N > INT_MAX - 1)
        return dqp_fail(msg, DQP_ERR_UNSUPPORTED,
                        "mumps: N = %lld exceeds the 32-bit MUMPS_INT of this MUMPS build",
                        (long long)N);
    mumps_state *s = dqp_calloc(1, sizeof *s);
    if (!s)
        return dqp_fail(msg, DQP_ERR_NOMEM, "mumps: out of memory");
    s->N = N;
    s->nnz = nnz;
    s->irn = dqp_alloc(nnz, sizeof(MUMPS_INT));
    s->jcn = dqp_alloc(nnz, sizeof(MUMPS_INT));
    s->a = dqp_alloc(nnz, sizeof(double));
    if (!s->irn || !s->jcn || !s->a) {
        mumps_destroy(s);
        return dqp_fail(msg, DQP_ERR_NOMEM, "mumps: out of memory (%lld entries)", (long long)nnz);
    }
    for (int64_t j = 0; j < N; j++)
        for (int64_t p = S->p[j]; p < S->p[j + 1]; p++) {
            s->irn[p] = (MUMPS_INT)(S->i[p] + 1);
            s->jcn[p] = (MUMPS_INT)(j + 1);
        }
    memcpy(s->a, S->x, (size_t)nnz * sizeof(double));

    s->id.par = 1; /* the host takes part in the work (sequential) */
    s->id.sym = 2; /* general symmetric: LDL' with 1x1 and 2x2 pivots */
    s->id.comm_fortran = MUMPS_USE_COMM_WORLD;
    mumps_call(s, MUMPS_JOB_INIT);
    if (s->id.INFOG(1) < 0) {
        dqp_status st = mumps_error(s, "initialization", msg);
        mumps_destroy(s);
        return st;
    }
    s->initialized = 1;
    /* silence: no error, diagnostic or global-information streams, level 0 */
    s->id.ICNTL(1) = -1;
    s->id.ICNTL(2) = -1;
    s->id.ICNTL(3) = -1;
    s->id.ICNTL(4) = 0;
    s->id.ICNTL(5) = 0;  /* assembled matrix */
    s->id.ICNTL(18) = 0; /* centralized on the host */
    s->id.ICNTL(20) = 0; /* dense right-hand sides */
    s->id.ICNTL(21) = 0; /* centralized solution, written over the right-hand side */
    s->id.n = (MUMPS_INT)N;
    s->id.nnz = nnz;
    s->id.irn = s->irn;
    s->id.jcn = s->jcn;
    s->id.a = s->a;   /* values are read by the analysis too (scaling / matching) */
    MUMPS_INT *perm = NULL;
    if (N > MUMPS_SMALL_N) {
        perm = metis_order(S);
        s->id.ICNTL(7) = perm ? 1 : 0;
    }
    s->id.perm_in = perm;
    mumps_call(s, 1); /* analysis: ordering and symbolic factorization */
    s->id.perm_in = NULL;
    dqp_free(perm);
    if (s->id.INFOG(1) < 0) {
        dqp_status st = mumps_error(s, "analysis", msg);
        mumps_destroy(s);
        return st;
    }
    *self = s;
    return DQP_OK;
}

static dqp_status mumps_factor(void *self, const double *Sx, double small_pivot_tol, int64_t *npos,
                               int64_t *nneg, int64_t *nsmall, dqp_message *msg) {
    (void)small_pivot_tol;
    mumps_state *s = self;
    memcpy(s->a, Sx, (size_t)s->nnz * sizeof(double));
    *npos = *nneg = 0;
    /* MUMPS reveals small pivots only through its null-pivot detection
     * (ICNTL(24)), which also replaces them and so changes the factorization
     * that refinement and least-norm mode rely on: not counted. */
    *nsmall = -1;
    for (int attempt = 0;; attempt++) {
        mumps_call(s, 2);
        int e = s->id.INFOG(1);
        if ((e == -8 || e == -9) && attempt < MUMPS_MEM_RETRIES) {
            /* delayed pivots need more room than the analysis predicted */
            s->id.ICNTL(14) = s->id.ICNTL(14) > 0 ? 2 * s->id.ICNTL(14) : 40;
            continue;
        }
        if (e < 0)
            return mumps_error(s, "factorization", msg);
        break;
    }
    *nneg = s->id.INFOG(12); /* negative pivots (SYM = 2) */
    *npos = s->N - *nneg;
    return DQP_OK;
}

static dqp_status mumps_solve(void *self, double *x, int64_t nrhs, dqp_message *msg) {
    mumps_state *s = self;
    if (nrhs > INT_MAX)
        return dqp_fail(msg, DQP_ERR_UNSUPPORTED, "mumps: too many right-hand sides");
    s->id.rhs = x;
    s->id.nrhs = (MUMPS_INT)nrhs;
    s->id.lrhs = (MUMPS_INT)s->N;
    mumps_call(s, 3);
    s->id.rhs = NULL;
    if (s->id.INFOG(1) < 0)
        return mumps_error(s, "solve", msg);
    return DQP_OK;
}

const dqp_linsys_backend dqp_linsys_mumps = {
    "mumps",
    "sparse multifrontal LDL' with 1x1/2x2 pivoting (MUMPS, sequential)",
    1,
    mumps_analyze,
    mumps_factor,
    mumps_solve,
    mumps_destroy,
    NULL, /* no clone_symbolic: the analysis lives inside one MUMPS instance, not copyable */
    NULL, /* no order: MUMPS orders (and pivots) internally */
};
