"""Train one MLP classifier with a chosen credit-assignment rule: :func:`train_network`.

The network is the shared core (:class:`lnn_utils.mlp.MLP`): ``n_inputs -> h_1 -> ... -> h_k -> n_classes``
with a nonlinearity after each hidden layer and a softmax cross-entropy readout. Every rule sees the same
initial weights, the same mini-batches in the same order and the same optimiser (Adam) for a given ``seed``;
the rules differ only in how the output error reaches the hidden layers (:mod:`.feedback`,
:mod:`.predictive_coding`).

Default hyperparameters per rule (:data:`DEFAULTS`) were tuned with the same budget for every rule: 40 epochs of
mini-batches of 32 on the training digits, Adam's learning rate chosen from the grid 3e-4 ... 1e-1 (6 values) by
the mean accuracy over 3 seeds on a held-out fifth of the training set (``benchmarks/bench_credit_assignment.py
--tune``; the validation accuracies are in ``benchmarks/bench_credit_assignment_results.json``).

References
----------
Lillicrap, T. P., Cownden, D., Tweed, D. B. & Akerman, C. J. (2016). Random synaptic feedback weights support
error backpropagation for deep learning. *Nat Commun* 7:13276.
Nøkland, A. (2016). Direct feedback alignment provides learning in deep neural networks. *NeurIPS 29*.
Whittington, J. C. R. & Bogacz, R. (2017). An approximation of the error backpropagation algorithm in a
predictive coding network with local Hebbian synaptic plasticity. *Neural Computation* 29:1229-1262.
Kingma, D. P. & Ba, J. (2015). Adam: a method for stochastic optimization. *ICLR*, arXiv:1412.6980.
"""

from __future__ import annotations

import numbers

import numpy as np

from .. import statistics
from .._validation import as_generator, check_matrix, check_positive
from ..blas import one_blas_thread
from ..mlp import MLP, ACTIVATIONS, softmax, softmax_cross_entropy
from ..optim import make_optimizer
from ..progress import progress_bar
from .feedback import FEEDBACK_RULES, alignment_angles, deliver_error, make_feedback
from .predictive_coding import pc_gradients

#: Every rule :func:`train_network` accepts.
RULES = FEEDBACK_RULES + ("predictive_coding",)

#: Tuned defaults per rule (see the module docstring): n_epochs, learning_rate (Adam), batch_size.
DEFAULTS = {
    "backprop": {"n_epochs": 40, "learning_rate": 1e-2, "batch_size": 32},
    "feedback_alignment": {"n_epochs": 40, "learning_rate": 1e-2, "batch_size": 32},
    "direct_feedback_alignment": {"n_epochs": 40, "learning_rate": 1e-2, "batch_size": 32},
    "output_only": {"n_epochs": 40, "learning_rate": 1e-2, "batch_size": 32},
    "predictive_coding": {"n_epochs": 40, "learning_rate": 3e-3, "batch_size": 32},
}

#: Defaults of predictive coding's inference (gamma, steps, rate).
PC_DEFAULTS = {"output_weight": 0.1, "n_inference_steps": 10, "inference_rate": 0.1}

#: A mean training loss above this many times log(n_classes) (chance level) counts as divergence.
DIVERGENCE_FACTOR = 20.0


def check_classification_data(X, y, name_X="X", name_y="y", n_features=None):
    """Validate ``X`` (2-D, or images flattened) and labels ``y``; return ``(X, y)`` as float64 and int arrays."""
    X = np.asarray(X)
    if X.ndim == 3:
        X = X.reshape(len(X), -1)
    X = check_matrix(X, name_X, n_features=n_features)
    y = np.asarray(y)
    if y.ndim != 1 or len(y) != len(X):
        raise ValueError(f"{name_y} must be 1-D with one label per row of {name_X} ({len(X)} rows), "
                         f"got shape {y.shape}")
    if not np.issubdtype(y.dtype, np.integer):
        if np.issubdtype(y.dtype, np.floating) and np.all(np.isfinite(y)) and np.all(y == np.round(y)):
            y = y.astype(np.int64)
        else:
            raise ValueError(f"{name_y} must hold integer class labels, got dtype {y.dtype}")
    return X, y


