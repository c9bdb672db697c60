"""Credit assignment without weight transport (lnn_utils.credit_assignment, notebook 09).

Science checked: backprop's updates equal finite differences of the cross-entropy; feedback alignment with
B = W^T, and DFA with D = W_out^T in a one-hidden-layer net, reproduce backprop exactly (and differ with random
feedback); on the digits FA and DFA land within about a point of backprop and the fixed-random-hidden-layer
baseline clearly below all three; FA's hidden updates align with backprop's during training; predictive
coding's inference lowers its energy and its weight updates converge to backprop's gradient as the output weight
shrinks and inference converges (cosine -> 1), while a large output weight gives a different update;
forward-forward's local update equals finite differences of its layer loss, and it classifies far above chance.
"""

import numpy as np
import pytest

from lnn_utils.credit_assignment import (DEFAULTS, RULES, alignment_angles, deliver_error, make_feedback,
                                         pc_backprop_cosine, pc_gradients, train_forward_forward, train_network)
from lnn_utils.credit_assignment.forward_forward import ff_layer_update
from lnn_utils.datasets import load_digits
from lnn_utils.mlp import MLP, ReLU, Linear, softmax_cross_entropy


@pytest.fixture(scope="module")
def digits():
    X_train, y_train = load_digits("train", flatten=True)
    X_test, y_test = load_digits("test", flatten=True)
    return X_train, y_train, X_test, y_test


def _small(seed=0, sizes=(6, 5, 4, 3)):
    rng = np.random.default_rng(seed)
    net = MLP.from_sizes(list(sizes), activation="tanh", seed=seed, dtype=np.float64)
    for b in net.biases:
        b[...] = rng.normal(0, 0.2, b.shape)
    X = rng.normal(size=(8, sizes[0]))
    y = rng.integers(0, sizes[-1], 8)
    return net, X, y


def _numeric_grad(f, arr, eps=1e-6):
    grad = np.zeros_like(arr)
    for i in range(arr.size):
        old = arr.flat[i]
        arr.flat[i] = old + eps
        up = f()
        arr.flat[i] = old - eps
        down = f()
        arr.flat[i] = old
        grad.flat[i] = (up - down) / (2 * eps)
    return grad


# ------------------------------------------------------------------------------------- exact identities

def test_backprop_updates_match_finite_differences():
    net, X, y = _small()
    _, error = softmax_cross_entropy(net.forward(X), y)
    deliver_error(net, "backprop", error, [])
    analytic = net.flat_grads.copy()
    numeric = _numeric_grad(lambda: softmax_cross_entropy(net.forward(X), y)[0], net.flat_params)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-9)


def test_feedback_alignment_with_transposed_weights_is_backprop():
    net, X, y = _small()
    _, error = softmax_cross_entropy(net.forward(X), y)
    deliver_error(net, "backprop", error, [])
    bp = net.flat_grads.copy()
    feedback = make_feedback(net, "feedback_alignment", np.random.default_rng(1))
    deliver_error(net, "feedback_alignment", error, feedback)
    random_fa = net.flat_grads.copy()
    for layer in net.linear_layers[1:]:
        layer.feedback = layer.W.T.copy()
    deliver_error(net, "feedback_alignment", error, feedback)
    np.testing.assert_array_equal(net.flat_grads, bp)
    # With random B, the hidden updates differ (the output layer's update is the same: it sees e directly).
    n_out = net.linear_layers[-1].W.size + net.n_outputs
    assert np.linalg.norm(random_fa[:-n_out] - bp[:-n_out]) > 0.1 * np.linalg.norm(bp[:-n_out])
    np.testing.assert_array_equal(random_fa[-n_out:], bp[-n_out:])


def test_dfa_with_output_weights_transposed_is_backprop_for_one_hidden_layer():
    net, X, y = _small(sizes=(6, 7, 3))
    _, error = softmax_cross_entropy(net.forward(X), y)
    deliver_error(net, "backprop", error, [])
    bp = net.flat_grads.copy()
    deliver_error(net, "direct_feedback_alignment", error, [net.weights[-1].T.copy()])
    np.testing.assert_allclose(net.flat_grads, bp, rtol=1e-14, atol=1e-15)
    deliver_error(net, "direct_feedback_alignment", error,
                  make_feedback(net, "direct_feedback_alignment", np.random.default_rng(0)))
    assert not np.allclose(net.flat_grads, bp)


def test_output_only_leaves_hidden_layers_alone(digits):
    X, y, _, _ = digits
    net = train_network(X[:200], y[:200], rule="output_only", n_epochs=2)
    init = train_network(X[:200], y[:200], rule="output_only", n_epochs=0)
    for W, W0 in zip(net.weights_[:-1], init.weights_[:-1]):
        np.testing.assert_array_equal(W, W0)
    assert not np.allclose(net.weights_[-1], init.weights_[-1])


