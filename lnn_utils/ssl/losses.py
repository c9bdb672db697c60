"""Joint-embedding SSL losses in numpy, each returning ``(loss, dL/dz_a, dL/dz_b)`` with analytic gradients.

Layout. ``z_a`` and ``z_b`` are the two views' embeddings, shape ``(N, M)`` = (n_samples, n_dims), row ``i`` of
both being the same image under two augmentations, as in the libraries. The paper analysed here (Garrido et al.
2023) writes the transposed matrix ``K = z.T`` of shape ``(M, N)``; :mod:`lnn_utils.ssl.criteria` uses that one.
All computations are float64; if both inputs are float32 the gradients are returned as float32 (for a float32
network), the loss is always a Python float.

Conventions (where the references differ, what this module follows)
-----------------------------------------------------------------------
========== ============== ============================================ ==============================================
loss       piece          this module                                  other references
========== ============== ============================================ ==============================================
simclr     similarity     cosine: rows divided by their norm (a zero   torch ``F.normalize`` clamps the norm at 1e-12
                          row is an error), logits ``cos / tau``
simclr     reduction      mean over the 2N anchors of                  SimCLR paper (Chen et al. 2020), lightly
                          ``-log softmax`` over the 2N-1 other rows    ``NTXentLoss``, solo-learn: same. Official TF
                          (1 positive + 2N-2 negatives)                code returns ``loss_a + loss_b`` = 2 x this
dcl        denominator    positive removed: ONE log-sum-exp over the   lightly ``DCLLoss``: two separate
                          2N-2 negatives (Yeh et al. 2022, Eq. 6),     log-sum-exps (same-view / other-view
                          mean over the 2N anchors                     negatives), summed
vicreg     invariance     ``mean((z_a - z_b)**2)`` over N*M entries    official, solo-learn, lightly: same.
                          (``F.mse_loss``)                             Garrido Eq. 10 writes ``sum_i ||.||^2`` = NM x
vicreg     variance       ``std_j = sqrt(var_j + 1e-4)``, var with     official, lightly: same (/2). solo-learn:
                          N-1; ``v = mean_j relu(1 - std_j)``;         ``v_a + v_b`` (no /2); Bardes et al. 2022 and
                          term ``(v_a + v_b) / 2``                     Garrido Eq. 10: ``v(K) + v(K')`` (no /2)
vicreg     covariance     ``C = x^T x / (N-1)``, x centred per         official, solo-learn, lightly: same
                          dimension; ``c = sum_{i!=j} C_ij^2 / M``;
                          term ``c_a + c_b``
vicreg     coefficients   25 / 25 / 1                                  Bardes et al. 2022, official defaults
barlow     standardise    ``(z - mean) / sqrt(var + eps)``, var        official (``BatchNorm1d(affine=False)``,
           per dimension  biased (/N), ``eps = 1e-5``                  train mode) and solo-learn: same. lightly:
                                                                       ``torch.std`` (N-1), no eps
barlow     correlation    ``c = y_a^T y_b / N``                        all agree
barlow     loss           ``sum_j (1 - c_jj)^2 +                       official default lambd = 0.0051 (5e-3 in
                          lambd sum_{i!=j} c_ij^2``, lambd = 5e-3      the paper, solo-learn, lightly); solo-learn
                                                                       also multiplies by ``scale_loss = 0.025``
vicreg_exp all            Algorithm 1 of Garrido et al. (2023,         Eq. 11-12 write sums over views (and over
                          arXiv:2206.02574v3, supp. L) as issue 15     samples for the invariance); the pseudocode's
                          describes it (see note below): VICReg's      means only rescale the coefficients.
                          invariance and variance; covariance
                          ``(1/M) sum_i log sum_{j!=i} exp(C_ij/tau)`` An earlier version of this module summed the
                          per view, views AVERAGED; Table S6:          views (2 x the pseudocode)
                          1 : 1 : 2, tau = 0.1
vicreg_ctr all            Algorithm 2: Algorithm 1 on the transposed   Table 1 lists "dimension centering" for
                          batch: each embedding centred over its M     VICReg-ctr, which the pseudocode does not do:
                          coordinates, std over them (M-1), hinge,     ``center_dimensions=True`` adds it. An earlier
                          mean over N; ``G = y y^T / (N-1)``;          version centred dimensions and divided G by
                          ``(1/N) sum_i log sum_{j!=i} exp(G_ij/tau)`` M - 1
                          views averaged; Table S6: 1 : 1 : 1,
                          tau = 0.15
simclr     normalization  "embedding" (default): unit rows;            Garrido et al. Sec. 5.1 and Table 1 (scenarios
                          "centered": dimensions centred, unit rows;   A and B of SimCLR)
                          "standardized": Eq. 14, dimensions centred
                          and scaled to norm sqrt(N/M)
spectral   loss           ``-(2/N) sum_i a_i.b_i + (1/(N(N-1)))        HaoChen et al. (2021), Eq. 5 on a batch
                          sum_{i!=j} (a_i.b_j)^2``
========== ============== ============================================ ==============================================

Every loss is symmetric in the two views: ``loss(z_b, z_a) == loss(z_a, z_b)`` with the gradients swapped.

Note on VICReg-exp and VICReg-ctr. The supplementary material of arXiv:2206.02574v3 (Algorithms 1-2, Table S6)
could not be read from this project's machines (no internet; no stored copy found). The two losses implement the
description of those algorithms given in issue 15 (views averaged; for -ctr each embedding centred over its M
coordinates and the Gram matrix divided by N - 1; Table S6's coefficients) together with the main text's
Eqs. 11-13; a line-by-line comparison with the printed pseudocode is still to be done.

References
----------
Chen, Kornblith, Norouzi & Hinton (2020). A simple framework for contrastive learning of visual representations
(SimCLR). ICML. Yeh, Hong, Hsu, Liu, Chen & LeCun (2022). Decoupled contrastive learning (DCL). ECCV.
Bardes, Ponce & LeCun (2022). VICReg. ICLR. Zbontar, Jing, Misra, LeCun & Deny (2021). Barlow Twins. ICML.
Garrido, Chen, Bardes, Najman & LeCun (2023). On the duality between contrastive and non-contrastive
self-supervised learning. ICLR (VICReg-exp, VICReg-ctr: Algorithms 1-2 and Table S6 of arXiv:2206.02574v3).
HaoChen, Wei, Gaidon & Ma (2021). Provable guarantees for self-supervised deep learning with spectral
contrastive loss. NeurIPS. Official code read for the normalisations:
facebookresearch/vicreg, facebookresearch/barlowtwins, google-research/simclr, vturrisi/solo-learn
(solo/losses), lightly-ai/lightly (lightly/loss).
"""

