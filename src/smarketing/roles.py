"""Who does what: how Sales, Marketing and Operations differ, and who really spends time on which work.

The comparisons restate the two seed articles in structured form: seed 000 compares Marketing and
Sales on five dimensions, seed 004 compares Sales and Operations from four angles. The task list
feeds module 01's "who owns this task?" sorter; :func:`check_owner` gives its feedback. The steps of the
lead handoff (:data:`HANDOFF_STEPS`) and :func:`raci_problems` check a RACI of that handoff, exercise 01's
design deliverable: who is Responsible, Accountable, Consulted and Informed at each step.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from smarketing import schema
from smarketing.messages import _

FUNCTION_LABELS = {"marketing": "Marketing", "sales": "Sales", "operations": "Operations",
                   "revops": "Revenue operations"}

# Seed 000: Marketing creates demand, Sales converts it; five dimensions side by side.
SALES_VS_MARKETING = (
    ("core goal", "Create demand: market insight, brand awareness, nurture prospects, communicate value "
     "('sow and cultivate').",
     "Convert demand: close deals, grow revenue, hit the sales target, build customer relationships "
     "('harvest')."),
    ("time focus", "Long term: brand and market building, plans by year, returns arrive months later.",
     "Short term: monthly or quarterly targets, results visible at once."),
    ("reach", "Broad: many people at once through ads, content, social media, SEO/SEM; one standard message.",
     "Narrow: one account at a time through calls, visits, demos; a tailored solution."),
    ("customer interaction", "Indirect, through media; content-led and repeatable at scale; feedback "
     "from data and research.",
     "Direct conversation; relationship-led and personal; feedback immediately, in the room."),
    ("success metrics", "Awareness, number of leads, cost per lead, engagement; hard to tie to a sale "
     "(attribution) and lagging.",
     "Revenue, win rate, customer acquisition cost, average deal size; visible at once."),
)

# Seed 004: Sales brings revenue directly; Operations makes the whole machine efficient.
SALES_VS_OPERATIONS = (
    ("goals", "Bring in revenue directly: find customers, uncover needs, negotiate and close.",
     "Many goals: revenue growth but also customer satisfaction, better processes, lower cost."),
    ("work content", "Market and customer facing: market research, customer relationships, sales "
     "forecasts and plans; judged by results.",
     "Inside the company: process management, data analysis, project management; judged by the "
     "process and its steady improvement."),
    ("way of working", "Customer-centred and proactive: reach out, uncover needs, keep relationships; "
     "needs communication and negotiation.",
     "Process- and data-driven: optimise processes, coordinate resources, decide from data; needs "
     "analysis and coordination."),
    ("evaluation", "Direct: sales against target, plus customer satisfaction with the sales service.",
     "Many dimensions: efficiency, cost control, customer satisfaction."),
)

# Seed 000: typical activities, skills, tools and team structures of the two functions.
WORK_PROFILES = (
    ("typical activities", "market research, competitor analysis, positioning, content, advertising, "
     "social media, SEO/SEM",
     "customer visits, needs analysis, demos, price negotiation, contracts, account care, follow-up"),
    ("skills", "creativity, analysis, strategy", "communication, negotiation, relationship management"),
    ("tools", "marketing automation (plus the shared CRM)", "CRM and sales-force automation (SFA)"),
    ("team structure", "by function or channel (content, paid, events…)", "by region or industry"),
)


def comparison(which: str = "sales_vs_marketing") -> pd.DataFrame:
    """One of the seeds' comparisons as a table: ``"sales_vs_marketing"`` (seed 000's five dimensions),
    ``"sales_vs_operations"`` (seed 004's four angles) or ``"work_profiles"`` (seed 000's activities,
    skills, tools and team structures)."""
    tables = {
        "sales_vs_marketing": (SALES_VS_MARKETING, ["dimension", "Marketing", "Sales"]),
        "sales_vs_operations": (SALES_VS_OPERATIONS, ["angle", "Sales", "Operations"]),
        "work_profiles": (WORK_PROFILES, ["aspect", "Marketing", "Sales"]),
    }
    if which not in tables:
        raise ValueError(_("Unknown comparison '{which}'. Choose one of: {known}.", which=which,
                           known=", ".join(tables)))
    rows, columns = tables[which]
    return pd.DataFrame(list(rows), columns=columns)


@dataclass(frozen=True)
class Task:
    """A piece of work, the function that owns it, and why."""

    text: str
    owner: str
    why: str


TASKS: tuple[Task, ...] = (
    Task("Write a buyer's guide to attract new prospects", "marketing",
         "Content that reaches many people at once creates demand: marketing's job."),
    Task("Set next year's brand and channel budget", "marketing",
         "A long-term plan for the whole market, paid back months later."),
    Task("Run a webinar for 300 prospects", "marketing",
         "One-to-many and scalable: the signature of marketing reach."),
    Task("Call a new marketing-qualified lead within the hour", "sales",
         "Direct, one-to-one follow-up of a lead handed over: sales' side of the SLA."),
    Task("Negotiate price and terms with a buyer", "sales",
         "Negotiation and closing convert demand into revenue."),
    Task("Forecast this quarter's bookings from the pipeline", "sales",
         "Sales owns its number; revenue operations builds the model, sales commits to it."),
    Task("Resolve a customer's delivery complaint", "operations",
         "Customer service after the sale: operations keeps customers satisfied."),
    Task("Cut the time from order to delivery", "operations",
         "Process improvement that makes the whole machine efficient."),
    Task("Lower the cost per support ticket", "operations",
         "Cost control is one of operations' many goals."),
    Task("Keep lead routing and CRM fields clean", "revops",
         "The shared systems and data that let marketing and sales hand leads over."),
    Task("Build the dashboard of the marketing-to-sales funnel", "revops",
         "One shared view of the funnel, owned by neither side alone."),
)


@dataclass(frozen=True)
class Verdict:
    """Feedback on one answer: right or wrong, and a sentence that explains."""

    correct: bool
    message: str


def check_owner(task: Task, answer: str | None) -> Verdict:
    """Compare a learner's choice of owner with the task's owner and explain either way."""
    if not answer:
        return Verdict(False, _("Not answered yet: pick the function that owns this task."))
    if answer not in FUNCTION_LABELS:
        return Verdict(False, _("'{answer}' is not a function; choose one of {known}.", answer=answer,
                                known=", ".join(FUNCTION_LABELS)))
    if answer == task.owner:
        return Verdict(True, _("Right: {why}", why=task.why))
    return Verdict(False, _("Not quite: this is {owner} work. {why}", owner=FUNCTION_LABELS[task.owner],
                            why=task.why))


def _owner_of_activity(activities: pd.DataFrame) -> pd.Series:
    return activities["activity"].astype(str).map(schema.ACTIVITY_OWNERS)


def time_allocation(activities: pd.DataFrame, employees: pd.DataFrame) -> pd.DataFrame:
    """Share of each function's hours that goes to work owned by each function.

    Rows: the function people belong to; columns: the function that owns the work; values sum to 1
    across a row. The diagonal is "own work"; everything else is work done by the "wrong" function.
    """
    missing = [c for c in ("employee_id", "activity", "hours") if c not in activities.columns]
    if missing or "function" not in employees.columns:
        raise ValueError(_("time_allocation needs the activities table (employee_id, activity, hours) and "
                           "the employees table (employee_id, function)."))
    worker = activities["employee_id"].map(employees.set_index("employee_id")["function"].astype(str))
    hours = pd.DataFrame({"worker": worker, "owner": _owner_of_activity(activities),
                          "hours": activities["hours"].astype(float)})
    table = hours.pivot_table(index="worker", columns="owner", values="hours", aggfunc="sum", fill_value=0.0)
    order = [f for f in schema.FUNCTIONS if f in table.index]
    table = table.reindex(index=order, columns=list(schema.FUNCTIONS), fill_value=0.0)
    table.index.name, table.columns.name = "function", "work owned by"
    return table.div(table.sum(axis=1), axis=0)


def off_function_share(activities: pd.DataFrame, employees: pd.DataFrame) -> pd.Series:
    """For each function, the share of its hours spent on work that another function owns."""
    allocation = time_allocation(activities, employees)
    own = pd.Series({f: allocation.loc[f, f] for f in allocation.index})
    return (1 - own).rename("off_function_share")


def misplaced_work(activities: pd.DataFrame, employees: pd.DataFrame, top: int = 5) -> pd.DataFrame:
    """The biggest blocks of work done by a function that does not own it: worker function, activity,
    owning function, hours a week per person of the worker function. Sorted, largest first."""
    out = hours_per_person(activities, employees)
    out = out[out["function"] != out["owner"]]
    return (out.sort_values("hours_per_person_week", ascending=False, kind="stable")
            .head(top).reset_index(drop=True).round({"hours_per_person_week": 1}))


_WORK_KEYS = ["function", "activity", "owner"]  # a block of work: who does what, owned by whom


def hours_per_person(activities: pd.DataFrame, employees: pd.DataFrame) -> pd.DataFrame:
    """Every block of work, own and others': worker function, activity, owning function, and hours a week
    per person of the worker function (all its people count, also those who logged none of it)."""
    functions = employees.set_index("employee_id")["function"].astype(str)
    frame = pd.DataFrame({"function": activities["employee_id"].map(functions),
                          "activity": activities["activity"].astype(str),
                          "owner": _owner_of_activity(activities), "hours": activities["hours"].astype(float)})
    weeks = activities["week"].nunique() if "week" in activities.columns else 1
    heads = functions.value_counts()
    out = frame.groupby(_WORK_KEYS, as_index=False)["hours"].sum()
    out["hours_per_person_week"] = out["hours"] / (weeks * out["function"].map(heads).astype(float))
    return out.drop(columns="hours")


def _misplaced_work(activities: pd.DataFrame, employees: pd.DataFrame, benchmark_activities: pd.DataFrame,
                    benchmark_employees: pd.DataFrame) -> pd.DataFrame:
    """Every block of work done by the "wrong" function, unrounded, with the benchmark's hours beside it."""
    here = hours_per_person(activities, employees)
    there = hours_per_person(benchmark_activities, benchmark_employees)
    out = here[here["function"] != here["owner"]].merge(
        there.rename(columns={"hours_per_person_week": "benchmark_hours"}), on=_WORK_KEYS, how="left")
    out["benchmark_hours"] = out["benchmark_hours"].fillna(0.0)
    out["excess_hours"] = out["hours_per_person_week"] - out["benchmark_hours"]
    return out


