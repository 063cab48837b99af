/* dqp/registry.h - the forward QP solvers and the KKT linear solvers
 * compiled into this build, for listing and validating names (`dqp solvers`,
 * `dqp bench --solvers`).
 *
 * Indices run from 0 to count - 1 in the fixed order of the internal
 * registries; out-of-range indices give NULL names and 0 capabilities.
 * The names are those accepted by the settings qp_solver and lin_solver
 * (which also accept "auto"). */
#ifndef DQP_REGISTRY_H
#define DQP_REGISTRY_H

#include "dqp/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Capabilities of a forward QP solver. */
enum {
    DQP_QP_CAP_DUALS = 1,  /* returns lambda and mu (else dqp recovers them) */
    DQP_QP_CAP_SPARSE = 2, /* accepts sparse problems (QPS files are sparse) */
    DQP_QP_CAP_DENSE = 4,  /* accepts dense problems */
    DQP_QP_CAP_WARM = 8,   /* uses warm starts (warm_start_from_previous) */
    DQP_QP_CAP_QUADRATIC = 16 /* accepts P != 0; without it the solver takes LPs only */
};

DQP_API int dqp_qp_solver_count(void);
DQP_API const char *dqp_qp_solver_name(int i);
DQP_API const char *dqp_qp_solver_description(int i);
DQP_API unsigned dqp_qp_solver_caps(int i); /* DQP_QP_CAP_* flags */
/* Index of a forward solver by name, -1 when unknown ("auto" is not a solver). */
DQP_API int dqp_qp_solver_find(const char *name);

/* Capabilities of a KKT linear solver (the derivative's factorization). */
enum {
    DQP_LIN_CAP_SPARSE = 1, /* sparse factorization */
    DQP_LIN_CAP_DENSE = 2   /* dense factorization */
};

DQP_API int dqp_lin_solver_count(void);
DQP_API const char *dqp_lin_solver_name(int i);
DQP_API const char *dqp_lin_solver_description(int i);
DQP_API unsigned dqp_lin_solver_caps(int i); /* DQP_LIN_CAP_* flags */
DQP_API int dqp_lin_solver_find(const char *name);

#ifdef __cplusplus
}
#endif
#endif
