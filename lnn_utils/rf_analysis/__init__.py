"""Turn learned receptive fields (RFs, e.g. 16 x 16 weight images) into numbers.

Four parts, one module each:

- :mod:`.segment`: the "main stripe" of an RF as a line segment (threshold, +/- boundary pixels, line fit by total
  least squares or the handout's ordinary least squares, extent) -- :func:`extract_segment`.
- :mod:`.gabor_fit`: a 2-D Gabor fit (Jones & Palmer 1987) with Ringach's (2002) shape numbers ``nx, ny`` --
  :func:`fit_gabor`, :func:`gabor`.
- :mod:`.shape`: what kind of RF it is -- blob or striped (:func:`uniform_similarity`), at which spatial frequency
  (:func:`spectral_peak`), and a population summary next to the course's values (:func:`rf_shape_summary`,
  :func:`target_table`).
- :mod:`.statistics`: response sparseness (Treves-Rolls), excess kurtosis, a Monte Carlo test of a trained RF
  against random RFs (:func:`kurtosis_test`), the similarity of RFs to each other (:func:`rf_similarity`,
  :func:`group_rfs`), and the spread of a population's orientations (:func:`orientation_statistics`).

Conventions (one for the whole package)
---------------------------------------
Image coordinates: an RF is an array ``rf[row, col]`` shown by ``plt.imshow(rf)`` with row 0 at the **top**. A
pixel is the point ``(x, y) = (col, row)``: x grows to the right, y grows **downwards**; pixel centres are at
integer coordinates. A flat weight vector of length p*p is the row-major ``w.reshape(p, p)``.

Orientation: the on-screen angle of a line, in degrees in [0, 180), counter-clockwise from the horizontal **as
seen on screen**. A line that goes up-right on screen has orientation 45 even though its row index decreases;
in image coordinates a direction ``(dx, dy)`` has orientation ``atan2(-dy, dx) mod 180``. The segment's
orientation is that of the boundary line between ON and OFF subregions, and the Gabor's orientation is that of its
stripes: the same thing for an RF with one ON and one OFF lobe.
"""

from .gabor_fit import GaborFit, fit_gabor, fit_gabors, gabor, gabor_table
from .segment import (
    Segment,
    boundary_mask,
    extract_segment,
    extract_segments,
    find_boundary,
    fit_line,
    orientation_of,
    segment_from_points,
    threshold_rf,
)
from .shape import (
    COURSE_TARGETS,
    RFShapeSummary,
    rf_shape_summary,
    spectral_peak,
    target_table,
    uniform_similarity,
)
from .statistics import (
    KurtosisTest,
    OrientationStatistics,
    excess_kurtosis,
    group_rfs,
    kurtosis_test,
    orientation_statistics,
    random_unit_vectors,
    response_change,
    rf_similarity,
    treves_rolls_sparseness,
)

__all__ = [
    "COURSE_TARGETS",
    "RFShapeSummary",
    "GaborFit",
    "KurtosisTest",
    "OrientationStatistics",
    "Segment",
    "boundary_mask",
    "excess_kurtosis",
    "extract_segment",
    "extract_segments",
    "find_boundary",
    "fit_gabor",
    "fit_gabors",
    "fit_line",
    "gabor",
    "gabor_table",
    "group_rfs",
    "kurtosis_test",
    "orientation_of",
    "orientation_statistics",
    "random_unit_vectors",
    "response_change",
    "rf_shape_summary",
    "rf_similarity",
    "segment_from_points",
    "spectral_peak",
    "target_table",
    "threshold_rf",
    "treves_rolls_sparseness",
    "uniform_similarity",
]
