/* ipm.h - the sparse primal-dual interior-point QP solver (proximal, Mehrotra). */
#ifndef DQP_IPM_H
#define DQP_IPM_H

#include "solvers/solver.h"

/* Name "ipm". Sparse primal-dual interior-point method with proximal
 * (method-of-multipliers) regularization, Ruiz equilibration and
 * Mehrotra's predictor-corrector, on the KKT layer (src/linsys/kkt.h).
 * Returns duals in dqp's signs, detects primal and dual infeasibility by
 * certificates, and keeps the symbolic analysis across update() calls.
 * Keywords: see ipm.c (dqp_ipm_keys). */
extern const dqp_qp_backend dqp_backend_ipm;

#endif
