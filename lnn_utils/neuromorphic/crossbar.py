"""Analog in-memory computing on a phase-change-memory (PCM) crossbar: mapping, device noise, drift, compensation.

A crossbar stores a weight matrix as conductances G [S] and computes a matrix–vector product in one step: voltages
V [V] applied to the rows give column currents I = V G [A] (Ohm's and Kirchhoff's laws). A signed weight uses a
differential pair of devices, W ∝ G⁺ − G⁻. This module follows the statistical PCM model that IBM's analog hardware
kit documents (aihwkit, "Inference and PCM statistical model"; Nandakumar et al. 2019; Joshi et al. 2020), fitted
to measurements of a million PCM devices. Its formulas, with g_T the target conductance and ĝ = g_T / g_max:

- **Mapping.** W is clipped to [−w_max, w_max] and scaled by β = g_max / w_max [S per weight unit]; the positive
  part goes to G⁺, the negative part to G⁻ (the other device of the pair is 0). Here each device is restricted to
  ``n_levels`` equally spaced conductances in [0, g_max] (level 0 is 0 S), so weights take 2 n_levels − 1 values.
- **Programming noise** (iterative write-and-verify leaves an error): g_prog = max(g_T + N(0, σ_prog²), 0) with
  σ_prog = max(−1.1731 ĝ² + 1.9650 ĝ + 0.2635, 0) µS for g_max = 25 µS (scaled by g_max / 25 µS otherwise).
- **Drift** (structural relaxation of the amorphous phase): g_drift(t) = g_prog (t / t₀)^(−ν), t counted from the
  programming pulse, t₀ = 20 s the first read; ν ~ |N(μ_ν, σ_ν²)| per device with
  μ_ν = min(max(−0.0155 ln ĝ + 0.0244, 0.049), 0.1) and σ_ν = min(max(−0.0125 ln ĝ − 0.0059, 0.008), 0.045):
  low conductances drift faster.
- **Read noise** (1/f and telegraph noise, accumulated since programming): g(t) = g_drift(t) + N(0, σ_nG²) with
  σ_nG = g_drift(t) Q_s sqrt(ln((t + t_read) / (2 t_read))), t_read = 250 ns and Q_s = min(0.0088 / ĝ^0.65, 0.2).
- **Global drift compensation.** Drift shrinks every conductance by a similar factor, so the layer's outputs shrink.
  Reading the summed output for an all-ones input right after programming and again at time t gives one scalar
  α(t) = Σ|y(t₀)| / Σ|y(t)| per layer, applied digitally to that layer's outputs.

In this module times are "since programming" (``t_inference`` ≥ 0, so t = t_inference + t₀), conductances are in
siemens (1 S = 1 / Ω), read voltages in volts and currents in amperes. The noise is drawn once per evaluation time
and held while a test set is evaluated (what the hardware kit does): each call of :meth:`PCMCrossbar.weights` is one
realisation. Converters (DAC/ADC) are assumed ideal and biases stay digital.

:func:`hardware_aware_finetune` continues training a network of :mod:`lnn_utils.mlp` with perturbed weights in the
forward and backward pass (weight-noise injection, Joshi et al. 2020; or quantisation with a straight-through
estimator) while the updates accumulate on clean weights, so that the network settles where such perturbations cost
little. It reuses the MLP's own backward pass and :class:`lnn_utils.optim.Adam`.

References
----------
Joshi, V., Le Gallo, M., Haefeli, S., Boybat, I., Nandakumar, S. R., Piveteau, C., Dazzi, M., Rajendran, B.,
Sebastian, A. & Eleftheriou, E. (2020). Accurate deep neural network inference using computational phase-change
memory. *Nat Commun* 11:2473.
Nandakumar, S. R. et al. (2019). Phase-change memory models for deep learning training and inference. *IEEE ICECS*,
727–730.
Le Gallo, M., Krebs, D., Zipoli, F., Salinga, M. & Sebastian, A. (2018). Collective structural relaxation in
phase-change memory devices. *Adv Electron Mater* 4:1700627 (drift, global compensation).
Bengio, Y., Léonard, N. & Courville, A. (2013). Estimating or propagating gradients through stochastic neurons for
conditional computation. arXiv:1308.3432 (straight-through estimator).
IBM aihwkit documentation, "Inference and PCM statistical model" (aihwkit.readthedocs.io), PCMLikeNoiseModel.
"""

