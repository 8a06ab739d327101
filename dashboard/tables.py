"""Tables the pages and the report show, built from the analysis dict (pure functions, no Streamlit)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from dashboard import fmt
from dashboard.charts import strategy_label
from simulations.economics import NO_SIGNAL_VERDICT  # the engine's wording, not the page's

TORNADO_NAMES = {
    "cost_per_label": "Cost per label", "setup_cost": "Setup cost", "value_per_point": "Value per accuracy point",
    "predictions": "Predictions over the model's life", "cost_per_error": "Cost per wrong prediction",
    "round_overhead": "Overhead per AL round", "rounds": "AL rounds", "batch_size": "Labels per round",
    "production_pool": "Production pool size", "labels_random": "Labels random needs",
    "labels_al": "Labels active learning needs", "accuracy_gain": "Accuracy gain (points)",
}
_MONEY_INPUTS = {"cost_per_label", "setup_cost", "value_per_point", "cost_per_error", "round_overhead"}


def curves_frame(a: dict[str, Any]) -> pd.DataFrame:
    return pd.DataFrame(a.get("curves") or [], columns=["strategy", "labels", "mean", "low", "high", "n_seeds"])


def labels_to_target_frame(a: dict[str, Any]) -> pd.DataFrame:
    rows = []
    for name, s in (a.get("summary") or {}).get("strategies", {}).items():
        lt = s.get("labels_to_target") or {}
        if lt.get("median") is None:
            continue
        rows.append({"strategy": name, "median": lt["median"], "low": lt.get("low", lt["median"]),
                     "high": lt.get("high", lt["median"]), "censored": bool(lt.get("censored"))})
    return pd.DataFrame(rows, columns=["strategy", "median", "low", "high", "censored"])


def leaderboard(a: dict[str, Any]) -> pd.DataFrame:
    """One row per strategy, best savings first, random last: what a reader compares."""
    rows = []
    for name, s in (a.get("summary") or {}).get("strategies", {}).items():
        sv = s.get("savings_vs_random")
        lt = s.get("labels_to_target") or {}
        fin = s.get("final") or {}
        p = s.get("p_worse_than_random")
        pv = s.get("p_value")
        rows.append({
            "Strategy": strategy_label(name),
            "Labels to target": fmt.range_text(
                {**lt, "bound": "lower" if lt.get("censored") else lt.get("bound")}, "count"),
            "Labels saved vs random": fmt.range_text(sv, "pct") if sv else ("baseline" if name == "random"
                                                                             else "n/a"),
            "Final score": fmt.range_text(fin, "pct") if fin else "n/a",
            "Verdict": s.get("verdict", ""),
            # the share of seeds where it did worse (not a probability), and the sign test's p-value behind the verdict
            "Seeds worse": fmt.pct(p) if p is not None else "",
            "p-value": f"{pv:.3f}" if fmt.is_finite(pv) else "",
            "_sort": -1e9 if name == "random" else (sv["median"] if fmt.is_finite((sv or {}).get("median")) else -1e6),
        })
    df = pd.DataFrame(rows)
    if df.empty:
        return df
    return df.sort_values("_sort", ascending=False).drop(columns="_sort").reset_index(drop=True)


def cost_breakdown(b: dict[str, Any]) -> pd.DataFrame:
    """Option x cost item, from the business case (medians): whole pool, random to target, AL to target."""
    def med(k: str) -> float:
        v = (b.get(k) or {}).get("median")
        return float(v) if fmt.is_finite(v) else 0.0  # an undefined cost is drawn as none, never as NaN

    strategy = strategy_label(b.get("strategy") or "active learning")
    setup = float(b["setup_cost"]) if fmt.is_finite(b.get("setup_cost")) else 0.0
    rows = [
        ("Label the whole production pool", "Labels", med("whole_pool_label_cost")),
        ("Random sampling to the target", "Labels", med("random_label_cost")),
        (f"Active learning ({strategy}) to the target", "Labels", med("al_label_cost")),
        (f"Active learning ({strategy}) to the target", "Setup", setup),
        (f"Active learning ({strategy}) to the target", "Round overhead", med("al_overhead_cost")),
    ]
    df = pd.DataFrame(rows, columns=["option", "component", "cost"])
    return df[(df["cost"] != 0) | (df["component"] == "Labels")].reset_index(drop=True)


def tornado_frame(records: list[dict[str, Any]]) -> pd.DataFrame:
    """The engine's tornado table, named for people, for :func:`dashboard.charts.tornado_chart`."""
    df = pd.DataFrame(records)
    if df.empty:
        return pd.DataFrame(columns=["parameter", "low_label", "high_label", "low", "high", "base"])

    def show(name: str, v: Any) -> str:
        if name in _MONEY_INPUTS:
            return fmt.money(v)
        if name == "accuracy_gain":
            if not fmt.is_finite(v):
                return "n/a"
            return f"{0.0 if round(v, 2) == 0 else v:+.2f} points"  # no "-0.00 points"
        return fmt.count(v)

    # An undefined ROI (None, NaN or inf: e.g. active learning costs nothing) has no bar to draw.
    for c in ("roi_low", "roi_high", "base_roi"):
        df[c] = pd.to_numeric(df[c], errors="coerce").replace([np.inf, -np.inf], np.nan)
    df = df.dropna(subset=["roi_low", "roi_high", "base_roi"])
    return pd.DataFrame({
        "parameter": [TORNADO_NAMES.get(n, n) for n in df["input"]],
        "low_label": [show(n, v) for n, v in zip(df["input"], df["low_value"], strict=True)],
        "high_label": [show(n, v) for n, v in zip(df["input"], df["high_value"], strict=True)],
        "low": df["roi_low"].astype(float), "high": df["roi_high"].astype(float),
        "base": df["base_roi"].astype(float),
    })


