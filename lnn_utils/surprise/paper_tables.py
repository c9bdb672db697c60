"""The result tables of Liakoni, Modirshanechi, Gerstner & Brea (2021) for the Gaussian task, for comparison.

Numbers (not code) transcribed from the authors' public repository
github.com/vassiaL/pub-liakonimodirshanechi2021-NC, folder ``NonstationaryModelLearning/doc/data_final``:
``heatmaps/gaussian_heatmap_bayesfilter.csv`` (MSE of exact Bayes) and
``heatmaps_std_NONINDEPENDENT_final/gaussian_heatmap_diff_std_*.csv`` (the excess MSE of each learner over exact
Bayes, and its standard error over seeds; the file names' ``smileextended`` is VarSMiLe). These are the numbers
behind the paper's Figure 3 (heat maps) and Figure 4.

Their protocol: μ₀ = 0, σ₀ = 1; 10 seeds of 10⁵ steps for p_c >= 0.005 and of 10⁶ steps for p_c <= 0.001; the
MSE is the squared error of the estimate after each observation, averaged over all steps and seeds; ω (leaky
integrator) and m (VarSMiLe) were optimised per condition by grid search on separate runs; particle filters
("pf1", "pf10", "pf20") use 1, 10, 20 particles and m = p_c / (1 − p_c).
"""

import numpy as np

#: Observation noise σ of the rows.
PAPER_SIGMAS = np.array([5.0, 2.0, 1.0, 0.5, 0.1])
#: Change probability p_c of the columns.
PAPER_P_CHANGES = np.array([0.1, 0.05, 0.01, 0.005, 0.001, 0.0001])

