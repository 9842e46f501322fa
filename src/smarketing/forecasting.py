"""Pipeline and forecasting, from a company's opportunity history (one row per change of a deal: the stage it
entered, the amount and the expected close date the rep gave then; ``company.opportunity_history``).

What the open pipeline was at any moment (:func:`pipeline_at`), what it was worth weighted by stage
(:func:`stage_win_rates`, :func:`weighted_pipeline`), the forecast categories a sales team commits to
(:func:`by_category`), the coverage of the quota left (:func:`coverage_at`), how often close dates slip
(:func:`slipped_share`), and a backtest: what each way of forecasting a quarter would have said on its first
day, against what was then booked (:func:`backtest`). Win/loss analysis from the opportunities themselves: why
deals are lost (:func:`loss_reasons`) and who or what wins (:func:`win_rates_by`).

The forecast categories follow the CRMs' convention (Salesforce's opportunity stages each carry a default
probability and a forecast category: Pipeline, Best Case, Commit, Closed, Omitted). Which stage falls in which
category is each company's own choice; the course's is :data:`FORECAST_CATEGORIES`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from smarketing.messages import _, date_text

OPEN_STAGES = ("prospecting", "qualification", "proposal", "negotiation")
# The course's forecast category of each stage: a deal in negotiation is committed, one with a proposal out is the
# best case, earlier ones are pipeline; a won deal is closed, a lost one omitted.
FORECAST_CATEGORIES = {"prospecting": "pipeline", "qualification": "pipeline", "proposal": "best_case",
                       "negotiation": "commit", "closed_won": "closed", "closed_lost": "omitted"}
METHODS = ("run_rate", "commit", "best_case", "weighted")  # what backtest compares, in its columns' order
METHOD_NAMES = {"run_rate": "run rate", "commit": "commit", "best_case": "best case", "weighted": "weighted pipeline"}


def _moment(value: str | pd.Timestamp) -> pd.Timestamp:
    return pd.Timestamp(value)


def pipeline_at(history: pd.DataFrame, moment: str | pd.Timestamp) -> pd.DataFrame:
    """The open pipeline as the CRM showed it at ``moment``: every deal opened before it and not closed by then,
    as its latest change before ``moment`` left it. Columns opportunity_id, stage, amount, close_date,
    forecast_category and days_in_stage (from entering its stage to ``moment``), one row per deal."""
    moment = _moment(moment)
    seen = history[history["changed_at"] < moment].sort_values(["opportunity_id", "changed_at"], kind="stable")
    latest = seen.groupby("opportunity_id", sort=True, observed=True).tail(1)
    open_now = latest[latest["stage"].astype(str).isin(OPEN_STAGES)]
    return pd.DataFrame({
        "opportunity_id": open_now["opportunity_id"].to_numpy(),
        "stage": open_now["stage"].astype(str).to_numpy(),
        "amount": open_now["amount"].to_numpy(dtype=float),
        "close_date": open_now["close_date"].to_numpy(),
        "forecast_category": open_now["stage"].astype(str).map(FORECAST_CATEGORIES).to_numpy(),
        "days_in_stage": ((moment - open_now["changed_at"]).dt.total_seconds() / 86_400).to_numpy(),
    })


def due_between(pipeline: pd.DataFrame, start: str | pd.Timestamp, end: str | pd.Timestamp) -> pd.DataFrame:
    """The deals of ``pipeline`` (as :func:`pipeline_at` gives it) expected to close from ``start`` (included) to
    ``end`` (excluded): those a forecast of that period counts."""
    return pipeline[(pipeline["close_date"] >= _moment(start)) & (pipeline["close_date"] < _moment(end))]


def booked(history: pd.DataFrame, start: str | pd.Timestamp, end: str | pd.Timestamp) -> float:
    """The amount of the deals won from ``start`` (included) to ``end`` (excluded): bookings."""
    won = history[(history["stage"].astype(str) == "closed_won") & (history["changed_at"] >= _moment(start))
                  & (history["changed_at"] < _moment(end))]
    return float(won["amount"].sum())


def stage_win_rates(history: pd.DataFrame, before: str | pd.Timestamp) -> pd.Series:
    """For each open stage, the share of the deals that entered it and were closed before ``before`` that were won:
    the chance a weighted pipeline gives a deal in that stage, learned from the company's own closed deals (not a
    default of the CRM). A stage no closed deal entered gives nan."""
    seen = history[history["changed_at"] < _moment(before)]
    stage = seen["stage"].astype(str)
    closed = seen.loc[stage.isin(["closed_won", "closed_lost"])]
    outcome = closed.set_index("opportunity_id")["stage"].astype(str).eq("closed_won")
    entered = seen.loc[stage.isin(OPEN_STAGES) & seen["opportunity_id"].isin(outcome.index)]
    won = entered["opportunity_id"].map(outcome).astype(bool)
    rates = won.groupby(entered["stage"].astype(str)).mean()
    return rates.reindex(list(OPEN_STAGES)).rename("win_rate").rename_axis("stage")


def weighted_pipeline(pipeline: pd.DataFrame, probabilities: Mapping[str, float]) -> float:
    """Σ amount × probability of its stage, over the deals of ``pipeline`` (as :func:`pipeline_at` gives it)."""
    unknown = sorted(set(pipeline["stage"]) - set(probabilities))
    if unknown:
        raise ValueError(_("No probability for stage(s) {stages}; give one for each of {all}.",
                           stages=", ".join(unknown), all=", ".join(OPEN_STAGES)))
    chance = pipeline["stage"].map(dict(probabilities)).astype(float)
    return float((pipeline["amount"] * chance.fillna(0.0)).sum())


def by_category(pipeline: pd.DataFrame, start: str | pd.Timestamp, end: str | pd.Timestamp) -> pd.Series:
    """The forecast a sales team calls for the period from ``start`` to ``end``, from the deals of ``pipeline``
    expected to close in it: commit (negotiation), best case (commit and the proposals out) and pipeline (every
    open deal expected then). Each is a running total, as forecast calls are."""
    due = due_between(pipeline, start, end)
    amount = due.groupby("forecast_category")["amount"].sum()
    commit = float(amount.get("commit", 0.0))
    best_case = commit + float(amount.get("best_case", 0.0))
    return pd.Series({"commit": commit, "best_case": best_case,
                      "pipeline": best_case + float(amount.get("pipeline", 0.0))}, name="amount")


def slipped_share(history: pd.DataFrame) -> float:
    """The share of deals whose expected close date moved into a later quarter at least once, the day it closed
    included (nan without deals): the slippage that makes a quarter's commit miss."""
    if history.empty:
        return float("nan")
    ordered = history.sort_values(["opportunity_id", "changed_at"], kind="stable")
    quarter = ordered["close_date"].dt.year * 4 + ordered["close_date"].dt.quarter
    deal = ordered["opportunity_id"].to_numpy()
    moved_later = quarter.groupby(deal).diff() > 0
    return float(moved_later.groupby(deal).any().mean())


