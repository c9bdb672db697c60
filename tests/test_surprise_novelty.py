"""Novelty-driven exploration and surprise-triggered re-exploration in notebook 07's maze (notebook 08)."""

import numpy as np
import pytest

from lnn_utils.reinforcement import Maze
from lnn_utils.surprise import novelty


def test_novelty_agent_covers_the_maze_faster_than_epsilon_greedy():
    env = Maze()
    kw = dict(n_steps=600, n_runs=40, epsilon=0.1)
    greedy = novelty.explore_maze(env, agent="epsilon_greedy", seed=1, **kw)
    curious = novelty.explore_maze(env, agent="novelty", seed=2, **kw)
    for fraction in (0.5, 0.9):
        a = novelty.steps_to_coverage(greedy["coverage"], fraction)
        b = novelty.steps_to_coverage(curious["coverage"], fraction)
        d = novelty.unpaired_difference(b, a)
        assert d["high"] < 0, (fraction, d)
    d = novelty.unpaired_difference(curious["first_goal"], greedy["first_goal"])
    assert d["high"] < 0
    # after 300 steps the novelty seekers have seen almost the whole maze
    assert curious["coverage"][:, 300].mean() > 0.9


def test_coverage_bookkeeping():
    env = Maze.open_grid(2, 3)
    res = novelty.explore_maze(env, agent="epsilon_greedy", n_steps=200, n_runs=5, epsilon=1.0, seed=0)
    cov = res["coverage"]
    assert cov.shape == (5, 201)
    assert np.all(np.diff(cov, axis=1) >= 0) and np.all(cov[:, 0] == 1 / env.n_states)
    np.testing.assert_allclose(cov[:, -1], (res["visits"] > 0).mean(axis=1) + (res["visits"][:, env.start] == 0)
                               / env.n_states)
    assert np.all(res["visits"].sum(axis=1) == 200)
    # a random walk on 6 cells finds the goal well within 200 steps
    assert np.all(res["first_goal"] <= 200)
    np.testing.assert_array_equal(novelty.steps_to_coverage([[0.2, 0.5, 1.0], [0.2, 0.2, 0.4]], 1.0), [2, 3])


def test_surprise_agent_reexplores_after_the_goal_moves():
    env = Maze()
    kw = dict(n_episodes_before=15, n_episodes_after=6, n_runs=30, max_steps=1000)
    plain = novelty.goal_switch(env, (0, 0), agent="novelty", seed=3, **kw)
    surprised = novelty.goal_switch(env, (0, 0), agent="surprise", m=3e-4, seed=4, **kw)
    after = slice(16, 21)
    d = novelty.unpaired_difference(surprised["steps"][:, after].mean(1), plain["steps"][:, after].mean(1))
    assert d["high"] < 0, d
    assert surprised["reached"][:, 15:].all()
    np.testing.assert_array_equal(surprised["shortest"], [14, 2])


def test_surprise_agent_without_sensitivity_is_the_novelty_agent():
    env = Maze()
    kw = dict(n_episodes_before=3, n_episodes_after=3, n_runs=4, max_steps=300)
    a = novelty.goal_switch(env, (5, 8), agent="novelty", seed=7, **kw)
    b = novelty.goal_switch(env, (5, 8), agent="surprise", m=0.0, seed=7, **kw)
    np.testing.assert_array_equal(a["steps"], b["steps"])


def test_bad_arguments():
    env = Maze()
    with pytest.raises(ValueError, match="agent"):
        novelty.explore_maze(env, agent="curious", n_steps=10)
    with pytest.raises(TypeError, match="Maze"):
        novelty.explore_maze("maze", agent="novelty", n_steps=10)
    with pytest.raises(ValueError, match="epsilon"):
        novelty.explore_maze(env, agent="novelty", n_steps=10, epsilon=1.5)
    with pytest.raises(ValueError, match="novelty_weight"):
        novelty.explore_maze(env, agent="novelty", n_steps=10, novelty_weight=-1.0)
    with pytest.raises(ValueError, match="n_steps"):
        novelty.explore_maze(env, agent="novelty", n_steps=0)
    with pytest.raises(ValueError, match="current goal"):
        novelty.goal_switch(env, (0, 8), agent="novelty")
    with pytest.raises(ValueError, match="wall"):
        novelty.goal_switch(env, (1, 2), agent="novelty")
    with pytest.raises(ValueError, match="fraction"):
        novelty.steps_to_coverage(np.ones((2, 3)), 1.5)
    with pytest.raises(ValueError, match="at least 2"):
        novelty.unpaired_difference([1.0], [1.0, 2.0])
