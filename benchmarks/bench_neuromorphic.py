"""Benchmark: the time loops of lnn_utils.neuromorphic, each against its straightforward alternative.

Run from the repository root::

    python benchmarks/bench_neuromorphic.py            # writes benchmarks/results/neuromorphic.json
    python benchmarks/bench_neuromorphic.py --quick    # fewer repeats, nothing written

Measured (minimum wall time over repeats; the machine may be shared, the minimum is the least disturbed run):

* **LIF f–I curve**: 41 currents × 2 s at Δt = 0.1 ms simulated in one time loop vectorised over the neurons
  (``simulated_fi_curve``) against one ``simulate_lif`` call per current.
* **STDP competition**: simulated seconds per wall-clock second of the compiled (numba) kernel, 200 inputs at
  10 Hz, Δt = 0.5 ms (the first call, which compiles or loads the cached kernel, is reported separately).
* **Surrogate-gradient SNN**: one training epoch (1,347 digits, batches of 64, 25 steps, 128 hidden neurons), and
  the same epoch with the batch loop unrolled to one sample at a time (what vectorising over the batch saves).
* **PCM crossbar**: one programming plus one read-out and test-set evaluation of notebook 09's MLP.

The load average is printed beside the timings: on a busy machine every number grows.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import numpy as np

from lnn_utils.credit_assignment import train_network
from lnn_utils.datasets import load_digits
from lnn_utils.neuromorphic import (crossbar_accuracy, simulate_lif, simulate_stdp_competition, simulated_fi_curve,
                                    train_snn)
from lnn_utils.neuromorphic.snn import SurrogateGradientSNN, encode
from lnn_utils.optim import Adam

RESULTS = Path(__file__).resolve().parent / "results" / "neuromorphic.json"


def best_of(fn, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def snn_epoch_per_sample(model, X, y, rng):
    """One epoch with batches of one sample: the same arithmetic without batch vectorisation."""
    opt = Adam(model.learning_rate)
    for i in rng.permutation(len(X)):
        spikes = encode(X[i:i + 1], n_steps=model.n_steps, max_rate=model.max_rate, dt=model.dt, seed=rng)
        _, grad, _ = model.loss_and_gradient(spikes, y[i:i + 1])
        opt.step(model.flat_params_, grad)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats; nothing written")
    args = parser.parse_args()
    repeats = 1 if args.quick else 3
    load = os.getloadavg()[0]
    results = {"load_average_1min": round(load, 2)}

    currents = np.linspace(0, 10e-9, 41)
    vec = best_of(lambda: simulated_fi_curve(currents, duration=2.0, dt=1e-4), repeats)
    loop = best_of(lambda: [simulate_lif(I, duration=2.0, dt=1e-4) for I in currents], 1)
    results["lif_fi_curve_s"] = {"vectorised": round(vec, 3), "one_call_per_current": round(loop, 3),
                                 "speed_up": round(loop / vec, 1)}

    start = time.perf_counter()
    simulate_stdp_competition(duration=1.0)
    first = time.perf_counter() - start
    stdp = best_of(lambda: simulate_stdp_competition(duration=100.0), repeats)
    results["stdp_competition"] = {"first_call_s": round(first, 2), "wall_s_per_100_simulated_s": round(stdp, 3),
                                   "simulated_s_per_wall_s": round(100.0 / stdp, 0)}

    X, y = load_digits("train", flatten=True)
    epoch = best_of(lambda: train_snn(X, y, n_epochs=1, seed=0), repeats)
    model = SurrogateGradientSNN(seed=0).initialize(64, 10)
    n_sub = 200
    per_sample = best_of(lambda: snn_epoch_per_sample(model, X[:n_sub], y[:n_sub], np.random.default_rng(0)), 1)
    per_sample_epoch = per_sample * len(X) / n_sub
    results["snn_epoch_s"] = {"batches_of_64": round(epoch, 3), "one_sample_at_a_time (extrapolated)":
                              round(per_sample_epoch, 2), "speed_up": round(per_sample_epoch / epoch, 1)}

    X_test, y_test = load_digits("test", flatten=True)
    net = train_network(X, y, rule="backprop", n_epochs=5, seed=0)
    xbar = best_of(lambda: crossbar_accuracy(net, X_test, y_test, n_repeats=1, seed=0), repeats)
    results["crossbar_program_and_evaluate_s"] = round(xbar, 4)

    print(json.dumps(results, indent=1))
    if not args.quick:
        RESULTS.parent.mkdir(exist_ok=True)
        RESULTS.write_text(json.dumps(results, indent=1) + "\n")
        print(f"written to {RESULTS}")


if __name__ == "__main__":
    main()