from __future__ import annotations

import numbers

import numpy as np

from .._validation import check_matrix, check_positive

__all__ = [
    "simclr_loss",
    "dcl_loss",
    "vicreg_loss",
    "vicreg_exp_loss",
    "vicreg_ctr_loss",
    "barlow_twins_loss",
    "vicreg_terms",
    "spectral_contrastive_loss",
    "SIMCLR_NORMALIZATIONS",
    "LOSSES",
]


# --------------------------------------------------------------------------------------------------- helpers
def _check_views(z_a, z_b, *, min_dims=1):
    """Validate the two views; return them as float64 plus the dtype the gradients should be returned in."""
    arrays = []
    for z, name in ((z_a, "z_a"), (z_b, "z_b")):
        z = np.asarray(z)
        if np.iscomplexobj(z):
            raise TypeError(f"{name} is complex ({z.dtype}); the SSL losses are defined for real embeddings. Pass "
                            f"z.real (or np.abs(z)) explicitly if that is what you mean")
        if z.ndim != 2:
            raise ValueError(f"{name} must be 2-D of shape (n_samples, n_dims), got shape {z.shape}")
        arrays.append(z)
    if arrays[0].shape != arrays[1].shape:
        raise ValueError(f"z_a and z_b must have the same shape (row i of both = the two views of sample i), "
                         f"got {arrays[0].shape} and {arrays[1].shape}")
    n, m = arrays[0].shape
    if n < 2:
        raise ValueError(f"need at least 2 samples (rows): negatives and batch statistics are undefined "
                         f"otherwise, got shape {arrays[0].shape}")
    if m < min_dims:
        raise ValueError(f"this loss needs at least {min_dims} embedding dimensions (columns), got shape "
                         f"{arrays[0].shape}")
    out = np.float32 if all(z.dtype == np.float32 for z in arrays) else np.float64
    za = check_matrix(arrays[0], "z_a", min_rows=2)
    zb = check_matrix(arrays[1], "z_b", min_rows=2)
    return za, zb, out


def _check_coeffs(**coeffs):
    for name, value in coeffs.items():
        check_positive(value, name, allow_zero=True)


