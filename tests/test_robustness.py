"""Bad input gets an error that names the parameter and says how to fix it, instead of silent garbage (issue 14).

One test per case: seeds, user nonlinearities, sliding-threshold time constants, the Euler step, constant data in
the whitener, the RF mosaic's layout, the digits loader, the progress bars, and the notebook runner.
"""

import importlib.util
import math
import os
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import nbformat  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import lnn_utils.datasets as datasets  # noqa: E402
from lnn_utils._validation import as_generator  # noqa: E402
from lnn_utils.hebbian import CompetitiveNetwork, HebbianNetwork, SangerNetwork, get_nonlinearity  # noqa: E402
from lnn_utils.plotting import show_rfs, tile  # noqa: E402
from lnn_utils.progress import PROGRESS_ENV, progress_bar, progress_enabled  # noqa: E402
from lnn_utils.rf_analysis.statistics import random_unit_vectors  # noqa: E402
from lnn_utils.whitening import PCAWhitener  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("execute_notebooks", ROOT / "scripts" / "execute_notebooks.py")
execute_notebooks = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(execute_notebooks)


# ------------------------------------------------------------------------------------------------------- seeds

BAD_SEEDS = [(-1, ValueError, ">= 0"), (None, ValueError, "reproducible"), (1.5, TypeError, "int"),
             (True, TypeError, "int"), ("3", TypeError, "int"), ([0, 1], TypeError, "several independent runs")]


@pytest.mark.parametrize("seed, error, says", BAD_SEEDS, ids=[repr(s[0]) for s in BAD_SEEDS])
def test_as_generator_refuses_bad_seeds_by_name(seed, error, says):
    with pytest.raises(error, match=f"^seed .*{says}"):
        as_generator(seed)
    with pytest.raises(error, match="^rng "):
        as_generator(seed, name="rng")


def test_as_generator_accepts_one_seed_and_reproduces_it():
    rng = np.random.default_rng(5)
    assert as_generator(rng) is rng  # a Generator's stream continues
    assert as_generator(np.int64(3)).random() == np.random.default_rng(3).random()
    assert as_generator(np.random.SeedSequence(3)).random() == np.random.default_rng(3).random()


def test_every_seeded_function_names_a_bad_seed():
    labels = np.repeat(np.arange(3), 10)
    with pytest.raises(ValueError, match="seed"):
        datasets.stratified_split(labels, seed=-1)
    with pytest.raises(TypeError, match="seed.*several independent runs"):
        datasets.load_digits("train", seed=[0, 1])
    with pytest.raises(ValueError, match="seed"):
        random_unit_vectors(3, 4, seed=-2)
    np.testing.assert_array_equal(random_unit_vectors(3, 4), random_unit_vectors(3, 4, seed=0))  # fixed default


@pytest.mark.parametrize("seed, error", [(-1, ValueError), ([0, -1], ValueError), ([True, 1], ValueError),
                                         ([3, 1, 3], ValueError), (np.arange(3.0), ValueError),
                                         (1.5, TypeError), ("12", TypeError), ([], ValueError), (None, ValueError)])
@pytest.mark.parametrize("network", [HebbianNetwork, SangerNetwork, lambda n, seed: CompetitiveNetwork(n, 2, seed=seed)],
                         ids=["hebbian", "sanger", "competitive"])
def test_online_networks_name_a_bad_seed(network, seed, error):
    with pytest.raises(error, match="seed"):
        network(6, seed=seed)


def test_a_list_of_seeds_means_independent_runs():
    X = np.random.default_rng(0).standard_normal((200, 6))
    runs = HebbianNetwork(6, theta=0.0, tau=20.0, learning_rate=1e-3, seed=np.array([3, 4])).fit(X, 300)
    for k, s in enumerate([3, 4]):
        one = HebbianNetwork(6, theta=0.0, tau=20.0, learning_rate=1e-3, seed=s).fit(X, 300)
        np.testing.assert_allclose(runs.weights[k], one.weights, rtol=0, atol=1e-12)


# ------------------------------------------------------------------------------------------- nonlinearities


def _with_default(u, p=3):
    return u**p


def _three(u, theta, p):
    return u**p


def _star(*args):
    return args[0]


def _required_keyword(u, theta, *, p):
    return u**p


