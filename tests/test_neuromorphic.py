"""Neuromorphic computing, part 1: the LIF neuron, STDP, energy budgets.

Science checked: the simulated LIF rate equals the closed form (Gerstner et al. 2014) above the rheobase and is 0
below it, and the first-spike latency from rest equals τ_m ln(RI / (RI − ϑ)); the STDP window has Bi & Poo's signs,
decays with |Δt| on its time constants and has a negative integral (Song et al. 2000); under STDP a neuron keeps its
correlated inputs and not its uncorrelated ones, and with no correlation neither group wins; reward-modulated STDP
with an eligibility trace learns the rewarded stimulus, and with a trace much shorter than the reward delay learns
nothing; energy budgets follow their operation counts.
"""

import numpy as np
import pytest

from lnn_utils.neuromorphic import (E_NEURON_UPDATE, E_SYNAPTIC_EVENT, HOROWITZ_45NM, LIF_DEFAULTS,
                                    ann_inference_energy, break_even_rate, equivalent_rate, lif_rate, lif_trace,
                                    mac_count, rheobase,
                                    simulate_lif, simulate_reward_stdp, simulate_stdp_competition,
                                    simulated_fi_curve, snn_energy_vs_rate, snn_inference_energy, stdp_pair_sum,
                                    stdp_window)

# ------------------------------------------------------------------------------------------------ LIF


def test_rheobase_of_the_default_neuron_is_2_nA():
    assert rheobase() == pytest.approx(2e-9)
    assert rheobase(resistance=20e6) == pytest.approx(1e-9)


def test_closed_form_rate_by_hand():
    # 3 nA: R I = 30 mV; T = 10 ms ln(25 / 10) = 9.163 ms; rate = 1 / (2 ms + T)
    assert lif_rate(3e-9) == pytest.approx(1 / (2e-3 + 10e-3 * np.log(2.5)), rel=1e-12)
    assert lif_rate(1e-6) == pytest.approx(1 / LIF_DEFAULTS["t_ref"], rel=0.02)  # saturation at 1 / Δ_abs
    rates = lif_rate(np.linspace(2.01e-9, 10e-9, 50))
    assert np.all(np.diff(rates) > 0)


@pytest.mark.parametrize("dt", [1e-4, 1e-3, 2e-3])
def test_simulated_rate_matches_closed_form_above_rheobase_and_is_zero_below(dt):
    currents = np.array([0.0, 1.0e-9, 1.99e-9, 2.1e-9, 2.5e-9, 3e-9, 5e-9, 10e-9])
    simulated = simulated_fi_curve(currents, duration=2.0, dt=dt)
    closed = lif_rate(currents)
    below = currents <= rheobase()
    assert np.all(simulated[below] == 0) and np.all(closed[below] == 0)
    np.testing.assert_allclose(simulated[~below], closed[~below], rtol=0.01)


def test_simulate_lif_spike_train_and_first_spike_latency():
    I = 3e-9
    spikes = simulate_lif(I, duration=1.0)
    assert spikes.size == pytest.approx(lif_rate(I) * 1.0, abs=1.5)
    # from rest, the first spike comes after τ ln(RI / (RI − (ϑ − u_rest))), without refractory period
    assert spikes[0] == pytest.approx(10e-3 * np.log(30 / 10), rel=1e-9)
    np.testing.assert_allclose(np.diff(spikes), 1 / lif_rate(I), rtol=1e-9)
    assert np.all((spikes >= 0) & (spikes < 1.0))


def test_time_varying_current_and_trace():
    dt, duration = 1e-4, 0.3
    n = int(round(duration / dt))
    I = np.where(np.arange(n) * dt >= 0.1, 4e-9, 0.0)   # a step at 100 ms
    spikes = simulate_lif(I, duration=duration, dt=dt)
    assert spikes.min() > 0.1
    trace = lif_trace(I, duration=duration, dt=dt)
    np.testing.assert_array_equal(trace.spike_times, spikes)
    assert trace.voltage.max() < LIF_DEFAULTS["v_threshold"]
    assert trace.voltage[: 999].max() == pytest.approx(LIF_DEFAULTS["v_rest"])


@pytest.mark.parametrize("kwargs, match", [
    ({"duration": -1.0}, "duration"),
    ({"duration": 1.0, "dt": 0.0}, "dt"),
    ({"duration": 1.0, "dt": -1e-4}, "dt"),
    ({"duration": 1.0, "dt": 5e-3}, "refractory"),
])
def test_simulate_lif_rejects_bad_time_grids(kwargs, match):
    with pytest.raises(ValueError, match=match):
        simulate_lif(3e-9, **kwargs)


