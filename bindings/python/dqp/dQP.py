"""PyTorch layer with the dQP API (the seed README):

    from dqp import dQP
    settings = dQP.build_settings(qp_solver="dense_as", lin_solver="auto", empty_batch=False)
    layer = dQP.dQP_layer(settings=settings)
    z, lam, mu, solve_time, total_time = layer(P, q, C, d, A=None, b=None)
    layer.active        # bool mask of the active rows of C

Inputs
  P (n, n), q (n,), C (m_ineq, n), d (m_ineq,), A (m_eq, n), b (m_eq,).
  * dense float64 tensors, optionally with a leading batch dimension
    ((B, n, n), (B, n), ...); inputs without it are shared by the batch;
  * sparse matrices: torch.sparse_coo tensors, torch.sparse_csc tensors, or
    dQP.SparseCSC(ccol_indices, row_indices, values, shape) (values a dense
    tensor: works on every torch version); a list of them (or of 2-D dense
    tensors) is a batch;
  * numpy arrays and scipy.sparse matrices are accepted as constants.
  Gradients reach every input that requires them: dense tensors, the
  values of sparse tensors (in their own stored order, explicit zeros
  included), and leaf sparse COO tensors.
  A sparse P holds both triangles (symmetric) unless the settings say
  P_storage="upper" (then an off-diagonal entry stands for P[i,j] and
  P[j,i]; see dqp/problem.h for the meaning of its gradient).
  Tensors must be float64 on the CPU; other dtypes raise TypeError (convert
  with .double()).

Outputs
  z (B, n), lam (B, m_eq), mu (B, m_ineq) -- without the batch dimension
  when the batch has size 1, unless empty_batch=True (then always with it);
  solve_time (seconds in the forward QP solver, summed over the batch) and
  total_time (wall time of the layer's forward) as floats.

Batches are solved and differentiated by dqp_batch_solve / dqp_batch_vjp,
one C handle per problem; with omp_parallel=True the loop runs on `threads`
OpenMP threads (0 = OpenMP default), else serially.

torch versions
  * torch 1.13 (Debian): COO tensors and SparseCSC work with autograd.
    torch 1.13 cannot backpropagate through to_sparse_csc(), nor into a
    sparse CSC leaf, and torch.sparse_csc_tensor(ccol, row, values) drops
    the autograd link to `values`. The layer recovers the COO source of
    `coo.to_sparse_csc()` when the COO tensor was built directly from leaf
    values (the seed README pattern); other CSC tensors that require grad
    raise a TypeError saying to pass the COO tensor or a SparseCSC.
  * torch >= 2: CSC tensors are read through values(), which autograd
    differentiates there (not tested here: Debian ships 1.13).
"""

import collections
import time

import numpy as np
import torch

from . import _core as core
from . import _lib as L
from ._errors import DQPError, DQPInputError
from ._settings import Settings, setting_names

_TORCH_VERSION = tuple(int(x) for x in torch.__version__.split(".")[:2] if x.isdigit())

SparseCSC = collections.namedtuple("SparseCSC", ["ccol_indices", "row_indices", "values", "shape"])
SparseCSC.__doc__ = """A CSC matrix whose values are an ordinary (dense 1-D) tensor, so that
autograd reaches them on every torch version. ccol_indices (n+1,), row_indices (nnz,) integer
tensors or arrays; values (nnz,) float64 tensor; shape (m, n)."""

PYTHON_SETTINGS = {
    "P_storage": "full",  # sparse P: "full" (both triangles) or "upper"
}


# --------------------------------------------------------------------------- settings