@pytest.mark.parametrize("f, says", [
    (_with_default, r"default for its parameter p=3.*lambda u, theta: f\(u, 3\)"),
    (lambda u: u**3, r"1 positional.*lambda u, theta: f\(u\)"),
    (math.tanh, r"builtin function.*lambda u, theta: np.tanh\(u\)"),
    (np.tanh, r"numpy ufunc.*lambda u, theta: np.tanh\(u\)"),
    (_three, r"more positional parameters than \(u, theta\): p"),
    (_star, r"\*args"),
    (_required_keyword, r"keyword-only parameter\(s\) p"),
], ids=["defaulted", "one-argument", "math.tanh", "np.tanh", "three", "star-args", "required-keyword"])
def test_ambiguous_nonlinearities_are_refused_with_how_to_wrap_them(f, says):
    with pytest.raises(TypeError, match=f"^nonlinearity .*{says}"):
        HebbianNetwork(6, nonlinearity=f)


def test_a_wrapped_nonlinearity_is_called_with_u_and_theta():
    seen = []

    def f(u, theta, *, gain=1.0):
        seen.append(np.broadcast_to(theta, u.shape).copy())
        return gain * np.maximum(u - theta, 0.0)

    assert get_nonlinearity(f) is f
    X = np.random.default_rng(1).standard_normal((100, 6))
    HebbianNetwork(6, nonlinearity=f, theta=0.25, learning_rate=1e-3, seed=0).fit(X, 50)
    assert seen and all(np.all(t == 0.25) for t in seen)  # θ arrives as the second argument, never replaced


# ------------------------------------------------------------------------------- time constants and the Euler step


@pytest.mark.parametrize("make, name", [
    (lambda v: HebbianNetwork(6, theta=0.0, tau=v), "tau"),
    (lambda v: CompetitiveNetwork(6, 2, tau_theta=v), "tau_theta"),
    (lambda v: CompetitiveNetwork(6, 2, tau_phi=v), "tau_phi"),
], ids=["tau", "tau_theta", "tau_phi"])
def test_sliding_time_constants_below_one_patch_are_refused(make, name):
    for value in (0.5, 0.999):
        with pytest.raises(ValueError, match=f"^{name} must be >= 1.*overshoots"):
            make(value)
    make(1.0)  # the boundary is allowed


def test_tau_one_keeps_the_threshold_at_the_last_target():
    """τ = 1 sets θ to y² of the last patch: non-negative, as the threshold's target; τ < 1 would have overshot."""
    X = np.random.default_rng(2).standard_normal((300, 6))
    net = HebbianNetwork(6, theta=0.5, tau=1.0, learning_rate=1e-3, seed=0).fit(X, 200, record_every=1)
    W, theta = net.history_["weights"], net.history_["theta"]
    assert np.all(theta >= 0)
    idx = np.random.default_rng(0)
    idx.standard_normal((1, 6))
    x = X[idx.integers(0, 300, size=200)]
    y = np.maximum(np.einsum("tj,tj->t", W[:-1, 0], x), 0.0)
    np.testing.assert_allclose(theta[1:, 0], y**2, rtol=1e-12, atol=1e-15)


def test_an_euler_step_of_two_or_more_is_refused():
    for dt in (2.0, 3.0):
        with pytest.raises(ValueError, match="^dt must be < 2"):
            CompetitiveNetwork(6, 2, dt=dt)
    with pytest.raises(ValueError, match="dt"):
        CompetitiveNetwork(6, 2, dt=0.0)


# ---------------------------------------------------------------------------------------------------- whitening


def test_whitening_constant_data_is_an_error_not_an_empty_array():
    for X in (np.ones((20, 4)), np.full((7, 4), 0.1), np.zeros((5, 3))):
        with pytest.raises(ValueError, match="zero variance"):
            PCAWhitener().fit(X)
        with pytest.raises(ValueError, match="zero variance"):
            PCAWhitener(2).fit(X)
    uniform_patches = np.random.default_rng(0).standard_normal((30, 1)) * np.ones((1, 9))
    with pytest.raises(ValueError, match="zero variance.*DC"):
        PCAWhitener(remove_dc=True).fit(uniform_patches)
    assert PCAWhitener().fit(uniform_patches).n_components_ == 1  # one direction of variance: kept
    with pytest.raises(ValueError, match="^eps must be in"):
        PCAWhitener(eps=1.0)


# ------------------------------------------------------------------------------------------------------ plotting


