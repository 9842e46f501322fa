"""Sales craft in the data: qualification checklists and discounts, from a company's opportunities.

Qualification frameworks turn "is this a real opportunity?" into questions a rep answers before the company
spends a salesperson's weeks on a deal. BANT (budget, authority, need, timeline) is the oldest; MEDDIC (metrics,
economic buyer, decision criteria, decision process, identify pain, champion) asks for more in complex B2B sales.
The synthetic companies record BANT as four boxes on each deal (``bant_*``), so a checklist can be tested as any
score is: does it separate the deals that were won from those that were lost (:func:`checklist_win_rates`,
:func:`win_rates_by_boxes`)?

Discounts: the share off the list price in a deal's final quote (``discount``). :func:`discount_bands` compares
win rates across discounts; :func:`quarter_end_discounts` and :func:`discounts_by_rep` show where discounts come
from; :func:`given_away` what they cost. Win rates by discount are an observational comparison: reps discount the
deals that are in trouble, so a deep discount goes with losing whether or not it changed anything.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from smarketing import kpis
from smarketing.forecasting import win_rates_by
from smarketing.messages import _
from smarketing.schema import BANT

BANT_COLUMNS = tuple(f"bant_{criterion}" for criterion in BANT)
DISCOUNT_EDGES = (0.0, 0.05, 0.10, 0.15, 0.20)  # bands [0, 5 %), [5, 10 %), …, [20 %, 100 %]
QUARTER_END_DAYS = 14


def _closed(opportunities: pd.DataFrame) -> pd.DataFrame:
    return opportunities[opportunities["outcome"].astype(str).isin(["won", "lost"])]


def _quoted(opportunities: pd.DataFrame) -> pd.DataFrame:
    """The closed deals that got a quote (a discount recorded), after checking the column is there."""
    _require(opportunities, ("discount",), _("quote discounts"))
    closed = _closed(opportunities)
    return closed[closed["discount"].notna()]


def _require(opportunities: pd.DataFrame, columns: tuple[str, ...], what: str) -> None:
    absent = [c for c in columns if c not in opportunities.columns]
    if absent:
        raise ValueError(_("The opportunities have no {what} (columns {columns} are missing). A CRM export rarely "
                           "holds them: add them to your export, or use a course company.", what=what,
                           columns=", ".join(absent)))


def checklist_win_rates(opportunities: pd.DataFrame) -> pd.DataFrame:
    """For each BANT box, the closed deals with it ticked and not ticked, the win rate of each
    (:func:`smarketing.kpis.win_rate`) and the difference in points (ticked − not ticked): how well that one
    question tells winners from losers. Deals with the box left empty are left out. Sorted by the difference,
    largest first."""
    _require(opportunities, BANT_COLUMNS, _("qualification checklist"))
    closed = _closed(opportunities)
    won = closed["outcome"].astype(str) == "won"
    rows = {}
    for criterion, column in zip(BANT, BANT_COLUMNS, strict=True):
        box = closed[column]
        known = box.notna()
        ticked = known & box.fillna(False).astype(bool)
        unticked = known & ~ticked
        rows[criterion] = {
            "ticked": int(ticked.sum()), "not_ticked": int(unticked.sum()),
            "win_rate_ticked": kpis.win_rate(int((won & ticked).sum()), int((~won & ticked).sum())),
            "win_rate_not_ticked": kpis.win_rate(int((won & unticked).sum()), int((~won & unticked).sum())),
        }
    table = pd.DataFrame.from_dict(rows, orient="index").rename_axis("criterion")
    table["difference"] = table["win_rate_ticked"] - table["win_rate_not_ticked"]
    return table.sort_values("difference", ascending=False, kind="stable")


def boxes_ticked(opportunities: pd.DataFrame) -> pd.Series:
    """How many of the four BANT boxes each deal has ticked (0–4); NaN where any box is empty."""
    _require(opportunities, BANT_COLUMNS, _("qualification checklist"))
    boxes = opportunities[list(BANT_COLUMNS)]
    count = boxes.fillna(False).astype(bool).sum(axis=1).astype(float)
    return count.where(boxes.notna().all(axis=1)).rename("boxes_ticked")


def win_rates_by_boxes(opportunities: pd.DataFrame) -> pd.DataFrame:
    """Win rate of the closed deals by the number of BANT boxes ticked (:func:`boxes_ticked`): won, lost and
    win_rate for 0 to 4 boxes (a count no closed deal has is left out)."""
    count = boxes_ticked(opportunities)
    known = count.notna()
    table = win_rates_by(opportunities[known], count[known].astype(int).rename("boxes_ticked"))
    table.index = table.index.astype(int)
    return table.sort_index()


def discount_bands(opportunities: pd.DataFrame, edges: tuple[float, ...] = DISCOUNT_EDGES) -> pd.DataFrame:
    """The closed deals that got a quote, by discount band (the lower edge included): won, lost, win rate and the
    median discount of each band. Bands are labelled "0–5 %", …, "20 % or more"."""
    quoted = _quoted(opportunities)
    if list(edges) != sorted(set(edges)) or not edges or edges[0] < 0 or edges[-1] >= 1:
        raise ValueError(_("edges must rise from 0 and stay below 1 (shares of the list price), such as "
                           "(0, 0.05, 0.1); got {edges}.", edges=edges))
    percent = [round(100 * e) for e in edges]
    labels = [f"{a}–{b} %" for a, b in zip(percent, percent[1:], strict=False)] + [_("{low} % or more",
                                                                                      low=percent[-1])]
    band = pd.cut(quoted["discount"], [*edges, np.inf], right=False, labels=labels)
    table = win_rates_by(quoted, band.astype(str).rename("discount_band")).reindex(labels).dropna(how="all")
    table["median_discount"] = quoted["discount"].groupby(band.astype(str)).median()
    return table.astype({"won": int, "lost": int})


def quarter_end(closed_at: pd.Series, days: int = QUARTER_END_DAYS) -> pd.Series:
    """Whether each date falls in the last ``days`` days of its calendar quarter (False where there is none)."""
    moments = pd.to_datetime(closed_at)
    left = (moments.dt.to_period("Q").dt.end_time.dt.normalize() - moments.dt.normalize()).dt.days
    return (left < days).fillna(False).astype(bool).rename("quarter_end")


def quarter_end_discounts(opportunities: pd.DataFrame, days: int = QUARTER_END_DAYS) -> pd.DataFrame:
    """The closed deals with a quote, split by whether they closed in the last ``days`` days of a quarter: deals,
    median and mean discount, and win rate of each group (index "last {days} days" and "earlier")."""
    quoted = _quoted(opportunities)
    late = quarter_end(quoted["closed_at"], days)
    group = late.map({True: _("last {days} days", days=days), False: _("earlier")}).rename("closed")
    table = win_rates_by(quoted, group)
    table.insert(0, "deals", table["won"] + table["lost"])
    table["median_discount"] = quoted["discount"].groupby(group).median()
    table["mean_discount"] = quoted["discount"].groupby(group).mean()
    return table


def discounts_by_rep(opportunities: pd.DataFrame, min_deals: int = 5) -> pd.DataFrame:
    """Each rep (``owner_id``) with at least ``min_deals`` closed deals with a quote: deals, median discount and
    win rate, deepest discounter first."""
    quoted = _quoted(opportunities)
    table = win_rates_by(quoted, "owner_id")
    table.insert(0, "deals", table["won"] + table["lost"])
    table["median_discount"] = quoted["discount"].groupby(quoted["owner_id"].astype(str)).median()
    table = table[table["deals"] >= min_deals]
    return table.sort_values(["median_discount", "deals"], ascending=False, kind="stable")


def given_away(opportunities: pd.DataFrame, by: str | None = None) -> pd.DataFrame:
    """What discounts cost on the deals won with a quote: their number, their value at list price (amount ÷
    (1 − discount)), the amount booked and the difference given away, in whole currency units, and its share of the
    list value. One row,
    "all", or one per value of the column ``by`` (such as "owner_id")."""
    _require(opportunities, ("discount",), _("quote discounts"))
    if (opportunities["discount"] >= 1).any():
        raise ValueError(_("A discount of 100 % or more is not a price: discounts are shares of the list price, "
                           "such as 0.12 for 12 %."))
    won = opportunities[(opportunities["outcome"].astype(str) == "won") & opportunities["discount"].notna()]
    key = won[by].astype(str) if by else pd.Series("all", index=won.index)
    frame = pd.DataFrame({"deals": 1, "list_value": won["amount"] / (1 - won["discount"]), "booked": won["amount"]})
    table = frame.groupby(key.rename(by or "deals_won")).sum()
    if table.empty and not by:
        table = pd.DataFrame({"deals": [0], "list_value": [0.0], "booked": [0.0]}, index=pd.Index(["all"]))
    table["given_away"] = table["list_value"] - table["booked"]
    table["share_given_away"] = table["given_away"] / table["list_value"].where(table["list_value"] > 0)
    # whole currency units, as a price list shows them (the share is taken before rounding)
    return table.round({"list_value": 0, "booked": 0, "given_away": 0})
