"""Hebbian learning rules: online receptive-field networks and mini-batch decompositions.

- :mod:`lnn_utils.hebbian.online`: the networks of the receptive-field mini project (Brito & Gerstner 2016),
  simulated exactly one patch at a time: :class:`HebbianNetwork` (BCM and other nonlinear Hebbian rules, Oja's
  rule), :class:`CompetitiveNetwork` (lateral inhibition), :class:`SangerNetwork` (GHA).
- :mod:`lnn_utils.hebbian.minibatch`: two-factor rules trained on mini-batches of whitened patches, compared in
  notebook 05 with their batch references (:mod:`lnn_utils.reference`): :class:`OjaSubspace`, :class:`GHA`,
  :class:`FoldiakNetwork`, :class:`HebbianICA`, :class:`SparseCoding` and the locally competitive algorithm
  :func:`lca` (with its stability bound :func:`lca_step_bound`).
"""

from .minibatch import GHA, FoldiakNetwork, HebbianICA, OjaSubspace, SparseCoding, lca, lca_step_bound
from .online import NONLINEARITIES, CompetitiveNetwork, HebbianNetwork, SangerNetwork, get_nonlinearity

__all__ = [
    "NONLINEARITIES",
    "CompetitiveNetwork",
    "HebbianNetwork",
    "SangerNetwork",
    "get_nonlinearity",
    "FoldiakNetwork",
    "GHA",
    "HebbianICA",
    "OjaSubspace",
    "SparseCoding",
    "lca",
    "lca_step_bound",
]
