"""How marketing and sales are organised: Kotler, Rackham & Krishnaswamy's diagnostic of the relationship.

The diagnostic ("How well do Sales and Marketing work together?", in Kotler, Rackham & Krishnaswamy 2006) asks the
heads of both functions, and their staffs, to rate 20 statements from 1 (strongly disagree) to 5 (strongly agree);
the total, from 20 to 100, places the relationship in one of four stages (:data:`STAGES`). The authors add that
several companies found their sales and marketing staffs rating it quite differently, a finding in itself:
:func:`perception_gap` puts both views side by side.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from smarketing.messages import _

STATEMENTS = 20
# Each stage with the lowest total that reaches it (the article's scoring key: 20–39, 40–59, 60–79, 80–100).
STAGES = (("undefined", 20), ("defined", 40), ("aligned", 60), ("integrated", 80))


@dataclass(frozen=True)
class Diagnosis:
    """One respondent's (or one side's) total and the stage it places the relationship in."""

    total: int
    stage: str


def _ratings(ratings: Sequence[int], who: str = "") -> list[int]:
    values = list(ratings)
    label = f"{who}: " if who else ""
    if len(values) != STATEMENTS:
        raise ValueError(_("{label}the diagnostic has {expected} statements; got {count} ratings. Rate every "
                           "statement from 1 (strongly disagree) to 5 (strongly agree).", label=label,
                           expected=STATEMENTS, count=len(values)))
    wrong = [f"{i}: {v!r}" for i, v in enumerate(values, start=1)
             if isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= 5]
    if wrong:
        raise ValueError(_("{label}each rating is a whole number from 1 (strongly disagree) to 5 (strongly agree); "
                           "these are not: {wrong}.", label=label, wrong=", ".join(wrong[:5])))
    return values


def stage_of(total: int) -> str:
    """The stage of the relationship that a total from 20 to 100 places it in."""
    if not STATEMENTS <= total <= 5 * STATEMENTS:
        raise ValueError(_("a total of the diagnostic lies from {low} to {high}; got {total}.", low=STATEMENTS,
                           high=5 * STATEMENTS, total=total))
    return [stage for stage, lowest in STAGES if total >= lowest][-1]


def diagnose(ratings: Sequence[int]) -> Diagnosis:
    """Add up 20 ratings (1–5) and place the relationship in its stage."""
    total = sum(_ratings(ratings))
    return Diagnosis(total, stage_of(total))


def perception_gap(sales: Sequence[int], marketing: Sequence[int]) -> pd.DataFrame:
    """Each statement rated by sales and by marketing, the difference (sales − marketing), and a last row "total"
    with both totals; ``.attrs["stages"]`` holds the stage each side's total places the relationship in."""
    table = pd.DataFrame({"sales": _ratings(sales, _("sales")), "marketing": _ratings(marketing, _("marketing"))},
                         index=pd.RangeIndex(1, STATEMENTS + 1, name="statement"))
    table["difference"] = table["sales"] - table["marketing"]
    totals = table.sum()
    table.loc["total"] = totals
    table.attrs["stages"] = {side: stage_of(int(totals[side])) for side in ("sales", "marketing")}
    return table
