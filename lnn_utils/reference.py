"""Batch reference solutions that the local (Hebbian) rules are measured against (numpy, and numba for one loop).

- :func:`pca`: principal components by eigendecomposition of the covariance (what Oja's subspace rule, Sanger's
  GHA and Földiák's network converge to).
- :func:`fastica`: symmetric fixed-point FastICA (Hyvärinen & Oja 1997; Hyvärinen 1999) on whitened data, with the
  same contrast functions as :class:`lnn_utils.hebbian.HebbianICA`.
- :func:`lasso_fista` and :func:`dictionary_learning`: the sparse-coding problem of Olshausen & Field (1996),
  solved by accelerated proximal gradient (FISTA, Beck & Teboulle 2009) for the codes and by the method of optimal
  directions (block-coordinate descent, Mairal et al. 2009) for the dictionary.
- :func:`symmetric_decorrelation`: ``W <- (W W^T)^{-1/2} W``, shared by FastICA and the Hebbian ICA rule.

References
----------
Hyvärinen, A. & Oja, E. (1997). A fast fixed-point algorithm for independent component analysis. *Neural Comput*
9:1483-1492. Hyvärinen, A. (1999). Fast and robust fixed-point algorithms for independent component analysis.
*IEEE Trans Neural Netw* 10:626-634.
Olshausen, B. A. & Field, D. J. (1996). *Nature* 381:607-609.
Beck, A. & Teboulle, M. (2009). A fast iterative shrinkage-thresholding algorithm for linear inverse problems.
*SIAM J Imaging Sci* 2:183-202.
Mairal, J., Bach, F., Ponce, J. & Sapiro, G. (2009). Online dictionary learning for sparse coding. *Proc ICML* 689-696.
"""

from __future__ import annotations

import time

import numba
import numpy as np

from lnn_utils._validation import as_generator, check_matrix, check_positive

__all__ = [
    "CONTRASTS",
    "check_single_seed",
    "dictionary_learning",
    "fastica",
    "lasso_fista",
    "lasso_objective",
    "pca",
    "soft_threshold",
    "symmetric_decorrelation",
]


# --- seeds -------------------------------------------------------------------------------------------------------
def check_single_seed(seed, name="seed", *, owner="this function"):
    """Return ``seed`` if it stands for one random stream: an int >= 0, a ``SeedSequence`` or a ``Generator``.

    A sequence of seeds is refused: the online networks of :mod:`lnn_utils.hebbian.online` read a list as several
    independent runs, whereas numpy would silently hash it into one stream; here one object is one run, so the
    caller must loop over the seeds.

    Raises
    ------
    TypeError
        For a list, tuple or array of seeds, or any other type.
    ValueError
        For ``None`` (irreproducible) or a negative int.
    """
    if seed is None:
        raise ValueError(f"{name} must be an int >= 0 or a numpy Generator so that runs are reproducible, got None")
    if isinstance(seed, (np.random.Generator, np.random.SeedSequence)):
        return seed
    if isinstance(seed, (list, tuple, np.ndarray)):
        raise TypeError(
            f"{name} must be one int or a numpy Generator: {owner} trains one model per seed, got a sequence of "
            f"{len(seed)} seeds {list(np.ravel(seed))[:5]}; loop over the seeds instead, one model each, e.g. "
            f"[Model(..., {name}=s).fit(X) for s in seeds]")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"{name} must be an int >= 0 or a numpy Generator, got {seed!r} of type "
                        f"{type(seed).__name__}")
    if seed < 0:
        raise ValueError(f"{name} must be an int >= 0 (numpy seeds are non-negative), got {seed}")
    return seed


# --- contrast functions ------------------------------------------------------------------------------------------
def _cubic(u):
    return u * u * u


def _cubic_prime(u):
    return 3.0 * u * u


def _tanh(u):
    return np.tanh(u)


def _tanh_prime(u):
    t = np.tanh(u)
    return 1.0 - t * t


#: ICA contrasts by name: ``(g, g')`` with ``g = G'`` the derivative of the contrast ``G``. "cubic": ``G = u^4/4``
#: (kurtosis), ``g = u^3``; "tanh": ``G = log cosh u``, ``g = tanh u``. A sparse (super-Gaussian) direction makes
#: ``E[u^4]`` large and ``E[log cosh u]`` small, so the Hebbian rule climbs with ``f = +u^3`` and ``f = -tanh u``.
CONTRASTS = {
    "cubic": (_cubic, _cubic_prime),
    "tanh": (_tanh, _tanh_prime),
}


def _contrast(nonlinearity):
    if nonlinearity not in CONTRASTS:
        raise ValueError(f"nonlinearity must be one of {sorted(CONTRASTS)}, got {nonlinearity!r}")
    return CONTRASTS[nonlinearity]


