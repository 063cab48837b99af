/* batch.c - OpenMP loops over independent handles (solve and reverse mode). */
#include "diff/engine.h"

#include <omp.h>

static dqp_status first_failure(const dqp_status *st, int64_t count) {
    for (int64_t k = 0; k < count; k++)
        if (st[k] != DQP_OK)
            return st[k];
    return DQP_OK;
}

static int thread_count(int threads) { return threads > 0 ? threads : omp_get_max_threads(); }

dqp_status dqp_batch_solve_cached(dqp_solver *const *handles, const dqp_problem *const *problems,
                                  int64_t count, int threads, dqp_status *statuses,
                                  dqp_symcache *cache) {
    if (count < 0)
        return DQP_ERR_DIMENSION;
    if (count > 0 && (!handles || !problems))
        return DQP_ERR_NULL;
    dqp_status *st = statuses ? statuses : dqp_alloc(count, sizeof *st);
    if (!st)
        return DQP_ERR_NOMEM;
        /* Each iteration touches only handles[k] and the cache (internally locked). */
#pragma omp parallel for schedule(dynamic, 1) num_threads(thread_count(threads))
    for (int64_t k = 0; k < count; k++) {
        dqp_symcache *prev = dqp_symcache_scope_enter(cache);
        st[k] = handles[k] ? dqp_solver_solve(handles[k], problems[k]) : DQP_ERR_NULL;
        dqp_symcache_scope_leave(prev);
    }
    dqp_status result = first_failure(st, count);
    if (!statuses)
        dqp_free(st);
    return result;
}

dqp_status dqp_batch_solve(dqp_solver *const *handles, const dqp_problem *const *problems,
                           int64_t count, int threads, dqp_status *statuses) {
    /* Symbolic analyses shared by the KKT objects the solves create (same
     * pattern: analyzed once). An optimization only: without memory for the
     * cache the solves analyze as usual. */
    dqp_symcache *cache = count > 1 ? dqp_symcache_create() : NULL;
    dqp_status st = dqp_batch_solve_cached(handles, problems, count, threads, statuses, cache);
    dqp_symcache_destroy(cache);
    return st;
}

dqp_status dqp_batch_vjp(dqp_solver *const *handles, int64_t count, const double *const *gz,
                         const double *const *glambda, const double *const *gmu, dqp_grad *out,
                         int threads, dqp_status *statuses) {
    if (count < 0)
        return DQP_ERR_DIMENSION;
    if (count > 0 && (!handles || !out))
        return DQP_ERR_NULL;
    dqp_status *st = statuses ? statuses : dqp_alloc(count, sizeof *st);
    if (!st)
        return DQP_ERR_NOMEM;
#pragma omp parallel for schedule(dynamic, 1) num_threads(thread_count(threads))
    for (int64_t k = 0; k < count; k++)
        st[k] = handles[k] ? dqp_solver_vjp(handles[k], gz ? gz[k] : NULL,
                                            glambda ? glambda[k] : NULL, gmu ? gmu[k] : NULL,
                                            &out[k])
                           : DQP_ERR_NULL;
    dqp_status result = first_failure(st, count);
    if (!statuses)
        dqp_free(st);
    return result;
}