def compare_misplaced_work(activities: pd.DataFrame, employees: pd.DataFrame, benchmark_activities: pd.DataFrame,
                           benchmark_employees: pd.DataFrame, top: int = 8) -> pd.DataFrame:
    """A company's work done by the "wrong" function next to the same work at a benchmark company.

    Columns function, activity, owner, hours_per_person_week (this company), benchmark_hours (the
    benchmark's hours per person-week for the same function and activity, 0 if none) and excess_hours
    (the difference). Work that is just as common at a well-run benchmark is likely there by design;
    the excess is what to look into. The ``top`` largest blocks of this company, largest first.
    """
    out = _misplaced_work(activities, employees, benchmark_activities, benchmark_employees)
    out = (out.sort_values("hours_per_person_week", ascending=False, kind="stable").head(top).reset_index(drop=True)
           .round({"hours_per_person_week": 1, "benchmark_hours": 1, "excess_hours": 1}))
    out["excess_hours"] += 0.0  # no "-0.0" when rounding a tiny negative difference
    return out


def activity_split(activities: pd.DataFrame, employees: pd.DataFrame) -> pd.DataFrame:
    """Who does each activity: hours a week spent on it by the people of each function (whole company,
    averaged over the weeks), the function that owns it, and the share of its hours the owner does.

    One row per activity (in the schema's order, owner by owner); a low ``owner_share`` means the work
    is duplicated elsewhere or that the owner is missing.
    """
    functions = employees.set_index("employee_id")["function"].astype(str)
    weeks = activities["week"].nunique() if "week" in activities.columns else 1
    frame = pd.DataFrame({"worker": activities["employee_id"].map(functions),
                          "activity": activities["activity"].astype(str), "hours": activities["hours"].astype(float)})
    table = frame.pivot_table(index="activity", columns="worker", values="hours", aggfunc="sum", fill_value=0.0)
    order = [a for a in schema.ACTIVITIES if a in table.index]
    table = table.reindex(index=order, columns=list(schema.FUNCTIONS), fill_value=0.0) / weeks
    table.columns.name = "done by"
    owners = pd.Series(schema.ACTIVITY_OWNERS).reindex(table.index)
    total = table.sum(axis=1)
    own = pd.Series([table.loc[a, o] for a, o in owners.items()], index=table.index)
    return table.assign(owner=owners, owner_share=own / total)