def check_hidden_sizes(hidden_sizes):
    """Return ``hidden_sizes`` as a tuple of positive ints, else raise naming the bad entry."""
    if isinstance(hidden_sizes, numbers.Integral):
        hidden_sizes = (hidden_sizes,)
    sizes = tuple(hidden_sizes)
    if not sizes:
        raise ValueError("hidden_sizes must list at least one hidden layer width, got ()")
    for i, s in enumerate(sizes):
        if isinstance(s, bool) or not isinstance(s, numbers.Integral) or s <= 0:
            raise ValueError(f"hidden_sizes must be positive integers, got hidden_sizes[{i}] = {s!r} in {sizes}")
    return tuple(int(s) for s in sizes)


class _MLPResult:
    """What both kinds of fitted network expose of their :class:`~lnn_utils.mlp.MLP` (attribute ``mlp_``)."""

    @property
    def weights_(self):
        """Weight matrices W_l of shape (n_in, n_out), input layer first (views: editing them edits the net)."""
        return self.mlp_.weights

    @property
    def biases_(self):
        """Biases b_l of shape (n_out,) (views)."""
        return self.mlp_.biases

    @property
    def sizes(self):
        """Layer widths, input first."""
        return [self.mlp_.n_inputs] + [W.shape[1] for W in self.weights_]


class TrainedNetwork(_MLPResult):
    """A classifier trained by :func:`train_network`: the shared MLP core plus what the rule learned with.

    Attributes
    ----------
    rule : str
    mlp_ : lnn_utils.mlp.MLP
        The trained network (``Linear -> act -> ... -> Linear``, logits out).
    classes_ : ndarray of shape (n_classes,)
        The labels; output unit k stands for ``classes_[k]``.
    feedback_ : list of ndarray
        Fixed random feedback: FA's ``B_l`` (n_out, n_in) for each Linear layer but the first, DFA's ``D_l``
        (n_classes, h_l) for each hidden layer; empty for the other rules.
    history_ : dict of str to ndarray
        ``"loss"`` (n_epochs,): mean training cross-entropy of each epoch; with an ``eval_set``,
        ``"eval_accuracy"`` (n_epochs + 1,), the accuracy before training and after each epoch; with
        ``track_alignment``, ``"update_angle"`` and ``"feedback_angle"`` (n_epochs + 1, n_hidden) in degrees
        (:func:`~lnn_utils.credit_assignment.feedback.alignment_angles`).
    params_ : dict
        The hyperparameters used (defaults resolved).
    """

    def __init__(self, mlp, *, rule, classes, feedback, history, params):
        self.rule = rule
        self.mlp_ = mlp
        self.classes_ = classes
        self.feedback_ = feedback
        self.history_ = history
        self.params_ = params

    def __repr__(self):
        return f"TrainedNetwork(rule={self.rule!r}, sizes={self.sizes})"

    def forward(self, X, *, weights=None, biases=None):
        """Logits ``a_L`` of the network, optionally with substituted weights (e.g. noisy or quantised copies).

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_inputs) (or images, flattened)
        weights : list of ndarray, optional
            One (n_in, n_out) matrix per layer, replacing :attr:`weights_` for this call only.
        biases : list of ndarray, optional
            One (n_out,) vector per layer, replacing :attr:`biases_`.

        Returns
        -------
        logits : ndarray of shape (n_samples, n_classes)
        """
        X = np.asarray(X)
        if X.ndim == 3:
            X = X.reshape(len(X), -1)
        n_in = self.mlp_.n_inputs
        if X.ndim != 2 or X.shape[1] != n_in:
            raise ValueError(f"X must have shape (n_samples, {n_in}), got shape {X.shape}")
        weights = self.weights_ if weights is None else list(weights)
        biases = self.biases_ if biases is None else list(biases)
        own = self.weights_
        if len(weights) != len(own) or len(biases) != len(own):
            raise ValueError(f"weights and biases must list {len(own)} arrays each, got {len(weights)} and "
                             f"{len(biases)}")
        for i, (W, W0, b, b0) in enumerate(zip(weights, own, biases, self.biases_)):
            if np.shape(W) != W0.shape or np.shape(b) != b0.shape:
                raise ValueError(f"weights[{i}] / biases[{i}] must have shapes {W0.shape} / {b0.shape}, got "
                                 f"{np.shape(W)} / {np.shape(b)}")
        h = X.astype(self.mlp_.dtype, copy=False)
        acts = [layer for layer in self.mlp_.layers[1::2]]
        for i, (W, b) in enumerate(zip(weights, biases)):
            h = h @ W + b
            if i < len(acts):
                h = acts[i].forward(h)
        return h

    def predict_proba(self, X, **kwargs):
        """Softmax class probabilities, shape (n_samples, n_classes); keywords as :meth:`forward`."""
        return softmax(self.forward(X, **kwargs))

    def predict(self, X, **kwargs):
        """Predicted labels, shape (n_samples,); keywords as :meth:`forward`."""
        return self.classes_[np.argmax(self.forward(X, **kwargs), axis=1)]

    def score(self, X, y, **kwargs):
        """Accuracy (fraction of correct labels) on ``X, y``; keywords as :meth:`forward`."""
        X, y = check_classification_data(X, y)
        return float(np.mean(self.predict(X, **kwargs) == y))


