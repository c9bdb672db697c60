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
- :mod:`lnn_utils.mlp`: the one hand-written MLP (layers with explicit forward and backward passes, BatchNorm, a
  flat-parameter container), shared by ``ssl``, ``credit_assignment`` and ``neuromorphic``; :mod:`lnn_utils.optim`:
  Adam, SGD and the warm-up + cosine schedule.
- :mod:`lnn_utils.reinforcement`: three-factor learning (notebook 07): random walk and n-step TD, the TD model of
  dopamine, reward-modulated Hebbian learning with a critic, eligibility traces, actor-critic on a maze.
- :mod:`lnn_utils.surprise`: learning in a volatile world (notebook 08): exact Bayes, VarSMiLe, leaky integrator,
  particle filter, surprise measures, novelty-driven exploration.
- :mod:`lnn_utils.credit_assignment`: multi-layer learning without backpropagation (notebook 09): feedback
  alignment, DFA, predictive coding, forward-forward.
- :mod:`lnn_utils.neuromorphic`: spiking neurons, STDP, surrogate-gradient SNN, PCM crossbar, energy (notebook 10).
- :mod:`lnn_utils.datasets`: the bundled handwritten digits for the SSL, credit-assignment and SNN experiments.
- :mod:`lnn_utils.statistics`: confidence intervals for comparing runs (mean, paired and unpaired differences).
- :mod:`lnn_utils.progress`: tqdm progress bars for long training calls, silent under the notebook runner.
- :mod:`lnn_utils.plotting`: one plotting style and the figure helpers.
- :mod:`lnn_utils.blas`: run small-matrix training loops on one BLAS thread (``one_blas_thread``).
"""

__version__ = "0.1.0"
