"""numpy/scipy API: problems, solve, Solution (vjp/jvp/jacobian), QPS reader.

Conventions (include/dqp/problem.h, solve.h):
    minimize 1/2 z'Pz + q'z  s.t.  A z = b,  C z <= d
    Lagrangian 1/2 z'Pz + q'z + lam'(Az - b) + mu'(Cz - d), mu >= 0;
    mu is exactly 0 on inactive rows.

Input conversion rule: dense inputs may be any real numeric array-like
(lists, ints, float32, ...); they are converted to float64 (lossless for
every integer and float type up to 64 bits). Complex, boolean, object and
string arrays raise TypeError.
"""

import ctypes as ct

import numpy as np

try:
    import scipy.sparse as _sp
except ImportError:  # pragma: no cover - scipy is a dependency of the package
    _sp = None

from . import _lib as L
from ._errors import DQPError, DQPInputError, raise_status
from ._settings import Settings

# Derivative status flags (dqp/solve.h).
DIFF_REGULAR = 0
DIFF_WEAKLY_ACTIVE = 1
DIFF_LICQ = 2
DIFF_SINGULAR_HESSIAN = 4
DIFF_INCONSISTENT = 8
DIFF_DUALS_RECOVERED = 16
DIFF_FAILED = 32
DIFF_LEAST_SQUARES = 64
_DIFF_NAMES = [
    (DIFF_WEAKLY_ACTIVE, "weakly_active"),
    (DIFF_LICQ, "licq"),
    (DIFF_SINGULAR_HESSIAN, "singular_hessian"),
    (DIFF_INCONSISTENT, "inconsistent"),
    (DIFF_DUALS_RECOVERED, "duals_recovered"),
    (DIFF_FAILED, "failed"),
    (DIFF_LEAST_SQUARES, "least_squares"),
]


def derivative_flags(status):
    """Names of the flags set in a derivative status ([] means regular)."""
    return [name for bit, name in _DIFF_NAMES if status & bit]


def _dptr(a):
    return a.ctypes.data_as(L.c_double_p) if a is not None else None


def _iptr(a):
    return a.ctypes.data_as(L.c_int64_p)


def _carray(ptr, n):
    """Copy n doubles from a C pointer (NULL allowed when n == 0)."""
    if n == 0 or not ptr:
        return np.zeros(n)
    return np.ctypeslib.as_array(ptr, shape=(n,)).copy()


def _is_sparse(x):
    return _sp is not None and _sp.issparse(x)


def as_float64(x, name):
    """Array-like -> float64 ndarray following the documented rule."""
    a = np.asarray(x)
    if a.dtype == np.float64:
        return a
    if a.dtype.kind in "iuf":
        return a.astype(np.float64)
    raise TypeError(
        "%s: expected real numbers, got an array of dtype %s" % (name, a.dtype)
    )


# --------------------------------------------------------------------------- sparse patterns