def quarters_of(history: pd.DataFrame) -> list[pd.Period]:
    """The whole quarters the history covers, in order: those after the first deal's and before the last change's."""
    if history.empty:
        return []
    first, last = history["changed_at"].min(), history["changed_at"].max()
    return list(pd.period_range(first.to_period("Q") + 1, last.to_period("Q") - 1, freq="Q"))


def backtest(history: pd.DataFrame, quarters: Sequence[pd.Period | str] | None = None) -> pd.DataFrame:
    """What each way of forecasting a quarter would have said on its first day, against what was booked in it.

    Methods (columns, in :data:`METHODS`' order): ``run_rate``, the previous quarter's bookings; ``commit`` and
    ``best_case``, the deals in those categories expected to close in the quarter (:func:`by_category`);
    ``weighted``, the open deals expected to close in the quarter, each weighted by its stage's win rate learned
    from the deals closed before the quarter (:func:`stage_win_rates`). Also ``booked`` (what was won in the
    quarter) and, per method, ``<method>_error``: (forecast − booked) ÷ booked. One row per quarter (default:
    :func:`quarters_of`, from the second, which has a quarter before it)."""
    periods = [pd.Period(q, freq="Q") for q in quarters] if quarters is not None else quarters_of(history)[1:]
    rows = []
    for quarter in periods:
        start, end = quarter.start_time, (quarter + 1).start_time
        pipeline = pipeline_at(history, start)
        calls = by_category(pipeline, start, end)
        rates = stage_win_rates(history, start).fillna(0.0)
        due = due_between(pipeline, start, end)
        actual = booked(history, start, end)
        forecasts = {"run_rate": booked(history, (quarter - 1).start_time, start), "commit": calls["commit"],
                     "best_case": calls["best_case"], "weighted": weighted_pipeline(due, rates.to_dict())}
        rows.append({"quarter": str(quarter), "booked": actual, **forecasts,
                     **{f"{m}_error": (forecasts[m] - actual) / actual if actual else np.nan for m in METHODS}})
    return pd.DataFrame(rows, columns=["quarter", "booked", *METHODS, *(f"{m}_error" for m in METHODS)])


