/* kkt.c - assembly, regularization, factorization and refined solves of the KKT matrix K. */
#include "kkt.h"
#include "core/blas.h"

#include <float.h>
#include <limits.h>
#include <math.h>
#include <string.h>

/* Right-hand sides refined together: the backend sees up to this many at once
 * (MUMPS and LAPACK solve them in one sweep over the factor), and the
 * workspaces allocated at create time hold this many N-vectors. */
#define KKT_BLOCK 8
_Static_assert(KKT_BLOCK >= 7, "the least-norm clean-up keeps three vectors in the last slots, "
                               "GMRES uses the first two, least-squares solves the first seven");

/* A pivot with |d| <= KKT_SMALL_PIVOT * delta is counted in nsmall: the
 * regularization is at least 10% of it. The count is a diagnostic only: with
 * a static ordering (ldl, cholmod) the diagonal -delta of a D = 0 row that is
 * eliminated before its neighbours is such a pivot without any rank
 * deficiency, so singularity is decided by the test below, not by nsmall. */
#define KKT_SMALL_PIVOT 10.0

/* Singularity test (non-least-norm mode): a few steps of the power method on
 * S^{-1} = (K + R)^{-1} estimate ||S^{-1}||_2 from below. On null(K) the
 * matrix S acts as R = +-delta, so for singular K the estimate tends to
 * 1/delta and delta * est -> 1. For regular K, |lambda(S) - lambda(K)| <= delta
 * (Weyl) gives delta * ||S^{-1}||_2 <= delta / (sigma_min(K) - delta), which is
 * below 0.1 unless sigma_min(K) < 11 delta, i.e. unless the regularization
 * itself changes the solution by more than ~10%: then K is "numerically
 * singular" at the level of delta. Three steps suffice because each step
 * multiplies the null-space share of the iterate by ~ 1 / (delta ||K^+||). */
#define KKT_SINGULAR_THRESHOLD 0.1
#define KKT_POWER_STEPS 3
/* Seed of the fixed start vectors (dqp_fill_uniform) of the singularity
 * test and of the least-squares calibration. */
#define KKT_SEED 0x9E3779B97F4A7C15ULL

/* Least-norm clean-up (see ln_cleanup): applications of M = S^{-1} R per
 * pass, and the maximum number of passes. Each pass divides the null-space
 * drift by ~1 / rho; two passes took it from 1e-6 to 1e-13 on the tests. */
#define KKT_LN_APPLY 3
#define KKT_LN_PASSES 3
/* A pass's w that is not below this share of the previous pass's: not the
 * drift the previous w missed (that share was 1e-3 on QSCAGR7's K_J and
 * most Maros-Meszaros K_J, 0.13..0.32 on QSHELL's), but the part of x on
 * eigenvalues of K near delta, which M contracts slowly. A thin margin on
 * both sides: measured, not derived. Such a w can also be drift on those
 * eigenvalues, which no pass removes at a useful rate: on LISWET1's K_J
 * (eigenvalues from 1e-14 of the largest up through delta) with the kept
 * factorization (dqp_kkt_least_norm_keep, delta = 1e-10 relative), the
 * passes found 1.4e-6, 7.3e-7, 4.0e-7, ... of |x| where the exact solution
 * has nothing; hence dqp_kkt_solve_settled's limit on what is left. */
#define KKT_LN_SHRINK 0.4
/* A pass whose refinement put back all but this share of w: w was mostly the
 * part of x on eigenvalues of K below delta, not drift (see ln_column). */
#define KKT_LN_BACK 0.5
/* The clean-up of a column is undone when it multiplies an unconverged
 * residual by more than this (see ln_column). */
#define KKT_LN_WORSE 2.0

/* Least-norm solves (see krylov_refine): Krylov dimension of one GMRES
 * cycle, its relative stopping tolerance, and its stagnation test (the
 * residual estimate has not fallen below KKT_GMRES_FLAT times its value
 * KKT_GMRES_LAG steps earlier: r is not in range(K), or the rest is slow). */
#define KKT_GMRES_M 40
#define KKT_GMRES_RTOL 1e-12
#define KKT_GMRES_FLAT 0.99
#define KKT_GMRES_LAG 3
#define KKT_GMRES_CYCLES 5 /* outer steps (true residual) at most */
#define KKT_LN_STATIONARY 4 /* stationary steps before GMRES (ln_refine) */
/* A refinement step that leaves more than this share of the residual: flat
 * (see ln_refine's probe). A residual in null(K) stays where it is (ratio 1
 * to six digits on the benchmarks); slow convergence on a consistent
 * right-hand side (eigenvalues of K near delta) gains 0.5% or more per step
 * there, and GMRES then converges. */
#define KKT_FLAT_STEP 0.999

enum { KKT_LOADED = 0, KKT_FACTORED = 1, KKT_SINGULAR = 2 };

struct dqp_kkt {
    int64_t n, m, N;
    int64_t nnz;          /* entries of the upper triangle of K */
    int64_t *Kp, *Ki;     /* pattern of K, upper triangle, diagonal last in each column */
    double *Kx;           /* values of K (unregularized) */
    double *Sx;           /* values of S = K + R, handed to the backend (external: Kx) */
    int64_t nnzH, nnzG;   /* stored entries of H and G */
    unsigned char *hdiag; /* H stores the diagonal entry of column j (else K adds it) */
    double *wb, *wt;      /* KKT_BLOCK right-hand sides; residuals / corrections */
    int64_t *Fp, *Fi;     /* full symmetric pattern of K by rows (row i = column i) */
    double *Fx;           /* its values (copied from Kx whenever Kx changes) */
    int64_t *cur;         /* scratch cursors, length N (filling Fx and Kx) */
    double *acc;          /* residual (accumulated in extended precision), length N */
    int64_t acc_row;      /* a row of acc with the largest magnitude */
    double *gv;           /* GMRES: Krylov basis, (KKT_GMRES_M + 1) N (allocated on first use) */
    double *gh;           /* GMRES: Hessenberg matrix and rotations */
    const dqp_linsys_backend *be;
    void *self;
    dqp_kkt_options opt;
    int least_norm;
    int hinted; /* the backend's analysis used the caller's order (options.order) */
    int state;
    double delta;
    int64_t npos, nneg, nsmall;
    int refine_steps;
    int64_t solves; /* right-hand sides through the backend's solve since creation */
    double residual;
    int unsettled; /* last solve: a least-norm clean-up used all its passes */
    double ln_slow; /* last solve: largest w / |x| a clean-up left in x (w not shrinking) */
    int pinv_refine; /* least-squares solves refine each solve with S (pinv_calibrate) */
    int pinv_t;      /* applications of M per least-squares solve; 0: not calibrated */
    int no_free;   /* a free first step (refine) of this factorization was undone */
    double singular_test;
    double null_primal, null_dual; /* blocks of the singular test's last vector */
    int symbolic_shared; /* the backend state was cloned from a dqp_symcache donor */
    dqp_message err;
};

void dqp_kkt_options_default(dqp_kkt_options *opt) {
    if (!opt)
        return;
    /* 1e-10 relative: with delta > 0 and H PSD, K + R is quasi-definite, so
     * an LDL' with static pivots exists for every symmetric ordering
     * (Vanderbei 1995) - what ldl and cholmod rely on; the regularized
     * solution differs from the exact one by ~ delta ||K^{-1}|| relative,
     * which refinement removes at that rate per step. Interior-point codes
     * built on static-pivot LDL' (OSQP/QDLDL, Clarabel) use 1e-7..1e-10. */
    opt->reg = 1e-10;
    opt->max_refine = 20;
    /* 1e-13: a few hundred ulps relative to ||r||; the residual is computed in
     * extended precision, so this is reachable for reasonably scaled K. */
    opt->tol = 1e-13;
    opt->least_norm = 0;
    /* Least-norm mode: each solve with S = K + R leaves an error component in
     * null(K) of relative size ~ eps * growth / reg, removed afterwards by the
     * clean-up passes (ln_cleanup), which divide it by ~ rho = delta / (sigma
     * + delta) each. A larger reg makes the initial drift smaller but rho
     * (the contraction per refinement step on range(K)) closer to 1. 1e-8 was
     * the best compromise on the tests: drift after clean-up 1e-14..1e-12 for
     * all backends, against ~1e-9 with 1e-7 (more is left to refine after
     * the clean-up, and each step re-adds the right-hand side's own rounding
     * outside range(K), divided by delta) and ~1e-9 with 1e-10 (static-pivot
     * growth). The step limit is larger because rho can be close to 1 when K
     * has eigenvalues near delta. */
    opt->reg_least_norm = 1e-8;
    opt->max_refine_least_norm = 100;
    /* 1e-8: a refinement that stalls above tol but below this still gives 8
     * correct digits of backward accuracy; above it the solution is not
     * trusted (inconsistent singular system, or K too ill-conditioned). */
    opt->tol_accept = 1e-8;
    opt->check_singular = 1;
    opt->order = NULL;
}

/* ------------------------------------------------------------- validation */

static dqp_status check_options(const dqp_kkt_options *o, dqp_message *msg) {
    if (!(isfinite(o->reg) && o->reg >= 0))
        return dqp_fail(msg, DQP_ERR_VALUE, "KKT option reg = %g: must be finite and >= 0", o->reg);
    if (!(isfinite(o->reg_least_norm) && o->reg_least_norm >= 0))
        return dqp_fail(msg, DQP_ERR_VALUE,
                        "KKT option reg_least_norm = %g: must be finite and >= 0",
                        o->reg_least_norm);
    if (o->max_refine < 0 || o->max_refine_least_norm < 0)
        return dqp_fail(msg, DQP_ERR_VALUE,
                        "KKT options max_refine = %d, max_refine_least_norm = %d: must be >= 0",
                        o->max_refine, o->max_refine_least_norm);
    if (!(isfinite(o->tol) && o->tol > 0))
        return dqp_fail(msg, DQP_ERR_VALUE, "KKT option tol = %g: must be finite and > 0", o->tol);
    if (!(isfinite(o->tol_accept) && o->tol_accept >= o->tol))
        return dqp_fail(msg, DQP_ERR_VALUE,
                        "KKT option tol_accept = %g: must be finite and >= tol = %g", o->tol_accept,
                        o->tol);
    return DQP_OK;
}

