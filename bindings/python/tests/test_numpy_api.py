"""numpy/scipy API: values, signs, derivatives, sparse patterns, callbacks, QPS, errors."""
import os

import numpy as np
import pytest
import scipy.sparse as sp

import dqp
from conftest import REPO
from problems import random_qp, toy

TOL = 1e-8
SOLVERS = dqp.qp_solvers(quadratic_only=True)
LP_ONLY = sorted(set(dqp.qp_solvers()) - set(SOLVERS))
# accuracy of the forward solvers on the small well-conditioned test problems
SOLVER_TOL = {"dense_as": 1e-8}


def test_solver_lists():
    assert "dense_as" in SOLVERS and "ipm" in SOLVERS
    assert "ldl" in dqp.lin_solvers()
    with pytest.raises(ValueError) as e:
        dqp.solve(np.eye(1), np.zeros(1), solver="nope")
    for name in dqp.qp_solvers():
        assert name in str(e.value)


@pytest.mark.parametrize("solver", LP_ONLY or ["none"])
def test_lp_only_solvers_refuse_qps_and_solve_lps(solver):
    if solver == "none":  # every solver of this build takes QPs: nothing to refuse
        assert set(SOLVERS) == set(dqp.qp_solvers())
        return
    P, q, C, d = toy()
    with pytest.raises(dqp.DQPError) as e:
        dqp.solve(P, q, C=C, d=d, solver=solver)
    assert "quadratic objectives are not supported" in str(e.value)
    # min z0 + z1 s.t. z >= 0, z0 + z1 >= 1: optimal value 1
    C = np.array([[-1.0, 0.0], [0.0, -1.0], [-1.0, -1.0]])
    sol = dqp.solve(np.zeros((2, 2)), np.array([1.0, 2.0]), C=C, d=np.array([0.0, 0.0, -1.0]),
                    solver=solver)
    np.testing.assert_allclose(sol.z, [1.0, 0.0], atol=1e-8)


def test_settings_come_from_the_library():
    names = dqp.setting_names()
    for name in ("qp_solver", "lin_solver", "eps_active", "empty_batch", "weak_active"):
        assert name in names
    s = dqp.Settings(eps_active=1e-6, refine_active=True, qp_solver_keywords={"a": 1, "b": "x"})
    assert s["eps_active"] == 1e-6
    assert s["refine_active"] == 1
    assert s["qp_solver_keywords"] == "a=1,b=x"
    assert set(s.as_dict()) == set(names)
    assert dqp.setting_help("eps_active")


def test_toy_dense_and_sparse_values():
    P, q, C, d = toy()
    for Pm, Cm in ((P, C), (sp.csc_matrix(P), sp.csc_matrix(C))):
        sol = dqp.solve(Pm, q, C=Cm, d=d, solver="dense_as")
        assert sol.status == "solved"
        assert sol.derivative_status == dqp.DIFF_REGULAR
        np.testing.assert_allclose(sol.z, [0.5, 0.5], atol=TOL)
        np.testing.assert_allclose(sol.mu, [1.0, 0.0, 0.0], atol=TOL)
        assert sol.mu[1] == 0.0 and sol.mu[2] == 0.0  # exactly 0 off the active set
        assert list(sol.active) == [0]
        assert sol.lam.shape == (0,)
        assert abs(sol.objective - 0.5) < TOL
        # value function p* = 1/2 z'Pz + q'z: the total derivative is the
        # implicit part (seed dz = P z + q) plus the explicit one (1/2 zz', z);
        # the envelope theorem gives 1/2 zz', z, mu z', -mu.
        g = sol.vjp(dz=P @ sol.z + q)
        dense = lambda x: x.toarray() if sp.issparse(x) else x  # noqa: E731
        np.testing.assert_allclose(dense(g["P"]), 0.0, atol=TOL)
        np.testing.assert_allclose(g["q"], 0.0, atol=TOL)
        np.testing.assert_allclose(dense(g["C"]), [[0.5, 0.5], [0, 0], [0, 0]], atol=TOL)
        np.testing.assert_allclose(g["d"], [-1.0, 0.0, 0.0], atol=TOL)
        assert g["A"] is None and g["b"] is None


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("sparse", [False, True])
def test_value_function_identities(sparse, solver):
    pr = random_qp(n=8, m_eq=2, m_ineq=6, n_act=3, seed=3, density=0.6 if sparse else None)
    conv = sp.csc_matrix if sparse else np.asarray
    sol = dqp.solve(conv(pr["P"]), pr["q"], conv(pr["A"]), pr["b"], conv(pr["C"]), pr["d"],
                    solver=solver)
    assert sol.info["qp_solver"] == solver
    tol = SOLVER_TOL.get(solver, 1e-6)
    np.testing.assert_allclose(sol.z, pr["z"], atol=tol)
    np.testing.assert_allclose(sol.lam, pr["lam"], atol=tol)
    np.testing.assert_allclose(sol.mu, pr["mu"], atol=tol)
    assert list(sol.active) == [0, 1, 2]
    z, lam, mu = sol.z, sol.lam, sol.mu
    g = sol.vjp(dz=pr["P"] @ z + pr["q"])

    def dense(x, M):
        if sparse:
            return x.toarray(), (sp.csc_matrix(M) != 0).toarray()
        return x, np.ones_like(M, dtype=bool)

    # total derivative = implicit (this vjp) + explicit (1/2 zz' for P, z for q);
    # the envelope theorem says the total is 1/2 zz', z, lam z', -lam, mu z', -mu
    gP, mP = dense(g["P"], pr["P"])
    np.testing.assert_allclose(gP + 0.5 * np.outer(z, z) * mP, 0.5 * np.outer(z, z) * mP,
                               atol=10 * tol)
    np.testing.assert_allclose(g["q"] + z, z, atol=10 * tol)
    gA, mA = dense(g["A"], pr["A"])
    np.testing.assert_allclose(gA, np.outer(lam, z) * mA, atol=10 * tol)
    np.testing.assert_allclose(g["b"], -lam, atol=10 * tol)
    gC, mC = dense(g["C"], pr["C"])
    np.testing.assert_allclose(gC, np.outer(mu, z) * mC, atol=10 * tol)
    np.testing.assert_allclose(g["d"], -mu, atol=10 * tol)


