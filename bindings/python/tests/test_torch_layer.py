"""PyTorch layer: seed example, gradcheck (dense/sparse/batched), batch vs loop,
empty_batch, callable solver, bad input."""
import os
import re
import subprocess
import sys
import warnings

import numpy as np
import pytest
import scipy.sparse as sp

import torch  # noqa: E402 (Debian python3-torch, installed by scripts/install-deps.sh)

import dqp  # noqa: E402
from dqp import dQP  # noqa: E402
from conftest import PKG_ROOT, REPO  # noqa: E402
from problems import random_qp, toy  # noqa: E402

warnings.filterwarnings("ignore", message="Sparse CSR tensor support is in beta state")
T = lambda a, g=True: torch.tensor(np.asarray(a), dtype=torch.float64, requires_grad=g)  # noqa


def layer_of(**kw):
    kw.setdefault("qp_solver", "dense_as")
    return dQP.dQP_layer(settings=dQP.build_settings(**kw))


# --------------------------------------------------------------------------- seed example


def test_seed_example_script_prints_the_analytic_values():
    env = dict(os.environ, PYTHONPATH=PKG_ROOT)
    out = subprocess.run([sys.executable, os.path.join(REPO, "examples", "seed_toy.py")],
                         env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    vals = {}
    for line in out.stdout.splitlines():
        m = re.match(r"\s*(dQP|Analytical) ([^:]*?):\s*\[(.*)\]", line)
        if m:
            vals[(m.group(1), m.group(2).strip())] = np.array(
                [float(x) for x in m.group(3).replace(",", " ").split()])
    pairs = [("z*", "z*"), ("μ*", "μ*"), ("∇_P L", "∇_P L"), ("∇_q L", "∇_q L"),
             ("∇_C L", "∇_C L"), ("∇_d L", "∇_d L")]
    for mine, ref in pairs:
        assert ("dQP", mine) in vals and ("Analytical", ref) in vals, out.stdout
        np.testing.assert_allclose(vals[("dQP", mine)], vals[("Analytical", ref)], atol=1e-9)
    assert "dQP active set J: tensor([ True, False, False])" in out.stdout


@pytest.mark.parametrize("form", ["coo", "to_csc", "SparseCSC", "dense"])
def test_seed_toy_in_process_all_input_forms(form):
    vals_P = T([2.0, 2.0])
    vals_C = T([-1.0, -1.0, -1.0, -1.0])
    q, d = T([0.0, 0.0]), T([-1.0, 0.0, 0.0])
    rP, cP = torch.LongTensor([0, 1]), torch.LongTensor([0, 1])
    rC, cC = torch.LongTensor([0, 0, 1, 2]), torch.LongTensor([0, 1, 0, 1])
    Pcoo = torch.sparse_coo_tensor(torch.stack([rP, cP]), vals_P, size=(2, 2))
    Ccoo = torch.sparse_coo_tensor(torch.stack([rC, cC]), vals_C, size=(3, 2))
    if form == "coo":
        Pin, Cin = Pcoo, Ccoo
    elif form == "to_csc":
        Pin, Cin = Pcoo.to_sparse_csc(), Ccoo.to_sparse_csc()
    elif form == "SparseCSC":  # CSC order of C: (0,0), (1,0), (0,1), (2,1)
        Pin = dQP.SparseCSC([0, 1, 2], [0, 1], vals_P, (2, 2))
        Cin = dQP.SparseCSC([0, 2, 4], [0, 1, 0, 2], vals_C[[0, 2, 1, 3]], (3, 2))
    else:
        Pin, Cin = Pcoo.to_dense(), Ccoo.to_dense()
    layer = layer_of(qp_solver="auto", lin_solver="auto")
    z, lam, mu, st, tt = layer(Pin, q, Cin, d)
    assert isinstance(st, float) and isinstance(tt, float) and tt >= 0
    assert z.shape == (2,) and lam.shape == (0,) and mu.shape == (3,)
    np.testing.assert_allclose(z.detach().numpy(), [0.5, 0.5], atol=1e-10)
    np.testing.assert_allclose(mu.detach().numpy(), [1.0, 0.0, 0.0], atol=1e-10)
    assert layer.active.tolist() == [True, False, False]
    L = 0.5 * z @ (torch.sparse.mm(Pcoo, z.unsqueeze(1)).squeeze(1)) + q @ z
    L.backward()
    np.testing.assert_allclose(vals_P.grad.numpy(), [0.125, 0.125], atol=1e-10)
    np.testing.assert_allclose(q.grad.numpy(), [0.5, 0.5], atol=1e-10)
    np.testing.assert_allclose(vals_C.grad.numpy(), [0.5, 0.5, 0.0, 0.0], atol=1e-10)
    np.testing.assert_allclose(d.grad.numpy(), [-1.0, 0.0, 0.0], atol=1e-10)


# --------------------------------------------------------------------------- gradcheck


def _dense_inputs(pr):
    return [T(pr[k]) for k in ("P", "q", "A", "b", "C", "d")]


def test_gradcheck_dense_through_z_lam_mu():
    pr = random_qp(n=5, m_eq=1, m_ineq=4, n_act=2, seed=1)
    layer = layer_of()

    def f(Praw, q, A, b, C, d):
        P = 0.5 * (Praw + Praw.T)  # gradcheck perturbs single entries
        z, lam, mu, _, _ = layer(P, q, C, d, A, b)
        return z, lam, mu

    assert torch.autograd.gradcheck(f, _dense_inputs(pr), eps=1e-6, atol=1e-6, rtol=1e-5)


def test_gradcheck_dense_batched_with_shared_inputs():
    B = 3
    prs = [random_qp(n=4, m_eq=1, m_ineq=3, n_act=1, seed=10 + k) for k in range(B)]
    # shared C and A: rebuild the problems around the first one's matrices
    A, C = prs[0]["A"], prs[0]["C"]
    P = np.stack([p["P"] for p in prs])
    zs = np.stack([p["z"] for p in prs])
    q = np.stack([-(p["P"] @ z + A.T @ p["lam"] + C.T @ p["mu"]) for p, z in zip(prs, zs)])
    b = zs @ A.T
    d = zs @ C.T + np.stack([np.r_[0.0, 0.7, 0.9] for _ in range(B)])
    layer = layer_of(omp_parallel=True, threads=2)

    def f(Praw, q, A, b, C, d):
        P = 0.5 * (Praw + Praw.transpose(1, 2))
        z, lam, mu, _, _ = layer(P, q, C, d, A, b)
        return z, lam, mu

    inputs = [T(P), T(q), T(A), T(b), T(C), T(d)]
    z, lam, mu = f(*inputs)
    assert z.shape == (B, 4) and lam.shape == (B, 1) and mu.shape == (B, 3)
    np.testing.assert_allclose(z.detach().numpy(), zs, atol=1e-9)
    assert torch.autograd.gradcheck(f, inputs, eps=1e-6, atol=1e-6, rtol=1e-5)


def test_gradcheck_sparse_values_coo_csc_and_upper_P():
    pr = random_qp(n=6, m_eq=1, m_ineq=5, n_act=2, seed=4, density=0.5)
    Pu = sp.triu(sp.csc_matrix(pr["P"])).tocoo()
    A = sp.csc_matrix(pr["A"])
    C = sp.coo_matrix(pr["C"])
    layer = layer_of(P_storage="upper")
    Pidx = torch.tensor(np.vstack([Pu.row, Pu.col]), dtype=torch.long)
    Cidx = torch.tensor(np.vstack([C.row, C.col]), dtype=torch.long)

    def f(Pv, q, Av, b, Cv, d):
        P = torch.sparse_coo_tensor(Pidx, Pv, (6, 6))
        Cm = torch.sparse_coo_tensor(Cidx, Cv, C.shape)
        Am = dQP.SparseCSC(A.indptr, A.indices, Av, A.shape)
        z, lam, mu, _, _ = layer(P, q, Cm, d, Am, b)
        return z, lam, mu

    inputs = [T(Pu.data), T(pr["q"]), T(A.data), T(pr["b"]), T(C.data), T(pr["d"])]
    z = f(*inputs)[0]
    np.testing.assert_allclose(z.detach().numpy(), pr["z"], atol=1e-9)
    assert torch.autograd.gradcheck(f, inputs, eps=1e-6, atol=1e-6, rtol=1e-5)


def test_gradcheck_sparse_batch_as_list():
    prs = [random_qp(n=4, m_eq=0, m_ineq=3, n_act=1, seed=30 + k, density=0.7) for k in range(2)]
    Cs = [sp.coo_matrix(p["C"]) for p in prs]
    idx = [torch.tensor(np.vstack([c.row, c.col]), dtype=torch.long) for c in Cs]
    layer = layer_of()

    def f(P, q, c0, c1, d):
        C = [torch.sparse_coo_tensor(idx[0], c0, (3, 4)), torch.sparse_coo_tensor(idx[1], c1, (3, 4))]
        z, lam, mu, _, _ = layer(0.5 * (P + P.transpose(1, 2)), q, C, d)
        return z, mu

    inputs = [T(np.stack([p["P"] for p in prs])), T(np.stack([p["q"] for p in prs])),
              T(Cs[0].data), T(Cs[1].data), T(np.stack([p["d"] for p in prs]))]
    z, mu = f(*inputs)
    np.testing.assert_allclose(z.detach().numpy(), np.stack([p["z"] for p in prs]), atol=1e-9)
    assert torch.autograd.gradcheck(f, inputs, eps=1e-6, atol=1e-6, rtol=1e-5)


def test_sparse_coo_leaf_and_explicit_zero_get_gradients():
    P, q, C, d = toy()
    # explicit zero at (1, 1) of C, stored; C is a leaf COO tensor requiring grad
    idx = torch.tensor([[0, 0, 1, 1, 2], [0, 1, 0, 1, 1]])
    Cv = torch.tensor([-1.0, -1.0, -1.0, 0.0, -1.0], dtype=torch.float64)
    Cl = torch.sparse_coo_tensor(idx, Cv, (3, 2), requires_grad=True)
    dz = torch.tensor([1.0, 3.0], dtype=torch.float64)
    z, lam, mu, _, _ = layer_of()(T(P, False), T(q, False), Cl, T(d, False))
    (z @ dz + mu[0]).backward()
    g = Cl.grad.coalesce()
    assert g.indices().tolist() == idx.tolist()
    sol = dqp.solve(P, q, C=C, d=d)
    ref = sol.vjp(dz=dz.numpy(), dmu=np.array([1.0, 0, 0]))["C"]
    np.testing.assert_allclose(g.values().numpy(), ref[idx[0].numpy(), idx[1].numpy()], atol=1e-12)


# --------------------------------------------------------------------------- batches


@pytest.mark.parametrize("parallel", [False, True])
def test_batch_equals_loop(parallel):
    B, n = 6, 7
    prs = [random_qp(n=n, m_eq=2, m_ineq=6, n_act=3, seed=100 + k) for k in range(B)]
    stack = lambda k: np.stack([p[k] for p in prs])  # noqa: E731
    rng = np.random.default_rng(0)
    wz, wl, wm = rng.standard_normal((B, n)), rng.standard_normal((B, 2)), rng.standard_normal((B, 6))
    layer = layer_of(omp_parallel=parallel, threads=3)

    def loss(out, k=None):
        z, lam, mu = out[:3]
        sl = slice(None) if k is None else k
        return (z * torch.from_numpy(wz[sl])).sum() + (lam * torch.from_numpy(wl[sl])).sum() + (
            mu * torch.from_numpy(wm[sl])).sum()

    batch_in = [T(stack(k)) for k in ("P", "q", "A", "b", "C", "d")]
    out = layer(batch_in[0], batch_in[1], batch_in[4], batch_in[5], batch_in[2], batch_in[3])
    loss(out).backward()
    for k in range(B):
        single = [T(prs[k][key]) for key in ("P", "q", "A", "b", "C", "d")]
        o = layer_of()(single[0], single[1], single[4], single[5], single[2], single[3])
        for a, b_ in zip(o[:3], out[:3]):
            np.testing.assert_array_equal(a.detach().numpy(), b_[k].detach().numpy())
        loss(o, k).backward()
        for s_in, b_in in zip(single, batch_in):
            np.testing.assert_allclose(s_in.grad.numpy(), b_in.grad[k].numpy(), rtol=0, atol=1e-13)


def test_empty_batch_semantics():
    P, q, C, d = toy()
    args = (T(P, False), T(q, False), T(C, False), T(d, False))
    z = layer_of(empty_batch=False)(*args)[0]
    assert z.shape == (2,)
    lay = layer_of(empty_batch=True)
    z, lam, mu, _, _ = lay(*args)
    assert z.shape == (1, 2) and lam.shape == (1, 0) and mu.shape == (1, 3)
    assert lay.active.shape == (1, 3)
    # a batch of size 1 given with its batch dimension: kept only with empty_batch
    bargs = (T(P[None], False), T(q[None], False), T(C, False), T(d, False))
    assert layer_of(empty_batch=False)(*bargs)[0].shape == (2,)
    assert layer_of(empty_batch=True)(*bargs)[0].shape == (1, 2)
    # batch of 2 always keeps it
    b2 = (T(np.stack([P, P]), False), T(q, False), T(C, False), T(d, False))
    lay = layer_of(empty_batch=False)
    assert lay(*b2)[0].shape == (2, 2)
    assert lay.active.shape == (2, 3)


# --------------------------------------------------------------------------- callable solver


def test_cvxopt_callable_in_the_layer_matches_dense_as():
    import cvxopt
    from cvxopt import matrix, solvers

    def qp(P, q, A, b, C, d):
        solvers.options.update(show_progress=False, abstol=1e-11, reltol=1e-11, feastol=1e-11)
        r = cvxopt.solvers.qp(matrix(P), matrix(q), matrix(C), matrix(d), matrix(A), matrix(b))
        return np.array(r["x"]).ravel(), np.array(r["y"]).ravel(), np.array(r["z"]).ravel()

    prs = [random_qp(n=5, m_eq=1, m_ineq=4, n_act=2, seed=200 + k) for k in range(3)]
    stack = lambda k: np.stack([p[k] for p in prs])  # noqa: E731
    grads = []
    for solver in (qp, "dense_as"):
        inp = [T(stack(k)) for k in ("P", "q", "A", "b", "C", "d")]
        lay = dQP.dQP_layer(settings=dQP.build_settings(qp_solver=solver, omp_parallel=True))
        z, lam, mu, _, _ = lay(inp[0], inp[1], inp[4], inp[5], inp[2], inp[3])
        (z.sum() + lam.sum() + (mu ** 2).sum()).backward()
        grads.append([z.detach().numpy(), mu.detach().numpy()] + [t.grad.numpy() for t in inp])
        if solver is qp:
            assert all(i["qp_solver"] == "callback" for i in lay.info)
    for a, b in zip(*grads):
        np.testing.assert_allclose(a, b, atol=1e-6)


def test_callable_exception_in_the_layer_is_reraised():
    P, q, C, d = toy()

    def bad(*a):
        raise KeyError("no solver here")

    lay = dQP.dQP_layer(settings=dQP.build_settings(qp_solver=bad))
    with pytest.raises(KeyError, match="no solver here"):
        lay(T(P), T(q), T(C), T(d))


# --------------------------------------------------------------------------- bad input


def _toy_tensors(g=False):
    P, q, C, d = toy()
    return T(P, g), T(q, g), T(C, g), T(d, g)


def test_bad_input_gives_exceptions_with_clear_messages():
    P, q, C, d = _toy_tensors()
    lay = layer_of()
    with pytest.raises(TypeError, match="float64"):
        lay(P.float(), q, C, d)
    with pytest.raises(TypeError, match="float64"):
        lay(P, q, C, d.float())
    with pytest.raises(ValueError, match="C has shape"):
        lay(P, q, C[:, :1], d)
    with pytest.raises(ValueError, match="d has length 2"):
        lay(P, q, C, d[:2])
    with pytest.raises(ValueError, match=r"P has shape \(2, 2\), expected \(3, 3\)"):
        lay(P, torch.zeros(3, dtype=torch.float64), C, d)
    with pytest.raises(ValueError, match="batch size"):
        lay(torch.stack([P, P]), torch.stack([q, q, q]), C, d)
    with pytest.raises(ValueError, match="differs"):
        lay(P + torch.tensor([[0, 1.0], [0, 0]], dtype=torch.float64), q, C, d)
    with pytest.raises(ValueError, match="NaN"):
        lay(P, q, C, torch.tensor([np.nan, 0, 0], dtype=torch.float64))
    with pytest.raises(ValueError, match="non-finite value nan"):
        lay(P * float("nan"), q, C, d)
    with pytest.raises(ValueError, match=r"batch element 1\): P: non-finite"):
        lay(torch.stack([P, P * float("nan")]), q, C, d)
    with pytest.raises(ValueError, match="together"):
        lay(P, q, C, d, A=torch.ones(1, 2, dtype=torch.float64))
    with pytest.raises(ValueError, match="2-D"):
        lay(P, q, C, d, A=[torch.ones(1, 2, 2, dtype=torch.float64)], b=torch.ones(1, 1))
    with pytest.raises(dqp.DQPError, match="primal_infeasible"):
        lay(P, q, torch.tensor([[1.0, 0], [-1.0, 0]], dtype=torch.float64),
            torch.tensor([-1.0, -1.0], dtype=torch.float64))


def test_unknown_names_list_the_valid_ones():
    with pytest.raises(ValueError, match=r'unknown qp_solver "osqp"; valid: auto, dense_as'):
        dQP.build_settings(qp_solver="osqp")
    with pytest.raises(ValueError, match=r"valid names: auto, ldl"):
        dQP.build_settings(lin_solver="qdldl")
    with pytest.raises(ValueError, match="P_storage"):
        dQP.build_settings(bogus=1)


def test_csc_tensor_that_cannot_carry_gradients_is_refused_on_old_torch():
    if dQP._TORCH_VERSION >= (2, 0):
        pytest.skip("torch >= 2 differentiates CSC values")
    P, q, C, d = _toy_tensors()
    vals = T([-1.0, -1.0, -1.0, -1.0])
    # CSC leaf requiring grad: torch 1.13 cannot accumulate a CSC gradient
    Cl = torch.sparse_csc_tensor(torch.tensor([0, 2, 4]), torch.tensor([0, 1, 0, 2]),
                                 vals.detach(), (3, 2), requires_grad=True)
    with pytest.raises(TypeError, match="SparseCSC"):
        layer_of()(P, q, Cl, d)
    # COO built from non-leaf values, then to_sparse_csc(): not recoverable
    Cx = torch.sparse_coo_tensor(torch.tensor([[0, 0, 1, 2], [0, 1, 0, 1]]), vals * 1.0, (3, 2))
    with pytest.raises(TypeError, match="to_sparse_csc"):
        layer_of()(P, q, Cx.to_sparse_csc(), d)
    # without gradients a CSC tensor is fine
    z = layer_of()(P, q, Cx.detach().to_sparse_csc(), d)[0]
    np.testing.assert_allclose(z.numpy(), [0.5, 0.5], atol=1e-10)


def test_no_grad_forward_and_numpy_inputs():
    P, q, C, d = toy()
    with torch.no_grad():
        z = layer_of()(P, q, sp.csc_matrix(C), d)[0]
    np.testing.assert_allclose(z.numpy(), [0.5, 0.5], atol=1e-10)


def test_interpreter_exits_after_an_error_in_backward():
    # torch 1.13 keeps pending gradients in a thread-local queue when a
    # backward pass fails; gradient tensors wrapping numpy memory then hang
    # the interpreter's exit. The layer's tensors are torch-owned.
    script = r"""
import torch
from dqp import dQP
idx = torch.tensor([[0, 1, 2, 0], [0, 1, 2, 2]])
v = torch.tensor([2.0, 2.0, 2.0, 0.5], dtype=torch.float64, requires_grad=True)
P = torch.sparse_coo_tensor(idx, v, (3, 3))
q = torch.zeros(3, dtype=torch.float64, requires_grad=True)
cv = torch.tensor([-1.0, -1.0, -1.0, 1.0], dtype=torch.float64, requires_grad=True)
C = torch.sparse_coo_tensor(torch.tensor([[0, 0, 0, 1], [0, 1, 2, 0]]), cv, (2, 3))
d = torch.tensor([-1.0, 5.0], dtype=torch.float64, requires_grad=True)
layer = dQP.dQP_layer(settings=dQP.build_settings(qp_solver="dense_as", P_storage="upper"))
for _ in range(2):  # the second backward through the sparse graphs fails
    z, lam, mu, _, _ = layer(P, q, C, d)
    (z.sum() + mu.sum()).backward()
"""
    env = dict(os.environ, PYTHONPATH=PKG_ROOT)
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True,
                         timeout=90)  # hangs (TimeoutExpired) when the bug is back
    assert out.returncode == 1
    assert "backward through the graph a second time" in out.stderr


@pytest.mark.parametrize("solver", dqp.qp_solvers(quadratic_only=True))
def test_every_registered_solver_through_the_layer(solver):
    pr = random_qp(n=6, m_eq=1, m_ineq=5, n_act=2, seed=77, density=0.6)
    ins = [T(pr[k]) for k in ("P", "q", "A", "b", "C", "d")]
    outs = {}
    for name in (solver, "dense_as"):
        for t in ins:
            t.grad = None
        lay = layer_of(qp_solver=name)
        Cs = ins[4].to_sparse()  # sparse COO C
        z, lam, mu, _, _ = lay(ins[0], ins[1], Cs, ins[5], ins[2], ins[3])
        assert lay.info[0]["qp_solver"] == name
        (z @ torch.arange(6.0, dtype=torch.float64) + lam.sum() + mu.sum()).backward()
        outs[name] = [z.detach().numpy(), mu.detach().numpy()] + [t.grad.numpy().copy() for t in ins]
    np.testing.assert_allclose(outs[solver][0], pr["z"], atol=1e-6)
    for a, b in zip(outs[solver], outs["dense_as"]):
        np.testing.assert_allclose(a, b, atol=1e-5)