def _unit_rows(z, name):
    norms = np.linalg.norm(z, axis=1, keepdims=True)
    if np.any(norms == 0):
        raise ValueError(f"{name} has rows of zero norm (indices {np.flatnonzero(norms.ravel() == 0)[:5].tolist()}"
                         f"); their cosine similarity is undefined")
    return z / norms, norms


def _unit_rows_backward(grad_u, u, norms):
    """Chain rule through ``u = z / ||z||``: project out the radial part, divide by the norm."""
    return (grad_u - u * np.sum(u * grad_u, axis=1, keepdims=True)) / norms


def _log_softmax_parts(logits):
    """Row-wise log-sum-exp (stable: the row maximum is subtracted) and softmax weights; ``-inf`` entries are
    excluded. Every row needs one finite entry. ``logits`` is overwritten by the weights."""
    top = np.max(logits, axis=1, keepdims=True)
    weights = np.exp(np.subtract(logits, top, out=logits), out=logits)
    total = np.sum(weights, axis=1, keepdims=True)
    weights /= total
    return top[:, 0] + np.log(total[:, 0]), weights


# ------------------------------------------------------------------------------------------ SimCLR and DCL
SIMCLR_NORMALIZATIONS = ("embedding", "centered", "standardized")


def _normalize_view(z, name, normalization):
    """One view's rows as SimCLR compares them, and the backward pass of that normalisation.

    "embedding": unit rows (classical SimCLR); "centered": each dimension centred over the batch, then unit rows
    (Garrido et al. 2023, Table 1, scenario A); "standardized": each dimension centred and scaled to norm
    sqrt(N/M), rows left free (their Eq. 14, scenario B)."""
    if normalization == "embedding":
        u, norms = _unit_rows(z, name)
        return u, lambda g: _unit_rows_backward(g, u, norms)
    xc = z - z.mean(axis=0)
    if normalization == "centered":
        u, norms = _unit_rows(xc, name)
        return u, lambda g: _centre_backward(_unit_rows_backward(g, u, norms))
    n, m = z.shape
    col = np.linalg.norm(xc, axis=0)
    if np.any(col == 0):
        raise ValueError(f"{name} has dimensions that are constant over the batch (columns "
                         f"{np.flatnonzero(col == 0)[:5].tolist()}); they cannot be standardised (Eq. 14)")
    scale = np.sqrt(n / m)
    u = xc / col * scale

    def backward(g):
        # y = s xc / ||xc||_col: project out the part along each column, divide by its norm; then the centring.
        return _centre_backward((g - u * np.sum(u * g, axis=0) / scale ** 2) * scale / col)
    return u, backward


def _centre_backward(g):
    """Chain rule through ``x - mean_rows(x)``: remove the column means of the gradient."""
    return g - g.mean(axis=0)


def _info_nce(z_a, z_b, temperature, decoupled, normalization="embedding"):
    za, zb, out = _check_views(z_a, z_b)
    check_positive(temperature, "temperature")
    if normalization not in SIMCLR_NORMALIZATIONS:
        raise ValueError(f"normalization must be one of {SIMCLR_NORMALIZATIONS}, got {normalization!r}")
    n = za.shape[0]
    u_a, back_a = _normalize_view(za, "z_a", normalization)
    u_b, back_b = _normalize_view(zb, "z_b", normalization)
    u = np.concatenate([u_a, u_b])                       # (2N, M): anchors 0..N-1 view a, N..2N-1 view b
    logits = (u @ u.T) / temperature
    rows = np.arange(2 * n)
    pos = (rows + n) % (2 * n)                           # the other view of the same sample
    positives = logits[rows, pos]
    logits[rows, rows] = -np.inf                         # never compare an anchor with itself
    if decoupled:
        logits[rows, pos] = -np.inf                      # DCL: the positive leaves the denominator
    lse, soft = _log_softmax_parts(logits)
    loss = float(np.mean(lse - positives))
    # dL/dlogits, then logits = u u^T / tau is symmetric in its two factors.
    d_logits = soft
    d_logits[rows, pos] -= 1.0
    d_logits /= 2 * n
    grad_u = (d_logits + d_logits.T) @ u / temperature
    grad_a = back_a(grad_u[:n])
    grad_b = back_b(grad_u[n:])
    return loss, grad_a.astype(out, copy=False), grad_b.astype(out, copy=False)


