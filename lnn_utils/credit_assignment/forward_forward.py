"""The forward-forward algorithm (Hinton 2022): two forward passes, a local goodness objective per layer.

There is no backward pass through the network at all. Each layer ``l`` of ReLU units ``h_l = relu(x_l W_l + b_l)``
has its own objective: its *goodness* ``G_l = mean_j h_{l,j}^2`` should be above a threshold ``theta`` for
*positive* data and below it for *negative* data. With ``p = sigmoid(G - theta)`` the probability that a sample is
positive, each layer minimises the logistic loss

    L_l = mean_pos softplus(theta - G_l) + mean_neg softplus(G_l - theta),

whose gradient reaches only that layer's weights (``dG/dh = 2 h / n_units``, then through the ReLU and the
layer's own ``x^T``).

Supervised learning with the *label-in-input trick*: the input is the image with the label appended as a one-hot
code of height ``label_scale``; positive data carry the true label, negative data the same image with a wrong label
drawn at random. To classify, the network is run once per candidate label and the label with the highest goodness
summed over layers wins (so prediction costs ``n_classes`` forward passes).

Normalisation matters (Hinton 2022, section 3): the input of every layer is rescaled to a fixed length
(root-mean-square 1 here, ``x * sqrt(n_in) / ||x||``), so that a layer cannot tell positive from negative data
by the length of the layer below's activity (its goodness) and must use the *direction* of that activity. With
``normalize=False`` the higher layers can simply copy the first layer's decision. The threshold ``theta`` sets
the scale of the activities: the default 1 equals the expected goodness at initialisation for He-initialised
ReLU units on RMS-normalised inputs, so training starts balanced between the two objectives.

References
----------
Hinton, G. (2022). The forward-forward algorithm: some preliminary investigations. arXiv:2212.13345.
"""

from __future__ import annotations

import numpy as np

from .._validation import as_generator, check_positive
from ..blas import one_blas_thread
from ..mlp import MLP
from ..optim import make_optimizer
from ..progress import progress_bar
from .training import _MLPResult, _indices, check_classification_data, check_hidden_sizes

#: Defaults of :func:`train_forward_forward` (tuned like the other rules' defaults, same epoch budget).
FF_DEFAULTS = {"n_epochs": 40, "learning_rate": 3e-2, "batch_size": 32, "threshold": 1.0, "label_scale": 1.0}


def _softplus(z):
    return np.logaddexp(0.0, z)


def _sigmoid(z):
    return 0.5 * (1 + np.tanh(0.5 * z))


