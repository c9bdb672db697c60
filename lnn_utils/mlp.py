"""The package's one hand-written multi-layer perceptron: layers with explicit forward and backward passes.

Every network of the package that learns by (approximate) gradients is built from these layers: the SSL encoder
(:mod:`lnn_utils.ssl`), the credit-assignment rules of notebook 09 (:mod:`lnn_utils.credit_assignment`:
backpropagation, feedback alignment, direct feedback alignment, predictive coding) and the networks mapped onto
crossbars (notebook 10). Nothing here uses automatic differentiation: each layer's ``forward`` caches what its
``backward`` needs, and ``backward`` returns the gradient with respect to the layer's input and writes the
gradients of its parameters.

Layout and equations (rows are samples, the (batch, features) layout)::

    Linear      y = x W + b          dW = x^T g,  db = sum_rows(g),  dx = g W^T   (or g B with a fixed feedback B)
    ReLU        y = max(x, 0)        dx = g * [y > 0]
    Tanh        y = tanh(x)          dx = g * (1 - y^2)
    Sigmoid     y = 1 / (1 + e^-x)   dx = g * y (1 - y)
    BatchNorm   y = gamma (x - mu) / sqrt(var + eps) + beta   (batch statistics when training, running ones in eval)

:class:`MLP` chains layers and keeps *all* their parameters in one contiguous vector (:attr:`MLP.flat_params`;
each layer's arrays are views into it) and all gradients in another (:attr:`MLP.flat_grads`), so an optimiser
(:mod:`lnn_utils.optim`) updates every parameter with a handful of vector operations.

Examples
--------
>>> import numpy as np
>>> from lnn_utils.mlp import MLP, softmax_cross_entropy
>>> net = MLP.from_sizes([64, 100, 10], seed=0, dtype=np.float64)   # 64 -> Linear -> ReLU -> Linear -> 10
>>> X, y = np.random.default_rng(0).random((5, 64)), np.array([0, 1, 2, 3, 4])
>>> loss, grad_logits = softmax_cross_entropy(net.forward(X), y)
>>> _ = net.backward(grad_logits)            # fills net.flat_grads
>>> net.flat_grads.shape == net.flat_params.shape
True

References
----------
Rumelhart, D. E., Hinton, G. E. & Williams, R. J. (1986). Learning representations by back-propagating errors.
*Nature* 323:533-536.
He, K., Zhang, X., Ren, S. & Sun, J. (2015). Delving deep into rectifiers. *ICCV* (the "he" initialisation).
Glorot, X. & Bengio, Y. (2010). Understanding the difficulty of training deep feedforward neural networks.
*AISTATS* (the "glorot" initialisation).
Ioffe, S. & Szegedy, C. (2015). Batch normalization. *ICML*, arXiv:1502.03167.
Lillicrap, T. P., Cownden, D., Tweed, D. B. & Akerman, C. J. (2016). Random synaptic feedback weights support
error backpropagation for deep learning. *Nat Commun* 7:13276 (the fixed feedback matrix of :class:`Linear`).
"""

from __future__ import annotations

import copy

import numpy as np

from ._validation import as_generator, check_positive

INITS = ("he", "glorot")
ACTIVATIONS = ("relu", "tanh", "sigmoid")
DTYPES = (np.float32, np.float64)


def _check_dtype(dtype):
    dtype = np.dtype(dtype)
    if dtype not in DTYPES:
        raise ValueError(f"dtype must be float32 or float64, got {dtype}")
    return dtype


class Layer:
    """Base class: a layer with parameters ``params`` (name -> array) and their gradients ``grads``.

    Attributes
    ----------
    params : dict of str to ndarray
        Trainable arrays (empty for activations). Inside an :class:`MLP` they are views into its flat vector.
    grads : dict of str to ndarray
        Same keys and shapes; written (overwritten, not accumulated) by :meth:`backward`.
    decay : tuple of str
        Names of the parameters weight decay applies to (weight matrices, not biases or BatchNorm scales).
    training : bool
        Training mode (batch statistics in :class:`BatchNorm`); set through :meth:`MLP.train` / :meth:`MLP.eval`.
    """

    decay = ()

    def __init__(self):
        self.params = {}
        self.grads = {}
        self.training = True

    def forward(self, x):
        """Output for input ``x`` of shape (n_samples, n_in); caches what :meth:`backward` needs."""
        raise NotImplementedError

    def backward(self, grad_out, *, input_grad=True):
        """Given dL/dy of the last :meth:`forward`, write the parameter gradients and return dL/dx (or None)."""
        raise NotImplementedError

    def __repr__(self):
        return f"{type(self).__name__}()"