class LayerSettings:
    """Settings of a dQP layer: every C setting by name (dqp.setting_names())
    plus P_storage. qp_solver may also be a Python callable
    fn(P, q, A, b, C, d) -> z or (z, lam, mu) (numpy/scipy data; see
    dqp.solve). Item and attribute access both work."""

    def __init__(self, **kwargs):
        object.__setattr__(self, "c", Settings())
        object.__setattr__(self, "extra", dict(PYTHON_SETTINGS))
        object.__setattr__(self, "qp_callable", None)
        for k, v in kwargs.items():
            self[k] = v

    def __setitem__(self, name, value):
        if name in self.extra:
            if name == "P_storage" and value not in ("full", "upper"):
                raise ValueError('P_storage must be "full" or "upper", not %r' % (value,))
            self.extra[name] = value
        elif name == "qp_solver" and callable(value):
            object.__setattr__(self, "qp_callable", value)
            self.c["qp_solver"] = "auto"
        else:
            try:
                self.c[name] = value
            except DQPInputError as e:
                if e.status == L.ERR_UNKNOWN_NAME:
                    raise DQPInputError(
                        'unknown setting "%s"; valid: %s' % (
                            name, ", ".join(setting_names() + list(self.extra))), e.status
                    ) from None
                raise
            if name == "qp_solver":
                object.__setattr__(self, "qp_callable", None)

    def __getitem__(self, name):
        if name in self.extra:
            return self.extra[name]
        if name == "qp_solver" and self.qp_callable is not None:
            return self.qp_callable
        return self.c[name]

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name, value):
        self[name] = value

    def as_dict(self):
        d = self.c.as_dict()
        d.update(self.extra)
        if self.qp_callable is not None:
            d["qp_solver"] = self.qp_callable
        return d

    def __repr__(self):
        return "LayerSettings(%s)" % ", ".join("%s=%r" % kv for kv in self.as_dict().items())


def _probe(settings):
    """Fail early on unknown solver names: solve a one-variable QP."""
    if settings.qp_callable is not None:
        return
    pb = core.Problem(np.eye(1), np.zeros(1), C=np.ones((1, 1)), d=np.ones(1))
    h = core._Handle(settings.c, None, pb)
    st = L.dqp_solver_solve(h.ptr, pb.ptr)
    if st == L.ERR_UNKNOWN_NAME:
        raise DQPInputError(h.last_error(), st)


def build_settings(**kwargs):
    """Settings for dQP_layer: keywords are C settings by name (qp_solver,
    lin_solver, solve_type, eps_abs, eps_rel, eps_active, dual_available,
    normalize_constraints, refine_active, omp_parallel, threads, empty_batch,
    qp_solver_keywords (str or dict), verbose, time, check_PSD, weak_active,
    max_iter, time_limit, ...) plus P_storage. Unknown setting names and
    unknown solver names raise DQPInputError listing the valid ones."""
    s = LayerSettings(**kwargs)
    _probe(s)
    return s


# --------------------------------------------------------------------------- input parsing


def _check_tensor(t, name):
    if t.device.type != "cpu":
        raise TypeError("dQP layer: %s is on %s; dqp runs on the CPU (use .cpu())" % (name, t.device))
    if t.dtype != torch.float64:
        raise TypeError(
            "dQP layer: %s has dtype %s; dqp computes in float64: pass float64 tensors "
            "(e.g. x.double())" % (name, t.dtype))
    return t


def _to_tensor(x, name):
    """numpy / lists -> float64 tensor constant (documented numpy rule)."""
    if isinstance(x, torch.Tensor):
        return x
    return torch.tensor(core.as_float64(x, name))  # a copy: torch-owned memory


def _recover_coo(X):
    """torch < 2: find the COO tensor that X = coo.to_sparse_csc() was made from,
    when the COO tensor was built from leaf values (or is itself a leaf)."""
    gf = X.grad_fn
    if gf is None or "NotImplemented" not in gf.name():
        return None
    nxt = [f for f, _ in gf.next_functions if f is not None]
    if len(nxt) != 1:
        return None
    node = nxt[0]
    if type(node).__name__ == "AccumulateGrad":
        v = node.variable
        return v if v.layout == torch.sparse_coo else None
    if not type(node).__name__.startswith("SparseCooTensorWithDimsAndTensorsBackward"):
        return None
    vn = [f for f, _ in node.next_functions if f is not None]
    if len(vn) != 1 or type(vn[0]).__name__ != "AccumulateGrad":
        return None
    values = vn[0].variable
    try:
        idx = node._saved_indices
    except Exception:
        return None
    return torch.sparse_coo_tensor(idx, values, tuple(X.shape))


def _np_index(t):
    if isinstance(t, torch.Tensor):
        return t.detach().cpu().numpy().astype(np.int64, copy=False)
    return np.asarray(t, dtype=np.int64)


