"""The synthetic companies: a seeded, vectorised, causal generator, and the loader for any company folder.

Three companies are different on purpose (see ``COMPANIES``): ``lumen`` is aligned, ``ferro`` is not,
``bloom`` lives by its operations. What causes what is written down in each company's parameters
(saved as ``company.json``), so that exercises can ask learners to recover them and tests can check:

* lead score is a noisy reading of a hidden lead *quality*, and quality drives qualification and wins;
* sales' first-response time drives qualification: past the first hour the chance of qualifying is
  multiplied by ``(60 / minutes) ** response_decay``;
* alignment changes follow-up (share never contacted, response speed, acceptance) and so leakage;
* marketing spend buys leads, which turn into revenue months later (stage delays + sales cycle);
* alignment is *confounded* with segment mix: the aligned company also sells to larger, readier
  buyers, so a naive comparison of the companies overstates what alignment does.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from smarketing import schema
from smarketing.messages import _

START = np.datetime64("2024-01-01T00:00", "s")
END = np.datetime64("2026-01-01T00:00", "s")  # exclusive: the data runs through 2025
DEFAULT_SEED = 2024
DAY = 86_400
MINUTE = 60
GENERATOR_VERSION = "1"


@dataclass(frozen=True)
class CompanyProfile:
    """The true parameters of one synthetic company (written to company.json)."""

    name: str
    kind: str
    story: str
    default_leads: int
    alignment: float  # 0 = separate silos, 1 = one revenue team
    segment_mix: dict[str, float]
    channel_mix: dict[str, float]
    cost_per_lead: dict[str, float]  # by channel, currency
    mql_threshold: int  # score at which marketing hands a lead over
    score_noise_sd: float  # how badly the score measures quality, in score points
    never_contacted_share: float  # MQLs sales never calls
    response_median_minutes: float
    response_spread: float  # sigma of the log-normal response time
    response_decay: float  # qualification multiplier (60 / minutes) ** decay after the first hour
    sal_acceptance: float  # share of contacted MQLs that sales accepts
    handoff_multiplier: float  # effect of shared definitions on qualification
    mql_delay_days: float
    sql_delay_days: float
    opportunity_rate: float  # SQL -> opportunity
    deal_median: dict[str, float]  # annual contract value by segment
    cycle_median_days: dict[str, float]
    monthly_churn: float
    yearly_expansion: float
    nps_mean: float
    staff: dict[str, int]
    quota_per_rep: float
    orders_per_lead: float = 0.0  # e-commerce only
    repeat_rate_on_time: float = 0.0
    repeat_rate_late: float = 0.0
    ship_median_hours: float = 0.0
    # The same for every company: the market, not the company, decides these.
    sql_base_rate: dict[str, float] = field(default_factory=lambda: {"smb": 0.14, "mid_market": 0.36,
                                                                      "enterprise": 0.60})
    win_base_rate: dict[str, float] = field(default_factory=lambda: {"smb": 0.30, "mid_market": 0.26,
                                                                      "enterprise": 0.20})
    quality_mean: dict[str, float] = field(default_factory=lambda: {"smb": 0.38, "mid_market": 0.46,
                                                                     "enterprise": 0.52})

    def to_json(self, seed: int, size: int) -> dict[str, Any]:
        data = asdict(self)
        data.update(seed=seed, leads=size, generator_version=GENERATOR_VERSION,
                    period={"start": str(START)[:10], "end_exclusive": str(END)[:10]})
        return data


COMPANIES: dict[str, CompanyProfile] = {
    "lumen": CompanyProfile(
        name="lumen", kind="B2B SaaS, ~200 staff",
        story="Aligned: one revenue target, a written lead SLA that is kept, fast follow-up.",
        default_leads=8000, alignment=0.85,
        segment_mix={"smb": 0.25, "mid_market": 0.45, "enterprise": 0.30},
        channel_mix={"paid_search": 0.2, "paid_social": 0.1, "content": 0.2, "email": 0.1, "webinar": 0.15,
                     "events": 0.05, "partner": 0.1, "referral": 0.1},
        cost_per_lead={"paid_search": 210, "paid_social": 160, "content": 110, "email": 45, "webinar": 140,
                       "events": 420, "partner": 230, "referral": 70},
        mql_threshold=55, score_noise_sd=8, never_contacted_share=0.04, response_median_minutes=14,
        response_spread=1.2, response_decay=0.5, sal_acceptance=0.92, handoff_multiplier=1.1,
        mql_delay_days=3, sql_delay_days=5, opportunity_rate=0.6,
        deal_median={"smb": 7_000, "mid_market": 26_000, "enterprise": 95_000},
        cycle_median_days={"smb": 30, "mid_market": 60, "enterprise": 110},
        monthly_churn=0.008, yearly_expansion=0.14, nps_mean=8.2,
        staff={"marketing": 14, "sales": 28, "operations": 12, "revops": 4}, quota_per_rep=160_000,
    ),
    "ferro": CompanyProfile(
        name="ferro", kind="industrial B2B manufacturer",
        story="Misaligned: marketing is paid per MQL, the handoff is slow, many leads leak away.",
        default_leads=10000, alignment=0.25,
        segment_mix={"smb": 0.62, "mid_market": 0.31, "enterprise": 0.07},
        channel_mix={"paid_search": 0.25, "paid_social": 0.05, "content": 0.05, "email": 0.15, "webinar": 0.05,
                     "events": 0.25, "partner": 0.15, "referral": 0.05},
        cost_per_lead={"paid_search": 150, "paid_social": 120, "content": 90, "email": 35, "webinar": 110,
                       "events": 300, "partner": 180, "referral": 60},
        mql_threshold=40, score_noise_sd=18, never_contacted_share=0.18, response_median_minutes=120,
        response_spread=1.5, response_decay=0.5, sal_acceptance=0.82, handoff_multiplier=0.95,
        mql_delay_days=6, sql_delay_days=9, opportunity_rate=0.5,
        deal_median={"smb": 18_000, "mid_market": 70_000, "enterprise": 260_000},
        cycle_median_days={"smb": 40, "mid_market": 80, "enterprise": 150},
        monthly_churn=0.012, yearly_expansion=0.04, nps_mean=6.6,
        staff={"marketing": 9, "sales": 40, "operations": 16, "revops": 1}, quota_per_rep=300_000,
    ),
    "bloom": CompanyProfile(
        name="bloom", kind="D2C e-commerce brand (plus a small wholesale channel)",
        story="Operations-heavy: fulfilment, support and retention drive revenue.",
        default_leads=4000, alignment=0.6,
        segment_mix={"smb": 0.82, "mid_market": 0.16, "enterprise": 0.02},
        channel_mix={"paid_search": 0.15, "paid_social": 0.35, "content": 0.1, "email": 0.2, "webinar": 0.0,
                     "events": 0.05, "partner": 0.1, "referral": 0.05},
        cost_per_lead={"paid_search": 95, "paid_social": 70, "content": 60, "email": 20, "webinar": 80,
                       "events": 200, "partner": 110, "referral": 40},
        mql_threshold=50, score_noise_sd=12, never_contacted_share=0.12, response_median_minutes=150,
        response_spread=1.3, response_decay=0.5, sal_acceptance=0.85, handoff_multiplier=1.05,
        mql_delay_days=2, sql_delay_days=4, opportunity_rate=0.55,
        deal_median={"smb": 3_500, "mid_market": 12_000, "enterprise": 40_000},
        cycle_median_days={"smb": 21, "mid_market": 45, "enterprise": 80},
        monthly_churn=0.02, yearly_expansion=0.05, nps_mean=7.4,
        staff={"marketing": 12, "sales": 6, "operations": 34, "revops": 2}, quota_per_rep=60_000,
        orders_per_lead=3.0, repeat_rate_on_time=0.5, repeat_rate_late=0.25, ship_median_hours=30,
    ),
}

LADDERS: dict[str, tuple[str, ...]] = {
    "marketing": ("Marketing Associate", "Marketing Specialist", "Senior Marketing Specialist",
                  "Marketing Manager", "Marketing Director", "VP Marketing"),
    "sales": ("Sales Rep", "Sales Supervisor", "Sales Manager", "Sales Director", "VP Sales"),
    "operations": ("Junior Operations Specialist", "Senior Operations Specialist", "Operations Manager",
                   "Operations Director"),
    "revops": ("Revenue Operations Analyst", "Revenue Operations Manager", "Head of Revenue Operations"),
}
OPERATIONS_BRANCH = "Product Manager"  # seed 004: operations managers branch into product or ops direction
YEARS_PER_LEVEL = {"marketing": 2.2, "sales": 1.4, "operations": 2.0, "revops": 2.0}

# Hours per week each function spends on each activity (the "right" owner gets most of it).
_WORK_PROFILE = {
    "marketing": {"plan campaigns": 10, "create content": 12, "run events": 5, "analyse market": 6,
                  "nurture leads": 6, "build reports": 1},
    "sales": {"prospect by phone": 12, "run demos": 10, "negotiate contracts": 7, "forecast pipeline": 4,
              "manage accounts": 7},
    "operations": {"fulfil orders": 10, "handle tickets": 14, "improve processes": 10, "maintain CRM": 2,
                   "build reports": 4},
    "revops": {"maintain CRM": 16, "build reports": 14, "forecast pipeline": 6, "improve processes": 4},
}
# What a misaligned organisation adds on top: sales makes its own collateral, marketing cold-calls.
_MISALIGNED_WORK = {
    "sales": {"create content": 5, "analyse market": 3, "maintain CRM": 3},
    "marketing": {"prospect by phone": 5, "build reports": 3},
    "operations": {"manage accounts": 2},
}

_FIRST_NAMES = np.array(["Ada", "Ben", "Chen", "Dana", "Eli", "Fatima", "Gus", "Hana", "Ivan", "Jun", "Kemal", "Lena", "Mia", "Noor", "Omar", "Pia", "Quinn", "Ravi", "Sara", "Tariq", "Uma", "Vera", "Wei", "Xenia", "Yara", "Zoe", "Li", "Mei", "Tomas", "Ines"])
_LAST_NAMES = np.array(["Alvarez", "Brown", "Chen", "Dubois", "Eriksen", "Fischer", "Garcia", "Haddad", "Ito", "Jensen", "Kim", "Lopez", "Moreau", "Nakamura", "Okafor", "Patel", "Rossi", "Schmidt", "Tanaka", "Usman", "Varga", "Wang", "Xu", "Yilmaz", "Zhang"])


class DataValidationError(ValueError):
    """Data that does not fit the schema. ``problems`` lists each one with its file, column and lines."""

    def __init__(self, source: str, problems: list[schema.Problem]):
        self.source = source
        self.problems = problems
        lines = [_("The data in {source} has {count} problem(s):", source=source, count=len(problems))]
        lines += [f"  - {p}" for p in problems]
        lines.append(_("Nothing was loaded or changed. Fix the file(s) above and try again; "
                       "datasets/README.md describes every column."))
        super().__init__("\n".join(lines))


# ----------------------------------------------------------------------------------------------
# Generation
# ----------------------------------------------------------------------------------------------


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
    return _at(seconds).astype("datetime64[D]").astype("datetime64[s]")


def _business_time(rng: np.random.Generator, days: np.ndarray) -> np.ndarray:
    """Seconds after START for given day offsets, at a plausible hour of the working day."""
    hours = np.clip(rng.normal(13, 2.8, len(days)), 0, 23.9)
    return np.floor(days) * DAY + hours * 3600


def response_multiplier(first_response_minutes: np.ndarray | pd.Series, decay: float) -> np.ndarray:
    """How much first-response time multiplies the chance of qualifying: 1 within the hour, then
    ``(60 / minutes) ** decay`` (0 for leads never contacted)."""
    minutes = np.asarray(first_response_minutes, dtype=float)
    slowed = np.power(60.0 / np.maximum(minutes, 60.0), decay)
    return np.where(np.isnan(minutes), 0.0, slowed)


def quality_multiplier(quality: np.ndarray) -> np.ndarray:
    """How lead quality (0–1) multiplies the chance to qualify and to win: 0.4 at 0, 1 at 0.5, 1.6 at 1."""
    return 0.4 + 1.2 * quality


def draw_quality(rng: np.random.Generator, mean: np.ndarray) -> np.ndarray:
    """Hidden lead quality in (0, 1): Beta-distributed around each lead's segment mean."""
    return rng.beta(mean * 6, (1 - mean) * 6)


