"""Figures for reinforcement learning (notebook 07, reused by notebook 08): mazes, values, policies, learning curves.

All functions draw on ``ax`` (a new figure when None) and return the :class:`matplotlib.figure.Figure`.
"""

from __future__ import annotations

import matplotlib as mpl
import numpy as np

from . import get_axes

# Arrow (dx, dy) in image coordinates (y grows downwards) for up, right, down, left.
_ARROWS = np.array([[0.0, -1.0], [1.0, 0.0], [0.0, 1.0], [-1.0, 0.0]])


def plot_maze(env, ax=None, values=None, *, policy=None, path=None, cmap="viridis", vmin=None, vmax=None,
              colorbar=True, value_label="value", title=None):
    """Draw a :class:`~lnn_utils.reinforcement.Maze`: walls, start ``S``, goal ``G``, optional values and policy.

    Parameters
    ----------
    env : Maze
        The maze.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when None.
    values : array_like of shape (n_states,), optional
        One number per state (a value function, visit counts, ...) drawn as colours; walls stay dark grey.
        Without values, free cells are white.
    policy : array_like of int, shape (n_states,), optional
        One action per state (0 up, 1 right, 2 down, 3 left), drawn as arrows (not at the goal).
    path : array_like of int, shape (n_steps,), optional
        A sequence of states, drawn as a line through the cell centres.
    cmap : str, default="viridis"
        Colour map of ``values``.
    vmin, vmax : float, optional
        Colour limits of ``values``.
    colorbar : bool, default=True
        Add a colour bar when ``values`` are given.
    value_label : str, default="value"
        Label of the colour bar.
    title : str, optional
        Axes title.

    Returns
    -------
    fig : matplotlib.figure.Figure
    """
    n_rows, n_cols = env.shape
    fig, ax = get_axes(ax, figsize=(0.45 * n_cols + (1.2 if values is not None and colorbar else 0.4),
                                    0.45 * n_rows + 0.5))
    walls = np.where(env.walls, 1.0, np.nan)
    if values is None:
        ax.imshow(np.zeros(env.shape), cmap=mpl.colors.ListedColormap(["white"]), vmin=0, vmax=1)
    else:
        grid = env.grid_values(values)
        im = ax.imshow(grid, cmap=cmap, vmin=vmin, vmax=vmax)
        if colorbar:
            fig.colorbar(im, ax=ax, shrink=0.8, label=value_label)
    ax.imshow(walls, cmap=mpl.colors.ListedColormap(["#404040"]), vmin=0, vmax=1)
    # grid lines between cells
    ax.set_xticks(np.arange(-0.5, n_cols, 1), minor=True)
    ax.set_yticks(np.arange(-0.5, n_rows, 1), minor=True)
    ax.grid(which="minor", color="#b0b0b0", lw=0.5)
    ax.tick_params(which="both", length=0, labelbottom=False, labelleft=False)
    for side in ax.spines.values():
        side.set_visible(True)
    if policy is not None:
        policy = np.asarray(policy)
        if policy.shape != (env.n_states,):
            raise ValueError(f"policy must have shape (n_states,) = ({env.n_states},), got {policy.shape}")
        keep = ~env.terminal
        d = _ARROWS[policy[keep]] * 0.3
        r, c = env.cells[keep, 0], env.cells[keep, 1]
        ax.quiver(c - d[:, 0] / 2, r - d[:, 1] / 2, d[:, 0], d[:, 1], angles="xy", scale_units="xy", scale=1,
                  color="black", width=0.006, headwidth=4)
    if path is not None:
        rc = env.cell_of(np.asarray(path, dtype=int))
        ax.plot(rc[:, 1], rc[:, 0], color="#d62728", lw=1.5)
    for state, letter in ((env.start, "S"), (env.goal, "G")):
        r, c = env.cells[state]
        ax.text(c, r, letter, ha="center", va="center", fontsize=10, fontweight="bold",
                color="white" if values is not None else "black")
    if title:
        ax.set_title(title)
    return fig


