"""Mini-batch two-factor Hebbian rules reach the batch solutions they mirror, on problems with known answers."""

import numpy as np
import pytest

from lnn_utils.decomposition_metrics import amari_index, best_abs_cosine, max_principal_angle
from lnn_utils.hebbian import GHA, FoldiakNetwork, HebbianICA, OjaSubspace, SparseCoding, lca
from lnn_utils.hebbian.minibatch import _lca, _newton_schulz, lca_step_bound
from lnn_utils.reference import (
    dictionary_learning,
    fastica,
    lasso_fista,
    lasso_objective,
    pca,
    symmetric_decorrelation,
)
from lnn_utils.whitening import PCAWhitener

K = 4


@pytest.fixture(scope="module")
def gaussian():
    """Zero-mean Gaussian data in 20-D whose top-4 eigenvalues (5..3) are well above the rest (<= 1.5)."""
    rng = np.random.default_rng(0)
    d = 20
    variances = np.r_[np.linspace(5, 3, K), np.linspace(1.5, 0.2, d - K)]
    Q, _ = np.linalg.qr(rng.standard_normal((d, d)))
    X = rng.standard_normal((5000, d)) * np.sqrt(variances) @ Q.T
    return X, pca(X, K, center=False)[0]


@pytest.fixture(scope="module")
def mixture():
    """Whitened linear mixture of 5 independent Laplacian sources, with the mixing matrix in whitened space."""
    rng = np.random.default_rng(1)
    S = rng.laplace(size=(20000, 5))
    A = rng.standard_normal((5, 5))
    wh = PCAWhitener().fit(S @ A.T)
    return wh.transform(S @ A.T), wh.whitening_matrix_ @ A


# --- PCA ---------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("cls", [OjaSubspace, GHA])
def test_oja_subspace_and_gha_reach_the_top_k_subspace(gaussian, cls):
    X, P = gaussian
    net = cls(K, learning_rate=0.02, batch_size=100, decay=300, seed=0)
    start = max_principal_angle(symmetric_decorrelation(np.random.default_rng(0).standard_normal((K, 20))), P)
    net.fit(X, n_iter=2000)
    assert start > 45
    assert max_principal_angle(net.weights, P) < 1.0
    np.testing.assert_allclose(net.weights @ net.weights.T, np.eye(K), atol=0.02)


def test_gha_finds_the_eigenvectors_in_order(gaussian):
    X, P = gaussian
    W = GHA(K, learning_rate=0.02, batch_size=100, decay=300, seed=0).fit(X, n_iter=2000).weights
    np.testing.assert_allclose(np.abs(np.sum(W * P, axis=1)), 1.0, atol=0.01)
    # Oja's subspace rule only finds the subspace: its rows are a rotation of the eigenvectors
    W_oja = OjaSubspace(K, learning_rate=0.02, batch_size=100, decay=300, seed=0).fit(X, n_iter=2000).weights
    assert np.abs(np.sum(W_oja * P, axis=1)).min() < 0.95


def test_foldiak_lateral_inhibition_decorrelates_the_outputs(gaussian):
    X, P = gaussian
    net = FoldiakNetwork(K, learning_rate=0.02, lateral_rate=0.05, batch_size=100, decay=300, seed=0)

    def max_corr(model):
        C = np.corrcoef(model.transform(X).T)
        return {"corr": np.max(np.abs(C - np.diag(np.diag(C))))}

    net.fit(X, n_iter=2000, callback=max_corr, callback_every=500)
    corr = net.history_["corr"]
    assert corr[0] > 0.2 and corr[-1] < 0.03
    assert max_principal_angle(net.filters, P) < 2.0
    assert np.all(net.lateral == net.lateral.T) and np.all(np.diag(net.lateral) == 0)
    np.testing.assert_allclose(net.transform(X), X @ net.filters.T)