def reach_per_head(leads: pd.DataFrame, touchpoints: pd.DataFrame, opportunities: pd.DataFrame,
                   employees: pd.DataFrame) -> pd.Series:
    """One-to-many against one-to-one, per person and year: leads and marketing touchpoints per person in
    marketing; opportunities worked and deals won per person in sales (managers included). Years are
    counted from the first to the last lead."""
    heads = employees["function"].astype(str).value_counts()
    days = (leads["created_at"].max() - leads["created_at"].min()).total_seconds() / 86400
    years = max(days / 365.25, 1e-9)
    marketers, sellers = float(heads.get("marketing", 0)), float(heads.get("sales", 0))

    def per(count: float, people: float) -> float:
        return count / people / years if people else float("nan")

    won = float((opportunities["outcome"] == "won").sum())
    return pd.Series({"leads_per_marketer": per(len(leads), marketers),
                      "touchpoints_per_marketer": per(len(touchpoints), marketers),
                      "opportunities_per_seller": per(len(opportunities), sellers),
                      "deals_won_per_seller": per(won, sellers)}, name="per person and year")


def target_metrics(targets: pd.DataFrame) -> pd.Series:
    """What each function is evaluated on: the metrics it has targets for (``targets`` table), joined with
    ", " in the schema's order; one entry per function that has any target, functions in schema order."""
    order = {metric: i for i, metric in enumerate(schema.TARGET_METRICS)}
    pairs = targets[["function", "metric"]].astype(str).drop_duplicates()
    pairs = pairs.assign(rank=pairs["metric"].map(order)).sort_values("rank", kind="stable")
    joined = pairs.groupby("function")["metric"].agg(", ".join)
    return joined.reindex([f for f in schema.FUNCTIONS if f in joined.index]).rename("metrics with a target")


