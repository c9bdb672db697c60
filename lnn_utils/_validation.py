"""Checks at the boundary of the public API, with messages that say what was wrong and how to fix it."""

from __future__ import annotations

import numbers

import numpy as np


def check_positive(value, name, *, integer=False, allow_zero=False):
    """Return ``value`` if it is a (strictly) positive number, else raise ``ValueError`` naming it.

    Parameters
    ----------
    value : float or int
        The value to check.
    name : str
        The parameter's name, used in the error message.
    integer : bool, default=False
        Require an integer.
    allow_zero : bool, default=False
        Accept 0 as well.
    """
    kind = numbers.Integral if integer else numbers.Real
    if isinstance(value, bool) or not isinstance(value, kind):
        what = "an integer" if integer else "a number"
        raise TypeError(f"{name} must be {what}, got {value!r} of type {type(value).__name__}")
    ok = value >= 0 if allow_zero else value > 0
    if not ok or not np.isfinite(value):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{name} must be finite and {bound}, got {value!r}")
    return value


def as_real_array(X, name="X", *, keep_float32=False):
    """Return ``X`` as a float64 array, refusing what the conversion would silently spoil.

    Complex values (numpy would drop the imaginary part with only a warning), ragged nested lists and
    non-numeric entries raise an error that names the parameter. With ``keep_float32=True`` a float32 array stays
    float32 (for the routines whose large products run in the input's precision).
    """
    try:
        arr = np.asarray(X)
    except ValueError as error:  # ragged nested sequences
        raise ValueError(f"{name} must be a rectangular array of numbers: {error}") from None
    if np.iscomplexobj(arr):
        raise TypeError(f"{name} is complex ({arr.dtype}); pass real values, e.g. {name}.real or np.abs({name}), "
                        f"whichever you mean")
    dtype = np.float32 if keep_float32 and arr.dtype == np.float32 else np.float64
    try:
        return np.asarray(arr, dtype=dtype)
    except (TypeError, ValueError) as error:
        raise TypeError(f"{name} must contain real numbers, got an array of dtype {arr.dtype}: {error}") from None


def check_matrix(X, name="X", *, n_features=None, min_rows=1, keep_float32=False):
    """Return ``X`` as a finite float64 array of shape (n_samples, n_features), else raise ``ValueError``
    (``TypeError`` for complex or non-numeric values, see :func:`as_real_array`).

    Parameters
    ----------
    X : array_like of shape (n_samples, n_features)
    name : str
        Name used in error messages.
    n_features : int, optional
        Required number of columns.
    min_rows : int, default=1
        Minimum number of rows.
    keep_float32 : bool, default=False
        Return a float32 ``X`` as float32 instead of converting it.
    """
    X = as_real_array(X, name, keep_float32=keep_float32)
    if X.ndim != 2:
        raise ValueError(f"{name} must be 2-D of shape (n_samples, n_features), got shape {X.shape}")
    if n_features is not None and X.shape[1] != n_features:
        raise ValueError(f"{name} must have {n_features} columns (one per input), got shape {X.shape}")
    if X.shape[0] < min_rows:
        raise ValueError(f"{name} must have at least {min_rows} rows, got shape {X.shape}")
    if not np.all(np.isfinite(X)):
        raise ValueError(f"{name} contains NaN or infinite values; clean or drop those rows first")
    return X


def as_generator(seed, name="seed"):
    """Return a :class:`numpy.random.Generator` from one seed: an int >= 0, a ``SeedSequence`` or a ``Generator``.

    A ``Generator`` is returned as it is (its stream continues); an int or a ``SeedSequence`` starts a new one,
    ``numpy.random.default_rng(seed)``.

    Parameters
    ----------
    seed : int, numpy.random.SeedSequence or numpy.random.Generator
        One seed. None is refused (it would draw fresh entropy, so results would change on every call), and so is a
        sequence of seeds: only the online Hebbian networks (:mod:`lnn_utils.hebbian.online`) accept a list of
        seeds, where it means that many independent runs.
    name : str, default="seed"
        The parameter's name, used in error messages.

    Raises
    ------
    ValueError
        None or a negative int.
    TypeError
        Any other type (float, bool, str, list, array, ...).
    """
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, np.random.SeedSequence):
        return np.random.default_rng(seed)
    if seed is None:
        raise ValueError(f"{name} must be given (an int >= 0 or a numpy Generator) so that results are "
                         f"reproducible; {name}=None would draw fresh entropy and change the result on every call")
    if isinstance(seed, numbers.Integral) and not isinstance(seed, (bool, np.bool_)):
        if seed < 0:
            raise ValueError(f"{name} must be an int >= 0 (numpy seeds are non-negative), got {seed!r}")
        return np.random.default_rng(int(seed))
    if isinstance(seed, (list, tuple, range, np.ndarray)):
        raise TypeError(f"{name} must be one int >= 0 or a numpy Generator here, got a sequence {seed!r}; a list of "
                        f"seeds means several independent runs only for the online Hebbian networks "
                        f"(lnn_utils.hebbian.online); elsewhere call once per seed")
    raise TypeError(f"{name} must be an int >= 0 or a numpy Generator, got {seed!r} of type {type(seed).__name__}")
