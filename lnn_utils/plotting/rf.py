"""Figures of receptive-field analysis: stripe segments, Gabor fits, and the (nx, ny) plane of Ringach (2002).

Coordinates are those of :mod:`lnn_utils.rf_analysis`: ``(x, y) = (column, row)``, drawn by ``imshow`` with row 0
at the top, so a segment is plotted with ``ax.plot([x_start, x_end], [y_start, y_end])`` directly over the image.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.patches import Polygon

from . import RF_CMAP, get_axes

#: Approximate outline, in the (nx, ny) plane, of where most of the macaque V1 simple cells of Ringach (2002,
#: J Neurophysiol 88:455, Fig. 4) lie. It is a hand-drawn qualitative region, NOT the measured data: most cells
#: have nx below ~0.5 (one or two subregions) and ny between ~0.2 and ~0.8, spread along a band from near the
#: origin upwards, i.e. RFs with fewer subfields than ICA or sparse-coding filters (which reach larger nx).
RINGACH_REGION = np.array([
    [0.05, 0.10], [0.30, 0.15], [0.50, 0.30], [0.55, 0.60], [0.45, 0.90], [0.25, 0.90], [0.10, 0.60],
    [0.03, 0.30],
])


def _show_rf(ax, rf, vmax=None, title=None):
    rf = np.asarray(rf, dtype=float)
    if rf.ndim == 1:
        side = int(round(np.sqrt(rf.size)))
        if side * side != rf.size:
            raise ValueError(f"rf of length {rf.size} is not a square image; pass it as (h, w)")
        rf = rf.reshape(side, side)
    if rf.ndim != 2:
        raise ValueError(f"rf must be one image (h, w) or its flat square vector, got shape {rf.shape}")
    if vmax is None:
        vmax = float(np.nanmax(np.abs(rf))) or 1.0
    im = ax.imshow(rf, cmap=RF_CMAP, vmin=-vmax, vmax=vmax)
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title)
    return im, rf


def _as_list(segments):
    if hasattr(segments, "orientation") and hasattr(segments, "start"):
        return [segments]
    return list(segments)


def plot_segments(rf, segments, ax=None, *, colors=None, points=None, linewidth=2.5, title=None):
    """Draw one RF with its stripe segment(s) on top.

    Parameters
    ----------
    rf : array_like of shape (h, w) or (h * h,)
    segments : Segment or sequence of Segment
        E.g. the TLS and OLS segments of the same RF, to compare them; invalid segments are skipped.
    ax : matplotlib.axes.Axes, optional
    colors : sequence of colours, optional
        One per segment; default the style's colour cycle.
    points : array_like of shape (n_points, 2), optional
        Boundary pixels ``(x, y)`` to mark (e.g. from :func:`lnn_utils.rf_analysis.find_boundary`).
    linewidth : float, default=2.5
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, ax = get_axes(ax)
    _show_rf(ax, rf, title=title)
    segments = _as_list(segments)
    cycle = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    if points is not None:
        P = np.asarray(points, dtype=float).reshape(-1, 2)
        ax.plot(P[:, 0], P[:, 1], ".", color="k", markersize=3, alpha=0.6)
    for k, seg in enumerate(segments):
        if not seg.valid:
            continue
        color = colors[k] if colors is not None else cycle[k % len(cycle)]
        ax.plot([seg.start[0], seg.end[0]], [seg.start[1], seg.end[1]], "-", color=color, lw=linewidth,
                label=f"{seg.method}: {seg.orientation:.0f}°, {seg.length:.1f} px")
        ax.plot(*seg.centre, "o", color=color, markersize=4)
    # a fitted line can end outside the patch: keep the axes on the RF so every panel has the same frame
    h, w = np.shape(ax.images[-1].get_array())
    ax.set_xlim(-0.5, w - 0.5)
    ax.set_ylim(h - 0.5, -0.5)
    if any(s.valid for s in segments):
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.02), fontsize=8)
    return fig


