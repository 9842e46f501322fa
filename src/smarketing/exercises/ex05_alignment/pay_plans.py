"""Exercise 05, task 8: argo's pay plans, simulated on its own leads (:mod:`smarketing.datasets.generator.pay`): the
threshold a shared revenue target leads marketing to choose, and the SQLs it gains over paying per MQL. argo is
drawn anew for each cohort: no text here may state one of its numbers."""

from __future__ import annotations

from functools import cache

import pandas as pd

from smarketing.datasets.generator import pay
from smarketing.exercises.shared import company, mistaken
from smarketing.exercises.task import Mistake, Task
from smarketing.exercises.verifiers import number
from smarketing.messages import _

PAY_COMPANY = "argo"


@cache
def _sqls(sla: bool) -> pd.Series:
    return pay.sqls_by_threshold(company(PAY_COMPANY), sla=sla)


def shared_threshold(sla: bool = True) -> float:
    """Task 8a: the threshold that gives argo the most SQLs when sales keeps the SLA (``sla`` False: the mistake of
    taking the threshold of per-SQL pay, where sales works alone)."""
    return float(_sqls(sla).idxmax())


def sql_gain(baseline: str = "per_mql", absolute: bool = False) -> float:
    """Task 8b: the SQLs of a shared revenue target over those of paying per MQL, as a share (``absolute``: the
    difference in SQLs; ``baseline="data"``: argo's real SQLs as the baseline; ``baseline="shared"``: divided by the
    shared target's SQLs)."""
    shared = float(_sqls(True).max())
    if baseline == "data":
        per_mql = float(company(PAY_COMPANY).leads["sql_at"].notna().sum())
    else:
        per_mql = float(_sqls(False).loc[pay.THRESHOLDS[0]])
    if absolute:
        return shared - per_mql
    return (shared - per_mql) / (shared if baseline == "shared" else per_mql)


def tasks() -> tuple[Task, ...]:
    """Task 8's parts, q9a and q9b."""
    return (
        Task("q9a", "shared_threshold", number(shared_threshold, tolerance=1e-9),
             (_("under a shared revenue target sales keeps a written SLA, and marketing hands over the leads above "
                "the threshold that gives the most SQLs."),
              _("pay.sqls_by_threshold(argo, sla=True) gives the SQLs at each threshold; take the threshold (the "
                "index) of the largest, with .idxmax().")),
             mistakes=(
                 Mistake(mistaken(shared_threshold, lambda: shared_threshold(sla=False)),
                         _("that is the best threshold when sales works alone (pay per SQL). Under a shared target "
                           "sales keeps the SLA: use sla=True.")),
             )),
        Task("q9b", "sql_gain", number(sql_gain, share=True),
             (_("take the SQLs at the best threshold with the SLA (the shared target), and the SQLs at the lowest "
                "threshold sales accepts, 40, without it (pay per MQL); the gain is their difference ÷ the "
                "per-MQL SQLs."),
              _("both come from pay.sqls_by_threshold(argo, sla=...): .max() of the one with sla=True, and the value "
                "at 40 of the one with sla=False. pay.pay_plans(argo) shows both in its sqls column.")),
             mistakes=(
                 Mistake(mistaken(sql_gain, lambda: sql_gain(absolute=True)),
                         _("that is the difference in SQLs; the task asks for it as a share of the per-MQL SQLs.")),
                 Mistake(mistaken(sql_gain, lambda: sql_gain(baseline="data")),
                         _("you compared with argo's SQLs in its data. The simulation's per-MQL plan plays the same "
                           "leads at a threshold of 40 with sales' load; compare the two simulated plans.")),
                 Mistake(mistaken(sql_gain, lambda: sql_gain(baseline="shared")),
                         _("you divided by the shared target's SQLs; a gain is measured against where you start, "
                           "the per-MQL plan.")),
             )),
    )