def simclr_loss(z_a, z_b, temperature=0.1, *, normalization="embedding"):
    """SimCLR's NT-Xent loss (normalised temperature-scaled cross-entropy) and its gradients.

    Parameters
    ----------
    z_a, z_b : array_like of shape (n_samples, n_dims)
        Embeddings of the two views; row i of both comes from the same image. N >= 2. (Library layout; the
        paper's ``K`` is ``z.T``.)
    temperature : float, default=0.1
        tau > 0.
    normalization : {"embedding", "centered", "standardized"}, default="embedding"
        How each view is normalised before the dot products (Garrido et al. 2023, Sec. 5.1 and Table 1).
        "embedding": unit rows, the classical SimCLR (cosine similarity). "centered": each dimension first
        centred over the batch, then unit rows (their scenario A, VICReg-ctr's normalisation). "standardized":
        each dimension centred and scaled to Euclidean norm ``sqrt(N / M)`` (their Eq. 14, scenario B, VICReg's
        normalisation); the rows are then unit-norm only on average. Each view is normalised with its own batch
        statistics.

    Returns
    -------
    loss : float
    grad_a, grad_b : ndarray of shape (n_samples, n_dims)
        dL/dz_a and dL/dz_b.

    Notes
    -----
    With ``u`` the 2N L2-normalised rows of ``[z_a; z_b]``, ``s_kl = u_k . u_l / tau`` and ``p(k)`` the other view
    of anchor k (Chen et al. 2020):

        L = (1 / 2N) sum_k [ -s_k,p(k) + log sum_{l != k} exp(s_kl) ],

    i.e. for each anchor a softmax over its positive and the 2N-2 negatives (the other samples, both views).
    The log-sum-exp subtracts the row maximum, so small temperatures do not overflow. Mean over the 2N anchors
    as in the paper, lightly and solo-learn; the official TF code returns twice this. Invariant to a positive
    rescaling of any row and to a common rotation of both views; hence each row's gradient is orthogonal to
    the row (for ``normalization="embedding"``). Garrido et al. (2023, Prop. 3.1) show it drives negative-pair dot
    products to zero mean, as the sample-contrastive criterion L_c does.
    """
    return _info_nce(z_a, z_b, temperature, decoupled=False, normalization=normalization)


def dcl_loss(z_a, z_b, temperature=0.1):
    """Decoupled contrastive loss (DCL): NT-Xent with the positive pair removed from the denominator.

    Parameters
    ----------
    z_a, z_b : array_like of shape (n_samples, n_dims)
        Embeddings of the two views (N >= 2).
    temperature : float, default=0.1

    Returns
    -------
    loss : float
    grad_a, grad_b : ndarray of shape (n_samples, n_dims)

    Notes
    -----
    Same notation as :func:`simclr_loss` (Yeh et al. 2022, Eq. 6, averaged over the 2N anchors):

        L = (1 / 2N) sum_k [ -s_k,p(k) + log sum_{l not in {k, p(k)}} exp(s_kl) ],

    one log-sum-exp over the 2N-2 negatives. (lightly's ``DCLLoss`` instead adds two log-sum-exps, one over
    the same-view and one over the other-view negatives.) Per anchor, the NT-Xent term is
    ``softplus`` of the DCL term; dropping the positive removes NT-Xent's "negative-positive coupling" (an easy
    positive no longer shrinks the gradient on the negatives, Yeh et al. 2022), and the loss is unbounded below.
    """
    return _info_nce(z_a, z_b, temperature, decoupled=True)


# ------------------------------------------------------------------------------------ VICReg and variants
def _variance_term(x, gamma, eps):
    """``mean_j relu(gamma - sqrt(var_j + eps))`` with var over axis 0 (ddof 1), and its gradient wrt ``x``."""
    n, d = x.shape
    xc = x - x.mean(axis=0)
    std = np.sqrt(np.sum(xc * xc, axis=0) / (n - 1) + eps)
    # Subgradient 0 at the kink std == gamma, as relu'(0) = 0 in torch.
    active = std < gamma
    value = float(np.sum(gamma - std[active]) / d)
    grad = -xc * (active / std) / ((n - 1) * d)
    return value, grad


def _covariance_term(x):
    """VICReg's ``sum_{i!=j} C_ij^2 / d`` with ``C = xc^T xc / (n-1)``, and its gradient wrt ``x`` (n, d)."""
    n, d = x.shape
    xc = x - x.mean(axis=0)
    off = xc.T @ xc / (n - 1)
    np.fill_diagonal(off, 0.0)
    value = float(np.sum(off * off) / d)
    # Columns of xc @ off sum to zero, so the centring adds nothing to the gradient.
    return value, 4.0 * xc @ off / ((n - 1) * d)