def score_from_quality(rng: np.random.Generator, quality: np.ndarray, noise_sd: float) -> np.ndarray:
    """The lead score a scoring model would give: quality in points plus measurement noise."""
    return np.clip(np.round(100 * quality + rng.normal(0, noise_sd, len(quality))), 0, 100).astype(np.int64)


def generate_company(name: str, seed: int = DEFAULT_SEED, size: int | None = None,
                     progress: Callable[[str], None] | None = None,
                     overrides: dict[str, Any] | None = None) -> tuple[dict[str, pd.DataFrame], dict]:
    """Generate every table of one synthetic company.

    ``size`` is the number of leads (default: the company's own). ``overrides`` replaces some of its
    true parameters, for experiments the real world does not allow: ``{"segment_mix": ...}`` gives
    the same company selling to another market. Returns the tables as DataFrames and the true
    parameters (the content of company.json). The same arguments always give the same data.
    """
    if name not in COMPANIES:
        raise ValueError(_("Unknown company '{name}'. Choose one of: {known}.", name=name,
                           known=", ".join(COMPANIES)))
    profile = COMPANIES[name]
    if overrides:
        changeable = [f.name for f in fields(CompanyProfile) if f.name != "name"]
        unknown = sorted(set(overrides) - set(changeable))
        if unknown:
            raise ValueError(_("Cannot override {keys}; parameters you can change: {known}.", keys=", ".join(unknown),
                               known=", ".join(changeable)))
        profile = replace(profile, **overrides)
    size = profile.default_leads if size is None else int(size)
    if size < 100:
        raise ValueError(_("size must be at least 100 leads (got {size}).", size=size))
    step = progress or (lambda _label: None)
    # One independent random stream per part of the company, so each part is reproducible on its own.
    streams = dict(zip(("staff", "campaigns", "leads", "deals", "work"),
                       np.random.SeedSequence([seed, list(COMPANIES).index(name)]).spawn(5), strict=True))
    rng = {part: np.random.default_rng(stream) for part, stream in streams.items()}
    tables: dict[str, pd.DataFrame] = {}
    step("employees")
    tables["employees"], tables["career_moves"] = _staff(rng["staff"], profile)
    step("campaigns")
    tables["campaigns"] = _campaigns(rng["campaigns"], profile, size)
    step("leads")
    with ThreadPoolExecutor(max_workers=min(2, os.cpu_count() or 1)) as pool:
        tables["leads"], touchpoints, draws = _leads(rng["leads"], profile, size, tables["campaigns"],
                                                     tables["employees"], pool)
        # While the touchpoints table is built on the other core, the deals and the rest are drawn here.
        step("opportunities")
        tables["opportunities"], tables["accounts"] = _deals(rng["deals"], profile, tables["leads"], draws)
        if profile.orders_per_lead:
            step("orders")
            tables["orders"] = _orders(rng["deals"], profile, size, tables["campaigns"])
        step("support tickets")
        tables["support_tickets"] = _tickets(rng["deals"], profile, tables["accounts"], tables.get("orders"))
        step("activities")
        tables["activities"] = _activities(rng["work"], profile, tables["employees"])
        step("targets")
        tables["targets"] = _targets(rng["work"], profile, tables)
        step("touchpoints")
        tables["touchpoints"] = touchpoints.result()
    ordered = {t: tables[t] for t in schema.TABLES if t in tables}
    return ordered, profile.to_json(seed, size)


