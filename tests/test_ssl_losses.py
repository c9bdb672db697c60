"""SSL criteria and losses: formulas (against independent loop implementations), analytic gradients (against
central finite differences), the identity of Garrido et al. (2023, Thm. 3.3), symmetries and invariances."""

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


def _ref_info_nce(z_a, z_b, tau, decoupled):
    n = len(z_a)
    rows = [r / math.sqrt(_dot(r, r)) for r in list(z_a) + list(z_b)]
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


def _ref_cov_matrix(z, center=True):
    n = len(z)
    cols = _col_stats(z) if center else [[z[i][j] for i in range(n)] for j in range(len(z[0]))]
    return [[_dot(ci, cj) / (n - 1) for cj in cols] for ci in cols]


def _ref_vicreg_family(z_a, z_b, kind, tau=0.1, s=25.0, v=25.0, c=1.0, center_dimensions=True):
    n, m = z_a.shape
    inv = math.fsum((z_a[i][j] - z_b[i][j]) ** 2 for i in range(n) for j in range(m)) / (n * m)
    var = cov = 0.0
    for z in (z_a, z_b):
        if kind == "vicreg_ctr":
            x = z - z.mean(axis=0) if center_dimensions else z
            zt = x.T.tolist()
            var += 0.5 * _ref_var_term(zt)
            C = _ref_cov_matrix(zt, center=False)
        else:
            var += 0.5 * _ref_var_term(z.tolist())
            C = _ref_cov_matrix(z.tolist())
        d = len(C)
        if kind == "vicreg":
            cov += math.fsum(C[i][j] ** 2 for i in range(d) for j in range(d) if i != j) / d
        else:
            cov += math.fsum(_lse([C[i][j] / tau for j in range(d) if j != i]) for i in range(d)) / d
    return s * inv + v * var + c * cov


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


def _hinge_stds(name, z_a, z_b, center_dimensions=True):
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
        "vicreg_ctr uncentred": lambda a, b: vicreg_ctr_loss(a, b, center_dimensions=False),
    }
    assert np.all(np.abs(_hinge_stds("vicreg_ctr", z_a, z_b, center_dimensions=False) - 1) > 1e-3)
    for name, f in cases.items():
        _check_grad(f, z_a, z_b, name)
    # The uncentred VICReg-ctr also matches its loop implementation.
    assert cases["vicreg_ctr uncentred"](z_a, z_b)[0] == pytest.approx(
        _ref_vicreg_family(z_a, z_b, "vicreg_ctr", center_dimensions=False), rel=1e-10)


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


@pytest.mark.parametrize("name", ["vicreg", "vicreg_exp", "vicreg_ctr"])
def test_vicreg_family_translation_invariance(name):
    f = LOSSES[name]
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


def test_vicreg_terms_and_variance_hinge():
    z_a, z_b = _views(2, 16, 6)
    terms = vicreg_terms(z_a, z_b)
    assert vicreg_loss(z_a, z_b, 2.0, 3.0, 5.0)[0] == pytest.approx(
        2 * terms["invariance"] + 3 * terms["variance"] + 5 * terms["covariance"])
    for variant, f in (("vicreg_exp", vicreg_exp_loss), ("vicreg_ctr", vicreg_ctr_loss)):
        t = vicreg_terms(z_a, z_b, variant=variant, temperature=0.3)
        assert f(z_a, z_b, 1.0, 1.0, 1.0, 0.3)[0] == pytest.approx(sum(t.values()))
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
    assert set(LOSSES) == {"simclr", "dcl", "vicreg", "barlow_twins", "vicreg_exp", "vicreg_ctr"}
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