def _resolve(pr, **pert):
    data = {k: pr[k] for k in ("P", "q", "A", "b", "C", "d")}
    for k, v in pert.items():
        data[k] = data[k] + v
    s = dqp.solve(solver="dense_as", **data)
    return np.concatenate([s.z, s.lam, s.mu])


def test_jacobian_matches_finite_differences_and_jvp_vjp_adjoint():
    pr = random_qp(n=6, m_eq=1, m_ineq=5, n_act=2, seed=7)
    sol = dqp.solve(pr["P"], pr["q"], pr["A"], pr["b"], pr["C"], pr["d"], solver="dense_as")
    rng = np.random.default_rng(1)
    h = 1e-6
    for key in ("P", "q", "A", "b", "C", "d"):
        J = sol.jacobian(key)
        shape = np.shape(pr[key])
        assert J.shape == (6 + 1 + 5, int(np.prod(shape)))
        direction = rng.standard_normal(shape)
        if key == "P":
            direction = direction + direction.T
        fd = (_resolve(pr, **{key: h * direction}) - _resolve(pr, **{key: -h * direction})) / (2 * h)
        np.testing.assert_allclose(J @ direction.ravel(), fd, atol=1e-6)
        dz, dl, dm = sol.jvp(**{"d" + key: direction})
        np.testing.assert_allclose(np.concatenate([dz, dl, dm]), J @ direction.ravel(), atol=1e-9)
    # adjoint identity <seed, J dir> = <J' seed, dir> over all the data at once
    seeds = [rng.standard_normal(6), rng.standard_normal(1), rng.standard_normal(5)]
    dirs = {k: rng.standard_normal(np.shape(pr[k])) for k in ("P", "q", "A", "b", "C", "d")}
    dirs["P"] = dirs["P"] + dirs["P"].T
    dz, dl, dm = sol.jvp(**{"d" + k: v for k, v in dirs.items()})
    lhs = seeds[0] @ dz + seeds[1] @ dl + seeds[2] @ dm
    g = sol.vjp(*seeds)
    rhs = sum(np.sum(g[k] * dirs[k]) for k in dirs)
    assert abs(lhs - rhs) < 1e-10 * max(1.0, abs(lhs))


def test_derivative_info_counts_the_last_calls_solves():
    pr = random_qp(n=6, m_eq=1, m_ineq=5, n_act=2, seed=7)
    sol = dqp.solve(pr["P"], pr["q"], pr["A"], pr["b"], pr["C"], pr["d"], solver="dense_as")
    assert sol.derivative_info()["kkt_solves"] == 0  # no derivative call yet
    sol.vjp(dz=np.ones(6))
    once = sol.derivative_info()["kkt_solves"]
    assert 1 <= once <= 4  # a solve and its refinement steps
    sol.jacobian("q")  # one right-hand side per entry of q at least
    assert 6 <= sol.derivative_info()["kkt_solves"] <= 6 * once
    sol.jvp(dq=np.ones(6))  # counted afresh
    assert 1 <= sol.derivative_info()["kkt_solves"] <= once
    assert sol.derivative_info()["derivative_seconds"] > 0.0


