"""Thread control for the OpenBLAS that numpy uses, so small-matrix training loops can run on one thread.

Setting ``OPENBLAS_NUM_THREADS`` only works before numpy is imported; these helpers change the count at run time
through OpenBLAS's own C functions, found in the loaded shared libraries. Elsewhere (another BLAS, another OS)
they do nothing.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
from pathlib import Path


@functools.cache
def openblas_thread_controls():
    """``(get, set)`` for the thread count of the OpenBLAS numpy uses, or None (another BLAS, not Linux, ...)."""
    try:
        with open("/proc/self/maps") as maps:
            paths = {line.split()[-1] for line in maps if "openblas" in line.lower() and ".so" in line}
        paths = sorted(paths, key=lambda p: ("numpy" not in p, p))  # numpy's own copy first (scipy has one too)
    except OSError:
        return None
    for path in paths:
        if not Path(path).exists():
            continue
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for suffix in ("64_", "_64_", ""):
            getter = getattr(lib, f"scipy_openblas_get_num_threads{suffix}", None)
            setter = getattr(lib, f"scipy_openblas_set_num_threads{suffix}", None)
            if getter is None:
                getter = getattr(lib, f"openblas_get_num_threads{suffix}", None)
                setter = getattr(lib, f"openblas_set_num_threads{suffix}", None)
            if getter is not None and setter is not None:
                getter.restype = ctypes.c_int
                return getter, setter
    return None


@contextlib.contextmanager
def one_blas_thread():
    """Run the block on one BLAS thread, restoring the previous setting afterwards.

    The training loops of this package multiply small matrices many times: waking a second BLAS thread costs more
    than it saves, and much more when the other core is busy (measured in ``benchmarks/``).
    """
    controls = openblas_thread_controls()
    if controls is None:
        yield
        return
    get, set_ = controls
    before = get()
    set_(1)
    try:
        yield
    finally:
        set_(before)
