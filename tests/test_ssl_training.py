"""The SSL encoder, its training loop, augmentations, evaluation, and the shipped digits.

Science checked: backpropagation equals finite differences (linear and batch-normalised MLP projectors, both views
in one stacked batch, a real loss); Adam and SGD follow their update equations, the warm-up + cosine schedule its
formula; every loss lowers itself in float32 training; a diverging run is caught and named; the effective rank of a matrix with k equal singular values is exactly k; the
ridge probe equals the normal-equation solution and its leave-one-out shortcut equals refitting; geometric
augmentations are exact for shifts and quarter turns; SSL training on the digits beats the random encoder.
"""

import numpy as np
import pytest

from lnn_utils.datasets import load_digits, stratified_split
from lnn_utils.ssl.augment import (Augment, add_noise, affine_sample, random_affine, random_contrast,
                                   random_rotation, random_shift)
from lnn_utils.mlp import BatchNorm, Linear
from lnn_utils.optim import WarmupCosine
from lnn_utils.ssl.encoder import SGD, Adam, MLPEncoder, train_ssl
from lnn_utils.ssl.evaluation import (RidgeProbe, effective_rank, embedding_spectrum, evaluate,
                                     few_label_probe_accuracy, knn_accuracy)
from lnn_utils.ssl.losses import LOSSES

# Class counts of the UCI optdigits test partition (optdigits.tes), as published on the UCI page.
UCI_TEST_COUNTS = [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]


@pytest.fixture(scope="module")
def digits():
    X_train, y_train = load_digits("train", seed=0)
    X_test, y_test = load_digits("test", seed=0)
    return X_train, y_train, X_test, y_test


def _quadratic_loss(z_a, z_b):
    """A private test loss with a known gradient: 0.5 mean ||z_a - z_b||^2 + 0.05 mean ||z_a + z_b - 1||^2."""
    n = len(z_a)
    d, s = z_a - z_b, z_a + z_b - 1.0
    value = 0.5 * np.sum(d ** 2) / n + 0.05 * np.sum(s ** 2) / n
    grad_a = (d + 0.1 * s) / n
    grad_b = (-d + 0.1 * s) / n
    return value, grad_a, grad_b


# ----------------------------------------------------------------------------------------------- data

def test_digits_are_the_uci_test_partition():
    images, labels = load_digits()
    assert images.shape == (1797, 8, 8) and labels.shape == (1797,)
    assert images.min() == 0.0 and images.max() == 1.0
    # Pixels count "on" pixels of 4 x 4 blocks, so every value is a multiple of 1/16.
    assert np.allclose(images * 16, np.round(images * 16))
    assert np.bincount(labels).tolist() == UCI_TEST_COUNTS


def test_split_is_stratified_disjoint_and_seeded():
    _, labels = load_digits()
    train, test = stratified_split(labels, test_fraction=0.25, seed=0)
    assert np.intersect1d(train, test).size == 0 and train.size + test.size == labels.size
    assert np.all(np.abs(np.bincount(labels[test]) - 0.25 * np.bincount(labels)) <= 0.5)
    again, _ = stratified_split(labels, test_fraction=0.25, seed=0)
    other, _ = stratified_split(labels, test_fraction=0.25, seed=1)
    assert np.array_equal(train, again) and not np.array_equal(train, other)
    X_train, y_train = load_digits("train", seed=3, flatten=True, dtype=np.float32)
    assert X_train.shape == (train.size, 64) and X_train.dtype == np.float32


def test_upsampled_digits_keep_their_range_and_mean():
    small, _ = load_digits("test")
    large, _ = load_digits("test", size=16)
    assert large.shape == (len(small), 16, 16)
    assert large.min() >= 0 and large.max() <= 1
    assert abs(large.mean() - small.mean()) < 0.02


def test_bad_dataset_arguments_raise():
    with pytest.raises(ValueError, match="split"):
        load_digits("validation")
    with pytest.raises(ValueError, match="size"):
        load_digits(size=4)
    with pytest.raises(ValueError, match="test_fraction"):
        stratified_split(np.zeros(10, int), test_fraction=1.5)


# ---------------------------------------------------------------------------------------- augmentations

