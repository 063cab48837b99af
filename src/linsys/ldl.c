/* ldl.c - sparse LDL' backend: AMD + SuiteSparse LDL, static pivots (K + R is quasi-definite). */
#include "kkt.h"

#include <amd.h>
#include <ldl.h>
#include <math.h>
#include <string.h>

/* LDL and AMD index with SuiteSparse_long; the library with int64_t. */
_Static_assert(sizeof(SuiteSparse_long) == sizeof(int64_t), "SuiteSparse_long is not 64-bit");

typedef SuiteSparse_long ss_int;

typedef struct ldl_state {
    ss_int N, nnz;
    ss_int *P, *Pinv; /* fill-reducing order: row/column k of C is P[k] of S */
    ss_int *Cp, *Ci;  /* upper triangle of C = S(P, P) */
    double *Cx;
    ss_int *map; /* S value p goes to C value map[p] */
    ss_int *Lp, *Parent, *Lnz, *Flag, *Pattern, *Li;
    double *Lx, *D, *Y;
} ldl_state;

static void ldl_destroy(void *self) {
    ldl_state *s = self;
    if (!s)
        return;
    dqp_free(s->P);
    dqp_free(s->Pinv);
    dqp_free(s->Cp);
    dqp_free(s->Ci);
    dqp_free(s->Cx);
    dqp_free(s->map);
    dqp_free(s->Lp);
    dqp_free(s->Parent);
    dqp_free(s->Lnz);
    dqp_free(s->Flag);
    dqp_free(s->Pattern);
    dqp_free(s->Li);
    dqp_free(s->Lx);
    dqp_free(s->D);
    dqp_free(s->Y);
    dqp_free(s);
}

/* Pattern of the upper triangle of C = S(P, P): entry (i, j) of S, i <= j,
 * lands in column max(Pinv i, Pinv j) at row min(...). Rows within a column
 * are not sorted; LDL does not need them sorted. */
static void permute_pattern(ldl_state *s, const dqp_csc *S) {
    ss_int N = s->N;
    memset(s->Cp, 0, (size_t)(N + 1) * sizeof(ss_int));
    for (ss_int j = 0; j < N; j++)
        for (int64_t p = S->p[j]; p < S->p[j + 1]; p++) {
            ss_int a = s->Pinv[S->i[p]], b = s->Pinv[j];
            s->Cp[(a > b ? a : b) + 1]++;
        }
    for (ss_int j = 0; j < N; j++)
        s->Cp[j + 1] += s->Cp[j];
    /* Flag as the next free slot of each column */
    for (ss_int j = 0; j < N; j++)
        s->Flag[j] = s->Cp[j];
    for (ss_int j = 0; j < N; j++)
        for (int64_t p = S->p[j]; p < S->p[j + 1]; p++) {
            ss_int a = s->Pinv[S->i[p]], b = s->Pinv[j];
            ss_int col = a > b ? a : b, pos = s->Flag[col]++;
            s->Ci[pos] = a < b ? a : b;
            s->map[p] = pos;
        }
}

/* A state with every array allocated for dimension N and nnz stored
 * entries; L's arrays too when lnz >= 0 (known only after the symbolic
 * analysis). NULL when out of memory. */
static ldl_state *ldl_alloc_state(ss_int N, ss_int nnz, ss_int lnz) {
    ldl_state *s = dqp_calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->N = N;
    s->nnz = nnz;
    s->P = dqp_alloc(N, sizeof(ss_int));
    s->Pinv = dqp_alloc(N, sizeof(ss_int));
    s->Cp = dqp_alloc(N + 1, sizeof(ss_int));
    s->Ci = dqp_alloc(nnz, sizeof(ss_int));
    s->Cx = dqp_alloc(nnz, sizeof(double));
    s->map = dqp_alloc(nnz, sizeof(ss_int));
    s->Lp = dqp_alloc(N + 1, sizeof(ss_int));
    s->Parent = dqp_alloc(N, sizeof(ss_int));
    s->Lnz = dqp_alloc(N, sizeof(ss_int));
    s->Flag = dqp_alloc(N, sizeof(ss_int));
    s->Pattern = dqp_alloc(N, sizeof(ss_int));
    s->D = dqp_alloc(N, sizeof(double));
    s->Y = dqp_alloc(N, sizeof(double));
    if (lnz >= 0) {
        s->Li = dqp_alloc(lnz, sizeof(ss_int));
        s->Lx = dqp_alloc(lnz, sizeof(double));
    }
    if (!s->P || !s->Pinv || !s->Cp || !s->Ci || !s->Cx || !s->map || !s->Lp || !s->Parent ||
        !s->Lnz || !s->Flag || !s->Pattern || !s->D || !s->Y ||
        (lnz >= 0 && (!s->Li || !s->Lx))) {
        ldl_destroy(s);
        return NULL;
    }
    return s;
}

