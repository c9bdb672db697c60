"""The shared confidence intervals agree with scipy's own t tests."""

import numpy as np
import pytest
from scipy import stats

from lnn_utils.statistics import mean_ci, paired_difference, unpaired_difference


def test_paired_difference_is_scipys_paired_t_interval():
    rng = np.random.default_rng(0)
    a = rng.normal(0.9, 0.02, size=7)
    b = a - 0.01 + rng.normal(0, 0.005, size=7)
    d = paired_difference(a, b)
    low, high = stats.ttest_rel(a, b).confidence_interval(0.95)
    assert (d["low"], d["high"]) == pytest.approx((low, high), rel=1e-10)
    assert d["excludes_zero"] == (low > 0 or high < 0)


def test_unpaired_difference_is_welchs_interval():
    rng = np.random.default_rng(1)
    a, b = rng.normal(3.0, 1.0, size=12), rng.normal(2.0, 3.0, size=30)
    d = unpaired_difference(a, b, confidence=0.9)
    low, high = stats.ttest_ind(a, b, equal_var=False).confidence_interval(0.9)
    assert (d["low"], d["high"]) == pytest.approx((low, high), rel=1e-10)


def test_mean_ci_covers_the_true_mean_at_its_nominal_rate():
    rng = np.random.default_rng(2)
    covered = [abs(m) <= h for m, h in (mean_ci(rng.normal(size=5)) for _ in range(2000))]
    assert np.mean(covered) == pytest.approx(0.95, abs=0.015)


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="at least 2"):
        mean_ci([1.0])
    with pytest.raises(ValueError, match="one score per seed"):
        paired_difference([1.0, 2.0], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="confidence"):
        unpaired_difference([1.0, 2.0], [1.0, 2.0], confidence=1.0)
