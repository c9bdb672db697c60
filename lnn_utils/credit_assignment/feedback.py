"""How the output error reaches the hidden layers: backpropagation, feedback alignment, DFA, output-only.

All four rules share the forward pass, the softmax cross-entropy readout and the local weight update
``dW_l = a_{l-1}^T delta_l`` (presynaptic activity times a postsynaptic error signal). They differ only in the
hidden-layer error ``delta_l``, for a network ``a_l = f(a_{l-1} W_l + b_l)`` with output error
``e = dL/d(logits)``:

==============================  =====================================================================
``"backprop"``                  ``delta_l = (delta_{l+1} W_{l+1}^T) * f'``     (transport of W^T)
``"feedback_alignment"``        ``delta_l = (delta_{l+1} B_{l+1}) * f'``       (B fixed and random, Lillicrap et al.)
``"direct_feedback_alignment"`` ``delta_l = (e D_l) * f'``                    (D_l fixed and random, Nøkland)
``"output_only"``               ``delta_l = 0``                               (hidden layers stay random)
==============================  =====================================================================

Feedback alignment uses the :attr:`lnn_utils.mlp.Linear.feedback` matrix of the shared MLP core, so its backward
pass *is* the core's backward pass with ``W^T`` swapped for ``B``; with ``B = W^T`` it is backpropagation exactly.

:func:`alignment_angles` measures why the random-feedback rules work: the angle between each rule's hidden-layer
update and backprop's for the same batch, and the angle between the forward weights and the feedback.

References
----------
Lillicrap, T. P., Cownden, D., Tweed, D. B. & Akerman, C. J. (2016). Random synaptic feedback weights support
error backpropagation for deep learning. *Nat Commun* 7:13276.
Nøkland, A. (2016). Direct feedback alignment provides learning in deep neural networks. *NeurIPS 29*.
Rumelhart, D. E., Hinton, G. E. & Williams, R. J. (1986). Learning representations by back-propagating errors.
*Nature* 323:533-536.
"""

from __future__ import annotations

import numpy as np

from ..mlp import softmax_cross_entropy

#: The rules of this module (predictive coding lives in :mod:`lnn_utils.credit_assignment.predictive_coding`).
FEEDBACK_RULES = ("backprop", "feedback_alignment", "direct_feedback_alignment", "output_only")


def hidden_blocks(mlp):
    """Pairs ``(Linear, activation)`` of the hidden layers of a ``Linear -> act -> ... -> Linear`` MLP."""
    layers = mlp.layers
    return [(layers[i], layers[i + 1]) for i in range(0, len(layers) - 1, 2)]


def make_feedback(mlp, rule, rng):
    """Draw the fixed random feedback matrices a rule needs (and attach FA's to the layers).

    Parameters
    ----------
    mlp : lnn_utils.mlp.MLP
        ``Linear -> activation`` blocks and a final Linear layer.
    rule : str
        One of :data:`FEEDBACK_RULES`.
    rng : numpy.random.Generator

    Returns
    -------
    feedback : list of ndarray
        FA: ``B_l`` of shape (n_out, n_in) for every Linear layer but the first, drawn like the forward
        weights it stands in for, N(0, 2 / n_in), but independently of them; DFA: ``D_l`` of shape
        (n_classes, h_l) for every hidden layer, N(0, 1 / n_classes); otherwise empty.
    """
    linears = mlp.linear_layers
    if rule == "feedback_alignment":
        feedback = []
        for layer in linears[1:]:
            B = rng.normal(0.0, np.sqrt(2.0 / layer.n_in), (layer.n_out, layer.n_in)).astype(mlp.dtype)
            layer.feedback = B
            feedback.append(B)
        return feedback
    if rule == "direct_feedback_alignment":
        n_classes = mlp.n_outputs
        return [rng.normal(0.0, np.sqrt(1.0 / n_classes), (n_classes, lin.n_out)).astype(mlp.dtype)
                for lin, _ in hidden_blocks(mlp)]
    return []


