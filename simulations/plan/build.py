"""The plan: one answer per scenario, computed once from the per-seed results, read by every surface.

A product manager asks *how many labels, how much money* and *when do we stop*. :func:`build_plan` answers both
from one simulation, for the user's production pool, target and costs:

1. **The target at the production pool.** An absolute score stays as given. A share of the full-data score is a
   share of the *production pool's* score: when that pool is larger than the simulated one, its score is projected
   (``simulations.curves.pool_fits``) and every seed's target moves up by the projected rise.
2. **Labels to target per seed**, for every strategy, against that target (``simulations.summary.per_seed``). The
   strategy costed is the engine's one ranking rule (``choose_strategy``) unless the user names one. A seed whose
   simulated curve never reached the target gets the label count from the strategy's fitted curve (marked
   *extrapolated*), never more than the production pool.
3. **Money per seed, then summarized** (``simulations.economics``): each seed's plan pair gives its label costs,
   net savings and ROI, and every figure shown is the median over seeds of those per-seed figures with its
   interval, so the headline, the sensitivity table's base, the heat map's cell for the user's inputs and the cost
   bars are the same numbers.
4. **The stop** (``simulations.stopping.advise``) for the same strategy, pool and costs, and one sentence that says
   how labels to target, the recommended stop and the cost optimum relate.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pandas as pd

from simulations.economics import BusinessCaseRange, business_case_from_per_seed, check_pool_covers_simulation
from simulations.economics import choose_strategy as rank_for_case
from simulations.errors import ConfigError, DataError
from simulations.money import money
from simulations.plan.conformal import PILOT_WIDENING, widen_linear, widen_log, widen_share
from simulations.plan.inputs import PlanInputs
from simulations.plan.item_costs import _costs, _median_with_infinities, cheapest_strategy  # noqa: F401
from simulations.plan.label_intervals import (
    _extrapolate_censored,
    _saved_with_doubt,
    _widen_money,
    _widened,
    label_interval,
)
from simulations.plan.model import MONEY_FIELDS, Estimate, Plan, PlanStop, TargetAtPool, _estimate
from simulations.plan.pilot import assess_pilot
from simulations.plan.sentences import _how_many, _other_verdicts, _pays_sentence
from simulations.summary import (
    SCORE_NAMES,
    Summary,
    Target,
    no_signal_warning,
    per_seed,
    summarize,
)
from simulations.trust import MEASURED

# the names moved to item_costs and label_intervals stay importable from here; _median_with_infinities is
# imported only for that (the tests import it from this module)
__all__ = ["Estimate", "Plan", "PlanStop", "TargetAtPool", "build_plan", "pays_off_rule", "target_at_pool"]


def target_at_pool(result: Any, target: Target, production_pool: int, summary: Summary,
                   fits: Any = None) -> TargetAtPool:
    """Re-express ``target`` at the production pool (see the module docstring, step 1).

    ``fits`` are the pool fits (``simulations.curves.pool_fits``) when already computed; without them and with a
    production pool larger than the simulated one, the full-data score is projected here.
    """
    metric = summary.metric
    simulated = float(summary.target_value.median)
    ceiling = float(summary.ceiling.median)
    c_lo, c_hi = float(summary.ceiling.low), float(summary.ceiling.high)
    projected = False
    n_sim = int((getattr(result, "meta", {}) or {}).get("n_pool") or 0)
    if production_pool > n_sim > 0 and target.kind != "absolute":
        if fits is None:
            from simulations.curves.pool import pool_fits

            fits = pool_fits(result, production_pool, ["random"], summary=summary, metric=metric)
        ceiling, c_lo, c_hi = float(fits.ceiling), float(fits.ceiling_low), float(fits.ceiling_high)
        projected = True
    shift = 0.0
    if projected:
        # the target's share of the projected rise of the full-data score, and only that: the median of the seeds'
        # targets is not the target at the median ceiling and baseline (share of the gap, seeds' baselines differ).
        # The seeds' targets never move down (a projection below the simulated score is the fit's noise), so the
        # score shown is the one every seed is held to: the simulated target plus the shift
        base = float(summary.baseline.median)
        rise = target.value_for(ceiling, base) - target.value_for(float(summary.ceiling.median), base)
        shift = max(0.0, float(rise))
    score = simulated + shift
    where = (f"at the production pool of {production_pool:,} items (full-data score projected to "
             f"{ceiling:.1%})" if projected else "")
    return TargetAtPool(kind=target.kind, value=float(target.value), score=float(score),
                        shift=shift, projected=projected,
                        ceiling=ceiling, ceiling_low=c_lo, ceiling_high=c_hi,
                        description=(target.describe(metric) + (" " + where if where else "")))


def pays_off_rule(case: BusinessCaseRange) -> bool | None:
    """The one "does active learning pay" rule: :attr:`BusinessCaseRange.pays_off` (True, False, or None when
    undecided), named here so the plan's readers need not know where it lives."""
    return case.pays_off


