"""Benchmark: one SSL training epoch of the numpy encoder (hand-written backprop) vs the same model in PyTorch.

Run from the repository root::

    python benchmarks/bench_ssl.py            # numpy part only if PyTorch is not installed
    python benchmarks/bench_ssl.py --quick    # fewer repeats

Both sides use float32, the same thread count (2 by default, ``--threads``), the same 1,347 training digits in
mini-batches of 256 (5 steps an epoch), the same architecture (64 -> 256 -> ReLU -> 256 -> ReLU -> projector: Linear, or Linear-BN-ReLU-Linear), the same
initial weights, the same loss definition (checked on one batch) and Adam. Timings per configuration:

* *compute*: forward + loss + backward + Adam step on pre-made augmented views (identical arrays for both);
  *(loss)* is the part of it spent in the numpy loss (:mod:`lnn_utils.ssl.losses`);
* *epoch*: a whole epoch including drawing the batches and the augmentations. The augmentations are the numpy
  ones from :mod:`lnn_utils.ssl.augment` on both sides (PyTorch has no equivalent built in for 8 x 8 images), so
  the epoch ratio is the compute ratio diluted by that shared cost;
* *enc*: the encoder alone (forward, backward of a fixed dL/dz, Adam): hand-written backprop vs autograd.

The target is numpy within 1.5x of PyTorch's time. Timings are the minimum over repeats (the machine may be
shared; the minimum is the least disturbed run), and numpy and PyTorch runs alternate so that bursts of load hit
both. Note: with 2 BLAS threads on a 2-core machine that is also running something else, OpenBLAS and PyTorch's
OpenMP threads wait on each other and every timing can grow ten-fold; compare with ``--threads 1`` then.
PyTorch is optional: without it the script prints the numpy timings and says so.
"""

from __future__ import annotations

import argparse
import os
import sys
import time


def _parse():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2, help="BLAS / PyTorch threads (default 2)")
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    return parser.parse_args()


ARGS = _parse()
# Thread counts must be fixed before numpy (OpenBLAS) or torch start their pools.
for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = str(ARGS.threads)

import numpy as np  # noqa: E402

from lnn_utils.datasets import load_digits  # noqa: E402
from lnn_utils.ssl.augment import Augment  # noqa: E402
from lnn_utils.ssl.encoder import Adam, MLPEncoder, train_ssl  # noqa: E402
from lnn_utils.ssl.losses import LOSSES  # noqa: E402

try:
    import torch
except ImportError:  # PyTorch is optional
    torch = None

BATCH = 256
HIDDEN = 256
CONFIGS = [  # (loss name, loss kwargs, embedding dim, projector)
    ("vicreg", {}, 64, "linear"),
    ("simclr", {"temperature": 0.1}, 64, "linear"),
    ("vicreg", {}, 512, "linear"),
    ("simclr", {"temperature": 0.1}, 512, "linear"),
    ("vicreg", {}, 256, "mlp"),
]


# ------------------------------------------------------------------------------- PyTorch model and losses
def _torch_vicreg(z_a, z_b, sim_coeff=25.0, std_coeff=25.0, cov_coeff=1.0, eps=1e-4):
    # Same definition as lnn_utils.ssl.losses.vicreg_loss (the official VICReg code's normalisations).
    n, m = z_a.shape
    invariance = torch.nn.functional.mse_loss(z_a, z_b)
    variance = covariance = 0.0
    for z in (z_a, z_b):
        x = z - z.mean(dim=0)
        std = torch.sqrt(x.var(dim=0) + eps)
        variance = variance + torch.relu(1.0 - std).mean() / 2
        cov = x.T @ x / (n - 1)
        covariance = covariance + (cov.pow(2).sum() - cov.diagonal().pow(2).sum()) / m
    return sim_coeff * invariance + std_coeff * variance + cov_coeff * covariance


def _torch_simclr(z_a, z_b, temperature=0.1):
    # NT-Xent, mean over the 2N anchors, as lnn_utils.ssl.losses.simclr_loss.
    n = z_a.shape[0]
    u = torch.nn.functional.normalize(torch.cat([z_a, z_b]), dim=1)
    logits = u @ u.T / temperature
    logits.fill_diagonal_(float("-inf"))
    target = (torch.arange(2 * n) + n) % (2 * n)
    return torch.nn.functional.cross_entropy(logits, target)


TORCH_LOSSES = {"vicreg": _torch_vicreg, "simclr": _torch_simclr}