def _sparse_parts(X, name):
    """A sparse matrix -> (Pattern, values tensor in the pattern's input order)."""
    if isinstance(X, SparseCSC):
        shape = tuple(int(s) for s in X.shape)
        if len(shape) != 2:
            raise ValueError("dQP layer: %s: SparseCSC shape must be (m, n)" % name)
        pattern = core.Pattern.from_csc_arrays(_np_index(X.ccol_indices), _np_index(X.row_indices),
                                               shape)
        vals = _check_tensor(_to_tensor(X.values, name), name)
        if vals.dim() != 1:
            raise ValueError("dQP layer: %s: SparseCSC values must be 1-D" % name)
        return pattern, vals
    if X.layout == torch.sparse_coo:
        if X.sparse_dim() != 2 or X.dense_dim() != 0:
            raise ValueError("dQP layer: %s: a sparse COO input must be a 2-D matrix (use a list "
                             "of matrices for a batch), got sparse_dim=%d dense_dim=%d"
                             % (name, X.sparse_dim(), X.dense_dim()))
        _check_tensor(X, name)
        Xc = X.coalesce()  # differentiable; keeps explicit zeros
        idx = Xc.indices()
        vals = Xc.values()
        pattern = core.Pattern(_np_index(idx[0]), _np_index(idx[1]), tuple(X.shape))
        return pattern, vals
    if X.layout == torch.sparse_csc:
        _check_tensor(X, name)
        if X.requires_grad and _TORCH_VERSION < (2, 0):
            coo = _recover_coo(X)
            if coo is not None:
                pattern, vals = _sparse_parts(coo, name)
                ref = core.Pattern.from_csc_arrays(_np_index(X.ccol_indices()),
                                                   _np_index(X.row_indices()), tuple(X.shape))
                xv = ref.gather(X.values().detach().numpy())
                if (np.array_equal(ref.indptr, pattern.indptr)
                        and np.array_equal(ref.indices, pattern.indices)
                        and np.array_equal(xv, pattern.gather(vals.detach().numpy()))):
                    return pattern, vals
            raise TypeError(
                "dQP layer: %s is a sparse CSC tensor that requires grad, but torch %s cannot "
                "backpropagate into CSC tensors (to_sparse_csc() has no derivative, CSC leaves "
                "cannot receive gradients). Pass the COO tensor itself, or "
                "dQP.SparseCSC(ccol_indices, row_indices, values, shape) with a values tensor."
                % (name, torch.__version__))
        pattern = core.Pattern.from_csc_arrays(_np_index(X.ccol_indices()),
                                               _np_index(X.row_indices()), tuple(X.shape))
        return pattern, X.values()
    raise TypeError("dQP layer: %s has layout %s; use dense, sparse_coo or sparse_csc tensors "
                    "(or dQP.SparseCSC)" % (name, X.layout))


def _is_sparse_input(x):
    if isinstance(x, SparseCSC):
        return True
    if isinstance(x, torch.Tensor):
        return x.layout != torch.strided
    return core._is_sparse(x)


def _scipy_to_csc(x):
    c = x.tocsc() if x.format != "csc" else x
    return SparseCSC(c.indptr, c.indices, torch.tensor(core.as_float64(c.data, "data")), c.shape)


class _Entry:
    """One input of one batch element: a dense matrix/vector (tensor index,
    optional batch index) or a sparse matrix (tensor index, Pattern)."""

    __slots__ = ("kind", "tidx", "k", "pattern", "shape")

    def __init__(self, kind, tidx, k=None, pattern=None, shape=None):
        self.kind, self.tidx, self.k, self.pattern, self.shape = kind, tidx, k, pattern, shape


class _Spec:
    """Parsed inputs: flat list of tensors and, per key, the per-element
    entries (one shared entry when the key is not batched)."""

    def __init__(self):
        self.tensors = []
        self.entries = {}
        self.batched = {}
        self.B = None

    def add_tensor(self, t):
        self.tensors.append(t)
        return len(self.tensors) - 1

    def set_batch(self, B, name):
        if self.B is None:
            self.B = B
        elif self.B != B:
            raise ValueError("dQP layer: %s has batch size %d but another input has %d"
                             % (name, B, self.B))


