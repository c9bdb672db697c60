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


def check_matrix(X, name="X", *, n_features=None, min_rows=1):
    """Return ``X`` as a finite float64 array of shape (n_samples, n_features), else raise ``ValueError``.

    Parameters
    ----------
    X : array_like of shape (n_samples, n_features)
    name : str
        Name used in error messages.
    n_features : int, optional
        Required number of columns.
    min_rows : int, default=1
        Minimum number of rows.
    """
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2:
        raise ValueError(f"{name} must be 2-D of shape (n_samples, n_features), got shape {X.shape}")
    if n_features is not None and X.shape[1] != n_features:
        raise ValueError(f"{name} must have {n_features} columns (one per input), got shape {X.shape}")
    if X.shape[0] < min_rows:
        raise ValueError(f"{name} must have at least {min_rows} rows, got shape {X.shape}")
    if not np.all(np.isfinite(X)):
        raise ValueError(f"{name} contains NaN or infinite values; clean or drop those rows first")
    return X


def as_generator(seed):
    """Return a :class:`numpy.random.Generator` from an int seed, a ``SeedSequence`` or a ``Generator``."""
    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.default_rng(seed)
