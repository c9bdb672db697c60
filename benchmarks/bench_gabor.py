"""Time Gabor fits of 100 synthetic 16 x 16 RFs (noisy Gabors and pure noise); target: < 10 s on 2 cores.

Prints the wall time, the r2 distribution of each kind of RF, how well the Gabors' parameters are recovered,
and the speed-up of the analytic Jacobian over finite differences on a subset.

Run: ``python benchmarks/bench_gabor.py [--n 100] [--noise-fraction 0.4]``
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from lnn_utils.rf_analysis import fit_gabor, fit_gabors, gabor, gabor_table


def synthetic_rfs(n, noise_fraction, seed=0, size=16, noise=0.1):
    """``n`` RFs: Gabors with random parameters plus white noise, then pure-noise RFs; and the true parameters."""
    rng = np.random.default_rng(seed)
    n_noise = int(round(noise_fraction * n))
    truth = []
    rfs = []
    for _ in range(n - n_noise):
        p = dict(orientation=rng.uniform(0, 180), frequency=rng.uniform(0.08, 0.25), phase=rng.uniform(-np.pi, np.pi),
                 sigma_x=rng.uniform(2.0, 4.0), sigma_y=rng.uniform(2.0, 5.0), x0=rng.uniform(5.5, 9.5),
                 y0=rng.uniform(5.5, 9.5))
        truth.append(p)
        rfs.append(gabor(size, **p) + noise * rng.standard_normal((size, size)))
    rfs += list(rng.standard_normal((n_noise, size, size)))
    return np.array(rfs), truth


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100, help="number of RFs")
    parser.add_argument("--noise-fraction", type=float, default=0.4, help="fraction of pure-noise RFs")
    parser.add_argument("--n-jac", type=int, default=20, help="RFs used for the Jacobian comparison")
    args = parser.parse_args()

    rfs, truth = synthetic_rfs(args.n, args.noise_fraction)
    n_gabor = len(truth)
    fit_gabor(rfs[0])  # warm-up (imports, caches)
    t0 = time.perf_counter()
    fits = fit_gabors(rfs)
    elapsed = time.perf_counter() - t0
    table = gabor_table(fits)
    print(f"fit_gabors on {args.n} RFs of 16x16 ({n_gabor} noisy Gabors, {args.n - n_gabor} pure noise): "
          f"{elapsed:.2f} s ({1000 * elapsed / args.n:.1f} ms per RF) -- target < 10 s")

    qs = [0, 10, 50, 90, 100]
    r2 = table["r2"]
    print(f"r2 percentiles {qs}:")
    print(f"  Gabors + noise: {np.round(np.percentile(r2[:n_gabor], qs), 3)}")
    if n_gabor < args.n:
        print(f"  pure noise:     {np.round(np.percentile(r2[n_gabor:], qs), 3)}")

    theta = np.array([p["orientation"] for p in truth])
    freq = np.array([p["frequency"] for p in truth])
    d_theta = np.abs((table["orientation"][:n_gabor] - theta + 90) % 180 - 90)
    d_freq = np.abs(table["frequency"][:n_gabor] / freq - 1)
    print(f"Gabors: orientation error median {np.median(d_theta):.2f} deg, max {d_theta.max():.2f} deg; "
          f"{np.mean(d_theta < 5):.0%} within 5 deg")
    print(f"        frequency error median {np.median(d_freq):.1%}, {np.mean(d_freq < 0.1):.0%} within 10 %")

    k = min(args.n_jac, args.n)
    times = {}
    for jac in ("analytic", "2-point"):
        t0 = time.perf_counter()
        sub = [fit_gabor(rf, jac=jac) for rf in rfs[:k]]
        times[jac] = time.perf_counter() - t0
    same = np.mean([abs(a.r2 - b.r2) < 1e-3 for a, b in zip(sub, fits[:k])])
    print(f"Jacobian on {k} RFs: analytic {times['analytic']:.2f} s, finite differences {times['2-point']:.2f} s, "
          f"ratio {times['2-point'] / times['analytic']:.2f}x (analytic fits reproduce the run above: {same:.0%})")


if __name__ == "__main__":
    main()