static dqp_status check_values(const double *x, int64_t len, const char *name, dqp_message *msg) {
    for (int64_t p = 0; p < len; p++)
        if (!isfinite(x[p]))
            return dqp_fail(msg, DQP_ERR_NONFINITE, "%s: value %lld is %g (not finite)", name,
                            (long long)p, x[p]);
    return DQP_OK;
}

static dqp_status check_D(const double *D, int64_t m, dqp_message *msg) {
    if (!D)
        return DQP_OK;
    for (int64_t i = 0; i < m; i++) {
        if (!isfinite(D[i]))
            return dqp_fail(msg, DQP_ERR_NONFINITE, "D[%lld] = %g is not finite", (long long)i,
                            D[i]);
        if (D[i] < 0)
            return dqp_fail(msg, DQP_ERR_VALUE, "D[%lld] = %g is negative; D must be >= 0",
                            (long long)i, D[i]);
    }
    return DQP_OK;
}

static dqp_status check_inputs(int64_t n, int64_t m, const dqp_csc *H, const dqp_csc *G,
                               const double *D, dqp_message *msg) {
    dqp_status st;
    if (H) {
        if ((st = dqp_csc_validate(H, "H", msg)) != DQP_OK)
            return st;
        if (H->m != n || H->n != n)
            return dqp_fail(msg, DQP_ERR_DIMENSION,
                            "H is %lld x %lld, expected n x n = %lld x %lld", (long long)H->m,
                            (long long)H->n, (long long)n, (long long)n);
        for (int64_t j = 0; j < n; j++)
            for (int64_t p = H->p[j]; p < H->p[j + 1]; p++)
                if (H->i[p] > j)
                    return dqp_fail(msg, DQP_ERR_TRIANGLE,
                                    "H: entry (%lld, %lld) is below the diagonal; give the upper "
                                    "triangle only",
                                    (long long)H->i[p], (long long)j);
    }
    if (!G && m > 0)
        return dqp_fail(msg, DQP_ERR_NULL, "G is NULL but m = %lld > 0", (long long)m);
    if (G) {
        if ((st = dqp_csc_validate(G, "G", msg)) != DQP_OK)
            return st;
        if (G->m != m || G->n != n)
            return dqp_fail(msg, DQP_ERR_DIMENSION,
                            "G is %lld x %lld, expected m x n = %lld x %lld", (long long)G->m,
                            (long long)G->n, (long long)m, (long long)n);
    }
    return check_D(D, m, msg);
}

/* "auto" on large systems: the ldl analysis (needed anyway) counts the
 * flops of its factorization; above KKT_MUMPS_FLOPS the multifrontal mumps
 * (dense kernels, ~10x faster per flop, milliseconds of overhead per call)
 * takes over. Measured on the Maros-Meszaros set (bench/maros_meszaros):
 * mumps won only on the CVXQP*_L problems (~1e10 flops), ldl everywhere
 * below ~1e9. Smaller systems are not estimated. */
#define KKT_AUTO_ESTIMATE_NNZ 20000
#define KKT_MUMPS_FLOPS 1e9

static int is_auto(const char *name) { return !name || strcmp(name, "auto") == 0; }

static dqp_status find_backend(const char *name, int64_t N, int64_t nnz,
                               const dqp_linsys_backend **out, dqp_message *msg) {
    const char *want = name ? name : "auto";
    if (strcmp(want, "auto") == 0)
        want = dqp_linsys_auto(N, nnz);
    *out = dqp_linsys_find(want);
    if (*out)
        return DQP_OK;
    char list[DQP_MESSAGE_LEN] = "auto";
    size_t used = strlen(list);
    for (int i = 0; i < dqp_linsys_count() && used + 1 < sizeof list; i++) {
        dqp_fmt(list + used, sizeof list - used, ", %s", dqp_linsys_get(i)->name);
        used = strlen(list);
    }
    return dqp_fail(msg, DQP_ERR_UNKNOWN_NAME, "unknown KKT linear solver \"%s\"; valid names: %s",
                    want, list);
}

/* --------------------------------------------------------------- assembly */

/* Number of entries of K's upper triangle: H, missing H diagonals, G, and the
 * m diagonals of the (2,2) block. 0 on overflow. */
static int count_entries(int64_t n, int64_t m, const dqp_csc *H, const dqp_csc *G, int64_t *nnz) {
    int64_t total = 0;
    for (int64_t j = 0; j < n; j++) {
        int64_t hj = H ? H->p[j + 1] - H->p[j] : 0;
        int has_diag = hj > 0 && H->i[H->p[j + 1] - 1] == j;
        if (!dqp_add_size(total, hj + (has_diag ? 0 : 1), &total))
            return 0;
    }
    if (!dqp_add_size(total, dqp_csc_nnz(G), &total) || !dqp_add_size(total, m, &total))
        return 0;
    *nnz = total;
    return 1;
}

/* Fill Kp, Ki, Kx and hdiag. Column j < n: H(:, j) then the diagonal if H
 * lacks it; column n+i: row i of G (sorted by construction), then the
 * diagonal -D_i. The diagonal is thus the last entry of every column. */
static void assemble(dqp_kkt *k, const dqp_csc *H, const dqp_csc *G, const double *D) {
    int64_t n = k->n, m = k->m, *Kp = k->Kp, *Ki = k->Ki;
    double *Kx = k->Kx;
    Kp[0] = 0;
    for (int64_t j = 0; j < n; j++) {
        int64_t pos = Kp[j];
        if (H)
            for (int64_t p = H->p[j]; p < H->p[j + 1]; p++, pos++) {
                Ki[pos] = H->i[p];
                Kx[pos] = H->x[p];
            }
        k->hdiag[j] = pos > Kp[j] && Ki[pos - 1] == j;
        if (!k->hdiag[j]) {
            Ki[pos] = j;
            Kx[pos++] = 0.0;
        }
        Kp[j + 1] = pos;
    }
    /* count the entries of each row of G into Kp[n+i+1], then prefix sums */
    for (int64_t i = 0; i < m; i++)
        Kp[n + i + 1] = 1;
    int64_t nnzG = dqp_csc_nnz(G);
    for (int64_t p = 0; p < nnzG; p++)
        Kp[n + G->i[p] + 1]++;
    for (int64_t i = 0; i < m; i++)
        Kp[n + i + 1] += Kp[n + i];
    /* Scatter G by columns, so the rows of K's column n+i come out increasing.
     * Until the diagonal is written, the diagonal slot of column n+i holds
     * the next free position of that column (G entries never reach it). */
    for (int64_t i = 0; i < m; i++)
        Ki[Kp[n + i + 1] - 1] = Kp[n + i];
    for (int64_t j = 0; G && j < n; j++)
        for (int64_t p = G->p[j]; p < G->p[j + 1]; p++) {
            int64_t pos = Ki[Kp[n + G->i[p] + 1] - 1]++;
            Ki[pos] = j;
            Kx[pos] = G->x[p];
        }
    for (int64_t i = 0; i < m; i++) {
        int64_t last = Kp[n + i + 1] - 1;
        Ki[last] = n + i;
        Kx[last] = D ? -D[i] : 0.0;
    }
}

/* Fp, Fi: both triangles of K row by row, for the residual (a dot product
 * per row accumulates in a register instead of scattering into
 * extended-precision memory). Row i lists column i of the upper triangle
 * (rows <= i, increasing), then the columns c > i holding row i, increasing
 * in c; so row j < n ends with the entries of G(:, j) in increasing row
 * order (update_values relies on it). */
static void full_pattern(dqp_kkt *k) {
    int64_t N = k->N, *next = k->cur;
    const int64_t *Kp = k->Kp, *Ki = k->Ki;
    memset(k->Fp, 0, (size_t)(N + 1) * sizeof(int64_t));
    for (int64_t j = 0; j < N; j++)
        for (int64_t p = Kp[j]; p < Kp[j + 1]; p++) {
            k->Fp[j + 1]++;
            if (Ki[p] != j)
                k->Fp[Ki[p] + 1]++;
        }
    for (int64_t j = 0; j < N; j++) {
        k->Fp[j + 1] += k->Fp[j];
        next[j] = k->Fp[j];
    }
    for (int64_t j = 0; j < N; j++)
        for (int64_t p = Kp[j]; p < Kp[j + 1]; p++) {
            int64_t i = Ki[p];
            k->Fi[next[j]++] = i;
            if (i != j)
                k->Fi[next[i]++] = j;
        }
}

/* Fx from Kx, in full_pattern's order. */
static void sync_full(dqp_kkt *k) {
    int64_t N = k->N, *next = k->cur;
    const int64_t *Kp = k->Kp, *Ki = k->Ki;
    memcpy(next, k->Fp, (size_t)N * sizeof *next);
    for (int64_t j = 0; j < N; j++)
        for (int64_t p = Kp[j]; p < Kp[j + 1]; p++) {
            int64_t i = Ki[p];
            k->Fx[next[j]++] = k->Kx[p];
            if (i != j)
                k->Fx[next[i]++] = k->Kx[p];
        }
}

/* delta = reg * max(1, max |K_ij|) and S = K + diag(delta I_n, -delta I_m). */
static void regularize(dqp_kkt *k) {
    k->delta = 0.0;
    if (k->Sx == k->Kx) /* external inverse: nothing is factored, S = K */
        return;
    double kmax = 1.0;
    for (int64_t p = 0; p < k->nnz; p++)
        kmax = DQP_MAX(kmax, fabs(k->Kx[p]));
    double reg = k->least_norm ? k->opt.reg_least_norm : k->opt.reg;
    k->delta = reg * kmax;
    memcpy(k->Sx, k->Kx, (size_t)k->nnz * sizeof(double));
    for (int64_t j = 0; j < k->N; j++)
        k->Sx[k->Kp[j + 1] - 1] += j < k->n ? k->delta : -k->delta;
}

/* ---------------------------------------- external approximate inverse */

/* The "backend" of dqp_kkt_create_external: no symbolic or numeric work, its
 * solve applies the caller's approximate inverse column by column. */
typedef struct ext_state {
    dqp_kkt_apply_fn apply;
    void *user;
    int64_t N;
} ext_state;

static dqp_status ext_factor(void *self, const double *Sx, double small_pivot_tol, int64_t *npos,
                             int64_t *nneg, int64_t *nsmall, dqp_message *msg) {
    (void)self;
    (void)Sx;
    (void)small_pivot_tol;
    (void)msg;
    *npos = *nneg = 0; /* unknown: nothing is factored */
    *nsmall = -1;
    return DQP_OK;
}