def _indices(y, classes, name="y"):
    idx = np.searchsorted(classes, y)
    idx = np.clip(idx, 0, len(classes) - 1)
    bad = classes[idx] != y
    if np.any(bad):
        raise ValueError(f"{name} holds labels not seen in training: {np.unique(y[bad])[:5].tolist()}")
    return idx


def train_network(X, y, *, rule, hidden_sizes=(100, 100), n_epochs=None, learning_rate=None, batch_size=None,
                  seed=0, activation="tanh", output_weight=None, n_inference_steps=None, inference_rate=None,
                  eval_set=None, track_alignment=None, progress=None, dtype=np.float64):
    """Train an MLP classifier on ``X, y`` with the credit-assignment rule ``rule``.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features), or images (n_samples, height, width)
        Training inputs (e.g. :func:`lnn_utils.datasets.load_digits`, grey values in [0, 1]).
    y : ndarray of int of shape (n_samples,)
        Class labels (at least two classes).
    rule : {"backprop", "feedback_alignment", "direct_feedback_alignment", "output_only", "predictive_coding"}
        How the output error reaches the hidden layers (see :mod:`lnn_utils.credit_assignment`).
    hidden_sizes : sequence of int, default=(100, 100)
        Widths of the hidden layers.
    n_epochs, learning_rate, batch_size : optional
        Passes over the data, Adam's step size eta and mini-batch size; default :data:`DEFAULTS` of the rule.
        Batches are drawn without replacement each epoch (the last one may be smaller).
    seed : int or numpy.random.Generator, default=0
        Three independent streams are derived from it (weights, feedback matrices, batch order), so that two
        rules trained with the same seed start from the same weights and see the same batches.
    activation : {"tanh", "relu", "sigmoid"}, default="tanh"
        Hidden nonlinearity f.
    output_weight, n_inference_steps, inference_rate : optional
        Predictive coding only: gamma, the number of inference steps and their rate (:data:`PC_DEFAULTS`).
    eval_set : (X_eval, y_eval), optional
        Accuracy on it is recorded before training and after every epoch (learning curves).
    track_alignment : (X_a, y_a), optional
        Alignment angles with backprop on this batch, before training and after every epoch.
    progress : bool, optional
        Progress bar over epochs (default: only when interactive; see :mod:`lnn_utils.progress`).
    dtype : {numpy.float64, numpy.float32}, default=numpy.float64

    Returns
    -------
    TrainedNetwork
        With ``.predict``, ``.score``, ``.forward(X, weights=..., biases=...)``, ``.weights_``, ``.biases_``.

    Raises
    ------
    ValueError
        Unknown rule or activation, labels that do not match X, NaN/inf in X, hidden sizes <= 0, a
        non-positive learning rate, epochs or batch size.
    FloatingPointError
        If training diverges (non-finite loss, a mean epoch loss above 20 log(n_classes)) or ends with a mean
        loss above chance level, log(n_classes), the loss of a uniform guess: the message names the learning
        rate.
    """
    if rule not in RULES:
        raise ValueError(f"rule must be one of {RULES}, got {rule!r}")
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {ACTIVATIONS}, got {activation!r}")
    X, y = check_classification_data(X, y)
    hidden_sizes = check_hidden_sizes(hidden_sizes)
    defaults = DEFAULTS[rule]
    n_epochs = defaults["n_epochs"] if n_epochs is None else n_epochs
    learning_rate = defaults["learning_rate"] if learning_rate is None else learning_rate
    batch_size = defaults["batch_size"] if batch_size is None else batch_size
    check_positive(n_epochs, "n_epochs", integer=True, allow_zero=True)
    check_positive(learning_rate, "learning_rate")
    check_positive(batch_size, "batch_size", integer=True)
    pc = {"output_weight": output_weight, "n_inference_steps": n_inference_steps, "inference_rate": inference_rate}
    if rule == "predictive_coding":
        pc = {k: PC_DEFAULTS[k] if v is None else v for k, v in pc.items()}
        check_positive(pc["output_weight"], "output_weight")
        check_positive(pc["n_inference_steps"], "n_inference_steps", integer=True, allow_zero=True)
        check_positive(pc["inference_rate"], "inference_rate")
    elif any(v is not None for v in pc.values()):
        given = [k for k, v in pc.items() if v is not None]
        raise ValueError(f"{given} only apply to rule='predictive_coding', not rule={rule!r}")
    classes = np.unique(y)
    if len(classes) < 2:
        raise ValueError(f"y must contain at least two classes, got {classes.tolist()}")
    targets = _indices(y, classes)
    evals = {}
    for key, data in (("eval", eval_set), ("align", track_alignment)):
        if data is not None:
            Xe, ye = check_classification_data(*data, name_X=f"{key}_set X", name_y=f"{key}_set y",
                                               n_features=X.shape[1])
            evals[key] = (Xe, _indices(ye, classes, f"{key}_set y"))

    init_rng, feedback_rng, batch_rng = as_generator(seed).spawn(3)
    mlp = MLP.from_sizes([X.shape[1], *hidden_sizes, len(classes)], activation=activation, seed=init_rng,
                         dtype=dtype)
    feedback = make_feedback(mlp, rule, feedback_rng) if rule in FEEDBACK_RULES else []
    opt = make_optimizer("adam", lr=learning_rate)
    params = {"rule": rule, "hidden_sizes": hidden_sizes, "n_epochs": n_epochs, "learning_rate": learning_rate,
              "batch_size": batch_size, "activation": activation}
    if rule == "predictive_coding":
        params.update(pc)
    net = TrainedNetwork(mlp, rule=rule, classes=classes, feedback=feedback, history={}, params=params)
    Xd = X.astype(mlp.dtype)
    n = len(Xd)
    limit = DIVERGENCE_FACTOR * np.log(len(classes))
    history = net.history_
    history["loss"] = np.empty(n_epochs)
    if "eval" in evals:
        history["eval_accuracy"] = np.empty(n_epochs + 1)
    if "align" in evals:
        history["update_angle"] = np.empty((n_epochs + 1, len(hidden_sizes)))
        history["feedback_angle"] = np.empty((n_epochs + 1, len(hidden_sizes)))

    def record(epoch):
        if "eval" in evals:
            Xe, ye = evals["eval"]
            history["eval_accuracy"][epoch] = np.mean(np.argmax(mlp.forward(Xe), axis=1) == ye)
        if "align" in evals and rule in FEEDBACK_RULES:
            angles = alignment_angles(mlp, rule, feedback, *evals["align"])
            history["update_angle"][epoch] = angles["update"]
            history["feedback_angle"][epoch] = angles["feedback"]
        elif "align" in evals:
            history["update_angle"][epoch] = np.nan
            history["feedback_angle"][epoch] = np.nan

    with one_blas_thread(), np.errstate(over="ignore", invalid="ignore", divide="ignore"), \
            progress_bar(n_epochs, desc=rule, unit="epoch", enabled=progress) as bar:
        record(0)
        for epoch in range(n_epochs):
            order = batch_rng.permutation(n)
            total = 0.0
            for start in range(0, n, batch_size):
                idx = order[start:start + batch_size]
                xb, yb = Xd[idx], targets[idx]
                loss, error = softmax_cross_entropy(mlp.forward(xb), yb)
                if not np.isfinite(loss):
                    break
                if rule == "predictive_coding":
                    pc_gradients(mlp, xb, yb, output_weight=pc["output_weight"],
                                 n_steps=pc["n_inference_steps"], inference_rate=pc["inference_rate"])
                else:
                    deliver_error(mlp, rule, error, feedback)
                opt.step(mlp.flat_params, mlp.flat_grads)
                total += loss * len(idx)
            mean_loss = total / n
            if not np.isfinite(loss) or not np.isfinite(mean_loss) or mean_loss > limit \
                    or not np.all(np.isfinite(mlp.flat_params)):
                raise FloatingPointError(
                    f"training with rule={rule!r} diverged in epoch {epoch + 1} (loss {loss:.3g}, chance level "
                    f"{np.log(len(classes)):.3g}); lower learning_rate (was {learning_rate:g})")
            history["loss"][epoch] = mean_loss
            record(epoch + 1)
            bar.update(1)
            bar.set_postfix_str(f"loss {mean_loss:.3g}")
    chance = np.log(len(classes))
    if n_epochs > 0 and history["loss"][-1] > chance:
        losses = history["loss"]
        advice = ("lower learning_rate" if n_epochs == 1 or losses[-1] >= losses[:-1].min()
                  else "the loss was still falling: raise n_epochs or learning_rate")
        raise FloatingPointError(
            f"training with rule={rule!r} failed: the mean training loss of the last epoch, {losses[-1]:.3g}, is "
            f"worse than chance level (log n_classes = {chance:.3g}) with learning_rate = {learning_rate:g}; "
            f"{advice}")
    return net


