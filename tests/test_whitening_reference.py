"""PCA whitening, the batch references (PCA, FastICA, LASSO, dictionary learning) and the quality measures."""

import numpy as np
import pytest

from lnn_utils.decomposition_metrics import (
    amari_distance,
    amari_index,
    best_abs_cosine,
    contrast_value,
    matched_abs_cosine,
    max_principal_angle,
    principal_angles,
    reconstruction_error,
    sparsity,
)
from lnn_utils.reference import (
    dictionary_learning,
    fastica,
    lasso_fista,
    lasso_objective,
    pca,
    soft_threshold,
    symmetric_decorrelation,
)
from lnn_utils.whitening import PCAWhitener


def correlated_gaussian(n, variances, seed=0):
    """Samples with covariance Q diag(variances) Q^T for a random rotation Q; returns X and Q^T (eigenvectors)."""
    rng = np.random.default_rng(seed)
    d = len(variances)
    Q, _ = np.linalg.qr(rng.standard_normal((d, d)))
    X = rng.standard_normal((n, d)) * np.sqrt(variances) @ Q.T + rng.standard_normal(d)
    return X, Q.T


def laplace_mixture(n=20000, d=5, seed=0):
    rng = np.random.default_rng(seed)
    S = rng.laplace(size=(n, d))
    A = rng.standard_normal((d, d))
    return S @ A.T, A


