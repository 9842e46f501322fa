"""Exercise 02 · KPIs: a win rate, cost per lead by channel, a net promoter score function, marketing's lag,
and a target that rewards the wrong thing; then the design deliverable, a KPI tree for vela that pairs each
lagging result with the leading indicators that predict it, whose rules :func:`kpis.kpi_tree_problems` checks
(any tree that meets them passes; its quality is graded by hand).

The tasks run on the graded companies, which no course notebook analyses and which are drawn anew for each
cohort: ``argo`` (the company of the exercise, misaligned like ferro) with ``vela`` (aligned, like lumen) as
its yardstick. No message names a number of theirs: every expected value comes from their data."""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import cache, partial
from typing import Any

import numpy as np
import pandas as pd

from smarketing import alignment, dashboard, kpis
from smarketing.datasets import COURSE_QUARTERS
from smarketing.exercises.shared import company, design_verdict, mistaken, same_or_nan
from smarketing.exercises.task import Mistake, Task
from smarketing.exercises.verifiers import choice, frame, function, number
from smarketing.messages import _

KPI_QUARTER = "2024Q4"
COMPANY = "argo"  # the company of the exercise
YARDSTICK = "vela"  # the aligned company it is compared with (task 1)
SHARED_TARGET_OPTIONS = ("leads", "mqls", "sqls", "bookings", "cost_per_lead")
TREE_COMPANY = YARDSTICK  # the design deliverable's company: vela, whose revenue target marketing and sales share
TREE_MIN_LAGGING = 2  # the design's lagging KPIs: at least two results, each with what predicts it
TREE_READERS = ("marketing", "sales", "operations")  # who reads the page: each owns at least one KPI of the tree


def outcome_counts(name: str) -> dict[str, int]:
    """Deals won, lost and still open of a company."""
    outcome = company(name).opportunities["outcome"]
    return {k: int((outcome == k).sum()) for k in ("won", "lost", "open")}


def channel_costs(name: str) -> pd.DataFrame:
    """Spend (its campaigns), leads (by the channel of the campaign that created them) and cost per lead,
    one row per channel, by :func:`alignment.closed_loop_report` and :func:`kpis.cost_per_lead`."""
    c = company(name)
    report = alignment.closed_loop_report(c.leads, c.opportunities, c.campaigns)
    return report[["channel", "spend", "leads", "cost_per_lead"]].reset_index(drop=True)


def lead_to_close_days(name: str, outcomes: tuple[str, ...] = ("won",), start: str = "lead",
                       whole_days: bool = False) -> float:
    """Marketing's lag: median days from a lead's creation to the close of its won deal
    (:func:`kpis.sales_cycle_days` with the lead's ``created_at`` as the start). The other arguments
    compute the common mistakes: lost deals too, the clock started at the MQL or the opportunity, or
    each duration rounded down to whole days."""
    c = company(name)
    deals = c.opportunities[c.opportunities["outcome"].isin(outcomes)]
    begin = {"lead": deals["lead_id"].map(c.leads.set_index("lead_id")["created_at"]),
             "mql": deals["lead_id"].map(c.leads.set_index("lead_id")["mql_at"]),
             "opportunity": deals["created_at"]}[start]
    if whole_days:
        days = (deals["closed_at"] - pd.to_datetime(begin)).dt.days.dropna()
        return float(days.median())
    return kpis.sales_cycle_days(begin, deals["closed_at"])


def _lag_durations(name: str) -> pd.Series:
    c = company(name)
    won = c.opportunities[c.opportunities["outcome"] == "won"]
    created = won["lead_id"].map(c.leads.set_index("lead_id")["created_at"])
    return (won["closed_at"] - created).dt.total_seconds() / 86_400


@cache
def _quarterly(name: str) -> pd.DataFrame:
    return dashboard.quarterly_kpis(company(name))


def quarter_kpi(name: str, kpi: str, quarter: str = KPI_QUARTER, column: str = "value") -> float:
    """One KPI (or its target) of a company's quarter, from :func:`dashboard.quarterly_kpis`."""
    table = _quarterly(name)
    return float(table.loc[(table["quarter"] == quarter) & (table["kpi"] == kpi), column].iloc[0])


