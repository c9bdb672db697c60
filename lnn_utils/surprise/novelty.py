"""Novelty-driven exploration in a maze, and surprise-triggered re-exploration when the goal moves (notebook 08).

- Xu, H. A., Modirshanechi, A., Lehmann, M. P., Gerstner, W. & Herzog, M. H. (2021). Novelty is not surprise:
  human exploratory and adaptive behavior in sequential decision-making. *PLoS Comput Biol* 17:e1009070.
  Novelty (how rarely a state has been seen) drives exploration before the goal is found; surprise (an outcome
  the current belief did not expect) signals that the world has changed.
- Liakoni, V., Modirshanechi, A., Gerstner, W. & Brea, J. (2021). *Neural Computation* 33:269–340: the Bayes
  factor surprise and the adaptation rate γ = m S_BF / (1 + m S_BF), here applied to the reward belief.

The maze is notebook 07's :class:`lnn_utils.reinforcement.Maze` (the Dyna maze of Sutton & Barto 2018 by
default). Three tabular Q-learning agents, each run ``n_runs`` times at once (vectorised over runs):

- ``"epsilon_greedy"``: Q-learning on the extrinsic reward, ε-greedy (ties broken at random). Before the goal is
  found every Q-value is 0, so it explores by a random walk.
- ``"novelty"``: the same, with a count-based novelty bonus added to the reward of entering s',
  r_int = β / √(1 + C(s')), C(s') the number of earlier visits to s'. Unvisited states are worth a detour, and the
  bonus fades as the maze becomes familiar (the simplest count-based novelty signal; Xu et al. use −log of the
  empirical state frequency).
- ``"surprise"``: the novelty agent that also holds a belief about the reward of entering each state
  (Beta(a_s, b_s), prior Beta(1, 1)), computes the Bayes factor surprise of each reward outcome
  S_BF = P(outcome; prior) / P(outcome; belief), and forgets with the rate γ = m S_BF / (1 + m S_BF): the visit
  counts and Q-values shrink by (1 − γ) and the reward belief moves towards the prior by γ (VarSMiLe's update for
  a Bernoulli outcome). A missing reward where reward was certain is a large surprise, so novelty returns and the
  agent explores again: the change-point idea of the Gaussian task, in a maze.
"""

from __future__ import annotations

import numbers

import numpy as np

from .._validation import as_generator, check_positive
from ..reinforcement.environments import Maze
from ..statistics import unpaired_difference  # noqa: F401  (re-exported: the notebook's agents are compared with it)

__all__ = ["AGENTS", "explore_maze", "goal_switch", "steps_to_coverage", "unpaired_difference"]

#: The agents :func:`explore_maze` and :func:`goal_switch` know.
AGENTS = ("epsilon_greedy", "novelty", "surprise")


def _check_agent_args(env, agent, n_runs, learning_rate, discount, epsilon, novelty_weight, m):
    if not isinstance(env, Maze):
        raise TypeError(f"env must be a lnn_utils.reinforcement.Maze, got {type(env).__name__}")
    if agent not in AGENTS:
        raise ValueError(f"agent must be one of {AGENTS}, got {agent!r}")
    check_positive(n_runs, "n_runs", integer=True)
    for name, value, lo_open in (("learning_rate", learning_rate, True), ("discount", discount, False)):
        if not isinstance(value, numbers.Real) or not 0 < value <= 1:
            raise ValueError(f"{name} must be in (0, 1], got {value!r}")
    if not isinstance(epsilon, numbers.Real) or not 0 <= epsilon <= 1:
        raise ValueError(f"epsilon must be in [0, 1], got {epsilon!r}")
    check_positive(novelty_weight, "novelty_weight", allow_zero=True)
    check_positive(m, "m", allow_zero=True)