# ------------------------------------------------------------------------------------- the digits

@pytest.fixture(scope="module")
def accuracies(digits):
    """Test accuracy of every feedback rule with its defaults, seeds 0 and 1."""
    X, y, Xt, yt = digits
    rules = ("backprop", "feedback_alignment", "direct_feedback_alignment", "output_only")
    return {r: np.array([train_network(X, y, rule=r, seed=s).score(Xt, yt) for s in (0, 1)]) for r in rules}


def test_fa_and_dfa_within_about_a_point_of_backprop(accuracies):
    bp = accuracies["backprop"].mean()
    assert bp > 0.96      # a 2-hidden-layer MLP on the 8 x 8 digits
    for rule in ("feedback_alignment", "direct_feedback_alignment"):
        assert accuracies[rule].mean() > bp - 0.015, rule


def test_output_only_is_clearly_worse(accuracies):
    out = accuracies["output_only"]
    for rule in ("backprop", "feedback_alignment", "direct_feedback_alignment"):
        # Paired by seed (same initial weights and batches): worse on every seed, by a point on average.
        assert np.all(out < accuracies[rule]), rule
        assert out.mean() < accuracies[rule].mean() - 0.01, rule
    assert accuracies["output_only"].mean() > 0.85      # random features still carry most of the information


def test_feedback_alignment_aligns_with_backprop(digits):
    X, y, _, _ = digits
    net = train_network(X, y, rule="feedback_alignment", n_epochs=10, track_alignment=(X[:300], y[:300]))
    angles = net.history_["update_angle"]
    assert angles.shape == (11, 2)
    # Random feedback starts orthogonal to backprop (about 90 degrees) and the updates align well below 90.
    assert np.all(np.abs(angles[0] - 90) < 10)
    assert np.all(angles[-1] < 80) and np.all(angles[-1] < angles[0] - 10)
    # The last layer's forward weights turn towards the fixed feedback (W_3^T towards B_3).
    assert net.history_["feedback_angle"][-1, 1] < 70
    bp = train_network(X, y, rule="backprop", n_epochs=0)
    zero = alignment_angles(bp.mlp_, "backprop", [], X[:100], y[:100])["update"]
    np.testing.assert_allclose(zero, 0, atol=1e-5)


# ------------------------------------------------------------------------------------- predictive coding

def test_predictive_coding_converges_to_backprop(digits):
    X, y, _, _ = digits
    net = train_network(X, y, rule="backprop", n_epochs=2)
    cos = pc_backprop_cosine(net.mlp_, X[:64], y[:64], output_weights=(10.0, 1e-3), n_steps=(400,),
                             inference_rate=0.1)
    assert cos[1, 0].min() > 0.999           # small output weight, converged inference: backprop's direction
    assert cos[0, 0, 0] < 0.95                # a strong output nudge gives a different update
    # No inference: the hidden error nodes stay zero, only the readout's update is backprop's.
    none = pc_backprop_cosine(net.mlp_, X[:64], y[:64], output_weights=(1e-3,), n_steps=(0,))
    np.testing.assert_allclose(none[0, 0], [0, 0, 1], atol=1e-12)


def test_predictive_coding_inference_lowers_the_energy(digits):
    X, y, _, _ = digits
    net = train_network(X, y, rule="backprop", n_epochs=1)
    energy = pc_gradients(net.mlp_, X[:64], y[:64], output_weight=1.0, n_steps=50, inference_rate=0.1,
                          record_energy=True)["energy"]
    assert energy.shape == (51,)
    assert np.all(np.diff(energy) <= 1e-12) and energy[-1] < 0.9 * energy[0]


def test_predictive_coding_learns_the_digits(digits):
    X, y, Xt, yt = digits
    acc = train_network(X, y, rule="predictive_coding", n_epochs=10).score(Xt, yt)
    assert acc > 0.93


# ------------------------------------------------------------------------------------- forward-forward

def test_forward_forward_layer_update_matches_finite_differences():
    rng = np.random.default_rng(0)
    lin, relu = Linear(6, 5, seed=0), ReLU()
    x = rng.normal(size=(8, 6))
    sign = np.repeat([1.0, -1.0], 4)
    ff_layer_update(lin, relu, x, sign, 0.7)
    analytic = {k: v.copy() for k, v in lin.grads.items()}
    for name, p in lin.params.items():
        numeric = _numeric_grad(lambda: ff_layer_update(lin, relu, x, sign, 0.7)[2], p)
        np.testing.assert_allclose(analytic[name], numeric, rtol=1e-6, atol=1e-9, err_msg=name)