static dqp_status ext_solve(void *self, double *x, int64_t nrhs, dqp_message *msg) {
    ext_state *e = self;
    for (int64_t c = 0; c < nrhs; c++) {
        dqp_status st = e->apply(e->user, x + c * e->N);
        if (st != DQP_OK)
            return dqp_fail(msg, st, "external approximate inverse failed (%s)",
                            dqp_status_string(st));
    }
    return DQP_OK;
}

static void ext_destroy(void *self) { dqp_free(self); }

static const dqp_linsys_backend ext_backend = {
    "external", "approximate inverse supplied by the caller (no factorization)",
    1,          NULL,
    ext_factor, ext_solve,
    ext_destroy, NULL, NULL};

/* The object without its backend state: validation, allocation, assembly,
 * regularization. */
static dqp_status create_object(dqp_kkt **out, const dqp_linsys_backend *be, int64_t n, int64_t m,
                                const dqp_csc *H, const dqp_csc *G, const double *D,
                                const dqp_kkt_options *o, int64_t nnz, dqp_message *msg) {
    int64_t N = n + m, blk;
    if (!dqp_mul_size(N, KKT_BLOCK, &blk))
        return dqp_fail(msg, DQP_ERR_DIMENSION, "KKT matrix too large (n = %lld, m = %lld)",
                        (long long)n, (long long)m);
    dqp_kkt *k = dqp_calloc(1, sizeof *k);
    if (!k)
        return dqp_fail(msg, DQP_ERR_NOMEM, "out of memory (KKT object)");
    k->n = n;
    k->m = m;
    k->N = N;
    k->nnz = nnz;
    k->nnzH = dqp_csc_nnz(H);
    k->nnzG = dqp_csc_nnz(G);
    k->be = be;
    k->opt = *o;
    k->least_norm = o->least_norm ? 1 : 0;
    k->nsmall = -1;
    k->singular_test = -1;
    k->null_primal = k->null_dual = -1.0;
    k->Kp = dqp_alloc(N + 1, sizeof(int64_t));
    k->Ki = dqp_alloc(nnz, sizeof(int64_t));
    k->Kx = dqp_alloc(nnz, sizeof(double));
    /* an external inverse factors nothing and o->reg is 0 there: S = K */
    k->Sx = be == &ext_backend ? k->Kx : dqp_alloc(nnz, sizeof(double));
    k->hdiag = dqp_alloc(n, 1);
    k->wb = dqp_alloc(blk, sizeof(double));
    k->wt = dqp_alloc(blk, sizeof(double));
    k->acc = dqp_alloc(N, sizeof(double));
    int64_t nfull = 2 * nnz - N; /* nnz >= N: the diagonal is always stored */
    k->Fp = dqp_alloc(N + 1, sizeof(int64_t));
    k->Fi = dqp_alloc(nfull, sizeof(int64_t));
    k->Fx = dqp_alloc(nfull, sizeof(double));
    k->cur = dqp_alloc(N, sizeof(int64_t));
    if (!k->Kp || !k->Ki || !k->Kx || !k->Sx || !k->hdiag || !k->wb || !k->wt || !k->acc ||
        !k->Fp || !k->Fi || !k->Fx || !k->cur) {
        dqp_kkt_destroy(k);
        return dqp_fail(msg, DQP_ERR_NOMEM, "out of memory (KKT matrix with %lld entries)",
                        (long long)nnz);
    }
    assemble(k, H, G, D);
    full_pattern(k);
    sync_full(k);
    regularize(k);
    *out = k;
    return DQP_OK;
}

/* Shared validation of create and create_external; *nnz = entries of K. */
static dqp_status check_all(int64_t n, int64_t m, const dqp_csc *H, const dqp_csc *G,
                            const double *D, const dqp_kkt_options *o, int64_t *nnz,
                            dqp_message *msg) {
    int64_t N;
    if (n < 0 || m < 0 || !dqp_add_size(n, m, &N))
        return dqp_fail(msg, DQP_ERR_DIMENSION, "KKT dimensions n = %lld, m = %lld invalid",
                        (long long)n, (long long)m);
    dqp_status st = check_options(o, msg);
    if (st == DQP_OK)
        st = check_inputs(n, m, H, G, D, msg);
    if (st != DQP_OK)
        return st;
    if (!count_entries(n, m, H, G, nnz))
        return dqp_fail(msg, DQP_ERR_DIMENSION, "KKT matrix too large (n = %lld, m = %lld)",
                        (long long)n, (long long)m);
    return DQP_OK;
}

/* An order hint must be a permutation of 0..N-1 (a backend trusts it). */
static dqp_status check_order(const int64_t *order, int64_t N, dqp_message *msg) {
    if (!order || N == 0)
        return DQP_OK;
    unsigned char *seen = dqp_calloc((size_t)N, 1);
    if (!seen)
        return dqp_fail(msg, DQP_ERR_NOMEM, "out of memory (KKT order check)");
    dqp_status st = DQP_OK;
    for (int64_t k = 0; k < N && st == DQP_OK; k++) {
        int64_t r = order[k];
        if (r < 0 || r >= N || seen[r])
            st = dqp_fail(msg, DQP_ERR_VALUE,
                          "KKT option order: entry %lld = %lld is %s (must be a permutation of "
                          "0..%lld)",
                          (long long)k, (long long)r, r < 0 || r >= N ? "out of range" : "repeated",
                          (long long)(N - 1));
        else
            seen[r] = 1;
    }
    dqp_free(seen);
    return st;
}

dqp_status dqp_kkt_create(dqp_kkt **out, const char *backend, int64_t n, int64_t m,
                          const dqp_csc *H, const dqp_csc *G, const double *D,
                          const dqp_kkt_options *opt, dqp_message *msg) {
    if (!out)
        return dqp_fail(msg, DQP_ERR_NULL, "dqp_kkt_create: out is NULL");
    *out = NULL;
    dqp_kkt_options o;
    if (opt)
        o = *opt;
    else
        dqp_kkt_options_default(&o);
    int64_t nnz;
    dqp_status st = check_all(n, m, H, G, D, &o, &nnz, msg);
    if (st == DQP_OK)
        st = check_order(o.order, n + m, msg);
    if (st != DQP_OK)
        return st;
    const dqp_linsys_backend *be;
    if ((st = find_backend(backend, n + m, nnz, &be, msg)) != DQP_OK)
        return st;
    dqp_kkt *k;
    if ((st = create_object(&k, be, n, m, H, G, D, &o, nnz, msg)) != DQP_OK)
        return st;
    if (k->N > 0) {
        dqp_csc S = {k->N, k->N, k->Kp, k->Ki, k->Sx, 0};
        dqp_message bmsg = {{0}};
        st = dqp_symcache_analyze(dqp_symcache_current(), be, n, m, o.order, &S, &k->self,
                                  &k->symbolic_shared, &bmsg);
        const dqp_linsys_backend *mumps = dqp_linsys_find("mumps");
        if (st == DQP_OK && is_auto(backend) && strcmp(be->name, "ldl") == 0 &&
            nnz >= KKT_AUTO_ESTIMATE_NNZ && mumps && dqp_ldl_flops(k->self) > KKT_MUMPS_FLOPS) {
            be->destroy(k->self);
            k->self = NULL;
            k->be = mumps;
            st = dqp_symcache_analyze(dqp_symcache_current(), mumps, n, m, NULL, &S, &k->self,
                                      &k->symbolic_shared, &bmsg);
        }
        if (st != DQP_OK) {
            k->self = NULL;
            dqp_kkt_destroy(k);
            return dqp_fail(msg, st, "%s", bmsg.text);
        }
        k->hinted = o.order && !k->symbolic_shared && k->be->order;
    }
    *out = k;
    return DQP_OK;
}

dqp_status dqp_kkt_create_external(dqp_kkt **out, int64_t n, int64_t m, const dqp_csc *H,
                                   const dqp_csc *G, const double *D, const dqp_kkt_options *opt,
                                   dqp_kkt_apply_fn apply, void *user, dqp_message *msg) {
    if (!out)
        return dqp_fail(msg, DQP_ERR_NULL, "dqp_kkt_create_external: out is NULL");
    *out = NULL;
    if (!apply)
        return dqp_fail(msg, DQP_ERR_NULL, "dqp_kkt_create_external: apply is NULL");
    dqp_kkt_options o;
    if (opt)
        o = *opt;
    else
        dqp_kkt_options_default(&o);
    o.reg = 0.0; /* nothing is factored: no regularization, no singularity test */
    o.least_norm = 0;
    o.check_singular = 0;
    int64_t nnz;
    dqp_status st = check_all(n, m, H, G, D, &o, &nnz, msg);
    if (st != DQP_OK)
        return st;
    dqp_kkt *k;
    if ((st = create_object(&k, &ext_backend, n, m, H, G, D, &o, nnz, msg)) != DQP_OK)
        return st;
    ext_state *e = dqp_alloc(1, sizeof *e);
    if (!e) {
        dqp_kkt_destroy(k);
        return dqp_fail(msg, DQP_ERR_NOMEM, "out of memory (KKT object)");
    }
    e->apply = apply;
    e->user = user;
    e->N = k->N;
    k->self = e;
    *out = k;
    return DQP_OK;
}

void dqp_kkt_destroy(dqp_kkt *k) {
    if (!k)
        return;
    if (k->self)
        k->be->destroy(k->self);
    dqp_free(k->Kp);
    dqp_free(k->Ki);
    dqp_free(k->Kx);
    if (k->Sx != k->Kx)
        dqp_free(k->Sx);
    dqp_free(k->hdiag);
    dqp_free(k->wb);
    dqp_free(k->wt);
    dqp_free(k->acc);
    dqp_free(k->Fp);
    dqp_free(k->Fi);
    dqp_free(k->Fx);
    dqp_free(k->cur);
    dqp_free(k->gv);
    dqp_free(k->gh);
    dqp_free(k);
}

