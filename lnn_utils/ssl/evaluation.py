"""Evaluating a self-supervised encoder: linear probe, k-NN accuracy, embedding spectrum and effective rank.

The probes measure how much class information the backbone's representation makes *linearly* (ridge probe) or
*locally* (k-NN) available, without training the encoder further. The spectrum and the effective rank measure how
many directions the embeddings actually use: *dimensional collapse* (Jing et al. 2022) shows up as singular
values that drop to ~0 and an effective rank well below the embedding dimension.

References
----------
Roy, O. & Vetterli, M. (2007). The effective rank: a measure of effective dimensionality. *EUSIPCO*, 606-610.
Garrido, Q., Balestriero, R., Najman, L. & LeCun, Y. (2023). RankMe: assessing the downstream performance of
pretrained self-supervised representations by their rank. *ICML*, arXiv:2210.02885 (the same quantity used to
monitor SSL embeddings).
Jing, L., Vincent, P., LeCun, Y. & Tian, Y. (2022). Understanding dimensional collapse in contrastive
self-supervised learning. *ICLR*, arXiv:2110.09348.
Hoerl, A. E. & Kennard, R. W. (1970). Ridge regression. *Technometrics* 12:55-67.
"""

from __future__ import annotations

import numpy as np

from .._validation import as_generator, check_matrix, check_positive
from ..blas import one_blas_thread

#: Default grid of ridge penalties searched by :class:`RidgeProbe` (features are standardised, so the penalty is
#: relative to the number of training samples: X^T X has diagonal n).
DEFAULT_ALPHAS = tuple(np.logspace(-2, 4, 7))


def _check_labels(y, n, name="y"):
    y = np.asarray(y)
    if y.shape != (n,) or not np.issubdtype(y.dtype, np.integer):
        raise ValueError(f"{name} must be integer class labels of shape ({n},), got dtype {y.dtype} and shape "
                         f"{y.shape}")
    return y


class RidgeProbe:
    """Linear probe: ridge regression on one-hot targets, solved in closed form, class = argmax of the output.

    Parameters
    ----------
    alphas : float or sequence of float, default=:data:`DEFAULT_ALPHAS`
        Ridge penalty, or a grid from which the one with the best leave-one-out accuracy on the training set is
        chosen (exact and cheap from one SVD; no test data is used).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    mean_, scale_ : ndarray of shape (n_features,)
        Standardisation learned on the training set (features with zero variance, e.g. dead ReLU units, keep
        scale 1 and so contribute nothing).
    coef_ : ndarray of shape (n_features, n_classes)
    intercept_ : ndarray of shape (n_classes,)
    alpha_ : float
        The penalty used.
    loo_accuracy_ : ndarray of shape (n_alphas,)
        Leave-one-out training accuracy of each candidate penalty.

    Notes
    -----
    With standardised features ``X`` (n, d), centred one-hot targets ``Y`` and ``X = U S V^T``, the ridge
    solution of ``min_W ||Y - X W||^2 + alpha ||W||^2`` is ``W = V diag(s / (s^2 + alpha)) U^T Y``; the
    intercept is the mean one-hot vector. The fitted values are ``H Y`` with hat matrix
    ``H = U diag(s^2 / (s^2 + alpha)) U^T + 1 1^T / n``, so the leave-one-out prediction of sample i is
    ``(yhat_i - H_ii y_i) / (1 - H_ii)`` (the usual linear-smoother identity). Ridge regression on one-hot
    targets is what Garrido et al. (2023)'s linear evaluation replaces by a trained linear classifier; it is a
    closed-form, deterministic stand-in.
    """

    def __init__(self, alphas=DEFAULT_ALPHAS):
        alphas = np.atleast_1d(np.asarray(alphas, dtype=np.float64))
        if alphas.ndim != 1 or alphas.size == 0 or not np.all(np.isfinite(alphas)) or np.any(alphas <= 0):
            raise ValueError(f"alphas must be a positive number or a non-empty sequence of them, got {alphas!r}")
        self.alphas = alphas

    def fit(self, X, y):
        """Fit on features ``X`` (n_samples, n_features) and integer labels ``y`` (n_samples,); returns self."""
        X = check_matrix(X, "X", min_rows=2)
        y = _check_labels(y, len(X))
        n = len(X)
        self.classes_, codes = np.unique(y, return_inverse=True)
        Y = np.eye(len(self.classes_))[codes]
        self.mean_ = X.mean(axis=0)
        scale = X.std(axis=0)
        self.scale_ = np.where(scale > 1e-8 * max(scale.max(), 1e-300), scale, 1.0)
        Xs = (X - self.mean_) / self.scale_
        y_mean = Y.mean(axis=0)
        U, s, Vt = np.linalg.svd(Xs, full_matrices=False)
        UtY = U.T @ (Y - y_mean)
        self.loo_accuracy_ = np.empty(len(self.alphas))
        for j, alpha in enumerate(self.alphas):
            shrink = s ** 2 / (s ** 2 + alpha)
            fitted = U @ (shrink[:, None] * UtY) + y_mean
            h = np.einsum("ij,j,ij->i", U, shrink, U) + 1.0 / n
            loo = (fitted - h[:, None] * Y) / (1.0 - h[:, None])
            self.loo_accuracy_[j] = np.mean(loo.argmax(axis=1) == codes)
        # The largest penalty among the best ones: the simplest model that does as well.
        best = np.flatnonzero(self.loo_accuracy_ == self.loo_accuracy_.max())[-1]
        self.alpha_ = float(self.alphas[best])
        self.coef_ = Vt.T @ ((s / (s ** 2 + self.alpha_))[:, None] * UtY)
        self.intercept_ = y_mean
        return self

    def decision_function(self, X):
        """Ridge outputs, one column per class, shape (n_samples, n_classes)."""
        X = check_matrix(X, "X", n_features=len(self.mean_))
        return ((X - self.mean_) / self.scale_) @ self.coef_ + self.intercept_

    def predict(self, X):
        """Predicted labels, shape (n_samples,)."""
        return self.classes_[self.decision_function(X).argmax(axis=1)]

    def score(self, X, y):
        """Accuracy on ``X`` (n_samples, n_features), ``y`` (n_samples,)."""
        return float(np.mean(self.predict(X) == _check_labels(y, len(X))))


