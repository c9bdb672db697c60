"""Random data augmentations for small grey images, vectorised over the batch.

Self-supervised joint-embedding methods learn what two *views* of one image have in common, so the augmentations
define the invariances the encoder is pushed to learn (Chen et al. 2020 found the choice of augmentations to matter
more than most architectural details). For 8 x 8 digits the sensible ones are small geometric jitters (rotation,
zoom = crop-and-resize, shift), contrast changes and pixel noise: none of them changes which digit is shown.

Every function takes images of shape (n_images, height, width) with ink > 0 on a 0 background, and a ``rng``
(``numpy.random.Generator`` or an int seed), and returns a new array of the same shape and dtype. No Python loop
runs over images: geometric transforms build one sampling grid per image and read it with bilinear interpolation
through ``numpy.take_along_axis``.

References
----------
Chen, T., Kornblith, S., Norouzi, M. & Hinton, G. (2020). A simple framework for contrastive learning of visual
representations (SimCLR). *ICML*, arXiv:2002.05709.
"""

from __future__ import annotations

import numpy as np

from .._validation import as_generator, check_positive


def _check_images(images):
    images = np.asarray(images)
    if images.ndim != 3:
        raise ValueError(f"images must be 3-D of shape (n_images, height, width), got shape {images.shape}; "
                         f"reshape flattened rows with images.reshape(n, height, width)")
    if not np.issubdtype(images.dtype, np.floating):
        images = images.astype(np.float64)
    return images


def _check_range(value, name, *, low=None):
    lo, hi = (float(v) for v in value)
    if not (np.isfinite(lo) and np.isfinite(hi) and lo <= hi) or (low is not None and lo < low):
        bound = f" with lower end >= {low}" if low is not None else ""
        raise ValueError(f"{name} must be a pair (low, high) of finite numbers, low <= high{bound}; got {value!r}")
    return lo, hi


def affine_sample(images, matrices, offsets):
    """Resample each image through its own affine map, with bilinear interpolation and a zero background.

    Output pixel ``p`` (row, column) reads the input at ``A (p - c) + c + t``, where ``c`` is the image centre,
    ``A`` the image's 2 x 2 matrix and ``t`` its offset; reads outside the image return 0.

    Parameters
    ----------
    images : ndarray of shape (n_images, height, width)
    matrices : ndarray of shape (n_images, 2, 2)
        Maps output to input coordinates, (row, column) order. The identity leaves an image unchanged.
    offsets : ndarray of shape (n_images, 2)
        Translation in pixels (row, column) of the read position; +1 in the column moves the content left.

    Returns
    -------
    ndarray of shape (n_images, height, width), same dtype as ``images``
    """
    images = _check_images(images)
    n, h, w = images.shape
    matrices = np.asarray(matrices, dtype=np.float64)
    offsets = np.asarray(offsets, dtype=np.float64)
    if matrices.shape != (n, 2, 2) or offsets.shape != (n, 2):
        raise ValueError(f"matrices must have shape ({n}, 2, 2) and offsets ({n}, 2) for {n} images; "
                         f"got {matrices.shape} and {offsets.shape}")
    # Coordinates in the images' own float type (float32 halves the work; sub-pixel precision is ample).
    ftype = images.dtype
    rows, cols = np.mgrid[0:h, 0:w]
    gr = (rows.ravel() - (h - 1) / 2).astype(ftype)[None, :]
    gc = (cols.ravel() - (w - 1) / 2).astype(ftype)[None, :]
    m = matrices.astype(ftype)
    t = offsets.astype(ftype)
    # Read positions (n, h*w), shifted by +1 into a zero-padded image. Written out rather than with einsum,
    # which is several times slower for these small shapes.
    r = m[:, 0, :1] * gr + m[:, 0, 1:] * gc + (t[:, :1] + ftype.type((h - 1) / 2 + 1))
    c = m[:, 1, :1] * gr + m[:, 1, 1:] * gc + (t[:, 1:] + ftype.type((w - 1) / 2 + 1))
    # The zero border (one pixel above/left, two below/right so that the 2 x 2 neighbourhood of a clipped
    # position stays inside) makes every read that falls off the image return background.
    np.clip(r, 0, h + 1, out=r)
    np.clip(c, 0, w + 1, out=c)
    r0 = np.floor(r)
    c0 = np.floor(c)
    r -= r0
    c -= c0
    hp, wp = h + 3, w + 3
    padded = np.zeros((n, hp, wp), dtype=ftype)
    padded[:, 1:h + 1, 1:w + 1] = images
    # One float-to-int conversion and one gather for all four neighbours (float32 holds these integers exactly
    # for up to ~10^5 images per call).
    r0 *= wp
    r0 += c0
    r0 += (np.arange(n, dtype=ftype) * (hp * wp))[:, None]
    index = r0.astype(np.intp)[..., None] + np.array([0, 1, wp, wp + 1])
    v = padded.ravel().take(index)
    upper = v[..., 0] + c * (v[..., 1] - v[..., 0])
    lower = v[..., 2] + c * (v[..., 3] - v[..., 2])
    out = upper + r * (lower - upper)
    return out.reshape(n, h, w)


