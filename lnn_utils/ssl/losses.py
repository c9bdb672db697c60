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
vicreg_exp covariance     per view ``(1/M) sum_i log sum_{j!=i}        Garrido Eq. 11-12 (invariance and variance as
                          exp(C_ij / tau)``, C as in vicreg; term      VICReg above). Their pytorch pseudocode
                          ``c_a + c_b``; tau = 0.1 (our default)       (supp. I) and tuned tau (Table S6) were not
                                                                       available to us
vicreg_ctr regulariser    centre each dimension over the batch         Garrido Eq. 13 applies VICReg-exp's v and
                          (Garrido Table 1: "dimension centering"),    c_exp to ``K^T``; Table 1 adds dimension
                          then on ``x^T``: std of each embedding over  centring; the text says the covariance
                          its M coordinates (var with M-1, eps 1e-4),  criterion then "penalizes the Gram matrix".
                          hinge at 1, mean over N, /2 over views;      ``center_dimensions=False`` gives the literal
                          ``G = x x^T / (M-1)`` (N x N Gram),          Eq. 13 without it
                          ``(1/N) sum_i log sum_{j!=i} exp(G_ij/tau)``
========== ============== ============================================ ==============================================

Every loss is symmetric in the two views: ``loss(z_b, z_a) == loss(z_a, z_b)`` with the gradients swapped.