def projection_frames(a: dict[str, Any]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(observed mean curves, projected curves) for the strategies in the projection."""
    proj = a.get("projection") or {}
    projected = pd.DataFrame(proj.get("curves") or [], columns=["strategy", "labels", "predicted", "low", "high"])
    curves = curves_frame(a)
    observed = curves[curves["strategy"].isin(set(projected["strategy"]))][["strategy", "labels", "mean"]]
    return observed, projected


HEADLINES = (
    # key, title, kind, help
    ("roi", "ROI vs random", "pct",
     "Total benefit divided by what active learning costs (its labels, setup and overheads)."),
    ("total_benefit", "Net savings", "money",
     "Labeling money saved against random sampling, minus setup and overheads, plus the value of any accuracy "
     "gained."),
    ("labels_saved", "Labels saved", "count", "Labels random sampling needs minus labels active learning needs."),
    ("break_even_share", "Break-even", "share",
     "Share of random's labels active learning must save just to pay for its setup and overheads. 'Never': it "
     "would have to save more labels than random needs at all, so label savings alone cannot pay it back."),
)


#: Headlines that are not savings: a lower bound at or below zero reads "no gain shown" there.
NO_GAIN_TEXT = {"roi": "no gain shown", "whole_pool_roi": "no gain shown"}


def headline_text(b: dict[str, Any], key: str, kind: str) -> tuple[str, str]:
    """(value, "low to high") of one business-case number, worded for a table row."""
    head, rng = fmt.value_range(b.get(key), kind, no_gain=NO_GAIN_TEXT.get(key, fmt.NO_SAVING))
    return head, rng.replace("95% range ", "")


def undefined_notes(b: dict[str, Any]) -> list[str]:
    """One sentence per headline the inputs leave undefined (shown as n/a), saying why."""
    def undefined(k: str) -> bool:
        return not fmt.is_finite((b.get(k) or {}).get("median"))

    out = []
    if b and undefined("roi"):
        out.append("ROI is undefined: with these inputs active learning costs nothing (no label cost, setup cost "
                   "or round overhead), so there is no spending to divide its benefit by.")
    if b and undefined("break_even_share"):
        out.append("Break-even is undefined: a label costs $0 here, so saving labels saves no money.")
    return out


def no_signal_text(b: dict[str, Any] | None) -> str:
    """The engine's no-signal warning for a business case dict ("" when the model learns something).

    The verdict (the case's ``no_signal_verdict``: ``simulations.economics.NO_SIGNAL_VERDICT``, or "undecided" for a
    pilot's projection) in bold, then the simulation summary's sentence with
    the two scores: both come from the engine, the page only places them above the numbers.
    """
    if not b or not b.get("no_signal"):
        return ""
    verdict = b.get("no_signal_verdict") or NO_SIGNAL_VERDICT  # a pilot's projection: the engine's "undecided"
    return f"**{verdict}**" + (f"\n\n{b['no_signal_sentence']}" if b.get("no_signal_sentence") else "")


def assumptions(a: dict[str, Any]) -> list[str]:
    """Everything the numbers rest on, as sentences."""
    out = list(a.get("assumptions") or [])
    t = a.get("target") or {}
    d = a.get("dataset") or {}
    cfg = a.get("config") or {}
    out.insert(0, f"target: {t.get('description', '')} (= {fmt.pct(t.get('value_median'), 1)} on the test split)")
    out.insert(1, f"data: {d.get('name', '')}, {fmt.count(d.get('n_rows'))} labeled rows; "
                  f"{fmt.count(d.get('n_pool'))} in the simulated pool, {fmt.count(d.get('n_test'))} held out")
    sched = (f"batches of {cfg.get('batch_size')}" if cfg.get("batch_size")
             else f"geometric batches (+{fmt.pct(cfg.get('growth'))} of the labeled set per round)")
    out.insert(2, f"simulation: model {cfg.get('model')}, {cfg.get('seeds')} seeds, "
                  f"{cfg.get('initial_labels')} initial labels, {sched}, up to {fmt.count(d.get('budget'))} labels, "
                  f"strategies {', '.join(cfg.get('strategies', []))}")
    out.insert(3, f"metric: {a.get('metric_reason', '')}")
    if a.get("class_weight_reason"):
        out.insert(4, f"model: {a['class_weight_reason']}")
    return out


def safe_csv(df: pd.DataFrame) -> bytes:
    """CSV with spreadsheet formulas neutralized: text cells starting with = + - @ (or tab/CR) get a leading '."""
    def cell(v: Any) -> Any:
        if isinstance(v, str) and v[:1] in ("=", "+", "-", "@", "\t", "\r"):
            return "'" + v
        return v

    out = df.copy()
    out.columns = [cell(str(c)) for c in out.columns]
    for c in out.columns:
        if out[c].dtype == object or pd.api.types.is_string_dtype(out[c]):
            out[c] = out[c].map(cell)
    # CRLF rows (RFC 4180): the csv writer then quotes any cell holding a bare CR, which a spreadsheet would
    # otherwise read as a row break starting a new, unneutralized cell ("x\r=1+1").
    return out.to_csv(index=False, lineterminator="\r\n").encode("utf-8")


#: The plan's tiles: (title, where in the plan's JSON, kind). Every surface that shows a plan shows these.
PLAN_TILES = (
    ("Labels to target", ("labels_to_target", "al"), "count"),
    ("Labels saved", ("labels_saved",), "count"),
    ("Stop at", ("stop", "labels"), "count"),
    ("Net savings", ("money", "net_savings"), "money"),
    ("ROI vs random", ("money", "roi"), "pct"),
)


def pilot_text(plan: dict[str, Any]) -> tuple[str, str]:
    """What a pilot can say about the production pool, from the plan's JSON: (warning, caption).

    The warning is the plan's own sentence (``PilotAnswer.sentence``: the reason and the more pilot labels; "" when the
    pilot can project and the ROI is decided); the caption is the measured coverage of projected intervals (""
    when the plan is not a projection from a smaller pool)."""
    pilot = plan.get("pilot")
    if not pilot:
        return "", ""
    # the engine's sentence (a plan saved before it carried one: its reason)
    warning = pilot["sentence"] if "sentence" in pilot else (pilot.get("reason") or "")
    return warning.strip(), ((plan.get("trust") or {}).get("pilot") or "")


def plan_tile_values(plan: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """Each plan tile's (value, caption): the same text on the Plan, Business, Stopping and Review pages and in the
    report, so a reader (or a browser test) finds one answer everywhere."""
    out = {}
    for title, path, kind in PLAN_TILES:
        r: Any = plan
        for key in path:
            r = (r or {}).get(key)
        head, rng = fmt.metric_parts(r, kind)
        level = plan.get("interval_level")
        if level and rng:  # the plan's intervals may be wider than 95%: corrected for picking the best strategy
            rng = rng.replace("95% range", f"{100 * level:.1f}% range".replace(".0%", "%"))
        if (r or {}).get("extrapolated"):
            rng = "extrapolated" + (f"; {rng}" if rng else "")
        out[title] = (head, rng)
    return out
