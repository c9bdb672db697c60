"""How close a learned decomposition is to its batch reference: subspace angles, filter matching, Amari distance,
reconstruction error and sparsity.

All filter matrices hold one filter per row, of shape (n_filters, n_features), in the same space (e.g. the whitened
space of :class:`lnn_utils.whitening.PCAWhitener`). Signs and order of filters are arbitrary in PCA subspaces, ICA
and sparse coding, so every measure here is invariant to them.

References
----------
Björck, Å. & Golub, G. H. (1973). Numerical methods for computing angles between linear subspaces. *Math Comp*
27:579-594.
Amari, S., Cichocki, A. & Yang, H. H. (1996). A new learning algorithm for blind signal separation. *NIPS* 8:757.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import linear_sum_assignment

from lnn_utils._validation import check_matrix

__all__ = [
    "abs_cosines",
    "amari_distance",
    "amari_index",
    "best_abs_cosine",
    "contrast_value",
    "matched_abs_cosine",
    "max_principal_angle",
    "principal_angles",
    "reconstruction_error",
    "sparsity",
]


def _pair(A, B, names=("A", "B")):
    A = check_matrix(A, names[0])
    B = check_matrix(B, names[1], n_features=A.shape[1])
    return A, B


def principal_angles(A, B):
    """Principal angles between the row spaces of ``A`` and ``B``, in degrees, ascending.

    Parameters
    ----------
    A : array_like of shape (p, n_features)
    B : array_like of shape (q, n_features)
        Rows need not be orthonormal, only linearly independent.

    Returns
    -------
    ndarray of shape (min(p, q),)
        ``arccos`` of the singular values of ``Q_A^T Q_B`` (orthonormal bases from QR), the method of Björck &
        Golub (1973); 0 when one space contains the other.
    """
    A, B = _pair(A, B)
    Qa, _ = np.linalg.qr(A.T)
    Qb, _ = np.linalg.qr(B.T)
    s = np.linalg.svd(Qa.T @ Qb, compute_uv=False)
    return np.sort(np.degrees(np.arccos(np.clip(s, -1.0, 1.0))))


def max_principal_angle(A, B):
    """Largest principal angle (degrees) between the row spaces of ``A`` and ``B``: 0 for the same subspace,
    90 when some direction of one is orthogonal to the other."""
    return float(principal_angles(A, B)[-1])


def abs_cosines(W, W_ref):
    """Matrix of ``|cos|`` between every filter of ``W`` (rows) and every filter of ``W_ref`` (columns).

    Returns
    -------
    ndarray of shape (n_filters, n_reference)
    """
    W, W_ref = _pair(W, W_ref, ("W", "W_ref"))
    Wn = W / np.linalg.norm(W, axis=1, keepdims=True)
    Rn = W_ref / np.linalg.norm(W_ref, axis=1, keepdims=True)
    return np.abs(Wn @ Rn.T)


def best_abs_cosine(W, W_ref):
    """For each learned filter, the largest ``|cos|`` with any reference filter.

    Parameters
    ----------
    W : array_like of shape (n_filters, n_features)
    W_ref : array_like of shape (n_reference, n_features)

    Returns
    -------
    ndarray of shape (n_filters,)
        In [0, 1]; its mean is the "mean best |cos|" quality measure. Two learned filters may match the same
        reference filter; :func:`matched_abs_cosine` forbids that.
    """
    return abs_cosines(W, W_ref).max(axis=1)


def matched_abs_cosine(W, W_ref):
    """``|cos|`` of each learned filter with its partner in the best one-to-one matching (Hungarian algorithm).

    Returns
    -------
    cos : ndarray of shape (min(n_filters, n_reference),)
        In the order of the matched learned filters.
    partner : ndarray of int, same shape
        Index of the matched reference filter for learned filters ``0, 1, ...`` (those matched).
    """
    C = abs_cosines(W, W_ref)
    rows, cols = linear_sum_assignment(-C)
    return C[rows, cols], cols


def amari_index(P):
    """Amari et al. (1996) performance index of a square matrix ``P``, normalised to [0, 1].

    ``d(P) = 1 / (2 m (m - 1)) [ sum_i (sum_j |p_ij| / max_j |p_ij| - 1) + sum_j (sum_i |p_ij| / max_i |p_ij| - 1) ]``

    It is 0 exactly when ``P`` is a scaled permutation matrix (each row and each column has one non-zero entry) and
    approaches 1 for a matrix of equal magnitudes.

    Parameters
    ----------
    P : array_like of shape (m, m), m >= 2
        E.g. the global system ``W_unmix A_mix``, or ``W W_ref^+`` for two unmixing matrices.

    Returns
    -------
    float
    """
    P = np.abs(check_matrix(P, "P"))
    m = P.shape[0]
    if P.shape != (m, m) or m < 2:
        raise ValueError(f"P must be square with at least 2 rows, got shape {P.shape}")
    rows = (P / P.max(axis=1, keepdims=True)).sum(axis=1) - 1.0
    cols = (P / P.max(axis=0, keepdims=True)).sum(axis=0) - 1.0
    return float((rows.sum() + cols.sum()) / (2.0 * m * (m - 1)))


def amari_distance(W, W_ref):
    """Amari distance between two unmixing matrices of the same space: ``amari_index(W pinv(W_ref))``.

    Parameters
    ----------
    W, W_ref : array_like of shape (m, n_features), same m

    Returns
    -------
    float
        0 when ``W`` equals ``W_ref`` up to the order, sign and scale of the rows. For orthonormal rows
        ``pinv(W_ref) = W_ref^T``.
    """
    W, W_ref = _pair(W, W_ref, ("W", "W_ref"))
    if W.shape[0] != W_ref.shape[0]:
        raise ValueError(f"W and W_ref must have the same number of rows, got {W.shape[0]} and {W_ref.shape[0]}")
    return amari_index(W @ np.linalg.pinv(W_ref))


def contrast_value(W, Z, nonlinearity="tanh"):
    """The ICA objective of each filter on whitened data: ``E[log cosh(w . z)]`` ("tanh") or ``E[(w . z)^4] / 4``
    ("cubic"), for unit-norm rows. Sparse filters make the first small and the second large.

    Returns
    -------
    ndarray of shape (n_filters,)
    """
    W = check_matrix(W, "W")
    Z = check_matrix(Z, "Z", n_features=W.shape[1])
    U = Z @ (W / np.linalg.norm(W, axis=1, keepdims=True)).T
    if nonlinearity == "tanh":
        # log cosh u = |u| + log(1 + exp(-2|u|)) - log 2, without overflow
        a = np.abs(U)
        return np.mean(a + np.log1p(np.exp(-2.0 * a)) - np.log(2.0), axis=0)
    if nonlinearity == "cubic":
        return np.mean(U**4, axis=0) / 4.0
    raise ValueError(f"nonlinearity must be 'tanh' or 'cubic', got {nonlinearity!r}")


def reconstruction_error(X, codes, weights):
    """Relative squared reconstruction error ``sum ||x - Phi a||^2 / sum ||x||^2``.

    Parameters
    ----------
    X : array_like of shape (n_samples, n_features)
    codes : array_like of shape (n_samples, n_atoms)
    weights : array_like of shape (n_atoms, n_features)
        Atoms as rows (``Phi^T``).

    Returns
    -------
    float
        0 for a perfect reconstruction, 1 for the all-zero code.
    """
    X = check_matrix(X, "X")
    codes = check_matrix(codes, "codes")
    weights = check_matrix(weights, "weights", n_features=X.shape[1])
    if codes.shape != (X.shape[0], weights.shape[0]):
        raise ValueError(f"codes must have shape ({X.shape[0]}, {weights.shape[0]}), got {codes.shape}")
    R = X - codes @ weights
    return float(np.sum(R * R) / np.sum(X * X))


def sparsity(codes, tol=1e-10):
    """Fraction of non-zero coefficients, ``mean(|a| > tol)`` (the L0 "activity"): small is sparse.

    Parameters
    ----------
    codes : array_like of shape (n_samples, n_atoms)
    tol : float, default=1e-10

    Returns
    -------
    float
        In [0, 1].
    """
    return float(np.mean(np.abs(np.asarray(codes, dtype=float)) > tol))
