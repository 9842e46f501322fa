"""Who does what: how Sales, Marketing and Operations differ, and who really spends time on which work.

The comparisons restate the two seed articles in structured form: seed 000 compares Marketing and
Sales on five dimensions, seed 004 compares Sales and Operations from four angles. The task list
feeds module 01's "who owns this task?" sorter; :func:`check_owner` gives its feedback.
"""

from __future__ import annotations

from dataclasses import dataclass

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
