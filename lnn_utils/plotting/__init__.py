"""One plotting style and the generic figure helpers used by every notebook.

Topic-specific plots live in submodules (``lnn_utils.plotting.rf``, ``lnn_utils.plotting.ssl``, ...); all take
``ax=None`` (a new figure is made when omitted), never call ``plt.show()``, and return the
:class:`matplotlib.figure.Figure` they drew on.
"""

from __future__ import annotations

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np

from .._validation import as_real_array, check_positive

#: The colour map for signed weights: blue negative, white zero, red positive.
RF_CMAP = "RdBu_r"

_STYLE = {
    "figure.dpi": 80,
    "savefig.dpi": 80,
    "figure.figsize": (6.0, 4.0),
    "figure.constrained_layout.use": True,
    "font.size": 10,
    "axes.titlesize": 10,
    "axes.labelsize": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": False,
    "legend.frameon": False,
    "image.interpolation": "nearest",
    "image.cmap": "gray",
    "axes.prop_cycle": mpl.cycler(
        color=["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#17becf", "#7f7f7f"]
    ),
}


def use_style():
    """Apply the repository's one plotting style (modest dpi, no top/right spines, nearest-pixel images).

    Call once at the top of a notebook. The dpi is kept low so that committed notebooks stay light.
    """
    mpl.rcParams.update(_STYLE)
    # Inline figures in notebooks are PNG: deterministic bytes, unlike SVG.
    try:  # pragma: no cover - only inside IPython
        from matplotlib_inline.backend_inline import set_matplotlib_formats

        set_matplotlib_formats("png")
    except ImportError:
        pass


def get_axes(ax=None, figsize=None):
    """Return ``(fig, ax)``: the figure of ``ax``, or a new figure with one axes when ``ax`` is None."""
    if ax is None:
        fig, ax = plt.subplots(figsize=figsize)
    else:
        fig = ax.figure
    return fig, ax


def tile(images, n_cols=None, pad=1, fill=np.nan):
    """Tile equally sized 2-D images into one mosaic (drawn with a single ``imshow``: light PNGs).

    Parameters
    ----------
    images : array_like of shape (n_images, height, width)
    n_cols : int, optional
        Number of columns; default ``ceil(sqrt(n_images))``.
    pad : int, default=1
        Pixels of ``fill`` between tiles.
    fill : float, default=nan
        Value of the padding (NaN is drawn transparent, i.e. as the axes background).

    Returns
    -------
    mosaic : ndarray of shape (n_rows * (height + pad) - pad, n_cols * (width + pad) - pad)
    """
    images = as_real_array(images, "images")
    if images.ndim != 3:
        raise ValueError(f"images must have shape (n_images, height, width), got {images.shape}")
    if images.shape[0] == 0:
        raise ValueError("images is empty: there is nothing to tile")
    if n_cols is not None:
        check_positive(n_cols, "n_cols", integer=True)
    check_positive(pad, "pad", integer=True, allow_zero=True)
    n, h, w = images.shape
    n_cols = int(np.ceil(np.sqrt(n))) if n_cols is None else int(n_cols)
    n_rows = int(np.ceil(n / n_cols))
    mosaic = np.full((n_rows * (h + pad) - pad, n_cols * (w + pad) - pad), fill, dtype=float)
    for k in range(n):
        r, c = divmod(k, n_cols)
        mosaic[r * (h + pad) : r * (h + pad) + h, c * (w + pad) : c * (w + pad) + w] = images[k]
    return mosaic