def test_affine_sample_is_exact_for_whole_pixel_shifts_and_quarter_turns():
    rng = np.random.default_rng(0)
    images = rng.random((3, 8, 8))
    identity = np.tile(np.eye(2), (3, 1, 1))
    assert np.allclose(affine_sample(images, identity, np.zeros((3, 2))), images)
    shifted = affine_sample(images, identity, np.tile([2.0, -1.0], (3, 1)))   # read 2 rows down, 1 column left
    assert np.allclose(shifted[:, :-2, 1:], images[:, 2:, :-1])
    assert np.all(shifted[:, -2:, :] == 0) and np.all(shifted[:, :, 0] == 0)
    quarter = np.tile([[0.0, -1.0], [1.0, 0.0]], (3, 1, 1))
    assert np.allclose(affine_sample(images, quarter, np.zeros((3, 2))), np.rot90(images, -1, axes=(1, 2)))
    half = affine_sample(images, identity, np.tile([0.0, 0.5], (3, 1)))      # bilinear: mean of neighbours
    assert np.allclose(half[:, :, :-1], (images[:, :, :-1] + images[:, :, 1:]) / 2)


def test_affine_sample_equals_scipy_bilinear_interpolation():
    from scipy import ndimage

    rng = np.random.default_rng(0)
    images, matrices, offsets = rng.random((4, 8, 8)), rng.normal(size=(4, 2, 2)), 2 * rng.normal(size=(4, 2))
    out = affine_sample(images, matrices, offsets)
    grid = np.stack(np.mgrid[0:8, 0:8]) - 3.5
    for i in range(4):
        coords = np.einsum("ij,jpq->ipq", matrices[i], grid) + 3.5 + offsets[i][:, None, None]
        expected = ndimage.map_coordinates(images[i], coords, order=1, mode="grid-constant", cval=0.0)
        assert np.allclose(out[i], expected)


def test_augmentations_are_per_image_and_reproducible():
    images, _ = load_digits("test")
    images = images[:64]
    aug = Augment()
    a = aug(images, np.random.default_rng(5))
    assert a.shape == images.shape and a.dtype == images.dtype
    assert np.array_equal(a, aug(images, np.random.default_rng(5)))
    assert not np.allclose(a, aug(images, np.random.default_rng(6)))
    # The transform of one image does not depend on the others in the batch.
    matrices = np.random.default_rng(1).normal(size=(64, 2, 2))
    offsets = np.random.default_rng(2).normal(size=(64, 2))
    batch = affine_sample(images, matrices, offsets)
    assert np.allclose(batch[10], affine_sample(images[10:11], matrices[10:11], offsets[10:11])[0])
    neutral = Augment(max_rotation=0, scale=(1, 1), max_shift=0, contrast=None, noise_std=0)
    assert np.array_equal(neutral(images, 0), images)


def test_random_shift_moves_whole_images_by_whole_pixels():
    rng = np.random.default_rng(0)
    images = np.zeros((50, 8, 8))
    images[:, 3:5, 3:5] = 1.0                       # a centred square: no shift of <= 2 pixels loses ink
    out = random_shift(images, rng, max_shift=2)
    assert np.allclose(out.sum(axis=(1, 2)), 4.0)
    rows, cols = np.nonzero(out.sum(axis=2))[1], np.nonzero(out.sum(axis=1))[1]
    assert rows.min() >= 1 and rows.max() <= 6 and cols.min() >= 1 and cols.max() <= 6
    assert len({tuple(np.argwhere(o)[0]) for o in out}) > 10       # many different shifts
    assert np.array_equal(random_shift(images, rng, max_shift=0), images)


def test_photometric_augmentations_follow_their_definitions():
    rng = np.random.default_rng(0)
    images = rng.uniform(0.3, 0.7, (200, 8, 8))
    contrasted = random_contrast(images, rng, factor=(0.5, 0.9))   # shrinking never needs clipping
    assert np.allclose(contrasted.mean(axis=(1, 2)), images.mean(axis=(1, 2)))
    ratio = contrasted.std(axis=(1, 2)) / images.std(axis=(1, 2))
    assert ratio.min() >= 0.5 - 1e-9 and ratio.max() <= 0.9 + 1e-9
    noisy = add_noise(images, rng, std=0.1)
    assert abs((noisy - images).std() - 0.1) < 0.003
    rotated = random_rotation(images, rng, max_degrees=30)
    assert rotated.shape == images.shape
    with pytest.raises(ValueError, match="scale"):
        random_affine(images, rng, scale=(1.2, 0.8))
    with pytest.raises(ValueError, match="3-D"):
        Augment()(images.reshape(200, 64), rng)