def _staff(rng: np.random.Generator, profile: CompanyProfile) -> tuple[pd.DataFrame, pd.DataFrame]:
    functions = np.repeat(list(profile.staff), list(profile.staff.values()))
    n = len(functions)
    top = np.array([len(LADDERS[f]) for f in functions])
    # A pyramid: most people at the first levels, one or two at the top of each ladder.
    level = np.minimum(1 + rng.geometric(0.5, n) - 1, top)
    for function in profile.staff:  # one head per function (a handful of iterations, not rows)
        first = np.flatnonzero(functions == function)[0]
        level[first] = len(LADDERS[function])
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
        "name": pd.Series(_FIRST_NAMES[rng.integers(0, len(_FIRST_NAMES), n)]) + " "
        + pd.Series(_LAST_NAMES[rng.integers(0, len(_LAST_NAMES), n)]),
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

    reps = employees.loc[(employees["function"] == "sales") & (employees["level"] == 1), "employee_id"]
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
        "owner_id": _take(reps, draw["rep"] % len(reps), present=~np.isnan(draw["mql"])),
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
    touch_of_channel = np.array([schema.TOUCH_TYPES.index(_TOUCH_TYPE[c]) for c in schema.CHANNELS])
    return pd.DataFrame({
        "touchpoint_id": _ids("T", rows, 8),
        "lead_id": _take(lead_ids, np.repeat(np.arange(size), extra + 1)),
        "touched_at": _at(moments),
        "channel": _category(channel, schema.CHANNELS),
        "campaign_id": _take(campaigns["campaign_id"], touch_campaign),
        "touch_type": _category(touch_of_channel[channel], schema.TOUCH_TYPES),
    })


