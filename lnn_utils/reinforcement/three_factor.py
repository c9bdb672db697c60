"""Three-factor learning rules: reward-modulated Hebbian plasticity, its critic, and eligibility traces.

A three-factor rule changes a synapse by (pre-synaptic activity) x (post-synaptic activity) x M, where the third
factor M is a neuromodulator (dopamine) broadcast to all synapses:

    Δw_i = η M · (post - <post>) · pre_i.

- Frémaux, N., Sprekeler, H. & Gerstner, W. (2010). Functional requirements for reward-modulated
  spike-timing-dependent plasticity. *J Neurosci* 30:13326–13337; Frémaux, N. & Gerstner, W. (2016).
  Neuromodulated spike-timing-dependent plasticity, and theory of three-factor learning rules. *Front Neural
  Circuits* 9:85. The expected change is the reward gradient (the "covariance" of reward and exploration) *plus* a
  bias E[M | stimulus] · E[post - <post> | stimulus] · pre. The bias vanishes only when M has zero mean for every
  stimulus, i.e. M = R - E[R | stimulus]: the reward minus a stimulus-specific prediction, which a critic supplies.
  :func:`reward_modulated_hebbian` compares M = R, M = R - (running mean of R) and M = R - critic(stimulus).
- Izhikevich, E. M. (2007). Solving the distal reward problem through linkage of STDP and dopamine signaling.
  *Cereb Cortex* 17:2443–2452; Gerstner, W., Lehmann, M., Liakoni, V., Corneil, D. & Brea, J. (2018). Eligibility
  traces and plasticity on behavioral time scales: experimental support of neoHebbian three-factor learning rules.
  *Front Neural Circuits* 12:53. A pre–post coincidence does not change the weight at once but leaves a synaptic
  eligibility trace, τ_e de/dt = -e + Σ_coincidences δ(t - t_k); the weight changes only when the delayed third
  factor arrives, dw/dt = η M(t) e(t). :func:`distal_reward` reproduces Izhikevich's "reinforce one synapse among
  many" experiment.
"""

from __future__ import annotations

import numpy as np
from scipy.integrate import trapezoid
from scipy.special import ndtr

from .._validation import as_generator, check_positive
from .prediction import check_step_size

#: The three choices of third factor compared by :func:`reward_modulated_hebbian`.
BASELINES = ("none", "running_mean", "critic")