def _torch_model(encoder):
    """A torch.nn.Sequential with the numpy encoder's layers and weights (so both start from the same point)."""
    from lnn_utils.mlp import BatchNorm, Linear, ReLU
    layers = []
    with torch.no_grad():
        for layer in encoder.net.layers:
            if isinstance(layer, Linear):
                lin = torch.nn.Linear(layer.n_in, layer.n_out, bias=layer.b is not None)
                lin.weight.copy_(torch.from_numpy(layer.W.T.copy()))
                if layer.b is not None:
                    lin.bias.copy_(torch.from_numpy(layer.b.copy()))
                layers.append(lin)
            elif isinstance(layer, BatchNorm):
                bn = torch.nn.BatchNorm1d(layer.n_features, eps=layer.eps, momentum=layer.momentum)
                bn.weight.copy_(torch.from_numpy(layer.params["gamma"].copy()))
                bn.bias.copy_(torch.from_numpy(layer.params["beta"].copy()))
                layers.append(bn)
            elif isinstance(layer, ReLU):
                layers.append(torch.nn.ReLU())
            else:
                raise TypeError(f"no PyTorch counterpart for {layer!r}")
    return torch.nn.Sequential(*layers)


# --------------------------------------------------------------------------------------------- epochs
def _numpy_compute_epoch(encoder, opt, views, loss_fn, kwargs):
    for v in views:
        z, cache = encoder.forward(v)
        _, g_a, g_b = loss_fn(z[:BATCH], z[BATCH:], **kwargs)
        encoder.backward(np.concatenate([g_a, g_b]), cache)
        opt.step(encoder.flat_params, encoder.flat_grads, encoder.decay_mask)


def _torch_compute_epoch(model, opt, views, loss_fn, kwargs):
    for v in views:
        opt.zero_grad(set_to_none=True)
        z = model(v)
        loss_fn(z[:BATCH], z[BATCH:], **kwargs).backward()
        opt.step()


def _numpy_encoder_epoch(encoder, opt, views, grads):
    for v, g in zip(views, grads):
        _, cache = encoder.forward(v)
        encoder.backward(g, cache)
        opt.step(encoder.flat_params, encoder.flat_grads, encoder.decay_mask)


def _torch_encoder_epoch(model, opt, views, grads):
    for v, g in zip(views, grads):
        opt.zero_grad(set_to_none=True)
        model(v).backward(g)
        opt.step()


def _numpy_loss_epoch(embeddings, loss_fn, kwargs):
    for z in embeddings:
        loss_fn(z[:BATCH], z[BATCH:], **kwargs)


