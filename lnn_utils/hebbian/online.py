"""Hebbian networks that develop visual receptive fields from natural-image patches.

The model of the CS-479 mini project "Visual receptive field development" after Brito & Gerstner (2016). Inputs
``x`` are flattened patches (for 16 x 16 patches ``n_inputs = 256``); ``W`` has shape (n_neurons, n_inputs) and its
row ``w_i`` is the receptive field (RF) of neuron ``i``.

- Activity: ``y = (W x)_+`` (linear rectifier), potential ``u = W x``.
- Online Hebbian rule, one patch per iteration, the patch drawn uniformly at random:
  ``Δw_i = γ f(u_i; θ_i) x``, followed by ``w_i ← w_i / ||w_i||`` (explicit normalisation), or
  ``Δw_i = γ f(u_i; θ_i) (x − u_i w_i)`` (implicit, Oja-type normalisation; no division).
- Effective nonlinearities ``f`` (:data:`NONLINEARITIES`): ``bcm`` ``y (y − θ)`` with ``y = (u)_+``;
  ``relu_threshold`` ``(u − θ)_+``; ``linear`` ``u``; ``quadratic_rectifier`` ``((u − θ)_+)^2``;
  ``cubic`` ``u^3``; ``tanh`` ``−tanh(u)`` (ICA-like, for super-Gaussian sources); or a callable ``f(u, theta)``
  of exactly two required positional parameters (see :func:`get_nonlinearity`).
- Threshold ``θ`` fixed, or sliding per neuron ``Δθ_i = (y_i^2 − θ_i) / τ`` after each patch, with ``τ >= 1``
  patches (for ``τ < 1`` one step moves θ past its target ``y^2``: it overshoots and can turn negative).
- :class:`CompetitiveNetwork`: lateral inhibition ``y = (W x − V y)_+`` with Hebbian inhibitory weights ``V``.
- :class:`SangerNetwork` and ``HebbianNetwork(nonlinearity="linear", normalization="oja")`` (Oja's rule): the PCA
  rules used for comparison and tests.

Randomness. For each seed ``s`` one generator ``np.random.default_rng(s)`` draws first the initial ``W`` (then
``V`` for the competitive network) when the network is built, then, at each call of ``fit``, all ``n_iter`` patch
indices at once with ``rng.integers(0, n_samples, size=n_iter)``. The generator is kept, so a second ``fit``
continues the sequence. Seeds are ints >= 0 (or a ``Generator``). A sequence of seeds trains that many independent
networks at once, each identical (to float tolerance) to the network built with that single seed.

Divergence. If the weights or thresholds become non-finite (a learning rate too large for the data), ``fit`` raises
``FloatingPointError`` naming the learning rate and the iteration, after rolling the network back to its last
finite state (``n_iter_`` tells how many patches it has seen); a user's nonlinearity that returns NaN or inf for
finite input is reported as such (``ValueError`` naming ``nonlinearity``), not as a learning-rate problem.

Speed. The rules are simulated exactly online (one patch per step, no mini-batches; the results equal a
patch-by-patch loop up to rounding). Two engines do it:

- for the named nonlinearities, compiled kernels (numba, :mod:`._compiled`) run the patch-by-patch loop itself and
  skip the updates where ``f(u) = 0``; they also report the exact patch at which a rule diverged;
- for a user's callable ``f`` (or without numba) the numpy engine below, vectorised over runs.

The numpy engine works in blocks of ``B`` patches. Every update is rank one
along the patch ``x_s`` and the explicit re-normalisation is a scalar, so within a block
``w_t = c_t (w_0 + Σ_{s<t} a_s x_s)`` and ``u_t = c_t (w_0·x_t + Σ_{s<t} a_s x_s·x_t)``: one matrix product gives
all ``w_0·x_t`` of the block, one more its Gram matrix ``x_s·x_t``, the recursion then involves only scalars per
neuron, and ``W`` is formed once per block. With ``||w_t|| = 1``, ``||w_t + q x||^2 = 1 + 2 q u_t + q^2 ||x||^2``
gives the normalisation without touching ``W``; Oja's decay is the scalar ``c_{t+1} = c_t (1 − q u_t)``.

- :class:`HebbianNetwork` with several neurons solves the recursion of a block by Picard iteration: all ``u_t``
  from the previous guess in one vectorised sweep. ``u_t`` depends only on earlier patches, so sweep ``k`` makes
  ``u_0..u_k`` exact (at most ``B`` sweeps); the coupling between patches is of order ``γ``, so a handful suffice.
- A single neuron per run is simulated patch by patch (the Gram matrix would cost more than it saves), with the
  scalar normalisation.
- :class:`CompetitiveNetwork` walks the block recursion patch by patch (its Euler relaxation sits between the
  drive ``W x`` and the update); each Euler step of all runs is one batched matrix product.

The products involved are small, so ``fit`` runs them on one BLAS thread (restored afterwards).

References
----------
Brito, C. S. N. & Gerstner, W. (2016). Nonlinear Hebbian learning as a unifying principle in receptive field
formation. *PLoS Comput Biol* 12(9):e1005070.
Bienenstock, E. L., Cooper, L. N. & Munro, P. W. (1982). Theory for the development of neuron selectivity.
*J Neurosci* 2:32-48.
Intrator, N. & Cooper, L. N. (1992). Objective function formulation of the BCM theory of visual cortical
plasticity. *Neural Networks* 5:3-17.
Oja, E. (1982). A simplified neuron model as a principal component analyzer. *J Math Biol* 15:267-273.
Sanger, T. D. (1989). Optimal unsupervised learning in a single-layer linear feedforward neural network.
*Neural Networks* 2:459-473.
Földiák, P. (1990). Forming sparse representations by local anti-Hebbian learning. *Biol Cybern* 64:165-170.
Hyvärinen, A. & Oja, E. (1998). Independent component analysis by general nonlinear Hebbian-like learning rules.
*Signal Processing* 64:301-313.
"""

from __future__ import annotations

import inspect
import numbers
import types

import numpy as np

from ..blas import one_blas_thread
from .._validation import as_generator, check_matrix, check_positive
from ..progress import progress_bar
from . import _compiled

__all__ = [
    "NONLINEARITIES",
    "CompetitiveNetwork",
    "HebbianNetwork",
    "SangerNetwork",
    "get_nonlinearity",
]

#: Patches per block of the exact block recursion (see the module docstring); a speed knob only.
BLOCK_SIZE = 32

#: Networks with at most this many neurons are simulated patch by patch (vectorised over runs): with few neurons
#: the Gram matrix of a block costs more than it saves.
_SEQUENTIAL_MAX_NEURONS = 1

#: Use the compiled kernels of :mod:`._compiled` (numba) for the named nonlinearities when numba is installed;
#: False forces the numpy engine (the tests compare the two).
_USE_COMPILED = True

#: Patches per call of a compiled kernel: the divergence check and the progress bar run between calls.
COMPILED_BLOCK_SIZE = 2048


def _compiled_engine(nonlinearity):
    """True when the compiled kernels apply: numba is available and ``f`` is one of the named nonlinearities."""
    return _USE_COMPILED and _compiled.available() and isinstance(nonlinearity, str)


# --------------------------------------------------------------------------------------------------------------
# Nonlinearities
# --------------------------------------------------------------------------------------------------------------