# --- ICA ---------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("decorrelation", ["symmetric", "lateral"])
@pytest.mark.parametrize("nonlinearity", ["tanh", "cubic"])
def test_hebbian_ica_separates_laplacian_sources(mixture, nonlinearity, decorrelation):
    Z, A = mixture
    rate = {"tanh": 0.1, "cubic": 0.005}[nonlinearity]
    net = HebbianICA(5, nonlinearity=nonlinearity, decorrelation=decorrelation, learning_rate=rate, batch_size=200,
                     decay=None, seed=0)
    assert net.fit(Z, n_iter=1000) is net
    assert amari_index(net.filters @ A) < 0.03
    assert amari_index(symmetric_decorrelation(np.random.default_rng(0).standard_normal((5, 5))) @ A) > 0.2
    assert net.weights.shape == (5, 5)
    if decorrelation == "symmetric":
        np.testing.assert_allclose(net.weights @ net.weights.T, np.eye(5), atol=1e-6)
    else:
        np.testing.assert_allclose(np.linalg.norm(net.weights, axis=1), 1.0)
        C = np.corrcoef(net.transform(Z).T)
        assert np.max(np.abs(C - np.eye(5))) < 0.05  # lateral inhibition decorrelated the outputs


def test_hebbian_ica_matches_fastica_from_the_same_start(mixture):
    Z, _ = mixture
    W_ref = fastica(Z, 5, "tanh", seed=3)
    net = HebbianICA(5, nonlinearity="tanh", learning_rate=1e-9, seed=3).fit(Z, n_iter=1)
    np.testing.assert_allclose(net.weights, symmetric_decorrelation(np.random.default_rng(3).standard_normal((5, 5))),
                               atol=1e-7)
    net = HebbianICA(5, nonlinearity="tanh", batch_size=200, seed=3).fit(Z, n_iter=1000)
    assert best_abs_cosine(net.weights, W_ref).mean() > 0.99


def test_newton_schulz_steps_converge_to_the_symmetric_decorrelation():
    rng = np.random.default_rng(2)
    Q = symmetric_decorrelation(rng.standard_normal((6, 9)))
    for eps in (1e-3, 1e-2, 5e-2):  # near-orthonormal W, as after a small Hebbian step
        W = Q + eps * rng.standard_normal(Q.shape)
        exact = symmetric_decorrelation(W)
        e0 = np.abs(W @ W.T - np.eye(6)).max()
        once = _newton_schulz(W)
        assert np.abs(once @ once.T - np.eye(6)).max() < min(2 * e0**2, 2e-3)  # quadratic convergence
        np.testing.assert_allclose(_newton_schulz(_newton_schulz(_newton_schulz(W))), exact, atol=1e-12)
    W = Q + 0.5 * rng.standard_normal(Q.shape)  # far from orthonormal: exact decorrelation
    np.testing.assert_allclose(_newton_schulz(W), symmetric_decorrelation(W), atol=1e-12)


@pytest.mark.parametrize("make", [lambda: OjaSubspace(3, seed=0), lambda: HebbianICA(3, nonlinearity="tanh", seed=0)])
def test_minibatch_step_equals_online_steps_up_to_second_order(make):
    """One mini-batch step of rate eta and B online steps of rate eta / B differ by O(eta^2)."""
    rng = np.random.default_rng(4)
    X = rng.laplace(size=(64, 6))
    W0 = symmetric_decorrelation(rng.standard_normal((3, 6)))
    diffs = []
    for eta in (0.02, 0.01):
        batch, online = make().fit(X, n_iter=1), make().fit(X, n_iter=1)
        batch._W, online._W = W0.copy(), W0.copy()
        batch._update(X, eta)
        for x in X:
            online._update(x[None], eta / len(X))
        diffs.append(np.abs(batch.weights - online.weights).max())
        assert np.abs(batch.weights - W0).max() > 10 * diffs[-1]  # the step is much larger than the difference
    assert diffs[0] / diffs[1] == pytest.approx(4.0, rel=0.15)


# --- sparse coding -----------------------------------------------------------------------------------------------
def test_lca_converges_to_the_lasso_solution():
    rng = np.random.default_rng(5)
    Phi_T = rng.standard_normal((24, 12))
    Phi_T /= np.linalg.norm(Phi_T, axis=1, keepdims=True)
    X = rng.standard_normal((20, 12))
    lam = 0.3
    step = 1.0 / np.linalg.eigvalsh(Phi_T @ Phi_T.T)[-1]
    A = lca(X, Phi_T, lam, n_steps=4000, step=step)
    grad = (X - A @ Phi_T) @ Phi_T.T  # KKT: = lam sign(a) where a != 0, |.| <= lam elsewhere
    on = np.abs(A) > 1e-9
    np.testing.assert_allclose(grad[on], lam * np.sign(A[on]), atol=1e-5)
    assert np.all(np.abs(grad[~on]) <= lam + 1e-5)
    np.testing.assert_allclose(A, lasso_fista(X, Phi_T.T, lam, n_iter=5000, tol=1e-13), atol=1e-4)
    A_pos = lca(X, Phi_T, lam, n_steps=500, step=step, nonnegative=True)
    assert A_pos.min() >= 0 and 0 < np.mean(A_pos > 0) < np.mean(on)


