"""Multi-touch attribution: who gets credit for a customer, under each of the classic rules.

A lead meets several campaigns before it converts; an attribution model splits the credit for the
result over those touches. Each model is a rule, not a measurement: comparing them shows how much the
answer to "which channel works?" depends on the rule chosen (module 05).

Two journeys, as attribution tools keep them (Marketo Measure's "buyer touchpoints" and "buyer attribution
touchpoints"): the touches up to a lead's creation (``touchpoints``; :func:`credit_by_channel`), and the whole
journey up to the opportunity (``touchpoints`` and ``later_touchpoints``; :func:`journey_credit_by_channel`),
which W-shaped attribution needs: 30 % each to the first touch, the lead-creation touch and the
opportunity-creation touch, 10 % over the rest (:func:`w_shaped_credit`).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from smarketing.messages import _

MODELS = ("first_touch", "last_touch", "linear", "time_decay", "position_based")
MODEL_LABELS = {"first_touch": "first touch", "last_touch": "last touch", "linear": "linear",
                "time_decay": "time decay", "position_based": "position-based (40/20/40)"}


def touch_credit(touchpoints: pd.DataFrame, model: str, half_life_days: float = 7.0) -> pd.Series:
    """The share of its lead's credit that each touchpoint receives (the shares of one lead sum to 1).

    * first_touch / last_touch: all credit to the first / last touch;
    * linear: equal shares;
    * time_decay: weight halves for every ``half_life_days`` a touch came before the last one;
    * position_based (U-shaped): 40 % first, 40 % last, 20 % spread over the touches between
      (50/50 with two touches, 100 % with one).

    Vectorised: one sort of the touchpoints, whatever their number. Index: the touchpoints' index.
    """
    if model not in MODELS:
        raise ValueError(_("Unknown attribution model '{model}'. Choose one of: {known}.", model=model,
                           known=", ".join(MODELS)))
    missing = [c for c in ("lead_id", "touched_at") if c not in touchpoints.columns]
    if missing:
        raise ValueError(_("The touchpoints table is missing column(s) {columns}.", columns=", ".join(missing)))
    if not half_life_days > 0:
        raise ValueError(_("half_life_days must be above zero (got {value}).", value=half_life_days))
    ordered = touchpoints.sort_values(["lead_id", "touched_at"], kind="stable")
    lead = ordered["lead_id"]
    position = lead.groupby(lead, sort=False).cumcount().to_numpy()
    count = lead.map(lead.value_counts()).to_numpy()
    first, last = position == 0, position == count - 1
    if model == "first_touch":
        credit = first.astype(float)
    elif model == "last_touch":
        credit = last.astype(float)
    elif model == "linear":
        credit = 1.0 / count
    elif model == "position_based":
        middle = np.where(count > 2, 0.2 / np.maximum(count - 2, 1), 0.0)
        ends = np.where(count == 1, 1.0, np.where(count == 2, 0.5, 0.4))
        credit = np.where(first | last, ends, middle)
    else:
        moment = ordered["touched_at"]
        days_before_last = (moment.groupby(lead, sort=False).transform("max") - moment).dt.total_seconds() / 86_400
        weight = np.power(0.5, days_before_last.to_numpy() / half_life_days)
        credit = weight / pd.Series(weight).groupby(lead.to_numpy(), sort=False).transform("sum").to_numpy()
    return pd.Series(credit, index=ordered.index, name="credit").reindex(touchpoints.index)


def won_revenue_by_lead(opportunities: pd.DataFrame) -> pd.Series:
    """Won deal amounts summed per lead."""
    won = opportunities[opportunities["outcome"] == "won"]
    return won.groupby("lead_id")["amount"].sum()


def credit_by_channel(touchpoints: pd.DataFrame, opportunities: pd.DataFrame,
                      models: Iterable[str] = MODELS, half_life_days: float = 7.0) -> pd.DataFrame:
    """Won revenue credited to each channel under each model: rows channels, columns models.

    Only the journeys of leads that became customers count; every column sums to the total won
    revenue of those leads, so the models differ only in how they split it.
    """
    revenue = won_revenue_by_lead(opportunities)
    journeys = touchpoints[touchpoints["lead_id"].isin(revenue.index)]
    value = journeys["lead_id"].map(revenue).to_numpy()
    channel = journeys["channel"].astype(str)
    columns = {m: pd.Series(touch_credit(journeys, m, half_life_days).to_numpy() * value, index=journeys.index)
               .groupby(channel).sum() for m in models}
    table = pd.DataFrame(columns).fillna(0.0)
    table.index.name, table.columns.name = "channel", "model"
    return table.sort_values(next(iter(table.columns)), ascending=False, kind="stable")


JOURNEY_MODELS = ("first_touch", "w_shaped", "position_based", "linear", "last_touch")
JOURNEY_LABELS = {**MODEL_LABELS, "w_shaped": "W-shaped (30/30/30 + 10)",
                  "last_touch": "last touch (opportunity creation)"}


def won_journeys(touchpoints: pd.DataFrame, later_touchpoints: pd.DataFrame,
                 opportunities: pd.DataFrame) -> pd.DataFrame:
    """The whole journey of every lead that was won: its touches up to its creation (``touchpoints``) and after it
    (``later_touchpoints``) up to the creation of its first won opportunity, in time order, with two marks:
    ``lead_created`` (the last touch of ``touchpoints``: the one that created the lead) and ``opportunity_created``
    (the last touch of the journey, the one nearest the opportunity's opening)."""
    won = opportunities[opportunities["outcome"].astype(str) == "won"]
    opened = won.groupby("lead_id", observed=True)["created_at"].min()
    before = touchpoints[touchpoints["lead_id"].isin(opened.index)].assign(_part=0)
    after = later_touchpoints[later_touchpoints["lead_id"].isin(opened.index)].assign(_part=1)
    after = after[after["touched_at"] <= after["lead_id"].map(opened)]
    journey = pd.concat([before, after], ignore_index=True).sort_values(["lead_id", "_part", "touched_at"],
                                                                         kind="stable")
    lead = journey["lead_id"]
    last_of_lead = ~lead.duplicated(keep="last")
    last_before = journey["_part"].eq(0) & ~journey.loc[journey["_part"].eq(0), "lead_id"].duplicated(
        keep="last").reindex(journey.index, fill_value=True)
    journey = journey.assign(lead_created=last_before.to_numpy(), opportunity_created=last_of_lead.to_numpy())
    return journey.drop(columns="_part").reset_index(drop=True)


def w_shaped_credit(journeys: pd.DataFrame) -> pd.Series:
    """The share of its lead's credit each touch of :func:`won_journeys` receives under the W-shaped rule: 30 % to
    the first touch, 30 % to the lead-creation touch, 30 % to the opportunity-creation touch (a touch that is two
    of them gets both shares), and 10 % split evenly over the other touches; a journey with no other touch gives
    that 10 % to its key touches in proportion, so that each lead's shares sum to 1."""
    missing = [c for c in ("lead_id", "lead_created", "opportunity_created") if c not in journeys.columns]
    if missing:
        raise ValueError(_("W-shaped credit needs the marks of attribution.won_journeys; missing column(s) "
                           "{columns}.", columns=", ".join(missing)))
    lead = journeys["lead_id"]
    first = ~lead.duplicated(keep="first")
    key = 0.3 * (first.astype(float) + journeys["lead_created"].astype(float)
                 + journeys["opportunity_created"].astype(float))
    other = key == 0
    others = other.groupby(lead).transform("sum")
    credit = np.where(other, 0.1 / others.clip(lower=1), key)
    credit = pd.Series(credit, index=journeys.index)
    return (credit / credit.groupby(lead).transform("sum")).rename("credit")


def journey_credit_by_channel(touchpoints: pd.DataFrame, later_touchpoints: pd.DataFrame,
                              opportunities: pd.DataFrame, models: Iterable[str] = JOURNEY_MODELS) -> pd.DataFrame:
    """Won revenue credited to each channel over the whole journey (:func:`won_journeys`), under each model:
    W-shaped (:func:`w_shaped_credit`), or one of :data:`MODELS` applied to the whole journey (its last touch is
    then the one nearest the opportunity). Rows channels, columns models; every column sums to the won revenue."""
    models = list(models)
    unknown = [m for m in models if m not in (*MODELS, "w_shaped")]
    if unknown:
        raise ValueError(_("Unknown attribution model '{model}'. Choose one of: {known}.", model=unknown[0],
                           known=", ".join(JOURNEY_MODELS)))
    journeys = won_journeys(touchpoints, later_touchpoints, opportunities)
    value = journeys["lead_id"].map(won_revenue_by_lead(opportunities)).to_numpy()
    channel = journeys["channel"].astype(str)
    columns = {}
    for model in models:
        credit = w_shaped_credit(journeys) if model == "w_shaped" else touch_credit(journeys, model)
        columns[model] = pd.Series(credit.to_numpy() * value, index=journeys.index).groupby(channel).sum()
    table = pd.DataFrame(columns).fillna(0.0)
    table.index.name, table.columns.name = "channel", "model"
    return table.sort_values(models[0], ascending=False, kind="stable")