def linear_probe_accuracy(R_train, y_train, R_test, y_test, *, alphas=DEFAULT_ALPHAS):
    """Test accuracy of a :class:`RidgeProbe` fitted on (R_train, y_train); features of shape (n, n_features)."""
    return RidgeProbe(alphas).fit(R_train, y_train).score(R_test, y_test)


def few_label_probe_accuracy(R_train, y_train, R_test, y_test, *, n_per_class=10, n_draws=5, seed=0,
                             alphas=DEFAULT_ALPHAS):
    """Mean test accuracy of :class:`RidgeProbe` fitted on only ``n_per_class`` labelled samples of each class.

    With all labels, even a random ReLU encoder of the digits is linearly separable to ~95 %; with a few labels
    per class the probe depends much more on how well the representation groups each class, so differences
    between encoders grow well beyond the sampling noise of the test accuracy.

    Parameters
    ----------
    R_train : ndarray of shape (n_train, n_features)
    y_train : ndarray of int of shape (n_train,)
    R_test : ndarray of shape (n_test, n_features)
    y_test : ndarray of int of shape (n_test,)
    n_per_class : int, default=10
        Labelled training samples per class (at least 2, at most the size of the smallest class).
    n_draws : int, default=5
        Independent draws of the labelled subset; the accuracies are averaged.
    seed : int, sequence of int or numpy.random.Generator, default=0
        Seed of the draws (keep it fixed to compare encoders on the same labelled subsets).
    alphas : float or sequence of float
        Ridge penalties, chosen by leave-one-out on the labelled subset.

    Returns
    -------
    float
    """
    y_train = _check_labels(y_train, len(R_train), "y_train")
    check_positive(n_per_class, "n_per_class", integer=True)
    check_positive(n_draws, "n_draws", integer=True)
    classes, counts = np.unique(y_train, return_counts=True)
    if not 2 <= n_per_class <= counts.min():
        raise ValueError(f"n_per_class must be between 2 and the smallest class size {counts.min()}, "
                         f"got {n_per_class}")
    R_train = np.asarray(R_train)
    rng = as_generator(seed)
    accuracies = []
    for _ in range(n_draws):
        idx = np.concatenate([rng.choice(np.flatnonzero(y_train == c), n_per_class, replace=False)
                              for c in classes])
        accuracies.append(RidgeProbe(alphas).fit(R_train[idx], y_train[idx]).score(R_test, y_test))
    return float(np.mean(accuracies))