def reward_modulated_hebbian(*, n_stimuli=4, n_inputs=20, n_trials=5000, learning_rate=0.03,
                             critic_learning_rate=0.1, noise=0.5, reward_offsets=(-0.2, 0.2), tau_post=50.0,
                             tau_reward=50.0, baselines=BASELINES, record_every=100, n_seeds=50, seed=0):
    """A linear neuron learns several stimulus -> response mappings from a scalar reward, with three third factors.

    On each trial one of ``n_stimuli`` input patterns x^μ (positive rates, unit norm) is shown, the neuron responds
    y = w · x^μ + ξ with exploration noise ξ ~ N(0, noise²) and receives the reward

        R = b^μ - (y - y*^μ)²,

    a stimulus-specific reward size b^μ minus the squared distance to the target response y*^μ. The weights change by
    the three-factor rule Δw = η M (y - <y>) x^μ, where <y> is a running average of the neuron's own output (time
    constant ``tau_post`` trials) and the third factor M is

    - ``"none"``: M = R, the raw reward;
    - ``"running_mean"``: M = R - <R>, the reward minus its running average over all trials (``tau_reward``);
    - ``"critic"``: M = R - c · x^μ, the reward minus a critic's prediction for this stimulus, learned by the
      delta rule Δc = η_c (R - c · x^μ) x^μ.

    Only the critic makes E[M | stimulus] = 0 for every stimulus, which removes the bias term of the rule
    (Frémaux et al. 2010), so only it reaches the targets; the raw reward pulls every response towards the mean
    response (the bias is -(σ² + error²) (y^μ - <y>) x^μ), and the running mean leaves a bias proportional to
    b^μ - mean(b). All three variants see the same stimuli, noise and targets (common random numbers).

    Parameters
    ----------
    n_stimuli : int, default=4
        Number of stimulus -> response associations.
    n_inputs : int, default=20
        Number of input synapses (>= n_stimuli, so that every mapping can be learned exactly).
    n_trials : int, default=5000
        Trials per seed.
    learning_rate : float, default=0.03
        η of the three-factor rule, in (0, 1].
    critic_learning_rate : float, default=0.1
        η_c of the critic, in (0, 1].
    noise : float, default=0.5
        Standard deviation σ of the exploration noise (> 0: without exploration there is nothing to learn from).
    reward_offsets : tuple (low, high) or array_like of shape (n_stimuli,), default=(-0.2, 0.2)
        b^μ: evenly spaced from low to high, or given per stimulus. Equal offsets make the running mean as good as
        the critic.
    tau_post, tau_reward : float, default=50.0
        Time constants (in trials, >= 1) of the running averages <y> and <R>.
    baselines : sequence of str, default=("none", "running_mean", "critic")
        Which third factors to simulate.
    record_every : int, default=100
        Record the error every that many trials.
    n_seeds : int, default=50
        Independent networks (each with its own patterns and targets).
    seed : int or numpy.random.Generator, default=0

    Returns
    -------
    result : dict
        ``"baselines"`` (tuple of str), ``"trial"`` (n_records,), ``"error"`` (n_baselines, n_seeds, n_records):
        RMS over stimuli of w · x^μ - y*^μ (column 0 before learning), ``"final_error"`` (n_baselines, n_seeds),
        ``"weights"`` (n_baselines, n_seeds, n_inputs), ``"reward_offsets"`` (n_stimuli,).
    """
    check_positive(n_stimuli, "n_stimuli", integer=True)
    check_positive(n_inputs, "n_inputs", integer=True)
    if n_inputs < n_stimuli:
        raise ValueError(f"n_inputs must be >= n_stimuli so that every mapping is learnable, got n_inputs={n_inputs}"
                         f" < n_stimuli={n_stimuli}")
    check_positive(n_trials, "n_trials", integer=True)
    check_positive(record_every, "record_every", integer=True)
    check_positive(n_seeds, "n_seeds", integer=True)
    eta = check_step_size(learning_rate, "learning_rate")
    eta_c = check_step_size(critic_learning_rate, "critic_learning_rate")
    check_positive(noise, "noise")
    for name, tau in (("tau_post", tau_post), ("tau_reward", tau_reward)):
        check_positive(tau, name)
        if tau < 1:
            raise ValueError(f"{name} is a number of trials and must be >= 1, got {tau!r}")
    baselines = tuple(baselines)
    unknown = [b for b in baselines if b not in BASELINES]
    if unknown or not baselines:
        raise ValueError(f"baselines must be a non-empty subset of {BASELINES}, got {baselines!r}")
    offsets = np.asarray(reward_offsets, dtype=float)
    if offsets.shape == (2,) and n_stimuli != 2:
        offsets = np.linspace(offsets[0], offsets[1], n_stimuli)
    if offsets.shape != (n_stimuli,) or not np.all(np.isfinite(offsets)):
        raise ValueError(f"reward_offsets must be (low, high) or finite values of shape (n_stimuli,) = ({n_stimuli},),"
                         f" got {reward_offsets!r}")

    rng = as_generator(seed)
    patterns = rng.random((n_seeds, n_stimuli, n_inputs))
    patterns /= np.linalg.norm(patterns, axis=-1, keepdims=True)
    targets = rng.uniform(-1.0, 1.0, (n_seeds, n_stimuli))
    n_b = len(baselines)
    W = np.zeros((n_b, n_seeds, n_inputs))
    critic = np.zeros((n_b, n_seeds, n_inputs))
    mean_post = np.zeros((n_b, n_seeds))
    mean_reward = np.zeros((n_b, n_seeds))
    seeds = np.arange(n_seeds)
    use_raw = np.array([b == "none" for b in baselines])[:, None]
    use_mean = np.array([b == "running_mean" for b in baselines])[:, None]

    def error():
        out = np.einsum("bsi,smi->bsm", W, patterns) - targets
        return np.sqrt(np.mean(out**2, axis=-1))

    records, trials = [error()], [0]
    for t in range(1, n_trials + 1):
        mu = rng.integers(0, n_stimuli, n_seeds)
        x = patterns[seeds, mu]  # (n_seeds, n_inputs)
        xi = noise * rng.standard_normal(n_seeds)
        y = np.einsum("bsi,si->bs", W, x) + xi
        R = offsets[mu] - (y - targets[seeds, mu]) ** 2
        prediction = np.einsum("bsi,si->bs", critic, x)
        M = np.where(use_raw, R, np.where(use_mean, R - mean_reward, R - prediction))
        W += eta * (M * (y - mean_post))[..., None] * x
        critic += eta_c * (R - prediction)[..., None] * x
        mean_post += (y - mean_post) / tau_post
        mean_reward += (R - mean_reward) / tau_reward
        if t % record_every == 0 or t == n_trials:
            records.append(error())
            trials.append(t)
    errors = np.stack(records, axis=-1)
    if not np.all(np.isfinite(errors)):
        raise FloatingPointError("reward-modulated learning diverged: lower learning_rate or noise")
    return {"baselines": baselines, "trial": np.array(trials), "error": errors, "final_error": errors[..., -1],
            "weights": W, "reward_offsets": offsets}


