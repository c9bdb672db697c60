"""A spiking network trained by surrogate gradients through time (Neftci, Mostafa & Zenke 2019).

Architecture, in discrete time with step Δt [s] over ``n_steps`` steps::

    input spikes x_t ∈ {0, 1}^(n_inputs)       rate code: P(x_t,i = 1) = X_i ν_max Δt; or latency code
    I_t = x_t W_in + b_in                        synaptic input to the hidden layer
    v_t = β v_(t−1) + I_t − ϑ s_(t−1)            LIF membrane, β = exp(−Δt / τ_m), reset by subtraction
    s_t = H(v_t − ϑ)                              hidden spikes
    logits = (1/T) Σ_t s_t W_out + b_out          readout of the hidden spike counts, softmax cross-entropy

The membrane potential is measured from rest in units of the threshold (ϑ = 1, dimensionless); times are in
seconds and rates in hertz.

The Heaviside step H has zero derivative almost everywhere. Surrogate-gradient learning keeps H in the forward pass
and replaces its derivative, in the backward pass only, by the derivative of a smooth step; here the fast sigmoid
(SuperSpike, Zenke & Ganguli 2018; Neftci et al. 2019, Fig. 3)::

    σ_k(u) = ½ (1 + k u / (1 + k |u|)),     σ'_k(u) = (k / 2) / (1 + k |u|)²,     u = v − ϑ,

with slope k [1/ϑ]: large k approaches the true (zero almost everywhere) derivative, small k spreads credit to
neurons far from threshold. Backpropagation through time follows every path, including the reset::

    dL/ds_t = (1/T) (dL/dlogits) W_outᵀ − ϑ dL/dv_(t+1)
    dL/dv_t = dL/ds_t σ'_k(v_t − ϑ) + β dL/dv_(t+1)
    dL/dW_in = Σ_t x_tᵀ dL/dv_t,   dL/db_in = Σ_t Σ_batch dL/dv_t

With ``spike="smooth"`` the forward pass uses σ_k itself instead of H: the network is then a smooth function
whose exact gradient is what the backward pass computes, which the tests check against finite differences.

The time loop runs over steps only; every step is vectorised over the batch and the neurons. Parameters live in one
flat vector updated by :class:`lnn_utils.optim.Adam`; the loss is :func:`lnn_utils.mlp.softmax_cross_entropy`.

References
----------
Neftci, E. O., Mostafa, H. & Zenke, F. (2019). Surrogate gradient learning in spiking neural networks. *IEEE Signal
Process Mag* 36(6):51–63.
Zenke, F. & Ganguli, S. (2018). SuperSpike: supervised learning in multilayer spiking neural networks. *Neural
Comput* 30:1514–1541.
Zenke, F. & Vogels, T. P. (2021). The remarkable robustness of surrogate gradient learning for instilling complex
function in spiking neural networks. *Neural Comput* 33:899–925.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._validation import as_generator, check_matrix, check_positive
from ..blas import one_blas_thread
from ..mlp import softmax_cross_entropy
from ..optim import Adam
from ..progress import progress_bar

CODINGS = ("rate", "latency")
SPIKES = ("heaviside", "smooth")


def surrogate_step(u, slope):
    """The fast-sigmoid smooth step σ_k(u) = ½ (1 + k u / (1 + k |u|)) (dimensionless, u in units of ϑ)."""
    return 0.5 * (1.0 + slope * u / (1.0 + slope * np.abs(u)))


def surrogate_derivative(u, slope):
    """Its derivative σ'_k(u) = (k / 2) / (1 + k |u|)², the pseudo-derivative used for H in the backward pass."""
    return 0.5 * slope / (1.0 + slope * np.abs(u)) ** 2