dqp_status dqp_kkt_update(dqp_kkt *k, const double *Hx, const double *Gx, const double *D) {
    if (!k)
        return DQP_ERR_NULL;
    dqp_status st = DQP_OK;
    if (Hx)
        st = check_values(Hx, k->nnzH, "H", &k->err);
    if (st == DQP_OK && Gx)
        st = check_values(Gx, k->nnzG, "G", &k->err);
    if (st == DQP_OK)
        st = check_D(D, k->m, &k->err);
    if (st != DQP_OK)
        return st; /* nothing changed */
    int64_t n = k->n, *next = k->cur;
    const int64_t *Kp = k->Kp;
    /* H(:, j) is the start of column j of K (assemble) */
    for (int64_t j = 0, p = 0; Hx && j < n; j++)
        for (int64_t q = Kp[j]; q < Kp[j + 1] - !k->hdiag[j]; q++)
            k->Kx[q] = Hx[p++];
    /* G(:, j) is the end of row j of the full pattern (full_pattern), and
     * column n+i of K holds row i of G in increasing column order */
    if (Gx) {
        memcpy(next, Kp + n, (size_t)k->m * sizeof *next);
        for (int64_t j = 0, p = 0; j < n; j++)
            for (int64_t q = k->Fp[j]; q < k->Fp[j + 1]; q++)
                if (k->Fi[q] >= n)
                    k->Kx[next[k->Fi[q] - n]++] = Gx[p++];
    }
    if (D)
        for (int64_t i = 0; i < k->m; i++)
            k->Kx[k->Kp[k->n + i + 1] - 1] = -D[i];
    sync_full(k);
    k->state = KKT_LOADED;
    return DQP_OK;
}

void dqp_kkt_set_least_norm(dqp_kkt *k, int on) {
    if (!k)
        return;
    k->least_norm = on ? 1 : 0;
    k->state = KKT_LOADED;
}

dqp_status dqp_kkt_least_norm_keep(dqp_kkt *k) {
    if (!k)
        return DQP_ERR_NULL;
    if (k->state != KKT_SINGULAR || !(k->delta > 0))
        return DQP_ERR_NOT_READY;
    k->least_norm = 1;
    k->state = KKT_FACTORED;
    return DQP_OK;
}

/* ------------------------------------------------------------ arithmetic */

/* The backend's solve of nrhs right-hand sides, counted (dqp_kkt_info.solves). */
static dqp_status be_solve(dqp_kkt *k, double *x, int64_t nrhs, dqp_message *msg) {
    k->solves += nrhs;
    return k->be->solve(k->self, x, nrhs, msg);
}

/* acc = b - K x accumulated in extended precision, row by row over the
 * full pattern (Fp, Fi, Fx), rounded once; returns ||acc||_inf and leaves
 * in k->acc_row a row where it is attained (at_floor tests it first). */
static double residual(dqp_kkt *k, const double *b, const double *x) {
    const int64_t *Fp = k->Fp, *Fi = k->Fi;
    const double *Fx = k->Fx;
    double nrm = 0.0;
    int64_t arg = 0;
    for (int64_t i = 0; i < k->N; i++) {
        /* two accumulators: half the dependency chain of extended adds */
        long double s0 = b[i], s1 = 0.0L;
        int64_t q = Fp[i], e = Fp[i + 1];
        for (; q + 1 < e; q += 2) {
            s0 -= (long double)Fx[q] * x[Fi[q]];
            s1 -= (long double)Fx[q + 1] * x[Fi[q + 1]];
        }
        if (q < e)
            s0 -= (long double)Fx[q] * x[Fi[q]];
        double r = (double)(s0 + s1), a = fabs(r);
        k->acc[i] = r;
        if (!(a <= nrm)) { /* also propagates NaN */
            nrm = a;
            arg = i;
        }
    }
    k->acc_row = arg;
    return nrm;
}

/* Row i of the componentwise backward error test: |acc_i| <= eps (|b| +
 * |K| |x|)_i (0/0 passes: an empty row with a zero right-hand side). */
static int row_at_floor(const dqp_kkt *k, const double *b, const double *x, int64_t i) {
    double d = fabs(b[i]);
    for (int64_t q = k->Fp[i]; q < k->Fp[i + 1]; q++)
        d += fabs(k->Fx[q] * x[k->Fi[q]]);
    return fabs(k->acc[i]) <= DBL_EPSILON * d;
}

/* Whether the residual in k->acc of x (residual(k, b, x), just computed) is
 * at the rounding floor of a double x: its componentwise backward error
 * (Oettli-Prager)  max_i |b - K x|_i / (|b| + |K| |x|)_i  is at most eps.
 * Only converged() asks, and only for a residual above tol: a residual that
 * is not at the floor is nearly always decided by its largest row, tested
 * first, so the full pass over |K| |x| (as long as a residual) runs only
 * when x is at, or near, the floor. */
static int at_floor(const dqp_kkt *k, const double *b, const double *x) {
    if (!row_at_floor(k, b, x, k->acc_row))
        return 0;
    for (int64_t i = 0; i < k->N; i++)
        if (!row_at_floor(k, b, x, i))
            return 0;
    return 1;
}

dqp_status dqp_kkt_solve_once(dqp_kkt *k, double *x) {
    if (!k || !x)
        return DQP_ERR_NULL;
    if (k->state != KKT_FACTORED)
        return dqp_fail(&k->err, DQP_ERR_NOT_READY, "dqp_kkt_solve_once: K is not factored");
    if (k->N == 0)
        return DQP_OK;
    dqp_message bmsg = {{0}};
    dqp_status st = be_solve(k, x, 1, &bmsg);
    return st == DQP_OK ? DQP_OK : dqp_fail(&k->err, st, "%s", bmsg.text);
}

int dqp_kkt_singular_by_count(const dqp_csc *H, int64_t n, int64_t rows) {
    if (rows > n)
        return DQP_KKT_DEPENDENT_ROWS;
    int64_t diag = 0;
    for (int64_t j = 0; H && j < H->n; j++)
        for (int64_t p = H->p[j]; p < H->p[j + 1]; p++)
            diag += H->i[p] == j && H->x[p] != 0.0;
    return n > rows + diag ? DQP_KKT_H_SINGULAR : 0;
}

/* Row by row over the full pattern (also GMRES's products). */
void dqp_kkt_matvec(const dqp_kkt *k, const double *x, double *y) {
    if (!k)
        return;
    for (int64_t i = 0; i < k->N; i++) {
        double s = 0.0;
        for (int64_t q = k->Fp[i]; q < k->Fp[i + 1]; q++)
            s += k->Fx[q] * x[k->Fi[q]];
        y[i] = s;
    }
}

static double norm2(const double *x, int64_t len) {
    double s = 0.0;
    for (int64_t i = 0; i < len; i++)
        s += x[i] * x[i];
    return sqrt(s);
}

static double norm_inf(const double *x, int64_t len) {
    double r = 0.0;
    for (int64_t i = 0; i < len; i++)
        r = DQP_MAX(r, fabs(x[i]));
    return r;
}

/* ------------------------------------------------------- factor and solve */

/* delta * (power-method estimate of ||S^{-1}||_2), see KKT_SINGULAR_THRESHOLD.
 * The start vector is a fixed pseudo-random sequence (dqp_fill_uniform). */
static dqp_status singular_test(dqp_kkt *k, double *out) {
    double *w = k->wt;
    dqp_fill_uniform(w, k->N, KKT_SEED);
    double nrm = norm2(w, k->N);
    double est = 0.0;
    for (int step = 0; step < KKT_POWER_STEPS && nrm > 0; step++) {
        for (int64_t i = 0; i < k->N; i++)
            w[i] /= nrm;
        dqp_status st = be_solve(k, w, 1, &k->err);
        if (st != DQP_OK)
            return st;
        nrm = 0.0;
        for (int64_t i = 0; i < k->N; i++)
            nrm += w[i] * w[i];
        nrm = sqrt(nrm);
        est = nrm;
        if (!isfinite(nrm))
            break;
    }
    *out = isfinite(est) ? k->delta * est : HUGE_VAL;
    double up = 0.0, dn = 0.0;
    for (int64_t i = 0; i < k->N; i++)
        *(i < k->n ? &up : &dn) += w[i] * w[i];
    double tot = sqrt(up + dn);
    k->null_primal = isfinite(tot) && tot > 0 ? sqrt(up) / tot : -1.0;
    k->null_dual = isfinite(tot) && tot > 0 ? sqrt(dn) / tot : -1.0;
    return DQP_OK;
}

dqp_status dqp_kkt_factor(dqp_kkt *k) {
    if (!k)
        return DQP_ERR_NULL;
    k->state = KKT_LOADED;
    k->no_free = 0;
    k->pinv_refine = 0;
    k->pinv_t = 0;
    k->singular_test = -1;
    k->null_primal = k->null_dual = -1.0;
    if (k->least_norm && k->be == &ext_backend)
        return dqp_fail(&k->err, DQP_ERR_UNSUPPORTED,
                        "least-norm mode needs a factorization; this KKT object has an "
                        "external approximate inverse");
    regularize(k);
    if (k->N == 0) {
        k->npos = k->nneg = k->nsmall = 0;
        k->state = KKT_FACTORED;
        return DQP_OK;
    }
    dqp_message bmsg = {{0}};
    double small = KKT_SMALL_PIVOT * k->delta;
    dqp_status st = k->be->factor(k->self, k->Sx, small, &k->npos, &k->nneg, &k->nsmall, &bmsg);
    if (st != DQP_OK && st != DQP_ERR_NOMEM && k->hinted) {
        /* With static pivots the order decides the growth: a caller's order
         * that meets a zero or non-finite pivot is replaced by the backend's
         * own for good (the quasi-definite K + R has none in exact
         * arithmetic, so this is rounding, not singularity). */
        void *fresh = NULL;
        dqp_csc S = {k->N, k->N, k->Kp, k->Ki, k->Sx, 0};
        st = k->be->analyze(&fresh, &S, NULL, &bmsg);
        if (st == DQP_OK) {
            k->be->destroy(k->self);
            k->self = fresh;
            k->hinted = 0;
            st = k->be->factor(k->self, k->Sx, small, &k->npos, &k->nneg, &k->nsmall, &bmsg);
        }
    }
    if (st != DQP_OK)
        return dqp_fail(&k->err, st, "%s", bmsg.text);
    k->state = KKT_FACTORED;
    /* delta = 0: nothing to compare against; a singular K shows up as a zero
     * pivot (DQP_ERR_SINGULAR above) or as a refinement failure. */
    if (!k->least_norm && k->opt.check_singular && k->delta > 0) {
        if ((st = singular_test(k, &k->singular_test)) != DQP_OK) {
            k->state = KKT_LOADED;
            return st;
        }
        if (k->singular_test >= KKT_SINGULAR_THRESHOLD) {
            k->state = KKT_SINGULAR;
            return dqp_fail(&k->err, DQP_ERR_SINGULAR,
                            "K is numerically singular (delta * ||(K+R)^-1|| ~ %.2g with delta = "
                            "%.3g): dependent rows of G, or H singular on null(G); use least-norm "
                            "mode",
                            k->singular_test, k->delta);
        }
    }
    return DQP_OK;
}

