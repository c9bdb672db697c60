"""The switching-Gaussian learners and the surprise measures of notebook 08 (Liakoni et al. 2021)."""

import itertools
import warnings

import numpy as np
import pytest
from scipy import stats

from lnn_utils.surprise import (
    exact_bayes,
    exact_bayes_details,
    fit_leaky_omega,
    fit_var_smile_m,
    leaky_integrator,
    mean_squared_error,
    particle_filter,
    switching_gaussian,
    theoretical_m,
    var_smile,
)
from lnn_utils.surprise.measures import (
    adaptation_rate,
    bayes_factor_surprise,
    change_detection_auc,
    shannon_from_bayes_factor,
    shannon_surprise,
)


def brute_force_filter(y, sigma, p_change, mu0=0.0, sigma0=1.0):
    """Posterior mean of μ_T and log evidence of y_0..y_T by summing over all 2^T change configurations.

    Independent of the run-length recursion: each configuration splits y into segments, each segment's
    observations are jointly Gaussian N(μ₀ 1, σ² I + σ₀² 1 1ᵀ), and the last segment gives the posterior of μ_T.
    """
    n = len(y)
    weights, means = [], []
    for changes in itertools.product([0, 1], repeat=n - 1):
        starts = [0] + [t + 1 for t, c in enumerate(changes) if c]
        bounds = starts + [n]
        log_w = sum(changes) * np.log(p_change) + (n - 1 - sum(changes)) * np.log1p(-p_change)
        for a, b in zip(bounds[:-1], bounds[1:]):
            k = b - a
            cov = sigma ** 2 * np.eye(k) + sigma0 ** 2 * np.ones((k, k))
            log_w += stats.multivariate_normal(mean=np.full(k, mu0), cov=cov).logpdf(y[a:b])
        last = y[starts[-1]:]
        prec = 1 / sigma0 ** 2 + len(last) / sigma ** 2
        means.append((mu0 / sigma0 ** 2 + last.sum() / sigma ** 2) / prec)
        weights.append(log_w)
    weights = np.array(weights)
    log_z = np.logaddexp.reduce(weights)
    return float(np.sum(np.exp(weights - log_z) * np.array(means))), float(log_z)


# ------------------------------------------------------------------------------------------------ the task
def test_switching_gaussian_statistics():
    sigma, p = 0.5, 0.02
    y, mu = switching_gaussian(200_000, sigma=sigma, p_change=p, mu0=1.0, sigma0=2.0, seed=3)
    # a new mean is drawn with probability p_c; the draw equals the old one with probability 0
    assert np.mean(np.diff(mu) != 0) == pytest.approx(p, rel=0.05)
    assert np.std(y - mu) == pytest.approx(sigma, rel=0.01)
    segment_means = mu[np.r_[True, np.diff(mu) != 0]]
    assert np.mean(segment_means) == pytest.approx(1.0, abs=0.1)
    assert np.std(segment_means) == pytest.approx(2.0, rel=0.05)


def test_switching_gaussian_is_reproducible():
    a = switching_gaussian(500, sigma=1.0, p_change=0.1, seed=7)
    b = switching_gaussian(500, sigma=1.0, p_change=0.1, seed=np.random.default_rng(7))
    np.testing.assert_array_equal(a[0], b[0])
    assert not np.array_equal(a[0], switching_gaussian(500, sigma=1.0, p_change=0.1, seed=8)[0])


