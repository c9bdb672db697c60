"""The protocol of the VICReg -> VICReg-exp -> VICReg-ctr -> SimCLR ladder at CPU scale, and its statistics.

Garrido et al. (2023, Sec. 4-5, Fig. 1, Table S5) walk from VICReg to SimCLR one design choice at a time::

    VICReg --LogSumExp--> VICReg-exp --transpose (contrastive)--> VICReg-ctr --negative-pair sampling--> SimCLR

and find, on ImageNet, that the four land within about one point once SimCLR is tuned. This module runs the same
ladder (with DCL and Barlow Twins alongside) on the bundled handwritten digits: one call trains an encoder with a
fixed step budget, a warm-up + cosine learning-rate schedule and weight decay (:func:`run_config`), and scores
its representation with a few-label linear probe and k-NN; :func:`paired_difference` turns per-seed scores of two
settings that share their seeds into a mean difference with a t confidence interval.

The paper's ImageNet numbers are in :data:`PAPER_TABLE_S5` (top-1 %, ResNet-50, 100 epochs, online linear
probe; 8192-8192-d projector).

References
----------
Garrido, Q., Chen, Y., Bardes, A., Najman, L. & LeCun, Y. (2023). On the duality between contrastive and
non-contrastive self-supervised learning. *ICLR*, arXiv:2206.02574 (Fig. 1, Tables S5-S6).
"""

from __future__ import annotations

import numpy as np

from .._validation import check_positive
from ..statistics import mean_ci, paired_difference
from ..datasets import load_digits, stratified_split
from .encoder import train_ssl
from .evaluation import effective_rank, few_label_probe_accuracy, knn_accuracy

__all__ = ["LADDER", "ALONGSIDE", "METHOD_LABELS", "PAPER_DIMS", "PAPER_TABLE_S5", "digits_data", "run_config",
           "mean_ci", "paired_difference", "run_scores", "ladder_summary"]

#: The four rungs of the ladder, in the paper's order, and the two losses run alongside.
LADDER = ("vicreg", "vicreg_exp", "vicreg_ctr", "simclr")
ALONGSIDE = ("dcl", "barlow_twins")
METHOD_LABELS = {"vicreg": "VICReg", "vicreg_exp": "VICReg-exp", "vicreg_ctr": "VICReg-ctr", "simclr": "SimCLR",
                 "dcl": "DCL", "barlow_twins": "Barlow Twins", "spectral": "Spectral"}

#: Embedding dimensions of Table S5.
PAPER_DIMS = (256, 512, 1024, 2048, 8192)
#: Table S5 of Garrido et al. (2023): ImageNet top-1 accuracy [%] after 100 epochs, ResNet-50, projector
#: 8192-8192-d, online linear classifier, for d in PAPER_DIMS. ("simclr" is their tuned SimCLR, tau = 0.15,
#: base lr 0.5, batch 2048; "simclr_original" the usual hyperparameters.) The values quoted in the main text
#: (Sec. 5: 68.13 VICReg, 68.00 VICReg-exp, 67.92 VICReg-ctr, 66.33 original SimCLR, 68.6 tuned SimCLR) agree.
PAPER_TABLE_S5 = {
    "vicreg": (65.01, 66.72, 68.06, 68.07, 68.13),
    "vicreg_exp": (65.24, 66.71, 67.86, 68.00, 67.93),
    "vicreg_ctr": (67.72, 67.86, 67.84, 67.92, 67.73),
    "simclr": (68.45, 68.61, 68.49, 68.48, 68.68),
    "simclr_original": (66.11, 66.33, 66.00, 66.02, 66.08),
}


def digits_data(*, validation_fraction=0.25, seed=0):
    """The bundled digits, split for self-supervised training, tuning and reporting.

    Parameters
    ----------
    validation_fraction : float, default=0.25
        Fraction of the training images whose labels score hyperparameters (never the test images).
    seed : int, default=0
        Seed of that split.

    Returns
    -------
    dict
        ``"X_train"`` (1347, 8, 8) and ``"y_train"``: the SSL training images and their labels (labels only for
        the probes); ``"X_test"``, ``"y_test"`` (450 images): reporting only; ``"fit_idx"``, ``"val_idx"``:
        indices into the training images for tuning (probe fitted on ``fit_idx``, scored on ``val_idx``).
    """
    X_train, y_train = load_digits("train", seed=0)
    X_test, y_test = load_digits("test", seed=0)
    fit_idx, val_idx = stratified_split(y_train, test_fraction=validation_fraction, seed=seed)
    return {"X_train": X_train, "y_train": y_train, "X_test": X_test, "y_test": y_test, "fit_idx": fit_idx,
            "val_idx": val_idx}


