"""dqp: differentiable quadratic programming (Python binding of libdqp).

    minimize 1/2 z'Pz + q'z   subject to  A z = b,  C z <= d

numpy/scipy API:
    sol = dqp.solve(P, q, A=None, b=None, C=None, d=None, solver="auto", **settings)
    sol.z, sol.lam, sol.mu, sol.active, sol.status, sol.derivative_status, sol.info
    sol.vjp(dz=None, dlam=None, dmu=None) -> {"P", "q", "A", "b", "C", "d"}
    sol.jvp(dP=None, dq=None, dA=None, db=None, dC=None, dd=None) -> (dz, dlam, dmu)
    sol.jacobian("q")
    dqp.read_qps(path)

PyTorch API (imports torch):
    from dqp import dQP
    layer = dQP.dQP_layer(settings=dQP.build_settings(qp_solver="dense_as"))
    z, lam, mu, solve_time, total_time = layer(P, q, C, d, A=None, b=None)

The shared library is located as described in dqp._lib (DQP_LIBRARY, then
../../build*/libdqp.so relative to this package).
"""

from . import _lib
from ._core import (
    DIFF_DUALS_RECOVERED,
    DIFF_FAILED,
    DIFF_LEAST_SQUARES,
    DIFF_INCONSISTENT,
    DIFF_LICQ,
    DIFF_REGULAR,
    DIFF_SINGULAR_HESSIAN,
    DIFF_WEAKLY_ACTIVE,
    QPS,
    Problem,
    Solution,
    derivative_flags,
    read_qps,
    solve,
)
from ._errors import DQPError, DQPInputError
from ._registry import lin_solvers, qp_solvers
from ._settings import Settings, setting_help, setting_names

__version__ = _lib.decode(_lib.dqp_version())
library_path = _lib.library_path

__all__ = [
    "solve", "qp_solvers", "lin_solvers", "Solution", "Problem", "Settings", "setting_names", "setting_help", "read_qps",
    "QPS", "DQPError", "DQPInputError", "derivative_flags", "DIFF_REGULAR",
    "DIFF_WEAKLY_ACTIVE", "DIFF_LICQ", "DIFF_SINGULAR_HESSIAN", "DIFF_INCONSISTENT",
    "DIFF_DUALS_RECOVERED", "DIFF_FAILED", "DIFF_LEAST_SQUARES", "library_path",
]