def due_outcomes(history: pd.DataFrame, quarter: pd.Period | str) -> pd.Series:
    """What became, by the end of ``quarter``, of the open deals that the CRM expected to close in it on its first
    day: the amount due, then how much of it was won, lost, or still open (slipped into a later quarter), and the
    deals due. The slipped share is why a forecast that trusts close dates forecasts too much."""
    period = pd.Period(quarter, freq="Q")
    start, end = period.start_time, (period + 1).start_time
    pipeline = pipeline_at(history, start)
    due = due_between(pipeline, start, end)
    at_end = pipeline_at(history, end)
    closed = history[(history["changed_at"] >= start) & (history["changed_at"] < end)
                     & history["opportunity_id"].isin(due["opportunity_id"])]
    stage = closed["stage"].astype(str)
    return pd.Series({"due": float(due["amount"].sum()),
                      "won": float(closed.loc[stage == "closed_won", "amount"].sum()),
                      "lost": float(closed.loc[stage == "closed_lost", "amount"].sum()),
                      "still_open": float(at_end.loc[at_end["opportunity_id"].isin(due["opportunity_id"]),
                                                     "amount"].sum()),
                      "deals": float(len(due))}, name=str(period))


def accuracy(backtest_table: pd.DataFrame) -> pd.DataFrame:
    """How each method of :func:`backtest` did over its quarters: the mean absolute error (how far off, whichever
    way), the mean error (the bias: above 0, it forecasts too much on average), the worst quarter's absolute error
    and the quarters it over-forecast. One row per method, in :data:`METHODS`' order; quarters with nothing booked
    are left out (their error is not defined)."""
    rows = {}
    for method in METHODS:
        error = backtest_table[f"{method}_error"].astype(float).dropna()
        rows[method] = {"mean_abs_error": float(error.abs().mean()) if len(error) else np.nan,
                        "mean_error": float(error.mean()) if len(error) else np.nan,
                        "worst_abs_error": float(error.abs().max()) if len(error) else np.nan,
                        "quarters": len(error), "over_forecast": int((error > 0).sum())}
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("method")


def backtest_finding(backtest_table: pd.DataFrame) -> str:
    """The backtest's finding in one sentence, from its own numbers: which method came closest on average, which
    was furthest, and which way the furthest erred."""
    table = accuracy(backtest_table).dropna(subset=["mean_abs_error"])
    if table.empty:
        return _("No quarter had bookings to compare the forecasts with.")
    best, worst = table["mean_abs_error"].idxmin(), table["mean_abs_error"].idxmax()
    way = _("too high") if table.loc[worst, "mean_error"] > 0 else _("too low")
    return _("Over {n} quarters, the {best} came closest to what was booked (off by {best_error:.0%} on average); "
             "the {worst} was furthest (off by {worst_error:.0%} on average, {way} in {count} of {n} quarters).",
             n=int(table.loc[best, "quarters"]), best=_(METHOD_NAMES[best]),
             best_error=table.loc[best, "mean_abs_error"], worst=_(METHOD_NAMES[worst]),
             worst_error=table.loc[worst, "mean_abs_error"], way=way,
             count=int(table.loc[worst, "over_forecast"] if table.loc[worst, "mean_error"] > 0
                       else table.loc[worst, "quarters"] - table.loc[worst, "over_forecast"]))


