"""A small MLP encoder trained by hand-written backpropagation for joint-embedding self-supervised learning.

Architecture (Chen et al. 2020; Bardes et al. 2022), with ``r`` the representation the probes evaluate and ``z``
the embedding the SSL loss sees::

    x (n_inputs) -> Linear -> ReLU -> Linear -> ReLU = r (hidden_dim)        backbone
    r -> Linear = z (embedding_dim)                                          projector="linear"
    r -> Linear -> ReLU -> Linear = z (embedding_dim)                         projector="mlp"

One training step draws a mini-batch of images, makes two random views of each (:class:`~lnn_utils.ssl.augment.
Augment`), passes both views through the *same* weights, evaluates a loss ``L(z_a, z_b)`` that returns its own
gradients ``(dL/dz_a, dL/dz_b)`` (:mod:`lnn_utils.ssl.losses`), backpropagates them through both passes (the weight
gradient is the sum of the two) and updates the weights with Adam or SGD with momentum.

All parameters live in one contiguous vector (the weight matrices and biases are views into it), so the optimiser
updates every parameter with a handful of vector operations, and the gradients are written into one buffer.

References
----------
Chen, T., Kornblith, S., Norouzi, M. & Hinton, G. (2020). A simple framework for contrastive learning of visual
representations (SimCLR). *ICML*, arXiv:2002.05709.
Bardes, A., Ponce, J. & LeCun, Y. (2022). VICReg: variance-invariance-covariance regularization for
self-supervised learning. *ICLR*, arXiv:2105.04906.
Garrido, Q., Chen, Y., Bardes, A., Najman, L. & LeCun, Y. (2023). On the duality between contrastive and
non-contrastive self-supervised learning. *ICLR*, arXiv:2206.02574.
He, K., Zhang, X., Ren, S. & Sun, J. (2015). Delving deep into rectifiers. *ICCV* (the initialisation).
Kingma, D. P. & Ba, J. (2015). Adam: a method for stochastic optimization. *ICLR*, arXiv:1412.6980.
Loshchilov, I. & Hutter, F. (2019). Decoupled weight decay regularization. *ICLR*, arXiv:1711.05101.
"""

from __future__ import annotations

import numbers
import sys
import time

import numpy as np

from .._validation import as_generator, check_positive
from ..optim import OPTIMIZERS, SGD, Adam, make_optimizer  # noqa: F401  (re-exported)
from .augment import Augment

PROJECTORS = ("linear", "mlp")