class Pattern:
    """The sparsity pattern of one sparse input and its map to the canonical
    CSC (columns in order, sorted rows, no duplicates) that libdqp stores.

    The input's stored entries keep their order: entry k of the input has
    canonical index inv[k] (inv is None when the input already is canonical).
    Values go input -> canonical by summing duplicates (gather); gradients go
    canonical -> input by repetition (scatter), which is the derivative of
    that sum: every duplicate of an entry receives the entry's gradient.
    Explicit zeros are kept as entries.
    """

    __slots__ = ("m", "n", "indptr", "indices", "inv", "nnz_in")

    def __init__(self, rows, cols, shape):
        m, n = int(shape[0]), int(shape[1])
        rows = np.asarray(rows, dtype=np.int64).ravel()
        cols = np.asarray(cols, dtype=np.int64).ravel()
        if rows.shape != cols.shape:
            raise ValueError("sparse pattern: %d row indices but %d column indices"
                             % (rows.size, cols.size))
        if rows.size and (rows.min() < 0 or rows.max() >= m or cols.min() < 0 or cols.max() >= n):
            raise ValueError("sparse pattern: an index is outside the %d x %d shape" % (m, n))
        self.m, self.n, self.nnz_in = m, n, rows.size
        key = cols * max(m, 1) + rows
        if key.size == 0 or np.all(key[1:] > key[:-1]):
            canon_rows, canon_cols, self.inv = rows, cols, None
        else:
            order = np.argsort(key, kind="stable")
            sk = key[order]
            first = np.empty(sk.size, dtype=bool)
            first[0] = True
            np.not_equal(sk[1:], sk[:-1], out=first[1:])
            inv = np.empty(sk.size, dtype=np.int64)
            inv[order] = np.cumsum(first) - 1
            self.inv = inv
            canon_rows = rows[order][first]
            canon_cols = cols[order][first]
        self.indices = np.ascontiguousarray(canon_rows, dtype=np.int64)
        self.indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(canon_cols, minlength=n), out=self.indptr[1:])

    @property
    def nnz(self):
        return self.indices.size

    @classmethod
    def from_csc_arrays(cls, indptr, indices, shape):
        indptr = np.asarray(indptr, dtype=np.int64)
        n = int(shape[1])
        if indptr.shape != (n + 1,) or indptr[0] != 0 or np.any(np.diff(indptr) < 0):
            raise ValueError("CSC column pointers must have n+1 = %d nondecreasing entries "
                             "starting at 0" % (n + 1))
        if indptr[-1] != len(indices):
            raise ValueError("CSC: column pointers end at %d but there are %d row indices"
                             % (indptr[-1], len(indices)))
        cols = np.repeat(np.arange(n, dtype=np.int64), np.diff(indptr))
        return cls(indices, cols, shape)

    def gather(self, values):
        """Input-ordered values -> canonical values (float64, contiguous)."""
        values = np.asarray(values, dtype=np.float64).ravel()
        if values.size != self.nnz_in:
            raise ValueError("sparse values: %d values for %d stored entries"
                             % (values.size, self.nnz_in))
        if self.inv is None:
            return np.ascontiguousarray(values)
        return np.bincount(self.inv, weights=values, minlength=self.nnz)

    def scatter(self, grad):
        """Canonical gradient -> one gradient per input entry."""
        return grad if self.inv is None else grad[self.inv]

    def direction(self, values):
        """Input-ordered direction -> canonical direction (sum of duplicates)."""
        return self.gather(values)


# --------------------------------------------------------------------------- matrices


class _Mat:
    """One matrix of a problem as passed to libdqp: dense row-major float64
    or canonical CSC (pattern + values). `user_csc` remembers how to return
    gradients to the caller (the CSC layout of the input)."""

    def __init__(self, name, dense=None, pattern=None, values=None, user=None):
        self.name = name
        self.dense = dense
        self.pattern = pattern
        self.values = values  # canonical values (sparse)
        self.user = user  # (indptr, indices) of a CSC input, else None
        if dense is not None:
            self.shape = dense.shape
        else:
            self.shape = (pattern.m, pattern.n)

    @property
    def sparse(self):
        return self.pattern is not None

    @property
    def size(self):
        """Length of the gradient/direction array libdqp uses."""
        return self.pattern.nnz if self.sparse else self.shape[0] * self.shape[1]

    def struct(self):
        """The C struct (kept alive by the caller while used)."""
        if self.sparse:
            p = self.pattern
            return L.CSC(p.m, p.n, _iptr(p.indptr), _iptr(p.indices), _dptr(self.values), 0)
        m, n = self.shape
        return L.Dense(m, n, max(n, 1), _dptr(self.dense))

    def grad_out(self, g):
        """libdqp gradient array -> what the user gets."""
        if not self.sparse:
            return g.reshape(self.shape)
        gi = self.pattern.scatter(g)
        if self.user is not None:
            indptr, indices = self.user
            return _sp.csc_matrix((gi, indices.copy(), indptr.copy()), shape=self.shape)
        p = self.pattern
        return _sp.csc_matrix((gi, p.indices.copy(), p.indptr.copy()), shape=self.shape)

    def dir_in(self, x, what):
        """A direction given by the user -> libdqp layout (float64 array)."""
        if not self.sparse:
            a = as_float64(x.toarray() if _is_sparse(x) else x, what)
            if a.shape != self.shape:
                raise ValueError("%s: shape %s, expected %s" % (what, a.shape, self.shape))
            return np.ascontiguousarray(a).ravel()
        if _is_sparse(x):
            if self.user is not None and x.format == "csc" and np.array_equal(
                x.indptr, self.user[0]) and np.array_equal(x.indices, self.user[1]):
                return self.pattern.direction(x.data)
            xc = _sp.csc_matrix(x)
            xc.sum_duplicates()
            xc.sort_indices()
            if xc.shape != self.shape or not (
                np.array_equal(xc.indptr, self.pattern.indptr)
                and np.array_equal(xc.indices, self.pattern.indices)):
                raise ValueError("%s: the sparse direction must have the pattern of %s"
                                 % (what, self.name))
            return np.ascontiguousarray(xc.data, dtype=np.float64)
        a = as_float64(x, what).ravel()
        if a.size != self.pattern.nnz_in:
            raise ValueError("%s: %d values for the %d stored entries of %s"
                             % (what, a.size, self.pattern.nnz_in, self.name))
        return self.pattern.direction(a)

    def full_symmetric(self, upper):
        """The matrix as the user-callback sees it (full, symmetric for P)."""
        if not self.sparse:
            return self.dense.copy()
        p = self.pattern
        M = _sp.csc_matrix((self.values.copy(), p.indices.copy(), p.indptr.copy()), shape=self.shape)
        if upper:
            D = _sp.diags(M.diagonal())
            M = (M + M.T - D).tocsc()
            M.sort_indices()
        return M


