#!/usr/bin/env python3
"""Generates the gbstats parity fixtures of the experiments engine (test/fixtures/gbstats/).

Usage: python3 scripts/gbstats-fixtures.py <path to growthbook/packages/stats> [out.json]

Every dataset is made of sufficient statistics built from simulated users (so sums of squares
and cross products are consistent), plus a few hand-made degenerate ones. Each comparison of a
variant with control is run through gbstats' own test classes (TwoSidedTTest, the one-sided
t-tests, SequentialTwoSidedTTest and its one-sided siblings, EffectBayesianABTest, with
RegressionAdjustedStatistic / RegressionAdjustedRatioStatistic for CUPED, and MidExperimentPower
for the sample size), and the JSON keeps the inputs and gbstats' outputs only.

gbstats' results module imports pandas for DataFrame conversion, which this script never calls:
when pandas is not installed a stub module stands in for it.

Multiple-comparison corrections are not part of gbstats (GrowthBook applies them to the
p-values gbstats returns): they are computed here from their textbook definitions (Holm's
step-down, Benjamini-Hochberg's step-up with monotonicity, adjusted intervals from the adjusted
p-value by the normal approximation, widened only), and Benjamini-Hochberg is checked against
scipy.stats.false_discovery_control.
"""
import json
import math
import sys
import types

if len(sys.argv) < 2:
    sys.exit("usage: gbstats-fixtures.py <growthbook/packages/stats> [out.json]")
sys.path.insert(0, sys.argv[1])
try:
    import pandas  # noqa: F401
except ImportError:
    stub = types.ModuleType("pandas")
    stub.DataFrame = object
    sys.modules["pandas"] = stub

import numpy as np  # noqa: E402
from scipy.stats import false_discovery_control, norm  # noqa: E402

from gbstats.bayesian.tests import EffectBayesianABTest, EffectBayesianConfig, GaussianPrior  # noqa: E402
from gbstats.frequentist.tests import (  # noqa: E402
    FrequentistConfig,
    OneSidedTreatmentGreaterTTest,
    OneSidedTreatmentLesserTTest,
    SequentialConfig,
    SequentialOneSidedTreatmentGreaterTTest,
    SequentialOneSidedTreatmentLesserTTest,
    SequentialTwoSidedTTest,
    TwoSidedTTest,
)
from gbstats.models.statistics import (  # noqa: E402
    ProportionStatistic,
    RatioStatistic,
    RegressionAdjustedRatioStatistic,
    RegressionAdjustedStatistic,
    SampleMeanStatistic,
)
from gbstats.models.tests import BaseConfig  # noqa: E402
from gbstats.power.midexperimentpower import MidExperimentPower, MidExperimentPowerConfig  # noqa: E402
from gbstats.utils import check_srm  # noqa: E402

rng = np.random.default_rng(20261204)
OUT = sys.argv[2] if len(sys.argv) > 2 else "test/fixtures/gbstats/parity.json"


# ---------- simulated users -> sufficient statistics ----------
def moments(x):
    return {"sum": float(np.sum(x)), "sumSquares": float(np.sum(x * x))}


def users_mean(n, kind, lift, base, cuped):
    """Per-user post (and pre) values of a binomial or mean metric."""
    propensity = rng.gamma(2.0, 0.5, n)
    if kind == "binomial":
        p = min(0.95, base * (1 + lift))
        post = (rng.random(n) < np.clip(p * propensity, 0, 1)).astype(float)
        pre = (rng.random(n) < np.clip(base * propensity, 0, 1)).astype(float)
    else:
        scale = base * (1 + lift)
        post = np.where(rng.random(n) < 0.3, rng.gamma(2.0, scale * propensity + 1e-9), 0.0)
        post = np.round(post, 2)
        pre = np.round(np.where(rng.random(n) < 0.3, rng.gamma(2.0, base * propensity + 1e-9), 0.0), 2)
    stats = {"kind": kind, "units": n, **moments(post)}
    if cuped:
        stats["pre"] = {**moments(pre), "sumProducts": float(np.sum(post * pre))}
    return stats