def test_rf_mosaic_layout_parameters_are_checked_by_name():
    W = np.random.default_rng(0).standard_normal((4, 16))
    for n_cols, error in ((0, ValueError), (-2, ValueError), (1.5, TypeError)):
        with pytest.raises(error, match="n_cols"):
            show_rfs(W, n_cols=n_cols)
        with pytest.raises(error, match="n_cols"):
            tile(W.reshape(4, 4, 4), n_cols=n_cols)
    with pytest.raises(ValueError, match="pad"):
        tile(W.reshape(4, 4, 4), pad=-1)
    with pytest.raises(ValueError, match="shape must be"):
        show_rfs(W, shape=(3, 5))
    with pytest.raises(ValueError, match="empty"):
        show_rfs(np.zeros((0, 16)))
    bad = W.copy()
    bad[1, 3] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        show_rfs(bad)
    with pytest.raises(ValueError, match="scale"):
        show_rfs(W, scale=0)
    fig = show_rfs(W, n_cols=1)  # one column: four rows of 4 x 4
    assert fig.axes[0].images[0].get_array().shape == (4 * 5 - 1, 4)
    plt.close(fig)


# ------------------------------------------------------------------------------------------------------ datasets


def test_digits_loader_refuses_integer_dtypes_and_empty_splits():
    with pytest.raises(ValueError, match="dtype"):
        datasets.load_digits(dtype=np.int64)
    with pytest.raises(ValueError, match="test_fraction.*empty"):
        datasets.load_digits("train", test_fraction=0.001)
    assert datasets.load_digits(dtype=np.float32)[0].dtype == np.float32


def test_digits_archive_is_loaded_without_pickle(tmp_path, monkeypatch):
    evil = tmp_path / "digits.npz"
    np.savez(evil, images=np.array([{"not": "an image"}], dtype=object), labels=np.zeros(1, dtype=np.uint8))
    monkeypatch.setattr(datasets, "DIGITS_PATH", evil)
    with pytest.raises(ValueError, match="allow_pickle"):
        datasets.load_digits()


# ------------------------------------------------------------------------------------------------------ progress


def test_progress_is_off_when_the_runner_says_so(monkeypatch, capsys):
    monkeypatch.setenv(PROGRESS_ENV, "0")
    assert progress_enabled(True) is False and progress_enabled(None) is False
    with progress_bar(5, desc="quiet", enabled=True) as bar:
        bar.update(5)
    assert capsys.readouterr().err == ""


def test_progress_shows_when_asked_and_only_when_interactive_by_default(monkeypatch, capsys):
    monkeypatch.delenv(PROGRESS_ENV, raising=False)
    assert progress_enabled(False) is False and progress_enabled(True) is True
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False, raising=False)
    assert progress_enabled(None) is False  # a script or a CI log: silent by default
    with progress_bar(4, desc="demo", enabled=True) as bar:
        for _ in range(4):
            bar.update(1)
    err = capsys.readouterr().err
    assert "demo" in err and "4/4" in err


# ------------------------------------------------------------------------------------------- the notebook runner


def _notebook(path, source="print(1)"):
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata.update({"tags": ["parameters"], "collapsed": True, "scrolled": False, "execution": {"iopub.status.busy": "2026-12-01T00:00:00Z"},
                          "jupyter": {"source_hidden": True, "outputs_hidden": False, "other": 1}, "noise": 2})
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# t"), cell])
    nb.metadata["language_info"] = {"version": "3.x"}
    nbformat.write(nb, path)
    return path


def test_runner_keeps_user_cell_metadata_and_drops_volatile_metadata(tmp_path):
    nb = execute_notebooks.clean_metadata(nbformat.read(_notebook(tmp_path / "a.ipynb"), as_version=4))
    assert dict(nb.cells[1].metadata) == {"tags": ["parameters"], "collapsed": True, "scrolled": False,
                                          "jupyter": {"source_hidden": True, "outputs_hidden": False}}
    assert "language_info" not in nb.metadata


def test_runner_checks_every_path_before_running_any(tmp_path, capsys):
    good = _notebook(tmp_path / "good.ipynb")
    before = good.read_bytes()
    (tmp_path / "text.ipynb").write_text("not json")
    cases = ([str(good), str(tmp_path / "missing.ipynb")], [str(good), str(tmp_path / "text.ipynb")],
             [str(good), str(tmp_path / "sub" / "x.txt")])
    for argv in cases:
        with pytest.raises(SystemExit):
            execute_notebooks.main(argv)
        assert "nothing was executed" in capsys.readouterr().err
        assert good.read_bytes() == before  # the first notebook was not run (nor rewritten)
    other = tmp_path / "other"
    other.mkdir()
    twin = _notebook(other / "good.ipynb")
    with pytest.raises(ValueError, match="both be written"):
        execute_notebooks.check_paths([good, twin], tmp_path / "out")


