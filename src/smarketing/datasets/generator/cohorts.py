"""The companies of the graded work: one per course company, drawn anew for each cohort of learners.

Graded tasks must test transfer, not recall: no course notebook analyses these companies, and each cohort
(a term, a class) gets its own draw, so last term's answers are wrong this term. A cohort company is *like*
its course company (``argo`` is misaligned like ``ferro``, ``vela`` aligned like ``lumen``, ``tide``
operations-heavy like ``bloom``), with its own segment and channel mix, costs, threshold, follow-up, deal sizes
and staff, drawn from the cohort's name. Learners see the name and the story; the parameters are in
``company.json`` for the instructor, like every company's.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace

import numpy as np

from smarketing.datasets.company import GRADED_COMPANIES
from smarketing.datasets.generator.profiles import COMPANIES, CompanyProfile

DEFAULT_COHORT = "2026-autumn"  # the cohort whose companies are committed in datasets/


@dataclass(frozen=True)
class CohortCompany:
    name: str
    like: str  # the course company it resembles
    kind: str
    story: str


COHORT_COMPANIES: dict[str, CohortCompany] = {
    "argo": CohortCompany("argo", "ferro", "industrial B2B supplier (pumps and valves)",
                          "Misaligned in its own way: marketing counts MQLs, sales counts calls, and leads wait."),
    "vela": CohortCompany("vela", "lumen", "B2B SaaS for logistics teams",
                          "Aligned: a shared revenue target and a lead SLA, tested in a new market."),
    "tide": CohortCompany("tide", "bloom", "D2C outdoor-gear brand with a wholesale channel",
                          "Operations-heavy: shipping, returns and support decide whether customers come back."),
}


assert tuple(COHORT_COMPANIES) == GRADED_COMPANIES  # one list of names, kept where the store can read it


def cohort_seed(cohort: str) -> int:
    """The generator's seed of a cohort: the same name always gives the same companies."""
    return int(hashlib.sha256(f"smarketing-cohort:{cohort}".encode()).hexdigest()[:12], 16)


def _mix(rng: np.random.Generator, mix: dict[str, float], concentration: float = 60.0) -> dict[str, float]:
    """A mix near ``mix`` (a Dirichlet draw around it), rounded to two decimals and summing to 1; channels
    the course company does not use stay unused."""
    keys = [k for k, share in mix.items() if share > 0]
    draw = rng.dirichlet([mix[k] * concentration for k in keys])
    shares = np.round(draw, 2)
    shares[int(np.argmax(shares))] += round(1 - float(shares.sum()), 2)
    return {k: (round(float(shares[keys.index(k)]), 2) if k in keys else 0.0) for k in mix}


def _scaled(rng: np.random.Generator, values: dict[str, float], spread: float, step: float) -> dict[str, float]:
    factor = float(rng.lognormal(0, spread))
    return {k: float(round(v * factor / step) * step) for k, v in values.items()}


def cohort_profile(name: str, cohort: str = DEFAULT_COHORT) -> CompanyProfile:
    """The true parameters of cohort company ``name`` for ``cohort``."""
    company = COHORT_COMPANIES[name]
    base = COMPANIES[company.like]
    rng = np.random.default_rng([cohort_seed(cohort), list(COHORT_COMPANIES).index(name)])

    def near(value: float, spread: float = 0.15, low: float = 0.0, high: float = float("inf"), digits: int = 3):
        return float(np.clip(round(value * float(rng.lognormal(0, spread)), digits), low, high))

    staff = {f: max(1, int(round(n * float(rng.lognormal(0, 0.15))))) for f, n in base.staff.items()}
    profile = replace(
        base, name=name, kind=company.kind, story=company.story,
        default_leads=int(round(base.default_leads * 0.5 * float(rng.lognormal(0, 0.1)), -2)),
        alignment=near(base.alignment, 0.1, 0.05, 0.95, 2),
        segment_mix=_mix(rng, base.segment_mix), channel_mix=_mix(rng, base.channel_mix),
        cost_per_lead=_scaled(rng, base.cost_per_lead, 0.2, 5),
        mql_threshold=int(base.mql_threshold + rng.integers(-6, 7)),
        score_noise_sd=near(base.score_noise_sd, 0.15, 4, 30, 1),
        never_contacted_share=near(base.never_contacted_share, 0.25, 0.01, 0.4),
        response_median_minutes=near(base.response_median_minutes, 0.3, 5, 600, 0),
        response_spread=near(base.response_spread, 0.1, 0.8, 2.0, 2),
        sal_acceptance=near(base.sal_acceptance, 0.05, 0.5, 0.98),
        handoff_multiplier=near(base.handoff_multiplier, 0.05, 0.8, 1.2),
        mql_delay_days=near(base.mql_delay_days, 0.2, 1, 14, 1), sql_delay_days=near(base.sql_delay_days, 0.2, 1, 20, 1),
        opportunity_rate=near(base.opportunity_rate, 0.1, 0.3, 0.8),
        deal_median=_scaled(rng, base.deal_median, 0.25, 500),
        cycle_median_days=_scaled(rng, base.cycle_median_days, 0.2, 1),
        monthly_churn=near(base.monthly_churn, 0.2, 0.002, 0.05, 4),
        yearly_expansion=near(base.yearly_expansion, 0.2, 0.0, 0.3),
        nps_mean=near(base.nps_mean, 0.05, 4.0, 9.5, 1),
        staff=staff, quota_per_rep=float(round(base.quota_per_rep * float(rng.lognormal(0, 0.15)), -4)),
        orders_per_lead=near(base.orders_per_lead, 0.1, 0, 6, 2) if base.orders_per_lead else 0.0,
        repeat_rate_on_time=near(base.repeat_rate_on_time, 0.1, 0, 0.9) if base.orders_per_lead else 0.0,
        repeat_rate_late=0.0,  # set below: late delivery must lower the repeat rate, as at bloom
        ship_median_hours=near(base.ship_median_hours, 0.2, 0, 120, 0) if base.orders_per_lead else 0.0,
    )
    if base.orders_per_lead:
        ratio = base.repeat_rate_late / base.repeat_rate_on_time
        profile = replace(profile, repeat_rate_late=round(profile.repeat_rate_on_time * near(ratio, 0.1, 0.2, 0.8), 3))
    # Drawn last, so that adding it left every earlier parameter of every cohort as it was.
    return replace(profile, incremental_share={channel: near(share, 0.2, 0.1, 0.95, 2)
                                               for channel, share in base.incremental_share.items()})