def random_affine(images, rng, *, max_rotation=15.0, scale=(0.9, 1.1), max_shift=1.0):
    """Rotate, zoom and shift every image by its own random amount, in one interpolation.

    Parameters
    ----------
    images : ndarray of shape (n_images, height, width)
    rng : numpy.random.Generator or int
    max_rotation : float, default=15.0
        Rotation angle drawn uniformly in [-max_rotation, max_rotation] degrees.
    scale : (float, float), default=(0.9, 1.1)
        Zoom factor drawn log-uniformly in this range; > 1 enlarges the digit (= crop a smaller window and resize
        it to the full image), < 1 shrinks it.
    max_shift : float, default=1.0
        Shift in pixels drawn uniformly in [-max_shift, max_shift], independently for rows and columns.

    Returns
    -------
    ndarray of shape (n_images, height, width)
    """
    images = _check_images(images)
    rng = as_generator(rng)
    check_positive(max_rotation, "max_rotation", allow_zero=True)
    check_positive(max_shift, "max_shift", allow_zero=True)
    lo, hi = _check_range(scale, "scale", low=1e-3)
    n = len(images)
    angle = np.deg2rad(rng.uniform(-max_rotation, max_rotation, n))
    zoom = np.exp(rng.uniform(np.log(lo), np.log(hi), n))
    shift = rng.uniform(-max_shift, max_shift, (n, 2))
    cos, sin = np.cos(angle) / zoom, np.sin(angle) / zoom
    # Output-to-input map: the inverse of "rotate by angle, then zoom".
    matrices = np.stack([np.stack([cos, -sin], -1), np.stack([sin, cos], -1)], -2)
    return affine_sample(images, matrices, shift)


def random_rotation(images, rng, *, max_degrees=15.0):
    """Rotate every image about its centre by a uniform random angle in [-max_degrees, max_degrees]."""
    return random_affine(images, rng, max_rotation=max_degrees, scale=(1.0, 1.0), max_shift=0.0)


def random_resized_crop(images, rng, *, scale=(1.0, 1.3), max_shift=1.0):
    """Crop a random window of side ``1/zoom`` of the image, shifted by up to ``max_shift`` pixels, and resize it
    back to the full image (bilinear), with ``zoom`` log-uniform in ``scale``."""
    return random_affine(images, rng, max_rotation=0.0, scale=scale, max_shift=max_shift)