def _make_views(images, augment, rng):
    order = rng.permutation(len(images))
    views = []
    for i in range(len(images) // BATCH):
        batch = images[order[i * BATCH:(i + 1) * BATCH]]
        views.append(np.concatenate([augment(batch, rng), augment(batch, rng)]).reshape(2 * BATCH, -1))
    return views


def _time(fns, repeats, warmup=2):
    """Minimum and median wall time of each function in ``fns``, run in alternation.

    Alternating (rather than timing one function, then the next) spreads bursts of load from other processes
    over all the functions compared, so their ratio stays meaningful on a shared machine.
    """
    for fn in fns:
        for _ in range(warmup):
            fn()
    times = [[] for _ in fns]
    for _ in range(repeats):
        for fn, record in zip(fns, times):
            start = time.perf_counter()
            fn()
            record.append(time.perf_counter() - start)
    return [(min(t), float(np.median(t))) for t in times]


def main():
    repeats = 5 if ARGS.quick else 15
    images, _ = load_digits("train", dtype=np.float32)
    augment = Augment()
    rng = np.random.default_rng(0)
    views = _make_views(images, augment, rng)
    n_steps = len(views)
    [(aug_min, aug_med)] = _time([lambda: _make_views(images, augment, rng)], repeats)

    print(f"SSL epoch benchmark: {len(images)} digits (8 x 8), batch {BATCH} -> {n_steps} steps/epoch, "
          f"hidden {HIDDEN}, float32, {ARGS.threads} threads")
    print(f"numpy {np.__version__}" + (f", torch {torch.__version__}" if torch else ", PyTorch not installed"))
    print(f"augmentation + batching of one epoch (shared by both): {1e3 * aug_min:.1f} ms (median "
          f"{1e3 * aug_med:.1f})\n")
    if torch is not None:
        torch.set_num_threads(ARGS.threads)
        torch_views = [torch.from_numpy(v) for v in views]
    else:
        print("PyTorch is not importable: only the numpy timings are shown (install torch in a separate "
              "environment to compare; it is not a dependency).\n")

    header = (f"{'loss':<8}{'M':>5} {'proj':<7}| {'numpy ms':>9} {'(loss)':>7} {'torch ms':>9} {'ratio':>6} | "
              f"{'numpy epoch':>11} {'torch epoch':>11} {'ratio':>6} | {'enc np':>7} {'enc torch':>9} {'ratio':>6}")
    print("ms per epoch. compute = forward + loss + backward + Adam on fixed views, (loss) = numpy loss calls "
          "alone;\nepoch = compute + augmentation; enc = encoder alone (forward, backward of a fixed dL/dz, Adam)")
    print(header)
    print("-" * len(header))
    worst = worst_encoder = 0.0
    for name, kwargs, dim, projector in CONFIGS:
        encoder = MLPEncoder(images[0].size, hidden_dim=HIDDEN, embedding_dim=dim, projector=projector, seed=0)
        loss_fn = LOSSES[name]
        np_opt = Adam(1e-3)
        embeddings = [encoder.forward(v)[0] for v in views]
        grads = [np.concatenate(loss_fn(z[:BATCH], z[BATCH:], **kwargs)[1:]) for z in embeddings]
        numpy_fns = [lambda: _numpy_compute_epoch(encoder, np_opt, views, loss_fn, kwargs),
                     lambda: _numpy_loss_epoch(embeddings, loss_fn, kwargs),
                     lambda: _numpy_encoder_epoch(encoder, np_opt, views, grads)]
        if torch is None:
            (np_min, _), (loss_min, _), (enc_min, _) = _time(numpy_fns, repeats)
            print(f"{name:<8}{dim:>5} {projector:<7}| {1e3 * np_min:9.1f} {1e3 * loss_min:7.1f} {'-':>9} {'-':>6} | "
                  f"{1e3 * (np_min + aug_min):11.1f} {'-':>11} {'-':>6} | {1e3 * enc_min:7.1f} {'-':>9} {'-':>6}")
            continue
        model = _torch_model(MLPEncoder(images[0].size, hidden_dim=HIDDEN, embedding_dim=dim, projector=projector,
                                        seed=0))
        # Same definition: the two losses agree on the same embeddings (both models start from the same weights).
        with torch.no_grad():
            z_t = model(torch_views[0])
            value_t = float(TORCH_LOSSES[name](z_t[:BATCH], z_t[BATCH:], **kwargs))
        value_np = loss_fn(embeddings[0][:BATCH], embeddings[0][BATCH:], **kwargs)[0]
        if not np.isclose(value_np, value_t, rtol=1e-3):
            print(f"WARNING: {name} differs between numpy ({value_np:.6g}) and torch ({value_t:.6g})")
        t_opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        t_grads = [torch.from_numpy(g) for g in grads]
        torch_fns = [lambda: _torch_compute_epoch(model, t_opt, torch_views, TORCH_LOSSES[name], kwargs),
                     lambda: _torch_encoder_epoch(model, t_opt, torch_views, t_grads)]
        timings = _time(numpy_fns + torch_fns, repeats)
        (np_min, _), (loss_min, _), (enc_min, _), (t_min, _), (t_enc_min, _) = timings
        ratio = np_min / t_min
        epoch_ratio = (np_min + aug_min) / (t_min + aug_min)
        worst = max(worst, ratio)
        worst_encoder = max(worst_encoder, enc_min / t_enc_min)
        print(f"{name:<8}{dim:>5} {projector:<7}| {1e3 * np_min:9.1f} {1e3 * loss_min:7.1f} {1e3 * t_min:9.1f} "
              f"{ratio:6.2f} | {1e3 * (np_min + aug_min):11.1f} {1e3 * (t_min + aug_min):11.1f} {epoch_ratio:6.2f} | "
              f"{1e3 * enc_min:7.1f} {1e3 * t_enc_min:9.1f} {enc_min / t_enc_min:6.2f}")

    # One whole training run as the notebook does it, for planning (set-up included, no evaluation).
    start = time.perf_counter()
    _, hist = train_ssl(images, "vicreg", embedding_dim=64, batch_size=BATCH, n_epochs=30, seed=0)
    print(f"\ntrain_ssl(vicreg, M=64, 30 epochs): {time.perf_counter() - start:.2f} s "
          f"({1e3 * hist['time'] / 30:.1f} ms/epoch including augmentation)")
    if torch is not None:
        verdict = "within" if worst <= 1.5 else "NOT within"
        print(f"worst compute ratio numpy/torch = {worst:.2f}: {verdict} the 1.5x target "
              f"(encoder alone: worst {worst_encoder:.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
