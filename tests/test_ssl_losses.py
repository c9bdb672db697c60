"""SSL criteria and losses: formulas (against independent loop implementations and a numpy transcription of
Algorithms 1-2 of Garrido et al. 2023, arXiv:2206.02574v3 supp. L, as issue 15 describes them), analytic gradients
(against central finite differences), the identity of Garrido et al. (2023, Thm. 3.3) and the Eq. 9-10 rewrite of
VICReg, symmetries and invariances."""

import inspect

import math

import numpy as np
import pytest

from lnn_utils.ssl import (
    LOSSES,
    barlow_twins_loss,
    criteria_identity_gap,
    criteria_identity_terms,
    dcl_loss,
    dimension_contrastive_criterion,
    double_normalize,
    doubly_normalized_offset,
    l2_normalize,
    sample_contrastive_criterion,
    simclr_loss,
    spectral_contrastive_loss,
    vicreg_ctr_loss,
    vicreg_exp_loss,
    vicreg_loss,
    vicreg_terms,
)

SEEDS = range(25)


# ------------------------------------------------------------------------- independent loop implementations
def _dot(u, v):
    return math.fsum(a * b for a, b in zip(u, v))


def _lse(values):
    top = max(values)
    return top + math.log(math.fsum(math.exp(v - top) for v in values))


def _ref_info_nce(z_a, z_b, tau, decoupled, unit_rows=True):
    n = len(z_a)
    rows = [r / math.sqrt(_dot(r, r)) if unit_rows else r for r in list(z_a) + list(z_b)]
    total = 0.0
    for k in range(2 * n):
        p = (k + n) % (2 * n)
        others = [l for l in range(2 * n) if l != k and not (decoupled and l == p)]
        total += -_dot(rows[k], rows[p]) / tau + _lse([_dot(rows[k], rows[l]) / tau for l in others])
    return total / (2 * n)


def _col_stats(z):
    """Per column: centred column (list), sample variance (N - 1)."""
    n, m = len(z), len(z[0])
    cols = []
    for j in range(m):
        mean = math.fsum(z[i][j] for i in range(n)) / n
        cols.append([z[i][j] - mean for i in range(n)])
    return cols


def _ref_var_term(z, eps=1e-4, gamma=1.0):
    n = len(z)
    cols = _col_stats(z)
    return math.fsum(max(0.0, gamma - math.sqrt(_dot(c, c) / (n - 1) + eps)) for c in cols) / len(cols)


def _ref_cov_matrix(z, denom):
    cols = _col_stats(z)
    return [[_dot(ci, cj) / denom for cj in cols] for ci in cols]


# Defaults per loss: VICReg (Bardes et al. 2022), VICReg-exp and VICReg-ctr (Garrido et al. 2023, Table S6).
_VICREG_DEFAULTS = {"vicreg": (25.0, 25.0, 1.0, None), "vicreg_exp": (1.0, 1.0, 2.0, 0.1),
                    "vicreg_ctr": (1.0, 1.0, 1.0, 0.15)}


def _ref_vicreg_family(z_a, z_b, kind, coeffs=None, center_dimensions=False):
    s, v, c, tau = _VICREG_DEFAULTS[kind] if coeffs is None else coeffs
    n, m = z_a.shape
    inv = math.fsum((z_a[i][j] - z_b[i][j]) ** 2 for i in range(n) for j in range(m)) / (n * m)
    var = cov = 0.0
    for z in (z_a, z_b):
        if kind == "vicreg_ctr":
            x = z - z.mean(axis=0) if center_dimensions else z
            zt = x.T.tolist()                      # M "samples" (coordinates) of N "dimensions" (embeddings)
            var += 0.5 * _ref_var_term(zt)
            C = _ref_cov_matrix(zt, n - 1)         # the batch normaliser N - 1 is kept
        else:
            var += 0.5 * _ref_var_term(z.tolist())
            C = _ref_cov_matrix(z.tolist(), n - 1)
        d = len(C)
        if kind == "vicreg":
            cov += math.fsum(C[i][j] ** 2 for i in range(d) for j in range(d) if i != j) / d
        else:
            cov += 0.5 * math.fsum(_lse([C[i][j] / tau for j in range(d) if j != i]) for i in range(d)) / d
    return s * inv + v * var + c * cov


def _ref_spectral(z_a, z_b):
    n = len(z_a)
    pos = math.fsum(_dot(z_a[i], z_b[i]) for i in range(n))
    neg = math.fsum(_dot(z_a[i], z_b[j]) ** 2 for i in range(n) for j in range(n) if i != j)
    return -2 * pos / n + neg / (n * (n - 1))


# --------------------------------------------- Algorithms 1 and 2 of Garrido et al. (2023), supp. L, in numpy
# A numpy transcription of the paper's PyTorch pseudocode as issue 15 describes it (the supplementary itself could
# not be read here), written independently of lnn_utils.ssl.losses (x, y: the two views, shape (N, M));
# torch's var is unbiased (ddof=1), F.mse_loss the mean over all entries, off_diagonal VICReg's flatten trick.
def _np_off_diagonal(a):
    n = a.shape[0]
    return a.flatten()[:-1].reshape(n - 1, n + 1)[:, 1:].reshape(n, n - 1)


