"""Every KPI formula the course teaches, defined once, with its unit and typical range.

Conventions: rates are returned as shares (0.25 means 25 %). When a formula is undefined because
its denominator is zero (no leads, no closed deals, no customers at the start), the result is
``nan`` — "not defined" — never ``inf`` and never a ZeroDivisionError; pandas, charts and the
widgets show it as a gap. Negative counts, costs or revenue are refused with a clear ValueError.

Typical ranges carry the credibility grade of their source (see ``KPI_CATALOG``): A peer-reviewed
study or primary dataset, B an analyst's or vendor's own survey, C blog or aggregator, D no origin.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from smarketing.messages import _

Number = float | int


def _non_negative(**values: Number) -> None:
    for name, value in values.items():
        if value is None or (isinstance(value, float) and math.isnan(value)):
            raise ValueError(_("{name} is missing; give a number.", name=name))
        if value < 0:
            raise ValueError(_("{name} must not be negative (got {value}). Check for refunds, credit notes or "
                               "typos in the data.", name=name, value=value))


def _ratio(numerator: Number, denominator: Number) -> float:
    return math.nan if denominator == 0 else float(numerator) / float(denominator)


def _share(part: Number, whole: Number, part_name: str, whole_name: str) -> float:
    _non_negative(**{part_name: part, whole_name: whole})
    if part > whole:
        raise ValueError(_("{part_name} ({part}) cannot exceed {whole_name} ({whole}): a rate compares a group "
                           "with the larger group it came from.", part_name=part_name, part=part,
                           whole_name=whole_name, whole=whole))
    return _ratio(part, whole)


def cost_per_lead(spend: Number, leads: Number) -> float:
    """Marketing spend ÷ leads it brought in. Currency per lead; nan when there are no leads."""
    _non_negative(spend=spend, leads=leads)
    return _ratio(spend, leads)


def conversion_rate(converted: Number, entered: Number) -> float:
    """Of those who entered a stage, the share that reached the next one (same cohort). Share 0–1."""
    return _share(converted, entered, "converted", "entered")


def win_rate(won: Number, lost: Number) -> float:
    """Won ÷ (won + lost). Open deals are left out: they are neither. Share; nan with no closed deals."""
    _non_negative(won=won, lost=lost)
    return _ratio(won, won + lost)


def average_deal_size(bookings: Number, deals_won: Number) -> float:
    """Bookings ÷ deals won. Currency per deal; nan with no deals won."""
    _non_negative(bookings=bookings, deals_won=deals_won)
    return _ratio(bookings, deals_won)


def sales_cycle_days(created: pd.Series, closed: pd.Series) -> float:
    """Median days from opportunity created to closed, over the rows with both dates (pass won deals).

    Days; nan when there are none. A close before its creation is refused: the dates are wrong.
    """
    days = (pd.to_datetime(closed) - pd.to_datetime(created)).dt.total_seconds() / 86_400
    if (days < 0).any():
        raise ValueError(_("{count} deal(s) close before they were created; check the dates.",
                           count=int((days < 0).sum())))
    days = days.dropna()
    return float(days.median()) if len(days) else math.nan


def pipeline_coverage(open_pipeline: Number, remaining_quota: Number) -> float:
    """Open qualified pipeline ÷ quota still to reach. Times (×); nan when the quota is already met."""
    _non_negative(open_pipeline=open_pipeline, remaining_quota=remaining_quota)
    return _ratio(open_pipeline, remaining_quota)


def pipeline_velocity(opportunities: Number, average_deal: Number, win_rate: Number, cycle_days: Number) -> float:
    """Opportunities × average deal × win rate ÷ cycle days: revenue the pipeline produces per day."""
    _non_negative(opportunities=opportunities, average_deal=average_deal, win_rate=win_rate, cycle_days=cycle_days)
    return _ratio(opportunities * average_deal * win_rate, cycle_days)


def customer_acquisition_cost(sales_and_marketing_cost: Number, new_customers: Number) -> float:
    """Fully loaded sales + marketing cost ÷ new customers. Currency per customer; nan with none won."""
    _non_negative(sales_and_marketing_cost=sales_and_marketing_cost, new_customers=new_customers)
    return _ratio(sales_and_marketing_cost, new_customers)


def cac_ratio(sales_and_marketing_cost: Number, new_annual_recurring_revenue: Number) -> float:
    """Sales + marketing cost ÷ the new annual recurring revenue (ARR) it bought. Currency per currency of new
    ARR (the "$2 per $1" of SaaS benchmarks); nan with no new ARR. Unlike CAC, it does not depend on deal size."""
    _non_negative(sales_and_marketing_cost=sales_and_marketing_cost,
                  new_annual_recurring_revenue=new_annual_recurring_revenue)
    return _ratio(sales_and_marketing_cost, new_annual_recurring_revenue)


def _margin(gross_margin: Number) -> None:
    if not 0 < gross_margin <= 1:
        raise ValueError(_("gross_margin is a share between 0 and 1 (e.g. 0.75 for 75 %), got {value}.",
                           value=gross_margin))


def cac_payback_months(cac: Number, monthly_revenue_per_account: Number, gross_margin: Number) -> float:
    """CAC ÷ (monthly revenue per account × gross margin): months of margin to earn back a customer's cost."""
    _non_negative(cac=cac, monthly_revenue_per_account=monthly_revenue_per_account)
    _margin(gross_margin)
    return _ratio(cac, monthly_revenue_per_account * gross_margin)