def test_lif_rejects_bad_currents_and_parameters():
    with pytest.raises(ValueError, match=r"shape \(n_steps,\)"):
        simulate_lif(np.ones(50) * 3e-9, duration=0.1, dt=1e-4)       # 1000 steps expected
    with pytest.raises(ValueError, match="shape"):
        simulate_lif(np.ones((1000, 2)) * 3e-9, duration=0.1, dt=1e-4)
    with pytest.raises(ValueError, match="NaN"):
        simulate_lif(np.full(1000, np.nan), duration=0.1, dt=1e-4)
    with pytest.raises(ValueError, match="NaN"):
        lif_rate([1e-9, np.nan])
    with pytest.raises(TypeError, match="unknown LIF parameter"):
        lif_rate(3e-9, tau=0.01)
    with pytest.raises(ValueError, match="tau_m"):
        lif_rate(3e-9, tau_m=-0.01)
    with pytest.raises(ValueError, match="v_reset"):
        lif_rate(3e-9, v_reset=-40e-3)


# ------------------------------------------------------------------------------------------------ STDP


def test_stdp_window_signs_and_decay():
    dt = np.array([1e-3, 5e-3, 20e-3, 60e-3])
    ltp = stdp_window(dt)
    ltd = stdp_window(-dt)
    assert np.all(ltp > 0) and np.all(ltd < 0)
    assert np.all(np.diff(ltp) < 0) and np.all(np.diff(np.abs(ltd)) < 0)
    # one time constant away from coincidence the change has decayed by e
    assert stdp_window(20e-3) == pytest.approx(0.005 / np.e)
    assert stdp_window(-20e-3) == pytest.approx(-0.00525 / np.e)
    assert stdp_window(0.0) == pytest.approx(0.005)
    # Song et al. (2000): the window's integral is negative (A- tau- > A+ tau+), the root of competition
    grid = np.linspace(-0.3, 0.3, 600001)
    assert np.trapezoid(stdp_window(grid), grid) < 0
    assert stdp_window(0.01, tau_plus=5e-3) == pytest.approx(0.005 * np.exp(-2))


def test_stdp_pair_sum_adds_every_pair():
    pre, post = [0.0, 0.05], [0.01, 0.04]
    expected = stdp_window(0.01) + stdp_window(0.04) + stdp_window(-0.04) + stdp_window(-0.01)
    assert stdp_pair_sum(pre, post) == pytest.approx(expected)


def test_stdp_window_rejects_nan_and_unknown_parameters():
    with pytest.raises(ValueError, match="NaN"):
        stdp_window([0.01, np.nan])
    with pytest.raises(TypeError, match="unknown STDP parameter"):
        stdp_window(0.01, amplitude=1.0)


def test_stdp_competition_keeps_the_correlated_inputs():
    run = simulate_stdp_competition(duration=150.0, stdp={"a_minus": 0.0055}, seed=1)
    corr, uncorr = run.group_mean("correlated")[-1], run.group_mean("uncorrelated")[-1]
    assert corr > 0.9
    assert uncorr < 0.3
    assert run.weights.min() >= 0 and run.weights.max() <= 1
    assert run.output_rate.shape == (run.weights.shape[0] - 1,)
    # same seed, same run
    again = simulate_stdp_competition(duration=150.0, stdp={"a_minus": 0.0055}, seed=1)
    np.testing.assert_array_equal(run.weights, again.weights)


def test_without_correlation_neither_group_wins():
    run = simulate_stdp_competition(duration=150.0, correlation=0.0, stdp={"a_minus": 0.0055}, seed=1)
    assert run.output_rate[-5:].mean() > 5          # the neuron fires and STDP acts ...
    assert run.weights[-1].std() > 0.2              # ... and spreads the weights (Song et al.: bimodal) ...
    assert abs(run.group_mean("correlated")[-1] - run.group_mean("uncorrelated")[-1]) < 0.1   # ... but no group wins


def test_reward_modulated_stdp_learns_the_rewarded_stimulus_only_with_an_eligibility_trace():
    run = simulate_reward_stdp(n_episodes=250, jump=3e-3, seed=0)
    a, b = run.group_mean("A"), run.group_mean("B")
    assert a[-1] > b[-1] + 0.15
    # the neuron now fires more for A than for B
    spikes = np.abs(run.rewards[-80:])
    sign = run.episode_sign[-80:]
    assert spikes[sign > 0].mean() > 2 * spikes[sign < 0].mean()
    short = simulate_reward_stdp(n_episodes=250, jump=3e-3, tau_eligibility=5e-3, seed=0)
    # gap background spikes still pair just before the reward, but the learned change is 100 times smaller
    assert np.max(np.abs(short.weights - 0.5)) < 0.01 * np.max(np.abs(run.weights - 0.5))


