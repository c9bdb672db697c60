"""Time the handout's Hebbian workloads against a straightforward per-seed reference, and check they agree.

Workloads (16 x 16 whitened natural-image patches, γ = 1e-4, 150,000 iterations by default):

1. one BCM neuron (sliding θ, θ_0 = 0, τ = 100) for 20 seeds  -- target: >= 10x the reference;
2. 20 independent BCM neurons, one seed;
3. 20 competitive BCM neurons with lateral inhibition for 20 seeds  -- target: >= 10x the reference.

The reference is what a student writes from the handout: one network per seed, one patch per Python iteration
(its code is below). The library (its numba kernels; the numpy engine it falls back to is timed too) simulates the
same online rule (no mini-batches), so with the same seed it gives
the same weights up to rounding; the benchmark prints that difference. Python loops cost the same per iteration
throughout a run, so the reference is timed on ``--ref-iter`` iterations (every seed) and scaled to ``--n-iter``;
``--full-reference`` runs it in full instead. The machine may be shared: reference and library are timed
``--repeat`` times, interleaved, and the best of each is kept.

Run: ``python benchmarks/bench_hebbian.py [--n-iter 150000] [--seeds 20] [--full-reference]``
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import lnn_utils.hebbian.online as online
from lnn_utils.hebbian import CompetitiveNetwork, HebbianNetwork
from lnn_utils.images import load_images, whiten
from lnn_utils.patches import extract_patches

LEARNING_RATE = 1e-4
TAU = 100.0


# ---------------------------------------------------------------------------------------------- references
# Same random protocol as the library: default_rng(seed) draws W (then V), then all patch indices.


def reference_bcm(X, n_iter, seed, n_neurons=1, lr=LEARNING_RATE, theta0=0.0, tau=TAU):
    """Sliding-threshold BCM neurons, one patch per iteration, explicit normalisation."""
    rng = np.random.default_rng(seed)
    W = rng.standard_normal((n_neurons, X.shape[1]))
    W = W / np.linalg.norm(W, axis=1, keepdims=True)
    theta = np.full(n_neurons, theta0)
    idx = rng.integers(0, len(X), size=n_iter)
    for t in range(n_iter):
        x = X[idx[t]]
        y = np.maximum(W @ x, 0.0)
        W = W + lr * np.outer(y * (y - theta), x)
        W = W / np.linalg.norm(W, axis=1, keepdims=True)
        theta = theta + (y**2 - theta) / tau
    return W


def reference_bcm_single(X, n_iter, seed, lr=LEARNING_RATE, theta0=0.0, tau=TAU):
    """One neuron, written with a vector w and a scalar θ, as the handout's first exercise."""
    rng = np.random.default_rng(seed)
    w = rng.standard_normal(X.shape[1])
    w = w / np.linalg.norm(w)
    theta = theta0
    idx = rng.integers(0, len(X), size=n_iter)
    for t in range(n_iter):
        x = X[idx[t]]
        y = max(w @ x, 0.0)
        w = w + lr * y * (y - theta) * x
        w = w / np.linalg.norm(w)
        theta = theta + (y**2 - theta) / tau
    return w[None, :]


def reference_competitive(X, n_iter, seed, n_neurons, lr=LEARNING_RATE, theta0=0.0, tau=TAU, dt=0.1, n_steps=10):
    """Competitive BCM neurons: Euler relaxation of u, then W (BCM), V (anti-Hebbian, φ = 0) and θ updates."""
    rng = np.random.default_rng(seed)
    W = rng.standard_normal((n_neurons, X.shape[1]))
    W = W / np.linalg.norm(W, axis=1, keepdims=True)
    V = np.abs(rng.standard_normal((n_neurons, n_neurons)))
    np.fill_diagonal(V, 0.0)
    theta = np.full(n_neurons, theta0)
    idx = rng.integers(0, len(X), size=n_iter)
    for t in range(n_iter):
        x = X[idx[t]]
        h = W @ x
        u = h.copy()
        for _ in range(n_steps):
            u = u + dt * (-u + h - V @ np.maximum(u, 0.0))
        y = np.maximum(u, 0.0)
        W = W + lr * np.outer(y * (y - theta), x)
        W = W / np.linalg.norm(W, axis=1, keepdims=True)
        V = np.maximum(V + lr * np.outer(y, y), 0.0)
        np.fill_diagonal(V, 0.0)
        theta = theta + (y**2 - theta) / tau
    return W


# ---------------------------------------------------------------------------------------------- timing