def _parse_matrix(spec, key, x):
    if x is None:
        spec.entries[key] = None
        return
    if core._is_sparse(x):
        x = _scipy_to_csc(x)
    if isinstance(x, (list, tuple)) and not isinstance(x, SparseCSC):
        if len(x) == 0:
            raise ValueError("dQP layer: %s is an empty list" % key)
        spec.set_batch(len(x), key)
        spec.batched[key] = True
        spec.entries[key] = [_matrix_entry(spec, "%s[%d]" % (key, k), e) for k, e in enumerate(x)]
        return
    if _is_sparse_input(x):
        spec.batched[key] = False
        spec.entries[key] = [_matrix_entry(spec, key, x)]
        return
    t = _check_tensor(_to_tensor(x, key), key)
    if t.dim() == 2:
        spec.batched[key] = False
        spec.entries[key] = [_Entry("dense", spec.add_tensor(t), None, shape=tuple(t.shape[-2:]))]
    elif t.dim() == 3:
        spec.set_batch(t.shape[0], key)
        spec.batched[key] = True
        i = spec.add_tensor(t)
        spec.entries[key] = [_Entry("dense", i, k, shape=tuple(t.shape[-2:]))
                             for k in range(t.shape[0])]
    else:
        raise ValueError("dQP layer: %s must be a matrix (2-D) or a batch of matrices (3-D), "
                         "got shape %s" % (key, tuple(t.shape)))


def _matrix_entry(spec, name, x):
    if core._is_sparse(x):
        x = _scipy_to_csc(x)
    if _is_sparse_input(x):
        pattern, vals = _sparse_parts(x, name)
        return _Entry("sparse", spec.add_tensor(vals), None, pattern, (pattern.m, pattern.n))
    t = _check_tensor(_to_tensor(x, name), name)
    if t.dim() != 2:
        raise ValueError("dQP layer: %s must be a 2-D matrix, got shape %s" % (name, tuple(t.shape)))
    return _Entry("dense", spec.add_tensor(t), None, shape=tuple(t.shape))


def _parse_vector(spec, key, x):
    if x is None:
        spec.entries[key] = None
        return
    if isinstance(x, (list, tuple)) and len(x) and isinstance(x[0], torch.Tensor):
        x = torch.stack(list(x))
    t = _check_tensor(_to_tensor(x, key), key)
    if t.layout != torch.strided:
        raise TypeError("dQP layer: %s must be a dense vector" % key)
    i = spec.add_tensor(t)
    if t.dim() == 1:
        spec.batched[key] = False
        spec.entries[key] = [_Entry("vec", i, None, shape=(t.shape[0],))]
    elif t.dim() == 2:
        spec.set_batch(t.shape[0], key)
        spec.batched[key] = True
        spec.entries[key] = [_Entry("vec", i, k, shape=(t.shape[1],)) for k in range(t.shape[0])]
    else:
        raise ValueError("dQP layer: %s must be a vector (1-D) or a batch of vectors (2-D), "
                         "got shape %s" % (key, tuple(t.shape)))


def _parse(P, q, C, d, A, b):
    if (A is None) != (b is None):
        raise ValueError("dQP layer: A and b must be given together")
    if (C is None) != (d is None):
        raise ValueError("dQP layer: C and d must be given together")
    spec = _Spec()
    _parse_matrix(spec, "P", P)
    _parse_vector(spec, "q", q)
    _parse_matrix(spec, "A", A)
    _parse_vector(spec, "b", b)
    _parse_matrix(spec, "C", C)
    _parse_vector(spec, "d", d)
    if spec.B is None:
        spec.B = 1
    # sizes
    if spec.entries["q"] is not None:
        n = spec.entries["q"][0].shape[0]
    elif spec.entries["P"] is not None:
        n = spec.entries["P"][0].shape[1]
    else:
        raise ValueError("dQP layer: give P or q")
    spec.n = n
    spec.m = {}
    for key, vec, rows_name in (("P", None, "n"), ("A", "b", "m_eq"), ("C", "d", "m_ineq")):
        ents = spec.entries[key]
        if ents is None:
            spec.m[key] = 0
            continue
        r0 = ents[0].shape[0]
        for k, e in enumerate(ents):
            r, c = e.shape
            where = key if len(ents) == 1 else "%s[%d]" % (key, k)
            if c != n or (key == "P" and r != n):
                raise ValueError("dQP layer: %s has shape (%d, %d), expected (%s, %d)"
                                 % (where, r, c, n if key == "P" else rows_name, n))
            if r != r0:
                raise ValueError("dQP layer: the matrices of %s have different row counts "
                                 "(%d and %d)" % (key, r0, r))
        spec.m[key] = r0
        if vec is not None:
            length = spec.entries[vec][0].shape[0]
            if length != r0:
                raise ValueError("dQP layer: %s has length %d but %s has %d rows"
                                 % (vec, length, key, r0))
    if spec.entries["q"] is not None and spec.entries["q"][0].shape[0] != n:
        raise ValueError("dQP layer: q has length %d, expected %d"
                         % (spec.entries["q"][0].shape[0], n))
    return spec