def deliver_error(mlp, rule, error, feedback):
    """Write the rule's weight updates (as gradients to descend) into ``mlp.flat_grads``.

    Parameters
    ----------
    mlp : lnn_utils.mlp.MLP
        After :meth:`~lnn_utils.mlp.MLP.forward` on the batch.
    rule : str
        One of :data:`FEEDBACK_RULES`.
    error : ndarray of shape (n_samples, n_classes)
        ``e = dL/d(logits)`` of the batch.
    feedback : list of ndarray
        From :func:`make_feedback`.
    """
    if rule in ("backprop", "feedback_alignment"):
        # The core's backward pass; FA's layers carry their B in Linear.feedback.
        mlp.backward(error)
        return
    out = mlp.linear_layers[-1]
    out.backward(error, input_grad=False)
    if rule == "output_only":
        for lin, _ in hidden_blocks(mlp):
            for g in lin.grads.values():
                g[...] = 0
        return
    if rule == "direct_feedback_alignment":
        for (lin, act), D in zip(hidden_blocks(mlp), feedback):
            lin.backward(act.backward(error @ D), input_grad=False)
        return
    raise ValueError(f"rule must be one of {FEEDBACK_RULES}, got {rule!r}")


def _angle(a, b):
    """Angle in degrees between two arrays seen as vectors (90 if either is zero)."""
    a, b = np.ravel(a).astype(np.float64), np.ravel(b).astype(np.float64)
    norm = np.linalg.norm(a) * np.linalg.norm(b)
    if norm == 0:
        return 90.0
    return float(np.degrees(np.arccos(np.clip(a @ b / norm, -1.0, 1.0))))


def alignment_angles(mlp, rule, feedback, X, y):
    """Angles between a rule's hidden-layer updates and backprop's, and between forward weights and feedback.

    Parameters
    ----------
    mlp : lnn_utils.mlp.MLP
    rule : {"feedback_alignment", "direct_feedback_alignment", "backprop", "output_only"}
    feedback : list of ndarray
        From :func:`make_feedback` (the matrices the network was trained with).
    X : ndarray of shape (n_samples, n_inputs)
    y : ndarray of int of shape (n_samples,)
        Class indices 0 .. n_classes - 1.

    Returns
    -------
    angles : dict of str to ndarray
        ``"update"`` (n_hidden,): angle [deg] between the rule's dW_l and backprop's dW_l, hidden layer l = 1..;
        ``"feedback"`` (n_hidden,): FA, the angle between ``W_{l+1}^T`` and ``B_{l+1}``; DFA, the angle between
        ``D_l`` and the transpose of the linear path to the output, ``(W_{l+1} ... W_L)^T`` (what backprop would
        send the error through, without the f' factors). NaN for backprop and output-only. 90 degrees means
        unrelated, 0 identical directions.
    """
    _, error = softmax_cross_entropy(mlp.forward(X), y)
    blocks = hidden_blocks(mlp)
    deliver_error(mlp, rule, error, feedback)
    rule_grads = [lin.grads["W"].copy() for lin, _ in blocks]
    saved = [layer.feedback for layer in mlp.linear_layers]
    for layer in mlp.linear_layers:
        layer.feedback = None
    mlp.backward(error)
    for layer, B in zip(mlp.linear_layers, saved):
        layer.feedback = B
    update = np.array([_angle(g, lin.grads["W"]) for g, (lin, _) in zip(rule_grads, blocks)])
    weights = [lin.W for lin in mlp.linear_layers]
    if rule == "feedback_alignment":
        fb = np.array([_angle(W.T, B) for W, B in zip(weights[1:], feedback)])
    elif rule == "direct_feedback_alignment":
        fb = []
        for l, D in enumerate(feedback):
            path = weights[l + 1]
            for W in weights[l + 2:]:
                path = path @ W
            fb.append(_angle(path.T, D))
        fb = np.array(fb)
    else:
        fb = np.full(len(blocks), np.nan)
    return {"update": update, "feedback": fb}