from __future__ import annotations

import copy

import numpy as np

from .._validation import as_generator, check_matrix, check_positive
from ..blas import one_blas_thread
from ..mlp import MLP, softmax_cross_entropy
from ..optim import Adam

#: Largest programmable conductance g_max [S] of the model (25 µS).
G_MAX = 25e-6
#: Programming-noise polynomial [µS] in ĝ = g_T / g_max: constant, linear, quadratic coefficient (g_max = 25 µS).
PROG_COEFFS = (0.26348, 1.9650, -1.1731)
#: Time of the first read after programming, the reference of drift t₀ [s].
T0 = 20.0
#: Width of a read pulse t_read [s].
T_READ = 250e-9
#: Read voltage per unit input V_read [V].
V_READ = 0.2

#: Seconds in a (365-day) year, for drift plots.
YEAR = 365 * 24 * 3600.0


def _check_weights(W, name="W"):
    W = np.asarray(W, dtype=np.float64)
    if W.ndim != 2:
        raise ValueError(f"{name} must be a 2-D weight matrix of shape (n_in, n_out), got shape {W.shape}")
    if not np.all(np.isfinite(W)):
        raise ValueError(f"{name} contains NaN or infinite weights; train a finite network before mapping it")
    return W


def _check_levels(n_levels):
    if isinstance(n_levels, bool) or not isinstance(n_levels, (int, np.integer)) or n_levels < 2:
        raise ValueError(f"n_levels must be an integer >= 2 (conductance levels per device), got {n_levels!r}")
    return int(n_levels)


def clip_value(W, *, clip_std=3.0):
    """The weight w_max mapped to g_max: ``min(max|W|, clip_std · std(W))``, or ``max|W|`` for ``clip_std=None``.

    Parameters
    ----------
    W : array_like of shape (n_in, n_out)
        Weights (dimensionless).
    clip_std : float or None, default=3.0
        Clip at this many standard deviations of the weights.

    Returns
    -------
    float
    """
    W = _check_weights(W)
    w_max = float(np.max(np.abs(W)))
    if clip_std is not None:
        w_max = min(w_max, check_positive(clip_std, "clip_std") * float(np.std(W)))
    if w_max <= 0:
        raise ValueError("W is all zeros; there is nothing to map onto conductances")
    return w_max


def quantize_weights(W, *, n_levels, w_max):
    """Clip W to [−w_max, w_max] and round |W| to ``n_levels`` equally spaced values in [0, w_max] (sign kept).

    Parameters
    ----------
    W : array_like of shape (n_in, n_out)
    n_levels : int
        Levels per device, >= 2 (2: each device off or at g_max, so weights in {−w_max, 0, w_max}).
    w_max : float
        Clipping value (> 0), mapped to g_max.

    Returns
    -------
    ndarray of shape (n_in, n_out)
        The weights a noise-free crossbar with these levels represents.
    """
    W = _check_weights(W)
    n_levels = _check_levels(n_levels)
    check_positive(w_max, "w_max")
    step = w_max / (n_levels - 1)
    return np.sign(W) * np.rint(np.minimum(np.abs(W), w_max) / step) * step