def _matrix(x, name, rows, n):
    """Convert a user matrix (ndarray-like or scipy.sparse). rows None: any."""
    if _is_sparse(x):
        if x.ndim != 2:
            raise ValueError("%s: expected a 2-D matrix" % name)
        if x.dtype.kind not in "iuf":
            raise TypeError("%s: expected real numbers, got a sparse matrix of dtype %s"
                            % (name, x.dtype))
        user = None
        if x.format == "csc":
            pattern = Pattern.from_csc_arrays(x.indptr, x.indices, x.shape)
            user = (np.asarray(x.indptr, dtype=np.int64), np.asarray(x.indices, dtype=np.int64))
            vals = pattern.gather(x.data)
        else:
            coo = x.tocsc()  # sums duplicates, keeps explicit zeros
            coo.sort_indices()
            pattern = Pattern.from_csc_arrays(coo.indptr, coo.indices, coo.shape)
            vals = pattern.gather(coo.data)
        mat = _Mat(name, pattern=pattern, values=vals, user=user)
    else:
        a = as_float64(x, name)
        if a.ndim != 2:
            raise ValueError("%s: expected a 2-D matrix, got an array of shape %s" % (name, a.shape))
        mat = _Mat(name, dense=np.ascontiguousarray(a))
    r, c = mat.shape
    if c != n or (rows is not None and r != rows):
        raise ValueError("%s: shape (%d, %d), expected (%s, %d)"
                         % (name, r, c, rows if rows is not None else "m", n))
    if not np.all(np.isfinite(mat.values if mat.sparse else mat.dense)):
        raise DQPInputError("%s: contains NaN or Inf" % name, L.ERR_NONFINITE)
    return mat


def _vector(x, name, n):
    a = as_float64(x, name)
    if a.ndim == 2 and 1 in a.shape:
        a = a.ravel()
    if a.ndim != 1 or a.size != n:
        raise ValueError("%s: shape %s, expected a vector of length %d" % (name, a.shape, n))
    if not np.all(np.isfinite(a)):
        raise DQPInputError("%s: contains NaN or Inf" % name, L.ERR_NONFINITE)
    return np.ascontiguousarray(a)


# --------------------------------------------------------------------------- problem