def _np_logsumexp(a, axis):
    top = a.max(axis=axis, keepdims=True)
    return np.squeeze(top + np.log(np.exp(a - top).sum(axis=axis, keepdims=True)), axis)


def _algorithm_1_vicreg_exp(x, y, sim_coeff=1.0, std_coeff=1.0, cov_coeff=2.0, tau=0.1):
    N, M = x.shape
    repr_loss = np.mean((x - y) ** 2)
    x = x - x.mean(axis=0)
    y = y - y.mean(axis=0)
    std_x = np.sqrt(x.var(axis=0, ddof=1) + 0.0001)
    std_y = np.sqrt(y.var(axis=0, ddof=1) + 0.0001)
    std_loss = np.mean(np.maximum(0, 1 - std_x)) / 2 + np.mean(np.maximum(0, 1 - std_y)) / 2
    cov_x = (x.T @ x) / (N - 1)
    cov_y = (y.T @ y) / (N - 1)
    cov_loss = (np.mean(_np_logsumexp(_np_off_diagonal(cov_x) / tau, axis=1)) / 2
                + np.mean(_np_logsumexp(_np_off_diagonal(cov_y) / tau, axis=1)) / 2)
    return sim_coeff * repr_loss + std_coeff * std_loss + cov_coeff * cov_loss


def _algorithm_2_vicreg_ctr(x, y, sim_coeff=1.0, std_coeff=1.0, cov_coeff=1.0, tau=0.15):
    N, M = x.shape
    repr_loss = np.mean((x - y) ** 2)
    x = x.T
    y = y.T
    x = x - x.mean(axis=0)
    y = y - y.mean(axis=0)
    std_x = np.sqrt(x.var(axis=0, ddof=1) + 0.0001)
    std_y = np.sqrt(y.var(axis=0, ddof=1) + 0.0001)
    std_loss = np.mean(np.maximum(0, 1 - std_x)) / 2 + np.mean(np.maximum(0, 1 - std_y)) / 2
    cov_x = (x.T @ x) / (N - 1)
    cov_y = (y.T @ y) / (N - 1)
    cov_loss = (np.mean(_np_logsumexp(_np_off_diagonal(cov_x) / tau, axis=1)) / 2
                + np.mean(_np_logsumexp(_np_off_diagonal(cov_y) / tau, axis=1)) / 2)
    return sim_coeff * repr_loss + std_coeff * std_loss + cov_coeff * cov_loss


def _ref_barlow(z_a, z_b, lambd=5e-3, eps=1e-5):
    n, m = z_a.shape
    ys = []
    for z in (z_a, z_b):
        cols = _col_stats(z.tolist())
        ys.append([[x / math.sqrt(_dot(col, col) / n + eps) for x in col] for col in cols])
    total = 0.0
    for i in range(m):
        for j in range(m):
            cij = _dot(ys[0][i], ys[1][j]) / n
            total += (1.0 - cij) ** 2 if i == j else lambd * cij ** 2
    return total


def _ref_L_c(K):
    M, N = K.shape
    return math.fsum(_dot(K[:, i], K[:, j]) ** 2 for i in range(N) for j in range(N) if i != j)


def _ref_L_nc(K):
    M, N = K.shape
    return math.fsum(_dot(K[i], K[j]) ** 2 for i in range(M) for j in range(M) if i != j)


REFERENCES = {
    "simclr": lambda a, b: _ref_info_nce(a, b, 0.1, False),
    "dcl": lambda a, b: _ref_info_nce(a, b, 0.1, True),
    "vicreg": lambda a, b: _ref_vicreg_family(a, b, "vicreg"),
    "vicreg_exp": lambda a, b: _ref_vicreg_family(a, b, "vicreg_exp"),
    "vicreg_ctr": lambda a, b: _ref_vicreg_family(a, b, "vicreg_ctr"),
    "barlow_twins": lambda a, b: _ref_barlow(a, b),
    "spectral": _ref_spectral,
}


# ------------------------------------------------------------------------------------------------- helpers
def _views(seed, n=6, m=5, noise=0.3):
    rng = np.random.default_rng(seed)
    # Unequal dimension and sample scales, so that the variance hinges of the VICReg family (per dimension, or
    # per embedding for VICReg-ctr) are active for some entries and inactive for others.
    z_a = rng.normal(size=(n, m)) * rng.uniform(0.3, 3.0, size=m) * rng.uniform(0.1, 1.5, size=(n, 1))
    return z_a, z_a + noise * rng.normal(size=(n, m))


def _fd_grads(f, z_a, z_b, h=1e-6):
    z_a, z_b = z_a.copy(), z_b.copy()
    grads = []
    for z in (z_a, z_b):
        g = np.empty_like(z)
        for idx in np.ndindex(z.shape):
            old = z[idx]
            z[idx] = old + h
            up = f(z_a, z_b)[0]
            z[idx] = old - h
            down = f(z_a, z_b)[0]
            z[idx] = old
            g[idx] = (up - down) / (2 * h)
        grads.append(g)
    return grads