class Linear(Layer):
    """Affine layer ``y = x W + b`` with W of shape (n_in, n_out).

    Parameters
    ----------
    n_in, n_out : int
        Input and output sizes.
    bias : bool, default=True
        Learn a bias ``b`` of shape (n_out,) (initialised to 0).
    init : {"he", "glorot"}, default="he"
        W ~ N(0, 2 / n_in) (He et al. 2015, for ReLU) or N(0, 2 / (n_in + n_out)) (Glorot & Bengio 2010).
    seed : int or numpy.random.Generator, default=0
        Seed of the initialisation.
    dtype : {numpy.float32, numpy.float64}, default=numpy.float64

    Attributes
    ----------
    W : ndarray of shape (n_in, n_out)
    b : ndarray of shape (n_out,) or None
    feedback : ndarray of shape (n_out, n_in) or None
        Matrix ``B`` through which :meth:`backward` sends the error to the input, ``dx = g B``, instead of the
        transpose of the forward weights, ``dx = g W^T`` (None, the default: exact backpropagation). A fixed
        random ``B`` is feedback alignment (Lillicrap et al. 2016); ``B = W^T`` is backpropagation again.
    """

    decay = ("W",)

    def __init__(self, n_in, n_out, *, bias=True, init="he", seed=0, dtype=np.float64):
        super().__init__()
        self.n_in = check_positive(n_in, "n_in", integer=True)
        self.n_out = check_positive(n_out, "n_out", integer=True)
        if init not in INITS:
            raise ValueError(f"init must be one of {INITS}, got {init!r}")
        dtype = _check_dtype(dtype)
        rng = as_generator(seed)
        var = 2.0 / n_in if init == "he" else 2.0 / (n_in + n_out)
        self.params["W"] = rng.normal(0.0, np.sqrt(var), (n_in, n_out)).astype(dtype)
        if bias:
            self.params["b"] = np.zeros(n_out, dtype=dtype)
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}
        self.init = init
        self.feedback = None
        self._x = None

    @property
    def W(self):
        """Weight matrix, shape (n_in, n_out)."""
        return self.params["W"]

    @property
    def b(self):
        """Bias, shape (n_out,), or None without bias."""
        return self.params.get("b")

    def forward(self, x):
        self._x = x
        out = x @ self.params["W"]
        if "b" in self.params:
            out += self.params["b"]
        return out

    def backward(self, grad_out, *, input_grad=True):
        """Write dW = x^T g and db = sum_rows(g); return dx = g W^T (or g B with :attr:`feedback` B) or None.

        Parameters
        ----------
        grad_out : ndarray of shape (n_samples, n_out)
            dL/dy for the batch of the last :meth:`forward`.
        input_grad : bool, default=True
            Compute dx; False for a first layer, whose input needs no gradient.
        """
        np.matmul(self._x.T, grad_out, out=self.grads["W"])
        if "b" in self.params:
            np.sum(grad_out, axis=0, out=self.grads["b"])
        if not input_grad:
            return None
        return grad_out @ (self.params["W"].T if self.feedback is None else self.feedback)

    def __repr__(self):
        return f"Linear({self.n_in}, {self.n_out}, bias={'b' in self.params})"


class ReLU(Layer):
    """Rectifier ``y = max(x, 0)``; ``dx = g * [y > 0]``."""

    def forward(self, x):
        out = np.maximum(x, 0)
        self._mask = out > 0
        return out

    def backward(self, grad_out, *, input_grad=True):
        return grad_out * self._mask if input_grad else None


class Tanh(Layer):
    """``y = tanh(x)``; ``dx = g * (1 - y^2)``."""

    def forward(self, x):
        self._y = np.tanh(x)
        return self._y

    def backward(self, grad_out, *, input_grad=True):
        return grad_out * (1 - self._y ** 2) if input_grad else None


class Sigmoid(Layer):
    """Logistic ``y = 1 / (1 + exp(-x))``; ``dx = g * y (1 - y)``."""

    def forward(self, x):
        # tanh form: exact and free of overflow warnings for large |x|.
        self._y = 0.5 * (1 + np.tanh(0.5 * x))
        return self._y

    def backward(self, grad_out, *, input_grad=True):
        return grad_out * self._y * (1 - self._y) if input_grad else None


_ACTIVATION_LAYERS = {"relu": ReLU, "tanh": Tanh, "sigmoid": Sigmoid}