# ---------------------------------------------------------------------------------------------- encoder

def _numerical_gradient(f, params, eps=1e-6):
    grads = {}
    for name, p in params.items():
        g = np.zeros_like(p)
        flat, gflat = p.reshape(-1), g.reshape(-1)
        for i in range(flat.size):
            old = flat[i]
            flat[i] = old + eps
            up = f()
            flat[i] = old - eps
            down = f()
            flat[i] = old
            gflat[i] = (up - down) / (2 * eps)
        grads[name] = g
    return grads


@pytest.mark.parametrize("projector, widths", [("linear", None), ("mlp", 4), ("mlp", (4, 3))])
def test_backward_matches_finite_differences(projector, widths):
    rng = np.random.default_rng(0)
    enc = MLPEncoder(5, hidden_dim=6, embedding_dim=3, projector=projector, projector_hidden_dim=widths, seed=1,
                     dtype=np.float64)
    for name in enc.params:                       # non-zero biases and BN shifts/scales, so that they are tested
        if name.startswith(("b", "gamma")):
            enc.params[name][...] += rng.normal(0, 0.3, enc.params[name].shape)
    x = rng.normal(size=(14, 5))                  # both views stacked (7 + 7), as train_ssl does

    def loss():
        z = enc.forward(x)[0]
        return _quadratic_loss(z[:7], z[7:])[0]

    z, cache = enc.forward(x)
    _, g_a, g_b = _quadratic_loss(z[:7], z[7:])
    analytic = {k: v.copy() for k, v in enc.backward(np.concatenate([g_a, g_b]), cache).items()}
    numeric = _numerical_gradient(loss, enc.params)
    for name in enc.params:
        assert np.allclose(analytic[name], numeric[name], rtol=1e-5, atol=1e-8), name
    # The gradients are views into one flat buffer, which the optimiser updates in one pass.
    z, cache = enc.forward(x)
    grads = enc.backward(np.concatenate([g_a, g_b]), cache)
    assert all(np.shares_memory(enc.flat_grads, g) for g in grads.values())
    assert enc.flat_grads.size == enc.n_parameters == sum(p.size for p in enc.params.values())


def test_mlp_projector_is_the_papers_design():
    # Garrido et al. (2023, Sec. 5): hidden Linear layers with batch norm and ReLU, last Linear without bias or BN.
    enc = MLPEncoder(64, hidden_dim=32, embedding_dim=16, projector="mlp", projector_hidden_dim=(16, 16), seed=0)
    kinds = [type(layer).__name__ for layer in enc.net.layers]
    assert kinds == ["Linear", "ReLU", "Linear", "ReLU", "Linear", "BatchNorm", "ReLU", "Linear", "BatchNorm",
                     "ReLU", "Linear"]
    last = enc.net.layers[-1]
    assert isinstance(last, Linear) and last.b is None and "b5" not in enc.params and "W5" in enc.params
    assert {"gamma3", "beta3", "gamma4", "beta4"} <= set(enc.params)
    # Weight decay applies to weight matrices only.
    n_weights = sum(p.size for k, p in enc.params.items() if k.startswith("W"))
    assert enc.decay_mask.sum() == n_weights
    # Training mode uses batch statistics (each BN output has zero batch mean), embed() the running ones.
    x = np.random.default_rng(0).random((50, 64))
    enc.forward(x)
    bn_out = enc.net.layers[5]._x_hat
    np.testing.assert_allclose(bn_out.mean(axis=0), 0, atol=1e-5)
    assert isinstance(enc.net.layers[5], BatchNorm)
    z_eval = enc.embed(x)
    assert z_eval.shape == (50, 16) and not np.allclose(z_eval, enc.forward(x)[0])
    with pytest.raises(ValueError, match="same batch"):
        z, cache = enc.forward(x)
        enc.representation(x)
        enc.backward(np.zeros_like(z), cache)


