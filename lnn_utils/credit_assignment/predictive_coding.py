"""Predictive coding (Whittington & Bogacz 2017): inference relaxation of value nodes, then local weight updates.

Each hidden layer l holds *value nodes* ``x_l`` (one per unit, the pre-activation of the feed-forward net) and
*error nodes* ``eps_l = x_l - mu_l``, where ``mu_l = f(x_{l-1}) W_l + b_l`` is the prediction from the layer below
(``f(x_0) = X``, the clamped input). The output layer predicts logits ``mu_L = f(x_{L-1}) W_L + b_L`` and is
nudged towards the label by a softmax cross-entropy term of weight ``gamma`` (the *output weight*). Per sample
the network minimises the energy

    F = 1/2 sum_{l < L} ||x_l - mu_l||^2 + gamma * CE(softmax(mu_L), y),

first over the value nodes, by ``n_steps`` steps of gradient descent with rate ``inference_rate``
(the inference relaxation; the value nodes start at the feed-forward pass, where all ``eps_l = 0``)::

    x_l <- x_l - rate * (eps_l - f'(x_l) * (eps_{l+1} W_{l+1}^T)),    eps_L := -dF/dmu_L = gamma (onehot(y) - p),

then over the weights, with purely local, Hebbian-like updates (presynaptic rate times postsynaptic error)::

    dF/dW_l = -f(x_{l-1})^T eps_l,   dF/db_l = -sum(eps_l).

At the fixed point ``eps_l = f'(x_l) * (eps_{l+1} W_{l+1}^T)``: the error nodes carry backprop's errors, scaled by
gamma, once ``x`` stays close to the feed-forward values (Whittington & Bogacz 2017). So ``-dF/dW_l / gamma``
tends to backprop's gradient of the cross-entropy as ``gamma -> 0`` with converged inference; with a large
gamma or too few inference steps it differs. :func:`pc_gradients` returns the weight update normalised by
``gamma * n_samples``, so that it is directly comparable with backprop's gradient of the *mean* loss.

The error still travels down through ``W^T`` (the synapses from the error nodes to the value nodes below), so
predictive coding removes the separate backward *phase* and keeps every update local, but not the weight
symmetry (Whittington & Bogacz 2017 discuss learning the feedback weights too).

References
----------
Whittington, J. C. R. & Bogacz, R. (2017). An approximation of the error backpropagation algorithm in a
predictive coding network with local Hebbian synaptic plasticity. *Neural Computation* 29:1229-1262.
Rao, R. P. N. & Ballard, D. H. (1999). Predictive coding in the visual cortex. *Nat Neurosci* 2:79-87.
"""

from __future__ import annotations

import numpy as np

from ..mlp import softmax, softmax_cross_entropy
from .feedback import hidden_blocks


def _state(blocks, out, X, x):
    """Activities f(x_l), hidden errors eps_l (l = 1..L-1) and output probabilities for value nodes x."""
    acts = [act.forward(v) for (_, act), v in zip(blocks, x)]
    inputs = [X] + acts[:-1]
    eps = [v - (a @ lin.W + lin.b) for v, a, (lin, _) in zip(x, inputs, blocks)]
    logits = acts[-1] @ out.W + out.b
    return acts, eps, logits


