"""Three-factor rules: a critic is needed (Frémaux et al. 2010), eligibility traces bridge delays (Izhikevich 2007),
and actor–critic with local rules learns the maze as tabular Q-learning does."""

import numpy as np
import pytest

from lnn_utils.reinforcement import (Maze, actor_critic, distal_reward, eligibility_trace_example,
                                     predicted_distal_success, q_learning, reward_modulated_hebbian)


# ------------------------------------------------------------------------------ reward-modulated Hebbian learning
@pytest.fixture(scope="module")
def rmh():
    return reward_modulated_hebbian(n_trials=3000, n_seeds=40, seed=0)


def test_only_the_critic_reaches_the_targets(rmh):
    err = dict(zip(rmh["baselines"], rmh["final_error"]))
    start = rmh["error"][0, :, 0].mean()
    assert start > 0.5  # targets uniform in [-1, 1]: RMS ~ 0.58 before learning
    # paired over seeds (common random numbers): critic < running mean < raw reward, each by > 3 standard errors
    for worse, better in (("none", "running_mean"), ("running_mean", "critic")):
        diff = err[worse] - err[better]
        assert diff.mean() > 3 * diff.std(ddof=1) / np.sqrt(len(diff)), (worse, better, diff.mean())
    assert err["critic"].mean() < 0.1 and err["none"].mean() > 0.15


def test_raw_reward_stalls_at_a_biased_solution(rmh):
    raw = rmh["error"][0].mean(axis=0)
    # learning stops well above the critic's error: the last third of training changes nothing
    k = len(raw) // 3
    assert abs(raw[-1] - raw[-k]) < 0.03 and raw[-1] > 2 * rmh["error"][2].mean(axis=0)[-1]


def test_running_mean_suffices_when_every_stimulus_has_the_same_expected_reward():
    res = reward_modulated_hebbian(n_trials=3000, n_seeds=40, reward_offsets=(0.0, 0.0),
                                   baselines=("running_mean", "critic"), seed=0)
    running, critic = res["final_error"]
    diff = running - critic
    assert abs(diff.mean()) < 0.02  # the bias needs E[R | stimulus] to differ between stimuli


def test_reward_modulated_hebbian_bad_input():
    with pytest.raises(ValueError, match="baselines"):
        reward_modulated_hebbian(baselines=("dopamine",))
    with pytest.raises(ValueError, match="noise"):
        reward_modulated_hebbian(noise=0.0)
    with pytest.raises(ValueError, match="n_inputs"):
        reward_modulated_hebbian(n_inputs=2, n_stimuli=4)
    with pytest.raises(ValueError, match="reward_offsets"):
        reward_modulated_hebbian(reward_offsets=[0.0, 0.1, 0.2])
    with pytest.raises(ValueError, match="learning_rate"):
        reward_modulated_hebbian(learning_rate=2.0)


# ---------------------------------------------------------------------------------------------- eligibility traces
def test_traces_bridge_delays_shorter_than_tau_and_fail_beyond():
    delays = np.array([0.25, 1.0, 2.0, 6.0])
    res = distal_reward(delays, tau_e=1.0, n_trials=100, n_seeds=200, seed=0)
    success = res["success"].mean(axis=1)
    assert success[0] > 0.97 and success[1] > 0.95  # d <= tau_e
    assert success[3] < 0.15  # d = 6 tau_e: near chance (1 / 20)
    # the simulation matches the shot-noise prediction (binomial s.e. <= 0.035 for 200 seeds)
    np.testing.assert_allclose(success, res["predicted_success"], atol=0.1)
    # the target gains eta * exp(-d / tau_e) per trial more than the others
    w = res["weights"]
    extra = w[..., 0].mean(axis=1) - w[..., 1:].mean(axis=(1, 2))
    se = np.sqrt(0.5 * 1.0 * 1.0 * 100) * 0.01 / np.sqrt(200)
    np.testing.assert_allclose(extra, 100 * 0.01 * np.exp(-delays), atol=5 * se)