def test_initialisation_is_he_and_seeded():
    enc = MLPEncoder(64, hidden_dim=256, embedding_dim=128, seed=0)
    assert enc.params["W1"].dtype == np.float32
    assert abs(enc.params["W1"].std() - np.sqrt(2 / 64)) < 0.01
    assert abs(enc.params["W2"].std() - np.sqrt(2 / 256)) < 0.005
    assert np.all(enc.params["b1"] == 0)
    assert np.array_equal(enc.flat_params, MLPEncoder(64, hidden_dim=256, embedding_dim=128, seed=0).flat_params)
    assert not np.array_equal(enc.flat_params, MLPEncoder(64, hidden_dim=256, embedding_dim=128, seed=1).flat_params)
    r = enc.representation(np.ones((3, 8, 8)))
    assert r.shape == (3, 256) and np.all(r >= 0)
    assert enc.embed(np.ones((3, 64))).shape == (3, 128)
    with pytest.raises(ValueError, match="projector"):
        MLPEncoder(64, projector="bn")
    with pytest.raises(TypeError, match="seed"):
        MLPEncoder(64, seed=[0, 1])
    with pytest.raises(ValueError, match="shape"):
        enc.representation(np.ones((3, 10)))


def test_adam_first_step_has_size_lr_and_it_minimises_a_quadratic():
    params = np.array([1.0, -2.0, 3.0])
    opt = Adam(0.1)
    opt.step(params, np.array([5.0, -0.01, 1e3]))
    # With bias correction, Adam's first step is lr * sign(g) whatever the gradient's scale.
    assert np.allclose(params, [0.9, -1.9, 2.9])
    target = np.array([0.5, 0.25, -1.0])
    for _ in range(2000):
        opt.step(params, params - target)
    assert np.allclose(params, target, atol=1e-3)


def test_sgd_momentum_and_weight_decay_follow_their_equations():
    params = np.array([1.0, 1.0])
    opt = SGD(0.1, momentum=0.5)
    g = np.array([1.0, -2.0])
    opt.step(params, g)
    opt.step(params, g)
    # u1 = g, u2 = 0.5 g + g: theta = theta0 - 0.1 (1 + 1.5) g
    assert np.allclose(params, 1.0 - 0.1 * 2.5 * g)
    mask = np.array([1.0, 0.0])
    for opt in (SGD(0.1, momentum=0.0, weight_decay=0.5), Adam(0.1, weight_decay=0.5)):
        params = np.array([2.0, 2.0])
        opt.step(params, np.zeros(2), mask)
        assert params[0] == pytest.approx(2.0 - 0.1 * 0.5 * 2.0) and params[1] == 2.0   # biases are not decayed


# ----------------------------------------------------------------------------------------- training loop

def test_training_loop_minimises_the_loss_and_is_reproducible():
    images = load_digits("train")[0][:300]
    calls = []
    enc, hist = train_ssl(images, _quadratic_loss, embedding_dim=8, hidden_dim=32, batch_size=64, n_epochs=15,
                          seed=3, callback=lambda epoch, e, h: calls.append(epoch))
    assert hist["loss"].shape == (15,) and hist["step_loss"].shape == (15 * 4,) and hist["n_steps"] == 60
    assert hist["loss"][-1] < 0.5 * hist["loss"][0]
    assert calls == list(range(15)) and hist["time"] > 0
    again, _ = train_ssl(images, _quadratic_loss, embedding_dim=8, hidden_dim=32, batch_size=64, n_epochs=15,
                         seed=3)
    assert np.array_equal(enc.flat_params, again.flat_params)
    other, _ = train_ssl(images, _quadratic_loss, embedding_dim=8, hidden_dim=32, batch_size=64, n_epochs=1,
                         seed=4, optimizer="sgd")
    assert not np.array_equal(enc.flat_params, other.flat_params)
    # A batch larger than the data becomes one batch of everything.
    _, small = train_ssl(images[:20], _quadratic_loss, hidden_dim=16, embedding_dim=4, batch_size=256, n_epochs=2)
    assert small["n_steps"] == 2