/* Refinement state of one block of right-hand sides (b = k->wb). */
typedef struct rblock {
    int nb;
    int64_t first;           /* index of the block's first right-hand side */
    double rnorm[KKT_BLOCK]; /* ||r_c||_inf */
    double scale[KKT_BLOCK]; /* max(1, ||r_c||_inf) */
    double res[KKT_BLOCK];   /* ||r_c - K x_c||_inf / scale[c] of the current iterate */
    int conv[KKT_BLOCK];     /* res[c] passed the convergence test */
    int solves;              /* backend solve calls so far */
    int stalled[KKT_BLOCK];  /* the first refinement step left > KKT_FLAT_STEP of res[c] */
} rblock;

/* Convergence test of the column x for b, whose residual residual() has
 * just computed (relative: rn): below tol, or at the rounding floor of a
 * double x, where the componentwise backward error is eps (at_floor;
 * LAPACK's xyyRFS stop there too). The
 * floor matters only when ||x|| >> ||r|| / ||K||, where tol cannot be
 * reached and the columns would otherwise spend a step or two stalling. It
 * stays far below the backward error of an inconsistent system
 * (~ delta / ||K||). */
static int converged(const dqp_kkt *k, const double *b, const double *x, double rn) {
    return rn <= k->opt.tol || at_floor(k, b, x);
}

/* Iterative refinement of the block's iterates X (N x nb) for the right-hand
 * sides b (N x nb):
 *     x <- x + S^{-1} (r - K x),   the residual in extended precision.
 * from_zero: x_0 = 0, so the first residual is r itself (exactly); else the
 * current X is the start. A column stops when it has converged (see
 * converged()), when a step does not decrease its residual (stalled: the step
 * is undone, so the best iterate is kept), when a step does not halve a
 * residual that is already <= tol_accept (slow), or after maxref steps.
 *
 * The first step from zero needs no product with K outside least-norm mode:
 * x_1 = S^{-1} r solves S x_1 = r + e (e: the backend's rounding), so
 *     r - K x_1 = R x_1 - e,   R = S - K = diag(delta I_n, -delta I_m),
 * and R x_1 (N multiplications) is the residual up to e ~ eps |S| |x_1|,
 * 1e-6 of it or less with delta = 1e-10 ||K||. The step taken with it is
 * judged by the true residual of x_2 like any other; if it does not
 * decrease the estimate, it is undone, the refinement goes on from x_1's
 * true residual, and the factorization takes no more free steps: e is not
 * small when pivots grew (a row of G with D = 0 eliminated before its
 * neighbours has the pivot -delta, and the entries of L below it are
 * ~ 1/delta: a backward error of 1e-6..1e-5 per solve on the polish's K_J
 * of many Maros-Meszaros problems, where R x_1 was 1e-3..1e-4 of the true
 * residual). Least-norm mode keeps the true residual at every step: its
 * first solve carries a drift in null(K) of the size of e / delta, which
 * R x_1 would count as residual. */
static dqp_status refine(dqp_kkt *k, const double *b, double *X, rblock *B, int from_zero,
                         int maxref) {
    int64_t N = k->N;
    double *t = k->wt;
    int act[KKT_BLOCK], na = 0, bad = -1;
    int est[KKT_BLOCK] = {0}; /* B->res[c] is R x_1's norm, not a true residual */
    int free_step = from_zero && !k->least_norm && !k->no_free && k->delta > 0 && maxref >= 1;
    for (int c = 0; c < B->nb; c++) {
        const double *bc = b + c * N;
        double *xc = X + c * N, *tc = t + na * N;
        if (from_zero) {
            memset(xc, 0, (size_t)N * sizeof(double));
            B->res[c] = B->rnorm[c] / B->scale[c];
            B->conv[c] = B->rnorm[c] == 0; /* r = 0: x = 0 exactly */
            memcpy(tc, bc, (size_t)N * sizeof(double));
        } else {
            B->res[c] = residual(k, bc, xc) / B->scale[c];
            B->conv[c] = converged(k, bc, xc, B->res[c]);
            for (int64_t i = 0; i < N; i++)
                tc[i] = k->acc[i];
        }
        if (!B->conv[c])
            act[na++] = c;
    }
    int it0 = from_zero ? 0 : 1; /* it = index of the refinement step; 0 = first solve */
    for (int it = it0; na > 0; it++) {
        dqp_message bmsg = {{0}};
        dqp_status st = be_solve(k, t, na, &bmsg);
        if (st != DQP_OK)
            return dqp_fail(&k->err, st, "%s", bmsg.text);
        B->solves++;
        int nn = 0;
        for (int s = 0; s < na; s++) {
            int c = act[s];
            double *y = t + s * N, *xc = X + c * N;
            for (int64_t i = 0; i < N; i++)
                xc[i] += y[i];
            double *tn = t + nn * N; /* nn <= s: slot s is no longer needed */
            if (it == 0 && free_step) {
                double en = 0.0;
                for (int64_t i = 0; i < N; i++) {
                    tn[i] = (i < k->n ? k->delta : -k->delta) * xc[i];
                    en = DQP_MAX(en, fabs(tn[i]));
                }
                /* not when x_1 may have converged already (then its true
                 * residual decides) or is not finite (reported below) */
                if (en / B->scale[c] > k->opt.tol && isfinite(en)) {
                    B->res[c] = en / B->scale[c];
                    est[c] = 1;
                    act[nn++] = c;
                    continue;
                }
            }
            double rn = residual(k, b + c * N, xc) / B->scale[c];
            if (!isfinite(rn)) {
                B->res[c] = rn;
                bad = c;
                continue;
            }
            if (it == 1 && rn > KKT_FLAT_STEP * B->res[c])
                B->stalled[c] = 1;
            if (it > 0 && rn >= B->res[c]) { /* stalled: undo the step */
                for (int64_t i = 0; i < N; i++)
                    xc[i] -= y[i];
                if (est[c]) { /* x_1's true residual, and on from there */
                    est[c] = 0;
                    k->no_free = 1;
                    B->res[c] = residual(k, b + c * N, xc) / B->scale[c];
                    B->conv[c] = converged(k, b + c * N, xc, B->res[c]);
                    if (!B->conv[c] && it < maxref) {
                        for (int64_t i = 0; i < N; i++)
                            tn[i] = k->acc[i];
                        act[nn++] = c;
                    }
                }
                continue;
            }
            /* slow: a step that does not halve an already acceptable
             * residual (cf. LAPACK xyyRFS); in least-norm mode this happens
             * when K has eigenvalues near delta (contraction rho ~ 1), where
             * it would otherwise run to maxref for little gain */
            int slow = it > 0 && !est[c] && rn > 0.5 * B->res[c] && rn <= k->opt.tol_accept;
            est[c] = 0;
            B->res[c] = rn;
            B->conv[c] = converged(k, b + c * N, xc, rn);
            if (B->conv[c] || slow || it >= maxref)
                continue;
            for (int64_t i = 0; i < N; i++)
                tn[i] = k->acc[i];
            act[nn++] = c;
        }
        na = nn;
    }
    if (bad >= 0)
        return dqp_fail(&k->err, DQP_ERR_NUMERICAL,
                        "KKT solve produced NaN/Inf for right-hand side %lld",
                        (long long)(B->first + bad));
    return DQP_OK;
}

/* w -= V t with t = V' w (returned), V: the N x cols orthonormal columns
 * (N <= INT_MAX, see krylov_refine); classical Gram-Schmidt as two BLAS-2
 * products (twice, it is as orthogonal as the modified form, Giraud et al.
 * 2005). */
static void project_out(const double *V, int64_t N, int cols, double *w, double *t) {
    const int n = (int)N, inc = 1;
    const double one = 1.0, zero = 0.0, mone = -1.0;
    dgemv_("T", &n, &cols, &one, V, &n, w, &inc, &zero, t, &inc);
    dgemv_("N", &n, &cols, &mone, V, &n, t, &inc, &one, w, &inc);
}

/* One cycle of GMRES on K d = r, right-preconditioned by S^{-1}: d = S^{-1}
 * V y with V an orthonormal basis of the Krylov space of K S^{-1} from r
 * and y minimizing ||r - K S^{-1} V y||_2. Stops at KKT_GMRES_M steps, at
 * the relative tolerance or the absolute atol (2-norm), at a breakdown, or
 * when the residual estimate is
 * flat (see KKT_GMRES_FLAT). In least-norm mode d has no component in null(K)
 * when r has none (S^{-1} maps null(K) to itself, R being +-delta on each of
 * its blocks, and K S^{-1} maps everything into range(K)), apart from the
 * rounding drift of the final solve that ln_cleanup removes. d may alias
 * nothing; r is not modified. *solves counts backend solves. */