#: Tables of shape (len(PAPER_SIGMAS), len(PAPER_P_CHANGES)); ``*_se`` the standard error of the excess over
#: the 10 seeds (paired with exact Bayes on the same sequences).
PAPER_TABLES = {
    # Mean squared error of exact Bayes.
    "exact": np.array([
        [0.844794, 0.759759, 0.495225, 0.370866, 0.156668, 0.0314732],  # sigma = 5
        [0.534839, 0.421961, 0.203396, 0.135893, 0.044804, 0.00718027],  # sigma = 2
        [0.269198, 0.196089, 0.0788007, 0.0500135, 0.0147098, 0.00214326],  # sigma = 1
        [0.0925906, 0.0641958, 0.0230095, 0.014057, 0.00394503, 0.000556769],  # sigma = 0.5
        [0.00334979, 0.00213818, 0.000672214, 0.000398322, 0.000103573, 1.46299e-05],  # sigma = 0.1
    ]),
    # Excess MSE of the leaky integrator (ω optimised) over exact Bayes.
    "leaky": np.array([
        [0.192432, 0.198069, 0.142979, 0.0997767, 0.0595944, 0.103534],  # sigma = 5
        [0.120189, 0.0844587, 0.0594807, 0.0549062, 0.0423861, 0.0224181],  # sigma = 2
        [0.0646176, 0.0587723, 0.0512012, 0.0450177, 0.0289034, 0.0126484],  # sigma = 1
        [0.0497885, 0.0493707, 0.038433, 0.0316274, 0.0174608, 0.0063342],  # sigma = 0.5
        [0.00625951, 0.00703319, 0.00669217, 0.00585853, 0.00348919, 0.00128947],  # sigma = 0.1
    ]),
    # Standard error of excess MSE of the leaky integrator (ω optimised) over exact Bayes.
    "leaky_se": np.array([
        [0.0022266, 0.00229379, 0.00525725, 0.00252907, 0.00108172, 0.00079153],  # sigma = 5
        [0.00113275, 0.00123874, 0.00105633, 0.00112297, 0.000809081, 0.000428306],  # sigma = 2
        [0.000507039, 0.000646513, 0.000667566, 0.000782739, 0.000461935, 0.000249016],  # sigma = 1
        [0.000215498, 0.000411576, 0.000321298, 0.000424922, 0.000212549, 0.000169465],  # sigma = 0.5
        [1.32339e-05, 1.05909e-05, 1.71695e-05, 4.38969e-05, 3.41506e-05, 3.06747e-05],  # sigma = 0.1
    ]),
    # Excess MSE of VarSMiLe (m optimised) over exact Bayes.
    "var_smile": np.array([
        [0.0017357, 0.00439577, 0.0246655, 0.0367864, 0.0479859, 0.0370761],  # sigma = 5
        [0.0122591, 0.0212668, 0.0423529, 0.0441778, 0.0379594, 0.0188024],  # sigma = 2
        [0.0114728, 0.0180217, 0.0274254, 0.0251263, 0.0176555, 0.00719013],  # sigma = 1
        [0.00479564, 0.00691142, 0.00837057, 0.00755532, 0.0046131, 0.00170405],  # sigma = 0.5
        [0.000205235, 0.00023577, 0.000198686, 0.000166147, 8.95117e-05, 3.06326e-05],  # sigma = 0.1
    ]),
    # Standard error of excess MSE of VarSMiLe (m optimised) over exact Bayes.
    "var_smile_se": np.array([
        [0.000311889, 0.000597025, 0.00232087, 0.00219291, 0.00177994, 0.00169046],  # sigma = 5
        [0.000452272, 0.000754391, 0.00133977, 0.000938455, 0.00070025, 0.000545459],  # sigma = 2
        [0.000216686, 0.000265249, 0.000402944, 0.000412247, 0.000128171, 0.000174493],  # sigma = 1
        [7.68535e-05, 7.42365e-05, 0.000126044, 0.000107686, 3.60319e-05, 6.08452e-05],  # sigma = 0.5
        [3.81075e-06, 4.54203e-06, 6.29943e-06, 4.7912e-06, 1.46184e-06, 1.19568e-06],  # sigma = 0.1
    ]),
    # Excess MSE of the particle filter with 1 particle.
    "pf1": np.array([
        [0.0840735, 0.115613, 0.182698, 0.23557, 0.303794, 0.359954],  # sigma = 5
        [0.149378, 0.176317, 0.24054, 0.270782, 0.30966, 0.335762],  # sigma = 2
        [0.128158, 0.13622, 0.146576, 0.140945, 0.13836, 0.123107],  # sigma = 1
        [0.051058, 0.0487774, 0.0358922, 0.0318051, 0.0227312, 0.0177667],  # sigma = 0.5
        [0.00121539, 0.00104802, 0.000663386, 0.000518709, 0.000318213, 0.000194761],  # sigma = 0.1
    ]),
    # Standard error of excess MSE of the particle filter with 1 particle.
    "pf1_se": np.array([
        [0.00166046, 0.00239889, 0.00575341, 0.00974989, 0.00854635, 0.0240366],  # sigma = 5
        [0.00190274, 0.00197687, 0.00546688, 0.00726261, 0.00792033, 0.0214998],  # sigma = 2
        [0.000983065, 0.00145373, 0.00221724, 0.00452205, 0.00281975, 0.00619434],  # sigma = 1
        [0.000366581, 0.000362068, 0.000451013, 0.000552986, 0.000367617, 0.00155556],  # sigma = 0.5
        [1.30598e-05, 1.10698e-05, 1.38846e-05, 2.82408e-05, 6.48036e-06, 2.76473e-05],  # sigma = 0.1
    ]),
    # Excess MSE of the particle filter with 10 particles.
    "pf10": np.array([
        [0.0126993, 0.017827, 0.0286763, 0.0351672, 0.0498001, 0.0626238],  # sigma = 5
        [0.019815, 0.0238802, 0.0338923, 0.0389816, 0.0476805, 0.0499871],  # sigma = 2
        [0.0147384, 0.0157157, 0.0191403, 0.0210708, 0.0205305, 0.0169977],  # sigma = 1
        [0.00609158, 0.00621112, 0.00564558, 0.00553159, 0.00426191, 0.00276832],  # sigma = 0.5
        [0.000178858, 0.000169959, 0.000144706, 0.000122759, 8.55569e-05, 5.17899e-05],  # sigma = 0.1
    ]),
    # Standard error of excess MSE of the particle filter with 10 particles.
    "pf10_se": np.array([
        [0.000774527, 0.00100129, 0.00177385, 0.00206079, 0.00171651, 0.00387629],  # sigma = 5
        [0.00042178, 0.00043118, 0.00160653, 0.00109134, 0.00123675, 0.00410222],  # sigma = 2
        [0.000277821, 0.000423216, 0.000382495, 0.000495584, 0.000469422, 0.000915708],  # sigma = 1
        [0.000113276, 9.21227e-05, 0.000134361, 0.000198256, 9.92268e-05, 0.000301645],  # sigma = 0.5
        [2.95894e-06, 4.03362e-06, 9.25007e-06, 6.43174e-06, 3.34967e-06, 7.60723e-06],  # sigma = 0.1
    ]),
    # Excess MSE of the particle filter with 20 particles.
    "pf20": np.array([
        [0.00596563, 0.00883481, 0.0156293, 0.0198939, 0.0249574, 0.0332346],  # sigma = 5
        [0.0101404, 0.0110482, 0.0169168, 0.0184348, 0.0244483, 0.0243788],  # sigma = 2
        [0.00726237, 0.00782166, 0.00970734, 0.0107089, 0.0101764, 0.00901241],  # sigma = 1
        [0.00317147, 0.00302667, 0.00301013, 0.00255153, 0.00234779, 0.00167536],  # sigma = 0.5
        [9.08384e-05, 8.84252e-05, 8.83342e-05, 7.34482e-05, 5.26186e-05, 2.85081e-05],  # sigma = 0.1
    ]),
    # Standard error of excess MSE of the particle filter with 20 particles.
    "pf20_se": np.array([
        [0.00037674, 0.000741059, 0.00179308, 0.00172429, 0.0010068, 0.00296487],  # sigma = 5
        [0.000373325, 0.000406919, 0.00113557, 0.000766383, 0.000644889, 0.000874992],  # sigma = 2
        [0.000226286, 0.000220628, 0.000383944, 0.000349672, 0.000188711, 0.000629097],  # sigma = 1
        [8.66241e-05, 5.43495e-05, 0.000102572, 0.000107657, 5.36181e-05, 0.000175032],  # sigma = 0.5
        [3.51294e-06, 2.9905e-06, 4.64003e-06, 3.26184e-06, 1.03292e-06, 2.14577e-06],  # sigma = 0.1
    ]),
}