def weights_to_conductances(W, *, n_levels, g_max=G_MAX, w_max=None):
    """Target conductances [S] of the differential pairs that encode W.

    Parameters
    ----------
    W : array_like of shape (n_in, n_out)
        Weights (dimensionless).
    n_levels : int
        Conductance levels per device, >= 2.
    g_max : float, default=25e-6
        Largest conductance [S].
    w_max : float, optional
        Weight mapped to g_max (clip value); default ``max|W|``.

    Returns
    -------
    g_plus, g_minus : ndarray of shape (n_in, n_out)
        Target conductances [S], in {0, g_max / (n_levels − 1), ..., g_max}; one of each pair is 0.
    scale : float
        β = g_max / w_max [S per weight unit]: W ≈ (G⁺ − G⁻) / β.
    """
    W = _check_weights(W)
    check_positive(g_max, "g_max")
    w_max = float(np.max(np.abs(W))) if w_max is None else check_positive(w_max, "w_max")
    if w_max <= 0:
        raise ValueError("W is all zeros; there is nothing to map onto conductances")
    Wq = quantize_weights(W, n_levels=n_levels, w_max=w_max)
    scale = g_max / w_max
    return np.maximum(Wq, 0.0) * scale, np.maximum(-Wq, 0.0) * scale, scale


def programming_noise_std(g_target, *, g_max=G_MAX):
    """σ_prog [S] of the PCM programming error at target conductance ``g_target`` [S] (aihwkit PCM model)."""
    g = np.asarray(g_target, dtype=np.float64) / g_max
    c0, c1, c2 = PROG_COEFFS
    return np.maximum(c0 + c1 * g + c2 * g * g, 0.0) * 1e-6 * (g_max / G_MAX)


def program_conductances(g_target, *, g_max=G_MAX, noise_scale=1.0, seed=0):
    """Programmed conductances [S]: g_prog = max(g_T + N(0, σ_prog(g_T)²) · noise_scale, 0).

    Parameters
    ----------
    g_target : array_like
        Target conductances [S].
    g_max : float, default=25e-6
        Largest conductance [S] (σ_prog scales with it).
    noise_scale : float, default=1.0
        Multiplies σ_prog (0: ideal programming).
    seed : int or numpy.random.Generator, default=0

    Returns
    -------
    ndarray
        Same shape as ``g_target`` [S].
    """
    check_positive(noise_scale, "noise_scale", allow_zero=True)
    g = np.asarray(g_target, dtype=np.float64)
    rng = as_generator(seed)
    return np.maximum(g + noise_scale * programming_noise_std(g, g_max=g_max) * rng.standard_normal(g.shape), 0.0)


def drift_exponents(g_target, *, g_max=G_MAX, drift_scale=1.0, seed=0):
    """Drift exponents ν ~ |N(μ_ν(ĝ), σ_ν(ĝ)²)| · drift_scale per device (dimensionless).

    μ_ν = min(max(−0.0155 ln ĝ + 0.0244, 0.049), 0.1), σ_ν = min(max(−0.0125 ln ĝ − 0.0059, 0.008), 0.045), with
    ĝ = g_T / g_max (clipped below at 1e-7).
    """
    check_positive(drift_scale, "drift_scale", allow_zero=True)
    g = np.maximum(np.asarray(g_target, dtype=np.float64) / g_max, 1e-7)
    mu = np.clip(-0.0155 * np.log(g) + 0.0244, 0.049, 0.1)
    sigma = np.clip(-0.0125 * np.log(g) - 0.0059, 0.008, 0.045)
    rng = as_generator(seed)
    return np.abs(mu + sigma * rng.standard_normal(g.shape)) * drift_scale