def _bcm(u, theta):
    y = np.maximum(u, 0.0)
    return y * (y - theta)


def _relu_threshold(u, theta):
    return np.maximum(u - theta, 0.0)


def _linear(u, theta):
    return np.array(u, dtype=float, copy=True)


def _quadratic_rectifier(u, theta):
    r = np.maximum(u - theta, 0.0)
    return r * r


def _cubic(u, theta):
    return u * u * u


def _neg_tanh(u, theta):
    return -np.tanh(u)


#: The effective nonlinearities ``f(u; θ)`` of the Hebbian rule ``Δw = γ f(u; θ) x``, by name.
NONLINEARITIES = {
    "bcm": _bcm,
    "relu_threshold": _relu_threshold,
    "linear": _linear,
    "quadratic_rectifier": _quadratic_rectifier,
    "cubic": _cubic,
    "tanh": _neg_tanh,
}


def get_nonlinearity(nonlinearity):
    """Return the function ``f(u, theta) -> array`` for a name of :data:`NONLINEARITIES` or a callable.

    Parameters
    ----------
    nonlinearity : str or callable
        A name (``"bcm"``, ``"relu_threshold"``, ``"linear"``, ``"quadratic_rectifier"``, ``"cubic"``,
        ``"tanh"``), or a callable ``f(u, theta)`` acting elementwise on arrays. The rule always calls it with two
        positional arguments: ``u``, the potentials, an array of shape (n_seeds, n_neurons) or
        (n_seeds, n_neurons, n_patches), and ``theta``, the thresholds, which broadcast against ``u``; it must
        return an array of the shape of ``u`` (``f`` may ignore ``theta``). So the callable must have exactly two
        positional parameters, both without a default; extra keyword-only parameters with defaults are allowed.
        Refused, because what θ would do there is ambiguous:

        - a one-parameter ``f(u)``: wrap it, ``lambda u, theta: f(u)``;
        - a second parameter with a default, ``def f(u, p=3)``: θ would silently replace ``p``; wrap it with the
          value you mean, ``lambda u, theta: f(u, 3)``;
        - ``*args``, more than two required parameters, required keyword-only parameters;
        - builtins without an inspectable signature (``math.tanh``, numpy ufuncs such as ``np.tanh``): wrap them,
          ``lambda u, theta: np.tanh(u)``.

    Returns
    -------
    callable
        ``f(u, theta)``, elementwise; ``theta`` broadcasts against ``u``.

    Raises
    ------
    ValueError
        Unknown name (the message lists the valid ones).
    TypeError
        Neither a string nor a callable, or a callable with another signature than ``f(u, theta)`` (the message
        says how to wrap it).
    """
    if isinstance(nonlinearity, str):
        try:
            return NONLINEARITIES[nonlinearity]
        except KeyError:
            valid = ", ".join(repr(k) for k in NONLINEARITIES)
            raise ValueError(f"unknown nonlinearity {nonlinearity!r}; valid names are {valid}, "
                             f"or pass a callable f(u, theta)") from None
    if not callable(nonlinearity):
        raise TypeError(f"nonlinearity must be a name or a callable f(u, theta), got {nonlinearity!r} of type "
                        f"{type(nonlinearity).__name__}")
    _check_signature(nonlinearity)
    return nonlinearity


def _check_signature(func):
    """Refuse a callable nonlinearity unless it has exactly two required positional parameters ``(u, theta)``."""
    name = getattr(func, "__name__", type(func).__name__)
    if isinstance(func, (types.BuiltinFunctionType, np.ufunc)):  # math.tanh, np.tanh, ...: no θ, maybe no arrays
        fix = f"np.{name}(u)" if isinstance(getattr(np, name, None), np.ufunc) else f"{name}(u)"
        kind = "a numpy ufunc" if isinstance(func, np.ufunc) else "a builtin function"
        raise TypeError(f"nonlinearity {name} is {kind}, not a function of (u, theta): the rule calls "
                        f"nonlinearity(u, theta) on arrays and would pass theta as its second argument; wrap it in a "
                        f"function of (u, theta) that acts on arrays, e.g. nonlinearity=lambda u, theta: {fix}")
    try:
        params = list(inspect.signature(func).parameters.values())
    except (TypeError, ValueError):
        raise TypeError(f"nonlinearity {name!r} has no inspectable signature (a builtin such as math.tanh or a numpy "
                        f"ufunc such as np.tanh), so it is not clear how it would receive theta; wrap it in a function "
                        f"of (u, theta) that acts on arrays, e.g. nonlinearity=lambda u, theta: np.tanh(u)") from None
    P = inspect.Parameter
    positional = [p for p in params if p.kind in (P.POSITIONAL_ONLY, P.POSITIONAL_OR_KEYWORD)]
    shown = f"{name}{inspect.signature(func)}"
    rule = "the rule calls nonlinearity(u, theta) with exactly two positional arguments"
    if any(p.kind == P.VAR_POSITIONAL for p in params):
        problem, fix = "takes *args", "lambda u, theta: f(u, theta)"
    elif len(positional) < 2:
        problem, fix = f"takes {len(positional)} positional parameter(s)", "lambda u, theta: f(u)"
    elif any(p.default is not P.empty for p in positional[:2]):
        defaulted = next(p for p in positional[:2] if p.default is not P.empty)
        problem = (f"has a default for its parameter {defaulted.name}={defaulted.default!r}, which theta would "
                   f"silently replace")
        fix = (f"lambda u, theta: f(u, {defaulted.default!r})" if defaulted is positional[1] and len(positional) == 2
               else "lambda u, theta: f(u, <the values you mean>)")
    elif len(positional) > 2:
        extra = ", ".join(p.name for p in positional[2:])
        problem = f"has more positional parameters than (u, theta): {extra}"
        fix = f"lambda u, theta: f(u, theta, <{extra}>) with the values you mean"
    elif any(p.kind == P.KEYWORD_ONLY and p.default is P.empty for p in params):
        required = ", ".join(p.name for p in params if p.kind == P.KEYWORD_ONLY and p.default is P.empty)
        problem, fix = f"requires keyword-only parameter(s) {required}", f"lambda u, theta: f(u, theta, {required}=...)"
    else:
        return
    raise TypeError(f"nonlinearity {shown} {problem}; {rule} (theta may be ignored); wrap it, e.g. "
                    f"nonlinearity={fix}")


def _check_nonlinearity_output(f, u, theta, name, n_iter):
    """Call a user's ``f`` once on real potentials: it must return finite values of the shape of ``u``."""
    out = np.asarray(f(u, theta))
    if out.shape != u.shape:
        raise ValueError(f"nonlinearity {name} must act elementwise and return an array of the shape of u; for u of "
                         f"shape {u.shape} it returned shape {out.shape}")
    if not (np.issubdtype(out.dtype, np.floating) or np.issubdtype(out.dtype, np.integer)):
        raise ValueError(f"nonlinearity {name} must return real numbers, got dtype {out.dtype}")
    if not np.isfinite(out).all():
        raise _nonlinearity_not_finite(name, u, theta, out, n_iter)