def test_sparse_coding_recovers_a_planted_dictionary():
    rng = np.random.default_rng(6)
    D = rng.standard_normal((15, 10))
    D /= np.linalg.norm(D, axis=1, keepdims=True)
    codes = np.zeros((4000, 15))
    for i in range(len(codes)):
        codes[i, rng.choice(15, 2, replace=False)] = rng.laplace(scale=2.0, size=2)
    X = codes @ D + 0.01 * rng.standard_normal((4000, 10))
    # the inference must be close to converged (100 LCA steps of 0.2 time constants) for an unbiased dictionary
    net = SparseCoding(15, lam=0.1, learning_rate=1.0, batch_size=200, n_lca_steps=100, lca_step=0.2, seed=0)
    start = lasso_objective(X, lasso_fista(X, net.fit(X, n_iter=1).dictionary, 0.1), net.dictionary, 0.1)
    net.fit(X, n_iter=400)
    np.testing.assert_allclose(np.linalg.norm(net.weights, axis=1), 1.0)
    assert best_abs_cosine(D, net.weights).min() > 0.98
    end = lasso_objective(X, net.transform(X), net.dictionary, 0.1)
    assert end < 0.5 * start


# --- interface ---------------------------------------------------------------------------------------------------
def test_reproducible_and_resumable(mixture):
    Z, _ = mixture
    a = HebbianICA(5, nonlinearity="tanh", batch_size=300, seed=7).fit(Z, n_iter=120)
    b = HebbianICA(5, nonlinearity="tanh", batch_size=300, seed=7).fit(Z, n_iter=50).partial_fit(Z, n_iter=70)
    c = HebbianICA(5, nonlinearity="tanh", batch_size=300, seed=8).fit(Z, n_iter=120)
    np.testing.assert_allclose(a.weights, b.weights, atol=1e-12)
    assert np.abs(a.weights - c.weights).max() > 1e-3
    assert a.n_steps_ == 120 and a.n_samples_seen_ == 120 * 300
    refit = a.fit(Z, n_iter=120)  # fit starts again from the seeded state
    np.testing.assert_allclose(refit.weights, b.weights, atol=1e-12)


def test_callback_history_and_early_stop(mixture):
    Z, A = mixture

    def quality(model):
        d = amari_index(model.filters @ A)
        if d < 0.05:
            raise StopIteration
        return {"amari": d}

    net = HebbianICA(5, nonlinearity="tanh", batch_size=200, seed=0).fit(Z, n_iter=5000, callback=quality,
                                                                        callback_every=20)
    h = net.history_
    assert set(h) == {"step", "seconds", "amari"}
    assert net.n_steps_ < 5000 and net.n_steps_ % 20 == 0
    assert h["step"][0] == 0 and np.all(np.diff(h["step"]) == 20) and np.all(np.diff(h["seconds"]) >= 0)
    assert h["amari"][0] > 0.2 and amari_index(net.filters @ A) < 0.05
    assert 0 < net.fit_time_ and h["seconds"][-1] <= net.fit_time_
    # without early stop the final state is recorded too, and partial_fit appends to the history
    net.fit(Z, n_iter=50, callback=lambda m: {"amari": amari_index(m.filters @ A)}, callback_every=20)
    np.testing.assert_array_equal(net.history_["step"], [0, 20, 40, 50])
    net.partial_fit(Z, n_iter=10, callback=lambda m: None, callback_every=20)
    np.testing.assert_array_equal(net.history_["step"], [0, 20, 40, 50, 50, 60])
    assert np.isnan(net.history_["amari"][-1])