def conductance_at(g_prog, g_target, nu, t_inference, *, g_max=G_MAX, t0=T0, t_read=T_READ, read_noise_scale=1.0,
                   seed=0):
    """Conductances [S] read at ``t_inference`` seconds after programming: drift, then accumulated read noise.

    g_drift = g_prog ((t_inference + t₀) / t₀)^(−ν);  g = max(g_drift + N(0, σ_nG²), 0),
    σ_nG = g_drift Q_s sqrt(ln((t + t_read) / (2 t_read))) · read_noise_scale, Q_s = min(0.0088 / ĝ_T^0.65, 0.2).

    Parameters
    ----------
    g_prog, g_target : array_like
        Programmed and target conductances [S], same shape.
    nu : array_like
        Drift exponents (see :func:`drift_exponents`), same shape.
    t_inference : float
        Time since programming [s], >= 0.
    g_max : float, default=25e-6
        [S].
    t0, t_read : float, default=20.0, 250e-9
        First-read time and read-pulse width [s].
    read_noise_scale : float, default=1.0
        Multiplies σ_nG (0: no read noise).
    seed : int or numpy.random.Generator, default=0

    Returns
    -------
    ndarray
        Conductances [S].
    """
    check_positive(t_inference, "t_inference", allow_zero=True)
    check_positive(read_noise_scale, "read_noise_scale", allow_zero=True)
    g_prog = np.asarray(g_prog, dtype=np.float64)
    t = t_inference + t0
    g_drift = g_prog * (t / t0) ** (-np.asarray(nu, dtype=np.float64))
    g_rel = np.asarray(g_target, dtype=np.float64) / g_max
    q_s = np.minimum(0.0088 / np.maximum(g_rel, 1e-12) ** 0.65, 0.2)
    sigma = g_drift * q_s * np.sqrt(np.log((t + t_read) / (2 * t_read))) * read_noise_scale
    rng = as_generator(seed)
    return np.maximum(g_drift + sigma * rng.standard_normal(g_prog.shape), 0.0)


def crossbar_currents(x, g_plus, g_minus, *, v_read=V_READ):
    """Column currents [A] of a differential crossbar for inputs x: I = (x V_read) (G⁺ − G⁻).

    Parameters
    ----------
    x : array_like of shape (n_samples, n_in)
        Inputs (dimensionless activations), applied as row voltages x · V_read [V].
    g_plus, g_minus : ndarray of shape (n_in, n_out)
        Conductances [S].
    v_read : float, default=0.2
        Read voltage per unit input [V].

    Returns
    -------
    ndarray of shape (n_samples, n_out)
        Currents [A].
    """
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2 or x.shape[1] != g_plus.shape[0]:
        raise ValueError(f"x must have shape (n_samples, {g_plus.shape[0]}), got shape {x.shape}")
    return (x * v_read) @ (g_plus - g_minus)


def drift_compensation_factor(g_plus_ref, g_minus_ref, g_plus, g_minus, *, v_read=V_READ):
    """Global drift compensation α = Σ|I_ref| / Σ|I| for an all-ones input (one scalar per crossbar).

    Parameters
    ----------
    g_plus_ref, g_minus_ref : ndarray of shape (n_in, n_out)
        Conductances [S] read right after programming (the reference).
    g_plus, g_minus : ndarray of shape (n_in, n_out)
        Conductances [S] read now.
    v_read : float, default=0.2
        [V].

    Returns
    -------
    float
        α (dimensionless), multiplied into the digital outputs.
    """
    ones = np.ones((1, g_plus.shape[0]))
    ref = np.abs(crossbar_currents(ones, g_plus_ref, g_minus_ref, v_read=v_read)).sum()
    now = np.abs(crossbar_currents(ones, g_plus, g_minus, v_read=v_read)).sum()
    if now <= 0:
        raise ValueError("the crossbar reads zero current for an all-ones input; nothing to compensate")
    return float(ref / now)


