"""The tables of one synthetic company, each drawn at once for all its rows (numpy and Arrow, no Python loop
over rows): staff and careers, campaigns, leads and their touchpoints, deals and accounts, orders, support
tickets, time sheets and targets. :func:`smarketing.datasets.generator.generate_company` calls them in order.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from smarketing import schema
from smarketing.datasets.company import COURSE_QUARTERS, END, QUARTERS, START
from smarketing.datasets.generator.laws import draw_quality, quality_multiplier, response_multiplier, score_from_quality
from smarketing.datasets.generator.profiles import (
    FIRST_NAMES,
    LAST_NAMES,
    MISALIGNED_WORK,
    WORK_PROFILE,
    YEARS_PER_LEVEL,
    CompanyProfile,
)
from smarketing.datasets.generator.routing import territory_owners
from smarketing.schema import LADDERS, OPERATIONS_BRANCH

DAY = 86_400
MINUTE = 60

STRING = pd.StringDtype("pyarrow", na_value=np.nan)  # pandas' default string dtype, Arrow-backed


def _ids(prefix: str, count: int, width: int = 7) -> pd.Series:
    """Identifiers prefix + zero-padded number, e.g. L0000042.

    Built as one fixed-width byte buffer handed to Arrow: a million ids in a few tens of milliseconds,
    several times faster than formatting strings one by one or with string kernels.
    """
    if count >= 10**width or count >= 2**32:
        raise ValueError(f"{count} ids do not fit in {width} digits")
    number = np.arange(1, count + 1, dtype=np.uint32)  # 32-bit division is about twice as fast
    stride = len(prefix) + width
    text = np.empty((count, stride), dtype=np.uint8)
    text[:, : len(prefix)] = np.frombuffer(prefix.encode("ascii"), dtype=np.uint8)
    for position in range(width):
        number, digit = np.divmod(number, np.uint32(10))
        text[:, stride - 1 - position] = digit + ord("0")
    offsets = np.arange(0, (count + 1) * stride, stride, dtype=np.int32)
    array = pa.StringArray.from_buffers(count, pa.py_buffer(offsets), pa.py_buffer(text))
    return pd.Series(array, dtype=STRING)


def _take(values: pd.Series, index: np.ndarray, present: np.ndarray | None = None) -> pd.Series:
    """``values[index]`` as strings, missing where ``present`` is false."""
    positions = pa.array(np.asarray(index, dtype=np.int64), mask=None if present is None else ~present)
    return pd.Series(pc.take(pa.array(values, type=pa.string()), positions), dtype=STRING)


def _weighted_index(rng: np.random.Generator, weights: np.ndarray, size: int) -> np.ndarray:
    """Row numbers drawn in proportion to ``weights`` (inverse-CDF sampling: fast for many rows)."""
    cumulative = np.cumsum(weights, dtype=float)
    return np.searchsorted(cumulative, rng.uniform(0, cumulative[-1], size), side="right")


def _codes(rng: np.random.Generator, weights: dict[str, float], size: int, categories: tuple[str, ...]) -> np.ndarray:
    """Random category codes (positions in ``categories``) drawn with the given weights."""
    p = np.array([weights.get(c, 0.0) for c in categories], dtype=float)
    return rng.choice(len(categories), size=size, p=p / p.sum())


def _category(codes: np.ndarray, categories: tuple[str, ...]) -> pd.Categorical:
    """Typed as the loader types it: the schema's categories, code -1 for missing."""
    return pd.Categorical.from_codes(np.asarray(codes, dtype=np.int64), categories=list(categories))


def _per(codes: np.ndarray, values: dict[str, float], categories: tuple[str, ...]) -> np.ndarray:
    """Look a per-category parameter up for every row."""
    return np.array([values[c] for c in categories], dtype=float)[codes]


def _at(seconds: np.ndarray) -> np.ndarray:
    """Seconds after START (float, NaN for 'never') as datetime64[s] rounded to the minute."""
    whole = np.where(np.isnan(seconds), 0, np.floor(seconds / MINUTE) * MINUTE).astype(np.int64)
    moments = START + whole.astype("timedelta64[s]")
    return np.where(np.isnan(seconds), np.datetime64("NaT"), moments).astype("datetime64[s]")


def _day(seconds: np.ndarray) -> np.ndarray:
    """Seconds after START (float, NaN for 'never') as the day they fall in, datetime64[s] at midnight."""
    return _at(seconds).astype("datetime64[D]").astype("datetime64[s]")


def _business_time(rng: np.random.Generator, days: np.ndarray) -> np.ndarray:
    """Seconds after START for given day offsets, at a plausible hour of the working day."""
    hours = np.clip(rng.normal(13, 2.8, len(days)), 0, 23.9)
    return np.floor(days) * DAY + hours * 3600


