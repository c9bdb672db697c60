"""Sample-contrastive and dimension-contrastive criteria of Garrido et al. (2023), and the identity linking them.

Layout. Everything in this module uses the paper's embedding matrix ``K`` of shape ``(M, N)``: **M embedding
dimensions (rows) by N samples (columns)**, so column ``K[:, i]`` is the embedding of sample ``i`` and row
``K[j, :]`` holds dimension ``j`` across the batch. Deep-learning libraries (and :mod:`lnn_utils.ssl.losses`)
store embeddings the other way round, ``z`` of shape ``(N, M)``; pass ``z.T`` here.

The two criteria (Garrido et al. 2023, Definition 3.2) are

    L_c  = || K^T K - diag(K^T K) ||_F^2     (sample-contrastive: off-diagonal of the N x N Gram matrix)
    L_nc = || K K^T - diag(K K^T) ||_F^2     (dimension-contrastive: off-diagonal of the M x M "covariance")

and, because ``||K^T K||_F^2 = ||K K^T||_F^2 = trace((K^T K)^2)``, they satisfy exactly (Theorem 3.3)

    L_nc + sum_j ||K[j, :]||^4 = L_c + sum_i ||K[:, i]||^4.

Doubly normalised embeddings. If every row has squared norm ``a`` and every column squared norm ``b`` (which
requires ``M a = N b``, both being ``||K||_F^2``), the two correction sums are the constants ``M a^2`` and
``N b^2``, so ``L_nc - L_c = N b^2 - M a^2``: on that set the criteria differ by a constant and have the same
minimisers. The paper writes this as ``L_nc = L_c + N - M`` by substituting ``a = b = 1``, which is only
consistent when ``M = N`` (then the offset is 0). :func:`double_normalize` produces such matrices and
:func:`doubly_normalized_offset` gives the constant.

References
----------
Garrido, Chen, Bardes, Najman & LeCun (2023). On the duality between contrastive and non-contrastive
self-supervised learning. ICLR 2023, arXiv:2206.02574.
"""

from __future__ import annotations

import warnings

import numpy as np

from .._validation import check_matrix, check_positive

__all__ = [
    "sample_contrastive_criterion",
    "dimension_contrastive_criterion",
    "criteria_identity_terms",
    "criteria_identity_gap",
    "l2_normalize",
    "double_normalize",
    "doubly_normalized_offset",
]


def _refuse_complex(X, name):
    if np.iscomplexobj(X):
        raise TypeError(f"{name} is complex ({np.asarray(X).dtype}); the criteria are defined for real embeddings. "
                        f"Pass its real part explicitly if that is what you mean")


def _check_K(K):
    _refuse_complex(K, "K")
    return check_matrix(K, "K (shape (n_dims, n_samples), the paper's layout)")


def _offdiag_sq_norm(A):
    """||A - diag(A)||_F^2, computed on the off-diagonal entries directly (no cancellation)."""
    off = A.copy()
    np.fill_diagonal(off, 0.0)
    return float(np.sum(off * off)), off


def sample_contrastive_criterion(K, *, return_grad=False):
    """Sample-contrastive criterion ``L_c = ||K^T K - diag(K^T K)||_F^2`` (Garrido et al. 2023, Def. 3.2).

    Parameters
    ----------
    K : array_like of shape (n_dims, n_samples)
        Embedding matrix in the paper's layout: M rows = embedding dimensions, N columns = samples
        (libraries store ``z`` as (N, M); pass ``z.T``).
    return_grad : bool, default=False
        Also return ``dL_c/dK = 4 K (K^T K - diag(K^T K))``.

    Returns
    -------
    L_c : float
        Sum of squared dot products between the embeddings of different samples.
    grad : ndarray of shape (n_dims, n_samples)
        Only if ``return_grad``.

    Notes
    -----
    Penalising the off-diagonal of the Gram matrix pushes the embeddings of different samples towards
    orthogonality; Spectral Contrastive Loss, SimCLR-sq/abs and DCL-sq/abs minimise it (Prop. 3.2).
    """
    K = _check_K(K)
    value, off = _offdiag_sq_norm(K.T @ K)
    if return_grad:
        return value, 4.0 * K @ off
    return value


