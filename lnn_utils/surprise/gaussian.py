"""The Gaussian estimation task in a volatile world and its learners (Liakoni, Modirshanechi, Gerstner & Brea 2021).

Liakoni, V., Modirshanechi, A., Gerstner, W. & Brea, J. (2021). Learning in volatile environments with the Bayes
factor surprise. *Neural Computation* 33:269–340, Section 2.3.1 (the Gaussian task) and Section 2.2 (the learners).

The world (:func:`switching_gaussian`): a hidden mean μ_t that, before each observation, jumps with probability
p_c to a fresh draw from the prior N(μ₀, σ₀²) and otherwise stays; the observation is y_t ~ N(μ_t, σ²). The first
mean is a draw from the prior. The same conventions as the authors' code: a change can happen before any
observation, including the first (indistinguishable from the first draw), and the error is the squared difference
between μ_t and the estimate *after* y_t, averaged over all steps and seeds.

The learners return ``mu_hat`` with ``mu_hat[t]`` the estimate of μ_t after y_0..y_t:

- :func:`exact_bayes`: the exact posterior mean, by run-length message passing with pruning (Adams & MacKay
  2007; the paper's "Exact Bayes");
- :func:`leaky_integrator`: the prior-weighted leaky average with forgetting factor ω;
- :func:`var_smile`: Variational SMiLe, a leaky average whose forgetting is set at every step by the Bayes factor
  surprise, γ = m S_BF / (1 + m S_BF);
- :func:`particle_filter`: a particle filter with the optimal proposal (the paper's "pf").

:func:`fit_leaky_omega` and :func:`fit_var_smile_m` tune the free parameter of the two heuristics per condition,
:func:`compare_learners` tabulates the mean squared errors of all of them over seeds.

Beliefs are Gaussian over μ and are kept as a pseudo-count ν and a pseudo-sum χ (mean χ/ν, variance σ²/ν);
the prior is (ν₀, χ₀) = (σ²/σ₀², ν₀ μ₀). See :mod:`lnn_utils.surprise._kernels` for the compiled recursions.
"""

from __future__ import annotations

import math
import numbers
from typing import NamedTuple

import numpy as np
from scipy import optimize, signal

from .._validation import as_generator, check_positive
from ..progress import progress_bar
from . import _kernels
from .measures import MAX_LOG_SURPRISE

__all__ = [
    "switching_gaussian",
    "exact_bayes",
    "exact_bayes_details",
    "ExactBayesResult",
    "leaky_integrator",
    "var_smile",
    "particle_filter",
    "theoretical_m",
    "mean_squared_error",
    "fit_leaky_omega",
    "fit_var_smile_m",
    "compare_learners",
    "exact_bayes_mse",
    "error_after_change",
    "steps_since_change",
]


# ----------------------------------------------------------------------------------------------- validation
def _check_sigma(value, name):
    check_positive(value, name)
    return float(value)


def _check_p_change(p_change, *, allow_one=False):
    if isinstance(p_change, bool) or not isinstance(p_change, numbers.Real) or not np.isfinite(p_change):
        raise TypeError(f"p_change must be a finite number in [0, 1), got {p_change!r}")
    if not 0.0 <= p_change < 1.0:
        raise ValueError(f"p_change must be in [0, 1) (a probability per step; 1 would mean no memory at all), "
                         f"got {p_change!r}")
    return float(p_change)


def _check_mu0(mu0):
    if isinstance(mu0, bool) or not isinstance(mu0, numbers.Real) or not np.isfinite(mu0):
        raise ValueError(f"mu0 must be a finite number (the prior mean), got {mu0!r}")
    return float(mu0)


