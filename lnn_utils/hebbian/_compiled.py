"""Compiled (numba) kernels for the online Hebbian networks: the same patch-by-patch rules, without the per-step
overhead of numpy calls.

The exact online rules of :mod:`lnn_utils.hebbian.online` need one step per patch. In numpy each step is a dozen
small array operations, and their call overhead (about 1 µs each) dominates the arithmetic (a few hundred
multiply-adds per neuron). These kernels run the same loop compiled. They also skip the update when ``f(u) = 0``,
which is exact: the rectified rules leave ``w`` unchanged for ``u <= 0``. They implement the rules as the
straightforward loops of the tests write them, and agree with those loops up to rounding.

The kernels are used for the named nonlinearities whenever numba can be imported; a user's callable ``f``, or a
machine without numba, takes the numpy engine. ``online._USE_COMPILED`` switches them off (the tests check both
engines against each other).
"""

from __future__ import annotations

import numpy as np

try:  # numba is a declared dependency; the numpy engine remains for platforms where it cannot be installed
    import numba
except ImportError:  # pragma: no cover - exercised only without numba
    numba = None

#: Codes of the named nonlinearities inside the kernels (the keys of ``online.NONLINEARITIES``).
NONLINEARITY_CODES = {"bcm": 0, "relu_threshold": 1, "linear": 2, "quadratic_rectifier": 3, "cubic": 4, "tanh": 5}


def available():
    """True when numba is installed, so that the compiled kernels can be used."""
    return numba is not None


def _f(code, u, theta):
    """The effective nonlinearity ``f(u; θ)`` for a code of :data:`NONLINEARITY_CODES` (scalar)."""
    if code == 0:  # bcm: y (y - θ), y = (u)_+
        y = u if u > 0.0 else 0.0
        return y * (y - theta)
    if code == 1:  # relu_threshold: (u - θ)_+
        r = u - theta
        return r if r > 0.0 else 0.0
    if code == 2:  # linear
        return u
    if code == 3:  # quadratic_rectifier: ((u - θ)_+)^2
        r = u - theta
        return r * r if r > 0.0 else 0.0
    if code == 4:  # cubic
        return u * u * u
    return -np.tanh(u)  # tanh: -tanh(u)


def _add_and_normalise(w, q, x):
    """``w ← (w + q x) / ||w + q x||`` in place: a Hebbian step followed by explicit normalisation."""
    for k in range(w.shape[0]):
        w[k] += q * x[k]
    inv = 1.0 / np.sqrt(np.dot(w, w))
    for k in range(w.shape[0]):
        w[k] *= inv


def _hebbian_block(X, idx, W, theta, gamma, tau, code, explicit):
    """Present the patches ``X[idx[s, t]]`` to run ``s`` in the order of ``t``, updating ``W`` and ``theta`` in place.

    For every neuron: ``u = w · x``, ``w ← w + γ f(u; θ) x`` then ``w ← w / ||w||`` (``explicit``) or
    ``w ← w + γ f(u; θ) (x − u w)`` (Oja decay); then, if ``tau > 0``, ``θ ← θ + ((u)_+^2 − θ) / τ``.

    X : (n_samples, N) float64, C-contiguous; idx : (S, T) int64; W : (S, n, N); theta : (S, n).

    Returns the number of patches after which some run's state was first found non-finite (the rule diverged), or
    -1. The arrays are then partly updated; ``online`` keeps a copy of the state from before the call and rolls
    back to the last finite patch.
    """
    S, n, N = W.shape
    T = idx.shape[1]
    first_bad = -1
    for s in range(S):
        stop = T if first_bad < 0 else first_bad  # an earlier run already diverged before this patch
        for t in range(stop):
            x = X[idx[s, t]]
            bad = False
            for i in range(n):
                w = W[s, i]
                u = np.dot(w, x)
                th = theta[s, i]
                if not (np.isfinite(u) and np.isfinite(th)):
                    bad = True
                    break
                q = gamma * _f(code, u, th)
                if q != 0.0:  # exact: f = 0 leaves w unchanged (a unit vector stays one)
                    if explicit:
                        _add_and_normalise(w, q, x)
                    else:
                        for k in range(N):
                            w[k] += q * (x[k] - u * w[k])
                if tau > 0.0:
                    y = u if u > 0.0 else 0.0
                    theta[s, i] = th + (y * y - th) / tau
            if bad:
                first_bad = t
                break
    return first_bad


