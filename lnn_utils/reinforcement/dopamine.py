"""The TD error as a dopamine signal: TD(λ) on a cue–delay–reward trial with a complete serial compound.

Schultz, W., Dayan, P. & Montague, P. R. (1997). A neural substrate of prediction and reward. *Science*
275:1593–1599. Midbrain dopamine neurons fire a burst at an unexpected reward; after conditioning they fire at the
reward-predicting cue instead, not at the (now predicted) reward; when a predicted reward is left out they pause at
the time it was due. A temporal-difference learner whose TD error δ plays the part of the dopamine signal does
the same. Sutton & Barto (2018), Section 15.2, give the same model.

Model (time steps t = 0 .. n_steps - 1 of one trial, cue at ``cue_time``, reward r_t at ``reward_time``):

- Complete serial compound (a tapped delay line): after the cue, exactly one feature is on at each step,
  x_k(t) = 1 if t - cue_time = k (k = 0 .. n_steps - cue_time - 1); before the cue no feature is on, so the cue
  itself cannot be predicted.
- Value V_t = w · x(t); TD error on entering step t (the error the dopamine neuron reports at time t)

      δ_t = r_t + γ V_t - V_{t-1},       with V_{-1} = 0 and V after the trial's end = 0.

- TD(λ): an accumulating eligibility trace e_{t-1} = γλ e_{t-2} + x(t-1), and w <- w + α δ_t e_{t-1}.

After learning, V_t ≈ γ^(reward_time - 1 - t) from the cue to the step before the reward and 0 afterwards, so
δ ≈ γ^(reward_time - cue_time) at the cue, ≈ 0 at the reward, ≈ -1 at the time of an omitted reward and
≈ +1 at a reward delivered early (followed, in this simple model, by a dip at the usual time, which the recordings
of Hollerman & Schultz 1998 did not show: a known limitation of the complete serial compound).
"""

from __future__ import annotations

import numpy as np

from .._validation import check_positive
from .prediction import check_probability, check_step_size


class DopamineTD:
    """TD(λ) learner of a cue–reward interval with a complete serial compound, whose TD error is the dopamine signal.

    Parameters
    ----------
    n_steps : int, default=30
        Time steps per trial (e.g. 100 ms each).
    cue_time : int, default=5
        Step of the conditioned stimulus (cue).
    reward_time : int, default=20
        Step at which the reward arrives in a normal trial; must come after the cue.
    reward : float, default=1.0
        Reward size.
    learning_rate : float, default=0.2
        α, in (0, 1].
    discount : float, default=1.0
        γ, in (0, 1].
    trace_decay : float, default=0.0
        λ, in [0, 1]: 0 is TD(0) (the prediction error creeps back one step per trial), larger values carry credit
        to earlier steps at once.

    Attributes
    ----------
    weights_ : ndarray of shape (n_steps - cue_time,)
        One weight per delay-line element (the learned value after each time since the cue).
    delta_ : ndarray of shape (n_trials, n_steps)
        δ_t of every training trial.
    values_ : ndarray of shape (n_trials, n_steps)
        V_t during every training trial (before that trial's updates).
    """

    def __init__(self, *, n_steps=30, cue_time=5, reward_time=20, reward=1.0, learning_rate=0.2, discount=1.0,
                 trace_decay=0.0):
        check_positive(n_steps, "n_steps", integer=True)
        check_positive(cue_time, "cue_time", integer=True, allow_zero=True)
        check_positive(reward_time, "reward_time", integer=True)
        if not cue_time < reward_time < n_steps:
            raise ValueError(f"need cue_time < reward_time < n_steps, got cue_time={cue_time}, "
                             f"reward_time={reward_time}, n_steps={n_steps}")
        if not np.isfinite(reward):
            raise ValueError(f"reward must be finite, got {reward!r}")
        self.n_steps = int(n_steps)
        self.cue_time = int(cue_time)
        self.reward_time = int(reward_time)
        self.reward = float(reward)
        self.learning_rate = check_step_size(learning_rate, "learning_rate")
        self.discount = check_probability(discount, "discount", open_low=True)
        self.trace_decay = check_probability(trace_decay, "trace_decay")
        self.weights_ = np.zeros(self.n_steps - self.cue_time)

    def features(self):
        """The complete serial compound: x(t) for every step, shape (n_steps, n_features) (one-hot after the cue)."""
        X = np.zeros((self.n_steps, self.n_steps - self.cue_time))
        X[self.cue_time:] = np.eye(self.n_steps - self.cue_time)
        return X

    def _reward_vector(self, reward_time):
        r = np.zeros(self.n_steps)
        if reward_time is not None:
            if not 0 <= reward_time < self.n_steps:
                raise ValueError(f"reward_time must lie in [0, {self.n_steps - 1}] or be None (omitted), "
                                 f"got {reward_time!r}")
            r[int(reward_time)] = self.reward
        return r

    def _trial(self, r, learn):
        X = self.features()
        w = self.weights_
        gamma, lam, alpha = self.discount, self.trace_decay, self.learning_rate
        V = X @ w
        delta = np.empty(self.n_steps)
        e = np.zeros_like(w)
        prev_value = 0.0
        for t in range(self.n_steps):
            value = X[t] @ w
            delta[t] = r[t] + gamma * value - prev_value
            if learn and t > 0:
                e = gamma * lam * e + X[t - 1]
                w += alpha * delta[t] * e
            prev_value = value
        if learn:  # the step after the trial has value 0: one last update of the final state
            e = gamma * lam * e + X[-1]
            w += alpha * (0.0 - prev_value) * e
        return delta, V

    def fit(self, n_trials):
        """Train on ``n_trials`` normal trials (cue, then the reward at ``reward_time``); returns ``self``."""
        check_positive(n_trials, "n_trials", integer=True)
        r = self._reward_vector(self.reward_time)
        deltas, values = [], []
        for _ in range(n_trials):
            delta, V = self._trial(r, learn=True)
            deltas.append(delta)
            values.append(V)
        self.delta_ = np.array(deltas)
        self.values_ = np.array(values)
        return self

    def probe(self, reward_time="expected"):
        """δ_t of one test trial without learning, shape (n_steps,).

        Parameters
        ----------
        reward_time : int, None or "expected", default="expected"
            When the reward comes: "expected" (at ``reward_time``), None (omitted) or another step (e.g. early).
        """
        if isinstance(reward_time, str):
            if reward_time != "expected":
                raise ValueError(f"reward_time must be 'expected', None or a step index, got {reward_time!r}")
            reward_time = self.reward_time
        return self._trial(self._reward_vector(reward_time), learn=False)[0]

    def value(self):
        """The learned V_t over one trial, shape (n_steps,)."""
        return self.features() @ self.weights_