class MLPEncoder:
    """Two-layer ReLU backbone plus a linear or MLP projector, with forward and backward passes in numpy.

    Parameters
    ----------
    n_inputs : int
        Input size (pixels per image, e.g. 64 for 8 x 8 digits).
    hidden_dim : int, default=256
        Width h of both backbone layers = size of the representation ``r``.
    embedding_dim : int, default=64
        Size M of the embedding ``z`` the loss sees.
    projector : {"linear", "mlp"}, default="linear"
        ``"linear"``: z = r W3 + b3. ``"mlp"``: z = relu(r W3 + b3) W4 + b4 (no batch norm).
    projector_hidden_dim : int, optional
        Width of the MLP projector's hidden layer; default ``hidden_dim``.
    seed : int, sequence of int or numpy.random.Generator, default=0
        Seed of the initialisation.
    dtype : {numpy.float32, numpy.float64}, default=numpy.float32
        Floating type of parameters and activations (float64 for gradient checks).

    Attributes
    ----------
    params : dict of str to ndarray
        ``"W1"`` (n_inputs, h), ``"b1"`` (h,), ``"W2"`` (h, h), ``"b2"`` (h,), ``"W3"`` (h, M or h_p),
        ``"b3"``, and for the MLP projector ``"W4"`` (h_p, M), ``"b4"`` (M,). Views into :attr:`flat_params`.
    flat_params : ndarray of shape (n_parameters,)
        Every parameter in one vector.
    decay_mask : ndarray of shape (n_parameters,)
        1 for weight-matrix entries, 0 for biases (weight decay applies to weights only).

    Notes
    -----
    Weights are initialised with He et al. (2015): W ~ N(0, 2 / fan_in), biases 0. With the (batch, features)
    layout, a layer computes ``y = x W + b``; its backward pass is ``dW = x^T dy``, ``db = sum_rows(dy)``,
    ``dx = dy W^T``, and a ReLU passes the gradient where its output is > 0.
    """

    def __init__(self, n_inputs, *, hidden_dim=256, embedding_dim=64, projector="linear", projector_hidden_dim=None,
                 seed=0, dtype=np.float32):
        self.n_inputs = check_positive(n_inputs, "n_inputs", integer=True)
        self.hidden_dim = check_positive(hidden_dim, "hidden_dim", integer=True)
        self.embedding_dim = check_positive(embedding_dim, "embedding_dim", integer=True)
        if projector not in PROJECTORS:
            raise ValueError(f"projector must be one of {PROJECTORS}, got {projector!r}")
        self.projector = projector
        if projector_hidden_dim is None:
            projector_hidden_dim = hidden_dim
        self.projector_hidden_dim = check_positive(projector_hidden_dim, "projector_hidden_dim", integer=True)
        self.dtype = np.dtype(dtype)
        if self.dtype not in (np.float32, np.float64):
            raise ValueError(f"dtype must be float32 or float64, got {self.dtype}")

        h = hidden_dim
        shapes = [("W1", (n_inputs, h)), ("b1", (h,)), ("W2", (h, h)), ("b2", (h,))]
        if projector == "linear":
            shapes += [("W3", (h, embedding_dim)), ("b3", (embedding_dim,))]
        else:
            hp = self.projector_hidden_dim
            shapes += [("W3", (h, hp)), ("b3", (hp,)), ("W4", (hp, embedding_dim)), ("b4", (embedding_dim,))]
        sizes = [int(np.prod(s)) for _, s in shapes]
        self.flat_params = np.zeros(sum(sizes), dtype=self.dtype)
        self.decay_mask = np.zeros(sum(sizes), dtype=self.dtype)
        self._flat_grads = np.zeros_like(self.flat_params)
        self.params, self._grads = {}, {}
        self._workspace = {}
        rng = as_generator(seed)
        start = 0
        for (name, shape), size in zip(shapes, sizes):
            stop = start + size
            self.params[name] = self.flat_params[start:stop].reshape(shape)
            self._grads[name] = self._flat_grads[start:stop].reshape(shape)
            if name.startswith("W"):
                self.params[name][...] = rng.normal(0.0, np.sqrt(2.0 / shape[0]), shape)
                self.decay_mask[start:stop] = 1
            start = stop

    @property
    def n_parameters(self):
        """Number of trainable scalars."""
        return self.flat_params.size

    def __repr__(self):
        return (f"MLPEncoder(n_inputs={self.n_inputs}, hidden_dim={self.hidden_dim}, "
                f"embedding_dim={self.embedding_dim}, projector={self.projector!r}, dtype={self.dtype.name})")

    def _as_input(self, X):
        X = np.asarray(X)
        if X.ndim == 3:
            X = X.reshape(len(X), -1)
        if X.ndim != 2 or X.shape[1] != self.n_inputs:
            raise ValueError(f"X must have shape (n_samples, {self.n_inputs}) or (n_samples, height, width) with "
                             f"height * width = {self.n_inputs}; got shape {np.shape(X)}")
        return np.ascontiguousarray(X, dtype=self.dtype)

    def _buffer(self, name, shape, dtype=None):
        """A work array kept between calls (re-allocating ~1 MB arrays every step costs page faults)."""
        buf = self._workspace.get(name)
        if buf is None or buf.shape != shape:
            buf = self._workspace[name] = np.empty(shape, dtype=self.dtype if dtype is None else dtype)
        return buf

    def _linear(self, x, w, b, name, reuse):
        shape = (len(x), w.shape[1])
        out = np.matmul(x, w, out=self._buffer(name, shape)) if reuse else x @ w
        out += b
        return out

    def forward(self, X, *, reuse_buffers=False):
        """Embeddings of a batch, and the activations the backward pass needs.

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_inputs) or (n_samples, height, width)
        reuse_buffers : bool, default=False
            Write the activations (and ``Z``) into arrays owned by the encoder, which the next call with
            ``reuse_buffers=True`` overwrites. Saves memory traffic in a training loop; keep False otherwise.

        Returns
        -------
        Z : ndarray of shape (n_samples, embedding_dim)
        cache : dict
            Input and post-ReLU activations (``"x"``, ``"a1"``, ``"r"`` and, for the MLP projector, ``"p"``).
        """
        p = self.params
        x = self._as_input(X)
        a1 = self._linear(x, p["W1"], p["b1"], "a1", reuse_buffers)
        np.maximum(a1, 0, out=a1)
        r = self._linear(a1, p["W2"], p["b2"], "r", reuse_buffers)
        np.maximum(r, 0, out=r)
        cache = {"x": x, "a1": a1, "r": r}
        if self.projector == "linear":
            z = self._linear(r, p["W3"], p["b3"], "z", reuse_buffers)
        else:
            q = self._linear(r, p["W3"], p["b3"], "p", reuse_buffers)
            np.maximum(q, 0, out=q)
            cache["p"] = q
            z = self._linear(q, p["W4"], p["b4"], "z", reuse_buffers)
        return z, cache

    def _backprop_relu(self, grad_out, w, activation, name):
        """Gradient wrt the post-ReLU ``activation`` feeding a layer ``w``: (grad_out W^T) * [activation > 0]."""
        grad = np.matmul(grad_out, w.T, out=self._buffer("d" + name, activation.shape))
        mask = np.greater(activation, 0, out=self._buffer("mask_" + name, activation.shape, bool))
        grad *= mask
        return grad

    def backward(self, grad_Z, cache):
        """Gradient of a scalar loss with respect to every parameter, given its gradient with respect to ``Z``.

        Parameters
        ----------
        grad_Z : ndarray of shape (n_samples, embedding_dim)
            dL/dZ for the batch that produced ``cache``.
        cache : dict
            From :meth:`forward`.

        Returns
        -------
        grads : dict of str to ndarray
            Same keys and shapes as :attr:`params`; views into one buffer (:attr:`flat_grads`) that the next call
            overwrites.
        """
        p, g = self.params, self._grads
        dz = np.asarray(grad_Z, dtype=self.dtype)
        r, a1, x = cache["r"], cache["a1"], cache["x"]
        if dz.shape != (len(x), self.embedding_dim):
            raise ValueError(f"grad_Z must have shape {(len(x), self.embedding_dim)} (the forward batch), "
                             f"got {dz.shape}")
        if self.projector == "linear":
            np.matmul(r.T, dz, out=g["W3"])
            np.sum(dz, axis=0, out=g["b3"])
            dr = self._backprop_relu(dz, p["W3"], r, "r")
        else:
            q = cache["p"]
            np.matmul(q.T, dz, out=g["W4"])
            np.sum(dz, axis=0, out=g["b4"])
            dq = self._backprop_relu(dz, p["W4"], q, "p")
            np.matmul(r.T, dq, out=g["W3"])
            np.sum(dq, axis=0, out=g["b3"])
            dr = self._backprop_relu(dq, p["W3"], r, "r")
        np.matmul(a1.T, dr, out=g["W2"])
        np.sum(dr, axis=0, out=g["b2"])
        da1 = self._backprop_relu(dr, p["W2"], a1, "a1")
        np.matmul(x.T, da1, out=g["W1"])
        np.sum(da1, axis=0, out=g["b1"])
        return g

    @property
    def flat_grads(self):
        """The gradient buffer of the last :meth:`backward` call, shape (n_parameters,)."""
        return self._flat_grads

    def representation(self, X, *, batch_size=4096):
        """Backbone output ``r`` (what linear probes and k-NN evaluate), shape (n_samples, hidden_dim)."""
        x = self._as_input(X)
        p = self.params
        out = np.empty((len(x), self.hidden_dim), dtype=self.dtype)
        for s in range(0, len(x), batch_size):
            a1 = np.maximum(x[s:s + batch_size] @ p["W1"] + p["b1"], 0)
            out[s:s + batch_size] = np.maximum(a1 @ p["W2"] + p["b2"], 0)
        return out

    def embed(self, X, *, batch_size=4096):
        """Projector output ``z`` (what the SSL loss sees), shape (n_samples, embedding_dim)."""
        x = self._as_input(X)
        return np.concatenate([self.forward(x[s:s + batch_size])[0] for s in range(0, len(x), batch_size)])