def test_training_rejects_bad_input():
    images = np.zeros((10, 8, 8))
    with pytest.raises(ValueError, match="not square"):
        train_ssl(np.zeros((10, 10)), _quadratic_loss)
    with pytest.raises(ValueError, match="NaN"):
        train_ssl(np.full((10, 8, 8), np.nan), _quadratic_loss)
    with pytest.raises(ValueError, match="optimizer"):
        train_ssl(images, _quadratic_loss, optimizer="rmsprop")
    with pytest.raises(ValueError, match="batch_size must be >= 2, got 1"):
        train_ssl(images, "vicreg", batch_size=1)
    with pytest.raises(TypeError, match="seed.*once per seed"):
        train_ssl(images, "vicreg", seed=[0, 1])
    with pytest.raises(ValueError, match="lr_schedule"):
        train_ssl(images, "vicreg", lr_schedule="step")


def test_a_diverging_run_is_caught_with_the_learning_rate_and_the_step():
    # Issue 14: SGD with lr = 1e3 used to end in "z_a contains NaN ... clean or drop those rows", blaming the data.
    images = load_digits("train")[0][:512]
    with np.errstate(all="raise"):                # no overflow warning escapes the loop either
        with pytest.raises(FloatingPointError, match=r"diverged.*at step \d+ of \d+.*optimizer='sgd'.*lr=1e\+03"):
            train_ssl(images, "vicreg", optimizer="sgd", lr=1e3, batch_size=128, n_epochs=5, hidden_dim=64)
    # The same run with the default learning rate is fine.
    _, hist = train_ssl(images, "vicreg", optimizer="sgd", batch_size=128, n_epochs=2, hidden_dim=64)
    assert np.all(np.isfinite(hist["step_loss"]))


def test_warmup_cosine_schedule_and_step_budget():
    sched = WarmupCosine(0.4, 100, warmup_steps=10)
    lrs = np.array([sched(t) for t in range(100)])
    np.testing.assert_allclose(lrs[:10], 0.4 * np.arange(1, 11) / 10)
    assert lrs[10] == pytest.approx(0.4) and np.all(np.diff(lrs[10:]) < 0)
    assert lrs[55] == pytest.approx(0.2)                 # half-way through the cosine: half the peak
    assert lrs[-1] == pytest.approx(0.4 * 0.5 * (1 + np.cos(np.pi * 89 / 90)))
    with pytest.raises(ValueError, match="warmup_steps"):
        WarmupCosine(0.1, 10, warmup_steps=10)
    # train_ssl with a fixed number of steps follows it, whatever the batch size.
    images = load_digits("train")[0][:200]
    for b in (16, 64):
        _, hist = train_ssl(images, _quadratic_loss, hidden_dim=16, embedding_dim=4, batch_size=b, n_steps=30,
                            lr=0.01, lr_schedule="warmup_cosine", warmup_fraction=0.2)
        assert hist["n_steps"] == 30 and hist["step_loss"].shape == (30,)
        np.testing.assert_allclose(hist["lr"], [WarmupCosine(0.01, 30, warmup_steps=6)(t) for t in range(30)])


def test_progress_bar_only_when_asked(capsys, monkeypatch):
    monkeypatch.delenv("LNN_PROGRESS", raising=False)
    images = load_digits("train")[0][:64]
    train_ssl(images, _quadratic_loss, hidden_dim=8, embedding_dim=4, batch_size=32, n_epochs=3, progress=True)
    err = capsys.readouterr().err
    assert "6/6" in err and "step" in err
    train_ssl(images, _quadratic_loss, hidden_dim=8, embedding_dim=4, batch_size=32, n_epochs=3, progress=False)
    assert capsys.readouterr().err == ""
    monkeypatch.setenv("LNN_PROGRESS", "0")        # what the notebook runner sets: silent even when asked
    train_ssl(images, _quadratic_loss, hidden_dim=8, embedding_dim=4, batch_size=32, n_epochs=3, progress=True)
    assert capsys.readouterr().err == ""


# ------------------------------------------------------------------------------------------- evaluation

