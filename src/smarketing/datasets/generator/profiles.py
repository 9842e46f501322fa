"""The three course companies as true parameters: who they are, how they sell, how their staff works.

They are different on purpose: ``lumen`` is aligned, ``ferro`` is not, ``bloom`` lives by its operations.
Each profile is what the generator draws from and what ``company.json`` records, so that exercises can ask
learners to recover a parameter and tests can check that the data shows it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from smarketing.datasets.company import END, START

DEFAULT_SEED = 2024
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
    # The share of each channel's leads that its spend causes: the rest would have come anyway (buyers who were
    # searching for the company by name, contacts already on the mailing list, friends of customers). Assumptions
    # of the synthetic world (grade C), shaped by field experiments: brand search ads bought eBay almost nothing
    # (Blake, Nosko & Tadelis 2015), and clicks show who was going to buy, not who was persuaded. Attribution
    # credits a channel with all its leads; a holdout (generator.experiments) shows only the caused ones.
    incremental_share: dict[str, float] = field(default_factory=lambda: {
        "paid_search": 0.45, "paid_social": 0.75, "content": 0.6, "email": 0.3, "webinar": 0.6, "events": 0.7,
        "partner": 0.65, "referral": 0.4})

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

YEARS_PER_LEVEL = {"marketing": 2.2, "sales": 1.4, "operations": 2.0, "revops": 2.0}

# Hours per week each function spends on each activity (the "right" owner gets most of it).
WORK_PROFILE = {
    "marketing": {"plan campaigns": 10, "create content": 12, "run events": 5, "analyse market": 6,
                  "nurture leads": 6, "build reports": 1},
    "sales": {"prospect by phone": 12, "run demos": 10, "negotiate contracts": 7, "forecast pipeline": 4,
              "manage accounts": 7},
    "operations": {"fulfil orders": 10, "handle tickets": 14, "improve processes": 10, "maintain CRM": 2,
                   "build reports": 4},
    "revops": {"maintain CRM": 16, "build reports": 14, "forecast pipeline": 6, "improve processes": 4},
}
# What a misaligned organisation adds on top: sales makes its own collateral, marketing cold-calls.
MISALIGNED_WORK = {
    "sales": {"create content": 5, "analyse market": 3, "maintain CRM": 3},
    "marketing": {"prospect by phone": 5, "build reports": 3},
    "operations": {"manage accounts": 2},
}

FIRST_NAMES = np.array(["Ada", "Ben", "Chen", "Dana", "Eli", "Fatima", "Gus", "Hana", "Ivan", "Jun", "Kemal", "Lena", "Mia", "Noor", "Omar", "Pia", "Quinn", "Ravi", "Sara", "Tariq", "Uma", "Vera", "Wei", "Xenia", "Yara", "Zoe", "Li", "Mei", "Tomas", "Ines"])
LAST_NAMES = np.array(["Alvarez", "Brown", "Chen", "Dubois", "Eriksen", "Fischer", "Garcia", "Haddad", "Ito", "Jensen", "Kim", "Lopez", "Moreau", "Nakamura", "Okafor", "Patel", "Rossi", "Schmidt", "Tanaka", "Usman", "Varga", "Wang", "Xu", "Yilmaz", "Zhang"])