def _nonlinearity_not_finite(name, u, theta, out, iteration, rolled_back=""):
    """The error for a user's ``f`` that returned NaN or inf for finite ``u`` and ``θ``."""
    theta = np.broadcast_to(theta, u.shape)
    k = np.flatnonzero(~np.isfinite(out))[0]
    return ValueError(f"nonlinearity {name} returned NaN or inf for finite input (e.g. f(u={u.flat[k]:.6g}, "
                      f"theta={theta.flat[k]:.6g}) = {out.flat[k]}) at iteration {iteration + 1}: the nonlinearity, "
                      f"not the learning rate, is the cause; make f finite for every finite u (e.g. clip u)"
                      f"{rolled_back}")


# --------------------------------------------------------------------------------------------------------------
# Shared helpers: seeds, validation, progress, history
# --------------------------------------------------------------------------------------------------------------


def _generators(seed):
    """``(list of Generators, multi)`` from an int / Generator (one run) or a sequence of ints (several runs)."""
    if seed is None or isinstance(seed, (numbers.Integral, np.random.Generator, np.random.SeedSequence)):
        return [as_generator(seed)], False
    if isinstance(seed, (str, bytes)) or not hasattr(seed, "__iter__"):
        raise TypeError(f"seed must be an int >= 0, a numpy Generator or a sequence of ints >= 0 (one independent "
                        f"run each), got {seed!r} of type {type(seed).__name__}")
    seeds = list(seed)
    if not seeds:
        raise ValueError("seed must be an int >= 0 or a non-empty sequence of ints >= 0 (one run each), got an empty "
                         "sequence")
    for s in seeds:
        if isinstance(s, (bool, np.bool_)) or not isinstance(s, numbers.Integral) or s < 0:
            raise ValueError(f"seed: every entry of a sequence of seeds must be an int >= 0 (one run each), got "
                             f"{s!r} in {seed!r}")
    repeated = sorted({int(s) for s in seeds if seeds.count(s) > 1})
    if repeated:
        raise ValueError(f"seed repeats {repeated}: runs with the same seed are identical copies, which would "
                         f"inflate any statistic over runs; pass distinct seeds, e.g. list(range({len(seeds)}))")
    return [np.random.default_rng(int(s)) for s in seeds], True


def _unit_rows(W):
    W /= np.sqrt(np.einsum("...k,...k->...", W, W))[..., None]
    return W


def _check_rate(value, name):
    check_positive(value, name)
    return float(value)


def _check_tau(value, name):
    """A time constant of a sliding threshold, in patches: None (fixed threshold) or a finite number >= 1."""
    if value is None:
        return None
    check_positive(value, name)
    if value < 1:
        raise ValueError(f"{name} must be >= 1 (in patches) or None, got {value!r}: the update "
                         f"Δθ = (target − θ) / {name} moves θ past its target when {name} < 1 (it overshoots and can "
                         f"turn negative); use {name} >= 1 ({name}=1 sets θ to the last patch's target)")
    return float(value)


def _check_fit_args(X, n_iter, n_inputs, record_every):
    X = check_matrix(X, "X", n_features=n_inputs)
    check_positive(n_iter, "n_iter", integer=True)
    if record_every is not None:
        check_positive(record_every, "record_every", integer=True)
    return np.ascontiguousarray(X)


def _draw_indices(rngs, n_samples, n_iter):
    return np.stack([rng.integers(0, n_samples, size=n_iter) for rng in rngs])


def _diverged(learning_rate, iteration, what, hint="", rolled_back=""):
    return FloatingPointError(
        f"{what} became non-finite after {iteration} iterations with learning_rate={learning_rate:g}; "
        f"the rule diverged: use a smaller learning_rate, e.g. {learning_rate / 10:g}{hint}{rolled_back}")


def _rolled_back(n_iter, then="fit it again with a smaller learning rate, or build a new one"):
    return (f". The network was rolled back to its last finite state, after {n_iter} iterations in all "
            f"(n_iter_={n_iter}); {then}")


def _state_finite(*arrays):
    return all(np.isfinite(a).all() for a in arrays)


#: ``fit`` calls with at least this many iterations show a progress bar by default (when interactive).
PROGRESS_MIN_ITER = 50_000


def _progress_enabled(progress, n_iter):
    """The ``enabled`` argument of :func:`lnn_utils.progress.progress_bar` for ``fit(..., progress=progress)``:
    forced on or off, or for long runs only "when interactive" (None)."""
    if progress is not None:
        return bool(progress)
    return None if n_iter >= PROGRESS_MIN_ITER else False


def _block_bounds(n_iter, block, record_every):
    """Block boundaries: at most ``block`` patches each, and a boundary at every multiple of ``record_every``."""
    stops = set(range(block, n_iter, block))
    if record_every:
        stops |= set(range(record_every, n_iter, record_every))
    stops.add(n_iter)
    bounds = sorted(stops)
    return list(zip([0] + bounds[:-1], bounds))


class _History:
    """Snapshots of named arrays at given iterations, stacked into ``history_`` at the end of ``fit``."""

    def __init__(self, every, offset):
        self.every, self.offset = every, offset
        self.rows = {}
        self.iterations = []

    def record(self, iteration, **arrays):
        self.iterations.append(self.offset + iteration)
        for name, value in arrays.items():
            self.rows.setdefault(name, []).append(np.array(value, copy=True))

    def result(self):
        out = {"iteration": np.array(self.iterations)}
        out.update({k: np.stack(v) for k, v in self.rows.items()})
        return out


# --------------------------------------------------------------------------------------------------------------
# HebbianNetwork
# --------------------------------------------------------------------------------------------------------------


