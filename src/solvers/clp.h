/* clp.h - the Clp adapter (compiled when Clp is found: DQP_HAVE_CLP). */
#ifndef DQP_CLP_H
#define DQP_CLP_H

#include "solvers/solver.h"

/* Name "clp". Simplex for linear programs (P absent or zero); quadratic
 * objectives are refused with DQP_ERR_UNSUPPORTED. Duals, no warm start.
 * What it does not provide and why: see clp.c. */
extern const dqp_qp_backend dqp_backend_clp;

#endif