def _matrix_with_singular_values(values, n=40, m=12, seed=0):
    rng = np.random.default_rng(seed)
    u = np.linalg.qr(rng.normal(size=(n, len(values))))[0]
    v = np.linalg.qr(rng.normal(size=(m, len(values))))[0]
    return u @ np.diag(values) @ v.T


def test_effective_rank_of_k_equal_singular_values_is_k():
    for k in (1, 3, 7):
        Z = _matrix_with_singular_values(np.full(k, 2.5))
        assert effective_rank(Z, center=False) == pytest.approx(k, rel=1e-9)
    unequal = _matrix_with_singular_values([4.0, 2.0, 1.0, 0.5])
    assert 1 < effective_rank(unequal, center=False) < 4
    # Closed form: exp(entropy of p = s / sum s).
    p = np.array([4.0, 2.0, 1.0, 0.5]) / 7.5
    assert effective_rank(unequal, center=False) == pytest.approx(np.exp(-np.sum(p * np.log(p))))
    assert effective_rank(3.0 * unequal, center=False) == pytest.approx(effective_rank(unequal, center=False))
    # Centring: a constant offset adds no spread, and a fully collapsed embedding has rank 0.
    centred = _matrix_with_singular_values(np.ones(5))
    centred -= centred.mean(axis=0)
    assert effective_rank(centred + 10.0) == pytest.approx(effective_rank(centred, center=False))
    assert effective_rank(np.tile(np.arange(6.0), (30, 1))) == 0.0


def test_embedding_spectrum_gives_the_covariance_eigenvalues():
    rng = np.random.default_rng(0)
    Z = rng.normal(size=(500, 6)) * np.array([3.0, 2.0, 1.0, 1.0, 0.5, 0.1]) + 4.0
    s = embedding_spectrum(Z)
    assert np.all(np.diff(s) <= 0)
    eig = np.sort(np.linalg.eigvalsh(np.cov(Z.T, bias=True)))[::-1]
    assert np.allclose(s ** 2, eig)
    assert embedding_spectrum(Z, normalize=True).sum() == pytest.approx(1.0)


def test_ridge_probe_is_the_closed_form_solution_with_exact_leave_one_out():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 4))
    y = (X[:, 0] + 0.5 * rng.normal(size=30) > 0).astype(int) + 2 * (X[:, 1] > 0)
    probe = RidgeProbe(alphas=[3.0]).fit(X, y)
    Xs = (X - X.mean(0)) / X.std(0)
    Y = np.eye(4)[y]
    W = np.linalg.solve(Xs.T @ Xs + 3.0 * np.eye(4), Xs.T @ (Y - Y.mean(0)))
    assert np.allclose(probe.coef_, W)
    # Leave-one-out shortcut = refit without each sample (standardisation kept fixed, as in the shortcut).
    hits = 0
    for i in range(30):
        keep = np.arange(30) != i
        Yk = Y[keep]
        Wk = np.linalg.solve(np.c_[Xs[keep], np.ones(29)].T @ np.c_[Xs[keep], np.ones(29)]
                             + np.diag([3.0] * 4 + [0.0]), np.c_[Xs[keep], np.ones(29)].T @ Yk)
        hits += np.argmax(np.r_[Xs[i], 1.0] @ Wk) == y[i]
    assert probe.loo_accuracy_[0] == pytest.approx(hits / 30)
    separable = RidgeProbe().fit(X, (X[:, 0] > 0).astype(int))
    assert separable.score(X, (X[:, 0] > 0).astype(int)) > 0.9


def test_knn_uses_cosine_similarity_and_majority_vote():
    train = np.array([[1.0, 0.0], [0.9, 0.1], [0.8, 0.2], [0.0, 1.0], [0.1, 0.9]])
    labels = np.array([0, 0, 0, 1, 1])
    test = np.array([[100.0, 1.0], [0.0, 0.01]])       # norms do not matter, only directions
    assert knn_accuracy(train, labels, test, np.array([0, 1]), k=1) == 1.0
    assert knn_accuracy(train, labels, test, np.array([0, 0]), k=5) == 1.0   # 3 votes to 2
    # A 1-1 tie goes to the more similar neighbour.
    assert knn_accuracy(train[[0, 3]], labels[[0, 3]], np.array([[1.0, 0.2]]), np.array([0]), k=2) == 1.0


