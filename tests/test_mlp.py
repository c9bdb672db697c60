"""The shared hand-written MLP (lnn_utils.mlp): every backward pass against finite differences, BatchNorm's modes.

Science checked: each layer's input and parameter gradients (Linear, with and without a feedback matrix, ReLU,
Tanh, Sigmoid, BatchNorm in training and evaluation mode) and a whole Linear-BN-ReLU network's gradients equal
central finite differences of a scalar loss in float64; softmax cross-entropy's gradient likewise; BatchNorm
normalises the batch in training mode and applies its running statistics (updated by the stated rule) in
evaluation mode; the flat parameter vector really is what the layers compute with.
"""

import numpy as np
import pytest

from lnn_utils.mlp import (MLP, BatchNorm, Linear, ReLU, Sigmoid, Tanh, softmax, softmax_cross_entropy)
from lnn_utils.optim import SGD


def _numeric_grad(f, arr, eps=1e-6):
    """Central differences of the scalar f() with respect to every entry of arr (modified in place, restored)."""
    grad = np.zeros_like(arr)
    flat, gflat = arr.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + eps
        up = f()
        flat[i] = old - eps
        down = f()
        flat[i] = old
        gflat[i] = (up - down) / (2 * eps)
    return grad


def _check_layer(layer, x, rtol=1e-6, atol=1e-8):
    """L = sum(R * layer(x)): analytic dL/dx and dL/dparams against finite differences."""
    rng = np.random.default_rng(1)
    R = rng.normal(size=layer.forward(x).shape)

    def loss():
        return float(np.sum(R * layer.forward(x)))

    loss()
    dx = layer.backward(R)
    analytic = {name: g.copy() for name, g in layer.grads.items()}
    np.testing.assert_allclose(dx, _numeric_grad(loss, x), rtol=rtol, atol=atol)
    for name, p in layer.params.items():
        np.testing.assert_allclose(analytic[name], _numeric_grad(loss, p), rtol=rtol, atol=atol, err_msg=name)


@pytest.fixture
def x():
    return np.random.default_rng(0).normal(size=(7, 5))


def test_linear_gradients_match_finite_differences(x):
    layer = Linear(5, 4, seed=0)
    layer.params["b"][...] = np.random.default_rng(2).normal(size=4)
    _check_layer(layer, x)


@pytest.mark.parametrize("cls", [ReLU, Tanh, Sigmoid])
def test_activation_gradients_match_finite_differences(cls, x):
    _check_layer(cls(), x)


def test_sigmoid_and_tanh_values():
    z = np.array([[-800.0, -1.0, 0.0, 2.0, 800.0]])
    np.testing.assert_allclose(Sigmoid().forward(z), 1 / (1 + np.exp(-np.clip(z, -700, 700))), rtol=1e-12,
                               atol=1e-15)
    np.testing.assert_allclose(Tanh().forward(z), np.tanh(z))
    np.testing.assert_array_equal(ReLU().forward(z), np.maximum(z, 0))


def test_linear_feedback_matrix_replaces_the_transpose(x):
    layer = Linear(5, 4, seed=0)
    g = np.random.default_rng(3).normal(size=(7, 4))
    layer.forward(x)
    exact = layer.backward(g)
    np.testing.assert_allclose(exact, g @ layer.W.T)
    layer.feedback = layer.W.T.copy()
    np.testing.assert_array_equal(layer.backward(g), exact)
    B = np.random.default_rng(4).normal(size=(4, 5))
    layer.feedback = B
    np.testing.assert_allclose(layer.backward(g), g @ B)
    # The weight gradient is local (x^T g) whatever the feedback.
    np.testing.assert_allclose(layer.grads["W"], x.T @ g)
    assert layer.backward(g, input_grad=False) is None


def test_he_and_glorot_initialisation_scales():
    W = Linear(400, 300, seed=0).W
    assert abs(W.std() - np.sqrt(2 / 400)) < 0.02 * np.sqrt(2 / 400)
    W = Linear(400, 300, init="glorot", seed=0).W
    assert abs(W.std() - np.sqrt(2 / 700)) < 0.02 * np.sqrt(2 / 700)


