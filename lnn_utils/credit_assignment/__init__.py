"""Multi-layer learning without backpropagation's weight transport (notebook 09).

One network, the shared hand-written MLP core (:mod:`lnn_utils.mlp`), trained by rules that differ only in how the
output error reaches the hidden layers:

- :mod:`.feedback`: backprop, feedback alignment (Lillicrap et al. 2016), direct feedback alignment (Nøkland 2016)
  and the output-only baseline, and :func:`alignment_angles`;
- :mod:`.predictive_coding`: inference relaxation and local updates (Whittington & Bogacz 2017), and
  :func:`pc_backprop_cosine`, the agreement of its updates with backprop's;
- :mod:`.training`: :func:`train_network` (all of the above), :func:`compare_rules` over seeds;
- :mod:`.forward_forward`: :func:`train_forward_forward` (Hinton 2022), goodness and the label-in-input trick.

API
---
``train_network(X, y, *, rule, hidden_sizes=(100, 100), n_epochs=None, learning_rate=None, batch_size=None,
seed=0, activation="tanh", ...)`` with ``rule`` in :data:`RULES` = ("backprop", "feedback_alignment",
"direct_feedback_alignment", "output_only", "predictive_coding") returns a :class:`TrainedNetwork`:

- ``net.predict(X)`` labels, ``net.score(X, y)`` accuracy, ``net.predict_proba(X)``;
- ``net.weights_``: list of the weight matrices W_l, each (n_in, n_out), input layer first, and ``net.biases_``:
  list of (n_out,) vectors (views into the trained network: editing them edits it);
- ``net.forward(X, weights=None, biases=None)``: the logits, optionally computed with substituted weight and bias
  lists of the same shapes (noisy, quantised or crossbar-mapped copies) without touching the network;
  ``predict``, ``predict_proba`` and ``score`` take the same keywords;
- ``net.mlp_`` (the :class:`lnn_utils.mlp.MLP`: ``Linear -> tanh -> Linear -> tanh -> Linear``),
  ``net.feedback_`` (the fixed random feedback matrices), ``net.history_`` (losses, learning curves, angles),
  ``net.params_`` (the hyperparameters used), ``net.classes_``.

``train_forward_forward(X, y, *, hidden_sizes=(100, 100), n_epochs=None, learning_rate=None, batch_size=None,
threshold=None, label_scale=None, normalize=True, seed=0)`` returns a :class:`ForwardForwardNetwork` with the same
``predict``, ``score``, ``weights_`` and ``biases_``, plus ``goodness`` and ``class_goodness``.

Defaults per rule are in :data:`DEFAULTS`, :data:`PC_DEFAULTS` and :data:`FF_DEFAULTS`, tuned with the same
budget for every rule (``benchmarks/bench_credit_assignment.py --tune``).
"""

from .feedback import FEEDBACK_RULES, alignment_angles, deliver_error, make_feedback
from .predictive_coding import pc_backprop_cosine, pc_gradients
from .training import (DEFAULTS, PC_DEFAULTS, REQUIREMENTS, RULES, TrainedNetwork, compare_rules, error_summary,
                       paired_difference, train_network)
from .forward_forward import FF_DEFAULTS, ForwardForwardNetwork, embed_label, train_forward_forward
