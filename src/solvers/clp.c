/* clp.c - adapter for Clp (COIN-OR simplex) through its C interface: linear programs only.
 *
 * Mapping. Clp solves  min c'x  s.t.  rowlb <= M x <= rowub,  collb <= x <=
 * colub, with row duals y ("row price") and reduced costs rc satisfying
 * c - M'y - rc = 0 (Clp's convention for minimization). We pass x free, M =
 * [A; C], rowlb = [b; -inf], rowub = [b; d] and c = q. With free columns rc =
 * 0, so q + M'(-y) = 0: lambda = -y(rows of A), mu = -y(rows of C) >= 0
 * (signs pinned by tests/solvers/test_conformance.c). A problem is an LP when
 * P is absent or all its stored entries are zero.
 *
 * Quadratic objectives are refused (setup and update return
 * DQP_ERR_UNSUPPORTED). Clp 1.17.6 has Clp_loadQuadraticObjective and solves
 * QPs with its nonlinear primal code (ClpSimplexNonlinear), but on the
 * conformance suite's random strictly convex QPs with free variables it
 * (a) loops forever, ignoring both the iteration and the time limit, (b)
 * returns "optimal" (secondary status "unscaled problem has
 * infeasibilities") for points whose stationarity residual is 1e1 to 1e37,
 * and (c) calls abort() inside libClp with scaling off or with the barrier
 * (ClpPredictorCorrector). The Maros-Meszaros QPs with bounded variables
 * happened to work, but an adapter must not hang or kill its host, so the
 * quadratic path is not offered.
 *
 * Settings: eps_abs -> Clp's primal and dual tolerances (clamped to [1e-10,
 * 1e-7]: Clp's default 1e-7 is the upper end); max_iter -> maximum simplex
 * iterations (0: Clp's default); time_limit -> Clp_setMaximumSeconds (Clp
 * measures CPU seconds). Output is silenced with log level 0. A new Clp model
 * is built at every solve, so results do not depend on earlier solves.
 *
 * Keywords (qp_solver_keywords), a documented subset of Clp's parameters:
 *   algorithm=auto|primal|dual   Clp_initialSolve (auto: Clp chooses, the
 *                                default), primal or dual simplex
 *   presolve=on|off              presolve with algorithm=auto (default on)
 *   primal_tolerance=<x>, dual_tolerance=<x>   in (0, 1e-2]: override the
 *                                mapping from eps_abs
 *   scaling=off|equilibrium|geometric|auto|dynamic   (Clp's default: auto)
 *   perturbation=<k>             Clp's perturbation switch, 50..102
 *
 * What this adapter does not provide:
 *   - quadratic objectives (see above): DQP_ERR_UNSUPPORTED, explicitly;
 *   - warm start (no DQP_CAP_WARM, no warm_start entry): each solve is cold;
 *   - infeasibility / unboundedness certificates (Clp_infeasibilityRay and
 *     Clp_unboundedRay are not exposed): statuses are the simplex verdicts;
 *   - exact duals at degenerate vertices beyond what the basis gives: a
 *     degenerate LP has many dual solutions and Clp returns one of them;
 *   - wall-clock time limits (Clp's limit is in CPU seconds);
 *   - 64-bit sizes: Clp indexes with int (larger problems are refused).
 */
#include "solvers/clp.h"

#ifdef DQP_HAVE_CLP

#include "solvers/admm.h"

/* Clp's C header declares ClpSolve_new() without (void). */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wstrict-prototypes"
#include <Clp_C_Interface.h>
#pragma GCC diagnostic pop
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { CLP_AUTO = 0, CLP_PRIMAL = 1, CLP_DUAL = 2 };

typedef struct clp_opts {
    int algorithm, presolve, scaling, perturbation;
    double primal_tol, dual_tol; /* 0 = from eps_abs */
} clp_opts;

typedef struct clpw {
    int64_t n, me, mi, m;
    clp_opts o;
    double eps_abs, time_limit;
    int64_t max_iter;
    CoinBigIndex *Mp; /* column starts of M = [A; C] */
    int *Mi;
    double *Mx;
    double *q, *rl, *ru, *cl, *cu;
} clpw;

/* ------------------------------------------------------------ keywords */

static const char clp_keys[] =
    "algorithm, presolve, primal_tolerance, dual_tolerance, scaling, perturbation";

