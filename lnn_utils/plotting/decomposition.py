"""Figures comparing learned decompositions with their batch references: learning curves, matched filter pairs,
response distributions and reconstruction-sparsity trade-offs.

Every function takes ``ax=None`` (or ``axes=None``), draws, and returns the Figure; none calls ``plt.show()``.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from scipy.optimize import linear_sum_assignment

from lnn_utils.plotting import get_axes, show_rfs

__all__ = ["match_filters", "plot_filter_pair", "plot_learning_curves", "plot_response_distributions",
           "plot_tradeoff"]


def plot_learning_curves(curves, ax=None, *, xlabel="step", ylabel="", target=None, target_label=None,
                         vlines=None, logx=False, logy=False, title=None):
    """Several ``y(x)`` curves on one axes, e.g. a quality measure against training time for several rules.

    Parameters
    ----------
    curves : dict of str to (array_like, array_like)
        Label to ``(x, y)``.
    ax : matplotlib.axes.Axes, optional
    xlabel, ylabel : str
    target : float, optional
        A horizontal dashed line (e.g. the 0.9 criterion or 5 degrees).
    target_label : str, optional
    vlines : dict of str to float, optional
        Label to x position of a vertical dotted line (e.g. the wall time of the batch reference).
    logx, logy : bool
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, ax = get_axes(ax)
    for label, (x, y) in curves.items():
        ax.plot(np.asarray(x, dtype=float), np.asarray(y, dtype=float), "-", lw=1.5, label=label)
    if target is not None:
        ax.axhline(target, color="k", ls="--", lw=1, label=target_label)
    for k, (label, x) in enumerate((vlines or {}).items()):
        ax.axvline(x, color=f"C{(k + len(curves)) % 8}", ls=":", lw=1.5, label=label)
    if logx:
        ax.set_xscale("log")
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    ax.legend(fontsize=8)
    return fig


def match_filters(W, W_ref):
    """Reorder and sign-flip the rows of ``W_ref`` to pair them one-to-one with the rows of ``W`` (Hungarian
    algorithm on ``|cos|``), so that matched filters can be shown side by side.

    Parameters
    ----------
    W : array_like of shape (n, n_features)
    W_ref : array_like of shape (n_ref, n_features), n_ref >= n

    Returns
    -------
    W_ref_matched : ndarray of shape (n, n_features)
        Row ``i`` is the reference filter matched to ``W[i]``, with the sign that makes their cosine positive.
    cos : ndarray of shape (n,)
        The ``|cos|`` of each pair.
    """
    W = np.asarray(W, dtype=float)
    R = np.asarray(W_ref, dtype=float)
    if R.shape[0] < W.shape[0] or R.shape[1] != W.shape[1]:
        raise ValueError(f"W_ref must have at least as many rows as W and the same columns, got {R.shape} and "
                         f"{W.shape}")
    C = (W / np.linalg.norm(W, axis=1, keepdims=True)) @ (R / np.linalg.norm(R, axis=1, keepdims=True)).T
    rows, cols = linear_sum_assignment(-np.abs(C))
    order = np.empty(W.shape[0], dtype=int)
    order[rows] = cols
    signs = np.sign(C[np.arange(W.shape[0]), order])
    return R[order] * np.where(signs == 0, 1.0, signs)[:, None], np.abs(C[np.arange(W.shape[0]), order])