class _Agents:
    """State of ``n_runs`` Q-learning agents of one kind, stepped together."""

    def __init__(self, n_states, n_actions, n_runs, agent, learning_rate, discount, epsilon, novelty_weight, m, rng,
                 reward_prior=0.01):
        # novelty seekers start optimistic: an untried action is worth a novelty bonus at every future step
        self.q0 = novelty_weight / (1.0 - discount) if agent != "epsilon_greedy" and discount < 1 else 0.0
        self.q = np.full((n_runs, n_states, n_actions), self.q0)
        self.counts = np.zeros((n_runs, n_states))
        self.reward_prior = reward_prior
        self.reward_a = np.full((n_runs, n_states), reward_prior)  # Beta belief about "entering s is rewarded"
        self.reward_b = np.full((n_runs, n_states), reward_prior)
        self.runs = np.arange(n_runs)
        self.agent, self.alpha, self.discount, self.epsilon = agent, learning_rate, discount, epsilon
        self.beta = novelty_weight if agent != "epsilon_greedy" else 0.0
        self.m, self.rng = m, rng
        self.n_actions = n_actions

    def act(self, s):
        q = self.q[self.runs, s]
        best = q >= q.max(axis=1, keepdims=True) - 1e-12
        greedy = np.argmax(best * (1.0 + self.rng.random(q.shape)), axis=1)
        explore = self.rng.random(len(s)) < self.epsilon
        return np.where(explore, self.rng.integers(0, self.n_actions, len(s)), greedy)

    def learn(self, s, a, r, s_next, done, active):
        runs = self.runs
        bonus = self.beta / np.sqrt(1.0 + self.counts[runs, s_next])
        self.counts[runs, s_next] += active
        target = r + bonus + self.discount * self.q[runs, s_next].max(axis=1) * ~done
        self.q[runs, s, a] += self.alpha * (target - self.q[runs, s, a]) * active
        if self.agent == "surprise":
            rewarded = r > 0
            a_s, b_s = self.reward_a[runs, s_next], self.reward_b[runs, s_next]
            p_belief = np.where(rewarded, a_s, b_s) / (a_s + b_s)
            surprise = 0.5 / p_belief  # P(outcome; symmetric Beta prior) = 1/2
            gamma = self.m * surprise / (1.0 + self.m * surprise) * active
            c = self.reward_prior
            self.reward_a[runs, s_next] = (1 - gamma) * a_s + gamma * c + rewarded * active
            self.reward_b[runs, s_next] = (1 - gamma) * b_s + gamma * c + ~rewarded * active
            # a change point is likely: move the whole model back towards its prior (counts 0, Q optimistic)
            keep = 1.0 - gamma
            self.counts *= keep[:, None]
            self.q = keep[:, None, None] * self.q + (gamma * self.q0)[:, None, None]
            return surprise
        return None


def explore_maze(env, *, agent, n_steps, n_runs=50, learning_rate=0.5, discount=0.9, epsilon=0.1,
                 novelty_weight=0.1, m=0.01, seed=0):
    """Let agents explore a maze from its start for ``n_steps`` steps (restarting at the start after each goal).

    Parameters
    ----------
    env : lnn_utils.reinforcement.Maze
    agent : {"epsilon_greedy", "novelty", "surprise"}
        See the module docstring.
    n_steps : int
        Steps per run.
    n_runs : int, default=50
        Independent agents, simulated together.
    learning_rate : float, default=0.5
        Q-learning rate α in (0, 1].
    discount : float, default=0.9
        Discount factor in (0, 1].
    epsilon : float, default=0.1
        Probability of a random action.
    novelty_weight : float, default=0.1
        β of the novelty bonus β / √(1 + C(s')) (ignored by ``"epsilon_greedy"``); the goal gives ``env.goal_reward``.
    m : float, default=0.01
        Surprise sensitivity of the ``"surprise"`` agent.
    seed : int or numpy.random.Generator, default=0

    Returns
    -------
    result : dict
        ``"coverage"`` (n_runs, n_steps + 1): fraction of the maze's states visited after t steps (the start counts
        as visited at t = 0); ``"first_goal"`` (n_runs,): step at which the goal was first entered (``n_steps + 1``
        if never); ``"visits"`` (n_runs, n_states): visit counts.
    """
    _check_agent_args(env, agent, n_runs, learning_rate, discount, epsilon, novelty_weight, m)
    check_positive(n_steps, "n_steps", integer=True)
    rng = as_generator(seed)
    agents = _Agents(env.n_states, env.n_actions, n_runs, agent, learning_rate, discount, epsilon, novelty_weight, m,
                     rng)
    visited = np.zeros((n_runs, env.n_states), dtype=bool)
    visits = np.zeros((n_runs, env.n_states))
    s = env.reset(n_runs)
    visited[agents.runs, s] = True
    coverage = np.empty((n_runs, n_steps + 1))
    coverage[:, 0] = visited.mean(axis=1)
    first_goal = np.full(n_runs, n_steps + 1)
    active = np.ones(n_runs, dtype=bool)
    for t in range(1, n_steps + 1):
        a = agents.act(s)
        s_next, r, done = env.transitions[s, a], env.rewards[s, a], env.terminal[env.transitions[s, a]]
        agents.learn(s, a, r, s_next, done, active)
        visited[agents.runs, s_next] = True
        visits[agents.runs, s_next] += 1
        coverage[:, t] = visited.mean(axis=1)
        first_goal = np.where(done & (first_goal > n_steps), t, first_goal)
        s = np.where(done, env.start, s_next)
    return {"coverage": coverage, "first_goal": first_goal, "visits": visits}