class HebbianNetwork:
    """Rectified neurons trained online by a nonlinear Hebbian rule (BCM by default), one patch at a time.

    For each patch ``x`` (one row of ``X``, drawn uniformly at random), every neuron ``i`` computes
    ``u_i = w_i · x`` and ``y_i = (u_i)_+`` and updates, in this order:

    1. ``w_i ← w_i + γ f(u_i; θ_i) x`` then ``w_i ← w_i / ||w_i||`` (``normalization="explicit"``), or
       ``w_i ← w_i + γ f(u_i; θ_i) (x − u_i w_i)`` (``normalization="oja"``: implicit normalisation, Oja-type
       decay; handout question 1.11), both with the current ``θ_i``;
    2. if ``tau`` is given, ``θ_i ← θ_i + (y_i^2 − θ_i) / τ`` (sliding threshold, BCM).

    Neurons do not interact: ``n_neurons`` neurons are ``n_neurons`` independent RFs trained on the same patches.
    Oja's rule ``Δw = γ y (x − y w)`` with linear ``y`` is ``nonlinearity="linear", normalization="oja"``.

    Parameters
    ----------
    n_inputs : int
        Input dimension ``N`` (256 for 16 x 16 patches).
    n_neurons : int, default=1
        Number of (independent) neurons.
    nonlinearity : str or callable, default="bcm"
        ``f`` by name (see :data:`NONLINEARITIES`: ``"bcm"`` ``y (y − θ)`` with ``y = (u)_+``;
        ``"relu_threshold"`` ``(u − θ)_+``; ``"linear"`` ``u``; ``"quadratic_rectifier"`` ``((u − θ)_+)^2``;
        ``"cubic"`` ``u^3``; ``"tanh"`` ``−tanh(u)``) or a callable ``f(u, theta)`` acting elementwise on arrays,
        with exactly two positional parameters and no defaults for them (``f(u)`` or ``f(u, p=3)`` are refused as
        ambiguous; wrap them, e.g. ``lambda u, theta: f(u, 3)``; see :func:`get_nonlinearity`). A callable is
        simulated by the numpy engine.
    theta : float, default=1.0
        The fixed threshold θ when ``tau is None``; the initial value θ_0 of the sliding threshold otherwise (the
        handout's sliding BCM uses ``theta=0.0, tau=100``).
    tau : float >= 1, optional
        Time constant τ (in patches) of the sliding threshold; None keeps θ fixed. ``τ < 1`` is refused: the step
        ``(y^2 − θ) / τ`` would move θ past its target ``y^2``.
    learning_rate : float, default=1e-4
        γ.
    normalization : {"explicit", "oja"}, default="explicit"
        ``"explicit"``: divide each ``w_i`` by its norm after every update; ``"oja"`` (alias ``"implicit"``): the
        Oja-type decay term ``− γ f(u_i) u_i w_i`` instead, which keeps ``||w_i||`` near 1 without dividing.
    seed : int >= 0, numpy.random.Generator or sequence of int >= 0, default=0
        Randomness of the initial weights and of the patch order. A sequence of distinct seeds trains that many
        independent runs at once (vectorised), run ``k`` identical to the network built with ``seed=seeds[k]``;
        arrays then gain a leading axis of length ``n_seeds``.

    Attributes
    ----------
    weights : ndarray of shape (n_neurons, n_inputs), or (n_seeds, n_neurons, n_inputs)
        ``W``; row ``w_i`` is the RF of neuron ``i``. Initialised i.i.d. N(0, 1) from the seed, rows normalised.
    theta : ndarray of shape (n_neurons,), or (n_seeds, n_neurons)
        Current thresholds θ_i.
    n_iter_ : int
        Patches presented so far (over all calls of ``fit``).
    picard_sweeps_ : int
        Diagnostics: sweeps of the block iteration so far (several neurons only; see the module docstring).
    history_ : dict
        Set by ``fit(..., record_every=k)``: ``"iteration"`` (n_records,), ``"weights"`` and ``"theta"`` stacked
        along a first axis of length n_records (the state before the first patch of that call included).

    Notes
    -----
    Brito & Gerstner (2016) show that similar, localised and oriented RFs develop for many effective
    nonlinearities ``f``: what matters is that ``f`` is nonlinear, which makes the rule sensitive to higher-order
    statistics of the inputs (a linear ``f`` only sees their covariance: Oja's PCA). BCM with sliding threshold is
    Bienenstock, Cooper & Munro (1982) in the form of Intrator & Cooper (1992); the implicit normalisation is
    Oja's (1982); ``"tanh"`` is the ICA rule of Hyvärinen & Oja (1998). The simulation is exact, not a mini-batch
    approximation: compiled kernels (numba) for the named nonlinearities, otherwise the numpy block recursion
    (see the module docstring).

    Examples
    --------
    >>> import numpy as np
    >>> X = np.random.default_rng(1).standard_normal((500, 16))
    >>> net = HebbianNetwork(16, theta=0.0, tau=100, learning_rate=1e-3, seed=[0, 1]).fit(X, 2000)
    >>> net.weights.shape
    (2, 1, 16)
    """

    def __init__(self, n_inputs, n_neurons=1, *, nonlinearity="bcm", theta=1.0, tau=None, learning_rate=1e-4,
                 normalization="explicit", seed=0):
        check_positive(n_inputs, "n_inputs", integer=True)
        check_positive(n_neurons, "n_neurons", integer=True)
        if isinstance(theta, bool) or not isinstance(theta, numbers.Real) or not np.isfinite(theta):
            raise ValueError(f"theta must be a finite number, got {theta!r}")
        if normalization == "implicit":
            normalization = "oja"
        if normalization not in ("explicit", "oja"):
            raise ValueError(f"normalization must be 'explicit' or 'oja' (alias 'implicit'), got {normalization!r}")
        self.n_inputs, self.n_neurons = int(n_inputs), int(n_neurons)
        self.nonlinearity = nonlinearity
        self._f = get_nonlinearity(nonlinearity)
        self.tau = _check_tau(tau, "tau")
        self.learning_rate = _check_rate(learning_rate, "learning_rate")
        self.normalization = normalization
        self.seed = seed
        self._rngs, self._multi = _generators(seed)
        W = np.stack([rng.standard_normal((self.n_neurons, self.n_inputs)) for rng in self._rngs])
        self._W = _unit_rows(W)  # (S, n, N) always; the public views drop the seed axis for one seed
        self._theta = np.full((len(self._rngs), self.n_neurons), float(theta))
        self.n_iter_ = 0
        self.picard_sweeps_ = 0
        self.history_ = None

    # public views -------------------------------------------------------------------------------------------
    @property
    def weights(self):
        return self._W if self._multi else self._W[0]

    @property
    def theta(self):
        return self._theta if self._multi else self._theta[0]

    @property
    def n_seeds(self):
        return len(self._rngs)

    # ------------------------------------------------------------------------------------------------------
    def forward(self, X):
        """Rectified responses ``y = (W x)_+`` to each row of ``X`` (for Oja's linear neuron use ``X @ W.T``).

        Parameters
        ----------
        X : array_like of shape (n_samples, n_inputs)

        Returns
        -------
        y : ndarray of shape (n_samples, n_neurons), or (n_seeds, n_samples, n_neurons)
        """
        X = check_matrix(X, "X", n_features=self.n_inputs)
        y = np.maximum(np.matmul(X, self._W.transpose(0, 2, 1)), 0.0)
        return y if self._multi else y[0]

    def fit(self, X, n_iter, *, record_every=None, progress=None):
        """Present ``n_iter`` patches drawn uniformly at random from ``X``, updating after each one.

        Parameters
        ----------
        X : array_like of shape (n_samples, n_inputs)
            The patches, one per row (finite values).
        n_iter : int
            Number of patches (iterations).
        record_every : int, optional
            Store ``weights`` and ``theta`` every ``record_every`` iterations in ``history_``.
        progress : bool, optional
            Show a progress bar (tqdm); default: only for long runs in a notebook or a terminal, never when the
            environment variable ``LNN_PROGRESS`` is ``0`` (see :mod:`lnn_utils.progress`).

        Returns
        -------
        self : HebbianNetwork

        Raises
        ------
        ValueError
            ``X`` of the wrong shape or with NaN, non-positive ``n_iter``; a callable ``nonlinearity`` that does
            not return finite values of the shape of ``u`` for finite input.
        FloatingPointError
            Weights or thresholds became non-finite: the rule diverged (the message names the learning rate and
            the iteration). In both cases the network is first rolled back to its last finite state: ``weights``,
            ``theta`` and ``n_iter_`` are those after the last patch that left them finite, and ``history_`` holds
            the records up to there.
        """
        X = _check_fit_args(X, n_iter, self.n_inputs, record_every)
        if not isinstance(self.nonlinearity, str):  # a user's f: check it once on real potentials
            with np.errstate(all="ignore"):
                _check_nonlinearity_output(self._f, np.matmul(self._W, X[0]), self._theta, self._nonlinearity_name(),
                                           self.n_iter_)
        idx = _draw_indices(self._rngs, len(X), n_iter)
        history = _History(record_every, self.n_iter_) if record_every else None
        if history:
            history.record(0, weights=self.weights, theta=self.theta)
        compiled = _compiled_engine(self.nonlinearity)
        # With one run the Gram matrix of a block is cheap, so longer blocks (fewer sweeps per patch) pay off.
        picard = self.n_neurons > _SEQUENTIAL_MAX_NEURONS
        block = COMPILED_BLOCK_SIZE if compiled else 2 * BLOCK_SIZE if picard and self.n_seeds == 1 else BLOCK_SIZE
        run = self._run_block_compiled if compiled else self._run_block
        with (np.errstate(over="ignore", invalid="ignore", divide="ignore"), one_blas_thread(),
              progress_bar(n_iter, desc="HebbianNetwork.fit", unit="patch",
                           enabled=_progress_enabled(progress, n_iter)) as bar):
            for t0, t1 in _block_bounds(n_iter, block, record_every):
                saved = (self._W.copy(), self._theta.copy())
                bad = run(X, idx[:, t0:t1])
                if bad is not None or not _state_finite(self._W, self._theta):
                    self._W, self._theta = saved
                    self._recover(X, idx[:, t0:t1], run, t0, history)
                if history and t1 % record_every == 0:
                    history.record(t1, weights=self.weights, theta=self.theta)
                bar.update(t1 - t0)
        self.n_iter_ += n_iter
        if history:
            self.history_ = history.result()
        return self

    def _nonlinearity_name(self):
        f = self.nonlinearity
        return repr(f) if isinstance(f, str) else getattr(f, "__name__", type(f).__name__)

    def _recover(self, X, idx, run, t0, history):
        """A block that left the state non-finite, redone from its start one patch at a time: the network stops at
        its last finite state and the error names the cause (a user's nonlinearity returning NaN / inf for finite
        input, or the learning rate). Returns normally only if every patch stays finite this time."""
        user_f = not isinstance(self.nonlinearity, str)
        for t in range(idx.shape[1]):
            if user_f:
                u = np.matmul(self._W, X[idx[:, t]][:, :, None])[..., 0]
                out = np.asarray(self._f(u, self._theta))
                if not np.isfinite(out).all():
                    self._stop(t0 + t, history)
                    raise _nonlinearity_not_finite(self._nonlinearity_name(), u, self._theta, out, self.n_iter_,
                                                   _rolled_back(self.n_iter_, "build a new network with a "
                                                                              "nonlinearity that stays finite"))
            saved = (self._W.copy(), self._theta.copy())
            run(X, idx[:, t:t + 1])
            if not _state_finite(self._W, self._theta):
                self._W, self._theta = saved
                self._stop(t0 + t, history)
                raise _diverged(self.learning_rate, self.n_iter_ + 1, "the weights or thresholds",
                                rolled_back=_rolled_back(self.n_iter_))

    def _stop(self, done, history):
        """Account for the ``done`` patches of this call that were applied before a divergence error."""
        self.n_iter_ += done
        if history:
            self.history_ = history.result()

    def _run_block_compiled(self, X, idx):
        """The block by the compiled kernel (numba), which updates ``W`` and ``θ`` in place; returns the number of
        patches of the block after which the state became non-finite, or None."""
        self._W = np.ascontiguousarray(self._W)
        self._theta = np.ascontiguousarray(self._theta)
        bad = _compiled.hebbian_block(X, np.ascontiguousarray(idx), self._W, self._theta, float(self.learning_rate),
                                -1.0 if self.tau is None else float(self.tau),
                                _compiled.NONLINEARITY_CODES[self.nonlinearity], self.normalization == "explicit")
        return None if bad < 0 else int(bad)

    def _run_block(self, X, idx):
        if self.n_neurons <= _SEQUENTIAL_MAX_NEURONS:
            self._run_block_sequential(X, idx)
            return
        try:
            with np.errstate(over="raise", invalid="raise", divide="raise"):
                self._run_block_picard(X, idx)
        except FloatingPointError:
            # Early sweeps guess the late patches of the block; with a very strong coupling (large learning rate)
            # a guess can overflow, and inf * 0 in the triangular products would spoil the exact early patches.
            # Such a block is redone patch by patch (which also lets a genuine divergence surface).
            self._run_block_sequential(X, idx)

    def _run_block_sequential(self, X, idx):
        """Patch by patch, vectorised over runs and neurons, ``W`` kept as ``c (W_raw)`` with a scalar ``c``."""
        gamma, tau, f = self.learning_rate, self.tau, self._f
        explicit = self.normalization == "explicit"
        Xb = X[idx]  # (S, b, N)
        xx = np.einsum("sbn,sbn->bs", Xb, Xb)[..., None]  # (b, S, 1)
        W = self._W.copy()  # raw weights; the true ones are c[..., None] * W
        theta = self._theta
        c = np.ones_like(theta)
        for t in range(idx.shape[1]):
            x = Xb[:, t, :]
            u = np.matmul(W, x[:, :, None])[..., 0]
            u *= c
            q = f(u, theta) * gamma  # not in place: a user's f may return u itself
            if tau is not None:
                y = np.maximum(u, 0.0)
                theta = theta + (y * y - theta) / tau
            if explicit:
                a = q / c
                W += a[:, :, None] * x[:, None, :]
                # ||w + q x||^2 = 1 + 2 q u + q^2 ||x||^2 for a unit vector w
                step = q * xx[t]
                step += u
                step += u
                step *= q
                step += 1.0
                c /= np.sqrt(step)
            else:
                c *= 1.0 - q * u
                W += (q / c)[:, :, None] * x[:, None, :]
        self._W = _unit_rows(W) if explicit else W * c[..., None]
        self._theta = theta

    def _run_block_picard(self, X, idx):
        """The block recursion solved by Picard iteration (see the module docstring)."""
        gamma, tau, f = self.learning_rate, self.tau, self._f
        explicit = self.normalization == "explicit"
        b = idx.shape[1]
        Xb = X[idx]  # (S, b, N)
        u0 = np.matmul(self._W, Xb.transpose(0, 2, 1))  # (S, n, b): w_0 · x_t
        gram = np.matmul(Xb, Xb.transpose(0, 2, 1))  # (S, b, b)
        xx = np.diagonal(gram, axis1=1, axis2=2)[:, None, :]  # (S, 1, b): ||x_t||^2
        upper = np.triu(gram, 1)  # x_s · x_t for s < t
        theta0 = self._theta[..., None]  # (S, n, 1)
        if tau is not None:
            decay, drive = _sliding_kernel(b, tau)
            theta_free = theta0 * decay  # θ_t without input
        before = np.ones_like(u0)  # 1 / c_t (explicit) or c_t (oja); before[..., 0] = 1 always

        def sweep(u):
            """Everything a block of potentials ``u`` (S, n, b) implies, in one vectorised pass."""
            if tau is None:
                theta = theta0
            else:
                y = np.maximum(u, 0.0)
                theta = theta_free + np.matmul(y * y, drive)
            q = f(u, theta) * gamma
            if explicit:
                # 1/c_{t+1} = prod_{s<=t} ||w_s + q_s x_s||, with ||w + q x||^2 = 1 + 2 q u + q^2 ||x||^2 (||w|| = 1)
                step = q * xx
                step += u
                step += u
                step *= q
                step += 1.0
                np.sqrt(step, out=step)
                np.cumprod(step[..., :-1], axis=-1, out=before[..., 1:])
                end = 1.0 / (before[..., -1] * step[..., -1])
                a = q * before
                u_new = np.matmul(a, upper)
                u_new += u0
                u_new /= before
            else:
                # w_{t+1} = (1 - q_t u_t) w_t + q_t x_t: c_{t+1} = c_t (1 - q_t u_t), a_t = q_t / c_{t+1}
                step = 1.0 - q * u
                np.cumprod(step[..., :-1], axis=-1, out=before[..., 1:])
                after = before * step  # c_{t+1}
                end = after[..., -1]
                a = q / after
                u_new = np.matmul(a, upper)
                u_new += u0
                u_new *= before
            return u_new, a, end, theta

        # Picard iteration on the potentials of the block. u_t depends only on u_s with s < t, so sweep k makes
        # u_0..u_k exact: at most b sweeps, in practice a handful because the coupling is of order γ.
        u = u0
        for k in range(b + 1):
            u_new, a, end, theta = sweep(u)
            delta = np.abs(u_new - u).max() if k >= 3 else np.inf
            u = u_new
            if delta <= _PICARD_TOL * max(1.0, np.abs(u).max()):
                break
        self.picard_sweeps_ += k + 1
        u_new, a, end, theta = sweep(u)
        W = np.matmul(a, Xb)
        W += self._W
        # explicit: c (W_0 + Σ a_s x_s) is a unit vector, so normalising drops the scalar c (and any rounding drift)
        self._W = _unit_rows(W) if explicit else W * end[..., None]
        if tau is not None:
            last_y = np.maximum(u[..., -1], 0.0)
            last_theta = theta[..., -1]
            self._theta = last_theta + (last_y * last_y - last_theta) / tau