def test_forward_forward_beats_chance_by_far(digits):
    X, y, Xt, yt = digits
    net = train_forward_forward(X, y, n_epochs=10, seed=0)
    assert net.score(Xt, yt) > 0.85          # chance is 0.10
    g_pos, g_neg = net.history_["goodness_pos"][-1], net.history_["goodness_neg"][-1]
    assert np.all(g_pos > 1.0) and np.all(g_neg < 1.0)   # on either side of the threshold theta = 1
    assert net.class_goodness(Xt[:5]).shape == (5, 10)


# ------------------------------------------------------------------------------------- API, seeds, errors

def test_same_seed_same_network_and_substituted_weights(digits):
    X, y, Xt, yt = digits
    a = train_network(X[:300], y[:300], rule="direct_feedback_alignment", n_epochs=2, seed=3)
    b = train_network(X[:300], y[:300], rule="direct_feedback_alignment", n_epochs=2, seed=3)
    c = train_network(X[:300], y[:300], rule="direct_feedback_alignment", n_epochs=2, seed=4)
    for W, V in zip(a.weights_, b.weights_):
        np.testing.assert_array_equal(W, V)
    assert not np.allclose(a.weights_[0], c.weights_[0])
    np.testing.assert_array_equal(a.forward(Xt), a.mlp_.forward(Xt))
    zeros = [np.zeros_like(W) for W in a.weights_]
    np.testing.assert_allclose(a.forward(Xt[:3], weights=zeros), np.tile(a.biases_[-1], (3, 1)))
    assert a.score(Xt, yt) == np.mean(a.predict(Xt) == yt)
    with pytest.raises(ValueError, match=r"weights\[0\]"):
        a.forward(Xt, weights=[np.zeros((3, 3))] + zeros[1:])
    # Every rule shares the initial weights of its seed.
    init = [train_network(X[:50], y[:50], rule=r, n_epochs=0, seed=5).weights_[0] for r in RULES]
    for W in init[1:]:
        np.testing.assert_array_equal(W, init[0])


def test_bad_input_is_named(digits):
    X, y, _, _ = digits
    X, y = X[:100], y[:100]
    with pytest.raises(ValueError, match="rule must be one of"):
        train_network(X, y, rule="hebbian")
    with pytest.raises(ValueError, match="one label per row"):
        train_network(X, y[:-1], rule="backprop")
    bad = X.copy()
    bad[3, 5] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        train_network(bad, y, rule="backprop")
    with pytest.raises(ValueError, match="hidden_sizes"):
        train_network(X, y, rule="backprop", hidden_sizes=(100, 0))
    with pytest.raises(ValueError, match="learning_rate"):
        train_network(X, y, rule="feedback_alignment", learning_rate=0.0)
    with pytest.raises(ValueError, match="learning_rate"):
        train_forward_forward(X, y, learning_rate=-1.0)
    with pytest.raises(ValueError, match="hidden_sizes"):
        train_forward_forward(X, y, hidden_sizes=(-3,))
    with pytest.raises(ValueError, match="one label per row"):
        train_forward_forward(X, y[:10])
    with pytest.raises(ValueError, match="predictive_coding"):
        train_network(X, y, rule="backprop", n_inference_steps=5)
    with pytest.raises(ValueError, match="activation"):
        train_network(X, y, rule="backprop", activation="softsign")


def test_divergence_names_the_learning_rate(digits):
    X, y, _, _ = digits
    with pytest.raises(FloatingPointError, match="learning_rate"):
        train_network(X[:300], y[:300], rule="backprop", learning_rate=50.0, n_epochs=3)


def test_defaults_cover_every_rule():
    assert set(DEFAULTS) == set(RULES)


def test_unstable_inference_names_the_inference_rate(digits):
    X, y, _, _ = digits
    net = train_network(X, y, rule="backprop", n_epochs=1)
    with pytest.raises(FloatingPointError, match="inference_rate"):
        pc_gradients(net.mlp_, X[:64], y[:64], output_weight=1.0, n_steps=30, inference_rate=1.5)


def test_plot_helpers_return_figures(digits):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    from lnn_utils.plotting.credit_assignment import (plot_alignment, plot_energy, plot_goodness,
                                                      plot_learning_curves, plot_pc_cosine)

    X, y, Xt, yt = digits
    ff = train_forward_forward(X[:200], y[:200], n_epochs=2)
    figs = [plot_learning_curves({"backprop": np.full((2, 3), 0.9)}),
            plot_alignment({"FA": np.full((3, 2), 45.0)}),
            plot_pc_cosine(np.ones((2, 3, 3)), [1.0, 0.1], [1, 10, 100]),
            plot_energy(np.linspace(2, 1, 5)),
            plot_goodness(ff.history_, 1.0)]
    assert all(isinstance(f, Figure) for f in figs)
    plt.close("all")
