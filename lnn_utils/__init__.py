"""Learning in Neural Networks: the package the course notebooks import.

Modules, one concept each:

- :mod:`lnn_utils.images`: load natural images, standardise and whiten them.
- :mod:`lnn_utils.patches`: cut flattened patches out of images.
- :mod:`lnn_utils.hebbian`: Hebbian networks and learning rules (BCM, Oja, Sanger, competition).
- :mod:`lnn_utils.rf_analysis`: receptive-field parameters (stripe segment, Gabor fit) and response statistics.
- :mod:`lnn_utils.ssl`: contrastive and non-contrastive self-supervised criteria and losses.
- :mod:`lnn_utils.plotting`: one plotting style and the figure helpers.
"""

__version__ = "0.1.0"