# --- PCAWhitener -------------------------------------------------------------------------------------------------
def test_whitened_covariance_is_identity_and_maps_invert():
    X, _ = correlated_gaussian(3000, np.geomspace(10, 0.1, 12))
    wh = PCAWhitener(8).fit(X)
    Z = wh.transform(X)
    assert Z.shape == (3000, 8)
    np.testing.assert_allclose(Z.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(Z.T @ Z / len(Z), np.eye(8), atol=1e-10)
    np.testing.assert_allclose(wh.whitening_matrix_ @ wh.dewhitening_matrix_, np.eye(8), atol=1e-12)
    # a filter w on z is the pixel filter to_pixels(w) on x - mu
    w = np.random.default_rng(1).standard_normal((3, 8))
    np.testing.assert_allclose((X - wh.mean_) @ wh.to_pixels(w).T, Z @ w.T, atol=1e-9)
    # from_pixels inverts to_pixels, for filters and for basis vectors
    np.testing.assert_allclose(wh.from_pixels(wh.to_pixels(w)), w, atol=1e-10)
    np.testing.assert_allclose(wh.from_pixels(wh.to_pixels(w, kind="basis"), kind="basis"), w, atol=1e-10)
    # inverse_transform is the projection on the kept subspace: the error is the discarded variance
    full = PCAWhitener().fit(X)
    err = np.mean(np.sum((wh.inverse_transform(Z) - X) ** 2, axis=1))
    total = np.trace(np.cov(X.T, bias=True))
    assert err == pytest.approx(total - wh.explained_variance_.sum(), rel=1e-8)
    np.testing.assert_allclose(full.inverse_transform(full.transform(X)), X, atol=1e-9)


def test_whitener_finds_the_principal_directions():
    variances = np.array([9.0, 4.0, 1.0, 0.25, 0.1])
    X, E = correlated_gaussian(50_000, variances, seed=2)
    wh = PCAWhitener(3).fit(X)
    assert max_principal_angle(wh.components_, E[:3]) < 2.0
    np.testing.assert_allclose(wh.explained_variance_, variances[:3], rtol=0.03)
    np.testing.assert_allclose(wh.explained_variance_ratio_, variances[:3] / variances.sum(), rtol=0.03)


def test_remove_dc_ignores_patch_brightness():
    X, _ = correlated_gaussian(2000, np.geomspace(5, 0.5, 9), seed=3)
    offsets = np.random.default_rng(4).standard_normal((2000, 1)) * 10
    wh = PCAWhitener(6, remove_dc=True).fit(X)
    np.testing.assert_allclose(wh.transform(X + offsets), wh.transform(X), atol=1e-9)
    np.testing.assert_allclose(wh.components_ @ np.ones(9), 0, atol=1e-10)
    # the DC direction carries no variance, so only 8 directions can be whitened
    with pytest.raises(ValueError, match="n_components <= 8"):
        PCAWhitener(9, remove_dc=True).fit(X)


def test_whitener_errors():
    X = np.random.default_rng(0).standard_normal((50, 4))
    with pytest.raises(RuntimeError, match="fit"):
        PCAWhitener(2).transform(X)
    with pytest.raises(ValueError, match="exceeds the 4 features"):
        PCAWhitener(5).fit(X)
    with pytest.raises(ValueError, match="kind"):
        PCAWhitener(2).fit(X).to_pixels(np.ones((1, 2)), kind="atoms")
    with pytest.raises(ValueError, match="columns"):
        PCAWhitener(2).fit(X).transform(np.ones((3, 5)))
    with pytest.raises(TypeError):
        PCAWhitener(2.5)


# --- PCA and FastICA ---------------------------------------------------------------------------------------------
def test_pca_eigendecomposition():
    variances = np.array([6.0, 3.0, 2.0, 1.0, 0.5, 0.2])
    X, E = correlated_gaussian(40_000, variances, seed=5)
    P, lam = pca(X, 3)
    np.testing.assert_allclose(P @ P.T, np.eye(3), atol=1e-12)
    np.testing.assert_allclose(np.abs(np.sum(P * E[:3], axis=1)), 1.0, atol=0.01)
    np.testing.assert_allclose(lam, variances[:3], rtol=0.03)
    # without centring, the mean leaks into the second-moment matrix
    P_raw, _ = pca(X + 100.0, 1, center=False)
    assert abs(P_raw[0] @ np.ones(6)) / np.sqrt(6) > 0.99


def test_symmetric_decorrelation_is_the_nearest_orthonormal_matrix():
    W = np.random.default_rng(6).standard_normal((4, 7))
    Q = symmetric_decorrelation(W)
    np.testing.assert_allclose(Q @ Q.T, np.eye(4), atol=1e-12)
    U, _, Vt = np.linalg.svd(W, full_matrices=False)
    np.testing.assert_allclose(Q, U @ Vt, atol=1e-10)  # the polar factor
    with pytest.raises(np.linalg.LinAlgError):
        symmetric_decorrelation(np.ones((2, 3)))


@pytest.mark.parametrize("nonlinearity", ["tanh", "cubic"])
def test_fastica_recovers_laplacian_sources(nonlinearity):
    X, A = laplace_mixture()
    wh = PCAWhitener().fit(X)
    Z = wh.transform(X)
    W, info = fastica(Z, 5, nonlinearity, seed=0, return_info=True)
    assert info["converged"] and info["n_iter"] < 100
    np.testing.assert_allclose(W @ W.T, np.eye(5), atol=1e-10)
    assert amari_index(wh.to_pixels(W) @ A) < 0.03
    # reproducible, and a different start finds the same components
    np.testing.assert_array_equal(fastica(Z, 5, nonlinearity, seed=0), W)
    W1 = fastica(Z, 5, nonlinearity, seed=1)
    assert amari_distance(W1, W) < 0.03
    assert best_abs_cosine(W1, W).mean() > 0.99


def test_fastica_on_gaussian_data_finds_only_sample_noise():
    """Negative control: with Gaussian sources no rotation is special, so what FastICA picks depends on the sample,
    whereas for Laplacian sources two independent samples give the same components."""
    rng = np.random.default_rng(7)
    A = rng.standard_normal((4, 4))

    def components(S):
        wh = PCAWhitener().fit(S @ A.T)
        return wh.to_pixels(fastica(wh.transform(S @ A.T), 4, "tanh", seed=0, max_iter=300))

    gauss = [components(rng.standard_normal((20000, 4))) for _ in range(2)]
    laplace = [components(rng.laplace(size=(20000, 4))) for _ in range(2)]
    assert amari_distance(*laplace) < 0.03
    assert amari_distance(*gauss) > 0.1


@pytest.mark.parametrize("nonlinearity", ["tanh", "cubic"])
def test_fastica_on_float32_data_agrees_with_float64(nonlinearity):
    """Float32 data keep single-precision products (the notebooks' speed-up) with float64 W: same components."""
    X, _ = laplace_mixture(d=6)
    Z = PCAWhitener().fit(X).transform(X)
    W64, info64 = fastica(Z, 6, nonlinearity, seed=0, tol=1e-6, return_info=True)
    W32, info32 = fastica(Z.astype(np.float32), 6, nonlinearity, seed=0, tol=1e-6, return_info=True)
    assert W32.dtype == np.float64 and info32["converged"]
    assert abs(info32["n_iter"] - info64["n_iter"]) <= 2
    np.testing.assert_allclose(W32, W64, atol=1e-4)
    np.testing.assert_allclose(W32 @ W32.T, np.eye(6), atol=1e-10)


def test_fastica_errors():
    Z = np.random.default_rng(0).standard_normal((100, 3))
    with pytest.raises(ValueError, match="nonlinearity"):
        fastica(Z, 2, "logcosh")
    with pytest.raises(ValueError, match="exceeds"):
        fastica(Z, 4)
    with pytest.raises(ValueError, match="w_init"):
        fastica(Z, 2, w_init=np.ones((3, 3)))


# --- sparse coding references -----------------------------------------------------------------------------------
def planted_dictionary(n=2000, d=10, n_atoms=15, k=2, seed=0):
    """Patches that are sparse combinations (k atoms each, Laplacian weights) of a random unit-norm dictionary."""
    rng = np.random.default_rng(seed)
    D = rng.standard_normal((d, n_atoms))
    D /= np.linalg.norm(D, axis=0)
    codes = np.zeros((n, n_atoms))
    for i in range(n):
        codes[i, rng.choice(n_atoms, k, replace=False)] = rng.laplace(scale=2.0, size=k)
    return codes @ D.T + 0.01 * rng.standard_normal((n, d)), D


def test_lasso_fista_meets_the_kkt_conditions():
    rng = np.random.default_rng(8)
    D = rng.standard_normal((12, 20))
    D /= np.linalg.norm(D, axis=0)
    X = rng.standard_normal((30, 12))
    lam = 0.4
    A = lasso_fista(X, D, lam, n_iter=5000, tol=1e-12)
    grad = (X - A @ D.T) @ D  # = lam sign(a) on the support, |.| <= lam off it
    on = np.abs(A) > 1e-9
    np.testing.assert_allclose(grad[on], lam * np.sign(A[on]), atol=1e-6)
    assert np.all(np.abs(grad[~on]) <= lam + 1e-6)
    assert 0.05 < sparsity(A) < 0.9
    # lam = 0 and an orthonormal dictionary: least squares; soft threshold is the prox of the L1 norm
    Q, _ = np.linalg.qr(rng.standard_normal((12, 12)))
    np.testing.assert_allclose(lasso_fista(X, Q, 0.0, n_iter=50), X @ Q, atol=1e-8)
    np.testing.assert_allclose(lasso_fista(X, Q, lam, n_iter=50), soft_threshold(X @ Q, lam), atol=1e-8)


def test_lasso_fista_equals_the_plain_numpy_iteration():
    """The fused compiled step gives the same codes, bit for bit, as FISTA written with numpy temporaries
    (Beck & Teboulle 2009), from zero and from a warm start."""
    rng = np.random.default_rng(3)
    D = rng.standard_normal((10, 16))
    D /= np.linalg.norm(D, axis=0)
    X = rng.standard_normal((200, 10))

    def numpy_fista(lam, n_iter, A):
        G, B = D.T @ D, X @ D
        L = float(np.linalg.eigvalsh(G)[-1])
        Y, t = A.copy(), 1.0
        for _ in range(n_iter):
            A_new = soft_threshold(Y - (Y @ G - B) / L, lam / L)
            t_new = 0.5 * (1.0 + np.sqrt(1.0 + 4.0 * t * t))
            Y = A_new + ((t - 1.0) / t_new) * (A_new - A)
            A, t = A_new, t_new
        return A

    zero = np.zeros((200, 16))
    np.testing.assert_array_equal(lasso_fista(X, D, 0.3, n_iter=40, tol=0.0), numpy_fista(0.3, 40, zero))
    warm = numpy_fista(0.3, 5, zero)
    np.testing.assert_array_equal(lasso_fista(X, D, 0.3, n_iter=25, tol=0.0, codes_init=warm),
                                  numpy_fista(0.3, 25, warm))
    np.testing.assert_array_equal(warm, numpy_fista(0.3, 5, zero))  # the warm start is not modified
    with pytest.raises(ValueError, match="codes_init must have shape"):
        lasso_fista(X, D, 0.3, codes_init=np.zeros((200, 15)))


def test_dictionary_learning_recovers_a_planted_dictionary():
    X, D_true = planted_dictionary()
    D, A = dictionary_learning(X, 15, 0.1, n_iter=100, n_iter_codes=50, seed=0, return_codes=True)
    np.testing.assert_allclose(np.linalg.norm(D, axis=0), 1.0, atol=1e-9)
    assert best_abs_cosine(D_true.T, D.T).mean() > 0.97
    D0 = np.random.default_rng(0).standard_normal((15, 10)).T
    D0 /= np.linalg.norm(D0, axis=0)
    assert lasso_objective(X, A, D, 0.1) < 0.5 * lasso_objective(X, lasso_fista(X, D0, 0.1), D0, 0.1)


# --- quality measures -------------------------------------------------------------------------------------------
def test_principal_angles_of_rotated_planes():
    theta = np.radians(30.0)
    A = np.array([[1.0, 0, 0, 0], [0, 1.0, 0, 0]])
    B = np.array([[1.0, 0, 0, 0], [0, np.cos(theta), np.sin(theta), 0]]) * 3.0  # scaling does not matter
    np.testing.assert_allclose(principal_angles(A, B), [0.0, 30.0], atol=1e-6)
    assert max_principal_angle(A, np.array([[0, 0, 0, 1.0]])) == pytest.approx(90.0)
    assert max_principal_angle(A, A[::-1] * -2) == pytest.approx(0.0, abs=1e-6)


def test_amari_index_and_filter_matching():
    rng = np.random.default_rng(9)
    perm = np.eye(5)[rng.permutation(5)] * rng.choice([-3.0, 0.5, 2.0], size=5)[:, None]
    assert amari_index(perm) == pytest.approx(0.0, abs=1e-15)
    assert amari_index(np.ones((5, 5))) == pytest.approx(1.0)
    assert 0.05 < amari_index(perm + 0.3 * rng.standard_normal((5, 5))) < 0.9
    W = symmetric_decorrelation(rng.standard_normal((5, 8)))
    W2 = -2.0 * W[[3, 1, 0, 4, 2]]
    assert amari_distance(W2, W) == pytest.approx(0.0, abs=1e-12)
    np.testing.assert_allclose(best_abs_cosine(W2, W), 1.0)
    cos, partner = matched_abs_cosine(W2, W)
    np.testing.assert_allclose(cos, 1.0)
    np.testing.assert_array_equal(partner, [3, 1, 0, 4, 2])
    # two copies of one filter both "best match" it, but only one can be matched one-to-one
    dup = W[[0, 0]]
    np.testing.assert_allclose(best_abs_cosine(dup, W[:2]), [1.0, 1.0])
    np.testing.assert_allclose(np.sort(matched_abs_cosine(dup, W[:2])[0]), [0.0, 1.0], atol=1e-12)


def test_reconstruction_error_sparsity_and_contrast_formulas():
    rng = np.random.default_rng(10)
    X = rng.standard_normal((40, 6))
    W = rng.standard_normal((3, 6))
    A = rng.standard_normal((40, 3)) * (rng.random((40, 3)) < 0.25)
    expected = np.sum((X - A @ W) ** 2) / np.sum(X**2)
    assert reconstruction_error(X, A, W) == pytest.approx(expected)
    assert reconstruction_error(X, np.zeros((40, 3)), W) == pytest.approx(1.0)
    assert sparsity(A) == pytest.approx(np.mean(A != 0))
    U = X @ (W / np.linalg.norm(W, axis=1, keepdims=True)).T
    np.testing.assert_allclose(contrast_value(W, X, "tanh"), np.mean(np.log(np.cosh(U)), axis=0))
    np.testing.assert_allclose(contrast_value(W, X, "cubic"), np.mean(U**4, axis=0) / 4)
    assert np.isfinite(contrast_value(W[:1], 1e4 * X, "tanh")).all()  # no overflow of cosh
    with pytest.raises(ValueError, match="codes must have shape"):
        reconstruction_error(X, A[:, :2], W)


# --- plot helpers -----------------------------------------------------------------------------------------------
def test_match_filters_undoes_permutation_and_sign():
    from lnn_utils.plotting.decomposition import match_filters

    rng = np.random.default_rng(11)
    W = symmetric_decorrelation(rng.standard_normal((6, 16)))
    shuffled = W[[4, 2, 5, 0, 1, 3]] * np.array([1, -1, 1, -1, -1, 1.0])[:, None]
    matched, cos = match_filters(W, shuffled)
    np.testing.assert_allclose(matched, W, atol=1e-12)
    np.testing.assert_allclose(cos, 1.0)
    with pytest.raises(ValueError, match="at least as many rows"):
        match_filters(W, W[:3])


def test_decomposition_plots_draw_what_they_are_given():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from lnn_utils.plotting.decomposition import (
        plot_filter_pair,
        plot_learning_curves,
        plot_response_distributions,
        plot_tradeoff,
    )

    rng = np.random.default_rng(12)
    fig = plot_learning_curves({"a": ([0, 1, 2], [3, 2, 1]), "b": ([0, 1], [1, 1])}, target=1.5,
                               vlines={"batch": 1.0})
    ax = fig.axes[0]
    assert len(ax.lines) == 4 and list(ax.lines[0].get_ydata()) == [3, 2, 1]
    plt.close(fig)
    fig, ax = plt.subplots()
    assert plot_response_distributions({"uniform": rng.uniform(-1, 1, size=(20000, 3))}, ax=ax) is fig
    assert "kurtosis -1.2" in ax.get_legend().get_texts()[0].get_text()  # uniform: excess kurtosis -6/5
    plt.close(fig)
    fig = plot_tradeoff({"d": ([0.3, 0.1, 0.2], [0.1, 0.5, 0.3])})
    np.testing.assert_array_equal(fig.axes[0].lines[0].get_xdata(), [0.1, 0.2, 0.3])
    plt.close(fig)
    W = rng.standard_normal((4, 16))
    fig = plot_filter_pair(W, -W[::-1])
    assert "mean |cos| 1.00" in fig.axes[1].get_title()
    plt.close(fig)
