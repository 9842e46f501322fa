"""What a rep records while selling: the qualification checklist (BANT: budget, authority, need, timeline) filled in
when a deal is opened, and the discount of the deal's final quote. Both are drawn after every other table, from a
random stream of their own, so that every other column is the same with or without them.

The causes, assumptions of the synthetic world (grade C), written so that the course can test them:

* a deal's checklist is a reading of its fate: a deal that will be won has more boxes ticked, and a deal that will
  be lost for a reason tends to miss the matching box (lost on price: no confirmed budget; no decision: no
  decision-maker and no timeline; timing: no timeline; product fit: no confirmed need). A misaligned company's reps
  tick boxes with less care, so its checklist separates winners from losers less well;
* a discount never changes whether a deal is won. Reps discount more when a deal is in trouble on price, in the
  last two weeks of a quarter, and on large accounts; each rep has a habit of their own, and a misaligned company
  gives more away. So the deals with the deepest discounts are won *less* often, which is not what the discount
  did."""

from __future__ import annotations

import numpy as np
import pandas as pd

from smarketing import schema
from smarketing.datasets.generator.profiles import CompanyProfile
from smarketing.datasets.generator.tables import DealDraws
from smarketing.selling import BANT, BANT_COLUMNS, quarter_end

# The chance that a box is ticked for a deal that will be won, and for one that will be lost…
_MET_IF_WON = np.array([0.85, 0.80, 0.90, 0.75])
_MET_IF_LOST = np.array([0.60, 0.55, 0.65, 0.55])
# …unless it is lost for a reason that the box was about.
_MISSED_BY_REASON = {"price": {"budget": 0.25}, "no_decision": {"authority": 0.30, "timeline": 0.35},
                     "timing": {"timeline": 0.20}, "product_fit": {"need": 0.25}, "competitor": {}}
_CARELESS = 0.70  # the chance of a tick from a rep who ticks without checking


def _fates(rng: np.random.Generator, opportunities: pd.DataFrame, p_win: np.ndarray,
           loss_weights: dict[str, float]) -> tuple[np.ndarray, np.ndarray]:
    """Whether each deal is (or, if open, would be) won, and the reason it is (would be) lost ("" if won)."""
    outcome = opportunities["outcome"].astype(str).to_numpy()
    reason = opportunities["loss_reason"].astype(object).fillna("").to_numpy(dtype=object)
    is_open = outcome == "open"
    fate_won = np.where(is_open, rng.uniform(size=len(outcome)) < np.clip(p_win, 0, 0.95), outcome == "won")
    reasons = list(loss_weights)
    weights = np.array([loss_weights[r] for r in reasons])
    drawn = np.array(reasons, dtype=object)[rng.choice(len(reasons), len(outcome), p=weights / weights.sum())]
    fate_reason = np.where(fate_won, "", np.where(is_open, drawn, reason))
    return fate_won, fate_reason


def qualification(rng: np.random.Generator, profile: CompanyProfile, fate_won: np.ndarray,
                  fate_reason: np.ndarray) -> pd.DataFrame:
    """The four BANT boxes of each deal, True where the rep ticked it."""
    chance = np.where(fate_won[:, None], _MET_IF_WON, _MET_IF_LOST)
    for reason, missed in _MISSED_BY_REASON.items():
        for criterion, p in missed.items():
            chance[fate_reason == reason, BANT.index(criterion)] = p
    care = 0.4 + 0.6 * profile.alignment  # how much of the fate the checklist shows
    chance = _CARELESS + care * (chance - _CARELESS)
    ticked = rng.uniform(size=chance.shape) < chance
    return pd.DataFrame(ticked, columns=list(BANT_COLUMNS)).astype("boolean")


def discounts(rng: np.random.Generator, profile: CompanyProfile, opportunities: pd.DataFrame,
              history: pd.DataFrame, segment: np.ndarray, fate_reason: np.ndarray) -> np.ndarray:
    """The discount off the list price of each deal's final quote (NaN for a deal that never reached a proposal)."""
    reached = history.groupby("opportunity_id", observed=True)["stage"].agg(
        lambda s: s.cat.codes.where(s.cat.codes < schema.OPPORTUNITY_STAGES.index("closed_won")).max())
    quoted = (opportunities["opportunity_id"].map(reached).to_numpy(dtype=float)
              >= schema.OPPORTUNITY_STAGES.index("proposal")) | (opportunities["outcome"] == "won").to_numpy()
    owners = opportunities["owner_id"].astype(str)
    codes, unique = pd.factorize(owners, sort=True)
    habit = rng.normal(0.13 - 0.06 * profile.alignment, 0.03, len(unique))[codes]
    in_last_weeks = quarter_end(opportunities["closed_at"]).to_numpy(dtype=bool)
    enterprise = segment == schema.SEGMENTS.index("enterprise")
    discount = (habit + 0.05 * (fate_reason == "price") + 0.05 * in_last_weeks + 0.03 * enterprise
                + rng.normal(0, 0.03, len(opportunities)))
    list_price = rng.uniform(size=len(opportunities)) < 0.15
    discount = np.round(np.clip(np.where(list_price, 0.0, discount), 0.0, 0.4), 2)
    return np.where(quoted, discount, np.nan)


def sales_records(rng: np.random.Generator, profile: CompanyProfile, opportunities: pd.DataFrame,
                  history: pd.DataFrame, draws: DealDraws) -> pd.DataFrame:
    """``opportunities`` with the columns of ``bant_*`` and ``discount`` filled in."""
    fate_won, fate_reason = _fates(rng, opportunities, draws.p_win, draws.loss_weights)
    boxes = qualification(rng, profile, fate_won, fate_reason)
    boxes.index = opportunities.index
    discount = discounts(rng, profile, opportunities, history, draws.segment, fate_reason)
    return opportunities.assign(**boxes, discount=discount)