def plot_learning_curves(x, curves, *, labels=None, ax=None, xlabel="episode", ylabel="", title=None,
                         logy=False, reference=None, reference_label=None):
    """Mean ± 95 % confidence band over runs of several learning curves.

    Parameters
    ----------
    x : array_like of shape (n_points,)
    curves : sequence of array_like of shape (n_runs, n_points)
        One array per method; the band is mean ± 1.96 standard errors over runs.
    labels : sequence of str, optional
    ax : matplotlib.axes.Axes, optional
    xlabel, ylabel, title : str
    logy : bool, default=False
        Logarithmic y axis.
    reference : float, optional
        A horizontal dashed line (e.g. the shortest path length).
    reference_label : str, optional

    Returns
    -------
    fig : matplotlib.figure.Figure
    """
    fig, ax = get_axes(ax)
    x = np.asarray(x)
    for k, curve in enumerate(curves):
        curve = np.asarray(curve, dtype=float)
        mean = curve.mean(axis=0)
        half = 1.96 * curve.std(axis=0, ddof=1) / np.sqrt(curve.shape[0]) if curve.shape[0] > 1 else 0 * mean
        line, = ax.plot(x, mean, lw=1.5, label=None if labels is None else labels[k])
        ax.fill_between(x, mean - half, mean + half, color=line.get_color(), alpha=0.2, lw=0)
    if reference is not None:
        ax.axhline(reference, color="grey", ls="--", lw=1, label=reference_label)
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if labels is not None or reference_label is not None:
        ax.legend()
    if title:
        ax.set_title(title)
    return fig


def plot_alpha_sweep(alphas, mean_rms, ns, *, reference=None, ax=None,
                     title="n-step TD on the 19-state random walk"):
    """Sutton & Barto's Figure 7.2: mean RMS error over the first episodes against α, one curve per n.

    Parameters
    ----------
    alphas : array_like of shape (n_alphas,)
    mean_rms : array_like of shape (len(ns), n_alphas)
        E.g. ``n_step_alpha_sweep(...).mean(axis=-1)``.
    ns : sequence of int
    reference : dict, optional
        n -> (α, RMS) of the book's minima (``SUTTON_BARTO_FIG_7_2_MINIMA``), drawn as open circles.
    ax : matplotlib.axes.Axes, optional
    title : str, optional

    Returns
    -------
    fig : matplotlib.figure.Figure
    """
    fig, ax = get_axes(ax)
    colours = mpl.colormaps["viridis"](np.linspace(0.0, 0.9, len(ns)))
    for k, n in enumerate(ns):
        ax.plot(alphas, mean_rms[k], color=colours[k], lw=1.5, label=f"n = {n}")
        if reference is not None and n in reference:
            a, r = reference[n]
            ax.plot(a, r, "o", mfc="none", mec=colours[k], ms=7)
    if reference is not None:
        ax.plot([], [], "o", mfc="none", mec="grey", label="book's minima")
    ax.set_xlabel("step size α")
    ax.set_ylabel("RMS error, mean over first episodes")
    ax.set_ylim(0.2, 0.6)
    ax.legend(ncol=2, fontsize=8)
    if title:
        ax.set_title(title)
    return fig


def plot_td_error_map(delta, *, cue_time=None, reward_time=None, ax=None, title="TD error δ over learning"):
    """The TD error of every trial as an image: trial (rows) by time step in the trial (columns).

    Parameters
    ----------
    delta : array_like of shape (n_trials, n_steps)
        E.g. ``DopamineTD(...).fit(n).delta_``.
    cue_time, reward_time : int, optional
        Marked by dashed lines.
    ax : matplotlib.axes.Axes, optional
    title : str, optional

    Returns
    -------
    fig : matplotlib.figure.Figure
    """
    delta = np.asarray(delta, dtype=float)
    fig, ax = get_axes(ax)
    m = float(np.max(np.abs(delta))) or 1.0
    im = ax.imshow(delta, aspect="auto", cmap="RdBu_r", vmin=-m, vmax=m, origin="upper")
    for t, name in ((cue_time, "cue"), (reward_time, "reward")):
        if t is not None:
            ax.axvline(t, color="k", ls="--", lw=0.8)
            ax.text(t, -0.5, name, ha="center", va="bottom", fontsize=8)
    ax.set_xlabel("time step in the trial")
    ax.set_ylabel("trial")
    fig.colorbar(im, ax=ax, shrink=0.8, label="δ")
    if title:
        ax.set_title(title, pad=14)
    return fig


