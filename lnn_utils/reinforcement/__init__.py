"""Reinforcement learning and three-factor plasticity (notebook 07; the maze also serves notebook 08).

- :mod:`~lnn_utils.reinforcement.environments`: deterministic grid worlds / mazes with a transition table
  (:class:`Maze`, Sutton & Barto's Dyna maze by default), steppable for many agents at once.
"""

from .environments import ACTIONS, DYNA_MAZE, Maze

__all__ = ["ACTIONS", "DYNA_MAZE", "Maze"]