@pytest.mark.parametrize("affine", [True, False])
def test_batchnorm_training_gradients_match_finite_differences(affine, x):
    layer = BatchNorm(5, affine=affine)
    if affine:
        rng = np.random.default_rng(5)
        layer.params["gamma"][...] = rng.uniform(0.5, 2, 5)
        layer.params["beta"][...] = rng.normal(size=5)
    _check_layer(layer, x, rtol=1e-5, atol=1e-7)


def test_batchnorm_eval_gradients_match_finite_differences(x):
    layer = BatchNorm(5)
    layer.running_mean[...] = np.arange(5) * 0.1
    layer.running_var[...] = np.linspace(0.5, 2, 5)
    layer.params["gamma"][...] = np.linspace(0.5, 1.5, 5)
    layer.training = False
    _check_layer(layer, x)


def test_batchnorm_train_normalises_and_eval_uses_running_statistics():
    rng = np.random.default_rng(0)
    layer = BatchNorm(3, momentum=0.25, eps=1e-5)
    a = rng.normal(2.0, 3.0, size=(50, 3))
    b = rng.normal(-1.0, 0.5, size=(40, 3))
    out = layer.forward(a)
    np.testing.assert_allclose(out.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(out.var(axis=0), a.var(axis=0) / (a.var(axis=0) + 1e-5), rtol=1e-12)
    layer.forward(b)
    m = 0.25
    mean = (1 - m) * ((1 - m) * 0 + m * a.mean(0)) + m * b.mean(0)
    var = (1 - m) * ((1 - m) * 1 + m * a.var(0, ddof=1)) + m * b.var(0, ddof=1)
    np.testing.assert_allclose(layer.running_mean, mean, rtol=1e-12)
    np.testing.assert_allclose(layer.running_var, var, rtol=1e-12)
    layer.params["gamma"][...] = [1.0, 2.0, 3.0]
    layer.params["beta"][...] = [0.5, 0.0, -0.5]
    layer.training = False
    before = layer.running_mean.copy()
    single = layer.forward(a[:1])         # a batch of one is fine in evaluation mode
    expected = layer.params["gamma"] * (a[:1] - mean) / np.sqrt(var + 1e-5) + layer.params["beta"]
    np.testing.assert_allclose(single, expected, rtol=1e-12)
    np.testing.assert_array_equal(layer.running_mean, before)   # evaluation does not move the statistics


def test_batchnorm_training_needs_two_samples():
    with pytest.raises(ValueError, match="at least 2 samples"):
        BatchNorm(3).forward(np.zeros((1, 3)))


def test_softmax_cross_entropy_value_and_gradient():
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(6, 4)) * 3
    labels = np.array([0, 1, 2, 3, 1, 0])
    loss, grad = softmax_cross_entropy(logits, labels)
    p = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    assert loss == pytest.approx(-np.mean(np.log(p[np.arange(6), labels])), rel=1e-12)
    np.testing.assert_allclose(softmax(logits), p, rtol=1e-12)
    numeric = _numeric_grad(lambda: softmax_cross_entropy(logits, labels)[0], logits)
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-9)
    # Huge logits: no overflow.
    big_loss, _ = softmax_cross_entropy(logits * 1e3, labels)
    assert np.isfinite(big_loss)


@pytest.mark.parametrize("batch_norm,activation", [(False, "relu"), (True, "relu"), (False, "tanh"),
                                                   (True, "sigmoid")])
def test_mlp_gradients_match_finite_differences(batch_norm, activation):
    rng = np.random.default_rng(0)
    net = MLP.from_sizes([6, 8, 7, 3], activation=activation, batch_norm=batch_norm, seed=1, dtype=np.float64)
    net.flat_params[net.decay_mask == 0] = rng.normal(0, 0.3, int((net.decay_mask == 0).sum()))
    X = rng.normal(size=(9, 6))
    y = rng.integers(0, 3, 9)

    def loss():
        return softmax_cross_entropy(net.forward(X), y)[0]

    _, g = softmax_cross_entropy(net.forward(X), y)
    dX = net.backward(g, input_grad=True)
    analytic = net.flat_grads.copy()
    np.testing.assert_allclose(analytic, _numeric_grad(loss, net.flat_params), rtol=1e-5, atol=1e-8)
    np.testing.assert_allclose(dX, _numeric_grad(loss, X), rtol=1e-5, atol=1e-8)
    assert net.backward(g) is None