def run_config(data, loss, *, loss_kwargs=None, embedding_dim=64, projector="linear", projector_hidden_dim=None,
               hidden_dim=128, batch_size=128, n_steps=300, lr=1e-3, weight_decay=1e-4, warmup_fraction=0.1,
               n_labels_per_class=10, k=20, seed=0):
    """Train one encoder with a fixed step budget and score its representation.

    Parameters
    ----------
    data : dict
        From :func:`digits_data`.
    loss : str
        A name in :data:`lnn_utils.ssl.losses.LOSSES`.
    loss_kwargs : dict, optional
        The loss's hyperparameters (default: the loss's own defaults, Table S6 for VICReg-exp and -ctr).
    embedding_dim, projector, projector_hidden_dim, hidden_dim, batch_size, seed
        As in :func:`lnn_utils.ssl.train_ssl`.
    n_steps : int, default=300
        Optimiser steps (Adam), whatever the batch size.
    lr : float, default=1e-3
        Peak learning rate of the warm-up + cosine schedule.
    weight_decay : float, default=1e-4
        Decoupled weight decay (AdamW) on the weight matrices.
    warmup_fraction : float, default=0.1
    n_labels_per_class : int, default=10
        Labels per class of the few-label linear probe (5 draws of the labelled subset, seed 0).
    k : int, default=20
        Neighbours of the k-NN classifier (cosine similarity, all training labels).

    Returns
    -------
    dict
        ``"val"``: few-label probe accuracy on the validation part of the training images (for tuning);
        ``"test"``: few-label probe accuracy on the test images (fitted on labelled training images);
        ``"knn"``: k-NN test accuracy; ``"erank"``: effective rank of the training embeddings;
        ``"final_loss"``: mean loss of the last 10 % of the steps.
    """
    check_positive(n_labels_per_class, "n_labels_per_class", integer=True)
    X, y = data["X_train"], data["y_train"]
    encoder, hist = train_ssl(X, loss, loss_kwargs=loss_kwargs, embedding_dim=embedding_dim, projector=projector,
                              projector_hidden_dim=projector_hidden_dim, hidden_dim=hidden_dim,
                              batch_size=batch_size, n_steps=n_steps, lr=lr, weight_decay=weight_decay,
                              lr_schedule="warmup_cosine", warmup_fraction=warmup_fraction, seed=seed)
    R_train = encoder.representation(X)
    R_test = encoder.representation(data["X_test"])
    fit, val = data["fit_idx"], data["val_idx"]
    tail = max(1, n_steps // 10)
    return {
        "val": few_label_probe_accuracy(R_train[fit], y[fit], R_train[val], y[val], n_per_class=n_labels_per_class),
        "test": few_label_probe_accuracy(R_train, y, R_test, data["y_test"], n_per_class=n_labels_per_class),
        "knn": knn_accuracy(R_train, y, R_test, data["y_test"], k=k),
        "erank": effective_rank(encoder.embed(X)),
        "final_loss": float(np.mean(hist["step_loss"][-tail:])),
    }


def run_scores(results, section, key, metric="test"):
    """Per-seed scores of one configuration of a results file written by ``benchmarks/ssl_ladder.py``.

    Parameters
    ----------
    results : dict
        The parsed JSON file.
    section : {"budget", "tuning", "ladder", "batch"}
    key : str
        The run's key in that section, e.g. ``"vicreg|linear|64"`` (loss, projector, M) in "ladder".
    metric : {"test", "val", "knn", "erank", "final_loss"}, default="test"

    Returns
    -------
    ndarray of shape (n_seeds,)
    """
    if section not in results:
        raise KeyError(f"the results have no section {section!r}; they have {sorted(results)}")
    runs = results[section]["runs"]
    if key not in runs:
        raise KeyError(f"section {section!r} has no run {key!r}; it has e.g. {sorted(runs)[:5]}")
    return np.asarray(runs[key][metric], dtype=float)


def ladder_summary(results, *, metric="test", reference="vicreg", confidence=0.95):
    """Every ladder cell as a mean with its t interval, and its paired difference to ``reference``.

    Parameters
    ----------
    results : dict
        The parsed ``benchmarks/results/ssl_ladder.json``.
    metric : str, default="test"
    reference : str, default="vicreg"
        The method every other one is compared with, seed by seed, in the same cell (projector, M).
    confidence : float, default=0.95

    Returns
    -------
    list of dict
        One per (loss, projector, M) in the file: ``"loss"``, ``"projector"``, ``"dim"``, ``"mean"``,
        ``"half_width"`` and, for loss != reference, ``"diff"`` (a :func:`paired_difference` dict).
    """
    rows = []
    for key in sorted(results["ladder"]["runs"]):
        loss, projector, dim = key.split("|")
        values = run_scores(results, "ladder", key, metric)
        mean, half = mean_ci(values, confidence=confidence)
        row = {"loss": loss, "projector": projector, "dim": int(dim), "mean": mean, "half_width": half}
        ref_key = f"{reference}|{projector}|{dim}"
        if loss != reference and ref_key in results["ladder"]["runs"]:
            row["diff"] = paired_difference(values, run_scores(results, "ladder", ref_key, metric),
                                            confidence=confidence)
        rows.append(row)
    return rows