def time_reference(func, seeds, n_run, n_target, **kwargs):
    """Seconds the reference takes for ``n_target`` iterations of every seed, timed on ``n_run``."""
    t0 = time.perf_counter()
    weights = [func(n_iter=n_run, seed=s, **kwargs) for s in seeds]
    elapsed = time.perf_counter() - t0
    return elapsed * n_target / n_run, np.stack(weights)


def time_library(make, X, n_iter, compiled=True):
    """Time ``make().fit``; ``compiled=False`` forces the numpy engine instead of the numba kernels."""
    saved = online._USE_COMPILED
    online._USE_COMPILED = compiled
    try:
        t0 = time.perf_counter()
        net = make().fit(X, n_iter, progress=False)
        return time.perf_counter() - t0, net
    finally:
        online._USE_COMPILED = saved


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-iter", type=int, default=150_000, help="iterations (patches) per run")
    parser.add_argument("--seeds", type=int, default=20, help="runs of the multi-seed workloads")
    parser.add_argument("--neurons", type=int, default=20, help="neurons of workloads 2 and 3")
    parser.add_argument("--n-per-image", type=int, default=5000, help="patches cut out of each image")
    parser.add_argument("--ref-iter", type=int, default=15_000, help="iterations the references are timed on")
    parser.add_argument("--ref-iter-competitive", type=int, default=3_000,
                        help="iterations the competitive reference is timed on")
    parser.add_argument("--full-reference", action="store_true", help="run the references for all --n-iter")
    parser.add_argument("--repeat", type=int, default=2, help="timings per workload (the best is kept)")
    args = parser.parse_args()

    X = extract_patches([whiten(im) for im in load_images()], 16, args.n_per_image)
    seeds = list(range(args.seeds))
    n = args.n_iter
    ref_n = n if args.full_reference else min(args.ref_iter, n)
    ref_nc = n if args.full_reference else min(args.ref_iter_competitive, n)
    print(f"{len(X)} whitened 16x16 patches; {n} iterations per run, learning rate {LEARNING_RATE:g}; "
          f"references timed on {ref_n} (competitive {ref_nc}) iterations and scaled to {n}; "
          f"best of {args.repeat}")

    workloads = [
        ("1 BCM neuron x %d seeds" % len(seeds), 10.0,
         lambda: HebbianNetwork(256, theta=0.0, tau=TAU, learning_rate=LEARNING_RATE, seed=seeds),
         reference_bcm_single, seeds, ref_n, {}),
        ("%d BCM neurons, 1 seed" % args.neurons, None,
         lambda: HebbianNetwork(256, args.neurons, theta=0.0, tau=TAU, learning_rate=LEARNING_RATE, seed=[0]),
         reference_bcm, [0], ref_n, {"n_neurons": args.neurons}),
        ("%d competitive neurons x %d seeds" % (args.neurons, len(seeds)), 10.0,
         lambda: CompetitiveNetwork(256, args.neurons, theta=0.0, tau_theta=TAU, learning_rate=LEARNING_RATE,
                                    seed=seeds),
         reference_competitive, seeds, ref_nc, {"n_neurons": args.neurons}),
    ]
    compiled = online._compiled.available()
    print("library: " + ("numba kernels" if compiled else "numpy engine (numba is not installed)")
          + "; numpy engine: the library without numba, for comparison")
    print(f"{'workload':36s} {'reference':>10s} {'library':>9s} {'speed-up':>9s} {'target':>7s} "
          f"{'numpy engine':>13s} {'max |W_lib - W_ref|':>20s}")
    time_library(workloads[-1][2], X, 10)  # compile (or load from the cache) before timing
    for name, target, make, ref, ref_seeds, n_ref, kwargs in workloads:
        t_ref = t_lib = np.inf
        for _ in range(args.repeat):  # interleaved, best of each: the machine may be shared
            t, W_ref = time_reference(lambda **kw: ref(X, **kw), ref_seeds, n_ref, n, **kwargs)
            t_ref = min(t_ref, t)
            t_lib = min(t_lib, time_library(make, X, n)[0])
        t_numpy = time_library(make, X, n, compiled=False)[0] if compiled else t_lib
        _, short = time_library(make, X, n_ref)  # same seeds and patches as the timed reference
        diff = np.abs(np.asarray(short._W) - W_ref).max()
        ratio = t_ref / t_lib
        flag = "" if target is None else (f">={target:g}x " + ("ok" if ratio >= target else "MISSED"))
        print(f"{name:36s} {t_ref:9.1f}s {t_lib:8.2f}s {ratio:8.1f}x {flag:>9s} "
              f"{t_numpy:7.2f}s {t_ref / t_numpy:4.1f}x {diff:20.1e}")


if __name__ == "__main__":
    main()
