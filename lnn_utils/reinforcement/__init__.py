"""Reinforcement learning and three-factor plasticity (notebook 07; the maze also serves notebook 08).

- :mod:`~lnn_utils.reinforcement.environments`: deterministic grid worlds / mazes with a transition table
  (:class:`Maze`, Sutton & Barto's Dyna maze by default), steppable for many agents at once.
- :mod:`~lnn_utils.reinforcement.prediction`: Sutton & Barto's random walk; n-step TD and constant-α Monte Carlo
  prediction, vectorised over runs (Example 6.2, Figure 7.2).
- :mod:`~lnn_utils.reinforcement.dopamine`: the TD error of a complete-serial-compound TD(λ) model as the dopamine
  signal (Schultz, Dayan & Montague 1997).
- :mod:`~lnn_utils.reinforcement.three_factor`: reward-modulated Hebbian learning with and without a critic
  (Frémaux, Sprekeler & Gerstner 2010), eligibility traces bridging reward delays (Izhikevich 2007).
- :mod:`~lnn_utils.reinforcement.actor_critic`: actor–critic with local three-factor rules and tabular Q-learning
  on a maze.
"""

from .actor_critic import actor_critic, q_learning
from .dopamine import DopamineTD
from .environments import ACTIONS, DYNA_MAZE, Maze
from .prediction import (SUTTON_BARTO_FIG_7_2_MINIMA, RandomWalk, monte_carlo_prediction, n_step_alpha_sweep,
                         td_prediction)
from .three_factor import (BASELINES, distal_reward, eligibility_trace_example, predicted_distal_success,
                           reward_modulated_hebbian)

__all__ = ["ACTIONS", "BASELINES", "DYNA_MAZE", "SUTTON_BARTO_FIG_7_2_MINIMA", "DopamineTD", "Maze", "RandomWalk",
           "actor_critic", "distal_reward", "eligibility_trace_example", "monte_carlo_prediction",
           "n_step_alpha_sweep", "predicted_distal_success", "q_learning", "reward_modulated_hebbian",
           "td_prediction"]