def _background_traces(rng, shape, rate, tau_e):
    """Stationary shot noise Σ_k exp(-(t - t_k)/τ_e) of Poisson coincidences (rate ``rate``) at a given time.

    Events older than 12 τ_e are dropped (their weight is below 1e-5).
    """
    window = 12.0 * tau_e
    counts = rng.poisson(rate * window, size=shape)
    n_events = int(counts.sum())
    ages = rng.random(n_events) * window
    owner = np.repeat(np.arange(counts.size), counts.ravel())
    return np.bincount(owner, weights=np.exp(-ages / tau_e), minlength=counts.size).reshape(shape)


def distal_reward(delays, *, tau_e=1.0, n_synapses=20, n_trials=100, coincidence_rate=1.0, learning_rate=0.01,
                  initial_weight=0.5, n_seeds=50, seed=0):
    """Izhikevich's distal reward experiment: can a delayed reward single out the one synapse that caused it?

    Each of ``n_synapses`` synapses has pre–post coincidences at random (Poisson, ``coincidence_rate`` per second).
    On every trial the *target* synapse (index 0) has one extra coincidence at t = 0, and a reward (a dopamine
    pulse M(t) = δ(t - d)) follows after the delay d. Each coincidence adds 1 to the synapse's eligibility trace,
    which decays with τ_e; the pulse changes every weight by Δw_i = η e_i(d). Trials are separated by intervals much
    longer than τ_e, so a trial's target coincidence is forgotten by the next one.

    Per trial, the target gains η e^{-d/τ_e} more than the others on average, against background fluctuations of
    standard deviation η sqrt(ρ τ_e / 2) (shot noise); after N trials the target is the strongest synapse with
    probability P = ∫ φ(u) Φ(u + sqrt(N) e^{-d/τ_e} / sqrt(ρ τ_e / 2))^(n_synapses - 1) du (Gaussian limit).
    Learning therefore succeeds for d ≲ τ_e and falls to chance (1 / n_synapses) for d ≫ τ_e.

    Parameters
    ----------
    delays : array_like of shape (n_delays,)
        Reward delays d, in seconds (>= 0).
    tau_e : float, default=1.0
        Time constant of the eligibility trace, in seconds.
    n_synapses : int, default=20
        Synapses competing for the credit (>= 2).
    n_trials : int, default=100
        Rewarded trials.
    coincidence_rate : float, default=1.0
        ρ, rate of random pre–post coincidences per synapse, in 1/s (>= 0).
    learning_rate : float, default=0.01
        η (weight change per unit of trace at a reward), > 0.
    initial_weight : float, default=0.5
        Every weight before learning.
    n_seeds : int, default=50
        Independent repetitions.
    seed : int or numpy.random.Generator, default=0

    Returns
    -------
    result : dict
        ``"delays"`` (n_delays,), ``"weights"`` (n_delays, n_seeds, n_synapses) after learning,
        ``"target_trace"`` (n_delays,) = e^{-d/τ_e}, ``"success"`` (n_delays, n_seeds): the target is the strongest
        synapse, ``"predicted_success"`` (n_delays,): the formula above, ``"chance"`` = 1 / n_synapses.
    """
    delays = np.atleast_1d(np.asarray(delays, dtype=float))
    if delays.ndim != 1 or not np.all(np.isfinite(delays)) or np.any(delays < 0):
        raise ValueError(f"delays must be a 1-D array of finite delays >= 0 (seconds), got {delays!r}")
    check_positive(tau_e, "tau_e")
    check_positive(n_synapses, "n_synapses", integer=True)
    if n_synapses < 2:
        raise ValueError(f"n_synapses must be >= 2 (the target and at least one competitor), got {n_synapses}")
    check_positive(n_trials, "n_trials", integer=True)
    check_positive(coincidence_rate, "coincidence_rate", allow_zero=True)
    check_positive(learning_rate, "learning_rate")
    check_positive(n_seeds, "n_seeds", integer=True)
    if not np.isfinite(initial_weight):
        raise ValueError(f"initial_weight must be finite, got {initial_weight!r}")
    rng = as_generator(seed)
    target_trace = np.exp(-delays / tau_e)
    weights = np.empty((len(delays), n_seeds, n_synapses))
    for k in range(len(delays)):  # one delay at a time keeps the event arrays small
        traces = _background_traces(rng, (n_seeds, n_trials, n_synapses), coincidence_rate, tau_e)
        traces[..., 0] += target_trace[k]
        weights[k] = initial_weight + learning_rate * traces.sum(axis=1)
    success = weights[..., 0] > weights[..., 1:].max(axis=-1)
    return {"delays": delays, "weights": weights, "target_trace": target_trace, "success": success,
            "predicted_success": predicted_distal_success(delays, tau_e=tau_e, n_synapses=n_synapses,
                                                          n_trials=n_trials, coincidence_rate=coincidence_rate),
            "chance": 1.0 / n_synapses}


