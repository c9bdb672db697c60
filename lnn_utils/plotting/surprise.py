"""Figures for learning by surprise (notebook 08): the volatile world, surprise traces, excess-error heat maps,
exploration curves.

All functions draw on ``ax`` (a new figure when None) and return the :class:`matplotlib.figure.Figure`.
"""

from __future__ import annotations

import numpy as np

from . import get_axes


def _change_lines(ax, is_change, t0=0):
    for t in np.flatnonzero(is_change):
        ax.axvline(t0 + t, color="0.6", lw=0.8, ls=":", zorder=0)


def plot_volatile_world(y, mu, estimates=None, *, ax=None, title="A volatile world"):
    """Observations (dots), the hidden mean (black) and learners' estimates (lines) against time.

    Parameters
    ----------
    y, mu : array_like of shape (n_steps,)
        Observations and hidden mean.
    estimates : dict of str -> array_like of shape (n_steps,), optional
        Label -> estimate μ̂_t of each learner.
    ax : matplotlib.axes.Axes, optional
    title : str, optional

    Returns
    -------
    fig : matplotlib.figure.Figure
    """
    y, mu = np.asarray(y, float), np.asarray(mu, float)
    fig, ax = get_axes(ax, figsize=(8, 3.2))
    t = np.arange(len(y))
    ax.plot(t, y, ".", ms=2.5, color="0.65", label="observation $y_t$")
    ax.plot(t, mu, color="k", lw=1.6, label=r"hidden mean $\mu_t$")
    for label, est in (estimates or {}).items():
        ax.plot(t, est, lw=1.1, label=label)
    ax.set_xlabel("time step t")
    ax.set_ylabel("value")
    ax.set_title(title)
    ax.legend(loc="upper left", fontsize=8, ncol=2 + len(estimates or {}) // 2)
    return fig


def plot_surprise_trace(surprise, gamma, is_change, *, ax=None, title="Surprise sets the learning rate"):
    """log₁₀ S_BF (left axis) and the adaptation rate γ (right axis) against time, change points dotted.

    Parameters
    ----------
    surprise : array_like of shape (n_steps,)
        Bayes factor surprise S_BF (> 0).
    gamma : array_like of shape (n_steps,)
        Adaptation rate γ_t in [0, 1).
    is_change : array_like of bool, shape (n_steps,)
    ax : matplotlib.axes.Axes, optional
    title : str, optional

    Returns
    -------
    fig : matplotlib.figure.Figure
    """
    fig, ax = get_axes(ax, figsize=(8, 3.0))
    t = np.arange(len(surprise))
    _change_lines(ax, is_change)
    ax.plot(t, np.log10(surprise), color="C0", lw=1.0)
    ax.axhline(0.0, color="C0", lw=0.6, alpha=0.5)
    ax.set_ylabel(r"$\log_{10} S_{BF}$", color="C0")
    ax.set_xlabel("time step t  (dotted: change points)")
    right = ax.twinx()
    right.plot(t, gamma, color="C1", lw=1.0)
    right.set_ylim(-0.02, 1.02)
    right.set_ylabel(r"adaptation rate $\gamma_t$", color="C1")
    right.spines["right"].set_visible(True)
    ax.set_title(title)
    return fig


def plot_excess_heatmap(excess, sigmas, p_changes, *, ax=None, title="", vmax=None, cmap="magma_r", fmt="{:.3f}",
                        colorbar=True):
    """A heat map of excess MSE over exact Bayes: rows σ, columns p_c, each cell annotated with its value.

    Parameters
    ----------
    excess : array_like of shape (n_sigma, n_p)
    sigmas, p_changes : sequence of float
        Row and column labels.
    ax : matplotlib.axes.Axes, optional
    title : str, optional
    vmax : float, optional
        Upper end of the colour scale (shared between panels for comparison).
    cmap : str, default="magma_r"
    fmt : str, default="{:.3f}"
        Format of the annotations.
    colorbar : bool, default=True

    Returns
    -------
    fig : matplotlib.figure.Figure
    """
    excess = np.asarray(excess, float)
    fig, ax = get_axes(ax)
    vmax = float(np.max(excess)) if vmax is None else vmax
    im = ax.imshow(excess, cmap=cmap, vmin=0.0, vmax=vmax, aspect="auto")
    for (i, j), v in np.ndenumerate(excess):
        ax.text(j, i, fmt.format(v), ha="center", va="center", fontsize=7,
                color="white" if v > 0.6 * vmax else "black")
    ax.set_xticks(range(len(p_changes)), [f"{p:g}" for p in p_changes])
    ax.set_yticks(range(len(sigmas)), [f"{s:g}" for s in sigmas])
    ax.set_xlabel("change probability $p_c$")
    ax.set_ylabel(r"noise $\sigma$")
    ax.set_title(title)
    if colorbar:
        fig.colorbar(im, ax=ax, shrink=0.85, label="excess MSE")
    return fig


def plot_mean_band(x, runs, *, ax=None, label=None, color=None, band="se"):
    """Mean over runs (line) and a band of ± 1.96 standard errors (``band="se"``) or of the 10–90 % range.

    Parameters
    ----------
    x : array_like of shape (n_points,)
    runs : array_like of shape (n_runs, n_points)
    ax : matplotlib.axes.Axes, optional
    label, color : optional
    band : {"se", "quantile"}, default="se"

    Returns
    -------
    fig : matplotlib.figure.Figure
    """
    runs = np.asarray(runs, float)
    fig, ax = get_axes(ax)
    mean = runs.mean(axis=0)
    if band == "se":
        half = 1.96 * runs.std(axis=0, ddof=1) / np.sqrt(runs.shape[0])
        lo, hi = mean - half, mean + half
    elif band == "quantile":
        lo, hi = np.quantile(runs, [0.1, 0.9], axis=0)
    else:
        raise ValueError(f"band must be 'se' or 'quantile', got {band!r}")
    (line,) = ax.plot(x, mean, label=label, color=color)
    ax.fill_between(x, lo, hi, color=line.get_color(), alpha=0.2, lw=0)
    return fig