# --------------------------------------------------------------------------- the run


class _Run:
    """State of one forward pass (handles, problems) kept for backward."""

    def __init__(self, spec, settings):
        self.spec = spec
        self.settings = settings
        self.handles = None
        self.problems = None
        self.threads = 1
        self.solve_time = 0.0

    def element(self, arrays, key, k):
        ents = self.spec.entries[key]
        if ents is None:
            return None
        e = ents[k] if self.spec.batched[key] else ents[0]
        a = arrays[e.tidx]
        if e.kind == "vec":
            v = a[e.k] if e.k is not None else a
            if not np.all(np.isfinite(v)):
                raise DQPInputError("dQP layer: %s%s contains NaN or Inf"
                                    % (key, "" if e.k is None else "[%d]" % e.k), L.ERR_NONFINITE)
            return v
        if e.kind == "dense":
            M = a[e.k] if e.k is not None else a
            return core._Mat(key, dense=M)
        return core._Mat(key, pattern=e.pattern, values=e.pattern.gather(a))

    def forward(self, tensors):
        spec, s = self.spec, self.settings
        B = spec.B
        arrays = [np.ascontiguousarray(t.detach().numpy()) for t in tensors]
        problems, handles = [], []
        cache = {}
        for k in range(B):
            parts = {}
            for key in ("P", "q", "A", "b", "C", "d"):
                shared = spec.entries[key] is None or not spec.batched[key]
                if shared and key in cache:
                    parts[key] = cache[key]
                    continue
                parts[key] = self.element(arrays, key, k)
                if shared:
                    cache[key] = parts[key]
            try:
                pb = core.Problem.from_parts(spec.n, parts["P"], parts["q"], parts["A"],
                                             parts["b"], parts["C"], parts["d"],
                                             s["P_storage"])
            except DQPError as e:
                raise type(e)("dQP layer%s: %s" % (_where(k, B), e), e.status) from None
            problems.append(pb)
            handles.append(core._Handle(s.c, s.qp_callable, pb))
        self.problems, self.handles = problems, handles
        if s.qp_callable is not None or not s["omp_parallel"]:
            self.threads = 1
        else:
            self.threads = int(s["threads"])
        statuses = core.batch_solve(handles, problems, self.threads)
        for k, (h, st) in enumerate(zip(handles, statuses)):
            h.check(st, "dQP layer", _where(k, B))
            code = h.qp_status_code()
            if code not in (core.QP_SOLVED, core.QP_SOLVED_INACCURATE):
                raise DQPError("dQP layer%s: the forward solve ended with status %s: %s"
                               % (_where(k, B), L.decode(L.dqp_qp_status_string(code)),
                                  h.last_error()))
        # Outputs live in torch-owned memory, filled through numpy views: a
        # tensor wrapping a numpy array needs the GIL to die, which hangs the
        # interpreter's exit if autograd keeps one in a thread-local queue
        # (what torch 1.13 does after an error in a backward pass).
        n, meq, mineq = spec.n, spec.m["A"], spec.m["C"]
        outs = [torch.empty((B, k), dtype=torch.float64) for k in (n, meq, mineq)]
        Z, LAM, MU = (t.numpy() for t in outs)
        active = torch.zeros((B, mineq), dtype=torch.bool)
        act_np = active.numpy()
        infos = []
        for k, h in enumerate(handles):
            z, lam, mu, act = h.results()
            Z[k], LAM[k], MU[k] = z, lam, mu
            act_np[k, act] = True
            infos.append(h.info())
        self.infos = infos
        self.active = active
        self.solve_time = float(sum(i["solve_seconds"] for i in infos))
        return outs

    def backward(self, gz, glam, gmu, needs):
        spec = self.spec
        B = spec.B
        want = set()
        for key in ("P", "q", "A", "b", "C", "d"):
            ents = spec.entries[key]
            if ents is not None and any(needs[e.tidx] for e in ents):
                want.add(key)
        for k, h in enumerate(self.handles):
            if h.info()["derivative_status"] & core.DIFF_FAILED:
                raise DQPError("dQP layer backward%s: no derivative: %s"
                               % (_where(k, B), h.last_error()))
        grads, arrays = [], []
        for h in self.handles:
            g, a = h.grad_struct([k for k in "PqAbCd" if k in want])
            grads.append(g)
            arrays.append(a)

        def seeds(g):
            if g is None:
                return None
            g = np.ascontiguousarray(g.detach().numpy(), dtype=np.float64)
            return [g[k] for k in range(B)]

        statuses = core.batch_vjp(self.handles, seeds(gz), seeds(glam), seeds(gmu), grads,
                                  self.threads)
        for k, (h, st) in enumerate(zip(self.handles, statuses)):
            h.check(st, "dQP layer backward", _where(k, B))
        out = [None] * len(needs)
        for key in want:
            for k in range(B):
                e = spec.entries[key][k] if spec.batched[key] else spec.entries[key][0]
                if not needs[e.tidx]:
                    continue
                g = arrays[k][key]
                if e.kind == "sparse":
                    g = e.pattern.scatter(g)
                elif e.kind == "dense":
                    g = g.reshape(e.shape)
                # torch-owned gradient tensors (see forward), written through numpy views
                if out[e.tidx] is None:
                    shape = ((B,) + e.shape) if e.k is not None else g.shape
                    out[e.tidx] = torch.zeros(shape, dtype=torch.float64)
                view = out[e.tidx].numpy()
                if e.k is not None:  # slice of a batched tensor
                    view[e.k] = g
                else:  # shared by the batch (or a single problem): sum
                    view += g
        return out

    def release(self):
        self.handles = None
        self.problems = None