def test_a_longer_trace_bridges_a_longer_delay():
    short = predicted_distal_success([3.0], tau_e=1.0)[0]
    long = predicted_distal_success([3.0], tau_e=3.0)[0]
    assert long > 0.8 > 0.5 > short
    assert predicted_distal_success([1.0], coincidence_rate=0.0)[0] == 1.0


def test_trace_time_course():
    ex = eligibility_trace_example(1.5, tau_e=1.0, n_synapses=3, coincidence_rate=0.0, seed=0)
    t, e = ex["t"], ex["traces"][:, 0]
    np.testing.assert_allclose(e[t >= 0], np.exp(-t[t >= 0]), atol=1e-12)  # one coincidence at t = 0, then decay
    assert np.all(e[t < 0] == 0) and ex["weight_change"][0] == pytest.approx(np.exp(-1.5))
    assert np.all(ex["traces"][:, 1:] == 0)
    with pytest.raises(ValueError, match="delays"):
        distal_reward([-1.0])
    with pytest.raises(ValueError, match="tau_e"):
        distal_reward([1.0], tau_e=0.0)


# ----------------------------------------------------------------------------------------------- actor-critic, Q
@pytest.fixture(scope="module")
def maze():
    return Maze()


def test_actor_critic_learns_the_maze_and_the_goal_error_vanishes(maze):
    res = actor_critic(maze, n_episodes=100, n_runs=10, seed=0)
    steps = res["steps"]
    assert res["reached"][:, -20:].all()
    first, last = steps[:, :5].mean(), steps[:, -10:].mean()
    assert first > 100 and last < 1.6 * maze.shortest_path_length()  # shortest path: 14 steps
    assert np.nanmean(np.abs(res["goal_delta"][:, -10:])) < 0.05 < np.nanmean(res["goal_delta"][:, :3])
    before_goal = maze.state_of((1, 8))
    assert res["values"][:, before_goal].mean() == pytest.approx(1.0, abs=0.05)
    np.testing.assert_allclose(res["policy"].sum(axis=-1), 1.0)


def test_q_learning_baseline_on_the_same_maze(maze):
    res = q_learning(maze, n_episodes=100, n_runs=10, seed=0)
    assert res["reached"][:, -20:].all()
    assert res["steps"][:, :5].mean() > 100 and res["steps"][:, -10:].mean() < 1.5 * 14
    # from zero, with deterministic non-negative rewards, Q-learning's estimates rise towards Q* and never pass it
    v_star = maze.optimal_values(0.95)
    q_star = maze.rewards + 0.95 * v_star[maze.transitions]
    q_star[maze.goal] = 0.0
    assert np.all(res["q_values"] <= q_star + 1e-12)
    assert res["values"][:, maze.start].mean() > 0.8 * v_star[maze.start]


def test_traces_in_the_actor_critic_and_reproducibility(maze):
    a = actor_critic(maze, n_episodes=30, n_runs=5, trace_decay=0.8, seed=2)
    b = actor_critic(maze, n_episodes=30, n_runs=5, trace_decay=0.8, seed=2)
    np.testing.assert_array_equal(a["steps"], b["steps"])
    assert a["steps"][:, -5:].mean() < a["steps"][:, :5].mean() / 3


def test_control_bad_input(maze):
    with pytest.raises(TypeError, match="Maze"):
        actor_critic("maze")
    with pytest.raises(ValueError, match="epsilon"):
        q_learning(maze, epsilon=1.5)
    with pytest.raises(ValueError, match="discount"):
        actor_critic(maze, discount=0.0)
    with pytest.raises(ValueError, match="trace_decay"):
        actor_critic(maze, trace_decay=-0.1)
    with pytest.raises(TypeError, match="n_episodes"):
        q_learning(maze, n_episodes=2.5)
