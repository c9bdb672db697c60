"""Hebbian networks: the fast simulation (compiled kernels and numpy engine alike) equals the patch-by-patch rule,
and the rules do what theory says."""

import copy

import numpy as np
import pytest

import lnn_utils.blas as blas
import lnn_utils.hebbian.online as hebbian
from lnn_utils.hebbian import (
    NONLINEARITIES,
    CompetitiveNetwork,
    HebbianNetwork,
    SangerNetwork,
    get_nonlinearity,
)

N_IN = 12


@pytest.fixture(params=["compiled", "numpy"])
def engine(request, monkeypatch):
    """Run a test with the compiled kernels (numba) and with the numpy engine: both must be exact."""
    if request.param == "compiled":
        if not hebbian._compiled.available():
            pytest.skip("numba is not installed")
    else:
        monkeypatch.setattr(hebbian, "_USE_COMPILED", False)
    return request.param


def heavy_tailed(n=600, n_inputs=N_IN, seed=0):
    """Mixtures of Laplace sources: non-Gaussian inputs like whitened image patches, but small."""
    rng = np.random.default_rng(seed)
    sources = rng.laplace(size=(n, n_inputs))
    mixing = rng.standard_normal((n_inputs, n_inputs)) / np.sqrt(n_inputs) + np.eye(n_inputs)
    return sources @ mixing.T


def correlated_gaussian(n=4000, seed=0):
    """Gaussian data with covariance Q diag(8, 4, 2, 1, 0.5, ...) Q^T; returns X and the eigenvectors (columns)."""
    rng = np.random.default_rng(seed)
    variances = np.array([8.0, 4.0, 2.0, 1.0, 0.5, 0.4, 0.3, 0.2])
    Q, _ = np.linalg.qr(rng.standard_normal((8, 8)))
    X = (rng.standard_normal((n, 8)) * np.sqrt(variances)) @ Q.T
    return X, Q


# ------------------------------------------------------------------------ straightforward loops (the definition)


def naive_hebbian(X, n_iter, seed, n_neurons=1, nonlinearity="bcm", theta=1.0, tau=None, lr=1e-3,
                  normalization="explicit"):
    f = get_nonlinearity(nonlinearity)
    rng = np.random.default_rng(seed)
    W = rng.standard_normal((n_neurons, X.shape[1]))
    W /= np.linalg.norm(W, axis=1, keepdims=True)
    th = np.full(n_neurons, float(theta))
    idx = rng.integers(0, len(X), size=n_iter)
    for t in range(n_iter):
        x = X[idx[t]]
        u = W @ x
        y = np.maximum(u, 0.0)
        fu = f(u, th)
        if normalization == "explicit":
            W = W + lr * fu[:, None] * x[None, :]
            W = W / np.linalg.norm(W, axis=1, keepdims=True)
        else:
            W = W + lr * fu[:, None] * (x[None, :] - u[:, None] * W)
        if tau is not None:
            th = th + (y**2 - th) / tau
    return W, th


def naive_competitive(X, n_iter, seed, n, theta=1.0, tau_theta=None, phi=0.0, tau_phi=None, lr=1e-3, dt=0.1,
                      n_steps=10):
    rng = np.random.default_rng(seed)
    W = rng.standard_normal((n, X.shape[1]))
    W /= np.linalg.norm(W, axis=1, keepdims=True)
    V = np.abs(rng.standard_normal((n, n)))
    np.fill_diagonal(V, 0.0)
    th, ph = np.full(n, float(theta)), np.full(n, float(phi))
    idx = rng.integers(0, len(X), size=n_iter)
    for t in range(n_iter):
        x = X[idx[t]]
        h = W @ x
        u = h.copy()
        for _ in range(n_steps):
            u = u + dt * (-u + h - V @ np.maximum(u, 0.0))
        y = np.maximum(u, 0.0)
        W = W + lr * (y * (y - th))[:, None] * x[None, :]
        W = W / np.linalg.norm(W, axis=1, keepdims=True)
        V = np.maximum(V + lr * np.outer(y - ph, y), 0.0)
        np.fill_diagonal(V, 0.0)
        if tau_theta is not None:
            th = th + (y**2 - th) / tau_theta
        if tau_phi is not None:
            ph = ph + (y - ph) / tau_phi
    return W, V, th, ph


