"""Compiled (numba) per-step recursions of the Gaussian learners of :mod:`lnn_utils.surprise.gaussian`.

Every learner here is an online recursion, one observation at a time. In numpy a step is a handful of scalar
operations whose call overhead dominates; numba compiles the loop (about 10 ns a step for VarSMiLe, a few ns per
hypothesis for exact Bayes). The public functions in :mod:`~lnn_utils.surprise.gaussian` validate their input
and call these kernels; nothing here checks arguments.

Beliefs are Gaussian over the hidden mean μ, stored as the pair (ν, χ) of *pseudo-count* and *pseudo-sum*:
belief mean χ / ν and belief variance σ² / ν. The prior N(μ₀, σ₀²) is (ν₀, χ₀) = (σ² / σ₀², ν₀ μ₀), and one
observation y adds (1, y). With this bookkeeping, the prediction of the next observation under a belief is
N(y; χ/ν, σ² (1 + 1/ν)).
"""

from __future__ import annotations

import math

import numba
import numpy as np

_LOG_2PI = math.log(2.0 * math.pi)


@numba.njit(cache=True)
def log_predictive(y, chi, nu, sigma2):
    """log N(y; χ/ν, σ² (1 + 1/ν)): log density of the next observation under the belief (ν, χ)."""
    var = sigma2 * (1.0 + 1.0 / nu)
    d = y - chi / nu
    return -0.5 * (_LOG_2PI + np.log(var) + d * d / var)


@numba.njit(cache=True)
def exact_bayes_kernel(y, sigma2, p_change, nu0, chi0, cutoff, mu_hat, log_sbf, log_pred, n_hyp):
    """Run-length message passing (Adams & MacKay 2007) for the switching Gaussian, with pruning.

    Hypothesis r says "the current segment holds the last r + 1 observations". Before y_t, every hypothesis of
    the posterior at t - 1 continues with probability 1 - p_c and a new one (a change just before y_t) gets
    probability p_c; at t = 0 there is one hypothesis, the prior (μ₀ is drawn from the prior). The weights are
    multiplied by each hypothesis' predictive density of y_t and normalised; hypotheses below ``cutoff`` are
    dropped (the weights are renormalised). Fills, for every t, ``mu_hat`` (posterior mean of μ_t),
    ``log_sbf`` (log Bayes factor surprise of y_t: log prior predictive minus log predictive under the belief
    at t - 1), ``log_pred`` (log P(y_t | y_0..y_{t-1})) and ``n_hyp`` (hypotheses kept).

    The predictive densities are computed relative to a common scale (the smallest squared z-score), so that one
    exponential per hypothesis gives both the belief's predictive and the posterior weights without underflow.
    """
    n = y.shape[0]
    cap = 64
    nu = np.empty(cap)
    chi = np.empty(cap)
    w = np.empty(cap)
    z = np.empty(cap)  # 0.5 (squared z-score) of y_t under each hypothesis
    q = np.empty(cap)  # its likelihood, up to the common factor exp(scale)
    k = 0
    half_log_2pi_s2 = 0.5 * (_LOG_2PI + np.log(sigma2))
    for t in range(n):
        yt = y[t]
        if k == cap:
            cap *= 2
            nu2 = np.empty(cap)
            chi2 = np.empty(cap)
            w2 = np.empty(cap)
            nu2[:k] = nu[:k]
            chi2[:k] = chi[:k]
            w2[:k] = w[:k]
            nu, chi, w, q, z = nu2, chi2, w2, np.empty(cap), np.empty(cap)
        # the new hypothesis (a change before y_t) predicts with the prior: put it at index k
        nu[k] = nu0
        chi[k] = chi0
        # with p_c = 0 the new hypothesis has no weight and must not set the scale
        n_scale = k + 1 if (p_change > 0.0 or k == 0) else k
        low = np.inf
        for i in range(k + 1):
            r = 1.0 + 1.0 / nu[i]
            d = yt - chi[i] / nu[i]
            z[i] = 0.5 * d * d / (sigma2 * r)
            if i < n_scale and z[i] < low:
                low = z[i]
        scale = -low - half_log_2pi_s2  # log of the common factor of the likelihoods
        lp0 = -z[k] - half_log_2pi_s2 - 0.5 * np.log(1.0 + 1.0 / nu0)
        belief = 0.0
        for i in range(n_scale):
            # likelihood / exp(scale) = exp(low - z) / sqrt(1 + 1/ν), at most 1
            q[i] = np.exp(low - z[i]) / np.sqrt(1.0 + 1.0 / nu[i])
        for i in range(k):
            belief += w[i] * q[i]
        if k == 0:
            log_sbf[t] = 0.0
            w[0] = q[0]
            total = q[0]
        else:
            if belief > 0.0:
                log_sbf[t] = lp0 - (np.log(belief) + scale)
            else:  # every old hypothesis underflowed against the prior: redo the belief's sum on its own scale
                low_old = np.inf
                for i in range(k):
                    if z[i] < low_old:
                        low_old = z[i]
                acc = 0.0
                for i in range(k):
                    acc += w[i] * np.exp(low_old - z[i]) / np.sqrt(1.0 + 1.0 / nu[i])
                log_sbf[t] = lp0 - (np.log(acc) - low_old - half_log_2pi_s2)
            for i in range(k):
                w[i] *= (1.0 - p_change) * q[i]
            if p_change > 0.0:
                w[k] = p_change * q[k]
                total = w[k] + (1.0 - p_change) * belief
            else:
                w[k] = 0.0
                total = belief
        k += 1
        log_pred[t] = np.log(total) + scale
        # normalise, prune, update the sufficient statistics and read out the posterior mean
        j = 0
        kept = 0.0
        thr = cutoff * total
        for i in range(k):
            if w[i] > 0.0 and w[i] >= thr:
                w[j] = w[i]
                nu[j] = nu[i] + 1.0
                chi[j] = chi[i] + yt
                kept += w[i]
                j += 1
        k = j
        est = 0.0
        for i in range(k):
            w[i] /= kept
            est += w[i] * chi[i] / nu[i]
        mu_hat[t] = est
        n_hyp[t] = k