def _rel_err(g, g_ref):
    return np.linalg.norm(g - g_ref) / max(np.linalg.norm(g_ref), 1e-300)


def _hinge_stds(name, z_a, z_b, center_dimensions=False):
    """The standard deviations entering the variance hinge of a VICReg-family loss (empty for the others)."""
    out = []
    for z in (z_a, z_b):
        if name == "vicreg_ctr":
            x = z - z.mean(axis=0) if center_dimensions else z
            out.append(np.sqrt(x.var(axis=1, ddof=1) + 1e-4))
        elif name in ("vicreg", "vicreg_exp"):
            out.append(np.sqrt(z.var(axis=0, ddof=1) + 1e-4))
    return np.concatenate(out) if out else np.array([])


def _check_grad(f, z_a, z_b, name=""):
    loss, g_a, g_b = f(z_a, z_b)
    fd_a, fd_b = _fd_grads(f, z_a, z_b)
    for g, fd, view in ((g_a, fd_a, "a"), (g_b, fd_b, "b")):
        err = _rel_err(g, fd)
        assert err < 1e-6, f"{name}: relative error {err:.2e} of dL/dz_{view} against finite differences"
    return loss


# ---------------------------------------------------------------------------------------------- criteria
def test_criteria_match_their_definition_and_loops():
    for seed in SEEDS:
        rng = np.random.default_rng(seed)
        M, N = rng.integers(1, 7, size=2)
        K = rng.normal(size=(M, N))
        G, C = K.T @ K, K @ K.T
        assert sample_contrastive_criterion(K) == pytest.approx(np.sum((G - np.diag(np.diag(G))) ** 2), rel=1e-12)
        assert sample_contrastive_criterion(K) == pytest.approx(_ref_L_c(K), rel=1e-12, abs=1e-12)
        assert dimension_contrastive_criterion(K) == pytest.approx(_ref_L_nc(K), rel=1e-12, abs=1e-12)


def test_identity_of_theorem_3_3_holds_to_rounding_on_many_matrices():
    for seed in SEEDS:
        rng = np.random.default_rng(seed)
        M, N = rng.integers(1, 40, size=2)
        K = rng.normal(size=(M, N)) * rng.uniform(0.01, 100.0) + rng.normal()
        t = criteria_identity_terms(K)
        assert abs(t["gap"]) <= 1e-12 * t["scale"], (seed, M, N, t)
        assert criteria_identity_gap(K) == t["gap"]
        # The identity needs both correction sums: without them the two criteria differ in general.
        if min(M, N) > 1 and M != N:
            assert abs(t["L_nc"] - t["L_c"]) > 1e-6 * t["scale"]


def test_identity_on_library_layout_transpose_swaps_the_criteria():
    z = np.random.default_rng(0).normal(size=(7, 3))  # (N, M)
    assert sample_contrastive_criterion(z.T) == pytest.approx(dimension_contrastive_criterion(z))


def test_criteria_gradients_match_finite_differences():
    rng = np.random.default_rng(1)
    K = rng.normal(size=(5, 6))
    for crit in (sample_contrastive_criterion, dimension_contrastive_criterion):
        value, grad = crit(K, return_grad=True)
        assert value == crit(K)
        fd = _fd_grads(lambda a, b: (crit(a),), K, K)[0]
        assert _rel_err(grad, fd) < 1e-6


def test_vicreg_covariance_term_is_the_scaled_dimension_contrastive_criterion():
    # Garrido et al. Prop. 3.2: VICReg's covariance term is L_nc of the centred K, divided by M (N - 1)^2.
    for seed in range(5):
        z = np.random.default_rng(seed).normal(size=(9, 4))
        n, m = z.shape
        c = vicreg_terms(z, z)["covariance"] / 2
        assert c == pytest.approx(dimension_contrastive_criterion((z - z.mean(0)).T) / (m * (n - 1) ** 2))


@pytest.mark.filterwarnings("error")
def test_double_normalize_reaches_both_norms_and_only_rescales():
    for seed in range(10):
        rng = np.random.default_rng(seed)
        M, N = rng.integers(2, 30, size=2)
        K = rng.normal(size=(M, N))
        col_norm = rng.uniform(0.5, 2.0)
        Kd = double_normalize(K, col_norm=col_norm)
        np.testing.assert_allclose(np.sum(Kd ** 2, axis=0), col_norm ** 2, rtol=1e-10)
        np.testing.assert_allclose(np.sum(Kd ** 2, axis=1), N * col_norm ** 2 / M, rtol=1e-10)
        # D_r K D_c: same signs, and the entry-wise ratio is a rank-one outer product.
        ratio = Kd / K
        assert np.all(ratio > 0)
        np.testing.assert_allclose(ratio, np.outer(ratio[:, 0], ratio[0, :]) / ratio[0, 0], rtol=1e-8)