def lifetime_value(monthly_revenue_per_account: Number, gross_margin: Number, monthly_churn_rate: Number) -> float:
    """Monthly revenue × gross margin ÷ monthly churn rate. Currency per customer.

    nan when churn is 0: no churn means an unbounded lifetime, so the formula is undefined; cap the
    lifetime instead (e.g. five years).
    """
    _non_negative(monthly_revenue_per_account=monthly_revenue_per_account, monthly_churn_rate=monthly_churn_rate)
    _margin(gross_margin)
    return _ratio(monthly_revenue_per_account * gross_margin, monthly_churn_rate)


def ltv_to_cac(ltv: Number, cac: Number) -> float:
    """Lifetime value ÷ acquisition cost. Ratio (×); nan when CAC is 0."""
    _non_negative(ltv=ltv, cac=cac)
    return _ratio(ltv, cac)


def net_revenue_retention(start_revenue: Number, expansion: Number, contraction: Number, churned: Number) -> float:
    """(Start + expansion − contraction − churned) ÷ start, for the customers of the start. Share (1.05 = 105 %)."""
    _non_negative(start_revenue=start_revenue, expansion=expansion, contraction=contraction, churned=churned)
    return _ratio(start_revenue + expansion - contraction - churned, start_revenue)


def gross_revenue_retention(start_revenue: Number, contraction: Number, churned: Number) -> float:
    """(Start − contraction − churned) ÷ start: retention without expansion. Share, at most 1."""
    _non_negative(start_revenue=start_revenue, contraction=contraction, churned=churned)
    return _ratio(start_revenue - contraction - churned, start_revenue)


def churn_rate(customers_lost: Number, customers_at_start: Number) -> float:
    """Customers lost in the period ÷ customers at its start. Share per period."""
    return _share(customers_lost, customers_at_start, "customers_lost", "customers_at_start")


def _ratings(values: Iterable[Number], low: int, high: int, what: str) -> np.ndarray:
    ratings = pd.to_numeric(pd.Series(list(values), dtype="object"), errors="coerce").dropna().to_numpy(float)
    outside = ratings[(ratings < low) | (ratings > high) | (ratings % 1 != 0)]
    if len(outside):
        raise ValueError(_("{what} are whole numbers from {low} to {high}; found {values}.", what=what, low=low,
                           high=high, values=", ".join(f"{v:g}" for v in np.unique(outside)[:5])))
    return ratings


def net_promoter_score(scores: Iterable[Number]) -> float:
    """% promoters (9–10) − % detractors (0–6) of the 0–10 answers. Points from −100 to 100; nan if none."""
    ratings = _ratings(scores, 0, 10, _("NPS answers"))
    if not len(ratings):
        return math.nan
    return float(100 * ((ratings >= 9).mean() - (ratings <= 6).mean()))


def csat(ratings: Iterable[Number]) -> float:
    """Share of satisfied answers (4 or 5) among the 1–5 ratings given. Share; nan if none."""
    values = _ratings(ratings, 1, 5, _("CSAT ratings"))
    return float((values >= 4).mean()) if len(values) else math.nan


