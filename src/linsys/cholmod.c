/* cholmod.c - sparse LDL' backend: CHOLMOD simplicial LDL' with AMD, static pivots on K + R. */
#include "kkt.h"

#include <cholmod.h>
#include <math.h>
#include <string.h>

_Static_assert(sizeof(SuiteSparse_long) == sizeof(int64_t), "SuiteSparse_long is not 64-bit");

typedef SuiteSparse_long ss_int;

typedef struct cholmod_state {
    cholmod_common cc; /* one per object: no shared CHOLMOD state */
    int started;
    cholmod_sparse *A; /* upper triangle of S (stype = 1), values copied in at factor */
    cholmod_factor *L;
    double *Y; /* solve workspace, length N */
} cholmod_state;

static void chm_destroy(void *self) {
    cholmod_state *s = self;
    if (!s)
        return;
    if (s->started) {
        cholmod_l_free_factor(&s->L, &s->cc);
        cholmod_l_free_sparse(&s->A, &s->cc);
        cholmod_l_finish(&s->cc);
    }
    dqp_free(s->Y);
    dqp_free(s);
}

static dqp_status chm_status(cholmod_state *s, const char *what, dqp_message *msg) {
    int st = s->cc.status;
    if (st == CHOLMOD_OUT_OF_MEMORY)
        return dqp_fail(msg, DQP_ERR_NOMEM, "cholmod: out of memory in %s", what);
    return dqp_fail(msg, DQP_ERR_BACKEND, "cholmod: %s failed (status %d)", what, st);
}

static dqp_status chm_analyze(void **self, const dqp_csc *S, const int64_t *order,
                              dqp_message *msg) {
    (void)order; /* own ordering */
    *self = NULL;
    int64_t N = S->n, nnz = S->p[S->n];
    cholmod_state *s = dqp_calloc(1, sizeof *s);
    if (!s || !(s->Y = dqp_alloc(N, sizeof(double)))) {
        chm_destroy(s);
        return dqp_fail(msg, DQP_ERR_NOMEM, "cholmod: out of memory");
    }
    if (!cholmod_l_start(&s->cc)) {
        chm_destroy(s);
        return dqp_fail(msg, DQP_ERR_BACKEND, "cholmod: cholmod_l_start failed");
    }
    s->started = 1;
    s->cc.print = 0;                        /* the library never prints */
    s->cc.supernodal = CHOLMOD_SIMPLICIAL;  /* supernodal is LL' only; K + R is indefinite */
    s->cc.final_ll = 0;                     /* keep LDL': D carries the inertia */
    s->cc.nmethods = 1;                     /* AMD only: same ordering as the ldl backend, */
    s->cc.method[0].ordering = CHOLMOD_AMD; /* and no METIS trial orderings */
    s->cc.postorder = 1;
    s->A =
        cholmod_l_allocate_sparse((size_t)N, (size_t)N, (size_t)nnz, 1, 1, 1, CHOLMOD_REAL, &s->cc);
    if (!s->A) {
        dqp_status st = chm_status(s, "allocate", msg);
        chm_destroy(s);
        return st;
    }
    memcpy(s->A->p, S->p, (size_t)(N + 1) * sizeof(ss_int));
    memcpy(s->A->i, S->i, (size_t)nnz * sizeof(ss_int));
    memcpy(s->A->x, S->x, (size_t)nnz * sizeof(double));
    s->L = cholmod_l_analyze(s->A, &s->cc);
    if (!s->L) {
        dqp_status st = chm_status(s, "analyze", msg);
        chm_destroy(s);
        return st;
    }
    *self = s;
    return DQP_OK;
}

static dqp_status chm_factor(void *self, const double *Sx, double small_pivot_tol, int64_t *npos,
                             int64_t *nneg, int64_t *nsmall, dqp_message *msg) {
    cholmod_state *s = self;
    size_t N = s->A->ncol;
    memcpy(s->A->x, Sx, s->A->nzmax * sizeof(double));
    *npos = *nneg = 0;
    *nsmall = small_pivot_tol > 0 ? 0 : -1;
    if (!cholmod_l_factorize(s->A, s->L, &s->cc) || s->cc.status < CHOLMOD_OK)
        return chm_status(s, "factorize", msg);
    if (s->cc.status == CHOLMOD_NOT_POSDEF || s->L->minor < N) { /* LDL': a zero pivot */
        size_t k = s->L->minor < N ? s->L->minor : 0;
        return dqp_fail(msg, DQP_ERR_SINGULAR, "cholmod: zero pivot at step %zu (row %ld of K)", k,
                        (long)((const ss_int *)s->L->Perm)[k]);
    }
    if (s->L->is_ll || s->L->is_super || s->L->xtype != CHOLMOD_REAL)
        return dqp_fail(msg, DQP_ERR_BACKEND, "cholmod: unexpected factor type");
    const ss_int *Lp = s->L->p;
    const double *Lx = s->L->x;
    for (size_t j = 0; j < N; j++) {
        double d = Lx[Lp[j]]; /* simplicial LDL': D(j) is stored in place of L(j,j) */
        if (!isfinite(d))
            return dqp_fail(msg, DQP_ERR_NUMERICAL, "cholmod: pivot %zu is not finite", j);
        if (d > 0)
            (*npos)++;
        else
            (*nneg)++;
        if (small_pivot_tol > 0 && fabs(d) <= small_pivot_tol)
            (*nsmall)++;
    }
    return DQP_OK;
}

/* x = P' L'^{-1} D^{-1} L^{-1} P x directly on the simplicial factor (columns
 * j: rows i[p[j] .. p[j]+nz[j]-1], the first being j itself, holding D(j)).
 * No CHOLMOD dense objects, hence no allocation per solve. */
static dqp_status chm_solve(void *self, double *x, int64_t nrhs, dqp_message *msg) {
    (void)msg;
    cholmod_state *s = self;
    int64_t N = (int64_t)s->A->ncol;
    const ss_int *P = s->L->Perm, *Lp = s->L->p, *Li = s->L->i, *Lnz = s->L->nz;
    const double *Lx = s->L->x;
    double *y = s->Y;
    for (int64_t c = 0; c < nrhs; c++) {
        double *xc = x + c * N;
        for (int64_t k = 0; k < N; k++)
            y[k] = xc[P[k]];
        for (int64_t j = 0; j < N; j++) { /* L y = y */
            double yj = y[j];
            for (ss_int p = Lp[j] + 1; p < Lp[j] + Lnz[j]; p++)
                y[Li[p]] -= Lx[p] * yj;
        }
        for (int64_t j = 0; j < N; j++) /* D y = y */
            y[j] /= Lx[Lp[j]];
        for (int64_t j = N - 1; j >= 0; j--) { /* L' y = y */
            double yj = y[j];
            for (ss_int p = Lp[j] + 1; p < Lp[j] + Lnz[j]; p++)
                yj -= Lx[p] * y[Li[p]];
            y[j] = yj;
        }
        for (int64_t k = 0; k < N; k++)
            xc[P[k]] = y[k];
    }
    return DQP_OK;
}

const dqp_linsys_backend dqp_linsys_cholmod = {
    "cholmod",
    "sparse LDL' (CHOLMOD simplicial + AMD), static pivots on the quasi-definite K + R",
    1,
    chm_analyze,
    chm_factor,
    chm_solve,
    chm_destroy,
    NULL, /* no clone_symbolic: the analysis is a cholmod_factor in CHOLMOD's own allocator */
    NULL, /* order not exposed (CHOLMOD postorders its own) */
};
