"""ctypes declarations of the libdqp C API (include/dqp.h).

The shared library is found, in this order:
  1. the path in the environment variable DQP_LIBRARY;
  2. ../../build*/libdqp.so relative to this package (the CMake build
     directories of a source checkout: build, build-py, build-lead, ...);
  3. the system loader's search path ("libdqp.so").
Without one, importing dqp raises an ImportError saying how to build it.
"""

import ctypes as ct
import glob
import os

# --------------------------------------------------------------------------- loading


def _sanitized(path):
    """True for a library built with a sanitizer: loading one into Python
    without the sanitizer runtime preloaded aborts the process."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        return True
    return any(tag in data for tag in (b"__asan_init", b"__tsan_init", b"__msan_init"))


def _candidates():
    env = os.environ.get("DQP_LIBRARY")
    if env:
        return [env], True
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.normpath(os.path.join(here, "..", "..", ".."))
    found = [p for p in glob.glob(os.path.join(root, "build*", "libdqp.so")) if not _sanitized(p)]
    # Newest first: the most recently built library is the one being worked on.
    found.sort(key=lambda p: os.path.getmtime(p), reverse=True)
    return found, False


def _load():
    paths, from_env = _candidates()
    errors = []
    for path in paths:
        try:
            return ct.CDLL(path), path
        except OSError as e:
            errors.append("%s: %s" % (path, e))
    if from_env:
        raise ImportError(
            "dqp: cannot load the library named by DQP_LIBRARY (%s)" % "; ".join(errors)
        )
    try:
        return ct.CDLL("libdqp.so"), "libdqp.so"
    except OSError as e:
        errors.append("libdqp.so: %s" % e)
    raise ImportError(
        "dqp: libdqp.so not found. Build it with\n"
        "    cmake -S <repo> -B <repo>/build -DCMAKE_BUILD_TYPE=Release && "
        "cmake --build <repo>/build --target dqp\n"
        "and either keep it in <repo>/build*/ (found relative to bindings/python/dqp) or set "
        "DQP_LIBRARY=/path/to/libdqp.so. Tried: " + ("; ".join(errors) or "nothing")
    )


lib, library_path = _load()

# --------------------------------------------------------------------------- types

c_int64_p = ct.POINTER(ct.c_int64)
c_double_p = ct.POINTER(ct.c_double)

MESSAGE_LEN = 512  # DQP_MESSAGE_LEN (include/dqp/status.h)


class Message(ct.Structure):
    _fields_ = [("text", ct.c_char * MESSAGE_LEN)]

    def str(self):
        return self.text.decode("utf-8", "replace")


class CSC(ct.Structure):
    _fields_ = [
        ("m", ct.c_int64),
        ("n", ct.c_int64),
        ("p", c_int64_p),
        ("i", c_int64_p),
        ("x", c_double_p),
        ("owned", ct.c_int),
    ]


class Dense(ct.Structure):
    _fields_ = [("m", ct.c_int64), ("n", ct.c_int64), ("ld", ct.c_int64), ("x", c_double_p)]


P_UPPER = 0
P_FULL = 1


class ProblemData(ct.Structure):
    _fields_ = [
        ("n", ct.c_int64),
        ("P", ct.POINTER(CSC)),
        ("P_dense", ct.POINTER(Dense)),
        ("P_storage", ct.c_int),
        ("q", c_double_p),
        ("A", ct.POINTER(CSC)),
        ("A_dense", ct.POINTER(Dense)),
        ("b", c_double_p),
        ("m_eq", ct.c_int64),
        ("C", ct.POINTER(CSC)),
        ("C_dense", ct.POINTER(Dense)),
        ("d", c_double_p),
        ("m_ineq", ct.c_int64),
    ]


class Info(ct.Structure):
    _fields_ = [
        ("qp_status", ct.c_int),
        ("iterations", ct.c_int64),
        ("objective", ct.c_double),
        ("derivative_status", ct.c_uint),
        ("n_active", ct.c_int64),
        ("n_weak", ct.c_int64),
        ("stationarity", ct.c_double),
        ("solve_seconds", ct.c_double),
        ("setup_seconds", ct.c_double),
        ("derivative_seconds", ct.c_double),
        ("qp_solver", ct.c_char_p),
        ("lin_solver", ct.c_char_p),
        ("kkt_solves", ct.c_int64),
    ]


class Grad(ct.Structure):
    _fields_ = [(k, c_double_p) for k in ("dP", "dq", "dA", "db", "dC", "dd")]


class Dir(ct.Structure):
    _fields_ = [(k, c_double_p) for k in ("dP", "dq", "dA", "db", "dC", "dd")]


# int (*)(void *user, const dqp_problem *prob, double *z, double *lambda,
#         double *mu, int *has_duals)
USER_SOLVER_FN = ct.CFUNCTYPE(
    ct.c_int, ct.c_void_p, ct.c_void_p, c_double_p, c_double_p, c_double_p, ct.POINTER(ct.c_int)
)

# Settings are an opaque buffer filled by dqp_settings_default and accessed
# only by name, so that new fields need no change here. The C struct is
# about 750 bytes today; the buffer leaves ample room (sizeof is not exported).
SETTINGS_BYTES = 16384


class SettingsBuffer(ct.Structure):
    _fields_ = [("raw", ct.c_double * (SETTINGS_BYTES // 8))]


# --------------------------------------------------------------------------- prototypes


def _fn(name, restype, *argtypes):
    f = getattr(lib, name)
    f.restype = restype
    f.argtypes = list(argtypes)
    return f


vp = ct.c_void_p
status_t = ct.c_int
S = ct.POINTER(SettingsBuffer)
M = ct.POINTER(Message)

dqp_version = _fn("dqp_version", ct.c_char_p)
dqp_status_string = _fn("dqp_status_string", ct.c_char_p, status_t)
dqp_qp_status_string = _fn("dqp_qp_status_string", ct.c_char_p, ct.c_int)

dqp_settings_default = _fn("dqp_settings_default", None, S)
dqp_settings_set = _fn("dqp_settings_set", status_t, S, ct.c_char_p, ct.c_char_p, M)
dqp_settings_get = _fn("dqp_settings_get", status_t, S, ct.c_char_p, ct.c_char_p, ct.c_size_t, M)
dqp_settings_validate = _fn("dqp_settings_validate", status_t, S, M)
dqp_settings_count = _fn("dqp_settings_count", ct.c_int)
dqp_settings_name = _fn("dqp_settings_name", ct.c_char_p, ct.c_int)
dqp_settings_help = _fn("dqp_settings_help", ct.c_char_p, ct.c_char_p)

dqp_problem_create = _fn("dqp_problem_create", vp)
dqp_problem_destroy = _fn("dqp_problem_destroy", None, vp)
dqp_problem_set = _fn("dqp_problem_set", status_t, vp, ct.POINTER(ProblemData))
dqp_problem_n = _fn("dqp_problem_n", ct.c_int64, vp)
dqp_problem_m_eq = _fn("dqp_problem_m_eq", ct.c_int64, vp)
dqp_problem_m_ineq = _fn("dqp_problem_m_ineq", ct.c_int64, vp)
dqp_problem_is_sparse = _fn("dqp_problem_is_sparse", ct.c_int, vp, ct.c_char)
dqp_problem_csc = _fn("dqp_problem_csc", ct.POINTER(CSC), vp, ct.c_char)
dqp_problem_dense = _fn("dqp_problem_dense", c_double_p, vp, ct.c_char)
dqp_problem_vec = _fn("dqp_problem_vec", c_double_p, vp, ct.c_char)
dqp_problem_P_storage = _fn("dqp_problem_P_storage", ct.c_int, vp)
dqp_problem_objective = _fn("dqp_problem_objective", ct.c_double, vp, c_double_p)
dqp_problem_last_error = _fn("dqp_problem_last_error", ct.c_char_p, vp)

dqp_solver_create = _fn("dqp_solver_create", status_t, ct.POINTER(vp), S, M)
dqp_solver_destroy = _fn("dqp_solver_destroy", None, vp)
dqp_solver_set_callback = _fn("dqp_solver_set_callback", status_t, vp, USER_SOLVER_FN, vp)
dqp_solver_solve = _fn("dqp_solver_solve", status_t, vp, vp)
dqp_solver_info = _fn("dqp_solver_info", ct.POINTER(Info), vp)
dqp_solver_z = _fn("dqp_solver_z", c_double_p, vp)
dqp_solver_lambda = _fn("dqp_solver_lambda", c_double_p, vp)
dqp_solver_mu = _fn("dqp_solver_mu", c_double_p, vp)
dqp_solver_active = _fn("dqp_solver_active", ct.c_int64, vp, ct.POINTER(c_int64_p))
dqp_solver_vjp = _fn(
    "dqp_solver_vjp", status_t, vp, c_double_p, c_double_p, c_double_p, ct.POINTER(Grad)
)
dqp_solver_jvp = _fn(
    "dqp_solver_jvp", status_t, vp, ct.POINTER(Dir), c_double_p, c_double_p, c_double_p
)
dqp_solver_jacobian = _fn("dqp_solver_jacobian", status_t, vp, ct.c_char, c_double_p)
dqp_solver_last_error = _fn("dqp_solver_last_error", ct.c_char_p, vp)

dqp_batch_solve = _fn(
    "dqp_batch_solve", status_t, ct.POINTER(vp), ct.POINTER(vp), ct.c_int64, ct.c_int,
    ct.POINTER(ct.c_int),
)
dqp_batch_vjp = _fn(
    "dqp_batch_vjp", status_t, ct.POINTER(vp), ct.c_int64, ct.POINTER(c_double_p),
    ct.POINTER(c_double_p), ct.POINTER(c_double_p), ct.POINTER(Grad), ct.c_int,
    ct.POINTER(ct.c_int),
)

dqp_qps_create = _fn("dqp_qps_create", vp)
dqp_qps_destroy = _fn("dqp_qps_destroy", None, vp)
dqp_qps_read_file = _fn("dqp_qps_read_file", status_t, vp, ct.c_char_p)
dqp_qps_problem = _fn("dqp_qps_problem", vp, vp)
dqp_qps_name = _fn("dqp_qps_name", ct.c_char_p, vp)
dqp_qps_objective_constant = _fn("dqp_qps_objective_constant", ct.c_double, vp)
dqp_qps_objective = _fn("dqp_qps_objective", ct.c_double, vp, c_double_p)
dqp_qps_sense = _fn("dqp_qps_sense", ct.c_int, vp)
dqp_qps_col_name = _fn("dqp_qps_col_name", ct.c_char_p, vp, ct.c_int64)
dqp_qps_row_name = _fn("dqp_qps_row_name", ct.c_char_p, vp, ct.c_int64)
dqp_qps_file_rows = _fn("dqp_qps_file_rows", ct.c_int64, vp)
dqp_qps_last_error = _fn("dqp_qps_last_error", ct.c_char_p, vp)


class RowOrigin(ct.Structure):
    _fields_ = [("kind", ct.c_int), ("index", ct.c_int64), ("sign", ct.c_int), ("range", ct.c_int)]


dqp_qps_row_origin = _fn(
    "dqp_qps_row_origin", status_t, vp, ct.c_int, ct.c_int64, ct.POINTER(RowOrigin)
)

# --------------------------------------------------------------------------- statuses

OK = 0
ERR_NULL = 1
ERR_DIMENSION = 2
ERR_INDEX = 3
ERR_POINTERS = 4
ERR_UNSORTED = 5
ERR_DUPLICATE = 6
ERR_NONFINITE = 7
ERR_NOT_SYMMETRIC = 8
ERR_TRIANGLE = 9
ERR_MISSING = 10
ERR_UNKNOWN_NAME = 11
ERR_VALUE = 12
ERR_IO = 13
ERR_PARSE = 14
ERR_NOMEM = 15
ERR_NOT_CONVEX = 21

# Errors caused by the caller's data or arguments.
INPUT_ERRORS = {
    ERR_DIMENSION, ERR_INDEX, ERR_POINTERS, ERR_UNSORTED, ERR_DUPLICATE, ERR_NONFINITE,
    ERR_NOT_SYMMETRIC, ERR_TRIANGLE, ERR_MISSING, ERR_UNKNOWN_NAME, ERR_VALUE, ERR_NOT_CONVEX,
}


def decode(s):
    return s.decode("utf-8", "replace") if s is not None else ""


def status_name(code):
    return decode(dqp_status_string(code))

# --------------------------------------------------------------------------- registry (optional)
# include/dqp/registry.h; absent from older libraries, then the lists are
# unknown and names are validated only when a solve uses them.

HAVE_REGISTRY = hasattr(lib, "dqp_qp_solver_count") and hasattr(lib, "dqp_lin_solver_count")
if HAVE_REGISTRY:
    dqp_qp_solver_count = _fn("dqp_qp_solver_count", ct.c_int)
    dqp_qp_solver_name = _fn("dqp_qp_solver_name", ct.c_char_p, ct.c_int)
    dqp_qp_solver_description = _fn("dqp_qp_solver_description", ct.c_char_p, ct.c_int)
    dqp_qp_solver_caps = _fn("dqp_qp_solver_caps", ct.c_uint, ct.c_int)
    dqp_lin_solver_count = _fn("dqp_lin_solver_count", ct.c_int)
    dqp_lin_solver_name = _fn("dqp_lin_solver_name", ct.c_char_p, ct.c_int)
    dqp_lin_solver_description = _fn("dqp_lin_solver_description", ct.c_char_p, ct.c_int)
    dqp_lin_solver_caps = _fn("dqp_lin_solver_caps", ct.c_uint, ct.c_int)