def mql_target_attainment(name: str, quarter: str = KPI_QUARTER) -> float:
    """The quarter's MQLs ÷ marketing's MQL target."""
    return kpis.quota_attainment(quarter_kpi(name, "mqls", quarter), quarter_kpi(name, "mqls", quarter, "target"))


def _nps_cases() -> list[tuple[tuple, float]]:
    """The cases of task 3; the learner's function gets copies, so that one that drops or fills the
    answers in place cannot change the course's cached data for the checks that follow."""
    answers = company(YARDSTICK).accounts["nps"]
    lists = ([10, 10, 9, 8, 7, 6, 3, 10], [9, 10, 9, 9], [0, 6, 5, 8])
    return [((list(scores),), kpis.net_promoter_score(scores)) for scores in lists] + \
           [((answers.copy(),), kpis.net_promoter_score(answers))]


def _describe_scores(args: tuple) -> str:
    scores = args[0]
    if isinstance(scores, pd.Series):
        return _(" ({name}'s accounts['nps'], with the missing answers)", name=YARDSTICK)
    return _(" (answers {scores})", scores=list(scores))


NPS_PROBE = [10, 10, 10, 9, 8, 7, 8, 6, 2, 5]  # 4 promoters, 3 passives, 3 detractors: NPS 10


def _nps_like(variant: Callable[[np.ndarray], float]) -> Callable[[Any], bool]:
    """A mistake detector: the learner's NPS function gives the ``variant`` formula's result on the probe."""
    def looks_like(answer: Any) -> bool:
        got = answer(list(NPS_PROBE))
        want = variant(np.array(NPS_PROBE, dtype=float))
        return not same_or_nan(got, kpis.net_promoter_score(NPS_PROBE)) and same_or_nan(got, want)
    return looks_like


def _nps_counts_missing(answer: Any) -> bool:
    scores = [10, 9, math.nan, None, 3]
    return same_or_nan(answer(list(NPS_PROBE)), kpis.net_promoter_score(NPS_PROBE)) and \
        same_or_nan(answer(scores), 100 * (2 - 1) / len(scores))


def _by_channel(answer: Any, column: str) -> pd.Series | None:
    """The answer's ``column`` by channel (channel a column or the index), or None if it has neither."""
    if not isinstance(answer, pd.DataFrame) or column not in answer.columns:
        return None
    table = answer if "channel" in answer.columns else answer.reset_index()
    if "channel" not in table.columns:
        return None
    values = pd.to_numeric(table[column], errors="coerce").astype(float)
    return pd.Series(values.to_numpy(), index=table["channel"].astype(str).to_numpy())


def _column_is(answer: Any, column: str, expected: pd.Series) -> bool:
    got = _by_channel(answer, column)
    if got is None or sorted(got.index) != sorted(expected.index.astype(str)):
        return False
    expected = pd.Series(expected.to_numpy(float), index=expected.index.astype(str))
    return bool(np.allclose(got.reindex(expected.index).to_numpy(), expected.to_numpy(), rtol=1e-6))


def _spend_joined_to_leads(name: str) -> pd.Series:
    """Spend summed after merging campaigns onto leads: each campaign's spend counted once per lead."""
    c = company(name)
    joined = c.leads[["campaign_id", "channel"]].merge(c.campaigns[["campaign_id", "spend"]], on="campaign_id")
    return joined.groupby(joined["channel"].astype(str))["spend"].sum()


def _campaigns_per_channel(name: str) -> pd.Series:
    campaigns = company(name).campaigns
    return campaigns.groupby(campaigns["channel"].astype(str)).size().astype(float)


def _cost_per_mql(name: str) -> pd.Series:
    report = alignment.closed_loop_report(company(name).leads, company(name).opportunities, company(name).campaigns)
    return (report["spend"] / report["mqls"]).set_axis(report["channel"])


