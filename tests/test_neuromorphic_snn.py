"""Neuromorphic computing, part 2: the surrogate-gradient spiking network.

Science checked: backpropagation through time equals finite differences of the smooth-surrogate network (every
parameter, including the reset path and the activity penalty); the surrogate derivative is the derivative of the
smooth step; the rate code fires at the intended rates and the latency code fires brighter pixels earlier; the
trained network classifies the bundled digits with at least 90 % test accuracy (Neftci et al. 2019), and seeds give
identical re-runs.
"""

import numpy as np
import pytest

from lnn_utils.datasets import load_digits
from lnn_utils.neuromorphic import SurrogateGradientSNN, encode, surrogate_derivative, surrogate_step, train_snn


@pytest.fixture(scope="module")
def digits():
    X_train, y_train = load_digits("train", flatten=True)
    X_test, y_test = load_digits("test", flatten=True)
    return X_train, y_train, X_test, y_test


@pytest.fixture(scope="module")
def trained(digits):
    X_train, y_train, _, _ = digits
    return train_snn(X_train, y_train, n_epochs=12, seed=0)


def test_surrogate_derivative_is_the_derivative_of_the_smooth_step():
    u = np.linspace(-2, 2, 41) + 0.013
    h = 1e-6
    for k in (1.0, 10.0):
        fd = (surrogate_step(u + h, k) - surrogate_step(u - h, k)) / (2 * h)
        np.testing.assert_allclose(surrogate_derivative(u, k), fd, rtol=1e-6)
    assert surrogate_step(np.array([-1e6, 1e6]), 10.0) == pytest.approx([0, 1], abs=1e-6)


@pytest.mark.parametrize("rate_penalty", [0.0, 0.3])
def test_bptt_gradient_matches_finite_differences_of_the_smooth_network(rate_penalty):
    rng = np.random.default_rng(3)
    model = SurrogateGradientSNN(n_hidden=4, n_steps=6, surrogate_slope=2.0, rate_penalty=rate_penalty,
                                 init_scale=3.0).initialize(5, 3, seed=1)
    model.b_in_[...] = 0.3
    spikes = (rng.random((6, 4, 5)) < 0.5).astype(float)
    y = np.array([0, 1, 2, 1])
    loss, grad, _ = model.loss_and_gradient(spikes, y, spike="smooth")
    theta = model.flat_params_
    fd = np.empty_like(grad)
    h = 1e-6
    for i in range(theta.size):
        old = theta[i]
        theta[i] = old + h
        up = model.loss_and_gradient(spikes, y, spike="smooth")[0]
        theta[i] = old - h
        down = model.loss_and_gradient(spikes, y, spike="smooth")[0]
        theta[i] = old
        fd[i] = (up - down) / (2 * h)
    assert np.abs(grad).max() > 1e-3
    np.testing.assert_allclose(grad, fd, rtol=1e-5, atol=1e-8)


def test_heaviside_forward_emits_binary_spikes():
    model = SurrogateGradientSNN(n_hidden=8, n_steps=10, init_scale=4.0).initialize(6, 2, seed=0)
    x = encode(np.full((3, 6), 0.8), n_steps=10, seed=0)
    logits, counts, v, s = model.run(x, record=True)
    assert set(np.unique(s)) <= {0.0, 1.0}
    np.testing.assert_array_equal(counts, s.sum(axis=0))
    assert logits.shape == (3, 2)


def test_rate_and_latency_codes():
    X = np.array([[0.0, 0.25, 1.0]])
    spikes = encode(np.repeat(X, 4000, axis=0), n_steps=20, max_rate=500.0, dt=1e-3, seed=0)
    rate = spikes.mean(axis=(0, 1)) / 1e-3
    np.testing.assert_allclose(rate, [0.0, 125.0, 500.0], atol=5.0)
    lat = encode(np.array([[0.0, 0.5, 1.0]]), n_steps=11, coding="latency")
    assert lat[:, 0, 0].sum() == 0
    assert np.argmax(lat[:, 0, 2]) == 0 and np.argmax(lat[:, 0, 1]) == 5
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        encode(np.array([[2.0]]), n_steps=5)
    with pytest.raises(ValueError, match="max_rate"):
        encode(np.array([[0.5]]), n_steps=5, max_rate=2000.0, dt=1e-3)
    with pytest.raises(ValueError, match="coding"):
        encode(np.array([[0.5]]), n_steps=5, coding="phase")


def test_snn_reaches_90_percent_on_the_digits(trained, digits):
    _, _, X_test, y_test = digits
    acc = trained.score(X_test, y_test)
    assert acc >= 0.90
    assert trained.loss_curve_[-1] < 0.5 * trained.loss_curve_[0]
    counts = trained.spike_counts(X_test)
    assert counts.hidden.shape == (len(X_test),) and counts.hidden.mean() > 10
    # each input fires about X * max_rate * T dt times
    assert counts.input.mean() == pytest.approx(X_test.sum(axis=1).mean() * 500.0 * 25e-3, rel=0.05)


def test_same_seed_same_network(digits):
    X_train, y_train, X_test, _ = digits
    a = train_snn(X_train[:200], y_train[:200], n_epochs=2, seed=4)
    b = train_snn(X_train[:200], y_train[:200], n_epochs=2, seed=4)
    np.testing.assert_array_equal(a.flat_params_, b.flat_params_)
    np.testing.assert_array_equal(a.predict(X_test[:50]), b.predict(X_test[:50]))


def test_snn_rejects_bad_input(digits):
    X_train, y_train, _, _ = digits
    with pytest.raises(ValueError, match="NaN"):
        train_snn(np.full((4, 64), np.nan), np.arange(4), n_epochs=1)
    with pytest.raises(ValueError, match="y must"):
        train_snn(X_train[:10], y_train[:9], n_epochs=1)
    with pytest.raises(ValueError, match="n_steps"):
        train_snn(X_train[:10], y_train[:10], n_steps=0)
    with pytest.raises(ValueError, match="coding"):
        train_snn(X_train[:10], y_train[:10], coding="burst")
    with pytest.raises(RuntimeError, match="not fitted"):
        SurrogateGradientSNN().predict(X_train[:2])