def knn_accuracy(R_train, y_train, R_test, y_test, *, k=20, batch_size=2048):
    """Accuracy of a k-nearest-neighbour classifier with cosine similarity and majority vote.

    Parameters
    ----------
    R_train : ndarray of shape (n_train, n_features)
    y_train : ndarray of int of shape (n_train,)
    R_test : ndarray of shape (n_test, n_features)
    y_test : ndarray of int of shape (n_test,)
    k : int, default=20
        Number of neighbours (capped at n_train).
    batch_size : int, default=2048
        Test rows compared at once (bounds memory to batch_size x n_train).

    Returns
    -------
    float
        Fraction of test samples whose most frequent label among their k most cosine-similar training samples
        is right. Ties between labels go to the one whose voters have the larger summed similarity. All-zero
        rows (e.g. a dead representation) have similarity 0 to everything.
    """
    R_train = check_matrix(R_train, "R_train")
    R_test = check_matrix(R_test, "R_test", n_features=R_train.shape[1])
    y_train = _check_labels(y_train, len(R_train), "y_train")
    y_test = _check_labels(y_test, len(R_test), "y_test")
    check_positive(k, "k", integer=True)
    k = min(k, len(R_train))
    classes, codes = np.unique(y_train, return_inverse=True)

    def unit(R):
        norm = np.linalg.norm(R, axis=1, keepdims=True)
        return R / np.where(norm > 0, norm, 1.0)

    A, B = unit(R_train), unit(R_test)
    correct = 0
    for s in range(0, len(B), batch_size):
        sim = B[s:s + batch_size] @ A.T
        nn = np.argpartition(-sim, k - 1, axis=1)[:, :k]
        nn_sim = np.take_along_axis(sim, nn, axis=1)
        votes = np.zeros((len(sim), len(classes)))
        rows = np.repeat(np.arange(len(sim)), k)
        # One vote per neighbour plus less than 1/(k+1) from its similarity: less than one vote in total, so the
        # similarity only breaks ties.
        np.add.at(votes, (rows, codes[nn].ravel()), 1.0 + (nn_sim.ravel() + 1.0) / (2.0 * k + 2.0))
        correct += np.sum(classes[votes.argmax(axis=1)] == y_test[s:s + batch_size])
    return float(correct / len(B))


def embedding_spectrum(Z, *, center=True, normalize=False):
    """Singular values of a set of embeddings, largest first: the spectrum that reveals dimensional collapse.

    Parameters
    ----------
    Z : ndarray of shape (n_samples, n_dims)
    center : bool, default=True
        Subtract the mean embedding first, so the values are the standard deviations of ``Z`` along its
        principal axes (square roots of the covariance eigenvalues, Jing et al. 2022). False analyses the raw
        matrix, as in Roy & Vetterli (2007) and RankMe.
    normalize : bool, default=False
        Divide by the sum, giving the distribution ``p_k`` whose entropy defines :func:`effective_rank`.

    Returns
    -------
    ndarray of shape (min(n_samples, n_dims),)
        ``sigma_k(Z_c) / sqrt(n_samples)`` (or ``p_k`` if ``normalize``), non-increasing.
    """
    Z = check_matrix(Z, "Z")
    if center:
        Z = Z - Z.mean(axis=0)
    s = np.linalg.svd(Z, compute_uv=False) / np.sqrt(len(Z))
    if normalize:
        total = s.sum()
        s = s / total if total > 0 else s
    return s