static dqp_status gmres_cycle(dqp_kkt *k, const double *r, double atol, double *d, int *solves) {
    int64_t N = k->N;
    const int M = KKT_GMRES_M;
    double *V = k->gv, *H = k->gh; /* H: (M + 1) x M, column-major */
    double *cs = H + (M + 1) * M, *sn = cs + M, *g = sn + M, *y = g + M + 1;
    double beta = norm2(r, N);
    memset(d, 0, (size_t)N * sizeof *d);
    if (beta == 0.0)
        return DQP_OK;
    for (int64_t i = 0; i < N; i++)
        V[i] = r[i] / beta;
    g[0] = beta;
    int j = 0;
    while (j < M) {
        double *vj = V + j * N, *w = V + (j + 1) * N, *h = H + j * (M + 1);
        memcpy(d, vj, (size_t)N * sizeof *d);
        dqp_message bmsg = {{0}};
        dqp_status st = be_solve(k, d, 1, &bmsg);
        if (st != DQP_OK)
            return dqp_fail(&k->err, st, "%s", bmsg.text);
        (*solves)++;
        dqp_kkt_matvec(k, d, w);
        for (int pass = 0; pass < 2; pass++) { /* Gram-Schmidt twice: orthogonal to eps */
            project_out(V, N, j + 1, w, y);
            for (int i = 0; i <= j; i++)
                h[i] = pass ? h[i] + y[i] : y[i];
        }
        double hn = norm2(w, N);
        if (!isfinite(hn))
            return dqp_fail(&k->err, DQP_ERR_NUMERICAL, "GMRES: NaN/Inf in the Krylov basis");
        for (int i = 0; i < j; i++) { /* earlier rotations */
            double a = h[i], b = h[i + 1];
            h[i] = cs[i] * a + sn[i] * b;
            h[i + 1] = -sn[i] * a + cs[i] * b;
        }
        double den = hypot(h[j], hn);
        cs[j] = den > 0 ? h[j] / den : 1.0;
        sn[j] = den > 0 ? hn / den : 0.0;
        h[j] = den;
        g[j + 1] = -sn[j] * g[j];
        g[j] = cs[j] * g[j];
        j++;
        double est = fabs(g[j]);
        if (hn == 0.0 || den == 0.0 || est <= DQP_MAX(KKT_GMRES_RTOL * beta, atol))
            break;
        if (j > KKT_GMRES_LAG && est > KKT_GMRES_FLAT * fabs(g[j - KKT_GMRES_LAG]))
            break;
        for (int64_t q = 0; q < N; q++)
            w[q] /= hn;
    }
    /* y = H(1:j, 1:j) \ g(1:j); d = S^{-1} V y */
    for (int i = j - 1; i >= 0; i--) {
        double t = g[i];
        for (int c = i + 1; c < j; c++)
            t -= H[c * (M + 1) + i] * y[c];
        double piv = H[i * (M + 1) + i];
        y[i] = piv != 0.0 ? t / piv : 0.0;
    }
    memset(d, 0, (size_t)N * sizeof *d);
    for (int i = 0; i < j; i++)
        for (int64_t q = 0; q < N; q++)
            d[q] += y[i] * V[i * N + q];
    dqp_message bmsg = {{0}};
    dqp_status st = be_solve(k, d, 1, &bmsg);
    if (st != DQP_OK)
        return dqp_fail(&k->err, st, "%s", bmsg.text);
    (*solves)++;
    return DQP_OK;
}

/* GMRES-accelerated refinement for least-norm mode from the current X (the
 * stopping rules and B->solves as in refine). Each outer step solves
 * K d = r with one GMRES cycle (gmres_cycle) for the residual r = b - K x
 * computed in extended precision, so the outer steps are iterative
 * refinement with a much better inner solver: where the stationary
 * iteration x += S^{-1} r contracts by rho = delta / (sigma + delta) per
 * solve (15-100 solves when K has eigenvalues sigma near delta), GMRES
 * needs about as many solves as S^{-1} K has distinct eigenvalue clusters.
 * A right-hand side not in range(K) shows as a flat GMRES residual and an
 * outer step that does not decrease the true one: the caller reports it. */
static dqp_status krylov_refine(dqp_kkt *k, const double *b, double *X, rblock *B, int maxref) {
    int64_t N = k->N;
    if (N > INT_MAX) /* BLAS's 32-bit dimensions (a basis of 41 such vectors: 700 GB) */
        return dqp_fail(&k->err, DQP_ERR_DIMENSION,
                        "GMRES: N = %lld exceeds the BLAS dimension limit %d", (long long)N,
                        INT_MAX);
    if (!k->gv) {
        int64_t len;
        const int M = KKT_GMRES_M;
        k->gh = dqp_alloc((size_t)((M + 1) * M + 4 * M + 2), sizeof(double));
        k->gv = dqp_mul_size(M + 1, N, &len) ? dqp_alloc(len, sizeof(double)) : NULL;
        if (!k->gv || !k->gh) {
            dqp_free(k->gv);
            dqp_free(k->gh);
            k->gv = k->gh = NULL;
            return dqp_fail(&k->err, DQP_ERR_NOMEM, "out of memory (GMRES basis, N = %lld)",
                            (long long)N);
        }
    }
    double *r = k->wt, *d = k->wt + N;
    for (int c = 0; c < B->nb; c++) {
        const double *bc = b + c * N;
        double *xc = X + c * N;
        B->res[c] = residual(k, bc, xc) / B->scale[c];
        B->conv[c] = converged(k, bc, xc, B->res[c]);
        for (int64_t i = 0; i < N; i++)
            r[i] = k->acc[i];
        for (int step = 0; !B->conv[c] && step < DQP_MIN(maxref + 1, KKT_GMRES_CYCLES); step++) {
            int solves = 0;
            /* the outer test is tol (inf-norm, scaled); ||.||_2 >= ||.||_inf */
            double atol = 0.5 * k->opt.tol * B->scale[c];
            dqp_status st = gmres_cycle(k, r, atol, d, &solves);
            B->solves += solves;
            if (st != DQP_OK)
                return st;
            for (int64_t i = 0; i < N; i++)
                xc[i] += d[i];
            double rn = residual(k, bc, xc) / B->scale[c];
            if (!isfinite(rn))
                return dqp_fail(&k->err, DQP_ERR_NUMERICAL,
                                "KKT solve produced NaN/Inf for right-hand side %lld",
                                (long long)(B->first + c));
            if (rn >= B->res[c]) { /* stalled: undo */
                for (int64_t i = 0; i < N; i++)
                    xc[i] -= d[i];
                break;
            }
            /* a cycle that does not halve the residual: r is not in range(K)
             * (GMRES found the least-squares residual), or the rest is
             * beyond what this factorization resolves */
            int slow = rn > 0.5 * B->res[c];
            B->res[c] = rn;
            B->conv[c] = converged(k, bc, xc, rn);
            if (slow)
                break;
            for (int64_t i = 0; i < N; i++)
                r[i] = k->acc[i];
        }
    }
    return DQP_OK;
}

/* Refinement in least-norm mode: a few stationary steps, which suffice
 * when S^{-1} K is close to the identity on range(K) (one solve per step),
 * then GMRES cycles for the columns that have not converged (eigenvalues
 * of K near delta, where a stationary step gains little). probe: not for
 * a column whose first refinement step left its residual above tol_accept
 * and nearly where it was (stalled) - its residual has a part no step
 * reduces, in null(K) when r is not in range(K); GMRES
 * would only confirm that (the caller, dqp_kkt_solve_pinv, then solves
 * the column in a way that does not need r in range(K)). */
static dqp_status ln_refine(dqp_kkt *k, const double *b, double *X, rblock *B, int from_zero,
                            int maxref, int probe) {
    dqp_status st = refine(k, b, X, B, from_zero, DQP_MIN(maxref, KKT_LN_STATIONARY));
    for (int c = 0; c < B->nb && st == DQP_OK; c++)
        if (!B->conv[c] && !(probe && B->stalled[c] && B->res[c] > k->opt.tol_accept)) {
            /* one column at a time, as a block of one */
            rblock C = {1, B->first + c, {B->rnorm[c]}, {B->scale[c]}, {B->res[c]}, {0}, 0, {0}};
            st = krylov_refine(k, b + c * k->N, X + c * k->N, &C, maxref);
            B->solves += C.solves;
            B->res[c] = C.res[0];
            B->conv[c] = C.conv[0];
        }
    return st;
}

/* Least-norm clean-up. Every solve with S adds to x a component in null(K)
 * of relative size ~ eps * growth * ||S|| / delta times the size of its
 * input, which refinement never removes (S^{-1} K vanishes on null(K)); it
 * reached 1e-6 in tests. M = S^{-1} R is the identity on null(K) (there
 * S v = R v) and contracts range(K) by rho ~ delta / (sigma + delta), so
 * w = M^j x ~ P_null x + rho^j (range part): the solves that compute it
 * have inputs of size delta ||x|| and add only ~eps ||x||. Here w for one
 * column x, in the workspace's first slot (returned). */
static dqp_status ln_cleanup(dqp_kkt *k, const double *x, double **wout, int *solves) {
    int64_t N = k->N, n = k->n;
    double *w = k->wt;
    memcpy(w, x, (size_t)N * sizeof(double));
    for (int j = 0; j < KKT_LN_APPLY; j++) {
        for (int64_t i = 0; i < n; i++)
            w[i] *= k->delta;
        for (int64_t i = n; i < N; i++)
            w[i] *= -k->delta;
        dqp_message bmsg = {{0}};
        dqp_status st = be_solve(k, w, 1, &bmsg);
        if (st != DQP_OK)
            return dqp_fail(&k->err, st, "%s", bmsg.text);
        (*solves)++;
    }
    *wout = w;
    return DQP_OK;
}

/* Least-norm clean-up of column c of a refined block (one column at a time:
 * the workspace's last two slots hold a copy of x and the previous w).
 * A pass removes w = M^j x (ln_cleanup) and refines again. The w of one
 * pass is itself computed with solves whose pivots may have grown ~1/delta:
 * it can miss a share of the drift (1e-3 on QSCAGR7's K_J, where the first
 * pass left a null part of 2.5e-7 |x|), so only the next pass's w tells
 * whether the drift is gone. Passes stop when
 *  - w is negligible (x has no drift left);
 *  - w has not shrunk below KKT_LN_SHRINK of the previous pass's: then w
 *    is not drift but the part of x on eigenvalues of K near or below
 *    delta (rho ~ 1 there), which refinement puts back every time; x is
 *    left as it is;
 *  - the refinement put back more than half of w (KKT_LN_BACK): w was then
 *    mostly that part, and what a further pass finds differs from it by the
 *    refinement's own uncertainty in those components (~ tol ||r|| / sigma),
 *    not by drift (on the Maros-Meszaros KKT systems such passes changed x
 *    by less than the distance to the dense pseudo-inverse solution).
 * A later pass whose w is larger than the previous pass's marks the
 * solve unsettled (dqp_kkt_solve_settled then fails): the clean-up does not
 * contract, so the first pass's w need not have been drift either. On
 * QADLITTL's K_J with the polish's factorization (regularized for a
 * regular K, kept for least-norm mode) the passes found 27 |x| and then
 * 1e3 times more; the first was subtracted, and the duals ended 27 |K^+ r|
 * from the least-norm ones while the solve passed as settled.
 * If the clean-up leaves an unconverged residual more than KKT_LN_WORSE
 * times the one before, x is restored. Not for a merely equal one: at the
 * floor of a right-hand side with a tiny part outside range(K) (the second
 * stage of dqp_kkt_solve_pinv) the residual moves in its last digits either
 * way, and restoring then put back a drift of 1e-2 |x| (QSCSD1). */