def _exp_covariance_term(x, temperature, denom):
    """Garrido et al. Eq. 11 on ``x`` of shape (n, d): ``(1/d) sum_i log sum_{j!=i} exp(C_ij / tau)`` with
    ``C = xc^T xc / denom`` (x centred over axis 0), and its gradient wrt ``x``."""
    d = x.shape[1]
    xc = x - x.mean(axis=0)
    logits = xc.T @ xc / (denom * temperature)
    np.fill_diagonal(logits, -np.inf)
    lse, soft = _log_softmax_parts(logits)
    d_cov = soft / (d * temperature)
    # Columns of xc @ (.) sum to zero, so the centring adds nothing to the gradient.
    return float(np.mean(lse)), xc @ (d_cov + d_cov.T) / denom


def _vicreg_family(z_a, z_b, *, sim_coeff, std_coeff, cov_coeff, kind, temperature=None, eps=1e-4,
                   gamma=1.0, center_dimensions=False):
    """Shared forward/backward of VICReg, VICReg-exp and VICReg-ctr; returns (loss, grad_a, grad_b, terms)."""
    za, zb, out = _check_views(z_a, z_b, min_dims=1 if kind == "vicreg" else 2)
    _check_coeffs(sim_coeff=sim_coeff, std_coeff=std_coeff, cov_coeff=cov_coeff)
    if isinstance(eps, numbers.Real) and not isinstance(eps, bool) and eps <= 0:
        raise ValueError(f"eps must be > 0, got {eps!r}: the variance hinge uses sqrt(var + eps), whose gradient "
                         f"is infinite for a collapsed dimension (var = 0) when eps = 0; the references use 1e-4")
    check_positive(eps, "eps")
    check_positive(gamma, "gamma")
    if kind != "vicreg":
        check_positive(temperature, "temperature")
    n, m = za.shape
    diff = za - zb
    invariance = float(np.mean(diff * diff))
    g_inv = 2.0 * sim_coeff * diff / (n * m)
    # VICReg (official code) sums the two views' covariance terms; Algorithms 1-2 of Garrido et al. average them.
    cov_weight = 1.0 if kind == "vicreg" else 0.5
    variance = covariance = 0.0
    grads = []
    for z in (za, zb):
        if kind == "vicreg_ctr":
            x = z - z.mean(axis=0) if center_dimensions else z
            # Algorithm 2: the VICReg-exp regulariser on the transposed batch (M, N). The M coordinates of each
            # embedding play the role of the batch (centring and variance over them, ddof 1), the Gram matrix
            # keeps the batch normaliser N - 1.
            v, g_v = _variance_term(x.T, gamma, eps)
            c, g_c = _exp_covariance_term(x.T, temperature, n - 1)
            g = (0.5 * std_coeff * g_v + cov_weight * cov_coeff * g_c).T
            if center_dimensions:
                g = _centre_backward(g)
        else:
            v, g_v = _variance_term(z, gamma, eps)
            if kind == "vicreg":
                c, g_c = _covariance_term(z)
            else:
                c, g_c = _exp_covariance_term(z, temperature, n - 1)
            g = 0.5 * std_coeff * g_v + cov_weight * cov_coeff * g_c
        variance += 0.5 * v
        covariance += cov_weight * c
        grads.append(g)
    loss = sim_coeff * invariance + std_coeff * variance + cov_coeff * covariance
    terms = {"invariance": invariance, "variance": variance, "covariance": covariance}
    return (float(loss), (grads[0] + g_inv).astype(out, copy=False), (grads[1] - g_inv).astype(out, copy=False),
            terms)


