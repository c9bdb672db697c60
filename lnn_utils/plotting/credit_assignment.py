"""Figures of notebook 09 (learning without backpropagation): learning curves, alignment angles, predictive
coding's inference and its agreement with backprop, forward-forward goodness.

Every helper takes ``ax=None`` (a new figure when omitted) and returns the :class:`matplotlib.figure.Figure`.
"""

from __future__ import annotations

import numpy as np

from . import get_axes

#: One colour per rule, used by every figure of the notebook.
RULE_COLORS = {
    "backprop": "#1f77b4",
    "feedback_alignment": "#d62728",
    "direct_feedback_alignment": "#2ca02c",
    "output_only": "#7f7f7f",
    "predictive_coding": "#9467bd",
    "forward_forward": "#ff7f0e",
}

#: Short labels for legends and tables.
RULE_LABELS = {
    "backprop": "backprop",
    "feedback_alignment": "FA",
    "direct_feedback_alignment": "DFA",
    "output_only": "output only",
    "predictive_coding": "predictive coding",
    "forward_forward": "forward-forward",
}


def plot_learning_curves(curves, *, ax=None, ylim=None):
    """Test error [%] against epoch, mean over seeds with a band of one standard deviation.

    Parameters
    ----------
    curves : dict of str to ndarray of shape (n_seeds, n_epochs + 1)
        Accuracy per seed after each epoch (index 0: before training), keyed by rule name.
    ax : matplotlib.axes.Axes, optional
    ylim : (float, float), optional
        Limits of the error axis in percent.
    """
    fig, ax = get_axes(ax)
    for rule, acc in curves.items():
        err = 100 * (1 - np.asarray(acc, dtype=float))
        mean, sd = err.mean(axis=0), err.std(axis=0)
        epochs = np.arange(err.shape[1])
        color = RULE_COLORS.get(rule)
        ax.plot(epochs, mean, color=color, label=RULE_LABELS.get(rule, rule))
        ax.fill_between(epochs, mean - sd, mean + sd, color=color, alpha=0.2, linewidth=0)
    ax.set_xlabel("epoch")
    ax.set_ylabel("test error [%]")
    if ylim is not None:
        ax.set_ylim(*ylim)
    ax.legend()
    return fig


def plot_alignment(angles, *, ax=None, title=None):
    """Angles [deg] against epoch, one line per hidden layer, with the 90-degree (unrelated) reference.

    Parameters
    ----------
    angles : dict of str to ndarray of shape (n_epochs + 1, n_hidden)
        Label -> angles per epoch and hidden layer (e.g. ``history_["update_angle"]``).
    ax : matplotlib.axes.Axes, optional
    title : str, optional
    """
    fig, ax = get_axes(ax)
    styles = ["-", "--", ":", "-."]
    for (label, a), color in zip(angles.items(), ["#d62728", "#2ca02c", "#1f77b4", "#9467bd"]):
        a = np.asarray(a, dtype=float)
        for layer in range(a.shape[1]):
            ax.plot(np.arange(len(a)), a[:, layer], color=color, linestyle=styles[layer % len(styles)],
                    label=f"{label}, layer {layer + 1}")
    ax.axhline(90, color="0.6", linewidth=0.8)
    ax.set_ylim(0, 100)
    ax.set_xlabel("epoch")
    ax.set_ylabel("angle [deg]")
    if title:
        ax.set_title(title)
    ax.legend(fontsize=8)
    return fig


def plot_pc_cosine(cosine, output_weights, n_steps, *, layer=0, ax=None):
    """Cosine between predictive coding's update of one layer and backprop's, against inference steps.

    Parameters
    ----------
    cosine : ndarray of shape (n_output_weights, n_steps, n_layers)
        From :func:`lnn_utils.credit_assignment.pc_backprop_cosine`.
    output_weights : sequence of float
        gamma of each row.
    n_steps : sequence of int
        Inference steps of each column (plotted on a log axis; 0 is left out).
    layer : int, default=0
        Which weight matrix (0: the first, the one furthest from the output).
    ax : matplotlib.axes.Axes, optional
    """
    fig, ax = get_axes(ax)
    steps = np.asarray(n_steps)
    keep = steps > 0
    for i, gamma in enumerate(output_weights):
        ax.plot(steps[keep], cosine[i, keep, layer], marker="o", markersize=3, label=f"$\\gamma$ = {gamma:g}")
    ax.axhline(1.0, color="0.6", linewidth=0.8)
    ax.set_xscale("log")
    ax.set_xlabel("inference steps")
    ax.set_ylabel(f"cos(PC update, backprop gradient), $W_{layer + 1}$")
    ax.legend()
    return fig


def plot_energy(energy, *, ax=None):
    """Predictive coding's mean energy per sample during the inference relaxation."""
    fig, ax = get_axes(ax)
    ax.plot(np.arange(len(energy)), energy, color=RULE_COLORS["predictive_coding"])
    ax.set_xlabel("inference step")
    ax.set_ylabel("energy F per sample")
    return fig


def plot_goodness(history, threshold, *, ax=None):
    """Mean goodness of positive (solid) and negative (dashed) training data per layer and epoch, and theta."""
    fig, ax = get_axes(ax)
    pos, neg = np.asarray(history["goodness_pos"]), np.asarray(history["goodness_neg"])
    epochs = np.arange(1, len(pos) + 1)
    for layer, color in zip(range(pos.shape[1]), ["#1f77b4", "#d62728", "#2ca02c", "#9467bd"]):
        ax.plot(epochs, pos[:, layer], color=color, label=f"layer {layer + 1}, positive")
        ax.plot(epochs, neg[:, layer], color=color, linestyle="--", label=f"layer {layer + 1}, negative")
    ax.axhline(threshold, color="0.4", linewidth=0.8, linestyle=":", label=r"threshold $\theta$")
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("goodness  mean$_j\\, h_j^2$")
    ax.legend(fontsize=8)
    return fig