class ProgressBar:
    """A minimal text progress bar on ``stream`` (default stderr).

    On a terminal it redraws one line in place (at most ~10 times a second); elsewhere (notebooks, logs, CI) it
    prints a single line when closed, so stored outputs stay one line long.
    """

    def __init__(self, total, *, description="", stream=None, width=24):
        self.total = total
        self.description = description
        self.stream = sys.stderr if stream is None else stream
        self.width = width
        self.live = bool(getattr(self.stream, "isatty", lambda: False)())
        self._start = time.perf_counter()
        self._last = -1.0
        self._text = ""

    def _line(self, done, postfix):
        filled = int(self.width * done / max(self.total, 1))
        elapsed = time.perf_counter() - self._start
        bar = "#" * filled + "." * (self.width - filled)
        return f"{self.description} [{bar}] {done}/{self.total} {elapsed:5.1f}s {postfix}".strip()

    def update(self, done, postfix=""):
        """Record progress ``done`` (out of ``total``) with a short status text."""
        self._text = self._line(done, postfix)
        now = time.perf_counter()
        if self.live and (now - self._last > 0.1 or done == self.total):
            self.stream.write("\r" + self._text)
            self.stream.flush()
            self._last = now

    def close(self):
        """Finish the line (terminal) or print the final state (elsewhere)."""
        self.stream.write(("\r" if self.live else "") + self._text + "\n")
        self.stream.flush()


