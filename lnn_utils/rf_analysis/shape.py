"""What kind of receptive field a network learned: a blob or a striped RF, at which spatial frequency, how
heavy-tailed its responses are, and how different the RFs of a population are from each other.

These are the numbers by which the mini project's RFs are compared with the course's expectation (handout
"Visual Receptive Field Development", CS-479) and with Brito & Gerstner (2016): on well-whitened natural images a
nonlinear Hebbian neuron learns a localised, oriented, striped RF, not the uniform "blob" that carries the most
variance of imperfectly whitened patches, and its responses are more heavy-tailed than those of a random
direction (Brito & Gerstner 2016, PLoS Comput Biol 12:e1005070; Hyvärinen & Oja 1998).

- :func:`uniform_similarity`: ``|cos(w, uniform patch)|``, 1 for a uniform patch, ~0 for a balanced ON/OFF RF;
- :func:`spectral_peak`: the radial spatial frequency at which an RF's 2-D power spectrum peaks;
- :func:`rf_shape_summary`: the counts and medians of a population (non-blob RFs, spectral peak, mean |cos|
  between RFs, RFs more kurtotic than random directions);
- :func:`target_table`: those numbers printed next to the course's values and the targets of the project.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .._validation import check_positive
from ..images import spatial_frequencies
from .statistics import kurtosis_test, rf_similarity


def _as_rf_images(W, shape):
    """RFs as an array (n, h, w), and whether a single flat RF (p,) was given.

    1-D: one flat RF; 2-D: n flat RFs, one per row (the layout of a network's weights); 3-D: n images.
    """
    W = np.asarray(W, dtype=np.float64)
    single = W.ndim == 1
    if single:
        W = W[None, :]
    if W.ndim == 2:
        if shape is None:
            side = int(round(np.sqrt(W.shape[1])))
            shape = (side, side)
        shape = tuple(int(n) for n in shape)
        if len(shape) != 2 or shape[0] * shape[1] != W.shape[1]:
            raise ValueError(f"flat RFs of {W.shape[1]} pixels need shape=(h, w) with h * w = {W.shape[1]}, "
                             f"got shape={shape!r}; a single image must be passed as rf.ravel() or rf[None]")
        W = W.reshape(-1, *shape)
    elif W.ndim != 3:
        raise ValueError(f"W must be one flat RF (p,), flat RFs (n, p) or images (n, h, w); got shape {W.shape}")
    if W.shape[0] == 0 or W[0].size == 0 or not np.all(np.isfinite(W)):
        raise ValueError(f"W must hold at least one non-empty RF and only finite values, got shape {W.shape}")
    if np.any(np.abs(W).reshape(len(W), -1).max(axis=1) == 0):
        raise ValueError("W contains an all-zero RF, which has neither a direction nor a spectrum")
    return W, single


def uniform_similarity(W, shape=None):
    """``|cos(w, 1)|``: how much of each RF is the uniform patch (the brightness "blob" direction).

    ``|sum_j w_j| / (sqrt(p) ||w||)`` for an RF of p pixels: 1 for a uniform patch (a dark or a bright blob), 0
    for an RF whose positive and negative weights balance (an edge, a bar with side lobes, a Gabor of several
    cycles), and about ``sqrt(2 / (pi p))`` (0.05 for p = 256) for a random direction.

    Parameters
    ----------
    W : array_like of shape (p,), (n, p) or (n, h, w)
        One flat RF, n flat RFs (one per row, like a network's weights) or n RF images; any norm, none zero. A
        single image is passed as ``rf.ravel()`` or ``rf[None]``.
    shape : tuple (h, w), optional
        Image shape of flat RFs (default square); only their number of pixels matters here.

    Returns
    -------
    float or ndarray of shape (n,)
        In [0, 1].
    """
    images, single = _as_rf_images(W, shape)
    flat = images.reshape(len(images), -1)
    sim = np.abs(flat.sum(axis=1)) / (np.sqrt(flat.shape[1]) * np.linalg.norm(flat, axis=1))
    sim = np.minimum(sim, 1.0)
    return float(sim[0]) if single else sim


def spectral_peak(W, shape=None, *, n_fft=64):
    """Radial spatial frequency (cycles/pixel) at which each RF's 2-D power spectrum peaks.

    The RF is zero-padded to ``n_fft x n_fft`` (a finer sampling of its continuous spectrum, so that a 16-pixel
    RF is not limited to multiples of 1/16 cycle/pixel), ``P(fx, fy) = |FFT2(w)|^2`` is computed, and the result
    is the radius ``sqrt(fx^2 + fy^2)`` of the frequency where P is largest. The mean is *not* removed, so a blob
    (an RF dominated by its mean) peaks at 0; a Gabor ``cos(2 pi f x' + phi)`` under an envelope of several
    pixels peaks at ``f``; an edge (odd Gabor with ``f -> 0``, a derivative of a Gaussian of width sigma) at
    ``1 / (2 pi sigma)``.

    Parameters
    ----------
    W : array_like of shape (p,), (n, p) or (n, h, w)
        One flat RF, n flat RFs or n RF images (as in :func:`uniform_similarity`).
    shape : tuple (h, w), optional
        Image shape of flat RFs; default square.
    n_fft : int, default=64
        Size of the zero-padded FFT, at least the RF's size; the frequency resolution is ``1 / n_fft``.

    Returns
    -------
    float or ndarray of shape (n,)
        In [0, sqrt(0.5)] cycles/pixel (0.5 is the Nyquist frequency along an axis).
    """
    images, single = _as_rf_images(W, shape)
    check_positive(n_fft, "n_fft", integer=True)
    if n_fft < max(images.shape[1:]):
        raise ValueError(f"n_fft must be at least the RF size {max(images.shape[1:])}, got {n_fft}")
    power = np.abs(np.fft.fft2(images, s=(n_fft, n_fft))) ** 2
    radius = spatial_frequencies((n_fft, n_fft)).ravel()
    peak = radius[np.argmax(power.reshape(len(images), -1), axis=1)]
    return float(peak[0]) if single else peak


class RFShapeSummary(NamedTuple):
    """Population summary of RFs; see :func:`rf_shape_summary`."""

    n_rfs: int  #: number of RFs summarised
    n_non_blob: int  #: RFs with |cos(w, uniform patch)| below the blob threshold
    median_spectral_peak: float  #: median of :func:`spectral_peak` over the RFs [cycles/pixel]
    mean_abs_cos: float  #: mean |cos(w_i, w_j)| over the pairs i < j (NaN for a single RF)
    n_kurtotic: int  #: RFs whose responses are more kurtotic than random directions (-1 when X was not given)


def rf_shape_summary(W, X=None, *, shape=None, blob_threshold=0.3, n_random=1000, seed=0, level=0.05):
    """The numbers that tell striped, localised RFs from blobs, for a population of RFs.

    Parameters
    ----------
    W : array_like of shape (n, p) or (n, h, w)
        The RFs, one per row or image (any norms, none zero).
    X : array_like of shape (n_samples, p), optional
        Patches on which the responses ``u = X w`` are tested against random directions (:func:`kurtosis_test`,
        one-sided "greater"). Without X, ``n_kurtotic`` is -1.
    shape : tuple (h, w), optional
        Image shape of flat RFs; default square.
    blob_threshold : float in (0, 1], default=0.3
        An RF counts as a blob when :func:`uniform_similarity` is at least this.
    n_random : int, default=1000
        Random unit vectors of the kurtosis test's null distribution.
    seed : int or numpy.random.Generator, default=0
        Randomness of those random vectors.
    level : float in (0, 1), default=0.05
        An RF is "more kurtotic than random" when the test's p-value is below ``level``, i.e. its excess
        kurtosis exceeds that of about ``1 - level`` (95 %) of the random directions.

    Returns
    -------
    RFShapeSummary
        ``n_rfs``, ``n_non_blob``, ``median_spectral_peak``, ``mean_abs_cos``, ``n_kurtotic``.
    """
    images, single = _as_rf_images(W, shape)
    if single:
        raise ValueError("rf_shape_summary summarises a population: pass RFs of shape (n, p) or (n, h, w)")
    if not 0.0 < float(blob_threshold) <= 1.0:
        raise ValueError(f"blob_threshold must be in (0, 1], got {blob_threshold!r}")
    if not 0.0 < float(level) < 1.0:
        raise ValueError(f"level must be in (0, 1), got {level!r}")
    flat = images.reshape(len(images), -1)
    n = len(flat)
    non_blob = int(np.sum(uniform_similarity(flat, images.shape[1:]) < blob_threshold))
    peak = float(np.median(spectral_peak(flat, images.shape[1:])))
    mean_cos = float(rf_similarity(flat, absolute=True)[np.triu_indices(n, k=1)].mean()) if n > 1 else np.nan
    n_kurtotic = -1
    if X is not None:
        test = kurtosis_test(flat, X, n_random=n_random, seed=seed, alternative="greater")
        n_kurtotic = int(np.sum(np.atleast_1d(test.p_value) < level))
    return RFShapeSummary(n, non_blob, peak, mean_cos, n_kurtotic)


#: The course's values and the project's targets (issue 13), in the notebooks' pipeline with the handout's
#: parameters (150,000 patches, 20 seeds or 20 neurons). "course" was measured by the project with this
#: package's networks on the course's own pre-whitened images (which the repository may not ship). Each entry:
#: label, course value, comparison ("<=" or ">="), target, and whether the value is a count out of the RFs.
COURSE_TARGETS = {
    "pc1_share": ("PC1 share of the patch variance", 0.040, "<=", 0.04, False),
    "pc1_pc2": ("PC1 / PC2 variance", 1.04, "<=", 1.15, False),
    "fixed_non_blob": ("fixed θ: RFs with |cos(w, uniform)| < 0.3", 20, ">=", 18, True),
    "fixed_peak": ("fixed θ: median spectral peak [cyc/px]", 0.157, ">=", 0.08, False),
    "fixed_kurtotic": ("fixed θ: RFs more kurtotic than 95 % random", 5, ">=", 16, True),
    "sliding_kurtotic": ("sliding θ: RFs more kurtotic than 95 % random", 11, ">=", 16, True),
    "comp_non_blob": ("competitive: RFs with |cos(w, uniform)| < 0.3", 19, ">=", 18, True),
    "comp_peak": ("competitive: median spectral peak [cyc/px]", 0.141, ">=", 0.08, False),
    "comp_mean_cos": ("competitive: mean |cos| between RFs", 0.121, "<=", 0.15, False),
}

#: Number of RFs behind the counts of :data:`COURSE_TARGETS` (20 seeds or 20 neurons).
COURSE_N_RFS = 20


def target_table(measured, *, n_rfs=COURSE_N_RFS):
    """A text table of this run's numbers next to the course's values and the targets.

    Parameters
    ----------
    measured : dict
        Keys of :data:`COURSE_TARGETS` (any subset, printed in that order) to this run's values; counts are ints
        out of ``n_rfs``.
    n_rfs : int, default=20
        Number of RFs behind this run's counts; a count's target is scaled to it (18 of 20 -> 90 %).

    Returns
    -------
    str
        One line per measure: label, this run, course, target, and "yes"/"no" for whether the target is met.
    """
    unknown = sorted(set(measured) - set(COURSE_TARGETS))
    if unknown:
        raise KeyError(f"unknown measure(s) {unknown}; known: {list(COURSE_TARGETS)}")
    check_positive(n_rfs, "n_rfs", integer=True)
    width = max(len(COURSE_TARGETS[k][0]) for k in measured) + 2
    lines = [f"{'measure':<{width}s}{'this run':>10s}{'course':>9s}{'target':>10s}{'met':>5s}"]
    for key, (label, course, op, target, is_count) in COURSE_TARGETS.items():
        if key not in measured:
            continue
        value = measured[key]
        if not np.isfinite(value):
            raise ValueError(f"measured[{key!r}] must be finite, got {value!r}")
        if is_count:
            goal = target / COURSE_N_RFS * n_rfs
            shown, course_s, target_s = f"{int(value)}/{n_rfs}", f"{course}/{COURSE_N_RFS}", f"{op} {target}/{COURSE_N_RFS}"
        else:
            goal = target
            shown, course_s, target_s = f"{value:.3f}", f"{course:.3f}", f"{op} {target:g}"
        met = value <= goal + 1e-12 if op == "<=" else value >= goal - 1e-12
        lines.append(f"{label:<{width}s}{shown:>10s}{course_s:>9s}{target_s:>10s}{'yes' if met else 'no':>5s}")
    return "\n".join(lines)
