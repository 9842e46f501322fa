"""Pay plans as an experiment: the same company with marketing paid another way, and what follows in its funnel.

No real company can run its last two years again under another pay plan; a synthetic one can, with the same
leads, the same scores and the same luck (every random draw is the same: only the behaviour the plan sets differs).
What each plan makes people do is an assumption of this simulation (grade C), the plainest reading of agency
theory: people do what they are paid for (Basu, Lal, Srinivasan & Staelin 1985).

* ``per_mql``: marketing is paid per MQL, so it hands over every lead sales will look at: the lowest threshold
  sales accepts (:data:`THRESHOLDS`' first). Sales is paid on its own revenue alone.
* ``per_sql``: marketing is paid per SQL, so it chooses the threshold that gives the most SQLs. Sales still works
  alone.
* ``shared_revenue``: both are paid on the same revenue, so they agree the threshold that gives the most SQLs and
  sales keeps a written SLA: a quarter of its usual time to the first call and a third of its uncalled MQLs.

Sales has the same people under every plan, so how it follows up depends on how many MQLs it gets (its *load*,
:func:`follow_up`). It can call no more MQLs than it calls today (its *capacity*, read from the data): the rest are
never called. Without an SLA it also leaves uncalled the share of MQLs it leaves today, however few it gets; with
one, a third of that share. And its median minutes to the first call grow in proportion to the load.
"""

from __future__ import annotations

import pandas as pd

from smarketing.datasets.company import Company
from smarketing.datasets.generator import generate_leads
from smarketing.datasets.generator.experiments import true_profile
from smarketing.messages import _

PLANS = ("per_mql", "per_sql", "shared_revenue")
THRESHOLDS = tuple(range(40, 75, 5))  # the MQL thresholds a plan may choose; sales looks at nothing below 40
SLA_SPEED_UP, SLA_FEWER_UNCALLED = 4.0, 3.0  # what a written SLA does to sales' follow-up (assumed)


def _check_plan(plan: str) -> None:
    if plan not in PLANS:
        raise ValueError(_("Unknown pay plan '{plan}'. Choose one of: {known}.", plan=plan, known=", ".join(PLANS)))


def _name(company: Company) -> tuple[str, str | None]:
    try:
        true_profile(company)
    except ValueError:
        message = _("{name} is not a synthetic company of the course, so its leads cannot be played again under "
                    "another pay plan: simulate lumen, ferro, argo or vela. On your own company, pilot a new plan in "
                    "one region and compare its funnel with the others'.", name=company.name)
        raise ValueError(message) from None
    return str(company.params.get("name", company.name)), company.params.get("cohort")


def load(company: Company, threshold: int) -> float:
    """The MQLs a ``threshold`` hands over, as a multiple of those the company's own threshold hands over today
    (every lead keeps its score under every plan, so this is a count of the company's own leads)."""
    scores = company.leads["score"]
    today = int((scores >= true_profile(company).mql_threshold).sum())
    return float((scores >= threshold).sum()) / max(today, 1)


def capacity(company: Company) -> int:
    """The MQLs the company's sales team calls today: the most it can call under any plan."""
    leads = company.leads
    return int((leads["mql_at"].notna() & leads["first_response_minutes"].notna()).sum())


def follow_up(company: Company, threshold: int, sla: bool = False) -> dict[str, float]:
    """Sales' follow-up when marketing hands over the leads scoring ``threshold`` or more, as generator parameters:
    the share of MQLs never called (those past its :func:`capacity`, and at least the share it leaves uncalled today,
    divided by :data:`SLA_FEWER_UNCALLED` with a written SLA) and the median minutes to a first call (today's times
    the :func:`load`, divided by :data:`SLA_SPEED_UP` with an SLA)."""
    profile, factor = true_profile(company), load(company, threshold)
    mqls = max(int((company.leads["score"] >= threshold).sum()), 1)
    neglect = profile.never_contacted_share / (SLA_FEWER_UNCALLED if sla else 1.0)
    return {"mql_threshold": int(threshold),
            "response_median_minutes": profile.response_median_minutes * factor / (SLA_SPEED_UP if sla else 1.0),
            "never_contacted_share": min(max(neglect, 1.0 - capacity(company) / mqls), 0.95)}


def _sqls(name: str, cohort: str | None, overrides: dict[str, float], seed: int | None) -> int:
    return int(generate_leads(name, seed=seed, cohort=cohort, overrides=overrides)["sql_at"].notna().sum())


def sqls_by_threshold(company: Company, sla: bool = False) -> pd.Series:
    """The SQLs the company's leads would have given at each of :data:`THRESHOLDS`, sales' follow-up set by its
    load (:func:`follow_up`), with or without a written SLA."""
    name, cohort = _name(company)
    seed = company.params.get("seed")
    return pd.Series({t: _sqls(name, cohort, follow_up(company, t, sla), seed) for t in THRESHOLDS},
                     name="sqls").rename_axis("threshold")


def plan_threshold(company: Company, plan: str) -> int:
    """The MQL threshold marketing chooses under ``plan``: the lowest sales accepts when paid per MQL, else the one
    that gives the most SQLs (the lower of two that tie)."""
    _check_plan(plan)
    if plan == "per_mql":
        return THRESHOLDS[0]
    sqls = sqls_by_threshold(company, sla=plan == "shared_revenue")
    return int(sqls.idxmax())


def pay_plans(company: Company) -> pd.DataFrame:
    """Each plan of :data:`PLANS` on the company's own leads: the threshold marketing chooses, the MQLs handed
    over, sales' median minutes to the first call and share of MQLs never called, the SQLs and the MQL → SQL rate."""
    name, cohort = _name(company)
    seed = company.params.get("seed")
    rows = {}
    for plan in PLANS:
        threshold = plan_threshold(company, plan)
        overrides = follow_up(company, threshold, sla=plan == "shared_revenue")
        leads = generate_leads(name, seed=seed, cohort=cohort, overrides=overrides)
        mqls, sqls = int(leads["mql_at"].notna().sum()), int(leads["sql_at"].notna().sum())
        rows[plan] = {"threshold": threshold, "mqls": mqls,
                      "median_response_minutes": float(leads["first_response_minutes"].median()),
                      "never_contacted_share": float(leads.loc[leads["mql_at"].notna(),
                                                               "first_response_minutes"].isna().mean()),
                      "sqls": sqls, "mql_to_sql_rate": sqls / mqls if mqls else float("nan")}
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("plan")