static int pick(const char *val, const char *const *names, int count) {
    for (int k = 0; k < count; k++)
        if (strcmp(val, names[k]) == 0)
            return k;
    return -1;
}

static dqp_status parse_keywords(clp_opts *o, const dqp_settings *s, dqp_message *msg) {
    static const char *const algos[] = {"auto", "primal", "dual"};
    static const char *const onoff[] = {"off", "on"};
    static const char *const scalings[] = {"off", "equilibrium", "geometric", "auto", "dynamic"};
    char key[DQP_KEYWORDS_LEN], val[DQP_KEYWORDS_LEN];
    for (int i = 0; dqp_settings_keyword(s, i, key, sizeof key, val, sizeof val) == DQP_OK; i++) {
        int k;
        char *end;
        if (strcmp(key, "algorithm") == 0) {
            if ((k = pick(val, algos, 3)) < 0)
                return dqp_fail(msg, DQP_ERR_VALUE,
                                "clp: keyword algorithm=%s: expected auto, primal or dual", val);
            o->algorithm = k;
        } else if (strcmp(key, "presolve") == 0) {
            if ((k = pick(val, onoff, 2)) < 0)
                return dqp_fail(msg, DQP_ERR_VALUE, "clp: keyword presolve=%s: expected on or off",
                                val);
            o->presolve = k;
        } else if (strcmp(key, "scaling") == 0) {
            if ((k = pick(val, scalings, 5)) < 0)
                return dqp_fail(msg, DQP_ERR_VALUE,
                                "clp: keyword scaling=%s: expected off, equilibrium, geometric, "
                                "auto or dynamic",
                                val);
            o->scaling = k;
        } else if (strcmp(key, "primal_tolerance") == 0 || strcmp(key, "dual_tolerance") == 0) {
            double v = strtod(val, &end);
            if (end == val || *end != '\0' || !(v > 0.0) || !(v <= 1e-2))
                return dqp_fail(msg, DQP_ERR_VALUE,
                                "clp: keyword %s=%s: expected a number in "
                                "(0, 1e-2]",
                                key, val);
            *(key[0] == 'p' ? &o->primal_tol : &o->dual_tol) = v;
        } else if (strcmp(key, "perturbation") == 0) {
            long v = strtol(val, &end, 10);
            if (end == val || *end != '\0' || v < 50 || v > 102)
                return dqp_fail(msg, DQP_ERR_VALUE,
                                "clp: keyword perturbation=%s: expected an integer in [50, 102]",
                                val);
            o->perturbation = (int)v;
        } else {
            return dqp_fail(msg, DQP_ERR_VALUE, "clp: unknown keyword \"%s\" (valid keys: %s)", key,
                            clp_keys);
        }
    }
    return DQP_OK;
}

/* ------------------------------------------------------------ setup */

static void clp_destroy(void *self) {
    clpw *w = self;
    if (!w)
        return;
    void *a[] = {w->Mp, w->Mi, w->Mx, w->q, w->rl, w->ru, w->cl, w->cu};
    for (size_t k = 0; k < sizeof a / sizeof a[0]; k++)
        dqp_free(a[k]);
    dqp_free(w);
}

/* int copies of a CSC (sizes checked by the caller). */
static int copy_csc(const dqp_csc *S, CoinBigIndex **p, int **i, double **x) {
    int64_t nnz = dqp_csc_nnz(S);
    dqp_free(*p);
    dqp_free(*i);
    dqp_free(*x);
    *p = dqp_alloc(S->n + 1, sizeof(CoinBigIndex));
    *i = dqp_alloc(nnz, sizeof(int));
    *x = dqp_alloc(nnz, sizeof(double));
    if (!*p || !*i || !*x)
        return 0;
    for (int64_t j = 0; j <= S->n; j++)
        (*p)[j] = (CoinBigIndex)S->p[j];
    for (int64_t k = 0; k < nnz; k++) {
        (*i)[k] = (int)S->i[k];
        (*x)[k] = S->x[k];
    }
    return 1;
}

/* Is P absent or zero? */
static int is_lp(const dqp_problem *prob) {
    int64_t n = prob->n, len = prob->P ? dqp_csc_nnz(prob->P) : (prob->Pd ? n * n : 0);
    const double *x = prob->P ? prob->P->x : prob->Pd;
    for (int64_t k = 0; k < len; k++)
        if (x[k] != 0.0)
            return 0;
    return 1;
}