def _check_y(y):
    """``y`` as a contiguous float64 1-D array, non-empty and finite."""
    arr = np.asarray(y, dtype=np.float64)
    if arr.ndim != 1:
        raise ValueError(f"y must be 1-D of shape (n_steps,) (one sequence; loop over seeds), got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError("y is empty: pass at least one observation")
    if not np.all(np.isfinite(arr)):
        raise ValueError("y contains NaN or infinite values; every observation must be a finite number")
    return np.ascontiguousarray(arr)


def _prior(sigma, mu0, sigma0):
    """(ν₀, χ₀) of the prior N(μ₀, σ₀²) for observation noise σ."""
    nu0 = sigma * sigma / (sigma0 * sigma0)
    return nu0, nu0 * mu0


# ------------------------------------------------------------------------------------------------- the task
def switching_gaussian(n_steps, *, sigma, p_change, mu0=0.0, sigma0=1.0, seed=0):
    """Observations of a hidden mean that jumps at random times (the paper's Gaussian task).

    μ_{-1} ~ N(μ₀, σ₀²); then for t = 0, 1, ...: with probability p_c, μ_t ~ N(μ₀, σ₀²) (a change point),
    else μ_t = μ_{t-1}; and y_t ~ N(μ_t, σ²). (The change, if any, happens *before* the observation.)

    Parameters
    ----------
    n_steps : int
        Number of observations T.
    sigma : float
        Observation noise σ (standard deviation, > 0).
    p_change : float
        Change probability p_c per step, in [0, 1).
    mu0, sigma0 : float, default=0.0, 1.0
        Mean and standard deviation (> 0) of the prior from which every new μ is drawn.
    seed : int or numpy.random.Generator, default=0

    Returns
    -------
    y : ndarray of shape (n_steps,)
        Observations.
    mu : ndarray of shape (n_steps,)
        Hidden mean at each step.

    Examples
    --------
    >>> y, mu = switching_gaussian(1000, sigma=0.5, p_change=0.01, seed=1)
    >>> y.shape, float(np.mean(np.diff(mu) != 0)) < 0.05
    ((1000,), True)
    """
    check_positive(n_steps, "n_steps", integer=True)
    sigma = _check_sigma(sigma, "sigma")
    sigma0 = _check_sigma(sigma0, "sigma0")
    p_change = _check_p_change(p_change)
    mu0 = _check_mu0(mu0)
    rng = as_generator(seed)
    change = rng.random(n_steps) < p_change
    change[0] = True  # the first mean is a prior draw either way
    draws = mu0 + sigma0 * rng.standard_normal(n_steps)
    segment = np.cumsum(change) - 1
    mu = draws[change][segment]
    y = mu + sigma * rng.standard_normal(n_steps)
    return y, mu


# -------------------------------------------------------------------------------------------------- learners
class ExactBayesResult(NamedTuple):
    """Everything :func:`exact_bayes_details` computes at each step t (arrays of shape (n_steps,))."""

    mu_hat: np.ndarray
    """Posterior mean E[μ_t | y_0..y_t]."""
    surprise: np.ndarray
    """Bayes factor surprise S_BF(y_t) = P(y_t; prior) / P(y_t; belief after y_0..y_{t-1}) (capped at e^700)."""
    shannon: np.ndarray
    """Shannon surprise −ln P(y_t | y_0..y_{t-1}) [nats]."""
    n_hypotheses: np.ndarray
    """Run-length hypotheses kept after pruning."""


def exact_bayes_details(y, *, sigma, p_change, mu0=0.0, sigma0=1.0, cutoff=1e-16):
    """Exact Bayesian filtering of the switching Gaussian, with the surprises of the ideal observer.

    The posterior over μ_t is a mixture over the run length r (observations since the last change) of
    conjugate Gaussians. One step of message passing (Adams & MacKay 2007; Liakoni et al. 2021, Sec. 2.2.1):

        P(r_t = r + 1 | y_0..y_t) ∝ (1 − p_c) P(r_{t−1} = r | y_0..y_{t−1}) P(y_t | r, last r + 1 obs.)
        P(r_t = 0 | y_0..y_t)     ∝ p_c P(y_t; prior)

    and E[μ_t | y_0..y_t] = Σ_r P(r_t = r | ·) × (posterior mean of μ given the last r + 1 observations).
    Hypotheses whose normalised probability falls below ``cutoff`` are dropped (the paper's code uses 1e-16),
    so the cost per step is the number of hypotheses kept, not t.

    Parameters
    ----------
    y : array_like of shape (n_steps,)
        Observations (finite, at least one).
    sigma : float
        Observation noise σ the learner assumes (> 0).
    p_change : float
        Change probability p_c per step the learner assumes, in [0, 1).
    mu0, sigma0 : float, default=0.0, 1.0
        Prior mean and standard deviation.
    cutoff : float, default=1e-16
        Pruning threshold on a hypothesis' posterior probability, in [0, 1e-3]; 0 keeps every hypothesis.

    Returns
    -------
    ExactBayesResult
        ``mu_hat``, ``surprise`` (S_BF), ``shannon`` (nats) and ``n_hypotheses``, each of shape (n_steps,).
    """
    y = _check_y(y)
    sigma = _check_sigma(sigma, "sigma")
    sigma0 = _check_sigma(sigma0, "sigma0")
    p_change = _check_p_change(p_change)
    mu0 = _check_mu0(mu0)
    if isinstance(cutoff, bool) or not isinstance(cutoff, numbers.Real) or not 0.0 <= cutoff <= 1e-3:
        raise ValueError(f"cutoff must be a number in [0, 1e-3] (a negligible probability), got {cutoff!r}")
    nu0, chi0 = _prior(sigma, mu0, sigma0)
    n = y.shape[0]
    mu_hat, log_sbf, log_pred = np.empty(n), np.empty(n), np.empty(n)
    n_hyp = np.empty(n, dtype=np.int64)
    _kernels.exact_bayes_kernel(y, sigma * sigma, p_change, nu0, chi0, float(cutoff), mu_hat, log_sbf, log_pred,
                                n_hyp)
    return ExactBayesResult(mu_hat, np.exp(np.minimum(log_sbf, MAX_LOG_SURPRISE)), -log_pred, n_hyp)


def exact_bayes(y, *, sigma, p_change, mu0=0.0, sigma0=1.0):
    """Exact posterior mean of the hidden mean of a switching Gaussian (the paper's "Exact Bayes").

    Run-length message passing with pruning at 1e-16; see :func:`exact_bayes_details` for the recursion and
    for the surprises it also yields.

    Parameters
    ----------
    y : array_like of shape (n_steps,)
    sigma : float
        Observation noise σ (> 0).
    p_change : float
        Change probability p_c per step, in [0, 1).
    mu0, sigma0 : float, default=0.0, 1.0
        Prior mean and standard deviation.

    Returns
    -------
    mu_hat : ndarray of shape (n_steps,)
        E[μ_t | y_0..y_t].

    Examples
    --------
    >>> y, mu = switching_gaussian(20_000, sigma=0.5, p_change=0.01, seed=0)
    >>> mu_hat = exact_bayes(y, sigma=0.5, p_change=0.01)
    >>> 0.015 < float(np.mean((mu_hat - mu) ** 2)) < 0.035   # the paper: 0.023
    True
    """
    return exact_bayes_details(y, sigma=sigma, p_change=p_change, mu0=mu0, sigma0=sigma0).mu_hat


def leaky_integrator(y, *, omega, sigma, mu0=0.0, sigma0=1.0):
    """The prior-weighted leaky average of the observations, forgetting factor ω.

    ν_t = ω ν_{t−1} + 1,   χ_t = ω χ_{t−1} + y_t,   μ̂_t = χ_t / ν_t,   from (ν₀, χ₀) = (σ²/σ₀², ν₀ μ₀);

    i.e. μ̂_t = (ω^{t+1} ν₀ μ₀ + Σ_k ω^{t−k} y_k) / (ω^{t+1} ν₀ + Σ_k ω^{t−k}). With ω = 1 it is the exact
    posterior mean of a world that never changes; ω < 1 keeps an effective memory of 1 / (1 − ω) steps. (The
    authors' code starts without the prior term, which only matters for the first ~1/(1 − ω) steps.)

    Parameters
    ----------
    y : array_like of shape (n_steps,)
    omega : float
        Forgetting factor ω in (0, 1].
    sigma : float
        Observation noise σ (> 0; it sets the weight ν₀ of the prior).
    mu0, sigma0 : float, default=0.0, 1.0

    Returns
    -------
    mu_hat : ndarray of shape (n_steps,)
    """
    y = _check_y(y)
    omega = _check_omega(omega)
    sigma = _check_sigma(sigma, "sigma")
    sigma0 = _check_sigma(sigma0, "sigma0")
    mu0 = _check_mu0(mu0)
    nu0, chi0 = _prior(sigma, mu0, sigma0)
    a = [1.0, -omega]
    chi, _ = signal.lfilter([1.0], a, y, zi=[omega * chi0])
    nu, _ = signal.lfilter([1.0], a, np.ones_like(y), zi=[omega * nu0])
    return chi / nu


def _check_omega(omega):
    if isinstance(omega, bool) or not isinstance(omega, numbers.Real) or not np.isfinite(omega):
        raise TypeError(f"omega must be a number in (0, 1], got {omega!r}")
    if not 0.0 < omega <= 1.0:
        raise ValueError(f"omega must be in (0, 1] (1 = never forget), got {omega!r}")
    return float(omega)


def _check_m(m):
    if isinstance(m, bool) or not isinstance(m, numbers.Real) or not np.isfinite(m):
        raise TypeError(f"m must be a finite number >= 0, got {m!r}")
    if m < 0:
        raise ValueError(f"m must be >= 0 (in theory m = p_c / (1 - p_c)), got {m!r}")
    return float(m)


def theoretical_m(p_change):
    """m = p_c / (1 − p_c): the value of VarSMiLe's parameter that the derivation gives."""
    p_change = _check_p_change(p_change)
    return p_change / (1.0 - p_change)


def var_smile(y, *, sigma, m, mu0=0.0, sigma0=1.0):
    """Variational SMiLe: surprise-modulated leaky integration (Liakoni et al. 2021, Algorithm 1).

    At each step the Bayes factor surprise compares how well the prior and the current belief predict y_t,

        S_BF(y_t) = P(y_t; prior) / P(y_t; belief_{t−1}),   with  P(y; (ν, χ)) = N(y; χ/ν, σ²(1 + 1/ν)),

    it sets the adaptation rate γ_t = m S_BF / (1 + m S_BF), and the belief moves towards the prior by γ_t
    before it absorbs the observation:

        ν_t = (1 − γ_t) ν_{t−1} + γ_t ν₀ + 1,   χ_t = (1 − γ_t) χ_{t−1} + γ_t χ₀ + y_t,   μ̂_t = χ_t / ν_t.

    The belief before y_0 is the prior, so S_BF(y_0) = 1.

    Parameters
    ----------
    y : array_like of shape (n_steps,)
    sigma : float
        Observation noise σ (> 0).
    m : float
        Surprise sensitivity m >= 0; the derivation gives m = p_c / (1 − p_c) (:func:`theoretical_m`); fitted
        per condition (:func:`fit_var_smile_m`) it does better. m = 0 is the stationary Bayesian learner.
    mu0, sigma0 : float, default=0.0, 1.0

    Returns
    -------
    mu_hat : ndarray of shape (n_steps,)
    surprise : ndarray of shape (n_steps,)
        S_BF(y_t) (dimensionless; > 1 means the prior predicted y_t better than the belief). The adaptation
        rate is :func:`lnn_utils.surprise.measures.adaptation_rate` of it.
    """
    y = _check_y(y)
    sigma = _check_sigma(sigma, "sigma")
    sigma0 = _check_sigma(sigma0, "sigma0")
    m = _check_m(m)
    mu0 = _check_mu0(mu0)
    nu0, chi0 = _prior(sigma, mu0, sigma0)
    mu_hat, log_sbf = np.empty_like(y), np.empty_like(y)
    _kernels.var_smile_kernel(y, sigma * sigma, m, nu0, chi0, mu_hat, log_sbf)
    return mu_hat, np.exp(np.minimum(log_sbf, MAX_LOG_SURPRISE))


def particle_filter(y, *, sigma, p_change, n_particles, mu0=0.0, sigma0=1.0, seed=0):
    """Particle filter with the optimal proposal for the switching Gaussian (the paper's "pf", Sec. 2.2.3).

    Each particle is one hypothesis of when the current segment started, summarised by its conjugate belief.
    For each y_t, particle i is re-weighted by w_i ← w_i [(1 − p_c) P(y_t; i) + p_c P(y_t; prior)] and restarts
    from the prior with probability p_c P(y_t; prior) / [(1 − p_c) P(y_t; i) + p_c P(y_t; prior)] (in the
    paper's notation, with probability γ_i = m S_BF,i / (1 + m S_BF,i), m = p_c / (1 − p_c)). The estimate is
    Σ_i w_i χ_i / ν_i. When the effective sample size 1 / Σ w_i² drops to N/2 the particles are resampled
    (systematic resampling; the authors use multinomial resampling, with the same expectation). As N grows
    the estimate converges to :func:`exact_bayes`.

    Parameters
    ----------
    y : array_like of shape (n_steps,)
    sigma : float
        Observation noise σ (> 0).
    p_change : float
        Change probability p_c in [0, 1).
    n_particles : int
        Number of particles N >= 1.
    mu0, sigma0 : float, default=0.0, 1.0
    seed : int or numpy.random.Generator, default=0

    Returns
    -------
    mu_hat : ndarray of shape (n_steps,)
    """
    y = _check_y(y)
    sigma = _check_sigma(sigma, "sigma")
    sigma0 = _check_sigma(sigma0, "sigma0")
    p_change = _check_p_change(p_change)
    mu0 = _check_mu0(mu0)
    check_positive(n_particles, "n_particles", integer=True)
    rng = as_generator(seed)
    nu0, chi0 = _prior(sigma, mu0, sigma0)
    n = y.shape[0]
    u_switch = rng.random((n, int(n_particles)))
    u_resample = rng.random(n)
    mu_hat = np.empty(n)
    n_resample = np.zeros(1, dtype=np.int64)
    _kernels.particle_filter_kernel(y, sigma * sigma, p_change, nu0, chi0, u_switch, u_resample, mu_hat, n_resample)
    return mu_hat


# ------------------------------------------------------------------------------------- errors and tuning
def mean_squared_error(mu_hat, mu):
    """Mean over steps of (μ̂_t − μ_t)²; for 2-D input (n_seeds, n_steps), one value per seed."""
    mu_hat = np.asarray(mu_hat, dtype=float)
    mu = np.asarray(mu, dtype=float)
    if mu_hat.shape != mu.shape:
        raise ValueError(f"mu_hat and mu must have the same shape, got {mu_hat.shape} and {mu.shape}")
    return np.mean((mu_hat - mu) ** 2, axis=-1)


def _minimise_on_grid(loss, grid, *, log=True):
    """Minimise a 1-D ``loss`` over ``grid``, then refine by bounded Brent search between the grid neighbours."""
    values = np.array([loss(g) for g in grid])
    i = int(np.argmin(values))
    lo, hi = grid[max(i - 1, 0)], grid[min(i + 1, len(grid) - 1)]
    if lo == hi:
        return grid[i], values[i]
    f = (lambda z: loss(math.exp(z))) if log else loss
    a, b = (math.log(lo), math.log(hi)) if log else (lo, hi)
    res = optimize.minimize_scalar(f, bounds=(a, b), method="bounded", options={"xatol": 1e-3})
    best = math.exp(res.x) if log else res.x
    if res.fun < values[i]:
        return best, float(res.fun)
    return grid[i], float(values[i])


def _check_training(ys, mus):
    ys = [np.asarray(v, dtype=float) for v in (ys if isinstance(ys, (list, tuple)) or np.ndim(ys) == 2 else [ys])]
    mus = [np.asarray(v, dtype=float) for v in (mus if isinstance(mus, (list, tuple)) or np.ndim(mus) == 2
                                                 else [mus])]
    if len(ys) != len(mus) or any(a.shape != b.shape for a, b in zip(ys, mus)):
        raise ValueError("ys and mus must be matching sequences (or 2-D arrays) of observations and hidden means")
    return ys, mus


def fit_leaky_omega(ys, mus, *, sigma, mu0=0.0, sigma0=1.0):
    """The forgetting factor ω of :func:`leaky_integrator` that minimises the MSE on training sequences.

    A grid over 1 − ω (log-spaced from 1e-4 to 0.999) followed by a bounded scalar search between the best
    grid point's neighbours.

    Parameters
    ----------
    ys, mus : array_like of shape (n_seeds, n_steps) or list of 1-D arrays
        Training observations and their hidden means.
    sigma, mu0, sigma0 : float

    Returns
    -------
    omega : float
        Fitted ω in (0, 1).
    mse : float
        Training MSE at that ω.
    """
    ys, mus = _check_training(ys, mus)

    def loss(one_minus_omega):
        om = 1.0 - one_minus_omega
        return float(np.mean([np.mean((leaky_integrator(y, omega=om, sigma=sigma, mu0=mu0, sigma0=sigma0) - mu) ** 2)
                              for y, mu in zip(ys, mus)]))

    best, mse = _minimise_on_grid(loss, np.geomspace(1e-4, 0.999, 29))
    return 1.0 - best, mse


def fit_var_smile_m(ys, mus, *, sigma, mu0=0.0, sigma0=1.0):
    """The surprise sensitivity m of :func:`var_smile` that minimises the MSE on training sequences.

    A grid over m (log-spaced from 1e-6 to 10) followed by a bounded scalar search in log m.

    Parameters
    ----------
    ys, mus : array_like of shape (n_seeds, n_steps) or list of 1-D arrays
    sigma, mu0, sigma0 : float

    Returns
    -------
    m : float
    mse : float
        Training MSE at that m.
    """
    ys, mus = _check_training(ys, mus)

    def loss(m):
        return float(np.mean([np.mean((var_smile(y, sigma=sigma, m=m, mu0=mu0, sigma0=sigma0)[0] - mu) ** 2)
                              for y, mu in zip(ys, mus)]))

    return _minimise_on_grid(loss, np.geomspace(1e-6, 10.0, 29))


def compare_learners(sigmas, p_changes, *, n_steps, n_seeds, n_fit_seeds=2, n_fit_steps=None, n_particles=(1, 20),
                     mu0=0.0, sigma0=1.0, seed=0, progress=None):
    """MSE of every learner in every condition (σ, p_c), over seeds; ω and m fitted on separate seeds.

    For each condition, ω (leaky integrator) and m (VarSMiLe) are fitted on ``n_fit_seeds`` training sequences,
    then every learner runs on ``n_seeds`` fresh test sequences: exact Bayes, the leaky integrator with fitted
    ω, VarSMiLe with fitted m and with the theoretical m = p_c/(1 − p_c), and particle filters.

    Parameters
    ----------
    sigmas, p_changes : sequence of float
        The grid of conditions.
    n_steps : int or callable
        Steps per test sequence; a callable ``n_steps(p_change) -> int`` gives rarer changes longer runs.
    n_seeds : int
        Test sequences per condition.
    n_fit_seeds : int, default=2
        Training sequences per condition.
    n_fit_steps : int or callable, optional
        Steps per training sequence (default ``n_steps``).
    n_particles : sequence of int, default=(1, 20)
        Particle-filter sizes to run.
    mu0, sigma0 : float
    seed : int or numpy.random.Generator
    progress : bool, optional
        Progress bar (see :func:`lnn_utils.progress.progress_bar`).

    Returns
    -------
    results : dict
        ``"sigma"``, ``"p_change"`` of shape (n_sigma,), (n_p,); ``"mse"``: dict learner name ->
        ndarray (n_sigma, n_p, n_seeds) of per-seed test MSEs, names ``"exact"``, ``"leaky"``, ``"var_smile"``,
        ``"var_smile_theory"``, ``"pf{N}"``; ``"omega"``, ``"m"``: fitted values (n_sigma, n_p);
        ``"n_hypotheses"`` (n_sigma, n_p, n_seeds): mean number of hypotheses exact Bayes kept per step.
    """
    sigmas = np.asarray(sigmas, dtype=float)
    p_changes = np.asarray(p_changes, dtype=float)
    check_positive(n_seeds, "n_seeds", integer=True)
    check_positive(n_fit_seeds, "n_fit_seeds", integer=True)
    steps = n_steps if callable(n_steps) else (lambda p, n=n_steps: n)
    fit_steps = steps if n_fit_steps is None else (n_fit_steps if callable(n_fit_steps) else
                                                   (lambda p, n=n_fit_steps: n))
    rng = as_generator(seed)
    names = ["exact", "leaky", "var_smile", "var_smile_theory"] + [f"pf{n}" for n in n_particles]
    shape = (len(sigmas), len(p_changes))
    mse = {name: np.empty(shape + (n_seeds,)) for name in names}
    omega, m_fit = np.empty(shape), np.empty(shape)
    n_hyp = np.empty(shape + (n_seeds,))
    with progress_bar(len(sigmas) * len(p_changes), desc="conditions", enabled=progress) as bar:
        for i, s in enumerate(sigmas):
            for j, p in enumerate(p_changes):
                s, p = float(s), float(p)
                train = [switching_gaussian(int(fit_steps(p)), sigma=s, p_change=p, mu0=mu0, sigma0=sigma0, seed=rng)
                         for _ in range(n_fit_seeds)]
                ys, mus = [a for a, _ in train], [b for _, b in train]
                omega[i, j], _ = fit_leaky_omega(ys, mus, sigma=s, mu0=mu0, sigma0=sigma0)
                m_fit[i, j], _ = fit_var_smile_m(ys, mus, sigma=s, mu0=mu0, sigma0=sigma0)
                kw = dict(sigma=s, mu0=mu0, sigma0=sigma0)
                for k in range(n_seeds):
                    y, mu = switching_gaussian(int(steps(p)), p_change=p, seed=rng, **kw)
                    err = lambda est: float(np.mean((est - mu) ** 2))  # noqa: E731
                    res = exact_bayes_details(y, p_change=p, **kw)
                    mse["exact"][i, j, k] = err(res.mu_hat)
                    n_hyp[i, j, k] = res.n_hypotheses.mean()
                    mse["leaky"][i, j, k] = err(leaky_integrator(y, omega=omega[i, j], **kw))
                    mse["var_smile"][i, j, k] = err(var_smile(y, m=m_fit[i, j], **kw)[0])
                    mse["var_smile_theory"][i, j, k] = err(var_smile(y, m=theoretical_m(p), **kw)[0])
                    for n in n_particles:
                        mse[f"pf{n}"][i, j, k] = err(particle_filter(y, p_change=p, n_particles=n, seed=rng, **kw))
                bar.update(1)
    return {"sigma": sigmas, "p_change": p_changes, "mse": mse, "omega": omega, "m": m_fit, "n_hypotheses": n_hyp}


def exact_bayes_mse(sigma, p_change, *, n_steps, n_seeds, mu0=0.0, sigma0=1.0, seed=0):
    """Per-seed MSE of :func:`exact_bayes` on fresh sequences of the switching Gaussian (the paper's protocol).

    Parameters
    ----------
    sigma, p_change : float
        The condition (the learner knows both).
    n_steps : int
        Steps per sequence (the paper: 10⁵ for p_c >= 0.005).
    n_seeds : int
        Independent sequences (the paper: 10).
    mu0, sigma0 : float
    seed : int or numpy.random.Generator

    Returns
    -------
    result : dict
        ``"mse"`` (n_seeds,) mean over steps of (μ̂_t − μ_t)² per sequence, ``"n_hypotheses"`` (n_seeds,) mean
        number of run-length hypotheses kept per step.
    """
    check_positive(n_seeds, "n_seeds", integer=True)
    rng = as_generator(seed)
    mse, n_hyp = np.empty(n_seeds), np.empty(n_seeds)
    for k in range(n_seeds):
        y, mu = switching_gaussian(n_steps, sigma=sigma, p_change=p_change, mu0=mu0, sigma0=sigma0, seed=rng)
        res = exact_bayes_details(y, sigma=sigma, p_change=p_change, mu0=mu0, sigma0=sigma0)
        mse[k] = np.mean((res.mu_hat - mu) ** 2)
        n_hyp[k] = res.n_hypotheses.mean()
    return {"mse": mse, "n_hypotheses": n_hyp}


def error_after_change(mu_hat, mu, n_lags):
    """Squared error k = 0, 1, ..., n_lags − 1 steps after a change point, averaged over the change points.

    Only change points followed by at least ``n_lags`` steps without another change are used (as in the paper's
    Figure 2), so every lag averages the same set of changes.

    Parameters
    ----------
    mu_hat, mu : array_like of shape (n_steps,) or (n_seeds, n_steps)
        Estimates and hidden means.
    n_lags : int

    Returns
    -------
    error : ndarray of shape (n_lags,)
        Mean of (μ̂_{t+k} − μ_{t+k})² over change points t.
    n_changes : int
        Number of change points used.
    """
    check_positive(n_lags, "n_lags", integer=True)
    mu_hat = np.atleast_2d(np.asarray(mu_hat, dtype=float))
    mu = np.atleast_2d(np.asarray(mu, dtype=float))
    if mu_hat.shape != mu.shape:
        raise ValueError(f"mu_hat and mu must have the same shape, got {mu_hat.shape} and {mu.shape}")
    sq = (mu_hat - mu) ** 2
    rows = []
    for e, m in zip(sq, mu):
        changes = np.flatnonzero(np.diff(m) != 0) + 1
        ends = np.r_[changes[1:], len(m)]
        for c, end in zip(changes, ends):
            if end - c >= n_lags:
                rows.append(e[c:c + n_lags])
    if not rows:
        raise ValueError(f"no change point is followed by {n_lags} steps without change; use fewer lags")
    return np.mean(rows, axis=0), len(rows)


def steps_since_change(mu):
    """Steps since the hidden mean last changed (0 at a change point and at t = 0), shape (n_steps,).

    Parameters
    ----------
    mu : array_like of shape (n_steps,)
        Hidden means, as returned by :func:`switching_gaussian`.
    """
    mu = np.asarray(mu, dtype=float)
    if mu.ndim != 1 or mu.size == 0:
        raise ValueError(f"mu must be a non-empty 1-D array, got shape {mu.shape}")
    t = np.arange(mu.size)
    start = np.where(np.r_[True, np.diff(mu) != 0], t, 0)
    return t - np.maximum.accumulate(start)
