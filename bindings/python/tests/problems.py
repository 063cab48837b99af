"""Random QPs with a known solution and a nondegenerate active set.

z0 is the solution; rows 0..n_act-1 of C are active (slack 0, mu > 0.5),
the others have slack >= 0.5; lam is arbitrary. q is set from stationarity,
P z0 + q + A'lam + C'mu = 0, so every quantity is known exactly and the
solution map is smooth (strict complementarity, LICQ when
m_eq + n_act < n and the rows are random)."""
import numpy as np
import scipy.sparse as sp


def random_qp(n=6, m_eq=1, m_ineq=5, n_act=2, seed=0, density=None):
    rng = np.random.default_rng(seed)
    M = rng.standard_normal((n, n))
    P = M @ M.T / n + np.eye(n)
    if density is None:
        A = rng.standard_normal((m_eq, n))
        C = rng.standard_normal((m_ineq, n))
    else:
        A = sp.random(m_eq, n, density=density, random_state=seed, format="csc").toarray()
        C = sp.random(m_ineq, n, density=density, random_state=seed + 1, format="csc").toarray()
        for M_ in (A, C):  # at least one entry per row
            for i in range(M_.shape[0]):
                if not M_[i].any():
                    M_[i, rng.integers(n)] = 1.0
    z0 = rng.standard_normal(n)
    lam = rng.standard_normal(m_eq)
    mu = np.zeros(m_ineq)
    mu[:n_act] = 0.5 + rng.random(n_act)
    slack = np.zeros(m_ineq)
    slack[n_act:] = 0.5 + rng.random(m_ineq - n_act)
    b = A @ z0
    d = C @ z0 + slack
    q = -(P @ z0 + A.T @ lam + C.T @ mu)
    return dict(P=P, q=q, A=A, b=b, C=C, d=d, z=z0, lam=lam, mu=mu)


def toy():
    P = 2.0 * np.eye(2)
    q = np.zeros(2)
    C = np.array([[-1.0, -1.0], [-1.0, 0.0], [0.0, -1.0]])
    d = np.array([-1.0, 0.0, 0.0])
    return P, q, C, d
