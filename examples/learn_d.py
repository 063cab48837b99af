"""Learn the constraint offsets d of a QP layer by gradient descent.

The layer maps a point x to its projection onto the polytope {z : C z <= d}:

    z*(x; d) = argmin 1/2 |z - x|^2   s.t.  C z <= d       (P = I, q = -x)

Targets are projections with unknown offsets d_true. Starting from d = 1,
Adam fits d so that the layer reproduces the targets on a batch of points;
the loss goes to ~0 and d to d_true on the rows that are ever active.

Run from the repository root after building libdqp:
    PYTHONPATH=bindings/python /usr/bin/python3 examples/learn_d.py
"""
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import torch  # noqa: E402

from dqp import dQP  # noqa: E402

torch.manual_seed(0)
rng = np.random.default_rng(0)
n, m, batch = 4, 12, 64
dt = torch.float64

# Polytope: m random unit normals; true offsets in [0.5, 1.5].
C = torch.tensor(rng.standard_normal((m, n)), dtype=dt)
C = C / C.norm(dim=1, keepdim=True)
d_true = torch.tensor(0.5 + rng.random(m), dtype=dt)
P = torch.eye(n, dtype=dt)
x = 2.0 * torch.randn(batch, n, dtype=dt)  # points, many outside the polytope

layer = dQP.dQP_layer(settings=dQP.build_settings(
    qp_solver="dense_as", lin_solver="auto", omp_parallel=True, empty_batch=True))

with torch.no_grad():
    target, _, _, _, _ = layer(P, -x, C, d_true)

d = torch.ones(m, dtype=dt, requires_grad=True)
opt = torch.optim.Adam([d], lr=0.05)
first = last = None
for it in range(151):
    opt.zero_grad()
    z, lam, mu, _, _ = layer(P, -x, C, d)
    loss = ((z - target) ** 2).sum(dim=1).mean()
    loss.backward()
    opt.step()
    first = loss.item() if first is None else first
    last = loss.item()
    if it % 15 == 0:
        rows = layer.active.any(0)  # rows active for some point: the ones d can learn
        err = (d - d_true).abs()[rows].max().item()
        print("iter %3d  loss %.3e  max |d - d_true| on the %d active rows %.3e"
              % (it, last, int(rows.sum()), err))

used = (layer.active.any(0)).numpy()
print("loss %.3e -> %.3e; rows active at the end: %d of %d; max |d - d_true| on them %.2e"
      % (first, last, used.sum(), m, (d - d_true).abs().detach().numpy()[used].max()))