def _channel_as_text(verify: Callable[[Any], str | None]) -> Callable[[Any], str | None]:
    """``verify`` on the answer with its channel column as text: a categorical column (from a groupby on
    the categorical channel) sorts by category order, not by name, so the rows would not line up."""
    def normalised(answer: Any) -> str | None:
        if isinstance(answer, pd.DataFrame) and "channel" in answer.columns:
            answer = answer.assign(channel=answer["channel"].astype(str))
        return verify(answer)
    return normalised


def _tree_verdict(answer: Any) -> str | None:
    """The design deliverable's check: what is wrong with a KPI tree by :func:`kpis.kpi_tree_problems` (at least
    two lagging KPIs, and marketing, sales and operations each owning one), the first few problems in words, or
    None when it meets every rule."""
    problems = kpis.kpi_tree_problems(answer, min_lagging=TREE_MIN_LAGGING, required_owners=TREE_READERS)
    return design_verdict(problems, _("tree"))


def _owners_only(answer: Any) -> bool:
    """A flat dictionary of owners ({kpi: "sales"}) where a tree ({lagging: {"owner", "leading"}}) is asked for."""
    return isinstance(answer, dict) and bool(answer) and all(isinstance(v, str) for v in answer.values())


def _upside_down(answer: Any) -> bool:
    """Every pair of the tree is readable and named as the course names KPIs, and every leading KPI moves *later*
    than the result it is said to predict: the learner put the indicators at the top and the results under them."""
    try:
        table = kpis.kpi_tree_table(answer)
    except ValueError:
        return False
    pairs = table[table["leading"] != ""]
    if pairs.empty or not (pairs["lagging"].isin(list(kpis.KPI_STAGE)) & pairs["leading"].isin(list(kpis.KPI_STAGE))).all():
        return False
    order = list(kpis.KPI_STAGES)
    return all(order.index(kpis.KPI_STAGE[lead]) > order.index(kpis.KPI_STAGE[lag])
               for lag, lead in zip(pairs["lagging"], pairs["leading"], strict=True))


def _one_of(*values: str) -> Callable[[Any], bool]:
    return lambda answer: isinstance(answer, str) and answer.strip().lower() in values