static dqp_status ldl_analyze(void **self, const dqp_csc *S, const int64_t *order,
                              dqp_message *msg) {
    *self = NULL;
    ss_int N = S->n, nnz = S->p[S->n];
    ldl_state *s = ldl_alloc_state(N, nnz, -1);
    if (!s)
        return dqp_fail(msg, DQP_ERR_NOMEM, "ldl: out of memory (N = %lld)", (long long)N);
    if (order) {
        memcpy(s->P, order, (size_t)N * sizeof(ss_int));
    } else {
        /* AMD orders the pattern of S + S' (diagonal ignored), i.e. of K. */
        double control[AMD_CONTROL], info[AMD_INFO];
        amd_l_defaults(control);
        ss_int amd =
            amd_l_order(N, (const ss_int *)S->p, (const ss_int *)S->i, s->P, control, info);
        if (amd != AMD_OK && amd != AMD_OK_BUT_JUMBLED) {
            ldl_destroy(s);
            return dqp_fail(msg, amd == AMD_OUT_OF_MEMORY ? DQP_ERR_NOMEM : DQP_ERR_BACKEND,
                            "ldl: AMD ordering failed (status %ld)", (long)amd);
        }
    }
    for (ss_int k = 0; k < N; k++)
        s->Pinv[s->P[k]] = k;
    permute_pattern(s, S);
    ldl_l_symbolic(N, s->Cp, s->Ci, s->Lp, s->Parent, s->Lnz, s->Flag, NULL, NULL);
    ss_int lnz = s->Lp[N];
    s->Li = dqp_alloc(lnz, sizeof(ss_int));
    s->Lx = dqp_alloc(lnz, sizeof(double));
    if (!s->Li || !s->Lx) {
        ldl_destroy(s);
        return dqp_fail(msg, DQP_ERR_NOMEM, "ldl: out of memory (factor with %lld entries)",
                        (long long)lnz);
    }
    *self = s;
    return DQP_OK;
}

double dqp_ldl_flops(const void *self) {
    const ldl_state *s = self;
    double f = 0.0;
    for (ss_int j = 0; j < s->N; j++)
        f += (double)s->Lnz[j] * (double)s->Lnz[j];
    return f;
}

static dqp_status ldl_factor(void *self, const double *Sx, double small_pivot_tol, int64_t *npos,
                             int64_t *nneg, int64_t *nsmall, dqp_message *msg) {
    ldl_state *s = self;
    ss_int N = s->N;
    for (ss_int p = 0; p < s->nnz; p++)
        s->Cx[s->map[p]] = Sx[p];
    ss_int k = ldl_l_numeric(N, s->Cp, s->Ci, s->Cx, s->Lp, s->Parent, s->Lnz, s->Li, s->Lx, s->D,
                             s->Y, s->Pattern, s->Flag, NULL, NULL);
    *npos = *nneg = 0;
    *nsmall = small_pivot_tol > 0 ? 0 : -1;
    if (k != N)
        return dqp_fail(msg, DQP_ERR_SINGULAR, "ldl: zero pivot at step %ld (row %ld of K)",
                        (long)k, (long)s->P[k]);
    for (ss_int j = 0; j < N; j++) {
        double d = s->D[j];
        if (!isfinite(d))
            return dqp_fail(msg, DQP_ERR_NUMERICAL, "ldl: pivot %ld is not finite", (long)j);
        if (d > 0)
            (*npos)++;
        else
            (*nneg)++;
        if (small_pivot_tol > 0 && fabs(d) <= small_pivot_tol)
            (*nsmall)++;
    }
    return DQP_OK;
}

/* x = P' L'^{-1} D^{-1} L^{-1} P x, one right-hand side at a time. */
static dqp_status ldl_solve(void *self, double *x, int64_t nrhs, dqp_message *msg) {
    (void)msg;
    ldl_state *s = self;
    ss_int N = s->N;
    for (int64_t c = 0; c < nrhs; c++) {
        double *xc = x + c * N;
        ldl_l_perm(N, s->Y, xc, s->P);
        ldl_l_lsolve(N, s->Y, s->Lp, s->Li, s->Lx);
        ldl_l_dsolve(N, s->Y, s->D);
        ldl_l_ltsolve(N, s->Y, s->Lp, s->Li, s->Lx);
        ldl_l_permt(N, xc, s->Y, s->P);
    }
    return DQP_OK;
}

/* A state with donor's ordering, permuted pattern, map and elimination tree
 * (what ldl_analyze computes from the pattern alone; AMD does not look at
 * values) and fresh numeric arrays, allocated as ldl_analyze does. */
static dqp_status ldl_clone_symbolic(void **out, const void *donor, dqp_message *msg) {
    *out = NULL;
    const ldl_state *d = donor;
    ss_int N = d->N, nnz = d->nnz, lnz = d->Lp[d->N];
    ldl_state *s = ldl_alloc_state(N, nnz, lnz);
    if (!s)
        return dqp_fail(msg, DQP_ERR_NOMEM, "ldl: out of memory (N = %lld)", (long long)N);
    memcpy(s->P, d->P, (size_t)N * sizeof(ss_int));
    memcpy(s->Pinv, d->Pinv, (size_t)N * sizeof(ss_int));
    memcpy(s->Cp, d->Cp, (size_t)(N + 1) * sizeof(ss_int));
    memcpy(s->Ci, d->Ci, (size_t)nnz * sizeof(ss_int));
    memcpy(s->map, d->map, (size_t)nnz * sizeof(ss_int));
    memcpy(s->Lp, d->Lp, (size_t)(N + 1) * sizeof(ss_int));
    memcpy(s->Parent, d->Parent, (size_t)N * sizeof(ss_int));
    memcpy(s->Lnz, d->Lnz, (size_t)N * sizeof(ss_int));
    *out = s;
    return DQP_OK;
}

static const int64_t *ldl_order(const void *self) { return ((const ldl_state *)self)->P; }

const dqp_linsys_backend dqp_linsys_ldl = {
    "ldl",       "sparse LDL' (SuiteSparse LDL + AMD), static pivots on the quasi-definite K + R",
    1,           ldl_analyze,
    ldl_factor,  ldl_solve,
    ldl_destroy, ldl_clone_symbolic,
    ldl_order,
};