def encode(X, *, n_steps, coding="rate", max_rate=500.0, dt=1e-3, seed=0):
    """Turn intensities in [0, 1] into input spike trains.

    Parameters
    ----------
    X : array_like of shape (n_samples, n_inputs)
        Intensities in [0, 1] (e.g. pixel values).
    n_steps : int
        Number of time steps T.
    coding : {"rate", "latency"}, default="rate"
        "rate": independent Bernoulli spikes with probability X ν_max Δt per step (a Poisson-like train of rate
        X ν_max [Hz]). "latency": one spike per input with X > 0, at step round((1 − X)(T − 1)): brighter pixels
        fire earlier; an input with X = 0 stays silent.
    max_rate : float, default=500.0
        ν_max [Hz] of the rate code; ν_max Δt must be at most 1.
    dt : float, default=1e-3
        Time step Δt [s].
    seed : int or numpy.random.Generator, default=0
        Seed of the rate code (the latency code is deterministic).

    Returns
    -------
    spikes : ndarray of shape (n_steps, n_samples, n_inputs), float64 of 0 and 1
    """
    X = check_matrix(X, "X")
    if X.min() < 0 or X.max() > 1:
        raise ValueError(f"X must hold intensities in [0, 1] for the spike code, got values in "
                         f"[{X.min():.3g}, {X.max():.3g}]; rescale it (e.g. divide by its maximum)")
    check_positive(n_steps, "n_steps", integer=True)
    if coding == "rate":
        p = check_positive(max_rate, "max_rate") * check_positive(dt, "dt")
        if p > 1:
            raise ValueError(f"max_rate * dt must be <= 1 (a probability per step), got {max_rate!r} Hz * "
                             f"{dt!r} s = {p:.3g}; lower max_rate or dt")
        rng = as_generator(seed)
        return (rng.random((n_steps,) + X.shape) < p * X).astype(np.float64)
    if coding == "latency":
        step = np.rint((1.0 - X) * (n_steps - 1)).astype(np.int64)
        spikes = np.zeros((n_steps,) + X.shape)
        rows, cols = np.nonzero(X > 0)
        spikes[step[rows, cols], rows, cols] = 1.0
        return spikes
    raise ValueError(f"coding must be one of {CODINGS}, got {coding!r}")


@dataclass(frozen=True)
class SpikeCounts:
    """Spikes of one inference, per sample.

    Attributes
    ----------
    input : ndarray of shape (n_samples,)
        Input spikes (each reaches every hidden neuron: ``n_hidden`` synaptic events).
    hidden : ndarray of shape (n_samples,)
        Hidden-layer spikes (each reaches every output: ``n_outputs`` synaptic events).
    n_steps : int
        Time steps of the inference.
    """

    input: np.ndarray
    hidden: np.ndarray
    n_steps: int