#: Relative change of the block potentials at which the Picard iteration is taken as converged (a few ulps of the
#: accumulated rounding; the weights then differ from a patch-by-patch loop by rounding only).
_PICARD_TOL = 1e-13


def _sliding_kernel(b, tau):
    """``decay`` (b,) and ``drive`` (b, b) with ``θ_t = θ_0 decay_t + Σ_s y_s^2 drive[s, t]`` for
    ``θ_{t+1} = θ_t + (y_t^2 − θ_t) / τ``: ``decay_t = ρ^t``, ``drive[s, t] = ρ^(t−1−s) / τ`` for
    ``s < t``, ``ρ = 1 − 1/τ``."""
    rho = 1.0 - 1.0 / tau
    t = np.arange(b)
    lag = t[None, :] - 1 - t[:, None]
    drive = np.where(lag >= 0, rho ** np.maximum(lag, 0) / tau, 0.0)
    return rho ** t, drive


# --------------------------------------------------------------------------------------------------------------
# CompetitiveNetwork
# --------------------------------------------------------------------------------------------------------------


class CompetitiveNetwork:
    """BCM neurons competing through learned lateral inhibition: ``y = (W x − V y)_+``.

    For each patch ``x`` the potentials relax by forward Euler on ``du/dt = −u + W x − V (u)_+`` from
    ``u(0) = W x`` (the feed-forward drive: the network starts from its response without inhibition),
    ``n_steps`` steps of size ``dt``, giving ``u*`` and ``y = (u*)_+``, an approximate fixed point of
    ``y = (W x − V y)_+``. Then, in this order, with the current θ and φ:

    1. ``Δw_i = γ f_W(u*_i; θ_i) x`` with the BCM rule ``f_W = y_i (y_i − θ_i)``, then ``w_i ← w_i / ||w_i||``;
    2. ``Δv_i = γ (y_i − φ_i) y`` (row ``i`` of ``V``: anti-Hebbian inhibition, Földiák 1990), then
       ``V ← max(V, 0)`` and ``v_ii = 0``;
    3. if ``tau_theta`` is given, ``θ_i ← θ_i + (y_i^2 − θ_i) / τ_θ``; if ``tau_phi`` is given,
       ``φ_i ← φ_i + (y_i − φ_i) / τ_φ``.

    Parameters
    ----------
    n_inputs : int
        Input dimension N.
    n_neurons : int
        Number of neurons n.
    theta : float, default=1.0
        Fixed BCM threshold when ``tau_theta is None``, else its initial value.
    tau_theta : float >= 1, optional
        Time constant of the sliding θ (in patches); ``< 1`` is refused (θ would overshoot its target ``y^2``).
    phi : float, default=0.0
        Fixed threshold φ of the inhibitory rule when ``tau_phi is None``, else its initial value.
    tau_phi : float >= 1, optional
        Time constant of the sliding φ (in patches); ``< 1`` is refused (φ would overshoot its target ``y``).
    learning_rate : float, default=1e-4
        γ, for both ``W`` and ``V``.
    dt : float in (0, 2), default=0.1
        Euler step (in units of the membrane time constant). ``dt >= 2`` is refused: the leak alone,
        ``u ← (1 − dt) u + dt h``, then no longer converges (``|1 − dt| >= 1``).
    n_steps : int, default=10
        Euler steps per patch.
    seed : int >= 0, numpy.random.Generator or sequence of int >= 0, default=0
        As for :class:`HebbianNetwork` (a sequence: that many independent runs); the generator draws ``W`` (N(0, 1), rows normalised) then ``V``
        (``|N(0, 1)|`` off the diagonal, zero on it), then the patch indices of each ``fit``.

    Attributes
    ----------
    weights : ndarray of shape (n_neurons, n_inputs), or (n_seeds, n_neurons, n_inputs)
    lateral : ndarray of shape (n_neurons, n_neurons), or (n_seeds, n_neurons, n_neurons)
        ``V`` (non-negative, zero diagonal); ``v_ij`` is the inhibition of neuron ``i`` by neuron ``j``.
    theta, phi : ndarray of shape (n_neurons,), or (n_seeds, n_neurons)
    n_iter_ : int
    history_ : dict
        With ``record_every``: ``"iteration"``, ``"weights"``, ``"lateral"``, ``"theta"``, ``"phi"``.

    Notes
    -----
    With the handout's ``dt = 0.1`` and 10 steps the relaxation lasts one membrane time constant: ``u*`` is
    closer to the fixed point than ``W x`` but not at it; raise ``n_steps`` to reach it (for a contracting ``V``).
    The network of the handout's last part (Brito & Gerstner 2016, where lateral inhibition decorrelates the
    neurons so that they develop different RFs); anti-Hebbian lateral learning after Földiák (1990). Euler is
    simulated exactly as written above, by a compiled kernel (numba) or, without numba, vectorised over runs with
    the block recursion of the module docstring for ``W``.
    """

    def __init__(self, n_inputs, n_neurons, *, theta=1.0, tau_theta=None, phi=0.0, tau_phi=None,
                 learning_rate=1e-4, dt=0.1, n_steps=10, seed=0):
        check_positive(n_inputs, "n_inputs", integer=True)
        check_positive(n_neurons, "n_neurons", integer=True)
        for name, value in (("theta", theta), ("phi", phi)):
            if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value):
                raise ValueError(f"{name} must be a finite number, got {value!r}")
        self.n_inputs, self.n_neurons = int(n_inputs), int(n_neurons)
        self.tau_theta = _check_tau(tau_theta, "tau_theta")
        self.tau_phi = _check_tau(tau_phi, "tau_phi")
        self.learning_rate = _check_rate(learning_rate, "learning_rate")
        self.dt = _check_rate(dt, "dt")
        if self.dt >= 2:
            raise ValueError(f"dt must be < 2 (in membrane time constants), got {dt!r}: forward Euler of the leak, "
                             f"u <- (1 - dt) u + dt h, does not converge for dt >= 2; the handout uses dt=0.1")
        check_positive(n_steps, "n_steps", integer=True)
        self.n_steps = int(n_steps)
        self.seed = seed
        self._rngs, self._multi = _generators(seed)
        Ws, Vs = [], []
        for rng in self._rngs:
            Ws.append(rng.standard_normal((self.n_neurons, self.n_inputs)))
            V = np.abs(rng.standard_normal((self.n_neurons, self.n_neurons)))
            np.fill_diagonal(V, 0.0)
            Vs.append(V)
        self._W = _unit_rows(np.stack(Ws))
        self._V = np.stack(Vs)
        S = len(self._rngs)
        self._theta = np.full((S, self.n_neurons), float(theta))
        self._phi = np.full((S, self.n_neurons), float(phi))
        self.n_iter_ = 0
        self.history_ = None

    @property
    def weights(self):
        return self._W if self._multi else self._W[0]

    @property
    def lateral(self):
        return self._V if self._multi else self._V[0]

    @property
    def theta(self):
        return self._theta if self._multi else self._theta[0]

    @property
    def phi(self):
        return self._phi if self._multi else self._phi[0]

    @property
    def n_seeds(self):
        return len(self._rngs)

    def forward(self, X, *, n_steps=None):
        """Relaxed responses to each row of ``X`` (same Euler dynamics as in training).

        Parameters
        ----------
        X : array_like of shape (n_samples, n_inputs)
        n_steps : int, optional
            Euler steps; default ``self.n_steps`` (as in training). More steps bring ``u`` closer to the fixed
            point ``u = W x − V (u)_+``, e.g. to check how far the training dynamics are from it.

        Returns
        -------
        y : ndarray of shape (n_samples, n_neurons), or (n_seeds, n_samples, n_neurons)
            ``(u*)_+``.
        u : ndarray, same shape
            ``u*`` after ``n_steps`` Euler steps from ``u(0) = W x``.
        """
        X = check_matrix(X, "X", n_features=self.n_inputs)
        if n_steps is None:
            n_steps = self.n_steps
        check_positive(n_steps, "n_steps", integer=True)
        h = np.matmul(X, self._W.transpose(0, 2, 1))  # (S, n_samples, n)
        Vt = self._V.transpose(0, 2, 1)
        u = h.copy()
        for _ in range(int(n_steps)):
            u = u + self.dt * (-u + h - np.matmul(np.maximum(u, 0.0), Vt))
        y = np.maximum(u, 0.0)
        return (y, u) if self._multi else (y[0], u[0])

    def fit(self, X, n_iter, *, record_every=None, progress=None):
        """Present ``n_iter`` random patches of ``X``, relaxing the dynamics and updating after each one.

        Parameters
        ----------
        X : array_like of shape (n_samples, n_inputs)
        n_iter : int
        record_every : int, optional
            Store ``weights``, ``lateral``, ``theta`` and ``phi`` every ``record_every`` iterations in
            ``history_``.
        progress : bool, optional
            Progress bar (tqdm); default: long runs in a notebook or a terminal only, never when ``LNN_PROGRESS``
            is ``0``.

        Returns
        -------
        self : CompetitiveNetwork

        Raises
        ------
        ValueError
            Bad ``X`` or ``n_iter``.
        FloatingPointError
            Weights, ``V`` or thresholds became non-finite (the message names the learning rate and the iteration;
            a large ``V`` also makes forward Euler unstable once ``dt * max eigenvalue(V)`` exceeds 2). The
            network is first rolled back to its last finite state (``n_iter_`` and ``history_`` included).
        """
        X = _check_fit_args(X, n_iter, self.n_inputs, record_every)
        idx = _draw_indices(self._rngs, len(X), n_iter)
        history = _History(record_every, self.n_iter_) if record_every else None
        snap = lambda: dict(weights=self.weights, lateral=self.lateral, theta=self.theta, phi=self.phi)  # noqa: E731
        if history:
            history.record(0, **snap())
        compiled = _compiled_engine("bcm")
        block = COMPILED_BLOCK_SIZE if compiled else BLOCK_SIZE
        run = self._run_block_compiled if compiled else self._run_block
        with (np.errstate(over="ignore", invalid="ignore", divide="ignore"), one_blas_thread(),
              progress_bar(n_iter, desc="CompetitiveNetwork.fit", unit="patch",
                           enabled=_progress_enabled(progress, n_iter)) as bar):
            for t0, t1 in _block_bounds(n_iter, block, record_every):
                saved = self._state()
                bad = run(X, idx[:, t0:t1])
                if bad is not None or not _state_finite(*self._state()):
                    self._restore(saved)
                    self._recover(X, idx[:, t0:t1], run, t0, history)
                if history and t1 % record_every == 0:
                    history.record(t1, **snap())
                bar.update(t1 - t0)
        self.n_iter_ += n_iter
        if history:
            self.history_ = history.result()
        return self

    def _state(self):
        return self._W.copy(), self._V.copy(), self._theta.copy(), self._phi.copy()

    def _restore(self, state):
        self._W, self._V, self._theta, self._phi = state

    def _recover(self, X, idx, run, t0, history):
        """A block that left the state non-finite, redone from its start one patch at a time, stopping at the last
        finite state (see :meth:`HebbianNetwork._recover`)."""
        for t in range(idx.shape[1]):
            saved = self._state()
            run(X, idx[:, t:t + 1])
            if not _state_finite(*self._state()):
                self._restore(saved)
                self.n_iter_ += t0 + t
                if history:
                    self.history_ = history.result()
                raise _diverged(self.learning_rate, self.n_iter_ + 1, "the weights, V or thresholds",
                                f", or a smaller dt={self.dt:g} (forward Euler is unstable once dt times the "
                                f"largest eigenvalue of I + V exceeds 2)", _rolled_back(self.n_iter_))

    def _run_block_compiled(self, X, idx):
        """The block by the compiled kernel (numba), which updates ``W``, ``V``, ``θ`` and ``φ`` in place; returns
        the number of patches of the block after which the state became non-finite, or None."""
        self._W, self._V = np.ascontiguousarray(self._W), np.ascontiguousarray(self._V)
        self._theta, self._phi = np.ascontiguousarray(self._theta), np.ascontiguousarray(self._phi)
        bad = _compiled.competitive_block(X, np.ascontiguousarray(idx), self._W, self._V, self._theta, self._phi,
                                    float(self.learning_rate), float(self.dt), int(self.n_steps),
                                    -1.0 if self.tau_theta is None else float(self.tau_theta),
                                    -1.0 if self.tau_phi is None else float(self.tau_phi))
        return None if bad < 0 else int(bad)

    def _run_block(self, X, idx):
        gamma, dt, n = self.learning_rate, self.dt, self.n_neurons
        tau_theta, tau_phi = self.tau_theta, self.tau_phi
        S, b = idx.shape
        # V only loses entries to the clipping when y - φ can be negative.
        clip = tau_phi is not None or bool((self._phi > 0).any())
        Xb = X[idx]  # (S, b, N)
        u0 = np.matmul(Xb, self._W.transpose(0, 2, 1))  # (S, b, n): w_0 · x_t
        gram = np.matmul(Xb, Xb.transpose(0, 2, 1))  # (S, b, b), symmetric
        xx = np.ascontiguousarray(np.diagonal(gram, axis1=1, axis2=2).T)[..., None]  # (b, S, 1)
        A = np.zeros((S, b, n))  # a_s: W_t = c_t (W_0 + Σ_{s<t} a_s x_s)
        theta, phi = self._theta, self._phi
        c = np.ones_like(theta)
        # One Euler step is one product of the row [u, (u)_+, dt] with K = [(1 - dt) I; -dt V^T; h^T]
        # (shape (2n + 1, n)): u' = (1 - dt) u - dt V (u)_+ + dt h. Within the block V lives in K, scaled by -dt
        # (the clipping at zero and the zero diagonal are unchanged by the scaling), its rows contiguous.
        K = np.zeros((S, 2 * n + 1, n))
        K[:, np.arange(n), np.arange(n)] = 1.0 - dt
        K_V, h = K[:, n:2 * n, :], K[:, 2 * n, :]  # h = W_t x_t is written into K, z ends with dt
        np.multiply(self._V.transpose(0, 2, 1), -dt, out=K_V)
        K_V_diag = K.reshape(S, (2 * n + 1) * n)[:, n * n:2 * n * n:n + 1]  # view on the diagonal of V
        za = np.full((S, 1, 2 * n + 1), dt)
        zb = np.full((S, 1, 2 * n + 1), dt)
        dV = np.empty((S, n, n))
        matmul, maximum, multiply = np.matmul, np.maximum, np.multiply
        n_steps, scale_v = self.n_steps, -dt * gamma
        phi_zero = tau_phi is None and not phi.any()
        for t in range(b):
            if t:
                np.add(u0[:, t], matmul(gram[:, t:t + 1, :t], A[:, :t])[:, 0], out=h)
                h *= c  # W_t x_t
            else:
                h[...] = u0[:, 0]
            za[:, 0, :n] = h
            z, z_next = za, zb
            for _ in range(n_steps):
                maximum(z[..., :n], 0.0, out=z[..., n:2 * n])
                matmul(z, K, out=z_next[..., :n])
                z, z_next = z_next, z
            y = maximum(z[:, 0, :n], 0.0)
            q = y - theta
            q *= y
            q *= gamma  # γ f_W(u*; θ), BCM
            if phi_zero:
                dv = y * scale_v
            else:
                dv = y - phi
                dv *= scale_v
            multiply(y[:, :, None], dv[:, None, :], out=dV)  # (-dt ΔV)^T
            K_V += dV
            if clip:
                np.minimum(K_V, 0.0, out=K_V)
            K_V_diag[...] = 0.0
            if tau_theta is not None:
                theta = theta + (y * y - theta) / tau_theta
            if tau_phi is not None:
                phi = phi + (y - phi) / tau_phi
            np.divide(q, c, out=A[:, t])
            # ||w + q x||^2 = 1 + 2 q (w·x) + q^2 ||x||^2 for a unit w; here w·x is h, not u*
            step = q * xx[t]
            step += h
            step += h
            step *= q
            step += 1.0
            c /= np.sqrt(step)
        V = np.ascontiguousarray((K_V / -dt + 0.0).transpose(0, 2, 1))  # + 0.0: no -0.0 from the scaling
        W = np.matmul(A.transpose(0, 2, 1), Xb)
        W += self._W
        self._W = _unit_rows(W)  # = c (W_0 + Σ a_s x_s) normalised: the scalar c drops out
        self._V, self._theta, self._phi = V, theta, phi


