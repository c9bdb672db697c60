"""Optimisers that update all parameters of a network stored in one flat vector, in a few vector operations.

Shared by every hand-written network of the package (:mod:`lnn_utils.mlp`, :mod:`lnn_utils.ssl.encoder`,
:mod:`lnn_utils.credit_assignment`): ``opt.step(params, grads, mask)`` takes the parameter vector, its gradient
(same shape) and an optional 0/1 mask of the entries weight decay applies to.

References
----------
Kingma, D. P. & Ba, J. (2015). Adam: a method for stochastic optimization. *ICLR*, arXiv:1412.6980.
Loshchilov, I. & Hutter, F. (2019). Decoupled weight decay regularization. *ICLR*, arXiv:1711.05101.
Loshchilov, I. & Hutter, F. (2017). SGDR: stochastic gradient descent with warm restarts. *ICLR*,
arXiv:1608.03983 (the cosine schedule of :class:`WarmupCosine`).
Polyak, B. T. (1964). Some methods of speeding up the convergence of iteration methods. *USSR Comput Math Math
Phys* 4:1-17 (heavy-ball momentum).
"""

from __future__ import annotations

import numpy as np

from ._validation import check_positive

OPTIMIZERS = ("adam", "sgd")

__all__ = ["Adam", "SGD", "WarmupCosine", "make_optimizer", "OPTIMIZERS"]


