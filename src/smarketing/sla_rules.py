"""The one-page SLA between marketing and sales, as a design: what it must hold to be kept and checked.

:func:`sla_problems` checks an SLA written as plain data (exercise 05's design deliverable) against the reverse
funnel of :func:`smarketing.alignment.sla_plan` and the rules of an agreement that both sides can be held to:
volume and lead value, two clocks (acceptance and response), attempts, an escalation with a named owner, and a
review. Many SLAs pass; each problem is a sentence that says why it matters.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

import numpy as np

from smarketing import funnel
from smarketing.messages import _

# What marketing may commit to about the value of its leads, beside their number: each metric with what it
# measures. A rate is a share of MQLs; pipeline per MQL is money, the MQL → opportunity rate × the average deal.
LEAD_VALUE_METRICS: dict[str, str] = {
    "mql_to_sal_rate": "the share of MQLs that sales accepts for follow-up (SALs ÷ MQLs)",
    "mql_to_sql_rate": "the share of MQLs that become SQLs (SQLs ÷ MQLs)",
    "pipeline_per_mql": "the opportunity value each MQL brings, in currency (opportunities ÷ MQLs × average deal)",
}
# What an escalation can be triggered by, each a figure a weekly report can compute from the leads table, with
# the kind of threshold it takes: a share of a week's MQLs, a count of MQLs, or the committed lead value.
SLA_TRIGGERS: dict[str, tuple[str, str]] = {
    "mqls_per_week": ("count", "the MQLs delivered a week fall below the threshold"),
    "lead_value": ("lead value", "the SLA's lead-value metric falls below the threshold"),
    "late_acceptance_share": ("share", ("the share of MQLs not accepted or rejected within the acceptance SLA rises "
                                        "above the threshold")),
    "late_response_share": ("share", ("the share of MQLs not contacted within the response SLA rises above the "
                                      "threshold")),
    "never_contacted_share": ("share", "the share of MQLs that nobody contacted rises above the threshold"),
}  # each measured over the escalation's ``over_weeks`` (one week unless given)
SLA_KEYS: dict[str, str] = {
    "mqls_per_week": "the MQLs a week that marketing owes",
    "lead_value": "marketing's commitment on the value of its leads: {\"metric\": …, \"minimum\": …}",
    "acceptance_hours": "the hours within which sales accepts or rejects each MQL (the acceptance SLA)",
    "response_hours": "the hours within which sales first contacts each MQL (the response SLA)",
    "attempts": "the follow-up attempts sales owes on each MQL",
    "escalation": "what happens when a side misses its commitment: {\"trigger\", \"threshold\", \"owner\", \"path\"} "
                  "(and, if you like, \"over_weeks\")",
    "review_weeks": "how often, in weeks, both teams review the SLA's figures together",
}
_FUNCTION_NAMES = {"marketing", "sales", "operations", "revops", "revenue operations", "marketing and sales"}
_COMMITTEE = re.compile(r"\b(and|both|everyone|everybody|all|committee|teams|tbd|nobody|someone|whoever)\b|[&/+,]",
                        re.IGNORECASE)


def _is_number(value: Any) -> bool:
    return (isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool | np.bool_)
            and math.isfinite(float(value)))


def lead_value_assumed(metric: str, average_deal: float, rates: Mapping[str, float]) -> float:
    """The value of ``metric`` (:data:`LEAD_VALUE_METRICS`) that a plan on ``rates`` assumes: the MQL → SAL
    rate, the MQL → SQL rate (MQL → SAL × SAL → SQL) or the pipeline per MQL (MQL → opportunity × the
    average deal)."""
    if metric not in LEAD_VALUE_METRICS:
        raise ValueError(_("Unknown lead-value metric '{metric}'. Choose one of: {known}.", metric=metric,
                           known=", ".join(LEAD_VALUE_METRICS)))
    value = rates["sal"]
    if metric in ("mql_to_sql_rate", "pipeline_per_mql"):
        value *= rates["sql"]
    if metric == "pipeline_per_mql":
        value *= rates["opportunity"] * average_deal
    return float(value)


def mqls_needed(revenue_target: float, average_deal: float, rates: Mapping[str, float],
                lead_value: Mapping[str, float] | None = None) -> int:
    """The MQLs a revenue target needs for the period, worked back as :func:`smarketing.funnel.reverse_funnel`
    does; with a ``lead_value`` commitment (``{"metric": …, "minimum": …}``), its minimum replaces the rates it
    covers, so that leads worth more need fewer MQLs: ``mql_to_sal_rate`` from the SALs needed,
    ``mql_to_sql_rate`` from the SQLs, ``pipeline_per_mql`` from the pipeline (opportunities × average deal)."""
    needed = funnel.reverse_funnel(revenue_target, average_deal, rates).set_index("stage")["needed"]
    if lead_value is None:
        return int(needed["mql"])
    metric, minimum = lead_value["metric"], float(lead_value["minimum"])
    if metric not in LEAD_VALUE_METRICS or not minimum > 0:
        raise ValueError(_("lead_value needs a metric of {known} and a minimum above zero.",
                           known=", ".join(LEAD_VALUE_METRICS)))
    covered = {"mql_to_sal_rate": float(needed["sal"]), "mql_to_sql_rate": float(needed["sql"]),
               "pipeline_per_mql": float(needed["opportunity"]) * average_deal}[metric]
    return math.ceil(covered / minimum - 1e-9)


def _named_owner_problem(owner: Any, where: str) -> str | None:
    if not isinstance(owner, str) or not owner.strip():
        return _("{where} has no owner: name the one role that acts when it fires, such as \"Head of Revenue "
                 "Operations\". An escalation that nobody owns is a complaint.", where=where)
    if owner.strip().lower() in _FUNCTION_NAMES:
        return _("{where}'s owner is a whole function ({owner!r}): name the role in it that acts, such as \"Head of "
                 "Sales\". A function cannot pick up the phone; one person can.", where=where, owner=owner)
    if _COMMITTEE.search(owner):
        return _("{where}'s owner {owner!r} names several people or nobody in particular: give one role. When two "
                 "own an escalation, each waits for the other.", where=where, owner=owner)
    return None


def _escalation_problems(escalation: Any, where: str, lead_value: Any, mqls_per_week: Any) -> list[str]:
    if not isinstance(escalation, Mapping):
        return [_("{where} is a {kind}: write it as a dictionary {{\"trigger\": …, \"threshold\": …, \"owner\": …, "
                  "\"path\": […]}}.", where=where, kind=type(escalation).__name__)]
    problems: list[str] = []
    trigger, threshold = escalation.get("trigger"), escalation.get("threshold")
    if trigger not in SLA_TRIGGERS:
        problems.append(_("{where}'s trigger {trigger!r} is not a figure a weekly report computes: use one of {known}. "
                          "An escalation must fire on a number both sides can see, not on a feeling.", where=where,
                          trigger=trigger, known=", ".join(SLA_TRIGGERS)))
    if not _is_number(threshold) or not threshold > 0:
        problems.append(_("{where} has no threshold: give the number above zero at which it fires (a share such as "
                          "0.1, a count of MQLs, or a lead value). Without one, each side decides for itself when "
                          "a miss is a miss.", where=where))
    elif trigger in SLA_TRIGGERS:
        kind = SLA_TRIGGERS[trigger][0]
        if kind == "share" and threshold >= 1:
            problems.append(_("{where}'s threshold for {trigger} is {value}: a share lies between 0 and 1 (0.1 for "
                              "10 %).", where=where, trigger=trigger, value=threshold))
        if kind == "count" and _is_number(mqls_per_week) and threshold > mqls_per_week:
            problems.append(_("{where} fires when a week's MQLs fall below {value}, more than the {committed} a week "
                              "marketing owes: it would fire while marketing keeps its word. Set it at or below the "
                              "commitment.", where=where, value=threshold, committed=mqls_per_week))
        if kind == "lead value":
            floor = lead_value.get("minimum") if isinstance(lead_value, Mapping) else None
            if not _is_number(floor):
                problems.append(_("{where} is triggered by the lead value, but the SLA commits to none: fill in "
                                  "lead_value first.", where=where))
            elif threshold > floor:
                problems.append(_("{where} fires when the lead value falls below {value}, above the minimum of "
                                  "{floor} that marketing commits to: it would fire while marketing keeps its word. "
                                  "Set it at or below the minimum.", where=where, value=threshold, floor=floor))
    window = escalation.get("over_weeks", 1)
    if not _is_number(window) or float(window) != int(window) or not 1 <= window <= 13:
        problems.append(_("{where}'s over_weeks is the number of weeks its figure is measured over: a whole number "
                          "from 1 to 13 (leave it out for one week). A few weeks smooth out a quiet week's noise; more "
                          "than a quarter lets a miss run for a whole quarter.", where=where))
    if problem := _named_owner_problem(escalation.get("owner"), where):
        problems.append(problem)
    path = escalation.get("path")
    if isinstance(path, str):
        path = [path]
    if not isinstance(path, list | tuple) or not path:
        problems.append(_("{where} has no path: list who it goes to next, in order, if the owner cannot fix it "
                          "within a week (such as [\"VP Sales\", \"COO\"]). An escalation that stops with its owner "
                          "cannot settle a dispute between the two sides.", where=where))
    elif not all(isinstance(step, str) and step.strip() for step in path):
        problems.append(_("{where}'s path should list roles as text, in order.", where=where))
    elif isinstance(escalation.get("owner"), str) and escalation["owner"].strip().lower() in {
            step.strip().lower() for step in path}:
        problems.append(_("{where}'s path goes back to its owner: each step of the path is someone above the one "
                          "before.", where=where))
    return problems


def sla_problems(sla: Any, revenue_target: float, average_deal: float, rates: Mapping[str, float], weeks: int = 13,
                 tolerance: float = 0.05, buffer: float = 1.5) -> list[str]:
    """What is wrong with a one-page SLA between marketing and sales, each problem a sentence that says why it
    matters; an empty list when the design meets every rule. Many designs are right: the rules are those of any
    SLA that can be kept and checked, and its commitments must add up to the revenue target.

    ``sla`` is a dictionary with the keys of :data:`SLA_KEYS` (others are ignored)::

        {"mqls_per_week": 16, "lead_value": {"metric": "mql_to_sql_rate", "minimum": 0.26},
         "acceptance_hours": 4, "response_hours": 24, "attempts": 6,
         "escalation": {"trigger": "late_response_share", "threshold": 0.1, "owner": "Head of Sales",
                        "path": ["VP Sales", "COO"]},
         "review_weeks": 4}

    ``revenue_target``, ``average_deal``, ``rates`` and ``weeks`` are the plan's, as :func:`smarketing.alignment.sla_plan` takes them.
    The rules:

    * **lead value, not only volume:** ``lead_value`` names a metric of :data:`LEAD_VALUE_METRICS` and a minimum
      above zero (a rate at most 1, a pipeline per MQL at most the average deal), no lower than the plan's rates
      assume (:func:`lead_value_assumed`, within ``tolerance``): below it, the agreed plan does not hold;
    * **volume that adds up:** ``mqls_per_week`` is at least what the target needs at the committed lead value
      (:func:`mqls_needed` ÷ ``weeks``; less by ``tolerance``, or rounded down to a whole MQL, passes), and at
      most ``buffer`` times that: more leads than the target needs load sales with work that wins nothing;
    * **two clocks:** ``acceptance_hours`` and ``response_hours`` are both above zero, and both start when the
      lead becomes an MQL, so that the acceptance is no later than the first contact;
    * ``attempts`` is a whole number, at least 1;
    * **an escalation that works:** ``escalation`` (one dictionary, or a list of them) has a ``trigger`` of
      :data:`SLA_TRIGGERS`, a ``threshold`` above zero that fits it (a share below 1; a count or a lead value no
      higher than the commitment, or it fires while the commitment is kept), one named ``owner`` (a role, not a
      function or several people) and a ``path`` of at least one role above the owner; an ``over_weeks`` (the
      weeks its figure is measured over, 1 unless given) is a whole number from 1 to 13;
    * **reviewed:** ``review_weeks`` is above zero and at most 13: both teams look at the figures together at
      least once a quarter.
    """
    if not isinstance(sla, Mapping):
        return [_("Your SLA is a {kind}. Store it as a dictionary with the keys {keys}.", kind=type(sla).__name__,
                  keys=", ".join(SLA_KEYS))]
    missing = [key for key in SLA_KEYS if key not in sla]
    if missing:
        return [_("Your SLA lacks {keys}: {meaning}. A page that leaves a commitment out lets one side off.",
                  keys=", ".join(missing), meaning="; ".join(f"{key}, {SLA_KEYS[key]}" for key in missing))]
    problems: list[str] = []
    lead_value, volume = sla["lead_value"], sla["mqls_per_week"]
    committed = None
    if not isinstance(lead_value, Mapping) or lead_value.get("metric") not in LEAD_VALUE_METRICS:
        problems.append(_("lead_value should be a dictionary {{\"metric\": …, \"minimum\": …}} with a metric of {known}. "
                          "Volume alone invites marketing to lower the bar: the SLA also says what the leads are "
                          "worth.", known=", ".join(LEAD_VALUE_METRICS)))
    elif not _is_number(lead_value.get("minimum")) or not lead_value["minimum"] > 0:
        problems.append(_("lead_value needs a minimum above zero for {metric}: {meaning}.", metric=lead_value["metric"],
                          meaning=LEAD_VALUE_METRICS[lead_value["metric"]]))
    else:
        metric, minimum = lead_value["metric"], float(lead_value["minimum"])
        assumed = lead_value_assumed(metric, average_deal, rates)
        if metric != "pipeline_per_mql" and minimum > 1:
            problems.append(_("lead_value's minimum for {metric} is {value}: a rate is a share between 0 and 1 (0.25 "
                              "for 25 %).", metric=metric, value=minimum))
        elif metric == "pipeline_per_mql" and minimum > average_deal:
            problems.append(_("lead_value promises more pipeline per MQL than a whole average deal: every MQL would "
                              "have to become more than one opportunity."))
        elif minimum < assumed * (1 - tolerance):
            problems.append(_("lead_value's minimum is lower than the rates both teams agreed assume: at that value, "
                              "the agreed plan does not reach the target. Commit to at least what the plan assumes "
                              "({metric}: {meaning}, from the agreed rates).", metric=metric,
                              meaning=LEAD_VALUE_METRICS[metric]))
        else:
            committed = {"metric": metric, "minimum": minimum}
    if not _is_number(volume) or not volume > 0:
        problems.append(_("mqls_per_week should be a number above zero: the MQLs a week that marketing owes."))
    else:
        need = mqls_needed(revenue_target, average_deal, rates, committed) / weeks
        if volume < min(need * (1 - tolerance), math.floor(need)):
            problems.append(_("mqls_per_week is below what the target needs at the lead value you commit to: work back "
                              "from the target as in the reverse funnel (customers, opportunities, SQLs, SALs, MQLs), "
                              "with your lead-value minimum in place of the rates it covers, and divide by the weeks."))
        elif volume > need * buffer:
            problems.append(_("mqls_per_week is far above what the target needs at the lead value you commit to: "
                              "sales would owe a first call and every attempt on leads the target does not need. "
                              "Work back from the target, and keep a buffer of at most half again."))
    clocks = {key: sla[key] for key in ("acceptance_hours", "response_hours")}
    for key, value in clocks.items():
        if not _is_number(value) or not value > 0:
            problems.append(_("{key} should be a number of hours above zero: {meaning}. Each clock needs a figure, or "
                              "a lead can wait on it for ever.", key=key, meaning=SLA_KEYS[key]))
    if all(_is_number(v) and v > 0 for v in clocks.values()) and clocks["acceptance_hours"] > clocks["response_hours"]:
        problems.append(_("acceptance_hours is longer than response_hours: both clocks start when the lead becomes an "
                          "MQL, and sales decides to work a lead before, or when, it first contacts it. Keep the "
                          "acceptance SLA the shorter clock, or the two the same."))
    attempts = sla["attempts"]
    if not _is_number(attempts) or float(attempts) != int(attempts) or attempts < 1:
        problems.append(_("attempts should be a whole number of at least 1: how many times sales tries to reach each "
                          "MQL before it gives up. One call that nobody answers is not a follow-up."))
    escalations = sla["escalation"]
    if isinstance(escalations, Mapping):
        escalations = [escalations]
    if not isinstance(escalations, list | tuple) or not escalations:
        problems.append(_("escalation should be a dictionary {\"trigger\", \"threshold\", \"owner\", \"path\"}, or a "
                          "list of them: an SLA without an escalation has no answer to a miss."))
    else:
        for number, escalation in enumerate(escalations, 1):
            where = _("The escalation") if len(escalations) == 1 else _("Escalation {number}", number=number)
            problems += _escalation_problems(escalation, where, lead_value, volume)
    review = sla["review_weeks"]
    if not _is_number(review) or not 0 < review <= 13:
        problems.append(_("review_weeks should be the weeks between two joint reviews of the SLA's figures, above zero "
                          "and at most 13: an SLA that nobody reviews within a quarter drifts from what either side "
                          "does."))
    return problems
