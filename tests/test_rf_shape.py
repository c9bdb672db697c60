"""RF shape measures recover what was put in: a uniform patch is a blob, a Gabor of frequency f peaks at f, an
edge at 1/(2 pi sigma), random directions have the closed-form |cos| with the uniform patch, and a planted
heavy-tailed direction is the one counted as more kurtotic than random."""

import numpy as np
import pytest

from lnn_utils.rf_analysis import (
    COURSE_TARGETS,
    gabor,
    rf_shape_summary,
    rf_similarity,
    spectral_peak,
    target_table,
    uniform_similarity,
)

P = 16


def test_uniform_patch_has_similarity_one_of_either_sign():
    assert uniform_similarity(np.ones(P * P)) == pytest.approx(1.0)
    assert uniform_similarity(-3.0 * np.ones((1, P, P)))[0] == pytest.approx(1.0)


def test_balanced_rfs_have_similarity_near_zero():
    odd = gabor(P, orientation=40.0, frequency=0.12, phase=np.pi / 2, sigma_x=3.0, sigma_y=3.0)
    checker = np.indices((P, P)).sum(axis=0) % 2 * 2.0 - 1.0
    assert uniform_similarity(np.stack([odd, checker])) == pytest.approx([0.0, 0.0], abs=1e-9)


def test_random_directions_match_the_closed_form():
    # |sum of p standard normals| / (sqrt(p) ||z||) -> |N(0, 1)| / sqrt(p): mean sqrt(2 / (pi p))
    U = np.random.default_rng(0).standard_normal((4000, P * P))
    assert uniform_similarity(U).mean() == pytest.approx(np.sqrt(2 / (np.pi * P * P)), rel=0.05)


def test_a_blob_on_an_edge_is_in_between():
    # w = cos(a) * uniform/16 + sin(a) * (zero-mean unit edge): |cos(w, uniform)| = cos(a)
    edge = gabor(P, orientation=0.0, frequency=0.02, phase=np.pi / 2, sigma_x=4.0, sigma_y=6.0)
    edge -= edge.mean()
    edge /= np.linalg.norm(edge)
    a = np.radians(60.0)
    w = np.cos(a) * np.ones((P, P)) / P + np.sin(a) * edge
    assert uniform_similarity(w.ravel()) == pytest.approx(np.cos(a), abs=1e-9)


@pytest.mark.parametrize("frequency", [0.1, 0.15, 0.25])
@pytest.mark.parametrize("orientation, phase", [(0.0, 0.0), (30.0, np.pi / 2), (100.0, 1.0)])
def test_gabor_of_frequency_f_peaks_at_f(frequency, orientation, phase):
    g = gabor(P, orientation=orientation, frequency=frequency, phase=phase, sigma_x=3.5, sigma_y=3.5)
    # resolution of the padded FFT is 1/64; the two spectral lobes at +-f overlap a little for even phases
    assert spectral_peak(g.ravel()) == pytest.approx(frequency, abs=1 / 64 + 0.005)


def test_edge_peaks_at_derivative_of_gaussian_frequency_and_blob_at_zero():
    sigma = 3.0
    edge = gabor(P, orientation=70.0, frequency=1e-4, phase=np.pi / 2, sigma_x=sigma, sigma_y=4.0)
    blob = gabor(P, frequency=1e-4, sigma_x=3.0, sigma_y=3.0)
    peaks = spectral_peak(np.stack([edge, blob]))
    assert peaks[0] == pytest.approx(1 / (2 * np.pi * sigma), abs=1 / 64)
    assert peaks[1] == 0.0
    assert spectral_peak(np.ones(P * P)) == 0.0


def test_flat_and_image_layouts_agree_and_shape_is_used():
    rng = np.random.default_rng(1)
    images = rng.standard_normal((5, 8, 12))
    flat = images.reshape(5, -1)
    np.testing.assert_array_equal(spectral_peak(images), spectral_peak(flat, shape=(8, 12)))
    np.testing.assert_allclose(uniform_similarity(images), uniform_similarity(flat, shape=(8, 12)))