class SurrogateGradientSNN:
    """One hidden layer of LIF neurons with a spike-count readout, trained by surrogate gradients through time.

    Parameters
    ----------
    n_hidden : int, default=128
        Number of hidden LIF neurons.
    n_steps : int, default=25
        Time steps T per inference.
    dt : float, default=1e-3
        Time step Δt [s].
    tau_mem : float, default=20e-3
        Membrane time constant τ_m [s] of the hidden neurons (β = exp(−Δt/τ_m)).
    coding : {"rate", "latency"}, default="rate"
        Input spike code (see :func:`encode`).
    max_rate : float, default=500.0
        ν_max [Hz] of the rate code (ν_max Δt = 0.5: a white pixel spikes in half of the steps).
    surrogate_slope : float, default=10.0
        Slope k of the fast-sigmoid surrogate derivative [1/ϑ].
    n_epochs : int, default=30
        Passes over the training set; each pass draws fresh input spikes.
    batch_size : int, default=64
    learning_rate : float, default=5e-3
        Adam step size.
    rate_penalty : float, default=2.0
        λ of an activity penalty λ · mean over samples and neurons of (count / T)², dimensionless; > 0 trades
        accuracy for fewer spikes (and energy).
    init_scale : float, default=1.0
        Input weights start as N(0, init_scale² / n_inputs) [ϑ per input spike].
    seed : int or numpy.random.Generator, default=0
        Seed of the initialisation, the batch order and the training spike codes.
    progress : bool or None, default=None
        Progress bar (see :func:`lnn_utils.progress.progress_bar`).

    Attributes
    ----------
    W_in_ : ndarray of shape (n_inputs, n_hidden)
    b_in_ : ndarray of shape (n_hidden,)
    W_out_ : ndarray of shape (n_hidden, n_classes)
    b_out_ : ndarray of shape (n_classes,)
        Views into ``flat_params_``.
    loss_curve_ : ndarray of shape (n_epochs,)
        Mean training loss of each epoch.
    train_accuracy_ : ndarray of shape (n_epochs,)
        Accuracy on the training batches of each epoch (on their spike codes).
    n_classes_ : int
    """

    def __init__(self, *, n_hidden=128, n_steps=25, dt=1e-3, tau_mem=20e-3, coding="rate", max_rate=500.0,
                 surrogate_slope=10.0, n_epochs=30, batch_size=64, learning_rate=5e-3, rate_penalty=2.0,
                 init_scale=1.0, seed=0, progress=None):
        self.n_hidden = n_hidden
        self.n_steps = n_steps
        self.dt = dt
        self.tau_mem = tau_mem
        self.coding = coding
        self.max_rate = max_rate
        self.surrogate_slope = surrogate_slope
        self.n_epochs = n_epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.rate_penalty = rate_penalty
        self.init_scale = init_scale
        self.seed = seed
        self.progress = progress

    # --------------------------------------------------------------------------------------------- set-up
    def _validate(self):
        check_positive(self.n_hidden, "n_hidden", integer=True)
        check_positive(self.n_steps, "n_steps", integer=True)
        check_positive(self.dt, "dt")
        check_positive(self.tau_mem, "tau_mem")
        check_positive(self.surrogate_slope, "surrogate_slope")
        check_positive(self.n_epochs, "n_epochs", integer=True)
        check_positive(self.batch_size, "batch_size", integer=True)
        check_positive(self.learning_rate, "learning_rate")
        check_positive(self.rate_penalty, "rate_penalty", allow_zero=True)
        check_positive(self.init_scale, "init_scale")
        if self.coding not in CODINGS:
            raise ValueError(f"coding must be one of {CODINGS}, got {self.coding!r}")

    @property
    def beta(self):
        """Membrane decay per step, β = exp(−Δt / τ_m) (dimensionless)."""
        return float(np.exp(-self.dt / self.tau_mem))

    def initialize(self, n_inputs, n_classes, *, seed=None):
        """Draw the initial parameters (He-like input weights, small readout); returns ``self``.

        Parameters
        ----------
        n_inputs, n_classes : int
        seed : int or numpy.random.Generator, optional
            Default ``self.seed``.
        """
        self._validate()
        rng = as_generator(self.seed if seed is None else seed)
        h = self.n_hidden
        shapes = {"W_in": (n_inputs, h), "b_in": (h,), "W_out": (h, n_classes), "b_out": (n_classes,)}
        sizes = [int(np.prod(s)) for s in shapes.values()]
        self.flat_params_ = np.zeros(sum(sizes))
        start = 0
        for (name, shape), size in zip(shapes.items(), sizes):
            setattr(self, name + "_", self.flat_params_[start:start + size].reshape(shape))
            start += size
        self.W_in_[...] = rng.normal(0.0, self.init_scale / np.sqrt(n_inputs), (n_inputs, h))
        self.W_out_[...] = rng.normal(0.0, 1.0 / np.sqrt(h), (h, n_classes))
        self.n_inputs_ = n_inputs
        self.n_classes_ = n_classes
        return self

    def _grads_like(self):
        g = np.zeros_like(self.flat_params_)
        views, start = {}, 0
        for name in ("W_in", "b_in", "W_out", "b_out"):
            arr = getattr(self, name + "_")
            views[name] = g[start:start + arr.size].reshape(arr.shape)
            start += arr.size
        return g, views

    # --------------------------------------------------------------------------------------------- passes
    def run(self, input_spikes, *, spike="heaviside", record=False):
        """Simulate the network on input spike trains.

        Parameters
        ----------
        input_spikes : ndarray of shape (n_steps, n_samples, n_inputs)
            0/1 input spikes (see :func:`encode`).
        spike : {"heaviside", "smooth"}, default="heaviside"
            Spike nonlinearity of the forward pass: the true step, or the smooth surrogate σ_k (gradient checks).
        record : bool, default=False
            Also return the membrane potentials and spikes of every step.

        Returns
        -------
        logits : ndarray of shape (n_samples, n_classes)
        counts : ndarray of shape (n_samples, n_hidden)
            Hidden spikes summed over time.
        v, s : ndarray of shape (n_steps, n_samples, n_hidden)
            Only with ``record``: membrane potentials [ϑ] after each step (before reset) and spikes.
        """
        x = np.asarray(input_spikes, dtype=np.float64)
        if x.ndim != 3 or x.shape[2] != self.n_inputs_:
            raise ValueError(f"input_spikes must have shape (n_steps, n_samples, {self.n_inputs_}), got {x.shape}")
        if spike not in SPIKES:
            raise ValueError(f"spike must be one of {SPIKES}, got {spike!r}")
        T, B, _ = x.shape
        beta, k = self.beta, self.surrogate_slope
        current = (x.reshape(T * B, -1) @ self.W_in_ + self.b_in_).reshape(T, B, self.n_hidden)
        v_all = np.empty_like(current) if record else None
        s_all = np.empty_like(current) if record else None
        v = np.zeros((B, self.n_hidden))
        s = np.zeros((B, self.n_hidden))
        counts = np.zeros((B, self.n_hidden))
        for t in range(T):
            v = beta * v + current[t] - s            # reset by subtraction of ϑ = 1 for the previous spike
            s = (v >= 1.0).astype(np.float64) if spike == "heaviside" else surrogate_step(v - 1.0, k)
            counts += s
            if record:
                v_all[t] = v
                s_all[t] = s
        logits = counts / T @ self.W_out_ + self.b_out_
        return (logits, counts, v_all, s_all) if record else (logits, counts)

    def loss_and_gradient(self, input_spikes, y, *, spike="heaviside"):
        """Loss and its surrogate gradient with respect to every parameter, by backpropagation through time.

        Parameters
        ----------
        input_spikes : ndarray of shape (n_steps, n_samples, n_inputs)
        y : ndarray of int of shape (n_samples,)
        spike : {"heaviside", "smooth"}, default="heaviside"
            With "smooth" the returned gradient is the exact gradient of the smooth network.

        Returns
        -------
        loss : float
            Cross-entropy plus the activity penalty.
        grad : ndarray of shape (n_parameters,)
            Same layout as ``flat_params_``.
        logits : ndarray of shape (n_samples, n_classes)
        """
        x = np.asarray(input_spikes, dtype=np.float64)
        logits, counts, v, _ = self.run(x, spike=spike, record=True)
        T, B, _ = x.shape
        loss, dlogits = softmax_cross_entropy(logits, y)
        rates = counts / T
        grad, g = self._grads_like()
        g["W_out"][...] = rates.T @ dlogits
        g["b_out"][...] = dlogits.sum(axis=0)
        d_rate = dlogits @ self.W_out_.T
        if self.rate_penalty:
            loss += self.rate_penalty * float(np.mean(rates ** 2))
            d_rate += self.rate_penalty * 2.0 * rates / rates.size
        d_s_readout = d_rate / T                     # dL/ds_t through the readout, the same at every step
        beta, k = self.beta, self.surrogate_slope
        dv = np.empty_like(v)
        dv_next = np.zeros((B, self.n_hidden))
        for t in range(T - 1, -1, -1):
            ds = d_s_readout - dv_next                # the reset at t+1 subtracts ϑ s_t
            dv_next = ds * surrogate_derivative(v[t] - 1.0, k) + beta * dv_next
            dv[t] = dv_next
        g["W_in"][...] = x.reshape(T * B, -1).T @ dv.reshape(T * B, -1)
        g["b_in"][...] = dv.sum(axis=(0, 1))
        return loss, grad, logits

    # --------------------------------------------------------------------------------------------- sklearn API
    def _encode(self, X, seed):
        return encode(X, n_steps=self.n_steps, coding=self.coding, max_rate=self.max_rate, dt=self.dt, seed=seed)

    def fit(self, X, y):
        """Train on images ``X`` in [0, 1] of shape (n_samples, n_inputs) and labels ``y``; returns ``self``."""
        X = check_matrix(X, "X")
        y = np.asarray(y)
        if y.shape != (len(X),) or not np.issubdtype(y.dtype, np.integer):
            raise ValueError(f"y must be integer labels of shape ({len(X)},), got {y.dtype} of shape {y.shape}")
        if y.min() < 0:
            raise ValueError(f"y must hold class indices >= 0, got a minimum of {y.min()}")
        rng = as_generator(self.seed)
        self.initialize(X.shape[1], int(y.max()) + 1, seed=rng)
        self._encode(X[:1], 0)  # checks X's range and the code's parameters before training
        opt = Adam(self.learning_rate)
        losses, accs = [], []
        with one_blas_thread(), progress_bar(self.n_epochs, desc="SNN", unit="epoch", enabled=self.progress) as bar:
            for _ in range(self.n_epochs):
                order = rng.permutation(len(X))
                total, correct = 0.0, 0
                for start in range(0, len(X), self.batch_size):
                    idx = order[start:start + self.batch_size]
                    spikes = self._encode(X[idx], rng)
                    loss, grad, logits = self.loss_and_gradient(spikes, y[idx])
                    if not np.isfinite(loss):
                        raise FloatingPointError(f"training diverged (loss {loss}); lower learning_rate="
                                                 f"{self.learning_rate!r}")
                    opt.step(self.flat_params_, grad)
                    total += loss * len(idx)
                    correct += int(np.sum(np.argmax(logits, axis=1) == y[idx]))
                losses.append(total / len(X))
                accs.append(correct / len(X))
                bar.update(1)
                bar.set_postfix_str(f"loss {losses[-1]:.3f}")
        self.loss_curve_ = np.array(losses)
        self.train_accuracy_ = np.array(accs)
        return self

    def _check_fitted(self):
        if not hasattr(self, "loss_curve_"):
            raise RuntimeError("this SurrogateGradientSNN is not fitted yet; call fit(X, y) or use train_snn")

    def _batches(self, X, seed, batch_size=512):
        self._check_fitted()
        X = check_matrix(X, "X", n_features=self.n_inputs_)
        rng = as_generator(seed)
        for start in range(0, len(X), batch_size):
            spikes = self._encode(X[start:start + batch_size], rng)
            with one_blas_thread():
                logits, counts = self.run(spikes)
            yield spikes, logits, counts

    def decision_function(self, X, *, seed=12345):
        """Logits of shape (n_samples, n_classes) for images X; ``seed`` fixes the rate code's spikes."""
        return np.concatenate([logits for _, logits, _ in self._batches(X, seed)])

    def predict(self, X, *, seed=12345):
        """Predicted labels of shape (n_samples,) (one spike-code draw, fixed by ``seed``)."""
        return np.argmax(self.decision_function(X, seed=seed), axis=1)

    def score(self, X, y, *, seed=12345):
        """Accuracy on (X, y), in [0, 1]."""
        y = np.asarray(y)
        pred = self.predict(X, seed=seed)
        if y.shape != pred.shape:
            raise ValueError(f"y must have shape {pred.shape}, got {y.shape}")
        return float(np.mean(pred == y))

    def spike_counts(self, X, *, seed=12345):
        """Input and hidden spikes of one inference per sample (a :class:`SpikeCounts`)."""
        inputs, hidden = [], []
        for spikes, _, counts in self._batches(X, seed):
            inputs.append(spikes.sum(axis=(0, 2)))
            hidden.append(counts.sum(axis=1))
        return SpikeCounts(input=np.concatenate(inputs), hidden=np.concatenate(hidden), n_steps=self.n_steps)


def train_snn(X, y, *, seed=0, **params):
    """Train a :class:`SurrogateGradientSNN` on images in [0, 1] and labels; returns the fitted model.

    Parameters
    ----------
    X : array_like of shape (n_samples, n_inputs)
        Intensities in [0, 1] (e.g. ``load_digits(flatten=True)``).
    y : array_like of int of shape (n_samples,)
    seed : int or numpy.random.Generator, default=0
    **params
        Any hyperparameter of :class:`SurrogateGradientSNN` (``n_hidden``, ``n_steps``, ``dt`` [s], ``tau_mem``
        [s], ``coding``, ``max_rate`` [Hz], ``surrogate_slope``, ``n_epochs``, ...).

    Returns
    -------
    SurrogateGradientSNN
        With ``.predict(X)``, ``.score(X, y)`` and ``.spike_counts(X)``.
    """
    return SurrogateGradientSNN(seed=seed, **params).fit(X, y)