def plot_distributions(values, labels, *, ax=None, ylabel="", title=None, seed=0):
    """Each method's values over seeds as jittered dots with the mean ± 95 % confidence interval.

    Parameters
    ----------
    values : sequence of array_like, each of shape (n_seeds,)
    labels : sequence of str
    ax : matplotlib.axes.Axes, optional
    ylabel, title : str
    seed : int, default=0
        Seed of the horizontal jitter (so that the figure is reproducible).

    Returns
    -------
    fig : matplotlib.figure.Figure
    """
    fig, ax = get_axes(ax)
    rng = np.random.default_rng(seed)
    for k, v in enumerate(values):
        v = np.asarray(v, dtype=float)
        ax.plot(k + 0.15 * rng.uniform(-1, 1, v.size), v, "o", ms=3, alpha=0.5)
        half = 1.96 * v.std(ddof=1) / np.sqrt(v.size) if v.size > 1 else 0.0
        ax.errorbar(k + 0.3, v.mean(), yerr=half, fmt="s", color="black", ms=4, capsize=3)
    ax.set_xticks(range(len(labels)))
    ax.set_xticklabels(labels)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    return fig


def plot_eligibility_example(example, *, ax=None, title="Eligibility traces in one trial"):
    """Traces e_i(t) of one trial of ``distal_reward`` (from ``eligibility_trace_example``), the reward marked.

    Returns
    -------
    fig : matplotlib.figure.Figure
    """
    fig, ax = get_axes(ax)
    t, traces = example["t"], example["traces"]
    for i in range(traces.shape[1] - 1, -1, -1):
        ax.plot(t, traces[:, i], lw=2.0 if i == 0 else 0.8, color="#d62728" if i == 0 else "#7f7f7f",
                label="target synapse" if i == 0 else ("other synapses" if i == 1 else None))
    ax.axvline(0.0, color="#d62728", ls=":", lw=1)
    ax.axvline(example["reward_time"], color="black", ls="--", lw=1, label="reward (dopamine pulse)")
    ax.set_xlabel("time (s), target coincidence at 0")
    ax.set_ylabel("eligibility trace e(t)")
    ax.legend(fontsize=8)
    if title:
        ax.set_title(title)
    return fig


def plot_success_vs_delay(results, *, labels=None, ax=None, title="Does a delayed reward find the right synapse?"):
    """Fraction of seeds whose target synapse ends strongest, against the delay, with the shot-noise prediction.

    Parameters
    ----------
    results : sequence of dict
        Outputs of ``distal_reward`` (e.g. one per τ_e).
    labels : sequence of str, optional

    Returns
    -------
    fig : matplotlib.figure.Figure
    """
    fig, ax = get_axes(ax)
    for k, res in enumerate(results):
        p = res["success"].mean(axis=1)
        n = res["success"].shape[1]
        half = 1.96 * np.sqrt(p * (1 - p) / n)
        line = ax.errorbar(res["delays"], p, yerr=half, fmt="o", ms=4, capsize=2,
                           label=None if labels is None else labels[k])
        ax.plot(res["delays"], res["predicted_success"], color=line[0].get_color(), lw=1)
    ax.axhline(results[0]["chance"], color="grey", ls="--", lw=1, label="chance")
    ax.plot([], [], color="grey", lw=1, label="prediction (shot noise)")
    ax.set_xlabel("reward delay d (s)")
    ax.set_ylabel("P(target synapse is strongest)")
    ax.set_ylim(-0.02, 1.05)
    ax.legend(fontsize=8)
    if title:
        ax.set_title(title)
    return fig