# -------------------------------------------------------------------------------------------- exact Bayes
@pytest.mark.parametrize("sigma, p_change", [(0.5, 0.2), (2.0, 0.05), (0.3, 0.5)])
def test_exact_bayes_equals_brute_force_posterior(sigma, p_change):
    y, _ = switching_gaussian(8, sigma=sigma, p_change=p_change, seed=11)
    y = y + np.array([0, 0, 0, 1.5, 0, 0, -1, 0])  # make change points plausible
    res = exact_bayes_details(y, sigma=sigma, p_change=p_change, cutoff=0.0)
    previous = 0.0
    for t in range(1, len(y) + 1):
        mean, log_z = brute_force_filter(y[:t], sigma, p_change)
        assert res.mu_hat[t - 1] == pytest.approx(mean, abs=1e-10)
        # Shannon surprise = -ln P(y_t | past) = -(ln Z_t - ln Z_{t-1})
        assert res.shannon[t - 1] == pytest.approx(-(log_z - previous), abs=1e-9)
        previous = log_z
    # the default pruning (1e-16) changes nothing visible
    np.testing.assert_allclose(exact_bayes(y, sigma=sigma, p_change=p_change), res.mu_hat, atol=1e-12)


def test_exact_bayes_mse_matches_the_paper():
    # Liakoni et al. (2021), doc/data_final/heatmaps/gaussian_heatmap_bayesfilter.csv: sigma = 0.5, p_c = 0.01
    # gives 0.02301 (10 seeds x 1e5 steps); three seeds give a standard error of about 0.0004
    mses = []
    for seed in range(3):
        y, mu = switching_gaussian(100_000, sigma=0.5, p_change=0.01, seed=seed)
        mses.append(mean_squared_error(exact_bayes(y, sigma=0.5, p_change=0.01), mu))
    assert np.mean(mses) == pytest.approx(0.02301, abs=0.0015)
    # and a second cell of the table: sigma = 0.1, p_c = 0.1 gives 0.003350
    y, mu = switching_gaussian(100_000, sigma=0.1, p_change=0.1, seed=5)
    assert mean_squared_error(exact_bayes(y, sigma=0.1, p_change=0.1), mu) == pytest.approx(0.00335, rel=0.1)


def test_exact_bayes_without_changes_is_the_stationary_posterior():
    y, _ = switching_gaussian(300, sigma=0.7, p_change=0.0, mu0=0.5, sigma0=1.5, seed=2)
    t = np.arange(1, 301)
    closed_form = (0.5 / 1.5 ** 2 + np.cumsum(y) / 0.7 ** 2) / (1 / 1.5 ** 2 + t / 0.7 ** 2)
    kw = dict(sigma=0.7, mu0=0.5, sigma0=1.5)
    np.testing.assert_allclose(exact_bayes(y, p_change=0.0, **kw), closed_form, rtol=1e-10)
    np.testing.assert_allclose(leaky_integrator(y, omega=1.0, **kw), closed_form, rtol=1e-10)
    np.testing.assert_allclose(var_smile(y, m=0.0, **kw)[0], closed_form, rtol=1e-10)


