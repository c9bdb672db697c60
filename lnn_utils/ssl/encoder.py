"""A small MLP encoder for joint-embedding self-supervised learning, built on the package's one hand-written MLP.

Architecture (Chen et al. 2020; Bardes et al. 2022; Garrido et al. 2023, Sec. 5), with ``r`` the representation
the probes evaluate and ``z`` the embedding the SSL loss sees::

    x (n_inputs) -> Linear -> ReLU -> Linear -> ReLU = r (hidden_dim)            backbone
    r -> Linear = z (embedding_dim)                                              projector="linear"
    r -> [Linear -> BatchNorm -> ReLU] x k -> Linear (no bias) = z                projector="mlp"

The MLP projector is the paper's "X-Y-Z" design: hidden Linear layers each followed by batch normalisation and a
ReLU, and a last Linear layer without activation, batch normalisation or bias (Garrido et al. 2023, Sec. 5,
"Projector architecture"; the order Linear-BN-ReLU is that of the official VICReg code). Its hidden widths are
``projector_hidden_dim`` (``d-d-d`` = two hidden layers of width d and an output of width d).

The layers, their forward and backward passes and the flat parameter vector are :mod:`lnn_utils.mlp`'s (the
package holds one hand-written backpropagation); the optimisers and the learning-rate schedule are
:mod:`lnn_utils.optim`'s.

One training step draws a mini-batch of images, makes two random views of each (:class:`~lnn_utils.ssl.augment.
Augment`), passes both views through the *same* weights as one stacked batch, evaluates a loss ``L(z_a, z_b)``
that returns its own gradients ``(dL/dz_a, dL/dz_b)`` (:mod:`lnn_utils.ssl.losses`), backpropagates them (the
weight gradient is the sum over both views) and updates the weights with Adam or SGD with momentum. With the MLP
projector the two views share the batch-norm statistics of the stacked batch.

References
----------
Chen, T., Kornblith, S., Norouzi, M. & Hinton, G. (2020). A simple framework for contrastive learning of visual
representations (SimCLR). *ICML*, arXiv:2002.05709.
Bardes, A., Ponce, J. & LeCun, Y. (2022). VICReg: variance-invariance-covariance regularization for
self-supervised learning. *ICLR*, arXiv:2105.04906.
Garrido, Q., Chen, Y., Bardes, A., Najman, L. & LeCun, Y. (2023). On the duality between contrastive and
non-contrastive self-supervised learning. *ICLR*, arXiv:2206.02574.
He, K., Zhang, X., Ren, S. & Sun, J. (2015). Delving deep into rectifiers. *ICCV* (the initialisation).
Ioffe, S. & Szegedy, C. (2015). Batch normalization. *ICML*, arXiv:1502.03167.
Loshchilov, I. & Hutter, F. (2017). SGDR: stochastic gradient descent with warm restarts. *ICLR*,
arXiv:1608.03983 (the cosine schedule).
"""

from __future__ import annotations

import numbers
import time

import numpy as np

from .._validation import as_generator, check_positive
from ..blas import one_blas_thread
from ..mlp import MLP, BatchNorm, Linear, ReLU
from ..optim import OPTIMIZERS, SGD, Adam, WarmupCosine, make_optimizer  # noqa: F401  (re-exported)
from ..progress import progress_bar
from .augment import Augment

PROJECTORS = ("linear", "mlp")
LR_SCHEDULES = ("constant", "warmup_cosine")


