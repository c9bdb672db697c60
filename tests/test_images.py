"""Loading, whitening and patch extraction: the data a Hebbian neuron sees."""

import numpy as np
import pytest
from PIL import Image

from lnn_utils.images import (NATURAL_IMAGES_DIR, load_images, radial_power_spectrum, standardize, whiten,
                              whitening_gain, whitening_filter)
from lnn_utils.patches import extract_patches


def _pink_noise(shape, exponent, seed):
    """Gaussian noise whose power spectrum is exactly 1/f**exponent (random phases)."""
    rng = np.random.default_rng(seed)
    fy = np.fft.fftfreq(shape[0])[:, None]
    fx = np.fft.fftfreq(shape[1])[None, :]
    f = np.sqrt(fx**2 + fy**2)
    f[0, 0] = 1.0
    spectrum = np.fft.fft2(rng.standard_normal(shape)) * f ** (-exponent / 2)
    spectrum[0, 0] = 0
    return np.real(np.fft.ifft2(spectrum))


def test_bundled_images_are_large_grey_natural_photographs():
    images, names = load_images(return_names=True)
    assert len(images) >= 10
    assert len(set(names)) == len(names)
    for image in images:
        assert image.ndim == 2 and min(image.shape) >= 512
        assert 0.0 <= image.min() < image.max() <= 1.0
    total = sum(p.stat().st_size for p in NATURAL_IMAGES_DIR.iterdir())
    assert total < 10e6
    sources = (NATURAL_IMAGES_DIR / "SOURCES.md").read_text()
    for name in names:
        assert f"`{name}.png`" in sources, f"{name}.png has no provenance entry in SOURCES.md"


def test_bundled_images_have_natural_power_spectrum():
    # Natural images have power ~ 1/f^alpha with alpha near 2 (Field 1987); blur and downsampling of some of these
    # photographs steepen it, so each slope is allowed in [-3.5, -1], their median in [-3, -1.5].
    slopes = []
    for image in load_images():
        f, p = radial_power_spectrum(image)
        keep = (f > 0.01) & (f < 0.2)
        slopes.append(np.polyfit(np.log(f[keep]), np.log(p[keep]), 1)[0])
    assert all(-3.5 < s < -1.0 for s in slopes), slopes
    assert -3.0 < np.median(slopes) < -1.5


def test_radial_power_spectrum_recovers_known_exponent():
    image = _pink_noise((256, 256), exponent=2.0, seed=0)
    f, p = radial_power_spectrum(image)
    slope = np.polyfit(np.log(f), np.log(p), 1)[0]
    assert slope == pytest.approx(-2.0, abs=0.1)


def test_whiten_flattens_a_one_over_f_squared_spectrum():
    image = _pink_noise((256, 256), exponent=2.0, seed=1)
    white = whiten(image, f0=0.4)
    assert white.mean() == pytest.approx(0.0, abs=1e-10)
    assert white.std() == pytest.approx(1.0)
    f, p = radial_power_spectrum(white)
    keep = (f > 0.02) & (f < 0.2)  # below the cut-off the filter R(f) = f * exp(-(f/f0)^4) is ~ f
    slope = np.polyfit(np.log(f[keep]), np.log(p[keep]), 1)[0]
    assert abs(slope) < 0.3
    # above the cut-off power falls steeply
    assert p[f > 0.45].mean() < 0.2 * p[keep].mean()


def _blurred(image, sigma):
    """Gaussian blur by multiplication in the frequency domain (steepens the spectrum at high frequency)."""
    fy = np.fft.fftfreq(image.shape[0])[:, None]
    fx = np.fft.fftfreq(image.shape[1])[None, :]
    kernel = np.exp(-2 * (np.pi * sigma) ** 2 * (fx**2 + fy**2))
    return np.real(np.fft.ifft2(np.fft.fft2(image) * kernel))


def _flatness(image, low=0.01, high=0.3):
    """max / min of the radial power spectrum between ``low`` and ``high`` cycles per pixel."""
    f, p = radial_power_spectrum(image)
    keep = (f >= low) & (f <= high)
    return p[keep].max() / p[keep].min()


def test_whiten_flattens_blurred_and_steep_spectra_where_a_fixed_filter_cannot():
    # A 1/f^2 image blurred by 1 px (a photograph with a little defocus) and a 1/f^3 image: the measured-spectrum
    # whitening is flat within a factor of 3 between 0.01 and 0.3 cycles/pixel (the roll-off exp(-2 (f/f0)^4)
    # alone accounts for 1.9 at 0.3); Olshausen & Field's fixed filter, exact only for 1/f^2, is not.
    for image in (_blurred(_pink_noise((512, 512), 2.0, seed=2), 1.0), _pink_noise((512, 512), 3.0, seed=3)):
        assert _flatness(whiten(image)) < 3.0
        assert _flatness(whiten(image, method="olshausen_field")) > 5.0


