"""Spike-timing-dependent plasticity: the pair-based window, competition between synapses, and reward-modulated STDP.

The pair-based window (Bi & Poo 1998; Song, Miller & Abbott 2000; Gerstner et al. 2014, *Neuronal Dynamics*,
ch. 19.2) changes a weight by

    F(Δt) = +A₊ exp(−Δt / τ₊)   for Δt = t_post − t_pre ≥ 0   (pre before post: potentiation)
    F(Δt) = −A₋ exp(+Δt / τ₋)   for Δt < 0                     (post before pre: depression)

Weights are dimensionless, as fractions of the largest weight ``w_max = 1``. Summed over all pre–post pairs, the
rule is implemented online with one trace per synapse and one per neuron (all-to-all interaction): a presynaptic
spike bumps its trace x_i (decay τ₊) and depresses w_i by A₋ y, a postsynaptic spike bumps y (decay τ₋) and
potentiates every w_i by A₊ x_i; weights are clipped to [0, w_max] (additive STDP with hard bounds).

:func:`simulate_stdp_competition` reproduces the competition of Song, Miller & Abbott (2000): with depression
slightly stronger than potentiation (A₋τ₋ > A₊τ₊), uncorrelated inputs lose on average, while inputs that fire
together cause postsynaptic spikes, win the pre-before-post pairings and grow. The neuron ends up keeping its
correlated inputs.

:func:`simulate_reward_stdp` adds a third factor (reward-modulated STDP; Izhikevich 2007; Frémaux, Sprekeler &
Gerstner 2010; Frémaux & Gerstner 2016): the pairings are not applied to the weight but accumulated in an
eligibility trace e_i that decays with τ_e, and the weight moves only when a reward arrives,
Δw_i = η (R − R̄) e_i, with R̄ the running mean reward of the stimulus shown (the expectation Frémaux et al.
show the third factor must subtract). The trace bridges the delay between the spikes and the reward, as the
eligibility traces of notebook 07 bridge the delay between actions and rewards.

The neuron of both simulations is the current-based LIF of :mod:`~lnn_utils.neuromorphic.lif` (its defaults: SI
units, s and V); an input spike on synapse i makes the membrane potential jump by ``w_i J`` [V]. The time loop is a
compiled (numba) kernel over time steps; the Poisson input spikes are drawn beforehand from the seed.

References
----------
Bi, G. & Poo, M. (1998). Synaptic modifications in cultured hippocampal neurons: dependence on spike timing,
synaptic strength, and postsynaptic cell type. *J Neurosci* 18:10464–10472.
Song, S., Miller, K. D. & Abbott, L. F. (2000). Competitive Hebbian learning through spike-timing-dependent synaptic
plasticity. *Nat Neurosci* 3:919–926.
Kuhn, A., Aertsen, A. & Rotter, S. (2003). Higher-order statistics of input ensembles and the response of simple
model neurons. *Neural Comput* 15:67–101 (the multiple-interaction process used for correlated inputs).
Izhikevich, E. M. (2007). Solving the distal reward problem through linkage of STDP and dopamine signaling.
*Cereb Cortex* 17:2443–2452.
Frémaux, N., Sprekeler, H. & Gerstner, W. (2010). Functional requirements for reward-modulated spike-timing-dependent
plasticity. *J Neurosci* 30:13326–13337.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np

from .._validation import as_generator, check_positive
from .lif import _check_time_grid, _lif_params

#: Defaults of the STDP window (Song, Miller & Abbott 2000): amplitudes as fractions of w_max, time constants [s].
STDP_DEFAULTS = {"a_plus": 0.005, "a_minus": 0.00525, "tau_plus": 20e-3, "tau_minus": 20e-3}


def _stdp_params(params):
    unknown = set(params) - set(STDP_DEFAULTS)
    if unknown:
        raise TypeError(f"unknown STDP parameter(s) {sorted(unknown)}; the parameters are {sorted(STDP_DEFAULTS)}")
    p = {**STDP_DEFAULTS, **params}
    for name in ("a_plus", "a_minus"):
        check_positive(p[name], name, allow_zero=True)
    for name in ("tau_plus", "tau_minus"):
        check_positive(p[name], name)
    return p


def stdp_window(delta_t, **params):
    """Pair-based STDP weight change for the spike-time difference ``delta_t = t_post − t_pre`` [s].

    Parameters
    ----------
    delta_t : float or array_like
        Time of the postsynaptic spike minus time of the presynaptic spike [s], any shape.
    **params
        ``a_plus``, ``a_minus`` (amplitudes A₊, A₋, dimensionless fractions of w_max; defaults 0.005 and 0.00525),
        ``tau_plus``, ``tau_minus`` (time constants τ₊, τ₋ [s]; default 20 ms each).

    Returns
    -------
    dw : float or ndarray
        F(Δt) = A₊ exp(−Δt/τ₊) for Δt ≥ 0, −A₋ exp(Δt/τ₋) for Δt < 0 (dimensionless); same shape as ``delta_t``.

    Notes
    -----
    Pre before post (Δt > 0) potentiates, post before pre depresses, each decaying with |Δt| (Bi & Poo 1998,
    fitted by Song et al. 2000 with τ ≈ 20 ms). Simultaneous spikes count as causal (Δt = 0 gives A₊), matching the
    online implementation in which an input spike in the step of a postsynaptic spike helped cause it. The
    default A₋τ₋ / A₊τ₊ = 1.05 makes the window's integral negative, which is what makes STDP competitive.

    Examples
    --------
    >>> stdp_window([0.01, -0.01]).round(5)
    array([ 0.00303, -0.00318])
    """
    p = _stdp_params(params)
    dt = np.asarray(delta_t, dtype=np.float64)
    if not np.all(np.isfinite(dt)):
        raise ValueError("delta_t contains NaN or infinite values; give finite spike-time differences in seconds")
    causal = dt >= 0
    dw = np.where(causal, p["a_plus"] * np.exp(-np.where(causal, dt, 0.0) / p["tau_plus"]),
                  -p["a_minus"] * np.exp(np.where(causal, 0.0, dt) / p["tau_minus"]))
    return float(dw) if dw.ndim == 0 else dw


def stdp_pair_sum(pre_times, post_times, **params):
    """Total weight change of one synapse from all pre–post spike pairs: Σ over pairs of F(t_post − t_pre).

    Parameters
    ----------
    pre_times, post_times : array_like of shape (n_pre,), (n_post,)
        Spike times [s].
    **params
        STDP window parameters as in :func:`stdp_window`.

    Returns
    -------
    float
        The summed (dimensionless) change, what the all-to-all trace implementation applies without weight bounds.
    """
    pre = np.asarray(pre_times, dtype=np.float64).ravel()
    post = np.asarray(post_times, dtype=np.float64).ravel()
    return float(np.sum(stdp_window(post[:, None] - pre[None, :], **params)))


# ---------------------------------------------------------------------------------------------------------------
# Input spike trains


def _events_to_csr(steps, inputs, n_steps):
    """Sort events by time step and return (pointer of shape (n_steps + 1,), input index per event)."""
    order = np.argsort(steps, kind="stable")
    counts = np.bincount(steps, minlength=n_steps)
    ptr = np.zeros(n_steps + 1, dtype=np.int64)
    np.cumsum(counts, out=ptr[1:])
    return ptr, inputs[order].astype(np.int64)


def _poisson_block(rng, rates, start, n_steps, dt, correlated=None, correlation=0.0):
    """Poisson spikes in steps [start, start + n_steps) for inputs firing at ``rates`` [Hz].

    Inputs listed in ``correlated`` share the spikes of one mother process of rate r / c, each copied with
    probability c (the multiple-interaction process of Kuhn et al. 2003): each keeps rate r, and any two of them
    have spike-count correlation c.
    """
    rates = np.asarray(rates, dtype=np.float64)
    independent = np.ones(rates.size, dtype=bool)
    steps, inputs = [], []
    if correlated is not None and correlation > 0 and len(correlated):
        correlated = np.asarray(correlated)
        independent[correlated] = False
        r = rates[correlated[0]]
        n_mother = rng.poisson(r / correlation * n_steps * dt)
        mother_steps = rng.integers(0, n_steps, size=n_mother)
        copy = rng.random((n_mother, correlated.size)) < correlation
        m, c = np.nonzero(copy)
        steps.append(start + mother_steps[m])
        inputs.append(correlated[c])
    idx = np.flatnonzero(independent)
    counts = rng.poisson(rates[idx] * n_steps * dt)
    steps.append(start + rng.integers(0, n_steps, size=counts.sum()))
    inputs.append(np.repeat(idx, counts))
    return np.concatenate(steps), np.concatenate(inputs)


# ---------------------------------------------------------------------------------------------------------------
# The compiled kernel: one LIF neuron with STDP (direct or through an eligibility trace)


@numba.njit(cache=True)
def _stdp_neuron_kernel(ptr, ev_input, w, jump, n_steps, dt, tau_m, v_rest, v_th, v_reset, ref_steps,
                        a_plus, a_minus, tau_plus, tau_minus, record_every,
                        tau_e, episode_steps, episode_sign, eta_reward, tau_baseline, reward_per_spike):
    """Simulate; returns weight records, post spike steps and rewards per episode.

    Direct STDP when ``tau_e <= 0``; otherwise the pairings go into an eligibility trace and the weights change
    by ``eta (R - Rbar[stimulus]) e`` at the end of each episode, with ``R = sign * reward_per_spike * n_post``.
    """
    n_in = w.shape[0]
    x = np.zeros(n_in)                      # presynaptic traces
    e = np.zeros(n_in)                      # eligibility traces
    y = 0.0                                 # postsynaptic trace
    v = v_rest
    ref = 0
    dec_m = np.exp(-dt / tau_m)
    dec_p = np.exp(-dt / tau_plus)
    dec_n = np.exp(-dt / tau_minus)
    dec_e = np.exp(-dt / tau_e) if tau_e > 0 else 0.0
    use_trace = tau_e > 0
    n_rec = n_steps // record_every
    records = np.empty((n_rec + 1, n_in))
    records[0] = w
    post_steps = np.empty(n_steps, dtype=np.int64)
    n_post = 0
    n_episodes = episode_sign.shape[0]
    rewards = np.zeros(n_episodes)
    baseline = np.zeros(2)                  # running mean reward per stimulus sign (+1 -> 0, -1 -> 1)
    post_in_episode = 0
    episode = 0
    for k in range(n_steps):
        for i in range(n_in):
            x[i] *= dec_p
        y *= dec_n
        if use_trace:
            for i in range(n_in):
                e[i] *= dec_e
        v = v_rest + (v - v_rest) * dec_m
        for q in range(ptr[k], ptr[k + 1]):
            i = ev_input[q]
            # depression: this pre spike after earlier post spikes
            if use_trace:
                e[i] -= a_minus * y
            else:
                w[i] -= a_minus * y
                if w[i] < 0.0:
                    w[i] = 0.0
            x[i] += 1.0
            if ref == 0:
                v += w[i] * jump
        if ref > 0:
            ref -= 1
            v = v_reset
        elif v >= v_th:
            v = v_reset
            ref = ref_steps
            y += 1.0
            post_steps[n_post] = k
            n_post += 1
            post_in_episode += 1
            for i in range(n_in):          # potentiation: every earlier (or simultaneous) pre spike
                if use_trace:
                    e[i] += a_plus * x[i]
                else:
                    w[i] += a_plus * x[i]
                    if w[i] > 1.0:
                        w[i] = 1.0
        if use_trace and episode < n_episodes and (k + 1) % episode_steps == 0:
            s = episode_sign[episode]
            b = 0 if s > 0 else 1
            reward = s * reward_per_spike * post_in_episode
            rewards[episode] = reward
            delta = reward - baseline[b]
            for i in range(n_in):
                w[i] += eta_reward * delta * e[i]
                if w[i] < 0.0:
                    w[i] = 0.0
                elif w[i] > 1.0:
                    w[i] = 1.0
            baseline[b] += (reward - baseline[b]) / tau_baseline
            post_in_episode = 0
            episode += 1
        if (k + 1) % record_every == 0 and (k + 1) // record_every <= n_rec:
            records[(k + 1) // record_every] = w
    return records, post_steps[:n_post], rewards


@dataclass(frozen=True)
class STDPRun:
    """Result of an STDP simulation of one LIF neuron.

    Attributes
    ----------
    weights : ndarray of shape (n_records + 1, n_inputs)
        The dimensionless weights (fractions of w_max) at the start and after every ``record_interval``.
    record_times : ndarray of shape (n_records + 1,)
        Times of those records [s].
    output_rate : ndarray of shape (n_records,)
        Postsynaptic firing rate in each record interval [Hz].
    post_spike_times : ndarray of shape (n_post,)
        Postsynaptic spike times [s].
    groups : dict of str to ndarray of int
        Input indices of each input group (e.g. ``"correlated"``, ``"uncorrelated"``).
    rewards : ndarray of shape (n_episodes,)
        Reward of each episode (reward-modulated STDP only; empty otherwise).
    episode_sign : ndarray of shape (n_episodes,)
        +1 for an episode of the rewarded stimulus, −1 for the punished one (reward-modulated STDP only).
    """

    weights: np.ndarray
    record_times: np.ndarray
    output_rate: np.ndarray
    post_spike_times: np.ndarray
    groups: dict
    rewards: np.ndarray
    episode_sign: np.ndarray

    def group_mean(self, name):
        """Mean weight of input group ``name`` at every record, shape (n_records + 1,)."""
        return self.weights[:, self.groups[name]].mean(axis=1)


def _run_kernel(ptr, ev_input, w0, *, jump, n_steps, dt, lif, stdp, record_interval, tau_e=0.0,
                episode_steps=1, episode_sign=None, eta_reward=0.0, tau_baseline=1.0, reward_per_spike=0.0):
    record_every = max(1, int(round(record_interval / dt)))
    ref_steps = int(round(lif["t_ref"] / dt))
    signs = np.zeros(0) if episode_sign is None else np.asarray(episode_sign, dtype=np.float64)
    records, post, rewards = _stdp_neuron_kernel(
        ptr, ev_input, w0.copy(), float(jump), int(n_steps), float(dt), lif["tau_m"], lif["v_rest"],
        lif["v_threshold"], lif["v_reset"], ref_steps, stdp["a_plus"], stdp["a_minus"], stdp["tau_plus"],
        stdp["tau_minus"], record_every, float(tau_e), int(episode_steps), signs, float(eta_reward),
        float(tau_baseline), float(reward_per_spike))
    times = record_every * dt * np.arange(records.shape[0])
    counts = np.bincount(post // record_every, minlength=records.shape[0])[: records.shape[0] - 1]
    return records, times, counts / (record_every * dt), post * dt, rewards


def simulate_stdp_competition(*, n_inputs=200, n_correlated=100, rate=10.0, correlation=0.2, duration=200.0,
                              dt=5e-4, jump=2.0e-3, w_init=0.5, record_interval=5.0, seed=0, stdp=None, lif=None):
    """One LIF neuron with STDP on excitatory Poisson inputs, part of which are correlated (Song et al. 2000).

    Parameters
    ----------
    n_inputs : int, default=200
        Number of excitatory synapses.
    n_correlated : int, default=100
        How many of them (the first ones) fire together: pairwise spike-count correlation ``correlation``
        (multiple-interaction process); the others fire independently.
    rate : float, default=10.0
        Firing rate of every input [Hz].
    correlation : float, default=0.2
        Pairwise correlation c of the correlated group, in [0, 1).
    duration : float, default=200.0
        Simulated time [s].
    dt : float, default=5e-4
        Time step [s], no larger than the refractory period.
    jump : float, default=2e-3
        Membrane-potential jump J [V] of an input spike at weight w = w_max = 1. With the defaults the mean drive
        at w = 0.5 is n_inputs · rate · w J τ_m = 20 mV, the threshold: the neuron fires from fluctuations even
        without correlations.
    w_init : float, default=0.5
        Initial weight of every synapse, in [0, 1].
    record_interval : float, default=5.0
        Time between weight records [s].
    seed : int or numpy.random.Generator, default=0
        Seed of the input spike trains.
    stdp : dict, optional
        STDP window parameters (see :func:`stdp_window`; amplitudes dimensionless, time constants [s]).
    lif : dict, optional
        LIF parameters (see :data:`~lnn_utils.neuromorphic.lif.LIF_DEFAULTS`; SI units). Input resistance is not
        used: inputs act as voltage jumps.

    Returns
    -------
    STDPRun
        Weights over time; ``groups`` has ``"correlated"`` and ``"uncorrelated"``.
    """
    check_positive(n_inputs, "n_inputs", integer=True)
    check_positive(n_correlated, "n_correlated", integer=True, allow_zero=True)
    if n_correlated > n_inputs:
        raise ValueError(f"n_correlated must be <= n_inputs={n_inputs}, got {n_correlated}")
    check_positive(rate, "rate")
    if not 0 <= correlation < 1:
        raise ValueError(f"correlation must be in [0, 1), got {correlation!r}")
    check_positive(jump, "jump")
    check_positive(record_interval, "record_interval")
    if not 0 <= w_init <= 1:
        raise ValueError(f"w_init must be in [0, 1] (a fraction of w_max), got {w_init!r}")
    lif_p = _lif_params(lif or {})
    stdp_p = _stdp_params(stdp or {})
    n_steps = _check_time_grid(duration, dt, lif_p["t_ref"])
    rng = as_generator(seed)
    correlated = np.arange(n_correlated)
    steps, inputs = _poisson_block(rng, np.full(n_inputs, float(rate)), 0, n_steps, dt, correlated, correlation)
    ptr, ev_input = _events_to_csr(steps, inputs, n_steps)
    records, times, out_rate, post, rewards = _run_kernel(
        ptr, ev_input, np.full(n_inputs, float(w_init)), jump=jump, n_steps=n_steps, dt=dt, lif=lif_p, stdp=stdp_p,
        record_interval=record_interval)
    groups = {"correlated": correlated, "uncorrelated": np.arange(n_correlated, n_inputs)}
    return STDPRun(records, times, out_rate, post, groups, rewards, np.zeros(0))


def simulate_reward_stdp(*, n_inputs=100, n_episodes=400, stimulus_time=0.3, gap_time=0.2, rate_on=20.0,
                         rate_off=2.0, tau_eligibility=0.5, learning_rate=1.0, reward_per_spike=1.0,
                         baseline_episodes=10.0, dt=5e-4, jump=1.0e-3, w_init=0.5, seed=0, stdp=None, lif=None):
    """Reward-modulated STDP with an eligibility trace: a neuron learns to fire for stimulus A and not for B.

    Each episode shows stimulus A or B (random order) for ``stimulus_time``, then nothing for ``gap_time``. During A
    the first half of the inputs fires at ``rate_on`` and the rest at ``rate_off``; during B the reverse; in the gap
    all fire at ``rate_off``. At the end of the gap (a delay of at least ``gap_time`` after the last stimulus-driven
    pairing) the neuron receives R = +``reward_per_spike`` × (its spike count during the episode) after A, and
    −``reward_per_spike`` × count after B. Each weight changes by η (R − R̄_stim) e_i, with e_i the eligibility trace
    of the STDP pairings (decay τ_e) and R̄_stim the running mean reward of that stimulus.

    Parameters
    ----------
    n_inputs : int, default=100
        Number of synapses; inputs ``[0, n_inputs // 2)`` form group A, the rest group B.
    n_episodes : int, default=400
        Number of episodes.
    stimulus_time, gap_time : float, default=0.3, 0.2
        Durations of the stimulus and of the silent delay before the reward [s].
    rate_on, rate_off : float, default=20.0, 2.0
        Input rates of the shown group and of the others [Hz].
    tau_eligibility : float, default=0.5
        Time constant τ_e of the eligibility trace [s]. With τ_e much shorter than ``gap_time``, the trace has
        vanished when the reward arrives and nothing is learned.
    learning_rate : float, default=1.0
        η, dimensionless (weights are fractions of w_max; the pairing amplitudes come from ``stdp``).
    reward_per_spike : float, default=1.0
        Reward per postsynaptic spike (dimensionless).
    baseline_episodes : float, default=10.0
        Time constant of the running mean reward R̄, in episodes of the same stimulus.
    dt : float, default=5e-4
        Time step [s], no larger than the refractory period.
    jump : float, default=1e-3
        Membrane-potential jump J [V] of an input spike at w = 1.
    w_init : float, default=0.5
        Initial weight of every synapse, in [0, 1].
    seed : int or numpy.random.Generator, default=0
        Seed of the stimulus order and of the input spike trains.
    stdp, lif : dict, optional
        STDP window (dimensionless amplitudes, [s]) and LIF parameters (SI units).

    Returns
    -------
    STDPRun
        Weights recorded at the end of every episode; ``groups`` has ``"A"`` (rewarded) and ``"B"`` (punished);
        ``rewards`` and ``episode_sign`` per episode.
    """
    check_positive(n_inputs, "n_inputs", integer=True)
    if n_inputs < 2:
        raise ValueError(f"n_inputs must be >= 2 (two input groups), got {n_inputs}")
    check_positive(n_episodes, "n_episodes", integer=True)
    for name, value in (("stimulus_time", stimulus_time), ("rate_on", rate_on), ("tau_eligibility", tau_eligibility),
                        ("learning_rate", learning_rate), ("reward_per_spike", reward_per_spike),
                        ("baseline_episodes", baseline_episodes), ("jump", jump)):
        check_positive(value, name)
    check_positive(gap_time, "gap_time", allow_zero=True)
    check_positive(rate_off, "rate_off", allow_zero=True)
    lif_p = _lif_params(lif or {})
    stdp_p = _stdp_params(stdp or {})
    _check_time_grid(stimulus_time, dt, lif_p["t_ref"])
    on_steps = int(round(stimulus_time / dt))
    gap_steps = int(round(gap_time / dt))
    episode_steps = on_steps + gap_steps
    n_steps = episode_steps * n_episodes
    rng = as_generator(seed)
    sign = np.where(rng.random(n_episodes) < 0.5, 1.0, -1.0)
    group_a = np.arange(n_inputs // 2)
    group_b = np.arange(n_inputs // 2, n_inputs)
    rates_a = np.where(np.arange(n_inputs) < n_inputs // 2, rate_on, rate_off)
    rates_b = np.where(np.arange(n_inputs) < n_inputs // 2, rate_off, rate_on)
    steps, inputs = [], []
    for e in range(n_episodes):
        start = e * episode_steps
        s, i = _poisson_block(rng, rates_a if sign[e] > 0 else rates_b, start, on_steps, dt)
        steps.append(s)
        inputs.append(i)
        if gap_steps and rate_off > 0:
            s, i = _poisson_block(rng, np.full(n_inputs, float(rate_off)), start + on_steps, gap_steps, dt)
            steps.append(s)
            inputs.append(i)
    ptr, ev_input = _events_to_csr(np.concatenate(steps), np.concatenate(inputs), n_steps)
    records, times, out_rate, post, rewards = _run_kernel(
        ptr, ev_input, np.full(n_inputs, float(w_init)), jump=jump, n_steps=n_steps, dt=dt, lif=lif_p, stdp=stdp_p,
        record_interval=episode_steps * dt, tau_e=tau_eligibility, episode_steps=episode_steps, episode_sign=sign,
        eta_reward=learning_rate, tau_baseline=baseline_episodes, reward_per_spike=reward_per_spike)
    return STDPRun(records, times, out_rate, post, {"A": group_a, "B": group_b}, rewards, sign)