def dimension_contrastive_criterion(K, *, return_grad=False):
    """Dimension-contrastive criterion ``L_nc = ||K K^T - diag(K K^T)||_F^2`` (Garrido et al. 2023, Def. 3.2).

    Parameters
    ----------
    K : array_like of shape (n_dims, n_samples)
        Embedding matrix in the paper's layout (M dimensions by N samples; pass ``z.T`` for library-layout ``z``).
    return_grad : bool, default=False
        Also return ``dL_nc/dK = 4 (K K^T - diag(K K^T)) K``.

    Returns
    -------
    L_nc : float
        Sum of squared dot products between different embedding dimensions (rows of ``K``).
    grad : ndarray of shape (n_dims, n_samples)
        Only if ``return_grad``.

    Notes
    -----
    For centred ``K`` this is ``(N - 1)^2`` times the squared off-diagonal of the covariance matrix, the quantity
    VICReg's covariance term and Barlow Twins' redundancy term penalise (Prop. 3.2).
    """
    K = _check_K(K)
    value, off = _offdiag_sq_norm(K @ K.T)
    if return_grad:
        return value, 4.0 * off @ K
    return value


def criteria_identity_terms(K):
    """The four terms of Theorem 3.3 and the two sides of ``L_nc + sum_j ||K_j,:||^4 = L_c + sum_i ||K_:,i||^4``.

    Parameters
    ----------
    K : array_like of shape (n_dims, n_samples)
        Paper layout (M dimensions by N samples).

    Returns
    -------
    terms : dict
        ``"L_c"``, ``"L_nc"``, ``"rows4"`` = sum_j ||K[j, :]||^4 (dimensions), ``"cols4"`` = sum_i ||K[:, i]||^4
        (samples), ``"lhs"`` = L_nc + rows4, ``"rhs"`` = L_c + cols4 (both equal ``||K^T K||_F^2``),
        ``"gap"`` = lhs - rhs (zero up to rounding) and ``"scale"`` = ``||K||_F^4``, an upper bound of each side,
        against which to judge the gap.
    """
    K = _check_K(K)
    L_c = sample_contrastive_criterion(K)
    L_nc = dimension_contrastive_criterion(K)
    rows4 = float(np.sum(np.sum(K * K, axis=1) ** 2))
    cols4 = float(np.sum(np.sum(K * K, axis=0) ** 2))
    lhs, rhs = L_nc + rows4, L_c + cols4
    return {"L_c": L_c, "L_nc": L_nc, "rows4": rows4, "cols4": cols4, "lhs": lhs, "rhs": rhs,
            "gap": lhs - rhs, "scale": float(np.sum(K * K)) ** 2}


def criteria_identity_gap(K):
    """``(L_nc + sum_j ||K_j,:||^4) - (L_c + sum_i ||K_:,i||^4)``, zero by Theorem 3.3 of Garrido et al. (2023).

    Parameters
    ----------
    K : array_like of shape (n_dims, n_samples)
        Paper layout (M dimensions by N samples).

    Returns
    -------
    gap : float
        Rounding error only; compare it with ``||K||_F^4`` (see :func:`criteria_identity_terms`).
    """
    return criteria_identity_terms(K)["gap"]


def l2_normalize(X, *, axis=-1):
    """Scale each slice of ``X`` along ``axis`` to unit Euclidean norm.

    Parameters
    ----------
    X : array_like of shape (n_rows, n_cols)
    axis : int, default=-1
        ``-1`` (or 1): normalise rows, e.g. the embeddings of a library-layout ``z`` (N, M), as SimCLR does.
        ``0``: normalise columns, e.g. the embeddings of the paper's ``K`` (M, N).

    Returns
    -------
    X_normalized : ndarray of the same shape, float64

    Raises
    ------
    ValueError
        If a slice has zero norm (its direction is undefined).
    """
    _refuse_complex(X, "X")
    X = check_matrix(X, "X")
    if axis not in (0, 1, -1, -2):
        raise ValueError(f"axis must be 0 (columns) or 1/-1 (rows) of the 2-D X, got {axis!r}")
    norms = np.linalg.norm(X, axis=axis, keepdims=True)
    if np.any(norms == 0):
        bad = np.flatnonzero(norms.ravel() == 0)[:5].tolist()
        what = "rows" if axis in (1, -1) else "columns"
        raise ValueError(f"X has {what} of zero norm (indices {bad}...); they cannot be normalised, drop them")
    return X / norms