class PCMCrossbar:
    """One weight matrix programmed onto a PCM crossbar of differential pairs (the aihwkit PCM statistical model).

    Parameters
    ----------
    W : array_like of shape (n_in, n_out)
        Trained weights (dimensionless).
    n_levels : int, default=64
        Conductance levels per device, >= 2.
    clip_std : float or None, default=3.0
        Clip W at this many standard deviations before quantising (see :func:`clip_value`); None: at max|W|.
    g_max : float, default=25e-6
        Largest conductance [S].
    prog_noise_scale, read_noise_scale, drift_scale : float, default=1.0
        Multipliers of σ_prog, σ_nG and ν (0 switches a non-ideality off).
    v_read : float, default=0.2
        Read voltage per unit input [V].
    seed : int or numpy.random.Generator, default=0
        Seed of programming noise, drift exponents and the successive read-noise draws.

    Attributes
    ----------
    w_max_ : float
        Clip value, mapped to g_max.
    scale_ : float
        β = g_max / w_max [S per weight unit].
    g_target_ : tuple of ndarray
        Target conductances (G⁺, G⁻) [S].
    g_prog_ : tuple of ndarray
        Programmed conductances (G⁺, G⁻) [S].
    nu_ : tuple of ndarray
        Drift exponents of the devices.
    g_ref_ : tuple of ndarray
        Conductances read at t_inference = 0 (reference of the drift compensation) [S].
    """

    def __init__(self, W, *, n_levels=64, clip_std=3.0, g_max=G_MAX, prog_noise_scale=1.0, read_noise_scale=1.0,
                 drift_scale=1.0, v_read=V_READ, seed=0):
        W = _check_weights(W)
        self.n_levels = _check_levels(n_levels)
        self.g_max = check_positive(g_max, "g_max")
        self.read_noise_scale = check_positive(read_noise_scale, "read_noise_scale", allow_zero=True)
        self.v_read = check_positive(v_read, "v_read")
        self._rng = as_generator(seed)
        self.w_max_ = clip_value(W, clip_std=clip_std)
        gp, gm, self.scale_ = weights_to_conductances(W, n_levels=self.n_levels, g_max=g_max, w_max=self.w_max_)
        self.g_target_ = (gp, gm)
        self.g_prog_ = tuple(program_conductances(g, g_max=g_max, noise_scale=prog_noise_scale, seed=self._rng)
                             for g in self.g_target_)
        self.nu_ = tuple(drift_exponents(g, g_max=g_max, drift_scale=drift_scale, seed=self._rng)
                         for g in self.g_target_)
        self.g_ref_ = self.conductances(0.0)

    @property
    def target_weights(self):
        """The clipped, quantised weights before any device noise, shape (n_in, n_out)."""
        return (self.g_target_[0] - self.g_target_[1]) / self.scale_

    def conductances(self, t_inference):
        """One read of (G⁺, G⁻) [S] at ``t_inference`` seconds after programming (drift and read noise)."""
        return tuple(conductance_at(gp, gt, nu, t_inference, g_max=self.g_max, read_noise_scale=self.read_noise_scale,
                                    seed=self._rng)
                     for gp, gt, nu in zip(self.g_prog_, self.g_target_, self.nu_))

    def weights(self, t_inference=0.0, *, compensate=True):
        """Effective weights (G⁺ − G⁻) α / β at ``t_inference`` [s] after programming, shape (n_in, n_out).

        Parameters
        ----------
        t_inference : float, default=0.0
            Time since programming [s].
        compensate : bool, default=True
            Apply the global drift compensation α (else α = 1).

        Returns
        -------
        ndarray of shape (n_in, n_out)
            The weights the crossbar multiplies by, in the units of W; one realisation of the read noise.
        """
        gp, gm = self.conductances(t_inference)
        alpha = drift_compensation_factor(*self.g_ref_, gp, gm, v_read=self.v_read) if compensate else 1.0
        return alpha * (gp - gm) / self.scale_

    def matvec(self, x, t_inference=0.0, *, compensate=True):
        """x W_eff computed as currents: I = (x V_read)(G⁺ − G⁻) [A], divided by V_read β and multiplied by α.

        Parameters
        ----------
        x : array_like of shape (n_samples, n_in)
        t_inference : float, default=0.0
            [s] since programming.
        compensate : bool, default=True

        Returns
        -------
        ndarray of shape (n_samples, n_out)
        """
        gp, gm = self.conductances(t_inference)
        alpha = drift_compensation_factor(*self.g_ref_, gp, gm, v_read=self.v_read) if compensate else 1.0
        return alpha * crossbar_currents(x, gp, gm, v_read=self.v_read) / (self.v_read * self.scale_)


# ------------------------------------------------------------------------------------------------------------
# Whole networks


def _mlp_of(net):
    """The :class:`lnn_utils.mlp.MLP` inside ``net``: the MLP itself or a fitted model's ``mlp_``."""
    mlp = net if isinstance(net, MLP) else getattr(net, "mlp_", None)
    if not isinstance(mlp, MLP):
        raise TypeError("net must be an lnn_utils.mlp.MLP or a fitted model holding one as `mlp_` (e.g. "
                        f"lnn_utils.credit_assignment.train_network's result), got {type(net).__name__}")
    return mlp


