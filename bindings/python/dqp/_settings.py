"""Settings: a thin wrapper of the C settings struct, accessed only by name.

The list of names comes from dqp_settings_count()/dqp_settings_name(), so a
field added to the C library is available here without any change.
Values are passed to dqp_settings_set as text:
  bool   -> "1"/"0"
  int    -> decimal, float -> repr (exact round trip), str -> as is
  dict   -> "key=value,key=value" (for qp_solver_keywords)
and read back with dqp_settings_get (ints, floats or strings; booleans come
back as 0/1).
"""

import ctypes as ct

from . import _lib as L
from ._errors import raise_status


def setting_names():
    """Names of every C setting, in the library's order."""
    return [L.decode(L.dqp_settings_name(i)) for i in range(L.dqp_settings_count())]


def setting_help(name):
    h = L.dqp_settings_help(name.encode())
    return L.decode(h) if h is not None else None


def _to_text(name, value):
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, dict):
        parts = []
        for k, v in value.items():
            parts.append("%s=%s" % (k, _to_text(k, v)))
        return ",".join(parts)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return value
    try:  # numpy scalars and the like
        import numbers

        if isinstance(value, numbers.Integral):
            return str(int(value))
        if isinstance(value, numbers.Real):
            return repr(float(value))
    except Exception:
        pass
    raise TypeError("setting %r: cannot use a value of type %s" % (name, type(value).__name__))


def _from_text(text):
    for conv in (int, float):
        try:
            return conv(text)
        except ValueError:
            pass
    return text


class Settings:
    """C settings (dqp_settings) with dict-like access by name.

    Settings(eps_active=1e-6, qp_solver="dense_as") starts from the library
    defaults and applies the keywords; unknown names or bad values raise
    dqp.DQPError (a ValueError) with the C library's message, which lists
    the valid names or the valid range.
    """

    def __init__(self, **kwargs):
        self._buf = L.SettingsBuffer()
        L.dqp_settings_default(ct.byref(self._buf))
        self.update(**kwargs)

    def update(self, **kwargs):
        for k, v in kwargs.items():
            self[k] = v
        return self

    def __setitem__(self, name, value):
        msg = L.Message()
        st = L.dqp_settings_set(
            ct.byref(self._buf), str(name).encode(), _to_text(name, value).encode(), ct.byref(msg)
        )
        if st != L.OK:
            text = msg.str()
            if st == L.ERR_UNKNOWN_NAME:  # the C message is length-limited: list all names here
                text = 'unknown setting "%s"; valid: %s' % (name, ", ".join(setting_names()))
            raise_status(st, "setting %s: %s" % (name, text))

    def __getitem__(self, name):
        buf = ct.create_string_buffer(4096)
        msg = L.Message()
        st = L.dqp_settings_get(ct.byref(self._buf), str(name).encode(), buf, len(buf), ct.byref(msg))
        if st != L.OK:
            if st == L.ERR_UNKNOWN_NAME:
                raise KeyError(msg.str())
            raise_status(st, msg.str())
        return _from_text(L.decode(buf.value))

    def __contains__(self, name):
        return name in setting_names()

    def keys(self):
        return setting_names()

    def as_dict(self):
        return {k: self[k] for k in setting_names()}

    def copy(self):
        s = Settings()
        ct.memmove(ct.byref(s._buf), ct.byref(self._buf), ct.sizeof(self._buf))
        return s

    def ptr(self):
        return ct.byref(self._buf)

    def __repr__(self):
        return "Settings(%s)" % ", ".join("%s=%r" % kv for kv in self.as_dict().items())