def _where(k, B):
    return "" if B == 1 else " (batch element %d)" % k


class _DQPFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx, run, *tensors):
        z, lam, mu = run.forward(tensors)
        ctx.run = run
        ctx.set_materialize_grads(False)
        return z, lam, mu

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, gz, glam, gmu):
        run = ctx.run
        needs = ctx.needs_input_grad[1:]
        if gz is None and glam is None and gmu is None:
            return (None,) + (None,) * len(needs)
        grads = run.backward(gz, glam, gmu, needs)
        res = [None]
        for i, g in enumerate(grads):
            res.append(g if needs[i] else None)
        return tuple(res)


# --------------------------------------------------------------------------- the layer


class dQP_layer(torch.nn.Module):
    """Differentiable QP layer: forward(P, q, C, d, A=None, b=None) ->
    (z, lam, mu, solve_time, total_time). See the module docstring.

    After a forward: `active` (bool tensor (B, m_ineq), or (m_ineq,) without
    a batch dimension) marks the active rows of C; `info` is the list of
    per-problem dicts (statuses, derivative flags, timings, solver names);
    `derivative_status` the list of their derivative flags (0 = exact)."""

    def __init__(self, settings=None):
        super().__init__()
        if settings is None:
            settings = build_settings()
        elif isinstance(settings, dict):
            settings = build_settings(**settings)
        elif not isinstance(settings, LayerSettings):
            raise TypeError("dQP_layer: settings must come from dQP.build_settings")
        self.settings = settings
        self.active = None
        self.info = None
        self.derivative_status = None

    def forward(self, P, q, C=None, d=None, A=None, b=None):
        t0 = time.perf_counter()
        spec = _parse(P, q, C, d, A, b)
        run = _Run(spec, self.settings)
        tensors, spec.tensors = spec.tensors, None  # the run keeps no tensors (no cycles via ctx)
        needs_grad = torch.is_grad_enabled() and any(t.requires_grad for t in tensors)
        z, lam, mu = _DQPFunction.apply(run, *tensors)
        del tensors
        if not needs_grad:
            run.release()  # no backward will come: free the C handles now
        active = run.active
        if spec.B == 1 and not self.settings["empty_batch"]:
            z, lam, mu, active = z[0], lam[0], mu[0], active[0]
        self.active = active
        self.info = run.infos
        self.derivative_status = [i["derivative_status"] for i in run.infos]
        if self.settings["time"]:
            print("dQP layer: solve %.3g s, total %.3g s (batch %d)"
                  % (run.solve_time, time.perf_counter() - t0, spec.B))
        return z, lam, mu, run.solve_time, time.perf_counter() - t0