@pytest.mark.filterwarnings("error")
def test_doubly_normalized_criteria_differ_by_a_constant():
    for M, N in ((5, 8), (8, 5), (6, 6), (3, 20)):
        offset = doubly_normalized_offset(M, N)
        assert offset == pytest.approx(N * (M - N) / M)
        gaps = []
        for seed in range(8):
            Kd = double_normalize(np.random.default_rng(seed).normal(size=(M, N)))
            t = criteria_identity_terms(Kd)
            gaps.append(t["L_nc"] - t["L_c"])
            # The correction sums become the constants M a^2 and N b^2.
            assert t["rows4"] == pytest.approx(M * (N / M) ** 2) and t["cols4"] == pytest.approx(N)
        np.testing.assert_allclose(gaps, offset, atol=1e-8 * max(1.0, abs(offset)))
    # Square case: the paper's "L_nc = L_c + N - M" with N = M, the criteria coincide.
    Kd = double_normalize(np.random.default_rng(3).normal(size=(7, 7)))
    assert sample_contrastive_criterion(Kd) == pytest.approx(dimension_contrastive_criterion(Kd), rel=1e-10)
    assert doubly_normalized_offset(4, 9, col_norm=2.0) == pytest.approx(9 * 16 - 4 * (9 * 4 / 4) ** 2)


def test_double_normalize_warns_when_the_scaling_does_not_exist():
    # K * K without total support: entry (0, 1) lies on no positive diagonal, Sinkhorn only converges slowly.
    with pytest.warns(RuntimeWarning, match="did not reach"):
        double_normalize(np.array([[1.0, 1.0], [0.0, 1.0]]), max_iter=200)
    with pytest.raises(ValueError, match="zero row or column"):
        double_normalize(np.array([[1.0, 0.0], [1.0, 0.0]]))


def test_l2_normalize_rows_and_columns():
    X = np.random.default_rng(0).normal(size=(4, 3))
    np.testing.assert_allclose(np.linalg.norm(l2_normalize(X), axis=1), 1.0)
    np.testing.assert_allclose(np.linalg.norm(l2_normalize(X, axis=0), axis=0), 1.0)
    np.testing.assert_allclose(l2_normalize(X) * np.linalg.norm(X, axis=1, keepdims=True), X)
    with pytest.raises(ValueError, match="zero norm"):
        l2_normalize(np.array([[1.0, 2.0], [0.0, 0.0]]))
    with pytest.raises(ValueError, match="axis"):
        l2_normalize(X, axis=2)


# ------------------------------------------------------------------------------------------------- losses
@pytest.mark.parametrize("name", sorted(LOSSES))
def test_loss_equals_loop_implementation(name):
    for seed in range(10):
        rng = np.random.default_rng(seed)
        n, m = rng.integers(2, 7), rng.integers(2, 6)
        z_a, z_b = _views(seed, n, m)
        assert LOSSES[name](z_a, z_b)[0] == pytest.approx(REFERENCES[name](z_a, z_b), rel=1e-10), seed


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_gradients_match_finite_differences(name):
    f = LOSSES[name]
    for seed in range(3):
        z_a, z_b = _views(100 + seed)
        stds = _hinge_stds(name, z_a, z_b)
        # Away from the hinge kink (std = 1), and exercising both of its branches.
        assert np.all(np.abs(stds - 1.0) > 1e-3)
        if name.startswith("vicreg"):
            assert np.any(stds < 1) and np.any(stds > 1), stds
        _check_grad(f, z_a, z_b, name)