static dqp_status ln_column(dqp_kkt *k, double *X, rblock *B, int c, int maxref, int passes) {
    int64_t N = k->N;
    double *xc = X + c * N, *keep = k->wt + (KKT_BLOCK - 1) * N;
    double *prev = k->wt + (KKT_BLOCK - 2) * N, *xsub = k->wt + (KKT_BLOCK - 3) * N;
    const double *bc = k->wb + c * N;
    rblock C = {1, B->first + c, {B->rnorm[c]}, {B->scale[c]}, {B->res[c]}, {B->conv[c]}, 0, {0}};
    memcpy(keep, xc, (size_t)N * sizeof(double));
    dqp_status st = DQP_OK;
    double wprev = 0.0;
    int pass, diverged = 0;
    for (pass = 0; pass < passes; pass++) {
        double *w = NULL;
        if ((st = ln_cleanup(k, xc, &w, &C.solves)) != DQP_OK)
            break;
        double xn = norm_inf(xc, N), wn = norm_inf(w, N);
        if (wn <= k->opt.tol * xn || (pass > 0 && wn > KKT_LN_SHRINK * wprev)) {
            if (pass > 0 && wn > wprev)
                diverged = 1;
            if (wn > k->opt.tol * xn)
                k->ln_slow = DQP_MAX(k->ln_slow, wn / xn);
            break;
        }
        wprev = wn;
        memcpy(prev, w, (size_t)N * sizeof(double));
        for (int64_t i = 0; i < N; i++) {
            xc[i] -= w[i];
            xsub[i] = xc[i];
        }
        if ((st = ln_refine(k, bc, xc, &C, 0, maxref, 0)) != DQP_OK)
            break;
        /* the share of w the refinement did not put back */
        double gone = 0.0;
        for (int64_t i = 0; i < N; i++)
            gone = fmax(gone, fabs(prev[i] - (xc[i] - xsub[i])));
        if (gone <= KKT_LN_BACK * wn)
            break;
    }
    B->solves += C.solves;
    if (st != DQP_OK)
        return st;
    if (pass == passes || diverged)
        k->unsettled = 1;
    if (!C.conv[0] && C.res[0] > KKT_LN_WORSE * B->res[c]) {
        memcpy(xc, keep, (size_t)N * sizeof(double));
        return DQP_OK;
    }
    B->res[c] = C.res[0];
    B->conv[c] = C.conv[0];
    return DQP_OK;
}

/* Final verdict on a block: converged, accepted (stalled below tol_accept) or
 * failed (see dqp_kkt_solve). record: account steps and residual in info. */
static dqp_status judge(dqp_kkt *k, const rblock *B, int record) {
    if (record)
        k->refine_steps = DQP_MAX(k->refine_steps, B->solves - 1);
    for (int c = 0; c < B->nb; c++) {
        if (record)
            k->residual = DQP_MAX(k->residual, B->res[c]);
        if (B->conv[c] || B->res[c] <= k->opt.tol_accept)
            continue;
        if (k->least_norm)
            return dqp_fail(&k->err, DQP_ERR_SINGULAR,
                            "K x = r has no solution for right-hand side %lld: r is not in the "
                            "range of the singular K (relative residual stalls at %.3g > "
                            "tol_accept %.3g)",
                            (long long)(B->first + c), B->res[c], k->opt.tol_accept);
        return dqp_fail(&k->err, DQP_ERR_NUMERICAL,
                        "iterative refinement did not converge for right-hand side %lld: relative "
                        "residual %.3g > tol_accept %.3g (K singular or too ill-conditioned)",
                        (long long)(B->first + c), B->res[c], k->opt.tol_accept);
    }
    return DQP_OK;
}

static dqp_status solve_block(dqp_kkt *k, double *X, rblock *B, int probe, int passes) {
    int64_t N = k->N;
    int maxref = k->least_norm ? k->opt.max_refine_least_norm : k->opt.max_refine;
    for (int c = 0; c < B->nb; c++) {
        memcpy(k->wb + c * N, X + c * N, (size_t)N * sizeof(double));
        B->rnorm[c] = norm_inf(X + c * N, N);
        B->scale[c] = DQP_MAX(1.0, B->rnorm[c]);
    }
    int ln = k->least_norm && k->delta > 0;
    dqp_status st =
        ln ? ln_refine(k, k->wb, X, B, 1, maxref, probe) : refine(k, k->wb, X, B, 1, maxref);
    if (st != DQP_OK)
        return st;
    if (ln) {
        /* an inconsistent system is reported as such, without clean-up */
        if ((st = judge(k, B, 0)) != DQP_OK)
            return st;
        for (int c = 0; c < B->nb; c++)
            if (B->rnorm[c] > 0 && (st = ln_column(k, X, B, c, maxref, passes)) != DQP_OK)
                return st;
    }
    return judge(k, B, 1);
}

static dqp_status solve_all(dqp_kkt *k, double *x, int64_t nrhs, int probe, int passes);

dqp_status dqp_kkt_solve(dqp_kkt *k, double *x, int64_t nrhs) {
    return solve_all(k, x, nrhs, 0, KKT_LN_PASSES);
}

dqp_status dqp_kkt_solve_settled(dqp_kkt *k, double *x, int64_t nrhs) {
    /* one clean-up pass and the check that it left no drift (the second
     * pass's w): on the kept factorizations of the Maros-Meszaros K_J that
     * settled, the first pass did; where it did not (QADLITTL: the drift
     * found 27 times the solution, then 1e3 times), further passes only
     * grew it. A second w that is larger than the first counts as
     * unsettled (ln_column), not as the slow part of range(K). So does a
     * second w that did not shrink but exceeds tol_accept |x|: on a kept
     * factorization (regularized 100 times less than least-norm mode) it
     * can be drift that contracts slowly (LISWET1, see KKT_LN_SHRINK: the
     * duals ended 2.2e-6 from the exact ones, 1.5e-8 after refactoring). */
    dqp_status st = solve_all(k, x, nrhs, k && k->least_norm, 2);
    if (st == DQP_OK && k->unsettled)
        return dqp_fail(&k->err, DQP_ERR_NUMERICAL,
                        "least-norm clean-up did not settle in one pass");
    if (st == DQP_OK && k->ln_slow > k->opt.tol_accept)
        return dqp_fail(&k->err, DQP_ERR_NUMERICAL,
                        "least-norm clean-up left %.3g of |x| that it contracts slowly "
                        "(> tol_accept %.3g)",
                        k->ln_slow, k->opt.tol_accept);
    return st;
}

/* dqp_kkt_solve; probe: see ln_refine; passes: clean-up passes at most
 * (ln_column). */
static dqp_status solve_all(dqp_kkt *k, double *x, int64_t nrhs, int probe, int passes) {
    if (!k)
        return DQP_ERR_NULL;
    if (nrhs < 0)
        return dqp_fail(&k->err, DQP_ERR_DIMENSION, "dqp_kkt_solve: nrhs = %lld < 0",
                        (long long)nrhs);
    if (k->state == KKT_LOADED)
        return dqp_fail(&k->err, DQP_ERR_NOT_READY,
                        "dqp_kkt_solve: K is not factored (call dqp_kkt_factor after create, "
                        "update or a mode change)");
    if (k->state == KKT_SINGULAR)
        return dqp_fail(&k->err, DQP_ERR_SINGULAR,
                        "dqp_kkt_solve: K is numerically singular (see dqp_kkt_factor); use "
                        "least-norm mode");
    k->refine_steps = 0;
    k->residual = 0.0;
    k->unsettled = 0;
    k->ln_slow = 0.0;
    if (nrhs == 0 || k->N == 0)
        return DQP_OK;
    if (!x)
        return dqp_fail(&k->err, DQP_ERR_NULL, "dqp_kkt_solve: x is NULL");
    int64_t N = k->N;
    for (int64_t c = 0; c < nrhs; c++)
        for (int64_t i = 0; i < N; i++)
            if (!isfinite(x[c * N + i]))
                return dqp_fail(&k->err, DQP_ERR_NONFINITE,
                                "right-hand side %lld: entry %lld is %g (not finite)", (long long)c,
                                (long long)i, x[c * N + i]);
    for (int64_t c0 = 0; c0 < nrhs; c0 += KKT_BLOCK) {
        rblock B = {(int)DQP_MIN((int64_t)KKT_BLOCK, nrhs - c0), c0, {0}, {0}, {0}, {0}, 0, {0}};
        dqp_status st = solve_block(k, x + c0 * N, &B, probe, passes);
        if (st != DQP_OK)
            return st;
    }
    return DQP_OK;
}

/* Least-squares solves (dqp_kkt_solve_pinv, pinv_calibrate). PINV_PROJ_MAX:
 * applications of M per product at most; PINV_PROJ_TOL: the change of an
 * application, relative to the calibration vector, below which M^t has
 * converged; PINV_DISTORT: a change that stops contracting above this
 * share means the backend's solves distort null(K), unless refining them
 * does not lower it below PINV_UNDISTORTED of itself. */
#define PINV_PROJ_MAX 12
#define PINV_PROJ_TOL 1e-12
#define PINV_DISTORT 1e-9
#define PINV_UNDISTORTED 0.1

/* v <- S^{-1} v, with k->pinv_refine refined once against S = K + R (its
 * residual in extended precision for the K part). Workspace slots 5 and 6. */
static dqp_status solve_S(dqp_kkt *k, double *v) {
    int64_t N = k->N;
    double *b = k->wt + 5 * N, *t = k->wt + 6 * N;
    memcpy(b, v, (size_t)N * sizeof *b);
    dqp_message bmsg = {{0}};
    dqp_status st = be_solve(k, v, 1, &bmsg);
    if (st == DQP_OK && k->pinv_refine) {
        residual(k, b, v);
        for (int64_t i = 0; i < N; i++)
            t[i] = k->acc[i] - (i < k->n ? k->delta : -k->delta) * v[i];
        if ((st = be_solve(k, t, 1, &bmsg)) == DQP_OK)
            for (int64_t i = 0; i < N; i++)
                v[i] += t[i];
    }
    return st == DQP_OK ? DQP_OK : dqp_fail(&k->err, st, "%s", bmsg.text);
}

/* v <- M v = S^{-1} R v (transpose = 0) or v <- M' v = R S^{-1} v. */
static dqp_status apply_M(dqp_kkt *k, double *v, int transpose) {
    int64_t N = k->N;
    if (!transpose)
        for (int64_t i = 0; i < N; i++)
            v[i] *= i < k->n ? k->delta : -k->delta;
    dqp_status st = solve_S(k, v);
    if (st == DQP_OK && transpose)
        for (int64_t i = 0; i < N; i++)
            v[i] *= i < k->n ? k->delta : -k->delta;
    return st;
}

