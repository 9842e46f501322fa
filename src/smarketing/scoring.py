"""Lead scoring you build and check: engagement points that decay with time, and the three checks of a score on
leads it was not built on (#16). A score is worth its name if, on held-out leads, a higher score means a likelier
sale (:func:`auc`), the top-scored leads convert several times better than the average (:func:`lift_table`), and
a predicted chance matches the share that converts (:func:`calibration_table`).

Sources: Fawcett, T. (2006). An introduction to ROC analysis. *Pattern Recognition Letters* 27(8), 861–874,
https://doi.org/10.1016/j.patrec.2005.10.010 (the AUC as the chance that a random positive outranks a random
negative); the lift and calibration tables are the standard deciles of direct-marketing and credit scoring.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from smarketing.messages import _


def _aligned(scores: pd.Series | np.ndarray, outcomes: pd.Series | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    score = np.asarray(scores, dtype=float)
    outcome = np.asarray(outcomes, dtype=float)
    if score.shape != outcome.shape:
        raise ValueError(_("scores and outcomes must have one value per lead (got {scores} and {outcomes}).",
                           scores=len(score), outcomes=len(outcome)))
    if not np.isin(outcome[~np.isnan(outcome)], (0.0, 1.0)).all():
        raise ValueError(_("outcomes must be 1 (converted) or 0 (did not), one per lead."))
    keep = ~np.isnan(score) & ~np.isnan(outcome)
    return score[keep], outcome[keep]


def auc(scores: pd.Series | np.ndarray, outcomes: pd.Series | np.ndarray) -> float:
    """The area under the ROC curve: the chance that a lead that converted has a higher score than one that did
    not (ties count half). 0.5 is a coin toss, 1 a perfect ranking. nan if either kind of lead is missing."""
    score, outcome = _aligned(scores, outcomes)
    positives, negatives = int(outcome.sum()), int((1 - outcome).sum())
    if not positives or not negatives:
        return float("nan")
    ranks = pd.Series(score).rank(method="average").to_numpy()  # ties share their average rank
    return float((ranks[outcome == 1].sum() - positives * (positives + 1) / 2) / (positives * negatives))


def lift_table(scores: pd.Series | np.ndarray, outcomes: pd.Series | np.ndarray, groups: int = 10) -> pd.DataFrame:
    """Leads in ``groups`` equal groups by score, best first: leads, converted, rate, lift (the group's rate ÷ the
    rate of all leads) and the share of all conversions captured by this group and the ones above it."""
    score, outcome = _aligned(scores, outcomes)
    if len(score) < groups:
        raise ValueError(_("{groups} groups need at least {groups} leads with a score (got {count}).",
                           groups=groups, count=len(score)))
    order = np.argsort(-score, kind="stable")
    group = np.empty(len(score), dtype=int)
    group[order] = np.arange(len(score)) * groups // len(score) + 1
    table = pd.DataFrame({"group": group, "converted": outcome}).groupby("group")["converted"].agg(
        leads="size", converted="sum")
    table["rate"] = table["converted"] / table["leads"]
    overall = outcome.mean()
    table["lift"] = table["rate"] / overall if overall else np.nan
    total = table["converted"].sum()
    table["captured"] = table["converted"].cumsum() / total if total else np.nan
    return table


def calibration_table(chances: pd.Series | np.ndarray, outcomes: pd.Series | np.ndarray,
                      bins: int = 10) -> pd.DataFrame:
    """Predicted chances against what happened: leads in ``bins`` equal-width bins of their predicted chance (0 to
    1), with the mean chance predicted and the share that converted. A calibrated score has the two close in
    every bin with enough leads. Empty bins are left out."""
    chance, outcome = _aligned(chances, outcomes)
    if ((chance < 0) | (chance > 1)).any():
        raise ValueError(_("A predicted chance is a share from 0 to 1; convert points to chances first."))
    which = np.minimum((chance * bins).astype(int), bins - 1)
    table = pd.DataFrame({"bin": which, "predicted": chance, "converted": outcome}).groupby("bin").agg(
        leads=("converted", "size"), predicted=("predicted", "mean"), converted=("converted", "mean"))
    table.index = [f"{b / bins:.0%}–{(b + 1) / bins:.0%}" for b in table.index]
    return table.rename_axis("predicted chance")


def decayed_engagement(touchpoints: pd.DataFrame, at: str | pd.Timestamp, points: Mapping[str, float],
                       half_life_days: float = 30.0) -> pd.Series:
    """Each lead's engagement score at ``at``: the points of each of its touches up to ``at`` (by touch type, e.g.
    ``{"webinar": 10, "content_download": 5}``; other types count 0), each halved for every ``half_life_days``
    of its age, so that a lead that went quiet cools down. Indexed by lead_id."""
    if half_life_days <= 0:
        raise ValueError(_("half_life_days must be above zero (got {value}).", value=half_life_days))
    moment = pd.Timestamp(at)
    seen = touchpoints[touchpoints["touched_at"] <= moment]
    age = (moment - seen["touched_at"]).dt.total_seconds() / 86_400
    worth = seen["touch_type"].astype(str).map(dict(points)).fillna(0.0).astype(float)
    return (worth * 0.5 ** (age / half_life_days)).groupby(seen["lead_id"]).sum().rename("engagement")


def split_by_time(leads: pd.DataFrame, share_held_out: float = 0.3) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The leads to build a score on and the later ones to check it on: the last ``share_held_out`` of them by
    creation time are held out, as the score will be used on leads that come after the ones it learned from."""
    if not 0 < share_held_out < 1:
        raise ValueError(_("share_held_out must be between 0 and 1 (got {value}).", value=share_held_out))
    ordered = leads.sort_values("created_at", kind="stable")
    cut = int(round(len(ordered) * (1 - share_held_out)))
    return ordered.iloc[:cut], ordered.iloc[cut:]