def quota_attainment(bookings: Number, quota: Number) -> float:
    """Bookings ÷ quota. Share (1.1 = 110 % of quota); nan without a quota."""
    _non_negative(bookings=bookings, quota=quota)
    return _ratio(bookings, quota)


def cart_abandonment_rate(orders: Number, carts: Number) -> float:
    """1 − orders ÷ carts started. Share; nan with no carts."""
    return 1 - _share(orders, carts, "orders", "carts")


def perfect_order_rate(perfect_orders: Number, orders: Number) -> float:
    """Orders delivered complete, on time, undamaged and correctly invoiced ÷ all orders. Share."""
    return _share(perfect_orders, orders, "perfect_orders", "orders")


def roas(attributed_revenue: Number, spend: Number) -> float:
    """Return on ad spend: revenue attributed to the channel ÷ spend. Ratio (×); nan without spend.

    Revenue, not profit: ROAS − 1 is what is often, wrongly, called ROI. For the return, use :func:`romi`."""
    _non_negative(attributed_revenue=attributed_revenue, spend=spend)
    return _ratio(attributed_revenue, spend)


def romi(attributed_revenue: Number, spend: Number, gross_margin: Number) -> float:
    """Return on marketing investment: (attributed revenue × gross margin − spend) ÷ spend. Share (0.5 = 50 %
    return); nan without spend.

    The margin, not the revenue, pays back the spend. It is only a return *caused* by the channel when the
    revenue is incremental (what would not have happened without it); attributed revenue is an upper bound.
    """
    _non_negative(attributed_revenue=attributed_revenue, spend=spend)
    _margin(gross_margin)
    return _ratio(attributed_revenue * gross_margin - spend, spend)


def cost_per_ticket(support_cost: Number, tickets: Number) -> float:
    """Support cost ÷ tickets handled. Currency per ticket; nan with no tickets."""
    _non_negative(support_cost=support_cost, tickets=tickets)
    return _ratio(support_cost, tickets)


def engagement_rate(engaged: Number, reached: Number) -> float:
    """People who interacted (clicked, replied, came back) ÷ people reached. Share; nan if nobody was reached."""
    return _share(engaged, reached, "engaged", "reached")


def lead_leakage_rate(leaked_mqls: Number, mqls: Number) -> float:
    """MQLs not followed up within the SLA (never contacted, or contacted too late) ÷ MQLs. Share; nan with no MQLs."""
    return _share(leaked_mqls, mqls, "leaked_mqls", "mqls")


def on_time_delivery_rate(on_time_orders: Number, orders: Number) -> float:
    """Orders delivered by the promised date ÷ orders. Share; nan with no orders."""
    return _share(on_time_orders, orders, "on_time_orders", "orders")


def return_rate(returned_orders: Number, orders: Number) -> float:
    """Orders sent back ÷ orders. Share; nan with no orders."""
    return _share(returned_orders, orders, "returned_orders", "orders")


def repeat_purchase_rate(repeat_orders: Number, orders: Number) -> float:
    """Orders after which the same shopper ordered again ÷ orders. Share; nan with no orders.

    Count only orders that had enough time after them for a next order to show (``dashboard.delivery_effects``
    does this); recent orders would otherwise look like shoppers who never came back.
    """
    return _share(repeat_orders, orders, "repeat_orders", "orders")


def _durations(start: pd.Series, end: pd.Series, seconds_per_unit: float) -> pd.Series:
    return (pd.to_datetime(end) - pd.to_datetime(start)).dt.total_seconds() / seconds_per_unit


def _median(values: pd.Series) -> float:
    values = values.dropna()
    return float(values.median()) if len(values) else math.nan


def resolution_hours(opened: pd.Series, resolved: pd.Series) -> float:
    """Median hours from a ticket opened to resolved, over the resolved tickets. Hours; nan when none.

    A ticket resolved before it was opened is refused: the dates are wrong.
    """
    hours = _durations(opened, resolved, 3_600)
    if (hours < 0).any():
        raise ValueError(_("{count} ticket(s) are resolved before they were opened; check the dates.",
                           count=int((hours < 0).sum())))
    return _median(hours)


def order_cycle_days(ordered: pd.Series, delivered: pd.Series) -> float:
    """Median days from an order placed to delivered, over the delivered orders. Days; nan when none.

    An order delivered before it was placed is refused: the dates are wrong.
    """
    days = _durations(ordered, delivered, 86_400)
    if (days < 0).any():
        raise ValueError(_("{count} order(s) are delivered before they were placed; check the dates.",
                           count=int((days < 0).sum())))
    return _median(days)


