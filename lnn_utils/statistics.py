"""Confidence intervals for comparing runs: the one place for the statistics behind "A beats B".

The notebooks compare learning rules, losses and agents over seeds. A claim that one setting is better must rest
on an interval that excludes zero, so every notebook uses these three functions:

- :func:`mean_ci`: the mean of independent values and the half-width of its Student-t interval;
- :func:`paired_difference`: two settings run with the **same seeds** (same initialisations, data orders): the
  mean of the per-seed differences with its t interval, much narrower than two independent means;
- :func:`unpaired_difference`: two independent samples (e.g. runs of two agents): Welch's t interval.

References
----------
Student (1908). The probable error of a mean. *Biometrika* 6:1-25. Welch, B. L. (1947). The generalization of
"Student's" problem when several different population variances are involved. *Biometrika* 34:28-35.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

__all__ = ["mean_ci", "paired_difference", "unpaired_difference"]


def _check_confidence(confidence):
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be in (0, 1), got {confidence!r}")


def _interval(mean, half):
    return {"mean": float(mean), "half_width": float(half), "low": float(mean - half), "high": float(mean + half),
            "excludes_zero": bool(mean - half > 0 or mean + half < 0)}


def mean_ci(values, *, confidence=0.95):
    """Mean of independent values and the half-width of its Student-t confidence interval.

    Parameters
    ----------
    values : array_like of shape (n,)
        n >= 2 (e.g. one score per seed).
    confidence : float, default=0.95

    Returns
    -------
    mean, half_width : float
        The interval is ``mean +- half_width``, ``half_width = t_{(1+c)/2, n-1} s / sqrt(n)``.
    """
    values = np.asarray(values, dtype=float)
    if values.ndim != 1 or len(values) < 2:
        raise ValueError(f"values must be 1-D with at least 2 entries, got shape {values.shape}")
    _check_confidence(confidence)
    n = len(values)
    half = stats.t.ppf(0.5 + confidence / 2, n - 1) * values.std(ddof=1) / np.sqrt(n)
    return float(values.mean()), float(half)


def paired_difference(a, b, *, confidence=0.95):
    """Mean of the per-seed differences ``a - b`` of two settings run with the same seeds, with its t interval.

    Pairing removes the variation that both settings share (a seed's initial weights, batches, views), so the
    interval is much narrower than that of two independent means.

    Parameters
    ----------
    a, b : array_like of shape (n_seeds,)
        Scores of the two settings, seed by seed (n_seeds >= 2).
    confidence : float, default=0.95

    Returns
    -------
    dict
        ``"mean"``, ``"half_width"``, ``"low"``, ``"high"`` (the interval), ``"n"``, and ``"excludes_zero"``: True
        when the interval lies entirely on one side of 0 (the only case in which one setting may be called better).
    """
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape:
        raise ValueError(f"a and b must hold one score per seed each, got shapes {a.shape} and {b.shape}")
    mean, half = mean_ci(a - b, confidence=confidence)
    return {**_interval(mean, half), "n": len(a)}


def unpaired_difference(a, b, *, confidence=0.95):
    """Difference of the means of two independent samples, ``mean(a) - mean(b)``, with Welch's t interval.

    Parameters
    ----------
    a, b : array_like of shape (n_a,), (n_b,)
        E.g. one number per run of two agents (at least 2 each).
    confidence : float, default=0.95

    Returns
    -------
    dict
        ``"mean"``, ``"half_width"``, ``"low"``, ``"high"`` and ``"excludes_zero"``.
    """
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.ndim != 1 or b.ndim != 1 or len(a) < 2 or len(b) < 2:
        raise ValueError(f"a and b must be 1-D with at least 2 values each, got shapes {a.shape} and {b.shape}")
    _check_confidence(confidence)
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    se = np.sqrt(va + vb)
    dof = (va + vb) ** 2 / (va ** 2 / (len(a) - 1) + vb ** 2 / (len(b) - 1)) if se > 0 else len(a) + len(b) - 2
    half = stats.t.ppf(0.5 + confidence / 2, dof) * se
    return _interval(a.mean() - b.mean(), half)
