"""Learning by surprise in a volatile world, and novelty-driven exploration (notebook 08).

- :mod:`lnn_utils.surprise.gaussian`: the switching-Gaussian task and its learners, after Liakoni, Modirshanechi,
  Gerstner & Brea (2021): exact Bayes (run-length message passing), the leaky integrator, Variational SMiLe,
  the particle filter, and the tuning of the heuristics' free parameter.
- :mod:`lnn_utils.surprise.measures`: surprise definitions (Bayes factor and Shannon surprise, Modirshanechi,
  Brea & Gerstner 2022), the surprise-modulated adaptation rate, change-point detection scores.
"""

from .gaussian import (
    ExactBayesResult,
    compare_learners,
    exact_bayes,
    exact_bayes_details,
    fit_leaky_omega,
    fit_var_smile_m,
    leaky_integrator,
    mean_squared_error,
    particle_filter,
    switching_gaussian,
    theoretical_m,
    var_smile,
)

__all__ = [
    "ExactBayesResult",
    "compare_learners",
    "exact_bayes",
    "exact_bayes_details",
    "fit_leaky_omega",
    "fit_var_smile_m",
    "leaky_integrator",
    "mean_squared_error",
    "particle_filter",
    "switching_gaussian",
    "theoretical_m",
    "var_smile",
]
