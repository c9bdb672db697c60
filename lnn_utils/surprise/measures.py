"""Surprise definitions for a learner with a Gaussian belief about a hidden mean, and what surprise is used for.

- Liakoni, V., Modirshanechi, A., Gerstner, W. & Brea, J. (2021). Learning in volatile environments with the
  Bayes factor surprise. *Neural Computation* 33:269–340 (S_BF, Eq. 8; the adaptation rate γ, Eq. 10).
- Modirshanechi, A., Brea, J. & Gerstner, W. (2022). A taxonomy of surprise definitions. *J Math Psychol*
  110:102712 (Shannon surprise, and how it relates to S_BF in a volatile world).

In the switching-Gaussian world (:mod:`lnn_utils.surprise.gaussian`) an observer with belief N(m, v) about the
hidden mean predicts the next observation with P(y; belief) = N(y; m, v + σ²); a fresh mean from the prior would
predict P(y; prior) = N(y; μ₀, σ₀² + σ²). Then

- the **Bayes factor surprise** S_BF(y) = P(y; prior) / P(y; belief) is the evidence for "the world has just
  changed" against "it has not": 1 when belief and prior agree, whatever y;
- the **Shannon surprise** S_Sh(y) = −ln P(y | past) = −ln[p_c P(y; prior) + (1 − p_c) P(y; belief)] measures how
  improbable y was, for any reason, noise included. The two are tied by

      S_Sh(y) = −ln P(y; prior) − ln[p_c + (1 − p_c) / S_BF(y)]                                         (1)

  so S_Sh = S_BF's information plus a term that only says how unlikely y is under the prior.
- the **adaptation rate** of surprise-modulated learning is γ = m S_BF / (1 + m S_BF), the posterior probability
  of a change when m = p_c / (1 − p_c).
"""

from __future__ import annotations

import numbers

import numpy as np
from scipy import stats

from .._validation import check_positive

__all__ = [
    "bayes_factor_surprise",
    "shannon_surprise",
    "shannon_from_bayes_factor",
    "adaptation_rate",
    "change_detection_auc",
    "compare_surprises",
    "MAX_LOG_SURPRISE",
]

#: S_BF is returned as exp(min(ln S_BF, MAX_LOG_SURPRISE)): finite (< 1e304) even for observations that are
#: hundreds of standard deviations off the belief.
MAX_LOG_SURPRISE = 700.0


def _as_finite(x, name):
    arr = np.asarray(x, dtype=float)
    if arr.size == 0:
        raise ValueError(f"{name} is empty")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return arr


def _log_normal(y, mean, var):
    return -0.5 * (np.log(2.0 * np.pi * var) + (y - mean) ** 2 / var)


def _check_p(p_change):
    if isinstance(p_change, bool) or not isinstance(p_change, numbers.Real) or not 0.0 <= p_change < 1.0:
        raise ValueError(f"p_change must be a number in [0, 1), got {p_change!r}")
    return float(p_change)


def _common(y, belief_mean, belief_var, sigma, mu0, sigma0):
    y = _as_finite(y, "y")
    belief_mean = _as_finite(belief_mean, "belief_mean")
    belief_var = _as_finite(belief_var, "belief_var")
    if np.any(belief_var < 0):
        raise ValueError("belief_var must be >= 0 (a variance)")
    check_positive(sigma, "sigma")
    check_positive(sigma0, "sigma0")
    if not np.isfinite(mu0):
        raise ValueError(f"mu0 must be finite, got {mu0!r}")
    log_prior = _log_normal(y, mu0, sigma0 ** 2 + sigma ** 2)
    log_belief = _log_normal(y, belief_mean, belief_var + sigma ** 2)
    return log_prior, log_belief


def bayes_factor_surprise(y, *, belief_mean, belief_var, sigma, mu0=0.0, sigma0=1.0):
    """S_BF(y) = N(y; μ₀, σ₀² + σ²) / N(y; m, v + σ²) for a Gaussian belief N(m, v) about the hidden mean.

    Parameters
    ----------
    y : array_like
        Observations.
    belief_mean, belief_var : array_like
        Mean m and variance v (>= 0) of the belief before y (broadcast against ``y``).
    sigma : float
        Observation noise σ (> 0).
    mu0, sigma0 : float, default=0.0, 1.0
        The prior N(μ₀, σ₀²) a new hidden mean is drawn from.

    Returns
    -------
    surprise : ndarray
        S_BF (dimensionless, > 0), capped at exp(:data:`MAX_LOG_SURPRISE`).
    """
    log_prior, log_belief = _common(y, belief_mean, belief_var, sigma, mu0, sigma0)
    return np.exp(np.minimum(log_prior - log_belief, MAX_LOG_SURPRISE))


def shannon_surprise(y, *, belief_mean, belief_var, sigma, p_change, mu0=0.0, sigma0=1.0):
    """S_Sh(y) = −ln[p_c N(y; μ₀, σ₀² + σ²) + (1 − p_c) N(y; m, v + σ²)], in nats.

    The negative log probability (density) of y under the predictive distribution of an observer who knows that
    the world changes with probability p_c per step and believes N(m, v) about the current mean.

    Parameters
    ----------
    y, belief_mean, belief_var : array_like
    sigma : float
    p_change : float
        Change probability p_c in [0, 1).
    mu0, sigma0 : float, default=0.0, 1.0

    Returns
    -------
    surprise : ndarray
        S_Sh [nats]; it can be negative, since a density can exceed 1.
    """
    p_change = _check_p(p_change)
    log_prior, log_belief = _common(y, belief_mean, belief_var, sigma, mu0, sigma0)
    if p_change == 0.0:
        return -log_belief
    return -np.logaddexp(np.log(p_change) + log_prior, np.log1p(-p_change) + log_belief)