def predicted_distal_success(delays, *, tau_e=1.0, n_synapses=20, n_trials=100, coincidence_rate=1.0):
    """Probability that the target synapse ends strongest in :func:`distal_reward` (Gaussian limit), shape (n_delays,).

    P = ∫ φ(u) Φ(u + z)^(n_synapses - 1) du with z = sqrt(n_trials) e^{-d/τ_e} / sqrt(ρ τ_e / 2); 1 when ρ = 0.
    """
    delays = np.atleast_1d(np.asarray(delays, dtype=float))
    if coincidence_rate == 0:
        return np.ones_like(delays)
    z = np.sqrt(n_trials) * np.exp(-delays / tau_e) / np.sqrt(coincidence_rate * tau_e / 2.0)
    u = np.linspace(-8.0, 8.0, 2001)
    density = np.exp(-u**2 / 2) / np.sqrt(2 * np.pi)
    integrand = density[None, :] * ndtr(u[None, :] + z[:, None]) ** (n_synapses - 1)
    return trapezoid(integrand, u, axis=1)


def eligibility_trace_example(delay, *, tau_e=1.0, n_synapses=5, coincidence_rate=1.0, duration=None, dt=0.01,
                              seed=0):
    """Time course of the eligibility traces in one trial of :func:`distal_reward`, for a figure.

    Parameters
    ----------
    delay : float
        Reward delay d, in seconds.
    tau_e, n_synapses, coincidence_rate : see :func:`distal_reward`
    duration : float, optional
        Length of the time axis after t = 0 (seconds); default d + 2 τ_e. The axis starts at -2 τ_e.
    dt : float, default=0.01
        Time step of the returned curves, in seconds.
    seed : int or numpy.random.Generator, default=0

    Returns
    -------
    result : dict
        ``"t"`` (n_times,), ``"traces"`` (n_times, n_synapses): e_i(t), the target (index 0) with its coincidence at
        t = 0, ``"events"``: list of coincidence-time arrays per synapse, ``"reward_time"`` = d,
        ``"weight_change"`` (n_synapses,): e_i(d), the change per unit η.
    """
    check_positive(tau_e, "tau_e")
    check_positive(dt, "dt")
    if not np.isfinite(delay) or delay < 0:
        raise ValueError(f"delay must be a finite number of seconds >= 0, got {delay!r}")
    rng = as_generator(seed)
    start = -2.0 * tau_e
    stop = delay + 2.0 * tau_e if duration is None else float(duration)
    t = np.arange(start, stop + dt / 2, dt)
    # background coincidences from well before the window start, so that the traces start in their steady state
    t0 = start - 12.0 * tau_e
    events = []
    for i in range(n_synapses):
        k = rng.poisson(coincidence_rate * (stop - t0))
        times = np.sort(t0 + rng.random(k) * (stop - t0))
        if i == 0:
            times = np.sort(np.append(times, 0.0))
        events.append(times)

    def trace_at(times, when):
        past = times[None, :] <= when[:, None]
        return np.sum(np.where(past, np.exp(-(when[:, None] - times[None, :]) / tau_e), 0.0), axis=1)

    traces = np.stack([trace_at(ev, t) for ev in events], axis=1)
    change = np.array([trace_at(ev, np.array([delay]))[0] for ev in events])
    visible = [ev[ev >= start] for ev in events]
    return {"t": t, "traces": traces, "events": visible, "reward_time": float(delay), "weight_change": change}
