"""Two-factor Hebbian rules for PCA, ICA and sparse coding, trained on mini-batches of patches.

Every rule here changes a weight by (a function of) presynaptic activity times (a function of) postsynaptic
activity, plus a decay or a normalisation that uses only the neuron's own weights, or lateral signals between the
neurons of one layer:

========================  ====================================================================================
:class:`OjaSubspace`      ``dW = eta (<y x^T> - <y y^T> W)``, ``y = W x`` (Oja 1989): top-k PCA subspace
:class:`GHA`              ``dW = eta (<y x^T> - LT[<y y^T>] W)`` (Sanger 1989): the top-k eigenvectors in order
:class:`FoldiakNetwork`   ``y = W x - M y``; Oja term on ``W``, anti-Hebbian ``dM = beta offdiag <y y^T>``
                          (Földiák 1989): decorrelated outputs spanning the principal subspace
:class:`HebbianICA`       ``dW = eta <f(y) z^T>`` on whitened ``z``, ``f = u^3`` or ``-tanh u``, units kept apart by
                          symmetric decorrelation or lateral anti-Hebbian weights (Hyvärinen & Oja 1998;
                          Brito & Gerstner 2016)
:class:`SparseCoding`     inference by a locally competitive algorithm (Rozell et al. 2008), dictionary by
                          ``dPhi = eta <(x - Phi a) a^T>`` and unit-norm atoms (Olshausen & Field 1996)
========================  ====================================================================================

Mini-batches. One step averages the updates of ``B`` patches, all computed with the same weights:
``dW = (eta / B) sum_s F(W, x_s)``. ``B`` online steps of rate ``eta / B`` give
``sum_s (eta / B) F(W_s, x_s)`` with ``W_s = W + O(eta)``, so the two differ by ``O(eta^2)``: for small learning
rates mini-batch training follows the same average dynamics (the same ODE) as online learning, while the ``B``
updates become two matrix products, so that 100+ neurons train in seconds. A step with rate ``eta`` is therefore
worth ``B`` online steps of rate ``eta / B``. Patches are shuffled once, and every epoch visits the mini-batches of
the shuffled copy in a new random order (see :meth:`_MiniBatchRule.partial_fit`). ``batch_size="all"`` makes
every step the average over all patches (the default of the cubic ICA rule, see :data:`_DEFAULTS`).

Common interface (scikit-learn-like): hyperparameters in ``__init__``; ``fit(X, n_iter=None)`` starts from the
seeded initial state and runs ``n_iter`` mini-batch steps (a class-specific default), ``partial_fit`` continues;
``weights`` of shape (n_components, n_features); ``transform(X)`` gives the responses; ``history_`` holds what an
optional ``callback(model)`` returned every ``callback_every`` steps, with the step count and the training time
(the callback's own time excluded).

References
----------
Oja, E. (1982). *J Math Biol* 15:267-273; Oja, E. (1989). Neural networks, principal components, and subspaces.
*Int J Neural Syst* 1:61-68.
Sanger, T. D. (1989). *Neural Networks* 2:459-473.
Földiák, P. (1989). Adaptive network for optimal linear feature extraction. *Proc IJCNN* 1:401-405.
Földiák, P. (1990). Forming sparse representations by local anti-Hebbian learning. *Biol Cybern* 64:165-170.
Hyvärinen, A. & Oja, E. (1998). Independent component analysis by general nonlinear Hebbian-like learning rules.
*Signal Processing* 64:301-313.
Brito, C. S. N. & Gerstner, W. (2016). *PLoS Comput Biol* 12(9):e1005070.
Olshausen, B. A. & Field, D. J. (1996). *Nature* 381:607-609.
Rozell, C. J., Johnson, D. H., Baraniuk, R. G. & Olshausen, B. A. (2008). Sparse coding via thresholding and local
competition in neural circuits. *Neural Comput* 20:2526-2563.
"""

from __future__ import annotations

import time

import numpy as np

from lnn_utils._validation import as_generator, check_matrix, check_positive
from lnn_utils.reference import CONTRASTS, check_single_seed, soft_threshold, symmetric_decorrelation

__all__ = [
    "FoldiakNetwork",
    "GHA",
    "HebbianICA",
    "OjaSubspace",
    "SparseCoding",
    "lca",
    "lca_step_bound",
]


def _unit_rows(W):
    return W / np.linalg.norm(W, axis=1, keepdims=True)


def _random_orthonormal(rng, m, d):
    return symmetric_decorrelation(rng.standard_normal((m, d)))