def _case(result: Any, inputs: PlanInputs, table: pd.DataFrame, strategy: str, fits: Any, production_pool: int,
          metric: str, description: str, *, n_boot: int = 2000) -> tuple[BusinessCaseRange, dict[str, int]]:
    """The business case for one production pool: per-seed plans (extrapolated where censored), then money."""
    econ = replace(inputs.economic_inputs(), production_pool=int(production_pool))
    projection, counts = _extrapolate_censored(result, table, ["random", strategy], fits, production_pool)
    case = business_case_from_per_seed(table, result.rounds, econ, metric=metric, strategy=strategy,
                                       ceilings=result.ceilings, projection=projection, target=description,
                                       n_boot=n_boot)
    return case, counts


def build_plan(result: Any, inputs: PlanInputs, *, determination: dict[str, Any] | None = None) -> Plan:
    """The plan for a simulation's results and the user's inputs (see the module docstring).

    Parameters
    ----------
    result : SimulationResult
    inputs : PlanInputs
    determination : dict, optional
        How the simulation decided it had simulated enough (``simulate_for_plan``): kept in the plan's JSON.

    Raises
    ------
    ConfigError
        A production pool smaller than the simulated one, or a strategy the results do not hold.
    """
    from simulations.annotators import paid_labels_view
    from simulations.curves.pool import pool_fits, simulated_pool_size, with_strategy_fits
    from simulations.plan.value import in_error_cost, plan_value
    from simulations.stopping import advise

    # with re-labeling, every label count of the plan (curves, labels to target, the stop, money) is in paid labels
    noisy_raw = result
    result = paid_labels_view(result)
    result, inputs = in_error_cost(result, inputs)
    meta = dict(getattr(result, "meta", {}) or {})
    item_costs = meta.get("item_costs")
    if item_costs and "spend" in getattr(result, "rounds", pd.DataFrame()).columns:
        # unequal item costs: one label's price is the items' average (the whole-pool plan, the heat map's axis);
        # each plan's label cost is its own spend to the target (business_case_from_per_seed)
        inputs = replace(inputs, cost_per_label=float(item_costs["mean"]))
    items_inputs = inputs  # what the plan reports as its inputs: the price it used, the pool in items
    factor = float(meta.get("paid_per_item", 1.0))
    if factor != 1.0:
        # every pool in paid labels too (labeling the whole pool pays `factor` labels an item); reported in items
        inputs = replace(inputs, production_pool=max(1, round(int(inputs.production_pool) * factor)))
    metric = result.metric
    pool = int(inputs.production_pool)
    n_sim = int(meta.get("n_pool") or 0)
    econ = inputs.economic_inputs()
    check_pool_covers_simulation(econ, simulated_pool=n_sim or None,
                                 file_rows=meta.get("production_pool_rows"))
    target = inputs.target
    summary0 = summarize(result, target, metric)
    strategies = [s for s in result.config.strategies if s != "random"]
    if not strategies:
        raise ConfigError("The results hold only random sampling: there is no active-learning strategy to plan.",
                          hint="Simulate at least one strategy, e.g. margin.")
    try:
        simulated_pool_size(result)
        # random's curve first (it projects the full-data score); the costed strategy's is added once it is known
        fits = pool_fits(result, max(pool, n_sim), ["random"], summary=summary0, metric=metric)
    except (DataError, KeyError, AttributeError):  # hand-made results without pool sizes: nothing to project
        fits = None
    tap = target_at_pool(result, target, pool, summary0, fits=fits if fits is not None and pool > n_sim else None)
    if inputs.target_error_cost is not None:
        tap = replace(tap, description=f"an expected error cost at or below {money(inputs.target_error_cost)} per "
                                       "1,000 predictions")
    summary = summarize(result, target, metric, target_shift=tap.shift) if tap.shift else summary0
    table = per_seed(result, target, metric, target_shift=tap.shift)
    chosen = rank_for_case(table, inputs.strategy)
    chosen_by = "chosen by you" if inputs.strategy else "the largest median label saving against random sampling"
    if item_costs and inputs.strategy is None and "spend" in result.rounds.columns:
        # items cost different amounts: the plan costs the strategy that saves the most money, not labels (a
        # per-dollar strategy buys more, cheaper labels)
        chosen = cheapest_strategy(result, table) or chosen
        chosen_by = "the largest median money saving against random sampling"
    if fits is not None:
        fits = with_strategy_fits(fits, result, metric, [chosen])
    case, extrapolated = _case(result, inputs, table, chosen, fits, pool, metric, tap.description)
    if fits is not None and pool > n_sim:
        from simulations.curves.pool import pool_caveat

        caveat = pool_caveat(result, pool, target, strategy=chosen, summary=summary0, fits=fits)
        if caveat is not None:
            # the plan's own figures, not the caveat's curve-fit estimates: one number for one thing
            m = caveat.measured
            ex = {k: " (extrapolated: not reached in what was simulated)" if n else "" for k, n in extrapolated.items()}
            sentence = (f"Simulated on {n_sim:,} items but your pool has {pool:,} ({pool / n_sim:.1f}x): the target "
                        f"is {tap.description}, {tap.score:.1%}; random sampling needs about "
                        f"{case.labels_random.median:,.0f} labels{ex['random']} and {chosen.replace('_', ' ')} about "
                        f"{case.labels_al.median:,.0f}{ex[chosen]} for it. Estimates on a smaller pool tend to be "
                        "low: a "
                        f"{m.sample_share:.0%} sample erred low in {m.labels_quick_lower} of {m.labels_compared} "
                        "benchmark cases, while the savings fraction was more stable.")
            caveat = replace(caveat, sentence=sentence)
            case = replace(case, pool_caveat=caveat, assumptions=(*case.assumptions, caveat.sentence))
    warning = no_signal_warning(result, metric)
    if warning:
        case = replace(case, no_signal=True, no_signal_sentence=warning, assumptions=(warning, *case.assumptions))

    value_unit = SCORE_NAMES.get(metric, metric).lower()
    money_est = {k: _estimate(getattr(case, f), extrapolated=any(extrapolated.values()))
                 for k, f in MONEY_FIELDS.items()}
    lr = _estimate(case.labels_random, extrapolated=extrapolated["random"] > 0)
    la = _estimate(case.labels_al, extrapolated=extrapolated[chosen] > 0)
    lr0, la0 = lr, la
    if fits is not None and (tap.projected or any(extrapolated.values())):
        # counts read off fitted curves, or for a projected target, carry that uncertainty too
        lr, la = (_widened(e, label_interval(result, inputs, tap, fits, n, level=case.confidence))
                  if tap.projected or extrapolated[n] else e for e, n in ((lr, "random"), (la, chosen)))
    # a pilot projected to a larger pool, as far as the calibration suite's pilots were (a full-data run's pool is
    # the production pool less the test split: a 1.3x projection the suite never measured)
    projection = pool / n_sim if n_sim > 0 else 1.0
    calibrated = pool > n_sim > 0 and PILOT_WIDENING.applies(projection)
    first = float(meta.get("n_initial") or result.config.initial_labels)
    saved = _estimate(case.labels_saved, extrapolated=lr.extrapolated or la.extrapolated)
    seeds = {"labels_random": lr0, "labels_al": la0, "labels_saved": saved}
    # the saving carries the label intervals' projection doubt too (the seeds' differences do not see it)
    saved = _saved_with_doubt(saved, lr0, la0, lr, la, pool)
    before: dict[str, Estimate] = {}
    if calibrated:
        # the plan's own intervals cover less than they say there: widened by the suite's conformal quantiles
        before = {"labels_random": lr, "labels_al": la, "labels_saved": saved}
        w, level = PILOT_WIDENING, case.confidence
        q_labels = w.labels(level, projection=projection)
        lr, la = (replace(e, **dict(zip(("low", "high"), widen_log(e.low, e.high, q_labels, first=first, pool=pool),
                                        strict=True))) for e in (lr, la))
        s_lo, s_hi = widen_share(saved.low, saved.high, w.saved(level, projection=projection), pool=pool)
        saved = replace(saved, low=s_lo, high=s_hi)

    stop, advice = _stop(result, inputs, chosen, metric, pool, la, advise)
    pays = pays_off_rule(case)
    calibration, undecided_roi = None, None
    if calibrated:
        before |= {"roi": money_est["roi"], "cost_optimum": stop.cost_optimum}
        stop, money_est, calibration = _calibrate_money(stop, money_est, level=case.confidence, first=first,
                                                        pool=pool, projection=projection)
        # the savings in money move with the labels saved: the same widening, priced (one table, one answer)
        after = {"labels_random": lr, "labels_al": la, "labels_saved": saved}
        # the money moves by the whole widening of its counts from the seeds': first the fitted curve's doubt (what
        # the calibration's "before" shows), then the calibration's
        price = float(case.cost_per_label)
        money_est, _ = _widen_money(money_est, seeds, before, price=price)
        money_est, widened_money = _widen_money(money_est, before, after, price=price)
        before |= widened_money
        calibration["figures"] += list(widened_money)
        calibration["scale"] |= dict.fromkeys(widened_money, "its label count's widening x the price per label")
        calibration["before"] = {k: None if e is None else e.to_dict() for k, e in before.items()}
        # one object: the business case carries the widened ROI and savings, and its pays-off rule then asks them
        case = replace(case, roi_widened=True, **{
            f: replace(getattr(case, f), low=money_est[k].low, high=money_est[k].high)
            for k, f in MONEY_FIELDS.items() if k == "roi" or k in widened_money})
        decided, pays = pays, pays_off_rule(case)
        if decided is not None and pays is None and not case.no_signal:  # no signal has its own sentence
            undecided_roi = money_est["roi"]  # a decision the calibrated ROI interval does not support is undecided
    if advice is not None:  # the plan's strategy, named for why it was chosen, not 'chosen by you'
        advice = replace(advice, strategy_chosen_by=chosen_by)
    s = summary.strategies.get(chosen)
    verdict = s.verdict if s is not None else "no evidence"
    verdict_sentence = summary.verdict_sentence() if summary.no_signal else (s.sentence if s is not None else "")
    simulated_labels = int(pd.to_numeric(result.rounds["labels"]).max())
    notes = list(summary.notes)
    if calibration is not None:
        calibration["projection"] = projection
        notes.append(PILOT_WIDENING.sentence(projection, case.confidence) + " "
                     + PILOT_WIDENING.range_sentence(projection))
    elif pool > n_sim > 0:
        notes.append(PILOT_WIDENING.range_sentence(projection))
    for name, n in extrapolated.items():
        if n:
            notes.append(f"{name.replace('_', ' ')} did not reach the target within the {simulated_labels:,} labels "
                         f"simulated in {n} of {case.n_seeds} seeds: its label count there is read off its fitted "
                         "learning curve (extrapolated), never more than the production pool.")
    tornado, grid = _sensitivity(result, inputs, case, chosen, fits, summary0, metric, n_sim)
    calendar = _calendar(result, inputs, case)
    value_model, error_cost, time_value = plan_value(result, inputs, chosen, stop, tap, calendar)
    from simulations.plan.noise import noise_effect

    noise = noise_effect(noisy_raw, result, target=target, metric=metric, strategy=chosen, shift=tap.shift,
                         stop=stop, score_view=lambda r: in_error_cost(r, inputs)[0])
    if noise is not None:
        if noise["labels_unit"] == "paid":
            notes.append("Label counts and money count every paid annotation (re-labels included), not items.")
    pilot = None
    if pool > n_sim:
        level = case.confidence
        pilot = assess_pilot(pilot_rows=int(meta.get("n_rows") or n_sim), production_pool=pool, simulated_pool=n_sim,
                             no_signal=bool(case.no_signal), target_score=tap.score, ceiling_high=tap.ceiling_high,
                             labels={"random": lr, chosen: la}, roi=money_est["roi"], roi_before=before.get("roi"),
                             pays_off=pays, exponent=MEASURED.roi_width_exponent,
                             widening=(lambda proj: PILOT_WIDENING.roi(level, projection=proj)) if calibrated else None,
                             shortest_projection=PILOT_WIDENING.smallest_projection,
                             prediction_ratio=MEASURED.roi_width_prediction_ratio)
    plan = Plan(
        strategy=chosen, strategy_chosen_by=chosen_by, verdict=verdict, verdict_sentence=verdict_sentence,
        other_verdicts=_other_verdicts(summary, chosen, chosen_by), target=tap, metric=metric,
        metric_label=SCORE_NAMES.get(metric, metric), simulated_labels=simulated_labels, simulated_pool=n_sim,
        production_pool=pool, labels_to_target_al=la, labels_to_target_random=lr, labels_saved=saved, stop=stop,
        money=money_est, p_roi_positive=float(case.p_roi_positive), pays_off=pays,
        pays_off_sentence=_pays_sentence(case, pays, money_est["net_savings"],
                                         undecided_roi=undecided_roi),
        how_many_sentence=_how_many(chosen, la, stop, tap, value_unit),
        value_unit=value_unit, no_signal=bool(case.no_signal), notes=tuple(notes), inputs=inputs,
        summary=summary, business=case, advice=advice, determination=dict(determination or {}),
        tornado=tornado, roi_grid=grid, fits=fits, calendar=calendar, value_model=value_model,
        error_cost=error_cost, time_value=time_value,
        costs=_costs(item_costs, case, chosen) if item_costs and case.per_seed is not None
        and "al_price_factor" in case.per_seed.columns else None,
        noise=noise,
        pilot=pilot, scored=result, calibration=calibration,
    )
    if factor != 1.0:
        plan = _in_items(plan, items_inputs, int(meta.get("n_pool_items") or n_sim), factor)
    return plan