def loss_reasons(opportunities: pd.DataFrame) -> pd.DataFrame:
    """Win/loss analysis of the deals lost: for each loss reason, the deals lost (count and share), the amount lost
    (sum and share) and the median days from opening to losing them. Deals lost without a reason count as
    "not given". Sorted by amount lost, largest first."""
    lost = opportunities[opportunities["outcome"].astype(str) == "lost"]
    reason = lost["loss_reason"].astype(object).where(lost["loss_reason"].notna(), _("not given"))
    days = (lost["closed_at"] - lost["created_at"]).dt.total_seconds() / 86_400
    table = pd.DataFrame({"deals": reason.value_counts(),
                          "amount": lost["amount"].groupby(reason).sum(),
                          "median_days": days.groupby(reason).median()}).rename_axis("loss_reason")
    table.insert(1, "share_of_deals", table["deals"] / max(len(lost), 1))
    table.insert(3, "share_of_amount", table["amount"] / table["amount"].sum() if table["amount"].sum() else np.nan)
    return table.sort_values(["amount", "deals"], ascending=False, kind="stable")


def win_rates_by(opportunities: pd.DataFrame, groups: pd.Series | str) -> pd.DataFrame:
    """Win rate (won ÷ (won + lost), :func:`smarketing.kpis.win_rate`) of the closed deals in each group: a column
    of ``opportunities`` (e.g. "owner_id") or a Series beside them (e.g. the segment of each deal's lead), whose name
    (or "group") names the index. Columns won, lost, win_rate; a group with no closed deal is left out."""
    from smarketing import kpis

    name = groups if isinstance(groups, str) else (getattr(groups, "name", None) or "group")
    key = opportunities[groups] if isinstance(groups, str) else pd.Series(np.asarray(groups), index=opportunities.index)
    outcome = opportunities["outcome"].astype(str)
    closed = outcome.isin(["won", "lost"])
    counts = pd.crosstab(key[closed].astype(str), outcome[closed]).reindex(columns=["won", "lost"], fill_value=0)
    counts["win_rate"] = [kpis.win_rate(w, lost) for w, lost in zip(counts["won"], counts["lost"], strict=True)]
    return counts.rename_axis(name).rename_axis(None, axis=1)


def coverage_at(history: pd.DataFrame, moment: str | pd.Timestamp, quarter_quota: float) -> float:
    """Pipeline coverage on a day of a quarter (:func:`smarketing.kpis.pipeline_coverage`): the open deals expected
    to close by the quarter's end, past prospecting (qualified), ÷ the part of ``quarter_quota`` not yet booked.
    nan once the quota is met."""
    from smarketing import kpis

    moment = _moment(moment)
    quarter = moment.to_period("Q")
    end = (quarter + 1).start_time
    pipeline = pipeline_at(history, moment)
    qualified = pipeline[(pipeline["stage"] != "prospecting") & (pipeline["close_date"] < end)]
    remaining = max(quarter_quota - booked(history, quarter.start_time, moment), 0.0)
    return kpis.pipeline_coverage(float(qualified["amount"].sum()), remaining)


CALL_KEYS = ("commit", "best_case", "number", "low", "high")  # a forecast call (:func:`forecast_call_problems`)
COMMIT_STAGES = ("proposal", "negotiation")  # a deal earlier than a proposal out is not a commitment
STALE_FACTOR = 2.0  # a deal in its stage for more than this × the stage's median is reviewed, not committed


def stale(pipeline: pd.DataFrame, factor: float = STALE_FACTOR) -> pd.Series:
    """Which deals of ``pipeline`` (as :func:`pipeline_at` gives it) have sat in their stage more than ``factor`` ×
    the median days of the open deals in that stage: stage aging, the deals to review before anyone counts on
    them. A boolean Series beside the pipeline's rows."""
    usual = pipeline.groupby("stage")["days_in_stage"].transform("median")
    return pipeline["days_in_stage"] > factor * usual


def _deal_ids(value: object) -> list[str] | None:
    if isinstance(value, str) or not isinstance(value, (list, tuple, set, pd.Series, np.ndarray)):
        return None
    ids = list(value)
    return [str(i) for i in ids] if all(isinstance(i, str) for i in ids) else None


def _real(value: object) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool) \
        and bool(np.isfinite(value))