def test_errors():
    Z = np.random.default_rng(0).standard_normal((100, 4))
    with pytest.raises(ValueError, match="nonlinearity"):
        HebbianICA(2, nonlinearity="relu")
    with pytest.raises(ValueError, match="decorrelation"):
        HebbianICA(2, decorrelation="gram-schmidt")
    with pytest.raises(ValueError, match="whiten with at least 5"):
        HebbianICA(5).fit(Z)
    with pytest.raises(ValueError, match="learning_rate"):
        SparseCoding(3, learning_rate=-1.0)
    with pytest.raises(ValueError, match=r"batch_size must be a positive integer or 'all'.*'full'"):
        OjaSubspace(2, batch_size="full")
    with pytest.raises(ValueError, match="batch_size"):
        OjaSubspace(2, batch_size=0)
    with pytest.raises(RuntimeError, match="fit"):
        GHA(2).weights
    with pytest.raises(FloatingPointError, match="smaller learning_rate"):
        OjaSubspace(2, learning_rate=100.0).fit(10 * Z, n_iter=50)
    with pytest.raises(ValueError, match="columns"):
        OjaSubspace(2).fit(Z, n_iter=2).transform(np.ones((3, 5)))


# --- robustness (issue 14) ---------------------------------------------------------------------------------------
def _overcomplete_dictionary(seed=9, n_atoms=48, n_features=16):
    rng = np.random.default_rng(seed)
    W = rng.standard_normal((n_atoms, n_features))
    return W / np.linalg.norm(W, axis=1, keepdims=True), rng.standard_normal((30, n_features))


def test_lca_step_bound_is_two_over_the_largest_gram_eigenvalue_and_is_tight():
    W, X = _overcomplete_dictionary()
    lam_max = np.linalg.eigvalsh(W.T @ W)[-1]
    assert lca_step_bound(W) == pytest.approx(2.0 / lam_max, rel=1e-12)
    assert lca_step_bound(W) < 2 / 3  # 3x overcomplete: far below the step of 1 that a single atom tolerates
    G = W @ W.T - np.eye(len(W))
    drive = X @ W.T
    # with lam = 0 every unit is active: the iteration is linear and the bound is exact on both sides
    for factor, finite in [(0.97, True), (1.03, False)]:
        U, _ = _lca(drive, G, 0.0, 400, factor * lca_step_bound(W), False)
        assert (np.abs(U).max() < 1e3) == finite
    # below the bound with a threshold the codes converge to the LASSO solution
    A = lca(X, W, 0.2, n_steps=3000, step=0.95 * lca_step_bound(W))
    best = lasso_objective(X, lasso_fista(X, W.T, 0.2, n_iter=5000, tol=1e-13), W.T, 0.2)
    assert lasso_objective(X, A, W.T, 0.2) == pytest.approx(best, rel=1e-6)


def test_lca_refuses_an_unstable_step_and_names_the_bound():
    W, X = _overcomplete_dictionary()
    bound = lca_step_bound(W)
    with pytest.raises(ValueError, match=rf"step=0\.8 is too large.*step < 2 / lambda_max\(Phi\^T Phi\) = {bound:.4g}"):
        lca(X, W, 0.1, step=0.8)
    with pytest.raises(ValueError, match="codes_init must have shape"):
        lca(X, W, 0.1, step=0.5 * bound, codes_init=np.zeros((3, len(W))))
    with pytest.raises(FloatingPointError, match="NaN or infinite with step=.*reduce step"):
        lca(X, W, 0.1, step=0.5 * bound, codes_init=np.full((len(X), len(W)), 1e308))


def test_sparse_coding_refuses_an_unstable_lca_step_and_keeps_its_dictionary():
    W, X = _overcomplete_dictionary()
    X = np.tile(X, (10, 1))
    with pytest.raises(ValueError, match=r"at training step 0.*lca_step=0\.9 is too large.*use lca_step <="):
        SparseCoding(48, lca_step=0.9, batch_size=50, seed=0).fit(X, n_iter=5)
    net = SparseCoding(48, lca_step=0.2, batch_size=50, seed=0).fit(X, n_iter=5)
    before = net.weights.copy()
    net.lca_step = 0.9  # a user changing the step of a trained model
    with pytest.raises(ValueError, match="lca_step=0.9 is too large"):
        net.partial_fit(X, n_iter=5)
    np.testing.assert_array_equal(net.weights, before)
    assert net.n_steps_ == 5
    with pytest.raises(ValueError, match="lca_step=0.9 is too large"):
        net.transform(X)