def effective_rank(Z, *, center=True, rtol=1e-6):
    """Effective rank of a set of embeddings: the exponential of the entropy of its normalised singular values.

    ``erank(Z) = exp(-sum_k p_k log p_k)``, ``p_k = sigma_k / sum_j sigma_j`` (Roy & Vetterli 2007). It lies
    between 1 (all the spread in one direction) and ``min(n_samples, n_dims)``, and equals k exactly when Z has k
    equal non-zero singular values; so a rank-k matrix scores at most k.

    Parameters
    ----------
    Z : ndarray of shape (n_samples, n_dims)
    center : bool, default=True
        Remove the mean embedding first (see :func:`embedding_spectrum`): a constant offset is not a direction
        the embeddings *vary* along. ``center=False`` is the definition of Roy & Vetterli and RankMe applied to
        the raw matrix.
    rtol : float, default=1e-6
        Singular values below ``rtol`` times the root-mean-square norm of the rows of the (uncentred) ``Z`` count
        as 0, so that round-off in a fully collapsed embedding does not count as spread.

    Returns
    -------
    float
        The effective rank; 0.0 if ``Z`` has no spread at all (every singular value counts as 0).

    Notes
    -----
    Garrido, Balestriero, Najman & LeCun (2023, "RankMe") use the same quantity, computed on uncentred
    embeddings with a small epsilon added to ``p_k``, to predict downstream accuracy without labels.
    """
    Z = check_matrix(Z, "Z")
    check_positive(rtol, "rtol", allow_zero=True)
    scale = np.sqrt(np.mean(np.sum(Z ** 2, axis=1)))
    s = embedding_spectrum(Z, center=center)
    s = s[s > rtol * scale]
    if s.size == 0:
        return 0.0
    p = s / s.sum()
    return float(np.exp(-np.sum(p * np.log(p))))


def evaluate(encoder, X_train, y_train, X_test, y_test, *, k=20, alphas=DEFAULT_ALPHAS, n_labels_per_class=None,
             n_label_draws=5, seed=0):
    """Linear-probe and k-NN accuracy of an encoder's representation, and the effective ranks of its outputs.

    Parameters
    ----------
    encoder : MLPEncoder or None
        Anything with ``representation(X)`` and ``embed(X)`` methods; None evaluates the raw pixels (a baseline).
    X_train, X_test : ndarray of shape (n_samples, height, width) or (n_samples, n_inputs)
        Labelled images, not augmented; the probes are fitted on the train part and scored on the test part.
    y_train, y_test : ndarray of int of shape (n_samples,)
    k : int, default=20
        Neighbours of the k-NN classifier.
    alphas : float or sequence of float
        Ridge penalties of the :class:`RidgeProbe`.
    n_labels_per_class : int, optional
        Also run :func:`few_label_probe_accuracy` with this many labels per class.
    n_label_draws : int, default=5
        Draws of the labelled subset for the few-label probe.
    seed : int, default=0
        Seed of those draws.

    Returns
    -------
    dict
        ``"linear_probe"`` and ``"knn"``: test accuracies on the representation ``r``;
        ``"effective_rank"``: of the embeddings ``z`` of the training images (NaN for raw pixels);
        ``"effective_rank_representation"``: of ``r`` on the same images;
        ``"ridge_alpha"``: the penalty the probe chose;
        ``"linear_probe_few_labels"``: only if ``n_labels_per_class`` is given.
    """
    def rows(X):
        X = np.asarray(X)
        return X.reshape(len(X), -1) if X.ndim == 3 else X

    # Matrices of a few hundred columns: one BLAS thread is much faster than two on a loaded machine.
    with one_blas_thread():
        X_train, X_test = rows(X_train), rows(X_test)
        if encoder is None:
            R_train, R_test, Z_train = X_train, X_test, None
        else:
            R_train, R_test = encoder.representation(X_train), encoder.representation(X_test)
            Z_train = encoder.embed(X_train)
        probe = RidgeProbe(alphas).fit(R_train, y_train)
        result = {
            "linear_probe": probe.score(R_test, y_test),
            "knn": knn_accuracy(R_train, y_train, R_test, y_test, k=k),
            "effective_rank": float("nan") if Z_train is None else effective_rank(Z_train),
            "effective_rank_representation": effective_rank(R_train),
            "ridge_alpha": probe.alpha_,
        }
        if n_labels_per_class is not None:
            result["linear_probe_few_labels"] = few_label_probe_accuracy(
                R_train, y_train, R_test, y_test, n_per_class=n_labels_per_class, n_draws=n_label_draws, seed=seed,
                alphas=alphas)
    return result