# ------------------------------------------------------------------------------------ SSL on the digits

def test_evaluate_reports_probes_and_ranks(digits):
    X_train, y_train, X_test, y_test = digits
    pixels = evaluate(None, X_train, y_train, X_test, y_test)
    assert pixels["linear_probe"] > 0.9 and pixels["knn"] > 0.9 and np.isnan(pixels["effective_rank"])
    enc = MLPEncoder(64, embedding_dim=16, seed=0)
    result = evaluate(enc, X_train, y_train, X_test, y_test, n_labels_per_class=5, n_label_draws=2)
    assert 0.5 < result["linear_probe"] <= 1 and 1 <= result["effective_rank"] <= 16
    assert result["linear_probe_few_labels"] == few_label_probe_accuracy(
        enc.representation(X_train), y_train, enc.representation(X_test), y_test, n_per_class=5, n_draws=2)


@pytest.mark.parametrize("name, projector", [("vicreg", "linear"), ("simclr", "linear"), ("barlow_twins", "linear"),
                                             ("vicreg_ctr", "mlp"), ("vicreg_exp", "mlp")])
def test_backprop_through_a_real_loss_matches_finite_differences(name, projector):
    rng = np.random.default_rng(1)
    enc = MLPEncoder(4, hidden_dim=5, embedding_dim=3, projector=projector, projector_hidden_dim=4, seed=2,
                     dtype=np.float64)
    x = rng.normal(size=(12, 4))
    loss = LOSSES[name]

    def value():
        z = enc.forward(x)[0]
        return loss(z[:6], z[6:])[0]

    z, cache = enc.forward(x)
    _, g_a, g_b = loss(z[:6], z[6:])
    analytic = {k: v.copy() for k, v in enc.backward(np.concatenate([g_a, g_b]), cache).items()}
    numeric = _numerical_gradient(value, enc.params)
    for key in enc.params:
        assert np.allclose(analytic[key], numeric[key], rtol=1e-4, atol=1e-7), (name, key)


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_every_loss_trains_in_float32(name):
    # Each loss, in float32, must lower itself: the mean of the last 10 steps below that of the first 10 by more
    # than three standard errors of the step-to-step fluctuation (the LogSumExp losses have a large constant
    # floor, log(N - 1), so a relative margin would not fit them all).
    images = load_digits("train")[0][:256]
    enc, hist = train_ssl(images, name, hidden_dim=32, embedding_dim=8, batch_size=64, n_steps=60, seed=0)
    assert np.all(np.isfinite(hist["step_loss"])) and enc.flat_params.dtype == np.float32
    assert np.all(np.isfinite(enc.flat_params))
    first, last = hist["step_loss"][:10].mean(), hist["step_loss"][-10:].mean()
    noise = np.std(np.diff(hist["step_loss"])) / np.sqrt(2 * 10)
    assert last < first - 3 * noise, (first, last, noise)


@pytest.mark.parametrize("name, kwargs", [("vicreg", {}), ("simclr", {"temperature": 0.2})])
def test_ssl_training_beats_the_random_encoder_on_digits(digits, name, kwargs):
    X_train, y_train, X_test, y_test = digits
    untrained, _ = train_ssl(X_train, name, n_epochs=0, seed=0)          # the very initialisation trained below
    trained, hist = train_ssl(X_train, name, n_epochs=20, seed=0, loss_kwargs=kwargs)
    before = evaluate(untrained, X_train, y_train, X_test, y_test, n_labels_per_class=10)
    after = evaluate(trained, X_train, y_train, X_test, y_test, n_labels_per_class=10)
    assert hist["loss"][-1] < hist["loss"][0]
    # Measured (seed 0): full-label probe 0.962 -> 0.973 (VICReg), 0.987 (SimCLR); 10 labels per class
    # 0.851 -> 0.884, 0.893. With all labels even random ReLU features separate the digits well, so the margin
    # is required of the few-label probe.
    assert after["linear_probe"] > before["linear_probe"]
    assert after["linear_probe_few_labels"] > before["linear_probe_few_labels"] + 0.02
    assert 1 < after["effective_rank"] <= 64
