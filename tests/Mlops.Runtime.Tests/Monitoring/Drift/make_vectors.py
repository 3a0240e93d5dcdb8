"""Writes drift-vectors.json: SciPy's and NumPy's values of the drift statistics on fixed cases.

Run with Debian's python3-scipy and python3-numpy (the versions are written into the file):
    /usr/bin/python3 tests/Mlops.Runtime.Tests/Monitoring/Drift/make_vectors.py
The C# tests (DriftVectorTests) read the committed JSON; they never run Python.
"""
import json, os, sys
import numpy as np
import scipy
from scipy import stats
from scipy.spatial.distance import jensenshannon

rng = np.random.default_rng(20261202)


def psi(r, c):
    # The peer's definition (shared/peers/drift_bench.py): deciles of the reference, side="left", floor 1e-4.
    edges = np.quantile(r, np.arange(1, 10) / 10)
    rp = np.maximum(np.bincount(np.searchsorted(edges, r, side="left"), minlength=10) / len(r), 1e-4)
    cp = np.maximum(np.bincount(np.searchsorted(edges, c, side="left"), minlength=10) / len(c), 1e-4)
    return float(np.sum((cp - rp) * np.log(cp / rp)))


def number_case(name, r, c):
    r = np.asarray(r, float); c = np.asarray(c, float)
    ks = stats.ks_2samp(r, c, method="asymp")
    std = float(np.std(r))
    w = float(stats.wasserstein_distance(r, c))
    return {
        "name": name, "reference": r.tolist(), "current": c.tolist(),
        "ksStatistic": float(ks.statistic), "ksPValue": float(ks.pvalue),
        "wasserstein": w, "std": std, "normedWasserstein": w / std if std > 0 else None,
        "psi": psi(r, c),
        "deciles": np.quantile(r, np.arange(1, 10) / 10).tolist(),
    }


def category_case(name, r, c):
    # r, c: value -> count. Chi-square over the reference's categories, as the peer computes it.
    cats = sorted(r)
    total = sum(r.values())
    obs = np.array([c.get(k, 0) for k in cats], float)
    case = {"name": name, "reference": r, "current": c}
    if obs.sum() > 0 and len(cats) > 1:
        expected = np.array([r[k] / total for k in cats]) * obs.sum()
        chi = stats.chisquare(obs, expected)
        case["chiStatistic"] = float(chi.statistic); case["chiPValue"] = float(chi.pvalue)
    union = sorted(set(r) | set(c))
    p = np.array([r.get(k, 0) for k in union], float); q = np.array([c.get(k, 0) for k in union], float)
    case["jensenShannon"] = float(jensenshannon(p, q, base=2))
    present = sum(c.values())
    case["unseenShare"] = sum(v for k, v in c.items() if k not in r) / present if present else 0.0
    return case


def counts(values):
    u, n = np.unique(values, return_counts=True)
    return {str(k): int(v) for k, v in zip(u, n)}


numbers = [
    number_case("same distribution, 50 vs 60", rng.normal(0, 1, 50), rng.normal(0, 1, 60)),
    number_case("small shift, 31 vs 35", rng.normal(0, 1, 31), rng.normal(0.4, 1, 35)),
    number_case("shifted, 200 vs 150", rng.normal(10, 2, 200), rng.normal(11, 2, 150)),
    number_case("ties (rounded to integers), 1000 vs 800", np.round(rng.normal(5, 2, 1000)), np.round(rng.normal(5.2, 2, 800))),
    number_case("heavy ties (three values), 400 vs 500", rng.choice([1.0, 2.0, 3.0], 400), rng.choice([1.0, 2.0, 3.0], 500, p=[0.3, 0.3, 0.4])),
    number_case("wider, 3000 vs 2500", rng.normal(100, 20, 3000).round(3), rng.normal(100, 23, 2500).round(3)),
    number_case("slight shift, 6000 vs 9000 (large n, moderate p)", rng.normal(0, 1, 6000).round(4), rng.normal(0.03, 1, 9000).round(4)),
    number_case("same, 20000 vs 30000", rng.normal(50, 5, 20000).round(2), rng.normal(50, 5, 30000).round(2)),
    number_case("far apart, 100 vs 100", rng.normal(0, 1, 100), rng.normal(5, 1, 100)),
    number_case("identical samples", np.arange(40.0), np.arange(40.0)),
    number_case("constant reference, current varies", np.full(100, 7.0), np.concatenate([np.full(90, 7.0), np.full(10, 8.0)])),
    number_case("skewed, 700 vs 1200", rng.exponential(3, 700), rng.exponential(3.3, 1200)),
]