def test_exact_bayes_survives_huge_outliers_without_warnings():
    y = np.array([0.1, -0.05, 0.02, 400.0, 0.0, -400.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for p in (0.0, 0.01):
            res = exact_bayes_details(y, sigma=0.1, p_change=p)
            assert np.all(np.isfinite(res.mu_hat)) and np.all(np.isfinite(res.surprise))
            assert np.all(np.isfinite(res.shannon))
        mu_hat, s = var_smile(y, sigma=0.1, m=0.01)
        assert np.all(np.isfinite(mu_hat)) and np.all(np.isfinite(s))
        assert np.all(np.isfinite(particle_filter(y, sigma=0.1, p_change=0.01, n_particles=5)))
    # with p_c > 0 the observer follows the jump at once
    assert exact_bayes(y, sigma=0.1, p_change=0.01)[3] == pytest.approx(400.0 / (1 + 0.01), rel=1e-3)


# -------------------------------------------------------------------------------------------- surprise
def test_bayes_factor_surprise_is_one_when_prior_and_belief_agree():
    y = np.linspace(-10, 10, 41)
    s = bayes_factor_surprise(y, belief_mean=0.3, belief_var=2.0 ** 2, sigma=0.5, mu0=0.3, sigma0=2.0)
    np.testing.assert_allclose(s, 1.0, rtol=1e-12)
    # every learner starts from the prior: the first observation has S_BF = 1, whatever it is
    for y0 in (-3.0, 0.0, 8.0):
        obs = np.array([y0, 0.0])
        assert var_smile(obs, sigma=0.5, m=0.1)[1][0] == pytest.approx(1.0)
        assert exact_bayes_details(obs, sigma=0.5, p_change=0.1).surprise[0] == pytest.approx(1.0)
    # far from a confident belief, a change is the better explanation
    assert bayes_factor_surprise(3.0, belief_mean=0.0, belief_var=0.01, sigma=0.5) > 10


def test_shannon_surprise_and_its_relation_to_bayes_factor():
    y, mu = switching_gaussian(2000, sigma=0.5, p_change=0.05, seed=4)
    res = exact_bayes_details(y, sigma=0.5, p_change=0.05)
    # Eq. (1): S_Sh = -ln P(y; prior) - ln(p_c + (1 - p_c) / S_BF), for the exact (mixture) belief
    np.testing.assert_allclose(shannon_from_bayes_factor(res.surprise, y, sigma=0.5, p_change=0.05), res.shannon,
                               rtol=1e-9, atol=1e-9)
    # for a Gaussian belief, the direct definition agrees with Eq. (1)
    ys = np.linspace(-4, 4, 17)
    kw = dict(belief_mean=1.0, belief_var=0.04, sigma=0.5, mu0=0.0, sigma0=1.0)
    direct = shannon_surprise(ys, p_change=0.05, **kw)
    via_bf = shannon_from_bayes_factor(bayes_factor_surprise(ys, **kw), ys, sigma=0.5, p_change=0.05)
    np.testing.assert_allclose(direct, via_bf, rtol=1e-12)
    # -ln N(y; m, v + σ²) when the world never changes
    np.testing.assert_allclose(shannon_surprise(ys, p_change=0.0, **kw),
                               -stats.norm(1.0, np.sqrt(0.04 + 0.25)).logpdf(ys), rtol=1e-12)


def test_adaptation_rate_and_change_detection():
    np.testing.assert_allclose(adaptation_rate([0.0, 1.0, 1e6], 0.01), [0.0, 0.01 / 1.01, 1e4 / (1 + 1e4)])
    changes = np.zeros(100, bool)
    changes[::10] = True
    assert change_detection_auc(changes.astype(float), changes) == 1.0
    assert change_detection_auc(-changes.astype(float), changes) == 0.0
    # S_BF of the exact observer detects changes far above chance in a low-noise world
    y, mu = switching_gaussian(20_000, sigma=0.2, p_change=0.02, seed=1)
    res = exact_bayes_details(y, sigma=0.2, p_change=0.02)
    is_change = np.r_[False, np.diff(mu) != 0]
    assert change_detection_auc(np.log(res.surprise), is_change) > 0.9


# -------------------------------------------------------------------------------------- the heuristics
def test_var_smile_limits():
    y, _ = switching_gaussian(50, sigma=0.5, p_change=0.1, seed=0)
    # m -> infinity: γ -> 1, the belief restarts from the prior at every step (posterior after one observation)
    nu0 = 0.5 ** 2 / 1.0
    mu_hat, s = var_smile(y, sigma=0.5, m=1e12)
    np.testing.assert_allclose(mu_hat, y / (nu0 + 1), rtol=1e-6)
    # γ from the returned surprise is in [0, 1) and peaks where S_BF does
    gamma = adaptation_rate(s, 0.1)
    assert np.all((gamma >= 0) & (gamma < 1)) and np.argmax(gamma) == np.argmax(s)


def test_var_smile_with_fitted_m_beats_the_best_leaky_integrator():
    # paper (excess MSE over exact Bayes, sigma = 0.5, p_c = 0.01): VarSMiLe 0.0084, leaky integrator 0.0384
    kw = dict(sigma=0.5)
    train = [switching_gaussian(20_000, p_change=0.01, seed=s, **kw) for s in (10, 11)]
    omega, _ = fit_leaky_omega([a for a, _ in train], [b for _, b in train], **kw)
    m, _ = fit_var_smile_m([a for a, _ in train], [b for _, b in train], **kw)
    assert 0.5 < omega < 0.95 and 0.01 < m < 1
    excess_smile, excess_leaky = [], []
    for seed in (20, 21, 22):
        y, mu = switching_gaussian(20_000, p_change=0.01, seed=seed, **kw)
        exact = mean_squared_error(exact_bayes(y, p_change=0.01, **kw), mu)
        excess_smile.append(mean_squared_error(var_smile(y, m=m, **kw)[0], mu) - exact)
        excess_leaky.append(mean_squared_error(leaky_integrator(y, omega=omega, **kw), mu) - exact)
    excess_smile, excess_leaky = np.array(excess_smile), np.array(excess_leaky)
    assert np.all(excess_smile > 0) and np.all(excess_smile < 0.02)
    assert np.all(excess_leaky - excess_smile > 0.015)


def test_theoretical_m_can_lose_to_the_leaky_integrator():
    # with sigma = 2 (noisy observations), m = p_c / (1 - p_c) forgets far too rarely
    kw = dict(sigma=2.0)
    train = [switching_gaussian(20_000, p_change=0.01, seed=s, **kw) for s in (1, 2)]
    omega, _ = fit_leaky_omega([a for a, _ in train], [b for _, b in train], **kw)
    y, mu = switching_gaussian(20_000, p_change=0.01, seed=3, **kw)
    theory = mean_squared_error(var_smile(y, m=theoretical_m(0.01), **kw)[0], mu)
    leaky = mean_squared_error(leaky_integrator(y, omega=omega, **kw), mu)
    assert theory > leaky + 0.05


def test_fitted_omega_is_a_minimum():
    y, mu = switching_gaussian(10_000, sigma=1.0, p_change=0.02, seed=9)
    omega, mse = fit_leaky_omega(y, mu, sigma=1.0)
    assert mse == pytest.approx(mean_squared_error(leaky_integrator(y, omega=omega, sigma=1.0), mu))
    for other in (omega - 0.03, omega + 0.03):
        assert mean_squared_error(leaky_integrator(y, omega=other, sigma=1.0), mu) > mse


def test_particle_filter_approaches_exact_bayes():
    y, mu = switching_gaussian(3000, sigma=1.0, p_change=0.02, seed=6)
    exact = exact_bayes(y, sigma=1.0, p_change=0.02)
    gaps = []
    for n in (1, 10, 100, 1000):
        runs = [particle_filter(y, sigma=1.0, p_change=0.02, n_particles=n, seed=s) for s in range(3)]
        gaps.append(np.mean([np.mean((r - exact) ** 2) for r in runs]))
    assert all(a > 2 * b for a, b in zip(gaps[:-1], gaps[1:])), gaps
    assert gaps[-1] < 1e-3 * np.var(mu)
    # a one-particle world with p_c = 0 is the stationary posterior
    np.testing.assert_allclose(particle_filter(y, sigma=1.0, p_change=0.0, n_particles=1),
                               leaky_integrator(y, omega=1.0, sigma=1.0), rtol=1e-10)


def test_particle_filter_is_reproducible():
    y, _ = switching_gaussian(500, sigma=1.0, p_change=0.05, seed=0)
    a = particle_filter(y, sigma=1.0, p_change=0.05, n_particles=10, seed=3)
    np.testing.assert_array_equal(a, particle_filter(y, sigma=1.0, p_change=0.05, n_particles=10, seed=3))
    assert not np.array_equal(a, particle_filter(y, sigma=1.0, p_change=0.05, n_particles=10, seed=4))


# ------------------------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("call, match", [
    (lambda y: exact_bayes(y, sigma=0.0, p_change=0.1), "sigma"),
    (lambda y: exact_bayes(y, sigma=-1.0, p_change=0.1), "sigma"),
    (lambda y: exact_bayes(y, sigma=1.0, p_change=1.0), "p_change"),
    (lambda y: exact_bayes(y, sigma=1.0, p_change=-0.1), "p_change"),
    (lambda y: particle_filter(y, sigma=1.0, p_change=1.5, n_particles=3), "p_change"),
    (lambda y: particle_filter(y, sigma=1.0, p_change=0.1, n_particles=0), "n_particles"),
    (lambda y: leaky_integrator(y, omega=0.0, sigma=1.0), "omega"),
    (lambda y: leaky_integrator(y, omega=1.2, sigma=1.0), "omega"),
    (lambda y: var_smile(y, sigma=1.0, m=-0.1), "m must"),
    (lambda y: var_smile(y, sigma=1.0, m=0.1, sigma0=0.0), "sigma0"),
    (lambda y: switching_gaussian(10, sigma=1.0, p_change=1.0), "p_change"),
    (lambda y: switching_gaussian(0, sigma=1.0, p_change=0.1), "n_steps"),
    (lambda y: exact_bayes_details(y, sigma=1.0, p_change=0.1, cutoff=0.5), "cutoff"),
])
def test_bad_parameters_are_named(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call(np.zeros(5))


@pytest.mark.parametrize("learner", [
    lambda y: exact_bayes(y, sigma=1.0, p_change=0.1),
    lambda y: leaky_integrator(y, omega=0.9, sigma=1.0),
    lambda y: var_smile(y, sigma=1.0, m=0.1),
    lambda y: particle_filter(y, sigma=1.0, p_change=0.1, n_particles=4),
])
def test_bad_observations_are_rejected(learner):
    with pytest.raises(ValueError, match="empty"):
        learner(np.array([]))
    with pytest.raises(ValueError, match="NaN"):
        learner(np.array([0.0, np.nan, 1.0]))
    with pytest.raises(ValueError, match="1-D"):
        learner(np.zeros((2, 3)))


def test_bad_surprise_inputs():
    with pytest.raises(ValueError, match="p_change"):
        shannon_surprise(0.0, belief_mean=0.0, belief_var=1.0, sigma=1.0, p_change=1.0)
    with pytest.raises(ValueError, match="belief_var"):
        bayes_factor_surprise(0.0, belief_mean=0.0, belief_var=-1.0, sigma=1.0)
    with pytest.raises(ValueError, match="both"):
        change_detection_auc(np.zeros(3), np.zeros(3, bool))
    with pytest.raises(ValueError, match="m must"):
        adaptation_rate(1.0, -1.0)


# ------------------------------------------------------------------------------------------------- plots
def test_plot_helpers_draw_what_they_are_given():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from lnn_utils.plotting.surprise import (plot_excess_heatmap, plot_mean_band, plot_surprise_trace,
                                             plot_volatile_world)

    excess = np.array([[0.1, 0.2, 0.3], [0.0, 0.05, 0.4]])
    fig = plot_excess_heatmap(excess, [1.0, 0.5], [0.1, 0.01, 0.001], fmt="{:.2f}")
    ax = fig.axes[0]
    assert sorted(t.get_text() for t in ax.texts) == sorted(f"{v:.2f}" for v in excess.ravel())
    np.testing.assert_array_equal(ax.images[0].get_array(), excess)
    runs = np.array([[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]])
    fig = plot_mean_band([0, 1], runs)
    np.testing.assert_allclose(fig.axes[0].lines[0].get_ydata(), [2.0, 3.0])
    with pytest.raises(ValueError, match="band"):
        plot_mean_band([0, 1], runs, band="sd")
    y, mu = switching_gaussian(50, sigma=0.5, p_change=0.1, seed=0)
    fig = plot_volatile_world(y, mu, {"leaky": leaky_integrator(y, omega=0.8, sigma=0.5)})
    assert len(fig.axes[0].lines) == 3
    _, s = var_smile(y, sigma=0.5, m=0.1)
    fig = plot_surprise_trace(s, adaptation_rate(s, 0.1), np.r_[False, np.diff(mu) != 0])
    assert len(fig.axes) == 2
    plt.close("all")
