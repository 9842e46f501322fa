"""Multi-touch attribution: who gets credit for a customer, under each of the classic rules.

A lead meets several campaigns before it converts; an attribution model splits the credit for the
result over those touches. Each model is a rule, not a measurement: comparing them shows how much the
answer to "which channel works?" depends on the rule chosen (module 05).
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