def _in_items(plan: Plan, inputs: PlanInputs, n_pool_items: int, factor: float) -> Plan:
    """A plan computed in paid labels with its pool sizes said in items again (see ``paid_labels_view``)."""
    paid_pool, items_pool = int(plan.production_pool), int(inputs.production_pool)
    desc = plan.target.description.replace(f"{paid_pool:,} items", f"{items_pool:,} items")
    noise = dict(plan.noise or {})
    noise["paid_per_item"] = factor
    business = plan.business
    if business is not None:
        said = (f"with re-labeling, pool sizes in these assumptions are counted in paid labels, {factor:.2g} per item: "
                f"the production pool of {items_pool:,} items is {paid_pool:,} paid labels and the simulated pool of "
                f"{n_pool_items:,} items {round(n_pool_items * factor):,}")
        business = replace(business, assumptions=(*business.assumptions, said))
    grid = plan.roi_grid
    if grid is not None and "production_pool" in grid.columns:
        # the heat map's pool axis in items, so the user's pool is one of its cells
        grid = grid.assign(production_pool=(grid["production_pool"] / factor).round().astype(int))
    pilot = None if plan.pilot is None else replace(plan.pilot, production_pool=items_pool)
    return replace(plan, production_pool=items_pool, simulated_pool=n_pool_items, inputs=inputs,
                   target=replace(plan.target, description=desc), noise=noise, business=business, roi_grid=grid,
                   pilot=pilot)