def plot_filter_pair(learned, reference, axes=None, *, titles=("local rule", "batch reference"), n_cols=8,
                     match=True, normalize="each", shape=None):
    """Learned filters next to their batch counterparts, paired one-to-one (same position = matched pair).

    Parameters
    ----------
    learned, reference : array_like of shape (n, n_pixels)
        Pixel-space filters (e.g. from :meth:`lnn_utils.whitening.PCAWhitener.to_pixels`).
    axes : sequence of 2 matplotlib.axes.Axes, optional
    titles : tuple of 2 str
    n_cols : int, default=8
    match : bool, default=True
        Reorder and sign-flip ``reference`` with :func:`match_filters`; the mean ``|cos|`` of the pairs is added to
        the right title. Matching is done in pixel space: pass whitened-space matches yourself with
        ``match=False`` if you prefer.
    normalize : {"each", "shared"}, default="each"
        Passed to :func:`lnn_utils.plotting.show_rfs`.
    shape : tuple of int, optional
        (h, w) of one filter; default square.

    Returns
    -------
    matplotlib.figure.Figure
    """
    learned = np.asarray(learned, dtype=float)
    reference = np.asarray(reference, dtype=float)
    if axes is None:
        n_rows = int(np.ceil(len(learned) / n_cols))
        fig, axes = plt.subplots(1, 2, figsize=(2 * 0.55 * n_cols + 0.6, 0.55 * n_rows + 0.5))
    else:
        axes = list(np.ravel(axes))
        if len(axes) != 2:
            raise ValueError(f"axes must hold 2 axes (learned, reference), got {len(axes)}")
        fig = axes[0].figure
    right = titles[1]
    if match:
        reference, cos = match_filters(learned, reference)
        right = f"{titles[1]} (matched, mean |cos| {cos.mean():.2f})"
    show_rfs(learned, ax=axes[0], n_cols=n_cols, normalize=normalize, colorbar=False, title=titles[0], shape=shape)
    show_rfs(reference, ax=axes[1], n_cols=n_cols, normalize=normalize, colorbar=False, title=right, shape=shape)
    return fig


def plot_response_distributions(responses, ax=None, *, bins=None, gaussian=True, kurtosis=True):
    """Density of responses (each unit scaled to unit variance, all units pooled) on a log scale.

    Parameters
    ----------
    responses : dict of str to array_like of shape (n_samples, n_units)
        Label to responses, e.g. ``Z @ W.T`` for ICA filters or LCA codes for sparse coding.
    ax : matplotlib.axes.Axes, optional
    bins : array_like, optional
        Bin edges; default 81 bins over [-10, 10].
    gaussian : bool, default=True
        Draw the unit Gaussian for comparison.
    kurtosis : bool, default=True
        Add the median over units of the excess kurtosis ``E[u^4] / E[u^2]^2 - 3`` to each label.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, ax = get_axes(ax)
    bins = np.linspace(-10, 10, 81) if bins is None else np.asarray(bins, dtype=float)
    centres = 0.5 * (bins[1:] + bins[:-1])
    for label, Y in responses.items():
        Y = np.asarray(Y, dtype=float)
        Y = Y.reshape(len(Y), -1)
        sd = Y.std(axis=0)
        Yn = Y[:, sd > 0] / sd[sd > 0]
        density, _ = np.histogram(Yn.ravel(), bins=bins, density=True)
        if kurtosis:
            m2 = np.mean(Yn**2, axis=0)
            k = np.median(np.mean(Yn**4, axis=0) / m2**2 - 3.0)
            label = f"{label} (kurtosis {k:.1f})"
        ax.plot(centres, np.where(density > 0, density, np.nan), "-", lw=1.5, label=label)
    if gaussian:
        ax.plot(centres, np.exp(-centres**2 / 2) / np.sqrt(2 * np.pi), "k--", lw=1, label="Gaussian")
    ax.set_yscale("log")
    ax.set_ylim(1e-6, 2)
    ax.set_xlabel("response / its standard deviation")
    ax.set_ylabel("density")
    ax.legend(fontsize=8)
    return fig


def plot_tradeoff(curves, ax=None, *, xlabel="fraction of active coefficients", ylabel="relative reconstruction error",
                  title=None):
    """Reconstruction error against sparsity, one marked curve per dictionary (points e.g. for several lambdas).

    Parameters
    ----------
    curves : dict of str to (array_like, array_like)
        Label to ``(fraction active, relative error)``.
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, ax = get_axes(ax)
    for label, (x, y) in curves.items():
        order = np.argsort(np.asarray(x, dtype=float))
        ax.plot(np.asarray(x, dtype=float)[order], np.asarray(y, dtype=float)[order], "o-", ms=4, lw=1.2,
                label=label)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    ax.legend(fontsize=8)
    return fig
