"""Prediction by temporal differences and by Monte Carlo on Sutton & Barto's random walk.

Sutton, R. S. & Barto, A. G. (2018). *Reinforcement Learning: An Introduction*, 2nd ed., MIT Press:

- Example 6.2 (Figure 6.2, right): TD(0) against constant-α Monte Carlo on the 5-state walk (rewards 0 and +1,
  initial values 0.5), RMS error against episodes, averaged over 100 runs.
- Section 7.1, Figure 7.2: n-step TD on the 19-state walk (rewards -1 and +1, initial values 0), the RMS error
  averaged over the 19 states, the first 10 episodes and 100 runs, against α for n = 1, 2, 4, ..., 512.

The n-step TD update (Sutton & Barto, Eq. 7.2) for the undiscounted walk, whose only reward comes at termination
(time T), is

    V(S_τ) <- V(S_τ) + α [G_τ:τ+n - V(S_τ)],   G_τ:τ+n = V(S_τ+n) if τ + n < T, else R_T,

applied online for τ = 0, 1, ..., T - 1. When n >= T the target is the return R_T itself, so n-step TD with n
larger than every episode *is* constant-α every-visit Monte Carlo (Eq. 6.1); :func:`monte_carlo_prediction` uses
exactly that.

Vectorisation: the random policy does not depend on the values being learned, so every run's episodes are drawn
first and all runs (and, in :func:`n_step_alpha_sweep`, all step sizes) then learn in lock-step, one time step τ of
the padded trajectories at a time.
"""

from __future__ import annotations

import numbers

import numpy as np

from .._validation import as_generator, check_positive

#: Minima of the curves of Sutton & Barto's Figure 7.2 (19-state walk, mean RMS error over the first 10 episodes),
#: read off the published figure (as digitised for the IntroRL package's comparison plot): n -> (α, RMS error).
SUTTON_BARTO_FIG_7_2_MINIMA = {1: (0.82, 0.347), 2: (0.58, 0.281), 4: (0.37, 0.268), 8: (0.22, 0.281),
                               16: (0.135, 0.313), 32: (0.083, 0.361)}