def _get_loss(loss):
    if callable(loss):
        return loss
    # Imported here so the encoder works (with a callable loss) independently of the losses module.
    from .losses import LOSSES
    if loss not in LOSSES:
        raise ValueError(f"loss must be a callable or one of {sorted(LOSSES)}, got {loss!r}")
    return LOSSES[loss]


def _as_images(X):
    X = np.asarray(X)
    if X.ndim == 2:
        side = int(round(np.sqrt(X.shape[1])))
        if side * side != X.shape[1]:
            raise ValueError(f"X of shape {X.shape} has rows that are not square images; pass images of shape "
                             f"(n_samples, height, width) instead")
        X = X.reshape(len(X), side, side)
    if X.ndim != 3:
        raise ValueError(f"X must be images of shape (n_samples, height, width) or square images flattened to "
                         f"(n_samples, height * width), got shape {X.shape}")
    if not np.all(np.isfinite(X)):
        raise ValueError("X contains NaN or infinite values")
    return X


def _streams(seed):
    """Independent generators for the initialisation and for the data order + augmentations."""
    if isinstance(seed, np.random.Generator):
        return [np.random.default_rng(s) for s in seed.integers(0, 2 ** 63, 2)]
    if seed is not None and not isinstance(seed, (numbers.Integral, list, tuple, np.ndarray)):
        raise TypeError(f"seed must be an int, a sequence of ints or a numpy Generator, got {type(seed).__name__}")
    return [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(2)]


