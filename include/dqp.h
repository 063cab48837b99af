/* dqp.h - differentiable quadratic programming: umbrella header.
 * Include this one header; the topics live in include/dqp/. */
#ifndef DQP_H
#define DQP_H

#include "dqp/status.h"
#include "dqp/matrix.h"
#include "dqp/problem.h"
#include "dqp/settings.h"
#include "dqp/qps.h"
#include "dqp/solve.h"
#include "dqp/registry.h"

#endif