def compare_rules(X, y, X_test, y_test, *, rules, seeds, learning_curves=True, **kwargs):
    """Train every rule with every seed (common seeds: same initial weights and batches) and score it.

    Parameters
    ----------
    X, y : training data (see :func:`train_network`).
    X_test, y_test : held-out data for the accuracies (and the learning curves).
    rules : sequence of str
        Names from :data:`RULES`, or ``"forward_forward"`` (:func:`~lnn_utils.credit_assignment.
        forward_forward.train_forward_forward`).
    seeds : sequence of int
    learning_curves : bool, default=True
        Record the held-out accuracy after every epoch.
    **kwargs
        Passed to every training call (e.g. ``n_epochs``).

    Returns
    -------
    results : dict of str to dict
        Per rule: ``"accuracy"`` ndarray (n_seeds,) on the held-out data, ``"curves"`` ndarray
        (n_seeds, n_epochs + 1) if ``learning_curves``, ``"networks"`` the trained networks.
    """
    from .forward_forward import train_forward_forward

    results = {}
    for rule in rules:
        nets, accs, curves = [], [], []
        for seed in seeds:
            eval_set = (X_test, y_test) if learning_curves else None
            if rule == "forward_forward":
                net = train_forward_forward(X, y, seed=seed, eval_set=eval_set, **kwargs)
            else:
                net = train_network(X, y, rule=rule, seed=seed, eval_set=eval_set, **kwargs)
            nets.append(net)
            accs.append(net.history_["eval_accuracy"][-1] if learning_curves else net.score(X_test, y_test))
            if learning_curves:
                curves.append(net.history_["eval_accuracy"])
        results[rule] = {"accuracy": np.array(accs), "networks": nets}
        if learning_curves:
            results[rule]["curves"] = np.array(curves)
    return results


