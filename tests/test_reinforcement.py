"""Prediction on the random walk against Sutton & Barto (2018), and the TD error as a dopamine signal."""

import numpy as np
import pytest

from lnn_utils.reinforcement import (SUTTON_BARTO_FIG_7_2_MINIMA, DopamineTD, RandomWalk, monte_carlo_prediction,
                                     n_step_alpha_sweep, td_prediction)


# ---------------------------------------------------------------------------------------------- the random walk
def test_true_values_are_the_books():
    np.testing.assert_allclose(RandomWalk().true_values, np.arange(1, 6) / 6)
    walk19 = RandomWalk(19, left_reward=-1.0, right_reward=1.0)
    np.testing.assert_allclose(walk19.true_values, np.arange(-9, 10) / 10)
    assert walk19.start == 9 and RandomWalk().start == 2


def test_biased_walk_values_match_the_gamblers_ruin_by_simulation():
    env = RandomWalk(5, p_right=0.7)
    states, lengths, final = env.sample_episodes(20000, 1, seed=1)[0]
    p_right_end = np.mean(final == 1.0)
    se = np.sqrt(p_right_end * (1 - p_right_end) / 20000)
    assert abs(p_right_end - env.true_values[env.start]) < 4 * se
    # episodes move one state per step and stop at a terminal state
    assert np.all(np.abs(np.diff(states, axis=1)) <= 1)
    assert np.all(np.isin(states[np.arange(20000), lengths], [0, 6]))


def _naive_n_step_td(env, episodes, n, alpha, v0):
    """The book's n-step TD, one run at a time, as a reference for the vectorised version."""
    out = []
    n_runs = episodes[0][0].shape[0]
    for r in range(n_runs):
        V = np.zeros(env.n_states + 2)
        V[1:-1] = v0
        errs = [np.sqrt(np.mean((V[1:-1] - env.true_values) ** 2))]
        for states, lengths, final in episodes:
            T, S = lengths[r], states[r]
            for tau in range(T):
                G = V[S[tau + n]] if (n is not None and tau + n < T) else final[r]
                V[S[tau]] += alpha * (G - V[S[tau]])
            errs.append(np.sqrt(np.mean((V[1:-1] - env.true_values) ** 2)))
        out.append(errs)
    return np.array(out)


@pytest.mark.parametrize("n", [1, 3, None])
def test_vectorised_prediction_equals_the_books_algorithm_run_by_run(n):
    env = RandomWalk(7, left_reward=-1.0)
    episodes = env.sample_episodes(6, 15, seed=4)
    expected = _naive_n_step_td(env, episodes, n, 0.2, 0.1)
    if n is None:
        got = monte_carlo_prediction(env, alpha=0.2, n_episodes=15, initial_value=0.1, n_runs=6, seed=4)
    else:
        got = td_prediction(env, alpha=0.2, n_episodes=15, n=n, initial_value=0.1, n_runs=6, seed=4)
    assert got.shape == (6, 16)
    np.testing.assert_allclose(got, expected, atol=1e-12)


def test_example_6_2_td_beats_mc_and_reaches_the_books_error():
    env = RandomWalk(5)
    td = {a: td_prediction(env, alpha=a, n_episodes=100, initial_value=0.5, seed=0).mean(axis=0)
          for a in (0.05, 0.15)}
    mc = monte_carlo_prediction(env, alpha=0.01, n_episodes=100, initial_value=0.5, seed=0).mean(axis=0)
    # before learning: only C (value 1/2) is right, RMS = sqrt(10 / 180)
    assert td[0.05][0] == pytest.approx(np.sqrt(10 / 180))
    # the book's figure: TD with alpha = 0.05 is near 0.05 after 100 episodes (we get 0.035; seed noise ~0.002)
    assert 0.03 < td[0.05][100] < 0.06
    # a larger step size learns faster at first but settles at a higher error (Exercise 6.4)
    assert td[0.15][10] < td[0.05][10] and td[0.15][100] > td[0.05][100] + 0.02
    # Monte Carlo with alpha = 0.01 is still far from converged: TD wins on this task
    assert mc[100] > td[0.05][100] + 0.03


def test_figure_7_2_minima_and_the_u_shape_in_n():
    env = RandomWalk(19, left_reward=-1.0, right_reward=1.0)
    alphas = np.array([0.05, 0.1, 0.15, 0.2, 0.25, 0.4, 0.6, 0.8, 1.0])
    ns = [1, 2, 4, 8, 16, 32, 512]
    curves = n_step_alpha_sweep(env, alphas=alphas, ns=ns, n_runs=100, seed=0).mean(axis=-1)
    best = curves.min(axis=1)
    for k, n in enumerate(ns[:-1]):
        alpha_book, rms_book = SUTTON_BARTO_FIG_7_2_MINIMA[n]
        # the grid is coarse: the minimum over it is at most ~0.015 above the true minimum; 100 runs add ~0.005
        assert rms_book - 0.015 < best[k] < rms_book + 0.025, (n, best[k], rms_book)
    # intermediate n is best: n = 4 beats both TD(0) and the near-Monte-Carlo n = 512
    assert best[2] < best[0] - 0.05 and best[2] < best[-1] - 0.15
    # larger n needs a smaller step size (the minima move left)
    argmins = alphas[curves.argmin(axis=1)]
    assert argmins[0] >= 0.6 and argmins[2] == pytest.approx(0.4) and argmins[5] <= 0.15