class ForwardForwardNetwork(_MLPResult):
    """A classifier trained by :func:`train_forward_forward`.

    Attributes
    ----------
    mlp_ : lnn_utils.mlp.MLP
        ``Linear -> ReLU`` per layer (inputs: n_features + n_classes); the length normalisation between layers
        is applied by :meth:`goodness`.
    classes_ : ndarray of shape (n_classes,)
    history_ : dict of str to ndarray
        ``"loss"`` (n_epochs, n_layers): mean FF loss of each layer per epoch; with an ``eval_set``,
        ``"eval_accuracy"`` (n_epochs + 1,); ``"goodness_pos"``, ``"goodness_neg"`` (n_epochs, n_layers):
        mean goodness of positive and negative training data.
    params_ : dict
    """

    def __init__(self, mlp, *, classes, normalize, label_scale, history, params):
        self.mlp_ = mlp
        self.classes_ = classes
        self.normalize = normalize
        self.label_scale = label_scale
        self.history_ = history
        self.params_ = params

    def __repr__(self):
        return f"ForwardForwardNetwork(sizes={self.sizes}, normalize={self.normalize})"

    def embed_label(self, X, labels):
        """Inputs with a label appended: ``[X, label_scale * onehot(labels)]``, shape (n, n_features + n_classes).

        ``labels`` are class indices 0 .. n_classes - 1.
        """
        return embed_label(X, labels, len(self.classes_), self.label_scale)

    def goodness(self, X, labels):
        """Goodness ``G_l = mean_j h_{l,j}^2`` of every layer for inputs X carrying ``labels`` (class indices).

        Returns
        -------
        G : ndarray of shape (n_samples, n_layers)
        """
        return _layer_passes(self.mlp_, self.embed_label(X, labels), self.normalize)[1]

    def _all_goodness(self, X):
        """Goodness of every layer for every candidate label, shape (n_samples, n_classes, n_layers)."""
        X, _ = check_classification_data(X, np.zeros(len(X), dtype=int))
        n_features = self.mlp_.n_inputs - len(self.classes_)
        if X.shape[1] != n_features:
            raise ValueError(f"X must have shape (n_samples, {n_features}), got shape {X.shape}")
        K = len(self.classes_)
        # All candidate labels in one batch: row k * n + i is sample i with label k.
        stacked = self.embed_label(np.tile(X, (K, 1)), np.repeat(np.arange(K), len(X)))
        good = _layer_passes(self.mlp_, stacked, self.normalize)[1]
        return good.reshape(K, len(X), -1).transpose(1, 0, 2)

    def class_goodness(self, X, *, layers=None):
        """Goodness summed over ``layers`` (default all) for every candidate label, shape (n_samples, n_classes)."""
        good = self._all_goodness(X)
        return good.sum(axis=2) if layers is None else good[:, :, list(layers)].sum(axis=2)

    def layer_report(self, X, y):
        """How each layer contributes: per-layer accuracy, silent units, and how much layer 2 copies layer 1.

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_features)
        y : ndarray of shape (n_samples,)
            True labels (the goodness statistics use inputs carrying them).

        Returns
        -------
        report : dict
            ``"accuracy"``: with the goodness of all layers; ``"layer_accuracy"``: list, each layer alone;
            ``"active_units"``: list, fraction of each layer's units active (> 0) for at least one sample;
            ``"goodness_correlation"``: Pearson correlation over samples between the goodness of layers 1 and 2
            (None with one layer, or when a layer is silent so that the correlation is undefined).
        """
        X, y = check_classification_data(X, y)
        labels = _indices(y, self.classes_)
        acts, good = _layer_passes(self.mlp_, self.embed_label(X, labels), self.normalize)
        per_class = self._all_goodness(X)
        accuracy = float(np.mean(self.classes_[np.argmax(per_class.sum(axis=2), axis=1)] == y))
        per_layer = [float(np.mean(self.classes_[np.argmax(per_class[:, :, l], axis=1)] == y))
                     for l in range(good.shape[1])]
        corr = None
        if good.shape[1] > 1 and good[:, 0].std() > 0 and good[:, 1].std() > 0:
            corr = float(np.corrcoef(good[:, 0], good[:, 1])[0, 1])
        return {"accuracy": accuracy,
                "layer_accuracy": per_layer,
                "active_units": [float(np.mean(np.any(a > 0, axis=0))) for a in acts],
                "goodness_correlation": corr}

    def predict(self, X, *, layers=None):
        """The label whose embedding gives the highest total goodness, shape (n_samples,)."""
        return self.classes_[np.argmax(self.class_goodness(X, layers=layers), axis=1)]

    def score(self, X, y, *, layers=None):
        """Accuracy on ``X, y``."""
        X, y = check_classification_data(X, y)
        return float(np.mean(self.predict(X, layers=layers) == y))


def embed_label(X, labels, n_classes, label_scale=1.0):
    """``[X, label_scale * onehot(labels)]``: the label-in-input trick, shape (n_samples, n_features + n_classes)."""
    X = np.asarray(X)
    onehot = np.zeros((len(X), n_classes), dtype=X.dtype if X.dtype.kind == "f" else np.float64)
    onehot[np.arange(len(X)), labels] = label_scale
    return np.concatenate([X, onehot], axis=1)