def company_excess_hours(activities: pd.DataFrame, employees: pd.DataFrame, benchmark_activities: pd.DataFrame,
                         benchmark_employees: pd.DataFrame) -> pd.DataFrame:
    """The hours a week that the whole company spends on each block of work done by the "wrong" function
    beyond the benchmark's rate: :func:`compare_misplaced_work`'s ``excess_hours`` (hours per person-week
    here minus the benchmark's for the same function and activity, 0 where the benchmark has none), kept
    unrounded, times the number of people of the function here.

    Columns function, activity, owner, excess_hours, people and company_excess_hours, one row per block of
    this company, the largest company excess first. Where the excess is 0 or less the work is there by
    design (the benchmark does as much of it), and freeing it gains nothing."""
    out = _misplaced_work(activities, employees, benchmark_activities, benchmark_employees)
    heads = employees["function"].astype(str).value_counts()
    out["people"] = out["function"].map(heads).fillna(0).astype(int)
    out["company_excess_hours"] = out["excess_hours"] * out["people"]
    out = out.sort_values("company_excess_hours", ascending=False, kind="stable").reset_index(drop=True)
    return out[[*_WORK_KEYS, "excess_hours", "people", "company_excess_hours"]]


# ---- a RACI of the lead handoff ----------------------------------------------------------------------------