def shannon_from_bayes_factor(surprise, y, *, sigma, p_change, mu0=0.0, sigma0=1.0):
    """Shannon surprise from the Bayes factor surprise, Eq. (1): S_Sh = −ln P(y; prior) − ln[p_c + (1 − p_c)/S_BF].

    Valid for any belief (a mixture too, e.g. the exact Bayesian one), since both surprises compare the same
    two predictions of y.

    Parameters
    ----------
    surprise : array_like
        S_BF (> 0), same shape as ``y``.
    y : array_like
    sigma, p_change, mu0, sigma0 : float

    Returns
    -------
    ndarray
        S_Sh [nats].
    """
    s = _as_finite(surprise, "surprise")
    if np.any(s <= 0):
        raise ValueError("surprise (S_BF) must be > 0")
    p_change = _check_p(p_change)
    y = _as_finite(y, "y")
    check_positive(sigma, "sigma")
    check_positive(sigma0, "sigma0")
    log_prior = _log_normal(y, mu0, sigma0 ** 2 + sigma ** 2)
    return -log_prior - np.log(p_change + (1.0 - p_change) / s)


def adaptation_rate(surprise, m):
    """γ = m S_BF / (1 + m S_BF): how far VarSMiLe moves its belief towards the prior (Liakoni et al., Eq. 10).

    Parameters
    ----------
    surprise : array_like
        S_BF (>= 0).
    m : float
        Surprise sensitivity (>= 0).

    Returns
    -------
    gamma : ndarray
        In [0, 1).
    """
    check_positive(m, "m", allow_zero=True)
    s = np.asarray(surprise, dtype=float)
    if np.any(np.isnan(s)) or np.any(s < 0):
        raise ValueError("surprise (S_BF) must be >= 0 and not NaN")
    ms = m * s
    return ms / (1.0 + ms)


def change_detection_auc(score, is_change):
    """Area under the ROC curve of ``score`` as a detector of change points (Mann–Whitney U / (n₁ n₀)).

    0.5 is chance, 1 a perfect detector: the probability that a random change step scores higher than a random
    step without change (ties count one half).

    Parameters
    ----------
    score : array_like of shape (n_steps,)
        A surprise (or any detection statistic) per step.
    is_change : array_like of bool, shape (n_steps,)
        True at the steps where the hidden mean changed.

    Returns
    -------
    auc : float
    """
    score = _as_finite(score, "score").ravel()
    is_change = np.asarray(is_change, dtype=bool).ravel()
    if score.shape != is_change.shape:
        raise ValueError(f"score and is_change must have the same length, got {score.shape} and {is_change.shape}")
    n1 = int(is_change.sum())
    n0 = is_change.size - n1
    if n1 == 0 or n0 == 0:
        raise ValueError("is_change must contain both change and no-change steps")
    ranks = stats.rankdata(score)
    return float((ranks[is_change].sum() - n1 * (n1 + 1) / 2.0) / (n1 * n0))


def compare_surprises(sigmas, p_change, *, n_steps, n_seeds, mu0=0.0, sigma0=1.0, seed=0):
    """How well the exact observer's S_BF and S_Sh detect change points, across noise levels σ.

    For each σ and seed, a switching-Gaussian sequence is filtered by exact Bayes
    (:func:`lnn_utils.surprise.gaussian.exact_bayes_details`), which gives both surprises of every observation.

    Parameters
    ----------
    sigmas : sequence of float
    p_change : float
    n_steps, n_seeds : int
    mu0, sigma0 : float
    seed : int or numpy.random.Generator

    Returns
    -------
    result : dict
        ``"sigma"`` (n_sigma,); ``"auc_bf"``, ``"auc_shannon"`` (n_sigma, n_seeds): change-detection AUC of
        ln S_BF and of S_Sh; ``"correlation"`` (n_sigma, n_seeds): Pearson correlation of ln S_BF and S_Sh;
        ``"shannon_no_change"``, ``"shannon_change"`` (n_sigma, n_seeds): mean S_Sh at steps without / with a change.
    """
    from .._validation import as_generator
    from .gaussian import exact_bayes_details, switching_gaussian

    check_positive(n_seeds, "n_seeds", integer=True)
    sigmas = np.asarray(sigmas, dtype=float)
    rng = as_generator(seed)
    keys = ("auc_bf", "auc_shannon", "correlation", "shannon_no_change", "shannon_change")
    out = {k: np.empty((len(sigmas), n_seeds)) for k in keys}
    for i, s in enumerate(sigmas):
        for k in range(n_seeds):
            y, mu = switching_gaussian(n_steps, sigma=float(s), p_change=p_change, mu0=mu0, sigma0=sigma0, seed=rng)
            res = exact_bayes_details(y, sigma=float(s), p_change=p_change, mu0=mu0, sigma0=sigma0)
            is_change = np.r_[False, np.diff(mu) != 0]
            log_bf = np.log(res.surprise)
            out["auc_bf"][i, k] = change_detection_auc(log_bf, is_change)
            out["auc_shannon"][i, k] = change_detection_auc(res.shannon, is_change)
            out["correlation"][i, k] = np.corrcoef(log_bf, res.shannon)[0, 1]
            out["shannon_no_change"][i, k] = res.shannon[~is_change].mean()
            out["shannon_change"][i, k] = res.shannon[is_change].mean()
    out["sigma"] = sigmas
    return out
