"""Natural images: loading, standardisation and the Olshausen & Field whitening filter.

The bundled photographs live in ``data/natural_images/`` (provenance in its ``SOURCES.md``). Images are returned
as 2-D float64 arrays with grey values in [0, 1]; rows run downwards and columns to the right, as ``imshow`` shows
them.

References
----------
Olshausen, B. A. & Field, D. J. (1996). Emergence of simple-cell receptive field properties by learning a sparse
code for natural images. *Nature* 381:607-609 (whitening filter R(f) = f exp(-(f/f0)^4)).
Field, D. J. (1987). Relations between the statistics of natural images and the response properties of cortical
cells. *J Opt Soc Am A* 4:2379-2394 (the 1/f^2 power spectrum).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

from ._validation import check_positive

#: Folder of the bundled natural images.
DATA_DIR = Path(__file__).resolve().parent.parent / "data"
NATURAL_IMAGES_DIR = DATA_DIR / "natural_images"
MAN_MADE_IMAGES_DIR = DATA_DIR / "man_made_images"

#: File name endings read as images; other files in a folder (e.g. SOURCES.md) are ignored.
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".gif", ".webp", ".pgm", ".ppm")


def _read_grey(path):
    try:
        with Image.open(path) as im:
            grey = im.convert("L")
    except (UnidentifiedImageError, OSError) as exc:
        raise ValueError(f"{path} is not a readable image ({exc.__class__.__name__}: {exc}); "
                         f"remove it from the folder or convert it to PNG") from exc
    return np.asarray(grey, dtype=np.float64) / 255.0


def load_images(path=None, *, return_names=False):
    """Load grayscale images as float arrays in [0, 1].

    Parameters
    ----------
    path : str or Path or sequence of them, optional
        A folder (every file whose name ends in one of :data:`IMAGE_SUFFIXES` is read, sorted by name), a single
        image file, or a list of files. Default: the bundled natural images, ``data/natural_images/``.
        Colour images are converted to grey (ITU-R 601-2 luma).
    return_names : bool, default=False
        Also return the file stems (e.g. ``"forest_path"``), in the same order.

    Returns
    -------
    images : list of ndarray of shape (height, width)
        Grey values in [0, 1].
    names : list of str
        Only when ``return_names`` is True.

    Raises
    ------
    FileNotFoundError
        The folder or file does not exist.
    ValueError
        The folder holds no image file, or a file cannot be decoded as an image.
    """
    if path is None:
        path = NATURAL_IMAGES_DIR
    if isinstance(path, (str, Path)):
        path = Path(path)
        if not path.exists():
            raise FileNotFoundError(f"image path {path} does not exist; pass a folder of images or an image file")
        if path.is_dir():
            files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)
            if not files:
                raise ValueError(f"folder {path} contains no image file (looked for {', '.join(IMAGE_SUFFIXES)})")
        else:
            files = [path]
    else:
        files = [Path(p) for p in path]
        if not files:
            raise ValueError("path is an empty list; pass at least one image file")
        for p in files:
            if not p.is_file():
                raise FileNotFoundError(f"image file {p} does not exist")
    images = [_read_grey(p) for p in files]
    if return_names:
        return images, [p.stem for p in files]
    return images


def standardize(image):
    """Return the image shifted and scaled to zero mean and unit variance.

    Parameters
    ----------
    image : array_like of shape (height, width)

    Returns
    -------
    ndarray of shape (height, width)
        ``(image - mean) / std``.
    """
    image = _as_image(image)
    std = image.std()
    if std == 0:
        raise ValueError("image is constant (zero variance); it carries no structure to standardise")
    return (image - image.mean()) / std


def _as_image(image):
    image = np.asarray(image, dtype=np.float64)
    if image.ndim != 2:
        raise ValueError(f"image must be 2-D (height, width), got shape {image.shape}; convert colour images to grey")
    if not np.all(np.isfinite(image)):
        raise ValueError("image contains NaN or infinite values")
    return image


def spatial_frequencies(shape):
    """Radial spatial frequency |f| (cycles per pixel) of each coefficient of ``np.fft.fft2`` for ``shape``.

    Parameters
    ----------
    shape : tuple of int
        (height, width).

    Returns
    -------
    ndarray of shape (height, width)
        ``sqrt(fx**2 + fy**2)``, between 0 and ``sqrt(0.5)`` (0.5 is the Nyquist frequency along an axis).
    """
    fy = np.fft.fftfreq(shape[0])[:, None]
    fx = np.fft.fftfreq(shape[1])[None, :]
    return np.sqrt(fx**2 + fy**2)


def whitening_filter(freqs, f0=0.4):
    """The Olshausen & Field (1996) whitening filter ``R(f) = f exp(-(f/f0)^4)``.

    The ramp ``f`` undoes the ``1/f`` amplitude spectrum of natural images (flat power: "white"); the factor
    ``exp(-(f/f0)^4)`` cuts the highest frequencies, where sampling artefacts and noise dominate.

    Parameters
    ----------
    freqs : ndarray
        Spatial frequencies in cycles per pixel.
    f0 : float, default=0.4
        Cut-off in cycles per pixel (Olshausen & Field used 200 cycles per 512-pixel picture, i.e. about 0.4).

    Returns
    -------
    ndarray, same shape as ``freqs``
    """
    check_positive(f0, "f0")
    return freqs * np.exp(-((freqs / f0) ** 4))


def whiten(image, f0=0.4, *, pad=16):
    """Whiten an image with the Olshausen & Field (1996) filter; the result has zero mean and unit variance.

    Computes ``ifft2(fft2(image) * R(|f|))`` with ``R(f) = f exp(-(f/f0)^4)`` (:func:`whitening_filter`). The
    image is first standardised and mirror-padded by ``pad`` pixels on each side, so that the periodic boundary of
    the FFT does not create bright artificial edges along the border; the padding is cut off afterwards.

    Parameters
    ----------
    image : array_like of shape (height, width)
    f0 : float, default=0.4
        Cut-off frequency in cycles per pixel (0.5 is the Nyquist frequency).
    pad : int, default=16
        Width of the mirror padding in pixels (0 for none).

    Returns
    -------
    ndarray of shape (height, width)
        The whitened image, standardised to zero mean and unit variance.
    """
    image = standardize(image)
    check_positive(pad, "pad", integer=True, allow_zero=True)
    padded = np.pad(image, pad, mode="symmetric") if pad else image
    spectrum = np.fft.fft2(padded) * whitening_filter(spatial_frequencies(padded.shape), f0)
    white = np.real(np.fft.ifft2(spectrum))
    if pad:
        white = white[pad:-pad, pad:-pad]
    return standardize(white)


def radial_power_spectrum(image, n_bins=40):
    """Power spectrum of an image averaged over orientations, in logarithmic frequency bins.

    Parameters
    ----------
    image : array_like of shape (height, width)
    n_bins : int, default=40
        Number of logarithmically spaced bins between 1/min(height, width) and 0.5 cycles per pixel.

    Returns
    -------
    freqs : ndarray of shape (n_valid,)
        Geometric centre of each non-empty bin, cycles per pixel.
    power : ndarray of shape (n_valid,)
        Mean of ``|fft2(image - mean)|^2 / (height * width)`` over the frequencies in the bin.
        Natural images follow ``power ~ 1/f^2`` (Field 1987); whitened images are flat up to ``f0``.
    """
    image = _as_image(image)
    check_positive(n_bins, "n_bins", integer=True)
    power2d = np.abs(np.fft.fft2(image - image.mean())) ** 2 / image.size
    f = spatial_frequencies(image.shape).ravel()
    edges = np.geomspace(1.0 / min(image.shape), 0.5, n_bins + 1)
    which = np.digitize(f, edges) - 1
    inside = (which >= 0) & (which < n_bins)
    total = np.bincount(which[inside], weights=power2d.ravel()[inside], minlength=n_bins)
    count = np.bincount(which[inside], minlength=n_bins)
    valid = count > 0
    centres = np.sqrt(edges[:-1] * edges[1:])
    return centres[valid], total[valid] / count[valid]