def test_sparse_gradients_keep_the_input_pattern_with_explicit_zeros():
    P, q, C, d = toy()
    # C with an explicit zero at (1, 1) and (2, 0): stored, must get gradients
    Cs = sp.csc_matrix((np.array([-1.0, -1.0, 0.0, -1.0, 0.0, -1.0]),
                        np.array([0, 1, 2, 0, 1, 2]), np.array([0, 3, 6])), shape=(3, 2))
    assert Cs.nnz == 6
    sol = dqp.solve(sp.csc_matrix(P), q, C=Cs, d=d, solver="dense_as")
    g = sol.vjp(dz=np.array([1.0, 2.0]))
    assert sp.isspmatrix_csc(g["C"])
    np.testing.assert_array_equal(g["C"].indptr, Cs.indptr)
    np.testing.assert_array_equal(g["C"].indices, Cs.indices)
    assert g["C"].nnz == 6
    gd = dqp.solve(P, q, C=Cs.toarray(), d=d, solver="dense_as").vjp(dz=np.array([1.0, 2.0]))
    np.testing.assert_allclose(g["C"].data, gd["C"][Cs.indices, np.repeat([0, 1], 3)],
                               atol=1e-12)
    assert g["C"].data[2] == 0.0 and g["C"].data[4] == 0.0  # inactive rows: exact zeros


def test_unsorted_and_duplicate_csc_input_pattern_is_kept():
    P, q, C, d = toy()
    # column 0 rows [1, 0, 0] (unsorted, duplicate row 0: -0.5 + -0.5 = -1)
    Cs = sp.csc_matrix((np.array([-1.0, -0.5, -0.5, -1.0, -1.0]), np.array([1, 0, 0, 2, 0]),
                        np.array([0, 3, 5])), shape=(3, 2))
    Cs.has_sorted_indices = False
    ref = dqp.solve(P, q, C=C, d=d, solver="dense_as")
    sol = dqp.solve(P, q, C=Cs, d=d, solver="dense_as")
    np.testing.assert_allclose(sol.z, ref.z, atol=1e-12)
    g = sol.vjp(dz=np.array([1.0, 0.0]))["C"]
    gref = ref.vjp(dz=np.array([1.0, 0.0]))["C"]
    np.testing.assert_array_equal(g.indices, [1, 0, 0, 2, 0])
    rows, cols = np.array([1, 0, 0, 2, 0]), np.array([0, 0, 0, 1, 1])
    np.testing.assert_allclose(g.data, gref[rows, cols], atol=1e-12)
    J = sol.jacobian("C")
    assert J.shape == (2 + 3, 5)
    np.testing.assert_allclose(J[:, 1], J[:, 2])  # duplicates share their entry's column


def test_P_upper_storage_gradient_is_twice_the_offdiagonal():
    pr = random_qp(n=5, m_eq=0, m_ineq=3, n_act=1, seed=11)
    P = pr["P"]
    args = dict(q=pr["q"], A=None, b=None, C=pr["C"], d=pr["d"])
    full = dqp.solve(sp.csc_matrix(P), solver="dense_as", **args)
    up = dqp.solve(sp.triu(sp.csc_matrix(P)).tocsc(), P_storage="upper", solver="dense_as", **args)
    np.testing.assert_allclose(up.z, full.z, atol=1e-10)
    seed = np.arange(5.0)
    gf = full.vjp(dz=seed)["P"].toarray()
    gu = up.vjp(dz=seed)["P"].toarray()
    expect = np.triu(gf + gf.T - np.diag(np.diag(gf)))
    np.testing.assert_allclose(gu, expect, atol=1e-10)
    with pytest.raises(ValueError, match="upper"):
        dqp.solve(sp.triu(sp.csc_matrix(P)).tocsc(), **args)


def _cvxopt_solver(P, q, A, b, C, d):
    import cvxopt
    from cvxopt import matrix, solvers

    solvers.options["show_progress"] = False
    solvers.options["abstol"] = 1e-11
    solvers.options["reltol"] = 1e-11
    solvers.options["feastol"] = 1e-11
    dense = lambda M: matrix(M.toarray() if sp.issparse(M) else M)  # noqa: E731
    kw = {}
    if C is not None:
        kw.update(G=dense(C), h=matrix(d))
    if A is not None:
        kw.update(A=dense(A), b=matrix(b))
    r = cvxopt.solvers.qp(dense(P), matrix(q), **kw)
    assert r["status"] == "optimal"
    z = np.array(r["x"]).ravel()
    # cvxopt: P x + q + G'z + A'y = 0, z >= 0 -- the same signs as dqp
    lam = np.array(r["y"]).ravel() if A is not None else None
    mu = np.array(r["z"]).ravel() if C is not None else None
    return z, lam, mu