/* Load matrices and vectors of prob (sizes already known to fit in int). */
static dqp_status load(clpw *w, const dqp_problem *prob, dqp_message *msg) {
    if (!is_lp(prob))
        return dqp_fail(msg, DQP_ERR_UNSUPPORTED,
                        "clp: quadratic objectives are not supported (Clp 1.17's QP code can "
                        "hang, return wrong optima or abort; see clp.c); P must be absent or zero");
    dqp_csc *M = dqp_admm_stack_rows(prob);
    dqp_status st = DQP_OK;
    if (!M)
        st = dqp_fail(msg, DQP_ERR_NOMEM, "clp: out of memory");
    else if (dqp_csc_nnz(M) >= INT_MAX)
        st = dqp_fail(msg, DQP_ERR_DIMENSION, "clp: too many entries for Clp's int indices");
    else if (!copy_csc(M, &w->Mp, &w->Mi, &w->Mx))
        st = dqp_fail(msg, DQP_ERR_NOMEM, "clp: out of memory");
    if (st == DQP_OK) {
        memcpy(w->q, prob->q, (size_t)w->n * sizeof(double));
        for (int64_t i = 0; i < w->me; i++)
            w->rl[i] = w->ru[i] = prob->b[i];
        for (int64_t i = 0; i < w->mi; i++) {
            w->rl[w->me + i] = -DBL_MAX; /* Clp's infinity is COIN_DBL_MAX = DBL_MAX */
            w->ru[w->me + i] = prob->d[i];
        }
    }
    dqp_csc_free(M);
    return st;
}

static dqp_status clp_setup(void **self, const dqp_problem *prob, const dqp_settings *s,
                            dqp_message *msg) {
    if (!self || !prob || !s)
        return dqp_fail(msg, DQP_ERR_NULL, "clp: NULL argument to setup");
    *self = NULL;
    if (prob->n >= INT_MAX || prob->m_eq + prob->m_ineq >= INT_MAX)
        return dqp_fail(msg, DQP_ERR_DIMENSION, "clp: problem too large for Clp's int indices");
    clpw *w = dqp_calloc(1, sizeof *w);
    if (!w)
        return dqp_fail(msg, DQP_ERR_NOMEM, "clp: out of memory");
    w->n = prob->n;
    w->me = prob->m_eq;
    w->mi = prob->m_ineq;
    w->m = w->me + w->mi;
    w->eps_abs = s->eps_abs;
    w->time_limit = s->time_limit;
    w->max_iter = s->max_iter;
    w->o.algorithm = CLP_AUTO;
    w->o.presolve = 1;
    w->o.scaling = 3;
    dqp_status st = parse_keywords(&w->o, s, msg);
    if (st != DQP_OK) {
        clp_destroy(w);
        return st;
    }
    int64_t n1 = DQP_MAX(w->n, 1), m1 = DQP_MAX(w->m, 1);
    w->q = dqp_calloc(n1, sizeof(double));
    w->cl = dqp_alloc(n1, sizeof(double));
    w->cu = dqp_alloc(n1, sizeof(double));
    w->rl = dqp_alloc(m1, sizeof(double));
    w->ru = dqp_alloc(m1, sizeof(double));
    if (!w->q || !w->cl || !w->cu || !w->rl || !w->ru) {
        clp_destroy(w);
        return dqp_fail(msg, DQP_ERR_NOMEM, "clp: out of memory");
    }
    for (int64_t j = 0; j < w->n; j++) {
        w->cl[j] = -DBL_MAX; /* free columns */
        w->cu[j] = DBL_MAX;
    }
    if ((st = load(w, prob, msg)) != DQP_OK) {
        clp_destroy(w);
        return st;
    }
    *self = w;
    return DQP_OK;
}

static dqp_status clp_update(void *self, const dqp_problem *prob, dqp_message *msg) {
    clpw *w = self;
    if (!w || !prob)
        return dqp_fail(msg, DQP_ERR_NULL, "clp: NULL argument to update");
    if (prob->n != w->n || prob->m_eq != w->me || prob->m_ineq != w->mi)
        return dqp_fail(msg, DQP_ERR_DIMENSION, "clp: update with different sizes");
    return load(w, prob, msg); /* the model is rebuilt at each solve */
}

/* ------------------------------------------------------------ solve */