def network_logits(net, X, weights=None):
    """Outputs of ``net`` for X with its weight matrices replaced by ``weights`` (biases kept: digital).

    Parameters
    ----------
    net : lnn_utils.mlp.MLP or fitted model with ``mlp_`` and ``forward(X, weights=...)``
    X : array_like of shape (n_samples, n_inputs)
    weights : list of ndarray, optional
        One (n_in, n_out) matrix per Linear layer; default the network's own.

    Returns
    -------
    ndarray of shape (n_samples, n_outputs)
    """
    if not isinstance(net, MLP) and hasattr(net, "forward"):
        _mlp_of(net)
        return net.forward(X, weights=weights)
    mlp = _mlp_of(net)
    if weights is None:
        return mlp.predict_batches(X)
    if len(weights) != len(mlp.weights):
        raise ValueError(f"weights must hold {len(mlp.weights)} matrices, one per Linear layer, got {len(weights)}")
    copy_ = mlp.copy().eval()
    for dst, src in zip(copy_.weights, weights):
        if np.shape(src) != dst.shape:
            raise ValueError(f"a substituted weight matrix must have shape {dst.shape}, got {np.shape(src)}")
        dst[...] = src
    return copy_.predict_batches(X)


def accuracy(net, X, y, weights=None):
    """Accuracy in [0, 1] of ``net`` on (X, y), optionally with substituted weight matrices."""
    pred = np.argmax(network_logits(net, X, weights), axis=1)
    classes = getattr(net, "classes_", None)
    if classes is not None:
        pred = np.asarray(classes)[pred]
    return float(np.mean(pred == np.asarray(y)))


def map_network(net, *, n_levels=64, clip_std=3.0, prog_noise_scale=1.0, read_noise_scale=1.0, drift_scale=1.0,
                seed=0):
    """Program every weight matrix of a network onto its own :class:`PCMCrossbar`.

    Parameters
    ----------
    net : lnn_utils.mlp.MLP or fitted model holding one as ``mlp_``
        A trained network.
    n_levels, clip_std, prog_noise_scale, read_noise_scale, drift_scale
        As in :class:`PCMCrossbar`.
    seed : int or numpy.random.Generator, default=0

    Returns
    -------
    list of PCMCrossbar
        One per Linear layer, in order.
    """
    rng = as_generator(seed)
    return [PCMCrossbar(W, n_levels=n_levels, clip_std=clip_std, prog_noise_scale=prog_noise_scale,
                        read_noise_scale=read_noise_scale, drift_scale=drift_scale, seed=rng)
            for W in _mlp_of(net).weights]


def crossbar_accuracy(net, X, y, *, t_inference=0.0, compensate=True, n_repeats=1, seed=0, **crossbar):
    """Test accuracy of a network run on PCM crossbars, over independent programmings of the devices.

    Parameters
    ----------
    net : lnn_utils.mlp.MLP or fitted model holding one as ``mlp_``
    X, y : array_like
        Test set.
    t_inference : float or sequence of float, default=0.0
        Time(s) since programming [s]; one programming is read at every time.
    compensate : bool, default=True
        Global drift compensation.
    n_repeats : int, default=1
        Independent programmings (fresh programming noise, drift exponents and read noise).
    seed : int or numpy.random.Generator, default=0
    **crossbar
        ``n_levels``, ``clip_std``, ``prog_noise_scale``, ``read_noise_scale``, ``drift_scale`` of
        :class:`PCMCrossbar`.

    Returns
    -------
    ndarray of shape (n_repeats,) or (n_repeats, n_times)
        Accuracies in [0, 1] (2-D when ``t_inference`` is a sequence).
    """
    check_positive(n_repeats, "n_repeats", integer=True)
    times = np.atleast_1d(np.asarray(t_inference, dtype=np.float64))
    rng = as_generator(seed)
    acc = np.empty((n_repeats, times.size))
    with one_blas_thread():
        for r in range(n_repeats):
            bars = map_network(net, seed=rng, **crossbar)
            for j, t in enumerate(times):
                acc[r, j] = accuracy(net, X, y, [b.weights(t, compensate=compensate) for b in bars])
    return acc if np.ndim(t_inference) else acc[:, 0]


