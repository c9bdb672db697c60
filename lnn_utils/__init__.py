"""Learning in Neural Networks: the package the course notebooks import.

Modules, one concept each:

- :mod:`lnn_utils.images`: load natural images, standardise and whiten them.
- :mod:`lnn_utils.patches`: cut flattened patches out of images.
- :mod:`lnn_utils.hebbian`: Hebbian networks and learning rules: online BCM/Oja/Sanger networks with and without
  competition, and mini-batch two-factor rules for PCA, ICA and sparse coding.
- :mod:`lnn_utils.whitening`: PCA whitening of patches, with the way back to pixel space.
- :mod:`lnn_utils.reference`: batch references (PCA, FastICA, lasso, dictionary learning) for the Hebbian rules.
- :mod:`lnn_utils.decomposition_metrics`: subspace angles, filter matching, Amari distance.
- :mod:`lnn_utils.rf_analysis`: receptive-field parameters (stripe segment, Gabor fit) and response statistics.
- :mod:`lnn_utils.ssl`: contrastive and non-contrastive self-supervised criteria, losses, a small encoder
  trained by backpropagation, augmentations and evaluation.
- :mod:`lnn_utils.datasets`: the bundled handwritten digits for the SSL experiments.
- :mod:`lnn_utils.plotting`: one plotting style and the figure helpers.
- :mod:`lnn_utils.blas`: run small-matrix training loops on one BLAS thread (``one_blas_thread``).
"""

__version__ = "0.1.0"
