"""Figures of notebook 10 (neuromorphic computing): membrane traces, f–I curves, STDP, spike rasters, energy.

Every function draws on ``ax`` (a new figure when None) and returns the Figure; units are SI and shown in the axis
labels in convenient multiples (ms, mV, nA, pJ).
"""

from __future__ import annotations

import numpy as np

from . import get_axes


def plot_membrane_traces(traces, labels, *, v_threshold=None, ax=None):
    """Membrane potential [mV] against time [ms] of several :class:`~lnn_utils.neuromorphic.LIFTrace`.

    Spikes are drawn as vertical strokes above the threshold at their exact times.

    Parameters
    ----------
    traces : sequence of LIFTrace
    labels : sequence of str
    v_threshold : float, optional
        Threshold [V], drawn dashed.
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, ax = get_axes(ax, figsize=(7, 3))
    top = -np.inf
    for k, (trace, label) in enumerate(zip(traces, labels)):
        line, = ax.plot(1e3 * trace.time, 1e3 * trace.voltage, lw=1, label=label)
        top = max(top, 1e3 * trace.voltage.max())
        if trace.spike_times.size:
            y0 = (1e3 * v_threshold if v_threshold is not None else top) + 1 + 2 * k
            ax.vlines(1e3 * trace.spike_times, y0, y0 + 1.5, color=line.get_color(), lw=1)
    if v_threshold is not None:
        ax.axhline(1e3 * v_threshold, color="k", ls="--", lw=0.8, label="threshold")
    ax.set(xlabel="time [ms]", ylabel="membrane potential [mV]")
    ax.legend(loc="lower right", fontsize=8)
    return fig


def plot_fi_curve(currents, closed_form, simulated, *, rheobase=None, ax=None):
    """Firing rate [Hz] against current [nA]: closed form (line) and simulation (dots).

    Parameters
    ----------
    currents : array_like of shape (n,)
        Currents [A].
    closed_form, simulated : array_like of shape (n,)
        Rates [Hz].
    rheobase : float, optional
        Rheobase [A], drawn dotted.
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, ax = get_axes(ax, figsize=(4.5, 3))
    I = 1e9 * np.asarray(currents)
    ax.plot(I, closed_form, "-", lw=1.5, label="closed form")
    ax.plot(I, simulated, "o", ms=3, label="simulation")
    if rheobase is not None:
        ax.axvline(1e9 * rheobase, color="k", ls=":", lw=0.8, label="rheobase")
    ax.set(xlabel="input current [nA]", ylabel="firing rate [Hz]", title="f–I curve")
    ax.legend(fontsize=8)
    return fig


def plot_stdp_window(delta_t, dw, *, ax=None):
    """STDP weight change against Δt = t_post − t_pre [ms]; potentiation red, depression blue.

    Parameters
    ----------
    delta_t : array_like of shape (n,)
        Spike-time differences [s].
    dw : array_like of shape (n,)
        Weight changes (fractions of w_max).
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, ax = get_axes(ax, figsize=(4.5, 3))
    t = 1e3 * np.asarray(delta_t)
    dw = np.asarray(dw)
    ax.plot(t[t >= 0], dw[t >= 0], color="#d62728", lw=1.5, label="potentiation (pre → post)")
    ax.plot(t[t < 0], dw[t < 0], color="#1f77b4", lw=1.5, label="depression (post → pre)")
    ax.axhline(0, color="k", lw=0.6)
    ax.axvline(0, color="k", lw=0.6)
    ax.set(xlabel="Δt = t_post − t_pre [ms]", ylabel="Δw / w_max", title="pair-based STDP window")
    ax.legend(fontsize=8)
    return fig


def plot_group_weights(run, *, groups=None, ax=None, title=None):
    """Mean weight of each input group of an :class:`~lnn_utils.neuromorphic.STDPRun` against time [s].

    Thin lines show the 10th–90th percentile band of the group.

    Parameters
    ----------
    run : STDPRun
    groups : sequence of str, optional
        Groups to draw; default all of ``run.groups``.
    ax : matplotlib.axes.Axes, optional
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, ax = get_axes(ax, figsize=(4.5, 3))
    for name in (groups or list(run.groups)):
        w = run.weights[:, run.groups[name]]
        line, = ax.plot(run.record_times, w.mean(axis=1), lw=1.5, label=name)
        lo, hi = np.percentile(w, [10, 90], axis=1)
        ax.fill_between(run.record_times, lo, hi, color=line.get_color(), alpha=0.2, lw=0)
    ax.set(xlabel="time [s]", ylabel="weight / w_max", ylim=(-0.02, 1.02))
    if title:
        ax.set_title(title)
    ax.legend(fontsize=8)
    return fig


def plot_raster(spikes, *, dt, ax=None, title=None, color="k"):
    """Spike raster of a (n_steps, n_neurons) 0/1 array, time in ms.

    Parameters
    ----------
    spikes : array_like of shape (n_steps, n_neurons)
    dt : float
        Time step [s].
    ax : matplotlib.axes.Axes, optional
    title : str, optional
    color : str, default="k"

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, ax = get_axes(ax, figsize=(4, 3))
    steps, neurons = np.nonzero(np.asarray(spikes))
    ax.scatter(1e3 * dt * (steps + 1), neurons, s=2, marker="|", color=color, lw=0.8)
    ax.set(xlabel="time [ms]", ylabel="neuron", xlim=(0, 1e3 * dt * (np.shape(spikes)[0] + 1)))
    if title:
        ax.set_title(title)
    return fig


def plot_energy_vs_rate(rates, curves, *, ann_energy, points=None, ax=None):
    """Energy per inference [nJ] of the spiking network against firing rate [Hz], with the digital network's level.

    Parameters
    ----------
    rates : array_like of shape (n,)
        Mean firing rates [Hz].
    curves : dict of str to array_like of shape (n,)
        Energies [J] for each assumption on the energy per synaptic event.
    ann_energy : float
        The digital network's energy per inference [J] (horizontal line).
    points : dict of str to (float, float), optional
        Measured networks: label -> (equivalent uniform rate [Hz], energy [J]) (see
        :func:`lnn_utils.neuromorphic.equivalent_rate`).
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, ax = get_axes(ax, figsize=(5.5, 3.5))
    for label, energy in curves.items():
        ax.plot(rates, 1e9 * np.asarray(energy), lw=1.5, label=label)
    ax.axhline(1e9 * ann_energy, color="k", ls="--", lw=1, label="digital MLP (fp32, Horowitz 2014)")
    for label, (rate, energy) in (points or {}).items():
        ax.plot(rate, 1e9 * energy, "o", ms=6, label=label)
    ax.set(xlabel="uniform firing rate of input and hidden neurons [Hz]", ylabel="energy per inference [nJ]",
           xscale="log", yscale="log")
    ax.legend(fontsize=7)
    return fig