@pytest.mark.parametrize("duals", [True, False])
def test_cvxopt_as_callable_forward_solver(duals):
    import cvxopt  # noqa: F401
    pr = random_qp(n=7, m_eq=2, m_ineq=6, n_act=3, seed=5)
    calls = []

    def solver(P, q, A, b, C, d):
        calls.append(1)
        np.testing.assert_allclose(P, pr["P"])
        z, lam, mu = _cvxopt_solver(P, q, A, b, C, d)
        return (z, lam, mu) if duals else z

    data = {k: pr[k] for k in ("P", "q", "A", "b", "C", "d")}
    sol = dqp.solve(solver=solver, **data)
    ref = dqp.solve(solver="dense_as", **data)
    assert calls == [1]
    assert sol.info["qp_solver"] == "callback"
    assert sol.status == "solved"
    assert bool(sol.derivative_status & dqp.DIFF_DUALS_RECOVERED) == (not duals)
    np.testing.assert_allclose(sol.z, ref.z, atol=1e-7)
    np.testing.assert_allclose(sol.lam, ref.lam, atol=1e-6)
    np.testing.assert_allclose(sol.mu, ref.mu, atol=1e-6)
    np.testing.assert_array_equal(sol.active, ref.active)
    seed = np.linspace(-1, 1, 7)
    g, gr = sol.vjp(dz=seed), ref.vjp(dz=seed)
    for k in "PqAbCd":
        np.testing.assert_allclose(g[k], gr[k], atol=1e-6)


def test_cvxopt_callable_on_sparse_input_gets_scipy_matrices():
    import cvxopt  # noqa: F401
    pr = random_qp(n=6, m_eq=1, m_ineq=4, n_act=2, seed=9, density=0.7)
    seen = {}

    def solver(P, q, A, b, C, d):
        seen["types"] = (sp.issparse(P), sp.issparse(A), sp.issparse(C))
        return _cvxopt_solver(P, q, A, b, C, d)

    sol = dqp.solve(sp.csc_matrix(pr["P"]), pr["q"], sp.csc_matrix(pr["A"]), pr["b"],
                    sp.csc_matrix(pr["C"]), pr["d"], solver=solver)
    assert seen["types"] == (True, True, True)
    np.testing.assert_allclose(sol.z, pr["z"], atol=1e-7)


def test_callback_exceptions_are_reraised_not_crashing():
    P, q, C, d = toy()

    class Boom(Exception):
        pass

    def bad(*args):
        raise Boom("inside the solver")

    with pytest.raises(Boom, match="inside the solver"):
        dqp.solve(P, q, C=C, d=d, solver=bad)
    with pytest.raises(ValueError, match="callback z"):
        dqp.solve(P, q, C=C, d=d, solver=lambda *a: np.zeros(3))
    with pytest.raises(ValueError, match="NaN"):
        dqp.solve(P, q, C=C, d=d, solver=lambda *a: np.array([np.nan, 0.0]))
    with pytest.raises(ValueError, match="z or"):
        dqp.solve(P, q, C=C, d=d, solver=lambda *a: (1, 2))
    # still usable afterwards
    assert dqp.solve(P, q, C=C, d=d).status == "solved"


def test_read_qps_and_solve_known_optimum():
    path = os.path.join(REPO, "tests", "data", "mm", "HS21.QPS")
    qps = dqp.read_qps(path)
    assert qps.name == "HS21"
    assert qps.n == 2
    assert qps.P_storage == "upper"
    sol = qps.solve()
    assert sol.status == "solved"
    assert abs(qps.objective(sol.z) - (-99.96)) < 1e-6
    g = sol.vjp(dz=np.ones(2))
    assert g["P"].shape == qps.P.shape and np.array_equal(g["P"].indices, qps.P.indices)
    with pytest.raises(FileNotFoundError):
        dqp.read_qps(os.path.join(REPO, "no", "such.qps"))
    with pytest.raises(dqp.DQPError):
        dqp.read_qps(os.path.join(REPO, "tests", "data", "bad_row.mps"))