# ------------------------------------------------------------------------------------------------ energy


def test_ann_energy_is_macs_times_energy_per_mac():
    assert mac_count([64, 128, 10]) == 64 * 128 + 128 * 10
    budget = ann_inference_energy([64, 128, 10])
    per_mac = HOROWITZ_45NM["fp32_mult"] + HOROWITZ_45NM["fp32_add"] + HOROWITZ_45NM["sram_read_32bit"]
    assert per_mac == pytest.approx(9.6e-12)
    assert budget.total == pytest.approx(mac_count([64, 128, 10]) * per_mac)
    assert sum(budget.parts.values()) == pytest.approx(budget.total)


def test_snn_energy_counts_events_and_updates():
    budget = snn_inference_energy(100, 50, layer_sizes=[64, 128, 10], n_steps=25)
    assert budget.counts["synaptic events"] == 100 * 128 + 50 * 10
    assert budget.total == pytest.approx((100 * 128 + 50 * 10) * E_SYNAPTIC_EVENT + 138 * 25 * E_NEURON_UPDATE)
    rates = np.array([0.0, 10.0, 100.0])
    e = snn_energy_vs_rate(rates, layer_sizes=[64, 128, 10], n_steps=25, dt=1e-3)
    assert np.all(np.diff(e) > 0) and e.shape == (3,)
    ann = ann_inference_energy([64, 128, 10]).total
    nu = break_even_rate(layer_sizes=[64, 128, 10], n_steps=25, dt=1e-3, ann_energy=ann)
    assert float(snn_energy_vs_rate(nu, layer_sizes=[64, 128, 10], n_steps=25, dt=1e-3)) == pytest.approx(ann)
    # a network's equivalent rate puts it on the uniform-rate curve (synaptic events identical)
    nu_eq = equivalent_rate(100, 50, layer_sizes=[64, 128, 10], n_steps=25, dt=1e-3)
    assert float(snn_energy_vs_rate(nu_eq, layer_sizes=[64, 128, 10], n_steps=25, dt=1e-3)) == pytest.approx(
        budget.total)
    with pytest.raises(ValueError, match="n_input_spikes"):
        snn_inference_energy(-1, 0, layer_sizes=[64, 128, 10], n_steps=25)
    with pytest.raises(ValueError, match="layer_sizes"):
        snn_inference_energy(1, 1, layer_sizes=[64, 10], n_steps=25)


# ------------------------------------------------------------------------------------------------ figures


def test_figure_helpers_draw_what_they_are_given():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from lnn_utils.plotting.neuromorphic import (plot_energy_vs_rate, plot_fi_curve, plot_group_weights,
                                                 plot_membrane_traces, plot_raster, plot_stdp_window)

    trace = lif_trace(3e-9, duration=0.05)
    fig = plot_membrane_traces([trace], ["3 nA"], v_threshold=LIF_DEFAULTS["v_threshold"])
    ax = fig.axes[0]
    assert np.allclose(ax.lines[0].get_ydata(), 1e3 * trace.voltage)
    I = np.linspace(0, 5e-9, 6)
    fig = plot_fi_curve(I, lif_rate(I), lif_rate(I), rheobase=rheobase())
    assert np.allclose(fig.axes[0].lines[0].get_xdata(), 1e9 * I)
    dt = np.linspace(-0.05, 0.05, 11)
    fig = plot_stdp_window(dt, stdp_window(dt))
    pos, neg = fig.axes[0].lines[:2]
    assert np.all(pos.get_ydata() > 0) and np.all(neg.get_ydata() < 0)
    run = simulate_stdp_competition(duration=5.0, record_interval=1.0)
    fig = plot_group_weights(run)
    assert len(fig.axes[0].lines) == 2
    spikes = np.zeros((10, 3))
    spikes[2, 1] = spikes[5, 0] = 1
    fig = plot_raster(spikes, dt=1e-3)
    assert len(fig.axes[0].collections[0].get_offsets()) == 2
    rates = np.array([1.0, 10.0, 100.0])
    fig = plot_energy_vs_rate(rates, {"a": np.ones(3) * 1e-9}, ann_energy=2e-9, points={"p": (10.0, 1e-9)})
    assert np.allclose(fig.axes[0].lines[0].get_ydata(), 1.0)   # drawn in nJ
    plt.close("all")
