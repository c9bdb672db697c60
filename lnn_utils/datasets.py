"""Labelled image data shipped with the repository: the UCI handwritten digits (8 x 8 grey images, 10 classes).

The 1,797 images are the test partition of the UCI *Optical Recognition of Handwritten Digits* set
(Alpaydin & Kaynak 1998), taken from the copy that scikit-learn bundles; provenance, licence (CC BY 4.0) and
processing are in ``data/digits/SOURCES.md``. Nothing is downloaded.

References
----------
Alpaydin, E. & Kaynak, C. (1998). Optical Recognition of Handwritten Digits. UCI Machine Learning Repository.
https://doi.org/10.24432/C50P49
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

from ._validation import as_generator, check_positive
from .images import DATA_DIR

#: The shipped file: ``images`` uint8 (1797, 8, 8) with values 0..16, ``labels`` uint8 (1797,) with values 0..9.
DIGITS_PATH = DATA_DIR / "digits" / "digits.npz"

#: Largest pixel value of the raw images (each pixel counts the "on" pixels of a 4 x 4 block).
DIGITS_MAX = 16

SPLITS = ("train", "test", "all")


def stratified_split(labels, *, test_fraction=0.25, seed=0):
    """Split sample indices into train and test sets with the same class proportions in both.

    Parameters
    ----------
    labels : array_like of shape (n_samples,)
        Integer class labels.
    test_fraction : float, default=0.25
        Fraction of each class put in the test set (rounded per class), in (0, 1).
    seed : int >= 0 or numpy.random.Generator, default=0
        Seed of the shuffle within each class.

    Returns
    -------
    train_idx, test_idx : ndarray of int
        Sorted indices into ``labels``; disjoint, together they cover every sample.

    Raises
    ------
    ValueError
        ``labels`` not 1-D or empty, ``test_fraction`` outside (0, 1) or so small (large) that the test (train)
        set would be empty, a bad ``seed``.
    """
    labels = np.asarray(labels)
    if labels.ndim != 1:
        raise ValueError(f"labels must be 1-D of shape (n_samples,), got shape {labels.shape}")
    if labels.size == 0:
        raise ValueError("labels is empty: there is nothing to split")
    check_positive(test_fraction, "test_fraction")
    if test_fraction >= 1:
        raise ValueError(f"test_fraction must be in (0, 1), got {test_fraction!r}")
    rng = as_generator(seed)
    test = []
    for c in np.unique(labels):
        members = rng.permutation(np.flatnonzero(labels == c))
        test.append(members[: int(round(test_fraction * members.size))])
    test_idx = np.sort(np.concatenate(test))
    train_idx = np.setdiff1d(np.arange(labels.size), test_idx)
    if test_idx.size == 0 or train_idx.size == 0:
        empty = "test" if test_idx.size == 0 else "train"
        raise ValueError(f"test_fraction={test_fraction!r} leaves the {empty} set empty (it is rounded per class, "
                         f"and the largest class has {max(np.unique(labels, return_counts=True)[1])} samples); "
                         f"choose a fraction nearer 0.5")
    return train_idx, test_idx


def load_digits(split="all", *, test_fraction=0.25, seed=0, size=8, flatten=False, dtype=np.float64):
    """Load the shipped handwritten digits as grey images in [0, 1] with their labels.

    Parameters
    ----------
    split : {"all", "train", "test"}, default="all"
        Which part to return. "train" and "test" come from :func:`stratified_split` with ``test_fraction`` and
        ``seed``, so the same seed always gives the same, disjoint parts.
    test_fraction : float, default=0.25
        Fraction of each class held out as the test set.
    seed : int >= 0 or numpy.random.Generator, default=0
        Seed of the train/test split (not of anything else).
    size : int, default=8
        Side of the returned images. 8 is the data's own resolution; a larger value (e.g. 16) upsamples every
        image by cubic-spline interpolation (``scipy.ndimage.zoom``, clipped back to [0, 1]). Upsampling adds no
        information; it only makes shifts and rotations smoother on the pixel grid.
    flatten : bool, default=False
        Return images as rows of shape (size * size,) instead of (size, size).
    dtype : numpy floating dtype, default=float64
        Floating type of the images (an integer type would round the values in [0, 1] away and is refused).

    Returns
    -------
    images : ndarray of shape (n_samples, size, size), or (n_samples, size * size) if ``flatten``
        Pixel values divided by 16, so in [0, 1]; 1 = all pixels of the original 4 x 4 block were ink.
    labels : ndarray of int64 of shape (n_samples,)
        Digit shown, 0..9.

    Notes
    -----
    1,797 images from 13 writers (the UCI test partition), about 180 per class; with the default
    ``test_fraction`` the train part has 1,347 images and the test part 450.
    """
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
    check_positive(size, "size", integer=True)
    if size < 8:
        raise ValueError(f"size must be >= 8 (the data's resolution), got {size}")
    try:
        floating = np.issubdtype(np.dtype(dtype), np.floating)
    except TypeError:
        floating = False
    if not floating:
        raise ValueError(f"dtype must be a floating type such as np.float32 or np.float64 (the pixel values are "
                         f"in [0, 1]), got {dtype!r}")
    with np.load(DIGITS_PATH, allow_pickle=False) as data:
        images = data["images"].astype(np.float64) / DIGITS_MAX
        labels = data["labels"].astype(np.int64)
    if split != "all":
        train_idx, test_idx = stratified_split(labels, test_fraction=test_fraction, seed=seed)
        keep = train_idx if split == "train" else test_idx
        images, labels = images[keep], labels[keep]
    if size != 8:
        images = np.clip(ndimage.zoom(images, (1, size / 8, size / 8), order=3, grid_mode=True,
                                      mode="grid-constant"), 0.0, 1.0)
    images = images.astype(dtype, copy=False)
    if flatten:
        images = images.reshape(len(images), -1)
    return images, labels