def _staff(rng: np.random.Generator, profile: CompanyProfile) -> tuple[pd.DataFrame, pd.DataFrame]:
    functions = np.repeat(list(profile.staff), list(profile.staff.values()))
    n = len(functions)
    top = np.array([len(LADDERS[f]) for f in functions])
    # A pyramid: most people at the first levels, one or two at the top of each ladder.
    level = np.minimum(1 + rng.geometric(0.5, n) - 1, top)
    for function in profile.staff:  # one head per function (a handful of iterations, not rows)
        members = np.flatnonzero(functions == function)
        level[members[0]] = len(LADDERS[function])
        if len(members) > 1 and not (level[members[1:]] == 1).any():  # a small team still has someone who sells
            level[members[-1]] = 1
    years_per_level = np.array([YEARS_PER_LEVEL[f] for f in functions])
    durations = rng.gamma(4.0, years_per_level[:, None] / 4.0, (n, 7))  # years spent at each level
    in_current = rng.uniform(0, 1, n) * durations[np.arange(n), level - 1]
    history = np.where(np.arange(7)[None, :] < (level - 1)[:, None], durations, 0.0)
    # Some people started in sales and changed function (seed 004: moves between functions happen).
    switched = (functions != "sales") & (level >= 2) & (rng.uniform(size=n) < 0.15)
    before_switch = np.where(switched, rng.gamma(4.0, 1.2 / 4.0, n), 0.0)
    tenure_years = history.sum(axis=1) + in_current + before_switch
    end_day = (END - START) / np.timedelta64(1, "D")
    hire_offset = (end_day - tenure_years * 365.25) * DAY
    titles = np.array([LADDERS[f][lv - 1] for f, lv in zip(functions, level, strict=True)])
    branch = (functions == "operations") & (level == 4) & (rng.uniform(size=n) < 0.5)
    titles[branch] = OPERATIONS_BRANCH
    employee_ids = _ids("E", n, 4)
    managers = np.full(n, None, dtype=object)
    for function in profile.staff:
        members = np.flatnonzero(functions == function)
        for lv in np.unique(level[members]):
            juniors = members[level[members] == lv]
            seniors = members[level[members] > lv]
            if len(seniors):
                closest = seniors[level[seniors] == level[seniors].min()]
                managers[juniors] = employee_ids.to_numpy()[closest[rng.integers(0, len(closest), len(juniors))]]
    quota = np.where((functions == "sales") & (level == 1), profile.quota_per_rep, np.nan)
    employees = pd.DataFrame({
        "employee_id": employee_ids,
        "name": pd.Series(FIRST_NAMES[rng.integers(0, len(FIRST_NAMES), n)]) + " "
        + pd.Series(LAST_NAMES[rng.integers(0, len(LAST_NAMES), n)]),
        "function": functions, "title": titles, "level": level,
        "hire_date": _day(hire_offset), "manager_id": managers,
        "region": rng.choice(schema.REGIONS, n), "quarterly_quota": quota,
    })
    # One promotion row per level climbed, plus the function change of those who switched.
    rows, steps = np.nonzero(np.arange(7)[None, :] < (level - 1)[:, None])
    promoted_at = hire_offset[rows] + (before_switch[rows] + np.cumsum(history, axis=1)[rows, steps]) * 365.25 * DAY
    from_titles = np.array([LADDERS[functions[r]][s] for r, s in zip(rows, steps, strict=True)], dtype=object)
    to_titles = np.array([LADDERS[functions[r]][s + 1] for r, s in zip(rows, steps, strict=True)], dtype=object)
    to_titles[branch[rows] & (steps + 2 == level[rows])] = OPERATIONS_BRANCH
    switch_rows = np.flatnonzero(switched)
    moves = pd.DataFrame({
        "employee_id": np.concatenate([employee_ids.to_numpy()[rows], employee_ids.to_numpy()[switch_rows]]),
        "moved_at": _day(np.concatenate([promoted_at, hire_offset[switch_rows] + before_switch[switch_rows]
                                         * 365.25 * DAY])),
        "from_role": np.concatenate([from_titles, np.full(len(switch_rows), LADDERS["sales"][0])]),
        "from_level": np.concatenate([steps + 1, np.ones(len(switch_rows), dtype=int)]),
        "to_role": np.concatenate([to_titles, [LADDERS[f][0] for f in functions[switch_rows]]]),
        "to_level": np.concatenate([steps + 2, np.ones(len(switch_rows), dtype=int)]),
        "move_type": np.concatenate([np.full(len(rows), "promotion"), np.full(len(switch_rows), "function_change")]),
    }).sort_values(["moved_at", "employee_id"], kind="stable").reset_index(drop=True)
    moves.insert(0, "move_id", _ids("M", len(moves), 5))
    return employees, moves


