"""PCA whitening of patches for learning, with a dimension cut, and the way back to pixel space.

Learning rules for ICA and sparse coding work best on *whitened* inputs ``z`` (zero mean, identity covariance):
second-order structure is then gone and only the higher-order (non-Gaussian) structure is left to learn. PCA
whitening ``z = Lambda^{-1/2} E^T (x - mu)`` keeps the leading ``k`` principal components only, which removes the
high-frequency directions that carry almost no variance (and would be amplified most by whitening).

A filter ``v`` learned in the whitened space (a response ``y = v . z``) is a pixel-space filter
``v Lambda^{-1/2} E^T`` (``y = (v V) . (x - mu)``); a generative basis vector ``a`` (a patch
``x = mu + D a``) is the pixel image ``E Lambda^{1/2} a``. :meth:`PCAWhitener.to_pixels` does both.

References
----------
Hyvärinen, A., Hurri, J. & Hoyer, P. O. (2009). *Natural Image Statistics*, Springer, ch. 5 (PCA whitening and
dimension reduction before ICA).
Olshausen, B. A. & Field, D. J. (1996). *Nature* 381:607-609.
"""

from __future__ import annotations

import numpy as np

from lnn_utils._validation import as_real_array, check_matrix, check_positive

__all__ = ["PCAWhitener"]


