"""Benchmark: throughput of each credit-assignment rule of notebook 09, and the tuning of their default learning rates.

Run from the repository root::

    python benchmarks/bench_credit_assignment.py           # throughput, updates the results file
    python benchmarks/bench_credit_assignment.py --tune    # also the learning-rate search (a few minutes)
    python benchmarks/bench_credit_assignment.py --quick   # fewer repeats, results file untouched

*Throughput*: training samples per second of each rule with its default hyperparameters (64 -> 100 -> 100 -> 10,
tanh, Adam, batch 32, float64, one BLAS thread) on the 1,347 training digits, timed over whole epochs (minimum of
``--repeats`` runs of 3 epochs, since the machine may be shared), and the implied time of a default training run
(epochs x epoch time). Forward-forward also reports its prediction cost (one forward pass per candidate label).

*Tuning* (``--tune``): the same budget for every rule, 40 epochs of batches of 32; the learning rate picked from
``LR_GRID`` by the mean validation accuracy over 3 seeds, validation being a stratified fifth of the training
digits (the test digits are never used). The chosen values are the defaults in
``lnn_utils/credit_assignment/training.py`` (``DEFAULTS``) and ``forward_forward.py`` (``FF_DEFAULTS``).

Results go to ``benchmarks/bench_credit_assignment_results.json`` (notebook 09 displays them), with the load
average at the time of measurement.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

import numpy as np

from lnn_utils.credit_assignment import DEFAULTS, FF_DEFAULTS, RULES, train_forward_forward, train_network
from lnn_utils.datasets import load_digits, stratified_split

RESULTS = Path(__file__).with_name("bench_credit_assignment_results.json")
LR_GRID = (3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1)
TUNE_SEEDS = (0, 1, 2)
ALL_RULES = RULES + ("forward_forward",)


def _train(rule, X, y, **kwargs):
    if rule == "forward_forward":
        return train_forward_forward(X, y, **kwargs)
    return train_network(X, y, rule=rule, **kwargs)


def throughput(X, y, X_test, repeats):
    out = {}
    for rule in ALL_RULES:
        defaults = FF_DEFAULTS if rule == "forward_forward" else DEFAULTS[rule]
        times = []
        for r in range(repeats):
            start = time.perf_counter()
            _train(rule, X, y, n_epochs=3, seed=r)
            times.append((time.perf_counter() - start) / 3)
        epoch = min(times)
        row = {"epoch_s": epoch, "samples_per_s": len(X) / epoch, "n_epochs": defaults["n_epochs"],
               "training_s": epoch * defaults["n_epochs"]}
        if rule == "forward_forward":
            net = _train(rule, X, y, n_epochs=1)
            start = time.perf_counter()
            net.predict(X_test)
            row["predict_samples_per_s"] = len(X_test) / (time.perf_counter() - start)
        out[rule] = row
        print(f"{rule:28s} {row['samples_per_s']:9.0f} samples/s   epoch {epoch * 1e3:7.1f} ms   "
              f"default training {row['training_s']:5.1f} s", flush=True)
    return out


def tune(X, y):
    tr, va = stratified_split(y, test_fraction=0.2, seed=123)
    out = {}
    for rule in ALL_RULES:
        scores = {}
        for lr in LR_GRID:
            accs = []
            for seed in TUNE_SEEDS:
                try:
                    net = _train(rule, X[tr], y[tr], learning_rate=lr, seed=seed)
                    accs.append(net.score(X[va], y[va]))
                except FloatingPointError:
                    accs.append(float("nan"))
            scores[f"{lr:g}"] = float(np.mean(accs))
            print(f"{rule:28s} lr {lr:<7g} validation accuracy {scores[f'{lr:g}']:.4f}", flush=True)
        best = max(scores, key=lambda k: -1 if np.isnan(scores[k]) else scores[k])
        out[rule] = {"validation_accuracy": scores, "best_learning_rate": float(best)}
        print(f"{rule:28s} best lr {best}", flush=True)
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tune", action="store_true", help="also run the learning-rate search")
    parser.add_argument("--quick", action="store_true", help="one repeat, results file untouched")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    X, y = load_digits("train", flatten=True)
    X_test, _ = load_digits("test", flatten=True)
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    meta = {"date": time.strftime("%Y-%m-%d"), "machine": f"{platform.machine()}, {os.cpu_count()} cores",
            "python": platform.python_version(), "numpy": np.__version__,
            "load_average_1min_before": os.getloadavg()[0]}
    if args.tune:
        results["tuning"] = {"grid": list(LR_GRID), "seeds": list(TUNE_SEEDS), "n_epochs": 40, "batch_size": 32,
                             "validation": "stratified 20 % of the 1,347 training digits", "rules": tune(X, y)}
    results["throughput"] = throughput(X, y, X_test, 1 if args.quick else args.repeats)
    meta["load_average_1min_after"] = os.getloadavg()[0]
    results["meta"] = meta
    if not args.quick:
        RESULTS.write_text(json.dumps(results, indent=1) + "\n")
        print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
