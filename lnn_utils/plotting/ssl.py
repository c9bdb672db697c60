"""Figures of the self-supervised-learning notebook and deck: the VICReg -> SimCLR ladder (Garrido et al. 2023,
Fig. 1 / Table S5) at digits scale next to the paper's ImageNet numbers.

References
----------
Garrido, Q., Chen, Y., Bardes, A., Najman, L. & LeCun, Y. (2023). On the duality between contrastive and
non-contrastive self-supervised learning. *ICLR*, arXiv:2206.02574.
"""

from __future__ import annotations

from ..ssl.experiments import ALONGSIDE, LADDER, METHOD_LABELS, PAPER_DIMS, PAPER_TABLE_S5, ladder_summary
from . import get_axes

__all__ = ["METHOD_STYLES", "plot_ladder", "plot_paper_ladder"]

#: One colour and marker per loss, shared by the notebook and the deck (ladder rungs solid, others dashed).
METHOD_STYLES = {
    "vicreg": ("C0", "o", "-"), "vicreg_exp": ("C1", "s", "-"), "vicreg_ctr": ("C2", "^", "-"),
    "simclr": ("C3", "D", "-"), "simclr_original": ("C3", "D", ":"), "dcl": ("C4", "v", "--"),
    "barlow_twins": ("C5", "P", "--"),
}


def plot_ladder(results, *, projector="linear", metric="test", methods=LADDER + ALONGSIDE, ax=None,
                title=None, ylabel="test accuracy, 10 labels/class"):
    """Accuracy against the embedding dimension M for each loss, mean and 95 % t interval over the seeds.

    Parameters
    ----------
    results : dict
        The parsed ``benchmarks/results/ssl_ladder.json``.
    projector : {"linear", "mlp"}, default="linear"
    metric : str, default="test"
        A score stored per run ("test", "knn", "val", "erank").
    methods : sequence of str
        Losses to draw (those absent from the results for this projector are skipped).
    ax : matplotlib.axes.Axes, optional
    title, ylabel : str, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, ax = get_axes(ax)
    rows = [r for r in ladder_summary(results, metric=metric) if r["projector"] == projector]
    for loss in methods:
        cells = sorted((r for r in rows if r["loss"] == loss), key=lambda r: r["dim"])
        if not cells:
            continue
        color, marker, ls = METHOD_STYLES.get(loss, ("k", "o", "-"))
        dims = [r["dim"] for r in cells]
        ax.errorbar(dims, [r["mean"] for r in cells], [r["half_width"] for r in cells], color=color, marker=marker,
                    ls=ls, capsize=3, ms=5, label=METHOD_LABELS.get(loss, loss))
    ax.set_xscale("log", base=2)
    ax.set(xlabel="embedding dimension M", ylabel=ylabel,
           title=title or f"digits, {projector} projector (mean, 95 % CI over seeds)")
    ax.legend(fontsize=8)
    return fig


def plot_paper_ladder(ax=None, *, methods=("vicreg", "vicreg_exp", "vicreg_ctr", "simclr", "simclr_original")):
    """The paper's Table S5 (ImageNet top-1, 100 epochs, 8192-8192-d projector) as Figure 1 draws it.

    Parameters
    ----------
    ax : matplotlib.axes.Axes, optional
    methods : sequence of str
        Keys of :data:`lnn_utils.ssl.experiments.PAPER_TABLE_S5`.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, ax = get_axes(ax)
    for loss in methods:
        color, marker, ls = METHOD_STYLES[loss]
        label = "SimCLR (original hyperparameters)" if loss == "simclr_original" else METHOD_LABELS[loss]
        if loss == "simclr":
            label = "SimCLR (tuned)"
        ax.plot(PAPER_DIMS, PAPER_TABLE_S5[loss], color=color, marker=marker, ls=ls, ms=5, label=label)
    ax.set_xscale("log", base=2)
    ax.set_xticks(PAPER_DIMS, [str(d) for d in PAPER_DIMS])
    ax.set(xlabel="embedding dimension M", ylabel="ImageNet top-1 [%]",
           title="Garrido et al. 2023, Table S5 (8192-8192-M projector)")
    ax.legend(fontsize=8)
    return fig