def double_normalize(K, *, col_norm=1.0, max_iter=10_000, tol=1e-12):
    """Rescale ``K`` so that all its columns and all its rows have fixed L2 norms (Sinkhorn-like iteration).

    Parameters
    ----------
    K : array_like of shape (n_dims, n_samples)
        Paper layout: M rows (dimensions) by N columns (samples/embeddings). Must have no zero row or column.
    col_norm : float, default=1.0
        Target norm of every column (embedding), ``sqrt(b)``. The row (dimension) norm is then forced to
        ``sqrt(a)`` with ``a = N b / M``, because rows and columns share the total ``||K||_F^2 = M a = N b``.
        With the default, embeddings lie on the unit sphere (as in SimCLR) and each dimension has squared norm
        N / M (the scaling of Garrido et al. 2023, Eq. 14).
    max_iter : int, default=10000
        Maximum number of (row, column) sweeps.
    tol : float, default=1e-12
        Stop when every squared row and column norm is within ``tol`` (relative) of its target.

    Returns
    -------
    K_dn : ndarray of shape (n_dims, n_samples)
        ``D_r K D_c`` for positive diagonal ``D_r``, ``D_c``: signs and the zero pattern of ``K`` are kept.

    Notes
    -----
    Alternately dividing each row by its norm and each column by its norm is Sinkhorn's matrix-scaling
    iteration on the non-negative matrix ``K * K`` (entry-wise square) towards prescribed row sums ``a`` and
    column sums ``b``; it converges when ``K * K`` has total support, e.g. whenever no entry of ``K`` is 0
    (Sinkhorn & Knopp 1967). On such matrices Theorem 3.3 of Garrido et al. (2023) gives
    ``L_nc - L_c = N b^2 - M a^2`` (:func:`doubly_normalized_offset`), a constant: the sample- and
    dimension-contrastive criteria then have the same minimisers. A RuntimeWarning is issued if the
    tolerance is not reached.
    """
    K = _check_K(K).copy()
    check_positive(col_norm, "col_norm")
    check_positive(max_iter, "max_iter", integer=True)
    check_positive(tol, "tol")
    M, N = K.shape
    if np.any(np.sum(K * K, axis=1) == 0) or np.any(np.sum(K * K, axis=0) == 0):
        raise ValueError("K has a zero row or column; it cannot be doubly normalised, drop it first")
    b = float(col_norm) ** 2
    a = N * b / M
    for _ in range(max_iter):
        K *= np.sqrt(a / np.sum(K * K, axis=1))[:, None]
        K *= np.sqrt(b / np.sum(K * K, axis=0))[None, :]
        # Columns are exact after the last step; rows tell whether the scaling has converged.
        if np.max(np.abs(np.sum(K * K, axis=1) / a - 1.0)) <= tol:
            return K
    warnings.warn(f"double_normalize did not reach tol={tol} in {max_iter} sweeps (K * K may lack total "
                  f"support, e.g. because of zero entries); row norms are off by up to "
                  f"{np.max(np.abs(np.sum(K * K, axis=1) / a - 1.0)):.2e} (relative)", RuntimeWarning,
                  stacklevel=2)
    return K


def doubly_normalized_offset(n_dims, n_samples, *, col_norm=1.0):
    """``L_nc - L_c`` for any ``K`` of shape (n_dims, n_samples) with column norms ``col_norm`` and equal row norms.

    Parameters
    ----------
    n_dims : int
        M, number of rows (embedding dimensions).
    n_samples : int
        N, number of columns (samples).
    col_norm : float, default=1.0
        Norm of every column; every row then has squared norm ``a = N col_norm^2 / M``.

    Returns
    -------
    offset : float
        ``N b^2 - M a^2`` with ``b = col_norm^2``; equals ``N (M - N) / M`` for unit columns. The paper's
        ``N - M`` (Garrido et al. 2023, after Thm. 3.3) is the formal substitution ``a = b = 1``, consistent
        only when ``M = N``, where both expressions are 0.
    """
    M = check_positive(n_dims, "n_dims", integer=True)
    N = check_positive(n_samples, "n_samples", integer=True)
    check_positive(col_norm, "col_norm")
    b = float(col_norm) ** 2
    a = N * b / M
    return N * b * b - M * a * a