def score_check(leads: pd.DataFrame, share_held_out: float = 0.3) -> pd.Series:
    """A company's lead score checked on its latest leads (:func:`split_by_time`) against whether each became an
    SQL: how many leads were held out, the AUC over all of them and among the MQLs alone, and the lift of the top
    tenth by score (:func:`lift_table`)."""
    _built, held_out = split_by_time(leads, share_held_out)
    became = held_out["sql_at"].notna().astype(int)
    mqls = held_out["mql_at"].notna().to_numpy()
    top = lift_table(held_out["score"], became)["lift"].iloc[0] if len(held_out) >= 10 else float("nan")
    return pd.Series({"held-out leads": len(held_out), "AUC, all leads": auc(held_out["score"], became),
                      "AUC among the MQLs": auc(held_out["score"][mqls], became[mqls]),
                      "lift of the top tenth": top}, name="score check")


def fit_points(leads: pd.DataFrame, outcomes: pd.Series | np.ndarray, columns: Sequence[str] = ("segment",
               "channel", "region"), scale: float = 10.0, smoothing: float = 20.0) -> pd.DataFrame:
    """Fit points for what a lead *is* (its fit: segment, channel, region…) from leads whose outcome is known: for
    each value of each column, ``scale`` × log2(the value's conversion rate ÷ the rate of all leads), rounded, so
    that a value converting twice as often as average earns ``scale`` points and half as often loses them.

    Rates are shrunk towards the average by ``smoothing`` leads' worth of it ((converted + smoothing × average) ÷
    (leads + smoothing)), so that a rare value with a lucky win does not earn a fortune. These are the
    weight-of-evidence points of credit scorecards, on a base-2 scale. Columns column, value, leads, converted,
    rate and points, one row per value."""
    outcome = np.asarray(outcomes, dtype=float)
    if len(outcome) != len(leads) or np.isnan(outcome).any() or not np.isin(outcome, (0.0, 1.0)).all():
        raise ValueError(_("outcomes must be 0 or 1 for every lead (got {count} values for {leads} leads).",
                           count=len(outcome), leads=len(leads)))
    average = outcome.mean() if len(outcome) else float("nan")
    if not 0 < average < 1:
        raise ValueError(_("points need leads that converted and leads that did not; these leads all did the "
                           "same."))
    rows = []
    for column in columns:
        values = leads[column].astype(object).where(leads[column].notna(), _("unknown")).to_numpy()
        table = pd.DataFrame({"value": values, "converted": outcome}).groupby("value", sort=True)["converted"] \
            .agg(["size", "sum"])
        rate = (table["sum"] + smoothing * average) / (table["size"] + smoothing)
        rows.append(pd.DataFrame({"column": column, "value": table.index.astype(str), "leads": table["size"].to_numpy(),
                                  "converted": table["sum"].to_numpy().astype(int), "rate": rate.to_numpy(),
                                  "points": np.round(scale * np.log2(rate.to_numpy() / average)).astype(int)}))
    return pd.concat(rows, ignore_index=True)


def apply_points(leads: pd.DataFrame, points: pd.DataFrame) -> pd.Series:
    """Each lead's fit points by a table of :func:`fit_points`: the sum of the points of its values; a value the
    table has not seen adds none. Indexed like ``leads``."""
    total = pd.Series(0, index=leads.index, dtype=int)
    for column, part in points.groupby("column", sort=False):
        lookup = dict(zip(part["value"], part["points"], strict=True))
        values = leads[column].astype(object).where(leads[column].notna(), _("unknown")).astype(str)
        total += values.map(lookup).fillna(0).astype(int)
    return total


FIT_COLUMNS = ("segment", "channel", "region")  # what a lead is, as the course's leads record it


def learned_points(leads: pd.DataFrame, share_held_out: float = 0.3, columns: Sequence[str] = FIT_COLUMNS
                   ) -> pd.DataFrame:
    """The fit points (:func:`fit_points`, against becoming an SQL) learned on a company's earlier leads, those
    that :func:`split_by_time` does not hold out, from the ``columns`` its leads fill."""
    built, _held_out = split_by_time(leads, share_held_out)
    return _fit_on(built, leads, columns)


def _fit_on(built: pd.DataFrame, leads: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Fit points on the ``built`` leads, from the ``columns`` that ``leads`` fill."""
    used = [c for c in columns if c in leads and leads[c].notna().any()]
    return fit_points(built, built["sql_at"].notna().astype(int), used)


def fit_check(leads: pd.DataFrame, share_held_out: float = 0.3, columns: Sequence[str] = FIT_COLUMNS) -> pd.Series:
    """Fit points (:func:`fit_points`) learned on a company's earlier leads, against becoming an SQL, checked with
    its lead score on the later ones (:func:`split_by_time`): the AUC over all held-out leads and among the MQLs
    alone, for the score, the fitted points, and the two added up. Only the ``columns`` the leads fill are used."""
    built, held_out = split_by_time(leads, share_held_out)  # once: it sorts every lead
    points = apply_points(held_out, _fit_on(built, leads, columns))
    became = held_out["sql_at"].notna().astype(int).to_numpy()
    mqls = held_out["mql_at"].notna().to_numpy()
    rankings = {"score": held_out["score"].astype(float).to_numpy(), "fit points": points.to_numpy(dtype=float)}
    rankings["score + fit points"] = rankings["score"] + rankings["fit points"]
    return pd.Series({**{f"AUC, all leads: {name}": auc(r, became) for name, r in rankings.items()},
                      **{f"AUC, MQLs: {name}": auc(r[mqls], became[mqls]) for name, r in rankings.items()}},
                     name="held-out leads")