def test_runner_writes_atomically_and_keeps_the_file_mode(tmp_path, monkeypatch):
    path = _notebook(tmp_path / "a.ipynb")
    os.chmod(path, 0o640)
    before = path.read_bytes()
    nb = nbformat.read(path, as_version=4)
    nb.cells[1].source = "print(2)"

    def broken_write(nb, fp, **kwargs):
        fp.write('{"half": ')
        raise OSError("disk full")

    monkeypatch.setattr(execute_notebooks.nbformat, "write", broken_write)
    with pytest.raises(OSError, match="disk full"):
        execute_notebooks.write_atomically(nb, path)
    assert path.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == ["a.ipynb"]
    monkeypatch.undo()
    execute_notebooks.write_atomically(nb, path)
    assert nbformat.read(path, as_version=4).cells[1].source == "print(2)"
    assert (path.stat().st_mode & 0o777) == 0o640 and sorted(p.name for p in tmp_path.iterdir()) == ["a.ipynb"]


def test_runner_sets_fast_mode_and_silences_progress_then_restores_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("LNN_PROGRESS", "1")
    monkeypatch.delenv("LNN_FAST", raising=False)
    path = _notebook(tmp_path / "env.ipynb", "import os\nprint(os.environ['LNN_FAST'], os.environ['LNN_PROGRESS'])")
    execute_notebooks.execute_notebook(path, fast=True)
    nb = nbformat.read(path, as_version=4)
    assert nb.cells[1].outputs[0].text == "1 0\n"
    assert nb.cells[1].metadata["jupyter"] == {"source_hidden": True, "outputs_hidden": False}
    assert os.environ["LNN_PROGRESS"] == "1" and "LNN_FAST" not in os.environ
    first = path.read_bytes()
    execute_notebooks.execute_notebook(path, fast=True)
    assert path.read_bytes() == first  # a re-run rewrites nothing


def test_progress_bar_total_is_checked_by_name():
    with pytest.raises(ValueError, match="total"):
        progress_bar(-1, enabled=False)
    with pytest.raises(TypeError, match="total"):
        progress_bar(2.5, enabled=False)


# ------------------------------------------------------------------------------ arrays that conversion would spoil


def test_complex_ragged_and_non_numeric_arrays_are_refused_by_name():
    from lnn_utils.rf_analysis import excess_kurtosis, rf_similarity, treves_rolls_sparseness

    X = np.random.default_rng(0).standard_normal((50, 6))
    with pytest.raises(TypeError, match="^X is complex.*X.real or np.abs"):
        HebbianNetwork(6, seed=0).fit(X + 1j, 10)
    with pytest.raises(TypeError, match="^X is complex"):
        PCAWhitener().fit(X * 1j)
    with pytest.raises(TypeError, match="^weights must contain real numbers"):
        rf_similarity([["a", "b"], ["c", "d"]])
    with pytest.raises(ValueError, match="^X must be a rectangular array"):
        PCAWhitener().fit([[1.0, 2.0], [3.0]])
    with pytest.raises(TypeError, match="^values is complex"):
        excess_kurtosis(X[:, 0] * 1j)
    for bad in (np.nan, np.inf):
        y = np.abs(X)
        y[3, 1] = bad
        with pytest.raises(ValueError, match="^responses contains NaN"):
            treves_rolls_sparseness(y)
        with pytest.raises(ValueError, match="^values contains NaN"):
            excess_kurtosis(y)


def test_complex_weights_are_refused_by_the_plots_and_the_rf_maps():
    from lnn_utils.rf_analysis import orientation_statistics, response_change

    W = np.random.default_rng(0).standard_normal((4, 16))
    with pytest.raises(TypeError, match="^weights is complex"):
        show_rfs(W * 1j)
    with pytest.raises(TypeError, match="^w_after is complex"):
        response_change(W[0], W[1] * 1j, np.ones((3, 16)))
    with pytest.raises(TypeError, match="^theta_deg is complex"):
        orientation_statistics(np.array([10.0, 20.0]) * 1j)
    whitener = PCAWhitener(3).fit(np.random.default_rng(1).standard_normal((50, 5)))
    with pytest.raises(TypeError, match="^filters is complex"):
        whitener.to_pixels(np.ones(3) * 1j)
