"""Loading, whitening and patch extraction: the data a Hebbian neuron sees."""

import numpy as np
import pytest
from PIL import Image

from lnn_utils.images import (NATURAL_IMAGES_DIR, load_images, radial_power_spectrum, standardize, whiten,
                              whitening_filter)
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
    # Natural images have power ~ 1/f^alpha with alpha near 2 (Field 1987); out-of-focus parts of some of these
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