def _competitive_block(X, idx, W, V, theta, phi, gamma, dt, n_steps, tau_theta, tau_phi):
    """The competitive network, patch by patch, updating ``W``, ``V``, ``theta`` and ``phi`` in place.

    For each patch: ``h = W x``; ``n_steps`` Euler steps ``u ← u + dt (−u + h − V (u)_+)`` from ``u = h``;
    ``y = (u)_+``; ``w_i ← (w_i + γ y_i (y_i − θ_i) x) / ||·||``; ``v_ij ← max(v_ij + γ (y_i − φ_i) y_j, 0)`` for
    ``j ≠ i``; then the sliding thresholds (``tau_* > 0``): ``θ_i ← θ_i + (y_i^2 − θ_i)/τ_θ``,
    ``φ_i ← φ_i + (y_i − φ_i)/τ_φ``.

    X : (n_samples, N); idx : (S, T) int64; W : (S, n, N); V : (S, n, n) with zero diagonal; theta, phi : (S, n).

    Returns the number of patches after which some run's state was first found non-finite, or -1.
    """
    S, n, _ = W.shape
    T = idx.shape[1]
    first_bad = -1
    h = np.empty(n)
    u = np.empty(n)
    du = np.empty(n)
    y = np.empty(n)
    active = np.empty(n, dtype=np.int64)
    for s in range(S):
        Ws = W[s]
        Vt = V[s].T.copy()  # Vt[j] = column j of V: the inhibition that neuron j sends, contiguous
        stop = T if first_bad < 0 else first_bad
        for t in range(stop):
            x = X[idx[s, t]]
            h[:] = np.dot(Ws, x)
            u[:] = h
            for _ in range(n_steps):
                for i in range(n):
                    du[i] = h[i] - u[i]
                for j in range(n):
                    if u[j] > 0.0:  # only active neurons inhibit
                        a = u[j]
                        for i in range(n):
                            du[i] -= Vt[j, i] * a
                for i in range(n):
                    u[i] += dt * du[i]
            finite = True
            for i in range(n):  # W, V or the thresholds became non-finite: so did u, or θ / φ below
                if not (np.isfinite(u[i]) and np.isfinite(theta[s, i]) and np.isfinite(phi[s, i])):
                    finite = False
            if not finite:
                first_bad = t
                break
            n_active = 0
            for i in range(n):
                if u[i] > 0.0:
                    y[i] = u[i]
                    active[n_active] = i
                    n_active += 1
                else:
                    y[i] = 0.0
            for m in range(n_active):  # BCM: f_W = y (y - θ) is zero for silent neurons
                i = active[m]
                q = gamma * y[i] * (y[i] - theta[s, i])
                if q != 0.0:
                    _add_and_normalise(Ws[i], q, x)
            for m in range(n_active):  # Δv_ij = γ (y_i − φ_i) y_j is zero for silent j
                j = active[m]
                for i in range(n):
                    if i != j:
                        v = Vt[j, i] + gamma * (y[i] - phi[s, i]) * y[j]
                        Vt[j, i] = v if v > 0.0 else 0.0
            if tau_theta > 0.0:
                for i in range(n):
                    theta[s, i] += (y[i] * y[i] - theta[s, i]) / tau_theta
            if tau_phi > 0.0:
                for i in range(n):
                    phi[s, i] += (y[i] - phi[s, i]) / tau_phi
        V[s] = Vt.T
    return first_bad


if numba is not None:
    _f = numba.njit(cache=True, inline="always")(_f)
    _add_and_normalise = numba.njit(cache=True, inline="always")(_add_and_normalise)
    hebbian_block = numba.njit(cache=True)(_hebbian_block)
    competitive_block = numba.njit(cache=True)(_competitive_block)
else:  # pragma: no cover
    hebbian_block = competitive_block = None