def _normalise(x):
    """Rescale rows to root-mean-square 1: ``x * sqrt(n) / ||x||`` (rows of zeros stay zero)."""
    norm = np.sqrt(np.sum(x * x, axis=1, keepdims=True))
    return x * (np.sqrt(x.shape[1]) / np.maximum(norm, 1e-12))


def ff_layer_update(linear, relu, x, sign, threshold):
    """One layer's forward pass and local update: write dL/dW, dL/db of its forward-forward loss into its grads.

    Parameters
    ----------
    linear : lnn_utils.mlp.Linear
    relu : lnn_utils.mlp.ReLU
    x : ndarray of shape (n_samples, n_in)
        The layer's (normalised) input, positive and negative samples stacked.
    sign : ndarray of shape (n_samples,)
        +1 for positive, -1 for negative samples (as many of each).
    threshold : float
        theta.

    Returns
    -------
    h : ndarray of shape (n_samples, n_out)
        The activities ``relu(x W + b)`` (the next layer's input, before normalisation; no gradient flows back).
    goodness : ndarray of shape (n_samples,)
        ``G = mean_j h_j^2``.
    loss : float
        ``mean_pos softplus(theta - G) + mean_neg softplus(G - theta)``.
    """
    m = len(x) // 2
    h = relu.forward(linear.forward(x))
    g = np.mean(h * h, axis=1)
    margin = sign * (g - threshold)                 # > 0 where the layer classifies the sample correctly
    dL_dg = -sign * _sigmoid(-margin) / m           # d softplus(-margin) / dg, averaged per kind
    linear.backward(relu.backward(dL_dg[:, None] * (2.0 / h.shape[1]) * h), input_grad=False)
    return h, g, float(_softplus(-margin).sum() / m)


def _layer_passes(mlp, x, normalize):
    """Activities and goodness of every layer; each layer's input is (optionally) normalised, no gradient links."""
    acts, goodness = [], []
    layers = mlp.layers
    for i in range(0, len(layers), 2):
        if normalize:
            x = _normalise(x)
        h = layers[i + 1].forward(layers[i].forward(x))
        acts.append(h)
        goodness.append(np.mean(h * h, axis=1))
        x = h
    return acts, np.stack(goodness, axis=1)