def train_ssl(X, loss="vicreg", *, embedding_dim=64, hidden_dim=256, projector="linear", batch_size=256,
              n_epochs=30, optimizer="adam", lr=None, momentum=0.9, weight_decay=0.0, loss_kwargs=None,
              augment=None, seed=0, dtype=np.float32, progress=False, callback=None):
    """Train an :class:`MLPEncoder` with a joint-embedding SSL loss on two augmented views of each image.

    Parameters
    ----------
    X : ndarray of shape (n_samples, height, width), or (n_samples, side * side) for square images
        Unlabelled training images (e.g. :func:`lnn_utils.datasets.load_digits`, grey values in [0, 1]).
    loss : str or callable, default="vicreg"
        A name in :data:`lnn_utils.ssl.losses.LOSSES` ("simclr", "dcl", "vicreg", "barlow_twins", "vicreg_exp",
        "vicreg_ctr"), or a function ``loss(z_a, z_b, **loss_kwargs) -> (value, dL/dz_a, dL/dz_b)`` on arrays of
        shape (batch_size, embedding_dim).
    embedding_dim : int, default=64
        Embedding size M (the projector's output).
    hidden_dim : int, default=256
        Backbone width = representation size.
    projector : {"linear", "mlp"}, default="linear"
    batch_size : int, default=256
        Images per step (each gives two views, so the network sees 2 * batch_size rows). Batches are drawn
        without replacement each epoch and the last incomplete one is dropped, so every step uses the same batch
        size (contrastive losses depend on it). If ``batch_size`` exceeds the data, one batch of all samples.
    n_epochs : int, default=30
        Passes over the data. 0 returns the untrained encoder: the random baseline with exactly the
        initialisation a training run with the same ``seed`` starts from.
    optimizer : {"adam", "sgd"}, default="adam"
    lr : float, optional
        Learning rate; default 1e-3 for Adam, 0.05 for SGD.
    momentum : float, default=0.9
        SGD momentum (ignored by Adam).
    weight_decay : float, default=0.0
        On weight matrices only: decoupled for Adam (AdamW), L2 for SGD.
    loss_kwargs : dict, optional
        Extra keyword arguments of the loss (e.g. ``{"temperature": 0.2}``).
    augment : callable, optional
        ``augment(images, rng) -> images`` making one random view; default :class:`Augment` ().
    seed : int, sequence of int or numpy.random.Generator, default=0
        Two independent streams are derived from it: one initialises the weights, the other draws the batches
        and augmentations. Runs that differ only in, say, ``embedding_dim`` therefore see the same batches and
        views (common random numbers, which makes differences between settings less noisy).
    dtype : {numpy.float32, numpy.float64}, default=numpy.float32
    progress : bool, default=False
        Show a :class:`ProgressBar` (live on a terminal, one final line elsewhere).
    callback : callable, optional
        ``callback(epoch, encoder, history)`` called after each epoch (e.g. to track the effective rank).

    Returns
    -------
    encoder : MLPEncoder
    history : dict
        ``"loss"``: ndarray (n_epochs,), mean loss of each epoch; ``"step_loss"``: ndarray (n_steps,);
        ``"time"``: wall-clock seconds of the whole training; ``"n_steps"``.

    Notes
    -----
    One step: sample B images, two views ``x_a = t_a(x)``, ``x_b = t_b(x)``; ``z = f(x)`` for both (stacked into
    one (2B, d) batch, since the weights are shared); ``(L, dL/dz_a, dL/dz_b) = loss(z_a, z_b)``; backpropagate the
    stacked gradient, so that ``dL/dtheta = J_a^T dL/dz_a + J_b^T dL/dz_b``; one optimiser step.
    """
    images = _as_images(X)
    n = len(images)
    check_positive(batch_size, "batch_size", integer=True)
    check_positive(n_epochs, "n_epochs", integer=True, allow_zero=True)
    if n < 2:
        raise ValueError(f"X must hold at least 2 images, got {n}")
    loss_fn = _get_loss(loss)
    loss_kwargs = {} if loss_kwargs is None else dict(loss_kwargs)
    augment = Augment() if augment is None else augment
    if not callable(augment):
        raise TypeError(f"augment must be callable as augment(images, rng), got {type(augment).__name__}")
    init_rng, rng = _streams(seed)
    encoder = MLPEncoder(images[0].size, hidden_dim=hidden_dim, embedding_dim=embedding_dim, projector=projector,
                         seed=init_rng, dtype=dtype)
    opt = make_optimizer(optimizer, lr=lr, momentum=momentum, weight_decay=weight_decay)
    images = images.astype(encoder.dtype, copy=False)
    b = min(batch_size, n)
    n_batches = n // b
    step_losses = np.empty(n_epochs * n_batches)
    epoch_losses = np.empty(n_epochs)
    history = {"loss": epoch_losses, "step_loss": step_losses, "time": 0.0, "n_steps": 0}
    bar = None
    if progress and n_epochs > 0:
        bar = ProgressBar(n_epochs, description=loss if isinstance(loss, str) else "ssl")
    start = time.perf_counter()
    step = 0
    for epoch in range(n_epochs):
        order = rng.permutation(n)
        for i in range(n_batches):
            batch = images[order[i * b:(i + 1) * b]]
            views = np.concatenate([augment(batch, rng), augment(batch, rng)]).reshape(2 * b, -1)
            z, cache = encoder.forward(views, reuse_buffers=True)
            value, grad_a, grad_b = loss_fn(z[:b], z[b:], **loss_kwargs)
            if not np.isfinite(value):
                raise FloatingPointError(f"the loss became {value} at epoch {epoch}, step {i}; lower lr or "
                                         f"change the loss coefficients")
            encoder.backward(np.concatenate([grad_a, grad_b]), cache)
            opt.step(encoder.flat_params, encoder.flat_grads, encoder.decay_mask)
            step_losses[step] = value
            step += 1
        epoch_losses[epoch] = step_losses[step - n_batches:step].mean()
        history["n_steps"] = step
        if bar is not None:
            bar.update(epoch + 1, f"loss {epoch_losses[epoch]:.4g}")
        if callback is not None:
            callback(epoch, encoder, history)
    history["time"] = time.perf_counter() - start
    if bar is not None:
        bar.close()
    return encoder, history