class MLPEncoder:
    """Two-layer ReLU backbone plus a linear or batch-normalised MLP projector (an :class:`lnn_utils.mlp.MLP`).

    Parameters
    ----------
    n_inputs : int
        Input size (pixels per image, e.g. 64 for 8 x 8 digits).
    hidden_dim : int, default=256
        Width h of both backbone layers = size of the representation ``r``.
    embedding_dim : int, default=64
        Size M of the embedding ``z`` the loss sees.
    projector : {"linear", "mlp"}, default="linear"
        ``"linear"``: z = r W3 + b3. ``"mlp"``: Linear-BatchNorm-ReLU blocks, then a Linear layer without bias.
    projector_hidden_dim : int or sequence of int, optional
        Widths of the MLP projector's hidden layers (one layer per entry); default ``(hidden_dim,)``. Ignored by
        the linear projector.
    seed : int or numpy.random.Generator, default=0
        Seed of the initialisation (one seed: call once per seed for several networks).
    dtype : {numpy.float32, numpy.float64}, default=numpy.float32
        Floating type of parameters and activations (float64 for gradient checks).

    Attributes
    ----------
    net : lnn_utils.mlp.MLP
        The whole network, backbone then projector.
    params : dict of str to ndarray
        ``"W1"`` (n_inputs, h), ``"b1"`` (h,), ``"W2"`` (h, h), ``"b2"`` (h,), then the projector's Linear layers
        ``"W3"``, ``"b3"``, ... (the MLP projector's last layer has no bias) and its batch norms ``"gamma3"``,
        ``"beta3"`` (following Linear 3), ... Views into :attr:`flat_params`.
    flat_params : ndarray of shape (n_parameters,)
        Every parameter in one vector.
    decay_mask : ndarray of shape (n_parameters,)
        1 for weight-matrix entries, 0 for biases and batch-norm scales (weight decay applies to weights only).

    Notes
    -----
    Weights are initialised with He et al. (2015): W ~ N(0, 2 / fan_in), drawn in layer order from one generator;
    biases 0, batch-norm scales 1 and shifts 0. :meth:`forward` uses batch statistics in the batch norms
    (training mode); :meth:`embed` and the probes use the running statistics (evaluation mode).
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
            projector_hidden_dim = (hidden_dim,)
        elif isinstance(projector_hidden_dim, numbers.Integral):
            projector_hidden_dim = (projector_hidden_dim,)
        widths = tuple(projector_hidden_dim)
        if projector == "mlp" and not widths:
            raise ValueError("projector_hidden_dim must list at least one width for the MLP projector")
        for i, w in enumerate(widths):
            check_positive(w, f"projector_hidden_dim[{i}]", integer=True)
        self.projector_hidden_dim = widths
        self.dtype = np.dtype(dtype)
        if self.dtype not in (np.float32, np.float64):
            raise ValueError(f"dtype must be float32 or float64, got {self.dtype}")
        if isinstance(seed, (list, tuple, range, np.ndarray)):
            raise TypeError(f"seed must be one int >= 0 or a numpy Generator, got a sequence {seed!r}; build one "
                            f"encoder per seed for several networks")
        rng = as_generator(seed)

        h = hidden_dim
        layers = [Linear(n_inputs, h, seed=rng, dtype=self.dtype), ReLU(),
                  Linear(h, h, seed=rng, dtype=self.dtype), ReLU()]
        self._n_backbone = len(layers)
        if projector == "linear":
            layers.append(Linear(h, embedding_dim, seed=rng, dtype=self.dtype))
        else:
            width_in = h
            for width in widths:
                layers += [Linear(width_in, width, seed=rng, dtype=self.dtype), BatchNorm(width, dtype=self.dtype),
                           ReLU()]
                width_in = width
            layers.append(Linear(width_in, embedding_dim, bias=False, seed=rng, dtype=self.dtype))
        self.net = MLP(layers, dtype=self.dtype)
        self.params, self._grads = {}, {}
        k = 0
        for layer in self.net.layers:
            if isinstance(layer, Linear):
                k += 1
                names = {"W": f"W{k}", "b": f"b{k}"}
            elif isinstance(layer, BatchNorm):
                names = {"gamma": f"gamma{k}", "beta": f"beta{k}"}
            else:
                continue
            for key, name in names.items():
                if key in layer.params:
                    self.params[name] = layer.params[key]
                    self._grads[name] = layer.grads[key]
        self._last_input = None

    @property
    def flat_params(self):
        """Every trainable scalar in one vector, shape (n_parameters,)."""
        return self.net.flat_params

    @property
    def flat_grads(self):
        """The gradient buffer of the last :meth:`backward` call, shape (n_parameters,)."""
        return self.net.flat_grads

    @property
    def decay_mask(self):
        """1 for weight-matrix entries, 0 elsewhere, shape (n_parameters,)."""
        return self.net.decay_mask

    @property
    def n_parameters(self):
        """Number of trainable scalars."""
        return self.net.n_parameters

    def __repr__(self):
        extra = f", projector_hidden_dim={self.projector_hidden_dim}" if self.projector == "mlp" else ""
        return (f"MLPEncoder(n_inputs={self.n_inputs}, hidden_dim={self.hidden_dim}, "
                f"embedding_dim={self.embedding_dim}, projector={self.projector!r}{extra}, dtype={self.dtype.name})")

    def _as_input(self, X):
        X = np.asarray(X)
        if X.ndim == 3:
            X = X.reshape(len(X), -1)
        if X.ndim != 2 or X.shape[1] != self.n_inputs:
            raise ValueError(f"X must have shape (n_samples, {self.n_inputs}) or (n_samples, height, width) with "
                             f"height * width = {self.n_inputs}; got shape {np.shape(X)}")
        return np.ascontiguousarray(X, dtype=self.dtype)

    def forward(self, X, *, reuse_buffers=False):
        """Embeddings of a batch (batch norms in training mode), caching what :meth:`backward` needs.

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_inputs) or (n_samples, height, width)
        reuse_buffers : bool, default=False
            Accepted for compatibility; the layers of :mod:`lnn_utils.mlp` manage their own arrays.

        Returns
        -------
        Z : ndarray of shape (n_samples, embedding_dim)
        cache : dict
            ``"x"`` (the input as the network saw it) and ``"r"`` (the representation). The activations
            themselves live in the layers, so :meth:`backward` must follow the forward pass of the same batch.
        """
        x = self._as_input(X)
        self.net.train()
        h = x
        r = None
        for i, layer in enumerate(self.net.layers):
            h = layer.forward(h)
            if i == self._n_backbone - 1:
                r = h
        self._last_input = x
        return h, {"x": x, "r": r}

    def backward(self, grad_Z, cache):
        """Gradient of a scalar loss with respect to every parameter, given its gradient with respect to ``Z``.

        Parameters
        ----------
        grad_Z : ndarray of shape (n_samples, embedding_dim)
            dL/dZ for the batch of the last :meth:`forward`.
        cache : dict
            From that :meth:`forward` call.

        Returns
        -------
        grads : dict of str to ndarray
            Same keys and shapes as :attr:`params`; views into one buffer (:attr:`flat_grads`) that the next call
            overwrites.
        """
        if cache.get("x") is not self._last_input:
            raise ValueError("backward must follow the forward pass of the same batch (the layers hold its "
                             "activations); call forward(X) again before backward")
        dz = np.asarray(grad_Z, dtype=self.dtype)
        if dz.shape != (len(cache["x"]), self.embedding_dim):
            raise ValueError(f"grad_Z must have shape {(len(cache['x']), self.embedding_dim)} (the forward batch), "
                             f"got {dz.shape}")
        self.net.backward(dz)
        return self._grads

    def _run(self, x, stop):
        """Layers ``0 .. stop - 1`` on ``x`` (this overwrites the layers' caches, so no backward may follow)."""
        self._last_input = None
        h = x
        for layer in self.net.layers[:stop]:
            h = layer.forward(h)
        return h

    def representation(self, X, *, batch_size=4096):
        """Backbone output ``r`` (what linear probes and k-NN evaluate), shape (n_samples, hidden_dim)."""
        x = self._as_input(X)
        out = np.empty((len(x), self.hidden_dim), dtype=self.dtype)
        for s in range(0, len(x), batch_size):
            out[s:s + batch_size] = self._run(x[s:s + batch_size], self._n_backbone)
        return out

    def embed(self, X, *, batch_size=4096):
        """Projector output ``z`` (batch norms in evaluation mode), shape (n_samples, embedding_dim)."""
        x = self._as_input(X)
        self.net.eval()
        try:
            return np.concatenate([self._run(x[s:s + batch_size], len(self.net.layers))
                                   for s in range(0, max(len(x), 1), batch_size)])
        finally:
            self.net.train()


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
    if isinstance(seed, (list, tuple, range, np.ndarray)):
        raise TypeError(f"seed must be one int >= 0 or a numpy Generator, got a sequence {seed!r}; train_ssl "
                        f"trains one encoder: call it once per seed for several runs")
    if isinstance(seed, np.random.Generator):
        return [np.random.default_rng(s) for s in seed.integers(0, 2 ** 63, 2)]
    as_generator(seed)                                       # validates (refuses None, negative, non-integers)
    return [np.random.default_rng(s) for s in np.random.SeedSequence(int(seed)).spawn(2)]


def _divergence(what, step, n_steps, lr, optimizer):
    return FloatingPointError(
        f"training diverged: {what} at step {step} of {n_steps} with optimizer={optimizer!r} and lr={lr:.3g} (the "
        f"learning rate in force at that step); the data are finite. Lower lr (for example to {lr / 10:.3g}), use "
        f"a warm-up, or change the loss coefficients")


def train_ssl(X, loss="vicreg", *, embedding_dim=64, hidden_dim=256, projector="linear", projector_hidden_dim=None,
              batch_size=256, n_epochs=30, n_steps=None, optimizer="adam", lr=None, momentum=0.9, weight_decay=0.0,
              lr_schedule="constant", warmup_fraction=0.1, loss_kwargs=None, augment=None, seed=0, dtype=np.float32,
              progress=None, callback=None):
    """Train an :class:`MLPEncoder` with a joint-embedding SSL loss on two augmented views of each image.

    Parameters
    ----------
    X : ndarray of shape (n_samples, height, width), or (n_samples, side * side) for square images
        Unlabelled training images (e.g. :func:`lnn_utils.datasets.load_digits`, grey values in [0, 1]).
    loss : str or callable, default="vicreg"
        A name in :data:`lnn_utils.ssl.losses.LOSSES` ("simclr", "dcl", "vicreg", "barlow_twins", "vicreg_exp",
        "vicreg_ctr", "spectral"), or a function ``loss(z_a, z_b, **loss_kwargs) -> (value, dL/dz_a, dL/dz_b)``
        on arrays of shape (batch_size, embedding_dim).
    embedding_dim : int, default=64
        Embedding size M (the projector's output).
    hidden_dim : int, default=256
        Backbone width = representation size.
    projector : {"linear", "mlp"}, default="linear"
        See :class:`MLPEncoder` ("mlp": Linear-BatchNorm-ReLU blocks and a last Linear without bias).
    projector_hidden_dim : int or sequence of int, optional
        Hidden widths of the MLP projector; default ``(hidden_dim,)``.
    batch_size : int, default=256
        Images per step (>= 2; each gives two views, so the network sees 2 * batch_size rows). Batches are drawn
        without replacement each epoch and the last incomplete one is dropped, so every step uses the same batch
        size (contrastive losses depend on it). If ``batch_size`` exceeds the data, one batch of all samples.
    n_epochs : int, default=30
        Passes over the data (ignored when ``n_steps`` is given). 0 returns the untrained encoder: the random
        baseline with exactly the initialisation a training run with the same ``seed`` starts from.
    n_steps : int, optional
        Fixed number of optimiser steps (a step budget independent of the batch size); epochs are drawn as
        needed and the last one may be partial.
    optimizer : {"adam", "sgd"}, default="adam"
    lr : float, optional
        (Peak) learning rate; default 1e-3 for Adam, 0.05 for SGD.
    momentum : float, default=0.9
        SGD momentum (ignored by Adam).
    weight_decay : float, default=0.0
        On weight matrices only: decoupled for Adam (AdamW), L2 for SGD.
    lr_schedule : {"constant", "warmup_cosine"}, default="constant"
        "warmup_cosine": linear warm-up over the first ``warmup_fraction`` of the steps, then cosine decay to 0
        (:class:`lnn_utils.optim.WarmupCosine`), as in the paper's LARS runs.
    warmup_fraction : float, default=0.1
        Fraction of the steps spent warming up, in [0, 1).
    loss_kwargs : dict, optional
        Extra keyword arguments of the loss (e.g. ``{"temperature": 0.2}``).
    augment : callable, optional
        ``augment(images, rng) -> images`` making one random view; default :class:`Augment` ().
    seed : int or numpy.random.Generator, default=0
        One seed (a list is refused: call once per seed for several runs). Two independent streams are derived
        from it: one initialises the weights, the other draws the batches and augmentations. Runs that differ
        only in, say, ``embedding_dim`` therefore see the same batches and views (common random numbers, which
        makes differences between settings less noisy).
    dtype : {numpy.float32, numpy.float64}, default=numpy.float32
    progress : bool or None, default=None
        Progress bar (:func:`lnn_utils.progress.progress_bar`); None shows it only when interactive.
    callback : callable, optional
        ``callback(epoch, encoder, history)`` called after each epoch (e.g. to track the effective rank).

    Returns
    -------
    encoder : MLPEncoder
    history : dict
        ``"loss"``: ndarray (n_epochs,), mean loss of each epoch; ``"step_loss"``: ndarray (n_steps,);
        ``"lr"``: ndarray (n_steps,), the learning rate of each step; ``"time"``: wall-clock seconds of the whole
        training; ``"n_steps"``.

    Raises
    ------
    FloatingPointError
        If the embeddings, the loss or its gradients stop being finite (the run diverged): the message names the
        step and the learning rate.

    Notes
    -----
    One step: sample B images, two views ``x_a = t_a(x)``, ``x_b = t_b(x)``; ``z = f(x)`` for both (stacked into
    one (2B, d) batch, since the weights are shared); ``(L, dL/dz_a, dL/dz_b) = loss(z_a, z_b)``; backpropagate the
    stacked gradient, so that ``dL/dtheta = J_a^T dL/dz_a + J_b^T dL/dz_b``; one optimiser step.
    """
    images = _as_images(X)
    n = len(images)
    check_positive(batch_size, "batch_size", integer=True)
    if batch_size < 2:
        raise ValueError(f"batch_size must be >= 2, got {batch_size}: the SSL losses compare the images of a batch "
                         f"(negatives, batch statistics), which a single image does not have")
    check_positive(n_epochs, "n_epochs", integer=True, allow_zero=True)
    if n_steps is not None:
        check_positive(n_steps, "n_steps", integer=True, allow_zero=True)
    if n < 2:
        raise ValueError(f"X must hold at least 2 images, got {n}")
    if lr_schedule not in LR_SCHEDULES:
        raise ValueError(f"lr_schedule must be one of {LR_SCHEDULES}, got {lr_schedule!r}")
    loss_fn = _get_loss(loss)
    loss_kwargs = {} if loss_kwargs is None else dict(loss_kwargs)
    augment = Augment() if augment is None else augment
    if not callable(augment):
        raise TypeError(f"augment must be callable as augment(images, rng), got {type(augment).__name__}")
    init_rng, rng = _streams(seed)
    encoder = MLPEncoder(images[0].size, hidden_dim=hidden_dim, embedding_dim=embedding_dim, projector=projector,
                         projector_hidden_dim=projector_hidden_dim, seed=init_rng, dtype=dtype)
    opt = make_optimizer(optimizer, lr=lr, momentum=momentum, weight_decay=weight_decay)
    images = images.astype(encoder.dtype, copy=False)
    b = min(batch_size, n)
    n_batches = n // b
    total = n_epochs * n_batches if n_steps is None else n_steps
    n_epochs = n_epochs if n_steps is None else -(-total // n_batches)
    schedule = (WarmupCosine(opt.lr, total, warmup_steps=int(warmup_fraction * total))
                if lr_schedule == "warmup_cosine" else None)
    if lr_schedule == "warmup_cosine" and not 0 <= warmup_fraction < 1:
        raise ValueError(f"warmup_fraction must be in [0, 1), got {warmup_fraction!r}")
    step_losses = np.empty(total)
    lrs = np.empty(total)
    epoch_losses = np.empty(n_epochs)
    history = {"loss": epoch_losses, "step_loss": step_losses, "lr": lrs, "time": 0.0, "n_steps": 0}
    label = loss if isinstance(loss, str) else "ssl"
    start = time.perf_counter()
    step = 0
    # Small matrices, many steps: one BLAS thread is faster than two (benchmarks/bench_ssl.py).
    with one_blas_thread(), progress_bar(total, desc=label, unit="step", enabled=progress) as bar:
        for epoch in range(n_epochs):
            order = rng.permutation(n)
            first = step
            for i in range(min(n_batches, total - step)):
                if schedule is not None:
                    opt.lr = schedule(step)
                batch = images[order[i * b:(i + 1) * b]]
                views = np.concatenate([augment(batch, rng), augment(batch, rng)]).reshape(2 * b, -1)
                with np.errstate(over="ignore", invalid="ignore"):
                    z, cache = encoder.forward(views)
                if not np.all(np.isfinite(z)):
                    raise _divergence("the embeddings became infinite or NaN", step, total, opt.lr, optimizer)
                value, grad_a, grad_b = loss_fn(z[:b], z[b:], **loss_kwargs)
                if not np.isfinite(value):
                    raise _divergence(f"the loss became {value}", step, total, opt.lr, optimizer)
                grad = np.concatenate([grad_a, grad_b])
                if not np.all(np.isfinite(grad)):
                    raise _divergence("the loss gradient became infinite or NaN", step, total, opt.lr, optimizer)
                with np.errstate(over="ignore", invalid="ignore"):
                    encoder.backward(grad, cache)
                    opt.step(encoder.flat_params, encoder.flat_grads, encoder.decay_mask)
                step_losses[step] = value
                lrs[step] = opt.lr
                step += 1
                bar.update(1)
            epoch_losses[epoch] = step_losses[first:step].mean()
            history["n_steps"] = step
            bar.set_postfix_str(f"loss {epoch_losses[epoch]:.4g}")
            if callback is not None:
                callback(epoch, encoder, history)
    if not np.all(np.isfinite(encoder.flat_params)):
        raise _divergence("the weights became infinite or NaN", step, total, opt.lr, optimizer)
    history["time"] = time.perf_counter() - start
    return encoder, history
