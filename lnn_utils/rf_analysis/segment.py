"""The "main stripe" of a receptive field as a line segment: threshold, boundary pixels, line fit, extent.

Coordinates and orientation follow the convention stated in :mod:`lnn_utils.rf_analysis`: a pixel is the point
``(x, y) = (column, row)``, row 0 at the top as ``imshow`` shows it, and an orientation is the on-screen angle,
counter-clockwise from the horizontal, in degrees in [0, 180).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._validation import check_positive

_METHODS = ("tls", "ols")


def as_image(rf, name="rf"):
    """Return one RF as a finite 2-D float64 array; a flat vector of square length is reshaped row-major.

    Parameters
    ----------
    rf : array_like of shape (h, w) or (h * h,)
    name : str
        Name used in error messages.
    """
    img = np.asarray(rf, dtype=np.float64)
    if img.ndim == 1:
        side = int(round(np.sqrt(img.size)))
        if side * side != img.size or side == 0:
            raise ValueError(f"{name} is a flat vector of length {img.size}, which is not a square image; "
                             f"pass it reshaped to (h, w)")
        img = img.reshape(side, side)
    if img.ndim != 2 or min(img.shape) < 2:
        raise ValueError(f"{name} must be one 2-D image (h, w) with h, w >= 2, or its flattened square vector; "
                         f"got shape {np.shape(rf)}")
    if not np.all(np.isfinite(img)):
        raise ValueError(f"{name} contains NaN or infinite values; a diverged learning run? check the weights")
    return img


def orientation_of(dx, dy):
    """On-screen orientation, in degrees in [0, 180), of the image-coordinate direction ``(dx, dy)``.

    ``dy`` counts rows downwards, so a direction going up-right on screen has ``dx > 0, dy < 0`` and
    orientation 45; the formula is ``atan2(-dy, dx)`` folded into [0, 180).
    """
    theta = np.degrees(np.arctan2(-np.asarray(dy, dtype=float), np.asarray(dx, dtype=float))) % 180.0
    # Floating point can turn -1e-17 % 180 into 180.0 exactly.
    return np.where(theta >= 180.0, 0.0, theta)


def threshold_rf(rf, threshold=0.0):
    """Keep the weights with ``|w| > threshold`` and set the others to 0.

    Parameters
    ----------
    rf : array_like of shape (..., h, w)
        One RF or a stack of them.
    threshold : float, default=0
        lambda >= 0, in the units of the weights.

    Returns
    -------
    ndarray of the same shape as ``rf``
    """
    check_positive(threshold, "threshold", allow_zero=True)
    rf = np.asarray(rf, dtype=np.float64)
    return np.where(np.abs(rf) > threshold, rf, 0.0)


def _any_3x3(mask):
    """``out[i, j]`` is True when ``mask`` is True anywhere in the 3 x 3 block around (i, j) (last two axes)."""
    # Separable: a 3-wide OR along rows, then along columns, built from shifted views (no loop over pixels).
    rows = mask.copy()
    rows[..., 1:, :] |= mask[..., :-1, :]
    rows[..., :-1, :] |= mask[..., 1:, :]
    out = rows.copy()
    out[..., :, 1:] |= rows[..., :, :-1]
    out[..., :, :-1] |= rows[..., :, 1:]
    return out


def boundary_mask(rfs, threshold=0.0):
    """Boundary pixels of one RF or of a stack of RFs, as a boolean mask.

    A pixel is a boundary pixel when its 3 x 3 neighbourhood (itself and its 8 direct neighbours, clipped at the
    border) holds both a strictly positive and a strictly negative value after thresholding.

    Parameters
    ----------
    rfs : array_like of shape (..., h, w)
    threshold : float, default=0
        lambda >= 0: weights with ``|w| <= threshold`` count as 0, i.e. neither positive nor negative.

    Returns
    -------
    mask : ndarray of bool, shape (..., h, w)
    """
    w = threshold_rf(rfs, threshold)
    if w.ndim < 2:
        raise ValueError(f"rfs must have shape (..., h, w), got shape {w.shape}")
    return _any_3x3(w > 0) & _any_3x3(w < 0)


def find_boundary(rf, threshold=0.0):
    """Coordinates of the boundary pixels of one RF (see :func:`boundary_mask`).

    Parameters
    ----------
    rf : array_like of shape (h, w) or (h * h,)
    threshold : float, default=0
        lambda >= 0.

    Returns
    -------
    points : ndarray of shape (n_points, 2)
        ``(x, y) = (column, row)`` of each boundary pixel, in row-major order.
    """
    rows, cols = np.nonzero(boundary_mask(as_image(rf), threshold))
    return np.column_stack([cols, rows]).astype(np.float64)


def fit_line(points, method="tls"):
    """Fit a straight line to 2-D points.

    Parameters
    ----------
    points : array_like of shape (n_points, 2)
        ``(x, y)`` image coordinates.
    method : {"tls", "ols"}, default="tls"
        "tls" (total least squares): the line through the centroid along the principal axis of the point cloud,
        minimising the sum of squared perpendicular distances; any orientation, vertical included.
        "ols" (the handout's ordinary least squares): ``y = alpha * x + beta``, minimising squared vertical
        (row) distances. It is ill-posed for vertical stripes: with no spread in x it is undefined (NaN), and a
        vertical band two pixels wide has ``cov(x, y) = 0`` so OLS returns a *horizontal* line.

    Returns
    -------
    centre : ndarray of shape (2,)
        A point of the line (the centroid; OLS lines pass through it too).
    direction : ndarray of shape (2,)
        Unit vector along the line, oriented so that its orientation is in [0, 180); NaN when undefined
        (fewer than 2 points, or OLS with all points in one column).
    """
    P = np.asarray(points, dtype=np.float64)
    if P.ndim != 2 or P.shape[1] != 2:
        raise ValueError(f"points must have shape (n_points, 2) holding (x, y), got shape {P.shape}")
    if method not in _METHODS:
        raise ValueError(f"method must be one of {_METHODS}, got {method!r}")
    nan2 = np.full(2, np.nan)
    if len(P) < 2:
        return (P.mean(axis=0) if len(P) else nan2.copy()), nan2
    centre = P.mean(axis=0)
    D = P - centre
    if method == "tls":
        # Principal axis = eigenvector of the 2 x 2 scatter matrix with the largest eigenvalue.
        _, vecs = np.linalg.eigh(D.T @ D)
        direction = vecs[:, -1]
    else:
        sxx = D[:, 0] @ D[:, 0]
        if sxx <= 1e-12 * len(P):
            return centre, nan2
        alpha = (D[:, 0] @ D[:, 1]) / sxx
        direction = np.array([1.0, alpha]) / np.hypot(1.0, alpha)
    theta = np.radians(orientation_of(direction[0], direction[1]))
    return centre, np.array([np.cos(theta), -np.sin(theta)])


@dataclass(frozen=True)
class Segment:
    """The main stripe of an RF as a segment, in image coordinates ``(x, y) = (column, row)``.

    Attributes
    ----------
    start, end : tuple of float
        End points: the extreme projections of the boundary points on the fitted line. ``start`` is the end
        reached by going against the direction of angle ``orientation`` (the left end, or the lower end on
        screen for a vertical segment).
    centre : tuple of float
        Midpoint of ``start`` and ``end``.
    length : float
        ``|end - start|`` in pixels (distance between the outermost boundary-pixel centres along the line).
    orientation : float
        Degrees in [0, 180), counter-clockwise from the horizontal as seen on screen.
    n_points : int
        Number of boundary pixels the line was fitted to.
    method : str
        "tls" or "ols".
    threshold : float
        The lambda used.

    All float fields are NaN when the segment is undefined (``valid`` is False): fewer than 2 boundary pixels,
    or OLS on points that all lie in one column.
    """

    start: tuple
    end: tuple
    centre: tuple
    length: float
    orientation: float
    n_points: int
    method: str
    threshold: float = float("nan")

    @property
    def valid(self):
        """True when the segment is defined (at least 2 boundary points and a finite direction)."""
        return bool(self.n_points >= 2 and np.isfinite(self.orientation))


def segment_from_points(points, method="tls", threshold=float("nan")):
    """Fit a line to ``points`` and restrict it to the extent of the point cloud.

    Parameters
    ----------
    points : array_like of shape (n_points, 2)
        ``(x, y)`` coordinates, e.g. from :func:`find_boundary`.
    method : {"tls", "ols"}, default="tls"
        See :func:`fit_line`.
    threshold : float, optional
        Recorded in the result only.

    Returns
    -------
    Segment
        Its end points are the centroid plus the smallest and largest projection ``t = (p - centre) . u`` of the
        points on the unit direction ``u``.
    """
    P = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    centre, u = fit_line(P, method)
    if not np.all(np.isfinite(u)):
        nan_pt = (float("nan"), float("nan"))
        return Segment(nan_pt, nan_pt, nan_pt, float("nan"), float("nan"), len(P), method, float(threshold))
    t = (P - centre) @ u
    start, end = centre + t.min() * u, centre + t.max() * u
    mid = (start + end) / 2
    return Segment(
        start=(float(start[0]), float(start[1])),
        end=(float(end[0]), float(end[1])),
        centre=(float(mid[0]), float(mid[1])),
        length=float(t.max() - t.min()),
        orientation=float(orientation_of(u[0], u[1])),
        n_points=len(P),
        method=method,
        threshold=float(threshold),
    )


def extract_segment(rf, threshold=0.0, *, method="tls"):
    """The main stripe of an RF: threshold, find boundary pixels, fit a line, restrict it to the points.

    Parameters
    ----------
    rf : array_like of shape (h, w) or (h * h,)
        One receptive field (a flat weight vector of a square patch is reshaped row-major).
    threshold : float, default=0
        lambda >= 0: weights with ``|w| <= lambda`` are set to 0 before looking for the +/- boundary.
    method : {"tls", "ols"}, default="tls"
        Line fit; total least squares (default, handles vertical stripes) or the handout's OLS ``y = a x + b``.

    Returns
    -------
    Segment
        NaN fields and ``valid == False`` when there are fewer than 2 boundary pixels (no exception).

    Notes
    -----
    Boundary rule: a pixel whose 3 x 3 neighbourhood holds both strictly positive and strictly negative
    thresholded weights. For an ideal step edge this marks a band two pixels wide centred on the edge, so the
    fitted line runs along the edge between the ON and OFF subregions -- the same direction as the stripes of a
    Gabor fit (:func:`lnn_utils.rf_analysis.fit_gabor`).
    """
    if method not in _METHODS:
        raise ValueError(f"method must be one of {_METHODS}, got {method!r}")
    return segment_from_points(find_boundary(rf, threshold), method=method, threshold=threshold)


def extract_segments(rfs, threshold=0.0, *, method="tls", shape=None):
    """:func:`extract_segment` for each RF of a stack (boundary masks computed for the whole stack at once).

    Parameters
    ----------
    rfs : array_like of shape (n_rfs, h, w) or (n_rfs, h * w)
    threshold : float, default=0
    method : {"tls", "ols"}, default="tls"
    shape : tuple of int, optional
        (h, w) of one RF when ``rfs`` is flat; default square.

    Returns
    -------
    list of Segment, one per RF
    """
    if method not in _METHODS:
        raise ValueError(f"method must be one of {_METHODS}, got {method!r}")
    W = np.asarray(rfs, dtype=np.float64)
    if W.ndim == 2:
        if shape is None:
            side = int(round(np.sqrt(W.shape[1])))
            if side * side != W.shape[1]:
                raise ValueError(f"cannot infer a square RF shape from {W.shape[1]} inputs; pass shape=(h, w)")
            shape = (side, side)
        W = W.reshape(W.shape[0], *shape)
    if W.ndim != 3:
        raise ValueError(f"rfs must have shape (n_rfs, h, w) or (n_rfs, h * w), got shape {np.shape(rfs)}")
    if not np.all(np.isfinite(W)):
        raise ValueError("rfs contains NaN or infinite values; a diverged learning run? check the weights")
    masks = boundary_mask(W, threshold)
    out = []
    for mask in masks:
        rows, cols = np.nonzero(mask)
        out.append(segment_from_points(np.column_stack([cols, rows]), method=method, threshold=threshold))
    return out