class Problem:
    """A QP in libdqp (dqp_problem), built from numpy/scipy data.

    P: (n, n) dense symmetric, or scipy.sparse with P_storage "full" (both
       triangles, symmetric) or "upper" (entries with row <= col only; an
       off-diagonal entry stands for P[i,j] and P[j,i], so its gradient is
       the sum of both full-matrix entries). None means P = 0.
    q: (n,), None means 0.  A: (m_eq, n), b: (m_eq,).  C: (m_ineq, n), d: (m_ineq,).
    The data are copied into the C object.
    """

    def __init__(self, P, q, A=None, b=None, C=None, d=None, P_storage="full"):
        if P_storage not in ("full", "upper"):
            raise ValueError('P_storage must be "full" or "upper", not %r' % (P_storage,))
        if (A is None) != (b is None):
            raise ValueError("A and b must be given together (A is %s, b is %s)"
                             % ("given" if A is not None else "None",
                                "given" if b is not None else "None"))
        if (C is None) != (d is None):
            raise ValueError("C and d must be given together (C is %s, d is %s)"
                             % ("given" if C is not None else "None",
                                "given" if d is not None else "None"))
        n = None
        if q is not None:
            qa = as_float64(q, "q")
            n = qa.size
        elif P is not None:
            n = P.shape[1] if hasattr(P, "shape") else np.asarray(P).shape[-1]
        else:
            for M in (A, C):
                if M is not None:
                    n = M.shape[1] if hasattr(M, "shape") else np.asarray(M).shape[-1]
                    break
        if n is None:
            raise ValueError("cannot tell the number of variables: give q or a matrix")
        n = int(n)
        Pm = _matrix(P, "P", n, n) if P is not None else None
        qv = _vector(q, "q", n) if q is not None else np.zeros(n)
        Am = _matrix(A, "A", None, n) if A is not None else None
        bv = _vector(b, "b", Am.shape[0]) if b is not None else None
        Cm = _matrix(C, "C", None, n) if C is not None else None
        dv = _vector(d, "d", Cm.shape[0]) if d is not None else None
        self._init_parts(n, Pm, qv, Am, bv, Cm, dv, P_storage)

    @classmethod
    def from_parts(cls, n, P, q, A, b, C, d, P_storage="full"):
        """Build from converted parts (_Mat / float64 vectors); no copies in Python."""
        self = cls.__new__(cls)
        self._init_parts(n, P, q, A, b, C, d, P_storage)
        return self

    def _init_parts(self, n, P, q, A, b, C, d, P_storage):
        self._h = None
        self.n = int(n)
        self.P_storage = P_storage
        self.P = P
        if P is not None and not P.sparse and P_storage == "upper":
            raise ValueError('P_storage="upper" needs a sparse P; a dense P is always full')
        self.q = q if q is not None else np.zeros(self.n)
        self.A, self.b = A, b
        self.m_eq = A.shape[0] if A is not None else 0
        self.C, self.d = C, d
        self.m_ineq = C.shape[0] if C is not None else 0
        self._h = _set_problem(self)

    def __del__(self):
        h, self._h = getattr(self, "_h", None), None
        if h and L is not None and L.dqp_problem_destroy is not None:
            L.dqp_problem_destroy(h)

    @property
    def ptr(self):
        return self._h

    def matrix(self, key):
        return {"P": self.P, "A": self.A, "C": self.C}[key]

    def vector_len(self, key):
        return {"q": self.n, "b": self.m_eq, "d": self.m_ineq}[key]

    def callback_args(self):
        """(P, q, A, b, C, d) as a user callback receives them: P full and
        symmetric (None for an LP), dense ndarrays or scipy CSC, copies."""
        P = self.P.full_symmetric(self.P_storage == "upper") if self.P is not None else None
        A = self.A.full_symmetric(False) if self.A is not None else None
        C = self.C.full_symmetric(False) if self.C is not None else None
        return (P, self.q.copy(), A, None if self.b is None else self.b.copy(), C,
                None if self.d is None else self.d.copy())


def _set_problem(pb):
    keep = []
    data = L.ProblemData()
    data.n = pb.n
    for key in ("P", "A", "C"):
        mat = pb.matrix(key)
        if mat is None:
            continue
        s = mat.struct()
        keep.append(s)
        if mat.sparse:
            setattr(data, key, ct.pointer(s))
        else:
            setattr(data, key + "_dense", ct.pointer(s))
    data.P_storage = L.P_UPPER if pb.P_storage == "upper" else L.P_FULL
    data.q = _dptr(pb.q)
    if pb.A is not None:
        data.b = _dptr(pb.b)
        data.m_eq = pb.m_eq
    if pb.C is not None:
        data.d = _dptr(pb.d)
        data.m_ineq = pb.m_ineq
    h = L.dqp_problem_create()
    if not h:
        raise MemoryError("dqp_problem_create: out of memory")
    st = L.dqp_problem_set(h, ct.byref(data))
    if st != L.OK:
        msg = L.decode(L.dqp_problem_last_error(h))
        L.dqp_problem_destroy(h)
        if st == L.ERR_NOT_SYMMETRIC and pb.P is not None and pb.P.sparse:
            p = pb.P.pattern
            cols = np.repeat(np.arange(p.n), np.diff(p.indptr))
            if np.all(p.indices <= cols):
                msg += ' (P holds only its upper triangle: pass P_storage="upper")'
        raise_status(st, msg)
    return h


# --------------------------------------------------------------------------- solver handle


