"""Forward + backward time of the dQP PyTorch layer.

Problems are generated as in the OptNet/qpth and dQP comparisons: a random
positive definite P, a random q, random inequality constraints made feasible
by construction (d = C z0 + s0 with s0 ~ U(0, 1)).

  dense   n = 100, m_ineq = 50, P = L L' + 1e-3 I (L ~ U(0,1)), C ~ N(0,1):
          batch 1 and batch 64 (dense tensors (B, n, n) ...)
  sparse  n = 2000, m_ineq = 1000, C with 0.5% density (sparse COO tensor),
          P = (R + R')/2 made diagonally dominant (R with 0.25% density,
          so P has ~0.5%)

Each case: loss = sum(z) + sum(mu); time of layer(...) + loss.backward(),
median over repetitions, after one warm-up. The last line is
    summary dense_b1_ms=X dense_b64_ms=Y sparse_2000_ms=Z

Run from the repository root after building libdqp:
    PYTHONPATH=bindings/python /usr/bin/python3 bench/python/bench_layer.py [--reps N]
"""
import argparse
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import time  # noqa: E402

import numpy as np  # noqa: E402
import scipy.sparse as sp  # noqa: E402
import torch  # noqa: E402

import dqp  # noqa: E402
from dqp import dQP  # noqa: E402

dt = torch.float64


def dense_problems(B, n=100, m=50, seed=0):
    rng = np.random.default_rng(seed)
    L = rng.random((B, n, n))
    P = L @ L.transpose(0, 2, 1) + 1e-3 * np.eye(n)
    q = rng.standard_normal((B, n))
    C = rng.standard_normal((B, m, n))
    z0 = rng.standard_normal((B, n))
    s0 = rng.random((B, m))
    d = np.einsum("bmn,bn->bm", C, z0) + s0
    return P, q, C, d


def sparse_problem(n=2000, m=1000, density=0.005, seed=0):
    rng = np.random.default_rng(seed)
    R = sp.random(n, n, density=density / 2, random_state=seed, format="csc")
    R.data = rng.standard_normal(R.nnz)
    S = (R + R.T) * 0.5
    P = (S + sp.diags(np.asarray(abs(S).sum(axis=1)).ravel() + 1.0)).tocoo()
    C = sp.random(m, n, density=density, random_state=seed + 1, format="coo")
    C.data = rng.standard_normal(C.nnz)
    q = rng.standard_normal(n)
    z0 = rng.standard_normal(n)
    d = C @ z0 + rng.random(m)
    return P, q, C, d


def coo_parts(M):
    idx = torch.tensor(np.vstack([M.row, M.col]), dtype=torch.long)
    vals = torch.tensor(M.data, dtype=dt, requires_grad=True)
    return idx, vals


def timed(fn, reps):
    fn()  # warm-up
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return 1e3 * float(np.median(times)), 1e3 * float(np.min(times))


def run_dense(B, reps, layer):
    P, q, C, d = dense_problems(B)
    if B == 1:
        P, q, C, d = P[0], q[0], C[0], d[0]
    ts = [torch.tensor(a, dtype=dt, requires_grad=True) for a in (P, q, C, d)]

    def step():
        for t in ts:
            t.grad = None
        z, lam, mu, _, _ = layer(*ts)
        (z.sum() + mu.sum()).backward()

    return timed(step, reps)


def run_sparse(reps, layer):
    P, q, C, d = sparse_problem()
    Pidx, Pv = coo_parts(P)
    Cidx, Cv = coo_parts(C)
    qt = torch.tensor(q, dtype=dt, requires_grad=True)
    d_t = torch.tensor(d, dtype=dt, requires_grad=True)
    info = {}

    def step():  # sparse tensors built from their value tensors, as in training
        Pt = torch.sparse_coo_tensor(Pidx, Pv, P.shape)
        Ct = torch.sparse_coo_tensor(Cidx, Cv, C.shape)
        z, lam, mu, _, _ = layer(Pt, qt, Ct, d_t)
        (z.sum() + mu.sum()).backward()
        info.update(layer.info[0])

    ms = timed(step, reps)
    return ms, info, P.nnz, C.nnz


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=10)
    ap.add_argument("--sparse-solver", default="auto", help="qp_solver of the sparse case")
    ap.add_argument("--sparse-lin-solver", default="auto", help="lin_solver of the sparse case")
    args = ap.parse_args()
    print("dqp %s (%s), torch %s, OPENBLAS_NUM_THREADS=%s, solvers %s"
          % (dqp.__version__, dqp.library_path, torch.__version__,
             os.environ.get("OPENBLAS_NUM_THREADS"), dqp.qp_solvers()))

    serial = dQP.dQP_layer(settings=dQP.build_settings(qp_solver="auto"))
    parallel = dQP.dQP_layer(settings=dQP.build_settings(qp_solver="auto", omp_parallel=True,
                                                         threads=0))
    b1, b1min = run_dense(1, args.reps, serial)
    print("dense  n=100 m=50  batch 1   forward+backward  median %8.2f ms  (min %.2f)  "
          "solver %s" % (b1, b1min, serial.info[0]["qp_solver"]))
    b64s, b64smin = run_dense(64, args.reps, serial)
    print("dense  n=100 m=50  batch 64  forward+backward  median %8.2f ms  (min %.2f)  serial"
          % (b64s, b64smin))
    b64, b64min = run_dense(64, args.reps, parallel)
    print("dense  n=100 m=50  batch 64  forward+backward  median %8.2f ms  (min %.2f)  "
          "OpenMP, %d threads available" % (b64, b64min, os.cpu_count()))
    sparse_layer = dQP.dQP_layer(settings=dQP.build_settings(
        qp_solver=args.sparse_solver, lin_solver=args.sparse_lin_solver))
    (sms, smin), info, nnzP, nnzC = run_sparse(max(3, args.reps // 3), sparse_layer)
    print("sparse n=2000 m=1000 nnz(P)=%d nnz(C)=%d  forward+backward  median %8.2f ms  "
          "(min %.2f)  solver %s, lin_solver %s, |J|=%d, solve %.1f ms, setup %.1f ms"
          % (nnzP, nnzC, sms, smin, info["qp_solver"], info["lin_solver"], info["n_active"],
             1e3 * info["solve_seconds"], 1e3 * info["setup_seconds"]))
    best64 = min(b64, b64s)
    print("summary dense_b1_ms=%.2f dense_b64_ms=%.2f sparse_2000_ms=%.2f" % (b1, best64, sms))


if __name__ == "__main__":
    main()