categories = [
    category_case("same proportions", counts(rng.choice(list("abcd"), 500, p=[.4, .3, .2, .1])), counts(rng.choice(list("abcd"), 700, p=[.4, .3, .2, .1]))),
    category_case("skewed", counts(rng.choice(list("abc"), 1000, p=[.5, .3, .2])), counts(rng.choice(list("abc"), 1000, p=[.3, .3, .4]))),
    category_case("unseen values", {"Month-to-month": 3875, "One year": 1473, "Two year": 1695}, {"Month-to-month": 900, "One year": 200, "Two year": 150, "Weekly": 60, "Daily": 5}),
    category_case("a reference category absent now", {"x": 50, "y": 30, "z": 20}, {"x": 70, "y": 30}),
    category_case("small counts", {"a": 12, "b": 20}, {"a": 20, "b": 15}),
    category_case("many categories", counts(rng.integers(0, 40, 5000)), counts(rng.integers(0, 42, 4000))),
    category_case("one reference category", {"only": 100}, {"only": 80, "new": 20}),
    category_case("only unseen values", {"a": 40, "b": 60}, {"c": 50}),
]

kolmogorov = []
for n in [1, 2, 3, 5, 10, 27, 50, 100, 140, 141, 200, 500, 1000, 5000, 20000, 90909, 100000, 100001, 250000]:
    for x in [0.001, 0.003, 0.01, 0.02, 0.03, 0.05, 0.08, 0.1, 0.15, 0.2, 0.3, 0.45, 0.5, 0.6, 0.8, 0.95]:
        kolmogorov.append({"n": n, "x": x, "sf": float(stats.kstwo.sf(x, n))})
    # Points where n x^2 crosses the regions' bounds (0.754693, 2.2, 4, 18, 370) and n x^1.5 = 1.4.
    for target in [0.5, 0.75, 0.76, 1.0, 2.0, 2.3, 3.9, 4.1, 10.0, 17.0, 19.0, 100.0, 369.0]:
        x = float(np.sqrt(target / n))
        if x < 1:
            kolmogorov.append({"n": n, "x": x, "sf": float(stats.kstwo.sf(x, n))})
    x = float((1.4 / n) ** (2 / 3)) * 0.99
    if x < 1:
        kolmogorov.append({"n": n, "x": x, "sf": float(stats.kstwo.sf(x, n))})

chisquare = []
for df in [1, 2, 3, 4, 7, 10, 39, 100, 1000]:
    for x in [0.0, 0.01, 0.5, 1.0, 2.5, df * 0.5, float(df), df + 1.0, df * 1.5, df * 3.0, df + 30.0, 80.0, 400.0]:
        chisquare.append({"x": x, "df": df, "sf": float(stats.chi2.sf(x, df))})

out = {
    "generatedBy": "tests/Mlops.Runtime.Tests/Monitoring/Drift/make_vectors.py",
    "scipy": scipy.__version__, "numpy": np.__version__,
    "numbers": numbers, "categories": categories, "kolmogorov": kolmogorov, "chiSquare": chisquare,
}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "drift-vectors.json")
with open(path, "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
print(f"wrote {path}: {len(numbers)} number cases, {len(categories)} category cases, {len(kolmogorov)} KS points, {len(chisquare)} chi-square points")
