/* dense_as.h - the dense dual active-set (Goldfarb-Idnani) forward QP solver. */
#ifndef DQP_DENSE_AS_H
#define DQP_DENSE_AS_H

#include "solvers/solver.h"

/* Name "dense_as". Exact active set and duals (mu exactly 0 off the active
 * set), positive definite and semidefinite P (proximal outer loop), warm
 * start from an active set. Keywords: rho, pd_tol, dep_tol (see dense_as.c). */
extern const dqp_qp_backend dqp_backend_dense_as;

#endif