# Fully loaded yearly cost of one marketing or sales employee, for CAC. An assumption of the course,
# said aloud in the notebooks: the datasets have no payroll.
LOADED_COST_PER_HEAD = 100_000.0


@dataclass(frozen=True)
class KPIInfo:
    """What the course says about one KPI: who owns it, how it is computed, its unit and usual values."""

    name: str
    owner: str
    formula: str
    unit: str
    typical_range: str
    source_grade: str


KPI_CATALOG: dict[str, KPIInfo] = {k.name: k for k in (
    KPIInfo("cost_per_lead", "marketing", "spend ÷ leads", "currency per lead",
            "B2B SaaS ~US$150–300; e-commerce ~US$90", "C"),
    KPIInfo("conversion_rate", "shared", "entered next stage ÷ entered this stage (same cohort)", "share",
            "Lead→MQL ~25%, MQL→SQL 13–50%, SQL→Opp ~45%, Opp→Won 20–30%", "C"),
    KPIInfo("win_rate", "sales", "won ÷ (won + lost)", "share", "20–30%; SMB 25–40%, enterprise 10–20%", "C"),
    KPIInfo("average_deal_size", "sales", "bookings ÷ deals won", "currency per deal", "—", "—"),
    KPIInfo("sales_cycle_days", "sales", "median days created → closed, won deals", "days",
            "SMB ~30 d, enterprise 180+ d", "C"),
    KPIInfo("pipeline_coverage", "sales", "open qualified pipeline ÷ remaining quota", "×",
            "2.5–4× (the '3× rule' has no origin)", "C"),
    KPIInfo("pipeline_velocity", "shared", "opportunities × average deal × win rate ÷ cycle days",
            "currency per day", "—", "—"),
    KPIInfo("customer_acquisition_cost", "shared", "sales + marketing cost ÷ new customers",
            "currency per customer", "— (depends on deal size: judge it against LTV and payback)", "—"),
    KPIInfo("cac_ratio", "shared", "sales + marketing cost ÷ new annual recurring revenue", "currency per currency",
            "~US$2 per US$1 of new ARR (SaaS median)", "B"),
    KPIInfo("cac_payback_months", "shared", "CAC ÷ (monthly revenue per account × gross margin)", "months",
            "median ~18; under 12 is good", "B/C"),
    KPIInfo("lifetime_value", "shared", "monthly revenue × gross margin ÷ monthly churn", "currency per customer",
            "—", "—"),
    KPIInfo("ltv_to_cac", "shared", "LTV ÷ CAC", "×", "≥ 3:1 heuristic", "C"),
    KPIInfo("net_revenue_retention", "operations",
            "(start + expansion − contraction − churn) ÷ start, trailing 12 months, customers of 12 months ago",
            "share", "100–110%", "B"),
    KPIInfo("gross_revenue_retention", "operations",
            "(start − contraction − churn) ÷ start, trailing 12 months, customers of 12 months ago", "share",
            "~90%", "B"),
    KPIInfo("churn_rate", "operations", "customers lost ÷ customers at start", "share per period",
            "SMB 3–8% a month", "C"),
    KPIInfo("net_promoter_score", "operations", "% answering 9–10 − % answering 0–6", "points (−100..100)",
            "~30–40", "C"),
    KPIInfo("csat", "operations", "share of 4–5 ratings", "share", "~78%", "C"),
    KPIInfo("quota_attainment", "sales", "bookings ÷ quota", "share", "—", "—"),
    KPIInfo("cart_abandonment_rate", "operations", "1 − orders ÷ carts", "share", "~70% (Baymard)", "B"),
    KPIInfo("perfect_order_rate", "operations", "perfect orders ÷ orders", "share", "SCOR model", "B"),
    KPIInfo("roas", "marketing", "attributed revenue ÷ spend", "×", "—", "—"),
    KPIInfo("romi", "marketing", "(attributed revenue × gross margin − spend) ÷ spend", "share", "—", "—"),
    KPIInfo("cost_per_ticket", "operations", "support cost ÷ tickets", "currency per ticket", "—", "—"),
    KPIInfo("engagement_rate", "marketing", "people who interacted ÷ people reached", "share", "—", "—"),
    KPIInfo("lead_leakage_rate", "shared", "MQLs not followed up within the SLA ÷ MQLs", "share", "—", "—"),
    KPIInfo("on_time_delivery_rate", "operations", "orders delivered by the promised date ÷ orders", "share",
            "—", "—"),
    KPIInfo("return_rate", "operations", "orders sent back ÷ orders", "share", "—", "—"),
    KPIInfo("repeat_purchase_rate", "operations", "orders followed by another order of the same shopper ÷ orders",
            "share", "—", "—"),
    KPIInfo("resolution_hours", "operations", "median hours opened → resolved, resolved tickets", "hours (median)",
            "—", "—"),
    KPIInfo("order_cycle_days", "operations", "median days ordered → delivered", "days (median)", "SCOR model",
            "B"),
)}