def _calibrate_money(stop: PlanStop, money_est: dict[str, Estimate], *, level: float, first: float,
                     pool: int, projection: float) -> tuple[PlanStop, dict[str, Estimate], dict[str, Any]]:
    """The ROI and the cost-optimal stop widened by the calibration suite's conformal quantiles
    (``simulations.plan.conformal``); returns the stop, the money figures and what was calibrated
    (``Plan.calibration``)."""
    w = PILOT_WIDENING
    roi = money_est["roi"]
    r_lo, r_hi = widen_linear(roi.low, roi.high, w.roi(level, projection=projection))
    money_est = {**money_est, "roi": replace(roi, low=r_lo, high=r_hi)}
    opt = stop.cost_optimum
    if opt is not None:
        o_lo, o_hi = widen_log(opt.low, opt.high, w.cost_optimum(level, projection=projection), first=first,
                              pool=pool)
        stop = replace(stop, cost_optimum=replace(opt, low=o_lo, high=o_hi))
    factors = {"labels_to_target": w.labels(level, projection=projection),
               "labels_saved": w.saved(level, projection=projection), "roi": w.roi(level, projection=projection),
               "cost_optimum": w.cost_optimum(level, projection=projection)}
    return stop, money_est, {
        "level": float(level), "figures": ["labels_to_target", "labels_saved", "roi", "cost_optimum"],
        "scale": {"labels_to_target": "log", "labels_saved": "share of the pool", "roi": "additive",
                  "cost_optimum": "log"},
        "widening": factors, "source": w.source, "measured": w.measured, "datasets": w.datasets,
        "sentence": w.sentence(projection, level), "projection_scale": w.scale}