class _Callback:
    """A Python forward solver wrapped as dqp_user_solver_fn.

    fn(P, q, A, b, C, d) returns z, or (z, lam, mu) with duals in dqp's signs
    (lam or mu may be None: dqp then recovers the duals). An exception inside
    fn is caught (a C caller cannot unwind Python exceptions), the callback
    returns nonzero, and the exception is re-raised after the solve."""

    def __init__(self, fn, problem):
        self.fn = fn
        self.problem = problem
        self.error = None
        self.cfunc = L.USER_SOLVER_FN(self._call)

    def _call(self, user, prob, z, lam, mu, has_duals):
        try:
            pb = self.problem
            out = self.fn(*pb.callback_args())
            zl = ll = ml = None
            if isinstance(out, (tuple, list)):
                if len(out) == 1:
                    zl = out[0]
                elif len(out) == 3:
                    zl, ll, ml = out
                else:
                    raise ValueError("solver callback must return z or (z, lam, mu), got a "
                                     "sequence of length %d" % len(out))
            else:
                zl = out
            zv = _vector(zl, "callback z", pb.n)
            if pb.n:
                np.ctypeslib.as_array(z, shape=(pb.n,))[:] = zv
            duals = 1
            if pb.m_eq:
                if ll is None:
                    duals = 0
                else:
                    np.ctypeslib.as_array(lam, shape=(pb.m_eq,))[:] = _vector(
                        ll, "callback lam", pb.m_eq)
            if pb.m_ineq:
                if ml is None:
                    duals = 0
                else:
                    np.ctypeslib.as_array(mu, shape=(pb.m_ineq,))[:] = _vector(
                        ml, "callback mu", pb.m_ineq)
            if ll is None and ml is None:
                duals = 0
            has_duals[0] = duals
            return 0
        except BaseException as e:  # noqa: B902 - must never unwind into C
            if self.error is None:
                self.error = e
            return 1


class _Handle:
    """One dqp_solver handle. Keeps the problem (borrowed by C) and the
    callback object alive as long as the handle."""

    def __init__(self, settings, callback=None, problem=None):
        self._h = None
        h = L.vp()
        msg = L.Message()
        st = L.dqp_solver_create(ct.byref(h), settings.ptr(), ct.byref(msg))
        if st != L.OK:
            raise_status(st, msg.str())
        self._h = h.value
        self.problem = problem
        self.cb = None
        if callback is not None:
            self.cb = _Callback(callback, problem)
            st = L.dqp_solver_set_callback(self._h, self.cb.cfunc, None)
            if st != L.OK:
                raise_status(st, "set_callback failed")

    def __del__(self):
        h, self._h = getattr(self, "_h", None), None
        if h and L is not None and L.dqp_solver_destroy is not None:
            L.dqp_solver_destroy(h)

    @property
    def ptr(self):
        return self._h

    def last_error(self):
        return L.decode(L.dqp_solver_last_error(self._h))

    def check(self, st, what, where=""):
        if self.cb is not None and self.cb.error is not None:
            err, self.cb.error = self.cb.error, None
            raise err
        if st != L.OK:
            raise_status(st, "%s%s: %s" % (what, where, self.last_error()))

    def info(self):
        i = L.dqp_solver_info(self._h).contents
        return {
            "qp_status": L.decode(L.dqp_qp_status_string(i.qp_status)),
            "iterations": int(i.iterations),
            "objective": float(i.objective),
            "derivative_status": int(i.derivative_status),
            "derivative_flags": derivative_flags(int(i.derivative_status)),
            "n_active": int(i.n_active),
            "n_weak": int(i.n_weak),
            "stationarity": float(i.stationarity),
            "solve_seconds": float(i.solve_seconds),
            "setup_seconds": float(i.setup_seconds),
            "derivative_seconds": float(i.derivative_seconds),
            "qp_solver": L.decode(i.qp_solver),
            "lin_solver": L.decode(i.lin_solver),
            "kkt_solves": int(i.kkt_solves),
        }

    def qp_status_code(self):
        return int(L.dqp_solver_info(self._h).contents.qp_status)

    def results(self):
        pb = self.problem
        z = _carray(L.dqp_solver_z(self._h), pb.n)
        lam = _carray(L.dqp_solver_lambda(self._h), pb.m_eq)
        mu = _carray(L.dqp_solver_mu(self._h), pb.m_ineq)
        rows = L.c_int64_p()
        k = L.dqp_solver_active(self._h, ct.byref(rows))
        active = (np.ctypeslib.as_array(rows, shape=(k,)).copy() if k > 0 and rows
                  else np.zeros(0, dtype=np.int64))
        return z, lam, mu, active

    def grad_struct(self, want):
        """Allocate gradient arrays for the keys in `want`; returns (Grad, dict)."""
        pb = self.problem
        g = L.Grad()
        arrays = {}
        for key in want:
            if (key == "b" and pb.A is None) or (key == "d" and pb.C is None):
                continue
            if key in "PAC":
                mat = pb.matrix(key)
                if mat is None:
                    continue
                a = np.zeros(mat.size)
            else:
                a = np.zeros(pb.vector_len(key))
            arrays[key] = a
            setattr(g, "d" + key, _dptr(a))
        return g, arrays


QP_SOLVED = 1
QP_SOLVED_INACCURATE = 2