def _date(moment: pd.Timestamp) -> str:
    return date_text(moment)


def forecast_call_problems(call: object, history: pd.DataFrame, quarter: pd.Period | str) -> list[str]:
    """What is wrong with a quarter's forecast call made on its first day, each problem a sentence that says why
    it matters; an empty list when the call meets every rule. Many calls pass: the check says whether a call is
    sound, not whether it is the best.

    ``call`` is a dictionary: ``commit`` and ``best_case``, the deals (opportunity ids) in each, the best case
    including the commit; ``number``, the figure for the board, inside its range from ``low`` to ``high``. On the
    pipeline of the quarter's first day (:func:`pipeline_at`):

    * every deal named was open that day and is due in the quarter (its close date falls in it);
    * the best case includes every committed deal;
    * a committed deal has a proposal out or is in negotiation (:data:`COMMIT_STAGES`), and has not sat in its
      stage for more than :data:`STALE_FACTOR` × the median of the open deals in that stage (stage aging): a stale
      deal is reviewed before anyone commits it;
    * 0 ≤ low ≤ number ≤ high.
    """
    if not isinstance(call, dict):
        return [_("Write the call as a dictionary with the keys {keys}.", keys=", ".join(CALL_KEYS))]
    missing = [k for k in CALL_KEYS if k not in call]
    if missing:
        return [_("Your call has no {keys}: it needs {all}.", keys=", ".join(missing), all=", ".join(CALL_KEYS))]
    problems = []
    lists = {k: _deal_ids(call[k]) for k in ("commit", "best_case")}
    for key, ids in lists.items():
        if ids is None:
            problems.append(_("`{key}` should be a list of opportunity ids (text such as 'O000123').", key=key))
    numbers = {k: call[k] for k in ("number", "low", "high")}
    for key, value in numbers.items():
        if not _real(value):
            problems.append(_("`{key}` should be an amount (a number), not {value!r}.", key=key, value=value))
    if problems:
        return problems
    period = pd.Period(quarter, freq="Q")
    start, end = period.start_time, (period + 1).start_time
    pipeline = pipeline_at(history, start).set_index("opportunity_id")
    commit, best = lists["commit"] or [], lists["best_case"] or []
    for deal in dict.fromkeys(commit + best):
        if deal not in pipeline.index:
            problems.append(_("{deal} was not open on {day}: it was closed already, not yet opened, or is not a "
                              "deal of this company. Call only the open pipeline.", deal=deal, day=_date(start)))
        elif not start <= pipeline.loc[deal, "close_date"] < end:
            problems.append(_("{deal} is due on {date}, outside {quarter}. A call counts the deals due in its "
                              "quarter; pull a deal in only once its close date moves, with a reason.",
                              deal=deal, date=_date(pipeline.loc[deal, "close_date"]), quarter=str(period)))
    left_out = [d for d in commit if d not in best]
    if left_out:
        problems.append(_("The best case includes the commit: add {deals} to it, or take them out of the commit.",
                          deals=", ".join(left_out)))
    median_days = pipeline.groupby("stage")["days_in_stage"].median()
    too_old = stale(pipeline)
    for deal in commit:
        if deal not in pipeline.index:
            continue
        stage, days = pipeline.loc[deal, "stage"], float(pipeline.loc[deal, "days_in_stage"])
        if stage not in COMMIT_STAGES:
            problems.append(_("{deal} is only in {stage}: too early to commit. Commit deals with a proposal out or "
                              "in negotiation; it can go in the best case or the pipeline.", deal=deal, stage=stage))
        elif too_old[deal]:
            problems.append(_("{deal} has sat {days:.0f} days in {stage}, more than twice the usual {median:.0f}: "
                              "review it with its rep before you commit it (stale deals are rarely won on time).",
                              deal=deal, days=days, stage=stage, median=median_days[stage]))
    low, number, high = (float(numbers[k]) for k in ("low", "number", "high"))
    if not 0 <= low <= number <= high:
        problems.append(_("The number must sit inside its range, and the range start at 0 or more: low ≤ number ≤ "
                          "high (yours: {low:,.0f} ≤ {number:,.0f} ≤ {high:,.0f}).", low=low, number=number,
                          high=high))
    return problems