def vicreg_loss(z_a, z_b, sim_coeff=25.0, std_coeff=25.0, cov_coeff=1.0, *, eps=1e-4, gamma=1.0):
    """VICReg loss (variance-invariance-covariance regularisation) and its gradients.

    Parameters
    ----------
    z_a, z_b : array_like of shape (n_samples, n_dims)
        Embeddings of the two views (N >= 2).
    sim_coeff, std_coeff, cov_coeff : float, default=25, 25, 1
        Weights lambda, mu, nu of the invariance, variance and covariance terms (Bardes et al. 2022).
    eps : float, default=1e-4
        Added to the variance under the square root.
    gamma : float, default=1.0
        Target standard deviation of the hinge.

    Returns
    -------
    loss : float
    grad_a, grad_b : ndarray of shape (n_samples, n_dims)

    Notes
    -----
    Following the official code (facebookresearch/vicreg), with ``x`` = z centred per dimension:

        s = mean_{i,j} (z_a - z_b)_ij^2
        v(z) = (1/M) sum_j max(0, gamma - sqrt(Var_j(z) + eps)),      Var with N - 1
        c(z) = (1/M) sum_{j != k} C_jk^2,   C = x^T x / (N - 1)
        L = sim_coeff s + std_coeff (v(z_a) + v(z_b)) / 2 + cov_coeff (c(z_a) + c(z_b)).

    The halving of the variance term is the official code's (lightly keeps it, solo-learn drops it).
    ``c`` is the dimension-contrastive criterion ``L_nc`` of centred embeddings scaled by
    ``1 / (M (N-1)^2)`` (Garrido et al. 2023, Prop. 3.2). The hinge has a kink at ``std = gamma``, where the
    gradient used is 0 (as torch's relu). Adding the same vector to every row of both views leaves L unchanged.
    """
    loss, g_a, g_b, _ = _vicreg_family(z_a, z_b, sim_coeff=sim_coeff, std_coeff=std_coeff, cov_coeff=cov_coeff,
                                       kind="vicreg", eps=eps, gamma=gamma)
    return loss, g_a, g_b


def vicreg_exp_loss(z_a, z_b, sim_coeff=1.0, std_coeff=1.0, cov_coeff=2.0, temperature=0.1, *, eps=1e-4,
                    gamma=1.0):
    """VICReg-exp (Garrido et al. 2023): VICReg with a LogSumExp repulsion between dimensions.

    Parameters
    ----------
    z_a, z_b : array_like of shape (n_samples, n_dims)
        Embeddings of the two views (N >= 2, M >= 2).
    sim_coeff, std_coeff, cov_coeff : float, default=1, 1, 2
        lambda, mu, nu: Garrido et al.'s tuned values (their Table S6, VICReg-exp 1 : 1 : 2).
    temperature : float, default=0.1
        tau of the exponential covariance criterion (Table S6).
    eps : float, default=1e-4
        > 0, added to the variance under the square root.
    gamma : float, default=1.0
        Target standard deviation of the hinge.

    Returns
    -------
    loss : float
    grad_a, grad_b : ndarray of shape (n_samples, n_dims)

    Notes
    -----
    The default is Algorithm 1 of Garrido et al. (2023, arXiv:2206.02574v3, supplementary L) as issue 15 describes
    it, with the main text's Eq. 11 (the supplementary itself could not be checked here; see the module note), with
    ``x`` = z centred per dimension over the batch:

        s = mean_{i,j} (z_a - z_b)_ij^2                                  (F.mse_loss)
        v(z) = (1/M) sum_j max(0, gamma - sqrt(Var_j(z) + eps)),          Var over the batch, N - 1
        C = x^T x / (N - 1)                                               (M x M covariance)
        c_exp(z) = (1/M) sum_j log sum_{k != j} exp(C_jk / tau)           (their Eq. 11)
        L = sim_coeff s + std_coeff (v(z_a) + v(z_b)) / 2 + cov_coeff (c_exp(z_a) + c_exp(z_b)) / 2.

    Both regularisers are *averaged* over the two views. Eq. 12 of the paper writes sums (and a sum over
    samples for the invariance); these only rescale the coefficients, which the pseudocode and Table S6 fix.
    Like InfoNCE, the LogSumExp mostly penalises the largest covariances; being a soft maximum, not a sum of
    squares, it also rewards negative covariances.
    """
    loss, g_a, g_b, _ = _vicreg_family(z_a, z_b, sim_coeff=sim_coeff, std_coeff=std_coeff, cov_coeff=cov_coeff,
                                       kind="vicreg_exp", temperature=temperature, eps=eps, gamma=gamma)
    return loss, g_a, g_b