# ------------------------------------------------------------------------------------------------ nonlinearities


def test_nonlinearities_match_their_formulas():
    u = np.linspace(-3, 3, 13)
    theta = 0.7
    y = np.maximum(u, 0)
    expected = {
        "bcm": y * (y - theta),
        "relu_threshold": np.maximum(u - theta, 0),
        "linear": u,
        "quadratic_rectifier": np.maximum(u - theta, 0) ** 2,
        "cubic": u**3,
        "tanh": -np.tanh(u),
    }
    assert set(expected) == set(NONLINEARITIES)
    for name, values in expected.items():
        np.testing.assert_allclose(get_nonlinearity(name)(u, theta), values, err_msg=name)
    # BCM acts on the rectified y, not on u: a negative potential gives no plasticity, not u (u - θ) > 0
    assert get_nonlinearity("bcm")(np.array([-2.0]), 1.0)[0] == 0.0


def test_callables_receive_u_and_theta():
    u = np.array([-1.0, 2.0])
    np.testing.assert_allclose(get_nonlinearity(lambda v, th: v - th)(u, 1.0), [-2.0, 1.0])

    def keyword_only_extra(v, th, *, gain=2.0):
        return gain * v

    np.testing.assert_allclose(get_nonlinearity(keyword_only_extra)(u, 1.0), [-2.0, 4.0])


def test_unknown_nonlinearity_lists_the_valid_names():
    with pytest.raises(ValueError, match="'bcm'.*'tanh'"):
        HebbianNetwork(4, nonlinearity="sigmoid")
    with pytest.raises(TypeError):
        get_nonlinearity(3)


# ------------------------------------------------------------------------ exactness of the fast simulation


CONFIGS = [
    dict(nonlinearity="bcm", theta=1.0),
    dict(nonlinearity="bcm", theta=0.0, tau=100.0),
    dict(nonlinearity="relu_threshold", theta=0.5),
    dict(nonlinearity="quadratic_rectifier", theta=0.2, tau=30.0),
    dict(nonlinearity="cubic", lr=1e-4),
    dict(nonlinearity="tanh", normalization="oja"),
    dict(nonlinearity="linear", normalization="oja"),
    dict(nonlinearity=lambda u, theta: np.sin(u), normalization="explicit"),
]


