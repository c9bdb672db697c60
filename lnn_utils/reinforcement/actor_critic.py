"""Actor–critic with local three-factor rules, and tabular Q-learning as a baseline, on a :class:`~.Maze`.

Sutton & Barto (2018), Section 13.5 (one-step actor–critic) and Section 6.5 (Q-learning, Watkins 1989); the
neural reading follows Frémaux & Gerstner (2016) and Gerstner et al. (2018): the TD error δ is the dopamine-like
third factor, broadcast to the critic's and the actor's synapses.

- Input: one "place cell" per state (one-hot x(s)).
- Critic: V(s) = v · x(s), updated by the TD error δ = r + γ V(s') - V(s) (V = 0 at the goal):
  Δv = α_c δ x(s): pre-synaptic activity x times the third factor δ.
- Actor: one neuron per action, preferences θ[s, a]; the action is drawn from the softmax π(a | s) ∝ exp θ[s, a].
  Δθ[s, a] = α_a δ (1[a chosen] - π(a | s)) x(s): pre x (post - expected post) x δ, the three-factor form.
  With ``trace_decay`` λ > 0 both rules act through eligibility traces, e <- γ λ e + (local Hebbian term).
- Q-learning: Q(s, a) <- Q(s, a) + α (r + γ max_a' Q(s', a') - Q(s, a)), ε-greedy with random tie-breaking.

Both learners run ``n_runs`` independent agents in lock-step (arrays of shape (n_runs, n_states[, n_actions]));
an agent that reaches the goal (or ``max_steps``) starts its next episode at once, and an agent that has finished
all its episodes waits for the others.
"""

from __future__ import annotations

import numpy as np

from .._validation import as_generator, check_positive
from .environments import Maze
from .prediction import check_probability, check_step_size


def _check_common(env, n_episodes, discount, max_steps, n_runs):
    if not isinstance(env, Maze):
        raise TypeError(f"env must be a Maze, got {type(env).__name__}")
    check_positive(n_episodes, "n_episodes", integer=True)
    check_probability(discount, "discount", open_low=True)
    check_positive(max_steps, "max_steps", integer=True)
    check_positive(n_runs, "n_runs", integer=True)


def _run_episodes(env, n_episodes, max_steps, n_runs, act_and_learn):
    """Lock-step episode loop shared by both learners.

    ``act_and_learn(states, active)`` chooses actions, steps the maze through its tables, updates the learner where
    ``active`` and returns ``(next_states, done, delta)``, each of shape (n_runs,). Returns steps, reached and
    goal_delta, each of shape (n_runs, n_episodes).
    """
    steps = np.zeros((n_runs, n_episodes), dtype=int)
    reached = np.zeros((n_runs, n_episodes), dtype=bool)
    goal_delta = np.full((n_runs, n_episodes), np.nan)
    episode = np.zeros(n_runs, dtype=int)
    t_in_episode = np.zeros(n_runs, dtype=int)
    states = env.reset(n_runs)
    runs = np.arange(n_runs)
    active = np.ones(n_runs, dtype=bool)
    while active.any():
        nxt, done, delta = act_and_learn(states, active)
        t_in_episode += active
        ended = active & (done | (t_in_episode >= max_steps))
        if ended.any():
            r, e = runs[ended], episode[ended]
            steps[r, e] = t_in_episode[ended]
            reached[r, e] = done[ended]
            goal_delta[r, e] = np.where(done[ended], delta[ended], np.nan)
            episode[ended] += 1
            t_in_episode[ended] = 0
            nxt = np.where(ended, env.start, nxt)
            active = episode < n_episodes
        states = np.where(active, nxt, states)
    return steps, reached, goal_delta