class BatchNorm(Layer):
    """Batch normalisation over the batch axis (Ioffe & Szegedy 2015), with a learned scale and shift.

    Training mode: ``mu, var`` are the mean and the biased variance of the batch (per feature),
    ``x_hat = (x - mu) / sqrt(var + eps)``, ``y = gamma * x_hat + beta``, and the running statistics move by
    ``running <- (1 - momentum) running + momentum * batch`` (the unbiased variance, n / (n - 1) var, as PyTorch).
    Evaluation mode: the same with the running statistics in place of the batch's.

    The exact training-mode backward pass differentiates through ``mu`` and ``var``::

        dx = (1 / sqrt(var + eps)) * (g_hat - mean(g_hat) - x_hat * mean(g_hat * x_hat)),   g_hat = g * gamma

    (means over the batch); in evaluation mode the statistics are constants and ``dx = g * gamma / sqrt(rv + eps)``.

    Parameters
    ----------
    n_features : int
    momentum : float, default=0.1
        Weight of the current batch in the running statistics, in (0, 1].
    eps : float, default=1e-5
        Added to the variance.
    affine : bool, default=True
        Learn ``gamma`` (initialised to 1) and ``beta`` (0); without them ``y = x_hat``.
    dtype : {numpy.float32, numpy.float64}, default=numpy.float64

    Attributes
    ----------
    running_mean, running_var : ndarray of shape (n_features,)
        Not trainable (outside the flat parameter vector).
    """

    def __init__(self, n_features, *, momentum=0.1, eps=1e-5, affine=True, dtype=np.float64):
        super().__init__()
        self.n_features = check_positive(n_features, "n_features", integer=True)
        self.momentum = check_positive(momentum, "momentum")
        if momentum > 1:
            raise ValueError(f"momentum must be in (0, 1], got {momentum!r}")
        self.eps = check_positive(eps, "eps")
        dtype = _check_dtype(dtype)
        if affine:
            self.params["gamma"] = np.ones(n_features, dtype=dtype)
            self.params["beta"] = np.zeros(n_features, dtype=dtype)
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}
        self.running_mean = np.zeros(n_features, dtype=dtype)
        self.running_var = np.ones(n_features, dtype=dtype)

    def forward(self, x):
        if self.training:
            n = len(x)
            if n < 2:
                raise ValueError(f"BatchNorm in training mode needs a batch of at least 2 samples, got {n}; "
                                 f"use a larger batch or call eval() first")
            mu = x.mean(axis=0)
            var = x.var(axis=0)
            m = self.momentum
            self.running_mean *= 1 - m
            self.running_mean += m * mu
            self.running_var *= 1 - m
            self.running_var += (m * n / (n - 1)) * var
        else:
            mu, var = self.running_mean, self.running_var
        self._inv_std = 1.0 / np.sqrt(var + self.eps)
        self._x_hat = (x - mu) * self._inv_std
        if "gamma" in self.params:
            return self._x_hat * self.params["gamma"] + self.params["beta"]
        return self._x_hat.copy()

    def backward(self, grad_out, *, input_grad=True):
        x_hat = self._x_hat
        if "gamma" in self.params:
            np.sum(grad_out * x_hat, axis=0, out=self.grads["gamma"])
            np.sum(grad_out, axis=0, out=self.grads["beta"])
            g_hat = grad_out * self.params["gamma"]
        else:
            g_hat = grad_out
        if not input_grad:
            return None
        if not self.training:
            return g_hat * self._inv_std
        return self._inv_std * (g_hat - g_hat.mean(axis=0) - x_hat * (g_hat * x_hat).mean(axis=0))

    def __repr__(self):
        return f"BatchNorm({self.n_features}, affine={'gamma' in self.params})"


