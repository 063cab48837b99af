/* public_registry.c - the public view (dqp/registry.h) of the internal
 * registries of forward QP solvers (solvers/solver.h) and KKT linear
 * solvers (linsys/kkt.h). */
#include "dqp/registry.h"
#include "linsys/kkt.h"
#include "solvers/solver.h"

#include <string.h>

/* The public flags mirror the internal ones bit for bit. */
_Static_assert((int)DQP_QP_CAP_DUALS == (int)DQP_CAP_DUALS &&
                   (int)DQP_QP_CAP_SPARSE == (int)DQP_CAP_SPARSE &&
                   (int)DQP_QP_CAP_DENSE == (int)DQP_CAP_DENSE &&
                   (int)DQP_QP_CAP_WARM == (int)DQP_CAP_WARM &&
                   (int)DQP_QP_CAP_QUADRATIC == (int)DQP_CAP_QUADRATIC,
               "public and internal forward-solver capability flags differ");

int dqp_qp_solver_count(void) { return dqp_qp_backend_count(); }

const char *dqp_qp_solver_name(int i) {
    const dqp_qp_backend *b = dqp_qp_backend_get(i);
    return b ? b->name : NULL;
}

const char *dqp_qp_solver_description(int i) {
    const dqp_qp_backend *b = dqp_qp_backend_get(i);
    return b ? (b->description ? b->description : "") : NULL;
}

unsigned dqp_qp_solver_caps(int i) {
    const dqp_qp_backend *b = dqp_qp_backend_get(i);
    return b ? b->caps : 0u;
}

int dqp_qp_solver_find(const char *name) {
    for (int i = 0; name && i < dqp_qp_backend_count(); i++)
        if (strcmp(dqp_qp_backend_get(i)->name, name) == 0)
            return i;
    return -1;
}

int dqp_lin_solver_count(void) { return dqp_linsys_count(); }

const char *dqp_lin_solver_name(int i) {
    const dqp_linsys_backend *b = dqp_linsys_get(i);
    return b ? b->name : NULL;
}

const char *dqp_lin_solver_description(int i) {
    const dqp_linsys_backend *b = dqp_linsys_get(i);
    return b ? (b->description ? b->description : "") : NULL;
}

unsigned dqp_lin_solver_caps(int i) {
    const dqp_linsys_backend *b = dqp_linsys_get(i);
    if (!b)
        return 0u;
    return b->sparse ? (unsigned)DQP_LIN_CAP_SPARSE : (unsigned)DQP_LIN_CAP_DENSE;
}

int dqp_lin_solver_find(const char *name) {
    for (int i = 0; name && i < dqp_linsys_count(); i++)
        if (strcmp(dqp_linsys_get(i)->name, name) == 0)
            return i;
    return -1;
}
