"""Neuromorphic computing (notebook 10): spiking neurons, STDP, surrogate-gradient training, analog synapses, energy.

SI units throughout: seconds, volts, amperes, ohms (conductances in siemens, energies in joules, rates in hertz).

- :mod:`~lnn_utils.neuromorphic.lif`: the leaky integrate-and-fire neuron: :func:`lif_rate` (closed-form f–I
  curve), :func:`simulate_lif` (spike times, exact event-time integration), traces and simulated f–I curves
  (Gerstner et al. 2014, *Neuronal Dynamics*).
- :mod:`~lnn_utils.neuromorphic.stdp`: :func:`stdp_window` (Bi & Poo 1998; Song, Miller & Abbott 2000), synaptic
  competition under STDP, and reward-modulated STDP with an eligibility trace (Izhikevich 2007; Frémaux et al. 2010).
- :mod:`~lnn_utils.neuromorphic.snn`: :func:`train_snn`, a spiking network trained by surrogate gradients through
  time (Neftci, Mostafa & Zenke 2019).
- :mod:`~lnn_utils.neuromorphic.crossbar`: a PCM crossbar after the statistical model documented by IBM's analog
  hardware kit (Joshi et al. 2020): conductance levels, programming and read noise, drift, global drift
  compensation, and hardware-aware fine-tuning of a network of :mod:`lnn_utils.mlp`.
- :mod:`~lnn_utils.neuromorphic.energy`: energy per inference, MACs against synaptic events (Horowitz 2014).
"""

from .crossbar import (G_MAX, YEAR, PCMCrossbar, accuracy, clip_value, conductance_at, crossbar_accuracy,
                       crossbar_currents, drift_compensation_factor, drift_exponents, hardware_aware_finetune,
                       map_network, network_logits, program_conductances, programming_noise_std, quantization,
                       quantize_weights, weight_noise, weights_to_conductances)
from .energy import (CHIP_ENERGY_PER_EVENT, E_NEURON_UPDATE, E_SYNAPTIC_EVENT, HOROWITZ_45NM, EnergyBudget,
                     ann_inference_energy, break_even_rate, equivalent_rate, mac_count, snn_energy_vs_rate,
                     snn_inference_energy)
from .lif import LIF_DEFAULTS, LIFTrace, lif_rate, lif_trace, rheobase, simulate_lif, simulated_fi_curve
from .snn import SpikeCounts, SurrogateGradientSNN, encode, surrogate_derivative, surrogate_step, train_snn
from .stdp import (STDP_DEFAULTS, STDPRun, simulate_reward_stdp, simulate_stdp_competition, stdp_pair_sum,
                   stdp_window)
