"""pytest set-up: make the package importable when PYTHONPATH is not set
(CTest sets PYTHONPATH and DQP_LIBRARY; see CMakeLists.txt)."""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
PKG_ROOT = os.path.dirname(HERE)  # bindings/python
REPO = os.path.dirname(os.path.dirname(PKG_ROOT))
if PKG_ROOT not in sys.path:
    sys.path.insert(0, PKG_ROOT)
if HERE not in sys.path:
    sys.path.insert(0, HERE)
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def pytest_configure(config):
    # torch 1.13 warns on every CSC tensor it creates (the seed example uses them)
    config.addinivalue_line("filterwarnings",
                            "ignore:Sparse CSR tensor support is in beta state:UserWarning")
