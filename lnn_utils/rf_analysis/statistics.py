"""Statistics of a neuron's responses ``y = w . x`` over image patches: sparseness, kurtosis, and a test of
whether a trained RF's responses are more heavy-tailed than those of random RFs; and how similar RFs are to each
other and how their orientations spread (the diversity of a population of RFs)."""

from __future__ import annotations

import numbers
from typing import NamedTuple

import numpy as np

from .._validation import as_generator, as_real_array, check_matrix, check_positive


def treves_rolls_sparseness(responses, axis=0):
    """Treves-Rolls activity ratio ``a = (E[y])^2 / E[y^2]`` of non-negative responses.

    Parameters
    ----------
    responses : array_like, non-negative
        E.g. of shape (n_stimuli, n_neurons): rates, or rectified / absolute linear responses.
    axis : int or None, default=0
        Axis of the expectation: 0 over stimuli for each neuron (lifetime sparseness), 1 over neurons for each
        stimulus (population sparseness), None over everything.

    Returns
    -------
    a : float or ndarray
        In (0, 1]: 1 for a constant response (dense), ~ k/n when k of n responses are equal and the rest 0
        (sparse). NaN where all responses are 0. This is ``a`` itself, not ``1 - a``; the "sparseness"
        ``(1 - a) / (1 - 1/n)`` of Vinje & Gallant (2000) is a monotone transform of it.

    Raises
    ------
    ValueError
        On empty or non-finite responses. On negative responses: the ratio is defined for rates; pass ``np.abs(y)`` or ``np.maximum(y, 0)``.

    Notes
    -----
    Treves & Rolls (1991), Network 2:371. Closed forms: ``y = |z|`` with z Gaussian gives ``2/pi``;
    exponentially distributed y gives ``1/2``.
    """
    y = as_real_array(responses, "responses")
    if y.size == 0:
        raise ValueError("responses is empty")
    if not np.isfinite(y).all():
        raise ValueError("responses contains NaN or infinite values; clean or drop them first")
    if np.any(y < 0):
        raise ValueError("responses must be non-negative (rates); for signed linear responses y = w . x pass "
                         "np.abs(y) or np.maximum(y, 0)")
    m1 = y.mean(axis=axis)
    m2 = (y * y).mean(axis=axis)
    with np.errstate(invalid="ignore", divide="ignore"):
        return m1 * m1 / m2


def excess_kurtosis(values, axis=0):
    """Excess kurtosis ``E[(y - mu)^4] / E[(y - mu)^2]^2 - 3`` with population (biased) moments.

    Parameters
    ----------
    values : array_like
        E.g. responses of shape (n_samples, n_neurons).
    axis : int or None, default=0
        Axis over which the moments are taken.

    Returns
    -------
    float or ndarray
        0 for a Gaussian, 3 for a Laplacian, -1.2 for a uniform distribution; NaN for constant values.
        Large positive values mean heavy tails: mostly small responses and rare large ones, the signature of
        the sparse, independent-component-like directions that nonlinear Hebbian rules find
        (Hyvärinen & Oja 1998; Brito & Gerstner 2016).
    """
    y = as_real_array(values, "values")
    if y.size == 0:
        raise ValueError("values is empty")
    if not np.isfinite(y).all():
        raise ValueError("values contains NaN or infinite values; clean or drop them first")
    d = y - y.mean(axis=axis, keepdims=True)
    d2 = d * d
    m2 = d2.mean(axis=axis)
    m4 = (d2 * d2).mean(axis=axis)
    with np.errstate(invalid="ignore", divide="ignore"):
        return m4 / (m2 * m2) - 3.0


class KurtosisTest(NamedTuple):
    """Result of :func:`kurtosis_test`.

    Attributes
    ----------
    statistic : float or ndarray of shape (n_neurons,)
        Excess kurtosis of the responses ``X w`` of each tested RF.
    null : ndarray of shape (n_random,)
        Excess kurtosis of the responses of the random unit vectors.
    p_value : float or ndarray of shape (n_neurons,)
        Monte Carlo p-value with the +1 correction, never 0.
    alternative : str
    """

    statistic: object
    null: np.ndarray
    p_value: object
    alternative: str


def random_unit_vectors(n, n_features, seed=0):
    """``n`` directions drawn uniformly on the unit sphere of R^n_features, shape (n, n_features).

    Normalised standard normal vectors. ``seed`` (int >= 0 or numpy Generator, default 0) makes the draw
    reproducible: the same seed gives the same directions.
    """
    check_positive(n, "n", integer=True)
    check_positive(n_features, "n_features", integer=True)
    U = as_generator(seed).standard_normal((n, n_features))
    return U / np.linalg.norm(U, axis=1, keepdims=True)