class Adam:
    """Adam (Kingma & Ba 2015) with optional decoupled weight decay (AdamW, Loshchilov & Hutter 2019).

    ``m <- b1 m + (1 - b1) g``, ``v <- b2 v + (1 - b2) g^2``,
    ``theta <- theta - lr [m / (1 - b1^t)] / (sqrt(v / (1 - b2^t)) + eps) - lr wd mask theta``.

    Parameters
    ----------
    lr : float, default=1e-3
    betas : (float, float), default=(0.9, 0.999)
    eps : float, default=1e-8
    weight_decay : float, default=0.0
        Decoupled decay rate (multiplied by ``lr``), applied where ``mask`` is 1.
    """

    def __init__(self, lr=1e-3, *, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        self.lr = check_positive(lr, "lr")
        self.betas = tuple(float(b) for b in betas)
        if len(self.betas) != 2 or not all(0 <= b < 1 for b in self.betas):
            raise ValueError(f"betas must be two numbers in [0, 1), got {betas!r}")
        self.eps = check_positive(eps, "eps")
        self.weight_decay = check_positive(weight_decay, "weight_decay", allow_zero=True)
        self.t = 0
        self._m = self._v = self._buf = None

    def step(self, params, grads, mask=None):
        """Update the vector ``params`` (shape (n,)) in place from ``grads`` (shape (n,))."""
        if self._m is None:
            self._m, self._v, self._buf = (np.zeros_like(params) for _ in range(3))
        b1, b2 = self.betas
        self.t += 1
        m, v, buf = self._m, self._v, self._buf
        m *= b1
        m += (1 - b1) * grads
        v *= b2
        np.multiply(grads, grads, out=buf)
        buf *= 1 - b2
        v += buf
        # Bias corrections folded into a step size and an epsilon, to save two vector passes.
        step = self.lr * np.sqrt(1 - b2 ** self.t) / (1 - b1 ** self.t)
        eps = self.eps * np.sqrt(1 - b2 ** self.t)
        if self.weight_decay and mask is not None:
            params -= (self.lr * self.weight_decay) * mask * params
        elif self.weight_decay:
            params *= 1 - self.lr * self.weight_decay
        np.sqrt(v, out=buf)
        buf += eps
        np.divide(m, buf, out=buf)
        buf *= step
        params -= buf


class SGD:
    """Stochastic gradient descent with (heavy-ball) momentum and L2 weight decay.

    ``u <- mu u + (g + wd mask theta)``, ``theta <- theta - lr u``.

    Parameters
    ----------
    lr : float, default=0.05
    momentum : float, default=0.9
    weight_decay : float, default=0.0
    """

    def __init__(self, lr=0.05, *, momentum=0.9, weight_decay=0.0):
        self.lr = check_positive(lr, "lr")
        self.momentum = check_positive(momentum, "momentum", allow_zero=True)
        if momentum >= 1:
            raise ValueError(f"momentum must be in [0, 1), got {momentum!r}")
        self.weight_decay = check_positive(weight_decay, "weight_decay", allow_zero=True)
        self.t = 0
        self._u = None

    def step(self, params, grads, mask=None):
        """Update the vector ``params`` (shape (n,)) in place from ``grads`` (shape (n,))."""
        if self._u is None:
            self._u = np.zeros_like(params)
        self.t += 1
        u = self._u
        u *= self.momentum
        u += grads
        if self.weight_decay:
            u += self.weight_decay * (params if mask is None else mask * params)
        params -= self.lr * u


class WarmupCosine:
    """Learning-rate schedule: linear warm-up, then cosine decay (Loshchilov & Hutter 2017, without restarts).

    ``lr(t) = base_lr (t + 1) / warmup_steps`` for ``t < warmup_steps``, then
    ``lr(t) = final_lr + (base_lr - final_lr) (1 + cos(pi (t - warmup_steps) / (n_steps - warmup_steps))) / 2``,
    for steps ``t = 0 .. n_steps - 1`` (the schedule of the VICReg and SimCLR ImageNet runs, there with LARS).

    Parameters
    ----------
    base_lr : float
        Peak learning rate, reached at the end of the warm-up.
    n_steps : int
        Total number of steps.
    warmup_steps : int, default=0
        Steps of linear warm-up (0: start at the peak), < n_steps.
    final_lr : float, default=0.0
        Learning rate the cosine reaches at the last step.

    Examples
    --------
    >>> schedule = WarmupCosine(1.0, 10, warmup_steps=2)
    >>> [round(schedule(t), 3) for t in (0, 1, 2, 9)]
    [0.5, 1.0, 1.0, 0.038]
    """

    def __init__(self, base_lr, n_steps, *, warmup_steps=0, final_lr=0.0):
        self.base_lr = check_positive(base_lr, "base_lr")
        self.n_steps = check_positive(n_steps, "n_steps", integer=True, allow_zero=True)
        self.warmup_steps = check_positive(warmup_steps, "warmup_steps", integer=True, allow_zero=True)
        if n_steps and warmup_steps >= n_steps:
            raise ValueError(f"warmup_steps must be < n_steps = {n_steps}, got {warmup_steps}")
        self.final_lr = check_positive(final_lr, "final_lr", allow_zero=True)

    def __call__(self, step):
        """Learning rate of step ``step`` (0-based)."""
        if step < self.warmup_steps:
            return self.base_lr * (step + 1) / self.warmup_steps
        span = max(self.n_steps - self.warmup_steps, 1)
        progress = min((step - self.warmup_steps) / span, 1.0)
        return self.final_lr + (self.base_lr - self.final_lr) * 0.5 * (1.0 + np.cos(np.pi * progress))

    def __repr__(self):
        return (f"WarmupCosine(base_lr={self.base_lr}, n_steps={self.n_steps}, warmup_steps={self.warmup_steps}, "
                f"final_lr={self.final_lr})")


def make_optimizer(name="adam", *, lr=None, momentum=0.9, weight_decay=0.0):
    """Return :class:`Adam` (default lr 1e-3) or :class:`SGD` (default lr 0.05) by name."""
    if name == "adam":
        return Adam(1e-3 if lr is None else lr, weight_decay=weight_decay)
    if name == "sgd":
        return SGD(0.05 if lr is None else lr, momentum=momentum, weight_decay=weight_decay)
    raise ValueError(f"optimizer must be one of {OPTIMIZERS}, got {name!r}")