def overlay_segments(segments, patch_size=16, ax=None, *, color_by=None, cmap=None, linewidth=1.5, alpha=0.8,
                     colorbar=True, label=None):
    """Overlay many segments on one empty patch (e.g. across seeds and thresholds lambda).

    Parameters
    ----------
    segments : sequence of Segment
        Invalid ones are skipped.
    patch_size : int or tuple of int, default=16
        (h, w) of the patch drawn; an int means square.
    ax : matplotlib.axes.Axes, optional
    color_by : {None, "orientation", "length", "threshold"} or array_like of shape (n_segments,), optional
        Colour of each segment: one colour (None), a field of the segment, or given values (e.g. the seed).
    cmap : str, optional
        Colour map; default "hsv" (cyclic) for orientation, "viridis" otherwise.
    linewidth, alpha : float
    colorbar : bool, default=True
        Add a colour bar when ``color_by`` is not None.
    label : str, optional
        Colour bar label; default the name of ``color_by``.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, ax = get_axes(ax)
    h, w = (patch_size, patch_size) if np.isscalar(patch_size) else tuple(patch_size)
    segments = _as_list(segments)
    if color_by is None or isinstance(color_by, str):
        if color_by not in (None, "orientation", "length", "threshold"):
            raise ValueError(f"color_by must be None, 'orientation', 'length', 'threshold' or an array of one "
                             f"value per segment, got {color_by!r}")
        values = None if color_by is None else np.array([getattr(s, color_by) for s in segments], dtype=float)
    else:
        values = np.asarray(color_by, dtype=float).ravel()
        if values.size != len(segments):
            raise ValueError(f"color_by has {values.size} values for {len(segments)} segments; give one per segment")
    keep = np.array([s.valid for s in segments], dtype=bool)
    lines = [[s.start, s.end] for s, k in zip(segments, keep) if k]
    if values is None:
        coll = LineCollection(lines, colors="k", linewidths=linewidth, alpha=alpha)
    else:
        if cmap is None:
            # hsv is cyclic like orientation and, unlike twilight, has no near-white colours that vanish on white
            cmap = "hsv" if color_by == "orientation" else "viridis"
        coll = LineCollection(lines, cmap=cmap, linewidths=linewidth, alpha=alpha)
        coll.set_array(values[keep])
        if isinstance(color_by, str) and color_by == "orientation":
            coll.set_clim(0, 180)
    ax.add_collection(coll)
    ax.set_xlim(-0.5, w - 0.5)
    ax.set_ylim(h - 0.5, -0.5)  # row 0 at the top, as imshow draws the RFs
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(True)
    ax.set_title(f"{int(keep.sum())} segments" + ("" if keep.all() else f" ({int((~keep).sum())} undefined)"))
    if values is not None and colorbar and lines:
        name = label or (color_by if isinstance(color_by, str) else "value")
        fig.colorbar(coll, ax=ax, shrink=0.8, label=name + (" (deg)" if name == "orientation" else ""))
    return fig


def plot_gabor_fit(rf, fit, axes=None, *, titles=("RF", "Gabor fit", "residual")):
    """Three panels on one colour scale: the RF, its fitted Gabor, and the residual RF - Gabor.

    Parameters
    ----------
    rf : array_like of shape (h, w) or (h * h,)
    fit : GaborFit
        From :func:`lnn_utils.rf_analysis.fit_gabor`.
    axes : sequence of 3 matplotlib.axes.Axes, optional
        Default: a new figure with one row of 3 panels.
    titles : tuple of 3 str

    Returns
    -------
    matplotlib.figure.Figure
    """
    if axes is None:
        fig, axes = plt.subplots(1, 3, figsize=(6.0, 2.2))
    else:
        axes = list(np.ravel(axes))
        if len(axes) != 3:
            raise ValueError(f"axes must hold 3 axes (RF, model, residual), got {len(axes)}")
        fig = axes[0].figure
    img = np.asarray(rf, dtype=float)
    img = img.reshape(fit.model.shape) if img.ndim == 1 else img
    vmax = float(np.abs(img).max()) or 1.0
    _show_rf(axes[0], img, vmax, titles[0])
    im, _ = _show_rf(axes[1], fit.model, vmax, titles[1])
    _show_rf(axes[2], img - fit.model, vmax, titles[2])
    if fit.success:
        axes[1].set_xlabel(f"θ={fit.orientation:.0f}°, f={fit.frequency:.2f}/px", fontsize=8)
    axes[2].set_xlabel(f"r² = {fit.r2:.2f}", fontsize=8)
    fig.colorbar(im, ax=list(axes), shrink=0.8)
    return fig


def plot_nx_ny(fits, ax=None, *, min_r2=0.0, region=True, color="C0", label="fitted RFs", max_n=1.5):
    """RFs in the (nx, ny) plane of Ringach (2002), with the region where most macaque simple cells lie.

    ``nx = sigma_x f`` is the width of the envelope across the stripes in cycles (roughly the number of
    subregions / 2.5), ``ny = sigma_y f`` its length along them.

    Parameters
    ----------
    fits : sequence of GaborFit
    ax : matplotlib.axes.Axes, optional
    min_r2 : float, default=0
        Fits with ``r2 < min_r2`` (or failed ones) are left out, and their number is said in the title.
    region : bool, default=True
        Shade :data:`RINGACH_REGION`, an approximate hand-drawn outline of where most of Ringach's cells lie
        (not his data points).
    color, label : matplotlib colour and legend label of the points
    max_n : float, default=1.5
        Upper limit of both axes (points beyond are drawn at the edge, clipped).

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, ax = get_axes(ax, figsize=(4.0, 4.0))
    nx = np.array([f.nx for f in fits], dtype=float)
    ny = np.array([f.ny for f in fits], dtype=float)
    ok = np.array([bool(f.success) and f.r2 >= min_r2 for f in fits], dtype=bool) & np.isfinite(nx) & np.isfinite(ny)
    if region:
        ax.add_patch(Polygon(RINGACH_REGION, closed=True, facecolor="0.85", edgecolor="0.5", lw=1, zorder=0,
                             label="macaque simple cells,\napprox. (Ringach 2002)"))
    ax.plot(np.minimum(nx[ok], max_n), np.minimum(ny[ok], max_n), "o", color=color, markersize=4, alpha=0.8,
            label=label)
    ax.set_xlim(0, max_n)
    ax.set_ylim(0, max_n)
    ax.set_aspect("equal")
    ax.set_xlabel("nx = σx f (across stripes)")
    ax.set_ylabel("ny = σy f (along stripes)")
    dropped = len(fits) - int(ok.sum())
    ax.set_title(f"{int(ok.sum())} fits" + (f" ({dropped} with r² < {min_r2:g} left out)" if dropped else ""))
    ax.legend(loc="upper right", fontsize=8)
    return fig


