"""Progress bars for long training calls, through `tqdm <https://tqdm.github.io>`_.

One function, :func:`progress_bar`, used by every training loop of the package that can run for more than a few
seconds. It shows a bar only where a person is watching: in an interactive notebook (as a widget, via
``tqdm.auto``) or on a terminal. It is silent

- when the environment variable ``LNN_PROGRESS`` is ``0`` (``scripts/execute_notebooks.py`` sets it, so the
  committed notebooks carry no progress residue and re-runs give byte-identical files), and
- in scripts whose standard error is not a terminal (logs, CI).
"""

from __future__ import annotations

import os
import sys

from ._validation import check_positive

#: Environment variable that turns every progress bar off when set to ``"0"``.
PROGRESS_ENV = "LNN_PROGRESS"


def _in_notebook():
    """True inside a running IPython kernel (a Jupyter notebook), False in plain Python or a terminal IPython."""
    ipython = sys.modules.get("IPython")
    if ipython is None or "ipykernel" not in sys.modules:
        return False
    shell = ipython.get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def progress_enabled(enabled=None):
    """Resolve the ``progress`` argument of a training call.

    Parameters
    ----------
    enabled : bool or None, default=None
        True or False forces the bar on or off (``LNN_PROGRESS=0`` still wins, so that the notebook runner
        always stores clean outputs). None: on when interactive (notebook kernel or terminal).

    Returns
    -------
    bool
    """
    if os.environ.get(PROGRESS_ENV, "1") == "0":
        return False
    if enabled is not None:
        return bool(enabled)
    return _in_notebook() or bool(getattr(sys.stderr, "isatty", lambda: False)())


def progress_bar(total, *, desc="", unit="it", enabled=None):
    """A ``tqdm`` progress bar over ``total`` units, or a silent stand-in when progress is off.

    Parameters
    ----------
    total : int >= 0
        Number of units (iterations, epochs, steps) the call will run.
    desc : str, default=""
        Label shown left of the bar.
    unit : str, default="it"
        Name of one unit.
    enabled : bool or None, default=None
        See :func:`progress_enabled`.

    Returns
    -------
    bar : tqdm.tqdm
        Use ``bar.update(n)``, ``bar.set_postfix_str(text)`` and ``bar.close()`` (or a ``with`` block). When
        disabled it is a ``tqdm`` with ``disable=True``: every method is a no-op and nothing is printed.

    Examples
    --------
    >>> with progress_bar(3, desc="demo", enabled=False) as bar:
    ...     for _ in range(3):
    ...         bar.update(1)
    """
    check_positive(total, "total", integer=True, allow_zero=True)
    on = progress_enabled(enabled)
    if on and _in_notebook():
        from tqdm.auto import tqdm
    else:
        from tqdm import tqdm
    return tqdm(total=int(total), desc=desc, unit=unit, disable=not on, leave=True, dynamic_ncols=True,
                mininterval=0.5)