/* w <- M^t w until the change of an application is below abs_tol, or after
 * tmax applications; a change that stops contracting (not below half the
 * previous one) ends it too and is returned in *stall (else 0). *apps: the
 * applications made; *converged: the change fell below abs_tol. w and wn:
 * two workspace slots; the result ends in *w (the pointers swap). */
static dqp_status power_M(dqp_kkt *k, double **w, double **wn, int tmax, double abs_tol,
                          int *apps, int *converged, double *stall) {
    int64_t N = k->N;
    double prev = INFINITY;
    *converged = 0;
    *stall = 0.0;
    for (*apps = 1; *apps <= tmax; (*apps)++) {
        memcpy(*wn, *w, (size_t)N * sizeof **w);
        dqp_status st = apply_M(k, *wn, 0);
        if (st != DQP_OK)
            return st;
        double diff = 0.0;
        for (int64_t i = 0; i < N; i++)
            diff = DQP_MAX(diff, fabs((*wn)[i] - (*w)[i]));
        double *tmp = *w;
        *w = *wn;
        *wn = tmp;
        if (diff <= abs_tol) {
            *converged = 1;
            return DQP_OK;
        }
        if (diff > 0.5 * prev) {
            *stall = diff;
            return DQP_OK;
        }
        prev = diff;
    }
    *apps = tmax;
    return DQP_OK;
}

/* The number t of applications of M that the least-squares solves of this
 * factorization make (k->pinv_t), from M's contraction on a fixed pseudo-
 * random vector: the applications until their change falls below
 * PINV_PROJ_TOL of it or stops contracting, one more, at most
 * PINV_PROJ_MAX. Where the change stops contracting above PINV_DISTORT of
 * the vector, the backend's solves may distort null(K) (pivot growth: the
 * computed M is the identity on null(K) only to ~1e-3 on QSCTAP1's K_J),
 * and the calibration is repeated with every solve with S refined once
 * (k->pinv_refine). That stays on if it lowered the floor more than
 * tenfold (QSCTAP1: 3.8e-4 to 1.4e-6); otherwise the floor was slow
 * contraction (singular values near delta: QISRAEL, QFFFFF80), which
 * refinement does not change, and the unrefined count is kept. Both are
 * kept for the factorization, so that every right-hand side sees the same
 * operator. */
static dqp_status pinv_calibrate(dqp_kkt *k) {
    int64_t N = k->N;
    double *w = k->wt + N, *wn = k->wt + 2 * N;
    double stall0 = 0.0;
    int t0 = 0;
    for (int attempt = 0; attempt < 2; attempt++) {
        dqp_fill_uniform(w, N, KKT_SEED);
        double rn = norm_inf(w, N), stall;
        int apps, conv;
        dqp_status st = power_M(k, &w, &wn, PINV_PROJ_MAX, PINV_PROJ_TOL * rn, &apps, &conv, &stall);
        if (st != DQP_OK)
            return st;
        k->pinv_t = conv || stall > 0.0 ? DQP_MIN(apps + 1, PINV_PROJ_MAX) : PINV_PROJ_MAX;
        if (attempt == 1 && stall > PINV_UNDISTORTED * stall0) {
            /* refining did not lower the floor: slow contraction (singular
             * values near delta), not distortion */
            k->pinv_refine = 0;
            k->pinv_t = t0;
            break;
        }
        if (k->pinv_refine || stall <= PINV_DISTORT * rn)
            break;
        k->pinv_refine = 1;
        stall0 = stall;
        t0 = k->pinv_t;
    }
    return DQP_OK;
}

/* x = K^+ r for one column r outside range(K), with t = k->pinv_t applications
 * of M per product below, in three parts:
 *  1. r_R = r - M'^t r: M' = R S^{-1} is the identity on null(K) and
 *     contracts range(K) by rho ~ delta / (sigma + delta) (null(K) and
 *     range(K) split into primal and dual blocks, which R = diag(delta I,
 *     -delta I) preserves, so the limit is the orthogonal projection on
 *     range(K)). The error left in each range component is its own share
 *     rho^t, relative to that component (K^+ divides it by sigma after).
 *  2. t steps of refinement toward K x = r_R from x = 0, the residual in
 *     extended precision, each correction d taken as d - M d: r_R keeps a
 *     part in null(K) at the projection's floor, and S^{-1} of it is that
 *     part divided by delta, which M d takes back out (M is the identity
 *     on null(K)); uncleaned, it became a drift of 1e-2 |x| on QSCTAP1's
 *     K_J (whose computed M is the identity on null(K) to ~1e-6 only, even
 *     refined). S^{-1} K = I - M makes the step x <- (2M - M^2) x + (I - M)
 *     S^{-1} r_R: the error left is ~ (2 rho)^t of each component of x.
 *  3. x -= M^t x: what the cleaned corrections left in null(K); twice
 *     when the solves are refined (distortion: on QSCTAP1's K_J one pass
 *     left 4.5e-9 |x|, two 1.6e-12; without it a second pass changed
 *     nothing on QE226's and lost symmetry on the ambiguous QGFRDXPN's).
 * With fixed counts the result is a fixed linear operator of r, and a
 * symmetric one like K^+: every part is a polynomial in M times S^{-1}
 * (M^i S^{-1} = S^{-1} (R S^{-1})^i is symmetric, and S^{-1} (I - M'^t) =
 * (I - M^t) S^{-1} moves part 1 to the left). So a VJP and a JVP that both
 * take this path are adjoint to the rounding of the solves, also where
 * K_J's numerical rank is ambiguous (singular values near or below delta,
 * where K^+ itself is not well defined and counts that adapted to each
 * right-hand side made them disagree by up to 0.4 on the Maros-Meszaros
 * set). Workspace slots 0-6. */
static dqp_status pinv_column(dqp_kkt *k, double *x, const double *r) {
    int64_t N = k->N;
    double *rr = k->wt, *w = k->wt + N, *d = k->wt + 3 * N, *c = k->wt + 4 * N;
    dqp_status st;
    if (!k->pinv_t && (st = pinv_calibrate(k)) != DQP_OK)
        return st;
    int t = k->pinv_t;
    memcpy(w, r, (size_t)N * sizeof *w);
    for (int j = 0; j < t; j++)
        if ((st = apply_M(k, w, 1)) != DQP_OK)
            return st;
    for (int64_t i = 0; i < N; i++) {
        rr[i] = r[i] - w[i];
        x[i] = 0.0;
    }
    for (int it = 0; it < t; it++) {
        residual(k, rr, x);
        memcpy(d, k->acc, (size_t)N * sizeof *d);
        if ((st = solve_S(k, d)) != DQP_OK)
            return st;
        memcpy(c, d, (size_t)N * sizeof *c);
        if ((st = apply_M(k, c, 0)) != DQP_OK)
            return st;
        for (int64_t i = 0; i < N; i++)
            x[i] += d[i] - c[i];
    }
    for (int pass = 0; pass <= k->pinv_refine; pass++) {
        memcpy(w, x, (size_t)N * sizeof *w);
        for (int j = 0; j < t; j++)
            if ((st = apply_M(k, w, 0)) != DQP_OK)
                return st;
        for (int64_t i = 0; i < N; i++)
            x[i] -= w[i];
    }
    if (!isfinite(norm_inf(x, N)))
        return dqp_fail(&k->err, DQP_ERR_NUMERICAL, "least-squares solve produced NaN/Inf");
    return DQP_OK;
}

dqp_status dqp_kkt_solve_pinv(dqp_kkt *k, double *x, int64_t nrhs, int *lstsq) {
    if (lstsq)
        *lstsq = 0;
    if (!k || !lstsq)
        return DQP_ERR_NULL;
    if (!k->least_norm || k->state != KKT_FACTORED || nrhs <= 0 || k->N == 0 || !x)
        return dqp_kkt_solve(k, x, nrhs);
    int64_t N = k->N, len;
    double *saved = dqp_mul_size(N, nrhs, &len) ? dqp_alloc(len, sizeof *saved) : NULL;
    if (!saved)
        return dqp_fail(&k->err, DQP_ERR_NOMEM, "out of memory (copy of %lld right-hand sides)",
                        (long long)nrhs);
    memcpy(saved, x, (size_t)len * sizeof *saved);
    /* a column whose refinement stalls is not solved to the end (probe) */
    dqp_status st = solve_all(k, x, nrhs, 1, KKT_LN_PASSES);
    if (st == DQP_ERR_SINGULAR) {
        st = DQP_OK;
        for (int64_t c = 0; c < nrhs && st == DQP_OK; c++) {
            double *xc = x + c * N, *rc = saved + c * N;
            st = pinv_column(k, xc, rc);
            for (int64_t i = 0; i < N && st == DQP_OK; i++)
                if (!isfinite(xc[i]))
                    st = dqp_fail(&k->err, DQP_ERR_NUMERICAL,
                                  "least-squares solve produced NaN/Inf for right-hand side %lld",
                                  (long long)c);
            /* least squares for real when r - K x is not negligible (a
             * stall can also be slow convergence on a consistent r) */
            double scale = DQP_MAX(1.0, norm_inf(rc, N));
            if (st == DQP_OK && residual(k, rc, xc) > k->opt.tol_accept * scale)
                *lstsq = 1;
        }
    }
    dqp_free(saved);
    return st;
}

const int64_t *dqp_kkt_order(const dqp_kkt *k) {
    return k && k->self && k->be->order ? k->be->order(k->self) : NULL;
}

void dqp_kkt_get_info(const dqp_kkt *k, dqp_kkt_info *info) {
    if (!k || !info)
        return;
    info->n = k->n;
    info->m = k->m;
    info->N = k->N;
    info->npos = k->npos;
    info->nneg = k->nneg;
    info->nsmall = k->nsmall;
    info->refine_steps = k->refine_steps;
    info->solves = k->solves;
    info->unsettled = k->unsettled;
    info->residual = k->residual;
    info->delta = k->delta;
    info->backend = k->be->name;
    info->least_norm = k->least_norm;
    info->singular_test = k->singular_test;
    info->symbolic_shared = k->symbolic_shared;
    info->null_primal = k->null_primal;
    info->null_dual = k->null_dual;
}

const char *dqp_kkt_last_error(const dqp_kkt *k) { return k ? k->err.text : "KKT object is NULL"; }

int64_t dqp_kkt_solves(const dqp_kkt *k) { return k ? k->solves : 0; }