@pytest.mark.parametrize("solver", SOLVERS)
def test_infeasible_problem_reports_status_and_refuses_derivatives(solver):
    sol = dqp.solve(np.eye(1), np.zeros(1), C=np.array([[1.0], [-1.0]]), d=np.array([-1.0, -1.0]),
                    solver=solver)
    assert sol.status == "primal_infeasible"
    assert sol.derivative_status & dqp.DIFF_FAILED
    with pytest.raises(dqp.DQPError, match="no derivative"):
        sol.vjp(dz=np.ones(1))


@pytest.mark.parametrize(
    "kwargs, exc, pattern",
    [
        (dict(q=np.zeros(3)), ValueError, "P: shape"),
        (dict(C=np.ones((3, 3))), ValueError, "C: shape"),
        (dict(d=np.zeros(2)), ValueError, "d: shape"),
        (dict(P=np.array([[2.0, 1.0], [0.0, 2.0]])), ValueError, "differs"),
        (dict(P=np.array([[2.0, np.nan], [np.nan, 2.0]])), ValueError, "NaN"),
        (dict(q=np.array([np.inf, 0.0])), ValueError, "NaN or Inf"),
        (dict(d=np.array([np.nan, 0.0, 0.0])), ValueError, "NaN"),
        (dict(C=sp.csc_matrix(np.array([[np.nan, -1.0], [-1.0, 0], [0, -1.0]]))), ValueError,
         "NaN"),
        (dict(q=np.zeros(2, dtype=complex)), TypeError, "complex"),
        (dict(P=np.ones((2, 2, 2))), ValueError, "2-D"),
        (dict(solver="osqp"), ValueError, "valid: auto, dense_as"),
        (dict(lin_solver="qdldl"), ValueError, "valid names"),
        (dict(eps_active=-1.0), ValueError, "eps_active"),
        (dict(no_such_setting=1), ValueError, "time_limit"),
        (dict(P_storage="lower"), ValueError, "P_storage"),
        (dict(d=None), ValueError, "together"),
    ],
)
def test_bad_input_raises_clear_exceptions(kwargs, exc, pattern):
    P, q, C, d = toy()
    args = dict(P=P, q=q, C=C, d=d)
    args.update(kwargs)
    with pytest.raises(exc, match=pattern):
        dqp.solve(**args)


def test_float32_and_int_inputs_are_converted_to_float64():
    P, q, C, d = toy()
    sol = dqp.solve(P.astype(np.float32), q.astype(np.int32), C=C.astype(np.float32),
                    d=[-1, 0, 0])
    assert sol.z.dtype == np.float64
    np.testing.assert_allclose(sol.z, [0.5, 0.5], atol=TOL)


def test_seed_and_direction_shapes_are_checked():
    P, q, C, d = toy()
    sol = dqp.solve(P, q, C=C, d=d)
    with pytest.raises(ValueError, match="dz"):
        sol.vjp(dz=np.ones(3))
    with pytest.raises(ValueError, match="dC"):
        sol.jvp(dC=np.ones((2, 2)))
    with pytest.raises(ValueError, match="no A"):
        sol.jvp(dA=np.ones((1, 2)))
    with pytest.raises(ValueError, match="wrt"):
        sol.jacobian("x")


def test_explicit_zeros_on_active_rows_get_their_gradient():
    pr = random_qp(n=6, m_eq=0, m_ineq=4, n_act=2, seed=21, density=0.4)
    C = pr["C"]
    zero_rows, zero_cols = np.nonzero(C[:2] == 0)  # zeros on the active rows
    assert zero_rows.size > 0
    rows, cols = np.nonzero(C)
    rows = np.concatenate([rows, zero_rows])
    cols = np.concatenate([cols, zero_cols])
    Cs = sp.coo_matrix((C[rows, cols], (rows, cols)), shape=C.shape).tocsc()
    assert Cs.nnz == rows.size  # explicit zeros stored
    sol = dqp.solve(pr["P"], pr["q"], C=Cs, d=pr["d"], solver="dense_as")
    ref = dqp.solve(pr["P"], pr["q"], C=C, d=pr["d"], solver="dense_as")
    seed = np.linspace(1.0, 2.0, 6)
    g = sol.vjp(dz=seed)["C"]
    gd = ref.vjp(dz=seed)["C"]
    assert g.nnz == Cs.nnz
    np.testing.assert_array_equal(g.indices, Cs.indices)
    gcols = np.repeat(np.arange(6), np.diff(g.indptr))
    np.testing.assert_allclose(g.data, gd[g.indices, gcols], atol=1e-12)
    at_zeros = gd[zero_rows, zero_cols]
    assert np.all(np.abs(at_zeros) > 1e-6)  # really nonzero gradients at stored zeros