def random_shift(images, rng, *, max_shift=1):
    """Shift every image by a random whole number of pixels in [-max_shift, max_shift] along each axis.

    Exact (no interpolation): the images are zero-padded by ``max_shift`` and each one is read back through a
    shifted window with one gather.
    """
    images = _check_images(images)
    rng = as_generator(rng)
    check_positive(max_shift, "max_shift", integer=True, allow_zero=True)
    n, h, w = images.shape
    s = max_shift
    padded = np.pad(images, ((0, 0), (s, s), (s, s)))
    dr, dc = (rng.integers(-s, s + 1, n) for _ in range(2))
    rows = (np.arange(h)[None, :] + s + dr[:, None])[:, :, None]
    cols = (np.arange(w)[None, :] + s + dc[:, None])[:, None, :]
    return padded[np.arange(n)[:, None, None], rows, cols]


def random_contrast(images, rng, *, factor=(0.6, 1.4)):
    """Scale every image's deviations from its own mean by a random factor, then clip to the input range.

    ``x' = m + a (x - m)`` with ``m`` the image mean and ``a`` uniform in ``factor``; clipping keeps grey values
    in [min, max] of the input batch (for the digits, [0, 1]).
    """
    images = _check_images(images)
    rng = as_generator(rng)
    lo, hi = _check_range(factor, "factor", low=0.0)
    a = rng.uniform(lo, hi, (len(images), 1, 1)).astype(images.dtype)
    mean = images.mean(axis=(1, 2), keepdims=True)
    return np.clip(mean + a * (images - mean), images.min(), images.max())


def add_noise(images, rng, *, std=0.05):
    """Add independent Gaussian noise of standard deviation ``std`` to every pixel (no clipping)."""
    images = _check_images(images)
    rng = as_generator(rng)
    check_positive(std, "std", allow_zero=True)
    return images + rng.normal(0.0, std, images.shape).astype(images.dtype)


class Augment:
    """The augmentation pipeline of the SSL experiments: random affine jitter, then contrast, then noise.

    Parameters
    ----------
    max_rotation : float, default=15.0
        Largest rotation, degrees.
    scale : (float, float), default=(0.9, 1.15)
        Range of the zoom factor (crop-and-resize when > 1).
    max_shift : float, default=1.0
        Largest shift along each axis, pixels (a pixel is 1/8 of a digit image).
    contrast : (float, float) or None, default=(0.6, 1.4)
        Range of the contrast factor; None skips the step.
    noise_std : float, default=0.05
        Standard deviation of the additive pixel noise (images are in [0, 1]); 0 skips it.

    Notes
    -----
    The geometric part is applied as one affine map per image, so the image is interpolated once (repeated
    bilinear interpolation would blur an 8 x 8 image noticeably). Setting every parameter to its neutral value
    (0, (1, 1), 0, None, 0) returns the images unchanged.
    """

    def __init__(self, *, max_rotation=15.0, scale=(0.9, 1.15), max_shift=1.0, contrast=(0.6, 1.4),
                 noise_std=0.05):
        self.max_rotation = check_positive(max_rotation, "max_rotation", allow_zero=True)
        self.scale = _check_range(scale, "scale", low=1e-3)
        self.max_shift = check_positive(max_shift, "max_shift", allow_zero=True)
        self.contrast = None if contrast is None else _check_range(contrast, "contrast", low=0.0)
        self.noise_std = check_positive(noise_std, "noise_std", allow_zero=True)

    def __repr__(self):
        return (f"Augment(max_rotation={self.max_rotation}, scale={self.scale}, max_shift={self.max_shift}, "
                f"contrast={self.contrast}, noise_std={self.noise_std})")

    def __call__(self, images, rng):
        """Return one random view of each image: ndarray of shape (n_images, height, width)."""
        images = _check_images(images)
        rng = as_generator(rng)
        geometric = self.max_rotation > 0 or self.scale != (1.0, 1.0) or self.max_shift > 0
        out = images
        if geometric:
            out = random_affine(out, rng, max_rotation=self.max_rotation, scale=self.scale,
                                max_shift=self.max_shift)
        if self.contrast is not None and self.contrast != (1.0, 1.0):
            out = random_contrast(out, rng, factor=self.contrast)
        if self.noise_std > 0:
            out = add_noise(out, rng, std=self.noise_std)
        return out
