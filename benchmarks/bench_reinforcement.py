"""Time the training calls of notebook 07 (full-mode sizes); target: the whole notebook under 75 s on 2 cores.

Prints the wall time and CPU time of each call, the vectorised n-step TD against the book's one-run-at-a-time loop
(the same arithmetic), and the load average, since timings on a shared machine are inflated by other jobs.

Run: ``python benchmarks/bench_reinforcement.py``
"""

from __future__ import annotations

import os
import time

import numpy as np

from lnn_utils.reinforcement import (DopamineTD, Maze, RandomWalk, actor_critic, distal_reward, monte_carlo_prediction,
                                     n_step_alpha_sweep, q_learning, reward_modulated_hebbian, td_prediction)


def timed(name, fn):
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn()
    print(f"{name:48s} wall {time.perf_counter() - wall:6.2f} s   cpu {time.process_time() - cpu:6.2f} s")
    return out


def loop_td(env, episodes, n, alpha):
    """The book's n-step TD one run at a time (reference speed for the lock-step version)."""
    for r in range(episodes[0][0].shape[0]):
        V = np.zeros(env.n_states + 2)
        for states, lengths, final in episodes:
            T, S = lengths[r], states[r]
            for tau in range(T):
                G = V[S[tau + n]] if tau + n < T else final[r]
                V[S[tau]] += alpha * (G - V[S[tau]])


def main():
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    walk, walk19 = RandomWalk(5), RandomWalk(19, left_reward=-1.0, right_reward=1.0)
    timed("Example 6.2: 3 TD + 4 MC curves, 100 runs x 100 ep.", lambda: [
        td_prediction(walk, alpha=a, n_episodes=100, initial_value=0.5) for a in (0.05, 0.1, 0.15)] + [
        monte_carlo_prediction(walk, alpha=a, n_episodes=100, initial_value=0.5) for a in (0.01, 0.02, 0.03, 0.04)])
    alphas = np.linspace(0.05, 1.0, 20)
    ns = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512)
    timed("Figure 7.2: 10 n x 20 alpha, 100 runs x 10 ep.", lambda: n_step_alpha_sweep(walk19, alphas=alphas, ns=ns))
    episodes = walk19.sample_episodes(100, 10, seed=0)
    t_loop = time.perf_counter()
    loop_td(walk19, episodes, 4, 0.4)
    t_loop = time.perf_counter() - t_loop
    t_vec = time.perf_counter()
    n_step_alpha_sweep(walk19, alphas=[0.4], ns=[4])
    t_vec = time.perf_counter() - t_vec
    print(f"  one (n, alpha) pair: loop over runs {t_loop:.3f} s, lock-step {t_vec:.3f} s; the sweep does 20 alphas per"
          f" lock-step pass")
    timed("Dopamine TD(0), 300 trials", lambda: DopamineTD(discount=0.98).fit(300))
    timed("Reward-modulated Hebbian, 3 x 50 seeds x 5000 trials", lambda: reward_modulated_hebbian())
    timed("Distal reward, 2 taus x 9 delays x 200 seeds", lambda: [
        distal_reward(np.array([0, 0.5, 1, 1.5, 2, 3, 4, 6, 8.0]), tau_e=t, n_seeds=200) for t in (1.0, 3.0)])
    maze = Maze()
    timed("Actor-critic, 20 runs x 150 episodes", lambda: actor_critic(maze, n_episodes=150, n_runs=20))
    timed("Q-learning, 20 runs x 150 episodes", lambda: q_learning(maze, n_episodes=150, n_runs=20))
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
