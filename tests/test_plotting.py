"""Plot helpers draw what they are given and never touch pyplot's global figure list behind the caller's back."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from lnn_utils.plotting import show_rfs, tile, use_style  # noqa: E402


def test_tile_places_each_image_once():
    images = np.arange(5 * 2 * 3, dtype=float).reshape(5, 2, 3)
    mosaic = tile(images, n_cols=3, pad=1)
    assert mosaic.shape == (2 * 3 - 1, 3 * 4 - 1)
    np.testing.assert_array_equal(mosaic[0:2, 4:7], images[1])
    np.testing.assert_array_equal(mosaic[3:5, 4:7], images[4])
    assert np.isnan(mosaic[3:5, 8:11]).all()  # empty sixth slot
    assert np.isnan(mosaic[2]).all()  # padding row


def test_show_rfs_uses_a_shared_symmetric_scale():
    use_style()
    W = np.zeros((4, 16))
    W[0, 0], W[3, 5] = 2.0, -0.5
    fig = show_rfs(W)
    image = fig.axes[0].images[0]
    assert image.get_clim() == (-2.0, 2.0)
    shown = image.get_array()
    assert shown.shape == (9, 9) and np.nanmax(shown) == 2.0 and np.nanmin(shown) == -0.5
    plt.close(fig)


def test_show_rfs_on_given_axes_and_each_normalisation():
    fig, ax = plt.subplots()
    W = np.random.default_rng(0).standard_normal((6, 4, 4))
    out = show_rfs(W, ax=ax, normalize="each", colorbar=False)
    assert out is fig
    assert np.nanmax(np.abs(ax.images[0].get_array())) == pytest.approx(1.0)
    plt.close(fig)


def test_show_rfs_errors():
    with pytest.raises(ValueError, match="shape"):
        show_rfs(np.zeros((3, 10)))
    with pytest.raises(ValueError, match="normalize"):
        show_rfs(np.zeros((3, 16)), normalize="bad")