def vicreg_ctr_loss(z_a, z_b, sim_coeff=1.0, std_coeff=1.0, cov_coeff=1.0, temperature=0.15, *, eps=1e-4,
                    gamma=1.0, center_dimensions=False):
    """VICReg-ctr (Garrido et al. 2023): VICReg-exp on the transposed embeddings, a sample-contrastive loss.

    Parameters
    ----------
    z_a, z_b : array_like of shape (n_samples, n_dims)
        Embeddings of the two views (N >= 2, M >= 2).
    sim_coeff, std_coeff, cov_coeff : float, default=1, 1, 1
        lambda, mu, nu: the tuned values of Table S6 (VICReg-ctr 1 : 1 : 1).
    temperature : float, default=0.15
        tau of the LogSumExp over the Gram matrix (Table S6).
    eps, gamma : float
        As in :func:`vicreg_exp_loss`.
    center_dimensions : bool, default=False
        False: Algorithm 2 as written. True: first centre each dimension over the batch, the "dimension
        centering" that the paper's Table 1 lists for VICReg-ctr but its pseudocode does not perform (an option,
        to test whether it matters).

    Returns
    -------
    loss : float
    grad_a, grad_b : ndarray of shape (n_samples, n_dims)

    Notes
    -----
    The default is Algorithm 2 of Garrido et al. (2023, supp. L) as issue 15 describes it (not checked against the
    supplementary itself; see the module note): Algorithm 1 applied to the transposed batch
    (the paper's ``K^T``, Eq. 13), keeping the batch normaliser ``N - 1``. With ``y_i`` = embedding i minus the
    mean of its own M coordinates:

        s = mean_{i,j} (z_a - z_b)_ij^2
        v(z) = (1/N) sum_i max(0, gamma - sqrt(Var(z_i,:) + eps)),     Var over the M coordinates, M - 1
        G = Y Y^T / (N - 1)                                             (N x N Gram matrix of the y_i)
        c_exp(z) = (1/N) sum_i log sum_{k != i} exp(G_ik / tau)
        L = sim_coeff s + std_coeff (v(z_a) + v(z_b)) / 2 + cov_coeff (c_exp(z_a) + c_exp(z_b)) / 2.

    The variance term now holds the norm of each (centred) embedding near ``sqrt(M - 1)`` and the LogSumExp
    repels the embeddings of different samples of the same view, "with the same repulsive force as in DCL"
    (Garrido et al.): a sample-contrastive loss written with VICReg's machinery. Unlike SimCLR, negatives are
    only taken within a view and the positive never enters the LogSumExp.
    """
    loss, g_a, g_b, _ = _vicreg_family(z_a, z_b, sim_coeff=sim_coeff, std_coeff=std_coeff, cov_coeff=cov_coeff,
                                       kind="vicreg_ctr", temperature=temperature, eps=eps, gamma=gamma,
                                       center_dimensions=center_dimensions)
    return loss, g_a, g_b


def vicreg_terms(z_a, z_b, *, variant="vicreg", temperature=None, eps=1e-4, gamma=1.0, center_dimensions=False):
    """The unweighted invariance, variance and covariance terms of VICReg, VICReg-exp or VICReg-ctr.

    Parameters
    ----------
    z_a, z_b : array_like of shape (n_samples, n_dims)
    variant : {"vicreg", "vicreg_exp", "vicreg_ctr"}, default="vicreg"
    temperature : float, optional
        Default: that of the variant's loss (0.1 for "vicreg_exp", 0.15 for "vicreg_ctr"; ignored by "vicreg").
    eps, gamma, center_dimensions
        As in the corresponding loss.

    Returns
    -------
    terms : dict
        ``"invariance"``, ``"variance"`` (averaged over the two views, as in every loss) and ``"covariance"``
        (summed over the two views for "vicreg" as in the official code, averaged for the two variants as in
        Algorithms 1-2), so that ``loss = sim_coeff * invariance + std_coeff * variance + cov_coeff * covariance``.
    """
    if variant not in ("vicreg", "vicreg_exp", "vicreg_ctr"):
        raise ValueError(f"variant must be 'vicreg', 'vicreg_exp' or 'vicreg_ctr', got {variant!r}")
    if temperature is None:
        temperature = {"vicreg": None, "vicreg_exp": 0.1, "vicreg_ctr": 0.15}[variant]
    return _vicreg_family(z_a, z_b, sim_coeff=1.0, std_coeff=1.0, cov_coeff=1.0, kind=variant,
                          temperature=temperature, eps=eps, gamma=gamma, center_dimensions=center_dimensions)[3]