class _MiniBatchRule:
    """Shared machinery: seeded state, epochs of shuffled mini-batches, learning-rate schedule, history."""

    _default_n_iter = 2000
    #: Whether float32 patches stay float32 (single-precision data products, float64 weights); else float64.
    _keeps_float32 = False

    def __init__(self, n_components, *, learning_rate, batch_size, decay, seed):
        check_positive(n_components, "n_components", integer=True)
        check_positive(learning_rate, "learning_rate")
        if isinstance(batch_size, str):
            if batch_size != "all":
                raise ValueError(f"batch_size must be a positive integer or 'all' (every step averages over all "
                                 f"patches), got {batch_size!r}")
        else:
            batch_size = int(check_positive(batch_size, "batch_size", integer=True))
        if decay is not None:
            check_positive(decay, "decay")
        check_single_seed(seed, owner=f"{type(self).__name__} (a mini-batch rule)")
        self.n_components = int(n_components)
        self.learning_rate = float(learning_rate)
        self.batch_size = batch_size  # int, or "all": every step averages over all patches given to fit
        self.decay = decay
        # An int seed makes every fit() start from the same state; a Generator is consumed (fits differ).
        self.seed = seed

    def _divergence_hint(self):
        return ""

    # --- to implement ----------------------------------------------------------------------------------------
    def _initialize(self, n_features, rng):
        raise NotImplementedError

    def _update(self, Xb, lr):
        raise NotImplementedError

    def transform(self, X):
        raise NotImplementedError

    # --- shared ----------------------------------------------------------------------------------------------
    @property
    def weights(self):
        """Feed-forward weights, shape (n_components, n_features): row ``i`` is the receptive field of unit ``i``."""
        self._check_fitted()
        return self._W

    @property
    def filters(self):
        """What each unit's output responds to, shape (n_components, n_features); equals :attr:`weights` unless
        lateral connections mix the units."""
        return self.weights

    def _check_fitted(self):
        if not hasattr(self, "_W"):
            raise RuntimeError(f"this {type(self).__name__} is not fitted yet; call fit(X) first")

    def _learning_rate(self, step):
        if self.decay is None:
            return self.learning_rate
        return self.learning_rate / (1.0 + step / self.decay)

    def fit(self, X, n_iter=None, *, callback=None, callback_every=100):
        """Train from the seeded initial state.

        Parameters
        ----------
        X : array_like of shape (n_samples, n_features)
            Patches (whitened for :class:`HebbianICA` and :class:`SparseCoding`).
        n_iter : int, optional
            Number of mini-batch steps; default the class's ``_default_n_iter``.
        callback : callable, optional
            ``callback(model)``, called before the first step, every ``callback_every`` steps and after the last
            step; a returned dict of numbers is stored in :attr:`history_`. Raising ``StopIteration`` ends training
            early (e.g. once a quality criterion is met). Its run time is not counted in :attr:`fit_time_`.
        callback_every : int, default=100

        Returns
        -------
        self
        """
        X = check_matrix(X, "X", min_rows=2, keep_float32=self._keeps_float32)
        for name in ("_W", "_perm", "_starts", "_next"):
            self.__dict__.pop(name, None)
        self._rng = as_generator(self.seed)
        self._initialize(X.shape[1], self._rng)
        self.n_features_in_ = X.shape[1]
        self.n_steps_ = 0
        self.n_samples_seen_ = 0
        self.fit_time_ = 0.0
        self.history_ = {}
        return self.partial_fit(X, n_iter, callback=callback, callback_every=callback_every)

    def _new_epoch(self, n, B):
        """Mini-batch start rows for one epoch: a random offset in [0, B), then the blocks in random order."""
        offset = int(self._rng.integers(0, n - B + 1)) if n < 2 * B else int(self._rng.integers(0, B))
        self._starts = offset + B * self._rng.permutation((n - offset) // B)
        self._next = 0

    def partial_fit(self, X, n_iter=None, *, callback=None, callback_every=100):
        """Continue training for ``n_iter`` more mini-batch steps (same arguments as :meth:`fit`).

        The patches are shuffled once per training run (a stored permutation, applied again at every call, so that
        ``fit(X, a)`` then ``partial_fit(X, b)`` equals ``fit(X, a + b)``); each epoch then visits contiguous
        mini-batches of the shuffled copy in a new random order from a random offset, so that batches change
        between epochs without gathering rows at every step.
        """
        if not hasattr(self, "_W"):
            return self.fit(X, n_iter, callback=callback, callback_every=callback_every)
        X = check_matrix(X, "X", n_features=self.n_features_in_, min_rows=2, keep_float32=self._keeps_float32)
        n_iter = self._default_n_iter if n_iter is None else check_positive(n_iter, "n_iter", integer=True)
        check_positive(callback_every, "callback_every", integer=True)
        n = len(X)
        B = n if self.batch_size == "all" else min(self.batch_size, n)
        self.batch_size_ = B
        if getattr(self, "_perm", None) is None or len(self._perm) != n:
            self._perm = self._rng.permutation(n)
            self._new_epoch(n, B)
        Xp = X[self._perm]
        rows = []

        def call():
            """Run the callback; return (its duration, whether it asked to stop)."""
            t0 = time.perf_counter()
            try:
                out = callback(self)
            except StopIteration:
                return time.perf_counter() - t0, True
            rows.append({"step": self.n_steps_, "seconds": self.fit_time_, **(out or {})})
            return time.perf_counter() - t0, False

        start, paused, stop = time.perf_counter(), 0.0, False
        if callback is not None:
            paused, stop = call()
        with np.errstate(over="raise", invalid="raise"):
            for _ in range(0 if stop else n_iter):
                if self._next >= len(self._starts):
                    self._new_epoch(n, B)
                first = self._starts[self._next]
                self._next += 1
                # updates rebind (never mutate) the state arrays, so keeping references is a cheap snapshot
                state = {key: self.__dict__[key] for key in ("_W", "_M") if key in self.__dict__}
                try:
                    self._update(Xp[first:first + B], self._learning_rate(self.n_steps_))
                except (FloatingPointError, np.linalg.LinAlgError, ValueError) as err:
                    self.__dict__.update(state)  # roll back to the last finite state
                    if isinstance(err, ValueError):
                        raise
                    raise FloatingPointError(
                        f"{type(self).__name__} diverged at step {self.n_steps_} ({err}); use a smaller "
                        f"learning_rate than {self.learning_rate:g}{self._divergence_hint()}; the weights are "
                        f"those before the failed step") from None
                self.n_steps_ += 1
                self.n_samples_seen_ += B
                if callback is not None and self.n_steps_ % callback_every == 0:
                    now = time.perf_counter()
                    self.fit_time_ += now - start - paused
                    start = now
                    paused, stop = call()
                    if stop:
                        break
        self.fit_time_ += time.perf_counter() - start - paused
        if callback is not None and not stop and self.n_steps_ % callback_every:
            call()  # also record the final state
        self._merge_history(rows)
        return self

    def _merge_history(self, rows):
        """Append callback rows to ``history_``; a key missing from a row (or from earlier calls) is NaN there."""
        if not rows:
            return
        n_old = len(self.history_.get("step", ()))
        keys = list(dict.fromkeys([*self.history_, *(k for r in rows for k in r)]))
        for key in keys:
            old = self.history_.get(key, np.full(n_old, np.nan))
            new = np.array([r.get(key, np.nan) for r in rows], dtype=float)
            self.history_[key] = np.concatenate([old, new])


# --------------------------------------------------------------------------------------------------------------
# PCA: Oja's subspace rule, Sanger's GHA, Földiák's lateral decorrelation
# --------------------------------------------------------------------------------------------------------------


class _LinearPCA(_MiniBatchRule):
    _default_n_iter = 3000
    _lower = False

    def __init__(self, n_components, *, learning_rate=0.02, batch_size=256, decay=None, seed=0):
        super().__init__(n_components, learning_rate=learning_rate, batch_size=batch_size, decay=decay, seed=seed)

    def _initialize(self, n_features, rng):
        if self.n_components > n_features:
            raise ValueError(f"n_components={self.n_components} exceeds the {n_features} inputs")
        self._W = _random_orthonormal(rng, self.n_components, n_features)
        m = self.n_components
        self._mask = np.tril(np.ones((m, m))) if self._lower else None

    def _update(self, Xb, lr):
        W = self._W
        Y = Xb @ W.T
        C = Y.T @ Y
        if self._mask is not None:
            C *= self._mask
        self._W = W + (lr / len(Xb)) * (Y.T @ Xb - C @ W)

    def transform(self, X):
        """Linear responses ``y = W x``, shape (n_samples, n_components)."""
        self._check_fitted()
        return check_matrix(X, "X", n_features=self.n_features_in_) @ self._W.T


class OjaSubspace(_LinearPCA):
    """Oja's subspace rule: linear units whose rows span the top-k principal subspace.

    ``y = W x``, ``dW = eta (<y x^T> - <y y^T> W)``, the average over a mini-batch of B patches.

    The first term is Hebbian (post ``y_i`` times pre ``x_j``); the second subtracts from input ``j`` what the
    layer reconstructs, ``sum_k y_k w_kj``: a local feedback. The rows converge to an orthonormal basis of the span of
    the ``n_components`` leading eigenvectors of ``E[x x^T]`` (any rotation of it).

    Parameters
    ----------
    n_components : int
    learning_rate : float, default=0.02
        ``eta`` per mini-batch; keep ``eta * lambda_max < 1`` (``lambda_max`` the largest input variance).
    batch_size : int, default=256
    decay : float, optional
        When given, the rate at step ``t`` is ``eta / (1 + t / decay)`` (annealing removes the residual jitter).
    seed : int or numpy.random.Generator, default=0
        Initial ``W`` (random orthonormal rows) and the order of the patches.

    Attributes
    ----------
    weights : ndarray of shape (n_components, n_features)
    n_steps_, n_samples_seen_ : int
    fit_time_ : float
        Seconds spent in updates.
    history_ : dict of str to ndarray

    Notes
    -----
    Oja (1989), Int J Neural Syst 1:61. Inputs are used as given (no mean subtraction): centre them first to get
    the principal components of the covariance. Compare with :func:`lnn_utils.reference.pca` through
    :func:`lnn_utils.decomposition_metrics.principal_angles`.
    """


class GHA(_LinearPCA):
    """Sanger's generalised Hebbian algorithm: rows converge to the leading eigenvectors, in order.

    ``y = W x``, ``dW = eta (<y x^T> - LT[<y y^T>] W)`` with ``LT`` the lower triangle, diagonal included.

    Unit ``i`` subtracts only the reconstruction by units ``1..i``: unit 1 follows Oja's rule, unit 2 Oja's rule
    on the input with unit 1's part removed, and so on (a deflation by local feedback).

    Parameters are those of :class:`OjaSubspace`.

    Notes
    -----
    Sanger (1989), Neural Networks 2:459; the mini-batch counterpart of the online
    :class:`lnn_utils.hebbian.SangerNetwork`.
    """

    _lower = True


class FoldiakNetwork(_MiniBatchRule):
    """Földiák's network: Hebbian feed-forward weights and anti-Hebbian lateral weights decorrelate the outputs.

    Outputs at equilibrium of the recurrent layer ``y = W x - M y``, i.e. ``y = (I + M)^{-1} W x``, then

    - feed-forward (Oja's rule for each unit, with its own output): ``dW = eta (<y x^T> - diag<y^2> W)``;
    - lateral (anti-Hebbian: units that fire together inhibit each other more):
      ``dM = beta offdiag(<y y^T>)``, ``M`` symmetric with zero diagonal.

    At a fixed point the outputs are uncorrelated and the effective filters ``(I + M)^{-1} W`` span the principal
    subspace: lateral inhibition is the local way to make Hebbian units learn different things.

    Parameters
    ----------
    n_components : int
    learning_rate : float, default=0.02
        ``eta``.
    lateral_rate : float, default=0.05
        ``beta``.
    batch_size : int, default=256
    decay : float, optional
        Annealing of both rates, ``1 / (1 + t / decay)``.
    seed : int or numpy.random.Generator, default=0

    Attributes
    ----------
    weights : ndarray of shape (n_components, n_features)
        ``W``.
    lateral : ndarray of shape (n_components, n_components)
        ``M`` (positive entries inhibit).
    filters : ndarray of shape (n_components, n_features)
        ``(I + M)^{-1} W``: ``y = filters @ x``.

    Notes
    -----
    Földiák (1989), Proc IJCNN 1:401 (lateral weights ``q_ij = -m_ij``, ``dq_ij = -beta y_i y_j``). The same
    anti-Hebbian mechanism forms sparse codes in Földiák (1990).

    Stability: near decorrelation the lateral weights relax at the rate ``beta (var y_i + var y_j)``, so keep
    ``beta * 2 lambda_max < 2`` and ``eta * lambda_max`` below about 0.5 (``lambda_max`` the largest input variance).
    On 16 x 16 natural-image patches (``lambda_max`` ~ 16) ``eta = 0.02``, ``beta = 0.05`` with ``decay=300``
    converges, while ``eta = 0.04`` without annealing oscillates.
    """

    _default_n_iter = 3000

    def __init__(self, n_components, *, learning_rate=0.02, lateral_rate=0.05, batch_size=256, decay=None, seed=0):
        super().__init__(n_components, learning_rate=learning_rate, batch_size=batch_size, decay=decay, seed=seed)
        check_positive(lateral_rate, "lateral_rate")
        self.lateral_rate = float(lateral_rate)

    def _initialize(self, n_features, rng):
        if self.n_components > n_features:
            raise ValueError(f"n_components={self.n_components} exceeds the {n_features} inputs")
        self._W = _random_orthonormal(rng, self.n_components, n_features)
        self._M = np.zeros((self.n_components, self.n_components))

    @property
    def lateral(self):
        self._check_fitted()
        return self._M

    @property
    def filters(self):
        self._check_fitted()
        return np.linalg.solve(np.eye(self.n_components) + self._M, self._W)

    def _update(self, Xb, lr):
        A = np.linalg.solve(np.eye(self.n_components) + self._M, self._W)
        Y = Xb @ A.T
        B = len(Xb)
        C = Y.T @ Y / B
        self._W = self._W + lr * (Y.T @ Xb / B - np.diag(C)[:, None] * self._W)
        beta = self.lateral_rate * lr / self.learning_rate
        np.fill_diagonal(C, 0.0)
        self._M = self._M + beta * C

    def transform(self, X):
        """Equilibrium outputs ``y = (I + M)^{-1} W x``, shape (n_samples, n_components)."""
        return check_matrix(X, "X", n_features=self.n_features_in_) @ self.filters.T


# --------------------------------------------------------------------------------------------------------------
# ICA: nonlinear Hebbian learning on whitened inputs
# --------------------------------------------------------------------------------------------------------------

#: Sign that makes ``f = sign * g`` climb towards sparse (super-Gaussian) responses: ``+u^3``, ``-tanh u``.
_SIGN = {"cubic": 1.0, "tanh": -1.0}
#: Default training settings per contrast, on whitened natural-image patches (notebook 05, issue 13).
#:
#: - "cubic": every step averages over all patches (``batch_size="all"``), with a large constant rate. The update
#:   ``<z y^3>`` is dominated by the rare extreme patches (it weighs sixth moments), so a mini-batch of even half the
#:   patches has its own fixed point: with 5,000 of 50,000 patches per step the filters agreed with scikit-learn's
#:   FastICA (run to convergence, tol 1e-6) to a mean best |cos| of 0.83 after 600 annealed steps, and to 0.92 with
#:   25,000 patches, but to 0.935 (lowest pair 0.894; FastICA with itself 0.938) when every step sees all patches
#:   (300 steps, 3 seeds, benchmarks/results/decomposition.json), as FastICA does.
#: - "tanh": the bounded tanh weighs outliers little, so mini-batches of 5,000 patches are used (mean best |cos|
#:   0.834 with converged FastICA, whose runs agree with each other to 0.888: short of FastICA's reproducibility);
#:   its curvature is small, so it takes many steps, and a rate above about 2 makes the linear part of tanh flip the
#:   filters at every step.
#:
#: ``n_iter`` is the default training length of :meth:`HebbianICA.fit`.
_DEFAULTS = {
    "cubic": {"learning_rate": 1.0, "batch_size": "all", "decay": None, "n_iter": 300},
    "tanh": {"learning_rate": 0.2, "batch_size": 5000, "decay": None, "n_iter": 2000},
}


def _cube_in_place(Y):
    Y2 = Y * Y
    Y *= Y2
    return Y


#: ``g`` of :data:`lnn_utils.reference.CONTRASTS`, overwriting its argument.
_G_IN_PLACE = {"cubic": _cube_in_place, "tanh": lambda Y: np.tanh(Y, out=Y)}


def _newton_schulz(W, start=0.5):
    """``(W W^T)^{-1/2} W`` to about 1e-3, by Newton-Schulz steps ``W <- (3 W - W W^T W) / 2`` when W is nearly
    orthonormal.

    After a small Hebbian step the singular values of W are ``1 + x`` with small ``x``; one step maps them to
    ``1 - 3 x^2 / 2 + O(x^3)``, so the steps converge quadratically to the polar factor ``(W W^T)^{-1/2} W``
    (Hyvärinen 1999, iterative symmetric orthogonalisation), with two small matrix products per step instead of an
    eigendecomposition. One to three steps are taken depending on ``e = max |W W^T - I|`` (1 below 0.03, 2 below
    0.15, else 3), which leaves the rows orthonormal to ~1e-3; the error does not accumulate, since the next update
    corrects it again. Far from orthonormal (``e >= start``) the exact decorrelation is used.
    """
    S = W @ W.T
    err = np.max(np.abs(S - np.eye(len(W))))
    if err >= start:
        return symmetric_decorrelation(W)
    n_steps = 1 if err < 0.03 else 2 if err < 0.15 else 3
    for k in range(n_steps):
        if k:
            S = W @ W.T
        W = 1.5 * W - 0.5 * (S @ W)
    return W


class HebbianICA(_MiniBatchRule):
    """Nonlinear Hebbian learning on whitened patches: ICA by a two-factor rule.

    For whitened inputs ``z`` (identity covariance) and unit ``i`` with response ``y_i = w_i . z``:

    ``dw_i = eta <z f(y_i)>``  (pre ``z`` times a nonlinear function of post ``y_i``),

    with ``f(u) = u^3`` ("cubic") or ``f(u) = -tanh(u)`` ("tanh"). This is gradient ascent on ``E[F(w . z)]``
    (``F = u^4 / 4`` or ``-log cosh u``) on the unit sphere; both are largest for sparse, heavy-tailed
    (super-Gaussian) responses, i.e. for independent components (Hyvärinen & Oja 1998). The units are kept apart
    by one of

    - ``decorrelation="symmetric"``: after each step ``W <- (W W^T)^{-1/2} W`` (all units treated alike, rows stay
      orthonormal; the decorrelation of symmetric FastICA), computed by Newton-Schulz steps (:func:`_newton_schulz`)
      after one common rescaling of all rows;
    - ``decorrelation="lateral"``: lateral inhibitory weights ``M`` (zero diagonal) learned by the anti-Hebbian
      rule ``dM = beta offdiag<y y^T>``; outputs at equilibrium ``y = (I + M)^{-1} W z``; each ``w_i`` is
      normalised to unit length after its Hebbian step (Földiák 1990; Brito & Gerstner 2016).

    Parameters
    ----------
    n_components : int
        Number of units (<= whitened dimension).
    nonlinearity : {"cubic", "tanh"}, default="cubic"
    decorrelation : {"symmetric", "lateral"}, default="symmetric"
    learning_rate : float, optional
        ``eta`` per step; default 1.0 for "cubic" and 0.2 for "tanh" (see :data:`_DEFAULTS` for why).
    batch_size : int or "all", optional
        Patches averaged per step. Default "all" for "cubic" (every step sees all patches: ``u^3`` is dominated by
        rare extreme patches, so smaller batches have other fixed points), 5000 for "tanh".
    decay : float or None, default="default"
        Annealing ``eta_t = eta / (1 + t / decay)`` [steps]; None for a constant rate; "default": None (constant)
        for both contrasts.
    lateral_rate : float, default=0.1
        ``beta`` for ``decorrelation="lateral"``.
    seed : int or numpy.random.Generator, default=0
        The generator first draws the initial ``W``, random orthonormal rows exactly as
        ``lnn_utils.reference.fastica(Z, n_components, seed=seed)`` does (so the two start from the same point),
        then the order of the patches.

    Attributes
    ----------
    weights : ndarray of shape (n_components, n_whitened)
        Feed-forward weights ``W`` in the whitened space; pixel filters via
        :meth:`lnn_utils.whitening.PCAWhitener.to_pixels`.
    filters : ndarray of shape (n_components, n_whitened)
        ``W`` (symmetric) or the unit-normalised rows of ``(I + M)^{-1} W`` (lateral).
    lateral : ndarray of shape (n_components, n_components) or None
    n_steps_, n_samples_seen_, fit_time_, history_
        See :class:`OjaSubspace`.

    Notes
    -----
    Hyvärinen & Oja (1998), Signal Processing 64:301; Brito & Gerstner (2016), PLoS Comput Biol 12:e1005070. The
    batch counterpart is :func:`lnn_utils.reference.fastica` with the same nonlinearity. Mini-batch averaging: see
    the module docstring.

    Fixed points (symmetric decorrelation). With ``G = <f(y) z^T>``, a step ``W + eta G`` followed by
    ``(W W^T)^{-1/2}`` leaves an orthonormal ``W`` in place exactly when ``G W^T`` is symmetric: the Lagrange
    condition of the objective on orthonormal ``W``, and also the fixed-point condition of symmetric FastICA,
    ``W <- decorrelate(<g(y) z^T> - diag<g'(y)> W)``. The two methods therefore share their fixed points, and for a
    large step on the full batch the Hebbian step is close to the FastICA step (``eta G`` dominates ``W``, and
    ``<g'(y)>`` is small against ``<y g(y)>`` for the cubic contrast). Rescaling each row to unit norm before the
    decorrelation (as an earlier version did) changes the condition to ``d_i (G W^T)_ij = d_j (G W^T)_ji`` with
    ``d_i = 1 / ||w_i + eta g_i||``, a fixed point that moves away from FastICA's as ``eta`` grows, so that only
    tiny, slow steps were unbiased (mean best ``|cos|`` with scikit-learn's FastICA 0.69 after the old default
    3000 steps on the notebook's patches). Only a scale common to all rows is removed here.

    Step size and batch. For ``f = u^3`` the gradient ``<z y^3>`` of a unit near an independent component has norm
    about ``E[y^4]`` (about 10 on whitened patches), so with ``eta = 1`` the step dominates ``W`` and the update is
    close to the fixed-point iteration ``W <- decorrelate(<z y^3>)``. It still climbs the contrast, at every step and
    for any ``eta > 0`` when each step sees the same patches: ``J(W) = sum_i <F(w_i . z)> + ||W||^2 / (2 eta)`` is
    convex for the convex ``F = u^4 / 4`` and constant on orthonormal ``W``, and the polar factor
    ``decorrelate(W + eta G)`` maximises its linearisation ``<W + eta G, W'>`` over orthonormal ``W'``, so
    ``J(W') >= J(W)`` (a minorise-maximise step). ``F = -log cosh u`` is not convex, and large rates fail there. An
    annealed rate ``eta_t = eta / (1 + t / decay)``
    (Robbins-Monro) lets mini-batch training average out its noise; it is not the default because, for the cubic
    contrast, the noise that matters is which extreme patches a batch holds (see :data:`_DEFAULTS`).

    With lateral decorrelation the linear part ``f'(0) u`` of ``f`` is removed, i.e. "tanh" uses
    ``f(u) = u - tanh(u)`` (cubic is unchanged). On whitened inputs the linear part only adds ``E[z y_i] = w_i``, a
    change along ``w_i`` that the normalisation undoes, so the objective is the same; but when lateral inhibition
    makes ``y_i = a_i . z`` differ from ``w_i . z`` the anti-Hebbian term ``-z y_i`` would pull ``w_i`` towards
    the units that inhibit it and undo the decorrelation.

    Precision. Float32 patches given to :meth:`fit` stay float32: with symmetric decorrelation the two products
    with the patches per step run in single precision (2.5 times faster on notebook 05's patches), while the
    weights and their decorrelation stay float64. The averages over patches then carry relative errors of about
    1e-6, far below the step-to-step changes the rule makes.
    """

    _keeps_float32 = True

    def __init__(self, n_components, *, nonlinearity="cubic", decorrelation="symmetric", learning_rate=None,
                 batch_size=None, decay="default", lateral_rate=0.1, seed=0):
        if nonlinearity not in _SIGN:
            raise ValueError(f"nonlinearity must be 'cubic' (f = u^3) or 'tanh' (f = -tanh u), got {nonlinearity!r}")
        if decorrelation not in ("symmetric", "lateral"):
            raise ValueError(f"decorrelation must be 'symmetric' or 'lateral', got {decorrelation!r}")
        defaults = _DEFAULTS[nonlinearity]
        learning_rate = defaults["learning_rate"] if learning_rate is None else learning_rate
        batch_size = defaults["batch_size"] if batch_size is None else batch_size
        if isinstance(decay, str):
            if decay != "default":
                raise ValueError(f"decay must be a number of steps > 0, None (constant rate) or 'default', "
                                 f"got {decay!r}")
            decay = defaults["decay"]
        self._default_n_iter = defaults["n_iter"]
        super().__init__(n_components, learning_rate=learning_rate, batch_size=batch_size, decay=decay, seed=seed)
        check_positive(lateral_rate, "lateral_rate")
        self.nonlinearity = nonlinearity
        self.decorrelation = decorrelation
        self.lateral_rate = float(lateral_rate)
        # f(u) = sign * g(u) - slope * u; slope = f'(0) with lateral decorrelation (see Notes), else 0.
        self._g = CONTRASTS[nonlinearity][0]
        self._sign = _SIGN[nonlinearity]
        slope = self._sign * float(CONTRASTS[nonlinearity][1](np.zeros(1))[0])
        self._slope = slope if decorrelation == "lateral" else 0.0

    def _f(self, U):
        """The postsynaptic factor ``f(u)`` of the rule, elementwise."""
        F = self._sign * self._g(U)
        return F - self._slope * U if self._slope else F

    def _initialize(self, n_features, rng):
        if self.n_components > n_features:
            raise ValueError(f"n_components={self.n_components} exceeds the {n_features} whitened dimensions; "
                             f"whiten with at least {self.n_components} components")
        self._W = _random_orthonormal(rng, self.n_components, n_features)
        self._M = np.zeros((self.n_components, self.n_components)) if self.decorrelation == "lateral" else None

    @property
    def lateral(self):
        self._check_fitted()
        return self._M

    @property
    def weights(self):
        self._check_fitted()
        if self._M is None:
            # learning keeps the rows orthonormal to ~1e-3 (one Newton-Schulz step per update); polish exactly
            return symmetric_decorrelation(self._W)
        return self._W

    @property
    def filters(self):
        if self._M is None:
            return self.weights
        self._check_fitted()
        return _unit_rows(np.linalg.solve(np.eye(self.n_components) + self._M, self._W))

    def _update(self, Xb, lr):
        W = self._W
        if self._M is None:
            Y = Xb @ W.T.astype(Xb.dtype, copy=False)  # float32 patches: single-precision products
            # g overwrites Y and the sign goes into the rate: no extra (B, n_components) temporaries
            F = _G_IN_PLACE[self.nonlinearity](Y)
            W = W + (self._sign * lr / len(Xb)) * (F.T @ Xb).astype(np.float64, copy=False)
            # One common scale for all rows (the decorrelation is invariant to it), so that Newton-Schulz starts
            # near singular values 1. Rescaling each row to unit norm here instead would bias the fixed point
            # away from FastICA's (see Notes).
            W /= np.sqrt(np.mean(np.sum(W * W, axis=1)))
            self._W = _newton_schulz(W)
            return
        A = np.linalg.solve(np.eye(self.n_components) + self._M, W)
        Y = Xb @ A.T
        self._W = _unit_rows(W + (lr / len(Xb)) * (self._f(Y).T @ Xb))
        C = Y.T @ Y / len(Xb)
        np.fill_diagonal(C, 0.0)
        self._M = self._M + (self.lateral_rate * lr / self.learning_rate) * C

    def transform(self, Z):
        """Responses ``y`` to whitened patches, shape (n_samples, n_components) (equilibrium outputs for
        ``decorrelation="lateral"``)."""
        self._check_fitted()
        Z = check_matrix(Z, "Z", n_features=self.n_features_in_)
        if self._M is None:
            return Z @ self._W.T
        return Z @ np.linalg.solve(np.eye(self.n_components) + self._M, self._W).T


# --------------------------------------------------------------------------------------------------------------
# Sparse coding with a locally competitive algorithm
# --------------------------------------------------------------------------------------------------------------


def lca_step_bound(weights):
    """Largest stable Euler step of the LCA for a dictionary: ``2 / lambda_max(Phi^T Phi)``.

    Parameters
    ----------
    weights : array_like of shape (n_atoms, n_features)
        Atoms as rows (``Phi^T``).

    Returns
    -------
    float
        The bound ``2 / lambda_max(G)``, ``G = Phi^T Phi`` the Gram matrix of the atoms (``lambda_max(G)`` equals
        the largest eigenvalue of the smaller matrix ``Phi Phi^T``; for unit-norm atoms it is >= 1, so the bound is
        <= 2). :func:`lca` and :class:`SparseCoding` refuse a step at or above it.

    Notes
    -----
    Derivation. Between two changes of the set ``S`` of active units the soft threshold is affine,
    ``a = P (u - lam sign u)`` with ``P`` the diagonal projection onto ``S``, so one Euler step
    ``u <- u + step (Phi^T x - u - (G - I) a)`` is affine with matrix ``I - step (I + (G - I) P)``. Ordering the
    active units first, ``I + (G - I) P = [[G_SS, 0], [G_RS, I]]``: its eigenvalues are those of the principal
    submatrix ``G_SS`` (positive semi-definite) and 1 for each inactive unit. The step is stable (every
    eigenvalue of the iteration inside the unit circle, ``|1 - step mu| < 1``) for every active set exactly when
    ``step < 2 / mu_max``, and by Cauchy interlacing ``mu_max <= lambda_max(G)``, with equality when all units
    are active. Above the bound the mode of the top eigenvector of ``G`` grows by ``|1 - step lambda_max|`` per
    step once the units it involves are active, which drives more units above threshold: the codes explode.
    The continuous-time LCA itself is stable for any dictionary (Rozell et al. 2008); the bound is the price
    of the Euler discretisation, as for gradient descent on the quadratic part ``1/2 a^T G a``.
    """
    W = check_matrix(weights, "weights")
    small = W @ W.T if W.shape[0] <= W.shape[1] else W.T @ W
    lam_max = float(np.linalg.eigvalsh(small)[-1])
    if lam_max <= 0:
        raise ValueError("weights are all zero: the LCA has no atoms to code with")
    return 2.0 / lam_max


def _check_lca_step(step, weights, name):
    """Raise if ``step`` is not below the stability bound of :func:`lca_step_bound` for ``weights``."""
    bound = lca_step_bound(weights)
    if step >= bound:
        raise ValueError(
            f"{name}={step:g} is too large for this dictionary: the LCA's Euler steps are stable only for "
            f"{name} < 2 / lambda_max(Phi^T Phi) = {bound:.4g} (lambda_max = {2.0 / bound:.4g}, the largest "
            f"eigenvalue of the atoms' Gram matrix); use {name} <= {0.5 * bound:.3g} (half the bound, a well-damped "
            f"choice) or fewer, less overlapping atoms")
    return bound


def lca(X, weights, lam, *, n_steps=200, step=0.1, nonnegative=False, codes_init=None, return_potentials=False):
    """Sparse codes by the locally competitive algorithm (LCA) of Rozell et al. (2008).

    Each unit ``i`` (atom ``phi_i``, a row of ``weights``) has a membrane potential ``u_i`` and output
    ``a_i = T_lam(u_i)`` (soft threshold), driven by its feed-forward input and inhibited by active units whose atoms
    overlap with its own:

    ``tau du/dt = Phi^T x - u - (Phi^T Phi - I) a``,   integrated by Euler steps ``u <- u + step * (...)``,

    from ``u = 0``. Its fixed points are the minima of ``1/2 ||x - Phi a||^2 + lam ||a||_1`` (the LASSO), the
    energy the dynamics descend.

    Parameters
    ----------
    X : array_like of shape (n_samples, n_features)
    weights : array_like of shape (n_atoms, n_features)
        Atoms as rows (``Phi^T``).
    lam : float
        Threshold, equal to the L1 penalty ``lambda``.
    n_steps : int, default=200
    step : float, default=0.1
        ``dt / tau``. Must satisfy ``step < 2 / lambda_max(Phi^T Phi)`` (:func:`lca_step_bound`, derived there),
        else ``ValueError``; ``1 / lambda_max`` is the fastest non-oscillating choice.
    nonnegative : bool, default=False
        Rectified threshold ``a = max(u - lam, 0)`` (non-negative LASSO).
    codes_init : array_like of shape (n_samples, n_atoms), optional
        Initial potentials ``u``.
    return_potentials : bool, default=False

    Returns
    -------
    codes : ndarray of shape (n_samples, n_atoms)
    potentials : ndarray of shape (n_samples, n_atoms)
        Only with ``return_potentials``.

    Raises
    ------
    ValueError
        If ``step`` is at or above the stability bound.
    FloatingPointError
        If the potentials nevertheless become non-finite.

    Notes
    -----
    Rozell et al. (2008), Neural Comput 20:2526. Only local quantities enter: the feed-forward drive ``phi_i . x``,
    the unit's own potential, and lateral inhibition ``phi_i . phi_j`` from active units.
    """
    X = check_matrix(X, "X")
    Phi_T = check_matrix(weights, "weights", n_features=X.shape[1])
    check_positive(lam, "lam", allow_zero=True)
    check_positive(n_steps, "n_steps", integer=True)
    check_positive(step, "step")
    _check_lca_step(step, Phi_T, "step")
    U0 = None
    if codes_init is not None:
        U0 = check_matrix(codes_init, "codes_init", n_features=len(Phi_T)).copy()
        if len(U0) != len(X):
            raise ValueError(f"codes_init must have shape ({len(X)}, {len(Phi_T)}), got {U0.shape}")
    with np.errstate(over="ignore", invalid="ignore"):  # reported below, with its cause
        U, A = _lca(X @ Phi_T.T, Phi_T @ Phi_T.T - np.eye(len(Phi_T)), lam, n_steps, step, nonnegative, U0)
    _check_finite_codes(U, "step", step)
    return (A, U) if return_potentials else A


def _lca(drive, G, lam, n_steps, step, nonnegative, U=None):
    """Euler steps of the LCA from potentials ``U`` (default 0); returns the potentials and the codes."""
    U = np.zeros_like(drive) if U is None else U
    threshold = (lambda u: np.maximum(u - lam, 0.0)) if nonnegative else (lambda u: soft_threshold(u, lam))
    A = threshold(U)
    for _ in range(n_steps):
        U += step * (drive - U - A @ G)
        A = threshold(U)
    return U, A


def _check_finite_codes(U, name, step):
    if not np.all(np.isfinite(U)):
        raise FloatingPointError(f"the LCA potentials became NaN or infinite with {name}={step:g}; the inputs or "
                                 f"the dictionary (or initial potentials) are too large for this step: reduce {name} or rescale them")


class SparseCoding(_MiniBatchRule):
    """Sparse coding (Olshausen & Field 1996) with LCA inference and a Hebbian dictionary update.

    For each mini-batch:

    1. inference, :func:`lca`: codes ``a`` ~ ``argmin_a 1/2 ||x - Phi a||^2 + lam ||a||_1``, by ``n_lca_steps``
       steps of the locally competitive dynamics (feed-forward drive ``Phi^T x``, lateral inhibition
       ``Phi^T Phi - I``);
    2. learning: ``dPhi = eta <(x - Phi a) a^T>``, Hebbian between the residual ``r = x - Phi a`` (what the input
       layer holds after top-down feedback) and the unit's activity ``a_i``; then each atom is scaled back to unit
       norm (otherwise atoms grow and codes shrink, escaping the L1 penalty).

    Parameters
    ----------
    n_atoms : int
        Number of units / dictionary atoms (may exceed the input dimension: overcomplete).
    lam : float, default=0.5
        Sparsity penalty (LCA threshold), in units of the input (for whitened inputs: of one standard deviation).
    learning_rate : float, default=0.05
        ``eta`` per mini-batch.
    batch_size : int, default=250
    n_lca_steps : int, default=50
        Euler steps of the inference per mini-batch (learning); :meth:`transform` uses ``n_steps``.
    lca_step : float, default=0.15
        ``dt / tau`` of the LCA; must stay below ``2 / lambda_max(Phi^T Phi)`` (:func:`lca_step_bound`), which
        is checked before every training step (the bound moves as the atoms change) and in :meth:`transform`. For
        unit-norm Gaussian atoms ``lambda_max ~ (1 + sqrt(n_atoms / n_features))^2``: about 5.8, a bound of 0.34,
        for 2x overcomplete.
    nonnegative : bool, default=False
        Rectified units (non-negative codes).
    decay : float, optional
        Annealing ``eta_t = eta / (1 + t / decay)``.
    seed : int or numpy.random.Generator, default=0
        Initial atoms (Gaussian, unit norm) and patch order.

    Attributes
    ----------
    weights : ndarray of shape (n_atoms, n_features)
        The atoms ``phi_i`` as rows (``Phi^T``); they are also the units' feed-forward weights. Pixel images via
        ``PCAWhitener.to_pixels(weights, kind="basis")``.
    dictionary : ndarray of shape (n_features, n_atoms)
        ``Phi`` (atoms as columns), the same numbers.

    Notes
    -----
    Olshausen & Field (1996), Nature 381:607; LCA: Rozell et al. (2008), Neural Comput 20:2526. The batch
    counterpart is :func:`lnn_utils.reference.dictionary_learning` (FISTA codes + least-squares dictionary).
    """

    _default_n_iter = 1000

    def __init__(self, n_atoms, *, lam=0.5, learning_rate=0.05, batch_size=250, n_lca_steps=50, lca_step=0.15,
                 nonnegative=False, decay=None, seed=0):
        super().__init__(n_atoms, learning_rate=learning_rate, batch_size=batch_size, decay=decay, seed=seed)
        check_positive(lam, "lam", allow_zero=True)
        check_positive(n_lca_steps, "n_lca_steps", integer=True)
        check_positive(lca_step, "lca_step")
        self.lam = float(lam)
        self.n_lca_steps = int(n_lca_steps)
        self.lca_step = float(lca_step)
        self.nonnegative = bool(nonnegative)

    def _divergence_hint(self):
        return f" (or a smaller lca_step than {self.lca_step:g})"

    @property
    def n_atoms(self):
        return self.n_components

    @property
    def dictionary(self):
        return self.weights.T

    def _initialize(self, n_features, rng):
        self._W = _unit_rows(rng.standard_normal((self.n_components, n_features)))

    def _update(self, Xb, lr):
        W = self._W
        # the bound changes with the dictionary (atoms that align raise lambda_max): check it at every step
        try:
            _check_lca_step(self.lca_step, W, "lca_step")
        except ValueError as err:
            raise ValueError(f"{type(self).__name__} at training step {self.n_steps_} (the dictionary is left as "
                             f"it was before this step): {err}") from None
        U, A = _lca(Xb @ W.T, W @ W.T - np.eye(len(W)), self.lam, self.n_lca_steps, self.lca_step,
                    self.nonnegative)
        _check_finite_codes(U, "lca_step", self.lca_step)
        R = Xb - A @ W
        self._W = W + (lr / len(Xb)) * (A.T @ R)
        norms = np.linalg.norm(self._W, axis=1, keepdims=True)
        self._W /= np.where(norms > 0, norms, 1.0)

    def transform(self, X, *, n_steps=None):
        """Sparse codes by :func:`lca`, shape (n_samples, n_atoms); ``n_steps`` default ``4 * n_lca_steps``."""
        self._check_fitted()
        n_steps = 4 * self.n_lca_steps if n_steps is None else n_steps
        _check_lca_step(self.lca_step, self._W, "lca_step")
        return lca(X, self._W, self.lam, n_steps=n_steps, step=self.lca_step, nonnegative=self.nonnegative)