def _campaigns(rng: np.random.Generator, profile: CompanyProfile, size: int) -> pd.DataFrame:
    count = int(np.clip(size // 60, 40, 2000))
    channel = _codes(rng, profile.channel_mix, count, schema.CHANNELS)
    span_days = (END - START) / np.timedelta64(1, "D")
    length = rng.integers(14, 90, count)
    start = rng.uniform(0, span_days - length, count).astype(int)
    # Spend buys leads: each campaign's expected leads = spend / cost per lead (with noise).
    budget_share = rng.lognormal(0, 0.6, count)
    expected_leads = budget_share / budget_share.sum() * size
    spend = np.round(expected_leads * _per(channel, profile.cost_per_lead, schema.CHANNELS)
                     * rng.lognormal(0, 0.15, count), 2)
    channels = _category(channel, schema.CHANNELS)
    return pd.DataFrame({
        "campaign_id": _ids("C", count, 4),
        "name": (pd.Series(channels.astype(str)).str.replace("_", " ").str.title() + " #"
                 + pd.Series(np.arange(1, count + 1)).astype(str)).astype(STRING),
        "channel": channels,
        "start_date": _day(start * DAY),
        "end_date": _day((start + length) * DAY),
        "spend": spend,
    })


@dataclass(frozen=True)
class _LeadDraws:
    """What later tables need to know about each lead beyond what the leads table shows."""

    quality: np.ndarray
    campaign: np.ndarray  # row of the lead's campaign in the campaigns table


LEAD_BLOCK = 125_000  # leads drawn per block; fixed, so the data never depends on the number of threads


def _lead_block(rng: np.random.Generator, profile: CompanyProfile, created: np.ndarray,
                touch_weights: np.ndarray) -> dict[str, np.ndarray]:
    """Everything that happens to one block of leads, as arrays: their funnel and earlier touches."""
    size = len(created)
    horizon = float((END - START) / np.timedelta64(1, "s"))
    segment = _codes(rng, profile.segment_mix, size, schema.SEGMENTS)
    quality = draw_quality(rng, _per(segment, profile.quality_mean, schema.SEGMENTS))
    score = score_from_quality(rng, quality, profile.score_noise_sd)

    is_mql = score >= profile.mql_threshold
    mql = np.where(is_mql, created + rng.exponential(profile.mql_delay_days * DAY, size), np.nan)
    contacted = is_mql & (rng.uniform(size=size) >= profile.never_contacted_share)
    minutes = rng.lognormal(np.log(profile.response_median_minutes), profile.response_spread, size)
    minutes = np.where(contacted, np.round(minutes, 1), np.nan)
    accepted = contacted & (rng.uniform(size=size) < profile.sal_acceptance)
    # Acceptance (SAL) is a commitment that first contact honours; these companies record both at the first
    # contact, so sal_at doubles as the first-contact time (module 03 says so; real CRMs keep two stamps).
    sal = np.where(accepted, mql + np.nan_to_num(minutes) * MINUTE, np.nan)
    p_sql = (_per(segment, profile.sql_base_rate, schema.SEGMENTS) * quality_multiplier(quality)
             * response_multiplier(minutes, profile.response_decay) * profile.handoff_multiplier)
    qualified = accepted & (rng.uniform(size=size) < np.clip(p_sql, 0, 0.97))
    sql = np.where(qualified, sal + rng.exponential(profile.sql_delay_days * DAY, size), np.nan)
    # Nothing after the end of the data: later stages simply have not happened yet.
    mql[mql >= horizon] = np.nan
    sal[np.isnan(mql) | (sal >= horizon)] = np.nan
    sql[np.isnan(sal) | (sql >= horizon)] = np.nan
    minutes[np.isnan(mql)] = np.nan

    reasons = schema.DISQUALIFICATION_REASONS
    reason = np.full(size, -1)
    rejected = ~np.isnan(mql) & ~np.isnan(minutes) & np.isnan(sal)
    reason[rejected] = _codes(rng, {"duplicate": 0.3, "no_fit": 0.7}, int(rejected.sum()), reasons)
    not_qualified = ~np.isnan(sal) & np.isnan(sql)
    reason[not_qualified] = _codes(rng, {"no_budget": 0.3, "no_fit": 0.25, "timing": 0.2, "competitor": 0.1,
                                         "no_response": 0.15}, int(not_qualified.sum()), reasons)

    # Earlier marketing touches, walking back from the lead's creation by random gaps (a journey in order).
    extra = rng.poisson(np.where(segment == schema.SEGMENTS.index("enterprise"), 2.0, 0.7))
    owner = np.repeat(np.arange(size), extra)
    gaps = rng.exponential(12 * DAY, len(owner))
    running = np.cumsum(gaps)
    group_end = np.repeat(np.cumsum(extra) - 1, extra)
    before_creation = running[group_end] - running + gaps if len(owner) else gaps
    return {
        "segment": segment, "quality": quality, "score": score, "mql": mql, "sal": sal, "sql": sql,
        "minutes": minutes, "reason": reason, "region": rng.integers(0, len(schema.REGIONS), size),
        "rep": rng.integers(0, 1 << 30, size),
        "touch_extra": extra, "touch_time": np.floor(np.maximum(created[owner] - before_creation, 0)),
        "touch_campaign": _weighted_index(rng, touch_weights, len(owner)),
    }


def _leads(rng: np.random.Generator, profile: CompanyProfile, size: int, campaigns: pd.DataFrame,
           employees: pd.DataFrame, pool: ThreadPoolExecutor) -> tuple[pd.DataFrame, Future, _LeadDraws]:
    """The leads, drawn block by block on all cores, and their touchpoints (a table still being built)."""
    weight = campaigns["spend"].to_numpy() / _per(campaigns["channel"].cat.codes.to_numpy(), profile.cost_per_lead,
                                                   schema.CHANNELS)
    campaign = np.repeat(np.arange(len(campaigns)), rng.multinomial(size, weight / weight.sum()))
    start_day = ((campaigns["start_date"].to_numpy() - START) / np.timedelta64(1, "D"))[campaign]
    end_day = ((campaigns["end_date"].to_numpy() - START) / np.timedelta64(1, "D"))[campaign]
    created = np.floor(_business_time(rng, rng.uniform(start_day, end_day + 1)))
    order = np.argsort(created.astype(np.int64), kind="stable")  # lead ids follow arrival order; ties by draw
    created, campaign = created[order], campaign[order]

    bounds = range(0, size, LEAD_BLOCK)
    block_rngs = [np.random.default_rng(s) for s in np.random.SeedSequence(rng.integers(1 << 62)).spawn(len(bounds))]
    touch_weights = campaigns["spend"].to_numpy()
    blocks = list(pool.map(lambda b: _lead_block(block_rngs[b[0]], profile, created[b[1]:b[1] + LEAD_BLOCK],
                                                 touch_weights), enumerate(bounds)))
    draw = {key: np.concatenate([block[key] for block in blocks]) for key in blocks[0]}

    owner = territory_owners(employees, draw["region"], draw["mql"], draw["rep"])
    lead_ids = _ids("L", size)
    touchpoints = pool.submit(_touchpoint_table, campaigns, created, campaign, lead_ids, draw)
    leads = pd.DataFrame({
        "lead_id": lead_ids,
        "created_at": _at(created),
        "campaign_id": _take(campaigns["campaign_id"], campaign),
        "channel": campaigns["channel"].to_numpy()[campaign],
        "segment": _category(draw["segment"], schema.SEGMENTS),
        "region": _category(draw["region"], schema.REGIONS),
        "score": pd.array(draw["score"], dtype="Int64"),
        "mql_at": _at(draw["mql"]), "sal_at": _at(draw["sal"]), "sql_at": _at(draw["sql"]),
        "first_response_minutes": draw["minutes"],
        "owner_id": _take(employees["employee_id"], owner, present=~np.isnan(draw["mql"])),
        "disqualification_reason": _category(draw["reason"], schema.DISQUALIFICATION_REASONS),
    })
    return leads, touchpoints, _LeadDraws(quality=draw["quality"], campaign=campaign)


def _touchpoint_table(campaigns: pd.DataFrame, created: np.ndarray, campaign: np.ndarray, lead_ids: pd.Series,
                      draw: dict[str, np.ndarray]) -> pd.DataFrame:
    """Each lead's earlier touches in time order, then the converting touch: its own campaign, at creation."""
    size = len(created)
    extra = draw["touch_extra"]
    rows = int(extra.sum()) + size
    is_converting = np.zeros(rows, dtype=bool)
    is_converting[np.cumsum(extra + 1) - 1] = True
    moments = np.empty(rows)
    touch_campaign = np.empty(rows, dtype=np.int64)
    moments[is_converting], touch_campaign[is_converting] = created, campaign
    moments[~is_converting], touch_campaign[~is_converting] = draw["touch_time"], draw["touch_campaign"]
    channel = campaigns["channel"].cat.codes.to_numpy()[touch_campaign]
    touch_of_channel = np.array([schema.TOUCH_TYPES.index(TOUCH_TYPE_OF_CHANNEL[c]) for c in schema.CHANNELS])
    return pd.DataFrame({
        "touchpoint_id": _ids("T", rows, 8),
        "lead_id": _take(lead_ids, np.repeat(np.arange(size), extra + 1)),
        "touched_at": _at(moments),
        "channel": _category(channel, schema.CHANNELS),
        "campaign_id": _take(campaigns["campaign_id"], touch_campaign),
        "touch_type": _category(touch_of_channel[channel], schema.TOUCH_TYPES),
    })


TOUCH_TYPE_OF_CHANNEL = {"paid_search": "ad_click", "paid_social": "ad_click", "content": "content_download",
               "email": "email_click", "webinar": "webinar", "events": "event_visit", "partner": "form_fill",
               "referral": "form_fill"}


_OPEN_STAGES = np.array([schema.OPPORTUNITY_STAGES.index(s)
                         for s in ("prospecting", "qualification", "proposal", "negotiation")])


@dataclass(frozen=True)
class DealDraws:
    """What decided each deal, for what sales records about it (generator.selling): its segment, its chance to be
    won and the chances of each loss reason."""

    segment: np.ndarray
    p_win: np.ndarray
    loss_weights: dict[str, float]


def _deals(rng: np.random.Generator, profile: CompanyProfile, leads: pd.DataFrame, draws: _LeadDraws,
           history_rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, DealDraws]:
    horizon = float((END - START) / np.timedelta64(1, "s"))
    sql_at = leads["sql_at"].to_numpy()
    sql = np.where(np.isnat(sql_at), np.nan, (sql_at - START) / np.timedelta64(1, "s"))
    created = sql + rng.exponential(3 * DAY, len(leads))
    has_opportunity = ~np.isnan(sql) & (rng.uniform(size=len(leads)) < profile.opportunity_rate) & (created < horizon)
    idx = np.flatnonzero(has_opportunity)
    n = len(idx)
    segment = leads["segment"].cat.codes.to_numpy()[idx]
    created = created[idx]
    amount = np.round(_per(segment, profile.deal_median, schema.SEGMENTS) * rng.lognormal(0, 0.5, n), -2)
    cycle_days = _per(segment, profile.cycle_median_days, schema.SEGMENTS) * rng.lognormal(0, 0.4, n)
    closed = created + cycle_days * DAY
    is_closed = closed < horizon
    p_win = _per(segment, profile.win_base_rate, schema.SEGMENTS) * quality_multiplier(draws.quality[idx])
    won = is_closed & (rng.uniform(size=n) < np.clip(p_win, 0, 0.95))
    lost = is_closed & ~won
    elapsed = np.clip((horizon - created) / (closed - created), 0, 0.999)
    stages = schema.OPPORTUNITY_STAGES
    reached = (elapsed * 4).astype(int)  # an open deal's stage: it moves on at each quarter of its cycle
    stage = np.where(won, stages.index("closed_won"),
                     np.where(lost, stages.index("closed_lost"), _OPEN_STAGES[reached]))
    loss_weights = {"price": 0.3, "competitor": 0.25, "no_decision": 0.25, "timing": 0.1, "product_fit": 0.1}
    if profile.alignment < 0.5:  # a misaligned pipeline is full of deals nobody was ready to buy
        loss_weights = {"price": 0.25, "competitor": 0.2, "no_decision": 0.4, "timing": 0.1, "product_fit": 0.05}
    account_number = np.cumsum(won) - 1
    account_ids = _take(_ids("A", max(int(won.sum()), 1), 5), np.maximum(account_number, 0), present=won)
    outcome = np.where(won, 0, np.where(lost, 1, 2))
    opportunities = pd.DataFrame({
        "opportunity_id": _ids("O", n, 6),
        "lead_id": _take(leads["lead_id"], idx),
        "account_id": account_ids,
        "owner_id": _take(leads["owner_id"], idx),
        "created_at": _at(created),
        "amount": amount,
        "stage": _category(stage, stages),
        "closed_at": _at(np.where(is_closed, closed, np.nan)),
        "outcome": _category(outcome, schema.OUTCOMES),
        "loss_reason": _category(np.where(lost, _codes(rng, loss_weights, n, schema.LOSS_REASONS), -1),
                                 schema.LOSS_REASONS),
    })
    # Won deals become accounts: recurring revenue, churn, expansion and NPS.
    w = np.flatnonzero(won)
    start = closed[w]
    churn_after = rng.exponential(30.44 * DAY / profile.monthly_churn, len(w))
    churned = start + churn_after < horizon
    years = (np.where(churned, start + churn_after, horizon) - start) / (365.25 * DAY)
    starting_mrr = np.round(amount[w] / 12, 2)
    expansion_rate = rng.normal(profile.yearly_expansion, 0.12, len(w))
    growth = np.exp(expansion_rate * years)
    # A snapshot a year before the end, for trailing-twelve-month retention: the same growth law, stopped there.
    year_ago = horizon - 365.25 * DAY
    active_then = (start <= year_ago) & (~churned | (start + churn_after > year_ago))
    mrr_year_ago = np.where(active_then, np.round(starting_mrr * np.exp(expansion_rate * np.maximum(
        year_ago - start, 0) / (365.25 * DAY)), 2), np.nan)
    nps = np.clip(np.round(rng.normal(profile.nps_mean - 2.5 * churned, 1.8)), 0, 10)
    nps = np.where(rng.uniform(size=len(w)) < 0.35, np.nan, nps)
    accounts = pd.DataFrame({
        "account_id": account_ids.iloc[w].reset_index(drop=True),
        "segment": _category(segment[w], schema.SEGMENTS),
        "region": leads["region"].iloc[idx[w]].reset_index(drop=True),
        "start_date": _day(start),
        "starting_mrr": starting_mrr,
        "current_mrr": np.where(churned, 0.0, np.round(starting_mrr * growth, 2)),
        "mrr_12_months_ago": mrr_year_ago,
        "churned_at": _day(np.where(churned, start + churn_after, np.nan)),
        "nps": pd.array(nps, dtype="Int64"),
    })
    history = _history(history_rng, opportunities["opportunity_id"], created, closed, won, lost, reached, amount,
                       _per(segment, profile.cycle_median_days, schema.SEGMENTS) * DAY)
    return opportunities, accounts, history, DealDraws(segment, np.clip(p_win, 0, 0.95), loss_weights)


def _history(rng: np.random.Generator, ids: pd.Series, created: np.ndarray, closed: np.ndarray, won: np.ndarray,
             lost: np.ndarray, reached: np.ndarray, amount: np.ndarray, typical_cycle: np.ndarray) -> pd.DataFrame:
    """Each deal's opportunity history, consistent with its row in opportunities: opened in prospecting, then one row
    per stage it entered. Open and won deals move on at each quarter of their cycle (as their current stage says); a
    won deal closes after negotiation; a lost one drops out after the stage it reached (drawn: most deals are lost
    early), its stages spread evenly over its cycle. The amount starts as an estimate (±20 %) and firms up stage by
    stage to the deal's amount in opportunities; the expected close date is what the rest of a typical cycle would
    take, so a slow deal's date slips at each stage."""
    n = len(created)
    last = np.where(won, 3, np.where(lost, _codes(rng, {"prospecting": 0.3, "qualification": 0.3, "proposal": 0.25,
                                                        "negotiation": 0.15}, n, schema.OPPORTUNITY_STAGES[:4]),
                                     reached))
    steps = np.where(lost, last + 1, 4)  # the share of its cycle a deal spends in each stage: 1/steps
    rows = last + 1 + (won | lost)
    deal = np.repeat(np.arange(n), rows)
    position = np.arange(len(deal)) - np.repeat(np.cumsum(rows) - rows, rows)
    closing = (won | lost)[deal] & (position == rows[deal] - 1)
    stages = schema.OPPORTUNITY_STAGES
    stage = np.where(closing, np.where(won[deal], stages.index("closed_won"), stages.index("closed_lost")), position)
    progress = np.where(closing, 1.0, position / steps[deal])
    changed = np.where(closing, closed[deal], created[deal] + progress * (closed - created)[deal])
    latest = position == rows[deal] - 1  # the deal as it stands: the amount in opportunities
    firmed = np.where(latest, 1.0, position / np.maximum(rows - 1, 1)[deal])
    estimate = np.maximum(np.round(amount[deal] * (1 + rng.normal(0, 0.2, n)[deal] * (1 - firmed)), -2), 100)
    expected = np.where(closing, closed[deal], changed + np.maximum(1 - position / 4, 0.25) * typical_cycle[deal])
    return pd.DataFrame({
        "history_id": _ids("H", len(deal), 7),
        "opportunity_id": _take(ids, deal),
        "changed_at": _at(changed),
        "stage": _category(stage, stages),
        "amount": np.where(latest, amount[deal], estimate),
        "close_date": _day(expected),
    })


def _orders(rng: np.random.Generator, profile: CompanyProfile, size: int, campaigns: pd.DataFrame) -> pd.DataFrame:
    horizon = float((END - START) / np.timedelta64(1, "s"))
    customers = int(size * profile.orders_per_lead / 2)
    weights = campaigns["spend"].to_numpy()
    acquired_by = rng.choice(len(campaigns), customers, p=weights / weights.sum())
    when = _business_time(rng, rng.uniform(0, 700, customers))
    customer = np.arange(customers)
    frames = []
    alive = np.ones(customers, dtype=bool)
    # One pass per order number (a dozen passes, each vectorised over all shoppers): whether a shopper
    # comes back depends on whether their last parcel came on time.
    for number in range(12):
        k = np.flatnonzero(alive & (when < horizon))
        if not len(k):
            break
        ship_hours = rng.lognormal(np.log(profile.ship_median_hours), 0.6, len(k))
        transit_days = rng.lognormal(np.log(2.0), 0.35, len(k))
        shipped = when[k] + ship_hours * 3600
        delivered = shipped + transit_days * DAY
        promised = np.floor(when[k] / DAY + 4) * DAY
        late = delivered >= promised + DAY
        frames.append(pd.DataFrame({
            "customer": customer[k], "number": number, "ordered": when[k], "promised": promised,
            "shipped": shipped, "delivered": delivered, "late": late,
            "campaign": np.where(number == 0, acquired_by[k], -1),
        }))
        comes_back = rng.uniform(size=len(k)) < np.where(late, profile.repeat_rate_late, profile.repeat_rate_on_time)
        alive[:] = False
        alive[k[comes_back]] = True
        when[k] = when[k] + rng.exponential(45 * DAY, len(k))
    raw = pd.concat(frames, ignore_index=True)
    raw = raw[raw["delivered"] < horizon].sort_values(["ordered", "customer"], kind="stable").reset_index(drop=True)
    n = len(raw)
    late = raw["late"].to_numpy()
    value = np.round(rng.lognormal(np.log(55), 0.6, n), 2)
    return pd.DataFrame({
        "order_id": _ids("R", n, 7),
        "customer_id": "U" + pd.Series(raw["customer"] + 1).astype("string").str.zfill(6),
        "campaign_id": np.where(raw["campaign"] >= 0,
                                campaigns["campaign_id"].to_numpy()[raw["campaign"].clip(lower=0)], None),
        "ordered_at": _at(raw["ordered"].to_numpy()),
        "promised_by": _day(raw["promised"].to_numpy()),
        "shipped_at": _at(raw["shipped"].to_numpy()),
        "delivered_at": _at(raw["delivered"].to_numpy()),
        "value": value,
        "items": 1 + rng.poisson(0.8, n),
        "returned": rng.uniform(size=n) < np.where(late, 0.16, 0.07),
        "_late": late,
    })


def _tickets(rng: np.random.Generator, profile: CompanyProfile, accounts: pd.DataFrame,
             orders: pd.DataFrame | None) -> pd.DataFrame:
    horizon = float((END - START) / np.timedelta64(1, "s"))
    start = (accounts["start_date"].to_numpy() - START) / np.timedelta64(1, "s")
    churned_at = accounts["churned_at"].to_numpy()
    stop = np.where(np.isnat(churned_at), horizon, (churned_at - START) / np.timedelta64(1, "s"))
    months = np.maximum(stop - start, 0) / (30.44 * DAY)
    owner = np.repeat(np.arange(len(accounts)), rng.poisson(months * 0.6))
    opened = start[owner] + rng.uniform(0, 1, len(owner)) * (stop - start)[owner]
    categories = schema.TICKET_CATEGORIES
    category = _codes(rng, {"billing": 0.25, "product": 0.45, "how_to": 0.3}, len(owner), categories)
    account = owner
    order = np.full(len(owner), -1)
    if orders is not None and len(orders):
        late = orders.pop("_late").to_numpy()
        returned = orders["returned"].to_numpy(dtype=bool)
        asks = rng.uniform(size=len(orders)) < np.where(late, 0.35, 0.04) + 0.5 * returned
        k = np.flatnonzero(asks)
        delivered = (orders["delivered_at"].to_numpy()[k] - START) / np.timedelta64(1, "s")
        opened = np.concatenate([opened, delivered + rng.exponential(DAY, len(k))])
        kinds = np.where(returned[k], categories.index("returns"),
                         np.where(late[k], categories.index("shipping"),
                                  _codes(rng, {"billing": 0.4, "how_to": 0.6}, len(k), categories)))
        category = np.concatenate([category, kinds])
        account = np.concatenate([account, np.full(len(k), -1)])
        order = np.concatenate([order, k])
    n = len(opened)
    # Operations quality shows here: slow resolution lowers satisfaction.
    hours = rng.lognormal(np.log(10 if profile.alignment > 0.5 else 30), 1.0, n)
    resolved = opened + hours * 3600
    csat = np.clip(np.round(rng.normal(4.6 - 0.7 * np.log1p(hours / 24), 0.8)), 1, 5)
    csat = np.where(rng.uniform(size=n) < 0.45, np.nan, csat)
    is_open = resolved >= horizon
    by_time = np.argsort(opened, kind="stable")
    # A ticket about a parcel delivered on the data's last day may come after the data ends: it has not happened
    # yet. Dropped after every draw (and last in time), so that no other ticket changes.
    by_time = by_time[opened[by_time] < horizon]
    n = len(by_time)
    account, order = account[by_time], order[by_time]
    order_ids = orders["order_id"] if orders is not None else pd.Series([], dtype=STRING)
    return pd.DataFrame({
        "ticket_id": _ids("K", n, 6),
        "account_id": _take(accounts["account_id"], np.maximum(account, 0), present=account >= 0),
        "order_id": _take(order_ids, np.maximum(order, 0), present=order >= 0),
        "opened_at": _at(opened[by_time]),
        "resolved_at": _at(np.where(is_open, np.nan, resolved)[by_time]),
        "category": _category(category[by_time], categories),
        "csat": pd.array(np.where(is_open, np.nan, csat)[by_time], dtype="Int64"),
        "cost": np.round(18 + 6 * hours[by_time] ** 0.5, 2),
    })


def _activities(rng: np.random.Generator, profile: CompanyProfile, employees: pd.DataFrame) -> pd.DataFrame:
    weeks = np.datetime64("2025-11-03") + np.arange(8) * np.timedelta64(7, "D")
    activities = np.array(schema.ACTIVITIES)
    misalignment = 1.0 - profile.alignment
    expected = np.array([
        [WORK_PROFILE[f].get(a, 0.0) + misalignment * MISALIGNED_WORK.get(f, {}).get(a, 0.0) * 2
         for a in activities] for f in employees["function"]])
    e, w, a = np.meshgrid(np.arange(len(employees)), np.arange(len(weeks)), np.arange(len(activities)),
                          indexing="ij")
    e, w, a = e.ravel(), w.ravel(), a.ravel()
    mean = expected[e, a]
    hours = np.round(np.where(mean > 0, rng.gamma(6.0, np.maximum(mean, 1e-9) / 6.0), 0.0), 1)
    keep = hours >= 0.5
    frame = pd.DataFrame({
        "employee_id": employees["employee_id"].to_numpy()[e[keep]],
        "week": weeks[w[keep]].astype("datetime64[s]"),
        "activity": activities[a[keep]],
        "hours": hours[keep],
    })
    frame.insert(0, "activity_id", _ids("W", len(frame), 6))
    return frame


def _targets(rng: np.random.Generator, profile: CompanyProfile, tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Quarterly targets; the aligned company shares an SQL target, the misaligned one pays per MQL."""
    leads, opportunities = tables["leads"], tables["opportunities"]
    won = opportunities[opportunities["outcome"] == "won"]
    per_quarter = COURSE_QUARTERS.totals
    actual = {
        "mqls": per_quarter(leads["mql_at"]),
        "sqls": per_quarter(leads["sql_at"]),
        "bookings": per_quarter(won["closed_at"], won["amount"].to_numpy()),
        "new_customers": per_quarter(won["closed_at"]),
    }
    plan = [("marketing", "mqls"), ("sales", "bookings"), ("sales", "new_customers")]
    if profile.alignment >= 0.5:
        plan += [("marketing", "sqls"), ("sales", "sqls")]
    if "orders" in tables:
        actual["orders"] = per_quarter(tables["orders"]["ordered_at"])
        plan += [("operations", "orders"), ("operations", "on_time_delivery")]
    rows = []
    for function, metric in plan:  # a few dozen rows: targets are a plan, not data
        if metric == "on_time_delivery":
            values = np.full(len(QUARTERS), 0.9)
        else:
            values = actual[metric].astype(float)
            values = np.round(values * rng.uniform(1.0, 1.25, len(QUARTERS)), -2 if metric == "bookings" else 0)
        rows.append(pd.DataFrame({"quarter": QUARTERS, "function": function, "metric": metric,
                                  "target": values}))
    frame = pd.concat(rows, ignore_index=True).sort_values(["quarter", "function", "metric"], kind="stable")
    frame.insert(0, "target_id", _ids("G", len(frame), 4))
    return frame.reset_index(drop=True)