# ------------------------------------------------------------------------------- spectral contrastive loss
def spectral_contrastive_loss(z_a, z_b):
    """Spectral contrastive loss (HaoChen, Wei, Gaidon & Ma 2021) and its gradients.

    Parameters
    ----------
    z_a, z_b : array_like of shape (n_samples, n_dims)
        Embeddings of the two views (N >= 2), used as they are (no normalisation; HaoChen et al. bound their
        norm with the network's last layer).

    Returns
    -------
    loss : float
    grad_a, grad_b : ndarray of shape (n_samples, n_dims)

    Notes
    -----
    With ``S = z_a z_b^T`` (N x N),

        L = -(2/N) sum_i S_ii + (1 / (N (N - 1))) sum_{i != j} S_ij^2,

    the empirical form of HaoChen et al.'s Eq. 5: attraction of the positive pairs and a *squared* repulsion
    of every negative pair, i.e. a sample-contrastive criterion L_c between the two views (Garrido et al. 2023,
    Prop. 3.2). HaoChen et al. (2022) relate it to the dimension-contrastive L_nc.
    """
    za, zb, out = _check_views(z_a, z_b)
    n = za.shape[0]
    s = za @ zb.T
    off = s.copy()
    np.fill_diagonal(off, 0.0)
    loss = float(-2.0 * np.trace(s) / n + np.sum(off * off) / (n * (n - 1)))
    d_s = 2.0 * off / (n * (n - 1))
    d_s[np.diag_indices(n)] = -2.0 / n
    return loss, (d_s @ zb).astype(out, copy=False), (d_s.T @ za).astype(out, copy=False)


# ------------------------------------------------------------------------------------------- Barlow Twins
def _standardize_dims(z, eps):
    """Batch-norm without affine parameters: ``(z - mean) / sqrt(biased var + eps)`` per column."""
    xc = z - z.mean(axis=0)
    var = np.mean(xc * xc, axis=0)
    if eps == 0 and np.any(var == 0):
        raise ValueError(f"a dimension is constant over the batch (columns {np.flatnonzero(var == 0)[:5].tolist()}"
                         f"), so it cannot be standardised with eps=0; use eps > 0")
    scale = np.sqrt(var + eps)
    return xc / scale, scale


def _standardize_dims_backward(grad_y, y, scale):
    return (grad_y - grad_y.mean(axis=0) - y * np.mean(grad_y * y, axis=0)) / scale


def barlow_twins_loss(z_a, z_b, lambd=5e-3, *, eps=1e-5):
    """Barlow Twins loss (redundancy reduction of the cross-correlation matrix) and its gradients.

    Parameters
    ----------
    z_a, z_b : array_like of shape (n_samples, n_dims)
        Embeddings of the two views (N >= 2).
    lambd : float, default=5e-3
        Weight of the off-diagonal (redundancy) term (Zbontar et al. 2021; the official script's default is
        0.0051).
    eps : float, default=1e-5
        Added to the variance before standardising, as ``torch.nn.BatchNorm1d``. With ``eps=0`` the loss is
        exactly invariant to per-dimension affine maps ``z -> z * s + t`` (s > 0) of either view.

    Returns
    -------
    loss : float
    grad_a, grad_b : ndarray of shape (n_samples, n_dims)

    Notes
    -----
    Following the official code (facebookresearch/barlowtwins): each view is standardised per dimension with
    the biased batch variance, ``y = (z - mean) / sqrt(var + eps)``, then

        c = y_a^T y_b / N                      (M x M cross-correlation)
        L = sum_j (1 - c_jj)^2 + lambd sum_{j != k} c_jk^2.

    The redundancy term is the dimension-contrastive criterion of Garrido et al. (2023, Prop. 3.2) on the
    cross-correlation. lightly standardises with the unbiased std instead; solo-learn multiplies the loss
    by 0.025.
    """
    za, zb, out = _check_views(z_a, z_b)
    _check_coeffs(lambd=lambd, eps=eps)
    n = za.shape[0]
    y_a, s_a = _standardize_dims(za, eps)
    y_b, s_b = _standardize_dims(zb, eps)
    c = y_a.T @ y_b / n
    on = np.diag(c).copy()
    off = c.copy()
    np.fill_diagonal(off, 0.0)
    loss = float(np.sum((1.0 - on) ** 2) + lambd * np.sum(off * off))
    d_c = 2.0 * lambd * off
    d_c[np.diag_indices_from(d_c)] = -2.0 * (1.0 - on)
    grad_a = _standardize_dims_backward(y_b @ d_c.T / n, y_a, s_a)
    grad_b = _standardize_dims_backward(y_a @ d_c / n, y_b, s_b)
    return loss, grad_a.astype(out, copy=False), grad_b.astype(out, copy=False)


LOSSES = {
    "simclr": simclr_loss,
    "dcl": dcl_loss,
    "vicreg": vicreg_loss,
    "barlow_twins": barlow_twins_loss,
    "vicreg_exp": vicreg_exp_loss,
    "vicreg_ctr": vicreg_ctr_loss,
    "spectral": spectral_contrastive_loss,
}
"""Loss functions by name; each is ``loss(z_a, z_b, **kwargs) -> (value, dL/dz_a, dL/dz_b)``."""