@numba.njit(cache=True)
def var_smile_kernel(y, sigma2, m, nu0, chi0, mu_hat, log_sbf):
    """Variational SMiLe (Liakoni et al. 2021, Algorithm 1, Gaussian task).

    S_BF(y_t) = P(y_t; prior) / P(y_t; belief_{t-1}); γ_t = m S_BF / (1 + m S_BF);
    ν_t = (1 - γ_t) ν_{t-1} + γ_t ν₀ + 1 and χ_t = (1 - γ_t) χ_{t-1} + γ_t χ₀ + y_t.
    The belief before y_0 is the prior (so S_BF(y_0) = 1).
    """
    nu = nu0
    chi = chi0
    for t in range(y.shape[0]):
        yt = y[t]
        ls = log_predictive(yt, chi0, nu0, sigma2) - log_predictive(yt, chi, nu, sigma2)
        log_sbf[t] = ls
        # γ = m S / (1 + m S) = 1 / (1 + exp(-(log m + log S))), computed without overflow
        if m == 0.0:
            gamma = 0.0
        else:
            z = np.log(m) + ls
            if z >= 0.0:
                gamma = 1.0 / (1.0 + np.exp(-z))
            else:
                ez = np.exp(z)
                gamma = ez / (1.0 + ez)
        nu = (1.0 - gamma) * nu + gamma * nu0 + 1.0
        chi = (1.0 - gamma) * chi + gamma * chi0 + yt
        mu_hat[t] = chi / nu


@numba.njit(cache=True)
def particle_filter_kernel(y, sigma2, p_change, nu0, chi0, u_switch, u_resample, mu_hat, n_resample):
    """Particle filter with the optimal proposal for the switching Gaussian (Liakoni et al. 2021, Sec. 2.2.3).

    Particle i carries a run's sufficient statistics (ν_i, χ_i) and a weight w_i. For y_t:
    w_i ← w_i [(1 - p_c) P(y_t; i) + p_c P(y_t; prior)] (normalised); particle i restarts from the prior
    with probability p_c P(y_t; prior) / [(1 - p_c) P(y_t; i) + p_c P(y_t; prior)], then absorbs y_t.
    When the effective number of particles 1 / Σ w_i² falls to N / 2 or below, they are resampled
    (systematic resampling, from one uniform ``u_resample[t]``). ``u_switch`` has shape (n_steps, N).
    """
    n = y.shape[0]
    n_p = u_switch.shape[1]
    nu = np.full(n_p, nu0)
    chi = np.full(n_p, chi0)
    w = np.full(n_p, 1.0 / n_p)
    lik = np.empty(n_p)
    cum = np.empty(n_p)
    nu_new = np.empty(n_p)
    chi_new = np.empty(n_p)
    count = 0
    for t in range(n):
        yt = y[t]
        lp0 = log_predictive(yt, chi0, nu0, sigma2)
        top = lp0
        for i in range(n_p):
            lik[i] = log_predictive(yt, chi[i], nu[i], sigma2)
            if lik[i] > top:
                top = lik[i]
        p0 = p_change * np.exp(lp0 - top)
        total = 0.0
        for i in range(n_p):
            stay = (1.0 - p_change) * np.exp(lik[i] - top)
            both = stay + p0
            w[i] *= both
            total += w[i]
            if u_switch[t, i] * both < p0:  # a change just before y_t for this particle
                nu[i] = nu0
                chi[i] = chi0
            nu[i] += 1.0
            chi[i] += yt
        est = 0.0
        sq = 0.0
        for i in range(n_p):
            w[i] /= total
            est += w[i] * chi[i] / nu[i]
            sq += w[i] * w[i]
        mu_hat[t] = est
        if 1.0 / sq <= 0.5 * n_p:
            count += 1
            acc = 0.0
            for i in range(n_p):
                acc += w[i]
                cum[i] = acc
            j = 0
            for i in range(n_p):
                pos = (u_resample[t] + i) / n_p
                while j < n_p - 1 and cum[j] < pos:
                    j += 1
                nu_new[i] = nu[j]
                chi_new[i] = chi[j]
            for i in range(n_p):
                nu[i] = nu_new[i]
                chi[i] = chi_new[i]
                w[i] = 1.0 / n_p
    n_resample[0] = count
