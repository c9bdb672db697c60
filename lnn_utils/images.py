"""Natural images: loading, standardisation and whitening.

The bundled photographs live in ``data/natural_images/`` (provenance in its ``SOURCES.md``). Images are returned
as 2-D float64 arrays; rows run downwards and columns to the right, as ``imshow`` shows them.

:func:`whiten` is the one preprocessing of the receptive-field notebooks. It flattens each image's spectrum
from that image's own measured radial power spectrum (a photograph's spectrum is only roughly ``1/f^2``: blur,
depth of field and compression make it steeper, by different amounts in different images, so a single fixed
filter leaves some images with excess low-frequency power), then rolls off the highest frequencies with the
Olshausen & Field (1996) factor ``exp(-(f/f0)^4)``.

References
----------
Olshausen, B. A. & Field, D. J. (1996). Emergence of simple-cell receptive field properties by learning a sparse
code for natural images. *Nature* 381:607-609 (whitening filter R(f) = f exp(-(f/f0)^4)).
van Hateren, J. H. & van der Schaaf, A. (1998). Independent component filters of natural images compared with
simple cells in primary visual cortex. *Proc R Soc B* 265:359-366 (the image set of the course; raw ``.iml``).
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

#: File name endings read by Pillow; other files in a folder (e.g. SOURCES.md) are ignored.
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".gif", ".webp", ".pgm", ".ppm")
#: Raw van Hateren & van der Schaaf (1998) files: 1536 x 1024 pixels, big-endian unsigned 16-bit, no header.
VAN_HATEREN_SUFFIXES = (".iml", ".imc")
VAN_HATEREN_SHAPE = (1024, 1536)
_PIL_16_BIT_MODES = ("I;16", "I;16B", "I;16L", "I;16N")


def _read_van_hateren(path):
    data = np.fromfile(path, dtype=">u2")
    expected = VAN_HATEREN_SHAPE[0] * VAN_HATEREN_SHAPE[1]
    if data.size != expected:
        raise ValueError(f"{path} holds {data.size} 16-bit values, but a van Hateren {path.suffix} file holds "
                         f"{VAN_HATEREN_SHAPE[1]} x {VAN_HATEREN_SHAPE[0]} = {expected}; is it another format?")
    return data.reshape(VAN_HATEREN_SHAPE).astype(np.float64) / 65535.0


def _read_image(path):
    """One image file as a 2-D float64 array (see :func:`load_images` for the scaling of each kind)."""
    if path.suffix.lower() in VAN_HATEREN_SUFFIXES:
        return _read_van_hateren(path)
    try:
        with Image.open(path) as im:
            im.load()
            if im.mode in _PIL_16_BIT_MODES:
                return np.asarray(im).astype(np.float64) / 65535.0
            if im.mode == "I":  # 32-bit integer storage, e.g. 16-bit PNG in older Pillow versions
                values = np.asarray(im).astype(np.float64)
                return values / (65535.0 if values.min() >= 0 and values.max() <= 65535 else 1.0)
            if im.mode == "F":  # 32-bit float (e.g. a float TIFF): the values as stored
                return np.asarray(im).astype(np.float64)
            grey = im.convert("L")
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise ValueError(f"{path} is not a readable image ({exc.__class__.__name__}: {exc}); "
                         f"remove it from the folder or convert it to PNG") from exc
    return np.asarray(grey, dtype=np.float64) / 255.0


def _image_files(path):
    if isinstance(path, (str, Path)):
        path = Path(path)
        if not path.exists():
            raise FileNotFoundError(f"image path {path} does not exist; pass a folder of images, an image file, "
                                    f"or None for the bundled natural images")
        if not path.is_dir():
            return [path]
        suffixes = IMAGE_SUFFIXES + VAN_HATEREN_SUFFIXES
        files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in suffixes)
        if not files:
            raise ValueError(f"folder {path} contains no image file (looked for {', '.join(suffixes)})")
        return files
    if isinstance(path, (bytes, np.ndarray)) or not hasattr(path, "__iter__"):
        raise TypeError(f"path must be None, a folder or file path (str or pathlib.Path), or a list of image "
                        f"files, got {type(path).__name__}: {path!r}"[:300])
    files = []
    for p in path:
        if not isinstance(p, (str, Path)):
            raise TypeError(f"path: every entry of the list must be a file path (str or pathlib.Path), got "
                            f"{type(p).__name__}: {p!r}"[:300])
        p = Path(p)
        if p.is_dir():
            raise ValueError(f"path: {p} is a folder; pass a folder on its own (load_images({str(p)!r})), "
                             f"a list may only hold image files")
        if not p.is_file():
            raise FileNotFoundError(f"image file {p} does not exist")
        files.append(p)
    if not files:
        raise ValueError("path is an empty list; pass at least one image file")
    return files


def load_images(path=None, *, return_names=False):
    """Load grayscale images as 2-D float arrays.

    Parameters
    ----------
    path : str or Path or sequence of them, optional
        A folder (every file whose name ends in one of :data:`IMAGE_SUFFIXES` or :data:`VAN_HATEREN_SUFFIXES` is
        read, sorted by name), a single image file, or a list of files. Default (None): the bundled natural
        images, ``data/natural_images/``.
    return_names : bool, default=False
        Also return the file stems (e.g. ``"forest_path"``), in the same order.

    Returns
    -------
    images : list of ndarray of shape (height, width)
        Grey values as float64, scaled by kind of file, with the file's full precision kept:

        - 8-bit files (PNG, JPEG, BMP such as the course's pre-whitened images, ...): ``value / 255`` in [0, 1];
          colour and palette images are converted to grey first (ITU-R 601-2 luma, L = 0.299 R + 0.587 G +
          0.114 B);
        - 16-bit grey PNG or TIFF: ``value / 65535`` in [0, 1] (all 65,536 levels kept);
        - 32-bit float TIFF: the values as stored (e.g. already whitened data, negative values included);
        - van Hateren's raw ``.iml``/``.imc`` files (1536 x 1024, big-endian uint16, no header):
          ``value / 65535``, shape (1024, 1536).
    names : list of str
        Only when ``return_names`` is True.

    Raises
    ------
    TypeError
        ``path`` is not None, a path or a list of paths.
    FileNotFoundError
        The folder or a file does not exist.
    ValueError
        The folder holds no image file, a list holds a folder, or a file cannot be decoded as an image.
    """
    files = _image_files(NATURAL_IMAGES_DIR if path is None else path)
    images = [_read_image(p) for p in files]
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


def _radial_profile(power2d, freqs, n_bins):
    """Mean of ``power2d`` in ``n_bins`` logarithmic rings of radial frequency, and the rings' centres.

    Rings run from the lowest non-zero frequency of the grid to the corner frequency ``sqrt(0.5)``; empty rings
    are dropped. Returns ``(centres, means)``, both of shape (n_valid,).
    """
    f = freqs.ravel()
    lowest = f[f > 0].min()
    edges = np.geomspace(lowest * (1 - 1e-9), np.sqrt(0.5) * (1 + 1e-9), n_bins + 1)
    which = np.digitize(f, edges) - 1
    inside = (which >= 0) & (which < n_bins) & (f > 0)
    total = np.bincount(which[inside], weights=power2d.ravel()[inside], minlength=n_bins)
    count = np.bincount(which[inside], minlength=n_bins)
    valid = count > 0
    centres = np.sqrt(edges[:-1] * edges[1:])
    return centres[valid], total[valid] / count[valid]


def whitening_gain(image, f0=0.4, *, pad=64, n_bins=48):
    """The per-image whitening filter ``G(f) = exp(-(f/f0)^4) / sqrt(P(f))``, from the image's own spectrum.

    ``P(f)`` is the image's power spectrum averaged over orientations in logarithmic rings of radial frequency
    and interpolated (linearly in log f and log P) to every FFT frequency. Dividing the amplitude spectrum by
    ``sqrt(P)`` makes the power flat ("white") at every frequency, whatever the image's spectral slope, blur or
    depth of field; the Olshausen & Field (1996) roll-off ``exp(-(f/f0)^4)`` then removes the highest
    frequencies, where the power of a photograph is dominated by sensor noise, JPEG artefacts and aliasing, and
    where the flattening would amplify them most.

    Parameters
    ----------
    image : array_like of shape (height, width)
        Standardised (zero mean, unit variance) image, unpadded.
    f0 : float, default=0.4
        Roll-off frequency in cycles per pixel (0.5 is the Nyquist frequency along an axis).
    pad : int, default=64
        Mirror padding (pixels on each side) applied before the FFT, as in :func:`whiten`.
    n_bins : int, default=48
        Number of logarithmic frequency rings of the spectrum estimate.

    Returns
    -------
    gain : ndarray of shape (height + 2 pad, width + 2 pad)
        Real, non-negative filter on the ``np.fft.fft2`` grid of the padded image; 0 at f = 0 (the mean).
    """
    image = _as_image(image)
    check_positive(f0, "f0")
    check_positive(n_bins, "n_bins", integer=True)
    padded = _mirror_pad(image, pad)
    freqs = spatial_frequencies(padded.shape)
    power2d = np.abs(np.fft.fft2(padded)) ** 2 / padded.size
    centres, power = _radial_profile(power2d, freqs, n_bins)
    positive = power > 0
    if positive.sum() < 2:
        raise ValueError("image has (almost) no spatial structure: its power spectrum is zero at nearly every "
                         "frequency, so it cannot be whitened")
    log_p = np.interp(np.log(np.maximum(freqs, centres[0])), np.log(centres[positive]), np.log(power[positive]))
    gain = np.exp(-((freqs / f0) ** 4) - 0.5 * log_p)
    gain[0, 0] = 0.0
    return gain


def _mirror_pad(image, pad):
    check_positive(pad, "pad", integer=True, allow_zero=True)
    pad = int(pad)
    if pad > min(image.shape) - 1:
        raise ValueError(f"pad={pad} must be smaller than the image's shorter side {min(image.shape)}")
    return np.pad(image, pad, mode="reflect") if pad else image


#: Whitening methods of :func:`whiten`.
WHITENING_METHODS = ("measured", "olshausen_field")


def whiten(image, f0=0.4, *, method="measured", pad=64, n_bins=48):
    """Whiten an image: flatten its power spectrum up to ``f0``; the result has zero mean and unit variance.

    The one preprocessing of the receptive-field notebooks (``whiten(im) for im in load_images()``). Steps:

    1. standardise the image (zero mean, unit variance), so that every image weighs the same in the data set;
    2. mirror-pad it by ``pad`` pixels on each side (``np.pad(..., mode="reflect")``): the FFT treats the image
       as periodic, and the jump between opposite borders would otherwise become bright artificial edges;
    3. filter in the frequency domain, ``ifft2(fft2(padded) * G(f))``:

       - ``method="measured"`` (default): ``G(f) = exp(-(f/f0)^4) / sqrt(P(f))``, with ``P(f)`` the image's own
         radial power spectrum (:func:`whitening_gain`). The whitened power ``P(f) G(f)^2 = exp(-2 (f/f0)^4)``
         is flat below ``f0`` for *every* image, including photographs whose spectra are steeper than ``1/f^2``
         (blur, shallow depth of field) or differ from image to image;
       - ``method="olshausen_field"``: the fixed filter ``R(f) = f exp(-(f/f0)^4)`` of Olshausen & Field (1996)
         (:func:`whitening_filter`), exact only for an amplitude spectrum ``1/f`` (power ``1/f^2``);

    4. cut the padding off and standardise again.

    Parameters
    ----------
    image : array_like of shape (height, width)
    f0 : float, default=0.4
        Roll-off (cut-off) frequency in cycles per pixel (0.5 is the Nyquist frequency); Olshausen & Field used
        200 cycles per 512 pixels, about 0.4.
    method : {"measured", "olshausen_field"}, default="measured"
        Which filter (see above).
    pad : int, default=64
        Width of the mirror padding in pixels (0 for none).
    n_bins : int, default=48
        Frequency rings of the spectrum estimate (``method="measured"`` only).

    Returns
    -------
    ndarray of shape (height, width)
        The whitened image, standardised to zero mean and unit variance.

    Raises
    ------
    ValueError
        Not a 2-D finite image, a constant image, an unknown ``method``, or ``pad`` not smaller than the image.

    Examples
    --------
    >>> import numpy as np
    >>> image = np.cumsum(np.cumsum(np.random.default_rng(0).standard_normal((64, 64)), 0), 1)
    >>> white = whiten(image)
    >>> round(float(white.std()), 6)
    1.0
    """
    if method not in WHITENING_METHODS:
        raise ValueError(f"method must be one of {WHITENING_METHODS}, got {method!r}")
    image = standardize(image)
    check_positive(f0, "f0")
    padded = _mirror_pad(image, pad)
    if method == "measured":
        gain = whitening_gain(image, f0, pad=pad, n_bins=n_bins)
    else:
        gain = whitening_filter(spatial_frequencies(padded.shape), f0)
    white = np.real(np.fft.ifft2(np.fft.fft2(padded) * gain))
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