def kurtosis_test(w, X, *, n_random=1000, seed=0, alternative="greater", chunk_elements=4_000_000):
    """Monte Carlo test: are the responses ``X w`` more heavy-tailed than those of random RFs?

    Parameters
    ----------
    w : array_like of shape (n_features,) or (n_neurons, n_features)
        RF(s) to test; the scale of w does not matter (kurtosis is scale-free).
    X : array_like of shape (n_samples, n_features)
        Input patches, one per row.
    n_random : int, default=1000
        Number of random unit vectors making the null distribution.
    seed : int >= 0 or numpy.random.Generator, default=0
        Randomness of the random unit vectors (:func:`random_unit_vectors` with the same seed draws the same
        ones). Fixed by default, so the same call gives the same p-value every time.
    alternative : {"greater", "less", "two-sided"}, default="greater"
        "greater": p = (1 + #{null >= obs}) / (1 + n_random), the one-sided test of "more kurtotic than a
        random RF"; "less" the mirror; "two-sided" = min(1, 2 min(p_greater, p_less)).
    chunk_elements : int, default=4_000_000
        Responses computed at most this many at a time (memory bound for large X).

    Returns
    -------
    KurtosisTest
        ``statistic``, ``null`` (the null sample) and ``p_value``; arrays when several RFs are given.

    Notes
    -----
    The null hypothesis is that ``w`` is as good as a direction drawn uniformly at random: under it the tested
    statistic and the null sample are exchangeable, so the +1-corrected p-value is valid (Phipson & Smyth 2010).
    Answers handout question 1.5 (Brito & Gerstner 2016 measure how non-Gaussian the learned directions are).
    """
    X = check_matrix(X, "X", min_rows=4)
    W = as_real_array(w, "w")
    single = W.ndim == 1
    W = np.atleast_2d(W)
    if W.ndim != 2 or W.shape[1] != X.shape[1]:
        raise ValueError(f"w must have shape ({X.shape[1]},) or (n_neurons, {X.shape[1]}) to match X of shape "
                         f"{X.shape}, got shape {np.shape(w)}")
    if not np.all(np.isfinite(W)) or np.any(np.linalg.norm(W, axis=1) == 0):
        raise ValueError("w must be finite and non-zero (a zero RF has no response distribution)")
    check_positive(n_random, "n_random", integer=True)
    check_positive(chunk_elements, "chunk_elements", integer=True)
    rng = as_generator(seed)  # checked before the work
    if alternative not in ("greater", "less", "two-sided"):
        raise ValueError(f"alternative must be 'greater', 'less' or 'two-sided', got {alternative!r}")
    stat = excess_kurtosis(X @ W.T, axis=0)
    U = random_unit_vectors(n_random, X.shape[1], rng)
    step = max(1, chunk_elements // X.shape[0])
    null = np.concatenate([excess_kurtosis(X @ U[i:i + step].T, axis=0) for i in range(0, n_random, step)])
    greater = (1.0 + np.sum(null[None, :] >= stat[:, None], axis=1)) / (1.0 + n_random)
    less = (1.0 + np.sum(null[None, :] <= stat[:, None], axis=1)) / (1.0 + n_random)
    p = {"greater": greater, "less": less, "two-sided": np.minimum(1.0, 2.0 * np.minimum(greater, less))}[alternative]
    if single:
        return KurtosisTest(float(stat[0]), null, float(p[0]), alternative)
    return KurtosisTest(stat, null, p, alternative)


def response_change(w_before, w_after, X):
    """Change of each patch's response between two RFs: ``dy = X w_after - X w_before``.

    Parameters
    ----------
    w_before, w_after : array_like of shape (n_features,) or (n_neurons, n_features)
    X : array_like of shape (n_samples, n_features)

    Returns
    -------
    dy : ndarray of shape (n_samples,) or (n_samples, n_neurons)
        Histogram it to see which patches learning made the neuron respond to more (dy > 0) or less.
    """
    X = check_matrix(X, "X")
    A = as_real_array(w_before, "w_before")
    B = as_real_array(w_after, "w_after")
    if A.shape != B.shape or A.shape[-1] != X.shape[1] or A.ndim > 2:
        raise ValueError(f"w_before {A.shape} and w_after {B.shape} must both have shape ({X.shape[1]},) or "
                         f"(n_neurons, {X.shape[1]}) to match X of shape {X.shape}")
    return X @ (B - A).T


def rf_similarity(weights, *, absolute=False):
    """Cosine similarity between every pair of receptive fields.

    ``S_ij = w_i · w_j / (||w_i|| ||w_j||)``: 1 for the same RF, -1 for the RF of opposite sign (for a rectified
    neuron a different RF: it responds to the contrast-inverted patches), near 0 for unrelated RFs (random unit
    vectors in N dimensions have ``|cos| ~ sqrt(2 / (pi N))``, 0.05 for N = 256).

    Parameters
    ----------
    weights : array_like of shape (n_neurons, n_inputs)
        One RF per row (any norm, none zero).
    absolute : bool, default=False
        Return ``|S|``, ignoring the sign (the usual measure of diversity when the sign is arbitrary).

    Returns
    -------
    S : ndarray of shape (n_neurons, n_neurons)
        Symmetric, with ones on the diagonal.

    Raises
    ------
    ValueError
        If ``weights`` is not a finite 2-D array or a row is zero.
    """
    W = check_matrix(weights, "weights")
    norms = np.linalg.norm(W, axis=1)
    if np.any(norms == 0):
        raise ValueError(f"weights has {int(np.sum(norms == 0))} all-zero row(s); a zero RF has no direction")
    U = W / norms[:, None]
    S = np.clip(U @ U.T, -1.0, 1.0)
    np.fill_diagonal(S, 1.0)
    return np.abs(S) if absolute else S


def group_rfs(weights, min_similarity=0.9):
    """Group receptive fields that are (nearly) the same: the connected components of ``cos(w_i, w_j) >= s``.

    Parameters
    ----------
    weights : array_like of shape (n_neurons, n_inputs)
    min_similarity : float in (-1, 1], default=0.9
        Two RFs are linked when their (signed) cosine is at least this; groups are the connected components of
        those links (single linkage), so a chain of similar RFs forms one group.

    Returns
    -------
    labels : ndarray of int of shape (n_neurons,)
        Group of each RF, numbered 0, 1, ... by decreasing group size (ties: by first member).
        ``labels.max() + 1`` is the number of distinct RFs.
    """
    if isinstance(min_similarity, bool) or not isinstance(min_similarity, numbers.Real) \
            or not -1.0 < float(min_similarity) <= 1.0:
        raise ValueError(f"min_similarity must be in (-1, 1], got {min_similarity!r}")
    from scipy.sparse.csgraph import connected_components

    S = rf_similarity(weights)
    _, raw = connected_components(S >= min_similarity, directed=False)
    sizes = np.bincount(raw)
    first = np.array([np.flatnonzero(raw == g)[0] for g in range(len(sizes))])
    order = np.lexsort((first, -sizes))  # biggest group first, then by first member
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return rank[raw]


class OrientationStatistics(NamedTuple):
    """Summary of a sample of orientations (axial data, period 180 degrees); see :func:`orientation_statistics`."""

    R: float  #: resultant length of the doubled angles, in [0, 1]: 1 all parallel, near 0 no preferred orientation
    mean: float  #: mean orientation (deg, in [0, 180))
    std: float  #: circular standard deviation (deg)
    p: float  #: Rayleigh-test p-value of the null hypothesis "uniformly distributed orientations"


def orientation_statistics(theta_deg):
    """Mean, spread and uniformity test of orientations, which have period 180 degrees (0 and 180 are the same).

    The angles are doubled so that the period becomes 360 degrees, then treated as directions:
    ``z = mean(exp(2i θ))``, ``R = |z|``, mean orientation ``arg(z) / 2``, circular standard deviation
    ``sqrt(−2 ln R) / 2``, and the Rayleigh test of uniformity with Zar's approximation of its p-value,
    ``p = exp(sqrt(1 + 4n + 4(n² − (nR)²)) − (1 + 2n))`` (Zar, *Biostatistical Analysis*, the Rayleigh test).

    Parameters
    ----------
    theta_deg : array_like of shape (n,)
        Orientations in degrees; non-finite values (undefined orientations) are left out.

    Returns
    -------
    OrientationStatistics
        ``(R, mean, std, p)``; all NaN when fewer than 2 finite orientations are given. For ``n`` uniformly
        distributed orientations ``R`` is about ``sqrt(pi / (4 n))`` by chance.
    """
    theta = as_real_array(theta_deg, "theta_deg").ravel()
    theta = theta[np.isfinite(theta)]
    n = len(theta)
    if n < 2:
        return OrientationStatistics(np.nan, np.nan, np.nan, np.nan)
    z = np.exp(2j * np.radians(theta)).mean()
    R = abs(z)
    std = np.degrees(np.sqrt(-2 * np.log(max(R, 1e-12))) / 2)
    p = np.exp(np.sqrt(1 + 4 * n + 4 * (n**2 - (n * R) ** 2)) - (1 + 2 * n))
    return OrientationStatistics(R, np.degrees(np.angle(z)) / 2 % 180, std, min(p, 1.0))
