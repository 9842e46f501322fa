"""How the synthetic companies route leads to sales reps: by territory (the lead's region) and by who was on the
staff on the day. Module 04 reads territories from the result, so the routing is a rule of its own, apart from
the tables that use it."""

from __future__ import annotations

import numpy as np
import pandas as pd

from smarketing import schema
from smarketing.datasets.company import START


def territory_owners(employees: pd.DataFrame, region: np.ndarray, mql: np.ndarray, draw: np.ndarray) -> np.ndarray:
    """The row in ``employees`` of the rep who owns each MQL: one of the sales reps of the lead's region already
    hired when it became an MQL (``draw`` picks which), as territories route leads; where that region had no rep
    yet, one of the reps of any region hired by then. Before the first of today's reps was hired, the staff list
    cannot name the rep (they have left), so any of today's reps stands in. Otherwise no rep owns a lead from
    before their first day, and a region's reps own its leads (module 04 reads territories)."""
    reps = np.flatnonzero(((employees["function"] == "sales") & (employees["level"] == 1)).to_numpy())
    hired = ((employees["hire_date"].to_numpy()[reps] - START) / np.timedelta64(1, "s")).astype(float)
    reps, hired = reps[np.argsort(hired, kind="stable")], np.sort(hired, kind="stable")
    rep_region = employees["region"].to_numpy()[reps]
    moment = np.nan_to_num(mql, nan=np.inf)
    on_board = np.searchsorted(hired, moment, side="right")
    owner = reps[draw % np.where(on_board > 0, on_board, len(reps))]  # anyone hired by then, or anyone at all
    for code, name in enumerate(schema.REGIONS):  # four regions: a loop over territories, not over rows
        local = np.flatnonzero(rep_region == name)
        mine = np.flatnonzero(region == code)
        local_on_board = np.searchsorted(hired[local], moment[mine], side="right")  # this region's, hired by then
        covered = local_on_board > 0
        owner[mine[covered]] = reps[local][draw[mine[covered]] % local_on_board[covered]]
    return owner