def test_flat_vector_is_what_the_layers_use():
    net = MLP.from_sizes([4, 5, 3], seed=0, dtype=np.float64)
    assert net.n_parameters == 4 * 5 + 5 + 5 * 3 + 3
    assert net.decay_mask.sum() == 4 * 5 + 5 * 3
    assert [w.shape for w in net.weights] == [(4, 5), (5, 3)] and [b.shape for b in net.biases] == [(5,), (3,)]
    X = np.random.default_rng(0).normal(size=(2, 4))
    before = net.forward(X)
    net.flat_params[:20] = 0.0                    # the first weight matrix
    assert np.all(net.weights[0] == 0)
    np.testing.assert_allclose(net.forward(X), np.zeros((2, 5)) @ net.weights[1] + net.biases[1] + 0 * before)
    # An optimiser step on the flat vectors moves the layers' parameters.
    _, g = softmax_cross_entropy(net.forward(X), np.array([0, 2]))
    net.backward(g)
    w1 = net.weights[1].copy()
    SGD(0.1, momentum=0.0).step(net.flat_params, net.flat_grads)
    np.testing.assert_allclose(net.weights[1], w1 - 0.1 * net.linear_layers[1].grads["W"])


def test_copy_is_independent_and_modes_switch():
    net = MLP.from_sizes([4, 5, 3], batch_norm=True, seed=0, dtype=np.float64)
    twin = net.copy()
    np.testing.assert_array_equal(twin.flat_params, net.flat_params)
    twin.flat_params[:] = 0
    assert np.any(net.flat_params != 0)
    assert net.eval() is net and not net.training and not any(layer.training for layer in net.layers)
    assert net.train().training


def test_from_sizes_draws_the_weights_in_layer_order():
    net = MLP.from_sizes([64, 32, 16, 10], seed=3, dtype=np.float32)
    rng = np.random.default_rng(3)
    for W, (n_in, n_out) in zip(net.weights, [(64, 32), (32, 16), (16, 10)]):
        np.testing.assert_array_equal(W, rng.normal(0.0, np.sqrt(2.0 / n_in), (n_in, n_out)).astype(np.float32))
    assert net.flat_params.dtype == np.float32


def test_bad_input_is_named():
    net = MLP.from_sizes([4, 5, 3], seed=0)
    with pytest.raises(ValueError, match=r"X must have shape \(n_samples, 4\)"):
        net.forward(np.zeros((2, 5)))
    with pytest.raises(ValueError, match="sizes"):
        MLP.from_sizes([4])
    with pytest.raises(ValueError, match=r"sizes\[1\]"):
        MLP.from_sizes([4, 0, 3])
    with pytest.raises(ValueError, match="activation"):
        MLP.from_sizes([4, 5, 3], activation="gelu")
    with pytest.raises(ValueError, match="init"):
        Linear(3, 2, init="uniform")
    with pytest.raises(ValueError, match="dtype"):
        MLP.from_sizes([4, 5, 3], dtype=np.int32)
    net.forward(np.zeros((2, 4)))
    with pytest.raises(ValueError, match="grad_out"):
        net.backward(np.zeros((3, 3)))


def test_deepcopy_keeps_parameters_and_flat_vector_linked():
    import copy

    net = MLP.from_sizes([4, 5, 3], seed=0, dtype=np.float64)
    clone = copy.deepcopy(net)
    clone.flat_params[:] += 1.0
    np.testing.assert_array_equal(clone.layers[0].params["W"], net.layers[0].params["W"] + 1.0)
    assert not np.shares_memory(clone.flat_params, net.flat_params)
