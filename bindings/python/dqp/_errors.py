"""Exceptions raised by the binding."""

from . import _lib as L


class DQPError(RuntimeError):
    """A libdqp call failed. `status` is the C status code, `status_name` its
    name (e.g. "DQP_ERR_NOT_SYMMETRIC: ...")."""

    def __init__(self, message, status=None):
        super().__init__(message)
        self.status = status
        self.status_name = L.status_name(status) if status is not None else ""


class DQPInputError(DQPError, ValueError):
    """The data or the arguments were rejected (bad shape, index, NaN,
    non-symmetric P, unknown setting or solver name, ...). Also a ValueError."""


def raise_status(status, message):
    cls = DQPInputError if status in L.INPUT_ERRORS else DQPError
    name = L.status_name(status).split(":")[0]
    raise cls("%s (%s)" % (message, name) if message else name, status)