static dqp_qp_status map_status(Clp_Simplex *model, int64_t max_iter) {
    int st = Clp_status(model), sec = Clp_secondaryStatus(model);
    switch (st) {
    case 0:
        return sec >= 2 && sec <= 4 ? DQP_QP_SOLVED_INACCURATE : DQP_QP_SOLVED;
    case 1:
        return DQP_QP_PRIMAL_INFEASIBLE;
    case 2:
        return DQP_QP_DUAL_INFEASIBLE;
    case 3:
        if (sec == 9)
            return DQP_QP_TIME_LIMIT;
        return (max_iter > 0 && Clp_numberIterations(model) >= max_iter) ? DQP_QP_MAX_ITER
                                                                         : DQP_QP_TIME_LIMIT;
    default:
        return DQP_QP_NUMERICAL_ERROR;
    }
}

static void run(clpw *w, Clp_Simplex *model) {
    if (w->o.algorithm == CLP_PRIMAL) {
        Clp_primal(model, 0);
    } else if (w->o.algorithm == CLP_DUAL) {
        Clp_dual(model, 0);
    } else if (!w->o.presolve) {
        Clp_Solve *opts = ClpSolve_new();
        ClpSolve_setPresolveType(opts, 1, -1); /* 1 = presolve off */
        Clp_initialSolveWithOptions(model, opts);
        ClpSolve_delete(opts);
    } else {
        Clp_initialSolve(model);
    }
}

static dqp_status clp_solve(void *self, dqp_qp_output *out, dqp_message *msg) {
    clpw *w = self;
    if (!w || !out)
        return dqp_fail(msg, DQP_ERR_NULL, "clp: NULL argument to solve");
    Clp_Simplex *model = Clp_newModel();
    if (!model)
        return dqp_fail(msg, DQP_ERR_NOMEM, "clp: Clp_newModel failed");
    Clp_setLogLevel(model, 0);
    Clp_loadProblem(model, (int)w->n, (int)w->m, w->Mp, w->Mi, w->Mx, w->cl, w->cu, w->q, w->rl,
                    w->ru);
    double tol = fmin(1e-7, fmax(w->eps_abs, 1e-10));
    Clp_setPrimalTolerance(model, w->o.primal_tol > 0 ? w->o.primal_tol : tol);
    Clp_setDualTolerance(model, w->o.dual_tol > 0 ? w->o.dual_tol : tol);
    Clp_scaling(model, w->o.scaling);
    if (w->o.perturbation)
        Clp_setPerturbation(model, w->o.perturbation);
    if (w->max_iter > 0)
        Clp_setMaximumIterations(model, (int)DQP_MIN(w->max_iter, (int64_t)INT_MAX));
    if (isfinite(w->time_limit))
        Clp_setMaximumSeconds(model, w->time_limit);
    run(w, model);
    dqp_qp_status qs = map_status(model, w->max_iter);
    const double *x = Clp_getColSolution(model), *y = Clp_getRowPrice(model);
    int duals = (qs == DQP_QP_SOLVED || qs == DQP_QP_SOLVED_INACCURATE) && y;
    for (int64_t j = 0; j < w->n; j++)
        out->z[j] = x ? x[j] : 0.0;
    for (int64_t i = 0; i < w->me; i++)
        out->lam[i] = duals ? -y[i] : 0.0;
    for (int64_t i = 0; i < w->mi; i++)
        out->mu[i] = duals ? -y[w->me + i] : 0.0;
    out->iterations = Clp_numberIterations(model);
    Clp_deleteModel(model);
    double obj = 0.0; /* an LP: q'z */
    for (int64_t j = 0; j < w->n; j++)
        obj += out->z[j] * w->q[j];
    out->objective = obj;
    out->status = qs;
    out->has_duals = duals;
    return DQP_OK;
}

const dqp_qp_backend dqp_backend_clp = {
    "clp",
    "Clp simplex (COIN-OR), linear programs only (QPs refused); duals; no warm start",
    DQP_CAP_DUALS | DQP_CAP_SPARSE | DQP_CAP_DENSE,
    clp_setup,
    clp_update,
    NULL, /* no warm start */
    clp_solve,
    clp_destroy,
    NULL,
    NULL,
    NULL,
    NULL};

#else

typedef int dqp_clp_unavailable; /* keeps the translation unit non-empty */

#endif
