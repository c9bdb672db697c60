"""The maze of notebooks 07 and 08: Sutton & Barto's Dyna maze, its transition table, vectorised steps, drawing."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from lnn_utils.plotting.reinforcement import plot_maze  # noqa: E402
from lnn_utils.reinforcement import Maze  # noqa: E402


def test_dyna_maze_matches_sutton_barto_example_8_1():
    env = Maze()
    assert env.shape == (6, 9) and env.n_states == 54 - 7 and env.n_actions == 4
    assert tuple(env.cell_of(env.start)) == (2, 0) and tuple(env.cell_of(env.goal)) == (0, 8)
    # the book: the shortest path from S to G takes 14 steps
    assert env.shortest_path_length() == 14


def test_transitions_move_one_cell_or_bump():
    env = Maze()
    s = env.state_of((2, 1))
    assert env.transitions[s, 0] == env.state_of((1, 1))  # up
    assert env.transitions[s, 2] == env.state_of((3, 1))  # down
    assert env.transitions[s, 3] == env.state_of((2, 0))  # left
    assert env.transitions[s, 1] == s  # right is the wall at (2, 2)
    corner = env.state_of((5, 0))
    assert env.transitions[corner, 2] == corner and env.transitions[corner, 3] == corner  # off the grid
    # every non-goal move changes the cell by at most one step
    d = np.abs(env.cells[env.transitions] - env.cells[:, None, :]).sum(axis=-1)
    assert d.max() == 1


def test_goal_is_absorbing_and_only_entering_it_is_rewarded():
    env = Maze(step_reward=-0.1, goal_reward=2.0)
    assert (env.transitions[env.goal] == env.goal).all() and (env.rewards[env.goal] == 0).all()
    into_goal = (env.transitions == env.goal) & ~env.terminal[:, None]
    # the goal (0, 8) is entered only from (1, 8) going up: its left neighbour (0, 7) is a wall
    assert np.argwhere(into_goal).tolist() == [[env.state_of((1, 8)), 0]]
    np.testing.assert_array_equal(env.rewards[into_goal], 2.0)
    np.testing.assert_array_equal(env.rewards[~into_goal & ~env.terminal[:, None]], -0.1)


def test_vectorised_step_equals_scalar_steps():
    env = Maze()
    rng = np.random.default_rng(0)
    states = rng.integers(0, env.n_states, 50)
    actions = rng.integers(0, 4, 50)
    nxt, rew, done = env.step(states, actions)
    for k in range(50):
        s, r, d = env.step(int(states[k]), int(actions[k]))
        assert (s, r, d) == (nxt[k], rew[k], done[k])
    np.testing.assert_array_equal(env.reset(5), np.full(5, env.start))


def test_value_iteration_gives_discounted_shortest_paths():
    env = Maze()
    V = env.optimal_values(0.9)
    dist = env.distances_to_goal()
    free = ~env.terminal
    np.testing.assert_allclose(V[free], 0.9 ** (dist[free] - 1))


def test_moving_the_goal_keeps_walls_and_changes_distances():
    env = Maze()
    moved = env.with_goal((5, 8))
    assert moved.n_states == env.n_states and (moved.walls == env.walls).all()
    assert moved.start == env.start and tuple(moved.cell_of(moved.goal)) == (5, 8)
    assert moved.shortest_path_length() == 3 + 8  # down 3 rows, right 8 columns, no wall in the way
    assert env.shortest_path_length() == 14  # the original is unchanged
    assert tuple(env.with_start((5, 0)).cell_of(env.with_start((5, 0)).start)) == (5, 0)
    grid = Maze.open_grid(3, 4)
    assert grid.n_states == 12 and grid.shortest_path_length() == 2 + 3


def test_bad_input_names_the_problem():
    env = Maze()
    with pytest.raises(ValueError, match="wall"):
        env.with_goal((1, 2))
    with pytest.raises(ValueError, match="off the"):
        env.state_of((6, 0))
    with pytest.raises(ValueError, match="actions must lie"):
        env.step(env.start, 4)
    with pytest.raises(ValueError, match="states must lie"):
        env.step(np.array([47]), np.array([0]))
    with pytest.raises(ValueError, match="exactly one 'S'"):
        Maze(["..G", "..."])
    with pytest.raises(ValueError, match="equally long"):
        Maze(["S.", "..G"])
    with pytest.raises(ValueError, match="only"):
        Maze(["S.x", "..G"])
    with pytest.raises(ValueError, match="different"):
        Maze.open_grid(2, 2, start=(0, 1), goal=(0, 1))
    with pytest.raises(ValueError, match="discount"):
        env.optimal_values(1.5)


def test_plot_maze_draws_values_and_policy():
    env = Maze()
    values = np.arange(env.n_states, dtype=float)
    policy = np.zeros(env.n_states, dtype=int)
    fig = plot_maze(env, values=values, policy=policy, path=[env.start, env.start + 1])
    ax = fig.axes[0]
    shown = np.ma.filled(ax.images[0].get_array(), np.nan)
    assert np.isnan(shown[1, 2]) and shown[0, 8] == values[env.goal]
    texts = sorted(t.get_text() for t in ax.texts)
    assert texts == ["G", "S"]
    plt.close(fig)
    fig, ax = plt.subplots()
    assert plot_maze(env, ax=ax) is fig
    plt.close(fig)


def test_reinforcement_figures_draw_what_they_are_given():
    from lnn_utils.plotting.reinforcement import (plot_alpha_sweep, plot_distributions, plot_learning_curves,
                                                  plot_success_vs_delay, plot_td_error_map)

    alphas = np.array([0.1, 0.5, 1.0])
    fig = plot_alpha_sweep(alphas, np.array([[0.5, 0.4, 0.3], [0.3, 0.35, 0.45]]), [1, 4], reference={4: (0.4, 0.27)})
    ax = fig.axes[0]
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), [0.5, 0.4, 0.3])
    assert ax.lines[2].get_xdata()[0] == 0.4  # the book's minimum of n = 4
    plt.close(fig)
    delta = np.array([[0.0, 2.0], [-0.5, 0.0]])
    fig = plot_td_error_map(delta, cue_time=0, reward_time=1)
    assert fig.axes[0].images[0].get_clim() == (-2.0, 2.0)
    plt.close(fig)
    curves = np.array([[1.0, 2.0], [3.0, 4.0]])
    fig = plot_learning_curves([0, 1], [curves], labels=["a"], reference=1.5)
    np.testing.assert_array_equal(fig.axes[0].lines[0].get_ydata(), [2.0, 3.0])
    plt.close(fig)
    fig = plot_distributions([np.array([1.0, 2.0, 3.0])], ["x"])
    assert len(fig.axes[0].lines[0].get_ydata()) == 3
    plt.close(fig)
    res = {"delays": np.array([0.0, 1.0]), "success": np.array([[True, True], [False, True]]),
           "predicted_success": np.array([1.0, 0.4]), "chance": 0.1}
    fig = plot_success_vs_delay([res])
    drawn = [list(line.get_ydata()) for line in fig.axes[0].lines]
    assert [1.0, 0.4] in drawn and [1.0, 0.5] in drawn  # the prediction and the simulated fractions
    plt.close(fig)