# ---- a KPI tree: lagging results and the leading indicators that predict them ----------------------------------
# Exercise 02's design deliverable. Not KPIs themselves: tests/test_kpis.py lists these names apart from the
# catalogue.

# The stages of the revenue chain, in the order a lead, a deal and a customer pass through them. A leading
# indicator moves at an earlier stage than the result it predicts, so that a team can act before the result is in.
KPI_STAGES: dict[str, str] = {
    "demand": "marketing reaches the market and brings leads in",
    "mql": "leads become marketing-qualified",
    "response": "sales answers the MQLs",
    "qualification": "sales qualifies them as SQLs",
    "pipeline": "opportunities (or a shop's carts) move towards a decision",
    "bookings": "deals are won or orders placed: new revenue, new customers, and what they cost",
    "service": "after the sale: delivery, support and what the customer thinks of them",
    "retention": "customers stay, buy again and grow: the revenue that lasts",
}

# Every KPI a tree may name, with its stage: the catalogue's KPIs (:data:`KPI_CATALOG`), the KPI names of
# dashboard.quarterly_kpis, and module 03's speed to lead (funnel.speed_to_lead_minutes). The catalogue's
# conversion_rate is every stage's rate, so a tree names the one it means (:data:`_GENERIC_KPIS`).
KPI_STAGE: dict[str, str] = {
    **dict.fromkeys(("marketing_spend", "leads", "engagement_rate", "cost_per_lead"), "demand"),
    **dict.fromkeys(("mqls", "lead_to_mql_rate"), "mql"),
    **dict.fromkeys(("speed_to_lead_minutes", "lead_leakage_rate"), "response"),
    **dict.fromkeys(("sqls", "mql_to_sql_rate"), "qualification"),
    **dict.fromkeys(("pipeline_coverage", "pipeline_velocity", "win_rate", "sales_cycle_days", "average_deal_size",
                     "cart_abandonment_rate"), "pipeline"),
    **dict.fromkeys(("bookings", "new_customers", "quota_attainment", "orders", "customer_acquisition_cost",
                     "cac_ratio", "roas", "romi"), "bookings"),
    **dict.fromkeys(("tickets", "cost_per_ticket", "resolution_hours", "csat", "net_promoter_score",
                     "on_time_delivery", "on_time_delivery_rate", "perfect_order_rate", "order_cycle_days",
                     "return_rate"), "service"),
    **dict.fromkeys(("churn_rate", "net_revenue_retention", "gross_revenue_retention", "repeat_purchase_rate",
                     "lifetime_value", "ltv_to_cac", "cac_payback_months"), "retention"),
}
_GENERIC_KPIS = {"conversion_rate": "lead_to_mql_rate, mql_to_sql_rate or win_rate"}
# Short names people write, and the catalogue's name for each.
_KPI_ALIASES = {"nrr": "net_revenue_retention", "grr": "gross_revenue_retention", "nps": "net_promoter_score",
                "cac": "customer_acquisition_cost", "ltv": "lifetime_value", "cpl": "cost_per_lead",
                "speed_to_lead": "speed_to_lead_minutes", "leakage": "lead_leakage_rate", "revenue": "bookings",
                "pipeline": "pipeline_coverage", "churn": "churn_rate", "mql": "mqls", "sql": "sqls"}
TREE_OWNERS = ("marketing", "sales", "operations", "revops")  # schema.FUNCTIONS: who can own a KPI of a tree