def test_gradients_of_non_default_settings():
    z_a, z_b = _views(7)
    cases = {
        "simclr tau=0.5": lambda a, b: simclr_loss(a, b, temperature=0.5),
        "dcl tau=1": lambda a, b: dcl_loss(a, b, temperature=1.0),
        "barlow eps=0, lambd=0.1": lambda a, b: barlow_twins_loss(a, b, lambd=0.1, eps=0.0),
        "vicreg 1/2/3": lambda a, b: vicreg_loss(a, b, 1.0, 2.0, 3.0),
        "vicreg_exp tau=0.5": lambda a, b: vicreg_exp_loss(a, b, temperature=0.5),
        "vicreg_ctr dimension-centred": lambda a, b: vicreg_ctr_loss(a, b, center_dimensions=True),
        "simclr centered": lambda a, b: simclr_loss(a, b, normalization="centered"),
        "simclr standardized (Eq. 14)": lambda a, b: simclr_loss(a, b, 0.5, normalization="standardized"),
    }
    assert np.all(np.abs(_hinge_stds("vicreg_ctr", z_a, z_b, center_dimensions=True) - 1) > 1e-3)
    for name, f in cases.items():
        _check_grad(f, z_a, z_b, name)
    # The dimension-centred VICReg-ctr also matches its loop implementation.
    assert cases["vicreg_ctr dimension-centred"](z_a, z_b)[0] == pytest.approx(
        _ref_vicreg_family(z_a, z_b, "vicreg_ctr", center_dimensions=True), rel=1e-10)


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_losses_are_symmetric_in_the_two_views(name):
    f = LOSSES[name]
    for seed in SEEDS:
        z_a, z_b = _views(seed, 8, 4, noise=1.0)
        loss, g_a, g_b = f(z_a, z_b)
        loss_s, g_a_s, g_b_s = f(z_b, z_a)
        assert loss_s == pytest.approx(loss, rel=1e-12, abs=1e-12)
        np.testing.assert_allclose(g_a_s, g_b, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(g_b_s, g_a, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_losses_are_invariant_to_permuting_samples_and_dimensions(name):
    f = LOSSES[name]
    for seed in range(10):
        rng = np.random.default_rng(seed)
        z_a, z_b = _views(seed, 7, 5)
        loss, g_a, g_b = f(z_a, z_b)
        rows, cols = rng.permutation(7), rng.permutation(5)
        loss_p, g_a_p, g_b_p = f(z_a[rows][:, cols], z_b[rows][:, cols])
        assert loss_p == pytest.approx(loss, rel=1e-12)
        np.testing.assert_allclose(g_a_p, g_a[rows][:, cols], rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(g_b_p, g_b[rows][:, cols], rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("f", [simclr_loss, dcl_loss])
def test_contrastive_losses_see_only_directions(f):
    for seed in SEEDS:
        rng = np.random.default_rng(seed)
        z_a, z_b = _views(seed, 6, 4, noise=1.0)
        loss, g_a, g_b = f(z_a, z_b)
        # Positive rescaling of each row, independently in each view.
        scaled = f(z_a * rng.uniform(0.1, 10, size=(6, 1)), z_b * rng.uniform(0.1, 10, size=(6, 1)))[0]
        assert scaled == pytest.approx(loss, rel=1e-12)
        # A common rotation of both views.
        Q = np.linalg.qr(rng.normal(size=(4, 4)))[0]
        assert f(z_a @ Q, z_b @ Q)[0] == pytest.approx(loss, rel=1e-12)
        # Scale invariance of each row => its gradient is orthogonal to it (Euler).
        np.testing.assert_allclose(np.sum(g_a * z_a, axis=1), 0.0, atol=1e-12)
        np.testing.assert_allclose(np.sum(g_b * z_b, axis=1), 0.0, atol=1e-12)


def test_contrastive_losses_closed_form_and_stability():
    # N = 2, both views equal, the two samples opposite: every negative has cosine -1.
    e = np.array([[1.0, 0.0, 0.0], [-1.0, 0.0, 0.0]])
    for tau in (0.05, 0.1, 1.0):
        assert simclr_loss(e, e, tau)[0] == pytest.approx(math.log1p(2 * math.exp(-2 / tau)))
        assert dcl_loss(e, e, tau)[0] == pytest.approx(math.log(2) - 2 / tau)
    z_a, z_b = _views(3, 16, 8)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        for f in (simclr_loss, dcl_loss):
            for tau in (1e-4, 1e-2):
                loss, g_a, g_b = f(z_a, z_b, temperature=tau)
                assert np.isfinite(loss) and np.all(np.isfinite(g_a)) and np.all(np.isfinite(g_b))
    # Small tau: the log-sum-exp tends to the largest logit (hardest negative) minus the positive.
    loss = simclr_loss(z_a, z_b, temperature=1e-4)[0]
    assert loss == pytest.approx(_ref_info_nce(z_a, z_b, 1e-4, False), rel=1e-9)


def test_dcl_is_simclr_without_the_positive_in_the_denominator():
    # Per anchor, log(e^pos + sum neg) - pos = softplus(log(sum neg) - pos): SimCLR's term is softplus(DCL's).
    # Averaged over anchors, Jensen (softplus is convex) gives simclr >= softplus(dcl) > dcl.
    for seed in SEEDS:
        z_a, z_b = _views(seed, 6, 4, noise=1.0)
        for tau in (0.1, 0.5):
            simclr, dcl = simclr_loss(z_a, z_b, tau)[0], dcl_loss(z_a, z_b, tau)[0]
            assert simclr >= math.log1p(math.exp(dcl)) - 1e-12 > dcl - 1e-12
    # Equality when all anchors are alike (two opposite samples, identical views; see the closed forms).
    e = np.array([[0.0, 2.0], [0.0, -1.0]])
    assert simclr_loss(e, e)[0] == pytest.approx(math.log1p(math.exp(dcl_loss(e, e)[0])))


def test_barlow_twins_invariances_and_optimum():
    for seed in SEEDS:
        rng = np.random.default_rng(seed)
        z_a, z_b = _views(seed, 10, 4, noise=1.0)
        loss, g_a, g_b = barlow_twins_loss(z_a, z_b, eps=0.0)
        s_a, s_b = rng.uniform(0.1, 10, size=4), rng.uniform(0.1, 10, size=4)
        t_a, t_b = rng.normal(size=4) * 5, rng.normal(size=4) * 5
        assert barlow_twins_loss(z_a * s_a + t_a, z_b * s_b + t_b, eps=0.0)[0] == pytest.approx(loss, rel=1e-10)
        # Translation and scale invariance per dimension => zero column sums of g and of g * z.
        for g, z in ((g_a, z_a), (g_b, z_b)):
            np.testing.assert_allclose(g.sum(axis=0), 0.0, atol=1e-12)
            np.testing.assert_allclose(np.sum(g * z, axis=0), 0.0, atol=1e-12)
        # With BatchNorm's eps the invariance holds up to O(eps / var).
        rel = 10 * 1e-5 / min(z_a.var(axis=0).min(), z_b.var(axis=0).min())
        assert barlow_twins_loss(z_a * 3 + 1, z_b * 3 - 2)[0] == pytest.approx(barlow_twins_loss(z_a, z_b)[0],
                                                                                 rel=rel)
    # Identical, whitened views: c = I, the loss is 0 (and positive as soon as the views differ).
    x = np.random.default_rng(0).normal(size=(12, 4))
    q = np.linalg.qr(x - x.mean(0))[0] * np.sqrt(12)
    assert barlow_twins_loss(q, q, eps=0.0)[0] == pytest.approx(0.0, abs=1e-20)
    assert barlow_twins_loss(q, q[::-1], eps=0.0)[0] > 0.1


@pytest.mark.parametrize("name", ["vicreg", "vicreg_exp", "vicreg_ctr centred"])
def test_vicreg_family_translation_invariance(name):
    # VICReg, VICReg-exp (dimensions centred over the batch) and VICReg-ctr with Table 1's dimension centring are
    # invariant to adding one vector t to every embedding of both views.
    f = LOSSES[name] if name in LOSSES else (lambda a, b, **kw: vicreg_ctr_loss(a, b, center_dimensions=True, **kw))
    for seed in SEEDS:
        rng = np.random.default_rng(seed)
        z_a, z_b = _views(seed, 8, 5)
        loss, g_a, g_b = f(z_a, z_b)
        t = rng.normal(size=5) * 10
        assert f(z_a + t, z_b + t)[0] == pytest.approx(loss, rel=1e-10)
        np.testing.assert_allclose((g_a + g_b).sum(axis=0), 0.0, atol=1e-10)
        # Without the invariance term each view's regulariser is itself translation invariant.
        reg = f(z_a, z_b, sim_coeff=0.0)
        assert f(z_a + t, z_b - t, sim_coeff=0.0)[0] == pytest.approx(reg[0], rel=1e-10)
        np.testing.assert_allclose(reg[1].sum(axis=0), 0.0, atol=1e-10)


def test_vicreg_ctr_as_written_centres_embeddings_not_dimensions():
    # Algorithm 2 centres each embedding over its own coordinates: adding a scalar c_i to every coordinate of
    # embedding i (in both views) leaves the loss unchanged, whereas a common translation t changes it.
    for seed in range(10):
        rng = np.random.default_rng(seed)
        z_a, z_b = _views(seed, 8, 5)
        loss, g_a, g_b = vicreg_ctr_loss(z_a, z_b)
        shift = rng.normal(size=(8, 1)) * 10
        assert vicreg_ctr_loss(z_a + shift, z_b + shift)[0] == pytest.approx(loss, rel=1e-10)
        np.testing.assert_allclose((g_a + g_b).sum(axis=1), 0.0, atol=1e-10)
        t = rng.normal(size=5) * 3
        assert abs(vicreg_ctr_loss(z_a + t, z_b + t)[0] - loss) > 1e-3 * abs(loss)


def test_vicreg_terms_and_variance_hinge():
    z_a, z_b = _views(2, 16, 6)
    terms = vicreg_terms(z_a, z_b)
    assert vicreg_loss(z_a, z_b, 2.0, 3.0, 5.0)[0] == pytest.approx(
        2 * terms["invariance"] + 3 * terms["variance"] + 5 * terms["covariance"])
    for variant, f in (("vicreg_exp", vicreg_exp_loss), ("vicreg_ctr", vicreg_ctr_loss)):
        t = vicreg_terms(z_a, z_b, variant=variant, temperature=0.3)
        assert f(z_a, z_b, 1.0, 1.0, 1.0, 0.3)[0] == pytest.approx(sum(t.values()))
        t = vicreg_terms(z_a, z_b, variant=variant)          # the loss's own default temperature
        assert f(z_a, z_b, 2.0, 3.0, 5.0)[0] == pytest.approx(
            2 * t["invariance"] + 3 * t["variance"] + 5 * t["covariance"])
    # Collapse: every std is sqrt(eps) = 0.01, so each view pays 1 - 0.01 and the (halved) sum is 0.99.
    const = np.ones((8, 3))
    assert vicreg_terms(const, const)["variance"] == pytest.approx(0.99)
    assert vicreg_terms(const, const)["covariance"] == 0.0
    # Spread out (all stds > 1): the hinge is inactive and the variance term exactly 0.
    assert vicreg_terms(10 * z_a, 10 * z_b)["variance"] == 0.0
    # Identical views: no invariance cost.
    assert vicreg_terms(z_a, z_a)["invariance"] == 0.0


def test_float32_inputs_give_float32_gradients():
    z_a, z_b = _views(4, 8, 5)
    for name, f in LOSSES.items():
        loss64, g64, _ = f(z_a, z_b)
        loss32, g32_a, g32_b = f(z_a.astype(np.float32), z_b.astype(np.float32))
        assert g32_a.dtype == np.float32 and g32_b.dtype == np.float32, name
        assert isinstance(loss32, float) and loss32 == pytest.approx(loss64, rel=1e-5), name
        np.testing.assert_allclose(g32_a, g64, rtol=1e-4, atol=1e-6 * np.abs(g64).max())
        assert f(z_a, z_b.astype(np.float32))[1].dtype == np.float64


def test_loss_registry_and_shapes():
    assert set(LOSSES) == {"simclr", "dcl", "vicreg", "barlow_twins", "vicreg_exp", "vicreg_ctr", "spectral"}
    z_a, z_b = _views(0, 5, 3)
    for name, f in LOSSES.items():
        out = f(z_a, z_b)
        assert len(out) == 3 and isinstance(out[0], float), name
        assert out[1].shape == z_a.shape and out[2].shape == z_b.shape, name


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_bad_inputs_raise_clear_errors(name):
    f = LOSSES[name]
    z = np.random.default_rng(0).normal(size=(4, 3))
    with pytest.raises(ValueError, match="same shape"):
        f(z, z[:3])
    with pytest.raises(ValueError, match="2-D"):
        f(z[0], z[0])
    with pytest.raises(ValueError, match="at least 2 samples"):
        f(z[:1], z[:1])
    bad = z.copy()
    bad[1, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        f(bad, z)


def test_bad_hyperparameters_raise():
    z_a, z_b = _views(0, 4, 3)
    with pytest.raises(ValueError, match="temperature"):
        simclr_loss(z_a, z_b, temperature=0.0)
    with pytest.raises(ValueError, match="temperature"):
        vicreg_exp_loss(z_a, z_b, temperature=-1.0)
    with pytest.raises(ValueError, match="cov_coeff"):
        vicreg_loss(z_a, z_b, cov_coeff=-1.0)
    with pytest.raises(ValueError, match="lambd"):
        barlow_twins_loss(z_a, z_b, lambd=-0.1)
    with pytest.raises(TypeError, match="temperature"):
        dcl_loss(z_a, z_b, temperature="hot")
    with pytest.raises(ValueError, match="zero norm"):
        simclr_loss(np.vstack([np.zeros(3), z_a[1:]]), z_b)
    with pytest.raises(ValueError, match="at least 2 embedding dimensions"):
        vicreg_ctr_loss(z_a[:, :1], z_b[:, :1])
    with pytest.raises(ValueError, match="constant over the batch"):
        barlow_twins_loss(np.ones((4, 3)), z_b, eps=0.0)
    with pytest.raises(ValueError, match="variant"):
        vicreg_terms(z_a, z_b, variant="simclr")


# ---------------------------------------------------- Garrido et al. (2023): pseudocode, Table S6, Eq. 9-10, 14
def test_vicreg_exp_and_ctr_defaults_are_table_s6():
    for f, expected in ((vicreg_exp_loss, (1.0, 1.0, 2.0, 0.1)), (vicreg_ctr_loss, (1.0, 1.0, 1.0, 0.15))):
        params = inspect.signature(f).parameters
        got = tuple(params[k].default for k in ("sim_coeff", "std_coeff", "cov_coeff", "temperature"))
        assert got == expected, f.__name__


def test_defaults_equal_algorithms_1_and_2_line_by_line():
    for seed in range(20):
        rng = np.random.default_rng(seed)
        n, m = int(rng.integers(3, 40)), int(rng.integers(2, 40))
        scale = rng.uniform(0.2, 3.0)
        z_a = rng.normal(size=(n, m)) * scale
        z_b = z_a + rng.normal(size=(n, m)) * rng.uniform(0.1, 1.0)
        assert vicreg_exp_loss(z_a, z_b)[0] == pytest.approx(_algorithm_1_vicreg_exp(z_a, z_b), rel=1e-12)
        assert vicreg_ctr_loss(z_a, z_b)[0] == pytest.approx(_algorithm_2_vicreg_ctr(z_a, z_b), rel=1e-12)
        # Other coefficients and temperatures go where the pseudocode puts them.
        assert vicreg_exp_loss(z_a, z_b, 25.0, 25.0, 1.0, 0.5)[0] == pytest.approx(
            _algorithm_1_vicreg_exp(z_a, z_b, 25.0, 25.0, 1.0, 0.5), rel=1e-12)
        assert vicreg_ctr_loss(z_a, z_b, 2.0, 3.0, 4.0, 0.3)[0] == pytest.approx(
            _algorithm_2_vicreg_ctr(z_a, z_b, 2.0, 3.0, 4.0, 0.3), rel=1e-12)


def test_vicreg_covariance_term_is_eq_9_10_sample_contrastive_rewrite():
    # Garrido et al. Eq. 8-10: VICReg's covariance term is L_nc of the centred K (scaled by 1 / (M (N-1)^2)), and
    # L_nc = L_c + L_reg with L_reg = sum_i ||K_.i||^4 - sum_j ||K_j.||^4 (Theorem 3.3), so VICReg equals
    # invariance + variance + nu (L_c + L_reg)(K) + nu (L_c + L_reg)(K') up to that scale.
    for seed in range(10):
        z_a, z_b = _views(seed, 12, 6)
        n, m = z_a.shape
        reg = 0.0
        for z in (z_a, z_b):
            K = (z - z.mean(axis=0)).T                     # paper layout (M, N), dimensions centred
            gram = K.T @ K
            L_c = np.sum(gram ** 2) - np.sum(np.diag(gram) ** 2)
            L_reg = np.sum(np.sum(K * K, axis=0) ** 2) - np.sum(np.sum(K * K, axis=1) ** 2)
            reg += (L_c + L_reg) / (m * (n - 1) ** 2)
        t = vicreg_terms(z_a, z_b)
        assert t["covariance"] == pytest.approx(reg, rel=1e-10)
        assert vicreg_loss(z_a, z_b)[0] == pytest.approx(25 * t["invariance"] + 25 * t["variance"] + reg,
                                                         rel=1e-10)


def test_simclr_normalizations_follow_table_1_and_eq_14():
    for seed in range(10):
        z_a, z_b = _views(seed, 7, 4, noise=1.0)
        n, m = z_a.shape
        c_a, c_b = z_a - z_a.mean(axis=0), z_b - z_b.mean(axis=0)
        # Scenario A: dimensions centred, then cosine similarity.
        assert simclr_loss(z_a, z_b, normalization="centered")[0] == pytest.approx(
            _ref_info_nce(c_a, c_b, 0.1, False), rel=1e-10)
        # Scenario B, Eq. 14: each centred dimension scaled to norm sqrt(N / M), dot products of the rows.
        s_a = c_a / np.linalg.norm(c_a, axis=0) * np.sqrt(n / m)
        s_b = c_b / np.linalg.norm(c_b, axis=0) * np.sqrt(n / m)
        assert np.sum(s_a ** 2) == pytest.approx(n)                 # rows have unit norm on average
        assert simclr_loss(z_a, z_b, normalization="standardized")[0] == pytest.approx(
            _ref_info_nce(s_a, s_b, 0.1, False, unit_rows=False), rel=1e-10)
        # Both are invariant to a common translation; the standardised one to per-dimension rescaling too.
        t, scale = np.arange(4.0), np.array([0.5, 2.0, 3.0, 7.0])
        for kind in ("centered", "standardized"):
            loss = simclr_loss(z_a, z_b, normalization=kind)[0]
            assert simclr_loss(z_a + t, z_b - t, normalization=kind)[0] == pytest.approx(loss, rel=1e-10)
        loss = simclr_loss(z_a, z_b, normalization="standardized")[0]
        assert simclr_loss(z_a * scale, z_b * scale, normalization="standardized")[0] == pytest.approx(loss)
    with pytest.raises(ValueError, match="normalization"):
        simclr_loss(z_a, z_b, normalization="batch")
    with pytest.raises(ValueError, match="constant over the batch"):
        simclr_loss(np.ones((4, 3)), z_b[:4, :3], normalization="standardized")


def test_spectral_contrastive_loss_closed_form():
    # Orthonormal, identical views with N = M: positives give -2, negatives 0.
    q = np.linalg.qr(np.random.default_rng(0).normal(size=(5, 5)))[0]
    assert spectral_contrastive_loss(q, q)[0] == pytest.approx(-2.0)
    # It is the sample-contrastive criterion between the views: sum_{i!=j} (a_i . b_j)^2 for equal views is L_c.
    z = _views(1, 6, 3)[0]
    gram = z @ z.T
    expected = -2 * np.trace(gram) / 6 + (np.sum(gram ** 2) - np.sum(np.diag(gram) ** 2)) / 30
    assert spectral_contrastive_loss(z, z)[0] == pytest.approx(expected)


def test_complex_embeddings_are_refused():
    z_a, z_b = _views(0, 5, 3)
    for name, f in LOSSES.items():
        with pytest.raises(TypeError, match="complex"):
            f(z_a + 1j * z_b, z_b)
    with pytest.raises(TypeError, match="complex"):
        sample_contrastive_criterion((z_a + 0j).T)


def test_vicreg_eps_must_be_positive_and_collapse_gives_finite_gradients():
    collapsed = np.ones((8, 4))
    for f in (vicreg_loss, vicreg_exp_loss, vicreg_ctr_loss):
        with pytest.raises(ValueError, match="eps must be > 0.*collapsed"):
            f(collapsed, collapsed, eps=0.0)
        with np.errstate(all="raise"):
            loss, g_a, g_b = f(collapsed, collapsed)
        assert np.isfinite(loss) and np.all(np.isfinite(g_a)) and np.all(np.isfinite(g_b)), f.__name__