@dataclass(frozen=True)
class HandoffStep:
    """One step of the lead handoff: what is done, the functions that must hold some role in it (at least be
    informed) because the step passes something between them, and why."""

    text: str
    involves: tuple[str, ...]
    why: str


# The lead handoff from a new lead to the report that tells both sides what leaked, in order: the steps a RACI
# of exercise 01 gives roles to. Module 03 keeps accepting a lead (the acceptance SLA) and the first contact
# (the response SLA) apart, and so do these steps.
HANDOFF_STEPS: dict[str, HandoffStep] = {
    "score_and_route": HandoffStep(
        "Score each new lead and route every MQL to a named sales rep", ("marketing", "sales"),
        "here marketing's lead becomes a rep's work, so the side that scores and the side that receives both "
        "take part"),
    "accept_or_reject": HandoffStep(
        "Accept each MQL for follow-up (it becomes an SAL) or reject it, within the acceptance SLA",
        ("marketing", "sales"),
        "a lead that sales rejects without marketing hearing of it teaches marketing nothing"),
    "first_contact": HandoffStep(
        "Contact each accepted lead within the response SLA", ("sales",),
        "the first call is sales' side of the SLA, one rep's conversation with one buyer"),
    "record_reason": HandoffStep(
        "Record a disqualification reason for every lead that is rejected or disqualified", ("marketing", "sales"),
        "the reasons are what marketing learns from: recorded and never read, they close no loop"),
    "recycle_to_nurture": HandoffStep(
        "Send rejected and disqualified leads that may buy later back to nurture", ("marketing", "sales"),
        "sales hands the lead back and marketing nurtures it: a handoff in the other direction"),
    "report_leakage": HandoffStep(
        "Report each week the MQLs that were contacted late or never (the leakage)", ("marketing", "sales"),
        "a leak that only one side sees becomes a quarrel, not a fact that both sides act on"),
    "review_scoring": HandoffStep(
        "Review the lead score and the MQL threshold each quarter, against the reasons and the leakage",
        ("marketing", "sales"),
        "the score is marketing's, but only sales knows which of its leads were worth a call"),
}

# The four roles of a RACI, by letter, in the order a cell shows them ("A/R").
RACI_ROLES = {"A": "accountable: answers for the result, exactly one function per step",
              "R": "responsible: does the work",
              "C": "consulted: asked before the work is done",
              "I": "informed: told after it is done"}
_RACI_WORDS = {"accountable": "A", "responsible": "R", "consulted": "C", "informed": "I"}


def raci_letters(value: Any) -> set[str] | None:
    """The RACI roles one cell holds, as a set of letters: ``"A/R"``, ``"AR"``, ``"r, a"`` and
    ``"Accountable/Responsible"`` are ``{"A", "R"}``; no role (``""``, ``"-"``, None, NaN) is the empty set.
    None when the cell is not written in RACI roles (``"owner"``, ``3``)."""
    if not isinstance(value, str):
        try:
            return set() if value is None or bool(pd.isna(value)) else None
        except (TypeError, ValueError):  # a list or an array: not one cell's roles
            return None
    letters: set[str] = set()
    for token in re.findall(r"[^\s/,;+&|\-–—]+", value):
        if token.lower() in _RACI_WORDS:
            letters.add(_RACI_WORDS[token.lower()])
        elif set(token.upper()) <= set(RACI_ROLES):
            letters |= set(token.upper())
        else:
            return None
    return letters