def pc_gradients(mlp, X, y, *, output_weight=0.1, n_steps=20, inference_rate=0.1, record_energy=False):
    """Relax the value nodes on a batch, then write predictive coding's weight updates into ``mlp.flat_grads``.

    Parameters
    ----------
    mlp : lnn_utils.mlp.MLP
        ``Linear -> activation`` blocks and a final Linear layer (the network's feed-forward weights).
    X : ndarray of shape (n_samples, n_inputs)
    y : ndarray of int of shape (n_samples,)
        Class indices 0 .. n_classes - 1.
    output_weight : float, default=0.1
        gamma, the weight of the output cross-entropy in the energy (> 0).
    n_steps : int, default=20
        Inference steps (0: the value nodes stay at the feed-forward pass, so only the last layer learns).
    inference_rate : float, default=0.1
        Step size of the inference dynamics (stable below about 2 / (1 + ||W||^2)).
    record_energy : bool, default=False
        Also return the mean energy per sample after each inference step.

    Returns
    -------
    info : dict
        ``"energy"`` (n_steps + 1,) mean F per sample before and after each step (if ``record_energy``), and
        ``"errors"``: list of the final hidden error nodes eps_l, each (n_samples, h_l).

    Raises
    ------
    FloatingPointError
        If the relaxation is unstable (the energy ends higher than it started): lower ``inference_rate``.

    Notes
    -----
    ``mlp.flat_grads`` receives ``dF/dtheta / (gamma n)``: the quantity to descend, on the scale of backprop's
    gradient of the mean cross-entropy (equal to it in the limit described in the module docstring).
    """
    blocks = hidden_blocks(mlp)
    out = mlp.linear_layers[-1]
    X = np.asarray(X, dtype=mlp.dtype)
    n = len(X)
    gamma = float(output_weight)
    onehot = np.zeros((n, out.n_out), dtype=mlp.dtype)
    onehot[np.arange(n), y] = 1
    # Feed-forward initialisation: every error node starts at zero.
    x, h = [], X
    for lin, act in blocks:
        v = h @ lin.W + lin.b
        x.append(v)
        h = act.forward(v)
    energy = []
    for step in range(n_steps + 1):
        acts, eps, logits = _state(blocks, out, X, x)
        p = softmax(logits)
        eps_out = gamma * (onehot - p)
        if record_energy or step in (0, n_steps):
            ce = softmax_cross_entropy(logits, y)[0]
            energy.append(0.5 * sum(float(np.sum(e * e)) for e in eps) / n + gamma * ce)
        if step == n_steps:
            break
        above = eps[1:] + [eps_out]
        weights_above = [lin.W for lin, _ in blocks[1:]] + [out.W]
        for l, ((_, act), e, e_up, W_up) in enumerate(zip(blocks, eps, above, weights_above)):
            # act caches f'(x_l) from _state's forward; its backward multiplies by it.
            x[l] = x[l] - inference_rate * (e - act.backward(e_up @ W_up.T))
    # Gradient descent with a small enough step never raises F; if it did, the relaxation was unstable.
    if not np.isfinite(energy[-1]) or energy[-1] > energy[0] * (1 + 1e-9) + 1e-12:
        raise FloatingPointError(
            f"predictive-coding inference diverged: the energy rose from {energy[0]:.4g} to {energy[-1]:.4g} in "
            f"{n_steps} steps; lower inference_rate (was {inference_rate:g}): stability needs roughly "
            f"inference_rate < 2 / (1 + ||W||^2), and larger weights need a smaller rate")
    scale = -1.0 / (gamma * n)
    inputs = [X] + acts
    errors = eps + [eps_out]
    for lin, a, e in zip(mlp.linear_layers, inputs, errors):
        np.matmul(a.T, e, out=lin.grads["W"])
        lin.grads["W"] *= scale
        np.sum(e, axis=0, out=lin.grads["b"])
        lin.grads["b"] *= scale
    info = {"errors": eps}
    if record_energy:
        info["energy"] = np.array(energy)
    return info


def _cosine(a, b):
    a, b = np.ravel(a).astype(np.float64), np.ravel(b).astype(np.float64)
    norm = np.linalg.norm(a) * np.linalg.norm(b)
    return float(a @ b / norm) if norm > 0 else 0.0


def pc_backprop_cosine(mlp, X, y, *, output_weights=(0.1,), n_steps=(20,), inference_rate=0.1):
    """Cosine similarity between predictive coding's weight updates and backprop's gradient, over a grid.

    Parameters
    ----------
    mlp : lnn_utils.mlp.MLP
    X : ndarray of shape (n_samples, n_inputs)
    y : ndarray of int of shape (n_samples,)
    output_weights : sequence of float
        Values of gamma.
    n_steps : sequence of int
        Numbers of inference steps.
    inference_rate : float, default=0.1

    Returns
    -------
    cosine : ndarray of shape (len(output_weights), len(n_steps), n_layers)
        Per Linear layer (the weights W_l), cos(PC update, backprop gradient); 1 = same direction.
    """
    _, error = softmax_cross_entropy(mlp.forward(X), y)
    mlp.backward(error)
    bp = [lin.grads["W"].copy() for lin in mlp.linear_layers]
    result = np.empty((len(output_weights), len(n_steps), len(bp)))
    for i, gamma in enumerate(output_weights):
        for j, t in enumerate(n_steps):
            pc_gradients(mlp, X, y, output_weight=gamma, n_steps=t, inference_rate=inference_rate)
            result[i, j] = [_cosine(lin.grads["W"], g) for lin, g in zip(mlp.linear_layers, bp)]
    return result