def paper_table(name, sigmas=None, p_changes=None):
    """One of :data:`PAPER_TABLES`, optionally restricted to the given σ and p_c (which must be in the table).

    Parameters
    ----------
    name : str
        ``"exact"``, ``"leaky"``, ``"var_smile"``, ``"pf1"``, ``"pf10"``, ``"pf20"``, or one of these with ``"_se"``.
    sigmas, p_changes : sequence of float, optional

    Returns
    -------
    ndarray of shape (len(sigmas), len(p_changes))
    """
    if name not in PAPER_TABLES:
        raise ValueError(f"name must be one of {sorted(PAPER_TABLES)}, got {name!r}")
    table = PAPER_TABLES[name]
    rows = _positions(PAPER_SIGMAS, sigmas, "sigmas")
    cols = _positions(PAPER_P_CHANGES, p_changes, "p_changes")
    return table[np.ix_(rows, cols)]


def _positions(grid, values, name):
    if values is None:
        return np.arange(len(grid))
    idx = []
    for v in np.atleast_1d(values):
        hit = np.flatnonzero(np.isclose(grid, v, rtol=1e-9, atol=0))
        if hit.size == 0:
            raise ValueError(f"{name}: {v!r} is not in the paper's grid {grid.tolist()}")
        idx.append(int(hit[0]))
    return np.array(idx)