def _kpi_name_problem(name: object) -> str | None:
    """Why ``name`` is not a KPI a tree may name, with the name it probably means; None when it is one."""
    text = str(name)
    if text in KPI_STAGE:
        return None
    if text in _GENERIC_KPIS:
        return _("conversion_rate is the rate of every stage of the funnel: name the one you mean ({which}).",
                 which=_GENERIC_KPIS[text])
    plain = re.sub(r"[\s\-→>]+", "_", text.strip().lower())
    meant = _KPI_ALIASES.get(plain) or (plain if plain in KPI_STAGE else None)
    if meant is None:
        close = difflib.get_close_matches(plain, list(KPI_STAGE), n=1, cutoff=0.7)
        meant = close[0] if close else None
    if meant is not None:
        return _("{name!r} is not a name of the KPI catalogue; did you mean {meant!r}? Name each KPI as "
                 "kpis.KPI_STAGE does, so that everybody reads the same formula.", name=text, meant=meant)
    return _("{name!r} is not a KPI of the course: name each KPI as kpis.KPI_CATALOG or the dashboard does "
             "(kpis.KPI_STAGE lists them all, with their stage).", name=text)


def _owner_problem(kpi: str, owner: object) -> str | None:
    """Why ``owner`` cannot own ``kpi`` in a tree, or None."""
    text = str(owner).strip().lower() if isinstance(owner, str) else owner
    if text in TREE_OWNERS:
        return None
    if text == "shared":
        return _("{kpi} is owned by 'shared': a KPI that everybody owns is nobody's. Name the one function that "
                 "answers for it ({functions}); the others help move it.", kpi=kpi, functions=", ".join(TREE_OWNERS))
    return _("{owner!r}, the owner of {kpi}, is not a function: write one of {functions}.", owner=owner, kpi=kpi,
             functions=", ".join(TREE_OWNERS))


def _tree_pairs(tree: Any) -> tuple[list[tuple[str, Any, str, Any]], list[str]]:
    """A tree read as (lagging, its owner, leading, its owner) pairs (leading "" for a lagging KPI with no leading
    one), and the problems of its shape."""
    if not isinstance(tree, Mapping):
        return [], [_("Your tree is a {kind}. Store it as a dictionary {{lagging KPI: {{\"owner\": function, "
                      "\"leading\": {{leading KPI: its owner}}}}}}.", kind=type(tree).__name__)]
    if not tree:
        return [], [_("Your tree is empty: give it at least one lagging KPI and the leading KPIs that predict it.")]
    pairs, problems = [], []
    for lagging, entry in tree.items():
        lagging = str(lagging)
        if not isinstance(entry, Mapping) or "owner" not in entry or "leading" not in entry:
            problems.append(_("The entry of {kpi} should be a dictionary with an \"owner\" (a function) and "
                              "\"leading\" (a dictionary {{leading KPI: its owner}}).", kpi=lagging))
            continue
        leading = entry["leading"]
        if isinstance(leading, str | list | tuple | set):
            problems.append(_("The leading KPIs of {kpi} are a {kind}: give each its owner, as a dictionary "
                              "{{leading KPI: function}}. A number without an owner is a number nobody moves.",
                              kpi=lagging, kind=type(leading).__name__))
            continue
        if not isinstance(leading, Mapping):
            problems.append(_("The leading KPIs of {kpi} should be a dictionary {{leading KPI: its owner}}.",
                              kpi=lagging))
            continue
        if not leading:
            pairs.append((lagging, entry["owner"], "", None))
        pairs += [(lagging, entry["owner"], str(kpi), owner) for kpi, owner in leading.items()]
    return pairs, problems


