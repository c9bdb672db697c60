"""Energy per inference [J]: multiply–accumulates of a digital network against synaptic events of a spiking one.

A first-order budget that counts operations and multiplies each count by an energy per operation. The digital
numbers are Horowitz's (2014) 45 nm figures: a 32-bit floating-point multiply 3.7 pJ, a 32-bit floating-point add
0.9 pJ, an 8-bit integer multiply 0.2 pJ and add 0.03 pJ, and a 32-bit read from a small (8 kB) SRAM cache about
5 pJ (his 64-bit read costs about 10 pJ).

Assumptions, stated once and used by every function:

- Digital network (an MLP): one multiply–accumulate (MAC) per weight per inference; each MAC costs a multiply, an
  add and a read of its weight from cache. Activations stay in registers, the nonlinearities, biases and control
  cost nothing, and nothing comes from DRAM (which would cost hundreds of pJ per word more).
- Spiking network on event-driven digital hardware: a spike arriving at a synapse is one *synaptic event*: a read of
  the weight and an add into the target neuron's membrane (no multiply: the spike is 0 or 1), 5 + 0.9 = 5.9 pJ by
  the same table. Every neuron also updates its membrane once per time step (leak multiply, add, threshold compare:
  3.7 + 0.9 + 0.9 pJ) with its state in registers. Routing spikes between cores, and the static power that
  dominates real chips at low activity, are not counted.
- For comparison, published neuromorphic chips quote whole-system energies per synaptic event of about 26 pJ
  (IBM TrueNorth, Merolla et al. 2014) and 23.6 pJ (Intel Loihi, Davies et al. 2018): routing and leakage
  included, hence above the bare arithmetic.

References
----------
Horowitz, M. (2014). Computing's energy problem (and what we can do about it). *IEEE ISSCC*, 10–14.
Merolla, P. A. et al. (2014). A million spiking-neuron integrated circuit with a scalable communication network and
interface. *Science* 345:668–673.
Davies, M. et al. (2018). Loihi: a neuromorphic manycore processor with on-chip learning. *IEEE Micro* 38:82–99.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._validation import check_positive

#: Energy per operation [J] at 45 nm (Horowitz 2014).
HOROWITZ_45NM = {
    "fp32_mult": 3.7e-12,
    "fp32_add": 0.9e-12,
    "int8_mult": 0.2e-12,
    "int8_add": 0.03e-12,
    "sram_read_32bit": 5.0e-12,
}

#: Energy per synaptic event [J] reported for two neuromorphic chips (whole system).
CHIP_ENERGY_PER_EVENT = {"TrueNorth (Merolla et al. 2014)": 26e-12, "Loihi (Davies et al. 2018)": 23.6e-12}

#: Default energy of one synaptic event [J]: weight read + fp32 add.
E_SYNAPTIC_EVENT = HOROWITZ_45NM["sram_read_32bit"] + HOROWITZ_45NM["fp32_add"]

#: Default energy of one neuron update per time step [J]: leak multiply + add + threshold compare.
E_NEURON_UPDATE = HOROWITZ_45NM["fp32_mult"] + 2 * HOROWITZ_45NM["fp32_add"]


def _sizes(layer_sizes):
    sizes = list(layer_sizes)
    if len(sizes) < 2:
        raise ValueError(f"layer_sizes must list at least an input and an output size, got {sizes!r}")
    for i, s in enumerate(sizes):
        check_positive(s, f"layer_sizes[{i}]", integer=True)
    return sizes


def mac_count(layer_sizes):
    """Multiply–accumulates of one forward pass of a dense MLP, Σ_l n_l n_(l+1).

    Parameters
    ----------
    layer_sizes : sequence of int
        Widths, input first (e.g. ``[64, 128, 10]``).

    Returns
    -------
    int
    """
    sizes = _sizes(layer_sizes)
    return int(sum(a * b for a, b in zip(sizes[:-1], sizes[1:])))


@dataclass(frozen=True)
class EnergyBudget:
    """Energy of one inference [J], with its parts.

    Attributes
    ----------
    total : float or ndarray
        Energy per inference [J].
    parts : dict of str to float or ndarray
        Contributions [J] that sum to ``total``.
    counts : dict of str to float or ndarray
        Operation counts behind each part.
    """

    total: object
    parts: dict
    counts: dict


def ann_inference_energy(layer_sizes, *, e_mult=HOROWITZ_45NM["fp32_mult"], e_add=HOROWITZ_45NM["fp32_add"],
                         e_read=HOROWITZ_45NM["sram_read_32bit"]):
    """Energy [J] of one inference of a dense MLP on digital hardware: MACs × (multiply + add + weight read).

    Parameters
    ----------
    layer_sizes : sequence of int
        Widths, input first.
    e_mult, e_add, e_read : float
        Energy [J] of one multiply, one add and one weight read (defaults: fp32 at 45 nm and a 32-bit cache read,
        Horowitz 2014: 3.7, 0.9 and 5 pJ).

    Returns
    -------
    EnergyBudget
        Parts ``"multiply"``, ``"add"``, ``"weight read"``; counts ``"MAC"``.
    """
    for name, value in (("e_mult", e_mult), ("e_add", e_add), ("e_read", e_read)):
        check_positive(value, name, allow_zero=True)
    n = mac_count(layer_sizes)
    parts = {"multiply": n * e_mult, "add": n * e_add, "weight read": n * e_read}
    return EnergyBudget(total=sum(parts.values()), parts=parts, counts={"MAC": n})


def snn_inference_energy(n_input_spikes, n_hidden_spikes, *, layer_sizes, n_steps, e_event=E_SYNAPTIC_EVENT,
                         e_update=E_NEURON_UPDATE):
    """Energy [J] of one inference of a one-hidden-layer spiking network on event-driven hardware.

    E = (N_in n_hidden + N_hid n_out) e_event + (n_hidden + n_out) T e_update, with N_in, N_hid the input and
    hidden spikes of the inference.

    Parameters
    ----------
    n_input_spikes, n_hidden_spikes : float or array_like
        Spikes of one inference (e.g. the means of :meth:`SurrogateGradientSNN.spike_counts`); arrays broadcast.
    layer_sizes : sequence of int
        ``[n_inputs, n_hidden, n_outputs]``.
    n_steps : int
        Time steps T of the inference.
    e_event : float, default=5.9e-12
        Energy of one synaptic event [J] (weight read + add, Horowitz 2014; chips quote ≈ 25 pJ, see
        :data:`CHIP_ENERGY_PER_EVENT`).
    e_update : float, default=5.5e-12
        Energy of one neuron's membrane update per step [J] (multiply + add + compare).

    Returns
    -------
    EnergyBudget
        Parts ``"synaptic events"`` and ``"neuron updates"``; counts ``"synaptic events"``, ``"neuron updates"``.
    """
    sizes = _sizes(layer_sizes)
    if len(sizes) != 3:
        raise ValueError(f"layer_sizes must be [n_inputs, n_hidden, n_outputs], got {sizes!r}")
    check_positive(n_steps, "n_steps", integer=True)
    check_positive(e_event, "e_event", allow_zero=True)
    check_positive(e_update, "e_update", allow_zero=True)
    n_in = np.asarray(n_input_spikes, dtype=np.float64)
    n_hid = np.asarray(n_hidden_spikes, dtype=np.float64)
    for name, arr in (("n_input_spikes", n_in), ("n_hidden_spikes", n_hid)):
        if not np.all(np.isfinite(arr)) or np.any(arr < 0):
            raise ValueError(f"{name} must be finite and >= 0, got {arr!r}")
    _, h, out = sizes
    events = n_in * h + n_hid * out
    updates = (h + out) * n_steps
    parts = {"synaptic events": events * e_event, "neuron updates": np.full(np.shape(events), updates * e_update)}
    total = parts["synaptic events"] + parts["neuron updates"]
    as_out = (lambda a: float(a) if np.ndim(a) == 0 else a)
    return EnergyBudget(total=as_out(total), parts={k: as_out(v) for k, v in parts.items()},
                        counts={"synaptic events": as_out(events), "neuron updates": updates})


def snn_energy_vs_rate(rates, *, layer_sizes, n_steps, dt, e_event=E_SYNAPTIC_EVENT, e_update=E_NEURON_UPDATE):
    """Energy per inference [J] of the spiking network when every input and hidden neuron fires at ``rates`` [Hz].

    Parameters
    ----------
    rates : array_like
        Mean firing rate ν [Hz] of input and hidden neurons.
    layer_sizes : sequence of int
        ``[n_inputs, n_hidden, n_outputs]``.
    n_steps : int
        Time steps T; the inference window is T Δt.
    dt : float
        Time step Δt [s].
    e_event, e_update : float
        As in :func:`snn_inference_energy` [J].

    Returns
    -------
    ndarray
        Energy per inference [J], shape of ``rates``.
    """
    check_positive(dt, "dt")
    r = np.asarray(rates, dtype=np.float64)
    if not np.all(np.isfinite(r)) or np.any(r < 0):
        raise ValueError("rates must be finite and >= 0 (in Hz)")
    n_in, h, _ = _sizes(layer_sizes)
    window = n_steps * dt
    return np.asarray(snn_inference_energy(n_in * r * window, h * r * window, layer_sizes=layer_sizes,
                                           n_steps=n_steps, e_event=e_event, e_update=e_update).total)


def equivalent_rate(n_input_spikes, n_hidden_spikes, *, layer_sizes, n_steps, dt):
    """The uniform firing rate [Hz] that would cause the same synaptic events as the given spike counts.

    Input spikes fan out to ``n_hidden`` synapses and hidden spikes to ``n_outputs``, so the same mean rate can
    cost very different energies; this rate, ν_eq = (N_in n_hidden + N_hid n_out) / ((n_in n_hidden + n_hidden
    n_out) T Δt), puts a measured network on the curve of :func:`snn_energy_vs_rate`.

    Parameters
    ----------
    n_input_spikes, n_hidden_spikes : float
        Spikes of one inference.
    layer_sizes : sequence of int
        ``[n_inputs, n_hidden, n_outputs]``.
    n_steps : int
        Time steps T.
    dt : float
        Time step Δt [s].

    Returns
    -------
    float
        ν_eq [Hz].
    """
    n_in, h, out = _sizes(layer_sizes)
    check_positive(n_steps, "n_steps", integer=True)
    check_positive(dt, "dt")
    events = float(n_input_spikes) * h + float(n_hidden_spikes) * out
    return events / ((n_in * h + h * out) * n_steps * dt)


def break_even_rate(*, layer_sizes, n_steps, dt, ann_energy, e_event=E_SYNAPTIC_EVENT, e_update=E_NEURON_UPDATE):
    """The firing rate [Hz] at which the spiking network costs as much as the digital one (energy linear in ν).

    Parameters
    ----------
    layer_sizes, n_steps, dt, e_event, e_update
        As in :func:`snn_energy_vs_rate` (sizes, steps, [s], [J]).
    ann_energy : float
        Energy per inference of the digital network [J].

    Returns
    -------
    float
        ν* [Hz]; 0 if the neuron updates alone already cost more than ``ann_energy``.
    """
    base = float(snn_energy_vs_rate(0.0, layer_sizes=layer_sizes, n_steps=n_steps, dt=dt, e_event=e_event,
                                    e_update=e_update))
    slope = float(snn_energy_vs_rate(1.0, layer_sizes=layer_sizes, n_steps=n_steps, dt=dt, e_event=e_event,
                                     e_update=e_update)) - base
    return max(0.0, (ann_energy - base) / slope)