def check_probability(value, name, *, open_low=False, open_high=False):
    """Return ``value`` as a float if it lies in [0, 1] (ends excluded when asked), else raise ``ValueError``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value):
        raise ValueError(f"{name} must be a finite number in [0, 1], got {value!r}")
    low_ok = value > 0 if open_low else value >= 0
    high_ok = value < 1 if open_high else value <= 1
    if not (low_ok and high_ok):
        interval = ("(" if open_low else "[") + "0, 1" + (")" if open_high else "]")
        raise ValueError(f"{name} must lie in {interval}, got {value!r}")
    return float(value)


def check_step_size(alpha, name="alpha"):
    """A step size α in (0, 1]: larger steps overshoot the target, 0 never learns."""
    return check_probability(alpha, name, open_low=True)


class RandomWalk:
    """Sutton & Barto's random walk: a chain of states between two terminal states.

    The walk starts in the middle state, steps left or right (right with probability ``p_right``, 1/2 for the
    book's random policy) and ends at either end, with reward ``left_reward`` or ``right_reward``; every other
    step has reward 0. No discounting.

    Parameters
    ----------
    n_states : int, default=5
        Number of non-terminal states (5 in Example 6.2, 19 in Figure 7.2).
    left_reward, right_reward : float, default=0.0, 1.0
        Reward on leaving the chain on the left or on the right.
    p_right : float, default=0.5
        Probability of a step to the right (the policy); in [0, 1].

    Attributes
    ----------
    start : int
        Index (0-based, among the non-terminal states) of the start state: ``(n_states - 1) // 2``, the middle.
    true_values : ndarray of shape (n_states,)
        Exact state values under the policy: ``left + (right - left) * P(leave right | state)``, with the
        gambler's-ruin probability P = i / (n + 1) for p = 1/2 (state i = 1..n), e.g. 1/6 ... 5/6 for Example 6.2
        and -0.9, -0.8, ..., 0.9 for the 19-state walk with rewards -1 / +1.
    """

    def __init__(self, n_states=5, *, left_reward=0.0, right_reward=1.0, p_right=0.5):
        check_positive(n_states, "n_states", integer=True)
        for name, value in (("left_reward", left_reward), ("right_reward", right_reward)):
            if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value):
                raise ValueError(f"{name} must be a finite number, got {value!r}")
        self.n_states = int(n_states)
        self.left_reward = float(left_reward)
        self.right_reward = float(right_reward)
        self.p_right = check_probability(p_right, "p_right")
        self.start = (self.n_states - 1) // 2
        self.true_values = self.left_reward + (self.right_reward - self.left_reward) * self._p_leave_right()

    def _p_leave_right(self):
        i = np.arange(1, self.n_states + 1, dtype=float)
        end = self.n_states + 1
        p, q = self.p_right, 1.0 - self.p_right
        if p == 0.0:
            return np.zeros(self.n_states)
        if q == 0.0:
            return np.ones(self.n_states)
        if np.isclose(p, q):
            return i / end
        ratio = q / p
        return (1.0 - ratio**i) / (1.0 - ratio**end)

    def sample_episodes(self, n_runs, n_episodes, seed=0):
        """Draw ``n_episodes`` episodes for each of ``n_runs`` independent runs.

        Returns
        -------
        episodes : list of (states, lengths, final_rewards), one per episode
            ``states`` (n_runs, T_max + 1) int: positions 0..n_states+1 (0 and n_states+1 terminal; padded with
            the terminal position after the end), ``lengths`` (n_runs,) the number of steps T of each run's
            episode, ``final_rewards`` (n_runs,) the reward R_T.
        """
        check_positive(n_runs, "n_runs", integer=True)
        check_positive(n_episodes, "n_episodes", integer=True)
        rng = as_generator(seed)
        end = self.n_states + 1
        episodes = []
        for _ in range(n_episodes):
            pos = np.full(n_runs, self.start + 1)
            path = [pos.copy()]
            lengths = np.zeros(n_runs, dtype=int)
            running = np.ones(n_runs, dtype=bool)
            while running.any():
                step = np.where(rng.random(n_runs) < self.p_right, 1, -1)
                pos = np.where(running, pos + step, pos)
                lengths += running
                running = (pos > 0) & (pos < end)
                path.append(pos.copy())
            states = np.stack(path, axis=1)
            final = np.where(pos == end, self.right_reward, self.left_reward)
            episodes.append((states, lengths, final))
        return episodes

    def __repr__(self):
        return (f"RandomWalk(n_states={self.n_states}, left_reward={self.left_reward}, "
                f"right_reward={self.right_reward}, p_right={self.p_right})")


def _check_episodes(n_episodes):
    if isinstance(n_episodes, bool) or not isinstance(n_episodes, numbers.Integral):
        raise TypeError(f"n_episodes must be an integer number of episodes, got {n_episodes!r} "
                        f"of type {type(n_episodes).__name__}")
    return check_positive(int(n_episodes), "n_episodes", integer=True)


def _learn(env, episodes, alphas, n, initial_value):
    """Online n-step TD (n=None: Monte Carlo) on pre-drawn episodes for several step sizes at once.

    Returns the RMS error of shape (n_alphas, n_runs, n_episodes + 1).
    """
    alphas = np.asarray(alphas, dtype=float)
    n_runs = episodes[0][0].shape[0]
    n_alpha = len(alphas)
    V = np.zeros((n_alpha * n_runs, env.n_states + 2))
    V[:, 1:-1] = initial_value
    rows = np.arange(n_alpha * n_runs)
    step = np.repeat(alphas, n_runs)

    def rms():
        err = V[:, 1:-1] - env.true_values
        return np.sqrt(np.mean(err**2, axis=1)).reshape(n_alpha, n_runs)

    errors = [rms()]
    for states, lengths, final in episodes:
        states_all = np.tile(states, (n_alpha, 1))
        lengths_all = np.tile(lengths, n_alpha)
        final_all = np.tile(final, n_alpha)
        t_max = states.shape[1] - 1
        for tau in range(t_max):
            active = tau < lengths_all
            s = states_all[:, tau]
            if n is not None and tau + n < t_max:
                # bootstrap from V(S_τ+n) where the episode is still running at τ + n, else the return R_T
                target = np.where(tau + n < lengths_all, V[rows, states_all[:, tau + n]], final_all)
            else:
                target = final_all
            V[rows, s] += np.where(active, step * (target - V[rows, s]), 0.0)
        errors.append(rms())
    return np.stack(errors, axis=-1)


def td_prediction(env, *, alpha, n_episodes, n=1, initial_value=0.0, n_runs=100, seed=0):
    """n-step TD prediction of the random policy's state values on a :class:`RandomWalk`, for many runs at once.

    Parameters
    ----------
    env : RandomWalk
        The walk (its ``true_values`` are the target).
    alpha : float
        Step size α, in (0, 1].
    n_episodes : int
        Episodes per run.
    n : int, default=1
        Number of steps of the target (1: TD(0)); n >= every episode's length gives constant-α Monte Carlo.
    initial_value : float, default=0.0
        V(s) of every non-terminal state before learning (0.5 in Example 6.2, 0 in Figure 7.2).
    n_runs : int, default=100
        Independent runs (each with its own episodes).
    seed : int or numpy.random.Generator, default=0
        Seed of the episodes.

    Returns
    -------
    rms_error : ndarray of shape (n_runs, n_episodes + 1)
        sqrt(mean_s (V(s) - v_true(s))^2) after each episode; column 0 is before learning.
    """
    return _predict(env, alpha=alpha, n_episodes=n_episodes, n=n, initial_value=initial_value, n_runs=n_runs,
                    seed=seed)


def monte_carlo_prediction(env, *, alpha, n_episodes, initial_value=0.0, n_runs=100, seed=0):
    """Constant-α every-visit Monte Carlo prediction, V(S_t) <- V(S_t) + α (G_t - V(S_t)) (Sutton & Barto Eq. 6.1).

    Same parameters and output as :func:`td_prediction` (without ``n``): an array of shape
    (n_runs, n_episodes + 1) of RMS errors, column 0 before learning. Because the walk rewards only termination and
    is undiscounted, G_t = R_T for every t of an episode.
    """
    return _predict(env, alpha=alpha, n_episodes=n_episodes, n=None, initial_value=initial_value, n_runs=n_runs,
                    seed=seed)


def _predict(env, *, alpha, n_episodes, n, initial_value, n_runs, seed):
    if not isinstance(env, RandomWalk):
        raise TypeError(f"env must be a RandomWalk, got {type(env).__name__}")
    alpha = check_step_size(alpha)
    n_episodes = _check_episodes(n_episodes)
    if n is not None:
        check_positive(n, "n", integer=True)
    check_positive(n_runs, "n_runs", integer=True)
    if not np.isfinite(initial_value):
        raise ValueError(f"initial_value must be finite, got {initial_value!r}")
    episodes = env.sample_episodes(n_runs, n_episodes, seed)
    return _learn(env, episodes, [alpha], n, float(initial_value))[0]


def n_step_alpha_sweep(env, *, alphas, ns, n_episodes=10, initial_value=0.0, n_runs=100, seed=0):
    """Sutton & Barto's Figure 7.2: mean RMS error over the first ``n_episodes`` episodes, for each (n, α).

    All (n, α) pairs learn from the same episodes (drawn once from ``seed``), as in the book's parameter study.

    Parameters
    ----------
    env : RandomWalk
        The 19-state walk with rewards -1 / +1 for the book's figure.
    alphas : array_like of shape (n_alphas,)
        Step sizes, each in (0, 1].
    ns : sequence of int
        Numbers of steps n (the book: 1, 2, 4, ..., 512).
    n_episodes : int, default=10
        Episodes averaged over (after each episode; the value before learning is not included).
    initial_value : float, default=0.0
    n_runs : int, default=100
    seed : int or numpy.random.Generator, default=0

    Returns
    -------
    mean_rms : ndarray of shape (len(ns), n_alphas, n_runs)
        Each run's RMS error averaged over episodes 1..n_episodes; average over the last axis for the book's curve.
    """
    if not isinstance(env, RandomWalk):
        raise TypeError(f"env must be a RandomWalk, got {type(env).__name__}")
    alphas = np.atleast_1d(np.asarray(alphas, dtype=float))
    for a in alphas:
        check_step_size(float(a), "each of alphas")
    ns = [check_positive(n, "each of ns", integer=True) for n in ns]
    n_episodes = _check_episodes(n_episodes)
    check_positive(n_runs, "n_runs", integer=True)
    episodes = env.sample_episodes(n_runs, n_episodes, seed)
    return np.stack([_learn(env, episodes, alphas, n, float(initial_value))[:, :, 1:].mean(axis=-1) for n in ns])