def _settings_from(solver, settings):
    s = settings if isinstance(settings, Settings) else Settings(**(settings or {}))
    callback = None
    if callable(solver):
        callback = solver
    elif solver is not None:
        s["qp_solver"] = solver
    return s, callback


def _seed(x, n, name):
    if x is None:
        return None
    return _vector(x, name, n)


# --------------------------------------------------------------------------- solution


class Solution:
    """Result of dqp.solve.

    z, lam, mu       primal solution, equality and inequality multipliers
                     (signs: P z + q + A'lam + C'mu = 0, mu >= 0, mu = 0 off J)
    active           indices of the active rows of C (increasing)
    status           forward status: "solved", "solved_inaccurate",
                     "primal_infeasible", "dual_infeasible", "max_iter",
                     "time_limit", "numerical_error", "not_convex", "unsolved"
    derivative_status  DIFF_* bit flags (0 = exact derivative);
                     derivative_flags gives their names
    info             dict: iterations, objective, n_active, n_weak,
                     stationarity, solve/setup seconds, solver names (as
                     of the solve; derivative_info() for the last
                     derivative call)
    """

    def __init__(self, handle):
        self._handle = handle
        self.problem = handle.problem
        self.z, self.lam, self.mu, self.active = handle.results()
        self.info = handle.info()
        self.status = self.info["qp_status"]
        self.derivative_status = self.info["derivative_status"]
        self.derivative_flags = self.info["derivative_flags"]
        self.objective = self.info["objective"]

    def __repr__(self):
        return "Solution(status=%r, objective=%.6g, n_active=%d, derivative_flags=%s)" % (
            self.status, self.objective, self.active.size, self.derivative_flags)

    def derivative_info(self):
        """The last vjp/jvp/jacobian call: {"derivative_seconds": its time,
        "kkt_solves": right-hand sides it put through the factorization of
        the reduced KKT (about 2 for a regular K_J; refinement, GMRES and
        least-norm clean-up steps make tens on singular ones)}."""
        i = self._handle.info()
        return {"derivative_seconds": i["derivative_seconds"], "kkt_solves": i["kkt_solves"]}

    def _check_ready(self, what):
        if self.derivative_status & DIFF_FAILED:
            reason = self._handle.last_error() or "derivative unavailable"
            raise DQPError("%s: no derivative (status %s): %s" % (what, self.status, reason))

    def vjp(self, dz=None, dlam=None, dmu=None):
        """Reverse mode: gradients of <dz, z> + <dlam, lam> + <dmu, mu>.

        Returns a dict with keys "P", "q", "A", "b", "C", "d": dense arrays
        for dense inputs; scipy CSC matrices with the input's pattern for
        sparse inputs (explicit zeros included); None for absent data.
        Seeds on mu of inactive rows have no effect (mu is 0 there)."""
        self._check_ready("vjp")
        pb = self.problem
        gz = _seed(dz, pb.n, "dz")
        gl = _seed(dlam, pb.m_eq, "dlam")
        gm = _seed(dmu, pb.m_ineq, "dmu")
        g, arrays = self._handle.grad_struct("PqAbCd")
        st = L.dqp_solver_vjp(self._handle.ptr, _dptr(gz), _dptr(gl), _dptr(gm), ct.byref(g))
        self._handle.check(st, "vjp")
        out = {}
        for key in "PqAbCd":
            if key not in arrays:
                out[key] = None
            elif key in "PAC":
                out[key] = pb.matrix(key).grad_out(arrays[key])
            else:
                out[key] = arrays[key]
        return out

    def jvp(self, dP=None, dq=None, dA=None, db=None, dC=None, dd=None):
        """Forward mode: (dz, dlam, dmu) for a perturbation of the data.

        Matrix directions: dense arrays for dense inputs; for sparse inputs a
        scipy matrix with the input's pattern or a 1-D array of values in the
        input's stored order. None means no perturbation."""
        self._check_ready("jvp")
        pb = self.problem
        keep = []
        dr = L.Dir()
        for key, x in (("P", dP), ("A", dA), ("C", dC)):
            if x is None:
                continue
            mat = pb.matrix(key)
            if mat is None:
                raise ValueError("d%s given but the problem has no %s" % (key, key))
            a = mat.dir_in(x, "d" + key)
            keep.append(a)
            setattr(dr, "d" + key, _dptr(a))
        for key, x in (("q", dq), ("b", db), ("d", dd)):
            if x is None:
                continue
            length = pb.vector_len(key)
            if key != "q" and (pb.A if key == "b" else pb.C) is None:
                raise ValueError("d%s given but the problem has no %s" % (key, key))
            a = _vector(x, "d" + key, length)
            keep.append(a)
            setattr(dr, "d" + key, _dptr(a))
        dz = np.zeros(pb.n)
        dl = np.zeros(pb.m_eq)
        dm = np.zeros(pb.m_ineq)
        st = L.dqp_solver_jvp(self._handle.ptr, ct.byref(dr), _dptr(dz), _dptr(dl), _dptr(dm))
        self._handle.check(st, "jvp")
        return dz, dl, dm

    def jacobian(self, wrt):
        """Jacobian of y = (z, lam, mu) (rows: n + m_eq + m_ineq) with respect
        to "q", "b", "d" (columns: their entries) or the stored values of
        "P", "A", "C" (dense: row-major entries; sparse: the input's stored
        entries, in the input's order)."""
        self._check_ready("jacobian")
        if wrt not in ("P", "q", "A", "b", "C", "d"):
            raise ValueError('wrt must be one of "P", "q", "A", "b", "C", "d", not %r' % (wrt,))
        pb = self.problem
        ny = pb.n + pb.m_eq + pb.m_ineq
        if wrt in "PAC":
            mat = pb.matrix(wrt)
            if mat is None:
                raise ValueError("jacobian: the problem has no %s" % wrt)
            nw = mat.size
        else:
            if wrt != "q" and (pb.A if wrt == "b" else pb.C) is None:
                raise ValueError("jacobian: the problem has no %s" % wrt)
            mat = None
            nw = pb.vector_len(wrt)
        J = np.zeros(ny * nw)
        st = L.dqp_solver_jacobian(self._handle.ptr, wrt.encode(), _dptr(J))
        self._handle.check(st, "jacobian")
        J = J.reshape(nw, ny).T
        if mat is not None and mat.sparse and mat.pattern.inv is not None:
            J = J[:, mat.pattern.inv]
        return np.ascontiguousarray(J)


