"""Local Hebbian rules against their batch references on natural-image patches: the three targets of issue 8.

1. PCA: Oja's subspace rule and Sanger's GHA (mini-batch) reach the top-k principal subspace of the patches
   (largest principal angle to the eigendecomposition < 5 degrees), for k = 16 and k = 64.
2. ICA: the nonlinear Hebbian rule (f = -tanh u, symmetric decorrelation, 64 units on 16 x 16 patches PCA-whitened
   to 64 dimensions) reaches a mean best |cos| >= 0.9 with the FastICA filters (same contrast, same random start,
   tolerance 1e-4), with >= 80 % of its pixel filters fitting a Gabor with r2 >= 0.7, in no more wall time than
   FastICA takes on the same patches. FastICA is timed to its convergence tolerance; the Hebbian rule until the
   criterion is met (checked every 20 steps; the check itself is not timed). Repeated for several seeds, because
   the ICA optimum of natural-image patches is far from unique (also printed).
3. Speed: a mini-batch Hebbian step takes at most twice the time of the two bare matrix products of the same
   shapes (``Z_b W^T`` and ``f(Y)^T Z_b``), i.e. runs at >= 50 % of their speed; measured in the same run.

Run: ``python benchmarks/bench_decomposition.py [--n-per-image 5000] [--converged]`` (``--converged`` also runs
FastICA to tolerance 1e-6, ~1 min, to show how far the 1e-4 solution still is from the optimum). Timings depend on
the BLAS thread count; set ``OPENBLAS_NUM_THREADS=1`` for the most stable numbers on a shared machine.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

from lnn_utils.decomposition_metrics import (
    amari_distance,
    best_abs_cosine,
    contrast_value,
    matched_abs_cosine,
    max_principal_angle,
)
from lnn_utils.hebbian import GHA, HebbianICA, OjaSubspace, SparseCoding
from lnn_utils.images import load_images, whiten
from lnn_utils.patches import extract_patches
from lnn_utils.reference import fastica, pca
from lnn_utils.rf_analysis import fit_gabors, gabor_table
from lnn_utils.whitening import PCAWhitener


def ok(flag):
    return "PASS" if flag else "FAIL"


def bench_pca(X, ks):
    print("\n== 1. PCA: Oja subspace / GHA vs eigendecomposition (target: largest principal angle < 5 deg) ==")
    Xc = X - X.mean(axis=0)
    settings = {16: dict(learning_rate=0.04, decay=300, batch_size=1000, n_iter=1500),
                64: dict(learning_rate=0.04, decay=1000, batch_size=1000, n_iter=6000)}
    for k in ks:
        t0 = time.perf_counter()
        P, lam = pca(Xc, k + 1)
        t_eig = time.perf_counter() - t0
        P = P[:k]
        cfg = dict(settings.get(k, settings[64]))
        n_iter = cfg.pop("n_iter")
        print(f"k = {k}: eigengap lambda_k / lambda_k+1 = {lam[k - 1] / lam[k]:.3f}; eigendecomposition "
              f"{t_eig:.2f} s; rule settings {cfg}, {n_iter} steps")
        for cls in (OjaSubspace, GHA):
            net = cls(k, seed=0, **cfg).fit(Xc, n_iter=n_iter)
            angle = max_principal_angle(net.weights, P)
            print(f"  {cls.__name__:<12} largest angle {angle:5.2f} deg  in {net.fit_time_:5.2f} s "
                  f"({net.n_samples_seen_ / len(X):.0f} epochs)  {ok(angle < 5)}")


def bench_ica(Z, whitener, args):
    print("\n== 2. ICA: Hebbian f = -tanh(u), symmetric decorrelation vs symmetric FastICA (tanh) ==")
    print(f"protocol: for each seed, FastICA to tol 1e-4 and the Hebbian rule (eta {args.ica_rate}, B 1000) from the "
          f"same random orthonormal start; the Hebbian rule is stopped when mean best |cos| >= 0.9 (checked every "
          f"20 steps, checks not timed) or after {args.ica_max_steps} steps")
    m = Z.shape[1]
    refs = {}
    for seed in args.seeds:
        W_ref, info = fastica(Z, m, "tanh", seed=seed, tol=1e-4, max_iter=500, return_info=True)
        refs[seed] = W_ref
        best = [0.0]

        def quality(net, W_ref=W_ref, best=best):
            c = float(best_abs_cosine(net.weights, W_ref).mean())
            best[0] = max(best[0], c)
            if c >= 0.9:
                raise StopIteration
            return {"cos": c}

        net = HebbianICA(m, nonlinearity="tanh", learning_rate=args.ica_rate, batch_size=1000, seed=seed)
        net.fit(Z, n_iter=args.ica_max_steps, callback=quality, callback_every=20)
        cos = best_abs_cosine(net.weights, W_ref).mean()
        reached = cos >= 0.9
        ratio = net.fit_time_ / info["seconds"]
        what = (f"reached mean best |cos| {cos:.3f} after {net.n_steps_} steps ({net.n_samples_seen_ / len(Z):.0f} "
                f"epochs) in {net.fit_time_:.2f} s" if reached else
                f"did NOT reach 0.9 in {net.n_steps_} steps / {net.fit_time_:.2f} s (best {best[0]:.3f})")
        print(f"seed {seed}: FastICA {info['n_iter']} iterations {info['seconds']:.2f} s; Hebbian {what}; "
              f"time ratio Hebbian / FastICA {ratio:.2f}  {ok(reached and ratio <= 1)}")
        if seed == args.seeds[0]:
            first_net, first_ref = net, W_ref
    net, W_ref = first_net, first_ref
    matched = matched_abs_cosine(net.weights, W_ref)[0].mean()
    print(f"seed {args.seeds[0]} at the stopping point: one-to-one matched |cos| {matched:.3f}, Amari distance "
          f"{amari_distance(net.weights, W_ref):.3f}, objective sum E[log cosh(w.z)] (lower = sparser) "
          f"Hebbian {contrast_value(net.weights, Z).sum():.3f}, FastICA {contrast_value(W_ref, Z).sum():.3f}")
    for name, W in [("Hebbian (at the criterion)", net.weights), ("FastICA", W_ref)]:
        r2 = gabor_table(fit_gabors(whitener.to_pixels(W)))["r2"]
        frac = np.mean(r2 >= 0.7)
        print(f"  Gabor fits of {name:<26} pixel filters: median r2 {np.median(r2):.2f}, {100 * frac:.0f} % with "
              f"r2 >= 0.7  {ok(frac >= 0.8) if name.startswith('Hebbian') else ''}")

    print("How unique is the FastICA solution?")
    if len(args.seeds) > 1:
        s0, s1 = args.seeds[:2]
        print(f"  FastICA seed {s1} vs seed {s0} (both tol 1e-4): mean best |cos| "
              f"{best_abs_cosine(refs[s1], refs[s0]).mean():.3f}")
    if args.converged:
        W6, info6 = fastica(Z, m, "tanh", seed=args.seeds[0], tol=1e-6, max_iter=2000, return_info=True)
        long = HebbianICA(m, nonlinearity="tanh", learning_rate=args.ica_rate, batch_size=1000,
                          seed=args.seeds[0]).fit(Z, n_iter=6000)
        print(f"  FastICA to tol 1e-6: {info6['n_iter']} iterations, {info6['seconds']:.1f} s; its filters vs the tol "
              f"1e-4 ones: mean best |cos| {best_abs_cosine(W_ref, W6).mean():.3f}; objective "
              f"{contrast_value(W6, Z).sum():.3f} (tol 1e-4: {contrast_value(W_ref, Z).sum():.3f})")
        cos_4, cos_6 = best_abs_cosine(long.weights, W_ref).mean(), best_abs_cosine(long.weights, W6).mean()
        print(f"  Hebbian after 6000 steps ({long.fit_time_:.1f} s): vs tol 1e-4 {cos_4:.3f}, vs tol 1e-6 {cos_6:.3f}, "
              f"objective {contrast_value(long.weights, Z).sum():.3f}")

    print("Same comparison with f = u^3 (kurtosis), seed 0:")
    W_cub, info_c = fastica(Z, m, "cubic", seed=0, tol=1e-4, max_iter=500, return_info=True)

    def gabor_fraction(W):
        return np.mean(gabor_table(fit_gabors(whitener.to_pixels(W)))["r2"] >= 0.7)

    print(f"  FastICA cubic: {info_c['n_iter']} iterations, {info_c['seconds']:.2f} s, Gabor r2 >= 0.7: "
          f"{gabor_fraction(W_cub):.0%}")
    for rate, steps in [(3e-4, 6000), (5e-3, 600)]:
        net_c = HebbianICA(m, nonlinearity="cubic", learning_rate=rate, batch_size=1000, seed=0).fit(Z, n_iter=steps)
        cos = best_abs_cosine(net_c.weights, W_cub).mean()
        print(f"  Hebbian cubic, eta {rate:g}, {steps} steps, {net_c.fit_time_:.2f} s: mean best |cos| {cos:.3f}, "
              f"Gabor r2 >= 0.7: {gabor_fraction(net_c.weights):.0%}")


def time_steps(net, Z, n_steps):
    net.partial_fit(Z, n_iter=5)  # warm-up
    t0 = time.perf_counter()
    net.partial_fit(Z, n_iter=n_steps)
    return (time.perf_counter() - t0) / n_steps


def time_matmuls(Z, B, m, n_steps, seed=0):
    """Seconds per pair of bare products ``Y = Z_b W^T`` and ``Y^T Z_b`` on consecutive batches of ``Z`` (the same
    access pattern as training: a new contiguous batch each time)."""
    rng = np.random.default_rng(seed)
    W = rng.standard_normal((m, Z.shape[1]))
    n_batches = len(Z) // B
    t0 = time.perf_counter()
    for i in range(n_steps):
        Zb = Z[(i % n_batches) * B:(i % n_batches + 1) * B]
        Y = Zb @ W.T
        G = Y.T @ Zb
    del G
    return (time.perf_counter() - t0) / n_steps


def bench_speed(Z, n_steps=300):
    print("\n== 3. Speed: time per mini-batch step vs the two bare matrix products of the same shapes ==")
    k = Z.shape[1]
    Zs = Z[np.random.default_rng(0).permutation(len(Z))]
    for B in (500, 1000, 2000):
        time_matmuls(Zs, B, k, 20)  # warm-up
        bare = time_matmuls(Zs, B, k, n_steps)
        for name, net in [("HebbianICA tanh", HebbianICA(k, nonlinearity="tanh", batch_size=B, seed=0)),
                          ("HebbianICA cubic", HebbianICA(k, nonlinearity="cubic", batch_size=B, seed=0)),
                          ("HebbianICA tanh lateral", HebbianICA(k, nonlinearity="tanh", decorrelation="lateral",
                                                                 batch_size=B, seed=0)),
                          ("OjaSubspace", OjaSubspace(k, learning_rate=0.001, batch_size=B, seed=0))]:
            step = time_steps(net.fit(Z, n_iter=1), Z, n_steps)
            bare = min(bare, time_matmuls(Zs, B, k, n_steps))  # re-measure: least disturbed value
            speed = bare / step
            print(f"  B={B:<5} {name:<24} step {1e3 * step:6.3f} ms, two products {1e3 * bare:6.3f} ms: "
                  f"{100 * speed:5.1f} % of matmul speed  {ok(speed >= 0.5) if 'lateral' not in name else '(info)'}")
    sc = SparseCoding(2 * k, batch_size=250, seed=0).fit(Z, n_iter=1)
    step = time_steps(sc, Z, 30)
    print(f"  SparseCoding {2 * k} atoms, B=250, {sc.n_lca_steps} LCA steps: {1e3 * step:.1f} ms per step (info)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-per-image", type=int, default=5000, help="patches per image (12 images)")
    parser.add_argument("--k-whiten", type=int, default=64, help="PCA dimensions kept for ICA (= number of units)")
    parser.add_argument("--converged", action="store_true", help="also run FastICA to tolerance 1e-6 (~1 min)")
    parser.add_argument("--skip-pca-64", action="store_true", help="only k = 16 for the PCA rules")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2], help="seeds of the ICA comparison")
    parser.add_argument("--ica-rate", type=float, default=0.05, help="learning rate of the Hebbian ICA rule")
    parser.add_argument("--ica-max-steps", type=int, default=6000, help="Hebbian ICA step budget per seed")
    args = parser.parse_args()
    print(f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', '(default)')}, cores: {os.cpu_count()}")

    t0 = time.perf_counter()
    images = [whiten(im) for im in load_images()]
    X = extract_patches(images, 16, args.n_per_image)
    whitener = PCAWhitener(args.k_whiten, remove_dc=True).fit(X)
    Z = whitener.transform(X)
    kept = 100 * whitener.explained_variance_ratio_.sum()
    print(f"{len(X)} patches 16x16, PCA-whitened (patch mean removed) to {Z.shape[1]} dimensions ({kept:.1f} % of the "
          f"variance) in {time.perf_counter() - t0:.1f} s")

    bench_pca(X, (16,) if args.skip_pca_64 else (16, 64))
    bench_ica(Z, whitener, args)
    bench_speed(Z)


if __name__ == "__main__":
    main()