def _function_key(name: Any) -> str | None:
    """The function a key names (``"revops"``, ``"Revenue operations"``, ``"Sales"``), or None."""
    text = str(name).strip().lower()
    known = {key: key for key in FUNCTION_LABELS} | {label.lower(): key for key, label in FUNCTION_LABELS.items()}
    return known.get(text)


def _raci_rows(raci: Any, steps: Mapping[str, HandoffStep]) -> tuple[dict[str, Any] | None, str | None]:
    """A design as {step: roles of the step}, or why it cannot be read as one."""
    if isinstance(raci, pd.DataFrame):
        table = raci.set_index("step") if "step" in raci.columns else raci
        rows, columns = {str(i) for i in table.index}, {str(c) for c in table.columns}
        if not rows & set(steps) and columns & set(steps):
            return None, _("Your table has the steps as its columns: make them its rows (raci.T), with one column "
                           "per function.")
        return {str(step): {str(f): v for f, v in row.items()} for step, row in table.iterrows()}, None
    if not isinstance(raci, Mapping):
        return None, _("Your design is a {kind}. Store it as a dictionary {{step: {{function: roles}}}}, one entry "
                       "per step of the handoff.", kind=type(raci).__name__)
    keys = [str(key) for key in raci]
    if keys and all(_function_key(key) for key in keys) and not set(keys) & set(steps):
        return None, _("The outer keys of your dictionary are functions ({found}); they should be the steps of the "
                       "handoff, each holding a dictionary of functions and their roles: {{step: {{function: "
                       "roles}}}}.", found=", ".join(keys))
    return {str(step): roles for step, roles in raci.items()}, None