def solve(P, q, A=None, b=None, C=None, d=None, solver="auto", P_storage="full", settings=None,
          **kwargs):
    """Solve a QP and prepare its derivative.

        minimize 1/2 z'Pz + q'z   subject to  A z = b,  C z <= d

    P, A, C: numpy arrays (dense) or scipy.sparse matrices; q, b, d vectors.
    solver: a solver name ("auto", "dense_as", ...; unknown names raise an
    error listing the valid ones) or a Python callable
    fn(P, q, A, b, C, d) -> z or (z, lam, mu) (the black-box path: P is
    passed full and symmetric; duals in dqp's signs, None to let dqp
    recover them). P_storage: "full" or "upper" for a sparse P (see
    dqp.Problem). settings: a dqp.Settings; other keywords are settings
    by name (eps_active=1e-6, lin_solver="ldl", ...).
    Returns a Solution (also when the QP is infeasible: see its status)."""
    pb = Problem(P, q, A, b, C, d, P_storage=P_storage)
    s = settings.copy() if isinstance(settings, Settings) else Settings()
    s.update(**kwargs)
    s, callback = _settings_from(solver, s)
    h = _Handle(s, callback, pb)
    st = L.dqp_solver_solve(h.ptr, pb.ptr)
    h.check(st, "solve")
    return Solution(h)


# --------------------------------------------------------------------------- batches


def batch_solve(handles, problems, threads):
    """dqp_batch_solve over handles[k] / problems[k]; returns the statuses."""
    B = len(handles)
    hs = (L.vp * B)(*[h.ptr for h in handles])
    ps = (L.vp * B)(*[p.ptr for p in problems])
    st = (ct.c_int * B)()
    L.dqp_batch_solve(hs, ps, B, int(threads), st)
    return list(st)


def batch_vjp(handles, gz, glam, gmu, grads, threads):
    """dqp_batch_vjp; gz/glam/gmu: lists of float64 arrays or None;
    grads: list of L.Grad. Returns the statuses."""
    B = len(handles)
    hs = (L.vp * B)(*[h.ptr for h in handles])

    def ptrs(seeds):
        if seeds is None:
            return None
        return (L.c_double_p * B)(*[_dptr(s) for s in seeds])

    out = (L.Grad * B)(*grads)
    st = (ct.c_int * B)()
    L.dqp_batch_vjp(hs, B, ptrs(gz), ptrs(glam), ptrs(gmu), out, int(threads), st)
    return list(st)


# --------------------------------------------------------------------------- QPS