@pytest.mark.parametrize("make", [lambda s: OjaSubspace(2, seed=s), lambda s: GHA(2, seed=s),
                                  lambda s: FoldiakNetwork(2, seed=s), lambda s: HebbianICA(2, seed=s),
                                  lambda s: SparseCoding(3, seed=s)])
def test_minibatch_rules_refuse_a_list_of_seeds(make):
    for seeds in ([0, 1, 2], (4, 5), np.arange(3)):
        with pytest.raises(TypeError, match=r"trains one model per seed.*loop over the seeds"):
            make(seeds)
    with pytest.raises(ValueError, match=r"seed must be an int >= 0.*got -1"):
        make(-1)
    with pytest.raises(ValueError, match="reproducible"):
        make(None)
    make(np.random.default_rng(0))  # one stream: accepted
    make(np.int64(3))


def test_batch_references_refuse_a_list_of_seeds(mixture):
    Z, _ = mixture
    with pytest.raises(TypeError, match="fastica trains one model per seed"):
        fastica(Z, 5, seed=[0, 1])
    with pytest.raises(TypeError, match="dictionary_learning trains one model per seed"):
        dictionary_learning(Z, 6, 0.3, seed=(0, 1))
    with pytest.raises(ValueError, match="got -2"):
        fastica(Z, 5, seed=-2)


def test_divergence_rolls_back_to_the_last_finite_weights():
    Z = np.random.default_rng(0).standard_normal((100, 4))
    net = OjaSubspace(2, learning_rate=0.01, batch_size=20, seed=0).fit(Z, n_iter=3)
    before = net.weights.copy()
    net.learning_rate = 1e6
    with pytest.raises(FloatingPointError, match=r"smaller learning_rate than 1e\+06.*weights are those before"):
        net.partial_fit(1e3 * Z, n_iter=50)
    assert np.all(np.isfinite(net.weights)) and net.n_steps_ >= 3
    if net.n_steps_ == 3:
        np.testing.assert_array_equal(net.weights, before)


def test_batch_size_all_averages_every_step_over_all_patches():
    """batch_size="all": each step is the average over the whole data set, so a step equals one exact update."""
    Z = np.random.default_rng(1).standard_normal((300, 4))
    net = HebbianICA(3, nonlinearity="cubic", batch_size="all", learning_rate=0.1, seed=5).fit(Z, n_iter=3)
    assert net.batch_size_ == 300 and net.n_samples_seen_ == 900
    # the order of the patches cannot matter when every step sees all of them
    other = HebbianICA(3, nonlinearity="cubic", batch_size="all", learning_rate=0.1, seed=5).fit(Z[::-1], n_iter=3)
    np.testing.assert_allclose(net.weights, other.weights, atol=1e-12)
    # one step by hand from the same seeded start: W + eta <z y^3>, then the symmetric decorrelation (the common
    # rescaling before it does not change the result)
    start = HebbianICA(3, batch_size="all", learning_rate=1e-300, seed=5).fit(Z, n_iter=1).weights
    one = HebbianICA(3, nonlinearity="cubic", batch_size="all", learning_rate=0.1, seed=5).fit(Z, n_iter=1)
    G = (Z @ start.T) ** 3
    expected = symmetric_decorrelation(start + 0.1 * G.T @ Z / len(Z))
    np.testing.assert_allclose(one.weights, expected, atol=1e-9)


@pytest.mark.parametrize("nonlinearity", ["cubic", "tanh"])
def test_hebbian_ica_on_float32_patches_learns_the_float64_filters(mixture, nonlinearity):
    """Float32 patches: single-precision products, float64 weights; the filters agree with a float64 run to 1e-4
    after 200 steps (the step-to-step changes are far larger than the float32 rounding of the averages)."""
    Z, _ = mixture
    runs = {dt: HebbianICA(5, nonlinearity=nonlinearity, batch_size=2000, seed=3).fit(Z.astype(dt), n_iter=200)
            for dt in (np.float64, np.float32)}
    W32, W64 = runs[np.float32].weights, runs[np.float64].weights
    assert W32.dtype == np.float64
    np.testing.assert_allclose(W32, W64, atol=1e-4)
    assert not np.array_equal(W32, W64)  # the products did run in single precision (no silent conversion)
    # the other rules convert float32 patches to float64 as before
    oja = OjaSubspace(2, learning_rate=0.01, batch_size=500, seed=0).fit(Z.astype(np.float32), n_iter=5)
    assert oja.weights.dtype == np.float64