def plot_orientation_frequency(fits, axes=None, *, min_r2=0.0, bins=12, color="C0"):
    """Histograms of the fitted orientation (degrees) and spatial frequency (cycles / pixel).

    Parameters
    ----------
    fits : sequence of GaborFit
    axes : sequence of 2 matplotlib.axes.Axes, optional
        Default: a new figure with two panels.
    min_r2 : float, default=0
        Fits with ``r2 < min_r2`` (or failed ones) are left out.
    bins : int, default=12
        Orientation bins over [0, 180); frequency bins over [0, 0.5].
    color : matplotlib colour

    Returns
    -------
    matplotlib.figure.Figure
    """
    if axes is None:
        fig, axes = plt.subplots(1, 2, figsize=(6.0, 2.5))
    else:
        axes = list(np.ravel(axes))
        if len(axes) != 2:
            raise ValueError(f"axes must hold 2 axes (orientation, frequency), got {len(axes)}")
        fig = axes[0].figure
    ok = [f for f in fits if f.success and f.r2 >= min_r2]
    theta = np.array([f.orientation for f in ok], dtype=float)
    freq = np.array([f.frequency for f in ok], dtype=float)
    axes[0].hist(theta, bins=np.linspace(0, 180, bins + 1), color=color)
    axes[0].set_xlim(0, 180)
    axes[0].set_xticks([0, 45, 90, 135, 180])
    axes[0].set_xlabel("orientation of stripes (deg)")
    axes[0].set_ylabel("number of RFs")
    axes[1].hist(freq, bins=np.linspace(0, 0.5, bins + 1), color=color)
    axes[1].set_xlabel("spatial frequency (cycles / pixel)")
    axes[0].set_title(f"{len(ok)} of {len(fits)} fits with r² ≥ {min_r2:g}", loc="left")
    return fig


__all__ = ["RINGACH_REGION", "overlay_segments", "plot_gabor_fit", "plot_nx_ny", "plot_orientation_frequency",
           "plot_segments"]