# --- PCA ---------------------------------------------------------------------------------------------------------
def pca(X, n_components=None, *, center=True):
    """Principal components by eigendecomposition of the covariance matrix.

    Parameters
    ----------
    X : array_like of shape (n_samples, n_features)
    n_components : int, optional
        Number ``k`` of leading components; default all.
    center : bool, default=True
        Subtract the mean first (False: use the second-moment matrix ``X^T X / n``, as a Hebbian rule without a
        mean-subtracting mechanism sees the data).

    Returns
    -------
    components : ndarray of shape (n_components, n_features)
        Orthonormal rows, by decreasing variance; each row's sign is fixed so that its largest entry is positive.
    variances : ndarray of shape (n_components,)
        The eigenvalues ``lambda_1 >= ... >= lambda_k`` of ``C = (1/n) sum (x - mu)(x - mu)^T``.
    """
    X = check_matrix(X, "X", min_rows=2)
    d = X.shape[1]
    k = d if n_components is None else check_positive(n_components, "n_components", integer=True)
    if k > d:
        raise ValueError(f"n_components={k} exceeds the {d} features of X")
    Xc = X - X.mean(axis=0) if center else X
    evals, evecs = np.linalg.eigh(Xc.T @ Xc / len(X))
    evals, evecs = evals[::-1][:k], evecs[:, ::-1][:, :k].T
    signs = np.sign(evecs[np.arange(k), np.argmax(np.abs(evecs), axis=1)])
    return evecs * np.where(signs == 0, 1.0, signs)[:, None], evals


# --- FastICA -----------------------------------------------------------------------------------------------------
def symmetric_decorrelation(W):
    """Return ``(W W^T)^{-1/2} W``: the orthonormal rows closest to those of ``W`` (all rows treated alike).

    Parameters
    ----------
    W : ndarray of shape (n_components, n_features), full row rank

    Returns
    -------
    ndarray of shape (n_components, n_features)
        Rows orthonormal: ``W W^T = I``.
    """
    S = W @ W.T
    evals, U = np.linalg.eigh(S)
    if evals[0] <= 1e-12 * max(evals[-1], 1e-300):
        raise np.linalg.LinAlgError("W has (nearly) linearly dependent rows: symmetric decorrelation is undefined")
    return (U / np.sqrt(evals)) @ U.T @ W


def fastica(Z, n_components=None, nonlinearity="tanh", seed=0, *, tol=1e-4, max_iter=200, w_init=None,
            return_info=False):
    """Symmetric fixed-point FastICA on whitened data.

    Every iteration updates all rows in parallel and then decorrelates them symmetrically:

    ``W+ = E[g(W z) z^T] - diag(E[g'(W z)]) W``,  ``W <- (W+ W+^T)^{-1/2} W+``,

    until ``max_i (1 - |<w_i, w_i^old>|) < tol``.

    Parameters
    ----------
    Z : array_like of shape (n_samples, n_features)
        Whitened data (zero mean, identity covariance), e.g. from :class:`lnn_utils.whitening.PCAWhitener`.
        A float32 array stays float32: the products with the data then run in single precision (2.5 times
        faster on notebook 05's patches), while ``W``, its decorrelation and the convergence test stay float64.
    n_components : int, optional
        Number of independent components (rows of W); default ``n_features``.
    nonlinearity : {"tanh", "cubic"}, default="tanh"
        ``g = tanh`` (contrast ``log cosh``, robust) or ``g = u^3`` (kurtosis), see :data:`CONTRASTS`.
    seed : int or numpy.random.Generator, default=0
        Random orthonormal starting point (ignored when ``w_init`` is given).
    tol : float, default=1e-4
        Convergence tolerance on ``1 - |cos|`` between successive rows (the criterion of Hyvärinen 1999).
    max_iter : int, default=200
    w_init : array_like of shape (n_components, n_features), optional
        Starting matrix (decorrelated before use).
    return_info : bool, default=False
        Also return a dict ``{"n_iter", "converged", "change" (per iteration), "seconds"}``.

    Returns
    -------
    W : ndarray of shape (n_components, n_features)
        Orthonormal unmixing rows in the whitened space: ``s = W z``; pixel-space filters are
        ``PCAWhitener.to_pixels(W)``.
    info : dict
        Only when ``return_info``.

    Notes
    -----
    Hyvärinen & Oja (1997), Neural Comput 9:1483; symmetric version: Hyvärinen (1999), IEEE Trans Neural Netw
    10:626. The fixed point of the one-unit update ``w+ = E[z g(w.z)] - E[g'(w.z)] w`` is a (Newton) extremum of
    ``E[G(w.z)]`` on the unit sphere, i.e. of the objective that the nonlinear Hebbian rule
    ``dw ~ z f(w.z)`` climbs by gradient steps (Hyvärinen & Oja 1998).
    """
    Z = check_matrix(Z, "Z", min_rows=2, keep_float32=True)
    n, d = Z.shape
    m = d if n_components is None else check_positive(n_components, "n_components", integer=True)
    if m > d:
        raise ValueError(f"n_components={m} exceeds the {d} whitened dimensions of Z; reduce n_components or keep "
                         f"more components when whitening")
    check_positive(tol, "tol")
    check_positive(max_iter, "max_iter", integer=True)
    g, g_prime = _contrast(nonlinearity)
    if w_init is None:
        W = as_generator(check_single_seed(seed, owner="fastica")).standard_normal((m, d))
    else:
        W = check_matrix(w_init, "w_init", n_features=d)
        if W.shape[0] != m:
            raise ValueError(f"w_init must have shape ({m}, {d}), got {W.shape}")
    W = symmetric_decorrelation(W)
    start = time.perf_counter()
    changes, converged = [], False
    for _ in range(max_iter):
        U = Z @ W.T.astype(Z.dtype, copy=False)
        mean_g_prime = g_prime(U).mean(axis=0, dtype=np.float64)
        W_new = (g(U).T @ Z / n).astype(np.float64, copy=False) - mean_g_prime[:, None] * W
        W_new = symmetric_decorrelation(W_new)
        change = float(np.max(1.0 - np.abs(np.sum(W_new * W, axis=1))))
        W = W_new
        changes.append(change)
        if change < tol:
            converged = True
            break
    if return_info:
        return W, {"n_iter": len(changes), "converged": converged, "change": np.array(changes),
                   "seconds": time.perf_counter() - start}
    return W


