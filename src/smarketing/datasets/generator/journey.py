"""Marketing touches after a lead was created: the nurture e-mails, webinars and content it meets on its way to an
opportunity (the ``later_touchpoints`` table). Drawn after every other table, from a random stream of their own,
so that every other table is the same with or without them. Lead-creation attribution (``touchpoints``) stops at
the lead's creation; W-shaped attribution credits the whole journey, up to the opportunity.

The table keeps the journeys of the leads sales qualified (SQLs), the ones attribution to an opportunity needs:
nurture that never reached sales would triple the data and no analysis of the course reads it.

Assumptions of the synthetic world (grade C): each SQL meets on average one more campaign (Poisson), a lead that
becomes an opportunity at least one before its opportunity was opened, and half a touch more on average while
its deal is worked (until it closes: W-shaped leaves these out, a full-path model would count them); nurture
favours e-mail, webinars and content over ads (:data:`NURTURE`), in proportion to each campaign's spend."""

from __future__ import annotations

import numpy as np
import pandas as pd

from smarketing import schema
from smarketing.datasets.company import END, START
from smarketing.datasets.generator.tables import TOUCH_TYPE_OF_CHANNEL

NURTURE = {"paid_search": 0.3, "paid_social": 0.5, "content": 2.0, "email": 3.0, "webinar": 2.5, "events": 1.0,
           "partner": 0.5, "referral": 0.2}
NURTURE_DAYS = 60  # how long a lead without an opportunity is nurtured after it became an MQL


def later_touches(rng: np.random.Generator, campaigns: pd.DataFrame, leads: pd.DataFrame,
                  opportunities: pd.DataFrame, first_number: int) -> pd.DataFrame:
    """The ``later_touchpoints`` table: for each SQL, touches between its creation and its first opportunity's (or,
    without one, :data:`NURTURE_DAYS` after it became an MQL), then a few while its deal is worked, never past the
    data's end; numbered on from ``first_number``."""
    seconds = np.timedelta64(1, "s")
    mqls = leads[leads["sql_at"].notna()]
    opened = opportunities.groupby("lead_id", observed=True)["created_at"].min()
    opp_at = mqls["lead_id"].map(opened)
    has_opp = opp_at.notna().to_numpy()
    created = ((mqls["created_at"] - START) / seconds).to_numpy(dtype=float)
    nurtured = ((mqls["mql_at"] - START) / seconds).to_numpy(dtype=float) + NURTURE_DAYS * 86_400.0
    until = np.where(has_opp, ((opp_at - START) / seconds).to_numpy(dtype=float, na_value=np.nan), nurtured)
    until = np.minimum(until, (END - START) / seconds - 60)
    count = rng.poisson(1.0, len(mqls)) + has_opp
    count = np.where(until > created + 120, count, 0)  # no room for a touch between creation and the opportunity
    lead = np.repeat(np.arange(len(mqls)), count)
    moment = created[lead] + 60 + rng.uniform(size=len(lead)) * (until[lead] - created[lead] - 120)
    # while the deal is worked: from the opportunity's opening to its close (or the data's end)
    closed = mqls["lead_id"].map(opportunities.groupby("lead_id", observed=True)["closed_at"].max())
    worked_until = np.minimum(np.nan_to_num(((closed - START) / seconds).to_numpy(dtype=float, na_value=np.nan),
                                            nan=np.inf), (END - START) / seconds - 60)
    during = np.where(has_opp & (worked_until > until + 120), rng.poisson(0.5, len(mqls)), 0)
    worked = np.repeat(np.arange(len(mqls)), during)
    later = until[worked] + 60 + rng.uniform(size=len(worked)) * (worked_until[worked] - until[worked] - 120)
    lead, moment = np.concatenate([lead, worked]), np.concatenate([moment, later])
    order = np.lexsort((moment, lead))
    lead, moment = lead[order], np.floor(moment[order] / 60) * 60
    channel = campaigns["channel"].astype(str).to_numpy()
    weights = campaigns["spend"].to_numpy(dtype=float) * np.array([NURTURE[c] for c in channel])
    campaign = rng.choice(len(campaigns), len(lead), p=weights / weights.sum())
    touched = pd.Series(START + moment.astype("int64") * seconds).astype("datetime64[s]")
    chosen = channel[campaign]
    return pd.DataFrame({
        "touchpoint_id": [f"T{first_number + i:08d}" for i in range(len(lead))],
        "lead_id": mqls["lead_id"].to_numpy()[lead],
        "touched_at": touched,
        "channel": pd.Categorical(chosen, categories=schema.CHANNELS),
        "campaign_id": campaigns["campaign_id"].to_numpy()[campaign],
        "touch_type": pd.Categorical([TOUCH_TYPE_OF_CHANNEL[c] for c in chosen], categories=schema.TOUCH_TYPES),
    })