def tasks() -> tuple[Task, ...]:
    """The tasks of exercise 02, in order."""

    counts = outcome_counts
    expected_costs = partial(channel_costs, COMPANY)

    def spend_and_leads() -> pd.DataFrame:
        return expected_costs()[["channel", "spend", "leads"]]

    def cost_column() -> pd.DataFrame:
        return expected_costs()[["channel", "cost_per_lead"]]

    def win_rate(name: str) -> float:
        return kpis.win_rate(counts(name)["won"], counts(name)["lost"])

    right_win_rate = partial(win_rate, YARDSTICK)

    win_rate_mistake = partial(mistaken, right_win_rate)

    channel_as_index = Mistake(
        lambda a: isinstance(a, pd.DataFrame) and "channel" not in a.columns and a.index.name == "channel",
        _("`channel` is the index of your table, not a column: add .reset_index() at the end."))
    joined_spend = Mistake(
        lambda a: _column_is(a, "spend", _spend_joined_to_leads(COMPANY)),
        _("your spend counts each campaign once per lead it brought (a merge of campaigns onto leads, then a "
          "sum). Sum the spend in the campaigns table by channel, and count the leads separately."))
    yardstick_costs = Mistake(
        lambda a: _column_is(a, "spend", channel_costs(YARDSTICK).set_index("channel")["spend"]),
        _("these are vela's channels; the task asks for argo's."))

    right_lag = partial(lead_to_close_days, COMPANY)

    def lag(**kwargs: Any) -> Callable[..., bool]:
        return mistaken(right_lag, partial(lead_to_close_days, COMPANY, **kwargs))

    right_attainment = partial(mql_target_attainment, COMPANY)

    attainmentclose = partial(mistaken, right_attainment)

    mqls_q = partial(quarter_kpi, COMPANY, "mqls")
    target_q = partial(quarter_kpi, COMPANY, "mqls", column="target")
    right_q4_rate = partial(quarter_kpi, COMPANY, "mql_to_sql_rate")

    def mqls_made_from_leads_created() -> float:
        leads = company(COMPANY).leads
        created = COURSE_QUARTERS.index(leads["created_at"]) == COURSE_QUARTERS.labels.index(KPI_QUARTER)
        return float((created & leads["mql_at"].notna()).sum())

    def whole_period_rate() -> float:
        leads = company(COMPANY).leads
        return float(leads["sql_at"].notna().sum()) / float(leads["mql_at"].notna().sum())

    return (
        Task("q1", "lumen_win_rate", number(right_win_rate, share=True),
             (_("count vela's deals with outcome 'won' and those with outcome 'lost'; the open ones are neither. "
                "Then won ÷ (won + lost), or kpis.win_rate(won, lost)."),
              _("vela.opportunities[\"outcome\"].value_counts() shows how many deals are won, lost and open. "
                "Compare the outcome column with \"won\" and with \"lost\" and .sum() each comparison; open deals "
                "are in neither count, and deals lost to 'no decision' are lost deals too.")),
             mistakes=(
                 Mistake(win_rate_mistake(lambda: counts(YARDSTICK)["won"] / sum(counts(YARDSTICK).values())),
                         _("you divided by all deals, the open ones included. A deal still open is neither won nor "
                           "lost: divide by the closed deals only.")),
                 Mistake(win_rate_mistake(partial(win_rate, COMPANY)),
                         _("that is argo's win rate; this task asks for vela's, the yardstick.")),
                 Mistake(win_rate_mistake(lambda: 1 - right_win_rate()),
                         _("that is the share of closed deals that were lost; the win rate counts the won ones.")),
                 Mistake(win_rate_mistake(lambda: kpis.win_rate(counts(YARDSTICK)["won"], counts(YARDSTICK)["lost"]
                                                                - int((company(YARDSTICK).opportunities["loss_reason"]
                                                                       == "no_decision").sum()))),
                         _("you left out the deals lost to 'no decision'. They are lost deals: count them.")),
             )),
        Task("q2a", "cost_by_channel", _channel_as_text(frame(spend_and_leads, key="channel")),
             (_("spend: group argo's campaigns by channel and sum `spend`. leads: group argo's leads by channel "
                "and count them. Put both side by side, one row per channel, with `channel` as a column."),
              _("group each table on its own `channel` column: argo.campaigns for the spend (.sum() of `spend`), "
                "argo.leads for the count (.size()). Both results have the channel as their index, so "
                "pd.DataFrame({\"spend\": ..., \"leads\": ...}) lines them up; then turn the index into a column "
                "named channel (.rename_axis(\"channel\").reset_index()). Do not merge campaigns onto leads.")),
             mistakes=(
                 channel_as_index, joined_spend, yardstick_costs,
                 Mistake(lambda a: _column_is(a, "leads", _campaigns_per_channel(COMPANY))
                         and not _column_is(a, "leads", expected_costs().set_index("channel")["leads"]),
                         _("your `leads` column counts campaigns. Count the rows of the leads table by channel.")),
             )),
        Task("q2b", "cost_by_channel", _channel_as_text(frame(cost_column, key="channel")),
             (_("cost_per_lead = spend ÷ leads, row by row (kpis.cost_per_lead gives the same)."),
              _("add the column to your table of part a: its `spend` column divided by its `leads` column, row by "
                "row. The leads are all the leads of the channel, not only its MQLs, and `channel` stays a column.")),
             mistakes=(
                 channel_as_index, joined_spend, yardstick_costs,
                 Mistake(lambda a: _column_is(a, "cost_per_lead", _cost_per_mql(COMPANY)),
                         _("you divided the spend by the MQLs: that is the cost per MQL. Cost per lead divides by "
                           "every lead the channel brought in.")),
             )),
        Task("q3", "net_promoter_score",
             function(_nps_cases, compare=same_or_nan, describe=_describe_scores),
             (_("skip the missing answers first (for example pd.Series(scores, dtype=float).dropna()). Then the share "
                "of answers from 9 to 10 minus the share from 0 to 6, times 100. Answers of 7 and 8 count in the "
                "total but are neither."),
              _("after dropping the missing answers, check for an empty Series (len(...) == 0) and return math.nan. "
                "Promoters are the answers from 9 up, detractors those up to 6: a comparison such as >= gives a "
                "True/False Series whose .mean() is the share of True. The score is in points: multiply the "
                "difference of the two shares by 100.")),
             mistakes=(
                 Mistake(_nps_like(lambda s: 100 * ((s >= 9).mean() - (s <= 8).mean())),
                         _("you counted the 7s and 8s as detractors. They are passives: they count in the total but "
                           "on neither side. Detractors answer 0 to 6.")),
                 Mistake(_nps_like(lambda s: (s >= 9).mean() - (s <= 6).mean()),
                         _("your function returns a share (for example 0.1). NPS is given in points from −100 to "
                           "100: multiply by 100.")),
                 Mistake(_nps_like(lambda s: 100 * ((s >= 9).mean() - (s <= 5).mean())),
                         _("you left the 6s out of the detractors. Detractors answer 0 to 6.")),
                 Mistake(_nps_like(lambda s: 100 * ((s >= 10).mean() - (s <= 6).mean())),
                         _("you counted only the 10s as promoters. Promoters answer 9 or 10.")),
                 Mistake(_nps_like(lambda s: float((s >= 9).sum() - (s <= 6).sum())),
                         _("you subtracted the counts. NPS subtracts the shares: divide each count by the number "
                           "of answers, then multiply by 100.")),
                 Mistake(_nps_counts_missing,
                         _("missing answers (NaN, None) count in your total. Skip them first: a customer who did "
                           "not answer is neither a promoter nor a detractor.")),
             )),
        Task("q4", "lag_days", number(right_lag),
             (_("keep argo's won deals; find each one's lead in `leads` (by lead_id) and its created_at; take "
                "closed_at − created_at in days (.dt.total_seconds() / 86_400) and the median."),
              _("to find each won deal's lead creation time, .map its lead_id through argo.leads indexed by lead_id "
                "(.set_index(\"lead_id\")[\"created_at\"]), or merge the two tables on lead_id. closed_at minus that "
                "time is a Timedelta: turn it into days with fractions before you take the median.")),
             mistakes=(
                 Mistake(lambda a: isinstance(a, pd.Timedelta | np.timedelta64),
                         _("your answer is a time span (Timedelta). Give it in days as a number: "
                           ".dt.total_seconds() / 86_400 before the median.")),
                 Mistake(lag(start="opportunity"),
                         _("you measured from the opportunity's creation: that is the sales cycle. Marketing's lag "
                           "starts earlier, when the lead came in (the lead's created_at).")),
                 Mistake(lag(start="mql"),
                         _("you started the clock at the MQL. Marketing's money was spent before that: start at the "
                           "lead's created_at.")),
                 Mistake(lag(outcomes=("won", "lost")),
                         _("you included lost deals. Marketing's lag is about revenue: count the won deals only.")),
                 Mistake(lag(whole_days=True),
                         _("you rounded each duration down to whole days (.dt.days). Keep the fractions: "
                           ".dt.total_seconds() / 86_400.")),
                 Mistake(mistaken(right_lag, lambda: float(_lag_durations(COMPANY).mean())),
                         _("that is the mean. Take the median: a few very long deals pull the mean up.")),
                 Mistake(mistaken(right_lag, partial(lead_to_close_days, YARDSTICK)),
                         _("that is vela's lag; this task asks for argo's.")),
             )),
        Task("q5a", "mql_attainment", number(right_attainment),
             (_("MQLs of the quarter (mql_at from 1 October to 31 December 2024) ÷ the target in `targets` where "
                "quarter is '2024Q4' and metric is 'mqls'."),
              _("find the quarter of each MQL from `mql_at` (.dt.to_period(\"Q\") gives labels such as 2024Q4) and "
                "count those in 2024Q4; when the lead was created does not matter. In argo.targets keep the row "
                "where quarter is \"2024Q4\" and metric is \"mqls\", take its `target` as one number (.iloc[0]), and "
                "divide.")),
             mistakes=(
                 Mistake(attainmentclose(lambda: 100 * right_attainment()),
                         _("this looks like a percentage. Give attainment as a share (0.9 for 90 %).")),
                 Mistake(attainmentclose(lambda: target_q() / mqls_q()),
                         _("you divided the target by the MQLs; attainment is MQLs ÷ target.")),
                 Mistake(attainmentclose(lambda: mqls_made_from_leads_created() / target_q()),
                         _("you counted the leads created in the quarter that became MQLs at some point. An MQL of "
                           "the quarter is a lead whose mql_at falls in it.")),
             )),
        Task("q5b", "mql_to_sql_q4", number(right_q4_rate, share=True),
             (_("take the leads whose mql_at is in 2024Q4; of those, the share that have an sql_at (at any date)."),
              _("use the same filter on `mql_at` as in part a, but keep the rows (the quarter's MQLs) instead of "
                "counting them. Then look at their `sql_at`: .notna() marks those that sales qualified, and its mean "
                "is the share. Do not filter `sql_at` by date.")),
             mistakes=(
                 Mistake(mistaken(right_q4_rate, lambda: quarter_kpi(COMPANY, "sqls") / mqls_q()),
                         _("you divided the SQLs made in the quarter by the MQLs made in it. Some of those SQLs "
                           "were MQLs of an earlier quarter: follow the quarter's MQLs and count those that have "
                           "an sql_at.")),
                 Mistake(mistaken(right_q4_rate, whole_period_rate),
                         _("that is the rate of all of argo's MQLs, over the whole period of the data; the task asks "
                           "for the MQLs of 2024Q4.")),
             )),
        Task("q5c", "shared_target", choice(["sqls"], SHARED_TARGET_OPTIONS),
             (_("the KPI must need both teams (neither can reach it alone) and must show within the quarter "
                "(remember task 4's lag)."),
              _("test each of the five options with two questions. Could marketing or sales reach it while the other "
                "team fails? Would a quarter's work by both teams show up in it within that same quarter (task 4 "
                "measured how long revenue takes)? Keep the option that passes both.")),
             mistakes=(
                 Mistake(_one_of("mqls", "leads"),
                         _("marketing can raise that alone, by lowering the bar, without sales: that is how argo's "
                           "marketing is judged today. A shared target needs both teams.")),
                 Mistake(_one_of("cost_per_lead"),
                         _("cost per lead is marketing's alone, and cheaper leads are not better ones.")),
                 Mistake(_one_of("bookings"),
                         _("bookings need both teams, but a quarter's leads turn into revenue months later (task 4): "
                           "a quarterly bookings target judges marketing on the leads of earlier quarters. Choose a "
                           "KPI that shows within the quarter.")),
             )),
        Task("q6", "kpi_tree", _tree_verdict,
             (_("start from the results vela is judged on (bookings, new customers, CAC, net revenue retention…): "
                "those are the lagging KPIs, the keys of the tree. Under each, name the KPIs that move earlier in the "
                "revenue chain and predict it (MQLs, the MQL → SQL rate, speed to lead, leakage, pipeline coverage, "
                "resolution hours…), and give every KPI the one function that can move it."),
              _("write `kpi_tree` as {\"bookings\": {\"owner\": \"sales\", \"leading\": {\"sqls\": \"...\", ...}}, "
                "...} and look at it with kpis.kpi_tree_table(kpi_tree). Names are the keys of kpis.KPI_STAGE, which "
                "also gives each KPI's stage: a leading KPI must come from an earlier stage (kpis.KPI_STAGES lists "
                "them in order) than the result it predicts. Owners are marketing, sales, operations or revops, not "
                "'shared'. kpis.kpi_tree_problems(kpi_tree, min_lagging=2, required_owners=(\"marketing\", "
                "\"sales\", \"operations\")) lists what is still wrong.")),
             mistakes=(
                 Mistake(_owners_only,
                         _("your tree is a flat list of KPIs and their owners. A tree says which results (lagging "
                           "KPIs) each indicator predicts: {\"bookings\": {\"owner\": \"sales\", \"leading\": "
                           "{\"sqls\": \"sales\"}}}, one entry per result.")),
                 Mistake(_upside_down,
                         _("your tree is upside down: every KPI you list as leading moves later than the one it is "
                           "meant to predict. The keys are the results a team is judged on; under each go the "
                           "indicators that move before it.")),
             )),
    )