References
----------
Chen, Kornblith, Norouzi & Hinton (2020). A simple framework for contrastive learning of visual representations
(SimCLR). ICML. Yeh, Hong, Hsu, Liu, Chen & LeCun (2022). Decoupled contrastive learning (DCL). ECCV.
Bardes, Ponce & LeCun (2022). VICReg. ICLR. Zbontar, Jing, Misra, LeCun & Deny (2021). Barlow Twins. ICML.
Garrido, Chen, Bardes, Najman & LeCun (2023). On the duality between contrastive and non-contrastive
self-supervised learning. ICLR (VICReg-exp, VICReg-ctr). Official code read for the normalisations:
facebookresearch/vicreg, facebookresearch/barlowtwins, google-research/simclr, vturrisi/solo-learn
(solo/losses), lightly-ai/lightly (lightly/loss).
"""

from __future__ import annotations

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
    "LOSSES",
]


# --------------------------------------------------------------------------------------------------- helpers
def _check_views(z_a, z_b, *, min_dims=1):
    """Validate the two views; return them as float64 plus the dtype the gradients should be returned in."""
    arrays = []
    for z, name in ((z_a, "z_a"), (z_b, "z_b")):
        z = np.asarray(z)
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
def _info_nce(z_a, z_b, temperature, decoupled):
    za, zb, out = _check_views(z_a, z_b)
    check_positive(temperature, "temperature")
    n = za.shape[0]
    u_a, r_a = _unit_rows(za, "z_a")
    u_b, r_b = _unit_rows(zb, "z_b")
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
    grad_a = _unit_rows_backward(grad_u[:n], u_a, r_a)
    grad_b = _unit_rows_backward(grad_u[n:], u_b, r_b)
    return loss, grad_a.astype(out, copy=False), grad_b.astype(out, copy=False)


def simclr_loss(z_a, z_b, temperature=0.1):
    """SimCLR's NT-Xent loss (normalised temperature-scaled cross-entropy) and its gradients.

    Parameters
    ----------
    z_a, z_b : array_like of shape (n_samples, n_dims)
        Embeddings of the two views; row i of both comes from the same image. N >= 2. (Library layout; the
        paper's ``K`` is ``z.T``.)
    temperature : float, default=0.1
        tau > 0.

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
    the row. Garrido et al. (2023, Prop. 3.1) show it drives negative-pair dot products to zero mean, as the
    sample-contrastive criterion L_c does.
    """
    return _info_nce(z_a, z_b, temperature, decoupled=False)


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


def _exp_covariance_term(x, temperature, *, center):
    """Garrido et al. Eq. 11: ``(1/d) sum_i log sum_{j!=i} exp(C_ij / tau)``, ``C = x^T x / (n-1)`` (x centred
    over axis 0 if ``center``), and its gradient wrt ``x`` of shape (n, d)."""
    n, d = x.shape
    xc = x - x.mean(axis=0) if center else x
    logits = xc.T @ xc / ((n - 1) * temperature)
    np.fill_diagonal(logits, -np.inf)
    lse, soft = _log_softmax_parts(logits)
    d_cov = soft / (d * temperature)
    return float(np.mean(lse)), xc @ (d_cov + d_cov.T) / (n - 1)


def _vicreg_family(z_a, z_b, *, sim_coeff, std_coeff, cov_coeff, kind, temperature=None, eps=1e-4,
                   gamma=1.0, center_dimensions=True):
    """Shared forward/backward of VICReg, VICReg-exp and VICReg-ctr; returns (loss, grad_a, grad_b, terms)."""
    za, zb, out = _check_views(z_a, z_b, min_dims=1 if kind == "vicreg" else 2)
    _check_coeffs(sim_coeff=sim_coeff, std_coeff=std_coeff, cov_coeff=cov_coeff, eps=eps)
    check_positive(gamma, "gamma")
    if kind != "vicreg":
        check_positive(temperature, "temperature")
    n, m = za.shape
    diff = za - zb
    invariance = float(np.mean(diff * diff))
    g_inv = 2.0 * sim_coeff * diff / (n * m)
    variance = covariance = 0.0
    grads = []
    for z in (za, zb):
        if kind == "vicreg_ctr":
            x = z - z.mean(axis=0) if center_dimensions else z
            # Transposed: the M coordinates of an embedding play the role of VICReg's batch.
            v, g_v = _variance_term(x.T, gamma, eps)
            c, g_c = _exp_covariance_term(x.T, temperature, center=False)
            g = (0.5 * std_coeff * g_v + cov_coeff * g_c).T
            if center_dimensions:
                g = g - g.mean(axis=0)
        else:
            v, g_v = _variance_term(z, gamma, eps)
            if kind == "vicreg":
                c, g_c = _covariance_term(z)
            else:
                c, g_c = _exp_covariance_term(z, temperature, center=True)
            g = 0.5 * std_coeff * g_v + cov_coeff * g_c
        variance += 0.5 * v
        covariance += c
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


def vicreg_exp_loss(z_a, z_b, sim_coeff=25.0, std_coeff=25.0, cov_coeff=1.0, temperature=0.1, *, eps=1e-4,
                    gamma=1.0):
    """VICReg-exp (Garrido et al. 2023): VICReg with a LogSumExp repulsion between dimensions.

    Parameters
    ----------
    z_a, z_b : array_like of shape (n_samples, n_dims)
        Embeddings of the two views (N >= 2, M >= 2).
    sim_coeff, std_coeff, cov_coeff : float, default=25, 25, 1
    temperature : float, default=0.1
        tau of the exponential covariance criterion. Our default: the paper tunes it (its Table S6).
    eps, gamma : float
        As in :func:`vicreg_loss`.

    Returns
    -------
    loss : float
    grad_a, grad_b : ndarray of shape (n_samples, n_dims)

    Notes
    -----
    The covariance term of :func:`vicreg_loss` is replaced by the exponential covariance criterion
    (Garrido et al. 2023, Eq. 11-12), per view,

        c_exp(z) = (1/M) sum_j log sum_{k != j} exp(C_jk / tau),   C = x^T x / (N - 1),

    summed over the two views; invariance and variance terms and their normalisations are VICReg's
    (official-code conventions, see the module table). Like InfoNCE, the LogSumExp mostly penalises the
    largest covariances; it is a soft-max, not a sum of squares, so it also rewards negative covariances.
    """
    loss, g_a, g_b, _ = _vicreg_family(z_a, z_b, sim_coeff=sim_coeff, std_coeff=std_coeff, cov_coeff=cov_coeff,
                                       kind="vicreg_exp", temperature=temperature, eps=eps, gamma=gamma)
    return loss, g_a, g_b


def vicreg_ctr_loss(z_a, z_b, sim_coeff=25.0, std_coeff=25.0, cov_coeff=1.0, temperature=0.1, *, eps=1e-4,
                    gamma=1.0, center_dimensions=True):
    """VICReg-ctr (Garrido et al. 2023): VICReg-exp applied to the transposed embeddings (sample-contrastive).

    Parameters
    ----------
    z_a, z_b : array_like of shape (n_samples, n_dims)
        Embeddings of the two views (N >= 2, M >= 2).
    sim_coeff, std_coeff, cov_coeff : float, default=25, 25, 1
    temperature : float, default=0.1
        tau of the LogSumExp over the Gram matrix (our default; the paper tunes it).
    eps, gamma : float
        As in :func:`vicreg_loss`.
    center_dimensions : bool, default=True
        First centre each dimension over the batch (Garrido et al. 2023, Table 1 lists "dimension centering"
        for VICReg-ctr). ``False`` gives the literal Eq. 13.

    Returns
    -------
    loss : float
    grad_a, grad_b : ndarray of shape (n_samples, n_dims)

    Notes
    -----
    Garrido et al. (2023, Eq. 13): invariance on ``K`` as in VICReg, variance and exponential covariance on
    ``K^T``. In library layout, with ``x`` = z (dimension-centred if ``center_dimensions``):

        v(x^T) = (1/N) sum_i max(0, gamma - sqrt(Var(x_i,:) + eps)),   Var over the M coordinates, M - 1
        G = x x^T / (M - 1)                                             (N x N Gram matrix)
        c_exp(x^T) = (1/N) sum_i log sum_{k != i} exp(G_ik / tau)
        L = sim_coeff s + std_coeff (v_a + v_b) / 2 + cov_coeff (c_exp,a + c_exp,b).

    The variance term now constrains the norm of each embedding and the LogSumExp repels the embeddings of
    different samples, "with the same repulsive force as in DCL" (Garrido et al.): a sample-contrastive loss
    written with VICReg's machinery. Caveat: the paper's pseudocode (its supp. I) was not available to us;
    we did not re-centre the Gram matrix (the text says it "penalizes the Gram matrix") while the variance,
    computed with VICReg's ``var``, centres each embedding over its coordinates.
    """
    loss, g_a, g_b, _ = _vicreg_family(z_a, z_b, sim_coeff=sim_coeff, std_coeff=std_coeff, cov_coeff=cov_coeff,
                                       kind="vicreg_ctr", temperature=temperature, eps=eps, gamma=gamma,
                                       center_dimensions=center_dimensions)
    return loss, g_a, g_b


def vicreg_terms(z_a, z_b, *, variant="vicreg", temperature=0.1, eps=1e-4, gamma=1.0, center_dimensions=True):
    """The unweighted invariance, variance and covariance terms of VICReg, VICReg-exp or VICReg-ctr.

    Parameters
    ----------
    z_a, z_b : array_like of shape (n_samples, n_dims)
    variant : {"vicreg", "vicreg_exp", "vicreg_ctr"}, default="vicreg"
    temperature, eps, gamma, center_dimensions
        As in the corresponding loss (``temperature`` is ignored by "vicreg").

    Returns
    -------
    terms : dict
        ``"invariance"``, ``"variance"`` (already averaged over the two views, as in the loss) and
        ``"covariance"`` (summed over the two views), so that
        ``loss = sim_coeff * invariance + std_coeff * variance + cov_coeff * covariance``.
    """
    if variant not in ("vicreg", "vicreg_exp", "vicreg_ctr"):
        raise ValueError(f"variant must be 'vicreg', 'vicreg_exp' or 'vicreg_ctr', got {variant!r}")
    return _vicreg_family(z_a, z_b, sim_coeff=1.0, std_coeff=1.0, cov_coeff=1.0, kind=variant,
                          temperature=temperature, eps=eps, gamma=gamma, center_dimensions=center_dimensions)[3]


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
}
"""Loss functions by name; each is ``loss(z_a, z_b, **kwargs) -> (value, dL/dz_a, dL/dz_b)``."""
