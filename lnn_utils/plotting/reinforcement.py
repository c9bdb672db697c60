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
