"""Neuromorphic computing, part 3: the PCM crossbar.

Science checked against the PCM statistical model documented by IBM's analog hardware kit (Joshi et al. 2020):
the noise-free mapping reproduces the quantised weights exactly and the crossbar's currents obey I = V G; the
programming error has the model's conductance-dependent standard deviation; noise-free drift follows
g0 ((t + t0) / t0)^(−ν) and the drift exponents have the model's mean; the test accuracy of a trained network falls
(within noise) as the number of conductance levels decreases; drift over a year hurts and global drift
compensation recovers what it took; training with weight noise makes the network more robust to programming noise.
"""

import numpy as np
import pytest

from lnn_utils.datasets import load_digits
from lnn_utils.mlp import MLP
from lnn_utils.neuromorphic import (G_MAX, YEAR, PCMCrossbar, accuracy, clip_value, conductance_at,
                                    crossbar_accuracy, crossbar_currents, drift_exponents, hardware_aware_finetune,
                                    program_conductances, programming_noise_std, quantization, quantize_weights,
                                    weight_noise, weights_to_conductances)


@pytest.fixture(scope="module")
def digits():
    X_train, y_train = load_digits("train", flatten=True)
    X_test, y_test = load_digits("test", flatten=True)
    return X_train, y_train, X_test, y_test


@pytest.fixture(scope="module")
def net(digits):
    """A tanh MLP trained by plain backprop (fine-tuning from initial weights with no perturbation)."""
    X_train, y_train, _, _ = digits
    init = MLP.from_sizes([64, 100, 100, 10], activation="tanh", seed=0, dtype=np.float64)
    return hardware_aware_finetune(init, X_train, y_train, perturb=weight_noise(0.0), n_epochs=15,
                                   learning_rate=2e-3, seed=0)


def test_trained_reference_network(net, digits):
    _, _, X_test, y_test = digits
    assert accuracy(net, X_test, y_test) > 0.93


def test_noise_free_mapping_is_the_quantised_weights_and_currents_obey_ohm():
    rng = np.random.default_rng(0)
    W = rng.normal(size=(7, 5))
    gp, gm, beta = weights_to_conductances(W, n_levels=9, w_max=1.5)
    assert np.all((gp >= 0) & (gp <= G_MAX + 1e-18)) and np.all((gm >= 0) & (gm <= G_MAX + 1e-18))
    assert np.all((gp == 0) | (gm == 0))
    np.testing.assert_allclose((gp - gm) / beta, quantize_weights(W, n_levels=9, w_max=1.5), atol=1e-12)
    levels = np.unique(np.round(np.concatenate([gp.ravel(), gm.ravel()]) / (G_MAX / 8), 9))
    assert np.all(np.isin(levels, np.arange(9)))
    bar = PCMCrossbar(W, n_levels=9, clip_std=None, prog_noise_scale=0, read_noise_scale=0, drift_scale=0)
    x = rng.random((3, 7))
    I = crossbar_currents(x, *bar.g_target_, v_read=0.2)
    np.testing.assert_allclose(I, (0.2 * x) @ (bar.g_target_[0] - bar.g_target_[1]))
    np.testing.assert_allclose(bar.matvec(x, 0.0), x @ bar.target_weights, atol=1e-12)


def test_quantisation_levels_and_error():
    W = np.linspace(-1, 1, 201)[None, :]
    assert set(np.unique(quantize_weights(W, n_levels=2, w_max=0.5))) == {-0.5, 0.0, 0.5}
    for n in (3, 8, 64):
        step = 1.0 / (n - 1)
        assert np.max(np.abs(quantize_weights(W, n_levels=n, w_max=1.0) - W)) <= step / 2 + 1e-12
    assert clip_value(np.array([[1.0, -1.0, 10.0]]), clip_std=None) == 10.0
    assert clip_value(np.array([[1.0, -1.0, 10.0]]), clip_std=1.0) == pytest.approx(np.std([1, -1, 10.0]))


@pytest.mark.parametrize("bad, match", [(1, "n_levels"), (0, "n_levels"), (2.5, "n_levels")])
def test_bad_levels_are_refused(bad, match):
    with pytest.raises(ValueError, match=match):
        quantize_weights(np.ones((2, 2)), n_levels=bad, w_max=1.0)
    with pytest.raises(ValueError, match=match):
        PCMCrossbar(np.ones((2, 2)), n_levels=bad)