def actor_critic(env, *, n_episodes=100, critic_learning_rate=0.5, actor_learning_rate=1.0, discount=0.95,
                 trace_decay=0.0, max_steps=2000, n_runs=20, seed=0):
    """One-step actor–critic (optionally with eligibility traces) with local three-factor updates, many runs at once.

    Parameters
    ----------
    env : Maze
        The task (a reward on entering the goal).
    n_episodes : int, default=100
        Episodes per run.
    critic_learning_rate : float, default=0.5
        α_c, in (0, 1].
    actor_learning_rate : float, default=1.0
        α_a, in (0, 1].
    discount : float, default=0.95
        γ, in (0, 1].
    trace_decay : float, default=0.0
        λ, in [0, 1] (0: one-step actor–critic).
    max_steps : int, default=2000
        An episode that has not reached the goal after this many steps is stopped (and counted as not reached).
    n_runs : int, default=20
        Independent agents.
    seed : int or numpy.random.Generator, default=0

    Returns
    -------
    result : dict
        ``"steps"`` (n_runs, n_episodes): steps to the goal; ``"reached"`` (n_runs, n_episodes) bool;
        ``"goal_delta"`` (n_runs, n_episodes): the TD error of the step into the goal (NaN where not reached);
        ``"values"`` (n_runs, n_states): the critic V; ``"preferences"`` (n_runs, n_states, n_actions): θ;
        ``"policy"`` (n_runs, n_states, n_actions): π(a | s).
    """
    _check_common(env, n_episodes, discount, max_steps, n_runs)
    alpha_c = check_step_size(critic_learning_rate, "critic_learning_rate")
    alpha_a = check_step_size(actor_learning_rate, "actor_learning_rate")
    lam = check_probability(trace_decay, "trace_decay")
    gamma = float(discount)
    rng = as_generator(seed)
    nS, nA = env.n_states, env.n_actions
    V = np.zeros((n_runs, nS))
    theta = np.zeros((n_runs, nS, nA))
    e_v = np.zeros((n_runs, nS))
    e_theta = np.zeros((n_runs, nS, nA))
    runs = np.arange(n_runs)

    transitions, rewards, terminal = env.transitions, env.rewards, env.terminal

    def act_and_learn(s, active):
        prefs = theta[runs, s]
        pi = np.exp(prefs - prefs.max(axis=1, keepdims=True))
        pi /= pi.sum(axis=1, keepdims=True)
        cdf = np.cumsum(pi, axis=1)
        a = np.minimum((rng.random(n_runs)[:, None] * cdf[:, -1:] >= cdf).sum(axis=1), nA - 1)
        s_next = transitions[s, a]
        done = terminal[s_next]
        delta = rewards[s, a] + gamma * V[runs, s_next] * ~done - V[runs, s]
        delta *= active
        hebb = -pi
        hebb[runs, a] += 1.0  # post - <post> of the action neurons
        if lam == 0.0:
            V[runs, s] += alpha_c * delta
            theta[runs, s] += (alpha_a * delta)[:, None] * hebb
        else:
            e_v[:] *= gamma * lam
            e_theta[:] *= gamma * lam
            e_v[runs, s] += 1.0
            e_theta[runs, s] += hebb
            V[:] += (alpha_c * delta)[:, None] * e_v
            theta[:] += (alpha_a * delta)[:, None, None] * e_theta
            e_v[done] = 0.0  # the next episode starts with empty traces
            e_theta[done] = 0.0
        return s_next, done, delta

    steps, reached, goal_delta = _run_episodes(env, n_episodes, max_steps, n_runs, act_and_learn)
    if not (np.all(np.isfinite(V)) and np.all(np.isfinite(theta))):
        raise FloatingPointError("actor-critic diverged: lower the learning rates")
    prefs = theta - theta.max(axis=2, keepdims=True)
    pi = np.exp(prefs)
    pi /= pi.sum(axis=2, keepdims=True)
    return {"steps": steps, "reached": reached, "goal_delta": goal_delta, "values": V, "preferences": theta,
            "policy": pi}


def q_learning(env, *, n_episodes=100, learning_rate=0.5, discount=0.95, epsilon=0.1, max_steps=2000, n_runs=20,
               seed=0):
    """Tabular Q-learning with an ε-greedy policy (ties broken at random), many runs at once.

    Parameters
    ----------
    env : Maze
    n_episodes : int, default=100
    learning_rate : float, default=0.5
        α, in (0, 1].
    discount : float, default=0.95
        γ, in (0, 1].
    epsilon : float, default=0.1
        Probability of a random action, in [0, 1].
    max_steps : int, default=2000
    n_runs : int, default=20
    seed : int or numpy.random.Generator, default=0

    Returns
    -------
    result : dict
        ``"steps"``, ``"reached"``, ``"goal_delta"`` as in :func:`actor_critic`; ``"q_values"``
        (n_runs, n_states, n_actions); ``"values"`` (n_runs, n_states) = max_a Q.
    """
    _check_common(env, n_episodes, discount, max_steps, n_runs)
    alpha = check_step_size(learning_rate, "learning_rate")
    eps = check_probability(epsilon, "epsilon")
    gamma = float(discount)
    rng = as_generator(seed)
    nS, nA = env.n_states, env.n_actions
    Q = np.zeros((n_runs, nS, nA))
    runs = np.arange(n_runs)

    transitions, rewards, terminal = env.transitions, env.rewards, env.terminal

    def act_and_learn(s, active):
        q = Q[runs, s]
        best = q == q.max(axis=1, keepdims=True)
        greedy = np.argmax(best * (1.0 + rng.random((n_runs, nA))), axis=1)
        a = np.where(rng.random(n_runs) < eps, rng.integers(0, nA, n_runs), greedy)
        s_next = transitions[s, a]
        done = terminal[s_next]
        delta = (rewards[s, a] + gamma * Q[runs, s_next].max(axis=1) * ~done - q[runs, a]) * active
        Q[runs, s, a] += alpha * delta
        return s_next, done, delta

    steps, reached, goal_delta = _run_episodes(env, n_episodes, max_steps, n_runs, act_and_learn)
    return {"steps": steps, "reached": reached, "goal_delta": goal_delta, "q_values": Q, "values": Q.max(axis=2)}