class PCAWhitener:
    """PCA whitening with an optional dimension cut: ``z = Lambda_k^{-1/2} E_k^T (x - mu)``.

    Parameters
    ----------
    n_components : int or None, default=None
        Number ``k`` of leading principal components kept (``z`` has ``k`` coordinates). None keeps all
        directions whose variance exceeds ``eps`` times the largest.
    remove_dc : bool, default=False
        Subtract from every patch its own mean (its DC component) before everything else. The uniform patch is
        then a direction of zero variance and is never kept; useful when residual low-frequency power (e.g. from
        out-of-focus backgrounds) would otherwise take one of the ``k`` components.
    eps : float in (0, 1), default=1e-10
        Relative floor on eigenvalues: components with variance below ``eps * lambda_max`` cannot be kept (their
        whitening gain would be huge and meaningless).

    Attributes
    ----------
    mean_ : ndarray of shape (n_features,)
        Mean patch ``mu`` (after DC removal when ``remove_dc``).
    components_ : ndarray of shape (n_components, n_features)
        Orthonormal principal directions ``E_k^T`` (rows), by decreasing variance.
    explained_variance_ : ndarray of shape (n_components,)
        Their variances ``lambda_1 >= ... >= lambda_k``.
    explained_variance_ratio_ : ndarray of shape (n_components,)
        ``lambda_i / sum of all eigenvalues``.
    whitening_matrix_ : ndarray of shape (n_components, n_features)
        ``V = Lambda_k^{-1/2} E_k^T``: ``z = V (x - mu)``.
    dewhitening_matrix_ : ndarray of shape (n_features, n_components)
        ``D = E_k Lambda_k^{1/2}``: ``x ~ mu + D z`` (exact on the kept subspace); ``V D = I_k``.
    n_components_ : int
        The ``k`` actually kept.
    n_features_in_ : int

    Notes
    -----
    The covariance is ``C = (1/n) sum (x - mu)(x - mu)^T = E Lambda E^T`` (eigendecomposition, ``numpy.linalg.eigh``).
    The whitened data then have ``(1/n) sum z z^T = I_k`` exactly on the fitting set. See Hyvärinen, Hurri &
    Hoyer (2009), *Natural Image Statistics*, section 5.
    """

    def __init__(self, n_components=None, *, remove_dc=False, eps=1e-10):
        if n_components is not None:
            check_positive(n_components, "n_components", integer=True)
        check_positive(eps, "eps")
        if eps >= 1:
            raise ValueError(f"eps must be in (0, 1) (a fraction of the largest variance), got {eps!r}: with eps >= 1 "
                             f"no principal component could be kept")
        self.n_components = n_components
        self.remove_dc = bool(remove_dc)
        self.eps = eps

    # --- fitting -------------------------------------------------------------------------------------------------
    def _prepare(self, X):
        if self.remove_dc:
            X = X - X.mean(axis=1, keepdims=True)
        return X

    def fit(self, X):
        """Estimate mean, principal directions and variances from patches.

        Parameters
        ----------
        X : array_like of shape (n_samples, n_features)
            One flattened patch per row.

        Returns
        -------
        self : PCAWhitener

        Raises
        ------
        ValueError
            ``X`` not a finite 2-D array with at least 2 rows; ``X`` without variance (all rows equal, or, with
            ``remove_dc``, every row uniform): there is nothing to whiten; ``n_components`` larger than the number
            of directions with variance.
        """
        X = check_matrix(X, "X", min_rows=2)
        scale = np.abs(X).max()  # of the data as given: DC removal may leave only rounding
        X = self._prepare(X)
        n, d = X.shape
        if self.n_components is not None and self.n_components > d:
            raise ValueError(f"n_components={self.n_components} exceeds the {d} features of X; "
                             f"choose n_components <= {d}")
        self.mean_ = X.mean(axis=0)
        Xc = X - self.mean_
        evals, evecs = np.linalg.eigh(Xc.T @ Xc / n)
        evals, evecs = evals[::-1], evecs[:, ::-1]
        # Constant data have variance 0 up to the rounding of the mean (relative 1e-16): treat both as zero.
        if not np.sqrt(max(evals[0], 0.0)) > 1e3 * np.finfo(np.float64).eps * scale:
            raise ValueError("X has zero variance: " + ("every row is a uniform patch, which removing the DC component "
                                                        "leaves at zero" if self.remove_dc else
                                                        "all its rows are the same, up to rounding")
                             + ", so there is no direction to whiten; pass patches that vary (e.g. from several "
                               "images or positions)")
        usable = int(np.sum(evals > self.eps * evals[0]))
        k = usable if self.n_components is None else self.n_components
        if k > usable:
            raise ValueError(f"only {usable} principal components of X have variance above eps * largest "
                             f"(eps={self.eps}){' after removing the DC component' if self.remove_dc else ''}, "
                             f"so n_components={k} cannot be whitened; choose n_components <= {usable}")
        # Fix each eigenvector's sign (largest entry positive) so results do not depend on the LAPACK build.
        signs = np.sign(evecs[np.argmax(np.abs(evecs), axis=0), np.arange(d)])
        evecs = evecs * np.where(signs == 0, 1.0, signs)
        lam = evals[:k]
        self.components_ = evecs[:, :k].T.copy()
        self.explained_variance_ = lam.copy()
        self.explained_variance_ratio_ = lam / evals[evals > 0].sum()
        self.whitening_matrix_ = self.components_ / np.sqrt(lam)[:, None]
        self.dewhitening_matrix_ = (self.components_ * np.sqrt(lam)[:, None]).T
        self.n_components_ = k
        self.n_features_in_ = d
        return self

    def _check_fitted(self):
        if not hasattr(self, "whitening_matrix_"):
            raise RuntimeError("this PCAWhitener is not fitted yet; call fit(X) first")

    # --- maps ----------------------------------------------------------------------------------------------------
    def transform(self, X):
        """Whiten patches: ``z = V (x - mu)``.

        Parameters
        ----------
        X : array_like of shape (n_samples, n_features)

        Returns
        -------
        Z : ndarray of shape (n_samples, n_components)
            Identity covariance on the data used in :meth:`fit`.
        """
        self._check_fitted()
        X = self._prepare(check_matrix(X, "X", n_features=self.n_features_in_))
        return (X - self.mean_) @ self.whitening_matrix_.T

    def fit_transform(self, X):
        """:meth:`fit` then :meth:`transform` on the same patches."""
        return self.fit(X).transform(X)

    def inverse_transform(self, Z):
        """Map whitened coordinates back to patches: ``x = mu + D z`` (the projection on the kept subspace).

        Parameters
        ----------
        Z : array_like of shape (n_samples, n_components)

        Returns
        -------
        X : ndarray of shape (n_samples, n_features)
        """
        self._check_fitted()
        Z = check_matrix(Z, "Z", n_features=self.n_components_)
        return Z @ self.dewhitening_matrix_.T + self.mean_

    def to_pixels(self, filters, kind="filter"):
        """Show vectors of the whitened space as pixel-space images.

        Parameters
        ----------
        filters : array_like of shape (n_filters, n_components) or (n_components,)
            One vector per row, in whitened coordinates.
        kind : {"filter", "basis"}, default="filter"
            "filter": a receptive field ``w`` (response ``y = w . z``) becomes ``w V``, the pixel filter with
            ``y = (w V) . (x - mu)``. "basis": a generative basis vector / dictionary atom ``a`` (a patch
            ``x = mu + D a``) becomes ``D a``.

        Returns
        -------
        ndarray of shape (n_filters, n_features) (or (n_features,) for one vector)
            Flattened patches; reshape to (p, p) or pass to :func:`lnn_utils.plotting.show_rfs`.
        """
        self._check_fitted()
        F = as_real_array(filters, "filters")
        single = F.ndim == 1
        F = check_matrix(F[None] if single else F, "filters", n_features=self.n_components_)
        if kind == "filter":
            out = F @ self.whitening_matrix_
        elif kind == "basis":
            out = F @ self.dewhitening_matrix_.T
        else:
            raise ValueError(f"kind must be 'filter' (response weights) or 'basis' (generative atoms), got {kind!r}")
        return out[0] if single else out

    def from_pixels(self, filters, kind="filter"):
        """Inverse of :meth:`to_pixels` on the kept subspace: pixel-space vectors to whitened coordinates.

        Parameters
        ----------
        filters : array_like of shape (n_filters, n_features) or (n_features,)
        kind : {"filter", "basis"}, default="filter"
            "filter": ``w = f D`` (so that ``f . (x - mu) = w . z`` for x in the kept subspace); "basis":
            ``a = V f``.

        Returns
        -------
        ndarray of shape (n_filters, n_components) (or (n_components,))
        """
        self._check_fitted()
        F = as_real_array(filters, "filters")
        single = F.ndim == 1
        F = check_matrix(F[None] if single else F, "filters", n_features=self.n_features_in_)
        if kind == "filter":
            out = F @ self.dewhitening_matrix_
        elif kind == "basis":
            out = F @ self.whitening_matrix_.T
        else:
            raise ValueError(f"kind must be 'filter' or 'basis', got {kind!r}")
        return out[0] if single else out