def test_shape_errors_name_the_problem():
    with pytest.raises(ValueError, match="shape"):
        spectral_peak(np.ones((3, 250)))  # 250 pixels is not a square image
    with pytest.raises(ValueError, match="all-zero"):
        uniform_similarity(np.zeros((2, P * P)))
    with pytest.raises(ValueError, match="finite"):
        spectral_peak(np.full(P * P, np.nan))
    with pytest.raises(ValueError, match="n_fft"):
        spectral_peak(np.ones(P * P), n_fft=8)
    with pytest.raises(ValueError, match="population"):
        rf_shape_summary(np.ones(P * P))


def _planted_patches(n=20_000, p=16, seed=0):
    """Gaussian patches with one very heavy-tailed source along the direction e (returned)."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    e = rng.standard_normal(p)
    e /= np.linalg.norm(e)
    s = rng.laplace(size=n) ** 3
    s /= s.std()
    X += np.outer(s - X @ e, e)  # replace the Gaussian component along e by the heavy-tailed source
    return X, e


def test_summary_counts_blobs_peaks_similarity_and_planted_kurtosis():
    X, e = _planted_patches()
    rng = np.random.default_rng(2)
    others = rng.standard_normal((3, 16))
    others -= np.outer(others @ e, e)  # orthogonal to the planted direction: Gaussian responses
    uniform = np.ones(16) / 4.0
    W = np.vstack([e, others, uniform])
    summary = rf_shape_summary(W, X, n_random=200, seed=0)
    expected_blobs = np.sum(uniform_similarity(W) >= 0.3)
    assert summary.n_rfs == 5
    assert summary.n_non_blob == 5 - expected_blobs and expected_blobs >= 1
    assert summary.n_kurtotic == 1  # only the planted direction
    S = rf_similarity(W, absolute=True)
    assert summary.mean_abs_cos == pytest.approx(S[np.triu_indices(5, 1)].mean())
    assert rf_shape_summary(W).n_kurtotic == -1


def test_summary_of_gabor_population_and_of_identical_rfs():
    gabors = np.stack([gabor(P, orientation=o, frequency=0.15, phase=np.pi / 2, sigma_x=3.0, sigma_y=3.0).ravel()
                       for o in np.arange(0, 180, 18)])
    s = rf_shape_summary(gabors)
    assert s.n_non_blob == 10
    assert s.median_spectral_peak == pytest.approx(0.15, abs=1 / 64 + 0.005)
    quadrants = np.zeros((4, P, P))  # four edges in disjoint quadrants: orthogonal, mean |cos| exactly 0
    for k, (r, c) in enumerate([(0, 0), (0, 8), (8, 0), (8, 8)]):
        quadrants[k, r:r + 8, c:c + 8] = gabor(8, orientation=45.0 * k, frequency=0.15, phase=np.pi / 2)
    assert rf_shape_summary(quadrants).mean_abs_cos == pytest.approx(0.0, abs=1e-12)
    same = rf_shape_summary(np.vstack([gabors[:1]] * 4))
    assert same.mean_abs_cos == pytest.approx(1.0)


def test_target_table_compares_with_course_and_target():
    text = target_table({"pc1_share": 0.03, "fixed_non_blob": 17, "comp_mean_cos": 0.12}).splitlines()
    assert len(text) == 4
    rows = {line.split("  ")[0]: line for line in text[1:]}
    share = rows[COURSE_TARGETS["pc1_share"][0]]
    assert "0.030" in share and "0.040" in share and share.rstrip().endswith("yes")
    blobs = rows[COURSE_TARGETS["fixed_non_blob"][0]]
    assert "17/20" in blobs and blobs.rstrip().endswith("no")  # the target is 18 of 20
    assert rows[COURSE_TARGETS["comp_mean_cos"][0]].rstrip().endswith("yes")
    # counts out of another number of RFs are compared as fractions: 9 of 10 meets 18 of 20
    assert target_table({"fixed_non_blob": 9}, n_rfs=10).splitlines()[1].rstrip().endswith("yes")
    with pytest.raises(KeyError, match="unknown"):
        target_table({"pc1": 0.1})
    with pytest.raises(ValueError, match="finite"):
        target_table({"comp_peak": np.nan})