# --- sparse coding -----------------------------------------------------------------------------------------------
def soft_threshold(u, threshold):
    """``sign(u) max(|u| - threshold, 0)``: the proximal map of ``threshold * |.|_1``."""
    return np.sign(u) * np.maximum(np.abs(u) - threshold, 0.0)


@numba.njit(cache=True)
def _fista_step(P, B, Y, A, L, threshold, momentum):
    """One FISTA iteration in place, given ``P = Y G``: ``A+ = soft(Y - (P - B) / L, lam / L)``,
    ``Y <- A+ + momentum (A+ - A)``, ``A <- A+``; returns ``max |A+ - A|``.

    Fused into one pass over the (n_samples, n_atoms) arrays: numpy spent about five times longer in the
    temporaries of these elementwise steps than in the product ``Y G``. The values are those of
    :func:`soft_threshold`, bit for bit.
    """
    change = 0.0
    n, m = A.shape
    for i in range(n):
        for j in range(m):
            u = Y[i, j] - (P[i, j] - B[i, j]) / L
            a = max(u - threshold, 0.0) + min(u + threshold, 0.0)  # soft threshold, branch-free (vectorises)
            d = a - A[i, j]
            change = max(change, abs(d))
            Y[i, j] = a + momentum * d
            A[i, j] = a
    return change


def lasso_objective(X, codes, dictionary, lam):
    """Mean over patches of ``1/2 ||x - Phi a||^2 + lam ||a||_1``.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    codes : ndarray of shape (n_samples, n_atoms)
    dictionary : ndarray of shape (n_features, n_atoms)
        Atoms ``phi_j`` as columns.
    lam : float

    Returns
    -------
    float
    """
    R = X - codes @ dictionary.T
    return float(0.5 * np.mean(np.sum(R * R, axis=1)) + lam * np.mean(np.sum(np.abs(codes), axis=1)))


def lasso_fista(X, dictionary, lam, *, n_iter=300, tol=1e-7, codes_init=None):
    """Solve ``min_a 1/2 ||x - Phi a||^2 + lam ||a||_1`` for every patch by FISTA (Beck & Teboulle 2009).

    Parameters
    ----------
    X : array_like of shape (n_samples, n_features)
    dictionary : array_like of shape (n_features, n_atoms)
        ``Phi``, atoms as columns.
    lam : float
        Sparsity penalty ``lambda >= 0``.
    n_iter : int, default=300
        Maximum number of iterations.
    tol : float, default=1e-7
        Stop when the largest change of a coefficient in one iteration falls below ``tol``.
    codes_init : array_like of shape (n_samples, n_atoms), optional
        Warm start.

    Returns
    -------
    codes : ndarray of shape (n_samples, n_atoms)

    Notes
    -----
    Step ``1/L`` with ``L`` the largest eigenvalue of ``Phi^T Phi``; momentum ``(t_k - 1)/t_{k+1}``. The LASSO
    objective is convex, so FISTA and the LCA of :class:`lnn_utils.hebbian.SparseCoding` reach the same minimum
    when it is unique.
    """
    X = check_matrix(X, "X")
    D = check_matrix(dictionary, "dictionary", n_features=None)
    if D.shape[0] != X.shape[1]:
        raise ValueError(f"dictionary must have shape (n_features={X.shape[1]}, n_atoms), got {D.shape}")
    check_positive(lam, "lam", allow_zero=True)
    check_positive(n_iter, "n_iter", integer=True)
    G = D.T @ D
    L = float(np.linalg.eigvalsh(G)[-1])
    B = X @ D
    A = np.zeros((X.shape[0], D.shape[1])) if codes_init is None else np.array(codes_init, dtype=np.float64)
    if A.shape != (X.shape[0], D.shape[1]):
        raise ValueError(f"codes_init must have shape ({X.shape[0]}, {D.shape[1]}), got {A.shape}")
    Y, t = A.copy(), 1.0
    for _ in range(n_iter):
        t_new = 0.5 * (1.0 + np.sqrt(1.0 + 4.0 * t * t))
        # A <- soft(Y - (Y G - B) / L, lam / L); Y <- A + (t - 1) / t_new (A - A_old), in place (see _fista_step)
        change = _fista_step(Y @ G, B, Y, A, L, lam / L, (t - 1.0) / t_new)
        t = t_new
        if change < tol:
            break
    return A


