"""Cut square patches out of images and flatten them into input vectors x of a Hebbian neuron.

A patch of side p at row r, column c is ``image[r:r+p, c:c+p]``, flattened in row-major order (``reshape``),
so a weight vector w of length p*p is shown as an image with ``w.reshape(p, p)``.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ._validation import as_generator, check_positive


def _grid_positions(n_rows_valid, n_cols_valid, n):
    """Evenly spaced top-left corners covering the image, exactly ``n`` of them (row-major order)."""
    aspect = n_cols_valid / n_rows_valid
    n_r = max(1, int(np.ceil(np.sqrt(n / aspect))))
    n_c = max(1, int(np.ceil(n / n_r)))
    n_r, n_c = min(n_r, n_rows_valid), min(n_c, n_cols_valid)
    while n_r * n_c < n:  # only when one axis hit its limit
        if n_r < n_rows_valid:
            n_r += 1
        else:
            n_c += 1
    rows = np.round(np.linspace(0, n_rows_valid - 1, n_r)).astype(int)
    cols = np.round(np.linspace(0, n_cols_valid - 1, n_c)).astype(int)
    rr, cc = np.meshgrid(rows, cols, indexing="ij")
    keep = np.round(np.linspace(0, n_r * n_c - 1, n)).astype(int)
    return rr.ravel()[keep], cc.ravel()[keep]


def extract_patches(images, patch_size=16, n_per_image=5000, *, grid=True, seed=None):
    """Cut ``n_per_image`` square patches out of each image and flatten them.

    Parameters
    ----------
    images : array_like of shape (height, width) or sequence of such arrays
        One image or a list of images (sizes may differ).
    patch_size : int, default=16
        Side p of a patch, in pixels.
    n_per_image : int, default=5000
        Number of patches taken from each image.
    grid : bool, default=True
        True: top-left corners on a regular grid spread evenly over each image (deterministic; the handout's
        procedure). False: corners drawn uniformly at random from ``seed``.
    seed : int or numpy.random.Generator, optional
        Randomness for ``grid=False`` (required there, so that runs are reproducible).

    Returns
    -------
    X : ndarray of shape (n_images * n_per_image, patch_size**2)
        One flattened patch per row (row-major), patches of image 0 first.

    Raises
    ------
    ValueError
        Non-positive ``patch_size`` or ``n_per_image``, an image smaller than a patch, or more grid patches asked
        for than there are distinct positions.
    """
    check_positive(patch_size, "patch_size", integer=True)
    check_positive(n_per_image, "n_per_image", integer=True)
    if isinstance(images, np.ndarray) and images.ndim == 3 and images.shape[-1] in (3, 4):
        raise ValueError(f"images has shape {images.shape}: a colour image (height, width, channels)? Pass grey "
                         f"2-D images (lnn_utils.images.load_images converts colour files to grey); a stack of "
                         f"grey images must have shape (n_images, height, width)")
    if isinstance(images, np.ndarray) and images.ndim == 2:
        images = [images]
    images = list(images)
    if not images:
        raise ValueError("images is empty; pass at least one 2-D image (see lnn_utils.images.load_images)")
    if not grid:
        if seed is None:
            raise ValueError("grid=False draws random positions: pass seed=<int> so that the patches are reproducible")
        rng = as_generator(seed)
    out = np.empty((len(images) * n_per_image, patch_size * patch_size))
    for k, image in enumerate(images):
        image = np.asarray(image, dtype=np.float64)
        if image.ndim != 2:
            hint = " (a colour image? convert it to grey, e.g. with load_images)" if image.ndim == 3 else ""
            raise ValueError(f"image {k} must be 2-D (height, width), got shape {image.shape}{hint}")
        if not np.all(np.isfinite(image)):
            raise ValueError(f"image {k} contains NaN or infinite values; clean it before cutting patches")
        h, w = image.shape
        if h < patch_size or w < patch_size:
            raise ValueError(f"image {k} of shape {image.shape} is smaller than patch_size={patch_size}; "
                             f"use a smaller patch_size or drop that image")
        n_r, n_c = h - patch_size + 1, w - patch_size + 1
        if grid:
            if n_per_image > n_r * n_c:
                raise ValueError(f"image {k} of shape {image.shape} has only {n_r * n_c} distinct "
                                 f"{patch_size}x{patch_size} positions, fewer than n_per_image={n_per_image}")
            rows, cols = _grid_positions(n_r, n_c, n_per_image)
        else:
            rows = rng.integers(0, n_r, size=n_per_image)
            cols = rng.integers(0, n_c, size=n_per_image)
        windows = sliding_window_view(image, (patch_size, patch_size))
        out[k * n_per_image : (k + 1) * n_per_image] = windows[rows, cols].reshape(n_per_image, -1)
    return out