def users_ratio(n, lift, base, cuped):
    propensity = rng.gamma(2.0, 0.5, n)
    d = rng.poisson(2.0 * propensity).astype(float)
    m = np.round(d * rng.gamma(3.0, base * (1 + lift) / 3.0, n), 2)
    d_pre = rng.poisson(2.0 * propensity).astype(float)
    m_pre = np.round(d_pre * rng.gamma(3.0, base / 3.0, n), 2)
    stats = {
        "kind": "ratio",
        "units": n,
        "numerator": moments(m),
        "denominator": moments(d),
        "sumProducts": float(np.sum(m * d)),
    }
    if cuped:
        stats["pre"] = {
            "numerator": moments(m_pre),
            "denominator": moments(d_pre),
            "sumProducts": float(np.sum(m_pre * d_pre)),
            "cross": {
                "numeratorNumerator": float(np.sum(m * m_pre)),
                "numeratorDenominator": float(np.sum(m * d_pre)),
                "denominatorNumerator": float(np.sum(d * m_pre)),
                "denominatorDenominator": float(np.sum(d * d_pre)),
            },
        }
    return stats


def scale(stats, k):
    """The statistics of k copies of the same users: large samples without simulating them."""
    if isinstance(stats, dict):
        return {key: (value if key == "kind" else scale(value, k)) for key, value in stats.items()}
    return stats * k


# ---------- our statistics -> gbstats statistics ----------
def base_stat(kind, n, m):
    if kind == "binomial":
        return ProportionStatistic(n=n, sum=m["sum"])
    return SampleMeanStatistic(n=n, sum=m["sum"], sum_squares=m["sumSquares"])


def gb_stat(s, use_cuped):
    n = int(s["units"])
    if s["kind"] == "ratio":
        num = base_stat("mean", n, s["numerator"])
        den = base_stat("mean", n, s["denominator"])
        if use_cuped and "pre" in s:
            p = s["pre"]
            return RegressionAdjustedRatioStatistic(
                n=n,
                m_statistic_post=num,
                d_statistic_post=den,
                m_statistic_pre=base_stat("mean", n, p["numerator"]),
                d_statistic_pre=base_stat("mean", n, p["denominator"]),
                m_post_m_pre_sum_of_products=p["cross"]["numeratorNumerator"],
                d_post_d_pre_sum_of_products=p["cross"]["denominatorDenominator"],
                m_pre_d_pre_sum_of_products=p["sumProducts"],
                m_post_d_post_sum_of_products=s["sumProducts"],
                m_post_d_pre_sum_of_products=p["cross"]["numeratorDenominator"],
                m_pre_d_post_sum_of_products=p["cross"]["denominatorNumerator"],
                theta=None,
            )
        return RatioStatistic(n=n, m_statistic=num, d_statistic=den, m_d_sum_of_products=s["sumProducts"])
    post = base_stat(s["kind"], n, s)
    if use_cuped and "pre" in s:
        return RegressionAdjustedStatistic(
            n=n,
            post_statistic=post,
            pre_statistic=base_stat(s["kind"], n, s["pre"]),
            post_pre_sum_of_products=s["pre"]["sumProducts"],
            theta=None,
        )
    return post


def fin(x):
    """JSON-safe number: infinities as strings, so the fixture stays standard JSON."""
    if x is None:
        return None
    x = float(x)
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    return x