def show_rfs(weights, *, shape=None, n_cols=None, normalize="shared", titles=None, ax=None, colorbar=True,
             title=None, scale=0.6):
    """Draw receptive fields as one tiled image with a symmetric colour scale (red positive, blue negative).

    Parameters
    ----------
    weights : array_like of shape (n_neurons, n_inputs) or (n_neurons, h, w) or (n_inputs,)
        One receptive field per row; a flat row of length ``h * w`` is reshaped to ``shape``.
    shape : tuple of int, optional
        (h, w) of one RF, with ``h * w = n_inputs``; default square.
    n_cols : int >= 1, optional
        Columns of the grid; default ``ceil(sqrt(n_neurons))``.
    normalize : {"shared", "each"}, default="shared"
        "shared": one colour scale ``[-m, m]`` with ``m = max |w|`` over all RFs, so amplitudes compare;
        "each": every RF divided by its own ``max |w|`` first, so shapes compare.
    titles : sequence of str, optional
        Ignored when drawing as one mosaic; kept for a per-RF label drawn at each tile's top-left corner.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when None.
    colorbar : bool, default=True
        Add a colour bar.
    title : str, optional
        Axes title.
    scale : float, default=0.6
        Inches per RF column of a new figure.

    Returns
    -------
    fig : matplotlib.figure.Figure

    Raises
    ------
    ValueError
        Weights of another shape, empty or not finite (e.g. from a diverged run); ``shape`` that does not match
        ``n_inputs``; ``n_cols`` or ``scale`` not positive; an unknown ``normalize``.
    """
    W = as_real_array(weights, "weights")
    if n_cols is not None:
        check_positive(n_cols, "n_cols", integer=True)
    check_positive(scale, "scale")
    if W.ndim == 1:
        W = W[None]
    if W.ndim == 2:
        n_inputs = W.shape[1]
        if shape is None:
            side = int(round(np.sqrt(n_inputs)))
            if side * side != n_inputs:
                raise ValueError(f"cannot infer a square RF shape from {n_inputs} inputs; pass shape=(h, w)")
            shape = (side, side)
        shape = tuple(shape)
        if len(shape) != 2 or any(isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1
                                  for v in shape) or shape[0] * shape[1] != n_inputs:
            raise ValueError(f"shape must be (h, w), two positive ints with h * w = n_inputs = {n_inputs}, "
                             f"got {shape!r}")
        W = W.reshape(W.shape[0], *shape)
    if W.ndim != 3:
        raise ValueError(f"weights must have shape (n, n_inputs) or (n, h, w), got {np.shape(weights)}")
    if W.shape[0] == 0:
        raise ValueError(f"weights is empty (shape {np.shape(weights)}): there is no receptive field to show")
    if not np.isfinite(W).all():
        raise ValueError("weights contains NaN or infinite values (e.g. from a diverged run); show finite weights")
    if normalize == "each":
        m = np.abs(W).max(axis=(1, 2), keepdims=True)
        W = W / np.where(m > 0, m, 1.0)
    elif normalize != "shared":
        raise ValueError(f"normalize must be 'shared' or 'each', got {normalize!r}")
    n, h, w = W.shape
    n_cols = int(np.ceil(np.sqrt(n))) if n_cols is None else min(int(n_cols), n)
    n_rows = int(np.ceil(n / n_cols))
    if ax is None:
        fig, ax = plt.subplots(figsize=(max(2.0, scale * n_cols + (0.8 if colorbar else 0)),
                                        max(1.6, scale * n_rows + 0.3)))
    else:
        fig = ax.figure
    vmax = float(np.nanmax(np.abs(W))) or 1.0
    cmap = mpl.colormaps[RF_CMAP].with_extremes(bad="white")
    im = ax.imshow(tile(W, n_cols=n_cols), cmap=cmap, vmin=-vmax, vmax=vmax)
    ax.set_xticks([])
    ax.set_yticks([])
    for side in ax.spines.values():
        side.set_visible(False)
    if titles is not None:
        for k, label in enumerate(titles[:n]):
            r, c = divmod(k, n_cols)
            ax.text(c * (w + 1), r * (h + 1), str(label), fontsize=7, va="top", ha="left",
                    bbox=dict(boxstyle="square,pad=0.05", fc="white", ec="none", alpha=0.7))
    if title:
        ax.set_title(title)
    if colorbar:
        fig.colorbar(im, ax=ax, shrink=0.8, label="weight" if normalize == "shared" else "weight / max|w|")
    return fig
