"""Figures of Hebbian training: how receptive fields and thresholds converge (from ``fit(..., record_every=k)``).

All functions take the ``history_`` dict of a :class:`lnn_utils.hebbian.HebbianNetwork` or
:class:`~lnn_utils.hebbian.CompetitiveNetwork` (``"iteration"``, ``"weights"``, ``"theta"``, ...), draw on
``ax`` (a new figure when None) and return the Figure.
"""

from __future__ import annotations

import numpy as np

from . import get_axes, show_rfs


def _runs(array, n_trailing):
    """``array`` with every leading axis but the record axis merged: (n_records, n_runs, *trailing)."""
    array = np.asarray(array, dtype=float)
    return array.reshape(array.shape[0], -1, *array.shape[array.ndim - n_trailing:])


def plot_convergence(history, *, reference=None, absolute=False, ax=None, title="Receptive-field convergence"):
    """Cosine similarity between each recorded RF and a reference RF, against the iteration.

    Parameters
    ----------
    history : dict
        ``history_`` of a network; uses ``"iteration"`` (n_records,) and ``"weights"``
        (n_records, [n_seeds,] n_neurons, n_inputs).
    reference : array_like of shape ([n_seeds,] n_neurons, n_inputs), optional
        The RFs compared with (e.g. the first principal component); default the last record, so that every
        curve ends at 1.
    absolute : bool, default=False
        Draw ``|cos|``, for rules whose sign is arbitrary (Oja, Sanger); BCM's sign is not.
    ax : matplotlib.axes.Axes, optional
    title : str, optional

    Returns
    -------
    fig : matplotlib.figure.Figure
        One line per neuron (and seed).
    """
    W = _runs(history["weights"], 1)  # (n_records, n_runs, N)
    ref = W[-1] if reference is None else np.asarray(reference, dtype=float).reshape(W.shape[1:])
    cos = np.einsum("rkn,kn->rk", W, ref)
    cos /= np.linalg.norm(W, axis=-1) * np.linalg.norm(ref, axis=-1)
    if absolute:
        cos = np.abs(cos)
    fig, ax = get_axes(ax)
    it = np.asarray(history["iteration"])
    alpha = 1.0 if cos.shape[1] <= 5 else max(0.25, 5 / cos.shape[1])
    ax.plot(it, cos, lw=1, alpha=alpha)
    ax.set_xlabel("iteration (patches)")
    label = "cos(w(t), w_final)" if reference is None else "cos(w(t), reference)"
    ax.set_ylabel(f"|{label}|" if absolute else label)
    ax.set_ylim(min(-0.05, float(np.nanmin(cos)) - 0.05), 1.05)
    if title:
        ax.set_title(title)
    return fig


def plot_thresholds(history, *, key="theta", ax=None, title=None):
    """Sliding thresholds (``"theta"``, or ``"phi"`` of a competitive network) against the iteration.

    Parameters
    ----------
    history : dict
        ``history_`` with ``"iteration"`` and ``key`` of shape (n_records, [n_seeds,] n_neurons).
    key : str, default="theta"
    ax : matplotlib.axes.Axes, optional
    title : str, optional

    Returns
    -------
    fig : matplotlib.figure.Figure
    """
    values = _runs(history[key], 0)
    fig, ax = get_axes(ax)
    ax.plot(np.asarray(history["iteration"]), values, lw=1, alpha=1.0 if values.shape[1] <= 5 else 0.4)
    ax.set_xlabel("iteration (patches)")
    ax.set_ylabel({"theta": "θ", "phi": "φ"}.get(key, key))
    if title:
        ax.set_title(title)
    return fig


def show_rf_history(history, *, neuron=0, seed=0, n_snapshots=8, ax=None, **kwargs):
    """The RF of one neuron at ``n_snapshots`` recorded iterations, evenly spread, left to right.

    Parameters
    ----------
    history : dict
        ``history_`` with ``"iteration"`` and ``"weights"``.
    neuron, seed : int, default=0
        Which RF (``seed`` indexes the run of a multi-seed network; ignored for one seed).
    n_snapshots : int, default=8
    ax : matplotlib.axes.Axes, optional
    **kwargs
        Passed to :func:`lnn_utils.plotting.show_rfs` (e.g. ``normalize="each"``).

    Returns
    -------
    fig : matplotlib.figure.Figure
    """
    W = np.asarray(history["weights"], dtype=float)
    W = W[:, seed, neuron] if W.ndim == 4 else W[:, neuron]
    it = np.asarray(history["iteration"])
    pick = np.unique(np.round(np.linspace(0, len(it) - 1, min(n_snapshots, len(it)))).astype(int))
    kwargs.setdefault("title", "RF at iterations " + ", ".join(str(int(i)) for i in it[pick]))
    return show_rfs(W[pick], n_cols=len(pick), titles=[str(int(i)) for i in it[pick]], ax=ax, **kwargs)


def plot_response_change(dy, X, *, n_show=8, shape=None, bins=60, axes=None,
                         title="Response change of each patch, after minus before training"):
    """Histogram of the response changes ``Δy`` and the patches whose response rose most and fell most.

    Parameters
    ----------
    dy : array_like of shape (n_samples,)
        Change of each patch's response, e.g. from :func:`lnn_utils.rf_analysis.response_change`.
    X : array_like of shape (n_samples, n_inputs)
        The patches, in the order of ``dy``.
    n_show : int, default=8
        How many patches to show at each end.
    shape : tuple of int, optional
        (h, w) of one patch; default square.
    bins : int, default=60
        Histogram bins.
    axes : sequence of 3 matplotlib.axes.Axes, optional
        Where to draw (histogram, most increased, most decreased); a new figure when None.
    title : str, optional
        Title of the histogram.

    Returns
    -------
    fig : matplotlib.figure.Figure
    """
    dy = np.asarray(dy, dtype=float)
    X = np.asarray(X, dtype=float)
    if dy.ndim != 1 or X.ndim != 2 or X.shape[0] != dy.shape[0]:
        raise ValueError(f"dy must have shape (n_samples,) and X shape (n_samples, n_inputs) with the same "
                         f"n_samples; got dy {dy.shape} and X {X.shape}")
    n_show = int(min(n_show, dy.size))
    if axes is None:
        import matplotlib.pyplot as plt

        fig = plt.figure(figsize=(9.0, 4.2))
        grid = fig.add_gridspec(2, 2, width_ratios=(1.1, 1.0))
        axes = [fig.add_subplot(grid[:, 0]), fig.add_subplot(grid[0, 1]), fig.add_subplot(grid[1, 1])]
    ax_hist, ax_up, ax_down = axes
    fig = ax_hist.figure
    ax_hist.hist(dy, bins=bins, color="C0", alpha=0.85)
    ax_hist.axvline(0.0, color="0.3", lw=1.0, ls="--")
    ax_hist.set(xlabel="Δy (after − before)", ylabel="number of patches", title=title)
    order = np.argsort(dy, kind="stable")
    show_rfs(X[order[::-1][:n_show]], shape=shape, n_cols=n_show, normalize="each", ax=ax_up, colorbar=False,
             title=f"{n_show} patches with the largest increase")
    show_rfs(X[order[:n_show]], shape=shape, n_cols=n_show, normalize="each", ax=ax_down, colorbar=False,
             title=f"{n_show} patches with the largest decrease")
    return fig
