/* registry.c - the table of forward QP solvers compiled into this build. */
#include "solvers/admm.h"
#include "solvers/clp.h"
#include "solvers/dense_as.h"
#include "solvers/ipopt.h"
#include "solvers/ipm.h"
#include "solvers/solver.h"

#include <string.h>

static const dqp_qp_backend *const backends[] = {
    &dqp_backend_dense_as,
    &dqp_backend_ipm,
    &dqp_backend_admm,
#ifdef DQP_HAVE_IPOPT
    &dqp_backend_ipopt,
#endif
#ifdef DQP_HAVE_CLP
    &dqp_backend_clp,
#endif
};

int dqp_qp_backend_count(void) { return (int)(sizeof backends / sizeof backends[0]); }

const dqp_qp_backend *dqp_qp_backend_get(int i) {
    return (i >= 0 && i < dqp_qp_backend_count()) ? backends[i] : NULL;
}

const dqp_qp_backend *dqp_qp_backend_find(const char *name) {
    for (int i = 0; name && i < dqp_qp_backend_count(); i++)
        if (strcmp(backends[i]->name, name) == 0)
            return backends[i];
    return NULL;
}
