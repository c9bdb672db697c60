"""The leaky integrate-and-fire (LIF) neuron: closed-form f–I curve and an exact event-time simulation.

The membrane potential u [V] of a point neuron with membrane time constant τ_m [s] and input resistance R [Ω],
driven by a current I(t) [A], follows (Gerstner, Kistler, Naud & Paninski 2014, *Neuronal Dynamics*, ch. 1.3)::

    τ_m du/dt = −(u − u_rest) + R I(t)

When u reaches the threshold ϑ [V] the neuron emits a spike, u is reset to u_r [V] and held there for an absolute
refractory period Δ_abs [s]. For a constant current the time from reset to threshold is
``T = τ_m ln((R I − (u_r − u_rest)) / (R I − (ϑ − u_rest)))`` (ch. 1.3.2), so the firing rate is

    ν(I) = 1 / (Δ_abs + T)          for R I > ϑ − u_rest,          0 otherwise.

The current ``I_rh = (ϑ − u_rest) / R`` below which the neuron never fires is the rheobase.

:func:`simulate_lif` integrates the equation exactly for a current that is constant within each time step
(exponential relaxation towards ``u_rest + R I``) and places each threshold crossing at its exact time inside the
step, so that the simulated rate matches the closed form up to rounding for any ``dt`` no larger than the refractory
period. The defaults are a typical cortical neuron: τ_m = 10 ms, R = 10 MΩ, rest −70 mV, threshold 20 mV above rest,
reset 5 mV above rest, 2 ms refractory (rheobase 2 nA).
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np

from .._validation import check_positive

#: Defaults of every LIF function: SI units (s, Ω, V).
LIF_DEFAULTS = {
    "tau_m": 10e-3,          # membrane time constant [s]
    "resistance": 10e6,      # input resistance R [Ω]
    "v_rest": -70e-3,        # resting potential [V]
    "v_threshold": -50e-3,   # firing threshold ϑ [V] (20 mV above rest)
    "v_reset": -65e-3,       # reset potential u_r [V] (5 mV above rest)
    "t_ref": 2e-3,           # absolute refractory period Δ_abs [s]
}


def _lif_params(params):
    """Merge keyword parameters with :data:`LIF_DEFAULTS`, rejecting unknown names and invalid values."""
    unknown = set(params) - set(LIF_DEFAULTS)
    if unknown:
        raise TypeError(f"unknown LIF parameter(s) {sorted(unknown)}; the parameters are {sorted(LIF_DEFAULTS)}")
    p = {**LIF_DEFAULTS, **params}
    check_positive(p["tau_m"], "tau_m")
    check_positive(p["resistance"], "resistance")
    check_positive(p["t_ref"], "t_ref", allow_zero=True)
    for name in ("v_rest", "v_threshold", "v_reset"):
        if not isinstance(p[name], numbers.Real) or not np.isfinite(p[name]):
            raise ValueError(f"{name} must be a finite potential in volts, got {p[name]!r}")
    if not p["v_reset"] < p["v_threshold"]:
        raise ValueError(f"v_reset must lie below v_threshold, got v_reset={p['v_reset']!r} V and "
                         f"v_threshold={p['v_threshold']!r} V")
    if not p["v_rest"] < p["v_threshold"]:
        raise ValueError(f"v_rest must lie below v_threshold, got v_rest={p['v_rest']!r} V and "
                         f"v_threshold={p['v_threshold']!r} V")
    return p


def rheobase(**params):
    """The smallest constant current that makes the LIF neuron fire, ``I_rh = (ϑ − u_rest) / R`` [A].

    Parameters
    ----------
    **params
        LIF parameters (see :data:`LIF_DEFAULTS`): ``tau_m`` [s], ``resistance`` [Ω], ``v_rest``, ``v_threshold``,
        ``v_reset`` [V], ``t_ref`` [s].

    Returns
    -------
    float
        The rheobase current [A]; 2e-9 A for the defaults.
    """
    p = _lif_params(params)
    return (p["v_threshold"] - p["v_rest"]) / p["resistance"]


def lif_rate(current, **params):
    """Closed-form firing rate [Hz] of the LIF neuron driven by a constant current [A].

    Parameters
    ----------
    current : float or array_like
        Constant input current I [A], any shape.
    **params
        LIF parameters: ``tau_m`` [s], ``resistance`` [Ω], ``v_rest``, ``v_threshold``, ``v_reset`` [V],
        ``t_ref`` [s] (defaults in :data:`LIF_DEFAULTS`).

    Returns
    -------
    rate : float or ndarray
        ν(I) = 1 / (Δ_abs + τ_m ln((R I − (u_r − u_rest)) / (R I − (ϑ − u_rest)))) [Hz] above the rheobase,
        0 at or below it; same shape as ``current`` (a float for a scalar).

    Notes
    -----
    Gerstner et al. (2014), *Neuronal Dynamics*, eq. (1.13)–(1.14) with a refractory period. The rate rises from 0
    at the rheobase with infinite slope and saturates at 1 / Δ_abs for large currents.

    Examples
    --------
    >>> round(lif_rate(3e-9), 1)   # 3 nA into the default neuron
    89.6
    >>> lif_rate(1e-9)             # below the 2 nA rheobase
    0.0
    """
    p = _lif_params(params)
    I = np.asarray(current, dtype=np.float64)
    if not np.all(np.isfinite(I)):
        raise ValueError("current contains NaN or infinite values; give a finite current in amperes")
    drive = p["resistance"] * I                       # R I [V]
    gap_threshold = p["v_threshold"] - p["v_rest"]    # ϑ − u_rest [V]
    gap_reset = p["v_reset"] - p["v_rest"]            # u_r − u_rest [V]
    above = drive > gap_threshold
    safe = np.where(above, drive, gap_threshold + 1.0)
    period = p["t_ref"] + p["tau_m"] * np.log((safe - gap_reset) / (safe - gap_threshold))
    rate = np.where(above, 1.0 / period, 0.0)
    return float(rate) if rate.ndim == 0 else rate


def _check_time_grid(duration, dt, t_ref):
    check_positive(duration, "duration")
    check_positive(dt, "dt")
    if dt > t_ref and t_ref > 0:
        raise ValueError(f"dt must not exceed the refractory period t_ref={t_ref!r} s (one spike per step at most), "
                         f"got dt={dt!r} s; use a smaller dt")
    n_steps = int(round(duration / dt))
    if n_steps < 1:
        raise ValueError(f"duration={duration!r} s is shorter than one time step dt={dt!r} s")
    return n_steps


def _current_matrix(current, n_steps, n_neurons=None):
    """Current as an array of shape (n_steps, n_neurons) [A] from a scalar, a (n_steps,) or (n_steps, n) array."""
    I = np.asarray(current, dtype=np.float64)
    if not np.all(np.isfinite(I)):
        raise ValueError("current contains NaN or infinite values; give a finite current in amperes")
    if I.ndim == 0:
        return np.full((n_steps, 1 if n_neurons is None else n_neurons), float(I))
    if I.ndim == 1 and n_neurons is None:
        if I.shape[0] != n_steps:
            raise ValueError(f"current must be a constant or an array of shape (n_steps,) = ({n_steps},) "
                             f"(one value per time step of duration/dt), got shape {I.shape}")
        return I[:, None]
    raise ValueError(f"current must be a constant or an array of shape ({n_steps},), got shape {I.shape}")


def _integrate(I, dt, p, record_voltage=False):
    """Exact LIF integration of ``I`` (n_steps, n_neurons) [A]; returns spike (step, neuron, time) and voltages.

    Within a step the current is constant, so u relaxes exponentially towards u_∞ = u_rest + R I. A neuron in its
    refractory period stays at u_r until the period ends (possibly mid-step), then integrates the rest of the step.
    A threshold crossing is placed at its exact time t* = τ_m ln((u − u_∞) / (ϑ − u_∞)) after the start of the
    integrated part; the remainder of the step after t* counts towards the new refractory period. Because
    dt ≤ Δ_abs, a neuron spikes at most once per step.
    """
    n_steps, n = I.shape
    tau, theta, u_r, t_ref = p["tau_m"], p["v_threshold"], p["v_reset"], p["t_ref"]
    u = np.full(n, p["v_rest"])
    refractory_left = np.zeros(n)
    spike_steps, spike_neurons, spike_times = [], [], []
    voltages = np.empty((n_steps, n)) if record_voltage else None
    for k in range(n_steps):
        u_inf = p["v_rest"] + p["resistance"] * I[k]
        held = np.minimum(refractory_left, dt)          # part of the step still refractory
        active = dt - held                               # part of the step that integrates
        refractory_left -= held
        u_end = u_inf + (u - u_inf) * np.exp(-active / tau)
        fired = u_end >= theta
        if fired.any():
            idx = np.flatnonzero(fired)
            # exact crossing time after the start of the integrated part (u < ϑ < u_end there, so u_∞ > ϑ)
            s = tau * np.log((u[idx] - u_inf[idx]) / (theta - u_inf[idx]))
            s = np.clip(s, 0.0, active[idx])
            spike_steps.append(np.full(idx.size, k))
            spike_neurons.append(idx)
            spike_times.append(k * dt + held[idx] + s)
            after = active[idx] - s                      # time left in the step after the spike
            refractory_left[idx] = t_ref - after
            u_end[idx] = u_r
            # if the refractory period is shorter than the rest of the step (only when t_ref == 0), integrate on
            over = refractory_left[idx] < 0
            if over.any():
                j = idx[over]
                u_end[j] = u_inf[j] + (u_r - u_inf[j]) * np.exp(refractory_left[j] / tau)
                refractory_left[j] = 0.0
        u = u_end
        if record_voltage:
            voltages[k] = u
    cat = (lambda parts, dtype: np.concatenate(parts) if parts else np.empty(0, dtype))
    return cat(spike_neurons, np.int64), cat(spike_times, np.float64), voltages


def simulate_lif(current, *, duration, dt=1e-4, **params):
    """Spike times [s] of the LIF neuron driven by a constant or time-varying current [A].

    Parameters
    ----------
    current : float or array_like of shape (n_steps,)
        Input current I [A]: a constant, or one value per time step, ``n_steps = round(duration / dt)``
        (held constant within each step).
    duration : float
        Simulated time [s], > 0.
    dt : float, default=1e-4
        Time step [s], > 0 and no larger than the refractory period ``t_ref``.
    **params
        LIF parameters: ``tau_m`` [s], ``resistance`` [Ω], ``v_rest``, ``v_threshold``, ``v_reset`` [V],
        ``t_ref`` [s] (defaults in :data:`LIF_DEFAULTS`). The neuron starts at rest.

    Returns
    -------
    spike_times : ndarray of shape (n_spikes,)
        Times of threshold crossings [s], increasing, in [0, duration).

    Notes
    -----
    Integrates τ_m du/dt = −(u − u_rest) + R I exactly within each step and places each threshold crossing at its
    exact time inside the step (see the module docstring), so for a constant current the inter-spike interval equals
    the closed form 1 / :func:`lif_rate` to rounding, whatever ``dt``.

    Raises
    ------
    ValueError
        For a non-positive ``duration`` or ``dt``, ``dt`` larger than ``t_ref``, a current of the wrong shape or with
        NaN.
    """
    p = _lif_params(params)
    n_steps = _check_time_grid(duration, dt, p["t_ref"])
    I = _current_matrix(current, n_steps)
    _, times, _ = _integrate(I, dt, p)
    return times


@dataclass(frozen=True)
class LIFTrace:
    """The membrane potential of a simulated LIF neuron, sampled at the end of each step.

    Attributes
    ----------
    time : ndarray of shape (n_steps,)
        End of each step [s].
    voltage : ndarray of shape (n_steps,)
        Membrane potential u [V] (u_r during the refractory period).
    spike_times : ndarray of shape (n_spikes,)
        Exact threshold-crossing times [s].
    current : ndarray of shape (n_steps,)
        The input current [A] of each step.
    """

    time: np.ndarray
    voltage: np.ndarray
    spike_times: np.ndarray
    current: np.ndarray


def lif_trace(current, *, duration, dt=1e-4, **params):
    """Membrane potential [V] and spike times [s] of the LIF neuron, for plotting traces.

    Same arguments and integration as :func:`simulate_lif`; returns a :class:`LIFTrace` (time [s], voltage [V],
    spike times [s], current [A]).
    """
    p = _lif_params(params)
    n_steps = _check_time_grid(duration, dt, p["t_ref"])
    I = _current_matrix(current, n_steps)
    _, times, v = _integrate(I, dt, p, record_voltage=True)
    return LIFTrace(time=dt * np.arange(1, n_steps + 1), voltage=v[:, 0], spike_times=times, current=I[:, 0])


def simulated_fi_curve(currents, *, duration=1.0, dt=1e-4, **params):
    """Firing rates [Hz] of LIF neurons driven by each of several constant currents [A], simulated in one pass.

    All currents are simulated together (one vectorised time loop over the neurons). The rate is the inverse of
    the mean inter-spike interval when a neuron spikes at least twice, else (number of spikes) / duration.

    Parameters
    ----------
    currents : array_like of shape (n_currents,)
        Constant input currents [A].
    duration : float, default=1.0
        Simulated time per current [s].
    dt : float, default=1e-4
        Time step [s], no larger than ``t_ref``.
    **params
        LIF parameters as in :func:`lif_rate` (units s, Ω, V).

    Returns
    -------
    rates : ndarray of shape (n_currents,)
        Simulated firing rates [Hz], to compare with :func:`lif_rate`.
    """
    p = _lif_params(params)
    n_steps = _check_time_grid(duration, dt, p["t_ref"])
    I = np.asarray(currents, dtype=np.float64)
    if I.ndim != 1 or I.size == 0:
        raise ValueError(f"currents must be a non-empty 1-D array of shape (n_currents,) [A], got shape {I.shape}")
    if not np.all(np.isfinite(I)):
        raise ValueError("currents contain NaN or infinite values; give finite currents in amperes")
    neurons, times, _ = _integrate(np.broadcast_to(I, (n_steps, I.size)), dt, p)
    rates = np.zeros(I.size)
    for j in range(I.size):
        t = times[neurons == j]
        if t.size >= 2:
            rates[j] = (t.size - 1) / (t[-1] - t[0])
        else:
            rates[j] = t.size / duration
    return rates