def _calendar(result: Any, inputs: PlanInputs, case: BusinessCaseRange) -> dict[str, Any] | None:
    """The labeling calendar for the plan's medians, or None without a labeling speed."""
    if not inputs.labels_per_hour:
        return None
    from simulations.plan.calendar import CalendarInputs, labeling_calendar

    cfg = result.config
    meta = getattr(result, "meta", {}) or {}
    return labeling_calendar(
        labels_al=case.labels_al.median, labels_random=case.labels_random.median,
        initial_labels=int(meta.get("n_initial") or cfg.initial_labels), growth=cfg.growth, batch_size=cfg.batch_size,
        cost_per_label=inputs.cost_per_label, setup_cost=inputs.setup_cost,
        inputs=CalendarInputs(labels_per_hour=inputs.labels_per_hour, annotators=inputs.annotators,
                              retrain_minutes=inputs.retrain_minutes, hours_per_day=inputs.hours_per_day))


def _sensitivity(result: Any, inputs: PlanInputs, case: BusinessCaseRange, chosen: str, fits: Any,
                 summary0: Summary, metric: str, n_sim: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The tornado and the ROI heat map, per seed like the headline (``simulations.plan.sensitivity``)."""
    from simulations.curves.pool import project_ceiling
    from simulations.plan.sensitivity import GRID_COST_FACTORS, GRID_POOL_FACTORS, seed_roi_grid, seed_tornado

    econ = inputs.economic_inputs()
    pool = int(inputs.production_pool)
    tornado = seed_tornado(case.per_seed, econ)
    # Pools below the simulated one are left out: the plan refuses them (check_pool_covers_simulation).
    pools = sorted({p for f in GRID_POOL_FACTORS if (p := max(1, round(pool * f))) >= max(n_sim, 1)} | {pool})
    # the user's own cost exactly (rounded, 0.123456 would have no cell for the headline to be)
    costs = sorted({round(inputs.cost_per_label * f, 4) for f in GRID_COST_FACTORS if f != 1}
                   | {float(inputs.cost_per_label)})

    def at_pool(p: int) -> pd.DataFrame:
        if p == pool:
            return case.per_seed
        f = fits
        if fits is not None and p > n_sim:
            # the same curves, with the full-data score projected to this pool (no refit per cell row)
            c, lo, hi = project_ceiling(fits.ceiling_fit, summary0, n_sim, p)
            f = replace(fits, production_pool=p, ceiling=c, ceiling_low=lo, ceiling_high=hi)
        tap = target_at_pool(result, inputs.target, p, summary0, fits=f if p > n_sim else None)
        table = per_seed(result, inputs.target, metric, target_shift=tap.shift)
        return _case(result, inputs, table, chosen, f, p, metric, tap.description, n_boot=0)[0].per_seed

    return tornado, seed_roi_grid(at_pool, econ, cost_values=costs, pool_values=pools)


def _stop(result: Any, inputs: PlanInputs, strategy: str, metric: str, pool: int, labels_al: Estimate,
          advise: Any) -> tuple[PlanStop, Any]:
    """The stop for the plan's strategy; without a value of accuracy, the target itself."""
    value = inputs.point_value
    if not value > 0:
        return PlanStop(labels=labels_al, cost_optimum=None, extrapolated=labels_al.extrapolated,
                        rule="stop at the target: without a value of accuracy, more labels buy nothing the plan "
                             "counts",
                        sentence=f"Stop at the target, about {labels_al.median:,.0f} labels: with no value given for "
                                 "accuracy, a label beyond it is a cost with no counted return."), None
    adv = advise(result, inputs.cost_per_label, value, strategy=strategy, metric=metric, pool=pool)
    ev, rec = adv.evaluation, adv.recommendation
    budget = float(ev.budget)
    fs = ev.fitted_stop
    o = ev.optimum_labels
    beyond = ev.at_budget_share > 0.5  # most seeds still paid at the last label simulated
    if beyond and fs is not None and fs.labels is not None:
        # the measured optimum is only "the budget or later": the fitted curve's marginal rule says where
        optimum = Estimate(median=float(fs.labels), low=float(o.low), high=max(float(o.high), float(fs.labels)),
                           extrapolated=bool(fs.extrapolated))
    else:
        optimum = Estimate(median=float(o.median), low=float(o.low), high=float(o.high), extrapolated=beyond)
    plan = rec.labels
    extrapolated = optimum.extrapolated or ev.at_budget_share > 0.5
    median = float(plan.median)
    if ev.at_budget_share > 0.5 and optimum.median > median:
        # most seeds were still paying at the last label simulated: the recommendation is not capped by it
        median = optimum.median
    labels = Estimate(median=median, low=float(plan.low), high=max(float(plan.high), median),
                      extrapolated=extrapolated or median > budget)
    rule = str(getattr(rec.criterion, "title", "") or getattr(rec.criterion, "name", "")) if rec.criterion else ""
    rule = rule.lower() if rule else "the planned count"
    sentence = rec.sentence
    if median != float(plan.median):
        sentence = (f"Plan for about {median:,.0f} labels (extrapolated: in most simulated runs labels still paid at "
                    f"the last of the {budget:,.0f} labels simulated, and the fitted curve stops paying there), and "
                    f"watch {rule} as a check.")
    return PlanStop(labels=labels, cost_optimum=optimum, extrapolated=labels.extrapolated, rule=rule,
                    sentence=sentence), adv
