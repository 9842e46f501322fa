"""Exercise 05, task 1b: W-shaped attribution over vela's whole journeys (touches before and after each lead's
creation, up to its opportunity: :func:`attribution.won_journeys`, :func:`attribution.w_shaped_credit`). vela is
drawn anew for each cohort: no text here may state one of its numbers."""

from __future__ import annotations

from functools import cache

import pandas as pd

from smarketing import attribution
from smarketing.exercises.shared import company, mistaken
from smarketing.exercises.task import Mistake, Task
from smarketing.exercises.verifiers import number
from smarketing.messages import _

JOURNEY_COMPANY, JOURNEY_CHANNEL = "vela", "email"


@cache
def w_shaped_share(kind: str = "whole journey") -> float:
    """Task 1b: the share of vela's won revenue that W-shaped attribution over the whole journey gives e-mail.
    ``kind`` names a mistake instead: "to creation" (the touches up to the lead's creation only), "past the
    opportunity" (later touches after the opportunity opened kept), "position-based" (the U-shaped rule on the
    whole journey)."""
    c = company(JOURNEY_COMPANY)
    later, deals = c.later_touchpoints, c.opportunities
    if kind == "to creation":
        later = later.iloc[0:0]
    elif kind == "past the opportunity":
        deals = deals.assign(created_at=pd.Timestamp("2100-01-01"))
    model = "position_based" if kind == "position-based" else "w_shaped"
    table = attribution.journey_credit_by_channel(c.touchpoints, later, deals, models=[model])[model]
    return float(table.get(JOURNEY_CHANNEL, 0.0) / table.sum())


def tasks() -> tuple[Task, ...]:
    """Task 1b's part, q10."""
    return (
        Task("q10", "w_shaped_share", number(w_shaped_share, tolerance=1e-6, share=True),
             (_("each won lead's journey is its rows of touchpoints and of later_touchpoints up to the opening of "
                "its first won opportunity; 30 % to its first touch, 30 % to the touch that created the lead (its "
                "last row of touchpoints), 30 % to the last touch before the opportunity, 10 % split over the rest."),
              _("attribution.won_journeys(touchpoints, later_touchpoints, opportunities) builds the journeys with "
                "both marks; attribution.w_shaped_credit(journeys) gives each touch its share of its lead's "
                "revenue. Or attribution.journey_credit_by_channel(..., models=[\"w_shaped\"]).")),
             mistakes=(
                 Mistake(mistaken(w_shaped_share, lambda: w_shaped_share("to creation")),
                         _("you used only the touches up to each lead's creation. W-shaped credits the whole "
                           "journey: add vela.later_touchpoints, up to the opportunity.")),
                 Mistake(mistaken(w_shaped_share, lambda: w_shaped_share("past the opportunity")),
                         _("you kept the touches after the opportunity was opened; the journey W-shaped credits "
                           "ends at the opportunity's creation.")),
                 Mistake(mistaken(w_shaped_share, lambda: w_shaped_share("position-based")),
                         _("that is the position-based (U-shaped) rule on the whole journey; W-shaped also gives "
                           "30 % to the touch that created the lead.")),
             )),
    )