def dictionary_learning(X, n_atoms, lam, *, n_iter=20, n_iter_codes=50, n_sweeps=3, seed=0, dictionary_init=None,
                        return_codes=False):
    """Batch sparse coding: alternate the LASSO codes of all patches (FISTA) and the unit-norm dictionary (BCD).

    Minimises ``mean_x [1/2 ||x - Phi a||^2 + lam ||a||_1]`` over codes and atoms with ``||phi_j|| <= 1``:

    1. ``A <- argmin_A`` by :func:`lasso_fista` (``n_iter_codes`` iterations, warm-started);
    2. with the sufficient statistics ``S = A^T A`` and ``T = X^T A``, ``n_sweeps`` sweeps of block-coordinate
       descent over the atoms: ``phi_j <- phi_j + (T_j - Phi S_j) / S_jj``, then ``phi_j <- phi_j / max(1, ||phi_j||)``
       (the exact minimiser over atom ``j`` with the others fixed; Mairal et al. 2009, Algorithm 2).

    Parameters
    ----------
    X : array_like of shape (n_samples, n_features)
    n_atoms : int
    lam : float
        Sparsity penalty.
    n_iter : int, default=20
        Alternations.
    n_iter_codes : int, default=50
        FISTA iterations per alternation.
    n_sweeps : int, default=3
        Dictionary sweeps per alternation.
    seed : int or numpy.random.Generator, default=0
        Initial dictionary: Gaussian atoms of unit norm, as :class:`lnn_utils.hebbian.SparseCoding` draws them
        (ignored with ``dictionary_init``).
    dictionary_init : array_like of shape (n_features, n_atoms), optional
    return_codes : bool, default=False
        Also return the codes of the final dictionary, shape (n_samples, n_atoms).

    Returns
    -------
    dictionary : ndarray of shape (n_features, n_atoms)
        Atoms as columns (unit norm unless never used).
    codes : ndarray of shape (n_samples, n_atoms)
        Only with ``return_codes``.

    Notes
    -----
    Olshausen & Field (1996) objective; dictionary step of Mairal, Bach, Ponce & Sapiro (2009), Online dictionary
    learning for sparse coding, *Proc ICML* 689-696, here in batch mode over all patches. An atom no patch uses
    (``S_jj = 0``) is left unchanged.
    """
    X = check_matrix(X, "X", min_rows=2)
    check_positive(n_atoms, "n_atoms", integer=True)
    check_positive(n_iter, "n_iter", integer=True)
    check_positive(n_sweeps, "n_sweeps", integer=True)
    if dictionary_init is None:
        D = as_generator(check_single_seed(seed, owner="dictionary_learning")).standard_normal((n_atoms, X.shape[1])).T
    else:
        D = check_matrix(dictionary_init, "dictionary_init").copy()
        if D.shape != (X.shape[1], n_atoms):
            raise ValueError(f"dictionary_init must have shape ({X.shape[1]}, {n_atoms}), got {D.shape}")
    D = D / np.linalg.norm(D, axis=0, keepdims=True)
    A = None
    for _ in range(n_iter):
        A = lasso_fista(X, D, lam, n_iter=n_iter_codes, codes_init=A)
        S = A.T @ A
        T = X.T @ A
        for _ in range(n_sweeps):
            for j in range(n_atoms):
                if S[j, j] <= 0:
                    continue
                phi = D[:, j] + (T[:, j] - D @ S[:, j]) / S[j, j]
                D[:, j] = phi / max(1.0, float(np.linalg.norm(phi)))
    if return_codes:
        return D, lasso_fista(X, D, lam, n_iter=n_iter_codes, codes_init=A)
    return D