def weight_noise(relative_std):
    """A perturbation for :func:`hardware_aware_finetune`: W + N(0, (relative_std · max|W|)²) per layer."""
    check_positive(relative_std, "relative_std", allow_zero=True)

    def perturb(W, rng):
        return W + relative_std * np.max(np.abs(W)) * rng.standard_normal(W.shape)

    perturb.__name__ = f"weight_noise({relative_std})"
    return perturb


def quantization(n_levels, *, clip_std=3.0):
    """A perturbation for :func:`hardware_aware_finetune`: clip and quantise W to the crossbar's levels (STE)."""
    n_levels = _check_levels(n_levels)

    def perturb(W, rng):
        return quantize_weights(W, n_levels=n_levels, w_max=clip_value(W, clip_std=clip_std))

    perturb.__name__ = f"quantization({n_levels})"
    return perturb


def hardware_aware_finetune(net, X, y, *, perturb, n_epochs=10, learning_rate=1e-3, batch_size=64, seed=0):
    """Continue training a copy of an MLP with perturbed weights in the forward and backward passes.

    At every mini-batch each weight matrix W is replaced by ``perturb(W, rng)`` (weight noise, or quantisation as a
    straight-through estimator), the MLP's own backward pass computes the gradient there, and the Adam update is
    applied to the clean weights. The network thus moves to weights whose perturbed versions classify well.

    Parameters
    ----------
    net : lnn_utils.mlp.MLP or fitted model holding one as ``mlp_``
        Trained network (not modified).
    X : array_like of shape (n_samples, n_inputs)
    y : array_like of int of shape (n_samples,)
        Labels; for a model with ``classes_``, values of ``classes_``.
    perturb : callable
        ``perturb(W, rng) -> W_perturbed`` (see :func:`weight_noise`, :func:`quantization`).
    n_epochs : int, default=10
    learning_rate : float, default=1e-3
        Adam step size.
    batch_size : int, default=64
    seed : int or numpy.random.Generator, default=0

    Returns
    -------
    same type as ``net``
        The fine-tuned copy.
    """
    if isinstance(net, MLP):
        tuned = net = net.copy()
    else:  # a fitted model: a shallow copy holding its own copy of the MLP (MLP.copy keeps the flat-vector views)
        tuned = copy.copy(net)
        tuned.mlp_ = _mlp_of(net).copy()
        net = tuned.mlp_
    net.train()
    X = check_matrix(X, "X", n_features=net.n_inputs)
    y = np.asarray(y)
    if y.shape != (len(X),):
        raise ValueError(f"y must have shape ({len(X)},), got {y.shape}")
    classes = getattr(tuned, "classes_", None)
    if classes is not None:
        y = np.searchsorted(np.asarray(classes), y)
    check_positive(n_epochs, "n_epochs", integer=True)
    check_positive(batch_size, "batch_size", integer=True)
    if not callable(perturb):
        raise TypeError(f"perturb must be a callable perturb(W, rng), got {perturb!r}")
    rng = as_generator(seed)
    opt = Adam(check_positive(learning_rate, "learning_rate"))
    clean = np.empty_like(net.flat_params)
    with one_blas_thread():
        for _ in range(n_epochs):
            order = rng.permutation(len(X))
            for start in range(0, len(X), batch_size):
                idx = order[start:start + batch_size]
                clean[...] = net.flat_params
                for W in net.weights:
                    W[...] = perturb(W.astype(np.float64), rng)
                loss, grad = softmax_cross_entropy(net.forward(X[idx]), y[idx])
                if not np.isfinite(loss):
                    raise FloatingPointError(f"fine-tuning diverged (loss {loss}); lower learning_rate="
                                             f"{learning_rate!r}")
                net.backward(grad)
                net.flat_params[...] = clean
                opt.step(net.flat_params, net.flat_grads, net.decay_mask)
    net.eval()
    return tuned