def run_test(a, b, o, relative, guardrail, inverse):
    diff = "relative" if relative else "absolute"
    if o["engine"] == "bayesian":
        prior = GaussianPrior(mean=o["prior"]["mean"], variance=o["prior"]["stddev"] ** 2, proper=o["prior"]["proper"])
        cfg = EffectBayesianConfig(difference_type=diff, alpha=o["alpha"], inverse=inverse, prior_effect=prior, prior_type="relative")
        return EffectBayesianABTest([(a, b)], cfg)
    if o["sequential"]:
        cfg = SequentialConfig(difference_type=diff, alpha=o["alpha"], sequential_tuning_parameter=o["tuning"])
        if guardrail:
            cls = SequentialOneSidedTreatmentGreaterTTest if inverse else SequentialOneSidedTreatmentLesserTTest
            return cls([(a, b)], cfg)
        return SequentialTwoSidedTTest([(a, b)], cfg)
    cfg = FrequentistConfig(difference_type=diff, alpha=o["alpha"])
    if guardrail:
        cls = OneSidedTreatmentGreaterTTest if inverse else OneSidedTreatmentLesserTTest
        return cls([(a, b)], cfg)
    return TwoSidedTTest([(a, b)], cfg)


def effect_output(test, res, o):
    out = {"error": res.errorMessage, "estimate": fin(res.expected), "interval": [fin(res.ci[0]), fin(res.ci[1])]}
    out["standardError"] = fin(res.uplift.stddev)
    if o["engine"] == "bayesian":
        out["chanceToWin"] = fin(res.chanceToWin)
        out["risk"] = [fin(res.risk[0]), fin(res.risk[1])]
    else:
        out["pValue"] = fin(res.pValue)
        out["pValueError"] = res.pValueErrorMessage
    return out


def compare(ctrl, var, o, role, inverse, n_variants):
    guardrail = role == "guardrail"
    use_cuped = o["cuped"]
    result = {}
    for relative in (True, False):
        a, b = gb_stat(ctrl, use_cuped), gb_stat(var, use_cuped)
        test = run_test(a, b, o, relative, guardrail, inverse)
        res = test.compute_result()
        key = "relative" if relative else "absolute"
        result[key] = effect_output(test, res, o)
        if use_cuped and "pre" in ctrl:
            plain = run_test(gb_stat(ctrl, False), gb_stat(var, False), o, relative, guardrail, inverse)
            # CUPED's variance reduction compares the effect's sampling variance with and without it.
            result[key]["varianceReduction"] = fin(1 - test.moments_result.standard_error**2 / plain.moments_result.standard_error**2)
        if relative and role == "goal" and o.get("mde") is not None and not res.errorMessage:
            prior = None
            if o["engine"] == "bayesian":
                prior = GaussianPrior(mean=o["prior"]["mean"], variance=o["prior"]["stddev"] ** 2, proper=o["prior"]["proper"])
            power = MidExperimentPower(
                test.moments_result,
                res,
                BaseConfig(difference_type="relative", alpha=o["alpha"]),
                MidExperimentPowerConfig(
                    target_mde=o["mde"],
                    num_goal_metrics=1,
                    num_variations=n_variants,
                    prior_effect=prior,
                    p_value_corrected=o["engine"] == "frequentist" and o["correction"] != "none",
                    sequential=o["engine"] == "frequentist" and o["sequential"],
                    sequential_tuning_parameter=o["tuning"],
                ),
            )
            current = power.power(0)
            sized = power.calculate_sample_size()
            result["power"] = {
                "currentPower": fin(current),
                "additionalUsers": fin(sized.additional_users),
                "scalingFactor": fin(sized.scaling_factor),
                "status": sized.update_message,
            }
    return result


# ---------- multiple comparisons ----------
def holm(ps):
    m = len(ps)
    order = sorted(range(m), key=lambda i: ps[i])
    adj = [0.0] * m
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(ps[i] * (m - rank), 1.0))
        adj[i] = running
    return adj


def benjamini_hochberg(ps):
    m = len(ps)
    order = sorted(range(m), key=lambda i: -ps[i])
    adj = [0.0] * m
    running = 1.0
    for rank, i in enumerate(order):
        running = min(running, min(ps[i] * m / (m - rank), 1.0))
        adj[i] = running
    check = false_discovery_control(np.array(ps), method="bh")
    assert np.allclose(check, adj, rtol=0, atol=1e-12), (check, adj)
    return adj