def steps_to_coverage(coverage, fraction):
    """First step at which each run's coverage reaches ``fraction`` (n_steps + 1 if never), shape (n_runs,)."""
    coverage = np.asarray(coverage, dtype=float)
    if not 0 < fraction <= 1:
        raise ValueError(f"fraction must be in (0, 1], got {fraction!r}")
    reached = coverage >= fraction - 1e-12
    return np.where(reached.any(axis=1), reached.argmax(axis=1), coverage.shape[1])


def goal_switch(env, new_goal, *, agent, n_episodes_before=20, n_episodes_after=20, max_steps=2000, n_runs=50,
                learning_rate=0.5, discount=0.9, epsilon=0.1, novelty_weight=0.1, m=0.01, seed=0):
    """Episodes to the goal, then the goal moves and the agents must find it again.

    Each run starts every episode at ``env.start``; an episode ends when the goal is entered or after
    ``max_steps`` steps. After ``n_episodes_before`` episodes of a run, its goal moves to ``new_goal`` (the old goal
    becomes an ordinary cell with no reward); the agents are not told.

    Parameters
    ----------
    env : lnn_utils.reinforcement.Maze
    new_goal : tuple of int (row, col)
        Free cell the goal moves to.
    agent : {"epsilon_greedy", "novelty", "surprise"}
    n_episodes_before, n_episodes_after : int, default=20
    max_steps : int, default=2000
        Cap on an episode's length.
    n_runs, learning_rate, discount, epsilon, novelty_weight, m, seed
        As in :func:`explore_maze`.

    Returns
    -------
    result : dict
        ``"steps"`` (n_runs, n_episodes_before + n_episodes_after): length of each episode;
        ``"reached"`` (same shape, bool): whether the episode ended at the goal; ``"shortest"`` (2,): shortest path
        lengths before and after the move.
    """
    _check_agent_args(env, agent, n_runs, learning_rate, discount, epsilon, novelty_weight, m)
    check_positive(n_episodes_before, "n_episodes_before", integer=True)
    check_positive(n_episodes_after, "n_episodes_after", integer=True)
    check_positive(max_steps, "max_steps", integer=True)
    moved = env.with_goal(new_goal)
    if moved.goal == env.goal:
        raise ValueError(f"new_goal {new_goal} is the current goal; choose another free cell")
    rng = as_generator(seed)
    transitions = np.stack([env.transitions, moved.transitions])
    rewards = np.stack([env.rewards, moved.rewards])
    terminal = np.stack([env.terminal, moved.terminal])
    agents = _Agents(env.n_states, env.n_actions, n_runs, agent, learning_rate, discount, epsilon, novelty_weight, m,
                     rng)
    n_episodes = n_episodes_before + n_episodes_after
    steps = np.zeros((n_runs, n_episodes), dtype=int)
    reached = np.zeros((n_runs, n_episodes), dtype=bool)
    episode = np.zeros(n_runs, dtype=int)
    length = np.zeros(n_runs, dtype=int)
    s = env.reset(n_runs)
    runs = agents.runs
    active = np.ones(n_runs, dtype=bool)
    while active.any():
        world = (episode >= n_episodes_before).astype(int)
        a = agents.act(s)
        s_next = transitions[world, s, a]
        r = rewards[world, s, a]
        done = terminal[world, s_next]
        agents.learn(s, a, r, s_next, done, active)
        length += active
        end = active & (done | (length >= max_steps))
        ep = np.minimum(episode, n_episodes - 1)
        steps[runs[end], ep[end]] = length[end]
        reached[runs[end], ep[end]] = done[end]
        episode = episode + end
        length = np.where(end, 0, length)
        s = np.where(end, env.start, s_next)
        active = episode < n_episodes
    return {"steps": steps, "reached": reached,
            "shortest": np.array([env.shortest_path_length(), moved.shortest_path_length()])}