# --------------------------------------------------------------------------------------------------------------
# Sanger's generalised Hebbian algorithm
# --------------------------------------------------------------------------------------------------------------


class SangerNetwork:
    """Sanger's generalised Hebbian algorithm: linear neurons whose rows converge to the leading eigenvectors.

    For each random patch ``x``: ``y = W x`` and ``ΔW = γ (y x^T − LT[y y^T] W)``, with ``LT`` the lower triangle
    (diagonal included); row ``i`` converges to the ``i``-th eigenvector of the input covariance ``E[x x^T]``
    (Sanger 1989). Row 0 follows Oja's (1982) rule.

    Parameters
    ----------
    n_inputs : int
    n_components : int, default=1
    learning_rate : float, default=1e-3
    seed : int >= 0, numpy.random.Generator or sequence of int >= 0, default=0
        Same protocol as :class:`HebbianNetwork` (a sequence: that many independent runs; initial ``W`` N(0, 1)
        with unit rows, then patch indices).

    Attributes
    ----------
    weights : ndarray of shape (n_components, n_inputs), or (n_seeds, n_components, n_inputs)
    n_iter_ : int
    history_ : dict
        ``"iteration"`` and ``"weights"`` with ``record_every``.

    Notes
    -----
    A plain loop over patches (vectorised over seeds), meant for comparisons and tests on small inputs.
    """

    def __init__(self, n_inputs, n_components=1, *, learning_rate=1e-3, seed=0):
        check_positive(n_inputs, "n_inputs", integer=True)
        check_positive(n_components, "n_components", integer=True)
        self.n_inputs, self.n_components = int(n_inputs), int(n_components)
        self.learning_rate = _check_rate(learning_rate, "learning_rate")
        self.seed = seed
        self._rngs, self._multi = _generators(seed)
        self._W = _unit_rows(np.stack([rng.standard_normal((self.n_components, self.n_inputs))
                                       for rng in self._rngs]))
        self.n_iter_ = 0
        self.history_ = None

    @property
    def weights(self):
        return self._W if self._multi else self._W[0]

    def forward(self, X):
        """Linear responses ``y = W x``: shape (n_samples, n_components), or (n_seeds, n_samples, n_components)."""
        X = check_matrix(X, "X", n_features=self.n_inputs)
        y = np.matmul(X, self._W.transpose(0, 2, 1))
        return y if self._multi else y[0]

    def fit(self, X, n_iter, *, record_every=None):
        """Present ``n_iter`` random rows of ``X`` (array of shape (n_samples, n_inputs)); returns self.

        Raises ``FloatingPointError`` naming the learning rate if the weights became non-finite; the network is
        then left as it was before this call (``weights``, ``n_iter_`` and ``history_`` unchanged)."""
        X = _check_fit_args(X, n_iter, self.n_inputs, record_every)
        idx = _draw_indices(self._rngs, len(X), n_iter)
        history = _History(record_every, self.n_iter_) if record_every else None
        view = (lambda W: W) if self._multi else (lambda W: W[0])
        if history:
            history.record(0, weights=self.weights)
        gamma, W = self.learning_rate, self._W
        lower = np.tril(np.ones((self.n_components, self.n_components)))
        with np.errstate(over="ignore", invalid="ignore"):
            for t in range(n_iter):
                x = X[idx[:, t]]  # (S, N)
                y = np.einsum("sin,sn->si", W, x)
                W = W + gamma * (y[:, :, None] * x[:, None, :]
                                 - np.matmul(lower * (y[:, :, None] * y[:, None, :]), W))
                if history and (t + 1) % record_every == 0:
                    history.record(t + 1, weights=view(W))
        if not np.isfinite(W).all():
            raise _diverged(gamma, self.n_iter_ + n_iter, "the weights",
                            rolled_back=". The network was left as it was before this call of fit "
                                        f"(n_iter_={self.n_iter_})")
        self._W = W
        self.n_iter_ += n_iter
        if history:
            self.history_ = history.result()
        return self