def test_whitened_power_follows_the_roll_off():
    # P(f) G(f)^2 = exp(-2 (f/f0)^4): the whitened spectrum, normalised at low f, follows the roll-off.
    image = _pink_noise((512, 512), 2.4, seed=4)
    f, p = radial_power_spectrum(whiten(image, f0=0.3))
    low = (f > 0.01) & (f < 0.05)
    ratio = p / p[low].mean()
    for f_test in (0.2, 0.3, 0.4):
        k = np.argmin(np.abs(f - f_test))
        assert ratio[k] == pytest.approx(np.exp(-2 * (f[k] / 0.3) ** 4), rel=0.35, abs=0.02)


def test_whiten_leaves_no_border_artefacts():
    # An image whose opposite borders differ strongly (a ramp plus 1/f^2 texture). Without padding, the periodic
    # FFT turns the jump between opposite borders into a bright frame; mirror padding removes it.
    image = np.linspace(0, 30, 256)[None, :] + np.linspace(0, 20, 256)[:, None] + _pink_noise((256, 256), 2.0, 6)

    def frame_to_interior(white, width=3):
        interior = white[width:-width, width:-width]
        frame = np.concatenate([white[:width].ravel(), white[-width:].ravel(), white[:, :width].ravel(),
                                white[:, -width:].ravel()])
        return frame.std() / interior.std()

    assert frame_to_interior(whiten(image)) < 1.5
    assert frame_to_interior(whiten(image, pad=0)) > 2.0


def test_whitening_gain_is_zero_at_dc_and_inverse_amplitude_below_f0():
    image = standardize(_pink_noise((128, 128), 2.0, seed=7))
    gain = whitening_gain(image, pad=0)
    assert gain[0, 0] == 0.0 and np.all(gain >= 0)
    f = np.sqrt(np.fft.fftfreq(128)[:, None] ** 2 + np.fft.fftfreq(128)[None, :] ** 2)
    # for an exact 1/f^2 power spectrum, 1/sqrt(P) ~ f: the gain grows linearly with f below the roll-off
    mid = (f > 0.05) & (f < 0.15)
    slope = np.polyfit(np.log(f[mid]), np.log(gain[mid]), 1)[0]
    assert slope == pytest.approx(1.0, abs=0.15)


def test_whiten_rejects_bad_arguments():
    image = _pink_noise((64, 64), 2.0, seed=8)
    with pytest.raises(ValueError, match="method"):
        whiten(image, method="zca")
    with pytest.raises(ValueError, match="pad"):
        whiten(image, pad=64)
    with pytest.raises(ValueError, match="f0"):
        whiten(image, f0=-1)
    with pytest.raises(ValueError, match="NaN"):
        whiten(np.full((16, 16), np.nan))


def test_bundled_patches_are_white_like_the_courses_images():
    # The notebooks' pipeline. The course's pre-whitened images give a first principal component carrying 4.0 %
    # of the variance and PC1/PC2 = 1.04; a residual uniform "blob" direction would show up as a large PC1.
    X = extract_patches([whiten(im) for im in load_images()], 16, 2000)
    eigenvalues = np.linalg.eigvalsh(X.T @ X / len(X))[::-1]
    assert eigenvalues[0] / eigenvalues.sum() <= 0.04
    assert eigenvalues[0] / eigenvalues[1] <= 1.15
    # and the uniform patch is not a privileged direction: its variance is within 2x of the median of the top 50
    u = np.ones(256) / 16
    assert u @ (X.T @ X / len(X)) @ u < 2 * np.median(eigenvalues[:50])


def test_whitening_filter_formula():
    f = np.array([0.0, 0.1, 0.4, 0.5])
    np.testing.assert_allclose(whitening_filter(f, f0=0.4), f * np.exp(-((f / 0.4) ** 4)))
    with pytest.raises(ValueError, match="f0"):
        whitening_filter(f, f0=0.0)


def test_whitened_natural_patches_are_heavy_tailed():
    white = whiten(load_images()[0])
    X = extract_patches(white, 16, 2000)
    kurt = np.mean(X**4) / np.mean(X**2) ** 2 - 3
    assert kurt > 2.0  # a Gaussian would give 0


def test_standardize():
    image = np.arange(12.0).reshape(3, 4) * 3 + 7
    z = standardize(image)
    assert z.mean() == pytest.approx(0) and z.std() == pytest.approx(1)
    with pytest.raises(ValueError, match="constant"):
        standardize(np.ones((4, 4)))
    with pytest.raises(ValueError, match="2-D"):
        standardize(np.ones((2, 3, 3)))


def test_load_own_folder_converts_colour_and_skips_other_files(tmp_path):
    rgb = np.zeros((20, 30, 3), np.uint8)
    rgb[..., 0] = 255
    Image.fromarray(rgb).save(tmp_path / "red.png")
    (tmp_path / "notes.txt").write_text("not an image")
    images, names = load_images(tmp_path, return_names=True)
    assert names == ["red"]
    assert images[0].shape == (20, 30)
    assert images[0].mean() == pytest.approx(round(0.299 * 255) / 255, abs=1e-9)