@pytest.mark.parametrize("n_neurons", [1, 3])
@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: "-".join(str(v) for v in c.values())[:40])
def test_block_simulation_equals_the_patch_by_patch_loop(config, n_neurons, engine):
    X = heavy_tailed()
    config = dict(config)
    lr = config.pop("lr", 1e-3)
    W_ref, th_ref = naive_hebbian(X, 3000, 7, n_neurons=n_neurons, lr=lr, **config)
    net = HebbianNetwork(N_IN, n_neurons, learning_rate=lr, seed=7, **config).fit(X, 3000)
    assert np.abs(W_ref - HebbianNetwork(N_IN, n_neurons, seed=7).weights).max() > 0.05  # it did learn
    np.testing.assert_allclose(net.weights, W_ref, rtol=0, atol=1e-10)
    np.testing.assert_allclose(net.theta, th_ref, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("lr", [0.002, 0.02])
@pytest.mark.parametrize("sequential_max", [0, 10])
def test_both_numpy_engines_are_exact_even_with_strong_coupling(monkeypatch, sequential_max, lr):
    """A large learning rate couples the patches of a block strongly: the Picard iteration needs many sweeps, or
    its guesses overflow and the block is redone patch by patch; either way the result is exact."""
    monkeypatch.setattr(hebbian, "_USE_COMPILED", False)
    monkeypatch.setattr(hebbian, "_SEQUENTIAL_MAX_NEURONS", sequential_max)
    X = heavy_tailed()
    W_ref, th_ref = naive_hebbian(X, 400, 1, n_neurons=2, theta=0.0, tau=20.0, lr=lr)
    net = HebbianNetwork(N_IN, 2, theta=0.0, tau=20.0, learning_rate=lr, seed=1).fit(X, 400)
    np.testing.assert_allclose(net.weights, W_ref, rtol=0, atol=1e-9)
    np.testing.assert_allclose(net.theta, th_ref, rtol=1e-9)


def test_competitive_network_equals_the_patch_by_patch_loop(engine):
    X = heavy_tailed()
    # sliding θ and φ: y - φ changes sign, so the clipping of V at zero is exercised too
    W_ref, V_ref, th_ref, ph_ref = naive_competitive(X, 2000, 3, 5, theta=0.0, tau_theta=50.0, tau_phi=50.0)
    net = CompetitiveNetwork(N_IN, 5, theta=0.0, tau_theta=50.0, tau_phi=50.0, learning_rate=1e-3, seed=3)
    net.fit(X, 2000)
    assert (V_ref == 0).sum() > 5  # off-diagonal entries were clipped
    np.testing.assert_allclose(net.weights, W_ref, rtol=0, atol=1e-10)
    np.testing.assert_allclose(net.lateral, V_ref, rtol=0, atol=1e-10)
    np.testing.assert_allclose(net.theta, th_ref, rtol=1e-10)
    np.testing.assert_allclose(net.phi, ph_ref, rtol=1e-10)


def test_vectorised_seeds_equal_single_seeds(engine):
    X = heavy_tailed()
    seeds = [4, 11, 12]
    multi = HebbianNetwork(N_IN, 2, theta=0.0, tau=50.0, learning_rate=1e-3, seed=seeds).fit(X, 700)
    assert multi.weights.shape == (3, 2, N_IN) and multi.theta.shape == (3, 2)
    assert multi.forward(X[:5]).shape == (3, 5, 2)
    comp = CompetitiveNetwork(N_IN, 4, learning_rate=1e-3, seed=seeds).fit(X, 300)
    for k, s in enumerate(seeds):
        one = HebbianNetwork(N_IN, 2, theta=0.0, tau=50.0, learning_rate=1e-3, seed=s).fit(X, 700)
        np.testing.assert_allclose(multi.weights[k], one.weights, rtol=0, atol=1e-12)
        np.testing.assert_allclose(multi.theta[k], one.theta, rtol=1e-12)
        c1 = CompetitiveNetwork(N_IN, 4, learning_rate=1e-3, seed=s).fit(X, 300)
        np.testing.assert_allclose(comp.weights[k], c1.weights, rtol=0, atol=1e-12)
        np.testing.assert_allclose(comp.lateral[k], c1.lateral, rtol=0, atol=1e-12)
    single_neuron = HebbianNetwork(N_IN, theta=0.0, tau=50.0, learning_rate=1e-3, seed=seeds).fit(X, 500)
    for k, s in enumerate(seeds):
        one = HebbianNetwork(N_IN, theta=0.0, tau=50.0, learning_rate=1e-3, seed=s).fit(X, 500)
        np.testing.assert_allclose(single_neuron.weights[k], one.weights, rtol=0, atol=1e-12)


def test_a_second_fit_continues_the_random_sequence():
    X = heavy_tailed()
    split = HebbianNetwork(N_IN, 2, learning_rate=1e-3, seed=5).fit(X, 300).fit(X, 450)
    whole = HebbianNetwork(N_IN, 2, learning_rate=1e-3, seed=5).fit(X, 750)
    np.testing.assert_allclose(split.weights, whole.weights, rtol=0, atol=1e-12)
    assert split.n_iter_ == 750


# ------------------------------------------------------------------------------------------------ the science


def test_oja_rule_finds_the_first_principal_component():
    X, Q = correlated_gaussian()
    net = HebbianNetwork(8, nonlinearity="linear", normalization="oja", learning_rate=2e-3, seed=0)
    net.fit(X, 6000, record_every=500)
    w = net.weights[0]
    assert abs(w @ Q[:, 0]) / np.linalg.norm(w) > 0.99
    # implicit normalisation: the norm settles near 1 although it is never divided by
    norms = np.linalg.norm(net.history_["weights"][:, 0], axis=-1)
    assert np.all(np.abs(norms[2:] - 1) < 0.05)


def test_oja_decay_normalises_implicitly_but_explicit_normalisation_is_exact():
    X = heavy_tailed()
    start = HebbianNetwork(N_IN, 3, normalization="oja", seed=2).weights.copy()
    oja = HebbianNetwork(N_IN, 3, normalization="oja", learning_rate=1e-3, seed=2).fit(X, 3000)
    norms = np.linalg.norm(oja.weights, axis=1)
    assert np.all(np.abs(norms - 1) < 0.05) and not np.allclose(norms, 1, atol=1e-12)
    assert np.abs(oja.weights - start).max() > 0.1
    explicit = HebbianNetwork(N_IN, 3, learning_rate=1e-3, seed=2).fit(X, 3000, record_every=1000)
    np.testing.assert_allclose(np.linalg.norm(explicit.history_["weights"], axis=-1), 1.0, atol=1e-12)


def test_sanger_rows_are_the_leading_eigenvectors():
    X, Q = correlated_gaussian()
    net = SangerNetwork(8, 3, learning_rate=2e-3, seed=0).fit(X, 8000)
    W = net.weights
    for i in range(3):
        assert abs(W[i] @ Q[:, i]) / np.linalg.norm(W[i]) > 0.99, i
    np.testing.assert_allclose(np.linalg.norm(W, axis=1), 1.0, atol=0.05)
    multi = SangerNetwork(8, 3, learning_rate=2e-3, seed=[0, 1]).fit(X, 200)
    np.testing.assert_allclose(multi.weights[0], SangerNetwork(8, 3, learning_rate=2e-3, seed=0).fit(X, 200).weights)


def test_sliding_threshold_tracks_the_mean_of_y_squared():
    X = heavy_tailed(3000)
    net = HebbianNetwork(N_IN, 4, theta=0.0, tau=300.0, learning_rate=2e-4, seed=0).fit(X, 6000)
    mean_y2 = (net.forward(X) ** 2).mean(axis=0)
    np.testing.assert_allclose(net.theta, mean_y2, rtol=0.25)
    # and it started from θ_0 = 0
    assert np.all(HebbianNetwork(N_IN, 4, theta=0.0, tau=300.0, seed=0).theta == 0)


def test_bcm_develops_a_selective_neuron():
    """BCM (fixed θ) on sources with a skewed, sparse component finds it: the classic BCM selectivity."""
    rng = np.random.default_rng(0)
    n = 4000
    sources = rng.standard_normal((n, 6))
    sources[:, 2] = rng.exponential(size=n) * (rng.random(n) < 0.2) * 3.0  # rare large positive events
    net = HebbianNetwork(6, theta=1.0, learning_rate=1e-3, seed=1).fit(sources, 8000)
    w = net.weights[0]
    assert abs(w[2]) > 0.95


def test_competitive_dynamics_reach_the_fixed_point_and_sparsify():
    X = heavy_tailed(400)
    net = CompetitiveNetwork(N_IN, 6, n_steps=400, seed=0)
    net.lateral[:] *= 0.2  # a contraction, so that the fixed point is unique and Euler converges
    y, u = net.forward(X)
    h = X @ net.weights.T
    residual = np.abs(y - np.maximum(h - y @ net.lateral.T, 0.0)).max()
    assert residual < 1e-8
    assert np.allclose(y, np.maximum(u, 0))
    # the handout's 10 Euler steps of 0.1 relax for one time constant only: closer to the fixed point than
    # the feed-forward start, not at it
    short = copy.deepcopy(net)
    short.n_steps = 10
    y10, _ = short.forward(X)
    assert np.abs(y10 - y).max() < np.abs(np.maximum(h, 0) - y).max()
    # forward(n_steps=...) overrides the number of steps without changing the network
    np.testing.assert_array_equal(net.forward(X, n_steps=10)[0], y10)
    np.testing.assert_array_equal(short.forward(X, n_steps=400)[0], y)
    assert short.n_steps == 10
    with pytest.raises(ValueError, match="n_steps"):
        net.forward(X, n_steps=0)
    # lateral inhibition makes the code sparser than the same network without it
    free = copy.deepcopy(net)
    free.lateral[:] = 0.0
    y_free, _ = free.forward(X)
    assert (y > 0).mean() < 0.8 * (y_free > 0).mean()


def test_one_step_of_the_lateral_rule_has_the_expected_size_and_sign(engine):
    """One patch: Δv_ij = γ (y_i − φ_i) y_j from the relaxed responses, V clipped at 0, zero diagonal; and
    Δw_i = γ y_i (y_i − θ_i) x before normalisation. φ > 0 makes some entries shrink (and clip), so a wrong sign or
    a transposed update (y_j − φ_j) y_i would show."""
    x = 2.0 * heavy_tailed(1, seed=4)  # a single patch: fit(X, 1) presents exactly this one
    gamma, theta, phi = 0.05, 0.5, 0.8
    net = CompetitiveNetwork(N_IN, 6, theta=theta, phi=phi, learning_rate=gamma, seed=3)
    V0, W0 = net.lateral.copy(), net.weights.copy()
    y = net.forward(x)[0][0]
    assert (y > 0).sum() >= 3 and ((y > 0) & (y < phi)).any()  # both signs of y_i - φ among active neurons
    V1 = np.maximum(V0 + gamma * np.outer(y - phi, y), 0.0)
    np.fill_diagonal(V1, 0.0)
    transposed = np.maximum(V0 + gamma * np.outer(y, y - phi), 0.0)
    np.fill_diagonal(transposed, 0.0)
    assert np.abs(V1 - transposed).max() > 1e-3 and (V1 < V0).any() and (V1 > V0).any()
    W1 = W0 + gamma * (y * (y - theta))[:, None] * x
    W1 /= np.linalg.norm(W1, axis=1, keepdims=True)
    net.fit(x, 1)
    np.testing.assert_allclose(net.lateral, V1, rtol=0, atol=1e-12)
    np.testing.assert_allclose(net.weights, W1, rtol=0, atol=1e-12)


def test_sliding_phi_keeps_the_inhibition_bounded_while_fixed_phi_zero_lets_it_grow():
    """With φ = 0 every coactive pair strengthens its inhibition, Δv_ij = γ y_i y_j >= 0: V keeps growing. With a
    sliding φ_i tracking the mean response, E[Δv_ij] ≈ γ Cov(y_i, y_j) (Földiák's anti-Hebbian decorrelation), so
    V settles at a small level instead."""
    X = heavy_tailed(2000)
    fixed = CompetitiveNetwork(N_IN, 4, learning_rate=2e-3, seed=0).fit(X, 20000, record_every=2000)
    sliding = CompetitiveNetwork(N_IN, 4, learning_rate=2e-3, tau_phi=50.0, seed=0).fit(X, 20000, record_every=2000)
    grow = fixed.history_["lateral"].sum(axis=(1, 2))
    settle = sliding.history_["lateral"].sum(axis=(1, 2))
    assert grow[-1] > 2 * grow[0]
    assert settle[5:].max() < grow[0] and settle[5:].max() < 0.25 * grow[-1]
    y, _ = sliding.forward(X)
    np.testing.assert_allclose(sliding.phi, y.mean(axis=0), rtol=0.35)  # φ tracks the mean rate


# ----------------------------------------------------------------------------------------------- bookkeeping


def test_history_records_every_k_iterations():
    X = heavy_tailed()
    net = HebbianNetwork(N_IN, 2, theta=0.0, tau=40.0, learning_rate=1e-3, seed=0)
    net.fit(X, 250, record_every=100)
    h = net.history_
    np.testing.assert_array_equal(h["iteration"], [0, 100, 200])
    assert h["weights"].shape == (3, 2, N_IN) and h["theta"].shape == (3, 2)
    np.testing.assert_allclose(h["weights"][1], HebbianNetwork(N_IN, 2, theta=0.0, tau=40.0, learning_rate=1e-3,
                                                                seed=0).fit(X, 100).weights, atol=1e-12)
    net.fit(X, 100, record_every=50)
    np.testing.assert_array_equal(net.history_["iteration"], [250, 300, 350])
    comp = CompetitiveNetwork(N_IN, 3, seed=[0, 1]).fit(X, 60, record_every=30)
    assert comp.history_["lateral"].shape == (3, 2, 3, 3) and comp.history_["phi"].shape == (3, 2, 3)


def test_progress_bar_only_when_asked_outside_notebooks(capsys, monkeypatch):
    monkeypatch.delenv("LNN_PROGRESS", raising=False)
    X = heavy_tailed()
    quiet = HebbianNetwork(N_IN, seed=0).fit(X, 100)
    assert capsys.readouterr().err == ""
    shown = HebbianNetwork(N_IN, seed=0).fit(X, 100, progress=True)
    err = capsys.readouterr().err
    assert "100/100" in err and err.endswith("\n")
    np.testing.assert_array_equal(shown.weights, quiet.weights)  # the bar changes nothing
    CompetitiveNetwork(N_IN, 3, seed=0).fit(X, 100, progress=True)
    assert "100/100" in capsys.readouterr().err
    monkeypatch.setenv("LNN_PROGRESS", "0")  # the notebook runner's setting wins over progress=True
    HebbianNetwork(N_IN, seed=0).fit(X, 100, progress=True)
    assert capsys.readouterr().err == ""


# ---------------------------------------------------------------------------------------------------- errors


def test_divergence_names_the_learning_rate(engine):
    X = heavy_tailed() * 10
    with pytest.raises(FloatingPointError, match="learning_rate=5"):
        HebbianNetwork(N_IN, 2, nonlinearity="cubic", normalization="oja", learning_rate=5.0, seed=0).fit(X, 200)
    with pytest.raises(FloatingPointError, match="learning_rate=5"):
        HebbianNetwork(N_IN, nonlinearity="cubic", normalization="oja", learning_rate=5.0, seed=0).fit(X, 200)
    with pytest.raises(FloatingPointError, match="learning_rate=0.1.*dt=1.5"):
        CompetitiveNetwork(N_IN, 3, learning_rate=0.1, dt=1.5, n_steps=50, seed=0).fit(X, 500)


def test_after_a_divergence_the_network_is_rolled_back_to_its_last_finite_state(engine):
    X = heavy_tailed() * 10
    kwargs = dict(nonlinearity="cubic", normalization="oja", learning_rate=0.05)
    net = HebbianNetwork(N_IN, 2, seed=[0, 1], **kwargs)
    with pytest.raises(FloatingPointError, match=r"after (\d+) iterations.*rolled back.*n_iter_=") as info:
        net.fit(X, 500, record_every=2)
    diverged_at = int(str(info.value).split(" after ")[1].split()[0])
    assert net.n_iter_ == diverged_at - 1 and np.isfinite(net.weights).all() and np.isfinite(net.theta).all()
    # the state kept is exactly the run's state after n_iter_ patches, and the history stops there
    twin = HebbianNetwork(N_IN, 2, seed=[0, 1], **kwargs).fit(X, net.n_iter_)
    np.testing.assert_allclose(net.weights, twin.weights, rtol=1e-9)
    assert net.history_["iteration"][-1] <= net.n_iter_ and np.isfinite(net.history_["weights"]).all()
    comp = CompetitiveNetwork(N_IN, 3, learning_rate=0.1, dt=1.5, n_steps=50, seed=0)
    with pytest.raises(FloatingPointError, match="rolled back"):
        comp.fit(X, 500)
    assert comp.n_iter_ > 0 and all(np.isfinite(a).all() for a in (comp.weights, comp.lateral, comp.theta, comp.phi))
    comp_twin = CompetitiveNetwork(N_IN, 3, learning_rate=0.1, dt=1.5, n_steps=50, seed=0).fit(X, comp.n_iter_)
    np.testing.assert_allclose(comp.lateral, comp_twin.lateral, rtol=1e-9)
    sanger = SangerNetwork(N_IN, 2, learning_rate=5.0, seed=0)
    start = sanger.weights.copy()
    with pytest.raises(FloatingPointError, match="learning_rate=5.*before this call"):
        sanger.fit(X, 200, record_every=10)
    np.testing.assert_array_equal(sanger.weights, start)
    assert sanger.n_iter_ == 0


def test_a_nonlinearity_returning_nan_is_blamed_not_the_learning_rate():
    X = heavy_tailed()

    def explodes_above_3(u, theta):
        return np.where(u > 3.0, np.nan, u**3)

    net = HebbianNetwork(N_IN, 2, nonlinearity=explodes_above_3, learning_rate=1e-3, seed=0)
    with pytest.raises(ValueError, match="nonlinearity explodes_above_3 returned NaN or inf for finite input.*not "
                                         "the learning rate.*rolled back") as info:
        net.fit(X * 10, 3000)
    assert "smaller learning_rate" not in str(info.value)
    assert np.isfinite(net.weights).all() and net.n_iter_ >= 1
    # at the very first patch: found by the check before training, nothing changes
    fresh = HebbianNetwork(N_IN, nonlinearity=lambda u, theta: np.log(u - 100.0), seed=0)
    with pytest.raises(ValueError, match="returned NaN or inf for finite input"):
        fresh.fit(X, 10)
    assert fresh.n_iter_ == 0
    # the same data and rate with a finite nonlinearity train normally
    HebbianNetwork(N_IN, 2, nonlinearity=lambda u, theta: np.clip(u, -3, 3) ** 3, learning_rate=1e-3,
                   seed=0).fit(X * 10, 3000)


def test_a_nonlinearity_must_act_elementwise():
    with pytest.raises(ValueError, match="nonlinearity.*shape of u"):
        HebbianNetwork(N_IN, 2, nonlinearity=lambda u, theta: u.sum(), seed=0).fit(heavy_tailed(), 10)


@pytest.mark.parametrize("kwargs, error", [
    (dict(learning_rate=0.0), ValueError),
    (dict(learning_rate=-1e-3), ValueError),
    (dict(tau=0.0), ValueError),
    (dict(tau=-5.0), ValueError),
    (dict(theta=np.nan), ValueError),
    (dict(normalization="l1"), ValueError),
    (dict(seed=[]), ValueError),
    (dict(seed=None), ValueError),
])
def test_bad_hyperparameters_are_rejected(kwargs, error):
    with pytest.raises(error):
        HebbianNetwork(N_IN, **kwargs)


def test_bad_inputs_are_rejected():
    X = heavy_tailed()
    net = HebbianNetwork(N_IN, seed=0)
    with pytest.raises(ValueError, match=f"{N_IN} columns"):
        net.fit(X[:, :5], 10)
    with pytest.raises(ValueError, match="2-D"):
        net.fit(X[0], 10)
    bad = X.copy()
    bad[3, 2] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        net.fit(bad, 10)
    with pytest.raises(ValueError, match="n_iter"):
        net.fit(X, 0)
    with pytest.raises(TypeError, match="n_iter"):
        net.fit(X, 2.5)
    with pytest.raises(ValueError, match="tau_phi"):
        CompetitiveNetwork(N_IN, 3, tau_phi=0)
    with pytest.raises(ValueError, match="learning_rate"):
        CompetitiveNetwork(N_IN, 3, learning_rate=0)
    with pytest.raises(ValueError, match="learning_rate"):
        SangerNetwork(N_IN, 2, learning_rate=-1)
    with pytest.raises(ValueError, match="columns"):
        CompetitiveNetwork(N_IN, 3).forward(X[:, :4])


def test_blas_thread_setting_is_restored():
    controls = blas.openblas_thread_controls()
    if controls is None:
        pytest.skip("numpy does not use OpenBLAS here")
    get, _ = controls
    before = get()
    with blas.one_blas_thread():
        assert get() == 1
    assert get() == before


def test_convergence_plots_draw_the_history():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from lnn_utils.plotting.hebbian import plot_convergence, plot_thresholds, show_rf_history

    X = heavy_tailed(n_inputs=16)
    net = HebbianNetwork(16, 2, theta=0.0, tau=50.0, learning_rate=1e-3, seed=[0, 1]).fit(X, 400, record_every=100)
    fig = plot_convergence(net.history_)
    lines = fig.axes[0].get_lines()
    assert len(lines) == 4  # 2 seeds x 2 neurons
    np.testing.assert_allclose([line.get_ydata()[-1] for line in lines], 1.0)
    np.testing.assert_array_equal(lines[0].get_xdata(), [0, 100, 200, 300, 400])
    fig2 = plot_thresholds(net.history_)
    np.testing.assert_allclose(fig2.axes[0].get_lines()[1].get_ydata(), net.history_["theta"][:, 0, 1])
    fig3 = show_rf_history(net.history_, neuron=1, seed=1, n_snapshots=3)
    assert fig3.axes[0].images[0].get_array().shape == (4, 3 * 5 - 1)
    plt.close("all")


def test_response_change_plot_shows_the_extreme_patches():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from lnn_utils.plotting.hebbian import plot_response_change

    rng = np.random.default_rng(0)
    X = rng.standard_normal((50, 16))
    dy = rng.standard_normal(50)
    fig = plot_response_change(dy, X, n_show=3)
    hist, up, down = fig.axes[:3]
    assert sum(p.get_height() for p in hist.patches) == 50
    # the first tile of the "increase" mosaic is the patch with the largest dy, scaled by its own max |x|
    top = X[np.argmax(dy)].reshape(4, 4)
    np.testing.assert_allclose(up.images[0].get_array()[:4, :4], top / np.abs(top).max())
    bottom = X[np.argmin(dy)].reshape(4, 4)
    np.testing.assert_allclose(down.images[0].get_array()[:4, :4], bottom / np.abs(bottom).max())
    with pytest.raises(ValueError, match="same n_samples"):
        plot_response_change(dy[:10], X)
    plt.close("all")


def test_compiled_and_numpy_engines_agree_on_image_like_input(monkeypatch):
    """Both engines on a longer run with the handout's rules (sliding theta, competition with sliding phi)."""
    if not hebbian._compiled.available():
        pytest.skip("numba is not installed")
    X = heavy_tailed(2000, 24, seed=5)
    runs = {}
    for use in (True, False):
        monkeypatch.setattr(hebbian, "_USE_COMPILED", use)
        single = HebbianNetwork(24, theta=0.0, tau=100.0, learning_rate=1e-3, seed=[0, 1]).fit(X, 5000)
        comp = CompetitiveNetwork(24, 6, phi=0.0, tau_phi=100.0, learning_rate=1e-3, seed=2).fit(X, 3000)
        runs[use] = (single.weights, single.theta, comp.weights, comp.lateral, comp.phi)
    for a, b in zip(runs[True], runs[False]):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-10)


def test_both_engines_report_where_the_rule_diverged(monkeypatch):
    """The compiled engine checks after each patch; the numpy engine checks after each block of patches and then
    redoes that block patch by patch: both name the same patch (up to one, for rounding)."""
    if not hebbian._compiled.available():
        pytest.skip("numba is not installed")
    X = heavy_tailed() * 10
    counts = {}
    for use in (True, False):
        monkeypatch.setattr(hebbian, "_USE_COMPILED", use)
        with pytest.raises(FloatingPointError) as info:
            HebbianNetwork(N_IN, nonlinearity="cubic", normalization="oja", learning_rate=0.05, seed=[0, 1]).fit(X, 500)
        counts[use] = int(str(info.value).split(" after ")[1].split()[0])
    assert abs(counts[True] - counts[False]) <= 1