def raci_problems(raci: Any, steps: Mapping[str, HandoffStep] | None = None,
                  employees: pd.DataFrame | None = None) -> list[str]:
    """What is wrong with a RACI of the lead handoff, each problem a sentence that says why it matters; an empty
    list when the design meets every rule. Many designs are right: the rules are those of any RACI, and of a
    handoff between two sides.

    ``raci`` is a dictionary ``{step: {function: roles}}``, or a DataFrame with a row per step and a column per
    function. Steps are the keys of ``steps`` (default :data:`HANDOFF_STEPS`); functions are marketing, sales,
    operations and revops (their labels, such as "Revenue operations", work too), and a function left out has no
    role; roles are R, A, C and I (:func:`raci_letters`; "A/R" for both). The rules:

    * every step of the handoff is there, and nothing else;
    * each step has **exactly one** Accountable (A) and **at least one** Responsible (R);
    * a function that is R or A on a step is not also C or I on it (it does the work or answers for it);
    * the functions that a step passes something between (``HandoffStep.involves``) each hold a role in it, at
      least I: a rejection, a reason or a leak that the other side never hears of closes no loop;
    * with ``employees``, no function without people at the company is R or A.
    """
    steps = HANDOFF_STEPS if steps is None else steps
    rows, problem = _raci_rows(raci, steps)
    if problem:
        return [problem]
    problems: list[str] = []
    missing = [step for step in steps if step not in rows]
    unknown = [step for step in rows if step not in steps]
    if unknown:
        problems.append(_("{found} is not a step of the handoff. Its steps are: {known}.",
                          found=", ".join(repr(s) for s in unknown), known=", ".join(steps)))
    if missing:
        problems.append(_("Your design leaves out the step(s) {missing}: a step without roles is a step that "
                          "nobody does.", missing=", ".join(missing)))
    staffed = None if employees is None else set(employees["function"].astype(str))
    for step in (s for s in steps if s in rows):
        cells = rows[step]
        if not isinstance(cells, Mapping):
            problems.append(_("The roles of step {step} are a {kind}: give a dictionary of functions and their "
                              "roles, such as {{\"marketing\": \"C\"}}.", step=step, kind=type(cells).__name__))
            continue
        held: dict[str, set[str]] = {}
        unreadable: set[str] = set()  # named with a role that is not RACI: said once, not again as "no role"
        for name, value in cells.items():
            function = _function_key(name)
            letters = raci_letters(value)
            if function is None:
                problems.append(_("In step {step}, {name!r} is not a function: use {known}.", step=step, name=name,
                                  known=", ".join(FUNCTION_LABELS)))
            elif letters is None:
                unreadable.add(function)
                problems.append(_("In step {step}, {value!r} (for {function}) is not a RACI role: write R (does the "
                                  "work), A (answers for the result), C (asked before), I (told after), several as "
                                  "\"A/R\", or \"\" for none.", step=step, function=function, value=value))
            else:
                held[function] = held.get(function, set()) | letters
        accountable = [f for f in schema.FUNCTIONS if "A" in held.get(f, set())]
        # an unreadable role may be the missing A or R: those two rules wait until it can be read
        if len(accountable) > 1:
            problems.append(_("Step {step} has {count} Accountables ({functions}): when several answer for a step, "
                              "none does. Keep one A; the others can be R or C.", step=step, count=len(accountable),
                              functions=", ".join(accountable)))
        elif not accountable and not unreadable:
            problems.append(_("Step {step} has no Accountable (A): when it fails, nobody answers for it. Give it "
                              "exactly one.", step=step))
        if not unreadable and not any("R" in held.get(f, set()) for f in schema.FUNCTIONS):
            problems.append(_("Step {step} has nobody Responsible (R): somebody has to do the work. The "
                              "accountable function may do it itself (\"A/R\").", step=step))
        for function in schema.FUNCTIONS:
            letters = held.get(function, set())
            if letters & {"R", "A"} and letters & {"C", "I"}:
                problems.append(_("In step {step}, {function} is {roles}: a function that does the work or answers "
                                  "for it is neither consulted nor informed about it. Keep R or A alone.", step=step,
                                  function=function, roles="/".join(r for r in RACI_ROLES if r in letters)))
        for function in steps[step].involves:
            if not held.get(function) and function not in unreadable:
                problems.append(_("In step {step}, {function} has no role, but {why}. Give {function} at least an "
                                  "I.", step=step, function=function, why=steps[step].why))
        if staffed is not None:
            for function in schema.FUNCTIONS:
                if held.get(function, set()) & {"R", "A"} and function not in staffed:
                    problems.append(_("In step {step}, {function} is R or A, but the company has nobody in "
                                      "{function} (its employees): give the step to a function that has people.",
                                      step=step, function=function))
    return problems


def raci_table(raci: Any, steps: Mapping[str, HandoffStep] | None = None) -> pd.DataFrame:
    """A RACI as a table to read: one row per step (the handoff's steps in order, then any others), one column per
    function, each cell its roles as "A/R" ("" for none); a cell that is not written in RACI roles is shown as
    written. Raises ValueError, with the reason, when the design cannot be read as steps and functions."""
    steps = HANDOFF_STEPS if steps is None else steps
    rows, problem = _raci_rows(raci, steps)
    if problem:
        raise ValueError(problem)
    order = [s for s in steps if s in rows] + [s for s in rows if s not in steps]
    table = pd.DataFrame("", index=pd.Index(order, name="step"), columns=list(schema.FUNCTIONS), dtype=object)
    for step in order:
        cells = rows[step] if isinstance(rows[step], Mapping) else {}
        for name, value in cells.items():
            function, letters = _function_key(name), raci_letters(value)
            column = function or str(name)
            if column not in table.columns:
                table[column] = ""
            table.loc[step, column] = str(value) if letters is None else "/".join(r for r in RACI_ROLES if r in letters)
    return table
