"""Learning by surprise in a volatile world, and novelty-driven exploration (notebook 08).

- :mod:`lnn_utils.surprise.gaussian`: the switching-Gaussian task and its learners, after Liakoni, Modirshanechi,
  Gerstner & Brea (2021): exact Bayes (run-length message passing), the leaky integrator, Variational SMiLe,
  the particle filter, and the tuning of the heuristics' free parameter.
- :mod:`lnn_utils.surprise.measures`: surprise definitions (Bayes factor and Shannon surprise, Modirshanechi,
  Brea & Gerstner 2022), the surprise-modulated adaptation rate, change-point detection scores.
- :mod:`lnn_utils.surprise.paper_tables`: the paper's published MSE tables, for comparison.
- :mod:`lnn_utils.surprise.novelty`: novelty-driven exploration and surprise-triggered re-exploration in notebook
  07's maze (Xu, Modirshanechi, Lehmann, Gerstner & Herzog 2021); imported on use
  (``from lnn_utils.surprise import novelty``).
"""

from .gaussian import (
    ExactBayesResult,
    compare_learners,
    error_after_change,
    exact_bayes_mse,
    exact_bayes,
    exact_bayes_details,
    fit_leaky_omega,
    fit_var_smile_m,
    leaky_integrator,
    mean_squared_error,
    particle_filter,
    steps_since_change,
    switching_gaussian,
    theoretical_m,
    var_smile,
)

__all__ = [
    "ExactBayesResult",
    "compare_learners",
    "error_after_change",
    "exact_bayes_mse",
    "exact_bayes",
    "exact_bayes_details",
    "fit_leaky_omega",
    "fit_var_smile_m",
    "leaky_integrator",
    "mean_squared_error",
    "particle_filter",
    "steps_since_change",
    "switching_gaussian",
    "theoretical_m",
    "var_smile",
]