class MLP:
    """A chain of layers whose parameters and gradients live in two flat vectors.

    Parameters
    ----------
    layers : sequence of Layer
        Applied in order. Their current parameter values are copied into :attr:`flat_params` (cast to
        ``dtype``) and each layer's ``params`` / ``grads`` become views into the flat vectors.
    dtype : {numpy.float32, numpy.float64}, default=numpy.float32
        Floating type of parameters and activations (float64 for gradient checks).

    Attributes
    ----------
    layers : list of Layer
    flat_params : ndarray of shape (n_parameters,)
        Every trainable scalar, layer by layer, in each layer's ``params`` order (W then b for a Linear).
    flat_grads : ndarray of shape (n_parameters,)
        The gradient written by the last :meth:`backward`, same layout.
    decay_mask : ndarray of shape (n_parameters,)
        1 for weight-matrix entries, 0 for biases and BatchNorm scales (weight decay applies to weights only).
    n_inputs, n_outputs : int
        Sizes of the first and last Linear layer.

    Notes
    -----
    :meth:`forward` caches activations inside the layers; :meth:`backward` must follow the forward pass of the
    same batch. Gradients are overwritten by each :meth:`backward`; to sum two passes, stack their batches.
    """

    def __init__(self, layers, *, dtype=np.float32):
        self.layers = list(layers)
        if not self.layers or not all(isinstance(layer, Layer) for layer in self.layers):
            raise TypeError("layers must be a non-empty sequence of lnn_utils.mlp.Layer objects")
        if not self.linear_layers:
            raise ValueError("an MLP needs at least one Linear layer")
        self.dtype = _check_dtype(dtype)
        entries = [(layer, name) for layer in self.layers for name in layer.params]
        sizes = [layer.params[name].size for layer, name in entries]
        self.flat_params = np.zeros(sum(sizes), dtype=self.dtype)
        self.flat_grads = np.zeros_like(self.flat_params)
        self.decay_mask = np.zeros_like(self.flat_params)
        start = 0
        for (layer, name), size in zip(entries, sizes):
            stop = start + size
            shape = layer.params[name].shape
            self.flat_params[start:stop] = layer.params[name].ravel()
            layer.params[name] = self.flat_params[start:stop].reshape(shape)
            layer.grads[name] = self.flat_grads[start:stop].reshape(shape)
            if name in layer.decay:
                self.decay_mask[start:stop] = 1
            start = stop
        for layer in self.layers:
            for attr in ("running_mean", "running_var", "feedback"):
                value = getattr(layer, attr, None)
                if value is not None:
                    setattr(layer, attr, np.asarray(value, dtype=self.dtype).copy())

    @classmethod
    def from_sizes(cls, sizes, *, activation="relu", batch_norm=False, output_activation=None, init="he",
                   seed=0, dtype=np.float32):
        """Build ``Linear -> [BatchNorm] -> activation`` blocks for ``sizes = [n_in, h_1, ..., n_out]``.

        Parameters
        ----------
        sizes : sequence of int
            Layer widths, input first, at least two entries (all > 0).
        activation : {"relu", "tanh", "sigmoid"}, default="relu"
            Nonlinearity after every hidden Linear layer.
        batch_norm : bool, default=False
            Insert a :class:`BatchNorm` between each hidden Linear layer and its activation.
        output_activation : {None, "relu", "tanh", "sigmoid"}, default=None
            Nonlinearity after the last Linear layer (None: linear outputs, e.g. logits).
        init : {"he", "glorot"}, default="he"
        seed : int or numpy.random.Generator, default=0
            One generator draws the weight matrices in layer order (``rng.normal(0, sqrt(2 / n_in), (n_in,
            n_out))`` for each, with "he").
        dtype : {numpy.float32, numpy.float64}, default=numpy.float32

        Returns
        -------
        MLP
        """
        sizes = list(sizes)
        if len(sizes) < 2:
            raise ValueError(f"sizes must list at least an input and an output size, got {sizes!r}")
        for i, s in enumerate(sizes):
            check_positive(s, f"sizes[{i}]", integer=True)
        for name, value, allowed in (("activation", activation, ACTIVATIONS),
                                     ("output_activation", output_activation, (None,) + ACTIVATIONS)):
            if value not in allowed:
                raise ValueError(f"{name} must be one of {allowed}, got {value!r}")
        rng = as_generator(seed)
        dtype = _check_dtype(dtype)
        layers = []
        for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            layers.append(Linear(n_in, n_out, init=init, seed=rng, dtype=dtype))
            if i < len(sizes) - 2:
                if batch_norm:
                    layers.append(BatchNorm(n_out, dtype=dtype))
                layers.append(_ACTIVATION_LAYERS[activation]())
            elif output_activation is not None:
                layers.append(_ACTIVATION_LAYERS[output_activation]())
        return cls(layers, dtype=dtype)

    # ------------------------------------------------------------------------------------------ structure
    @property
    def linear_layers(self):
        """The :class:`Linear` layers, in order."""
        return [layer for layer in self.layers if isinstance(layer, Linear)]

    @property
    def weights(self):
        """Weight matrices of the Linear layers, each of shape (n_in, n_out) (views: writing them changes the net)."""
        return [layer.W for layer in self.linear_layers]

    @property
    def biases(self):
        """Biases of the Linear layers, each of shape (n_out,) or None (views)."""
        return [layer.b for layer in self.linear_layers]

    @property
    def n_inputs(self):
        return self.linear_layers[0].n_in

    @property
    def n_outputs(self):
        return self.linear_layers[-1].n_out

    @property
    def n_parameters(self):
        """Number of trainable scalars."""
        return self.flat_params.size

    def named_parameters(self):
        """List of ``(name, array)`` in flat-vector order, names like ``"0.W"`` (layer index, parameter)."""
        return [(f"{i}.{name}", arr) for i, layer in enumerate(self.layers) for name, arr in layer.params.items()]

    def copy(self):
        """An independent deep copy (own flat vectors, same values, same mode)."""
        return MLP(copy.deepcopy(self.layers), dtype=self.dtype)

    def __deepcopy__(self, memo):
        # A plain deepcopy would copy the layers' parameter views and the flat vectors separately, breaking the
        # link between them (an optimiser stepping the copy's flat vector would not move its layers).
        return self.copy()

    def train(self, mode=True):
        """Set training mode (True) or evaluation mode (False) on every layer; returns ``self``."""
        for layer in self.layers:
            layer.training = bool(mode)
        return self

    def eval(self):
        """Evaluation mode (BatchNorm uses its running statistics); returns ``self``."""
        return self.train(False)

    @property
    def training(self):
        return self.layers[0].training

    def __repr__(self):
        inner = ", ".join(repr(layer) for layer in self.layers)
        return f"MLP([{inner}], dtype={self.dtype.name})"

    # ------------------------------------------------------------------------------------------ passes
    def _as_input(self, X):
        X = np.asarray(X)
        if X.ndim != 2 or X.shape[1] != self.n_inputs:
            raise ValueError(f"X must have shape (n_samples, {self.n_inputs}), got shape {X.shape}")
        return np.ascontiguousarray(X, dtype=self.dtype)

    def forward(self, X):
        """Output of the last layer for a batch, caching every layer's activations for :meth:`backward`.

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_inputs)

        Returns
        -------
        out : ndarray of shape (n_samples, n_outputs)
        """
        h = self._as_input(X)
        for layer in self.layers:
            h = layer.forward(h)
        return h

    def backward(self, grad_out, *, input_grad=False):
        """Backpropagate dL/d(output) of the last :meth:`forward` through every layer; fills :attr:`flat_grads`.

        Linear layers with a :attr:`Linear.feedback` matrix send the error back through it (feedback alignment).

        Parameters
        ----------
        grad_out : ndarray of shape (n_samples, n_outputs)
        input_grad : bool, default=False
            Also return dL/dX (computing it costs one more matrix product).

        Returns
        -------
        grad_X : ndarray of shape (n_samples, n_inputs) or None
        """
        g = np.asarray(grad_out, dtype=self.dtype)
        x = self.linear_layers[0]._x
        if x is None or g.shape != (len(x), self.n_outputs):
            raise ValueError(f"grad_out must have shape (batch of the last forward, {self.n_outputs}), "
                             f"got {g.shape}")
        last = len(self.layers) - 1
        for i in range(last, -1, -1):
            g = self.layers[i].backward(g, input_grad=input_grad or i > 0)
        return g

    def predict_batches(self, X, *, batch_size=4096):
        """:meth:`forward` in chunks (for large X), returning the outputs of shape (n_samples, n_outputs)."""
        x = self._as_input(X)
        return np.concatenate([self.forward(x[s:s + batch_size]) for s in range(0, max(len(x), 1), batch_size)])


def softmax(logits):
    """Row-wise softmax ``p_k = exp(z_k) / sum_j exp(z_j)`` of logits of shape (n_samples, n_classes)."""
    z = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def softmax_cross_entropy(logits, labels):
    """Mean cross-entropy of a softmax readout and its gradient with respect to the logits.

    ``L = -(1 / n) sum_i log p_{i, y_i}`` with ``p = softmax(logits)``; ``dL/dlogits = (p - onehot(y)) / n``.

    Parameters
    ----------
    logits : ndarray of shape (n_samples, n_classes)
    labels : ndarray of int of shape (n_samples,)
        Classes in 0 .. n_classes - 1.

    Returns
    -------
    loss : float
    grad : ndarray of shape (n_samples, n_classes)
    """
    n = len(logits)
    z = logits - logits.max(axis=1, keepdims=True)
    log_norm = np.log(np.exp(z).sum(axis=1, keepdims=True))
    log_p = z - log_norm
    rows = np.arange(n)
    loss = -float(log_p[rows, labels].mean())
    grad = np.exp(log_p)
    grad[rows, labels] -= 1
    grad /= n
    return loss, grad