def test_nan_weights_are_refused():
    W = np.ones((3, 3))
    W[1, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        PCMCrossbar(W)
    with pytest.raises(ValueError, match="NaN"):
        weights_to_conductances(W, n_levels=4)
    with pytest.raises(ValueError, match="2-D"):
        PCMCrossbar(np.ones(3))


def test_programming_noise_has_the_model_standard_deviation():
    # sigma_prog(g_T) = (-1.1731 g^2 + 1.9650 g + 0.2635) uS with g = g_T / 25 uS
    assert programming_noise_std(0.5 * G_MAX) == pytest.approx((-1.1731 / 4 + 1.9650 / 2 + 0.26348) * 1e-6)
    g = np.full(200_000, 0.5 * G_MAX)
    err = program_conductances(g, seed=0) - g
    assert err.mean() == pytest.approx(0.0, abs=3e-9)
    assert err.std() == pytest.approx(programming_noise_std(0.5 * G_MAX), rel=0.01)
    assert np.all(program_conductances(np.zeros(1000), seed=0) >= 0)   # conductances cannot be negative


def test_drift_follows_the_power_law_and_the_model_exponents():
    nu = drift_exponents(np.full(100_000, G_MAX), seed=0)
    assert nu.mean() == pytest.approx(0.049, abs=0.001)      # mu_nu is clipped to 0.049 at g_T = g_max
    low = drift_exponents(np.full(100_000, 0.01 * G_MAX), seed=0)
    assert low.mean() > nu.mean() + 0.03                      # low conductances drift faster
    g0 = np.array([10e-6, 20e-6])
    fixed = np.array([0.05, 0.1])
    g = conductance_at(g0, g0, fixed, YEAR, read_noise_scale=0.0)
    np.testing.assert_allclose(g, g0 * ((YEAR + 20.0) / 20.0) ** -fixed)
    np.testing.assert_allclose(conductance_at(g0, g0, fixed, 0.0, read_noise_scale=0.0), g0)


def test_accuracy_falls_as_levels_decrease(net, digits):
    _, _, X_test, y_test = digits
    levels = [64, 16, 8, 4, 3, 2]
    acc = np.array([crossbar_accuracy(net, X_test, y_test, n_levels=L, n_repeats=3, seed=0).mean() for L in levels])
    assert np.all(np.diff(acc) <= 0.01), acc                  # monotone within noise
    assert acc[-1] < acc[0] - 0.05, acc                       # and two levels clearly hurt


def test_drift_compensation_helps_where_drift_hurts(net, digits):
    _, _, X_test, y_test = digits
    times = [0.0, YEAR]
    comp = crossbar_accuracy(net, X_test, y_test, t_inference=times, n_repeats=4, seed=1, drift_scale=2.0)
    raw = crossbar_accuracy(net, X_test, y_test, t_inference=times, n_repeats=4, seed=1, drift_scale=2.0,
                            compensate=False)
    assert raw[:, 1].mean() < raw[:, 0].mean() - 0.02         # drift over a year hurts
    assert comp[:, 1].mean() > raw[:, 1].mean() + 0.02        # compensation recovers it
    assert comp[:, 1].mean() > comp[:, 0].mean() - 0.02


def test_noise_injected_training_is_more_robust_to_programming_noise(net, digits):
    X_train, y_train, X_test, y_test = digits
    tuned = hardware_aware_finetune(net, X_train, y_train, perturb=weight_noise(0.2), n_epochs=20,
                                    learning_rate=2e-3, seed=0)
    kwargs = dict(prog_noise_scale=8.0, n_repeats=8, seed=2)   # same seed: paired device realisations
    before = crossbar_accuracy(net, X_test, y_test, **kwargs)
    after = crossbar_accuracy(tuned, X_test, y_test, **kwargs)
    gain = after - before
    assert gain.mean() > 0.015 and gain.mean() > 2 * gain.std() / np.sqrt(gain.size)
    # the original network is untouched
    assert accuracy(net, X_test, y_test) > 0.93


def test_quantisation_aware_finetuning_recovers_two_level_accuracy(net, digits):
    X_train, y_train, X_test, y_test = digits
    tuned = hardware_aware_finetune(net, X_train, y_train, perturb=quantization(2), n_epochs=8, seed=0)
    kwargs = dict(n_levels=2, prog_noise_scale=0, read_noise_scale=0, drift_scale=0)
    assert crossbar_accuracy(tuned, X_test, y_test, **kwargs)[0] > crossbar_accuracy(net, X_test, y_test,
                                                                                     **kwargs)[0] + 0.05
