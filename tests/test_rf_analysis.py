"""RF analysis recovers what was put in: stripe segments of known edges, Gabor parameters of known Gabors, and
the closed-form values of sparseness and kurtosis; the kurtosis test finds a planted heavy-tailed direction."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from lnn_utils.plotting.rf import (  # noqa: E402
    RINGACH_REGION,
    overlay_segments,
    plot_gabor_fit,
    plot_nx_ny,
    plot_orientation_frequency,
    plot_segments,
)
from lnn_utils.rf_analysis import (  # noqa: E402
    GaborFit,
    boundary_mask,
    excess_kurtosis,
    extract_segment,
    extract_segments,
    find_boundary,
    fit_gabor,
    fit_gabors,
    gabor,
    gabor_table,
    kurtosis_test,
    orientation_of,
    orientation_statistics,
    response_change,
    segment_from_points,
    treves_rolls_sparseness,
    rf_similarity,
    group_rfs,
)
from lnn_utils.rf_analysis.gabor_fit import _grid, _jacobian, _model  # noqa: E402

SIZE = 16
ROWS, COLS = np.indices((SIZE, SIZE), dtype=float)


def angle_error(a, b):
    """Distance between two orientations in degrees, modulo 180."""
    return abs((a - b + 90.0) % 180.0 - 90.0)


def screen_edge(theta_deg, size=SIZE):
    """+1 on one side and -1 on the other of a line through the patch centre, built in screen coordinates.

    On screen (up positive) the line runs along (cos t, sin t); one step up on screen is one row *less*.
    """
    t = np.radians(theta_deg)
    c = (size - 1) / 2
    x_screen, y_screen = COLS - c, -(ROWS - c)
    side = x_screen * np.sin(t) - y_screen * np.cos(t)  # cross product with the line direction
    return np.where(side > 0, 1.0, -1.0)


# --- conventions -------------------------------------------------------------------------------------------


def test_orientation_is_counter_clockwise_on_screen():
    assert orientation_of(1, -1) == pytest.approx(45)  # right and one row up: up-right on screen
    assert orientation_of(1, 1) == pytest.approx(135)  # right and one row down
    assert orientation_of(0, 1) == pytest.approx(90)
    assert orientation_of(0, -1) == pytest.approx(90)
    assert orientation_of(-1, 0) == pytest.approx(0)
    assert orientation_of(-1e-17, 1) == pytest.approx(90)


def test_gabor_stripes_follow_the_screen_orientation():
    wide = dict(frequency=0.15, sigma_x=50.0, sigma_y=50.0)
    g0 = gabor(SIZE, orientation=0, **wide)
    np.testing.assert_allclose(g0, g0[:, :1] * np.ones(SIZE), atol=0.03)  # horizontal stripes: rows constant
    g90 = gabor(SIZE, orientation=90, **wide)
    np.testing.assert_allclose(g90, np.ones((SIZE, 1)) * g90[:1], atol=0.03)  # vertical stripes
    g45 = gabor(SIZE, orientation=45, **wide)
    # One pixel right and one row up (up-right on screen) stays on the same stripe ...
    np.testing.assert_allclose(g45[1:, :-1], g45[:-1, 1:], atol=0.03)
    # ... but one pixel right and one row down crosses stripes.
    assert np.abs(g45[:-1, :-1] - g45[1:, 1:]).max() > 0.5


def test_gabor_renders_its_formula():
    p = dict(amplitude=2.0, x0=6.5, y0=8.0, orientation=30.0, frequency=0.12, phase=0.7, sigma_x=2.0, sigma_y=4.0)
    g = gabor((SIZE, SIZE + 2), **p)
    r, c = 3, 11
    t = np.radians(30.0)
    xp = (c - 6.5) * np.sin(t) + (r - 8.0) * np.cos(t)
    yp = (c - 6.5) * np.cos(t) - (r - 8.0) * np.sin(t)
    expected = 2.0 * np.exp(-xp**2 / 8.0 - yp**2 / 32.0) * np.cos(2 * np.pi * 0.12 * xp + 0.7)
    assert g.shape == (SIZE, SIZE + 2)
    assert g[r, c] == pytest.approx(expected)


# --- stripe segment ----------------------------------------------------------------------------------------


def test_boundary_of_a_vertical_step_edge():
    rf = np.where(COLS < 8, 1.0, -1.0)
    pts = find_boundary(rf)
    assert pts.shape == (2 * SIZE, 2)
    assert set(pts[:, 0]) == {7.0, 8.0}  # x = column: the two columns either side of the edge
    assert sorted(set(pts[:, 1])) == list(range(SIZE))


def test_vectorised_boundary_matches_the_pixel_by_pixel_rule():
    rng = np.random.default_rng(3)
    rfs = rng.choice([-1.0, 0.0, 0.0, 1.0], size=(3, 9, 11)) * rng.uniform(0.5, 1.5, size=(3, 9, 11))
    mask = boundary_mask(rfs, threshold=0.7)
    for k, rf in enumerate(np.where(np.abs(rfs) > 0.7, rfs, 0.0)):
        for i in range(9):
            for j in range(11):
                block = rf[max(i - 1, 0) : i + 2, max(j - 1, 0) : j + 2]
                assert mask[k, i, j] == ((block > 0).any() and (block < 0).any())


@pytest.mark.parametrize("theta", [0, 20, 45, 60, 90, 110, 135, 160])
def test_segment_of_a_straight_edge(theta):
    seg = extract_segment(screen_edge(theta))
    assert seg.valid and seg.method == "tls"
    assert angle_error(seg.orientation, theta) < 3
    t = np.radians(theta)
    chord = (SIZE - 1) / max(abs(np.cos(t)), abs(np.sin(t)))  # the line through the centre, inside the patch
    assert seg.length == pytest.approx(chord, abs=1.5)
    np.testing.assert_allclose(seg.centre, [7.5, 7.5], atol=0.75)


def test_up_right_edge_is_45_degrees_from_bottom_left_to_top_right():
    rf = np.where(COLS + ROWS > 15, 1.0, -1.0)  # edge from (x=0, y=15) bottom-left to (15, 0) top-right
    seg = extract_segment(rf.ravel())  # a flat weight vector works too
    assert seg.orientation == pytest.approx(45)
    assert seg.length == pytest.approx(15 * np.sqrt(2))
    # Up to the half-pixel offset of the boundary band, which is clipped unevenly at the corners.
    np.testing.assert_allclose(seg.start, [0, 15], atol=0.5)
    np.testing.assert_allclose(seg.end, [15, 0], atol=0.5)
    assert extract_segment(np.where(COLS > ROWS, 1.0, -1.0)).orientation == pytest.approx(135)


def test_ols_fails_on_a_vertical_stripe_where_tls_does_not():
    rf = np.where(COLS < 8, 1.0, -1.0)
    tls = extract_segment(rf, method="tls")
    ols = extract_segment(rf, method="ols")
    assert tls.orientation == pytest.approx(90) and tls.length == pytest.approx(15)
    # The two-pixel-wide vertical band has cov(x, y) = 0: y = a x + b comes out horizontal and 1 px long.
    assert ols.orientation == pytest.approx(0) and ols.length == pytest.approx(1)
    single_column = segment_from_points(np.column_stack([np.full(5, 3.0), np.arange(5.0)]), method="ols")
    assert not single_column.valid and np.isnan(single_column.orientation)
    # Away from vertical both agree.
    rf30 = screen_edge(30)
    assert angle_error(extract_segment(rf30, method="ols").orientation, 30) < 5


def test_threshold_removes_weak_weights_before_the_boundary():
    rng = np.random.default_rng(0)
    rf = np.where(COLS < 8, 1.0, -1.0) * (np.abs(COLS - 7.5) < 3) + rng.uniform(-0.1, 0.1, (SIZE, SIZE))
    noisy = extract_segment(rf, threshold=0.0)
    clean = extract_segment(rf, threshold=0.2)
    assert noisy.n_points > 100  # weak noise of both signs makes boundary pixels everywhere
    assert clean.n_points == 2 * SIZE and clean.orientation == pytest.approx(90) and clean.threshold == 0.2
    with pytest.raises(ValueError, match="threshold"):
        extract_segment(rf, threshold=-1.0)


def test_undefined_segment_is_flagged_not_raised():
    seg = extract_segment(np.ones((SIZE, SIZE)))
    assert seg.n_points == 0 and not seg.valid and np.isnan(seg.length) and np.isnan(seg.orientation)
    assert not segment_from_points([[3.0, 4.0]]).valid
    with pytest.raises(ValueError, match="method"):
        extract_segment(np.ones((4, 4)), method="lsq")
    with pytest.raises(ValueError, match="square"):
        extract_segment(np.ones(15))


def test_extract_segments_equals_one_by_one():
    rfs = np.stack([screen_edge(t) for t in (10, 80, 150)] + [np.ones((SIZE, SIZE))])
    many = extract_segments(rfs.reshape(4, -1), threshold=0.5)
    assert repr(many) == repr([extract_segment(rf, 0.5) for rf in rfs])  # repr: NaN fields compare equal
    assert [s.valid for s in many] == [True, True, True, False]


@pytest.mark.parametrize("theta", [0, 30, 90, 150])
def test_segment_of_an_odd_gabor_runs_along_its_stripes(theta):
    g = gabor(SIZE, orientation=theta, frequency=0.1, phase=np.pi / 2, sigma_x=2.5, sigma_y=4.0, x0=7.5, y0=7.5)
    seg = extract_segment(g, threshold=0.1 * np.abs(g).max())
    assert angle_error(seg.orientation, theta) < 5


# --- Gabor fit ---------------------------------------------------------------------------------------------


def test_analytic_jacobian_matches_finite_differences():
    X, Y = _grid((SIZE, SIZE))
    p = np.array([1.3, 7.2, 8.1, 0.7, 0.13, 0.4, 2.5, 3.7])
    eps = 1e-6
    numeric = np.column_stack([(_model(p + eps * e, X, Y) - _model(p - eps * e, X, Y)) / (2 * eps) for e in np.eye(8)])
    np.testing.assert_allclose(_jacobian(p, X, Y), numeric, atol=1e-7)


@pytest.mark.parametrize(
    "theta, frequency, phase, sigma_x, sigma_y",
    [(0, 0.12, 0.0, 3.0, 4.0), (90, 0.15, np.pi / 2, 2.5, 3.0), (45, 0.2, 1.0, 2.0, 4.0),
     (135, 0.1, -2.0, 3.5, 3.0), (30, 0.25, np.pi / 2, 2.0, 3.0), (170, 0.12, 2.5, 4.0, 2.5)],
)
def test_fit_recovers_a_noisy_synthetic_gabor(theta, frequency, phase, sigma_x, sigma_y):
    params = dict(orientation=theta, frequency=frequency, phase=phase, sigma_x=sigma_x, sigma_y=sigma_y,
                  x0=7.3, y0=8.2, amplitude=1.5)
    rng = np.random.default_rng(int(theta))
    rf = gabor(SIZE, **params) + 0.02 * rng.standard_normal((SIZE, SIZE))
    fit = fit_gabor(rf)
    assert fit.success and fit.r2 > 0.95
    assert angle_error(fit.orientation, theta) < 5
    assert fit.frequency == pytest.approx(frequency, rel=0.10)
    assert fit.sigma_x == pytest.approx(sigma_x, rel=0.15) and fit.sigma_y == pytest.approx(sigma_y, rel=0.15)
    assert (fit.x0, fit.y0) == pytest.approx((7.3, 8.2), abs=0.3)
    assert fit.amplitude == pytest.approx(1.5, rel=0.1)
    assert fit.nx == pytest.approx(fit.sigma_x * fit.frequency) and fit.ny == pytest.approx(fit.sigma_y * fit.frequency)


def test_fit_result_is_canonical_and_self_consistent():
    # Negative amplitude and an orientation beyond 180 describe the same image as a canonical Gabor.
    rf = gabor(SIZE, amplitude=-1.0, orientation=200.0, frequency=0.15, phase=0.3, sigma_x=3.0, sigma_y=3.0)
    fit = fit_gabor(rf.ravel())
    assert fit.r2 > 0.999
    assert fit.amplitude > 0 and 0 <= fit.orientation < 180 and -np.pi < fit.phase <= np.pi
    assert fit.orientation == pytest.approx(20.0, abs=0.1)
    np.testing.assert_allclose(fit.model, rf, atol=1e-4)
    np.testing.assert_allclose(fit.render(), fit.model)
    assert fit.r2 == pytest.approx(1 - np.sum((rf - fit.model) ** 2) / np.sum((rf - rf.mean()) ** 2))


def test_pure_noise_gives_a_low_r2():
    rng = np.random.default_rng(7)
    fits = fit_gabors(rng.standard_normal((4, SIZE * SIZE)), n_starts=3)
    r2 = gabor_table(fits)["r2"]
    assert r2.shape == (4,) and np.all(r2 < 0.3)


def test_hard_rfs_are_reported_not_raised():
    fit = fit_gabor(np.zeros((SIZE, SIZE)))
    assert not fit.success and fit.r2 == 0.0 and np.isnan(fit.orientation)
    assert np.isnan(fit.render()).all()
    delta = np.zeros((SIZE, SIZE))
    delta[4, 9] = -2.0
    with np.errstate(divide="raise", invalid="raise"):  # no 0 / 0 on the way
        blob = fit_gabor(delta)
    assert blob.success and blob.r2 > 0.9 and (blob.x0, blob.y0) == pytest.approx((9, 4), abs=0.1)
    with pytest.raises(ValueError, match="NaN"):
        fit_gabor(np.full((SIZE, SIZE), np.nan))
    with pytest.raises(ValueError, match="2-D"):
        fit_gabor(np.ones((2, 4, 4)))
    with pytest.raises(ValueError, match="jac"):
        fit_gabor(np.eye(4), jac="3-point")


# --- response statistics -----------------------------------------------------------------------------------


def test_treves_rolls_closed_forms():
    rng = np.random.default_rng(0)
    n = 400_000
    assert treves_rolls_sparseness(np.abs(rng.standard_normal(n))) == pytest.approx(2 / np.pi, abs=0.005)
    assert treves_rolls_sparseness(rng.exponential(size=n)) == pytest.approx(0.5, abs=0.005)
    one_hot = np.zeros((10, 3))
    one_hot[:2, 0] = 5.0
    np.testing.assert_allclose(treves_rolls_sparseness(one_hot + [0, 1, 0], axis=0)[:2], [0.2, 1.0])
    assert treves_rolls_sparseness(one_hot, axis=1).shape == (10,)
    with pytest.raises(ValueError, match="non-negative"):
        treves_rolls_sparseness([1.0, -1.0])


def test_excess_kurtosis_closed_forms():
    rng = np.random.default_rng(1)
    samples = np.column_stack([rng.standard_normal(1_000_000), rng.laplace(size=1_000_000),
                               rng.uniform(size=1_000_000)])
    np.testing.assert_allclose(excess_kurtosis(samples, axis=0), [0.0, 3.0, -1.2], atol=0.2)
    assert excess_kurtosis(samples[:, 1], axis=None) == pytest.approx(3.0, abs=0.2)


def _planted_laplacian(n=20_000, d=8, seed=0):
    """Patches with one unit-variance Laplacian source among Gaussian ones, mixed by a random rotation."""
    rng = np.random.default_rng(seed)
    S = rng.standard_normal((n, d))
    S[:, 0] = rng.laplace(scale=1 / np.sqrt(2), size=n)
    Q, _ = np.linalg.qr(rng.standard_normal((d, d)))
    return S @ Q.T, Q


def test_kurtosis_test_finds_the_heavy_tailed_direction():
    X, Q = _planted_laplacian()
    n_random = 400
    res = kurtosis_test(10 * Q[:, 0], X, n_random=n_random, seed=1)  # scale of w is irrelevant
    assert res.statistic == pytest.approx(3.0, abs=1.0)  # Laplacian; the estimate's sd is ~0.35 at n = 20000
    assert res.p_value == pytest.approx(1 / (n_random + 1))  # beats every random direction
    gaussian = kurtosis_test(Q[:, 1], X, n_random=n_random, seed=1)
    assert gaussian.p_value > 0.5  # less kurtotic than random directions, which pick up part of the Laplacian
    assert gaussian.p_value == pytest.approx((1 + np.sum(gaussian.null >= gaussian.statistic)) / (1 + n_random))
    two = kurtosis_test(Q[:, 1], X, n_random=n_random, seed=1, alternative="two-sided")
    assert two.p_value == pytest.approx(min(1.0, 2 * min(gaussian.p_value, 1 - gaussian.p_value + 1 / 401)))


def test_kurtosis_test_is_calibrated_for_random_directions():
    X, _ = _planted_laplacian(seed=2)
    W = np.random.default_rng(5).standard_normal((200, X.shape[1]))
    res = kurtosis_test(W, X, n_random=300, seed=6, chunk_elements=1_000_000)
    assert res.p_value.shape == (200,) and res.null.shape == (300,)
    assert 0.0 < np.mean(res.p_value < 0.05) < 0.12  # about 5 % false positives under the null
    single = kurtosis_test(W[3], X, n_random=300, seed=6)
    assert single.p_value == pytest.approx(res.p_value[3])
    with pytest.raises(ValueError, match="w must have shape"):
        kurtosis_test(np.ones(5), X)


def test_kurtosis_test_is_reproducible_by_default_and_checks_its_seed():
    X, Q = _planted_laplacian(seed=3)
    w = Q[:, 0] + Q[:, 1]  # a mixture: a p-value strictly between the extremes, so a different null shows
    first, again = kurtosis_test(w, X, n_random=200), kurtosis_test(w, X, n_random=200)
    np.testing.assert_array_equal(first.null, again.null)
    assert first.p_value == again.p_value == kurtosis_test(w, X, n_random=200, seed=0).p_value
    assert not np.array_equal(first.null, kurtosis_test(w, X, n_random=200, seed=1).null)
    for bad, error in ((None, ValueError), (-1, ValueError), (1.5, TypeError), ([0, 1], TypeError)):
        with pytest.raises(error, match="seed"):
            kurtosis_test(w, X, n_random=10, seed=bad)


def test_response_change():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((50, 16))
    a, b = rng.standard_normal(16), rng.standard_normal(16)
    np.testing.assert_allclose(response_change(a, b, X), X @ b - X @ a)
    assert response_change(np.stack([a, b]), np.stack([b, a]), X).shape == (50, 2)


# --- plots -------------------------------------------------------------------------------------------------


def test_segment_plots_draw_the_segments_where_they_are():
    rf = np.where(COLS + ROWS > 15, 1.0, -1.0)
    seg = extract_segment(rf)
    fig = plot_segments(rf, [seg, extract_segment(np.ones((SIZE, SIZE)))], points=find_boundary(rf))
    line = fig.axes[0].lines[1]  # after the boundary points
    np.testing.assert_allclose(line.get_xydata(), [seg.start, seg.end])
    plt.close(fig)
    segs = extract_segments(np.stack([screen_edge(t) for t in (0, 45, 90)]))
    fig, ax = plt.subplots()
    assert overlay_segments(segs, ax=ax, color_by="orientation") is fig
    coll = ax.collections[0]
    assert len(coll.get_segments()) == 3 and ax.get_ylim() == (15.5, -0.5)  # row 0 at the top
    np.testing.assert_allclose(coll.get_array(), [s.orientation for s in segs])
    plt.close(fig)
    with pytest.raises(ValueError, match="color_by"):
        overlay_segments(segs, color_by=[1, 2])


def test_gabor_plots():
    rfs = [gabor(SIZE, orientation=t, frequency=0.15, sigma_x=2.5, sigma_y=3.5) for t in (10, 100)]
    fits = [fit_gabor(rf) for rf in rfs]
    fig = plot_gabor_fit(rfs[0], fits[0])
    assert len(fig.axes) == 4  # 3 panels and a colour bar
    np.testing.assert_allclose(fig.axes[2].images[0].get_array(), rfs[0] - fits[0].model)
    plt.close(fig)
    fig = plot_nx_ny(fits + [fit_gabor(np.zeros((SIZE, SIZE)))])
    ax = fig.axes[0]
    np.testing.assert_allclose(ax.patches[0].get_xy()[:-1], RINGACH_REGION)
    np.testing.assert_allclose(ax.lines[0].get_xdata(), [f.nx for f in fits])
    assert "left out" in ax.get_title()
    plt.close(fig)
    fig = plot_orientation_frequency(fits)
    assert sum(p.get_height() for p in fig.axes[0].patches) == 2
    plt.close(fig)


def test_peak_frequency_is_the_fitted_frequency_for_an_even_gabor_and_stays_defined_for_an_edge():
    # an even Gabor with several cycles under its envelope: the spectrum peaks at its own frequency
    even = GaborFit(1.0, 8.0, 8.0, 30.0, 0.2, 0.0, 4.0, 4.0, 1.0, 0.8, 0.8, np.zeros((16, 16)))
    assert even.peak_frequency == pytest.approx(0.2, abs=2e-3)
    assert even.nx_peak == pytest.approx(4.0 * even.peak_frequency)
    # an odd Gabor whose frequency went to ~0 is a derivative of a Gaussian: its spectrum peaks at 1/(2 pi sigma)
    edge = GaborFit(1.0, 8.0, 8.0, 30.0, 1e-4, np.pi / 2, 3.0, 6.0, 1.0, 3e-4, 6e-4, np.zeros((16, 16)))
    assert edge.nx < 1e-3
    assert edge.peak_frequency == pytest.approx(1.0 / (2.0 * np.pi * 3.0), rel=0.01)
    assert edge.ny_peak == pytest.approx(6.0 / (2.0 * np.pi * 3.0), rel=0.01)
    # both agree with the discrete Fourier transform of the profile across the stripes
    x = np.arange(-2048, 2048)
    for fit in (even, edge):
        profile = np.exp(-x**2 / (2 * fit.sigma_x**2)) * np.cos(2 * np.pi * fit.frequency * x + fit.phase)
        k = np.fft.rfftfreq(x.size)
        assert k[np.argmax(np.abs(np.fft.rfft(profile)))] == pytest.approx(fit.peak_frequency, abs=5e-4)
    failed = GaborFit(*([np.nan] * 11), np.zeros((16, 16)), success=False)
    assert np.isnan(failed.peak_frequency)


# ------------------------------------------------------------------------------------ similarity of RFs
def test_rf_similarity_is_the_cosine_and_ignores_the_norm():
    rng = np.random.default_rng(3)
    W = rng.standard_normal((5, 64))
    S = rf_similarity(W * rng.uniform(0.5, 3.0, size=(5, 1)))
    U = W / np.linalg.norm(W, axis=1, keepdims=True)
    np.testing.assert_allclose(S, U @ U.T, atol=1e-12)
    np.testing.assert_allclose(np.diag(S), 1.0)
    assert rf_similarity(np.stack([W[0], -W[0]]))[0, 1] == pytest.approx(-1.0)
    assert rf_similarity(np.stack([W[0], -W[0]]), absolute=True)[0, 1] == pytest.approx(1.0)
    # random unit vectors in N dimensions: E|cos| = sqrt(2 / (pi N)) for large N
    R = rf_similarity(rng.standard_normal((200, 256)), absolute=True)
    assert R[np.triu_indices(200, 1)].mean() == pytest.approx(np.sqrt(2 / (np.pi * 256)), rel=0.05)


def test_rf_similarity_rejects_zero_rows_and_wrong_shapes():
    with pytest.raises(ValueError, match="all-zero"):
        rf_similarity(np.zeros((2, 4)))
    with pytest.raises(ValueError):
        rf_similarity(np.ones(4))


def test_group_rfs_finds_the_planted_groups_biggest_first():
    rng = np.random.default_rng(4)
    centres = rng.standard_normal((3, 100))
    members = [0, 1, 1, 2, 1, 0, 1]  # group 1 is the biggest (4), then 0 (2), then 2 (1)
    W = centres[members] + 0.05 * rng.standard_normal((len(members), 100))
    labels = group_rfs(W, 0.9)
    np.testing.assert_array_equal(labels, [1, 0, 0, 2, 0, 1, 0])
    # the sign matters: -w is another RF for a rectified neuron
    assert group_rfs(np.stack([centres[0], -centres[0]]), 0.9).tolist() == [0, 1]
    with pytest.raises(ValueError, match="min_similarity"):
        group_rfs(W, 1.5)


# ------------------------------------------------------------------------------- orientations of a population
def test_orientation_statistics_treat_0_and_180_degrees_as_the_same():
    same = orientation_statistics([30.0] * 10)
    assert same.R == pytest.approx(1.0) and same.mean == pytest.approx(30.0)
    assert same.std == pytest.approx(0.0, abs=1e-6)
    assert same.p < 1e-3
    wrapped = orientation_statistics([175.0, 5.0, 178.0, 2.0])  # all near horizontal
    assert wrapped.R > 0.95 and min(wrapped.mean, 180 - wrapped.mean) < 0.5
    crossed = orientation_statistics([0.0, 90.0, 45.0, 135.0])  # doubled angles cancel exactly
    assert crossed.R == pytest.approx(0.0, abs=1e-12) and crossed.p == pytest.approx(1.0)
    assert np.isnan(orientation_statistics([12.0, np.nan]).R)  # fewer than 2 defined orientations


def test_orientation_statistics_match_the_von_mises_closed_forms_and_the_rayleigh_limit():
    rng = np.random.default_rng(0)
    # doubled angles from a von Mises distribution with kappa = 2: E[R] = I1(2) / I0(2) = 0.6978
    theta = np.degrees(rng.vonmises(np.radians(2 * 70.0), 2.0, size=20000) / 2) % 180
    s = orientation_statistics(theta)
    assert s.R == pytest.approx(0.6978, abs=0.01) and s.mean == pytest.approx(70.0, abs=1.0)
    assert s.std == pytest.approx(np.degrees(np.sqrt(-2 * np.log(s.R)) / 2))
    # for many uniform orientations R ~ sqrt(pi / (4 n)) and p is not small; for large n, p -> exp(-n R^2)
    R = [orientation_statistics(rng.uniform(0, 180, 200)).R for _ in range(300)]
    assert np.mean(R) == pytest.approx(np.sqrt(np.pi / (4 * 200)), rel=0.1)
    t = orientation_statistics(rng.uniform(0, 160, 200))  # a weak preference: n R^2 of order 1
    assert 0.5 < 200 * t.R**2 < 10 and t.p == pytest.approx(np.exp(-200 * t.R**2), rel=0.02)
    p_uniform = np.array([orientation_statistics(rng.uniform(0, 180, 50)).p for _ in range(400)])
    assert 0.02 < np.mean(p_uniform < 0.05) < 0.09  # a calibrated test rejects about 5 % of uniform samples
