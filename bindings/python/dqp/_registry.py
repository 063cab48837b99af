"""Names of the forward QP solvers and KKT linear solvers of the loaded
library (include/dqp/registry.h). Returns None when the library predates
that header."""

from . import _lib as L

QP_CAP_DUALS, QP_CAP_SPARSE, QP_CAP_DENSE, QP_CAP_WARM = 1, 2, 4, 8
LIN_CAP_SPARSE, LIN_CAP_DENSE = 1, 2


# Capability flags of forward solvers (include/dqp/registry.h).
QP_CAP_DUALS, QP_CAP_SPARSE, QP_CAP_DENSE, QP_CAP_WARM, QP_CAP_QUADRATIC = 1, 2, 4, 8, 16


def qp_solvers(details=False, quadratic_only=False):
    """Forward solvers compiled into libdqp ("auto" picks one of them).
    details=True gives (name, description, capability flags) tuples;
    quadratic_only=True leaves out the solvers that take LPs only."""
    if not L.HAVE_REGISTRY:
        return None
    out = []
    for i in range(L.dqp_qp_solver_count()):
        if quadratic_only and not (int(L.dqp_qp_solver_caps(i)) & QP_CAP_QUADRATIC):
            continue
        name = L.decode(L.dqp_qp_solver_name(i))
        if details:
            out.append((name, L.decode(L.dqp_qp_solver_description(i)),
                        int(L.dqp_qp_solver_caps(i))))
        else:
            out.append(name)
    return out


def lin_solvers(details=False):
    """KKT linear solvers for the derivative ("auto" picks one of them)."""
    if not L.HAVE_REGISTRY:
        return None
    out = []
    for i in range(L.dqp_lin_solver_count()):
        name = L.decode(L.dqp_lin_solver_name(i))
        if details:
            out.append((name, L.decode(L.dqp_lin_solver_description(i)),
                        int(L.dqp_lin_solver_caps(i))))
        else:
            out.append(name)
    return out