def adjusted_interval(p_adj, estimate, alpha, ci):
    if p_adj > 0.999999:
        return ["-Infinity", "Infinity"]
    if not estimate:
        lo, hi = 0.0, 0.0
    else:
        width = norm.ppf(1 - alpha / 2) * abs(estimate / norm.ppf(1 - p_adj / 2))
        lo, hi = estimate - width, estimate + width
    return [fin(lo), fin(hi)] if lo < ci[0] and hi > ci[1] else ci


def apply_correction(case):
    o = case["options"]
    if o["engine"] != "frequentist" or o["correction"] == "none":
        return
    for key in ("relative", "absolute"):
        family = []
        for metric in case["metrics"]:
            if metric["role"] == "guardrail":
                continue
            for variant, res in case["expected"][metric["key"]].items():
                effect = res[key]
                # A comparison gbstats could not make reports p = 1 and still counts in the family.
                p = 1.0 if effect["error"] else effect["pValue"]
                if p is not None:
                    family.append((effect, p))
        if not family:
            continue
        ps = [p for _, p in family]
        adj = holm(ps) if o["correction"] == "holm-bonferroni" else benjamini_hochberg(ps)
        for (effect, _), p_adj in zip(family, adj):
            effect["adjustedPValue"] = p_adj
            if not effect["error"]:
                effect["adjustedInterval"] = adjusted_interval(p_adj, effect["estimate"], o["alpha"], effect["interval"])


# ---------- datasets ----------
KINDS = ["binomial", "mean", "ratio"]


def make_metric_stats(kind, n, lift, base, cuped, k):
    if kind == "ratio":
        s = users_ratio(n, lift, base, cuped)
    else:
        s = users_mean(n, kind, lift, base, cuped)
    return scale(s, k) if k != 1 else s


def random_options(i):
    engine = "bayesian" if i % 3 == 2 else "frequentist"
    o = {
        "engine": engine,
        "sequential": engine == "frequentist" and i % 2 == 1,
        "tuning": float(rng.choice([5000, 5000, 1000, 20000])),
        "alpha": float(rng.choice([0.05, 0.05, 0.1, 0.01])),
        "cuped": bool(rng.random() < 0.5),
        "correction": str(rng.choice(["none", "holm-bonferroni", "benjamini-hochberg"])),
        "prior": {"mean": float(rng.choice([0, 0, 0.02])), "stddev": float(rng.choice([0.1, 0.3])), "proper": bool(rng.random() < 0.5)},
        "mde": float(rng.choice([0.01, 0.05, 0.1])) if rng.random() < 0.7 else None,
    }
    return o


def random_case(i):
    o = random_options(i)
    n_variants = int(rng.choice([2, 2, 3, 4]))
    n_metrics = int(rng.integers(1, 4))
    metrics = []
    for j in range(n_metrics):
        kind = KINDS[(i + j) % 3] if j > 0 else str(rng.choice(KINDS))
        role = "goal" if j == 0 else str(rng.choice(["secondary", "guardrail"]))
        metrics.append({"key": f"m{j}", "kind": kind, "role": role, "direction": "decrease" if rng.random() < 0.25 else "increase"})
    n_base = int(rng.choice([50, 200, 1000, 5000, 20000]))
    k = int(rng.choice([1, 1, 1, 10, 200]))
    variants = []
    for v in range(n_variants):
        n = int(n_base * rng.uniform(0.9, 1.1))
        lift = 0 if v == 0 else float(rng.choice([0, 0.02, 0.05, 0.15, -0.05]))
        stats = {}
        for m in metrics:
            base = {"binomial": float(rng.choice([0.05, 0.2, 0.5])), "mean": 10.0, "ratio": 25.0}[m["kind"]]
            stats[m["key"]] = make_metric_stats(m["kind"], n, lift, base, o["cuped"] and m["kind"] != "binomial", k)
        variants.append({"variant": "control" if v == 0 else f"v{v}", "units": n * k, "metrics": stats})
    return {"options": o, "metrics": metrics, "variants": variants}


