/* registry.c - the table of KKT linear-solver backends compiled into this build. */
#include "kkt.h"

#include <string.h>

extern const dqp_linsys_backend dqp_linsys_ldl;
extern const dqp_linsys_backend dqp_linsys_cholmod;
extern const dqp_linsys_backend dqp_linsys_mumps;
extern const dqp_linsys_backend dqp_linsys_lapack;

/* Fixed order: the default sparse backend first. */
static const dqp_linsys_backend *const backends[] = {
    &dqp_linsys_ldl,
    &dqp_linsys_cholmod,
    &dqp_linsys_mumps,
    &dqp_linsys_lapack,
};

int dqp_linsys_count(void) { return (int)(sizeof backends / sizeof backends[0]); }

const dqp_linsys_backend *dqp_linsys_get(int i) {
    return i >= 0 && i < dqp_linsys_count() ? backends[i] : NULL;
}

const dqp_linsys_backend *dqp_linsys_find(const char *name) {
    if (!name)
        return NULL;
    for (int i = 0; i < dqp_linsys_count(); i++)
        if (strcmp(backends[i]->name, name) == 0)
            return backends[i];
    return NULL;
}

/* Rule from factor + refined solve timings (OPENBLAS_NUM_THREADS=1), to be
 * refined with bench/linsys:
 *   - Maros-Meszaros KKT matrices with N <= 20000 (bench/linsys, 84 that
 *     solve): ldl was the fastest on 79-81 of them in two runs; elsewhere
 *     cholmod was faster by up to 1.6x (PRIMAL4, QSCSD8) or lapack on N <= 7.
 *     Geometric means relative to the fastest: cholmod 1.24, mumps 23 (fixed
 *     cost of its analysis and of every solve call), lapack 17 (N <= 4000).
 *     lapack is ~1.4x slower than ldl on the tiny HS problems.
 *   - Random KKT systems (H = B'B + diag, G full row rank): dense LAPACK
 *     wins when the stored upper triangle is a sizeable fraction of dense
 *     and N is moderate: N = 150 at 32%: 0.115 ms vs ldl 0.245 ms; N = 300
 *     at 18%: 0.49 vs 1.5 ms; N = 75 at 26%: 0.025 vs 0.029 ms. Below
 *     N ~ 40 every backend takes a few microseconds and ldl has the lowest
 *     fixed cost. mumps wins only on unstructured patterns with heavy fill
 *     (N = 2400 random: 171 ms vs ldl 600 ms), which (N, nnz) cannot reveal.
 * Hence: lapack for 40 <= N <= 1000 with >= 15% of the upper triangle
 * stored, otherwise ldl. */
const char *dqp_linsys_auto(int64_t N, int64_t nnz_upper) {
    if (N >= 40 && N <= 1000 && (double)nnz_upper >= 0.15 * 0.5 * (double)N * (double)(N + 1))
        return "lapack";
    return "ldl";
}
