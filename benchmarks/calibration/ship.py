"""Copy the calibration suite's measured figures into the code that quotes them.

``simulations.plan.conformal.PILOT_WIDENING`` (the widenings the plan ships) and the pilot fields of
``simulations.trust.MEASURED`` (the coverage the pages quote) are read from ``benchmarks/results/calibration.json``;
``tests/test_trust.py`` and ``tests/test_plan_conformal.py`` fail until they match it. After a full run of the suite:

    .venv/bin/python benchmarks/calibration/ship.py [--check]

rewrites both blocks (``--check``: only says whether they match, exit 1 if not).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "benchmarks" / "results" / "calibration.json"
TRUST = ROOT / "simulations" / "trust.py"
CONFORMAL = ROOT / "simulations" / "plan" / "conformal.py"


def measured_fields(d: dict[str, Any]) -> dict[str, Any]:
    """The pilot fields of ``MeasuredTrust`` from the suite's JSON (the mapping ``tests/test_trust.py`` checks)."""
    s = d["summary"]
    lt, r = s["labels_to_target"], s["conformal"]["results"]
    lo, sh, before = r["leave_one_out"], r["split_half"], r["before"]
    return {
        "pilot_coverage95": lt["coverage95"], "pilot_coverage80": lt["coverage80"],
        "pilot_coverage95_before": lt["before_coverage95"], "pilot_coverage80_before": lt["before_coverage80"],
        "pilot_coverage95_can_project": s["can_project"]["true"]["labels_coverage95"],
        "pilot_can_project_share": s["can_project"]["share_true"],
        "pilot_median_rel_error": lt["median_rel_error"],
        "pilot_coverage95_held_out": lo["95"]["labels"]["coverage"],
        "pilot_coverage80_held_out": lo["80"]["labels"]["coverage"],
        "pilot_coverage95_split_half": sh["95"]["labels"]["coverage"],
        "pilot_coverage80_split_half": sh["80"]["labels"]["coverage"],
        "pilot_open_share95": lo["95"]["labels"]["open_share"],
        "pilot_label_width95": lo["95"]["labels"]["median_width"],
        "pilot_saved_coverage95": s["coverage"]["labels_saved"]["all"]["coverage95"],
        "pilot_saved_coverage80": s["coverage"]["labels_saved"]["all"]["coverage80"],
        "pilot_saved_coverage95_held_out": lo["95"]["labels_saved"]["coverage"],
        "pilot_saved_coverage80_held_out": lo["80"]["labels_saved"]["coverage"],
        "pilot_roi_coverage95_held_out": lo["95"]["roi"]["coverage"],
        "pilot_roi_coverage80_held_out": lo["80"]["roi"]["coverage"],
        "pilot_roi_decided_share95": lo["95"]["roi"]["decided_share"],
        "pilot_roi_decided_before": round(before["95"]["roi"]["decided_share"] * before["95"]["roi"]["n"]),
        "pilot_roi_wrong_before": before["95"]["roi"]["wrong_decisions"],
        "pilot_cost_optimum_coverage95_held_out": lo["95"]["cost_optimum"]["coverage"],
        "pilot_net_savings_coverage95": s["coverage"]["net_savings"]["all"]["coverage95"],
        "pilot_no_signal_pilots": s["no_signal_check"]["n_pilots"],
        "pilot_no_signal_full_data_signal": s["no_signal_check"]["n_full_data_signal"],
        "pilot_datasets": s["n_datasets"], "pilot_comparisons": lt["n95"],
        "roi_width_exponent": s["roi_width_before"]["exponent"],
        "roi_width_prediction_ratio": s["more_pilot_check"]["median_ratio"],
    }


def widening_fields(d: dict[str, Any]) -> dict[str, Any]:
    """``PILOT_WIDENING``'s fields from the suite's JSON."""
    cf = d["summary"]["conformal"]
    fit = cf["fit_all"]
    ratios = [r["pool"] / p["simulated_pool"] for r in d["rows"] for p in r.get("pilots", []) if "simulated_pool" in p]
    return {"labels80": fit["80"]["labels"], "labels95": fit["95"]["labels"],
            "cost_optimum95": fit["95"]["cost_optimum"], "roi80": fit["80"]["roi"], "roi95": fit["95"]["roi"],
            "saved80": fit["80"]["labels_saved"], "saved95": fit["95"]["labels_saved"],
            "comparisons": cf["n_label_scores"]["95"], "datasets": cf["n_datasets"],
            "source": "benchmarks/results/calibration.md", "measured": d.get("date", "")[:10] or None,
            "smallest_projection": min(ratios), "largest_projection": max(ratios), "scale": cf["scale"]}


def _replace_fields(text: str, start: str, fields: dict[str, Any]) -> str:
    """``text`` with every ``name=value,`` of the call opened by ``start`` set to ``fields[name]``."""
    i = text.index(start)
    j = text.index("\n)", i)
    block = text[i:j]
    for name, value in fields.items():
        if value is None:
            continue
        pat = re.compile(rf"(\b{name}=)([^,\n]+)(,)")
        if not pat.search(block):
            raise SystemExit(f"error: {name} not found in the block opened by {start!r}")
        text_of = json.dumps(value) if isinstance(value, str) else repr(value)  # strings in double quotes
        block = pat.sub(lambda m, v=text_of: f"{m.group(1)}{v}{m.group(3)}", block, count=1)
    return text[:i] + block + text[j:]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true", help="only check that the code matches the JSON")
    args = ap.parse_args(argv)
    d = json.loads(RESULTS.read_text())
    if d.get("smoke"):
        sys.exit("error: calibration.json is a smoke run; run the whole suite first")
    changed = []
    for path, start, fields in ((TRUST, "MEASURED = MeasuredTrust(", measured_fields(d)),
                                (CONFORMAL, "PILOT_WIDENING = PilotWidening(", widening_fields(d))):
        old = path.read_text()
        new = _replace_fields(old, start, fields)
        if new != old:
            changed.append(str(path.relative_to(ROOT)))
            if not args.check:
                path.write_text(new)
    if args.check:
        print("matches" if not changed else "differs: " + ", ".join(changed))
        return 1 if changed else 0
    print("updated: " + ", ".join(changed) if changed else "already up to date")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
