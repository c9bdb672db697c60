"""Gabor model of a receptive field: render it, and fit it to an RF by nonlinear least squares.

Model (Jones & Palmer 1987; Ringach 2002), in the coordinates of :mod:`lnn_utils.rf_analysis`
(``x`` = column, ``y`` = row downwards, ``theta`` the on-screen orientation of the stripes)::

    x' = (x - x0) sin(theta) + (y - y0) cos(theta)      # across the stripes
    y' = (x - x0) cos(theta) - (y - y0) sin(theta)      # along the stripes
    G(x, y) = A exp(-x'^2 / (2 sigma_x^2) - y'^2 / (2 sigma_y^2)) cos(2 pi f x' + phi)

The stripes are the lines of constant ``x'``; their on-screen direction is ``(cos theta, sin theta)`` with up
positive, i.e. ``(cos theta, -sin theta)`` in (column, row) steps.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field, fields

import numpy as np
from scipy.optimize import least_squares

from .._validation import check_positive
from .segment import as_image

PARAM_NAMES = ("amplitude", "x0", "y0", "orientation", "frequency", "phase", "sigma_x", "sigma_y")
_TWO_PI = 2.0 * np.pi


def _grid(shape):
    rows, cols = np.indices(shape, dtype=np.float64)
    return cols.ravel(), rows.ravel()


def _parts(p, X, Y):
    """Shared pieces of the model and its Jacobian; ``p`` has theta and phi in radians."""
    A, x0, y0, th, f, ph, sx, sy = p
    dx, dy = X - x0, Y - y0
    s, c = np.sin(th), np.cos(th)
    xp = dx * s + dy * c
    yp = dx * c - dy * s
    env = np.exp(-0.5 * (xp / sx) ** 2 - 0.5 * (yp / sy) ** 2)
    arg = _TWO_PI * f * xp + ph
    return A, s, c, xp, yp, env, np.cos(arg), np.sin(arg), f, sx, sy


def _model(p, X, Y):
    A, _, _, _, _, env, cos_, _, _, _, _ = _parts(p, X, Y)
    return A * env * cos_


def _jacobian(p, X, Y):
    """d G / d p, shape (n_pixels, 8), in the order of :data:`PARAM_NAMES` (angles in radians)."""
    A, s, c, xp, yp, env, cos_, sin_, f, sx, sy = _parts(p, X, Y)
    Ec = env * cos_
    AEs = A * env * sin_
    G = A * Ec
    dG_dxp = -G * xp / sx**2 - _TWO_PI * f * AEs
    dG_dyp = -G * yp / sy**2
    J = np.empty((X.size, 8))
    J[:, 0] = Ec
    # dx'/dx0 = -s, dy'/dx0 = -c; dx'/dy0 = -c, dy'/dy0 = s; dx'/dtheta = y', dy'/dtheta = -x'.
    J[:, 1] = -s * dG_dxp - c * dG_dyp
    J[:, 2] = -c * dG_dxp + s * dG_dyp
    J[:, 3] = yp * dG_dxp - xp * dG_dyp
    J[:, 4] = -AEs * _TWO_PI * xp
    J[:, 5] = -AEs
    J[:, 6] = G * xp**2 / sx**3
    J[:, 7] = G * yp**2 / sy**3
    return J


def gabor(shape, *, amplitude=1.0, x0=None, y0=None, orientation=0.0, frequency=0.1, phase=0.0, sigma_x=3.0,
          sigma_y=3.0):
    """Render the Gabor model on a pixel grid.

    Parameters
    ----------
    shape : int or tuple of int
        (h, w) of the image; an int means square.
    amplitude : float, default=1
        A.
    x0, y0 : float, optional
        Centre in (column, row) pixel coordinates; default the centre of the image, ``((w-1)/2, (h-1)/2)``.
    orientation : float, default=0
        theta, in degrees: on-screen direction of the stripes, counter-clockwise from the horizontal
        (0 = horizontal stripes, 90 = vertical stripes, 45 = stripes going up-right on screen).
    frequency : float, default=0.1
        f, in cycles per pixel, across the stripes.
    phase : float, default=0
        phi, in radians (0: even, bright centre for A > 0; pi/2: odd).
    sigma_x, sigma_y : float, default=3
        Envelope widths in pixels, across (x') and along (y') the stripes.

    Returns
    -------
    G : ndarray of shape (h, w)
        ``A exp(-x'^2/(2 sigma_x^2) - y'^2/(2 sigma_y^2)) cos(2 pi f x' + phi)``, see the module docstring.
    """
    shape = (shape, shape) if np.isscalar(shape) else tuple(shape)
    if len(shape) != 2 or not all(isinstance(n, (int, np.integer)) and n >= 1 for n in shape):
        raise ValueError(f"shape must be an int or a pair of positive ints (h, w), got {shape!r}")
    check_positive(sigma_x, "sigma_x")
    check_positive(sigma_y, "sigma_y")
    h, w = shape
    x0 = (w - 1) / 2 if x0 is None else x0
    y0 = (h - 1) / 2 if y0 is None else y0
    X, Y = _grid(shape)
    p = (amplitude, x0, y0, np.radians(orientation), frequency, phase, sigma_x, sigma_y)
    return _model(p, X, Y).reshape(shape)


@dataclass(frozen=True, eq=False)
class GaborFit:
    """Result of :func:`fit_gabor`.

    Attributes
    ----------
    amplitude : float
        A >= 0 (a sign flip is folded into ``phase``).
    x0, y0 : float
        Centre, (column, row) pixels.
    orientation : float
        Degrees in [0, 180): on-screen direction of the stripes, counter-clockwise from the horizontal.
    frequency : float
        Cycles per pixel across the stripes.
    phase : float
        Radians in (-pi, pi].
    sigma_x, sigma_y : float
        Envelope widths across / along the stripes, pixels.
    r2 : float
        Fraction of variance explained, ``1 - sum (rf - G)^2 / sum (rf - mean rf)^2``; low (can even be
        negative) for a bad fit, 0 for a constant RF.
    nx, ny : float
        Ringach's (2002) shape numbers ``sigma_x * f`` and ``sigma_y * f``: envelope widths in cycles. For an
        odd (edge-like) RF the fit may slide to ``f -> 0`` (a derivative of a Gaussian fits as well), which sends
        both to 0; :attr:`peak_frequency` and :attr:`nx_peak`, :attr:`ny_peak` stay meaningful then.
    model : ndarray of shape (h, w)
        The fitted Gabor rendered on the RF's grid.
    success : bool
        False when no start converged or the RF was constant (the parameters are then NaN).
    message : str
        What happened, for diagnostics.
    """

    amplitude: float
    x0: float
    y0: float
    orientation: float
    frequency: float
    phase: float
    sigma_x: float
    sigma_y: float
    r2: float
    nx: float
    ny: float
    model: np.ndarray = field(repr=False)
    success: bool = True
    message: str = ""

    @property
    def params(self):
        """The model parameters as a dict of keyword arguments of :func:`gabor`."""
        return {name: getattr(self, name) for name in PARAM_NAMES}

    @property
    def peak_frequency(self):
        """Frequency (cycles/pixel, in [0, 0.5]) where the fitted Gabor's amplitude spectrum peaks across the stripes.

        Across the stripes the Gabor is ``exp(-x'^2 / (2 sigma_x^2)) cos(2 pi f x' + phase)``, whose Fourier
        transform is, up to a constant, ``|e^{i phase} g(k - f) + e^{-i phase} g(k + f)|`` with
        ``g(q) = exp(-2 pi^2 sigma_x^2 q^2)``. It equals ``f`` for an even Gabor with several cycles under the
        envelope; for an odd Gabor with ``f -> 0`` it tends to ``1 / (2 pi sigma_x)``, the peak of a derivative of
        a Gaussian, where ``f`` itself says nothing. Found on a grid of 2,001 frequencies (step 2.5e-4).
        """
        if not self.success:
            return np.nan
        k = np.linspace(0.0, 0.5, 2001)
        g = lambda q: np.exp(-2.0 * np.pi**2 * self.sigma_x**2 * q**2)  # noqa: E731
        spectrum = np.abs(np.exp(1j * self.phase) * g(k - self.frequency)
                          + np.exp(-1j * self.phase) * g(k + self.frequency))
        return float(k[np.argmax(spectrum)])

    @property
    def nx_peak(self):
        """Ringach's ``nx`` with the spectral peak in place of the fitted frequency: ``sigma_x * peak_frequency``."""
        return self.sigma_x * self.peak_frequency

    @property
    def ny_peak(self):
        """Ringach's ``ny`` with the spectral peak in place of the fitted frequency: ``sigma_y * peak_frequency``."""
        return self.sigma_y * self.peak_frequency

    def render(self, shape=None):
        """The fitted Gabor on a grid of ``shape`` (default: the RF's), as an array of shape (h, w)."""
        if not self.success:
            return np.full(self.model.shape if shape is None else shape, np.nan)
        return gabor(self.model.shape if shape is None else shape, **self.params)


def gabor_table(fits):
    """Collect the scalar fields of many :class:`GaborFit` into arrays.

    Returns
    -------
    dict of str to ndarray of shape (n_fits,)
        One entry per scalar field (``orientation``, ``frequency``, ``r2``, ``nx``, ...).
    """
    names = [f.name for f in fields(GaborFit) if f.name not in ("model", "message")]
    return {name: np.array([getattr(fit, name) for fit in fits]) for name in names}


def _canonical(p):
    """Fold the model's symmetries so that A >= 0, theta in [0, pi), phi in (-pi, pi]."""
    A, x0, y0, th, f, ph, sx, sy = p
    if A < 0:
        A, ph = -A, ph + np.pi
    k = int(np.floor(th / np.pi))
    th -= k * np.pi
    if th >= np.pi:  # rounding of a tiny negative angle: one more half turn
        th, k = 0.0, k + 1
    if k % 2:  # theta + pi flips x' and y': cos(-2 pi f x' + phi) = cos(2 pi f x' - phi)
        ph = -ph
    ph = np.pi - (np.pi - ph) % _TWO_PI
    return np.array([A, x0, y0, th, f, ph, sx, sy])


def _linear_amplitude(p, X, Y, data):
    """Best A for the other parameters fixed (closed-form linear least squares)."""
    q = np.array(p, dtype=float)
    q[0] = 1.0
    g = _model(q, X, Y)
    gg = g @ g
    q[0] = (g @ data) / gg if gg > 1e-12 else 0.0
    return q


def _starts(img, X, Y, lower, upper):
    """Data-driven starting points, best guess first."""
    h, w = img.shape
    data = img.ravel()
    # Frequency and orientation: peak of the zero-padded power spectrum of the mean-free RF.
    n_fft = 4 * max(h, w)
    power = np.abs(np.fft.fft2(img - img.mean(), s=(n_fft, n_fft))) ** 2
    power[0, 0] = 0.0
    i, j = np.unravel_index(np.argmax(power), power.shape)
    fy, fx = np.fft.fftfreq(n_fft)[i], np.fft.fftfreq(n_fft)[j]
    f0 = float(np.hypot(fx, fy))
    th0 = float(np.arctan2(fx, fy))  # wave vector (fx, fy) is along x', i.e. (sin theta, cos theta)
    # Centre: centre of mass of the RF energy.
    energy = data**2
    total = energy.sum()
    x0, y0 = (energy @ X) / total, (energy @ Y) / total

    def sigmas(th):
        # The energy ~ envelope^2 has widths sigma / sqrt(2).
        xp = (X - x0) * np.sin(th) + (Y - y0) * np.cos(th)
        yp = (X - x0) * np.cos(th) - (Y - y0) * np.sin(th)
        sx_, sy_ = np.sqrt(2 * (energy @ xp**2) / total), np.sqrt(2 * (energy @ yp**2) / total)
        return max(sx_, 0.5), max(sy_, 0.5)  # the lower bound; also avoids 0 / 0 for a one-pixel RF

    def phase(th, f, sx, sy):
        xp = (X - x0) * np.sin(th) + (Y - y0) * np.cos(th)
        yp = (X - x0) * np.cos(th) - (Y - y0) * np.sin(th)
        env = np.exp(-0.5 * (xp / sx) ** 2 - 0.5 * (yp / sy) ** 2)
        return float(np.angle(np.sum(data * env * np.exp(-1j * _TWO_PI * f * xp))))

    sx, sy = sigmas(th0)
    # The envelope along x' is spread by the oscillation; a third of a period per sigma is typical.
    sx = min(sx, 0.5 / max(f0, 1e-3))
    ortho = th0 + np.pi / 2
    sx2, sy2 = sigmas(ortho)
    sx_blob, sy_blob = sigmas(th0)  # unclipped by the frequency, unlike sx
    f_blob = 0.5 / n_fft
    starts = [
        (x0, y0, th0, f0, phase(th0, f0, sx, sy), sx, sy),
        (x0, y0, th0, f0, phase(th0, f0, sx, sy) + np.pi / 2, sx, sy),
        (x0, y0, ortho, f0, phase(ortho, f0, sx2, sy2), min(sx2, 0.5 / max(f0, 1e-3)), sy2),
        (x0, y0, th0, f_blob, phase(th0, f_blob, sx_blob, sy_blob), sx_blob, sy_blob),
        (x0, y0, th0, f0 / 2, phase(th0, f0 / 2, 2 * sx, sy), 2 * sx, sy),
    ]
    out = []
    for x0_, y0_, th, f, ph, sx_, sy_ in starts:
        p = np.array([1.0, x0_, y0_, th, f, ph, sx_, sy_])
        # Strictly inside the bounds, as the trust-region method requires.
        span = upper - lower
        finite = np.isfinite(span)
        p[finite] = np.clip(p[finite], lower[finite] + 1e-3 * span[finite], upper[finite] - 1e-3 * span[finite])
        out.append(_linear_amplitude(p, X, Y, data))
    return out


def _failed(shape, r2, message):
    nan = float("nan")
    return GaborFit(nan, nan, nan, nan, nan, nan, nan, nan, float(r2), nan, nan, np.full(shape, np.nan),
                    success=False, message=message)


def fit_gabor(rf, *, n_starts=5, max_nfev=200, good_r2=0.99, margin=0.25, jac="analytic"):
    """Fit the Gabor model of :func:`gabor` to one receptive field.

    Parameters
    ----------
    rf : array_like of shape (h, w) or (h * h,)
        One RF; a flat weight vector of a square patch is reshaped row-major.
    n_starts : int, default=5
        Maximum number of starting points tried, in this order: spectral guess (peak of the 2-D power spectrum for
        f and theta, centre of mass of ``rf**2`` for the centre, second moments for the sigmas, projection for the
        phase); same with phase + pi/2; orientation + 90 deg; a low-frequency (blob) start; half frequency.
    max_nfev : int, default=200
        Budget of model evaluations per start.
    good_r2 : float, default=0.99
        Stop trying further starts once a fit explains this fraction of the variance, or once two starts have
        reached the same lowest error (to a relative 1e-6).
    margin : float, default=0.25
        The centre may lie outside the patch by at most ``margin * max(h, w)`` pixels.
    jac : {"analytic", "2-point"}, default="analytic"
        Jacobian given to :func:`scipy.optimize.least_squares`; "2-point" (finite differences) is only there to
        measure the speed-up in ``benchmarks/bench_gabor.py``.

    Returns
    -------
    GaborFit
        The best of the starts (smallest squared error). A fit that fails is returned with ``success=False`` and
        NaN parameters, and a poor fit with a low ``r2``: this function does not raise on a hard RF.

    Notes
    -----
    Bounds: ``sigma_x, sigma_y`` in [0.5, 2 max(h, w)], ``f`` in [0, 0.5] cycles/pixel (Nyquist), centre within
    the patch +/- the margin; amplitude, orientation and phase are free and folded afterwards into A >= 0,
    orientation in [0, 180) degrees, phase in (-pi, pi]. Deterministic: no random starts.
    Gabor model of simple cells: Jones & Palmer (1987); ``nx, ny``: Ringach (2002), J Neurophysiol 88:455.
    """
    img = as_image(rf)
    check_positive(n_starts, "n_starts", integer=True)
    check_positive(max_nfev, "max_nfev", integer=True)
    check_positive(margin, "margin", allow_zero=True)
    if jac not in ("analytic", "2-point"):
        raise ValueError(f"jac must be 'analytic' or '2-point', got {jac!r}")
    h, w = img.shape
    data = img.ravel()
    ss_tot = float(np.sum((data - data.mean()) ** 2))
    if ss_tot <= 1e-24 * max(1.0, float(data @ data)) or not np.any(data):
        return _failed(img.shape, 0.0, "constant RF: nothing to fit")
    X, Y = _grid(img.shape)
    size = max(h, w)
    m = margin * size
    inf = np.inf
    lower = np.array([-inf, -m, -m, -inf, 0.0, -inf, 0.5, 0.5])
    upper = np.array([inf, w - 1 + m, h - 1 + m, inf, 0.5, inf, 2.0 * size, 2.0 * size])

    def residuals(p):
        return _model(p, X, Y) - data

    jacobian = (lambda p: _jacobian(p, X, Y)) if jac == "analytic" else "2-point"
    best, best_cost, messages = None, np.inf, []
    for p0 in _starts(img, X, Y, lower, upper)[:n_starts]:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                res = least_squares(residuals, p0, jac=jacobian, bounds=(lower, upper), x_scale="jac",
                                    max_nfev=max_nfev)
        except (ValueError, np.linalg.LinAlgError) as err:  # pragma: no cover - defensive
            messages.append(f"start failed: {err}")
            continue
        if not np.isfinite(res.cost):
            continue
        # Two starts reaching the same lowest error have most likely found the global minimum: stop early.
        confirmed = best is not None and abs(res.cost - best_cost) <= 1e-6 * best_cost
        if res.cost < best_cost:
            best, best_cost = res, res.cost
        if confirmed or 1.0 - 2.0 * best_cost / ss_tot >= good_r2:
            break
    if best is None:
        return _failed(img.shape, 0.0, "; ".join(messages) or "no start converged")
    p = _canonical(best.x)
    model = _model(p, X, Y).reshape(img.shape)
    r2 = 1.0 - float(np.sum((data - model.ravel()) ** 2)) / ss_tot
    return GaborFit(
        amplitude=float(p[0]), x0=float(p[1]), y0=float(p[2]), orientation=float(np.degrees(p[3])),
        frequency=float(p[4]), phase=float(p[5]), sigma_x=float(p[6]), sigma_y=float(p[7]), r2=r2,
        nx=float(p[6] * p[4]), ny=float(p[7] * p[4]), model=model, success=True, message=best.message,
    )


def fit_gabors(rfs, *, shape=None, **kwargs):
    """:func:`fit_gabor` for each RF of a stack.

    Parameters
    ----------
    rfs : array_like of shape (n_rfs, h, w) or (n_rfs, h * w)
    shape : tuple of int, optional
        (h, w) of one RF when ``rfs`` is flat; default square.
    **kwargs
        Passed to :func:`fit_gabor`.

    Returns
    -------
    list of GaborFit, one per RF (use :func:`gabor_table` to get arrays of parameters)
    """
    W = np.asarray(rfs, dtype=np.float64)
    if W.ndim == 2 and shape is not None:
        W = W.reshape(W.shape[0], *shape)
    if W.ndim not in (2, 3):
        raise ValueError(f"rfs must have shape (n_rfs, h, w) or (n_rfs, h * w), got shape {W.shape}")
    return [fit_gabor(rf, **kwargs) for rf in W]