def error_summary(accuracies):
    """``"mean ± s.d."`` of the error in percent for an array of accuracies (s.d. over seeds, ddof=1)."""
    err = 100 * (1 - np.asarray(accuracies, dtype=float))
    sd = err.std(ddof=1) if err.size > 1 else 0.0
    return f"{err.mean():.2f} ± {sd:.2f} %"


def paired_difference(acc_a, acc_b, *, confidence=0.95):
    """Mean accuracy difference ``a - b`` in percentage points over paired seeds, with a t confidence interval.

    The rules of :func:`compare_rules` share each seed's initial weights and batches, so seed-by-seed
    differences are paired; this is :func:`lnn_utils.statistics.paired_difference` in points.

    Parameters
    ----------
    acc_a, acc_b : ndarray of shape (n_seeds,)
        Accuracies in [0, 1]; n_seeds >= 2.
    confidence : float, default=0.95

    Returns
    -------
    mean, low, high : float
        Points (100 x accuracy); the interval is mean ± t_{n-1} s.d. / sqrt(n).
    """
    d = statistics.paired_difference(100 * np.asarray(acc_a, dtype=float), 100 * np.asarray(acc_b, dtype=float),
                                     confidence=confidence)
    return d["mean"], d["low"], d["high"]


#: What each rule asks of biology: symmetric feedback weights? a separate backward phase? non-local errors?
REQUIREMENTS = {
    "backprop": ("yes (W^T)", "yes", "yes: errors travel down through every layer above"),
    "feedback_alignment": ("no (fixed random B)", "yes", "yes: errors travel down through every layer above"),
    "direct_feedback_alignment": ("no (fixed random D)", "one broadcast", "output error broadcast to each layer"),
    "output_only": ("no", "no", "readout only (delta rule)"),
    "predictive_coding": ("yes (error nodes feed back through W^T)", "no: one relaxation, then local updates",
                          "no: local error nodes"),
    "forward_forward": ("no", "two forward passes (positive, negative)", "no: a local objective per layer"),
}