def degenerate_cases():
    """Zero variance, zero baseline, one user, no users: gbstats' error paths."""
    out = []
    base = {"engine": "frequentist", "sequential": False, "tuning": 5000.0, "alpha": 0.05, "cuped": False,
            "correction": "none", "prior": {"mean": 0.0, "stddev": 0.3, "proper": False}, "mde": 0.05}
    specs = [
        ({"kind": "mean", "units": 100, "sum": 0.0, "sumSquares": 0.0}, {"kind": "mean", "units": 100, "sum": 5.0, "sumSquares": 9.0}),
        ({"kind": "binomial", "units": 100, "sum": 100.0, "sumSquares": 100.0}, {"kind": "binomial", "units": 100, "sum": 90.0, "sumSquares": 90.0}),
        ({"kind": "mean", "units": 1, "sum": 3.0, "sumSquares": 9.0}, {"kind": "mean", "units": 50, "sum": 40.0, "sumSquares": 90.0}),
        ({"kind": "mean", "units": 50, "sum": 5.0, "sumSquares": 5.0}, {"kind": "mean", "units": 50, "sum": 5.0, "sumSquares": 5.0}),
        ({"kind": "mean", "units": 80, "sum": -40.0, "sumSquares": 300.0}, {"kind": "mean", "units": 70, "sum": 12.0, "sumSquares": 250.0}),
        ({"kind": "binomial", "units": 500, "sum": 0.0, "sumSquares": 0.0}, {"kind": "binomial", "units": 500, "sum": 7.0, "sumSquares": 7.0}),
        ({"kind": "mean", "units": 0, "sum": 0.0, "sumSquares": 0.0}, {"kind": "mean", "units": 60, "sum": 30.0, "sumSquares": 40.0}),
        (
            {"kind": "ratio", "units": 40, "numerator": {"sum": 0.0, "sumSquares": 0.0}, "denominator": {"sum": 0.0, "sumSquares": 0.0}, "sumProducts": 0.0},
            {"kind": "ratio", "units": 40, "numerator": {"sum": 20.0, "sumSquares": 30.0}, "denominator": {"sum": 10.0, "sumSquares": 12.0}, "sumProducts": 15.0},
        ),
    ]
    for engine in ("frequentist", "bayesian"):
        for a, b in specs:
            o = dict(base, engine=engine)
            out.append({
                "options": o,
                "metrics": [{"key": "m0", "kind": a["kind"], "role": "goal", "direction": "increase"}],
                "variants": [
                    {"variant": "control", "units": a["units"], "metrics": {"m0": a}},
                    {"variant": "v1", "units": b["units"], "metrics": {"m0": b}},
                ],
            })
    return out


def evaluate(case):
    o = case["options"]
    control = case["variants"][0]
    case["expected"] = {}
    weights = [1.0] * len(case["variants"])
    case["weights"] = weights
    case["srmPValue"] = float(check_srm([v["units"] for v in case["variants"]], weights))
    for m in case["metrics"]:
        per_variant = {}
        for var in case["variants"][1:]:
            per_variant[var["variant"]] = compare(
                control["metrics"][m["key"]], var["metrics"][m["key"]], o, m["role"], m["direction"] == "decrease", len(case["variants"])
            )
        case["expected"][m["key"]] = per_variant
    apply_correction(case)
    return case


def main():
    cases = [random_case(i) for i in range(300)] + degenerate_cases()
    cases = [evaluate(c) for c in cases]
    with open(OUT, "w") as fh:
        json.dump({"generator": "scripts/gbstats-fixtures.py", "cases": cases}, fh, separators=(",", ":"))
    print(f"{len(cases)} cases -> {OUT}")


main()