def test_load_keeps_the_full_range_of_16_bit_and_float_files(tmp_path):
    ramp = np.linspace(0, 65535, 256 * 256).round().astype(np.uint16).reshape(256, 256)
    Image.fromarray(ramp).save(tmp_path / "ramp16.png")
    Image.fromarray(ramp).save(tmp_path / "ramp16.tif")
    floats = np.linspace(-3.0, 5.0, 64 * 32, dtype=np.float32).reshape(64, 32)
    Image.fromarray(floats).save(tmp_path / "white.tif")
    images, names = load_images(tmp_path, return_names=True)
    loaded = dict(zip(names, images))
    for key in ("ramp16",):
        assert len(np.unique(loaded[key])) > 60_000  # an 8-bit conversion would leave at most 256 levels
        np.testing.assert_allclose(loaded[key], ramp / 65535.0)
    png16 = load_images(tmp_path / "ramp16.png")[0]
    tif16 = load_images(tmp_path / "ramp16.tif")[0]
    np.testing.assert_array_equal(png16, tif16)
    np.testing.assert_allclose(loaded["white"], floats)  # float files keep their values, negative ones included


def test_load_reads_8_bit_bmp_and_van_hateren_raw_files(tmp_path):
    grey = (np.arange(40 * 60) % 251).astype(np.uint8).reshape(40, 60)
    Image.fromarray(grey).save(tmp_path / "course.bmp")
    np.testing.assert_allclose(load_images(tmp_path / "course.bmp")[0], grey / 255.0)
    raw = (np.arange(1024 * 1536, dtype=np.uint32) * 37 % 4096).astype(">u2")
    raw.tofile(tmp_path / "imk00001.iml")
    image = load_images(tmp_path / "imk00001.iml")[0]
    assert image.shape == (1024, 1536)
    np.testing.assert_allclose(image.ravel(), raw.astype(float) / 65535.0)
    raw[:100].tofile(tmp_path / "short.iml")
    with pytest.raises(ValueError, match="short.iml holds 100 16-bit values"):
        load_images(tmp_path / "short.iml")


def test_load_rejects_what_is_not_a_path(tmp_path):
    with pytest.raises(TypeError, match="path must be None, a folder or file path"):
        load_images(5)
    Image.fromarray(np.zeros((20, 20), np.uint8)).save(tmp_path / "a.png")
    with pytest.raises(ValueError, match="is a folder; pass a folder on its own"):
        load_images([tmp_path])
    with pytest.raises(TypeError, match="every entry of the list must be a file path"):
        load_images([tmp_path / "a.png", 3])


def test_colour_arrays_are_refused_by_extract_patches():
    rgb = np.random.default_rng(0).random((40, 40, 3))
    with pytest.raises(ValueError, match="colour image"):
        extract_patches(rgb, 8, 10)
    with pytest.raises(ValueError, match="colour image"):
        extract_patches([rgb], 8, 10)
    with pytest.raises(ValueError, match="NaN"):
        extract_patches(np.full((20, 20), np.nan), 8, 10)


def test_load_errors_name_the_problem(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load_images(tmp_path / "missing")
    with pytest.raises(ValueError, match="contains no image"):
        load_images(tmp_path)
    (tmp_path / "broken.png").write_text("this is text, not a PNG")
    with pytest.raises(ValueError, match="broken.png is not a readable image"):
        load_images(tmp_path)


def test_grid_patches_match_direct_slicing():
    image = np.arange(40 * 50, dtype=float).reshape(40, 50)
    X = extract_patches(image, patch_size=8, n_per_image=30)
    assert X.shape == (30, 64)
    # every row is a real patch: find its top-left corner from the first value and compare
    for row in X:
        r, c = divmod(int(row[0]), 50)
        np.testing.assert_array_equal(row, image[r : r + 8, c : c + 8].ravel())
    # the grid spans the whole image, corners included
    firsts = X[:, 0].astype(int)
    assert firsts.min() == 0 and firsts.max() == (40 - 8) * 50 + (50 - 8)
    assert len(np.unique(firsts)) == 30


def test_random_patches_are_reproducible_and_need_a_seed():
    images = [np.random.default_rng(0).standard_normal((32, 32)), np.ones((20, 24))]
    a = extract_patches(images, 4, 100, grid=False, seed=3)
    b = extract_patches(images, 4, 100, grid=False, seed=3)
    c = extract_patches(images, 4, 100, grid=False, seed=4)
    assert a.shape == (200, 16)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    np.testing.assert_array_equal(a[100:], 1.0)  # second image's patches come second
    with pytest.raises(ValueError, match="seed"):
        extract_patches(images, 4, 10, grid=False)


def test_patch_errors():
    image = np.zeros((10, 12))
    with pytest.raises(ValueError, match="smaller than patch_size=16"):
        extract_patches(image, 16, 5)
    with pytest.raises(ValueError, match="patch_size"):
        extract_patches(image, 0, 5)
    with pytest.raises(ValueError, match="n_per_image"):
        extract_patches(image, 4, -1)
    with pytest.raises(ValueError, match="distinct"):
        extract_patches(image, 4, 10_000)