def test_prediction_bad_input_is_named():
    env = RandomWalk()
    with pytest.raises(ValueError, match="n_states"):
        RandomWalk(0)
    with pytest.raises(ValueError, match="alpha"):
        td_prediction(env, alpha=0.0, n_episodes=5)
    with pytest.raises(ValueError, match="alpha"):
        monte_carlo_prediction(env, alpha=1.5, n_episodes=5)
    with pytest.raises(ValueError, match="n must"):
        td_prediction(env, alpha=0.1, n_episodes=5, n=0)
    with pytest.raises(TypeError, match="n_episodes"):
        td_prediction(env, alpha=0.1, n_episodes=2.5)
    with pytest.raises(ValueError, match="p_right"):
        RandomWalk(p_right=1.5)
    with pytest.raises(TypeError, match="RandomWalk"):
        td_prediction("walk", alpha=0.1, n_episodes=5)
    with pytest.raises(ValueError, match="each of alphas"):
        n_step_alpha_sweep(env, alphas=[0.1, 2.0], ns=[1])


def test_prediction_is_reproducible():
    env = RandomWalk()
    a = td_prediction(env, alpha=0.1, n_episodes=10, n=2, n_runs=5, seed=3)
    b = td_prediction(env, alpha=0.1, n_episodes=10, n=2, n_runs=5, seed=3)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, td_prediction(env, alpha=0.1, n_episodes=10, n=2, n_runs=5, seed=4))


# ----------------------------------------------------------------------------------------- dopamine (Schultz 1997)
def test_td_error_moves_from_reward_to_cue():
    model = DopamineTD(n_steps=30, cue_time=5, reward_time=20, discount=0.98, learning_rate=0.2).fit(300)
    d = model.delta_
    # first trial: the reward is unpredicted, the cue means nothing yet
    assert d[0, 20] == pytest.approx(1.0) and d[0, 5] == 0.0
    # after learning: burst at the cue (its value, discounted over 15 steps), nothing at the predicted reward
    assert d[-1, 5] == pytest.approx(0.98**15, abs=0.01)
    assert abs(d[-1, 20]) < 0.01
    # the learned value ramps as gamma^(time to reward) between cue and reward, and is 0 after the reward
    t = np.arange(5, 20)
    np.testing.assert_allclose(model.value()[5:20], 0.98 ** (19 - t), atol=0.01)
    assert np.all(np.abs(model.value()[20:]) < 0.01)
    # the response to the cue grows over trials while the one to the reward shrinks
    assert d[50, 5] < d[150, 5] < d[-1, 5] and d[10, 20] > d[50, 20] > abs(d[-1, 20])


def test_omitted_reward_dips_and_early_reward_bursts():
    model = DopamineTD(n_steps=30, cue_time=5, reward_time=20, learning_rate=0.3).fit(300)
    omitted = model.probe(None)
    assert omitted[20] == pytest.approx(-1.0, abs=0.02)  # a pause at the time the reward was due
    assert omitted[5] == pytest.approx(1.0, abs=0.02)
    early = model.probe(12)
    assert early[12] == pytest.approx(1.0, abs=0.02)  # an unexpected early reward bursts
    # the complete serial compound still expects the reward at 20: a dip there (not seen by Hollerman & Schultz)
    assert early[20] == pytest.approx(-1.0, abs=0.02)
    np.testing.assert_allclose(model.probe(), model.delta_[-1], atol=0.01)


def test_eligibility_traces_speed_up_the_transfer_to_the_cue():
    slow = DopamineTD(trace_decay=0.0).fit(30)
    fast = DopamineTD(trace_decay=0.9).fit(30)
    assert fast.delta_[-1, 5] > slow.delta_[-1, 5] + 0.3


def test_dopamine_bad_input_is_named():
    with pytest.raises(ValueError, match="cue_time < reward_time"):
        DopamineTD(cue_time=10, reward_time=10)
    with pytest.raises(ValueError, match="trace_decay"):
        DopamineTD(trace_decay=1.5)
    with pytest.raises(ValueError, match="learning_rate"):
        DopamineTD(learning_rate=0.0)
    with pytest.raises(ValueError, match="reward_time"):
        DopamineTD().probe(40)