_TOUCH_TYPE = {"paid_search": "ad_click", "paid_social": "ad_click", "content": "content_download",
               "email": "email_click", "webinar": "webinar", "events": "event_visit", "partner": "form_fill",
               "referral": "form_fill"}


_OPEN_STAGES = np.array([schema.OPPORTUNITY_STAGES.index(s)
                         for s in ("prospecting", "qualification", "proposal", "negotiation")])


def _deals(rng: np.random.Generator, profile: CompanyProfile, leads: pd.DataFrame,
           draws: _LeadDraws) -> tuple[pd.DataFrame, pd.DataFrame]:
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
    stage = np.where(won, stages.index("closed_won"),
                     np.where(lost, stages.index("closed_lost"), _OPEN_STAGES[(elapsed * 4).astype(int)]))
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
    growth = np.exp(rng.normal(profile.yearly_expansion, 0.12, len(w)) * years)
    nps = np.clip(np.round(rng.normal(profile.nps_mean - 2.5 * churned, 1.8)), 0, 10)
    nps = np.where(rng.uniform(size=len(w)) < 0.35, np.nan, nps)
    accounts = pd.DataFrame({
        "account_id": account_ids.iloc[w].reset_index(drop=True),
        "segment": _category(segment[w], schema.SEGMENTS),
        "region": leads["region"].iloc[idx[w]].reset_index(drop=True),
        "start_date": _day(start),
        "starting_mrr": starting_mrr,
        "current_mrr": np.where(churned, 0.0, np.round(starting_mrr * growth, 2)),
        "churned_at": _day(np.where(churned, start + churn_after, np.nan)),
        "nps": pd.array(nps, dtype="Int64"),
    })
    return opportunities, accounts


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
        [_WORK_PROFILE[f].get(a, 0.0) + misalignment * _MISALIGNED_WORK.get(f, {}).get(a, 0.0) * 2
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


@dataclass(frozen=True)
class Quarters:
    """The calendar quarters that a company's data covers: their labels ("2024Q1"), their first days,
    and the position of any moment among them. The course companies cover 2024–2025; an imported
    company covers whatever its export spans."""

    first: np.datetime64  # the first month of the first quarter, datetime64[M]
    count: int

    @classmethod
    def spanning(cls, start: Any, last: Any) -> Quarters:
        """The quarters from the one holding ``start`` to the one holding ``last`` (both included)."""
        months = np.array([start, last], dtype="datetime64[M]").astype(np.int64)
        first, final = months // 3 * 3
        return cls(first=np.datetime64(int(first), "M"), count=int((final - first) // 3 + 1))

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(f"{p.year}Q{p.quarter}" for p in self.starts)

    @property
    def starts(self) -> pd.DatetimeIndex:
        months = self.first + 3 * np.arange(self.count)
        return pd.DatetimeIndex(months.astype("datetime64[ns]"))

    @property
    def months(self) -> int:
        return 3 * self.count

    def __len__(self) -> int:
        return self.count

    def index(self, moments: pd.Series) -> np.ndarray:
        """Position of each moment among the quarters (−1 when missing or outside them).

        In numpy on month numbers: converting a million timestamps to periods would take seconds."""
        months = moments.to_numpy(dtype="datetime64[s]").astype("datetime64[M]")
        index = (months.astype(np.int64) - self.first.astype(np.int64)) // 3
        return np.where(np.isnat(months) | (index < 0) | (index >= self.count), -1, index)

    def totals(self, moments: pd.Series, values: np.ndarray | pd.Series | None = None) -> np.ndarray:
        """Sum of ``values`` (or a count of the moments) in each quarter."""
        index = self.index(moments)
        keep = index >= 0
        weights = None if values is None else np.asarray(values, dtype=float)[keep]
        return np.bincount(index[keep], weights=weights, minlength=self.count)


COURSE_QUARTERS = Quarters.spanning(START, END - np.timedelta64(1, "s"))
QUARTERS = COURSE_QUARTERS.labels  # the quarters of the course companies' data


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


# ----------------------------------------------------------------------------------------------
# Writing and loading
# ----------------------------------------------------------------------------------------------


def _as_text(table: schema.Table, frame: pd.DataFrame) -> pd.DataFrame:
    """The exact text written to CSV: ISO dates, fixed decimals, empty cells for missing values."""
    out = {}
    for column in table.columns:
        values = frame[column.name]
        if column.kind in ("datetime", "date"):
            raw = values.to_numpy(dtype="datetime64[s]")
            text = np.datetime_as_string(raw, unit="m" if column.kind == "datetime" else "D")
            out[column.name] = np.where(np.isnat(raw), "", text)
        elif column.kind == "float":
            numbers = values.to_numpy(dtype="float64", na_value=np.nan)
            out[column.name] = np.where(np.isnan(numbers), "", np.char.mod("%.2f", np.nan_to_num(numbers)))
        elif column.kind == "bool":
            out[column.name] = np.where(values.astype(bool), "true", "false")
        else:
            out[column.name] = values.astype("string").fillna("")
    return pd.DataFrame(out)


def check_writable(folder: str | os.PathLike[str], force: bool, *, imported: bool = False,
                   inputs: tuple[str | os.PathLike[str], ...] = ()) -> Path:
    """The folder to write to, or an error saying in plain words why it may not be written.

    FileExistsError if it holds anything and ``force`` is false, or if ``force`` would delete
    something nobody means to replace: the current folder or a folder above it, the datasets root,
    a folder holding one of the ``inputs``; for an ``imported`` company also a course company and
    any folder that an earlier import did not write (``company.json`` with an ``"import"`` entry).
    NotADirectoryError or PermissionError if the folder cannot be created.
    """
    target = Path(folder)
    nearest = next(p for p in (target.absolute(), *target.absolute().parents) if p.exists() or p.is_symlink())
    if nearest != target.absolute() and not nearest.is_dir():
        raise NotADirectoryError(_("{folder} cannot be created: {file} is a file, not a folder. Choose another "
                                   "output folder.", folder=target, file=nearest))
    if nearest != target.absolute() and not os.access(nearest, os.W_OK | os.X_OK):
        raise PermissionError(_("{folder} cannot be created: {parent} is not writable. Choose a folder you can "
                                "write to, such as datasets/acme.", folder=target, parent=nearest))
    if not target.exists() or (target.is_dir() and not any(target.iterdir())):
        return target
    if not force:
        raise FileExistsError(_("{folder} already exists and is not empty; nothing was written. Choose another "
                                "folder, or pass --force to replace its files.", folder=target))
    resolved, here, root = target.resolve(), Path.cwd().resolve(), datasets_dir().resolve()

    def refuse(reason: str) -> FileExistsError:
        return FileExistsError(_("{folder} was not replaced: {reason} Nothing was written; choose a new folder, "
                                 "such as datasets/acme.", folder=target, reason=reason))

    if resolved == here or resolved in here.parents:
        raise refuse(_("it is the current folder or holds it, and --force would delete all of it."))
    if resolved == root or resolved in root.parents:
        raise refuse(_("it holds the course datasets ({root}), and --force would delete them.", root=root))
    held = [Path(f) for f in inputs if Path(f).resolve().is_relative_to(resolved)]
    if held:
        raise refuse(_("it holds {file}, one of the files to import.", file=held[0]))
    if imported and resolved.parent == root and resolved.name in COMPANIES:
        raise refuse(_("{name} is a course company; an import never replaces it.", name=resolved.name))
    if imported:
        try:
            written = json.loads((resolved / "company.json").read_text(encoding="utf-8"))
            earlier = isinstance(written, dict) and "import" in written
        except (OSError, ValueError):
            earlier = False
        if not earlier:
            raise refuse(_("--force only replaces a folder written by an earlier `smarketing workshop import` "
                           "(its company.json says so), and this one was not. Empty it yourself if you mean it."))
    return target


def write_company(tables: dict[str, pd.DataFrame], params: dict, folder: str | os.PathLike[str],
                  force: bool = False, chunk_rows: int = 100_000,
                  on_rows: Callable[[int], None] | None = None,
                  inputs: tuple[str | os.PathLike[str], ...] = ()) -> Path:
    """Write tables as CSV (and params as company.json) into ``folder``.

    Refuses to touch an existing, non-empty folder unless ``force`` is true, and even then only a
    folder :func:`check_writable` allows (an import, whose ``params`` hold ``"import"``, only replaces
    an earlier import), so nobody's data is overwritten by accident. ``inputs`` are the files the data
    was read from. ``on_rows`` is called with the number of rows written (for progress bars).
    """
    target = check_writable(folder, force, imported="import" in params, inputs=inputs)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        # Write beside the target and swap at the end, so a failure half-way never leaves half a company.
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    except OSError as error:
        raise PermissionError(_("{folder} cannot be created ({reason}). Choose a folder you can write to, such "
                                "as datasets/acme.", folder=target, reason=error.strerror or error)) from error
    staging.chmod(0o755)
    replaced = staging.with_name(staging.name + ".old")
    try:
        for name, frame in tables.items():
            text = _as_text(schema.TABLES[name], frame)
            with open(staging / schema.TABLES[name].file, "w", encoding="utf-8", newline="") as handle:
                for begin in range(0, max(len(text), 1), chunk_rows):
                    text.iloc[begin:begin + chunk_rows].to_csv(handle, index=False, header=begin == 0,
                                                               lineterminator="\n")
                    if on_rows:
                        on_rows(min(chunk_rows, len(text) - begin))
        (staging / "company.json").write_text(json.dumps(params, indent=2, sort_keys=True) + "\n",
                                              encoding="utf-8")
        if target.exists() or target.is_symlink():
            os.replace(target, replaced)  # two renames: the old folder is whole until the new one is in place
        try:
            os.replace(staging, target)
        except OSError:
            if replaced.exists() or replaced.is_symlink():
                os.replace(replaced, target)
            raise
    finally:
        if staging.exists():
            shutil.rmtree(staging)
        shutil.rmtree(replaced) if replaced.is_dir() and not replaced.is_symlink() else replaced.unlink(missing_ok=True)
    return target


def write_readme(folder: str | os.PathLike[str]) -> Path:
    """Write datasets/README.md: the companies, their stories, and the data dictionary from the schema."""
    lines = [
        "# Datasets",
        "",
        "Synthetic companies for the course, made by `smarketing generate` (seeded: the same seed gives the same",
        "bytes). Each folder holds one CSV per table and `company.json`, the true parameters the generator used.",
        "Regenerate them all with `make datasets`. *This file is written by `smarketing dictionary`; do not edit it.*",
        "",
        "| company | kind | story | leads | alignment |",
        "|---|---|---|---|---|",
    ]
    lines += [f"| `{p.name}` | {p.kind} | {p.story} | {p.default_leads:,} | {p.alignment} |" for p in COMPANIES.values()]
    lines += ["", "## What causes what", "", (__doc__ or "").split("\n\n", 1)[1].strip(), "",
              "## Data dictionary", "", schema.data_dictionary_markdown()]
    path = Path(folder) / "README.md"
    path.write_text("\n".join(lines).rstrip() + "\n", encoding="utf-8")
    return path


def datasets_dir() -> Path:
    """The folder of the committed datasets: $SMARKETING_DATA, or the repository's datasets/ folder."""
    if os.environ.get("SMARKETING_DATA"):
        return Path(os.environ["SMARKETING_DATA"])
    for start in (Path.cwd(), Path(__file__).resolve().parent):
        for folder in (start, *start.parents):
            if (folder / "datasets" / "lumen" / "company.json").exists():
                return folder / "datasets"
    return Path.cwd() / "datasets"


@dataclass
class Company:
    """A loaded company: one typed DataFrame per table, plus the true parameters when known."""

    name: str
    folder: Path
    tables: dict[str, pd.DataFrame]
    params: dict[str, Any]
    missing: tuple[str, ...] = ()  # optional tables this company does not have

    def __getattr__(self, table: str) -> pd.DataFrame:
        tables = self.__dict__.get("tables", {})
        if table in tables:
            return tables[table]
        raise AttributeError(_("This company has no table '{table}'. Tables: {tables}.", table=table,
                               tables=", ".join(tables)))

    def __iter__(self) -> Iterator[str]:
        return iter(self.tables)

    @property
    def quarters(self) -> Quarters:
        """The quarters the data covers: the generator's period for a course company, else from the
        first lead created to the last lead or deal recorded."""
        period = self.params.get("period")
        if period:
            return Quarters.spanning(period["start"], np.datetime64(period["end_exclusive"]) - np.timedelta64(1, "D"))
        leads = self.tables.get("leads")
        if leads is None or leads["created_at"].isna().all():
            return COURSE_QUARTERS
        moments = [leads["created_at"]]
        if "opportunities" in self.tables:
            moments.append(self.tables["opportunities"]["closed_at"])
        both = pd.concat(moments).dropna()
        return Quarters.spanning(leads["created_at"].min(), both.max())


def _read_text_table(path: Path) -> pd.DataFrame | schema.Problem:
    """Read a CSV with every cell as text, or say in plain words why it cannot be read."""
    try:
        raw_bytes = path.read_bytes()
        raw_bytes.decode("utf-8")
    except UnicodeDecodeError as error:
        return schema.Problem(path.name, "", (), _(
            "the file is not UTF-8 text (byte {position} cannot be read). Save it again as 'CSV UTF-8' "
            "(in Excel: Save As > CSV UTF-8).", position=error.start))
    if not raw_bytes.strip():
        return schema.Problem(path.name, "", (), _("the file is empty. Export it again with a header row."))
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8-sig")
    except (pd.errors.ParserError, ValueError) as error:
        return schema.Problem(path.name, "", (), _(
            "the file is not a readable CSV ({detail}). Check that it is comma-separated with one header row.",
            detail=str(error).splitlines()[0]))


def read_folder(folder: Path) -> tuple[dict[str, pd.DataFrame], list[schema.Problem], tuple[str, ...]]:
    """Read and type every table of a folder; collect every problem instead of stopping at the first."""
    tables: dict[str, pd.DataFrame] = {}
    problems: list[schema.Problem] = []
    missing: list[str] = []
    for table in schema.TABLES.values():
        path = folder / table.file
        if not path.exists():
            if table.optional:
                missing.append(table.name)
                tables[table.name] = parse_empty(table)
            else:
                problems.append(schema.Problem(table.file, "", (), _(
                    "the file is missing from {folder}. Generate the company again with `smarketing generate` "
                    "or copy the file in.", folder=folder)))
            continue
        raw = _read_text_table(path)
        if isinstance(raw, schema.Problem):
            problems.append(raw)
            continue
        frame, found = schema.parse_table(table, raw)
        problems += found
        tables[table.name] = frame
    if not problems:
        problems += schema.check_references(tables)
    return tables, problems, tuple(missing)


def parse_empty(table: schema.Table) -> pd.DataFrame:
    frame, _problems = schema.parse_table(table, pd.DataFrame({c.name: pd.Series([], dtype=str) for c in table.columns}))
    return frame


def overview(companies: list[Company] | dict[str, Company]) -> pd.DataFrame:
    """One row per company: what it is, how big, how its staff splits over the functions, and what
    its funnel produced. A first look before any analysis."""
    rows = []
    for company in companies.values() if isinstance(companies, dict) else companies:
        won = company.opportunities[company.opportunities["outcome"] == "won"]
        staff = company.employees["function"].astype(str).value_counts()
        rows.append({
            "company": company.name, "kind": company.params.get("kind", ""), "leads": len(company.leads),
            "customers_won": len(won), "bookings": float(won["amount"].sum()), "orders": len(company.orders),
            **{f"staff_{f}": int(staff.get(f, 0)) for f in schema.FUNCTIONS},
        })
    return pd.DataFrame(rows).set_index("company")


def simulate_company(name: str, label: str | None = None, seed: int = DEFAULT_SEED, size: int | None = None,
                     **overrides: Any) -> Company:
    """A synthetic company generated in memory, with some true parameters changed: a "what if" that
    no real company can run, e.g. ``simulate_company("ferro", "ferro selling like lumen",
    segment_mix=COMPANIES["lumen"].segment_mix)``. Nothing is written to disk."""
    tables, params = generate_company(name, seed=seed, size=size, overrides=overrides)
    missing = tuple(t for t in schema.TABLES if t not in tables)
    tables.update({t: parse_empty(schema.TABLES[t]) for t in missing})  # as load_company does
    return Company(name=label or name, folder=Path(), tables=tables, params=params, missing=missing)


def load_company(name_or_path: str | os.PathLike[str]) -> Company:
    """Load a company by name (``"lumen"``, ``"ferro"``, ``"bloom"``) or from a folder of CSV files.

    A relative path or name is looked up in this order, the first existing folder winning: the
    current folder; the repository root (the parent of :func:`datasets_dir`), so that
    ``"datasets/acme"`` works from a notebook in ``course/`` or the Voilà app in ``workshop/``; and
    :func:`datasets_dir` itself, so that ``"lumen"`` or ``"acme"`` works anywhere.

    Returns a :class:`Company` whose tables are typed DataFrames (dates parsed, categories typed).
    Raises :class:`DataValidationError` listing every problem (file, column, lines, how to fix) if
    the data does not fit the schema.
    """
    text = str(name_or_path)
    path = Path(text)
    candidates = [path] if path.is_absolute() else [path, datasets_dir().parent / path, datasets_dir() / path]
    folder = next((c for c in candidates if c.is_dir()), None)
    if folder is None:
        raise DataValidationError(text, [schema.Problem(text, "", (), _(
            "no such company or folder. Use one of {known}, or the path of a folder of CSV files "
            "(looked in {where}).", known=", ".join(COMPANIES), where=", ".join(map(str, candidates))))])
    tables, problems, missing = read_folder(folder)
    if problems:
        raise DataValidationError(str(folder), problems)
    params_path = folder / "company.json"
    params = json.loads(params_path.read_text(encoding="utf-8")) if params_path.exists() else {}
    return Company(name=params.get("name", folder.name), folder=folder, tables=tables, params=params,
                   missing=missing)