class QPS:
    """A problem read from a QPS/MPS file, in the canonical form of
    dqp/qps.h (A z = b from E rows and fixed variables; C z <= d from L/G
    rows, ranges and finite bounds; P upper-triangular; maximization
    problems negated). Attributes: P (scipy CSC, upper triangle), q, A, b,
    C, d, P_storage ("upper"), name, var_names, row_names, sense (+1 min,
    -1 max), objective_constant, eq_origins/ineq_origins (per canonical row:
    (kind, index, sign, range) with kind "row", "upper", "lower" or "fixed").
    Use dqp.solve(**qps.data(), ...) or qps.solve(...)."""

    _KINDS = ("row", "upper", "lower", "fixed")

    def __init__(self, path):
        self._h = None
        h = L.dqp_qps_create()
        if not h:
            raise MemoryError("dqp_qps_create: out of memory")
        self._h = h
        st = L.dqp_qps_read_file(h, str(path).encode())
        if st != L.OK:
            msg = L.decode(L.dqp_qps_last_error(h))
            if st == L.ERR_IO:
                raise FileNotFoundError(msg or "cannot read %s" % path)
            raise_status(st, msg)
        prob = L.dqp_qps_problem(h)
        self.name = L.decode(L.dqp_qps_name(h))
        self.sense = int(L.dqp_qps_sense(h))
        self.objective_constant = float(L.dqp_qps_objective_constant(h))
        n = int(L.dqp_problem_n(prob))
        meq = int(L.dqp_problem_m_eq(prob))
        mineq = int(L.dqp_problem_m_ineq(prob))
        self.P = _csc_from_c(L.dqp_problem_csc(prob, b"P"), n, n)
        self.A = _csc_from_c(L.dqp_problem_csc(prob, b"A"), meq, n)
        self.C = _csc_from_c(L.dqp_problem_csc(prob, b"C"), mineq, n)
        self.q = _carray(L.dqp_problem_vec(prob, b"q"), n)
        self.b = _carray(L.dqp_problem_vec(prob, b"b"), meq)
        self.d = _carray(L.dqp_problem_vec(prob, b"d"), mineq)
        self.P_storage = "upper" if L.dqp_problem_P_storage(prob) == L.P_UPPER else "full"
        self.var_names = [L.decode(L.dqp_qps_col_name(h, j)) for j in range(n)]
        self.row_names = [L.decode(L.dqp_qps_row_name(h, r))
                          for r in range(int(L.dqp_qps_file_rows(h)))]
        self.eq_origins = [self._origin(h, 1, k) for k in range(meq)]
        self.ineq_origins = [self._origin(h, 0, k) for k in range(mineq)]

    def __del__(self):
        h, self._h = getattr(self, "_h", None), None
        if h and L is not None and L.dqp_qps_destroy is not None:
            L.dqp_qps_destroy(h)

    def _origin(self, h, eq, k):
        o = L.RowOrigin()
        st = L.dqp_qps_row_origin(h, eq, k, ct.byref(o))
        if st != L.OK:
            raise_status(st, "row origin %d" % k)
        return (self._KINDS[o.kind] if 0 <= o.kind < 4 else o.kind, int(o.index), int(o.sign),
                int(o.range))

    @property
    def n(self):
        return self.q.size

    def data(self):
        """Keyword arguments for dqp.solve / dqp.Problem."""
        return dict(P=self.P, q=self.q, A=self.A, b=self.b, C=self.C, d=self.d,
                    P_storage=self.P_storage)

    def solve(self, solver="auto", **settings):
        return solve(solver=solver, **self.data(), **settings)

    def objective(self, z):
        """Objective in the file's sense at z, constant included."""
        z = _vector(z, "z", self.n)
        return float(L.dqp_qps_objective(self._h, _dptr(z)))

    def __repr__(self):
        return "QPS(name=%r, n=%d, m_eq=%d, m_ineq=%d, nnz(P)=%d)" % (
            self.name, self.n, self.b.size, self.d.size, self.P.nnz)


def _csc_from_c(cp, m, n):
    if not cp:
        return _sp.csc_matrix((m, n))
    c = cp.contents
    nnz = int(c.p[c.n]) if c.n >= 0 else 0
    indptr = np.ctypeslib.as_array(c.p, shape=(c.n + 1,)).copy()
    indices = (np.ctypeslib.as_array(c.i, shape=(nnz,)).copy() if nnz
               else np.zeros(0, dtype=np.int64))
    data = np.ctypeslib.as_array(c.x, shape=(nnz,)).copy() if nnz else np.zeros(0)
    return _sp.csc_matrix((data, indices, indptr), shape=(c.m, c.n))


def read_qps(path):
    """Read a QPS/MPS file into a dqp.QPS (canonical form, see dqp/qps.h)."""
    return QPS(path)
