/* ipopt.h - the Ipopt adapter (compiled when Ipopt is found: DQP_HAVE_IPOPT). */
#ifndef DQP_IPOPT_H
#define DQP_IPOPT_H

#include "solvers/solver.h"

/* Name "ipopt". Interior point: duals, no exact active set, no certificates,
 * warm start from a point. What it does not provide: see ipopt.c. */
extern const dqp_qp_backend dqp_backend_ipopt;

#endif