def kpi_tree_problems(tree: Any, min_lagging: int = 1, required_owners: Iterable[str] = ()) -> list[str]:
    """What is wrong with a KPI tree, each problem a sentence that says why it matters; an empty list when the
    tree meets every rule. Many trees are right: the rules say what makes a tree, not which one is best.

    ``tree`` is a dictionary ``{lagging KPI: {"owner": function, "leading": {leading KPI: its owner}}}``: each
    result a team is judged on, with the indicators that move earlier and predict it (other keys of an entry,
    such as a "target", are left alone). The rules:

    * every KPI is named as the course names it: a key of :data:`KPI_STAGE` (the catalogue's names, the
      dashboard's, and speed_to_lead_minutes);
    * every KPI has an owner, one function of :data:`TREE_OWNERS` ("shared" is nobody), and the same owner
      wherever it appears in the tree;
    * every lagging KPI has at least one leading KPI, none of them itself, each from an **earlier** stage of the
      revenue chain (:data:`KPI_STAGES`): a leading indicator moves before the result, so that a team can act
      in time;
    * at least ``min_lagging`` lagging KPIs, and each function of ``required_owners`` owns at least one KPI.
    """
    pairs, problems = _tree_pairs(tree)
    if problems and not pairs:
        return problems
    stages = list(KPI_STAGES)
    if isinstance(tree, Mapping) and len(tree) < min_lagging:
        problems.append(_("Your tree has {count} lagging KPI(s); this design asks for at least {least}, each with "
                          "the leading KPIs that predict it.", count=len(tree), least=min_lagging))
    named: dict[str, list[str]] = {}
    owners: dict[str, list[str]] = {}
    for lagging, lagging_owner, leading, leading_owner in pairs:
        for kpi, owner in ((lagging, lagging_owner), (leading, leading_owner)):
            if kpi and kpi not in named:
                named[kpi] = []
                problem = _kpi_name_problem(kpi)
                if problem:
                    named[kpi].append(problem)
                    problems.append(problem)
            if kpi and _owner_problem(kpi, owner) is None:
                owners.setdefault(kpi, [])
                if str(owner).strip().lower() not in owners[kpi]:
                    owners[kpi].append(str(owner).strip().lower())
    said: set[tuple[str, str]] = set()
    for lagging, lagging_owner, leading, leading_owner in pairs:
        for kpi, owner in ((lagging, lagging_owner), (leading, leading_owner)):
            problem = _owner_problem(kpi, owner) if kpi else None
            if problem and (kpi, str(owner)) not in said:
                said.add((kpi, str(owner)))
                problems.append(problem)
        if not leading:
            problems.append(_("{kpi} has no leading KPI: name at least one that moves earlier and predicts it, so "
                              "that its owner can act before the result is in.", kpi=lagging))
            continue
        if leading == lagging:
            problems.append(_("{kpi} is given as its own leading KPI: a result cannot warn of itself. Name what "
                              "moves before it.", kpi=lagging))
            continue
        if named.get(lagging) or named.get(leading):
            continue
        before, after = stages.index(KPI_STAGE[leading]), stages.index(KPI_STAGE[lagging])
        if before >= after:
            problems.append(_("{leading} ({leading_stage}) cannot lead {lagging} ({lagging_stage}): it moves at "
                              "{when} stage of the revenue chain, not an earlier one. A leading KPI moves before "
                              "the result it predicts, so that the team can act in time.",
                              leading=leading, leading_stage=KPI_STAGE[leading], lagging=lagging,
                              lagging_stage=KPI_STAGE[lagging], when=_("the same") if before == after else _("a later")))
    for kpi, found in owners.items():
        if len(found) > 1:
            problems.append(_("{kpi} has {count} owners in your tree ({owners}): one KPI, one owner, wherever it "
                              "appears.", kpi=kpi, count=len(found), owners=", ".join(found)))
    everyone = {owner for found in owners.values() for owner in found}
    for function in required_owners:
        if function not in everyone:
            problems.append(_("{function} owns no KPI of your tree: the page is read by {functions}, and each "
                              "should find on it a number it moves.", function=function,
                              functions=", ".join(required_owners)))
    return problems


def kpi_tree_table(tree: Any) -> pd.DataFrame:
    """A KPI tree as a table to read: one row per pair of a lagging KPI and a leading KPI that predicts it, with
    each one's owner and stage (columns lagging, lagging_owner, lagging_stage, leading, leading_owner,
    leading_stage; "" where the tree names none). Raises ValueError, with the reason, when the tree cannot be
    read as pairs."""
    pairs, problems = _tree_pairs(tree)
    if problems:
        raise ValueError(problems[0])
    rows = [(lagging, str(lagging_owner), KPI_STAGE.get(lagging, ""), leading,
             "" if leading_owner is None else str(leading_owner), KPI_STAGE.get(leading, ""))
            for lagging, lagging_owner, leading, leading_owner in pairs]
    return pd.DataFrame(rows, columns=["lagging", "lagging_owner", "lagging_stage", "leading", "leading_owner",
                                       "leading_stage"])
