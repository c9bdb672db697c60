"""Contrastive and non-contrastive self-supervised learning, after Garrido et al. (2023, ICLR).

- :mod:`lnn_utils.ssl.criteria`: the sample-contrastive ``L_c`` and dimension-contrastive ``L_nc`` criteria on
  the paper's ``K`` of shape (n_dims, n_samples), the identity linking them, row/column normalisation.
- :mod:`lnn_utils.ssl.losses`: SimCLR (three normalisations), DCL, VICReg, Barlow Twins, VICReg-exp and VICReg-ctr
  (Algorithms 1-2 of Garrido et al.), the spectral contrastive loss, on library-layout
  embeddings ``z_a, z_b`` of shape (n_samples, n_dims), each returning ``(loss, dL/dz_a, dL/dz_b)``.
- :mod:`lnn_utils.ssl.augment`: augmentations for small grey images (affine crop/shift/rotation, contrast, noise).
- :mod:`lnn_utils.ssl.encoder`: an MLP backbone with a linear or batch-normalised MLP projector, built on
  :mod:`lnn_utils.mlp` (the package's one hand-written backpropagation) and trained by :func:`train_ssl` with
  Adam or SGD, weight decay and an optional warm-up + cosine schedule (:mod:`lnn_utils.optim`).
- :mod:`lnn_utils.ssl.evaluation`: linear probe (closed-form ridge), k-NN accuracy, embedding spectrum and
  effective rank.
- :mod:`lnn_utils.ssl.experiments`: the protocol of the VICReg -> SimCLR ladder (Garrido et al., Fig. 1) on the
  digits, paired confidence intervals, and the paper's Table S5.
"""

from .criteria import (
    criteria_identity_gap,
    criteria_identity_terms,
    dimension_contrastive_criterion,
    double_normalize,
    doubly_normalized_offset,
    l2_normalize,
    sample_contrastive_criterion,
)
from .augment import Augment, add_noise, random_affine, random_contrast, random_resized_crop, random_rotation, random_shift
from .encoder import SGD, Adam, MLPEncoder, WarmupCosine, make_optimizer, train_ssl
from .evaluation import (
    RidgeProbe,
    effective_rank,
    embedding_spectrum,
    evaluate,
    few_label_probe_accuracy,
    knn_accuracy,
    linear_probe_accuracy,
)
from .losses import (
    LOSSES,
    SIMCLR_NORMALIZATIONS,
    barlow_twins_loss,
    dcl_loss,
    simclr_loss,
    spectral_contrastive_loss,
    vicreg_ctr_loss,
    vicreg_exp_loss,
    vicreg_loss,
    vicreg_terms,
)

__all__ = [
    "sample_contrastive_criterion",
    "dimension_contrastive_criterion",
    "criteria_identity_terms",
    "criteria_identity_gap",
    "l2_normalize",
    "double_normalize",
    "doubly_normalized_offset",
    "simclr_loss",
    "dcl_loss",
    "vicreg_loss",
    "vicreg_exp_loss",
    "vicreg_ctr_loss",
    "barlow_twins_loss",
    "vicreg_terms",
    "spectral_contrastive_loss",
    "SIMCLR_NORMALIZATIONS",
    "LOSSES",
    "Augment",
    "add_noise",
    "random_affine",
    "random_contrast",
    "random_resized_crop",
    "random_rotation",
    "random_shift",
    "MLPEncoder",
    "Adam",
    "SGD",
    "make_optimizer",
    "WarmupCosine",
    "train_ssl",
    "RidgeProbe",
    "linear_probe_accuracy",
    "few_label_probe_accuracy",
    "knn_accuracy",
    "embedding_spectrum",
    "effective_rank",
    "evaluate",
]