def train_forward_forward(X, y, *, hidden_sizes=(100, 100), n_epochs=None, learning_rate=None, batch_size=None,
                          threshold=None, label_scale=None, normalize=True, seed=0, eval_set=None, progress=None,
                          dtype=np.float64):
    """Train a ReLU network with the forward-forward algorithm (Hinton 2022) and the label-in-input trick.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features), or images (n_samples, height, width)
    y : ndarray of int of shape (n_samples,)
    hidden_sizes : sequence of int, default=(100, 100)
        Widths of the FF layers (each trained by its own goodness objective).
    n_epochs, learning_rate, batch_size : optional
        Default :data:`FF_DEFAULTS`. Adam on all layers at once; each batch of B images gives B positive and B
        negative samples (fresh wrong labels every time).
    threshold : float, optional
        theta of the goodness objective (> 0), default 1 (see the module docstring).
    label_scale : float, optional
        Height of the one-hot label code appended to the input (> 0), default 1.
    normalize : bool, default=True
        Rescale each layer's input to root-mean-square 1. False shows the pitfall Hinton warns about.
    seed : int or numpy.random.Generator, default=0
        Independent streams for the weights and for the batches and negative labels.
    eval_set : (X_eval, y_eval), optional
        Accuracy recorded before training and after every epoch.
    progress : bool, optional
    dtype : {numpy.float64, numpy.float32}, default=numpy.float64

    Returns
    -------
    ForwardForwardNetwork
        With ``.predict``, ``.score``, ``.goodness``, ``.class_goodness``.

    Raises
    ------
    ValueError
        Labels that do not match X, NaN in X, hidden sizes <= 0, non-positive rates, threshold or label scale.
    FloatingPointError
        If training diverges: lower ``learning_rate``.
    """
    X, y = check_classification_data(X, y)
    hidden_sizes = check_hidden_sizes(hidden_sizes)
    opts = {"n_epochs": n_epochs, "learning_rate": learning_rate, "batch_size": batch_size, "threshold": threshold,
            "label_scale": label_scale}
    opts = {k: FF_DEFAULTS[k] if v is None else v for k, v in opts.items()}
    check_positive(opts["n_epochs"], "n_epochs", integer=True, allow_zero=True)
    check_positive(opts["batch_size"], "batch_size", integer=True)
    for name in ("learning_rate", "threshold", "label_scale"):
        check_positive(opts[name], name)
    classes = np.unique(y)
    if len(classes) < 2:
        raise ValueError(f"y must contain at least two classes, got {classes.tolist()}")
    targets = _indices(y, classes)
    K = len(classes)
    evals = None
    if eval_set is not None:
        Xe, ye = check_classification_data(*eval_set, name_X="eval_set X", name_y="eval_set y",
                                           n_features=X.shape[1])
        evals = (Xe, _indices(ye, classes, "eval_set y"))

    init_rng, rng = as_generator(seed).spawn(2)
    mlp = MLP.from_sizes([X.shape[1] + K, *hidden_sizes], output_activation="relu", seed=init_rng, dtype=dtype)
    opt = make_optimizer("adam", lr=opts["learning_rate"])
    n_epochs, b, theta = opts["n_epochs"], opts["batch_size"], float(opts["threshold"])
    n_layers = len(hidden_sizes)
    history = {"loss": np.empty((n_epochs, n_layers)), "goodness_pos": np.empty((n_epochs, n_layers)),
               "goodness_neg": np.empty((n_epochs, n_layers))}
    if evals is not None:
        history["eval_accuracy"] = np.empty(n_epochs + 1)
    net = ForwardForwardNetwork(mlp, classes=classes, normalize=normalize, label_scale=opts["label_scale"],
                                history=history, params={"hidden_sizes": hidden_sizes, "normalize": normalize,
                                                         **opts})
    Xd = X.astype(mlp.dtype)
    n = len(Xd)
    linears = mlp.linear_layers

    with one_blas_thread(), np.errstate(over="ignore", invalid="ignore"), \
            progress_bar(n_epochs, desc="forward-forward", unit="epoch", enabled=progress) as bar:
        if evals is not None:
            history["eval_accuracy"][0] = net.score(*evals)
        for epoch in range(n_epochs):
            order = rng.permutation(n)
            sums = np.zeros((3, n_layers))
            for start in range(0, n, b):
                idx = order[start:start + b]
                m = len(idx)
                wrong = (targets[idx] + rng.integers(1, K, m)) % K
                x = np.concatenate([embed_label(Xd[idx], targets[idx], K, opts["label_scale"]),
                                    embed_label(Xd[idx], wrong, K, opts["label_scale"])])
                sign = np.concatenate([np.ones(m), -np.ones(m)])    # +1 positive, -1 negative
                for l, lin in enumerate(linears):
                    if normalize:
                        x = _normalise(x)
                    x, g, loss = ff_layer_update(lin, mlp.layers[2 * l + 1], x, sign, theta)
                    sums[0, l] += loss * m
                    sums[1, l] += g[:m].sum()
                    sums[2, l] += g[m:].sum()
                opt.step(mlp.flat_params, mlp.flat_grads)
            sums /= n
            if not np.all(np.isfinite(sums)) or not np.all(np.isfinite(mlp.flat_params)):
                raise FloatingPointError(f"forward-forward training diverged in epoch {epoch + 1}; lower "
                                         f"learning_rate (was {opts['learning_rate']:g})")
            history["loss"][epoch], history["goodness_pos"][epoch], history["goodness_neg"][epoch] = sums
            if evals is not None:
                history["eval_accuracy"][epoch + 1] = net.score(*evals)
            bar.update(1)
    return net
