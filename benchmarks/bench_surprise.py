"""Time the compiled learners of notebook 08 against straightforward Python references, and check they agree.

Workloads (switching Gaussian, σ = 0.5, p_c = 0.01, μ₀ = 0, σ₀ = 1):

1. exact Bayes (run-length message passing, pruning at 1e-16): the compiled kernel against a reference that keeps
   the hypotheses in numpy arrays and updates them with vectorised numpy calls, one Python iteration per step;
2. VarSMiLe: the compiled kernel against a plain Python loop;
3. the particle filter with 20 particles (compiled only; its cost per particle-step is printed);
4. the heat-map workload of the notebook (20 conditions) as one call of ``compare_learners``.

The machine may be shared: each timing is the best of ``--repeat`` runs. Print the load average with your numbers.

Run: ``python benchmarks/bench_surprise.py [--n-steps 100000] [--ref-steps 20000] [--repeat 3]``
"""

from __future__ import annotations

import argparse
import math
import os
import time

import numpy as np

from lnn_utils.surprise import (compare_learners, exact_bayes_details, particle_filter, switching_gaussian,
                                var_smile)

SIGMA, P_CHANGE = 0.5, 0.01


def reference_exact_bayes(y, sigma, p_change, mu0=0.0, sigma0=1.0, cutoff=1e-16):
    """Run-length recursion with numpy arrays of hypotheses (one Python iteration per observation)."""
    nu0 = sigma ** 2 / sigma0 ** 2
    nu = np.array([nu0])
    chi = np.array([nu0 * mu0])
    w = np.array([1.0])
    out = np.empty(len(y))
    for t, yt in enumerate(y):
        if t > 0:
            nu = np.r_[nu, nu0]
            chi = np.r_[chi, nu0 * mu0]
            w = np.r_[w * (1 - p_change), p_change]
        var = sigma ** 2 * (1 + 1 / nu)
        log_lik = -0.5 * (np.log(2 * np.pi * var) + (yt - chi / nu) ** 2 / var)
        w = w * np.exp(log_lik - log_lik.max())
        w /= w.sum()
        keep = w >= cutoff
        w, nu, chi = w[keep] / w[keep].sum(), nu[keep] + 1, chi[keep] + yt
        out[t] = np.sum(w * chi / nu)
    return out


def reference_var_smile(y, sigma, m, mu0=0.0, sigma0=1.0):
    """VarSMiLe as a plain Python loop over observations."""
    nu0 = sigma ** 2 / sigma0 ** 2
    chi0 = nu0 * mu0
    nu, chi = nu0, chi0
    out = np.empty(len(y))

    def log_pred(v, c, n):
        var = sigma ** 2 * (1 + 1 / n)
        return -0.5 * (math.log(2 * math.pi * var) + (v - c / n) ** 2 / var)

    for t, yt in enumerate(y):
        s = math.exp(log_pred(yt, chi0, nu0) - log_pred(yt, chi, nu))
        g = m * s / (1 + m * s)
        nu = (1 - g) * nu + g * nu0 + 1
        chi = (1 - g) * chi + g * chi0 + yt
        out[t] = chi / nu
    return out


def best_time(fn, repeat):
    best = math.inf
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n-steps", type=int, default=100_000)
    parser.add_argument("--ref-steps", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"load average: {os.getloadavg()[0]:.2f} (1 min)")
    y, _ = switching_gaussian(args.n_steps, sigma=SIGMA, p_change=P_CHANGE, seed=0)
    exact_bayes_details(y[:100], sigma=SIGMA, p_change=P_CHANGE)  # compile (or load the cache)
    var_smile(y[:100], sigma=SIGMA, m=0.1)
    particle_filter(y[:100], sigma=SIGMA, p_change=P_CHANGE, n_particles=20)

    t_lib, res = best_time(lambda: exact_bayes_details(y, sigma=SIGMA, p_change=P_CHANGE), args.repeat)
    yr = y[:args.ref_steps]
    t_ref, ref = best_time(lambda: reference_exact_bayes(yr, SIGMA, P_CHANGE), 1)
    gap = np.max(np.abs(ref - res.mu_hat[:args.ref_steps]))
    per_hyp = t_lib / res.n_hypotheses.sum() * 1e9
    scale = args.n_steps / args.ref_steps
    print(f"exact Bayes, {args.n_steps} steps: {t_lib:.3f} s ({res.n_hypotheses.mean():.0f} hypotheses per step, "
          f"{per_hyp:.1f} ns per hypothesis-step); numpy reference {t_ref * scale:.2f} s (scaled from "
          f"{args.ref_steps} steps): {t_ref * scale / t_lib:.0f}x; max |difference| {gap:.1e}")

    m = 0.13
    t_lib, (mu_lib, _) = best_time(lambda: var_smile(y, sigma=SIGMA, m=m), args.repeat)
    t_ref, mu_ref = best_time(lambda: reference_var_smile(yr, SIGMA, m), 1)
    gap = np.max(np.abs(mu_ref - mu_lib[:args.ref_steps]))
    print(f"VarSMiLe, {args.n_steps} steps: {t_lib * 1e3:.1f} ms ({t_lib / args.n_steps * 1e9:.0f} ns per step); "
          f"Python reference {t_ref * scale:.2f} s: {t_ref * scale / t_lib:.0f}x; max |difference| {gap:.1e}")

    t_lib, _ = best_time(lambda: particle_filter(y, sigma=SIGMA, p_change=P_CHANGE, n_particles=20), args.repeat)
    print(f"particle filter, 20 particles, {args.n_steps} steps: {t_lib * 1e3:.0f} ms "
          f"({t_lib / args.n_steps / 20 * 1e9:.0f} ns per particle-step, random numbers included)")

    start = time.perf_counter()
    compare_learners((5.0, 2.0, 1.0, 0.5, 0.1), (0.1, 0.05, 0.01, 0.005), n_steps=10_000, n_seeds=8, n_fit_seeds=2,
                     n_fit_steps=20_000, n_particles=(1, 20), seed=0)
    print(f"notebook 08 heat-map workload (20 conditions, 8 x 1e4 test + 2 x 2e4 fit steps each): "
          f"{time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
